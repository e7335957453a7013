package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/jmoiron/sqlx"
)

// sealedTable is a table with encrypted columns.
type sealedTable struct {
	name    string
	ident   string   // the row identity values are sealed with; unique
	columns []string // encrypted columns
	index   bool     // cases: a_number_index is the blind index of a_number
	// bindCase, for case_events, is the SQL of the case a note is bound to
	// with its publicity (noteField); "" for the other tables.
	bindCase string
	late     bool // made after migration 005: never held plaintext
}

// caseSealed are the columns of cases that hold personal data.
func caseSealed() []string {
	return append(case005(), "facility_text", "facts", "moved_facility_text")
}

// case005 are the columns of cases migration 005 encrypted; migration 008
// added facility_text, migration 009 facts, migration 011 the facility a
// reporter says the person was moved to (moved_facility_text).
func case005() []string {
	return []string{"name_latin", "name_cyrillic", "birth_date", "birth_country", "citizenship", "a_number",
		"circumstance_note", "lawyer_name", "lawyer_phone", "appeals", "reporter_name", "relationship",
		"reporter_contact"}
}

// noteField is where a note is sealed: its event, and also the case it was
// written in and whether it is public, so that a row moved to another case
// or made public by someone without the key no longer opens. A merge of
// cases moves notes but keeps the case they were written in (from_case).
func noteField(id, caseID int64, public bool) field {
	return field{"case_events", fmt.Sprintf("note#case=%d,public=%t", caseID, public), id}
}

// legacyNoteField is where a note was sealed before migration 008.
func legacyNoteField(id int64) field { return field{"case_events", "note", id} }

// sealedTables are the tables that hold encrypted values. A reporter's
// values are bound to their Telegram user id: the upsert that writes them
// knows it before the row's id exists.
func sealedTables() []sealedTable {
	return []sealedTable{
		{name: "cases", ident: "id", columns: caseSealed(), index: true},
		{name: "reporters", ident: "telegram_user_id", columns: []string{"name", "relationship", "contact"}},
		{name: "case_events", ident: "id", columns: []string{"note"}, bindCase: "coalesce(from_case, case_id)"},
		{name: "case_messages", ident: "id", columns: []string{"body"}, late: true},
		{name: "checkins", ident: "id", columns: []string{"office_text", "name", "a_number"}, late: true},
		{name: "checkin_contacts", ident: "id", columns: []string{"phone"}, late: true},
	}
}

// tables005 are the tables and columns migration 005 encrypted.
func tables005() []sealedTable {
	ts := sealedTables()
	ts[0].columns = case005()
	ts[2].bindCase = "case_id" // from_case came with migration 007
	return ts
}

// stored are the columns a rotation rewrites and the key check counts.
func (t sealedTable) stored() []string {
	if t.index {
		return append(t.columns[:len(t.columns):len(t.columns)], "a_number_index")
	}
	return t.columns
}

// resealBatch re-encrypts, under the current key, up to batch rows of t
// whose ident is above after and that match where (a condition whose
// arguments, args, are $3 on), and returns how many it rewrote and the last
// ident. With plain the values are plaintext bytes (migration 005),
// otherwise sealed values opened with the keyring; either way the
// A-number's index is recomputed.
func resealBatch(ctx context.Context, tx *sqlx.Tx, keys *Keyring, t sealedTable, plain bool,
	after int64, batch int, where string, args ...any) (n int, last int64, err error) {
	cols := t.columns
	sel := t.ident + `, ` + strings.Join(cols, ", ")
	if t.bindCase != "" {
		sel += `, ` + t.bindCase + `, public`
	}
	q := `SELECT ` + sel + ` FROM ` + t.name +
		` WHERE ` + t.ident + ` > $1 AND (` + where + `) ORDER BY ` + t.ident + ` LIMIT $2 FOR UPDATE`
	rows, err := tx.QueryContext(ctx, q, append([]any{after, batch}, args...)...)
	if err != nil {
		return 0, 0, scrub(err)
	}
	type row struct {
		ident  int64
		vals   [][]byte
		caseID int64
		public bool
	}
	var got []row
	for rows.Next() {
		r := row{vals: make([][]byte, len(cols))}
		dst := []any{&r.ident}
		for i := range r.vals {
			dst = append(dst, &r.vals[i])
		}
		if t.bindCase != "" {
			dst = append(dst, &r.caseID, &r.public)
		}
		if err := rows.Scan(dst...); err != nil {
			rows.Close()
			return 0, 0, scrub(err)
		}
		got = append(got, r)
	}
	if err := rows.Close(); err != nil {
		return 0, 0, scrub(err)
	}
	if err := rows.Err(); err != nil {
		return 0, 0, scrub(err)
	}

	set := make([]string, 0, len(cols)+1)
	for i, c := range cols {
		set = append(set, fmt.Sprintf("%s = $%d", c, i+2))
	}
	if t.index {
		set = append(set, fmt.Sprintf("a_number_index = $%d", len(cols)+2))
	}
	update := `UPDATE ` + t.name + ` SET ` + strings.Join(set, ", ") + ` WHERE ` + t.ident + ` = $1`
	for _, r := range got {
		args := []any{r.ident}
		var aNumber string
		for i, c := range cols {
			f := field{t.name, c, r.ident}
			if t.bindCase != "" {
				f = noteField(r.ident, r.caseID, r.public)
			}
			v := string(r.vals[i])
			if !plain {
				if v, err = keys.open(f, r.vals[i]); err != nil {
					return 0, 0, err
				}
			}
			if c == "a_number" {
				aNumber = v
			}
			args = append(args, keys.seal(f, v))
		}
		if t.index {
			args = append(args, keys.index(aNumber))
		}
		if _, err := tx.ExecContext(ctx, update, args...); err != nil {
			return 0, 0, fmt.Errorf("%s row %d: %w", t.name, r.ident, scrub(err))
		}
		last = r.ident
	}
	return len(got), last, nil
}

