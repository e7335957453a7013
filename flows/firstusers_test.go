package flows_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"hotline/flows"
)

// What first users tripped over, as conversations.

// change presses the review's "change" button of a field.
func (c *chat) change(field string) flows.Reply {
	c.t.Helper()
	b := c.changeButton(c.lastID, field)
	return c.handle(flows.Input{Kind: flows.KindButton, Data: b.Data, MessageID: c.lastID})
}

func TestReporterContact(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	fillToReview(c)

	// A username without the @ is asked about once.
	c.expect(c.change("contact"), "ask.contact", "answer.current")
	c.expect(c.send("maria_sandbox"), "ask.contact_confirm")
	if got := c.rendered(c.last); !strings.Contains(got, "@maria_sandbox") {
		t.Errorf("confirmation:\n%s", got)
	}
	r := c.press("btn.contact_confirm_yes")
	c.expect(r, "ask.review")
	if got := c.rendered(r); !strings.Contains(got, "@maria_sandbox") {
		t.Errorf("review lacks @maria_sandbox:\n%s", got)
	}

	// "No" asks again, without the refused guess as the answer.
	c.expect(c.change("contact"), "ask.contact", "answer.current")
	c.expect(c.send("maria_sandbox"), "ask.contact_confirm")
	c.expect(c.press("btn.contact_confirm_no"), "ask.contact")

	// A phone with a note is kept with its note.
	r = c.send("+7 916 123-45-67, лучше в WhatsApp")
	c.expect(r, "ask.review")
	if got := c.rendered(r); !strings.Contains(got, "+7 916 123-45-67, лучше в WhatsApp") {
		t.Errorf("review lacks the phone and its note:\n%s", got)
	}

	// This chat: volunteers write through the bot.
	c.expect(c.change("contact"), "ask.contact", "answer.current")
	r = c.press("btn.contact_here")
	c.expect(r, "ask.review")
	if got := c.rendered(r); !strings.Contains(got, "этот чат в Telegram") {
		t.Errorf("review lacks this chat as the contact:\n%s", got)
	}
	if got := c.session().Draft.ReporterPhone; got != flows.ContactHere {
		t.Errorf("contact = %q, want %q", got, flows.ContactHere)
	}
	// Told they will be written to here, not "through the contact you
	// gave", which reads as a call to come.
	r = c.press("btn.confirm")
	c.expect(r, "report.done")
	if got := c.rendered(r); !strings.Contains(got, "напишут вам сюда, в этот чат") || strings.Contains(got, "по контакту") {
		t.Errorf("after sending, the reporter is not told they will be written to here:\n%s", got)
	}
}

func TestLawyerWithFirmAndPhone(t *testing.T) {
	t.Parallel()
	c := newChat(t, "en")
	fillToReview(c)
	c.expect(c.change("lawyer"), "ask.lawyer", "answer.current")
	c.expect(c.press("btn.lawyer_yes"), "ask.lawyer_name")
	if got := c.rendered(c.last); !strings.Contains(got, "firm") {
		t.Errorf("the question does not ask for a firm:\n%s", got)
	}
	c.expect(c.send("John Smith, Smith Law Firm, +1 305 555 0100"), "ask.lawyer_phone")
	// The phone typed with the name is offered.
	if got := c.button(c.lastID, "btn.use_phone").Text.Data["Phone"]; got != "+1 305 555 0100" {
		t.Errorf("offered phone %q, want +1 305 555 0100", got)
	}
	r := c.press("btn.use_phone")
	c.expect(r, "ask.review")
	got := c.rendered(r)
	for _, want := range []string{"John Smith, Smith Law Firm", "Lawyer's contact"} {
		if !strings.Contains(got, want) {
			t.Errorf("review lacks %q:\n%s", want, got)
		}
	}
	// The phone is its own answer, not said again in the name.
	if s := c.session(); s.Draft.LawyerPhone != "+1 305 555 0100" || s.Draft.LawyerName != "John Smith, Smith Law Firm" {
		t.Errorf("lawyer %q, phone %q", s.Draft.LawyerName, s.Draft.LawyerPhone)
	}
	// Nor are the words that led to it: "Светлана Ким, ее номер" was the
	// name.
	r2 := newChat(t, "ru")
	fillToReview(r2)
	r2.change("lawyer")
	r2.press("btn.lawyer_yes")
	r2.expect(r2.send("Светлана Ким, ее номер 713 555 0199"), "ask.lawyer_phone")
	r2.press("btn.use_phone")
	if s := r2.session(); s.Draft.LawyerPhone != "713 555 0199" || s.Draft.LawyerName != "Светлана Ким" {
		t.Errorf("lawyer %q, phone %q", s.Draft.LawyerName, s.Draft.LawyerPhone)
	}
}

func TestMenuTextThatReadsLikeAReport(t *testing.T) {
	t.Parallel()
	for _, text := range []string{"my sister was taken", "Брата задержали вчера", "ICE picked up my husband", "мужа забрали в айс",
		"Доброго дня, мого чоловіка затримали", "сина заарештували", // Ukrainian too
		// As immigrants say it: "detention" and "camp" in Russian letters.
		"муж в детеншене уже неделю", "его задетейнили", "сын сидит в кэмпе", "его отправили в кемп",
		"сына перевели в другой лагерь", "на работе была облава", "he is in a detention center",
		"my brother is locked up", "my husband is being held in Texas", "la migra se llevó a mi esposo"} {
		c := newChat(t, "en")
		c.expect(c.command("start", ""), "menu.greeting")
		r := c.send(text)
		c.expect(r, "menu.report_offer")
		if got := buttonNames(r); len(got) < 2 || got[0] != "btn.menu_report" || got[1] != "btn.menu_volunteer" {
			t.Errorf("%q: buttons %v", text, got)
		}
		c.expect(c.press("btn.menu_report"), "ask.consent")
	}
	// A plea for help has the same two ways on (it got the greeting
	// again); a thank-you for help is a thank-you.
	for _, text := range []string{"Помогите пожалуйста!", "SOS", "help me", "срочно нужна помощь", "Допоможіть, будь ласка"} {
		c := newChat(t, "ru")
		c.command("start", "")
		r := c.send(text)
		c.expect(r, "menu.help_offer")
		if got := buttonNames(r); len(got) < 2 || got[0] != "btn.menu_report" || got[1] != "btn.menu_volunteer" {
			t.Errorf("%q: buttons %v", text, got)
		}
	}
	// A menu button's word alone is its press: it got the greeting again.
	for _, tt := range []struct{ typed, want string }{
		{"report", "ask.consent"}, {"Report!", "ask.consent"}, {"сообщить", "ask.consent"},
		{"info", "info.contents"}, {"информация", "info.contents"},
	} {
		c := newChat(t, "en")
		c.command("start", "")
		c.expect(c.send(tt.typed), tt.want)
	}
	// Anything else still gets the greeting.
	c := newChat(t, "en")
	c.expect(c.send("hello"), "menu.greeting")
	c.expect(c.send("nice weather"), "menu.greeting")
	c.expect(c.send("my account is locked"), "menu.greeting")
	c.expect(c.send("мы едем в кемпинг"), "menu.greeting")
	for _, thanks := range []string{"спасибо за помощь", "дякую за допомогу"} {
		if got := textIDs(c.send(thanks)); slices.Contains(got, "menu.help_offer") {
			t.Errorf("a thank-you for help was taken for a plea: %v", got)
		}
	}
}

// What a frightened relative types first, at the menu, and got the
// greeting for, as if unread: a facility someone is held at, someone who
// cannot be reached, a move to another detention, and asking for a case's
// status in words. Each now gets what it means; what only looks like it
// still gets the greeting.
func TestMenuFacilityLostContactAndStatus(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	for _, tt := range []struct{ lang, text, want string }{
		// At a facility, by its own name, in either alphabet.
		{"ru", "мой сын в Krome", "menu.report_offer"},
		{"ru", "муж в Адъеланто", "menu.report_offer"},
		{"ru", "брат в Элое", "menu.report_offer"},
		{"en", "my husband is in Otay Mesa", "menu.report_offer"},
		{"en", "he's at Delaney Hall", "menu.report_offer"},
		// Moved to another detention.
		{"ru", "его перевели в другой центр", "menu.report_offer"},
		{"en", "he was transferred", "menu.report_offer"},
		// Cannot be reached: the locator, and the same two ways.
		{"ru", "не могу дозвониться до мужа", "menu.lost_contact"},
		{"ru", "муж пропал", "menu.lost_contact"},
		{"en", "I can't reach my husband", "menu.lost_contact"},
		{"en", "we lost contact with him", "menu.lost_contact"},
		{"ru", "папа не вернулся с работы", "menu.lost_contact"},
		{"ru", "муж не вернулся с отметки в ICE", "menu.report_offer"}, // not the safety line of one to come
		{"en", "my dad didn't come home from work", "menu.lost_contact"},
		{"ru", "муж не отвечает, адвокат тоже не берет трубку", "menu.lost_contact"},
		// A lawyer, a court, the consulate not reached: their pages and a
		// volunteer, not the locator "if you fear ICE has detained them".
		{"ru", "не могу дозвониться до адвоката", "info.page.legal"},
		{"en", "cant reach his lawyer", "info.page.legal"},
		{"ru", "не могу дозвониться в суд", "info.page.legal"},
		{"ru", "не могу связаться с консульством", "info.page.consulate"},
		// The hotline not reached by phone: this chat reaches it.
		{"ru", "не могу дозвониться до вас по телефону", "menu.reach_us"},
		{"en", "I can't reach the hotline", "menu.reach_us"},
		{"ru", "не могу дозвониться до Васи", "menu.lost_contact"},
		// A case's status in words, and a code one has.
		{"ru", "хочу узнать статус", "check.ask"},
		{"en", "check status", "check.ask"},
		{"ru", "у меня есть код", "check.ask"},
		{"en", "I have a code", "check.ask"},
		// What only looks like those.
		{"ru", "мой сын в школе", "menu.greeting"},
		{"ru", "муж в машине", "menu.greeting"},
		{"en", "I live in Brooklyn", "menu.greeting"},
		{"en", "he is in Texas", "menu.greeting"},
		{"ru", "у мужа пропал паспорт", "menu.greeting"},
		{"ru", "код страны", "menu.greeting"},
		{"ru", "статус беженца", "menu.greeting"},
	} {
		c := &chat{testApp: a, id: a.nextChat(), langCode: tt.lang, sent: map[int]flows.Reply{}}
		c.command("start", "")
		r := c.send(tt.text)
		if got := textIDs(r); !slices.Contains(got, tt.want) {
			t.Errorf("%q: %v, want %s", tt.text, got, tt.want)
			continue
		}
		switch tt.want {
		case "menu.report_offer", "menu.lost_contact", "menu.reach_us":
			if got := buttonNames(r); len(got) < 2 || got[0] != "btn.menu_report" || got[1] != "btn.menu_volunteer" {
				t.Errorf("%q: buttons %v, want report and a volunteer", tt.text, got)
			}
		case "check.ask":
			// The code typed next is looked up.
			c.expect(c.send("K7M4-Q9XP"), "check.not_found")
		}
	}
	// The page a question names, where a word of seeking names the
	// locator's too ("где найти адвоката"), and calls and visits in the
	// words people use.
	for _, tt := range []struct{ lang, text, want string }{
		{"ru", "где найти адвоката", "info.page.legal"},
		{"ru", "как найти мужа?", "info.page.locator"},
		{"en", "where is my husband", "info.page.locator"}, {"ru", "где мой сын?", "info.page.locator"},
		{"ru", "как ему позвонить", "info.page.facility"},
		{"en", "how can I call him", "info.page.facility"},
		{"ru", "как его навестить", "info.page.facility"},
		{"en", "asylum", "info.page.legal"},
	} {
		c := &chat{testApp: a, id: a.nextChat(), langCode: tt.lang, sent: map[int]flows.Reply{}}
		c.command("start", "")
		c.expect(c.send(tt.text), tt.want)
	}
}

// What someone says at the menu of a detention — typed, or a voice message
// (kept as what they sent; a sticker only greets) — or a question the bot
// cannot answer, the volunteer who takes their chat reads first.
func TestMenuTextReachesTheVolunteer(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		say   func(user *hperson)
		offer string
	}{
		{"text", func(u *hperson) {
			u.send("Мою сестру забрали сотрудники ICE сегодня утром")
		}, "menu.report_offer"},
		{"voice", func(u *hperson) {
			u.media("sticker", "")
			u.expectGot("menu.greeting")
			u.media("voice", "")
		}, "menu.media_offer"},
		{"plea", func(u *hperson) {
			u.send("Помогите, пожалуйста")
		}, "menu.help_offer"},
		{"question", func(u *hperson) {
			u.send("Спасибо!")
			u.expectGot("menu.thanks")
			u.send("how do I find where he is held") // no question mark
			u.expectGot("info.page.locator")         // the page that answers it
			u.send("Что нам делать дальше?")
		}, "menu.question"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newHWorld(t)
			w.member(hVolunteer, flows.RoleVolunteer)
			vol := w.person(hVolunteer, "ru")
			user := w.person(7001, "ru")
			vol.command("duty", "on")
			vol.received()

			tt.say(user)
			said := user.lastIn
			user.expectGot(tt.offer)
			user.press("m:volunteer")
			user.expectGot("handoff.joined+handoff.position+handoff.write_while_waiting")
			vol.received()

			// The volunteer who takes the chat reads what was said at the menu.
			vol.command("next", "")
			vol.expectGot("handoff.taken+handoff.taken_kept", fmt.Sprintf("copy %d/%d", user.id, said))
		})
	}
}

func TestDatesAsPeopleWriteThem(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	fillToReview(c)

	// The question's examples are near today (10 March 2026), not in the past.
	c.expect(c.change("detained_on"), "ask.detained_on", "answer.current")
	if got := c.rendered(c.last); !strings.Contains(got, "07.03.2026") || strings.Contains(got, "2025") {
		t.Errorf("detention question's example:\n%s", got)
	}
	// A word is read and said back.
	r := c.send("позавчера")
	c.expect(r, "date.understood", "ask.review")
	if got := c.rendered(r); !strings.Contains(got, "8 марта 2026") {
		t.Errorf("understood:\n%s", got)
	}

	// A slashed date that reads two ways is asked about.
	c.expect(c.change("detained_on"), "ask.detained_on", "answer.current")
	r = c.send("03/02/2026")
	c.expect(r, "date.which", "ask.detained_on", "answer.current")
	if got := c.rendered(r); !strings.Contains(got, "Эту дату можно понять") {
		t.Errorf("which date:\n%s", got)
	}
	feb3, mar2 := r.Buttons[0][0], r.Buttons[1][0]
	if got := c.cat.Render("ru", feb3.Text, mar2.Text); got != "3 февраля 2026\n\n2 марта 2026" {
		t.Errorf("date buttons: %q", got)
	}
	c.expect(c.handle(flows.Input{Kind: flows.KindButton, Data: mar2.Data, MessageID: c.lastID}), "ask.review")
	if got := c.session().Draft.DetainedOn; got != "2026-03-02" {
		t.Errorf("detained on %s, want 2026-03-02", got)
	}

	// A hearing without a year is the next one; one in the past is asked about.
	c.expect(c.change("hearing"), "ask.hearing", "answer.current")
	c.expect(c.send("2 марта"), "date.understood", "ask.review")
	if got := c.session().Draft.HearingDate; got != "2027-03-02" {
		t.Errorf("hearing %s, want 2027-03-02", got)
	}
	c.expect(c.change("hearing"), "ask.hearing", "answer.current")
	c.expect(c.send("02.03.2026"), "date.hearing_past", "ask.hearing", "answer.current")
	c.expect(c.press("btn.hearing_last"), "ask.review")
	if got := c.session().Draft.HearingDate; got != "2026-03-02" {
		t.Errorf("last hearing %s, want 2026-03-02", got)
	}
	c.expect(c.change("hearing"), "ask.hearing", "answer.current")
	c.expect(c.send("02.03.2026"), "date.hearing_past", "ask.hearing", "answer.current")
	c.expect(c.press("btn.hearing_mistake"), "ask.hearing", "answer.current")
}

func TestMessageSplitByTelegramIsOneAnswer(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	fillToReview(c)
	r := c.change("details")
	c.expect(r, "ask.details", "answer.current")
	// The question says its limit.
	if got := c.rendered(r); !strings.Contains(got, "не больше 1000 символов") {
		t.Errorf("the question does not say its limit:\n%s", got)
	}

	// 5,000 characters arrive as 4,096 and, a moment later, 904 starting
	// mid-word: both parts are refused, the tail is not taken as the answer.
	long := strings.Repeat("абвгд ", 834) // 5,004 characters
	head, tail := []rune(long)[:4096-2], []rune(long)[4096-2:]
	c.expect(c.send(string(head)), "input.too_long_split", "ask.details")
	c.expect(c.send(string(tail)), "input.too_long_split", "ask.details")
	if got := c.session().Draft.CircumstanceNote; len([]rune(got)) > 100 {
		t.Errorf("a part was kept as the answer: %d characters", len([]rune(got)))
	}

	// A short answer later is an answer.
	c.advance(time.Minute)
	c.expect(c.send("Пришли утром, увезли в Krome"), "ask.review")
}

func TestHelpListsEveryCommandOfTheRole(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	roles := []struct {
		id   int64
		role flows.Role
	}{{7001, flows.RoleNone}, {501, flows.RoleVolunteer}, {502, flows.RoleCoordinator}, {hAdmin, flows.RoleAdmin}}
	for _, r := range roles {
		if r.role != flows.RoleNone && r.id != hAdmin {
			w.member(r.id, r.role)
		}
		for _, lang := range []string{"en", "ru"} {
			p := w.person(r.id, lang)
			rs := p.command("help", "")
			help := w.cat.Render(lang, rs[0].Texts...)
			for _, name := range flows.CommandsFor(r.role) {
				if !strings.Contains(help, "/"+name+" — ") {
					t.Errorf("%v /help in %s lacks /%s:\n%s", r.role, lang, name, help)
				}
			}
		}
	}
	// Users do not see the volunteers' commands; every role sees /check,
	// /mycases and /forget; coordinators see /merge, volunteers do not.
	if got := flows.CommandsFor(flows.RoleNone); slices.Contains(got, "queue") || !slices.Contains(got, "forget") || !slices.Contains(got, "mycases") || !slices.Contains(got, "check") {
		t.Errorf("users' commands: %v", got)
	}
	if v, c := flows.CommandsFor(flows.RoleVolunteer), flows.CommandsFor(flows.RoleCoordinator); slices.Contains(v, "merge") || !slices.Contains(c, "merge") ||
		!slices.Contains(v, "status") || !slices.Contains(v, "note") || !slices.Contains(v, "find") {
		t.Errorf("volunteers' %v, coordinators' %v", v, c)
	}
}

