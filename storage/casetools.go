package storage

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hotline/flows"
)

var (
	_ flows.Duplicates  = (*CaseTools)(nil)
	_ flows.Transcripts = (*CaseTools)(nil)
	_ flows.CaseTools   = (*CaseTools)(nil)
)

// CaseTools keeps in Postgres what volunteers need to work a case beyond
// its report and timeline: links between possible duplicates and merges,
// the relayed conversation (sealed), who filed a case for a caller, and
// the blind index of names (names_index.go).
type CaseTools struct {
	db   *sqlx.DB
	keys *Keyring
}

// NewCaseTools returns the case tools' store in db; keys seal the
// conversation and make the name index.
func NewCaseTools(db *sqlx.DB, keys *Keyring) *CaseTools { return &CaseTools{db: db, keys: keys} }

// indexCase is the case tools' part of storing a report, in its
// transaction: the name index, who filed it for a caller, and the links to
// open cases of the same detainee.
func indexCase(ctx context.Context, tx *sqlx.Tx, keys *Keyring, caseID, reporterID int64, r *flows.Report) error {
	if err := indexNames(ctx, tx, keys, caseID, r.NameLatin, r.NameCyrillic, r.BirthDate); err != nil {
		return fmt.Errorf("name index: %w", err)
	}
	if r.FiledBy != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET filed_by = $2 WHERE id = $1`, caseID, r.FiledBy); err != nil {
			return scrub(err)
		}
		// The caller is not a Telegram user: their row is never told of
		// anything and keeps no contact (the case keeps its own).
		if _, err := tx.ExecContext(ctx, `
			UPDATE reporters SET active = false, name = NULL, relationship = NULL, contact = NULL
			WHERE id = $1`, reporterID); err != nil {
			return scrub(err)
		}
	}
	return linkDuplicates(ctx, tx, keys, caseID, r)
}

// closedSQL is a condition, true for a case c whose timeline's latest
// status closes it; param is the placeholder of ClosingStatuses.
func closedSQL(param string) string {
	return `coalesce((SELECT status FROM case_events
		WHERE case_id = coalesce(c.merged_into, c.id) AND kind = '` + eventStatus + `'
		ORDER BY id DESC LIMIT 1), '` + statusNew + `') = ANY(` + param + `)`
}

// linkDuplicates links a new case to the open cases with its A-number, or
// with its name and birth date.
func linkDuplicates(ctx context.Context, tx *sqlx.Tx, keys *Keyring, caseID int64, r *flows.Report) error {
	aIndexes := pq.ByteaArray{}
	if r.ANumber != "" {
		aIndexes = keys.indexes(r.ANumber)
	}
	persons := pq.ByteaArray{}
	for _, name := range []string{r.NameLatin, r.NameCyrillic} {
		if k := personKey(name, r.BirthDate); k != "" {
			persons = append(persons, keys.nameIndexes("p", k)...)
		}
	}
	if len(aIndexes) == 0 && len(persons) == 0 {
		return nil
	}
	// Two indexed lookups, not a scan of every case.
	_, err := tx.ExecContext(ctx, `
		WITH m AS (
			SELECT id, true AS a FROM cases WHERE a_number_index = ANY($2)
			UNION ALL
			SELECT case_id, false FROM case_name_index WHERE kind = 'p' AND token = ANY($3)
		)
		INSERT INTO case_duplicates (case_id, dup_of, reason)
		SELECT $1, c.id, CASE WHEN bool_or(m.a) THEN $4 ELSE $5 END
		FROM m JOIN cases c ON c.id = m.id
		WHERE c.id <> $1 AND c.erased_at IS NULL AND c.merged_into IS NULL
			AND NOT `+closedSQL("$6")+`
		GROUP BY c.id
		ON CONFLICT DO NOTHING`,
		caseID, aIndexes, persons, flows.DupANumber, flows.DupNameBirth, pq.Array(ClosingStatuses()))
	return scrub(err)
}

// Of returns the cases linked to the case as possible duplicates, either
// way, that are not merged.
func (s *CaseTools) Of(ctx context.Context, caseID int64) ([]flows.Duplicate, error) {
	var rows []struct {
		ID     int64  `db:"id"`
		Code   string `db:"code"`
		Reason string `db:"reason"`
		Newer  bool   `db:"newer"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT o.id, o.code, d.reason, d.case_id = o.id AS newer
		FROM case_duplicates d
		JOIN cases o ON o.id = CASE WHEN d.case_id = $1 THEN d.dup_of ELSE d.case_id END
		WHERE (d.case_id = $1 OR d.dup_of = $1) AND o.merged_into IS NULL
			AND NOT EXISTS (SELECT 1 FROM cases me WHERE me.id = $1 AND me.merged_into IS NOT NULL)
		ORDER BY o.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("duplicates of case %d: %w", caseID, scrub(err))
	}
	out := make([]flows.Duplicate, 0, len(rows))
	for _, r := range rows {
		out = append(out, flows.Duplicate{CaseID: r.ID, Code: r.Code, Reason: r.Reason, Newer: r.Newer})
	}
	return out, nil
}

