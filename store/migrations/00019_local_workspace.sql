-- +goose Up
-- The local workspace (baton run without Slack) keeps its conversations here (as the server's own
-- JSON, kept byte for byte), so they survive a restart like everything Baton records; seeded_at says its demo company was set up once, and
-- clock_ahead_us how far its clock was moved ahead of the real one.
CREATE TABLE local_workspaces (
    team_id        text        PRIMARY KEY,
    state          bytea,
    seeded_at      timestamptz,
    clock_ahead_us bigint      NOT NULL DEFAULT 0 CHECK (clock_ahead_us >= 0),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Decision versions stay append-only, except for the one transaction that deletes a whole team
-- (store.ResetTeam), which says so in baton.reset_team.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION decision_versions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('baton.reset_team', true) = OLD.team_id THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'decision versions are append-only: % refused', TG_OP;
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION decision_versions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'decision versions are append-only: % refused', TG_OP;
END;
$$;
-- +goose StatementEnd
DROP TABLE local_workspaces;
