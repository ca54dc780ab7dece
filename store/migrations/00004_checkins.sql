-- +goose Up
-- Check-ins: a question sent to some people on a schedule. The schedule is baton.Schedule as JSON,
-- read in each recipient's own time zone.
CREATE TABLE checkins (
    id          bigserial   PRIMARY KEY,
    team_id     text        NOT NULL,
    number      bigint      NOT NULL CHECK (number > 0),
    sender_id   text        NOT NULL,
    message     text        NOT NULL,
    schedule    jsonb       NOT NULL,
    task_number bigint      NOT NULL DEFAULT 0 CHECK (task_number >= 0),
    ask_reply   boolean     NOT NULL DEFAULT true,
    state       text        NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused', 'cancelled', 'finished')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (team_id, number)
);

CREATE INDEX checkins_sender_idx ON checkins (team_id, sender_id, state);

-- Who a check-in asks, with the time zone their schedule is read in; a muted recipient gets no more.
CREATE TABLE checkin_recipients (
    checkin_id bigint      NOT NULL REFERENCES checkins (id) ON DELETE CASCADE,
    user_id    text        NOT NULL,
    tz         text        NOT NULL DEFAULT 'UTC',
    muted_at   timestamptz,
    PRIMARY KEY (checkin_id, user_id)
);

-- One row per (check-in, recipient, due time): written before the DM is posted, so a job that runs
-- twice delivers once. claimed_at is the lease of the run posting it.
CREATE TABLE checkin_deliveries (
    id            bigserial   PRIMARY KEY,
    checkin_id    bigint      NOT NULL REFERENCES checkins (id) ON DELETE CASCADE,
    team_id       text        NOT NULL,
    recipient_id  text        NOT NULL,
    due_at        timestamptz NOT NULL,
    state         text        NOT NULL DEFAULT 'scheduled'
                              CHECK (state IN ('scheduled', 'delivered', 'snoozed', 'seen', 'answered')),
    claimed_at    timestamptz,
    channel_id    text        NOT NULL DEFAULT '',
    ts            text        NOT NULL DEFAULT '',
    delivered_at  timestamptz,
    seen_at       timestamptz,
    answered_at   timestamptz,
    snoozed_until timestamptz,
    answer        text        NOT NULL DEFAULT '',
    UNIQUE (checkin_id, recipient_id, due_at)
);

CREATE INDEX checkin_deliveries_message_idx ON checkin_deliveries (channel_id, ts) WHERE ts <> '';
CREATE INDEX checkin_deliveries_latest_idx ON checkin_deliveries (checkin_id, recipient_id, due_at DESC);

-- +goose Down
DROP TABLE checkin_deliveries;
DROP TABLE checkin_recipients;
DROP TABLE checkins;
