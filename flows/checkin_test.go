package flows_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"hotline/flows"
	"hotline/storage"
)

// The check-in safety line as people live it: a registration, a trusted
// contact who agrees, reminders, "are you out?", and the alarm when
// nobody answers. Timers fire through CheckinTick on the test's clock.

const (
	ckPerson  = 7100001
	ckContact = 7100002
	ckOther   = 7100003
)

// tick runs the check-in timers once and delivers what they send.
func (w *world) tick() []flows.Reply {
	w.t.Helper()
	var out []flows.Reply
	err := w.app.CheckinTick(context.Background(), func(_ context.Context, rs []flows.Reply) error {
		out = append(out, rs...)
		return nil
	})
	if err != nil {
		w.t.Fatalf("CheckinTick: %v", err)
	}
	for _, r := range out {
		w.deliver(r)
	}
	return out
}

// setClock puts the test's clock at t.
func (w *world) setClock(t time.Time) {
	w.mu.Lock()
	w.now = t
	w.mu.Unlock()
}

// registerCheckin plays a registration at the office typed (pressed
// among those found, pick, unless it is "": then the office typed is
// the one office spelt so), on the date and at the time typed, with the
// answers of a Russian speaker, and returns the stored check-in.
func (w *world) registerCheckin(p *person, office, pick, date, clock string) flows.Checkin {
	w.t.Helper()
	p.command("start", "")
	expectTexts(w.t, p.press("btn.menu_checkin"), "checkin.intro", "checkin.consent")
	expectTexts(w.t, p.press("btn.checkin_agree"), "checkin.ask_office")
	if pick == "" {
		expectTexts(w.t, p.send(office), "checkin.ask_date")
	} else {
		expectTexts(w.t, p.send(office), "checkin.office_pick")
		expectTexts(w.t, p.press(pick), "checkin.ask_date")
	}
	expectTexts(w.t, p.send(date), "checkin.ask_time")
	expectTexts(w.t, p.send(clock), "checkin.ask_name")
	expectTexts(w.t, p.send("Иван Петров"), "checkin.ask_anumber")
	expectTexts(w.t, p.send("A 123-456-789"), "checkin.review")
	expectTexts(w.t, p.press("btn.checkin_save"), "checkin.saved", "checkin.contacts", "checkin.contacts_ask")
	k, err := w.deps.Checkins.Active(context.Background(), p.id)
	if err != nil {
		w.t.Fatalf("active check-in: %v", err)
	}
	return k
}

// toCheckinDate opens a check-in and answers up to its date: the consent
// typed (yes), the Chicago office typed in Cyrillic, the one spelt so.
func toCheckinDate(t *testing.T, p *person, yes string) {
	t.Helper()
	p.command("start", "")
	expectTexts(t, p.press("btn.menu_checkin"), "checkin.intro", "checkin.consent")
	expectTexts(t, p.send(yes), "checkin.ask_office")
	expectTexts(t, p.send("Чикаго"), "checkin.ask_date")
}

// toCheckinName answers up to the name of the person going: the date 12
// March and the time 9:30 typed after toCheckinDate.
func toCheckinName(t *testing.T, p *person) {
	t.Helper()
	toCheckinDate(t, p, "да")
	expectTexts(t, p.send("12.03"), "checkin.ask_time")
	expectTexts(t, p.send("9:30"), "checkin.ask_name")
}

// inviteContact has p invite c, and c open the link and agree.
func (w *world) inviteContact(p, c *person) {
	w.t.Helper()
	r := p.press("btn.checkin_invite")
	expectTexts(w.t, r, "checkin.invite_forward")
	link, _ := r.Texts[0].Data["Link"].(string)
	_, token, ok := strings.Cut(link, "?start=")
	if !ok {
		w.t.Fatalf("no link in %q", link)
	}
	expectTexts(w.t, c.command("start", token), "checkin.invite")
	before := len(p.got)
	expectTexts(w.t, c.press("btn.checkin_contact_yes"), "checkin.contact_agreed")
	if got := p.since(before); len(got) != 1 || textIDs(got[0].Reply)[0] != "checkin.contact_joined" {
		w.t.Fatalf("the person got %v, want to hear the contact agreed", got)
	}
}

// got returns the message IDs the chat got since n messages.
func (p *person) idsSince(n int) []string {
	var out []string
	for _, m := range p.since(n) {
		out = append(out, textIDs(m.Reply)...)
	}
	return out
}

func TestCheckinRemindersAndOut(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	p := w.person(ckPerson, "ru")
	c := w.person(ckContact, "en")
	w.person(volunteerID, "en")
	// Tuesday 2026-03-10 12:00 UTC; the check-in is on Thursday at 9:30
	// in Chicago (CDT, UTC-5): 14:30 UTC.
	k := w.registerCheckin(p, "Чикаго", "", "12.03", "9:30")
	if got, want := k.Start, time.Date(2026, 3, 12, 14, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("stored start %v, want %v", got, want)
	}
	if k.Zone != "America/Chicago" || k.Name != "Иван Петров" || k.ANumber != "123456789" {
		t.Fatalf("stored %+v", k)
	}
	w.inviteContact(p, c)

	// Nothing is due yet.
	if rs := w.tick(); len(rs) != 0 {
		t.Fatalf("tick before anything is due sent %v", rs)
	}
	// The day before at 9:30 Chicago time: the reminder, once.
	w.setClock(time.Date(2026, 3, 11, 14, 30, 0, 0, time.UTC))
	n := len(p.got)
	w.tick()
	w.tick()
	if got := p.idsSince(n); strings.Join(got, " ") != "checkin.remind_day checkin.bring checkin.if_detained" {
		t.Fatalf("day before: %v", got)
	}
	when := p.last().Texts[0].Data["When"].(flows.Text)
	if when.Data["Time"] != "09:30" || when.Data["Zone"] != "CDT" {
		t.Errorf("reminder shows %v, want 09:30 CDT", when.Data)
	}
	// Two hours before.
	w.setClock(time.Date(2026, 3, 12, 12, 30, 0, 0, time.UTC))
	n = len(p.got)
	w.tick()
	w.tick()
	if got := p.idsSince(n); len(got) == 0 || got[0] != "checkin.remind_soon" || len(p.since(n)) != 1 {
		t.Fatalf("two hours before: %v", got)
	}
	// At the expected end (3 hours): are you out?
	w.setClock(time.Date(2026, 3, 12, 17, 30, 0, 0, time.UTC))
	n = len(p.got)
	w.tick()
	if got := p.idsSince(n); strings.Join(got, " ") != "checkin.ask_out" {
		t.Fatalf("at the end: %v", got)
	}
	// I'm out: closed, and nobody else hears a thing.
	cn, vn := len(c.got), len(w.people[volunteerID].got)
	expectTexts(t, p.press("btn.checkin_out"), "checkin.out_ok")
	w.setClock(time.Date(2026, 3, 13, 17, 30, 0, 0, time.UTC))
	if rs := w.tick(); len(rs) != 0 {
		t.Fatalf("after I'm out the timers sent %v", rs)
	}
	if len(c.got) != cn || len(w.people[volunteerID].got) != vn {
		t.Fatalf("someone was told: contact %v, volunteer %v", c.idsSince(cn), w.people[volunteerID].idsSince(vn))
	}
	var cases int
	if err := w.db.Get(&cases, `SELECT count(*) FROM cases`); err != nil {
		t.Fatal(err)
	}
	if n := cases; n != 0 {
		t.Fatalf("%d cases, want none", n)
	}
}

func TestCheckinSilenceRaisesTheAlarm(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	p := w.person(ckPerson, "ru")
	c := w.person(ckContact, "en")
	vol := w.person(volunteerID, "en")
	k := w.registerCheckin(p, "new york", "New York City", "11.03", "10:00")
	w.inviteContact(p, c)
	p.press("btn.checkin_phone")
	expectTexts(t, p.send("+1 212 555 0100"), "checkin.phone_added", "checkin.contacts", "checkin.contacts_ask")

	end := k.End
	grace := 2 * time.Hour
	w.setClock(end)
	w.tick()
	w.setClock(end.Add(grace))
	n := len(p.got)
	w.tick()
	if got := p.idsSince(n); strings.Join(got, " ") != "checkin.ask_out_again" {
		t.Fatalf("after one grace: %v", got)
	}
	// The second grace runs out: the alarm, once, however often it ticks.
	w.setClock(end.Add(2 * grace))
	cn, vn := len(c.got), len(vol.got)
	w.tick()
	w.tick()
	if got := c.idsSince(cn); strings.Join(got, " ") != "checkin.alarm_contact" {
		t.Fatalf("contact got %v", got)
	}
	if got := vol.idsSince(vn); strings.Join(got, " ") != "checkin.alarm_hotline checkin.alarm_phones casework.card" {
		t.Fatalf("volunteer got %v", got)
	}
	if c.last().Lang != "en" || p.last().Lang != "ru" {
		t.Errorf("languages: contact %s, person %s", c.last().Lang, p.last().Lang)
	}
	if len(vol.last().Buttons) == 0 {
		t.Error("the alarm's case card has no buttons to take the case")
	}
	if ph := vol.last().Texts[1].Data["Phones"]; ph != "+1 212 555 0100" {
		t.Errorf("volunteers are given %v to call", ph)
	}
	code, _ := c.last().Texts[0].Data["Code"].(string)
	k, err := w.deps.Checkins.Get(context.Background(), k.ID)
	if err != nil || k.Status != flows.CheckinAlarm || flows.FormatCode(k.CaseCode) != code {
		t.Fatalf("check-in after the alarm: %+v, %v; contact told %q", k, err, code)
	}
	r, _, err := w.cases.Get(context.Background(), k.CaseCode)
	if err != nil {
		t.Fatal(err)
	}
	if r.Circumstance != "checkin" || len(r.Urgent) != 1 || r.Urgent[0] != flows.UrgentCheckin ||
		r.NameCyrillic != "Иван Петров" || r.ANumber != "123456789" || !strings.Contains(r.FacilityText, "New York City") ||
		r.Facts.Office != "new-york-city" {
		t.Fatalf("case %+v", r)
	}
	// The name in Cyrillic: its passports' spellings, for the locator.
	if r.Facts.NameOther != "Ivan Petrov" {
		t.Errorf("the spellings to search the locator with: %q", r.Facts.NameOther)
	}
	// The contact has a volunteer and the case a button away (the alarm
	// came with none).
	if got := buttonNames(c.last().Reply); strings.Join(got, " ") != "btn.volunteer_now btn.mycase" {
		t.Errorf("the contact's alarm has buttons %v", got)
	}
	if got := textIDs(c.press("btn.mycase")); len(got) == 0 || got[0] != "check.header" {
		t.Errorf("the contact's case button shows %v", got)
	}
	// Out after the alarm: the case has the news, the same people hear it.
	cn, vn = len(c.got), len(vol.got)
	expectTexts(t, p.press("btn.checkin_out"), "checkin.out_after_alarm")
	if got := c.idsSince(cn); strings.Join(got, " ") != "checkin.out_contact" {
		t.Fatalf("contact got %v", got)
	}
	if got := vol.idsSince(vn); strings.Join(got, " ") != "checkin.out_hotline" {
		t.Fatalf("volunteer got %v", got)
	}
	files, err := w.timeline.Find(context.Background(), k.CaseCode, "")
	if err != nil || len(files) != 1 {
		t.Fatalf("find case: %v %v", files, err)
	}
	news := false
	for _, e := range files[0].Events {
		news = news || e.Kind == flows.EventNote && strings.Contains(e.Note, "out")
	}
	if !news {
		t.Errorf("the case has no news of the person being out: %+v", files[0].Events)
	}
	var actions []string
	if err := w.db.Select(&actions, `SELECT action || ' by ' || actor FROM audit_log WHERE case_id = $1 ORDER BY id`, k.CaseID); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(actions, ", "); got != "checkin_alarm by system, checkin_out by tg:7100001" {
		t.Errorf("audit log: %s", got)
	}
}

