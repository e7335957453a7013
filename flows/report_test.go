package flows_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"hotline/flows"
)

// answer is one step of a report: text typed, or a button of the last
// message pressed (by its text's message ID), and the question that follows.
type answer struct{ send, press, want string }

// fillReport gives the answers in order, checking each question that
// follows.
func fillReport(c *chat, answers []answer) {
	c.t.Helper()
	for _, a := range answers {
		var r flows.Reply
		if a.send != "" {
			r = c.send(a.send)
		} else {
			r = c.press(a.press)
		}
		c.expect(r, a.want)
	}
}

// toBirthDate starts a report and answers up to the birth date: the name
// in Latin letters, no Cyrillic, no other spellings.
func toBirthDate(c *chat) {
	c.t.Helper()
	startReport(c)
	fillReport(c, []answer{
		{send: "Ivan Petrov", want: "ask.name_cyr"},
		{press: "btn.skip", want: "ask.name_other"},
		{press: "btn.dont_know", want: "ask.birth_date"},
	})
}

// startReport goes from nothing to the name question.
func startReport(c *chat) {
	c.t.Helper()
	if r := c.command("start", ""); len(r.Texts) == 0 || !strings.HasPrefix(r.Texts[0].ID, "menu.greeting") {
		c.t.Fatalf("/start: %v, want the greeting (and one's reports)", textIDs(r))
	}
	c.expect(c.press("btn.menu_report"), "ask.consent")
	c.expect(c.press("btn.consent_yes"), "ask.triage")
	c.expect(c.press("btn.triage_no"), "ask.name")
}

func TestReportInRussian(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru-RU")
	startReport(c)
	if c.last.Lang != "ru" {
		t.Fatalf("lang = %q, want ru", c.last.Lang)
	}

	// A name in Cyrillic is kept, and its Latin spelling offered.
	r := c.send("Иван Петров")
	c.expect(r, "ask.name_latin")
	if got := c.button(c.lastID, "btn.use_translit").Text.Data["Latin"]; got != "Ivan Petrov" {
		t.Errorf("offered Latin spelling %q, want Ivan Petrov", got)
	}
	c.expect(c.press("btn.use_translit"), "ask.name_other") // the Cyrillic name is not asked again
	c.expect(c.send("Ivan Petroff"), "ask.birth_date")
	c.expect(c.send("5 мая 1985"), "ask.birth_country")
	c.expect(c.send("Россия"), "ask.citizenship")
	c.expect(c.press("btn.same_country"), "ask.a_number")
	c.expect(c.send("A 123-456-789"), "ask.detained_on")
	c.expect(c.send("12.02.26"), "ask.circumstance")
	// Detained at a check-in: which field office, typed in Cyrillic.
	c.expect(c.press("circ.checkin"), "ask.office")
	c.expect(c.send("Нью-Йорк"), "ask.office_pick")
	nyc := c.button(c.lastID, "New York City")
	c.expect(c.pressOn(c.lastID, nyc.Label), "ask.details")
	details := "<b>Пришли</b> утром & увезли'); DROP TABLE cases;--"
	c.expect(c.send(details), "ask.facility")

	// The facility typed in Cyrillic is matched against the directory:
	// the one spelt so is taken, and said back.
	c.expect(c.send("Элой"), "input.read_as", "ask.transfer")
	if f, err := c.deps.Facilities.Get(context.Background(), c.session().Draft.FacilityID); err != nil || !strings.Contains(f.Name, "Eloy") {
		t.Fatalf("«Элой» is %+v (%v), want Eloy", f, err)
	}
	c.expect(c.press("yesno.yes"), "ask.transfer_from")
	c.expect(c.send("Краум, Майами"), "ask.transfer_on")
	c.expect(c.send("20.02.26"), "ask.lawyer")
	c.expect(c.press("btn.lawyer_yes"), "ask.lawyer_name")
	c.expect(c.send("John Smith, Esq."), "ask.lawyer_phone")
	c.expect(c.send("+1 (520) 555-0100"), "ask.hearing")
	c.expect(c.send("15 апреля 2026"), "ask.stage")
	c.expect(c.press("stage.bia"), "ask.appeals")
	c.expect(c.send("Апелляция в BIA подана 1 марта"), "ask.flight")
	c.expect(c.press("flight.detainee"), "ask.flight_note")
	// Thursday, two days on: the flight's date, and the case urgent.
	c.expect(c.send("говорит, рейс в четверг"), "date.flight", "casework.now_urgent", "ask.travel_docs")
	c.expect(c.press("btn.dont_know"), "ask.entry")
	c.expect(c.press("entry.i220a"), "ask.language")
	c.expect(c.press("lang.ru"), "ask.can_call")
	c.expect(c.press("yesno.yes"), "ask.last_call")
	c.expect(c.send("1 марта 2026"), "ask.phone_account")
	c.expect(c.press("yesno.no"), "ask.urgent")

	// Urgent signs toggle in place.
	prompt := c.lastID
	r = c.pressUrgent("medical")
	if r.Edit != prompt {
		t.Errorf("toggle edited message %d, want %d", r.Edit, prompt)
	}
	// Marked already: the flight on Thursday is within 72 hours, and the
	// person spoke of a flight.
	for _, sign := range []string{"urgent.deportation", "urgent.flight"} {
		marked := false
		for _, row := range c.last.Buttons {
			for _, b := range row {
				marked = marked || b.Text.ID == "btn.urgent" && b.Text.Data["Sign"].(flows.Text).ID == sign &&
					b.Text.Data["On"] == true
			}
		}
		if !marked {
			t.Errorf("%s is not marked among the urgent signs", sign)
		}
	}
	c.pressUrgent("children")
	c.pressUrgent("children")
	c.expect(c.press("btn.urgent_done"), "ask.reporter_name")
	c.expect(c.send("Мария"), "ask.relationship")
	c.expect(c.send("жена"), "ask.contact")
	c.expect(c.send("@maria_p"), "ask.state")
	c.expect(c.send("Аризона"), "ask.privacy")
	c.expect(c.press("btn.dont_know"), "ask.publicity")
	c.expect(c.press("yesno.no"), "ask.facility_share") // last, so that "no" is the easy answer
	r = c.press("btn.share_yes")
	c.expect(r, "ask.review")
	review := c.rendered(r)
	for _, want := range []string{
		"Ivan Petrov", "Иван Петров", "5 мая 1985", "A123-456-789", "12 февраля 2026", "На отметке в ICE", "New York City",
		"&lt;b&gt;Пришли&lt;/b&gt; утром &amp; увезли", "Eloy", "John Smith", "15 апреля 2026",
		"Говорят, что скоро депортируют", "Нужна медицинская помощь", "@maria_p",
		"Краум, Майами", "20 февраля 2026", "Апелляция в BIA на рассмотрении", "Сам задержанный",
		"рейс в четверг", "Освобождён с I-220A", "Русский", "1 марта 2026", "Аризона",
	} {
		if !strings.Contains(review, want) {
			t.Errorf("review lacks %q:\n%s", want, review)
		}
	}
	if strings.Contains(review, "касается детей") {
		t.Errorf("review shows an untoggled sign:\n%s", review)
	}

	draftID := c.session().Draft.DraftID
	r = c.press("btn.confirm")
	c.expect(r, "report.done", "report.urgent_offer")
	code := data(r, "report.done", "Code")
	link := data(r, "report.done", "Link")
	stored, cs, err := c.cases.Get(context.Background(), code)
	if err != nil {
		t.Fatalf("stored case %q: %v", code, err)
	}
	if flows.FormatCode(cs.Code) != code || link != "https://t.me/hotline_test_bot?start=c_"+cs.Code {
		t.Errorf("code %q, link %q; stored code %q", code, link, cs.Code)
	}
	want := flows.Report{
		DraftID: draftID, Consent: true,
		NameLatin: "Ivan Petrov", NameCyrillic: "Иван Петров", BirthDate: "1985-05-05",
		BirthCountry: "Россия", Citizenship: "Россия", ANumber: "123456789",
		DetainedOn: "2026-02-12", Circumstance: "checkin", CircumstanceNote: details,
		FacilityID: stored.FacilityID, FacilityShare: true,
		HasLawyer: true, LawyerName: "John Smith, Esq.", LawyerPhone: "+1 (520) 555-0100",
		HearingDate: "2026-04-15", Appeals: "Апелляция в BIA подана 1 марта", FlightDate: "2026-03-12",
		Urgent:       []string{"deportation", "flight", "medical"},
		ReporterName: "Мария", Relationship: "жена", ReporterPhone: "@maria_p",
		Facts: flows.Facts{Triage: "normal", NameOther: "Ivan Petroff", Transferred: "yes", TransferFrom: "Краум, Майами", TransferOn: "2026-02-20",
			Stage: "bia", FlightSource: "detainee", FlightNote: "говорит, рейс в четверг", TravelDocs: "unknown",
			Entry: "i220a", Office: "new-york-city", Language: "lang.ru", CanCall: "yes", LastCall: "2026-03-01", PhoneAccount: "no",
			State: "Аризона", Privacy: "unknown", Publicity: "no", DatesShare: true},
		ReporterChatID: c.id, ReporterUserID: c.id, Lang: "ru",
	}
	if stored.FacilityID == 0 {
		t.Error("no facility stored")
	}
	if !reflect.DeepEqual(*stored, want) {
		t.Errorf("stored report\n%+v\nwant\n%+v", *stored, want)
	}
	if s := c.session(); s.Flow != "" || s.Draft.DraftID != "" {
		t.Errorf("after confirming, session = %+v; want the menu and no draft", s)
	}

	// The urgent offer answers; the confirm button, pressed again, stores nothing.
	done := c.lastID
	c.expect(c.press("btn.volunteer_now"), "handoff.joined_urgent", "handoff.position", "handoff.nobody_on_duty", "handoff.write_while_waiting")
	c.expect(c.pressOn(done-1, "btn.confirm"), "button.old", "menu.choose")
	if got := c.caseCount(); got != 1 {
		t.Errorf("%d cases stored, want 1", got)
	}
}

