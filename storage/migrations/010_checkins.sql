-- Check-in safety (issue 15): a person registers an upcoming ICE check-in;
-- reminders before it, "are you out?" after it, and an alarm when they stay
-- silent. The person's name, A-number and the contacts' phones are sealed
-- by the application (storage/keys.go) like the cases' personal fields.

CREATE TABLE checkins (
    id          bigserial PRIMARY KEY,
    -- Makes registering idempotent: an update handled twice stores one row.
    draft_id    text NOT NULL UNIQUE,
    chat_id     bigint NOT NULL,              -- the registrant's chat, asked "are you out?"
    user_id     bigint NOT NULL,              -- the registrant's Telegram user id
    lang        text NOT NULL DEFAULT '',
    office_code text NOT NULL DEFAULT '',     -- a field office of storage/data; '' when typed
    office_text bytea,                        -- a sub-office as typed, sealed: it can say where someone lives
    office_state text NOT NULL DEFAULT '',    -- two letters
    zone        text NOT NULL,                -- IANA time zone of the office
    starts_at   timestamptz NOT NULL,         -- UTC
    ends_at     timestamptz NOT NULL,         -- the expected end, UTC
    name        bytea,                        -- sealed
    a_number    bytea,                        -- sealed
    status      text NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'out', 'alarm', 'out_after_alarm', 'cancelled', 'moved')),
    case_id     bigint REFERENCES cases (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    closed_at   timestamptz,                  -- out, cancelled or moved; the retention purge counts from it
    erased_at   timestamptz,
    CONSTRAINT checkins_personal_sealed CHECK (
        (name IS NULL OR get_byte(name, 0) = 1) AND (a_number IS NULL OR get_byte(a_number, 0) = 1)
        AND (office_text IS NULL OR get_byte(office_text, 0) = 1))
);

-- One active check-in per registrant at a time.
CREATE UNIQUE INDEX checkins_one_active ON checkins (user_id) WHERE status = 'active';
CREATE INDEX checkins_case ON checkins (case_id) WHERE case_id IS NOT NULL;

-- Trusted contacts: a Telegram user who opened the bot's link and agreed,
-- or a phone number for the volunteers to call.
CREATE TABLE checkin_contacts (
    id          bigserial PRIMARY KEY,
    checkin_id  bigint NOT NULL REFERENCES checkins (id) ON DELETE CASCADE,
    token       text UNIQUE,                  -- the link's ?start=t_<token>; NULL for a phone
    phone       bytea,                        -- sealed; NULL for a Telegram contact
    chat_id     bigint,                       -- set when the contact agreed
    lang        text NOT NULL DEFAULT '',
    accepted_at timestamptz,
    declined_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT checkin_contacts_kind CHECK (token IS NULL OR phone IS NULL),
    CONSTRAINT checkin_contacts_phone_sealed CHECK (phone IS NULL OR get_byte(phone, 0) = 1)
);

CREATE INDEX checkin_contacts_checkin ON checkin_contacts (checkin_id);

-- The timers of a check-in: each fires once, whichever replica ticks and
-- however often the bot restarts. A replica claims a due timer for a short
-- lease (claimed_until), hands its messages to the outbox, then sets
-- fired_at; a replica that dies in between leaves the lease to run out, and
-- another fires the timer. One row per kind and check-in.
CREATE TABLE checkin_timers (
    id            bigserial PRIMARY KEY,
    checkin_id    bigint NOT NULL REFERENCES checkins (id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('day', 'soon', 'ask', 'ask2', 'alarm')),
    due_at        timestamptz NOT NULL,
    claimed_until timestamptz,
    fired_at      timestamptz,
    cancelled     boolean NOT NULL DEFAULT false,
    UNIQUE (checkin_id, kind)
);

CREATE INDEX checkin_timers_due ON checkin_timers (due_at) WHERE fired_at IS NULL;