// TestCheckinAcrossDaylightSaving: registered on a Friday in daylight time
// for the Monday after clocks go back, the check-in is at 9:00 standard
// time, and the day-before reminder comes on Sunday at 9:00 local time.
func TestCheckinAcrossDaylightSaving(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	p := w.person(ckPerson, "en")
	w.setClock(time.Date(2026, 10, 30, 16, 0, 0, 0, time.UTC)) // Friday, 12:00 EDT
	k := w.registerCheckin(p, "Newark", "", "2 November 2026", "9:00")
	if got, want := k.Start, time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("stored start %v, want %v (9:00 EST)", got, want)
	}
	w.setClock(time.Date(2026, 11, 1, 13, 59, 0, 0, time.UTC)) // Sunday 8:59 EST
	if rs := w.tick(); len(rs) != 0 {
		t.Fatalf("reminder before 9:00 local: %v", rs)
	}
	w.setClock(time.Date(2026, 11, 1, 14, 0, 0, 0, time.UTC))
	rs := w.tick()
	if len(rs) != 1 || rs[0].Texts[0].ID != "checkin.remind_day" {
		t.Fatalf("Sunday 9:00 EST: %v", rs)
	}
	when := rs[0].Texts[0].Data["When"].(flows.Text)
	if when.Data["Time12"] != "9:00 AM" || when.Data["Zone"] != "EST" {
		t.Errorf("reminder shows %v", when.Data)
	}
	w.setClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)) // Monday 7:00 EST
	if rs := w.tick(); len(rs) != 1 || rs[0].Texts[0].ID != "checkin.remind_soon" {
		t.Fatalf("Monday 7:00 EST: %v", rs)
	}
}

func TestCheckinBadInput(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	p := w.person(ckPerson, "en")
	o := w.person(ckOther, "ru")
	p.command("start", "")
	p.press("btn.menu_checkin")
	p.press("btn.checkin_agree")
	// An office not in the list is kept as typed, with its state's zone.
	expectTexts(t, p.send("Orlando sub-office"), "checkin.office_none")
	expectTexts(t, p.press("btn.checkin_office_typed"), "checkin.ask_state")
	expectTexts(t, p.send("Floridaa"), "checkin.bad_state", "checkin.ask_state")
	expectTexts(t, p.send("Florida"), "checkin.ask_date")
	// A date in the past, then a time already past today.
	expectTexts(t, p.send("01.03.2026"), "checkin.date_past", "checkin.ask_date")
	expectTexts(t, p.press("btn.checkin_today"), "checkin.ask_time")
	expectTexts(t, p.send("6:00"), "checkin.time_past", "checkin.ask_date")
	expectTexts(t, p.press("btn.checkin_tomorrow"), "checkin.ask_time")
	expectTexts(t, p.send("quarter past"), "checkin.bad_time", "checkin.ask_time")
	expectTexts(t, p.send("2 pm"), "checkin.ask_name")
	// The name with the A-number after it: the name, then the A-number's
	// question; digits alone are no name.
	expectTexts(t, p.send("123 456 789"), "parse.name_digits", "checkin.ask_name")
	expectTexts(t, p.send("Ivan Petrov, A 123 456 789"), "parse.name_split", "checkin.ask_anumber")
	expectTexts(t, p.press("btn.checkin_anumber_unknown"), "checkin.review")
	p.press("btn.checkin_save")
	k, err := w.deps.Checkins.Active(context.Background(), p.id)
	if err != nil {
		t.Fatal(err)
	}
	if k.OfficeText != "Orlando sub-office" || k.State != "FL" || k.Zone != "America/New_York" || k.Name != "Ivan Petrov" ||
		!k.Start.Equal(time.Date(2026, 3, 11, 18, 0, 0, 0, time.UTC)) {
		t.Fatalf("stored %+v", k)
	}
	// A second check-in at once: the one there is, kindly.
	p.command("start", "")
	r := p.press("btn.menu_checkin")
	expectTexts(t, r, "checkin.have_one", "checkin.show", "checkin.contacts", "checkin.contacts_ask")
	// Someone else's check-in, a husband's: how it can be registered too.
	if got := w.cat.Render("ru", r.Texts[0]); !strings.Contains(got, "с другого аккаунта Telegram") {
		t.Errorf("one at a time, and no way for a second person's: %s", got)
	}
	// "I'm out" pressed by someone else changes nothing.
	out := ""
	for _, row := range p.last().Buttons {
		for _, b := range row {
			if b.Text.ID == "btn.checkin_out" {
				out = b.Data
			}
		}
	}
	o.command("start", "")
	expectTexts(t, o.pressData(out), "checkin.not_yours", "menu.choose")
	if k, _ := w.deps.Checkins.Get(context.Background(), k.ID); k.Status != flows.CheckinActive {
		t.Fatalf("status %s after a stranger's press", k.Status)
	}
	// A contact who never agrees: the reminder says so.
	p.press("btn.checkin_invite")
	w.setClock(time.Date(2026, 3, 11, 16, 0, 0, 0, time.UTC))
	n := len(p.got)
	w.tick()
	// Both reminders are due: the later one alone.
	if got := p.idsSince(n); strings.Join(got, " ") != "checkin.remind_soon checkin.bring checkin.if_detained checkin.contacts_pending" {
		t.Fatalf("reminder: %v", got)
	}
}

func TestCheckinForget(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	p := w.person(ckPerson, "ru")
	k := w.registerCheckin(p, "Phoenix", "", "12.03", "9:00")
	// Warned before: the check-in to come is no longer watched.
	if ids := textIDs(p.command("forget", "")); !slices.Contains(ids, "forget.ask_checkin") {
		t.Errorf("/forget asked %v, without the check-in it cancels", ids)
	}
	r := p.press("btn.forget_yes")
	if !strings.Contains(strings.Join(textIDs(r), " "), "forget.erased_checkins") {
		t.Fatalf("forget said %v", textIDs(r))
	}
	got, err := w.deps.Checkins.Get(context.Background(), k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "" || got.ANumber != "" || got.Status != flows.CheckinCancelled {
		t.Fatalf("after /forget: %+v", got)
	}
	w.setClock(k.End.Add(5 * time.Hour))
	if rs := w.tick(); len(rs) != 0 {
		t.Fatalf("timers of an erased check-in sent %v", rs)
	}
	if _, err := w.deps.Checkins.Active(context.Background(), p.id); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("active after /forget: %v", err)
	}
}

func TestParseClock(t *testing.T) {
	for _, tt := range []struct {
		in     string
		hh, mm int
		ok     bool
	}{
		{"9:30", 9, 30, true}, {"09.30", 9, 30, true}, {"0930", 9, 30, true}, {"14:00", 14, 0, true},
		{"2 pm", 14, 0, true}, {"9:30 am", 9, 30, true}, {"12 pm", 12, 0, true}, {"12am", 0, 0, true},
		{"9 вечера", 21, 0, true}, {"21ч", 21, 0, true}, {"9", 9, 0, true},
		{"в 9 утра", 9, 0, true}, {"в 14:30", 14, 30, true}, {"9 часов утра", 9, 0, true}, {"at 2 pm", 14, 0, true},
		{"около 10", 10, 0, true}, {"10 o'clock", 10, 0, true}, {"в 21ч", 21, 0, true}, {"в", 0, 0, false},
		{"в полдень", 12, 0, true}, {"Noon", 12, 0, true}, {"at midday", 12, 0, true},
		{"8 in the morning", 8, 0, true}, {"2 in the afternoon", 14, 0, true}, {"9 oclock", 9, 0, true},
		{"10 o’clock", 10, 0, true}, {"11 at night", 23, 0, true},
		// Half and quarter hours, the Russian spoken way: "полдесятого"
		// was "couldn't read the time".
		{"полдесятого", 9, 30, true}, {"в половине девятого", 8, 30, true}, {"пол-второго", 13, 30, true},
		{"четверть десятого", 9, 15, true}, {"без четверти десять", 9, 45, true}, {"без пятнадцати 9", 8, 45, true},
		{"в полвосьмого утра", 7, 30, true}, {"полшестого вечера", 17, 30, true}, {"полчаса", 0, 0, false},
		// And in English words.
		{"half past nine", 9, 30, true}, {"quarter to ten", 9, 45, true}, {"nine", 9, 0, true},
		{"nine thirty", 9, 30, true}, {"at two pm", 14, 0, true}, {"quarter past 8", 8, 15, true},
		{"ten o'clock", 10, 0, true}, {"half", 0, 0, false},
		{"25:00", 0, 0, false}, {"13 pm", 0, 0, false}, {"quarter past", 0, 0, false}, {"9:7", 0, 0, false},
	} {
		hh, mm, ok := flows.ParseClock(tt.in)
		if ok != tt.ok || ok && (hh != tt.hh || mm != tt.mm) {
			t.Errorf("ParseClock(%q) = %d:%d %v, want %d:%d %v", tt.in, hh, mm, ok, tt.hh, tt.mm, tt.ok)
		}
	}
}

