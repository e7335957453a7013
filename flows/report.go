package flows

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Steps of the report flow, in the order they are asked.
const (
	reportFirst   = stepConsent
	stepConsent   = "consent"
	stepName      = "name"
	stepNameLatin = "name_latin"
	stepNameCyr   = "name_cyr"
	stepBirthDate = "birth_date"
	stepBirthCtry = "birth_country"
	stepCitizen   = "citizenship"
	stepANumber   = "a_number"
	stepDetained  = "detained_on"
	stepCircum    = "circumstance"
	stepDetails   = "details"
	stepFacility  = "facility"
	stepFacPick   = "facility_pick"
	stepFacShare  = "facility_share"
	stepLawyer    = "lawyer"
	stepLawName   = "lawyer_name"
	stepLawPhone  = "lawyer_phone"
	stepHearing   = "hearing"
	stepAppeals   = "appeals"
	stepUrgent    = "urgent"
	stepRepName   = "reporter_name"
	stepRelation  = "relationship"
	stepContact   = "contact"
	stepContactOK = "contact_confirm"
	stepReview    = "review"
	stepKnown     = "known_case"
)

// maxDate caps a typed date: longer is not a date.
const maxDate = 40

// facilityMatches is how many directory matches are offered as buttons.
const facilityMatches = 3

// circumstances are the ways people are detained, as stored in
// Report.Circumstance.
func circumstances() []string {
	return []string{"checkin", "border", "raid_home", "raid_work", "traffic", "other"}
}

// urgentSigns are the signs a report is urgent, as stored in Report.Urgent.
func urgentSigns() []string {
	return []string{"deportation", "flight", "medical", "children"}
}

// reviewFields are the steps whose answers the review screen lists, each
// with a button to change it.
func (c *turn) reviewFields() []string {
	r := &c.s.Draft
	x := &r.Facts
	if c.fast() {
		f := []string{stepName}
		if r.NameCyrillic != "" {
			f = append(f, stepNameCyr)
		}
		f = append(f, stepANumber, stepFacility, stepFlight)
		if x.FlightSource != "none" && x.FlightSource != "unknown" {
			f = append(f, stepFlightNote)
		}
		f = append(f, stepContact)
		if x.Said != "" {
			f = append(f, stepSaid)
		}
		if len(x.Files) > 0 {
			f = append(f, stepFiles)
		}
		return f
	}
	f := []string{stepName, stepNameCyr, stepNameOther, stepBirthDate, stepBirthCtry, stepCitizen, stepANumber,
		stepDetained, stepCircum}
	if r.Circumstance == "checkin" {
		f = append(f, stepOffice)
	}
	f = append(f, stepDetails, stepFacility, stepTransfer)
	if x.Transferred == "yes" {
		f = append(f, stepTransferFrom, stepTransferOn)
	}
	f = append(f, stepLawyer)
	if r.HasLawyer {
		f = append(f, stepLawName, stepLawPhone)
	}
	f = append(f, stepHearing, stepStage)
	if x.Stage == "final_order" {
		f = append(f, stepFinalOrder)
	}
	f = append(f, stepAppeals, stepFlight)
	if x.FlightSource != "none" && x.FlightSource != "unknown" && x.FlightSource != "" {
		f = append(f, stepFlightNote, stepTravelDocs)
	}
	f = append(f, stepEntry, stepLanguage, stepCanCall)
	if x.CanCall == "yes" {
		f = append(f, stepLastCall)
	}
	f = append(f, stepPhoneAcct, stepUrgent, stepRepName, stepRelation, stepContact, stepState, stepPrivacy, stepPublicity,
		stepFacShare)
	if x.Said != "" {
		f = append(f, stepSaid)
	}
	if len(x.Files) > 0 {
		f = append(f, stepFiles)
	}
	return f
}

// ask is a prompt of one text and, optionally, buttons.
func ask(id string, kv ...any) func(context.Context, *turn) ([]Text, [][]Button, error) {
	return func(context.Context, *turn) ([]Text, [][]Button, error) {
		return []Text{T(id, kv...)}, nil, nil
	}
}

// askWith is a prompt of one text and one row per button.
func askWith(id string, opts ...[2]string) func(context.Context, *turn) ([]Text, [][]Button, error) {
	return func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
		var rows [][]Button
		for _, o := range opts {
			rows = append(rows, []Button{c.opt(o[0], o[1])})
		}
		return []Text{T(id)}, rows, nil
	}
}

// askCaller asks a question of the reporter (id), or of the caller
// (caller) when a volunteer files the report for them: "Как зовут
// звонящего?", not "Теперь о вас".
func askCaller(id, caller string) func(context.Context, *turn) ([]Text, [][]Button, error) {
	return func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
		if c.s.Draft.FiledBy != 0 {
			return []Text{T(caller)}, nil, nil
		}
		return []Text{T(id)}, nil, nil
	}
}

// notAName says why a name typed is none: it has digits (an A-number, a
// date: each has its own question) or is a day in words ("завтра утром",
// "yesterday", taken for a name and spelt "Zavtra Utrom"); nil otherwise.
func notAName(v string) *Text {
	switch {
	case hasDigit(v):
		return problem("parse.name_digits")
	case isDayInWords(v):
		return problem("parse.name_date")
	}
	return nil
}

// typedPersonName reads a person's name typed where it is asked, in the
// report and the check-in: not a yes or a "не знаю" sent there (said with
// answerID), not a day or a number (notAName); without who the person is
// before it ("Мой сын Алексей Смирнов", "Муж, Рустам Алиев": related is
// true); with capitals where it was typed all in small letters.
func typedPersonName(v, answerID string) (name string, related bool, p *Text) {
	if key := captionKey(v); yesWords[key] || noWords[key] || isThanks(v) || ParseUnknown(v) {
		return "", false, problem(answerID)
	}
	if p := notAName(v); p != nil {
		return "", false, p // "завтра утром": an answer to come
	}
	if rest, ok := withoutRelation(v); ok {
		v, related = rest, true
	}
	name, p = ParseName(titleIfLower(v), maxName)
	return name, related, p
}

// isDayInWords reports whether v is a day near today in words, with or
// without the time of day: "завтра утром", "this morning", "last Tuesday".
func isDayInWords(v string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	if _, ok := relativeDay(v); ok {
		return true
	}
	// "Last Tuesday", "в пятницу", written out: "Sun" or "Mon" may be a
	// name.
	if _, ok := weekdayDate(v, time.Time{}, false); ok {
		return slices.ContainsFunc(strings.FieldsFunc(v, func(r rune) bool { return !unicode.IsLetter(r) }), func(w string) bool {
			_, day := weekdays[w]
			return day && utf8.RuneCountInString(w) >= 5
		})
	}
	return false
}

// nameHead is the name at the head of a message that says more after it
// (a number, a date): what comes before the first digit or a word that
// begins the rest ("родился", "born"), without the punctuation and a lone
// "A" of an A-number left at its end. "" when nothing is left.
func nameHead(v string) string {
	if loc := nameEnd.FindStringIndex(v); loc != nil {
		v = v[:loc[0]]
	}
	for {
		t := strings.TrimRightFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) || r == '№' })
		if f := strings.Fields(t); len(f) > 1 && slices.Contains([]string{"A", "a", "А", "а"}, f[len(f)-1]) {
			t = strings.TrimSuffix(t, f[len(f)-1])
		}
		if t == v {
			break
		}
		v = t
	}
	if strings.IndexFunc(v, unicode.IsLetter) == strings.LastIndexFunc(v, unicode.IsLetter) {
		return "" // no name has fewer than two letters: "A 123 456 789"
	}
	return v
}

