package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"hotline/flows"
)

// ErrInvalidEvent is returned for a timeline event that cannot be stored
// as it is: an unknown kind or status, a note without text, a malformed date.
var ErrInvalidEvent = errors.New("invalid case event")

var _ flows.Timeline = (*Timeline)(nil)

// Timeline keeps the cases' status timelines in Postgres: case_events rows,
// added and never changed. The current status is the latest status event's.
type Timeline struct {
	db   *sqlx.DB
	keys *Keyring
}

// NewTimeline returns the timeline store in db; keys encrypt and decrypt
// the notes and the cases' personal fields.
func NewTimeline(db *sqlx.DB, keys *Keyring) *Timeline { return &Timeline{db: db, keys: keys} }

// publicNotes is how many public notes a status view carries, newest first.
const publicNotes = 5

// findMax caps how many cases Find returns.
const findMax = 20

// findEvents is how many events Find returns per case, newest first.
const findEvents = 20

// Status returns the public view of the case with this code, or ErrNotFound.
func (s *Timeline) Status(ctx context.Context, code string) (flows.CaseStatus, error) {
	code, ok := flows.NormalizeCode(code)
	if !ok {
		return flows.CaseStatus{}, fmt.Errorf("case status: %w", ErrNotFound)
	}
	var st flows.CaseStatus
	err := inTx(ctx, s.db, true, func(tx *sqlx.Tx) error {
		all, err := statuses(ctx, tx, s.keys, `c.code = $1`, code)
		if err != nil {
			return err
		}
		if len(all) == 0 {
			return ErrNotFound
		}
		st = all[0]
		tl, err := timelineOf(ctx, tx, st.CaseID)
		if err != nil {
			return err
		}
		st.Notes, err = events(ctx, tx, s.keys, tl, true, publicNotes)
		return err
	})
	if err != nil {
		// The code opens the case to anyone: it stays out of error strings.
		return flows.CaseStatus{}, fmt.Errorf("case status: %w", err)
	}
	return st, nil
}

// statusRow is a case's public view as the status query reads it.
type statusRow struct {
	CaseID         int64     `db:"id"`
	Code           string    `db:"code"`
	Created        time.Time `db:"created_at"`
	Status         string    `db:"status"`
	Since          time.Time `db:"since"`
	Date           string    `db:"event_date"`
	FacilityID     int64     `db:"facility_id"`
	FacilityText   []byte    `db:"facility_text"`
	FacilityShared bool      `db:"facility_share"`
	DatesShared    bool      `db:"dates_share"`
}

// statuses reads the public view of the cases that match where (a
// condition on cases c and reporters r with $1), newest case first. It
// selects no personal column: the view cannot leak what it never reads.
// It is one statement: q is a transaction where other reads go with it,
// or the pool.
func statuses(ctx context.Context, q sqlx.QueryerContext, keys *Keyring, where string, arg any) ([]flows.CaseStatus, error) {
	var rows []statusRow
	err := sqlx.SelectContext(ctx, q, &rows, `
		SELECT c.id, c.code, c.created_at,
			coalesce(e.status, '`+statusNew+`') AS status,
			coalesce(e.created_at, c.created_at) AS since,
			CASE WHEN e.status = '`+flows.StatusDeportation+`'
				THEN coalesce(to_char(e.event_date, 'YYYY-MM-DD'), '') ELSE '' END AS event_date,
			CASE WHEN m.moved_at IS NOT NULL AND (t.id IS NULL OR t.created_at <= m.moved_at)
					THEN coalesce(m.moved_facility_id, 0)
				WHEN t.id IS NOT NULL THEN coalesce(t.facility_id, 0)
				ELSE coalesce(c.facility_id, 0) END AS facility_id,
			CASE WHEN m.moved_at IS NOT NULL OR t.id IS NOT NULL THEN NULL
				ELSE c.facility_text END AS facility_text,
			c.facility_share, c.dates_share
		FROM cases c
		JOIN reporters r ON r.id = c.reporter_id
		JOIN cases m ON m.id = coalesce(c.merged_into, c.id)
		LEFT JOIN LATERAL (
			SELECT status, created_at, event_date FROM case_events
			WHERE case_id = coalesce(c.merged_into, c.id) AND kind = '`+eventStatus+`'
			ORDER BY id DESC LIMIT 1
		) e ON true
		LEFT JOIN LATERAL (
			SELECT id, facility_id, created_at FROM case_events
			WHERE case_id = coalesce(c.merged_into, c.id) AND kind = '`+eventStatus+`' AND status = '`+flows.StatusTransferred+`'
			ORDER BY id DESC LIMIT 1
		) t ON true
		WHERE `+where+`
		ORDER BY c.id DESC`, arg)
	if err != nil {
		return nil, scrub(err)
	}
	out := make([]flows.CaseStatus, 0, len(rows))
	for _, r := range rows {
		var facility string
		if r.FacilityText != nil {
			// Typed by the reporter (a small jail can name the person):
			// sealed like the personal fields; the flows show it to the
			// reporter, volunteers, and others only with the reporter's leave.
			if keys == nil {
				return nil, ErrNoKeys
			}
			var err error
			if facility, err = keys.open(field{"cases", "facility_text", r.CaseID}, r.FacilityText); err != nil {
				return nil, err
			}
		}
		out = append(out, flows.CaseStatus{
			CaseID: r.CaseID, Code: r.Code, Created: r.Created,
			Status: r.Status, Since: r.Since, Date: r.Date,
			FacilityID: r.FacilityID, FacilityText: facility, FacilityShared: r.FacilityShared,
			DatesShared: r.DatesShared,
		})
	}
	return out, nil
}