// TestCheckinNext: at "are you out?" the person sets the next check-in:
// the first is closed without telling anyone, and the new one keeps the
// office, the person and the trusted contact, asking only when.
func TestCheckinNext(t *testing.T) {
	w, p, c, first := phoenixWithContact(t, "en", "ru")
	w.setClock(first.End)
	w.tick()
	cn := len(c.got)
	expectTexts(t, p.press("btn.checkin_next"), "checkin.next_intro", "checkin.ask_date")
	expectTexts(t, p.send("09.04.2026"), "checkin.ask_time")
	expectTexts(t, p.send("10:00"), "checkin.review")
	p.press("btn.checkin_save")
	next, err := w.deps.Checkins.Active(context.Background(), p.id)
	if err != nil {
		t.Fatal(err)
	}
	if next.ID == first.ID || next.OfficeCode != "phoenix" || next.Name != "Иван Петров" || next.ANumber != "123456789" ||
		len(next.Contacts) != 1 || next.Contacts[0].ChatID != c.id {
		t.Fatalf("next check-in %+v", next)
	}
	if old, _ := w.deps.Checkins.Get(context.Background(), first.ID); old.Status != flows.CheckinMoved {
		t.Fatalf("first check-in is %s", old.Status)
	}
	w.setClock(first.End.Add(5 * time.Hour))
	w.tick()
	if len(c.got) != cn {
		t.Fatalf("the contact was told %v", c.idsSince(cn))
	}
}

// TestCheckinRescheduled: the office moved the check-in before it began.
// "The date or time changed" on the check-in asks only the new date and
// time; the office, the person and the trusted contacts stay, and nothing
// happens at the old time. Given up halfway, the old one stays on. There
// was only "cancel", which dropped the contacts, or the alarm at the old
// time.
func TestCheckinRescheduled(t *testing.T) {
	w, p, c, first := phoenixWithContact(t, "en", "ru")
	ctx := context.Background()

	// Told in words, ICE named or not, it is shown with the button.
	p.command("start", "")
	if r := p.send("they moved my appointment, what do I do"); !slices.Contains(textIDs(r), "checkin.told") {
		t.Errorf("the appointment moved, told at the menu: %v", textIDs(r))
	}
	// Given up at the date: the old check-in is still on.
	p.command("checkin", "")
	expectTexts(t, p.press("btn.checkin_moved"), "checkin.moved_intro", "checkin.ask_date")
	p.command("start", "")
	if k, err := w.deps.Checkins.Active(ctx, p.id); err != nil || k.ID != first.ID {
		t.Fatalf("after the new date was given up: %+v, %v; want the first check-in on", k, err)
	}
	p.command("checkin", "")
	expectTexts(t, p.press("btn.checkin_moved"), "checkin.moved_intro", "checkin.ask_date")
	expectTexts(t, p.send("19.03"), "checkin.ask_time")
	expectTexts(t, p.send("11:00"), "checkin.review")
	told := len(c.got)
	p.press("btn.checkin_save")
	// The contact who agreed is told the new time.
	if got := c.idsSince(told); !slices.Equal(got, []string{"checkin.moved_contact"}) {
		t.Errorf("the contact got %v, want the new time", got)
	}
	moved, err := w.deps.Checkins.Active(ctx, p.id)
	if err != nil {
		t.Fatal(err)
	}
	if moved.ID == first.ID || moved.OfficeCode != "phoenix" || moved.Name != "Иван Петров" || len(moved.Contacts) != 1 ||
		moved.Contacts[0].ChatID != c.id || moved.Start.In(time.UTC).Day() != 19 {
		t.Fatalf("the check-in moved: %+v", moved)
	}
	if old, _ := w.deps.Checkins.Get(ctx, first.ID); old.Status != flows.CheckinMoved {
		t.Fatalf("the first check-in is %s", old.Status)
	}
	// Nothing at the old time, not even "are you out?".
	pn, cn := len(p.got), len(c.got)
	w.setClock(first.End.Add(5 * time.Hour))
	w.tick()
	if len(p.got) != pn || len(c.got) != cn {
		t.Fatalf("at the old time the person got %v, the contact %v", p.idsSince(pn), c.idsSince(cn))
	}
}

// TestCheckinNeedHelp: "I need help" after the check-in offers a volunteer
// at once, and the check-in stays watched.
func TestCheckinNeedHelp(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	p := w.person(ckPerson, "ru")
	w.person(volunteerID, "en")
	k := w.registerCheckin(p, "Miami", "", "12.03", "9:00")
	w.setClock(k.End)
	w.tick()
	expectTexts(t, p.press("btn.checkin_help"), "checkin.help_offer")
	r := p.press("btn.volunteer_now")
	if ids := textIDs(r); len(ids) == 0 || !strings.HasPrefix(ids[0], "handoff.") {
		t.Fatalf("a volunteer was not offered: %v", ids)
	}
	if got, _ := w.deps.Checkins.Get(context.Background(), k.ID); got.Status != flows.CheckinActive {
		t.Fatalf("status %s, want still watched", got.Status)
	}
}

// Answers typed instead of pressed: "да" for "✅ Согласен(на)", the save
// button's caption on the review.
func TestCheckinTypedAnswers(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	p := w.person(ckPerson, "ru")
	toCheckinName(t, p)
	expectTexts(t, p.send("Иван Петров"), "checkin.ask_anumber")
	expectTexts(t, p.send("A 123-456-789"), "checkin.review")
	expectTexts(t, p.send("записать"), "input.use_buttons", "checkin.review") // a part of a caption is not it
	// A typed length is a new review, not an edit of the user's message.
	r := p.do(flows.Input{Kind: flows.KindText, Text: "4 часа", MessageID: 999})
	expectTexts(t, r, "checkin.review")
	if r.Edit != 0 {
		t.Errorf("the review edits message %d, the user's own", r.Edit)
	}
	expectTexts(t, p.send("Записать отметку"), "checkin.saved", "checkin.contacts", "checkin.contacts_ask")
	k, err := w.deps.Checkins.Active(context.Background(), p.id)
	if err != nil {
		t.Fatalf("active check-in: %v", err)
	}
	if got := k.End.Sub(k.Start); got != 4*time.Hour {
		t.Errorf("the check-in lasts %v, want the 4 hours typed", got)
	}
}

// /checkin typed half-way through a registration (someone unsure the bot
// heard them) asks the same question again and keeps the answers given;
// it started over with the consent before, and everything typed was lost.
func TestCheckinCommandMidway(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	p := w.person(ckPerson, "ru")
	toCheckinName(t, p)
	expectTexts(t, p.command("checkin", ""), "checkin.in_progress", "checkin.ask_name")
	expectTexts(t, p.send("Иван Петров"), "checkin.ask_anumber")
	expectTexts(t, p.send("A 123-456-789"), "checkin.review")
	expectTexts(t, p.press("btn.checkin_save"), "checkin.saved", "checkin.contacts", "checkin.contacts_ask")
	k, err := w.deps.Checkins.Active(context.Background(), p.id)
	if err != nil {
		t.Fatalf("active check-in: %v", err)
	}
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	if s := k.Start.In(chicago); s.Month() != time.March || s.Day() != 12 || s.Hour() != 9 || s.Minute() != 30 {
		t.Errorf("the check-in starts %v, want the 12 March 9:30 given before /checkin", k.Start)
	}
	// At the consent nothing is kept yet: the introduction is shown again.
	q := w.person(ckPerson+1, "en")
	q.command("start", "")
	expectTexts(t, q.press("btn.menu_checkin"), "checkin.intro", "checkin.consent")
	expectTexts(t, q.command("checkin", ""), "checkin.intro", "checkin.consent")
	// "Cancel" typed is /cancel.
	expectTexts(t, q.send("Cancel"), "checkin.cancelled_draft", "menu.choose")
}

// "Are you out?" answered as people answer it: "всё хорошо, я дома", "я в
// порядке", "меня не задержали" close the check-in (they got the greeting,
// and the alarm would have followed, a false one); "вышел, но без
// паспорта" gets the buttons, its words kept; "меня задержали" gets a
// volunteer now, where it was taken for a relative's report.
func TestCheckinOutInMoreWords(t *testing.T) {
	for _, tt := range []struct{ typed, want string }{
		{"Всё хорошо, я дома", "checkin.out_ok"},
		{"я в порядке", "checkin.out_ok"},
		{"меня не задержали", "checkin.out_ok"},
		{"I'm home, all good!", "checkin.out_ok"},
		{"I'm out, all is fine", "checkin.out_ok"},
		{"Everything's OK", "checkin.out_ok"},
		{"Всё в норме, вышла", "checkin.out_ok"},
		{"вышел, но без паспорта", "checkin.out_confirm"},
		{"Меня задержали!", "checkin.held_offer"},
		// Russian typed in Latin letters, on a keyboard without Cyrillic.
		{"vyshla, vse horosho", "checkin.out_ok"},
		{"ya doma", "checkin.out_ok"},
		{"menya zaderzhali", "checkin.held_offer"},
		// With a thank-you: it was "the check-in is going on", and the
		// alarm would have followed.
		{"все хорошо спасибо", "checkin.out_ok"},
		{"Вышла, спасибо!", "checkin.out_ok"},
		{"thanks, I'm out", "checkin.out_ok"},
	} {
		w := newWorld(t, storage.LookupLimits{})
		p := w.person(ckPerson, "ru")
		k := w.registerCheckin(p, "Чикаго", "", "12.03", "9:30")
		w.setClock(k.End)
		w.tick()
		r := p.send(tt.typed)
		if got := textIDs(r); len(got) != 1 || got[0] != tt.want {
			t.Errorf("%q: %v, want %s", tt.typed, got, tt.want)
		}
		got, err := w.deps.Checkins.Get(context.Background(), k.ID)
		if err != nil {
			t.Fatal(err)
		}
		if closed := got.Status == flows.CheckinOut; closed != (tt.want == "checkin.out_ok") {
			t.Errorf("%q: the check-in is %s", tt.typed, got.Status)
		}
		if tt.want == "checkin.held_offer" && !slices.Contains(buttonNames(r), "btn.volunteer_now") {
			t.Errorf("%q: no volunteer now: %v", tt.typed, buttonNames(r))
		}
	}
}

