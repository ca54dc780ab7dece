-- +goose Up
-- People data approval routing needs, set by admins in Slack (/baton group, /baton manager). Routing
-- lays it over the policy file's: a group named here replaces the file's group of that name, and a
-- manager set here replaces the file's.
CREATE TABLE people_groups (
    team_id    text        NOT NULL,
    group_name text        NOT NULL CHECK (group_name ~ '^[a-z0-9_-]{1,40}$'),
    user_id    text        NOT NULL,
    added_by   text        NOT NULL,
    added_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, group_name, user_id)
);

CREATE TABLE people_managers (
    team_id    text        NOT NULL,
    user_id    text        NOT NULL,
    manager_id text        NOT NULL CHECK (manager_id <> user_id),
    set_by     text        NOT NULL,
    set_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, user_id)
);

-- +goose Down
DROP TABLE people_managers;
DROP TABLE people_groups;
