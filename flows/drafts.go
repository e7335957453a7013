package flows

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// A report begun and left unsent reaches no volunteer: a relative who
// stopped to find the A-number, or was interrupted, may never come back
// to it. DraftTick reminds them once, DraftRemind after their last answer
// or in the morning after it when that falls at night, with the report a
// button away where they stopped. Every replica ticks:
// each reminder is claimed first, so it goes out once.

// draftsPerTick is how many due drafts one tick looks at.
const draftsPerTick = 100

// DraftTick sends the reminders of reports left unsent that are due, and
// watches again those answered since.
func (a *App) DraftTick(ctx context.Context, send func(context.Context, []Reply) error) error {
	now := a.d.Now()
	ids, err := a.d.Drafts.Due(ctx, now, draftsPerTick)
	if err != nil {
		return fmt.Errorf("drafts due: %w", err)
	}
	var failed []error
	for _, id := range ids {
		if err := a.remindDraft(ctx, id, now, send); err != nil {
			failed = append(failed, err)
		}
	}
	return errors.Join(failed...)
}

// remindDraft reminds the chat of its report, due by now, unless it was
// sent, given up or answered since.
func (a *App) remindDraft(ctx context.Context, chatID int64, now time.Time, send func(context.Context, []Reply) error) error {
	s, err := a.d.Sessions.Get(ctx, chatID)
	switch {
	case errors.Is(err, ErrNotFound):
		return a.d.Drafts.Forget(ctx, chatID) // forgotten (/forget, or long idle)
	case err != nil:
		return fmt.Errorf("session of %d: %w", chatID, err)
	}
	if s.Flow != flowReport || s.Draft.Filed != "" {
		return a.d.Drafts.Forget(ctx, chatID) // sent, or left for the menu
	}
	if due := s.Updated.Add(a.cfg.DraftRemind); now.Before(due) {
		return a.d.Drafts.Watch(ctx, chatID, due)
	}
	if !s.Draft.Consent {
		return a.d.Drafts.Forget(ctx, chatID) // left at the first question: nothing was told
	}
	// Waiting for a volunteer, or talking with one, they are in the
	// hotline's hands: a reminder would only come between them.
	st, err := a.d.Queue.Chat(ctx, chatID)
	if err != nil {
		return fmt.Errorf("handoff state of %d: %w", chatID, err)
	}
	if st.Waiting != nil || st.Paired != nil {
		return a.d.Drafts.Forget(ctx, chatID)
	}
	if wake, night := morningAfter(now, a.cfg.Zone); night {
		// Not at 3 a.m.: a frightened relative's phone wakes them, and a
		// reminder can wait for the morning.
		return a.d.Drafts.Watch(ctx, chatID, wake)
	}
	ok, err := a.d.Drafts.Claim(ctx, chatID, now, now.Add(timerClaim))
	if err != nil || !ok {
		return err
	}
	text := T("report.unsent")
	if s.Draft.FiledBy != 0 {
		text = T("report.unsent_caller") // a volunteer's, for a caller: not "you began a report"
	}
	r := Reply{ChatID: chatID, Lang: s.Lang, Priority: PriorityNotice, Texts: []Text{text},
		Buttons: [][]Button{{{Text: T("btn.unsent_continue"), Data: dataMenu + ":report"}}}}
	if err := send(ctx, []Reply{r}); err != nil {
		return fmt.Errorf("send the reminder of the draft of %d: %w", chatID, err)
	}
	return a.d.Drafts.Forget(ctx, chatID)
}

// The night, in the hotline's zone (Config.Zone, where most who write
// live), when no reminder is sent: from nightFrom to nightTo o'clock.
const (
	nightFrom = 22
	nightTo   = 8
)

// morningAfter reports whether now is night in zone, and when it ends.
func morningAfter(now time.Time, zone *time.Location) (time.Time, bool) {
	local := now.In(zone)
	h := local.Hour()
	if h >= nightTo && h < nightFrom {
		return time.Time{}, false
	}
	day := local
	if h >= nightFrom {
		day = local.AddDate(0, 0, 1)
	}
	return time.Date(day.Year(), day.Month(), day.Day(), nightTo, 0, 0, 0, zone), true
}
