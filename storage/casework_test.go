package storage_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"hotline/flows"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// seeded is one of the board's seeded cases and what it should match.
type seeded struct {
	i       int
	id      int64
	code    string
	urgent  bool
	fac     int64 // 0: typed
	owner   int64
	closed  bool
	inDates bool
	soonest int // days from today to its one date to come; 0: none
	quiet   bool
	created time.Time
	taken   time.Duration // report to taken; 0 when never taken
}

const (
	ownerA = 1001
	ownerB = 1002
)

// seedBoard stores 30 cases with every combination the board filters on:
// urgent or not, at Krome, at Eloy or a typed place, owned by A, B or
// nobody, new, in review or closed, a date inside or outside the next 7
// days, quiet or not, reported today, days or weeks ago.
func seedBoard(t *testing.T, db *sqlx.DB) ([]seeded, *storage.Casework) {
	t.Helper()
	ctx := context.Background()
	keys := storagetest.Keys(t)
	cases := storage.NewCases(db, keys)
	work := storage.NewCasework(db, keys)
	timeline := storage.NewTimeline(db, keys)
	fac := storage.NewFacilities(db)
	krome, err := fac.Match(ctx, "krome", 1)
	if err != nil || len(krome) == 0 {
		t.Fatalf("krome: %v", err)
	}
	eloy, err := fac.Match(ctx, "eloy", 1)
	if err != nil || len(eloy) == 0 {
		t.Fatalf("eloy: %v", err)
	}
	for _, id := range []int64{ownerA, ownerB} {
		if err := storage.NewVolunteers(db).Add(ctx, id, flows.RoleVolunteer, 0); err != nil {
			t.Fatal(err)
		}
	}
	var now time.Time
	if err := db.Get(&now, `SELECT now()`); err != nil {
		t.Fatal(err)
	}
	today := time.Date(now.UTC().Year(), now.UTC().Month(), now.UTC().Day(), 0, 0, 0, 0, time.UTC)
	var out []seeded
	for i := range 30 {
		r := fullReport()
		r.HearingDate, r.Urgent = "", nil
		r.ReporterUserID, r.ReporterChatID = int64(5000+i), int64(5000+i)
		s := seeded{i: i, urgent: i%4 == 0}
		if s.urgent {
			r.Urgent = []string{"flight"}
		}
		switch i % 3 {
		case 0:
			r.FacilityID, s.fac = krome[0].ID, krome[0].ID
		case 1:
			r.FacilityID, s.fac = eloy[0].ID, eloy[0].ID
		default:
			r.FacilityText = "Some county jail"
		}
		c, err := cases.Create(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		s.id, s.code = c.ID, c.Code
		switch i % 5 {
		case 0:
			s.owner = ownerA
		case 1:
			s.owner = ownerB
		}
		switch i % 10 {
		case 9:
			s.closed = true
			if _, err := timeline.Record(ctx, flows.Event{CaseID: c.ID, Kind: flows.EventStatus, Status: flows.StatusClosed, Public: true}); err != nil {
				t.Fatal(err)
			}
		case 8:
			if _, err := timeline.Record(ctx, flows.Event{CaseID: c.ID, Kind: flows.EventStatus, Status: flows.StatusInReview, Public: true}); err != nil {
				t.Fatal(err)
			}
		}
		switch i % 6 {
		case 0:
			s.inDates, s.soonest = true, 3
			err = work.SetDate(ctx, c.ID, flows.DateHearing, today.AddDate(0, 0, 3).Format(time.DateOnly), "")
		case 1:
			s.soonest = 10
			err = work.SetDate(ctx, c.ID, flows.DateDeportation, today.AddDate(0, 0, 10).Format(time.DateOnly), "")
		case 2:
			s.inDates, s.soonest = true, 7
			err = work.SetDate(ctx, c.ID, flows.DateCheckIn, today.AddDate(0, 0, 7).Format(time.DateOnly), "")
		}
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case i%8 == 1:
			s.created = now.Add(-10 * 24 * time.Hour)
		case i%2 == 0:
			s.created = now.Add(-3 * 24 * time.Hour)
		default:
			s.created = now
		}
		active := s.created
		if i%7 == 0 {
			active = now.Add(-10 * 24 * time.Hour)
			s.created = active
		}
		s.quiet = active.Before(now.Add(-7 * 24 * time.Hour))
		if _, err := db.Exec(`UPDATE cases SET created_at = $2 WHERE id = $1`, c.ID, s.created); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`UPDATE case_events SET created_at = $2 WHERE case_id = $1`, c.ID, active); err != nil {
			t.Fatal(err)
		}
		if s.owner != 0 {
			s.taken = time.Duration(i+1) * time.Minute
			if _, took, _, err := work.Take(ctx, flows.CaseTake{CaseID: c.ID, UserID: s.owner, At: s.created.Add(s.taken), Op: fmt.Sprint("op", i)}); err != nil || !took {
				t.Fatalf("take %d: %v %v", i, took, err)
			}
		}
		out = append(out, s)
	}
	return out, work
}

