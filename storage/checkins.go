package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hotline/flows"
)

var _ flows.Checkins = (*Checkins)(nil)

// Checkins stores the check-ins of the safety line, their trusted contacts
// and their timers in Postgres; the person's name and A-number, a typed
// sub-office and the contacts' phones are sealed with keys.
type Checkins struct {
	db   *sqlx.DB
	keys *Keyring
}

// NewCheckins returns the check-in store in db.
func NewCheckins(db *sqlx.DB, keys *Keyring) *Checkins { return &Checkins{db: db, keys: keys} }

// checkinRow is a checkins row as stored.
type checkinRow struct {
	ID         int64          `db:"id"`
	DraftID    string         `db:"draft_id"`
	ChatID     int64          `db:"chat_id"`
	UserID     int64          `db:"user_id"`
	Lang       string         `db:"lang"`
	OfficeCode string         `db:"office_code"`
	OfficeText []byte         `db:"office_text"`
	State      string         `db:"office_state"`
	Zone       string         `db:"zone"`
	Start      time.Time      `db:"starts_at"`
	End        time.Time      `db:"ends_at"`
	Name       []byte         `db:"name"`
	ANumber    []byte         `db:"a_number"`
	Status     string         `db:"status"`
	CaseID     sql.NullInt64  `db:"case_id"`
	CaseCode   sql.NullString `db:"case_code"`
	Created    time.Time      `db:"created_at"`
}

type contactRow struct {
	ID       int64          `db:"id"`
	Token    sql.NullString `db:"token"`
	Phone    []byte         `db:"phone"`
	ChatID   sql.NullInt64  `db:"chat_id"`
	Lang     string         `db:"lang"`
	Accepted sql.NullTime   `db:"accepted_at"`
	Declined sql.NullTime   `db:"declined_at"`
}

const checkinColumns = `k.id, k.draft_id, k.chat_id, k.user_id, k.lang, k.office_code, k.office_text,
	k.office_state, k.zone, k.starts_at, k.ends_at, k.name, k.a_number, k.status, k.case_id,
	c.code AS case_code, k.created_at`

// Create stores the check-in and its timers in one transaction. The same
// DraftID again returns the check-in stored first. With Prev, the contacts
// of that check-in (the user's own) move to the new one, and that check-in,
// if still active (rescheduled before it began), is closed as moved.
func (s *Checkins) Create(ctx context.Context, k *flows.Checkin, timers []flows.CheckinTimer) (flows.Checkin, error) {
	if s.keys == nil {
		return flows.Checkin{}, fmt.Errorf("create check-in: %w", ErrNoKeys)
	}
	if k.DraftID == "" || k.UserID == 0 || k.Zone == "" {
		return flows.Checkin{}, fmt.Errorf("create check-in: %w: no draft id, user or zone", ErrInvalid)
	}
	if k.ANumber != "" && !nineDigits(k.ANumber) {
		return flows.Checkin{}, fmt.Errorf("create check-in: %w: A-number is not nine digits", ErrInvalid)
	}
	var out flows.Checkin
	err := inTx(ctx, s.db, false, func(tx *sqlx.Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, `SELECT id FROM checkins WHERE draft_id = $1`, k.DraftID)
		if err == nil {
			out, err = getCheckin(ctx, tx, s.keys, id)
			return err
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return scrub(err)
		}
		if err := tx.GetContext(ctx, &id, `SELECT nextval('checkins_id_seq')`); err != nil {
			return scrub(err)
		}
		if k.Prev != 0 {
			// Rescheduled before it began, the check-in it replaces is
			// still on until now: moved, its timers cancelled, in the
			// transaction that stores the new one (one active at a time).
			if _, err := tx.ExecContext(ctx, `
				WITH moved AS (
					UPDATE checkins SET status = $3, closed_at = now()
					WHERE id = $1 AND user_id = $2 AND status = $4
					RETURNING id)
				UPDATE checkin_timers SET cancelled = true, fired_at = now()
				WHERE checkin_id IN (SELECT id FROM moved) AND fired_at IS NULL`,
				k.Prev, k.UserID, flows.CheckinMoved, flows.CheckinActive); err != nil {
				return scrub(err)
			}
		}
		seal := func(column, v string) []byte { return s.keys.seal(field{"checkins", column, id}, v) }
		_, err = tx.ExecContext(ctx, `
			INSERT INTO checkins (id, draft_id, chat_id, user_id, lang, office_code, office_text, office_state,
				zone, starts_at, ends_at, name, a_number)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			id, k.DraftID, k.ChatID, k.UserID, k.Lang, k.OfficeCode, seal("office_text", k.OfficeText), k.State,
			k.Zone, k.Start.UTC(), k.End.UTC(), seal("name", k.Name), seal("a_number", k.ANumber))
		if isUnique(err, "checkins_one_active") {
			return flows.ErrCheckinActive
		}
		if err != nil {
			return scrub(err)
		}
		for _, t := range timers {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO checkin_timers (checkin_id, kind, due_at) VALUES ($1, $2, $3)`,
				id, t.Kind, t.Due.UTC()); err != nil {
				return scrub(err)
			}
		}
		if k.Prev != 0 {
			// The contacts agreed to stand by this person: they carry over
			// to the next check-in.
			if _, err := tx.ExecContext(ctx, `
				UPDATE checkin_contacts SET checkin_id = $1
				WHERE checkin_id = $2 AND checkin_id IN (SELECT id FROM checkins WHERE user_id = $3)`,
				id, k.Prev, k.UserID); err != nil {
				return scrub(err)
			}
		}
		out, err = getCheckin(ctx, tx, s.keys, id)
		return err
	})
	if errors.Is(err, flows.ErrCheckinActive) {
		return flows.Checkin{}, err
	}
	if err != nil {
		return flows.Checkin{}, fmt.Errorf("create check-in: %w", err)
	}
	return out, nil
}

