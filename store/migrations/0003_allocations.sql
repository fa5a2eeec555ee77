-- Allocations of a caseload (issue 6): one row per POST /v1/allocations.
-- doc is the allocation document as the API shows it, without its id and
-- creation time (JSON text); households and placed are its counts, kept in
-- columns for listings and statistics without decoding the document.
CREATE TABLE allocations (
    id         TEXT PRIMARY KEY,
    org        TEXT NOT NULL REFERENCES organisations (id),
    key_id     TEXT NOT NULL,
    households INTEGER NOT NULL CHECK (households >= 0),
    placed     INTEGER NOT NULL CHECK (placed >= 0 AND placed <= households),
    doc        TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX allocations_org ON allocations (org, created_at, id);
