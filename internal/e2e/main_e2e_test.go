package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
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

// harness runs the real bot in this process — serve(), as `hotline` runs
// it — against the fake Telegram server, with a fresh database and its own
// Redis key prefix. Tests play users through tg and look at what the bot
// stored through db.
type harness struct {
	t   *testing.T
	tg  *telegramtest.Server
	cfg config
	db  *sqlx.DB
	rdb redis.UniversalClient // a cluster's client with onCluster
	cat *locales.Catalog
	log *syncBuffer

	mu      sync.Mutex
	running *running
}

// running is one bot process, in-process.
type running struct {
	cancel context.CancelFunc
	done   chan error
	srv    *server
}

// harnessOption adjusts the bot's configuration or the fake server. Like
// telegramtest.Option, whose options it carries, it is a test helper's
// WithX function; the bot's own constructors take options structs.
type harnessOption func(*harnessSetup)

type harnessSetup struct {
	cfg     []func(*config)
	tgOp    []telegramtest.Option
	tgSetup []func(*telegramtest.Server) // before the bot starts
	cluster bool
}

// onCluster runs the bot against the Redis Cluster of REDIS_CLUSTER_URL.
func onCluster() harnessOption {
	return func(s *harnessSetup) { s.cluster = true }
}

// testRedis is the Redis a test's bot uses: a client, its URL and the
// test's key prefix.
type testRedis struct {
	rdb    redis.UniversalClient
	url    string
	prefix string
}

// serverRedis is a prefix of its own on the shared Redis server.
func serverRedis(t testing.TB) testRedis {
	rdb, prefix := storagetest.Redis(t)
	return testRedis{rdb: rdb, url: "redis://" + rdb.Options().Addr + "/0", prefix: prefix}
}

// clusterRedis is a prefix of its own on the Redis Cluster (three masters
// in CI, started by scripts/services.sh).
func clusterRedis(t testing.TB) testRedis {
	rdb, url, prefix := storagetest.RedisCluster(t)
	return testRedis{rdb: rdb, url: url, prefix: prefix}
}

// withConfig changes the bot's configuration before it starts.
func withConfig(fn func(*config)) harnessOption {
	return func(s *harnessSetup) { s.cfg = append(s.cfg, fn) }
}

// withPipeline adjusts the pipeline's options after the harness's own.
func withPipeline(fn func(*pipeline.Options)) harnessOption {
	return withConfig(func(c *config) {
		next := c.pipeline
		c.pipeline = func(o *pipeline.Options) {
			next(o)
			fn(o)
		}
	})
}

// withTelegram passes options to the fake Telegram server.
func withTelegram(opts ...telegramtest.Option) harnessOption {
	return func(s *harnessSetup) { s.tgOp = append(s.tgOp, opts...) }
}

// newHarness starts the fake Telegram server and the bot.
func newHarness(t *testing.T, opts ...harnessOption) *harness {
	t.Helper()
	dbURL := storagetest.PostgresURL(t)
	setup := harnessSetup{}
	for _, o := range opts {
		o(&setup)
	}
	r := serverRedis
	if setup.cluster {
		r = clusterRedis
	}
	red := r(t)
	rdb := red.rdb
	tg := telegramtest.New(setup.tgOp...)
	t.Cleanup(tg.Close)
	for _, fn := range setup.tgSetup {
		fn(tg)
	}

	cfg, err := loadConfig(botEnv(tg, dbURL, red.url, red.prefix), need{Token: true, Database: true, Redis: true, Keys: true})
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	cfg.Partitions = 8
	cfg.pipeline = func(o *pipeline.Options) {
		// Telegram's per-chat limit would make every test wait a second
		// per message; tests of the limits themselves set their own.
		o.Limits = pipeline.Limits{Global: 10000, PerChat: 1000, ChatBurst: 1000, PerGroupPerMinute: 1000}
		o.Lease, o.PollTimeout = 2*time.Second, 2*time.Second
	}
	for _, fn := range setup.cfg {
		fn(&cfg)
	}
	if cfg.RedisURL != red.url {
		// The bot talks to a Redis of the test's own: so does the harness.
		c, err := storage.OpenRedis(context.Background(), cfg.RedisURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		rdb = c
	}

	db, err := storage.OpenPostgres(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, tg: tg, cfg: cfg, db: db, rdb: rdb, cat: cat, log: &syncBuffer{}}
	h.start()
	t.Cleanup(h.stop)
	t.Cleanup(h.explainFailure)
	return h
}

// explainFailure shows, when the test failed, what the bot was doing: its
// log, the statements its database sessions were running or waiting on,
// and the goroutines in the flows or the storage (an update, a timer or the
// purge being handled). A turn stuck on a lock or a call logs nothing; this
// is where it shows.
func (h *harness) explainFailure() {
	t := h.t
	if !t.Failed() {
		return
	}
	t.Logf("the bot's log:\n%s", h.log.String())
	var sessions []struct {
		State string `db:"state"`
		Wait  string `db:"wait"`
		For   string `db:"for"`
		Query string `db:"query"`
	}
	err := h.db.Select(&sessions, `
		SELECT coalesce(state, '') AS state, coalesce(wait_event_type || ':' || wait_event, '') AS wait,
		       coalesce(date_trunc('millisecond', now() - xact_start)::text, '') AS for, left(query, 300) AS query
		FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`)
	if err != nil {
		t.Logf("database sessions: %v", err)
	}
	for _, s := range sessions {
		t.Logf("database session %s (waiting on %q, in a transaction for %s): %s", s.State, s.Wait, s.For, s.Query)
	}
	// Every bot of the test process is in this dump; the goroutines of
	// the tests running beside this one are shown too.
	buf := make([]byte, 8<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "hotline/flows.") || strings.Contains(g, "hotline/storage.") {
			t.Logf("a goroutine at work:\n%s", g)
		}
	}
}