// Words at the menu while one's check-in goes on ("im inside now, they
// told me to wait") are about it: they get the "out" and "help" buttons,
// and are kept for the volunteer "help" leads to. They got the greeting
// and the offer to report a detention. Before the check-in begins, the
// menu answers as before.
func TestCheckinWordsWhileItGoesOn(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	p := w.person(ckPerson, "en")
	k := w.registerCheckin(p, "Chicago", "", "12.03", "9:30")
	if got := textIDs(p.send("they told me to wait")); slices.Contains(got, "checkin.during") {
		t.Errorf("the day before: %v", got)
	}
	w.setClock(k.Start.Add(30 * time.Minute))
	r := p.do(flows.Input{Kind: flows.KindText, Text: "im inside now, they told me to wait", MessageID: 4300})
	expectTexts(t, r, "checkin.during")
	if got := buttonNames(r); strings.Join(got, " ") != "btn.checkin_out btn.checkin_help btn.menu" {
		t.Errorf("buttons %v", got)
	}
	if got := w.session(p.id).Said; got != 4300 {
		t.Errorf("kept message %d, want 4300", got)
	}
	expectTexts(t, p.press("btn.checkin_help"), "checkin.help_offer")
	got, err := w.deps.Checkins.Get(context.Background(), k.ID)
	if err != nil || got.Status != flows.CheckinActive {
		t.Errorf("check-in %+v, %v: want it going on", got, err)
	}
}

// The person going writes their own name: "me" or "я сама" is asked for
// it. The name was "Me", and the trusted contacts read "Me asks you to be
// a trusted contact".
func TestCheckinNameMe(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	for i, tt := range []struct{ lang, self, name string }{{"en", "me", "Maria Lopez"}, {"ru", "Я сама", "Мария Лопес"},
		{"ru", "это я иду", "Мария Рахимова"}, {"en", "I'm the one going", "Maria Lopez"}} {
		// Said with the name, it is the name.
		p := w.person(ckPerson+int64(10+i), tt.lang)
		toCheckinName(t, p)
		expectTexts(t, p.send(tt.self+", "+tt.name), "checkin.ask_anumber")
		if got := w.session(p.id).Checkin.Name; got != tt.name {
			t.Errorf("%q: name %q, want %q", tt.self+", "+tt.name, got, tt.name)
		}
	}
	for i, tt := range []struct{ lang, self, name string }{{"en", "me", "Maria Lopez"}, {"ru", "Я сама", "Мария Лопес"}} {
		p := w.person(ckPerson+int64(i), tt.lang)
		toCheckinName(t, p)
		expectTexts(t, p.send(tt.self), "checkin.name_self", "checkin.ask_name")
		expectTexts(t, p.send(tt.name), "checkin.ask_anumber")
		if got := w.session(p.id).Checkin.Name; got != tt.name {
			t.Errorf("name %q, want %q", got, tt.name)
		}
	}
}

// alarmed lets the check-in k go unanswered until its alarm.
func (w *world) alarmed(k flows.Checkin) {
	w.t.Helper()
	w.setClock(k.End.Add(5 * time.Hour))
	for range 3 {
		w.tick()
	}
	if got, _ := w.deps.Checkins.Get(context.Background(), k.ID); got.Status != flows.CheckinAlarm {
		w.t.Fatalf("no alarm: %+v", got)
	}
}

// After the alarm, "I'm out" with more words is asked to press the button,
// which now tells the people the alarm reached; it said that nobody would
// be alarmed, when they had been.
func TestCheckinOutInMoreWordsAfterTheAlarm(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	p := w.person(ckPerson, "en")
	c := w.person(ckContact, "ru")
	w.person(volunteerID, "en")
	k := w.registerCheckin(p, "Чикаго", "", "12.03", "9:30")
	w.inviteContact(p, c)
	w.alarmed(k)
	cn := len(c.got)
	r := p.send("I'm out, but they kept my passport")
	expectTexts(t, r, "checkin.out_confirm_alarm")
	if got := c.idsSince(cn); len(got) != 0 {
		t.Fatalf("the contact was told %v before the person pressed", got)
	}
	expectTexts(t, p.press("btn.checkin_out"), "checkin.out_after_alarm")
	if got := c.idsSince(cn); strings.Join(got, " ") != "checkin.out_contact" {
		t.Fatalf("contact got %v", got)
	}
}

// After the alarm, words about the check-in ("they took my check-in
// papers", "my check-in is taking hours") or anything else the menu does
// not take get the "out" and "help" buttons, saying "out" tells those the
// alarm reached; the words are kept for the volunteer. Words that name
// the check-in got the offer to register one.
func TestCheckinWordsAfterTheAlarm(t *testing.T) {
	for i, typed := range []string{"my check-in is taking hours, they have my papers", "they told me to wait here"} {
		w := newWorld(t, storage.LookupLimits{})
		p := w.person(ckPerson+int64(i), "en")
		w.person(volunteerID, "en")
		w.alarmed(w.registerCheckin(p, "Chicago", "", "12.03", "9:30"))
		r := p.do(flows.Input{Kind: flows.KindText, Text: typed, MessageID: 4400})
		expectTexts(t, r, "checkin.out_confirm_alarm")
		if got := buttonNames(r); strings.Join(got, " ") != "btn.checkin_out btn.checkin_help btn.menu" {
			t.Errorf("%q: buttons %v", typed, got)
		}
		if got := w.session(p.id).Said; got != 4400 {
			t.Errorf("%q: kept message %d, want 4400", typed, got)
		}
	}
}

// A check-in to come, told at the menu, gets the safety line a button
// away: "у мужа завтра отметка в ICE" got the offer to report a detention
// (for its "ICE"), "чекин завтра" the greeting. A detention at a check-in
// is still the offer to report it.
func TestCheckinToldAtTheMenu(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	for i, tt := range []struct{ lang, typed, want string }{
		{"ru", "у мужа завтра отметка в ICE", "menu.checkin_offer"},
		{"ru", "чекин завтра в 9", "menu.checkin_offer"},
		{"en", "my husband has an ICE check-in tomorrow at 9am in Newark", "menu.checkin_offer"},
		{"en", "I have a check in next week", "menu.checkin_offer"},
		{"en", "i have an ice appointment tomorrow and im scared", "menu.checkin_offer"},
		{"en", "my ISAP appointment is on monday", "menu.checkin_offer"},
		{"ru", "мужа вызвали на явку в ICE", "menu.checkin_offer"},
		{"ru", "мне завтра идти в иммиграционную службу, боюсь", "menu.checkin_offer"},
		{"en", "I have a doctor's appointment, can someone call me back", "menu.call_back"},
		{"ru", "мужа забрали на отметке в ICE", "menu.report_offer"},
		{"en", "he was detained at his check-in", "menu.report_offer"},
	} {
		p := w.person(ckPerson+int64(10+i), tt.lang)
		p.command("start", "")
		r := p.send(tt.typed)
		expectTexts(t, r, tt.want)
		if tt.want == "menu.checkin_offer" {
			expectTexts(t, p.press("btn.menu_checkin"), "checkin.intro", "checkin.consent")
		}
	}
	// A volunteer's words at the menu were for a person: they went to
	// nobody, and the volunteer is told so.
	v := w.person(volunteerID, "ru")
	expectTexts(t, v.send("у него отметка завтра в 9"), "handoff.member_no_chat")
}

// One who registered a check-in and writes of it at the menu ("my check-in
// was rescheduled", "отмените мою отметку") is shown it,
// with its "cancel" and how to change it; they were offered to register
// one, as if they had none. Once it has begun, the "out" and "help"
// buttons.
func TestCheckinToldWhenRegistered(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	for i, tt := range []struct{ lang, typed string }{
		{"en", "my check-in was rescheduled"}, {"ru", "отмените мою отметку"},
	} {
		p := w.person(ckPerson+int64(i), tt.lang)
		k := w.registerCheckin(p, "Chicago", "", "12.03", "9:30")
		r := p.send(tt.typed)
		expectTexts(t, r, "checkin.told", "checkin.show", "checkin.contacts", "checkin.contacts_ask")
		if !slices.Contains(buttonNames(r), "btn.checkin_cancel") {
			t.Errorf("%q: buttons %v, want its cancel", tt.typed, buttonNames(r))
		}
		w.setClock(k.Start.Add(10 * time.Minute))
		expectTexts(t, p.send(tt.typed), "checkin.during")
		w.setClock(testNow)
	}
}

// The name of the person going is read as the report reads a name: a
// relative registering for them writes who they are first ("Муж, рустам
// алиев": Рустам Алиев, as it is shown to the trusted contacts and in the
// alarm's case), and "да" is an answer, not a name.
func TestCheckinNameAsTyped(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	p := w.person(ckPerson, "ru")
	toCheckinName(t, p)
	expectTexts(t, p.send("да"), "checkin.name_answer_word", "checkin.ask_name")
	expectTexts(t, p.send("завтра утром"), "parse.name_date", "checkin.ask_name")
	expectTexts(t, p.send("Муж, рустам алиев"), "checkin.ask_anumber")
	expectTexts(t, p.send("не знаю"), "checkin.review")
	if got := w.session(p.id).Checkin.Name; got != "Рустам Алиев" {
		t.Errorf("name %q, want Рустам Алиев", got)
	}
}

// A time typed where the day of the check-in is asked ("в 9 утра") is kept,
// said back, and the day asked again; it was "could not read the date",
// and the time lost. A bare number is not taken for the time.
func TestCheckinTimeBeforeDay(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	p := w.person(ckPerson, "ru")
	toCheckinDate(t, p, "да")
	expectTexts(t, p.send("15"), "parse.date", "checkin.ask_date")
	expectTexts(t, p.send("в 9 утра"), "checkin.time_first", "checkin.ask_date")
	expectTexts(t, p.send("12.03"), "checkin.ask_name")
	if d := w.session(p.id).Checkin; d == nil || d.Date != "2026-03-12" || d.Clock != "09:00" || d.TimeFirst != "" {
		t.Fatalf("the draft after the time, then the day: %+v", d)
	}
}

