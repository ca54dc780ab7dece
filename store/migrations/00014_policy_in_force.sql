-- +goose Up
-- Which approval policy version was put in force last, by any bot process: a start or a reload
-- takes the next number, and every process follows the highest.
CREATE SEQUENCE policy_in_force_seq;
ALTER TABLE policy_versions ADD COLUMN in_force_seq bigint NOT NULL DEFAULT nextval('policy_in_force_seq');

-- +goose Down
ALTER TABLE policy_versions DROP COLUMN in_force_seq;
DROP SEQUENCE policy_in_force_seq;
