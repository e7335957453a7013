package e2e

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hotline/bot/telegramtest"
	"hotline/flows"
	"hotline/internal/pipeline"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// Casework end to end: the real bot against the fake Telegram.

// cardHead is the start of a case card in lang, for the case code.
func (h *harness) cardHead(lang, code string) string {
	return plain(h.cat.Render(lang, flows.T("casework.line_head", "Code", flows.FormatCode(code),
		"Status", flows.T("status.name.new"), "Urgent", false, "New", true)))
}

// cardsOf counts the announcements of a case a user got.
func cardsOf(u *telegramtest.User, code string) int {
	n := 0
	for _, m := range u.Received() {
		if m.Method == "sendMessage" && strings.Contains(m.Plain, flows.FormatCode(code)) && hasData(m, "cw.:t:"+code) {
			n++
		}
	}
	return n
}

func hasData(m *telegramtest.Message, data string) bool {
	for _, row := range m.Buttons {
		for _, b := range row {
			if b.Data == data {
				return true
			}
		}
	}
	return false
}

// crasher plays a bot killed between storing a case and committing the
// update that confirmed it: the handler has stored the case in Postgres,
// and then nothing this process decided — the replies, the announcement,
// the session — is ever committed: it fails every update from then on,
// until the test restarts the bot. The confirm stays in the inbox for the
// next process, which finds the case stored by the draft's id.
type crasher struct {
	mu    sync.Mutex
	armed int64 // the reporter whose confirm is cut off; 0 for none
	hit   chan struct{}
}

func (c *crasher) wrap(next pipeline.Handler) pipeline.Handler {
	var dead atomic.Bool // this process
	return func(ctx context.Context, u pipeline.Update) ([]pipeline.Call, error) {
		if dead.Load() {
			return nil, errors.New("crashed")
		}
		calls, err := next(ctx, u)
		if err != nil || !c.take(u) {
			return calls, err
		}
		dead.Store(true)
		close(c.hit)
		return nil, errors.New("crashed before the commit")
	}
}

func (c *crasher) take(u pipeline.Update) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	cq := u.Raw.CallbackQuery
	if c.armed == 0 || cq == nil || cq.From.ID != c.armed || !strings.HasSuffix(cq.Data, ":review:ok") {
		return false
	}
	c.armed = 0
	return true
}

// TestCaseworkAnnounceEndToEnd: five reports with a volunteer on duty are
// each announced once to that volunteer and to the coordinators (off
// duty, in Russian), never to a volunteer off duty; then the bot dies
// between storing a sixth case and committing its announcement, and is
// restarted: the reporter gets the code and everyone exactly one
// announcement.
func TestCaseworkAnnounceEndToEnd(t *testing.T) {
	takesLong(t, 15*time.Second)
	cr := &crasher{hit: make(chan struct{})}
	h := newHandoffHarness(t, withConfig(func(c *config) { c.handler = cr.wrap }))
	vol, coord, admin := h.tg.User(7700501, "en"), h.tg.User(7700601, "ru"), h.tg.User(handoffAdmin, "en")
	off := h.tg.User(7700502, "en")
	h.addMember(t, vol.ID, flows.RoleVolunteer)
	h.addMember(t, off.ID, flows.RoleVolunteer)
	h.addMember(t, coord.ID, flows.RoleCoordinator)
	vol.Send("/duty on")
	expectText(t, vol, h.text("en", "handoff.duty", "On", true))
	coord.Send("/duty off")
	expectText(t, coord, h.text("ru", "handoff.duty", "On", false))

	var codes []string
	for i := range 5 {
		codes = append(codes, fileReport(t, h, h.tg.User(int64(7700001+i), "ru")))
	}
	cr.mu.Lock()
	reporter := h.tg.User(7700010, "ru")
	cr.armed = reporter.ID
	cr.mu.Unlock()
	restarted := make(chan struct{})
	go func() {
		defer close(restarted)
		<-cr.hit
		h.restart()
	}()
	codes = append(codes, fileReport(t, h, reporter))
	<-restarted
	drained(t, h)

	for _, code := range codes {
		for _, u := range []*telegramtest.User{vol, coord, admin} {
			if n := cardsOf(u, code); n != 1 {
				t.Errorf("user %d got %d announcements of %s, want 1", u.ID, n, code)
			}
		}
		if n := cardsOf(off, code); n != 0 {
			t.Errorf("the volunteer off duty got %d announcements of %s", n, code)
		}
	}
	for _, m := range coord.Received() {
		if strings.Contains(m.Plain, "Case ") {
			t.Errorf("the Russian coordinator got an English card:\n%s", m.Plain)
		}
	}
	var n int
	if err := h.db.Get(&n, `SELECT count(*) FROM cases`); err != nil || n != 6 {
		t.Errorf("%d cases, want 6 (%v)", n, err)
	}
}

