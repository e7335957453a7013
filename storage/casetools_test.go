package storage_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"hotline/flows"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// reportOf is fullReport for another reporter and detainee.
func reportOf(reporter int64, name, cyr, born, aNumber string) *flows.Report {
	r := fullReport()
	r.ReporterUserID, r.ReporterChatID = reporter, reporter
	r.NameLatin, r.NameCyrillic, r.BirthDate, r.ANumber = name, cyr, born, aNumber
	return r
}

func TestDuplicatesAndMerge(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	keys := storagetest.Keys(t)
	tools := storage.NewCaseTools(db, keys)
	tl := storage.NewTimeline(db, keys)
	subs := storage.NewSubscriptions(db)

	first := storeCase(t, db, reportOf(1, "Ivan Petrov", "Иван Петров", "1985-05-05", "123456789"))
	sameA := storeCase(t, db, reportOf(2, "I. Petrov", "", "", "123456789"))
	sameName := storeCase(t, db, reportOf(3, "Petrov Ivan", "", "1985-05-05", ""))
	cyrOnly := storeCase(t, db, reportOf(4, "Ivan Petroff", "Петров Иван", "1985-05-05", "987654321"))
	other := storeCase(t, db, reportOf(5, "Ivan Petrov", "", "1990-01-01", "111111111"))
	closed := storeCase(t, db, reportOf(6, "Anna Smirnova", "", "1970-01-01", "222222222"))
	setStatus(t, db, tl, closed.ID, flows.StatusClosed, time.Now())
	afterClosed := storeCase(t, db, reportOf(7, "Anna Smirnova", "", "1970-01-01", "222222222"))

	of := func(c flows.Case) []flows.Duplicate {
		t.Helper()
		ds, err := tools.Of(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	want := []flows.Duplicate{
		{CaseID: sameA.ID, Code: sameA.Code, Reason: flows.DupANumber, Newer: true},
		{CaseID: sameName.ID, Code: sameName.Code, Reason: flows.DupNameBirth, Newer: true},
		{CaseID: cyrOnly.ID, Code: cyrOnly.Code, Reason: flows.DupNameBirth, Newer: true},
	}
	if got := of(first); !reflect.DeepEqual(got, want) {
		t.Errorf("duplicates of the first case:\n%+v\nwant\n%+v", got, want)
	}
	if got := of(sameA); len(got) != 1 || got[0].CaseID != first.ID || got[0].Newer {
		t.Errorf("duplicates of the second report: %+v, want the first case", got)
	}
	if got := of(other); len(got) != 0 {
		t.Errorf("another person with the same name is a duplicate: %+v", got)
	}
	if got := of(afterClosed); len(got) != 0 {
		t.Errorf("a report matching a closed case is linked to it: %+v", got)
	}

	// Bad merges change nothing.
	for _, m := range []struct {
		from, into int64
		want       error
	}{
		{first.ID, first.ID, storage.ErrInvalid},
		{sameA.ID, 999999, storage.ErrNotFound},
		{sameA.ID, closed.ID, flows.ErrClosed},
	} {
		if err := tools.Merge(ctx, m.from, m.into, "tg:1", ""); !errors.Is(err, m.want) {
			t.Errorf("Merge(%d, %d) = %v, want %v", m.from, m.into, err, m.want)
		}
	}

	note := record(t, tl, flows.Event{CaseID: sameA.ID, Kind: flows.EventNote, Note: "the brother called"})
	if err := subs.Subscribe(ctx, sameA.ID, 501, "en"); err != nil {
		t.Fatal(err)
	}
	if err := tools.Merge(ctx, sameA.ID, first.ID, "tg:1", "u7"); err != nil {
		t.Fatal(err)
	}
	// The merging update handled again finds it done; any other is refused.
	if err := tools.Merge(ctx, sameA.ID, first.ID, "tg:1", "u7"); err != nil {
		t.Errorf("the merge again by its update: %v", err)
	}
	for _, op := range []string{"u8", ""} {
		if err := tools.Merge(ctx, sameA.ID, first.ID, "tg:1", op); !errors.Is(err, flows.ErrMerged) {
			t.Errorf("merging again by %q: %v, want ErrMerged", op, err)
		}
	}
	// One timeline: the merged case's events are the case's, and a change
	// recorded through the merged case's id lands there too.
	record(t, tl, flows.Event{CaseID: sameA.ID, Kind: flows.EventStatus, Status: flows.StatusLawyer, Public: true})
	files, err := tl.Find(ctx, first.Code, "")
	if err != nil || len(files) != 1 {
		t.Fatalf("Find: %v, %v", files, err)
	}
	var kinds []string
	for _, e := range files[0].Events {
		kinds = append(kinds, e.Kind+":"+e.Status+e.Note)
	}
	if want := []string{"status:lawyer_found", "note:the brother called", "status:new", "status:new"}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("the case's timeline %v, want %v", kinds, want)
	}
	st, err := tl.Status(ctx, sameA.Code)
	if err != nil || st.Status != flows.StatusLawyer || st.Code != sameA.Code {
		t.Errorf("Status of the merged code: %+v, %v; want lawyer_found under its own code", st, err)
	}
	// Both reporters and the merged case's subscriber hear of the case,
	// each under the code they know.
	rs, err := subs.Recipients(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantR := []flows.Recipient{
		{ChatID: 1, Lang: "ru", Reporter: true, Code: first.Code},
		{ChatID: 2, Lang: "ru", Reporter: true, Code: sameA.Code},
		{ChatID: 501, Lang: "en", Code: sameA.Code},
	}
	if !reflect.DeepEqual(rs, wantR) {
		t.Errorf("recipients\n%+v\nwant\n%+v", rs, wantR)
	}
	// The other links of the merged case now point at the case.
	if got := of(first); len(got) != 2 || got[0].CaseID != sameName.ID || got[1].CaseID != cyrOnly.ID {
		t.Errorf("duplicates after the merge: %+v", got)
	}

	// /forget by the merged case's reporter still erases its internal note.
	if _, err := storage.NewReporters(db, storagetest.Keys(t)).Forget(ctx, 2); err != nil {
		t.Fatal(err)
	}
	var left []byte
	if err := db.Get(&left, `SELECT note FROM case_events WHERE id = $1`, note.ID); err != nil || left != nil {
		t.Errorf("the merged case's note after /forget: %x, %v", left, err)
	}
}

func TestTranscripts(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	keys := storagetest.Keys(t)
	tools := storage.NewCaseTools(db, keys)
	a := storeCase(t, db, reportOf(1, "Ivan Petrov", "", "1985-05-05", "123456789"))
	b := storeCase(t, db, reportOf(2, "Ivan Petrov", "", "1985-05-05", "123456789"))
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	add := func(code string, fromVol bool, kind, text, key string, min int) {
		t.Helper()
		err := tools.Add(ctx, flows.CaseMessage{CaseCode: code, FromVolunteer: fromVol, Volunteer: 77,
			Kind: kind, Text: text, Key: key, At: at.Add(time.Duration(min) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
	}
	add(a.Code, true, "text", "Hello, this is the hotline", "k1", 0)
	add(a.Code, false, "text", "Он в Элое", "k2", 1)
	add(a.Code, false, "text", "Он в Элое", "k2", 1) // the same update again
	add(b.Code, false, "photo", "notice of transfer", "k3", 2)
	if err := tools.Add(ctx, flows.CaseMessage{CaseCode: "22222222", Kind: "text", Text: "x"}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Add to an unknown case: %v", err)
	}

	page := func(id int64, skip, limit int) ([]string, int) {
		t.Helper()
		ms, total, err := tools.Page(ctx, id, skip, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			out = append(out, m.Kind+":"+m.Text)
		}
		return out, total
	}
	if got, n := page(a.ID, 0, 10); n != 2 || !reflect.DeepEqual(got, []string{"text:Hello, this is the hotline", "text:Он в Элое"}) {
		t.Errorf("page of a: %v of %d", got, n)
	}
	if err := tools.Merge(ctx, b.ID, a.ID, "tg:1", ""); err != nil {
		t.Fatal(err)
	}
	if got, n := page(a.ID, 1, 1); n != 3 || !reflect.DeepEqual(got, []string{"text:Он в Элое"}) {
		t.Errorf("second page of the merged conversation: %v of %d", got, n)
	}
	if got, n := page(b.ID, 2, 10); n != 3 || !reflect.DeepEqual(got, []string{"photo:notice of transfer"}) {
		t.Errorf("the merged case reads the whole conversation: %v of %d", got, n)
	}
	var bodies []string
	if err := db.Select(&bodies, `SELECT encode(body, 'escape') FROM case_messages`); err != nil {
		t.Fatal(err)
	}
	for _, body := range bodies {
		if strings.Contains(body, "hotline") || strings.Contains(body, "transfer") {
			t.Errorf("a message is stored in clear: %q", body)
		}
	}

	// Erasure takes the conversation and the name index of the case.
	if _, err := storage.NewReporters(db, storagetest.Keys(t)).Forget(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if got, n := page(a.ID, 0, 10); n != 1 || !reflect.DeepEqual(got, []string{"photo:notice of transfer"}) {
		t.Errorf("after the first reporter's /forget: %v of %d, want the second reporter's alone", got, n)
	}
	var indexed int
	if err := db.Get(&indexed, `SELECT count(*) FROM case_name_index WHERE case_id = $1`, a.ID); err != nil || indexed != 0 {
		t.Errorf("name index rows of an erased case: %d, %v", indexed, err)
	}
	// An erased case keeps nothing more.
	add(a.Code, false, "text", "one more", "k4", 3)
	if _, n := page(a.ID, 0, 10); n != 1 {
		t.Errorf("an erased case kept a new message: %d messages", n)
	}
}

func TestFindName(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	old, current := newKey(t), newKey(t)
	c := storeUnder(t, db, keyring(t, old), 1)[0] // Ivanov Sergey, Иванов Сергей
	find := func(ring *storage.Keyring, name string) []string {
		t.Helper()
		files, err := storage.NewCaseTools(db, ring).FindName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range files {
			out = append(out, f.Case.Code)
		}
		return out
	}
	for _, q := range []string{"Ivanov", "иванов", "Sergei Ivanov", "Сергей", "IVANOV SERGEY"} {
		if got := find(keyring(t, old), q); !reflect.DeepEqual(got, []string{c.Code}) {
			t.Errorf("FindName(%q) = %v, want %s", q, got, c.Code)
		}
	}
	for _, q := range []string{"Petrov", "Ivanov Petr", "", "!!"} {
		if got := find(keyring(t, old), q); len(got) != 0 {
			t.Errorf("FindName(%q) = %v, want none", q, got)
		}
	}
	// During a rotation the old key still finds it; after it, the new key
	// alone does.
	ring := keyring(t, current, old)
	if got := find(ring, "Ivanov"); len(got) != 1 {
		t.Errorf("with both keys: %v", got)
	}
	if _, err := storage.RotateKeys(ctx, db, ring, 0, nil); err != nil {
		t.Fatal(err)
	}
	if got := find(keyring(t, current), "Сергей Иванов"); !reflect.DeepEqual(got, []string{c.Code}) {
		t.Errorf("after the rotation, with the new key alone: %v", got)
	}
}

// TestIndexStoredNames: migration 007 indexes the names of the cases
// stored before it.
func TestIndexStoredNames(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	keys := storagetest.Keys(t)
	c, err := storage.NewCases(db, keys).Create(ctx, &flows.Report{DraftID: "before-007", Consent: true,
		NameLatin: "Ivan Petrov", ReporterUserID: 1, ReporterChatID: 1})
	if err != nil {
		t.Fatal(err)
	}
	// As stored before the migration: no index.
	if _, err := db.Exec(`DELETE FROM case_name_index`); err != nil {
		t.Fatal(err)
	}
	tools := storage.NewCaseTools(db, keys)
	if files, err := tools.FindName(ctx, "Petrov"); err != nil || len(files) != 0 {
		t.Fatalf("found without an index: %d, %v", len(files), err)
	}
	if err := storage.IndexStoredNames(ctx, db, keys); err != nil {
		t.Fatal(err)
	}
	if files, err := tools.FindName(ctx, "Петров"); err != nil || len(files) != 1 || files[0].Case.ID != c.ID {
		t.Errorf("after the migration's step: %d cases, %v", len(files), err)
	}
	err = storage.IndexStoredNames(ctx, db, nil)
	if !errors.Is(err, storage.ErrNoKeys) {
		t.Errorf("without keys: %v, want ErrNoKeys", err)
	}
}
