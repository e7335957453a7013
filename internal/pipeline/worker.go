package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"

	"hotline/internal/batch"
)

// Reading and handling. One reader per process reads, in one blocking round
// trip, the inbox and outbox streams of every partition it holds, and hands
// inbox entries to the partition's worker and outbox entries to the sender.
// A worker handles its partition's entries one at a time, in stream order per
// chat: when an update fails, that chat's later updates wait for its retry,
// while other chats of the partition go on.

const (
	readCount  = 100                    // entries per stream per read
	readBlock  = 250 * time.Millisecond // also how soon a partition just acquired is first read
	queueLimit = 256                    // entries a worker keeps in memory; reading pauses above it
	sendLimit  = 2048                   // calls per partition the sender keeps in memory
	idleWait   = 200 * time.Millisecond
)

// partition is a partition this process holds.
type partition struct {
	id     int
	lease  Lease
	ctx    context.Context // cancelled when the lease is lost or given back
	cancel context.CancelFunc
	done   chan struct{} // closed when the worker has stopped
	wakeC  chan struct{}

	mu        sync.Mutex
	until     time.Time // the lease is ours until then, unless renewed
	queue     []Entry
	cursorIn  string
	cursorOut string
	stopping  bool
	releasing bool
	attempts  map[string]int      // entry id → failed attempts
	retryAt   map[int64]time.Time // chat → when its first entry may be tried again
}

func newPartition(ctx context.Context, l Lease, until time.Time) *partition {
	ctx, cancel := context.WithCancel(ctx)
	return &partition{
		id: l.Partition, lease: l, ctx: ctx, cancel: cancel,
		done: make(chan struct{}), wakeC: make(chan struct{}, 1),
		until: until, cursorIn: "0", cursorOut: "0",
		attempts: map[string]int{}, retryAt: map[int64]time.Time{},
	}
}

func (pt *partition) validUntil() time.Time {
	pt.mu.Lock()
	defer pt.mu.Unlock()
	return pt.until
}

func (pt *partition) setValidUntil(t time.Time) {
	pt.mu.Lock()
	pt.until = t
	pt.mu.Unlock()
}

func (pt *partition) isReleasing() bool {
	pt.mu.Lock()
	defer pt.mu.Unlock()
	return pt.releasing
}

func (pt *partition) setReleasing() {
	pt.mu.Lock()
	pt.releasing = true
	pt.mu.Unlock()
}

// stopAfterCurrent makes the worker stop once the update in hand is done.
func (pt *partition) stopAfterCurrent() {
	pt.mu.Lock()
	pt.stopping = true
	pt.mu.Unlock()
	wake(pt.wakeC)
}

// next returns the first entry whose chat may be handled now. When there is
// none it returns how long until one may be (0: wait for more entries).
func (pt *partition) next(now time.Time) (Entry, bool, time.Duration) {
	pt.mu.Lock()
	defer pt.mu.Unlock()
	var wait time.Duration
	seen := map[int64]bool{}
	for _, e := range pt.queue {
		if seen[e.ChatID] {
			continue // an earlier update of this chat is waiting for its retry
		}
		seen[e.ChatID] = true
		at, ok := pt.retryAt[e.ChatID]
		if !ok || !now.Before(at) {
			return e, true, 0
		}
		if d := at.Sub(now); wait == 0 || d < wait {
			wait = d
		}
	}
	return Entry{}, false, wait
}

// remove forgets a finished entry.
func (pt *partition) remove(e Entry) {
	pt.mu.Lock()
	defer pt.mu.Unlock()
	for i := range pt.queue {
		if pt.queue[i].ID == e.ID {
			pt.queue = slices.Delete(pt.queue, i, i+1) // clears the freed slot
			break
		}
	}
	delete(pt.attempts, e.ID)
	delete(pt.retryAt, e.ChatID)
}

// work runs the partition's worker until the partition is stopped or lost.
func (p *Pipeline) work(pt *partition) {
	defer close(pt.done)
	// Attempts survive a takeover, so that a poisoned update still ends in the
	// dead letters and a user is told of a failure only once.
	for {
		att, err := p.inbox.Attempts(pt.ctx, pt.id)
		if err == nil {
			pt.mu.Lock()
			pt.attempts = att
			pt.mu.Unlock()
			break
		}
		p.log.Warn("read attempts", "partition", pt.id, "err", err)
		if !sleep(pt.ctx, time.Second) {
			return
		}
	}
	// Writes a crashed holder committed but did not forward go first.
	if !p.forward(pt) {
		return
	}
	for {
		pt.mu.Lock()
		stopping := pt.stopping
		pt.mu.Unlock()
		if stopping || pt.ctx.Err() != nil {
			return
		}
		now := time.Now()
		e, ok, wait := pt.next(now)
		if !ok {
			if wait == 0 {
				wait = time.Minute
			}
			t := time.NewTimer(wait)
			select {
			case <-pt.ctx.Done():
			case <-pt.wakeC:
			case <-t.C:
			}
			t.Stop()
			continue
		}
		if !now.Before(pt.validUntil()) {
			// Not renewed in time: handle nothing until the keeper knows
			// whether the lease is still ours (it cancels ctx if not).
			sleep(pt.ctx, idleWait)
			continue
		}
		if !p.handle(pt, e) {
			return
		}
	}
}

