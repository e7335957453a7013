package flows_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"hotline/flows"
	"hotline/locales"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// testApp is the flows on real Redis and Postgres stores, with a clock the
// test moves; the chat, world and hworld drivers below play people on it.
type testApp struct {
	t        *testing.T
	app      *flows.App
	cfg      flows.Config
	deps     flows.Deps
	cat      *locales.Catalog
	db       *sqlx.DB
	rdb      *redis.Client
	prefix   string
	sessions *flowSessions
	cases    *storage.Cases
	timeline *storage.Timeline
	vols     *storage.Volunteers
	queue    *storage.Queue
	hist     *storage.Handoffs

	mu     sync.Mutex // guards now, update, chats and the drivers' counters
	now    time.Time
	update int64 // the last update id given; one sequence for every chat, as Telegram's
	chats  int64 // the chats nextChat gave
}

// appOptions change what newApp builds; the zero value is a bot with no
// admins and the stores' default lookup limits.
type appOptions struct {
	Config flows.Config         // BotUsername defaults to hotline_test_bot
	Limits storage.LookupLimits // limits on looking up case codes
	// FindLimits limit /find; zero: high enough never to matter.
	FindLimits storage.LookupLimits
}

// newApp returns the flows on fresh real stores, the clock at testNow.
func newApp(t *testing.T, o appOptions) *testApp {
	t.Helper()
	db := storagetest.Postgres(t)
	rdb, prefix := storagetest.Redis(t)
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	if o.Config.BotUsername == "" {
		o.Config.BotUsername = "hotline_test_bot"
	}
	if o.Config.InfoPages == nil {
		o.Config.InfoPages, o.Config.InfoWords, o.Config.Phone = cat.InfoPages(), cat.InfoWords(), "+1 555 0100"
	}
	a := &testApp{t: t, cfg: o.Config, cat: cat, db: db, rdb: rdb, prefix: prefix, now: testNow}
	a.deps = allDeps(t, db, rdb, prefix, o)
	a.deps.Labels = cat
	a.sessions = &flowSessions{Sessions: a.deps.Sessions.(*storage.Sessions)}
	a.cases = a.deps.Cases.(*storage.Cases)
	a.timeline = a.deps.Timeline.(*storage.Timeline)
	a.vols = a.deps.Volunteers.(*storage.Volunteers)
	a.queue = a.deps.Queue.(*storage.Queue)
	a.hist = a.deps.Handoffs.(*storage.Handoffs)
	a.deps.Sessions = a.sessions
	a.deps.Now = a.clock
	a.app = mustNew(t, a.cfg, a.deps)
	return a
}

func (a *testApp) clock() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.now
}

// audited counts a case's audit entries by action (caseID 0: the role
// changes).
func (a *testApp) audited(caseID int64) map[string]int {
	a.t.Helper()
	es, _, err := a.deps.Audit.ForCase(context.Background(), caseID, 0, 100)
	if err != nil {
		a.t.Fatal(err)
	}
	n := map[string]int{}
	for _, e := range es {
		n[e.Action]++
	}
	return n
}

// nextUpdate returns a new update id.
func (a *testApp) nextUpdate() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.update++
	return a.update
}

// nextChat returns the id of a chat no other in the app has.
func (a *testApp) nextChat() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.chats++
	return 7200000 + a.chats
}

// advance moves the clock.
func (a *testApp) advance(d time.Duration) {
	a.mu.Lock()
	a.now = a.now.Add(d)
	a.mu.Unlock()
}

// chat plays one user talking to the flows. Bot messages get IDs as
// Telegram would give them, so that buttons are pressed on the message that
// carries them.
type chat struct {
	*testApp
	id       int64
	langCode string

	msgID  int
	last   flows.Reply
	lastID int                 // the message the last reply sent or edited
	sent   map[int]flows.Reply // every message by ID, as last drawn
}

// flowSessions is the real session store with one injectable failure, to
// show what a storage outage does to a conversation.
type flowSessions struct {
	*storage.Sessions
	mu       sync.Mutex
	failPuts int
}

var errInjected = errors.New("injected outage")

func (s *flowSessions) Put(ctx context.Context, sess *flows.Session) error {
	s.mu.Lock()
	fail := s.failPuts > 0
	if fail {
		s.failPuts--
	}
	s.mu.Unlock()
	if fail {
		return errInjected
	}
	return s.Sessions.Put(ctx, sess)
}

func newChat(t *testing.T, langCode string) *chat {
	t.Helper()
	return &chat{testApp: newApp(t, appOptions{}), id: 7000001, langCode: langCode, sent: map[int]flows.Reply{}}
}

