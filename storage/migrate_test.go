package storage_test

import (
	"context"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"hotline/storage"
	"hotline/storage/storagetest"
)

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
	u := storagetest.EmptyPostgresURL(t)
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