// Under the offices found, "да" is the one shown (a yes to several asks
// which) and "нет" keeps what was typed; the day and time, an A-number or
// a phone typed for the office are answers to later questions, asked
// later. Each was searched for as an office ("да" found Dallas), and
// could be kept as the office.
func TestCheckinOfficeTypedAnswers(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	p := w.person(ckPerson, "ru")
	p.command("start", "")
	expectTexts(t, p.press("btn.menu_checkin"), "checkin.intro", "checkin.consent")
	expectTexts(t, p.send("да"), "checkin.ask_office")
	for _, later := range []string{"в следующий вторник в 9 утра", "12.03", "A 123-456-789", "+1 786 555 0199"} {
		expectTexts(t, p.send(later), "checkin.office_first", "checkin.ask_office")
	}
	expectTexts(t, p.send("Чикаго Иллинойс"), "checkin.office_pick")
	expectTexts(t, p.send("в понедельник в 10"), "checkin.office_first", "checkin.office_pick")
	expectTexts(t, p.send("да"), "checkin.ask_date")
	if d := w.session(p.id).Checkin; d == nil || d.OfficeCode == "" {
		t.Fatalf("«да» under the one office found: %+v", d)
	}

	q := w.person(ckPerson+1, "en")
	q.command("start", "")
	q.press("btn.menu_checkin")
	expectTexts(t, q.send("yes"), "checkin.ask_office")
	expectTexts(t, q.send("San"), "checkin.office_pick")
	if n := len(q.got[len(q.got)-1].Buttons); n < 3 {
		t.Fatalf("«San» found %d offices, want several", n-1)
	}
	expectTexts(t, q.send("yes"), "checkin.office_which", "checkin.office_pick")
	expectTexts(t, q.send("no"), "checkin.ask_state")
	if d := w.session(q.id).Checkin; d == nil || d.OfficeCode != "" || d.OfficeText != "San" {
		t.Fatalf("«no» under the offices found: %+v", d)
	}
}

