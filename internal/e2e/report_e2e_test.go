package e2e

import (
	"context"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"hotline/flows"
	"hotline/storage"
	"hotline/storage/storagetest"
)

var (
	codeRe = regexp.MustCompile(`\b[0-9A-Z]{4}-[0-9A-Z]{4}\b`)
	linkRe = regexp.MustCompile(`https://t\.me/(\w+)\?start=c_([0-9A-Z]{8})`)
)

// reportAnswers is one relative's whole report, typed in one language.
type reportAnswers struct {
	lang, langCode                       string
	name, latin, cyrillic                string
	birth, country, aNumber, detained    string
	details, facility, facilityPick      string
	office, officePick, officeCode       string // the ICE office of the check-in
	lawyer, lawyerPhone, hearing         string
	appeals, reporter, relation, contact string
	// contactCard, when set, is the name on a contact card the reporter
	// shares (📎 → Contact) with the number contact, instead of typing it.
	contactCard string
	want        flows.Report
}

var reports = []reportAnswers{{
	lang: "ru", langCode: "ru",
	name: "Иван Петров", latin: "Ivan Petrov", cyrillic: "Иван Петров",
	birth: "5 мая 1985", country: "Россия", aNumber: "A 123-456-789", detained: "12.02.26",
	details:  "<b>Пришли</b> утром & увезли'); DROP TABLE cases;--",
	facility: "Элой", facilityPick: "", // the one facility spelt so
	office: "Нью-Йорк", officePick: "New York City", officeCode: "new-york-city",
	lawyer: "John Smith, Esq.", lawyerPhone: "+1 (520) 555-0100", hearing: "15 апреля 2027",
	appeals: "Апелляция в BIA подана 1 марта", reporter: "Мария", relation: "жена", contact: "79161234567", contactCard: "Мария",
	want: flows.Report{
		NameLatin: "Ivan Petrov", NameCyrillic: "Иван Петров", BirthDate: "1985-05-05",
		BirthCountry: "Россия", Citizenship: "Россия", ANumber: "123456789", DetainedOn: "2026-02-12",
		Circumstance: "checkin", CircumstanceNote: "<b>Пришли</b> утром & увезли'); DROP TABLE cases;--",
		FacilityShare: true, HasLawyer: true, LawyerName: "John Smith, Esq.", LawyerPhone: "+1 (520) 555-0100",
		HearingDate: "2027-04-15", Appeals: "Апелляция в BIA подана 1 марта", Urgent: []string{"medical"},
		ReporterName: "Мария", Relationship: "жена", ReporterPhone: "Мария 79161234567", Lang: "ru",
	},
}, {
	lang: "en", langCode: "en",
	name: "Maria Gonzalez", latin: "Maria Gonzalez",
	birth: "March 3, 1990", country: "Venezuela", aNumber: "a12345678", detained: "2026-11-02",
	details:  "Taken at the <i>Tucson</i> office",
	facility: "south lousiana", facilityPick: "South Louisiana",
	office: "phoenix", officePick: "", officeCode: "phoenix", // the one office spelt so
	lawyer: "Ann Lee", lawyerPhone: "ann@example.org", hearing: "2027-01-20",
	appeals: "Motion to reopen filed in May", reporter: "Jose", relation: "brother", contact: "@jose_g",
	want: flows.Report{
		NameLatin: "Maria Gonzalez", BirthDate: "1990-03-03",
		BirthCountry: "Venezuela", Citizenship: "Venezuela", ANumber: "012345678", DetainedOn: "2026-11-02",
		Circumstance: "checkin", CircumstanceNote: "Taken at the <i>Tucson</i> office",
		FacilityShare: true, HasLawyer: true, LawyerName: "Ann Lee", LawyerPhone: "ann@example.org",
		HearingDate: "2027-01-20", Appeals: "Motion to reopen filed in May", Urgent: []string{"medical"},
		ReporterName: "Jose", Relationship: "brother", ReporterPhone: "@jose_g", Lang: "en",
	},
}}

