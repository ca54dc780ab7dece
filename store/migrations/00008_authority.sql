-- +goose Up
-- Delegated authority: G-3 lets one person's requests of one type that fall inside a CEL condition be
-- approved without anyone else, until it runs out or is revoked. until is the last day as the granter
-- wrote it; until_at is the last moment of that day in the granter's time zone.
CREATE TABLE authority_grants (
    id           bigserial   PRIMARY KEY,
    team_id      text        NOT NULL,
    number       bigint      NOT NULL CHECK (number > 0),
    user_id      text        NOT NULL,
    request_type text        NOT NULL,
    condition    text        NOT NULL,
    until        date,
    until_at     timestamptz,
    reason       text        NOT NULL DEFAULT '',
    granted_by   text        NOT NULL,
    granted_at   timestamptz NOT NULL DEFAULT now(),
    revoked_by   text        NOT NULL DEFAULT '',
    revoked_at   timestamptz,
    UNIQUE (team_id, number),
    CHECK ((until IS NULL) = (until_at IS NULL)),
    CHECK ((revoked_by = '') = (revoked_at IS NULL))
);

CREATE INDEX authority_grants_user_idx ON authority_grants (team_id, user_id) WHERE revoked_at IS NULL;

-- Everything that happened to a grant, append-only. request_number is the request a use approved.
CREATE TABLE authority_events (
    id             bigserial   PRIMARY KEY,
    grant_id       bigint      NOT NULL REFERENCES authority_grants (id) ON DELETE CASCADE,
    kind           text        NOT NULL CHECK (kind IN ('granted', 'used', 'revoked', 'expired')),
    actor          text        NOT NULL DEFAULT '',
    request_number bigint,
    at             timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX authority_events_grant_idx ON authority_events (grant_id, id);
-- A grant expires once.
CREATE UNIQUE INDEX authority_events_expired_once ON authority_events (grant_id) WHERE kind = 'expired';

-- +goose Down
DROP TABLE authority_events;
DROP TABLE authority_grants;
