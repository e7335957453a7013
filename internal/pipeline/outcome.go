package pipeline

import (
	"container/heap"
	"context"
	"errors"
	"net/http"
	"time"
)

// What becomes of a call once Telegram answered it (or did not): sent,
// dropped, held back by a 429, retried with backoff, or left in the
// outbox when the process stops.

// outcome is what became of one attempt at a call.
type outcome int

const (
	sentOK outcome = iota
	dropBadRequest
	dropBlocked
	waitTooMany
	retryLater
	cancelled
	skipped // the Preparer found nothing to call: done, and the limits not spent
)

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

// finish applies what became of an attempt at a chat's call: the limits
// spent or refunded, the calls acknowledged, dropped or kept for a retry,
// and the chat back in line.
func (s *sender) finish(c *chatQ, it *item, err error, out outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	c.busy = nil
	s.inflight--
	sp := c.sp
	calls := it.calls()
	done := func() {
		for _, x := range calls {
			if c.removeItem(x) {
				sp.queued--
				s.queued--
			}
		}
	}
	switch {
	case it.counted.IsZero():
	case out != sentOK:
		s.budget.refund(c.id, &c.b, it.counted)
	default:
		s.budget.answered(c.id, &c.b, it.counted, now)
	}
	it.counted = time.Time{}
	switch out {
	case skipped:
		done()
		s.ack(it)
	case sentOK:
		done()
		for _, x := range calls {
			s.ack(x)
		}
		s.m.sent.WithLabelValues(it.o.Method).Inc()
		if len(calls) > 1 {
			s.m.joined.Add(float64(len(calls)))
		}
	case dropBadRequest:
		if len(calls) > 1 {
			// Refused joined: each is made on its own, and only what
			// Telegram refuses then is dropped.
			for _, x := range calls {
				x.alone = true
			}
			s.log.Warn("joined message refused; its calls go one by one", "chat_id", c.id, "calls", len(calls), "err", err)
			break
		}
		done()
		s.drop(it, "bad_request", err)
	case dropBlocked:
		done()
		for _, x := range calls {
			s.drop(x, "blocked", err)
		}
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
		s.log.Info("chat blocked the bot; its calls are dropped", "chat_id", c.id, "dropped", n+1)
	case waitTooMany:
		var ae *APIError
		errors.As(err, &ae)
		wait, botWide := s.budget.tooMany(c.id, &c.b, now, ae.RetryAfter)
		s.m.retried.WithLabelValues("429").Inc()
		s.log.Debug("too many requests; waiting", "method", it.o.Method, "chat_id", c.id, "retry_after", wait)
		if botWide {
			// Several chats refused at once: the bot as a whole is over the limit.
			s.log.Warn("telegram flood limit; holding all sends", "retry_after", wait)
		}
	case retryLater:
		it.attempts++
		for _, x := range it.parts {
			x.attempts = max(x.attempts, it.attempts)
		}
		if it.attempts >= s.cfg.attempts {
			done()
			for _, x := range calls {
				s.drop(x, "gave_up", err)
			}
			break
		}
		wait := backoff(it.attempts, s.cfg.retryBase, time.Minute)
		c.b.notBefore = now.Add(wait)
		s.m.retried.WithLabelValues(statusOf(err)).Inc()
		s.log.Debug("call failed; will retry", "method", it.o.Method, "chat_id", c.id,
			"attempt", it.attempts, "retry_in", wait, "err", err)
	case cancelled:
		// Shutting down: the call stays in the outbox for the next owner.
	}
	sp.inflight--
	if sp.gone && sp.inflight == 0 {
		close(sp.idle)
	}
	if !c.gone && !c.empty() {
		if now.Before(c.b.notBefore) {
			heap.Push(&s.waiting, c)
		} else {
			s.enqueue(c)
		}
	}
	s.m.queued.Set(float64(s.queued))
	wake(s.wakeC)
	wake(s.progressC)
}

func isBadRequest(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code >= 400 && ae.Code < 500 && ae.Code != http.StatusTooManyRequests
}

// drop gives up a call: it leaves the outbox, with a log line and a metric.
func (s *sender) drop(it *item, reason string, err error) {
	s.ack(it)
	s.m.dropped.WithLabelValues(reason).Inc()
	attrs := []any{"method", it.o.Method, "chat_id", it.o.ChatID, "update_id", it.o.UpdateID, "reason", reason}
	var ae *APIError
	if errors.As(err, &ae) {
		attrs = append(attrs, "code", ae.Code, "description", ae.Description)
	} else if err != nil {
		attrs = append(attrs, "err", err)
	}
	s.log.Warn("call dropped", attrs...)
}