// eventRow is a case_events row.
type eventRow struct {
	ID         int64          `db:"id"`
	CaseID     int64          `db:"case_id"`
	Kind       string         `db:"kind"`
	Status     string         `db:"status"`
	Note       []byte         `db:"note"`
	Public     bool           `db:"public"`
	SealedCase int64          `db:"sealed_case"` // the case the note was written in: a merge moves it, keeping from_case
	Erased     string         `db:"note_erased"`
	Actor      string         `db:"actor"`
	FacilityID int64          `db:"facility_id"`
	Date       string         `db:"event_date"`
	Key        sql.NullString `db:"idem_key"`
	At         time.Time      `db:"created_at"`
}

// event decrypts the row's note.
func (r eventRow) event(keys *Keyring) (flows.Event, error) {
	if keys == nil && r.Note != nil {
		return flows.Event{}, ErrNoKeys
	}
	note, err := keys.open(noteField(r.ID, r.SealedCase, r.Public), r.Note)
	if err != nil {
		return flows.Event{}, err
	}
	return flows.Event{
		ID: r.ID, CaseID: r.CaseID, Kind: r.Kind, Status: r.Status, Note: note, Public: r.Public, Erased: r.Erased,
		Actor: r.Actor, FacilityID: r.FacilityID, Date: r.Date, Key: r.Key.String, At: r.At,
	}, nil
}

const eventColumns = `id, case_id, kind, status, note, public, actor,
	coalesce(from_case, case_id) AS sealed_case,
	coalesce(note_erased, '') AS note_erased,
	coalesce(facility_id, 0) AS facility_id,
	coalesce(to_char(event_date, 'YYYY-MM-DD'), '') AS event_date,
	idem_key, created_at`

