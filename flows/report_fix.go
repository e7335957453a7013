package flows

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// A relative who sees, a few questions on, that an earlier answer was
// wrong writes it again, naming it: "ой, дата рождения не 3, а 5 мая 1988"
// under "When was he detained?". It was taken as the date of the detention
// (May 5, 1988), and under another question it was refused ("An A-number
// is 8 or 9 digits"). A message that is only such a correction — the
// words that name the answer, the date or the A-number, and words like
// "sorry", "not", "actually" — now offers the corrected answer a press
// away, and the question on screen is asked again. Nothing changes
// without the press.

// dataFix, after a step's prefix, is the button that corrects an earlier
// answer: "fix:<step>:<YYYY-MM-DD>", "fix:a_number:<digits>".
const dataFix = "fix:"

// fixable are the earlier answers a correction may name, with the
// beginnings of the words that name them (a word written "=др" is whole:
// "друг" is no birth).
var fixable = []struct {
	step  string
	words []string
}{
	{stepBirthDate, []string{"рожд", "родил", "=др", "=гр", "birth", "born", "=dob"}},
	{stepDetained, []string{"задерж", "арест", "забрал", "detain", "arrest"}},
	{stepANumber, []string{"номер", "аномер", "aномер", "anumber", "number", "alien"}},
}

// fixFillers are the words a correction says beside the field and the date.
var fixFillers = map[string]bool{
	"ой": true, "ошиблась": true, "ошибся": true, "ошиблись": true, "ошибка": true, "ошибочка": true,
	"извините": true, "извиняюсь": true, "простите": true, "прошу": true, "не": true, "нет": true,
	"вернее": true, "точнее": true, "правильно": true, "правильная": true, "исправьте": true, "исправить": true,
	"исправление": true, "его": true, "ее": true, "её": true, "он": true, "она": true, "него": true, "нее": true,
	"неё": true, "был": true, "была": true, "было": true, "на": true, "самом": true, "деле": true, "дата": true,
	"дату": true, "день": true, "число": true, "года": true, "год": true, "это": true, "то": true, "там": true,
	"написала": true, "написал": true, "неправильно": true, "неверно": true, "ввела": true, "ввел": true,
	"sorry": true, "oops": true, "actually": true, "not": true, "but": true, "his": true, "her": true,
	"he": true, "she": true, "was": true, "is": true, "wrong": true, "mistake": true, "correct": true,
	"correction": true, "meant": true, "made": true, "typo": true, "the": true, "date": true, "day": true,
	"of": true, "on": true, "it": true, "its": true, "that": true, "should": true, "be": true, "instead": true,
	"rather": true, "no": true, "my": true, "bad": true, "wrote": true, "typed": true, "тот": true, "та": true,
	"правильный": true, "верный": true, "вот": true, "нашла": true, "нашёл": true, "нашел": true, "нашли": true,
	"новый": true, "found": true, "here": true, "right": true, "new": true,
}

// isANumber says a word is an A-number ("a241556890").
func isANumber(w string) bool {
	_, p := ParseANumber(w)
	return p == nil
}

// fixNumber is a number, or a year with "г." after it.
var fixNumber = regexp.MustCompile(`^\d+(г|гг|года?)?$`)

// relativeWord says a word is a day named from today: "вчера", "today".
func relativeWord(w string) bool {
	_, ok := relativeDay(w)
	return ok
}

// fixYear is a year written out, or a date in figures with its year.
var fixYear = regexp.MustCompile(`(^|\D)(19|20)\d\d(\D|$)|\d{1,2}[./-]\d{1,2}[./-]\d{2}`)

