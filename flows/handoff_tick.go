package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Tick runs the handoff's timers and hands the messages they send to
// send: a reminder to a volunteer who left the user without an answer for
// HandoffRemind, the chat's return to the queue after HandoffReturn more,
// a new position to users who moved up (or down) much, and coordinators
// told of a chat waiting longer than HandoffEscalate. Several processes
// may tick at once: every action is claimed in the Queue first, so each
// happens once; a reminder or an escalation is claimed for timerClaim and
// marked sent only once send took its messages, so a process that dies in
// between loses neither. Call it every few seconds.
func (a *App) Tick(ctx context.Context, send func(context.Context, []Reply) error) error {
	now := a.d.Now()
	out, claimed, err := a.tick(ctx, now)
	if len(out) > 0 {
		if serr := send(ctx, out); serr != nil {
			return errors.Join(err, fmt.Errorf("send handoff messages: %w", serr))
		}
	}
	var failed []error
	for _, c := range claimed {
		if err := send(ctx, c.replies); err != nil {
			failed = append(failed, fmt.Errorf("send handoff %s: %w", c.what, err))
			continue
		}
		if err := c.done(ctx); err != nil {
			failed = append(failed, fmt.Errorf("mark handoff %s: %w", c.what, err))
		}
	}
	return errors.Join(append([]error{err}, failed...)...)
}

// tickClaim is a reminder or an escalation claimed by a tick: its
// messages, and how to mark it sent.
type tickClaim struct {
	what    string
	replies []Reply
	done    func(context.Context) error
}

