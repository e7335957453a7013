package flows

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Facts are what decides whether a deportation can still be stopped: the
// stage of the case, what is known of a flight, transfers, how the person
// entered, whether they can call out, and what the family allows. Each is
// asked with buttons where there are choices, and each may be "don't know"
// (stored as unknown). They are stored sealed, with the other personal
// fields of the case.
type Facts struct {
	// Triage is the answer to the first question after consent: urgent when
	// a deportation, a transfer or a flight is feared, normal otherwise.
	Triage string `json:"tr,omitempty"`

	// NameOther are other spellings of the name in US papers, as typed; the
	// ICE locator needs the exact one.
	NameOther string `json:"no,omitempty"`
	// NameUnverified says the Latin name is a guess the reporter did not
	// check against the passport; NameAlt is the other spelling offered,
	// kept so that the locator is tried with both.
	NameUnverified bool   `json:"nu,omitempty"`
	NameAlt        string `json:"na,omitempty"`

	FlightSource string `json:"fs,omitempty"` // who spoke of a flight: officer, detainee, lawyer, rumor, none, unknown
	FlightNote   string `json:"fn,omitempty"` // what was heard, when
	TravelDocs   string `json:"td,omitempty"` // ICE said travel documents went to the consulate: yes, no, unknown

	Stage      string `json:"st,omitempty"` // asylum, judge, bia, final_order, reopen, stay, habeas, unknown
	FinalOrder string `json:"fo,omitempty"` // YYYY-MM-DD, for a final order

	Transferred  string `json:"tf,omitempty"` // yes, no, unknown
	TransferFrom string `json:"tff,omitempty"`
	TransferOn   string `json:"tfo,omitempty"` // YYYY-MM-DD

	Entry string `json:"en,omitempty"` // parole, i220a, ewi, visa, other, unknown

	// The ICE office of the check-in, when the person was detained at
	// one: Office is a field office's code; OfficeText is what the reporter
	// typed when it is not in the list (a sub-office is kept as typed).
	Office     string `json:"of,omitempty"`
	OfficeText string `json:"ot,omitempty"`

	Language     string `json:"lg,omitempty"` // the detainee's language, as typed
	CanCall      string `json:"cc,omitempty"` // yes, no, unknown
	LastCall     string `json:"lc,omitempty"` // YYYY-MM-DD
	PhoneAccount string `json:"pa,omitempty"` // a phone or commissary account: yes, no, unknown

	State     string `json:"sz,omitempty"` // the reporter's state or ZIP code
	Privacy   string `json:"pr,omitempty"` // a privacy release is signed: yes, no, unknown
	Publicity string `json:"pb,omitempty"` // the family agrees to publicity: yes, no, unknown

	// DatesShare: people with the case code may see a deportation date.
	DatesShare bool `json:"ds,omitempty"`

	// Said is what the reporter typed where a question takes a button
	// ("they are deporting him tomorrow" under "is it urgent?"), kept for
	// the volunteer (keepTyped), one message a line.
	Said string `json:"sd,omitempty"`

	// Files are the photos, documents and voice messages the reporter sent
	// while answering (a notice from ICE, the A-number on a paper), as
	// their message IDs in the reporter's chat: the volunteer gets them
	// copied from there (keepFile), and nothing of them is stored here.
	Files []int `json:"fl,omitempty"`
}

// maxFiles is how many files one report keeps; MaxCaseFiles how many a
// case keeps with those sent as news later.
const (
	maxFiles     = 10
	MaxCaseFiles = 30
)

// Steps of the facts, in the order they are asked.
const (
	stepTriage       = "triage"
	stepNameOther    = "name_other"
	stepTransfer     = "transfer"
	stepTransferFrom = "transfer_from"
	stepTransferOn   = "transfer_on"
	stepStage        = "stage"
	stepFinalOrder   = "final_order"
	stepFlight       = "flight"
	stepFlightNote   = "flight_note"
	stepTravelDocs   = "travel_docs"
	stepEntry        = "entry"
	stepOffice       = "office"
	stepOfficePick   = "office_pick"
	stepLanguage     = "language"
	stepCanCall      = "can_call"
	stepLastCall     = "last_call"
	stepPhoneAcct    = "phone_account"
	stepState        = "state"
	stepPrivacy      = "privacy"
	stepPublicity    = "publicity"
	stepMore         = "more"
	stepSaid         = "said"
)

// Choices of the facts' questions, as stored.
var (
	yesNoUnknown  = []string{"yes", "no", "unknown"}
	flightSources = []string{"officer", "detainee", "lawyer", "rumor", "none", "unknown"}
	stages        = []string{"asylum", "judge", "bia", "final_order", "reopen", "stay", "habeas", "unknown"}
	entries       = []string{"parole", "i220a", "ewi", "visa", "other", "unknown"}
)

// fast reports whether the chat is on the urgent path: triage said a
// deportation may be close, and the case is not filed yet. The path asks
// only what a volunteer needs to act now.
func (c *turn) fast() bool {
	r := &c.s.Draft
	return r.Facts.Triage == "urgent" && r.Filed == ""
}

// filed reports whether the draft completes a case filed on the urgent
// path: every question may then be skipped.
func (c *turn) filed() bool { return c.s.Draft.Filed != "" }

// offeredMore reports whether the chat is at the offer of more questions
// after the urgent filing, none begun: leaving it loses nothing.
func (c *turn) offeredMore() bool {
	return c.inReport() && c.filed() && c.s.Step == stepMore
}

// choice is a question answered by one of values, each a button captioned
// "<prefix>.<value>"; "unknown" is "don't know".
func choice(name, askID, prefix string, values []string, field func(*Facts) *string, next func(*turn) string) *step {
	return &step{
		name: name,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			var rows [][]Button
			var row []Button
			for _, v := range values {
				id := prefix + "." + v
				if v == "unknown" {
					id = "btn.dont_know"
				}
				row = append(row, c.opt(v, id))
				if len(row) == 2 {
					rows, row = append(rows, row), nil
				}
			}
			if row != nil {
				rows = append(rows, row)
			}
			return []Text{T(askID)}, rows, nil
		},
		parse: func(_ context.Context, c *turn, v string, _ bool) (outcome, error) {
			if !slices.Contains(values, v) {
				return wrong("button.old_step")
			}
			*field(&c.s.Draft.Facts) = v
			return accepted()
		},
		answer: func(_ context.Context, c *turn, _ bool) (Text, error) {
			switch v := *field(&c.s.Draft.Facts); v {
			case "":
				return Text{}, nil
			case "unknown":
				return T("value.unknown"), nil
			default:
				return T(prefix + "." + v), nil
			}
		},
		next: next,
	}
}