// nameEnd is where the rest of a message begins after a name: a digit, or
// a word that begins what else is said. Matched in the text itself, so
// that its position is the text's (lower-casing may change lengths).
var nameEnd = regexp.MustCompile(`(?i)\p{Nd}|[^\p{L}](?:родил|дата рожд|д\.р\.|г\.р\.|[aа]-номер|номер|born|dob|d\.o\.b|a-number|a number|alien)`)

// shownFacility is the facility "the first one", "второй" names among
// those shown for query (facilityMatches of them); false when v names no
// place in the list, or one beyond it.
func (c *turn) shownFacility(ctx context.Context, query, v string) (Facility, bool, error) {
	n := ordinalOf(v)
	if n == 0 || query == "" {
		return Facility{}, false, nil
	}
	found, err := c.a.d.Facilities.Match(ctx, query, facilityMatches)
	if err != nil {
		return Facility{}, false, fmt.Errorf("match facilities: %w", err)
	}
	if n > len(found) {
		return Facility{}, false, nil
	}
	return found[n-1], true, nil
}

// facilityYesNo takes "да" or "нет" typed under the facilities found,
// which are no facility's name (a search for "да" listed Davis County):
// yes is the one facility shown, no is "not in the list — keep it as
// written", as is yes when none was found. A yes to several asks which.
func (c *turn) facilityYesNo(ctx context.Context, yes bool) (outcome, error) {
	r := &c.s.Draft
	found, err := c.a.d.Facilities.Match(ctx, r.FacilityText, facilityMatches)
	if err != nil {
		return outcome{}, fmt.Errorf("match facilities: %w", err)
	}
	switch {
	case yes && len(found) == 1:
		return c.pickedFacility(found[0], nil)
	case yes && len(found) > 1:
		return refused(problem("parse.facility_which"))
	default:
		r.FacilityID = 0
		c.say(T("input.read_as", "Answer", T("btn.facility_keep"), "Kept", false))
	}
	return accepted()
}

// pickedFacility answers the step with a facility typed in words (a place
// in the list, a yes), said back; err is the lookup's.
func (c *turn) pickedFacility(f Facility, err error) (outcome, error) {
	if err != nil {
		return outcome{}, err
	}
	c.s.Draft.FacilityID, c.s.Draft.FacilityText = f.ID, ""
	c.say(T("input.read_as", "Answer", facilityLabel(f), "Kept", false))
	return accepted()
}

// namedShown is the facility v names among those shown for query: the
// best match of a search for v, when it is one of them.
func (c *turn) namedShown(ctx context.Context, query, v string) (Facility, bool, error) {
	q, p := facilityQuery(v)
	if p != nil || query == "" {
		return Facility{}, false, nil
	}
	best, err := c.a.d.Facilities.Match(ctx, q, 1)
	if err != nil || len(best) == 0 {
		return Facility{}, false, err
	}
	shown, err := c.a.d.Facilities.Match(ctx, query, facilityMatches)
	if err != nil {
		return Facility{}, false, fmt.Errorf("match facilities: %w", err)
	}
	for _, f := range shown {
		if f.ID == best[0].ID {
			return f, true, nil
		}
	}
	return Facility{}, false, nil
}

// facilityQuery reads a facility typed to search for. A place in the list
// ("2", "второй") that shownFacility did not take is beyond the list shown:
// said so, not "type just the name, in letters".
func facilityQuery(v string) (string, *Text) {
	if ordinalOf(v) > 0 {
		return "", problem("parse.facility_place")
	}
	return ParseName(v, maxName)
}

// ordinalOf reads "the first one", "второй", "3" as a place in a list
// shown, from 1; 0 for anything else.
func ordinalOf(v string) int {
	places := map[string]int{"1": 1, "first": 1, "top": 1, "первый": 1, "первая": 1, "первое": 1, "первую": 1,
		"2": 2, "second": 2, "второй": 2, "вторая": 2, "второе": 2, "вторую": 2,
		"3": 3, "third": 3, "третий": 3, "третья": 3, "третье": 3, "третью": 3}
	n := 0
	for _, w := range strings.Fields(captionKey(v)) {
		switch {
		case places[w] > 0 && n == 0:
			n = places[w]
		case slices.Contains([]string{"the", "one", "option", "please", "вариант", "номер", "no"}, w):
		default:
			return 0
		}
	}
	return n
}

// then is a fixed next step.
func then(name string) func(*turn) string { return func(*turn) string { return name } }

// raw shows what the user typed; on the review screen it is cut short.
func (c *turn) raw(v string) Text {
	if c.clip > 0 && utf8.RuneCountInString(v) > c.clip {
		v = string([]rune(v)[:c.clip]) + "…"
	}
	return T("value.raw", "V", v)
}

// orNone shows a typed answer, "not given" for an empty one the user did
// answer, and nothing for a step not answered yet.
func (c *turn) orNone(v string, answered bool) Text {
	switch {
	case v != "":
		return c.raw(v)
	case answered:
		return T("value.none")
	}
	return Text{}
}

// showText is an answer func for a typed field.
func showText(field func(*Report) *string) func(context.Context, *turn, bool) (Text, error) {
	return func(_ context.Context, c *turn, answered bool) (Text, error) {
		return c.orNone(*field(&c.s.Draft), answered), nil
	}
}

// showDate is an answer func for a date field.
func showDate(field func(*Report) *string) func(context.Context, *turn, bool) (Text, error) {
	return func(_ context.Context, c *turn, answered bool) (Text, error) {
		v := *field(&c.s.Draft)
		if v == "" {
			return c.orNone("", answered), nil
		}
		return birthText(v), nil
	}
}

// birthText shows a stored date, or a year of birth known alone
// (ParseBirthYear).
func birthText(v string) Text {
	if y, err := strconv.Atoi(v); err == nil && len(v) == 4 {
		return yearText(y)
	}
	return dateText(dateOf(v))
}

// yearText is a year of birth without the day: "1985 (year only)".
func yearText(y int) Text { return T("value.year_only", "Year", y) }

// dateText shows a date with the month in words, which no reader can take
// for month-first or day-first.
func dateText(t time.Time) Text {
	if t.IsZero() {
		return Text{}
	}
	return T("value.date", "Day", t.Day(), "Month", T("month."+strconv.Itoa(int(t.Month()))), "Year", t.Year())
}

func yesNo(v bool) Text {
	if v {
		return T("value.yes")
	}
	return T("value.no")
}

// optional parses a typed answer to a step that may be skipped: the skip
// button, or typing "no" / "don't know", stores an empty answer.
func optional(field func(*Report) *string, parse func(string) (string, *Text)) func(context.Context, *turn, string, bool) (outcome, error) {
	return func(_ context.Context, c *turn, v string, button bool) (outcome, error) {
		f := field(&c.s.Draft)
		if button {
			if v != "skip" {
				return wrong("button.old_step")
			}
			*f = ""
			return accepted()
		}
		if ParseUnknown(v) {
			*f = ""
			return accepted()
		}
		out, p := parse(v)
		if p != nil {
			return refused(p)
		}
		*f = out
		return accepted()
	}
}

// required parses a typed answer that must be given.
func required(field func(*Report) *string, parse func(string) (string, *Text)) func(context.Context, *turn, string, bool) (outcome, error) {
	return func(_ context.Context, c *turn, v string, button bool) (outcome, error) {
		if button {
			return wrong("button.old_step")
		}
		out, p := parse(v)
		if p != nil {
			return refused(p)
		}
		*field(&c.s.Draft) = out
		return accepted()
	}
}

