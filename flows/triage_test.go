package flows_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"hotline/flows"
	"hotline/storage"
)

// TestUrgentPathInRussian: a relative who fears a deportation within days
// answers five questions (name, A-number, facility, what was heard of a
// flight and from whom, contact); the case is stored as urgent and the
// relative is in the volunteers' queue at once. Two more answers, given
// afterwards while waiting, complete the same case.
// urgentToFlight are a Russian reporter's answers on the urgent path, from
// "is it urgent?" to the question of a flight.
var urgentToFlight = []answer{
	{press: "btn.triage_yes", want: "ask.name"},
	{send: "Иван Петров", want: "ask.name_latin"},
	{press: "btn.use_translit", want: "ask.a_number"},
	{send: "A 123 456 789", want: "ask.facility"},
	{send: "krome", want: "ask.facility_pick"},
	{press: "btn.facility_keep", want: "ask.flight"},
}

// urgentToReview answers the urgent path in English, from the start of a
// report to its review: a name, no A-number or facility, a rumour of a
// flight, an e-mail.
func urgentToReview(c *chat) {
	c.t.Helper()
	startReport(c)
	c.command("back", "")
	c.expect(c.press("btn.triage_yes"), "ask.name")
	fillReport(c, []answer{
		{send: "Maria Gonzalez", want: "ask.a_number"},
		{press: "btn.dont_know", want: "ask.facility"},
		{press: "btn.dont_know", want: "ask.flight"},
		{press: "flight.rumor", want: "ask.flight_note"},
		{press: "btn.dont_know", want: "ask.contact"},
		{send: "maria@example.com", want: "ask.review"},
	})
}

// rumorToReview answers the urgent path in Russian from the triage
// (toTriage) to the review: urgentToFlight, a rumour, a phone.
func rumorToReview(c *chat) {
	c.t.Helper()
	fillReport(c, urgentToFlight)
	fillReport(c, []answer{
		{press: "flight.rumor", want: "ask.flight_note"},
		{press: "btn.dont_know", want: "ask.contact"},
		{send: "+7 900 123-45-67", want: "ask.review"},
	})
}

// toTriage opens a report in a new chat of a, in Russian, and consents: the
// chat is at "is it urgent?".
func toTriage(a *testApp, id int64) *chat {
	a.t.Helper()
	c := &chat{testApp: a, id: id, langCode: "ru", sent: map[int]flows.Reply{}}
	c.expect(c.command("start", ""), "menu.greeting")
	c.expect(c.press("btn.menu_report"), "ask.consent")
	c.expect(c.press("btn.consent_yes"), "ask.triage")
	return c
}

