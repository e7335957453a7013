package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/bot/telegramtest"
	"hotline/storage/storagetest"
)

// metricSample is one line of /metrics: a series and its value.
type metricSample struct {
	name   string
	labels map[string]string
	value  float64
}

// scrape reads the bot's /metrics in the text format.
func scrape(t *testing.T, addr string) []metricSample {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	var out []metricSample
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s, err := parseSample(line)
		if err != nil {
			t.Fatalf("/metrics line %q: %v", line, err)
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read /metrics: %v", err)
	}
	return out
}

// parseSample parses `name{k="v",…} value`.
func parseSample(line string) (metricSample, error) {
	s := metricSample{labels: map[string]string{}}
	rest := line
	if i := strings.IndexByte(line, '{'); i >= 0 {
		s.name = line[:i]
		rest = line[i+1:]
		for !strings.HasPrefix(rest, "}") {
			k, after, ok := strings.Cut(rest, `="`)
			if !ok {
				return s, fmt.Errorf("no label value")
			}
			var v strings.Builder
			j := 0
			for ; j < len(after) && after[j] != '"'; j++ {
				if after[j] == '\\' && j+1 < len(after) {
					j++
					switch after[j] {
					case 'n':
						v.WriteByte('\n')
					default:
						v.WriteByte(after[j])
					}
					continue
				}
				v.WriteByte(after[j])
			}
			if j == len(after) {
				return s, fmt.Errorf("unterminated label value")
			}
			s.labels[strings.TrimPrefix(k, ",")] = v.String()
			rest = strings.TrimPrefix(after[j+1:], ",")
		}
		rest = strings.TrimSpace(rest[1:])
	} else {
		var ok bool
		s.name, rest, ok = strings.Cut(line, " ")
		if !ok {
			return s, fmt.Errorf("no value")
		}
	}
	f := strings.Fields(rest)
	if len(f) == 0 {
		return s, fmt.Errorf("no value")
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return s, err
	}
	s.value = v
	return s, nil
}

// value returns the value of the series name with exactly these labels
// (pairs of name and value); ok is false when there is none.
func value(ss []metricSample, name string, labels ...string) (float64, bool) {
next:
	for _, s := range ss {
		if s.name != name || len(s.labels) != len(labels)/2 {
			continue
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if s.labels[labels[i]] != labels[i+1] {
				continue next
			}
		}
		return s.value, true
	}
	return 0, false
}

