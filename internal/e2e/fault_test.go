package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"hotline/bot/telegramtest"
	"hotline/flows"
	"hotline/internal/pipeline"
	"hotline/locales"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// Fault tests, exactly once and in order: the bot loses nothing, duplicates nothing
// and keeps each chat's order when updates come twice or out of order,
// Telegram refuses with 429s, and Redis or Postgres go away. The tests whose
// bot must die with SIGKILL run it as a child process (faultproc_test.go).
//
// Every test plays whole reports: a chat whose answer was lost waits for a
// question that never comes, a chat whose answer was taken twice gets a
// question too many, and both fail the test with the chat's transcript.

// step is one turn of a scripted conversation: the question the bot asks
// and the user's answer to it.
type step struct {
	ask   string // the question's first line as the user reads it; "" for the opening message
	send  string // what the user types, or
	press string // part of the caption of the button the user presses
}

// ownANumber, as a step's send, types the user's own A-number: each user
// reports another person (the same A-number as an open case would offer
// to send news to it instead).
const ownANumber = "\x00own A-number"

// ownBirthDate, as a step's send, types a birth date of the user's own:
// with the same name, the users report different people, not one person
// hundreds of times (each report would be linked as a duplicate to every
// earlier one).
const ownBirthDate = "\x00own birth date"

// typed is what the user types for the step.
func typed(u *telegramtest.User, st step) string {
	switch st.send {
	case ownANumber:
		return fmt.Sprintf("A%09d", u.ID%1_000_000_000)
	case ownBirthDate:
		return time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(u.ID%18000)).Format(time.DateOnly)
	}
	return st.send
}

// reportScript is a whole English report, from /start to the case code, with
// the answers of report_e2e_test.go. It skips the urgent signs: ticking one
// edits the question in place, and the order checks here follow new messages.
func reportScript(cat *locales.Catalog) []step {
	r := reports[1]
	ask := func(id string, kv ...any) string {
		return firstLine(plain(cat.Render("en", flows.T(id, append(kv, holes...)...))))
	}
	btn := func(id string) string { return cat.Button("en", flows.T(id)) }
	return []step{
		{send: "/start"},
		{ask: ask("menu.greeting"), press: btn("btn.menu_report")},
		{ask: ask("ask.consent"), press: btn("btn.consent_yes")},
		{ask: ask("ask.triage"), press: btn("btn.triage_no")},
		{ask: ask("ask.name"), send: r.name},
		{ask: ask("ask.name_cyr"), press: btn("btn.skip")},
		{ask: ask("ask.name_other"), press: btn("btn.dont_know")},
		{ask: ask("ask.birth_date"), send: ownBirthDate},
		{ask: ask("ask.birth_country"), send: r.country},
		{ask: ask("ask.citizenship"), press: r.country},
		{ask: ask("ask.a_number"), send: ownANumber},
		{ask: ask("ask.detained_on"), send: time.Now().AddDate(0, 0, -3).Format(time.DateOnly)},
		{ask: ask("ask.circumstance"), press: btn("circ.checkin")},
		{ask: ask("ask.office"), press: btn("btn.dont_know")},
		{ask: ask("ask.details"), send: r.details},
		{ask: ask("ask.facility"), send: r.facility},
		{ask: ask("ask.facility_pick", "Query", r.facility), press: r.facilityPick},
		{ask: ask("ask.transfer"), press: btn("btn.dont_know")},
		{ask: ask("ask.lawyer"), press: btn("btn.lawyer_yes")},
		{ask: ask("ask.lawyer_name"), send: r.lawyer},
		{ask: ask("ask.lawyer_phone"), send: r.lawyerPhone},
		{ask: ask("ask.hearing"), send: time.Now().AddDate(0, 2, 0).Format(time.DateOnly)},
		{ask: ask("ask.stage"), press: btn("btn.dont_know")},
		{ask: ask("ask.appeals"), send: r.appeals},
		{ask: ask("ask.flight"), press: btn("flight.none")},
		{ask: ask("ask.entry"), press: btn("btn.dont_know")},
		{ask: ask("ask.language"), press: btn("btn.dont_know")},
		{ask: ask("ask.can_call"), press: btn("btn.dont_know")},
		{ask: ask("ask.phone_account"), press: btn("btn.dont_know")},
		{ask: ask("ask.urgent"), press: btn("btn.urgent_none")},
		{ask: ask("ask.reporter_name"), send: r.reporter},
		{ask: ask("ask.relationship"), send: r.relation},
		{ask: ask("ask.contact"), send: r.contact},
		{ask: ask("ask.state"), press: btn("btn.skip")},
		{ask: ask("ask.privacy"), press: btn("btn.dont_know")},
		{ask: ask("ask.publicity"), press: btn("btn.dont_know")},
		{ask: ask("ask.facility_share"), press: btn("btn.share_yes")},
		{ask: ask("ask.review", "Lines", ""), press: btn("btn.confirm")},
		{ask: ask("report.done", "Code", "", "Link", "", "Here", false)},
	}
}

