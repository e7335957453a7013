package e2e

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"hotline/bot/telegramtest"
	"hotline/flows"
)

// Check-in safety end to end: the real bot against the fake Telegram, with
// a clock the test moves. The timers tick every 50 ms of real time; the
// flows read the fake clock, so a day passes when the test says so.

const (
	ckAdmin     = 7000900
	ckVolunteer = 7000950
)

// fakeClock is the flows' clock in these tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// ckStart is when every check-in test begins: Tuesday 2026-03-10, noon UTC.
var ckStart = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

const ckGrace = 2 * time.Hour

func newCheckinHarness(t *testing.T) (*harness, *fakeClock) {
	t.Helper()
	clock := &fakeClock{now: ckStart}
	h := newHarness(t, withConfig(func(c *config) {
		c.Admins = []int64{ckAdmin}
		c.HandoffTick = 50 * time.Millisecond
		c.CheckinGrace = ckGrace
		c.now = clock.Now
	}))
	return h, clock
}

// ck is the start of a check-in message in lang, up to its first value.
func (h *harness) ck(lang, id string) string {
	h.t.Helper()
	return h.leadIn("checkin", lang, id)
}

// onDuty makes a volunteer who is on duty.
func onDuty(t *testing.T, h *harness, id int64) *telegramtest.User {
	t.Helper()
	h.addMember(t, id, flows.RoleVolunteer)
	v := h.tg.User(id, "en")
	v.Send("/duty on")
	expectText(t, v, h.text("en", "handoff.duty", "On", true))
	return v
}

// register plays someone registering a check-in at the Chicago office on
// Thursday 2026-03-12 at 9:30 local time (14:30 UTC).
func register(t *testing.T, h *harness, u *telegramtest.User, lang string) {
	t.Helper()
	registerAt(t, h, u, lang, "Чикаго", "", "12.03.2026", "9:30")
}

// registerAt plays a registration at an office typed and picked, on a
// date and at a time typed.
func registerAt(t *testing.T, h *harness, u *telegramtest.User, lang, office, pick, date, clock string) {
	t.Helper()
	u.Send("/start")
	m := expectText(t, u, firstLine(h.text(lang, "menu.greeting")))
	press(t, u, m, h.label(lang, "btn.menu_checkin"))
	m = expectText(t, u, h.ck(lang, "checkin.intro"))
	press(t, u, m, h.label(lang, "btn.checkin_agree"))
	expectText(t, u, h.ck(lang, "checkin.ask_office"))
	u.Send(office)
	if pick != "" { // among the offices found; "": the one office spelt so
		m = expectText(t, u, h.ck(lang, "checkin.office_pick"))
		press(t, u, m, pick)
	}
	expectText(t, u, h.ck(lang, "checkin.ask_date"))
	u.Send(date)
	expectText(t, u, h.ck(lang, "checkin.ask_time"))
	u.Send(clock)
	expectText(t, u, h.ck(lang, "checkin.ask_name"))
	u.Send("Иван Петров")
	expectText(t, u, h.ck(lang, "checkin.ask_anumber"))
	u.Send("A123456789")
	m = expectText(t, u, h.ck(lang, "checkin.review"))
	press(t, u, m, h.label(lang, "btn.checkin_save"))
	expectText(t, u, h.ck(lang, "checkin.saved"))
}

var ckLink = regexp.MustCompile(`\?start=(t_[a-z0-9]+)`)

// trust has u invite contact, who opens the link and agrees.
func trust(t *testing.T, h *harness, u, contact *telegramtest.User, lang string) {
	t.Helper()
	m := u.Received()[len(u.Received())-1]
	press(t, u, m, h.label(lang, "btn.checkin_invite"))
	m = expectText(t, u, "t.me/")
	link := ckLink.FindStringSubmatch(m.Plain)
	if link == nil {
		t.Fatalf("no link in %q", m.Plain)
	}
	contact.Send("/start " + link[1])
	m = expectText(t, contact, "Иван Петров")
	press(t, contact, m, h.label("en", "btn.checkin_contact_yes"))
	expectText(t, contact, h.ck("en", "checkin.contact_agreed"))
	expectText(t, u, h.ck(lang, "checkin.contact_joined"))
}

// quiet checks that u gets nothing more while the timers tick a few times.
func quiet(t *testing.T, u *telegramtest.User) {
	t.Helper()
	if m, err := u.NextWithin(400 * time.Millisecond); err == nil {
		t.Fatalf("user %d got one more message: %q", u.ID, m.Plain)
	}
}