// handle runs the handler on one entry and commits the outcome. It returns
// false when the partition must stop.
func (p *Pipeline) handle(pt *partition, e Entry) bool {
	pt.mu.Lock()
	attempt := pt.attempts[e.ID] + 1
	pt.mu.Unlock()

	c := Commit{Lease: pt.lease, Entry: e, Outcome: Handled, Failed: attempt > 1}
	var raw models.Update
	var herr error
	if err := json.Unmarshal(e.Raw, &raw); err != nil {
		herr = errMalformed
		attempt = p.opts.MaxAttempts
	} else {
		// The lease token scopes what stores may cache of the partition's
		// chats: only this holding's commits write them.
		b := batch.New(pt.lease.Token)
		ctx, cancel := context.WithTimeout(batch.With(pt.ctx, b), p.opts.HandleTimeout)
		var calls []Call
		calls, herr = p.call(ctx, Update{ID: e.UpdateID, ChatID: ChatOf(&raw), Attempt: attempt, Raw: &raw})
		cancel()
		c.Batch = b
		for _, cl := range calls {
			c.Calls = append(c.Calls, p.outgoing(cl, e.Partition, e.UpdateID))
		}
	}
	if herr != nil {
		c.Attempts = attempt
		c.Outcome = Retry
		if attempt >= p.opts.MaxAttempts {
			c.Outcome = Dead
			c.Reason = truncate(herr.Error(), 300)
		}
	}
	if pt.ctx.Err() != nil {
		return false // lost meanwhile: the commit would be refused anyway
	}
	for _, o := range c.Calls {
		if _, ok := c.Trim[o.Partition]; !ok {
			if c.Trim == nil {
				c.Trim = map[int]string{}
			}
			c.Trim[o.Partition] = p.sender.watermark(o.Partition)
		}
	}
	err := p.commits.commit(c)
	if err == nil {
		if len(c.Calls) > 0 && p.inbox.cluster {
			wake(p.readerWake) // the calls are in an outbox: read them now
		}
		for part, below := range c.Trim {
			if below != "" {
				p.sender.acks.trimmed(part, below)
			}
		}
		if p.inbox.Forwards(c) && !p.forward(pt) {
			return false
		}
	}
	switch {
	case errors.Is(err, ErrLeaseLost):
		p.lose(pt, "commit refused")
		return false
	case errors.Is(err, ErrGone):
		p.log.Info("update was already handled", "update_id", e.UpdateID, "partition", e.Partition)
		pt.remove(e)
		return true
	case err != nil:
		// The outcome is unknown: the entry stays and is handled again; if the
		// commit did land, the next commit finds the entry gone.
		p.m.commitErrs.Inc()
		p.log.Warn("commit failed", "update_id", e.UpdateID, "partition", e.Partition, "err", err)
		pt.mu.Lock()
		if herr != nil {
			pt.attempts[e.ID] = attempt
		}
		pt.retryAt[e.ChatID] = time.Now().Add(backoff(attempt, p.opts.RetryBase, p.opts.RetryMax))
		pt.mu.Unlock()
		return true
	}
	switch c.Outcome {
	case Handled:
		if c.Batch != nil {
			c.Batch.Committed()
		}
		p.m.handled.Inc()
		p.m.latency.Observe(time.Since(e.Added()).Seconds())
		pt.remove(e)
	case Retry:
		p.m.failed.Inc()
		wait := backoff(attempt, p.opts.RetryBase, p.opts.RetryMax)
		p.log.Warn("update failed; will retry", "update_id", e.UpdateID, "partition", e.Partition,
			"attempt", attempt, "retry_in", wait.Round(time.Millisecond), "err", herr)
		pt.mu.Lock()
		pt.attempts[e.ID] = attempt
		pt.retryAt[e.ChatID] = time.Now().Add(wait)
		pt.mu.Unlock()
	case Dead:
		p.m.dead.Inc()
		p.log.Error("update moved to dead letters", "update_id", e.UpdateID, "partition", e.Partition,
			"entry", e.ID, "attempts", attempt, "err", herr)
		pt.remove(e)
	}
	return true
}

