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

// maxDate caps a typed date: longer is not a date, but a sentence with one,
// up to maxDateSentence.
const (
	maxDate         = 40
	maxDateSentence = 300
)

// facilityMatches is how many directory matches are offered as buttons.
const facilityMatches = 3

// circumstanceWords are the beginnings of words people type for how a
// detention happened, as they say it rather than as the buttons do:
// "на чекине", "at his appointment", "дома", "on the highway". A word
// written "=дома" must be whole ("домашний" is not at home, "homeland" is
// not home).
var circumstanceWords = map[string][]string{
	"checkin": {"чекин", "чекен", "=чек", "отметк", "отмеча", "check", "appointment", "isap", "chekin", "otmetk"},
	"border":  {"границ", "аэропорт", "пересек", "border", "airport", "crossing", "granic"},
	"raid_home": {"=дома", "=домой", "=доме", "квартир", "подъезд", "двер", "стучал", "постучал", "=home", "house", "apartment",
		"=door", "knock", "=doma", "=domoi"},
	"raid_work": {"работ", "стройк", "склад", "завод", "work", "=job", "factory", "warehouse", "rabot", "carwash",
		"автомойк"},
	"traffic": {"дорог", "трасс", "машин", "=гаи", "traffic", "highway", "=road", "driving", "pulled", "=car", "doroge",
		"mashin", "остановил", "=ехал", "=ехала", "=stopped", "=way", "=пути"},
	// Places none of the buttons names: "на улице", "в суде", "at court".
	"other": {"улиц", "=street", "=суд", "=суде", "court", "магазин", "=store", "=shop", "остановк", "автобус", "=bus",
		"больниц", "hospital", "школ", "school", "церк", "church", "парков", "parking", "метро", "subway", "интервью",
		"interview", "uscis", "=turned", "surrender", "сдался", "сдалась", "сдава", "сдаться", "=gas", "заправк"},
}

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
		f = append(f, stepANumber)
		if r.DetainedOn != "" {
			f = append(f, stepDetained) // told before the report (toldOnUrgentPath)
		}
		if r.Circumstance != "" {
			f = append(f, stepCircum)
		}
		f = append(f, stepFacility, stepFlight)
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
	f := []string{stepName}
	if !noCyrillicName(*r) {
		f = append(f, stepNameCyr)
	}
	f = append(f, stepNameOther, stepBirthDate, stepBirthCtry, stepCitizen, stepANumber,
		stepDetained, stepCircum)
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

