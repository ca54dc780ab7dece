-- +goose Up
-- Every enqueue, reschedule and retry of a job takes a new version from this sequence. The Redis
-- index names a job by key and version, so an index entry left over from an older version is
-- recognised as stale and never fires.
CREATE SEQUENCE job_versions;

-- Scheduled jobs: the truth behind the scheduler's Redis index of due times. A row is pending
-- (waiting, or being run by a worker that holds a lease in Redis) or parked (failed too often,
-- waiting for someone to retry or drop it). A job that ran successfully is deleted.
CREATE TABLE jobs (
    key          text        PRIMARY KEY,
    team_id      text        NOT NULL,
    kind         text        NOT NULL,
    payload      bytea       NOT NULL,
    due_at       timestamptz NOT NULL,
    version      bigint      NOT NULL DEFAULT nextval('job_versions'),
    -- The version this one replaced (0 for a new job), returned by an upsert so the caller can
    -- drop the old version's index entry.
    prev_version bigint      NOT NULL DEFAULT 0,
    state        text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'parked')),
    attempts     integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error   text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX jobs_parked_idx ON jobs (team_id, updated_at) WHERE state = 'parked';

-- +goose Down
DROP TABLE jobs;
DROP SEQUENCE job_versions;