func TestTextsReadNaturally(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	for n, want := range map[int]string{1: "Стёрто в одном деле", 2: "Стёрто в 2 делах", 21: "Стёрто в 21 деле"} {
		if got := c.cat.Render("ru", flows.T("forget.erased_cases").Plural(n)); !strings.HasPrefix(got, want) {
			t.Errorf("%d cases: %q, want %q…", n, got, want)
		}
	}
	// A country typed in lower case is offered and shown with a capital.
	toBirthDate(c)
	fillReport(c, []answer{
		{send: "01.01.1980", want: "ask.birth_country"},
		{send: "россия", want: "ask.citizenship"},
	})
	if got := c.button(c.lastID, "btn.same_country").Text.Data["Country"]; got != "Россия" {
		t.Errorf("same country button: %q", got)
	}
	c.expect(c.press("btn.same_country"), "ask.a_number")
	// The wrong letter is named, not the count of digits.
	c.expect(c.send("B 123 456 789"), "parse.a_number_letter", "ask.a_number")
}

// TestVolunteerTextsReadAsAVolunteerReadsThem: /stats counts with plurals
// and says nothing of "the longest" when nobody waits; /find shows each
// urgent mark on its own line with its icon, and no "(not given)" for a
// relationship nobody gave; /case names the reporter's answers as the
// reporter's, not "Your name".
func TestVolunteerTextsReadAsAVolunteerReadsThem(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{Config: flows.Config{Admins: []int64{9}}})
	adm := &chat{testApp: a, id: 9, langCode: "en", sent: map[int]flows.Reply{}}
	stats := adm.rendered(adm.command("stats", ""))
	if strings.Contains(stats, "the longest") || !strings.Contains(stats, "0 chats taken") ||
		!strings.Contains(stats, "0 conversations finished") {
		t.Errorf("/stats with nobody waiting:\n%s", stats)
	}
	if got := a.cat.Render("ru", flows.T("handoff.n_finished").Plural(1)); got != "закончен 1 разговор" {
		t.Errorf("ru one conversation: %q", got)
	}
	if got := a.cat.Render("ru", flows.T("handoff.n_taken").Plural(5)); got != "взято 5 чатов" {
		t.Errorf("ru five chats: %q", got)
	}
	cs, err := a.cases.Create(context.Background(), &flows.Report{DraftID: "vol-texts", Consent: true,
		NameLatin: "Ivan Petrov", ANumber: "123456789", ReporterName: "Maria", ReporterPhone: "+1 305 555 0100",
		Urgent: []string{"deportation", "medical"}, ReporterChatID: 7200001, ReporterUserID: 7200001, Lang: "en",
		Facts: flows.Facts{State: "FL"}})
	if err != nil {
		t.Fatal(err)
	}
	code := flows.FormatCode(cs.Code)
	find := adm.rendered(adm.command("find", code))
	for _, want := range []string{"❗ Deportation said to be imminent\n❗ Needs medical care", "Reporter: Maria\n"} {
		if !strings.Contains(find, want) {
			t.Errorf("/find lacks %q:\n%s", want, find)
		}
	}
	if strings.Contains(find, "(not given)") {
		t.Errorf("/find shows a relationship nobody gave:\n%s", find)
	}
	card := adm.rendered(adm.command("case", code))
	if strings.Contains(card, "Your ") || !strings.Contains(card, "Reporter's contact") || !strings.Contains(card, "Reporter's state or ZIP:</b> FL") {
		t.Errorf("/case names the reporter's answers as the volunteer's:\n%s", card)
	}
}

// TestCaseLawyerNoOrNotKnown: the lawyer question's "No / I don't know"
// reads as that in /case, in both languages, not as a known "no".
func TestCaseLawyerNoOrNotKnown(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{Config: flows.Config{Admins: []int64{9}}})
	cs, err := a.cases.Create(context.Background(), &flows.Report{DraftID: "lawyer-no", Consent: true,
		NameLatin: "Ivan Petrov", ReporterChatID: 7200002, ReporterUserID: 7200002, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"en": "Lawyer:</b> no or not known", "ru": "Адвокат:</b> нет или неизвестно"} {
		adm := &chat{testApp: a, id: 9, langCode: lang, sent: map[int]flows.Reply{}}
		if got := adm.rendered(adm.command("case", flows.FormatCode(cs.Code))); !strings.Contains(got, want) {
			t.Errorf("/case in %s lacks %q:\n%s", lang, want, got)
		}
	}
}

// TestFindEndsWithTheCaseActions: a volunteer's /find ends with the found
// case's actions, not with the relatives' main menu.
func TestFindEndsWithTheCaseActions(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{Config: flows.Config{Admins: []int64{9}}})
	adm := &chat{testApp: a, id: 9, langCode: "en", sent: map[int]flows.Reply{}}
	cs, err := a.cases.Create(context.Background(), &flows.Report{DraftID: "find-end", Consent: true,
		NameLatin: "Ivan Petrov", ANumber: "123456789", ReporterChatID: 7300001, ReporterUserID: 7300001, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	r := adm.command("find", "A 123 456 789")
	names := buttonNames(r)
	if slices.Contains(names, "btn.menu") || !slices.Contains(names, "btn.case_status") {
		t.Errorf("/find %s ends with %v, want the case's actions and no main menu", flows.FormatCode(cs.Code), names)
	}
}

// What a relative typed at the menu before choosing to report ("брата
// завтра депортируют, он в Krome") goes with the report, among the words
// for the volunteer; it was lost. Refusing consent keeps nothing.
func TestTextAtTheMenuGoesWithTheReport(t *testing.T) {
	t.Parallel()
	const said = "Здравствуйте, брата завтра депортируют, он в Krome"
	c := newChat(t, "ru")
	c.command("start", "")
	c.expect(c.send(said), "menu.report_offer")
	c.expect(c.press("btn.menu_report"), "ask.consent")
	if got := c.session().Draft.Facts.Said; got != "" {
		t.Fatalf("kept before consent: %q", got)
	}
	c.expect(c.press("btn.consent_yes"), "ask.triage")
	if got := c.session().Draft.Facts.Said; got != said {
		t.Errorf("the report's words: %q, want %q", got, said)
	}

	d := newChat(t, "ru")
	d.command("start", "")
	d.expect(d.send(said), "menu.report_offer")
	d.press("btn.menu_report")
	d.expect(d.press("btn.consent_no"), "report.no_consent")
	if s := d.session(); s.SaidText != "" || s.Draft.Facts.Said != "" {
		t.Errorf("kept after consent was refused: %q %q", s.SaidText, s.Draft.Facts.Said)
	}
	// /forget at the menu erases what was typed there too.
	e := newChat(t, "ru")
	e.command("start", "")
	e.expect(e.send(said), "menu.report_offer")
	e.command("forget", "")
	e.press("btn.forget_yes")
	if s := e.session(); s.SaidText != "" || s.Said != 0 {
		t.Errorf("kept after /forget: %q (message %d)", s.SaidText, s.Said)
	}
}

// An A-number sent alone at the menu is answered with what the bot does
// with one (a report or a volunteer finds the person, a case is seen by
// its code); it got the greeting, as if unread. A report then begun keeps
// it for the volunteer.
func TestANumberAtTheMenu(t *testing.T) {
	t.Parallel()
	for typed, kept := range map[string]string{"A 212-345-678": "A 212-345-678", "212345678": ""} { // digits alone are no words
		c := newChat(t, "ru")
		c.command("start", "")
		r := c.send(typed)
		c.expect(r, "menu.a_number")
		if got := buttonNames(r); !slices.Equal(got, []string{"btn.menu_report", "btn.menu_volunteer", "btn.menu"}) {
			t.Errorf("%q: buttons %v", typed, got)
		}
		c.press("btn.menu_report")
		c.expect(c.press("btn.consent_yes"), "ask.triage")
		if got := c.session().Draft.Facts.Said; got != kept {
			t.Errorf("%q: kept for the volunteer %q, want %q", typed, got, kept)
		}
	}
}

// Someone lost at the menu ("ничего не понимаю", "how does this work?")
// is told what the bot does and its commands, as /help tells; it got the
// greeting again, or "the bot cannot read questions".
func TestConfusedGetsHelp(t *testing.T) {
	t.Parallel()
	for _, typed := range []string{"ничего не понимаю", "Не работает!", "как это работает?", "I don't understand", "how does this work?"} {
		c := newChat(t, "ru")
		c.command("start", "")
		c.expect(c.send(typed), "help.menu", "menu.choose")
	}
	c := newChat(t, "ru")
	c.command("start", "")
	if got := textIDs(c.send("телефон мужа не работает")); slices.Contains(got, "help.menu") {
		t.Errorf("a phone that does not work got the bot's help: %v", got)
	}
}

// One name alone ("Рустам") is taken, with a word that the surname, typed
// now, completes it: it was taken silently, and the ICE locator finds no
// one without a surname. The surname typed next is asked about as one.
func TestOneWordNameAsksForSurname(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	startReport(c)
	c.expect(c.send("Рустам"), "parse.name_one_word", "ask.name_latin")
	c.expect(c.send("алиев"), "parse.name_surname", "ask.name_latin")
	c.expect(c.press("btn.name_join"), "parse.name_joined", "ask.name_latin")
	if got := c.session().Draft.NameCyrillic; got != "Рустам Алиев" {
		t.Errorf("name %q, want Рустам Алиев", got)
	}
	e := newChat(t, "en")
	startReport(e)
	e.expect(e.send("Jose Garcia"), "ask.name_cyr") // a whole name: no word
}

// A day in words or an A-number typed where a name is asked is not a name:
// "завтра утром" was kept as the detained person's name and spelt "Zavtra
// Utrom", and "A123456789" was kept as its Latin spelling.
func TestNameIsNoDayAndNoNumber(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	startReport(c)
	c.expect(c.send("завтра утром"), "parse.name_date", "ask.name")
	c.expect(c.send("В прошлую пятницу"), "parse.name_date", "ask.name")
	c.expect(c.send("Рустам Алиев"), "ask.name_latin")
	c.expect(c.send("нет"), "parse.name_type_it", "ask.name_latin")
	c.expect(c.send("A123456789"), "parse.a_number_elsewhere", "ask.name_latin")
	c.expect(c.send("Rustam Aliyev"), "ask.name_other")
	if d := c.session().Draft; d.NameCyrillic != "Рустам Алиев" || d.NameLatin != "Rustam Aliyev" {
		t.Errorf("names %q / %q", d.NameCyrillic, d.NameLatin)
	}
	e := newChat(t, "en")
	startReport(e)
	e.expect(e.send("Jose Garcia"), "ask.name_cyr")
	e.expect(e.send("вчера вечером"), "parse.name_date", "ask.name_cyr")
	e.expect(e.send("Skip"), "ask.name_other")
	// A name that is also a day's short name is a name.
	e = newChat(t, "en")
	startReport(e)
	e.expect(e.send("Sun Wed"), "ask.name_cyr")
}

// A yes or no followed only by words of the question answers it: "no
// lawyer" was kept for the volunteer and the question asked again. Words
// that say more still do.
func TestYesOrNoAboutTheQuestion(t *testing.T) {
	t.Parallel()
	toTransfer := []answer{
		{send: "1.3.2026", want: "ask.circumstance"},
		{press: "circ.raid_home", want: "ask.details"},
		{press: "btn.skip", want: "ask.facility"},
		{press: "btn.dont_know", want: "ask.transfer"},
	}
	for _, tt := range []struct {
		lang, typed, want string
		lawyer            bool
	}{
		{"en", "no lawyer", "ask.hearing", false},
		{"ru", "нет адвоката", "ask.hearing", false},
		{"en", "yes we have a lawyer", "ask.lawyer_name", true},
		{"en", "no he is at Krome", "input.read_as", false},                    // the no, the words kept
		{"en", "no lawyer but we are looking for one", "input.read_as", false}, // kept, and no lawyer yet
		{"en", "yes a woman from raices is helping us", "input.read_as", true}, // a yes without a comma
		{"ru", "да нет, не нашли пока", "input.read_as", false},                // "да нет" is a no
		{"en", "his boss said he'd find one, not yet", "input.read_as", false}, // the answer last
		{"en", "we called one, yes", "input.read_as", true},
		{"ru", "ищем, пока нет", "input.read_as", false},
		{"en", "not the lawyer, someone else", "input.kept_use_buttons", false}, // no yes or no in it
	} {
		c := newChat(t, tt.lang)
		toDetainedKnowingNothing(c)
		fillReport(c, toTransfer)
		c.expect(c.press("yesno.no"), "ask.lawyer")
		if got := textIDs(c.send(tt.typed)); got[0] != tt.want {
			t.Errorf("%q at the lawyer question: %v, want %s", tt.typed, got, tt.want)
		}
		if got := c.session().Draft.HasLawyer; got != tt.lawyer {
			t.Errorf("%q: a lawyer %v, want %v", tt.typed, got, tt.lawyer)
		}
	}
	// A no that ends a question asks it: "…then moved, no?" says he was
	// moved.
	c := newChat(t, "en")
	toDetainedKnowingNothing(c)
	fillReport(c, toTransfer)
	c.expect(c.send("he was in Otay Mesa first, then moved, no?"), "input.read_as", "ask.transfer_from")
	if got := c.session().Draft.Facts.Transferred; got != "yes" {
		t.Errorf("transfer %q after \"…then moved, no?\", want yes", got)
	}
	// The first question lists three things: a no to one of them and a
	// yes to another is not a no, but the yes.
	for lang, typed := range map[string]string{"en": "no deportation yet but he was moved", "ru": "нет, но его перевели в другой центр"} {
		c := newChat(t, lang)
		c.command("start", "")
		c.press("btn.menu_report")
		c.expect(c.press("btn.consent_yes"), "ask.triage")
		if got := textIDs(c.send(typed)); !slices.Equal(got, []string{"input.read_as", "ask.name"}) ||
			c.session().Draft.Facts.Triage != "urgent" {
			t.Errorf("%q at the first question: %v, want it read as urgent", typed, got)
		}
	}
	// A yes or a no in a few words, then more: the yes or the no, said
	// back, the words kept. It was "use the buttons".
	for _, tt := range []struct{ lang, typed, triage string }{
		{"en", "no i dont think so, he just got detained", "normal"},
		{"ru", "нет вроде, его только задержали", "normal"},
		{"en", "yes i think so, they said friday", "urgent"},
		{"ru", "да вроде, в пятницу сказали", "urgent"},
	} {
		c := newChat(t, tt.lang)
		c.command("start", "")
		c.press("btn.menu_report")
		c.expect(c.press("btn.consent_yes"), "ask.triage")
		if got := textIDs(c.send(tt.typed)); !slices.Equal(got, []string{"input.read_as", "ask.name"}) ||
			c.session().Draft.Facts.Triage != tt.triage || !strings.Contains(c.session().Draft.Facts.Said, tt.typed) {
			t.Errorf("%q at the first question: %v, triage %q, kept %q; want %s", tt.typed, got,
				c.session().Draft.Facts.Triage, c.session().Draft.Facts.Said, tt.triage)
		}
	}
}

// On a phone the buttons under a question are easy to miss: people answer
// in words. A typed caption is the press of its button, in either
// language; what matches no caption, or two, is still refused.
func TestTypedCaptionIsThePress(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		lang                         string
		circumstance, skip, no, none string
	}{
		{lang: "ru", circumstance: "пришли домой", skip: "Пропустить", no: "нет", none: "ночью"},
		{lang: "en", circumstance: "raid at home!", skip: "skip", no: "No", none: "at night"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			c := newChat(t, tt.lang)
			toBirthDate(c)
			fillReport(c, []answer{
				{send: "1.1.1980", want: "ask.birth_country"},
				{send: "Russia", want: "ask.citizenship"},
				{press: "btn.same_country", want: "ask.a_number"},
				{press: "btn.dont_know", want: "ask.detained_on"},
				{send: "1.3.2026", want: "ask.circumstance"},
			})
			c.expect(c.send(tt.none), "input.kept_use_buttons", "ask.circumstance")
			c.expect(c.send(tt.circumstance), "ask.details")
			if got := c.session().Draft.Circumstance; got != "raid_home" {
				t.Errorf("circumstance = %q, want raid_home", got)
			}
			c.expect(c.send(tt.skip), "ask.facility")
			c.expect(c.press("btn.dont_know"), "ask.transfer")
			c.expect(c.send(tt.no), "ask.lawyer")
			// "No / I don't know": its head is enough.
			c.expect(c.send(tt.no), "ask.hearing")
			if c.session().Draft.HasLawyer {
				t.Errorf("a lawyer after %q", tt.no)
			}
		})
	}
}

// TestNoIsNothing: "no" typed under "have you heard of a flight? who
// said so?" is "nothing heard", and under the urgent signs "nothing
// urgent", where it was refused as not a button ("нет" is what a relative
// answers to both).
func TestNoIsNothing(t *testing.T) {
	t.Parallel()
	for _, no := range []struct{ lang, word string }{{"ru", "нет"}, {"en", "No"}} {
		t.Run(no.lang, func(t *testing.T) {
			t.Parallel()
			c := newChat(t, no.lang)
			toBirthDate(c)
			fillReport(c, []answer{
				{press: "btn.dont_know", want: "ask.birth_country"},
				{press: "btn.dont_know", want: "ask.citizenship_plain"},
				{press: "btn.dont_know", want: "ask.a_number"},
				{press: "btn.dont_know", want: "ask.detained_on"},
			})
			fillReport(c, detainedToUrgent[:10])
			c.expect(c.last, "ask.flight")
			c.expect(c.send(no.word), "ask.entry")
			fillReport(c, detainedToUrgent[11:])
			c.expect(c.send(no.word), "ask.reporter_name")
			if d := c.session().Draft; d.Facts.FlightSource != "none" || len(d.Urgent) != 0 {
				t.Errorf("after %q: flight %q, urgent %v; want none and nothing", no.word, d.Facts.FlightSource, d.Urgent)
			}
		})
	}
}

