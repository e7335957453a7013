package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"hotline/bot/telegramtest"
	"hotline/flows"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// echo is a handler that keeps a per-chat counter in the chat's session
// (read at once, written through the update's batch) and answers every text
// with "<counter> <text>". A counter that skips or repeats a number shows an
// update whose effects landed twice or not at all.
type echo struct {
	sessions *storage.Sessions

	mu    sync.Mutex
	calls map[int64]int // update id → handler calls
	fail  map[int64]int // update id → attempts that fail
	seen  []Update
}

func newEcho(rdb redis.UniversalClient, prefix string) *echo {
	return &echo{
		sessions: storage.NewSessions(rdb, prefix, time.Hour),
		calls:    map[int64]int{},
		fail:     map[int64]int{},
	}
}

var errStorageDown = errors.New("storage down")

func (e *echo) handle(ctx context.Context, u Update) ([]Call, error) {
	e.mu.Lock()
	e.calls[u.ID]++
	e.seen = append(e.seen, u)
	failing := u.Attempt <= e.fail[u.ID]
	e.mu.Unlock()
	if u.Raw.Message == nil {
		return nil, nil
	}
	chat := u.ChatID
	if failing {
		var calls []Call
		if u.Attempt == 1 {
			calls = append(calls, sendCall(chat, flows.PriorityReply, "sorry "+u.Raw.Message.Text))
		}
		return calls, errStorageDown
	}
	sess, err := e.sessions.Get(ctx, chat)
	if errors.Is(err, storage.ErrNotFound) {
		sess, err = &flows.Session{ChatID: chat}, nil
	}
	if err != nil {
		return nil, err
	}
	n, _ := strconv.Atoi(sess.Step)
	n++
	sess.Step = strconv.Itoa(n)
	if err := e.sessions.Put(ctx, sess); err != nil {
		return nil, err
	}
	return []Call{sendCall(chat, flows.PriorityReply, fmt.Sprintf("%d %s", n, u.Raw.Message.Text))}, nil
}

func (e *echo) callsOf(id int64) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls[id]
}

func (e *echo) total() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, c := range e.calls {
		n += c
	}
	return n
}

func sendCall(chat int64, p flows.Priority, text string) Call {
	raw, _ := json.Marshal(map[string]any{"chat_id": chat, "text": text})
	return Call{Method: "sendMessage", ChatID: chat, Priority: p, Params: raw}
}

// rig is a fake Telegram and a Redis prefix shared by the pipelines of a test.
type rig struct {
	t      *testing.T
	srv    *telegramtest.Server
	rdb    *redis.Client
	prefix string
}

