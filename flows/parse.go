package flows

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Caps on what a user may type, in characters. Free text uses Config.MaxText.
const (
	maxName  = 200 // a person's name, a lawyer's name or firm, a contact
	maxShort = 100 // a country, a relationship
)

// The parsers below return the normalised answer, or a Text that tells the
// user what is wrong and what is expected. They never echo the answer in the
// Text, so a refusal cannot carry anything the user typed.

// tooLong is the refusal of a text of n characters where max fit.
func tooLong(n, max int) *Text {
	t := T("input.too_long", "Len", T("unit.chars").Plural(n), "Max", T("unit.chars").Plural(max))
	return &t
}

// problem returns a refusal with the given message ID.
func problem(id string, kv ...any) *Text {
	t := T(id, kv...)
	return &t
}

// ParseANumber normalises an A-number (Alien Registration Number) to nine
// digits: "A 123-456-789", "a123456789", "A#123456789" → "123456789";
// eight digits are left-padded with a zero, as USCIS writes them. Anything
// but 8 or 9 digits is refused with an example.
func ParseANumber(s string) (string, *Text) {
	// What people write around it: "A-number: …", "его А-номер …",
	// "… (A-number)". "A-number 123456789" was refused for its letters.
	s = aNumberTail.ReplaceAllString(aNumberLabel.ReplaceAllString(strings.TrimSpace(s), ""), "")
	s = strings.TrimSpace(s)
	r, n := utf8.DecodeRuneInString(s)
	rest := strings.TrimLeft(s[n:], " #-.:№")
	if unicode.IsLetter(r) && !strings.ContainsRune("AaАа", r) && rest != "" && rest[0] >= '0' && rest[0] <= '9' {
		// "B 123 456 789": the digits may be right, the letter is not.
		return "", problem("parse.a_number_letter")
	}
	// A leading A, Latin or Cyrillic (a Russian keyboard types А), and the
	// signs people put before a number.
	s = strings.TrimLeft(s, "AaАа")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune("OoОо", r):
			b.WriteRune('0') // the letter O typed for a zero, Latin or Cyrillic
		case unicode.IsSpace(r), unicode.Is(unicode.Pd, r), r == '.', r == '#', r == '№', r == ':':
		default:
			return "", problem("parse.a_number")
		}
	}
	d := b.String()
	if strings.Count(d, "0")-strings.Count(s, "0") > 2 {
		return "", problem("parse.a_number") // more letters than a slip
	}
	switch len(d) {
	case 9:
		return d, nil
	case 8:
		return "0" + d, nil
	}
	return "", problem("parse.a_number")
}

// aNumberLabel and aNumberTail are the names of an A-number written
// before or after it, in English or Russian, with whose it is.
var (
	aNumberLabel = regexp.MustCompile(`(?i)^(?:(?:his|her|my|the|его|её|ее|мой|моя|наш)\s+)?` +
		`(?:(?:a|а)\s*[-#]?\s*(?:number|номер|no\.?|#)|alien\s+(?:registration\s+)?number|uscis\s*(?:#|no\.?|number)?|номер)` +
		`\s*(?:is|это|[:=—–-])?\s*`)
	aNumberTail = regexp.MustCompile(`(?i)\s*[(\[]?\s*(?:a|а)\s*[-#]?\s*(?:number|номер)\s*[)\]]?\s*$`)
)

// FormatANumber writes nine digits the way they appear on documents:
// A123-456-789.
func FormatANumber(n string) string {
	if len(n) != 9 {
		return n
	}
	return "A" + n[:3] + "-" + n[3:6] + "-" + n[6:]
}

var (
	dateDMY = regexp.MustCompile(`^(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})$`)
	dateYMD = regexp.MustCompile(`^(\d{4})[./-](\d{1,2})[./-](\d{1,2})$`)
	// Spaces around a separator: "12. 03. 2025".
	dateSpacedSep = regexp.MustCompile(`\s*([./-])\s*`)
	// "г.", "года", "year" after a date: "12 марта 2025 г.".
	dateYearWord = regexp.MustCompile(`\s*(г\.?|гг\.?|год|года|year)$`)
	ordinal      = regexp.MustCompile(`^(\d{1,2})(st|nd|rd|th|го|е)$`)
)

// monthNames lists the names people write, in English and Russian, in both
// cases (марта, март), and Russian typed in Latin letters ("5 maya"). A
// word matches a month when it is one of these or a prefix of one at least
// three letters long: "мар", "sept".
func monthNames() [12][]string {
	return [12][]string{
		{"january", "январь", "января", "yanvarya", "yanvar"},
		{"february", "февраль", "февраля", "fevralya", "fevral"},
		{"march", "март", "марта", "marta"},
		{"april", "апрель", "апреля", "aprelya", "aprel"},
		{"may", "май", "мая", "maya"},
		{"june", "июнь", "июня", "iyunya", "iyun"},
		{"july", "июль", "июля", "iyulya", "iyul"},
		{"august", "август", "августа", "avgusta", "avgust"},
		{"september", "сентябрь", "сентября", "sentyabrya", "sentyabr"},
		{"october", "октябрь", "октября", "oktyabrya", "oktyabr"},
		{"november", "ноябрь", "ноября", "noyabrya", "noyabr"},
		{"december", "декабрь", "декабря", "dekabrya", "dekabr"},
	}
}

// monthOf returns 1–12 for a month name, 0 for anything else.
func monthOf(w string) int {
	for i, names := range monthNames() {
		for _, n := range names {
			if w == n || (utf8.RuneCountInString(w) >= 3 && strings.HasPrefix(n, w)) {
				return i + 1
			}
		}
	}
	return 0
}

// ParseDate reads a date the way people write it: 12.03.2025, 12.3.25,
// 12/03/2025 (day first; month first only when the day-first reading is
// impossible, 03/25/2025), 2025-03-12, "12 марта 2025", "12 мар 2025",
// "March 12, 2025", "12 March 2025", "Mar 12 2025". It refuses dates that do
// not exist (31.02.2025) and two-digit years after the current year (is 45
// 1945 or 2045?). Whether a date may be in the future is the caller's rule.
func ParseDate(s string, now time.Time) (time.Time, *Text) {
	r, p := ReadDate(s, now, false)
	return r.Date, p
}

// DateReading is what was made of a typed date.
type DateReading struct {
	Date time.Time
	// Alt is the other reading of a slashed date whose order is not
	// clear (03/04/1990: 3 April or March 4); zero when there is none.
	Alt time.Time
	// Guessed says the date was completed or reordered — "вчера", "28
	// ноября" without a year, 11/28/2026 month first — and should be said
	// back to the user.
	Guessed bool
}

// relativeDays are the words for days near today, in days from today.
func relativeDays() map[string]int {
	return map[string]int{
		"сегодня": 0, "вчера": -1, "позавчера": -2, "завтра": 1, "послезавтра": 2,
		"segodnya": 0, "sevodnya": 0, "vchera": -1, "pozavchera": -2, "zavtra": 1, "poslezavtra": 2, // typed in Latin letters
		"today": 0, "yesterday": -1, "the day before yesterday": -2, "day before yesterday": -2,
		"tomorrow": 1, "the day after tomorrow": 2, "day after tomorrow": 2,
	}
}

// partsOfDay are words for the time of day that may follow (or, in
// English, stand for) a day near today: "вчера вечером", "yesterday at 5
// pm", "вчера около 17:30". The date is the day's; the time is not kept.
var partsOfDay = map[string]bool{
	"утром": true, "утра": true, "днём": true, "днем": true, "дня": true, "вечером": true, "вечера": true,
	"ночью": true, "ночи": true, "рано": true, "поздно": true, "в": true, "во": true, "около": true,
	"примерно": true, "где": true, "то": true, "часов": true, "часа": true, "час": true, "ч": true,
	"после": true, "до": true, "обеда": true, "полудня": true, "полуночи": true,
	"morning": true, "afternoon": true, "evening": true, "night": true, "in": true, "the": true,
	"at": true, "around": true, "about": true, "early": true, "late": true, "am": true, "pm": true,
	"a": true, "m": true, "p": true, "o": true, "clock": true, "noon": true, "midnight": true,
}

// dayParts are the English phrases that name a day by its part: "this
// morning", "last night".
var dayParts = map[string]int{
	"this morning": 0, "this afternoon": 0, "this evening": 0, "tonight": 0, "last night": -1,
}

// timeOfDay is a clock time: 17:30, 5.30.
var timeOfDay = regexp.MustCompile(`\b\d{1,2}[:.]\d{2}\b`)

// relativeDay reads a day near today in words, with or without the time of
// day: "вчера", "вчера вечером", "yesterday at 5 pm", "this morning".
// Digits are taken only as a time beside those words ("вчера, 3 декабря"
// is a date, read elsewhere).
func relativeDay(s string) (int, bool) {
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	days := relativeDays()
	for n := min(len(words), 5); n >= 1; n-- {
		head := strings.Join(words[:n], " ")
		d, ok := days[head]
		if !ok {
			d, ok = dayParts[head]
		}
		if !ok {
			continue
		}
		rest := words[n:]
		for _, w := range rest {
			if !partsOfDay[w] {
				return 0, false
			}
		}
		if hasDigit(s) && len(rest) == 0 && !timeOfDay.MatchString(s) {
			return 0, false
		}
		return d, true
	}
	return 0, false
}

