package flows_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"hotline/flows"
)

// draftTick runs the reminders of unsent reports and returns what they
// sent.
func draftTick(t *testing.T, a *flows.App) []flows.Reply {
	t.Helper()
	var sent []flows.Reply
	err := a.DraftTick(context.Background(), func(_ context.Context, rs []flows.Reply) error {
		sent = append(sent, rs...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sent
}

// TestUnsentReportReminded: a relative who stopped in the middle of a
// report (to find the A-number, or called away) is reminded once, an hour
// after their last answer, that volunteers see nothing until it is sent,
// with the report a button away where they stopped. A report left
// unsent reached no volunteer, and no one told them. Answering, sending,
// or leaving at the first question is not reminded of.
func TestUnsentReportReminded(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	startReport(c)
	c.advance(50 * time.Minute)
	if rs := draftTick(t, c.app); len(rs) != 0 {
		t.Fatalf("50 minutes after the last answer: %v", describeAll(rs))
	}
	asked := textIDs(c.send("Иван Петров"))
	c.advance(30 * time.Minute) // 80 minutes after the report began, 30 after the last answer
	if rs := draftTick(t, c.app); len(rs) != 0 {
		t.Fatalf("30 minutes after the last answer: %v", describeAll(rs))
	}
	c.advance(31 * time.Minute)
	rs := draftTick(t, c.app)
	if len(rs) != 1 || describe(rs[0]) != "report.unsent" || rs[0].ChatID != c.id || rs[0].Lang != "ru" {
		t.Fatalf("an hour after the last answer: %+v, want the reminder in Russian", rs)
	}
	if got := c.rendered(rs[0]); got == "" || len(rs[0].Buttons) != 1 {
		t.Fatalf("reminder %q with buttons %v", got, buttonNames(rs[0]))
	}
	c.advance(2 * time.Hour)
	if again := draftTick(t, c.app); len(again) != 0 {
		t.Fatalf("reminded again: %v", describeAll(again))
	}
	// Its button leads back to the question where they stopped.
	r := c.handle(flows.Input{Kind: flows.KindButton, Data: rs[0].Buttons[0][0].Data, MessageID: 90})
	c.expect(r, "resume.unfinished", "resume.ask")
	if got := textIDs(c.press("btn.resume_continue")); !slices.Equal(got, asked) {
		t.Errorf("continued at %v, want %v", got, asked)
	}

	// Sent with its urgent path filed first: not reminded of.
	d := toTriage(newApp(t, appOptions{}), 7000002)
	fillReport(d, urgentToFlight)
	fillReport(d, []answer{
		{press: "flight.officer", want: "ask.flight_note"},
		{send: "сказали, что рейс скоро", want: "ask.contact"},
		{send: "+7 900 123-45-67", want: "ask.review"},
	})
	d.press("btn.confirm")
	if s := d.session(); s.Draft.Filed == "" || s.Flow != "report" {
		t.Fatalf("the urgent report is not filed with its questions to come: %+v", s)
	}
	d.advance(3 * time.Hour)
	if rs := draftTick(t, d.app); len(rs) != 0 {
		t.Errorf("a report filed: %v", describeAll(rs))
	}

	// Asked for a volunteer in the middle of it: in the hotline's hands,
	// not reminded.
	v := &chat{testApp: newApp(t, appOptions{}), id: 7000004, langCode: "en", sent: map[int]flows.Reply{}}
	startReport(v)
	if r := v.handle(flows.Input{Kind: flows.KindButton, Data: "m:volunteer", MessageID: v.lastID}); !slices.Contains(textIDs(r), "handoff.joined") {
		t.Fatalf("asked for a volunteer: %v", textIDs(r))
	}
	v.advance(3 * time.Hour)
	if rs := draftTick(t, v.app); len(rs) != 0 {
		t.Errorf("waiting for a volunteer: %v", describeAll(rs))
	}

	// Left at the first question (no consent): nothing was told, nothing
	// to remind of.
	e := &chat{testApp: newApp(t, appOptions{}), id: 7000003, langCode: "en", sent: map[int]flows.Reply{}}
	e.command("start", "")
	e.press("btn.menu_report")
	e.advance(3 * time.Hour)
	if rs := draftTick(t, e.app); len(rs) != 0 {
		t.Errorf("left at the consent: %v", describeAll(rs))
	}
}

// TestContinueTyped: "продолжить" or "continue" typed in a report, as its
// reminder invites, asks the question again; it became the detained
// person's name. Under "continue where you stopped?" it is still the
// answer.
func TestContinueTyped(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, typed string }{{"ru", "Продолжить"}, {"en", "continue"}, {"ru", "продолжить сообщение"}} {
		c := newChat(t, tt.lang)
		startReport(c)
		c.expect(c.send(tt.typed), "ask.name")
		if d := c.session().Draft; d.NameLatin != "" || d.NameCyrillic != "" {
			t.Errorf("%q: taken for the name %q %q", tt.typed, d.NameLatin, d.NameCyrillic)
		}
		c.expect(c.command("report", ""), "resume.unfinished", "resume.ask")
		if got := textIDs(c.send(tt.typed)); !slices.Equal(got, []string{"ask.name"}) {
			t.Errorf("%q under continue-or-start-over: %v, want the question", tt.typed, got)
		}
	}
}

// A volunteer who left a report for a caller (/newcase) unsent is reminded
// in words for them: it was "you began a report about a detention", as to
// a relative.
func TestUnsentCallerReportReminded(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	vol := w.person(hVolunteer, "en")
	vol.command("newcase", "")
	vol.received()
	vol.send("yes") // the caller agrees
	if got := describeAll(vol.received()); len(got) == 0 {
		t.Fatalf("nothing after the caller's consent")
	}
	w.advance(61 * time.Minute)
	rs := draftTick(t, w.app)
	if len(rs) != 1 || describe(rs[0]) != "report.unsent_caller" || rs[0].ChatID != vol.id {
		t.Fatalf("an hour after: %v, want the volunteer reminded of the caller's report", describeAll(rs))
	}
}

// A report left unsent late in the evening is reminded of in the morning,
// in the hotline's time zone, not at 3 a.m.: it was reminded of an hour
// after the last answer, whatever the hour.
func TestUnsentReportRemindedNotAtNight(t *testing.T) {
	t.Parallel()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	a := newApp(t, appOptions{Config: flows.Config{Zone: ny}})
	c := &chat{testApp: a, id: a.nextChat(), langCode: "ru", sent: map[int]flows.Reply{}}
	a.mu.Lock()
	a.now = time.Date(2026, 3, 10, 22, 30, 0, 0, ny) // 22:30 in New York
	a.mu.Unlock()
	startReport(c)
	c.send("Иван Петров")
	for _, d := range []time.Duration{61 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour} { // 23:31 to 6:31
		c.advance(d)
		if rs := draftTick(t, a.app); len(rs) != 0 {
			t.Fatalf("%s in New York: %v", a.clock().In(ny).Format("15:04"), describeAll(rs))
		}
	}
	c.advance(90 * time.Minute) // 8:01
	if rs := draftTick(t, a.app); len(rs) != 1 || describe(rs[0]) != "report.unsent" {
		t.Fatalf("%s in New York: %v, want the reminder", a.clock().In(ny).Format("15:04"), describeAll(rs))
	}
	c.advance(2 * time.Hour)
	if rs := draftTick(t, a.app); len(rs) != 0 {
		t.Fatalf("reminded again: %v", describeAll(rs))
	}
}
