package flows_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"hotline/flows"
	"hotline/storage"
)

func TestMyCases(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storage.LookupLimits{})
	reporter := w.person(1, "ru")
	expectTexts(t, reporter.command("mycases", ""), "mycases.none")
	first := w.file(reporter, fullCase())
	second := w.file(reporter, fullCase())
	w.file(w.person(2, "en"), fullCase())

	r := reporter.command("mycases", "")
	expectTexts(t, r, "mycases.list")
	if r.Texts[0].Count != 2 {
		t.Errorf("listed %v cases, want 2", r.Texts[0].Count)
	}
	list := w.rendered(r)
	if strings.Index(list, flows.FormatCode(second.Code)) > strings.Index(list, flows.FormatCode(first.Code)) ||
		!strings.Contains(list, "Сообщение получено") {
		t.Errorf("list:\n%s", list)
	}
	if got := buttonNames(r); !slices.Equal(got, []string{"btn.mycase", "btn.mycase_news", "btn.mycase", "btn.mycase_news", "btn.menu"}) {
		t.Errorf("buttons %v", got)
	}
	r = reporter.press("btn.mycase")
	if data(r, "check.header", "Code") != flows.FormatCode(second.Code) || !slices.Contains(textIDs(r), "check.reporter") {
		t.Errorf("a case from the list: %v", textIDs(r))
	}
	// Showing one's own cases spends no lookups: 20 in a row all work.
	for range 20 {
		if r := reporter.press("btn.mycase"); !slices.Contains(textIDs(r), "check.header") {
			t.Fatalf("own case: %v", textIDs(r))
		}
	}
}

// TestForget: /forget asks first, then erases the reporter's personal data
// in Postgres, says what it erased, and leaves the case's status working
// for the people who follow it. Afterwards the reporter's account is no
// longer linked to the case (they are not told of changes), and the
// volunteers' internal notes stay unless they hold personal data, which
// then read "erased at the reporter's request".
func TestForget(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storage.LookupLimits{})
	reporter := w.person(1, "en")
	c := w.file(reporter, fullCase())
	friend := w.person(2, "ru")
	friend.command("start", "c_"+c.Code)
	friend.press("btn.subscribe")
	personal := w.personalValues(c.Code)
	vol := w.person(volunteerID, "en")
	expectTexts(t, vol.command("note", c.Code+" lawyer agreed to work pro bono"), "note.saved")
	expectTexts(t, vol.command("note", c.Code+" his wife's other phone: +1 480 555 0177"), "note.saved")

	expectTexts(t, reporter.command("forget", ""), "forget.ask")
	expectTexts(t, reporter.press("btn.forget_no"), "forget.kept_all", "menu.choose")
	if got := w.personalValues(c.Code); !slices.Equal(got, personal) {
		t.Fatalf("“no” erased something")
	}
	reporter.command("forget", "")
	expectTexts(t, reporter.press("btn.forget_yes"),
		"forget.done", "forget.erased_reporter", "forget.erased_cases", "forget.kept", "menu.choose")

	// In the tables: nothing personal left in the case or the reporter row.
	var row struct {
		Personal string `db:"personal"`
	}
	err := w.db.Get(&row, `
		SELECT concat_ws('|', c.name_latin, c.name_cyrillic, c.birth_date, c.birth_country, c.citizenship,
			c.a_number, c.circumstance_note, c.facility_text, c.lawyer_name, c.lawyer_phone, c.appeals,
			c.reporter_name, c.relationship, c.reporter_contact, r.name, r.relationship, r.contact) AS personal
		FROM cases c JOIN reporters r ON r.id = c.reporter_id WHERE c.id = $1`, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Trim(row.Personal, "|") != "" {
		t.Errorf("after /forget the tables hold %q", row.Personal)
	}
	var all string
	if err := w.db.Get(&all, `SELECT string_agg(t::text, ' ') FROM cases t`); err != nil {
		t.Fatal(err)
	}
	for _, p := range personal {
		if strings.Contains(all, p) {
			t.Errorf("cases still hold %q", p)
		}
	}

	// The status still works, for the subscriber and for the reporter.
	r := friend.command("check", c.Code)
	if data(r, "check.header", "Code") != flows.FormatCode(c.Code) || !slices.Contains(textIDs(r), "check.subscribed") {
		t.Errorf("friend's view after /forget: %v", textIDs(r))
	}
	mark, markR := len(friend.got), len(reporter.got)
	vol.command("status", c.Code)
	vol.press("status.name.released")
	expectTexts(t, vol.press("btn.no_note"), "update.saved", "update.notified")
	if len(notices(friend, mark)) != 1 || len(notices(reporter, markR)) != 0 {
		t.Errorf("after /forget: %d notices to the friend, %d to the reporter; want 1 and none",
			len(notices(friend, mark)), len(notices(reporter, markR)))
	}
	if r := reporter.command("mycases", ""); !slices.Contains(textIDs(r), "mycases.none") {
		t.Errorf("/mycases after /forget: %v", textIDs(r))
	}
	card := w.rendered(vol.command("find", c.Code))
	for _, want := range []string{"pro bono", w.cat.Render("en", flows.T("find.note_erased_forget"))} {
		if !strings.Contains(card, want) {
			t.Errorf("the volunteer's card lacks %q:\n%s", want, card)
		}
	}
	if strings.Contains(card, "555 0177") {
		t.Errorf("the card still shows the note with the wife's phone:\n%s", card)
	}

	// Nothing left to erase.
	reporter.command("forget", "")
	expectTexts(t, reporter.press("btn.forget_yes"), "forget.nothing", "menu.choose")
}