// eventually checks cond until it holds or 10 s pass: counters settle a
// moment after the user sees the last reply (a button's answer may go out
// after the message it caused).
func eventually(t testing.TB, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// fileShortReport files an English report that skips every optional
// question and returns how many messages and button presses it took.
func fileShortReport(t *testing.T, h *harness, u *telegramtest.User) (typed, pressed int) {
	t.Helper()
	ask := func(id string) string { return firstLine(h.text("en", id, holes...)) }
	btn := func(id string) string { return h.label("en", id) }
	send := func(text string) { typed++; u.Send(text) }
	tap := func(m *telegramtest.Message, label string) { pressed++; press(t, u, m, label) }

	send("/start")
	m := expectText(t, u, firstLine(h.text("en", "menu.greeting")))
	tap(m, btn("btn.menu_report"))
	m = expectText(t, u, ask("ask.consent"))
	tap(m, btn("btn.consent_yes"))
	skip := func(steps ...string) {
		for _, s := range steps {
			tap(expectText(t, u, ask("ask."+s)), btn(unknownAnswer[s]))
		}
	}
	skip("triage")
	expectText(t, u, ask("ask.name"))
	send("Ivan Petrov")
	m = expectText(t, u, ask("ask.name_cyr"))
	tap(m, btn("btn.skip"))
	skip("name_other")
	m = expectText(t, u, ask("ask.birth_date"))
	tap(m, btn("btn.dont_know"))
	expectText(t, u, ask("ask.birth_country"))
	send("Russia")
	m = expectText(t, u, ask("ask.citizenship"))
	tap(m, "Russia")
	m = expectText(t, u, ask("ask.a_number"))
	tap(m, btn("btn.dont_know"))
	expectText(t, u, ask("ask.detained_on"))
	send(time.Now().AddDate(0, 0, -3).Format(time.DateOnly))
	m = expectText(t, u, ask("ask.circumstance"))
	tap(m, btn("circ.checkin"))
	m = expectText(t, u, ask("ask.office"))
	tap(m, btn("btn.dont_know"))
	m = expectText(t, u, ask("ask.details"))
	tap(m, btn("btn.skip"))
	m = expectText(t, u, ask("ask.facility"))
	tap(m, btn("btn.dont_know"))
	skip("transfer")
	m = expectText(t, u, ask("ask.lawyer"))
	tap(m, btn("btn.lawyer_no"))
	m = expectText(t, u, ask("ask.hearing"))
	tap(m, btn("btn.hearing_unknown"))
	skip("stage")
	m = expectText(t, u, ask("ask.appeals"))
	tap(m, btn("btn.appeals_none"))
	skip(factsAfterAppeals...)
	m = expectText(t, u, ask("ask.urgent"))
	tap(m, btn("btn.urgent_none"))
	expectText(t, u, ask("ask.reporter_name"))
	send("Maria Petrova")
	expectText(t, u, ask("ask.relationship"))
	send("sister")
	expectText(t, u, ask("ask.contact"))
	send("+1 520 555 0100")
	skip(factsAfterContact...)
	tap(expectText(t, u, ask("ask.dates_share")), btn("btn.share_no")) // no facility: the date only
	m = u.Next(t)
	tap(m, btn("btn.confirm"))
	done := u.Next(t)
	if codeRe.FindString(done.Plain) == "" {
		t.Fatalf("no case code after confirming:\n%s", done.Plain)
	}
	return typed, pressed
}

// TestMetricsAfterReport files a report end to end, with Telegram refusing
// one message with a 429, and reads /metrics as Prometheus would: updates
// by kind, handled and their latency, calls sent by method, the 429 and its
// retry, one report filed, no warnings or errors, and no personal data in
// any label.
func TestMetricsAfterReport(t *testing.T) {
	parallel(t)
	h := newHarness(t)
	const userID = 7100001
	u := h.tg.User(userID, "en")
	h.tg.Fault(telegramtest.Fault{Method: "sendMessage", Status: http.StatusTooManyRequests, RetryAfter: 1, Times: 1})

	typed, pressed := fileShortReport(t, h, u)
	updates := typed + pressed
	addr := h.srv().Addr

	var ss []metricSample
	eventually(t, "metrics after the report", func() error {
		ss = scrape(t, addr)
		calls := h.tg.Stats().Calls
		for _, c := range []struct {
			name   string
			labels []string
			want   float64
		}{
			{"hotline_updates_by_kind_total", []string{"kind", "message"}, float64(typed)},
			{"hotline_updates_by_kind_total", []string{"kind", "callback_query"}, float64(pressed)},
			{"hotline_updates_by_kind_total", []string{"kind", "edited_message"}, 0},
			{"hotline_updates_received_total", []string{"source", "poll", "result", "new"}, float64(updates)},
			{"hotline_updates_handled_total", nil, float64(updates)},
			{"hotline_update_latency_seconds_count", nil, float64(updates)},
			{"hotline_update_failures_total", nil, 0},
			{"hotline_updates_dead_total", nil, 0},
			{"hotline_reports_filed_total", nil, 1},
			{"hotline_calls_retried_total", []string{"reason", "429"}, 1},
			// What Telegram accepted: every call it got but the refused one.
			{"hotline_calls_sent_total", []string{"method", "sendMessage"}, float64(calls["sendMessage"] - 1)},
			{"hotline_calls_sent_total", []string{"method", "editMessageText"}, float64(calls["editMessageText"])},
			{"hotline_calls_sent_total", []string{"method", "answerCallbackQuery"}, float64(pressed)},
			{"hotline_log_records_total", []string{"level", "error"}, 0},
		} {
			got, ok := value(ss, c.name, c.labels...)
			if !ok && c.want != 0 {
				return fmt.Errorf("%s%v missing", c.name, c.labels)
			}
			if got != c.want {
				return fmt.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
			}
		}
		return nil
	})

	// The bot's replies as the user got them: one message per sendMessage.
	var sent int
	for _, m := range u.Received() {
		if m.Method == "sendMessage" {
			sent++
		}
	}
	if got, _ := value(ss, "hotline_calls_sent_total", "method", "sendMessage"); got != float64(sent) {
		t.Errorf("sendMessage calls counted %v; the user got %d messages", got, sent)
	}
	if n, _ := value(ss, "hotline_update_latency_seconds_bucket", "le", "+Inf"); n != float64(updates) {
		t.Errorf("latency histogram holds %v updates, want %d", n, updates)
	}

	// Labels carry kinds and causes, never who or what.
	personal := []string{strconv.Itoa(userID), "Ivan", "Petrov", "Maria", "Russia", "sister", "555", "+1"}
	for _, s := range ss {
		for k, v := range s.labels {
			for _, p := range personal {
				if strings.Contains(v, p) {
					t.Errorf("%s has label %s=%q, which holds %q", s.name, k, v, p)
				}
			}
		}
	}
}

// TestReadyzFollowsRedis runs the bot on a Redis server of its own, stops
// that server and starts it again: /readyz answers 503 while Redis is gone
// and 200 when it is back, /healthz and /metrics keep answering, and the
// bot answers users again afterwards.
func TestReadyzFollowsRedis(t *testing.T) {
	parallel(t)
	rs := startRedis(t, "everysec")
	h := newHarness(t, withConfig(func(c *config) { c.RedisURL = rs.url() }))
	addr := h.srv().Addr

	status := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.TrimSpace(string(body))
	}
	want := func(path string, code int, body string) func() error {
		return func() error {
			if got, b := status(path); got != code || !strings.Contains(b, body) {
				return fmt.Errorf("%s answered %d %q, want %d %q", path, got, b, code, body)
			}
			return nil
		}
	}

	eventually(t, "ready with Redis up", want("/readyz", http.StatusOK, "ready"))
	rs.stop(t)
	eventually(t, "unready with Redis down", want("/readyz", http.StatusServiceUnavailable, "redis unreachable"))
	eventually(t, "alive with Redis down", want("/healthz", http.StatusOK, "ok"))
	// Metrics are still served, without the queue's, which live in Redis.
	if _, ok := value(scrape(t, addr), "hotline_queue_length", "urgent", "false"); ok {
		t.Errorf("queue length reported while Redis is down")
	}
	rs.start(t)
	eventually(t, "ready with Redis back", want("/readyz", http.StatusOK, "ready"))

	u := h.tg.User(7100201, "en")
	u.Send("/start")
	expectText(t, u, firstLine(h.text("en", "menu.greeting")))
}