// questions counts the bot messages a script expects.
func questions(script []step) int {
	n := 0
	for _, s := range script {
		if s.ask != "" {
			n++
		}
	}
	return n
}

// player plays scripts as Telegram users do: it reads the bot's next
// message, checks it is the question expected, answers it.
// maxRerun is how many of a chat's last messages a crash may send again.
// An answered call leaves the outbox with the next commit to its
// partition, or within two ackFlush (500 ms) when that partition's oldest
// call is still out: a test user answers at once, and on a loaded machine
// got three questions in that time (a fresh-clone CI run, where this was
// two and the test failed). A person takes seconds to answer.
const maxRerun = 4

type player struct {
	deadline time.Time // no wait goes past it
	// skip tells messages the user may get at any point and need not answer
	// (the notice that storage is down); nil skips none.
	skip func(*telegramtest.Message) bool
	// answered is called with each question before the user answers it.
	answered func(*telegramtest.Message)
}

// play runs script for u. A message that repeats one of the maxRerun before it is
// passed over: sending is at least once, so a crash may send again what was
// sent but not yet marked sent (inOrder checks afterwards where that
// happened). It returns an error rather than failing a test, since it runs
// on a goroutine of its own.
func (p player) play(u *telegramtest.User, script []step) error {
	var recent []*telegramtest.Message
	for i, st := range script {
		var m *telegramtest.Message
		for st.ask != "" && m == nil {
			wait := time.Until(p.deadline)
			if wait <= 0 {
				return fmt.Errorf("user %d, step %d: deadline passed waiting for %q", u.ID, i, st.ask)
			}
			got, err := u.NextWithin(wait)
			if err != nil {
				return fmt.Errorf("user %d, step %d (%q): %w", u.ID, i, st.ask, err)
			}
			switch {
			case strings.Contains(got.Plain, st.ask):
				m = got
			case p.skip != nil && p.skip(got):
			case repeats(got, recent):
			default:
				return fmt.Errorf("user %d, step %d: got %q, want %q", u.ID, i, firstLine(got.Plain), st.ask)
			}
			recent = append(recent, got)
			if len(recent) > maxRerun {
				recent = recent[1:]
			}
		}
		if m != nil && p.answered != nil {
			p.answered(m)
		}
		switch {
		case st.send != "":
			u.Send(typed(u, st))
		case st.press != "":
			b, ok := button(m, st.press)
			if !ok {
				return fmt.Errorf("user %d, step %d: no button %q under %q; buttons %v", u.ID, i, st.press, firstLine(m.Plain), m.Buttons)
			}
			u.PressData(m.ID, b.Data)
		}
	}
	return nil
}

// playAll plays the script for every user at once and returns up to five of
// the errors.
func (p player) playAll(users []*telegramtest.User, script []step) []error {
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for _, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := p.play(u, script); err != nil {
				mu.Lock()
				if len(errs) < 5 {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errs
}

func button(m *telegramtest.Message, part string) (telegramtest.Button, bool) {
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.Contains(b.Text, part) && b.Data != "" {
				return b, true
			}
		}
	}
	return telegramtest.Button{}, false
}

// same tells whether two bot messages look the same to the user.
func same(a, b *telegramtest.Message) bool {
	return a.Plain == b.Plain && a.Edited == b.Edited && fmt.Sprint(a.Buttons) == fmt.Sprint(b.Buttons)
}

func repeats(m *telegramtest.Message, recent []*telegramtest.Message) bool {
	for _, r := range recent {
		if same(m, r) {
			return true
		}
	}
	return false
}

