-- Case status for friends and families: the details of a status change, an
-- idempotency key on timeline events, and subscriptions to a case's changes.

-- A transfer names the new facility; a scheduled deportation may have a date.
ALTER TABLE case_events ADD COLUMN facility_id bigint REFERENCES facilities (id);
ALTER TABLE case_events ADD COLUMN event_date date;
-- Handling one update twice (a retry after a failure) records its event
-- once: the second insert finds the key taken.
ALTER TABLE case_events ADD COLUMN idem_key text;
CREATE UNIQUE INDEX case_events_idem_key ON case_events (idem_key);

-- Chats told of a case's public changes, in the language they chose. The
-- reporter is told without a row here.
CREATE TABLE subscriptions (
    case_id    bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    chat_id    bigint NOT NULL,
    lang       text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, chat_id)
);

CREATE INDEX subscriptions_chat_id ON subscriptions (chat_id);

-- Volunteers find cases by A-number.
CREATE INDEX cases_a_number ON cases (a_number) WHERE a_number IS NOT NULL;
