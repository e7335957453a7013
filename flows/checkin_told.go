package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// What a person wrote of a check-in to come before registering it, or of
// one registered that was moved: "у сына отметка в ICE в четверг в 9 утра
// в Майами", "they moved my appointment to next Tuesday 10am". Its day,
// its time and its office are offered a press away at their questions, or
// as the new date of the check-in registered; nothing is taken without the
// press.

// maxTold is how much of the words told is kept with a registration, and
// toldFresh how long after they were written a registration begun keeps
// them.
const (
	maxTold   = 600
	toldFresh = time.Hour
)

// clockMarks are the words after a number that make it a time of day
// ("9 утра", "10 am"): a bare "в 9" may be a date, a count, a room.
var clockMarks = map[string]bool{"am": true, "pm": true, "a.m.": true, "p.m.": true, "утра": true, "дня": true,
	"вечера": true, "ночи": true, "часов": true, "часа": true, "час": true, "ч": true, "ч.": true,
	"o'clock": true, "o’clock": true, "oclock": true}

// windowEnds come before the end of a window of time ("до 12", "to 11").
var windowEnds = map[string]bool{"до": true, "по": true, "to": true, "till": true, "until": true, "and": true,
	"-": true, "–": true, "—": true}

// clockInWords is the one time of day words name, "HH:MM": "в 9 утра",
// "at 10am", "в 9:30"; "" for none, or for two ("с 9 до 12 утра" is a
// window, which only the person can turn into when they go in).
func clockInWords(text string) string {
	words := strings.Fields(strings.ToLower(text))
	for i, w := range words {
		words[i] = strings.TrimRight(w, ",;!?()")
	}
	found := ""
	for i := 0; i < len(words); i++ {
		for n := min(4, len(words)-i); n >= 1; n-- {
			span := words[i : i+n]
			last := strings.TrimRight(span[n-1], ".")
			marked := strings.Contains(span[n-1], ":") || clockMarks[span[n-1]] || clockMarks[last] ||
				strings.HasSuffix(last, "am") && hasDigit(last) || strings.HasSuffix(last, "pm") && hasDigit(last)
			if !marked {
				continue
			}
			hh, mm, ok := ParseClock(strings.TrimRight(strings.Join(span, " "), "."))
			if !ok || i > 0 && windowEnds[words[i-1]] {
				continue // "с 9 до 12 утра": the end of a window is no time to go in
			}
			clock := fmt.Sprintf("%02d:%02d", hh, mm)
			if found != "" && found != clock {
				return ""
			}
			found, i = clock, i+n-1
			break
		}
	}
	return found
}

// toldDay is the day of a check-in to come that words name, with its
// time ("HH:MM") when they name one; ok is false when they name none.
type toldDay struct {
	day   time.Time
	clock string
	ok    bool
}

// dayInWords is the day words name: "в четверг в 9 утра". None when they
// name no day, two, or a span of weeks or months.
func (c *turn) dayInWords(text string) toldDay {
	if slices.ContainsFunc(lowerWords(text), func(w string) bool {
		return strings.HasPrefix(w, "недел") || strings.HasPrefix(w, "week") || strings.HasPrefix(w, "месяц") ||
			strings.HasPrefix(w, "month")
	}) {
		// "через две недели", "next week on Tuesday": a day guessed, and
		// the alarm must not wait for a guess.
		return toldDay{}
	}
	day, ok := c.dateInWords(text)
	if !ok {
		return toldDay{}
	}
	return toldDay{day: day, clock: clockInWords(text), ok: true}
}

// checkinDay is the day and the time of k at its office ("2006-01-02",
// "15:04"); "" when its zone is not known.
func checkinDay(k Checkin) (day, clock string) {
	loc, err := time.LoadLocation(k.Zone)
	if err != nil {
		return "", ""
	}
	l := k.Start.In(loc)
	return l.Format(time.DateOnly), l.Format("15:04")
}

// movesCheckin reports whether a day and a time told of a check-in
// registered are another than its own: the same day without a time, or
// the same day and time, is the check-in as it is.
func movesCheckin(k Checkin, t toldDay) bool {
	day, clock := checkinDay(k)
	return day != "" && (day != t.day.Format(time.DateOnly) || t.clock != "" && t.clock != clock)
}

// laterThan reports whether the day told comes after the day of the
// check-in k, at its office.
func (t toldDay) laterThan(k Checkin) bool {
	day, _ := checkinDay(k)
	return t.ok && day != "" && t.day.After(dateOf(day))
}

// toldButton is the button id that follows the check-in k by one on the
// day and at the time told (ckNextTo): its move before it began, the next
// one once out.
func toldButton(id string, k Checkin, t toldDay) Button {
	return Button{Text: T(id, "Told", t.text()),
		Data: dataCheckin + ":" + ckNextTo + ":" + strconv.FormatInt(k.ID, 10) + ":" + t.value()}
}

// value is the day and the time as the value of a button that answers the
// question of the day: "=2026-12-10 09:00", or without the time.
func (t toldDay) value() string {
	return strings.TrimSpace("=" + t.day.Format(time.DateOnly) + " " + t.clock)
}