// weekdays are the names of the days of the week, Monday first (time.Weekday
// counts from Sunday).
var weekdays = map[string]time.Weekday{
	"monday": time.Monday, "mon": time.Monday, "tuesday": time.Tuesday, "tue": time.Tuesday, "tues": time.Tuesday,
	"wednesday": time.Wednesday, "wed": time.Wednesday, "thursday": time.Thursday, "thu": time.Thursday,
	"thur": time.Thursday, "thurs": time.Thursday, "friday": time.Friday, "fri": time.Friday,
	"saturday": time.Saturday, "sat": time.Saturday, "sunday": time.Sunday, "sun": time.Sunday,
	"понедельник": time.Monday, "понедельника": time.Monday, "пн": time.Monday,
	"вторник": time.Tuesday, "вторника": time.Tuesday, "вт": time.Tuesday,
	"среда": time.Wednesday, "среду": time.Wednesday, "среды": time.Wednesday, "ср": time.Wednesday,
	"четверг": time.Thursday, "четверга": time.Thursday, "чт": time.Thursday,
	"пятница": time.Friday, "пятницу": time.Friday, "пятницы": time.Friday, "пт": time.Friday,
	"суббота": time.Saturday, "субботу": time.Saturday, "субботы": time.Saturday, "сб": time.Saturday,
	"воскресенье": time.Sunday, "воскресенья": time.Sunday, "вс": time.Sunday,
}

// weekWords may stand beside a day of the week: "last Tuesday", "в прошлую
// пятницу", "on Monday next week". The value moves the day: -1 the one
// before today, +1 the one after, ∓7 a week before or after.
var weekWords = map[string]int{
	"on": 0, "this": 0, "past": -1, "last": -1, "next": 1, "coming": 1, "week": 0,
	"этот": 0, "эту": 0, "это": 0, "этой": 0, "на": 0, "неделе": 0,
	"прошлый": -1, "прошлую": -1, "прошлое": -1, "прошлой": -1,
	"следующий": 1, "следующую": 1, "следующее": 1, "следующей": 1, "ближайший": 1, "ближайшую": 1,
}

// weekdayDate reads a day of the week, with the time of day or "last",
// "next", "в прошлую" beside it: the nearest such day up to today, or with
// future set from today on; "last" and "next" the one before or after
// today, not today; "last week" and "на следующей неделе" that day of the
// week before or after this one (weeks from Monday). Digits only as a time
// of day.
func weekdayDate(s string, today time.Time, future bool) (time.Time, bool) {
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	day, found, move, week, timed := time.Sunday, false, 0, false, false
	for _, w := range words {
		if d, ok := weekdays[w]; ok && !found {
			day, found = d, true
			continue
		}
		if m, ok := weekWords[w]; ok {
			move += m
			week = week || w == "week" || w == "неделе"
			continue
		}
		if !partsOfDay[w] {
			return time.Time{}, false
		}
		timed = true
	}
	if !found || hasDigit(s) && !timed && !timeOfDay.MatchString(s) {
		return time.Time{}, false
	}
	if week && move != 0 {
		monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
		return monday.AddDate(0, 0, 7*sign(move)+(int(day)+6)%7), true
	}
	back := (int(today.Weekday()) - int(day) + 7) % 7 // days since the last such day, 0 today
	if move < 0 || move == 0 && !future {
		if move < 0 && back == 0 {
			back = 7
		}
		return today.AddDate(0, 0, -back), true
	}
	ahead := (7 - back) % 7
	if move > 0 && ahead == 0 {
		ahead = 7
	}
	return today.AddDate(0, 0, ahead), true
}

func sign(n int) int {
	if n < 0 {
		return -1
	}
	return 1
}

// spanWords are the numbers a span of time is counted in, in words ("two
// weeks ago", "через две недели"); no number counts one ("неделю назад",
// "in a week").
var spanWords = map[string]int{
	"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "couple": 2,
	"один": 1, "одну": 1, "одна": 1, "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6,
	"семь": 7, "восемь": 8, "девять": 9, "десять": 10, "пару": 2, "пара": 2,
}

// monthSpan stands for a month among spanUnits: counted by the calendar,
// not in days.
const monthSpan = -1

// spanUnits are the spans in days, or monthSpan.
var spanUnits = map[string]int{
	"day": 1, "days": 1, "week": 7, "weeks": 7, "month": monthSpan, "months": monthSpan,
	"день": 1, "дня": 1, "дней": 1, "сутки": 1, "суток": 1,
	"неделю": 7, "недели": 7, "недель": 7, "неделя": 7,
	"месяц": monthSpan, "месяца": monthSpan, "месяцев": monthSpan,
}

// spanFill may stand in a span: "about two weeks ago", "примерно неделю
// назад", "a couple of days ago".
var spanFill = map[string]bool{
	"about": true, "around": true, "roughly": true, "of": true, "just": true, "only": true,
	"примерно": true, "около": true, "где": true, "то": true, "уже": true, "всего": true,
}

// spanDate reads a date as a span from today: "3 days ago", "две недели
// назад", "месяц назад", "in 10 days", "через неделю". A month back or on
// is by the calendar. "A few days ago" names no day: not read.
func spanDate(s string, today time.Time) (time.Time, bool) {
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	dir, n, unit := 0, 0, 0
	for i, w := range words {
		switch {
		case w == "ago" || w == "назад":
			if dir != 0 || i != len(words)-1 {
				return time.Time{}, false
			}
			dir = -1
		case (w == "in" || w == "через") && i == 0:
			dir = 1
		case spanUnits[w] != 0 && unit == 0:
			unit = spanUnits[w]
		case spanWords[w] > 0 && unit == 0 && (n == 0 || w == "couple"): // "a couple of"
			n = spanWords[w]
		case w != "" && w[0] >= '0' && w[0] <= '9' && n == 0 && unit == 0:
			v, err := strconv.Atoi(w)
			if err != nil || v < 1 || v > 99 {
				return time.Time{}, false
			}
			n = v
		case spanFill[w]:
		default:
			return time.Time{}, false
		}
	}
	if dir == 0 || unit == 0 {
		return time.Time{}, false
	}
	n = max(n, 1)
	if unit == monthSpan {
		return today.AddDate(0, dir*n, 0), true
	}
	return today.AddDate(0, 0, dir*n*unit), true
}

// vagueSpan reports a span from today with no count: "a few days ago",
// "несколько недель назад".
func vagueSpan(s string) bool {
	vague, unit := false, false
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) {
		switch {
		case w == "few" || w == "several" || w == "some" || w == "несколько" || w == "нескольких":
			vague = true
		case spanUnits[w] != 0:
			unit = true
		}
	}
	return vague && unit
}

// withoutWeekday drops the day of the week from a date that has its
// figures too: "Tuesday, December 1", "вторник, 1 декабря".
func withoutWeekday(s string) (string, bool) {
	if !hasDigit(s) {
		return s, false
	}
	fields := strings.Fields(s)
	kept := fields[:0:0]
	for _, f := range fields {
		if _, ok := weekdays[strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) })]; !ok {
			kept = append(kept, f)
		}
	}
	return strings.Join(kept, " "), len(kept) < len(fields)
}

// ReadDate is ParseDate that also reads words for days near today
// ("вчера", "tomorrow") and a day and month without a year ("28 ноября",
// "Dec 1"): the year is the one that makes the date the nearest past one,
// or with future set the nearest future one.
func ReadDate(s string, now time.Time, future bool) (DateReading, *Text) {
	s = strings.ToLower(strings.TrimSpace(s))
	if m := pastLead.FindStringIndex(s); m != nil && m[1] < len(s) {
		// "был вчера", "суд был 3 марта", "it was on monday": the date,
		// told in the past, read in the past where one to come is asked.
		if r, p := ReadDate(s[m[1]:], now, false); p == nil {
			return r, nil
		}
	}
	if m := timeTail.FindStringIndex(s); m != nil && m[0] > 0 {
		// "15 января в 9 утра", "Jan 15 at 9:30 am", "2 недели назад
		// утром": the date, without its time (a hearing's is on its
		// notice); the time is not kept.
		if r, p := ReadDate(s[:m[0]], now, future); p == nil {
			return r, nil
		}
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC) // the day in now's zone
	if d, ok := relativeDay(s); ok {
		return DateReading{Date: today.AddDate(0, 0, d), Guessed: true}, nil
	}
	if t, ok := weekdayDate(s, today, future); ok {
		return DateReading{Date: t, Guessed: true}, nil
	}
	if t, ok := spanDate(s, today); ok {
		return DateReading{Date: t, Guessed: true}, nil
	}
	if vagueSpan(s) {
		return DateReading{}, problem("parse.date_vague")
	}
	if rest, ok := withoutWeekday(s); ok {
		s = rest // "вторник, 1 декабря": the date
	}
	if day, month, ok := dayMonth(s); ok {
		t, p := nearestDate(today, day, month, future)
		if p != nil {
			return DateReading{}, p
		}
		return DateReading{Date: t, Guessed: true}, nil
	}
	if day, ok := dayAlone(s); ok {
		// "the 15th", "15-го", "15 числа": the day of this month or the
		// next (the last, for a date past).
		t, p := nearestDay(today, day, future)
		if p != nil {
			return DateReading{}, p
		}
		return DateReading{Date: t, Guessed: true}, nil
	}
	if m := dateDM.FindStringSubmatch(strings.ReplaceAll(s, " ", "")); m != nil {
		// "20.12", "12/20": a day and a month in figures, without the
		// year. Day first, as with the year; month first when the day-first
		// reading is impossible; a slashed one that reads both ways has the
		// other reading asked, as 03/04/1990 has.
		a, b := atoi(m[1]), atoi(m[3])
		day, month := a, b
		if month > 12 && day <= 12 {
			day, month = b, a
		}
		t, p := nearestDate(today, day, month, future)
		if p != nil {
			return DateReading{}, p
		}
		r := DateReading{Date: t, Guessed: true}
		if m[2] == "/" && a <= 12 && b <= 12 && a != b {
			r.Alt, _ = nearestDate(today, b, a, future)
		}
		return r, nil
	}
	if m := dateDMY.FindStringSubmatch(strings.ReplaceAll(s, " ", "")); m != nil && strings.Contains(s, "/") {
		d, mo := atoi(m[1]), atoi(m[2])
		t, p := parseDate(s, now)
		if p != nil {
			return DateReading{}, p
		}
		r := DateReading{Date: t, Guessed: mo > 12}
		if d <= 12 && mo <= 12 && d != mo {
			r.Alt, _ = makeDate(m[3], m[1], m[2], now)
		}
		return r, nil
	}
	t, p := parseDate(s, now)
	return DateReading{Date: t}, p
}

