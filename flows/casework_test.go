package flows_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hotline/flows"
	"hotline/locales"
	"hotline/storage"
)

// Casework through App.Handle and App.CaseTick, on real Postgres and Redis
// with a fake clock: who hears of a new case, who gets it, what the timers
// send, and what a reporter's news does.

const (
	cwVol     = 501 // on duty, English
	cwOffDuty = 502
	cwCoord   = 601 // off duty, Russian
	cwReport  = 7001
)

// caseworld is hworld with a volunteer on duty, one off duty and a
// coordinator who have each written to the bot (so it knows their
// language).
func newCaseWorld(t *testing.T) *hworld {
	t.Helper()
	w := newHWorld(t)
	w.member(cwVol, flows.RoleVolunteer)
	w.member(cwOffDuty, flows.RoleVolunteer)
	w.member(cwCoord, flows.RoleCoordinator)
	w.person(cwVol, "en").command("name", "Anna")
	w.person(cwVol, "en").command("duty", "on")
	w.person(cwOffDuty, "en").command("name", "Boris")
	w.person(cwCoord, "ru").command("name", "Vera")
	w.person(hAdmin, "en").command("duty", "")
	for _, id := range []int64{cwVol, cwOffDuty, cwCoord, hAdmin} {
		w.person(id, "").received()
	}
	return w
}

// annasCase files a case reported by cwReport that Anna, the volunteer on
// duty, then takes; it returns its code, Anna and the reporter, with what
// they were told so far read.
func annasCase(w *hworld, draft string) (code string, anna, rep *hperson) {
	w.t.Helper()
	_, code = w.confirm(cwReport, draft, 0)
	anna, rep = w.person(cwVol, "en"), w.person(cwReport, "ru")
	anna.command("take_case", code)
	anna.received()
	rep.received()
	return code, anna, rep
}

// annasChat is annasCase with Anna talking with the reporter (/write).
func annasChat(w *hworld, draft string) (code string, anna, rep *hperson) {
	w.t.Helper()
	code, anna, rep = annasCase(w, draft)
	anna.command("write", code)
	anna.received()
	rep.received()
	return code, anna, rep
}

// hinted is the data of the button btn under the copy of a reporter's
// message that the volunteer got (rs, to the volunteer); the test fails
// without it.
func hinted(t *testing.T, rs []flows.Reply, btn string) string {
	t.Helper()
	set := dataOf(rs, btn)
	if len(rs) != 2 || rs[0].Copy == nil || set == "" {
		t.Fatalf("the volunteer got %v, want the copy and %s", describeAll(rs), btn)
	}
	return set
}

// placeButton is the data of the button of the last reply whose first
// label names place (a facility offered); "" for none.
func placeButton(rs []flows.Reply, place string) string {
	if len(rs) == 0 {
		return ""
	}
	for _, row := range rs[len(rs)-1].Buttons {
		if strings.Contains(row[0].Label, place) {
			return row[0].Data
		}
	}
	return ""
}

// confirm puts a full report on the review screen of the reporter's chat
// and confirms it with the update id given (0: the next one); it returns
// every reply and the case code.
func (w *hworld) confirm(reporter int64, draft string, updateID int64, urgent ...string) ([]flows.Reply, string) {
	w.t.Helper()
	r := *fullCase()
	r.DraftID, r.Consent, r.Urgent = draft, true, urgent
	nonce := "n" + draft
	if updateID == 0 || !w.sessionAt(reporter, "review") {
		s := &flows.Session{ChatID: reporter, Lang: "ru", Flow: "report", Step: "review", Nonce: nonce,
			Draft: r, Updated: w.clock()}
		if err := w.sessions.Put(context.Background(), s); err != nil {
			w.t.Fatal(err)
		}
	}
	rs := w.person(reporter, "ru").do(flows.Input{Kind: flows.KindButton, Data: nonce + ":" + "review" + ":ok",
		UpdateID: updateID})
	code, _ := textData(rs[0], "report.done", "Code").(string)
	return rs, strings.ReplaceAll(code, "-", "")
}

// sessionAt reports whether the chat's session is at a report step.
func (w *hworld) sessionAt(chat int64, step string) bool {
	s, err := w.sessions.Get(context.Background(), chat)
	return err == nil && s.Flow == "report" && s.Step == step
}

// to returns the replies to one chat.
func to(rs []flows.Reply, chat int64) []flows.Reply {
	var out []flows.Reply
	for _, r := range rs {
		if r.ChatID == chat {
			out = append(out, r)
		}
	}
	return out
}

// announced returns, per chat, the announcements of a case in rs.
func announced(rs []flows.Reply, code string) map[int64][]flows.Reply {
	out := map[int64][]flows.Reply{}
	for _, r := range rs {
		if len(r.Texts) > 0 && r.Texts[0].ID == "casework.card" && strings.Contains(fmt.Sprint(r.Buttons), code) {
			out[r.ChatID] = append(out[r.ChatID], r)
		}
	}
	return out
}

func (w *hworld) caseTick() []flows.Reply {
	w.t.Helper()
	rs, err := tickCases(w.app)
	if err != nil {
		w.t.Fatal(err)
	}
	w.file(rs)
	return rs
}

// tickCases runs the casework timers and returns what they sent.
func tickCases(a *flows.App) ([]flows.Reply, error) {
	var rs []flows.Reply
	err := a.CaseTick(context.Background(), func(_ context.Context, out []flows.Reply) error {
		rs = append(rs, out...)
		return nil
	})
	return rs, err
}

// TestCaseAnnouncement: a confirmed report is announced at once to the
// volunteer on duty, the coordinator and the admin of the configuration,
// each once and in their language, never to a volunteer off duty; the
// same update handled again (its replies were lost in a crash) announces
// it again and stores nothing twice; a second press of the confirm button
// announces nothing.
func TestCaseAnnouncement(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	rs, code := w.confirm(cwReport, "d1", 5000)
	if code == "" {
		t.Fatalf("no case code: %v", describeAll(rs))
	}
	got := announced(rs, code)
	for _, want := range []struct {
		chat int64
		lang string
	}{{cwVol, "en"}, {cwCoord, "ru"}, {hAdmin, "en"}} {
		if len(got[want.chat]) != 1 {
			t.Errorf("chat %d got %d announcements, want 1", want.chat, len(got[want.chat]))
			continue
		}
		r := got[want.chat][0]
		if r.Lang != want.lang {
			t.Errorf("chat %d announced in %s, want %s", want.chat, r.Lang, want.lang)
		}
		if names := buttonNames(r); !slices.Equal(names, []string{"btn.case_take", "btn.case_open", "btn.case_later"}) {
			t.Errorf("announcement buttons %v", names)
		}
		w.leaks(t, []flows.Reply{r}, "Ivanov", "Иванов", "012345678", "345-678", "Jane Roe", "+1 480")
	}
	if len(got[cwOffDuty]) != 0 || len(got) != 3 {
		t.Errorf("announced to %v, want the volunteer on duty, the coordinator and the admin", keys(got))
	}
	card := w.cat.Render("en", got[cwVol][0].Texts...)
	for _, want := range []string{flows.FormatCode(code), "Florence jail", "Lawyer: yes", "May 20, 2026", "Russian"} {
		if !strings.Contains(card, want) {
			t.Errorf("the card lacks %q:\n%s", want, card)
		}
	}

	// The bot stopped before the update's commit: the session write and
	// the replies were lost together, and the same update comes again.
	again, code2 := w.confirm(cwReport, "d1", 5000)
	if code2 != code || !sameAnnouncements(got, announced(again, code)) {
		t.Errorf("handled again: code %s, announcements %v; want %s and the same", code2, describeAll(again), code)
	}
	var n int
	if err := w.db.Get(&n, `SELECT count(*) FROM cases`); err != nil || n != 1 {
		t.Errorf("%d cases stored, want 1 (%v)", n, err)
	}
	// Pressing confirm again is an old button, and announces nothing.
	old := w.person(cwReport, "ru").press("nd1:" + "review" + ":ok")
	if len(announced(old, code)) != 0 || !has(old, "button.old") {
		t.Errorf("a second press: %v", describeAll(old))
	}

	// Nobody on duty: the coordinators still hear of it.
	w.person(cwVol, "en").command("duty", "off")
	rs, code = w.confirm(cwReport+1, "d2", 0)
	if got := announced(rs, code); len(got) != 2 || len(got[cwCoord]) != 1 || len(got[hAdmin]) != 1 {
		t.Errorf("nobody on duty: announced to %v, want the coordinator and the admin", keys(got))
	}
}

func keys(m map[int64][]flows.Reply) []int64 {
	var out []int64
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sameAnnouncements(a, b map[int64][]flows.Reply) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !sameReplies(v, b[k]) {
			return false
		}
	}
	return true
}

// TestTakeCaseRace: ten volunteers press "Take the case" at once: one owns
// it, nine are told who has it, the reporter is told once and never who.
// "/take K7M4-Q9XP": /take is for a chat in the queue (a number), but a
// case's code can mean only the case, and it is taken, as /take_case does.
// The volunteer was told to give a chat's number. A number is still a
// chat.
func TestTakeWithACaseCode(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	_, code := w.confirm(cwReport, "take-code", 0)
	w.person(cwReport, "ru").received()
	anna := w.person(cwVol, "en")
	rs := anna.command("take", strings.ToLower(code))
	if mine := to(rs, cwVol); !has(mine, "casework.took") {
		t.Fatalf("/take CODE: %v, want the case taken", describeAll(mine))
	}
	if told := to(rs, cwReport); len(told) != 1 {
		t.Errorf("reporter told %d times, want once", len(told))
	}
	if mine := to(anna.command("take", "17"), cwVol); has(mine, "casework.took") || has(mine, "casework.take_usage") {
		t.Errorf("/take 17: %v, want a chat's answer", describeAll(mine))
	}
}

// "/case" with no code from a volunteer talking with nobody offers the open
// cases they own, a button each that opens it; with none, where the code
// goes. They were told they talk with nobody.
func TestCaseWithoutACode(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	code, anna, _ := annasCase(w, "case-no-code")
	mine := to(anna.command("case", ""), cwVol)
	if len(mine) != 1 || describe(mine[0]) != "handoff.case_which" {
		t.Fatalf("/case: %v, want the cases to choose from", describeAll(mine))
	}
	if b := mine[0].Buttons; len(b) != 1 || !strings.Contains(w.cat.Render("en", b[0][0].Text), flows.FormatCode(code)) {
		t.Fatalf("/case: buttons %+v, want Anna's case", b)
	}
	opened := to(anna.press(mine[0].Buttons[0][0].Data), cwVol)
	if len(opened) == 0 || !strings.Contains(w.cat.Render("en", opened[0].Texts...), flows.FormatCode(code)) {
		t.Errorf("pressed: %v, want the case's card", describeAll(opened))
	}
	boris := w.person(cwOffDuty, "en") // owns no case
	if rs := to(boris.command("case", ""), cwOffDuty); len(rs) != 1 || describe(rs[0]) != "handoff.case_usage" {
		t.Errorf("/case from a volunteer with no case: %v", describeAll(rs))
	}
}

// A volunteer records a transfer to a place not in the ICE list (a
// hospital, a county jail it lacks): "Keep it as I typed it" makes it the
// case's facility on its card, sealed in the database; the status people
// with the code see shows the transfer without it. It could only go into
// a note. A transfer recorded later from the list replaces it.
func TestTransferToAPlaceNotListed(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	code, anna, _ := annasCase(w, "typed-place")
	rs := anna.command("status", code)
	if rs = anna.press(dataOf(rs, "status.name.transferred")); !has(rs, "update.moved") {
		t.Fatalf("transferred: %v", describeAll(rs))
	}
	const place = "Banner Hospital, Casa Grande"
	rs = anna.send(place)
	keep := dataOf(rs, "btn.news_fac_typed")
	if keep == "" {
		t.Fatalf("%q: %v, no button to keep it", place, describeAll(rs))
	}
	if rs = anna.press(keep); !has(rs, "update.public_note") {
		t.Fatalf("kept: %v", describeAll(rs))
	}
	if rs = anna.press(dataOf(rs, "btn.no_note")); !has(rs, "update.saved") {
		t.Fatalf("saved: %v", describeAll(rs))
	}
	v := mustView(t, w, code)
	if v.Status != flows.StatusTransferred || v.Facility.ID != 0 || v.FacilityText != place {
		t.Errorf("case: %s at %d %q, want transferred to %q", v.Status, v.Facility.ID, v.FacilityText, place)
	}
	var clear int
	if err := w.db.Get(&clear, `SELECT count(*) FROM cases WHERE position(convert_to('Banner', 'UTF8') in moved_facility_text) > 0`); err != nil || clear != 0 {
		t.Errorf("the place in clear in %d rows (%v)", clear, err)
	}
	st, err := w.timeline.Status(context.Background(), code)
	if err != nil || st.Status != flows.StatusTransferred || st.FacilityID != 0 || st.FacilityText != "" {
		t.Errorf("the public status: %+v %v, want the transfer without its place", st, err)
	}
	// A transfer from the list afterwards is the case's facility.
	rs = anna.command("status", code)
	anna.press(dataOf(rs, "status.name.transferred"))
	rs = anna.press(placeButton(anna.send("Eloy"), "Eloy"))
	anna.press(dataOf(rs, "btn.no_note"))
	if v := mustView(t, w, code); !strings.Contains(v.Facility.Name, "Eloy") || v.FacilityText != "" {
		t.Errorf("after Eloy: %+v %q", v.Facility, v.FacilityText)
	}
}

// A conversation about a case ends with the menu alone; one with no case
// offers the report (TestHandoffConversation).
func TestConversationAboutACaseEnds(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	code, anna, rep := annasCase(w, "talk-ends")
	anna.command("write", code)
	rep.received()
	anna.command("done", "")
	rs := to(anna.received(), cwReport)
	rs = append(rs, rep.received()...)
	if got := describeAll(rs); !slices.Equal(got, []string{"handoff.done"}) {
		t.Errorf("the reporter got %v, want the end alone", got)
	}
}

// News typed in words is taken as the kind it tells of, as its button
// gives it, the words going with it to the volunteer: a deportation to
// come asks its date or "only a rumour" and makes the case urgent; one
// done and a release are sent. They were sent as words alone, and the
// case was not urgent. Denied, or of two kinds, they are words still.
func TestNewsKindInWords(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ typed, want string }{
		{"его завтра депортируют", "casework.news_read_as+casework.news_date"},
		{"his deportation flight is on friday", "casework.news_read_as+casework.news_date"},
		{"he will be deported", "casework.news_read_as+casework.news_date"},
		{"его депортировали вчера", "casework.news_read_as+casework.news_saved"},
		{"he has been deported", "casework.news_read_as+casework.news_saved"},
		{"отпустили под залог!", "casework.news_read_as+casework.news_saved"},
		{"его не депортировали", "casework.news_saved"},
		{"перевели в Луизиану, скоро рейс", "casework.news_saved"},
		// Denied in one clause, told in another: the doubt is of the
		// place, not of the move; "не депортировали, отпустили" is the
		// release.
		{"they moved him to a jail in Texas, dont know which", "casework.news_read_as+update.moved_pick"},
		{"не депортировали, отпустили вчера", "casework.news_read_as+casework.news_saved"},
		// A hearing "moved" is its new date, not a transfer.
		{"his hearing got moved to january 15", "casework.news_read_as+date.understood+casework.news_saved"},
		{"he got out on bond", "casework.news_read_as+casework.news_saved"}, // a release
	} {
		w := newCaseWorld(t)
		code, _, rep := annasCase(w, "kind-words")
		rep.command("news", "")
		all := rep.send(tt.typed)
		rs := to(all, cwReport)
		if got := strings.Join(describeAll(rs), " "); got != tt.want {
			t.Errorf("%q: %s, want %s", tt.typed, got, tt.want)
			continue
		}
		if strings.HasSuffix(tt.want, "moved_pick") {
			// Where to, not known: the transfer, sent; the case urgent.
			all = rep.press(dataOf(rs, "btn.facility_unknown"))
			if !has(to(all, cwReport), "casework.news_saved") {
				t.Errorf("%q, the place not known: %v", tt.typed, describeAll(all))
			}
			if v := mustView(t, w, code); !slices.Contains(v.Urgent, flows.UrgentTransfer) {
				t.Errorf("%q: urgent %v, want a transfer", tt.typed, v.Urgent)
			}
		}
		if strings.HasSuffix(tt.want, "news_date") {
			all = rep.press(dataOf(rs, "btn.news_rumor"))
			if !has(to(all, cwReport), "casework.news_saved") {
				t.Errorf("%q, only a rumour: %v", tt.typed, describeAll(all))
			}
			if v := mustView(t, w, code); !slices.Contains(v.Urgent, flows.UrgentFlight) {
				t.Errorf("%q: urgent %v, want a flight feared", tt.typed, v.Urgent)
			}
		}
		if got := to(all, cwVol); len(got) != 1 || !strings.Contains(w.cat.Render("en", got[0].Texts...), tt.typed) {
			t.Errorf("%q: the owner got %v", tt.typed, describeAll(got))
		}
	}
	// A date the words name: a hearing's is taken and said back; a
	// deportation's is a button away under its question. Without a date,
	// a hearing is words ("суд перенесли на март").
	w := newCaseWorld(t)
	code, _, rep := annasCase(w, "kind-dates")
	rep.command("news", "")
	if got := describeAll(to(rep.send("суд назначили на 15 января"), cwReport)); !slices.Equal(got,
		[]string{"casework.news_read_as+date.understood+casework.news_saved"}) {
		t.Errorf("a hearing with its date: %v", got)
	}
	if v := mustView(t, w, code); !strings.HasSuffix(v.Hearing, "-01-15") {
		t.Errorf("hearing %q, want January 15", v.Hearing)
	}
	for _, words := range []string{"суд перенесли на март", "суд перенесли с 20 января на 3 марта"} {
		rep.command("news", "")
		if got := describeAll(to(rep.send(words), cwReport)); !slices.Equal(got, []string{"casework.news_saved"}) {
			t.Errorf("%q: %v, want words", words, got)
		}
	}
	if v := mustView(t, w, code); !strings.HasSuffix(v.Hearing, "-01-15") {
		t.Errorf("hearing %q after words with two dates, want January 15 still", v.Hearing)
	}
	rep.command("news", "")
	rs := to(rep.send("его депортируют 12 января"), cwReport)
	date := dataOf(rs, "btn.news_date_said")
	if date == "" {
		t.Fatalf("no button with the date named: %v", describeAll(rs))
	}
	rep.press(date)
	if v := mustView(t, w, code); !strings.HasSuffix(v.Deportation, "-01-12") {
		t.Errorf("deportation %q, want January 12", v.Deportation)
	}
}