// factText is an optional typed fact.
func factText(name, askID string, max int, field func(*Facts) *string, next func(*turn) string) *step {
	return &step{
		name: name,
		max:  max,
		sub:  true,
		yes:  "parse.yes_" + name,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			return []Text{T(askID, "Max", T("unit.chars").Plural(max))}, [][]Button{{c.opt("skip", "btn.dont_know")}}, nil
		},
		parse: optional(func(r *Report) *string { return field(&r.Facts) },
			func(v string) (string, *Text) { return ParseText(v, max) }),
		answer: showText(func(r *Report) *string { return field(&r.Facts) }),
		next:   next,
	}
}

// flightNote reads the day the words about the flight name ("завтра, в
// Россию", "a flight on Friday") as the flight's date, said back with its
// day of the week: the case gets it as its deportation date, so the
// volunteers are reminded of it and see it on the card. Within 72 hours
// it marks the case urgent. Kept only as words, "завтра" read a day later
// named the wrong day.
func flightNote(st *step) *step {
	parse, answer := st.parse, st.answer
	st.parse = func(ctx context.Context, c *turn, v string, button bool) (outcome, error) {
		out, err := parse(ctx, c, v, button)
		if err != nil || out.wrong != nil {
			return out, err
		}
		r := &c.s.Draft
		r.FlightDate = ""
		if d, ok := c.dateInWords(r.Facts.FlightNote); ok {
			r.FlightDate = d.Format(time.DateOnly)
			c.say(T("date.flight", "Date", dateText(d), "Weekday", T("weekday."+strconv.Itoa(int(d.Weekday())))))
			if u := urgentFor(DateDeportation, r.FlightDate, c.now); u != "" && !slices.Contains(r.Urgent, u) {
				r.Urgent = append(r.Urgent, u)
				if !c.fast() { // on the urgent path it is urgent already
					c.say(T("casework.now_urgent"))
				}
			}
		}
		return out, nil
	}
	st.answer = func(ctx context.Context, c *turn, answered bool) (Text, error) {
		t, err := answer(ctx, c, answered)
		if err != nil || c.s.Draft.FlightDate == "" {
			return t, err
		}
		return T("value.flight_note", "Note", t, "Date", dateText(dateOf(c.s.Draft.FlightDate))), nil
	}
	return st
}

// otherNames makes the other spellings of a name refuse what is no name, as
// the name's own questions do: "1975" there is the birth year typed a
// question early, "в пятницу" a day (notAName). They were kept as a
// spelling.
func otherNames(st *step) *step {
	typed := optional(func(r *Report) *string { return &r.Facts.NameOther }, func(v string) (string, *Text) {
		if p := notAName(v); p != nil {
			return "", p
		}
		return ParseText(v, maxName)
	})
	prompt := st.prompt
	// The Latin name typed ("Dmitry Sokolov") and the Cyrillic one
	// ("Дмитрий Соколов"): the spellings of the Cyrillic that passports
	// use and the typed one is not ("Dmitrii Sokolov" since 2014), each a
	// button — the ICE locator needs the exact one. They were offered only
	// when the Cyrillic came first.
	st.prompt = func(ctx context.Context, c *turn) ([]Text, [][]Button, error) {
		texts, rows, err := prompt(ctx, c)
		if err != nil {
			return nil, nil, err
		}
		var offered [][]Button
		if slices.Contains(c.s.Back, stepNameLatin) {
			return texts, rows, nil // the Cyrillic came first: its spellings were offered then
		}
		for i, sp := range otherSpellings(c.s.Draft) {
			offered = append(offered, []Button{c.labelOpt("sp"+strconv.Itoa(i), "➕ "+sp)})
		}
		if offered != nil {
			texts = append(texts, T("ask.name_other_passport"))
		}
		return texts, append(offered, rows...), nil
	}
	st.parse = func(ctx context.Context, c *turn, v string, button bool) (outcome, error) {
		if i, err := strconv.Atoi(strings.TrimPrefix(v, "sp")); button && strings.HasPrefix(v, "sp") && err == nil {
			sps := otherSpellings(c.s.Draft) // as offered: a changed name makes the button old
			if i < 0 || i >= len(sps) {
				return wrong("button.old_step")
			}
			x := &c.s.Draft.Facts
			x.NameOther = strings.TrimPrefix(x.NameOther+", "+sps[i], ", ")
			return accepted()
		}
		if !button && sameSpelling[captionKey(v)] {
			// "Same everywhere": none other; it was stored as the
			// other spellings.
			c.s.Draft.Facts.NameOther = ""
			return accepted()
		}
		if lead, rest, ok := yesNoLead(v); ok && !button && noWords[captionKey(lead)] &&
			!strings.ContainsFunc(rest, func(r rune) bool { return r < unicode.MaxASCII && unicode.IsLetter(r) }) {
			// "Нет, вроде везде одинаково": none; it was kept as the
			// other spellings.
			c.s.Draft.Facts.NameOther = ""
			return accepted()
		}
		names := latinNamesIn(v)
		if names == "" {
			names = capitalNamesIn(v)
		}
		if !button && names != "" {
			// "в асайлуме было Farukh Rahimov вроде": the spelling,
			// not the sentence the ICE locator would be searched with;
			// the words kept for the volunteer.
			c.s.Draft.Facts.NameOther = names
			c.say(T("input.read_as", "Answer", names, "Kept", c.keepTyped(v)))
			return accepted()
		}
		return typed(ctx, c, v, button)
	}
	return st
}

// latinNamesIn are the names in Latin letters in a message written in
// Cyrillic ("в асайлуме было Farukh Rahimov, а в паспорте Farrukh
// Rakhimov"): each run of two to four Latin words, joined by ", "; "" when
// the message has no Cyrillic word in lower case (words around the names,
// not a name: "Farukh Rahimov (Фарух Рахимов)" is kept whole), or no such
// run.
func latinNamesIn(v string) string {
	if !slices.ContainsFunc(strings.Fields(v), func(w string) bool {
		r, _ := utf8.DecodeRuneInString(w)
		return utf8.RuneCountInString(w) >= 2 && hasCyrillic(w) && unicode.IsLower(r)
	}) {
		return ""
	}
	var names, run []string
	flush := func() {
		if len(run) >= 2 && len(run) <= 4 {
			names = append(names, strings.Join(run, " "))
		}
		run = nil
	}
	for _, f := range strings.Fields(v) {
		w := strings.TrimRight(f, ",.;:!?)»\"")
		w = strings.TrimLeft(w, "(«\"")
		latin := utf8.RuneCountInString(w) >= 2 && !strings.ContainsFunc(w, func(r rune) bool {
			return !(r < unicode.MaxASCII && unicode.IsLetter(r) || r == '-' || r == '\'')
		})
		if !latin {
			flush()
			continue
		}
		run = append(run, w)
		if w != f { // a comma or a stop ends a name
			flush()
		}
	}
	flush()
	return strings.Join(names, ", ")
}