// "Here" and "telegram" are this chat, not usernames to confirm.
func TestContactHereInWords(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, here string }{{"ru", "сюда"}, {"ru", "В телеграме"}, {"en", "here"}, {"en", "Telegram"},
		// As people put it, in more words.
		{"ru", "этот телеграм"}, {"ru", "Пишите мне в телеграм, пожалуйста"}, {"ru", "в этот чат"},
		{"ru", "можно в личку"}, {"en", "this telegram"}, {"en", "message me here please"}, {"en", "via Telegram"},
		{"en", "you can text me here"}, {"ru", "можете писать сюда"}} {
		c := newChat(t, tt.lang)
		fillToReview(c)
		c.expect(c.change("contact"), "ask.contact", "answer.current")
		c.expect(c.send(tt.here), "ask.review")
		if got := c.session().Draft.ReporterPhone; got != flows.ContactHere {
			t.Errorf("%s %q: contact = %q, want this chat", tt.lang, tt.here, got)
		}
	}
	// A contact given with those words is the contact.
	c := newChat(t, "en")
	fillToReview(c)
	c.change("contact")
	c.send("telegram @maria_p")
	if got := c.session().Draft.ReporterPhone; got == flows.ContactHere {
		t.Errorf("'telegram @maria_p': contact = this chat, want the username")
	}
}

// "Нет", "no phone" under "how can a volunteer reach you?" is this chat,
// the one way left, and the reporter is told so. They were told the
// contact was not understood, and asked for a number they do not have.
func TestNoContactIsThisChat(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, none string }{
		{"ru", "нет"}, {"ru", "Нет телефона"}, {"ru", "у меня нет телефона"}, {"ru", "нету номера"},
		{"en", "no"}, {"en", "No phone"}, {"en", "I don't have a phone"}, {"en", "none"},
	} {
		c := newChat(t, tt.lang)
		fillToReview(c)
		c.expect(c.change("contact"), "ask.contact", "answer.current")
		c.expect(c.send(tt.none), "contact.none_here", "ask.review")
		if got := c.session().Draft.ReporterPhone; got != flows.ContactHere {
			t.Errorf("%s %q: contact = %q, want this chat", tt.lang, tt.none, got)
		}
	}
	// A word that is not a no is still not a contact.
	c := newChat(t, "ru")
	fillToReview(c)
	c.change("contact")
	c.expect(c.send("Мария"), "parse.contact", "ask.contact", "answer.current")
}

// Words typed under a question whose answer is not in them ("he was at a
// Home Depot parking lot" under "when?") are what the relative wanted
// told: they are kept for the volunteer, and the reporter is told so. They
// were dropped with "I couldn't read that date". A try at the answer ("a
// few days ago", TestUnknownCitizenshipAndDetentionDay) or a word or two
// is not kept.
func TestWordsUnderAQuestionAreKept(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, field, text, refusal, ask string }{
		{"en", "detained_on", "he was at a home depot parking lot", "parse.date", "ask.detained_on"},
		{"ru", "detained_on", "его забрали прямо с работы на стройке", "parse.date", "ask.detained_on"},
		{"ru", "contact", "звоните сестре Марии вечером", "parse.contact", "ask.contact"},
	} {
		c := newChat(t, tt.lang)
		fillToReview(c)
		c.change(tt.field)
		c.expect(c.send(tt.text), tt.refusal, "input.kept", tt.ask, "answer.current")
		if said := c.session().Draft.Facts.Said; !strings.Contains(said, tt.text) {
			t.Errorf("%q: kept %q", tt.text, said)
		}
	}
	c := newChat(t, "en")
	fillToReview(c)
	c.change("detained_on")
	c.expect(c.send("5 marhc"), "parse.date", "ask.detained_on", "answer.current")
	if said := c.session().Draft.Facts.Said; said != "" {
		t.Errorf("a try at the date kept: %q", said)
	}
	// A month without its day is asked for the day, and kept: "I don't
	// know" may follow.
	c.expect(c.send("march"), "parse.date_month", "input.kept", "ask.detained_on", "answer.current")
	if said := c.session().Draft.Facts.Said; said != "march" {
		t.Errorf("a month without its day: kept %q", said)
	}
	// A year is no other spelling of the name: the date of birth typed a
	// question early.
	c = newChat(t, "en")
	fillToReview(c)
	c.change("name_other")
	c.expect(c.send("1975"), "parse.name_digits", "ask.name_other")
	c.expect(c.send("Karlos Mendosa"), "ask.review")
	if got := c.session().Draft.Facts.NameOther; got != "Karlos Mendosa" {
		t.Errorf("other spellings %q", got)
	}
	// Spellings told in a Russian sentence are the spellings, the
	// sentence kept for the volunteer; both scripts of a name stay whole.
	for typed, want := range map[string]string{
		"в асайлуме было Farukh Rahimov вроде":                 "Farukh Rahimov",
		"в суде Farukh Rahimov, а в паспорте FARRUKH RAKHIMOV": "Farukh Rahimov, FARRUKH RAKHIMOV",
		"Farukh Rahimov (Фарух Рахимов)":                       "Farukh Rahimov (Фарух Рахимов)",
		"нет, вроде везде одинаково":                           "", // none; it was kept as the spellings
		// In an English sentence, the names in capitals; the same
		// everywhere is none.
		"he also goes by Carlos Ruiz":                                        "Carlos Ruiz",
		"on his papers it was Karlos Ruis, and at court Carlos Ruiz Mendoza": "Karlos Ruis, Carlos Ruiz Mendoza",
		"Carlos Ruiz, Karlos Ruis":                                           "Carlos Ruiz, Karlos Ruis",
		"same everywhere":                                                    "",
		"In ICE papers it is Karlos Ruis":                                    "Karlos Ruis", // a sentence's first word, an agency: no name
	} {
		r := newChat(t, "ru")
		startReport(r)
		answerTo(r, "ask.name_other")
		r.send(typed)
		if got := r.session().Draft.Facts.NameOther; got != want {
			t.Errorf("%q: other spellings %q, want %q", typed, got, want)
		}
		if kept := r.session().Draft.Facts.Said; want != typed && want != "" && !strings.Contains(kept, typed) {
			t.Errorf("%q: kept %q", typed, kept)
		}
	}
	// A day is no country: the date of detention typed a question late.
	c = newChat(t, "en")
	fillToReview(c)
	c.change("birth_country")
	c.expect(c.send("last tuesday"), "parse.country", "ask.birth_country", "answer.current")
}

// An A-number typed ahead of its question is no country.
func TestCountryIsWords(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	toBirthDate(c)
	fillReport(c, []answer{
		{send: "1.1.1980", want: "ask.birth_country"},
		{send: "Казахстан", want: "ask.citizenship"},
	})
	c.expect(c.send("A 212-345-678"), "parse.a_number_elsewhere", "ask.citizenship")
	if got := c.session().Draft.Citizenship; got != "" {
		t.Errorf("citizenship = %q, want nothing", got)
	}
	c.expect(c.send("Россия"), "ask.a_number")
	// "The same" is the country of birth, not a country called "Та Же".
	for _, same := range []string{"та же", "Same"} {
		c.command("back", "")
		c.expect(c.send(same), "ask.a_number")
		if got := c.session().Draft.Citizenship; got != "Казахстан" {
			t.Errorf("citizenship after %q = %q, want the country of birth", same, got)
		}
	}
}

// A typed yes answers the consent question; a typed no declines it — in
// Ukrainian too ("так", "ні"), which many who write in Russian answer in.
func TestTypedConsent(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, yes, no string }{{"ru", "Да", "нет"}, {"en", "yes", "No."}, {"ru", "Так", "ні"},
		{"ru", "ладно", "нет"}, {"ru", "поехали", "нет"}, {"en", "go ahead", "no"}} { // were "use the buttons"
		c := newChat(t, tt.lang)
		c.expect(c.command("start", ""), "menu.greeting")
		c.expect(c.press("btn.menu_report"), "ask.consent")
		c.expect(c.send(tt.yes), "ask.triage")

		d := newChat(t, tt.lang)
		d.expect(d.command("start", ""), "menu.greeting")
		d.expect(d.press("btn.menu_report"), "ask.consent")
		r := d.send(tt.no)
		if ids := textIDs(r); !slices.Contains(ids, "report.no_consent") {
			t.Errorf("%s %q: got %v, want the report declined", tt.lang, tt.no, ids)
		}
	}
}

// What becomes of what one writes, asked at the consent ("что будет с
// данными?", "а ICE увидит?"), gets who sees the answers, and the consent
// asked again; it was kept "for the volunteer", or "use the buttons".
func TestConsentAsksWhoSees(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	for _, tt := range []struct{ lang, typed string }{
		{"ru", "что будет с данными?"}, {"ru", "а ICE увидит?"}, {"en", "what happens to my data?"},
	} {
		c := &chat{testApp: a, id: a.nextChat(), langCode: tt.lang, sent: map[int]flows.Reply{}}
		c.command("start", "")
		c.expect(c.press("btn.menu_report"), "ask.consent")
		c.expect(c.send(tt.typed), "report.who_sees", "ask.consent")
	}
}

// The main menu's captions typed, as on a phone without the buttons in
// sight: each does what its button does.
func TestTypedMenuCaption(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, check, news string }{
		{"ru", "узнать статус дела", "Добавить новости по делу"},
		{"en", "check a case", "add news about a case"},
	} {
		c := newChat(t, tt.lang)
		c.expect(c.command("start", ""), "menu.greeting")
		r := c.send(tt.news)
		if ids := textIDs(r); !slices.Contains(ids, "casework.news_none") {
			t.Errorf("%s %q: got %v, want the news flow (no cases yet)", tt.lang, tt.news, ids)
		}
		c.send(tt.check)
		if s := c.session(); s.Flow != "check" {
			t.Errorf("%s %q: flow %q, want the code asked for", tt.lang, tt.check, s.Flow)
		}
	}

	// The other language's name, typed under the menu, switches to it.
	c := newChat(t, "ru")
	c.command("start", "")
	c.expect(c.send("english"), "language.set", "menu.choose")
	if c.last.Lang != "en" {
		t.Errorf("after 'english' the menu is in %q", c.last.Lang)
	}
	c.expect(c.send("Русский"), "language.set", "menu.choose")
	if c.last.Lang != "ru" {
		t.Errorf("after 'Русский' the menu is in %q", c.last.Lang)
	}
}

// TestRussianTypedOnAnEnglishPhone: a phone set to English, its owner
// writing in Russian at the menu, is answered in Russian; once someone
// chose English, a Russian word (a name) does not switch it back, and
// Latin text never switches a Russian chat.
func TestRussianTypedOnAnEnglishPhone(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		phone string   // the Telegram language
		typed []string // at the menu, in order
		want  string   // the language of the last answer
	}{
		{"en", nil, "en"},
		{"en", []string{"Помогите, пожалуйста"}, "ru"},
		{"ru", []string{"english", "Иван Петров"}, "en"}, // English chosen
		{"ru", []string{"help me please"}, "ru"},
		// Russian typed in Latin letters, on a keyboard without Cyrillic.
		{"en", []string{"privet"}, "ru"},
		{"en", []string{"Zdravstvuyte! Pomogite pozhaluysta"}, "ru"},
		{"en", []string{"my son was taken yesterday, please help"}, "en"},
		{"en", []string{"Ivan Petrov"}, "en"},
		{"ru", []string{"english", "muzha zaderzhali vchera"}, "en"}, // English chosen
	} {
		c := newChat(t, tt.phone)
		c.command("start", "")
		for _, text := range tt.typed {
			c.send(text)
		}
		if c.last.Lang != tt.want {
			t.Errorf("a %s phone typing %q answered in %q, want %q", tt.phone, tt.typed, c.last.Lang, tt.want)
		}
	}
}

// TestAnswersInTranslit: "da", "net", "ne znayu" typed in Latin letters
// answer as "да", "нет", "не знаю" do; "da" to the consent was not read,
// and "ne znayu" at the A-number was refused as one.
func TestAnswersInTranslit(t *testing.T) {
	t.Parallel()
	c := newChat(t, "en")
	c.expect(c.send("privet"), "menu.greeting")
	c.expect(c.press("btn.menu_report"), "ask.consent")
	c.expect(c.send("da"), "ask.triage")
	c.expect(c.send("net"), "ask.name")
	c.expect(c.send("Ivan Petrov"), "ask.name_cyr")
	c.expect(c.send("ne znayu"), "ask.name_other")
	if c.last.Lang != "ru" {
		t.Errorf("answered in %q, want Russian", c.last.Lang)
	}
	// "nuzhen chelovek" in the report is the menu's "talk to a volunteer".
	if got := textIDs(c.send("nuzhen chelovek")); !slices.Contains(got, "handoff.joined") {
		t.Errorf("'nuzhen chelovek' in the report: %v, want the queue", got)
	}
}

// TestDetentionInTranslit: a detention told in Russian typed in Latin
// letters gets, in Russian, the offer to report it or talk to a volunteer
// now. "pomogite pozhaluysta, syna zabrali" got the greeting, in English.
func TestDetentionInTranslit(t *testing.T) {
	t.Parallel()
	for _, typed := range []string{"pomogite pozhaluysta, syna zabrali", "muzha zaderzhali vchera utrom",
		"brata arestovali segodnya"} {
		c := newChat(t, "en")
		r := c.send(typed)
		if got := textIDs(r); !slices.Equal(got, []string{"menu.report_offer"}) || r.Lang != "ru" {
			t.Errorf("%q: %v in %q, want the offer to report in Russian", typed, got, r.Lang)
		}
	}
}

// A caption typed for a mark of the urgent question ticks it, in a new
// message: the bot cannot edit the user's own message.
func TestTypedToggleIsANewMessage(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	fillToReview(c)
	c.change("urgent")
	r := c.handle(flows.Input{Kind: flows.KindText, Text: "нужна медицинская помощь", MessageID: 999})
	if r.Edit != 0 {
		t.Errorf("the reply edits message %d, the user's own", r.Edit)
	}
	if !slices.Contains(c.session().Draft.Urgent, "medical") {
		t.Errorf("urgent = %v, want medical ticked", c.session().Draft.Urgent)
	}
	// Said back as the mark's words, without the box the button shows
	// ("I took that as “▫️ Needs medical care”").
	e := newChat(t, "en")
	startReport(e)
	answerTo(e, "ask.urgent")
	if got := data(e.send("he has diabetes and needs insulin"), "input.read_as", "Answer"); got != "Needs medical care" {
		t.Errorf("said back as %q, want «Needs medical care»", got)
	}
	// The sign's own words over a word of another sign's caption: "остались"
	// is in "дети остались одни", and "left" in "children left alone".
	for lang, typed := range map[string]string{"ru": "у него диабет, таблетки остались дома",
		"en": "he has diabetes, his pills were left at home"} {
		m := newChat(t, lang)
		startReport(m)
		answerTo(m, "ask.urgent")
		m.send(typed)
		if got := m.session().Draft.Urgent; !slices.Equal(got, []string{"medical"}) {
			t.Errorf("%s %q: urgent = %v, want medical only", lang, typed, got)
		}
	}
}

// Every question of the report, in both languages, answered by typing the
// caption of one of its buttons (the first; "done" for the marks, "send"
// on the review): the report goes through to the end, never told to use
// the buttons nor that its answer was not understood.
func TestEveryCaptionTyped(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"ru", "en"} {
		c := newChat(t, lang)
		c.expect(c.command("start", ""), "menu.greeting")
		c.expect(c.press("btn.menu_report"), "ask.consent")
		for i := 0; ; i++ {
			s := c.session()
			if s.Flow == "" {
				break
			}
			if i == 80 {
				t.Fatalf("%s: still at %s after 80 answers", lang, s.Step)
			}
			want := ""
			switch s.Step {
			case "urgent":
				want = ":done"
			case "review":
				want = ":ok"
			}
			prefix := s.Nonce + ":" + s.Step + ":"
			var pick *flows.Button
			for _, row := range c.last.Buttons {
				for _, b := range row {
					if pick == nil && strings.HasPrefix(b.Data, prefix) && strings.HasSuffix(b.Data, want) {
						pick = &b
					}
				}
			}
			if pick == nil {
				c.send("Ivan Petrov") // the names: no buttons
				continue
			}
			caption := pick.Label
			if caption == "" {
				caption = c.cat.Button(lang, pick.Text)
			}
			r := c.send(caption)
			for _, id := range textIDs(r) {
				if id == "input.use_buttons" || strings.HasPrefix(id, "parse.") {
					t.Errorf("%s %s: typed %q, got %v", lang, s.Step, caption, textIDs(r))
				}
			}
		}
		if n := c.caseCount(); n != 1 {
			t.Errorf("%s: %d cases stored, want 1", lang, n)
		}
	}
}