func TestUrgentPathInRussian(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{Config: flows.Config{Admins: []int64{9}}})
	c := toTriage(a, 7000001)
	fillReport(c, urgentToFlight)
	c.expect(c.press("flight.officer"), "ask.flight_note")
	// The day named is the flight's date, said back (the case is urgent
	// already).
	c.expect(c.send("сказали, что рейс в пятницу"), "date.flight", "ask.contact")
	c.expect(c.send("+7 900 123-45-67"), "ask.review")
	r := c.press("btn.confirm")
	c.expect(r, "report.done_urgent", "handoff.joined_urgent", "handoff.position", "handoff.nobody_on_duty",
		"handoff.write_while_waiting", "ask.more")
	code := data(r, "report.done_urgent", "Code")
	ctx := context.Background()
	stored, cs, err := c.cases.Get(ctx, code)
	if err != nil {
		t.Fatalf("stored case %q: %v", code, err)
	}
	if !slices.Contains(stored.Urgent, "deportation") || stored.Facts.Triage != "urgent" ||
		stored.Facts.FlightSource != "officer" || stored.Facts.FlightNote != "сказали, что рейс в пятницу" ||
		stored.ANumber != "123456789" || stored.ReporterPhone != "+7 900 123-45-67" || stored.FacilityText != "krome" {
		t.Errorf("stored urgent case: %+v", *stored)
	}
	// The flight's day is the case's deportation date: on the board's
	// dates filter, with its reminders.
	if v, err := a.deps.Casework.View(ctx, code); err != nil || v.Deportation != "2026-03-13" {
		t.Errorf("the case's deportation date: %q, %v; want Friday, 2026-03-13", v.Deportation, err)
	}
	st, err := c.queue.Chat(ctx, c.id)
	if err != nil || st.Waiting == nil || !st.Waiting.Urgent || st.Waiting.CaseCode != cs.Code {
		t.Fatalf("queue state %+v, %v: want the reporter waiting, urgent, with the case", st, err)
	}

	// The rest, optional: typed answers go to the report, not to the queue.
	// What was answered on the urgent path (the Cyrillic name) is not
	// asked again.
	c.expect(c.press("btn.more_yes"), "ask.name_other")
	c.expect(c.skipQuestion(), "ask.birth_date")
	c.expect(c.send("01.01.1980"), "ask.birth_country")
	c.expect(c.skipQuestion(), "ask.citizenship_plain")
	var asked []string
	for i := 0; i < 40 && !slices.Contains(textIDs(c.last), "ask.review"); i++ {
		asked = append(asked, textIDs(c.last)...)
		if slices.Contains(textIDs(c.last), "ask.stage") {
			c.expect(c.press("stage.final_order"), "ask.final_order")
			continue
		}
		c.skipQuestion()
	}
	for _, again := range []string{"ask.a_number", "ask.facility", "ask.flight", "ask.flight_note", "ask.contact"} {
		if slices.Contains(asked, again) {
			t.Errorf("%s, answered on the urgent path, asked again: %v", again, asked)
		}
	}
	c.expect(c.last, "ask.review")
	c.expect(c.press("btn.confirm"), "report.completed")

	got, _, err := c.cases.Get(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if got.BirthDate != "1980-01-01" || got.Facts.Stage != "final_order" || got.NameLatin != "Ivan Petrov" || got.NameCyrillic != "Иван Петров" ||
		got.ANumber != "123456789" || got.Facts.FlightSource != "officer" || !slices.Contains(got.Urgent, "deportation") {
		t.Errorf("completed case: %+v", *got)
	}
	if n := c.caseCount(); n != 1 {
		t.Errorf("%d cases stored, want the one case completed", n)
	}
	if st, _ := c.queue.Chat(ctx, c.id); st.Waiting == nil {
		t.Error("completing the case took the reporter out of the queue")
	}

	// The volunteer's card shows the facts, in the volunteer's language.
	adm := &chat{testApp: a, id: 9, langCode: "en", sent: map[int]flows.Reply{}}
	// /queue shows the waiting chat's urgency: an icon and the words.
	if q := adm.rendered(adm.command("queue", "")); !strings.Contains(q, "🔴") ||
		!strings.Contains(q, "❗ "+a.cat.Render("en", flows.T("urgent.deportation"))) {
		t.Errorf("/queue does not show the urgency marks:\n%s", q)
	}
	card := adm.rendered(adm.command("case", code))
	for _, want := range []string{"An ICE officer", "рейс в пятницу (the date: March 13, 2026)",
		// Where it stands, above the details: it was on the card alone.
		"Report received", "📅 deportation or flight: March 13, 2026", "Nobody has taken it yet", "Final order of removal", "Ivan Petrov", "A123-456-789"} {
		if !strings.Contains(card, want) {
			t.Errorf("the volunteer's card lacks %q:\n%s", want, card)
		}
	}
}

