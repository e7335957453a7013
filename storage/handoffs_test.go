package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"hotline/flows"
	"hotline/storage"
	"hotline/storage/storagetest"
)

func TestHandoffHistory(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	s := storage.NewHandoffs(db)
	cases := storage.NewCases(db, storagetest.Keys(t))

	r := fullReport()
	r.ReporterUserID, r.ReporterChatID = 4242, 4242
	r.Urgent = []string{"flight"}
	cs, err := cases.Create(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	linked, err := s.LatestCase(ctx, 4242)
	if err != nil {
		t.Fatal(err)
	}
	if linked.Code != cs.Code || !linked.Urgent || linked.Created.IsZero() {
		t.Errorf("LatestCase = %+v, want %s, urgent", linked, cs.Code)
	}
	if _, err := s.LatestCase(ctx, 1); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("LatestCase of a user without cases: %v", err)
	}

	day := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return day.Add(time.Duration(min) * time.Minute) }
	ps := []flows.Pairing{
		{ID: "a", ChatID: 4242, Ticket: 1, Volunteer: 9, CaseCode: cs.Code, Urgent: true, Lang: "ru", Queued: at(0), Taken: at(2)},
		{ID: "b", ChatID: 5, Ticket: 2, Volunteer: 9, Lang: "en", Queued: at(0), Taken: at(10)},
		{ID: "c", ChatID: 6, Ticket: 3, Volunteer: 8, Lang: "en", Queued: at(0), Taken: at(30)},
		// Taken yesterday, closed today: handled today, not in today's waits.
		{ID: "d", ChatID: 7, Ticket: 4, Volunteer: 8, Lang: "en", Queued: day.Add(-time.Hour), Taken: day.Add(-time.Minute)},
	}
	for _, p := range ps {
		if err := s.Start(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := s.Start(ctx, p); err != nil {
			t.Fatalf("Start again: %v", err)
		}
	}
	for _, e := range []struct {
		id, outcome string
		at          time.Time
	}{{"a", flows.EndDone, at(20)}, {"a", flows.EndReleased, at(21)}, {"b", flows.EndUser, at(25)},
		{"c", flows.EndReleased, at(40)}, {"d", flows.EndDone, at(1)}} {
		if err := s.End(ctx, e.id, e.outcome, e.at); err != nil {
			t.Fatal(err)
		}
	}

	var row struct {
		Chat    int64     `db:"chat_id"`
		Vol     int64     `db:"volunteer_id"`
		CaseID  *int64    `db:"case_id"`
		Wait    int       `db:"wait_seconds"`
		Outcome string    `db:"outcome"`
		Closed  time.Time `db:"closed_at"`
	}
	if err := db.Get(&row, `SELECT chat_id, volunteer_id, case_id, wait_seconds, outcome, closed_at FROM handoffs WHERE id = 'a'`); err != nil {
		t.Fatal(err)
	}
	if row.Chat != 4242 || row.Vol != 9 || row.CaseID == nil || *row.CaseID != cs.ID || row.Wait != 120 ||
		row.Outcome != flows.EndDone || !row.Closed.Equal(at(20)) {
		t.Errorf("row a = %+v; want the first end kept", row)
	}

	st, err := s.Stats(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	want := flows.HandoffStats{Taken: 3, Handled: 3, MedianWait: 10 * time.Minute}
	if st != want {
		t.Errorf("Stats = %+v, want %+v", st, want)
	}
	if st, _ := s.Stats(ctx, day.Add(24*time.Hour)); st != (flows.HandoffStats{}) {
		t.Errorf("Stats of tomorrow = %+v", st)
	}
}
