package storage_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"hotline/flows"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// fullReport answers every question of the report flow.
func fullReport() *flows.Report {
	return &flows.Report{
		DraftID:          "d-" + storagetest.Name(""),
		Consent:          true,
		NameLatin:        "Ivanov Sergey",
		NameCyrillic:     "Иванов Сергей",
		BirthDate:        "1987-04-02",
		BirthCountry:     "RU",
		Citizenship:      "RU",
		ANumber:          "012345678",
		DetainedOn:       "2026-03-12",
		Circumstance:     "checkin",
		CircumstanceNote: "went to a routine check-in in Phoenix",
		FacilityText:     "",
		FacilityShare:    true,
		HasLawyer:        true,
		LawyerName:       "Jane Roe",
		LawyerPhone:      "+1 602 555 0100",
		HearingDate:      "2026-05-20",
		Appeals:          "BIA appeal filed in February",
		Urgent:           []string{"flight", "medical"},
		ReporterName:     "Мария",
		Relationship:     "wife",
		ReporterPhone:    "@maria_i",
		ReporterChatID:   100500,
		ReporterUserID:   100500,
		Lang:             "ru",
	}
}

func facilityID(t *testing.T, db *sqlx.DB, code string) int64 {
	t.Helper()
	var id int64
	if err := db.Get(&id, `SELECT id FROM facilities WHERE code = $1`, code); err != nil {
		t.Fatalf("facility %s: %v", code, err)
	}
	return id
}

