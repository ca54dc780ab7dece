-- +goose Up
-- A group set in Slack now edits the policy file's group of the same name instead of replacing it:
-- a row either adds a person to the group (removed = false) or takes a person of the file's list out
-- of it (removed = true). added_by and added_at say who made that change and when.
ALTER TABLE people_groups ADD COLUMN removed boolean NOT NULL DEFAULT false;

-- +goose Down
DELETE FROM people_groups WHERE removed;
ALTER TABLE people_groups DROP COLUMN removed;
