package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hotline/flows"
)

var _ flows.Casework = (*Casework)(nil)

// Casework keeps the cases' ownership, dates, the reporter's news and what
// the casework's timers did, in the cases table (migration 007) and
// case_reminders. It reads no personal column: a case view goes on cards
// that every volunteer on duty sees.
type Casework struct {
	db   *sqlx.DB
	keys *Keyring
}

// NewCasework returns the casework store in db; keys seal the notes of the
// reporter's news.
func NewCasework(db *sqlx.DB, keys *Keyring) *Casework { return &Casework{db: db, keys: keys} }

// closedStatuses are the statuses of a case that is over.
var closedStatuses = pq.StringArray{flows.StatusReleased, flows.StatusDeported, flows.StatusRelief, flows.StatusClosed}

// viewInner reads the cases as the casework sees them, before the facility
// is named: the latest status, the latest facility (the place typed in the
// reporter's news, or by a volunteer for a place not in the directory, when
// as new as the latest transfer or newer), the owner and the latest event.
const viewInner = `
	SELECT c.id, c.code, c.created_at, c.lang, c.urgent, c.circumstance, c.has_lawyer,
		coalesce(to_char(c.detained_on, 'YYYY-MM-DD'), '') AS detained_on,
		coalesce(to_char(c.hearing_date, 'YYYY-MM-DD'), '') AS hearing,
		coalesce(to_char(c.deportation_date, 'YYYY-MM-DD'), '') AS deportation,
		coalesce(to_char(c.checkin_date, 'YYYY-MM-DD'), '') AS checkin,
		c.hearing_date, c.deportation_date, c.checkin_date,
		coalesce(c.owner_id, 0) AS owner_id, coalesce(v.display_name, '') AS owner_name,
		coalesce(v.lang, '') AS owner_lang, coalesce(c.handover_to, 0) AS handover_to,
		c.taken_at, c.escalations, c.erased_at IS NOT NULL AS erased, c.merged_into IS NOT NULL AS merged,
		coalesce(e.status, 'new') AS status, coalesce(e.created_at, c.created_at) AS since,
		CASE WHEN c.moved_at IS NOT NULL AND (t.id IS NULL OR t.created_at <= c.moved_at)
				THEN coalesce(c.moved_facility_id, 0)
			WHEN t.id IS NOT NULL THEN coalesce(t.facility_id, 0)
			ELSE coalesce(c.facility_id, 0) END AS fac_id,
		CASE WHEN c.moved_at IS NOT NULL AND (t.id IS NULL OR t.created_at <= c.moved_at)
				THEN 'moved_facility_text'
			WHEN t.id IS NOT NULL THEN ''
			ELSE 'facility_text' END AS fac_column,
		CASE WHEN c.moved_at IS NOT NULL AND (t.id IS NULL OR t.created_at <= c.moved_at)
				THEN c.moved_facility_text
			WHEN t.id IS NOT NULL THEN NULL
			ELSE c.facility_text END AS fac_text,
		coalesce(a.last, c.created_at) AS active,
		r.chat_id AS reporter_chat, coalesce(c.checkin_office, '') AS checkin_office
	FROM cases c
	JOIN reporters r ON r.id = c.reporter_id
	LEFT JOIN volunteers v ON v.user_id = c.owner_id
	LEFT JOIN LATERAL (
		SELECT status, created_at FROM case_events
		WHERE case_id = c.id AND kind = 'status' ORDER BY id DESC LIMIT 1
	) e ON true
	LEFT JOIN LATERAL (
		SELECT id, facility_id, created_at FROM case_events
		WHERE case_id = c.id AND kind = 'status' AND status = 'transferred' ORDER BY id DESC LIMIT 1
	) t ON true
	LEFT JOIN LATERAL (
		SELECT max(created_at) AS last FROM case_events WHERE case_id = c.id
	) a ON true`

// viewSQL is viewInner with the facility named; conditions go on x.
const viewSQL = `
	SELECT x.id, x.code, x.created_at, x.lang, x.urgent, x.circumstance, x.has_lawyer, x.detained_on,
		x.hearing, x.deportation, x.checkin, x.owner_id, x.owner_name, x.owner_lang, x.handover_to,
		x.taken_at, x.escalations, x.erased, x.merged, x.status, x.since, x.fac_id, x.fac_column, x.fac_text, x.active,
		x.reporter_chat, x.checkin_office,
		coalesce(f.code, '') AS fac_code, coalesce(f.name, '') AS fac_name,
		coalesce(f.city, '') AS fac_city, coalesce(f.state, '') AS fac_state
	FROM (` + viewInner + `) x
	LEFT JOIN facilities f ON f.id = x.fac_id`