// unverifiedName shows a Latin name the reporter could not check, with the
// other spelling to try when there is one.
func unverifiedName(c *turn, r *Report) Text {
	if r.Facts.NameAlt == "" {
		return T("value.unverified_one", "V", c.raw(r.NameLatin))
	}
	return T("value.unverified", "V", c.raw(r.NameLatin), "Alt", r.Facts.NameAlt)
}

// reportSteps declares the report flow. Read top to bottom, it is the
// conversation a relative has with the bot.
func reportSteps(a *App) []*step {
	nameParser := func(v string) (string, *Text) { return ParseName(v, maxName) }
	personName := func(v string) (string, *Text) {
		if p := notAName(v); p != nil {
			return "", p
		}
		return ParseName(v, maxName)
	}
	wordsParser := func(v string) (string, *Text) { return ParseWords(v, maxShort) }
	countryParser := func(v string) (string, *Text) {
		w, p := ParseWords(v, maxShort)
		if p == nil && (hasDigit(w) || isDayInWords(w)) {
			// No country's name has a digit or is a day ("last
			// Tuesday"): an A-number or a date typed ahead of its
			// question.
			return "", problem("parse.country")
		}
		return Country(w), p
	}
	textParser := func(v string) (string, *Text) { return ParseText(v, a.cfg.MaxText) }
	return []*step{{
		name: stepConsent,
		prompt: func(ctx context.Context, c *turn) ([]Text, [][]Button, error) {
			ask, yes := "ask.consent", "btn.consent_yes"
			if c.s.Draft.FiledBy != 0 {
				// A volunteer filing for a caller asks the caller: the
				// relatives' text spoke to the volunteer of their own
				// consent and of /forget, which the caller cannot use.
				ask, yes = "ask.consent_caller", "btn.consent_caller_yes"
			}
			return askWith(ask, [2]string{"yes", yes}, [2]string{"no", "btn.consent_no"})(ctx, c)
		},
		parse: func(_ context.Context, c *turn, v string, _ bool) (outcome, error) {
			switch v {
			case "yes":
				c.s.Draft.Consent = true
				c.keepSaidFile()
				return accepted()
			case "no":
				t := T("report.no_consent")
				return outcome{quit: &t}, nil
			}
			return wrong("button.old_step")
		},
		answer: func(_ context.Context, c *turn, _ bool) (Text, error) {
			if c.s.Draft.Consent {
				return T("value.agreed"), nil
			}
			return Text{}, nil
		},
		next: then(stepTriage),
	}, {
		// The name as in documents. A name typed in Cyrillic is kept as
		// the Cyrillic name, and the Latin spelling asked next.
		name:   stepName,
		max:    maxName,
		prompt: ask("ask.name"),
		parse: func(_ context.Context, c *turn, v string, button bool) (outcome, error) {
			if button {
				return wrong("button.old_step")
			}
			whole, split := v, false
			if hasDigit(v) {
				// All they know in one message: "Петров Иван, A 123 456
				// 789, родился 1.2.1990". A name has no digits: it is
				// what comes before them.
				if v = nameHead(v); v == "" {
					return refused(problem("parse.name_digits"))
				}
				split = true
			}
			n, related, p := typedPersonName(v, "parse.name_answer_word")
			if p != nil {
				return refused(p)
			}
			if related && !split && !c.filed() {
				// "Мой сын Алексей Смирнов": the words go to the
				// volunteer (it was transliterated "Moi syn").
				c.keepWords(whole)
			}
			r := &c.s.Draft
			if hasCyrillic(n) {
				r.NameCyrillic, r.NameLatin = n, ""
			} else {
				r.NameLatin = n
			}
			if !split && len(strings.Fields(n)) == 1 {
				// "Рустам": the surname typed next is asked about as
				// one (surnameAfter); it was taken silently, and the
				// locator finds no one without it.
				return outcome{then: func(ctx context.Context, c *turn) error {
					c.say(T("parse.name_one_word"))
					return c.advance(ctx)
				}}, nil
			}
			if !split {
				return accepted()
			}
			// The whole message goes to the volunteer; the A-number and
			// the dates are asked in their turn.
			kept := !c.filed() && c.keepWords(whole)
			return outcome{then: func(ctx context.Context, c *turn) error {
				c.say(T("parse.name_split", "Name", n, "Kept", kept))
				return c.advance(ctx)
			}}, nil
		},
		answer: func(_ context.Context, c *turn, answered bool) (Text, error) {
			r := &c.s.Draft
			if r.NameLatin != "" && r.Facts.NameUnverified {
				return unverifiedName(c, r), nil
			}
			if r.NameLatin != "" {
				return c.raw(r.NameLatin), nil
			}
			return c.orNone(r.NameCyrillic, false), nil
		},
		next: func(c *turn) string {
			switch {
			case c.s.Draft.NameLatin == "":
				return stepNameLatin
			case c.fast():
				return stepANumber
			}
			return stepNameCyr
		},
	}, {
		name: stepNameLatin,
		max:  maxName,
		sub:  true,
		// Russian passports issued since 2014 spell names the ICAO way
		// (Sergei, Iuliia), older ones and US papers often otherwise
		// (Sergey, Yuliya): when the two differ, both are offered.
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			cyr := c.s.Draft.NameCyrillic
			icao, old := TranslitICAO(cyr), Translit(cyr)
			switch {
			case old == "" || hasCyrillic(old):
				return []Text{T("ask.name_latin_own", "Name", cyr)}, nil, nil
			case icao == old:
				return []Text{T("ask.name_latin", "Name", cyr, "Latin", old)},
					[][]Button{{c.opt("translit", "btn.use_translit", "Latin", old)}}, nil
			}
			return []Text{T("ask.name_latin_two", "Name", cyr, "ICAO", icao, "Old", old)}, [][]Button{
				{c.opt("icao", "btn.use_translit", "Latin", icao)},
				{c.opt("old", "btn.use_translit", "Latin", old)},
				{c.opt("both", "btn.name_not_sure")},
			}, nil
		},
		parse: func(_ context.Context, c *turn, v string, button bool) (outcome, error) {
			r := &c.s.Draft
			if button && v == optJoin {
				return c.nameJoined(&r.NameCyrillic, true)
			}
			if button {
				icao, old := TranslitICAO(r.NameCyrillic), Translit(r.NameCyrillic)
				if old == "" || hasCyrillic(old) {
					return wrong("button.old_step")
				}
				r.Facts.NameUnverified, r.Facts.NameAlt = false, ""
				switch {
				case v == "translit" && icao == old, v == "old" && icao != old:
					r.NameLatin = old
				case v == "icao" && icao != old:
					r.NameLatin = icao
				case v == "both" && icao != old:
					// Both kept: the locator is tried with each.
					r.NameLatin, r.Facts.NameUnverified, r.Facts.NameAlt = icao, true, old
				default:
					return wrong("button.old_step")
				}
				return accepted()
			}
			// In words: "не знаю" is the button that keeps the spellings
			// offered, unverified; a bare "да" is the one spelling offered,
			// and of two it asks which; "нет" asks for the spelling.
			icao, old := TranslitICAO(r.NameCyrillic), Translit(r.NameCyrillic)
			offered := old != "" && !hasCyrillic(old)
			key := captionKey(v)
			switch {
			case offered && (ParseUnknown(v) && !noWords[key] || strings.HasPrefix(key, "не уверен")):
				r.NameLatin, r.Facts.NameUnverified, r.Facts.NameAlt = icao, true, ""
				if icao != old {
					r.Facts.NameAlt = old
				}
				return accepted()
			case offered && yesWords[key] && icao == old:
				r.NameLatin, r.Facts.NameUnverified, r.Facts.NameAlt = old, false, ""
				return accepted()
			case offered && yesWords[key]:
				return wrong("parse.name_which")
			case offered && noWords[key]:
				return wrong("parse.name_type_it") // not as offered: as it is written
			}
			if surnameAfter(r.NameCyrillic, v, true) {
				// "иван", then "петров": maybe the rest of the name, in a
				// second message (it was taken for the Latin spelling).
				return c.surnameAsked(r.NameCyrillic, v)
			}
			n, p := personName(v)
			if p != nil {
				return refused(p)
			}
			if hasCyrillic(n) {
				return wrong("parse.need_latin")
			}
			r.NameLatin, r.Facts.NameUnverified, r.Facts.NameAlt = n, false, ""
			return accepted()
		},
		answer: func(_ context.Context, c *turn, answered bool) (Text, error) {
			r := &c.s.Draft
			if r.NameLatin != "" && r.Facts.NameUnverified {
				return unverifiedName(c, r), nil
			}
			return c.orNone(r.NameLatin, answered), nil
		},
		// The Cyrillic name is known already.
		next: func(c *turn) string {
			if c.fast() {
				return stepANumber
			}
			return stepNameOther
		},
	}, {
		name: stepNameCyr,
		max:  maxName,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			return []Text{T("ask.name_cyr")}, [][]Button{{c.opt("skip", "btn.skip")}}, nil
		},
		parse: func(ctx context.Context, c *turn, v string, button bool) (outcome, error) {
			if button && v == optJoin {
				return c.nameJoined(&c.s.Draft.NameLatin, false)
			}
			if !button && surnameAfter(c.s.Draft.NameLatin, v, false) {
				// "Jose", then "garcia": maybe the rest of the name, typed
				// in a second message (it was "the name in Cyrillic,
				// please", and lost).
				return c.surnameAsked(c.s.Draft.NameLatin, v)
			}
			if !button && !ParseUnknown(v) && !hasCyrillic(v) && hasLetter(v) {
				return wrong("parse.need_cyrillic")
			}
			return optional(func(r *Report) *string { return &r.NameCyrillic }, personName)(ctx, c, v, button)
		},
		answer: showText(func(r *Report) *string { return &r.NameCyrillic }),
		next:   then(stepNameOther),
	}, {
		name: stepBirthDate,
		max:  maxDate,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			return []Text{T("ask.birth_date")}, [][]Button{{c.opt("skip", "btn.dont_know")}}, nil
		},
		parse: func(ctx context.Context, c *turn, v string, button bool) (outcome, error) {
			birthDate := dateStep(func(r *Report) *string { return &r.BirthDate }, true, false,
				func(c *turn, s string) (time.Time, *Text) { return ParseBirthDate(s, c.now) })
			if full, ok := fullBirthYear(v, c.now); ok && !button {
				// "15.03.85": 1985, said back with the year in full.
				out, err := birthDate(ctx, c, full, false)
				said := slices.ContainsFunc(c.texts, func(t Text) bool { return t.ID == "date.understood" })
				if t, perr := time.Parse(time.DateOnly, c.s.Draft.BirthDate); err == nil && perr == nil && out.wrong == nil && !said {
					c.say(understood(t)) // unless said already ("3/15/85": March, as the 15 cannot be a month)
				}
				return out, err
			}
			if !button {
				if _, p := ParseBirthDate(v, c.now); p != nil {
					if y, ok := ParseBirthYear(v, c.now); ok {
						// Many relatives know only the year: kept as
						// the year, said back as such.
						c.s.Draft.BirthDate = strconv.Itoa(y)
						c.say(T("date.understood", "Date", yearText(y), "Weekday", "")) // a year has no day
						return accepted()
					}
				}
			}
			return birthDate(ctx, c, v, button)
		},
		answer: showDate(func(r *Report) *string { return &r.BirthDate }),
		next:   then(stepBirthCtry),
	}, {
		name: stepBirthCtry,
		max:  maxShort,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			return []Text{T("ask.birth_country")}, [][]Button{{c.opt("skip", "btn.dont_know")}}, nil
		},
		parse:  optional(func(r *Report) *string { return &r.BirthCountry }, countryParser),
		answer: showText(func(r *Report) *string { return &r.BirthCountry }),
		next:   then(stepCitizen),
	}, {
		name: stepCitizen,
		max:  maxShort,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			dontKnow := []Button{c.opt("skip", "btn.dont_know")}
			if bc := c.s.Draft.BirthCountry; bc != "" {
				return []Text{T("ask.citizenship")}, [][]Button{{c.opt("same", "btn.same_country", "Country", bc)}, dontKnow}, nil
			}
			// No country of birth to be the same as: no such button, and
			// no word of it.
			return []Text{T("ask.citizenship_plain")}, [][]Button{dontKnow}, nil
		},
		parse: func(ctx context.Context, c *turn, v string, button bool) (outcome, error) {
			r := &c.s.Draft
			if !button && r.BirthCountry != "" && sameWords[captionKey(v)] {
				v, button = "same", true // "same", "та же": the button in words
			}
			if button && v == "same" {
				if r.BirthCountry == "" {
					return wrong("button.old_step")
				}
				r.Citizenship = r.BirthCountry
				return accepted()
			}
			return optional(func(r *Report) *string { return &r.Citizenship }, countryParser)(ctx, c, v, button)
		},
		answer: showText(func(r *Report) *string { return &r.Citizenship }),
		next: func(c *turn) string {
			if c.filed() {
				return stepDetained // asked on the urgent path
			}
			return stepANumber
		},
	}, {
		name: stepANumber,
		max:  maxDate,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			return []Text{T("ask.a_number")}, [][]Button{{c.opt("skip", "btn.dont_know")}}, nil
		},
		parse: func(ctx context.Context, c *turn, v string, button bool) (outcome, error) {
			out, err := optional(func(r *Report) *string { return &r.ANumber }, ParseANumber)(ctx, c, v, button)
			if err != nil {
				return out, err
			}
			if out.wrong != nil {
				words := 0
				for _, w := range strings.Fields(v) {
					if hasLetter(w) {
						words++
					}
				}
				if !button && countDigits(v) < 8 && words > 1 && c.keepTyped(v) {
					// Words, not a number ("пришли домой утром и
					// забрали"): what they say reaches the volunteer.
					c.say(T("input.kept"))
				}
				return out, nil
			}
			c.s.Known = ""
			if n := c.s.Draft.ANumber; n != "" && !c.filed() && c.s.Edit == "" {
				if c.s.Known, err = c.knownCase(ctx, n); err != nil {
					return outcome{}, err
				}
			}
			return out, nil
		},
		answer: func(_ context.Context, c *turn, answered bool) (Text, error) {
			n := c.s.Draft.ANumber
			if n == "" {
				return c.orNone("", answered), nil
			}
			return c.raw(FormatANumber(n)), nil
		},
		next: func(c *turn) string {
			if c.s.Known != "" {
				return stepKnown
			}
			if c.fast() {
				return stepFacility
			}
			return stepDetained
		},
	}, {
		// The hotline already has an open case for this A-number, filed by
		// someone else: news to it reaches its volunteer at once, where a
		// second report would wait to be found a duplicate. Nothing of the
		// other report is told.
		name:      stepKnown,
		transient: true,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			return []Text{T("ask.known_case")}, [][]Button{{c.opt("news", "btn.known_news")}, {c.opt("report", "btn.known_report")}}, nil
		},
		parse: func(ctx context.Context, c *turn, v string, _ bool) (outcome, error) {
			switch v {
			case "report":
				c.s.Known = ""
				return accepted()
			case "news":
				code := c.s.Known
				if code == "" {
					return wrong("button.old_step")
				}
				return outcome{then: func(ctx context.Context, c *turn) error {
					v, err := c.a.d.Casework.View(ctx, code)
					if err != nil && !errors.Is(err, ErrNotFound) {
						return fmt.Errorf("view case: %w", err)
					}
					if err != nil || v.Closed() || v.Erased || v.Merged {
						c.reset()
						c.say(T("casework.news_gone", "Code", FormatCode(code)))
						c.footer()
						return nil
					}
					return c.newsFor(ctx, v.ID, v.Code, "")
				}}, nil
			}
			return wrong("button.old_step")
		},
		next: func(c *turn) string {
			if c.fast() {
				return stepFacility
			}
			return stepDetained
		},
	}, {
		name: stepDetained,
		max:  maxDate,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			num, words := dateExample(c.now, -3)
			return []Text{T("ask.detained_on", "Num", num, "Words", words)}, [][]Button{{c.opt("skip", "btn.dont_know")}}, nil
		},
		// Not known is an answer: a relative who learned only that the
		// person is gone does not invent a day (the card says "date
		// unknown", as for an urgent report, which does not ask).
		parse: dateStep(func(r *Report) *string { return &r.DetainedOn }, true, false,
			func(c *turn, s string) (time.Time, *Text) {
				return ParseDetentionDate(s, c.now, dateOf(c.s.Draft.BirthDate))
			}),
		answer: showDate(func(r *Report) *string { return &r.DetainedOn }),
		next:   then(stepCircum),
	}, {
		name: stepCircum,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			var rows [][]Button
			cs := circumstances()
			for i := 0; i < len(cs); i += 2 {
				rows = append(rows, []Button{c.opt(cs[i], "circ."+cs[i]), c.opt(cs[i+1], "circ."+cs[i+1])})
			}
			return []Text{T("ask.circumstance")}, rows, nil
		},
		parse: func(_ context.Context, c *turn, v string, _ bool) (outcome, error) {
			if !slices.Contains(circumstances(), v) {
				return wrong("button.old_step")
			}
			c.s.Draft.Circumstance = v
			if v != "checkin" {
				c.s.Draft.Facts.Office, c.s.Draft.Facts.OfficeText = "", ""
			}
			return accepted()
		},
		answer: func(_ context.Context, c *turn, _ bool) (Text, error) {
			if v := c.s.Draft.Circumstance; v != "" {
				return T("circ." + v), nil
			}
			return Text{}, nil
		},
		next: func(c *turn) string {
			if c.s.Draft.Circumstance == "checkin" {
				return stepOffice
			}
			return stepDetails
		},
	}, {
		name: stepDetails,
		max:  a.cfg.MaxText,
		yes:  "parse.yes_details",
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			id := "ask.details"
			if c.s.Draft.Circumstance == "other" {
				id = "ask.details_other"
			}
			return []Text{T(id, "Max", T("unit.chars").Plural(a.cfg.MaxText))}, [][]Button{{c.opt("skip", "btn.skip")}}, nil
		},
		parse:  optional(func(r *Report) *string { return &r.CircumstanceNote }, textParser),
		answer: showText(func(r *Report) *string { return &r.CircumstanceNote }),
		next: func(c *turn) string {
			if c.filed() {
				return stepTransfer // the facility was asked on the urgent path
			}
			return stepFacility
		},
	}, {
		// Where the person is held: typed, then matched against the
		// directory on the next step.
		name: stepFacility,
		max:  maxName,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			return []Text{T("ask.facility")}, [][]Button{{c.opt("unknown", "btn.dont_know")}}, nil
		},
		parse: func(_ context.Context, c *turn, v string, button bool) (outcome, error) {
			r := &c.s.Draft
			if button || ParseUnknown(v) {
				if button && v != "unknown" {
					return wrong("button.old_step")
				}
				r.FacilityID, r.FacilityText, r.FacilityShare = 0, "", false
				return accepted()
			}
			q, p := ParseName(v, maxName)
			if p != nil {
				return refused(p)
			}
			r.FacilityID, r.FacilityText = 0, q
			return accepted()
		},
		answer: facilityAnswer,
		next: func(c *turn) string {
			r := &c.s.Draft
			switch {
			case r.FacilityID == 0 && r.FacilityText != "":
				return stepFacPick
			case c.fast():
				return stepFlight
			}
			return stepTransfer
		},
	}, {
		name:      stepFacPick,
		max:       maxName,
		sub:       true,
		transient: true,
		prompt: func(ctx context.Context, c *turn) ([]Text, [][]Button, error) {
			q := c.s.Draft.FacilityText
			found, err := c.a.d.Facilities.Match(ctx, q, facilityMatches)
			if err != nil {
				return nil, nil, fmt.Errorf("match facilities: %w", err)
			}
			id := "ask.facility_pick"
			if len(found) == 0 {
				id = "ask.facility_none"
			}
			var rows [][]Button
			for _, f := range found {
				rows = append(rows, []Button{c.labelOpt("f"+strconv.FormatInt(f.ID, 10), facilityLabel(f))})
			}
			rows = append(rows,
				[]Button{c.opt("keep", "btn.facility_keep")},
				[]Button{c.opt("unknown", "btn.dont_know")},
				[]Button{c.opt("again", "btn.facility_again")})
			return []Text{T(id, "Query", q)}, rows, nil
		},
		parse: func(ctx context.Context, c *turn, v string, button bool) (outcome, error) {
			r := &c.s.Draft
			if !button {
				if yes, no := yesWords[captionKey(v)], noWords[captionKey(v)]; yes || no {
					return c.facilityYesNo(ctx, yes)
				}
				if lead, rest, ok := yesNoLead(v); ok {
					// "да, Otay Mesa", "no - it's Krome": the words after the
					// yes or no name it (the yes is no facility's name); a
					// yes with the name of one of those shown is that one.
					v = rest
					if yesWords[captionKey(lead)] {
						if f, ok, err := c.namedShown(ctx, r.FacilityText, rest); err != nil || ok {
							return c.pickedFacility(f, err)
						}
					}
				}
				if ParseUnknown(v) {
					r.FacilityID, r.FacilityText, r.FacilityShare = 0, "", false
					return accepted()
				}
				if f, ok, err := c.shownFacility(ctx, r.FacilityText, v); err != nil || ok {
					return c.pickedFacility(f, err)
				}
				// Typing again here is a new search.
				q, p := facilityQuery(v)
				if p != nil {
					return refused(p)
				}
				r.FacilityText = q
				return outcome{stay: true}, nil
			}
			switch v {
			case "keep":
				r.FacilityID = 0
				return accepted()
			case "unknown":
				r.FacilityID, r.FacilityText, r.FacilityShare = 0, "", false
				return accepted()
			case "again":
				// The search was never chosen as the answer: the question
				// asked again must not show it as "not in the list".
				r.FacilityID, r.FacilityText = 0, ""
				return outcome{back: true, fresh: true}, nil
			}
			id, err := strconv.ParseInt(strings.TrimPrefix(v, "f"), 10, 64)
			if !strings.HasPrefix(v, "f") || err != nil {
				return wrong("button.old_step")
			}
			if _, err := c.a.d.Facilities.Get(ctx, id); errors.Is(err, ErrNotFound) {
				return wrong("button.old_step")
			} else if err != nil {
				return outcome{}, fmt.Errorf("get facility %d: %w", id, err)
			}
			r.FacilityID, r.FacilityText = id, ""
			return accepted()
		},
		next: func(c *turn) string {
			if c.fast() {
				return stepFlight
			}
			return stepTransfer
		},
	}, {
		// Asked last, and "no" unless the reporter says yes: a facility
		// or a deportation date shown to everyone with the code can tell
		// the wrong people where the person is, or when they will land.
		name: stepFacShare,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			id := "ask.dates_share"
			if r := &c.s.Draft; r.FacilityID != 0 || r.FacilityText != "" {
				id = "ask.facility_share"
			}
			return []Text{T(id)}, [][]Button{{c.opt("yes", "btn.share_yes")}, {c.opt("no", "btn.share_no")}}, nil
		},
		parse: func(_ context.Context, c *turn, v string, _ bool) (outcome, error) {
			switch v {
			case "yes", "no":
				c.s.Draft.FacilityShare = v == "yes"
				c.s.Draft.Facts.DatesShare = v == "yes"
				return accepted()
			}
			return wrong("button.old_step")
		},
		answer: func(_ context.Context, c *turn, answered bool) (Text, error) {
			if c.s.Draft.FacilityShare || answered {
				return yesNo(c.s.Draft.FacilityShare), nil
			}
			return Text{}, nil
		},
		next: then(stepReview),
	}, {
		name:   stepLawyer,
		prompt: askWith("ask.lawyer", [2]string{"yes", "btn.lawyer_yes"}, [2]string{"no", "btn.lawyer_no"}),
		parse: func(_ context.Context, c *turn, v string, _ bool) (outcome, error) {
			r := &c.s.Draft
			switch v {
			case "yes":
				r.HasLawyer = true
			case "no":
				r.HasLawyer, r.LawyerName, r.LawyerPhone = false, "", ""
			default:
				return wrong("button.old_step")
			}
			return accepted()
		},
		answer: func(_ context.Context, c *turn, answered bool) (Text, error) {
			switch {
			case c.s.Draft.HasLawyer:
				return T("value.yes"), nil
			case answered:
				// The button says "No / I don't know": the answer is not a
				// known "no".
				return T("value.lawyer_no"), nil
			}
			return Text{}, nil
		},
		next: func(c *turn) string {
			if c.s.Draft.HasLawyer {
				return stepLawName
			}
			return stepHearing
		},
	}, {
		name: stepLawName,
		max:  maxName,
		sub:  true,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			return []Text{T("ask.lawyer_name")}, [][]Button{{c.opt("skip", "btn.dont_know")}}, nil
		},
		// A firm, commas and contacts are welcome here; a phone typed with
		// the name is offered for the next question.
		parse:  optional(func(r *Report) *string { return &r.LawyerName }, lawyerParser),
		answer: showText(func(r *Report) *string { return &r.LawyerName }),
		next:   then(stepLawPhone),
	}, {
		name: stepLawPhone,
		max:  maxName,
		sub:  true,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			var rows [][]Button
			if p := FindPhone(c.s.Draft.LawyerName); p != "" {
				rows = append(rows, []Button{c.opt("found", "btn.use_phone", "Phone", p)})
			}
			rows = append(rows, []Button{c.opt("skip", "btn.dont_know")})
			return []Text{T("ask.lawyer_phone")}, rows, nil
		},
		parse: func(ctx context.Context, c *turn, v string, button bool) (outcome, error) {
			r := &c.s.Draft
			if button && v == "found" {
				p := FindPhone(r.LawyerName)
				if p == "" {
					return wrong("button.old_step")
				}
				r.LawyerPhone = p
				return accepted()
			}
			return optional(func(r *Report) *string { return &r.LawyerPhone }, ParseContact)(ctx, c, v, button)
		},
		answer: showText(func(r *Report) *string { return &r.LawyerPhone }),
		next:   then(stepHearing),
	}, {
		name: stepHearing,
		max:  maxDate,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			num, words := dateExample(c.now, 24)
			return []Text{T("ask.hearing", "Num", num, "Words", words)}, [][]Button{{c.opt("skip", "btn.hearing_unknown")}}, nil
		},
		parse: dateStep(func(r *Report) *string { return &r.HearingDate }, true, true,
			func(c *turn, s string) (time.Time, *Text) { return ParseHearingDate(s, c.now) }),
		answer: showDate(func(r *Report) *string { return &r.HearingDate }),
		next:   then(stepStage),
	}, {
		name: stepAppeals,
		max:  a.cfg.MaxText,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			return []Text{T("ask.appeals", "Max", T("unit.chars").Plural(a.cfg.MaxText))}, [][]Button{{c.opt("skip", "btn.appeals_none")}}, nil
		},
		parse:  optional(func(r *Report) *string { return &r.Appeals }, textParser),
		answer: showText(func(r *Report) *string { return &r.Appeals }),
		next: func(c *turn) string {
			if c.filed() {
				return stepEntry // the flight was asked on the urgent path
			}
			return stepFlight
		},
	}, {
		// Several signs may apply: each button toggles one, redrawing the
		// same message, and "done" moves on.
		name:   stepUrgent,
		noEcho: true,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			var rows [][]Button
			for _, u := range urgentSigns() {
				on := slices.Contains(c.s.Draft.Urgent, u)
				rows = append(rows, []Button{c.opt("t_"+u, "btn.urgent", "Sign", T("urgent."+u), "On", on)})
			}
			rows = append(rows, []Button{c.opt("none", "btn.urgent_none"), c.opt("done", "btn.urgent_done")})
			return []Text{T("ask.urgent")}, rows, nil
		},
		parse: func(_ context.Context, c *turn, v string, _ bool) (outcome, error) {
			r := &c.s.Draft
			switch v {
			case "none":
				r.Urgent = nil
				return accepted()
			case "done":
				return accepted()
			}
			u, ok := strings.CutPrefix(v, "t_")
			if !ok || !slices.Contains(urgentSigns(), u) {
				return wrong("button.old_step")
			}
			if i := slices.Index(r.Urgent, u); i >= 0 {
				r.Urgent = slices.Delete(r.Urgent, i, i+1)
			} else {
				r.Urgent = append(r.Urgent, u)
				// Keep the order of the buttons, whatever the order of presses.
				slices.SortFunc(r.Urgent, func(x, y string) int {
					return slices.Index(urgentSigns(), x) - slices.Index(urgentSigns(), y)
				})
			}
			if len(r.Urgent) == 0 {
				r.Urgent = nil
			}
			return outcome{stay: true, inPlace: true}, nil
		},
		answer: func(_ context.Context, c *turn, answered bool) (Text, error) {
			if len(c.s.Draft.Urgent) == 0 {
				if answered {
					return T("value.urgent_none"), nil
				}
				return Text{}, nil
			}
			var lines []Text
			for _, u := range c.s.Draft.Urgent {
				lines = append(lines, T("value.item", "V", T("urgent."+u)))
			}
			return T("value.lines", "Lines", lines), nil
		},
		next: then(stepRepName),
	}, {
		name:   stepRepName,
		max:    maxName,
		prompt: askCaller("ask.reporter_name", "ask.caller_name"),
		parse:  required(func(r *Report) *string { return &r.ReporterName }, nameParser),
		answer: showText(func(r *Report) *string { return &r.ReporterName }),
		next:   then(stepRelation),
	}, {
		name:   stepRelation,
		max:    maxShort,
		prompt: askCaller("ask.relationship", "ask.caller_relationship"),
		parse:  required(func(r *Report) *string { return &r.Relationship }, wordsParser),
		answer: showText(func(r *Report) *string { return &r.Relationship }),
		next: func(c *turn) string {
			if c.filed() {
				return stepState // the contact was asked on the urgent path
			}
			return stepContact
		},
	}, {
		// A phone (with a note), an e-mail, a username, or this chat:
		// volunteers then write through the bot.
		name: stepContact,
		max:  maxName,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			if c.s.Draft.FiledBy != 0 {
				return []Text{T("ask.caller_contact")}, nil, nil // a volunteer's chat is not the caller's
			}
			return []Text{T("ask.contact")}, [][]Button{{c.opt("here", "btn.contact_here")}}, nil
		},
		parse:  parseContactAnswer,
		answer: contactAnswer,
		next: func(c *turn) string {
			if strings.HasPrefix(c.s.Draft.ReporterPhone, unconfirmed) {
				return stepContactOK
			}
			return contactNext(c)
		},
	}, {
		// "maria_sandbox" is likely a username, but may be anything:
		// asked once.
		name:      stepContactOK,
		max:       maxName,
		sub:       true,
		transient: true,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			u := strings.TrimPrefix(c.s.Draft.ReporterPhone, unconfirmed)
			return []Text{T("ask.contact_confirm", "Contact", u)}, [][]Button{
				{c.opt("yes", "btn.contact_confirm_yes", "Contact", u)},
				{c.opt("no", "btn.contact_confirm_no")},
			}, nil
		},
		parse: func(ctx context.Context, c *turn, v string, button bool) (outcome, error) {
			r := &c.s.Draft
			if !button {
				return parseContactAnswer(ctx, c, v, false)
			}
			u, ok := strings.CutPrefix(r.ReporterPhone, unconfirmed)
			switch {
			case v == "yes" && ok:
				r.ReporterPhone = u
				return accepted()
			case v == "no":
				r.ReporterPhone = ""
				return outcome{back: true, fresh: true}, nil
			}
			return wrong("button.old_step")
		},
		next: func(c *turn) string {
			if strings.HasPrefix(c.s.Draft.ReporterPhone, unconfirmed) {
				return stepContactOK
			}
			return contactNext(c)
		},
	}, {
		name:   stepReview,
		prompt: reviewPrompt,
		parse: func(_ context.Context, c *turn, v string, _ bool) (outcome, error) {
			if v == "ok" {
				return outcome{confirm: true}, nil
			}
			if f, ok := strings.CutPrefix(v, "e_"); ok && slices.Contains(c.reviewFields(), f) {
				return outcome{edit: f}, nil
			}
			return wrong("button.old_step")
		},
		next: then(stepReview),
	}}
}

