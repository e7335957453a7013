package telegramtest

import (
	"math"
	"time"
)

// Limits are the sending limits the server enforces with WithLimits. A zero
// field is no limit.
type Limits struct {
	Global            int     // messages per second over all chats
	PerChat           float64 // messages per second in one private chat, after ChatBurst
	ChatBurst         int     // messages a private chat may get at once
	PerGroupPerMinute int     // messages per minute in one group
	// GroupWindow is the "minute" of PerGroupPerMinute; 0 is a minute.
	// Tests of a group's limit shorten it, as they do the bot's.
	GroupWindow time.Duration
}

// DefaultLimits returns Telegram's published limits
// (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).
func DefaultLimits() Limits {
	return Limits{Global: 30, PerChat: 1, ChatBurst: 3, PerGroupPerMinute: 20}
}

// ceilSeconds is a retry_after: whole seconds, at least 1.
func ceilSeconds(d time.Duration) int {
	s := int(math.Ceil(d.Seconds()))
	if s < 1 {
		s = 1
	}
	return s
}

// admitLocked decides whether a message to c may go out now under the limits
// (every method that sends or edits a message calls it; callback answers and
// chat actions do not count)
// and, when it may, counts it. When it may not, the chat must wait the
// returned retry_after, and a message before then is an early retry.
func (s *Server) admitLocked(c *chat, now time.Time) *apiError {
	if now.Before(c.retryUntil) {
		s.stats.EarlyRetries++
		if s.limits == nil {
			return nil // the 429 came from a Fault; nothing to enforce
		}
		return s.refuseLocked(c, now, ceilSeconds(c.retryUntil.Sub(now)))
	}
	l := s.limits
	if l == nil {
		return nil
	}
	for len(s.sent) > 0 && now.Sub(s.sent[0]) >= time.Second {
		s.sent = s.sent[1:]
	}
	if l.Global > 0 && len(s.sent) >= l.Global {
		return s.refuseLocked(c, now, ceilSeconds(s.sent[0].Add(time.Second).Sub(now)))
	}
	if c.group() {
		window := l.GroupWindow
		if window <= 0 {
			window = time.Minute
		}
		for len(c.sent) > 0 && now.Sub(c.sent[0]) >= window {
			c.sent = c.sent[1:]
		}
		if l.PerGroupPerMinute > 0 && len(c.sent) >= l.PerGroupPerMinute {
			return s.refuseLocked(c, now, ceilSeconds(c.sent[0].Add(window).Sub(now)))
		}
		c.sent = append(c.sent, now)
	} else if l.PerChat > 0 {
		burst := float64(max(l.ChatBurst, 1))
		if c.tokensAt.IsZero() {
			c.tokens = burst
		} else {
			c.tokens = math.Min(burst, c.tokens+now.Sub(c.tokensAt).Seconds()*l.PerChat)
		}
		c.tokensAt = now
		if c.tokens < 1 {
			wait := time.Duration((1 - c.tokens) / l.PerChat * float64(time.Second))
			return s.refuseLocked(c, now, ceilSeconds(wait))
		}
		c.tokens--
	}
	s.sent = append(s.sent, now)
	return nil
}

// refuseLocked answers 429 and remembers until when the chat must wait.
func (s *Server) refuseLocked(c *chat, now time.Time, retryAfter int) *apiError {
	c.retryUntil = now.Add(time.Duration(retryAfter) * time.Second)
	s.stats.TooManyRequests++
	return tooMany(retryAfter)
}
