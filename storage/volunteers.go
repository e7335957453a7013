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

var _ flows.Volunteers = (*Volunteers)(nil)

// Volunteers keeps the hotline's members, their preferences and their
// one-time invites in Postgres.
type Volunteers struct {
	db      *sqlx.DB
	members *recentIDs // MayBeMember's
}

// NewVolunteers returns the members store.
func NewVolunteers(db *sqlx.DB) *Volunteers {
	return &Volunteers{db: db, members: &recentIDs{query: `SELECT user_id FROM volunteers WHERE role > 0`}}
}

// MayBeMember reports whether the user may be a member, from the members'
// ids read at most 15 seconds ago (recentIDs). Changes made through this
// store are seen at once.
func (s *Volunteers) MayBeMember(ctx context.Context, userID int64) (bool, error) {
	return s.members.has(ctx, s.db, userID)
}

// volunteerRow is a volunteers row.
type volunteerRow struct {
	UserID int64     `db:"user_id"`
	Role   int       `db:"role"`
	Name   string    `db:"display_name"`
	Lang   string    `db:"lang"`
	OnDuty bool      `db:"on_duty"`
	Added  time.Time `db:"added_at"`
}

func (r volunteerRow) flows() flows.Volunteer {
	return flows.Volunteer{UserID: r.UserID, Role: flows.Role(r.Role), Name: r.Name, Lang: r.Lang, OnDuty: r.OnDuty, Added: r.Added}
}

const volunteerColumns = `user_id, role, display_name, lang, on_duty, added_at`

// Role returns the user's role; RoleNone for anyone not a member.
func (s *Volunteers) Role(ctx context.Context, userID int64) (flows.Role, error) {
	var role int
	err := s.db.GetContext(ctx, &role, `SELECT role FROM volunteers WHERE user_id = $1`, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return flows.RoleNone, nil
	}
	if err != nil {
		return flows.RoleNone, fmt.Errorf("role of %d: %w", userID, scrub(err))
	}
	return flows.Role(role), nil
}

// Get returns a member's row or ErrNotFound.
func (s *Volunteers) Get(ctx context.Context, userID int64) (flows.Volunteer, error) {
	var row volunteerRow
	err := s.db.GetContext(ctx, &row, `SELECT `+volunteerColumns+` FROM volunteers WHERE user_id = $1`, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return flows.Volunteer{}, fmt.Errorf("member %d: %w", userID, ErrNotFound)
	}
	if err != nil {
		return flows.Volunteer{}, fmt.Errorf("member %d: %w", userID, scrub(err))
	}
	return row.flows(), nil
}

// List returns the members with a role, by user id.
func (s *Volunteers) List(ctx context.Context) ([]flows.Volunteer, error) {
	return s.list(ctx, `SELECT `+volunteerColumns+` FROM volunteers WHERE role > 0 ORDER BY user_id`)
}

// OnDuty returns the rows marked on duty, roles as stored.
func (s *Volunteers) OnDuty(ctx context.Context) ([]flows.Volunteer, error) {
	return s.list(ctx, `SELECT `+volunteerColumns+` FROM volunteers WHERE on_duty ORDER BY user_id`)
}

// Coordinators returns the members with the coordinator role or above.
func (s *Volunteers) Coordinators(ctx context.Context) ([]flows.Volunteer, error) {
	return s.list(ctx, `SELECT `+volunteerColumns+` FROM volunteers WHERE role >= 2 ORDER BY user_id`)
}

func (s *Volunteers) list(ctx context.Context, q string) ([]flows.Volunteer, error) {
	var rows []volunteerRow
	if err := s.db.SelectContext(ctx, &rows, q); err != nil {
		return nil, fmt.Errorf("list members: %w", scrub(err))
	}
	out := make([]flows.Volunteer, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.flows())
	}
	return out, nil
}