// TestCaseworkTakeRaceEndToEnd: ten volunteers on duty press "Take the
// case" on the announcement at once: one owns it, nine are told who has
// it, every card is redrawn in place with its owner and without Take (the
// pipeline told the flows which message each card became), the reporter
// is told once that a volunteer picked it up.
func TestCaseworkTakeRaceEndToEnd(t *testing.T) {
	parallel(t)
	h := newHandoffHarness(t)
	var vols []*telegramtest.User
	for i := range 10 {
		v := h.tg.User(int64(7800501+i), "en")
		h.addMember(t, v.ID, flows.RoleVolunteer)
		v.Send("/name Vol" + strconv.Itoa(i))
		expectText(t, v, h.text("en", "handoff.name_set", "Name", "Vol"+strconv.Itoa(i)))
		v.Send("/duty on")
		expectText(t, v, h.text("en", "handoff.duty", "On", true))
		vols = append(vols, v)
	}
	reporter := h.tg.User(7800001, "ru")
	code := fileReport(t, h, reporter)
	cards := make([]*telegramtest.Message, len(vols))
	for i, v := range vols {
		cards[i] = expectText(t, v, h.cardHead("en", code))
	}
	var wg sync.WaitGroup
	for i, v := range vols {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v.PressData(cards[i].ID, "cw.:t:"+code)
		}()
	}
	wg.Wait()
	// Each gets an answer and their card redrawn, in either order.
	took := h.text("en", "casework.took", "Code", flows.FormatCode(code), "Find", false)
	winner := -1
	answers := make([]string, len(vols))
	redrawn := make([]*telegramtest.Message, len(vols))
	for i, v := range vols {
		for answers[i] == "" || redrawn[i] == nil {
			m := v.Next(t)
			if m.Edited {
				redrawn[i] = m
				continue
			}
			answers[i] = m.Plain
		}
		if strings.HasPrefix(answers[i], took) {
			if winner >= 0 {
				t.Errorf("volunteers %d and %d both took the case", winner, i)
			}
			winner = i
		}
	}
	if winner < 0 {
		t.Fatalf("nobody took the case: %q", answers)
	}
	for i, a := range answers {
		// Every card redrawn in place: owned, no Take button.
		if m := redrawn[i]; m.ID != cards[i].ID || hasData(m, "cw.:t:"+code) || !strings.Contains(m.Plain, "Owner: Vol"+strconv.Itoa(winner)) {
			t.Errorf("volunteer %d: message %d edited to %q, want their card %d redrawn without Take", i, m.ID, m.Plain, cards[i].ID)
		}
		if i == winner {
			continue
		}
		if want := h.text("en", "casework.taken_by", "Code", flows.FormatCode(code), "Name", "Vol"+strconv.Itoa(winner)); a != want {
			t.Errorf("volunteer %d was told %q, want %q", i, a, want)
		}
	}
	expectText(t, reporter, h.text("ru", "casework.reporter_taken", "Code", flows.FormatCode(code)))
	drained(t, h)
	told := 0
	for _, m := range reporter.Received() {
		if strings.Contains(m.Plain, h.text("ru", "casework.reporter_taken", "Code", flows.FormatCode(code))) {
			told++
		}
		if strings.Contains(m.Plain, "Vol") {
			t.Errorf("the reporter learnt who took the case: %q", m.Plain)
		}
	}
	if told != 1 {
		t.Errorf("the reporter was told %d times, want once", told)
	}
}

