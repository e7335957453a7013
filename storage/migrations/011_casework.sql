-- Casework (issue 12): every case has at most one owner, the dates that
-- matter, the reporter's latest news of where the person is, and what the
-- timers have done for it. Dates are kept in clear like the report's
-- hearing date; a typed place is sealed.

ALTER TABLE cases
    -- The volunteer (Telegram user id) who works the case; NULL: nobody.
    ADD COLUMN owner_id bigint,
    -- The first take: report-to-taken times for /stats, and the update that
    -- made it, so that handling that update again tells the reporter again
    -- (the first telling was never committed) and no other take does.
    ADD COLUMN taken_at timestamptz,
    ADD COLUMN first_take_op text,
    -- The update that made the current owner: handled again, it is told it took the case.
    ADD COLUMN owner_op text,
    -- A hand-over offered by the owner, waiting for the colleague to accept.
    ADD COLUMN handover_to bigint,
    -- How many times the untaken case was sent again to the coordinators.
    ADD COLUMN escalations integer NOT NULL DEFAULT 0,
    -- Dates that matter; the next hearing is hearing_date (from the report).
    ADD COLUMN deportation_date date,
    ADD COLUMN checkin_date date,
    -- Where the reporter says the person was moved, and when they said it:
    -- newer than the latest transfer a volunteer recorded, it is the
    -- facility the case shows. A place typed rather than picked from the
    -- directory is sealed like the report's facility text.
    ADD COLUMN moved_facility_id bigint REFERENCES facilities (id),
    ADD COLUMN moved_facility_text bytea CONSTRAINT cases_moved_facility_sealed CHECK (is_sealed(moved_facility_text)),
    ADD COLUMN moved_at timestamptz;

CREATE INDEX cases_owner ON cases (owner_id) WHERE owner_id IS NOT NULL;
CREATE INDEX cases_untaken ON cases (id) WHERE owner_id IS NULL;

-- A reminder of a date, sent once: the row is the claim, so that replicas
-- ticking at once send it once. A changed date is a new row.
CREATE TABLE case_reminders (
    case_id bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    field   text NOT NULL,      -- hearing, deportation, checkin
    on_date date NOT NULL,
    days    integer NOT NULL,   -- 3 or 1 days before
    sent_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, field, on_date, days)
);
