package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/bot/telegramtest"
	"hotline/internal/pipeline"
	"hotline/locales"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// Fault tests in which the bot dies with SIGKILL: the bot is the real
// binary, built once per test run, running as a child process against the
// fake Telegram, a fresh database and its own Redis prefix.

// hotlineBinary is the bot built for this test run; TestMain removes it.
var hotlineBinary botBinary

type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

type botBinary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	flag.Parse()
	takeParallelFlag()
	// The fault tests need the bot's binary: build it while the other
	// tests run rather than when the first fault test asks for it.
	go hotlineBinary.build()
	// go-redis logs every failed dial of its pool; the tests that stop
	// Redis on purpose would bury a failure's own output under them.
	redis.SetLogger(quietRedis{})
	code := m.Run()
	hotlineBinary.build() // waits for the build started above
	if hotlineBinary.dir != "" {
		os.RemoveAll(hotlineBinary.dir)
	}
	os.Exit(code)
}

// buildBot returns the bot's binary, built once per test run.
func buildBot(t *testing.T) string {
	t.Helper()
	b := &hotlineBinary
	b.build()
	if b.err != nil {
		t.Fatalf("build the bot: %v", b.err)
	}
	return b.path
}

// build builds the bot with `go build` the first time it is called; later
// calls wait for that build.
func (b *botBinary) build() {
	b.once.Do(func() {
		if b.dir, b.err = os.MkdirTemp("", "hotline-bin-"); b.err != nil {
			return
		}
		b.path = filepath.Join(b.dir, "hotline")
		goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(goTool); err != nil {
			goTool = "go"
		}
		out, err := exec.Command(goTool, "build", "-ldflags=-w", "-o", b.path, root).CombinedOutput()
		if err != nil {
			b.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
}

// botProc is the bot running as a child process.
type botProc struct {
	name string
	cmd  *exec.Cmd
	addr string // where its HTTP server listens
	log  *syncBuffer
	done chan struct{} // closed when it exited
	err  error         // how it exited, once done
}

// procEnv is the environment of a bot process: the fake Telegram, the
// database and Redis prefix of the test, a free port, and sending limits
// loose enough that Telegram's per-chat second does not make every test
// wait (TestFault429Storm tests the limits).
func procEnv(tg *telegramtest.Server, dbURL, redisURL, prefix string, more ...string) []string {
	return append([]string{
		"PATH=" + os.Getenv("PATH"),
		"TELEGRAM_BOT_TOKEN=" + tg.Token(),
		"TELEGRAM_API_URL=" + tg.URL(),
		"DATABASE_URL=" + dbURL,
		"REDIS_URL=" + redisURL,
		"HOTLINE_REDIS_PREFIX=" + prefix,
		"HOTLINE_DATA_KEY=" + storagetest.DataKey,
		"HOTLINE_PARTITIONS=32",
		"HOTLINE_SEND_LIMITS=global=10000,chat=1000,burst=1000,group=1000",
		"LISTEN_ADDR=127.0.0.1:0",
		"LOG_LEVEL=info",
	}, more...)
}

// TestFaultSendLimitsSetting checks HOTLINE_SEND_LIMITS, which the child
// processes above are started with.
func TestFaultSendLimitsSetting(t *testing.T) {
	def := pipeline.DefaultLimits()
	tests := []struct {
		value string
		want  pipeline.Limits
		bad   bool
	}{
		{value: "", want: def},
		{value: "global=1000", want: pipeline.Limits{Global: 1000, PerChat: 1, ChatBurst: 3, PerGroupPerMinute: 20, Margin: def.Margin}},
		{value: " global=100, chat=0.5 ,burst=2,group=10", want: pipeline.Limits{Global: 100, PerChat: 0.5, ChatBurst: 2, PerGroupPerMinute: 10, Margin: def.Margin}},
		{value: "global=0", bad: true},
		{value: "chat=fast", bad: true},
		{value: "global", bad: true},
		{value: "speed=3", bad: true},
	}
	for _, tt := range tests {
		c, err := loadConfig(func(k string) string {
			if k == "HOTLINE_SEND_LIMITS" {
				return tt.value
			}
			return ""
		}, need{})
		var ce *configError
		switch {
		case tt.bad && (!errors.As(err, &ce) || ce.Name != "HOTLINE_SEND_LIMITS"):
			t.Errorf("HOTLINE_SEND_LIMITS=%q: got %v, want it refused by name", tt.value, err)
		case !tt.bad && err != nil:
			t.Errorf("HOTLINE_SEND_LIMITS=%q: %v", tt.value, err)
		case !tt.bad && c.SendLimits != tt.want:
			t.Errorf("HOTLINE_SEND_LIMITS=%q: got %+v, want %+v", tt.value, c.SendLimits, tt.want)
		}
	}
}

// startProc starts the bot and waits until it says it started.
func startProc(t *testing.T, name string, env []string) *botProc {
	t.Helper()
	p := &botProc{name: name, cmd: exec.Command(buildBot(t)), log: &syncBuffer{}, done: make(chan struct{})}
	// The test's dates are UTC days (loadConfig), whatever the hour.
	p.cmd.Env = append([]string{"HOTLINE_TIME_ZONE=UTC"}, env...)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	up := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			fmt.Fprintf(p.log, "%s\n", line)
			var rec struct {
				Msg    string `json:"msg"`
				Listen string `json:"listen"`
			}
			if json.Unmarshal(line, &rec) == nil && rec.Msg == "bot started" {
				select {
				case up <- rec.Listen:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(p.kill)
	select {
	case p.addr = <-up:
	case <-p.done:
		t.Fatalf("%s exited at start (%v):\n%s", name, p.err, p.log)
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not start within 30 s:\n%s", name, p.log)
	}
	return p
}

// kill kills the process with SIGKILL, as the kernel's OOM killer or a
// node failure does, and waits for it.
func (p *botProc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop stops the process with SIGTERM and returns how it exited.
func (p *botProc) stop(t *testing.T) error {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(30 * time.Second):
		p.kill()
		return fmt.Errorf("%s did not stop within 30 s of SIGTERM", p.name)
	}
}

// running tells whether the process is still alive.
func (p *botProc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// TestFaultKillMidFlow (a): the bot is killed with SIGKILL at a random
// moment while 200 chats are in the middle of their reports, and a new
// process is started on the same database and Redis. Every chat finishes
// its report; every report is stored exactly once; every chat gets the
// questions in the report's order, none missing. Sending is at least once
// (Telegram has no idempotency key), so what a chat may see twice is only
// what the killed process had sent and not yet deleted from its outbox: the
// last few messages before the kill (maxRerun at most), repeated once, right
// after themselves, before anything new.
func TestFaultKillMidFlow(t *testing.T) {
	takesLong(t, 25*time.Second)
	faultKillMidFlow(t, serverRedis(t), 200)
}

// TestFaultKillMidFlowCluster is TestFaultKillMidFlow on a Redis Cluster of
// three masters. What it adds is where the keys live, not load: 60 chats
// put about two in each of the 32 partitions (HOTLINE_PARTITIONS in
// procEnv), whose keys are spread over the three masters; the 200 chats
// are TestFaultKillMidFlow's.
func TestFaultKillMidFlowCluster(t *testing.T) {
	takesLong(t, 20*time.Second)
	faultKillMidFlow(t, clusterRedis(t), 60)
}

func faultKillMidFlow(t *testing.T, red testRedis, chats int) {
	start := time.Now()
	dbURL := storagetest.PostgresURL(t)
	rdb, prefix := red.rdb, red.prefix
	tg := telegramtest.New(telegramtest.WithWait(time.Minute))
	t.Cleanup(tg.Close)
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	env := procEnv(tg, dbURL, red.url, prefix)
	first := startProc(t, "bot 1", env)

	users := makeUsers(tg, 7400001, chats)
	script := reportScript(cat)
	p := player{deadline: time.Now().Add(120 * time.Second)}
	done := make(chan struct{})
	var errs []error
	go func() { defer close(done); errs = p.playAll(users, script) }()

	total := chats * questions(script)
	at := total/5 + rand.IntN(total*2/5) // between a fifth and three fifths of the way
	if !waitDelivered(tg, at, done, p.deadline) {
		first.kill()
		<-done
		t.Fatalf("users stopped before the kill: %v\n%s", errors.Join(errs...), first.log)
	}
	first.kill()
	killed := time.Now()
	t.Logf("killed bot 1 with SIGKILL at %d of %d messages", tg.Stats().Delivered, total)
	second := startProc(t, "bot 2", env)
	t.Logf("bot 2 up %v after the kill", time.Since(killed).Round(time.Millisecond))

	<-done
	if len(errs) > 0 {
		t.Fatalf("users did not finish: %v\n--- bot 2 log:\n%s", errors.Join(errs...), tail(second.log.String(), 30))
	}
	settle(t, tg, rdb, prefix, 30*time.Second)
	rerun := checkChats(t, users, script, maxRerun, nil)
	db, err := storage.OpenPostgres(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkReports(t, db, users)
	checkNoDeadLetters(t, rdb, prefix)
	if err := second.stop(t); err != nil {
		t.Errorf("bot 2 after SIGTERM: %v\n%s", err, tail(second.log.String(), 20))
	}
	t.Logf("%d chats, %d reports stored once each; chats that got their last n messages before the kill twice, by n: %v; %d messages, in %v",
		chats, chats, rerun, tg.Stats().Delivered, time.Since(start).Round(time.Millisecond))
}

// TestFaultThreeWebhookProcesses (d): three bot processes in webhook mode
// behind a round-robin proxy, as behind a load balancer, share 500 chats
// filing reports; one of them is killed with SIGKILL midway. The proxy keeps
// sending it a third of the updates, answered 502 while it is dead, and
// Telegram delivers those again. Nothing is lost (every chat finishes),
// nothing is duplicated (one report each; an update taken by two processes
// would show as a question too many), each chat's order is kept. What a chat
// may see twice is only what the dead process had sent and not yet deleted,
// re-sent by the process that took its partitions over.
func TestFaultThreeWebhookProcesses(t *testing.T) {
	takesLong(t, 40*time.Second)
	faultThreeWebhookProcesses(t, serverRedis(t), 500)
}

// TestFaultThreeWebhookProcessesCluster is TestFaultThreeWebhookProcesses
// on a Redis Cluster of three masters. As in TestFaultKillMidFlowCluster,
// it checks where the keys live rather than load: 100 chats, three in each
// of the 32 partitions the dead process's survivors take over; the 500
// chats are TestFaultThreeWebhookProcesses's.
func TestFaultThreeWebhookProcessesCluster(t *testing.T) {
	takesLong(t, 25*time.Second)
	faultThreeWebhookProcesses(t, clusterRedis(t), 100)
}

func faultThreeWebhookProcesses(t *testing.T, red testRedis, chats int) {
	start := time.Now()
	dbURL := storagetest.PostgresURL(t)
	rdb, prefix := red.rdb, red.prefix
	tg := telegramtest.New(telegramtest.WithWait(time.Minute))
	t.Cleanup(tg.Close)
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	lb := &roundRobin{}
	front := httptest.NewServer(lb)
	defer front.Close()
	env := procEnv(tg, dbURL, red.url, prefix,
		"WEBHOOK_URL="+front.URL+pipeline.WebhookPath, "WEBHOOK_SECRET=fault-test-secret-0123456789abcdef")
	var procs []*botProc
	for i := range 3 {
		p := startProc(t, fmt.Sprintf("bot %d", i+1), env)
		lb.add(t, p.addr)
		procs = append(procs, p)
	}

	users := makeUsers(tg, 7500001, chats)
	script := reportScript(cat)
	p := player{deadline: time.Now().Add(150 * time.Second)}
	done := make(chan struct{})
	var errs []error
	go func() { defer close(done); errs = p.playAll(users, script) }()

	total := chats * questions(script)
	at := total/4 + rand.IntN(total/3)
	victim := procs[rand.IntN(len(procs))]
	if !waitDelivered(tg, at, done, p.deadline) {
		<-done
		t.Fatalf("users stopped before the kill: %v", errors.Join(errs...))
	}
	victim.kill()
	t.Logf("killed %s with SIGKILL at %d of %d messages", victim.name, tg.Stats().Delivered, total)

	<-done
	if len(errs) > 0 {
		t.Fatalf("users did not finish: %v", errors.Join(errs...))
	}
	settle(t, tg, rdb, prefix, 30*time.Second)
	rerun := checkChats(t, users, script, maxRerun, nil)
	db, err := storage.OpenPostgres(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkReports(t, db, users)
	checkNoDeadLetters(t, rdb, prefix)
	for _, pr := range procs {
		if pr == victim {
			continue
		}
		if !pr.running() {
			t.Errorf("%s exited (%v):\n%s", pr.name, pr.err, tail(pr.log.String(), 20))
			continue
		}
		if err := pr.stop(t); err != nil {
			t.Errorf("%s after SIGTERM: %v\n%s", pr.name, err, tail(pr.log.String(), 20))
		}
	}
	st := tg.Stats()
	t.Logf("%d chats, %d reports stored once each; %d webhook posts, %d failed (502 from the dead process) and delivered again; "+
		"chats that got the last n messages of the dead process twice, by n: %v; %d messages, in %v",
		chats, chats, st.WebhookPosts, st.WebhookFailures, rerun, st.Delivered, time.Since(start).Round(time.Millisecond))
}

// roundRobin is a reverse proxy that sends each request to the next bot
// process in turn, dead or alive, as a load balancer without health checks
// does; a dead backend answers 502.
type roundRobin struct {
	mu       sync.Mutex
	backends []*httputil.ReverseProxy
	next     int
	failed   atomic.Int64
}

func (rr *roundRobin) add(t *testing.T, addr string) {
	t.Helper()
	u, err := url.Parse("http://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	// Keep a connection per delivery in flight, as a real proxy does; the
	// default two idle per backend would dial anew for most requests.
	rp.Transport = &http.Transport{MaxIdleConns: 100, MaxIdleConnsPerHost: 100, IdleConnTimeout: 90 * time.Second}
	rp.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, _ error) {
		rr.failed.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	}
	rr.mu.Lock()
	rr.backends = append(rr.backends, rp)
	rr.mu.Unlock()
}

func (rr *roundRobin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rr.mu.Lock()
	if len(rr.backends) == 0 {
		rr.mu.Unlock()
		http.Error(w, "no backend yet", http.StatusBadGateway)
		return
	}
	b := rr.backends[rr.next%len(rr.backends)]
	rr.next++
	rr.mu.Unlock()
	b.ServeHTTP(w, r)
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
