package e2e

import (
	"hotline/internal/batch"
	"hotline/internal/pipeline"

	"bufio"
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"os"
	"os/exec"
	"runtime"
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
	"hotline/locales"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// Benchmarks of the whole bot: serve() as `hotline` runs it, with real
// Postgres and Redis and the fake Telegram (bot/telegramtest) on loopback,
// played by virtual users who each file a whole report (report_e2e_test.go's
// answers). They run only with -bench; README.md ("Benchmarks") says how and
// what they printed on the development machine. Numbers are printed, never
// asserted (speed goals are benchmarks, not timed tests); the targets are
// shown next to them.
//
//	BenchmarkLoad                 as fast as the users can go: updates/s, latency, round trips
//	BenchmarkRate500              500 updates/s paced: latency at a fixed rate
//	BenchmarkBurst                1,000 users at once against Telegram's limits
//	BenchmarkConversationsMemory  the bot's heap and Redis bytes per open conversation
//
// Latency is from an update becoming available at the fake Telegram
// (UpdateAvailableAt) to the bot's reply arriving there (Message.At).

var (
	loadUsers   = flag.Int("load.users", 1000, "BenchmarkLoad: virtual users, each filing one whole report")
	rateRPS     = flag.Int("rate.rps", 500, "BenchmarkRate500: updates per second")
	rateUsers   = flag.Int("rate.users", 1000, "BenchmarkRate500: virtual users sharing the rate")
	rateFor     = flag.Duration("rate.for", 20*time.Second, "BenchmarkRate500: how long to send")
	burstUsers  = flag.Int("burst.users", 1000, "BenchmarkBurst: users who write /start at the same moment")
	memConvs    = flag.String("mem.convs", "1000,10000,100000", "BenchmarkConversationsMemory: open conversations to measure at")
	memRealUpTo = flag.Int("mem.real", 10000, "BenchmarkConversationsMemory: conversations opened through Telegram; the rest are seeded in Redis")
)

// replyWait bounds how long a virtual user waits for one reply: far above
// any latency seen, so that only a lost reply hits it.
const replyWait = 60 * time.Second

// looseLimits lift Telegram's sending limits: the load runs measure the
// bot, not the 30 messages/s Telegram allows (BenchmarkBurst measures that).
var looseLimits = pipeline.Limits{Global: 1 << 20, PerChat: 1 << 20, ChatBurst: 1 << 20, PerGroupPerMinute: 1 << 20}

// benchBot is a bot started by serve() for a benchmark, with counters on
// its Redis client and its Postgres connection.
type benchBot struct {
	tg     *telegramtest.Server
	srv    *server
	cat    *locales.Catalog
	rdb    *redis.Client // the benchmark's own client: not counted
	prefix string
	// partitions are the bot's: a seeded session's key carries its chat's
	// partition tag, as the bot's own do.
	partitions int
	db         *sqlx.DB      // the benchmark's own connection: not counted
	redis      *redisCounter // the bot's commands, counted by its client
	own        *redisCounter // the benchmark's own commands, to subtract from the server's count
	pg         *pgProxy
	logs       *logCounter
}

// startBenchBot starts the fake Telegram and the bot on a fresh database
// and Redis prefix; limits nil keeps the bot's own sending limits.
func startBenchBot(b testing.TB, limits *pipeline.Limits, tgOpts ...telegramtest.Option) *benchBot {
	b.Helper()
	dbURL := storagetest.PostgresURL(b)
	// A private redis-server, so that INFO commandstats counts this bot's
	// commands only (the shared one serves every test running).
	rs := startRedis(b, "everysec")
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + rs.port})
	b.Cleanup(func() { rdb.Close() })
	prefix := "bench:"
	pg := startPGProxy(b, dbURL)
	tg := telegramtest.New(append([]telegramtest.Option{telegramtest.WithWait(replyWait)}, tgOpts...)...)
	b.Cleanup(tg.Close)

	cfg, err := loadConfig(benchEnv(tg, pg.url, rdb, prefix), need{Token: true, Database: true, Redis: true})
	if err != nil {
		b.Fatalf("config: %v", err)
	}
	cfg.pipeline = func(o *pipeline.Options) {
		if limits != nil {
			o.Limits = *limits
		}
	}
	cat, err := locales.New()
	if err != nil {
		b.Fatal(err)
	}
	db, err := storage.OpenPostgres(context.Background(), dbURL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })

	bb := &benchBot{tg: tg, cat: cat, rdb: rdb, prefix: prefix, partitions: cfg.Partitions, db: db,
		redis: newRedisCounter(prefix), pg: pg, logs: &logCounter{}}
	bb.own = newRedisCounter(prefix)
	rdb.AddHook(bb.own)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	up := make(chan *server, 1)
	go func() { done <- serve(ctx, cfg, newLogger(bb.logs, cfg.LogLevel), func(s *server) { up <- s }) }()
	select {
	case bb.srv = <-up:
	case err := <-done:
		cancel()
		b.Fatalf("bot did not start: %v", err)
	}
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("bot stopped with %v", err)
		}
	})
	bb.srv.Redis.AddHook(bb.redis)
	waitHeld(b, bb.srv.Pipeline, cfg.Partitions)
	waitPolling(b, tg)
	return bb
}

// benchEnv is the environment of a bot under benchmark: botEnv, logging
// only warnings, which is what the benchmark counts (info lines would cost
// CPU for nothing).
func benchEnv(tg *telegramtest.Server, dbURL string, rdb *redis.Client, prefix string) func(string) string {
	env := botEnv(tg, dbURL, "redis://"+rdb.Options().Addr+"/0", prefix)
	return func(name string) string {
		if name == "LOG_LEVEL" {
			return "warn"
		}
		return env(name)
	}
}

