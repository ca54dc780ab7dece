-- +goose Up
-- A check-in's revision counts its changes, so an edit started from an older one is refused.
-- A check-in may remind a recipient once when a delivery is still unseen after a while (0: never);
-- reminded_at records that the one reminder went out. A workspace caps how many people one
-- check-in may ask.
ALTER TABLE checkins ADD COLUMN remind_after_s integer NOT NULL DEFAULT 0
    CHECK (remind_after_s BETWEEN 0 AND 604800);
ALTER TABLE checkins ADD COLUMN revision bigint NOT NULL DEFAULT 1;
ALTER TABLE checkin_deliveries ADD COLUMN reminded_at timestamptz;
ALTER TABLE team_settings ADD COLUMN checkin_max_recipients integer NOT NULL DEFAULT 500
    CHECK (checkin_max_recipients BETWEEN 1 AND 5000);

-- +goose Down
ALTER TABLE team_settings DROP COLUMN checkin_max_recipients;
ALTER TABLE checkin_deliveries DROP COLUMN reminded_at;
ALTER TABLE checkins DROP COLUMN revision;
ALTER TABLE checkins DROP COLUMN remind_after_s;