// resealBatchSize is how many rows a transaction of the rotation and of
// migration 005 rewrites.
const resealBatchSize = 500

// sealPlaintext is the Go step of migration 005, run in its transaction
// after its SQL: the personal columns hold plaintext bytes, which it
// encrypts under the current key, with the A-numbers' blind indexes. It
// needs the keyring only when there is something to encrypt. It returns
// how many rows it encrypted.
func sealPlaintext(ctx context.Context, tx *sqlx.Tx, keys *Keyring, tables []sealedTable, constraints [][2]string) (int, error) {
	total := 0
	for _, t := range tables {
		if t.late {
			continue
		}
		where := `num_nonnulls(` + strings.Join(t.columns, ", ") + `) > 0`
		if keys == nil {
			var found bool
			if err := tx.GetContext(ctx, &found, `SELECT EXISTS (SELECT 1 FROM `+t.name+` WHERE `+where+`)`); err != nil {
				return 0, scrub(err)
			}
			if found {
				return 0, fmt.Errorf("%s holds personal data to encrypt: %w", t.name, ErrNoKeys)
			}
			continue
		}
		// The migration holds the table locked: a short batch is the end.
		for after := int64(math.MinInt64); ; {
			n, last, err := resealBatch(ctx, tx, keys, t, true, after, resealBatchSize, where)
			if err != nil {
				return 0, err
			}
			total += n
			if n < resealBatchSize {
				break
			}
			after = last
		}
	}
	for _, c := range constraints {
		if _, err := tx.ExecContext(ctx, `ALTER TABLE `+c[0]+` VALIDATE CONSTRAINT `+c[1]); err != nil {
			return 0, scrub(err)
		}
	}
	return total, nil
}

// constraints005 are the checks migration 005 validates once every value
// is sealed.
var constraints005 = [][2]string{
	{"cases", "cases_personal_sealed"}, {"reporters", "reporters_personal_sealed"},
	{"case_events", "case_events_note_sealed"},
}