// ContactHere is the reporter's contact when they chose "contact me here
// in Telegram": volunteers write to the reporter's chat through the bot.
const ContactHere = "telegram:chat"

// unconfirmed marks a username typed without the @ until the reporter says
// it is theirs.
const unconfirmed = "?"

// lawyerParser reads the lawyer's name, firm and contacts.
func lawyerParser(v string) (string, *Text) { return ParseLawyer(v, maxName) }

// parseContactAnswer reads the reporter's contact, typed or the "here"
// button.
func parseContactAnswer(_ context.Context, c *turn, v string, button bool) (outcome, error) {
	r := &c.s.Draft
	if button {
		if v != "here" || r.FiledBy != 0 {
			return wrong("button.old_step")
		}
		r.ReporterPhone = ContactHere
		return accepted()
	}
	if r.FiledBy == 0 && hereWords[captionKey(v)] {
		r.ReporterPhone = ContactHere // the button, in words
		return accepted()
	}
	if r.FiledBy == 0 && noContact(v) {
		// "нет", "no phone": this chat is the one way to reach them, and
		// they are told so rather than asked for a number again.
		r.ReporterPhone = ContactHere
		c.say(T("contact.none_here"))
		return accepted()
	}
	if u, ok := ParseUsername(Clean(v)); ok {
		r.ReporterPhone = unconfirmed + u
		return accepted()
	}
	p, bad := ParseContact(v)
	if bad != nil {
		return refused(bad)
	}
	r.ReporterPhone = p
	return accepted()
}