// TestUrgentPathLater: "not now" after the urgent filing leaves the case as
// it is and the reporter in the queue; what they write meanwhile, as the
// bot asked them to, is kept for the volunteer.
func TestUrgentPathLater(t *testing.T) {
	t.Parallel()
	c := newChat(t, "en")
	urgentToReview(c)
	c.expect(c.press("btn.confirm"), "report.done_urgent", "handoff.joined_urgent", "handoff.position",
		"handoff.nobody_on_duty", "handoff.write_while_waiting", "ask.more")
	// Told to write while they wait, they write: the words and a photo go
	// to the volunteer, not to "use the buttons", and the question stays.
	ctx := context.Background()
	write := func(in flows.Input) []string {
		in.UpdateID = c.nextUpdate()
		in.ChatID, in.UserID, in.ChatType, in.LangCode, in.At = c.id, c.id, "private", c.langCode, c.now
		rs, err := c.app.Handle(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range rs {
			ids = append(ids, textIDs(r)...)
		}
		return ids
	}
	if got := write(flows.Input{Kind: flows.KindText, Text: "he has a heart condition", MessageID: 101}); !slices.Equal(got,
		[]string{"handoff.kept", "handoff.position"}) {
		t.Errorf("words while waiting: %v, want them kept for the volunteer", got)
	}
	if got := write(flows.Input{Kind: flows.KindMedia, Media: "photo", MessageID: 102}); len(got) != 0 {
		t.Errorf("a photo while waiting: %v, want it kept without a word", got)
	}
	if st, err := c.queue.Chat(ctx, c.id); err != nil || st.Kept != 2 {
		t.Errorf("messages kept for the volunteer: %+v, %v; want 2", st, err)
	}
	c.expect(c.press("btn.more_later"), "report.more_later")
	if s := c.session(); s.Flow != "" {
		t.Errorf("session after 'not now': %+v", s)
	}
	if n := c.caseCount(); n != 1 {
		t.Errorf("%d cases", n)
	}
}

// After an urgent report, the reporter is told "to leave the queue, press
// the button": the button is there, under the offer of more questions.
// Out of the queue, or back at the menu, the filed case is not an
// "unfinished report" to "start over, answers deleted".
func TestUrgentPathLeaveTheQueue(t *testing.T) {
	t.Parallel()
	c := newChat(t, "en")
	urgentToReview(c)
	r := c.press("btn.confirm")
	if got := buttonNames(r); !slices.Equal(got, []string{"btn.more_yes", "btn.more_later", "btn.handoff_leave"}) {
		t.Fatalf("buttons after the urgent report: %v, want the offer and the way out of the queue", got)
	}
	c.expect(c.press("btn.handoff_leave"), "handoff.left", "resume.filed_more", "ask.more")
	if got := buttonNames(c.last); !slices.Equal(got, []string{"btn.more_yes", "btn.more_later"}) {
		t.Errorf("buttons out of the queue: %v", got)
	}
	ctx := context.Background()
	if st, err := c.queue.Chat(ctx, c.id); err != nil || st.Waiting != nil {
		t.Errorf("queue after leaving: %+v, %v", st, err)
	}
	c.expect(c.command("start", ""), "resume.filed_more", "ask.more")
	c.expect(c.press("btn.more_yes"), "ask.name_cyr")
	// Begun, the answers since are what may go.
	c.expect(c.command("start", ""), "resume.filed")
	if got := buttonNames(c.last); !slices.Equal(got, []string{"btn.resume_continue", "btn.resume_leave"}) {
		t.Errorf("buttons at /start: %v", got)
	}
	c.expect(c.press("btn.resume_continue"), "ask.name_cyr")
	c.expect(c.command("start", ""), "resume.filed")
	c.expect(c.press("btn.resume_leave"), "menu.choose")
	if s := c.session(); s.Flow != "" {
		t.Errorf("session after leaving the questions: %+v", s)
	}
	if n := c.caseCount(); n != 1 {
		t.Errorf("%d cases, want the one filed", n)
	}
	// /cancel in the questions: the case stays, and says so; it was
	// "Cancel the report? All your answers will be deleted."
	e := newChat(t, "en")
	urgentToReview(e)
	e.press("btn.confirm")
	e.expect(e.press("btn.more_yes"), "ask.name_cyr")
	// One skip under a question with its own: "Skip | Skip this
	// question" read as two ways of one thing.
	if got := buttonNames(e.last); !slices.Equal(got, []string{"btn.skip"}) {
		t.Errorf("under the Cyrillic name: %v, want only its Skip", got)
	}
	e.expect(e.command("cancel", ""), "cancel.ask_filed")
	e.expect(e.press("btn.cancel_filed_yes"), "cancel.done_filed")
	if n := e.caseCount(); n != 1 {
		t.Errorf("%d cases after /cancel, want the one filed", n)
	}
}

func TestTranslitICAO(t *testing.T) {
	for _, tt := range []struct{ in, icao, old string }{
		{"Сергей", "Sergei", "Sergey"},
		{"Юлия", "Iuliia", "Yuliya"},
		{"Дмитрий", "Dmitrii", "Dmitriy"},
		{"Фёдор Объедков", "Fedor Obieedkov", "Fedor Obedkov"},
		{"ЯКОВЛЕВА", "IAKOVLEVA", "YAKOVLEVA"},
		{"Иван Петров", "Ivan Petrov", "Ivan Petrov"},
	} {
		if got := flows.TranslitICAO(tt.in); got != tt.icao {
			t.Errorf("TranslitICAO(%q) = %q, want %q", tt.in, got, tt.icao)
		}
		if got := flows.Translit(tt.in); got != tt.old {
			t.Errorf("Translit(%q) = %q, want %q", tt.in, got, tt.old)
		}
	}
}

// TestNameSpellings: a Russian name whose passport spelling may be ICAO's
// (Sergei) or the older one (Sergey) offers both; "not sure" keeps both and
// marks the name unchecked; choosing one keeps that one, checked.
func TestNameSpellings(t *testing.T) {
	t.Parallel()
	c := newChat(t, "en")
	startReport(c)
	c.expect(c.send("Юлия Сергеева"), "ask.name_latin_two")
	if a, b := c.button(c.lastID, "btn.use_translit").Text.Data["Latin"], c.last.Buttons[1][0].Text.Data["Latin"]; a != "Iuliia Sergeeva" || b != "Yuliya Sergeeva" {
		t.Errorf("spellings offered %q and %q", a, b)
	}
	c.expect(c.press("btn.name_not_sure"), "ask.name_other")
	c.expect(c.send("Julia Sergeeva"), "ask.birth_date")
	d := c.session().Draft
	if d.NameLatin != "Iuliia Sergeeva" || !d.Facts.NameUnverified || d.Facts.NameAlt != "Yuliya Sergeeva" || d.Facts.NameOther != "Julia Sergeeva" {
		t.Errorf("names kept: %q, alt %q, other %q, unverified %v", d.NameLatin, d.Facts.NameAlt, d.Facts.NameOther, d.Facts.NameUnverified)
	}
	c.command("back", "")
	r := c.command("back", "")
	c.expect(r, "ask.name_latin_two", "answer.current")
	if !strings.Contains(c.rendered(r), "not checked against the documents") {
		t.Errorf("an unchecked spelling is not marked:\n%s", c.rendered(r))
	}
	c.expect(c.handle(flows.Input{Kind: flows.KindButton, Data: r.Buttons[1][0].Data, MessageID: c.lastID}), "ask.name_other", "answer.current")
	if d := c.session().Draft; d.NameLatin != "Yuliya Sergeeva" || d.Facts.NameUnverified || d.Facts.NameAlt != "" {
		t.Errorf("after choosing the passport's spelling: %q, unverified %v", d.NameLatin, d.Facts.NameUnverified)
	}
}

// TestNameSpellingsInWords: under the spellings offered, a relative who
// does not know types "не знаю" — both kept, unchecked, where it was
// refused as "the name in Latin letters"; a bare "да" under two asks which,
// under one takes it; "нет" asks for the spelling from the documents.
func TestNameSpellingsInWords(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, say string
		want      []string
		latin     string
		alt       string
		checked   bool
	}{
		{"Сергей Иванов", "не знаю", []string{"ask.name_other"}, "Sergei Ivanov", "Sergey Ivanov", false},
		{"Сергей Иванов", "Не уверена", []string{"ask.name_other"}, "Sergei Ivanov", "Sergey Ivanov", false},
		{"Сергей Иванов", "да", []string{"parse.name_which", "ask.name_latin_two"}, "", "", true},
		{"Иван Петров", "да", []string{"ask.name_other"}, "Ivan Petrov", "", true},
		{"Иван Петров", "не знаю", []string{"ask.name_other"}, "Ivan Petrov", "", false},
		{"Иван Петров", "нет", []string{"parse.name_type_it", "ask.name_latin"}, "", "", true},
	} {
		c := newChat(t, "ru")
		startReport(c)
		c.send(tt.name)
		c.expect(c.send(tt.say), tt.want...)
		d := c.session().Draft
		if d.NameLatin != tt.latin || d.Facts.NameAlt != tt.alt || d.Facts.NameUnverified == tt.checked {
			t.Errorf("%s, %q: kept %q, alt %q, unchecked %v", tt.name, tt.say, d.NameLatin, d.Facts.NameAlt, d.Facts.NameUnverified)
		}
		if tt.latin != "" && !tt.checked {
			c.command("back", "")
			if got := c.rendered(c.last); !strings.Contains(got, "не сверено с документами") || strings.Contains(got, "пробуйте и )") {
				t.Errorf("%s: the unchecked spelling on its question:\n%s", tt.name, got)
			}
		}
	}
}