// capitalNamesIn is latinNamesIn for a message in Latin letters: the runs
// of two to four capitalized words ("de la" and the like inside them) in
// words written in lower case around them ("he also goes by Carlos Ruiz",
// "on his papers it was Karlos Ruis"); "" when there are fewer than two
// such words (a name, or names, typed alone).
func capitalNamesIn(v string) string {
	var names, run []string
	around := 0
	flush := func() {
		for len(run) > 0 && nameParticles[run[len(run)-1]] {
			run = run[:len(run)-1]
		}
		if len(run) >= 2 && len(run) <= 4 {
			names = append(names, strings.Join(run, " "))
		}
		run = nil
	}
	for _, f := range strings.Fields(v) {
		w := strings.Trim(f, ",.;:!?()«»\"")
		r, _ := utf8.DecodeRuneInString(w)
		letters := w != "" && !strings.ContainsFunc(w, func(r rune) bool {
			return !(r < unicode.MaxASCII && unicode.IsLetter(r) || r == '-' || r == '\'')
		})
		switch {
		case letters && unicode.IsUpper(r) && utf8.RuneCountInString(w) >= 2 && !notNames[strings.ToLower(w)]:
			run = append(run, w)
		case letters && len(run) > 0 && nameParticles[w]:
			run = append(run, w) // "Carlos de la Cruz"
		default:
			if letters {
				around++
			}
			flush()
			continue
		}
		if w != f && strings.ContainsAny(f, ",.;:!?") { // a comma or a stop ends a name
			flush()
		}
	}
	flush()
	if around < 2 {
		return ""
	}
	return strings.Join(names, ", ")
}

// sameSpelling say the name is written the same everywhere (captionKey).
var sameSpelling = map[string]bool{"same": true, "the same": true, "same everywhere": true, "same spelling": true,
	"it s the same": true, "its the same": true, "same as above": true, "always the same": true,
	"везде одинаково": true, "одинаково": true, "везде так же": true, "везде так": true, "так же": true,
	"то же самое": true, "везде одно и то же": true, "везде одинаково пишется": true, "пишется так же": true}

// notNames are words written with a capital that are no name's: a
// sentence's first word ("In ICE papers it is…"), an agency's letters.
var notNames = map[string]bool{"in": true, "on": true, "at": true, "the": true, "his": true, "her": true,
	"my": true, "it": true, "its": true, "he": true, "she": true, "they": true, "we": true, "from": true,
	"for": true, "and": true, "but": true, "also": true, "sometimes": true, "maybe": true, "probably": true,
	"ice": true, "uscis": true, "bia": true, "cbp": true, "eoir": true, "dhs": true, "usa": true, "us": true,
	"aka": true, "or": true, "as": true, "then": true, "when": true, "if": true, "i": true, "im": true}

// nameParticles are the small words inside Spanish, Portuguese and Dutch
// names: "de la Cruz", "dos Santos".
var nameParticles = map[string]bool{"de": true, "la": true, "del": true, "los": true, "las": true, "da": true,
	"dos": true, "do": true, "das": true, "van": true, "von": true, "y": true}

// otherSpellings are the passports' spellings of the Cyrillic name that
// are neither the Latin name nor among the other spellings kept.
func otherSpellings(r Report) []string {
	if r.NameCyrillic == "" || r.NameLatin == "" {
		return nil
	}
	var out []string
	icao, old := latinSpellings(r.NameCyrillic)
	for _, sp := range []string{icao, old} {
		if strings.EqualFold(sp, r.NameLatin) || slices.Contains(out, sp) ||
			strings.Contains(strings.ToLower(r.Facts.NameOther), strings.ToLower(sp)) {
			continue
		}
		out = append(out, sp)
	}
	return out
}

// withYes sets the text a bare "да" gets at the step (step.yes).
func withYes(st *step, id string) *step {
	st.yes = id
	return st
}

// withWords sets the words people type for the step's answers (step.words).
func withWords(st *step, words map[string][]string) *step {
	st.words = words
	return st
}

// factDate is an optional date of something that has happened.
func factDate(name, askID string, field func(*Facts) *string, next func(*turn) string) *step {
	parse := dateStep(func(r *Report) *string { return field(&r.Facts) }, true, false,
		func(c *turn, s string) (time.Time, *Text) { return ParseDetentionDate(s, c.now, time.Time{}) })
	return &step{
		name: name,
		max:  maxDate,
		sub:  true,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			num, words := dateExample(c.now, -10)
			return []Text{T(askID, "Num", num, "Words", words)}, [][]Button{{c.opt("skip", "btn.dont_know")}}, nil
		},
		// As the report's other dates: one that reads two ways is asked
		// with a button for each (a final order's date starts the days
		// left to appeal), one completed from words is said back.
		parse:  parse,
		answer: showDate(func(r *Report) *string { return field(&r.Facts) }),
		next:   next,
	}
}

// factYearDate is factDate for a date that may be long ago and known by
// its year alone, as a final order of 2019 often is: the year is kept, and
// said back as such (as a year of birth is).
func factYearDate(name, askID string, field func(*Facts) *string, next func(*turn) string) *step {
	st := factDate(name, askID, field, next)
	parse := st.parse
	st.parse = func(ctx context.Context, c *turn, v string, button bool) (outcome, error) {
		if !button && yearOnly(v) {
			if y, ok := ParseBirthYear(v, c.now); ok && y >= 1980 {
				*field(&c.s.Draft.Facts) = strconv.Itoa(y)
				c.say(T("date.understood", "Date", yearText(y), "Weekday", ""))
				return accepted()
			}
		}
		return parse(ctx, c, v, button)
	}
	return st
}

// spelledOffice is the field office q names by its name or city, spelt as
// people spell it in Latin or Cyrillic ("Чикаго", "Chicago", "Майами"),
// when the directory finds that office alone; false when q is a sub-office,
// a short name or anything the relative should choose among.
func (c *turn) spelledOffice(ctx context.Context, q string) (Office, bool, error) {
	for _, form := range placeForms(q) { // "Ньюарк" of "в Ньюарке"
		found, err := c.matchOffices(ctx, form) // the list shown next, when it is not taken
		if err != nil {
			return Office{}, false, err
		}
		if len(found) != 1 {
			continue
		}
		typed := strings.Join(lowerWords(Translit(form)), " ")
		for _, name := range []string{found[0].Name, found[0].City} {
			name = strings.Join(lowerWords(name), " ")
			if editDistance(typed, name) <= max(2, len(name)/3) {
				return found[0], true, nil
			}
		}
	}
	return Office{}, false, nil
}

