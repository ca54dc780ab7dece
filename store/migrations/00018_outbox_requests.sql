-- +goose Up
-- The outbox carries what an approval request owes too: the requester's status card, the note in
-- its channel, the approvers' cards and the step timers, and the word on how it ended.
ALTER TABLE outbox
    DROP CONSTRAINT outbox_about_one,
    ADD COLUMN request_id bigint REFERENCES requests (id) ON DELETE CASCADE,
    ADD CONSTRAINT outbox_about_one CHECK (num_nonnulls(task_id, decision_id, request_id) = 1);

-- +goose Down
DELETE FROM outbox WHERE request_id IS NOT NULL;
ALTER TABLE outbox
    DROP CONSTRAINT outbox_about_one,
    DROP COLUMN request_id,
    ADD CONSTRAINT outbox_about_one CHECK ((task_id IS NULL) <> (decision_id IS NULL));
