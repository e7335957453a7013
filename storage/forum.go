package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"hotline/flows"
)

var _ flows.Forum = (*Forum)(nil)

// Forum keeps the team forum's topics, talks and strangers (forum_*
// tables).
type Forum struct {
	db   *sqlx.DB
	chat int64
}

// NewForum returns the store of the forum group chat.
func NewForum(db *sqlx.DB, chat int64) *Forum { return &Forum{db: db, chat: chat} }

// TopicState is what is known of a case's topic.
type TopicState struct {
	CaseID int64 `db:"case_id"`
	Thread int   `db:"thread_id"`
	Card   int   `db:"card_id"`
	Pinned bool  `db:"pinned"`
	Closed bool  `db:"closed"`
}

// Topic returns the topic of the case with this code, or flows.ErrNotFound
// (no topic yet, or no such case: the case id is then 0).
func (f *Forum) Topic(ctx context.Context, code string) (TopicState, error) {
	var t TopicState
	err := f.db.GetContext(ctx, &t, `
		SELECT c.id AS case_id, coalesce(t.thread_id, 0) AS thread_id, coalesce(t.card_id, 0) AS card_id,
		       coalesce(t.pinned, false) AS pinned, coalesce(t.closed, false) AS closed
		FROM cases c LEFT JOIN forum_topics t ON t.case_id = c.id AND t.chat_id = $2
		WHERE c.code = $1`, code, f.chat)
	if errors.Is(err, sql.ErrNoRows) {
		return t, flows.ErrNotFound
	}
	if err != nil {
		return t, fmt.Errorf("topic of a case: %w", err)
	}
	if t.Thread == 0 {
		return t, flows.ErrNotFound
	}
	return t, nil
}

