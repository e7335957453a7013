-- The team's forum (HOTLINE_FORUM_CHAT): a topic per case in a supergroup.
-- Which thread is a case's topic, and which message its pinned card, are
-- Telegram's answers to the calls that made them; they are kept here, so
-- that a restart neither makes a second topic nor posts a second card.

CREATE TABLE forum_topics (
    case_id    bigint PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    chat_id    bigint NOT NULL,
    thread_id  integer NOT NULL,
    card_id    integer NOT NULL DEFAULT 0,  -- the card's message; 0 before it is posted
    pinned     boolean NOT NULL DEFAULT false,
    closed     boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX forum_topics_thread ON forum_topics (chat_id, thread_id);

-- A reporter the team talks with in their case's topic: what they write to
-- the bot goes there.
CREATE TABLE forum_talks (
    chat_id bigint PRIMARY KEY,
    case_id bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    since   timestamptz NOT NULL DEFAULT now()
);

-- Users who are not members and wrote in the group: admins are told once.
CREATE TABLE forum_strangers (
    user_id bigint PRIMARY KEY,
    seen_at timestamptz NOT NULL DEFAULT now()
);

-- Messages the bot keeps up to date in the group (the summary): posted
-- once, then edited.
CREATE TABLE forum_messages (
    chat_id    bigint NOT NULL,
    name       text NOT NULL,
    message_id integer NOT NULL,
    digest     text NOT NULL DEFAULT '',
    PRIMARY KEY (chat_id, name)
);

-- Invite links the bot made for members to join the group, revoked when the
-- member is taken out of the hotline.
CREATE TABLE forum_invites (
    user_id    bigint NOT NULL,
    link       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, link)
);
