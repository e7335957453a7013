-- Tools for working a case (issue 12, points 6 and 7): possible duplicates
-- and merges, a blind index of the detainee's name, the relayed
-- conversation kept with the case, and cases a volunteer filed for a
-- caller who phoned.

-- A new report of a detainee already in an open case (same A-number, or
-- same name and birth date) is linked to that case until a volunteer
-- merges them. reason: a_number, name_birth.
CREATE TABLE case_duplicates (
    case_id    bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE, -- the newer report
    dup_of     bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE, -- the open case it matches
    reason     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, dup_of)
);

CREATE INDEX case_duplicates_dup_of ON case_duplicates (dup_of);

-- A merged case lives on in the case it was merged into: its code still
-- opens that case, its reporter is told of that case's public changes.
ALTER TABLE cases ADD COLUMN merged_into bigint REFERENCES cases (id);
CREATE INDEX cases_merged_into ON cases (merged_into) WHERE merged_into IS NOT NULL;

-- The volunteer (Telegram user id) who filed the case for a caller who
-- phoned the hotline (/newcase); NULL for a report from the reporter.
ALTER TABLE cases ADD COLUMN filed_by bigint;

-- Blind index of the detainee's name: kind n is one normalised name token
-- (Latin, or Cyrillic transliterated), kind p the whole name with the birth
-- date, for duplicates. token is version | key id | HMAC-SHA256, as the
-- A-number's index: no name is stored in clear.
CREATE TABLE case_name_index (
    case_id bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind    char(1) NOT NULL CHECK (kind IN ('n', 'p')),
    token   bytea NOT NULL CHECK (is_sealed(token)),
    PRIMARY KEY (case_id, kind, token)
);

CREATE INDEX case_name_index_token ON case_name_index (token);

-- The relayed conversation between the hotline and the reporter, kept with
-- the case so that the next volunteer reads it. body is the text or the
-- caption, sealed like the report's free text; kind says what was sent
-- (text, photo, voice, document, …).
CREATE TABLE case_messages (
    id             bigserial PRIMARY KEY,
    case_id        bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    from_volunteer boolean NOT NULL,
    volunteer_id   bigint NOT NULL DEFAULT 0,
    kind           text NOT NULL,
    body           bytea CHECK (is_sealed(body)),
    -- The same update relayed twice (a retry) is kept once.
    idem_key       text UNIQUE,
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX case_messages_case ON case_messages (case_id, id);

-- An event moved into another case by a merge remembers the case it came
-- from, so that erasing that case's personal data (/forget, the retention
-- purge) still finds its internal notes.
ALTER TABLE case_events ADD COLUMN from_case bigint;
