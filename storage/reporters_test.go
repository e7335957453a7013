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
	reps := storage.NewReporters(db)
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
	FacilityText                                                         string
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
	reps := storage.NewReporters(db)
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
	if err := subs.Subscribe(ctx, mine.ID, 301, "en"); err != nil {
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
	}
	var rep struct{ Name, Relationship, Contact []byte }
	if err := db.Get(&rep, `SELECT name, relationship, contact FROM reporters WHERE telegram_user_id = 100500`); err != nil {
		t.Fatal(err)
	}
	if rep.Name != nil || rep.Relationship != nil || rep.Contact != nil {
		t.Errorf("reporter row after Forget: %+v", rep)
	}
	if c := storedCase(t, db, notMine.ID); c.NameLatin == nil || c.ReporterContact == nil || c.ANumberIndex == nil {
		t.Errorf("another reporter's case was erased: %+v", c)
	}

	// What is not personal stays: the code, the timeline, the status view,
	// the subscribers and the reporter's notifications.
	st, err := tl.Status(ctx, mine.Code)
	if err != nil || st.Status != flows.StatusLawyer || len(st.Notes) != 1 {
		t.Errorf("status after Forget: %+v, %v", st, err)
	}
	rs, err := subs.Recipients(ctx, mine.ID)
	if err != nil || len(rs) != 2 {
		t.Errorf("recipients after Forget: %+v, %v", rs, err)
	}
	if cs, _ := reps.Cases(ctx, 100500); len(cs) != 2 {
		t.Errorf("/mycases after Forget: %d cases, want 2", len(cs))
	}

	// Nothing left to erase.
	if got, err := reps.Forget(ctx, 100500); err != nil || got != (flows.Erased{}) {
		t.Errorf("second Forget = %+v, %v; want nothing erased", got, err)
	}
	if got, err := reps.Forget(ctx, 7); err != nil || got != (flows.Erased{}) {
		t.Errorf("Forget of a stranger = %+v, %v", got, err)
	}
}
