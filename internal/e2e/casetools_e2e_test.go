package e2e

import (
	"strings"
	"testing"
	"time"

	"hotline/bot/telegramtest"
	"hotline/flows"
)

// The case tools, end to end: possible
// duplicates and merging, a volunteer writing first to a reporter, the
// conversation kept with the case, /hold, /find by name and /newcase.

// toolsLead is the start of a case tools' message, up to its first
// template value, without markup.
func (h *harness) toolsLead(lang, id string) string {
	h.t.Helper()
	return h.leadIn("casetools", lang, id)
}

// nextUntil reads the user's messages until one contains want.
func nextUntil(t *testing.T, u *telegramtest.User, want string) *telegramtest.Message {
	t.Helper()
	for range 20 {
		if m := u.Next(t); strings.Contains(m.Plain, want) {
			return m
		}
	}
	t.Fatalf("user %d never got %q", u.ID, want)
	return nil
}

// caseCard is /case CODE as the admin sees it.
func caseCard(t *testing.T, h *harness, admin *telegramtest.User, code string) *telegramtest.Message {
	t.Helper()
	admin.Send("/case " + code)
	m := nextReply(t, admin)
	if want := h.lead(admin.Lang, "handoff.case"); !strings.Contains(m.Plain, want) {
		t.Fatalf("/case %s answered %q, want %q", code, m.Plain, want)
	}
	return m
}

// TestDuplicatesEndToEnd: a second report with the same A-number (and
// name and birth date) is flagged as a possible duplicate on both cases'
// cards; the second reporter learns nothing of the first case. A
// coordinator merges them: one timeline, and both reporters get the next
// public status change, each under their own code. Merging a case into
// itself, into a closed or unknown case, or twice changes nothing.
func TestDuplicatesEndToEnd(t *testing.T) {
	parallel(t)
	h := newStatusHarness(t)
	first, second := h.tg.User(6200001, "ru"), h.tg.User(6200002, "ru")
	code1 := fileReport(t, h, first)
	code2 := fileReport(t, h, second)
	f1, f2 := flows.FormatCode(code1), flows.FormatCode(code2)

	admin := h.tg.User(statusVolunteer, "en")
	dup := func(code string) string {
		return h.text("en", "tools.duplicate", "Code", code, "Reason", flows.T("tools.dup_a_number"))
	}
	card := caseCard(t, h, admin, code1)
	if !strings.Contains(card.Plain, dup(f2)) {
		t.Errorf("the first case's card does not flag the second:\n%s", card.Plain)
	}
	card2 := caseCard(t, h, admin, code2)
	if !strings.Contains(card2.Plain, dup(f1)) {
		t.Errorf("the second case's card does not flag the first:\n%s", card2.Plain)
	}
	for _, m := range second.Received() {
		if strings.Contains(m.Plain, f1) {
			t.Errorf("the second reporter was told of the first case:\n%s", m.Plain)
		}
	}

	// Bad input first: nothing changes.
	admin.Send("/merge " + code1 + " " + f1)
	expectText(t, admin, h.text("en", "tools.merge_self"))
	admin.Send("/merge " + code2 + " 2222-2222")
	expectText(t, admin, h.text("en", "tools.merge_unknown", "Code", "2222-2222"))
	closedReporter := h.tg.User(6200003, "ru")
	closed := storeCase(t, h, closedReporter.ID)
	setStatus(t, h, admin, closed.Code, flows.StatusClosed, "")
	admin.Send("/merge " + code2 + " " + closed.Code)
	expectText(t, admin, h.text("en", "tools.merge_closed", "Code", flows.FormatCode(closed.Code)))

	// The newer report goes into the older case, from the card's button.
	press(t, admin, card, h.label("en", "btn.tools_merge", "From", f2, "Into", f1))
	expectText(t, admin, h.text("en", "tools.merged", "From", f2, "Into", f1))
	admin.Send("/merge " + code2 + " " + code1)
	expectText(t, admin, h.text("en", "tools.merge_merged", "Code", f2, "Into", f1))

	var id1, id2 int64
	if err := h.db.Get(&id1, `SELECT id FROM cases WHERE code = $1`, code1); err != nil {
		t.Fatal(err)
	}
	if err := h.db.Get(&id2, `SELECT id FROM cases WHERE code = $1`, code2); err != nil {
		t.Fatal(err)
	}
	var left, news int
	if err := h.db.Get(&left, `SELECT count(*) FROM case_events WHERE case_id = $1`, id2); err != nil {
		t.Fatal(err)
	}
	if err := h.db.Get(&news, `SELECT count(*) FROM case_events WHERE case_id = $1 AND status = 'new'`, id1); err != nil {
		t.Fatal(err)
	}
	if left != 0 || news != 2 {
		t.Errorf("after the merge: %d events left on the merged case, %d 'new' events on the case, want 0 and 2", left, news)
	}
	if card := caseCard(t, h, admin, code1); strings.Contains(card.Plain, f2) {
		t.Errorf("the card still flags the merged case:\n%s", card.Plain)
	}

	after1, after2 := lastID(first), lastID(second)
	setStatus(t, h, admin, code1, flows.StatusLawyer, "A lawyer from Phoenix took the case.")
	drained(t, h)
	for _, r := range []struct {
		u    *telegramtest.User
		own  string
		not  string
		from int
	}{{first, f1, f2, after1}, {second, f2, f1, after2}} {
		notes := noticesSince(h, r.u, "ru", r.from)
		if len(notes) != 1 {
			t.Fatalf("reporter %d got %d notices, want 1", r.u.ID, len(notes))
		}
		n := notes[0].Plain
		if !strings.Contains(n, r.own) || strings.Contains(n, r.not) ||
			!strings.Contains(n, h.text("ru", "notify.status", "Status", flows.T("status.name."+flows.StatusLawyer))) {
			t.Errorf("reporter %d's notice, want it under %s only:\n%s", r.u.ID, r.own, n)
		}
	}
	// The second reporter checks their own code: the one timeline, under
	// their code.
	second.Next(t)
	second.Send("/check " + code2)
	view := expectText(t, second, plain(h.cat.Render("ru", flows.T("check.header", "Code", f2))))
	if !strings.Contains(view.Plain, "A lawyer from Phoenix took the case.") || strings.Contains(view.Plain, f1) {
		t.Errorf("the second reporter's view of the merged case:\n%s", view.Plain)
	}
}