// fixIn reads a message that is only a correction of an earlier answer,
// a date or the A-number: the step it corrects, the new value as the
// button carries it, and as it is shown. The answer must have been given
// (the step is behind on /back) and be another. A bare A-number is one.
func (c *turn) fixIn(v string) (step, value string, shown any, ok bool) {
	s := c.s
	if s.Flow != flowReport || s.Step == stepReview || s.Edit != "" {
		return "", "", nil, false
	}
	words := fixWords(v)
	if len(words) > 20 {
		return "", "", nil, false // a correction is a few words
	}
	named := ""
	for _, w := range words {
		switch {
		case utf8.RuneCountInString(w) <= 1 || fixFillers[w] || fixNumber.MatchString(w) ||
			ordinal.MatchString(w) || monthOf(w) != 0 || relativeWord(w) || isANumber(w):
		default:
			if _, ok := weekdays[w]; ok {
				continue
			}
			step := ""
			for _, f := range fixable {
				if slices.ContainsFunc(f.words, func(p string) bool {
					whole, ok := strings.CutPrefix(p, "=")
					return ok && w == whole || !ok && strings.HasPrefix(w, p)
				}) {
					step = f.step
				}
			}
			if step == "" || named != "" && named != step {
				return "", "", nil, false // more than a correction
			}
			named = step
		}
	}
	if named == "" && looksLikeANumber(v) {
		named = stepANumber
	}
	if named == "" || named == s.Step || !slices.Contains(s.Back, named) {
		return "", "", nil, false
	}
	if named == stepANumber {
		n := aNumberIn(v)
		if n == "" {
			n, _ = ParseANumber(v)
		}
		if n == "" || n == s.Draft.ANumber {
			return "", "", nil, false
		}
		return named, n, FormatANumber(n), true
	}
	t, ok := c.fixDate(v)
	if !ok {
		return "", "", nil, false
	}
	if named == stepBirthDate && !fixYear.MatchString(v) {
		// "родился 5 мая, а не 3": the year of the date given.
		was := s.Draft.BirthDate
		y, err := strconv.Atoi(was[:min(4, len(was))])
		d := time.Date(y, t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		if err != nil || d.Day() != t.Day() { // no year given, or February 29 of a year without one
			return "", "", nil, false
		}
		t = d
	}
	if f, ok := c.fixField(named, t); !ok || *f == t.Format(time.DateOnly) {
		return "", "", nil, false
	}
	return named, t.Format(time.DateOnly), dateText(t), true
}

// fixDate is the one date a correction gives: the whole message's, or
// the one after its last "а"/"but" ("не 3 мая, а 5 мая"), or the one before
// "а не"/", not" ("5 мая, а не 3").
func (c *turn) fixDate(v string) (time.Time, bool) {
	if t, ok := c.wordsDate(v, false); ok {
		return t, true
	}
	low := strings.ToLower(v)
	for _, sep := range []string{" а ", ", а", " but ", " instead "} {
		if i := strings.LastIndex(low, sep); i >= 0 {
			if t, ok := c.wordsDate(v[i+len(sep):], false); ok {
				return t, true
			}
		}
	}
	for _, sep := range []string{" а не ", ", а не", ", not ", " not "} {
		if i := strings.Index(low, sep); i >= 0 {
			if t, ok := c.wordsDate(v[:i], false); ok {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// fixWords are a message's words in lower case, without the dots and
// hyphens inside them ("д.р." is "др", "5-го" is "5го").
func fixWords(v string) []string {
	words := strings.FieldsFunc(strings.ToLower(v), func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:!?()«»\"—–", r)
	})
	for i, w := range words {
		words[i] = inWord.Replace(w)
	}
	return words
}

// inWord drops the marks inside a word that fixWords joins across.
var inWord = strings.NewReplacer(".", "", "-", "", "/", "")

// fixField is the draft's answer of a date a correction may name, and
// whether t may be that date.
func (c *turn) fixField(step string, t time.Time) (*string, bool) {
	typed := t.Format("02.01.2006")
	switch step {
	case stepBirthDate:
		_, p := ParseBirthDate(typed, c.now)
		return &c.s.Draft.BirthDate, p == nil
	case stepDetained:
		_, p := ParseDetentionDate(typed, c.now, dateOf(c.s.Draft.BirthDate))
		return &c.s.Draft.DetainedOn, p == nil
	}
	return nil, false
}

// applyFix records a correction pressed ("fix:<step>:<value>") and asks
// the question on screen again.
func (c *turn) applyFix(ctx context.Context, fix string) error {
	step, value, _ := strings.Cut(fix, ":")
	var shown any
	if step == stepANumber {
		n, p := ParseANumber(value)
		if p != nil {
			c.say(T("button.old_step"))
			return c.prompt(ctx, false)
		}
		c.s.Draft.ANumber, shown = n, FormatANumber(n)
	} else {
		t, err := time.Parse(time.DateOnly, value)
		f, ok := c.fixField(step, t)
		if err != nil || !ok {
			c.say(T("button.old_step"))
			return c.prompt(ctx, false)
		}
		*f, shown = t.Format(time.DateOnly), dateText(t)
	}
	c.say(T("fix.done", "Field", c.fieldLabel(step), "Value", shown))
	return c.prompt(ctx, false)
}

// namesADate says words of a sentence a date's question takes
// (maxDateSentence) name one date, gone by or to come.
func (c *turn) namesADate(v string) bool {
	if utf8.RuneCountInString(v) > maxDateSentence {
		return false
	}
	_, past := c.wordsDate(v, false)
	_, coming := c.wordsDate(v, true)
	return past || coming
}
