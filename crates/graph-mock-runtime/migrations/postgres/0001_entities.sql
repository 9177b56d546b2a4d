-- Version 1: every entity as JSON text, numbered in insertion order (`seq`), keyed by its
-- tenant ('' for the default tenant), its collection's path within the tenant and its id.
-- The text is kept as sent (not jsonb), so that answers keep the property order Graph's have.
CREATE TABLE entities (
    seq BIGSERIAL PRIMARY KEY,
    tenant TEXT NOT NULL,
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (tenant, collection, id)
);
CREATE INDEX entities_in_order ON entities (tenant, collection, seq);