// session reads a chat's session.
func (w *world) session(id int64) *flows.Session {
	w.t.Helper()
	s, err := w.sessions.Get(context.Background(), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

// "Are you out?" answered in words: "да" before the check-in began is not
// an answer (the menu greets); "Да, вышла" after it closes the check-in
// and nobody is alarmed; after an alarm, "я вышел" tells the people the
// alarm told, as the button does. "Не вышел" closes nothing: it gets the
// "out" and "help" buttons.
func TestCheckinOutInWords(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	p := w.person(ckPerson, "ru")
	c := w.person(ckContact, "en")
	w.person(volunteerID, "en")
	k := w.registerCheckin(p, "Чикаго", "", "12.03", "9:30")
	w.inviteContact(p, c)

	expectTexts(t, p.send("да"), "menu.greeting")          // the day before: nothing has begun
	expectTexts(t, p.send("нет"), "checkin.contacts_done") // no more contacts, under their screen
	expectTexts(t, p.send("нет"), "menu.greeting")
	r := p.do(flows.Input{Kind: flows.KindMedia, Media: "voice", MessageID: 4241})
	expectTexts(t, r, "menu.media_offer")
	w.setClock(k.End)
	w.tick()
	// A voice message: the bot cannot hear "I'm out", so it shows the
	// buttons, not the offer to report a detention.
	r = p.do(flows.Input{Kind: flows.KindMedia, Media: "voice", MessageID: 4242})
	expectTexts(t, r, "checkin.media")
	if got := buttonNames(r); strings.Join(got, " ") != "btn.checkin_out btn.checkin_help" {
		t.Errorf("a voice message gets %v", got)
	}
	expectTexts(t, p.send("Нет"), "checkin.still_inside")
	r = p.send("не вышел")
	expectTexts(t, r, "checkin.still_inside")
	if got := buttonNames(r); strings.Join(got, " ") != "btn.checkin_out btn.checkin_help" {
		t.Errorf("'не вышел' gets %v", got)
	}
	expectTexts(t, p.send("still in line"), "checkin.still_inside")
	// Kept inside: a volunteer now, first in the queue; it was only the
	// buttons, as for any words.
	expectTexts(t, p.send("меня оставили"), "checkin.held_offer")
	expectTexts(t, p.send("they kept me"), "checkin.held_offer")
	cn := len(c.got)
	expectTexts(t, p.send("Да, вышла"), "checkin.out_ok")
	w.setClock(k.End.Add(8 * time.Hour))
	w.tick()
	if got, err := w.deps.Checkins.Get(context.Background(), k.ID); err != nil || got.Status != flows.CheckinOut {
		t.Fatalf("check-in after 'Да, вышла': %+v, %v", got, err)
	}
	if len(c.got) != cn {
		t.Fatalf("the contact was told %v", c.idsSince(cn))
	}

	// The next one: silence, the alarm, then "я вышел".
	p.command("start", "")
	k2 := w.registerCheckin(p, "Чикаго", "", "20.03", "9:30")
	w.inviteContact(p, c)
	w.setClock(k2.End.Add(5 * time.Hour))
	w.tick()
	w.tick()
	w.tick()
	if got, _ := w.deps.Checkins.Get(context.Background(), k2.ID); got.Status != flows.CheckinAlarm {
		t.Fatalf("no alarm: %+v", got)
	}
	cn = len(c.got)
	expectTexts(t, p.send("just got out"), "checkin.out_after_alarm") // it was the buttons again
	if got, _ := w.deps.Checkins.Get(context.Background(), k2.ID); got.Status != flows.CheckinOutAfterAlarm {
		t.Fatalf("after «just got out»: %+v", got)
	}
	if got := c.idsSince(cn); strings.Join(got, " ") != "checkin.out_contact" {
		t.Fatalf("contact got %v", got)
	}
}

// TestCheckinLateAlarmWaitsForTheBacklog: the bot was down when the
// alarm came due, and the person wrote "I'm out" meanwhile. Back up, the
// bot handles that message before it raises the alarm: nobody is told the
// person may be detained. Without such a message the alarm goes out once
// its lease ran out, a couple of minutes late.
func TestCheckinLateAlarmWaitsForTheBacklog(t *testing.T) {
	for _, out := range []bool{true, false} {
		t.Run(fmt.Sprintf("out=%v", out), func(t *testing.T) {
			w := newWorld(t, storage.LookupLimits{})
			p := w.person(ckPerson, "ru")
			c := w.person(ckContact, "en")
			w.person(volunteerID, "en")
			k := w.registerCheckin(p, "new york", "New York City", "11.03", "10:00")
			w.inviteContact(p, c)
			p.press("btn.checkin_phone")
			p.send("+1 212 555 0100")
			grace := 2 * time.Hour
			w.setClock(k.End)
			w.tick()
			w.setClock(k.End.Add(grace))
			w.tick()

			// Down from before the alarm until half an hour after it.
			w.setClock(k.End.Add(2*grace + 30*time.Minute))
			w.app = mustNew(t, w.cfg, w.deps)
			cn := len(c.got)
			w.tick()
			if out {
				expectTexts(t, p.send("я вышел"), "checkin.out_ok")
			}
			w.setClock(k.End.Add(2*grace + 33*time.Minute))
			w.tick()
			w.tick()
			got := strings.Join(c.idsSince(cn), " ")
			switch {
			case out && got != "":
				t.Errorf("out before the alarm was handled: the contact got %q", got)
			case !out && got != "checkin.late checkin.alarm_contact":
				t.Errorf("no answer: the contact got %q, want the alarm once", got)
			}
		})
	}
}

// The day of a check-in in words: "послезавтра", a day of the week (the
// test's today is Tuesday, 10 March 2026); no A-number in words: "у него
// нет", "dont have it".
func TestCheckinAnswersInWords(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	// "The first one" among the offices shown.
	p := w.person(ckPerson+10, "en")
	p.command("start", "")
	expectTexts(t, p.press("btn.menu_checkin"), "checkin.intro", "checkin.consent")
	expectTexts(t, p.send("yes"), "checkin.ask_office")
	expectTexts(t, p.send("Florida"), "checkin.office_pick")
	if r := p.send("the first one"); !strings.Contains(w.cat.Render("en", r.Texts...), "Miami") {
		t.Errorf("«the first one» at the offices shown: %v", textIDs(r))
	}

	// The day with its time: the time is not asked again.
	for i, typed := range []string{"monday morning at 8", "в понедельник в 8 утра", "16.03 8:00"} {
		p := w.person(ckPerson+20+int64(i), "en")
		toCheckinDate(t, p, "yes")
		expectTexts(t, p.send(typed), "checkin.ask_name")
		expectTexts(t, p.send("Ivan Petrov"), "checkin.ask_anumber")
		r := p.send("idk")
		if got := w.cat.Render("en", r.Texts...); !strings.Contains(got, "March 16, 2026, 8:00 AM") {
			t.Errorf("%q: the review says\n%s", typed, got)
		}
	}

	for i, tt := range []struct{ typed, want, anumber string }{
		{"послезавтра", "12 марта", "у него нет"},
		{"в понедельник", "16 марта", "dont have it"},
		{"в следующий вторник", "17 марта", "нету"},
		{"20.03", "20 марта", "A 123-456-789"},
		{"15.01.27", "15 января 2027", "I don't have it"},
	} {
		p := w.person(ckPerson+int64(i), "ru")
		toCheckinDate(t, p, "да")
		expectTexts(t, p.send(tt.typed), "checkin.ask_time")
		expectTexts(t, p.send("9:30"), "checkin.ask_name")
		expectTexts(t, p.send("Иван Петров"), "checkin.ask_anumber")
		r := p.send(tt.anumber)
		expectTexts(t, r, "checkin.review")
		if got := w.cat.Render("ru", r.Texts...); !strings.Contains(got, tt.want) {
			t.Errorf("%q: the review does not say %s:\n%s", tt.typed, tt.want, got)
		}
	}

	// A date that reads two ways is asked again, naming both.
	p = w.person(ckPerson+30, "en")
	toCheckinDate(t, p, "yes")
	r := p.send("04/05")
	if got := w.cat.Render("en", r.Texts...); !slices.Contains(textIDs(r), "date.two_ways") ||
		!strings.Contains(got, "April 5") || !strings.Contains(got, "May 4") {
		t.Errorf("04/05: %v\n%s", textIDs(r), got)
	}
	expectTexts(t, p.send("5 April"), "checkin.ask_time")
}

// A phone number typed at the menu after the check-in is registered — the
// contacts screen asks for one — is offered as a trusted contact's; an
// A-number or a date typed there is not.
func TestCheckinPhoneTypedAtTheMenu(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	p := w.person(ckPerson, "en")
	k := w.registerCheckin(p, "new york", "New York City", "11.03", "10:00")
	for _, typed := range []string{"A 123 456 789", "12.03.2026", "his A# 209-114-552, please help",
		"my brother was arrested by ICE this morning, A# 209-114-552", "they detained my husband, call me at 305 555 0199",
		"my new number is 305 555 0177", "мой новый телефон 786 555 0123"} {
		if ids := textIDs(p.send(typed)); slices.Contains(ids, "checkin.phone_offer") {
			t.Errorf("%q offered as a phone: %v", typed, ids)
		}
	}
	// The writer's own new number goes where any phone at the menu goes
	// (a volunteer sees it).
	expectTexts(t, p.send("my new number is 305 555 0177"), "menu.phone")
	expectTexts(t, p.send("my wife +1 (305) 555-0199"), "checkin.phone_offer")
	expectTexts(t, p.press("btn.checkin_phone_add"), "checkin.phone_added", "checkin.contacts", "checkin.contacts_ask")
	got, err := w.deps.Checkins.Get(context.Background(), k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Contacts) != 1 || got.Contacts[0].Phone != "+13055550199" {
		t.Errorf("contacts %+v, want the phone typed", got.Contacts)
	}
	// "Yes" typed to the offer adds the phone, as the button does; the
	// menu greeted, and the person believed it added. The offer is for the
	// next message only: a "yes" after anything else is not it.
	expectTexts(t, p.send("сестра 786 555 0123"), "checkin.phone_offer")
	expectTexts(t, p.send("Yes"), "checkin.phone_added", "checkin.contacts", "checkin.contacts_ask")
	expectTexts(t, p.send("+1 212 555 0142"), "checkin.phone_offer")
	expectTexts(t, p.send("no"), "menu.greeting")
	expectTexts(t, p.send("yes"), "menu.greeting")
	if got, err = w.deps.Checkins.Get(context.Background(), k.ID); err != nil {
		t.Fatal(err)
	}
	if len(got.Contacts) != 2 || got.Contacts[1].Phone != "7865550123" && got.Contacts[1].Phone != "+17865550123" {
		t.Errorf("contacts %+v, want the second phone added by the typed yes, the third not", got.Contacts)
	}
	// Someone without a check-in gets no such offer.
	q := w.person(ckPerson+1, "en")
	q.command("start", "")
	if ids := textIDs(q.send("+1 305 555 0100")); slices.Contains(ids, "checkin.phone_offer") {
		t.Errorf("offered without a check-in: %v", ids)
	}
}

// TestCheckinReviewYesRegisters: "да" or "save" typed under the check-in's
// review registers it: refused with "choose with the buttons", a person
// could leave believing it was registered, and no alarm would ever come.
func TestCheckinReviewYesRegisters(t *testing.T) {
	for _, tt := range []struct{ lang, yes, say string }{{"ru", "да", "да"}, {"en", "yes", "Save"},
		// In more words: the registration was refused, and the person
		// could leave believing it done.
		{"ru", "да, конечно", "да, всё верно"}, {"en", "yes please", "all good"}, {"en", "sure", "yes please"},
		{"ru", "да", "да, сохраните"}, {"ru", "да", "всё верно, регистрируйте"}, {"en", "yes", "ok save it please"}} {
		w := newWorld(t, storage.LookupLimits{})
		p := w.person(ckPerson, tt.lang)
		toCheckinDate(t, p, tt.yes)
		expectTexts(t, p.press("btn.checkin_tomorrow"), "checkin.ask_time")
		expectTexts(t, p.send("10:00"), "checkin.ask_name")
		expectTexts(t, p.send("Ivan Petrov"), "checkin.ask_anumber")
		expectTexts(t, p.press("btn.checkin_anumber_unknown"), "checkin.review")
		r := p.send(tt.say)
		if len(r.Texts) == 0 || r.Texts[0].ID != "checkin.saved" {
			t.Errorf("%q under the review: %v, want the check-in registered", tt.say, textIDs(r))
		}
		if _, err := w.deps.Checkins.Active(context.Background(), p.id); err != nil {
			t.Errorf("%q: no active check-in: %v", tt.say, err)
		}
	}
}

// A question about the check-in's questions ("зачем вам это?", "это
// безопасно?") is answered — what the safety line does, who sees what it
// keeps — and the question asked again. It became the person's name.
func TestCheckinQuestionAboutTheQuestion(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	p := w.person(ckPerson, "ru")
	toCheckinName(t, p)
	expectTexts(t, p.send("Зачем вам это?"), "checkin.intro", "checkin.ask_name")
	expectTexts(t, p.send("это безопасно?"), "checkin.who_sees", "checkin.ask_name")
	expectTexts(t, p.send("а вы мне позвоните?"), "report.question_kept", "checkin.ask_name")
	expectTexts(t, p.send("Иван Петров"), "checkin.ask_anumber")
	expectTexts(t, p.send("а ICE узнает?"), "checkin.who_sees", "checkin.ask_anumber")
	expectTexts(t, p.send("A 123-456-789"), "checkin.review")
	if got := w.session(p.id).Checkin.Name; got != "Иван Петров" {
		t.Errorf("name = %q, want the name typed, not the questions", got)
	}
	// At the consent, its text already says what the line is for.
	q := w.person(ckPerson+1, "en")
	q.command("start", "")
	q.press("btn.menu_checkin")
	expectTexts(t, q.send("why?"), "checkin.intro", "checkin.consent")
	expectTexts(t, q.send("is it safe?"), "checkin.who_sees", "checkin.intro", "checkin.consent")
}

// What someone registering a check-in does not know, or knows roughly, is
// answered with where to find it, not "could not read": a date not known,
// a month without its day, a time not known, a window of time from the
// letter ("с 9 до 12": when they go in, from which the alarm counts), and a
// name they would rather not give (what it is for; it was stored as the
// name).
func TestCheckinRoughAnswers(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	p := w.person(ckPerson, "ru")
	toCheckinDate(t, p, "да")
	expectTexts(t, p.send("не знаю"), "checkin.date_unknown", "checkin.ask_date")
	expectTexts(t, p.send("в январе"), "checkin.date_month", "checkin.ask_date")
	expectTexts(t, p.send("завтра"), "checkin.ask_time")
	expectTexts(t, p.send("не знаю"), "checkin.time_unknown", "checkin.ask_time")
	for _, window := range []string{"с 9 до 12", "9-11", "between 9 and 11 am"} {
		expectTexts(t, p.send(window), "checkin.time_window", "checkin.ask_time")
	}
	expectTexts(t, p.send("9:00"), "checkin.ask_name")
	expectTexts(t, p.send("не хочу говорить"), "checkin.name_why", "checkin.ask_name")
	expectTexts(t, p.send("Иван Петров"), "checkin.ask_anumber")
	if d := w.session(p.id).Checkin; d == nil || d.Name != "Иван Петров" || d.Clock != "09:00" {
		t.Errorf("draft %+v, want the name and 9:00", d)
	}
}

// Words typed under the trusted contacts' screen right after registering:
// "нет", "не надо", "готово" are its "Done", "жена" or "@maria_k" get how
// to add one, with the screen again. They got the greeting, as if the
// check-in had not been heard. An hour later "нет" is the menu's again.
func TestCheckinContactsInWords(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	for i, tt := range []struct{ typed, want string }{
		{"нет", "checkin.contacts_done"}, {"не надо", "checkin.contacts_done"}, {"готово", "checkin.contacts_done"},
		{"жена", "checkin.contact_how+checkin.contacts+checkin.contacts_ask"},
		{"@maria_k", "checkin.contact_how+checkin.contacts+checkin.contacts_ask"},
		{"добавь ещё сестру", "checkin.contact_how+checkin.contacts+checkin.contacts_ask"}, // it was the greeting
	} {
		p := w.person(ckPerson+int64(10*i), "ru")
		w.registerCheckin(p, "Чикаго", "", "завтра", "9:00")
		if got := describe(p.send(tt.typed)); got != tt.want {
			t.Errorf("%q under the contacts: %s, want %s", tt.typed, got, tt.want)
		}
	}
	p := w.person(ckOther, "ru")
	w.registerCheckin(p, "Чикаго", "", "завтра", "9:00")
	w.advance(2 * time.Hour)
	if got := describe(p.send("нет")); strings.Contains(got, "checkin.contacts_done") {
		t.Errorf("«нет» two hours later: %s", got)
	}
}

// While a check-in goes on, a detention told in other words than "меня
// задержали" ("его забрали", "they are detaining me", "они забрали мужа" from
// a wife who registered her husband's) and a plea ("помогите", "help") get
// a volunteer now, first in the queue; they got the offer to report a
// detention, as anyone's. Before the check-in, they still do.
func TestCheckinTroubleInWords(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	for i, typed := range []string{"его забрали", "помогите", "они забрали мужа", "they are detaining me", "help"} {
		p := w.person(ckPerson+int64(10*i), "ru")
		k := w.registerCheckin(p, "Чикаго", "", "завтра", "9:00")
		if got := describe(p.send(typed)); got == "checkin.trouble_offer" {
			t.Errorf("%q before the check-in: %s", typed, got)
		}
		w.setClock(k.Start.Add(30 * time.Minute))
		r := p.send(typed)
		if got := describe(r); got != "checkin.trouble_offer" {
			t.Errorf("%q during the check-in: %s, want a volunteer now", typed, got)
		}
		if got := buttonNames(r); len(got) == 0 || got[0] != "btn.volunteer_now" {
			t.Errorf("%q: buttons %v", typed, got)
		}
		w.setClock(testNow)
	}
}

// "Talk to a volunteer now" under the check-in's "held" offer puts the
// person first in the queue, as the offer says: they joined behind
// everyone, a check-in being no urgent case until its alarm.
func TestCheckinHeldGoesFirst(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	other := w.person(ckOther, "ru")
	other.command("start", "")
	other.press("btn.menu_volunteer")
	p := w.person(ckPerson, "ru")
	k := w.registerCheckin(p, "Чикаго", "", "завтра", "9:00")
	w.setClock(k.Start.Add(30 * time.Minute))
	expectTexts(t, p.send("меня задерживают"), "checkin.held_offer")
	r := p.press("btn.volunteer_now")
	if got := textIDs(r); !slices.Contains(got, "handoff.joined_urgent") {
		t.Errorf("joined: %v, want first in the queue", got)
	}
	if got := w.waiting(); len(got) != 2 || got[0] != p.id {
		t.Errorf("queue %v, want the check-in's person first", got)
	}
}

// "I will remind you the day before" is promised only when the day before
// is still ahead: a check-in tomorrow at 6:00 registered after 6:00 today
// gets the two-hour reminder alone, and was promised both.
func TestCheckinPromisesRemindersAhead(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storage.LookupLimits{})
	// Tuesday 2026-03-10 12:00 UTC is 7:00 in Chicago.
	for i, tt := range []struct {
		date, clock string
		dayBefore   bool
	}{{"11.03", "6:00", false}, {"12.03", "9:30", true}} {
		p := w.person(ckPerson+int64(i), "ru")
		w.registerCheckin(p, "Чикаго", "", tt.date, tt.clock)
		var saved string
		for _, m := range p.got {
			if len(m.Texts) > 0 && m.Texts[0].ID == "checkin.saved" {
				saved = w.cat.Render("ru", m.Texts[0])
			}
		}
		if strings.Contains(saved, "накануне") != tt.dayBefore || !strings.Contains(saved, "за два часа") {
			t.Errorf("%s %s: the reminders promised:\n%s", tt.date, tt.clock, saved)
		}
	}
}

// TestCheckinOutEarly: "I'm out, all good" an hour before the time
// registered (the office called them in early) closes the check-in, and
// nobody is asked or alarmed at its end; it was offered as news of a case,
// and the silence at the end raised the alarm. Days before, it closes
// nothing.
func TestCheckinOutEarly(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	p := w.person(ckPerson, "en")
	k := w.registerCheckin(p, "Chicago", "", "12.03", "9:30")
	if ids := textIDs(p.send("I'm out, all good")); slices.Contains(ids, "checkin.out_ok") {
		t.Fatalf("'I'm out' two days before: %v", ids)
	}
	w.setClock(k.Start.Add(-time.Hour))
	expectTexts(t, p.send("I'm out, all good"), "checkin.out_ok")
	w.setClock(k.End.Add(8 * time.Hour))
	w.tick()
	if got, err := w.deps.Checkins.Get(context.Background(), k.ID); err != nil || got.Status != flows.CheckinOut {
		t.Errorf("check-in after an early 'I'm out': %+v, %v", got, err)
	}
}

// saidLabel is the caption of the "…, from what you wrote" button of r, as
// the person sees it; "" when there is none.
func (w *world) saidLabel(r flows.Reply) string {
	for _, row := range r.Buttons {
		for _, b := range row {
			if b.Text.ID == "btn.use_said" {
				return w.cat.Button(r.Lang, b.Text)
			}
		}
	}
	return ""
}

// TestCheckinToldBeforeRegistering: a check-in told at the menu ("у мужа
// отметка в ICE в четверг в 9 утра в Чикаго") is registered with its
// office, day and time a press away each, at their questions; they were
// asked again as if never written. Nothing is taken without the press; a
// number without a mark of time ("в 9") is no time.
func TestCheckinToldBeforeRegistering(t *testing.T) {
	w := newWorld(t, storage.LookupLimits{})
	p := w.person(ckPerson, "ru")
	p.command("start", "")
	expectTexts(t, p.send("У мужа отметка в ICE в четверг в 9 утра в Чикаго, боюсь что задержат"), "menu.checkin_offer")
	expectTexts(t, p.press("btn.menu_checkin"), "checkin.intro", "checkin.consent")
	r := p.press("btn.checkin_agree")
	expectTexts(t, r, "checkin.ask_office")
	if got := w.saidLabel(r); !strings.Contains(got, "Chicago") {
		t.Fatalf("the office told: button %q, want Chicago's", got)
	}
	r = p.press("btn.use_said")
	expectTexts(t, r, "checkin.ask_date")
	// Thursday after Tuesday 10 March 2026.
	if got := w.saidLabel(r); !strings.Contains(got, "четверг, 12 марта 2026, 09:00") {
		t.Fatalf("the day told: button %q", got)
	}
	expectTexts(t, p.press("btn.use_said"), "checkin.ask_name")
	if d := w.session(p.id).Checkin; d.OfficeCode != "chicago" || d.Date != "2026-03-12" || d.Clock != "09:00" {
		t.Fatalf("the draft: %+v", d)
	}

	// The day without a time: the day a press away, the time asked.
	q := w.person(ckOther, "en")
	q.command("start", "")
	expectTexts(t, q.send("my wife has an ICE check-in on March 20 at 9, I'm scared they will detain her"), "menu.checkin_offer")
	q.press("btn.menu_checkin")
	r = q.press("btn.checkin_agree")
	if got := w.saidLabel(r); got != "" {
		t.Errorf("no office told, and the button %q", got)
	}
	expectTexts(t, q.send("Phoenix"), "checkin.ask_date")
	r = q.last().Reply
	if got := w.saidLabel(r); !strings.Contains(got, "Friday, March 20, 2026") || strings.Contains(got, "9") {
		t.Fatalf("the day told: button %q", got)
	}
	r = q.press("btn.use_said")
	expectTexts(t, r, "checkin.ask_time")
	if got := w.saidLabel(r); got != "" {
		t.Errorf("\"at 9\" read as a time: %q", got)
	}

	// Words written long before the registration are not its own: their
	// "в четверг" was another week's.
	old := w.person(ckOther+10, "ru")
	old.command("start", "")
	expectTexts(t, old.send("У мужа отметка в ICE в четверг в 9 утра в Чикаго, боюсь что задержат"), "menu.checkin_offer")
	w.setClock(testNow.Add(2 * time.Hour))
	old.press("btn.menu_checkin")
	if r := old.press("btn.checkin_agree"); w.saidLabel(r) != "" {
		t.Errorf("words of two hours before offered: %q", w.saidLabel(r))
	}
	w.setClock(testNow)

	// The day and the time as people write them; a window ("с 9 до 12")
	// is no time to go in.
	for i, tt := range []struct{ lang, told, day string }{
		{"ru", "у брата отметка в ICE завтра с 9 до 12, боюсь", "среда, 11 марта 2026 — "},
		{"en", "I have an ICE check-in on Thursday at 2:30 pm and I'm afraid they will detain me",
			"Thursday, March 12, 2026, 14:30, "},
		{"ru", "у мужа чекин 13.03 в 10 часов, могут задержать", "пятница, 13 марта 2026, 10:00 — "},
		// The day of the week and its date are one day, not two.
		{"ru", "у мужа отметка в ICE на четверг 19 марта в 11 утра, боюсь", "четверг, 19 марта 2026, 11:00 — "},
	} {
		o := w.person(ckOther+1+int64(i), tt.lang)
		o.command("start", "")
		expectTexts(t, o.send(tt.told), "menu.checkin_offer")
		o.press("btn.menu_checkin")
		o.press("btn.checkin_agree")
		expectTexts(t, o.send("Phoenix"), "checkin.ask_date")
		if got := w.saidLabel(o.last().Reply); !strings.HasPrefix(got, tt.day) {
			t.Errorf("%q: the button %q, want it to begin %q", tt.told, got, tt.day)
		}
	}
}

// TestCheckinMovedInWords: one whose check-in is registered writes that it
// moved ("they moved my appointment to next tuesday 10am"): the new day and
// time are a press away, on top of the check-in, and after the review the
// check-in is moved, its contacts told. The day it already has is no
// move: the check-in is shown as it is.
func TestCheckinMovedInWords(t *testing.T) {
	w, p, c, first := phoenixWithContact(t, "en", "ru")
	ctx := context.Background()

	p.command("start", "")
	r := p.send("my appointment is on thursday")
	expectTexts(t, r, "checkin.told", "checkin.show", "checkin.contacts", "checkin.contacts_ask")
	if slices.Contains(buttonNames(r), "btn.checkin_move_to") {
		t.Errorf("the day it has offered as a move")
	}
	// A span of weeks is no day: the alarm must not wait for a guess.
	expectTexts(t, p.send("they moved my appointment to next week, Tuesday"), "checkin.told", "checkin.show",
		"checkin.contacts", "checkin.contacts_ask")
	// Another office's day is another check-in: no move of this one.
	r = p.send("my son has an ICE check-in next tuesday at 10am in Chicago")
	expectTexts(t, r, "checkin.told", "checkin.show", "checkin.contacts", "checkin.contacts_ask")
	r = p.send("they moved my appointment to next tuesday 10am")
	expectTexts(t, r, "checkin.told_moved", "checkin.show", "checkin.contacts", "checkin.contacts_ask")
	if got := w.cat.Button(r.Lang, r.Buttons[0][0].Text); got != "📅 Move it to Tuesday, March 17, 2026, 10:00" {
		t.Fatalf("the first button: %q", got)
	}
	if k, _ := w.deps.Checkins.Active(ctx, p.id); k.ID != first.ID {
		t.Fatalf("moved before the press")
	}
	// A move with its day, answering the reminder, names no check-in:
	// it is about this one. The day alone: the time is asked.
	if r := p.send("суд перенесли на 20 марта"); slices.Contains(textIDs(r), "checkin.told_moved") {
		t.Errorf("a hearing moved, taken for the check-in's move: %v", textIDs(r))
	}
	p.command("start", "")
	r = p.send("Перенесли на пятницу 13 марта")
	expectTexts(t, r, "checkin.told_moved", "checkin.show", "checkin.contacts", "checkin.contacts_ask")
	expectTexts(t, p.press("btn.checkin_move_to"), "checkin.moved_intro", "checkin.ask_time")
	p.command("start", "")
	r = p.send("they moved my appointment to next tuesday 10am")
	expectTexts(t, p.press("btn.checkin_move_to"), "checkin.moved_intro", "checkin.review")
	told := len(c.got)
	p.press("btn.checkin_save")
	if got := c.idsSince(told); !slices.Equal(got, []string{"checkin.moved_contact"}) {
		t.Errorf("the contact got %v, want the new time", got)
	}
	moved := w.followedAt(p, c, first, time.Date(2026, 3, 17, 17, 0, 0, 0, time.UTC)) // Phoenix keeps UTC-7
	// An old "move" button, once moved, moves nothing.
	p.pressData("k.:nt:" + fmt.Sprint(first.ID) + ":=2026-03-19 11:00")
	if k, _ := w.deps.Checkins.Active(ctx, p.id); k.ID != moved.ID {
		t.Fatalf("an old button moved the check-in again")
	}

	// Pressed once the check-in has begun (the office moved it at the
	// door): the next one, as "Next check-in".
	q := w.person(ckOther, "ru")
	k := w.registerCheckin(q, "Phoenix", "", "13.03", "9:00")
	q.command("start", "")
	expectTexts(t, q.send("отметку перенесли на 20 марта в 9 утра"), "checkin.told_moved", "checkin.show",
		"checkin.contacts", "checkin.contacts_ask")
	w.setClock(k.Start.Add(10 * time.Minute))
	expectTexts(t, q.press("btn.checkin_move_to"), "checkin.next_intro", "checkin.review")
}

// TestCheckinNextToldWhenOut: "вышел, следующая отметка 14 апреля в 10
// утра", as offices give the next date at the end of one, is out and the
// next check-in in one press, after its review: same office, person and
// contacts, and nothing more at the old one's end. The day was lost in the
// words, and the next check-in had no safety line unless registered anew.
func TestCheckinNextToldWhenOut(t *testing.T) {
	w, p, c, first := phoenixWithContact(t, "ru", "en")
	w.setClock(first.Start.Add(40 * time.Minute))

	r := p.send("Вышел, всё нормально. Следующая отметка 14 апреля в 10 утра")
	expectTexts(t, r, "checkin.out_confirm", "checkin.next_told")
	if got := w.cat.Button(r.Lang, r.Buttons[0][0].Text); got != "✅ Вышел(ла); следующая отметка — вторник, 14 апреля 2026, 10:00" {
		t.Fatalf("the first button: %q", got)
	}
	expectTexts(t, p.press("btn.checkin_out_next"), "checkin.next_intro", "checkin.review")
	p.press("btn.checkin_save")
	w.followedAt(p, c, first, time.Date(2026, 4, 14, 17, 0, 0, 0, time.UTC))
	// Out of the first: nothing at its end.
	pn, cn := len(p.got), len(c.got)
	w.setClock(first.End.Add(5 * time.Hour))
	w.tick()
	if len(p.got) != pn || len(c.got) != cn {
		t.Fatalf("after the first check-in's end the person got %v, the contact %v", p.idsSince(pn), c.idsSince(cn))
	}

	// Words with no day after the check-in's own offer nothing more.
	q := w.person(ckOther, "ru")
	k := w.registerCheckin(q, "Phoenix", "", "13.03", "9:00")
	w.setClock(k.Start.Add(40 * time.Minute))
	expectTexts(t, q.send("Вышел, но без паспорта"), "checkin.out_confirm")

	e := w.person(ckOther+1, "en")
	k = w.registerCheckin(e, "Phoenix", "", "14.03", "9:00")
	w.setClock(k.Start.Add(40 * time.Minute))
	r = e.send("I'm out. Next check-in is April 14 at 10am")
	expectTexts(t, r, "checkin.out_confirm", "checkin.next_told")
	if got := w.cat.Button(r.Lang, r.Buttons[0][0].Text); got != "✅ Out; next check-in Tuesday, April 14, 2026, 10:00" {
		t.Errorf("the first button: %q", got)
	}
}

// TestCheckinNextAfterOut: out of a check-in with the button, the person
// writes the next one's day at the menu ("next check-in is April 14 at
// 10am"): the next one is a press away, at the same office, for the same
// person, with the same contacts. They were offered a registration from
// the start, the consent and the office again and the contacts to invite
// anew. A day before the last one, or long after it, is no next one.
func TestCheckinNextAfterOut(t *testing.T) {
	w, p, c, first := phoenixWithContact(t, "en", "ru")
	w.setClock(first.Start.Add(40 * time.Minute))
	p.send("I'm out")
	if k, _ := w.deps.Checkins.Get(context.Background(), first.ID); k.Status != flows.CheckinOut {
		t.Fatalf("status %s after \"I'm out\"", k.Status)
	}
	w.setClock(first.Start.Add(3 * time.Hour))

	p.command("start", "")
	r := p.send("my next check-in is April 14 at 10am")
	expectTexts(t, r, "checkin.next_after_out")
	if got := w.cat.Button(r.Lang, r.Buttons[0][0].Text); got != "📅 Next check-in: Tuesday, April 14, 2026, 10:00" {
		t.Fatalf("the first button: %q", got)
	}
	expectTexts(t, p.press("btn.checkin_next_on"), "checkin.next_intro", "checkin.review")
	p.press("btn.checkin_save")
	w.followedAt(p, c, first, time.Date(2026, 4, 14, 17, 0, 0, 0, time.UTC))

	// Long after the last one: a registration from the start.
	q := w.person(ckOther, "ru")
	k := w.registerCheckin(q, "Phoenix", "", "13.03", "9:00")
	w.setClock(k.Start.Add(40 * time.Minute))
	q.send("вышла")
	w.setClock(k.Start.Add(20 * 24 * time.Hour))
	q.command("start", "")
	expectTexts(t, q.send("следующая отметка 14 апреля в 10 утра"), "menu.checkin_offer")
}

// phoenixWithContact is a world where p (lang) registered a check-in at
// Phoenix on 12 March at 9:00, and c (contactLang) agreed to be its
// trusted contact.
func phoenixWithContact(t *testing.T, lang, contactLang string) (w *world, p, c *person, first flows.Checkin) {
	t.Helper()
	w = newWorld(t, storage.LookupLimits{})
	p = w.person(ckPerson, lang)
	c = w.person(ckContact, contactLang)
	first = w.registerCheckin(p, "Phoenix", "", "12.03", "9:00")
	w.inviteContact(p, c)
	return w, p, c, first
}

// followedAt checks that p's check-in is now one that follows first: at
// start, at the same office, with c its one trusted contact.
func (w *world) followedAt(p, c *person, first flows.Checkin, start time.Time) flows.Checkin {
	w.t.Helper()
	k, err := w.deps.Checkins.Active(context.Background(), p.id)
	if err != nil {
		w.t.Fatal(err)
	}
	if k.ID == first.ID || !k.Start.Equal(start) || k.OfficeCode != first.OfficeCode || len(k.Contacts) != 1 ||
		k.Contacts[0].ChatID != c.id {
		w.t.Fatalf("the check-in after %d: %+v, want it at %v", first.ID, k, start)
	}
	return k
}

// "Не помню, где-то в бумагах" at the check-in's A-number is not known, as
// the button says; it was "an A-number is 8 or 9 digits", asked again.
func TestCheckinANumberNotAtHand(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storage.LookupLimits{})
	for i, typed := range []string{"не помню, где-то в бумагах", "не знаю номер", "i dont have it with me",
		"dont remember, its somewhere in the papers"} {
		p := w.person(ckPerson+int64(i), "ru")
		toCheckinName(t, p)
		expectTexts(t, p.send("Иван Петров"), "checkin.ask_anumber")
		expectTexts(t, p.send(typed), "checkin.review")
		p.press("btn.checkin_save")
		if k, err := w.deps.Checkins.Active(context.Background(), p.id); err != nil || k.ANumber != "" {
			t.Errorf("%q: stored %q, %v; want no A-number", typed, k.ANumber, err)
		}
	}
}