// waitHeld waits until the bot holds every partition, so that no update
// waits for a lease round.
func waitHeld(b testing.TB, p *pipeline.Pipeline, n int) {
	b.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(p.Held()) < n {
		if time.Now().After(deadline) {
			b.Fatalf("bot holds %d of %d partitions after 30 s", len(p.Held()), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitPolling waits until the bot is polling: at start it takes the
// polling lease a lease round after its partitions.
func waitPolling(b testing.TB, tg *telegramtest.Server) {
	b.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for tg.Stats().Calls["getUpdates"] == 0 {
		if time.Now().After(deadline) {
			b.Fatal("bot not polling after 30 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A virtual user's script: each step sends a text or presses a button of
// the bot's last message, then waits for exactly one reply (a new message
// or an edit: every turn of the flows ends in one reply).
type benchStep struct {
	name  string // what the step answers, for the tables
	send  string // text to send
	press string // or: part of the caption of the button to press
	want  string // part of the reply's text; "" when anything goes
}

// reportSteps is a whole report in r's language (report_e2e_test.go's
// answers) with the A-number aNumber: 40 updates from /start to confirm,
// 39 when the facility typed is taken without the list.
func reportSteps(cat *locales.Catalog, r reportAnswers, aNumber string) []benchStep {
	btn := func(id string) string { return cat.Button(r.lang, flows.T(id)) }
	ask := func(id string) string { return firstLine(plain(cat.Render(r.lang, flows.T(id, holes...)))) }
	afterName := btn("btn.skip") // no Cyrillic spelling
	if r.cyrillic != "" {
		afterName = r.latin // the transliteration offered as a button
	}
	steps := []benchStep{
		{name: "start", send: "/start", want: ask("menu.greeting")},
		{name: "menu: report", press: btn("btn.menu_report"), want: ask("ask.consent")},
		{name: "consent", press: btn("btn.consent_yes"), want: ask("ask.triage")},
		{name: "triage", press: btn("btn.triage_no"), want: ask("ask.name")},
		{name: "name", send: r.name},
		{name: "name: other script", press: afterName, want: ask("ask.name_other")},
		{name: "other spellings", press: btn("btn.dont_know"), want: ask("ask.birth_date")},
		{name: "birth date", send: r.birth, want: ask("ask.birth_country")},
		{name: "country of birth", send: r.country, want: ask("ask.citizenship")},
		{name: "citizenship", press: r.country, want: ask("ask.a_number")},
		{name: "A-number", send: aNumber, want: ask("ask.detained_on")},
		{name: "detained on", send: r.detained, want: ask("ask.circumstance")},
		{name: "circumstance", press: btn("circ.checkin"), want: ask("ask.office")},
		{name: "check-in office", press: btn("btn.dont_know"), want: ask("ask.details")},
		{name: "details", send: r.details, want: ask("ask.facility")},
		{name: "facility search", send: r.facility},
		{name: "facility pick", press: r.facilityPick, want: ask("ask.transfer")},
		{name: "transfer", press: btn("btn.dont_know"), want: ask("ask.lawyer")},
		{name: "lawyer: yes", press: btn("btn.lawyer_yes"), want: ask("ask.lawyer_name")},
		{name: "lawyer name", send: r.lawyer, want: ask("ask.lawyer_phone")},
		{name: "lawyer phone", send: r.lawyerPhone, want: ask("ask.hearing")},
		{name: "hearing", send: r.hearing, want: ask("ask.stage")},
		{name: "stage", press: btn("btn.dont_know"), want: ask("ask.appeals")},
		{name: "appeals", send: r.appeals, want: ask("ask.flight")},
		{name: "flight", press: btn("flight.none"), want: ask("ask.entry")},
		{name: "entry", press: btn("btn.dont_know"), want: ask("ask.language")},
		{name: "language", press: btn("btn.dont_know"), want: ask("ask.can_call")},
		{name: "can call", press: btn("btn.dont_know"), want: ask("ask.phone_account")},
		{name: "phone account", press: btn("btn.dont_know"), want: ask("ask.urgent")},
		{name: "urgent: toggle", press: cat.Button(r.lang, flows.T("urgent.medical"))}, // the question redrawn, ticked
		{name: "urgent: done", press: btn("btn.urgent_done"), want: ask("ask.reporter_name")},
		{name: "reporter name", send: r.reporter, want: ask("ask.relationship")},
		{name: "relationship", send: r.relation, want: ask("ask.contact")},
		{name: "contact", send: r.contact, want: ask("ask.state")},
		{name: "state", press: btn("btn.skip"), want: ask("ask.privacy")},
		{name: "privacy", press: btn("btn.dont_know"), want: ask("ask.publicity")},
		{name: "publicity", press: btn("btn.dont_know"), want: ask("ask.facility_share")},
		{name: "facility share", press: btn("btn.share_yes")},
		{name: "confirm", press: btn("btn.confirm")}, // the case code; checked by the caller
	}
	if r.facilityPick == "" {
		// The one facility spelt so is taken, without a list to press.
		steps = slices.DeleteFunc(steps, func(s benchStep) bool { return s.name == "facility pick" })
		for i := range steps {
			if steps[i].name == "facility search" {
				steps[i].want = ask("ask.transfer")
			}
		}
	}
	return steps
}

// vuser is a virtual user: a Telegram user and the language it reports in.
type vuser struct {
	u     *telegramtest.User
	r     reportAnswers
	steps []benchStep // made before the clock starts: rendering them costs CPU
}

// newVUsers makes n users with ids from first, half reporting in Russian
// and half in English, each with its own A-number.
func newVUsers(tg *telegramtest.Server, cat *locales.Catalog, first int64, n int) []*vuser {
	var perLang [2][]benchStep
	for i := range perLang {
		perLang[i] = reportSteps(cat, reports[i%len(reports)], "")
	}
	us := make([]*vuser, n)
	for i := range us {
		k := i % len(perLang)
		r := reports[k%len(reports)]
		steps := slices.Clone(perLang[k])
		for j := range steps {
			if steps[j].name == "A-number" {
				steps[j].send = fmt.Sprintf("A%09d", (first+int64(i))%1_000_000_000)
			}
		}
		us[i] = &vuser{u: tg.User(first+int64(i), r.langCode), r: r, steps: steps}
	}
	return us
}

// do takes one step after last (the bot's previous message) and returns the
// reply and its latency.
func (v *vuser) do(tg *telegramtest.Server, st benchStep, last *telegramtest.Message) (*telegramtest.Message, time.Duration, error) {
	if st.send != "" {
		v.u.Send(st.send)
	} else if err := pressPart(v.u, last, st.press); err != nil {
		return nil, 0, err
	}
	m, err := v.u.NextWithin(replyWait)
	if err != nil {
		return nil, 0, err
	}
	if st.want != "" && !strings.Contains(m.Plain, st.want) {
		return m, 0, fmt.Errorf("user %d: reply %q does not contain %q", v.u.ID, m.Plain, st.want)
	}
	return m, latencyOf(tg, m), nil
}

// latencyOf is how long the reply took from the update that caused it
// becoming available.
func latencyOf(tg *telegramtest.Server, m *telegramtest.Message) time.Duration {
	at := tg.UpdateAvailableAt(m.LastUpdateID)
	if at.IsZero() {
		at = m.LastUpdateAt
	}
	return m.At.Sub(at)
}

// pressPart presses the button of m whose caption contains part.
func pressPart(u *telegramtest.User, m *telegramtest.Message, part string) error {
	if m == nil {
		return fmt.Errorf("user %d: no message to press %q on", u.ID, part)
	}
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.Contains(b.Text, part) {
				u.PressData(m.ID, b.Data)
				return nil
			}
		}
	}
	return fmt.Errorf("user %d: message %d has no button with %q", u.ID, m.ID, part)
}

// failures collects a benchmark's failures from many goroutines and
// reports the first few, so that one fault does not print a thousand lines.
type failures struct {
	mu    sync.Mutex
	n     int
	first []string
}

func (f *failures) add(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	if len(f.first) < 5 {
		f.first = append(f.first, fmt.Sprintf(format, args...))
	}
}

// report fails b with what was collected.
func (f *failures) report(b *testing.B) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.first {
		b.Error(s)
	}
	if f.n > len(f.first) {
		b.Errorf("… and %d more failures", f.n-len(f.first))
	}
}

// latencies collects reply latencies from many goroutines, in all and by
// step.
type latencies struct {
	mu     sync.Mutex
	d      []time.Duration
	byStep map[string][]time.Duration
}

func (l *latencies) add(d time.Duration) { l.addStep("", d) }

func (l *latencies) addStep(step string, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.d = append(l.d, d)
	if step == "" {
		return
	}
	if l.byStep == nil {
		l.byStep = map[string][]time.Duration{}
	}
	l.byStep[step] = append(l.byStep[step], d)
}

// logSlowSteps prints the n steps with the highest p99.
func (l *latencies) logSlowSteps(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	type row struct {
		name          string
		p50, p99, max time.Duration
		count         int
	}
	var rows []row
	for name, d := range l.byStep {
		d = slices.Clone(d)
		slices.Sort(d)
		rows = append(rows, row{name, pct(d, .5), pct(d, .99), pct(d, 1), len(d)})
	}
	slices.SortFunc(rows, func(a, b row) int { return int(b.p99 - a.p99) })
	say("  slowest steps by p99 (p50 / p99 / max):")
	for _, r := range rows[:min(n, len(rows))] {
		say("    %-20s %6.1f / %6.1f / %6.1f ms  (%d)", r.name, ms(r.p50), ms(r.p99), ms(r.max), r.count)
	}
}

func (l *latencies) sorted() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	d := slices.Clone(l.d)
	slices.Sort(d)
	return d
}

// machine describes the machine for a table's header: other work on it
// (tests of other packages) shows in the numbers.
func machine() string {
	load := "?"
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			load = strings.Join(f[:3], " ")
		}
	}
	return fmt.Sprintf("%d CPUs, load average %s", runtime.NumCPU(), load)
}

// say prints a line of a benchmark's table. b.Log would do, but the
// testing package keeps only the first ten lines of a benchmark's log.
func say(format string, args ...any) { fmt.Printf(format+"\n", args...) }

// pct returns the q-quantile of sorted durations.
func pct(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// runReports has every user file a whole report as fast as the bot
// answers; it returns the updates sent.
func runReports(b *testing.B, bb *benchBot, us []*vuser, lat *latencies) int {
	var sent atomic.Int64
	var wg sync.WaitGroup
	var fails failures
	for _, v := range us {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var last *telegramtest.Message
			for i, st := range v.steps {
				m, d, err := v.do(bb.tg, st, last)
				sent.Add(1)
				if err != nil {
					fails.add("step %d (%s): %v", i+1, st.name, err)
					return
				}
				lat.addStep(st.name, d)
				last = m
			}
			if codeRe.FindString(last.Plain) == "" {
				fails.add("user %d got no case code at the end", v.u.ID)
			}
		}()
	}
	wg.Wait()
	fails.report(b)
	return int(sent.Load())
}

// warmUsers file reports before a run is measured, so that connection
// pools, prepared scripts and caches are as they are in a running bot.
const warmUsers = 20

func warmUp(b *testing.B, bb *benchBot) {
	var lat latencies
	runReports(b, bb, newVUsers(bb.tg, bb.cat, 9_000_000, warmUsers), &lat)
}

// BenchmarkLoad has -load.users virtual users (default 1,000) each file a
// whole report (38 updates) at once, each sending its next answer as soon
// as the bot's reply arrives. Telegram's sending limits are lifted. One
// iteration is the whole run; use -benchtime=1x.
func BenchmarkLoad(b *testing.B) {
	bb := startBenchBot(b, &looseLimits)
	ctx := context.Background()
	warmUp(b, bb)
	var lat latencies
	updates, reports := 0, 0
	var elapsed time.Duration
	bb.redis.reset()
	bb.pg.reset()
	bb.resetServerStats(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		us := newVUsers(bb.tg, bb.cat, int64(10_000_000+i*1_000_000), *loadUsers)
		start := time.Now()
		updates += runReports(b, bb, us, &lat)
		elapsed += time.Since(start)
		reports += len(us)
	}
	b.StopTimer()
	server := bb.serverStats(b)
	trips := bb.redis.reset()
	pgStats := bb.pg.reset()

	var stored int
	if err := bb.db.GetContext(ctx, &stored, `SELECT count(*) FROM cases`); err != nil {
		b.Fatal(err)
	}
	stored -= warmUsers
	if stored != reports {
		b.Errorf("cases stored: %d, want %d (one per user)", stored, reports)
	}
	d := lat.sorted()
	rate := float64(updates) / elapsed.Seconds()
	b.ReportMetric(rate, "updates/s")
	b.ReportMetric(ms(pct(d, 0.50)), "p50-ms")
	b.ReportMetric(ms(pct(d, 0.95)), "p95-ms")
	b.ReportMetric(ms(pct(d, 0.99)), "p99-ms")
	b.ReportMetric(float64(server.total())/float64(updates), "redis-server-cmds/update")
	b.ReportMetric(float64(trips.cmds)/float64(updates), "redis-cmds/update")
	b.ReportMetric(float64(trips.total())/float64(updates), "redis-rt/update")
	b.ReportMetric(float64(pgStats.statements)/float64(reports), "pg-stmts/report")
	b.ReportMetric(0, "ns/op") // one op is a whole run: its time says nothing

	say("load: %d users × %d updates, %d updates in %v (Telegram's limits lifted; %d partitions; %s)",
		reports, updates/max(reports, 1), updates, elapsed.Round(time.Millisecond), len(bb.srv.Pipeline.Held()), machine())
	say("  updates/s                %8.0f   target ≥ 2,000", rate)
	say("  latency p50/p95/p99/max  %6.1f / %.1f / %.1f / %.1f ms", ms(pct(d, .5)), ms(pct(d, .95)), ms(pct(d, .99)), ms(pct(d, 1)))
	say("  cases stored             %8d of %d", stored, reports)
	lat.logSlowSteps(6)
	server.log(updates)
	trips.log(b, updates)
	pgStats.log(b, reports)
	bb.logs.log(b)
}

// serverCounts are the calls of each command the Redis server counted
// (INFO commandstats: commands run inside scripts included), less the
// benchmark's own.
type serverCounts map[string]int

func (c serverCounts) total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

func (c serverCounts) log(updates int) {
	per := func(n int) float64 { return float64(n) / float64(max(updates, 1)) }
	say("  Redis commands per update %7.2f   (counted by the server: INFO commandstats, inside scripts too)   target ≤ 6", per(c.total()))
	names := make([]string, 0, len(c))
	for k := range c {
		names = append(names, k)
	}
	slices.SortFunc(names, func(x, y string) int { return c[y] - c[x] })
	for _, k := range names {
		say("    %-34s %8d  %6.3f/update", k, c[k], per(c[k]))
	}
}

// resetServerStats zeroes the server's command counts (CONFIG RESETSTAT)
// and the benchmark's own count.
func (bb *benchBot) resetServerStats(b *testing.B) {
	if err := bb.rdb.ConfigResetStat(context.Background()).Err(); err != nil {
		b.Fatalf("config resetstat: %v", err)
	}
	bb.own.reset()
}

// serverStats reads INFO commandstats and takes off what the benchmark
// itself asked since resetServerStats (its CONFIG RESETSTAT included).
func (bb *benchBot) serverStats(b *testing.B) serverCounts {
	own := bb.own.reset()
	info, err := bb.rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		b.Fatalf("info commandstats: %v", err)
	}
	c := serverCounts{}
	for _, line := range strings.Split(info, "\n") {
		// cmdstat_get:calls=12,usec=...,rejected_calls=0,failed_calls=0
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
		name, isCmd := strings.CutPrefix(name, "cmdstat_")
		if !ok || !isCmd {
			continue
		}
		calls, _, _ := strings.Cut(strings.TrimPrefix(rest, "calls="), ",")
		n, err := strconv.Atoi(calls)
		if err != nil {
			b.Fatalf("info commandstats: unexpected line %q", line)
		}
		c[name] = n
	}
	for name, n := range own.byName {
		c[name] -= n
		if c[name] <= 0 {
			delete(c, name)
		}
	}
	return c
}

// BenchmarkRate500 paces -rate.users virtual users (default 1,000) to send
// -rate.rps updates per second in all (default 500) for -rate.for (default
// 20 s): each user sends its next answer every users/rps seconds, or as soon
// as the reply arrives when that is later. Users start over with a new
// report when they finish one. Use -benchtime=1x.
func BenchmarkRate500(b *testing.B) {
	bb := startBenchBot(b, &looseLimits)
	warmUp(b, bb)
	var lat latencies
	var fails failures
	var sent atomic.Int64
	var behind atomic.Int64 // sends later than their slot by more than one interval
	var elapsed time.Duration
	interval := time.Duration(float64(time.Second) * float64(*rateUsers) / float64(*rateRPS))
	bb.redis.reset()
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		us := newVUsers(bb.tg, bb.cat, int64(20_000_000+it*1_000_000), *rateUsers)
		start := time.Now()
		end := start.Add(*rateFor)
		var wg sync.WaitGroup
		for i, v := range us {
			wg.Add(1)
			go func() {
				defer wg.Done()
				slot := start.Add(interval * time.Duration(i) / time.Duration(len(us)))
				steps := v.steps
				var last *telegramtest.Message
				for k := 0; ; k++ {
					if !slot.Before(end) {
						return
					}
					if w := time.Until(slot); w > 0 {
						time.Sleep(w)
					} else if -w > interval {
						behind.Add(1)
					}
					st := steps[k%len(steps)]
					m, d, err := v.do(bb.tg, st, last)
					sent.Add(1)
					if err != nil {
						fails.add("step %d (%s): %v", k%len(steps)+1, st.name, err)
						return
					}
					lat.addStep(st.name, d)
					last = m
					slot = slot.Add(interval)
				}
			}()
		}
		wg.Wait()
		elapsed += time.Since(start)
	}
	b.StopTimer()
	fails.report(b)
	trips := bb.redis.reset()
	n := int(sent.Load())
	d := lat.sorted()
	rate := float64(n) / elapsed.Seconds()
	b.ReportMetric(rate, "updates/s")
	b.ReportMetric(ms(pct(d, 0.50)), "p50-ms")
	b.ReportMetric(ms(pct(d, 0.95)), "p95-ms")
	b.ReportMetric(ms(pct(d, 0.99)), "p99-ms")
	b.ReportMetric(float64(trips.total())/float64(n), "redis-rt/update")
	b.ReportMetric(0, "ns/op")

	say("rate: %d users paced to %d updates/s for %v: %d updates, %.0f/s achieved, %d sends behind their slot (%s)",
		*rateUsers, *rateRPS, *rateFor, n, rate, behind.Load(), machine())
	say("  latency p50/p95/p99/max  %6.1f / %.1f / %.1f / %.1f ms   target p99 < 50 ms",
		ms(pct(d, .5)), ms(pct(d, .95)), ms(pct(d, .99)), ms(pct(d, 1)))
	lat.logSlowSteps(6)
	trips.log(b, n)
	bb.logs.log(b)
}