func TestReportInEnglish(t *testing.T) {
	t.Parallel()
	c := newChat(t, "en-US")
	startReport(c)
	if c.last.Lang != "en" {
		t.Fatalf("lang = %q, want en", c.last.Lang)
	}
	fillReport(c, []answer{
		{send: "  Maria   Gonzalez ", want: "ask.name_cyr"},
		{press: "btn.skip", want: "ask.name_other"},
		{press: "btn.dont_know", want: "ask.birth_date"},
		{send: "March 3, 1990", want: "ask.birth_country"},
		{send: "Kazakhstan", want: "ask.citizenship"},
		{send: "Russia", want: "ask.a_number"},
		{send: "12345678", want: "ask.detained_on"},
		{send: "2026-03-01", want: "ask.circumstance"},
		{press: "circ.other", want: "ask.details_other"},
		{press: "btn.skip", want: "ask.facility"},
		{press: "btn.dont_know", want: "ask.transfer"}, // no facility, no sharing question at the end
		{press: "btn.dont_know", want: "ask.lawyer"},
		{press: "btn.lawyer_no", want: "ask.hearing"},
		{press: "btn.hearing_unknown", want: "ask.stage"},
		{press: "btn.dont_know", want: "ask.appeals"},
		{send: "don't know", want: "ask.flight"},
		{press: "flight.none", want: "ask.entry"},
		{press: "btn.dont_know", want: "ask.language"},
		{press: "btn.dont_know", want: "ask.can_call"},
		{press: "btn.dont_know", want: "ask.phone_account"},
		{press: "btn.dont_know", want: "ask.urgent"},
		{press: "btn.urgent_none", want: "ask.reporter_name"},
		{send: "Ana", want: "ask.relationship"},
		{send: "sister", want: "ask.contact"},
		{send: "ana@example.com", want: "ask.state"},
		{press: "btn.skip", want: "ask.privacy"},
		{press: "btn.dont_know", want: "ask.publicity"},
		{press: "btn.dont_know", want: "ask.dates_share"}, // no facility: the date only
		{press: "btn.share_no", want: "ask.review"},
	})
	review := c.rendered(c.last)
	for _, want := range []string{"Maria Gonzalez", "March 3, 1990", "A012-345-678", "March 1, 2026", "not given", "nothing urgent"} {
		if !strings.Contains(review, want) {
			t.Errorf("review lacks %q:\n%s", want, review)
		}
	}
	r := c.press("btn.confirm")
	c.expect(r, "report.done") // not urgent: no volunteer offer
	stored, _, err := c.cases.Get(context.Background(), data(r, "report.done", "Code"))
	if err != nil {
		t.Fatal(err)
	}
	got := *stored
	got.DraftID = ""
	want := flows.Report{
		Consent: true, NameLatin: "Maria Gonzalez", BirthDate: "1990-03-03",
		BirthCountry: "Kazakhstan", Citizenship: "Russia", ANumber: "012345678",
		DetainedOn: "2026-03-01", Circumstance: "other",
		ReporterName: "Ana", Relationship: "sister", ReporterPhone: "ana@example.com",
		Facts: flows.Facts{Triage: "normal", Transferred: "unknown", Stage: "unknown", FlightSource: "none",
			Entry: "unknown", CanCall: "unknown", PhoneAccount: "unknown", Privacy: "unknown", Publicity: "unknown"},
		ReporterChatID: c.id, ReporterUserID: c.id, Lang: "en",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stored report\n%+v\nwant\n%+v", got, want)
	}
	if !strings.Contains(c.rendered(r), "https://t.me/hotline_test_bot?start=c_") {
		t.Errorf("no share link in %q", c.rendered(r))
	}
}

// detainedToUrgent answers a Russian report from the detention date to the
// urgent signs, most of it skipped: detained at the border, held at Krome.
var detainedToUrgent = []answer{
	{send: "01.03.2026", want: "ask.circumstance"},
	{press: "circ.border", want: "ask.details"},
	{press: "btn.skip", want: "ask.facility"},
	{send: "krome", want: "ask.facility_pick"},
	{press: "btn.facility_keep", want: "ask.transfer"},
	{press: "btn.dont_know", want: "ask.lawyer"},
	{press: "btn.lawyer_no", want: "ask.hearing"},
	{press: "btn.hearing_unknown", want: "ask.stage"},
	{press: "btn.dont_know", want: "ask.appeals"},
	{press: "btn.appeals_none", want: "ask.flight"},
	{press: "flight.none", want: "ask.entry"},
	{press: "btn.dont_know", want: "ask.language"},
	{press: "btn.dont_know", want: "ask.can_call"},
	{press: "btn.dont_know", want: "ask.phone_account"},
	{press: "btn.dont_know", want: "ask.urgent"},
}

// fillToReview answers every question quickly, in Russian.
func fillToReview(c *chat) {
	c.t.Helper()
	toBirthDate(c)
	fillReport(c, []answer{
		{send: "01.01.1980", want: "ask.birth_country"},
		{send: "Россия", want: "ask.citizenship"},
		{press: "btn.same_country", want: "ask.a_number"},
		{press: "btn.dont_know", want: "ask.detained_on"},
	})
	fillReport(c, detainedToUrgent)
	fillReport(c, []answer{
		{press: "btn.urgent_none", want: "ask.reporter_name"},
		{send: "Мария", want: "ask.relationship"},
		{send: "жена", want: "ask.contact"},
		{send: "+7 900 123-45-67", want: "ask.state"},
		{press: "btn.skip", want: "ask.privacy"},
		{press: "btn.dont_know", want: "ask.publicity"},
		{press: "btn.dont_know", want: "ask.facility_share"},
		{press: "btn.share_no", want: "ask.review"},
	})
}

func TestReviewChangesOneAnswer(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	fillToReview(c)
	review := c.lastID

	// Change the A-number: the question again, with the current answer, then back to the review.
	b := c.changeButton(review, "a_number")
	r := c.handle(flows.Input{Kind: flows.KindButton, Data: b.Data, MessageID: review})
	c.expect(r, "ask.a_number", "answer.current")
	c.expect(c.send("a123456789"), "ask.review")
	if got := c.session().Draft.ANumber; got != "123456789" {
		t.Errorf("A-number = %q", got)
	}

	// Change "lawyer" to yes: its name and contact are asked too, then the review.
	c.handle(flows.Input{Kind: flows.KindButton, Data: c.changeButton(c.lastID, "lawyer").Data, MessageID: c.lastID})
	c.expect(c.press("btn.lawyer_yes"), "ask.lawyer_name")
	c.expect(c.send("Jane Doe"), "ask.lawyer_phone")
	r = c.send("jane@law.example")
	c.expect(r, "ask.review")
	if !strings.Contains(c.rendered(r), "jane@law.example") {
		t.Errorf("review lacks the lawyer's contact:\n%s", c.rendered(r))
	}

	// /back while changing an answer returns to the review unchanged.
	c.handle(flows.Input{Kind: flows.KindButton, Data: c.changeButton(c.lastID, "relationship").Data, MessageID: c.lastID})
	c.expect(c.command("back", ""), "ask.review")
	s := c.session()
	if s.Edit != "" || s.Draft.Relationship != "жена" {
		t.Errorf("after /back: edit %q, relationship %q", s.Edit, s.Draft.Relationship)
	}
	if i := slices.Index(s.Back, "review"); i >= 0 {
		t.Errorf("review left on the back stack: %v", s.Back)
	}

	// The facility typed and kept shows as typed.
	if !strings.Contains(c.rendered(c.last), "krome (нет в списке ICE)") {
		t.Errorf("review:\n%s", c.rendered(c.last))
	}
	c.expect(c.press("btn.confirm"), "report.done")
}

// changeButton finds the review's "change" button for a field.
func (c *chat) changeButton(msgID int, field string) flows.Button {
	c.t.Helper()
	for _, row := range c.sent[msgID].Buttons {
		for _, b := range row {
			if b.Text.ID == "btn.change" && b.Text.Data["Field"].(flows.Text).ID == "field."+field {
				return b
			}
		}
	}
	c.t.Fatalf("no change button for %s", field)
	return flows.Button{}
}

func TestBackShowsTheAnswer(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	startReport(c)
	c.expect(c.send("Ivan Petrov"), "ask.name_cyr")
	c.expect(c.send("Иван Петров"), "ask.name_other")

	r := c.command("back", "")
	c.expect(r, "ask.name_cyr", "answer.current")
	if !strings.Contains(c.rendered(r), "Ваш ответ: Иван Петров") {
		t.Errorf("back shows:\n%s", c.rendered(r))
	}
	c.expect(c.press("btn.keep"), "ask.name_other")
	c.command("back", "")
	c.expect(c.command("back", ""), "ask.name", "answer.current")
	c.expect(c.command("back", ""), "ask.triage", "answer.current")
	c.expect(c.command("back", ""), "ask.consent", "answer.current")
	c.expect(c.command("back", ""), "back.first", "ask.consent", "answer.current")

	// A different answer after /back takes the other path.
	c.expect(c.press("btn.consent_yes"), "ask.triage", "answer.current")
	c.expect(c.press("btn.triage_no"), "ask.name", "answer.current")
	c.expect(c.send("Пётр Иванов"), "ask.name_latin")
	r = c.send("Piotr Ivanov")
	c.expect(r, "ask.name_other")
	if d := c.session().Draft; d.NameLatin != "Piotr Ivanov" || d.NameCyrillic != "Пётр Иванов" {
		t.Errorf("names = %q, %q", d.NameLatin, d.NameCyrillic)
	}
	c.expect(c.command("back", ""), "ask.name_latin", "answer.current")
	c.expect(c.command("back", ""), "ask.name", "answer.current")
}

