-- +goose Up
-- The local workspace (baton run without Slack) keeps its conversations here, so they survive a
-- restart like everything Baton records; seeded_at says its demo company was set up once.
CREATE TABLE local_workspaces (
    team_id    text        PRIMARY KEY,
    state      jsonb,
    seeded_at  timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE local_workspaces;
