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

// The case tools as conversations, with the handoff world's clock: the
// handoff's timers run at Tick, so twenty minutes pass in a line.

// reported stores a case reported by the person, as their report would.
func (w *hworld) reported(p *hperson, draft string) flows.Case {
	w.t.Helper()
	r := fullCase()
	r.DraftID, r.Consent, r.Lang = draft, true, "en"
	r.ReporterChatID, r.ReporterUserID = p.id, p.id
	c, err := w.cases.Create(context.Background(), r)
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// heldChat is a user (Russian) who asked for a volunteer and the volunteer
// (English) who took the chat, with what they were told read.
func heldChat(t *testing.T) (w *hworld, user, vol *hperson) {
	t.Helper()
	w = newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	user, vol = w.person(7001, "ru"), w.person(hVolunteer, "en")
	user.press("m:volunteer")
	vol.command("next", "")
	user.received()
	vol.received()
	return w, user, vol
}

// A volunteer's command typed alone without its slash ("next", "Queue" on
// a phone) is the command, where it was refused as a message sent to
// nobody; more words are not ("note that…" may be meant for a person), and
// someone who is not a member does not run a member's command by typing it.
func TestMemberCommandTypedWithoutSlash(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	vol := w.person(hVolunteer, "en")
	vol.send("Queue")
	vol.expectGot("handoff.queue_empty")
	vol.send("note that he was moved")
	vol.expectGot("handoff.member_no_chat")
	vol.send("help")
	vol.expectGot("handoff.help_volunteer")

	user := w.person(7001, "ru")
	user.press("m:volunteer")
	user.received()
	vol.received()
	vol.send("next")
	if rs := user.received(); len(rs) == 0 {
		t.Fatal("typed 'next' took no chat: the waiting person was told nothing")
	}
	stranger := w.person(7002, "en")
	if rs := stranger.send("queue"); has(rs, "handoff.queue_empty") || has(rs, "handoff.queue") {
		t.Errorf("a stranger's 'queue' showed the queue: %v", describeAll(rs))
	}
}

// In a conversation with a volunteer, "стоп" typed is for the volunteer,
// even while the person fills in a report: a command's word is the command
// only where nobody is being talked to.
func TestCommandWordToAVolunteer(t *testing.T) {
	t.Parallel()
	_, user, vol := heldChat(t)
	user.command("report", "")
	user.received()
	user.send("стоп")
	vol.expectGot("copy 7001/" + strconv.Itoa(user.lastIn))
}

// TestHoldKeepsTheChat: the user waits for an answer; the volunteer says
// /hold 60 (on the phone with ICE). An hour passes without a reminder or
// the chat going back to the queue; when the hold ends, the usual
// reminder and return follow, counted from its end.
func TestHoldKeepsTheChat(t *testing.T) {
	t.Parallel()
	w, user, vol := heldChat(t) // reminder after 10 minutes of silence, return 5 later
	user.send("Вы здесь? Его увозят сегодня")
	vol.expectGot("copy 7001/" + strconv.Itoa(user.lastIn))

	vol.command("hold", "60")
	vol.expectGot("tools.hold_set")
	user.expectGot("tools.hold_user")
	for range 12 {
		w.advance(5 * time.Minute)
		if rs := w.tick(); len(rs) > 0 {
			t.Fatalf("during the hold the timers sent %v", describeAll(rs))
		}
	}
	if got := w.waiting(); len(got) != 0 {
		t.Fatalf("queue %v during the hold", got)
	}
	w.advance(9 * time.Minute) // 9 minutes after the hold
	w.tick()
	vol.expectGot()
	w.advance(time.Minute)
	w.tick()
	vol.expectGot("handoff.remind")
	w.advance(5 * time.Minute)
	w.tick()
	vol.expectGot("handoff.vol_returned")
	user.expectGot("handoff.returned+handoff.position+handoff.write_while_waiting")

	// Bad numbers, and /hold without a chat, change nothing.
	for _, arg := range []string{"", "sixty", "-1", "481", "1.5", "9 hours", "2 days", "soon", "1e300 hours"} {
		if rs := vol.command("hold", arg); !has(rs, "tools.hold_usage") {
			t.Errorf("/hold %q answered %v", arg, describeAll(rs))
		}
	}
	if rs := vol.command("hold", "30"); !has(rs, "handoff.none_held") {
		t.Errorf("/hold without a chat answered %v", describeAll(rs))
	}
}

// TestWriteOpensTheChat: a volunteer writes first to a reporter who never
// asked for a chat. The timers wait for the reporter: no reminder while
// the volunteer has spoken last. The reporter's answer is relayed, and
// the reminder counts from it. Another volunteer's /write then finds the
// chat taken; a reporter waiting in the queue is taken by /write.
func TestWriteOpensTheChat(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	w.member(hCoord, flows.RoleCoordinator)
	reporter, vol, coord := w.person(7001, "ru"), w.person(hVolunteer, "en"), w.person(hCoord, "en")
	c := w.reported(reporter, "write-draft")

	vol.command("write", flows.FormatCode(c.Code))
	vol.expectGot("tools.write_opened")
	got := reporter.expectGot("tools.write_user")
	if textData(got[0], "tools.write_user", "Code") != flows.FormatCode(c.Code) {
		t.Errorf("the reporter was not told the case: %+v", got[0].Texts)
	}
	vol.send("Hello, I am from the hotline")
	reporter.expectGot("copy 501/" + strconv.Itoa(vol.lastIn))
	w.advance(30 * time.Minute)
	if rs := w.tick(); len(rs) > 0 {
		t.Fatalf("the timers acted while the volunteer spoke last: %v", describeAll(rs))
	}
	reporter.send("Он в Элое")
	// The place, not yet the case's, is a press away.
	vol.expectGot("copy 7001/"+strconv.Itoa(reporter.lastIn), "tools.facility_hint")
	w.advance(10 * time.Minute)
	w.tick()
	vol.expectGot("handoff.remind")

	coord.command("write", c.Code)
	coord.expectGot("tools.write_other")
	vol.command("write", c.Code)
	vol.expectGot("tools.write_already")
	// The volunteer sees the case in full while holding its chat.
	if rs := vol.command("case", ""); !has(rs, "handoff.case") {
		t.Errorf("/case in the opened chat answered %v", describeAll(rs))
	}

	// A reporter already in the queue is taken.
	other := w.person(7002, "en")
	oc := w.reported(other, "write-draft-2")
	other.press("m:volunteer")
	other.received()
	coord.received()
	coord.command("write", oc.Code)
	if rs := coord.received(); len(rs) == 0 || !has(rs, "handoff.taken") {
		t.Errorf("/write to a waiting reporter answered %v", describeAll(rs))
	}
	other.expectGot("handoff.vol_joined_anon")
}

// TestTranscriptPages: the conversation of a case, ten messages a page,
// oldest first, with buttons to the later and earlier pages; reading it
// is in the audit log.
func TestTranscriptPages(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	reporter, vol := w.person(7001, "ru"), w.person(hVolunteer, "en")
	c := w.reported(reporter, "pages-draft")
	vol.command("write", c.Code)
	for i := range 6 {
		vol.send("question " + strconv.Itoa(i+1))
		w.advance(time.Minute)
		reporter.send("ответ " + strconv.Itoa(i+1))
		w.advance(time.Minute)
	}
	reporter.media("photo", "")
	vol.received()
	card := vol.command("case", "")
	page := vol.press(buttonData(t, card[0], "btn.tools_transcript"))
	if got := textData(page[0], "tools.transcript", "To"); got != 10 {
		t.Fatalf("first page ends at %v, want 10: %v", got, describeAll(page))
	}
	lines, _ := textData(page[0], "tools.transcript", "Lines").([]flows.Text)
	if len(lines) != 10 || lines[0].Data["Text"] != "question 1" || lines[1].Data["Text"] != "ответ 1" {
		t.Errorf("first page lines: %+v", lines)
	}
	next := vol.press(buttonData(t, page[0], "btn.tools_later"))
	lines, _ = textData(next[0], "tools.transcript", "Lines").([]flows.Text)
	if len(lines) != 3 || lines[2].ID != "tools.line_media" || lines[2].Data["Kind"] != "photo" {
		t.Errorf("last page lines: %+v", lines)
	}
	buttonData(t, next[0], "btn.tools_earlier")
	if read := w.audited(c.ID)[flows.AuditTranscript]; read != 2 {
		t.Errorf("%d transcript reads audited, want 2", read)
	}
}

// TestHoldTypedInWords: "/hold 2 hours", "1,5 ч", "90 min", "30 минут"
// hold the chat for as long as they say; "/hold off" ends the hold.
func TestHoldTypedInWords(t *testing.T) {
	t.Parallel()
	_, _, vol := heldChat(t)
	for _, c := range []struct {
		arg     string
		minutes int
	}{{"2 hours", 120}, {"1,5 ч", 90}, {"90 min", 90}, {"30 минут", 30}, {"2h", 120}, {"45", 45}} {
		rs := to(vol.command("hold", c.arg), hVolunteer)
		if len(rs) != 1 || describe(rs[0]) != "tools.hold_set" || rs[0].Texts[0].Count != c.minutes {
			t.Errorf("/hold %s: %v, want a hold of %d minutes", c.arg, describeAll(rs), c.minutes)
		}
	}
	if rs := vol.command("hold", "off"); !has(rs, "tools.hold_ended") {
		t.Errorf("/hold off: %v", describeAll(rs))
	}
}

// TestPairedUserCommands: a person talking with a volunteer who sends a
// command they do not have (/status) is reminded that they are in the
// conversation, with its end button, not shown the main menu as if it had
// ended; /done, /end and /stop end the conversation as /leave does, and
// the volunteer is told.
func TestPairedUserCommands(t *testing.T) {
	t.Parallel()
	for _, end := range []string{"done", "end", "stop"} {
		t.Run(end, func(t *testing.T) {
			t.Parallel()
			_, user, vol := heldChat(t)
			user.command("status", "")
			user.expectGot("command.unknown+handoff.paired")
			vol.expectGot()
			user.command(end, "")
			user.expectGot("handoff.user_ended+handoff.after_report")
			vol.expectGot("handoff.vol_user_ended")
		})
	}
}

// A volunteer writes to a reporter who is in the middle of another report:
// what the reporter types goes to the volunteer now, so both are told the
// report waits. The answer to the report's question went to the volunteer
// unseen as one, the question never moving on, and nobody said why.
func TestWriteToAReporterMidReport(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	reporter, vol := w.person(7001, "ru"), w.person(hVolunteer, "en")
	c := w.reported(reporter, "write-mid-draft")
	reporter.command("report", "")
	reporter.received()

	vol.command("write", c.Code)
	vol.expectGot("tools.write_opened+handoff.vol_report_paused")
	reporter.expectGot("tools.write_user+handoff.report_paused")
	reporter.send("Sergey Ivanov")
	vol.expectGot("copy 7001/" + strconv.Itoa(reporter.lastIn))
	if s, err := w.sessions.Get(context.Background(), reporter.id); err != nil || s.Flow != "report" || s.Step != "consent" {
		t.Errorf("the report in progress: %+v, %v", s, err)
	}
}

// A volunteer writes to a reporter who is registering a check-in: their
// answer goes to the volunteer, as they were told, not to the check-in's
// question ("Hello, I'm here" was read as the ICE office). A flow begun
// after the volunteer came still takes its answers.
func TestWriteToAReporterMidCheckin(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	reporter, vol := w.person(7001, "en"), w.person(hVolunteer, "en")
	c := w.reported(reporter, "write-checkin-draft")
	rs := reporter.command("checkin", "")
	reporter.press(buttonData(t, rs[len(rs)-1], "btn.checkin_agree"))
	reporter.received()
	w.advance(time.Minute)

	vol.command("write", c.Code)
	vol.received()
	reporter.received()
	reporter.send("Hello, I'm here")
	vol.expectGot("copy 7001/" + strconv.Itoa(reporter.lastIn))

	// Begun again now, the check-in takes what is typed.
	w.advance(time.Minute)
	rs = reporter.command("checkin", "")
	if has(rs, "checkin.ask_office") || has(rs, "checkin.consent") {
		rs = reporter.send("Miami")
		if len(to(rs, hVolunteer)) != 0 || !has(to(rs, reporter.id), "checkin.ask_date") {
			t.Errorf("the office typed in a check-in begun during the chat: %v", describeAll(rs))
		}
	} else {
		t.Errorf("/checkin during the chat: %v", describeAll(rs))
	}
}

// TestANumberLearntLater: the A-number a reporter sent after the report
// ("I have it at home, will send later") is given to the case with
// /anumber: /find finds the case by it, and a case reported by someone
// else with the same A-number is named, with the button to merge. There
// was no way to give it: it stayed in the chat.
func TestANumberLearntLater(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	w.member(hCoord, flows.RoleCoordinator)
	vol, coord := w.person(hVolunteer, "en"), w.person(hCoord, "en")
	ctx := context.Background()

	r := fullCase()
	r.DraftID, r.Consent, r.Lang, r.ANumber = "anumber-later", true, "en", ""
	r.NameLatin, r.NameCyrillic, r.BirthDate = "Juan Perez Garcia", "", "1985-03-03"
	r.ReporterChatID, r.ReporterUserID = 7001, 7001
	later, err := w.cases.Create(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	other := w.reported(w.person(7002, "ru"), "anumber-other") // A 012-345-678, another name

	if rs := coord.command("find", "A012345678"); countFound(rs, later.Code) != 0 || countFound(rs, other.Code) != 1 {
		t.Fatalf("/find before the A-number was given: %v", describeAll(rs))
	}
	// Sent as news, the volunteers are given the command with it.
	rep := w.person(7001, "en")
	rs := rep.send("His A-number is A 012-345-678")
	rs = rep.press(dataOf(rs, "btn.news_send"))
	if !has(to(rs, hCoord), "tools.a_number_hint") || textData(to(rs, hCoord)[0], "tools.a_number_hint", "Code") != flows.FormatCode(later.Code) {
		t.Errorf("the news of the A-number, to the coordinator: %v", describeAll(to(rs, hCoord)))
	}
	for _, bad := range []string{"", flows.FormatCode(later.Code), flows.FormatCode(later.Code) + " A12"} {
		if rs := vol.command("anumber", bad); !has(rs, "tools.a_number_usage") {
			t.Errorf("/anumber %q: %v", bad, describeAll(rs))
		}
	}
	rs = vol.command("anumber", flows.FormatCode(later.Code)+" A 012-345-678")
	if !has(rs, "tools.a_number_set") || !has(rs, "tools.duplicate") ||
		dataOf(rs, "btn.tools_merge") != "ct.:m:"+other.Code+":"+later.Code && dataOf(rs, "btn.tools_merge") != "ct.:m:"+later.Code+":"+other.Code {
		t.Fatalf("/anumber: %v %v", describeAll(rs), buttonNames(rs[len(rs)-1]))
	}
	if rs := coord.command("find", "A012345678"); countFound(rs, later.Code) != 1 {
		t.Errorf("/find by the A-number does not find the case: %v", describeAll(rs))
	}
	stored, _, err := w.cases.Get(ctx, later.Code)
	if err != nil || stored.ANumber != "012345678" {
		t.Errorf("stored A-number %q, %v", stored.ANumber, err)
	}
	// The audit log says who gave it, never the number.
	admin := w.person(hAdmin, "en")
	admin.received()
	page := admin.command("audit", later.Code)[0]
	if got := auditActions(t, page); !slices.Contains(got, "a_number") || strings.Contains(fmt.Sprint(page.Texts), "012345678") || strings.Contains(fmt.Sprint(page.Texts), "345-678") {
		t.Errorf("the audit of /anumber: %v", got)
	}
	// A case taken by a colleague is not the volunteer's to change.
	coord.command("take_case", later.Code)
	if rs := vol.command("anumber", later.Code+" A 111-222-333"); !has(rs, "casework.not_owner") {
		t.Errorf("/anumber on a colleague's case: %v", describeAll(rs))
	}
	// The owner gets news of an A-number with a button that gives it.
	rs = rep.send("Sorry, the right one is A 111-222-333")
	rs = rep.press(dataOf(rs, "btn.news_send"))
	set := dataOf(to(rs, hCoord), "btn.a_number_set")
	if set == "" {
		t.Fatalf("the owner's news of an A-number: %v", describeAll(to(rs, hCoord)))
	}
	if rs := coord.press(set); !has(rs, "tools.a_number_set") {
		t.Errorf("the button pressed: %v", describeAll(rs))
	}
	if stored, _, err := w.cases.Get(ctx, later.Code); err != nil || stored.ANumber != "111222333" {
		t.Errorf("stored A-number %q, %v; want 111222333", stored.ANumber, err)
	}
	// A case merged into another takes none.
	coord.command("merge", later.Code+" "+other.Code)
	if rs := coord.command("anumber", later.Code+" A 444-555-666"); !has(rs, "tools.a_number_gone") {
		t.Errorf("/anumber on a merged case: %v", describeAll(rs))
	}
	if stored, _, err := w.cases.Get(ctx, other.Code); err != nil || stored.ANumber != "012345678" {
		t.Errorf("the case it was merged into has A-number %q, %v", stored.ANumber, err)
	}
}

// countFound counts the cards of /find's answer that are of the case code.
func countFound(rs []flows.Reply, code string) int {
	n := 0
	for _, r := range rs {
		for _, t := range r.Texts {
			if t.ID == "find.card" && strings.Contains(fmt.Sprint(t.Data), flows.FormatCode(code)) {
				n++
			}
		}
	}
	return n
}

// TestFacilityFoundLater: where the person is held, found after the report
// (in the ICE locator, on a call), is recorded with /facility: a place of
// the directory pressed among those the words name, or a place typed. The
// card said "held at: not known" until the family sent news of a
// transfer; a "transferred" status would have told the family of a move
// that never was.
func TestFacilityFoundLater(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	w.member(hCoord, flows.RoleCoordinator)
	vol, coord := w.person(hVolunteer, "en"), w.person(hCoord, "ru")
	ctx := context.Background()

	r := fullCase()
	r.DraftID, r.Consent, r.Lang = "facility-later", true, "en"
	r.FacilityID, r.FacilityText, r.FacilityShare = 0, "", true
	r.ReporterChatID, r.ReporterUserID = 7001, 7001
	cs, err := w.cases.Create(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	code := flows.FormatCode(cs.Code)
	reporter, friend := w.person(7001, "en"), w.person(7004, "ru")
	if rs := friend.press(dataOf(friend.command("start", "c_"+cs.Code), "btn.subscribe")); !has(rs, "sub.done") {
		t.Fatalf("the friend subscribes: %v", describeAll(rs))
	}
	if v := mustView(t, w, cs.Code); v.Facility.ID != 0 || v.FacilityText != "" {
		t.Fatalf("a facility before it was given: %+v %q", v.Facility, v.FacilityText)
	}
	// Taking a case whose facility is not known says how to record it.
	if rs := vol.command("take_case", code); !strings.Contains(w.cat.Render("en", rs[0].Texts...), "/facility "+code) {
		t.Errorf("taking the case does not say how to record the facility: %s", w.cat.Render("en", rs[0].Texts...))
	}
	for _, bad := range []string{"", code, "Krome"} {
		if rs := vol.command("facility", bad); !has(rs, "tools.facility_usage") {
			t.Errorf("/facility %q: %v", bad, describeAll(rs))
		}
	}
	rs := vol.command("facility", code+" Krome")
	if !has(rs, "tools.facility_pick") {
		t.Fatalf("/facility Krome: %v", describeAll(rs))
	}
	pick := placeButton(rs, "Krome")
	if pick == "" {
		t.Fatalf("no Krome among %v", rs[len(rs)-1].Buttons)
	}
	rs = vol.press(pick)
	if !has(rs, "tools.facility_set", "update.notified") {
		t.Fatalf("Krome pressed: %v", describeAll(rs))
	}
	// The family is told where the person is, the reporter with the page
	// on calls, money and visits; the friend too: the reporter let people
	// with the code see the facility.
	for _, p := range []*hperson{reporter, friend} {
		told := to(rs, p.id)
		if len(told) != 1 || !has(told, "notify.facility") || !strings.Contains(w.cat.Render(p.langCode, told[0].Texts...), "Krome") {
			t.Fatalf("chat %d told: %v", p.id, describeAll(told))
		}
		if page := dataOf(told, "btn.info_page"); (page != "") != (p == reporter) {
			t.Errorf("chat %d: the page on calls and money: %q", p.id, page)
		}
	}
	// The status the family checks says it.
	if rs := reporter.command("start", "c_"+cs.Code); !strings.Contains(w.cat.Render("en", rs[0].Texts...), "Krome") {
		t.Errorf("the reporter's status does not say where the person is: %s", w.cat.Render("en", rs[0].Texts...))
	}

	if v := mustView(t, w, cs.Code); !strings.Contains(v.Facility.Name, "Krome") {
		t.Errorf("the case is held at %+v, want Krome", v.Facility)
	}
	// /case says it above the report, which says where the person was
	// when it was sent.
	if rs := vol.command("case", code); !strings.Contains(fmt.Sprint(rs[0].Texts), "Krome") {
		t.Errorf("/case does not say where the person is held: %v", describeAll(rs))
	}
	// A place not in the directory, as typed.
	rs = vol.command("facility", code+" Harris County Jail")
	if has(rs, "tools.facility_pick") {
		rs = vol.press(dataOf(rs, "btn.facility_typed"))
	}
	if !has(rs, "tools.facility_set") {
		t.Fatalf("a place typed: %v", describeAll(rs))
	}
	// Only the reporter hears of a place typed: it may be a hospital.
	if !has(to(rs, reporter.id), "notify.facility") || len(to(rs, friend.id)) != 0 {
		t.Errorf("a place typed told: reporter %v, friend %v", describeAll(to(rs, reporter.id)), describeAll(to(rs, friend.id)))
	}
	if rs := friend.command("start", "c_"+cs.Code); strings.Contains(w.cat.Render("ru", rs[0].Texts...), "Harris") || strings.Contains(w.cat.Render("ru", rs[0].Texts...), "Krome") {
		t.Errorf("the friend's status names a place typed, or the one before: %s", w.cat.Render("ru", rs[0].Texts...))
	}
	if v := mustView(t, w, cs.Code); v.Facility.ID != 0 || v.FacilityText != "Harris County Jail" {
		t.Errorf("the case is held at %+v %q, want Harris County Jail as typed", v.Facility, v.FacilityText)
	}
	// A staging facility makes the case urgent, and the family is told
	// what it means.
	rs = vol.command("facility", code+" Alexandria Staging")
	staging := placeButton(rs, "Alexandria")
	if staging == "" {
		t.Fatalf("no Alexandria among %v", describeAll(rs))
	}
	rs = vol.press(staging)
	if !has(rs, "tools.facility_urgent") || !slices.Contains(mustView(t, w, cs.Code).Urgent, flows.UrgentStaging) {
		t.Errorf("a staging facility: %v, urgent %v", describeAll(rs), mustView(t, w, cs.Code).Urgent)
	}
	if !has(to(rs, reporter.id), "status.staging") {
		t.Errorf("the reporter is not told what a staging facility means: %v", describeAll(to(rs, reporter.id)))
	}
	// Moved on from it, the case stays urgent: the volunteer is told how
	// to take the mark off once the danger has passed.
	rs = vol.press(placeButton(vol.command("facility", code+" Krome"), "Krome"))
	if !has(rs, "tools.facility_set", "tools.facility_still_urgent") || !strings.Contains(w.cat.Render("en", rs[0].Texts...), "/urgent "+code+" off") {
		t.Errorf("out of the staging facility: %v", describeAll(rs))
	}
	// The audit log says who recorded it.
	admin := w.person(hAdmin, "en")
	admin.received()
	if got := auditActions(t, admin.command("audit", cs.Code)[0]); !slices.Contains(got, "facility") {
		t.Errorf("the audit of /facility: %v", got)
	}
	// A case taken by a colleague is not the volunteer's to change; an
	// erased one keeps no place.
	other := w.reported(w.person(7002, "ru"), "facility-other")
	coord.command("take_case", other.Code)
	if rs := vol.command("facility", other.Code+" Eloy"); !has(rs, "casework.not_owner") {
		t.Errorf("/facility on a colleague's case: %v", describeAll(rs))
	}
	if _, err := w.db.ExecContext(ctx, `UPDATE cases SET erased_at = now() WHERE id = $1`, cs.ID); err != nil {
		t.Fatal(err)
	}
	if rs := coord.command("facility", code+" Eloy"); !has(rs, "tools.facility_gone") {
		t.Errorf("/facility on an erased case: %v", describeAll(rs))
	}
	// The cards of a case announced are redrawn with the place.
	_, announced := w.confirm(7003, "facility-card", 0)
	if rs := vol.command("take_case", announced); strings.Contains(w.cat.Render("en", rs[0].Texts...), "/facility") {
		t.Errorf("taking a case whose report names the facility asks for it: %s", w.cat.Render("en", rs[0].Texts...))
	}
	rs = vol.press(placeButton(vol.command("facility", announced+" Krome"), "Krome"))
	if !slices.ContainsFunc(to(rs, hCoord), func(r flows.Reply) bool {
		return r.Edit != 0 && strings.Contains(fmt.Sprint(r.Texts), "Krome")
	}) {
		t.Errorf("the coordinator's card is not redrawn with the facility: %v", describeAll(rs))
	}
}

func cardTexts(v flows.CaseView) []flows.Text {
	texts, _ := flows.Card(v, flows.CardOpen)
	return texts
}

// TestUrgentMarkedAndTakenOff: a volunteer marks a case urgent that the
// report did not (a call from the family), with why, and takes the marks
// off a case that is urgent no more: the board's "urgent" filter, the card
// and the audit log follow; nobody in the family is told.
func TestUrgentMarkedAndTakenOff(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	w.member(hCoord, flows.RoleCoordinator)
	vol, coord := w.person(hVolunteer, "en"), w.person(hCoord, "ru")
	ctx := context.Background()

	create := func(draft string, chat int64, urgent ...string) (string, string) {
		r := fullCase()
		r.DraftID, r.Consent, r.Lang, r.Urgent = draft, true, "ru", urgent
		r.ReporterChatID, r.ReporterUserID = chat, chat
		cs, err := w.cases.Create(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		return cs.Code, flows.FormatCode(cs.Code)
	}
	calm, calmCode := create("urgent-calm", 7101)
	medical, medicalCode := create("urgent-medical", 7102, "medical")
	onBoard := func(code string) bool {
		t.Helper()
		rs := coord.press(buttonData(t, coord.command("cases", "")[0], "btn.board_urgent"))
		return strings.Contains(w.cat.Render("ru", rs[0].Texts...), code)
	}
	if onBoard(calmCode) || !onBoard(medicalCode) {
		t.Fatalf("before: the urgent filter lists the calm case %v, the medical one %v", onBoard(calmCode), onBoard(medicalCode))
	}

	for _, bad := range []string{"", "off", "tonight"} {
		if rs := coord.command("urgent", bad); !has(rs, "tools.urgent_usage") {
			t.Errorf("/urgent %q: %v", bad, describeAll(rs))
		}
	}
	rs := vol.command("urgent", calmCode+" the family says he is moved tonight")
	if !has(rs, "tools.urgent_on", "note.saved") {
		t.Fatalf("/urgent CODE why: %v", describeAll(rs))
	}
	if len(to(rs, 7101)) != 0 {
		t.Errorf("the reporter is told of the urgency: %v", describeAll(to(rs, 7101)))
	}
	v := mustView(t, w, calm)
	if !v.IsUrgent() {
		t.Fatalf("after /urgent the case is not urgent: %v", v.Urgent)
	}
	if card := w.cat.Render("en", cardTexts(v)...); !strings.Contains(card, w.cat.Render("en", flows.T("urgent.volunteer"))) {
		t.Errorf("the card does not say a volunteer marked it urgent:\n%s", card)
	}
	if !onBoard(calmCode) {
		t.Error("the case marked urgent is not under the board's urgent filter")
	}
	files, err := w.timeline.Find(ctx, calm, "")
	if err != nil || len(files) != 1 {
		t.Fatalf("find case: %v %v", files, err)
	}
	if !slices.ContainsFunc(files[0].Events, func(e flows.Event) bool {
		return e.Kind == flows.EventNote && e.Note == "the family says he is moved tonight"
	}) {
		t.Errorf("why it is urgent is not kept as a note: %+v", files[0].Events)
	}
	// Marked again: it says so, and the marks stay.
	if rs := vol.command("urgent", calmCode); !has(rs, "tools.urgent_already") {
		t.Errorf("/urgent on an urgent case: %v", describeAll(rs))
	}

	// The medical case, urgent from its report, taken by the coordinator:
	// a volunteer may not take its mark off; the coordinator may, told
	// what it was.
	coord.command("take_case", medicalCode)
	if rs := vol.command("urgent", medicalCode+" off"); !has(rs, "casework.not_owner") || !mustView(t, w, medical).IsUrgent() {
		t.Errorf("/urgent off by a volunteer on a colleague's case: %v", describeAll(rs))
	}
	rs = coord.command("urgent", medicalCode+" off")
	if !has(rs, "tools.urgent_off") || !strings.Contains(w.cat.Render("ru", rs[0].Texts...), w.cat.Render("ru", flows.T("urgent.medical"))) {
		t.Fatalf("/urgent CODE off: %v", describeAll(rs))
	}
	if v := mustView(t, w, medical); v.IsUrgent() {
		t.Errorf("after /urgent off the case is still urgent: %v", v.Urgent)
	}
	if onBoard(medicalCode) {
		t.Error("the case no longer urgent is still under the board's urgent filter")
	}
	for _, off := range []string{"снять", "не срочно", "off, he was released"} {
		if rs := coord.command("urgent", medicalCode+" "+off); !has(rs, "tools.urgent_none") {
			t.Errorf("/urgent CODE %s on a case not urgent: %v", off, describeAll(rs))
		}
	}
	// The words after "off" say why, kept as a note.
	if files, err := w.timeline.Find(ctx, medical, ""); err != nil || len(files) != 1 ||
		!slices.ContainsFunc(files[0].Events, func(e flows.Event) bool { return e.Note == "he was released" }) {
		t.Errorf("why the marks came off is not kept: %v %v", files, err)
	}
	var actions []string
	if err := w.db.SelectContext(ctx, &actions, `SELECT action || ':' || detail FROM audit_log WHERE action = 'urgent' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if want := []string{"urgent:on", "urgent:on", "urgent:off", "urgent:off", "urgent:off", "urgent:off"}; fmt.Sprint(actions) != fmt.Sprint(want) {
		t.Errorf("audit log %v, want %v", actions, want)
	}
}

// TestCaseReadInEnglish: a Russian family's words a volunteer reading in
// English could not read, or could not type into the ICE locator, come
// with the English: "Россия (Russia)", "жена (wife)", "Иллинойс
// (Illinois)" (for a Congress member's office), in /case and /find. A
// volunteer reading Russian sees the relation as typed.
func TestCaseReadInEnglish(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	w.member(hCoord, flows.RoleCoordinator)
	vol, coord := w.person(hVolunteer, "en"), w.person(hCoord, "ru")
	r := fullCase()
	r.DraftID, r.Consent, r.Lang = "read-in-english", true, "ru"
	r.BirthCountry, r.Citizenship, r.Facts.State = "Россия", "Россия и Узбекистан", "Иллинойс"
	r.ReporterChatID, r.ReporterUserID = 7101, 7101
	cs, err := w.cases.Create(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	vol.command("take_case", cs.Code)
	for _, cmd := range []string{"case", "find"} {
		got := w.cat.Render("en", vol.mine(vol.command(cmd, cs.Code))[0].Texts...)
		for _, want := range []string{"жена (wife)"} {
			if !strings.Contains(got, want) {
				t.Errorf("/%s in English lacks %q:\n%s", cmd, want, got)
			}
		}
		if cmd == "case" && (!strings.Contains(got, "Россия (Russia)") || !strings.Contains(got, "Россия и Узбекистан (Russia and Uzbekistan)") ||
			!strings.Contains(got, "Иллинойс (Illinois)")) {
			t.Errorf("/case in English: the countries as the locator lists them, or the state, are missing:\n%s", got)
		}
		if got := w.cat.Render("ru", coord.mine(coord.command(cmd, cs.Code))[0].Texts...); strings.Contains(got, "(wife)") {
			t.Errorf("/%s in Russian:\n%s", cmd, got)
		}
	}
}
