package storagetest_test

import (
	"testing"

	"github.com/jmoiron/sqlx"

	"hotline/storage/storagetest"
)

// A database handed to one test and then to the next holds none of the
// first test's rows, its sequences start again, and the rows the
// migrations wrote are there: the second test cannot tell it from a fresh
// one.
func TestPostgresIsFreshForEachTest(t *testing.T) {
	var first *sqlx.DB
	facilities := 0
	t.Run("writes", func(t *testing.T) {
		first = storagetest.Postgres(t)
		var id int64
		if err := first.Get(&id, `INSERT INTO reporters (telegram_user_id, chat_id) VALUES (42, 42) RETURNING id`); err != nil {
			t.Fatal(err)
		}
		if id != 1 {
			t.Errorf("first reporter of a fresh database has id %d, want 1", id)
		}
		if err := first.Get(&facilities, `SELECT count(*) FROM facilities`); err != nil || facilities == 0 {
			t.Fatalf("the migrations' facilities: %d, %v", facilities, err)
		}
	})
	t.Run("reads", func(t *testing.T) {
		db := storagetest.Postgres(t)
		if db != first {
			t.Errorf("the second test got a new database; the first one's was not reused")
		}
		var n int
		if err := db.Get(&n, `SELECT count(*) FROM reporters`); err != nil || n != 0 {
			t.Errorf("reporters left from the test before: %d (%v), want 0", n, err)
		}
		var id int64
		if err := db.Get(&id, `INSERT INTO reporters (telegram_user_id, chat_id) VALUES (42, 42) RETURNING id`); err != nil {
			t.Fatal(err)
		}
		if id != 1 {
			t.Errorf("the reporters' ids went on at %d after the test before; want 1", id)
		}
		if err := db.Get(&n, `SELECT count(*) FROM facilities`); err != nil || n != facilities {
			t.Errorf("facilities: %d (%v), want the migrations' %d", n, err, facilities)
		}
	})
}

// A test that changes what deleting rows does not put back — here the
// schema, or the rows the migrations wrote — leaves its database to no one:
// the next test gets another.
func TestPostgresChangedIsNotReused(t *testing.T) {
	for _, change := range []string{
		`CREATE TABLE leftover (x int)`,
		`DELETE FROM facility_aliases`,
		`GRANT SELECT ON reporters TO PUBLIC`,
		`SELECT pg_advisory_lock(7)`,
		`CREATE TEMP TABLE scratch (x int)`,
	} {
		var changed *sqlx.DB
		t.Run("change", func(t *testing.T) {
			changed = storagetest.Postgres(t)
			if _, err := changed.Exec(change); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("next", func(t *testing.T) {
			db := storagetest.Postgres(t)
			if db == changed {
				t.Errorf("after %q the database was handed to the next test", change)
			}
			var left *string
			if err := db.Get(&left, `SELECT to_regclass('leftover')::text`); err != nil || left != nil {
				t.Errorf("after %q the next test sees a table leftover (%v)", change, err)
			}
		})
	}
}