// viewRow is a row of viewSQL.
type viewRow struct {
	ID           int64          `db:"id"`
	Code         string         `db:"code"`
	Created      time.Time      `db:"created_at"`
	Lang         string         `db:"lang"`
	Urgent       pq.StringArray `db:"urgent"`
	Circumstance string         `db:"circumstance"`
	HasLawyer    bool           `db:"has_lawyer"`
	DetainedOn   string         `db:"detained_on"`
	Hearing      string         `db:"hearing"`
	Deportation  string         `db:"deportation"`
	CheckIn      string         `db:"checkin"`
	Owner        int64          `db:"owner_id"`
	OwnerName    string         `db:"owner_name"`
	OwnerLang    string         `db:"owner_lang"`
	HandoverTo   int64          `db:"handover_to"`
	Taken        sql.NullTime   `db:"taken_at"`
	Escalations  int            `db:"escalations"`
	Erased       bool           `db:"erased"`
	Merged       bool           `db:"merged"`
	Status       string         `db:"status"`
	Since        time.Time      `db:"since"`
	FacID        int64          `db:"fac_id"`
	FacColumn    string         `db:"fac_column"` // the sealed column fac_text is from
	FacText      []byte         `db:"fac_text"`
	Active       time.Time      `db:"active"`
	ReporterChat int64          `db:"reporter_chat"`
	Office       string         `db:"checkin_office"`
	FacCode      string         `db:"fac_code"`
	FacName      string         `db:"fac_name"`
	FacCity      string         `db:"fac_city"`
	FacState     string         `db:"fac_state"`
}

// view opens the row's typed facility with keys.
func (r viewRow) view(keys *Keyring) (flows.CaseView, error) {
	facText := ""
	if r.FacText != nil {
		if keys == nil {
			return flows.CaseView{}, ErrNoKeys
		}
		var err error
		if facText, err = keys.open(field{"cases", r.FacColumn, r.ID}, r.FacText); err != nil {
			return flows.CaseView{}, err
		}
	}
	v := flows.CaseView{
		ID: r.ID, Code: r.Code, Created: r.Created, Lang: r.Lang, Circumstance: r.Circumstance,
		HasLawyer: r.HasLawyer, DetainedOn: r.DetainedOn, Hearing: r.Hearing, Deportation: r.Deportation,
		CheckIn: r.CheckIn, Owner: r.Owner, OwnerName: r.OwnerName, OwnerLang: r.OwnerLang,
		HandoverTo: r.HandoverTo, Escalations: r.Escalations, Erased: r.Erased, Merged: r.Merged, Status: r.Status,
		Since: r.Since, FacilityText: facText, Active: r.Active, ReporterChat: r.ReporterChat, Office: r.Office,
	}
	if len(r.Urgent) > 0 {
		v.Urgent = []string(r.Urgent)
	}
	if r.Taken.Valid {
		v.Taken = r.Taken.Time
	}
	if r.FacID != 0 && r.FacName != "" {
		v.Facility = flows.Facility{ID: r.FacID, Code: r.FacCode, Name: readable(r.FacName),
			City: readable(r.FacCity), State: r.FacState}
	}
	return v, nil
}

