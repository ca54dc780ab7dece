-- +goose Up
-- Workspace days off: every timer in Baton moves non-urgent nudges past them.
CREATE TABLE holidays (
    team_id    text        NOT NULL,
    day        date        NOT NULL,
    name       text        NOT NULL DEFAULT '',
    created_by text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, day)
);

-- A person's out-of-office: away through until_day (inclusive), in their own time zone.
CREATE TABLE out_of_office (
    team_id    text        NOT NULL,
    user_id    text        NOT NULL,
    until_day  date        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, user_id)
);

-- +goose Down
DROP TABLE out_of_office;
DROP TABLE holidays;