// placeForms are the forms a place typed in Russian may stand for: as
// typed, and its last word brought back from the prepositional or the
// genitive ("в Ньюарке", "из Хьюстона": Ньюарк, Хьюстон; "в Атланте":
// Атланта).
func placeForms(q string) []string {
	forms := []string{q}
	words := strings.Fields(q)
	if len(words) > 1 && slices.Contains([]string{"в", "во", "из", "на", "in", "at"}, strings.ToLower(words[0])) {
		words = words[1:] // "в Сиэтле": the place
		forms = append(forms, strings.Join(words, " "))
	}
	if len(words) == 0 || !hasCyrillic(words[len(words)-1]) {
		return forms
	}
	last := words[len(words)-1]
	for _, f := range ruForms(ruKey(last))[1:] {
		if f == ruKey(last) {
			continue
		}
		if r, _ := utf8.DecodeRuneInString(last); unicode.IsUpper(r) {
			f = capitalWords(f) // "Ньюарк", as it was typed
		}
		forms = append(forms, strings.Join(append(slices.Clone(words[:len(words)-1]), f), " "))
	}
	return forms
}

// officeAnswer shows the check-in's office: from the list, or as typed.
func officeAnswer(_ context.Context, c *turn, answered bool) (Text, error) {
	x := &c.s.Draft.Facts
	if x.Office != "" {
		if o, err := c.a.d.Offices.Get(x.Office); err == nil {
			return T("value.raw", "V", officeLabel(o)), nil
		}
	}
	if x.OfficeText != "" {
		return T("value.office_typed", "V", c.raw(x.OfficeText)), nil
	}
	return c.orNone("", answered), nil
}

// keepTyped keeps words typed where a question of the report takes a
// button in Facts.Said, for the volunteer, instead of losing them: people
// answer in their own words, and those words are often what matters
// most. False when there is nothing to keep: before the consent, "don't
// know", a bare yes, no or thanks, no words, or no room left; and after
// the urgent path filed the case, where the rest of the draft is stored
// only if the reporter goes on to the end ("later" drops it), so "kept"
// would not be true.
func (c *turn) keepTyped(v string) bool {
	if c.s.Flow != flowReport || c.s.Step == stepConsent || c.filed() || ParseUnknown(v) {
		return false
	}
	if key := captionKey(v); yesWords[key] || noWords[key] || isThanks(v) {
		return false
	}
	return c.keepWords(v)
}

// keepWords adds a message to Facts.Said; false when it has no words or
// there is no room left.
func (c *turn) keepWords(v string) bool {
	v, p := ParseText(v, c.a.cfg.MaxText)
	if p != nil || !hasLetter(v) {
		return false
	}
	said := &c.s.Draft.Facts.Said
	if slices.Contains(strings.Split(*said, "\n"), v) {
		return true // sent again
	}
	if *said != "" {
		v = *said + "\n" + v
	}
	if utf8.RuneCountInString(v) > c.a.cfg.MaxText {
		return false
	}
	*said = v
	return true
}

// saidStep shows the words keepTyped kept on the review screen, where the
// reporter may change or remove them. No question leads to it.
func saidStep(a *App) *step {
	return &step{
		name: stepSaid,
		max:  a.cfg.MaxText,
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			return []Text{T("ask.said", "Max", T("unit.chars").Plural(a.cfg.MaxText))},
				[][]Button{{c.opt("skip", "btn.said_remove")}}, nil
		},
		parse: optional(func(r *Report) *string { return &r.Facts.Said },
			func(v string) (string, *Text) { return ParseText(v, a.cfg.MaxText) }),
		answer: func(_ context.Context, c *turn, answered bool) (Text, error) {
			// One line on the review and the card, each message after a
			// slash.
			return c.orNone(strings.ReplaceAll(c.s.Draft.Facts.Said, "\n", " / "), answered), nil
		},
		next: then(stepReview),
	}
}

// dateWithYes takes the day named with a yes typed at "can the person
// call out?" or "has the person been moved?" ("he called once on
// Thursday", "да, в понедельник перевели") as the answer to the question
// of when, said back; that question is then not asked.
func (c *turn) dateWithYes(typed, value string) {
	x := &c.s.Draft.Facts
	field := map[string]*string{stepCanCall: &x.LastCall, stepTransfer: &x.TransferOn}[c.s.Step]
	if field == nil || value != "yes" {
		return
	}
	if d, ok := c.pastDateInWords(typed); ok {
		*field = d.Format(time.DateOnly)
		c.say(understood(d))
		return
	}
	if c.s.Step == stepCanCall && saysAny(captionKey(typed), dailyWords) {
		c.callsDaily = true // "he calls every day": no "when did he last call?"
	}
}

// dailyWords say something happens every day (captionKey).
var dailyWords = []string{"every day", "everyday", "daily", "каждый день", "ежедневно", "each day", "every night",
	"каждый вечер", "каждое утро", "every morning", "every evening"}

// markFinalOrder marks a report urgent when its stage is a final order of
// removal (UrgentFinalOrder), and takes the mark off when the stage is
// changed to another. The card showed no sign of it: a case a plane may
// take any day looked like any other.
func markFinalOrder(st *step) *step {
	return afterAnswer(st, func(r *Report) {
		r.Urgent = slices.DeleteFunc(r.Urgent, func(u string) bool { return u == UrgentFinalOrder })
		if r.Facts.Stage == "final_order" {
			r.Urgent = append(r.Urgent, UrgentFinalOrder)
		}
	})
}

// afterAnswer runs then on the draft once the step's answer is taken.
func afterAnswer(st *step, then func(r *Report)) *step {
	parse := st.parse
	st.parse = func(ctx context.Context, c *turn, v string, button bool) (outcome, error) {
		out, err := parse(ctx, c, v, button)
		if err != nil || out.wrong != nil {
			return out, err
		}
		then(&c.s.Draft)
		return out, nil
	}
	return st
}

// languageMark begins a language answered with its button ("lang.es"),
// shown in the reader's language; a typed one is kept as typed.
const languageMark = "lang."

// offeredLanguage says a language is among those offered by country
// (countryLanguages).
func offeredLanguage(code string) bool {
	if code == "ru" {
		return true // offered to all
	}
	for _, codes := range countryLanguages {
		if slices.Contains(codes, code) {
			return true
		}
	}
	return false
}

