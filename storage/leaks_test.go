package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"hotline/flows"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// TestErrorsCarryNoPersonalData: what the stores refuse, and what they
// cannot read, they report without quoting it — errors end up in logs.
// (Create's refusals: TestCasesCreateRefusesWithoutLeakingData.)
func TestErrorsCarryNoPersonalData(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	rdb, prefix := storagetest.Redis(t)
	keys := storagetest.Keys(t)
	tl := storage.NewTimeline(db, keys)
	sessions := storage.NewSessions(rdb, prefix, time.Hour)
	c := storeCase(t, db, fullReport())

	// Values that must not show in an error, in the forms people type.
	secret := []string{"Petrov", "Петров", "123456789", "123-456-789", "1985-05-05", "05.05.1985",
		"555-0100", "5205550100", "maria@example.org"}
	tests := []struct {
		name string
		do   func() error
	}{
		{"note without text but a status", func() error {
			_, err := tl.Record(ctx, flows.Event{CaseID: c.ID, Kind: flows.EventNote, Status: "Petrov 123456789"})
			return err
		}},
		{"unknown status", func() error {
			_, err := tl.Record(ctx, flows.Event{CaseID: c.ID, Kind: flows.EventStatus, Status: "Иван Петров 1985-05-05"})
			return err
		}},
		{"malformed date", func() error {
			_, err := tl.Record(ctx, flows.Event{CaseID: c.ID, Kind: flows.EventStatus, Status: flows.StatusDeportation, Date: "05.05.1985 Petrov"})
			return err
		}},
		{"event of no case", func() error {
			_, err := tl.Record(ctx, flows.Event{CaseID: 987654, Kind: flows.EventNote, Note: "call +1 (520) 555-0100, Petrov"})
			return err
		}},
		{"status of a code that is personal data", func() error {
			_, err := tl.Status(ctx, "A123-456-789 Petrov")
			return err
		}},
		{"case of a code that is personal data", func() error {
			_, _, err := storage.NewCases(db, keys).Get(ctx, "maria@example.org 5205550100")
			return err
		}},
		{"unreadable session", func() error {
			raw := `{"c":1,"d":{"nl":"Ivan Petrov","an":"123456789","bd":"1985-05-05"`
			if err := rdb.Set(ctx, prefix+"s:1", raw, time.Minute).Err(); err != nil {
				t.Fatal(err)
			}
			_, err := sessions.Get(ctx, 1)
			return err
		}},
	}
	for _, tt := range tests {
		err := tt.do()
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		for _, s := range secret {
			if strings.Contains(err.Error(), s) {
				t.Errorf("%s: error %q quotes %q", tt.name, err, s)
			}
		}
	}
}
