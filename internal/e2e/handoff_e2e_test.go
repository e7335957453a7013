package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hotline/bot/telegramtest"
	"hotline/flows"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// The volunteer handoff, end to end: the real bot (serve) against the fake
// Telegram server, with users and volunteers played through it.

const handoffAdmin = 7000900 // from HOTLINE_ADMINS in every handoff test

func newHandoffHarness(t *testing.T, opts ...harnessOption) *harness {
	t.Helper()
	return newHarness(t, append([]harnessOption{withConfig(func(c *config) {
		c.Admins = []int64{handoffAdmin}
	})}, opts...)...)
}

// lead is the start of a message as written in locales/, up to its first
// template value or line end, without markup: enough to recognise the
// message whatever its values.
func (h *harness) lead(lang, id string) string {
	h.t.Helper()
	area, _, _ := strings.Cut(id, ".")
	if area != "handoff" && area != "casework" {
		area = "report"
	}
	return h.leadIn(area, lang, id)
}

// leadIn is lead for a message of locales/<area>.<lang>.json.
func (h *harness) leadIn(area, lang, id string) string {
	h.t.Helper()
	buf, err := os.ReadFile(filepath.Join(root, "locales", area+"."+lang+".json"))
	if err != nil {
		h.t.Fatal(err)
	}
	var msgs map[string]map[string]string
	if err := json.Unmarshal(buf, &msgs); err != nil {
		h.t.Fatal(err)
	}
	src, ok := msgs[id]["other"]
	if !ok {
		h.t.Fatalf("no message %s in %s", id, lang)
	}
	src, _, _ = strings.Cut(src, "{{")
	s := firstLine(plain(src))
	if len([]rune(s)) < 3 {
		h.t.Fatalf("message %s in %s starts with a value: match it otherwise", id, lang)
	}
	return s
}

// plural renders a plural message.
func (h *harness) plural(lang, id string, n int) string {
	return plain(h.cat.Render(lang, flows.T(id).Plural(n)))
}

func (h *harness) addMember(t *testing.T, id int64, role flows.Role) {
	t.Helper()
	if err := storage.NewVolunteers(h.db).Add(context.Background(), id, role, 0); err != nil {
		t.Fatal(err)
	}
}

