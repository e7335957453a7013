package pipeline

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Acknowledgements. A call leaves the outbox only after Telegram answered
// it (or it was given up). Most answered calls leave for free: the next
// commit that appends to the same outbox trims it (XADD … MINID) below the
// partition's watermark, the oldest call this process has not answered yet
// (see sender.watermark). Those that are not trimmed within ackFlush (a chat
// that has not written since, a call behind one being retried) are deleted
// with one XDEL per partition. Until then an answered call is remembered
// here, so that a partition read again from the start does not make it twice;
// a crash in between makes the next owner send it again (sending is at least
// once: Telegram has no idempotency key), which costs a chat at most the
// last messages it got.

// ackFlush is how long an answered call may wait for a trim before it is
// deleted on its own (up to twice that, as flushes run every ackFlush).
const ackFlush = 250 * time.Millisecond

// acks holds the answered calls not yet deleted from the outbox. One mutex
// guards everything; it is never held while Redis is asked.
type acks struct {
	out *Outbox
	log *slog.Logger

	mu       sync.Mutex
	pending  map[int][]ackedEntry // answered, to delete
	deleting map[int][]string     // answered, XDEL in flight
	partly   map[entryKey]int     // entries with several calls: how many answered
	calls    map[callKey]bool     // the answered calls of those entries
	flushing bool                 // a flush is deleting
	flushed  *sync.Cond           // signalled when a flush ends
	wakeC    chan struct{}
}

// ackedEntry is an outbox entry all of whose calls were answered, and when.
type ackedEntry struct {
	id string
	at time.Time
}

type entryKey struct {
	part int
	id   string
}

type callKey struct {
	entryKey
	n int
}

func newAcks(out *Outbox, log *slog.Logger) *acks {
	a := &acks{out: out, log: log, pending: map[int][]ackedEntry{},
		partly: map[entryKey]int{}, calls: map[callKey]bool{}, wakeC: make(chan struct{}, 1)}
	a.flushed = sync.NewCond(&a.mu)
	return a
}

// add records that a call was answered; its entry leaves the outbox once
// every call in it was.
func (a *acks) add(o Outgoing) {
	a.mu.Lock()
	if o.Parts > 1 {
		e := entryKey{o.Partition, o.ID}
		c := callKey{e, o.Part}
		if a.calls[c] {
			a.mu.Unlock()
			return
		}
		a.calls[c] = true
		a.partly[e]++
		if a.partly[e] < o.Parts {
			a.mu.Unlock()
			return
		}
		delete(a.partly, e)
		for n := range o.Parts {
			delete(a.calls, callKey{e, n})
		}
	}
	a.pending[o.Partition] = append(a.pending[o.Partition], ackedEntry{o.ID, time.Now()})
	a.mu.Unlock()
	wake(a.wakeC)
}

// answered reports whether a call was answered and still waits to leave
// the outbox.
func (a *acks) answered(o Outgoing) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, x := range a.pending[o.Partition] {
		if x.id == o.ID {
			return true
		}
	}
	for _, id := range a.deleting[o.Partition] {
		if id == o.ID {
			return true
		}
	}
	return a.calls[callKey{entryKey{o.Partition, o.ID}, o.Part}]
}

// trimmed forgets the answered calls of partition p below id: a commit
// trimmed the outbox there.
func (a *acks) trimmed(p int, below string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	keep := func(xs []ackedEntry) []ackedEntry {
		out := xs[:0]
		for _, x := range xs {
			if !idLess(x.id, below) {
				out = append(out, x)
			}
		}
		return out
	}
	// Those being deleted are left alone: deleting a trimmed id is
	// harmless, and the flush reads that map without the lock.
	if ids := keep(a.pending[p]); len(ids) > 0 {
		a.pending[p] = ids
	} else {
		delete(a.pending, p)
	}
}

// run deletes what trims leave behind, once it has waited ackFlush, until
// ctx is done.
func (a *acks) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.wakeC:
		}
		for {
			if !sleep(ctx, ackFlush) {
				return
			}
			if !a.flushOlder(ctx, ackFlush) {
				break
			}
		}
	}
}

// flush deletes every answered call from the outbox now.
func (a *acks) flush(ctx context.Context) { a.flushOlder(ctx, 0) }

// flushOlder deletes the answered calls that have waited at least age for
// a trim, and reports whether younger ones are left. One flush runs at a
// time; a call waiting for one waits for it.
func (a *acks) flushOlder(ctx context.Context, age time.Duration) bool {
	a.mu.Lock()
	for a.flushing {
		a.flushed.Wait()
	}
	cut := time.Now().Add(-age)
	ids := map[int][]string{}
	left := false
	for p, xs := range a.pending {
		young := xs[:0]
		for _, x := range xs {
			if x.at.After(cut) {
				young = append(young, x)
			} else {
				ids[p] = append(ids[p], x.id)
			}
		}
		if len(young) > 0 {
			a.pending[p] = young
			left = true
		} else {
			delete(a.pending, p)
		}
	}
	if len(ids) == 0 {
		a.mu.Unlock()
		return left
	}
	a.flushing = true
	a.deleting = ids
	a.mu.Unlock()

	err := a.out.Delete(ctx, ids)

	a.mu.Lock()
	if err != nil {
		for p, list := range a.deleting {
			for _, id := range list {
				a.pending[p] = append(a.pending[p], ackedEntry{id, cut})
			}
		}
		left = true
	}
	a.deleting = nil
	a.flushing = false
	a.flushed.Broadcast()
	a.mu.Unlock()
	if err != nil {
		a.log.Warn("delete answered calls", "err", err)
	}
	return left
}

// idLess reports whether stream id x comes before y.
func idLess(x, y string) bool {
	xm, xs := splitID(x)
	ym, ys := splitID(y)
	return xm < ym || xm == ym && xs < ys
}

func splitID(id string) (uint64, uint64) {
	a, b, _ := strings.Cut(id, "-")
	ms, _ := strconv.ParseUint(a, 10, 64)
	seq, _ := strconv.ParseUint(b, 10, 64)
	return ms, seq
}

// nextID returns the smallest stream id after id.
func nextID(id string) string {
	ms, seq := splitID(id)
	return strconv.FormatUint(ms, 10) + "-" + strconv.FormatUint(seq+1, 10)
}