// pastLead begins a date told in the past: "был вчера", "суд был 3 марта",
// "it was yesterday".
var pastLead = regexp.MustCompile(`^(?:(?:суд|он|она|заседание|the hearing|it|he|she)\s+)?(?:был|была|было|was)\s+(?:on\s+)?`)

// timeTail is a time of day after a date: "в 9 утра", "at 9:30 am",
// "9:00", "10am", "утром", "in the morning".
var timeTail = regexp.MustCompile(`(?:[\s,]+(?:(?:в|во|около|примерно|at|around|about|@)\s*\d{1,2}(?:[:.]\d{2})?` +
	`(?:\s*(?:am|pm|a\.m\.|p\.m\.|утра|вечера|дня|ночи|ч\.?|часов|часа|час))?` +
	`|\d{1,2}:\d{2}(?:\s*(?:am|pm|a\.m\.|p\.m\.|утра|вечера|дня|ночи))?` +
	`|\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.|утра|вечера|дня|ночи)` +
	`|утром|вечером|днём|днем|ночью|in the morning|in the afternoon|in the evening|at night|morning|evening` +
	`|с утра|с самого утра|после обеда|first thing in the morning|first thing))$`)

// dayAloneRe is a day of the month without the month, said as one: "the
// 15th", "on the 1st", "15-го", "15 числа" (a number alone is not).
var dayAloneRe = regexp.MustCompile(`^(?:on\s+)?(?:the\s+)?(\d{1,2})\s*(st|nd|rd|th|-?го|-?е)?(\s+числа)?$`)

// dayAlone reads a day of the month said without its month.
func dayAlone(s string) (int, bool) {
	m := dayAloneRe.FindStringSubmatch(strings.Join(strings.Fields(s), " "))
	if m == nil || m[2] == "" && m[3] == "" {
		return 0, false
	}
	day := atoi(m[1])
	return day, day >= 1 && day <= 31
}

// nearestDay is the day of the month nearest today: this month's, or the
// next one's that has it when it has passed (the last one's when it is to
// come, for a date past). Today counts as both.
func nearestDay(today time.Time, day int, future bool) (time.Time, *Text) {
	step := 1
	if !future {
		step = -1
	}
	for i := range 3 {
		first := time.Date(today.Year(), today.Month()+time.Month(i*step), 1, 0, 0, 0, 0, time.UTC)
		t := first.AddDate(0, 0, day-1)
		if t.Month() != first.Month() {
			continue // the 31st of a month of 30 days
		}
		if future && t.Before(today) || !future && t.After(today) {
			continue
		}
		return t, nil
	}
	return time.Time{}, problem("parse.date_impossible")
}

// dateDM is a day and a month in figures without a year: 20.12, 12/20.
var dateDM = regexp.MustCompile(`^(\d{1,2})([./-])(\d{1,2})\.?$`)