// TestWriteTranscriptEndToEnd: a volunteer /writes to a reporter who never
// asked for a chat; the reporter is told a volunteer of the hotline writes
// about their case, and the reply comes back relayed. After /release a
// second volunteer takes the chat and reads the whole conversation on the
// case. /forget erases it. /write to an unknown case, an erased one or a
// reporter who blocked the bot changes nothing.
func TestWriteTranscriptEndToEnd(t *testing.T) {
	parallel(t)
	h := newHandoffHarness(t)
	reporter := h.tg.User(6300001, "ru")
	code := fileReport(t, h, reporter)
	vol1, vol2 := h.tg.User(6300501, "en"), h.tg.User(6300502, "en")
	h.addMember(t, vol1.ID, flows.RoleVolunteer)
	h.addMember(t, vol2.ID, flows.RoleVolunteer)

	vol1.Send("/write")
	expectText(t, vol1, h.text("en", "tools.write_usage"))
	vol1.Send("/write 2222-2222")
	expectText(t, vol1, h.text("en", "update.not_found"))

	vol1.Send("/write " + strings.ToLower(flows.FormatCode(code)))
	expectText(t, vol1, h.toolsLead("en", "tools.write_opened"))
	told := expectText(t, reporter, h.text("ru", "tools.write_user", "Code", flows.FormatCode(code)))
	if strings.Contains(told.Plain, "6300501") {
		t.Errorf("the reporter was told who writes:\n%s", told.Plain)
	}
	c := nextCopy(t, reporter, vol1.ID, vol1.Send("Hello, I am from the hotline. Where is he now?"), "text")
	if c.Plain != "Hello, I am from the hotline. Where is he now?" {
		t.Errorf("relayed %q", c.Plain)
	}
	nextCopy(t, vol1, reporter.ID, reporter.Send("Спасибо! Его перевели в Элой вчера ночью"), "text")
	nextCopy(t, vol1, reporter.ID, reporter.SendPhoto("уведомление о переводе"), "photo")

	vol1.Send("/release")
	expectText(t, vol1, h.lead("en", "handoff.vol_released"))
	expectText(t, reporter, h.text("ru", "handoff.released"))
	vol2.Send("/next")
	expectText(t, vol2, h.lead("en", "handoff.taken"))
	// The reporter's messages vol1 left unanswered come first, as after
	// any /release.
	vol2.Next(t)
	vol2.Next(t)
	vol2.Send("/case")
	card := expectText(t, vol2, h.lead("en", "handoff.case"))
	press(t, vol2, card, h.label("en", "btn.tools_transcript"))
	tr := expectText(t, vol2, h.toolsLead("en", "tools.transcript"))
	for _, want := range []string{"Hello, I am from the hotline. Where is he now?",
		"Спасибо! Его перевели в Элой вчера ночью", "[photo] уведомление о переводе"} {
		if !strings.Contains(tr.Plain, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, tr.Plain)
		}
	}
	if strings.Index(tr.Plain, "Hello, I am") > strings.Index(tr.Plain, "Спасибо") {
		t.Errorf("the transcript is not in order:\n%s", tr.Plain)
	}
	// Sealed in the database.
	dump := pgDump(t, h.cfg.DatabaseURL)
	if got := inDump(dump, "Где он", "Hello, I am from the hotline", "перевели в Элой", "уведомление о переводе"); len(got) > 0 {
		t.Errorf("pg_dump shows the conversation in clear: %q", got)
	}
	vol2.Send("/done")
	expectText(t, vol2, h.lead("en", "handoff.vol_done"))

	// /forget erases the conversation; /write then refuses.
	reporter.Send("/forget")
	press(t, reporter, nextUntil(t, reporter, firstLine(h.text("ru", "forget.ask"))), h.label("ru", "btn.forget_yes"))
	expectText(t, reporter, firstLine(h.text("ru", "forget.done")))
	var kept int
	if err := h.db.Get(&kept, `SELECT count(*) FROM case_messages`); err != nil || kept != 0 {
		t.Errorf("after /forget %d messages are kept (%v), want 0", kept, err)
	}
	vol1.Send("/write " + code)
	expectText(t, vol1, h.text("en", "tools.write_erased", "Code", flows.FormatCode(code)))

	// A reporter who blocked the bot.
	other := h.tg.User(6300002, "en")
	blocked := storeCase(t, h, other.ID)
	if _, err := h.db.Exec(`UPDATE reporters SET active = false WHERE telegram_user_id = $1`, other.ID); err != nil {
		t.Fatal(err)
	}
	vol1.Send("/write " + blocked.Code)
	expectText(t, vol1, h.text("en", "tools.write_blocked", "Code", flows.FormatCode(blocked.Code)))
	if ws := h.queued(t); len(ws) != 0 {
		t.Errorf("queue = %+v, want empty", ws)
	}
}