// A command's word typed alone in a report is the command: "Отмена" at
// the name question asks whether to discard the report, where it became
// the detained person's name and was asked for in Latin letters; "назад"
// goes back, "помощь" explains the question.
func TestCommandWordsTyped(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	startReport(c)
	c.expect(c.send("Отмена"), "cancel.ask")
	c.expect(c.send("нет"), "ask.name")
	if d := c.session().Draft; d.NameLatin != "" || d.NameCyrillic != "" {
		t.Errorf("the word became the name: %q, %q", d.NameLatin, d.NameCyrillic)
	}
	c.expect(c.send("помощь"), "help.name", "ask.name")
	c.expect(c.send("Ivan Petrov"), "ask.name_cyr")
	c.expect(c.send("Назад"), "ask.name", "answer.current")
	c.expect(c.send("cancel!"), "cancel.ask")
	c.expect(c.send("да"), "cancel.done")
	if s := c.session(); s.Flow != "" {
		t.Errorf("after the typed cancel the chat is still in %q", s.Flow)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	startReport(c)
	c.expect(c.send("Ivan Petrov"), "ask.name_cyr")

	c.expect(c.command("cancel", ""), "cancel.ask")
	c.expect(c.press("btn.cancel_no"), "ask.name_cyr")
	if c.session().Draft.NameLatin != "Ivan Petrov" {
		t.Error("the draft was lost")
	}
	// Text while the question is open: asked again, nothing lost.
	c.command("cancel", "")
	c.expect(c.send("Иван"), "pending.use_buttons", "cancel.ask")
	// "Нет" typed is "no, carry on"; "да" typed is "yes, delete".
	c.expect(c.send("нет"), "ask.name_cyr")
	c.command("cancel", "")
	c.expect(c.send("Да"), "cancel.done")
	if s := c.session(); s.Flow != "" || s.Draft.NameLatin != "" {
		t.Errorf("after cancel: %+v", s)
	}
	c.expect(c.command("cancel", ""), "cancel.nothing", "menu.choose")
}

func TestOldButtons(t *testing.T) {
	t.Parallel()
	c := newChat(t, "en")
	startReport(c)
	c.expect(c.send("Ivan Petrov"), "ask.name_cyr")
	skip := c.lastID
	c.command("cancel", "")
	c.press("btn.cancel_yes")

	// A button from a cancelled flow never acts.
	c.expect(c.pressOn(skip, "btn.skip"), "button.old", "menu.choose")
	c.expect(c.press("btn.menu_report"), "ask.consent")
	consent := c.lastID
	c.press("btn.consent_yes")
	c.press("btn.triage_no")
	c.expect(c.pressOn(skip, "btn.skip"), "button.old", "ask.name")
	if s := c.session(); s.Step != "name" || s.Draft.NameLatin != "" {
		t.Errorf("an old button acted: %+v", s)
	}

	// A button of this flow, but of a question already answered.
	c.send("Ivan Petrov")
	c.expect(c.pressOn(consent, "btn.consent_no"), "button.old_step", "ask.name_cyr")
	if s := c.session(); s.Flow != "report" {
		t.Errorf("the flow ended: %+v", s)
	}

	// Old menu buttons inside a flow never lose the draft.
	c.expect(c.pressOn(1, "btn.menu_report"), "resume.unfinished", "resume.ask")
	c.expect(c.press("btn.resume_continue"), "ask.name_cyr")
	c.expect(c.pressOn(1, "btn.menu_info"), "info.contents")
	c.expect(c.press("info.title.locator"), "info.page.locator")
	c.expect(c.press("btn.info_done"), "ask.name_cyr")

	// Made-up callback data.
	for _, d := range []string{"", "x", "zzzzzzzz:name:skip", "m:nonsense", "l:de", ":::"} {
		r := c.handle(flows.Input{Kind: flows.KindButton, Data: d, MessageID: 1})
		if got := textIDs(r); got[0] != "button.old" {
			t.Errorf("data %q: %v", d, got)
		}
	}
	if c.session().Draft.NameLatin != "Ivan Petrov" {
		t.Error("the draft was lost")
	}
}

func TestResumeAfterPause(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	startReport(c)
	c.send("Ivan Petrov")
	draft := c.session().Draft.DraftID

	c.now = c.now.Add(23 * time.Hour)
	c.expect(c.command("help", ""), "help.name_cyr", "ask.name_cyr") // not yet a long pause

	c.now = c.now.Add(25 * time.Hour)
	r := c.send("Иван Петров")
	c.expect(r, "resume.welcome_back", "resume.ask")
	if c.session().Draft.NameCyrillic != "" {
		t.Error("the input that woke the flow was taken as an answer")
	}
	c.expect(c.press("btn.resume_continue"), "ask.name_cyr")
	c.expect(c.send("Иван Петров"), "ask.name_other")

	c.now = c.now.Add(48 * time.Hour)
	c.expect(c.media("photo"), "resume.welcome_back", "resume.ask")
	c.expect(c.press("btn.resume_over"), "resume.restarted", "ask.consent")
	s := c.session()
	if s.Draft.NameLatin != "" || s.Draft.DraftID == draft || s.Draft.DraftID == "" {
		t.Errorf("start over kept the old draft: %+v", s.Draft)
	}

	// /start inside a flow asks too.
	c.expect(c.command("start", ""), "resume.unfinished", "resume.ask")
	c.expect(c.press("btn.resume_continue"), "ask.consent")
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	startReport(c)

	c.expect(c.media("sticker"), "report.media_not_kept", "ask.name")
	c.expect(c.handle(flows.Input{Kind: flows.KindMedia, Media: "voice", MessageID: 90}), "report.file_kept", "ask.name") // for the volunteer
	c.expect(c.send("😀😀😀"), "parse.name", "ask.name")
	c.expect(c.send("12345"), "parse.name_digits", "ask.name")
	r := c.send(strings.Repeat("я", 4096))
	c.expect(r, "input.too_long_split", "ask.name") // at Telegram's limit: the start of a longer message
	if got := c.rendered(r); !strings.Contains(got, "4096 символов") || !strings.Contains(got, "200 символов") {
		t.Errorf("too long:\n%s", got)
	}
	c.expect(c.pressOn(2, "btn.consent_yes"), "button.old_step", "ask.name") // the consent question, answered

	c.expect(c.send(`<a href="x">Ivan</a>; DELETE FROM cases`), "parse.name", "ask.name") // markup is no name
	name := `Ivan O'Neil & "Petrov"`
	c.expect(c.send(name), "ask.name_cyr")
	if got := c.session().Draft.NameLatin; got != name {
		t.Errorf("name stored as %q, want it verbatim", got)
	}
	r = c.command("back", "")
	if got := c.rendered(r); !strings.Contains(got, "Ivan O'Neil &amp; \"Petrov\"") {
		t.Errorf("name echoed unescaped:\n%s", got)
	}
	c.press("btn.keep")
	c.press("btn.skip")
	c.press("btn.dont_know")
	c.expect(c.send("31.02.2025"), "parse.date_impossible", "ask.birth_date")
	c.expect(c.send("01.01.2099"), "parse.date_future", "ask.birth_date")
	c.expect(c.send("1.1.1980"), "ask.birth_country")
	// A "keep" with no answer to keep (an old message's) asks again.
	keep := c.session().Nonce + ":birth_country:="
	c.expect(c.handle(flows.Input{Kind: flows.KindButton, Data: keep, MessageID: c.lastID}), "ask.birth_country")
	c.send("Россия")
	c.press("btn.same_country")
	c.expect(c.send("A12345"), "parse.a_number", "ask.a_number")
	c.expect(c.send("не знаю"), "ask.detained_on")
	c.expect(c.send("15.01.1975"), "parse.date_before_birth", "ask.detained_on")
	c.send("1.3.2026")
	// Words where a button is asked are kept for the volunteer; a photo,
	// the same words again and "don't know" (not known) add nothing.
	c.expect(c.send("ночью, их было пятеро"), "input.kept_use_buttons", "ask.circumstance")
	c.expect(c.send("ночью, их было пятеро"), "input.kept_use_buttons", "ask.circumstance")
	c.expect(c.media("photo"), "input.use_buttons", "ask.circumstance")
	c.expect(c.send("не знаю"), "ask.details")
	if got := c.session().Draft.Facts.Said; got != "ночью, их было пятеро" {
		t.Errorf("kept words = %q, want %q", got, "ночью, их было пятеро")
	}
	c.command("back", "")
	c.press("circ.raid_home")
	r = c.send(strings.Repeat("x", 1001))
	c.expect(r, "input.too_long", "ask.details")
	c.expect(c.send(strings.Repeat("x", 1000)), "ask.facility")

	c.expect(c.command("frobnicate", ""), "command.unknown", "ask.facility")
	c.expect(c.command("help", ""), "help.facility", "ask.facility")
}

func TestFacilityStep(t *testing.T) {
	t.Parallel()
	c := newChat(t, "en")
	fillToReview(c)
	b := c.changeButton(c.lastID, "facility")
	c.expect(c.handle(flows.Input{Kind: flows.KindButton, Data: b.Data, MessageID: c.lastID}), "ask.facility", "answer.current")

	// A sentence like no facility: the facilities of the names in it.
	for _, tt := range []struct{ typed, want string }{
		{"Houston I think, the processing center on Export Drive", "Houston Contract Detention Facility"},
		{"not sure, maybe still at Miramar or Broward", "Broward Transitional Center"},
	} {
		if r := c.send(tt.typed); !slices.Contains(textIDs(r), "ask.facility_pick") || !strings.Contains(strings.Join(buttonNames(r), "|"), tt.want) {
			t.Errorf("%q: %v %v, want %s among the matches", tt.typed, textIDs(r), buttonNames(r), tt.want)
		}
		c.expect(c.press("btn.facility_again"), "ask.facility")
	}
	c.expect(c.send("zzqx qqzv"), "ask.facility_none")
	// Typing again on the matches is a new search.
	r := c.send("otay mesa")
	c.expect(r, "ask.facility_pick")
	if names := buttonNames(r); !strings.Contains(names[0], "Otay Mesa") {
		t.Errorf("first match for otay mesa: %v", names)
	}
	// "Type it again" asks again with no answer: the search was not chosen.
	r = c.press("btn.facility_again")
	c.expect(r, "ask.facility")
	if strings.Contains(c.rendered(r), "not in the list") {
		t.Errorf("retype shows the search as an answer:\n%s", c.rendered(r))
	}
	c.send("Adelanto")
	c.expect(c.pressOn(c.lastID, "Adelanto"), "ask.review")
	s := c.session()
	if s.Draft.FacilityID == 0 || s.Draft.FacilityText != "" {
		t.Errorf("facility = %d, %q", s.Draft.FacilityID, s.Draft.FacilityText)
	}
	if !strings.Contains(c.rendered(c.last), "Adelanto") {
		t.Errorf("review:\n%s", c.rendered(c.last))
	}
	// "I don't know" after a search keeps the words searched for the
	// volunteer: they were lost.
	const told = "не знаем, он звонил с номера 318, сказал что в Луизиане где то"
	m := newChat(t, "ru")
	fillToReview(m)
	m.change("facility")
	m.expect(m.send(told), "ask.facility_pick")
	m.expect(m.press("btn.dont_know"), "input.kept", "ask.review")
	if d := m.session().Draft; d.FacilityText != "" || !strings.Contains(d.Facts.Said, told) {
		t.Errorf("facility %q, kept %q", d.FacilityText, d.Facts.Said)
	}
}

func TestMenuAndLanguage(t *testing.T) {
	t.Parallel()
	c := newChat(t, "uk")
	r := c.command("start", "")
	c.expect(r, "menu.greeting")
	if r.Lang != "ru" {
		t.Errorf("a Ukrainian Telegram gets %q, want ru", r.Lang)
	}
	if got, want := buttonNames(r), []string{"btn.menu_report", "btn.menu_check", "btn.menu_volunteer", "btn.menu_news", "btn.menu_checkin", "btn.menu_info", "English"}; !slices.Equal(got, want) {
		t.Errorf("menu buttons = %v, want %v", got, want)
	}
	menu := c.lastID
	c.expect(c.pressOn(menu, "btn.menu_info"), "info.contents")
	if got := buttonNames(c.last); !slices.Contains(got, "info.title.locator") || !slices.Contains(got, "info.title.card") || slices.Contains(got, "info.title.bond") {
		t.Errorf("topics %v: want every checked page and not the one waiting for the lawyers", got)
	}
	c.expect(c.press("info.title.locator"), "info.page.locator")
	if !strings.Contains(c.rendered(c.last), "https://locator.ice.gov") {
		t.Error("no locator link in the useful information")
	}
	c.expect(c.press("btn.info_contents"), "info.contents")
	c.expect(c.press("info.title.card"), "info.page.card")
	if !strings.Contains(c.rendered(c.last), "+1 555 0100") {
		t.Error("the card for the detainee lacks the hotline's phone")
	}
	c.expect(c.press("btn.info_done"), "menu.choose")
	c.expect(c.pressOn(menu, "btn.menu_check"), "check.ask")
	c.expect(c.command("start", "c_K7M4Q9XP"), "check.not_found")
	c.expect(c.send("здравствуйте, мужа задержали"), "menu.report_offer") // reads like a report
	c.expect(c.media("photo"), "menu.media_offer")                        // kept for a volunteer
	c.expect(c.command("back", ""), "back.nothing", "menu.choose")
	c.expect(c.command("help", ""), "help.menu", "menu.choose")

	c.expect(c.command("language", ""), "language.choose")
	r = c.press("English")
	c.expect(r, "language.set", "menu.choose")
	if r.Lang != "en" {
		t.Errorf("lang = %q, want en", r.Lang)
	}
	// The session's language wins over Telegram's from now on.
	if r := c.command("start", ""); r.Lang != "en" {
		t.Errorf("lang after /start = %q, want en", r.Lang)
	}
	c.expect(c.command("language", "ru"), "language.set", "menu.choose")
	if c.last.Lang != "ru" {
		t.Errorf("/language ru gave %q", c.last.Lang)
	}
	c.expect(c.pressOn(menu, "btn.menu_volunteer"), "handoff.joined", "handoff.position", "handoff.nobody_on_duty", "handoff.write_while_waiting")
	c.expect(c.send("здравствуйте, мужа задержали"), "handoff.kept", "handoff.position") // kept for the volunteer
	c.command("cancel", "")

	// Consent refused: nothing kept.
	c.press("btn.menu_report")
	c.expect(c.press("btn.consent_no"), "report.no_consent")
	if s := c.session(); s.Flow != "" {
		t.Errorf("flow after refusing consent: %+v", s)
	}
}

func TestGroupChatsGetNothing(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	rs, err := c.app.Handle(context.Background(), flows.Input{ChatID: -100, ChatType: "supergroup", Kind: flows.KindCommand, Command: "start"})
	if err != nil || len(rs) != 0 {
		t.Errorf("group: %v, %v", rs, err)
	}
}

// TestStorageFailureIsRetried shows that an input handled again after the
// session could not be saved has one effect: one case, one code.
func TestStorageFailureIsRetried(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	fillToReview(c)
	confirm := c.button(c.lastID, "btn.confirm")
	in := flows.Input{Kind: flows.KindButton, Data: confirm.Data, MessageID: c.lastID}

	c.sessions.failPuts = 1
	if _, err := c.try(in); !errors.Is(err, errInjected) {
		t.Fatalf("Handle with Redis down: %v, want the outage", err)
	}
	if got := c.caseCount(); got != 1 {
		t.Fatalf("%d cases after the failed turn", got)
	}
	r1 := c.handle(in) // the bot retries the same update
	c.expect(r1, "report.done")
	if got := c.caseCount(); got != 1 {
		t.Errorf("%d cases after the retry, want 1", got)
	}
	// And once more, as if delivered twice: the button is old now.
	c.expect(c.handle(in), "button.old", "menu.choose")
	if got := c.caseCount(); got != 1 {
		t.Errorf("%d cases, want 1", got)
	}

	// A failed answer mid-flow is not half-applied.
	startReport(c)
	c.sessions.failPuts = 1
	if _, err := c.try(flows.Input{Kind: flows.KindText, Text: "Ivan Petrov"}); err == nil {
		t.Fatal("no error")
	}
	if s := c.session(); s.Step != "name" || s.Draft.NameLatin != "" {
		t.Errorf("after a failed save: %+v", s)
	}
	c.expect(c.send("Ivan Petrov"), "ask.name_cyr")
}

// TestCheckinOffice: a person detained at a check-in is asked which ICE
// office; a sub-office not among the 25 field offices is kept as typed and
// shown so on the review; "don't know" is an answer; and when the way of
// detention changes, the office goes with it.
func TestCheckinOffice(t *testing.T) {
	t.Parallel()
	c := newChat(t, "en")
	startReport(c)
	fillReport(c, []answer{
		{send: "Maria Gonzalez", want: "ask.name_cyr"},
		{press: "btn.skip", want: "ask.name_other"},
		{press: "btn.dont_know", want: "ask.birth_date"},
		{send: "March 3, 1990", want: "ask.birth_country"},
		{send: "Kazakhstan", want: "ask.citizenship"},
		{send: "Russia", want: "ask.a_number"},
		{send: "12345678", want: "ask.detained_on"},
		{send: "2026-03-01", want: "ask.circumstance"},
		{press: "circ.checkin", want: "ask.office"},
		{send: "Sacramento sub-office", want: "ask.office_none"},
		{press: "btn.office_keep", want: "ask.details"},
	})
	if f := c.session().Draft.Facts; f.Office != "" || f.OfficeText != "Sacramento sub-office" {
		t.Errorf("office kept as typed: %q %q", f.Office, f.OfficeText)
	}
	// /back from the details goes to the office question, not to the
	// list of matches.
	c.expect(c.command("back", ""), "ask.office", "answer.current")
	c.expect(c.press("btn.dont_know"), "ask.details")
	if f := c.session().Draft.Facts; f.Office != "" || f.OfficeText != "" {
		t.Errorf("\"don't know\" left the office %q %q", f.Office, f.OfficeText)
	}
	// An office's name or city alone is that office, said back.
	c.command("back", "")
	c.expect(c.send("Chicago"), "input.read_as", "ask.details")
	if f := c.session().Draft.Facts; f.Office != "chicago" || f.OfficeText != "" {
		t.Errorf("office typed: %q %q, want chicago", f.Office, f.OfficeText)
	}
	// Words about it are looked up, and the office pressed.
	c.command("back", "")
	c.expect(c.send("Chicago, on Congress Parkway"), "ask.office_pick")
	chicago := c.button(c.lastID, "Chicago")
	c.expect(c.pressOn(c.lastID, chicago.Label), "ask.details")
	if f := c.session().Draft.Facts; f.Office != "chicago" || f.OfficeText != "" {
		t.Errorf("office picked: %q %q, want chicago", f.Office, f.OfficeText)
	}
	// Another way of detention: the office question and answer go.
	c.command("back", "")
	c.command("back", "")
	c.expect(c.last, "ask.circumstance", "answer.current")
	c.expect(c.press("circ.border"), "ask.details")
	if f := c.session().Draft.Facts; f.Office != "" || f.OfficeText != "" {
		t.Errorf("the office stayed after the circumstance changed: %q %q", f.Office, f.OfficeText)
	}
}

// Yes, no and a place typed under the offices found answer the list: they
// were searched for as offices ("yes": no office has a similar name), and
// a "yes" there kept as the office.
func TestReportOfficeTypedAnswers(t *testing.T) {
	t.Parallel()
	toOffice := func(c *chat) {
		startReport(c)
		fillReport(c, []answer{
			{send: "Maria Gonzalez", want: "ask.name_cyr"},
			{press: "btn.skip", want: "ask.name_other"},
			{press: "btn.dont_know", want: "ask.birth_date"},
			{press: "btn.dont_know", want: "ask.birth_country"},
			{press: "btn.dont_know", want: "ask.citizenship_plain"},
			{press: "btn.dont_know", want: "ask.a_number"},
			{press: "btn.dont_know", want: "ask.detained_on"},
			{send: "2026-03-01", want: "ask.circumstance"},
			{press: "circ.checkin", want: "ask.office"},
		})
	}
	for _, tt := range []struct{ typed, answer, office, text, want string }{
		{"Delaney Hall", "yes", "", "Delaney Hall", "ask.details"}, // none found: kept
		{"Delaney Hall", "no", "", "Delaney Hall", "ask.details"},  // kept too
		{"Chicago IL", "yes", "chicago", "", "ask.details"},        // the one shown
		{"LA", "second", "new-orleans", "", "ask.details"},         // its place
		{"LA", "yes", "", "LA", "parse.office_which"},              // which of two?
		{"Нью-Йорк", "да, первый", "new-york-city", "", "ask.details"},
		{"Нью-Йорк", "no, Chicago", "", "Chicago", "ask.office_pick"}, // a new search
	} {
		c := newChat(t, "en")
		toOffice(c)
		c.send(tt.typed)
		r := c.send(tt.answer)
		if got := textIDs(r); got[0] != tt.want {
			t.Errorf("%q, then %q: %v, want %s", tt.typed, tt.answer, got, tt.want)
		}
		if f := c.session().Draft.Facts; f.Office != tt.office || f.OfficeText != tt.text {
			t.Errorf("%q, then %q: office %q %q, want %q %q", tt.typed, tt.answer, f.Office, f.OfficeText, tt.office, tt.text)
		}
	}
}

// toANumber answers a report's questions up to the A-number, skipping
// what may be skipped: in Russian with the name in Cyrillic, in English in
// Latin.
func toANumber(lang string) []answer {
	if lang == "ru" {
		return []answer{
			{send: "Иван Петров", want: "ask.name_latin"},
			{press: "btn.use_translit", want: "ask.name_other"},
			{press: "btn.dont_know", want: "ask.birth_date"},
			{press: "btn.dont_know", want: "ask.birth_country"},
			{press: "btn.dont_know", want: "ask.citizenship_plain"},
			{send: "Россия", want: "ask.a_number"},
		}
	}
	return []answer{
		{send: "Ivan Petrov", want: "ask.name_cyr"},
		{press: "btn.skip", want: "ask.name_other"},
		{press: "btn.dont_know", want: "ask.birth_date"},
		{press: "btn.dont_know", want: "ask.birth_country"},
		{press: "btn.dont_know", want: "ask.citizenship_plain"},
		{send: "Russia", want: "ask.a_number"},
	}
}

// TestSameANumberOffersNews: a second relative who gives the A-number of an
// open case someone else reported is told the hotline has the case and may
// send news to it instead; the news reaches the case, and the relative sees
// nothing of the first report. "Go on" continues the report; the first
// reporter giving their own case's A-number again is not asked.
func TestSameANumberOffersNews(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	first := &chat{testApp: a, id: 7100001, langCode: "ru", sent: map[int]flows.Reply{}}
	cs, err := a.cases.Create(context.Background(), &flows.Report{DraftID: "known-first", Consent: true,
		NameLatin: "Ivan Petrov", NameCyrillic: "Иван Петров", ANumber: "123456789", ReporterName: "Мария",
		ReporterPhone: "+7 916 123-45-67", ReporterChatID: first.id, ReporterUserID: first.id, Lang: "ru"})
	if err != nil {
		t.Fatal(err)
	}
	code := flows.FormatCode(cs.Code)

	second := &chat{testApp: a, id: 7100002, langCode: "en", sent: map[int]flows.Reply{}}
	startReport(second)
	fillReport(second, append(toANumber("en"),
		answer{send: "123456789", want: "ask.known_case"},
	))
	if shown := second.rendered(second.last); strings.Contains(shown, "Иван") || strings.Contains(shown, "Мария") {
		t.Errorf("the second reporter is shown the first report:\n%s", shown)
	}
	second.expect(second.press("btn.known_news"), "casework.news_kind")
	second.expect(second.press("btn.news_released"), "casework.news_saved")
	if got := data(second.last, "casework.news_saved", "Code"); got != code {
		t.Errorf("news went to case %v, want %s", got, code)
	}

	// A third goes on with the report; the first, reporting again, is not asked.
	third := &chat{testApp: a, id: 7100003, langCode: "en", sent: map[int]flows.Reply{}}
	startReport(third)
	fillReport(third, append(toANumber("en"),
		answer{send: "A123456789", want: "ask.known_case"},
		answer{press: "btn.known_report", want: "ask.detained_on"},
	))
	startReport(first)
	fillReport(first, append(toANumber("ru"),
		answer{send: "123456789", want: "ask.detained_on"},
	))
}

// TestNameWithMore: people write all they know at the name question. The
// name is what comes before the digits (and before "born", "родился"); the
// whole message is kept for the volunteer; the A-number is asked in its
// turn. A message with no name before its digits is refused.
func TestNameWithMore(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		lang, send, cyrillic, latin, next string
	}{
		{"ru", "Петров Иван, A 123 456 789, родился 1.2.1990", "Петров Иван", "", "ask.name_latin"},
		{"ru", "Иван Петров родился 01.02.1990", "Иван Петров", "", "ask.name_latin"},
		{"en", "Ivan Petrov A123456789", "", "Ivan Petrov", "ask.name_cyr"},
		{"en", "PETROV, IVAN, A# 123-456-789", "", "PETROV, IVAN", "ask.name_cyr"},
		{"en", "Maria Osborne 35 years old", "", "Maria Osborne", "ask.name_cyr"},
		{"en", "Maria Gonzalez, born in 1985", "", "Maria Gonzalez", "ask.name_cyr"},
		{"ru", "ИВАН ПЕТРОВ РОДИЛСЯ В 1990", "ИВАН ПЕТРОВ", "", "ask.name_latin"},
		// İ is shorter lower-cased: the cut is where the text has "born".
		{"en", "İsmail İbrahim Born 1990", "", "İsmail İbrahim", "ask.name_cyr"},
	} {
		t.Run(tt.send, func(t *testing.T) {
			t.Parallel()
			c := newChat(t, tt.lang)
			startReport(c)
			r := c.send(tt.send)
			if strings.HasPrefix(tt.send, "Петров Иван") {
				c.expect(r, "parse.name_split", "report.given_first", tt.next) // Ivan Petrov
			} else {
				c.expect(r, "parse.name_split", tt.next)
			}
			d := c.session().Draft
			if d.NameCyrillic != tt.cyrillic || d.NameLatin != tt.latin {
				t.Errorf("name = %q / %q, want %q / %q", d.NameCyrillic, d.NameLatin, tt.cyrillic, tt.latin)
			}
			if d.Facts.Said != tt.send {
				t.Errorf("kept for the volunteer: %q, want the whole message", d.Facts.Said)
			}
			if d.ANumber != "" || d.BirthDate != "" {
				t.Errorf("answers taken from the name's message: %q %q", d.ANumber, d.BirthDate)
			}
			if got := c.rendered(r); !strings.Contains(got, tt.cyrillic+tt.latin) {
				t.Errorf("the reply does not say what was taken as the name:\n%s", got)
			}
		})
	}
	for bad, want := range map[string]string{
		"A 123 456 789": "parse.a_number_elsewhere", "123456789": "parse.a_number_elsewhere", "1.2.1990": "parse.name_digits",
	} {
		c := newChat(t, "ru")
		startReport(c)
		c.expect(c.send(bad), want, "ask.name")
		if d := c.session().Draft; d.NameCyrillic != "" || d.NameLatin != "" || d.Facts.Said != "" {
			t.Errorf("%q: stored %+v", bad, d)
		}
	}
}