// inOrder checks a chat's transcript against the script: every question,
// in order, each once — except that one run of at most maxRerun messages
// may come again right after itself, which is what at-least-once sending
// allows around a crash (a call Telegram carried out but the bot had not yet
// deleted from its outbox is made again by the next owner, before any later
// call of the chat). Messages skip accepts are left out first. It returns how
// many messages came twice.
func inOrder(msgs []*telegramtest.Message, script []step, maxRerun int, skip func(*telegramtest.Message) bool) (int, error) {
	var asks []string
	for _, s := range script {
		if s.ask != "" {
			asks = append(asks, s.ask)
		}
	}
	var got []*telegramtest.Message
	for _, m := range msgs {
		if skip == nil || !skip(m) {
			got = append(got, m)
		}
	}
	rerun, j := 0, 0
next:
	for i := 0; i < len(got); {
		if j < len(asks) && strings.Contains(got[i].Plain, asks[j]) {
			i, j = i+1, j+1
			continue
		}
		if rerun == 0 {
			for r := 1; r <= min(maxRerun, i, len(got)-i); r++ {
				ok := true
				for q := 0; q < r && ok; q++ {
					ok = same(got[i+q], got[i-r+q])
				}
				if ok {
					rerun = r
					i += r
					continue next
				}
			}
		}
		return rerun, fmt.Errorf("message %d %q is not question %d %q\n%s", i, firstLine(got[i].Plain), j, at(asks, j), transcript(got))
	}
	if j < len(asks) {
		return rerun, fmt.Errorf("the chat got %d of %d questions; missing %q\n%s", j, len(asks), asks[j], transcript(got))
	}
	return rerun, nil
}

func at(ss []string, i int) string {
	if i < len(ss) {
		return ss[i]
	}
	return "(none: the script is over)"
}

func transcript(ms []*telegramtest.Message) string {
	var b strings.Builder
	for i, m := range ms {
		fmt.Fprintf(&b, "  %2d %s\n", i, firstLine(m.Plain))
	}
	return b.String()
}

// checkChats checks every user's transcript with inOrder and returns how
// many chats got a run of n messages twice, by n.
func checkChats(t *testing.T, users []*telegramtest.User, script []step, maxRerun int, skip func(*telegramtest.Message) bool) map[int]int {
	t.Helper()
	reruns, bad := map[int]int{}, 0
	for _, u := range users {
		n, err := inOrder(u.Received(), script, maxRerun, skip)
		if n > 0 {
			reruns[n]++
		}
		if err != nil {
			bad++
			if bad <= 3 {
				t.Errorf("user %d: %v", u.ID, err)
			}
		}
	}
	if bad > 3 {
		t.Errorf("… and %d more chats out of order", bad-3)
	}
	return reruns
}

// settle waits until Telegram has no update the bot has not confirmed and
// the bot's inboxes and outboxes are empty: everything taken in is handled
// and every call answered.
func settle(t *testing.T, tg *telegramtest.Server, rdb redis.UniversalClient, prefix string, within time.Duration) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(within)
	for {
		pending := tg.PendingUpdates()
		queued, err := streamsLen(ctx, rdb, prefix)
		if err == nil && pending == 0 && queued == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not settled within %v: %d updates unconfirmed, %d inbox and outbox entries (%v)", within, pending, queued, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// streamsLen counts the entries of the bot's inbox and outbox streams.
func streamsLen(ctx context.Context, rdb redis.UniversalClient, prefix string) (int64, error) {
	var n int64
	for _, kind := range []string{"{p*}:in", "{p*}:out"} {
		keys, err := scanKeys(ctx, rdb, prefix+kind)
		if err != nil {
			return 0, err
		}
		for _, k := range keys {
			l, err := rdb.XLen(ctx, k).Result()
			if err != nil {
				return 0, err
			}
			n += l
		}
	}
	return n, nil
}

// scanKeys returns the keys matching pattern, on every master of a
// cluster.
func scanKeys(ctx context.Context, rdb redis.UniversalClient, pattern string) ([]string, error) {
	var mu sync.Mutex
	var keys []string
	scan := func(ctx context.Context, c *redis.Client) error {
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			mu.Lock()
			keys = append(keys, iter.Val())
			mu.Unlock()
		}
		return iter.Err()
	}
	switch c := rdb.(type) {
	case *redis.ClusterClient:
		return keys, c.ForEachMaster(ctx, scan)
	case *redis.Client:
		return keys, scan(ctx, c)
	}
	return nil, fmt.Errorf("scan: unknown client %T", rdb)
}

