-- +goose Up
-- Approval policies as loaded: a request records the version it was routed by, so its route can be
-- explained later even after the file has changed.
CREATE TABLE policy_versions (
    version   text        PRIMARY KEY,
    yaml      text        NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now()
);

-- Approval requests: R-9. values holds each field's value as typed text, keyed by field name.
CREATE TABLE requests (
    id             bigserial   PRIMARY KEY,
    team_id        text        NOT NULL,
    number         bigint      NOT NULL CHECK (number > 0),
    type           text        NOT NULL,
    "values"       jsonb       NOT NULL DEFAULT '{}',
    summary        text        NOT NULL DEFAULT '',
    requester_id   text        NOT NULL,
    channel_id     text        NOT NULL DEFAULT '',
    channel_ts     text        NOT NULL DEFAULT '',
    policy_version text        NOT NULL REFERENCES policy_versions (version),
    branch         integer     NOT NULL DEFAULT 0,
    branch_name    text        NOT NULL DEFAULT '',
    explanation    text        NOT NULL DEFAULT '',
    status         text        NOT NULL DEFAULT 'pending'
                               CHECK (status IN ('pending', 'approved', 'rejected', 'changes_requested', 'cancelled')),
    current_step   integer     NOT NULL DEFAULT 0 CHECK (current_step >= 0),
    created_at     timestamptz NOT NULL DEFAULT now(),
    decided_at     timestamptz,
    status_channel text        NOT NULL DEFAULT '',
    status_ts      text        NOT NULL DEFAULT '',
    UNIQUE (team_id, number)
);

CREATE INDEX requests_requester_idx ON requests (team_id, requester_id, created_at DESC);
CREATE INDEX requests_pending_idx ON requests (team_id) WHERE status = 'pending';

-- The steps of a request's route, as routed: real people, in order.
CREATE TABLE request_steps (
    request_id bigint  NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    idx        integer NOT NULL CHECK (idx >= 0),
    name       text    NOT NULL DEFAULT '',
    mode       text    NOT NULL CHECK (mode IN ('any', 'all')),
    approvers  text[]  NOT NULL,
    decided    boolean NOT NULL DEFAULT false,
    PRIMARY KEY (request_id, idx)
);

-- Everything that happened to a request, append-only.
CREATE TABLE approval_actions (
    id         bigserial   PRIMARY KEY,
    request_id bigint      NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    step       integer     NOT NULL DEFAULT 0,
    actor      text        NOT NULL,
    action     text        NOT NULL
                           CHECK (action IN ('submit', 'route', 'auto_approve', 'approve', 'reject', 'changes', 'cancel')),
    comment    text        NOT NULL DEFAULT '',
    at         timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX approval_actions_request_idx ON approval_actions (request_id, id);

-- Where each approver's card of a step was posted, to update it in place.
CREATE TABLE request_cards (
    request_id  bigint  NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    step        integer NOT NULL,
    approver_id text    NOT NULL,
    channel_id  text    NOT NULL,
    ts          text    NOT NULL,
    PRIMARY KEY (request_id, step, approver_id)
);

-- +goose Down
DROP TABLE request_cards;
DROP TABLE approval_actions;
DROP TABLE request_steps;
DROP TABLE requests;
DROP TABLE policy_versions;