// BenchmarkBurst has -burst.users users (default 1,000) write /start at the
// same moment and then press "report a detention" and "I agree" as soon as
// each question arrives, against a fake Telegram that enforces Telegram's
// limits (30 messages/s, 1/s per chat after a burst of 3) and a bot with
// its real sending limits. It checks that every user got every reply,
// once. Use -benchtime=1x; a run takes about users×3/30 seconds.
func BenchmarkBurst(b *testing.B) {
	bb := startBenchBot(b, nil, telegramtest.WithLimits(telegramtest.DefaultLimits()))
	const perUser = 3
	var first, rest latencies
	var fails failures
	var elapsed time.Duration
	delivered := 0
	var atMu sync.Mutex
	var firstAt, laterAt []time.Time // when first and later replies arrived
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		us := newVUsers(bb.tg, bb.cat, int64(30_000_000+it*1_000_000), *burstUsers)
		before := bb.tg.Stats().Delivered
		start := time.Now()
		bb.tg.Batch(func() {
			for _, v := range us {
				v.u.Send("/start")
			}
		})
		var wg sync.WaitGroup
		var lastAt atomic.Int64
		for _, v := range us {
			wg.Add(1)
			go func() {
				defer wg.Done()
				steps := v.steps[:perUser]
				m, err := v.u.NextWithin(10 * time.Minute)
				if err != nil {
					fails.add("user %d: no greeting: %v", v.u.ID, err)
					return
				}
				first.add(latencyOf(bb.tg, m))
				atMu.Lock()
				firstAt = append(firstAt, m.At)
				atMu.Unlock()
				for _, st := range steps[1:] {
					if m, err = v.doWithin(bb.tg, st, m, 10*time.Minute, &rest); err != nil {
						fails.add("%v", err)
						return
					}
					atMu.Lock()
					laterAt = append(laterAt, m.At)
					atMu.Unlock()
				}
				for {
					old := lastAt.Load()
					if m.At.UnixNano() <= old || lastAt.CompareAndSwap(old, m.At.UnixNano()) {
						break
					}
				}
			}()
		}
		wg.Wait()
		elapsed += time.Unix(0, lastAt.Load()).Sub(start)
		// Nothing lost, nothing twice: exactly the replies asked for.
		time.Sleep(2 * time.Second) // a duplicate would come within a send round
		for _, v := range us {
			if got := len(v.u.Received()); got != perUser {
				fails.add("user %d got %d messages, want %d", v.u.ID, got, perUser)
			}
		}
		delivered += bb.tg.Stats().Delivered - before
	}
	b.StopTimer()
	fails.report(b)
	st := bb.tg.Stats()
	f, r := first.sorted(), rest.sorted()
	rate := float64(delivered) / elapsed.Seconds()
	b.ReportMetric(rate, "msgs/s")
	b.ReportMetric(float64(st.TooManyRequests), "429s")
	b.ReportMetric(ms(pct(f, 0.5))/1000, "first-p50-s")
	b.ReportMetric(ms(pct(f, 0.99))/1000, "first-p99-s")
	b.ReportMetric(ms(pct(f, 1))/1000, "first-max-s")
	b.ReportMetric(0, "ns/op")

	say("burst: %d users at once, %d replies each, Telegram's limits enforced by the fake and kept by the bot (%s)",
		*burstUsers, perUser, machine())
	say("  delivered                %d messages in %v: %.1f/s   target ≥ 28/s", delivered, elapsed.Round(time.Millisecond), rate)
	say("  429s received            %d (early retries %d)", st.TooManyRequests, st.EarlyRetries)
	say("  wait for first reply     median %.1f s, p99 %.1f s, max %.1f s (max/median %.2f; target ≤ 2)",
		ms(pct(f, .5))/1000, ms(pct(f, .99))/1000, ms(pct(f, 1))/1000, float64(pct(f, 1))/float64(max(pct(f, .5), 1)))
	say("  wait for later replies   median %.1f s, p99 %.1f s, max %.1f s",
		ms(pct(r, .5))/1000, ms(pct(r, .99))/1000, ms(pct(r, 1))/1000)
	// A first reply that arrived after some user's second one waited behind it.
	overtaken := 0
	if len(laterAt) > 0 {
		earliest := slices.MinFunc(laterAt, func(a, b time.Time) int { return a.Compare(b) })
		for _, at := range firstAt {
			if at.After(earliest) {
				overtaken++
			}
		}
	}
	say("  first replies sent after a later reply  %d of %d", overtaken, len(firstAt))
	bb.logs.log(b)
}