// views reads the cases that match where (a condition on x), in order.
func views(ctx context.Context, q sqlx.QueryerContext, keys *Keyring, where, order string, args ...any) ([]flows.CaseView, error) {
	var rows []viewRow
	if err := sqlx.SelectContext(ctx, q, &rows, viewSQL+` WHERE `+where+` ORDER BY `+order, args...); err != nil {
		return nil, scrub(err)
	}
	out := make([]flows.CaseView, 0, len(rows))
	for _, r := range rows {
		v, err := r.view(keys)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// one reads one case, or ErrNotFound.
func one(ctx context.Context, q sqlx.QueryerContext, keys *Keyring, where string, arg any) (flows.CaseView, error) {
	vs, err := views(ctx, q, keys, where, `x.id`, arg)
	if err != nil {
		return flows.CaseView{}, err
	}
	if len(vs) == 0 {
		return flows.CaseView{}, ErrNotFound
	}
	return vs[0], nil
}

// View returns the case with this code, or ErrNotFound.
func (s *Casework) View(ctx context.Context, code string) (flows.CaseView, error) {
	code, ok := flows.NormalizeCode(code)
	if !ok {
		return flows.CaseView{}, fmt.Errorf("view case: %w", ErrNotFound)
	}
	v, err := one(ctx, s.db, s.keys, `x.code = $1`, code)
	if err != nil {
		// The code opens the case to anyone: it stays out of error strings.
		return flows.CaseView{}, fmt.Errorf("view case: %w", err)
	}
	return v, nil
}

// ViewByID returns the case with this id, or ErrNotFound.
func (s *Casework) ViewByID(ctx context.Context, id int64) (flows.CaseView, error) {
	v, err := one(ctx, s.db, s.keys, `x.id = $1`, id)
	if err != nil {
		return flows.CaseView{}, fmt.Errorf("view case %d: %w", id, err)
	}
	return v, nil
}

// Take makes the volunteer the owner of a case nobody owns. Postgres
// decides a race: the update's condition is checked on the row it locks,
// so of many takes at once one changes the row and the others find it
// owned.
func (s *Casework) Take(ctx context.Context, t flows.CaseTake) (v flows.CaseView, took, first bool, err error) {
	err = inTx(ctx, s.db, false, func(tx *sqlx.Tx) error {
		var firstOp sql.NullString
		err := tx.GetContext(ctx, &firstOp, `
			UPDATE cases SET owner_id = $2, owner_op = $4, handover_to = NULL,
				taken_at = coalesce(taken_at, $3),
				first_take_op = CASE WHEN taken_at IS NULL THEN $4 ELSE first_take_op END
			WHERE id = $1 AND owner_id IS NULL
			RETURNING first_take_op`, t.CaseID, t.UserID, t.At, t.Op)
		switch {
		case err == nil:
			took, first = true, firstOp.String == t.Op
		case errors.Is(err, sql.ErrNoRows):
			// Owned: by this very update handled again, or by someone.
			var row struct {
				Owner   sql.NullInt64  `db:"owner_id"`
				OwnerOp sql.NullString `db:"owner_op"`
				FirstOp sql.NullString `db:"first_take_op"`
			}
			if err := tx.GetContext(ctx, &row, `SELECT owner_id, owner_op, first_take_op FROM cases WHERE id = $1`, t.CaseID); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return ErrNotFound
				}
				return scrub(err)
			}
			if row.Owner.Int64 == t.UserID && row.OwnerOp.String == t.Op {
				took, first = true, row.FirstOp.String == t.Op
			}
		default:
			return scrub(err)
		}
		v, err = one(ctx, tx, s.keys, `x.id = $1`, t.CaseID)
		return err
	})
	if err != nil {
		return flows.CaseView{}, false, false, fmt.Errorf("take case %d: %w", t.CaseID, err)
	}
	return v, took, first, nil
}

// exec runs a one-row update and reports whether it changed the row.
func (s *Casework) exec(ctx context.Context, what string, caseID int64, q string, args ...any) (bool, error) {
	res, err := s.db.ExecContext(ctx, q, args...)
	if err != nil {
		return false, fmt.Errorf("%s case %d: %w", what, caseID, scrub(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("%s case %d: %w", what, caseID, scrub(err))
	}
	return n == 1, nil
}

// MarkStaging marks the case urgent for a transfer to a staging facility
// and says whether the event eventID is the case's first such transfer.
func (s *Casework) MarkStaging(ctx context.Context, caseID, eventID int64) (bool, error) {
	var first bool
	err := inTx(ctx, s.db, false, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `
			UPDATE cases SET urgent = array_append(urgent, $2::text)
			WHERE id = $1 AND NOT $2 = ANY(urgent)`, caseID, flows.UrgentStaging); err != nil {
			return scrub(err)
		}
		return scrub(tx.GetContext(ctx, &first, `
			SELECT NOT EXISTS (
				SELECT 1 FROM case_events e JOIN facilities f ON f.id = e.facility_id
				WHERE e.case_id = $1 AND e.kind = 'status' AND e.status = 'transferred'
					AND f.type IN ('Staging', 'Hold Room') AND e.id < $2)`, caseID, eventID))
	})
	if err != nil {
		return false, fmt.Errorf("mark case %d staging: %w", caseID, err)
	}
	return first, nil
}

