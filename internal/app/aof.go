package app

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/flows"
)

// Redis's append-only file keeps every write until it is rewritten: a
// session deleted by /forget, a stream entry deleted once answered, stay in
// its bytes (sealed, but there) until Redis rewrites the file on its own,
// which for a small hotline can take months. The bot asks for a rewrite
// (BGREWRITEAOF) every HOTLINE_AOF_REWRITE and soon after a /forget or a
// retention purge erased something. A server without an append-only file,
// or one that refuses the command (some managed services), is left alone
// and says so once in the log.

// aofSoon is how long after an erasure the rewrite is asked for: erasures
// that come together share one rewrite.
const aofSoon = 10 * time.Second

// aofRewriter asks Redis to rewrite its append-only file.
type aofRewriter struct {
	rdb  redis.UniversalClient
	log  *slog.Logger
	want chan struct{}

	mu      sync.Mutex
	refused bool // said once in the log
}

func newAOFRewriter(rdb redis.UniversalClient, log *slog.Logger) *aofRewriter {
	return &aofRewriter{rdb: rdb, log: log, want: make(chan struct{}, 1)}
}

// request asks for a rewrite soon.
func (a *aofRewriter) request() {
	select {
	case a.want <- struct{}{}:
	default:
	}
}

// run rewrites every `every` and soon after each request, until ctx is
// done; the channel is closed when it has stopped.
func (a *aofRewriter) run(ctx context.Context, every time.Duration) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-a.want:
				select {
				case <-ctx.Done():
					return
				case <-time.After(aofSoon):
				}
			}
			a.rewrite(ctx)
		}
	}()
	return done
}

// rewrite asks every master (one server, or each master of a cluster) that
// keeps an append-only file to rewrite it.
func (a *aofRewriter) rewrite(ctx context.Context) {
	one := func(ctx context.Context, c *redis.Client) error {
		on, err := c.ConfigGet(ctx, "appendonly").Result()
		if err == nil && on["appendonly"] != "yes" {
			return nil // no append-only file: nothing stays behind
		}
		err = c.BgRewriteAOF(ctx).Err()
		if err != nil && strings.Contains(err.Error(), "in progress") {
			return nil // a rewrite is running: it writes what is there now
		}
		return err
	}
	var err error
	switch c := a.rdb.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, one)
	case *redis.Client:
		err = one(ctx, c)
	}
	if err == nil || ctx.Err() != nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.refused {
		a.refused = true
		a.log.Warn("redis did not rewrite its append-only file; deleted data stays in it until it does", "err", err)
	}
}

// forgetting tells the rewriter of each /forget that erased something.
type forgetting struct {
	flows.Reporters
	aof *aofRewriter
}

func (f forgetting) Forget(ctx context.Context, userID int64) (flows.Erased, error) {
	e, err := f.Reporters.Forget(ctx, userID)
	if err == nil {
		f.aof.request()
	}
	return e, err
}