// doWithin is do with a longer wait, recording the latency in lat.
func (v *vuser) doWithin(tg *telegramtest.Server, st benchStep, last *telegramtest.Message, wait time.Duration, lat *latencies) (*telegramtest.Message, error) {
	if st.send != "" {
		v.u.Send(st.send)
	} else if err := pressPart(v.u, last, st.press); err != nil {
		return nil, err
	}
	m, err := v.u.NextWithin(wait)
	if err != nil {
		return nil, fmt.Errorf("user %d: %w", v.u.ID, err)
	}
	if st.want != "" && !strings.Contains(m.Plain, st.want) {
		return nil, fmt.Errorf("user %d: reply %q does not contain %q", v.u.ID, m.Plain, st.want)
	}
	lat.add(latencyOf(tg, m))
	return m, nil
}

// BenchmarkConversationsMemory measures the bot's heap (after GC) with
// 1,000, 10,000 and 100,000 conversations open mid-report, and the Redis
// bytes each takes. The bot runs in a child process (this test binary
// running TestBenchBotProcess), so that the heap measured is the bot's and
// not the fake Telegram's, which keeps every chat's messages. Up to
// -mem.real conversations (default 10,000) are opened through Telegram (5
// updates each: /start … the name, leaving the user at the birth date
// question); the rest are seeded into Redis through storage.Sessions as
// copies of a real one, of which 1,000 then answer the next question through
// the bot to show they are live. Each size is measured 15 s after the last
// update, once the sender has forgotten the chats' spent rate limits (and
// just after it, for comparison). Use -benchtime=1x.
func BenchmarkConversationsMemory(b *testing.B) {
	var sizes []int
	for _, f := range strings.Split(*memConvs, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			b.Fatalf("-mem.convs: %q is not a positive number", f)
		}
		sizes = append(sizes, n)
	}
	slices.Sort(sizes)
	for it := 0; it < b.N; it++ {
		conversationsMemory(b, sizes)
	}
}