// handle runs one input and returns the one reply every input gets.
func (c *chat) handle(in flows.Input) flows.Reply {
	c.t.Helper()
	r, err := c.try(in)
	if err != nil {
		c.t.Fatalf("Handle: %v", err)
	}
	return r
}

func (c *chat) try(in flows.Input) (flows.Reply, error) {
	c.t.Helper()
	in.UpdateID = c.nextUpdate()
	in.ChatID, in.UserID, in.ChatType, in.LangCode, in.At = c.id, c.id, "private", c.langCode, c.now
	rs, err := c.app.Handle(context.Background(), in)
	if err != nil {
		return flows.Reply{}, err
	}
	// Replies to other chats (the hotline told of a new case) are the
	// concern of the tests of those features.
	var own []flows.Reply
	for _, r := range rs {
		if r.ChatID == c.id {
			own = append(own, r)
		}
	}
	if len(own) != 1 {
		c.t.Fatalf("got %d replies, want 1: %+v", len(own), rs)
	}
	r := own[0]
	c.checkReply(r)
	if r.Edit != 0 {
		c.lastID = r.Edit
	} else {
		c.msgID++
		c.lastID = c.msgID
	}
	c.last = r
	c.sent[c.lastID] = r
	return r, nil
}

// checkReply checks what every reply must be: addressed to the chat, every
// text and button renderable in both languages, callback data within
// Telegram's 64 bytes.
func (c *chat) checkReply(r flows.Reply) {
	c.t.Helper()
	if r.ChatID != c.id || (r.Lang != "ru" && r.Lang != "en") || len(r.Texts) == 0 {
		c.t.Fatalf("bad reply: %+v", r)
	}
	checkRenderable(c.t, c.cat, r)
}

// checkRenderable checks that every text and button of r renders in every
// language and that callback data fits Telegram's 64 bytes.
func checkRenderable(t testing.TB, cat *locales.Catalog, r flows.Reply) {
	t.Helper()
	for _, lang := range cat.Langs() {
		for _, tx := range r.Texts {
			if err := cat.Check(lang, tx); err != nil {
				t.Errorf("text %s: %v", tx.ID, err)
			}
		}
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Label == "" {
					if err := cat.Check(lang, b.Text); err != nil {
						t.Errorf("button %s: %v", b.Text.ID, err)
					}
				}
				if b.Data == "" || len(b.Data) > 64 {
					t.Errorf("button %s: callback data %q (%d bytes)", b.Text.ID, b.Data, len(b.Data))
				}
			}
		}
	}
}

func (c *chat) send(text string) flows.Reply {
	c.t.Helper()
	return c.handle(flows.Input{Kind: flows.KindText, Text: text})
}

func (c *chat) command(name, arg string) flows.Reply {
	c.t.Helper()
	return c.handle(flows.Input{Kind: flows.KindCommand, Command: name, Text: arg})
}

func (c *chat) media(kind string) flows.Reply {
	c.t.Helper()
	return c.handle(flows.Input{Kind: flows.KindMedia, Media: kind})
}

// button finds a button of message msgID by its text's message ID or, for
// a button with a label, by a part of the label.
func (c *chat) button(msgID int, name string) flows.Button {
	c.t.Helper()
	for _, row := range c.sent[msgID].Buttons {
		for _, b := range row {
			if b.Text.ID == name || (b.Label != "" && strings.Contains(b.Label, name)) {
				return b
			}
		}
	}
	c.t.Fatalf("no button %q on message %d; it has %v", name, msgID, buttonNames(c.sent[msgID]))
	return flows.Button{}
}

// press presses a button of the last message.
func (c *chat) press(name string) flows.Reply {
	c.t.Helper()
	return c.pressOn(c.lastID, name)
}

// pressOn presses a button of an earlier message.
func (c *chat) pressOn(msgID int, name string) flows.Reply {
	c.t.Helper()
	b := c.button(msgID, name)
	return c.handle(flows.Input{Kind: flows.KindButton, Data: b.Data, MessageID: msgID})
}

// pressUrgent presses the toggle of one urgent sign.
func (c *chat) pressUrgent(sign string) flows.Reply {
	c.t.Helper()
	for _, row := range c.last.Buttons {
		for _, b := range row {
			if b.Text.ID == "btn.urgent" && b.Text.Data["Sign"].(flows.Text).ID == "urgent."+sign {
				return c.handle(flows.Input{Kind: flows.KindButton, Data: b.Data, MessageID: c.lastID})
			}
		}
	}
	c.t.Fatalf("no toggle for %s", sign)
	return flows.Reply{}
}

