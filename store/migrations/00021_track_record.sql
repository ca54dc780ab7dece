-- +goose Up
-- Who looked at what: every view of a person's track record and every simulation of authority or of
-- a policy file. Append-only. subject_id is the person looked at ('' for a policy simulation).
CREATE TABLE audit_events (
    id         bigserial   PRIMARY KEY,
    team_id    text        NOT NULL,
    actor_id   text        NOT NULL,
    kind       text        NOT NULL CHECK (kind IN ('record.view', 'authority.simulate', 'policies.simulate')),
    subject_id text        NOT NULL DEFAULT '',
    detail     text        NOT NULL DEFAULT '',
    at         timestamptz NOT NULL
);

CREATE INDEX audit_events_team_idx ON audit_events (team_id, id DESC);
CREATE INDEX audit_events_subject_idx ON audit_events (team_id, subject_id, id DESC) WHERE subject_id <> '';

-- A record reads the check-in DMs sent to one person, and the tasks handed on from them.
CREATE INDEX checkin_deliveries_recipient_idx ON checkin_deliveries (team_id, recipient_id, delivered_at)
    WHERE delivered_at IS NOT NULL;
CREATE INDEX task_events_reassigned_idx ON task_events (team_id, from_value) WHERE kind = 'reassigned';

-- +goose Down
DROP INDEX task_events_reassigned_idx;
DROP INDEX checkin_deliveries_recipient_idx;
DROP TABLE audit_events;