func TestTakeCaseRace(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	_, code := w.confirm(cwReport, "race", 0)
	w.person(cwReport, "ru").received()
	const n = 10
	for i := range n {
		id := int64(800 + i)
		w.member(id, flows.RoleVolunteer)
		w.person(id, "en").command("name", fmt.Sprintf("Vol%d", i))
		w.person(id, "en").received()
	}
	var wg sync.WaitGroup
	results := make([][]flows.Reply, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := w.person(int64(800+i), "en")
			rs, err := p.try(context.Background(), flows.Input{Kind: flows.KindButton, Data: "cw.:t:" + code})
			if err != nil {
				t.Error(err)
			}
			results[i] = rs
		}()
	}
	wg.Wait()
	winners, told := 0, 0
	var winner string
	for i, rs := range results {
		mine := to(rs, int64(800+i))
		switch {
		case has(mine, "casework.took"):
			winners++
			winner = fmt.Sprintf("Vol%d", i)
		case has(mine, "casework.taken_by"):
		default:
			t.Errorf("volunteer %d: %v", i, describeAll(mine))
		}
		told += len(to(rs, cwReport))
	}
	if winners != 1 {
		t.Fatalf("%d volunteers took the case, want 1", winners)
	}
	for i, rs := range results {
		for _, r := range to(rs, int64(800+i)) {
			if name := textData(r, "casework.taken_by", "Name"); name != nil && name != winner {
				t.Errorf("volunteer %d told %v has it, the owner is %s", i, name, winner)
			}
		}
	}
	got := w.person(cwReport, "ru").received()
	if told != 1 || len(got) != 1 || describe(got[0]) != "casework.reporter_taken" || got[0].Lang != "ru" {
		t.Errorf("the reporter got %v, want one casework.reporter_taken in ru", describeAll(got))
	}
	w.leaks(t, got, "Vol")

	// Bad input: a stale button, an unknown code, a closed case.
	late := w.person(cwVol, "en").press("cw.:t:" + code)
	if !has(late, "casework.taken_by") {
		t.Errorf("a stale take: %v", describeAll(late))
	}
	if rs := w.person(cwVol, "en").command("take_case", "ZZZZ-ZZZZ"); !has(rs, "casework.unknown") {
		t.Errorf("an unknown case: %v", describeAll(rs))
	}
	_, closed := w.confirm(cwReport+1, "closed", 0)
	c, err := w.deps.Casework.View(context.Background(), closed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.deps.Timeline.Record(context.Background(), flows.Event{CaseID: c.ID, Kind: flows.EventStatus,
		Status: flows.StatusClosed, Public: true, Actor: "tg:601"}); err != nil {
		t.Fatal(err)
	}
	if rs := w.person(cwVol, "en").command("take_case", closed); !has(rs, "casework.take_closed") {
		t.Errorf("a closed case: %v", describeAll(rs))
	}
	if v, _ := w.deps.Casework.View(context.Background(), closed); v.Owner != 0 {
		t.Errorf("the closed case got owner %d", v.Owner)
	}
}

// TestCaseOwnerChangeHandledAgain: a release and an accepted hand-over
// whose audit entry fails after the owner changed are finished when their
// update is handled again — one audit entry each, the same answer as the
// first time would have been, the colleague who gave the case away told —
// while another update finds them done already and is refused.
func TestCaseOwnerChangeHandledAgain(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	audit := &failingAudit{Audit: w.deps.Audit}
	w.deps.Audit = audit
	w.app = mustNew(t, w.cfg, w.deps)
	_, code := w.confirm(cwReport, "again", 0)
	anna, boris := w.person(cwVol, "en"), w.person(cwOffDuty, "en")
	if rs := anna.command("take_case", code); !has(rs, "casework.took") {
		t.Fatalf("take: %v", describeAll(rs))
	}
	twice := func(p *hperson, in flows.Input, want string) {
		t.Helper()
		if rs := p.handledAgain(in, &audit.fail, nil); !has(rs, want) {
			t.Errorf("%s%s handled again: %v, want %s", in.Command, in.Data, describeAll(rs), want)
		}
	}

	twice(anna, flows.Input{UpdateID: 7001, Kind: flows.KindCommand, Command: "release_case", Text: code}, "casework.released")
	if v := mustView(t, w, code); v.Owner != 0 {
		t.Errorf("owner %d after the release", v.Owner)
	}
	if rs := anna.command("release_case", code); !has(rs, "casework.not_owner") {
		t.Errorf("another release: %v", describeAll(rs))
	}

	if rs := anna.command("take_case", code); !has(rs, "casework.took") {
		t.Fatalf("take again: %v", describeAll(rs))
	}
	if rs := anna.command("handover", code+" Boris"); !has(rs, "casework.handover_offered") {
		t.Fatalf("offer: %v", describeAll(rs))
	}
	anna.received()
	accept := buttonData(t, boris.received()[0], "btn.case_accept")
	twice(boris, flows.Input{UpdateID: 7002, Kind: flows.KindButton, Data: accept}, "casework.handover_accepted")
	anna.expectGot("casework.handover_done", "casework.card") // told by the update handled again; her card redrawn
	if v := mustView(t, w, code); v.Owner != cwOffDuty {
		t.Errorf("owner %d after the hand-over, want %d", v.Owner, cwOffDuty)
	}
	if rs := boris.press(accept); !has(rs, "casework.handover_gone") {
		t.Errorf("another accept: %v", describeAll(rs))
	}

	count := w.audited(mustView(t, w, code).ID)
	if count[flows.AuditRelease] != 1 || count[flows.AuditAssign] != 1 {
		t.Errorf("audit entries %v: want one release and one assignment", count)
	}
}

// TestMergeHandledAgain: a merge whose audit entry fails after the cases
// were merged is finished when its update is handled again: merged, each
// case's audit log has the merge once; another /merge is refused.
func TestMergeHandledAgain(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	audit := &failingAudit{Audit: w.deps.Audit}
	w.deps.Audit = audit
	w.app = mustNew(t, w.cfg, w.deps)
	_, from := w.confirm(cwReport, "m1", 0)
	_, into := w.confirm(cwReport+1, "m2", 0)
	admin, anna := w.person(hAdmin, "en"), w.person(cwVol, "en")
	anna.received()
	in := flows.Input{UpdateID: 7101, Kind: flows.KindCommand, Command: "merge", Text: from + " " + into}
	if rs := admin.handledAgain(in, &audit.fail, nil); !has(rs, "tools.merged") {
		t.Errorf("the merge handled again: %v", describeAll(rs))
	}
	// The card of the case merged away is redrawn without Take.
	if got := anna.received(); len(got) != 1 || got[0].Edit == 0 || buttonFor(got, "btn.case_open", from) == "" ||
		len(buttonNames(got[0])) != 1 {
		t.Errorf("Anna's cards after the merge: %v", describeAll(got))
	}
	if rs := admin.command("merge", from+" "+into); !has(rs, "tools.merge_merged") {
		t.Errorf("another merge: %v", describeAll(rs))
	}
	for _, code := range []string{from, into} {
		var id int64
		if err := w.db.Get(&id, `SELECT id FROM cases WHERE code = $1`, code); err != nil {
			t.Fatal(err)
		}
		if n := w.audited(id)[flows.AuditMerge]; n != 1 {
			t.Errorf("case %s: %d merge entries in its audit log, want 1", code, n)
		}
	}
}

// failingGet is the members whose Get fails for one user while fail is
// set.
type failingGet struct {
	flows.Volunteers
	user int64
	fail bool
}

func (f *failingGet) Get(ctx context.Context, userID int64) (flows.Volunteer, error) {
	if f.fail && userID == f.user {
		return flows.Volunteer{}, errors.New("postgres unreachable")
	}
	return f.Volunteers.Get(ctx, userID)
}

// TestDeclineHandledAgain: a colleague declines a hand-over while the
// owner's details cannot be read; handled again, the decline still tells
// the owner.
func TestDeclineHandledAgain(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	vols := &failingGet{Volunteers: w.deps.Volunteers, user: cwVol}
	w.deps.Volunteers = vols
	w.app = mustNew(t, w.cfg, w.deps)
	_, code := w.confirm(cwReport, "decline", 0)
	anna, boris := w.person(cwVol, "en"), w.person(cwOffDuty, "en")
	anna.command("take_case", code)
	if rs := anna.command("handover", code+" Boris"); !has(rs, "casework.handover_offered") {
		t.Fatalf("offer: %v", describeAll(rs))
	}
	anna.received()
	decline := buttonData(t, boris.received()[0], "btn.case_decline")
	in := flows.Input{UpdateID: 7201, Kind: flows.KindButton, Data: decline}
	if rs := boris.handledAgain(in, &vols.fail, nil); !has(rs, "casework.handover_declined") {
		t.Errorf("the decline handled again: %v", describeAll(rs))
	}
	anna.expectGot("casework.handover_refused")
}