// checkReports checks that every user filed exactly one report and nobody
// else filed any.
func checkReports(t *testing.T, db *sqlx.DB, users []*telegramtest.User) {
	t.Helper()
	var rows []struct {
		User  int64 `db:"telegram_user_id"`
		Count int   `db:"n"`
	}
	if err := db.Select(&rows, `SELECT r.telegram_user_id, count(*) AS n FROM cases c
		JOIN reporters r ON r.id = c.reporter_id GROUP BY 1`); err != nil {
		t.Fatalf("count cases: %v", err)
	}
	got := map[int64]int{}
	for _, r := range rows {
		got[r.User] = r.Count
	}
	bad := 0
	for _, u := range users {
		if n := got[u.ID]; n != 1 {
			bad++
			if bad <= 5 {
				t.Errorf("user %d has %d cases stored, want 1", u.ID, n)
			}
		}
		delete(got, u.ID)
	}
	if bad > 5 {
		t.Errorf("… and %d more users without exactly one case", bad-5)
	}
	if len(got) > 0 {
		t.Errorf("cases stored for users who filed none: %v", got)
	}
}

// checkNoDeadLetters fails when an update was given up.
func checkNoDeadLetters(t *testing.T, rdb redis.UniversalClient, prefix string) {
	t.Helper()
	ctx := context.Background()
	keys, err := scanKeys(ctx, rdb, prefix+"{p*}:dead")
	if err != nil {
		t.Fatalf("dead letters: %v", err)
	}
	var n int64
	for _, k := range keys {
		l, err := rdb.XLen(ctx, k).Result()
		if err != nil {
			t.Fatalf("dead letters: %v", err)
		}
		n += l
	}
}

// makeUsers makes n English-speaking users with ids from first on.
func makeUsers(tg *telegramtest.Server, first int64, n int) []*telegramtest.User {
	us := make([]*telegramtest.User, n)
	for i := range us {
		us[i] = tg.User(first+int64(i), "en")
	}
	return us
}