// redisServer is a private redis-server, for tests that stop it.
type redisServer struct {
	port  string
	dir   string
	fsync string // appendfsync: everysec, as in production, or always
	cmd   *exec.Cmd
	done  chan struct{}
}

func (r *redisServer) url() string { return "redis://127.0.0.1:" + r.port + "/0" }

// startRedis starts a redis-server on a free loopback port, with an
// append-only file so that a restart keeps the data, as in production;
// fsync is its appendfsync policy.
func startRedis(t testing.TB, fsync string) *redisServer {
	t.Helper()
	storagetest.Require(t, "redis-server")
	r := &redisServer{port: freePort(t), dir: t.TempDir(), fsync: fsync}
	r.start(t)
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *redisServer) start(t testing.TB) {
	t.Helper()
	r.cmd = exec.Command("redis-server", "--port", r.port, "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "yes", "--appendfsync", r.fsync, "--dir", r.dir, "--logfile", "")
	r.cmd.Stdout, r.cmd.Stderr = io.Discard, io.Discard
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	r.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(r.cmd, r.done)
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + r.port})
	defer c.Close()
	eventually(t, "private redis-server up", func() error { return c.Ping(context.Background()).Err() })
}

// stop shuts the server down with SHUTDOWN, the way an operator or an
// orchestrator does, and waits for it.
func (r *redisServer) stop(t testing.TB) {
	t.Helper()
	if r.cmd == nil {
		return
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + r.port})
	_ = c.Shutdown(context.Background()).Err() // answers with an error: the connection closes
	c.Close()
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.done
	}
	r.cmd = nil
}

// freePort returns a loopback port nobody listens on now.
func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// TestMetricsQueue follows the volunteer queue on /metrics: a user asking
// for a volunteer makes it one chat long, a volunteer taking the chat
// empties it.
func TestMetricsQueue(t *testing.T) {
	parallel(t)
	const volunteerID = 7100302
	h := newHarness(t, withConfig(func(c *config) { c.Admins = []int64{volunteerID} }))
	addr := h.srv().Addr
	queue := func(urgent string, want float64, oldest func(float64) bool) func() error {
		return func() error {
			ss := scrape(t, addr)
			if got, ok := value(ss, "hotline_queue_length", "urgent", urgent); !ok || got != want {
				return fmt.Errorf("hotline_queue_length{urgent=%q} = %v (present %v), want %v", urgent, got, ok, want)
			}
			if got, ok := value(ss, "hotline_queue_oldest_wait_seconds"); !ok || !oldest(got) {
				return fmt.Errorf("hotline_queue_oldest_wait_seconds = %v (present %v)", got, ok)
			}
			return nil
		}
	}
	zero := func(v float64) bool { return v == 0 }
	eventually(t, "empty queue", queue("false", 0, zero))

	u := h.tg.User(7100301, "en")
	u.Send("/start")
	m := expectText(t, u, firstLine(h.text("en", "menu.greeting")))
	asked := time.Now()
	press(t, u, m, h.label("en", "btn.menu_volunteer"))
	u.Next(t)
	// The oldest wait is at most the time since the user asked.
	waited := func(v float64) bool { return v >= 0 && v <= time.Since(asked).Seconds() }
	eventually(t, "one chat waiting", queue("false", 1, waited))
	eventually(t, "no urgent chat waiting", queue("true", 0, waited))

	v := h.tg.User(volunteerID, "en")
	v.Send("/next")
	v.Next(t)
	eventually(t, "queue empty once taken", queue("false", 0, zero))
}