// TestReportCommand: /report, in Telegram's command menu, begins a report
// as the menu's button does; inside one it offers to go on with it rather
// than discard the answers.
func TestReportCommand(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	c.expect(c.command("report", ""), "ask.consent")
	c.expect(c.press("btn.consent_yes"), "ask.triage")
	c.expect(c.command("report", ""), "resume.unfinished", "resume.ask")
	if !slices.Contains(flows.CommandsFor(flows.RoleNone), "report") {
		t.Error("/report is not in the relatives' command menu")
	}
}

// TestUnknownCitizenshipAndDetentionDay: a relative who knows neither the
// country of birth nor the day of the detention is not asked to press a
// button that is not there, nor to invent a day. The citizenship question
// then names no "same country" button and offers "I don't know"; so does
// the detention date, which takes a span ("3 дня назад"), said back, and
// asks "about how many?" of "a few days ago".
func TestUnknownCitizenshipAndDetentionDay(t *testing.T) {
	t.Parallel()
	c := newChat(t, "en")
	toBirthDate(c)
	fillReport(c, []answer{
		{press: "btn.dont_know", want: "ask.birth_country"},
		{press: "btn.dont_know", want: "ask.citizenship_plain"},
	})
	if got := c.rendered(c.last); strings.Contains(got, "press the button") || !slices.Equal(buttonNames(c.last), []string{"btn.dont_know"}) {
		t.Errorf("citizenship with no country of birth: %q with buttons %v", got, buttonNames(c.last))
	}
	fillReport(c, []answer{
		{press: "btn.dont_know", want: "ask.a_number"},
		{press: "btn.dont_know", want: "ask.detained_on"},
	})
	if !slices.Equal(buttonNames(c.last), []string{"btn.dont_know"}) {
		t.Errorf("the detention date's buttons: %v", buttonNames(c.last))
	}
	r := c.send("a few days ago")
	c.expect(r, "parse.date_vague", "ask.detained_on")
	if got := c.rendered(r); !strings.Contains(got, "About how many?") {
		t.Errorf("a vague span:\n%s", got)
	}
	c.expect(c.press("btn.dont_know"), "ask.circumstance")
	if d := c.session().Draft; d.Citizenship != "" || d.DetainedOn != "" {
		t.Errorf("unknown answers stored as %q, %q", d.Citizenship, d.DetainedOn)
	}

	// In Russian, with the country of birth known: both buttons, and a
	// span of days read and said back.
	ru := newChat(t, "ru")
	startReport(ru)
	fillReport(ru, []answer{
		{send: "Иван Петров", want: "ask.name_latin"},
		{press: "btn.use_translit", want: "ask.name_other"},
		{press: "btn.dont_know", want: "ask.birth_date"},
		{press: "btn.dont_know", want: "ask.birth_country"},
		{send: "Казахстан", want: "ask.citizenship"},
	})
	if got := buttonNames(ru.last); !slices.Equal(got, []string{"btn.same_country", "btn.dont_know"}) {
		t.Errorf("citizenship buttons: %v", got)
	}
	fillReport(ru, []answer{
		{press: "btn.dont_know", want: "ask.a_number"},
		{press: "btn.dont_know", want: "ask.detained_on"},
	})
	r = ru.send("3 дня назад")
	ru.expect(r, "date.understood", "ask.circumstance")
	now := ru.clock().UTC()
	want := time.Date(now.Year(), now.Month(), now.Day()-3, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	if got := ru.session().Draft.DetainedOn; got != want {
		t.Errorf("«3 дня назад» stored as %q, want %q", got, want)
	}
	// Said back with its day of the week, which shows a day off at once.
	day, _ := time.Parse(time.DateOnly, want)
	weekday := ru.cat.Render("ru", flows.T("weekday."+strconv.Itoa(int(day.Weekday()))))
	if got := ru.rendered(r); !strings.Contains(got, "Поняли так: "+weekday+", "+strconv.Itoa(day.Day())+" ") {
		t.Errorf("said back without the day of the week (%s):\n%s", weekday, got)
	}
}

// TestReviewYesSaysHowToSend: "да" under the review does not send a report
// (it is sent by its button or in so many words), and is told how, not
// "choose with the buttons"; "всё верно" typed sends it.
func TestReviewYesSaysHowToSend(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	fillToReview(c)
	r := c.send("да")
	c.expect(r, "review.say_send", "ask.review")
	if got := c.rendered(r); !strings.Contains(got, "напишите «отправить»") {
		t.Errorf("the review's yes:\n%s", got)
	}
	if n := c.caseCount(); n != 0 {
		t.Fatalf("%d cases stored after a bare yes", n)
	}
	c.expect(c.send("Всё верно"), "report.done")
	if n := c.caseCount(); n != 1 {
		t.Errorf("%d cases stored after «всё верно», want 1", n)
	}
}

// TestNameInTwoMessages: a relative on a phone who sends the first name,
// then the surname ("иван", "петров"; "Jose", "garcia") is asked whether
// the word is the surname, with a button that makes the whole name, said
// back, and the question after the name asked again for it: the Latin
// spelling offered for "Иван Петров". It was the surname taken for the
// Latin spelling of "Иван", or refused as "Cyrillic, please", and lost.
// Not pressed, nothing is joined ("верно" is a word too); a yes, "не
// знаю", a word after a name of two, are read as before.
func TestNameInTwoMessages(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	startReport(c)
	c.expect(c.send("иван"), "parse.name_one_word", "ask.name_latin")
	r := c.send("петров")
	c.expect(r, "parse.name_surname", "ask.name_latin")
	if shown := c.rendered(r); !strings.Contains(shown, "«петров»") || !strings.Contains(shown, "«Иван Петров»") {
		t.Errorf("the surname asked about:\n%s", shown)
	}
	r = c.press("btn.name_join")
	c.expect(r, "parse.name_joined", "ask.name_latin")
	if shown := c.rendered(r); !strings.Contains(shown, "«Иван Петров»") || !strings.Contains(shown, "Ivan Petrov") {
		t.Errorf("the name joined:\n%s", shown)
	}
	c.expect(c.send("да"), "ask.name_other")
	if s := c.session(); s.Draft.NameCyrillic != "Иван Петров" || s.Draft.NameLatin != "Ivan Petrov" || s.Surname != "" {
		t.Errorf("name %q / %q (%q waiting), want Иван Петров / Ivan Petrov", s.Draft.NameCyrillic, s.Draft.NameLatin, s.Surname)
	}

	// A word that is not the surname: the name stays as it was.
	word := newChat(t, "ru")
	startReport(word)
	word.expect(word.send("Иван"), "parse.name_one_word", "ask.name_latin")
	word.expect(word.send("верно"), "parse.name_surname", "ask.name_latin")
	word.expect(word.send("да"), "ask.name_other")
	if s := word.session(); s.Draft.NameCyrillic != "Иван" || s.Draft.NameLatin != "Ivan" {
		t.Errorf("name %q / %q after a word not joined, want Иван / Ivan", s.Draft.NameCyrillic, s.Draft.NameLatin)
	}

	// The whole name typed again after the first name alone.
	again := newChat(t, "ru")
	startReport(again)
	again.expect(again.send("Иван"), "parse.name_one_word", "ask.name_latin")
	again.expect(again.send("Иван Петров"), "parse.name_surname", "ask.name_latin")
	again.expect(again.press("btn.name_join"), "parse.name_joined", "ask.name_latin")
	if s := again.session(); s.Draft.NameCyrillic != "Иван Петров" {
		t.Errorf("name typed again: %q", s.Draft.NameCyrillic)
	}

	en := newChat(t, "en")
	startReport(en)
	en.expect(en.send("Jose"), "parse.name_one_word", "ask.name_cyr")
	en.expect(en.send("garcia lopez"), "parse.name_surname", "ask.name_cyr")
	en.expect(en.press("btn.name_join"), "parse.name_joined", "ask.name_cyr")
	en.expect(en.send("Maria"), "parse.need_cyrillic", "ask.name_cyr") // the name has two words now
	if s := en.session(); s.Draft.NameLatin != "Jose Garcia Lopez" {
		t.Errorf("name %q, want Jose Garcia Lopez", s.Draft.NameLatin)
	}

	skip := newChat(t, "en")
	startReport(skip)
	skip.expect(skip.send("Jose"), "parse.name_one_word", "ask.name_cyr")
	skip.expect(skip.send("no"), "ask.name_other")
	if s := skip.session(); s.Draft.NameLatin != "Jose" {
		t.Errorf("name %q after 'no', want Jose", s.Draft.NameLatin)
	}
}

// How a detention happened, typed as people say it ("на чекине", "they
// came to the house") where the buttons say it otherwise, is read as the
// answer it names and said back; it was kept as words, with "use the
// buttons". Words that name two answers, or say no, still ask.
func TestCircumstanceInWords(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	for _, tt := range []struct {
		lang, typed, want string
	}{
		{"ru", "на чекине", "checkin"},
		{"ru", "Забрали на чек-ине в офисе", "checkin"},
		{"ru", "пошёл отмечаться и не вернулся", "checkin"},
		{"ru", "дома, в 6 утра", "raid_home"},
		{"ru", "пришли в квартиру", "raid_home"},
		{"ru", "на стройке", "raid_work"},
		{"ru", "остановили на трассе", "traffic"},
		{"ru", "прямо из машины", "traffic"},
		{"ru", "в аэропорту", "border"},
		{"en", "at his ICE appointment", "checkin"},
		{"en", "at check-in", "checkin"},
		{"en", "they came to the house at 5am", "raid_home"},
		{"en", "they knocked on the door, she opened, they had a paper with another persons name", "raid_home"},
		{"en", "at his asylum interview", "other"},
		{"ru", "постучали в дверь рано утром", "raid_home"},
		{"en", "at his job", "raid_work"},
		{"en", "pulled over on the highway", "traffic"},
		{"en", "they took him from his car", "traffic"},
		{"en", "they asked for his green card", ""}, // a card is not a car
		{"en", "at the car wash where he works", "raid_work"},
		{"en", "at the car wash", "raid_work"}, // a car wash is work, not a car
		{"ru", "на автомойке", "raid_work"},
		{"en", "he turned himself in", "other"}, {"en", "at a gas station", "other"}, {"ru", "сам пошёл сдаваться", "other"},
		{"en", "they stopped him on the way to work", ""}, // a stop on the road, or work: the buttons tell
		{"en", "at the airport", "border"},
		{"ru", "на работе или дома, не знаю", ""}, // two, and "don't know"
		{"ru", "дома и на работе", ""},            // two
		{"ru", "не на работе", ""},                // says no
		{"ru", "не на работе, а дома", "raid_home"},
		{"en", "homeland security took him", ""}, // not home
		{"ru", "домашний арест", ""},             // not at home
	} {
		c := &chat{testApp: a, id: a.nextChat(), langCode: tt.lang, sent: map[int]flows.Reply{}}
		startReport(c)
		fillReport(c, []answer{
			{send: "Ivan Petrov", want: "ask.name_cyr"},
			{press: "btn.skip", want: "ask.name_other"},
			{press: "btn.dont_know", want: "ask.birth_date"},
			{press: "btn.dont_know", want: "ask.birth_country"},
			{press: "btn.dont_know", want: "ask.citizenship_plain"},
			{press: "btn.dont_know", want: "ask.a_number"},
			{press: "btn.dont_know", want: "ask.detained_on"},
			{press: "btn.dont_know", want: "ask.circumstance"},
		})
		r := c.send(tt.typed)
		got := c.session().Draft.Circumstance
		if tt.want == "" {
			if ids := textIDs(r); len(ids) < 2 || ids[len(ids)-1] != "ask.circumstance" || got != "" {
				t.Errorf("%q: %v, circumstance %q; want the question again, unanswered", tt.typed, ids, got)
			}
			continue
		}
		ids := textIDs(r)
		if got != tt.want || slices.Contains(ids, "ask.circumstance") {
			t.Errorf("%q: %v, circumstance %q; want read as %s", tt.typed, ids, got, tt.want)
			continue
		}
		if ids[0] != "input.read_as" {
			continue // the caption itself ("at check-in"), as pressed
		}
		if label := c.rendered(flows.Reply{Lang: r.Lang, Texts: r.Texts[:1]}); !strings.Contains(label,
			c.cat.Render(r.Lang, flows.T("circ."+tt.want))) {
			t.Errorf("%q: said back %q, want the caption of %s", tt.typed, label, tt.want)
		}
	}
}

// Buttons answered in words that name the answer without its caption: "ищем"
// (a lawyer: none yet), "звонил один раз" (he can call), "у него диабет"
// (urgent: medical care). They were kept with "use the buttons". Words
// naming two urgent matters mark both; only one was.
func TestAnswersInTheirOwnWords(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	to := func(lang, ask string) *chat { return reportTo(a, lang, ask) }

	for _, tt := range []struct {
		lang, typed, next string
		lawyer            bool
	}{
		{"ru", "ищем", "ask.hearing", false},
		{"en", "we are looking for one", "ask.hearing", false},
		{"ru", "нужен адвокат, денег нет", "ask.hearing", false},
		{"en", "we hired one yesterday", "ask.lawyer_name", true},
		{"ru", "наняли вчера", "ask.lawyer_name", true},
		{"en", "she has a lawyer from the church, I dont have the number", "ask.lawyer_name", true},
	} {
		c := to(tt.lang, "ask.lawyer")
		if ids := textIDs(c.send(tt.typed)); ids[0] != "input.read_as" || ids[len(ids)-1] != tt.next ||
			c.session().Draft.HasLawyer != tt.lawyer {
			t.Errorf("lawyer %q: %v, lawyer %v; want %s, lawyer %v", tt.typed, ids, c.session().Draft.HasLawyer, tt.next, tt.lawyer)
		}
	}

	// A "have" said no to is no yes.
	if c := to("en", "ask.lawyer"); slices.Contains(textIDs(c.send("he doesnt have one yet")), "ask.lawyer_name") {
		t.Errorf("«he doesnt have one yet» read as a lawyer")
	}

	// "Every day": when the last call was is not asked.
	for lang, typed := range map[string]string{"en": "yes he calls every day around 6pm", "ru": "да, звонит каждый день"} {
		d := to(lang, "ask.can_call")
		if ids := textIDs(d.send(typed)); ids[len(ids)-1] != "ask.phone_account" || d.session().Draft.Facts.CanCall != "yes" {
			t.Errorf("%q: %v, can call %q", typed, ids, d.session().Draft.Facts.CanCall)
		}
	}

	c := to("ru", "ask.can_call")
	c.expect(c.send("звонил один раз, в понедельник"), "input.read_as", "date.understood", "ask.phone_account")
	if x := c.session().Draft.Facts; x.CanCall != "yes" || x.LastCall == "" {
		t.Errorf("can call = %q, last call %q after 'звонил один раз, в понедельник', want yes and the Monday", x.CanCall, x.LastCall)
	}

	for _, lang := range []string{"ru", "en"} {
		c := to(lang, "ask.urgent")
		medical, children := "у него диабет, нужен инсулин", "с детьми теперь некому сидеть"
		if lang == "en" {
			medical, children = "he has diabetes", "our kids are alone now"
		}
		r := c.send(medical)
		c.expect(r, "input.read_as", "ask.urgent")
		if got := c.rendered(r); !strings.Contains(got, c.cat.Render(lang, flows.T("urgent.medical"))) {
			t.Errorf("%s: said back:\n%s", lang, got)
		}
		// The same again does not take the sign back, as a second press would.
		c.expect(c.send(medical), "input.read_as", "ask.urgent")
		c.expect(c.send(children), "input.read_as", "ask.urgent")
		if got := c.session().Draft.Urgent; !slices.Equal(got, []string{"medical", "children"}) {
			t.Errorf("%s: urgent signs %v, want medical and children", lang, got)
		}
		// The question shows them marked; "done" moves on.
		for _, row := range c.last.Buttons {
			for _, b := range row {
				if b.Text.ID == "btn.urgent" {
					sign := b.Text.Data["Sign"].(flows.Text).ID
					if on := b.Text.Data["On"].(bool); on != (sign == "urgent.medical" || sign == "urgent.children") {
						t.Errorf("%s: %s shown on=%v", lang, sign, on)
					}
				}
			}
		}
		c.expect(c.press("btn.urgent_done"), "ask.reporter_name")

		// Several in one message are all marked, and said back: only the
		// one a caption named was.
		c = to(lang, "ask.urgent")
		both := "лекарства и дети"
		if lang == "en" {
			both = "he needs his medicine and the kids are alone"
		}
		r = c.send(both)
		c.expect(r, "input.read_as", "ask.urgent")
		if got := c.session().Draft.Urgent; !slices.Equal(got, []string{"medical", "children"}) {
			t.Errorf("%s %q: urgent signs %v, want medical and children", lang, both, got)
		}
		// In the order of the buttons.
		if got, want := data(r, "input.read_as", "Answer"), c.cat.Render(lang, flows.T("urgent.medical"))+", "+
			c.cat.Render(lang, flows.T("urgent.children")); got != want {
			t.Errorf("%s %q: said back as %q, want %q", lang, both, got, want)
		}
	}
}

// reportTo starts a report in a new chat and answers its questions with
// "don't know" (or the first button) until the one asked is ask.
func reportTo(a *testApp, lang, ask string) *chat {
	a.t.Helper()
	c := &chat{testApp: a, id: a.nextChat(), langCode: lang, sent: map[int]flows.Reply{}}
	startReport(c)
	answerTo(c, ask)
	return c
}

// answerTo answers as reportTo does until the question ask.
func answerTo(c *chat, ask string) {
	a := c.testApp
	a.t.Helper()
	for range 40 {
		ids := textIDs(c.last)
		if ids[len(ids)-1] == ask {
			return
		}
		if typed, ok := map[string]string{"ask.name": "Ivan Petrov", "ask.reporter_name": "Maria",
			"ask.relationship": "wife"}[ids[len(ids)-1]]; ok {
			c.send(typed)
			continue
		}
		name := c.last.Buttons[0][0].Text.ID
		for _, want := range []string{"btn.dont_know", "btn.skip", "btn.hearing_unknown", "btn.lawyer_no",
			"btn.urgent_done", "btn.contact_here"} {
			if slices.Contains(buttonNames(c.last), want) {
				name = want
			}
		}
		c.press(name)
	}
	a.t.Fatalf("never reached %s", ask)
}

// A question about the question ("зачем вам это?", "what is that?", "is
// it safe?") is answered with what the question is for, or who sees the
// answers, and asked again. "Зачем вам это?" became the detained person's
// name, and was asked for in Latin letters.
func TestQuestionAboutTheQuestion(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	for _, tt := range []struct{ lang, at, typed, want string }{
		{"ru", "ask.name", "Зачем вам это?", "help.name"},
		{"en", "ask.name", "why do you need this", "help.name"},
		{"ru", "ask.name", "это безопасно?", "report.who_sees"},
		{"en", "ask.name", "Will ICE see this?", "report.who_sees"},
		{"ru", "ask.a_number", "где его взять?", "help.a_number"},
		{"en", "ask.a_number", "what is that?", "help.a_number"},
		{"en", "ask.privacy", "what is that", "help.privacy"},
		{"ru", "ask.privacy", "не знаю, что это", "help.privacy"}, // not "not known"
		{"en", "ask.privacy", "i dont know what that is", "help.privacy"},
		{"ru", "ask.reporter_name", "а зачем моё имя?", "help.reporter_name"},
	} {
		c := reportTo(a, tt.lang, tt.at)
		c.expect(c.send(tt.typed), tt.want, tt.at)
		if d := c.session().Draft; d.NameLatin != "" && tt.at == "ask.name" || d.Facts.Said != "" {
			t.Errorf("%q at %s: stored as an answer (%q) or kept (%q)", tt.typed, tt.at, d.NameLatin, d.Facts.Said)
		}
	}
	// A question of their own ("а сколько это займёт?") is not the answer
	// (it became the person's name, the reporter's, who they are): it is
	// kept for the volunteer, and the question asked again. An unsure
	// answer with its question mark is still the answer.
	for _, tt := range []struct{ lang, at, typed string }{
		{"ru", "ask.name", "а сколько это займёт?"}, {"en", "ask.name", "how long will this take?"},
		{"ru", "ask.reporter_name", "вы поможете?"}, {"en", "ask.relationship", "will you call me?"},
	} {
		c := reportTo(a, tt.lang, tt.at)
		c.expect(c.send(tt.typed), "report.question_kept", tt.at)
		d := c.session().Draft
		stored := map[string]string{"ask.name": d.NameLatin + d.NameCyrillic, "ask.reporter_name": d.ReporterName,
			"ask.relationship": d.Relationship}[tt.at]
		if stored != "" || d.Facts.Said != tt.typed {
			t.Errorf("%q at %s: stored as the answer (%q), or not kept (%q)", tt.typed, tt.at, stored, d.Facts.Said)
		}
	}
	c := reportTo(a, "en", "ask.birth_country")
	c.expect(c.send("Mexico?"), "ask.citizenship")
	// "Не знаю почему" is "don't know"; a question in the details is the details.
	c = reportTo(a, "ru", "ask.detained_on")
	c.expect(c.send("не знаю, почему-то не сказали"), "input.kept", "ask.circumstance")
	c = reportTo(a, "en", "ask.details")
	c.expect(c.send("why did they take him? he has no record"), "ask.facility")
	if got := c.session().Draft.CircumstanceNote; got != "why did they take him? he has no record" {
		t.Errorf("details = %q", got)
	}
}

// A yes, a no or a "don't know" said in more words ("да, конечно", "yes
// please", "пока нет", "не переводили", "кажется да", "не против",
// "maybe") answers a question put as yes or no. They got "use the
// buttons" — at the consent, the one step everyone passes.
func TestYesAndNoInMoreWords(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	fresh := func(lang string) *chat {
		c := &chat{testApp: a, id: a.nextChat(), langCode: lang, sent: map[int]flows.Reply{}}
		c.command("start", "")
		c.expect(c.press("btn.menu_report"), "ask.consent")
		return c
	}
	for _, tt := range []struct{ lang, typed string }{
		{"ru", "да, конечно"}, {"ru", "ок, согласна"}, {"ru", "хорошо, давайте"}, {"ru", "давайте"},
		{"en", "yes please"}, {"en", "sure, go ahead"}, {"en", "ok let's do it"}, {"en", "I agree, yes"},
	} {
		c := fresh(tt.lang)
		c.expect(c.send(tt.typed), "ask.triage")
	}
	c := fresh("ru")
	if got := textIDs(c.send("нет, спасибо")); slices.Contains(got, "ask.triage") || c.session().Draft.Consent {
		t.Errorf("'нет, спасибо' to the consent: %v", got)
	}

	for _, tt := range []struct{ lang, typed, triage string }{
		{"ru", "не срочно", "normal"}, {"ru", "пока нет", "normal"}, {"en", "not urgent", "normal"},
		{"en", "no, not yet", "normal"}, {"ru", "кажется да", "urgent"}, {"en", "I think so", "urgent"},
		{"ru", "возможно", "normal"}, // as "don't know"
	} {
		c := fresh(tt.lang)
		c.press("btn.consent_yes")
		c.send(tt.typed)
		if got := c.session().Draft.Facts.Triage; got != tt.triage {
			t.Errorf("%q at the triage: %q, want %q", tt.typed, got, tt.triage)
		}
	}

	for _, tt := range []struct{ lang, at, typed, want string }{
		{"ru", "ask.transfer", "не переводили", "no"},
		{"ru", "ask.transfer", "вроде нет", "no"},
		{"ru", "ask.transfer", "да нет", "no"},
		{"ru", "ask.transfer", "может быть", "unknown"},
		{"en", "ask.transfer", "not that I know of", "no"}, // no, as far as they know
		{"en", "ask.transfer", "they moved him to Louisiana", "yes"},
		{"ru", "ask.transfer", "перевели в Техас на прошлой неделе", "yes"},
		{"ru", "ask.transfer", "насколько я знаю, нет", "no"},
		{"ru", "ask.publicity", "не против", "yes"},
		{"en", "ask.publicity", "I don't mind", "yes"},
		// Refused firmly, and why: "absolutely not" was asked again.
		{"en", "ask.publicity", "absolutely not, we have family in Russia", "no"},
		{"ru", "ask.publicity", "ни в коем случае, у нас родные в России", "no"},
		{"ru", "ask.publicity", "конечно нет", "no"},
		{"ru", "ask.publicity", "лучше не надо, у нас родные дома", "no"}, // the no, and why
		{"en", "ask.publicity", "no we have family back home", "no"},      // without the comma
		{"en", "ask.publicity", "of course", "yes"},
		{"en", "ask.publicity", "yes, if it helps him", ""}, // a yes to publicity is pressed
		{"en", "ask.can_call", "not yet", "no"},
		{"en", "ask.can_call", "sometimes", "yes"},
	} {
		c := reportTo(a, tt.lang, tt.at)
		c.send(tt.typed)
		x := c.session().Draft.Facts
		got := map[string]string{"ask.transfer": x.Transferred, "ask.publicity": x.Publicity, "ask.can_call": x.CanCall}[tt.at]
		if got != tt.want {
			t.Errorf("%q at %s: %q, want %q", tt.typed, tt.at, got, tt.want)
		}
	}
}

// A ZIP code typed where the state is asked ("a ZIP code is even better")
// is the answer; it was refused with "please write it in words".
func TestStateAsAZIPCode(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	c := reportTo(a, "en", "ask.state")
	c.expect(c.send("123"), "parse.state", "ask.state")
	c.expect(c.send("33101"), "ask.privacy")
	if got := c.session().Draft.Facts.State; got != "33101" {
		t.Errorf("state = %q, want the ZIP code", got)
	}
}

// A hearing's date typed with its time ("15 января в 9 утра", "Jan 15 at
// 9am") is the date, and "суда ещё не было", "no hearing yet" are no date
// yet, as the button says; both were "couldn't read that date".
func TestHearingWithItsTimeOrNoneYet(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	for _, tt := range []struct{ lang, at, typed, want string }{
		{"ru", "ask.hearing", "15 января в 9 утра", "2027-01-15"},
		{"en", "ask.hearing", "Jan 15 at 9:30 am", "2027-01-15"},
		{"ru", "ask.hearing", "20.03 в 13:00", "2026-03-20"},
		{"ru", "ask.hearing", "суда ещё не было", ""},
		{"ru", "ask.hearing", "пока не назначили", ""},
		{"en", "ask.hearing", "no hearing yet", ""},
		{"en", "ask.hearing", "not scheduled yet", ""},
		{"ru", "ask.detained_on", "2 недели назад утром", "2026-02-24"},
		{"en", "ask.detained_on", "March 2 at 6am", "2026-03-02"},
	} {
		c := reportTo(a, tt.lang, tt.at)
		ids := textIDs(c.send(tt.typed))
		d := c.session().Draft
		got := map[string]string{"ask.hearing": d.HearingDate, "ask.detained_on": d.DetainedOn}[tt.at]
		if got != tt.want || ids[len(ids)-1] == tt.at {
			t.Errorf("%q at %s: %v, date %q; want %q and the next question", tt.typed, tt.at, ids, got, tt.want)
		}
	}
	// A hearing told in the past is read in the past ("суд был 3 марта"
	// was 3 March next year): asked whether it was the last one.
	for _, typed := range []string{"суд был 3 марта", "it was on March 3"} {
		c := reportTo(a, "ru", "ask.hearing")
		c.expect(c.send(typed), "date.hearing_past", "ask.hearing")
		c.expect(c.press("btn.hearing_last"), "ask.stage")
		if got := c.session().Draft.HearingDate; got != "2026-03-03" {
			t.Errorf("%q: the last hearing = %q, want 2026-03-03", typed, got)
		}
	}
}

// Who spoke of a flight, in people's words: "говорят…" is a rumor, "ICE
// сказал" an officer, "сам сказал по телефону" the detained person — not
// "самолёт". They were kept with "use the buttons".
func TestFlightSourceInWords(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	for _, tt := range []struct{ lang, typed, want string }{
		{"ru", "говорят, на следующей неделе", "rumor"},
		{"ru", "ICE сказал, что рейс в пятницу", "officer"},
		{"ru", "сам сказал по телефону", "detainee"},
		{"en", "we heard it from other families", "rumor"},
		{"en", "his deportation officer told him", "officer"},
		{"ru", "самолёт в пятницу", ""}, // no one named
	} {
		c := reportTo(a, tt.lang, "ask.flight")
		ids := textIDs(c.send(tt.typed))
		if got := c.session().Draft.Facts.FlightSource; got != tt.want {
			t.Errorf("%q: %v, source %q; want %q", tt.typed, ids, got, tt.want)
		}
	}
}

// How the person entered and the stage of the case, in people's words:
// "через CBP One" is parole, "перешёл границу" without inspection,
// "подали апелляцию" the BIA (its verb is also a motion's), "есть приказ
// о депортации" a final order. They were kept with "use the buttons".
func TestEntryAndStageInWords(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	for _, tt := range []struct{ lang, at, typed, want string }{
		{"ru", "ask.entry", "через CBP One", "parole"},
		{"ru", "ask.entry", "по U4U", "parole"},
		{"ru", "ask.entry", "по парулю", "parole"}, // as it is heard, and written
		{"ru", "ask.entry", "перешёл границу", "ewi"},
		{"en", "ask.entry", "crossed the border", "ewi"},
		{"en", "ask.entry", "asylum", ""},
		{"ru", "ask.stage", "подали апелляцию", "bia"},
		{"ru", "ask.stage", "есть приказ о депортации", "final_order"},
		{"en", "ask.stage", "waiting for court", "judge"},
		{"en", "ask.stage", "stay of removal order", ""}, // two
	} {
		c := reportTo(a, tt.lang, tt.at)
		ids := textIDs(c.send(tt.typed))
		x := c.session().Draft.Facts
		got := map[string]string{"ask.entry": x.Entry, "ask.stage": x.Stage}[tt.at]
		if got != tt.want {
			t.Errorf("%q at %s: %v, %q; want %q", tt.typed, tt.at, ids, got, tt.want)
		}
	}
}

// At the review, that the answers are right ("да, всё верно", "all good",
// "correct") sends the report, as the button "All correct — send" does, and
// "send please" does; "готово", "done" are told how to send, as "да" is.
// They were kept "for the volunteer" with "use the buttons".
func TestReviewConfirmedInWords(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, typed, want string }{
		{"ru", "да, всё верно", "report.done"}, {"ru", "всё правильно", "report.done"}, {"ru", "верно", "report.done"},
		{"en", "yes, everything is correct", "report.done"}, {"en", "all good", "report.done"},
		{"en", "send please", "report.done"}, {"en", "ok send", "report.done"},
		{"ru", "готово", "review.say_send"}, {"en", "done", "review.say_send"}, {"ru", "да, конечно", "review.say_send"},
		// A word of sending with words of agreeing: it was kept, with "use
		// the buttons"; what puts it off is not a send.
		{"ru", "да, отправляйте", "report.done"}, {"ru", "всё правильно, отправляй", "report.done"},
		{"ru", "подтверждаю", "report.done"}, {"en", "confirm", "report.done"}, {"ru", "всё ок", "review.say_send"},
		{"ru", "не отправляйте", "input.kept_use_buttons"}, {"ru", "отправлю завтра", "input.kept_use_buttons"},
	} {
		c := newChat(t, tt.lang)
		fillToReview(c)
		ids := textIDs(c.send(tt.typed))
		if ids[0] != tt.want {
			t.Errorf("%q at the review: %v, want %s", tt.typed, ids, tt.want)
		}
		if filed := c.caseCount() == 1; filed != (tt.want == "report.done") {
			t.Errorf("%q at the review: %d cases stored", tt.typed, c.caseCount())
		}
		if said := c.session().Draft.Facts.Said; said != "" && tt.want == "review.say_send" {
			t.Errorf("%q kept for the volunteer as words: %q", tt.typed, said)
		}
	}
}