// TestCaseworkEscalationEndToEnd: an urgent case nobody takes goes to the
// coordinators after the configured time, marked as waiting, and again
// later.
func TestCaseworkEscalationEndToEnd(t *testing.T) {
	parallel(t)
	h := newHandoffHarness(t, withConfig(func(c *config) {
		c.HandoffTick = 50 * time.Millisecond
		c.CaseEscalateUrgent = 500 * time.Millisecond
	}))
	coord := h.tg.User(7900601, "ru")
	h.addMember(t, coord.ID, flows.RoleCoordinator)
	coord.Send("/duty off")
	expectText(t, coord, h.text("ru", "handoff.duty", "On", false))
	reporter := h.tg.User(7900001, "en")
	_, code := fileUrgentReport(t, h, reporter)
	code = strings.ReplaceAll(code, "-", "")
	m := coord.Next(t)
	if !hasData(m, "cw.:t:"+code) {
		t.Fatalf("the coordinator was not told of the urgent case: %q", m.Plain)
	}
	waiting := h.lead("ru", "casework.escalated")
	first := expectText(t, coord, waiting)
	second := expectText(t, coord, waiting)
	for _, m := range []*telegramtest.Message{first, second} {
		if !strings.Contains(m.Plain, flows.FormatCode(code)) || !hasData(m, "cw.:t:"+code) {
			t.Errorf("escalation without the case or its Take button:\n%s", m.Plain)
		}
	}
	// Counted once its messages are in the outbox: a moment after they
	// may have arrived.
	eventually(t, "two escalations counted", func() error {
		var n int
		if err := h.db.Get(&n, `SELECT escalations FROM cases`); err != nil || n < 2 {
			return fmt.Errorf("escalations = %d (%v), want 2 or more", n, err)
		}
		return nil
	})
	press(t, coord, second, h.label("ru", "btn.case_take", "Code", flows.FormatCode(code)))
	expectText(t, coord, h.text("ru", "casework.took", "Code", flows.FormatCode(code), "Find", false))
}

