package flows_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"hotline/flows"
	"hotline/locales"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// world is one bot with several people talking to it, over real Postgres
// and Redis. Replies reach the chats they are addressed to, so a test sees
// what each person got, notifications included.
type world struct {
	*testApp
	people map[int64]*person
}

// volunteerID is the admin, a volunteer, in every world.
const volunteerID = 9000001

func newWorld(t *testing.T, limits storage.LookupLimits) *world {
	t.Helper()
	a := newApp(t, appOptions{Config: flows.Config{Admins: []int64{volunteerID}}, Limits: limits})
	return &world{testApp: a, people: map[int64]*person{}}
}

// person is someone in a private chat with the bot (chat id = user id).
type person struct {
	w        *world
	id       int64
	langCode string
	msgID    int
	got      []msg // every message the chat got, edits included
}

// msg is a bot message as the chat has it.
type msg struct {
	id int
	flows.Reply
}

func (w *world) person(id int64, langCode string) *person {
	p := &person{w: w, id: id, langCode: langCode}
	w.people[id] = p
	return p
}

// deliver files a reply in its chat, checking what every reply must be.
func (w *world) deliver(r flows.Reply) {
	w.t.Helper()
	p := w.people[r.ChatID]
	if p == nil {
		w.t.Fatalf("reply to a chat nobody is in: %+v", r)
	}
	if (r.Lang != "ru" && r.Lang != "en") || len(r.Texts) == 0 {
		w.t.Fatalf("bad reply: %+v", r)
	}
	checkRenderable(w.t, w.cat, r)
	id := r.Edit
	if id == 0 {
		p.msgID++
		id = p.msgID
	}
	p.got = append(p.got, msg{id: id, Reply: r})
}

// try runs one input and delivers its replies; it returns how many were
// delivered.
func (p *person) try(in flows.Input) (int, error) {
	p.w.t.Helper()
	in.UpdateID = p.w.nextUpdate()
	in.ChatID, in.UserID, in.ChatType, in.LangCode, in.At = p.id, p.id, "private", p.langCode, testNow
	rs, err := p.w.app.Handle(context.Background(), in)
	if err != nil {
		return 0, err
	}
	own := 0
	for _, r := range rs {
		if r.ChatID == p.id {
			own++
		}
	}
	if own != 1 {
		p.w.t.Fatalf("%d replies to the chat itself, want 1: %+v", own, rs)
	}
	for _, r := range rs {
		p.w.deliver(r)
	}
	return len(rs), nil
}

// do runs one input and returns the chat's own reply.
func (p *person) do(in flows.Input) flows.Reply {
	p.w.t.Helper()
	before := len(p.got)
	if _, err := p.try(in); err != nil {
		p.w.t.Fatalf("Handle: %v", err)
	}
	return p.got[before].Reply
}

func (p *person) send(text string) flows.Reply {
	p.w.t.Helper()
	return p.do(flows.Input{Kind: flows.KindText, Text: text})
}

func (p *person) command(name, arg string) flows.Reply {
	p.w.t.Helper()
	return p.do(flows.Input{Kind: flows.KindCommand, Command: name, Text: arg})
}

// last is the chat's latest message.
func (p *person) last() msg {
	p.w.t.Helper()
	if len(p.got) == 0 {
		p.w.t.Fatal("no messages")
	}
	return p.got[len(p.got)-1]
}

// press presses a button of the latest message that has it, found by its
// text's message ID or a part of its label.
func (p *person) press(name string) flows.Reply {
	p.w.t.Helper()
	for i := len(p.got) - 1; i >= 0; i-- {
		m := p.got[i]
		for _, row := range m.Buttons {
			for _, b := range row {
				if b.Text.ID == name || (b.Label != "" && strings.Contains(b.Label, name)) {
					return p.do(flows.Input{Kind: flows.KindButton, Data: b.Data, MessageID: m.id})
				}
			}
		}
	}
	p.w.t.Fatalf("no button %q in chat %d", name, p.id)
	return flows.Reply{}
}

// pressData presses a button with any data, as a forged one would.
func (p *person) pressData(data string) flows.Reply {
	p.w.t.Helper()
	return p.do(flows.Input{Kind: flows.KindButton, Data: data, MessageID: p.last().id})
}

// since returns the messages the chat got after the first n.
func (p *person) since(n int) []msg { return p.got[n:] }

func (w *world) rendered(r flows.Reply) string { return w.cat.Render(r.Lang, r.Texts...) }

func expectTexts(t *testing.T, r flows.Reply, want ...string) {
	t.Helper()
	if got := textIDs(r); !slices.Equal(got, want) {
		t.Fatalf("reply texts = %v, want %v", got, want)
	}
}