// Get returns a check-in with its contacts, or ErrNotFound.
func (s *Checkins) Get(ctx context.Context, id int64) (flows.Checkin, error) {
	var out flows.Checkin
	err := inTx(ctx, s.db, true, func(tx *sqlx.Tx) error {
		var err error
		out, err = getCheckin(ctx, tx, s.keys, id)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return flows.Checkin{}, err
	}
	if err != nil {
		return flows.Checkin{}, fmt.Errorf("check-in %d: %w", id, err)
	}
	return out, nil
}

// Active returns the user's active check-in, or ErrNotFound.
func (s *Checkins) Active(ctx context.Context, userID int64) (flows.Checkin, error) {
	return s.userCheckin(ctx, "active", userID,
		`SELECT id FROM checkins WHERE user_id = $1 AND status = 'active'`, userID)
}

// Begun implements flows.Checkins.
func (s *Checkins) Begun(ctx context.Context, userID int64, now time.Time) (flows.Checkin, error) {
	return s.userCheckin(ctx, "begun", userID, `SELECT id FROM checkins
		WHERE user_id = $1 AND status IN ('active', 'alarm') AND starts_at <= $2
		ORDER BY starts_at DESC LIMIT 1`, userID, now)
}

// LastOut implements flows.Checkins.
func (s *Checkins) LastOut(ctx context.Context, userID int64, since time.Time) (flows.Checkin, error) {
	return s.userCheckin(ctx, "last out", userID, `SELECT id FROM checkins
		WHERE user_id = $1 AND status IN ('out', 'out_after_alarm') AND closed_at >= $2 AND erased_at IS NULL
		ORDER BY closed_at DESC LIMIT 1`, userID, since)
}

// userCheckin reads the check-in of a user whose id query finds, or
// ErrNotFound; what names it in errors.
func (s *Checkins) userCheckin(ctx context.Context, what string, userID int64, query string, args ...any) (flows.Checkin, error) {
	var out flows.Checkin
	err := inTx(ctx, s.db, true, func(tx *sqlx.Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, query, args...)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return scrub(err)
		}
		out, err = getCheckin(ctx, tx, s.keys, id)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return flows.Checkin{}, err
	}
	if err != nil {
		return flows.Checkin{}, fmt.Errorf("%s check-in of user %d: %w", what, userID, err)
	}
	return out, nil
}

