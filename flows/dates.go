package flows

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Dates as the report asks them: a relative word or a day without a year is
// completed and said back; a slashed date that reads two ways is asked
// about with a button for each; a hearing date in the past is asked about.

// dateStep parses a typed date or a date button for a step. future says the
// date is of something to come (a hearing): a date without a year is then
// the nearest future one. check applies the step's own rules.
func dateStep(field func(*Report) *string, skippable, future bool,
	check func(c *turn, s string) (time.Time, *Text),
) func(context.Context, *turn, string, bool) (outcome, error) {
	return func(_ context.Context, c *turn, v string, button bool) (outcome, error) {
		f := field(&c.s.Draft)
		if button {
			d, isDate := strings.CutPrefix(v, "d")
			past, isPast := strings.CutPrefix(v, "p")
			switch {
			case v == "skip" && skippable:
				*f = ""
				return accepted()
			case v == "again":
				return outcome{stay: true}, nil
			case isDate:
				t, p := check(c, d)
				if p != nil {
					return refused(p)
				}
				return c.dateAccepted(f, t, future, false)
			case isPast && future:
				t, p := check(c, past)
				if p != nil {
					return refused(p)
				}
				*f = t.Format(time.DateOnly) // the last hearing, not the next
				return accepted()
			}
			return wrong("button.old_step")
		}
		if skippable && (ParseUnknown(v) || future && noDateYet(v)) {
			*f = ""
			if !ParseUnknown(v) && len(strings.Fields(v)) > 4 && c.keepTyped(v) {
				// "next month, not sure which day": the month is worth
				// the volunteer's reading.
				c.say(T("input.kept"))
			}
			return accepted()
		}
		rd, p := ReadDate(v, c.now, future)
		if p == nil && !rd.Alt.IsZero() {
			t := T("date.which")
			return outcome{wrong: &t, choices: [][]Button{
				{c.dateOpt("d", rd.Date)},
				{c.dateOpt("d", rd.Alt)},
			}}, nil
		}
		t, p := check(c, v)
		if p != nil && p.ID == "parse.date" && skippable && monthOnly(v) {
			// "в январе": the day, or the button for none; it was
			// "couldn't read that date".
			return refused(problem("parse.date_month"))
		}
		if p != nil && p.ID == "parse.date" && len(strings.Fields(v)) > 2 && c.s.Step != stepBirthDate {
			// "В четверг утром, пришли домой": the one date the words
			// name, said back, the words kept for the volunteer. (Not a
			// birth: "born on a Monday" is no date of birth.)
			if d, ok := c.wordsDate(v, future); ok {
				if t, p := check(c, d.Format("02.01.2006")); p == nil {
					c.say(understood(t))
					if c.keepTyped(v) {
						c.say(T("input.kept"))
					}
					*f = t.Format(time.DateOnly)
					return accepted()
				}
			}
		}
		if p != nil && skippable && future && len(strings.Fields(v)) > 2 && saysAny(captionKey(v), noDateWords) {
			// "Суда не будет, у него уже есть приказ о депортации": no
			// date to come, and why, kept for the volunteer. It was "too
			// long", then "couldn't read that date".
			*f = ""
			if c.keepTyped(v) {
				c.say(T("input.kept"))
			}
			return accepted()
		}
		if p != nil && skippable && !future && yearOnly(v) {
			// "2019" for an order of long ago: the month and day, or the
			// button; it was "couldn't read that date".
			return refused(problem("parse.date_year"))
		}
		if p != nil {
			return refused(p)
		}
		return c.dateAccepted(f, t, future, rd.Guessed)
	}
}

// readComingDate reads a date to come typed outside the report — a
// deportation date, news of a hearing, /date — as ParseHearingDate does,
// but a slashed date that reads two ways (03/04) is refused with both
// readings, so that April is never taken where March was meant; guessed
// says it was completed (no year, a weekday, "завтра") and should be said
// back.
func (c *turn) readComingDate(v string) (t time.Time, p *Text, guessed bool) {
	rd, p := readHearingDate(v, c.now)
	switch {
	case p != nil:
		return time.Time{}, p, false
	case !rd.Alt.IsZero():
		return time.Time{}, twoWays(v, rd), false
	}
	return rd.Date, nil, rd.Guessed
}