// sameWords answer the citizenship question with the country of birth.
var sameWords = map[string]bool{
	"same": true, "the same": true, "same country": true, "same as country of birth": true, "same as birth": true,
	"та же": true, "та же самая": true, "то же": true, "то же самое": true, "такая же": true, "такое же": true,
	"так же": true, "тоже": true, "та же страна": true, "такая же страна": true,
}

// hereWords answer "how to reach you" with this chat, as the button
// "write to me here" does ("here" and "telegram" would otherwise read as
// usernames).
var hereWords = map[string]bool{
	"сюда": true, "здесь": true, "тут": true, "пишите сюда": true, "пишите здесь": true, "пишите мне сюда": true,
	"в телеграм": true, "в телеграме": true, "в телеграмм": true, "в телеграмме": true, "телеграм": true, "телеграмм": true,
	"в telegram": true, "в этот чат": true, "этот чат": true, "в этом чате": true, "через бота": true,
	"here": true, "write here": true, "write to me here": true, "telegram": true, "in telegram": true, "on telegram": true,
	"this chat": true, "in this chat": true, "through the bot": true,
}

// noContact reports whether a typed contact says there is none: "нет",
// "no", "нет телефона", "I don't have a phone".
func noContact(v string) bool {
	if ParseUnknown(v) {
		return true
	}
	var rest []string
	cut := false
	words := strings.FieldsFunc(strings.ToLower(v), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\'' && r != '’'
	})
	for _, w := range words {
		if phoneWords[w] {
			cut = true
			continue
		}
		rest = append(rest, w)
	}
	return cut && len(rest) > 0 && ParseUnknown(strings.Join(rest, " "))
}