func TestCasesCreateStoresEveryField(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	cases := storage.NewCases(db, storagetest.Keys(t))

	full := fullReport()
	full.FacilityID = facilityID(t, db, "EAZ")
	sparse := &flows.Report{ // "I don't know" wherever it is allowed
		DraftID: "d-sparse", Consent: true, NameLatin: "Petrov Ivan",
		FacilityText: "somewhere in Texas", ReporterChatID: 7, ReporterUserID: 7, Lang: "en",
	}
	for _, want := range []*flows.Report{full, sparse} {
		c, err := cases.Create(ctx, want)
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		if c.ID == 0 || c.Created.IsZero() {
			t.Errorf("Create returned %+v, want an id and a creation time", c)
		}
		got, gotCase, err := cases.Get(ctx, flows.FormatCode(c.Code))
		if err != nil {
			t.Fatalf("Get(%s): %v", c.Code, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Get(%s) report =\n%+v\nwant\n%+v", c.Code, got, want)
		}
		if gotCase.ID != c.ID || gotCase.Code != c.Code || !gotCase.Created.Equal(c.Created) {
			t.Errorf("Get(%s) case = %+v, want %+v", c.Code, gotCase, c)
		}
	}

	var events []struct {
		Kind   string `db:"kind"`
		Status string `db:"status"`
		Public bool   `db:"public"`
	}
	if err := db.Select(&events, `SELECT kind, status, public FROM case_events ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[0].Status != "new" || events[0].Kind != "status" || !events[0].Public {
		t.Errorf("case events = %+v, want one public status event \"new\" per case", events)
	}
}

func TestCasesCodes(t *testing.T) {
	ctx := context.Background()
	cases := storage.NewCases(storagetest.Postgres(t), storagetest.Keys(t))
	r := fullReport()
	c, err := cases.Create(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if norm, ok := flows.NormalizeCode(c.Code); !ok || norm != c.Code {
		t.Fatalf("stored code %q is not a normalised case code", c.Code)
	}
	// Forms a friend may type the code in.
	for _, typed := range []string{
		c.Code, strings.ToLower(c.Code), flows.FormatCode(c.Code), "c_" + c.Code,
		" " + strings.ToLower(flows.FormatCode(c.Code)) + " ",
	} {
		if _, got, err := cases.Get(ctx, typed); err != nil || got.ID != c.ID {
			t.Errorf("Get(%q) = case %d, %v; want case %d", typed, got.ID, err, c.ID)
		}
	}
	for _, typed := range []string{"", "ZZZZZZZZ", "nonsense", c.Code + "X"} {
		if _, _, err := cases.Get(ctx, typed); !errors.Is(err, flows.ErrNotFound) {
			t.Errorf("Get(%q): err = %v, want ErrNotFound", typed, err)
		}
	}
}

func TestCasesCreateIdempotent(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	cases := storage.NewCases(db, storagetest.Keys(t))
	r := fullReport()

	const n = 10
	got := make([]flows.Case, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			rr := *r // each caller has its own copy, as the bot would
			got[i], errs[i] = cases.Create(ctx, &rr)
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Create %d: %v", i, errs[i])
		}
		if got[i] != got[0] {
			t.Errorf("Create %d returned %+v, Create 0 returned %+v; want the same case", i, got[i], got[0])
		}
	}
	// And once more, after the fact, with changed answers: still the first case.
	again := *r
	again.NameLatin = "Someone Else"
	c, err := cases.Create(ctx, &again)
	if err != nil || c != got[0] {
		t.Errorf("Create of a stored draft = %+v, %v; want %+v", c, err, got[0])
	}

	var nCases, nEvents, nReporters int
	err = db.QueryRow(`SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM case_events),
		(SELECT count(*) FROM reporters)`).Scan(&nCases, &nEvents, &nReporters)
	if err != nil {
		t.Fatal(err)
	}
	if nCases != 1 || nEvents != 1 || nReporters != 1 {
		t.Errorf("stored %d cases, %d events, %d reporters; want one of each", nCases, nEvents, nReporters)
	}
	stored, _, err := cases.Get(ctx, c.Code)
	if err != nil || stored.NameLatin != r.NameLatin {
		t.Errorf("a repeated Create changed the stored report: %v", err)
	}
}

func TestCasesCreateRetriesTakenCode(t *testing.T) {
	ctx := context.Background()
	cases := storage.NewCases(storagetest.Postgres(t), storagetest.Keys(t))
	codes := []string{"AAAAAAAA", "AAAAAAAA", "BBBBBBBB"}
	storage.SetCodeSource(cases, func() string {
		c := codes[0]
		codes = codes[1:]
		return c
	})
	first, err := cases.Create(ctx, fullReport())
	if err != nil {
		t.Fatal(err)
	}
	second, err := cases.Create(ctx, fullReport())
	if err != nil {
		t.Fatalf("Create with a taken code: %v", err)
	}
	if first.Code != "AAAAAAAA" || second.Code != "BBBBBBBB" {
		t.Errorf("codes = %s, %s; want AAAAAAAA, then BBBBBBBB after a collision", first.Code, second.Code)
	}

	storage.SetCodeSource(cases, func() string { return "AAAAAAAA" })
	if _, err := cases.Create(ctx, fullReport()); err == nil {
		t.Error("Create succeeded although every code it tried was taken")
	}
}

func TestCasesCreateReporterUpdated(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	cases := storage.NewCases(db, storagetest.Keys(t))
	r1 := fullReport()
	r2 := fullReport()
	r2.ReporterPhone = "+7 900 000 00 00"
	r2.ReporterChatID = 555
	r2.Relationship = ""
	for _, r := range []*flows.Report{r1, r2} {
		if _, err := cases.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	var row struct {
		N            int    `db:"n"`
		ChatID       int64  `db:"chat_id"`
		UserID       int64  `db:"telegram_user_id"`
		Contact      []byte `db:"contact"`
		Relationship []byte `db:"relationship"`
	}
	if err := db.Get(&row, `SELECT count(*) OVER () AS n, chat_id, telegram_user_id, contact, relationship FROM reporters`); err != nil {
		t.Fatal(err)
	}
	var got struct {
		N                     int
		ChatID                int64
		Contact, Relationship string
	}
	got.N, got.ChatID = row.N, row.ChatID
	var err error
	for _, f := range []struct {
		column string
		v      []byte
		dst    *string
	}{{"contact", row.Contact, &got.Contact}, {"relationship", row.Relationship, &got.Relationship}} {
		if *f.dst, err = storage.Open(storagetest.Keys(t), "reporters", f.column, row.UserID, f.v); err != nil {
			t.Fatal(err)
		}
	}
	if got.N != 1 || got.ChatID != 555 || got.Contact != r2.ReporterPhone || got.Relationship != r1.Relationship {
		t.Errorf("reporter after two reports = %+v; want one reporter with the latest chat and contact, the earlier relationship kept", got)
	}
}

func TestCasesCreateRefusesWithoutLeakingData(t *testing.T) {
	ctx := context.Background()
	cases := storage.NewCases(storagetest.Postgres(t), storagetest.Keys(t))
	tests := []struct {
		name   string
		change func(r *flows.Report)
	}{
		{"no draft id", func(r *flows.Report) { r.DraftID = "" }},
		{"no reporter", func(r *flows.Report) { r.ReporterUserID = 0 }},
		{"no consent", func(r *flows.Report) { r.Consent = false }},
		{"bad birth date", func(r *flows.Report) { r.BirthDate = "02.04.1987" }},
		{"impossible date", func(r *flows.Report) { r.DetainedOn = "2026-02-30" }},
		{"bad A-number", func(r *flows.Report) { r.ANumber = "A12345" }},
		{"unknown facility", func(r *flows.Report) { r.FacilityID = 987654 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fullReport()
			tt.change(r)
			_, err := cases.Create(ctx, r)
			if err == nil {
				t.Fatal("Create succeeded, want an error")
			}
			if containsAny(err.Error(), r.NameLatin, r.NameCyrillic, r.BirthDate, r.DetainedOn,
				r.ANumber, r.ReporterName, r.ReporterPhone, r.LawyerPhone, "1987", "12345") {
				t.Errorf("error %q contains personal data", err)
			}
		})
	}
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if sub != "" && strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// BenchmarkCasesCreate reports storing one report (one transaction).
func BenchmarkCasesCreate(b *testing.B) {
	ctx := context.Background()
	cases := storage.NewCases(storagetest.Postgres(b), storagetest.Keys(b))
	r := fullReport()
	for i := 0; b.Loop(); i++ {
		r.DraftID = storagetest.Name("bench")
		if _, err := cases.Create(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCasesFiles: the files of a report are kept sealed with its facts;
// those added after it (the conversation, news) are kept once each, and
// survive the completion of an urgent report.
func TestCasesFiles(t *testing.T) {
	ctx := context.Background()
	cases := storage.NewCases(storagetest.Postgres(t), storagetest.Keys(t))
	r := fullReport()
	r.Facts.Files = []int{11, 12}
	c, err := cases.Create(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if err := cases.AddFiles(ctx, c.ID, []int{12, 13}); err != nil {
		t.Fatal(err)
	}
	r.Filed, r.Facts.Files = c.Code, []int{11}
	if err := cases.Complete(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, _, err := cases.Get(ctx, c.Code)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{11, 12, 13}; !reflect.DeepEqual(got.Facts.Files, want) {
		t.Errorf("files %v, want %v", got.Facts.Files, want)
	}
}