// TestTransferToStagingWarns: a transfer to a staging facility or a hold
// room tells everyone with the code what it may mean; an ordinary transfer
// does not.
func TestTransferToStagingWarns(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storage.LookupLimits{})
	reporter := w.person(1, "ru")
	ctx := context.Background()
	facs := storage.NewFacilities(w.db)
	for _, tt := range []struct {
		query   string
		staging bool
	}{{"Florence Staging Facility", true}, {"Krome", false}} {
		found, err := facs.Match(ctx, tt.query, 1)
		if err != nil || len(found) == 0 {
			t.Fatalf("facility %q: %v", tt.query, err)
		}
		if found[0].Staging != tt.staging {
			t.Fatalf("%s: staging %v, want %v", found[0].Name, found[0].Staging, tt.staging)
		}
		c := w.file(reporter, fullCase())
		if _, err := w.timeline.Record(ctx, flows.Event{CaseID: c.ID, Kind: flows.EventStatus,
			Status: flows.StatusTransferred, FacilityID: found[0].ID, Public: true}); err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"en", "ru"} {
			friend := w.person(int64(len(tt.query))*10+int64(len(lang)), lang)
			r := friend.command("check", c.Code)
			if got := slices.Contains(textIDs(r), "status.staging"); got != tt.staging {
				t.Errorf("%s transfer to %s: staging warning %v, want %v", lang, tt.query, got, tt.staging)
			}
		}
	}
}

