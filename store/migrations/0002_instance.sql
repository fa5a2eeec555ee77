-- The identity of this database: a random id chosen on first use. Plan
-- caches shared by several deployments (one Redis) key on it, so that two
-- databases at the same data version never share a cached plan.
CREATE TABLE instance (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    uid TEXT NOT NULL
);