func conversationsMemory(b *testing.B, sizes []int) {
	ctx := context.Background()
	dbURL := storagetest.PostgresURL(b)
	// A private redis-server, so that INFO commandstats counts this bot's
	// commands only (the shared one serves every test running).
	rs := startRedis(b, "everysec")
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + rs.port})
	b.Cleanup(func() { rdb.Close() })
	prefix := "bench:"
	tg := telegramtest.New(telegramtest.WithWait(replyWait))
	b.Cleanup(tg.Close)
	cat, err := locales.New()
	if err != nil {
		b.Fatal(err)
	}
	child := startBotProcess(b, benchEnv(tg, dbURL, rdb, prefix))
	var fails failures
	defer fails.report(b)

	const midSteps = 5 // /start … the name: the user is asked the birth date
	open := func(us []*vuser) {
		work := make(chan *vuser)
		var wg sync.WaitGroup
		for range 200 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for v := range work {
					var last *telegramtest.Message
					for i, st := range v.steps[:midSteps] {
						m, _, err := v.do(tg, st, last)
						if err != nil {
							fails.add("open conversation, step %d (%s): %v", i+1, st.name, err)
							break
						}
						last = m
					}
				}
			}()
		}
		for _, v := range us {
			work <- v
		}
		close(work)
		wg.Wait()
	}

	// Warm up with a few conversations, then take the baseline.
	warm := newVUsers(tg, cat, 40_000_000, 20)
	open(warm)
	base := child.heap(b)
	say("conversations memory: the bot in its own process; baseline after warm-up %s, %d goroutines (%s)",
		mib(base.heap), base.goroutines, machine())

	// Sealed with the bot's key, as the bot stores them.
	cfg, err := loadConfig(benchEnv(tg, dbURL, rdb, prefix), need{})
	if err != nil {
		b.Fatal(err)
	}
	sessions := storage.NewSessions(rdb, prefix, 30*24*time.Hour).WithKeys(storagetest.Keys(b)).WithTag(pipeline.TagOf(cfg.Partitions))
	var real []*vuser
	seeded := 0
	var templates [2]*flows.Session // a real session in each language, as reports[i]
	var prev struct {
		n    int
		heap uint64
	}
	for _, n := range sizes {
		if have := len(real) + seeded; n > have {
			k := min(n, *memRealUpTo) - len(real)
			if k > 0 {
				us := newVUsers(tg, cat, int64(41_000_000+len(real)), k)
				start := time.Now()
				open(us)
				real = append(real, us...)
				say("  opened %d conversations through Telegram in %v", k, time.Since(start).Round(time.Millisecond))
			}
			if k := n - len(real) - seeded; k > 0 {
				for _, v := range real {
					for j := range templates {
						if templates[j] == nil && v.r.lang == reports[j].lang {
							if templates[j], err = sessions.Get(ctx, v.u.ID); err != nil {
								b.Fatalf("template session: %v", err)
							}
						}
					}
				}
				first := int64(50_000_000 + seeded)
				seedSessions(b, rdb, sessions, templates[:], first, k)
				// Some of them answer through the bot: they are live conversations.
				sample := newVUsers(tg, cat, first, min(k, 1000))
				var wg sync.WaitGroup
				for _, v := range sample {
					wg.Add(1)
					go func() {
						defer wg.Done()
						st := v.steps[midSteps] // the birth date
						if _, _, err := v.do(tg, st, nil); err != nil {
							fails.add("seeded conversation: %v", err)
						}
					}()
				}
				wg.Wait()
				seeded += k
				say("  seeded %d conversations in Redis; %d of them answered the next question through the bot", k, len(sample))
			}
		}
		hot := child.heap(b)
		// The sender keeps a chat's limiter state until it is as a new
		// chat's (its burst refilled: 3 s) and its next sweep (10 s).
		time.Sleep(15 * time.Second)
		h := child.heap(b)
		growth := "" // per 1,000 conversations more than at the previous size
		if prev.n > 0 {
			growth = fmt.Sprintf(", %+.1f KiB per 1,000 more than at %d", (float64(h.heap)-float64(prev.heap))/1024/(float64(n-prev.n)/1000), prev.n)
		}
		say("  %7d open: heap %s (%+.1f KiB per 1,000 over the baseline%s); %s just after the last of them wrote; %d goroutines",
			n, mib(h.heap), (float64(h.heap)-float64(base.heap))/1024/(float64(n)/1000), growth, mib(hot.heap), h.goroutines)
		prev.n, prev.heap = n, h.heap
		b.ReportMetric(float64(h.heap)/(1<<20), fmt.Sprintf("heap-MiB@%d", n))
	}

	// Redis: sessions of conversations mid-report, and of one at the review.
	mid := sessionBytes(b, rdb, sessions, real[:min(len(real), 1000)])
	review := newVUsers(tg, cat, 42_000_000, 50)
	var wg sync.WaitGroup
	for _, v := range review {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var last *telegramtest.Message
			steps := v.steps
			for i, st := range steps[:len(steps)-1] { // all but confirm
				m, _, err := v.do(tg, st, last)
				if err != nil {
					fails.add("to the review, step %d (%s): %v", i+1, st.name, err)
					return
				}
				last = m
			}
		}()
	}
	wg.Wait()
	atReview := sessionBytes(b, rdb, sessions, review)
	// Polling needs no dedup set (the offset fences redeliveries): this is
	// 0 unless the bot runs with a webhook.
	var seen, seenN int64
	iter := rdb.Scan(ctx, 0, prefix+"{p*}:seen", 1000).Iterator()
	for iter.Next(ctx) {
		seen += rdb.MemoryUsage(ctx, iter.Val(), 0).Val()
		seenN += rdb.ZCard(ctx, iter.Val()).Val()
	}
	perUpdate := float64(seen) / float64(max(seenN, 1))
	b.ReportMetric(mid, "redis-B/conv")
	b.ReportMetric(atReview, "redis-B/conv-at-review")
	b.ReportMetric(0, "ns/op")
	say("  Redis per conversation   %.0f B mid-report (birth date question), %.0f B at the review (every answer given)   target ≤ 1 KB",
		mid, atReview)
	say("  Redis dedup set          %.0f B per update (%d ids, kept 24 h): %.0f B for a whole report's 38 updates",
		perUpdate, seenN, perUpdate*38)
}

