-- Which update removed a member (its op, "u" and the update's id): an
-- update handled again after it failed past the removal finds the removal
-- done, not an unknown member, and still records it in the audit log and
-- gives the member's chats back to the queue.
CREATE TABLE member_removals (
    op         text NOT NULL,
    user_id    bigint NOT NULL,
    removed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (op, user_id)
);