// TestReportEndToEnd files a whole report through Telegram in each language:
// the case is stored with every answer, the A-number normalised, and the
// reporter gets the code and the share link. The Russian run also restarts
// the bot mid-flow and sends three answers in one getUpdates batch.
func TestReportEndToEnd(t *testing.T) {
	parallel(t)
	for i, r := range reports {
		t.Run(r.lang, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			u := h.tg.User(int64(5000001+i), r.langCode)
			ask := func(id string) string { return firstLine(h.text(r.lang, id, holes...)) }
			btn := func(id string) string { return h.label(r.lang, id) }

			u.Send("/start")
			m := expectText(t, u, firstLine(h.text(r.lang, "menu.greeting")))
			press(t, u, m, btn("btn.menu_report"))
			m = expectText(t, u, ask("ask.consent"))
			press(t, u, m, btn("btn.consent_yes"))
			h.dontKnow(t, u, r.lang, "triage")
			expectText(t, u, ask("ask.name"))
			u.Send(r.name)
			m = u.Next(t)
			if r.cyrillic != "" {
				press(t, u, m, r.latin) // the transliteration offered as a button
			} else {
				press(t, u, m, btn("btn.skip")) // no Cyrillic spelling
			}
			h.dontKnow(t, u, r.lang, "name_other")
			expectText(t, u, ask("ask.birth_date"))

			if r.lang == "ru" {
				// A new bot process on the same Redis and Postgres: the
				// user goes on at the question they were on.
				h.restart()
				// Three answers pasted at once arrive in one batch and are
				// taken in order.
				h.tg.Batch(func() {
					u.Send(r.birth)
					u.Send(r.country)
					u.Send("/start")
				})
				expectText(t, u, ask("ask.birth_country"))
				expectText(t, u, ask("ask.citizenship"))
				m = u.Next(t) // /start inside a report asks whether to continue
				press(t, u, m, btn("btn.resume_continue"))
				m = expectText(t, u, ask("ask.citizenship"))
			} else {
				u.Send(r.birth)
				expectText(t, u, ask("ask.birth_country"))
				u.Send(r.country)
				m = expectText(t, u, ask("ask.citizenship"))
			}
			press(t, u, m, r.country) // "same as country of birth"
			expectText(t, u, ask("ask.a_number"))
			u.Send(r.aNumber)
			expectText(t, u, ask("ask.detained_on"))
			u.Send(r.detained)
			m = expectText(t, u, ask("ask.circumstance"))
			press(t, u, m, btn("circ.checkin"))
			expectText(t, u, ask("ask.office"))
			u.Send(r.office)
			if r.officePick != "" {
				m = u.Next(t) // the field offices that match
				press(t, u, m, r.officePick)
			}
			expectText(t, u, ask("ask.details"))
			u.Send(r.details)
			expectText(t, u, ask("ask.facility"))
			u.Send(r.facility)
			if r.facilityPick != "" {
				m = u.Next(t)
				press(t, u, m, r.facilityPick)
			}
			h.dontKnow(t, u, r.lang, "transfer")
			m = expectText(t, u, ask("ask.lawyer"))
			press(t, u, m, btn("btn.lawyer_yes"))
			expectText(t, u, ask("ask.lawyer_name"))
			u.Send(r.lawyer)
			expectText(t, u, ask("ask.lawyer_phone"))
			u.Send(r.lawyerPhone)
			expectText(t, u, ask("ask.hearing"))
			u.Send(r.hearing)
			h.dontKnow(t, u, r.lang, "stage")
			expectText(t, u, ask("ask.appeals"))
			u.Send(r.appeals)
			h.dontKnow(t, u, r.lang, factsAfterAppeals...)
			m = expectText(t, u, ask("ask.urgent"))
			press(t, u, m, h.label(r.lang, "urgent.medical"))
			m = u.Next(t) // the same message, redrawn with the sign ticked
			if !m.Edited {
				t.Errorf("toggling an urgent sign sent a new message, want the question edited")
			}
			press(t, u, m, btn("btn.urgent_done"))
			expectText(t, u, ask("ask.reporter_name"))
			u.Send(r.reporter)
			expectText(t, u, ask("ask.relationship"))
			u.Send(r.relation)
			expectText(t, u, ask("ask.contact"))
			if r.contactCard != "" {
				u.SendContact(r.contact, r.contactCard)
			} else {
				u.Send(r.contact)
			}
			h.dontKnow(t, u, r.lang, factsAfterContact...)
			press(t, u, expectText(t, u, ask("ask.facility_share")), btn("btn.share_yes"))
			m = u.Next(t)
			// User text is shown back escaped: it arrives as typed, not as markup.
			if !strings.Contains(m.Plain, r.details) {
				t.Errorf("review does not show the details as typed:\n%s", m.Plain)
			}
			press(t, u, m, btn("btn.confirm"))

			done := u.Next(t)
			code := codeRe.FindString(done.Plain)
			link := linkRe.FindStringSubmatch(done.Plain)
			if code == "" || link == nil {
				t.Fatalf("the reporter got no case code or link:\n%s", done.Plain)
			}
			if link[1] != h.tg.BotUsername() || link[2] != strings.ReplaceAll(code, "-", "") {
				t.Errorf("link %q does not match code %q and bot %q", link[0], code, h.tg.BotUsername())
			}

			got, _, err := storage.NewCases(h.db, storagetest.Keys(t)).Get(context.Background(), code)
			if err != nil {
				t.Fatalf("case %s not stored: %v", code, err)
			}
			want := r.want
			want.DraftID, want.Consent = got.DraftID, true
			want.FacilityID = got.FacilityID
			want.ReporterChatID, want.ReporterUserID = u.ID, u.ID
			want.Facts = flows.Facts{Triage: "normal", Transferred: "unknown", Stage: "unknown", FlightSource: "none",
				Entry: "unknown", Office: r.officeCode, CanCall: "unknown", PhoneAccount: "unknown", Privacy: "unknown",
				Publicity: "unknown", DatesShare: true}
			if got.FacilityID == 0 {
				t.Error("no facility stored")
			}
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("stored case\n%+v\nwant\n%+v", *got, want)
			}
			var n int
			if err := h.db.Get(&n, `SELECT count(*) FROM cases`); err != nil || n != 1 {
				t.Errorf("cases stored: %d (%v), want 1", n, err)
			}
		})
	}
}

