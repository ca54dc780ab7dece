-- +goose Up
-- Reminders and escalation of approval steps. Each step keeps the timers it was routed with, so a
-- policy change does not move the timers of requests already filed. escalated_to lists the people an
-- escalation added to the step's approvers; any one of them can decide the step alone.
ALTER TABLE request_steps
    ADD COLUMN remind_after_s   bigint NOT NULL DEFAULT 0 CHECK (remind_after_s >= 0),
    ADD COLUMN escalate_after_s bigint NOT NULL DEFAULT 0 CHECK (escalate_after_s >= 0),
    ADD COLUMN escalate_to      text[] NOT NULL DEFAULT '{}',
    ADD COLUMN escalated_to     text[] NOT NULL DEFAULT '{}';

-- Baton's own reminders and escalations are part of a request's trail.
ALTER TABLE approval_actions DROP CONSTRAINT approval_actions_action_check;
ALTER TABLE approval_actions ADD CONSTRAINT approval_actions_action_check
    CHECK (action IN ('submit', 'route', 'auto_approve', 'approve', 'reject', 'changes', 'cancel', 'remind', 'escalate'));

-- +goose Down
DELETE FROM approval_actions WHERE action IN ('remind', 'escalate');
ALTER TABLE approval_actions DROP CONSTRAINT approval_actions_action_check;
ALTER TABLE approval_actions ADD CONSTRAINT approval_actions_action_check
    CHECK (action IN ('submit', 'route', 'auto_approve', 'approve', 'reject', 'changes', 'cancel'));
ALTER TABLE request_steps
    DROP COLUMN escalated_to,
    DROP COLUMN escalate_to,
    DROP COLUMN escalate_after_s,
    DROP COLUMN remind_after_s;