// waitDelivered waits until Telegram delivered n bot messages, or done is
// closed first (the users finished or gave up), or the deadline passes.
func waitDelivered(tg *telegramtest.Server, n int, done <-chan struct{}, deadline time.Time) bool {
	for tg.Stats().Delivered < n {
		select {
		case <-done:
			return false
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

// webhookVia puts the bot in webhook mode behind url (a test's proxy).
func webhookVia(url string) harnessOption {
	return withConfig(func(c *config) {
		c.WebhookURL = url + pipeline.WebhookPath
		c.WebhookSecret = "fault-test-secret-0123456789abcdef"
	})
}

// relay stands between Telegram and one bot's webhook, like a load balancer
// that misbehaves: it posts each update copies times to the bot, one after
// another or all at once.
type relay struct {
	backend  atomic.Value // string: the bot's host:port
	copies   int
	parallel bool
	posts    atomic.Int64
}

func (rl *relay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	addr, _ := rl.backend.Load().(string)
	body, err := io.ReadAll(r.Body)
	if addr == "" || err != nil {
		http.Error(w, "no backend yet", http.StatusBadGateway)
		return
	}
	post := func() int {
		rl.posts.Add(1)
		req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, "http://"+addr+r.URL.Path, bytes.NewReader(body))
		if err != nil {
			return http.StatusBadGateway
		}
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return http.StatusBadGateway
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	codes := make([]int, max(rl.copies, 1))
	if rl.parallel {
		var wg sync.WaitGroup
		for i := range codes {
			wg.Add(1)
			go func() { defer wg.Done(); codes[i] = post() }()
		}
		wg.Wait()
	} else {
		for i := range codes {
			codes[i] = post()
		}
	}
	for _, c := range codes {
		if c != http.StatusOK {
			w.WriteHeader(c)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

// metric reads one series of the bot's /metrics, 0 when it is absent.
func metric(t *testing.T, h *harness, name string, labels ...string) float64 {
	t.Helper()
	v, _ := value(scrape(t, h.srv().Addr), name, labels...)
	return v
}

// TestFaultDuplicateDelivery (b): Telegram delivers the same update twice —
// again after the bot handled it, twice in a row, five times at once. Each
// update has one effect: the chat gets each question once and in order (an
// answer taken twice would answer the next question too, a button pressed
// twice would say the button is old), the report is stored once, and the
// bot counts the extra deliveries as duplicates.
func TestFaultDuplicateDelivery(t *testing.T) {
	parallel(t)
	tests := []struct {
		name      string
		copies    int
		parallel  bool
		redeliver bool // also ask Telegram to deliver each update again once handled
		cluster   bool // on the Redis Cluster
	}{
		{name: "again after handling", copies: 1, redeliver: true},
		{name: "twice in a row", copies: 2},
		{name: "five at once", copies: 5, parallel: true},
		{name: "again after handling, cluster", copies: 1, redeliver: true, cluster: true},
		{name: "five at once, cluster", copies: 5, parallel: true, cluster: true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			rl := &relay{copies: tt.copies, parallel: tt.parallel}
			front := httptest.NewServer(rl)
			defer front.Close()
			opts := []harnessOption{webhookVia(front.URL)}
			if tt.cluster {
				opts = append(opts, onCluster())
			}
			h := newHarness(t, opts...)
			rl.backend.Store(h.srv().Addr)

			u := h.tg.User(int64(7300001+i), "en")
			script := reportScript(h.cat)
			p := player{deadline: time.Now().Add(30 * time.Second)}
			if tt.redeliver {
				p.answered = func(m *telegramtest.Message) {
					if err := h.tg.Redeliver(m.LastUpdateID); err != nil {
						t.Errorf("redeliver update %d: %v", m.LastUpdateID, err)
					}
				}
			}
			if err := p.play(u, script); err != nil {
				t.Fatal(err)
			}
			settle(t, h.tg, h.rdb, h.cfg.RedisPrefix, 10*time.Second)
			checkChats(t, []*telegramtest.User{u}, script, 0, nil)
			checkReports(t, h.db, []*telegramtest.User{u})
			checkNoDeadLetters(t, h.rdb, h.cfg.RedisPrefix)

			updates := float64(h.tg.Stats().Updates)
			wantDup := updates * float64(tt.copies-1)
			if tt.redeliver {
				wantDup = updates
			}
			if got := metric(t, h, "hotline_updates_handled_total"); got != updates {
				t.Errorf("updates handled: %v, want %v, each once", got, updates)
			}
			if got := metric(t, h, "hotline_updates_received_total", "source", "webhook", "result", "new"); got != updates {
				t.Errorf("updates taken in as new: %v, want %v", got, updates)
			}
			if got := metric(t, h, "hotline_updates_received_total", "source", "webhook", "result", "duplicate"); got != wantDup {
				t.Errorf("deliveries refused as duplicates: %v, want %v", got, wantDup)
			}
			t.Logf("%v updates, %d posts to the bot, %v refused as duplicates, in %v",
				updates, rl.posts.Load(), wantDup, time.Since(start).Round(time.Millisecond))
		})
	}
}

// TestFaultOutOfOrderWebhook (c): the webhook delivers a chat's update N+1
// before N. A user who typed the birth date and then the country sees
// what the bot understood, in the order it got them: the country taken as a
// birth date and refused with the question again, then the date taken and
// the country asked. Nothing is lost: the user answers the country again,
// the report is stored once with the right date and country.
func TestFaultOutOfOrderWebhook(t *testing.T) {
	parallel(t)
	rl := &relay{copies: 1}
	front := httptest.NewServer(rl)
	defer front.Close()
	h := newHarness(t, webhookVia(front.URL))
	rl.backend.Store(h.srv().Addr)

	u := h.tg.User(7300101, "en")
	script := reportScript(h.cat)
	birth := slices.IndexFunc(script, func(s step) bool { return s.ask == firstLine(h.text("en", "ask.birth_date")) })
	if birth < 0 || script[birth].ask != firstLine(h.text("en", "ask.birth_date")) {
		t.Fatalf("step %d of the script is %q, want the birth date", birth, script[birth].ask)
	}
	script[birth].send = reports[1].birth // the date checked below
	p := player{deadline: time.Now().Add(30 * time.Second)}
	// Up to the birth date question, without answering it.
	head := append(script[:birth:birth], step{ask: script[birth].ask})
	if err := p.play(u, head); err != nil {
		t.Fatal(err)
	}
	h.tg.DeliverOutOfOrder(u.ID)
	u.Send(typed(u, script[birth])) // N: the birth date
	u.Send(script[birth+1].send)    // N+1: the country
	first, second := u.Next(t), u.Next(t)
	t.Logf("the user typed %q, then %q, and got:\n  %s\n  %s", typed(u, script[birth]), script[birth+1].send,
		strings.ReplaceAll(first.Plain, "\n", " "), strings.ReplaceAll(second.Plain, "\n", " "))
	if !strings.Contains(first.Plain, script[birth].ask) {
		t.Errorf("first reply %q; want the birth date asked again (the country is no date)", first.Plain)
	}
	if !strings.Contains(second.Plain, script[birth+1].ask) {
		t.Errorf("second reply %q; want the country of birth asked (the date was taken)", second.Plain)
	}
	// The rest of the report as usual, from the country.
	rest := append([]step{{send: script[birth+1].send}}, script[birth+2:]...)
	if err := p.play(u, rest); err != nil {
		t.Fatal(err)
	}
	settle(t, h.tg, h.rdb, h.cfg.RedisPrefix, 10*time.Second)
	checkReports(t, h.db, []*telegramtest.User{u})
	var code string
	if err := h.db.Get(&code, `SELECT code FROM cases`); err != nil {
		t.Fatal(err)
	}
	got, _, err := storage.NewCases(h.db, storagetest.Keys(t)).Get(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if want := reports[1].want; got.BirthDate != want.BirthDate || got.BirthCountry != want.BirthCountry {
		t.Errorf("stored birth date %q and country %q, want %q and %q", got.BirthDate, got.BirthCountry, want.BirthDate, want.BirthCountry)
	}
}

// TestFault429Storm (e): 40 chats file reports while Telegram answers 429
// — in one run because it enforces limits (60 messages/s, 5/s per chat) the
// bot, set loose here, goes over; in the other to every sendMessage for 3 s
// (a Fault, retry_after 1 s). Every message arrives once and in order, every
// update is handled once, and no message comes to a chat before the
// retry_after it was given (telegramtest's EarlyRetries).
func TestFault429Storm(t *testing.T) {
	takesLong(t, 15*time.Second)
	tests := []struct {
		name   string
		opts   []telegramtest.Option
		storm  time.Duration // how long every sendMessage gets 429
		chats  int
		first  int64
		script func([]step) []step
	}{
		// Half the report, so that the limits make a storm without
		// making the test slow.
		{name: "limits enforced", chats: 40, first: 7300201,
			opts:   []telegramtest.Option{telegramtest.WithLimits(telegramtest.Limits{Global: 60, PerChat: 5, ChatBurst: 2})},
			script: func(s []step) []step { return append(s[:12:12], step{ask: s[12].ask}) }},
		{name: "every sendMessage refused", chats: 40, first: 7300301, storm: 3 * time.Second,
			script: func(s []step) []step { return s }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			h := newHarness(t, withTelegram(append(tt.opts, telegramtest.WithWait(time.Minute))...))
			if tt.storm > 0 {
				h.tg.Fault(telegramtest.Fault{Method: "sendMessage", Status: http.StatusTooManyRequests, RetryAfter: 1})
				time.AfterFunc(tt.storm, h.tg.ClearFaults)
			}
			users := makeUsers(h.tg, tt.first, tt.chats)
			script := tt.script(reportScript(h.cat))
			p := player{deadline: time.Now().Add(60 * time.Second)}
			if errs := p.playAll(users, script); len(errs) > 0 {
				t.Fatalf("users did not finish: %v", errors.Join(errs...))
			}
			settle(t, h.tg, h.rdb, h.cfg.RedisPrefix, 20*time.Second)
			checkChats(t, users, script, 0, nil)
			if len(script) == len(reportScript(h.cat)) {
				checkReports(t, h.db, users)
			}
			checkNoDeadLetters(t, h.rdb, h.cfg.RedisPrefix)
			st := h.tg.Stats()
			if st.TooManyRequests == 0 {
				t.Error("Telegram answered no 429: no storm")
			}
			if got := metric(t, h, "hotline_updates_handled_total"); got != float64(st.Updates) {
				t.Errorf("updates handled: %v, want %v, each once", got, st.Updates)
			}
			if st.EarlyRetries != 0 {
				t.Errorf("%d messages came sooner than their retry_after, want none", st.EarlyRetries)
			}
			if want := tt.chats * questions(script); st.Delivered != want {
				t.Errorf("Telegram delivered %d messages, want %d", st.Delivered, want)
			}
			t.Logf("%d chats, %d messages delivered, %d answered 429, 0 early, in %v",
				tt.chats, st.Delivered, st.TooManyRequests, time.Since(start).Round(time.Millisecond))
		})
	}
}

// TestFaultRedisRestart (f): the bot's Redis (a private redis-server with
// appendfsync always, so what it acknowledged is on disk) is shut down and
// started again on the same port and files while 50 chats file reports.
// serve() keeps running — no crash, so no crash loop — and when Redis is
// back every chat goes on from where it was: every report stored once, every
// question in order. Nothing Telegram was told is stored is lost: a lost
// answer would leave its chat waiting.
func TestFaultRedisRestart(t *testing.T) {
	takesLong(t, 10*time.Second)
	start := time.Now()
	rs := startRedis(t, "always") // every acknowledged write is on disk before Redis answers
	h := newHarness(t,
		withConfig(func(c *config) { c.RedisURL = rs.url() }),
		withTelegram(telegramtest.WithWait(time.Minute)))
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + rs.port})
	defer rdb.Close()

	const chats = 50
	users := makeUsers(h.tg, 7300401, chats)
	script := reportScript(h.cat)
	temporary := h.text("en", "error.temporary")
	// While Redis is down an answer may be taken but not stored; the
	// bot then says so, once, and takes it again.
	told := func(m *telegramtest.Message) bool { return m.Plain == temporary }
	p := player{deadline: time.Now().Add(90 * time.Second), skip: told}
	done := make(chan struct{})
	var errs []error
	go func() { defer close(done); errs = p.playAll(users, script) }()

	total := chats * questions(script)
	at := total/5 + rand.IntN(total/5)
	if !waitDelivered(h.tg, at, done, p.deadline) {
		<-done
		t.Fatalf("users stopped before Redis was restarted: %v", errors.Join(errs...))
	}
	down := time.Now()
	rs.stop(t)
	time.Sleep(2 * time.Second) // users keep writing meanwhile
	rs.start(t)
	t.Logf("Redis down for %v at %d of %d messages", time.Since(down).Round(time.Millisecond), at, total)
	<-done
	if len(errs) > 0 {
		t.Fatalf("users did not finish: %v", errors.Join(errs...))
	}
	settle(t, h.tg, rdb, h.cfg.RedisPrefix, 30*time.Second)

	h.mu.Lock()
	r := h.running
	h.mu.Unlock()
	select {
	case err := <-r.done:
		t.Fatalf("serve() returned while Redis was away: %v", err)
	default:
	}
	if n := strings.Count(h.log.String(), `"msg":"bot started"`); n != 1 {
		t.Errorf("the bot started %d times, want once", n)
	}
	// The process knows which calls Telegram answered even when Redis
	// could not be told: none is made twice.
	rerun := checkChats(t, users, script, 0, told)
	checkReports(t, h.db, users)
	checkNoDeadLetters(t, rdb, h.cfg.RedisPrefix)
	toldN := 0
	for _, u := range users {
		for _, m := range u.Received() {
			if told(m) {
				toldN++
			}
		}
	}
	t.Logf("%d chats done; chats that got a message twice: %v; %d notices of a storage problem; in %v",
		chats, rerun, toldN, time.Since(start).Round(time.Millisecond))
}

// TestFaultPostgresDown (g): the database is stopped for 30 s while 20
// users press "confirm" on their reports. Each is told the truth at once —
// the bot's error.temporary notice — and, once Postgres is back, gets the
// case code; each report is stored once. The database is a private cluster
// (initdb, pg_ctl) so that stopping it disturbs no other test.
func TestFaultPostgresDown(t *testing.T) {
	takesLong(t, 45*time.Second)
	start := time.Now()
	pg := startPostgres(t)
	h := newHarness(t,
		withConfig(func(c *config) {
			c.DatabaseURL = pg.url
			fast := c.pipeline
			c.pipeline = func(o *pipeline.Options) {
				fast(o)
				// Retries of the updates that failed come every 5 s at
				// most, so the test does not wait up to 45 s after the
				// outage for the next one.
				o.RetryMax = 5 * time.Second
			}
		}),
		withTelegram(telegramtest.WithWait(time.Minute)))
	db, err := storage.OpenPostgres(context.Background(), pg.url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	const chats = 20
	users := makeUsers(h.tg, 7300501, chats)
	script := reportScript(h.cat)
	review := len(script) - 2 // the step that shows the answers and "confirm"
	upToReview := append(script[:review:review], step{ask: script[review].ask})
	p := player{deadline: time.Now().Add(90 * time.Second)}
	if errs := p.playAll(users, upToReview); len(errs) > 0 {
		t.Fatalf("users did not reach the review: %v", errors.Join(errs...))
	}
	settle(t, h.tg, h.rdb, h.cfg.RedisPrefix, 10*time.Second)

	down := time.Now()
	deadline := down.Add(60 * time.Second) // the outage, and time for the retries after it
	pg.ctl(t, "stop", "-m", "fast")
	temporary := h.text("en", "error.temporary")
	for _, u := range users {
		m := u.Received()[len(u.Received())-1]
		b, ok := button(m, script[review].press)
		if !ok {
			t.Fatalf("user %d: no confirm button under %q", u.ID, firstLine(m.Plain))
		}
		u.PressData(m.ID, b.Data)
	}
	for _, u := range users {
		if m := nextBy(t, u, deadline); m.Plain != temporary {
			t.Errorf("user %d got %q while the database is down; want the notice %q", u.ID, m.Plain, temporary)
		}
	}
	// Someone new writes while it is down, after the members' ids the bot
	// read have gone stale: the greeting, which needs no database.
	time.Sleep(16*time.Second - time.Since(down))
	newcomer := h.tg.User(7300600, "en")
	newcomer.Send("/start")
	if m := nextBy(t, newcomer, deadline); !strings.Contains(m.Plain, firstLine(h.text("en", "menu.greeting"))) {
		t.Errorf("a newcomer's /start while the database is down got %q, want the greeting", m.Plain)
	}
	time.Sleep(30*time.Second - time.Since(down))
	pg.ctl(t, "start", "-w", "-l", filepath.Join(pg.dir, "server.log"), "-o", pg.opts)
	t.Logf("Postgres down for %v", time.Since(down).Round(time.Millisecond))

	done := script[len(script)-1].ask
	for _, u := range users {
		m := nextBy(t, u, deadline)
		if !strings.Contains(m.Plain, done) || codeRe.FindString(m.Plain) == "" {
			t.Errorf("user %d got %q after the database came back; want the case code", u.ID, m.Plain)
		}
	}
	settle(t, h.tg, h.rdb, h.cfg.RedisPrefix, 10*time.Second)
	for _, u := range users {
		if n := len(u.Received()); n != questions(script)+1 {
			t.Errorf("user %d got %d messages, want %d: the questions, one notice, the code", u.ID, n, questions(script)+1)
		}
	}
	checkReports(t, db, users)
	checkNoDeadLetters(t, h.rdb, h.cfg.RedisPrefix)
	t.Logf("%d reports confirmed during the outage, each stored once, in %v", chats, time.Since(start).Round(time.Millisecond))
}

// nextBy returns the user's next message, failing the test when none
// comes before the deadline.
func nextBy(t *testing.T, u *telegramtest.User, deadline time.Time) *telegramtest.Message {
	t.Helper()
	m, err := u.NextWithin(max(time.Until(deadline), time.Millisecond))
	if err != nil {
		t.Fatalf("user %d: %v", u.ID, err)
	}
	return m
}

// postgresCluster is a private Postgres cluster in a temporary folder.
type postgresCluster struct {
	dir  string // the data folder
	opts string // the server's options: port, socket folder
	url  string
	bin  string   // where initdb, pg_ctl and createdb are
	as   []string // runs a command as the cluster's owner
}

// startPostgres makes and starts a cluster on a free port with a database
// hotline owned by the superuser hotline, as scripts/services.sh does.
// initdb refuses to run as root, so as root the cluster belongs to the
// postgres user.
func startPostgres(t *testing.T) *postgresCluster {
	t.Helper()
	initdb, _ := filepath.EvalSymlinks(storagetest.Require(t, "initdb"))
	bin := filepath.Dir(initdb)

	root, err := os.MkdirTemp("", "hotline-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	c := &postgresCluster{dir: filepath.Join(root, "data")}
	if err := os.Mkdir(c.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		pgUser, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs a postgres user to own the cluster: %v", err)
		}
		uid, _ := strconv.Atoi(pgUser.Uid)
		gid, _ := strconv.Atoi(pgUser.Gid)
		if err := os.Chmod(root, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(c.dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		c.as = []string{"runuser", "-u", "postgres", "--"}
	}
	c.bin = bin
	c.opts = "-h 127.0.0.1 -p " + freePort(t) + " -k " + c.dir + " -c fsync=off"
	port := strings.Fields(c.opts)[3]
	c.url = "postgres://hotline@127.0.0.1:" + port + "/hotline?sslmode=disable"
	c.exec(t, "initdb", "-D", c.dir, "-U", "hotline", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
	c.ctl(t, "start", "-w", "-l", filepath.Join(c.dir, "server.log"), "-o", c.opts)
	t.Cleanup(func() {
		argv := append(append([]string(nil), c.as...), filepath.Join(c.bin, "pg_ctl"), "-D", c.dir, "stop", "-m", "immediate")
		_ = exec.Command(argv[0], argv[1:]...).Run()
	})
	c.exec(t, "createdb", "-h", "127.0.0.1", "-p", port, "-U", "hotline", "hotline")
	return c
}

// exec runs one of Postgres's programs as the cluster's owner.
func (c *postgresCluster) exec(t *testing.T, prog string, args ...string) {
	t.Helper()
	argv := append(append(append([]string(nil), c.as...), filepath.Join(c.bin, prog)), args...)
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", prog, strings.Join(args, " "), err, out)
	}
}

// ctl runs pg_ctl on the cluster: start, stop…
func (c *postgresCluster) ctl(t *testing.T, args ...string) {
	t.Helper()
	c.exec(t, "pg_ctl", append([]string{"-D", c.dir}, args...)...)
}