// toldAnswer takes the answer a "from what you wrote" button offered, read
// again from the words kept, into field; the button is old when they no
// longer say it.
func toldAnswer(told string, field *string) (outcome, error) {
	if told == "" {
		return wrong("button.old_step")
	}
	*field = told
	return accepted()
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
	// In a sentence, the country said to be this one: "born in russia,
	// now citizen of georgia" is Russia at the birth, Georgia at the
	// citizenship, said back, the words kept; the sentence was the answer.
	countryAs := func(field func(*Report) *string, leads ...string) func(context.Context, *turn, string, bool) (outcome, error) {
		return func(ctx context.Context, c *turn, v string, button bool) (outcome, error) {
			if !button && len(strings.Fields(v)) > 4 {
				if told := knownCountries(strings.Fields(wordsAfter(v, leads, 1, nil))); told != "" {
					*field(&c.s.Draft) = told
					c.say(T("input.read_as", "Answer", told, "Kept", c.keepTyped(v)))
					return accepted()
				}
			}
			return optional(field, countryParser)(ctx, c, v, button)
		}
	}
	birthCountry := countryAs(func(r *Report) *string { return &r.BirthCountry }, "born in ", "родился в ",
		"родилась в ", "родом из ", "он из ", "она из ", "he is from ", "he's from ", "she is from ", "she's from ")
	citizenship := countryAs(func(r *Report) *string { return &r.Citizenship }, "citizen of ", "citizenship ",
		"passport of ", "гражданин ", "гражданка ", "гражданство ", "паспорт ")
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
		name: stepName,
		max:  maxName,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			r := &c.s.Draft
			if n := storyName(r.Facts.Said); n != "" && r.NameLatin == "" && r.NameCyrillic == "" {
				// Told before the question ("my dad was picked up
				// yesterday, his name is Jose Ramirez"): a press away,
				// not typed again.
				return []Text{T("ask.name")}, [][]Button{{c.opt("said", "btn.use_said", "Value", n)}}, nil
			}
			return []Text{T("ask.name")}, nil, nil
		},
		parse: func(_ context.Context, c *turn, v string, button bool) (outcome, error) {
			if button && v == "said" {
				if v = storyName(c.s.Draft.Facts.Said); v == "" {
					return wrong("button.old_step")
				}
				button = false
			}
			if button && (v == optGivenFirst || v == optAsTyped) {
				return c.nameOrdered(v == optGivenFirst)
			}
			if button {
				return wrong("button.old_step")
			}
			whole, split := v, false
			if selfWords[captionKey(v)] {
				// "Я", "это я": the name asked is the detained
				// person's; it became the name "Я".
				return wrong("parse.name_self")
			}
			said := false
			if n, ok := nameSaid(v); ok {
				v, said = n, true // "не знаю фамилию, зовут Иван": Иван
			}
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
			if (related || said) && !split && !c.filed() {
				// "Мой сын Алексей Смирнов": the words go to the
				// volunteer (it was transliterated "Moi syn").
				c.keepWords(whole)
			}
			if !hasCyrillic(n) && !split && latinSurnameFirst(n) {
				// "Petrov Ivan", as a Russian passport lists them: which
				// is the given name? Read as given, Petrov was the first
				// name at the ICE locator.
				f := strings.Fields(n)
				c.s.Typed = n
				q := T("parse.name_order", "Name", n)
				return outcome{wrong: &q, choices: [][]Button{
					{c.opt(optGivenFirst, "btn.name_given", "Given", f[1], "Surname", f[0])},
					{c.opt(optAsTyped, "btn.name_given", "Given", f[0], "Surname", f[1])},
				}}, nil
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
			case noCyrillicName(c.s.Draft):
				return stepNameOther
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
			icao, old := latinSpellings(cyr)
			var note []Text
			if _, p, ok := withoutPatronymic(cyr); ok {
				// Not in Latin letters: passports and US papers have none.
				note = []Text{T("report.no_patronymic", "Patronymic", p)}
			}
			if _, turned := givenFirst(cyr); turned {
				note = append(note, T("report.given_first"))
			}
			switch {
			case old == "" || hasCyrillic(old):
				return []Text{T("ask.name_latin_own", "Name", cyr)}, nil, nil
			case icao == old:
				return append(note, T("ask.name_latin", "Name", cyr, "Latin", old)),
					[][]Button{{c.opt("translit", "btn.use_translit", "Latin", old)}}, nil
			}
			return append(note, T("ask.name_latin_two", "Name", cyr, "ICAO", icao, "Old", old)), [][]Button{
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
				icao, old := latinSpellings(r.NameCyrillic)
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
			icao, old := latinSpellings(r.NameCyrillic)
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
			if !button {
				v = birthDateOnly(v)
			}
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
						// the year, said back as such; a month with it
						// ("март 1985") is kept for the volunteer.
						c.s.Draft.BirthDate = strconv.Itoa(y)
						c.say(T("date.understood", "Date", yearText(y), "Weekday", "")) // a year has no day
						if monthOnly(v) && c.keepTyped(v) {
							c.say(T("input.kept"))
						}
						return accepted()
					}
					if y, ok := ParseAge(v, c.now); ok {
						// "Ему 35 лет": the year it makes, said back as
						// such, and the age kept for the volunteer. It
						// was "couldn't read that date".
						c.s.Draft.BirthDate = strconv.Itoa(y)
						c.say(T("date.from_age", "Year", y))
						c.keepTyped(v)
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
			rows := [][]Button{{c.opt("skip", "btn.dont_know")}}
			if told := storyCountry(c.s.Draft.Facts.Said); told != "" && c.s.Draft.BirthCountry == "" {
				// "Он из Таджикистана", told before the question: that
				// country, a press away.
				rows = append([][]Button{{c.opt("said", "btn.use_said", "Value", told)}}, rows...)
			}
			return []Text{T("ask.birth_country")}, rows, nil
		},
		parse: func(ctx context.Context, c *turn, v string, button bool) (outcome, error) {
			if button && v == "said" {
				return toldAnswer(storyCountry(c.s.Draft.Facts.Said), &c.s.Draft.BirthCountry)
			}
			if rest := withoutCitizenship(v); !button && citizenshipIn(v) != "" && rest != "" {
				// "Узбекистан, но паспорт российский": the country of
				// birth, said back, the words kept, and the citizenship
				// offered at its question; it was all Uzbekistan.
				if told, p := countryParser(rest); p == nil && told != "" {
					c.s.Draft.BirthCountry = told
					c.say(T("input.read_as", "Answer", told, "Kept", c.keepTyped(v)))
					return accepted()
				}
			}
			return birthCountry(ctx, c, v, button)
		},
		answer: showCountry(func(r *Report) *string { return &r.BirthCountry }),
		next:   then(stepCitizen),
	}, {
		name: stepCitizen,
		max:  maxShort,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			dontKnow := []Button{c.opt("skip", "btn.dont_know")}
			var told [][]Button
			if v := citizenshipIn(c.s.Draft.Facts.Said); v != "" && c.s.Draft.Citizenship == "" {
				// "…но паспорт российский", told at the country of birth
				// or before the report: that country, a press away.
				told = [][]Button{{c.opt("said", "btn.use_said", "Value", v)}}
			}
			if bc := c.s.Draft.BirthCountry; bc != "" {
				return []Text{T("ask.citizenship")}, append(told, []Button{c.opt("same", "btn.same_country", "Country", bc)}, dontKnow), nil
			}
			// No country of birth to be the same as: no such button, and
			// no word of it.
			return []Text{T("ask.citizenship_plain")}, append(told, dontKnow), nil
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
			if button && v == "said" {
				return toldAnswer(citizenshipIn(r.Facts.Said), &r.Citizenship)
			}
			return citizenship(ctx, c, v, button)
		},
		answer: showCountry(func(r *Report) *string { return &r.Citizenship }),
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
			var rows [][]Button
			if n := aNumberIn(c.s.Draft.Facts.Said); n != "" && c.s.Draft.ANumber == "" {
				// Written before the question ("his A-number is A 123
				// 456 789, he was taken yesterday" at the menu): a press
				// away, not typed again.
				rows = append(rows, []Button{c.opt("said", "btn.use_said", "Value", FormatANumber(n))})
			}
			return []Text{T("ask.a_number")}, append(rows, []Button{c.opt("skip", "btn.dont_know")}), nil
		},
		parse: func(ctx context.Context, c *turn, v string, button bool) (outcome, error) {
			if button && v == "said" {
				if v = aNumberIn(c.s.Draft.Facts.Said); v == "" {
					return wrong("button.old_step")
				}
				button = false
			}
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
			if n := c.s.Draft.ANumber; n != "" && !button {
				// "A 2o8 555 123": a letter read as a zero, said back; an
				// A-number misread finds no one at the ICE locator.
				if typed := digitsOf(v); n != typed && n != "0"+typed {
					c.say(T("input.read_as", "Answer", FormatANumber(n), "Kept", false))
				}
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
			rows := [][]Button{{c.opt("skip", "btn.dont_know")}}
			if t, ok := c.storyDate(); ok && c.s.Draft.DetainedOn == "" {
				// "Picked up at work yesterday", told before the
				// question: the day, a press away.
				b := c.dateOpt("d", t)
				b.Text = T("btn.use_said", "Value", b.Text)
				rows = append([][]Button{{b}}, rows...)
			}
			return []Text{T("ask.detained_on", "Num", num, "Words", words)}, rows, nil
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
			pairs := func(cs []string) [][]Button {
				var rows [][]Button
				for i := 0; i < len(cs); i += 2 {
					row := []Button{c.opt(cs[i], "circ."+cs[i])}
					if i+1 < len(cs) {
						row = append(row, c.opt(cs[i+1], "circ."+cs[i+1]))
					}
					rows = append(rows, row)
				}
				return rows
			}
			rows := pairs(circumstances())
			if told := c.circumstanceTold(); told != "" && c.s.Draft.Circumstance == "" {
				// "Picked up by ICE at his work", told before the
				// question: that answer first, a press away, and not
				// again among the others.
				if v, label, ok := c.stepWordIn(c.a.steps[stepCircum], rows, told); ok && !strings.Contains(v, "+") {
					others := slices.DeleteFunc(circumstances(), func(o string) bool { return o == v })
					rows = append([][]Button{{c.opt(v, "btn.use_said", "Value", label)}}, pairs(others)...)
				}
			}
			return []Text{T("ask.circumstance")}, rows, nil
		},
		parse: func(_ context.Context, c *turn, v string, _ bool) (outcome, error) {
			if !slices.Contains(circumstances(), v) && v != "unknown" {
				return wrong("button.old_step")
			}
			if v == "unknown" {
				// "Не знаю", typed (there is no such button): not known,
				// as the card says, not "Other", which read as a way
				// told; the details are then asked as for any answer.
				v = ""
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
		words:   circumstanceWords,
		unknown: "unknown", // "не знаю": not known; it was "Other"
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
		prompt: func(ctx context.Context, c *turn) ([]Text, [][]Button, error) {
			rows := [][]Button{{c.opt("unknown", "btn.dont_know")}}
			if r := &c.s.Draft; r.FacilityID == 0 && r.FacilityText == "" {
				// "They moved him to Alexandria last night", told
				// before the question: that place, a press away.
				f, ok, err := c.storyFacility(ctx)
				if err != nil {
					return nil, nil, fmt.Errorf("facility told: %w", err)
				}
				if ok {
					rows = append([][]Button{{c.opt("f"+strconv.FormatInt(f.ID, 10), "btn.use_said", "Value", facilityLabel(f))}}, rows...)
				}
			}
			return []Text{T("ask.facility")}, rows, nil
		},
		parse: func(ctx context.Context, c *turn, v string, button bool) (outcome, error) {
			r := &c.s.Draft
			if id, ok := strings.CutPrefix(v, "f"); button && ok {
				fid, err := strconv.ParseInt(id, 10, 64)
				if err != nil {
					return wrong("button.old_step")
				}
				f, err := c.a.d.Facilities.Get(ctx, fid)
				if errors.Is(err, ErrNotFound) {
					return wrong("button.old_step")
				}
				if err != nil {
					return outcome{}, fmt.Errorf("get facility %d: %w", fid, err)
				}
				c.heldAt(f)
				return accepted()
			}
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
			// "Адъеланто", "Stewart": the one facility spelt so is it,
			// said back; the list of one to press was a question more.
			f, ok, err := c.spelledFacility(ctx, q)
			if err != nil {
				return outcome{}, err
			}
			if ok {
				c.say(T("input.read_as", "Answer", facilityLabel(f), "Kept", false))
				c.heldAt(f)
				return accepted()
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
			found, err := c.matchFacilities(ctx, q)
			if err != nil {
				return nil, nil, err
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
					c.keepSearch()
					return accepted()
				}
				if f, ok, err := c.shownFacility(ctx, r.FacilityText, v); err != nil || ok {
					return c.pickedFacility(f, err)
				}
				if f, ok, err := c.oneShownNamed(ctx, r.FacilityText, v); err != nil || ok {
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
				c.keepSearch()
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
			f, err := c.a.d.Facilities.Get(ctx, id)
			if errors.Is(err, ErrNotFound) {
				return wrong("button.old_step")
			} else if err != nil {
				return outcome{}, fmt.Errorf("get facility %d: %w", id, err)
			}
			c.heldAt(f)
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
		name: stepLawyer,
		prompt: func(ctx context.Context, c *turn) ([]Text, [][]Button, error) {
			texts, rows, err := askWith("ask.lawyer", [2]string{"yes", "btn.lawyer_yes"}, [2]string{"no", "btn.lawyer_no"})(ctx, c)
			if err == nil && !c.s.Draft.HasLawyer && lawyerTold(c.s.Draft.Facts.Said+"\n"+c.s.Draft.CircumstanceNote) {
				// "His lawyer says he might be deported", told before
				// the question: the yes, from those words.
				rows[0][0] = c.opt("yes", "btn.use_said", "Value", T("btn.lawyer_yes"))
			}
			return texts, rows, err
		},
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
		// "Ищем", "looking for one", "нужен адвокат", "у него нет
		// адвоката": none yet; "наняли", "есть, но не отвечает", "we hired
		// one": there is.
		words: map[string][]string{
			"no": {"ищем", "ищу", "ищет", "ищут", "looking", "searching", "нужен", "need", "нету", "=нет", "=no",
				"=none"},
			// "She has a lawyer from the church, I dont have the
			// number": the "have" said no to is the number's.
			"yes": {"наняли", "наняла", "нанял", "=есть", "hired", "retained", "=has", "=have", "=got"},
		},
		deniedAfter: []string{"no"}, // "he has no lawyer"
	}, {
		name: stepLawName,
		max:  maxName,
		sub:  true,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			return []Text{T("ask.lawyer_name")}, [][]Button{{c.opt("skip", "btn.dont_know")}}, nil
		},
		// A firm, commas and contacts are welcome here; a phone typed with
		// the name is offered for the next question. "RAICES, I don't have
		// her number": the name, the words kept, and the phone not asked.
		parse: func(ctx context.Context, c *turn, v string, button bool) (outcome, error) {
			if name, ok := withoutNoPhone(v); ok && !button {
				c.keepTyped(v)
				c.noPhone = true
				c.s.Draft.LawyerPhone = ""
				v = name
			}
			return optional(func(r *Report) *string { return &r.LawyerName }, lawyerParser)(ctx, c, v, button)
		},
		answer: showText(func(r *Report) *string { return &r.LawyerName }),
		next: func(c *turn) string {
			if c.noPhone {
				return stepHearing
			}
			return stepLawPhone
		},
	}, {
		name: stepLawPhone,
		max:  maxName,
		sub:  true,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			var rows [][]Button
			if p := FindPhone(c.s.Draft.LawyerName); p != "" {
				rows = append(rows, []Button{c.opt("found", "btn.use_phone", "Phone", p)})
			} else if p := lawyerPhoneTold(c.s.Draft.Facts.Said); p != "" {
				// "Есть, дали номер адвоката Светланы, 713-555-0199",
				// kept with the yes: the number, a press away.
				rows = append(rows, []Button{c.opt("told", "btn.use_phone", "Phone", p)})
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
				r.LawyerName = withoutPhone(r.LawyerName, p)
				return accepted()
			}
			if button && v == "told" {
				return toldAnswer(lawyerPhoneTold(r.Facts.Said), &r.LawyerPhone)
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
			var told []Text
			for _, u := range urgentSigns() {
				on := slices.Contains(c.s.Draft.Urgent, u)
				rows = append(rows, []Button{c.opt("t_"+u, "btn.urgent", "Sign", T("urgent."+u), "On", on)})
				if !on && c.toldSign(u) {
					told = append(told, T("value.item", "V", T("urgent."+u)))
				}
			}
			rows = append(rows, []Button{c.opt("none", "btn.urgent_none"), c.opt("done", "btn.urgent_done")})
			var texts []Text
			if told != nil {
				// "У него больное сердце", told before: the sign it names,
				// to mark if it is so; it went unmentioned.
				texts = append(texts, T("report.urgent_told", "Signs", T("value.lines", "Lines", told)))
			}
			return append(texts, T("ask.urgent")), rows, nil
		},
		// "У него диабет", "the kids are alone": the sign, marked (typed, it
		// is never taken back).
		words: map[string][]string{
			"t_medical": {"диабет", "болен", "больн", "болеет", "болезн", "лекарств", "таблет", "инсулин", "сердц",
				"давлени", "беремен", "онколог", "=рак", "операци", "врач", "инвалид", "diabet", "sick", "=ill",
				"illness", "insulin", "heart", "pregnan", "cancer", "surgery", "doctor", "hospital", "medication",
				"medicine", "disab"},
			"t_children": {"=дети", "=детей", "=детьми", "=детям", "ребен", "малыш", "младен", "несовершеннолет",
				"kid", "child", "baby", "babies", "minor", "infant", "toddler"},
			"t_flight":      {"рейс", "самолет", "чартер", "flight", "plane", "charter"},
			"t_deportation": {"депорт", "высыл", "deport", "removal"},
			"none":          {"=none"},
		},
		multi: true,
		parse: func(_ context.Context, c *turn, v string, _ bool) (outcome, error) {
			r := &c.s.Draft
			switch v {
			case "none":
				// The signs asked here go; a mark the report's other
				// answers gave (a staging facility) stays.
				r.Urgent = slices.DeleteFunc(r.Urgent, func(u string) bool { return slices.Contains(urgentSigns(), u) })
				return accepted()
			case "done":
				return accepted()
			}
			typed := c.in.Kind != KindButton
			signs := strings.Split(v, "+") // typed words may name several
			for _, sign := range signs {
				u, ok := strings.CutPrefix(sign, "t_")
				if !ok || !slices.Contains(urgentSigns(), u) || len(signs) > 1 && !typed {
					return wrong("button.old_step")
				}
			}
			changed := false
			for _, sign := range signs {
				u := strings.TrimPrefix(sign, "t_")
				if i := slices.Index(r.Urgent, u); i >= 0 {
					if !typed {
						r.Urgent, changed = slices.Delete(r.Urgent, i, i+1), true
					}
					continue
				}
				r.Urgent, changed = append(r.Urgent, u), true
			}
			if !changed {
				return outcome{stay: true}, nil
			}
			sortUrgent(r) // the order of the buttons, whatever the order of presses
			if len(r.Urgent) == 0 {
				r.Urgent = nil
			}
			return outcome{stay: true, inPlace: true}, nil
		},
		answer: func(_ context.Context, c *turn, answered bool) (Text, error) {
			var lines []Text
			for _, u := range c.s.Draft.Urgent {
				// The final order's mark is for the volunteers ("can be
				// deported any day"): the reporter's review shows the
				// stage they gave, not that.
				if u != UrgentFinalOrder || c.s.Flow != flowReport {
					lines = append(lines, T("value.item", "V", T("urgent."+u)))
				}
			}
			switch {
			case len(lines) > 0:
				return T("value.lines", "Lines", lines), nil
			case answered:
				return T("value.urgent_none"), nil
			}
			return Text{}, nil
		},
		next: then(stepRepName),
	}, {
		name: stepRepName,
		max:  maxName,
		prompt: func(ctx context.Context, c *turn) ([]Text, [][]Button, error) {
			texts, rows, err := askCaller("ask.reporter_name", "ask.caller_name")(ctx, c)
			if n := storyOwnName(c.s.Draft.Facts.Said); n != "" && c.s.Draft.ReporterName == "" && c.s.Draft.FiledBy == 0 {
				// "Меня зовут Мария", told before the report.
				rows = append(rows, []Button{c.opt("said", "btn.use_said", "Value", n)})
			}
			return texts, rows, err
		},
		parse: func(ctx context.Context, c *turn, v string, button bool) (outcome, error) {
			if button && v == "said" {
				if v = storyOwnName(c.s.Draft.Facts.Said); v == "" {
					return wrong("button.old_step")
				}
				button = false
			}
			if !button && refusesName(v) {
				// "Не хочу говорить", "anonymous": any name will do; it
				// was stored as the name.
				return wrong("parse.name_refused")
			}
			if rel, p := ParseRelationship(v, maxShort); !button && p == nil && relationWords[strings.ToLower(strings.Trim(rel, ".!"))] {
				// "Мама", "я его жена": who they are, the next question's
				// answer, and their name asked again; "Мама" was stored
				// as the name.
				c.s.Draft.Relationship = rel
				c.say(T("report.relation_noted", "Relation", rel))
				return outcome{stay: true}, nil
			}
			if name, rel, ok := nameWithRelation(v); ok && !button {
				// "Alex, his brother in law": the name, and the answer
				// to the next question, said back; it was all the name.
				c.s.Draft.ReporterName, c.s.Draft.Relationship = name, rel
				c.say(T("report.name_relation", "Name", name, "Relation", rel))
				return accepted()
			}
			return required(func(r *Report) *string { return &r.ReporterName }, nameParser)(ctx, c, v, button)
		},
		answer: showText(func(r *Report) *string { return &r.ReporterName }),
		next: func(c *turn) string {
			if c.s.Draft.Relationship != "" {
				return c.a.steps[stepRelation].next(c) // told with the name, or before
			}
			return stepRelation
		},
	}, {
		name: stepRelation,
		max:  maxShort,
		prompt: func(ctx context.Context, c *turn) ([]Text, [][]Button, error) {
			texts, rows, err := askCaller("ask.relationship", "ask.caller_relationship")(ctx, c)
			if rel := storySpouse(c.s.Draft.Facts.Said, c.s.Lang); rel != "" && c.s.Draft.FiledBy == 0 {
				// "Мужа забрали вчера": the wife writes.
				rows = append(rows, []Button{c.opt("said", "btn.use_said", "Value", rel)})
			}
			return texts, rows, err
		},
		parse: func(ctx context.Context, c *turn, v string, button bool) (outcome, error) {
			if button && v == "said" {
				if v = storySpouse(c.s.Draft.Facts.Said, c.s.Lang); v == "" {
					return wrong("button.old_step")
				}
				button = false
			}
			return required(func(r *Report) *string { return &r.Relationship }, func(v string) (string, *Text) {
				return ParseRelationship(v, maxShort)
			})(ctx, c, v, button)
		},
		answer: showRelation,
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