// file stores a report by reporter, as the report flow does at its end.
func (w *world) file(reporter *person, r *flows.Report) flows.Case {
	w.t.Helper()
	r.DraftID = storagetest.Name("d")
	r.Consent = true
	r.ReporterChatID, r.ReporterUserID = reporter.id, reporter.id
	r.Lang = flows.Lang(reporter.langCode)
	c, err := w.cases.Create(context.Background(), r)
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// fullCase answers every question, with personal data in every field that
// has any.
func fullCase() *flows.Report {
	return &flows.Report{
		NameLatin: "Ivanov Sergey", NameCyrillic: "Иванов Сергей", BirthDate: "1987-04-02",
		BirthCountry: "Russia", Citizenship: "Russia", ANumber: "012345678",
		DetainedOn: "2026-03-02", Circumstance: "checkin", CircumstanceNote: "Taken at the Phoenix check-in",
		FacilityText: "Florence jail", HasLawyer: true, LawyerName: "Jane Roe", LawyerPhone: "+1 602 555 0100",
		HearingDate: "2026-05-20", Appeals: "BIA appeal in February", Urgent: []string{"medical"},
		ReporterName: "Мария Иванова", Relationship: "жена", ReporterPhone: "+1 480 555 0199",
	}
}

// personalValues are the stored personal fields of a case as they could
// show: raw, and as the bot writes them.
func (w *world) personalValues(code string) []string {
	w.t.Helper()
	r, _, err := w.cases.Get(context.Background(), code)
	if err != nil {
		w.t.Fatal(err)
	}
	vals := []string{r.NameLatin, r.NameCyrillic, r.BirthDate, r.ANumber, flows.FormatANumber(r.ANumber),
		r.CircumstanceNote, r.LawyerName, r.LawyerPhone, r.Appeals, r.ReporterName, r.ReporterPhone,
		"Ivanov", "Иванов", "1987", "345-678", "Roe"}
	for _, v := range []string{r.BirthDate} {
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			vals = append(vals, w.cat.Render("en", flows.T("value.date", "Day", t.Day(), "Month", flows.T(fmt.Sprintf("month.%d", t.Month())), "Year", t.Year())))
			vals = append(vals, w.cat.Render("ru", flows.T("value.date", "Day", t.Day(), "Month", flows.T(fmt.Sprintf("month.%d", t.Month())), "Year", t.Year())))
		}
	}
	var out []string
	for _, v := range vals {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// codeVariants are the ways people type or paste a code.
func codeVariants(code string) []string {
	lookalike := strings.NewReplacer("A", "А", "B", "В", "C", "С", "E", "Е", "H", "Н", "K", "К", "M", "М", "P", "Р", "T", "Т", "X", "Х", "0", "O")
	return []string{
		code,
		strings.ToLower(flows.FormatCode(code)),
		flows.FormatCode(code),
		" " + strings.ToLower(code[:4]) + " " + code[4:] + " ",
		"#" + code,
		lookalike.Replace(code),
		strings.ToLower(code[:4]) + "—" + strings.ToLower(code[4:]), // an em dash from a phone keyboard
	}
}

// friendOfACase is a world with one reported case and a friend at the
// menu, whose lookups are not limited.
func friendOfACase(t *testing.T, lang string) (*world, flows.Case, *person) {
	t.Helper()
	w := newWorld(t, storage.LookupLimits{PerUser: 1000, FreeMisses: 1000})
	c := w.file(w.person(1, "ru"), fullCase())
	friend := w.person(2, lang)
	friend.command("start", "")
	return w, c, friend
}

// TestCheckByCodeVariantsAndLink shows every way to reach a case's status:
// typed at the menu in any form, after "Check a case", with /check, and by
// the share link.
func TestCheckByCodeVariantsAndLink(t *testing.T) {
	t.Parallel()
	w, c, friend := friendOfACase(t, "en")

	for _, v := range codeVariants(c.Code) {
		r := friend.send(v)
		if data(r, "check.header", "Code") != flows.FormatCode(c.Code) {
			t.Errorf("typed %q at the menu: %v", v, textIDs(r))
		}
		expectTexts(t, friend.press("btn.menu_check"), "check.ask")
		if r := friend.send(v); data(r, "check.header", "Code") != flows.FormatCode(c.Code) {
			t.Errorf("typed %q after “Check a case”: %v", v, textIDs(r))
		}
		if r := friend.command("check", v); data(r, "check.header", "Code") != flows.FormatCode(c.Code) {
			t.Errorf("/check %q: %v", v, textIDs(r))
		}
	}
	r := friend.command("start", "c_"+c.Code)
	expectTexts(t, r, "check.header", "check.status", "status.about.new", "check.hotline")
	if got := buttonNames(r); !slices.Equal(got, []string{"btn.subscribe", "btn.menu"}) {
		t.Errorf("view buttons %v", got)
	}
	if s, _ := w.sessions.Get(context.Background(), friend.id); s.Flow != "" {
		t.Errorf("after the view the chat is in %q, want the menu", s.Flow)
	}
}

// TestCheckCodeInAMessage: a friend pastes what they were sent — the
// reporter's confirmation with its link, or a sentence with the code — at
// the menu or after "Check a case", and gets the case's status.
func TestCheckCodeInAMessage(t *testing.T) {
	t.Parallel()
	_, c, friend := friendOfACase(t, "ru")
	pasted := []string{"Код дела: " + flows.FormatCode(c.Code) +
		"\nСсылка для родных и друзей: https://t.me/hotline_test_bot?start=c_" + c.Code}
	if strings.ContainsAny(c.Code, "0123456789") && strings.ContainsAny(c.Code, "ABCDEFGHJKMNPQRSTVWXYZ") {
		// Without its link, a code is told from words by having both.
		pasted = append(pasted, "мой код "+flows.FormatCode(c.Code)+", что с делом?")
	}
	mixed := func(half string) bool {
		return strings.ContainsAny(half, "0123456789") && strings.Trim(half, "0123456789") != ""
	}
	if a, b := c.Code[:4], c.Code[4:]; mixed(a) || mixed(b) {
		// Its halves with a space, in a longer question: halves of
		// letters and digits, in capitals, are a code's.
		pasted = append(pasted, "привет, жена друга дала мне код "+a+" "+b+", что там с Сергеем, его ещё держат?")
	}
	for _, v := range pasted {
		if r := friend.send(v); data(r, "check.header", "Code") != flows.FormatCode(c.Code) {
			t.Errorf("pasted %q at the menu: %v", v, textIDs(r))
		}
		expectTexts(t, friend.press("btn.menu_check"), "check.ask")
		if r := friend.send(v); data(r, "check.header", "Code") != flows.FormatCode(c.Code) {
			t.Errorf("pasted %q after “Check a case”: %v", v, textIDs(r))
		}
	}
}

// TestFollowTyped: under a case's status, "notify me" and "stop" typed — the
// button's caption or the usual words — do what the buttons do; before any
// status was shown, they are only text.
func TestFollowTyped(t *testing.T) {
	t.Parallel()
	_, c, friend := friendOfACase(t, "ru")
	if ids := textIDs(friend.send("уведомлять")); slices.Contains(ids, "sub.done") {
		t.Fatalf("'уведомлять' with no case shown subscribed: %v", ids)
	}
	friend.send(c.Code)
	expectTexts(t, friend.send("Сообщать об изменениях"), "sub.done")
	expectTexts(t, friend.send("не сообщать"), "sub.stopped")
	expectTexts(t, friend.send("notify me"), "sub.done")
	// Later, with no case just shown: "отписаться" stops the case the
	// chat follows; it got the greeting and the messages went on.
	friend.command("start", "")
	expectTexts(t, friend.send("Отписаться"), "sub.stopped")
	if got, err := friend.w.deps.Subscriptions.Followed(context.Background(), friend.id); err != nil || len(got) != 0 {
		t.Errorf("still following %v (%v)", got, err)
	}
}

// A friend who follows a case and writes what sounds like a detention
// ("его уже депортировали?") is most likely asking about that case: it is
// a button away beside the offer to report, and a volunteer reads the
// words. It got only the offer to report a detention.
func TestFollowerAskingAboutTheCase(t *testing.T) {
	t.Parallel()
	_, c, friend := friendOfACase(t, "ru")
	friend.send(c.Code)
	friend.press("btn.subscribe")
	r := friend.send("что с ним? его уже депортировали?")
	expectTexts(t, r, "menu.report_offer", "menu.follower_said")
	if got := buttonNames(r); len(got) == 0 || got[0] != "btn.mycase" || !slices.Contains(got, "btn.menu_volunteer") {
		t.Errorf("buttons %v, want the case first and a volunteer", got)
	}
	// Words about the person, on a topic the hotline has a page on: the
	// case and a volunteer, not the page on phone calls from detention.
	r = friend.send("что случилось? она не отвечает на звонки")
	expectTexts(t, r, "menu.follower_said")
	if got := buttonNames(r); !slices.Contains(got, "btn.menu_volunteer") || !slices.Contains(got, "btn.mycase") {
		t.Errorf("buttons %v, want a volunteer and the case", got)
	}
	// A question with no one in it still gets its page.
	if got := textIDs(friend.send("как положить деньги на телефонный счёт?")); len(got) == 0 || !strings.HasPrefix(got[0], "info.page.") {
		t.Errorf("a question on calls: %v, want its page", got)
	}
}

// TestStatusViewHasNoPersonalData checks the rendered status view, in
// both languages and at every status, against the case's stored personal
// fields; the facility shows only when the reporter chose to share it.
func TestStatusViewHasNoPersonalData(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storage.LookupLimits{})
	reporter := w.person(1, "ru")
	ctx := context.Background()
	fac, err := storage.NewFacilities(w.db).Match(ctx, "Eloy", 1)
	if err != nil || len(fac) == 0 {
		t.Fatalf("facility: %v", err)
	}
	hidden := fullCase()
	hidden.FacilityID, hidden.FacilityText = fac[0].ID, ""
	shared := fullCase()
	shared.FacilityID, shared.FacilityText, shared.FacilityShare = fac[0].ID, "", true
	shared.Facts.DatesShare = true
	cHidden, cShared := w.file(reporter, hidden), w.file(reporter, shared)

	for _, c := range []flows.Case{cHidden, cShared} {
		for _, e := range []flows.Event{
			{Kind: flows.EventNote, Note: "internal: the wife says he has asthma"},
			{Kind: flows.EventStatus, Status: flows.StatusLawyer, Note: "A lawyer took the case", Public: true},
			{Kind: flows.EventStatus, Status: flows.StatusDeportation, Date: "2026-04-02", Public: true},
		} {
			e.CaseID = c.ID
			if _, err := w.timeline.Record(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
	}
	next := int64(10)
	for _, tt := range []struct {
		c        flows.Case
		facility bool
	}{{cHidden, false}, {cShared, true}} {
		for _, lang := range []string{"en", "ru"} {
			next++
			friend := w.person(next, lang)
			r := friend.command("check", tt.c.Code)
			view := w.rendered(r)
			for _, p := range append(w.personalValues(tt.c.Code), "asthma", "internal") {
				if strings.Contains(view, p) {
					t.Errorf("%s view shows %q:\n%s", lang, p, view)
				}
			}
			if !strings.Contains(view, "A lawyer took the case") {
				t.Errorf("%s view lacks the public note:\n%s", lang, view)
			}
			if got := strings.Contains(view, "ELOY") || strings.Contains(view, "Eloy"); got != tt.facility {
				t.Errorf("%s view shows the facility: %v, want %v:\n%s", lang, got, tt.facility, view)
			}
			// A deportation date only when the reporter allowed it.
			if got := slices.Contains(textIDs(r), "check.deportation_date"); got != tt.facility {
				t.Errorf("%s view shows the deportation date: %v, want %v: %v", lang, got, tt.facility, textIDs(r))
			}
		}
	}
	// The reporter sees the facility of their own case even when hidden.
	r := reporter.command("check", cHidden.Code)
	if !slices.Contains(textIDs(r), "check.facility") || !slices.Contains(textIDs(r), "check.reporter") {
		t.Errorf("reporter's view: %v", textIDs(r))
	}
}

// TestUnknownCodeAnswersLikeWrongOne shows that nothing in the answer tells
// a code no case has from a malformed one.
func TestUnknownCodeAnswersLikeWrongOne(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storage.LookupLimits{FreeMisses: 100})
	w.file(w.person(1, "ru"), fullCase())
	friend := w.person(2, "en")
	friend.command("start", "")
	for _, via := range []func(code string) flows.Reply{
		func(code string) flows.Reply { return friend.command("check", code) },
		func(code string) flows.Reply { return friend.command("start", "c_"+code) },
		func(code string) flows.Reply { friend.press("btn.menu_check"); return friend.send(code) },
		func(code string) flows.Reply { return friend.pressData("s.:sub:" + code) },
	} {
		unknown := via("K7M4Q9XP")
		wrong := via("K7M4Q9")
		if !reflect.DeepEqual(unknown.Texts, wrong.Texts) || w.rendered(unknown) != w.rendered(wrong) {
			t.Errorf("unknown code: %v\nwrong code: %v", unknown.Texts, wrong.Texts)
		}
		if !slices.Equal(textIDs(unknown), []string{"check.not_found"}) {
			t.Errorf("answer to an unknown code: %v", textIDs(unknown))
		}
	}
}

// TestGuessingIsStopped: 50 wrong codes from one user are stopped and told
// to wait; a valid code from another user still works.
func TestGuessingIsStopped(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storage.LookupLimits{})
	c := w.file(w.person(1, "ru"), fullCase())
	guesser := w.person(2, "ru")
	var notFound, wait int
	for i := range 50 {
		r := guesser.command("check", fmt.Sprintf("ZZZZ%04d", i))
		switch {
		case slices.Contains(textIDs(r), "check.wait"):
			wait++
		case slices.Equal(textIDs(r), []string{"check.not_found"}):
			notFound++
		default:
			t.Fatalf("guess %d: %v", i, textIDs(r))
		}
	}
	if notFound > 4 || wait < 46 {
		t.Errorf("%d answered “not found”, %d “wait”; want at most 4 and at least 46", notFound, wait)
	}
	if got := w.rendered(guesser.last().Reply); !strings.Contains(got, "минут") {
		t.Errorf("the wait is not in minutes: %s", got)
	}
	// Even the right code waits now.
	if r := guesser.command("check", c.Code); !slices.Equal(textIDs(r), []string{"check.wait"}) {
		t.Errorf("the guesser's valid code: %v", textIDs(r))
	}
	other := w.person(3, "en")
	if r := other.command("start", "c_"+c.Code); data(r, "check.header", "Code") != flows.FormatCode(c.Code) {
		t.Errorf("another user's valid code: %v", textIDs(r))
	}
}

// notices returns the notifications a chat got after the first n messages.
func notices(p *person, n int) []msg {
	var out []msg
	for _, m := range p.since(n) {
		if m.Priority == flows.PriorityNotice {
			out = append(out, m)
		}
	}
	return out
}

// TestVolunteerUpdatesNotifyFollowers: a volunteer moves a case through
// statuses with a public and an internal note; the reporter and each
// subscriber get exactly the public changes, in their own languages, and
// the internal note reaches nobody.
func TestVolunteerUpdatesNotifyFollowers(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storage.LookupLimits{})
	reporter := w.person(1, "ru")
	c := w.file(reporter, fullCase())
	friendEN, friendRU := w.person(2, "en"), w.person(3, "uk")
	for _, f := range []*person{friendEN, friendRU} {
		f.command("start", "c_"+c.Code)
		expectTexts(t, f.press("btn.subscribe"), "sub.done")
	}
	vol := w.person(volunteerID, "en")
	mark := map[*person]int{reporter: len(reporter.got), friendEN: len(friendEN.got), friendRU: len(friendRU.got)}

	// 1: lawyer found, with a public note.
	expectTexts(t, vol.command("status", strings.ToLower(flows.FormatCode(c.Code))), "update.pick")
	// The volunteer writes in English; the family wrote in Russian, and
	// the note reaches them as typed: they are told so.
	if r := vol.press("status.name.lawyer_found"); !strings.Contains(w.rendered(r), "in Russian") {
		t.Errorf("the note's question does not say the family's language:\n%s", w.rendered(r))
	}
	r := vol.send("A lawyer from Phoenix took the case.")
	expectTexts(t, r, "update.saved", "update.notified")
	if r.Texts[1].Count != 3 {
		t.Errorf("notified %v, want 3", r.Texts[1].Count)
	}
	// An internal note.
	expectTexts(t, vol.command("note", flows.FormatCode(c.Code)+" SECRET: the family owes the lawyer money"), "note.saved")
	// 2: transferred, the facility picked from the directory, no note.
	vol.command("status", c.Code)
	expectTexts(t, vol.press("status.name.transferred"), "update.moved")
	expectTexts(t, vol.send("Otay"), "update.moved_pick")
	expectTexts(t, vol.send("the first one"), "update.public_note") // Otay, the first shown
	expectTexts(t, vol.press("btn.no_note"), "update.saved", "update.notified")
	// Internal again, asked for on its own line.
	expectTexts(t, vol.command("note", c.Code), "note.ask")
	expectTexts(t, vol.send("SECRET2 internal detail"), "note.saved")
	// 3: deportation scheduled, with a date.
	vol.command("status", c.Code)
	expectTexts(t, vol.press("status.name.deportation_scheduled"), "update.dep_date")
	expectTexts(t, vol.send("02.04.2026"), "update.public_note")
	expectTexts(t, vol.send("нет"), "update.saved", "update.notified")

	wantStatuses := []string{flows.StatusLawyer, flows.StatusTransferred, flows.StatusDeportation}
	for _, tt := range []struct {
		p        *person
		lang     string
		stop     bool
		facility bool
	}{{reporter, "ru", false, true}, {friendEN, "en", true, false}, {friendRU, "ru", true, false}} {
		got := notices(tt.p, mark[tt.p])
		if len(got) != len(wantStatuses) || len(tt.p.since(mark[tt.p])) != len(wantStatuses) {
			t.Fatalf("chat %d got %d messages, %d notices; want %d notices only", tt.p.id, len(tt.p.since(mark[tt.p])), len(got), len(wantStatuses))
		}
		for i, m := range got {
			if m.Lang != tt.lang || m.Texts[1].Data["Status"].(flows.Text).ID != "status.name."+wantStatuses[i] {
				t.Errorf("chat %d notice %d: %s %v", tt.p.id, i, m.Lang, m.Texts)
			}
			text := w.rendered(m.Reply)
			if strings.Contains(text, "SECRET") {
				t.Errorf("chat %d got an internal note:\n%s", tt.p.id, text)
			}
			if hasStop := slices.Contains(buttonNames(m.Reply), "btn.unsubscribe"); hasStop != tt.stop {
				t.Errorf("chat %d notice %d: stop button %v, want %v", tt.p.id, i, hasStop, tt.stop)
			}
		}
		if !strings.Contains(w.rendered(got[0].Reply), "A lawyer from Phoenix took the case.") {
			t.Errorf("chat %d: the public note is missing:\n%s", tt.p.id, w.rendered(got[0].Reply))
		}
		if got := strings.Contains(w.rendered(got[1].Reply), "Otay"); got != tt.facility {
			t.Errorf("chat %d: the new facility shown %v, want %v (not shared)", tt.p.id, got, tt.facility)
		}
		// Friends see no deportation date: the reporter did not allow it.
		if has := slices.Contains(textIDs(got[2].Reply), "check.deportation_date"); has != (tt.p == reporter) {
			t.Errorf("chat %d: deportation date shown %v: %v", tt.p.id, has, textIDs(got[2].Reply))
		}
	}
	if n := len(vol.got); n == 0 || notices(vol, 0) != nil {
		t.Errorf("the volunteer got notices: %v", notices(vol, 0))
	}

	// A public note alone notifies too; after "stop", that friend is left out.
	friendRU.press("btn.unsubscribe")
	mark = map[*person]int{reporter: len(reporter.got), friendEN: len(friendEN.got), friendRU: len(friendRU.got)}
	vol.command("status", c.Code)
	expectTexts(t, vol.press("btn.update_note_only"), "update.note_only")
	r = vol.send("The hearing moved to May 20.")
	expectTexts(t, r, "update.note_saved", "update.notified")
	for p, want := range map[*person]int{reporter: 1, friendEN: 1, friendRU: 0} {
		if got := len(notices(p, mark[p])); got != want {
			t.Errorf("chat %d: %d notices of the public note, want %d", p.id, got, want)
		}
	}
	var events, public int
	if err := w.db.Get(&events, `SELECT count(*) FROM case_events WHERE case_id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.db.Get(&public, `SELECT count(*) FROM case_events WHERE case_id = $1 AND public`, c.ID); err != nil {
		t.Fatal(err)
	}
	if events != 7 || public != 5 {
		t.Errorf("%d events (%d public), want 7 (5): new, 3 statuses, 2 internal notes, 1 public note", events, public)
	}
}

// TestStatusChangeHandledTwiceNotifiesOnce: when saving the session fails
// after the event is stored, the bot handles the update again; the second
// run finds the stored event, stores nothing more and returns the
// notifications — the only ones, since the failed run's replies were never
// sent. Delivered once more, the update changes and sends nothing.
func TestStatusChangeHandledTwiceNotifiesOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storage.LookupLimits{})
	reporter := w.person(1, "ru")
	c := w.file(reporter, fullCase())
	friend := w.person(2, "en")
	friend.command("start", "c_"+c.Code)
	friend.press("btn.subscribe")
	vol := w.person(volunteerID, "en")
	vol.command("status", c.Code)
	vol.press("status.name.released")
	var save flows.Button
	for _, row := range vol.last().Buttons {
		for _, b := range row {
			if b.Text.ID == "btn.no_note" {
				save = b
			}
		}
	}
	in := flows.Input{Kind: flows.KindButton, Data: save.Data, MessageID: vol.last().id}
	marks := []int{len(reporter.got), len(friend.got)}

	w.sessions.failPuts = 1
	if _, err := vol.try(in); err == nil {
		t.Fatal("no error with Redis failing")
	}
	if n, err := vol.try(in); err != nil || n != 3 {
		t.Fatalf("retry: %d replies, %v; want the volunteer's and 2 notices", n, err)
	}
	expectTexts(t, vol.last().Reply, "update.saved", "update.notified")
	if n, _ := vol.try(in); n != 1 {
		t.Errorf("a third delivery sent %d replies", n)
	}
	expectTexts(t, vol.last().Reply, "button.old", "menu.choose")
	for i, p := range []*person{reporter, friend} {
		if got := len(notices(p, marks[i])); got != 1 {
			t.Errorf("chat %d: %d notices, want 1", p.id, got)
		}
	}
	var n int
	if err := w.db.Get(&n, `SELECT count(*) FROM case_events WHERE case_id = $1 AND status = 'released'`, c.ID); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d status events, want 1", n)
	}
}

// TestVolunteerCommandsAreUnknownToOthers: to anyone but a volunteer,
// /status, /note and /find answer as commands that do not exist, and their
// buttons answer as any old button.
func TestVolunteerCommandsAreUnknownToOthers(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storage.LookupLimits{})
	reporter := w.person(1, "ru")
	c := w.file(reporter, fullCase())
	for _, cmd := range []string{"status", "note", "find"} {
		expectTexts(t, reporter.command(cmd, c.Code+" text"), "command.unknown", "menu.choose")
	}
	expectTexts(t, reporter.pressData("s.:v:"+c.Code), "button.old", "menu.choose")
	var n int
	if err := w.db.Get(&n, `SELECT count(*) FROM case_events`); err != nil || n != 1 {
		t.Errorf("%d events, %v; want only the first", n, err)
	}
}

func TestFind(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storage.LookupLimits{})
	reporter := w.person(1, "ru")
	c := w.file(reporter, fullCase())
	vol := w.person(volunteerID, "ru")
	vol.command("note", c.Code+" позвонили в Florence")
	for _, q := range []string{"A012-345-678", "12345678", strings.ToLower(c.Code)} {
		r := vol.command("find", q)
		expectTexts(t, r, "find.card")
		card := w.rendered(r)
		for _, want := range []string{"Ivanov Sergey", "A012-345-678", "+1 480 555 0199", "позвонили в Florence", flows.FormatCode(c.Code)} {
			if !strings.Contains(card, want) {
				t.Errorf("/find %s: card lacks %q:\n%s", q, want, card)
			}
		}
	}
	expectTexts(t, vol.command("find", "A999-999-999"), "find.none")
	expectTexts(t, vol.command("find", ""), "find.usage")
	expectTexts(t, vol.press("btn.case_status"), "update.pick")
}

// TestPublicNoteWithPersonalDataIsHeld: a volunteer types an A-number and
// a phone into a public note; it is held back with a warning, nobody is
// told, and kept as an internal note it reaches no follower. Only a
// coordinator may send such a note anyway.
func TestPublicNoteWithPersonalDataIsHeld(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storage.LookupLimits{})
	reporter := w.person(1, "en")
	c := w.file(reporter, fullCase())
	friend := w.person(2, "en")
	friend.command("start", "c_"+c.Code)
	expectTexts(t, friend.press("btn.subscribe"), "sub.done")
	const volID, coordID = 9000002, 9000003
	for id, role := range map[int64]flows.Role{volID: flows.RoleVolunteer, coordID: flows.RoleCoordinator} {
		if err := w.vols.Add(context.Background(), id, role, 0); err != nil {
			t.Fatal(err)
		}
	}
	vol, coord := w.person(volID, "en"), w.person(coordID, "en")
	mark := len(friend.got)

	secret := "Sergey's A-number is A 012-345-678, call his wife at +1 480 555 0199"
	vol.command("status", c.Code)
	expectTexts(t, vol.press("status.name.lawyer_found"), "update.public_note")
	r := vol.send(secret)
	expectTexts(t, r, "update.note_held")
	if got := buttonNames(r); slices.Contains(got, "btn.note_anyway") || !slices.Contains(got, "btn.note_internal") {
		t.Errorf("a volunteer is offered %v; want to keep it internal or edit, not to send anyway", got)
	}
	if len(friend.got) != mark {
		t.Fatalf("the friend was told of a held note: %v", friend.since(mark))
	}
	expectTexts(t, vol.press("btn.note_internal"), "note.saved", "update.saved", "update.notified")
	for _, m := range friend.since(mark) {
		if text := w.rendered(m.Reply); strings.Contains(text, "012-345-678") || strings.Contains(text, "555 0199") {
			t.Errorf("the friend read the held note:\n%s", text)
		}
	}
	if got := len(notices(friend, mark)); got != 1 {
		t.Errorf("friend got %d notices, want the status change", got)
	}

	// Edit, then a clean note goes out.
	vol.command("status", c.Code)
	vol.press("status.name.filed")
	expectTexts(t, vol.send("Call +1 480 555 0199 for news"), "update.note_held")
	expectTexts(t, vol.press("btn.note_edit"), "update.public_note")
	expectTexts(t, vol.send("The hearing is set; the lawyer will attend."), "update.saved", "update.notified")

	// A coordinator may send it anyway.
	coord.command("status", c.Code)
	coord.press("status.name.released")
	r = coord.send("Sergey is out, he thanks everyone")
	expectTexts(t, r, "update.note_held")
	expectTexts(t, coord.press("btn.note_anyway"), "update.saved", "update.notified")
	if text := w.rendered(friend.last().Reply); !strings.Contains(text, "Sergey is out") {
		t.Errorf("the coordinator's note did not reach the friend:\n%s", text)
	}
}

// TestFindIsAuditedAndLimited: every /find is in the audit log, hit or
// miss, with the kind of query and the count and never the A-number; a
// volunteer who searches too much, or misses too often, is made to wait.
func TestFindIsAuditedAndLimited(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{
		Config:     flows.Config{Admins: []int64{volunteerID}},
		FindLimits: storage.LookupLimits{PerUser: 100, FreeMisses: 2, MissDelay: time.Minute},
	})
	w := &world{testApp: a, people: map[int64]*person{}}
	c := w.file(w.person(1, "en"), fullCase())
	vol := w.person(volunteerID, "en")

	expectTexts(t, vol.command("find", "A 012-345-678"), "find.card")
	expectTexts(t, vol.command("find", c.Code), "find.card")
	expectTexts(t, vol.command("find", "A 999-999-999"), "find.none")
	expectTexts(t, vol.command("find", "A 999-999-998"), "find.none")
	expectTexts(t, vol.command("find", "A 999-999-997"), "find.none", "check.wait")
	expectTexts(t, vol.command("find", c.Code), "check.wait")

	var rows []struct {
		Actor  string `db:"actor"`
		Detail string `db:"detail"`
	}
	if err := w.db.Select(&rows, `SELECT actor, detail FROM audit_log WHERE action = 'search' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Actor+" "+r.Detail)
	}
	actor := "tg:" + strconv.Itoa(volunteerID)
	want := []string{actor + " a_number:1", actor + " code:1", actor + " a_number:0", actor + " a_number:0", actor + " a_number:0"}
	if !slices.Equal(got, want) {
		t.Errorf("searches audited: %q, want %q", got, want)
	}
	var leaked int
	if err := w.db.Get(&leaked, `SELECT count(*) FROM audit_log WHERE detail ~ '[0-9]{3}' OR detail ILIKE '%' || $1 || '%'`, c.Code); err != nil || leaked != 0 {
		t.Errorf("%d audit rows hold a searched value, %v", leaked, err)
	}
}

