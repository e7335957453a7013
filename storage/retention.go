package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hotline/flows"
)

// ErrPurging is returned by Retention.Purge when another process is
// purging at this moment: its purge covers the same cases.
var ErrPurging = errors.New("another purge is running")

// purgeLockKey is the pg_advisory_xact_lock key that lets one process
// purge at a time, whichever replica or command runs it.
const purgeLockKey = 0x686f746c696e6570 // "hotlinep"

// ClosingStatuses are the statuses that close a case: the hotline's work
// on it is over, whatever the outcome. A case whose latest status is one of
// them has been closed since that status was set; a later status (a
// released person detained again) reopens it.
func ClosingStatuses() []string {
	return []string{flows.StatusReleased, flows.StatusDeported, flows.StatusRelief, flows.StatusClosed}
}

// Closed is a case closed at a time: what the purge lists, codes and
// dates only.
type Closed struct {
	CaseID int64     `db:"id"`
	Code   string    `db:"code"`
	Status string    `db:"status"`
	Since  time.Time `db:"since"`
}

// Retention erases the personal fields of cases closed longer than the
// retention period, keeping their codes and anonymous timelines.
type Retention struct {
	db *sqlx.DB
}

// NewRetention returns the retention purge over db.
func NewRetention(db *sqlx.DB) *Retention { return &Retention{db: db} }

// Due returns the cases closed before cutoff whose personal fields are
// still there, longest closed first.
func (s *Retention) Due(ctx context.Context, cutoff time.Time) ([]Closed, error) {
	var out []Closed
	err := inTx(ctx, s.db, true, func(tx *sqlx.Tx) error {
		var err error
		out, err = dueCases(ctx, tx, cutoff)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cases due for purge: %w", err)
	}
	return out, nil
}

// Purge erases the personal fields of the cases Due would list, through
// the erasure /forget uses, and records each in the audit log as actor's
// purge, all in one transaction. It returns the cases it erased. When
// another process is purging it returns ErrPurging and erases nothing.
func (s *Retention) Purge(ctx context.Context, cutoff time.Time, actor string) ([]Closed, error) {
	var out []Closed
	err := inTx(ctx, s.db, false, func(tx *sqlx.Tx) error {
		var locked bool
		if err := tx.GetContext(ctx, &locked, `SELECT pg_try_advisory_xact_lock($1)`, purgeLockKey); err != nil {
			return scrub(err)
		}
		if !locked {
			return ErrPurging
		}
		// Check-ins closed before the cutoff go too (checkins.go).
		if _, err := purgeCheckins(ctx, tx, cutoff); err != nil {
			return err
		}
		due, err := dueCases(ctx, tx, cutoff)
		if err != nil || len(due) == 0 {
			return err
		}
		ids := make([]int64, 0, len(due))
		for _, c := range due {
			ids = append(ids, c.CaseID)
		}
		erased, err := eraseCases(ctx, tx, ids, actor, flows.AuditPurge, nil)
		if err != nil {
			return err
		}
		done := make(map[int64]bool, len(erased))
		for _, id := range erased {
			done[id] = true
		}
		for _, c := range due {
			if done[c.CaseID] {
				out = append(out, c)
			}
		}
		return nil
	})
	if errors.Is(err, ErrPurging) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("purge: %w", err)
	}
	return out, nil
}

// dueCases reads the cases whose latest status closed them before cutoff
// and that are not erased yet.
func dueCases(ctx context.Context, tx *sqlx.Tx, cutoff time.Time) ([]Closed, error) {
	var out []Closed
	err := tx.SelectContext(ctx, &out, `
		SELECT c.id, c.code, e.status, e.created_at AS since
		FROM cases c
		JOIN LATERAL (
			SELECT status, created_at FROM case_events
			WHERE case_id = coalesce(c.merged_into, c.id) AND kind = '`+eventStatus+`'
			ORDER BY id DESC LIMIT 1
		) e ON true
		WHERE c.erased_at IS NULL AND e.status = ANY($1) AND e.created_at < $2
		ORDER BY e.created_at, c.id`, pq.Array(ClosingStatuses()), cutoff)
	if err != nil {
		return nil, scrub(err)
	}
	return out, nil
}
