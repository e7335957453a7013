package flows

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// UrgentVolunteer marks a case a volunteer found urgent (/urgent): a call
// from the family, a letter from ICE, what the report could not say.
const UrgentVolunteer = "volunteer"

// AuditUrgent: a volunteer marked a case urgent (Detail "on") or took its
// urgency marks off ("off").
const AuditUrgent = "urgent"

// urgentOffWords take a case's urgency marks off after /urgent CODE.
var urgentOffWords = map[string]bool{
	"off": true, "no": true, "not": true, "not urgent": true, "none": true, "clear": true, "remove": true,
	"нет": true, "не срочно": true, "не срочное": true, "снять": true, "сними": true, "убрать": true, "выкл": true,
}

// urgentCommand is /urgent CODE [words]: the case is marked urgent, first
// on the board and escalated sooner while nobody takes it; the words, when
// given, are kept as an internal note of why. /urgent CODE off takes every
// urgency mark off: a case stays urgent for what its report said (a flight
// feared, medical care) after the danger has passed, and a board where
// every case is urgent tells a volunteer nothing. A deportation date
// within three days, news of a transfer or a staging facility mark it
// again, as they do any case.
func (a *App) urgentCommand(ctx context.Context, c *turn, m *member, arg string) error {
	raw, rest, err := c.codeOrHeld(ctx, arg)
	if err != nil {
		return err
	}
	if _, ok := NormalizeCode(raw); !ok {
		m.say(T("tools.urgent_usage"))
		return nil
	}
	off, why := urgentOff(rest)
	if why != "" {
		note, p := ParseText(why, a.cfg.MaxText)
		if p != nil {
			m.say(*p)
			return nil
		}
		why = note
	}
	v, ok, err := a.workableCase(ctx, m, raw, "tools.urgent_gone")
	if err != nil || !ok {
		return err
	}
	code := FormatCode(v.Code)
	before, err := a.d.CaseTools.SetUrgent(ctx, v.ID, UrgentVolunteer, !off)
	if errors.Is(err, ErrNotFound) {
		m.say(T("tools.urgent_gone", "Code", code))
		return nil
	}
	if err != nil {
		return fmt.Errorf("urgency of case %d: %w", v.ID, err)
	}
	detail := "on"
	if off {
		detail = "off"
	}
	if err := a.audit(ctx, c, AuditEntry{Action: AuditUrgent, CaseID: v.ID, Detail: detail}); err != nil {
		return err
	}
	if why != "" {
		e := Event{CaseID: v.ID, Kind: EventNote, Note: why, Actor: c.actor(), Key: c.noteKey("u:")}
		if _, err := a.d.Timeline.Record(ctx, e); err != nil {
			return fmt.Errorf("record why case %d is urgent: %w", v.ID, err)
		}
	}
	switch {
	case off && len(before) == 0:
		m.say(T("tools.urgent_none", "Code", code))
		return nil
	case off:
		m.say(T("tools.urgent_off", "Code", code, "Marks", urgentMarks(before)))
		return c.caseChanged(ctx, v.ID, v.Code, T("forum.ev_urgent_off", "Name", a.nameOf(m), "Marks", urgentMarks(before), "Why", why))
	case len(before) > 0:
		m.say(T("tools.urgent_already", "Code", code, "Marks", urgentMarks(before)))
		if why != "" {
			m.say(T("note.saved", "Code", code))
			return c.postEvent(ctx, v.Code, T("forum.ev_note", "Note", why))
		}
		return nil
	}
	m.say(T("tools.urgent_on", "Code", code))
	if why != "" {
		m.say(T("note.saved", "Code", code))
	}
	return c.caseChanged(ctx, v.ID, v.Code, T("forum.ev_urgent_on", "Name", a.nameOf(m), "Why", why))
}

// urgentOff reads what follows /urgent CODE: "off" (or "нет", "не
// срочно") first takes the marks off, the words after it saying why ("off,
// he was released"); anything else is why the case is urgent.
func urgentOff(rest string) (off bool, why string) {
	rest = strings.TrimSpace(rest)
	words := strings.Fields(rest)
	for n := min(2, len(words)); n >= 1; n-- {
		if urgentOffWords[captionKey(strings.Join(words[:n], " "))] {
			return true, strings.TrimLeft(strings.Join(words[n:], " "), ",.:;—–- ")
		}
	}
	return false, rest
}

// urgentMarks lists a case's urgency marks as the card says them.
func urgentMarks(marks []string) Text {
	items := make([]Text, len(marks))
	for i, u := range marks {
		items[i] = T("value.item", "V", T("urgent."+u))
	}
	return T("value.lines", "Lines", items)
}
