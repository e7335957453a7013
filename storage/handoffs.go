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

var _ flows.Handoffs = (*Handoffs)(nil)

// Handoffs keeps the history of handoffs in Postgres: who took which chat,
// when, how long the user waited and the linked case. No message text is
// ever stored here.
type Handoffs struct {
	db *sqlx.DB
}

// NewHandoffs returns the handoff history store.
func NewHandoffs(db *sqlx.DB) *Handoffs { return &Handoffs{db: db} }

// Start records a taken chat; recording the same ID again does nothing.
func (s *Handoffs) Start(ctx context.Context, p flows.Pairing) error {
	wait := max(p.Taken.Sub(p.Queued), 0)
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO handoffs (id, chat_id, ticket, volunteer_id, case_id, urgent, lang, queued_at, taken_at, wait_seconds)
		VALUES ($1, $2, $3, $4, (SELECT id FROM cases WHERE code = $5), $6, $7, $8, $9, $10)
		ON CONFLICT (id) DO NOTHING`,
		p.ID, p.ChatID, p.Ticket, p.Volunteer, p.CaseCode, p.Urgent, p.Lang, p.Queued, p.Taken, int(wait/time.Second))
	if err != nil {
		return fmt.Errorf("record handoff %s: %w", p.ID, scrub(err))
	}
	return nil
}

// End records how a handoff ended; only the first end counts.
func (s *Handoffs) End(ctx context.Context, id, outcome string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `
		UPDATE handoffs SET closed_at = $3, outcome = $2 WHERE id = $1 AND closed_at IS NULL`,
		id, outcome, at)
	if err != nil {
		return fmt.Errorf("end handoff %s: %w", id, scrub(err))
	}
	return nil
}

// Stats counts the handoffs since a time: chats taken and their median
// wait, and chats handled (closed by the volunteer or the user).
func (s *Handoffs) Stats(ctx context.Context, since time.Time) (flows.HandoffStats, error) {
	var row struct {
		Taken   int     `db:"taken"`
		Handled int     `db:"handled"`
		Median  float64 `db:"median"`
	}
	err := s.db.GetContext(ctx, &row, `
		SELECT
			count(*) FILTER (WHERE taken_at >= $1) AS taken,
			count(*) FILTER (WHERE closed_at >= $1 AND outcome IN ('done', 'user_ended')) AS handled,
			coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY wait_seconds) FILTER (WHERE taken_at >= $1), 0) AS median
		FROM handoffs
		WHERE taken_at >= $1 OR closed_at >= $1`, since)
	if err != nil {
		return flows.HandoffStats{}, fmt.Errorf("handoff stats: %w", scrub(err))
	}
	return flows.HandoffStats{Taken: row.Taken, Handled: row.Handled,
		MedianWait: time.Duration(row.Median * float64(time.Second))}, nil
}

// LatestCase returns the latest case the user reported, or ErrNotFound.
func (s *Handoffs) LatestCase(ctx context.Context, userID int64) (flows.LinkedCase, error) {
	var row struct {
		Code    string    `db:"code"`
		Urgent  bool      `db:"urgent"`
		Created time.Time `db:"created_at"`
	}
	err := s.db.GetContext(ctx, &row, `
		SELECT c.code, cardinality(c.urgent) > 0 AS urgent, c.created_at
		FROM cases c JOIN reporters r ON r.id = c.reporter_id
		WHERE r.telegram_user_id = $1
		ORDER BY c.created_at DESC, c.id DESC
		LIMIT 1`, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return flows.LinkedCase{}, fmt.Errorf("latest case of %d: %w", userID, ErrNotFound)
	}
	if err != nil {
		return flows.LinkedCase{}, fmt.Errorf("latest case of %d: %w", userID, scrub(err))
	}
	return flows.LinkedCase{Code: row.Code, Urgent: row.Urgent, Created: row.Created}, nil
}