// TestHoldEndToEnd runs the handoff's timers with short durations: a
// volunteer on /hold is neither reminded nor loses the chat while the user
// waits for an answer much longer than the reminder and return times; the
// user is told the volunteer is still on it. /hold 0 ends the hold and the
// timers take the chat back. A bad number changes nothing.
func TestHoldEndToEnd(t *testing.T) {
	takesLong(t, 12*time.Second)
	h := newHandoffHarness(t, withConfig(func(c *config) {
		c.HandoffTick = 50 * time.Millisecond
		c.HandoffRemind = 3 * time.Second
		c.HandoffReturn = time.Second
	}))
	vol := h.tg.User(6400501, "en")
	h.addMember(t, vol.ID, flows.RoleVolunteer)
	user := h.tg.User(6400001, "ru")
	user.Send("человек")
	expectText(t, user, h.text("ru", "handoff.joined"))
	vol.Send("/next")
	expectText(t, vol, h.lead("en", "handoff.taken"))
	expectText(t, user, h.text("ru", "handoff.vol_joined_anon"))

	// The hold first: the reminder is due three seconds after /next (one
	// second was not enough on a loaded machine: CI once saw the reminder
	// come before /hold was answered).
	vol.Send("/hold 60")
	expectText(t, vol, h.toolsLead("en", "tools.hold_set"))
	expectText(t, user, h.plural("ru", "tools.hold_user", 60))
	for _, bad := range []string{"", "abc", "-5", "100000"} {
		vol.Send("/hold " + bad)
		expectText(t, vol, h.plural("en", "tools.hold_usage", 480))
	}
	volFrom, userFrom := lastID(vol), lastID(user)
	nextCopy(t, vol, user.ID, user.Send("Вы здесь? Его увозят сегодня"), "text")

	// Twice the reminder and return times together: without the hold
	// the chat would be back in the queue.
	time.Sleep(8 * time.Second)
	nextCopy(t, vol, user.ID, user.Send("Жду ответа"), "text")
	// The volunteer got the two messages and nothing else: no reminder,
	// no return; the user got nothing.
	for _, m := range vol.Received() {
		if m.ID > volFrom && m.Method != "copyMessage" {
			t.Errorf("during the hold the volunteer got:\n%s", m.Plain)
		}
	}
	for _, m := range user.Received() {
		if m.ID > userFrom {
			t.Errorf("during the hold the user got:\n%s", m.Plain)
		}
	}
	if ws := h.queued(t); len(ws) != 0 {
		t.Errorf("queue = %+v, want the chat still held", ws)
	}

	vol.Send("/hold 0")
	expectText(t, vol, h.toolsLead("en", "tools.hold_ended"))
	nextUntil(t, vol, h.lead("en", "handoff.vol_returned"))
	expectText(t, user, h.text("ru", "handoff.returned"))
}