// countryLanguages are the languages most of a country's people speak
// best, by its name in the ICE locator (lower case).
var countryLanguages = map[string][]string{
	"mexico": {"es"}, "guatemala": {"es"}, "honduras": {"es"}, "el salvador": {"es"}, "nicaragua": {"es"},
	"costa rica": {"es"}, "panama": {"es"}, "venezuela": {"es"}, "colombia": {"es"}, "ecuador": {"es"},
	"peru": {"es"}, "bolivia": {"es"}, "chile": {"es"}, "argentina": {"es"}, "cuba": {"es"},
	"dominican republic": {"es"}, "brazil": {"pt"}, "haiti": {"ht", "fr"}, "uzbekistan": {"uz"},
	"kyrgyzstan": {"ky"}, "tajikistan": {"tg"}, "kazakhstan": {"kk"}, "turkmenistan": {"tk"}, "ukraine": {"uk"},
	"armenia": {"hy"}, "georgia": {"ka"}, "azerbaijan": {"az"}, "moldova": {"ro"}, "romania": {"ro"},
	"turkey": {"tr"}, "iran": {"fa"}, "afghanistan": {"prs", "ps"}, "china": {"zh"}, "vietnam": {"vi"},
	"eritrea": {"ti"}, "ethiopia": {"am"}, "senegal": {"fr"}, "cameroon": {"fr"}, "mauritania": {"ar", "fr"},
	"syria": {"ar"}, "iraq": {"ar"}, "lebanon": {"ar"}, "jordan": {"ar"}, "egypt": {"ar"}, "mongolia": {"mn"},
	"nepal": {"ne"}, "bangladesh": {"bn"}, "pakistan": {"ur"}, "india": {"hi", "pa"},
}

// languageNamed is the one language words name, by its name in Russian or
// English (the beginning of a word: "узбекском", "Spanish"); "" for none,
// or for two ("узбекский и русский" stays as typed).
func languageNamed(v string) string {
	found := ""
	for _, w := range strings.Fields(captionKey(v)) {
		named := false
		for code, stems := range languageStems {
			if !slices.ContainsFunc(stems, func(s string) bool { return strings.HasPrefix(w, s) }) {
				continue
			}
			if found != "" && found != code {
				return ""
			}
			found, named = code, true
		}
		if !named && !languageFillers[w] {
			return "" // "Spanish but also Mam": more than the one language, as typed
		}
	}
	return found
}

// languageFillers are the words said around a language's name (captionKey).
var languageFillers = map[string]bool{"он": true, "она": true, "они": true, "говорит": true, "говорят": true,
	"только": true, "на": true, "по": true, "в": true, "основном": true, "лучше": true, "всего": true, "язык": true,
	"языке": true, "he": true, "she": true, "they": true, "speaks": true, "speak": true, "only": true, "mostly": true,
	"mainly": true, "best": true, "language": true, "is": true, "s": true, "his": true, "her": true, "just": true}

// languageStems are the beginnings of the languages' names, as people
// type them (captionKey), for the languages the bot names (lang.*).
var languageStems = map[string][]string{
	"ru": {"русск", "russian"}, "es": {"испанск", "spanish", "espanol", "español"}, "uz": {"узбекск", "uzbek"},
	"ky": {"киргизск", "кыргызск", "kyrgyz"}, "tg": {"таджикск", "tajik"}, "kk": {"казахск", "kazakh"},
	"tk": {"туркменск", "turkmen"}, "uk": {"украинск", "ukrainian"}, "hy": {"армянск", "armenian"},
	"ka": {"грузинск", "georgian"}, "az": {"азербайджанск", "azerbaijani"}, "ro": {"румынск", "молдавск", "romanian"},
	"tr": {"турецк", "turkish"}, "fa": {"фарси", "персидск", "farsi", "persian"}, "pt": {"португальск", "portuguese"},
	"ht": {"креольск", "creole", "kreyol"}, "fr": {"французск", "french"}, "zh": {"китайск", "chinese", "mandarin"},
	"ar": {"арабск", "arabic"}, "hi": {"хинди", "hindi"}, "ur": {"урду", "urdu"}, "pa": {"панджаби", "punjabi"},
	"vi": {"вьетнамск", "vietnamese"}, "am": {"амхарск", "amharic"}, "ti": {"тигринья", "tigrinya"},
	"mn": {"монгольск", "mongolian"}, "ne": {"непальск", "nepali"}, "bn": {"бенгальск", "bengali", "bangla"},
	"ps": {"пушту", "pashto"}, "prs": {"дари", "dari"},
}

// languagesOf are the languages of the person's citizenship, or else of
// their country of birth, at most three.
func languagesOf(r Report) []string {
	var out []string
	for _, country := range []string{r.Citizenship, r.BirthCountry} {
		en := CountryInEnglish(country)
		if en == "" {
			en = country
		}
		for _, name := range strings.Split(strings.ToLower(en), " and ") {
			for _, code := range countryLanguages[strings.TrimSpace(name)] {
				if !slices.Contains(out, code) && len(out) < 3 {
					out = append(out, code)
				}
			}
		}
		if len(out) > 0 {
			break
		}
	}
	return out
}

// markFlight marks the report urgent for a flight (UrgentFlight) when
// someone spoke of one: the question of urgent signs, asked later, shows
// it marked, to be taken off there. It was unmarked after "his officer
// said next week, to Tashkent", and the report read "nothing urgent". An
// answer of none leaves a mark given otherwise as it is. On the urgent
// path, a lawyer who spoke of it is the person's lawyer.
func markFlight(st *step) *step {
	return afterAnswer(st, func(r *Report) {
		switch r.Facts.FlightSource {
		case "", "none", "unknown":
		default:
			if r.Facts.FlightSource == "lawyer" && r.Facts.Triage == "urgent" && r.Filed == "" {
				// The urgent path asks no lawyer: the lawyer who spoke
				// of the flight is one. The card read "Lawyer: none
				// known".
				r.HasLawyer = true
			}
			if !slices.Contains(r.Urgent, UrgentFlight) {
				r.Urgent = append(r.Urgent, UrgentFlight)
				sortUrgent(r)
			}
		}
	})
}

// sortUrgent puts the urgent signs in the order of their buttons, whatever
// the order they were given in.
func sortUrgent(r *Report) {
	slices.SortFunc(r.Urgent, func(x, y string) int {
		return slices.Index(urgentSigns(), x) - slices.Index(urgentSigns(), y)
	})
}

// toldOnUrgentPath takes the day and the way of the detention told before
// the report ("picked up this morning at his check in") as their answers
// on the urgent path, which asks neither: the review shows them, to be
// checked there, and the card read "Detained: date not known. How: not
// known." A day or a way told unclearly (two named) stays unanswered.
func (c *turn) toldOnUrgentPath() {
	r := &c.s.Draft
	if t, ok := c.storyDate(); ok && r.DetainedOn == "" {
		r.DetainedOn = t.Format(time.DateOnly)
	}
	if told := detentionTold(r.Facts.Said); told != "" && r.Circumstance == "" {
		if named := c.stepWordsIn(c.a.steps[stepCircum], told); len(named) == 1 {
			r.Circumstance = named[0]
		}
	}
}

// urgencyTold says a clause of the words kept before the report names
// what the urgent question asks about, and does not deny it: "they are
// saying he will be deported tomorrow", "его перевели"; not "депортации
// не ожидается".
func (c *turn) urgencyTold() bool {
	return slices.ContainsFunc(clauses(c.s.Draft.Facts.Said), c.tellsOfUrgency)
}

