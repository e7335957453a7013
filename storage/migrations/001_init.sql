-- Reporters, cases and their status timeline, and the facility directory.
-- Personal data is plain text here; a later migration encrypts it.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE facilities (
    id           bigserial PRIMARY KEY,
    code         text UNIQUE,                 -- ICE DETLOC; NULL for the few without one
    name         text NOT NULL,               -- as ICE writes it, upper case
    city         text NOT NULL DEFAULT '',
    state        text NOT NULL DEFAULT '',
    field_office text NOT NULL DEFAULT '',
    type         text NOT NULL DEFAULT '',
    search_name  text NOT NULL DEFAULT '',    -- the name normalised for matching
    search       text NOT NULL DEFAULT ''     -- name, city, state and aliases, normalised
);

CREATE INDEX facilities_search_trgm ON facilities USING gin (search gin_trgm_ops);

CREATE TABLE facility_aliases (
    facility_id bigint NOT NULL REFERENCES facilities (id) ON DELETE CASCADE,
    alias       text NOT NULL,                -- as people write it: "Alligator Alcatraz"
    search      text NOT NULL DEFAULT '',     -- normalised for matching
    PRIMARY KEY (facility_id, alias)
);

CREATE TABLE reporters (
    id               bigserial PRIMARY KEY,
    telegram_user_id bigint NOT NULL UNIQUE,
    chat_id          bigint NOT NULL,
    name             text NOT NULL DEFAULT '',
    relationship     text NOT NULL DEFAULT '',
    contact          text NOT NULL DEFAULT '',
    lang             text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    active           boolean NOT NULL DEFAULT true
);

CREATE TABLE cases (
    id                bigserial PRIMARY KEY,
    code              text NOT NULL UNIQUE,
    draft_id          text NOT NULL UNIQUE,
    reporter_id       bigint NOT NULL REFERENCES reporters (id),
    lang              text NOT NULL DEFAULT '',
    consent           boolean NOT NULL DEFAULT false,
    name_latin        text NOT NULL DEFAULT '',
    name_cyrillic     text NOT NULL DEFAULT '',
    birth_date        date,
    birth_country     text NOT NULL DEFAULT '',
    citizenship       text NOT NULL DEFAULT '',
    a_number          text CHECK (a_number ~ '^[0-9]{9}$'),
    detained_on       date,
    circumstance      text NOT NULL DEFAULT '',
    circumstance_note text NOT NULL DEFAULT '',
    facility_id       bigint REFERENCES facilities (id),
    facility_text     text NOT NULL DEFAULT '',
    facility_share    boolean NOT NULL DEFAULT false,
    has_lawyer        boolean NOT NULL DEFAULT false,
    lawyer_name       text NOT NULL DEFAULT '',
    lawyer_phone      text NOT NULL DEFAULT '',
    hearing_date      date,
    appeals           text NOT NULL DEFAULT '',
    urgent            text[] NOT NULL DEFAULT '{}',
    -- The reporter as they answered in this report; reporters keeps the
    -- latest contact.
    reporter_name     text NOT NULL DEFAULT '',
    relationship      text NOT NULL DEFAULT '',
    reporter_contact  text NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX cases_reporter_id ON cases (reporter_id);
CREATE INDEX cases_facility_id ON cases (facility_id);

-- The status timeline: events are added, never changed.
CREATE TABLE case_events (
    id         bigserial PRIMARY KEY,
    case_id    bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind       text NOT NULL,                 -- status, note
    status     text NOT NULL DEFAULT '',
    note       text NOT NULL DEFAULT '',
    public     boolean NOT NULL DEFAULT false, -- visible to people with the case code
    actor      text NOT NULL DEFAULT '',       -- reporter, or who changed it
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX case_events_case_id ON case_events (case_id, id);