// A relative who knows only the year of birth gives the year; one who
// writes "I don't know" and more is understood as the button, and what else
// they wrote reaches the volunteer.
func TestBirthYearAndDontKnowInWords(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	fillToReview(c)

	for _, typed := range []string{"1985", "примерно 1985 год", "кажется, 1985 г.", "born in 1985"} {
		c.expect(c.change("birth_date"), "ask.birth_date", "answer.current")
		r := c.send(typed)
		c.expect(r, "date.understood", "ask.review")
		if got := c.session().Draft.BirthDate; got != "1985" {
			t.Errorf("%q: birth date %q, want the year 1985", typed, got)
		}
		if got := c.rendered(r); !strings.Contains(got, "1985 (только год)") {
			t.Errorf("%q: the year is not said back as the year alone:\n%s", typed, got)
		}
	}
	// A month with the year is the year, the month kept for the volunteer.
	c.expect(c.change("birth_date"), "ask.birth_date", "answer.current")
	c.expect(c.send("май 1985"), "date.understood", "input.kept", "ask.review")
	if d := c.session().Draft; d.BirthDate != "1985" || !strings.Contains(d.Facts.Said, "май 1985") {
		t.Errorf("«май 1985»: birth date %q, kept %q", d.BirthDate, d.Facts.Said)
	}
	// Not a year of birth: a year in the future or before 1900, two
	// numbers.
	for _, typed := range []string{"2030", "1850", "1985 или 1986"} {
		c.expect(c.change("birth_date"), "ask.birth_date", "answer.current")
		r := c.send(typed)
		if strings.Contains(describe(r), "ask.review") {
			t.Errorf("%q taken as a birth date: %v", typed, describe(r))
		}
		c.expect(c.press("btn.keep"), "ask.review")
	}

	// "Не знаю" and more words is the "I don't know" button.
	c.expect(c.change("birth_date"), "ask.birth_date", "answer.current")
	c.expect(c.send("не знаю точно"), "ask.review")
	if got := c.session().Draft.BirthDate; got != "" {
		t.Errorf("birth date after «не знаю точно»: %q", got)
	}
	// Where the question has "Skip", not "I don't know", that is pressed;
	// the words that say more are kept for the volunteer.
	c.expect(c.change("name_cyr"), "ask.name_cyr", "answer.current")
	said := "не знаю, наверное так же, он не писал по-русски"
	c.expect(c.send(said), "input.kept", "ask.name_other")
	c.expect(c.press("btn.dont_know"), "ask.review")
	s := c.session()
	if s.Draft.NameCyrillic != "" || !strings.Contains(s.Draft.Facts.Said, said) {
		t.Errorf("Cyrillic name %q, kept %q", s.Draft.NameCyrillic, s.Draft.Facts.Said)
	}

	// The report with the year alone is filed, and the year is kept.
	c.expect(c.change("birth_date"), "ask.birth_date", "answer.current")
	c.expect(c.send("1985"), "date.understood", "ask.review")
	r := c.press("btn.confirm")
	c.expect(r, "report.done")
	rep, _, err := c.cases.Get(context.Background(), data(r, "report.done", "Code"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.BirthDate != "1985" {
		t.Errorf("filed birth date %q, want 1985", rep.BirthDate)
	}
}

// At the A-number question a relative who does not know it may write what
// happened instead: the words reach the volunteer; a zero typed as the
// letter O is read as the zero, and said back.
func TestANumberQuestionAnsweredInWords(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	fillToReview(c)
	c.expect(c.change("a_number"), "ask.a_number", "answer.current")
	words := "пришли домой рано утром и забрали"
	c.expect(c.send(words), "input.kept", "parse.a_number", "ask.a_number")
	// Said back: a misread A-number finds no one at the ICE locator.
	r := c.send("A-2O1 234 567")
	c.expect(r, "input.read_as", "ask.review")
	if got := data(r, "input.read_as", "Answer"); got != "A201-234-567" {
		t.Errorf("said back as %q", got)
	}
	c.expect(c.change("a_number"), "ask.a_number", "answer.current")
	c.expect(c.send("A-201 234 567"), "ask.review") // as typed: nothing to say back
	s := c.session()
	if s.Draft.ANumber != "201234567" || s.Draft.Facts.Said != words {
		t.Errorf("A-number %q, kept %q", s.Draft.ANumber, s.Draft.Facts.Said)
	}
	// A mistyped number is not kept as words.
	c.expect(c.change("a_number"), "ask.a_number", "answer.current")
	c.expect(c.send("A 123 456"), "parse.a_number", "ask.a_number", "answer.current")
	if got := c.session().Draft.Facts.Said; got != words {
		t.Errorf("kept %q", got)
	}
}

// A few words of one button's caption are that button: "на работе" for
// "Пришли на работу". Words of several captions, or a caption's opposite,
// are not.
func TestFewWordsOfACaption(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	fillToReview(c)
	for _, tt := range []struct{ typed, want string }{
		{"на работе", "raid_work"},
		{"дома", "raid_home"},
		{"остановили", "traffic"},
	} {
		c.expect(c.change("circumstance"), "ask.circumstance", "answer.current")
		c.expect(c.send(tt.typed), "ask.review")
		if got := c.session().Draft.Circumstance; got != tt.want {
			t.Errorf("%q: circumstance %q, want %q", tt.typed, got, tt.want)
		}
	}
	// "Пришли" is in two captions: neither is pressed; the words are kept.
	c.expect(c.change("circumstance"), "ask.circumstance", "answer.current")
	c.expect(c.send("пришли"), "input.kept_use_buttons", "ask.circumstance", "answer.current")

	e := newChat(t, "en")
	e.expect(e.command("start", ""), "menu.greeting")
	e.expect(e.press("btn.menu_report"), "ask.consent")
	e.expect(e.press("btn.consent_yes"), "ask.triage")
	// "I know" is not "I don't know".
	e.expect(e.send("I know"), "input.kept_use_buttons", "ask.triage")
	e.expect(e.send("urgent"), "ask.name")
	if got := e.session().Draft.Facts.Triage; got != "urgent" {
		t.Errorf("triage %q after «urgent», want urgent", got)
	}
	e.expect(e.command("back", ""), "ask.triage", "answer.current")
	e.expect(e.send("yes its urgent"), "input.read_as", "ask.name")
	if d := e.session().Draft; d.Facts.Triage != "urgent" || strings.Contains(d.Facts.Said, "its urgent") {
		t.Errorf("triage %q, kept %q: the caption's own words kept for the volunteer", d.Facts.Triage, d.Facts.Said)
	}
}

// "I don't know" typed as people type it — without the apostrophe, "idk",
// "не знаю" under "Нет / не знаю" — is the button that says it.
func TestDontKnowTypedAnyHow(t *testing.T) {
	t.Parallel()
	e := newChat(t, "en")
	e.expect(e.command("start", ""), "menu.greeting")
	e.expect(e.press("btn.menu_report"), "ask.consent")
	e.expect(e.press("btn.consent_yes"), "ask.triage")
	e.expect(e.send("i dont know"), "ask.name")
	if got := e.session().Draft.Facts.Triage; got != "normal" {
		t.Errorf("triage %q after «i dont know»", got)
	}

	c := newChat(t, "ru")
	fillToReview(c)
	c.expect(c.change("stage"), "ask.stage", "answer.current")
	c.expect(c.send("idk"), "ask.review")
	c.expect(c.change("lawyer"), "ask.lawyer", "answer.current")
	c.expect(c.send("не знаю"), "ask.review")
	if c.session().Draft.HasLawyer {
		t.Error("«не знаю» at the lawyer question read as a lawyer")
	}
}

// At a question answered with buttons, a message that names one of them
// ("his lawyer told us" under "The lawyer") is that answer, said back; the
// words, when they say more than the caption, are kept for the volunteer. One that names none, several, or says
// no, is kept and the buttons asked for.
func TestMessageThatNamesAnAnswer(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		lang, typed, want string
		kept              bool // says more than the caption
	}{
		{"en", "his lawyer told us yesterday", "lawyer", true},
		{"ru", "адвокат сказал по телефону", "lawyer", true},
		{"ru", "слышали от сотрудника ICE", "officer", false},
		{"ru", "сказал офицер", "officer", false}, // "офицер ICE", as Russian speakers say
		{"en", "the deportation officer", "officer", true},
		{"en", "not the lawyer, someone else", "", true},
		{"en", "nothing so far thank god", "none", true}, // "nothing" says no; it was "use the buttons"
		{"ru", "ничего такого", "none", false},
	} {
		c := newChat(t, tt.lang)
		fillToReview(c)
		c.expect(c.change("flight"), "ask.flight", "answer.current")
		r := c.send(tt.typed)
		s := c.session()
		if tt.want == "" {
			c.expect(r, "input.kept_use_buttons", "ask.flight", "answer.current")
		} else if ids := describe(r); !strings.HasPrefix(ids, "input.read_as+") || s.Draft.Facts.FlightSource != tt.want {
			t.Errorf("%q: %s, flight source %q, want %q", tt.typed, ids, s.Draft.Facts.FlightSource, tt.want)
		}
		if strings.Contains(s.Draft.Facts.Said, tt.typed) != tt.kept {
			t.Errorf("%q: kept for the volunteer %q, want kept %v", tt.typed, s.Draft.Facts.Said, tt.kept)
		}
	}
}

// An A-number typed at another question (the birth date) is told apart
// from a bad answer: it has its own question, or was given already.
func TestANumberAtAnotherQuestion(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	toBirthDate(c)
	r := c.send("A 123-456-789")
	c.expect(r, "parse.a_number_elsewhere", "ask.birth_date")
	if got := c.rendered(r); !strings.Contains(got, "отдельный вопрос") {
		t.Errorf("not told where the A-number goes:\n%s", got)
	}
	c.expect(c.send("123456789"), "parse.a_number_elsewhere", "ask.birth_date")
	c.expect(c.send("12345"), "parse.date", "ask.birth_date")

	// Past its question, answered "I don't know": a press away
	// (TestCorrectionOfTheANumber); it was "add it on the review".
	fillReport(c, []answer{
		{press: "btn.dont_know", want: "ask.birth_country"},
		{press: "btn.dont_know", want: "ask.citizenship_plain"},
		{send: "Россия", want: "ask.a_number"},
		{press: "btn.dont_know", want: "ask.detained_on"},
	})
	c.expect(c.send("A 123-456-789"), "fix.offer", "ask.detained_on")
	c.expect(c.press("btn.fix"), "fix.done", "ask.detained_on")
	if d := c.session().Draft; d.ANumber != "123456789" {
		t.Errorf("A-number %q after the press", d.ANumber)
	}
}

// Among the facilities the search shows, "the first one" or "второй" picks
// that one, said back.
func TestFacilityPickedByPlace(t *testing.T) {
	t.Parallel()
	for _, typed := range []string{"the first one", "первый", "1"} {
		c := newChat(t, "ru")
		fillToReview(c)
		c.expect(c.change("facility"), "ask.facility", "answer.current")
		r := c.send("Krome in Miami")
		c.expect(r, "ask.facility_pick")
		first := r.Buttons[0][0]
		r = c.send(typed)
		if ids := describe(r); !strings.HasPrefix(ids, "input.read_as+") {
			t.Errorf("%q: %s", typed, ids)
		}
		if got := c.rendered(r); !strings.Contains(got, first.Label) || !strings.Contains(got, "Krome") {
			t.Errorf("%q: not said back as %q:\n%s", typed, first.Label, got)
		}
		if d := c.session().Draft; d.FacilityID == 0 || d.FacilityText != "" {
			t.Errorf("%q: facility %d %q", typed, d.FacilityID, d.FacilityText)
		}
	}
	// A place beyond the list is said to be so, not "type just the name,
	// in letters" as for a person's name.
	c := newChat(t, "en")
	fillToReview(c)
	c.change("facility")
	r := c.send("Stuart")
	c.expect(r, "ask.facility_pick")
	shown := len(r.Buttons) - 3 // "not in the list", "don't know", "type again"
	c.expect(c.send(strconv.Itoa(shown+1)), "parse.facility_place", "ask.facility_pick")
	if d := c.session().Draft; d.FacilityID != 0 || d.FacilityText != "Stuart" {
		t.Errorf("after a place beyond the list: facility %d %q", d.FacilityID, d.FacilityText)
	}
}

// TestSkipTypedWhereNoSkipButton: "skip" or "пропустить" typed under a
// question whose way on is "I don't know" moves on as that button does,
// where "skip" was searched for as a facility's name; "no one knows" is an
// "I don't know".
func TestSkipTypedWhereNoSkipButton(t *testing.T) {
	t.Parallel()
	c := newChat(t, "en")
	startReport(c)
	fillReport(c, []answer{
		{send: "Maria Gonzalez", want: "ask.name_cyr"},
		{send: "skip", want: "ask.name_other"}, // the question's own "Skip"
		{send: "Skip", want: "ask.birth_date"},
		{send: "пропустить", want: "ask.birth_country"},
		{send: "skip", want: "ask.citizenship_plain"},
		{send: "skip", want: "ask.a_number"},
		{send: "skip", want: "ask.detained_on"},
		{send: "skip", want: "ask.circumstance"},
		{press: "circ.raid_work", want: "ask.details"},
		{send: "skip", want: "ask.facility"},
		{send: "skip", want: "ask.transfer"},
		{send: "skip", want: "ask.lawyer"},
		{press: "btn.lawyer_no", want: "ask.hearing"},
		{send: "no one knows", want: "ask.stage"},
	})
	if d := c.session().Draft; d.FacilityText != "" || d.FacilityID != 0 || d.DetainedOn != "" || d.ANumber != "" {
		t.Errorf("skipped answers stored: facility %q/%d, detained %q, A-number %q", d.FacilityText, d.FacilityID, d.DetainedOn, d.ANumber)
	}
}

// A date of birth with a two-digit year, as relatives write it
// ("15.03.85"), is the past century's when this one's is still to come,
// said back with the year in full; it was refused ("write the year in
// four digits").
func TestBirthDateWithTwoDigitYear(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	fillToReview(c)
	for _, tt := range []struct{ typed, want string }{
		{"15.03.85", "1985-03-15"},
		{"15 марта 85 г.", "1985-03-15"},
		{"15/3/85", "1985-03-15"},
		{"3/15/85", "1985-03-15"}, // said back once, not twice
		{"28.02.99", "1999-02-28"},
		{"15.03.05", "2005-03-15"}, // this century's (a child), said back too
	} {
		c.expect(c.change("birth_date"), "ask.birth_date", "answer.current")
		r := c.send(tt.typed)
		if got := c.session().Draft.BirthDate; got != tt.want {
			t.Errorf("%q: birth date %q, want %s (%v)", tt.typed, got, tt.want, describe(r))
		}
		if ids := describe(r); ids != "date.understood+ask.review" {
			t.Errorf("%q: %v, want the date said back and the review", tt.typed, ids)
		}
		if year := tt.want[:4]; !strings.Contains(c.rendered(r), year) {
			t.Errorf("%q: the year %s is not said back:\n%s", tt.typed, year, c.rendered(r))
		}
	}
	// A day and month that read both ways are asked about, in full years.
	c.expect(c.change("birth_date"), "ask.birth_date", "answer.current")
	r := c.send("03/04/85")
	c.expect(r, "date.which", "ask.birth_date", "answer.current")
	if got := c.rendered(r) + c.buttonLabels(r); !strings.Contains(got, "1985") || strings.Contains(got, "2085") {
		t.Errorf("«03/04/85» asked as:\n%s", got)
	}
}

// A date of birth typed with the words that say it is one ("дата
// рождения 01.02.1980", "born on March 15, 1985", "15.03.85 г.р.") is
// read; it was refused for its words. A date that reads both ways still
// asks which.
func TestBirthDateWithItsName(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	fillToReview(c)
	for _, tt := range []struct{ typed, want string }{
		{"дата рождения 01.02.1980", "1980-02-01"},
		{"Родилась 15 марта 1985", "1985-03-15"},
		{"15 марта 1985 года рождения", "1985-03-15"},
		{"15.03.85 г.р.", "1985-03-15"},
		{"д.р. 28.02.1999", "1999-02-28"},
		{"born on March 15, 1985", "1985-03-15"},
		{"DOB: 1985-03-15", "1985-03-15"},
	} {
		c.expect(c.change("birth_date"), "ask.birth_date", "answer.current")
		r := c.send(tt.typed)
		if got := c.session().Draft.BirthDate; got != tt.want {
			t.Errorf("%q: birth date %q, want %s (%v)", tt.typed, got, tt.want, describe(r))
		}
	}
	c.expect(c.change("birth_date"), "ask.birth_date", "answer.current")
	c.expect(c.send("born 03/04/1980"), "date.which", "ask.birth_date", "answer.current")
}

// buttonLabels is the captions of r's buttons as the user reads them, one
// per line.
func (c *chat) buttonLabels(r flows.Reply) string {
	var b strings.Builder
	for _, row := range r.Buttons {
		for _, bt := range row {
			if bt.Label == "" {
				bt.Label = c.cat.Render(r.Lang, bt.Text)
			}
			b.WriteString(bt.Label + "\n")
		}
	}
	return b.String()
}

// A bare "да" to a question put as yes or no that wants the thing itself
// ("Was the name spelled otherwise?", "Anything to add?", "Which state?",
// "Have you heard of a flight? Who said so?") asks for it, where "да" was
// stored as the other spelling, the details or the state, or told to use
// the buttons; a bare "нет" is "no".
func TestBareYesWhereTheThingIsAsked(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, yes, no string }{{"ru", "Да", "нет"}, {"en", "yes", "Nope"}} {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			c := newChat(t, tt.lang)
			fillToReview(c)
			for _, s := range []struct{ field, refusal string }{
				{"name_other", "parse.yes_name_other"},
				{"details", "parse.yes_details"},
				{"state", "parse.state_yes"},
				{"flight", "parse.yes_flight"}, // who said so is the question
			} {
				c.expect(c.change(s.field), "ask."+s.field, "answer.current")
				if ids := describe(c.send(tt.yes)); !strings.HasPrefix(ids, s.refusal+"+ask."+s.field) {
					t.Errorf("%s: %q got %s", s.field, tt.yes, ids)
				}
				c.expect(c.send(tt.no), "ask.review")
			}
			d := c.session().Draft
			for _, v := range []string{d.Facts.NameOther, d.CircumstanceNote, d.Facts.State} {
				if v != "" {
					t.Errorf("a yes or a no stored as an answer: %q", v)
				}
			}
			// The thing itself is taken.
			c.expect(c.change("name_other"), "ask.name_other", "answer.current")
			c.expect(c.send("Petrov Ivan"), "ask.review")
			if got := c.session().Draft.Facts.NameOther; got != "Petrov Ivan" {
				t.Errorf("other spelling %q", got)
			}
		})
	}
}

