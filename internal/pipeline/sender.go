package pipeline

import (
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"
)

// The sender makes the calls in the outbox of the partitions this process
// holds, within Telegram's limits:
//
//   - one call in flight per chat, in the order the calls were made, replies
//     (flows.PriorityReply) before the chat's notices;
//   - chats take turns, one call a turn, the chat served longest ago first
//     (a chat not served lately before any that was), so one chat's backlog
//     never delays another chat's next message by more than a turn, and after
//     a raid everyone's first answer goes out before anyone's second; chats
//     with a reply due have their own line, served before notices;
//   - a private chat gets ChatBurst messages at once, then PerChat per second
//     (a token bucket); a group gets PerGroupPerMinute in any minute; the bot
//     gets Global in any second, split between processes by the share of
//     partitions each holds;
//   - 429 holds the chat for retry_after (and the whole bot when several chats
//     get one at once: that is a bot-wide flood); 5xx and network errors retry
//     the same call with exponential backoff; 400 drops the call, 403 drops the
//     chat's calls and reports the chat to OnBlocked. A dropped call is always
//     logged (method, chat id, Telegram's description, never the text) and
//     counted.
//
// answerCallbackQuery, and calls without a chat, are not messages: they go at
// once, outside the turns and limits, because a button press must be answered
// within seconds.
//
// A call leaves the outbox (XDEL) only after Telegram answered it. A
// copyMessage that went through is reported to OnCopied (the copy's id is in
// Telegram's answer only) before the chat's next call is made.

// messageMethods count against Telegram's message limits.
var messageMethods = map[string]bool{
	"sendMessage": true, "sendPhoto": true, "sendDocument": true, "sendVoice": true,
	"sendVideo": true, "sendAudio": true, "sendAnimation": true, "sendSticker": true,
	"sendLocation": true, "sendContact": true, "sendMediaGroup": true, "sendVideoNote": true,
	"copyMessage": true, "forwardMessage": true, "copyMessages": true, "forwardMessages": true,
	"editMessageText": true, "editMessageCaption": true, "editMessageReplyMarkup": true,
	"editMessageMedia": true,
}

const (
	sendTimeout    = 30 * time.Second
	callbackWindow = 10 * time.Second // a callback query answered later is refused anyway
	blockedMemory  = time.Hour
	sweepEvery     = 10 * time.Second // how often chats whose limiter state is spent are forgotten
)

// outcome is what became of one attempt at a call.
type outcome int

const (
	sentOK outcome = iota
	dropBadRequest
	dropBlocked
	waitTooMany
	retryLater
	cancelled
)

type item struct {
	o        Outgoing
	attempts int
	counted  time.Time // when the attempt in flight was counted against the limits
}

type chatQ struct {
	id        int64
	sp        *sendPart
	q         [2][]*item // 0: replies, 1: notices
	busy      *item
	gone      bool
	inRing    [2]bool
	heapIdx   int // -1 when not waiting
	notBefore time.Time
	served    time.Time // when its last call went out; zero for a chat not served lately
	tokens    float64   // private chat's token bucket
	tokensAt  time.Time
	sent      []time.Time // a group's sends in the last minute
}

func (c *chatQ) empty() bool { return len(c.q[0])+len(c.q[1]) == 0 }

func (c *chatQ) head() *item {
	if len(c.q[0]) > 0 {
		return c.q[0][0]
	}
	return c.q[1][0]
}

// removeItem takes it out of the chat's queues and reports whether it was there.
func (c *chatQ) removeItem(it *item) bool {
	for k := range c.q {
		for i, x := range c.q[k] {
			if x == it {
				// Delete clears the slot freed at the end, which would
				// otherwise keep the last call's parameters alive.
				c.q[k] = slices.Delete(c.q[k], i, i+1)
				return true
			}
		}
	}
	return false
}

type sendPart struct {
	pt       *partition // the holding these calls were read under
	chats    map[int64]*chatQ
	queued   int
	inflight int
	gone     bool
	idle     chan struct{}      // closed once gone and nothing is in flight
	readTo   string             // the last outbox id handed to the sender
	now      map[*item]struct{} // calls made at once (sendNow) not answered yet
}

