-- The casework timers' messages (an untaken case sent again to the
-- coordinators, a reminder of a date) are claimed for a while, put in the
-- outbox, and only then marked done. A process that dies in between leaves
-- its claim to expire, and the next tick sends the message: at least once,
-- never lost.

ALTER TABLE cases
    -- Escalation number escalations+1 is being sent until then.
    ADD COLUMN escalation_claim timestamptz;

ALTER TABLE case_reminders
    -- NULL while the reminder is claimed and not yet in the outbox.
    ALTER COLUMN sent_at DROP NOT NULL,
    ALTER COLUMN sent_at DROP DEFAULT,
    ADD COLUMN claimed_until timestamptz;