// phoneWords name what is asked for in "no phone", "нет телефона".
var phoneWords = map[string]bool{
	"телефона": true, "телефон": true, "номера": true, "номер": true, "телефонного": true, "мобильного": true,
	"phone": true, "a": true, "number": true, "mobile": true, "cell": true,
}

// contactNext is the step after the reporter's contact.
func contactNext(c *turn) string {
	if c.fast() {
		return stepReview
	}
	return stepState
}

// contactAnswer shows the reporter's contact.
func contactAnswer(_ context.Context, c *turn, answered bool) (Text, error) {
	return c.contactText(c.s.Draft.ReporterPhone, answered), nil
}

// contactText shows a contact as people read it: "this Telegram chat" for
// ContactHere.
func (c *turn) contactText(v string, answered bool) Text {
	switch {
	case v == ContactHere:
		return T("value.contact_here")
	case strings.HasPrefix(v, unconfirmed):
		return c.raw(strings.TrimPrefix(v, unconfirmed))
	}
	return c.orNone(v, answered)
}

// facilityAnswer shows the facility: from the directory, as typed, or unknown.
func facilityAnswer(ctx context.Context, c *turn, answered bool) (Text, error) {
	r := &c.s.Draft
	if r.FacilityID != 0 {
		f, err := c.a.d.Facilities.Get(ctx, r.FacilityID)
		switch {
		case errors.Is(err, ErrNotFound):
			return T("value.none"), nil
		case err != nil:
			return Text{}, fmt.Errorf("get facility %d: %w", r.FacilityID, err)
		}
		return T("value.raw", "V", facilityLabel(f)), nil
	}
	if r.FacilityText != "" {
		return T("value.facility_typed", "V", c.raw(r.FacilityText)), nil
	}
	return c.orNone("", answered), nil
}