// seedSessions stores n copies of the templates for chats first, first+1,
// …, chat first+i getting templates[i%len(templates)] as newVUsers gives it
// that language, each with its own draft id, in pipelines of 1,000.
func seedSessions(b *testing.B, rdb *redis.Client, sessions *storage.Sessions, templates []*flows.Session, first int64, n int) {
	ctx := context.Background()
	for done := 0; done < n; {
		wb := &batch.Batch{}
		bctx := batch.With(ctx, wb)
		for k := 0; k < 1000 && done < n; k++ {
			s := *templates[done%len(templates)]
			s.ChatID = first + int64(done)
			s.Draft.DraftID = fmt.Sprintf("seed%012d", s.ChatID)
			if err := sessions.Put(bctx, &s); err != nil {
				b.Fatal(err)
			}
			done++
		}
		if _, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error { wb.Apply(p); return nil }); err != nil {
			b.Fatalf("seed sessions: %v", err)
		}
	}
}

// sessionBytes is the mean MEMORY USAGE of the users' session keys.
func sessionBytes(b *testing.B, rdb *redis.Client, sessions *storage.Sessions, us []*vuser) float64 {
	ctx := context.Background()
	cmds := make([]*redis.IntCmd, len(us))
	_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, v := range us {
			cmds[i] = p.MemoryUsage(ctx, "bench:s:"+strconv.FormatInt(v.u.ID, 10), 0)
		}
		return nil
	})
	if err != nil {
		b.Fatalf("memory usage: %v", err)
	}
	var sum int64
	for _, c := range cmds {
		sum += c.Val()
	}
	return float64(sum) / float64(max(len(us), 1))
}