// tellsOfUrgency says words name what the urgent question asks about (its
// step's words), and do not deny it.
func (c *turn) tellsOfUrgency(words string) bool {
	return slices.Contains(c.stepWordsIn(c.a.steps[stepTriage], words), "urgent")
}

// orderFirst puts "Final order of removal" first under the case's stage,
// a press away, when the words kept before the question or the detention's
// details told of one ("пришли в 6 утра, сказали что у него старый приказ
// о депортации"), as the detention's circumstance is offered.
func orderFirst(st *step) *step {
	return toldFirst(st, "stage", func(c *turn) string {
		if c.s.Draft.Facts.Stage != "" || !orderTold(c.s.Draft.Facts.Said+"\n"+c.s.Draft.CircumstanceNote) {
			return ""
		}
		return "final_order"
	})
}

// flightToldFirst puts who spoke of the flight first, a press away, when
// a clause of the words kept before the question tells of a deportation
// and names who said it: "his lawyer says he might be deported this week".
func flightToldFirst(st *step) *step {
	return toldFirst(st, "flight", func(c *turn) string {
		x := &c.s.Draft.Facts
		if x.FlightSource != "" {
			return ""
		}
		for _, clause := range clauses(x.Said + "\n" + c.s.Draft.CircumstanceNote) {
			if who := c.stepWordsIn(st, clause); len(who) == 1 && c.tellsOfUrgency(clause) {
				return who[0]
			}
		}
		return ""
	})
}

// toldFirst puts the answer told (its value; none for "") first under a
// choice step whose captions are prefix.value, a press away, and not
// again among the others.
func toldFirst(st *step, prefix string, told func(*turn) string) *step {
	prompt := st.prompt
	st.prompt = func(ctx context.Context, c *turn) ([]Text, [][]Button, error) {
		texts, rows, err := prompt(ctx, c)
		v := ""
		if err == nil {
			v = told(c)
		}
		if v == "" {
			return texts, rows, err
		}
		b := c.opt(v, "btn.use_said", "Value", T(prefix+"."+v))
		var others [][]Button
		for _, row := range rows {
			if row = slices.DeleteFunc(slices.Clone(row), func(o Button) bool { return o.Data == b.Data }); len(row) > 0 {
				others = append(others, row)
			}
		}
		return texts, append([][]Button{{b}}, others...), nil
	}
	return st
}

// orderTold says words tell of an order of deportation, its two words
// side by side or one apart, in a clause that denies nothing: "у него уже
// есть приказ о депортации", "a final order of removal"; not "приказа о
// депортации нет", "no removal order", "in order to get to the
// deportation office".
func orderTold(said string) bool {
	for _, clause := range strings.FieldsFunc(said, func(r rune) bool { return strings.ContainsRune(".!?\n,;", r) }) {
		words := strings.Fields(captionKey(clause))
		if slices.ContainsFunc(words, func(w string) bool { return negations[w] || w == "нету" }) {
			continue
		}
		order, deport := -9, -9 // where the last of each was
		told := false
		for i, w := range words {
			switch {
			case strings.HasPrefix(w, "приказ") || strings.HasPrefix(w, "ордер") || strings.HasPrefix(w, "решени") || w == "order":
				order = i
			case strings.HasPrefix(w, "депорт") || strings.HasPrefix(w, "выдвор") || w == "removal" || w == "deportation" || w == "final":
				deport = i
			}
			told = told || max(order, deport)-min(order, deport) <= 2 && min(order, deport) >= 0
		}
		if told {
			return true
		}
	}
	return false
}

