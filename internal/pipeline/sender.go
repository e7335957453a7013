package pipeline

import (
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
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
//   - Telegram's limits, whose arithmetic is in budget.go: a private chat's
//     token bucket, a group's messages per minute, the bot's messages per
//     second split between processes, 429 holds (a chat's, or the bot's
//     when several chats get one at once); 5xx and network errors retry
//     the same call with exponential backoff; 400 drops the call, 403 drops the
//     chat's calls and reports the chat to OnBlocked. A dropped call is always
//     logged (method, chat id, Telegram's description, never the text) and
//     counted.
//
// answerCallbackQuery, and calls without a chat, are not messages: they go at
// once, outside the turns and limits, because a button press must be answered
// within seconds.
//
// A chat's queue and the turns chats take are in chatq.go; what Telegram's
// answer means for a call (sent, dropped, retried, held) in outcome.go.
//
// A call leaves the outbox only after Telegram answered it (acks.go). A
// copyMessage that went through is reported to OnCopied (the copy's id is in
// Telegram's answer only) before the chat's next call is made; a tagged
// sendMessage (or a joined message all of whose calls are tagged), to
// OnSent.

// messageMethods count against Telegram's message limits.
var messageMethods = map[string]bool{
	"sendMessage": true, "sendPhoto": true, "sendDocument": true, "sendVoice": true,
	"sendVideo": true, "sendAudio": true, "sendAnimation": true, "sendSticker": true,
	"sendLocation": true, "sendContact": true, "sendMediaGroup": true, "sendVideoNote": true,
	"copyMessage": true, "forwardMessage": true, "copyMessages": true, "forwardMessages": true,
	"editMessageText": true, "editMessageCaption": true, "editMessageReplyMarkup": true,
	"editMessageMedia": true,
	// What makes a service message in a group counts too: a topic made,
	// renamed, closed or reopened, a message pinned.
	"createForumTopic": true, "editForumTopic": true, "closeForumTopic": true, "reopenForumTopic": true,
	"pinChatMessage": true,
}

const (
	sendTimeout    = 30 * time.Second
	callbackWindow = 10 * time.Second // a callback query answered later is refused anyway
	blockedMemory  = time.Hour
	sweepEvery     = 10 * time.Second // how often chats whose limiter state is spent are forgotten
)

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

// senderConfig is what the sender is given: the API, the outbox, the
// pipeline's options that concern sending, and where to report.
type senderConfig struct {
	api         *API
	out         *Outbox
	log         *slog.Logger
	m           *metrics
	limits      Limits
	partitions  int
	attempts    int           // SendAttempts
	retryBase   time.Duration // SendRetryBase
	concurrency int           // SendConcurrency
	onBlocked   func(ctx context.Context, chatID int64) error
	onCopied    func(ctx context.Context, chatID int64, messageID int, fromChatID int64, fromMessageID int) error
	onSent      func(ctx context.Context, chatID int64, messageID int, tags []string) error
	preparer    Preparer
}

// sender makes the calls. Lock order: Pipeline.mu (held when acquire adds
// a partition), then sender.mu, then acks.mu (finish acknowledges under
// mu); the sender never takes the pipeline's or a partition's lock, acks.mu
// is never held while another is taken, and none is held while Telegram or
// Redis is asked.
type sender struct {
	cfg senderConfig
	log *slog.Logger
	m   *metrics

	mu        sync.Mutex
	parts     map[int]*sendPart
	rings     [2]places // chats with a reply (0) or a notice (1) to send, in turn
	seq       uint64    // arrival order, to break ties in rings
	waiting   chatHeap
	budget    *budget             // the limits' arithmetic
	blocked   map[int64]time.Time // chat → when it refused us (403)
	queued    int
	inflight  int
	lastSweep time.Time

	wakeC     chan struct{}
	progressC chan struct{}
	sem       chan struct{}
	wg        sync.WaitGroup

	acks *acks
}

func newSender(cfg senderConfig) *sender {
	return &sender{
		cfg:       cfg,
		log:       cfg.log,
		m:         cfg.m,
		parts:     map[int]*sendPart{},
		budget:    newBudget(cfg.limits, cfg.partitions),
		blocked:   map[int64]time.Time{},
		wakeC:     make(chan struct{}, 1),
		progressC: make(chan struct{}, 1),
		sem:       make(chan struct{}, max(cfg.concurrency, 1)),
		acks:      newAcks(cfg.out, cfg.log),
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
	s.budget.setHeld(len(s.parts))
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
			c = &chatQ{id: o.ChatID, sp: sp, heapIdx: -1, b: s.budget.newChat()}
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
	s.m.queued.Set(float64(s.queued))
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
	s.budget.setHeld(len(s.parts))
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
	s.m.queued.Set(float64(s.queued))
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
			n, err := s.cfg.out.Waiting(ctx, parts)
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
	for len(s.waiting) > 0 && !s.waiting[0].b.notBefore.After(now) {
		c := heap.Pop(&s.waiting).(*chatQ)
		if !c.gone {
			s.enqueue(c)
		}
	}
	if d := s.budget.hold(now); d > 0 {
		return d
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
			if w := s.budget.chatWait(c.id, &c.b, now, limited); w > 0 {
				s.popRing(k)
				c.b.notBefore = now.Add(w)
				heap.Push(&s.waiting, c)
				continue
			}
			if limited {
				if w := s.budget.globalWait(now); w > 0 {
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
				s.budget.count(c.id, &c.b, now)
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
		return max(s.waiting[0].b.notBefore.Sub(now), time.Millisecond)
	}
	return 0
}

func (s *sender) popRing(k int) {
	p := heap.Pop(&s.rings[k]).(place)
	p.c.inRing[k] = false
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
	s.budget.sweep(now)
}

// spent reports whether forgetting an idle chat changes nothing: nothing
// queued or in flight, no 429 to wait out, a private chat's bucket full
// again, a group's last message a minute old.
func (s *sender) spent(c *chatQ, now time.Time) bool {
	if c.busy != nil || !c.empty() || c.heapIdx >= 0 || c.inRing[0] || c.inRing[1] {
		return false
	}
	return s.budget.rested(c.id, &c.b, now)
}

// send makes one call of a chat and files the outcome.
func (s *sender) send(ctx context.Context, c *chatQ, it *item) {
	defer s.wg.Done()
	rctx, cancel := context.WithTimeout(ctx, sendTimeout)
	// Raw, so that decoding a sent message's answer cannot fail (and send
	// it again); a nil interface, not a nil pointer, when not wanted.
	var result any
	var made json.RawMessage
	if s.told(it) {
		result = &made
	}
	method, params := it.o.Method, it.o.Params
	prepared := s.cfg.preparer != nil && it.parts == nil
	var err error
	if prepared {
		method, params, err = s.cfg.preparer.Prepare(rctx, it.o)
		if err == nil && method != "" {
			result = &made
			s.restamp(c, it)
		}
	}
	switch {
	case err != nil:
		err = &TransportError{Method: it.o.Method, Err: err} // tried again later, like a network error
	case method == "":
		// Nothing to call (the topic exists, the card is pinned): done.
	default:
		err = s.cfg.api.Do(rctx, method, json.RawMessage(params), result)
	}
	cancel()
	<-s.sem
	out := classify(ctx, err)
	if prepared && method != "" && out != cancelled {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if s.cfg.preparer.Done(dctx, it.o, made, err) && out != waitTooMany {
			out = retryLater
		}
		cancel()
	}
	if prepared && method == "" && err == nil {
		out = skipped
	}
	if out == sentOK && len(made) > 0 && s.told(it) {
		// Before finish, so the chat's next call waits until a reply to
		// this copy can be threaded, or this card redrawn.
		if it.o.Method == "sendMessage" {
			s.sent(ctx, it, made)
		} else {
			s.copied(ctx, it, made)
		}
	}
	if out == dropBlocked && s.cfg.onBlocked != nil {
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if berr := s.cfg.onBlocked(bctx, c.id); berr != nil {
			s.log.Warn("mark chat blocked", "chat_id", c.id, "err", berr)
		}
		cancel()
	}
	s.finish(c, it, err, out)
}

// restamp counts the call against the limits as of now, when it leaves,
// rather than when it was taken: a Preparer may have spent a database round
// trip in between.
func (s *sender) restamp(c *chatQ, it *item) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if it.counted.IsZero() {
		return
	}
	now := time.Now()
	s.budget.restamp(c.id, &c.b, it.counted, now)
	it.counted = now
}

// told reports whether the message a call makes is told to OnCopied or
// OnSent.
func (s *sender) told(it *item) bool {
	switch {
	case it.o.Method == "copyMessage":
		return s.cfg.onCopied != nil
	case it.o.Method == "sendMessage" && s.cfg.onSent != nil:
		for _, x := range it.calls() {
			if x.o.Tag == "" {
				return false // a joined message is told whole or not at all
			}
		}
		return true
	}
	return false
}

// sent tells OnSent which message a tagged sendMessage made (a joined
// one, with the tags of all its calls, in order), read from Telegram's
// answer.
func (s *sender) sent(ctx context.Context, it *item, result json.RawMessage) {
	var r struct {
		MessageID int `json:"message_id"`
	}
	if json.Unmarshal(result, &r) != nil || r.MessageID == 0 {
		s.log.Warn("sent message not recorded: unexpected answer", "chat_id", it.o.ChatID, "update_id", it.o.UpdateID)
		return
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	var tags []string
	for _, x := range it.calls() {
		tags = append(tags, x.o.Tag)
	}
	if err := s.cfg.onSent(cctx, it.o.ChatID, r.MessageID, tags); err != nil {
		s.log.Warn("record sent message", "chat_id", it.o.ChatID, "message_id", r.MessageID, "err", err)
	}
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
		s.log.Warn("copy not recorded: unexpected parameters or answer", "chat_id", it.o.ChatID, "update_id", it.o.UpdateID)
		return
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := s.cfg.onCopied(cctx, p.ChatID, r.MessageID, p.FromChatID, p.MessageID); err != nil {
		s.log.Warn("record copy", "chat_id", p.ChatID, "message_id", r.MessageID, "err", err)
	}
}

// sendNow makes a call that is not a chat message: at once, retried briefly.
func (s *sender) sendNow(ctx context.Context, sp *sendPart, it *item) {
	defer s.wg.Done()
	deadline := time.Now().Add(callbackWindow)
	var err error
	for {
		rctx, cancel := context.WithTimeout(ctx, sendTimeout)
		err = s.cfg.api.Do(rctx, it.o.Method, json.RawMessage(it.o.Params), nil)
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
		s.m.sent.WithLabelValues(it.o.Method).Inc()
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