type sender struct {
	p   *Pipeline
	lim Limits

	mu          sync.Mutex
	parts       map[int]*sendPart
	rings       [2]places // chats with a reply (0) or a notice (1) to send, in turn
	seq         uint64    // arrival order, to break ties in rings
	waiting     chatHeap
	global      []time.Time // this process's sends in the last second
	globalSlot  time.Time   // the slot of this process's last send (see count)
	globalUntil time.Time   // a bot-wide 429 holds every chat until then
	recent429   map[int64]time.Time
	blocked     map[int64]time.Time // chat → when it refused us (403)
	queued      int
	inflight    int
	lastSweep   time.Time

	wakeC     chan struct{}
	progressC chan struct{}
	sem       chan struct{}
	wg        sync.WaitGroup

	acks *acks
}

func newSender(p *Pipeline) *sender {
	return &sender{
		p:         p,
		lim:       p.opts.Limits,
		parts:     map[int]*sendPart{},
		recent429: map[int64]time.Time{},
		blocked:   map[int64]time.Time{},
		wakeC:     make(chan struct{}, 1),
		progressC: make(chan struct{}, 1),
		sem:       make(chan struct{}, p.opts.SendConcurrency),
		acks:      newAcks(p.out, p.log),
	}
}

// run schedules calls until ctx is done, then waits for the calls in flight
// (which ctx cancels).
func (s *sender) run(ctx context.Context) {
	ackDone := make(chan struct{})
	go func() { defer close(ackDone); s.acks.run(ctx) }()
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		d := s.dispatch(ctx)
		if d <= 0 {
			d = time.Hour // until woken
		}
		d = min(d, sweepEvery) // idle chats are forgotten even when nothing is sent
		t.Reset(d)
		select {
		case <-ctx.Done():
			s.wg.Wait()
			<-ackDone
			return
		case <-s.wakeC:
		case <-t.C:
		}
	}
}

// addPartition starts tracking the calls of a partition just acquired.
func (s *sender) addPartition(pt *partition) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.parts[pt.id]; old != nil && !old.gone {
		s.forget(old) // a holding we lost without hearing of it
	}
	s.parts[pt.id] = &sendPart{pt: pt, chats: map[int64]*chatQ{}, now: map[*item]struct{}{}, idle: make(chan struct{})}
}

// add queues calls read from the outbox of a partition held as pt. Calls
// read under an earlier holding of the partition are ignored: the current
// holding reads the outbox from its start.
func (s *sender) add(ctx context.Context, pt *partition, read []Outgoing) {
	os := s.unanswered(read)
	s.mu.Lock()
	defer s.mu.Unlock()
	sp := s.parts[pt.id]
	if sp == nil || sp.gone || sp.pt != pt {
		return
	}
	if len(read) > 0 {
		sp.readTo = read[len(read)-1].ID
	}
	for _, o := range os {
		it := &item{o: o}
		if o.ChatID == 0 || o.Method == "answerCallbackQuery" {
			sp.now[it] = struct{}{}
			sp.inflight++
			s.inflight++
			s.wg.Add(1)
			go s.sendNow(ctx, sp, it)
			continue
		}
		if at, ok := s.blocked[o.ChatID]; ok && !streamTimeOf(o.ID).After(at) {
			s.drop(it, "blocked", nil)
			continue
		}
		c := sp.chats[o.ChatID]
		if c == nil {
			c = &chatQ{id: o.ChatID, sp: sp, heapIdx: -1, tokens: float64(max(s.lim.ChatBurst, 1))}
			sp.chats[o.ChatID] = c
		}
		k := 0
		if o.Priority > 0 {
			k = 1
		}
		c.q[k] = append(c.q[k], it)
		sp.queued++
		s.queued++
		if c.busy == nil && c.heapIdx < 0 {
			s.enqueue(c)
		}
	}
	s.p.m.queued.Set(float64(s.queued))
	wake(s.wakeC)
}