// TestStatusNeverDropsADraft: checking a case, listing one's cases and
// answering "no" to /forget in the middle of a report keep the draft and
// its place; the volunteers' commands refuse to start there.
func TestStatusNeverDropsADraft(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storage.LookupLimits{})
	other := w.person(1, "ru")
	c := w.file(other, fullCase())
	p := w.person(volunteerID, "ru") // a volunteer filing a report of their own
	expectTexts(t, p.command("start", ""), "member.home")
	expectTexts(t, p.press("btn.home_public"), "menu.choose")
	menu := p.last()
	p.press("btn.menu_report")
	p.press("btn.consent_yes")
	p.press("btn.triage_no")
	expectTexts(t, p.send("Ivan Petrov"), "ask.name_cyr")

	draft := func() {
		t.Helper()
		s, err := w.sessions.Get(context.Background(), p.id)
		if err != nil || s.Flow != "report" || s.Step != "name_cyr" || s.Draft.NameLatin != "Ivan Petrov" {
			t.Fatalf("the draft changed: %+v, %v", s, err)
		}
	}
	r := p.command("start", "c_"+c.Code)
	if !slices.Contains(textIDs(r), "check.header") || !slices.Contains(textIDs(r), "check.report_kept") ||
		!slices.Contains(buttonNames(r), "btn.report_continue") {
		t.Errorf("link mid-report: %v %v", textIDs(r), buttonNames(r))
	}
	draft()
	expectTexts(t, p.do(flows.Input{Kind: flows.KindButton, Data: menu.Buttons[1][0].Data, MessageID: menu.id}),
		"check.in_report", "ask.name_cyr")
	draft()
	if r := p.command("check", c.Code); !slices.Contains(textIDs(r), "check.header") {
		t.Errorf("/check mid-report: %v", textIDs(r))
	}
	if r := p.command("check", "nonsense"); !slices.Equal(textIDs(r), []string{"check.not_found", "check.report_kept"}) {
		t.Errorf("/check of a wrong code mid-report: %v", textIDs(r))
	}
	draft()
	expectTexts(t, p.command("mycases", ""), "mycases.none", "check.report_kept")
	expectTexts(t, p.command("forget", ""), "forget.ask", "forget.ask_draft")
	expectTexts(t, p.press("btn.forget_no"), "forget.kept_all", "ask.name_cyr")
	draft()
	expectTexts(t, p.command("status", c.Code), "update.in_report", "ask.name_cyr")
	expectTexts(t, p.command("note", c.Code+" text"), "update.in_report", "ask.name_cyr")
	draft()
	expectTexts(t, p.press("btn.report_continue"), "resume.unfinished", "resume.ask")
	draft()

	// Saying yes to /forget is choosing to lose the draft too.
	p.command("forget", "")
	expectTexts(t, p.press("btn.forget_yes"), "forget.nothing", "forget.erased_draft", "menu.choose")
	if s, _ := w.sessions.Get(context.Background(), p.id); s.Flow != "" || s.Draft.NameLatin != "" {
		t.Errorf("after /forget: %+v", s)
	}
}