// getCheckin reads and opens a check-in and its contacts.
func getCheckin(ctx context.Context, tx *sqlx.Tx, keys *Keyring, id int64) (flows.Checkin, error) {
	if keys == nil {
		return flows.Checkin{}, ErrNoKeys
	}
	var r checkinRow
	err := tx.GetContext(ctx, &r, `SELECT `+checkinColumns+`
		FROM checkins k LEFT JOIN cases c ON c.id = k.case_id WHERE k.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return flows.Checkin{}, ErrNotFound
	}
	if err != nil {
		return flows.Checkin{}, scrub(err)
	}
	o := &opener{keys: keys, table: "checkins", row: r.ID}
	k := flows.Checkin{ID: r.ID, DraftID: r.DraftID, ChatID: r.ChatID, UserID: r.UserID, Lang: r.Lang,
		OfficeCode: r.OfficeCode, OfficeText: o.open("office_text", r.OfficeText), State: r.State, Zone: r.Zone,
		Start: r.Start.UTC(), End: r.End.UTC(), Name: o.open("name", r.Name), ANumber: o.open("a_number", r.ANumber),
		Status: r.Status, CaseID: r.CaseID.Int64, CaseCode: r.CaseCode.String, Created: r.Created}
	if o.err != nil {
		return flows.Checkin{}, o.err
	}
	var cs []contactRow
	if err := tx.SelectContext(ctx, &cs, `
		SELECT id, token, phone, chat_id, lang, accepted_at, declined_at
		FROM checkin_contacts WHERE checkin_id = $1 ORDER BY id`, id); err != nil {
		return flows.Checkin{}, scrub(err)
	}
	for _, c := range cs {
		phone, err := keys.open(field{"checkin_contacts", "phone", c.ID}, c.Phone)
		if err != nil {
			return flows.Checkin{}, err
		}
		if c.Token.String == "" && phone == "" {
			continue // a phone erased by /forget
		}
		k.Contacts = append(k.Contacts, flows.Contact{ID: c.ID, Token: c.Token.String, Phone: phone,
			ChatID: c.ChatID.Int64, Lang: c.Lang, Accepted: c.Accepted.Time, Declined: c.Declined.Time})
	}
	return k, nil
}

// AddContact adds a trusted contact, a link or a phone, unless the
// check-in has its three already.
func (s *Checkins) AddContact(ctx context.Context, checkinID int64, c flows.Contact) (flows.Contact, error) {
	if s.keys == nil {
		return flows.Contact{}, fmt.Errorf("add contact: %w", ErrNoKeys)
	}
	if (c.Token == "") == (c.Phone == "") {
		return flows.Contact{}, fmt.Errorf("add contact to check-in %d: %w: a link or a phone", checkinID, ErrInvalid)
	}
	err := inTx(ctx, s.db, false, func(tx *sqlx.Tx) error {
		// The lock makes the count and the insert one step for concurrent adds.
		var n int
		if err := tx.GetContext(ctx, &n, `
			SELECT count(*) FROM checkin_contacts
			WHERE checkin_id = (SELECT id FROM checkins WHERE id = $1 FOR UPDATE)
				AND (token IS NOT NULL OR phone IS NOT NULL) AND declined_at IS NULL`, checkinID); err != nil {
			return scrub(err)
		}
		if n >= 3 {
			return flows.ErrTooManyContacts
		}
		if err := tx.GetContext(ctx, &c.ID, `SELECT nextval('checkin_contacts_id_seq')`); err != nil {
			return scrub(err)
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO checkin_contacts (id, checkin_id, token, phone) VALUES ($1, $2, $3, $4)`,
			c.ID, checkinID, nullString(c.Token), s.keys.seal(field{"checkin_contacts", "phone", c.ID}, c.Phone))
		return scrub(err)
	})
	if errors.Is(err, flows.ErrTooManyContacts) {
		return flows.Contact{}, err
	}
	if err != nil {
		return flows.Contact{}, fmt.Errorf("add contact to check-in %d: %w", checkinID, err)
	}
	return c, nil
}