// seedCases stores n cases straight into Postgres for the board.
func seedCases(t *testing.T, h *harness, n int) []flows.Case {
	t.Helper()
	ctx := context.Background()
	cases := storage.NewCases(h.db, storagetest.Keys(t))
	work := storage.NewCasework(h.db, storagetest.Keys(t))
	var out []flows.Case
	for i := range n {
		r := &flows.Report{DraftID: "seed-" + strconv.Itoa(i), Consent: true, NameLatin: "Seed Person",
			ReporterUserID: int64(8000000 + i), ReporterChatID: int64(8000000 + i), Lang: "ru",
			FacilityText: "Jail " + strconv.Itoa(i%3)}
		if i%4 == 0 {
			r.Urgent = []string{"medical"}
		}
		c, err := cases.Create(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if i%6 == 0 {
			// Within the board's 7 days, past the reminders' 3: no
			// reminder races the board's messages.
			if err := work.SetDate(ctx, c.ID, flows.DateHearing, time.Now().UTC().AddDate(0, 0, 5).Format(time.DateOnly), ""); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, c)
	}
	return out
}

// boardCodes presses a filter and reads every page; it returns the codes
// shown and the count on the filter's button.
func boardCodes(t *testing.T, h *harness, u *telegramtest.User, menu *telegramtest.Message, caption string) (map[string]bool, int) {
	t.Helper()
	var btn telegramtest.Button
	for _, row := range menu.Buttons {
		for _, b := range row {
			if strings.HasPrefix(b.Text, caption) {
				btn = b
			}
		}
	}
	if btn.Data == "" {
		t.Fatalf("no filter %q in %v", caption, menu.Buttons)
	}
	i, j := strings.LastIndex(btn.Text, "("), strings.LastIndex(btn.Text, ")")
	count, _ := strconv.Atoi(btn.Text[i+1 : j])
	codes := map[string]bool{}
	u.PressData(menu.ID, btn.Data)
	for {
		m := u.Next(t)
		for _, row := range m.Buttons {
			for _, b := range row {
				if strings.HasPrefix(b.Data, "cw.:o:") {
					codes[strings.TrimPrefix(b.Data, "cw.:o:")] = true
				}
			}
		}
		more := ""
		for _, row := range m.Buttons {
			for _, b := range row {
				if b.Text == h.label("en", "btn.board_more") {
					more = b.Data
				}
			}
		}
		if more == "" {
			return codes, count
		}
		u.PressData(m.ID, more)
	}
}

// TestCaseworkBoardEndToEnd: /cases on 30 seeded cases, a volunteer owning
// some: every filter lists exactly the cases its button counts, paging
// reaches all of them; /stats counts them.
func TestCaseworkBoardEndToEnd(t *testing.T) {
	parallel(t)
	h := newHandoffHarness(t)
	seeded := time.Now().UTC()
	cases := seedCases(t, h, 30)
	vol := h.tg.User(8100501, "en")
	h.addMember(t, vol.ID, flows.RoleVolunteer)
	mine := map[string]bool{}
	for i, c := range cases {
		if i%5 == 0 {
			vol.Send("/take_case " + c.Code)
			expectText(t, vol, h.text("en", "casework.took", "Code", flows.FormatCode(c.Code), "Find", false))
			mine[c.Code] = true
		}
	}
	vol.Send("/cases")
	menu := expectText(t, vol, h.text("en", "casework.board"))
	want := map[string]func(i int) bool{
		"🆕": func(i int) bool { return i%5 != 0 },
		"👤": func(i int) bool { return i%5 == 0 },
		"🔴": func(i int) bool { return i%4 == 0 },
		"📅": func(i int) bool { return i%6 == 0 },
		"💤": func(i int) bool { return false },
	}
	for caption, f := range want {
		got, count := boardCodes(t, h, vol, menu, caption)
		n := 0
		for i, c := range cases {
			if f(i) != got[c.Code] {
				t.Errorf("filter %s: case %d shown %v", caption, i, got[c.Code])
			}
			if f(i) {
				n++
			}
		}
		if count != n || len(got) != n {
			t.Errorf("filter %s: button says %d, %d listed, want %d", caption, count, len(got), n)
		}
	}
	admin := h.tg.User(handoffAdmin, "en")
	admin.Send("/stats")
	m := nextWith(t, admin, h.lead("en", "handoff.stats"))
	today := "30 new today"
	if time.Now().UTC().YearDay() != seeded.YearDay() {
		today = "30 in the last 7 days" // seeded before midnight UTC, counted after it
	}
	for _, want := range []string{today, "Untaken: 24", "(6 taken)"} {
		if !strings.Contains(m.Plain, want) {
			t.Errorf("/stats lacks %q:\n%s", want, m.Plain)
		}
	}
}

// nextWith waits for the user's next message that contains part, passing
// over others (the timers' reminders).
func nextWith(t *testing.T, u *telegramtest.User, part string) *telegramtest.Message {
	t.Helper()
	for range 20 {
		if m := u.Next(t); strings.Contains(m.Plain, part) {
			return m
		}
	}
	t.Fatalf("user %d got no message with %q", u.ID, part)
	return nil
}

// clock is a settable clock for the bot's flows.
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// TestCaseworkNewsEndToEnd: a reporter sends "moved to Krome" and a
// deportation date two days away: the owner is told at once of each, the
// case becomes urgent and shows on the dates filter; the reminders at 3
// days and at 1 day come once each (a fake clock moves the days).
func TestCaseworkNewsEndToEnd(t *testing.T) {
	parallel(t)
	clk := &clock{}
	h := newHandoffHarness(t, withConfig(func(c *config) {
		c.now = clk.now
		c.HandoffTick = 50 * time.Millisecond
	}))
	vol := h.tg.User(8200501, "en")
	h.addMember(t, vol.ID, flows.RoleVolunteer)
	vol.Send("/duty on")
	expectText(t, vol, h.text("en", "handoff.duty", "On", true))
	reporter := h.tg.User(8200001, "ru")
	code := fileReport(t, h, reporter)
	card := expectText(t, vol, h.cardHead("en", code))
	press(t, vol, card, h.label("en", "btn.case_take", "Code", flows.FormatCode(code)))
	expectText(t, vol, h.text("en", "casework.took", "Code", flows.FormatCode(code), "Find", false))
	expectText(t, reporter, h.text("ru", "casework.reporter_taken", "Code", flows.FormatCode(code)))

	reporter.Send("/start")
	m := expectText(t, reporter, firstLine(h.text("ru", "menu.greeting")))
	press(t, reporter, m, h.label("ru", "btn.menu_news"))
	m = expectText(t, reporter, h.text("ru", "casework.news_kind", "Code", flows.FormatCode(code)))
	press(t, reporter, m, h.label("ru", "btn.news_moved"))
	expectText(t, reporter, h.text("ru", "casework.news_fac", "Code", flows.FormatCode(code)))
	reporter.Send("Krome")
	press(t, reporter, reporter.Next(t), "Krome")
	expectText(t, reporter, h.text("ru", "casework.news_saved", "Code", flows.FormatCode(code)))
	m = expectText(t, vol, h.lead("en", "casework.news_owner"))
	if !strings.Contains(m.Plain, "Krome") {
		t.Errorf("the owner's news lacks Krome:\n%s", m.Plain)
	}

	reporter.Send("/news")
	m = expectText(t, reporter, h.text("ru", "casework.news_kind", "Code", flows.FormatCode(code)))
	press(t, reporter, m, h.label("ru", "btn.news_deportation"))
	reporter.Next(t)
	day := clk.now().UTC().AddDate(0, 0, 2)
	reporter.Send(day.Format("02.01.2006"))
	expectText(t, reporter, h.text("ru", "casework.news_saved", "Code", flows.FormatCode(code)))
	// The owner hears of the news, and the tick that runs next reminds
	// them of the date, 2 days away (within 3): in either order.
	remind := h.lead("en", "casework.remind")
	got2 := map[string]bool{}
	for range 2 {
		m := vol.Next(t)
		for _, want := range []string{h.lead("en", "casework.news_owner"), remind} {
			if strings.Contains(m.Plain, want) {
				got2[want] = true
			}
		}
	}
	if len(got2) != 2 {
		t.Fatalf("the owner got %v, want the news and the reminder", got2)
	}

	vol.Send("/cases")
	menu := expectText(t, vol, h.text("en", "casework.board"))
	got, count := boardCodes(t, h, vol, menu, "📅")
	if !got[code] || count != 1 {
		t.Errorf("dates filter: %v, count %d; want the case", got, count)
	}
	got, _ = boardCodes(t, h, vol, menu, "🔴")
	if !got[code] {
		t.Error("the case is not urgent after a transfer and a deportation date")
	}

	clk.advance(24 * time.Hour)
	m = expectText(t, vol, remind)
	if !strings.Contains(m.Plain, h.plural("en", "casework.in_days", 1)) {
		t.Errorf("the second reminder is not a day before:\n%s", m.Plain)
	}
	clk.advance(time.Hour)
	drained(t, h)
	n := 0
	for _, m := range vol.Received() {
		if strings.HasPrefix(m.Plain, remind) {
			n++
		}
	}
	var claims int
	if err := h.db.Get(&claims, `SELECT count(*) FROM case_reminders`); err != nil {
		t.Fatal(err)
	}
	if n != 2 || claims != 2 {
		t.Errorf("%d reminders sent, %d claimed; want 2 and 2", n, claims)
	}
	// The reporter's news is never public: a friend sees none of it.
	friend := h.tg.User(8200002, "en")
	friend.Send("/check " + code)
	m = expectText(t, friend, plain(h.cat.Render("en", flows.T("check.header", "Code", flows.FormatCode(code)))))
	if strings.Contains(m.Plain, "Krome") || strings.Contains(m.Plain, fmt.Sprintf("%s %d,", day.Month(), day.Day())) {
		t.Errorf("the friend saw the reporter's news:\n%s", m.Plain)
	}
}