// Merge merges case from into case into in one transaction: from's
// timeline events move to into (remembering where they came from, for
// erasure), from's code opens into, and from's reporter and subscribers
// are told of into's public changes under from's code (Recipients). The
// conversation stays with from and is read with into's (Page). The update
// that merged them (op) gets nil again when handled again.
func (s *CaseTools) Merge(ctx context.Context, from, into int64, actor, op string) error {
	if from == into {
		return fmt.Errorf("merge case %d into itself: %w", from, ErrInvalid)
	}
	err := inTx(ctx, s.db, false, func(tx *sqlx.Tx) error {
		if op != "" {
			var done bool
			if err := tx.GetContext(ctx, &done, `
				SELECT EXISTS (SELECT 1 FROM cases WHERE id = $1 AND merged_into = $2 AND merge_op = $3)`,
				from, into, op); err != nil {
				return scrub(err)
			}
			if done {
				return nil
			}
		}
		var rows []struct {
			ID     int64 `db:"id"`
			Merged bool  `db:"merged"`
			Closed bool  `db:"closed"`
		}
		// Locked in id order, so two merges of the same cases queue.
		if err := tx.SelectContext(ctx, &rows, `
			SELECT c.id, c.merged_into IS NOT NULL AS merged,
				`+closedSQL("$2")+` AS closed
			FROM cases c WHERE c.id = ANY($1) ORDER BY c.id FOR UPDATE`,
			pq.Array([]int64{from, into}), pq.Array(ClosingStatuses())); err != nil {
			return scrub(err)
		}
		if len(rows) != 2 {
			return ErrNotFound
		}
		for _, r := range rows {
			switch {
			case r.Merged:
				return flows.ErrMerged
			case r.Closed:
				return flows.ErrClosed
			}
		}
		for _, q := range []string{
			`UPDATE case_events SET case_id = $2, from_case = coalesce(from_case, $1) WHERE case_id = $1`,
			`UPDATE cases SET merged_into = $2 WHERE id = $1 OR merged_into = $1`,
			// Links of the merged case now point at the case it went into.
			`INSERT INTO case_duplicates (case_id, dup_of, reason)
				SELECT CASE WHEN case_id = $1 THEN $2 ELSE case_id END,
					CASE WHEN dup_of = $1 THEN $2 ELSE dup_of END, reason
				FROM case_duplicates WHERE (case_id = $1 OR dup_of = $1)
					AND (CASE WHEN case_id = $1 THEN dup_of ELSE case_id END) <> $2
				ON CONFLICT DO NOTHING`,
			`DELETE FROM case_duplicates WHERE (case_id = $1 OR dup_of = $1) AND $2 > 0`,
		} {
			if _, err := tx.ExecContext(ctx, q, from, into); err != nil {
				return scrub(err)
			}
		}
		if op != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE cases SET merge_op = $2 WHERE id = $1`, from, op); err != nil {
				return scrub(err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("merge case %d into %d by %s: %w", from, into, actor, err)
	}
	return nil
}

// Contact returns how to reach the reporter of the case with this code.
func (s *CaseTools) Contact(ctx context.Context, code string) (flows.CaseContact, error) {
	code, ok := flows.NormalizeCode(code)
	if !ok {
		return flows.CaseContact{}, fmt.Errorf("reporter of a case: %w", ErrNotFound)
	}
	var row struct {
		ID      int64  `db:"id"`
		Code    string `db:"code"`
		ChatID  int64  `db:"chat_id"`
		Lang    string `db:"lang"`
		Erased  bool   `db:"erased"`
		Active  bool   `db:"active"`
		FiledBy int64  `db:"filed_by"`
		Closed  bool   `db:"closed"`
		Merged  string `db:"merged"`
	}
	err := s.db.GetContext(ctx, &row, `
		SELECT c.id, c.code, r.chat_id, coalesce(nullif(r.lang, ''), c.lang) AS lang,
			c.erased_at IS NOT NULL AS erased, r.active, coalesce(c.filed_by, 0) AS filed_by,
			`+closedSQL("$2")+` AS closed,
			coalesce(m.code, '') AS merged
		FROM cases c
		JOIN reporters r ON r.id = c.reporter_id
		LEFT JOIN cases m ON m.id = c.merged_into
		WHERE c.code = $1`, code, pq.Array(ClosingStatuses()))
	if errors.Is(err, sql.ErrNoRows) {
		return flows.CaseContact{}, fmt.Errorf("reporter of a case: %w", ErrNotFound)
	}
	if err != nil {
		// The code opens the case to anyone: it stays out of error strings.
		return flows.CaseContact{}, fmt.Errorf("reporter of a case: %w", scrub(err))
	}
	return flows.CaseContact{CaseID: row.ID, Code: row.Code, ChatID: row.ChatID, Lang: row.Lang,
		Erased: row.Erased, Blocked: !row.Active, FiledBy: row.FiledBy, Closed: row.Closed, Merged: row.Merged}, nil
}

// SetANumber gives a case the A-number learnt after its report (sealed,
// with its blind index, so that /find and the duplicates see it), and
// links it to the open cases with that A-number. ErrNotFound for a case
// unknown or erased.
func (s *CaseTools) SetANumber(ctx context.Context, caseID int64, aNumber string) error {
	if s.keys == nil {
		return fmt.Errorf("set A-number of case %d: %w", caseID, ErrNoKeys)
	}
	return inTx(ctx, s.db, false, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cases SET a_number = $2, a_number_index = $3
			WHERE id = $1 AND erased_at IS NULL`,
			caseID, s.keys.seal(field{"cases", "a_number", caseID}, aNumber), s.keys.index(aNumber))
		if err != nil {
			return fmt.Errorf("set A-number of case %d: %w", caseID, scrub(err))
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("set A-number of case %d: %w", caseID, cmp.Or(scrub(err), ErrNotFound))
		}
		if err := linkDuplicates(ctx, tx, s.keys, caseID, &flows.Report{ANumber: aNumber}); err != nil {
			return fmt.Errorf("set A-number of case %d: duplicates: %w", caseID, err)
		}
		return nil
	})
}