// Created records the case's topic. A topic recorded already stays: false
// then, and the new one is surplus.
func (f *Forum) Created(ctx context.Context, caseID int64, thread int) (bool, error) {
	res, err := f.db.ExecContext(ctx, `
		INSERT INTO forum_topics (case_id, chat_id, thread_id) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, caseID, f.chat, thread)
	if err != nil {
		return false, fmt.Errorf("record topic of case %d: %w", caseID, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Gone forgets a case's topic (deleted by hand): the next call into it
// makes a new one.
func (f *Forum) Gone(ctx context.Context, caseID int64, thread int) error {
	_, err := f.db.ExecContext(ctx, `DELETE FROM forum_topics WHERE case_id = $1 AND thread_id = $2`, caseID, thread)
	if err != nil {
		return fmt.Errorf("forget topic of case %d: %w", caseID, err)
	}
	return nil
}

// CardPosted records the message of the case's card.
func (f *Forum) CardPosted(ctx context.Context, caseID int64, messageID int) error {
	_, err := f.db.ExecContext(ctx, `UPDATE forum_topics SET card_id = $2 WHERE case_id = $1`, caseID, messageID)
	if err != nil {
		return fmt.Errorf("record card of case %d: %w", caseID, err)
	}
	return nil
}

// Pinned records that the case's card is pinned.
func (f *Forum) Pinned(ctx context.Context, caseID int64) error {
	_, err := f.db.ExecContext(ctx, `UPDATE forum_topics SET pinned = true WHERE case_id = $1`, caseID)
	if err != nil {
		return fmt.Errorf("record pin of case %d: %w", caseID, err)
	}
	return nil
}

// SetClosed records whether the case's topic is closed.
func (f *Forum) SetClosed(ctx context.Context, caseID int64, closed bool) error {
	_, err := f.db.ExecContext(ctx, `UPDATE forum_topics SET closed = $2 WHERE case_id = $1`, caseID, closed)
	if err != nil {
		return fmt.Errorf("record topic of case %d closed: %w", caseID, err)
	}
	return nil
}

// Message returns a message the bot keeps up to date in the group and the
// digest of what it says; 0 when not posted.
func (f *Forum) Message(ctx context.Context, name string) (int, string, error) {
	var m struct {
		ID     int    `db:"message_id"`
		Digest string `db:"digest"`
	}
	err := f.db.GetContext(ctx, &m, `SELECT message_id, digest FROM forum_messages WHERE chat_id = $1 AND name = $2`, f.chat, name)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("forum message %s: %w", name, err)
	}
	return m.ID, m.Digest, nil
}

// SetMessage records a message the bot keeps up to date and its digest.
func (f *Forum) SetMessage(ctx context.Context, name string, id int, digest string) error {
	_, err := f.db.ExecContext(ctx, `
		INSERT INTO forum_messages (chat_id, name, message_id, digest) VALUES ($1, $2, $3, $4)
		ON CONFLICT (chat_id, name) DO UPDATE SET message_id = $3, digest = $4`, f.chat, name, id, digest)
	if err != nil {
		return fmt.Errorf("record forum message %s: %w", name, err)
	}
	return nil
}

// CaseOfThread implements flows.Forum.
func (f *Forum) CaseOfThread(ctx context.Context, thread int) (string, error) {
	var code string
	err := f.db.GetContext(ctx, &code, `
		SELECT c.code FROM forum_topics t JOIN cases c ON c.id = t.case_id
		WHERE t.chat_id = $1 AND t.thread_id = $2`, f.chat, thread)
	if errors.Is(err, sql.ErrNoRows) {
		return "", flows.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("case of topic %d: %w", thread, err)
	}
	return code, nil
}

// ErasedTopics returns the codes of cases erased before before whose
// topics from before the erasure are still recorded, at most 100: the
// deletion that erasing them queued was lost (the bot stopped between the
// erasure and its outbox; /forget handled again after a failure past the
// erasure finds no cases of the user's to delete). A topic made after the
// erasure, for the team's later work on the case, is not one of them.
func (f *Forum) ErasedTopics(ctx context.Context, before time.Time) ([]string, error) {
	var codes []string
	err := f.db.SelectContext(ctx, &codes, `
		SELECT c.code FROM forum_topics t JOIN cases c ON c.id = t.case_id
		WHERE t.chat_id = $1 AND c.erased_at < $2 AND t.created_at <= c.erased_at
		ORDER BY c.erased_at LIMIT 100`, f.chat, before)
	if err != nil {
		return nil, fmt.Errorf("topics of erased cases: %w", scrub(err))
	}
	return codes, nil
}

// Talking implements flows.Forum.
func (f *Forum) Talking(ctx context.Context, chatID int64) (string, error) {
	var code string
	err := f.db.GetContext(ctx, &code, `
		SELECT c.code FROM forum_talks t JOIN cases c ON c.id = t.case_id WHERE t.chat_id = $1`, chatID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", flows.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("talk of chat %d: %w", chatID, err)
	}
	return code, nil
}

// Talk implements flows.Forum.
func (f *Forum) Talk(ctx context.Context, chatID int64, code string) error {
	_, err := f.db.ExecContext(ctx, `
		INSERT INTO forum_talks (chat_id, case_id) SELECT $1, id FROM cases WHERE code = $2
		ON CONFLICT (chat_id) DO UPDATE SET case_id = excluded.case_id, since = now()`, chatID, code)
	if err != nil {
		return fmt.Errorf("talk of chat %d: %w", chatID, err)
	}
	return nil
}

// EndTalk implements flows.Forum.
func (f *Forum) EndTalk(ctx context.Context, chatID int64) (bool, error) {
	res, err := f.db.ExecContext(ctx, `DELETE FROM forum_talks WHERE chat_id = $1`, chatID)
	if err != nil {
		return false, fmt.Errorf("end talk of chat %d: %w", chatID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Stranger implements flows.Forum.
func (f *Forum) Stranger(ctx context.Context, userID int64) (bool, error) {
	res, err := f.db.ExecContext(ctx, `INSERT INTO forum_strangers (user_id) VALUES ($1) ON CONFLICT DO NOTHING`, userID)
	if err != nil {
		return false, fmt.Errorf("record a stranger in the forum: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Invited records an invite link made for a member.
func (f *Forum) Invited(ctx context.Context, userID int64, link string) error {
	_, err := f.db.ExecContext(ctx, `INSERT INTO forum_invites (user_id, link) VALUES ($1, $2) ON CONFLICT DO NOTHING`, userID, link)
	if err != nil {
		return fmt.Errorf("record an invite link of member %d: %w", userID, err)
	}
	return nil
}

// Invites returns the invite links made for a member.
func (f *Forum) Invites(ctx context.Context, userID int64) ([]string, error) {
	var links []string
	if err := f.db.SelectContext(ctx, &links, `SELECT link FROM forum_invites WHERE user_id = $1 ORDER BY created_at`, userID); err != nil {
		return nil, fmt.Errorf("invite links of member %d: %w", userID, err)
	}
	return links, nil
}

// Revoked forgets a member's invite link.
func (f *Forum) Revoked(ctx context.Context, userID int64, link string) error {
	_, err := f.db.ExecContext(ctx, `DELETE FROM forum_invites WHERE user_id = $1 AND link = $2`, userID, link)
	if err != nil {
		return fmt.Errorf("forget an invite link of member %d: %w", userID, err)
	}
	return nil
}