// What a relative knows of a date, and of themselves, as they say it: a
// month without its day ("в январе") is asked for the day, the words kept
// for the volunteer (it was "couldn't read that date"); an age where the
// birth date is asked is the year of birth (it was refused); "нет у него"
// under the A-number is none (it was refused); a reporter who would rather
// not give a name is told any name will do ("не хочу говорить" was stored
// as their name).
func TestRoughDatesAgesAndNoName(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	for _, tt := range []struct{ lang, at, typed, button, next string }{
		{"ru", "ask.hearing", "в январе", "btn.hearing_unknown", "ask.stage"},
		{"en", "ask.hearing", "sometime in January", "btn.hearing_unknown", "ask.stage"},
		{"ru", "ask.detained_on", "в ноябре", "btn.dont_know", "ask.circumstance"},
		{"en", "ask.detained_on", "early November", "btn.dont_know", "ask.circumstance"},
	} {
		c := reportTo(a, tt.lang, tt.at)
		r := c.send(tt.typed)
		c.expect(r, "parse.date_month", "input.kept", tt.at)
		if got := textIDs(r); !slices.Contains(got, "parse.date_month") || !slices.Contains(got, "input.kept") {
			t.Errorf("%q at %s: %v, want the day asked for and the words kept", tt.typed, tt.at, got)
		}
		if got := c.session().Draft.Facts.Said; got != tt.typed {
			t.Errorf("%q: kept %q", tt.typed, got)
		}
		c.expect(c.press(tt.button), tt.next)
	}
	year := a.clock().AddDate(-35, -6, 0).Year()
	for _, tt := range []struct {
		lang, typed, birth string
		kept               bool
	}{
		{"ru", "ему 35 лет", strconv.Itoa(year), true},
		{"en", "he is 35", strconv.Itoa(year), true},
		{"ru", "март 1985", "1985", true},
		{"en", "1985", "1985", false},
	} {
		c := reportTo(a, tt.lang, "ask.birth_date")
		if ids := textIDs(c.send(tt.typed)); ids[len(ids)-1] != "ask.birth_country" {
			t.Errorf("%q: %v, want the country of birth asked next", tt.typed, ids)
		}
		d := c.session().Draft
		if d.BirthDate != tt.birth {
			t.Errorf("%q: birth date %q, want %q", tt.typed, d.BirthDate, tt.birth)
		}
		if kept := d.Facts.Said == tt.typed; kept != tt.kept {
			t.Errorf("%q: kept for the volunteer %q", tt.typed, d.Facts.Said)
		}
	}
	for _, typed := range []string{"нет у него", "he doesn't have one"} {
		c := reportTo(a, "ru", "ask.a_number")
		c.expect(c.send(typed), "ask.detained_on")
		if n := c.session().Draft.ANumber; n != "" {
			t.Errorf("%q: A-number %q", typed, n)
		}
	}
	for _, typed := range []string{"не хочу говорить", "anonymous", "I'd rather not say", "I’d rather not say"} {
		c := reportTo(a, "en", "ask.reporter_name")
		r := c.send(typed)
		c.expect(r, "parse.name_refused", "ask.reporter_name")
		if got := textIDs(r); !slices.Contains(got, "parse.name_refused") {
			t.Errorf("%q: %v, want any name to do", typed, got)
		}
		if n := c.session().Draft.ReporterName; n != "" {
			t.Errorf("%q: stored as the name %q", typed, n)
		}
		c.expect(c.send("Маша"), "ask.relationship")
	}
}