func newRig(t *testing.T, opts ...telegramtest.Option) *rig {
	t.Helper()
	rdb, prefix := storagetest.Redis(t)
	srv := telegramtest.New(opts...)
	t.Cleanup(srv.Close)
	return &rig{t: t, srv: srv, rdb: rdb, prefix: prefix}
}

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// options are the fast settings tests run with.
func (r *rig) options(o Options) Options {
	if o.Prefix == "" {
		o.Prefix = r.prefix
	}
	if o.Partitions == 0 {
		o.Partitions = 8
	}
	if o.Lease == 0 {
		o.Lease = time.Second
		o.Renew = 250 * time.Millisecond
	}
	if o.RetryBase == 0 {
		o.RetryBase = 20 * time.Millisecond
		o.RetryMax = 100 * time.Millisecond
	}
	if o.PollTimeout == 0 {
		o.PollTimeout = 2 * time.Second
	}
	if o.Limits == (Limits{}) {
		// Tests of ordering and delivery should not wait for Telegram's
		// limits; the sender's tests set them.
		o.Limits = Limits{Global: 10_000, PerChat: 10_000, ChatBurst: 100, PerGroupPerMinute: 10_000}
	}
	if o.FlushTimeout == 0 {
		o.FlushTimeout = 300 * time.Millisecond
	}
	if o.SendRetryBase == 0 {
		o.SendRetryBase = 20 * time.Millisecond
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	if o.Logger == nil {
		o.Logger = testLogger(r.t)
	}
	return o
}

// running is a pipeline running in the background.
type running struct {
	p      *Pipeline
	cancel context.CancelFunc
	done   chan struct{} // closed when Run returned
	err    error
}

// stop cancels the pipeline and waits for Run to return.
func (rn *running) stop(t *testing.T) {
	t.Helper()
	rn.cancel()
	select {
	case <-rn.done:
		if rn.err != nil {
			t.Errorf("run: %v", rn.err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("pipeline did not shut down")
	}
}

func (r *rig) start(rdb redis.UniversalClient, h Handler, o Options) *running {
	r.t.Helper()
	p := New(rdb, NewAPI(r.srv.URL(), r.srv.Token(), nil), h, r.options(o))
	ctx, cancel := context.WithCancel(context.Background())
	rn := &running{p: p, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(rn.done)
		rn.err = p.Run(ctx)
	}()
	r.t.Cleanup(func() {
		cancel()
		<-rn.done
	})
	return rn
}

// waitFor polls cond until it holds; the deadline only keeps a broken test
// from hanging, it asserts nothing about speed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// texts returns what the bot sent a user, in order of arrival.
func texts(u *telegramtest.User) []string {
	var out []string
	for _, m := range u.Received() {
		out = append(out, m.Text)
	}
	return out
}

func want(n int, format func(i int) string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = format(i)
	}
	return out
}

func TestPipelineKeepsEachChatInOrder(t *testing.T) {
	r := newRig(t)
	h := newEcho(r.rdb, r.prefix)
	r.start(r.rdb, h.handle, Options{Partitions: 4})

	const users, msgs = 30, 8
	us := make([]*telegramtest.User, users)
	for i := range us {
		us[i] = r.srv.User(int64(5000+i), "en")
	}
	// Interleaved: message m of every user, then m+1 of every user…, some
	// in one getUpdates batch, some apart.
	for m := 0; m < msgs; m++ {
		r.srv.Batch(func() {
			for _, u := range us {
				u.Send(fmt.Sprintf("m%d", m))
			}
		})
	}
	for _, u := range us {
		waitFor(t, "replies", func() bool { return len(u.Received()) >= msgs })
		got := texts(u)
		exp := want(msgs, func(i int) string { return fmt.Sprintf("%d m%d", i+1, i) })
		if fmt.Sprint(got) != fmt.Sprint(exp) {
			t.Errorf("user %d got %q, want %q", u.ID, got, exp)
		}
	}
	if got := r.srv.PendingUpdates(); got != 0 {
		waitFor(t, "confirmation", func() bool { return r.srv.PendingUpdates() == 0 })
	}
}

func TestPipelineHandlesTheSameUpdateOnce(t *testing.T) {
	r := newRig(t)
	h := newEcho(r.rdb, r.prefix)
	var handler atomic.Pointer[http.Handler]
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		(*handler.Load()).ServeHTTP(w, req)
	}))
	defer hook.Close()
	rn := r.start(r.rdb, h.handle, Options{Mode: Webhook, WebhookURL: hook.URL, WebhookSecret: "s3cret"})
	wh := rn.p.WebhookHandler()
	handler.Store(&wh)

	u := r.srv.User(7001, "en")
	u.Send("once") // update 100000001, delivered by the fake's webhook
	raw, ok := r.srv.UpdateJSON(100_000_001)
	if !ok {
		t.Fatal("update not found in the fake")
	}
	post := func() int {
		req, _ := http.NewRequest(http.MethodPost, hook.URL, bytes.NewReader(raw))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// Again sequentially, then concurrently, while the fake delivers it too.
	if a, b := post(), post(); a != 200 || b != 200 {
		t.Fatalf("posts answered %d, %d; want 200 both", a, b)
	}
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); post() }()
	}
	wg.Wait()
	waitFor(t, "the reply", func() bool { return len(u.Received()) >= 1 })
	if post() != 200 {
		t.Error("a redelivery after handling was not acknowledged")
	}
	u.Send("next")
	waitFor(t, "the second reply", func() bool { return len(u.Received()) >= 2 })
	waitFor(t, "confirmation", func() bool { return r.srv.PendingUpdates() == 0 })
	if got, exp := texts(u), []string{"1 once", "2 next"}; fmt.Sprint(got) != fmt.Sprint(exp) {
		t.Errorf("user got %q, want %q", got, exp)
	}
	if n := h.callsOf(100_000_001); n != 1 {
		t.Errorf("handler ran %d times for the update, want 1", n)
	}
}