// readTold reads value's value back.
func readTold(v string) toldDay {
	date, clock, _ := strings.Cut(strings.TrimPrefix(v, "="), " ")
	day, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return toldDay{}
	}
	if clock != "" {
		if _, _, ok := ParseClock(clock); !ok {
			return toldDay{}
		}
	}
	return toldDay{day: day, clock: clock, ok: true}
}

// text is the day and the time told, as a button shows them.
func (t toldDay) text() Text {
	d := T("checkin.told_day", "Weekday", T("weekday."+fmt.Sprint(int(t.day.Weekday()))), "Date", dateText(t.day))
	if t.clock != "" {
		d = T("checkin.told_day_time", "Day", d, "Time", t.clock)
	}
	return d
}

// officeNamedIn is the field office words put a check-in at: the last
// place after "в", "in", "at" (atLeads) that names one office alone
// (spelledOffice), "в Майами", "in Newark". Days ("в четверг"), times,
// ICE itself are no place; two places at most are looked up.
func (c *turn) officeNamedIn(ctx context.Context, text string) (Office, bool, error) {
	tried := 0
	for _, q := range placesNamed(text) {
		first := strings.ToLower(strings.Fields(q)[0])
		if hasDigit(q) || first == "ice" || first == "айс" || first == "айсе" {
			continue
		}
		if _, isDay := weekdays[first]; isDay {
			continue
		}
		if _, p := ReadDate(q, c.now, true); p == nil {
			continue // "в понедельник", "in January"
		}
		if tried++; tried > 2 {
			break
		}
		if o, ok, err := c.spelledOffice(ctx, q); err != nil || ok {
			return o, ok, err
		}
	}
	return Office{}, false, nil
}

// nextWithin is how long after coming out of a check-in the next one's
// day, written at the menu, is offered as the next of that one.
const nextWithin = 14 * 24 * time.Hour

// nextAfterOut answers the next check-in's day written at the menu
// ("next check-in is April 14 at 10am") by one who came out of one lately
// (LastOut): the next one, at the same office, for the same person, with
// the same contacts, a press away. They were offered to register one from
// the start, consent and office again, and the contacts to invite anew.
//
// told is the day the words name (dayInWords).
func (a *App) nextAfterOut(ctx context.Context, c *turn, told toldDay) (bool, error) {
	if !told.ok {
		return false, nil
	}
	k, err := a.d.Checkins.LastOut(ctx, c.in.UserID, c.now.Add(-nextWithin))
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("last check-in of user %d: %w", c.in.UserID, err)
	}
	if !told.laterThan(k) {
		return false, nil
	}
	if o, named, err := c.officeNamedIn(ctx, c.in.Text); err != nil || named && o.Code != k.OfficeCode {
		return false, err // another office's: another check-in
	}
	c.setSaid(false)
	c.say(T("checkin.next_after_out", "Office", officeOf(a.d.Offices, k), "When", whenText(k.Start, k.Zone),
		"Told", told.text()))
	c.buttons = [][]Button{
		{toldButton("btn.checkin_next_on", k, told)},
		{{Text: T("btn.menu_checkin"), Data: dataMenu + ":checkin"}},
		{{Text: T("btn.menu"), Data: dataMenu + ":menu"}},
	}
	return true, nil
}

// tellsOfMove reports whether words tell of a date moved: "перенесли",
// "отложили", "rescheduled", "postponed", "moved it". Not "moved him to
// Krome", a transfer; nor a hearing or a flight moved.
func tellsOfMove(text string) bool {
	words := lowerWords(text)
	if slices.ContainsFunc(words, func(w string) bool { return hearingWord(w) || deportationWord(w) }) {
		return false // "суд перенесли на 20 января": a hearing's date
	}
	for i, w := range words {
		switch {
		case strings.HasPrefix(w, "перенес") || strings.HasPrefix(w, "перенос") || strings.HasPrefix(w, "отлож"),
			strings.HasPrefix(w, "reschedul") || strings.HasPrefix(w, "postpone"):
			return true
		case (w == "moved" || w == "pushed") && i+1 < len(words) && (words[i+1] == "it" || words[i+1] == "my" ||
			words[i+1] == "the" || words[i+1] == "back"):
			return true
		}
	}
	return false
}

// nextTold offers, under "are you out?" answered in words that name the
// next check-in's day ("вышел, следующая отметка 14 апреля в 10 утра",
// as offices give it at the end of one), "out, and the next check-in
// then" as one press: the next one registered at the same office, for the
// same person, with the same contacts, after its review. The day was lost
// in the words, and the next check-in left without its safety line.
func (c *turn) nextTold(k Checkin) {
	told := c.dayInWords(c.in.Text)
	if !told.laterThan(k) {
		return
	}
	c.say(T("checkin.next_told", "Told", told.text()))
	c.buttons = append([][]Button{{toldButton("btn.checkin_out_next", k, told)}}, c.buttons...)
}
