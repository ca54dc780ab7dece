-- +goose Up
-- The outbox: the messages a change owes (a task's card, its thread reply, the direct messages to the
-- people involved) are written in the change's own transaction and sent afterwards, so a process that
-- dies after the commit leaves them for another to send. Messages queue in lanes (the channel of the
-- card they belong to), sent one lane at a time by the one process that holds the lane's claim, in
-- the order they were written.
CREATE TABLE outbox_lanes (
    team_id     text        NOT NULL,
    lane        text        NOT NULL,
    claim       text        NOT NULL DEFAULT '',
    lease_until timestamptz NOT NULL DEFAULT '-infinity',
    -- taken_over: the lane was taken from a process whose lease ran out, and its next post may
    -- have gone out already; it stays set until the holder has dealt with that post.
    taken_over  boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (team_id, lane)
);

CREATE TABLE outbox (
    id         bigserial   PRIMARY KEY,
    team_id    text        NOT NULL,
    lane       text        NOT NULL,
    kind       text        NOT NULL,
    task_id    bigint      NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    event_id   bigint      NOT NULL REFERENCES task_events (id) ON DELETE CASCADE,
    recipient  text        NOT NULL DEFAULT '',
    attempts   integer     NOT NULL DEFAULT 0,
    last_error text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX outbox_lane_idx ON outbox (team_id, lane, id);

-- +goose Down
DROP TABLE outbox;
DROP TABLE outbox_lanes;