// TestHandOver: the owner offers the case to a colleague who accepts; a
// hand-over to a stranger, or accepted by someone removed meanwhile,
// changes nothing.
func TestHandOver(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	_, code := w.confirm(cwReport, "ho", 0)
	anna, boris := w.person(cwVol, "en"), w.person(cwOffDuty, "en")
	if rs := anna.command("take_case", code); !has(rs, "casework.took") {
		t.Fatalf("take: %v", describeAll(rs))
	}
	if rs := anna.command("handover", code+" 99999"); !has(rs, "casework.handover_not_member") {
		t.Errorf("to a stranger: %v", describeAll(rs))
	}
	// The code alone, or with a space in it, offers the colleagues, as the
	// card's button does (it was the usage).
	for _, typed := range []string{code, strings.Replace(flows.FormatCode(code), "-", " ", 1)} {
		rs := to(anna.command("handover", typed), cwVol)
		if len(rs) != 1 || describe(rs[0]) != "casework.handover_pick" || !slices.ContainsFunc(rs[0].Buttons, func(row []flows.Button) bool {
			return row[0].Label == "Boris"
		}) {
			t.Errorf("/handover %s: %v", typed, describeAll(rs))
		}
	}
	if rs := boris.command("handover", code+" Anna"); !has(rs, "casework.not_owner") {
		t.Errorf("by someone else: %v", describeAll(rs))
	}
	boris.received()
	if rs := anna.command("handover", code+" Boris"); !has(rs, "casework.handover_offered") {
		t.Fatalf("offer: %v", describeAll(rs))
	}
	ask := boris.received()
	if len(ask) != 1 || ask[0].Texts[0].ID != "casework.handover_ask" {
		t.Fatalf("boris got %v", describeAll(ask))
	}
	accept := buttonData(t, ask[0], "btn.case_accept")
	// Removed before accepting: the button is refused, the case stays.
	if err := w.vols.Remove(context.Background(), cwOffDuty, ""); err != nil {
		t.Fatal(err)
	}
	if rs := boris.press(accept); !has(rs, "button.old") {
		t.Errorf("a removed member accepting: %v", describeAll(rs))
	}
	if v, _ := w.deps.Casework.View(context.Background(), code); v.Owner != cwVol {
		t.Errorf("owner %d after a removed member's accept, want %d", v.Owner, cwVol)
	}
	w.member(cwOffDuty, flows.RoleVolunteer)
	anna.received()
	if rs := boris.press(accept); !has(rs, "casework.handover_accepted") {
		t.Fatalf("accept: %v", describeAll(rs))
	}
	// Told, and her announcement's card redrawn with Boris as the owner.
	if got := anna.received(); len(got) != 2 || describe(got[0]) != "casework.handover_done" || got[1].Edit == 0 {
		t.Errorf("anna got %v", describeAll(got))
	}
	if v, _ := w.deps.Casework.View(context.Background(), code); v.Owner != cwOffDuty {
		t.Errorf("owner %d, want %d", v.Owner, cwOffDuty)
	}
	if rs := boris.press(accept); !has(rs, "casework.handover_gone") {
		t.Errorf("a second accept: %v", describeAll(rs))
	}
	es, _, err := w.deps.Audit.ForCase(context.Background(), mustView(t, w, code).ID, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	var acts []string
	for _, e := range es {
		acts = append(acts, e.Action)
	}
	for _, want := range []string{flows.AuditTake, flows.AuditHandover, flows.AuditAssign} {
		if !slices.Contains(acts, want) {
			t.Errorf("audit log %v lacks %s", acts, want)
		}
	}
}

func mustView(t *testing.T, w *hworld, code string) flows.CaseView {
	t.Helper()
	v, err := w.deps.Casework.View(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestCaseEscalation: an urgent case nobody takes goes to the coordinators
// after CaseEscalateUrgent, again after twice that, and never once taken;
// two replicas ticking at once send each escalation once; escalations
// missed while the bot was down are one message when it is back.
func TestCaseEscalation(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	w.cfg.CaseEscalate, w.cfg.CaseEscalateUrgent = 30*time.Minute, 10*time.Minute
	w.app = mustNew(t, w.cfg, w.deps)
	// The case's creation time is Postgres's: the clock starts there.
	_, code := w.confirm(cwReport, "esc", 0, "flight")
	w.mu.Lock()
	w.now = mustView(t, w, code).Created
	w.mu.Unlock()
	escalations := func() map[int64]int {
		var rs []flows.Reply
		var wg sync.WaitGroup
		var mu sync.Mutex
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := tickCases(w.app)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				rs = append(rs, got...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		out := map[int64]int{}
		for _, r := range rs {
			if r.Texts[0].ID == "casework.escalated" || r.Texts[0].ID == "casework.reporter_waiting" {
				out[r.ChatID]++
			}
		}
		return out
	}
	for _, step := range []struct {
		after      time.Duration
		want, told int // escalations to each coordinator; the reporter told the report waits
	}{{9 * time.Minute, 0, 0}, {time.Minute, 1, 0}, {19 * time.Minute, 0, 0}, {time.Minute, 1, 0}, {39 * time.Minute, 0, 0},
		// At the third, 70 minutes on, the reporter hears that the
		// report is not lost: once.
		{time.Minute, 1, 1},
		// The bot down through two escalations (due at 150 and 310
		// minutes): one message when it is back, and the next on time.
		{250 * time.Minute, 1, 0}, {0, 0, 0}, {309 * time.Minute, 0, 0}, {time.Minute, 1, 0}} {
		w.advance(step.after)
		got := escalations()
		if got[cwCoord] != step.want || got[hAdmin] != step.want || got[cwVol] != 0 || got[cwReport] != step.told {
			t.Errorf("at +%v: escalations %v, want %d to each coordinator, %d to the reporter", w.clock().Sub(mustView(t, w, code).Created), got, step.want, step.told)
		}
	}
	w.person(cwVol, "en").command("take_case", code)
	w.advance(24 * time.Hour)
	if got := escalations(); len(got) != 0 {
		t.Errorf("a taken case escalated: %v", got)
	}
}

// TestReporterToldTheReportWaits: a report nobody takes for 70 minutes
// (an urgent one) tells its reporter, once, that it is not lost, with the
// hotline's phone and the page on the ICE locator; they had heard nothing
// since "the volunteers will write to you". A reporter already talking
// with a volunteer, or told that a volunteer picked the case up, is not
// told so.
func TestReporterToldTheReportWaits(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	w.cfg.CaseEscalate, w.cfg.CaseEscalateUrgent, w.cfg.Phone = 30*time.Minute, 10*time.Minute, "+1 555 0100"
	w.app = mustNew(t, w.cfg, w.deps)
	_, first := w.confirm(7401, "waits-talking", 0, "flight")
	w.confirm(7402, "waits-alone", 0, "medical")
	_, released := w.confirm(7403, "waits-released", 0, "medical")
	w.mu.Lock()
	w.now = mustView(t, w, first).Created
	w.mu.Unlock()
	w.person(7401, "ru").press("m:volunteer")
	anna := w.person(cwVol, "en")
	anna.command("next", "")
	// Taken and given back: the reporter heard a volunteer picked it up.
	anna.command("take_case", released)
	anna.command("release_case", released)
	w.advance(69 * time.Minute)
	tick := func() []flows.Reply {
		rs, err := tickCases(w.app)
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	if rs := tick(); len(to(rs, 7402)) != 0 {
		t.Errorf("told before the third escalation: %v", describeAll(to(rs, 7402)))
	}
	w.advance(2 * time.Minute)
	rs := tick()
	told := to(rs, 7402)
	if len(told) != 1 || !has(told, "casework.reporter_waiting", "check.hotline") || dataOf(told, "btn.info_page") == "" {
		t.Fatalf("the reporter waiting got %v", describeAll(told))
	}
	if text := w.cat.Render("ru", told[0].Texts...); !strings.Contains(text, "+1 555 0100") {
		t.Errorf("no hotline phone: %s", text)
	}
	if got := to(rs, 7401); len(got) != 0 {
		t.Errorf("the reporter talking with a volunteer got %v", describeAll(got))
	}
	if got := to(rs, 7403); len(got) != 0 {
		t.Errorf("the reporter of a case taken once got %v", describeAll(got))
	}
	w.advance(24 * time.Hour)
	if rs := tick(); len(to(rs, 7402)) != 0 {
		t.Errorf("told again: %v", describeAll(to(rs, 7402)))
	}
}

// TestHearingToldToTheFamily: a volunteer who found the date of the next
// hearing and set it is offered to tell the family, and one press does:
// the reporter gets the date with its day and the page on courts and legal
// help, the volunteer's message says so, without the button. Nothing
// reaches the family unless pressed; a button of a date changed since
// tells nothing; other dates have no such button.
func TestHearingToldToTheFamily(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	code, anna, rep := annasCase(w, "hearing-told")
	rs := to(anna.command("date", code+" hearing 21.12.2027"), cwVol)
	tell := dataOf(rs, "btn.tell_date")
	if !has(rs, "casework.date_set") || tell == "" {
		t.Fatalf("/date hearing: %v", describeAll(rs))
	}
	if got := rep.received(); len(got) != 0 {
		t.Errorf("the family told before the volunteer chose: %v", describeAll(got))
	}
	rs = anna.press(tell)
	told := to(rs, cwReport)
	if len(told) != 1 || !has(told, "notify.hearing") || dataOf(told, "btn.info_page") == "" {
		t.Fatalf("the family got %v", describeAll(told))
	}
	if text := w.cat.Render("ru", told[0].Texts...); !strings.Contains(text, "21 декабря 2027") || !strings.Contains(text, "вторник") {
		t.Errorf("the family read: %s", text)
	}
	if mine := to(rs, cwVol); !has(mine, "casework.date_told") || mine[0].Edit == 0 || dataOf(mine, "btn.tell_date") != "" {
		t.Errorf("the volunteer's message: %v", describeAll(mine))
	}
	// Changed since: the old button tells nothing.
	anna.command("date", code+" hearing 22.12.2027")
	if rs := anna.press(tell); len(to(rs, cwReport)) != 0 || !has(rs, "button.old") {
		t.Errorf("the button of a date changed since: %v", describeAll(rs))
	}
	if rs := anna.command("date", code+" deportation 23.12.2027"); dataOf(rs, "btn.tell_date") != "" {
		t.Errorf("a deportation date offered to the family: %v", describeAll(rs))
	}
	// The reminder three days before offers it too.
	anna.command("date", code+" deportation не знаю")
	soon := w.clock().AddDate(0, 0, 3)
	anna.command("date", code+" hearing "+soon.Format("02.01.2006"))
	rs = to(w.caseTick(), cwVol)
	tell = dataOf(rs, "btn.tell_date")
	if !has(rs, "casework.remind") || tell == "" {
		t.Fatalf("the reminder: %v", describeAll(rs))
	}
	if told := to(anna.press(tell), cwReport); !has(told, "notify.hearing") {
		t.Errorf("told from the reminder: %v", describeAll(told))
	}
}

// TestDeportationStatusDate: "Deportation scheduled" with its date, set by
// a volunteer, is the case's deportation date: on its card, reminded, and
// urgent when within 72 hours. The family was told the date and the case
// had none: no reminder, no urgency.
func TestDeportationStatusDate(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	code, anna, _ := annasCase(w, "deportation-date")
	day := w.clock().AddDate(0, 0, 2)
	anna.command("status", code)
	rs := anna.send("deportation scheduled " + day.Format("02.01.2006"))
	if !has(rs, "update.public_note") {
		t.Fatalf("deportation with its date: %v", describeAll(rs))
	}
	rs = to(anna.press(dataOf(rs, "btn.no_note")), cwVol)
	if !has(rs, "update.saved") || !has(rs, "casework.now_urgent") {
		t.Errorf("saved: %v", describeAll(rs))
	}
	v := mustView(t, w, code)
	if v.Deportation != day.Format(time.DateOnly) || !slices.Contains(v.Urgent, flows.UrgentDeportation) {
		t.Errorf("the case: deportation %q, urgent %v; want %s, urgent", v.Deportation, v.Urgent, day.Format(time.DateOnly))
	}
}

// TestCardNamesTheCheckinOffice: a report of a detention at an ICE
// check-in names its office on the case's card ("At an ICE check-in
// (Chicago, IL)"): where volunteers look for the person first, and who of
// them knows that office. It was on the full report only.
func TestCardNamesTheCheckinOffice(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	r := *fullCase()
	r.DraftID, r.Consent, r.Circumstance = "card-office", true, "checkin"
	r.Facts.Office = "chicago"
	s := &flows.Session{ChatID: cwReport, Lang: "ru", Flow: "report", Step: "review", Nonce: "ncard-office",
		Draft: r, Updated: w.clock()}
	if err := w.sessions.Put(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	rs := w.person(cwReport, "ru").do(flows.Input{Kind: flows.KindButton, Data: "ncard-office:review:ok"})
	code, _ := textData(rs[0], "report.done", "Code").(string)
	cards := announced(rs, strings.ReplaceAll(code, "-", ""))[cwVol]
	if len(cards) != 1 || !strings.Contains(w.cat.Render("en", cards[0].Texts...), "At an ICE check-in (Chicago, IL)") {
		t.Fatalf("the card: %v", describeAll(cards))
	}
	if v := mustView(t, w, code); v.Office != "Chicago, IL" {
		t.Errorf("the case's office: %q", v.Office)
	}
}

// TestANumberWrittenInTheChat: the reporter, talking with the volunteer,
// writes the A-number the case lacks: under the message, the volunteer
// gets the button that records it. Once recorded, or in a message without
// one, nothing more.
func TestANumberWrittenInTheChat(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	_, anna, rep := annasChat(w, "a-number-chat")
	rs := to(rep.send("Да, нашла в бумагах: A 204-555-871"), cwVol)
	set := hinted(t, rs, "btn.a_number_set")
	if got := to(anna.press(set), cwVol); !has(got, "tools.a_number_set") {
		t.Fatalf("pressed: %v", describeAll(got))
	}
	for _, typed := range []string{"A 204-555-871, как я писала", "спасибо"} {
		if got := to(rep.send(typed), cwVol); len(got) != 1 || got[0].Copy == nil {
			t.Errorf("%q: the volunteer got %v", typed, describeAll(got))
		}
	}
}

// TestPlaceWrittenInTheChat: the reporter writes to the volunteer where the
// person is held now ("перевели из Otay Mesa в Krome"): under the copy,
// the volunteer gets the button that records that facility in the case,
// not the one they were moved from; pressed, it is recorded and the family
// told. A place the case has, and words that name no facility ("в
// магазине", "to the lawyer", a city where a family lives), come with
// nothing; an A-number and a place in one message come with both buttons.
func TestPlaceWrittenInTheChat(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	code, anna, rep := annasChat(w, "place-chat")
	rs := to(rep.send("Мне позвонили, его перевели из Otay Mesa в Krome вчера вечером"), cwVol)
	set := hinted(t, rs, "btn.facility_set")
	if hint := w.cat.Render("en", rs[1].Texts...) + fmt.Sprint(buttonNames(rs[1])); !strings.Contains(hint, "Krome") || strings.Contains(hint, "Otay") {
		t.Errorf("the hint names another place than the one the person is held at now: %s", hint)
	}
	got := anna.press(set)
	if !has(to(got, cwVol), "tools.facility_set") || !has(to(got, cwReport), "notify.facility") {
		t.Fatalf("pressed: %v", describeAll(got))
	}
	if v := mustView(t, w, code); !strings.Contains(v.Facility.Name, "Krome") {
		t.Errorf("the case is held at %+v after the press, want Krome", v.Facility)
	}
	for _, typed := range []string{
		"он всё ещё в Krome, адвокат был у него",
		"я была в магазине, не видела звонка",
		"in the morning he called me",
		"мы живём в Майами",
		"в суде сказали ждать",
		"I was at the store, then went to the lawyer",
		"спасибо",
	} {
		if got := to(rep.send(typed), cwVol); len(got) != 1 || got[0].Copy == nil {
			t.Errorf("%q: the volunteer got %v", typed, describeAll(got))
		}
	}
	got = to(rep.send("Нашла бумаги: A 204-555-871, его везут в Adelanto"), cwVol)
	if len(got) != 2 || dataOf(got, "btn.a_number_set") == "" || dataOf(got, "btn.facility_set") == "" {
		t.Errorf("an A-number and a place in one message: %v", describeAll(got))
	}
}

// TestHearingWrittenInTheChat: the reporter writes to the volunteer that
// the court set a hearing ("суд назначили на 12 января"): under the copy,
// the volunteer gets the button that records it as the case's hearing
// date, with its reminders. A hearing gone by, a date that is no
// hearing's, or the date the case has, come with nothing.
func TestHearingWrittenInTheChat(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	code, anna, rep := annasChat(w, "hearing-chat")
	day := w.clock().AddDate(0, 0, 20)
	typed := fmt.Sprintf("Его перевели вчера. Адвокат сказал, суд назначили на %d.%02d, в 9 утра", day.Day(), day.Month())
	rs := to(rep.send(typed), cwVol)
	set := hinted(t, rs, "btn.hearing_set")
	if got := to(anna.press(set), cwVol); !has(got, "casework.date_set") {
		t.Fatalf("pressed: %v", describeAll(got))
	}
	if got, want := mustView(t, w, code).Hearing, day.Format(time.DateOnly); got != want {
		t.Errorf("the case's hearing is %q after the press, want %q", got, want)
	}
	for _, typed := range []string{
		fmt.Sprintf("да, суд %d.%02d, как я писала", day.Day(), day.Month()), // the date the case has
		"суд был вчера, ничего не решили",
		fmt.Sprintf("он звонил %d.%02d, сказал что всё нормально", day.Day(), day.Month()),
		fmt.Sprintf("судья сказал: ждать. Перезвоню %d.%02d", day.Day(), day.Month()),
	} {
		if got := to(rep.send(typed), cwVol); len(got) != 1 || got[0].Copy == nil {
			t.Errorf("%q: the volunteer got %v", typed, describeAll(got))
		}
	}

	// News of a transfer that names a new hearing: the owner gets the
	// hearing a press away with the news.
	anna.command("done", "")
	rep.received()
	later := day.AddDate(0, 0, 10)
	rep.command("news", "")
	rs = rep.send(fmt.Sprintf("его перевели в Krome, суд перенесли на %d.%02d", later.Day(), later.Month()))
	krome := placeButton(rs, "Krome")
	if krome == "" {
		t.Fatalf("news of a transfer: %v", describeAll(rs))
	}
	rs = to(rep.press(krome), cwVol)
	if !has(rs, "casework.news_owner", "tools.hearing_hint") || dataOf(rs, "btn.hearing_set") == "" {
		t.Fatalf("the owner got %v", describeAll(rs))
	}
	anna.press(dataOf(rs, "btn.hearing_set"))
	if got, want := mustView(t, w, code).Hearing, later.Format(time.DateOnly); got != want {
		t.Errorf("the case's hearing is %q after the press, want %q", got, want)
	}
}

// TestDeportationWrittenInTheChat: the reporter writes that a deportation
// has a date ("его депортируют 9.12"): the volunteer gets the button that
// records it as the case's deportation date, urgent within three days,
// with its reminders. A hearing and a deportation in one message come as
// two buttons; a deportation done offers nothing.
func TestDeportationWrittenInTheChat(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	code, anna, rep := annasChat(w, "deportation-chat")
	day := w.clock().AddDate(0, 0, 2)
	rs := to(rep.send(fmt.Sprintf("Офицер сказал, что его депортируют %d.%02d, рейсом из Луизианы", day.Day(), day.Month())), cwVol)
	set := hinted(t, rs, "btn.deportation_set")
	if dataOf(rs, "btn.hearing_set") != "" {
		t.Errorf("a deportation offered as a hearing too: %v", describeAll(rs))
	}
	if got := to(anna.press(set), cwVol); !has(got, "casework.date_set", "casework.now_urgent") {
		t.Fatalf("pressed: %v", describeAll(got))
	}
	v := mustView(t, w, code)
	if v.Deportation != day.Format(time.DateOnly) || !slices.Contains(v.Urgent, flows.UrgentDeportation) {
		t.Errorf("after the press: deportation %q, urgent %v; want %s, urgent", v.Deportation, v.Urgent, day.Format(time.DateOnly))
	}
	hearing, later := w.clock().AddDate(0, 0, 20), w.clock().AddDate(0, 0, 30)
	rs = to(rep.send(fmt.Sprintf("суд %d.%02d, а депортация назначена на %d.%02d", hearing.Day(), hearing.Month(), later.Day(), later.Month())), cwVol)
	if dataOf(rs, "btn.hearing_set") == "" || dataOf(rs, "btn.deportation_set") == "" {
		t.Errorf("a hearing and a deportation in one message: %v", describeAll(rs))
	}
	for _, typed := range []string{"его депортировали вчера, он уже в Москве",
		fmt.Sprintf("я вышла с отметки %d.%02d, всё хорошо", later.Day(), later.Month())} {
		if got := to(rep.send(typed), cwVol); len(got) != 1 {
			t.Errorf("%q: the volunteer got %v", typed, describeAll(got))
		}
	}
}

// TestNewsDatesReminders: the reporter says the person was moved to Krome
// and gives a deportation date two days away: the owner is told at once,
// the case becomes urgent and is on the board's dates filter; reminders
// fire once at 3 days and once at 1 day before. A date in the past is
// refused; news on an erased case is refused.
func TestNewsDatesReminders(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	code, anna, rep := annasCase(w, "news")

	rs := rep.command("news", "")
	if !has(rs, "casework.news_kind") {
		t.Fatalf("/news: %v", describeAll(rs))
	}
	rs = rep.press(buttonData(t, rs[0], "btn.news_moved"))
	if !has(rs, "casework.news_fac") {
		t.Fatalf("moved: %v", describeAll(rs))
	}
	rs = rep.send("krome")
	var krome string
	for _, row := range rs[0].Buttons {
		for _, b := range row {
			if strings.Contains(b.Label, "Krome") {
				krome = b.Data
			}
		}
	}
	if krome == "" {
		t.Fatalf("no Krome among %v", buttonNames(rs[0]))
	}
	rs = rep.press(krome)
	if !has(to(rs, cwReport), "casework.news_saved") {
		t.Fatalf("saved: %v", describeAll(rs))
	}
	if got := to(rs, cwVol); len(got) != 1 || describe(got[0]) != "casework.news_owner" ||
		!strings.Contains(w.cat.Render("en", got[0].Texts...), "Krome") {
		t.Errorf("the owner got %v", describeAll(got))
	}
	v := mustView(t, w, code)
	if !slices.Contains(v.Urgent, flows.UrgentTransfer) || !strings.Contains(v.Facility.Name, "Krome") {
		t.Errorf("after the transfer: urgent %v, facility %+v", v.Urgent, v.Facility)
	}

	// A deportation date in the past, then two days away.
	rs = rep.command("news", "")
	rs = rep.press(buttonData(t, rs[0], "btn.news_deportation"))
	past := w.clock().AddDate(0, 0, -2).Format("02.01.2006")
	if rs = rep.send(past); !has(rs, "casework.date_past") {
		t.Errorf("a past date: %v", describeAll(rs))
	}
	day := w.clock().AddDate(0, 0, 2)
	rs = rep.send(day.Format("02.01.2006"))
	if got := to(rs, cwVol); len(got) != 1 || describe(got[0]) != "casework.news_owner" {
		t.Errorf("the owner got %v", describeAll(got))
	}
	v = mustView(t, w, code)
	if v.Deportation != day.Format(time.DateOnly) || !slices.Contains(v.Urgent, flows.UrgentDeportation) {
		t.Errorf("deportation %q urgent %v", v.Deportation, v.Urgent)
	}
	rs = anna.press("cw.:b:dates::0")
	if !has(rs, "casework.board_page") || !strings.Contains(w.cat.Render("en", rs[0].Texts...), flows.FormatCode(code)) {
		t.Errorf("the dates filter: %v", describeAll(rs))
	}
	// Her own case says so on the board; it showed her Telegram ID.
	if line := w.cat.Render("en", rs[0].Texts...); !strings.Contains(line, "👤 you") {
		t.Errorf("the board does not show the case as hers:\n%s", line)
	}
	anna.received()

	reminders := func() int {
		n := 0
		for _, r := range w.caseTick() {
			if r.Texts[0].ID == "casework.remind" {
				if r.ChatID != cwVol {
					t.Errorf("reminder to %d, want the owner", r.ChatID)
				}
				n++
			}
		}
		return n
	}
	if n := reminders(); n != 1 {
		t.Errorf("3 days before: %d reminders, want 1", n)
	}
	if n := reminders(); n != 0 {
		t.Errorf("3 days before, again: %d reminders, want 0", n)
	}
	w.advance(24 * time.Hour)
	if n := reminders(); n != 1 {
		t.Errorf("1 day before: %d reminders, want 1", n)
	}
	w.advance(time.Hour)
	if n := reminders(); n != 0 {
		t.Errorf("1 day before, again: %d reminders, want 0", n)
	}

	// A volunteer's date in the past.
	if rs := anna.command("date", code+" hearing "+past); !has(rs, "casework.date_past") {
		t.Errorf("/date in the past: %v", describeAll(rs))
	}
	// "/date CODE" asks which date, "/date CODE суд" for the date, as the
	// card's button does; the date typed next is set (it went to nobody).
	if rs := anna.command("date", flows.FormatCode(code)); !has(rs, "casework.date_which") || len(rs[0].Buttons) != 3 {
		t.Errorf("/date CODE: %v", describeAll(rs))
	}
	if rs := anna.command("date", code+" суд"); !has(rs, "casework.date_ask") {
		t.Errorf("/date CODE суд: %v", describeAll(rs))
	}
	if rs := anna.send("20.12.2027"); !has(rs, "casework.date_set") || mustView(t, w, code).Hearing != "2027-12-20" {
		t.Errorf("the date typed after /date CODE суд: %v", describeAll(rs))
	}
	spaced := strings.Replace(flows.FormatCode(code), "-", " ", 1) // "K7M4 Q9XP"
	if rs := anna.command("date", spaced+" суд 21.12.2027"); !has(rs, "casework.date_set") || mustView(t, w, code).Hearing != "2027-12-21" {
		t.Errorf("/date with the code's halves apart: %v", describeAll(rs))
	}
	// "не знаю" takes the date away: said, and the case has none.
	if rs := anna.command("date", code+" суд не знаю"); !has(rs, "casework.date_cleared") || mustView(t, w, code).Hearing != "" {
		t.Errorf("/date CODE суд не знаю: %v, hearing %q", describeAll(rs), mustView(t, w, code).Hearing)
	}
	// After /forget, the case takes no news.
	rep.command("forget", "")
	rep.press("s.:fg:yes")
	// (/forget also unlinks the reporter from their cases: they have none.)
	if rs := rep.command("news", code); !has(rs, "casework.news_gone", "casework.news_none") {
		t.Errorf("news after /forget: %v", describeAll(rs))
	}
}

// TestCardButtons: the actions under an opened card follow what the
// member may do with the case.
func TestCardButtons(t *testing.T) {
	v := flows.CaseView{Code: "K7M4Q9XP", Status: flows.StatusNew}
	owned := v
	owned.Owner = 42
	tests := []struct {
		name string
		v    flows.CaseView
		acc  flows.CardAccess
		want []string
	}{
		{"untaken, a volunteer", v, flows.CardAccess{Member: 7, Take: true, Work: true},
			[]string{"btn.case_take", "btn.case_status", "btn.case_public", "btn.case_note", "btn.case_dates", "btn.case_write"}},
		{"a colleague's, a volunteer", owned, flows.CardAccess{Member: 7, Take: true}, nil},
		{"one's own", owned, flows.CardAccess{Member: 42, Take: true, Work: true, HandOver: true, View: true},
			[]string{"btn.case_status", "btn.case_public", "btn.case_note", "btn.case_dates", "btn.case_write", "btn.case_report", "btn.case_release", "btn.case_handover"}},
		{"a colleague's, a coordinator", owned, flows.CardAccess{Member: 7, Take: true, Work: true, HandOver: true, View: true},
			[]string{"btn.case_status", "btn.case_public", "btn.case_note", "btn.case_dates", "btn.case_write", "btn.case_report", "btn.case_handover"}},
	}
	for _, tt := range tests {
		got := buttonNames(flows.Reply{Buttons: flows.CardButtons(tt.v, tt.acc)})
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	texts, buttons := flows.Card(v, flows.CardAnnounce)
	if len(texts) != 1 || len(buttons) != 2 {
		t.Errorf("announcement card: %d texts, %d rows", len(texts), len(buttons))
	}
	if _, buttons := flows.Card(v, flows.CardOpen); buttons != nil {
		t.Errorf("an opened card carries buttons of its own: %v", buttons)
	}
}

// TestCardActions: "Open" shows the card with the member's actions;
// "Later" says the case stays on the board; "Talk to the
// reporter" opens /write.
func TestCardActions(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	_, code := w.confirm(cwReport, "open", 0)
	anna := w.person(cwVol, "en")
	anna.received()
	rs := anna.press("cw.:o:" + code)
	if got := buttonNames(to(rs, cwVol)[0]); !slices.Contains(got, "btn.case_take") || !slices.Contains(got, "btn.case_dates") {
		t.Errorf("open: %v", got)
	}
	rs = anna.press("cw.:l:" + code)
	// The announcement is not edited: it may carry other cases too.
	if r := to(rs, cwVol)[0]; r.Edit != 0 || !has(rs, "casework.later") {
		t.Errorf("later: %+v", describeAll(rs))
	}
	if rs := anna.press("cw.:w:" + code); !has(rs, "tools.write_opened") {
		t.Errorf("write: %v", describeAll(rs))
	}
	// A date from the card's buttons: which date, then the date typed.
	rs = anna.press("cw.:d:" + code)
	rs = anna.press(buttonData(t, to(rs, cwVol)[0], "casework.field.checkin"))
	if !has(rs, "casework.date_ask") {
		t.Fatalf("date button: %v", describeAll(rs))
	}
	// Its example is a date to come, whatever today is: typed as shown, it
	// is taken.
	example, _ := to(rs, cwVol)[0].Texts[0].Data["Example"].(string)
	if d, err := time.Parse("02.01.2006", example); err != nil || !d.After(testNow) {
		t.Errorf("the example %q is not a date to come", example)
	}
	soon := testNow.AddDate(0, 0, 20)
	if rs = anna.send(soon.Format("02.01.2006")); !has(rs, "casework.date_set") {
		t.Errorf("date typed: %v", describeAll(rs))
	}
	if v := mustView(t, w, code); v.CheckIn != soon.Format(time.DateOnly) {
		t.Errorf("check-in date %q", v.CheckIn)
	}
	// A stranger pressing a volunteer's button learns nothing.
	if rs := w.person(9999, "en").press("cw.:o:" + code); !has(rs, "button.old") || has(rs, "casework.card") {
		t.Errorf("a stranger opening a case: %v", describeAll(rs))
	}
}

// TestMergedCase: a case merged into another takes no news, no owner and
// is off the board.
func TestMergedCase(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	_, into := w.confirm(cwReport+1, "into", 0)
	_, code := w.confirm(cwReport, "merged", 0)
	if _, err := w.db.Exec(`UPDATE cases SET merged_into = (SELECT id FROM cases WHERE code = $2) WHERE code = $1`, code, into); err != nil {
		t.Fatal(err)
	}
	if rs := w.person(cwReport, "ru").command("news", code); !has(rs, "casework.news_gone") {
		t.Errorf("news on a merged case: %v", describeAll(rs))
	}
	if rs := w.person(cwVol, "en").command("take_case", code); !has(rs, "casework.merged") {
		t.Errorf("taking a merged case: %v", describeAll(rs))
	}
	rs := w.person(cwVol, "en").press("cw.:b:new::0")
	if text := w.cat.Render("en", to(rs, cwVol)[0].Texts...); strings.Contains(text, flows.FormatCode(code)) || !strings.Contains(text, flows.FormatCode(into)) {
		t.Errorf("the board shows the merged case or not the other:\n%s", text)
	}
}

// TestCaseTimersSurviveAFailedSend: a tick that claims an escalation and
// then cannot put its messages in the outbox (Redis away, the process
// killed) loses nothing: once the claim expires a later tick sends it,
// once, and counts it.
func TestCaseTimersSurviveAFailedSend(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	w.cfg.CaseEscalate, w.cfg.CaseEscalateUrgent = 30*time.Minute, 10*time.Minute
	w.app = mustNew(t, w.cfg, w.deps)
	_, code := w.confirm(cwReport, "lost", 0, "flight")
	w.mu.Lock()
	w.now = mustView(t, w, code).Created
	w.mu.Unlock()
	w.advance(10 * time.Minute)
	refused := 0
	err := w.app.CaseTick(context.Background(), func(context.Context, []flows.Reply) error {
		refused++
		return errors.New("outbox unreachable")
	})
	if err == nil || refused != 1 {
		t.Fatalf("a failed send: err %v, %d sends tried", err, refused)
	}
	if v := mustView(t, w, code); v.Escalations != 0 {
		t.Errorf("an escalation never sent was counted: %d", v.Escalations)
	}
	count := func() int {
		rs, err := tickCases(w.app)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range rs {
			if r.Texts[0].ID == "casework.escalated" && r.ChatID == cwCoord {
				n++
			}
		}
		return n
	}
	// Within the claim another tick leaves it alone (the first process may
	// still be sending); after it, the escalation goes out, once.
	if n := count(); n != 0 {
		t.Errorf("sent %d times within the claim", n)
	}
	w.advance(time.Minute + time.Second)
	if n := count(); n != 1 {
		t.Errorf("after the claim expired: sent %d times, want 1", n)
	}
	if n := count(); n != 0 {
		t.Errorf("sent again: %d", n)
	}
	if v := mustView(t, w, code); v.Escalations != 1 {
		t.Errorf("escalations = %d, want 1", v.Escalations)
	}
}

// The reporter answers the news questions in words: the caption of a
// button is its press, "отмена" cancels.
func TestNewsTypedCaptions(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	_, _, rep := annasCase(w, "news-typed") // Anna hears of the news

	if rs := rep.command("news", ""); !has(rs, "casework.news_kind") {
		t.Fatalf("/news: %v", describeAll(rs))
	}
	if rs := rep.send("дата суда"); !has(rs, "casework.news_date") {
		t.Fatalf("typed 'дата суда': %v", describeAll(rs))
	}
	// A word or two that name a kind whose caption says more ("Дата
	// депортации или слух о рейсе"): that kind, said back; they were sent
	// as the news itself.
	for _, typed := range []string{"суд", "дата депортации", "flight"} {
		rep.command("cancel", "")
		rep.command("news", "")
		rep.received()
		if rs := to(rep.send(typed), cwReport); len(rs) != 1 || describe(rs[0]) != "casework.news_read_as+casework.news_date" {
			t.Errorf("typed %q at the kind of news: %v", typed, describeAll(rs))
		}
	}
	if rs := rep.send("Отмена"); !has(rs, "casework.left") { // as /cancel: nothing saved
		t.Fatalf("typed 'Отмена': %v", describeAll(rs))
	}
	// "Оператор" where the news is asked for is a person, not the news
	// sent to the case's volunteer.
	rep.command("news", "")
	if rs := rep.send("Оператор"); !has(rs, "handoff.joined") || has(rs, "casework.news_saved") {
		t.Fatalf("typed 'Оператор' for the news: %v", describeAll(rs))
	}
	rep.press("h.l") // leaves the queue
	rep.command("news", "")
	rs := rep.send("освободили!")
	if !has(to(rs, cwReport), "casework.news_saved") {
		t.Fatalf("typed 'освободили': %v", describeAll(rs))
	}
	if got := to(rs, cwVol); len(got) != 1 || describe(got[0]) != "casework.news_owner" {
		t.Errorf("the owner got %v", describeAll(got))
	}

	// The news itself typed instead of its kind is the news, in words.
	rep.command("news", "")
	news := "Вчера звонил, говорит, что суд перенесли на март"
	rs = rep.send(news)
	if !has(to(rs, cwReport), "casework.news_saved") {
		t.Fatalf("typed news: %v", describeAll(rs))
	}
	got := to(rs, cwVol)
	if len(got) != 1 || describe(got[0]) != "casework.news_owner" || !strings.Contains(w.cat.Render("en", got[0].Texts...), news) {
		t.Errorf("the owner got %v", describeAll(got))
	}

	// "Первый" among the facilities shown is that facility.
	rs = rep.command("news", "")
	rs = rep.press(buttonData(t, rs[0], "btn.news_moved"))
	rs = rep.send("krome")
	first := rs[0].Buttons[0][0].Label
	rs = rep.send("первый")
	if got := to(rs, cwVol); !has(to(rs, cwReport), "casework.news_saved") || len(got) != 1 ||
		!strings.Contains(w.cat.Render("en", got[0].Texts...), "Krome") || !strings.Contains(first, "Krome") {
		t.Errorf("«первый» among the facilities: %v", describeAll(rs))
	}
}

// A case without a known lawyer says so — "none known", not "no": the
// reporter's answer is "no or I don't know", and the urgent path does not
// ask.
func TestCardLawyerNoneKnown(t *testing.T) {
	t.Parallel()
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	v := flows.CaseView{Code: "K7M4Q9XZ", Status: "received", Lang: "ru"}
	for lang, want := range map[string]string{"en": "Lawyer: none known", "ru": "Адвокат: нет сведений"} {
		texts, _ := flows.Card(v, flows.CardAnnounce)
		if got := cat.Render(lang, texts...); !strings.Contains(got, want) {
			t.Errorf("%s card:\n%s\nwant %q", lang, got, want)
		}
	}
	v.HasLawyer = true
	texts, _ := flows.Card(v, flows.CardAnnounce)
	if got := cat.Render("en", texts...); !strings.Contains(got, "Lawyer: yes") {
		t.Errorf("card with a lawyer:\n%s", got)
	}
}

// News a reporter types at the main menu ("его перевели в Техас") is not
// lost to the greeting: one button sends it as news of their case — the
// one whose status they just saw, or the one they choose. The case picked
// for /news may be typed as its code.
func TestNewsTypedAtTheMenu(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	_, first := w.confirm(cwReport, "news-menu-1", 0)
	_, second := w.confirm(cwReport, "news-menu-2", 0)
	anna := w.person(cwVol, "en")
	anna.command("take_case", second)
	anna.received()
	rep := w.person(cwReport, "ru")
	rep.received()

	// Two cases: the one to send it to is chosen.
	news := "его перевели в Техас, в Conroe"
	rs := rep.send(news)
	if !has(rs, "casework.news_offer") {
		t.Fatalf("news typed at the menu: %v", describeAll(rs))
	}
	send := buttonFor(rs, "btn.news_send", second)
	if send == "" {
		t.Fatalf("no button to send it to %s: %v", second, rs)
	}
	// It tells of a transfer: taken as one (the case becomes urgent), and
	// the place it names looked up. It was sent as words alone.
	rs = rep.press(send)
	if got := describeAll(to(rs, cwReport)); !slices.Equal(got, []string{"casework.news_read_as+update.moved_pick"}) {
		t.Fatalf("sent: %v, want the transfer's facility asked", got)
	}
	conroe := ""
	for _, row := range rs[0].Buttons {
		if strings.Contains(row[0].Label, "Conroe") {
			conroe = row[0].Data
		}
	}
	if conroe == "" {
		t.Fatalf("Conroe not offered: %+v", rs[0].Buttons)
	}
	if rs = rep.press(conroe); !has(to(rs, cwReport), "casework.news_saved") {
		t.Fatalf("Conroe pressed: %v", describeAll(rs))
	}
	if got := to(rs, cwVol); len(got) != 1 || !strings.Contains(w.cat.Render("en", got[0].Texts...), news) ||
		!strings.Contains(w.cat.Render("en", got[0].Texts...), "Conroe") {
		t.Errorf("the owner got %v: %s", describeAll(got), w.cat.Render("en", got[0].Texts...))
	}
	if v := mustView(t, w, second); !slices.Contains(v.Urgent, flows.UrgentTransfer) {
		t.Errorf("case after the transfer: %+v, want urgent", v.Urgent)
	}
	// The button works once.
	if rs := rep.press(send); has(rs, "casework.news_saved") || has(rs, "update.moved_pick") {
		t.Errorf("the same news sent twice: %v", describeAll(rs))
	}
	// No place after the verb: the facility is asked.
	rep.command("news", "")
	rep.send(strings.ToLower(second))
	rs = to(rep.send("перевели. Суд 5 мая"), cwReport)
	if got := describeAll(rs); !slices.Equal(got, []string{"casework.news_read_as+casework.news_fac"}) {
		t.Errorf("a transfer with no place: %v", got)
	}
	rep.press(dataOf(rs, "btn.update_cancel"))

	// After the status of one case, the offer is for that case alone, a
	// report of someone else and a volunteer below it: a reporter's words
	// of another detention had only the menu.
	rep.command("check", first)
	rs = rep.send("суд перенесли на март")
	if got := buttonNames(rs[len(rs)-1]); !has(rs, "casework.news_offer") || !has(rs, "menu.report_other") ||
		!slices.Equal(got[1:], []string{"btn.menu_report", "btn.menu_volunteer", "btn.menu"}) || got[0] == "btn.news_pick" {
		t.Errorf("after the status of %s: %v, buttons %v", first, describeAll(rs), got)
	}
	// "Да" typed to that one offer sends it, where the menu greeted.
	if rs := rep.send("да"); !has(to(rs, cwReport), "casework.news_saved") {
		t.Errorf("«да» to the news offered: %v", describeAll(rs))
	}

	// Words that read like a new report, from a reporter, are most likely
	// news: that is offered first, a report for someone else second. They
	// were first told it sounded like someone had been detained.
	rs = rep.send("мужа депортировали вчера")
	if !slices.Contains(describeAll(rs), "casework.news_offer+menu.report_other") || dataOf(rs, "btn.news_send") == "" ||
		dataOf(rs, "btn.menu_report") == "" || buttonNames(rs[0])[0] != "btn.news_send" {
		t.Errorf("a deportation told at the menu: %v %v", describeAll(rs), buttonNames(rs[0]))
	}

	// With an A-number none of their cases has, it is someone else: the
	// report first, no news offered. With their case's, its news.
	rs = rep.send("Мужа Ивана Петрова A 987-654-321 задержали вчера")
	if has(rs, "casework.news_offer") || dataOf(rs, "btn.menu_report") == "" {
		t.Errorf("a detention with another A-number: %v", describeAll(rs))
	}
	rs = rep.send("Брата A012345678 задержали снова")
	if !has(rs, "casework.news_offer") {
		t.Errorf("a detention with their case's A-number: %v", describeAll(rs))
	}
	// So with a person named whom none of their cases is; with their
	// case's name, in either alphabet, its news.
	for _, other := range []string{"Моего брата задержали вчера, его зовут Дмитрий Волков", "My brother Ahmed Karimov was detained yesterday at his check-in"} {
		if rs := rep.send(other); has(rs, "casework.news_offer") || dataOf(rs, "btn.menu_report") == "" {
			t.Errorf("%q, a detention of someone else named: %v", other, describeAll(rs))
		}
	}
	for _, named := range []string{"Мужа депортировали вчера, его зовут Сергей Иванов", "Мужа депортировали вчера, his name is Sergei Ivanov", "Мой муж Сергей Иванов депортирован вчера"} {
		if rs := rep.send(named); !has(rs, "casework.news_offer") {
			t.Errorf("%q: %v", named, describeAll(rs))
		}
	}

	// /news with two cases: the code typed picks the case.
	if rs := rep.command("news", ""); !has(rs, "casework.news_pick") {
		t.Fatalf("/news: %v", describeAll(rs))
	}
	if rs := rep.send(strings.ToLower(first)); !has(rs, "casework.news_kind") {
		t.Errorf("the code typed at the choice of case: %v", describeAll(rs))
	}
	// The news typed before the case is chosen goes to the case chosen.
	rep.command("news", "")
	rs = rep.send("назначили суд на 20 января")
	if !has(rs, "casework.news_pick") || dataOf(rs, "btn.mycase") == "" {
		t.Fatalf("news typed at the choice of case: %v", describeAll(rs))
	}
	rs = rep.press(buttonFor(rs, "btn.mycase", second))
	if got := to(rs, cwVol); !has(to(rs, cwReport), "casework.news_saved") || len(got) != 1 ||
		!strings.Contains(w.cat.Render("en", got[0].Texts...), "назначили суд на 20 января") {
		t.Errorf("the news typed first, sent on the choice: %v", describeAll(rs))
	}

	// A hello is answered with the greeting, for one who reported with
	// where their cases stand.
	if rs := rep.send("Добрый день!"); has(rs, "casework.news_offer") || !has(rs, "menu.greeting_back") {
		t.Errorf("a hello from a reporter: %v", describeAll(rs))
	}

	// Someone without a case gets no such offer.
	other := w.person(cwReport+77, "ru")
	if rs := other.send("его перевели в Техас"); has(rs, "casework.news_offer") {
		t.Errorf("offered without a case: %v", describeAll(rs))
	}
}

// buttonFor is the data of the button with text id for the case code in
// rs, "" when there is none.
func buttonFor(rs []flows.Reply, id, code string) string {
	for _, r := range rs {
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Text.ID == id && b.Text.Data["Code"] == flows.FormatCode(code) {
					return b.Data
				}
			}
		}
	}
	return ""
}

// TestTakenCaseOffersTheReport: the volunteer who takes a case gets, under
// its card, the button to the report in full — the name, the A-number and
// the birth date the ICE locator needs — which a card opened before taking
// it does not offer; a coordinator has it on any case.
func TestTakenCaseOffersTheReport(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	_, code := w.confirm(cwReport, "full-report", 0)
	anna, vera := w.person(cwVol, "en"), w.person(cwCoord, "ru")
	anna.received()
	vera.received()
	if got := buttonNames(to(anna.press("cw.:o:"+code), cwVol)[0]); slices.Contains(got, "btn.case_report") {
		t.Errorf("an untaken case's card offers its personal data to a volunteer: %v", got)
	}
	if got := buttonNames(to(vera.press("cw.:o:"+code), cwCoord)[0]); !slices.Contains(got, "btn.case_report") {
		t.Errorf("a coordinator's card: %v", got)
	}
	card := to(anna.press("cw.:t:"+code), cwVol)[0]
	rs := to(anna.press(buttonData(t, card, "btn.case_report")), cwVol)
	if len(rs) == 0 || !has(rs, "handoff.case") || !rs[0].Protect {
		t.Fatalf("the report button: %v", describeAll(rs))
	}
	got := w.cat.Render("en", rs[0].Texts[0])
	for _, want := range []string{"Ivanov Sergey", "A012-345-678", "April 2, 1987"} {
		if !strings.Contains(got, want) {
			t.Errorf("the report lacks %q:\n%s", want, got)
		}
	}
}

// TestNewsAskedAtTheMenu: a reporter who asks "есть новости?" days later
// gets where their cases stand and the way to a volunteer, who will see
// the question; with or without the question mark, in both languages.
// Someone without a case gets the usual answer to a question, and news
// told in words is still offered as news.
func TestNewsAskedAtTheMenu(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	_, code := w.confirm(cwReport, "news-asked", 0)
	rep := w.person(cwReport, "ru")
	rep.received()
	for _, asked := range []string{"Есть новости?", "есть новости", "Ну как там мой брат? Что-то слышно?", "any news?", "Any update"} {
		rs := to(rep.send(asked), cwReport)
		if len(rs) != 1 || !has(rs, "menu.news_question") || !has(rs, "mycases.list") {
			t.Errorf("%q: %v", asked, describeAll(rs))
			continue
		}
		if got := buttonNames(rs[0]); !slices.Contains(got, "btn.menu_volunteer") || got[len(got)-1] != "btn.menu" {
			t.Errorf("%q: buttons %v", asked, got)
		}
		if !strings.Contains(w.cat.Render("ru", rs[0].Texts...), flows.FormatCode(code)) {
			t.Errorf("%q: the case is not named", asked)
		}
	}
	// A case named: that case's status. (A code of letters alone is not
	// read in a sentence, lest words be taken for codes: not this row.)
	named := "есть новости по делу " + flows.FormatCode(code) + "?"
	if _, ok := flows.FindCode(named); ok {
		if rs := rep.send(named); !has(rs, "check.header") {
			t.Errorf("news of a case named: %v", describeAll(rs))
		}
	}
	if rs := rep.send("Новость: депортировали"); !has(rs, "casework.news_offer") {
		t.Errorf("news said with the word 'news': %v", describeAll(rs))
	}
	if rs := rep.send("его перевели в Техас"); !has(rs, "casework.news_offer") {
		t.Errorf("news in words: %v", describeAll(rs))
	}
	stranger := w.person(7099, "ru")
	if rs := stranger.send("есть новости?"); !has(rs, "menu.question") {
		t.Errorf("someone without a case: %v", describeAll(rs))
	}
	// Any other question from a reporter is most likely about their case:
	// where it stands, the volunteer and the useful information, where it
	// was "I am a bot" alone.
	rs := to(rep.send("Что нам делать дальше?"), cwReport)
	if len(rs) != 1 || !has(rs, "menu.news_question") || !slices.Contains(buttonNames(rs[0]), "btn.menu_volunteer") ||
		!slices.Contains(buttonNames(rs[0]), "btn.menu_info") {
		t.Errorf("a reporter's question: %v %v", describeAll(rs), buttonNames(rs[len(rs)-1]))
	}
	if rs := stranger.send("Что нам делать дальше?"); !has(rs, "menu.question") {
		t.Errorf("the same question from someone without a case: %v", describeAll(rs))
	}
	// A friend who follows the case is told where it stands; one who has
	// only looked it up, its status again (it was "I am a bot").
	friend := w.person(7097, "en")
	friend.command("check", code)
	if rs = to(friend.send("any news?"), 7097); len(rs) != 1 || !has(rs, "check.header") {
		t.Errorf("a question after looking the case up: %v", describeAll(rs))
	}
	friend.press("s.:" + "sub:" + code)
	rs = to(friend.send("any news?"), 7097)
	if len(rs) != 1 || !has(rs, "menu.news_question_followed") || !has(rs, "mycases.followed") {
		t.Fatalf("a friend's question: %v", describeAll(rs))
	}
	if got := w.cat.Render("en", rs[0].Texts...); !strings.Contains(got, flows.FormatCode(code)) {
		t.Errorf("the followed case is not named:\n%s", got)
	}
	if got := buttonNames(rs[0]); slices.Contains(got, "btn.mycase_news") || !slices.Contains(got, "btn.menu_volunteer") {
		t.Errorf("a friend's buttons: %v", got)
	}
	// What the friend says of the case goes to a volunteer a button away
	// (it got the greeting); a stranger's get what the locator shows and
	// the offer to report (they got the greeting too).
	rs = to(friend.send("he is not answering his phone"), 7097)
	if len(rs) != 1 || describe(rs[0]) != "menu.follower_said" || !slices.Contains(buttonNames(rs[0]), "btn.menu_volunteer") {
		t.Errorf("a friend's words: %v", describeAll(rs))
	}
	if rs := stranger.send("he is not answering his phone"); !has(rs, "menu.lost_contact") {
		t.Errorf("a stranger's words: %v", describeAll(rs))
	}
}

// TestComingDatesReadTwoWays: a date to come typed outside the report — a
// volunteer's deportation date, a reporter's news of a flight, /date — that
// reads two ways (03/04) is asked again with both readings rather than
// taken as one; a date completed from words ("next friday") is said back.
func TestComingDatesReadTwoWays(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	code, anna, rep := annasCase(w, "two-ways")

	rs := anna.command("status", code)
	rs = anna.press(buttonData(t, to(rs, cwVol)[0], "status.name.deportation_scheduled"))
	if !has(rs, "update.dep_date") {
		t.Fatalf("deportation: %v", describeAll(rs))
	}
	if rs = anna.send("03/04"); !has(rs, "date.two_ways") || !has(rs, "update.dep_date") {
		t.Errorf("03/04 at the deportation date: %v", describeAll(rs))
	}
	if got := w.cat.Render("en", to(rs, cwVol)[0].Texts...); !strings.Contains(got, "March 4") || !strings.Contains(got, "April 3") {
		t.Errorf("both readings not named:\n%s", got)
	}
	if rs = anna.send("next friday"); !has(rs, "date.understood") || !has(rs, "update.public_note") {
		t.Errorf("next friday: %v", describeAll(rs))
	}
	anna.press(buttonData(t, to(rs, cwVol)[0], "btn.update_cancel"))

	rs = rep.command("news", "")
	rs = rep.press(buttonData(t, rs[0], "btn.news_deportation"))
	if rs = rep.send("05/06"); !has(rs, "date.two_ways") || has(rs, "casework.news_saved") {
		t.Errorf("05/06 as news: %v", describeAll(rs))
	}
	if rs = rep.send("5 июня"); !has(rs, "casework.news_saved") || !has(rs, "date.understood") {
		t.Errorf("5 июня as news: %v", describeAll(rs))
	}

	if rs = anna.command("date", code+" hearing 03/04"); !has(rs, "date.two_ways") || has(rs, "casework.date_set") {
		t.Errorf("/date with 03/04: %v", describeAll(rs))
	}
}

// TestStatusTypedInWords: at the status question a volunteer types the
// status in words; the one status a word names is taken and said back,
// and what follows answers the next question — the deportation's date,
// the new facility. Words naming no status get the buttons again.
func TestStatusTypedInWords(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	_, code := w.confirm(cwReport, "status-words", 0)
	anna, vera := w.person(cwVol, "en"), w.person(cwCoord, "ru")
	anna.command("take_case", code)
	anna.received()
	pick := func(p *hperson, typed string) []flows.Reply {
		t.Helper()
		if rs := p.command("status", code); !has(rs, "update.pick") {
			t.Fatalf("/status: %v", describeAll(rs))
		}
		return to(p.send(typed), p.id)
	}
	cancel := func(p *hperson, rs []flows.Reply) {
		t.Helper()
		p.press(buttonData(t, rs[len(rs)-1], "btn.update_cancel"))
	}

	rs := pick(anna, "deportation scheduled for next friday")
	if !has(rs, "update.read_as") || !has(rs, "date.understood") || !has(rs, "update.public_note") {
		t.Errorf("deportation with its date: %v", describeAll(rs))
	}
	cancel(anna, rs)
	if rs = pick(anna, "deportation scheduled 03/04"); !has(rs, "date.two_ways") || !has(rs, "update.dep_date") {
		t.Errorf("deportation with a date that reads two ways: %v", describeAll(rs))
	}
	cancel(anna, rs)
	rs = pick(anna, "moved to Krome")
	if !has(rs, "update.read_as") || !has(rs, "update.moved_pick") {
		t.Errorf("moved with the facility: %v", describeAll(rs))
	}
	cancel(anna, rs)
	rs = pick(anna, "he was released today")
	if !has(rs, "update.read_as") || !has(rs, "update.public_note") {
		t.Errorf("released in a sentence: %v", describeAll(rs))
	}
	if got := w.cat.Render("en", rs[0].Texts...); !strings.Contains(got, "Released") {
		t.Errorf("the status is not said back:\n%s", got)
	}
	cancel(anna, rs)
	rs = pick(vera, "депортацию назначили")
	if !has(rs, "update.read_as") || !has(rs, "update.dep_date") {
		t.Errorf("депортация: %v", describeAll(rs))
	}
	cancel(vera, rs)
	for typed, want := range map[string]string{"освободили сегодня": "update.public_note",
		"его перевели в Krome": "update.moved_pick", "депортировали вчера": "update.public_note"} {
		rs = pick(vera, typed)
		if !has(rs, "update.read_as") || !has(rs, want) {
			t.Errorf("%q: %v", typed, describeAll(rs))
		}
		cancel(vera, rs)
	}
	// What is yet to happen: a deportation to come is scheduled, not
	// done (it was "Deported", and the family told so); a release or a
	// lawyer to come is no status yet.
	rs = pick(anna, "he will be deported on friday")
	if !has(rs, "update.read_as") || !has(rs, "date.understood") ||
		!strings.Contains(w.cat.Render("en", rs[0].Texts...), "Deportation scheduled") {
		t.Errorf("a deportation to come: %v %s", describeAll(rs), w.cat.Render("en", rs[0].Texts...))
	}
	cancel(anna, rs)
	for _, typed := range []string{"lawyer is being arranged", "will be released tomorrow", "его скоро отпустят",
		"депортируют в пятницу"} {
		p := anna
		if typed[0] > 127 {
			p = vera
		}
		rs = pick(p, typed)
		if typed == "депортируют в пятницу" {
			if !strings.Contains(w.cat.Render("ru", rs[0].Texts...), "Назначена депортация") {
				t.Errorf("%q: %v %s", typed, describeAll(rs), w.cat.Render("ru", rs[0].Texts...))
			}
		} else if !has(rs, "input.use_buttons") {
			t.Errorf("%q, yet to happen: %v %s", typed, describeAll(rs), w.cat.Render("en", rs[0].Texts...))
		}
		cancel(p, rs)
	}
	// Russian typed by a volunteer whose captions are English.
	for typed, want := range map[string]string{"депортация назначена на пятницу": "Deportation scheduled",
		"переведён в Krome": "Moved to another facility"} {
		rs = pick(anna, typed)
		if got := w.cat.Render("en", rs[0].Texts...); !has(rs, "update.read_as") || !strings.Contains(got, want) {
			t.Errorf("%q to a volunteer in English: %v %s", typed, describeAll(rs), got)
		}
		cancel(anna, rs)
	}
	if rs = pick(anna, "flight on friday"); !has(rs, "input.use_buttons") {
		t.Errorf("no status named: %v", describeAll(rs))
	}
	cancel(anna, rs)

	// The words typed after the code of /status answer its question: the
	// code was read whole and refused ("no case with this code").
	for typed, want := range map[string]string{
		flows.FormatCode(code) + " released":     "update.public_note",
		code + " transferred to Krome":           "update.moved_pick",
		code + " deported":                       "update.public_note",
		flows.FormatCode(code) + " депортирован": "update.public_note",
		code + " освобождён":                     "update.public_note", // as the usage shows it
	} {
		rs = to(anna.command("status", typed), cwVol)
		if has(rs, "update.not_found") || !has(rs, want) || has(rs, "update.pick") {
			t.Errorf("/status %s: %v, want %s without the question", typed, describeAll(rs), want)
		}
		cancel(anna, rs)
	}
	if rs = to(anna.command("status", code+" soon"), cwVol); !has(rs, "input.use_buttons") || !has(rs, "update.pick") {
		t.Errorf("/status with words that name no status: %v", describeAll(rs))
	}
}

// TestCodeTypedByAMember: a volunteer who types or pastes a case's code at
// the menu gets its card with the actions, as "Open" gives; a friend gets
// its status.
func TestCodeTypedByAMember(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	_, code := w.confirm(cwReport, "typed-code", 0)
	anna := w.person(cwVol, "en")
	anna.received()
	rs := to(anna.send(flows.FormatCode(code)), cwVol)
	if len(rs) != 1 || !slices.Contains(buttonNames(rs[0]), "btn.case_take") {
		t.Errorf("a volunteer's typed code: %v %v", describeAll(rs), buttonNames(rs[0]))
	}
	if rs := w.person(7096, "en").send(flows.FormatCode(code)); !has(rs, "check.header") {
		t.Errorf("a friend's typed code: %v", describeAll(rs))
	}
}

// TestAnnouncementCountsFiles: a report with photos of papers is announced
// with how many files came, in each volunteer's language and with the
// Russian plural; a report without files says nothing of them.
func TestAnnouncementCountsFiles(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	file := func(reporter int64, draft string, files []int) map[int64][]flows.Reply {
		t.Helper()
		r := *fullCase()
		r.DraftID, r.Consent = draft, true
		r.Facts.Files = files
		s := &flows.Session{ChatID: reporter, Lang: "ru", Flow: "report", Step: "review", Nonce: "n" + draft,
			Draft: r, Updated: w.clock()}
		if err := w.sessions.Put(context.Background(), s); err != nil {
			t.Fatal(err)
		}
		rs := w.person(reporter, "ru").do(flows.Input{Kind: flows.KindButton, Data: "n" + draft + ":review:ok"})
		code, _ := textData(rs[0], "report.done", "Code").(string)
		return announced(rs, strings.ReplaceAll(code, "-", ""))
	}
	got := file(cwReport, "f1", []int{31, 32, 33})
	if len(got[cwVol]) != 1 || len(got[cwCoord]) != 1 {
		t.Fatalf("announced to %v", keys(got))
	}
	if card := w.cat.Render("en", got[cwVol][0].Texts...); !strings.Contains(card, "📎 The reporter sent 3 files") {
		t.Errorf("the volunteer's card does not count the files:\n%s", card)
	}
	if card := w.cat.Render("ru", got[cwCoord][0].Texts...); !strings.Contains(card, "📎 Заявитель прислал 3 файла") {
		t.Errorf("the coordinator's card does not count the files:\n%s", card)
	}
	got = file(cwReport+1, "f2", []int{41, 42, 43, 44, 45})
	if card := w.cat.Render("ru", got[cwCoord][0].Texts...); !strings.Contains(card, "прислал 5 файлов") {
		t.Errorf("five files in Russian:\n%s", card)
	}
	got = file(cwReport+2, "f3", nil)
	if card := w.cat.Render("en", got[cwVol][0].Texts...); strings.Contains(card, "📎") {
		t.Errorf("a card without files speaks of files:\n%s", card)
	}
}

// TestTalkRequestReachesTheOwner: the reporter of a case a volunteer owns
// asks for a volunteer. The owner, who knows the case, is asked first, on
// duty or not, with the button that takes that chat, and the reporter is
// told so; the others on duty get the usual notice, the owner not twice.
func TestTalkRequestReachesTheOwner(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	code, anna, rep := annasCase(w, "d1")
	anna.command("duty", "off")
	anna.received()
	boris := w.person(cwOffDuty, "en")
	boris.command("duty", "on")
	boris.received()

	rep.press("m:volunteer")
	if rs := rep.received(); !has(rs, "handoff.owner_told") || !has(rs, "handoff.joined") || has(rs, "handoff.nobody_on_duty") {
		t.Errorf("the reporter is told %v, want the queue and that the case's volunteer knows", describeAll(rs))
	}
	rs := anna.received()
	if len(rs) != 1 || !has(rs, "handoff.notify_owner") {
		t.Fatalf("the owner, off duty, got %v; want the one request of her case's reporter", describeAll(rs))
	}
	if got := w.cat.Render("en", rs[0].Texts...); !strings.Contains(got, "your case "+flows.FormatCode(code)) {
		t.Errorf("the owner's notice does not name the case:\n%s", got)
	}
	if got := boris.received(); len(got) != 1 || !has(got, "handoff.notify_new") {
		t.Errorf("the volunteer on duty got %v, want the usual notice", describeAll(got))
	}

	// Her button takes that chat: what she writes reaches the reporter.
	anna.press(buttonData(t, rs[0], "btn.handoff_take"))
	anna.received()
	rep.received()
	anna.send("Здравствуйте, это Анна, я веду ваше дело")
	if got := rep.received(); len(got) != 1 || got[0].Copy == nil || got[0].Copy.FromChatID != cwVol {
		t.Errorf("the reporter got %v after the owner took the chat", describeAll(got))
	}

	// On duty, the owner gets the owner's notice only.
	anna.command("done", "")
	anna.received()
	rep.received()
	anna.command("duty", "on")
	anna.received()
	rep.press("m:volunteer")
	rep.received()
	if rs := anna.received(); len(rs) != 1 || !has(rs, "handoff.notify_owner") {
		t.Errorf("the owner on duty got %v, want her case's request once", describeAll(rs))
	}
}

// TestThanksIsNotACode: a reporter thanks the bot after their news, in
// words that happen to hold eight code letters ("ok thanks") or with an
// "ok" before: it is a thank-you, not a case code looked up and not found,
// nor news offered to send.
func TestThanksIsNotACode(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	_, _, rep := annasCase(w, "thanks")
	for _, said := range []string{"ok thanks", "OK, thanks!", "Хорошо, спасибо", "got it, thank you", "ок спасибо большое",
		"Спасибо вам большое!", "Огромное спасибо за помощь", "Thank you very much"} {
		if rs := to(rep.send(said), cwReport); len(rs) != 1 || !has(rs, "menu.thanks") {
			t.Errorf("%q: %v, want the thank-you answered", said, describeAll(rs))
		}
	}
	// A code typed with its space or dash is still looked up.
	if rs := to(rep.send("k7m4 q9xp"), cwReport); !has(rs, "check.not_found") {
		t.Errorf("a code typed in two groups: %v", describeAll(rs))
	}
}

// TestWordIsNotACode: "detained", "deported", "tomorrow" are eight letters
// of the code alphabet (I and L read as 1, O as 0). Typed at the menu they
// are words — the report offered, the menu — not "no case with this code";
// a code of letters alone that a case has still opens it. A reporter's one
// word that says what happened ("released") is offered as news.
func TestWordIsNotACode(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	friend := w.person(8001, "en")
	for said, want := range map[string]string{"detained": "menu.report_offer", "Deported": "menu.report_offer", "tomorrow": "menu.greeting"} {
		if rs := friend.send(said); has(rs, "check.not_found") || !has(rs, want) {
			t.Errorf("%q: %v, want %s", said, describeAll(rs), want)
		}
	}
	// A case whose code has no digit.
	code, _, _ := annasCase(w, "letters")
	if _, err := w.db.Exec(`UPDATE cases SET code = 'QTQGMWGQ' WHERE code = $1`, code); err != nil {
		t.Fatal(err)
	}
	if rs := friend.send("qtqg-mwgq"); !has(rs, "check.header") {
		t.Errorf("a code of letters alone: %v", describeAll(rs))
	}
	// A reporter's one word that says what happened is news to send.
	rep := w.person(cwReport, "ru")
	rep.received()
	for _, said := range []string{"released", "Освободили!", "депортировали"} {
		if rs := to(rep.send(said), cwReport); !has(rs, "casework.news_offer") {
			t.Errorf("the reporter's %q: %v, want news offered", said, describeAll(rs))
		}
	}
	// A mistyped code with a digit is still "not found".
	if rs := friend.send("QTQG-MWG9"); !has(rs, "check.not_found") {
		t.Errorf("a mistyped code: %v", describeAll(rs))
	}
}

// TestForgetAskedInWords: "удалите мои данные", "please delete my data",
// "отменить сообщение" typed at the menu get /forget's question (the right the consent
// promised, found without the command), where they were offered as news;
// news that ICE deleted something does not.
func TestForgetAskedInWords(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	_, _, rep := annasCase(w, "forget-words")
	for _, said := range []string{"удалите мои данные", "Please delete my data!", "мои данные удалить", "forget me", "удалить заявку",
		// A report taken back.
		"я хочу отменить сообщение", "cancel my report", "withdraw my report"} {
		rs := to(rep.send(said), cwReport)
		if !has(rs, "forget.ask") || has(rs, "casework.news_offer") {
			t.Errorf("%q: %v, want /forget's question", said, describeAll(rs))
		}
	}
	for _, said := range []string{"ICE удалил его данные", "данные удалены из системы ICE", "суд отменил заседание"} {
		if rs := to(rep.send(said), cwReport); has(rs, "forget.ask") {
			t.Errorf("%q, news of ICE: asked to erase the reporter's data", said)
		}
	}
	// Nothing is erased until the button is pressed.
	if rs := rep.command("mycases", ""); !has(rs, "mycases.list") {
		t.Errorf("the reporter's cases after the question: %v", describeAll(rs))
	}
}

// TestCheckWithoutACode: someone asked for a case code who answers in words
// ("I don't have the code") is told where a code is found and gets the
// menu, where "not found" was said again and again; a mistyped code is
// still "not found", the question standing.
func TestCheckWithoutACode(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	fr := w.person(8001, "en")
	fr.command("start", "")
	for _, said := range []string{"i dont have the code", "у меня нет кода", "I don't know where to find it"} {
		if rs := fr.press("m:check"); !has(rs, "check.ask") {
			t.Fatalf("check: %v", describeAll(rs))
		}
		rs := fr.send(said)
		if !has(rs, "check.no_code") || has(rs, "check.not_found") || !slices.Contains(buttonNames(rs[0]), "btn.menu_report") {
			t.Errorf("%q: %v, want where to find a code, and the menu", said, describeAll(rs))
		}
	}
	fr.press("m:check")
	for _, typo := range []string{"K7M4 Q9XP", "ABCD"} {
		if rs := fr.send(typo); !has(rs, "check.not_found") {
			t.Errorf("%q: %v, want not found", typo, describeAll(rs))
		}
	}
}

// TestNewsTransferInWords: "его перевели" typed at "what happened?" is a
// transfer — the case marked urgent, the place asked — where it was filed
// as words, without the urgency; "не знаю куда" at the place question is
// news all the same, and the "not known yet" the question's text promises
// is a button there.
func TestNewsTransferInWords(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	code, _, rep := annasCase(w, "moved-words")
	rep.command("news", "")
	rs := to(rep.send("его перевели"), cwReport)
	if !has(rs, "casework.news_read_as") || !has(rs, "casework.news_fac") ||
		!slices.Contains(buttonNames(rs[len(rs)-1]), "btn.facility_unknown") {
		t.Fatalf("a transfer in words: %v %v", describeAll(rs), buttonNames(rs[len(rs)-1]))
	}
	if rs := to(rep.send("в какой-то центр zzqx"), cwReport); !slices.Contains(buttonNames(rs[len(rs)-1]), "btn.facility_unknown") {
		t.Errorf("a search that finds nothing offers no 'not known yet': %v", buttonNames(rs[len(rs)-1]))
	}
	rs = rep.send("не знаю куда")
	if !has(to(rs, cwReport), "casework.news_saved") || !has(to(rs, cwVol), "casework.news_owner") {
		t.Fatalf("moved, place unknown: %v", describeAll(rs))
	}
	if v := mustView(t, w, code); !slices.Contains(v.Urgent, flows.UrgentTransfer) {
		t.Errorf("after a transfer in words the case is not urgent: %v", v.Urgent)
	}
	// "Not moved" is words, not a transfer.
	rep.command("news", "")
	if rs := to(rep.send("его не перевели, всё там же"), cwReport); !has(rs, "casework.news_saved") {
		t.Errorf("a denied transfer: %v", describeAll(rs))
	}
	// Who was moved is not the place looked for: "moved him to Krome"
	// looked for "him to Krome".
	for _, said := range []string{"they moved him to Krome", "перевели мужа в Krome"} {
		rs := to(rep.send(said), cwReport)
		if len(rs) == 0 || !has(rs, "casework.news_offer") {
			t.Fatalf("%q at the menu: %v", said, describeAll(rs))
		}
		rs = to(rep.press(buttonData(t, rs[len(rs)-1], "btn.news_send")), cwReport)
		if got := textData(rs[len(rs)-1], "update.moved_pick", "Query"); got != "Krome" {
			t.Errorf("%q: looked for %q, want Krome (%v)", said, got, describeAll(rs))
		}
		rep.command("cancel", "")
	}
}

// TestMemberToldTheRoleACommandNeeds: a volunteer who sends a
// coordinator's or an admin's command is told which role it needs, in
// their language, not that the command does not exist; someone who is not
// a member still gets "I don't know that command", so the bot does not say
// to strangers which commands it has. A member's mistyped command points
// to their /help.
func TestMemberToldTheRoleACommandNeeds(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	anna, vera := w.person(cwVol, "en"), w.person(cwCoord, "ru")
	for _, c := range []struct {
		who        *hperson
		lang, cmd  string
		role, mine string
	}{
		{anna, "en", "merge", "“coordinator”", "“volunteer”"},
		{anna, "en", "stats", "“coordinator”", "“volunteer”"},
		{anna, "en", "audit", "“admin”", "“volunteer”"},
		{vera, "ru", "volunteers", "«администратор»", "«координатор»"},
	} {
		rs := to(c.who.command(c.cmd, ""), c.who.id)
		if len(rs) != 1 || describe(rs[0]) != "command.role_needed" {
			t.Errorf("/%s from a %s: %v", c.cmd, c.mine, describeAll(rs))
			continue
		}
		text := w.cat.Render(c.lang, rs[0].Texts...)
		if !strings.Contains(text, "/"+c.cmd) || !strings.Contains(text, c.role) || !strings.Contains(text, c.mine) {
			t.Errorf("/%s from a %s: %q", c.cmd, c.mine, text)
		}
	}
	if rs := w.person(7095, "en").command("merge", ""); !has(rs, "command.unknown") || has(rs, "command.role_needed") {
		t.Errorf("/merge from someone who is not a member: %v", describeAll(rs))
	}

	// A mistyped command: a member is pointed to their /help, without the
	// reporters' menu; mid-way through a report, the question is asked
	// again. Anyone else gets the reporters' commands and menu.
	if rs := to(anna.command("nxt", ""), cwVol); !slices.Equal(describeAll(rs), []string{"command.unknown_member+command.maybe"}) ||
		!strings.Contains(w.cat.Render("en", rs[0].Texts...), "/next?") {
		t.Errorf("/nxt from a volunteer: %v, want /next suggested", describeAll(rs))
	}
	anna.command("newcase", "")
	anna.received()
	if rs := to(anna.command("nxt", ""), cwVol); !has(rs, "command.unknown_member") || !has(rs, "ask.consent_caller") || has(rs, "menu.choose") {
		t.Errorf("/nxt from a volunteer filing for a caller: %v", describeAll(rs))
	}
	if rs := w.person(7095, "en").command("nxt", ""); !slices.Equal(describeAll(rs), []string{"command.unknown+menu.choose"}) {
		t.Errorf("/nxt from someone who is not a member: %v", describeAll(rs))
	}
}

// TestNoteWithoutACode: a volunteer who forgets the code ("/note called
// the lawyer", "/status released") is shown where the code goes, not told
// that no case has the code "called", and without the relatives' menu; one
// who owns cases is asked which, a button each — even their only one is
// not taken for the one meant. A code of the right shape that no case has
// is still "no case with this code". Nothing is stored until a case is
// pressed; then what was typed is applied to it, as if typed after its
// code: the note is saved (it was lost, to be typed again), the status
// answers the update's question.
func TestNoteWithoutACode(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	code, anna, _ := annasCase(w, "no-code")
	boris := w.person(cwOffDuty, "en") // owns no case
	for _, c := range []struct {
		who            *hperson
		cmd, arg, want string
	}{
		{anna, "note", "called the lawyer", "note.which_case"},
		{anna, "status", "released", "update.which_case"},
		{anna, "note", "ZZZZ-9999 called the lawyer", "update.not_found"},
		{boris, "note", "called the lawyer", "note.usage"},
		{boris, "status", "released", "update.usage"},
		{anna, "note", "", "note.which_case_ask"},
		{anna, "status", "", "update.which_case_ask"},
	} {
		rs := to(c.who.command(c.cmd, c.arg), c.who.id)
		if len(rs) != 1 || describe(rs[0]) != c.want {
			t.Errorf("/%s %s: %v, want %s alone", c.cmd, c.arg, describeAll(rs), c.want)
			continue
		}
		if b := rs[0].Buttons; strings.Contains(c.want, "which_case") &&
			(len(b) != 1 || !strings.Contains(w.cat.Render("en", b[0][0].Text), flows.FormatCode(code))) {
			t.Errorf("/%s %s: buttons %+v, want one, Anna's case", c.cmd, c.arg, b)
		}
	}
	events := func() []flows.Event {
		t.Helper()
		files, err := w.timeline.Find(context.Background(), code, "")
		if err != nil || len(files) != 1 {
			t.Fatalf("find case: %v %v", files, err)
		}
		return files[0].Events
	}
	for _, e := range events() {
		if e.Kind == flows.EventNote || e.Status == flows.StatusReleased {
			t.Errorf("after the commands without a code the case has %+v", e)
		}
	}

	// Without words, the button begins the note of that case.
	asks := func(rs []flows.Reply) {
		t.Helper()
		anna.press(rs[0].Buttons[0][0].Data)
		anna.expectGot("note.ask")
		anna.command("cancel", "")
		anna.received()
	}
	rs := anna.command("note", "")
	anna.received()
	asks(rs)

	// With words, the button saves them to the case pressed, once.
	rs = anna.command("note", "called the lawyer")
	anna.received()
	anna.press(rs[0].Buttons[0][0].Data)
	anna.expectGot("note.saved")
	anna.press(rs[0].Buttons[0][0].Data) // pressed again: the note is not saved twice
	anna.received()
	notes := 0
	for _, e := range events() {
		if e.Kind == flows.EventNote {
			notes++
			if e.Note != "called the lawyer" {
				t.Errorf("note saved %q, want the words typed", e.Note)
			}
		}
	}
	if notes != 1 {
		t.Errorf("%d notes saved, want 1", notes)
	}

	// Anything else in between forgets the words: the button asks.
	rs = anna.command("note", "called the jail")
	anna.command("cases", "")
	anna.received()
	asks(rs)

	// A status typed answers the update's question for the case pressed.
	rs = anna.command("status", "released")
	anna.received()
	got := to(anna.press(rs[0].Buttons[0][0].Data), anna.id)
	if !has(got, "update.public_note") {
		t.Errorf("status typed, case pressed: %v, want the update past its first question (the family's note)", describeAll(got))
	}
}

// TestMergeTypedInWords: a coordinator may type /merge's codes as people
// write them — "A into B", "A в B", "A, B", "A → B", a code with a space
// in the middle — and the first is merged into the second; three codes,
// or one, still get the usage and merge nothing.
func TestMergeTypedInWords(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	vera := w.person(cwCoord, "ru")
	for i, typed := range []string{"%s into %s", "%s в %s", "%s, %s", "%s → %s", "%s %s"} {
		_, from := w.confirm(7200+int64(2*i), fmt.Sprintf("m%d-from", i), 0)
		_, into := w.confirm(7201+int64(2*i), fmt.Sprintf("m%d-into", i), 0)
		fromTyped := flows.FormatCode(from)
		if i == 4 {
			fromTyped = strings.Replace(fromTyped, "-", " ", 1)
		}
		vera.received()
		arg := fmt.Sprintf(typed, fromTyped, flows.FormatCode(into))
		if rs := to(vera.command("merge", arg), cwCoord); !has(rs, "tools.merged") {
			t.Errorf("/merge %s: %v", arg, describeAll(rs))
		}
		if !mustView(t, w, from).Merged || mustView(t, w, into).Merged {
			t.Errorf("/merge %s: the second case was merged into the first", arg)
		}
	}
	_, a := w.confirm(7300, "m-a", 0)
	_, b := w.confirm(7301, "m-b", 0)
	for _, arg := range []string{flows.FormatCode(a), a + " " + b + " " + a, a + " в"} {
		if rs := to(vera.command("merge", arg), cwCoord); !has(rs, "tools.merge_usage") {
			t.Errorf("/merge %s: %v, want the usage", arg, describeAll(rs))
		}
	}
}

// TestNoteOnTheHeldChatsCase: a volunteer talking with a case's reporter
// writes "/note ICE confirmed Krome" without the code: the note is on that
// case, and the reporter gets nothing of it; "/note" alone asks for the
// note of that case, "/status" alone or in words changes that case's
// status, "/anumber A-number" and "/facility place" are about it. A code
// typed first still names the case.
func TestNoteOnTheHeldChatsCase(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	code, anna, rep := annasCase(w, "held-note")
	_, other := w.confirm(7310, "held-other", 0)
	anna.command("write", code)
	anna.received()
	rep.received()

	for _, arg := range []string{"ICE confirmed Krome", "released tomorrow, says the lawyer"} {
		if rs := to(anna.command("note", arg), cwVol); !has(rs, "note.saved") {
			t.Errorf("/note %s in the reporter's chat: %v", arg, describeAll(rs))
		}
	}
	if rs := rep.received(); len(rs) != 0 {
		t.Errorf("the reporter got the internal note: %v", describeAll(rs))
	}
	if rs := to(anna.command("note", ""), cwVol); !has(rs, "note.ask") {
		t.Errorf("/note alone in the reporter's chat: %v", describeAll(rs))
	}
	anna.command("cancel", "")
	if rs := to(anna.command("status", ""), cwVol); !has(rs, "update.pick") || !strings.Contains(w.cat.Render("en", rs[0].Texts...), flows.FormatCode(code)) {
		t.Errorf("/status alone in the reporter's chat: %v", describeAll(rs))
	}
	anna.command("cancel", "")
	rs := to(anna.command("status", "a lawyer is helping"), cwVol)
	if !has(rs, "update.public_note") || !strings.Contains(w.cat.Render("en", rs[0].Texts...), flows.FormatCode(code)) {
		t.Errorf("/status in words in the reporter's chat: %v", describeAll(rs))
	}
	rep.received()
	anna.command("cancel", "")
	// So are /anumber and /facility: the A-number or the place the family
	// just wrote is given to their case.
	for _, tt := range []struct{ cmd, arg, want string }{
		{"anumber", "A 123-456-789", "tools.a_number_set"}, {"facility", "Krome", "tools.facility_pick"}} {
		if rs := to(anna.command(tt.cmd, tt.arg), cwVol); !has(rs, tt.want) || !strings.Contains(w.cat.Render("en", rs[0].Texts...), flows.FormatCode(code)) {
			t.Errorf("/%s %s in the reporter's chat: %v", tt.cmd, tt.arg, describeAll(rs))
		}
	}
	if rs := to(anna.command("anumber", flows.FormatCode(other)+" A 987-654-321"), cwVol); !has(rs, "tools.a_number_set") || !strings.Contains(w.cat.Render("en", rs[0].Texts...), flows.FormatCode(other)) {
		t.Errorf("/anumber with another case's code: %v", describeAll(rs))
	}
	if rs := to(anna.command("note", flows.FormatCode(other)+" seen at intake"), cwVol); !has(rs, "note.saved") {
		t.Errorf("/note with another case's code: %v", describeAll(rs))
	}
	notes := func(code string) []string {
		files, err := w.timeline.Find(context.Background(), code, "")
		if err != nil || len(files) != 1 {
			t.Fatalf("find case: %v %v", files, err)
		}
		var out []string
		for _, e := range files[0].Events {
			if e.Kind == flows.EventNote {
				out = append(out, e.Note)
			}
		}
		return out
	}
	if got := notes(code); len(got) != 2 || !slices.Contains(got, "ICE confirmed Krome") ||
		!slices.Contains(got, "released tomorrow, says the lawyer") {
		t.Errorf("the held chat's case has notes %q", got)
	}
	if got := notes(other); !slices.Equal(got, []string{"seen at intake"}) {
		t.Errorf("the other case has notes %q", got)
	}
}

// TestRemoveMemberByName: an admin removes a member by the name they set
// with /name ("/volunteers remove Boris", "delete" as well as "remove"),
// as /handover names colleagues; a name no member has removes nobody. An
// @username, which a bot cannot look up, is answered with the invite link.
func TestRemoveMemberByName(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	adm := w.person(hAdmin, "en")
	adm.received()
	if rs := adm.command("volunteers", "remove Nobody Here"); !has(rs, "handoff.member_unknown") ||
		!strings.Contains(w.cat.Render("en", rs[0].Texts...), "Nobody Here") {
		t.Errorf("remove a name no member has: %v", describeAll(rs))
	}
	if rs := adm.command("volunteers", "remove boris"); !has(rs, "handoff.member_removed") {
		t.Errorf("remove Boris by name: %v", describeAll(rs))
	}
	if rs := adm.command("volunteers", "delete Vera"); !has(rs, "handoff.member_removed") {
		t.Errorf("delete Vera by name: %v", describeAll(rs))
	}
	if rs := adm.command("volunteers", "add @maria_k coordinator"); !has(rs, "handoff.add_username") {
		t.Errorf("add by @username: %v", describeAll(rs))
	}
	rs := adm.command("volunteers", "list")
	text := w.cat.Render("en", rs[0].Texts...)
	if strings.Contains(text, "Boris") || strings.Contains(text, "Vera") || !strings.Contains(text, "Anna") {
		t.Errorf("members after the removals:\n%s", text)
	}
}

// TestStatsWithNothingUntaken: with every case taken, /stats says
// "Untaken: 0", not "the oldest waiting no data".
func TestStatsWithNothingUntaken(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	annasCase(w, "stats-taken")
	vera := w.person(cwCoord, "ru")
	vera.received()
	for _, lang := range []string{"ru", "en"} {
		rs := to(vera.command("stats", ""), cwCoord)
		text := w.cat.Render(lang, rs[0].Texts...)
		if !strings.Contains(text, map[string]string{"ru": "Не взято: 0.", "en": "Untaken: 0."}[lang]) {
			t.Errorf("/stats (%s) with nothing untaken:\n%s", lang, text)
		}
	}
}

// TestStopCommand: /stop, as Telegram users stop a bot's messages, ends
// the notifications of every case the chat follows — with one case, as
// its "stop" button does; with none, it says there is nothing to stop —
// and a later change of those cases reaches the chat no more. Someone who
// does not follow a case, and its reporter (always told), are not told
// that messages stop.
func TestStopCommand(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	codeA, anna, _ := annasCase(w, "stop-a")
	_, codeB := w.confirm(7410, "stop-b", 0)
	friend := w.person(7411, "en")
	if rs := friend.command("stop", ""); !has(rs, "sub.none") {
		t.Errorf("/stop following nothing: %v", describeAll(rs))
	}
	// "stop" under a case one does not follow, and under one's own
	// report, whose changes the reporter is always told: neither is told
	// that messages stop.
	friend.command("check", codeA)
	if rs := friend.send("unsubscribe"); !has(rs, "sub.not_following") {
		t.Errorf("unsubscribe from a case not followed: %v", describeAll(rs))
	}
	reporter := w.person(7410, "ru")
	reporter.command("check", codeB)
	if rs := reporter.send("отписаться"); !has(rs, "sub.reporter_told") {
		t.Errorf("the reporter's unsubscribe: %v", describeAll(rs))
	}
	for _, code := range []string{codeA, codeB} {
		friend.command("check", code)
		if rs := friend.send("notify me"); !has(rs, "sub.done") {
			t.Fatalf("subscribe to %s: %v", code, describeAll(rs))
		}
	}
	rs := friend.command("stop", "")
	if !has(rs, "sub.stopped_all") {
		t.Fatalf("/stop following two cases: %v", describeAll(rs))
	}
	if text := w.cat.Render("ru", rs[0].Texts...); !strings.Contains(text, "2 делах") ||
		!strings.Contains(text, flows.FormatCode(codeA)) || !strings.Contains(text, flows.FormatCode(codeB)) {
		t.Errorf("/stop said %q", text)
	}
	friend.received()
	anna.received()
	st := to(anna.command("status", codeA+" released"), cwVol)
	anna.press(buttonData(t, st[len(st)-1], "btn.no_note"))
	if rs := friend.received(); len(rs) != 0 {
		t.Errorf("after /stop the friend was told %v", describeAll(rs))
	}
}

// A volunteer told of a new report types /next: with no chat waiting but
// cases nobody has taken, they are told how many, with the button that
// lists them, where "No one is waiting" read as nothing to do.
func TestNextPointsToUntakenCases(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	vol := w.person(cwVol, "en")
	vol.command("next", "")
	vol.expectGot("handoff.queue_empty")

	_, code := w.confirm(cwReport, "untaken", 0)
	vol.received()
	rs := vol.command("next", "")
	vol.expectGot("handoff.queue_empty_cases")
	if got := w.cat.Render("en", rs[0].Texts...); !strings.Contains(got, "1 new case has") {
		t.Errorf("/next with one case untaken:\n%s", got)
	}
	rs = vol.press(buttonData(t, rs[0], "btn.board_new"))
	if len(rs) != 1 || !strings.Contains(w.cat.Render("en", rs[0].Texts...), flows.FormatCode(code)) {
		t.Fatalf("the button lists %v", describeAll(rs))
	}
	vol.received()
	vol.command("queue", "")
	vol.expectGot("handoff.queue_empty_cases")

	vol.command("take_case", code)
	vol.received()
	vol.command("next", "")
	vol.expectGot("handoff.queue_empty")
}

// "Да" to "add a note for the family?" asks for the note: it reached the
// family as the volunteers' note, "да". "Нет" saves the status without one.
func TestYesIsNoPublicNote(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	code, anna, rep := annasCase(w, "yes-note")
	anna.command("status", code+" released")
	anna.expectGot("update.public_note")
	anna.send("да")
	anna.expectGot("update.note_yes+update.public_note")
	if got := rep.received(); len(got) != 0 {
		t.Fatalf("the family got %v before the status was saved", describeAll(got))
	}
	anna.send("нет")
	got := rep.received()
	if len(got) != 1 {
		t.Fatalf("the family got %v, want the new status", describeAll(got))
	}
	if text := w.cat.Render("ru", got[0].Texts...); strings.Contains(text, "От волонтёров") {
		t.Errorf("the family's notice carries a note:\n%s", text)
	}
}

// TestCardsFollowTheCase: the new case's card went to everyone on duty.
// When one volunteer takes the case, every copy is redrawn in place as the
// case stands — its owner named, no "nobody has taken it yet", no Take
// button, no longer marked new — where each kept saying so; released, the
// copies offer Take again; closed, only Open. Take pressed on a copy
// anyway says who has it. A card the transport made after the case was
// taken is brought up to date at once, and the card of someone no longer
// in the hotline is left as it was.
func TestCardsFollowTheCase(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	rs, code := w.confirm(cwReport, "stale-card", 0)
	anna, vera := w.person(cwVol, "en"), w.person(cwCoord, "ru")
	cards := announced(rs, code)
	if len(cards[cwCoord]) != 1 || len(cards[cwVol]) != 1 {
		t.Fatalf("announcements %v", describeAll(rs))
	}
	card := w.cat.Render("ru", cards[cwCoord][0].Texts...)
	if !strings.Contains(card, "🆕") || !strings.Contains(card, w.cat.Render("ru", flows.T("casework.line_untaken"))) {
		t.Fatalf("the announcement:\n%s", card)
	}
	annaCard, veraCard := anna.lastMsgID(), vera.lastMsgID()
	take := buttonFor(cards[cwCoord], "btn.case_take", code)
	anna.received()
	vera.received()

	// redrawn checks the one edit of the chat's card and what it shows.
	redrawn := func(p *hperson, rs []flows.Reply, cardID int, lang string, owned bool, buttons ...string) {
		t.Helper()
		if len(rs) != 1 || rs[0].Edit != cardID || describe(rs[0]) != "casework.card" {
			t.Fatalf("chat %d got %v, want its card %d redrawn", p.id, describeAll(rs), cardID)
		}
		shown := w.cat.Render(lang, rs[0].Texts...)
		untaken := w.cat.Render(lang, flows.T("casework.line_untaken"))
		if owned != strings.Contains(shown, "Anna") || owned == strings.Contains(shown, untaken) || strings.Contains(shown, "🆕") {
			t.Errorf("chat %d: the card redrawn (owned by Anna: %v):\n%s", p.id, owned, shown)
		}
		if names := buttonNames(rs[0]); !slices.Equal(names, buttons) {
			t.Errorf("chat %d: the card's buttons %v, want %v", p.id, names, buttons)
		}
	}
	anna.press(buttonFor(cards[cwVol], "btn.case_take", code))
	redrawn(vera, vera.received(), veraCard, "ru", true, "btn.case_open")
	got := anna.received()
	if !has(got, "casework.took") || got[0].Edit != 0 {
		t.Fatalf("Anna took the case: %v", describeAll(got))
	}
	// Her answer's card is the case as it now stands: in review, as the
	// redrawn ones say, not "new".
	if shown := w.cat.Render("en", got[0].Texts...); strings.Contains(shown, "🆕") ||
		!strings.Contains(shown, w.cat.Render("en", flows.T("status.name."+flows.StatusInReview))) {
		t.Errorf("Anna's card after the take:\n%s", shown)
	}
	redrawn(anna, got[len(got)-1:], annaCard, "en", true, "btn.case_open")

	// Pressed on a copy anyway (before its redraw came): told who has it,
	// and no message is edited, since the redraw does that.
	if got := to(vera.press(take), cwCoord); len(got) != 1 || got[0].Edit != 0 || describe(got[0]) != "casework.taken_by" {
		t.Errorf("Take pressed after Anna took the case: %v", describeAll(got))
	}
	// A card that reached a chat only now shows the case as it is.
	late, err := w.app.Sent(context.Background(), cwCoord, 999, []string{cards[cwCoord][0].Tag})
	if err != nil {
		t.Fatal(err)
	}
	redrawn(vera, late, 999, "ru", true, "btn.case_open")
	vera.received()

	anna.command("release_case", code)
	got = anna.received()
	if !has(got, "casework.released") {
		t.Fatalf("Anna released the case: %v", describeAll(got))
	}
	redrawn(anna, got[1:], annaCard, "en", false, "btn.case_take", "btn.case_open", "btn.case_later")
	got = vera.received()
	redrawn(vera, got[:1], veraCard, "ru", false, "btn.case_take", "btn.case_open", "btn.case_later")
	redrawn(vera, got[1:], 999, "ru", false, "btn.case_take", "btn.case_open", "btn.case_later")

	// Vera leaves the hotline: her cards stay as they were.
	if err := w.vols.Remove(context.Background(), cwCoord, "test"); err != nil {
		t.Fatal(err)
	}
	anna.command("take_case", code)
	anna.received()
	if got := vera.received(); len(got) != 0 {
		t.Errorf("cards redrawn for someone out of the hotline: %v", describeAll(got))
	}
	// Closed: Open only.
	rs = anna.command("status", code+" released")
	if !has(rs, "update.public_note") {
		t.Fatalf("/status released: %v", describeAll(rs))
	}
	anna.press(buttonData(t, rs[len(rs)-1], "btn.no_note"))
	got = anna.received()
	if !has(got, "update.saved") {
		t.Fatalf("the status saved: %v", describeAll(got))
	}
	redrawn(anna, got[len(got)-1:], annaCard, "en", true, "btn.case_open")
	if got := vera.received(); len(got) != 0 {
		t.Errorf("cards redrawn for someone out of the hotline: %v", describeAll(got))
	}
}

// TestJoinedCardsRedrawnTogether: two cases' cards that reached a chat
// joined as one message (they piled up faster than Telegram lets a chat
// get messages) are redrawn together when one of them is taken: that one
// owned, without Take; the other as it was, still to take. The message
// is not made into one card, which took the other case away.
func TestJoinedCardsRedrawnTogether(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	rs1, first := w.confirm(cwReport, "joined-1", 0)
	rs2, second := w.confirm(cwReport+1, "joined-2", 0)
	anna, vera := w.person(cwVol, "en"), w.person(cwCoord, "ru")
	anna.received()
	vera.received()
	// The transport made one message of Vera's two cards.
	tags := []string{announced(rs1, first)[cwCoord][0].Tag, announced(rs2, second)[cwCoord][0].Tag}
	if rs, err := w.app.Sent(context.Background(), cwCoord, 777, tags); err != nil || len(rs) != 0 {
		t.Fatalf("Sent(joined) = %v, %v; want it recorded and nothing to redraw", describeAll(rs), err)
	}

	anna.command("take_case", second)
	got := vera.received()
	var joined []flows.Reply
	for _, r := range got {
		if r.Edit == 777 {
			joined = append(joined, r)
		}
	}
	if len(joined) != 1 || len(joined[0].Texts) != 2 || !joined[0].Redraw {
		t.Fatalf("Vera's joined message after the take: %v", describeAll(got))
	}
	r := joined[0]
	firstCard, secondCard := w.cat.Render("ru", r.Texts[0]), w.cat.Render("ru", r.Texts[1])
	if !strings.Contains(firstCard, flows.FormatCode(first)) || strings.Contains(firstCard, "Anna") {
		t.Errorf("the first case's card, untaken:\n%s", firstCard)
	}
	if !strings.Contains(secondCard, flows.FormatCode(second)) || !strings.Contains(secondCard, "Anna") {
		t.Errorf("the second case's card, Anna's:\n%s", secondCard)
	}
	if buttonFor([]flows.Reply{r}, "btn.case_take", first) == "" || buttonFor([]flows.Reply{r}, "btn.case_take", second) != "" ||
		buttonFor([]flows.Reply{r}, "btn.case_open", second) == "" {
		t.Errorf("the joined message's buttons %v: want Take for the first case only, Open for the second", buttonNames(r))
	}
}

// An A-number a reporter forgot, or their new phone, sent after filing, is
// offered as news of their case, as other words are; neither is a number
// for the bot to call back (an A-number has 8 or 9 digits, a phone 10 or
// more).
func TestForgottenANumberIsNews(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	_, _, rep := annasCase(w, "forgotten-a-number")
	for _, said := range []string{"я забыла указать A-номер: 123456789", "его A номер 123-456-789",
		"мой новый номер +1 305 555 0199"} {
		if rs := to(rep.send(said), cwReport); !has(rs, "casework.news_offer") {
			t.Errorf("%q: %v, want it offered as news of the case", said, describeAll(rs))
		}
	}
}

// TestReplyToACardGoesToNobody: a volunteer talking with someone replies
// to a new case's card that came into the same chat. "Беру" took nothing
// and went to the person, as anything written under a card did. Now
// "беру" under the card takes that case, and anything else under a card
// is not sent, with how to write to the chat; a reply to the person's
// message and a message replying to nothing still go to them. Without a
// chat held, "беру" under a card takes the case too (it was told how).
// "Беру" alone, replying to nothing, is kept back too, with how to send it
// to the person after all: by replying to their message.
func TestReplyToACardGoesToNobody(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	x := w.person(8001, "en")
	x.press("m:volunteer")
	anna := w.person(cwVol, "en")
	anna.command("next", "")
	anna.received()
	x.received()
	x.send("hello, anyone?")
	fromX := anna.lastMsgID()
	if got := anna.received(); len(got) == 0 || got[len(got)-1].Copy == nil {
		t.Fatalf("the person's message: %v", describeAll(got))
	}
	threads := storage.NewThreads(w.rdb, w.prefix, time.Hour)
	if err := threads.Record(context.Background(), cwVol, fromX, 8001, x.lastIn); err != nil {
		t.Fatal(err)
	}

	rs, first := w.confirm(cwReport, "card-reply-1", 0)
	if len(announced(rs, first)[cwVol]) != 1 {
		t.Fatalf("the announcement: %v", describeAll(rs))
	}
	card1 := anna.lastMsgID()
	rs, second := w.confirm(cwReport+1, "card-reply-2", 0)
	if len(announced(rs, second)[cwVol]) != 1 {
		t.Fatalf("the second announcement: %v", describeAll(rs))
	}
	card2 := anna.lastMsgID()
	anna.received()
	x.received()

	rs = anna.do(flows.Input{Kind: flows.KindText, Text: "Беру", ReplyTo: card1})
	if len(to(rs, 8001)) != 0 {
		t.Errorf("«Беру» under a card reached the person: %v", describeAll(to(rs, 8001)))
	}
	if !has(to(rs, cwVol), "casework.took") || !strings.Contains(w.cat.Render("en", to(rs, cwVol)[0].Texts...), flows.FormatCode(first)) {
		t.Errorf("«Беру» under the first card: %v, want that case taken", describeAll(to(rs, cwVol)))
	}
	rs = anna.do(flows.Input{Kind: flows.KindText, Text: "does anyone know this facility?", ReplyTo: card2})
	mine := to(rs, cwVol)
	if len(to(rs, 8001)) != 0 || len(mine) != 1 || describe(mine[0]) != "handoff.reply_case" {
		t.Errorf("a question under a card: %v, want it sent to nobody and said so", describeAll(rs))
	} else if said := w.cat.Render("en", mine[0].Texts...); !strings.Contains(said, flows.FormatCode(second)) || !strings.Contains(said, "#") {
		t.Errorf("told:\n%s\nwant the case's code and the chat's number", said)
	}
	if v, err := w.deps.Casework.View(context.Background(), second); err != nil || v.Owner != 0 {
		t.Errorf("the second case: owner %d, %v; want untaken", v.Owner, err)
	}
	// To the person, as before.
	rs = anna.do(flows.Input{Kind: flows.KindText, Text: "I am here", ReplyTo: fromX})
	if got := to(rs, 8001); len(got) != 1 || got[0].Copy == nil {
		t.Errorf("a reply to the person's message: %v, want it relayed", describeAll(rs))
	}
	if got := to(anna.send("How can I help?"), 8001); len(got) != 1 || got[0].Copy == nil {
		t.Errorf("a message replying to nothing: %v, want it relayed", describeAll(got))
	}
	// "Беру" alone, replying to nothing, is kept back; replying to the
	// person's message, it is theirs.
	rs = anna.send("беру")
	if mine := to(rs, cwVol); len(to(rs, 8001)) != 0 || len(mine) != 1 || describe(mine[0]) != "handoff.take_not_sent" {
		t.Errorf("«беру» alone while talking: %v, want it kept back and said so", describeAll(rs))
	}
	rs = anna.do(flows.Input{Kind: flows.KindText, Text: "беру", ReplyTo: fromX})
	if got := to(rs, 8001); len(got) != 1 || got[0].Copy == nil {
		t.Errorf("«беру» replying to the person: %v, want it relayed", describeAll(rs))
	}

	// With no chat held.
	anna.command("done", "")
	anna.received()
	rs = anna.do(flows.Input{Kind: flows.KindText, Text: "I'll take it", ReplyTo: card2})
	if !has(to(rs, cwVol), "casework.took") {
		t.Errorf("«I'll take it» under a card with no chat held: %v, want the case taken", describeAll(rs))
	}
}

// TestReplyToANoticeGoesToItsCase: Anna owns two cases and talks with the
// reporter of the first. A date's reminder of each comes in. Her reply to
// the second case's reminder went to the person she talks with, who is
// not that case's; it now goes to nobody, with how to write to that
// case's reporter. Her reply to the first case's reminder is about the
// case of the person she talks with, and goes to them.
func TestReplyToANoticeGoesToItsCase(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	first, anna, rep := annasCase(w, "notice-1")
	_, second := w.confirm(cwReport+1, "notice-2", 0)
	anna.command("take_case", second)
	anna.command("date", first+" hearing 11.03.2026")
	anna.command("date", second+" hearing 11.03.2026")
	rep.press("m:volunteer")
	anna.command("next", "")
	anna.received()
	rep.received()

	base := anna.lastMsgID()
	w.caseTick()
	reminder := map[string]int{}
	for i, r := range anna.received() {
		if describe(r) != "casework.remind" {
			continue
		}
		for _, code := range []string{first, second} {
			if strings.Contains(w.cat.Render("en", r.Texts...), flows.FormatCode(code)) {
				reminder[code] = base + i + 1
			}
		}
	}
	if len(reminder) != 2 {
		t.Fatalf("reminders %v, want one of each case", reminder)
	}
	rs := anna.do(flows.Input{Kind: flows.KindText, Text: "Call the court tomorrow morning", ReplyTo: reminder[second]})
	mine := to(rs, cwVol)
	if len(to(rs, cwReport)) != 0 || len(mine) != 1 || describe(mine[0]) != "handoff.reply_case" {
		t.Errorf("a reply to the other case's reminder: %v, want it sent to nobody and said so", describeAll(rs))
	} else if said := w.cat.Render("en", mine[0].Texts...); !strings.Contains(said, "/write "+flows.FormatCode(second)) {
		t.Errorf("told:\n%s\nwant how to write to that case's reporter", said)
	}
	rs = anna.do(flows.Input{Kind: flows.KindText, Text: "Your hearing is tomorrow", ReplyTo: reminder[first]})
	if got := to(rs, cwReport); len(got) != 1 || got[0].Copy == nil {
		t.Errorf("a reply to the reminder of the case of her chat: %v, want it relayed", describeAll(rs))
	}
}

// TestReplyToAChatNotice: "беру" in reply to the notice of a chat in the
// queue takes that chat, as the notice's button does; it went to the
// person the volunteer talked with, or was answered with how to take a
// case. Anything else in reply to the notice goes to nobody before the
// chat is taken.
func TestReplyToAChatNotice(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	anna, x, y := w.person(cwVol, "en"), w.person(8101, "en"), w.person(8102, "ru")
	noticeOf := func(p *hperson) int {
		t.Helper()
		id := anna.messageOf(func() { p.press("m:volunteer") }, showing("handoff.notify_new"))
		if id == 0 {
			t.Fatalf("no notice of chat %d", p.id)
		}
		return id
	}
	xNotice := noticeOf(x)
	x.received()
	rs := anna.do(flows.Input{Kind: flows.KindText, Text: "hello!", ReplyTo: xNotice})
	if len(to(rs, x.id)) != 0 || !has(to(rs, cwVol), "handoff.reply_waiting") {
		t.Errorf("«hello!» in reply to the notice: %v, want it sent to nobody before the chat is taken", describeAll(rs))
	}
	rs = anna.do(flows.Input{Kind: flows.KindText, Text: "беру", ReplyTo: xNotice})
	if !has(to(rs, cwVol), "handoff.taken") || len(to(rs, x.id)) != 1 || describe(to(rs, x.id)[0]) != "handoff.vol_joined" {
		t.Fatalf("«беру» in reply to the notice: %v, want the chat taken", describeAll(rs))
	}
	// Hers now: a reply to its notice is for its person.
	rs = anna.do(flows.Input{Kind: flows.KindText, Text: "Hello, I am Anna", ReplyTo: xNotice})
	if got := to(rs, x.id); len(got) != 1 || got[0].Copy == nil {
		t.Errorf("a reply to the notice of the chat she holds: %v, want it relayed", describeAll(rs))
	}
	// Talking with x, she answers y's notice the same way: as its button
	// would, she is told she holds as many chats as a volunteer may; x
	// gets nothing.
	yNotice := noticeOf(y)
	y.received()
	rs = anna.do(flows.Input{Kind: flows.KindText, Text: "Беру!", ReplyTo: yNotice})
	if len(to(rs, x.id)) != 0 || !has(to(rs, cwVol), "handoff.busy") || len(to(rs, y.id)) != 0 {
		t.Errorf("«Беру!» in reply to a notice while talking with someone: %v, want the take's answer, nothing to x", describeAll(rs))
	}
	// y waits on: the coordinator is told, and "беру" in reply takes it.
	vera := w.person(cwCoord, "ru")
	escalation := vera.messageOf(func() { w.advance(20 * time.Minute); w.tick() }, showing("handoff.escalate"))
	if escalation == 0 {
		t.Fatal("no escalation of y's chat")
	}
	rs = vera.do(flows.Input{Kind: flows.KindText, Text: "беру", ReplyTo: escalation})
	if !has(to(rs, cwCoord), "handoff.taken") || len(to(rs, y.id)) != 1 {
		t.Errorf("«беру» in reply to the escalation: %v, want y's chat taken", describeAll(rs))
	}
}

// TestCommandInReplyToACard: a command that acts on a case, sent in reply
// to its card without the code ("/take_case", "/note called the jail",
// "/facility Krome"), acts on that case; "/take" in reply to a chat's notice takes that chat.
// They were asked which case, or told how to use them.
func TestCommandInReplyToACard(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	anna := w.person(cwVol, "en")
	rs, code := w.confirm(cwReport, "reply-cmd", 0)
	if len(announced(rs, code)[cwVol]) != 1 {
		t.Fatalf("the announcement: %v", describeAll(rs))
	}
	card := anna.lastMsgID()
	anna.received()
	command := func(name, arg string, replyTo int) []flows.Reply {
		t.Helper()
		return to(anna.do(flows.Input{Kind: flows.KindCommand, Command: name, Text: arg, ReplyTo: replyTo}), cwVol)
	}
	if got := command("take_case", "", card); !has(got, "casework.took") {
		t.Fatalf("/take_case in reply to the card: %v, want the case taken", describeAll(got))
	}
	if got := command("note", "called the jail", card); has(got, "note.which_case") || has(got, "note.usage") {
		t.Errorf("/note in reply to the card: %v, want the note on the case", describeAll(got))
	}
	files, err := w.timeline.Find(context.Background(), code, "")
	if err != nil || len(files) != 1 {
		t.Fatalf("find: %v %v", files, err)
	}
	if !slices.ContainsFunc(files[0].Events, func(e flows.Event) bool { return e.Kind == flows.EventNote && e.Note == "called the jail" }) {
		t.Errorf("the case's events %+v, want the note", files[0].Events)
	}
	for _, tt := range []struct{ cmd, arg, want string }{
		{"anumber", "A 204-555-871", "tools.a_number_set"}, {"facility", "Krome", "tools.facility_pick"}} {
		if got := command(tt.cmd, tt.arg, card); !has(got, tt.want) {
			t.Errorf("/%s %s in reply to the card: %v", tt.cmd, tt.arg, describeAll(got))
		}
	}

	x := w.person(8201, "en")
	notice := anna.messageOf(func() { x.press("m:volunteer") }, showing("handoff.notify_new"))
	if got := command("take", "", notice); !has(got, "handoff.taken") {
		t.Errorf("/take in reply to a chat's notice: %v, want that chat taken", describeAll(got))
	}
}

// TestReplyToANoticeOfAnotherHeldChat: Vera, a coordinator, holds the
// chats of two reporters, her messages going to the second. Her reply to
// the reminder of the first one's case goes to the first one: it was not
// sent, as about a case of nobody she talked with.
func TestReplyToANoticeOfAnotherHeldChat(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	vera := w.person(cwCoord, "ru")
	_, first := w.confirm(cwReport, "held-notice-1", 0)
	w.confirm(cwReport+1, "held-notice-2", 0)
	vera.command("take_case", first)
	vera.command("date", first+" hearing 11.03.2026")
	for _, id := range []int64{cwReport, cwReport + 1} {
		w.person(id, "ru").press("m:volunteer")
		vera.command("next", "")
	}
	reminder := vera.messageOf(func() { w.caseTick() }, showing("casework.remind"))
	if reminder == 0 {
		t.Fatal("no reminder")
	}
	w.person(cwReport, "ru").received()
	rs := vera.do(flows.Input{Kind: flows.KindText, Text: "Суд завтра, не забудьте документы", ReplyTo: reminder})
	if got := to(rs, cwReport); len(got) != 1 || got[0].Copy == nil || len(to(rs, cwReport+1)) != 0 {
		t.Errorf("a reply to the reminder of the first chat's case: %v, want it relayed to the first reporter only", describeAll(rs))
	}
}

// TestBoardRowShowsTheNextDate: a case's row on the board ends with its
// soonest date to come ("✈️ March 12", "✈️ today"), so that the most
// pressing case shows without opening each; a date gone by is not shown.
func TestBoardRowShowsTheNextDate(t *testing.T) {
	t.Parallel()
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	v := flows.CaseView{Code: "K7M4Q9XZ", Status: "received", Created: now.Add(-time.Hour),
		Hearing: "2026-04-01", Deportation: "2026-03-12", CheckIn: "2026-03-01"}
	for lang, want := range map[string]string{"en": "✈️ March 12", "ru": "✈️ 12 марта"} {
		if got := cat.Render(lang, flows.CardLine(v, now, 0)); !strings.HasSuffix(got, want) {
			t.Errorf("%s row: %q, want it to end with %q", lang, got, want)
		}
	}
	// Today and tomorrow stand out: a flight today was a date among others.
	for day, want := range map[string]map[string]string{
		"2026-03-10": {"en": "✈️ <b>today</b>", "ru": "✈️ <b>сегодня</b>"},
		"2026-03-11": {"en": "✈️ <b>tomorrow</b>", "ru": "✈️ <b>завтра</b>"},
	} {
		v.Deportation = day
		for lang, w := range want {
			if got := cat.Render(lang, flows.CardLine(v, now, 0)); !strings.HasSuffix(got, w) {
				t.Errorf("%s row of a flight on %s: %q, want it to end with %q", lang, day, got, w)
			}
		}
	}
	v.Deportation = ""
	if got := cat.Render("en", flows.CardLine(v, now, 0)); !strings.HasSuffix(got, "⚖️ April 1") {
		t.Errorf("row with a hearing: %q", got)
	}
	v.Hearing = ""
	if got := cat.Render("en", flows.CardLine(v, now, 0)); strings.Contains(got, "March 1") || strings.Count(got, "·") != 3 {
		t.Errorf("row with a check-in gone by: %q", got)
	}
}

// A volunteer whose Telegram is in English chooses Russian (/language ru):
// their commands answer in Russian, and so do the cards the bot sends them
// on its own, a flow later too. The menu turned Russian, and every
// volunteer's text stayed English.
func TestVolunteerChoosesTheLanguage(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	anna := w.person(cwVol, "en")
	anna.command("language", "ru")
	rs := anna.command("cases", "")
	if got := to(rs, cwVol); len(got) != 1 || got[0].Lang != "ru" || describe(got[0]) != "casework.board" {
		t.Fatalf("/cases after /language ru: %v in %q", describeAll(got), got[0].Lang)
	}
	// On duty, she is sent the new case's card: in her language.
	rs, _ = w.confirm(cwReport, "lang-chosen", 0)
	if got := to(rs, cwVol); len(got) == 0 || got[0].Lang != "ru" {
		t.Errorf("the new case's card to her: %v", got)
	}
	if v, err := w.vols.Get(context.Background(), cwVol); err != nil || v.Lang != "ru" {
		t.Errorf("her language kept: %q, %v", v.Lang, err)
	}
	// The menu and a flow left do not forget the choice.
	anna.command("start", "")
	if got := to(anna.command("cases", ""), cwVol); len(got) != 1 || got[0].Lang != "ru" {
		t.Errorf("/cases after /start: %v", got)
	}
	// Telegram's language still counts for who has not chosen.
	boris := w.person(cwOffDuty, "en")
	if got := to(boris.command("cases", ""), cwOffDuty); len(got) != 1 || got[0].Lang != "en" {
		t.Errorf("/cases of a volunteer who did not choose: %v", got)
	}
}

// "/find jena" from a volunteer calling the facility found no one of that
// name and said "No case found", as if no case were at Jena. The
// facilities with open cases whose name or city it names are a button
// away, each to its page of the board; "Джена" typed in Cyrillic too.
func TestFindNamesAFacility(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	_, code := w.confirm(cwReport, "find-facility", 0)
	rep := w.person(cwReport, "ru")
	rep.received()
	rs := rep.send("его перевели в Jena, в CLIPC")
	rs = rep.press(buttonFor(rs, "btn.news_send", code))
	jena := ""
	for _, r := range rs {
		for _, row := range r.Buttons {
			if strings.Contains(row[0].Label, "Jena") {
				jena = row[0].Data
			}
		}
	}
	if jena == "" {
		t.Fatalf("Jena not offered: %v", describeAll(rs))
	}
	rep.press(jena)
	vera := w.person(cwCoord, "en")
	for _, q := range []string{"jena", "Джена", "clipc"} {
		rs = to(vera.command("find", q), cwCoord)
		if got := describeAll(rs); len(rs) != 1 || got[0] != "find.none_facility" {
			t.Fatalf("/find %s: %v", q, got)
		}
		if b := rs[0].Buttons[0][0]; !strings.Contains(b.Label, "Jena, LA (1)") {
			t.Errorf("/find %s: %q, want the facility and its one open case", q, b.Label)
		}
	}
	page := to(vera.press(rs[0].Buttons[0][0].Data), cwCoord)
	if len(page) != 1 || !slices.ContainsFunc(page[0].Buttons, func(row []flows.Button) bool {
		return slices.ContainsFunc(row, func(b flows.Button) bool { return b.Label == flows.FormatCode(code) })
	}) {
		t.Errorf("the facility's page: %v", page)
	}
	// A name of no one, and no facility's: as before.
	if got := describeAll(to(vera.command("find", "Petrov"), cwCoord)); !slices.Equal(got, []string{"find.none"}) {
		t.Errorf("/find Petrov: %v", got)
	}
}

// A command typed in Russian after its slash ("/статус", "/отмена"),
// which Telegram's menu cannot offer: the command it names. Both were
// "unknown command".
func TestCommandsTypedInRussian(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	code, anna, _ := annasCase(w, "ru-commands")
	if got := describeAll(to(anna.command("статус", code), cwVol)); len(got) != 1 || !strings.HasPrefix(got[0], "update.pick") {
		t.Errorf("/статус %s: %v, want the status's question", code, got)
	}
	anna.command("cancel", "")
	if got := describeAll(to(anna.command("дела", ""), cwVol)); !slices.Equal(got, []string{"casework.board"}) {
		t.Errorf("/дела: %v", got)
	}
	c := newChat(t, "ru")
	startReport(c)
	c.expect(c.command("отмена", ""), "cancel.ask")
	names := []string{"menu", "stop"}
	for _, cmd := range flows.Commands() {
		names = append(names, cmd.Name)
	}
	for ru, cmd := range flows.CommandAliases() {
		if !slices.Contains(names, cmd) {
			t.Errorf("/%s names /%s, which is no command", ru, cmd)
		}
	}
}
