-- The volunteer handoff: the hotline's members, their one-time invites, and
-- the history of handoffs (who took which chat, when, how long the user
-- waited, the linked case — never what was written). The live queue and
-- pairings are in Redis.

-- role: 1 volunteer, 2 coordinator, 3 admin. 0 is an admin from
-- HOTLINE_ADMINS, whose row keeps only preferences: taking them out of the
-- configuration takes their role away.
CREATE TABLE volunteers (
    user_id      bigint PRIMARY KEY,
    role         smallint NOT NULL CHECK (role BETWEEN 0 AND 3),
    display_name text NOT NULL DEFAULT '',   -- what users are told; never the Telegram name
    lang         text NOT NULL DEFAULT '',   -- of their Telegram, as last seen
    on_duty      boolean NOT NULL DEFAULT false,
    added_by     bigint NOT NULL DEFAULT 0,  -- 0: the command line
    added_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX volunteers_on_duty ON volunteers (user_id) WHERE on_duty;

-- The token is only in the link; its hash finds the invite.
CREATE TABLE volunteer_invites (
    token_hash text PRIMARY KEY,
    role       smallint NOT NULL CHECK (role BETWEEN 1 AND 3),
    created_by bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_by    bigint,
    used_at    timestamptz
);

-- One row per volunteer's turn with a chat: a chat released or returned to
-- the queue and taken again has a row per volunteer.
CREATE TABLE handoffs (
    id           text PRIMARY KEY,
    chat_id      bigint NOT NULL,
    ticket       bigint NOT NULL,
    volunteer_id bigint NOT NULL,
    case_id      bigint REFERENCES cases (id) ON DELETE SET NULL,
    urgent       boolean NOT NULL DEFAULT false,
    lang         text NOT NULL DEFAULT '',
    queued_at    timestamptz NOT NULL,        -- when the chat last entered the queue
    taken_at     timestamptz NOT NULL,
    wait_seconds integer NOT NULL,
    closed_at    timestamptz,
    outcome      text,                        -- done, user_ended, user_blocked, released, silent, volunteer_blocked, removed
    rating       smallint CHECK (rating BETWEEN 1 AND 5)
);

CREATE INDEX handoffs_taken_at ON handoffs (taken_at);
CREATE INDEX handoffs_closed_at ON handoffs (closed_at);