// tick runs the timers: the messages of what changed state, and the
// claimed reminders and escalations.
func (a *App) tick(ctx context.Context, now time.Time) ([]Reply, []tickClaim, error) {
	var out []Reply
	var claimed []tickClaim
	ps, err := a.d.Queue.Paired(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("list pairings: %w", err)
	}
	if len(ps) > 0 {
		// A member removed outside the bot (the command line) gives back
		// the chats they hold.
		gone, err := a.notMembers(ctx, ps)
		if err != nil {
			return nil, nil, err
		}
		for _, vol := range gone {
			rs, err := a.returnAll(ctx, vol, EndRemoved, now, "")
			out = append(out, rs...)
			if err != nil {
				return out, claimed, err
			}
		}
	}
	for _, p := range ps {
		if p.Pending.IsZero() || now.Before(p.HeldUntil) {
			continue
		}
		// After a /hold, silence counts from its end.
		silent := now.Sub(p.Pending)
		if p.HeldUntil.After(p.Pending) {
			silent = now.Sub(p.HeldUntil)
		}
		switch {
		// The chat goes back only after a reminder, and no sooner than the
		// time it promised: a tick that came late (a slow machine, the bot
		// down for a while) reminds first.
		case p.Reminded && silent >= a.cfg.HandoffRemind+a.cfg.HandoffReturn &&
			(p.RemindedAt.IsZero() || now.Sub(p.RemindedAt) >= a.cfg.HandoffReturn):
			q, pos, err := a.d.Queue.Release(ctx, Return{ChatID: p.ChatID, Volunteer: p.Volunteer, Pending: p.Pending, At: now})
			if errors.Is(err, ErrNotFound) {
				continue // answered, released or returned meanwhile
			}
			if err != nil {
				return out, claimed, fmt.Errorf("return %d to the queue: %w", p.ChatID, err)
			}
			// The chat is back in the queue: its messages go out whatever
			// fails after, as no later tick finds it held to try again.
			r, err := a.endedFor(ctx, q, T("handoff.vol_returned", "Ticket", q.Ticket))
			out = append(out, r)
			rs, rerr := a.returned(ctx, q, pos, "handoff.returned")
			out = append(out, rs...)
			err = errors.Join(err, rerr)
			if eerr := a.d.Handoffs.End(ctx, q.ID, EndSilent, now); eerr != nil {
				err = errors.Join(err, fmt.Errorf("record end of handoff %s: %w", q.ID, eerr))
			}
			if err != nil {
				return out, claimed, err
			}
		case silent >= a.cfg.HandoffRemind && !p.Reminded:
			ok, err := a.d.Queue.ClaimReminder(ctx, p.ChatID, p.Pending, now, now.Add(timerClaim))
			if err != nil {
				return out, claimed, fmt.Errorf("claim reminder of %d: %w", p.ChatID, err)
			}
			if ok {
				chat, pending := p.ChatID, p.Pending
				// Tagged: a reply to it goes to that chat, whichever is active.
				claimed = append(claimed, tickClaim{what: "reminder", replies: []Reply{{ChatID: p.Volunteer, Lang: p.VolLang,
					Priority: PriorityReply, Tag: chatTag(p.Ticket), Texts: []Text{T("handoff.remind", "Ticket", p.Ticket, "Wait", waitText(silent),
						"Left", waitText(a.cfg.HandoffReturn))}}},
					done: func(ctx context.Context) error { return a.d.Queue.ReminderSent(ctx, chat, pending, a.d.Now()) }})
			}
		}
	}

	ws, err := a.d.Queue.Waiting(ctx)
	if err != nil {
		return out, claimed, fmt.Errorf("list queue: %w", err)
	}
	var coordinators []Volunteer
	for i, w := range ws {
		pos := i + 1
		if movedMuch(w.Told, pos) {
			ok, err := a.d.Queue.ClaimTold(ctx, w.ChatID, w.Told, pos)
			if err != nil {
				return out, claimed, fmt.Errorf("claim position of %d: %w", w.ChatID, err)
			}
			if ok {
				out = append(out, Reply{ChatID: w.ChatID, Lang: w.Lang, Priority: PriorityNotice,
					Texts: []Text{T("handoff.position_now").Plural(pos)}})
			}
		}
		if w.Escalated || now.Sub(w.Queued) < a.cfg.HandoffEscalate {
			continue
		}
		ok, err := a.d.Queue.ClaimEscalation(ctx, w.ChatID, now, now.Add(timerClaim))
		if err != nil {
			return out, claimed, fmt.Errorf("claim escalation of %d: %w", w.ChatID, err)
		}
		if !ok {
			continue
		}
		if coordinators == nil {
			if coordinators, err = a.coordinators(ctx); err != nil {
				return out, claimed, err
			}
		}
		chat := w.ChatID
		c := tickClaim{what: "escalation", done: func(ctx context.Context) error { return a.d.Queue.EscalationSent(ctx, chat) }}
		for _, v := range coordinators {
			c.replies = append(c.replies, Reply{ChatID: v.UserID, Lang: v.Lang, Priority: PriorityReply, Tag: chatTag(w.Ticket),
				Texts: []Text{T("handoff.escalate", "Ticket", w.Ticket, "Wait", waitText(now.Sub(w.Queued)),
					"Lang", langText(w.Lang), "Urgent", w.Urgent, "Case", caseText(w.CaseCode), "Waiting", len(ws))},
				Buttons: [][]Button{{{Text: T("btn.handoff_take"), Data: dataTake + ":" + itoa(w.Ticket)}}}})
		}
		claimed = append(claimed, c)
	}
	return out, claimed, nil
}

// notMembers returns the volunteers of pairings who are no longer members.
func (a *App) notMembers(ctx context.Context, ps []Pairing) ([]int64, error) {
	vs, err := a.d.Volunteers.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	member := map[int64]bool{}
	for _, v := range vs {
		member[v.UserID] = true
	}
	var gone []int64
	for _, p := range ps {
		if !member[p.Volunteer] && !a.isAdmin(p.Volunteer) && !slices.Contains(gone, p.Volunteer) {
			gone = append(gone, p.Volunteer)
		}
	}
	return gone, nil
}

// movedMuch reports whether a waiting user should be told their new
// position: it halved (or better), or it doubled and grew by two or more.
func movedMuch(told, now int) bool {
	switch {
	case told <= 0 || now == told:
		return false
	case now < told:
		return now*2 <= told
	}
	return now >= told*2 && now-told >= 2
}

