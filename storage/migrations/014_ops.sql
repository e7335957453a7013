-- Which update made a change that is not idempotent by itself, so that the
-- update, handled again after it failed past the change (its audit entry
-- not written, say), finds the change its own and finishes what follows
-- instead of being refused ("not a member", "merged already").

-- The update that removed a member (its op, "u" and the update's id).
CREATE TABLE member_removals (
    op         text NOT NULL,
    user_id    bigint NOT NULL,
    removed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (op, user_id)
);

-- The update that merged the case into merged_into.
ALTER TABLE cases ADD COLUMN merge_op text;