// enqueue puts a chat with something to send at the back of its rings.
func (s *sender) enqueue(c *chatQ) {
	for k := range c.q {
		if len(c.q[k]) > 0 && !c.inRing[k] {
			c.inRing[k] = true
			heap.Push(&s.rings[k], place{c: c, served: c.served, seq: s.seq})
			s.seq++
		}
	}
}

// backlog returns how many calls of a partition are in memory.
func (s *sender) backlog(part int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sp := s.parts[part]; sp != nil {
		return sp.queued
	}
	return 0
}

// dropPartition forgets a partition's queued calls, leaving them in the
// outbox for its new owner; calls in flight finish on their own.
func (s *sender) dropPartition(part int) { s.releasePartition(part) }

// releasePartition forgets a partition's queued calls and returns a channel
// that is closed once its calls in flight have been answered.
func (s *sender) releasePartition(part int) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp := s.parts[part]
	if sp == nil {
		done := make(chan struct{})
		close(done)
		return done
	}
	s.forget(sp)
	delete(s.parts, part)
	return sp.idle
}

// forget drops a holding's queued calls; its idle channel closes once its
// calls in flight are answered.
func (s *sender) forget(sp *sendPart) {
	if sp.gone {
		return
	}
	sp.gone = true
	for _, c := range sp.chats {
		c.gone = true
		n := len(c.q[0]) + len(c.q[1])
		c.q[0], c.q[1] = nil, nil
		sp.queued -= n
		s.queued -= n
	}
	s.p.m.queued.Set(float64(s.queued))
	if sp.inflight == 0 {
		close(sp.idle)
	}
}