// "Да" under the facilities found is the one shown, "нет" is "not in the
// list, keep what I typed"; they were searched for as facilities' names
// ("да" listed Davis County), and "нет" dropped what was typed. A yes to
// several asks which. "Да, Otay Mesa Detention Center" is the one shown it
// names, "нет, Otay Mesa" a search for Otay Mesa: the "да" and "нет" were
// searched for with the name.
func TestYesOrNoUnderTheFacilitiesFound(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	fillToReview(c)
	c.expect(c.change("facility"), "ask.facility", "answer.current")
	r := c.send("Крум")
	c.expect(r, "ask.facility_pick")
	if n := len(r.Buttons) - 3; n != 1 || !strings.Contains(r.Buttons[0][0].Label, "Krome") {
		t.Fatalf("«Крум» found %d facilities, want the one Krome", n)
	}
	krome := r.Buttons[0][0].Label
	r = c.send("да")
	c.expect(r, "input.read_as", "ask.review")
	if d := c.session().Draft; d.FacilityID == 0 || !strings.Contains(c.rendered(r), krome) {
		t.Errorf("«да» under %q: facility %d %q\n%s", krome, d.FacilityID, d.FacilityText, c.rendered(r))
	}

	// A yes with the facility's name: that one, the yes no part of it.
	c.expect(c.change("facility"), "ask.facility", "answer.current")
	c.expect(c.send("Otay Mesa"), "ask.facility_pick")
	r = c.send("да, Otay Mesa Detention Center")
	c.expect(r, "input.read_as", "ask.review")
	if d := c.session().Draft; d.FacilityID == 0 || !strings.Contains(c.rendered(r), "Otay Mesa") {
		t.Errorf("«да, Otay Mesa Detention Center»: facility %d %q\n%s", d.FacilityID, d.FacilityText, c.rendered(r))
	}
	// A no with another name searches for that name.
	c.expect(c.change("facility"), "ask.facility", "answer.current")
	c.expect(c.send("Крум"), "ask.facility_pick")
	c.expect(c.send("нет, Otay Mesa"), "ask.facility_pick")
	if q := c.session().Draft.FacilityText; q != "Otay Mesa" {
		t.Errorf("«нет, Otay Mesa» searched for %q", q)
	}
	c.expect(c.press("btn.facility_keep"), "ask.review")

	c.expect(c.change("facility"), "ask.facility", "answer.current")
	r = c.send("Orange County")
	c.expect(r, "ask.facility_pick")
	if n := len(r.Buttons) - 3; n < 2 {
		t.Fatalf("«Orange County» found %d facilities, want several", n)
	}
	c.expect(c.send("yes"), "parse.facility_which", "ask.facility_pick")
	for _, no := range []string{"нет", "no"} {
		if ids := describe(c.send(no)); !strings.HasSuffix(ids, "ask.review") {
			t.Errorf("%q under the list: %s", no, ids)
		}
		if d := c.session().Draft; d.FacilityID != 0 || d.FacilityText != "Orange County" {
			t.Errorf("%q under the list: facility %d %q, want what was typed kept", no, d.FacilityID, d.FacilityText)
		}
		c.expect(c.change("facility"), "ask.facility", "answer.current")
		c.expect(c.send("Orange County"), "ask.facility_pick")
	}
}

// "Нет ничего срочного", "no nothing urgent": the no and the caption of
// the button that says nothing is, typed together without a comma; they
// were "choose a button" at the question of what is urgent.
func TestNoWithTheNothingCaption(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, typed string }{{"ru", "нет ничего срочного"}, {"en", "No nothing urgent"}} {
		c := newChat(t, tt.lang)
		fillToReview(c)
		c.expect(c.change("urgent"), "ask.urgent")
		c.press("btn.urgent") // a sign on, for the no to take off
		if len(c.session().Draft.Urgent) == 0 {
			t.Fatal("no urgent sign set")
		}
		if ids := describe(c.send(tt.typed)); ids != "ask.review" {
			t.Errorf("%q: %s, want the review", tt.typed, ids)
		}
		if u := c.session().Draft.Urgent; len(u) != 0 {
			t.Errorf("%q: urgent %v, want none", tt.typed, u)
		}
	}
}

// "Send", "отправить" typed under the review send the report — the word of
// its button; they were kept as "you also wrote" and the review shown
// again. A bare "да" is still told how to send.
func TestSendTypedAtTheReview(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, typed string }{{"en", "send"}, {"en", "Yes, send it"}, {"ru", "Отправить"}} {
		c := newChat(t, tt.lang)
		fillToReview(c)
		c.expect(c.send("да"), "review.say_send", "ask.review")
		r := c.send(tt.typed)
		c.expect(r, "report.done")
		rep, _, err := c.cases.Get(context.Background(), data(r, "report.done", "Code"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.ToLower(rep.Facts.Said), "send") || strings.Contains(rep.Facts.Said, "тправ") {
			t.Errorf("%q kept for the volunteer: %q", tt.typed, rep.Facts.Said)
		}
	}
}

// "Да" typed to /forget's question is told that only its button erases
// (it cannot be undone), "нет" keeps everything; both got the greeting,
// and a person who typed "да" could believe their data erased. "English
// please" at the menu switches the language (it was offered as news).
func TestForgetAndLanguageInWords(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	p := w.person(7001, "ru")
	p.command("start", "")
	p.received()
	p.send("удалите мои данные")
	p.expectGot("forget.ask")
	p.send("да")
	p.expectGot("forget.press+forget.ask")
	p.send("да, конечно") // in more words, the same
	p.expectGot("forget.press+forget.ask")
	p.send("нет, спасибо")
	p.expectGot("forget.kept_all+menu.choose")
	p.send("да") // the question is no longer the last asked
	p.expectGot("menu.greeting")

	for _, tt := range []struct{ typed, lang string }{{"english please", "en"}, {"по-русски", "ru"}, {"In English", "en"}} {
		rs := p.send(tt.typed)
		if len(rs) != 1 || rs[0].Lang != tt.lang || rs[0].Texts[0].ID != "language.set" {
			t.Errorf("%q: %v in %s, want the language set to %s", tt.typed, describeAll(rs), rs[0].Lang, tt.lang)
		}
	}
}

// A question at the menu that names one useful-information topic gets its
// page, with the volunteer a button away; one that names two, or none,
// is told the bot cannot read it. It said so to every question.
func TestQuestionGetsItsPage(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	p := w.person(7001, "ru")
	for _, tt := range []struct{ typed, want string }{
		{"Как найти человека в локаторе?", "info.page.locator"},
		{"сколько стоит адвокат", "info.page.legal"},
		{"Можно ли ему передать деньги?", "info.page.facility"},
		{"how do we contact the consulate?", "info.page.consulate"},
		{"где он находится?", "info.page.locator"},
		{"как найти адвоката?", "info.page.legal"},    // "найти" names the locator too, but only seeks
		{"адвокат или консульство?", "menu.question"}, // two topics
		{"а вы работаете в выходные?", "menu.question"},
		{"что нам делать?", "menu.help_offer"}, // the two ways, the volunteer one of them
		// Asking for something is asking, without a question mark: it
		// got the greeting.
		{"мне нужен адвокат", "info.page.legal"},
		{"посоветуйте адвоката", "info.page.legal"},
		{"I need a lawyer", "info.page.legal"},
	} {
		rs := p.send(tt.typed)
		if len(rs) != 1 || describe(rs[0]) != tt.want {
			t.Errorf("%q: %v, want %s", tt.typed, describeAll(rs), tt.want)
			continue
		}
		if names := buttonNames(rs[0]); !slices.Contains(names, "btn.menu_volunteer") {
			t.Errorf("%q: no volunteer button: %v", tt.typed, names)
		}
	}
	// How to see a case's status: the code is asked for, as "Check a
	// case" asks; it was "the bot cannot read questions".
	for i, typed := range []string{"как проверить статус дела?", "How do I check the status of a case?"} {
		if rs := w.person(7101+int64(i), "ru").send(typed); len(rs) != 1 || describe(rs[0]) != "check.ask" {
			t.Errorf("%q: %v, want check.ask", typed, describeAll(rs))
		}
	}
}

// A name typed after who the person is ("Мой сын Алексей Смирнов", "my
// husband, jose garcia") is the name, the words kept for the volunteer; it
// was transliterated "Moi syn Aleksei Smirnov". A name typed in small
// letters is written with capitals.
func TestNameAfterWhoTheyAre(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		lang, typed, cyr, latin string
		kept                    bool
	}{
		{"ru", "Мой сын Алексей Смирнов", "Алексей Смирнов", "", true},
		{"en", "my husband, jose garcia", "", "Jose Garcia", true},
		{"ru", "иван петров", "Иван Петров", "", false},
		{"ru", "Это моя жена — Мария Иванова", "Мария Иванова", "", true},
		{"ru", "Брат, Иван Петров", "Иван Петров", "", true},
		{"en", "Son Heung-min", "", "Son Heung-min", false},
	} {
		c := newChat(t, tt.lang)
		startReport(c)
		c.send(tt.typed)
		d := c.session().Draft
		if d.NameCyrillic != tt.cyr || d.NameLatin != tt.latin {
			t.Errorf("%q: name %q / %q, want %q / %q", tt.typed, d.NameCyrillic, d.NameLatin, tt.cyr, tt.latin)
		}
		if kept := strings.Contains(d.Facts.Said, tt.typed); kept != tt.kept {
			t.Errorf("%q: kept for the volunteer %v, want %v (%q)", tt.typed, kept, tt.kept, d.Facts.Said)
		}
	}
}

// TestRelativeDatesAreTheZonesDays: "сегодня" and "вчера" are the days
// where the hotline's callers live (Config.Zone), not UTC's: at 6 pm on a
// Saturday in California it is already Sunday in UTC, and "задержали
// сегодня" was kept as Sunday, said back as such.
func TestRelativeDatesAreTheZonesDays(t *testing.T) {
	t.Parallel()
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	a := newApp(t, appOptions{Config: flows.Config{Zone: la}})
	a.now = time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC) // Saturday, December 5, 6 pm in Los Angeles
	c := &chat{testApp: a, id: 7000001, langCode: "ru", sent: map[int]flows.Reply{}}
	fillToReview(c)
	for _, tt := range []struct{ typed, want, weekday string }{
		{"сегодня", "2026-12-05", "weekday.6"},
		{"вчера", "2026-12-04", "weekday.5"},
	} {
		c.expect(c.change("detained_on"), "ask.detained_on", "answer.current")
		r := c.send(tt.typed)
		if got := c.session().Draft.DetainedOn; got != tt.want {
			t.Errorf("%q at 6 pm in Los Angeles: %s, want %s", tt.typed, got, tt.want)
		}
		if !strings.Contains(c.rendered(r), c.cat.Render("ru", flows.T(tt.weekday))) {
			t.Errorf("%q said back:\n%s", tt.typed, c.rendered(r))
		}
		c.expect(r, "date.understood", "ask.review")
	}
}

// What got the greeting, or "I'm a bot and cannot answer", at the menu:
// a phone number to be called back on, a question about the hotline's
// phone, a hearing mentioned, asking for "someone" to talk to.
func TestMenuPhonesTopicsAndSomeone(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	at := func(lang, typed string) (*chat, flows.Reply) {
		c := &chat{testApp: a, id: a.nextChat(), langCode: lang, sent: map[int]flows.Reply{}}
		c.command("start", "")
		return c, c.send(typed)
	}
	for _, typed := range []string{"+1 305 555 0100 позвоните мне пожалуйста", "мой номер 3055550100"} {
		c, r := at("ru", typed)
		c.expect(r, "menu.phone")
		if got := buttonNames(r); len(got) < 2 || got[0] != "btn.menu_report" || got[1] != "btn.menu_volunteer" {
			t.Errorf("%q: buttons %v", typed, got)
		}
		if got := c.session().SaidText; got != typed {
			t.Errorf("%q: not kept for the volunteer", typed)
		}
	}
	for _, typed := range []string{"12.03.2026", "его A номер 123-456-789", "я забыла указать A-номер: 123456789"} {
		if _, r := at("ru", typed); slices.Contains(textIDs(r), "menu.phone") {
			t.Errorf("%q read as a phone: %v", typed, textIDs(r))
		}
	}

	for _, tt := range []struct{ lang, typed string }{
		{"ru", "какой у вас телефон?"}, {"ru", "Можно позвонить на горячую линию?"}, {"en", "what's your phone number?"},
		{"en", "can I call the hotline?"},
	} {
		c, r := at(tt.lang, tt.typed)
		c.expect(r, "menu.hotline_phone")
		if got := c.rendered(r); !strings.Contains(got, "+1 555 0100") {
			t.Errorf("%q: the hotline's phone is not in\n%s", tt.typed, got)
		}
	}
	if _, r := at("ru", "какой у него телефон?"); slices.Contains(textIDs(r), "menu.hotline_phone") {
		t.Errorf("a question about his phone got the hotline's")
	}

	for _, tt := range []struct{ lang, typed string }{{"ru", "у меня суд завтра"}, {"en", "I have court tomorrow"}} {
		c, r := at(tt.lang, tt.typed)
		c.expect(r, "info.page.legal")
	}

	for _, tt := range []struct{ lang, typed string }{
		{"en", "I need to talk to someone"}, {"en", "can I speak to someone?"}, {"ru", "можно с кем-нибудь поговорить?"},
	} {
		_, r := at(tt.lang, tt.typed)
		if ids := textIDs(r); len(ids) == 0 || ids[0] != "handoff.joined" {
			t.Errorf("%q: %v, want the queue for a volunteer", tt.typed, ids)
		}
	}
}

// "Мне страшно" at the menu gets a person first: a volunteer to talk to
// now, the report a button below. From a reporter it was offered as news
// of their case; from others it got the greeting.
func TestAfraidGetsAPerson(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	reporter := reportTo(a, "ru", "ask.review")
	reporter.press("btn.confirm")
	stranger := &chat{testApp: a, id: a.nextChat(), langCode: "en", sent: map[int]flows.Reply{}}
	stranger.command("start", "")
	for _, tt := range []struct {
		c     *chat
		typed string
	}{
		{reporter, "мне очень страшно"}, {reporter, "я боюсь за него"}, {stranger, "I'm so scared"},
		{stranger, "паника, не знаю что делать"},
	} {
		r := tt.c.send(tt.typed)
		if got := textIDs(r); !slices.Equal(got, []string{"menu.afraid"}) {
			t.Errorf("%q: %v, want a person offered", tt.typed, got)
			continue
		}
		if got := buttonNames(r); len(got) < 2 || got[0] != "btn.menu_volunteer" || got[1] != "btn.menu_report" {
			t.Errorf("%q: buttons %v, want a volunteer first", tt.typed, got)
		}
	}
	if ids := textIDs(stranger.press("btn.menu_volunteer")); !slices.ContainsFunc(ids, func(id string) bool {
		return strings.HasPrefix(id, "handoff.")
	}) {
		t.Errorf("a volunteer pressed: %v, want the queue", ids)
	}
}

// A mistyped command ("/strat", "/repot", "/chekin") is answered with the
// command it most likely was, not only "I don't know that command"; one
// that is near none, or near two, is not.
func TestMistypedCommandSuggested(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	for _, tt := range []struct{ typed, want string }{
		{"strat", "/start?"}, {"repot", "/report?"}, {"chekin", "/checkin?"}, {"mycase", "/mycases?"},
		{"langauge", "/language?"}, {"frobnicate", ""}, {"ne", ""},
	} {
		c := &chat{testApp: a, id: a.nextChat(), langCode: "en", sent: map[int]flows.Reply{}}
		r := c.command(tt.typed, "")
		got := c.rendered(r)
		if tt.want == "" {
			if slices.Contains(textIDs(r), "command.maybe") {
				t.Errorf("/%s: a command suggested:\n%s", tt.typed, got)
			}
			continue
		}
		if !slices.Contains(textIDs(r), "command.unknown") || !strings.Contains(got, tt.want) {
			t.Errorf("/%s: %v, want %s suggested:\n%s", tt.typed, textIDs(r), tt.want, got)
		}
	}
}

// "Вы из ICE?", "кто вы?", "is this a trap?" at the menu get who the
// hotline is and who sees what is written: "are you ICE?" got the offer to
// report a detention for its "ICE". A check-in with a detention feared
// ("боюсь, что задержат") gets the check-in's safety line, where it got the
// offer to report; a family separated at the border, that offer (it got
// the greeting).
func TestWhoWeAreAndFearsAtTheMenu(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	for _, tt := range []struct{ lang, typed, want string }{
		{"ru", "вы из ICE?", "menu.about"}, {"en", "are you ICE?", "menu.about"}, {"ru", "кто вы?", "menu.about"},
		{"ru", "это не ловушка?", "menu.about"}, {"en", "who are you", "menu.about"},
		{"ru", "у меня чекин завтра, боюсь что задержат", "menu.checkin_offer"},
		{"en", "I have a check-in tomorrow and I'm afraid they will detain me", "menu.checkin_offer"},
		{"ru", "мужа забрали на чекине", "menu.report_offer"},
		{"ru", "нас разлучили на границе", "menu.report_offer"}, {"en", "we were separated at the border", "menu.report_offer"},
		{"en", "where did they take him", "info.page.locator"},
	} {
		c := &chat{testApp: a, id: a.nextChat(), langCode: tt.lang, sent: map[int]flows.Reply{}}
		c.command("start", "")
		r := c.send(tt.typed)
		if got := textIDs(r); !slices.Contains(got, tt.want) {
			t.Errorf("%q: %v, want %s", tt.typed, got, tt.want)
			continue
		}
		if tt.want == "menu.about" && !strings.Contains(c.rendered(r), "ICE") {
			t.Errorf("%q: %s", tt.typed, c.rendered(r))
		}
	}
}

// A release told at the menu by someone with no case here ("мужа
// выпустили") gets what may come after it, a volunteer and the check-in's
// safety line a button away; it got the greeting. A reporter's is news of
// their case, as before.
func TestReleaseToldAtTheMenu(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	for _, typed := range []string{"мужа выпустили", "его отпустили под залог", "my husband was released"} {
		c := &chat{testApp: a, id: a.nextChat(), langCode: "ru", sent: map[int]flows.Reply{}}
		c.command("start", "")
		r := c.send(typed)
		if got := textIDs(r); !slices.Equal(got, []string{"menu.released"}) {
			t.Errorf("%q: %v, want what comes after a release", typed, got)
			continue
		}
		if got := buttonNames(r); len(got) < 2 || got[0] != "btn.menu_volunteer" || got[1] != "btn.menu_checkin" {
			t.Errorf("%q: buttons %v", typed, got)
		}
	}
	reporter := reportTo(a, "ru", "ask.review")
	reporter.press("btn.confirm")
	if got := textIDs(reporter.send("его отпустили!")); !slices.Contains(got, "casework.news_offer") {
		t.Errorf("a reporter's release: %v, want it offered as news", got)
	}
}

