package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"hotline/flows"
)

var _ flows.Audit = (*Audit)(nil)

// Audit keeps the audit log in Postgres: who viewed or changed which case,
// and who changed whose role. The table is append-only (migration 006):
// this type only adds and reads rows.
type Audit struct {
	db *sqlx.DB
}

// NewAudit returns the audit log in db.
func NewAudit(db *sqlx.DB) *Audit { return &Audit{db: db} }

// auditRow is an audit_log row.
type auditRow struct {
	ID      int64          `db:"id"`
	At      time.Time      `db:"at"`
	Actor   string         `db:"actor"`
	Action  string         `db:"action"`
	CaseID  sql.NullInt64  `db:"case_id"`
	Subject sql.NullInt64  `db:"subject"`
	Detail  string         `db:"detail"`
	Key     sql.NullString `db:"idem_key"`
}

func (r auditRow) entry() flows.AuditEntry {
	return flows.AuditEntry{ID: r.ID, At: r.At, Actor: r.Actor, Action: r.Action,
		CaseID: r.CaseID.Int64, Subject: r.Subject.Int64, Detail: r.Detail, Key: r.Key.String}
}

// Record adds an entry; an entry whose Key is stored already is not added
// again. A zero At is the database's now.
func (s *Audit) Record(ctx context.Context, e flows.AuditEntry) error {
	err := inTx(ctx, s.db, false, func(tx *sqlx.Tx) error { return recordAudit(ctx, tx, e) })
	if err != nil {
		return fmt.Errorf("audit %s of case %d: %w", e.Action, e.CaseID, err)
	}
	return nil
}

// recordAudit adds an entry in the caller's transaction, so that a change
// and its entry are stored together or not at all.
func recordAudit(ctx context.Context, tx *sqlx.Tx, e flows.AuditEntry) error {
	if e.Actor == "" || e.Action == "" {
		return fmt.Errorf("%w: an audit entry needs an actor and an action", ErrInvalid)
	}
	var at any
	if !e.At.IsZero() {
		at = e.At
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO audit_log (at, actor, action, case_id, subject, detail, idem_key)
		VALUES (coalesce($1, now()), $2, $3, $4, $5, $6, $7)
		ON CONFLICT (idem_key) DO NOTHING`,
		at, e.Actor, e.Action, nullID(e.CaseID), nullID(e.Subject), e.Detail, nullString(e.Key))
	return scrub(err)
}

// ForCase returns a case's entries (caseID 0: the role changes, which
// have no case), newest first, skipping the newest skip
// and returning at most limit, with the number of entries there are.
func (s *Audit) ForCase(ctx context.Context, caseID int64, skip, limit int) ([]flows.AuditEntry, int, error) {
	var (
		rows  []auditRow
		total int
	)
	where := `case_id = $1`
	if caseID == 0 {
		where = `case_id IS NULL AND action <> '` + flows.AuditSearch + `' AND $1 = 0`
	}
	err := inTx(ctx, s.db, true, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &total, `SELECT count(*) FROM audit_log WHERE `+where, caseID); err != nil {
			return scrub(err)
		}
		return scrub(tx.SelectContext(ctx, &rows, `
			SELECT id, at, actor, action, case_id, subject, detail, idem_key
			FROM audit_log WHERE `+where+`
			ORDER BY id DESC OFFSET $2 LIMIT $3`, caseID, max(skip, 0), max(limit, 0)))
	})
	if err != nil {
		return nil, 0, fmt.Errorf("audit of case %d: %w", caseID, err)
	}
	out := make([]flows.AuditEntry, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.entry())
	}
	return out, total, nil
}

// ErrAuditBroken is returned by VerifyAudit when the chain breaks: a row
// was edited or deleted, or added past the chain.
var ErrAuditBroken = errors.New("audit log chain broken")

// AuditChain is what VerifyAudit found.
type AuditChain struct {
	Entries int    // rows checked
	Last    []byte // the hash of the newest row; keep it elsewhere to notice the newest rows removed
	BadID   int64  // with ErrAuditBroken: the first row whose hash does not follow
}

// VerifyAudit recomputes the audit log's hash chain (migration 008) row by
// row, in id order, from the rows' fields, and compares it with the stored
// hashes. It needs only SELECT on audit_log, which the bot's role has.
func VerifyAudit(ctx context.Context, db *sqlx.DB) (AuditChain, error) {
	var out AuditChain
	rows, err := db.QueryxContext(ctx, `
		SELECT id, at, actor, action, case_id, subject, detail, hash FROM audit_log ORDER BY id`)
	if err != nil {
		return out, fmt.Errorf("verify audit log: %w", scrub(err))
	}
	defer rows.Close()
	prev := []byte{}
	for rows.Next() {
		var r struct {
			auditRow
			Hash []byte `db:"hash"`
		}
		if err := rows.StructScan(&r); err != nil {
			return out, fmt.Errorf("verify audit log: %w", scrub(err))
		}
		sum := sha256.Sum256(append(prev, auditFields(r.auditRow)...))
		if !bytes.Equal(sum[:], r.Hash) {
			out.BadID = r.ID
			return out, fmt.Errorf("verify audit log: entry %d: %w", r.ID, ErrAuditBroken)
		}
		prev = sum[:]
		out.Entries++
		out.Last = prev
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("verify audit log: %w", scrub(err))
	}
	return out, nil
}

// auditFields is audit_log_fields of migration 008: each field's length
// in characters, a colon and the field.
func auditFields(r auditRow) []byte {
	var b []byte
	for _, f := range []string{
		strconv.FormatInt(r.ID, 10),
		r.At.UTC().Format("2006-01-02T15:04:05.000000"),
		r.Actor, r.Action, optID(r.CaseID), optID(r.Subject), r.Detail,
	} {
		b = strconv.AppendInt(b, int64(utf8.RuneCountInString(f)), 10)
		b = append(b, ':')
		b = append(b, f...)
	}
	return b
}

func optID(n sql.NullInt64) string {
	if !n.Valid {
		return ""
	}
	return strconv.FormatInt(n.Int64, 10)
}