// More answers in a relative's own words, each told "use the buttons"
// before: a place none of the buttons names ("на улице", "в суде") and
// "не знаю" (not known, which read "Other") for how the detention happened; "none" is "Nothing
// urgent"; "есть, но не отвечает" is a lawyer, "у него нет адвоката" and
// "he has no lawyer" none.
func TestMoreAnswersInWords(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	for _, tt := range []struct{ lang, at, typed, next string }{
		{"ru", "ask.circumstance", "на улице", "ask.details_other"},
		{"en", "ask.circumstance", "at court", "ask.details_other"},
		{"ru", "ask.circumstance", "не знаю", "ask.details"},
		{"en", "ask.circumstance", "idk", "ask.details"},
		{"en", "ask.urgent", "none", "ask.reporter_name"},
		{"ru", "ask.lawyer", "есть, но он не отвечает", "ask.lawyer_name"},
		{"ru", "ask.lawyer", "у него нет адвоката", "ask.hearing"},
		{"en", "ask.lawyer", "he has no lawyer", "ask.hearing"},
		{"ru", "ask.phone_account", "есть", "ask.urgent"},
		{"ru", "ask.phone_account", "положили 50 долларов", "ask.urgent"},
		{"ru", "ask.publicity", "лучше не надо", "ask.dates_share"},
		{"en", "ask.publicity", "no thanks", "ask.dates_share"},
		{"en", "ask.entry", "he has a green card", "ask.language"},
	} {
		c := reportTo(a, tt.lang, tt.at)
		ids := textIDs(c.send(tt.typed))
		if ids[len(ids)-1] != tt.next {
			t.Errorf("%q at %s: %v, want %s next", tt.typed, tt.at, ids, tt.next)
			continue
		}
		d := c.session().Draft
		switch tt.at {
		case "ask.circumstance":
			if want := map[bool]string{true: "", false: "other"}[tt.next == "ask.details"]; d.Circumstance != want {
				t.Errorf("%q: circumstance %q, want %q", tt.typed, d.Circumstance, want)
			}
		case "ask.urgent":
			if len(d.Urgent) != 0 {
				t.Errorf("%q: urgent %v", tt.typed, d.Urgent)
			}
		case "ask.lawyer":
			if d.HasLawyer != (tt.next == "ask.lawyer_name") {
				t.Errorf("%q: has a lawyer = %v", tt.typed, d.HasLawyer)
			}
		case "ask.phone_account":
			if d.Facts.PhoneAccount != "yes" {
				t.Errorf("%q: phone account %q", tt.typed, d.Facts.PhoneAccount)
			}
		case "ask.entry":
			if d.Facts.Entry != "other" {
				t.Errorf("%q: entry %q", tt.typed, d.Facts.Entry)
			}
		case "ask.publicity":
			if d.Facts.Publicity != "no" {
				t.Errorf("%q: publicity %q", tt.typed, d.Facts.Publicity)
			}
		}
	}
}