// ICE at the door now ("ICE is at my door", "айс стучат в дверь") gets a
// volunteer first and the report a button below; it got the offer to
// report a detention, "about ten minutes of questions", while it happens.
// One that happened is still that offer.
func TestICEAtTheDoorNow(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	for _, tt := range []struct{ lang, typed, want string }{
		{"en", "ICE is at my door right now", "menu.ice_now"}, {"en", "ICE is outside my house", "menu.ice_now"},
		{"ru", "айс стучат в дверь", "menu.ice_now"}, {"ru", "агенты ICE стоят у дома", "menu.ice_now"},
		{"en", "ICE picked up my brother yesterday", "menu.report_offer"},
	} {
		c := &chat{testApp: a, id: a.nextChat(), langCode: tt.lang, sent: map[int]flows.Reply{}}
		c.command("start", "")
		r := c.send(tt.typed)
		if got := textIDs(r); !slices.Equal(got, []string{tt.want}) {
			t.Errorf("%q: %v, want %s", tt.typed, got, tt.want)
			continue
		}
		if tt.want == "menu.ice_now" {
			if got := buttonNames(r); len(got) < 2 || got[0] != "btn.menu_volunteer" || got[1] != "btn.menu_report" {
				t.Errorf("%q: buttons %v, want a volunteer first", tt.typed, got)
			}
		}
	}
}

// Said at the main menu, each got the greeting or "I am a bot and cannot
// answer questions": someone held who needs medical care ("ему плохо, не
// дают лекарства", "he is on hunger strike") now gets a volunteer first
// and the report, where it is an urgent matter, below — from a reporter,
// the news of their case, a volunteer below; "is it safe to write here?"
// from someone without papers gets who sees what is written; "перезвоните
// мне" gets that the bot cannot call, the hotline's phone, and a
// volunteer; a transfer under way ("they are sending him to Louisiana")
// gets the offer to report; "что делать?" the two ways, where it was "I
// cannot answer questions" without the report. Words that only look alike do not: "he is
// illegal", "мне плохо" (fear, not medicine), "позвоню завтра".
func TestMedicalSafeAndCallBackAtTheMenu(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	for _, tt := range []struct{ lang, typed, want string }{
		{"en", "he is sick and not getting his medicine", "menu.medical"}, {"en", "he is on hunger strike", "menu.medical"},
		{"en", "my husband needs insulin and they won't give it", "menu.medical"},
		{"ru", "ему плохо, не дают лекарства", "menu.medical"}, {"ru", "он объявил голодовку", "menu.medical"},
		{"ru", "брат болеет а врача не дают", "menu.medical"}, {"en", "my son needs a doctor", "menu.medical"},
		{"en", "I have a doctor's appointment tomorrow", ""},
		{"en", "I don't have papers, is it safe to write here?", "menu.about"},
		{"ru", "у меня нет документов, тут безопасно писать?", "menu.about"},
		{"ru", "перезвоните мне", "menu.call_back"}, {"en", "can someone call me?", "menu.call_back"},
		{"ru", "перезвоните мне, мой номер +1 305 555 0199", "menu.phone"},
		{"en", "they are sending him to Louisiana", "menu.report_offer"}, {"ru", "его везут в Техас", "menu.report_offer"},
		{"en", "he is illegal", ""}, {"ru", "мне плохо", "menu.afraid"}, {"ru", "позвоню завтра", ""},
		// What to do, asked just after telling of a detention.
		{"ru", "что делать?", "menu.help_offer"}, {"en", "What should I do now?", "menu.help_offer"},
		{"en", "what do I do with the code?", ""},
	} {
		c := &chat{testApp: a, id: a.nextChat(), langCode: tt.lang, sent: map[int]flows.Reply{}}
		c.command("start", "")
		r := c.send(tt.typed)
		got := textIDs(r)
		for _, id := range []string{"menu.medical", "menu.about", "menu.call_back", "menu.phone", "menu.report_offer", "menu.afraid",
			"menu.help_offer"} {
			if slices.Contains(got, id) != (id == tt.want) {
				t.Errorf("%q: %v, want %q", tt.typed, got, tt.want)
				break
			}
		}
		switch tt.want {
		case "menu.medical":
			if b := buttonNames(r); len(b) < 2 || b[0] != "btn.menu_volunteer" || b[1] != "btn.menu_report" {
				t.Errorf("%q: buttons %v, want a volunteer first, then the report", tt.typed, b)
			}
		case "menu.call_back":
			if !strings.Contains(c.rendered(r), "+1 555 0100") {
				t.Errorf("%q: %s\nwant the hotline's phone", tt.typed, c.rendered(r))
			}
		}
	}
	reporter := reportTo(a, "ru", "ask.review")
	reporter.press("btn.confirm")
	r := reporter.send("ему плохо, не дают лекарства")
	if got := textIDs(r); !slices.Contains(got, "casework.news_offer") || !slices.Contains(buttonNames(r), "btn.menu_volunteer") {
		t.Errorf("a reporter's «ему плохо, не дают лекарства»: %v %v, want it offered as news, a volunteer a button away", got, buttonNames(r))
	}
	// "Что делать?" from one with a case: where it stands and a volunteer,
	// not the offer to report it again.
	r = reporter.send("что делать?")
	if got := textIDs(r); !slices.Contains(got, "menu.news_question") || slices.Contains(buttonNames(r), "btn.menu_report") ||
		!slices.Contains(buttonNames(r), "btn.menu_volunteer") {
		t.Errorf("a reporter's «что делать?»: %v %v, want where the case stands and a volunteer", got, buttonNames(r))
	}
}

// TestAnswerLater: "I have it at home, will send later" at the A-number is
// not a wrong A-number asked for again: it is not known for now, the
// reporter is told where to send it once they have it, and the words are
// kept for the volunteer. A story that says "later" is still the story.
func TestAnswerLater(t *testing.T) {
	t.Parallel()
	c := newChat(t, "en")
	toANumberBorn(c, "01.01.1980", "Mexico")
	c.expect(c.send("i have it at home, will send later"), "input.later", "ask.detained_on")
	d := c.session().Draft
	if d.ANumber != "" || !strings.Contains(d.Facts.Said, "will send later") {
		t.Errorf("A-number %q, kept %q: want none, and the words kept", d.ANumber, d.Facts.Said)
	}
	fillReport(c, []answer{
		{send: "01.03.2026", want: "ask.circumstance"},
		{press: "circ.border", want: "ask.details"},
	})
	// The story is the story.
	c.expect(c.send("They said he will be moved, we will find out more later"), "ask.facility")
	if got := c.session().Draft.CircumstanceNote; !strings.Contains(got, "find out more later") {
		t.Errorf("details %q, want the story as typed", got)
	}
	// Sent later at the menu, the A-number is offered as the case's news,
	// not as a report of someone else.
	answerTo(c, "ask.review")
	c.expect(c.press("btn.confirm"), "report.done")
	c.send("/start")
	for _, typed := range []string{"His A-number is A 123-456-789", "He was detained at the check-in, A-number A123456789"} {
		if r := c.send(typed); !slices.Contains(textIDs(r), "casework.news_offer") || buttonNames(r)[0] != "btn.news_send" {
			t.Errorf("%q at the menu: %v %v, want it offered as news first", typed, textIDs(r), buttonNames(r))
		}
	}

	r := newChat(t, "ru")
	startReport(r)
	fillReport(r, []answer{
		{send: "Иван Петров", want: "ask.name_latin"},
		{press: "btn.use_translit", want: "ask.name_other"},
		{press: "btn.dont_know", want: "ask.birth_date"},
	})
	r.expect(r.send("точно не помню, документы дома, потом скину"), "input.later", "ask.birth_country")
	if d := r.session().Draft; d.BirthDate != "" {
		t.Errorf("birth date %q, want none", d.BirthDate)
	}

	// At the office, the paper at home: not known now either.
	e := newChat(t, "en")
	toANumberBorn(e, "01.01.1980", "Mexico")
	e.expect(e.send("its on the paper at home, I'm at the office now"), "input.later", "ask.detained_on")
	// Not remembered, in the papers; not with one, without an apostrophe.
	for _, typed := range []string{"не помню, где-то в бумагах", "dont remember, its somewhere in the papers",
		"i dont have it with me"} {
		e := newChat(t, "en")
		toANumberBorn(e, "01.01.1980", "Mexico")
		e.expect(e.send(typed), "input.later", "ask.detained_on")
	}
}

// TestFacilityNamedAmongThoseShown: "the transitional center" typed under
// Broward County Jail and Broward Transitional Center is the one of them it
// names, said back; it was a new search that showed that one again, to be
// pressed. "Broward" again, which names both, is still a new search.
func TestFacilityNamedAmongThoseShown(t *testing.T) {
	t.Parallel()
	c := newChat(t, "en")
	fillToReview(c)
	c.expect(c.change("facility"), "ask.facility", "answer.current")
	r := c.send("i think they took him to broward")
	c.expect(r, "ask.facility_pick")
	if n := len(r.Buttons) - 3; n < 2 {
		t.Fatalf("«broward» found %d facilities, want both Broward ones", n)
	}
	c.expect(c.send("Broward"), "ask.facility_pick")
	r = c.send("the transitional center")
	c.expect(r, "input.read_as", "ask.review")
	if d := c.session().Draft; d.FacilityID == 0 || !strings.Contains(c.rendered(r), "Broward Transitional Center") {
		t.Errorf("«the transitional center»: facility %d %q\n%s", d.FacilityID, d.FacilityText, c.rendered(r))
	}
}

// TestYearAlone: a final order known by its year alone ("2019", "в 2019
// году") is kept as that year, said back; it was "couldn't read that date,
// write it in figures". The day of a detention typed as a year alone is
// asked for its month and day, with the button for a day not known.
func TestYearAlone(t *testing.T) {
	t.Parallel()
	r := newChat(t, "ru")
	fillToReview(r)
	r.expect(r.change("stage"), "ask.stage", "answer.current")
	r.expect(r.press("stage.final_order"), "ask.final_order")
	for i, typed := range []string{"2019", "в 2019 году"} {
		if i > 0 {
			r.expect(r.change("final_order"), "ask.final_order", "answer.current")
		}
		rs := r.send(typed)
		r.expect(rs, "date.understood", "ask.review")
		if got := r.session().Draft.Facts.FinalOrder; got != "2019" || !strings.Contains(r.rendered(rs), "2019 (только год)") {
			t.Errorf("%q at the final order: %q\n%s", typed, got, r.rendered(rs))
		}
	}

	c := newChat(t, "en")
	fillToReview(c)
	c.expect(c.change("detained_on"), "ask.detained_on", "answer.current")
	c.expect(c.send("2025"), "parse.date_year", "ask.detained_on", "answer.current")
	c.expect(c.send("in 2025 I think"), "parse.date_year", "input.kept", "ask.detained_on", "answer.current")
	c.expect(c.send("03.03.2025"), "ask.review")
}

// TestDateWithTheYes: "he called once on Thursday" at "can the person call
// out?" is a yes and the day of the last call, said back; "when did the
// person last call?" was asked next, of a day just told. So with a
// transfer: "да, в понедельник перевели".
func TestDateWithTheYes(t *testing.T) {
	t.Parallel()
	c := newChat(t, "en")
	startReport(c)
	answerTo(c, "ask.can_call")
	c.expect(c.send("he called once on thursday"), "input.read_as", "date.understood", "ask.phone_account")
	x := c.session().Draft.Facts
	if d, err := time.Parse(time.DateOnly, x.LastCall); x.CanCall != "yes" || err != nil || d.Weekday() != time.Thursday ||
		d.After(c.now) || c.now.Sub(d) > 7*24*time.Hour {
		t.Errorf("can call %q, last call %q, want yes and the Thursday before %s", x.CanCall, x.LastCall, c.now)
	}

	r := newChat(t, "ru")
	startReport(r)
	answerTo(r, "ask.transfer")
	r.expect(r.send("да, в понедельник перевели"), "input.read_as", "date.understood", "ask.transfer_from")
	r.expect(r.send("Krome"), "ask.lawyer")
	if x := r.session().Draft.Facts; x.Transferred != "yes" || x.TransferFrom != "Krome" || x.TransferOn == "" {
		t.Errorf("transfer %q from %q on %q", x.Transferred, x.TransferFrom, x.TransferOn)
	}
	// A yes with no day asks for it.
	e := newChat(t, "en")
	startReport(e)
	answerTo(e, "ask.can_call")
	e.expect(e.send("yes he calls sometimes"), "input.read_as", "ask.last_call")
}

// TestQuestionWithAPageMidReport: "how do I put money on it?" at the phone
// account question is told of the useful information's page on it, a
// button under the question; the page's "done" goes back to the question.
// It was only "I am a bot and cannot answer questions here".
func TestQuestionWithAPageMidReport(t *testing.T) {
	t.Parallel()
	c := newChat(t, "en")
	startReport(c)
	answerTo(c, "ask.phone_account")
	r := c.send("how do I put money on it?")
	c.expect(r, "report.question_page", "ask.phone_account")
	if got := c.rendered(r); !strings.Contains(got, "Phone calls, money and visits") {
		t.Errorf("the question's answer names no page:\n%s", got)
	}
	c.expect(c.press("btn.info_page"), "info.page.facility")
	c.expect(c.press("btn.info_done"), "ask.phone_account")
	// "How do I set that up?" names no subject: at this question it is
	// the page on calls and money.
	c.expect(c.send("how do I set that up?"), "report.question_page", "ask.phone_account")
	e := newChat(t, "ru")
	startReport(e)
	answerTo(e, "ask.lawyer")
	e.expect(e.send("а как это сделать?"), "report.question_page", "ask.lawyer")
	e.expect(e.press("btn.info_page"), "info.page.legal")
	// A question no page answers has no such button.
	r = c.send("will you call me?")
	c.expect(r, "report.question_kept", "ask.phone_account")
	if slices.Contains(buttonNames(r), "btn.info_page") {
		t.Errorf("a page offered for «will you call me?»: %v", buttonNames(r))
	}
}

// TestNameWithRelation: "Alex, his brother in law" at "what is your
// name?" is the name and the answer to "how are you related?", said back,
// and that question is not asked; it was all kept as the name.
func TestNameWithRelation(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, typed, name, rel string }{
		{"en", "Alex, his brother in law", "Alex", "brother in law"},
		{"en", "Anna - a friend", "Anna", "friend"},
		{"ru", "Мария (жена)", "Мария", "жена"},
		// The relation first.
		{"en", "I'm his mom, Rosa", "Rosa", "mom"},
		{"ru", "я его сестра, Мария", "Мария", "сестра"},
		{"ru", "я его жена Оля", "Оля", "жена"}, // without the comma
		{"en", "I'm his mom Rosa", "Rosa", "mom"},
	} {
		c := newChat(t, tt.lang)
		startReport(c)
		answerTo(c, "ask.reporter_name")
		c.expect(c.send(tt.typed), "report.name_relation", "ask.contact")
		if d := c.session().Draft; d.ReporterName != tt.name || d.Relationship != tt.rel {
			t.Errorf("%q: name %q, relationship %q", tt.typed, d.ReporterName, d.Relationship)
		}
	}
	// A name with words that are no relation is the name, as typed.
	c := newChat(t, "en")
	startReport(c)
	answerTo(c, "ask.reporter_name")
	c.expect(c.send("Alex, from Miami"), "ask.relationship")
	// Who they are alone ("Мама", "I'm his sister"): that, the next
	// question's answer, and the name asked again; "Мама" was the name.
	for _, tt := range []struct{ lang, typed, rel string }{{"ru", "Мама", "Мама"}, {"en", "I'm his sister", "sister"}} {
		c := newChat(t, tt.lang)
		startReport(c)
		answerTo(c, "ask.reporter_name")
		c.expect(c.send(tt.typed), "report.relation_noted", "ask.reporter_name")
		c.expect(c.send("Оля"), "ask.contact")
		if d := c.session().Draft; d.ReporterName != "Оля" || d.Relationship != tt.rel {
			t.Errorf("%q: name %q, relationship %q", tt.typed, d.ReporterName, d.Relationship)
		}
	}
}

// TestNothingFiledInWords: "no nothing yet" at "has anything been
// filed?" is its button, "nothing / I don't know"; it was kept as the
// answer ("Appeals, petitions: no nothing yet").
func TestNothingFiledInWords(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, typed string }{
		{"en", "no nothing yet"}, {"en", "nothing filed so far"}, {"ru", "пока ничего не подавали"}, {"ru", "нет, ничего"},
	} {
		c := newChat(t, tt.lang)
		startReport(c)
		answerTo(c, "ask.appeals")
		c.expect(c.send(tt.typed), "ask.flight")
		if got := c.session().Draft.Appeals; got != "" {
			t.Errorf("%q: appeals %q, want none", tt.typed, got)
		}
	}
	c := newChat(t, "en")
	startReport(c)
	answerTo(c, "ask.appeals")
	c.send("no appeal yet, but a motion to reopen was filed in May")
	if got := c.session().Draft.Appeals; got == "" {
		t.Errorf("a motion told: appeals none")
	}
}

// TestAsylumWithoutCourt: an asylum application with USCIS, and no court
// case, is a stage of its own; it had none, and "асайлум подавали в 2023,
// интервью еще не было" was only kept for the volunteer. Said beside a
// court, both are offered first; asylum alone may be a court's case.
func TestAsylumWithoutCourt(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, typed string }{
		{"ru", "асайлум подавали в 2023, интервью еще не было"},
		{"en", "he applied for asylum with uscis last year"},
	} {
		c := newChat(t, tt.lang)
		startReport(c)
		answerTo(c, "ask.stage")
		c.expect(c.send(tt.typed), "input.read_as", "ask.appeals")
		if got := c.session().Draft.Facts.Stage; got != "asylum" {
			t.Errorf("%q: stage %q, want asylum", tt.typed, got)
		}
	}
	c := newChat(t, "ru")
	startReport(c)
	answerTo(c, "ask.stage")
	r := c.send("интервью в USCIS было, теперь суд")
	if got := buttonNames(r); len(got) < 2 || !slices.Equal(got[:2], []string{"stage.asylum", "stage.judge"}) {
		t.Errorf("buttons %v, want asylum and the judge first", got)
	}
	e := newChat(t, "ru")
	startReport(e)
	answerTo(e, "ask.stage")
	e.send("судья отказал в убежище, подали апелляцию")
	if got := e.session().Draft.Facts.Stage; got != "bia" {
		t.Errorf("stage %q after an appeal of the judge's denial, want bia", got)
	}
}

