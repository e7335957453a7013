package storage_test

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"hotline/flows"
	"hotline/storage"
	"hotline/storage/storagetest"
)

var ckStart = time.Date(2026, 3, 12, 14, 30, 0, 0, time.UTC)

func newCheckin(t testing.TB, s *storage.Checkins, userID int64) flows.Checkin {
	t.Helper()
	k, err := s.Create(context.Background(), &flows.Checkin{DraftID: storagetest.Name("ck"), ChatID: userID, UserID: userID,
		Lang: "ru", OfficeText: "Orlando sub-office", State: "FL", Zone: "America/New_York",
		Start: ckStart, End: ckStart.Add(3 * time.Hour), Name: "Иван Петров", ANumber: "123456789"},
		[]flows.CheckinTimer{
			{Kind: flows.TimerSoon, Due: ckStart.Add(-2 * time.Hour)},
			{Kind: flows.TimerAsk, Due: ckStart.Add(3 * time.Hour)},
			{Kind: flows.TimerAlarm, Due: ckStart.Add(7 * time.Hour)},
		})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return k
}

func TestCheckinsStoreSealedAndIdempotent(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	s := storage.NewCheckins(db, storagetest.Keys(t))
	k := newCheckin(t, s, 1)
	again, err := s.Create(ctx, &flows.Checkin{DraftID: k.DraftID, UserID: 1, Zone: "America/New_York"}, nil)
	if err != nil || again.ID != k.ID {
		t.Fatalf("the same draft again: %+v, %v; want check-in %d", again, err, k.ID)
	}
	if _, err := s.Create(ctx, &flows.Checkin{DraftID: "other", UserID: 1, Zone: "America/New_York",
		Start: ckStart, End: ckStart}, nil); !errors.Is(err, flows.ErrCheckinActive) {
		t.Fatalf("a second active check-in: %v, want ErrCheckinActive", err)
	}
	if _, err := s.AddContact(ctx, k.ID, flows.Contact{Phone: "+1 212 555 0100"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := s.AddContact(ctx, k.ID, flows.Contact{Token: storagetest.Name("t")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddContact(ctx, k.ID, flows.Contact{Token: "fourth"}); !errors.Is(err, flows.ErrTooManyContacts) {
		t.Fatalf("a fourth contact: %v", err)
	}
	got, err := s.Get(ctx, k.ID)
	if err != nil || got.Name != "Иван Петров" || got.ANumber != "123456789" || got.OfficeText != "Orlando sub-office" ||
		len(got.Contacts) != 3 || got.Contacts[0].Phone != "+1 212 555 0100" {
		t.Fatalf("Get: %+v, %v", got, err)
	}
	// Nothing personal in clear in the tables.
	dump := tableText(t, db, "checkins") + tableText(t, db, "checkin_contacts")
	for _, v := range []string{"Иван", "Петров", "123456789", "Orlando", "555 0100"} {
		if strings.Contains(dump, v) {
			t.Errorf("%q stored in clear", v)
		}
	}
}

// tableText is every row of a table as text, as a dump shows it.
func tableText(t *testing.T, db *sqlx.DB, table string) string {
	t.Helper()
	var rows []string
	if err := db.Select(&rows, `SELECT t::text FROM `+table+` t`); err != nil {
		t.Fatal(err)
	}
	return strings.Join(rows, "\n")
}

// TestCheckinTimersClaimedOnce: processes claiming at once get each due
// timer once between them; a claim whose process died is taken again once
// its lease runs out; a fired timer is never claimed again.
func TestCheckinTimersClaimedOnce(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	s := storage.NewCheckins(db, storagetest.Keys(t))
	for u := int64(1); u <= 10; u++ {
		newCheckin(t, s, u)
	}
	now := ckStart.Add(8 * time.Hour) // all 30 timers due
	var mu sync.Mutex
	var ids []int64
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ts, err := s.Due(ctx, now, time.Minute, 7)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			for _, x := range ts {
				ids = append(ids, x.ID)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for i := 1; i < len(ids); i++ {
		if ids[i] == ids[i-1] {
			t.Fatalf("timer %d claimed twice", ids[i])
		}
	}
	if len(ids) != 30 {
		t.Fatalf("%d timers claimed, want 30", len(ids))
	}
	// Within the lease nobody else gets them; after it, they are due again
	// unless fired.
	if ts, _ := s.Due(ctx, now.Add(30*time.Second), time.Minute, 100); len(ts) != 0 {
		t.Fatalf("%d timers claimed again within the lease", len(ts))
	}
	for _, id := range ids[:20] {
		if err := s.Fired(ctx, id, now); err != nil {
			t.Fatal(err)
		}
	}
	ts, err := s.Due(ctx, now.Add(2*time.Minute), time.Minute, 100)
	if err != nil || len(ts) != 10 {
		t.Fatalf("after the lease: %d timers, %v; want the 10 not fired", len(ts), err)
	}
}

func TestCheckinsForgetAndPurge(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	keys := storagetest.Keys(t)
	s := storage.NewCheckins(db, keys)
	mine := newCheckin(t, s, 1)
	if _, err := s.AddContact(ctx, mine.ID, flows.Contact{Phone: "+1 212 555 0100"}); err != nil {
		t.Fatal(err)
	}
	other := newCheckin(t, s, 2)
	e, err := storage.NewReporters(db, keys).Forget(ctx, 1)
	if err != nil || e.Checkins != 1 {
		t.Fatalf("Forget: %+v, %v", e, err)
	}
	got, _ := s.Get(ctx, mine.ID)
	if got.Name != "" || got.ANumber != "" || got.OfficeText != "" || len(got.Contacts) != 0 || got.Status != flows.CheckinCancelled {
		t.Fatalf("after /forget: %+v", got)
	}
	if ts, _ := s.Due(ctx, ckStart.Add(24*time.Hour), time.Minute, 100); len(ts) != 3 {
		t.Fatalf("%d timers due, want the other check-in's 3", len(ts))
	}
	// The other one, closed, is purged after retention.
	if _, err := s.SetStatus(ctx, other.ID, []string{flows.CheckinActive}, flows.CheckinOut, ckStart.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	r := storage.NewRetention(db)
	if _, err := r.Purge(ctx, ckStart, flows.ActorSystem); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, other.ID); got.Name == "" {
		t.Fatal("purged before its retention ended")
	}
	if _, err := r.Purge(ctx, ckStart.Add(5*time.Hour), flows.ActorSystem); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, other.ID); got.Name != "" || got.ANumber != "" {
		t.Fatalf("after the purge: %+v", got)
	}
}

func TestOffices(t *testing.T) {
	ctx := context.Background()
	o, err := storage.NewOffices(storagetest.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ typed, want string }{
		{"Chicago", "Chicago"}, {"чикаго", "Chicago"}, {"Нью-Йорк", "New York City"}, {"san fran", "San Francisco"},
		{"Miramar", "Miami"}, {"Сан-Диего", "San Diego"}, {"Tukwila", "Seattle"}, {"Fort Snelling", "St. Paul"},
		// Every office by its Russian name: these five were not found.
		{"Феникс", "Phoenix"}, {"Филадельфия", "Philadelphia"}, {"Сиэтл", "Seattle"},
		{"Солт-Лейк-Сити", "Salt Lake City"}, {"Сент-Пол", "St. Paul"},
		// The city an office is known by, and short names typed alone:
		// "в LA" gave Salt Lake City, "SF" and "NYC" nothing.
		{"Minneapolis", "St. Paul"}, {"26 Federal Plaza", "New York City"},
		// The city's boroughs, where people live; the office's street.
		{"Бруклин", "New York City"}, {"Bronx", "New York City"}, {"Queens", "New York City"},
		{"630 Sansome", "San Francisco"},
		{"SF", "San Francisco"}, {"в NYC", "New York City"}, {"DC", "Washington"},
		// A place inside a sentence: the words around it hid it.
		{"the office on broadway in manhattan", "New York City"}, {"в Манхэттене", "New York City"},
		{"the ICE building downtown in Chicago, on Congress", "Chicago"},
	} {
		ms, err := o.Match(ctx, tt.typed, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) == 0 || ms[0].Name != tt.want {
			t.Errorf("Match(%q) = %v, want %s first", tt.typed, ms, tt.want)
		}
	}
	if ms, _ := o.Match(ctx, "Orlando sub-office", 3); len(ms) != 0 {
		t.Errorf("Orlando matches %v", ms)
	}
	// "Майами" is Miami alone: Detroit came second, its state's letters
	// "MI" read as part of the name. Those letters alone are Michigan's.
	if ms, _ := o.Match(ctx, "Майами", 3); len(ms) != 1 || ms[0].Name != "Miami" {
		t.Errorf("Match(Майами) = %v, want Miami alone", ms)
	}
	for _, typed := range []string{"LA", "в LA", "ЛА"} {
		// Los Angeles, and Louisiana's office: both are "LA".
		if ms, _ := o.Match(ctx, typed, 3); len(ms) != 2 || ms[0].Name != "Los Angeles" || ms[1].Name != "New Orleans" {
			t.Errorf("Match(%s) = %v, want Los Angeles, New Orleans", typed, ms)
		}
	}
	if ms, _ := o.Match(ctx, "MI", 3); len(ms) != 1 || ms[0].Name != "Detroit" {
		t.Errorf("Match(MI) = %v, want Detroit", ms)
	}
	if ms, _ := o.Match(ctx, "tx", 10); len(ms) < 3 || slices.ContainsFunc(ms, func(o flows.Office) bool { return o.State != "TX" }) {
		t.Errorf("Match(tx) = %v, want Texas's offices", ms)
	}
	for _, tt := range []struct{ typed, code, zone string }{
		{"TX", "TX", "America/Chicago"}, {"texas", "TX", "America/Chicago"}, {"Техас", "TX", "America/Chicago"},
		{"Florida", "FL", "America/New_York"}, {"az", "AZ", "America/Phoenix"},
	} {
		code, zone, ok := o.State(tt.typed)
		if !ok || code != tt.code || zone != tt.zone {
			t.Errorf("State(%q) = %s %s %v", tt.typed, code, zone, ok)
		}
	}
	if _, _, ok := o.State("Floridaa"); ok {
		t.Error("Floridaa is a state")
	}
	el, err := o.Get("el-paso")
	if err != nil || el.Zone != "America/Denver" {
		t.Errorf("El Paso: %+v %v", el, err)
	}
}

// BenchmarkCheckinTimers measures claiming and marking due timers, the
// work every replica's tick does: 300 check-ins with 3 due timers each,
// claimed 50 at a time.
func BenchmarkCheckinTimers(b *testing.B) {
	ctx := context.Background()
	db := storagetest.Postgres(b)
	s := storage.NewCheckins(db, storagetest.Keys(b))
	now := ckStart.Add(8 * time.Hour)
	fired := 0
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if _, err := db.Exec(`TRUNCATE checkins CASCADE`); err != nil {
			b.Fatal(err)
		}
		for u := int64(1); u <= 300; u++ {
			newCheckin(b, s, u)
		}
		b.StartTimer()
		for {
			ts, err := s.Due(ctx, now, time.Minute, 50)
			if err != nil {
				b.Fatal(err)
			}
			for _, t := range ts {
				if err := s.Fired(ctx, t.ID, now); err != nil {
					b.Fatal(err)
				}
			}
			fired += len(ts)
			if len(ts) < 50 {
				break
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(fired), "µs/timer")
}

// TestCheckinsBegun: the user's check-in that has begun and is open —
// active or in alarm — the latest to begin; none before the start, none
// once closed, none of another user.
func TestCheckinsBegun(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	s := storage.NewCheckins(db, storagetest.Keys(t))
	k := newCheckin(t, s, 1)
	if _, err := s.Begun(ctx, 1, ckStart.Add(-time.Minute)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("before the start: %v, want ErrNotFound", err)
	}
	if got, err := s.Begun(ctx, 1, ckStart); err != nil || got.ID != k.ID || got.Name != "Иван Петров" {
		t.Fatalf("at the start: %+v, %v", got, err)
	}
	if _, err := s.Begun(ctx, 2, ckStart); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("another user's: %v, want ErrNotFound", err)
	}
	// In alarm it is still open; a later one that began is the one.
	if ok, err := s.SetStatus(ctx, k.ID, []string{flows.CheckinActive}, flows.CheckinAlarm, ckStart.Add(7*time.Hour)); !ok || err != nil {
		t.Fatalf("alarm: %v %v", ok, err)
	}
	if got, err := s.Begun(ctx, 1, ckStart.Add(8*time.Hour)); err != nil || got.ID != k.ID || got.Status != flows.CheckinAlarm {
		t.Fatalf("in alarm: %+v, %v", got, err)
	}
	next, err := s.Create(ctx, &flows.Checkin{DraftID: storagetest.Name("ck"), ChatID: 1, UserID: 1, Lang: "ru",
		Zone: "America/New_York", Start: ckStart.Add(24 * time.Hour), End: ckStart.Add(27 * time.Hour), Name: "Иван Петров"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Begun(ctx, 1, ckStart.Add(8*time.Hour)); err != nil || got.ID != k.ID {
		t.Fatalf("the next one has not begun: got %+v, %v", got, err)
	}
	if got, err := s.Begun(ctx, 1, ckStart.Add(25*time.Hour)); err != nil || got.ID != next.ID {
		t.Fatalf("both begun: got %d, %v; want the later, %d", got.ID, err, next.ID)
	}
	for _, id := range []int64{k.ID, next.ID} {
		if _, err := s.SetStatus(ctx, id, []string{flows.CheckinActive, flows.CheckinAlarm}, flows.CheckinOut, ckStart.Add(26*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Begun(ctx, 1, ckStart.Add(26*time.Hour)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("all closed: %v, want ErrNotFound", err)
	}
}

// BenchmarkOfficesFallback is the check-in's office typed in a long
// sentence that names no office as a whole, so that each of its words is
// looked for alone (one query for all of them).
func BenchmarkOfficesFallback(b *testing.B) {
	ctx := context.Background()
	o, err := storage.NewOffices(storagetest.Postgres(b))
	if err != nil {
		b.Fatal(err)
	}
	typed := "my check-in is at the big federal building downtown near the river, second floor, room with blue chairs, in Chicago"
	for b.Loop() {
		ms, err := o.Match(ctx, typed, 3)
		if err != nil || !slices.ContainsFunc(ms, func(o flows.Office) bool { return o.Name == "Chicago" }) {
			b.Fatalf("Match = %v, %v", ms, err)
		}
	}
}
