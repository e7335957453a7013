package flows

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Kinds of personal data PersonalData finds.
const (
	PersonalANumber = "a_number"
	PersonalPhone   = "phone"
	PersonalEmail   = "email"
	PersonalBirth   = "birth_date"
	PersonalName    = "name"
)

var (
	noteEmailRe = regexp.MustCompile(`[^\s@<>()]+@[^\s@<>()]+\.\p{L}{2,}`)
	// Dates written with numbers: 05.05.1985, 5/5/85, 1985-05-05.
	numDateRe = regexp.MustCompile(`\b(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})\b|\b(\d{4})-(\d{1,2})-(\d{1,2})\b`)
	// Dates with a month's name, in Russian or English: 5 мая 1985,
	// March 3, 1990, 3 March 1990.
	wordDateRe = regexp.MustCompile(`(?i)(\d{1,2}\s+(?:янв|фев|мар|апр|ма[яй]|июн|июл|авг|сен|окт|ноя|дек|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\p{L}*\.?,?\s+(\d{4}))|((?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\p{L}*\.?\s+\d{1,2},?\s+(\d{4}))`)
	// A run of digits with the separators people type in numbers, with an
	// A (Latin or Cyrillic) or + before it.
	numberRe = regexp.MustCompile(`(?i)([aа]\s*[-#№:.]?\s*)?\+?\(?\d[\d\s().\-]*\d`)
)

// PersonalData returns the kinds of personal data text seems to hold,
// sorted: an A-number, a phone number, an e-mail address, a date of birth
// (a date at least ten years before now), or one of values — a case's
// stored names and contacts, matched whole or by any word of three
// letters or more. It errs on the side of finding: a volunteer is asked
// before such a note goes public, never silently stopped.
func PersonalData(text string, now time.Time, values ...string) []string {
	var kinds []string
	add := func(k string) {
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	if noteEmailRe.MatchString(text) {
		add(PersonalEmail)
	}
	old := strconv.Itoa(now.Year() - 10)
	rest := numDateRe.ReplaceAllStringFunc(text, func(m string) string {
		sub := numDateRe.FindStringSubmatch(m)
		year := sub[3]
		if sub[4] != "" {
			year = sub[4]
		}
		if len(year) == 2 || year <= old {
			add(PersonalBirth) // a two-digit year is read as a birth date too
		}
		return " "
	})
	rest = wordDateRe.ReplaceAllStringFunc(rest, func(m string) string {
		sub := wordDateRe.FindStringSubmatch(m)
		year := sub[2]
		if year == "" {
			year = sub[4]
		}
		if year <= old {
			add(PersonalBirth)
		}
		return " "
	})
	for _, m := range numberRe.FindAllString(rest, -1) {
		digits := 0
		for _, r := range m {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		lead := strings.TrimLeft(m, " ")
		switch {
		case (digits == 8 || digits == 9) && !strings.HasPrefix(lead, "+"):
			add(PersonalANumber)
		case digits >= 7:
			add(PersonalPhone)
		}
	}
	if nameIn(text, values) {
		add(PersonalName)
	}
	slices.Sort(kinds)
	return kinds
}

// nameIn reports whether text holds one of values whole, or a word of
// three letters or more of one, ignoring case.
func nameIn(text string, values []string) bool {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	lower := strings.ToLower(text)
	for _, v := range values {
		v = strings.ToLower(strings.TrimSpace(v))
		if v == "" {
			continue
		}
		if len([]rune(v)) >= 3 && strings.Contains(lower, v) {
			return true
		}
		for _, w := range strings.FieldsFunc(v, func(r rune) bool { return !unicode.IsLetter(r) }) {
			if len([]rune(w)) >= 3 && slices.Contains(words, w) {
				return true
			}
		}
	}
	return false
}
