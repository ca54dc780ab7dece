-- +goose Up
-- Suggestions of authority a person's record supports, told to their manager in their digest or at
-- once. One per person and request type per 30 days; sent_at is set once it was told.
CREATE TABLE authority_suggestions (
    id           bigserial   PRIMARY KEY,
    team_id      text        NOT NULL,
    user_id      text        NOT NULL,
    manager_id   text        NOT NULL,
    request_type text        NOT NULL,
    field        text        NOT NULL,
    max_value    numeric     NOT NULL,
    evidence     text[]      NOT NULL,
    created_at   timestamptz NOT NULL,
    sent_at      timestamptz
);

CREATE INDEX authority_suggestions_person_idx ON authority_suggestions (team_id, user_id, request_type, created_at DESC);
CREATE INDEX authority_suggestions_unsent_idx ON authority_suggestions (team_id, manager_id) WHERE sent_at IS NULL;

-- Whether the workspace's managers are suggested authority, and after how many requests in a row
-- approved as filed.
ALTER TABLE team_settings ADD COLUMN suggestions_off boolean NOT NULL DEFAULT false;
ALTER TABLE team_settings ADD COLUMN suggest_after integer NOT NULL DEFAULT 10 CHECK (suggest_after BETWEEN 2 AND 100);

-- +goose Down
ALTER TABLE team_settings DROP COLUMN suggest_after;
ALTER TABLE team_settings DROP COLUMN suggestions_off;
DROP TABLE authority_suggestions;
