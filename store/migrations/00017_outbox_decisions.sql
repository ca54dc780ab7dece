-- +goose Up
-- The outbox carries what a decision's new version owes too: its card, the replies in its thread and
-- its task's, the card of the decision it supersedes, and the direct messages to the people it flags.
ALTER TABLE outbox
    ALTER COLUMN task_id DROP NOT NULL,
    ALTER COLUMN event_id DROP NOT NULL,
    ADD COLUMN decision_id bigint REFERENCES decisions (id) ON DELETE CASCADE,
    ADD COLUMN ref         bigint NOT NULL DEFAULT 0,
    ADD CONSTRAINT outbox_about_one CHECK ((task_id IS NULL) <> (decision_id IS NULL));

-- +goose Down
DELETE FROM outbox WHERE task_id IS NULL;
ALTER TABLE outbox
    DROP CONSTRAINT outbox_about_one,
    DROP COLUMN ref,
    DROP COLUMN decision_id,
    ALTER COLUMN event_id SET NOT NULL,
    ALTER COLUMN task_id SET NOT NULL;