func buttonNames(r flows.Reply) []string {
	var out []string
	for _, row := range r.Buttons {
		for _, b := range row {
			if b.Label != "" {
				out = append(out, b.Label)
			} else {
				out = append(out, b.Text.ID)
			}
		}
	}
	return out
}

func textIDs(r flows.Reply) []string {
	var out []string
	for _, t := range r.Texts {
		out = append(out, t.ID)
	}
	return out
}

// expect checks the message IDs of a reply's texts.
func (c *chat) expect(r flows.Reply, want ...string) {
	c.t.Helper()
	if got := textIDs(r); !slices.Equal(got, want) {
		c.t.Fatalf("reply texts = %v, want %v", got, want)
	}
}

// rendered is the reply as the user reads it.
func (c *chat) rendered(r flows.Reply) string {
	return c.cat.Render(r.Lang, r.Texts...)
}

// session reads the chat's session from Redis.
func (c *chat) session() *flows.Session {
	c.t.Helper()
	s, err := c.sessions.Get(context.Background(), c.id)
	if err != nil {
		c.t.Fatalf("session: %v", err)
	}
	return s
}

// caseCount counts the stored cases.
func (c *chat) caseCount() int {
	c.t.Helper()
	var n int
	if err := c.db.Get(&n, `SELECT count(*) FROM cases`); err != nil {
		c.t.Fatal(err)
	}
	return n
}

// data returns a string value of a reply's text.
func data(r flows.Reply, id, key string) string {
	for _, t := range r.Texts {
		if t.ID == id {
			s, _ := t.Data[key].(string)
			return s
		}
	}
	return ""
}

// allDeps returns every store the flows need, real ones on db and rdb under
// prefix.
func allDeps(t *testing.T, db *sqlx.DB, rdb *redis.Client, prefix string, o appOptions) flows.Deps {
	t.Helper()
	if o.FindLimits == (storage.LookupLimits{}) {
		o.FindLimits = storage.LookupLimits{PerUser: 1000, FreeMisses: 1000}
	}
	keys := storagetest.Keys(t)
	cases := storage.NewCases(db, keys)
	queue := storage.NewQueue(rdb, prefix)
	tools := storage.NewCaseTools(db, keys)
	offices, err := storage.NewOffices(db)
	if err != nil {
		t.Fatal(err)
	}
	return flows.Deps{
		Sessions:   storage.NewSessions(rdb, prefix, time.Hour),
		Drafts:     storage.NewDrafts(rdb, prefix),
		Cases:      cases,
		Facilities: storage.NewFacilities(db),
		HandoffDeps: flows.HandoffDeps{
			Volunteers: storage.NewVolunteers(db),
			Queue:      queue,
			Handoffs:   storage.NewHandoffs(db),
			CaseFiles:  cases,
			Threads:    storage.NewThreads(rdb, prefix, time.Hour),
		},
		StatusDeps: flows.StatusDeps{
			Timeline:      storage.NewTimeline(db, keys),
			Subscriptions: storage.NewSubscriptions(db),
			Reporters:     storage.NewReporters(db, keys),
			Limiter:       storage.NewLimiter(rdb, prefix, o.Limits),
			FindLimiter:   storage.NewLimiter(rdb, prefix+"find:", o.FindLimits),
		},
		CaseworkDeps: flows.CaseworkDeps{Casework: storage.NewCasework(db, keys), Cards: storage.NewCards(rdb, prefix, time.Hour)},
		ToolsDeps: flows.ToolsDeps{
			Duplicates:  tools,
			Transcripts: tools,
			Outreach:    queue,
			CaseTools:   tools,
		},
		CheckinDeps: flows.CheckinDeps{Offices: offices, Checkins: storage.NewCheckins(db, keys)},
		ForumDeps:   flows.ForumDeps{Forum: storage.NewForum(db, o.Config.ForumChat)},
		Audit:       storage.NewAudit(db),
	}
}

// mustNew is flows.New for tests.
func mustNew(t *testing.T, cfg flows.Config, d flows.Deps) *flows.App {
	t.Helper()
	a, err := flows.New(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// skipQuestion skips a question of a case filed on the urgent path: "Skip
// this question", or the question's own "Skip" where it has one.
func (c *chat) skipQuestion() flows.Reply {
	c.t.Helper()
	for _, row := range c.last.Buttons {
		for _, b := range row {
			if b.Text.ID == "btn.skip" {
				return c.press("btn.skip")
			}
		}
	}
	return c.press("btn.skip_question")
}