// facilityLabel names a facility on a button: "Eloy Federal Contract
// Facility, Eloy, AZ".
func facilityLabel(f Facility) string {
	parts := []string{f.Name}
	if f.City != "" {
		parts = append(parts, f.City)
	}
	if f.State != "" {
		parts = append(parts, f.State)
	}
	return strings.Join(parts, ", ")
}

// reviewClip is how much of a long answer the review screen shows, so that
// the whole screen fits in one Telegram message (4096 characters).
const reviewClip = 120

// reviewPrompt lists every answer, with a button to change each.
func reviewPrompt(ctx context.Context, c *turn) ([]Text, [][]Button, error) {
	c.clip = reviewClip
	defer func() { c.clip = 0 }()
	var lines []Text
	var rows [][]Button
	var row []Button
	for _, f := range c.reviewFields() {
		ans, err := c.a.steps[f].answer(ctx, c, true)
		if err != nil {
			return nil, nil, err
		}
		if ans.ID == "" {
			ans = T("value.none")
		}
		label := T("field." + f)
		if c.s.Draft.FiledBy != 0 {
			label = volunteerField(f) // the caller's answers, not "your name"
		}
		lines = append(lines, T("review.line", "Field", label, "Value", ans))
		row = append(row, c.opt("e_"+f, "btn.change", "Field", label))
		if len(row) == 2 {
			rows = append(rows, row)
			row = nil
		}
	}
	if row != nil {
		rows = append(rows, row)
	}
	rows = append(rows, []Button{c.opt("ok", "btn.confirm")})
	return []Text{T("ask.review", "Lines", lines)}, rows, nil
}

