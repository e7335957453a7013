package storage_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"hotline/flows"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// personal lists the personal values of fullReport, which no public view
// may carry.
func personal(r *flows.Report) []string {
	return []string{r.NameLatin, r.NameCyrillic, r.BirthDate, r.ANumber, r.CircumstanceNote,
		r.LawyerName, r.LawyerPhone, r.Appeals, r.ReporterName, r.ReporterPhone, "1987", "345678"}
}

// storeCase stores a report and returns its case.
func storeCase(t *testing.T, db *sqlx.DB, r *flows.Report) flows.Case {
	t.Helper()
	c, err := storage.NewCases(db, storagetest.Keys(t)).Create(context.Background(), r)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return c
}

func record(t *testing.T, tl *storage.Timeline, e flows.Event) flows.Event {
	t.Helper()
	got, err := tl.Record(context.Background(), e)
	if err != nil {
		t.Fatalf("Record(%+v): %v", e, err)
	}
	return got
}

func TestTimelineStatusIsDerivedFromEvents(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	tl := storage.NewTimeline(db, storagetest.Keys(t))
	r := fullReport()
	r.FacilityID = facilityID(t, db, "EAZ")
	c := storeCase(t, db, r)

	st, err := tl.Status(ctx, strings.ToLower(flows.FormatCode(c.Code)))
	if err != nil {
		t.Fatalf("Status of a new case: %v", err)
	}
	if st.CaseID != c.ID || st.Code != c.Code || st.Status != flows.StatusNew || st.Since.IsZero() ||
		st.FacilityID != r.FacilityID || !st.FacilityShared || len(st.Notes) != 0 {
		t.Fatalf("new case: %+v", st)
	}

	otay := facilityID(t, db, "CCASDCA")
	record(t, tl, flows.Event{CaseID: c.ID, Kind: flows.EventStatus, Status: flows.StatusInReview, Public: true, Actor: "tg:1"})
	record(t, tl, flows.Event{CaseID: c.ID, Kind: flows.EventNote, Note: "internal: called the facility", Actor: "tg:1"})
	record(t, tl, flows.Event{CaseID: c.ID, Kind: flows.EventStatus, Status: flows.StatusTransferred, FacilityID: otay,
		Note: "moved overnight", Public: true, Actor: "tg:1"})
	record(t, tl, flows.Event{CaseID: c.ID, Kind: flows.EventNote, Note: "lawyer visits on Monday", Public: true, Actor: "tg:1"})
	last := record(t, tl, flows.Event{CaseID: c.ID, Kind: flows.EventStatus, Status: flows.StatusDeportation,
		Date: "2026-04-02", Public: true, Actor: "tg:2"})

	st, err = tl.Status(ctx, c.Code)
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != flows.StatusDeportation || st.Date != "2026-04-02" || !st.Since.Equal(last.At) {
		t.Errorf("status %q date %q since %v; want the latest status event's (%v)", st.Status, st.Date, st.Since, last.At)
	}
	if st.FacilityID != otay || st.FacilityText != "" {
		t.Errorf("facility %d %q, want the transfer's %d", st.FacilityID, st.FacilityText, otay)
	}
	var notes []string
	for _, n := range st.Notes {
		notes = append(notes, n.Note)
	}
	if want := []string{"lawyer visits on Monday", "moved overnight"}; !slices.Equal(notes, want) {
		t.Errorf("public notes %q, want %q (newest first, no internal note)", notes, want)
	}
	view := fmt.Sprintf("%+v", st)
	for _, p := range append(personal(r), "internal") {
		if strings.Contains(view, p) {
			t.Errorf("status view carries %q: %s", p, view)
		}
	}

	// The history is kept: five events after "new", none overwritten.
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM case_events WHERE case_id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	if n != 6 {
		t.Errorf("%d events, want 6", n)
	}

	// A transfer to an unknown place: the old facility is no longer current.
	record(t, tl, flows.Event{CaseID: c.ID, Kind: flows.EventStatus, Status: flows.StatusTransferred, Public: true})
	if st, _ := tl.Status(ctx, c.Code); st.FacilityID != 0 || st.FacilityText != "" {
		t.Errorf("after a transfer to an unknown place: facility %d %q", st.FacilityID, st.FacilityText)
	}
}

func TestTimelineStatusNotFound(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	tl := storage.NewTimeline(db, storagetest.Keys(t))
	storeCase(t, db, fullReport())
	for _, code := range []string{"K7M4Q9XP", "nonsense", "", "K7M4-Q9XP-EXTRA"} {
		if _, err := tl.Status(ctx, code); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Status(%q) = %v, want ErrNotFound", code, err)
		}
	}
}

