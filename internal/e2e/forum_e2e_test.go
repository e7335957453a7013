package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"hotline/bot"
	"hotline/bot/telegramtest"
	"hotline/flows"
	"hotline/internal/pipeline"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// The team's forum end to end: a topic per case in the hotline's
// supergroup, through the fake Telegram's forum topics.

// forumID is the team's supergroup in these tests.
const forumID = -1009000000001

// newForumHarness runs a bot whose team works in a forum: a supergroup with
// topics, the bot an admin with the rights it needs, set up before the bot
// starts. fns adjust the group further.
func newForumHarness(t *testing.T, opts ...harnessOption) (*harness, *telegramtest.Group) {
	t.Helper()
	var g *telegramtest.Group
	h := newHandoffHarness(t, append([]harnessOption{
		withConfig(func(c *config) { c.ForumChat = forumID }),
		func(s *harnessSetup) {
			s.tgSetup = append(s.tgSetup, func(tg *telegramtest.Server) {
				g = tg.Group(forumID, "Hotline team")
				g.SetForum(true)
				g.MakeBotAdmin(tg.User(handoffAdmin, "en"), telegramtest.AllRights())
			})
		},
	}, opts...)...)
	return h, g
}

// topicOf returns the case's topic, waiting for it to be made.
func topicOf(t *testing.T, g *telegramtest.Group, code string) telegramtest.Topic {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		for _, tp := range g.Topics() {
			if strings.Contains(tp.Name, flows.FormatCode(code)) {
				return tp
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no topic of case %s; topics: %+v", code, g.Topics())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// inTopic returns the bot's messages in a topic made by method ("" any),
// in order; edits are left out.
func inTopic(g *telegramtest.Group, thread int, method string) []*telegramtest.Message {
	var out []*telegramtest.Message
	for _, m := range g.Received() {
		if m.ThreadID == thread && !m.Edited && (method == "" || m.Method == method) {
			out = append(out, m)
		}
	}
	return out
}

// cardsIn returns the case cards posted in a topic.
func cardsIn(g *telegramtest.Group, thread int, code string) []*telegramtest.Message {
	var out []*telegramtest.Message
	for _, m := range inTopic(g, thread, "sendMessage") {
		if hasData(m, "cw.:w:"+code) {
			out = append(out, m)
		}
	}
	return out
}

// waitFor polls cond until it holds, failing the test after 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 20 s for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestForumTopicPerCase: three reports make three topics, each named by
// its case with no person's name, its card posted and pinned; the bot is
// restarted after the first topic is made and before its card could be
// posted (Telegram refuses the group's messages meanwhile): still one topic
// and one card per case. Nobody gets the card in a private chat.
func TestForumTopicPerCase(t *testing.T) {
	parallel(t)
	// No timers: the summary they post would meet the refused messages
	// first. A short flush: the stopping bot need not keep retrying the
	// refused card.
	h, g := newForumHarness(t, withConfig(func(c *config) { c.HandoffTick = time.Hour }),
		withPipeline(func(o *pipeline.Options) { o.FlushTimeout = 500 * time.Millisecond }))
	vol := h.tg.User(7710501, "en")
	h.addMember(t, vol.ID, flows.RoleVolunteer)
	vol.Send("/duty on")
	expectText(t, vol, h.text("en", "handoff.duty", "On", true))

	h.tg.Fault(telegramtest.Fault{Method: "sendMessage", ChatID: forumID, Status: 502})
	first := fileReport(t, h, h.tg.User(7710001, "ru"))
	topicOf(t, g, first)
	waitFor(t, "the card refused", func() bool { return h.tg.Stats().Faults > 0 })
	h.restart()
	h.tg.ClearFaults()
	codes := []string{first}
	for i := 1; i < 3; i++ {
		codes = append(codes, fileReport(t, h, h.tg.User(int64(7710001+i), "ru")))
	}
	drained(t, h)

	if n := len(g.Topics()); n != 3 {
		t.Fatalf("%d topics, want 3: %+v", n, g.Topics())
	}
	for _, code := range codes {
		tp := topicOf(t, g, code)
		if strings.Contains(tp.Name, "Ivan") || strings.Contains(tp.Name, "Петров") {
			t.Errorf("topic title %q names the person", tp.Name)
		}
		cards := cardsIn(g, tp.ID, code)
		if len(cards) != 1 {
			t.Errorf("case %s: %d cards in its topic, want 1", code, len(cards))
			continue
		}
		if !strings.Contains(cards[0].Plain, flows.FormatCode(code)) || !cards[0].Protected {
			t.Errorf("case %s: card %q (protected %v)", code, cards[0].Plain, cards[0].Protected)
		}
		if p := g.Pinned(tp.ID); p != cards[0].ID {
			t.Errorf("case %s: message %d pinned in its topic, want the card %d", code, p, cards[0].ID)
		}
		if n := cardsOf(vol, code); n != 0 {
			t.Errorf("the volunteer on duty got %d private announcements of %s", n, code)
		}
	}
	var n int
	if err := h.db.Get(&n, `SELECT count(*) FROM forum_topics WHERE card_id <> 0 AND pinned`); err != nil || n != 3 {
		t.Errorf("%d topics recorded with a pinned card, want 3 (%v)", n, err)
	}
}

// TestForumConversation: a team member writes in the case's topic; the
// relative gets it from the bot, without the member's name, and what they
// send back (text, photo, voice) lands in that topic. A second member
// carries on after a "shift change", replying to the relative's message:
// the relative sees one conversation, the reply threaded. A "!" line stays
// in the group as an internal note.
func TestForumConversation(t *testing.T) {
	parallel(t)
	h, g := newForumHarness(t)
	anna, boris := h.tg.User(7720501, "en"), h.tg.User(7720502, "ru")
	anna.SetName("Anna", "Volunteer", "anna_vol")
	boris.SetName("Boris", "Volunteer", "boris_vol")
	for _, v := range []*telegramtest.User{anna, boris} {
		h.addMember(t, v.ID, flows.RoleVolunteer)
		g.Join(v)
	}
	reporter := h.tg.User(7720001, "ru")
	code := fileReport(t, h, reporter)
	tp := topicOf(t, g, code)
	drained(t, h)
	before := len(reporter.Received())

	g.SendInTopic(anna, tp.ID, 0, "Hello, this is the hotline. Where was he taken?")
	expectText(t, reporter, firstLine(h.text("ru", "forum.talk_started", "Code", flows.FormatCode(code))))
	m := reporter.Next(t)
	if m.Method != "copyMessage" || m.Plain != "Hello, this is the hotline. Where was he taken?" {
		t.Fatalf("the relative got %s %q, want the member's message copied", m.Method, m.Plain)
	}

	said := reporter.Send("At home, this morning")
	reporter.SendPhoto("the detention notice")
	reporter.SendVoice()
	waitFor(t, "the relative's three messages in the topic", func() bool {
		return len(copiesIn(g, tp.ID, reporter.ID)) == 3
	})
	copies := copiesIn(g, tp.ID, reporter.ID)
	for i, kind := range []string{"text", "photo", "voice"} {
		if copies[i].Kind != kind || !copies[i].Protected {
			t.Errorf("copy %d in the topic: %s (protected %v), want %s", i, copies[i].Kind, copies[i].Protected, kind)
		}
	}
	h.waitThreaded(t, forumID, copies[0].ID)

	// Shift change: Boris answers the relative's message.
	boris1 := g.SendInTopic(boris, tp.ID, copies[0].ID, "Thank you. We are calling the facility.")
	m = reporter.Next(t)
	if m.Plain != "Thank you. We are calling the facility." || m.ReplyTo != said {
		t.Errorf("the relative got %q replying to %d, want the answer replying to their message %d", m.Plain, m.ReplyTo, said)
	}
	g.SendInTopic(boris, tp.ID, 0, "! facility says he is in processing, call back at 5")
	later := g.SendInTopic(anna, tp.ID, 0, "We will call you back after 5.")
	m = reporter.Next(t)
	if m.Plain != "We will call you back after 5." {
		t.Errorf("the relative got %q, want Anna's next message", m.Plain)
	}
	h.waitThreaded(t, reporter.ID, m.ID)

	// Edits, both ways: shown again, replying to the earlier copy.
	g.Edit(anna, later, "We will call you back after 6.")
	expectText(t, reporter, h.text("ru", "forum.edited_team"))
	if m2 := reporter.Next(t); m2.Plain != "We will call you back after 6." || m2.ReplyTo != m.ID {
		t.Errorf("the relative got the edit as %q replying to %d, want the new text replying to %d", m2.Plain, m2.ReplyTo, m.ID)
	}
	reporter.Edit(said, "At home, at 6 this morning")
	waitFor(t, "the relative's edit in the topic", func() bool {
		for _, c := range copiesIn(g, tp.ID, reporter.ID) {
			if c.Plain == "At home, at 6 this morning" && c.ReplyTo == copies[0].ID {
				return true
			}
		}
		return false
	})
	g.Edit(boris, boris1, "! call the lawyer first")
	g.Edit(anna, later, "! do not send this")
	drained(t, h)
	for _, m := range reporter.Received()[before:] {
		for _, leak := range []string{"Anna", "Boris", "anna_vol", "boris_vol", "facility says", "lawyer first", "do not send"} {
			if strings.Contains(m.Plain, leak) {
				t.Errorf("the relative saw %q: %q", leak, m.Plain)
			}
		}
	}

	files, err := storage.NewTimeline(h.db, storagetest.Keys(t)).Find(context.Background(), code, "")
	if err != nil || len(files) != 1 {
		t.Fatalf("find case: %v (%d)", err, len(files))
	}
	var note *flows.Event
	for i, e := range files[0].Events {
		if e.Kind == flows.EventNote && strings.Contains(e.Note, "facility says he is in processing") {
			note = &files[0].Events[i]
		}
	}
	switch {
	case note == nil:
		t.Error("the ! line was not stored as a note")
	case note.Public || note.Actor != fmt.Sprintf("tg:%d", boris.ID):
		t.Errorf("the note is public %v, by %s", note.Public, note.Actor)
	}
}

// topicDeleted reports whether the group's topic with this thread id was
// deleted.
func topicDeleted(g *telegramtest.Group, thread int) bool {
	for _, x := range g.Topics() {
		if x.ID == thread {
			return x.Deleted
		}
	}
	return false
}

// copiesIn returns the copies of a chat's messages in a topic.
func copiesIn(g *telegramtest.Group, thread int, from int64) []*telegramtest.Message {
	var out []*telegramtest.Message
	for _, m := range inTopic(g, thread, "copyMessage") {
		if m.FromChatID == from {
			out = append(out, m)
		}
	}
	return out
}

// TestForumRaid: 200 cases announced at once, as after a raid, with the
// group's limit at 100 messages a window on both sides (the window is 2 s
// here rather than Telegram's minute, so the test waits seconds, not
// minutes, for the same arithmetic; a topic made, a card and its pin are
// three messages of the group's): every topic and card is made, none
// twice, no message refused by the limit, urgent cases' topics first.
func TestForumRaid(t *testing.T) {
	takesLong(t, 20*time.Second)
	const perWindow, window = 100, 2 * time.Second
	limits := telegramtest.Limits{Global: 10000, PerChat: 1000, ChatBurst: 1000, PerGroupPerMinute: perWindow, GroupWindow: window}
	h, g := newForumHarness(t, withTelegram(telegramtest.WithLimits(limits)), withPipeline(func(o *pipeline.Options) {
		o.Limits.PerGroupPerMinute, o.Limits.GroupWindow = perWindow, window
		o.Limits.Margin = 200 * time.Millisecond // for the HTTP round trip on a loaded 2-core machine
	}))
	ctx := context.Background()
	cases := seedCases(t, h, 200)
	work := storage.NewCasework(h.db, storagetest.Keys(t))
	b := bot.New(nil, h.cat, newLogger(h.log, h.cfg.LogLevel))
	var calls []pipeline.Outgoing
	urgent := map[string]bool{}
	out := pipeline.NewOutbox(h.rdb, h.cfg.RedisPrefix, h.cfg.Partitions)
	for _, c := range cases {
		v, err := work.ViewByID(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		urgent[v.Code] = v.IsUrgent()
		for _, call := range b.Calls(flows.ForumAnnouncement(forumID, "en", v)) {
			calls = append(calls, pipeline.Outgoing{Partition: out.PartitionOf(call.ChatID), ChatID: call.ChatID,
				Method: call.Method, Priority: int(call.Priority), Params: call.Params})
		}
	}
	// The group's window is full when the raid comes (earlier messages):
	// the sender reads every announcement while it waits for the next
	// window, and orders them all. Without it the check below would race
	// the reader on a loaded machine: the sender orders only what it has
	// read, and may send a case that is not urgent before it reads the
	// rest.
	var busy []pipeline.Outgoing
	for i := range perWindow {
		params, _ := json.Marshal(map[string]any{"chat_id": forumID, "text": fmt.Sprintf("earlier message %d", i)})
		busy = append(busy, pipeline.Outgoing{Partition: out.PartitionOf(forumID), ChatID: forumID,
			Method: "sendMessage", Params: params})
	}
	if err := out.Add(ctx, busy...); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := out.Add(ctx, calls...); err != nil {
		t.Fatal(err)
	}
	waitForLong(t, "200 cards pinned", 3*time.Minute, func() bool {
		var n int
		return h.db.Get(&n, `SELECT count(*) FROM forum_topics WHERE pinned`) == nil && n == 200
	})
	t.Logf("200 topics and cards in %s", time.Since(start).Round(time.Second))
	drained(t, h)

	topics := g.Topics()
	if len(topics) != 200 {
		t.Fatalf("%d topics, want 200", len(topics))
	}
	seenUntaken := false
	for _, tp := range topics {
		code := ""
		for c := range urgent {
			if strings.Contains(tp.Name, flows.FormatCode(c)) {
				code = c
			}
		}
		if code == "" {
			t.Errorf("topic %q names no seeded case", tp.Name)
			continue
		}
		if n := len(cardsIn(g, tp.ID, code)); n != 1 {
			t.Errorf("case %s: %d cards, want 1", code, n)
		}
		if urgent[code] && seenUntaken {
			t.Errorf("urgent case %s got its topic after a case that is not urgent", code)
		}
		seenUntaken = seenUntaken || !urgent[code]
	}
	if st := h.tg.Stats(); st.TooManyRequests != 0 {
		t.Errorf("Telegram refused %d messages for the group's limit", st.TooManyRequests)
	}
}

// waitForLong is waitFor with its own limit.
func waitForLong(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// postsIn returns the texts the bot posted in a topic.
func postsIn(g *telegramtest.Group, thread int) []string {
	var out []string
	for _, m := range inTopic(g, thread, "sendMessage") {
		out = append(out, m.Plain)
	}
	return out
}

// cardNow returns the card as it reads after its latest edit.
func cardNow(g *telegramtest.Group, card int) string {
	now := ""
	for _, m := range g.Received() {
		if m.ID == card {
			now = m.Plain
		}
	}
	return now
}

// TestForumEvents: a member takes the case with the button of its card in
// the topic; a status change, a date and the date's reminder are posted in
// the topic, and the card is edited in place each time; the summary in the
// general topic is posted once and edited; a closed case closes its topic,
// and reopened, reopens it.
func TestForumEvents(t *testing.T) {
	parallel(t)
	h, g := newForumHarness(t, withConfig(func(c *config) { c.HandoffTick = 50 * time.Millisecond }))
	vol := h.tg.User(7740501, "en")
	h.addMember(t, vol.ID, flows.RoleVolunteer)
	g.Join(vol)
	code := fileReport(t, h, h.tg.User(7740001, "ru"))
	tp := topicOf(t, g, code)
	drained(t, h)
	card := cardsIn(g, tp.ID, code)[0]
	fc := flows.FormatCode(code)

	vol.Press(t, card, h.label("en", "btn.case_take", "Code", fc))
	expectText(t, vol, h.text("en", "casework.took", "Code", fc, "Find", false))
	waitFor(t, "the card edited to show the owner", func() bool {
		return !strings.Contains(cardNow(g, card.ID), plain(h.text("en", "casework.line_untaken")))
	})

	setStatus(t, h, vol, code, flows.StatusLawyer, "")
	status := plain(h.cat.Render("en", flows.T("update.saved", "Code", fc, "Status", flows.T("status.name."+flows.StatusLawyer))))
	waitFor(t, "the status change in the topic", func() bool { return slicesContain(postsIn(g, tp.ID), status) })
	waitFor(t, "the card edited to the new status", func() bool {
		return strings.Contains(cardNow(g, card.ID), h.text("en", "status.name."+flows.StatusLawyer))
	})

	in2 := time.Now().AddDate(0, 0, 2)
	vol.Send("/date " + fc + " deportation " + in2.Format("02.01.2006"))
	// The answer and the owner's private reminder, in either order: the
	// timers may remind before the answer is committed.
	for seen := 0; seen != 3; {
		switch m := vol.Next(t); {
		case strings.HasPrefix(m.Plain, "⏰"):
			seen |= 1
		case strings.Contains(m.Plain, fc):
			seen |= 2
		}
	}
	waitFor(t, "the reminder in the topic", func() bool {
		for _, p := range postsIn(g, tp.ID) {
			if strings.HasPrefix(p, "⏰") && strings.Contains(p, fc) {
				return true
			}
		}
		return false
	})
	if n := len(cardsIn(g, tp.ID, code)); n != 1 {
		t.Errorf("%d cards in the topic, want the one edited in place", n)
	}

	summaries := func() (posted, edited int) {
		for _, m := range g.Received() {
			if m.ThreadID == 0 && strings.HasPrefix(m.Plain, "📋") {
				if m.Edited {
					edited++
				} else {
					posted++
				}
			}
		}
		return
	}
	waitFor(t, "the summary edited since the case was taken", func() bool { _, e := summaries(); return e > 0 })
	if p, _ := summaries(); p != 1 {
		t.Errorf("the summary was posted %d times, want once then edited", p)
	}

	closed := func() bool {
		for _, x := range g.Topics() {
			if x.ID == tp.ID {
				return x.Closed
			}
		}
		return false
	}
	setStatus(t, h, vol, code, flows.StatusReleased, "")
	waitFor(t, "the topic closed", closed)
	setStatus(t, h, vol, code, flows.StatusLawyer, "")
	waitFor(t, "the topic reopened", func() bool { return !closed() })
	again := plain(h.cat.Render("en", flows.T("update.saved", "Code", fc, "Status", flows.T("status.name."+flows.StatusLawyer))))
	waitFor(t, "the reopening in the topic", func() bool {
		n := 0
		for _, p := range postsIn(g, tp.ID) {
			if p == again {
				n++
			}
		}
		return n == 2
	})
}

func slicesContain(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TestForumStrangerAndRemoval: someone who is not a member writes in the
// group: the bot answers nothing there and tells the admin once. A member
// gets a one-person invite link with /forum; removed with `hotline
// volunteers remove`, they are removed from the group too and the link is
// revoked.
func TestForumStrangerAndRemoval(t *testing.T) {
	parallel(t)
	h, g := newForumHarness(t)
	admin := h.tg.User(handoffAdmin, "en")
	admin.Send("/start")
	admin.Next(t)
	stranger := h.tg.User(7750999, "en")
	g.Join(stranger)
	g.Send(stranger, "hi, what is this group?")
	alert := plain(h.text("en", "forum.stranger", "User", "7750999"))
	expectText(t, admin, firstLine(alert))
	g.Send(stranger, "hello?")
	g.SendInTopic(stranger, 1, 0, "anyone?")

	vol := h.tg.User(7750501, "en")
	h.addMember(t, vol.ID, flows.RoleVolunteer)
	vol.Send("/forum")
	if m := vol.Next(t); !strings.Contains(m.Plain, "https://t.me/+") || !m.Protected {
		t.Fatalf("/forum answered %q, want a protected invite link", m.Plain)
	}
	links := g.InviteLinks()
	if len(links) != 1 || links[0].MemberLimit != 1 || links[0].Revoked {
		t.Fatalf("invite links %+v, want one for one person", links)
	}
	g.Join(vol)
	var out, errs strings.Builder
	if code := run(context.Background(), []string{"volunteers", "remove", fmt.Sprint(vol.ID)}, h.cliEnv(), &out, &errs); code != 0 {
		t.Fatalf("volunteers remove: exit %d: %s", code, errs.String())
	}
	waitFor(t, "the volunteer out of the group", func() bool { return g.Banned(vol) == 1 && g.Status(vol) == "left" })
	waitFor(t, "their invite link revoked", func() bool { return g.InviteLinks()[0].Revoked })
	drained(t, h)
	for _, m := range g.Received() {
		if !strings.HasPrefix(m.Plain, "📋") { // the summary of waiting cases
			t.Errorf("the bot wrote in the group: %q", m.Plain)
		}
	}
	n := 0
	for _, m := range admin.Received() {
		if strings.Contains(m.Plain, "7750999") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the admin was told of the stranger %d times, want once", n)
	}
}

// TestForumSetupProblems: a group without topics where the bot is no
// admin: the log, /readyz and the admin say what is missing, and a report
// is still stored.
func TestForumSetupProblems(t *testing.T) {
	parallel(t)
	h := newHandoffHarness(t, withConfig(func(c *config) { c.ForumChat = forumID }), func(s *harnessSetup) {
		s.tgSetup = append(s.tgSetup, func(tg *telegramtest.Server) {
			tg.Group(forumID, "Hotline team").AddBot(tg.User(handoffAdmin, "en"))
		})
	})
	admin := h.tg.User(handoffAdmin, "en")
	m := admin.Next(t)
	for _, id := range []string{"forum.setup.not_forum", "forum.setup.not_admin"} {
		want := h.text("en", id)
		if !strings.Contains(m.Plain, want) {
			t.Errorf("the admin's alert %q does not say %q", m.Plain, want)
		}
		if !strings.Contains(h.log.String(), want) {
			t.Errorf("the log does not say %q", want)
		}
	}
	if body := h.get("/readyz"); !strings.Contains(body, h.text("en", "forum.setup.not_admin")) {
		t.Errorf("/readyz says %q", body)
	}
	fileReport(t, h, h.tg.User(7760001, "ru"))
}

// TestForumBadInput: a topic deleted by hand is made again, with its card,
// by the next event of the case, which lands there; a member replying in
// one case's topic to the message of another case's reporter sends
// nothing, and is told in the topic.
func TestForumBadInput(t *testing.T) {
	parallel(t)
	h, g := newForumHarness(t)
	vol := h.tg.User(7770501, "en")
	h.addMember(t, vol.ID, flows.RoleVolunteer)
	g.Join(vol)
	ra, rb := h.tg.User(7770001, "ru"), h.tg.User(7770002, "ru")
	a, b := fileReport(t, h, ra), fileReport(t, h, rb)
	ta, tb := topicOf(t, g, a), topicOf(t, g, b)
	drained(t, h)

	// A reply across cases.
	g.SendInTopic(vol, ta.ID, 0, "Hello from the hotline")
	expectText(t, ra, firstLine(h.text("ru", "forum.talk_started", "Code", flows.FormatCode(a))))
	ra.Next(t)
	ra.Send("He was moved last night")
	waitFor(t, "the relative's message in topic A", func() bool { return len(copiesIn(g, ta.ID, ra.ID)) == 1 })
	copyA := copiesIn(g, ta.ID, ra.ID)[0]
	h.waitThreaded(t, forumID, copyA.ID)
	g.SendInTopic(vol, tb.ID, copyA.ID, "Meant for the other family")
	refused := plain(h.text("en", "forum.reply_other_case", "Code", flows.FormatCode(b)))
	waitFor(t, "the refusal in topic B", func() bool { return slicesContain(postsIn(g, tb.ID), refused) })
	drained(t, h)
	for _, u := range []*telegramtest.User{ra, rb} {
		for _, m := range u.Received() {
			if strings.Contains(m.Plain, "Meant for the other family") {
				t.Errorf("relative %d got the reply across cases", u.ID)
			}
		}
	}

	// A topic deleted by hand.
	g.DeleteTopic(ta.ID)
	vol.Send("/take_case " + flows.FormatCode(a))
	expectText(t, vol, h.text("en", "casework.took", "Code", flows.FormatCode(a), "Find", false))
	waitFor(t, "case A's topic made again", func() bool {
		for _, x := range g.Topics() {
			if x.ID != ta.ID && !x.Deleted && strings.Contains(x.Name, flows.FormatCode(a)) {
				return len(cardsIn(g, x.ID, a)) == 1 && g.Pinned(x.ID) != 0 && len(postsIn(g, x.ID)) >= 2
			}
		}
		return false
	})
}

// TestForumMigrated: the team's group becomes a supergroup with a new id.
// The next case's topic is made there, a case whose topic was in the old
// group gets a new one there with its next event, the bot stays in the new
// group, and the admin is told to set the new id.
func TestForumMigrated(t *testing.T) {
	parallel(t)
	h, g := newForumHarness(t)
	admin := h.tg.User(handoffAdmin, "en")
	vol := h.tg.User(7780501, "en")
	h.addMember(t, vol.ID, flows.RoleVolunteer)
	g.Join(vol)
	before := fileReport(t, h, h.tg.User(7780001, "ru"))
	topicOf(t, g, before)
	drained(t, h)

	const newID = -1009000000077
	ng := g.Migrate(newID)
	after := fileReport(t, h, h.tg.User(7780002, "ru"))
	tp := topicOf(t, ng, after)
	waitFor(t, "the new case's card pinned in the new group", func() bool {
		return len(cardsIn(ng, tp.ID, after)) == 1 && ng.Pinned(tp.ID) != 0
	})
	expectText(t, admin, firstLine(plain(h.text("en", "forum.alert_moved", "ID", fmt.Sprint(newID)))))

	vol.Send("/take_case " + flows.FormatCode(before))
	expectText(t, vol, h.text("en", "casework.took", "Code", flows.FormatCode(before), "Find", false))
	old := topicOf(t, ng, before)
	waitFor(t, "the older case's card in the new group", func() bool { return len(cardsIn(ng, old.ID, before)) == 1 })

	ng.SendInTopic(vol, tp.ID, 0, "! checking")
	drained(t, h)
	if !ng.BotMember() {
		t.Error("the bot left the team's group under its new id")
	}
	if !strings.Contains(h.log.String(), "set HOTLINE_FORUM_CHAT") {
		t.Error("the log does not say to set the new id")
	}
}

// TestForumAskForPerson: with the team in the forum, a reporter asking for
// a person is not queued for a private chat: their case's topic is told,
// and what they write goes there.
func TestForumAskForPerson(t *testing.T) {
	parallel(t)
	h, g := newForumHarness(t)
	reporter := h.tg.User(7790001, "ru")
	code := fileReport(t, h, reporter)
	tp := topicOf(t, g, code)
	drained(t, h)
	reporter.Send("/start")
	m := expectText(t, reporter, firstLine(h.text("ru", "menu.greeting")))
	press(t, reporter, m, h.label("ru", "btn.menu_volunteer"))
	expectText(t, reporter, firstLine(h.text("ru", "forum.talk_started", "Code", flows.FormatCode(code))))
	asks := plain(h.text("en", "forum.asks_person"))
	waitFor(t, "the request in the topic", func() bool { return slicesContain(postsIn(g, tp.ID), asks) })
	reporter.Send("They took him from work today")
	waitFor(t, "the reporter's message in the topic", func() bool { return len(copiesIn(g, tp.ID, reporter.ID)) == 1 })
	if q := h.queued(t); len(q) != 0 {
		t.Errorf("%d chats queued for a private volunteer, want none", len(q))
	}
}

// TestForumErased: a reporter's /forget deletes their case's topic, with
// the group's copies of what they wrote, and ends the talk; the retention
// purge of a closed case deletes its topic too.
func TestForumErased(t *testing.T) {
	parallel(t)
	// Retention long enough that the closing's own messages in the topic
	// are out before the purge deletes it (a message for a case whose
	// topic is gone makes it a new one).
	h, g := newForumHarness(t, withConfig(func(c *config) {
		c.Retention, c.PurgeEvery = 2*time.Second, 200*time.Millisecond
	}))
	vol := h.tg.User(7800501, "en")
	h.addMember(t, vol.ID, flows.RoleVolunteer)
	g.Join(vol)
	deleted := func(thread int) func() bool { return func() bool { return topicDeleted(g, thread) } }

	ra := h.tg.User(7800001, "ru")
	a := fileReport(t, h, ra)
	ta := topicOf(t, g, a)
	// The bot records the topic once Telegram answers; a member's message
	// in it before that is in a topic the bot does not know yet (the team's
	// own), as with the tests above.
	drained(t, h)
	g.SendInTopic(vol, ta.ID, 0, "Hello from the hotline")
	expectText(t, ra, firstLine(h.text("ru", "forum.talk_started", "Code", flows.FormatCode(a))))
	ra.Next(t)
	ra.Send("/forget")
	press(t, ra, ra.Next(t), h.label("ru", "btn.forget_yes"))
	ra.Next(t)
	waitFor(t, "the forgotten case's topic deleted", deleted(ta.ID))
	ra.Send("one more thing")
	ra.Next(t) // the main menu answers: the talk is over
	drained(t, h)
	if n := len(copiesIn(g, ta.ID, ra.ID)); n != 0 {
		t.Errorf("%d of the reporter's messages copied after /forget", n)
	}

	rb := h.tg.User(7800002, "ru")
	b := fileReport(t, h, rb)
	tb := topicOf(t, g, b)
	vol.Send("/take_case " + flows.FormatCode(b))
	expectText(t, vol, h.text("en", "casework.took", "Code", flows.FormatCode(b), "Find", false))
	setStatus(t, h, vol, b, flows.StatusReleased, "")
	waitFor(t, "the purged case's topic deleted", deleted(tb.ID))
	// The bot forgets a topic once Telegram answered that it is deleted.
	waitFor(t, "no topic recorded", func() bool {
		var n int
		return h.db.Get(&n, `SELECT count(*) FROM forum_topics`) == nil && n == 0
	})
}

// TestForumErasedTopicLeftOver: a case erased a while ago whose topic is
// still in the group — the deletion its erasure queued was lost — has its
// topic deleted by the next purge. A case erased a moment ago (its deletion
// may be on its way) and the topic a case got after its erasure, for the
// team's later work, are left alone.
func TestForumErasedTopicLeftOver(t *testing.T) {
	parallel(t)
	h, g := newForumHarness(t, withConfig(func(c *config) { c.PurgeEvery = 200 * time.Millisecond }))
	var codes [3]string
	var topics [3]telegramtest.Topic
	for i := range codes {
		codes[i] = fileReport(t, h, h.tg.User(7800101+int64(i), "ru"))
		topics[i] = topicOf(t, g, codes[i])
	}
	left, fresh, later := 0, 1, 2
	for _, q := range []struct {
		sql  string
		code string
	}{
		{`UPDATE cases SET erased_at = now() - interval '11 minutes' WHERE code = $1`, codes[left]},
		{`UPDATE forum_topics SET created_at = now() - interval '12 minutes' WHERE case_id = (SELECT id FROM cases WHERE code = $1)`, codes[left]},
		{`UPDATE cases SET erased_at = now() WHERE code = $1`, codes[fresh]},
		{`UPDATE cases SET erased_at = now() - interval '11 minutes' WHERE code = $1`, codes[later]},
	} {
		if _, err := h.db.Exec(q.sql, q.code); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the left-over topic deleted", func() bool { return topicDeleted(g, topics[left].ID) })
	time.Sleep(500 * time.Millisecond) // two more purges
	if topicDeleted(g, topics[fresh].ID) {
		t.Error("the topic of a case erased a moment ago was deleted by the purge")
	}
	if topicDeleted(g, topics[later].ID) {
		t.Error("the topic a case got after its erasure was deleted by the purge")
	}
}

// TestForumBotRemoved: the bot removed from the team's group while a case
// comes in: the admin is told, nothing is dropped, and once the bot is
// back the case's topic and card are made.
func TestForumBotRemoved(t *testing.T) {
	parallel(t)
	h, g := newForumHarness(t, withPipeline(func(o *pipeline.Options) { o.SendRetryBase = 100 * time.Millisecond }))
	admin := h.tg.User(handoffAdmin, "en")
	g.RemoveBot(admin)
	code := fileReport(t, h, h.tg.User(7810001, "ru"))
	expectText(t, admin, firstLine(plain(h.text("en", "forum.alert_setup", "Problems", []flows.Text{flows.T("forum.setup.not_found")}))))
	g.MakeBotAdmin(admin, telegramtest.AllRights())
	tp := topicOf(t, g, code)
	waitFor(t, "the card pinned once the bot is back", func() bool { return len(cardsIn(g, tp.ID, code)) == 1 && g.Pinned(tp.ID) != 0 })
}