// flush waits until the outboxes of the partitions held are empty (every
// call in them answered) or ctx is done. Calls committed a moment ago may
// not have been read yet, so it asks Redis rather than trusting memory.
func (s *sender) flush(ctx context.Context) {
	for {
		s.mu.Lock()
		left := s.queued + s.inflight
		var parts []int
		for id := range s.parts {
			parts = append(parts, id)
		}
		s.mu.Unlock()
		if left == 0 {
			s.ackNow(ctx)
			n, err := s.p.out.Waiting(ctx, parts)
			if err != nil || n == 0 {
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.progressC:
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// dispatch starts every call that may go now and returns how long until the
// next one may (0: until something changes).
func (s *sender) dispatch(ctx context.Context) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if now.Sub(s.lastSweep) >= sweepEvery {
		s.sweep(now)
	}
	for len(s.waiting) > 0 && !s.waiting[0].notBefore.After(now) {
		c := heap.Pop(&s.waiting).(*chatQ)
		if !c.gone {
			s.enqueue(c)
		}
	}
	if now.Before(s.globalUntil) {
		return s.globalUntil.Sub(now)
	}
	for k := range s.rings {
		for len(s.rings[k]) > 0 {
			c := s.rings[k][0].c
			if c.gone || c.busy != nil || c.heapIdx >= 0 || len(c.q[k]) == 0 {
				s.popRing(k)
				continue
			}
			it := c.head()
			limited := messageMethods[it.o.Method]
			if w := s.chatWait(c, now, limited); w > 0 {
				s.popRing(k)
				c.notBefore = now.Add(w)
				heap.Push(&s.waiting, c)
				continue
			}
			if limited {
				if w := s.globalWait(now); w > 0 {
					return w // c stays first in line
				}
			}
			select {
			case s.sem <- struct{}{}:
			default:
				return 0 // a call finishing wakes us
			}
			s.popRing(k)
			if limited {
				s.count(c, now)
				it.counted = now
			}
			c.busy = it
			c.served = now
			c.sp.inflight++
			s.inflight++
			s.wg.Add(1)
			go s.send(ctx, c, it)
		}
	}
	if len(s.waiting) > 0 {
		return max(s.waiting[0].notBefore.Sub(now), time.Millisecond)
	}
	return 0
}

func (s *sender) popRing(k int) {
	p := heap.Pop(&s.rings[k]).(place)
	p.c.inRing[k] = false
}

// chatWait returns how long the chat must wait before its next call.
func (s *sender) chatWait(c *chatQ, now time.Time, limited bool) time.Duration {
	if now.Before(c.notBefore) {
		return c.notBefore.Sub(now)
	}
	if !limited {
		return 0
	}
	if c.id < 0 {
		l := s.lim.PerGroupPerMinute
		for len(c.sent) > 0 && now.Sub(c.sent[0]) >= time.Minute+s.lim.Margin {
			c.sent = c.sent[1:]
		}
		if l > 0 && len(c.sent) >= l {
			return c.sent[len(c.sent)-l].Add(time.Minute + s.lim.Margin).Sub(now)
		}
		return 0
	}
	if s.lim.PerChat <= 0 {
		return 0
	}
	s.refill(c, now)
	if c.tokens >= 1 {
		return 0
	}
	return time.Duration((1-c.tokens)/s.lim.PerChat*float64(time.Second)) + s.lim.Margin
}

func (s *sender) refill(c *chatQ, now time.Time) {
	burst := float64(max(s.lim.ChatBurst, 1))
	if !c.tokensAt.IsZero() {
		c.tokens = min(burst, c.tokens+now.Sub(c.tokensAt).Seconds()*s.lim.PerChat)
	}
	c.tokensAt = now
}

// globalLimit is this process's part of the bot's messages per second.
func (s *sender) globalLimit() int {
	if s.lim.Global <= 0 {
		return 0
	}
	return max(1, s.lim.Global*len(s.parts)/s.p.opts.Partitions)
}

func (s *sender) globalWait(now time.Time) time.Duration {
	l := s.globalLimit()
	for len(s.global) > 0 && now.Sub(s.global[0]) >= time.Second+s.lim.Margin {
		s.global = s.global[1:]
	}
	if l == 0 {
		return 0
	}
	var wait time.Duration
	if len(s.global) >= l {
		wait = s.global[len(s.global)-l].Add(time.Second + s.lim.Margin).Sub(now)
	}
	if !s.globalSlot.IsZero() {
		wait = max(wait, s.globalSlot.Add(s.globalGap()).Sub(now))
	}
	return wait
}

// globalGap is the spacing of this process's messages. They go evenly
// spaced, not globalLimit at once each second: Telegram counts messages
// when they arrive, so a second's burst whose last messages arrive late
// runs into the next second's burst (429s under load); and in a queue of
// chats, those at the end of each second's burst would wait longer than
// their turn.
func (s *sender) globalGap() time.Duration {
	return (time.Second + s.lim.Margin) / time.Duration(max(s.globalLimit(), 1))
}

// count records a message sent to c.
func (s *sender) count(c *chatQ, now time.Time) {
	s.global = append(s.global, now)
	// The message takes the slot after the last one's. A slot missed by less
	// than a gap is kept, so that timers firing late do not slow the sender
	// down; after a longer pause the slots start again from now, so that a
	// pause earns no burst.
	gap := s.globalGap()
	slot := s.globalSlot.Add(gap)
	if now.Sub(slot) >= gap {
		slot = now
	}
	s.globalSlot = slot
	if c.id < 0 {
		c.sent = append(c.sent, now)
		return
	}
	if s.lim.PerChat > 0 {
		s.refill(c, now)
		c.tokens--
	}
}

// refund takes back the count of an attempt that Telegram did not carry out,
// so that failures do not use up a chat's messages.
func (s *sender) refund(c *chatQ, it *item) {
	at := it.counted
	if at.IsZero() {
		return
	}
	it.counted = time.Time{}
	remove := func(ts []time.Time) []time.Time {
		for i := len(ts) - 1; i >= 0; i-- {
			if ts[i].Equal(at) {
				return append(ts[:i], ts[i+1:]...)
			}
		}
		return ts
	}
	s.global = remove(s.global)
	if c.id < 0 {
		c.sent = remove(c.sent)
		return
	}
	c.tokens = min(c.tokens+1, float64(max(s.lim.ChatBurst, 1)))
}

// sweep forgets idle chats whose limits are as a new chat's, and old
// blocks. The bot's memory then grows with the chats of the last few
// seconds, not with every conversation open.
func (s *sender) sweep(now time.Time) {
	s.lastSweep = now
	for _, sp := range s.parts {
		for id, c := range sp.chats {
			if s.spent(c, now) {
				delete(sp.chats, id)
			}
		}
	}
	for id, at := range s.blocked {
		if now.Sub(at) > blockedMemory {
			delete(s.blocked, id)
		}
	}
	for id, at := range s.recent429 {
		if now.Sub(at) > time.Second {
			delete(s.recent429, id)
		}
	}
}

// spent reports whether forgetting an idle chat changes nothing: nothing
// queued or in flight, no 429 to wait out, a private chat's bucket full
// again, a group's last message a minute old.
func (s *sender) spent(c *chatQ, now time.Time) bool {
	if c.busy != nil || !c.empty() || c.heapIdx >= 0 || c.inRing[0] || c.inRing[1] || now.Before(c.notBefore) {
		return false
	}
	if c.id < 0 {
		return len(c.sent) == 0 || now.Sub(c.sent[len(c.sent)-1]) >= time.Minute+s.lim.Margin
	}
	if s.lim.PerChat <= 0 {
		return true
	}
	s.refill(c, now)
	return c.tokens >= float64(max(s.lim.ChatBurst, 1))
}

// send makes one call of a chat and files the outcome.
func (s *sender) send(ctx context.Context, c *chatQ, it *item) {
	defer s.wg.Done()
	rctx, cancel := context.WithTimeout(ctx, sendTimeout)
	// Raw, so that decoding a sent message's answer cannot fail (and send
	// it again); a nil interface, not a nil pointer, when not wanted.
	var result any
	var made json.RawMessage
	if it.o.Method == "copyMessage" && s.p.opts.OnCopied != nil {
		result = &made
	}
	err := s.p.api.Do(rctx, it.o.Method, json.RawMessage(it.o.Params), result)
	cancel()
	<-s.sem
	out := classify(ctx, err)
	if out == sentOK && result != nil {
		// Before finish, so the chat's next call waits until a reply to
		// this copy can be threaded.
		s.copied(ctx, it, made)
	}
	if out == dropBlocked && s.p.opts.OnBlocked != nil {
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if berr := s.p.opts.OnBlocked(bctx, c.id); berr != nil {
			s.p.log.Warn("mark chat blocked", "chat_id", c.id, "err", berr)
		}
		cancel()
	}
	s.finish(c, it, err, out)
}

// copied tells OnCopied which message a copyMessage call made, read from the
// call's parameters and Telegram's answer.
func (s *sender) copied(ctx context.Context, it *item, result json.RawMessage) {
	var p struct {
		ChatID     int64 `json:"chat_id"`
		FromChatID int64 `json:"from_chat_id"`
		MessageID  int   `json:"message_id"`
	}
	var r struct {
		MessageID int `json:"message_id"`
	}
	if json.Unmarshal(it.o.Params, &p) != nil || json.Unmarshal(result, &r) != nil || r.MessageID == 0 {
		s.p.log.Warn("copy not recorded: unexpected parameters or answer", "chat_id", it.o.ChatID, "update_id", it.o.UpdateID)
		return
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := s.p.opts.OnCopied(cctx, p.ChatID, r.MessageID, p.FromChatID, p.MessageID); err != nil {
		s.p.log.Warn("record copy", "chat_id", p.ChatID, "message_id", r.MessageID, "err", err)
	}
}

// classify says what an answer means for the call.
func classify(ctx context.Context, err error) outcome {
	if err == nil {
		return sentOK
	}
	if ctx.Err() != nil {
		return cancelled
	}
	var ae *APIError
	if errors.As(err, &ae) {
		switch {
		case ae.NotModified():
			return sentOK
		case ae.Code == http.StatusTooManyRequests:
			return waitTooMany
		case ae.Code == http.StatusForbidden:
			return dropBlocked
		case ae.Code == http.StatusBadRequest:
			return dropBadRequest
		}
	}
	// 5xx, a network error, or a server that does not know us (401, 404):
	// the call itself is fine, so try it again later.
	return retryLater
}

func (s *sender) finish(c *chatQ, it *item, err error, out outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	c.busy = nil
	s.inflight--
	sp := c.sp
	done := func() {
		if c.removeItem(it) {
			sp.queued--
			s.queued--
		}
	}
	if out != sentOK {
		s.refund(c, it)
	}
	it.counted = time.Time{}
	switch out {
	case sentOK:
		done()
		s.ack(it)
		s.p.m.sent.WithLabelValues(it.o.Method).Inc()
	case dropBadRequest:
		done()
		s.drop(it, "bad_request", err)
	case dropBlocked:
		done()
		s.drop(it, "blocked", err)
		s.blocked[c.id] = now
		n := 0
		for k := range c.q {
			for _, x := range c.q[k] {
				s.drop(x, "blocked", nil)
				n++
			}
			c.q[k] = nil
		}
		sp.queued -= n
		s.queued -= n
		s.p.log.Info("chat blocked the bot; its calls are dropped", "chat_id", c.id, "dropped", n+1)
	case waitTooMany:
		var ae *APIError
		errors.As(err, &ae)
		wait := max(ae.RetryAfter, time.Second) + s.lim.Margin
		c.notBefore = now.Add(wait)
		s.p.m.retried.WithLabelValues("429").Inc()
		s.p.log.Debug("too many requests; waiting", "method", it.o.Method, "chat_id", c.id, "retry_after", wait)
		s.recent429[c.id] = now
		hit := 0
		for _, at := range s.recent429 {
			if now.Sub(at) < time.Second {
				hit++
			}
		}
		if hit >= 3 && now.Add(wait).After(s.globalUntil) {
			// Several chats refused at once: the bot as a whole is over the limit.
			s.globalUntil = now.Add(wait)
			s.p.log.Warn("telegram flood limit; holding all sends", "retry_after", wait)
		}
	case retryLater:
		it.attempts++
		if it.attempts >= s.p.opts.SendAttempts {
			done()
			s.drop(it, "gave_up", err)
			break
		}
		wait := backoff(it.attempts, s.p.opts.SendRetryBase, time.Minute)
		c.notBefore = now.Add(wait)
		s.p.m.retried.WithLabelValues(statusOf(err)).Inc()
		s.p.log.Debug("call failed; will retry", "method", it.o.Method, "chat_id", c.id,
			"attempt", it.attempts, "retry_in", wait, "err", err)
	case cancelled:
		// Shutting down: the call stays in the outbox for the next owner.
	}
	sp.inflight--
	if sp.gone && sp.inflight == 0 {
		close(sp.idle)
	}
	if !c.gone && !c.empty() {
		if now.Before(c.notBefore) {
			heap.Push(&s.waiting, c)
		} else {
			s.enqueue(c)
		}
	}
	s.p.m.queued.Set(float64(s.queued))
	wake(s.wakeC)
	wake(s.progressC)
}

// sendNow makes a call that is not a chat message: at once, retried briefly.
func (s *sender) sendNow(ctx context.Context, sp *sendPart, it *item) {
	defer s.wg.Done()
	deadline := time.Now().Add(callbackWindow)
	var err error
	for {
		rctx, cancel := context.WithTimeout(ctx, sendTimeout)
		err = s.p.api.Do(rctx, it.o.Method, json.RawMessage(it.o.Params), nil)
		cancel()
		out := classify(ctx, err)
		if out != retryLater && out != waitTooMany {
			break
		}
		wait := backoff(it.attempts+1, 200*time.Millisecond, 2*time.Second)
		var ae *APIError
		if errors.As(err, &ae) && ae.RetryAfter > 0 {
			wait = ae.RetryAfter
		}
		it.attempts++
		if time.Now().Add(wait).After(deadline) || !sleep(ctx, wait) {
			break
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight--
	switch {
	case classify(ctx, err) == cancelled:
		// Shutting down: it stays in the outbox for the next owner (and
		// in sp.now, below the watermark).
	case classify(ctx, err) == sentOK:
		delete(sp.now, it)
		s.ack(it)
		s.p.m.sent.WithLabelValues(it.o.Method).Inc()
	case isBadRequest(err):
		delete(sp.now, it)
		s.drop(it, "bad_request", err)
	default:
		delete(sp.now, it)
		s.drop(it, "gave_up", err)
	}
	sp.inflight--
	if sp.gone && sp.inflight == 0 {
		close(sp.idle)
	}
	wake(s.progressC)
}

func isBadRequest(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code >= 400 && ae.Code < 500 && ae.Code != http.StatusTooManyRequests
}

// drop gives up a call: it leaves the outbox, with a log line and a metric.
func (s *sender) drop(it *item, reason string, err error) {
	s.ack(it)
	s.p.m.dropped.WithLabelValues(reason).Inc()
	attrs := []any{"method", it.o.Method, "chat_id", it.o.ChatID, "update_id", it.o.UpdateID, "reason", reason}
	var ae *APIError
	if errors.As(err, &ae) {
		attrs = append(attrs, "code", ae.Code, "description", ae.Description)
	} else if err != nil {
		attrs = append(attrs, "err", err)
	}
	s.p.log.Warn("call dropped", attrs...)
}

// ack records that a call was answered (or given up): it leaves the outbox.
func (s *sender) ack(it *item) { s.acks.add(it.o) }

// ackNow deletes the answered calls from the outbox now.
func (s *sender) ackNow(ctx context.Context) { s.acks.flush(ctx) }

// unanswered leaves out the calls that Telegram already answered and that
// only wait to be deleted from the outbox. A partition taken back (its lease
// lost while Redis was away, say) is read again from the start of its
// outbox, and such a call must not be made twice.
func (s *sender) unanswered(os []Outgoing) []Outgoing {
	out := os[:0:0]
	for _, o := range os {
		if !s.acks.answered(o) {
			out = append(out, o)
		}
	}
	return out
}

// watermark returns the id below which every call in partition part's
// outbox has been answered by this process ("" when it does not hold the
// partition or has read nothing): the oldest call in memory, or the first
// not yet read. A commit appending to that outbox trims it there.
func (s *sender) watermark(part int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp := s.parts[part]
	if sp == nil || sp.gone || sp.readTo == "" {
		return ""
	}
	wm := nextID(sp.readTo)
	low := func(id string) {
		if idLess(id, wm) {
			wm = id
		}
	}
	for _, c := range sp.chats {
		for k := range c.q {
			if len(c.q[k]) > 0 {
				low(c.q[k][0].o.ID) // each queue is in stream order
			}
		}
	}
	for it := range sp.now {
		low(it.o.ID)
	}
	return wm
}

// streamTimeOf returns the time in an outbox entry id.
func streamTimeOf(id string) time.Time { return Entry{ID: id}.Added() }

// chatHeap orders waiting chats by when they may send again.
// place is a chat's place in line for its next call. The chat served
// longest ago goes first, and a chat not served lately before any that was:
// after a raid, everyone's first answer goes out before anyone's second, and
// one chat's backlog never holds up another chat's next message. Ties go in
// arrival order. The key is taken when the chat joins the line, so the heap
// stays ordered while the chat's own state changes.
type place struct {
	c      *chatQ
	served time.Time
	seq    uint64
}

type places []place

func (h places) Len() int { return len(h) }
func (h places) Less(i, j int) bool {
	if !h[i].served.Equal(h[j].served) {
		return h[i].served.Before(h[j].served)
	}
	return h[i].seq < h[j].seq
}
func (h places) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *places) Push(x any)   { *h = append(*h, x.(place)) }
func (h *places) Pop() any {
	old := *h
	p := old[len(old)-1]
	old[len(old)-1] = place{}
	*h = old[:len(old)-1]
	return p
}

type chatHeap []*chatQ

func (h chatHeap) Len() int           { return len(h) }
func (h chatHeap) Less(i, j int) bool { return h[i].notBefore.Before(h[j].notBefore) }
func (h chatHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIdx = i
	h[j].heapIdx = j
}
func (h *chatHeap) Push(x any) {
	c := x.(*chatQ)
	c.heapIdx = len(*h)
	*h = append(*h, c)
}
func (h *chatHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	c.heapIdx = -1
	return c
}
