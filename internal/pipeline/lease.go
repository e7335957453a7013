package pipeline

import (
	"context"
	"math/rand/v2"
	"time"
)

// Partition ownership. Every Renew period each process, in one round trip,
// beats its heartbeat, renews its leases and reads who holds every partition.
// A process aims at its fair share, ceil(partitions / live processes), and may
// hold Slack more: it takes free partitions while below share+Slack and gives
// partitions back, gracefully, while above it. A dead process stops beating;
// after 2·Renew it no longer counts as live, so by the time its leases expire
// (Lease) the survivors' shares have grown to cover its partitions.

// keep runs lease rounds until ctx is done. Once stopAcquiring is closed it
// only renews, so that partitions being drained stay owned, and it closes
// stopped to say no partition will be taken any more.
func (p *Pipeline) keep(ctx context.Context, stopAcquiring <-chan struct{}, stopped chan<- struct{}) {
	t := time.NewTicker(p.opts.Renew)
	defer t.Stop()
	acquiring := true
	defer func() {
		if acquiring {
			close(stopped)
		}
	}()
	for {
		p.round(ctx, acquiring)
		select {
		case <-ctx.Done():
			return
		case <-stopAcquiring:
			stopAcquiring = nil
			acquiring = false
			close(stopped)
		case <-t.C:
		}
	}
}

// deadTrimRounds is how many lease rounds go between trims of the dead
// letters of the partitions held (about every 10 minutes).
const deadTrimRounds = 400

// round is one lease round.
func (p *Pipeline) round(ctx context.Context, acquiring bool) {
	start := time.Now()
	p.mu.Lock()
	var held []Lease
	var heldParts []*partition
	for _, pt := range p.parts {
		held = append(held, pt.lease)
		heldParts = append(heldParts, pt)
	}
	if p.poll != nil {
		held = append(held, *p.poll)
	}
	// Who holds what is read only when it may matter: while this process
	// is below its share or waits for the polling lease, and every tenth
	// round; a full process renews without reading every lease.
	p.rounds++
	holders := acquiring && (p.belowShare || p.rounds%10 == 1 || (p.opts.Mode == Polling && p.poll == nil))
	p.mu.Unlock()

	live := 2*p.opts.Renew + p.opts.Renew/2
	tick, err := p.inbox.Tick(ctx, p.opts.ProcessID, held, p.opts.Lease, live, holders)
	if err != nil {
		if ctx.Err() == nil {
			p.log.Warn("lease round failed", "err", err)
		}
		// Without an answer the leases are only good until they would expire.
		for _, pt := range heldParts {
			if !start.Before(pt.validUntil()) {
				p.lose(pt, "lease could not be renewed")
			}
		}
		p.mu.Lock()
		if p.poll != nil && time.Since(p.pollSince) >= p.opts.Lease {
			p.poll = nil
		}
		p.mu.Unlock()
		return
	}
	for i, pt := range heldParts {
		if tick.Renewed[i] {
			pt.setValidUntil(start.Add(p.opts.Lease))
		} else {
			p.lose(pt, "lease taken over")
		}
	}
	p.mu.Lock()
	if p.poll != nil {
		if tick.Renewed[len(heldParts)] {
			p.pollSince = start
		} else {
			p.poll = nil
		}
	}
	p.mu.Unlock()
	if p.rounds%deadTrimRounds == 1 && len(heldParts) > 0 {
		ids := make([]int, len(heldParts))
		for i, pt := range heldParts {
			ids[i] = pt.id
		}
		if err := p.inbox.TrimDead(ctx, ids); err != nil && ctx.Err() == nil {
			p.log.Warn("trim dead letters", "err", err)
		}
	}
	if !acquiring {
		return
	}
	n := p.opts.Partitions
	procs := max(len(tick.Procs), 1)
	fair := (n + procs - 1) / procs
	limit := fair + p.opts.Slack

	p.mu.Lock()
	mine := 0
	var releasable []*partition
	for _, pt := range p.parts {
		if !pt.isReleasing() {
			mine++
			releasable = append(releasable, pt)
		}
	}
	p.belowShare = mine < limit
	p.mu.Unlock()

	switch {
	case mine > limit:
		rand.Shuffle(len(releasable), func(i, j int) { releasable[i], releasable[j] = releasable[j], releasable[i] })
		for _, pt := range releasable[:mine-fair] {
			pt.setReleasing()
			p.releases.Add(1)
			go func() {
				defer p.releases.Done()
				p.release(ctx, pt)
			}()
		}
	case mine < limit && tick.Holders != nil:
		var free []int
		for part := 0; part < n; part++ {
			if tick.Holders[part] == "" {
				free = append(free, part)
			}
		}
		rand.Shuffle(len(free), func(i, j int) { free[i], free[j] = free[j], free[i] })
		free = free[:min(len(free), limit-mine)]
		p.acquire(ctx, free, nil)
	}
	if p.opts.Mode == Polling && tick.Holders != nil && tick.Holders[n] == "" {
		p.mu.Lock()
		polling := p.poll != nil
		p.mu.Unlock()
		if !polling {
			p.acquire(ctx, nil, &Lease{Partition: PollLease})
		}
	}
}

