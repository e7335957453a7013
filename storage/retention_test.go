package storage_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"hotline/flows"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// setStatus records a status event and moves it back to when.
func setStatus(t *testing.T, db *sqlx.DB, tl *storage.Timeline, caseID int64, status string, when time.Time) {
	t.Helper()
	e := record(t, tl, flows.Event{CaseID: caseID, Kind: flows.EventStatus, Status: status, Public: true})
	if _, err := db.Exec(`UPDATE case_events SET created_at = $1 WHERE id = $2`, when, e.ID); err != nil {
		t.Fatal(err)
	}
}

// hasPersonal reports whether a case still shows its personal fields.
func hasPersonal(t *testing.T, cases *storage.Cases, code string) bool {
	t.Helper()
	r, _, err := cases.Get(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return r.NameLatin != "" || r.ANumber != "" || r.BirthDate != "" || r.ReporterPhone != "" || r.LawyerPhone != ""
}

// TestRetentionPurge: with 180 days of retention, a case closed 181 days
// ago loses its personal fields, its internal notes' text and — when it
// was their last — its reporter's contact; one closed 179 days ago, one
// reopened since, and open ones keep them. Each erasure is in the audit
// log; a second purge erases nothing more.
func TestRetentionPurge(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	keys := storagetest.Keys(t)
	cases := storage.NewCases(db, keys)
	tl := storage.NewTimeline(db, keys)
	audit := storage.NewAudit(db)
	ret := storage.NewRetention(db)
	now := time.Now()
	day := 24 * time.Hour
	cutoff := now.Add(-180 * day)

	old := storeCase(t, db, fullReport())      // closed 181 days ago
	recent := storeCase(t, db, fullReport())   // closed 179 days ago
	reopened := storeCase(t, db, fullReport()) // closed 300 days ago, back in review since
	open := storeCase(t, db, fullReport())     // never closed
	loner := fullReport()                      // released 200 days ago, its reporter's only case
	loner.ReporterUserID, loner.ReporterChatID = 42, 42
	released := storeCase(t, db, loner)

	note := record(t, tl, flows.Event{CaseID: old.ID, Kind: flows.EventNote, Note: "wife asked not to call after 9 pm"})
	public := record(t, tl, flows.Event{CaseID: old.ID, Kind: flows.EventNote, Note: "hearing moved", Public: true})
	setStatus(t, db, tl, old.ID, flows.StatusClosed, now.Add(-181*day))
	setStatus(t, db, tl, recent.ID, flows.StatusClosed, now.Add(-179*day))
	setStatus(t, db, tl, reopened.ID, flows.StatusDeported, now.Add(-300*day))
	setStatus(t, db, tl, reopened.ID, flows.StatusInReview, now.Add(-250*day))
	setStatus(t, db, tl, released.ID, flows.StatusReleased, now.Add(-200*day))

	due, err := ret.Due(ctx, cutoff)
	if err != nil {
		t.Fatal(err)
	}
	codes := func(cs []storage.Closed) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Code)
		}
		return out
	}
	want := []string{released.Code, old.Code} // longest closed first
	if got := codes(due); !slices.Equal(got, want) {
		t.Fatalf("Due = %v, want %v", got, want)
	}
	for _, c := range []flows.Case{old, recent, reopened, open, released} {
		if !hasPersonal(t, cases, c.Code) {
			t.Fatalf("the dry run erased case %s", c.Code)
		}
	}

	erased, err := ret.Purge(ctx, cutoff, flows.ActorSystem)
	if err != nil {
		t.Fatal(err)
	}
	if got := codes(erased); !slices.Equal(got, want) {
		t.Errorf("Purge erased %v, want %v", got, want)
	}
	for _, tt := range []struct {
		c    flows.Case
		kept bool
	}{{old, false}, {recent, true}, {reopened, true}, {open, true}, {released, false}} {
		if got := hasPersonal(t, cases, tt.c.Code); got != tt.kept {
			t.Errorf("case %s keeps its personal fields: %v, want %v", tt.c.Code, got, tt.kept)
		}
		es, _, err := audit.ForCase(ctx, tt.c.ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		purged := len(es) == 1 && es[0].Action == flows.AuditPurge && es[0].Actor == flows.ActorSystem
		if purged == tt.kept || len(es) > 1 {
			t.Errorf("audit of case %s: %+v", tt.c.Code, es)
		}
	}
	// The anonymous timeline stays: the statuses; the text of every note,
	// public or internal, goes, marked as erased by the purge.
	st, err := tl.Status(ctx, old.Code)
	if err != nil || st.Status != flows.StatusClosed || len(st.Notes) != 0 {
		t.Errorf("status of the purged case: %+v, %v", st, err)
	}
	for _, e := range []flows.Event{note, public} {
		var n struct {
			Len    int    `db:"len"`
			Erased string `db:"erased"`
		}
		if err := db.Get(&n, `SELECT coalesce(length(note), 0) AS len, coalesce(note_erased, '') AS erased
			FROM case_events WHERE id = $1`, e.ID); err != nil || n.Len != 0 || n.Erased != "purge" {
			t.Errorf("note %d after the purge: %+v, %v; want no text, erased by the purge", e.ID, n, err)
		}
	}
	// The reporter of a purged case who has another case keeps their
	// contact; the one whose only case went loses it.
	contact := func(userID int64) int {
		var n int
		if err := db.Get(&n, `SELECT coalesce(length(name), 0) + coalesce(length(contact), 0) FROM reporters WHERE telegram_user_id = $1`, userID); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if contact(100500) == 0 || contact(42) != 0 {
		t.Errorf("reporters' contacts after the purge: %d and %d; want kept and erased", contact(100500), contact(42))
	}

	again, err := ret.Purge(ctx, cutoff, flows.ActorSystem)
	if err != nil || len(again) != 0 {
		t.Errorf("second purge = %v, %v; want nothing", codes(again), err)
	}
	if es, total, _ := audit.ForCase(ctx, old.ID, 0, 10); total != 1 {
		t.Errorf("audit after the second purge: %+v", es)
	}
}

// TestRetentionPurgeOnceAtATime: while another process purges, Purge
// erases nothing and says so.
func TestRetentionPurgeOnceAtATime(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	tl := storage.NewTimeline(db, storagetest.Keys(t))
	c := storeCase(t, db, fullReport())
	setStatus(t, db, tl, c.ID, flows.StatusClosed, time.Now().Add(-400*24*time.Hour))

	conn, err := db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, int64(0x686f746c696e6570)); err != nil {
		t.Fatal(err)
	}
	ret := storage.NewRetention(db)
	cutoff := time.Now().Add(-180 * 24 * time.Hour)
	if got, err := ret.Purge(ctx, cutoff, flows.ActorSystem); !errors.Is(err, storage.ErrPurging) || len(got) != 0 {
		t.Errorf("Purge while another runs = %v, %v; want ErrPurging", got, err)
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, int64(0x686f746c696e6570)); err != nil {
		t.Fatal(err)
	}
	if got, err := ret.Purge(ctx, cutoff, flows.ActorSystem); err != nil || len(got) != 1 {
		t.Errorf("Purge afterwards = %v, %v; want the case", got, err)
	}
}