// TestStatusFlowsLeaveCleanly: the engine's commands and buttons work in
// the check and update flows.
func TestStatusFlowsLeaveCleanly(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storage.LookupLimits{})
	c := w.file(w.person(1, "ru"), fullCase())
	p := w.person(2, "en")
	p.command("start", "")
	session := func() *flows.Session {
		s, _ := w.sessions.Get(context.Background(), p.id)
		return s
	}

	expectTexts(t, p.press("btn.menu_check"), "check.ask")
	expectTexts(t, p.command("help", ""), "status.help.check", "check.ask")
	expectTexts(t, p.do(flows.Input{Kind: flows.KindMedia, Media: "photo"}), "check.type_code", "check.ask")
	expectTexts(t, p.send("K7M4"), "check.not_found")
	if s := session(); s.Flow != "check" {
		t.Errorf("after a wrong code: flow %q, want check (asking again)", s.Flow)
	}
	expectTexts(t, p.command("cancel", ""), "status.left", "menu.choose")
	if s := session(); s.Flow != "" {
		t.Errorf("after /cancel: flow %q", s.Flow)
	}
	p.press("btn.menu_check")
	expectTexts(t, p.command("back", ""), "status.left", "menu.choose")
	p.press("btn.menu_check")
	expectTexts(t, p.press("btn.menu_report"), "ask.consent") // a menu button leaves the check flow
	p.command("cancel", "")
	p.press("btn.cancel_yes")
	p.press("btn.menu_check")
	expectTexts(t, p.command("language", "ru"), "language.set", "menu.choose")
	p.press("btn.menu_check")
	if r := p.send(c.Code); !slices.Contains(textIDs(r), "check.header") {
		t.Errorf("the code in the check flow: %v", textIDs(r))
	}

	vol := w.person(volunteerID, "en")
	vol.command("status", c.Code)
	expectTexts(t, vol.send("no idea"), "input.use_buttons", "update.pick") // words naming no status
	// A status's caption typed is its button.
	expectTexts(t, vol.send("Released"), "update.public_note")
	expectTexts(t, vol.command("cancel", ""), "status.left", "menu.choose")
	vol.command("status", c.Code)
	expectTexts(t, vol.command("help", ""), "status.help.update", "update.pick")
	expectTexts(t, vol.command("cancel", ""), "status.left", "menu.choose")
	vol.command("status", c.Code)
	old := vol.last()
	expectTexts(t, vol.press("btn.update_cancel"), "update.cancelled", "menu.choose")
	expectTexts(t, vol.do(flows.Input{Kind: flows.KindButton, Data: old.Buttons[0][0].Data, MessageID: old.id}),
		"button.old", "menu.choose")
	var n int
	if err := w.db.Get(&n, `SELECT count(*) FROM case_events WHERE case_id = $1`, c.ID); err != nil || n != 1 {
		t.Errorf("%d events, %v; want the first only", n, err)
	}
}

// TestGreetingShowsOnesCases: a relative who reported a case and comes back
// (/start, a "hello" days later) is greeted with where their cases stand,
// the newest first, and a button to each above the menu; a friend who
// follows a case, with that case; anyone else with the greeting alone. It
// was a stranger's greeting, "tell us", for someone whose case volunteers
// were working — who might report it again. That holds for a chat the bot
// has no session of (back after the session's idle time): it was greeted
// as a stranger. A newcomer's first message reads no Postgres but the ids
// of reporters and followers, every few seconds.
func TestGreetingShowsOnesCases(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storage.LookupLimits{})
	reporter := w.person(1, "ru")
	older := w.file(reporter, fullCase())
	newer := w.file(reporter, fullCase())
	if _, err := w.sessions.Get(context.Background(), reporter.id); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("the reporter has a session before writing: %v", err)
	}
	for _, r := range []flows.Reply{reporter.command("start", ""), reporter.command("start", ""), reporter.send("алло")} {
		expectTexts(t, r, "menu.greeting_back", "mycases.list", "menu.greeting_back_next")
		shown := w.rendered(r)
		if strings.Index(shown, flows.FormatCode(newer.Code)) > strings.Index(shown, flows.FormatCode(older.Code)) ||
			!strings.Contains(shown, "Сообщение получено") {
			t.Errorf("the greeting of a reporter:\n%s", shown)
		}
		got := buttonNames(r)
		if len(got) < 3 || got[0] != "btn.mycase" || got[1] != "btn.mycase" || got[2] != "btn.menu_report" {
			t.Errorf("buttons %v, want the two cases above the menu", got)
		}
		if d := r.Buttons[0][0].Data; !strings.HasSuffix(d, newer.Code) {
			t.Errorf("first button %q, want the newer case", d)
		}
	}
	// Pressed: the case's status.
	if r := reporter.pressData(reporter.command("start", "").Buttons[0][0].Data); !strings.Contains(w.rendered(r), flows.FormatCode(newer.Code)) {
		t.Errorf("the case's button shows:\n%s", w.rendered(r))
	}

	friend := w.person(2, "en")
	friend.command("check", older.Code)
	friend.pressData("s.:sub:" + older.Code)
	r := friend.command("start", "")
	expectTexts(t, r, "menu.greeting_back", "mycases.followed", "menu.greeting_back_next")
	if !strings.Contains(w.rendered(r), flows.FormatCode(older.Code)) || buttonNames(r)[0] != "btn.mycase" {
		t.Errorf("the greeting of a friend who follows a case:\n%s\n%v", w.rendered(r), buttonNames(r))
	}

	// More cases than the greeting shows: how many there are, and where
	// all are. It said "Ваши дела (3)" over the newest three of seven.
	for range 3 {
		w.file(reporter, fullCase())
	}
	r = reporter.command("start", "")
	expectTexts(t, r, "menu.greeting_back", "mycases.list", "menu.greeting_more", "menu.greeting_back_next")
	if shown := w.rendered(r); !strings.Contains(shown, "Ваши дела (5)") || !strings.Contains(shown, "последние 3; все 5") ||
		len(r.Buttons) < 3 || buttonNames(r)[3] == "btn.mycase" {
		t.Errorf("the greeting of a reporter of five cases:\n%s\n%v", shown, buttonNames(r))
	}

	stranger := w.person(3, "en")
	r = stranger.command("start", "")
	expectTexts(t, r, "menu.greeting")
	if got := buttonNames(r); got[0] != "btn.menu_report" {
		t.Errorf("a stranger's buttons %v, want the menu", got)
	}
}
