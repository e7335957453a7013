package storage_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/jmoiron/sqlx"

	"hotline/flows"
	"hotline/storage"
	"hotline/storage/storagetest"
)

func TestReportersCases(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	reps := storage.NewReporters(db, storagetest.Keys(t))
	tl := storage.NewTimeline(db, storagetest.Keys(t))
	first := storeCase(t, db, fullReport())
	second := storeCase(t, db, fullReport())
	someoneElse := fullReport()
	someoneElse.ReporterUserID, someoneElse.ReporterChatID = 42, 42
	storeCase(t, db, someoneElse)
	record(t, tl, flows.Event{CaseID: first.ID, Kind: flows.EventStatus, Status: flows.StatusReleased, Public: true})

	got, err := reps.Cases(ctx, 100500)
	if err != nil {
		t.Fatal(err)
	}
	var codes, statuses []string
	for _, c := range got {
		codes = append(codes, c.Code)
		statuses = append(statuses, c.Status)
	}
	if want := []string{second.Code, first.Code}; !slices.Equal(codes, want) {
		t.Errorf("codes %v, want %v (newest first, only the user's)", codes, want)
	}
	if want := []string{flows.StatusNew, flows.StatusReleased}; !slices.Equal(statuses, want) {
		t.Errorf("statuses %v, want %v", statuses, want)
	}
	if got, err := reps.Cases(ctx, 7); err != nil || len(got) != 0 {
		t.Errorf("a user with no cases: %v, %v", got, err)
	}
}

// caseColumns reads the columns Forget must erase, as stored (encrypted).
type caseColumns struct {
	FacilityText                                                         []byte
	NameLatin, NameCyrillic, BirthCountry, Citizenship, CircumstanceNote []byte
	LawyerName, LawyerPhone, Appeals, ReporterName, Relationship         []byte
	ReporterContact, BirthDate, ANumber, ANumberIndex                    []byte
}

