-- +goose Up
-- The inbox: every envelope Baton acknowledges is kept with its payload until its work is done,
-- so a process that dies after the ack leaves it for another to handle.
ALTER TABLE deliveries
    ADD COLUMN kind        text        NOT NULL DEFAULT '',
    ADD COLUMN envelope_id text        NOT NULL DEFAULT '',
    ADD COLUMN payload     bytea,
    ADD COLUMN claim       text        NOT NULL DEFAULT '',
    ADD COLUMN lease_until timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN attempts    integer     NOT NULL DEFAULT 1,
    ADD COLUMN done_at     timestamptz;

-- Keys seen before the inbox existed were handled (or lost) long ago.
UPDATE deliveries SET done_at = seen_at;

CREATE INDEX deliveries_unfinished_idx ON deliveries (lease_until) WHERE done_at IS NULL AND payload IS NOT NULL;

-- +goose Down
DROP INDEX deliveries_unfinished_idx;
ALTER TABLE deliveries
    DROP COLUMN kind, DROP COLUMN envelope_id, DROP COLUMN payload, DROP COLUMN claim,
    DROP COLUMN lease_until, DROP COLUMN attempts, DROP COLUMN done_at;
