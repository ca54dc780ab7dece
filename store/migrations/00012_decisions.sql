-- +goose Up
-- Decision records: D-4. The row holds the current version; decision_versions holds every version,
-- append-only. kr_number is the number of a key result (KR-7) of the same workspace, 0 when none.
CREATE TABLE decisions (
    id                   bigserial   PRIMARY KEY,
    team_id              text        NOT NULL,
    number               bigint      NOT NULL CHECK (number > 0),
    title                text        NOT NULL,
    context              text        NOT NULL DEFAULT '',
    decision             text        NOT NULL,
    alternatives         text        NOT NULL DEFAULT '',
    status               text        NOT NULL CHECK (status IN ('proposed', 'accepted', 'rejected', 'superseded')),
    task_number          bigint      NOT NULL DEFAULT 0 CHECK (task_number >= 0),
    kr_number            bigint      NOT NULL DEFAULT 0 CHECK (kr_number >= 0),
    request_number       bigint      NOT NULL DEFAULT 0 CHECK (request_number >= 0),
    supersedes_number    bigint      NOT NULL DEFAULT 0 CHECK (supersedes_number >= 0),
    superseded_by_number bigint      NOT NULL DEFAULT 0 CHECK (superseded_by_number >= 0),
    flagged              text[]      NOT NULL DEFAULT '{}',
    author_id            text        NOT NULL,
    version              integer     NOT NULL CHECK (version > 0),
    updated_by           text        NOT NULL,
    channel_id           text        NOT NULL DEFAULT '',
    card_ts              text        NOT NULL DEFAULT '',
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    search               tsvector    GENERATED ALWAYS AS (
                             setweight(to_tsvector('english', title), 'A') ||
                             setweight(to_tsvector('english', decision), 'B') ||
                             setweight(to_tsvector('english', context), 'C')) STORED,
    UNIQUE (team_id, number)
);

CREATE INDEX decisions_search_idx ON decisions USING GIN (search);
CREATE INDEX decisions_task_idx ON decisions (team_id, task_number) WHERE task_number > 0;
CREATE INDEX decisions_kr_idx ON decisions (team_id, kr_number) WHERE kr_number > 0;
CREATE INDEX decisions_author_idx ON decisions (team_id, author_id);

CREATE TABLE decision_versions (
    id                bigserial   PRIMARY KEY,
    decision_id       bigint      NOT NULL REFERENCES decisions (id),
    team_id           text        NOT NULL,
    version           integer     NOT NULL CHECK (version > 0),
    editor_id         text        NOT NULL,
    at                timestamptz NOT NULL,
    title             text        NOT NULL,
    context           text        NOT NULL,
    decision          text        NOT NULL,
    alternatives      text        NOT NULL,
    status            text        NOT NULL,
    task_number       bigint      NOT NULL,
    kr_number         bigint      NOT NULL,
    request_number    bigint      NOT NULL,
    supersedes_number bigint      NOT NULL,
    flagged           text[]      NOT NULL,
    changed           text[]      NOT NULL,
    UNIQUE (decision_id, version)
);

-- Versions are history: once written they never change.
-- +goose StatementBegin
CREATE FUNCTION decision_versions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'decision versions are append-only: % refused', TG_OP;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER decision_versions_append_only BEFORE UPDATE OR DELETE ON decision_versions
    FOR EACH ROW EXECUTE FUNCTION decision_versions_append_only();

-- A flag puts one version of a decision in front of one person until they acknowledge it; an
-- unacknowledged flag is reminded once. A later version that no longer names the person withdraws
-- their open flags.
CREATE TABLE decision_flags (
    id              bigserial   PRIMARY KEY,
    decision_id     bigint      NOT NULL REFERENCES decisions (id),
    team_id         text        NOT NULL,
    user_id         text        NOT NULL,
    flagged_by      text        NOT NULL,
    version         integer     NOT NULL CHECK (version > 0),
    reason          text        NOT NULL DEFAULT '',
    flagged_at      timestamptz NOT NULL,
    acknowledged_at timestamptz,
    reminded_at     timestamptz,
    withdrawn_at    timestamptz,
    UNIQUE (decision_id, user_id, version)
);

CREATE INDEX decision_flags_user_idx ON decision_flags (team_id, user_id);

-- +goose Down
DROP TABLE decision_flags;
DROP TRIGGER decision_versions_append_only ON decision_versions;
DROP FUNCTION decision_versions_append_only();
DROP TABLE decision_versions;
DROP TABLE decisions;