func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// botProcess is the bot running in a child process for the memory
// benchmark; it answers "heap" on its standard input with its heap after GC.
type botProcess struct {
	in  io.Writer
	out *bufio.Scanner
}

type heapStats struct {
	heap       uint64
	goroutines int
}

// benchChildEnv marks the child process; its value is unused.
const benchChildEnv = "HOTLINE_BENCH_BOT_PROCESS"

// startBotProcess runs TestBenchBotProcess of this test binary as the bot,
// with the environment env gives for the bot's settings.
func startBotProcess(b *testing.B, env func(string) string) *botProcess {
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchBotProcess$", "-test.bench=^$", "-test.count=1")
	cmd.Env = append(os.Environ(), benchChildEnv+"=1")
	for _, k := range []string{"TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL", "DATABASE_URL", "REDIS_URL",
		"LISTEN_ADDR", "HOTLINE_REDIS_PREFIX", "LOG_LEVEL", "HOTLINE_DATA_KEY"} {
		cmd.Env = append(cmd.Env, k+"="+env(k))
	}
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatalf("start the bot process: %v", err)
	}
	b.Cleanup(func() {
		in.Close() // the child stops as SIGTERM would stop it
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	p := &botProcess{in: in, out: bufio.NewScanner(out)}
	if _, err := p.read(); err != nil {
		b.Fatalf("bot process: %v", err)
	}
	return p
}

// read returns the child's next benchmark line, without its prefix.
func (p *botProcess) read() (string, error) {
	for p.out.Scan() {
		if rest, ok := strings.CutPrefix(p.out.Text(), "bench: "); ok {
			return rest, nil
		}
	}
	if err := p.out.Err(); err != nil {
		return "", err
	}
	return "", io.ErrUnexpectedEOF
}

func (p *botProcess) heap(b *testing.B) heapStats {
	if _, err := fmt.Fprintln(p.in, "heap"); err != nil {
		b.Fatalf("bot process: %v", err)
	}
	line, err := p.read()
	if err != nil {
		b.Fatalf("bot process: %v", err)
	}
	var h heapStats
	if _, err := fmt.Sscanf(line, "heap %d %d", &h.heap, &h.goroutines); err != nil {
		b.Fatalf("bot process said %q: %v", line, err)
	}
	return h
}

// TestBenchBotProcess is the bot process of BenchmarkConversationsMemory;
// it does nothing in a normal test run. It runs serve() with the settings
// of its environment and Telegram's limits lifted, says "bench: ready" once
// it holds every partition, answers each "heap" line on its standard input
// with "bench: heap <bytes> <goroutines>" after two GCs, and stops when its
// standard input closes.
func TestBenchBotProcess(t *testing.T) {
	if os.Getenv(benchChildEnv) == "" {
		t.Skip("the bot process of BenchmarkConversationsMemory")
	}
	cfg, err := loadConfig(os.Getenv, need{Token: true, Database: true, Redis: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg.pipeline = func(o *pipeline.Options) { o.Limits = looseLimits }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	up := make(chan *server, 1)
	go func() { done <- serve(ctx, cfg, newLogger(os.Stderr, cfg.LogLevel), func(s *server) { up <- s }) }()
	var srv *server
	select {
	case srv = <-up:
	case err := <-done:
		cancel()
		t.Fatalf("bot did not start: %v", err)
	}
	waitHeld(t, srv.Pipeline, cfg.Partitions)
	fmt.Println("bench: ready")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() == "heap" {
			runtime.GC()
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			fmt.Printf("bench: heap %d %d\n", m.HeapAlloc, runtime.NumGoroutine())
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("bot stopped with %v", err)
	}
}

// redisCounter is a go-redis hook that counts the bot's commands and round
// trips, by what they were for.
type redisCounter struct {
	prefix string
	mu     sync.Mutex
	trips  map[string]int
	byName map[string]int
	cmds   int
}

func newRedisCounter(prefix string) *redisCounter {
	return &redisCounter{prefix: prefix, trips: map[string]int{}, byName: map[string]int{}}
}

// redisCounts is what a redisCounter counted.
type redisCounts struct {
	trips  map[string]int
	byName map[string]int // commands sent, by name, as the server names them
	cmds   int
}

func (c *redisCounter) reset() redisCounts {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := redisCounts{trips: c.trips, byName: c.byName, cmds: c.cmds}
	c.trips, c.byName, c.cmds = map[string]int{}, map[string]int{}, 0
	return old
}

func (c *redisCounter) add(kind string, cmds ...redis.Cmder) {
	c.mu.Lock()
	c.trips[kind]++
	for _, cmd := range cmds {
		name := cmd.Name()
		if name == "config" || name == "client" {
			// The server counts subcommands apart: config|resetstat.
			name += "|" + strings.ToLower(fmt.Sprint(cmd.Args()[1]))
		}
		c.byName[name]++
		if name != "multi" && name != "exec" {
			c.cmds++
		}
	}
	c.mu.Unlock()
}

func (c *redisCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *redisCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		c.add(c.kind(cmd), cmd)
		return err
	}
}

func (c *redisCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		kind := "pipeline: other"
		for _, cmd := range cmds {
			switch cmd.Name() {
			case "xdel":
				kind = "pipeline: outbox acks (sender)"
			case "zadd":
				kind = "pipeline: lease round"
			case "set":
				kind = "pipeline: lease acquire"
			}
		}
		c.add(kind, cmds...)
		return err
	}
}

// Kinds of round trips an update's handling makes itself; the rest (intake,
// stream reads, acks, leases, timers) is shared by many updates.
var handlingKinds = []string{"session get", "handoff state", "commit"}

func (c *redisCounter) kind(cmd redis.Cmder) string {
	args := cmd.Args()
	arg := func(i int) string {
		if len(args) > i {
			return fmt.Sprint(args[i])
		}
		return ""
	}
	switch cmd.Name() {
	case "xread":
		return "stream read (inbox and outbox)"
	case "get":
		if strings.HasPrefix(arg(1), c.prefix+"s:") {
			return "session get"
		}
		return "get " + strings.TrimPrefix(arg(1), c.prefix)
	case "exists":
		return "handoff state"
	case "evalsha", "eval":
		keys, _ := strconv.Atoi(arg(2))
		switch {
		case keys == 0 && arg(3) == c.prefix:
			return "handoff state"
		case strings.HasSuffix(arg(3), "offset") || strings.HasSuffix(arg(3), ":seen"):
			return "intake"
		case strings.HasSuffix(arg(3), ":lease") && strings.HasSuffix(arg(4), ":in"):
			return "commit"
		}
		return "script"
	}
	return cmd.Name()
}

func (c redisCounts) total() int {
	n := 0
	for _, v := range c.trips {
		n += v
	}
	return n
}

func (c redisCounts) log(b *testing.B, updates int) {
	per := func(n int) float64 { return float64(n) / float64(max(updates, 1)) }
	handling := 0
	for _, k := range handlingKinds {
		handling += c.trips[k]
	}
	say("  Redis commands/update    %8.2f", per(c.cmds))
	say("  Redis round trips/update %8.2f   (the update's own %.2f: %s; shared %.2f)   target ≤ 3",
		per(c.total()), per(handling), strings.Join(handlingKinds, ", "), per(c.total()-handling))
	kinds := make([]string, 0, len(c.trips))
	for k := range c.trips {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		say("    %-34s %8d  %6.3f/update", k, c.trips[k], per(c.trips[k]))
	}
}

// pgProxy sits between the bot and Postgres on loopback and counts what
// the bot asks: statements are simple-protocol queries ('Q') and
// extended-protocol executions ('E'); round trips are those queries and
// Syncs ('S'), after which the client waits for the server. It reads the
// frontend's messages only, passing every byte through unchanged; it
// needs sslmode=disable, as the dev servers use.
type pgProxy struct {
	url string
	ln  net.Listener

	statements, txControl, trips atomic.Int64

	mu     sync.Mutex
	byText map[string]int // statements by their first words
}

// pgCounts is what the proxy counted since the last reset.
type pgCounts struct {
	statements, txControl, trips int64
	byText                       map[string]int
}

func startPGProxy(b testing.TB, dbURL string) *pgProxy {
	b.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	target := u.Host
	u.Host = ln.Addr().String()
	p := &pgProxy{url: u.String(), ln: ln, byText: map[string]int{}}
	var wg sync.WaitGroup
	b.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); p.serve(c, target) }()
		}
	}()
	return p
}

