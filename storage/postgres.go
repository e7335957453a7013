// Package storage implements the interfaces of package flows with Postgres
// (cases, reporters, facilities; sqlx and lib/pq, embedded migrations) and
// Redis (sessions and the pipeline's state).
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"hotline/flows"
)

// ErrNotFound is flows.ErrNotFound, so that callers of either package can
// test for it with errors.Is.
var ErrNotFound = flows.ErrNotFound

// OpenPostgres connects to the database at url and checks that it answers.
func OpenPostgres(ctx context.Context, url string) (*sqlx.DB, error) {
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		// The URL may hold a password: say what is wrong, not what it is.
		return nil, errors.New("open postgres: malformed url")
	}
	// A bot replica handles a few dozen chats at once; more connections than
	// that only queue inside Postgres.
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(30 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("ping postgres: %w", scrub(err))
	}
	return db, nil
}

// inTx runs fn in a transaction and commits it when fn returns nil.
func inTx(ctx context.Context, db *sqlx.DB, readOnly bool, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.BeginTxx(ctx, txOptions(readOnly))
	if err != nil {
		return fmt.Errorf("begin: %w", scrub(err))
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", scrub(err))
	}
	return nil
}

func txOptions(readOnly bool) *sql.TxOptions {
	if readOnly {
		return &sql.TxOptions{ReadOnly: true}
	}
	return nil
}

// dbError is a Postgres error stripped of its message, which can quote the
// values of a row (a name, a birth date). It keeps the SQLSTATE code and the
// constraint, table and column, and unwraps to the original *pq.Error.
type dbError struct{ err *pq.Error }

func (e dbError) Error() string {
	s := "postgres " + string(e.err.Code)
	if name := e.err.Code.Name(); name != "" {
		s += " " + name
	}
	if e.err.Table != "" {
		s += " table " + e.err.Table
	}
	if e.err.Column != "" {
		s += " column " + e.err.Column
	}
	if e.err.Constraint != "" {
		s += " constraint " + e.err.Constraint
	}
	return s
}

func (e dbError) Unwrap() error { return e.err }

// scrub replaces a Postgres error with one that carries no row values.
func scrub(err error) error {
	if pqErr := pq.As(err); pqErr != nil {
		return dbError{pqErr}
	}
	return err
}

// isUnique reports whether err is a unique violation of the named constraint.
func isUnique(err error, constraint string) bool {
	pqErr := pq.As(err, pqerror.UniqueViolation)
	return pqErr != nil && pqErr.Constraint == constraint
}