func TestTimelineRecordIsIdempotentByKey(t *testing.T) {
	db := storagetest.Postgres(t)
	tl := storage.NewTimeline(db, storagetest.Keys(t))
	c := storeCase(t, db, fullReport())
	e := flows.Event{CaseID: c.ID, Kind: flows.EventStatus, Status: flows.StatusLawyer, Note: "a lawyer agreed",
		Public: true, Actor: "tg:9", Key: "u:abc"}
	first := record(t, tl, e)
	if first.ID == 0 || first.At.IsZero() || first.Status != e.Status || first.Note != e.Note || first.Key != "u:abc" {
		t.Fatalf("Record returned %+v", first)
	}
	again := e
	again.Note = "changed on the retry"
	second := record(t, tl, again)
	if second.ID != first.ID || second.Note != first.Note {
		t.Errorf("second Record = %+v, want the first %+v", second, first)
	}
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM case_events WHERE idem_key = 'u:abc'`); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d events with the key, want 1", n)
	}
	// Events without a key are each stored.
	record(t, tl, flows.Event{CaseID: c.ID, Kind: flows.EventNote, Note: "one"})
	record(t, tl, flows.Event{CaseID: c.ID, Kind: flows.EventNote, Note: "one"})
	if err := db.Get(&n, `SELECT count(*) FROM case_events WHERE kind = 'note'`); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d keyless events, want 2", n)
	}
}

func TestTimelineRecordRefuses(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	tl := storage.NewTimeline(db, storagetest.Keys(t))
	c := storeCase(t, db, fullReport())
	tests := []struct {
		name string
		e    flows.Event
		want error
	}{
		{"unknown status", flows.Event{CaseID: c.ID, Kind: flows.EventStatus, Status: "vanished"}, storage.ErrInvalidEvent},
		{"empty note", flows.Event{CaseID: c.ID, Kind: flows.EventNote}, storage.ErrInvalidEvent},
		{"unknown kind", flows.Event{CaseID: c.ID, Kind: "rumour", Note: "x"}, storage.ErrInvalidEvent},
		{"bad date", flows.Event{CaseID: c.ID, Kind: flows.EventStatus, Status: flows.StatusDeportation, Date: "2 April"}, storage.ErrInvalidEvent},
		{"no such case", flows.Event{CaseID: c.ID + 1000, Kind: flows.EventNote, Note: "x"}, storage.ErrNotFound},
	}
	for _, tt := range tests {
		if _, err := tl.Record(ctx, tt.e); !errors.Is(err, tt.want) {
			t.Errorf("%s: Record = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestTimelineFind(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	tl := storage.NewTimeline(db, storagetest.Keys(t))
	first := storeCase(t, db, fullReport())
	second := fullReport() // the same person reported again, by someone else
	second.ReporterUserID, second.ReporterChatID = 200, 200
	c2 := storeCase(t, db, second)
	other := fullReport()
	other.ANumber = "999999999"
	c3 := storeCase(t, db, other)
	record(t, tl, flows.Event{CaseID: first.ID, Kind: flows.EventNote, Note: "internal detail"})

	codes := func(files []flows.CaseFile) []string {
		var out []string
		for _, f := range files {
			out = append(out, f.Case.Code)
		}
		return out
	}
	tests := []struct {
		name, code, aNumber string
		want                []string
	}{
		{"by code", strings.ToLower(flows.FormatCode(c3.Code)), "", []string{c3.Code}},
		{"by A-number, newest first", "", "012345678", []string{c2.Code, first.Code}},
		{"either", c3.Code, "012345678", []string{c3.Code, c2.Code, first.Code}},
		{"nothing", "", "", nil},
		{"no match", "K7M4Q9XP", "111111111", nil},
	}
	for _, tt := range tests {
		files, err := tl.Find(ctx, tt.code, tt.aNumber)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := codes(files); !slices.Equal(got, tt.want) {
			t.Errorf("%s: found %v, want %v", tt.name, got, tt.want)
		}
	}
	files, _ := tl.Find(ctx, first.Code, "")
	f := files[0]
	if f.Report.NameLatin != "Ivanov Sergey" || f.Report.ReporterPhone != "@maria_i" || f.Status.Status != flows.StatusNew {
		t.Errorf("case file: %+v / %+v", f.Report, f.Status)
	}
	if len(f.Events) != 2 || f.Events[0].Note != "internal detail" || f.Events[0].Public {
		t.Errorf("events %+v, want the internal note first, then the first status", f.Events)
	}
}
