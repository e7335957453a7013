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

// How the report flow asks its questions, reads the answers and shows
// them back; the steps that use these are in report.go.

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
	if onlyRelation(v) {
		return "", false, problem("parse.name_relation") // "муж", "my husband": who, not the name
	}
	name, p = ParseName(titleIfLower(v), maxName)
	return name, related, p
}

// onlyRelation reports whether v says only who a person is to the writer
// ("муж", "мой муж", "my husband"): no name in it.
func onlyRelation(v string) bool {
	f := strings.Fields(strings.ToLower(strings.Trim(v, " .,!")))
	for len(f) > 1 && possessives[f[0]] {
		f = f[1:]
	}
	return len(f) == 1 && relationWords[strings.Trim(f[0], ",.!")]
}

// nameSaid is the name in a message that says it in a sentence: "зовут
// Иван" → "Иван", "his name is Jose Garcia" → "Jose Garcia", and a clause
// that the surname is not known dropped ("не знаю фамилию, зовут Иван");
// ok says v was such a sentence.
func nameSaid(v string) (string, bool) {
	changed := false
	var kept []string
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == '.' }) {
		if saysAny(captionKey(part), surnameUnknown) || saysAny(captionKey(part), spellingUnknown) {
			changed = true
			continue
		}
		kept = append(kept, part)
	}
	if changed {
		v = strings.Join(kept, ",") // "J. Smith" stays as typed when nothing is dropped
	}
	low := strings.ToLower(v)
	for _, lead := range []string{"зовут ", "имя ", "name is ", "name's ", "named "} {
		if i := strings.LastIndex(low, lead); i == 0 || i > 0 && low[i-1] == ' ' {
			v, changed = v[i+len(lead):], true
			break
		}
	}
	return strings.TrimSpace(strings.Trim(v, " ,:—–-")), changed && strings.TrimSpace(v) != ""
}

// spellingUnknown say the Latin spelling is not known (captionKey), in a
// clause before the name in Cyrillic: "не знаю как пишется по английски,
// Сергей Ким". The name was all of it.
var spellingUnknown = []string{"не знаю как пишет", "не знаю как по англ", "не знаю как латиниц", "не знаю как правильно",
	"не знаю как написать", "don t know how to spell", "don t know the spelling", "not sure how to spell",
	"not sure how it s spelled", "not sure of the spelling"}

// surnameUnknown say the surname is not known (captionKey, a phrase at the
// start of a word).
var surnameUnknown = []string{"не знаю фамил", "фамилию не знаю", "фамилия неизвестна", "фамилию не помню",
	"не помню фамил", "без фамилии", "don t know the last name", "don t know his last name",
	"don t know her last name", "don t know the surname", "last name unknown", "no last name"}

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
	c.say(T("input.read_as", "Answer", facilityLabel(f), "Kept", false))
	c.heldAt(f)
	return accepted()
}