func TestPipelineRetriesFailedUpdatesInOrder(t *testing.T) {
	r := newRig(t)
	h := newEcho(r.rdb, r.prefix)
	h.fail[100_000_002] = 3 // the second message fails three times
	r.start(r.rdb, h.handle, Options{Partitions: 1})

	u := r.srv.User(8001, "en")
	other := r.srv.User(8002, "en")
	r.srv.Batch(func() {
		u.Send("one")
		u.Send("two")
		other.Send("x")
		u.Send("three")
	})
	waitFor(t, "replies", func() bool { return len(u.Received()) >= 4 })
	exp := []string{"1 one", "sorry two", "2 two", "3 three"}
	if got := texts(u); fmt.Sprint(got) != fmt.Sprint(exp) {
		t.Errorf("user got %q, want %q (the apology once, then in order)", got, exp)
	}
	// The other chat in the same partition did not wait for the retries.
	if got := texts(other); len(got) != 1 || got[0] != "1 x" {
		t.Errorf("other chat got %q", got)
	}
	h.mu.Lock()
	var attempts []int
	for _, s := range h.seen {
		if s.ID == 100_000_002 {
			attempts = append(attempts, s.Attempt)
		}
	}
	h.mu.Unlock()
	if fmt.Sprint(attempts) != "[1 2 3 4]" {
		t.Errorf("attempts seen = %v, want [1 2 3 4]", attempts)
	}
}

func TestPipelineDeadLettersAPoisonedUpdate(t *testing.T) {
	r := newRig(t)
	h := newEcho(r.rdb, r.prefix)
	h.fail[100_000_001] = 1000
	reg := prometheus.NewRegistry()
	rn := r.start(r.rdb, h.handle, Options{MaxAttempts: 4, Registry: reg})

	u := r.srv.User(8101, "en")
	u.Send("poison")
	u.Send("after")
	waitFor(t, "the reply after the poisoned update", func() bool { return len(u.Received()) >= 2 })
	if got, exp := texts(u), []string{"sorry poison", "1 after"}; fmt.Sprint(got) != fmt.Sprint(exp) {
		t.Errorf("user got %q, want %q", got, exp)
	}
	dl, err := rn.p.Inbox().DeadLetters(context.Background(), 10)
	if err != nil || len(dl) != 1 || dl[0].Entry.UpdateID != 100_000_001 || dl[0].Attempts != 4 {
		t.Errorf("dead letters = %+v, %v", dl, err)
	}
	if n := h.callsOf(100_000_001); n != 4 {
		t.Errorf("handler ran %d times, want 4", n)
	}
	if got := counter(t, reg, "hotline_updates_dead_total", nil); got != 1 {
		t.Errorf("dead metric = %v, want 1", got)
	}
}

// counter reads a counter from a registry; labels must match exactly.
func counter(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if v, ok := labels[lp.GetName()]; ok && v != lp.GetValue() {
					continue metric
				}
			}
			sum += m.GetCounter().GetValue()
		}
	}
	return sum
}

// failScripts is a Redis hook that fails the intake script, as a Redis
// outage would, while fail is set.
type failScripts struct {
	mu   sync.Mutex
	fail bool
	seen int
}

func (f *failScripts) DialHook(next redis.DialHook) redis.DialHook { return next }
func (f *failScripts) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (f *failScripts) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		args := cmd.Args()
		if name := cmd.Name(); (name == "evalsha" || name == "eval") && len(args) > 3 && isIntake(fmt.Sprint(args[3])) {
			f.mu.Lock()
			fail := f.fail
			f.seen++
			f.mu.Unlock()
			if fail {
				err := errors.New("READONLY simulated outage")
				cmd.SetErr(err)
				return err
			}
		}
		return next(ctx, cmd)
	}
}

