-- Version 3: the record of changes that delta queries answer, shared by every replica. Each
-- write adds a row in its own transaction, stamped with the transaction's id. A delta round
-- ends at the oldest transaction still running when it ends (`pg_snapshot_xmin`), and the next
-- round answers the rows of transactions from there on: a change is answered by the first round
-- that ends after its transaction did, never lost to a transaction still committing.
CREATE TABLE changes (
    seq BIGSERIAL PRIMARY KEY,
    xid XID8 NOT NULL DEFAULT pg_current_xact_id(),
    tenant TEXT NOT NULL,
    collection TEXT NOT NULL,
    id TEXT NOT NULL
);
CREATE INDEX changes_by_collection ON changes (tenant, collection, xid);
-- Where a tenant's record starts ('/' for every tenant's): a reset forgets the tenant's changes,
-- and the tokens it was given before must start over.
CREATE TABLE change_floors (
    tenant TEXT PRIMARY KEY,
    floor XID8 NOT NULL
);