// confirm stores the report and gives the reporter the case code and the
// share link. A retry after a storage failure stores nothing twice: the
// draft's ID makes Cases.Create return the case stored the first time.
//
// On the urgent path the case is stored marked urgent with what is known
// so far, the reporter joins the volunteers' queue at once, and the rest of
// the questions are offered; their answers complete the same case.
func (c *turn) confirm(ctx context.Context) error {
	s := c.s
	r := s.Draft
	if !r.Consent || r.NameLatin == "" {
		// Cannot happen through the steps; ask what is missing rather than
		// store a case without consent or a name.
		c.s.Step = stepConsent
		if r.Consent {
			c.s.Step = stepName
		}
		return c.prompt(ctx, false)
	}
	// A username never confirmed is kept as typed, with the @.
	r.ReporterPhone = strings.TrimPrefix(r.ReporterPhone, unconfirmed)
	r.ReporterChatID = c.in.ChatID
	r.ReporterUserID = c.in.UserID
	if r.FiledBy != 0 {
		r.ReporterChatID, r.ReporterUserID = 0, PhoneCaller
	}
	r.Lang = s.Lang
	if r.Filed != "" {
		if err := c.a.d.Cases.Complete(ctx, &r); err != nil {
			return fmt.Errorf("complete case from draft %s: %w", r.DraftID, err)
		}
		c.reset()
		c.say(T("report.completed", "Code", FormatCode(r.Filed)))
		c.menu()
		return nil
	}
	fast := c.fast()
	if fast && !slices.Contains(r.Urgent, "deportation") {
		r.Urgent = append([]string{"deportation"}, r.Urgent...)
	}
	cs, err := c.a.d.Cases.Create(ctx, &r)
	if err != nil {
		return fmt.Errorf("create case from draft %s: %w", r.DraftID, err)
	}
	// The case is announced whether it was stored now or by an earlier
	// handling of this update whose replies were never committed: the
	// pipeline commits them, and the session that no longer holds the
	// draft, with the update, so a crash before that commit leaves the
	// draft for the update to be handled again, and the announcement is
	// sent once (casework.go). An urgent case is announced when it is
	// first stored; completing it later announces nothing again.
	announcement, err := c.a.announce(ctx, cs.ID, c.in.UserID)
	if err != nil {
		return err
	}
	for _, a := range announcement {
		c.send(a)
	}
	link := "https://t.me/" + c.a.cfg.BotUsername + "?start=c_" + cs.Code
	if fast {
		return c.filedUrgent(ctx, r, cs, link)
	}
	c.reset()
	if r.FiledBy != 0 {
		return c.filedForCaller(ctx, cs, link)
	}
	c.say(T("report.done", "Code", FormatCode(cs.Code), "Link", link))
	c.buttons = nil
	if len(r.Urgent) > 0 {
		c.say(T("report.urgent_offer"))
		c.buttons = append(c.buttons, []Button{{Text: T("btn.volunteer_now"), Data: dataMenu + ":urgent"}})
	}
	c.buttons = append(c.buttons, []Button{{Text: T("btn.menu"), Data: dataMenu + ":menu"}})
	return nil
}

// filedUrgent follows an urgent case being stored: the reporter is put in
// the volunteers' queue, marked urgent, and asked whether to answer the rest
// of the questions now. The draft stays, marked filed.
func (c *turn) filedUrgent(ctx context.Context, r Report, cs Case, link string) error {
	s := c.s
	s.Draft = r
	s.Draft.Filed = cs.Code
	s.Back, s.Edit = nil, ""
	c.say(T("report.done_urgent", "Code", FormatCode(cs.Code), "Link", link))
	if join := c.a.hooks.menu["urgent"]; join != nil {
		// Joining the queue answers for itself and keeps no session; here
		// the session goes on, at the offer of more questions.
		drop := c.drop
		if err := join(ctx, c); err != nil {
			return err
		}
		c.drop = drop
	}
	s.Step = stepMore
	texts, buttons, err := c.a.steps[stepMore].prompt(ctx, c)
	if err != nil {
		return err
	}
	c.say(texts...)
	c.buttons = buttons
	return nil
}

// surnameAfter reports whether v, typed at the question after the name,
// is the rest of a name given as one word: one or two words of letters
// alone, in the name's alphabet (Cyrillic when cyr), not a yes, a no or
// "не знаю". People on phones send the first name and the surname as two
// messages.
func surnameAfter(name, v string, cyr bool) bool {
	words := strings.Fields(v)
	if name == "" || strings.ContainsFunc(name, unicode.IsSpace) || len(words) == 0 || len(words) > 2 {
		return false
	}
	key := captionKey(v)
	if yesWords[key] || noWords[key] || ParseUnknown(v) || isThanks(v) || commandWords[key] != "" {
		return false
	}
	alphabet := unicode.Latin
	if cyr {
		alphabet = unicode.Cyrillic
	}
	for _, r := range v {
		if !unicode.IsLetter(r) && r != ' ' && r != '-' && r != '\'' {
			return false
		}
		if unicode.IsLetter(r) && !unicode.Is(alphabet, r) {
			return false
		}
	}
	return true
}

// optJoin is the button that joins the word typed after a one-word name
// to it (surnameAsked).
const optJoin = "join"

// joinedName is the one-word name with word after it, or word alone
// when it repeats the name ("Иван", then "Иван Петров").
func joinedName(name, word string) string {
	if first, _, _ := strings.Cut(word, " "); strings.EqualFold(first, name) {
		return titleIfLower(word)
	}
	return name + " " + titleIfLower(word)
}

// surnameAsked asks whether the word typed after a one-word name is its
// surname, with a button that joins them; the question after the name is
// asked again under it. Asked, not assumed: "верно", "later" are words
// too. The word waits in the session (Surname) for the button.
func (c *turn) surnameAsked(name, word string) (outcome, error) {
	whole := joinedName(name, word)
	if _, p := ParseName(whole, maxName); p != nil {
		return refused(p)
	}
	c.s.Surname = word
	q := T("parse.name_surname", "Word", strings.TrimSpace(word), "Name", whole)
	return outcome{wrong: &q, choices: [][]Button{{c.opt(optJoin, "btn.name_join", "Name", whole)}}}, nil
}

// nameJoined joins the word surnameAsked kept to the one-word name at
// *name, says the whole name back and asks the question again; cyr is
// the name's alphabet.
func (c *turn) nameJoined(name *string, cyr bool) (outcome, error) {
	word := c.surname
	if !surnameAfter(*name, word, cyr) {
		return wrong("button.old_step")
	}
	n, p := ParseName(joinedName(*name, word), maxName)
	if p != nil {
		return refused(p)
	}
	*name = n
	c.say(T("parse.name_joined", "Name", n))
	return outcome{stay: true}, nil
}