// TestStagingTransferMakesUrgent: a volunteer records a transfer to a
// staging facility: the case becomes urgent and the hotline is told once;
// the same transfer entered again alerts nobody.
func TestStagingTransferMakesUrgent(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storage.LookupLimits{})
	reporter := w.person(1, "ru")
	c := w.file(reporter, fullCase())
	vol := w.person(volunteerID, "en") // an admin: the hotline when nobody owns the case
	other := w.person(9000003, "en")
	if err := w.vols.Add(context.Background(), other.id, flows.RoleCoordinator, 0); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		mark := len(other.got)
		vol.command("status", c.Code)
		expectTexts(t, vol.press("status.name.transferred"), "update.moved")
		expectTexts(t, vol.send("Florence Staging"), "update.moved_pick")
		expectTexts(t, vol.press("Florence Staging Facility"), "update.public_note")
		vol.press("btn.no_note")
		alerts := 0
		for _, m := range other.since(mark) {
			if slices.Contains(textIDs(m.Reply), "casework.staging_alert") {
				alerts++
			}
		}
		if want := map[int]int{0: 1, 1: 0}[i]; alerts != want {
			t.Errorf("transfer %d: the coordinator got %d staging alerts, want %d", i+1, alerts, want)
		}
	}
	v, err := w.deps.Casework.ViewByID(context.Background(), c.ID)
	if err != nil || !slices.Contains(v.Urgent, flows.UrgentStaging) {
		t.Errorf("case urgent marks %v (%v): want staging", v.Urgent, err)
	}
}

// TestWordsAtAButtonQuestionReachTheVolunteer: a frightened relative
// answers "is it urgent?" in their own words. The words are kept for the
// volunteer (not lost under "use the buttons"), shown on the review, where
// they can be changed, and on the volunteer's /case; nothing typed before
// the consent is kept.
func TestWordsAtAButtonQuestionReachTheVolunteer(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{Config: flows.Config{Admins: []int64{9}}})
	c := &chat{testApp: a, id: 7000002, langCode: "ru", sent: map[int]flows.Reply{}}
	c.expect(c.command("start", ""), "menu.greeting")
	c.expect(c.press("btn.menu_report"), "ask.consent")
	c.expect(c.send("Иван Петров, A123456789"), "input.use_buttons", "ask.consent")
	c.expect(c.press("btn.consent_yes"), "ask.triage")
	words := "его завтра депортируют, билет на рейс уже купили"
	c.expect(c.send(words), "input.read_as", "ask.name") // urgent, in words the question asks of
	fillReport(c, urgentToFlight[1:])
	c.expect(c.send("мать сказала"), "input.kept_use_buttons", "ask.flight")
	fillReport(c, []answer{
		{press: "flight.rumor", want: "ask.flight_note"},
		{send: "скоро", want: "ask.contact"},
		{send: "+7 900 123-45-67", want: "ask.review"},
	})
	kept := words + "\nмать сказала"
	review := c.rendered(c.last)
	// A bare yes at the review is not kept (nor taken for "send").
	c.expect(c.send("да"), "review.say_send", "ask.review")
	if !strings.Contains(review, "Вы также написали:</b> "+words+" / мать сказала") {
		t.Errorf("the review does not show the words kept:\n%s", review)
	}
	// Changed from the review: the new words replace them.
	edit := flows.Input{Kind: flows.KindButton, Data: c.session().Nonce + ":review:e_said", MessageID: c.lastID}
	c.expect(c.handle(edit), "ask.said", "answer.current")
	c.expect(c.send(kept+", рейс из Майами"), "ask.review")
	kept += ", рейс из Майами"
	r := c.press("btn.confirm")
	code := data(r, "report.done_urgent", "Code")
	stored, _, err := c.cases.Get(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Facts.Said != kept {
		t.Errorf("stored words = %q, want %q", stored.Facts.Said, kept)
	}
	if strings.Contains(stored.Facts.Said, "A123456789") {
		t.Error("words typed before the consent were kept")
	}
	adm := &chat{testApp: a, id: 9, langCode: "en", sent: map[int]flows.Reply{}}
	card := adm.rendered(adm.command("case", code))
	if !strings.Contains(card, "The reporter also wrote") || !strings.Contains(card, "билет на рейс уже купили") {
		t.Errorf("the volunteer's /case lacks the reporter's words:\n%s", card)
	}
	if strings.Index(card, "The reporter also wrote") > strings.Index(card, "A-number") {
		t.Errorf("the reporter's words come after the facts, not under the name:\n%s", card)
	}
}