// TestBoardFilters: every filter of /cases returns exactly its cases,
// urgent first, then by the soonest date to come (none last), then newest
// first, with the counts on its button; paging by ten reaches every case.
func TestBoardFilters(t *testing.T) {
	t.Parallel()
	db := storagetest.Postgres(t)
	cases, work := seedBoard(t, db)
	ctx := context.Background()
	var now time.Time
	if err := db.Get(&now, `SELECT now()`); err != nil {
		t.Fatal(err)
	}
	base := flows.BoardQuery{User: ownerA, Today: now.UTC().Format(time.DateOnly), Quiet: now.Add(-7 * 24 * time.Hour), Limit: 10}
	krome := cases[0].fac
	want := func(f func(s seeded) bool) []string {
		var sel []seeded
		for _, s := range cases {
			if f(s) {
				sel = append(sel, s)
			}
		}
		sort.SliceStable(sel, func(a, b int) bool {
			if sel[a].urgent != sel[b].urgent {
				return sel[a].urgent
			}
			if da, db := sel[a].soonest, sel[b].soonest; da != db {
				return da != 0 && (db == 0 || da < db)
			}
			return sel[a].id > sel[b].id
		})
		var out []string
		for _, s := range sel {
			out = append(out, s.code)
		}
		return out
	}
	open := func(s seeded) bool { return !s.closed }
	tests := []struct {
		name string
		q    func(q flows.BoardQuery) flows.BoardQuery
		want []string
	}{
		{"new", func(q flows.BoardQuery) flows.BoardQuery { q.Filter = flows.FilterNew; return q },
			want(func(s seeded) bool { return open(s) && s.owner == 0 })},
		{"mine", func(q flows.BoardQuery) flows.BoardQuery { q.Filter = flows.FilterMine; return q },
			want(func(s seeded) bool { return open(s) && s.owner == ownerA })},
		{"urgent", func(q flows.BoardQuery) flows.BoardQuery { q.Filter = flows.FilterUrgent; return q },
			want(func(s seeded) bool { return open(s) && s.urgent })},
		{"dates", func(q flows.BoardQuery) flows.BoardQuery { q.Filter = flows.FilterDates; return q },
			want(func(s seeded) bool { return open(s) && s.inDates })},
		{"quiet", func(q flows.BoardQuery) flows.BoardQuery { q.Filter = flows.FilterQuiet; return q },
			want(func(s seeded) bool { return open(s) && s.quiet })},
		{"krome", func(q flows.BoardQuery) flows.BoardQuery {
			q.Filter, q.Facility = flows.FilterFacility, krome
			return q
		},
			want(func(s seeded) bool { return open(s) && s.fac == krome })},
		{"typed facility", func(q flows.BoardQuery) flows.BoardQuery { q.Filter, q.Facility = flows.FilterFacility, 0; return q },
			want(func(s seeded) bool { return open(s) && s.fac == 0 })},
		{"closed", func(q flows.BoardQuery) flows.BoardQuery {
			q.Filter, q.Status = flows.FilterStatus, flows.StatusClosed
			return q
		},
			want(func(s seeded) bool { return s.closed })},
		{"new status", func(q flows.BoardQuery) flows.BoardQuery {
			q.Filter, q.Status = flows.FilterStatus, flows.StatusNew
			return q
		},
			want(func(s seeded) bool { return !s.closed && s.i%10 != 8 })},
	}
	counts, err := work.Counts(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	byButton := map[string]int{"new": counts.New, "mine": counts.Mine, "urgent": counts.Urgent,
		"dates": counts.Dates, "quiet": counts.Quiet}
	for _, f := range counts.Facilities {
		if f.Facility.ID == krome {
			byButton["krome"] = f.N
		}
		if f.Facility.ID == 0 {
			byButton["typed facility"] = f.N
		}
	}
	for _, s := range counts.Statuses {
		switch s.Status {
		case flows.StatusClosed:
			byButton["closed"] = s.N
		case flows.StatusNew:
			byButton["new status"] = s.N
		}
	}
	for _, tt := range tests {
		if len(tt.want) == 0 {
			t.Fatalf("%s: the seed has no case for it", tt.name)
		}
		var got []string
		q := tt.q(base)
		for page := 0; ; page++ {
			q.Skip = page * 10
			vs, total, err := work.Board(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if total != len(tt.want) {
				t.Errorf("%s: total %d, want %d", tt.name, total, len(tt.want))
			}
			for _, v := range vs {
				got = append(got, v.Code)
			}
			if len(vs) < 10 || q.Skip+len(vs) >= total {
				break
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v\nwant %v", tt.name, got, tt.want)
		}
		if byButton[tt.name] != len(tt.want) {
			t.Errorf("%s: the button counts %d, want %d", tt.name, byButton[tt.name], len(tt.want))
		}
	}
}

// TestCaseStats: /stats figures from the seeded cases.
func TestCaseStats(t *testing.T) {
	t.Parallel()
	db := storagetest.Postgres(t)
	cases, work := seedBoard(t, db)
	var now time.Time
	if err := db.Get(&now, `SELECT now()`); err != nil {
		t.Fatal(err)
	}
	st, err := work.Stats(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	midnight := time.Date(now.UTC().Year(), now.UTC().Month(), now.UTC().Day(), 0, 0, 0, 0, time.UTC)
	var today, week, untaken int
	var waits []time.Duration
	var oldest time.Time
	statuses := map[string]int{}
	for _, s := range cases {
		if !s.created.Before(midnight) {
			today++
		}
		if s.created.After(now.Add(-7 * 24 * time.Hour)) {
			week++
		}
		if s.taken > 0 && s.created.After(now.Add(-30*24*time.Hour)) {
			waits = append(waits, s.taken)
		}
		if !s.closed {
			st := flows.StatusNew
			if s.i%10 == 8 {
				st = flows.StatusInReview
			}
			statuses[st]++
			if s.owner == 0 {
				untaken++
				if oldest.IsZero() || s.created.Before(oldest) {
					oldest = s.created
				}
			}
		}
	}
	slices.Sort(waits)
	rank := func(p float64) time.Duration { return waits[int(p*float64(len(waits))+0.999999)-1] }
	if st.Today != today || st.Week != week {
		t.Errorf("today %d week %d, want %d %d", st.Today, st.Week, today, week)
	}
	if st.Taken != len(waits) || st.TakenMedian.Round(time.Second) != rank(0.5) || st.TakenP90.Round(time.Second) != rank(0.9) {
		t.Errorf("taken %d median %v p90 %v, want %d %v %v", st.Taken, st.TakenMedian, st.TakenP90, len(waits), rank(0.5), rank(0.9))
	}
	if st.Untaken != untaken || !st.OldestUntaken.Equal(oldest.Truncate(time.Microsecond)) {
		t.Errorf("untaken %d oldest %v, want %d %v", st.Untaken, st.OldestUntaken, untaken, oldest)
	}
	got := map[string]int{}
	for _, c := range st.Open {
		got[c.Status] = c.N
	}
	if fmt.Sprint(got) != fmt.Sprint(statuses) {
		t.Errorf("open by status %v, want %v", got, statuses)
	}
	sum := 0
	for _, f := range st.OpenFacility {
		sum += f.N
	}
	if sum != statuses[flows.StatusNew]+statuses[flows.StatusInReview] {
		t.Errorf("open by facility sums to %d", sum)
	}
}

// oneCase is a database with one confirmed case, and the casework store
// over it.
func oneCase(t *testing.T) (*sqlx.DB, *storage.Casework, int64) {
	t.Helper()
	db := storagetest.Postgres(t)
	keys := storagetest.Keys(t)
	c, err := storage.NewCases(db, keys).Create(context.Background(), fullReport())
	if err != nil {
		t.Fatal(err)
	}
	return db, storage.NewCasework(db, keys), c.ID
}

// TestCaseTakeRace: of twenty takes of one case at once, one wins; the same
// op taking again is told it took it, and first only for the first take.
func TestCaseTakeRace(t *testing.T) {
	t.Parallel()
	_, work, caseID := oneCase(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var won []int64
	firsts := 0
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, took, first, err := work.Take(ctx, flows.CaseTake{CaseID: caseID, UserID: int64(100 + i), At: time.Now(), Op: fmt.Sprint("u", i)})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if took {
				won = append(won, v.Owner)
			}
			if first {
				firsts++
			}
		}()
	}
	wg.Wait()
	if len(won) != 1 || firsts != 1 {
		t.Fatalf("won by %v, %d firsts; want one", won, firsts)
	}
	owner := won[0]
	_, took, first, err := work.Take(ctx, flows.CaseTake{CaseID: caseID, UserID: owner, Op: fmt.Sprint("u", owner-100)})
	if err != nil || !took || !first {
		t.Errorf("the winning take again: took %v first %v %v", took, first, err)
	}
	if ok, err := work.Release(ctx, caseID, owner, "r1"); err != nil || !ok {
		t.Fatalf("release: %v %v", ok, err)
	}
	// The releasing update handled again is told it released the case;
	// another is not.
	if ok, err := work.Release(ctx, caseID, owner, "r1"); err != nil || !ok {
		t.Errorf("the release again by its update: %v %v", ok, err)
	}
	for _, op := range []string{"r2", ""} {
		if ok, err := work.Release(ctx, caseID, owner, op); err != nil || ok {
			t.Errorf("a release by %q of a released case: %v %v", op, ok, err)
		}
	}
	_, took, first, err = work.Take(ctx, flows.CaseTake{CaseID: caseID, UserID: 999, Op: "later"})
	if err != nil || !took || first {
		t.Errorf("a take after release: took %v first %v %v; want taken, not first", took, first, err)
	}
}

// TestCaseAcceptRemembersTheOwner: an accepted hand-over gives the owner
// who offered the case, and gives them again to the accepting update handled
// again; another update, or the offer gone, gets nothing.
func TestCaseAcceptRemembersTheOwner(t *testing.T) {
	t.Parallel()
	_, work, caseID := oneCase(t)
	ctx := context.Background()
	if _, took, _, err := work.Take(ctx, flows.CaseTake{CaseID: caseID, UserID: 101, At: time.Now(), Op: "t"}); err != nil || !took {
		t.Fatalf("take: %v %v", took, err)
	}
	if ok, err := work.Offer(ctx, caseID, 101, 102); err != nil || !ok {
		t.Fatalf("offer: %v %v", ok, err)
	}
	for _, op := range []string{"a1", "a1"} {
		if prev, ok, err := work.Accept(ctx, caseID, 102, time.Now(), op); err != nil || !ok || prev != 101 {
			t.Errorf("accept by %s: prev %d, %v, %v; want 101, true", op, prev, ok, err)
		}
	}
	for _, op := range []string{"a2", ""} {
		if prev, ok, err := work.Accept(ctx, caseID, 102, time.Now(), op); err != nil || ok || prev != 0 {
			t.Errorf("accept by %q after the offer was taken: prev %d, %v, %v; want none", op, prev, ok, err)
		}
	}
}

// TestNewsSealed: a place the reporter typed and their words are sealed;
// the case shows them, the rows do not; the same news twice is stored once.
func TestNewsSealed(t *testing.T) {
	t.Parallel()
	db, work, caseID := oneCase(t)
	ctx := context.Background()
	for range 2 {
		if _, err := work.AddNews(ctx, flows.News{CaseID: caseID, Kind: flows.NewsMoved, FacilityText: "Otero ranch hold room",
			Urgent: flows.UrgentTransfer, Key: "news:1", At: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	v, err := work.AddNews(ctx, flows.News{CaseID: caseID, Kind: flows.NewsText, Note: "He called from a new number",
		Key: "news:2", At: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if v.FacilityText != "Otero ranch hold room" || v.Facility.ID != 0 || !slices.Contains(v.Urgent, flows.UrgentTransfer) {
		t.Errorf("view after the news: %+v", v)
	}
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM case_events WHERE kind = 'news'`); err != nil || n != 2 {
		t.Errorf("%d news events (%v), want 2", n, err)
	}
	for _, s := range []string{"Otero", "new number"} {
		var clear int
		if err := db.Get(&clear, `
			SELECT (SELECT count(*) FROM cases WHERE position(convert_to($1, 'UTF8') IN coalesce(moved_facility_text, ''::bytea)) > 0)
				+ (SELECT count(*) FROM case_events WHERE position(convert_to($1, 'UTF8') IN coalesce(note, ''::bytea)) > 0)`, s); err != nil {
			t.Fatal(err)
		}
		if clear != 0 {
			t.Errorf("%q is in clear in %d rows", s, clear)
		}
	}
}