// events reads a case's latest events, newest first: with public, only the
// public notes (of status events and of notes alike), which people with the
// code may read.
func events(ctx context.Context, tx *sqlx.Tx, keys *Keyring, caseID int64, public bool, n int) ([]flows.Event, error) {
	q := `SELECT ` + eventColumns + ` FROM case_events WHERE case_id = $1`
	if public {
		q += ` AND public AND octet_length(note) > 0`
	}
	q += ` ORDER BY id DESC LIMIT $2`
	var rows []eventRow
	if err := tx.SelectContext(ctx, &rows, q, caseID, n); err != nil {
		return nil, scrub(err)
	}
	out := make([]flows.Event, 0, len(rows))
	for _, r := range rows {
		e, err := r.event(keys)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Record adds an event to a case's timeline and returns it as stored. An
// event whose Key is stored already is not stored again: the stored one is
// returned. A case that does not exist is ErrNotFound.
func (s *Timeline) Record(ctx context.Context, e flows.Event) (flows.Event, error) {
	if err := validateEvent(e); err != nil {
		return flows.Event{}, fmt.Errorf("record event of case %d: %w", e.CaseID, err)
	}
	var out flows.Event
	err := inTx(ctx, s.db, false, func(tx *sqlx.Tx) error {
		var err error
		out, err = recordEvent(ctx, tx, s.keys, e)
		return err
	})
	if err != nil {
		return flows.Event{}, fmt.Errorf("record event of case %d: %w", e.CaseID, err)
	}
	return out, nil
}

// recordEvent inserts the event unless its key is taken, and returns the
// stored one: the new row, or the one that holds the key. The note is
// sealed to the event's id, taken from the sequence first.
func recordEvent(ctx context.Context, tx *sqlx.Tx, keys *Keyring, e flows.Event) (flows.Event, error) {
	if keys == nil {
		return flows.Event{}, ErrNoKeys
	}
	var id int64
	if err := tx.GetContext(ctx, &id, `SELECT nextval('case_events_id_seq')`); err != nil {
		return flows.Event{}, scrub(err)
	}
	key := nullString(e.Key)
	var rows []eventRow
	err := tx.SelectContext(ctx, &rows, `
		INSERT INTO case_events (id, case_id, kind, status, note, public, actor, facility_id, event_date, idem_key)
		VALUES ($1, coalesce((SELECT merged_into FROM cases WHERE id = $2), $2), $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (idem_key) DO NOTHING
		RETURNING `+eventColumns,
		id, e.CaseID, e.Kind, e.Status, keys.seal(noteField(id, e.CaseID, e.Public), e.Note), e.Public, e.Actor,
		nullID(e.FacilityID), nullString(e.Date), key)
	if pqErr := pq.As(err, pqerror.ForeignKeyViolation); pqErr != nil && pqErr.Constraint == "case_events_case_id_fkey" {
		return flows.Event{}, ErrNotFound
	}
	if err != nil {
		return flows.Event{}, scrub(err)
	}
	if len(rows) == 1 {
		if e.Kind == flows.EventStatus && e.Status == flows.StatusTransferred && e.FacilityText != "" {
			// A place not in the directory becomes the case's facility
			// as the reporter's news of a transfer does: sealed, as new
			// as the event (viewInner).
			if _, err := tx.ExecContext(ctx, `
				UPDATE cases SET moved_facility_id = NULL, moved_facility_text = $2, moved_at = $3
				WHERE id = $1`, rows[0].CaseID,
				keys.seal(field{"cases", "moved_facility_text", rows[0].CaseID}, e.FacilityText), rows[0].At); err != nil {
				return flows.Event{}, scrub(err)
			}
		}
		return rows[0].event(keys)
	}
	var row eventRow
	if err := tx.GetContext(ctx, &row, `SELECT `+eventColumns+` FROM case_events WHERE idem_key = $1`, key); err != nil {
		return flows.Event{}, scrub(err)
	}
	return row.event(keys)
}

// validateEvent checks what Postgres would take but the timeline must not hold.
func validateEvent(e flows.Event) error {
	switch e.Kind {
	case flows.EventStatus:
		if !slices.Contains(flows.Statuses(), e.Status) {
			return fmt.Errorf("%w: unknown status", ErrInvalidEvent)
		}
	case flows.EventNote:
		if e.Note == "" || e.Status != "" {
			return fmt.Errorf("%w: a note needs text and no status", ErrInvalidEvent)
		}
	default:
		return fmt.Errorf("%w: unknown kind", ErrInvalidEvent)
	}
	if e.Date != "" {
		if _, err := time.Parse(time.DateOnly, e.Date); err != nil {
			return fmt.Errorf("%w: date is not YYYY-MM-DD", ErrInvalidEvent)
		}
	}
	return nil
}

// Find returns the cases with this code or this A-number, newest first,
// each with its report and its latest events, internal notes included: for
// volunteers only. An empty argument matches nothing. An A-number is found
// by its blind index under each key of the ring, not by decrypting rows.
func (s *Timeline) Find(ctx context.Context, code, aNumber string) ([]flows.CaseFile, error) {
	if code != "" {
		code, _ = flows.NormalizeCode(code)
	}
	if aNumber != "" && !nineDigits(aNumber) {
		aNumber = ""
	}
	if code == "" && aNumber == "" {
		return nil, nil
	}
	if s.keys == nil {
		return nil, fmt.Errorf("find cases: %w", ErrNoKeys)
	}
	indexes := pq.ByteaArray{}
	if aNumber != "" {
		indexes = s.keys.indexes(aNumber)
	}
	var out []flows.CaseFile
	err := inTx(ctx, s.db, true, func(tx *sqlx.Tx) error {
		var codes []string
		if err := tx.SelectContext(ctx, &codes, `
			SELECT code FROM cases
			WHERE ($1 <> '' AND code = $1) OR a_number_index = ANY($2)
			ORDER BY id DESC LIMIT $3`, code, indexes, findMax); err != nil {
			return scrub(err)
		}
		for _, cd := range codes {
			r, c, err := caseByCode(ctx, tx, s.keys, cd)
			if err != nil {
				return err
			}
			st, err := statuses(ctx, tx, s.keys, `c.id = $1`, c.ID)
			if err != nil {
				return err
			}
			if len(st) == 0 {
				return ErrNotFound
			}
			tl, err := timelineOf(ctx, tx, c.ID)
			if err != nil {
				return err
			}
			evs, err := events(ctx, tx, s.keys, tl, false, findEvents)
			if err != nil {
				return err
			}
			out = append(out, flows.CaseFile{Case: c, Report: r, Status: st[0], Events: evs})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find cases: %w", err)
	}
	return out, nil
}