// TestFinalOrderIsUrgent: a report at a final order of removal is marked
// urgent, as its card shows volunteers ("final order of removal: can be
// deported any day"); it looked like any other case. Changed to another
// stage, the mark goes.
func TestFinalOrderIsUrgent(t *testing.T) {
	t.Parallel()
	c := newChat(t, "en")
	startReport(c)
	answerTo(c, "ask.stage")
	c.expect(c.press("stage.final_order"), "ask.final_order")
	answerTo(c, "ask.review")
	if got := c.session().Draft.Urgent; !slices.Contains(got, flows.UrgentFinalOrder) {
		t.Fatalf("urgent %v at a final order", got)
	}
	// The reporter's review does not show the volunteers' words for it.
	if r := c.rendered(c.last); strings.Contains(r, "can be deported any day") {
		t.Errorf("the reporter's review shows the mark:\n%s", r)
	}
	c.expect(c.change("stage"), "ask.stage", "answer.current")
	c.expect(c.press("stage.judge"), "ask.review")
	if got := c.session().Draft.Urgent; slices.Contains(got, flows.UrgentFinalOrder) {
		t.Errorf("urgent %v after the stage was changed", got)
	}
	c.expect(c.change("stage"), "ask.stage", "answer.current")
	c.expect(c.send("there is a deportation order"), "input.read_as", "ask.final_order")
	c.expect(c.press("btn.dont_know"), "ask.review")
	r := c.press("btn.confirm")
	// Urgent from the answers, not "you marked the situation as urgent".
	c.expect(r, "report.done", "report.urgent_offer_found")
	code := data(r, "report.done", "Code")
	stored, _, err := c.cases.Get(context.Background(), code)
	if err != nil || !slices.Contains(stored.Urgent, flows.UrgentFinalOrder) {
		t.Errorf("stored urgent %v, %v; want the final order's mark", stored.Urgent, err)
	}
	card, _ := flows.Card(flows.CaseView{Code: code, Status: flows.StatusNew, Urgent: stored.Urgent}, flows.CardAnnounce)
	if got := c.cat.Render("en", card...); !strings.Contains(got, "final order of removal") || !strings.Contains(got, "🔴") {
		t.Errorf("card:\n%s", got)
	}
}

// TestDateInsideWords: "в четверг утром, пришли домой" at "when was the
// person detained?" is the Thursday it names, said back, the words kept
// for the volunteer; it was "couldn't read that date". Two dates named
// are still asked about.
func TestDateInsideWords(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	fillToReview(c)
	c.expect(c.change("detained_on"), "ask.detained_on", "answer.current")
	c.expect(c.send("в четверг утром, пришли домой"), "date.understood", "input.kept", "ask.review")
	d := c.session().Draft
	if got, err := time.Parse(time.DateOnly, d.DetainedOn); err != nil || got.Weekday() != time.Thursday ||
		got.After(c.now) || !strings.Contains(d.Facts.Said, "пришли домой") {
		t.Errorf("detained on %q, kept %q", d.DetainedOn, d.Facts.Said)
	}
	c.expect(c.change("detained_on"), "ask.detained_on", "answer.current")
	c.expect(c.send("не то в четверг, не то в пятницу"), "parse.date", "input.kept", "ask.detained_on", "answer.current")

	e := newChat(t, "en")
	fillToReview(e)
	e.expect(e.change("hearing"), "ask.hearing", "answer.current")
	e.expect(e.send("the judge set it for next friday I think"), "date.understood", "input.kept", "ask.review")
	if got, err := time.Parse(time.DateOnly, e.session().Draft.HearingDate); err != nil || got.Weekday() != time.Friday ||
		got.Before(e.now) {
		t.Errorf("hearing %q", e.session().Draft.HearingDate)
	}
}

// TestFacilityGuessed: "не знаю, наверное Krome" at "where is the person
// held?" looks Krome up, and the places found are offered with "I don't
// know" beside them; the guess was dropped with "I don't know".
func TestFacilityGuessed(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	fillToReview(c)
	c.expect(c.change("facility"), "ask.facility", "answer.current")
	r := c.send("не знаю точно, наверное Krome")
	c.expect(r, "ask.facility_pick")
	if d := c.session().Draft; d.FacilityText != "Krome" || !strings.Contains(d.Facts.Said, "точно, наверное Krome") {
		t.Errorf("searched for %q, kept %q", d.FacilityText, d.Facts.Said)
	}
	if !slices.Contains(buttonNames(r), "btn.dont_know") {
		t.Errorf("no «I don't know» under the guess: %v", buttonNames(r))
	}
	// Without a guess it is "I don't know".
	c.expect(c.press("btn.dont_know"), "ask.review")
	c.expect(c.change("facility"), "ask.facility", "answer.current")
	c.expect(c.send("не знаю, не говорят"), "input.kept", "ask.review")
	// The guess may come after the words of a place, or end with the
	// hedge.
	e := newChat(t, "en")
	fillToReview(e)
	e.expect(e.change("facility"), "ask.facility", "answer.current")
	e.expect(e.send("not sure, somewhere near Houston probably"), "ask.facility_pick")
	if d := e.session().Draft; d.FacilityText != "Houston" {
		t.Errorf("searched for %q, want Houston", d.FacilityText)
	}
}

// TestNoPatronymicInLatin: "Кузнецов Сергей Николаевич" is offered in
// Latin letters as "Kuznetsov Sergei" (or Sergey), as a passport for
// travel and US papers write it, and the reporter is told why; the
// patronymic was in the spellings offered, which the ICE locator does not
// find. The Cyrillic name keeps it.
func TestNoPatronymicInLatin(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		typed, icao, old string
		turned           bool // the surname first, as Russian forms have it: the given name first in Latin letters
	}{
		{"Кузнецов Сергей Николаевич", "Sergei Kuznetsov", "Sergey Kuznetsov", true},
		{"Сергей Николаевич Кузнецов", "Sergei Kuznetsov", "Sergey Kuznetsov", false},
		{"Абрамович Дмитрий Аркадьевич", "Dmitrii Abramovich", "Dmitriy Abramovich", true},
	} {
		c := newChat(t, "ru")
		startReport(c)
		r := c.send(tt.typed)
		if tt.turned {
			c.expect(r, "report.no_patronymic", "report.given_first", "ask.name_latin_two")
		} else {
			c.expect(r, "report.no_patronymic", "ask.name_latin_two")
		}
		if icao, old := data(r, "ask.name_latin_two", "ICAO"), data(r, "ask.name_latin_two", "Old"); icao != tt.icao || old != tt.old {
			t.Errorf("%q offered %q and %q, want %q and %q", tt.typed, icao, old, tt.icao, tt.old)
		}
		c.expect(c.press("btn.name_not_sure"), "ask.name_other")
		if d := c.session().Draft; d.NameCyrillic != tt.typed || d.NameLatin != tt.icao || d.Facts.NameAlt != tt.old {
			t.Errorf("%q stored as %q, %q (also %q)", tt.typed, d.NameCyrillic, d.NameLatin, d.Facts.NameAlt)
		}
	}
	c := newChat(t, "ru")
	startReport(c)
	c.expect(c.send("Иван Петров"), "ask.name_latin")

	// Two words, the surname first: turned round when the first ends as
	// surnames do and the second does not, or is a given name.
	for _, tt := range []struct {
		typed, latin string
		turned       bool
	}{
		{"Петров Иван", "Ivan Petrov", true},
		{"Петрова Ирина", "Irina Petrova", true},
		{"Каримов Фарход", "Farkhod Karimov", true},
		{"Ирина Петрова", "Irina Petrova", false},
		{"Валентин Петров", "Valentin Petrov", false},
		{"Ким Виктор", "Kim Viktor", false},
	} {
		c := newChat(t, "ru")
		startReport(c)
		r := c.send(tt.typed)
		if got := data(r, "ask.name_latin", "Latin"); got != tt.latin {
			t.Errorf("%q offered %q (%v), want %q", tt.typed, got, textIDs(r), tt.latin)
		}
		if turned := slices.Contains(textIDs(r), "report.given_first"); turned != tt.turned {
			t.Errorf("%q: told the order was turned: %v, want %v", tt.typed, turned, tt.turned)
		}
	}
}

// TestLanguageTyped: a language the bot knows typed for the detainee's
// language ("spanish", "он говорит только на узбекском") is that language,
// said back, and shown in the reader's language as its button's is; the
// card read "Language: spanish", and the sentence in Cyrillic to an English
// volunteer. Another language, or more than one, is kept as typed, with
// its capital.
func TestLanguageTyped(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, typed, want, en string }{
		{"en", "spanish", "lang.es", "Spanish"}, {"ru", "узбекский", "lang.uz", "Uzbek"},
		{"ru", "он говорит только на узбекском", "lang.uz", "Uzbek"},
		{"en", "k'iche'", "K'iche'", ""}, {"en", "Spanish but also Mam", "Spanish but also Mam", ""},
	} {
		c := newChat(t, tt.lang)
		startReport(c)
		answerTo(c, "ask.language")
		r := c.send(tt.typed)
		if got := c.session().Draft.Facts.Language; got != tt.want {
			t.Errorf("%q kept as %q, want %q", tt.typed, got, tt.want)
		}
		if tt.en == "" {
			c.expect(r, "ask.can_call")
			continue
		}
		c.expect(r, "input.read_as", "ask.can_call")
		if got := c.cat.Render("en", flows.T(tt.want)); got != tt.en {
			t.Errorf("%q shown to an English reader as %q, want %q", tt.typed, got, tt.en)
		}
	}
}

// TestHasNotCalledYet: "he hasn't called yet", "ещё не звонил" at "can the
// person call out?" is a no, said back, the words kept; it was asked again
// with the buttons. "He called once" is still a yes.
func TestHasNotCalledYet(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, typed, want string }{
		{"en", "he hasn't called yet", "no"}, {"en", "he didn't call us", "no"}, {"ru", "ещё не звонил", "no"},
		{"ru", "он не может звонить, нет денег на счету", "no"}, {"en", "he called once", "yes"},
		{"en", "not yet, we are waiting for his call", "no"}, {"ru", "ждем его звонка", "no"},
	} {
		c := newChat(t, tt.lang)
		startReport(c)
		answerTo(c, "ask.can_call")
		if r := c.send(tt.typed); textIDs(r)[0] != "input.read_as" || c.session().Draft.Facts.CanCall != tt.want {
			t.Errorf("%q: %v, can call %q; want %s", tt.typed, textIDs(r), c.session().Draft.Facts.CanCall, tt.want)
		}
	}
}

// TestANumberWrittenBefore: an A-number written before its question (in
// the words at the menu that led to the report) is offered at the
// question, a press away; it had to be typed again.
func TestANumberWrittenBefore(t *testing.T) {
	t.Parallel()
	for _, story := range []string{"My husband was detained yesterday at his check-in, his A-number is A 123-456-789",
		"My brother was detained yesterday. His A number is 123-456-789. What do I do?"} {
		c := toldFirst(t, "en", story)
		answerTo(c, "ask.a_number")
		if got := buttonNames(c.last); !slices.Contains(got, "btn.use_said") {
			t.Fatalf("%q: buttons at the A-number: %v, want the one written before", story, got)
		}
		c.expect(c.press("btn.use_said"), "ask.detained_on")
		if got := c.session().Draft.ANumber; got != "123456789" {
			t.Errorf("%q: A-number %q, want 123456789", story, got)
		}
	}
	// Without one written, only "I don't know".
	e := newChat(t, "en")
	startReport(e)
	answerTo(e, "ask.a_number")
	if got := buttonNames(e.last); slices.Contains(got, "btn.use_said") {
		t.Errorf("buttons at the A-number: %v", got)
	}
}

// TestCircumstanceToldWithTheDate: words typed with the detention's date
// ("в прошлую пятницу, на трассе в техасе, ехал на фуре") offer the way
// they tell of first at the next question, as words told before the
// report do; a date alone offers nothing.
func TestCircumstanceToldWithTheDate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, typed, want string }{
		{"ru", "в прошлую пятницу, на трассе в техасе, ехал на фуре", "Остановили на дороге"},
		{"en", "last friday, they pulled him over on the highway", "Traffic stop"},
		{"en", "last friday", ""},
	} {
		c := newChat(t, tt.lang)
		startReport(c)
		answerTo(c, "ask.detained_on")
		r := c.send(tt.typed)
		if ids := textIDs(r); ids[0] != "date.understood" || ids[len(ids)-1] != "ask.circumstance" {
			t.Errorf("%q: %v", tt.typed, ids)
		}
		if got := buttonValue(r, "btn.use_said"); got != tt.want {
			t.Errorf("%q: offered %q, want %q", tt.typed, got, tt.want)
		}
	}
}

// TestUrgencyToldBefore: a deportation or a transfer told before the
// report ("they are saying he will be deported tomorrow") makes the yes of
// the urgent question the first button, from those words; it was asked
// as if nothing had been said. Not where it was denied.
func TestUrgencyToldBefore(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		lang, story string
		told        bool
	}{
		{"en", "my dad got picked up by ice this morning at his check in. they are saying he will be deported tomorrow. please help", true},
		{"ru", "Мужа задержали вчера, сегодня его перевели в другой центр", true},
		{"ru", "Мужа задержали вчера, депортации пока не ожидается", false},
		{"en", "my brother was detained by ICE yesterday", false},
	} {
		c := toldToTriage(t, tt.lang, tt.story)
		r := c.last
		if got := buttonNames(r)[0] == "btn.use_said"; got != tt.told {
			t.Errorf("%q: buttons %v", tt.story, buttonNames(r))
			continue
		}
		if tt.told {
			c.expect(c.press("btn.use_said"), "ask.name")
			if got := c.session().Draft.Facts.Triage; got != "urgent" {
				t.Errorf("%q: triage %q, want urgent", tt.story, got)
			}
		}
	}
	// The urgent path asks neither the day nor the way of the detention:
	// told, they are its answers, on the review to be checked, and on the
	// volunteers' card. It read "Detained: date not known. How: not known."
	c := toldToTriage(t, "en", "my dad got picked up by ice this morning at his check in on 26 federal plaza. they say he will be deported tomorrow")
	c.expect(c.press("btn.use_said"), "ask.name")
	answerTo(c, "ask.review")
	review := c.rendered(c.last)
	for _, want := range []string{"Detained on:</b> " + c.now.Format("January 2, 2006"), "At an ICE check-in"} {
		if !strings.Contains(review, want) {
			t.Errorf("the review lacks %q:\n%s", want, review)
		}
	}
	if d := c.session().Draft; d.DetainedOn != c.now.Format(time.DateOnly) || d.Circumstance != "checkin" {
		t.Errorf("detained %q, %q; want today, at a check-in", d.DetainedOn, d.Circumstance)
	}
}

// TestUrgentFlightFromTheLawyer: on the urgent path, which asks no
// lawyer, the lawyer who spoke of the flight is the person's lawyer; the
// card read "Lawyer: none known".
func TestUrgentFlightFromTheLawyer(t *testing.T) {
	t.Parallel()
	for _, source := range []string{"flight.lawyer", "flight.officer"} {
		c := newChat(t, "en")
		c.command("start", "")
		c.press("btn.menu_report")
		c.press("btn.consent_yes")
		c.expect(c.press("btn.triage_yes"), "ask.name")
		answerTo(c, "ask.flight")
		c.press(source)
		answerTo(c, "ask.review")
		if got := c.session().Draft.HasLawyer; got != (source == "flight.lawyer") {
			t.Errorf("%s: has a lawyer %v", source, got)
		}
	}
}

// TestFlightSourceToldBefore: who spoke of the deportation, told before
// the report ("his lawyer says he might be deported this week"), is the
// first answer at "who said so?", a press away.
func TestFlightSourceToldBefore(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, story, want string }{
		{"en", "my husband was detained yesterday at work, his lawyer says he might be deported this week", "lawyer"},
		{"ru", "Брата задержали вчера. Офицер ICE сказал что его депортируют на следующей неделе", "officer"},
		{"ru", "сына забрали сегодня утром на отметке в Чикаго, офицер сказал что завтра депортируют в Узбекистан", "officer"},
		{"en", "my husband was detained yesterday at work, his lawyer is trying to help", ""},
	} {
		c := toldFirst(t, tt.lang, tt.story)
		answerTo(c, "ask.flight")
		told := buttonNames(c.last)[0] == "btn.use_said"
		if told != (tt.want != "") {
			t.Errorf("%q: buttons %v", tt.story, buttonNames(c.last))
			continue
		}
		if told {
			c.press("btn.use_said")
			if got := c.session().Draft.Facts.FlightSource; got != tt.want {
				t.Errorf("%q: flight heard from %q, want %q", tt.story, got, tt.want)
			}
		}
	}
}

// TestLawyerToldBefore: the person's lawyer told of before the report
// ("his lawyer says…") makes the lawyer question's yes the first button,
// from those words; not where there is none, or one is sought.
func TestLawyerToldBefore(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		lang, story string
		told        bool
	}{
		{"en", "my husband was detained yesterday at work, his lawyer says he might be deported this week", true},
		{"ru", "Брата задержали вчера, адвокат сказал ждать", true},
		{"ru", "Мужа задержали вчера, адвоката нет", false},
		{"en", "my brother was detained yesterday, we are looking for a lawyer", false},
	} {
		c := toldFirst(t, tt.lang, tt.story)
		answerTo(c, "ask.lawyer")
		if told := buttonNames(c.last)[0] == "btn.use_said"; told != tt.told {
			t.Errorf("%q: buttons %v", tt.story, buttonNames(c.last))
			continue
		}
		if tt.told {
			c.expect(c.press("btn.use_said"), "ask.lawyer_name")
		}
	}
}

// TestLawyerPhoneToldWithTheYes: a lawyer's number told with the yes ("есть,
// дали номер адвоката Светланы, 713-555-0199") is offered at the lawyer's
// phone, a press away; it had to be typed again.
func TestLawyerPhoneToldWithTheYes(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	startReport(c)
	answerTo(c, "ask.lawyer")
	c.expect(c.send("есть, дали номер адвоката Светланы, 713-555-0199"), "input.read_as", "ask.lawyer_name")
	c.expect(c.send("Светлана"), "ask.lawyer_phone")
	if got := c.button(c.lastID, "btn.use_phone").Text.Data["Phone"]; got != "713-555-0199" {
		t.Errorf("offered %q", got)
	}
	c.expect(c.press("btn.use_phone"), "ask.hearing")
	if d := c.session().Draft; d.LawyerName != "Светлана" || d.LawyerPhone != "713-555-0199" {
		t.Errorf("lawyer %q, phone %q", d.LawyerName, d.LawyerPhone)
	}
}