// Release leaves the owner's case without owner.
func (s *Casework) Release(ctx context.Context, caseID, owner int64, op string) (bool, error) {
	done, err := s.exec(ctx, "release", caseID, `
		UPDATE cases SET owner_id = NULL, owner_op = NULLIF($3, ''), handover_to = NULL
		WHERE id = $1 AND owner_id = $2`, caseID, owner, op)
	if err != nil || done || op == "" {
		return done, err
	}
	return s.doneBy(ctx, "release", caseID, `owner_id IS NULL`, op)
}

// doneBy says whether the update op made the case's owner what it is, as
// cond says: a Release or an Accept handled again finds it done.
func (s *Casework) doneBy(ctx context.Context, what string, caseID int64, cond, op string, args ...any) (bool, error) {
	var done bool
	err := s.db.GetContext(ctx, &done, `
		SELECT EXISTS (SELECT 1 FROM cases WHERE id = $1 AND owner_op = $2 AND `+cond+`)`,
		append([]any{caseID, op}, args...)...)
	if err != nil {
		return false, fmt.Errorf("%s case %d: %w", what, caseID, scrub(err))
	}
	return done, nil
}

// Offer offers the owner's case to a colleague.
func (s *Casework) Offer(ctx context.Context, caseID, owner, to int64) (bool, error) {
	return s.exec(ctx, "offer", caseID, `
		UPDATE cases SET handover_to = $3 WHERE id = $1 AND owner_id = $2`, caseID, owner, to)
}

// Accept makes the colleague offered the case its owner and returns the
// owner before. A colleague no longer a member cannot accept. The update op
// that accepted gets true and the same owner again when handled again.
func (s *Casework) Accept(ctx context.Context, caseID, to int64, at time.Time, op string) (int64, bool, error) {
	// SET reads the row as it was: owner_before is the owner until now.
	var prev int64
	err := s.db.GetContext(ctx, &prev, `
		UPDATE cases SET owner_before = owner_id, owner_id = $2, owner_op = NULLIF($4, ''),
			handover_to = NULL, taken_at = coalesce(taken_at, $3)
		WHERE id = $1 AND handover_to = $2
		RETURNING coalesce(owner_before, 0)`, caseID, to, at, op)
	switch {
	case err == nil:
		return prev, true, nil
	case !errors.Is(err, sql.ErrNoRows):
		return 0, false, fmt.Errorf("accept case %d: %w", caseID, scrub(err))
	case op == "":
		return 0, false, nil
	}
	err = s.db.GetContext(ctx, &prev, `
		SELECT coalesce(owner_before, 0) FROM cases WHERE id = $1 AND owner_op = $2 AND owner_id = $3`,
		caseID, op, to)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, fmt.Errorf("accept case %d: %w", caseID, scrub(err))
	}
	return prev, true, nil
}

// Decline withdraws an offer made to the colleague.
func (s *Casework) Decline(ctx context.Context, caseID, to int64) (bool, error) {
	return s.exec(ctx, "decline", caseID, `
		UPDATE cases SET handover_to = NULL WHERE id = $1 AND handover_to = $2`, caseID, to)
}

// Assign makes a member the owner, whoever owned the case.
func (s *Casework) Assign(ctx context.Context, caseID, to int64, at time.Time) error {
	ok, err := s.exec(ctx, "assign", caseID, `
		UPDATE cases SET owner_id = $2, owner_op = NULL, handover_to = NULL, taken_at = coalesce(taken_at, $3)
		WHERE id = $1`, caseID, to, at)
	if err == nil && !ok {
		err = fmt.Errorf("assign case %d: %w", caseID, ErrNotFound)
	}
	return err
}

// dateColumn is the column of a date field.
func dateColumn(field string) (string, error) {
	switch field {
	case flows.DateHearing:
		return "hearing_date", nil
	case flows.DateDeportation:
		return "deportation_date", nil
	case flows.DateCheckIn:
		return "checkin_date", nil
	}
	return "", fmt.Errorf("unknown date field %q", field)
}