func TestIntakeConfirmsOnlyWhatRedisHolds(t *testing.T) {
	r := newRig(t)
	h := newEcho(r.rdb, r.prefix)
	opt, _ := redis.ParseURL(os.Getenv("REDIS_URL"))
	flaky := redis.NewClient(opt)
	defer flaky.Close()
	hook := &failScripts{fail: true}
	flaky.AddHook(hook)

	u := r.srv.User(9001, "en")
	r.srv.Batch(func() {
		u.Send("a")
		u.Send("b")
	})
	rn := r.start(flaky, h.handle, Options{})
	// Redis refuses the batch several times; Telegram must still hold it.
	waitFor(t, "intake attempts", func() bool {
		hook.mu.Lock()
		defer hook.mu.Unlock()
		return hook.seen >= 2
	})
	rn.stop(t)
	if got := r.srv.PendingUpdates(); got != 2 {
		t.Fatalf("Telegram holds %d unconfirmed updates after Redis refused them, want 2", got)
	}
	if h.total() != 0 {
		t.Fatal("handled updates that were never stored")
	}

	// The next process (Redis back) gets them again and handles them once.
	hook.mu.Lock()
	hook.fail = false
	hook.mu.Unlock()
	rn = r.start(r.rdb, h.handle, Options{})
	waitFor(t, "replies", func() bool { return len(u.Received()) >= 2 })
	waitFor(t, "confirmation", func() bool { return r.srv.PendingUpdates() == 0 })
	rn.stop(t)
	if got, exp := texts(u), []string{"1 a", "2 b"}; fmt.Sprint(got) != fmt.Sprint(exp) {
		t.Errorf("user got %q, want %q", got, exp)
	}
}

// stopAfterStore is a Redis hook that cancels the pipeline right after the
// intake script stored a batch: before getUpdates could confirm it.
type stopAfterStore struct {
	failScripts
	cancel func()
}

func (s *stopAfterStore) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		args := cmd.Args()
		if name := cmd.Name(); (name == "evalsha" || name == "eval") && len(args) > 3 && isIntake(fmt.Sprint(args[3])) && err == nil {
			s.cancel()
		}
		return err
	}
}

func TestIntakeStoredButUnconfirmedUpdatesHandledOnce(t *testing.T) {
	r := newRig(t)
	h := newEcho(r.rdb, r.prefix)
	opt, _ := redis.ParseURL(os.Getenv("REDIS_URL"))
	killing := redis.NewClient(opt)
	defer killing.Close()

	u := r.srv.User(9101, "en")
	r.srv.Batch(func() {
		u.Send("a")
		u.Send("b")
	})
	// Handling never starts in the first process: its handler blocks the
	// updates out by failing, so that what matters is intake alone.
	never := func(context.Context, Update) ([]Call, error) { return nil, errStorageDown }
	p := New(killing, NewAPI(r.srv.URL(), r.srv.Token(), nil), never, r.options(Options{}))
	ctx, cancel := context.WithCancel(context.Background())
	killing.AddHook(&stopAfterStore{cancel: cancel})
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	<-done
	if got := r.srv.PendingUpdates(); got != 2 {
		t.Fatalf("Telegram holds %d unconfirmed updates, want 2 (stored, not yet confirmed)", got)
	}

	rn := r.start(r.rdb, h.handle, Options{})
	waitFor(t, "replies", func() bool { return len(u.Received()) >= 2 })
	waitFor(t, "confirmation", func() bool { return r.srv.PendingUpdates() == 0 })
	u.Send("c")
	waitFor(t, "third reply", func() bool { return len(u.Received()) >= 3 })
	rn.stop(t)
	if got, exp := texts(u), []string{"1 a", "2 b", "3 c"}; fmt.Sprint(got) != fmt.Sprint(exp) {
		t.Errorf("user got %q, want %q", got, exp)
	}
}

func TestPipelineTakesOverADeadProcess(t *testing.T) {
	r := newRig(t)
	h := newEcho(r.rdb, r.prefix)
	opt, _ := redis.ParseURL(os.Getenv("REDIS_URL"))
	doomed := redis.NewClient(opt)

	a := r.start(doomed, h.handle, Options{ProcessID: "a"})
	waitFor(t, "a to own every partition", func() bool { return len(a.p.Held()) == 8 })
	u := r.srv.User(9201, "en")
	u.Send("before")
	waitFor(t, "reply from a", func() bool { return len(u.Received()) == 1 })
	// Outgoing calls are at least once: a process that dies between
	// Telegram's answer and deleting the call from the outbox sends it
	// again. Here a dies after that.
	out := a.p.Inbox().Outbox()
	waitFor(t, "a to delete the answered call", func() bool {
		n, err := out.Len(context.Background(), out.PartitionOf(u.ID))
		return err == nil && n == 0
	})

	// a dies: its Redis connection goes, so it cannot give its leases back.
	doomed.Close()
	a.cancel()
	<-a.done

	b := r.start(r.rdb, h.handle, Options{ProcessID: "b"})
	r.srv.Batch(func() {
		u.Send("after 1")
		u.Send("after 2")
	})
	waitFor(t, "b to take every partition over", func() bool { return len(b.p.Held()) == 8 })
	waitFor(t, "replies from b", func() bool { return len(u.Received()) >= 3 })
	if got, exp := texts(u), []string{"1 before", "2 after 1", "3 after 2"}; fmt.Sprint(got) != fmt.Sprint(exp) {
		t.Errorf("user got %q, want %q", got, exp)
	}
}

