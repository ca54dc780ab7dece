-- +goose Up
-- Objectives: goals for a period, any depth of parents within one workspace. (team_id, id) is unique so
-- that every link below can say "same workspace" in its foreign key.
CREATE TABLE objectives (
    id         bigserial   PRIMARY KEY,
    team_id    text        NOT NULL,
    number     bigint      NOT NULL CHECK (number > 0),
    title      text        NOT NULL,
    owner_id   text        NOT NULL,
    period     text        NOT NULL,
    parent_id  bigint,
    status     text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'achieved', 'dropped')),
    created_by text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (team_id, number),
    UNIQUE (team_id, id),
    CHECK (parent_id <> id),
    FOREIGN KEY (team_id, parent_id) REFERENCES objectives (team_id, id)
);

CREATE INDEX objectives_period_idx ON objectives (team_id, period);
CREATE INDEX objectives_owner_idx ON objectives (team_id, owner_id);

-- Key results: a metric moving from start to target, or a roll-up of the tasks linked to it.
-- checked_at is when its value last moved (its latest check-in, or its creation).
CREATE TABLE key_results (
    id            bigserial        PRIMARY KEY,
    team_id       text             NOT NULL,
    number        bigint           NOT NULL CHECK (number > 0),
    objective_id  bigint           NOT NULL,
    title         text             NOT NULL,
    owner_id      text             NOT NULL,
    kind          text             NOT NULL CHECK (kind IN ('metric', 'rollup')),
    weight        double precision NOT NULL DEFAULT 1 CHECK (weight > 0),
    start_value   double precision NOT NULL DEFAULT 0,
    target_value  double precision NOT NULL DEFAULT 0,
    current_value double precision NOT NULL DEFAULT 0,
    unit          text             NOT NULL DEFAULT '',
    created_by    text             NOT NULL,
    created_at    timestamptz      NOT NULL DEFAULT now(),
    updated_at    timestamptz      NOT NULL DEFAULT now(),
    checked_at    timestamptz      NOT NULL DEFAULT now(),
    UNIQUE (team_id, number),
    UNIQUE (team_id, id),
    CHECK (kind = 'rollup' OR target_value <> start_value),
    FOREIGN KEY (team_id, objective_id) REFERENCES objectives (team_id, id)
);

CREATE INDEX key_results_objective_idx ON key_results (objective_id);
CREATE INDEX key_results_owner_idx ON key_results (team_id, owner_id);

-- Check-ins of key results: the values people reported, append-only.
CREATE TABLE kr_checkins (
    id       bigserial        PRIMARY KEY,
    kr_id    bigint           NOT NULL REFERENCES key_results (id),
    team_id  text             NOT NULL,
    value    double precision NOT NULL,
    comment  text             NOT NULL DEFAULT '',
    actor_id text             NOT NULL,
    at       timestamptz      NOT NULL DEFAULT now()
);

CREATE INDEX kr_checkins_kr_idx ON kr_checkins (kr_id, id);

-- A task may serve one key result of its own workspace; kr_weight is how much it counts in a roll-up.
ALTER TABLE tasks
    ADD COLUMN kr_id bigint,
    ADD COLUMN kr_weight double precision NOT NULL DEFAULT 1 CHECK (kr_weight > 0),
    ADD FOREIGN KEY (team_id, kr_id) REFERENCES key_results (team_id, id);

CREATE INDEX tasks_kr_idx ON tasks (kr_id, status) WHERE kr_id IS NOT NULL;

-- How many days a key result may go without a check-in before its owner is reminded.
ALTER TABLE team_settings ADD COLUMN okr_reminder_days integer NOT NULL DEFAULT 7 CHECK (okr_reminder_days BETWEEN 1 AND 90);

-- +goose Down
ALTER TABLE team_settings DROP COLUMN okr_reminder_days;
DROP INDEX tasks_kr_idx;
ALTER TABLE tasks DROP COLUMN kr_weight, DROP COLUMN kr_id;
DROP TABLE kr_checkins;
DROP TABLE key_results;
DROP TABLE objectives;