var errMalformed = errors.New("malformed update json")

// forward makes the partition's committed writes to other slots (a
// cluster only; see forward.go), trying until they are made or the
// partition is lost; it reports whether they were.
func (p *Pipeline) forward(pt *partition) bool {
	for try := 1; ; try++ {
		ctx, cancel := context.WithTimeout(pt.ctx, 5*time.Second)
		err := p.inbox.Forward(ctx, pt.id)
		cancel()
		if err == nil {
			return true
		}
		if pt.ctx.Err() != nil {
			return false
		}
		p.log.Warn("forward writes", "partition", pt.id, "err", err, "attempt", try)
		if !sleep(pt.ctx, backoff(try, p.opts.RetryBase, p.opts.RetryMax)) {
			return false
		}
	}
}

// call runs the handler, turning a panic into an error so that one bad
// update cannot take the process down.
func (p *Pipeline) call(ctx context.Context, u Update) (calls []Call, err error) {
	defer func() {
		if r := recover(); r != nil {
			buf := make([]byte, 8<<10)
			buf = buf[:runtime.Stack(buf, false)]
			// A runtime error names no user data; other panic values might.
			what := "panic"
			if re, ok := r.(runtime.Error); ok {
				what = re.Error()
			}
			p.log.Error("handler panicked", "update_id", u.ID, "panic", what, "stack", string(buf))
			calls, err = nil, fmt.Errorf("update %d: handler panicked", u.ID)
		}
	}()
	return p.h(ctx, u)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// clusterIdle bounds how long the reader waits between reads that found
// nothing, on a Redis Cluster (where a read cannot block on several
// partitions): it starts at clusterIdleMin and doubles. Local intake and
// commits wake it at once.
const (
	clusterIdleMin = 5 * time.Millisecond
	clusterIdle    = 100 * time.Millisecond
)

// read is the process's reader: it feeds the workers and the sender.
func (p *Pipeline) read(ctx context.Context) {
	failures := 0
	idle := clusterIdleMin
	for ctx.Err() == nil {
		inC, outC := Cursors{}, Cursors{}
		p.mu.Lock()
		parts := make(map[int]*partition, len(p.parts))
		for id, pt := range p.parts {
			parts[id] = pt
			pt.mu.Lock()
			if !pt.stopping && len(pt.queue) < queueLimit {
				inC[id] = pt.cursorIn
			}
			if !pt.releasing {
				outC[id] = pt.cursorOut
			}
			pt.mu.Unlock()
		}
		p.mu.Unlock()
		for id := range outC {
			if p.sender.backlog(id) >= sendLimit {
				delete(outC, id)
			}
		}
		if len(inC)+len(outC) == 0 {
			select {
			case <-ctx.Done():
			case <-p.readerWake:
			case <-time.After(idleWait):
			}
			continue
		}
		r, err := p.inbox.Read(ctx, inC, outC, readCount, readBlock)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			failures++
			if failures == 1 || failures%20 == 0 {
				p.log.Warn("read inbox", "err", err, "failures", failures)
			}
			sleep(ctx, backoff(failures, 100*time.Millisecond, 5*time.Second))
			continue
		}
		failures = 0
		if p.inbox.cluster {
			if len(r.In)+len(r.Out) == 0 {
				select {
				case <-ctx.Done():
				case <-p.readerWake:
				case <-time.After(idle):
				}
				idle = min(2*idle, clusterIdle)
				continue
			}
			idle = clusterIdleMin
		}
		byPart := map[int][]Entry{}
		for _, e := range r.In {
			byPart[e.Partition] = append(byPart[e.Partition], e)
		}
		for id, es := range byPart {
			pt := parts[id]
			pt.mu.Lock()
			if pt.cursorIn == inC[id] { // not reset meanwhile
				pt.queue = append(pt.queue, es...)
				pt.cursorIn = es[len(es)-1].ID
			}
			pt.mu.Unlock()
			wake(pt.wakeC)
		}
		outs := map[int][]Outgoing{}
		for _, o := range r.Out {
			outs[o.Partition] = append(outs[o.Partition], o)
		}
		for id, os := range outs {
			pt := parts[id]
			pt.mu.Lock()
			pt.cursorOut = os[len(os)-1].ID
			pt.mu.Unlock()
			p.sender.add(ctx, pt, os)
		}
	}
}