// On the review, an answer to change named in words ("исправить дату
// рождения", "там ошибка в фамилии", "wrong date of birth") is asked again,
// as its ✏️ button does; "нужно исправить" is asked which. These were kept
// "for the volunteer", with "use the buttons".
func TestReviewChangeInWords(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	for _, tt := range []struct{ lang, typed, ask string }{
		{"ru", "изменить дату рождения", "ask.birth_date"},
		{"ru", "там ошибка в фамилии", "ask.name"},
		{"ru", "исправить имя", "ask.name"},
		{"ru", "моё имя неправильно", "ask.reporter_name"},
		{"ru", "поменять телефон", "ask.contact"},
		{"ru", "имя адвоката", "ask.lawyer_name"},
		{"en", "wrong date of birth", "ask.birth_date"},
		{"en", "change the name", "ask.name"},
		{"en", "edit the court date", "ask.hearing"},
	} {
		c := reportTo(a, tt.lang, "ask.review")
		if tt.ask == "ask.lawyer_name" {
			// A lawyer first, for the lawyer's name to be on the review.
			c.handle(flows.Input{Kind: flows.KindButton, Data: c.changeButton(c.lastID, "lawyer").Data, MessageID: c.lastID})
			c.press("btn.lawyer_yes")
			c.send("Jane Doe")
			c.expect(c.send("jane@law.example"), "ask.review")
		}
		c.expect(c.send(tt.typed), tt.ask, "answer.current")
		if said := c.session().Draft.Facts.Said; said != "" {
			t.Errorf("%q kept for the volunteer: %q", tt.typed, said)
		}
		c.expect(c.command("back", ""), "ask.review")
	}
	for _, typed := range []string{"нужно исправить", "I made a mistake"} {
		c := reportTo(a, "en", "ask.review")
		c.expect(c.send(typed), "review.which", "ask.review")
	}
	// What names no answer is still kept, and "всё верно" still sends.
	c := reportTo(a, "ru", "ask.review")
	c.expect(c.send("он очень переживает"), "input.kept_use_buttons", "ask.review")
	if ids := textIDs(c.send("всё верно")); !slices.Contains(ids, "report.done") {
		t.Errorf("«всё верно» on the review: %v", ids)
	}
}

