package pipeline

import (
	"context"
	"sync"
	"time"
)

// Group commit. Every partition's worker hands its entry's outcome to the
// process's committer and waits for the answer. The committer stores what
// is waiting in one script run (on a cluster one per partition, at the same
// time: Inbox.CommitAll), then the next group, so that a busy process pays
// one script call and one lease read for many updates, and an idle one
// commits at once. A worker waits for its own commit before it handles the
// next entry, so nothing about a chat's order changes.

const (
	commitGroupMax = 128             // entries in one script run
	commitTimeout  = 5 * time.Second // bounds one run
)

type commitReq struct {
	c    Commit
	done chan error
}

type committer struct {
	in *Inbox

	mu      sync.Mutex
	pending []*commitReq
	running bool // a goroutine is storing groups
}

// commit stores c with whatever else is waiting and returns its result.
// It is not cancelled with the caller: an outcome whose fate is unknown is
// worse than one stored a moment late (the lease still fences it).
func (k *committer) commit(c Commit) error {
	r := &commitReq{c: c, done: make(chan error, 1)}
	k.mu.Lock()
	k.pending = append(k.pending, r)
	if !k.running {
		k.running = true
		go k.run()
	}
	k.mu.Unlock()
	return <-r.done
}

// run stores groups until nothing waits.
func (k *committer) run() {
	for {
		k.mu.Lock()
		if len(k.pending) == 0 {
			k.running = false
			k.mu.Unlock()
			return
		}
		n := min(len(k.pending), commitGroupMax)
		group := k.pending[:n:n]
		k.pending = k.pending[n:]
		k.mu.Unlock()

		cs := make([]Commit, len(group))
		for i, r := range group {
			cs[i] = r.c
		}
		ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
		errs := k.in.CommitAll(ctx, cs)
		cancel()
		for i, r := range group {
			r.done <- errs[i]
		}
	}
}