// SetFacility records where the person of a case is held now, as news of
// a transfer does (the case's latest facility): a facility of the
// directory, or a place typed (facilityID 0), sealed.
func (s *CaseTools) SetFacility(ctx context.Context, caseID, facilityID int64, typed string) error {
	if s.keys == nil {
		return fmt.Errorf("set facility of case %d: %w", caseID, ErrNoKeys)
	}
	if facilityID != 0 {
		typed = ""
	}
	// A staging facility or a hold room makes the case urgent, as a
	// transfer there does (MarkStaging).
	res, err := s.db.ExecContext(ctx, `UPDATE cases SET moved_facility_id = $2, moved_facility_text = $3, moved_at = now(),
			urgent = CASE WHEN EXISTS (SELECT 1 FROM facilities f WHERE f.id = $2 AND f.type IN ('Staging', 'Hold Room'))
				AND NOT $4 = ANY(urgent) THEN array_append(urgent, $4::text) ELSE urgent END
		WHERE id = $1 AND erased_at IS NULL`,
		caseID, nullID(facilityID), s.keys.seal(field{"cases", "moved_facility_text", caseID}, typed), flows.UrgentStaging)
	if err != nil {
		return fmt.Errorf("set facility of case %d: %w", caseID, scrub(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("set facility of case %d: %w", caseID, cmp.Or(scrub(err), ErrNotFound))
	}
	return nil
}

// SetUrgent marks a case urgent with mark, when it has no urgency mark
// yet (on), or takes every mark off (off). It returns the marks the case
// had before; ErrNotFound for a case unknown or erased.
func (s *CaseTools) SetUrgent(ctx context.Context, caseID int64, mark string, on bool) ([]string, error) {
	var before pq.StringArray
	err := s.db.GetContext(ctx, &before, `
		WITH old AS (SELECT id, urgent FROM cases WHERE id = $1 AND erased_at IS NULL FOR UPDATE)
		UPDATE cases c SET urgent = CASE WHEN NOT $3 THEN '{}'::text[]
				WHEN cardinality(old.urgent) = 0 THEN ARRAY[$2::text] ELSE old.urgent END
		FROM old WHERE c.id = old.id
		RETURNING old.urgent`, caseID, mark, on)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("urgency of case %d: %w", caseID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("urgency of case %d: %w", caseID, scrub(err))
	}
	return before, nil
}

// FiledBy returns the volunteer who filed the case for a caller, 0 for none.
func (s *CaseTools) FiledBy(ctx context.Context, caseID int64) (int64, error) {
	var by sql.NullInt64
	err := s.db.GetContext(ctx, &by, `SELECT filed_by FROM cases WHERE id = $1`, caseID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("who filed case %d: %w", caseID, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("who filed case %d: %w", caseID, scrub(err))
	}
	return by.Int64, nil
}

// FindName returns the cases, not merged, whose name index has every
// token of name, newest first, each with its report and latest events.
func (s *CaseTools) FindName(ctx context.Context, name string) ([]flows.CaseFile, error) {
	tokens := nameTokens(name)
	if len(tokens) == 0 {
		return nil, nil
	}
	if s.keys == nil {
		return nil, fmt.Errorf("find cases by name: %w", ErrNoKeys)
	}
	var idx pq.ByteaArray
	var group []int64
	for i, t := range tokens {
		for _, v := range s.keys.nameIndexes("n", t) {
			idx = append(idx, v)
			group = append(group, int64(i))
		}
	}
	var out []flows.CaseFile
	err := inTx(ctx, s.db, true, func(tx *sqlx.Tx) error {
		var codes []string
		if err := tx.SelectContext(ctx, &codes, `
			SELECT c.code FROM cases c
			JOIN (
				SELECT n.case_id FROM case_name_index n
				JOIN unnest($1::bytea[], $2::bigint[]) AS q (tok, g) ON n.token = q.tok
				WHERE n.kind = 'n'
				GROUP BY n.case_id HAVING count(DISTINCT q.g) = $3
			) m ON m.case_id = c.id
			WHERE c.merged_into IS NULL
			ORDER BY c.id DESC LIMIT $4`, idx, pq.Array(group), len(tokens), findMax); err != nil {
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
			evs, err := events(ctx, tx, s.keys, c.ID, false, findEvents)
			if err != nil {
				return err
			}
			out = append(out, flows.CaseFile{Case: c, Report: r, Status: st[0], Events: evs})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find cases by name: %w", err)
	}
	return out, nil
}

// Add keeps a relayed message with the case of its code, sealed. A
// message whose Key is kept already is not kept again; a case whose
// personal data was erased keeps nothing more.
func (s *CaseTools) Add(ctx context.Context, m flows.CaseMessage) error {
	if s.keys == nil {
		return fmt.Errorf("keep a message: %w", ErrNoKeys)
	}
	code, ok := flows.NormalizeCode(m.CaseCode)
	if !ok {
		return fmt.Errorf("keep a message: %w", ErrNotFound)
	}
	err := inTx(ctx, s.db, false, func(tx *sqlx.Tx) error {
		var c struct {
			ID     int64 `db:"id"`
			Erased bool  `db:"erased"`
		}
		err := tx.GetContext(ctx, &c, `SELECT id, erased_at IS NOT NULL AS erased FROM cases WHERE code = $1`, code)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil || c.Erased {
			return scrub(err)
		}
		var id int64
		if err := tx.GetContext(ctx, &id, `SELECT nextval('case_messages_id_seq')`); err != nil {
			return scrub(err)
		}
		var at any
		if !m.At.IsZero() {
			at = m.At
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO case_messages (id, case_id, from_volunteer, volunteer_id, kind, body, idem_key, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, coalesce($8, now()))
			ON CONFLICT (idem_key) DO NOTHING`,
			id, c.ID, m.FromVolunteer, m.Volunteer, m.Kind,
			s.keys.seal(field{"case_messages", "body", id}, m.Text), nullString(m.Key), at)
		return scrub(err)
	})
	if err != nil {
		return fmt.Errorf("keep a message: %w", err)
	}
	return nil
}

// Page returns a page of a case's conversation, with those of the cases
// merged into it (or, for a merged case, of the case it went into), oldest
// first, and how many messages there are.
func (s *CaseTools) Page(ctx context.Context, caseID int64, skip, limit int) ([]flows.CaseMessage, int, error) {
	var (
		out   []flows.CaseMessage
		total int
	)
	err := inTx(ctx, s.db, true, func(tx *sqlx.Tx) error {
		const family = `case_id IN (SELECT id FROM cases WHERE coalesce(merged_into, id) =
			(SELECT coalesce(merged_into, id) FROM cases WHERE id = $1))`
		if err := tx.GetContext(ctx, &total, `SELECT count(*) FROM case_messages WHERE `+family, caseID); err != nil {
			return scrub(err)
		}
		var rows []struct {
			ID            int64     `db:"id"`
			FromVolunteer bool      `db:"from_volunteer"`
			Volunteer     int64     `db:"volunteer_id"`
			Kind          string    `db:"kind"`
			Body          []byte    `db:"body"`
			At            time.Time `db:"created_at"`
		}
		if err := tx.SelectContext(ctx, &rows, `
			SELECT id, from_volunteer, volunteer_id, kind, body, created_at FROM case_messages
			WHERE `+family+` ORDER BY created_at, id OFFSET $2 LIMIT $3`, caseID, skip, limit); err != nil {
			return scrub(err)
		}
		for _, r := range rows {
			text, err := s.keys.open(field{"case_messages", "body", r.ID}, r.Body)
			if err != nil {
				return err
			}
			out = append(out, flows.CaseMessage{FromVolunteer: r.FromVolunteer, Volunteer: r.Volunteer,
				Kind: r.Kind, Text: text, At: r.At})
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("conversation of case %d: %w", caseID, err)
	}
	return out, total, nil
}

// eraseTools erases what the case tools keep of personal data for erased
// cases, in eraseCases' transaction: the conversation, the name index, and
// the internal notes of events a merge moved into another case.
func eraseTools(ctx context.Context, tx *sqlx.Tx, ids []int64) error {
	for _, q := range []string{
		`DELETE FROM case_messages WHERE case_id = ANY($1)`,
		`DELETE FROM case_name_index WHERE case_id = ANY($1)`,
		`UPDATE case_events SET note = NULL WHERE from_case = ANY($1) AND NOT public AND note IS NOT NULL`,
	} {
		if _, err := tx.ExecContext(ctx, q, pq.Array(ids)); err != nil {
			return scrub(err)
		}
	}
	return nil
}

// timelineOf returns the case whose timeline a case reads: the one it was
// merged into, or itself.
func timelineOf(ctx context.Context, tx *sqlx.Tx, caseID int64) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, `SELECT coalesce(merged_into, id) FROM cases WHERE id = $1`, caseID)
	if errors.Is(err, sql.ErrNoRows) {
		return caseID, nil
	}
	return id, scrub(err)
}