func storedCase(t *testing.T, db *sqlx.DB, id int64) caseColumns {
	t.Helper()
	var c caseColumns
	err := db.Get(&c, `SELECT name_latin AS namelatin, name_cyrillic AS namecyrillic,
		birth_country AS birthcountry, citizenship, circumstance_note AS circumstancenote,
		facility_text AS facilitytext, lawyer_name AS lawyername, lawyer_phone AS lawyerphone, appeals,
		reporter_name AS reportername, relationship, reporter_contact AS reportercontact,
		birth_date AS birthdate, a_number AS anumber, a_number_index AS anumberindex
		FROM cases WHERE id = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestReportersForget(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	reps := storage.NewReporters(db, storagetest.Keys(t))
	tl := storage.NewTimeline(db, storagetest.Keys(t))
	subs := storage.NewSubscriptions(db)
	r := fullReport()
	r.FacilityText = "a jail near Phoenix"
	r.FacilityShare = true
	mine := storeCase(t, db, r)
	mine2 := storeCase(t, db, fullReport())
	theirs := fullReport()
	theirs.ReporterUserID, theirs.ReporterChatID = 42, 42
	notMine := storeCase(t, db, theirs)
	record(t, tl, flows.Event{CaseID: mine.ID, Kind: flows.EventStatus, Status: flows.StatusLawyer, Note: "a lawyer agreed", Public: true})
	// Internal notes: one of the volunteers' work, one holding the
	// detainee's name and A-number.
	work := record(t, tl, flows.Event{CaseID: mine.ID, Kind: flows.EventNote, Note: "lawyer agreed to take it pro bono"})
	personal := record(t, tl, flows.Event{CaseID: mine.ID, Kind: flows.EventNote, Note: "Sergey's A-number is 012345678"})
	for _, chat := range []int64{301, 100500} {
		if err := subs.Subscribe(ctx, mine.ID, chat, "en"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO handoffs (id, chat_id, ticket, volunteer_id, case_id, queued_at, taken_at, wait_seconds)
		VALUES ('h1', 100500, 1, 501, $1, now(), now(), 0)`, mine.ID); err != nil {
		t.Fatal(err)
	}

	got, err := reps.Forget(ctx, 100500)
	if err != nil {
		t.Fatal(err)
	}
	if want := (flows.Erased{Reporter: true, Cases: 2}); got != want {
		t.Errorf("Forget = %+v, want %+v", got, want)
	}
	for _, id := range []int64{mine.ID, mine2.ID} {
		if c := storedCase(t, db, id); !reflect.DeepEqual(c, caseColumns{}) {
			t.Errorf("case %d after Forget still holds %+v", id, c)
		}
		var marks int
		if err := db.Get(&marks, `SELECT cardinality(urgent) FROM cases WHERE id = $1`, id); err != nil || marks != 0 {
			t.Errorf("case %d after Forget keeps %d urgency marks (health data), %v", id, marks, err)
		}
	}
	var rep struct{ Name, Relationship, Contact []byte }
	if err := db.Get(&rep, `SELECT name, relationship, contact FROM reporters WHERE id = (SELECT reporter_id FROM cases WHERE id = $1)`, mine.ID); err != nil {
		t.Fatal(err)
	}
	if rep.Name != nil || rep.Relationship != nil || rep.Contact != nil {
		t.Errorf("reporter row after Forget: %+v", rep)
	}
	// Nothing links the account to the cases any more.
	var links int
	if err := db.Get(&links, `SELECT
		(SELECT count(*) FROM reporters WHERE telegram_user_id = 100500 OR chat_id = 100500) +
		(SELECT count(*) FROM handoffs WHERE chat_id = 100500 AND case_id IS NOT NULL) +
		(SELECT count(*) FROM subscriptions WHERE chat_id = 100500) +
		(SELECT count(*) FROM audit_log WHERE actor = 'tg:100500')`); err != nil || links != 0 {
		t.Errorf("%d rows still link the account to its cases, %v", links, err)
	}
	// The volunteers' work note stays; the one with personal data goes,
	// marked as erased at the reporter's request.
	for _, tt := range []struct {
		e      flows.Event
		erased string
	}{{work, ""}, {personal, "forget"}} {
		var n struct {
			Len    int    `db:"len"`
			Erased string `db:"erased"`
		}
		if err := db.Get(&n, `SELECT coalesce(length(note), 0) AS len, coalesce(note_erased, '') AS erased
			FROM case_events WHERE id = $1`, tt.e.ID); err != nil || (n.Len == 0) != (tt.erased != "") || n.Erased != tt.erased {
			t.Errorf("note %q after Forget: %+v, %v; want erased %q", tt.e.Note, n, err, tt.erased)
		}
	}
	if c := storedCase(t, db, notMine.ID); c.NameLatin == nil || c.ReporterContact == nil || c.ANumberIndex == nil {
		t.Errorf("another reporter's case was erased: %+v", c)
	}

	// What is not personal stays: the code, the statuses, the status
	// view without its public note, and the other subscribers; the
	// reporter is no longer told.
	st, err := tl.Status(ctx, mine.Code)
	if err != nil || st.Status != flows.StatusLawyer || len(st.Notes) != 0 {
		t.Errorf("status after Forget: %+v, %v", st, err)
	}
	rs, err := subs.Recipients(ctx, mine.ID)
	if err != nil || len(rs) != 1 || rs[0].ChatID != 301 {
		t.Errorf("recipients after Forget: %+v, %v; want the friend alone", rs, err)
	}
	if cs, _ := reps.Cases(ctx, 100500); len(cs) != 0 {
		t.Errorf("/mycases after Forget: %d cases, want none", len(cs))
	}

	// Nothing left to erase.
	if got, err := reps.Forget(ctx, 100500); err != nil || got != (flows.Erased{}) {
		t.Errorf("second Forget = %+v, %v; want nothing erased", got, err)
	}
	if got, err := reps.Forget(ctx, 7); err != nil || got != (flows.Erased{}) {
		t.Errorf("Forget of a stranger = %+v, %v", got, err)
	}
}