// acquire tries to take the given partitions (and the polling lease when
// poll is not nil) and starts a worker for each one taken.
func (p *Pipeline) acquire(ctx context.Context, parts []int, poll *Lease) {
	ls := make([]Lease, 0, len(parts)+1)
	for _, part := range parts {
		ls = append(ls, Lease{Partition: part, Token: p.opts.ProcessID + "/" + randomHex(6)})
	}
	if poll != nil {
		poll.Token = p.opts.ProcessID + "/" + randomHex(6)
		ls = append(ls, *poll)
	}
	if len(ls) == 0 {
		return
	}
	start := time.Now()
	got, err := p.inbox.Acquire(ctx, ls, p.opts.Lease)
	if err != nil {
		if ctx.Err() == nil {
			p.log.Warn("acquire leases", "err", err)
		}
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, l := range ls {
		if !got[i] {
			continue
		}
		if l.Partition == PollLease {
			lease := l
			p.poll = &lease
			p.pollSince = start
			continue
		}
		pt := newPartition(ctx, l, start.Add(p.opts.Lease))
		p.parts[l.Partition] = pt
		p.sender.addPartition(pt)
		go p.work(pt)
	}
	p.m.partitions.Set(float64(len(p.parts)))
	wake(p.readerWake)
}

// lose forgets a partition whose lease is gone: its worker stops at once
// and its queued calls are left to the new owner.
func (p *Pipeline) lose(pt *partition, why string) {
	p.mu.Lock()
	if p.parts[pt.id] != pt {
		p.mu.Unlock()
		return
	}
	delete(p.parts, pt.id)
	p.m.partitions.Set(float64(len(p.parts)))
	p.mu.Unlock()
	pt.cancel()
	p.sender.dropPartition(pt.id)
	p.log.Warn("partition lost", "partition", pt.id, "why", why)
}

// release gives a partition back gracefully: its worker finishes the update
// in hand, calls in flight are answered and acknowledged, then the lease is
// deleted so that another process takes over at once.
func (p *Pipeline) release(ctx context.Context, pt *partition) {
	pt.stopAfterCurrent()
	<-pt.done
	<-p.sender.releasePartition(pt.id)
	p.sender.ackNow(ctx)
	p.mu.Lock()
	if p.parts[pt.id] == pt {
		delete(p.parts, pt.id)
	}
	p.m.partitions.Set(float64(len(p.parts)))
	p.mu.Unlock()
	pt.cancel()
	if err := p.inbox.Release(ctx, pt.lease); err != nil {
		p.log.Warn("release lease", "partition", pt.id, "err", err)
	}
}

// releaseAll gives back every lease at shutdown.
func (p *Pipeline) releaseAll(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	p.mu.Lock()
	var ls []Lease
	for id, pt := range p.parts {
		ls = append(ls, pt.lease)
		pt.cancel()
		delete(p.parts, id)
	}
	if p.poll != nil {
		ls = append(ls, *p.poll)
		p.poll = nil
	}
	p.m.partitions.Set(0)
	p.mu.Unlock()
	if err := p.inbox.Release(ctx, ls...); err != nil {
		p.log.Warn("release leases at shutdown", "err", err)
	}
	if err := p.inbox.Leave(ctx, p.opts.ProcessID); err != nil {
		p.log.Warn("leave", "err", err)
	}
}

// Held returns the partitions this process owns (tests and /readyz use it).
func (p *Pipeline) Held() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]int, 0, len(p.parts))
	for id := range p.parts {
		out = append(out, id)
	}
	return out
}