func (h *harness) queued(t *testing.T) []flows.Waiting {
	t.Helper()
	ws, err := storage.NewQueue(h.rdb, h.cfg.RedisPrefix).Waiting(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// waitQueue waits until n chats are in the queue: joins are handled in
// parallel partitions, and the queue is what the test needs settled.
func (h *harness) waitQueue(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for len(h.queued(t)) != n {
		if time.Now().After(deadline) {
			t.Fatalf("queue has %d chats, want %d", len(h.queued(t)), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitKept waits until n messages of a waiting chat are kept.
func (h *harness) waitKept(t *testing.T, chatID int64, n int) {
	t.Helper()
	q := storage.NewQueue(h.rdb, h.cfg.RedisPrefix)
	deadline := time.Now().Add(20 * time.Second)
	for {
		kept, err := q.Kept(context.Background(), chatID)
		if err != nil {
			t.Fatal(err)
		}
		if len(kept) == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages kept, want %d", len(kept), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// nextCopy waits for a relayed message and checks it is a copy of the
// given message: shown as the bot's, the sender's account hidden.
func nextCopy(t *testing.T, u *telegramtest.User, from int64, msgID int, kind string) *telegramtest.Message {
	t.Helper()
	m := u.Next(t)
	if m.Method != "copyMessage" || m.FromChatID != from || m.FromMessageID != msgID || m.Kind != kind {
		t.Fatalf("user %d got %s %s from %d/%d %q; want a copy of the %s %d/%d",
			u.ID, m.Method, m.Kind, m.FromChatID, m.FromMessageID, m.Plain, kind, from, msgID)
	}
	return m
}

var ticketRe = regexp.MustCompile(`[#№](\d+)`)

func ticketOf(t *testing.T, m *telegramtest.Message) int {
	t.Helper()
	s := ticketRe.FindStringSubmatch(m.Plain)
	if s == nil {
		t.Fatalf("no ticket in %q", m.Plain)
	}
	n, _ := strconv.Atoi(s[1])
	return n
}

// TestHandoffEndToEnd: a user asks for a volunteer and writes two messages
// and a photo while waiting; a volunteer on duty is told, takes the chat
// with /next and sees those three; text, a document and a voice note go
// both ways (and a location, a contact, a video) without the volunteer's
// Telegram account showing; /done closes
// the chat, the user rates it, and the handoff row is stored without a word
// of what was written.
func TestHandoffEndToEnd(t *testing.T) {
	parallel(t)
	h := newHandoffHarness(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(h.log.String())
		}
	})
	admin := h.tg.User(handoffAdmin, "en")
	vol := h.tg.User(7000501, "en")
	vol.SetName("Alexei", "Secretov", "alexei_secret")
	user := h.tg.User(7000001, "ru")

	admin.Send(fmt.Sprintf("/volunteers add %d", vol.ID))
	expectText(t, admin, h.text("en", "handoff.member_added", "ID", strconv.FormatInt(vol.ID, 10), "Role", flows.T("handoff.role_volunteer")))
	vol.Send("/name Anna")
	expectText(t, vol, h.text("en", "handoff.name_set", "Name", "Anna"))
	vol.Send("/duty on")
	expectText(t, vol, h.text("en", "handoff.duty", "On", true))

	user.Send("/start")
	m := expectText(t, user, firstLine(h.text("ru", "menu.greeting")))
	press(t, user, m, h.label("ru", "btn.menu_volunteer"))
	m = expectText(t, user, h.text("ru", "handoff.joined"))
	if !strings.Contains(m.Plain, h.plural("ru", "handoff.position", 1)) {
		t.Errorf("joined message does not give the position:\n%s", m.Plain)
	}
	notice := expectText(t, vol, h.lead("en", "handoff.notify_new"))

	texts := []string{"Мужа задержали сегодня утром на отметке", "Он сейчас в офисе ICE в Майами"}
	var written []int
	written = append(written, user.Send(texts[0]))
	expectText(t, user, h.text("ru", "handoff.kept"))
	written = append(written, user.Send(texts[1]))
	written = append(written, user.SendPhoto("уведомление о явке"))
	// Written while waiting: the volunteer takes the chat after the bot has
	// kept all three (the user's chat and the volunteer's are handled in
	// parallel).
	h.waitKept(t, user.ID, 3)

	vol.Send("/next")
	m = expectText(t, vol, h.lead("en", "handoff.taken"))
	if got, want := ticketOf(t, m), ticketOf(t, notice); got != want {
		t.Errorf("took #%d, the notice was of #%d", got, want)
	}
	if !strings.Contains(m.Plain, h.plural("en", "handoff.taken_kept", 3)) {
		t.Errorf("taken message does not count the 3 messages:\n%s", m.Plain)
	}
	for i, kind := range []string{"text", "text", "photo"} {
		c := nextCopy(t, vol, user.ID, written[i], kind)
		if i < 2 && c.Plain != texts[i] {
			t.Errorf("copy %d reads %q, want %q", i, c.Plain, texts[i])
		}
	}
	expectText(t, user, h.text("ru", "handoff.vol_joined", "Name", "Anna"))

	// Both ways: text, a document and a voice note.
	nextCopy(t, vol, user.ID, user.Send("Вы здесь?"), "text")
	nextCopy(t, user, vol.ID, vol.Send("Hello, I am here to help. What is his A-number?"), "text")
	nextCopy(t, user, vol.ID, vol.SendDocument("g-28.pdf", "Please sign this form"), "document")
	nextCopy(t, user, vol.ID, vol.SendVoice(), "voice")
	nextCopy(t, vol, user.ID, user.SendDocument("notice.pdf", "Вот бумага"), "document")
	nextCopy(t, vol, user.ID, user.SendVoice(), "voice")
	nextCopy(t, vol, user.ID, user.SendLocation(25.7617, -80.1918), "location")
	nextCopy(t, user, vol.ID, vol.SendContact("+1 305 555 0100", "Legal aid office"), "contact")
	nextCopy(t, user, vol.ID, vol.SendVideo(), "video")

	// A message corrected by editing it reaches the volunteer as it now
	// reads, under the copy they got before.
	said := user.Send("Его A-номер 123-456-780")
	first := nextCopy(t, vol, user.ID, said, "text")
	threads := storage.NewThreads(h.rdb, h.cfg.RedisPrefix, time.Hour)
	waitFor(t, "the copy recorded", func() bool {
		_, _, err := threads.Counterpart(context.Background(), user.ID, said)
		return err == nil
	})
	user.Edit(said, "Его A-номер 123-456-789")
	expectText(t, vol, h.lead("en", "handoff.edited_user"))
	if c := nextCopy(t, vol, user.ID, said, "text"); c.Plain != "Его A-номер 123-456-789" || c.ReplyTo != first.ID {
		t.Errorf("the edit reached the volunteer as %q in reply to %d, want the new text under %d", c.Plain, c.ReplyTo, first.ID)
	}

	vol.Send("/done")
	expectText(t, vol, h.lead("en", "handoff.vol_done"))
	m = expectText(t, user, h.text("ru", "handoff.done"))
	// No case was reported from this chat: the report is offered, with
	// the menu; nobody is asked to rate the conversation.
	if len(m.Buttons) != 2 || len(m.Buttons[0]) != 1 || m.Buttons[0][0].Data != "m:report" || m.Buttons[1][0].Data != "m:menu" {
		t.Errorf("the closing message has buttons %+v: want the report and the menu only, no rating", m.Buttons)
	}

	for _, m := range user.Received() {
		if m.Method == "forwardMessage" {
			t.Errorf("the user got a forward, which shows the sender: %+v", m)
		}
		for _, secret := range []string{"Alexei", "Secretov", "alexei_secret", strconv.FormatInt(vol.ID, 10)} {
			if strings.Contains(m.Plain, secret) || strings.Contains(string(m.JSON), secret) {
				t.Errorf("the user saw the volunteer's %q in %q", secret, m.Plain)
			}
		}
	}

	var row struct {
		Chat    int64  `db:"chat_id"`
		Vol     int64  `db:"volunteer_id"`
		Outcome string `db:"outcome"`
		Wait    int    `db:"wait_seconds"`
	}
	if err := h.db.Get(&row, `SELECT chat_id, volunteer_id, outcome, wait_seconds FROM handoffs`); err != nil {
		t.Fatalf("handoff row: %v", err)
	}
	if row.Chat != user.ID || row.Vol != vol.ID || row.Outcome != flows.EndDone || row.Wait < 0 {
		t.Errorf("handoff row = %+v", row)
	}
	var dump []byte
	if err := h.db.QueryRow(`SELECT string_agg(h::text, ' ') FROM handoffs h`).Scan(&dump); err != nil {
		t.Fatal(err)
	}
	for _, s := range append(texts, "Вы здесь?", "A-number", "sign this form", "Вот бумага") {
		if bytes.Contains(dump, []byte(s)) {
			t.Errorf("the handoff history keeps message text %q", s)
		}
	}
}

// TestHandoffRaceEndToEnd: ten volunteers race /next on a hundred waiting
// chats, each closing a chat before taking the next: every chat is taken
// exactly once, and every user is told once that a volunteer joined.
func TestHandoffRaceEndToEnd(t *testing.T) {
	parallel(t)
	h := newHandoffHarness(t)
	const users, vols = 100, 10
	for i := range users {
		lang := "en"
		word := "human"
		if i%2 == 0 {
			lang, word = "ru", "человек"
		}
		h.tg.User(int64(7100000+i), lang).Send(word)
	}
	h.waitQueue(t, users)

	empty := h.text("en", "handoff.queue_empty")
	taken := h.lead("en", "handoff.taken")
	var mu sync.Mutex
	tickets := map[int][]int64{}
	var wg sync.WaitGroup
	errs := make(chan error, vols)
	for i := range vols {
		v := h.tg.User(int64(7100900+i), "en")
		h.addMember(t, v.ID, flows.RoleVolunteer)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				v.Send("/next")
				m, err := v.NextWithin(15 * time.Second)
				if err != nil {
					errs <- fmt.Errorf("volunteer %d after /next: %w", v.ID, err)
					return
				}
				if strings.Contains(m.Plain, empty) {
					return
				}
				s := ticketRe.FindStringSubmatch(m.Plain)
				if !strings.Contains(m.Plain, taken) || s == nil {
					errs <- fmt.Errorf("volunteer %d got %q after /next", v.ID, m.Plain)
					return
				}
				n, _ := strconv.Atoi(s[1])
				mu.Lock()
				tickets[n] = append(tickets[n], v.ID)
				mu.Unlock()
				v.Send("/done")
				if _, err := v.NextWithin(15 * time.Second); err != nil {
					errs <- fmt.Errorf("volunteer %d after /done: %w", v.ID, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(tickets) != users {
		t.Errorf("%d chats taken, want %d", len(tickets), users)
	}
	for n, by := range tickets {
		if len(by) != 1 {
			t.Errorf("chat #%d taken by %v", n, by)
		}
	}
	var rows, chats int
	if err := h.db.QueryRow(`SELECT count(*), count(DISTINCT chat_id) FROM handoffs WHERE outcome = 'done'`).Scan(&rows, &chats); err != nil {
		t.Fatal(err)
	}
	if rows != users || chats != users {
		t.Errorf("handoff rows: %d for %d chats, want %d for %d", rows, chats, users, users)
	}
	for i := range users {
		u := h.tg.User(int64(7100000+i), "")
		lang := map[bool]string{true: "ru", false: "en"}[i%2 == 0]
		// In order; on a slow machine the queue's "your place is now"
		// notices may come between them.
		expectText(t, u, h.text(lang, "handoff.joined"))
		nextUntil(t, u, h.text(lang, "handoff.vol_joined_anon"))
		nextUntil(t, u, h.text(lang, "handoff.done"))
	}
}

// TestHandoffStrangerEndToEnd: someone who is not a volunteer tries every
// volunteer command and gets, for each, exactly the answer to an unknown
// command: nothing of the queue, and nothing of the case of the user
// waiting in it.
func TestHandoffStrangerEndToEnd(t *testing.T) {
	parallel(t)
	h := newHandoffHarness(t)
	waiting := h.tg.User(7200001, "en")
	c := storeCase(t, h, waiting.ID)
	waiting.Send("human")
	expectText(t, waiting, h.text("en", "handoff.joined"))
	waiting.Send("Ali Rahimi, A-number 987654321, please help")
	expectText(t, waiting, h.text("en", "handoff.kept"))

	for _, lang := range []string{"en", "ru"} {
		s := h.tg.User(map[string]int64{"en": 7200100, "ru": 7200101}[lang], lang)
		s.Send("/nosuchcommand")
		unknown := s.Next(t)
		for _, cmd := range []string{
			"/queue", "/next", "/take 1", "/take", "/release", "/done", "/case", "/case " + c.Code,
			"/duty on", "/duty", "/name Mallory", "/switch", "/stats", "/volunteers",
			"/volunteers add 7200100 admin", "/volunteers remove 1", "/volunteers invite admin",
		} {
			s.Send(cmd)
			m := s.Next(t)
			if m.Plain != unknown.Plain || fmt.Sprint(m.Buttons) != fmt.Sprint(unknown.Buttons) {
				t.Errorf("%s %s got %q, want the unknown command's %q", lang, cmd, m.Plain, unknown.Plain)
			}
			for _, secret := range []string{c.Code, flows.FormatCode(c.Code), "Ali Rahimi", "987654321", "please help"} {
				if strings.Contains(m.Plain, secret) {
					t.Errorf("%s %s showed %q", lang, cmd, secret)
				}
			}
		}
	}
	if ws := h.queued(t); len(ws) != 1 || ws[0].ChatID != waiting.ID {
		t.Errorf("queue = %+v, want the user still waiting", ws)
	}
	if r, _ := storage.NewVolunteers(h.db).Role(context.Background(), 7200100); r != flows.RoleNone {
		t.Errorf("the stranger made themselves a %v", r)
	}
}

// fileUrgentReport files an English report with an urgent sign and returns
// the message that offers a volunteer at once, and the case code.
func fileUrgentReport(t *testing.T, h *harness, u *telegramtest.User) (*telegramtest.Message, string) {
	t.Helper()
	ask := func(id string) string { return firstLine(h.text("en", id, holes...)) }
	btn := func(id string) string { return h.label("en", id) }
	u.Send("/start")
	m := expectText(t, u, firstLine(h.text("en", "menu.greeting")))
	press(t, u, m, btn("btn.menu_report"))
	press(t, u, expectText(t, u, ask("ask.consent")), btn("btn.consent_yes"))
	h.dontKnow(t, u, "en", "triage")
	expectText(t, u, ask("ask.name"))
	u.Send("Maria Gonzalez")
	press(t, u, expectText(t, u, ask("ask.name_cyr")), btn("btn.skip"))
	h.dontKnow(t, u, "en", "name_other")
	expectText(t, u, ask("ask.birth_date"))
	for _, step := range []struct{ send, next string }{
		{"March 3, 1990", "ask.birth_country"},
		{"Venezuela", "ask.citizenship"},
		{"Venezuela", "ask.a_number"},
		{"a12345678", "ask.detained_on"},
		{"2026-11-02", "ask.circumstance"},
	} {
		u.Send(step.send)
		m = expectText(t, u, ask(step.next))
	}
	press(t, u, m, btn("circ.border"))
	press(t, u, expectText(t, u, ask("ask.details")), btn("btn.skip"))
	expectText(t, u, ask("ask.facility"))
	u.Send("south louisiana")
	press(t, u, u.Next(t), "South Louisiana")
	h.dontKnow(t, u, "en", "transfer")
	press(t, u, expectText(t, u, ask("ask.lawyer")), btn("btn.lawyer_no"))
	press(t, u, expectText(t, u, ask("ask.hearing")), btn("btn.hearing_unknown"))
	h.dontKnow(t, u, "en", "stage")
	press(t, u, expectText(t, u, ask("ask.appeals")), btn("btn.appeals_none"))
	h.dontKnow(t, u, "en", factsAfterAppeals...)
	m = expectText(t, u, ask("ask.urgent"))
	press(t, u, m, h.label("en", "urgent.flight"))
	press(t, u, u.Next(t), btn("btn.urgent_done"))
	expectText(t, u, ask("ask.reporter_name"))
	u.Send("Jose")
	expectText(t, u, ask("ask.relationship"))
	u.Send("brother")
	expectText(t, u, ask("ask.contact"))
	u.Send("@jose_g")
	h.dontKnow(t, u, "en", append(factsAfterContact, "facility_share")...)
	press(t, u, expectText(t, u, firstLine(h.text("en", "ask.review", "Lines", ""))), btn("btn.confirm"))
	done := u.Next(t)
	code := codeRe.FindString(done.Plain)
	if code == "" || !strings.Contains(done.Plain, h.text("en", "report.urgent_offer")) {
		t.Fatalf("no code or no urgent offer:\n%s", done.Plain)
	}
	return done, code
}

// TestHandoffQueueEndToEnd: an urgent report jumps the queue; /release
// puts a chat back at its head; a user leaves the queue.
func TestHandoffQueueEndToEnd(t *testing.T) {
	parallel(t)
	h := newHandoffHarness(t)
	vol := h.tg.User(7300501, "ru")
	h.addMember(t, vol.ID, flows.RoleVolunteer)
	first, second := h.tg.User(7300001, "en"), h.tg.User(7300002, "ru")
	first.Send("human")
	expectText(t, first, h.text("en", "handoff.joined"))
	second.Send("человек")
	leaveMsg := expectText(t, second, h.text("ru", "handoff.joined"))

	urgent := h.tg.User(7300003, "en")
	offer, code := fileUrgentReport(t, h, urgent)
	press(t, urgent, offer, h.label("en", "btn.volunteer_now"))
	m := expectText(t, urgent, h.text("en", "handoff.joined_urgent"))
	if !strings.Contains(m.Plain, h.plural("en", "handoff.position", 1)) {
		t.Errorf("the urgent chat is not first:\n%s", m.Plain)
	}
	chats := func() []int64 {
		var out []int64
		for _, w := range h.queued(t) {
			out = append(out, w.ChatID)
		}
		return out
	}
	if got, want := chats(), []int64{urgent.ID, first.ID, second.ID}; !slices.Equal(got, want) {
		t.Errorf("queue = %v, want %v", got, want)
	}

	vol.Send("/queue")
	m = expectText(t, vol, h.lead("ru", "handoff.queue"))
	lines := strings.Split(m.Plain, "\n")
	if len(lines) < 2 || !strings.Contains(lines[1], "срочно") || !strings.Contains(lines[1], code) {
		t.Errorf("/queue does not list the urgent chat with its case first:\n%s", m.Plain)
	}
	vol.Send("/next")
	m = expectText(t, vol, h.lead("ru", "handoff.taken"))
	if !strings.Contains(m.Plain, code) {
		t.Errorf("took a chat without the urgent case %s:\n%s", code, m.Plain)
	}
	expectText(t, urgent, h.text("en", "handoff.vol_joined_anon"))
	vol.Send("/case")
	m = expectText(t, vol, h.lead("ru", "handoff.case"))
	if !m.Protected {
		t.Error("the /case card was sent without protect_content")
	}
	for _, want := range []string{code, "Maria Gonzalez", "@jose_g"} {
		if !strings.Contains(m.Plain, want) {
			t.Errorf("/case does not show %q:\n%s", want, m.Plain)
		}
	}

	// /release: back at the head of the queue.
	vol.Send("/release")
	expectText(t, vol, h.lead("ru", "handoff.vol_released"))
	m = expectText(t, urgent, h.text("en", "handoff.released"))
	if !strings.Contains(m.Plain, h.plural("en", "handoff.position", 1)) {
		t.Errorf("the released chat is not first:\n%s", m.Plain)
	}

	// A user leaves the queue.
	press(t, second, leaveMsg, h.label("ru", "btn.handoff_leave"))
	expectText(t, second, h.text("ru", "handoff.left"))
	if got, want := chats(), []int64{urgent.ID, first.ID}; !slices.Equal(got, want) {
		t.Errorf("queue = %v, want %v", got, want)
	}
	vol.Send("/next")
	expectText(t, vol, h.lead("ru", "handoff.taken"))
	expectText(t, urgent, h.text("en", "handoff.vol_joined_anon"))
	vol.Send("/done")
	expectText(t, vol, h.lead("ru", "handoff.vol_done"))
	vol.Send("/next")
	expectText(t, vol, h.lead("ru", "handoff.taken"))
	expectText(t, first, h.text("en", "handoff.vol_joined_anon"))
	vol.Send("/next")
	expectText(t, vol, h.plural("ru", "handoff.busy", 1))
}

// TestHandoffTimersEndToEnd runs the timers with short durations: a chat
// waiting too long is escalated to coordinators; a silent volunteer is
// reminded, then the chat goes back to the queue and the user is told.
func TestHandoffTimersEndToEnd(t *testing.T) {
	parallel(t)
	h := newHandoffHarness(t, withConfig(func(c *config) {
		c.HandoffTick = 50 * time.Millisecond
		c.HandoffRemind = 300 * time.Millisecond
		c.HandoffReturn = 300 * time.Millisecond
		c.HandoffEscalate = 300 * time.Millisecond
	}))
	coord := h.tg.User(7400601, "ru")
	h.addMember(t, coord.ID, flows.RoleCoordinator)
	admin := h.tg.User(handoffAdmin, "en")
	vol := h.tg.User(7400501, "en")
	h.addMember(t, vol.ID, flows.RoleVolunteer)
	user := h.tg.User(7400001, "en")
	// The bot knows a member's language once they have written to it.
	coord.Send("/stats")
	expectText(t, coord, h.lead("ru", "handoff.stats"))

	user.Send("human")
	expectText(t, user, h.text("en", "handoff.joined"))
	m := expectText(t, coord, h.lead("ru", "handoff.escalate"))
	expectText(t, admin, h.lead("en", "handoff.escalate"))
	ticket := ticketOf(t, m)

	vol.Send(fmt.Sprintf("/take %d", ticket))
	// The reminder's 300 ms count from the take, which is written before
	// the answer to /take is committed: on a loaded machine the reminder
	// can come first (in production it comes ten minutes later).
	taken, remind := h.lead("en", "handoff.taken"), h.lead("en", "handoff.remind")
	first := vol.Next(t)
	for isAnnouncement(first) {
		first = vol.Next(t)
	}
	if !strings.Contains(first.Plain, taken) {
		expectText(t, vol, taken)
	}
	expectText(t, user, h.text("en", "handoff.vol_joined_anon"))
	if strings.Contains(first.Plain, taken) {
		expectText(t, vol, remind)
	} else if !strings.Contains(first.Plain, remind) {
		t.Fatalf("volunteer got %q, want the answer to /take or the reminder", first.Plain)
	}
	expectText(t, vol, h.lead("en", "handoff.vol_returned"))
	expectText(t, user, h.text("en", "handoff.returned"))
	var outcome string
	if err := h.db.Get(&outcome, `SELECT outcome FROM handoffs`); err != nil || outcome != flows.EndSilent {
		t.Errorf("handoff outcome = %q, %v; want %q", outcome, err, flows.EndSilent)
	}
	if ws := h.queued(t); len(ws) != 1 || ws[0].ChatID != user.ID || !ws[0].Returned {
		t.Errorf("queue = %+v, want the chat back", ws)
	}
}

// TestHandoffRestartEndToEnd: the bot restarts in the middle of a handoff;
// the pairing holds and messages flow both ways.
func TestHandoffRestartEndToEnd(t *testing.T) {
	parallel(t)
	h := newHandoffHarness(t)
	vol := h.tg.User(7500501, "en")
	h.addMember(t, vol.ID, flows.RoleVolunteer)
	user := h.tg.User(7500001, "ru")
	user.Send("человек")
	expectText(t, user, h.text("ru", "handoff.joined"))
	vol.Send("/next")
	expectText(t, vol, h.lead("en", "handoff.taken"))
	expectText(t, user, h.text("ru", "handoff.vol_joined_anon"))
	nextCopy(t, vol, user.ID, user.Send("Здравствуйте"), "text")

	h.restart()

	nextCopy(t, user, vol.ID, vol.Send("Hello, how can I help?"), "text")
	nextCopy(t, vol, user.ID, user.SendPhoto("вот документ"), "photo")
	h.restart()
	vol.Send("/done")
	expectText(t, vol, h.lead("en", "handoff.vol_done"))
	expectText(t, user, h.text("ru", "handoff.done"))
}

// TestHandoffBlockedVolunteerEndToEnd: a volunteer blocks the bot; the
// user's next message cannot reach them (403), the chat goes back to the
// head of the queue, and the next volunteer sees that message.
func TestHandoffBlockedVolunteerEndToEnd(t *testing.T) {
	parallel(t)
	h := newHandoffHarness(t)
	vol, vol2 := h.tg.User(7600501, "en"), h.tg.User(7600502, "ru")
	h.addMember(t, vol.ID, flows.RoleVolunteer)
	h.addMember(t, vol2.ID, flows.RoleVolunteer)
	vol2.Send("/duty on")
	expectText(t, vol2, h.text("ru", "handoff.duty", "On", true))
	user := h.tg.User(7600001, "en")
	user.Send("human")
	expectText(t, user, h.text("en", "handoff.joined"))
	expectText(t, vol2, h.lead("ru", "handoff.notify_new"))
	vol.Send("/next")
	expectText(t, vol, h.lead("en", "handoff.taken"))
	expectText(t, user, h.text("en", "handoff.vol_joined_anon"))

	vol.Block(true)
	lost := user.Send("Are you there? They are moving him tonight")
	m := expectText(t, user, h.text("en", "handoff.returned_away"))
	if !strings.Contains(m.Plain, h.plural("en", "handoff.position", 1)) {
		t.Errorf("the chat is not first in the queue:\n%s", m.Plain)
	}
	expectText(t, vol2, h.lead("ru", "handoff.notify_returned"))
	vol2.Send("/next")
	expectText(t, vol2, h.lead("ru", "handoff.taken"))
	nextCopy(t, vol2, user.ID, lost, "text")
	expectText(t, user, h.text("en", "handoff.vol_joined_anon"))
	nextCopy(t, user, vol2.ID, vol2.Send("I am here now"), "text")
	if v, _ := storage.NewVolunteers(h.db).Get(context.Background(), vol.ID); v.OnDuty {
		t.Error("the volunteer who blocked the bot is on duty")
	}
}

// TestHandoffVolunteersCommand: `hotline volunteers add|list|remove`.
func TestHandoffVolunteersCommand(t *testing.T) {
	parallel(t)
	dbURL := storagetest.PostgresURL(t)
	env := func(k string) string {
		switch k {
		case "DATABASE_URL":
			return dbURL
		case "HOTLINE_ADMINS":
			return "42"
		}
		return ""
	}
	runCmd := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"volunteers"}, args...), env, &out, &errOut)
		return code, out.String(), errOut.String()
	}
	for _, tt := range []struct {
		args       []string
		code       int
		out, inErr string
	}{
		{[]string{"add", "123"}, 0, "123 is now a volunteer", ""},
		{[]string{"add", "456", "coordinator"}, 0, "456 is now a coordinator", ""},
		{[]string{"add", "789", "boss"}, 2, "", "usage"},
		{[]string{"add", "abc"}, 2, "", "usage"},
		{[]string{"list"}, 0, "coordinator", ""},
		{[]string{"remove", "123"}, 0, "123 removed", ""},
		{[]string{"remove", "123"}, 1, "", "not a volunteer"},
		{[]string{"frobnicate"}, 2, "", "usage"},
	} {
		code, out, errOut := runCmd(tt.args...)
		if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errOut, tt.inErr) {
			t.Errorf("volunteers %v = %d, %q, %q; want %d, %q, %q", tt.args, code, out, errOut, tt.code, tt.out, tt.inErr)
		}
	}
	_, out, _ := runCmd("list")
	if strings.Contains(out, "123") || !strings.Contains(out, "42") {
		t.Errorf("list after remove:\n%s", out)
	}
}

// TestNobodyGetsCases: a bot whose cases would reach no one (no forum, no
// admin, no coordinator, nobody on duty) says so at start and in /readyz,
// with how to add one; a coordinator added, /readyz says it no more, and a
// report is stored either way.
func TestNobodyGetsCases(t *testing.T) {
	parallel(t)
	h := newHarness(t)
	const line = "nobody receives new cases"
	waitFor(t, "the warning in the log", func() bool { return strings.Contains(h.log.String(), line) })
	if body := h.get("/readyz"); !strings.Contains(body, line) || !strings.Contains(body, "hotline volunteers add") {
		t.Errorf("/readyz with nobody to receive cases says %q", body)
	}
	fileReport(t, h, h.tg.User(7790001, "ru"))
	h.addMember(t, 7790100, flows.RoleCoordinator)
	if body := h.get("/readyz"); strings.Contains(body, line) || !strings.Contains(body, "ready") {
		t.Errorf("/readyz with a coordinator says %q", body)
	}
}