// TestBadInputEndToEnd sends what real people send by mistake; each gets a
// clear answer, nothing crashes, and the report goes on.
func TestBadInputEndToEnd(t *testing.T) {
	parallel(t)
	h := newHarness(t)
	u := h.tg.User(5000101, "en")
	ask := func(id string) string { return firstLine(h.text("en", id, holes...)) }

	u.Send("/start")
	menu := u.Next(t)
	press(t, u, menu, h.label("en", "btn.menu_report"))
	m := expectText(t, u, ask("ask.consent"))
	press(t, u, m, h.label("en", "btn.consent_yes"))
	h.dontKnow(t, u, "en", "triage")
	name := expectText(t, u, ask("ask.name"))

	for _, send := range []func(){
		func() { u.Send(strings.Repeat("я", 4096)) },
		func() { u.Send("🙏😢🙏") },
		func() { u.Send("<script>alert(1)</script>") },
		func() { u.SendPhoto("") },
		func() { u.SendSticker() },
		func() { u.SendVoice() },
		func() { u.PressData(menu.ID, "zz:nope:1") },         // made-up data
		func() { u.PressData(name.ID-5, "deadbeef:name:x") }, // a button from an earlier flow
	} {
		send()
		m := u.Next(t)
		if !strings.Contains(m.Plain, ask("ask.name")) && !strings.Contains(m.Plain, firstLine(h.text("en", "button.old"))) {
			t.Errorf("bad input answered with %q; want a re-prompt of the name question", m.Plain)
		}
	}
	u.Send("Ali Rahimi")
	m = expectText(t, u, ask("ask.name_cyr"))
	press(t, u, m, h.label("en", "btn.skip"))
	h.dontKnow(t, u, "en", "name_other")
	expectText(t, u, ask("ask.birth_date"))

	// /cancel asks first, then discards.
	u.Send("/cancel")
	m = expectText(t, u, firstLine(h.text("en", "cancel.ask")))
	press(t, u, m, h.label("en", "btn.cancel_yes"))
	expectText(t, u, firstLine(h.text("en", "cancel.done")))
	var n int
	if err := h.db.Get(&n, `SELECT count(*) FROM cases`); err != nil || n != 0 {
		t.Errorf("cases after cancel: %d (%v), want 0", n, err)
	}
}