// cliEnv is the environment of a `hotline` command run against the
// harness's bot: its database, Redis, prefix, partitions and data key.
func (h *harness) cliEnv() func(string) string {
	return func(name string) string {
		switch name {
		case "DATABASE_URL":
			return h.cfg.DatabaseURL
		case "REDIS_URL":
			return h.cfg.RedisURL
		case "HOTLINE_REDIS_PREFIX":
			return h.cfg.RedisPrefix
		case "HOTLINE_PARTITIONS":
			return strconv.Itoa(h.cfg.Partitions)
		case "HOTLINE_DATA_KEY":
			return botEnv(h.tg, "", "", "")("HOTLINE_DATA_KEY")
		case "HOTLINE_FORUM_CHAT":
			if h.cfg.ForumChat != 0 {
				return strconv.FormatInt(h.cfg.ForumChat, 10)
			}
		}
		return ""
	}
}

// botEnv is the environment of a bot talking to the fake Telegram tg, with
// its own database and Redis key prefix.
func botEnv(tg *telegramtest.Server, dbURL, redisURL, prefix string) func(string) string {
	return func(name string) string {
		switch name {
		case "TELEGRAM_BOT_TOKEN":
			return tg.Token()
		case "TELEGRAM_API_URL":
			return tg.URL()
		case "DATABASE_URL":
			return dbURL
		case "REDIS_URL":
			return redisURL
		case "LISTEN_ADDR":
			return "127.0.0.1:0"
		case "HOTLINE_REDIS_PREFIX":
			return prefix
		case "HOTLINE_DATA_KEY":
			return storagetest.DataKey
		}
		return ""
	}
}

// start runs a bot process and waits until it is up.
func (h *harness) start() {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan error, 1)}
	up := make(chan *server, 1)
	go func() {
		r.done <- serve(ctx, h.cfg, newLogger(h.log, h.cfg.LogLevel), func(s *server) { up <- s })
	}()
	select {
	case r.srv = <-up:
	case err := <-r.done:
		cancel()
		h.t.Fatalf("bot did not start: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		h.t.Fatal("bot did not start within 30 s")
	}
	h.mu.Lock()
	h.running = r
	h.mu.Unlock()
}

// stop shuts the bot down the way SIGTERM does and waits for it.
func (h *harness) stop() {
	h.mu.Lock()
	r := h.running
	h.running = nil
	h.mu.Unlock()
	if r == nil {
		return
	}
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			h.t.Errorf("bot stopped with %v", err)
		}
	case <-time.After(30 * time.Second):
		h.t.Error("bot did not stop within 30 s of its shutdown signal")
	}
}

// restart stops the bot and starts a new one on the same Postgres and Redis.
func (h *harness) restart() {
	h.t.Helper()
	h.stop()
	h.start()
}

