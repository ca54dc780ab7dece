-- +goose Up
-- Each card's permalink, resolved once when the card is posted and kept with it, so a dashboard can
-- lead to every card it lists without asking Slack again. '' until it is known.
ALTER TABLE tasks ADD COLUMN card_link text NOT NULL DEFAULT '';
ALTER TABLE decisions ADD COLUMN card_link text NOT NULL DEFAULT '';
ALTER TABLE request_cards ADD COLUMN link text NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN status_link text NOT NULL DEFAULT '';
-- When the delegator last asked the owner for an update, at most once a day per task.
ALTER TABLE tasks ADD COLUMN update_asked_at timestamptz;

-- +goose Down
ALTER TABLE tasks DROP COLUMN update_asked_at;
ALTER TABLE requests DROP COLUMN status_link;
ALTER TABLE request_cards DROP COLUMN link;
ALTER TABLE decisions DROP COLUMN card_link;
ALTER TABLE tasks DROP COLUMN card_link;