func (p *pgProxy) serve(client net.Conn, target string) {
	defer client.Close()
	server, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer server.Close()
	go func() {
		_, _ = io.Copy(client, server)
		client.Close()
	}()
	r := bufio.NewReaderSize(client, 64<<10)
	// Untyped messages first: SSL or GSS requests, then the startup message.
	for {
		var hdr [8]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return
		}
		n := int(binary.BigEndian.Uint32(hdr[:4]))
		body := make([]byte, max(n-8, 0))
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		if _, err := server.Write(append(hdr[:], body...)); err != nil {
			return
		}
		if code := binary.BigEndian.Uint32(hdr[4:]); code != 80877103 && code != 80877104 {
			break // the startup message; typed messages follow
		}
	}
	parsed := "" // the query of the last Parse: lib/pq executes unnamed statements right after
	for {
		var hdr [5]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return
		}
		n := int(binary.BigEndian.Uint32(hdr[1:]))
		body := make([]byte, max(n-4, 0))
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		switch hdr[0] {
		case 'Q':
			p.statements.Add(1)
			p.trips.Add(1)
			q := strings.TrimRight(string(body), "\x00")
			p.count(q)
			u := strings.ToUpper(strings.TrimSpace(q))
			for _, w := range []string{"BEGIN", "COMMIT", "ROLLBACK", "START TRANSACTION"} {
				if strings.HasPrefix(u, w) {
					p.txControl.Add(1)
				}
			}
		case 'P': // statement name, query, …
			if _, rest, ok := strings.Cut(string(body), "\x00"); ok {
				parsed, _, _ = strings.Cut(rest, "\x00")
			}
		case 'E':
			p.statements.Add(1)
			p.count(parsed)
		case 'S':
			p.trips.Add(1)
		}
		if _, err := server.Write(append(hdr[:], body...)); err != nil {
			return
		}
	}
}

// count files a statement under its first words (SQL only, no values:
// lib/pq sends values apart from the query).
func (p *pgProxy) count(q string) {
	q = strings.Join(strings.Fields(q), " ")
	if len(q) > 60 {
		q = q[:60]
	}
	p.mu.Lock()
	p.byText[q]++
	p.mu.Unlock()
}

func (p *pgProxy) reset() pgCounts {
	p.mu.Lock()
	by := p.byText
	p.byText = map[string]int{}
	p.mu.Unlock()
	return pgCounts{statements: p.statements.Swap(0), txControl: p.txControl.Swap(0), trips: p.trips.Swap(0), byText: by}
}

func (c pgCounts) log(b *testing.B, reports int) {
	per := func(n int64) float64 { return float64(n) / float64(max(reports, 1)) }
	say("  Postgres per report      %8.1f statements (%.1f of them BEGIN/COMMIT/ROLLBACK), %.1f round trips; counted on the wire by a proxy",
		per(c.statements), per(c.txControl), per(c.trips))
	texts := make([]string, 0, len(c.byText))
	for q := range c.byText {
		texts = append(texts, q)
	}
	slices.SortFunc(texts, func(a, b string) int { return c.byText[b] - c.byText[a] })
	for _, q := range texts[:min(len(texts), 12)] {
		say("    %6.2f/report  %s", per(int64(c.byText[q])), q)
	}
}

// logCounter counts the bot's warnings and errors (the benchmarks run it at
// LOG_LEVEL=warn) and keeps the first few.
type logCounter struct {
	mu    sync.Mutex
	n     int
	first []string
}

func (l *logCounter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range strings.Split(strings.TrimSpace(string(p)), "\n") {
		if line == "" {
			continue
		}
		l.n++
		if len(l.first) < 5 {
			l.first = append(l.first, line)
		}
	}
	return len(p), nil
}

func (l *logCounter) log(b *testing.B) {
	l.mu.Lock()
	defer l.mu.Unlock()
	say("  bot warnings and errors  %8d", l.n)
	for _, line := range l.first {
		say("    %s", line)
	}
}