// twoWays says that what was typed reads as both dates of rd.
func twoWays(typed string, rd DateReading) *Text {
	return problem("date.two_ways", "Typed", strings.TrimSpace(typed), "A", dateText(rd.Date), "B", dateText(rd.Alt))
}

// dateAccepted stores a date, saying it back when it was completed, or asks
// about a hearing date in the past.
func (c *turn) dateAccepted(f *string, t time.Time, future, guessed bool) (outcome, error) {
	today := latestToday(c.now).AddDate(0, 0, -2)
	if future && t.Before(today) {
		q := T("date.hearing_past", "Date", dateText(t))
		return outcome{wrong: &q, choices: [][]Button{
			{c.opt("p"+t.Format(time.DateOnly), "btn.hearing_last")},
			{c.opt("again", "btn.hearing_mistake")},
		}}, nil
	}
	*f = t.Format(time.DateOnly)
	if guessed {
		c.say(understood(t))
	}
	return accepted()
}

// understood says back a date the bot completed ("вчера", "Dec 1", "3
// days ago") with its day of the week, by which a relative sees at once a
// day off from the one they meant.
func understood(t time.Time) Text {
	return T("date.understood", "Date", dateText(t), "Weekday", T("weekday."+strconv.Itoa(int(t.Weekday()))))
}

// dateOpt is a button that answers the step with a date.
func (c *turn) dateOpt(prefix string, t time.Time) Button {
	return Button{Text: dateText(t), Data: c.stepPrefix() + prefix + t.Format(time.DateOnly)}
}

// dateExample is a date a month from today, in figures: the example of a
// date to come (a hearing, a flight) that is never in the past.
func (c *turn) dateExample() string {
	num, _ := dateExample(c.now, 30)
	return num
}

// dateExample is a date to show in a question, days from today, written
// the two ways people may type it.
func dateExample(now time.Time, days int) (string, Text) {
	t := now.AddDate(0, 0, days)
	return t.Format("02.01.2006"), dateText(t)
}

// noDateYet reports whether an answer to a date to come says there is none
// yet: "суда ещё не было", "пока не назначили", "no hearing yet", "not
// scheduled". It was "couldn't read that date".
func noDateYet(v string) bool {
	key := captionKey(v)
	return len(strings.Fields(key)) <= 8 && saysAny(key, noDateWords)
}

// noDateWords begin the words of noDateYet (captionKey).
var noDateWords = []string{"не назнач", "не было", "не будет", "не сказали", "не сообщили", "не говорят", "нет даты",
	"даты нет", "даты пока нет", "нет суда", "суда нет", "won t be", "will not be", "did not tell", "didn t tell",
	"haven t told", "have not told", "don t tell", "суда пока нет", "не знаем когда", "неизвестно когда", "not scheduled", "not set", "no hearing", "no date",
	"hasn t been", "has not been", "not yet", "none yet", "no court",
	// The day not known: "next month, not sure which day", "в январе, а какого числа не знаем".
	"not sure which day", "not sure what day", "not sure when", "don t know which day", "dont know which day",
	"don t know the day", "don t know the exact", "no exact date", "какого числа не знаю", "какого числа не знаем",
	"не знаю какого числа", "не знаем какого числа", "число не знаю", "число не знаем", "точной даты нет",
	// Put off without a new one (not "перенесли", which may name it).
	"no new date", "new date not", "нет новой даты", "новой даты нет", "новую дату не",
	// Never in court: "he never had court, he has a check-in every year".
	"never had court", "never had a court", "never had a hearing", "never been to court", "never went to court",
	"never had any court", "ни разу не был в суде", "никогда не был в суде", "в суде не был", "не был в суде",
	"суда никогда не было", "суда ни разу не было"}