// TestCheckinEndToEnd: a Russian speaker registers a check-in at the
// Chicago office with a trusted contact who agrees; the reminders come
// once each at 9:30 Chicago time; silence after the check-in opens an
// urgent case announced to the volunteer on duty, and the contact gets the
// alarm with the code, once; "I'm out" afterwards gives the case the news
// and tells the same people.
func TestCheckinEndToEnd(t *testing.T) {
	parallel(t)
	h, clock := newCheckinHarness(t)
	vol := onDuty(t, h, ckVolunteer)
	person := h.tg.User(7001001, "ru")
	contact := h.tg.User(7001002, "en")
	register(t, h, person, "ru")
	trust(t, h, person, contact, "ru")

	start := time.Date(2026, 3, 12, 14, 30, 0, 0, time.UTC)
	clock.Set(start.Add(-24 * time.Hour))
	m := expectText(t, person, h.ck("ru", "checkin.remind_day"))
	if !strings.Contains(m.Plain, "09:30 (CDT)") {
		t.Errorf("the day-before reminder does not show 09:30 Chicago time: %q", m.Plain)
	}
	quiet(t, person)
	clock.Set(start.Add(-2 * time.Hour))
	m = expectText(t, person, h.ck("ru", "checkin.remind_soon"))
	if !strings.Contains(m.Plain, "09:30 (CDT)") {
		t.Errorf("the reminder does not show 09:30 Chicago time: %q", m.Plain)
	}
	quiet(t, person)

	end := start.Add(3 * time.Hour)
	clock.Set(end)
	expectText(t, person, h.ck("ru", "checkin.ask_out"))
	clock.Set(end.Add(ckGrace))
	expectText(t, person, h.ck("ru", "checkin.ask_out_again"))
	clock.Set(end.Add(2 * ckGrace))
	alarm := expectText(t, person, h.ck("ru", "checkin.alarm_person"))
	toContact := expectText(t, contact, "Иван Петров went to an ICE check-in")
	toVol := expectText(t, vol, h.ck("en", "checkin.alarm_hotline"))
	quiet(t, contact)
	quiet(t, vol)

	var c struct {
		Code   string `db:"code"`
		Urgent string `db:"urgent"`
		Circ   string `db:"circumstance"`
	}
	if err := h.db.Get(&c, `SELECT code, urgent::text AS urgent, circumstance FROM cases`); err != nil {
		t.Fatalf("the case: %v", err)
	}
	code := flows.FormatCode(c.Code)
	if c.Urgent != "{checkin}" || c.Circ != "checkin" {
		t.Errorf("case %+v, want urgent and a check-in", c)
	}
	for _, m := range []*telegramtest.Message{alarm, toContact, toVol} {
		if !strings.Contains(m.Plain, code) {
			t.Errorf("alarm without the case code %s: %q", code, m.Plain)
		}
	}
	if !strings.Contains(toVol.Plain, "Chicago") {
		t.Errorf("the volunteer is not told where: %q", toVol.Plain)
	}

	press(t, person, alarm, h.label("ru", "btn.checkin_out"))
	expectText(t, person, h.ck("ru", "checkin.out_after_alarm"))
	expectText(t, contact, h.ck("en", "checkin.out_contact"))
	expectText(t, vol, h.ck("en", "checkin.out_hotline"))
	var notes int
	if err := h.db.Get(&notes, `SELECT count(*) FROM case_events WHERE kind = 'note'`); err != nil || notes != 1 {
		t.Errorf("the case has %d notes (%v), want the news", notes, err)
	}
}

// TestCheckinOutInTime: "I'm out" after the check-in closes it, pressed
// or typed in words ("Да, вышла"); nobody else is told and no case is
// opened.
func TestCheckinOutInTime(t *testing.T) {
	parallel(t)
	for _, tt := range []struct {
		name, lang string
		id         int64
		typed      string // "" presses the button
	}{
		{name: "pressed", lang: "en", id: 7001101},
		{name: "typed", lang: "ru", id: 7001111, typed: "Да, вышла"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, clock := newCheckinHarness(t)
			vol := onDuty(t, h, ckVolunteer)
			person := h.tg.User(tt.id, tt.lang)
			contact := h.tg.User(tt.id+1, "en")
			register(t, h, person, tt.lang)
			trust(t, h, person, contact, tt.lang)
			end := time.Date(2026, 3, 12, 17, 30, 0, 0, time.UTC)
			clock.Set(end.Add(10 * time.Minute))
			m := expectText(t, person, h.ck(tt.lang, "checkin.ask_out"))
			if tt.typed == "" {
				press(t, person, m, h.label(tt.lang, "btn.checkin_out"))
			} else {
				person.Send(tt.typed)
			}
			expectText(t, person, h.ck(tt.lang, "checkin.out_ok"))
			clock.Set(end.Add(3 * ckGrace))
			quiet(t, person)
			quiet(t, contact)
			quiet(t, vol)
			var n int
			if err := h.db.Get(&n, `SELECT count(*) FROM cases`); err != nil || n != 0 {
				t.Fatalf("%d cases (%v), want none", n, err)
			}
		})
	}
}