// factSteps declares the questions of the facts, in the order asked.
func factSteps(a *App) []*step {
	return []*step{
		{
			// Right after consent: is this about to become too late?
			name: stepTriage,
			prompt: func(ctx context.Context, c *turn) ([]Text, [][]Button, error) {
				texts, rows, err := askWith("ask.triage", [2]string{"urgent", "btn.triage_yes"}, [2]string{"normal", "btn.triage_no"},
					[2]string{"unknown", "btn.dont_know"})(ctx, c)
				if err == nil && c.s.Draft.Facts.Triage == "" && c.urgencyTold() {
					// "They are saying he will be deported tomorrow", told
					// before the question: the yes, from those words.
					rows[0][0] = c.opt("urgent", "btn.use_said", "Value", T("btn.triage_yes"))
				}
				return texts, rows, err
			},
			parse: func(_ context.Context, c *turn, v string, _ bool) (outcome, error) {
				switch v {
				case "urgent", "normal":
					c.s.Draft.Facts.Triage = v
					if v == "urgent" {
						c.toldOnUrgentPath()
					}
				case "unknown":
					c.s.Draft.Facts.Triage = "normal"
				default:
					return wrong("button.old_step")
				}
				return accepted()
			},
			answer: func(_ context.Context, c *turn, _ bool) (Text, error) {
				if t := c.s.Draft.Facts.Triage; t != "" {
					return T("triage." + t), nil
				}
				return Text{}, nil
			},
			// What the question asks about, told: "рейс завтра", "его
			// уже везут в аэропорт", "he was moved", "urgent".
			words: map[string][]string{
				"urgent": {"депорт", "рейс", "самолет", "аэропорт", "перевел", "перевез", "перевоз", "везут", "увоз",
					"срочн", "deport", "flight", "plane", "airport", "transfer", "=moved", "=urgent", "asap"},
			},
			deniedAfter: []string{"не", "ничего"}, // "депортации не ожидается": not urgent
			next:        then(stepName),
		},
		otherNames(factText(stepNameOther, "ask.name_other", maxName, func(f *Facts) *string { return &f.NameOther }, then(stepBirthDate))),
		withWords(choice(stepTransfer, "ask.transfer", "yesno", yesNoUnknown, func(f *Facts) *string { return &f.Transferred },
			func(c *turn) string {
				if c.s.Draft.Facts.Transferred == "yes" {
					return stepTransferFrom
				}
				return stepLawyer
			}),
			// "They moved him to Louisiana", "перевели в Техас": a yes,
			// and the words kept (a "не переводили" is a no).
			map[string][]string{"yes": {"moved", "transferred", "перевел", "перевез", "перевоз"}}),
		factText(stepTransferFrom, "ask.transfer_from", maxName, func(f *Facts) *string { return &f.TransferFrom }, func(c *turn) string {
			if c.s.Draft.Facts.TransferOn != "" {
				return stepLawyer // named with the yes (dateWithYes)
			}
			return stepTransferOn
		}),
		factDate(stepTransferOn, "ask.transfer_on", func(f *Facts) *string { return &f.TransferOn }, then(stepLawyer)),
		orderFirst(markFinalOrder(withWords(choice(stepStage, "ask.stage", "stage", stages, func(f *Facts) *string { return &f.Stage },
			func(c *turn) string {
				if c.s.Draft.Facts.Stage == "final_order" {
					return stepFinalOrder
				}
				return stepAppeals
			}),
			// "Подали апелляцию" (its verb is also the motion's), "есть
			// приказ о депортации", "waiting for court".
			map[string][]string{
				// The interview, or USCIS: "asylum" alone may be a court's
				// case too ("судья отказал в убежище").
				"asylum":      {"uscis", "интервью", "interview"},
				"judge":       {"court", "hearing", "judge"},
				"bia":         {"апелляц", "appeal", "=bia"},
				"final_order": {"приказ", "ордер", "order"},
				"stay":        {"приостанов", "=stay"},
			}))),
		factYearDate(stepFinalOrder, "ask.final_order", func(f *Facts) *string { return &f.FinalOrder }, then(stepAppeals)),
		markFlight(flightToldFirst(withWords(withYes(choice(stepFlight, "ask.flight", "flight", flightSources, func(f *Facts) *string { return &f.FlightSource },
			func(c *turn) string {
				switch c.s.Draft.Facts.FlightSource {
				case "none", "unknown":
					if c.fast() {
						return stepContact
					}
					return stepEntry
				}
				return stepFlightNote
			}), "parse.yes_flight"),
			// "Говорят, на следующей неделе", "ICE сказал…", "сам сказал по
			// телефону": who spoke of it, in the words people use ("сам",
			// not "самолёт").
			map[string][]string{
				"officer":  {"=ice", "=айс", "офицер", "сотрудник", "депортационн", "agent", "officer"},
				"detainee": {"=сам", "=сама", "himself", "herself"},
				"lawyer":   {"юрист", "адвокат", "attorney", "lawyer"},
				"rumor": {"слух", "говорят", "болтают", "чате", "группе", "соцсет", "фейсбук", "rumor", "rumour",
					"heard", "facebook", "whatsapp", "people"},
				// "Nothing so far thank god", "ничего такого": nothing heard.
				"none": {"=nothing", "=ничего", "=nichego"},
			}))),
		flightNote(factText(stepFlightNote, "ask.flight_note", a.cfg.MaxText, func(f *Facts) *string { return &f.FlightNote },
			func(c *turn) string {
				if c.fast() {
					return stepContact
				}
				return stepTravelDocs
			})),
		choice(stepTravelDocs, "ask.travel_docs", "yesno", yesNoUnknown, func(f *Facts) *string { return &f.TravelDocs }, then(stepEntry)),
		withWords(choice(stepEntry, "ask.entry", "entry", entries, func(f *Facts) *string { return &f.Entry }, then(stepLanguage)),
			// "Через CBP One", "по U4U" (parole programmes); "перешёл
			// границу", "crossed the border" (without inspection).
			map[string][]string{
				"parole": {"=cbp", "=u4u", "=chnv", "парол", "парул", "пэрол", "гуманитарн", "humanitarian"},
				"ewi":    {"перешел", "перешла", "перешли", "нелегальн", "стену", "crossed", "illegal", "wall"},
				// A green card, a student's or a worker's status: none of
				// the ways named, "Other".
				"other": {"=green", "грин", "резидент", "resident"},
			}),
		{
			// Asked when the person was detained at a check-in: the field
			// office decides who at ICE can be asked, and where.
			name: stepOffice,
			max:  maxName,
			sub:  true,
			prompt: func(ctx context.Context, c *turn) ([]Text, [][]Button, error) {
				rows := [][]Button{{c.opt("unknown", "btn.dont_know")}}
				if told := storyOffice(c.s.Draft.Facts.Said); told != "" {
					// "At his check-in in Newark", told before; "в
					// Ньюарке" as the city is named alone ("Ньюарк"), a
					// form of it that finds offices.
					for _, form := range placeForms(told)[1:] {
						if found, err := c.matchOffices(ctx, form); err != nil {
							return nil, nil, err
						} else if len(found) > 0 {
							told = form
							break
						}
					}
					rows = append([][]Button{{c.opt("said", "btn.use_said", "Value", told)}}, rows...)
				}
				return []Text{T("ask.office")}, rows, nil
			},
			parse: func(ctx context.Context, c *turn, v string, button bool) (outcome, error) {
				x := &c.s.Draft.Facts
				if button && v == "said" {
					if v = storyOffice(x.Said); v == "" {
						return wrong("button.old_step")
					}
					button = false
				}
				if button || ParseUnknown(v) {
					if button && v != "unknown" {
						return wrong("button.old_step")
					}
					x.Office, x.OfficeText = "", ""
					return accepted()
				}
				q, p := ParseName(v, maxName)
				if p != nil {
					return refused(p)
				}
				// "Чикаго": the one office spelt so is it, said back; the
				// list of one to press was a question more.
				o, ok, err := c.spelledOffice(ctx, q)
				if err != nil {
					return outcome{}, err
				}
				if ok {
					x.Office, x.OfficeText = o.Code, ""
					c.say(T("input.read_as", "Answer", officeLabel(o), "Kept", false))
					return accepted()
				}
				x.Office, x.OfficeText = "", q
				return accepted()
			},
			answer: officeAnswer,
			next: func(c *turn) string {
				if c.s.Draft.Facts.OfficeText != "" {
					return stepOfficePick
				}
				return stepDetails
			},
		},
		{
			name:      stepOfficePick,
			max:       maxName,
			sub:       true,
			transient: true,
			prompt: func(ctx context.Context, c *turn) ([]Text, [][]Button, error) {
				q := c.s.Draft.Facts.OfficeText
				found, err := c.matchOffices(ctx, q)
				if err != nil {
					return nil, nil, err
				}
				id := "ask.office_pick"
				if len(found) == 0 {
					id = "ask.office_none"
				}
				var rows [][]Button
				for _, o := range found {
					rows = append(rows, []Button{c.labelOpt("o:"+o.Code, officeLabel(o))})
				}
				rows = append(rows,
					[]Button{c.opt("keep", "btn.office_keep")},
					[]Button{c.opt("unknown", "btn.dont_know")},
					[]Button{c.opt("again", "btn.facility_again")})
				return []Text{T(id, "Query", q)}, rows, nil
			},
			parse: func(ctx context.Context, c *turn, v string, button bool) (outcome, error) {
				x := &c.s.Draft.Facts
				if _, rest, ok := yesNoLead(v); ok && !button {
					v = rest // "да, первый", "no, Chicago": what follows answers
				}
				if key := captionKey(v); !button && (yesWords[key] || noWords[key] || ordinalOf(v) > 0) {
					// "Yes" under the offices found is the one shown, "the
					// second" its place, "no" keeps what was typed: none is
					// an office to search for ("yes" was searched, and kept).
					found, err := c.a.d.Offices.Match(ctx, x.OfficeText, officeMatches)
					if err != nil {
						return outcome{}, fmt.Errorf("match offices: %w", err)
					}
					n := ordinalOf(v)
					switch {
					case n > 0 && n <= len(found):
						v, button = "o:"+found[n-1].Code, true
					case n > 0 || yesWords[key] && len(found) > 1:
						return wrong("parse.office_which")
					case yesWords[key] && len(found) == 1:
						v, button = "o:"+found[0].Code, true
					default:
						v, button = "keep", true
					}
				}
				if !button {
					if ParseUnknown(v) {
						x.Office, x.OfficeText = "", ""
						return accepted()
					}
					// Typing again here is a new search.
					q, p := ParseName(v, maxName)
					if p != nil {
						return refused(p)
					}
					x.OfficeText = q
					return outcome{stay: true}, nil
				}
				switch v {
				case "keep":
					return accepted()
				case "unknown":
					x.Office, x.OfficeText = "", ""
					return accepted()
				case "again":
					x.Office, x.OfficeText = "", ""
					return outcome{back: true, fresh: true}, nil
				}
				code, ok := strings.CutPrefix(v, "o:")
				if !ok {
					return wrong("button.old_step")
				}
				if _, err := c.a.d.Offices.Get(code); err != nil {
					return wrong("button.old_step")
				}
				x.Office, x.OfficeText = code, ""
				return accepted()
			},
			next: then(stepDetails),
		},
		{
			name: stepLanguage,
			max:  maxShort,
			prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
				// The languages of the person's country first: a Mexican
				// citizen was offered only Russian.
				var rows [][]Button
				var row []Button
				for _, code := range languagesOf(c.s.Draft) {
					row = append(row, c.opt("l_"+code, "lang."+code))
				}
				if row != nil {
					rows = append(rows, row)
				}
				rows = append(rows, []Button{c.opt("ru", "lang.ru"), c.opt("skip", "btn.dont_know")})
				return []Text{T("ask.language")}, rows, nil
			},
			parse: func(ctx context.Context, c *turn, v string, button bool) (outcome, error) {
				if button && v == "ru" {
					// Marked, as the country's languages are: an English
					// reader saw "Русский".
					c.s.Draft.Facts.Language = languageMark + "ru"
					return accepted()
				}
				if code, ok := strings.CutPrefix(v, "l_"); button && ok {
					if !offeredLanguage(code) {
						return wrong("button.old_step")
					}
					c.s.Draft.Facts.Language = languageMark + code
					return accepted()
				}
				if code := languageNamed(v); !button && code != "" {
					// "он говорит только на узбекском", "mostly Spanish":
					// the language, shown in the reader's language; the
					// sentence was shown as typed, in Cyrillic to an
					// English reader.
					c.s.Draft.Facts.Language = languageMark + code
					c.say(T("input.read_as", "Answer", T("lang."+code), "Kept", false))
					return accepted()
				}
				return optional(func(r *Report) *string { return &r.Facts.Language },
					func(v string) (string, *Text) {
						// "spanish", "узбекский": "Spanish", "Узбекский", as
						// the button's "Русский" shows.
						w, p := ParseWords(v, maxShort)
						if r, n := utf8.DecodeRuneInString(w); p == nil && unicode.IsLower(r) {
							w = string(unicode.ToUpper(r)) + w[n:]
						}
						return w, p
					})(ctx, c, v, button)
			},
			answer: func(_ context.Context, c *turn, answered bool) (Text, error) {
				if code, ok := strings.CutPrefix(c.s.Draft.Facts.Language, languageMark); ok && offeredLanguage(code) {
					return T("lang." + code), nil // in the reader's language
				}
				return c.orNone(c.s.Draft.Facts.Language, answered), nil
			},
			next: then(stepCanCall),
		},
		withWords(choice(stepCanCall, "ask.can_call", "yesno", yesNoUnknown, func(f *Facts) *string { return &f.CanCall },
			func(c *turn) string {
				if x := &c.s.Draft.Facts; x.CanCall == "yes" && x.LastCall == "" && !c.callsDaily {
					return stepLastCall
				}
				return stepPhoneAcct
			}),
			// "Звонил один раз", "he called on Monday": he can call. "Ещё
			// не звонил", "he hasn't called yet", "not yet, we are waiting for
			// his call": not as far as is known.
			map[string][]string{"yes": {"звонил", "звонит", "звонят", "позвонил", "дозвонил", "иногда", "редко", "called", "calls", "sometimes", "once", "rarely",
				"calling", "phoned", "zvonil"},
				"no": {"=не", "=not", "waiting", "=ждем", "=hasn", "=hasnt", "=didn", "=didnt", "=haven", "=havent", "=never", "=никогда"}}),
		factDate(stepLastCall, "ask.last_call", func(f *Facts) *string { return &f.LastCall }, then(stepPhoneAcct)),
		// "Есть": the account is there.
		withWords(choice(stepPhoneAcct, "ask.phone_account", "yesno", yesNoUnknown, func(f *Facts) *string { return &f.PhoneAccount },
			then(stepUrgent)), map[string][]string{"yes": {"=есть", "положил", "закинул", "перевел", "deposit", "=put"}}),
		{
			name: stepState,
			max:  maxShort,
			yes:  "parse.state_yes",
			prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
				return []Text{T("ask.state")}, [][]Button{{c.opt("skip", "btn.skip")}}, nil
			},
			parse: optional(func(r *Report) *string { return &r.Facts.State },
				func(v string) (string, *Text) { return ParseState(v, maxShort) }),
			answer: func(_ context.Context, c *turn, answered bool) (Text, error) {
				v := c.s.Draft.Facts.State
				if st := StateOfPlace(v); st != "" && (c.s.Lang == "en" || statesRU[ruKey(v)] == "") {
					// "Иллинойс (Illinois)", "Бруклин (New York)": for a
					// Congress member's office, found by the state.
					v += " (" + st + ")"
				}
				return c.orNone(v, answered), nil
			},
			next: then(stepPrivacy),
		},
		choice(stepPrivacy, "ask.privacy", "yesno", yesNoUnknown, func(f *Facts) *string { return &f.Privacy }, then(stepPublicity)),
		choice(stepPublicity, "ask.publicity", "yesno", yesNoUnknown, func(f *Facts) *string { return &f.Publicity }, then(stepFacShare)),
		{
			// After the urgent path filed the case: the rest of the questions
			// help, but none is needed.
			name:   stepMore,
			prompt: askWith("ask.more", [2]string{"more", "btn.more_yes"}, [2]string{"later", "btn.more_later"}),
			parse: func(_ context.Context, c *turn, v string, _ bool) (outcome, error) {
				switch v {
				case "more":
					return accepted()
				case "later":
					t := T("report.more_later", "Code", FormatCode(c.s.Draft.Filed))
					return outcome{quit: &t}, nil
				}
				return wrong("button.old_step")
			},
			next: func(c *turn) string {
				if noCyrillicName(c.s.Draft) {
					return stepNameOther
				}
				return stepNameCyr
			},
		},
	}
}
