package pipeline

import "time"

// The arithmetic of Telegram's sending limits, apart from any I/O: every
// method takes the time as a parameter, so that the limits are tested with
// a clock the test moves (budget_test.go). It has no lock of its own; the
// sender's mutex guards it.
//
//   - a private chat gets ChatBurst messages at once, then PerChat per second
//     (a token bucket);
//   - a group gets PerGroupPerMinute in any minute;
//   - the bot gets Global in any second, split between processes by the
//     share of partitions each holds, and this process spaces its messages
//     evenly over the second;
//   - a 429 holds the chat for retry_after; three chats refused within a
//     second hold the whole bot (a bot-wide flood).
//
// Margin is added to every wait, for the jitter between our clock and
// Telegram's view of when a message arrived.

// budget is what the limits allow this process, bot-wide.
type budget struct {
	lim         Limits
	held, total int // partitions held and in all: this process's share of Global

	global    []time.Time // this process's sends in the last second
	slot      time.Time   // the slot of this process's last send (see count)
	until     time.Time   // a bot-wide 429 holds every chat until then
	recent429 map[int64]time.Time
}

// chatBudget is what the limits allow one chat.
type chatBudget struct {
	notBefore time.Time   // a 429 or a retry holds the chat until then
	tokens    float64     // a private chat's token bucket
	tokensAt  time.Time   // when tokens was last refilled
	sent      []time.Time // a group's sends in the last minute
}

func newBudget(lim Limits, partitions int) *budget {
	return &budget{lim: lim, total: max(partitions, 1), recent429: map[int64]time.Time{}}
}

// newChat returns a chat's budget before its first message: a full bucket.
func (b *budget) newChat() chatBudget {
	return chatBudget{tokens: b.burst()}
}

func (b *budget) burst() float64 { return float64(max(b.lim.ChatBurst, 1)) }

// setHeld records how many partitions this process holds.
func (b *budget) setHeld(n int) { b.held = n }

// hold returns how long a bot-wide 429 still holds every chat.
func (b *budget) hold(now time.Time) time.Duration {
	if now.Before(b.until) {
		return b.until.Sub(now)
	}
	return 0
}

// chatWait returns how long chat id must wait before its next call;
// limited says whether the call is a message (counted by the limits).
func (b *budget) chatWait(id int64, c *chatBudget, now time.Time, limited bool) time.Duration {
	if now.Before(c.notBefore) {
		return c.notBefore.Sub(now)
	}
	if !limited {
		return 0
	}
	if id < 0 {
		l := b.lim.PerGroupPerMinute
		for len(c.sent) > 0 && now.Sub(c.sent[0]) >= b.lim.groupWindow()+b.lim.Margin {
			c.sent = c.sent[1:]
		}
		if l > 0 && len(c.sent) >= l {
			return c.sent[len(c.sent)-l].Add(b.lim.groupWindow() + b.lim.Margin).Sub(now)
		}
		return 0
	}
	if b.lim.PerChat <= 0 {
		return 0
	}
	b.refill(c, now)
	if c.tokens >= 1 {
		return 0
	}
	return time.Duration((1-c.tokens)/b.lim.PerChat*float64(time.Second)) + b.lim.Margin
}

func (b *budget) refill(c *chatBudget, now time.Time) {
	if !c.tokensAt.IsZero() {
		c.tokens = min(b.burst(), c.tokens+now.Sub(c.tokensAt).Seconds()*b.lim.PerChat)
	}
	c.tokensAt = now
}

// globalLimit is this process's part of the bot's messages per second.
func (b *budget) globalLimit() int {
	if b.lim.Global <= 0 {
		return 0
	}
	return max(1, b.lim.Global*b.held/b.total)
}

// globalWait returns how long until this process may send its next
// message.
func (b *budget) globalWait(now time.Time) time.Duration {
	l := b.globalLimit()
	for len(b.global) > 0 && now.Sub(b.global[0]) >= time.Second+b.lim.Margin {
		b.global = b.global[1:]
	}
	if l == 0 {
		return 0
	}
	var wait time.Duration
	if len(b.global) >= l {
		wait = b.global[len(b.global)-l].Add(time.Second + b.lim.Margin).Sub(now)
	}
	if !b.slot.IsZero() {
		wait = max(wait, b.slot.Add(b.gap()).Sub(now))
	}
	return wait
}

// gap is the spacing of this process's messages. They go evenly spaced,
// not globalLimit at once each second: Telegram counts messages when they
// arrive, so a second's burst whose last messages arrive late runs into
// the next second's burst (429s under load); and in a queue of chats,
// those at the end of each second's burst would wait longer than their
// turn.
func (b *budget) gap() time.Duration {
	return (time.Second + b.lim.Margin) / time.Duration(max(b.globalLimit(), 1))
}