// srv returns the running bot's parts.
// get returns the body of a GET of path on the running bot's HTTP server
// (/metrics, /readyz), whatever its status.
func (h *harness) get(path string) string {
	h.t.Helper()
	resp, err := http.Get("http://" + h.srv().Addr + path)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return string(body)
}

func (h *harness) srv() *server {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.running == nil {
		h.t.Fatal("bot not running")
	}
	return h.running.srv
}

// label renders a button caption the way the bot does.
func (h *harness) label(lang, id string, kv ...any) string {
	return h.cat.Button(lang, flows.T(id, kv...))
}

// text renders a message's plain text the way the user sees it, without
// HTML tags, for comparing with what the fake server delivered.
func (h *harness) text(lang, id string, kv ...any) string {
	return plain(h.cat.Render(lang, flows.T(id, kv...)))
}

// plain strips the HTML tags and entities of a rendered message.
func plain(html string) string {
	var b strings.Builder
	in := false
	for _, r := range html {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "&quot;", `"`).Replace(b.String())
}

// press presses the button of m whose caption contains part.
func press(t *testing.T, u *telegramtest.User, m *telegramtest.Message, part string) {
	t.Helper()
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.Contains(b.Text, part) {
				u.Press(t, m, b.Text)
				return
			}
		}
	}
	t.Fatalf("message %d has no button with %q; buttons: %v; text: %q", m.ID, part, m.Buttons, m.Text)
}

// expectText waits for the user's next message and checks that it
// contains want. A member hears of every new case whenever a report is
// confirmed, and sees those cards redrawn when a case changes hands: an
// announcement that is not what the test waits for, and every redrawn
// card, are passed over.
func expectText(t *testing.T, u *telegramtest.User, want string) *telegramtest.Message {
	t.Helper()
	m := u.Next(t)
	for m.Edited && isAnnouncement(m) || !strings.Contains(m.Plain, want) && isAnnouncement(m) {
		m = u.Next(t)
	}
	if !strings.Contains(m.Plain, want) {
		t.Fatalf("user %d got %q\nwant it to contain %q", u.ID, m.Plain, want)
	}
	return m
}

// holes fill the values of questions whose examples change with the date
// ("For example: 30.11.2026") with "{{", where firstLine cuts them off;
// other messages ignore them.
var holes = []any{"Num", "{{", "Words", "{{", "Max", "{{"}

// nextReply is the user's next message that is not a new case's
// announcement.
func nextReply(t *testing.T, u *telegramtest.User) *telegramtest.Message {
	t.Helper()
	m := u.Next(t)
	for isAnnouncement(m) {
		m = u.Next(t)
	}
	return m
}

// isAnnouncement reports whether m is a case's card a member did not ask
// for: a new case announced (its Take button), or a card redrawn in place
// when its case changed hands.
func isAnnouncement(m *telegramtest.Message) bool {
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.HasPrefix(b.Data, "cw.:t:") || m.Edited && strings.HasPrefix(b.Data, "cw.:o:") {
				return true
			}
		}
	}
	return false
}

// firstLine is the first line of a rendered message: enough to recognise
// a question without its template values.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if i := strings.Index(s, "{{"); i > 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// syncBuffer collects the bot's log lines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// unknownAnswer is the button that says "don't know" (or "no", "skip") to
// each question a report test does not care about.
var unknownAnswer = map[string]string{
	"triage": "btn.triage_no", "name_other": "btn.dont_know", "transfer": "btn.dont_know", "stage": "btn.dont_know",
	"flight": "flight.none", "entry": "btn.dont_know", "language": "btn.dont_know",
	"can_call": "btn.dont_know", "phone_account": "btn.dont_know", "state": "btn.skip",
	"privacy": "btn.dont_know", "publicity": "btn.dont_know", "facility_share": "btn.share_no", "office": "btn.dont_know",
}

// dontKnow answers the questions named by steps, in order, with their
// unknownAnswer.
func (h *harness) dontKnow(t *testing.T, u *telegramtest.User, lang string, steps ...string) {
	t.Helper()
	for _, s := range steps {
		m := expectText(t, u, firstLine(h.text(lang, "ask."+s)))
		press(t, u, m, h.label(lang, unknownAnswer[s]))
	}
}

// Questions of the report the tests skip with dontKnow, by where they come.
var (
	factsAfterAppeals = []string{"flight", "entry", "language", "can_call", "phone_account"}
	factsAfterContact = []string{"state", "privacy", "publicity"}
)