// Add makes the user a member with role, or changes their role.
func (s *Volunteers) Add(ctx context.Context, userID int64, role flows.Role, by int64) error {
	if role < flows.RoleVolunteer || role > flows.RoleAdmin {
		return fmt.Errorf("add member %d: role %d: %w", userID, role, ErrInvalid)
	}
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO volunteers (user_id, role, added_by) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET role = EXCLUDED.role, added_by = EXCLUDED.added_by`,
		userID, int(role), by)
	if err != nil {
		return fmt.Errorf("add member %d: %w", userID, scrub(err))
	}
	s.members.forget()
	return nil
}

// Remove takes a member's role away, with their row, and revokes the
// invites they made and the ones they joined with, so that an old link
// cannot bring them, or anyone, back; ErrNotFound when they had no role.
// The update that removed them (op) gets nil again when handled again; an
// empty op (the command line) is never recorded.
func (s *Volunteers) Remove(ctx context.Context, userID int64, op string) error {
	defer s.members.forget()
	err := inTx(ctx, s.db, false, func(tx *sqlx.Tx) error {
		if op != "" {
			var done bool
			if err := tx.GetContext(ctx, &done, `
				SELECT EXISTS (SELECT 1 FROM member_removals WHERE op = $1 AND user_id = $2)`, op, userID); err != nil {
				return scrub(err)
			}
			if done {
				return nil
			}
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE volunteer_invites SET revoked_at = now()
			WHERE (created_by = $1 OR used_by = $1) AND revoked_at IS NULL`, userID); err != nil {
			return scrub(err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM volunteers WHERE user_id = $1 AND role > 0`, userID)
		if err != nil {
			return scrub(err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return ErrNotFound
		}
		if op != "" {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO member_removals (op, user_id) VALUES ($1, $2)`, op, userID); err != nil {
				return scrub(err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove member %d: %w", userID, err)
	}
	return nil
}

// SetName keeps a member's display name.
func (s *Volunteers) SetName(ctx context.Context, userID int64, name string) error {
	return s.set(ctx, userID, "display_name", name)
}

// SetLang keeps the language of a member's Telegram.
func (s *Volunteers) SetLang(ctx context.Context, userID int64, lang string) error {
	return s.set(ctx, userID, "lang", lang)
}

// SetDuty marks a member on or off duty.
func (s *Volunteers) SetDuty(ctx context.Context, userID int64, on bool) error {
	return s.set(ctx, userID, "on_duty", on)
}

// set keeps one preference. An admin from the configuration has no row
// until their first preference, which makes one with role 0.
func (s *Volunteers) set(ctx context.Context, userID int64, column string, v any) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO volunteers (user_id, role, `+column+`) VALUES ($1, 0, $2)
		ON CONFLICT (user_id) DO UPDATE SET `+column+` = EXCLUDED.`+column,
		userID, v)
	if err != nil {
		return fmt.Errorf("set %s of member %d: %w", column, userID, scrub(err))
	}
	return nil
}

// Invite stores a one-time invite by the hash of its token.
func (s *Volunteers) Invite(ctx context.Context, tokenHash string, role flows.Role, by int64, expires time.Time) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO volunteer_invites (token_hash, role, created_by, expires_at) VALUES ($1, $2, $3, $4)`,
		tokenHash, int(role), by, expires)
	if err != nil {
		return fmt.Errorf("store invite: %w", scrub(err))
	}
	return nil
}

// Accept uses an invite once: the user becomes a member with its role, or
// keeps a higher one. The update that used it (op) gets the same answer
// when handled again; any other use, by the same user too, gets
// ErrNotFound, as for an unknown, expired or revoked invite.
func (s *Volunteers) Accept(ctx context.Context, tokenHash string, userID int64, at time.Time, op string) (flows.Role, error) {
	defer s.members.forget()
	var role flows.Role
	err := inTx(ctx, s.db, false, func(tx *sqlx.Tx) error {
		var r int
		err := tx.GetContext(ctx, &r, `
			UPDATE volunteer_invites SET used_by = $2, used_at = $3, used_op = $4
			WHERE token_hash = $1 AND revoked_at IS NULL
			  AND (used_by IS NULL AND expires_at > $3 OR used_by = $2 AND used_op = $4 AND $4 <> '')
			RETURNING role`, tokenHash, userID, at, op)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return scrub(err)
		}
		err = tx.GetContext(ctx, &r, `
			INSERT INTO volunteers (user_id, role, added_by)
			SELECT $1, $2, created_by FROM volunteer_invites WHERE token_hash = $3
			ON CONFLICT (user_id) DO UPDATE SET role = GREATEST(volunteers.role, EXCLUDED.role)
			RETURNING role`, userID, r, tokenHash)
		if err != nil {
			return scrub(err)
		}
		role = flows.Role(r)
		return nil
	})
	if err != nil {
		return flows.RoleNone, fmt.Errorf("accept invite for %d: %w", userID, err)
	}
	return role, nil
}