// SetDate sets or clears a date and adds an urgency mark.
func (s *Casework) SetDate(ctx context.Context, caseID int64, field, date, urgent string) error {
	col, err := dateColumn(field)
	if err != nil {
		return err
	}
	if date != "" {
		if _, err := time.Parse(time.DateOnly, date); err != nil {
			return fmt.Errorf("set date of case %d: %w", caseID, ErrInvalidEvent)
		}
	}
	ok, err := s.exec(ctx, "set date of", caseID, `
		UPDATE cases SET `+col+` = $2::date,
			urgent = CASE WHEN $3 = '' OR $3 = ANY(urgent) THEN urgent ELSE array_append(urgent, $3::text) END
		WHERE id = $1`, caseID, nullString(date), urgent)
	if err == nil && !ok {
		err = fmt.Errorf("set date of case %d: %w", caseID, ErrNotFound)
	}
	return err
}

// AddNews records the reporter's news and updates the case, in one
// transaction; news with a stored Key changes nothing again.
func (s *Casework) AddNews(ctx context.Context, n flows.News) (flows.CaseView, error) {
	if n.Key == "" || !slices.Contains([]string{flows.NewsMoved, flows.NewsHearing, flows.NewsDeportation,
		flows.NewsReleased, flows.NewsDeported, flows.NewsText}, n.Kind) {
		return flows.CaseView{}, fmt.Errorf("news of case %d: %w", n.CaseID, ErrInvalidEvent)
	}
	if n.Date != "" {
		if _, err := time.Parse(time.DateOnly, n.Date); err != nil {
			return flows.CaseView{}, fmt.Errorf("news of case %d: %w", n.CaseID, ErrInvalidEvent)
		}
	}
	if s.keys == nil {
		return flows.CaseView{}, fmt.Errorf("news of case %d: %w", n.CaseID, ErrNoKeys)
	}
	var v flows.CaseView
	err := inTx(ctx, s.db, false, func(tx *sqlx.Tx) error {
		var id int64
		if err := tx.GetContext(ctx, &id, `SELECT nextval('case_events_id_seq')`); err != nil {
			return scrub(err)
		}
		var note []byte
		if n.Note != "" {
			note = s.keys.seal(noteField(id, n.CaseID, false), n.Note)
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO case_events (id, case_id, kind, status, note, public, actor, facility_id, event_date, idem_key, created_at)
			VALUES ($1, $2, $3, $4, $5, false, $6, $7, $8, $9, $10)
			ON CONFLICT (idem_key) DO NOTHING`,
			id, n.CaseID, flows.EventNews, n.Kind, note, actorReport, nullID(n.FacilityID), nullString(n.Date), n.Key, n.At)
		if err != nil {
			if strings.Contains(err.Error(), "case_events_case_id_fkey") {
				return ErrNotFound
			}
			return scrub(err)
		}
		if added, _ := res.RowsAffected(); added == 1 {
			if err := applyNews(ctx, tx, s.keys, n); err != nil {
				return err
			}
			if err := addFiles(ctx, tx, s.keys, n.CaseID, n.Files); err != nil {
				return err
			}
		}
		v, err = one(ctx, tx, s.keys, `x.id = $1`, n.CaseID)
		return err
	})
	if err != nil {
		return flows.CaseView{}, fmt.Errorf("news of case %d: %w", n.CaseID, err)
	}
	return v, nil
}

// applyNews updates the case's fields from the reporter's news.
func applyNews(ctx context.Context, tx *sqlx.Tx, keys *Keyring, n flows.News) error {
	var q string
	args := []any{n.CaseID, n.Urgent}
	switch n.Kind {
	case flows.NewsMoved:
		q = `moved_facility_id = $3, moved_facility_text = $4, moved_at = $5`
		text := n.FacilityText
		if n.FacilityID != 0 {
			text = ""
		}
		args = append(args, nullID(n.FacilityID), keys.seal(field{"cases", "moved_facility_text", n.CaseID}, text), n.At)
	case flows.NewsHearing:
		q = `hearing_date = $3::date`
		args = append(args, nullString(n.Date))
	case flows.NewsDeportation:
		q = `deportation_date = coalesce($3::date, deportation_date)`
		args = append(args, nullString(n.Date))
	}
	set := `urgent = CASE WHEN $2 = '' OR $2 = ANY(urgent) THEN urgent ELSE array_append(urgent, $2::text) END`
	if q != "" {
		set = q + ", " + set
	}
	_, err := tx.ExecContext(ctx, `UPDATE cases SET `+set+` WHERE id = $1`, args...)
	return scrub(err)
}

// openCase is the condition of a case not over, not erased and not merged
// into another.
const openCase = `NOT (x.status = ANY('` + `{released,deported,relief_granted,closed}` + `'::text[])) AND NOT x.erased AND NOT x.merged`

// Known returns the newest open case with this A-number (nine digits) that
// the user did not report, or ErrNotFound. The A-number is found by its
// blind index under each key of the ring.
func (s *Casework) Known(ctx context.Context, aNumber string, userID int64) (flows.CaseView, error) {
	if s.keys == nil || !nineDigits(aNumber) {
		return flows.CaseView{}, ErrNotFound
	}
	var ids pq.Int64Array
	if err := s.db.SelectContext(ctx, &ids, `
		SELECT c.id FROM cases c LEFT JOIN reporters r ON r.id = c.reporter_id
		WHERE c.a_number_index = ANY($1) AND r.telegram_user_id IS DISTINCT FROM $2
		ORDER BY c.id DESC LIMIT 10`, pq.ByteaArray(s.keys.indexes(aNumber)), userID); err != nil {
		return flows.CaseView{}, fmt.Errorf("cases with an A-number: %w", scrub(err))
	}
	if len(ids) == 0 {
		return flows.CaseView{}, ErrNotFound
	}
	vs, err := views(ctx, s.db, s.keys, `x.id = ANY($1) AND `+openCase, `x.id DESC`, ids)
	if err != nil {
		return flows.CaseView{}, fmt.Errorf("cases with an A-number: %w", err)
	}
	if len(vs) == 0 {
		return flows.CaseView{}, ErrNotFound
	}
	return vs[0], nil
}

// Untaken returns the open cases nobody owns, oldest first.
func (s *Casework) Untaken(ctx context.Context) ([]flows.CaseView, error) {
	vs, err := views(ctx, s.db, s.keys, `x.owner_id = 0 AND `+openCase, `x.id`)
	if err != nil {
		return nil, fmt.Errorf("untaken cases: %w", err)
	}
	return vs, nil
}

// ClaimEscalation counts escalation n+1 of an untaken case.
func (s *Casework) ClaimEscalation(ctx context.Context, caseID int64, n int, now, until time.Time) (bool, error) {
	return s.exec(ctx, "escalate", caseID, `
		UPDATE cases SET escalation_claim = $4
		WHERE id = $1 AND escalations = $2 AND owner_id IS NULL
		  AND (escalation_claim IS NULL OR escalation_claim < $3)`, caseID, n, now, until)
}

// EscalationSent counts the escalations of a case after n as sent: to.
func (s *Casework) EscalationSent(ctx context.Context, caseID int64, n, to int) error {
	_, err := s.exec(ctx, "count escalation of", caseID, `
		UPDATE cases SET escalations = $3, escalation_claim = NULL
		WHERE id = $1 AND escalations = $2`, caseID, n, to)
	return err
}

// Dated returns the open cases with a date from…to.
func (s *Casework) Dated(ctx context.Context, from, to string) ([]flows.CaseView, error) {
	vs, err := views(ctx, s.db, s.keys, datesWithin("$1", "$2")+` AND `+openCase, `x.id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("dated cases: %w", err)
	}
	return vs, nil
}

// datesWithin is the condition of a case with a date within from…to.
func datesWithin(from, to string) string {
	var or []string
	for _, col := range []string{"hearing_date", "deportation_date", "checkin_date"} {
		or = append(or, `x.`+col+` BETWEEN (`+from+`)::date AND (`+to+`)::date`)
	}
	return `(` + strings.Join(or, ` OR `) + `)`
}

// ClaimReminder claims a reminder of a date until a time.
func (s *Casework) ClaimReminder(ctx context.Context, r flows.ReminderClaim) (bool, error) {
	return s.exec(ctx, "claim reminder of", r.CaseID, `
		INSERT INTO case_reminders (case_id, field, on_date, days, sent_at, claimed_until)
		VALUES ($1, $2, $3, $4, NULL, $6)
		ON CONFLICT (case_id, field, on_date, days) DO UPDATE SET claimed_until = EXCLUDED.claimed_until
		WHERE case_reminders.sent_at IS NULL AND case_reminders.claimed_until < $5`,
		r.CaseID, r.Field, r.Date, r.Days, r.Now, r.Until)
}

// ReminderSent marks a claimed reminder sent.
func (s *Casework) ReminderSent(ctx context.Context, r flows.ReminderClaim) error {
	_, err := s.exec(ctx, "mark reminder of", r.CaseID, `
		UPDATE case_reminders SET sent_at = $5, claimed_until = NULL
		WHERE case_id = $1 AND field = $2 AND on_date = $3 AND days = $4`,
		r.CaseID, r.Field, r.Date, r.Days, r.Now)
	return err
}

// boardWhere is the condition of a board filter and its arguments, which
// are numbered from next on.
func boardWhere(q flows.BoardQuery, next int) (string, []any, error) {
	arg := func() string { next++; return "$" + strconv.Itoa(next-1) }
	switch q.Filter {
	case flows.FilterNew:
		return `x.owner_id = 0 AND ` + openCase, nil, nil
	case flows.FilterMine:
		return `x.owner_id = ` + arg() + ` AND ` + openCase, []any{q.User}, nil
	case flows.FilterUrgent:
		return `cardinality(x.urgent) > 0 AND ` + openCase, nil, nil
	case flows.FilterDates:
		from := arg()
		return datesWithin(from, from+`::date + 7`) + ` AND ` + openCase, []any{q.Today}, nil
	case flows.FilterQuiet:
		return `x.active < ` + arg() + ` AND ` + openCase, []any{q.Quiet}, nil
	case flows.FilterFacility:
		return `x.fac_id = ` + arg() + ` AND ` + openCase, []any{q.Facility}, nil
	case flows.FilterStatus:
		return `x.status = ` + arg() + ` AND NOT x.erased AND NOT x.merged`, []any{q.Status}, nil
	}
	return "", nil, fmt.Errorf("unknown board filter %q", q.Filter)
}

// Board returns a page of a filter's cases: urgent first, then the
// soonest date to come (a deportation tomorrow before a hearing next
// month, either before none), then the newest.
func (s *Casework) Board(ctx context.Context, q flows.BoardQuery) ([]flows.CaseView, int, error) {
	where, args, err := boardWhere(q, 1)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT count(*) FROM (`+viewInner+`) x WHERE `+where, args...); err != nil {
		return nil, 0, fmt.Errorf("board %s: %w", q.Filter, scrub(err))
	}
	n := len(args)
	args = append(args, q.Limit, q.Skip, q.Today)
	today := `coalesce(nullif($` + strconv.Itoa(n+3) + `, '')::date, CURRENT_DATE)`
	var soonest []string
	for _, col := range []string{"deportation_date", "hearing_date", "checkin_date"} {
		soonest = append(soonest, `CASE WHEN x.`+col+` >= `+today+` THEN x.`+col+` END`)
	}
	vs, err := views(ctx, s.db, s.keys, where, `cardinality(x.urgent) > 0 DESC, LEAST(`+strings.Join(soonest, ", ")+
		`) ASC NULLS LAST, x.id DESC LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("board %s: %w", q.Filter, err)
	}
	return vs, total, nil
}

// Counts returns the numbers on the board's buttons.
func (s *Casework) Counts(ctx context.Context, q flows.BoardQuery) (flows.BoardCounts, error) {
	var out flows.BoardCounts
	err := inTx(ctx, s.db, true, func(tx *sqlx.Tx) error {
		if err := tx.QueryRowxContext(ctx, `
			SELECT count(*) FILTER (WHERE x.owner_id = 0),
				count(*) FILTER (WHERE x.owner_id = $1),
				count(*) FILTER (WHERE cardinality(x.urgent) > 0),
				count(*) FILTER (WHERE `+datesWithin("$2", "$2::date + 7")+`),
				count(*) FILTER (WHERE x.active < $3)
			FROM (`+viewInner+`) x WHERE `+openCase, q.User, q.Today, q.Quiet).
			Scan(&out.New, &out.Mine, &out.Urgent, &out.Dates, &out.Quiet); err != nil {
			return scrub(err)
		}
		var err error
		if out.Facilities, err = facilityCounts(ctx, tx); err != nil {
			return err
		}
		out.Statuses, err = statusCounts(ctx, tx, `NOT x.erased AND NOT x.merged`)
		return err
	})
	if err != nil {
		return flows.BoardCounts{}, fmt.Errorf("board counts: %w", err)
	}
	return out, nil
}

// facilityCounts counts the open cases by facility, most first.
func facilityCounts(ctx context.Context, tx *sqlx.Tx) ([]flows.Count, error) {
	var rows []struct {
		ID    int64  `db:"fac_id"`
		Name  string `db:"name"`
		City  string `db:"city"`
		State string `db:"state"`
		N     int    `db:"n"`
	}
	if err := tx.SelectContext(ctx, &rows, `
		SELECT x.fac_id, coalesce(f.name, '') AS name, coalesce(f.city, '') AS city,
			coalesce(f.state, '') AS state, count(*) AS n
		FROM (`+viewInner+`) x LEFT JOIN facilities f ON f.id = x.fac_id
		WHERE `+openCase+`
		GROUP BY x.fac_id, f.name, f.city, f.state
		ORDER BY n DESC, x.fac_id`); err != nil {
		return nil, scrub(err)
	}
	out := make([]flows.Count, 0, len(rows))
	for _, r := range rows {
		c := flows.Count{N: r.N}
		if r.ID != 0 && r.Name != "" {
			c.Facility = flows.Facility{ID: r.ID, Name: readable(r.Name), City: readable(r.City), State: r.State}
		}
		out = append(out, c)
	}
	return out, nil
}

// statusCounts counts the cases that match where by status, in the order
// of flows.Statuses.
func statusCounts(ctx context.Context, tx *sqlx.Tx, where string) ([]flows.Count, error) {
	var rows []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := tx.SelectContext(ctx, &rows, `
		SELECT x.status, count(*) AS n FROM (`+viewInner+`) x WHERE `+where+` GROUP BY x.status`); err != nil {
		return nil, scrub(err)
	}
	var out []flows.Count
	for _, s := range flows.Statuses() {
		for _, r := range rows {
			if r.Status == s {
				out = append(out, flows.Count{Status: s, N: r.N})
			}
		}
	}
	return out, nil
}

// Stats returns the coordinators' figures at now.
func (s *Casework) Stats(ctx context.Context, now time.Time) (flows.CaseStats, error) {
	var out flows.CaseStats
	y, m, d := now.UTC().Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	err := inTx(ctx, s.db, true, func(tx *sqlx.Tx) error {
		if err := tx.QueryRowxContext(ctx, `
			SELECT count(*) FILTER (WHERE created_at >= $1), count(*) FILTER (WHERE created_at >= $2)
			FROM cases WHERE created_at <= $3`, midnight, now.Add(-7*24*time.Hour), now).
			Scan(&out.Today, &out.Week); err != nil {
			return scrub(err)
		}
		var waits []float64
		if err := tx.SelectContext(ctx, &waits, `
			SELECT extract(epoch FROM taken_at - created_at) FROM cases
			WHERE taken_at IS NOT NULL AND created_at >= $1 ORDER BY 1`, now.Add(-30*24*time.Hour)); err != nil {
			return scrub(err)
		}
		out.Taken = len(waits)
		if len(waits) > 0 {
			q := func(p float64) time.Duration {
				i := int(p*float64(len(waits))+0.999999) - 1
				return time.Duration(waits[max(0, min(i, len(waits)-1))] * float64(time.Second))
			}
			out.TakenMedian, out.TakenP90 = q(0.5), q(0.9)
		}
		var err error
		if out.Open, err = statusCounts(ctx, tx, openCase); err != nil {
			return err
		}
		if out.OpenFacility, err = facilityCounts(ctx, tx); err != nil {
			return err
		}
		var oldest sql.NullTime
		if err := tx.QueryRowxContext(ctx, `
			SELECT count(*), min(x.created_at) FROM (`+viewInner+`) x WHERE x.owner_id = 0 AND `+openCase).
			Scan(&out.Untaken, &oldest); err != nil {
			return scrub(err)
		}
		out.OldestUntaken = oldest.Time
		return nil
	})
	if err != nil {
		return flows.CaseStats{}, fmt.Errorf("case stats: %w", err)
	}
	return out, nil
}