// TestCommandMenuAndCallbacks checks what Telegram shows around the chat:
// the command menu in both languages, and every button press answered so
// the button stops spinning.
func TestCommandMenuAndCallbacks(t *testing.T) {
	parallel(t)
	h := newHarness(t)
	for _, lang := range []string{"ru", "en"} {
		cmds := h.tg.Commands(lang)
		if len(cmds) == 0 {
			t.Fatalf("no command menu for %q", lang)
		}
		for _, c := range cmds {
			if want := h.label(lang, "command."+c.Command); c.Description != want {
				t.Errorf("%s /%s described as %q, want %q", lang, c.Command, c.Description, want)
			}
		}
	}
	if ru, en := h.tg.Commands("ru"), h.tg.Commands("en"); len(ru) > 0 && len(en) > 0 && ru[0].Description == en[0].Description {
		t.Errorf("Russian menu is in English: %q", ru[0].Description)
	}

	u := h.tg.User(5000201, "ru")
	u.Send("/start")
	m := u.Next(t)
	press(t, u, m, h.label("ru", "btn.menu_info"))
	u.Next(t)
	for i := 0; i < 100 && h.tg.CallbackAnswers() == 0; i++ {
		time.Sleep(20 * time.Millisecond) // the answer may go out just after the reply
	}
	if got := h.tg.CallbackAnswers(); got != 1 {
		t.Errorf("callback queries answered: %d, want 1", got)
	}
}

// TestTypedAnswersEndToEnd: through the real bot, answers typed instead of
// pressed — the menu's caption, "да" to the consent, "не знаю" to the
// triage, "нет" under Да and Нет — move the report on as the buttons do.
func TestTypedAnswersEndToEnd(t *testing.T) {
	parallel(t)
	h := newHarness(t)
	u := h.tg.User(5000201, "ru")
	ask := func(id string) string { return firstLine(h.text("ru", id, holes...)) }
	u.Send("/start")
	u.Next(t)
	u.Send("сообщить о задержании")
	expectText(t, u, ask("ask.consent"))
	u.Send("Да")
	expectText(t, u, ask("ask.triage"))
	u.Send("не знаю")
	expectText(t, u, ask("ask.name"))
	u.Send("Ivan Petrov")
	expectText(t, u, ask("ask.name_cyr"))
	u.Send("пропустить")
	expectText(t, u, ask("ask.name_other"))
	u.Send("не знаю")
	expectText(t, u, ask("ask.birth_date"))
	u.Send("1.1.1980")
	expectText(t, u, ask("ask.birth_country"))
	u.Send("Россия")
	expectText(t, u, ask("ask.citizenship"))
	u.Send("та же")
	expectText(t, u, ask("ask.a_number"))
	u.Send("не знаю")
	expectText(t, u, ask("ask.detained_on"))
	u.Send("вчера вечером")
	expectText(t, u, ask("ask.circumstance"))
	u.Send("пришли домой")
	expectText(t, u, ask("ask.details"))
}

// TestUnsentReportRemindedEndToEnd: through the real bot, a report left
// unsent after its first answers is reminded of once, with its button
// leading back to where it stopped.
func TestUnsentReportRemindedEndToEnd(t *testing.T) {
	parallel(t)
	h := newHarness(t, withConfig(func(c *config) {
		c.DraftRemind = time.Second
		c.HandoffTick = 100 * time.Millisecond
		// No reminder is sent at night in the hotline's zone: a zone
		// where it is midday now, or the test failed from 22:00 to 8:00
		// UTC (the hour CI may run at).
		c.Zone = time.FixedZone("midday", (12-time.Now().UTC().Hour())*3600)
	}))
	u := h.tg.User(5000301, "en")
	u.Send("/start")
	press(t, u, expectText(t, u, firstLine(h.text("en", "menu.greeting"))), h.label("en", "btn.menu_report"))
	press(t, u, expectText(t, u, firstLine(h.text("en", "ask.consent"))), h.label("en", "btn.consent_yes"))
	press(t, u, expectText(t, u, firstLine(h.text("en", "ask.triage"))), h.label("en", "btn.triage_no"))
	expectText(t, u, firstLine(h.text("en", "ask.name")))
	m := expectText(t, u, h.text("en", "report.unsent"))
	press(t, u, m, h.label("en", "btn.unsent_continue"))
	expectText(t, u, h.text("en", "resume.unfinished"))
	if again, err := u.NextWithin(2 * time.Second); err == nil && strings.Contains(again.Plain, h.text("en", "report.unsent")) {
		t.Errorf("reminded twice: %q", again.Plain)
	}
}
