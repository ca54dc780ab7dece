-- +goose Up
-- A workspace's working week and deadline reminders; without a row the defaults apply
-- (Mon–Fri 09:00–18:00; reminders 24 h and 2 h before a deadline).
CREATE TABLE team_settings (
    team_id    text        PRIMARY KEY,
    work_days  smallint    NOT NULL DEFAULT 62 CHECK (work_days BETWEEN 1 AND 127), -- bit d set: time.Weekday d is a working day
    work_start text        NOT NULL DEFAULT '09:00',
    work_end   text        NOT NULL DEFAULT '18:00',
    reminders  text        NOT NULL DEFAULT '24h,2h',
    updated_by text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- How a person hears about stage changes and stale tasks: at once (no row) or in a daily digest.
CREATE TABLE person_settings (
    team_id      text    NOT NULL,
    user_id      text    NOT NULL,
    digest_daily boolean NOT NULL DEFAULT false,
    digest_at    text    NOT NULL DEFAULT '09:00',
    PRIMARY KEY (team_id, user_id)
);

-- Signals waiting for their reader's next digest. Append-only until sent.
CREATE TABLE digest_items (
    id         bigserial   PRIMARY KEY,
    team_id    text        NOT NULL,
    user_id    text        NOT NULL,
    task_id    bigint      NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    line       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz
);
CREATE INDEX digest_items_pending ON digest_items (team_id, user_id, id) WHERE sent_at IS NULL;

-- +goose Down
DROP TABLE digest_items;
DROP TABLE person_settings;
DROP TABLE team_settings;
