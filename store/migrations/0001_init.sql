-- Passerelle initial schema. Portable SQL for SQLite and PostgreSQL; the
-- only dialect macro is {{AUTOID}} (an auto-incremented integer primary key).
-- Times are UTC text in the fixed layout 2006-01-02T15:04:05.000000Z, which
-- sorts as it reads. Documents are JSON text.

CREATE TABLE organisations (
    id         TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);

CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    org        TEXT NOT NULL REFERENCES organisations (id),
    role       TEXT NOT NULL CHECK (role IN ('admin', 'advisor', 'landlord', 'employer')),
    hash       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE households (
    id           TEXT PRIMARY KEY,
    org          TEXT NOT NULL REFERENCES organisations (id),
    external_ref TEXT NOT NULL DEFAULT '',
    doc          TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    deleted_at   TEXT
);
CREATE INDEX households_org ON households (org, id);
CREATE UNIQUE INDEX households_org_ref ON households (org, external_ref)
    WHERE external_ref <> '' AND deleted_at IS NULL;

CREATE TABLE housing_offers (
    id           TEXT PRIMARY KEY,
    owner        TEXT NOT NULL REFERENCES organisations (id),
    external_ref TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('open', 'reserved', 'let', 'withdrawn')),
    commune      TEXT NOT NULL,
    department   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    doc          TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX housing_offers_owner_ref ON housing_offers (owner, external_ref) WHERE external_ref <> '';
CREATE INDEX housing_offers_owner ON housing_offers (owner, id);
CREATE INDEX housing_offers_status ON housing_offers (status, id);
CREATE INDEX housing_offers_commune ON housing_offers (commune, id);
CREATE INDEX housing_offers_department ON housing_offers (department, id);

CREATE TABLE job_offers (
    id           TEXT PRIMARY KEY,
    owner        TEXT NOT NULL REFERENCES organisations (id),
    external_ref TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('open', 'filled', 'withdrawn')),
    commune      TEXT NOT NULL,
    department   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    rome         TEXT NOT NULL,
    doc          TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX job_offers_owner_ref ON job_offers (owner, external_ref) WHERE external_ref <> '';
CREATE INDEX job_offers_owner ON job_offers (owner, id);
CREATE INDEX job_offers_status ON job_offers (status, id);
CREATE INDEX job_offers_commune ON job_offers (commune, id);
CREATE INDEX job_offers_department ON job_offers (department, id);
CREATE INDEX job_offers_rome ON job_offers (rome, id);

CREATE TABLE plans (
    id           TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households (id),
    org          TEXT NOT NULL REFERENCES organisations (id),
    status       TEXT NOT NULL,
    doc          TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX plans_household ON plans (household_id, id);

CREATE TABLE plan_decisions (
    seq      {{AUTOID}},
    plan_id  TEXT NOT NULL REFERENCES plans (id),
    at       TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('proposed', 'accepted', 'declined_household',
             'declined_landlord', 'declined_employer', 'lease_signed', 'job_started')),
    reason   TEXT NOT NULL DEFAULT '',
    key_id   TEXT NOT NULL
);
CREATE INDEX plan_decisions_plan ON plan_decisions (plan_id, seq);

CREATE TABLE audit_log (
    seq         {{AUTOID}},
    at          TEXT NOT NULL,
    key_id      TEXT NOT NULL,
    org         TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id   TEXT NOT NULL
);
CREATE INDEX audit_log_object ON audit_log (object_kind, object_id, seq);

CREATE TABLE idempotency_keys (
    key_id       TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (key_id, idem_key)
);

CREATE TABLE data_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 0);
