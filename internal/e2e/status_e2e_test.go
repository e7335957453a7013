package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"hotline/bot/telegramtest"
	"hotline/flows"
	"hotline/internal/pipeline"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// statusVolunteer is the admin of every status test: admins are volunteers.
const statusVolunteer = 6000900

func newStatusHarness(t *testing.T, opts ...harnessOption) *harness {
	t.Helper()
	return newHarness(t, append([]harnessOption{withConfig(func(c *config) {
		c.Admins = []int64{statusVolunteer}
	})}, opts...)...)
}

// fileReport files a report through Telegram, in Russian, with personal data
// in every field, the facility hidden from people with the code, and returns
// the case code from the reporter's last message.
func fileReport(t *testing.T, h *harness, u *telegramtest.User) string {
	t.Helper()
	u.Send("/start")
	m := expectText(t, u, firstLine(h.text("ru", "menu.greeting")))
	press(t, u, m, h.label("ru", "btn.menu_report"))
	return answerReport(t, h, u)
}

// answerReport answers a report's questions, from the consent on, as
// fileReport does, and returns the case code from the last message.
func answerReport(t *testing.T, h *harness, u *telegramtest.User) string {
	t.Helper()
	ask := func(id string) string { return firstLine(h.text("ru", id, holes...)) }
	btn := func(id string) string { return h.label("ru", id) }
	m := expectText(t, u, ask("ask.consent"))
	press(t, u, m, btn("btn.consent_yes"))
	h.dontKnow(t, u, "ru", "triage")
	expectText(t, u, ask("ask.name"))
	return answerFromName(t, h, u)
}

// answerFromName answers the rest of answerReport's questions, from the
// name on.
func answerFromName(t *testing.T, h *harness, u *telegramtest.User) string {
	t.Helper()
	return answerFromNameAs(t, h, u, "ask.reporter_name", "ask.relationship", "ask.contact")
}

// answerFromNameAs is answerFromName with the questions about the reporter
// asked as named: a volunteer filing for a caller is asked of the caller.
func answerFromNameAs(t *testing.T, h *harness, u *telegramtest.User, name, relation, contact string) string {
	t.Helper()
	ask := func(id string) string { return firstLine(h.text("ru", id, holes...)) }
	btn := func(id string) string { return h.label("ru", id) }
	var m *telegramtest.Message
	for _, step := range []struct{ send, next string }{
		{"Ivan Petrov", "ask.name_cyr"},
		{"Иван Петров", "ask.name_other"},
		{"Ivan Petroff", "ask.birth_date"},
		{"5 мая 1985", "ask.birth_country"},
		{"Казахстан", "ask.citizenship"},
		{"Россия", "ask.a_number"},
		{"A 123-456-789", "ask.detained_on"},
		{"12.02.26", "ask.circumstance"},
	} {
		u.Send(step.send)
		if step.next == "ask.detained_on" {
			// Another's open case with this A-number: go on with the report.
			if m = u.Next(t); strings.HasPrefix(m.Plain, ask("ask.known_case")) {
				press(t, u, m, btn("btn.known_report"))
				m = u.Next(t)
			}
			if !strings.HasPrefix(m.Plain, ask("ask.detained_on")) {
				t.Fatalf("user %d got %q, want %q", u.ID, m.Plain, ask("ask.detained_on"))
			}
			continue
		}
		m = expectText(t, u, ask(step.next))
	}
	press(t, u, m, btn("circ.checkin"))
	h.dontKnow(t, u, "ru", "office")
	expectText(t, u, ask("ask.details"))
	u.Send("Забрали на отметке в Финиксе, сосед видел")
	expectText(t, u, ask("ask.facility"))
	u.Send("Элой") // the one facility spelt so: taken, said back
	h.dontKnow(t, u, "ru", "transfer")
	press(t, u, expectText(t, u, ask("ask.lawyer")), btn("btn.lawyer_yes"))
	expectText(t, u, ask("ask.lawyer_name"))
	u.Send("John Smith")
	expectText(t, u, ask("ask.lawyer_phone"))
	u.Send("+1 (520) 555-0100")
	press(t, u, expectText(t, u, ask("ask.hearing")), btn("btn.hearing_unknown"))
	h.dontKnow(t, u, "ru", "stage")
	press(t, u, expectText(t, u, ask("ask.appeals")), btn("btn.appeals_none"))
	h.dontKnow(t, u, "ru", factsAfterAppeals...)
	press(t, u, expectText(t, u, ask("ask.urgent")), btn("btn.urgent_done"))
	expectText(t, u, ask(name))
	u.Send("Мария Петрова")
	expectText(t, u, ask(relation))
	u.Send("жена")
	expectText(t, u, ask(contact))
	u.Send("+7 916 123-45-67")
	h.dontKnow(t, u, "ru", append(factsAfterContact, "facility_share")...)
	press(t, u, expectText(t, u, firstLine(h.text("ru", "ask.review", "Lines", ""))), btn("btn.confirm"))
	code := codeRe.FindString(u.Next(t).Plain)
	if code == "" {
		t.Fatal("the reporter got no case code")
	}
	return strings.ReplaceAll(code, "-", "")
}

