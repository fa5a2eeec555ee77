-- Reference data imported by `passerelle import reference DIR` (issue 5):
-- the derived tables a market is built on (communes with their indicators,
-- the shortage index, hiring volumes, real job offers), one row per data
-- set. body is the base64 of an opaque, compressed encoding that only
-- cmd/passerelle reads; summary is the import report (JSON text).
CREATE TABLE reference_data (
    name        TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    summary     TEXT NOT NULL,
    body        TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