// nearestDate is the day and month in the year that makes it the nearest
// past date to today, or with future set the nearest future one (today
// counts as both).
func nearestDate(today time.Time, day, month int, future bool) (time.Time, *Text) {
	if month < 1 || month > 12 || day < 1 {
		return time.Time{}, problem("parse.date_impossible")
	}
	t := time.Date(today.Year(), time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day {
		if month != 2 || day != 29 {
			return time.Time{}, problem("parse.date_impossible")
		}
	}
	switch {
	case future && t.Before(today):
		t = time.Date(today.Year()+1, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	case !future && t.After(today):
		t = time.Date(today.Year()-1, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	}
	if t.Day() != day { // 29 February in a year without it
		return time.Time{}, problem("parse.date_full_year")
	}
	return t, nil
}

// dayMonth reads a day and a month in words without a year: "28 ноября",
// "Dec 1", "1st of December".
func dayMonth(s string) (day, month int, ok bool) {
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var nums []string
	for _, w := range words {
		if m := ordinal.FindStringSubmatch(w); m != nil {
			w = m[1]
		}
		switch {
		case w == "of" || w == "the" || w == "го" || w == "е":
		case isDigits(w):
			nums = append(nums, w)
		case month == 0 && monthOf(w) > 0:
			month = monthOf(w)
		default:
			return 0, 0, false
		}
	}
	if month == 0 || len(nums) != 1 || len(nums[0]) > 2 {
		return 0, 0, false
	}
	return atoi(nums[0]), month, true
}

// parseDate reads a full date; see ParseDate.
func parseDate(s string, now time.Time) (time.Time, *Text) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimSpace(dateYearWord.ReplaceAllString(s, ""))
	if s == "" {
		return time.Time{}, problem("parse.date")
	}
	numeric := strings.TrimFunc(s, func(r rune) bool {
		return r >= '0' && r <= '9' || r == '.' || r == '/' || r == '-' || unicode.IsSpace(r)
	}) == ""
	if numeric {
		s = dateSpacedSep.ReplaceAllString(s, "$1")
		s = strings.Join(strings.Fields(s), ".")
		if m := dateYMD.FindStringSubmatch(s); m != nil {
			return makeDate(m[1], m[2], m[3], now)
		}
		if m := dateDMY.FindStringSubmatch(s); m != nil {
			d, mo := m[1], m[2]
			if atoi(mo) > 12 && atoi(d) <= 12 {
				d, mo = mo, d
			}
			return makeDate(m[3], mo, d, now)
		}
		return time.Time{}, problem("parse.date")
	}
	return parseWordDate(s, now)
}

// parseWordDate reads a date with the month as a word.
func parseWordDate(s string, now time.Time) (time.Time, *Text) {
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	month := 0
	var nums []string
	for _, w := range words {
		if m := ordinal.FindStringSubmatch(w); m != nil {
			w = m[1]
		}
		switch {
		case w == "of" || w == "the" || w == "го" || w == "е":
		case isDigits(w):
			nums = append(nums, w)
		case month == 0 && monthOf(w) > 0:
			month = monthOf(w)
		default:
			return time.Time{}, problem("parse.date")
		}
	}
	if month == 0 || len(nums) != 2 {
		return time.Time{}, problem("parse.date")
	}
	day, year := nums[0], nums[1]
	if len(day) == 4 {
		day, year = year, day
	}
	if len(day) > 2 || (len(year) != 2 && len(year) != 4) {
		return time.Time{}, problem("parse.date")
	}
	return makeDate(year, strconv.Itoa(month), day, now)
}

// makeDate checks that a year, month and day make a real date.
func makeDate(y, m, d string, now time.Time) (time.Time, *Text) {
	year, month, day := atoi(y), atoi(m), atoi(d)
	if len(y) == 2 {
		year += 2000
		if year > now.Year() {
			return time.Time{}, problem("parse.date_full_year")
		}
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if month < 1 || month > 12 || day < 1 || t.Day() != day || t.Month() != time.Month(month) {
		return time.Time{}, problem("parse.date_impossible")
	}
	return t, nil
}

// latestToday is the last calendar day that is today somewhere on Earth:
// a relative in Moscow or Almaty may be a day ahead of UTC.
func latestToday(now time.Time) time.Time {
	n := now.UTC()
	return time.Date(n.Year(), n.Month(), n.Day()+1, 0, 0, 0, 0, time.UTC)
}

// ParseBirthDate reads a date of birth: not in the future, not before 1900.
func ParseBirthDate(s string, now time.Time) (time.Time, *Text) {
	low := strings.ToLower(strings.TrimSpace(s))
	_, relative := relativeDay(low)
	_, span := spanDate(low, now)
	if _, weekday := weekdayDate(low, now, false); weekday || relative || span {
		return time.Time{}, problem("parse.date_need_year") // "вчера" is nobody's birthday here
	}
	if _, _, ok := dayMonth(low); ok || dateDM.MatchString(strings.ReplaceAll(low, " ", "")) {
		return time.Time{}, problem("parse.date_need_year")
	}
	if _, ok := dayAlone(low); ok {
		return time.Time{}, problem("parse.date_need_year") // "15-го": of which month and year?
	}
	t, p := ParseDate(s, now)
	switch {
	case p != nil:
		return t, p
	case t.After(latestToday(now)):
		return time.Time{}, problem("parse.date_future")
	case t.Year() < 1900:
		return time.Time{}, problem("parse.date_too_old")
	}
	return t, nil
}

// birthDateOnly is a birth date typed without the words that say it is
// one: "дата рождения 01.02.1980", "born 01/02/1980", "15 марта 1985 года
// рождения" were refused for their words.
func birthDateOnly(v string) string {
	return strings.TrimSpace(birthTail.ReplaceAllString(birthLabel.ReplaceAllString(strings.TrimSpace(v), ""), ""))
}

// birthLabel and birthTail are the words that say a date is a birth date,
// before or after it.
var (
	birthLabel = regexp.MustCompile(`(?i)^(?:дата\s+рождения|день\s+рождения|д\.\s?р\.|др|родил(?:ся|ась)|` +
		`born(?:\s+on)?|dob|d\.o\.b\.?|date\s+of\s+birth|birth\s*date|birthday)(?:\s*[:=—–-]\s*|\s+)(?:is\s+)?`)
	birthTail = regexp.MustCompile(`(?i)\s*(?:года\s+рождения|г\.\s?р\.?)\s*$`)
)

// shortYear is a date ending in a two-digit year: "15.03.85", "15 марта
// 85 г.".
var shortYear = regexp.MustCompile(`^(.*\D)(\d{2})(\s*(?:г|года?)?\.?)$`)

// relationWords name a relative or friend after "мой", "my" at the head
// of a name (lower case).
// ParseRelationship reads who the reporter is to the detained person,
// without the words around it: "I'm his brother" is "brother", "я его
// жена" is "жена" — as the card reads "Reporter is the person's: brother".
func ParseRelationship(s string, max int) (string, *Text) {
	v, p := ParseWords(s, max)
	if p != nil {
		return "", p
	}
	f := strings.Fields(v)
	for n := min(3, len(f)-1); n >= 1; n-- {
		if selfAsRelation[captionKey(strings.Join(f[:n], " "))] &&
			relationWords[strings.ToLower(strings.Trim(f[n], ",.!"))] {
			return strings.Join(f[n:], " "), nil
		}
	}
	return v, nil
}

// nameWithRelation splits "Alex, his brother in law", "Мария (жена)",
// "Maria - his wife" into the name and the relation, when what follows the
// name is a relation (relationWords) and no more than four words.
func nameWithRelation(s string) (name, relation string, ok bool) {
	if name, relation, ok = nameAfterRelation(s); ok {
		return name, relation, true
	}
	i := strings.IndexAny(s, ",(")
	if j := strings.Index(s, " - "); j > 0 && (i < 0 || j < i) {
		i = j
	}
	if i <= 0 {
		return "", "", false
	}
	name, p := ParseName(strings.TrimSpace(s[:i]), maxName)
	if p != nil {
		return "", "", false
	}
	rest := strings.Trim(s[i:], " ,()-–—.")
	relation, p = ParseRelationship(rest, maxShort)
	f := strings.Fields(relation)
	if p != nil || len(f) == 0 || len(f) > 4 || !relationWords[strings.ToLower(strings.Trim(f[0], ",.!"))] {
		return "", "", false
	}
	return name, relation, true
}

// nameAfterRelation is nameWithRelation the other way round: "I'm his
// mom, Rosa", "я его сестра, Мария". The name was all of it.
func nameAfterRelation(s string) (name, relation string, ok bool) {
	head, rest, found := strings.Cut(s, ",")
	if !found {
		// "я его жена Оля", "I'm his mom Rosa": the relation's word among
		// the first few, then a name in capitals.
		words := strings.Fields(s)
		i := slices.IndexFunc(words, func(w string) bool { return relationWords[strings.ToLower(strings.Trim(w, ".!"))] })
		if i < 0 || i > 3 || len(words)-i-1 < 1 || len(words)-i-1 > 3 ||
			slices.ContainsFunc(words[i+1:], func(w string) bool { r, _ := utf8.DecodeRuneInString(w); return !unicode.IsUpper(r) }) {
			return "", "", false
		}
		head, rest = strings.Join(words[:i+1], " "), strings.Join(words[i+1:], " ")
	}
	relation, p := ParseRelationship(strings.TrimSpace(head), maxShort)
	f := strings.Fields(relation)
	if p != nil || len(f) == 0 || len(f) > 4 || !relationWords[strings.ToLower(strings.Trim(f[0], ",.!"))] {
		return "", "", false
	}
	name, p = ParseName(strings.Trim(rest, " ,.!"), maxName)
	if p != nil || len(strings.Fields(name)) > 4 || relationWords[strings.ToLower(name)] {
		return "", "", false
	}
	return name, relation, true
}

// selfAsRelation are the words before a relation in "I'm his brother", "я
// его жена" (captionKey).
var selfAsRelation = map[string]bool{"i m his": true, "i m her": true, "i am his": true, "i am her": true,
	"im his": true, "im her": true, "i m": true, "i am": true, "im": true, "his": true, "her": true, "i m the": true,
	"i am the": true, "я его": true, "я ее": true, "я": true, "его": true, "ее": true, "я их": true,
	"a": true, "an": true, "the": true, "i m a": true, "i am a": true, "im a": true}

var relationWords = map[string]bool{"сын": true, "дочь": true, "муж": true, "жена": true, "брат": true,
	"сестра": true, "отец": true, "мать": true, "мама": true, "папа": true, "друг": true, "подруга": true,
	"племянник": true, "племянница": true, "дядя": true, "тетя": true, "тётя": true, "внук": true,
	"внучка": true, "зять": true, "сожитель": true, "партнер": true, "партнёр": true, "жених": true,
	"невеста": true, "son": true, "daughter": true, "husband": true, "wife": true, "brother": true,
	"sister": true, "father": true, "mother": true, "mom": true, "dad": true, "friend": true,
	"nephew": true, "niece": true, "uncle": true, "aunt": true, "cousin": true, "grandson": true,
	"partner": true, "boyfriend": true, "girlfriend": true, "fiance": true, "fiancé": true,
	"neighbor": true, "neighbour": true, "coworker": true, "colleague": true, "сосед": true, "соседка": true,
	"коллега": true}

// possessives come before a relation word ("мой сын", "my husband").
var possessives = map[string]bool{"мой": true, "моя": true, "наш": true, "наша": true, "это": true,
	"my": true, "our": true, "it's": true}

// withoutRelation returns a name typed after who the person is to the
// reporter ("Мой сын Алексей Смирнов", "my husband, Jose Garcia", "Муж,
// Рустам Алиев"): the name, and true; false when the name begins
// otherwise. Without "мой" or "my" the relation word must be set off by a
// comma, a colon or a dash: "Son" is a surname too.
func withoutRelation(v string) (string, bool) {
	f := strings.Fields(v)
	i := 0
	for i < len(f) && i < 2 && possessives[strings.ToLower(strings.Trim(f[i], ",:—–-"))] {
		i++
	}
	if i >= len(f) || !relationWords[strings.ToLower(strings.Trim(f[i], ",:—–-"))] || i+1 >= len(f) {
		return v, false
	}
	if i == 0 && !strings.ContainsAny(f[0], ",:—–-") && strings.Trim(f[1], "—–-") != "" {
		return v, false
	}
	rest := strings.Trim(strings.Join(f[i+1:], " "), " ,:—–-")
	return rest, rest != ""
}

// titleIfLower writes a name typed all in small letters with capitals
// ("иван петров": "Иван Петров"); any capital typed is kept as typed.
func titleIfLower(v string) string {
	if strings.ToLower(v) != v {
		return v
	}
	f := strings.Fields(v)
	for i, w := range f {
		r, n := utf8.DecodeRuneInString(w)
		f[i] = string(unicode.ToUpper(r)) + w[n:]
	}
	return strings.Join(f, " ")
}

// fullBirthYear writes out the two-digit year of a date of birth, as
// relatives write birth dates: this century's when it has come ("15.03.05":
// 2005), else the last one's ("15.03.85": 1985, where 2085 is to come);
// false when the text is not a date with a two-digit year.
func fullBirthYear(s string, now time.Time) (string, bool) {
	s = strings.TrimSpace(s)
	m := shortYear.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	yy := atoi(m[2])
	t, p := ParseDate(s, now)
	switch {
	case p != nil && p.ID == "parse.date_full_year":
	case p == nil && t.Year() == 2000+yy && !strings.Contains(s, strconv.Itoa(t.Year())):
	default:
		return "", false // not a date, or its year written in full
	}
	century := "20"
	if 2000+yy > now.Year() {
		century = "19"
	}
	return m[1] + century + m[2] + m[3], true
}

// birthYear is a year of birth on its own: "1985", "1985 г.", "примерно
// 1985", "born in 1985" — one four-digit number and no month.
var birthYear = regexp.MustCompile(`^\D*?(\d{4})\D*$`)

// ParseBirthYear reads a birth date given as the year alone, which is all
// many relatives know, or as a month and a year ("март 1985"): the year, or
// false when the text is not a year of birth (other numbers, before 1900 or
// in the future).
func ParseBirthYear(s string, now time.Time) (int, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	m := birthYear.FindStringSubmatch(s)
	if m == nil || utf8.RuneCountInString(s) > 60 {
		return 0, false
	}
	y := atoi(m[1])
	if y < 1900 || y > now.UTC().Year() {
		return 0, false
	}
	return y, true
}

// refusesName reports whether a reporter's answer to "what is your name?"
// declines to give one: "не хочу говорить", "аноним", "anonymous".
func refusesName(s string) bool {
	switch captionKey(strings.NewReplacer("’", "", "'", "").Replace(s)) { // "I’d" as "Id"
	case "не хочу говорить", "не хочу называть", "не скажу", "не буду говорить", "не хочу", "аноним", "анонимно",
		"анонимная", "анонимный", "без имени", "не важно", "неважно", "это не важно", "anonymous", "anon",
		"prefer not to say", "i prefer not to say", "id rather not say", "rather not say", "id rather not",
		"no name", "not important", "doesnt matter", "it doesnt matter", "none of your business":
		return true
	}
	return false
}

// ageRe is an age given where a birth date is asked: "ему 35 лет", "he is
// 35", "about 40 years old"; with the words that make the number an age.
var ageRe = regexp.MustCompile(`^(?:(?:ему|ей|him|he is|he's|she is|she's|age|возраст)[\s:]*)?` +
	`(?:примерно|около|где-то|about|around|approximately|~)?\s*(\d{1,2})\s*` +
	`(?:лет|год|года|years old|year old|years|yrs|y\.?o\.?)?\.?$`)

// ageNearRe is an age given as nearly or past a round one: "ему под 40",
// "почти 30", "ей за 50", "he's almost 40", "over 50".
var ageNearRe = regexp.MustCompile(`^(?:(?:ему|ей|him|he is|he's|she is|she's)\s+)?(?:уже\s+)?` +
	`(под|почти|за|больше|старше|almost|nearly|over)\s+(\d{1,2})\s*(?:лет|год|года|years old|years)?\.?$`)

// ageDecadeRe is an age given by its decade: "in his 40s", "he's in his
// forties" is not read (words for numbers are not).
var ageDecadeRe = regexp.MustCompile(`^(?:(?:he|she)(?:\s+is|'s|’s|s)?\s+)?in\s+(?:his|her|their)\s+([2-9])0'?s\.?$`)

// ageAboutRe is an age put the Russian way of "about": "лет 40", "ему лет
// 35".
var ageAboutRe = regexp.MustCompile(`^(?:(?:ему|ей)\s+)?(?:примерно\s+|около\s+|где-то\s+)?лет\s*(\d{1,2})\.?$`)

// ParseAge reads an age typed where the birth date is asked ("ему 35 лет",
// "he is 35"): the year of birth it makes most likely, halfway through the
// year of ages it allows, or false. A number alone is not an age: "85" may
// be a year.
func ParseAge(s string, now time.Time) (int, bool) {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	// "Не знаю, лет 40", "not sure, about 40": the age guessed.
	for _, lead := range []string{"не знаю точно", "точно не знаю", "не знаю", "not sure", "i don't know", "i don’t know",
		"don't know", "don’t know", "i'm not sure", "i’m not sure"} {
		if rest, ok := strings.CutPrefix(s, lead); ok && rest != "" && strings.ContainsRune(" ,.;:—–-", []rune(rest)[0]) {
			s = strings.TrimLeft(rest, " ,.;:—–-")
			break
		}
	}
	if d := ageDecadeRe.FindStringSubmatch(s); d != nil {
		// "He's in his 40s": the middle of them, 45.
		return now.UTC().AddDate(-(atoi(d[1])*10 + 5), -6, 0).Year(), true
	}
	if m := ageNearRe.FindStringSubmatch(s); m != nil {
		// "Ему под 40": a year or so short of it; "ему за 40", a few
		// years past it.
		age := atoi(m[2]) + 2
		if !slices.Contains([]string{"за", "over", "больше", "старше"}, m[1]) {
			age = atoi(m[2]) - 1
		}
		if age < 1 {
			return 0, false
		}
		return now.UTC().AddDate(-age, -6, 0).Year(), true
	}
	m := ageRe.FindStringSubmatch(s)
	if m == nil {
		// "Лет 40": about forty, the Russian way.
		m = ageAboutRe.FindStringSubmatch(s)
	}
	if m == nil && strings.ContainsAny(s, ",;") && countDigits(s) <= 2 {
		// "Ему 34 года, родился летом": the age in a clause of its own,
		// the rest in words.
		for _, clause := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
			if y, ok := ParseAge(clause, now); ok {
				return y, true
			}
		}
	}
	if m == nil || strings.TrimSpace(strings.Trim(s, "~.")) == m[1] {
		return 0, false
	}
	age := atoi(m[1])
	if age < 1 {
		return 0, false
	}
	return now.UTC().AddDate(-age, -6, 0).Year(), true
}

// yearIn is a four-digit year inside a text.
var yearIn = regexp.MustCompile(`(^|\D)\d{4}(\D|$)`)

// monthOnly reports whether a date names its month but no day: "в
// январе", "early November", "март 2025" — where the day is asked for,
// not the date refused as unread.
func monthOnly(s string) bool {
	s = strings.ToLower(s)
	if n := countDigits(s); n != 0 && (n != 4 || !yearIn.MatchString(s)) {
		return false
	}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) {
		// "в январе", "в мае": the month in the prepositional case.
		if w == "мае" || monthOf(w) > 0 || strings.HasSuffix(w, "е") && utf8.RuneCountInString(w) > 4 &&
			monthOf(strings.TrimSuffix(w, "е")) > 0 {
			return true
		}
	}
	return false
}

// yearOnly reports whether s is a year alone, a month and day not known:
// "2019", "in 2019", "в 2019 году", "примерно 2019".
func yearOnly(s string) bool {
	s = strings.ToLower(s)
	if countDigits(s) != 4 || !yearIn.MatchString(s) {
		return false
	}
	filler := map[string]bool{"in": true, "year": true, "around": true, "about": true, "maybe": true, "i": true,
		"think": true, "only": true, "the": true, "в": true, "году": true, "год": true, "г": true, "примерно": true,
		"около": true, "кажется": true, "наверное": true, "только": true, "знаю": true, "know": true}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if !filler[w] {
			return false
		}
	}
	return true
}