// count records a message sent to chat id at now.
func (b *budget) count(id int64, c *chatBudget, now time.Time) {
	b.global = append(b.global, now)
	// The message takes the slot after the last one's. A slot missed by less
	// than a gap is kept, so that timers firing late do not slow the sender
	// down; after a longer pause the slots start again from now, so that a
	// pause earns no burst.
	gap := b.gap()
	slot := b.slot.Add(gap)
	if now.Sub(slot) >= gap {
		slot = now
	}
	b.slot = slot
	if id < 0 {
		c.sent = append(c.sent, now)
		return
	}
	if b.lim.PerChat > 0 {
		b.refill(c, now)
		c.tokens--
	}
}

// refund takes back the count, at at, of an attempt that Telegram did not
// carry out, so that failures do not use up a chat's messages.
func (b *budget) refund(id int64, c *chatBudget, at time.Time) {
	remove := func(ts []time.Time) []time.Time {
		for i := len(ts) - 1; i >= 0; i-- {
			if ts[i].Equal(at) {
				return append(ts[:i], ts[i+1:]...)
			}
		}
		return ts
	}
	b.global = remove(b.global)
	if id < 0 {
		c.sent = remove(c.sent)
		return
	}
	c.tokens = min(c.tokens+1, b.burst())
}

// restamp moves the count of an attempt from when the sender took it to
// when the call actually leaves (after a Preparer's work), so that the
// windows measure what Telegram sees. Nothing of the chat's was counted in
// between (one call in flight per chat), and to is the latest count of
// all, so the windows stay in order.
func (b *budget) restamp(id int64, c *chatBudget, from, to time.Time) {
	move := func(ts []time.Time) []time.Time {
		for i := len(ts) - 1; i >= 0; i-- {
			if ts[i].Equal(from) {
				return append(append(ts[:i], ts[i+1:]...), to)
			}
		}
		return ts
	}
	b.global = move(b.global)
	if id < 0 {
		c.sent = move(c.sent)
	}
}

// answered moves a group's count of a message to now, when Telegram
// answered it: Telegram counted it when it arrived, between its leaving
// (at) and now, so from the answer on, the group's window starts no
// earlier than Telegram's however late the message arrived — a message
// held up on its way cannot make a later one arrive inside the window
// (a 429). The private chats' buckets and the bot-wide second are left
// as counted: their waits are short and spaced, and Margin covers them.
func (b *budget) answered(id int64, c *chatBudget, at, now time.Time) {
	if id >= 0 {
		return
	}
	for i := len(c.sent) - 1; i >= 0; i-- {
		if c.sent[i].Equal(at) {
			// The chat's latest count (one call in flight per chat),
			// moved to the latest time: the window stays in order.
			c.sent = append(append(c.sent[:i], c.sent[i+1:]...), now)
			return
		}
	}
}

// rested reports whether a chat's budget is as a new chat's, so that
// forgetting it changes nothing: no hold, a private chat's bucket full
// again, a group's last message a minute old.
func (b *budget) rested(id int64, c *chatBudget, now time.Time) bool {
	if now.Before(c.notBefore) {
		return false
	}
	if id < 0 {
		return len(c.sent) == 0 || now.Sub(c.sent[len(c.sent)-1]) >= b.lim.groupWindow()+b.lim.Margin
	}
	if b.lim.PerChat <= 0 {
		return true
	}
	b.refill(c, now)
	return c.tokens >= b.burst()
}

// tooMany files a 429 with retryAfter for chat id at now: it holds the
// chat, and the whole bot when several chats were refused within a second.
// It returns the chat's wait and whether the bot is held.
func (b *budget) tooMany(id int64, c *chatBudget, now time.Time, retryAfter time.Duration) (time.Duration, bool) {
	wait := max(retryAfter, time.Second) + b.lim.Margin
	c.notBefore = now.Add(wait)
	b.recent429[id] = now
	hit := 0
	for _, at := range b.recent429 {
		if now.Sub(at) < time.Second {
			hit++
		}
	}
	if hit >= 3 && now.Add(wait).After(b.until) {
		b.until = now.Add(wait)
		return wait, true
	}
	return wait, false
}

// sweep forgets 429s older than a second.
func (b *budget) sweep(now time.Time) {
	for id, at := range b.recent429 {
		if now.Sub(at) > time.Second {
			delete(b.recent429, id)
		}
	}
}