// TestFactDatesReadTwoWays: the date of a final order (the days left to
// appeal count from it), of a transfer or of the last call reads like the
// report's other dates: 03/04/2026 is asked with a button for each
// reading, not taken as one; "вчера" is said back.
func TestFactDatesReadTwoWays(t *testing.T) {
	t.Parallel()
	c := toTriage(newApp(t, appOptions{}), 7000011)
	fillReport(c, urgentToFlight)
	fillReport(c, []answer{
		{press: "flight.none", want: "ask.contact"},
		{send: "+7 900 123-45-67", want: "ask.review"},
	})
	c.expect(c.press("btn.confirm"), "report.done_urgent", "handoff.joined_urgent", "handoff.position",
		"handoff.nobody_on_duty", "handoff.write_while_waiting", "ask.more")
	c.press("btn.more_yes")
	for i := 0; i < 40 && !slices.Contains(textIDs(c.last), "ask.stage"); i++ {
		c.skipQuestion()
	}
	c.expect(c.press("stage.final_order"), "ask.final_order")
	r := c.send("03/04/2026")
	c.expect(r, "date.which", "ask.final_order")
	if len(r.Buttons) < 2 || !strings.HasSuffix(r.Buttons[0][0].Data, "d2026-04-03") || !strings.HasSuffix(r.Buttons[1][0].Data, "d2026-03-04") {
		t.Fatalf("03/04/2026: buttons %+v, want one for each reading", r.Buttons)
	}
	march := r.Buttons[1][0] // month first, as US papers write it
	c.expect(c.handle(flows.Input{Kind: flows.KindButton, Data: march.Data, MessageID: c.lastID}), "ask.appeals")
	if got := c.session().Draft.Facts.FinalOrder; got != "2026-03-04" {
		t.Errorf("final order %q, want 2026-03-04", got)
	}
	c.expect(c.command("back", ""), "ask.final_order", "answer.current")
	c.expect(c.send("вчера"), "date.understood", "ask.appeals")
}

// TestYesWithWordsIsYes: "Yes, they said he will be deported tomorrow"
// under "is it urgent?" is the yes, said back, with the words kept for the
// volunteer, where the whole message was refused as not a button; "нет —
// не срочно" is the no. An answer word where the name is asked ("yes"
// sent twice, "не знаю") is not taken for the name.
func TestYesWithWordsIsYes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		lang, say, triage string
	}{
		{"en", "yes, they said he will be deported tomorrow", "urgent"},
		{"ru", "Да, его завтра депортируют", "urgent"},
		{"ru", "нет — не срочно, просто узнать", "normal"},
	} {
		c := newChat(t, tt.lang)
		c.expect(c.command("start", ""), "menu.greeting")
		c.expect(c.press("btn.menu_report"), "ask.consent")
		c.expect(c.press("btn.consent_yes"), "ask.triage")
		r := c.send(tt.say)
		c.expect(r, "input.read_as", "ask.name")
		d := c.session().Draft
		if d.Facts.Triage != tt.triage || !strings.Contains(d.Facts.Said, strings.TrimSpace(tt.say)) {
			t.Errorf("%q: triage %q, kept %q", tt.say, d.Facts.Triage, d.Facts.Said)
		}
		for _, word := range []string{"yes", "не знаю", "Да!"} {
			c.expect(c.send(word), "parse.name_answer_word", "ask.name")
		}
		if d := c.session().Draft; d.NameLatin != "" || d.NameCyrillic != "" {
			t.Errorf("an answer word kept as the name: %q / %q", d.NameLatin, d.NameCyrillic)
		}
	}
}

// "Is it urgent?" answered by telling what it asks about ("рейс завтра",
// "его уже везут в аэропорт", "urgent") is the urgent path; it was "use
// the buttons". What denies it ("депортации не ожидается", "рейса нет") is
// no yes: asked again, the words kept.
func TestTriageInWords(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	for _, tt := range []struct {
		typed  string
		urgent bool
	}{
		{"рейс завтра", true}, {"его уже везут в аэропорт", true}, {"urgent", true},
		{"yes he has a flight tomorrow", true}, {"рейс, не знаю когда", true},
		{"депортации не ожидается", false}, {"рейса нет", false}, {"про депортацию ничего не знаю", false},
	} {
		c := toTriage(a, a.nextChat())
		ids := textIDs(c.send(tt.typed))
		if got := c.session().Draft.Facts.Triage == "urgent"; got != tt.urgent {
			t.Errorf("%q: %v, urgent = %v, want %v", tt.typed, ids, got, tt.urgent)
		}
		if !tt.urgent && ids[len(ids)-1] != "ask.triage" {
			t.Errorf("%q: %v, want the question again", tt.typed, ids)
		}
	}
}

// The day the words about the flight name is the case's deportation date
// ("завтра, в Россию" read a day later was the day after): said back,
// urgent within 72 hours. Not a day gone by, nor one of two days named.
func TestFlightDateInWords(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	for _, tt := range []struct{ lang, typed, date string }{
		{"ru", "завтра, в Россию", "2026-03-11"},
		{"en", "they said tomorrow, to Moscow", "2026-03-11"},
		{"en", "a charter on March 20", "2026-03-20"},
		{"ru", "рейс был на прошлой неделе, отменили", ""},
		{"ru", "перенесли с 15 марта на 20 марта", ""},
		{"en", "no date, just that it is soon", ""},
	} {
		c := reportTo(a, tt.lang, "ask.flight")
		c.expect(c.press("flight.officer"), "ask.flight_note")
		ids := textIDs(c.send(tt.typed))
		if got := c.session().Draft.FlightDate; got != tt.date || (tt.date != "") != slices.Contains(ids, "date.flight") {
			t.Errorf("%q: flight date %q, said %v; want %q", tt.typed, got, ids, tt.date)
		}
		if urgent := slices.Contains(c.session().Draft.Urgent, flows.UrgentDeportation); urgent != (tt.date == "2026-03-11") {
			t.Errorf("%q: urgent %v", tt.typed, c.session().Draft.Urgent)
		}
	}
}