// ParseDetentionDate reads the date of a detention: not in the future and
// not before the birth date, when that is known (zero when not).
func ParseDetentionDate(s string, now, born time.Time) (time.Time, *Text) {
	t, p := ParseDate(s, now)
	switch {
	case p != nil:
		return t, p
	case t.After(latestToday(now)):
		return time.Time{}, problem("parse.date_future")
	case t.Year() < 1950 || (!born.IsZero() && t.Before(born)):
		return time.Time{}, problem("parse.date_before_birth")
	}
	return t, nil
}

// ParseHearingDate reads a court hearing date: usually in the future, but
// within ten years either way of today, which catches a mistyped year.
func ParseHearingDate(s string, now time.Time) (time.Time, *Text) {
	r, p := readHearingDate(s, now)
	return r.Date, p
}

// readHearingDate is ParseHearingDate with the whole reading: the other
// reading of a slashed date, and whether it was completed.
func readHearingDate(s string, now time.Time) (DateReading, *Text) {
	r, p := ReadDate(s, now, true)
	switch {
	case p != nil:
		return r, p
	case r.Date.Year() < now.Year()-10 || r.Date.Year() > now.Year()+10:
		return DateReading{}, problem("parse.date_year_check")
	}
	return r, nil
}

// maxMarks is how many combining marks in a row a character keeps: enough
// for any script people here write names in (after NFC, Cyrillic and Latin
// need none), too few for text that piles marks up to cover other lines.
const maxMarks = 2