func TestPipelineProcessesShareWithoutDuplicates(t *testing.T) {
	r := newRig(t)
	h := newEcho(r.rdb, r.prefix)
	const parts = 16
	a := r.start(r.rdb, h.handle, Options{ProcessID: "a", Partitions: parts})
	b := r.start(r.rdb, h.handle, Options{ProcessID: "b", Partitions: parts})
	waitFor(t, "both processes to own partitions", func() bool {
		na, nb := len(a.p.Held()), len(b.p.Held())
		return na > 0 && nb > 0 && na+nb == parts && na <= parts/2+1 && nb <= parts/2+1
	})

	const users, msgs = 40, 6
	us := make([]*telegramtest.User, users)
	for i := range us {
		us[i] = r.srv.User(int64(10_000+i), "en")
	}
	send := func(from, to int) {
		for m := from; m < to; m++ {
			r.srv.Batch(func() {
				for _, u := range us {
					u.Send(fmt.Sprintf("m%d", m))
				}
			})
		}
	}
	send(0, msgs/2)
	// a leaves gracefully halfway: b takes its partitions over.
	a.stop(t)
	send(msgs/2, msgs)
	waitFor(t, "b to own every partition", func() bool { return len(b.p.Held()) == parts })
	for _, u := range us {
		waitFor(t, "replies", func() bool { return len(u.Received()) >= msgs })
		exp := want(msgs, func(i int) string { return fmt.Sprintf("%d m%d", i+1, i) })
		if got := texts(u); fmt.Sprint(got) != fmt.Sprint(exp) {
			t.Errorf("user %d got %q, want %q", u.ID, got, exp)
		}
	}
	h.mu.Lock()
	for id, n := range h.calls {
		if n != 1 {
			t.Errorf("update %d handled %d times", id, n)
		}
	}
	h.mu.Unlock()
}

func TestPipelineShutdownFinishesTheUpdateInHand(t *testing.T) {
	r := newRig(t)
	h := newEcho(r.rdb, r.prefix)
	entered := make(chan struct{})
	release := make(chan struct{})
	slow := func(ctx context.Context, u Update) ([]Call, error) {
		close(entered)
		<-release
		return h.handle(ctx, u)
	}
	rn := r.start(r.rdb, slow, Options{})
	u := r.srv.User(9301, "en")
	u.Send("in hand")
	<-entered
	rn.cancel() // SIGTERM while the update is being handled
	close(release)
	select {
	case <-rn.done:
	case <-time.After(20 * time.Second):
		t.Fatal("pipeline did not shut down")
	}
	if got := texts(u); fmt.Sprint(got) != "[1 in hand]" {
		t.Errorf("user got %q, want the reply to the update in hand", got)
	}
	tick, err := rn.p.Inbox().Tick(context.Background(), "observer", nil, time.Second, time.Second, true)
	if err != nil {
		t.Fatal(err)
	}
	for part, holder := range tick.Holders {
		if holder != "" {
			t.Errorf("lease %d still held by %q after shutdown", part, holder)
		}
	}
	if n, _ := rn.p.Inbox().Len(context.Background(), rn.p.Inbox().PartitionOf(u.ID)); n != 0 {
		t.Errorf("inbox holds %d updates after shutdown, want 0", n)
	}
}

// isIntake tells the intake script by its first key: the polling offset
// or a partition's seen set.
func isIntake(firstKey string) bool {
	return strings.HasSuffix(firstKey, "offset") || strings.HasSuffix(firstKey, ":seen")
}
