-- +goose Up
CREATE TABLE team_counters (
    team_id text   NOT NULL,
    kind    text   NOT NULL,
    last    bigint NOT NULL,
    PRIMARY KEY (team_id, kind)
);

CREATE TABLE tasks (
    id                bigserial   PRIMARY KEY,
    team_id           text        NOT NULL,
    number            bigint      NOT NULL CHECK (number > 0),
    title             text        NOT NULL,
    description       text        NOT NULL DEFAULT '',
    owner_id          text        NOT NULL,
    delegator_id      text        NOT NULL DEFAULT '',
    status            text        NOT NULL CHECK (status IN ('todo', 'in_progress', 'in_review', 'blocked', 'done')),
    blocked_reason    text        NOT NULL DEFAULT '',
    due_date          date,
    due_time          text        NOT NULL DEFAULT '',
    due_at            timestamptz,
    due_has_time      boolean     NOT NULL DEFAULT false,
    channel_id        text        NOT NULL DEFAULT '',
    card_ts           text        NOT NULL DEFAULT '',
    source_channel_id text        NOT NULL DEFAULT '',
    source_ts         text        NOT NULL DEFAULT '',
    source_link       text        NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (team_id, number),
    CHECK ((due_date IS NULL) = (due_at IS NULL))
);

CREATE INDEX tasks_owner_status_idx ON tasks (team_id, owner_id, status);
CREATE INDEX tasks_delegator_status_idx ON tasks (team_id, delegator_id, status);
CREATE INDEX tasks_open_due_idx ON tasks (team_id, due_at) WHERE status <> 'done' AND due_at IS NOT NULL;

CREATE TABLE task_events (
    id         bigserial   PRIMARY KEY,
    task_id    bigint      NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    team_id    text        NOT NULL,
    kind       text        NOT NULL,
    actor_id   text        NOT NULL DEFAULT '',
    from_value text        NOT NULL DEFAULT '',
    to_value   text        NOT NULL DEFAULT '',
    note       text        NOT NULL DEFAULT '',
    at         timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX task_events_task_idx ON task_events (task_id, id);

CREATE TABLE deliveries (
    key     text        PRIMARY KEY,
    seen_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX deliveries_seen_at_idx ON deliveries (seen_at);

-- +goose Down
DROP TABLE deliveries;
DROP TABLE task_events;
DROP TABLE tasks;
DROP TABLE team_counters;