// coordinators returns the coordinators and admins, the configured admins
// included.
func (a *App) coordinators(ctx context.Context) ([]Volunteer, error) {
	vs, err := a.d.Volunteers.Coordinators(ctx)
	if err != nil {
		return nil, fmt.Errorf("list coordinators: %w", err)
	}
	seen := map[int64]bool{}
	for i, v := range vs {
		seen[v.UserID] = true
		// A member who never wrote to the bot: English, as for anyone
		// whose language is not known.
		vs[i].Lang = Lang(v.Lang)
	}
	for _, id := range a.cfg.Admins {
		if seen[id] {
			continue
		}
		v, err := a.memberOf(ctx, id)
		if err != nil {
			return nil, err
		}
		v.Lang = Lang(v.Lang)
		vs = append(vs, v)
	}
	// An empty, non-nil list: Tick asks once per call.
	if vs == nil {
		vs = []Volunteer{}
	}
	return vs, nil
}

// Blocked is told that a chat blocked the bot (Telegram answered 403). A
// volunteer's chats go back to the head of the queue and they go off duty,
// so no user waits on a message that cannot arrive; a user's conversation
// is closed and their volunteer told; a waiting user leaves the queue.
func (a *App) Blocked(ctx context.Context, chatID int64) ([]Reply, error) {
	now := a.d.Now()
	out, err := a.returnAll(ctx, chatID, EndVolunteerBlocked, now, "")
	if err != nil {
		return out, err
	}
	if len(out) > 0 {
		if err := a.d.Volunteers.SetDuty(ctx, chatID, false); err != nil {
			return out, fmt.Errorf("set duty of %d: %w", chatID, err)
		}
	}
	rs, _, err := a.endForUser(ctx, chatID, EndUserBlocked, "handoff.vol_user_blocked", now, "")
	return append(out, rs...), err
}

// endForUser ends a user's part in the handoff, when they blocked the bot
// or erased their data: their conversation is closed and its volunteer
// told, or they leave the queue. ended says whether they had either. The
// volunteer is told whatever fails after the close; with an op, the update
// handled again tells them again (its first replies were not sent).
func (a *App) endForUser(ctx context.Context, chatID int64, outcome, volText string, now time.Time, op string) (out []Reply, ended bool, err error) {
	p, err := a.d.Queue.Close(ctx, chatID, 0, op)
	switch {
	case err == nil:
		ended = true
		r, err := a.endedFor(ctx, p, T(volText, "Ticket", p.Ticket))
		out = append(out, r)
		if eerr := a.d.Handoffs.End(ctx, p.ID, outcome, now); eerr != nil {
			err = errors.Join(err, fmt.Errorf("record end of handoff %s: %w", p.ID, eerr))
		}
		if err != nil {
			return out, ended, err
		}
	case !errors.Is(err, ErrNotFound):
		return out, ended, fmt.Errorf("close handoff of %d: %w", chatID, err)
	}
	if op != "" {
		op += ":leave" // the close remembers its own result under op
	}
	left, err := a.d.Queue.Leave(ctx, chatID, op)
	if err != nil {
		return out, ended, fmt.Errorf("leave queue %d: %w", chatID, err)
	}
	return out, ended || left, nil
}

// returnAll puts every chat a volunteer holds back at the head of the
// queue, telling each user and the volunteers on duty. With an op, the
// update handled again after a failure midway finds the same chats and
// the same results, so the users its first try returned are told.
func (a *App) returnAll(ctx context.Context, volunteer int64, outcome string, now time.Time, op string) ([]Reply, error) {
	held, err := a.d.Queue.Held(ctx, volunteer, op)
	if err != nil {
		return nil, fmt.Errorf("chats of %d: %w", volunteer, err)
	}
	var out []Reply
	var errs []error
	for _, p := range held {
		o := ""
		if op != "" {
			o = op + ":" + itoa(p.ChatID)
		}
		q, pos, err := a.d.Queue.Release(ctx, Return{ChatID: p.ChatID, Volunteer: volunteer, At: now, Op: o})
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("return %d to the queue: %w", p.ChatID, err))
			continue
		}
		// Returned: the user is told whatever fails after (a timer's
		// return is not tried again; an update's is, with the same op).
		rs, err := a.returned(ctx, q, pos, "handoff.returned_away")
		out = append(out, rs...)
		if err != nil {
			errs = append(errs, err)
		}
		if err := a.d.Handoffs.End(ctx, q.ID, outcome, now); err != nil {
			errs = append(errs, fmt.Errorf("record end of handoff %s: %w", q.ID, err))
		}
	}
	return out, errors.Join(errs...)
}