// personalOf returns the stored personal fields of a case.
func personalOf(t *testing.T, h *harness, code string) []string {
	t.Helper()
	r, _, err := storage.NewCases(h.db, storagetest.Keys(t)).Get(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{r.NameLatin, r.NameCyrillic, r.BirthDate, r.ANumber, r.BirthCountry, r.CircumstanceNote,
		r.LawyerName, r.LawyerPhone, r.ReporterName, r.ReporterPhone}
	for _, v := range out {
		if v == "" {
			t.Fatalf("the test case lacks a personal field: %+v", r)
		}
	}
	return out
}

// drained waits until the bot has sent everything it decided to send:
// every outbox stream is empty.
func drained(t *testing.T, h *harness) {
	t.Helper()
	out := pipeline.NewOutbox(h.rdb, h.cfg.RedisPrefix, h.cfg.Partitions)
	deadline := time.Now().Add(20 * time.Second)
	for {
		left := int64(0)
		for p := range h.cfg.Partitions {
			n, err := out.Len(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			left += n
		}
		if left == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d calls still in the outbox", left)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// noticesSince returns the messages a user got after message id whose text
// starts with the notification header.
func noticesSince(h *harness, u *telegramtest.User, lang string, after int) []*telegramtest.Message {
	header := firstLine(h.text(lang, "notify.header", "Code", "X"))
	header = strings.TrimSuffix(header, " X")
	var out []*telegramtest.Message
	for _, m := range u.Received() {
		if m.ID > after && strings.HasPrefix(m.Plain, header) {
			out = append(out, m)
		}
	}
	return out
}

// lastID is the id of the latest message the user got.
func lastID(u *telegramtest.User) int {
	got := u.Received()
	if len(got) == 0 {
		return 0
	}
	return got[len(got)-1].ID
}

// setStatus changes a case's status as a volunteer does: /status, a status
// button, then the note, or "no note".
func setStatus(t *testing.T, h *harness, vol *telegramtest.User, code, status, note string) *telegramtest.Message {
	t.Helper()
	vol.Send("/status " + strings.ToLower(flows.FormatCode(code)))
	m := vol.Next(t)
	for isAnnouncement(m) {
		m = vol.Next(t)
	}
	if !strings.Contains(m.Plain, flows.FormatCode(code)) {
		t.Fatalf("/status %s answered %q", code, m.Plain)
	}
	press(t, vol, m, h.label("en", "status.name."+status))
	m = vol.Next(t)
	if status == flows.StatusTransferred {
		vol.Send("Otay")
		m = expectText(t, vol, firstLine(h.text("en", "update.moved_pick", "Query", "Otay")))
		press(t, vol, m, "Otay")
		m = vol.Next(t)
	}
	if note == "" {
		press(t, vol, m, h.label("en", "btn.no_note"))
	} else {
		vol.Send(note)
	}
	return expectText(t, vol, plain(h.cat.Render("en", flows.T("update.saved", "Code", flows.FormatCode(code),
		"Status", flows.T("status.name."+status)))))
}

// TestStatusEndToEnd: a reporter files a case, a friend opens the share
// link and subscribes, a volunteer moves the case through three statuses
// with a public and an internal note. The friend and the reporter each get
// exactly the public changes, in their own languages; the internal note
// reaches nobody outside the volunteers; and nothing they see holds the
// case's personal fields.
func TestStatusEndToEnd(t *testing.T) {
	parallel(t)
	h := newStatusHarness(t)
	reporter := h.tg.User(6000001, "ru")
	code := fileReport(t, h, reporter)
	// The stored fields, and as the bot writes them; the facility, which
	// the reporter chose not to share.
	personal := append(personalOf(t, h, code), "A123-456-789", "1985", "Eloy", "ELOY")
	afterReport := lastID(reporter)

	friend := h.tg.User(6000002, "en")
	friend.Send("/start c_" + code) // what the share link sends
	view := expectText(t, friend, plain(h.cat.Render("en", flows.T("check.header", "Code", flows.FormatCode(code)))))
	press(t, friend, view, h.label("en", "btn.subscribe"))
	expectText(t, friend, firstLine(h.text("en", "sub.done", "Code", flows.FormatCode(code))))
	afterSub := lastID(friend)

	vol := h.tg.User(statusVolunteer, "en")
	setStatus(t, h, vol, code, flows.StatusLawyer, "A lawyer from Phoenix took the case.")
	vol.Send("/note " + code + " SECRET: the wife asked us not to call after 9 pm")
	expectText(t, vol, plain(h.cat.Render("en", flows.T("note.saved", "Code", flows.FormatCode(code)))))
	setStatus(t, h, vol, code, flows.StatusTransferred, "")
	setStatus(t, h, vol, code, flows.StatusFiled, "")
	drained(t, h)

	for _, f := range []struct {
		u     *telegramtest.User
		lang  string
		after int
	}{{friend, "en", afterSub}, {reporter, "ru", afterReport}} {
		var got []*telegramtest.Message
		for _, m := range f.u.Received() {
			if m.ID > f.after {
				got = append(got, m)
			}
		}
		notes := noticesSince(h, f.u, f.lang, f.after)
		if len(got) != 3 || len(notes) != 3 {
			var texts []string
			for _, m := range got {
				texts = append(texts, m.Plain)
			}
			t.Fatalf("user %d got %d messages (%d notices), want the 3 status changes:\n%s",
				f.u.ID, len(got), len(notes), strings.Join(texts, "\n---\n"))
		}
		for i, status := range []string{flows.StatusLawyer, flows.StatusTransferred, flows.StatusFiled} {
			want := plain(h.cat.Render(f.lang, flows.T("notify.status", "Status", flows.T("status.name."+status))))
			if !strings.Contains(notes[i].Plain, want) {
				t.Errorf("user %d notice %d:\n%s\nwant %q", f.u.ID, i, notes[i].Plain, want)
			}
			if strings.Contains(notes[i].Plain, "SECRET") {
				t.Errorf("user %d got the internal note:\n%s", f.u.ID, notes[i].Plain)
			}
		}
		if !strings.Contains(notes[0].Plain, "A lawyer from Phoenix took the case.") {
			t.Errorf("user %d: no public note in %q", f.u.ID, notes[0].Plain)
		}
	}
	// The reporter sees where the person was moved; the friend does not:
	// the reporter chose not to share the facility.
	if !strings.Contains(noticesSince(h, reporter, "ru", afterReport)[1].Plain, "Otay") {
		t.Error("the reporter was not told the new facility")
	}

	for _, m := range friend.Received() {
		for _, p := range append(personal, "Otay", "SECRET") {
			if strings.Contains(m.Plain, p) {
				t.Errorf("the friend saw %q:\n%s", p, m.Plain)
			}
		}
	}
	for range 3 {
		friend.Next(t) // the notices, read above through Received
	}
	friend.Send("/check " + code)
	view = expectText(t, friend, plain(h.cat.Render("en", flows.T("check.header", "Code", flows.FormatCode(code)))))
	for _, p := range append(personal, "Otay", "SECRET") {
		if strings.Contains(view.Plain, p) {
			t.Errorf("the status view shows %q:\n%s", p, view.Plain)
		}
	}
	if !strings.Contains(view.Plain, "A lawyer from Phoenix took the case.") {
		t.Errorf("the status view lacks the public note:\n%s", view.Plain)
	}

	// Volunteers see the internal note.
	vol.Send("/find " + code)
	if card := vol.Next(t); !strings.Contains(card.Plain, "SECRET") || !strings.Contains(card.Plain, "Ivan Petrov") {
		t.Errorf("/find card:\n%s", card.Plain)
	}
}

// TestStatusCodeVariantsEndToEnd: the code typed in any form, at the menu,
// after "Check a case" and with /check, and the deep link, all find the case.
func TestStatusCodeVariantsEndToEnd(t *testing.T) {
	parallel(t)
	h := newStatusHarness(t, withConfig(func(c *config) { c.Lookups.PerUser = 100 }))
	c := storeCase(t, h, 6000011)
	header := plain(h.cat.Render("ru", flows.T("check.header", "Code", flows.FormatCode(c.Code))))
	u := h.tg.User(6000012, "ru")
	u.Send("/start")
	menu := u.Next(t)
	lower := strings.ToLower(c.Code)
	for _, v := range []string{
		strings.ToLower(flows.FormatCode(c.Code)), // "k7m4-q9xp"
		c.Code,                         // "K7M4Q9XP"
		lower[:4] + " " + lower[4:],    // "k7m4 q9xp"
		" " + flows.FormatCode(c.Code), // pasted with a space
	} {
		u.Send(v)
		expectText(t, u, header)
		press(t, u, menu, h.label("ru", "btn.menu_check"))
		expectText(t, u, firstLine(h.text("ru", "check.ask")))
		u.Send(v)
		expectText(t, u, header)
		u.Send("/check " + v)
		expectText(t, u, header)
	}
	u.Send("/start c_" + c.Code)
	expectText(t, u, header)
}

// storeCase stores a case directly, for tests that need one but not the
// report flow.
func storeCase(t *testing.T, h *harness, reporter int64) flows.Case {
	t.Helper()
	c, err := storage.NewCases(h.db, storagetest.Keys(t)).Create(context.Background(), &flows.Report{
		DraftID: storagetest.Name("d"), Consent: true, NameLatin: "Ali Rahimi", ANumber: "987654321",
		ReporterName: "Zara", ReporterPhone: "@zara_r", ReporterChatID: reporter, ReporterUserID: reporter, Lang: "en",
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestStatusGuessingEndToEnd: 50 wrong codes from one user are stopped and
// the user is told to wait; a valid code from another user still works.
func TestStatusGuessingEndToEnd(t *testing.T) {
	parallel(t)
	h := newStatusHarness(t)
	c := storeCase(t, h, 6000021)
	guesser := h.tg.User(6000022, "en")
	notFound := firstLine(h.text("en", "check.not_found"))
	wait := strings.SplitN(h.text("en", "check.wait", "Wait", "X"), "X", 2)[0]
	var missed, waited int
	for i := range 50 {
		guesser.Send(fmt.Sprintf("/check ZZZZ%04d", i))
		m := guesser.Next(t)
		switch {
		case strings.Contains(m.Plain, wait):
			waited++
		case strings.Contains(m.Plain, notFound):
			missed++
		default:
			t.Fatalf("guess %d answered %q", i, m.Plain)
		}
	}
	if missed > 4 || waited < 46 {
		t.Errorf("%d answered “not found” and %d “please wait”; want the limit to stop all but the first few", missed, waited)
	}
	guesser.Send("/start c_" + c.Code)
	if m := guesser.Next(t); !strings.Contains(m.Plain, wait) {
		t.Errorf("the guesser's valid code: %q, want “please wait”", m.Plain)
	}
	other := h.tg.User(6000023, "en")
	other.Send("/start c_" + c.Code)
	expectText(t, other, plain(h.cat.Render("en", flows.T("check.header", "Code", flows.FormatCode(c.Code)))))
}

// TestStatusForgetEndToEnd: /forget removes the reporter's personal data
// from Postgres, and the case status still works for subscribers; nothing
// links the reporter's account to the case any more, so they are not told.
func TestStatusForgetEndToEnd(t *testing.T) {
	parallel(t)
	h := newStatusHarness(t)
	reporter := h.tg.User(6000031, "ru")
	code := fileReport(t, h, reporter)
	personal := personalOf(t, h, code)
	friend := h.tg.User(6000032, "en")
	friend.Send("/start c_" + code)
	press(t, friend, friend.Next(t), h.label("en", "btn.subscribe"))
	friend.Next(t)

	reporter.Send("/forget")
	m := expectText(t, reporter, firstLine(h.text("ru", "forget.ask")))
	press(t, reporter, m, h.label("ru", "btn.forget_yes"))
	expectText(t, reporter, firstLine(h.text("ru", "forget.done")))

	var row string
	if err := h.db.Get(&row, `SELECT string_agg(t::text, ' ') FROM (
		SELECT c.*, r.name, r.relationship AS r_relationship, r.contact FROM cases c
		JOIN reporters r ON r.id = c.reporter_id) t`); err != nil {
		t.Fatal(err)
	}
	for _, p := range personal {
		if strings.Contains(row, p) {
			t.Errorf("after /forget the tables still hold %q", p)
		}
	}

	after := lastID(friend)
	afterR := lastID(reporter)
	friend.Send("/check " + code)
	expectText(t, friend, plain(h.cat.Render("en", flows.T("check.header", "Code", flows.FormatCode(code)))))
	vol := h.tg.User(statusVolunteer, "en")
	setStatus(t, h, vol, code, flows.StatusReleased, "")
	drained(t, h)
	if n := len(noticesSince(h, friend, "en", after)); n != 1 {
		t.Errorf("the subscriber got %d notices after /forget, want 1", n)
	}
	if n := len(noticesSince(h, reporter, "ru", afterR)); n != 0 {
		t.Errorf("the reporter got %d notices after /forget, want none: the account is unlinked", n)
	}
}

// TestStatusRestartBeforeNotifications: the bot stops after a status
// change is handled but before its notifications are sent (Telegram holds
// them back with 429); the next process sends them, and each follower is
// notified exactly once.
func TestStatusRestartBeforeNotifications(t *testing.T) {
	parallel(t)
	h := newStatusHarness(t, withConfig(func(c *config) {
		tests := c.pipeline
		c.pipeline = func(o *pipeline.Options) {
			tests(o)
			o.FlushTimeout = 200 * time.Millisecond // the held notices are not going anywhere
		}
	}))
	c := storeCase(t, h, 6000041)
	reporter := h.tg.User(6000041, "en")
	friends := []*telegramtest.User{h.tg.User(6000042, "ru"), h.tg.User(6000043, "en")}
	for i, f := range friends {
		f.Send("/start c_" + c.Code)
		press(t, f, f.Next(t), h.label([]string{"ru", "en"}[i], "btn.subscribe"))
		f.Next(t)
	}
	users := append([]*telegramtest.User{reporter}, friends...)
	for _, u := range users {
		h.tg.Fault(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Status: 429, RetryAfter: 600})
	}
	vol := h.tg.User(statusVolunteer, "en")
	setStatus(t, h, vol, c.Code, flows.StatusInReview, "We are on it.")
	// Every follower's notice has been tried and refused.
	for deadline := time.Now().Add(20 * time.Second); h.tg.Stats().Faults < len(users); {
		if time.Now().After(deadline) {
			t.Fatalf("the notices were not tried: %d faults", h.tg.Stats().Faults)
		}
		time.Sleep(20 * time.Millisecond)
	}
	h.stop()
	h.tg.ClearFaults()
	for _, u := range users {
		if n := len(noticesSince(h, u, "en", 0)) + len(noticesSince(h, u, "ru", 0)); n != 0 {
			t.Fatalf("user %d got %d notices before the restart", u.ID, n)
		}
	}
	h.start()
	drained(t, h)
	for i, u := range users {
		lang := []string{"en", "ru", "en"}[i]
		got := noticesSince(h, u, lang, 0)
		if len(got) != 1 || !strings.Contains(got[0].Plain, "We are on it.") {
			t.Errorf("user %d got %d notices in %s, want 1", u.ID, len(got), lang)
		}
	}
	var n int
	if err := h.db.Get(&n, `SELECT count(*) FROM case_events WHERE case_id = $1 AND status = $2`, c.ID, flows.StatusInReview); err != nil || n != 1 {
		t.Errorf("%d status events, %v; want 1", n, err)
	}
}

// TestStatusLookupLimitsConfig: HOTLINE_LOOKUP_LIMITS sets the limits, and
// a malformed value stops start-up naming the variable.
func TestStatusLookupLimitsConfig(t *testing.T) {
	env := func(v string) func(string) string {
		return func(name string) string {
			if name == "HOTLINE_LOOKUP_LIMITS" {
				return v
			}
			return ""
		}
	}
	cfg, err := loadConfig(env("user=5/30m,misses=2"), need{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Lookups.PerUser != 5 || cfg.Lookups.Window != 30*time.Minute || cfg.Lookups.FreeMisses != 2 || cfg.Lookups.Global != 300 {
		t.Errorf("limits %+v", cfg.Lookups)
	}
	if _, err := loadConfig(env("user=lots"), need{}); err == nil || !strings.Contains(err.Error(), "HOTLINE_LOOKUP_LIMITS") {
		t.Errorf("malformed limits: %v", err)
	}
}