// The offer of more questions pressed while a volunteer has the chat: what
// the reporter types goes to the volunteer, so the questions were asked and
// their answers relayed, the question never moving on. They are told to
// tell the volunteer; the questions stay offered. The volunteer who took
// the chat of a case nobody has taken is offered the case with it.
func TestMoreQuestionsWhileTalking(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{Config: flows.Config{Admins: []int64{9}}})
	c := toTriage(a, 7000001)
	rumorToReview(c)
	c.press("btn.confirm")
	adm := &chat{testApp: a, id: 9, langCode: "en", sent: map[int]flows.Reply{}}
	taken := adm.command("next", "")
	if st, err := c.queue.Chat(context.Background(), c.id); err != nil || st.Paired == nil {
		t.Fatalf("the coordinator did not take the chat: %+v, %v", st, err)
	}
	c.expect(c.press("btn.more_yes"), "report.more_while_paired")
	if s := c.session(); s.Step != "more" {
		t.Errorf("the session moved on to %q", s.Step)
	}

	// Talking with the reporter of a case nobody has taken, the
	// coordinator takes the case with one press.
	if !slices.Contains(buttonNames(taken), "btn.case_take") {
		t.Fatalf("taking the chat of an untaken case: buttons %v", buttonNames(taken))
	}
	adm.press("btn.case_take")
	v, err := a.deps.Casework.View(context.Background(), c.session().Draft.Filed)
	if err != nil || v.Owner != 9 {
		t.Errorf("the case after 'take': owner %d, %v", v.Owner, err)
	}
}

// A report of someone held at a staging facility, where people are often
// brought shortly before a flight, is urgent, as a transfer there makes a
// case: the reporter is told what the place is, and the case is stored
// with the mark. It was a case like any other, on the normal path.
func TestHeldAtStagingIsUrgent(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	for _, moved := range []bool{false, true} {
		c := reportTo(a, "en", "ask.facility")
		c.expect(c.send("florence staging"), "ask.facility_pick")
		c.expect(c.press("Florence Staging Facility"), "report.staging", "ask.transfer")
		answerTo(c, "ask.urgent")
		c.press("btn.urgent_none") // "nothing urgent" of the signs asked there
		answerTo(c, "ask.review")
		if moved { // the facility corrected on the review: not staging after all
			c.expect(c.change("facility"), "ask.facility", "answer.current")
			c.expect(c.send("krome"), "ask.facility_pick")
			c.press("Krome North")
		}
		code := data(c.press("btn.confirm"), "report.done", "Code")
		v, err := a.deps.Casework.View(context.Background(), code)
		if err != nil || slices.Contains(v.Urgent, flows.UrgentStaging) == moved {
			t.Errorf("corrected %v: case urgent marks %v (%v)", moved, v.Urgent, err)
		}
	}
}

