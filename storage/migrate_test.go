package storage_test

import (
	"context"
	"net/url"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"hotline/storage"
	"hotline/storage/storagetest"
)

// emptyDatabaseURL creates a database with nothing in it, not even
// pg_trgm, on the test server, and drops it when the test ends.
func emptyDatabaseURL(t *testing.T) string {
	t.Helper()
	base := storagetest.PostgresURL(t) // skips or fails like every database test
	admin, err := sqlx.Open("postgres", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := storagetest.Name("hotline_empty_")
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE template0`); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sqlx.Open("postgres", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// schemaCounts is what a migrated database holds.
type schemaCounts struct {
	Migrations, Facilities, Aliases, Searchless int
}

func counts(t *testing.T, db *sqlx.DB) schemaCounts {
	t.Helper()
	var c schemaCounts
	err := db.QueryRow(`SELECT
		(SELECT count(*) FROM schema_migrations),
		(SELECT count(*) FROM facilities),
		(SELECT count(*) FROM facility_aliases),
		(SELECT count(*) FROM facilities WHERE search = '')`).
		Scan(&c.Migrations, &c.Facilities, &c.Aliases, &c.Searchless)
	if err != nil {
		t.Fatalf("count: %v", err)
	}
	return c
}

func TestMigrateTwice(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t) // migrated once already
	before := counts(t, db)
	if before.Facilities != 253 || before.Aliases < 40 || before.Searchless != 0 {
		t.Fatalf("after the first migration: %+v; want 253 facilities, 40+ aliases, every search text set", before)
	}
	for range 2 {
		if err := storage.Migrate(ctx, db, storage.MigrateOptions{}); err != nil {
			t.Fatalf("Migrate again: %v", err)
		}
	}
	if got := counts(t, db); got != before {
		t.Errorf("after migrating again: %+v, want %+v", got, before)
	}
}

func TestMigrateConcurrently(t *testing.T) {
	ctx := context.Background()
	u := emptyDatabaseURL(t)
	const replicas = 3
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() {
			db, err := storage.OpenPostgres(ctx, u)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			errs[i] = storage.Migrate(ctx, db, storage.MigrateOptions{})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: Migrate: %v", i, err)
		}
	}
	db, err := storage.OpenPostgres(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := counts(t, db)
	want := counts(t, storagetest.Postgres(t))
	if got != want {
		t.Errorf("after %d replicas migrated at once: %+v, want %+v as after one", replicas, got, want)
	}
	var trgm bool
	if err := db.Get(&trgm, `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')`); err != nil || !trgm {
		t.Errorf("pg_trgm installed = %v (%v), want true", trgm, err)
	}
}