// A check-in's day with "с утра" is the day, the time asked next; "не
// помню, в письме написано" for the day or the time is told where they are
// found. Both were "could not read".
func TestCheckinDayInWords(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storage.LookupLimits{})
	p := w.person(ckPerson, "ru")
	toCheckinDate(t, p, "да")
	expectTexts(t, p.send("не помню, в письме написано"), "checkin.date_unknown", "checkin.ask_date")
	expectTexts(t, p.send("завтра с утра"), "checkin.ask_time")
	expectTexts(t, p.send("не помню точно, посмотрю в письме"), "checkin.time_unknown", "checkin.ask_time")
	expectTexts(t, p.send("полдесятого"), "checkin.ask_name")
	expectTexts(t, p.send("Иван Петров"), "checkin.ask_anumber")
	expectTexts(t, p.press("btn.checkin_anumber_unknown"), "checkin.review")
	p.press("btn.checkin_save")
	k, err := w.deps.Checkins.Active(context.Background(), p.id)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(k.Zone)
	if err != nil {
		t.Fatal(err)
	}
	if got := k.Start.In(loc).Format("15:04"); got != "09:30" {
		t.Errorf("the check-in starts at %s, want 9:30 at the office", got)
	}
}

// The office typed as one says where it is ("в Хьюстоне", "в Сиэтле"):
// the office of that city; the prepositional found none, or another.
func TestCheckinOfficeInTheCase(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storage.LookupLimits{})
	for i, tt := range []struct{ typed, city string }{{"в Хьюстоне", "Houston"}, {"в Денвере", "Denver"}, {"в Сиэтле", "Seattle"}} {
		p := w.person(ckPerson+int64(i), "ru")
		p.command("start", "")
		p.press("btn.menu_checkin")
		p.send("да")
		r := p.send(tt.typed)
		switch ids := textIDs(r); {
		case slices.Equal(ids, []string{"checkin.ask_date"}):
			if !strings.Contains(w.cat.Render("ru", r.Texts...), tt.city) {
				t.Errorf("%q: %s", tt.typed, w.cat.Render("ru", r.Texts...))
			}
		case slices.Equal(ids, []string{"checkin.office_pick"}):
			if !strings.Contains(r.Buttons[0][0].Label, tt.city) {
				t.Errorf("%q: first offered %q, want %s", tt.typed, r.Buttons[0][0].Label, tt.city)
			}
		default:
			t.Errorf("%q: %v", tt.typed, ids)
		}
	}
}
