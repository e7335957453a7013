package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"hotline/flows"
)

var _ flows.Subscriptions = (*Subscriptions)(nil)

// Subscriptions keeps in Postgres which chats are told of a case's public
// changes. A case's reporter is told without a subscription.
type Subscriptions struct {
	db *sqlx.DB
}

// NewSubscriptions returns the subscription store in db.
func NewSubscriptions(db *sqlx.DB) *Subscriptions { return &Subscriptions{db: db} }

// Subscribe makes the chat hear of the case's public changes in lang;
// subscribing again changes the language. A case that does not exist is
// ErrNotFound.
func (s *Subscriptions) Subscribe(ctx context.Context, caseID, chatID int64, lang string) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO subscriptions (case_id, chat_id, lang) VALUES ($1, $2, $3)
		ON CONFLICT (case_id, chat_id) DO UPDATE SET lang = excluded.lang`,
		caseID, chatID, lang)
	if pq.As(err, pqerror.ForeignKeyViolation) != nil {
		return fmt.Errorf("subscribe chat %d to case %d: %w", chatID, caseID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("subscribe chat %d to case %d: %w", chatID, caseID, scrub(err))
	}
	return nil
}

// Unsubscribe stops the chat's notifications about the case; it is not an
// error when there were none.
func (s *Subscriptions) Unsubscribe(ctx context.Context, caseID, chatID int64) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM subscriptions WHERE case_id = $1 AND chat_id = $2`, caseID, chatID)
	if err != nil {
		return fmt.Errorf("unsubscribe chat %d from case %d: %w", chatID, caseID, scrub(err))
	}
	return nil
}

// Following tells whether the chat follows the case: as its reporter, or
// as a subscriber.
func (s *Subscriptions) Following(ctx context.Context, caseID, chatID int64) (flows.Following, error) {
	var f struct {
		Reporter   bool `db:"reporter"`
		Subscriber bool `db:"subscriber"`
	}
	err := s.db.GetContext(ctx, &f, `
		SELECT
			EXISTS (SELECT 1 FROM cases c JOIN reporters r ON r.id = c.reporter_id
				WHERE c.id = $1 AND r.chat_id = $2) AS reporter,
			EXISTS (SELECT 1 FROM subscriptions WHERE case_id = $1 AND chat_id = $2) AS subscriber`,
		caseID, chatID)
	switch {
	case err != nil:
		return flows.NotFollowing, fmt.Errorf("does chat %d follow case %d: %w", chatID, caseID, scrub(err))
	case f.Reporter:
		return flows.Reporting, nil
	case f.Subscriber:
		return flows.Subscribed, nil
	}
	return flows.NotFollowing, nil
}

// Followed returns the cases the chat subscribed to, newest first, with
// their code and current status (of the case a merged one went into).
func (s *Subscriptions) Followed(ctx context.Context, chatID int64) ([]flows.CaseStatus, error) {
	var rows []struct {
		CaseID  int64     `db:"id"`
		Code    string    `db:"code"`
		Created time.Time `db:"created_at"`
		Status  string    `db:"status"`
		Since   time.Time `db:"since"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT c.id, c.code, c.created_at,
			coalesce(e.status, '`+statusNew+`') AS status, coalesce(e.created_at, c.created_at) AS since
		FROM subscriptions s
		JOIN cases c ON c.id = s.case_id
		LEFT JOIN LATERAL (
			SELECT status, created_at FROM case_events
			WHERE case_id = coalesce(c.merged_into, c.id) AND kind = '`+eventStatus+`'
			ORDER BY id DESC LIMIT 1
		) e ON true
		WHERE s.chat_id = $1
		ORDER BY c.id DESC`, chatID)
	if err != nil {
		return nil, fmt.Errorf("cases chat %d follows: %w", chatID, scrub(err))
	}
	out := make([]flows.CaseStatus, 0, len(rows))
	for _, r := range rows {
		out = append(out, flows.CaseStatus{CaseID: r.CaseID, Code: r.Code, Created: r.Created, Status: r.Status, Since: r.Since})
	}
	return out, nil
}

// Recipients returns the chats to tell of a case's public change: the
// reporter's, unless they blocked the bot, then the subscribers', oldest
// first; each chat once.
func (s *Subscriptions) Recipients(ctx context.Context, caseID int64) ([]flows.Recipient, error) {
	var rows []struct {
		ChatID   int64  `db:"chat_id"`
		Lang     string `db:"lang"`
		Reporter bool   `db:"reporter"`
		Code     string `db:"code"`
	}
	// A case merged into this one (merged_into) brings its reporter and
	// subscribers, who know it by its own code.
	err := s.db.SelectContext(ctx, &rows, `
		SELECT chat_id, lang, reporter, code FROM (
			SELECT r.chat_id, coalesce(nullif(r.lang, ''), c.lang) AS lang, true AS reporter,
				0 AS ord, c.created_at, c.code
			FROM cases c JOIN reporters r ON r.id = c.reporter_id
			WHERE (c.id = $1 OR c.merged_into = $1) AND r.active
			UNION ALL
			SELECT s.chat_id, s.lang, false, 1, s.created_at, c.code
			FROM subscriptions s JOIN cases c ON c.id = s.case_id
			WHERE c.id = $1 OR c.merged_into = $1
		) x
		ORDER BY ord, created_at, chat_id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("recipients of case %d: %w", caseID, scrub(err))
	}
	seen := make(map[int64]bool, len(rows))
	out := make([]flows.Recipient, 0, len(rows))
	for _, r := range rows {
		if seen[r.ChatID] {
			continue
		}
		seen[r.ChatID] = true
		out = append(out, flows.Recipient{ChatID: r.ChatID, Lang: r.Lang, Reporter: r.Reporter, Code: r.Code})
	}
	return out, nil
}