// ByToken returns the check-in a contact's link belongs to, or ErrNotFound.
func (s *Checkins) ByToken(ctx context.Context, token string) (flows.Checkin, flows.Contact, error) {
	var k flows.Checkin
	var id int64
	err := inTx(ctx, s.db, true, func(tx *sqlx.Tx) error {
		var checkinID int64
		err := tx.QueryRowxContext(ctx, `SELECT id, checkin_id FROM checkin_contacts WHERE token = $1`, token).
			Scan(&id, &checkinID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return scrub(err)
		}
		k, err = getCheckin(ctx, tx, s.keys, checkinID)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return flows.Checkin{}, flows.Contact{}, err
	}
	if err != nil {
		// The token opens a check-in: it stays out of error strings.
		return flows.Checkin{}, flows.Contact{}, fmt.Errorf("check-in of a contact link: %w", err)
	}
	for _, c := range k.Contacts {
		if c.ID == id {
			return k, c, nil
		}
	}
	return flows.Checkin{}, flows.Contact{}, ErrNotFound
}

// Answer records a link contact's answer once.
func (s *Checkins) Answer(ctx context.Context, token string, chatID int64, lang string, accept bool, at time.Time) (bool, error) {
	q := `UPDATE checkin_contacts SET declined_at = $4 WHERE token = $1 AND accepted_at IS NULL AND declined_at IS NULL`
	if accept {
		q = `UPDATE checkin_contacts SET chat_id = $2, lang = $3, accepted_at = $4
			WHERE token = $1 AND accepted_at IS NULL AND declined_at IS NULL`
	}
	res, err := s.db.ExecContext(ctx, q, token, chatID, lang, at.UTC())
	if err != nil {
		return false, fmt.Errorf("answer of contact %d: %w", chatID, scrub(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("answer of contact %d: %w", chatID, scrub(err))
	}
	return n > 0, nil
}

// SetStatus moves the check-in from one of the statuses in from to to; a
// closing status cancels the timers that have not fired.
func (s *Checkins) SetStatus(ctx context.Context, id int64, from []string, to string, at time.Time) (bool, error) {
	var done bool
	err := inTx(ctx, s.db, false, func(tx *sqlx.Tx) error {
		closing := to != flows.CheckinActive && to != flows.CheckinAlarm
		res, err := tx.ExecContext(ctx, `
			UPDATE checkins SET status = $3, closed_at = CASE WHEN $4 THEN $5::timestamptz ELSE closed_at END
			WHERE id = $1 AND status = ANY($2)`, id, pq.Array(from), to, closing, at.UTC())
		if err != nil {
			return scrub(err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return scrub(err)
		}
		done = n > 0
		if done && closing {
			_, err = tx.ExecContext(ctx, `
				UPDATE checkin_timers SET cancelled = true, fired_at = $2
				WHERE checkin_id = $1 AND fired_at IS NULL`, id, at.UTC())
		}
		return scrub(err)
	})
	if err != nil {
		return false, fmt.Errorf("set status of check-in %d: %w", id, err)
	}
	return done, nil
}

// SetCase links the case the alarm opened.
func (s *Checkins) SetCase(ctx context.Context, id, caseID int64) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE checkins SET case_id = $2 WHERE id = $1`, id, caseID); err != nil {
		return fmt.Errorf("link check-in %d to case %d: %w", id, caseID, scrub(err))
	}
	return nil
}

// Due claims up to n timers due at now that nobody fired and nobody holds:
// each is leased until now+lease. Replicas ticking at once skip each
// other's rows (SKIP LOCKED) and each other's leases, so a timer is worked
// by one process at a time; a lease that runs out (the process died) lets
// the next tick take the timer again.
func (s *Checkins) Due(ctx context.Context, now time.Time, lease time.Duration, n int) ([]flows.CheckinTimer, error) {
	var rows []struct {
		ID        int64     `db:"id"`
		CheckinID int64     `db:"checkin_id"`
		Kind      string    `db:"kind"`
		Due       time.Time `db:"due_at"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		UPDATE checkin_timers SET claimed_until = $2
		WHERE id IN (
			SELECT id FROM checkin_timers
			WHERE fired_at IS NULL AND due_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1)
			ORDER BY due_at, id
			LIMIT $3
			FOR UPDATE SKIP LOCKED)
		RETURNING id, checkin_id, kind, due_at`, now.UTC(), now.Add(lease).UTC(), n)
	if err != nil {
		return nil, fmt.Errorf("claim check-in timers: %w", scrub(err))
	}
	out := make([]flows.CheckinTimer, 0, len(rows))
	for _, r := range rows {
		out = append(out, flows.CheckinTimer{ID: r.ID, CheckinID: r.CheckinID, Kind: r.Kind, Due: r.Due.UTC()})
	}
	// Oldest first, so that "are you out?" never comes after its alarm.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Due.Before(out[j-1].Due); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

// Fired marks a claimed timer done.
func (s *Checkins) Fired(ctx context.Context, timerID int64, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, `
		UPDATE checkin_timers SET fired_at = $2 WHERE id = $1 AND fired_at IS NULL`, timerID, at.UTC()); err != nil {
		return fmt.Errorf("mark check-in timer %d: %w", timerID, scrub(err))
	}
	return nil
}

// eraseCheckins erases the personal fields of the check-ins with these ids
// and their contacts' phones, cancels the ones still running, and returns
// how many it erased. /forget and the retention purge both erase through it.
func eraseCheckins(ctx context.Context, tx *sqlx.Tx, ids []int64, at time.Time) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	var erased []int64
	if err := tx.SelectContext(ctx, &erased, `
		UPDATE checkins SET name = NULL, a_number = NULL, office_text = NULL, erased_at = $2,
			status = CASE WHEN status = 'active' THEN 'cancelled' ELSE status END,
			closed_at = coalesce(closed_at, $2)
		WHERE id = ANY($1) AND erased_at IS NULL
		RETURNING id`, pq.Array(ids), at.UTC()); err != nil {
		return 0, scrub(err)
	}
	if len(erased) == 0 {
		return 0, nil
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE checkin_timers SET cancelled = true, fired_at = $2
		WHERE checkin_id = ANY($1) AND fired_at IS NULL`, pq.Array(erased), at.UTC()); err != nil {
		return 0, scrub(err)
	}
	// A phone erased; a link contact keeps only the chat that agreed, which
	// is no personal data of the person.
	if _, err := tx.ExecContext(ctx, `
		UPDATE checkin_contacts SET phone = NULL WHERE checkin_id = ANY($1) AND phone IS NOT NULL`,
		pq.Array(erased)); err != nil {
		return 0, scrub(err)
	}
	return len(erased), nil
}

// forgetCheckins erases the user's check-ins, in the caller's transaction,
// and withdraws them as anyone's trusted contact: their chat is forgotten.
func forgetCheckins(ctx context.Context, tx *sqlx.Tx, userID int64) (int, error) {
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `SELECT id FROM checkins WHERE user_id = $1 ORDER BY id`, userID); err != nil {
		return 0, scrub(err)
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE checkin_contacts SET chat_id = NULL, lang = '', declined_at = coalesce(declined_at, now())
		WHERE chat_id = $1`, userID); err != nil {
		return 0, scrub(err)
	}
	return eraseCheckins(ctx, tx, ids, time.Now())
}

// purgeCheckins erases the check-ins closed before cutoff, in the caller's
// transaction. A check-in that ended in an alarm lives on in its case,
// which the case's own retention covers.
func purgeCheckins(ctx context.Context, tx *sqlx.Tx, cutoff time.Time) (int, error) {
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `
		SELECT id FROM checkins
		WHERE erased_at IS NULL AND (closed_at < $1 OR status = 'alarm' AND ends_at < $1)
		ORDER BY id`, cutoff.UTC()); err != nil {
		return 0, scrub(err)
	}
	return eraseCheckins(ctx, tx, ids, time.Now())
}
