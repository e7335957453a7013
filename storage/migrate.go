package storage

import (
	"context"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

// migrationFiles are the schema changes, NNN_name.sql, applied in order of
// NNN. A file, once released, is never edited: a change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrateLockKey is the pg_advisory_lock key that makes replicas starting at
// the same moment migrate one after the other.
const migrateLockKey = 0x686f746c696e65 // "hotline"

// migration is one numbered SQL file.
type migration struct {
	version int
	name    string
	sql     string
}

// MigrateOptions adjust Migrate; the zero value applies every migration
// without a data key.
type MigrateOptions struct {
	// Keys encrypt personal data written in clear before encryption existed.
	Keys *Keyring
	// UpTo stops after the migration numbered so; 0: every migration. Tests
	// use it to write data the way an older version stored it.
	UpTo int
}

// Migrate brings the schema up to date, each migration in its own
// transaction, then loads the embedded facility directory when the
// facilities table is empty and adds missing aliases. Replicas that call it
// at once wait for each other. A database holding personal data in clear
// (written before migration 005) needs Keys.
func Migrate(ctx context.Context, db *sqlx.DB, o MigrateOptions) error {
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// A session-level advisory lock belongs to one connection, so everything
	// below runs on this one.
	conn, err := db.Connx(ctx)
	if err != nil {
		return fmt.Errorf("migrate: connect: %w", scrub(err))
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrateLockKey); err != nil {
		return fmt.Errorf("migrate: lock: %w", scrub(err))
	}
	defer func() {
		_, err := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLockKey)
		if err != nil {
			// The lock must not stay held by a pooled connection: drop the
			// connection, which ends the session and frees the lock.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()

	// The bot's own role (GrantBot) may not create tables: on a schema
	// that is up to date it must not try to.
	var exists bool
	if err := conn.GetContext(ctx, &exists, `SELECT to_regclass('schema_migrations') IS NOT NULL`); err != nil {
		return fmt.Errorf("migrate: find schema_migrations: %w", scrub(err))
	}
	if !exists {
		if _, err := conn.ExecContext(ctx, `
			CREATE TABLE IF NOT EXISTS schema_migrations (
				version    integer PRIMARY KEY,
				name       text NOT NULL,
				applied_at timestamptz NOT NULL DEFAULT now()
			)`); err != nil {
			return fmt.Errorf("migrate: create schema_migrations: %w", scrub(err))
		}
	}
	var applied []int
	if err := conn.SelectContext(ctx, &applied, `SELECT version FROM schema_migrations`); err != nil {
		return fmt.Errorf("migrate: read schema_migrations: %w", scrub(err))
	}
	done := make(map[int]bool, len(applied))
	for _, v := range applied {
		done[v] = true
	}
	for _, m := range ms {
		if done[m.version] {
			continue
		}
		if o.UpTo > 0 && m.version > o.UpTo {
			break
		}
		if err := applyMigration(ctx, conn, m, o); err != nil {
			return fmt.Errorf("migrate: %03d_%s: %w", m.version, m.name, err)
		}
	}

	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", scrub(err))
	}
	defer tx.Rollback()
	// A test stopping at an older schema gets the facilities without
	// today's search columns, which that schema may not have.
	whole := o.UpTo == 0 || len(ms) == 0 || o.UpTo >= ms[len(ms)-1].version
	if err := seedFacilities(ctx, tx, whole); err != nil {
		return fmt.Errorf("migrate: facilities: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: facilities: commit: %w", scrub(err))
	}
	return nil
}

// applyMigration runs one migration, its Go step if it has one, and
// records it, in one transaction.
func applyMigration(ctx context.Context, conn *sqlx.Conn, m migration, o MigrateOptions) error {
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return scrub(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return scrub(err)
	}
	sealed := 0
	switch m.version {
	case 5:
		if sealed, err = sealPlaintext(ctx, tx, o.Keys, tables005(), constraints005); err != nil {
			return err
		}
	case 8:
		if sealed, err = migrate008(ctx, tx, o.Keys); err != nil {
			return err
		}
	}
	if m.version == 7 {
		if err := indexStoredNames(ctx, tx, o.Keys); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
		return scrub(err)
	}
	if err := tx.Commit(); err != nil {
		return scrub(err)
	}
	if sealed > 0 {
		// The plaintext rows replaced by their encrypted versions stay in
		// the tables' files until they are rewritten: rewrite them now.
		if _, err := conn.ExecContext(ctx, `VACUUM FULL cases, reporters, case_events`); err != nil {
			return fmt.Errorf("vacuum after encrypting: %w", scrub(err))
		}
	}
	return nil
}

// loadMigrations reads NNN_name.sql files, sorted by NNN.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	paths, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	seen := map[int]string{}
	for _, p := range paths {
		base := strings.TrimSuffix(strings.TrimPrefix(p, "migrations/"), ".sql")
		num, name, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name is not NNN_name.sql", p)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", prev, p, v)
		}
		seen[v] = p
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	if len(ms) == 0 {
		return nil, errors.New("no migrations embedded")
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}
