package pipeline

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/bot/telegramtest"
	"hotline/storage/storagetest"
)

// tripCounter is a Redis hook that counts round trips by what they were for.
type tripCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *tripCounter) add(kind string) {
	c.mu.Lock()
	c.n[kind]++
	c.mu.Unlock()
}

func (c *tripCounter) reset() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.n
	c.n = map[string]int{}
	return old
}

func (c *tripCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *tripCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		c.add(tripKind(cmd))
		return err
	}
}

func (c *tripCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		kind := "other pipeline"
		for _, cmd := range cmds {
			switch cmd.Name() {
			case "xdel":
				kind = "outbox delete (sender)"
			case "zadd":
				kind = "lease round"
			case "set":
				kind = "lease acquire"
			}
		}
		c.add(kind)
		return err
	}
}

func tripKind(cmd redis.Cmder) string {
	args := cmd.Args()
	key := func(i int) string {
		if len(args) > i {
			return fmt.Sprint(args[i])
		}
		return ""
	}
	switch cmd.Name() {
	case "xread":
		xs, _ := cmd.(*redis.XStreamSliceCmd)
		kind := "stream read: nothing"
		if xs != nil {
			for _, s := range xs.Val() {
				if strings.HasSuffix(s.Stream, ":in") {
					return "stream read: updates"
				}
				kind = "stream read: calls only (sender)"
			}
		}
		return kind
	case "get":
		if strings.HasSuffix(key(1), "offset") {
			return "intake offset"
		}
		return "session get (handler)"
	case "evalsha", "eval":
		switch {
		case isIntake(key(3)):
			return "intake"
		case strings.HasSuffix(key(3), ":lease") && strings.HasSuffix(key(4), ":in"):
			return "commit"
		}
		return "script " + key(3)
	}
	return cmd.Name()
}

// TestPipelineRoundTrips counts the Redis round trips of handling ordinary
// updates (the echo handler reads its session and writes it through the
// batch) and reports them; the count is asserted only where it does not
// depend on timing: at most one session read and one commit per update.
func TestPipelineRoundTrips(t *testing.T) {
	r := newRig(t)
	opt, _ := redis.ParseURL(os.Getenv("REDIS_URL"))
	counted := redis.NewClient(opt)
	defer counted.Close()
	trips := &tripCounter{n: map[string]int{}}
	counted.AddHook(trips)
	h := newEcho(counted, r.prefix)
	// Production-length leases: a lease lost under a loaded machine would
	// redo a commit and blur the count.
	rn := r.start(counted, h.handle, Options{Partitions: 16, Lease: 5 * time.Second})
	waitFor(t, "partitions", func() bool { return len(rn.p.Held()) == 16 })

	report := func(name string, n int, got map[string]int) {
		t.Helper()
		t.Logf("%s: %d updates", name, n)
		handling := got["stream read: updates"] + got["session get (handler)"] + got["commit"]
		for k, v := range got {
			t.Logf("  %-32s %6d  %.2f per update", k, v, float64(v)/float64(n))
		}
		t.Logf("  handling (update reads, session get, commit) per update: %.2f", float64(handling)/float64(n))
		// Each update is handled once: at most one session read (a chat's
		// session is cached while its partition is held) and at most one
		// commit (commits waiting together go in one script run). A
		// script's first run on a Redis that has not cached it yet costs
		// two calls (EVALSHA answered NOSCRIPT, then EVAL), which fresh CI
		// servers show; more than that is a regression.
		if g, c := got["session get (handler)"], got["commit"]; g > n || c < 1 || c > n+2 {
			t.Errorf("%s: %d session reads and %d commits for %d updates, want at most one each", name, g, c, n)
		}
	}

	// One update at a time: nothing to amortise.
	u := r.srv.User(30_000, "en")
	trips.reset()
	const single = 20
	for i := 0; i < single; i++ {
		u.Send("x")
		waitFor(t, "reply", func() bool { return len(u.Received()) == i+1 })
	}
	report("one at a time", single, trips.reset())

	// A burst: 200 chats write at once, 3 times.
	us := make([]*telegramtest.User, 200)
	for i := range us {
		us[i] = r.srv.User(int64(31_000+i), "en")
	}
	for round := 0; round < 3; round++ {
		r.srv.Batch(func() {
			for _, u := range us {
				u.Send("y")
			}
		})
	}
	for _, u := range us {
		waitFor(t, "replies", func() bool { return len(u.Received()) == 3 })
	}
	report("bursts of 200 chats", 600, trips.reset())
}

// BenchmarkPipeline runs b.N updates from 100 chats through the whole
// pipeline (fake Telegram without limits, real Redis, the echo handler) and
// reports updates per second and Redis round trips per update.
func BenchmarkPipeline(b *testing.B) {
	rdb, prefix := storagetest.Redis(b)
	srv := telegramtest.New()
	defer srv.Close()
	opt, _ := redis.ParseURL(os.Getenv("REDIS_URL"))
	counted := redis.NewClient(opt)
	defer counted.Close()
	trips := &tripCounter{n: map[string]int{}}
	counted.AddHook(trips)
	_ = rdb

	h := newEcho(counted, prefix)
	p := New(counted, NewAPI(srv.URL(), srv.Token(), nil), h.handle, Options{
		Prefix: prefix, Partitions: 64, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Limits: Limits{Global: 1 << 20, PerChat: 1 << 20, ChatBurst: 1 << 20, PerGroupPerMinute: 1 << 20},
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = p.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for len(p.Held()) < 64 {
		time.Sleep(time.Millisecond)
	}

	users := make([]*telegramtest.User, 100)
	for i := range users {
		users[i] = srv.User(int64(50_000+i), "en")
	}
	trips.reset()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		users[i%len(users)].Send("x")
	}
	for _, u := range users {
		n := b.N / len(users)
		if u.ID-50_000 < int64(b.N%len(users)) {
			n++
		}
		for len(u.Received()) < n {
			time.Sleep(time.Millisecond)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	got := trips.reset()
	total := 0
	for _, v := range got {
		total += v
	}
	handling := got["stream read: updates"] + got["session get (handler)"] + got["commit"]
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "updates/s")
	b.ReportMetric(float64(handling)/float64(b.N), "handling-rt/update")
	b.ReportMetric(float64(total)/float64(b.N), "all-rt/update")
}