// What a status means is shown to everyone with the code, following the
// case or not: it promises no message ("you will get a message here") that
// only following brings; the line for those who follow says so.
func TestStatusAboutPromisesNoMessage(t *testing.T) {
	t.Parallel()
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "ru"} {
		for _, st := range flows.Statuses() {
			got := cat.Render(lang, flows.T("status.about."+st))
			for _, promise := range []string{"get a message", "получите сообщение"} {
				if strings.Contains(got, promise) {
					t.Errorf("%s %s promises a message to people who may not follow the case: %q", lang, st, got)
				}
			}
		}
	}
}

// TestCheckOffersYourCases: "Check a case" from someone who reported one,
// or follows one, offers it a press away under the question for its code,
// which a relative rarely has at hand; someone with none is asked for the
// code alone.
func TestCheckOffersYourCases(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storage.LookupLimits{})
	reporter := w.person(1, "ru")
	c := w.file(reporter, fullCase())
	friend, stranger := w.person(2, "en"), w.person(3, "en")
	friend.command("start", "c_"+c.Code)
	friend.press("btn.subscribe")
	for _, p := range []*person{reporter, friend} {
		p.command("start", "")
		r := p.press("btn.menu_check")
		expectTexts(t, r, "check.ask", "check.or_yours")
		data := buttonData(t, r, "btn.mycase")
		if !strings.HasSuffix(data, c.Code) {
			t.Fatalf("chat %d: the case's button %q, want case %s", p.id, data, c.Code)
		}
		if got := textIDs(p.pressData(data)); !slices.Contains(got, "check.header") {
			t.Errorf("chat %d pressed its case: %v", p.id, got)
		}
	}
	stranger.command("start", "")
	expectTexts(t, stranger.press("btn.menu_check"), "check.ask")
}

// TestReporterWhoFollowsWritesNews: one who reported a case of their own
// and follows someone else's writes what is news of theirs ("забыла
// сказать, его A-номер…", after a volunteer's chat about it): it is
// offered as news of their case. It got the case they follow, and a
// volunteer of that case.
func TestReporterWhoFollowsWritesNews(t *testing.T) {
	t.Parallel()
	w, c, friend := friendOfACase(t, "ru")
	friend.send(c.Code)
	friend.press("btn.subscribe")
	own := w.file(friend, fullCase())
	friend.command("start", "")
	r := friend.send("Забыла сказать, его A-номер 214 556 890, и суд назначили на 20 января")
	expectTexts(t, r, "casework.news_offer", "menu.report_other")
	if !slices.ContainsFunc(r.Buttons, func(row []flows.Button) bool {
		return slices.ContainsFunc(row, func(b flows.Button) bool { return strings.Contains(b.Data, own.Code) })
	}) {
		t.Errorf("no button sends it to %s: %v", own.Code, buttonNames(r))
	}
}