// TestFindByNameEndToEnd: /find Petrov and /find Петров find the case by
// the blind index of names (and other spellings of it); pg_dump shows no
// name in clear; each search is in the audit log with its kind and count,
// never the name.
func TestFindByNameEndToEnd(t *testing.T) {
	parallel(t)
	h := newHarness(t, withConfig(func(c *config) { c.Admins = []int64{keysAdmin} }))
	reporter := h.tg.User(6500001, "ru")
	code := fileReport(t, h, reporter)
	admin := h.tg.User(keysAdmin, "en")
	for _, q := range []string{"Petrov", "Петров", "petroff", "Иван Петров", "Ivan Petrov"} {
		admin.Send("/find " + q)
		card := nextReply(t, admin)
		if !strings.Contains(card.Plain, flows.FormatCode(code)) || !strings.Contains(card.Plain, "Ivan Petrov") {
			t.Errorf("/find %s:\n%s", q, card.Plain)
		}
	}
	admin.Send("/find Sidorov")
	expectText(t, admin, h.text("en", "find.none"))

	dump := pgDump(t, h.cfg.DatabaseURL)
	if !strings.Contains(dump, code) {
		t.Fatalf("the dump lacks the case %s", code)
	}
	if got := inDump(dump, append(reportSecrets, "Petrov", "Петров", "Ivan", "Иван", "Sidorov")...); len(got) > 0 {
		t.Errorf("pg_dump shows in clear: %q", got)
	}
	var details []string
	if err := h.db.Select(&details, `SELECT detail FROM audit_log WHERE action = 'search' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if want := []string{"name:1", "name:1", "name:1", "name:1", "name:1", "name:0"}; strings.Join(details, ",") != strings.Join(want, ",") {
		t.Errorf("audited searches %v, want %v", details, want)
	}
}

// TestNewCaseEndToEnd: a volunteer files a case for a caller who phoned:
// the same report flow in the volunteer's chat, the caller's phone as the
// contact; the card shows who filed it; nobody is subscribed, so a status
// change notifies no one; /write to it says to call the caller.
func TestNewCaseEndToEnd(t *testing.T) {
	parallel(t)
	h := newStatusHarness(t)
	vol := h.tg.User(6600501, "ru")
	h.addMember(t, vol.ID, flows.RoleVolunteer)
	vol.Send("/name Анна")
	expectText(t, vol, h.text("ru", "handoff.name_set", "Name", "Анна"))
	vol.Send("/newcase")
	// The consent is the caller's, asked by the volunteer; it follows the
	// intro. The rest is the relatives' report.
	m := expectText(t, vol, firstLine(h.text("ru", "ask.consent_caller", holes...)))
	press(t, vol, m, h.label("ru", "btn.consent_caller_yes"))
	h.dontKnow(t, vol, "ru", "triage")
	expectText(t, vol, firstLine(h.text("ru", "ask.name", holes...)))
	code := answerFromNameAs(t, h, vol, "ask.caller_name", "ask.caller_relationship", "ask.caller_contact")
	// The review names the caller's answers as the caller's, not "your name".
	for _, m := range vol.Received() {
		if strings.HasPrefix(m.Plain, firstLine(h.text("ru", "ask.review", "Lines", ""))) &&
			(!strings.Contains(m.Plain, h.text("ru", "vfield.reporter_name")) || strings.Contains(m.Plain, h.text("ru", "field.reporter_name"))) {
			t.Errorf("the review of a case filed for a caller:\n%s", m.Plain)
		}
	}
	done := vol.Received()[len(vol.Received())-1]
	if !strings.Contains(done.Plain, h.toolsLead("ru", "tools.newcase_done")) {
		t.Errorf("the volunteer was not told the case is filed for the caller:\n%s", done.Plain)
	}
	admin := h.tg.User(statusVolunteer, "en")
	card := caseCard(t, h, admin, code)
	if want := h.text("en", "tools.filed_by_named", "Name", "Анна", "ID", vol.ID); !strings.Contains(card.Plain, want) {
		t.Errorf("the card does not show who filed it (%q):\n%s", want, card.Plain)
	}
	if !strings.Contains(card.Plain, "+7 916 123-45-67") {
		t.Errorf("the card lacks the caller's phone:\n%s", card.Plain)
	}
	saved := setStatus(t, h, admin, code, flows.StatusInReview, "")
	if !strings.Contains(saved.Plain, h.text("en", "update.notified_none")) {
		t.Errorf("a status change of a phone case notified someone:\n%s", saved.Plain)
	}
	vol.Send("/mycases")
	if m := vol.Next(t); strings.Contains(m.Plain, flows.FormatCode(code)) {
		t.Errorf("the case is among the volunteer's own:\n%s", m.Plain)
	}
	vol.Send("/write " + code)
	expectText(t, vol, h.text("ru", "tools.write_phone", "Code", flows.FormatCode(code)))
	var filedBy int64
	if err := h.db.Get(&filedBy, `SELECT filed_by FROM cases WHERE code = $1`, code); err != nil || filedBy != vol.ID {
		t.Errorf("filed_by = %d, %v; want %d", filedBy, err, vol.ID)
	}
	var audited string
	if err := h.db.Get(&audited, `SELECT a.actor FROM audit_log a JOIN cases c ON c.id = a.case_id
		WHERE c.code = $1 AND a.action = 'file_for_caller'`, code); err != nil || audited != flows.ActorUser(vol.ID) {
		t.Errorf("the filing's audit entry: %q, %v", audited, err)
	}
}

// TestReportFilesEndToEnd: a relative sends a photo of the ICE notice and
// a voice message while answering the report; each is acknowledged as kept
// for the volunteer and the report goes on. A coordinator's /case of the
// case offers the files, and its button brings them: copies of the
// relative's own messages, protected from forwarding.
func TestReportFilesEndToEnd(t *testing.T) {
	parallel(t)
	h := newHandoffHarness(t)
	reporter := h.tg.User(6300101, "ru")
	coord := h.tg.User(6300601, "en")
	h.addMember(t, coord.ID, flows.RoleCoordinator)

	reporter.Send("/start")
	press(t, reporter, expectText(t, reporter, firstLine(h.text("ru", "menu.greeting"))), h.label("ru", "btn.menu_report"))
	press(t, reporter, expectText(t, reporter, firstLine(h.text("ru", "ask.consent", holes...))), h.label("ru", "btn.consent_yes"))
	h.dontKnow(t, reporter, "ru", "triage")
	name := firstLine(h.text("ru", "ask.name", holes...))
	expectText(t, reporter, name)
	photo := reporter.SendPhoto("уведомление из ICE")
	m := expectText(t, reporter, plain(h.cat.Render("ru", flows.T("report.file_kept").Plural(1))))
	if !strings.Contains(m.Plain, name) {
		t.Errorf("the name question is not asked again after the photo:\n%s", m.Plain)
	}
	voice := reporter.SendVoice()
	expectText(t, reporter, plain(h.cat.Render("ru", flows.T("report.file_kept").Plural(2))))
	code := answerFromName(t, h, reporter)

	coord.Send("/case " + code)
	card := nextUntil(t, coord, "Files from the reporter: 2 files") // after the new case's announcement
	press(t, coord, card, plain(h.cat.Render("en", flows.T("btn.tools_files").Plural(2))))
	expectText(t, coord, plain(h.cat.Render("en", flows.T("tools.files", "Code", flows.FormatCode(code)).Plural(2))))
	for _, want := range []struct {
		id   int
		kind string
	}{{photo, "photo"}, {voice, "voice"}} {
		c := nextCopy(t, coord, reporter.ID, want.id, want.kind)
		if !c.Protected {
			t.Errorf("the %s came without protect_content", want.kind)
		}
		if want.kind == "photo" && c.Plain != "уведомление из ICE" {
			t.Errorf("the photo's caption is %q", c.Plain)
		}
	}
}