// TestSpanishNameHasNoCyrillic: a name with letters of Spanish,
// Portuguese or French ("María José Gutiérrez") is not asked for in
// Cyrillic, nor shown so on the review; a Spanish-speaking reporter was.
func TestSpanishNameHasNoCyrillic(t *testing.T) {
	t.Parallel()
	c := newChat(t, "en")
	startReport(c)
	answerTo(c, "ask.name")
	c.expect(c.send("María José Gutiérrez"), "ask.name_other")
	answerTo(c, "ask.review")
	for _, row := range c.last.Buttons {
		for _, b := range row {
			if f, ok := b.Text.Data["Field"].(flows.Text); ok && f.ID == "field.name_cyr" {
				t.Errorf("the review offers the Cyrillic name")
			}
		}
	}
	e := newChat(t, "en")
	startReport(e)
	answerTo(e, "ask.name")
	e.expect(e.send("Jose Garcia"), "ask.name_cyr") // without the letters, who can tell
}

// TestCountryToldBefore: the country the person is from, told before the
// report ("он из Таджикистана"), is offered at the country of birth, a
// press away; it had to be typed again, and "я же писала Таджикистан"
// became the country "Я Же Писала Таджикистан". The way in ("приехали из
// Мексики") is not the home.
func TestCountryToldBefore(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, story, want string }{
		{"ru", "Здравствуйте мужа забрали вчера вечером возле дома. Он из Таджикистана, у него асайлум в процессе", "Таджикистан"},
		{"en", "my brother was detained by ICE yesterday, he's from Honduras", "Honduras"},
		{"ru", "Брата задержали вчера, они приехали из Мексики через границу", ""},
	} {
		c := toldFirst(t, tt.lang, tt.story)
		answerTo(c, "ask.birth_country")
		got := buttonValue(c.last, "btn.use_said")
		if got != tt.want {
			t.Errorf("%q: offered %q, want %q", tt.story, got, tt.want)
		}
		if tt.want == "" {
			continue
		}
		c.expect(c.press("btn.use_said"), "ask.citizenship")
		if got := c.session().Draft.BirthCountry; got != tt.want {
			t.Errorf("%q: country of birth %q, want %q", tt.story, got, tt.want)
		}
	}
	c := newChat(t, "ru")
	startReport(c)
	answerTo(c, "ask.birth_country")
	c.expect(c.send("я же писала Таджикистан"), "ask.citizenship")
	if got := c.session().Draft.BirthCountry; got != "Таджикистан" {
		t.Errorf("country of birth %q, want Таджикистан", got)
	}
	// In a sentence, the country said to be the one asked: the sentence
	// was the answer.
	const both = "born in russia, now citizen of georgia"
	e := newChat(t, "en")
	startReport(e)
	answerTo(e, "ask.birth_country")
	e.expect(e.send(both), "input.read_as", "ask.citizenship")
	e.expect(e.send(both), "input.read_as", "ask.a_number")
	if d := e.session().Draft; d.BirthCountry != "Russia" || d.Citizenship != "Georgia" {
		t.Errorf("born in %q, citizen of %q; want Russia, Georgia", d.BirthCountry, d.Citizenship)
	}
	// The passport told with the country of birth, by its adjective: the
	// country of birth, and the citizenship a press away at its question.
	// It was all Uzbekistan, and the passport lost.
	r := newChat(t, "ru")
	startReport(r)
	answerTo(r, "ask.birth_country")
	r.expect(r.send("Узбекистан, но паспорт российский"), "input.read_as", "ask.citizenship")
	if got := buttonValue(r.last, "btn.use_said"); got != "Россия" || r.session().Draft.BirthCountry != "Узбекистан" {
		t.Errorf("born in %q, offered %q at the citizenship; want Узбекистан, Россия", r.session().Draft.BirthCountry, got)
	}
	r.expect(r.press("btn.use_said"), "ask.a_number")
	if got := r.session().Draft.Citizenship; got != "Россия" {
		t.Errorf("citizenship %q", got)
	}
}

// TestToldBeforeTheReport: the name and the day told at the menu, in the
// words that led to the report ("my dad was picked up by ICE at his work
// yesterday, his name is Jose Ramirez"), are offered at their questions, a
// press away; both had to be typed again. The writer's own name is not
// the detained person's, nor a day told of something else the day of the
// detention.
func TestToldBeforeTheReport(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		lang, story, name string
		days              int    // the day offered, days before today; -1 for none
		circ, own         string // the circumstance offered (its button's ID), the writer's name
	}{
		{"en", "hi, my dad was picked up by ICE at his work yesterday in Houston. I don't know what to do. his name is Jose Ramirez", "Jose Ramirez", 1, "circ.raid_work", ""},
		{"ru", "Мужа забрали вчера утром возле дома, его зовут Сергей Кузнецов, что делать?", "Сергей Кузнецов", 1, "circ.raid_home", ""},
		{"en", "My name is Anna Lee. My brother was detained by ICE, we don't know where he is", "", -1, "", "Anna Lee"},
		{"ru", "Меня зовут Мария Петрова. Суд был в понедельник, а брата задержали неделю назад", "", 7, "", "Мария Петрова"},
		{"en", "His hearing was on Monday. Now he is detained and we need help", "", -1, "", ""},
		{"en", "My brother Ahmed Karimov was detained yesterday at his ICE check-in in Newark. What do I do?", "Ahmed Karimov", 1, "circ.checkin", ""},
		{"ru", "Мой муж Сергей Кузнецов задержан сегодня на работе", "Сергей Кузнецов", 0, "circ.raid_work", ""},
		{"en", "my brother in law was taken by ICE today", "", 0, "", ""},
		{"en", "my cousin got picked up by ICE at the car wash where he works in Houston today", "", 0, "circ.raid_work", ""},
		// The name in the accusative, as the one detained: as written.
		{"ru", "Здравствуйте. Моего брата Рустама Алиева задержали вчера на чекине в Ньюарке", "Рустам Алиев", 1, "circ.checkin", ""},
		{"ru", "Забрали жену Марию Петровскую сегодня возле дома", "Мария Петровская", 0, "circ.raid_home", ""},
		{"ru", "у меня забрали сына Игоря Петровского сегодня", "Игорь Петровский", 0, "", ""},
	} {
		c := toldFirst(t, tt.lang, tt.story)
		r := c.last
		if tt.name == "" {
			if slices.Contains(buttonNames(r), "btn.use_said") {
				t.Errorf("%q: a name offered: %q", tt.story, buttonValue(r, "btn.use_said"))
			}
		} else {
			if got := buttonValue(r, "btn.use_said"); got != tt.name {
				t.Errorf("%q: offered the name %q, want %q", tt.story, got, tt.name)
			}
			c.press("btn.use_said")
			if d := c.session().Draft; d.NameLatin+d.NameCyrillic != tt.name {
				t.Errorf("%q: the name is %q %q, want %q", tt.story, d.NameLatin, d.NameCyrillic, tt.name)
			}
		}
		answerTo(c, "ask.detained_on")
		switch {
		case tt.days < 0:
			if slices.Contains(buttonNames(c.last), "btn.use_said") {
				t.Errorf("%q: a day offered: %v", tt.story, buttonNames(c.last))
			}
		default:
			c.expect(c.press("btn.use_said"), "ask.circumstance")
			if got, want := c.session().Draft.DetainedOn, c.now.AddDate(0, 0, -tt.days).Format(time.DateOnly); got != want {
				t.Errorf("%q: detained on %q, want %q", tt.story, got, want)
			}
		}
		// How it happened, as the words tell it, first.
		answerTo(c, "ask.circumstance")
		if tt.circ == "" {
			if slices.Contains(buttonNames(c.last), "btn.use_said") {
				t.Errorf("%q: a circumstance offered: %q", tt.story, buttonValue(c.last, "btn.use_said"))
			}
		} else {
			v := c.last.Buttons[0][0].Text.Data["Value"]
			// Not again among the others.
			n := 0
			for _, row := range c.last.Buttons {
				for _, b := range row {
					if b.Data == c.last.Buttons[0][0].Data {
						n++
					}
				}
			}
			if n != 1 {
				t.Errorf("%q: the circumstance told is offered %d times: %v", tt.story, n, buttonNames(c.last))
			}
			r := c.press("btn.use_said")
			if got := "circ." + c.session().Draft.Circumstance; got != tt.circ {
				t.Errorf("%q: offered %v, took %s; want %s", tt.story, v, got, tt.circ)
			}
			// The office of a check-in told ("at his ICE check-in in
			// Newark") is looked up a press away.
			if tt.circ == "circ.checkin" {
				if got := buttonValue(r, "btn.use_said"); got != "Newark" && got != "Ньюарк" {
					t.Errorf("%q: the office offered: %q, want Newark", tt.story, got)
				}
				// The one office spelt so: recorded, said back.
				if r := c.press("btn.use_said"); !strings.Contains(c.rendered(r), "Newark, NJ") || c.session().Draft.Facts.Office != "newark" {
					t.Errorf("%q: the office told pressed: %s, office %q", tt.story, c.rendered(r), c.session().Draft.Facts.Office)
				}
			}
		}
		// The writer's own name, at the question of theirs.
		answerTo(c, "ask.reporter_name")
		if got := buttonValue(c.last, "btn.use_said"); got != tt.own {
			t.Errorf("%q: offered the writer's name %q, want %q", tt.story, got, tt.own)
		}
		if tt.own != "" {
			c.press("btn.use_said")
			if got := c.session().Draft.ReporterName; got != tt.own {
				t.Errorf("%q: the writer's name is %q", tt.story, got)
			}
		}
	}
}

// buttonValue is the Value of the button captioned id under r.
func buttonValue(r flows.Reply, id string) string {
	for _, row := range r.Buttons {
		for _, b := range row {
			if b.Text.ID == id {
				s, _ := b.Text.Data["Value"].(string)
				return s
			}
		}
	}
	return ""
}

// TestAgeGuessed: "не знаю, лет 40" at the date of birth is the year that
// age makes, said back, with the words kept; it was "couldn't read that
// date".
func TestAgeGuessed(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, typed string }{{"ru", "не знаю, лет 40"}, {"ru", "лет 40"}, {"en", "not sure, about 40"}} {
		c := newChat(t, tt.lang)
		startReport(c)
		answerTo(c, "ask.birth_date")
		c.expect(c.send(tt.typed), "date.from_age", "ask.birth_country")
		if got, want := c.session().Draft.BirthDate, strconv.Itoa(c.now.AddDate(-40, -6, 0).Year()); got != want {
			t.Errorf("%q: born %q, want %s", tt.typed, got, want)
		}
	}
}

// TestAfterTheReportWhatToDo: "what do we do now?" after the report is a
// press away: the page on finding someone in ICE custody when where they
// are held is not known, else the useful information. Only the menu was.
func TestAfterTheReportWhatToDo(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	fillToReview(c)
	c.expect(c.change("facility"), "ask.facility", "answer.current")
	c.expect(c.press("btn.dont_know"), "ask.review")
	r := c.press("btn.confirm")
	c.expect(r, "report.done")
	if !slices.Contains(buttonNames(r), "btn.info_page") {
		t.Fatalf("after the report: %v, want the page on finding the person", buttonNames(r))
	}
	c.expect(c.press("btn.info_page"), "info.page.locator")

	e := newChat(t, "en")
	fillToReview(e)
	if e.session().Draft.FacilityID == 0 && e.session().Draft.FacilityText == "" {
		t.Fatal("the report has no facility")
	}
	r = e.press("btn.confirm")
	e.expect(r, "report.done")
	if !slices.Contains(buttonNames(r), "btn.menu_info") || slices.Contains(buttonNames(r), "btn.info_page") {
		t.Errorf("after a report with a facility: %v, want the useful information", buttonNames(r))
	}
}

// TestFacilityToldBefore: where the person is held, told at the menu
// ("they moved him to Alexandria Louisiana last night"), is offered at the
// facility's question as the facility of the directory it names, a press
// away; it had to be typed and picked again. A place that names none is
// not offered.
func TestFacilityToldBefore(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, story, want string }{
		{"en", "my brother is being deported tomorrow, they moved him to Alexandria Louisiana last night", "Alexandria"},
		{"ru", "Мужа задержали вчера, его перевели в Krome", "Krome"},
		{"en", "My husband was detained yesterday and taken to the hospital", ""},
	} {
		c := newChat(t, tt.lang)
		c.expect(c.command("start", ""), "menu.greeting")
		c.send(tt.story)
		c.expect(c.press("btn.menu_report"), "ask.consent")
		c.expect(c.press("btn.consent_yes"), "ask.triage")
		c.press("btn.triage_no")
		answerTo(c, "ask.facility")
		if tt.want == "" {
			if slices.Contains(buttonNames(c.last), "btn.use_said") {
				t.Errorf("%q: a facility offered: %q", tt.story, buttonValue(c.last, "btn.use_said"))
			}
			continue
		}
		if got := buttonValue(c.last, "btn.use_said"); !strings.Contains(got, tt.want) {
			t.Errorf("%q: offered %q, want %s", tt.story, got, tt.want)
			continue
		}
		c.press("btn.use_said")
		if d := c.session().Draft; d.FacilityID == 0 || c.session().Step == "facility_pick" {
			t.Errorf("%q: facility %d, at %s", tt.story, d.FacilityID, c.session().Step)
		}
	}
}

// TestOfficeToldBefore: the ICE office of the check-in where the person
// was detained, told at the menu, is offered at the office question: the
// city, without the "ICE in" before it.
func TestOfficeToldBefore(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, story, office string }{
		{"en", "My brother was detained yesterday at his ICE check-in in Newark.", "Newark"},
		{"ru", "Мой муж вчера пошёл на отметку в ICE в Чикаго и его задержали. Что нам делать?", "Чикаго"},
		{"ru", "Брата задержали на отметке в Сан-Франциско", "Сан-Франциско"},
		// In the prepositional, as the city is named alone.
		{"ru", "Брата задержали на отметке в Нью-Йорке", "Нью-Йорк"},
		{"ru", "Брата задержали на отметке в Хьюстоне", "Хьюстон"},
		{"en", "He was detained at his check-in at 26 Federal Plaza", ""},
		{"en", "They took my husband at his check-in yesterday", ""},
	} {
		c := toldFirst(t, tt.lang, tt.story)
		answerTo(c, "ask.office")
		if got := buttonValue(c.last, "btn.use_said"); got != tt.office {
			t.Errorf("%q: the office offered %q, want %q", tt.story, got, tt.office)
		}
	}
}

// TestSpouseToldBefore: a wife who wrote "мужа забрали вчера" at the menu
// is offered "жена" at the question of who she is to the person, a press
// away. Only a spouse of the writer's: "my sister's husband" or "my
// brother" tells nothing of who writes.
func TestSpouseToldBefore(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, story, want string }{
		{"ru", "Мужа забрали вчера утром возле дома, что делать?", "жена"},
		{"ru", "Вчера задержали моего мужа на работе", "жена"},
		{"en", "My wife was detained by ICE at work today", "husband"},
		{"en", "My sister's husband was detained by ICE yesterday", ""},
		{"ru", "Задержали мужа сестры вчера", ""},
		{"ru", "Вчера забрали мужа моей подруги", ""},
		{"en", "My brother was detained yesterday", ""},
	} {
		c := toldFirst(t, tt.lang, tt.story)
		answerTo(c, "ask.relationship")
		if got := buttonValue(c.last, "btn.use_said"); got != tt.want {
			t.Errorf("%q: offered %q, want %q", tt.story, got, tt.want)
		}
		if tt.want != "" {
			c.press("btn.use_said")
			if got := c.session().Draft.Relationship; got != tt.want {
				t.Errorf("%q: the relationship is %q", tt.story, got)
			}
		}
	}
}

// toldFirst is a chat whose person told the story at the menu, then chose
// to report: at the first question, the name.
func toldFirst(t *testing.T, lang, story string) *chat {
	t.Helper()
	c := toldToTriage(t, lang, story)
	c.expect(c.press("btn.triage_no"), "ask.name")
	return c
}

// toldToTriage is toldFirst at the question before: is it urgent?
func toldToTriage(t *testing.T, lang, story string) *chat {
	t.Helper()
	c := newChat(t, lang)
	c.expect(c.command("start", ""), "menu.greeting")
	c.expect(c.send(story), "menu.report_offer")
	c.expect(c.press("btn.menu_report"), "ask.consent")
	c.expect(c.press("btn.consent_yes"), "ask.triage")
	return c
}

// TestUrgentSignToldBefore: an urgent sign told before the question ("у
// него больное сердце" at the menu) is named above it, to be marked if it
// is so; it went unmentioned. Marked, the hint is gone; nothing is marked
// for the reporter.
func TestUrgentSignToldBefore(t *testing.T) {
	t.Parallel()
	c := toldFirst(t, "ru", "Брата задержали вчера на работе. У него больное сердце.")
	answerTo(c, "ask.urgent")
	c.expect(c.last, "report.urgent_told", "ask.urgent")
	if got := c.rendered(c.last); !strings.Contains(got, "Нужна медицинская помощь") || strings.Contains(got, "✅") {
		t.Errorf("the hint:\n%s", got)
	}
	c.expect(c.pressUrgent("medical"), "ask.urgent")
	// Not from a story that tells of none.
	e := toldFirst(t, "en", "my brother was detained yesterday at work")
	answerTo(e, "ask.urgent")
	e.expect(e.last, "ask.urgent")
}

// TestReporterAsksOfTheCase: "его могут депортировать?" from someone who
// reported a case asks about it: where it stands and a volunteer, not
// "is this news about your case?". A detention asked of as someone
// else's ("брата тоже задержали?"), or from someone with no case, is
// still the offer to report it.
func TestReporterAsksOfTheCase(t *testing.T) {
	t.Parallel()
	for typed, want := range map[string]string{"его могут депортировать?": "menu.news_question",
		"they might deport him?": "menu.news_question", "брата тоже задержали, что делать?": "casework.news_offer"} {
		c := newChat(t, "ru")
		fillToReview(c)
		c.press("btn.confirm")
		c.command("start", "")
		if got := textIDs(c.send(typed)); got[0] != want {
			t.Errorf("%q from a reporter: %v, want %s", typed, got, want)
		}
	}
	c := newChat(t, "ru")
	c.command("start", "")
	c.expect(c.send("моего мужа задержали, что делать?"), "menu.report_offer")
}