// Clean makes typed text safe to store and show: it is normalised to NFC
// (one spelling of "й", so that names compare equal), invisible format
// and control characters are dropped — right-to-left overrides and
// isolates that make a name read backwards, zero-width characters that
// hide text or split words, soft hyphens, byte-order marks — except line
// breaks and tabs (a tab becomes a space), and combining marks beyond
// maxMarks in a row are dropped.
func Clean(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	marks := 0
	for _, r := range s {
		switch {
		case r == '\n':
		case r == '\t':
			r = ' '
		case unicode.Is(unicode.Cf, r), unicode.IsControl(r), r == utf8.RuneError:
			continue
		}
		if unicode.In(r, unicode.Mn, unicode.Me) {
			if marks++; marks > maxMarks {
				continue
			}
		} else {
			marks = 0
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ParseName keeps a name as typed, trimmed and with inner spaces collapsed.
// It is refused when empty, longer than max characters, or without a single
// letter (digits only, emoji only).
func ParseName(s string, max int) (string, *Text) {
	v := strings.Join(strings.Fields(Clean(s)), " ")
	if v == "" {
		return "", problem("parse.empty")
	}
	if n := utf8.RuneCountInString(v); n > max {
		return "", tooLong(n, max)
	}
	if !hasLetter(v) || strings.ContainsAny(v, notInNames) {
		return "", problem("parse.name")
	}
	return v, nil
}

// notInNames are characters no one's name has; text with them is markup,
// code or a message typed into the wrong question.
const notInNames = "<>{}[]|\\/=+*#$%^~`@_;"

// ParseLawyer reads who the lawyer is: a name, a firm, with commas and
// contacts ("John Smith, Smith Law Firm, +1 305 555 0100"). It needs a
// letter and no markup.
func ParseLawyer(s string, max int) (string, *Text) {
	v := strings.Join(strings.Fields(Clean(s)), " ")
	if v == "" {
		return "", problem("parse.empty")
	}
	if n := utf8.RuneCountInString(v); n > max {
		return "", tooLong(n, max)
	}
	if !hasLetter(v) || strings.ContainsAny(v, "<>{}[]|\\=`") {
		return "", problem("parse.lawyer")
	}
	return v, nil
}

// Country writes a country's name with capitals, as people expect to read
// it back: "россия" → "Россия", "united states" → "United States"; short
// words inside stay as typed ("Bosnia and Herzegovina").
func Country(s string) string {
	words := countryWords(strings.Fields(s))
	if len(words) > 4 {
		// A sentence, not a name: kept as typed ("У Него Паспорт" read
		// badly).
		return strings.Join(strings.Fields(s), " ")
	}
	if known := knownCountries(words); known != "" {
		// "я же писала Таджикистан": the country, not "Я Же Писала
		// Таджикистан".
		return known
	}
	if c := demonymCountry(words); c != "" {
		// "паспорт российский", "он узбек", "Russian passport": the
		// country; "Российский Паспорт" was stored, read in no table.
		return c
	}
	for i, w := range words {
		r, n := utf8.DecodeRuneInString(w)
		if i > 0 && utf8.RuneCountInString(w) <= 3 {
			continue
		}
		words[i] = string(unicode.ToUpper(r)) + w[n:]
	}
	return strings.Join(words, " ")
}

// knownCountries are the countries of countriesRU that words name, by
// their Russian names in any case ("в Мексике", "Таджикистана") or their
// English ones, joined as they were said ("Россия и Узбекистан", "Mexico
// or Guatemala"); "" when they name none.
func knownCountries(words []string) string {
	var found []string
	either, cyrillic := false, false
	for i := 0; i < len(words); i++ {
		w := ruKey(strings.Trim(words[i], ",.!?;:()\"«»"))
		if w == "или" || w == "or" {
			either = true
		}
		var pair string
		if i+1 < len(words) {
			pair = w + " " + ruKey(strings.Trim(words[i+1], ",.!?;:()\"«»"))
		}
		name, two := countryNamed(pair)
		if two {
			i++
		} else {
			name, _ = countryNamed(w)
		}
		if name != "" && !slices.Contains(found, name) {
			found = append(found, name)
			cyrillic = cyrillic || hasCyrillic(name)
		}
	}
	and, or := " and ", " or "
	if cyrillic {
		and, or = " и ", " или "
	}
	if either {
		and = or
	}
	return strings.Join(found, and)
}

// demonymCountry is the one country words name by its adjective or its
// people ("российский", "узбекское", "таджик", "Russian", "Uzbek"), as
// countryNamed writes it; "" for none, or for two ("русский, из
// Узбекистана" is for the reader).
func demonymCountry(words []string) string {
	found := ""
	for _, w := range words {
		w = ruKey(strings.Trim(w, ",.!?;:()\"«»"))
		var c string
		if hasCyrillic(w) {
			for _, d := range demonymsRU {
				if strings.HasPrefix(w, d[0]) {
					c = capitalWords(d[1])
					break
				}
			}
		} else if en, ok := demonymsEN[w]; ok {
			c = en
		}
		switch {
		case c == "" || c == found:
		case found != "":
			return ""
		default:
			found = c
		}
	}
	return found
}

// demonymsRU are the beginnings of the adjectives and the peoples' names
// of the countries most callers come from (lower case, е for ё), with the
// country as countriesRU keys it; longer beginnings first.
var demonymsRU = [][2]string{
	{"российск", "россия"}, {"русск", "россия"}, {"украинск", "украина"}, {"украинец", "украина"}, {"украинк", "украина"},
	{"белорусск", "беларусь"}, {"белорус", "беларусь"}, {"казахстанск", "казахстан"}, {"казахск", "казахстан"},
	{"казах", "казахстан"}, {"узбекск", "узбекистан"}, {"узбек", "узбекистан"}, {"кыргызск", "кыргызстан"},
	{"киргизск", "кыргызстан"}, {"кыргыз", "кыргызстан"}, {"киргиз", "кыргызстан"}, {"таджикск", "таджикистан"},
	{"таджик", "таджикистан"}, {"туркменск", "туркменистан"}, {"туркмен", "туркменистан"},
	{"азербайджанск", "азербайджан"}, {"азербайджанец", "азербайджан"}, {"армянск", "армения"}, {"армянин", "армения"},
	{"грузинск", "грузия"}, {"грузин", "грузия"}, {"молдавск", "молдова"}, {"молдаван", "молдова"},
	{"молдован", "молдова"}, {"мексиканск", "мексика"}, {"мексиканец", "мексика"}, {"гватемальск", "гватемала"},
	{"гондурасск", "гондурас"}, {"сальвадорск", "сальвадор"}, {"венесуэльск", "венесуэла"}, {"колумбийск", "колумбия"},
	{"эквадорск", "эквадор"}, {"кубинск", "куба"}, {"кубинец", "куба"}, {"гаитянск", "гаити"}, {"индийск", "индия"},
	{"китайск", "китай"}, {"турецк", "турция"}, {"афганск", "афганистан"}, {"иранск", "иран"},
}

// demonymsEN are the adjectives of the same countries in English (lower
// case), with their English names.
var demonymsEN = map[string]string{
	"russian": "Russia", "ukrainian": "Ukraine", "belarusian": "Belarus", "kazakh": "Kazakhstan",
	"kazakhstani": "Kazakhstan", "uzbek": "Uzbekistan", "kyrgyz": "Kyrgyzstan", "tajik": "Tajikistan",
	"turkmen": "Turkmenistan", "azerbaijani": "Azerbaijan", "armenian": "Armenia", "georgian": "Georgia",
	"moldovan": "Moldova", "mexican": "Mexico", "guatemalan": "Guatemala", "honduran": "Honduras",
	"salvadoran": "El Salvador", "salvadorean": "El Salvador", "venezuelan": "Venezuela", "colombian": "Colombia",
	"ecuadorian": "Ecuador", "cuban": "Cuba", "haitian": "Haiti", "indian": "India", "chinese": "China",
	"turkish": "Turkey", "afghan": "Afghanistan", "iranian": "Iran", "nicaraguan": "Nicaragua",
	"peruvian": "Peru", "brazilian": "Brazil",
}

// countryNamed is the country a word (or two) names, as the countries'
// tables hold it, with capitals; ok says it named one.
func countryNamed(w string) (name string, ok bool) {
	if w == "" {
		return "", false
	}
	if hasCyrillic(w) {
		for _, f := range ruForms(w) {
			if _, ok := countriesRU[f]; ok && utf8.RuneCountInString(f) <= 3 {
				return strings.ToUpper(f), true // "РФ", "США"
			} else if ok {
				return capitalWords(f), true
			}
		}
		return "", false
	}
	for _, en := range countriesRU {
		if strings.EqualFold(en, w) {
			return en, true
		}
	}
	// Russian typed in Latin letters ("iz Uzbekistana", "v Meksike"):
	// the country's English name.
	forms := []string{w}
	for _, end := range [][2]string{{"a", ""}, {"e", ""}, {"ii", "iya"}, {"ki", "ka"}, {"ke", "ka"}, {"y", "a"}, {"i", "ya"}} {
		if stem, ok := strings.CutSuffix(w, end[0]); ok {
			forms = append(forms, stem+end[1])
		}
	}
	for _, f := range forms {
		if en, ok := countriesTranslit()[f]; ok {
			return en, true
		}
	}
	return "", false
}

// ruForms are the forms a Russian place name (lower case, е for ё) may
// stand for as its tables key it: itself, brought back from the genitive
// ("Таджикистана", nominative), or from the prepositional ("в
// Таджикистане", "в Мексике", "в Бруклине").
func ruForms(w string) []string {
	forms := []string{w, ruKey(nominative(w))}
	if stem, ok := strings.CutSuffix(w, "е"); ok {
		forms = append(forms, stem, stem+"а")
	}
	return forms
}

// countriesTranslit are the English names of countriesRU by their Russian
// names in Latin letters (Translit, lower case): "uzbekistan", "rossiya".
var countriesTranslit = sync.OnceValue(func() map[string]string {
	m := make(map[string]string, len(countriesRU))
	for ru, en := range countriesRU {
		m[Translit(ru)] = en
	}
	return m
})

// capitalWords writes each word, and each part of a hyphenated one, with
// a capital: "коста-рика" → "Коста-Рика", "южная корея" → "Южная Корея".
func capitalWords(s string) string {
	b := []rune(s)
	for i, r := range b {
		if i == 0 || b[i-1] == ' ' || b[i-1] == '-' {
			b[i] = unicode.ToUpper(r)
		}
	}
	return string(b)
}

// countryHedges are words said around a country's name: "вроде из
// Гондураса", "I think from Mexico", "he is from Cuba".
var countryHedges = map[string]bool{"вроде": true, "кажется": true, "наверное": true, "наверно": true,
	"думаю": true, "он": true, "она": true, "родом": true, "родился": true, "родилась": true, "в": true,
	"i": true, "think": true, "maybe": true, "probably": true, "he": true, "she": true, "is": true,
	"was": true, "born": true, "in": true, "from": true, "he's": true, "she's": true, "originally": true,
	"у": true, "него": true, "нее": true, "неё": true, "есть": true, "паспорт": true, "паспорта": true,
	"гражданин": true, "гражданка": true, "гражданство": true, "has": true, "a": true, "citizen": true, "of": true,
	"iz": true, "v": true, "rodom": true, "vrode": true} // Russian typed in Latin letters

// genitiveAfter are the words a country's name follows in the genitive:
// "из России", "паспорт России", "гражданин Узбекистана".
var genitiveAfter = map[string]bool{"из": true, "паспорт": true, "паспорта": true, "гражданин": true,
	"гражданка": true, "гражданство": true}

// countryTails are the words said after a country's name: "Mexican
// passport".
var countryTails = map[string]bool{"passport": true, "passports": true, "citizen": true, "citizenship": true}

// countryWords drops the hedges before a country's name and brings a
// Russian name after "из" back from its case: "из Гондураса" → "Гондурас",
// "из Мексики" → "Мексика", "из России" → "Россия".
func countryWords(words []string) []string {
	lead := 0
	for lead < len(words)-1 {
		w := strings.ToLower(strings.Trim(words[lead], ",.!?"))
		if w != "из" && !countryHedges[w] {
			break
		}
		lead++
	}
	after := lead > 0 && genitiveAfter[strings.ToLower(strings.Trim(words[lead-1], ",.!?"))]
	words = slices.Clone(words[lead:])
	for len(words) > 1 && countryTails[strings.ToLower(strings.Trim(words[len(words)-1], ",.!?"))] {
		words = words[:len(words)-1]
	}
	// One name, or two ("паспорт России и Узбекистана": two
	// citizenships), each brought back from its case.
	if after && (len(words) == 1 || len(words) == 3 && strings.EqualFold(words[1], "и")) {
		for i := 0; i < len(words); i += 2 {
			if hasCyrillic(words[i]) {
				words[i] = nominative(strings.Trim(words[i], ",.!?"))
			}
		}
	}
	return words
}

// nominative is a Russian country's name in the genitive (after "из")
// brought back: -ии → -ия, -ы → -а, -ки/-ги/-хи → -ка…, -и → -ь, -я → -й,
// -а after a consonant dropped.
func nominative(w string) string {
	r := []rune(w)
	n := len(r)
	if n < 4 {
		return w
	}
	last, prev := r[n-1], r[n-2]
	switch {
	case prev == 'и' && last == 'и':
		return string(r[:n-1]) + "я"
	case last == 'ы':
		return string(r[:n-1]) + "а"
	case last == 'и' && strings.ContainsRune("кгхжшчщ", prev):
		return string(r[:n-1]) + "а"
	case last == 'и':
		return string(r[:n-1]) + "ь"
	case last == 'я' && strings.ContainsRune("аеиоуыэюя", prev):
		return string(r[:n-1]) + "й"
	case last == 'а' && !strings.ContainsRune("аеёиоуыэюя", prev):
		return string(r[:n-1])
	}
	return w
}

// ParseText keeps a free-text answer as typed, only trimmed; line breaks
// stay. It is refused when empty or longer than max characters.
func ParseText(s string, max int) (string, *Text) {
	v := strings.TrimSpace(Clean(s))
	if v == "" {
		return "", problem("parse.empty")
	}
	if n := utf8.RuneCountInString(v); n > max {
		return "", tooLong(n, max)
	}
	if !hasLetter(v) && !hasDigit(v) {
		return "", problem("parse.words")
	}
	return v, nil
}

// ParseWords is ParseText for a short answer that must be in words: a
// country, a relationship. Inner spaces are collapsed.
func ParseWords(s string, max int) (string, *Text) {
	v := strings.Join(strings.Fields(Clean(s)), " ")
	if v == "" {
		return "", problem("parse.empty")
	}
	if n := utf8.RuneCountInString(v); n > max {
		return "", tooLong(n, max)
	}
	if !hasLetter(v) {
		return "", problem("parse.words")
	}
	return v, nil
}

// ParseState reads the reporter's state or ZIP code: words ("Florida",
// "живу в Бруклине"), or a ZIP code of 5 digits, or 9 as ZIP+4 ("33101",
// "10001-1234"), which the question asks for and which was refused for
// having no letters.
func ParseState(s string, max int) (string, *Text) {
	v := strings.Join(strings.Fields(Clean(s)), " ")
	if zipRe.MatchString(v) {
		return v, nil
	}
	if v != "" && !hasLetter(v) {
		return "", problem("parse.state")
	}
	if strings.ToLower(v) == v && !hasDigit(v) && len(strings.Fields(v)) <= 3 {
		// "texas", "new york", "tx" typed on a phone: as the state's name
		// is written, "Texas", "New York", "TX".
		words := strings.Fields(v)
		for i, w := range words {
			if r, n := utf8.DecodeRuneInString(w); len(words) == 1 && utf8.RuneCountInString(w) == 2 {
				words[i] = strings.ToUpper(w)
			} else {
				words[i] = string(unicode.ToUpper(r)) + w[n:]
			}
		}
		v = strings.Join(words, " ")
	}
	return ParseWords(v, max)
}

// zipRe is a US ZIP code, ZIP+4 too.
var zipRe = regexp.MustCompile(`^[0-9]{5}(-?[0-9]{4})?$`)

var (
	emailRe    = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$`)
	usernameRe = regexp.MustCompile(`^@?([A-Za-z][A-Za-z0-9_]{3,31})$`)
	phoneRe    = regexp.MustCompile(`^\+?[0-9 ()./-]+$`)
)

// phoneLead is a phone number at the start of an answer, before a note:
// "+7 916 123-45-67, лучше в WhatsApp".
var phoneLead = regexp.MustCompile(`^([+(]?[0-9][0-9 ()./-]*[0-9])[\s,;:–—-]+(\pL.*)$`)

// phoneIn finds a phone number inside text: "John Smith, Smith Law Firm,
// +1 305 555 0100" → "+1 305 555 0100", "Olga, (212) 555-0188" →
// "(212) 555-0188"; "" when there is none.
var phoneIn = regexp.MustCompile(`[+(]?[0-9][0-9 ().-]{5,}[0-9]`)

// FindPhone returns the first run of 7 to 15 digits written like a phone
// number inside s, trimmed; "" when there is none.
func FindPhone(s string) string {
	for _, m := range phoneIn.FindAllString(s, -1) {
		if n := countDigits(m); n >= 7 && n <= 15 {
			return strings.Join(strings.Fields(m), " ")
		}
	}
	return ""
}

// withoutPhone is a lawyer's name typed with the phone p (FindPhone) once
// the phone is its own answer: "Светлана, 713-555-0199" → "Светлана"; the
// name read "Светлана, 713-555-0199" beside "Contact: 713-555-0199". As
// typed when nothing else is left.
func withoutPhone(name, p string) string {
	for _, m := range phoneIn.FindAllString(name, -1) {
		if strings.Join(strings.Fields(m), " ") != p {
			continue
		}
		rest := strings.Trim(strings.Replace(name, m, " ", 1), " ,;:—–-")
		rest = strings.Join(strings.Fields(rest), " ")
		// The words that led to the number: "Светлана Ким, ее номер".
		for {
			lead := ""
			for _, w := range phoneLeads {
				if strings.HasSuffix(strings.ToLower(rest), " "+w) && len(w) > len(lead) {
					lead = w
				}
			}
			if lead == "" {
				break
			}
			rest = strings.Trim(rest[:len(rest)-len(lead)], " ,;:—–-")
		}
		if !hasLetter(rest) {
			return name
		}
		return rest
	}
	return name
}

// phoneLeads are the words before a phone number told with a name (lower
// case): "ее номер", "tel.", "his cell".
var phoneLeads = []string{"номер", "ее номер", "её номер", "его номер", "номер телефона", "телефон", "тел", "тел.",
	"phone", "phone number", "number", "her number", "his number", "cell", "her cell", "his cell", "tel", "tel.", "ph",
	"ph.", "at", "по номеру"}

// ParseUsername reads a Telegram username typed without the @:
// "maria_sandbox" → "@maria_sandbox"; ok is false for anything else.
func ParseUsername(s string) (string, bool) {
	v := strings.TrimSpace(s)
	if strings.HasPrefix(v, "@") || !usernameRe.MatchString(v) {
		return "", false
	}
	return "@" + v, true
}

// ParseContact reads a way to reach someone: a phone number (7 to 15
// digits, with the usual +, spaces, dashes and brackets), optionally
// followed by a note ("+7 916 123-45-67, лучше в WhatsApp"), an e-mail
// address, or a Telegram username (@name, or a t.me/name link, kept as
// @name). A username without the @ is the caller's to confirm
// (ParseUsername).
func ParseContact(s string) (string, *Text) {
	v := strings.TrimSpace(Clean(s))
	if v == "" {
		return "", problem("parse.empty")
	}
	if n := utf8.RuneCountInString(v); n > maxName {
		return "", tooLong(n, maxName)
	}
	for _, p := range []string{"https://t.me/", "http://t.me/", "t.me/"} {
		if rest, ok := strings.CutPrefix(strings.ToLower(v), p); ok {
			v = "@" + v[len(v)-len(rest):]
			break
		}
	}
	switch {
	case emailRe.MatchString(v):
		return v, nil
	case strings.HasPrefix(v, "@") && usernameRe.MatchString(v):
		return v, nil
	case phoneRe.MatchString(v):
		if n := countDigits(v); n >= 7 && n <= 15 {
			return strings.Join(strings.Fields(v), " "), nil
		}
	}
	if m := phoneLead.FindStringSubmatch(v); m != nil {
		if n := countDigits(m[1]); n >= 7 && n <= 15 {
			return strings.Join(strings.Fields(v), " "), nil
		}
	}
	// One inside words, kept with them: "WhatsApp +1 305 555 0199", "мой
	// номер 8 900 123 45 67", "телеграм @maria_k". Not an A-number or a
	// date.
	if phone := FindPhone(v); phone != "" && !dateLike.MatchString(phone) {
		if _, notA := ParseANumber(v); notA != nil {
			return strings.Join(strings.Fields(v), " "), nil
		}
	}
	if emailIn.MatchString(v) || usernameIn.MatchString(v) {
		return strings.Join(strings.Fields(v), " "), nil
	}
	return "", problem("parse.contact")
}

// dateLike is a date in figures, not a phone number: 12.03.2026.
var dateLike = regexp.MustCompile(`^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$`)

// emailIn and usernameIn find an e-mail address and an @username inside
// words.
var (
	emailIn    = regexp.MustCompile(`(^|\s)[^@\s]+@[^@\s]+\.[^@\s.]{2,}($|\s)`)
	usernameIn = regexp.MustCompile(`(^|\s)@[A-Za-z][A-Za-z0-9_]{3,31}($|[\s,.;!)])`)
)

// ParseUnknown reports whether a typed answer means "I don't know" or
// "none", so that typing it works like the button.
func ParseUnknown(s string) bool {
	// A phone's keyboard types ’ for ': "I don’t know".
	s = strings.NewReplacer("’", "'", "‘", "'", "ʼ", "'").Replace(s)
	v := strings.ToLower(strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\''
	}), " "))
	switch v {
	case "не знаю", "незнаю", "не известно", "неизвестно", "нет", "никакого", "никакой",
		"не знаем", "пока не знаю", "точно не знаю", "не помню", "без понятия", "понятия не имею",
		"no", "nope", "nah", "none", "unknown", "don't know", "dont know", "do not know", "i don't know",
		"i dont know", "i do not know", "no idea", "i have no idea", "not sure", "i'm not sure",
		"idk", "dunno", "not known", "n a", "na", "no one knows", "nobody knows", "we don't know",
		"we dont know", "никто не знает", "мы не знаем", "не знаем пока",
		"ne znayu", "ne znaju", "neznayu", "ne pomnyu", "net", // Russian typed in Latin letters
		// What one does not have is not known either.
		"нету", "нет его", "его нет", "у меня нет", "у него нет", "у нее нет", "у неё нет", "нет у меня",
		"нет у него", "нет у нее", "нет у неё", "у нас нет", "нет у нас", "у него его нет",
		"he doesn't have one", "he doesn't have it", "she doesn't have one", "she doesn't have it",
		"he does not have one", "she does not have one", "we don't have one",
		"don't have", "dont have", "don't have it", "dont have it", "i don't have it", "i dont have it",
		"don't have one", "i don't have one", "i don't have", "we don't have it", "not have", "i dont have",
		"i do not have", "we dont have", "we don't have", "we do not have", "dont have one", "i dont have one",
		// What one cannot remember, or never knew.
		"don't remember", "dont remember", "i don't remember", "i dont remember", "can't remember",
		"cant remember", "i can't remember", "i cant remember", "no clue", "i have no clue", "forgot", "i forgot",
		"не помню точно", "забыл", "забыла", "забыли", "я забыла", "я забыл", "не пам'ятаю", "не знаю точно":
		return true
	}
	return strings.TrimSpace(s) == "-" || strings.TrimSpace(s) == "?"
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

func hasDigit(s string) bool {
	return countDigits(s) > 0
}

// digitsOf is the ASCII digits of s, in order.
func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func countDigits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// hasCyrillic reports whether s has a Cyrillic letter.
func hasCyrillic(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Cyrillic, r) {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// atoi converts a string of ASCII digits the regular expressions matched.
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// dateOf reads a stored YYYY-MM-DD date; zero when empty or malformed.
func dateOf(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// CountryInEnglish is a country's name typed in Russian as the ICE locator
// lists it ("Россия" → "Russia", "Россия и Узбекистан" → "Russia and
// Uzbekistan"), for volunteers who search there; "" when the name is not
// Cyrillic or one of it is not known.
func CountryInEnglish(v string) string {
	if !hasCyrillic(v) {
		return ""
	}
	var out []string
	for _, part := range strings.FieldsFunc(strings.ReplaceAll(v, " и ", ","), func(r rune) bool { return r == ',' || r == '/' }) {
		en, ok := countriesRU[ruKey(part)]
		if !ok {
			return ""
		}
		out = append(out, en)
	}
	return strings.Join(out, " and ")
}

// ruKey is a Russian word or name as the tables below key it: lower case,
// е for ё, without the spaces around.
func ruKey(v string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(v)), "ё", "е")
}

// countriesRU are the countries people reaching the hotline come from most,
// by their Russian names (lower case, е for ё), in the ICE locator's
// spelling.
var countriesRU = map[string]string{
	"россия": "Russia", "российская федерация": "Russia", "рф": "Russia", "украина": "Ukraine",
	"беларусь": "Belarus", "белоруссия": "Belarus", "казахстан": "Kazakhstan", "узбекистан": "Uzbekistan",
	"киргизия": "Kyrgyzstan", "кыргызстан": "Kyrgyzstan", "киргизстан": "Kyrgyzstan", "таджикистан": "Tajikistan",
	"туркмения": "Turkmenistan", "туркменистан": "Turkmenistan", "азербайджан": "Azerbaijan",
	"армения": "Armenia", "грузия": "Georgia", "молдова": "Moldova", "молдавия": "Moldova", "латвия": "Latvia",
	"литва": "Lithuania", "эстония": "Estonia", "монголия": "Mongolia", "мексика": "Mexico",
	"гватемала": "Guatemala", "гондурас": "Honduras", "сальвадор": "El Salvador", "эль-сальвадор": "El Salvador",
	"никарагуа": "Nicaragua", "коста-рика": "Costa Rica", "панама": "Panama", "венесуэла": "Venezuela",
	"колумбия": "Colombia", "эквадор": "Ecuador", "перу": "Peru", "боливия": "Bolivia", "чили": "Chile",
	"аргентина": "Argentina", "бразилия": "Brazil", "куба": "Cuba", "гаити": "Haiti", "ямайка": "Jamaica",
	"доминиканская республика": "Dominican Republic", "доминикана": "Dominican Republic", "индия": "India",
	"китай": "China", "турция": "Turkey", "иран": "Iran", "афганистан": "Afghanistan", "пакистан": "Pakistan",
	"бангладеш": "Bangladesh", "непал": "Nepal", "израиль": "Israel", "сирия": "Syria", "ирак": "Iraq",
	"ливан": "Lebanon", "иордания": "Jordan", "египет": "Egypt", "германия": "Germany", "польша": "Poland",
	"румыния": "Romania", "болгария": "Bulgaria", "сербия": "Serbia", "вьетнам": "Vietnam",
	"филиппины": "Philippines", "южная корея": "South Korea", "нигерия": "Nigeria", "гана": "Ghana",
	"сенегал": "Senegal", "мавритания": "Mauritania", "эритрея": "Eritrea", "эфиопия": "Ethiopia",
	"камерун": "Cameroon", "сша": "United States",
}

// statesRU are the US states by their Russian names (lower case, е for ё).
var statesRU = map[string]string{"алабама": "Alabama", "аляска": "Alaska", "аризона": "Arizona",
	"арканзас": "Arkansas", "калифорния": "California", "колорадо": "Colorado", "коннектикут": "Connecticut",
	"делавэр": "Delaware", "флорида": "Florida", "джорджия": "Georgia", "гавайи": "Hawaii", "айдахо": "Idaho",
	"иллинойс": "Illinois", "индиана": "Indiana", "айова": "Iowa", "канзас": "Kansas", "кентукки": "Kentucky",
	"луизиана": "Louisiana", "мэн": "Maine", "мэриленд": "Maryland", "массачусетс": "Massachusetts",
	"мичиган": "Michigan", "миннесота": "Minnesota", "миссисипи": "Mississippi", "миссури": "Missouri",
	"монтана": "Montana", "небраска": "Nebraska", "невада": "Nevada", "нью-гэмпшир": "New Hampshire",
	"нью-джерси": "New Jersey", "нью-мексико": "New Mexico", "нью-йорк": "New York",
	"северная каролина": "North Carolina", "северная дакота": "North Dakota", "огайо": "Ohio",
	"оклахома": "Oklahoma", "орегон": "Oregon", "пенсильвания": "Pennsylvania", "род-айленд": "Rhode Island",
	"южная каролина": "South Carolina", "южная дакота": "South Dakota", "теннесси": "Tennessee",
	"техас": "Texas", "юта": "Utah", "вермонт": "Vermont", "вирджиния": "Virginia", "виргиния": "Virginia",
	"вашингтон": "Washington", "западная вирджиния": "West Virginia", "висконсин": "Wisconsin",
	"вайоминг": "Wyoming", "округ колумбия": "District of Columbia"}

// citiesStates are the states of the cities people name for "your state"
// ("Бруклин", "Brooklyn", "в Чикаго"), in Russian and English (lower case,
// е for ё), where the hotline's callers live most: a member of Congress is
// found by the state.
var citiesStates = map[string]string{
	"бруклин": "New York", "brooklyn": "New York", "квинс": "New York", "queens": "New York", "бронкс": "New York",
	"bronx": "New York", "манхэттен": "New York", "манхеттен": "New York", "manhattan": "New York",
	"статен-айленд": "New York", "staten island": "New York", "нью-йорк сити": "New York", "nyc": "New York",
	"new york city": "New York", "лос-анджелес": "California", "los angeles": "California",
	"сан-франциско": "California", "san francisco": "California", "сан-диего": "California", "san diego": "California",
	"сакраменто": "California", "sacramento": "California", "сиэтл": "Washington", "seattle": "Washington",
	"чикаго": "Illinois", "chicago": "Illinois", "майами": "Florida", "miami": "Florida", "орландо": "Florida",
	"orlando": "Florida", "тампа": "Florida", "tampa": "Florida", "хьюстон": "Texas", "houston": "Texas",
	"даллас": "Texas", "dallas": "Texas", "остин": "Texas", "austin": "Texas", "сан-антонио": "Texas",
	"san antonio": "Texas", "филадельфия": "Pennsylvania", "philadelphia": "Pennsylvania", "бостон": "Massachusetts",
	"boston": "Massachusetts", "денвер": "Colorado", "denver": "Colorado", "атланта": "Georgia", "atlanta": "Georgia",
	"феникс": "Arizona", "phoenix": "Arizona", "лас-вегас": "Nevada", "las vegas": "Nevada", "сан-хосе": "California",
	"san jose": "California", "миннеаполис": "Minnesota", "minneapolis": "Minnesota", "детройт": "Michigan",
	"detroit": "Michigan", "кливленд": "Ohio", "cleveland": "Ohio", "балтимор": "Maryland", "baltimore": "Maryland",
	"шарлотт": "North Carolina", "charlotte": "North Carolina", "нэшвилл": "Tennessee", "nashville": "Tennessee",
	"солт-лейк-сити": "Utah", "salt lake city": "Utah"}

// StateOfPlace is the US state a place named for "your state" is in: a
// state by its Russian name ("Иллинойс"), or a city of citiesStates,
// with the words around it ("живу в Бруклине") passed over; "" when
// neither.
func StateOfPlace(v string) string {
	words := strings.Fields(ruKey(strings.Map(func(r rune) rune {
		if strings.ContainsRune(",.!?;:()\"«»", r) {
			return ' '
		}
		return r
	}, v)))
	for n := min(3, len(words)); n >= 1; n-- {
		for i := 0; i+n <= len(words); i++ {
			w := strings.Join(words[i:i+n], " ")
			forms := []string{w}
			if hasCyrillic(w) {
				forms = ruForms(w)
			}
			forms = append(forms, strings.ReplaceAll(w, " ", "-")) // "нью йорк"
			for _, f := range forms {
				if st := statesRU[f]; st != "" {
					return st
				}
				if st := citiesStates[f]; st != "" {
					return st
				}
			}
		}
	}
	return ""
}