// migrate008 is migration 008's Go step: it seals the facility text, in
// clear until then, and binds every note to its case and publicity
// (noteField). It returns how many rows it rewrote.
func migrate008(ctx context.Context, tx *sqlx.Tx, keys *Keyring) (int, error) {
	facility := []sealedTable{{name: "cases", ident: "id", columns: []string{"facility_text"}}}
	n, err := sealPlaintext(ctx, tx, keys, facility, [][2]string{{"cases", "cases_facility_sealed"}})
	if err != nil {
		return 0, err
	}
	var notes []struct {
		ID     int64  `db:"id"`
		CaseID int64  `db:"case_id"`
		Public bool   `db:"public"`
		Note   []byte `db:"note"`
	}
	if err := tx.SelectContext(ctx, &notes, `SELECT id, coalesce(from_case, case_id) AS case_id, public, note
		FROM case_events WHERE note IS NOT NULL ORDER BY id`); err != nil {
		return 0, scrub(err)
	}
	if len(notes) > 0 && keys == nil {
		return 0, fmt.Errorf("case_events holds notes to bind to their cases: %w", ErrNoKeys)
	}
	for _, r := range notes {
		bound := noteField(r.ID, r.CaseID, r.Public)
		v, err := keys.open(legacyNoteField(r.ID), r.Note)
		if err != nil {
			// Sealed by migration 005 in this same run: bound already.
			if _, err2 := keys.open(bound, r.Note); err2 == nil {
				continue
			}
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE case_events SET note = $2 WHERE id = $1`, r.ID, keys.seal(bound, v)); err != nil {
			return 0, scrub(err)
		}
		n++
	}
	return n, nil
}

// Rotated is how many rows of a table a key rotation re-encrypted.
type Rotated struct {
	Table string
	Rows  int
}

// RotateKeys re-encrypts under the current key every stored value and
// A-number index that is under another key of the ring, batch rows per
// transaction (0: 500); progress, when not nil, is told each table's
// running count after each batch. It can be stopped and run again: it
// rewrites only what is not under the current key yet. A value under a key
// not in the ring stops it with ErrUnknownKey, naming the key id and the
// row. The bot may run meanwhile, with the same keyring: a batch locks its
// rows, and a row changed meanwhile is skipped when it no longer needs it.
func RotateKeys(ctx context.Context, db *sqlx.DB, keys *Keyring, batch int, progress func(Rotated)) ([]Rotated, error) {
	if keys == nil {
		return nil, fmt.Errorf("rotate keys: %w", ErrNoKeys)
	}
	if batch <= 0 {
		batch = resealBatchSize
	}
	current := keys.current.id[:]
	var out []Rotated
	for _, t := range sealedTables() {
		var old []string
		for _, c := range t.stored() {
			old = append(old, `substring(`+c+` FROM 2 FOR 8) <> $3`)
		}
		where := strings.Join(old, " OR ")
		r := Rotated{Table: t.name}
		after := int64(math.MinInt64)
		for {
			var n int
			var last int64
			err := inTx(ctx, db, false, func(tx *sqlx.Tx) error {
				var err error
				n, last, err = resealBatch(ctx, tx, keys, t, false, after, batch, where, current)
				return err
			})
			if err != nil {
				return out, fmt.Errorf("rotate keys: %w", err)
			}
			// A batch short of the size may still not be the end: a
			// concurrent writer can take rows from it. Only an empty batch is.
			if n == 0 {
				break
			}
			r.Rows += n
			after = last
			if progress != nil {
				progress(r)
			}
		}
		out = append(out, r)
	}
	// The name index is rebuilt from the names, under the current key.
	r := Rotated{Table: "case_name_index"}
	for {
		var n int
		err := inTx(ctx, db, false, func(tx *sqlx.Tx) error {
			var err error
			n, err = reindexNames(ctx, tx, keys, batch)
			return err
		})
		if err != nil {
			return out, fmt.Errorf("rotate keys: name index: %w", err)
		}
		if n == 0 {
			break
		}
		r.Rows += n
		if progress != nil {
			progress(r)
		}
	}
	return append(out, r), nil
}

// KeyUse is how many stored values (encrypted values and A-number
// indexes) are under one key.
type KeyUse struct {
	KeyID  string
	Values int
}

// KeyUsage counts the stored values under each key, most used first. After
// a complete rotation only the current key is listed: the others can be
// removed.
func KeyUsage(ctx context.Context, db *sqlx.DB) ([]KeyUse, error) {
	var parts []string
	for _, t := range sealedTables() {
		parts = append(parts, `SELECT unnest(ARRAY[`+strings.Join(t.stored(), ", ")+`]) AS v FROM `+t.name)
	}
	parts = append(parts, `SELECT token AS v FROM case_name_index`)
	var rows []struct {
		KeyID  string `db:"key_id"`
		Values int    `db:"n"`
	}
	err := db.SelectContext(ctx, &rows, `
		SELECT encode(substring(v FROM 2 FOR 8), 'hex') AS key_id, count(*) AS n
		FROM (`+strings.Join(parts, " UNION ALL ")+`) s
		WHERE v IS NOT NULL
		GROUP BY 1 ORDER BY 2 DESC, 1`)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("key usage: %w", scrub(err))
	}
	out := make([]KeyUse, 0, len(rows))
	for _, r := range rows {
		out = append(out, KeyUse{KeyID: r.KeyID, Values: r.Values})
	}
	return out, nil
}