// Completing a case filed on the urgent path keeps the urgency marks given
// since the filing: the reporter's answers replaced them.
func TestCompletingKeepsMarksGivenSince(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	c := toTriage(a, 7000001)
	rumorToReview(c)
	code := data(c.press("btn.confirm"), "report.done_urgent", "Code")
	ctx := context.Background()
	v, err := a.deps.Casework.View(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	// A volunteer records a transfer to a staging facility meanwhile.
	if _, err := a.deps.Casework.MarkStaging(ctx, v.ID, 0); err != nil {
		t.Fatal(err)
	}
	c.press("btn.more_yes")
	for i := 0; i < 40 && !slices.Contains(textIDs(c.last), "ask.review"); i++ {
		c.skipQuestion()
	}
	c.expect(c.press("btn.confirm"), "report.completed")
	if v, err = a.deps.Casework.View(ctx, code); err != nil || !slices.Contains(v.Urgent, flows.UrgentStaging) ||
		!slices.Contains(v.Urgent, flows.UrgentDeportation) {
		t.Errorf("marks after completing: %v (%v), want the staging mark kept", v.Urgent, err)
	}
}

// The Latin name typed first ("Dmitry Sokolov"), then the Cyrillic: the
// passports' spellings of the Cyrillic that differ ("Dmitrii Sokolov",
// issued since 2014) are offered at the other spellings, a press each. They
// were offered only when the Cyrillic came first; the ICE locator needs the
// exact one.
func TestNameSpellingsLatinFirst(t *testing.T) {
	t.Parallel()
	c := newChat(t, "en")
	startReport(c)
	c.expect(c.send("Dmitry Sokolov"), "ask.name_cyr")
	r := c.send("Дмитрий Соколов")
	c.expect(r, "ask.name_other", "ask.name_other_passport")
	if got := buttonNames(r); !slices.Equal(got, []string{"➕ Dmitrii Sokolov", "➕ Dmitriy Sokolov", "btn.dont_know"}) {
		t.Errorf("spellings offered: %v", got)
	}
	c.expect(c.press("Dmitrii Sokolov"), "ask.birth_date")
	if got := c.session().Draft.Facts.NameOther; got != "Dmitrii Sokolov" {
		t.Errorf("other spellings %q", got)
	}
	// Alike, there is nothing to offer.
	d := newChat(t, "en")
	startReport(d)
	d.send("Ivan Petrov")
	d.expect(d.send("Иван Петров"), "ask.name_other")
}

// After the urgent filing, out of the queue (a volunteer's conversation
// over, or the queue left), the reporter is at the offer of more
// questions. News typed there ("his was moved to Conroe") was "use the
// buttons", and lost; /news said the report was "not finished yet, add news
// after you send it", of a case the volunteers had. A button now sends the
// words as the case's news, and /news works; a photo, "saved for the
// volunteer" in the draft "later" dropped, likewise. In the middle of the
// questions, /news says that their answers are what is not sent yet.
func TestNewsAfterTheUrgentFiling(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newChat(t, "en")
	urgentToReview(c)
	code := data(c.press("btn.confirm"), "report.done_urgent", "Code")
	c.expect(c.press("btn.handoff_leave"), "handoff.left", "resume.filed_more", "ask.more")
	c.expect(c.send("they moved him to Conroe last night"), "casework.news_offer", "ask.more")
	if got := buttonNames(c.last); !slices.Equal(got, []string{"btn.news_send", "btn.more_yes", "btn.more_later"}) {
		t.Fatalf("buttons under the news typed: %v, want it sent a button away, the offer below", got)
	}
	if b := c.last.Buttons[0][0]; b.Text.Data["Code"] != code {
		t.Errorf("the news button: %+v, want case %s", b.Text, code)
	}
	c.expect(c.press("btn.news_send"), "casework.news_read_as", "update.moved_pick")
	c.expect(c.press("Conroe"), "casework.news_saved")
	if v, err := c.deps.Casework.View(ctx, code); err != nil || !slices.Contains(v.Urgent, flows.UrgentTransfer) ||
		v.Facility.City != "Conroe" {
		t.Errorf("case %s after the news: %+v, %v; want moved to Conroe", code, v, err)
	}
	// A word of thanks is not news: the offer, as before.
	c2 := newChat(t, "ru")
	urgentToReview(c2)
	code = data(c2.press("btn.confirm"), "report.done_urgent", "Code")
	c2.press("btn.handoff_leave")
	c2.expect(c2.send("спасибо"), "input.use_buttons", "ask.more")
	// A paper of the case was "saved for the volunteer" in the draft, and
	// "later" dropped it: it is sent as the case's news.
	c2.expect(c2.handle(flows.Input{Kind: flows.KindMedia, Media: "photo", MessageID: 900}), "casework.news_file_offer", "ask.more")
	c2.expect(c2.press("btn.news_send"), "casework.news_saved")
	if stored, _, err := c2.cases.Get(ctx, code); err != nil || !slices.Equal(stored.Facts.Files, []int{900}) {
		t.Errorf("files of case %s after the photo: %v, %v; want the photo", code, stored.Facts.Files, err)
	}
	c2.expect(c2.command("news", ""), "casework.news_kind")

	// The offer's answers typed are its answers, in the queue or out of
	// it: "not now" was offered as news, "да" went to the volunteer.
	for _, tt := range []struct {
		lang, typed, want string
		leave             bool
	}{
		{"en", "not now", "report.more_later", true}, {"ru", "позже", "report.more_later", true},
		{"ru", "да", "ask.name_cyr", false}, {"en", "ok", "ask.name_cyr", true},
	} {
		c := newChat(t, tt.lang)
		urgentToReview(c)
		c.press("btn.confirm")
		if tt.leave {
			c.press("btn.handoff_leave")
		}
		if got := textIDs(c.send(tt.typed)); got[0] != tt.want {
			t.Errorf("%q under the offer: %v, want %s", tt.typed, got, tt.want)
		}
	}

	c3 := newChat(t, "ru")
	urgentToReview(c3)
	code = data(c3.press("btn.confirm"), "report.done_urgent", "Code")
	c3.press("btn.handoff_leave")
	c3.press("btn.more_yes")
	r := c3.command("news", "")
	if got := textIDs(r); len(got) != 2 || got[0] != "casework.news_in_more" || !strings.Contains(c3.rendered(r), code) {
		t.Errorf("/news in the middle of the questions: %v: %s", got, c3.rendered(r))
	}
}
