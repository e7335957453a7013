package pipeline

import (
	"context"
	"encoding/json"
	"time"

	"github.com/go-telegram/bot/models"
)

// Long polling. One process at a time polls (it holds the polling lease;
// Telegram refuses two concurrent getUpdates). A batch of updates is written
// to the inbox together with the next offset, in one atomic step, and only
// then is that offset sent to Telegram, which is what confirms the batch. A
// crash before that step loses nothing: Telegram sends the batch again, from
// the offset stored in Redis, to whichever process polls next.

// pollLimit is getUpdates' limit: Telegram's maximum.
const pollLimit = 100

// GetUpdates calls getUpdates and returns the updates as Telegram sent them.
func (a *API) GetUpdates(ctx context.Context, offset int64, limit int, timeout time.Duration, allowed []string) ([]json.RawMessage, error) {
	params := map[string]any{
		"offset":          offset,
		"limit":           limit,
		"timeout":         int(timeout.Seconds()),
		"allowed_updates": allowed,
	}
	var out []json.RawMessage
	if err := a.Do(ctx, "getUpdates", params, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// incoming reads what the inbox needs from an update as Telegram sent it.
// An update that does not parse keeps chat 0; its worker sends it to the dead
// letters rather than have intake stall on it.
func incoming(raw []byte) (Incoming, bool) {
	var u models.Update
	if err := json.Unmarshal(raw, &u); err != nil || u.ID == 0 {
		var head struct {
			ID int64 `json:"update_id"`
		}
		if json.Unmarshal(raw, &head) != nil || head.ID == 0 {
			return Incoming{}, false
		}
		return Incoming{UpdateID: head.ID, Raw: raw}, true
	}
	return Incoming{UpdateID: u.ID, ChatID: orderKey(&u), Raw: raw}, true
}

// strip keeps what the handler reads of a raw update (Options.Strip).
func (p *Pipeline) strip(raw []byte) []byte {
	if p.opts.Strip == nil {
		return raw
	}
	return p.opts.Strip(raw)
}

func (p *Pipeline) holdsPoll() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.poll != nil
}

// pollLoop polls while this process holds the polling lease, until ctx is done.
func (p *Pipeline) pollLoop(ctx context.Context) {
	for try := 1; ; try++ {
		err := p.api.Do(ctx, "deleteWebhook", map[string]any{"drop_pending_updates": false}, nil)
		if err == nil {
			break
		}
		p.log.Warn("delete webhook", "err", err, "attempt", try)
		if !sleep(ctx, backoff(try, time.Second, 30*time.Second)) {
			return
		}
	}
	for ctx.Err() == nil {
		if !p.holdsPoll() {
			sleep(ctx, p.opts.Renew)
			continue
		}
		offset, err := p.inbox.Offset(ctx)
		if err != nil {
			p.m.intakeErrs.WithLabelValues("poll").Inc()
			p.log.Warn("read polling offset", "err", err)
			sleep(ctx, time.Second)
			continue
		}
		p.poll1(ctx, offset)
	}
}

// poll1 polls from offset until the polling lease is lost or ctx is done.
func (p *Pipeline) poll1(ctx context.Context, offset int64) {
	failures := 0
	fail := func(what string, err error) {
		failures++
		p.m.intakeErrs.WithLabelValues("poll").Inc()
		if failures == 1 || failures%10 == 0 {
			p.log.Warn(what, "err", err, "failures", failures)
		}
		sleep(ctx, backoff(failures, 500*time.Millisecond, 30*time.Second))
	}
	for ctx.Err() == nil && p.holdsPoll() {
		rctx, cancel := context.WithTimeout(ctx, p.opts.PollTimeout+15*time.Second)
		raws, err := p.api.GetUpdates(rctx, offset, pollLimit, p.opts.PollTimeout, p.opts.AllowedUpdates)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			fail("get updates", err)
			continue
		}
		if len(raws) == 0 {
			failures = 0
			continue
		}
		us := make([]Incoming, 0, len(raws))
		next := offset
		for _, raw := range raws {
			in, ok := incoming(p.strip(raw))
			if !ok {
				p.log.Error("update without an update_id skipped")
				continue
			}
			us = append(us, in)
			next = max(next, in.UpdateID+1)
		}
		// Only what Redis holds is confirmed: until the batch is stored the
		// offset stays, and Telegram keeps the updates.
		for {
			n, err := p.inbox.AddPolled(ctx, us, next)
			if err == nil {
				wake(p.readerWake)
				p.m.received.WithLabelValues("poll", "new").Add(float64(n))
				p.m.received.WithLabelValues("poll", "duplicate").Add(float64(len(us) - n))
				break
			}
			if ctx.Err() != nil {
				return
			}
			fail("store polled updates", err)
			if ctx.Err() != nil || !p.holdsPoll() {
				return
			}
		}
		failures = 0
		offset = next
	}
}