// TestCheckinAlarmAcrossRestartAndReplicas: the person blocked the bot,
// and the bot is down when the alarm falls due; it comes back as two
// replicas at once. The alarm fires once, a few minutes after the start,
// says it is late, and reaches the contact and the volunteer: silence is
// the signal.
func TestCheckinAlarmAcrossRestartAndReplicas(t *testing.T) {
	takesLong(t, 10*time.Second)
	h, clock := newCheckinHarness(t)
	vol := onDuty(t, h, ckVolunteer)
	person := h.tg.User(7001201, "ru")
	contact := h.tg.User(7001202, "en")
	register(t, h, person, "ru")
	trust(t, h, person, contact, "ru")
	person.Block(true)

	h.stop()
	end := time.Date(2026, 3, 12, 17, 30, 0, 0, time.UTC)
	// Down through the reminders and both questions: back half an hour
	// after the alarm was due.
	clock.Set(end.Add(2*ckGrace + 30*time.Minute))
	ctx, cancel := context.WithCancel(context.Background())
	second := make(chan error, 1)
	go func() { second <- serve(ctx, h.cfg, newLogger(h.log, h.cfg.LogLevel), nil) }()
	t.Cleanup(func() {
		cancel()
		if err := <-second; err != nil {
			t.Errorf("second replica: %v", err)
		}
	})
	h.start()
	// Time goes on: an alarm that came due while the bot was down waits a
	// minute after the start (an "I'm out" sent meanwhile is handled
	// first), then the two-minute lease of the tick that put it off. The
	// clock jumps 70 s every 2 s: less than a lease, so that a lease never
	// runs out under a tick still sending the alarm (the other replica
	// would send it again), however slow the machine.
	moving := make(chan struct{})
	defer close(moving)
	go func() {
		at := end.Add(2*ckGrace + 30*time.Minute)
		for range 8 {
			select {
			case <-moving:
				return
			case <-time.After(2 * time.Second):
			}
			at = at.Add(70 * time.Second)
			clock.Set(at)
		}
	}()

	m := expectText(t, contact, h.ck("en", "checkin.late"))
	if !strings.Contains(m.Plain, "Иван Петров went to an ICE check-in") {
		t.Errorf("the contact's late message is not the alarm: %q", m.Plain)
	}
	m = expectText(t, vol, h.ck("en", "checkin.late"))
	if !strings.Contains(m.Plain, h.ck("en", "checkin.alarm_hotline")) {
		t.Errorf("the volunteer's late message is not the alarm: %q", m.Plain)
	}
	quiet(t, contact)
	quiet(t, vol)
	var n int
	if err := h.db.Get(&n, `SELECT count(*) FROM cases`); err != nil || n != 1 {
		t.Fatalf("%d cases (%v), want one", n, err)
	}
	if err := h.db.Get(&n, `SELECT count(*) FROM checkin_timers WHERE fired_at IS NULL`); err != nil || n != 0 {
		t.Fatalf("%d timers not fired (%v)", n, err)
	}
}

// TestCheckinAcrossDaylightSaving: registered on a Friday in daylight time
// for the Monday after the clocks go back, the check-in is at 9:00 EST;
// the reminders come on Sunday at 9:00 and on Monday at 7:00 local time.
func TestCheckinAcrossDaylightSaving(t *testing.T) {
	parallel(t)
	h, clock := newCheckinHarness(t)
	clock.Set(time.Date(2026, 10, 30, 16, 0, 0, 0, time.UTC)) // Friday 12:00 EDT
	person := h.tg.User(7001301, "en")
	registerAt(t, h, person, "en", "Newark", "", "2 November 2026", "9:00")

	clock.Set(time.Date(2026, 11, 1, 13, 58, 0, 0, time.UTC)) // Sunday 8:58 EST
	quiet(t, person)
	clock.Set(time.Date(2026, 11, 1, 14, 0, 0, 0, time.UTC)) // Sunday 9:00 EST
	m := expectText(t, person, h.ck("en", "checkin.remind_day"))
	if !strings.Contains(m.Plain, "Monday, November 2, 2026, 9:00 AM EST") {
		t.Errorf("the reminder reads %q", m.Plain)
	}
	clock.Set(time.Date(2026, 11, 2, 11, 59, 0, 0, time.UTC)) // Monday 6:59 EST
	quiet(t, person)
	clock.Set(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)) // Monday 7:00 EST
	expectText(t, person, h.ck("en", "checkin.remind_soon"))
}