// The detained person's name as relatives type it when they do not have
// it to hand: who the person is ("муж", "my husband") and "я" are asked
// for the name (they became the names "Муж" and "Я"); "зовут Иван" and "не
// знаю фамилию, зовут Иван" are the name Иван, the words kept (the whole
// sentence became the name).
func TestNameAsRelativesTypeIt(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	for _, tt := range []struct{ lang, typed, refusal string }{
		{"ru", "муж", "parse.name_relation"}, {"ru", "мой муж", "parse.name_relation"},
		{"en", "my husband", "parse.name_relation"}, {"ru", "я", "parse.name_self"}, {"en", "myself", "parse.name_self"},
	} {
		c := reportTo(a, tt.lang, "ask.name")
		c.expect(c.send(tt.typed), tt.refusal, "ask.name")
		if d := c.session().Draft; d.NameCyrillic != "" || d.NameLatin != "" {
			t.Errorf("%q: stored as the name %q %q", tt.typed, d.NameCyrillic, d.NameLatin)
		}
	}
	for _, tt := range []struct{ typed, name string }{
		{"не знаю фамилию, зовут Иван", "Иван"}, {"его зовут Рустам Алиев", "Рустам Алиев"},
		{"his name is Jose Garcia", "Jose Garcia"},
		{"не знаю как пишется по английски, Сергей Ким", "Сергей Ким"}, // it was all the name
	} {
		c := reportTo(a, "ru", "ask.name")
		c.send(tt.typed)
		d := c.session().Draft
		if d.NameCyrillic+d.NameLatin != tt.name {
			t.Errorf("%q: the name %q %q, want %q", tt.typed, d.NameCyrillic, d.NameLatin, tt.name)
		}
		if d.Facts.Said != tt.typed {
			t.Errorf("%q: kept %q", tt.typed, d.Facts.Said)
		}
	}
}

// TestOfficeSpelledIsTaken: a field office typed by its name or city, in
// Latin or Cyrillic, is that office, said back; the list to press it on
// was one question more. A short name, a sub-office or words the
// directory reads two ways are still chosen from a list.
func TestOfficeSpelledIsTaken(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, typed, office string }{
		{"ru", "Чикаго", "chicago"},
		{"ru", "Хьюстон", "houston"},
		{"ru", "Майами", "miami"},
		{"ru", "Сан-Франциско", "san-francisco"},
		{"en", "houston", "houston"},
		{"en", "Atlanta", "atlanta"},
		{"en", "LA", ""},
		{"ru", "Бруклин", ""},
		{"en", "Sacramento sub-office", ""},
	} {
		c := newChat(t, tt.lang)
		startReport(c)
		answerTo(c, "ask.circumstance")
		c.press("circ.checkin")
		r := c.send(tt.typed)
		f := c.session().Draft.Facts
		if f.Office != tt.office {
			t.Errorf("%q: office %q, want %q (%v)", tt.typed, f.Office, tt.office, textIDs(r))
			continue
		}
		if tt.office != "" && (textIDs(r)[0] != "input.read_as" || c.session().Step != "details") {
			t.Errorf("%q: %v at %s, want it said back and the next question", tt.typed, textIDs(r), c.session().Step)
		}
		if tt.office == "" && c.session().Step == "details" && f.OfficeText == "" {
			t.Errorf("%q: nothing kept and no list to choose from", tt.typed)
		}
	}
}

// TestFacilitySpelledIsTaken: a facility typed by a word of its own name,
// which the directory finds alone, is that facility, said back; a word
// that finds several, a city, or a misspelling is chosen from the list.
func TestFacilitySpelledIsTaken(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		typed, facility string // "" for a list to choose from
	}{
		{"Элой", "Eloy"},
		{"Delaney Hall", "Delaney Hall"},
		{"Stewart", "Stewart"},
		{"Krome", ""}, // and a jail in Rome
		{"Крум", ""},
		{"Майами", ""},
		{"county jail", ""},
	} {
		c := newChat(t, "ru")
		startReport(c)
		answerTo(c, "ask.facility")
		r := c.send(tt.typed)
		id := c.session().Draft.FacilityID
		if tt.facility == "" {
			if id != 0 || c.session().Step != "facility_pick" {
				t.Errorf("%q: facility %d at %s (%v), want a list to choose from", tt.typed, id, c.session().Step, textIDs(r))
			}
			continue
		}
		f, err := c.deps.Facilities.Get(context.Background(), id)
		if err != nil || !strings.Contains(f.Name, tt.facility) || textIDs(r)[0] != "input.read_as" {
			t.Errorf("%q: facility %+v (%v), %v; want %s said back", tt.typed, f, err, textIDs(r), tt.facility)
		}
	}
}