// heldAt answers "where is the person held?" with a facility of the
// directory. A staging facility or a hold room is said to be what it is:
// people are often brought there shortly before a flight, and the report
// is marked urgent, as a transfer there makes a case (a mark the urgent
// question's "nothing urgent" leaves; confirm drops it with the facility).
func (c *turn) heldAt(f Facility) {
	r := &c.s.Draft
	r.FacilityID, r.FacilityText = f.ID, ""
	r.Urgent = slices.DeleteFunc(r.Urgent, func(u string) bool { return u == UrgentStaging })
	if f.Staging {
		r.Urgent = append(r.Urgent, UrgentStaging)
		c.say(T("report.staging", "Urgent", !c.fast()))
	}
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

// oneShownNamed is the facility v names among those shown for query when
// a search for v finds one of them alone: "the transitional center" under
// Broward County Jail and Broward Transitional Center. "Broward" again,
// which finds both, is a new search.
func (c *turn) oneShownNamed(ctx context.Context, query, v string) (Facility, bool, error) {
	q, p := facilityQuery(v)
	if p != nil || query == "" || captionKey(q) == captionKey(query) {
		return Facility{}, false, nil
	}
	found, err := c.a.d.Facilities.Match(ctx, q, facilityMatches)
	if err != nil || len(found) == 0 {
		return Facility{}, false, err
	}
	shown, err := c.a.d.Facilities.Match(ctx, query, facilityMatches)
	if err != nil {
		return Facility{}, false, fmt.Errorf("match facilities: %w", err)
	}
	var one []Facility
	for _, f := range shown {
		if slices.ContainsFunc(found, func(g Facility) bool { return g.ID == f.ID }) {
			one = append(one, f)
		}
	}
	if len(one) != 1 || len(shown) < 2 {
		return Facility{}, false, nil
	}
	return one[0], true, nil
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

// showCountry is an answer func for a country typed, with its name in the
// ICE locator when typed in Russian: "Россия (Russia)".
func showCountry(field func(*Report) *string) func(context.Context, *turn, bool) (Text, error) {
	return func(_ context.Context, c *turn, answered bool) (Text, error) {
		v := *field(&c.s.Draft)
		if en := CountryInEnglish(v); en != "" {
			return c.raw(v + " (" + en + ")"), nil
		}
		return c.orNone(v, answered), nil
	}
}

// storySpouse is who the writer is to the detained person when words told
// before the report name that person their spouse ("мужа забрали вчера",
// "my wife was detained"): "жена" or "husband", in lang; "" when they name
// neither, or both. Only a spouse: "my brother" tells nothing of whether a
// brother or a sister writes.
func storySpouse(said, lang string) string {
	var husband, wife bool
	for _, part := range clauses(strings.ToLower(said)) {
		words := strings.Fields(part)
		for i, w := range words {
			// Not "her husband", "муж сестры", "my friend's wife".
			if i > 0 && (otherOwners[words[i-1]] || strings.HasSuffix(words[i-1], "'s")) ||
				i+1 < len(words) && ofOthers[words[i+1]] {
				continue
			}
			husband = husband || husbandWords[w]
			wife = wife || wifeWords[w]
		}
	}
	switch {
	case husband == wife:
		return ""
	case husband && lang == "ru":
		return "жена"
	case husband:
		return "wife"
	case lang == "ru":
		return "муж"
	}
	return "husband"
}

// husbandWords and wifeWords name a spouse; otherOwners before them, and
// ofOthers after them, make them someone else's.
var (
	husbandWords = map[string]bool{"муж": true, "мужа": true, "husband": true}
	wifeWords    = map[string]bool{"жена": true, "жену": true, "wife": true}
	otherOwners  = map[string]bool{"her": true, "his": true, "their": true, "её": true, "ее": true, "его": true,
		"их": true, "сестры": true, "сестрин": true, "дочери": true, "подруги": true, "брата": true, "сына": true,
		"друга": true}
	ofOthers = map[string]bool{"сестры": true, "дочери": true, "подруги": true, "брата": true, "сына": true,
		"друга": true, "of": true, "моей": true, "моего": true, "нашей": true, "нашего": true}
)

// showRelation is the answer of the relationship, with the word in English
// for a reader in English when typed in Russian: "жена (wife)".
func showRelation(_ context.Context, c *turn, answered bool) (Text, error) {
	return c.orNone(relationFor(c.s.Draft.Relationship, c.s.Lang), answered), nil
}

// relationFor is a relation as a reader in lang reads it: in Russian,
// with the word in English for one in English.
func relationFor(v, lang string) string {
	if en, ok := relationsRU[ruKey(v)]; ok && lang == "en" {
		return v + " (" + en + ")"
	}
	return v
}

// relationsRU are the relation words of relationWords in English.
var relationsRU = map[string]string{"сын": "son", "дочь": "daughter", "муж": "husband", "жена": "wife",
	"брат": "brother", "сестра": "sister", "отец": "father", "мать": "mother", "мама": "mother", "папа": "father",
	"друг": "friend", "подруга": "friend", "племянник": "nephew", "племянница": "niece", "дядя": "uncle",
	"тетя": "aunt", "внук": "grandson", "внучка": "granddaughter", "зять": "son-in-law", "сожитель": "partner",
	"партнер": "partner", "жених": "fiancé", "невеста": "fiancée", "сосед": "neighbour", "соседка": "neighbour",
	"коллега": "colleague", "двоюродный брат": "cousin", "двоюродная сестра": "cousin", "гражданская жена": "partner",
	"гражданский муж": "partner", "теща": "mother-in-law", "свекровь": "mother-in-law", "тесть": "father-in-law",
	"свекор": "father-in-law", "невестка": "daughter-in-law"}

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
		if ParseUnknown(v) || nothingSaid(v) {
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

// nothingSaid reports whether v says there is nothing to tell: "no nothing
// yet", "nothing filed so far", "пока ничего не подавали", "нет, ничего".
// It was kept as the answer ("Appeals: no nothing yet").
func nothingSaid(v string) bool {
	none := map[string]bool{"no": true, "nothing": true, "none": true, "not": true, "nope": true, "нет": true,
		"ничего": true, "нечего": true, "не": true}
	filler := map[string]bool{"yet": true, "so": true, "far": true, "filed": true, "anything": true, "been": true,
		"has": true, "have": true, "there": true, "is": true, "we": true, "haven": true, "t": true, "else": true,
		"пока": true, "еще": true, "подавали": true, "подали": true, "было": true, "ни": true, "чего": true,
		"мы": true, "больше": true, "more": true}
	words := strings.Fields(captionKey(v))
	if len(words) == 0 || len(words) > 6 || !slices.ContainsFunc(words, func(w string) bool { return none[w] }) {
		return false
	}
	return !slices.ContainsFunc(words, func(w string) bool { return !none[w] && !filler[w] })
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

// ContactHere is the reporter's contact when they chose "contact me here
// in Telegram": volunteers write to the reporter's chat through the bot.
const ContactHere = "telegram:chat"

// unconfirmed marks a username typed without the @ until the reporter says
// it is theirs.
const unconfirmed = "?"

// lawyerParser reads the lawyer's name, firm and contacts.
func lawyerParser(v string) (string, *Text) { return ParseLawyer(v, maxName) }

// withoutNoPhone is a name typed with words saying no phone is known
// ("RAICES, I don't have her number", "Иванова, номера нет": noContact)
// without those words; false when it has none of them, or nothing else.
func withoutNoPhone(v string) (string, bool) {
	var kept []string
	said := false
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(",;\n", r) }) {
		if noContact(part) {
			said = true
			continue
		}
		kept = append(kept, strings.TrimSpace(part))
	}
	name := strings.TrimSpace(strings.Join(kept, ", "))
	return name, said && name != ""
}

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
	if r.FiledBy == 0 && meansHere(v) {
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

// meansHere reports whether a typed contact means this chat, as the
// button "write to me here" does: "сюда", "этот телеграм", "пишите в
// телеграм, пожалуйста", "this telegram", "here in this chat" — every
// word one of hereWords, one of them a place (hereAnchors). "here" and
// "telegram" would otherwise read as usernames.
func meansHere(v string) bool {
	words := strings.Fields(captionKey(v))
	return len(words) > 0 && len(words) <= 8 &&
		!slices.ContainsFunc(words, func(w string) bool { return !hereWords[w] && !hereAnchors[w] }) &&
		slices.ContainsFunc(words, func(w string) bool { return hereAnchors[w] })
}

var (
	hereAnchors = map[string]bool{"сюда": true, "здесь": true, "тут": true, "телеграм": true, "телеграмм": true,
		"телеграме": true, "телеграмме": true, "телеграму": true, "телеграмму": true, "телеграмом": true,
		"телега": true, "телеге": true, "телегу": true, "чат": true, "чате": true, "бота": true, "боте": true,
		"личку": true, "личке": true, "here": true, "telegram": true, "chat": true, "bot": true, "dm": true}
	hereWords = map[string]bool{"в": true, "во": true, "на": true, "по": true, "через": true, "этот": true,
		"этом": true, "этому": true, "мой": true, "моем": true, "мне": true, "меня": true, "пишите": true,
		"напишите": true, "писать": true, "можно": true, "лучше": true, "только": true,
		"пожалуйста": true, "связь": true, "да": true, "in": true, "on": true, "via": true, "through": true,
		"this": true, "my": true, "me": true, "to": true, "the": true, "write": true, "message": true, "text": true,
		"contact": true, "reach": true, "please": true, "just": true, "only": true, "is": true, "fine": true,
		"ok": true, "yes": true, "you": true, "can": true, "send": true, "it": true, "s": true, "best": true,
		"better": true, "good": true, "вы": true, "можете": true}
)

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

// phoneWords name what is asked for in "no phone", "нет телефона", "I
// don't have her number".
var phoneWords = map[string]bool{
	"телефона": true, "телефон": true, "номера": true, "номер": true, "телефонного": true, "мобильного": true,
	"его": true, "её": true, "ее": true, "phone": true, "a": true, "the": true, "his": true, "her": true,
	"their": true, "number": true, "mobile": true, "cell": true,
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

// The buttons that say which word of a Latin name written surname first
// is the given name (latinSurnameFirst).
const (
	optGivenFirst = "given2"
	optAsTyped    = "given1"
)

// nameOrdered takes the Latin name asked about (kept as typed in Typed)
// with the given name first: turned round when the second word is the
// given name.
func (c *turn) nameOrdered(turn bool) (outcome, error) {
	f := strings.Fields(c.typed)
	if len(f) != 2 || !latinSurnameFirst(c.typed) {
		return wrong("button.old_step")
	}
	if turn {
		f[0], f[1] = f[1], f[0]
	}
	c.s.Draft.NameLatin = f[0] + " " + f[1]
	return accepted()
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

// storyName is the detained person's name in words told before the report
// ("my dad was picked up yesterday, his name is Jose Ramirez", "мужа зовут
// Сергей Кузнецов"): two to four words after "name is", "зовут". "" when
// none is, when fewer words follow, or when the name is the writer's own
// ("меня зовут Мария", "my name is Alex").
func storyName(said string) string {
	notOwn := func(before []string) bool { return len(before) == 0 || !ownWords[before[len(before)-1]] }
	if n := wordsAfter(said, []string{"зовут ", "name is ", "name's ", "named "}, 2, notOwn, storyStops); n != "" {
		return n
	}
	// "My brother Ahmed Karimov was detained", "мой муж Сергей Кузнецов
	// задержан": the words capitalised, so that "my brother in law" is no
	// name.
	f := strings.Fields(wordsAfter(said, relationLeads, 2, nil, storyStops))
	n := 0
	for n < len(f) {
		if r, _ := utf8.DecodeRuneInString(f[n]); !unicode.IsUpper(r) {
			break
		}
		n++
	}
	if n < 2 {
		return objectName(said)
	}
	return strings.Join(f[:n], " ")
}

// objectName is the name of someone close told in Russian as the one
// detained, in the accusative ("задержали моего брата Рустама Алиева",
// "забрали жену Марию Алиеву"), as the name is written: "Рустам Алиев",
// "Мария Алиева". The relation says which endings the words have; "" for
// none, or fewer than two capitalised words.
func objectName(said string) string {
	for _, part := range clauses(said) {
		words := strings.Fields(part)
		for i, w := range words {
			male, ok := accusativeRelations[strings.ToLower(w)]
			if !ok {
				continue
			}
			var name []string
			for _, nw := range words[i+1:] {
				r, _ := utf8.DecodeRuneInString(nw)
				if len(name) == 3 || !unicode.IsUpper(r) || !hasCyrillic(nw) || !nameWord(nw) {
					break
				}
				name = append(name, nominativeName(nw, male))
			}
			if len(name) >= 2 {
				return strings.Join(name, " ")
			}
		}
	}
	return ""
}

// accusativeRelations are the relations in the accusative that come
// before the name of the one detained: true for a man, whose name then
// ends as in "Рустама Алиева", false for a woman ("Марию Алиеву").
var accusativeRelations = map[string]bool{
	"брата": true, "мужа": true, "сына": true, "отца": true, "папу": true, "друга": true, "племянника": true,
	"дядю": true, "внука": true, "зятя": true, "жениха": true, "парня": true, "сожителя": true, "партнера": true,
	"жену": false, "сестру": false, "маму": false, "мать": false, "дочь": false, "подругу": false,
	"племянницу": false, "тетю": false, "тётю": false, "внучку": false, "невесту": false, "девушку": false,
}

// nominativeName is a name's word in the nominative from the accusative:
// "Рустама", "Алиева" (a man's) are "Рустам", "Алиев"; "Сергея"
// "Сергей"; "Марию", "Алиеву", "Петровскую" (a woman's) "Мария",
// "Алиева", "Петровская". A word that does not end so is kept.
func nominativeName(w string, male bool) string {
	r := []rune(w)
	n := len(r)
	if n < 3 {
		return w
	}
	last, prev := r[n-1], r[n-2]
	vowel := func(c rune) bool { return strings.ContainsRune("аеёиоуыэюяАЕЁИОУЫЭЮЯ", c) }
	switch {
	case male && (strings.HasSuffix(w, "ского") || strings.HasSuffix(w, "цкого")): // Петровского
		return string(r[:n-3]) + "ий"
	case male && strings.HasSuffix(w, "ого"): // Толстого
		return string(r[:n-3]) + "ой"
	case male && last == 'а' && !vowel(prev): // Рустама, Алиева
		return string(r[:n-1])
	case male && last == 'я' && (prev == 'е' || prev == 'а' || prev == 'о' || prev == 'у'): // Сергея, Николая
		return string(r[:n-1]) + "й"
	case male && last == 'я' && !vowel(prev): // Игоря
		return string(r[:n-1]) + "ь"
	case male && last == 'у': // Никиту
		return string(r[:n-1]) + "а"
	case male && last == 'ю': // Илью
		return string(r[:n-1]) + "я"
	case !male && strings.HasSuffix(w, "ую"): // Петровскую
		return string(r[:n-2]) + "ая"
	case !male && last == 'у': // Алиеву, Анну
		return string(r[:n-1]) + "а"
	case !male && last == 'ю': // Марию
		return string(r[:n-1]) + "я"
	}
	return w
}

// relationLeads come before the name of someone close: "my brother ",
// "наш сын " (possessives), in the nominative, where a Russian name after
// it is too.
var relationLeads = func() []string {
	var leads []string
	for w := range relationWords {
		for p := range possessives {
			leads = append(leads, p+" "+w+" ")
		}
	}
	slices.Sort(leads)
	return leads
}()

// ownWords, before "name is" or "зовут", make the name the writer's.
var ownWords = map[string]bool{"my": true, "меня": true, "моё": true, "мое": true, "i": true}

// storyStops end a name in a story: "his name is Jose Ramirez and he is 52".
var storyStops = map[string]bool{"and": true, "he": true, "she": true, "they": true, "was": true, "is": true,
	"from": true, "born": true, "age": true, "aged": true, "who": true, "the": true, "his": true, "her": true,
	"but": true, "и": true, "а": true, "но": true, "он": true, "она": true, "из": true, "ему": true, "ей": true,
	"лет": true, "был": true, "была": true, "родился": true, "родилась": true, "его": true, "её": true, "ее": true}

// nameWord reports whether w may be a word of a name: letters, with a
// hyphen or an apostrophe inside ("Garcia-Lopez", "O'Neil").
func nameWord(w string) bool {
	for i, r := range w {
		if !unicode.IsLetter(r) && (i == 0 || !strings.ContainsRune("-'’", r)) {
			return false
		}
	}
	return w != ""
}

// storyDate is the day of the detention in words told before the report
// ("его забрали вчера утром", "picked up at work yesterday"): the one day
// gone by that the clauses telling of a detention name, within the last
// 60 days. A day named elsewhere ("суд был в понедельник, а брата забрали
// неделю назад") is not it.
//
// Each clause is read alone: one of a deportation to come ("they say he
// will be deported tomorrow") names no day gone by, and took the day of
// the other with it.
func (c *turn) storyDate() (time.Time, bool) {
	var found time.Time
	for _, clause := range strings.Split(detentionTold(c.s.Draft.Facts.Said), " ; ") {
		t, ok := c.pastDateInWords(clause)
		if !ok || t.After(today(c.now)) {
			continue
		}
		if !found.IsZero() && !found.Equal(t) {
			return time.Time{}, false
		}
		found = t
	}
	if found.IsZero() || found.Before(today(c.now).AddDate(0, 0, -60)) {
		return time.Time{}, false
	}
	return found, true
}

// circumstanceTold is what words kept tell of the detention
// (detentionTold), or else the words typed with its date ("в прошлую
// пятницу, на трассе в техасе, ехал на фуре"): the last kept, when the
// day they name is the detention's.
func (c *turn) circumstanceTold() string {
	r := &c.s.Draft
	if told := detentionTold(r.Facts.Said); told != "" || r.DetainedOn == "" {
		return told
	}
	lines := strings.Split(r.Facts.Said, "\n")
	last := lines[len(lines)-1]
	if t, ok := c.pastDateInWords(last); ok && t.Format(time.DateOnly) == r.DetainedOn {
		return last
	}
	return ""
}

// detentionTold is the clauses of words that tell of a detention, joined
// with " ; ": "picked up by ICE at his work yesterday" of "hi, my dad was
// picked up by ICE at his work yesterday in Houston, his hearing is on
// Monday".
func detentionTold(said string) string {
	var told []string
	for _, s := range strings.FieldsFunc(said, func(r rune) bool { return strings.ContainsRune(".!?\n,;", r) }) {
		if tellsOfDetention(s) {
			told = append(told, s)
		}
	}
	return strings.Join(told, " ; ")
}

// storyOwnName is the writer's own name in words told before the report
// ("меня зовут Мария Петрова", "my name is Anna"): up to four words after
// "my name is", "меня зовут"; "" when none.
func storyOwnName(said string) string {
	return wordsAfter(said, []string{"меня зовут ", "my name is ", "my name's "}, 1, nil, storyStops)
}

// lawyerTold says words kept tell of the person's lawyer, in a clause
// that denies nothing: "his lawyer says he might be deported", "адвокат
// сказал ждать"; not "we have no lawyer", "адвоката нет", "ищем адвоката".
func lawyerTold(said string) bool {
	return slices.ContainsFunc(clauses(said), func(clause string) bool {
		words := strings.Fields(captionKey(clause))
		if slices.ContainsFunc(words, func(w string) bool { return negations[w] || w == "нету" }) {
			return false
		}
		for i, w := range words {
			owner := i > 0 && slices.Contains([]string{"his", "her", "their", "our", "the", "его", "её", "ее", "наш", "их"}, words[i-1])
			switch {
			case (w == "lawyer" || w == "attorney") && owner:
				return true
			case (w == "адвокат" || w == "юрист") && (owner || i+1 < len(words) && strings.HasPrefix(words[i+1], "сказал")):
				return true
			}
		}
		return false
	})
}

// lawyerPhoneTold is a phone number in a line of the words kept that
// speaks of a lawyer ("есть, дали номер адвоката Светланы,
// 713-555-0199", "his attorney's number is 713 555 0199"); "" when none,
// or when another line's number could be meant.
func lawyerPhoneTold(said string) string {
	found := ""
	for _, line := range strings.Split(said, "\n") {
		low := strings.ToLower(line)
		if !strings.Contains(low, "адвокат") && !strings.Contains(low, "юрист") && !strings.Contains(low, "lawyer") &&
			!strings.Contains(low, "attorney") {
			continue
		}
		if p := FindPhone(line); p != "" {
			if found != "" && found != p {
				return ""
			}
			found = p
		}
	}
	return found
}

// storyCountry is the country words told before the report say the
// person is from ("он из Таджикистана", "she's from Honduras", "родился в
// Мексике"), when it is one the hotline knows (knownCountries); "" when
// none. Not "from" alone: "приехали из Мексики" is the way, not the home.
func storyCountry(said string) string {
	told := wordsAfter(said, []string{"он из ", "она из ", "родом из ", "сам из ", "сама из ", "родился в ",
		"родилась в ", "гражданин ", "гражданка ", "he is from ", "he's from ", "she is from ", "she's from ",
		"he comes from ", "she comes from ", "born in ", "citizen of "}, 1, nil)
	return knownCountries(strings.Fields(told))
}

// citizenshipWords say a clause is about the person's citizenship (lower
// case, the beginning of a word).
var citizenshipWords = []string{"паспорт", "гражданств", "гражданин", "гражданка", "citizen", "passport", "nationality"}

// citizenshipIn is the country a clause of words says the person's
// citizenship is ("но паспорт российский", "now citizen of georgia"), by
// its name or its adjective; "" when none says one.
func citizenshipIn(said string) string {
	for _, part := range clauses(said) {
		words := strings.Fields(strings.ToLower(part))
		if !slices.ContainsFunc(words, func(w string) bool {
			return slices.ContainsFunc(citizenshipWords, func(p string) bool { return strings.HasPrefix(w, p) })
		}) {
			continue
		}
		if c := knownCountries(words); c != "" {
			return c
		}
		if c := demonymCountry(words); c != "" {
			return c
		}
	}
	return ""
}

// withoutCitizenship is words without their clauses about the
// citizenship: "Узбекистан" of "Узбекистан, но паспорт российский".
func withoutCitizenship(v string) string {
	var kept []string
	for _, part := range clauses(v) {
		if citizenshipIn(part) == "" {
			kept = append(kept, strings.TrimSpace(part))
		}
	}
	return strings.Join(kept, ", ")
}

// wordsAfter is what words told before the report say after one of leads
// (lower case, beginning a word) in one of their clauses: up to four words
// of a name or a place (nameWord), to the first of stops; "" when fewer than
// least. A clause whose words before the lead before refuses is passed over.
// A "the" right after the lead is left out ("moved to the Broward center").
func wordsAfter(said string, leads []string, least int, before func([]string) bool, stops ...map[string]bool) string {
	for _, part := range clauses(said) {
		low := strings.ToLower(part)
		for _, lead := range leads {
			i := strings.Index(low, lead)
			if i < 0 || i > 0 && low[i-1] != ' ' {
				continue
			}
			if before != nil && !before(strings.Fields(low[:i])) {
				break
			}
			var words []string
			for _, w := range strings.Fields(part[i+len(lead):]) {
				lw := strings.ToLower(w)
				if len(words) == 0 && lw == "the" {
					continue
				}
				if len(words) == 4 || !nameWord(w) || slices.ContainsFunc(stops, func(m map[string]bool) bool { return m[lw] }) {
					break
				}
				words = append(words, w)
			}
			if len(words) >= least {
				return strings.Join(words, " ")
			}
		}
	}
	return ""
}

// clauses are the parts of words told before the report between the marks
// that end a clause: "his name is Jose Ramirez" of "hi, his name is Jose
// Ramirez (my dad)".
func clauses(said string) []string {
	return strings.FieldsFunc(said, func(r rune) bool { return strings.ContainsRune(",;.!?()\n", r) })
}

// storyPlace is where the person is held in words told before the report
// ("they moved him to Alexandria Louisiana last night", "его перевели в
// Элизабет"): up to four words after "moved to", "held at", "перевели в";
// "" when none.
func storyPlace(said string) string {
	return wordsAfter(said, placeLeads, 1, nil, storyStops, placeStops)
}

// storyOffice is the ICE office of the check-in in words told before the
// report ("detained at his check-in in Newark", "забрали на отметке в
// Чикаго"): up to four words after "check-in in", "отметке в"; "" when none.
func storyOffice(said string) string {
	f := strings.Fields(wordsAfter(said, officeLeads, 1, nil, storyStops, placeStops))
	// "на отметку в ICE в Чикаго": the city.
	if len(f) > 2 && strings.EqualFold(f[0], "ice") && officeIn[strings.ToLower(f[1])] {
		f = f[2:]
	}
	return strings.Join(f, " ")
}

// officeIn come between "ICE" and the city of its office.
var officeIn = map[string]bool{"в": true, "in": true, "at": true}

// officeLeads come before where an ICE check-in was.
var officeLeads = []string{"check-in in ", "check-in at ", "check in in ", "check in at ", "checkin in ",
	"checkin at ", "ice office in ", "ice office at ", "отметке в ", "отметку в ", "отмечаться в ",
	"чекине в ", "чек-ине в ", "офисе ice в ", "офис ice в "}

// placeLeads come before where someone is held; placeStops end the place.
var (
	placeLeads = []string{"moved him to ", "moved her to ", "moved to ", "taken to ", "took him to ", "took her to ",
		"transferred to ", "transferred him to ", "transferred her to ", "held at ", "held in ", "detained at ",
		"detained in ", "перевели в ", "перевезли в ", "увезли в ", "отвезли в ", "держат в ", "содержится в ",
		"находится в ", "сидит в "}
	placeStops = map[string]bool{"last": true, "yesterday": true, "today": true, "tonight": true, "this": true,
		"on": true, "at": true, "and": true, "вчера": true, "сегодня": true, "ночью": true, "утром": true,
		"вечером": true}
)

// storyFacility is the facility of the directory the place told before the
// report names (storyPlace): the best match, when a word of its name or
// town begins as a word of the place does.
func (c *turn) storyFacility(ctx context.Context) (Facility, bool, error) {
	place := storyPlace(c.s.Draft.Facts.Said)
	if place == "" {
		return Facility{}, false, nil
	}
	found, err := c.a.d.Facilities.Match(ctx, place, 1)
	if err != nil || len(found) == 0 {
		return Facility{}, false, err
	}
	f := found[0]
	stem := func(w string) string {
		w = strings.ToLower(w)
		if hasCyrillic(w) {
			w = strings.ToLower(Translit(w))
		}
		if r := []rune(w); len(r) > 5 {
			w = string(r[:5])
		}
		return w
	}
	theirs := strings.FieldsFunc(f.Name+" "+f.City, func(r rune) bool { return !unicode.IsLetter(r) })
	for _, w := range strings.FieldsFunc(place, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if utf8.RuneCountInString(w) >= 4 && slices.ContainsFunc(theirs, func(t string) bool { return stem(t) == stem(w) }) {
			return f, true, nil
		}
	}
	return Facility{}, false, nil
}

// keepSearch answers the facility "not known" after a search: the words
// searched go to Facts.Said for the volunteer, said so, and not to the
// facility. "Он звонил с номера 318, сказал что в Луизиане где-то" was
// lost at "Не знаю".
func (c *turn) keepSearch() {
	r := &c.s.Draft
	if q := r.FacilityText; q != "" && !strings.Contains(r.Facts.Said, q) && c.keepTyped(q) {
		c.say(T("input.kept"))
	}
	r.FacilityID, r.FacilityText, r.FacilityShare = 0, "", false
}

// toldSign reports whether words told before the urgent question (kept
// for the volunteer) name the urgent sign u, not denied: "у него больное
// сердце" names medical care.
func (c *turn) toldSign(u string) bool {
	st := c.a.steps[stepUrgent]
	for _, part := range clauses(c.s.Draft.Facts.Said) {
		if slices.Contains(c.stepWordsIn(st, part), "t_"+u) {
			return true
		}
	}
	return false
}
