package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"hotline/bot"
	"hotline/flows"
	"hotline/internal/pipeline"
)

// handoffTimers runs the volunteer handoff's timers, the casework's
// (escalation of untaken cases, reminders of dates), the check-in
// safety line's and the reminders of reports left unsent, and carries out
// what a blocked chat means for the handoff. Every replica runs them: each
// timer's action is claimed in Redis or Postgres, so it happens once.
type handoffTimers struct {
	app *flows.App
	bot *bot.Bot
	p   *pipeline.Pipeline // set once the pipeline exists
	log *slog.Logger

	summary string // the forum summary's parameters last queued by this process
}

// sendSummary queues the forum's summary when it reads otherwise than
// what this process queued last: the ticks do not fill the group's queue
// with summaries that change nothing.
func (h *handoffTimers) sendSummary(ctx context.Context, rs []flows.Reply) error {
	calls := Calls(h.bot.Calls(rs))
	var b strings.Builder
	for _, c := range calls {
		b.Write(c.Params)
	}
	if b.String() == h.summary {
		return nil
	}
	if err := h.p.Send(ctx, calls...); err != nil {
		return err
	}
	h.summary = b.String()
	return nil
}

// blocked is the pipeline's OnBlocked: a volunteer who blocked the bot
// gives their chats back to the queue; a user who did ends their handoff.
func (h *handoffTimers) blocked(ctx context.Context, chatID int64) error {
	rs, err := h.app.Blocked(ctx, chatID)
	if len(rs) > 0 {
		if serr := h.p.Send(ctx, Calls(h.bot.Calls(rs))...); serr != nil {
			return errors.Join(err, fmt.Errorf("send handoff notices: %w", serr))
		}
	}
	return err
}

// send hands replies to the outbox.
func (h *handoffTimers) send(ctx context.Context, rs []flows.Reply) error {
	return h.p.Send(ctx, Calls(h.bot.Calls(rs))...)
}

// run ticks every `every` until ctx is done; the channel is closed when
// it has stopped.
func (h *handoffTimers) run(ctx context.Context, every time.Duration) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			// Reminders, escalations and check-in timers are marked done
			// only once their messages are in the outbox: a failed send
			// leaves them to a later tick.
			if err := h.app.Tick(ctx, h.send); err != nil && ctx.Err() == nil {
				h.log.Warn("timers", "timers", "handoff", "err", err)
			}
			if err := h.app.CaseTick(ctx, h.send); err != nil && ctx.Err() == nil {
				h.log.Warn("timers", "timers", "casework", "err", err)
			}
			if err := h.app.CheckinTick(ctx, h.send); err != nil && ctx.Err() == nil {
				h.log.Warn("check-in timers", "err", err)
			}
			if err := h.app.DraftTick(ctx, h.send); err != nil && ctx.Err() == nil {
				h.log.Warn("timers", "timers", "drafts", "err", err)
			}
			if err := h.app.ForumTick(ctx, h.sendSummary); err != nil && ctx.Err() == nil {
				h.log.Warn("forum summary", "err", err)
			}
		}
	}()
	return done
}
