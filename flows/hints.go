package flows

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// caseHints are, for the volunteers, under a message of a case's reporter
// in a conversation with them, the buttons that record in the case what
// the message names and the case lacks: an A-number ("нашла в бумагах: A
// 204-555-871"), a facility of the directory ("его перевели в Krome"), a
// hearing's date ("суд назначили на 12 января") and a deportation's ("его
// депортируют 15 декабря": reminders, and urgent within three days). The volunteer decides:
// nothing is recorded without a press. Nothing when the message names
// none of them, or only what the case already has. caseID is the case's,
// for the reply's tag.
func (c *turn) caseHints(ctx context.Context, text, code string) (caseID int64, texts []Text, buttons [][]Button, err error) {
	a := c.a
	if code == "" {
		return 0, nil, nil, nil
	}
	if n := aNumberIn(text); n != "" {
		r, cs, err := a.d.CaseFiles.Get(ctx, code)
		if errors.Is(err, ErrNotFound) {
			return 0, nil, nil, nil
		}
		if err != nil {
			return 0, nil, nil, fmt.Errorf("report of a case: %w", err)
		}
		if r.ANumber != n {
			caseID = cs.ID
			texts, buttons = aNumberOffer(n, code)
		}
	}
	f, named, err := a.facilityNamedIn(ctx, text)
	if err != nil {
		return 0, nil, nil, err
	}
	hearing, told := c.dateNamedIn(text, hearingWord)
	deportation, flight := c.dateNamedIn(text, deportationWord)
	if !named && !told && !flight {
		return caseID, texts, buttons, nil
	}
	v, err := a.d.Casework.View(ctx, code)
	if errors.Is(err, ErrNotFound) {
		return caseID, texts, buttons, nil
	}
	if err != nil {
		return 0, nil, nil, fmt.Errorf("view case for what a message names: %w", err)
	}
	if v.Erased || v.Merged {
		return caseID, texts, buttons, nil
	}
	if named && v.Facility.ID != f.ID {
		caseID = v.ID
		texts = append(texts, T("tools.facility_hint", "Code", FormatCode(code), "Facility", facilityLabel(f)))
		buttons = append(buttons, []Button{{Text: T("btn.facility_set", "Facility", f.Name),
			Data: dataTools + ":" + actFacility + ":" + code + ":" + strconv.FormatInt(f.ID, 10)}})
	}
	for _, d := range []struct {
		field string
		day   time.Time
		named bool
	}{{DateHearing, hearing, told}, {DateDeportation, deportation, flight}} {
		if day := d.day.Format(time.DateOnly); d.named && v.date(d.field) != day && !v.Closed() {
			caseID = v.ID
			texts = append(texts, T("tools."+d.field+"_hint", "Code", FormatCode(code), "Date", dateText(d.day)))
			buttons = append(buttons, []Button{{Text: T("btn."+d.field+"_set", "Date", dateText(d.day)),
				Data: dataTools + ":" + actDateNamed + ":" + code + ":" + d.field + ":" + day}})
		}
	}
	return caseID, texts, buttons, nil
}

// hearingWord and deportationWord tell a word of a hearing ("суд",
// "заседание", "court"; not "судья", a judge) and of a deportation
// ("депортируют", "рейс", "flight"), as captionKey writes them.
func hearingWord(k string) bool {
	return strings.HasPrefix(k, "суд") && !strings.HasPrefix(k, "судь") || strings.HasPrefix(k, "заседани") ||
		strings.HasPrefix(k, "слушани") || k == "hearing" || k == "court"
}

func deportationWord(k string) bool {
	return strings.HasPrefix(k, "депорт") || strings.HasPrefix(k, "рейс") || strings.HasPrefix(k, "вышлют") ||
		strings.HasPrefix(k, "выслат") || strings.HasPrefix(k, "высыла") ||
		strings.HasPrefix(k, "deport") || k == "flight" || k == "removal"
}

// dateNamedIn is the date to come that words name after a word of what
// (hearingWord, deportationWord), in the same clause: "суд назначили на
// 12 января", "его депортируют в пятницу", "court is on Jan 12". false
// for none, a day gone by ("суд был вчера"), or two.
func (c *turn) dateNamedIn(text string, what func(string) bool) (time.Time, bool) {
	words := strings.Fields(text)
	for i, w := range words {
		if !what(captionKey(w)) {
			continue
		}
		var rest []string
		for _, r := range words[i+1 : min(len(words), i+8)] {
			rest = append(rest, r)
			last, _ := utf8.DecodeLastRuneInString(r)
			if strings.ContainsRune(",.!?;", last) || strings.ContainsAny(r, ".!?;") && !strings.ContainsFunc(r, unicode.IsDigit) {
				break // the clause ends ("12.01" does not)
			}
		}
		if d, ok := c.dateInWords(strings.Join(rest, " ")); ok {
			return d, true
		}
	}
	return time.Time{}, false
}

// atLeads are the words a place follows where someone is ("в Krome",
// "at Otay Mesa", "transferred to Adelanto"). Not "из" nor "from": the
// place someone was moved from is not where they are.
var atLeads = map[string]bool{"в": true, "во": true, "in": true, "at": true, "to": true, "into": true}

// facilityNamedIn returns the facility of the directory a message puts
// someone at: the last place after a lead word (atLeads) that spells one
// of the facility's own words (spellsFacility), up to the next
// punctuation, a word of time ("вчера", placeStops) or four words.
// "перевели из Krome в Adelanto" is Adelanto; "в магазине", "to the
// lawyer" are none.
func (a *App) facilityNamedIn(ctx context.Context, text string) (Facility, bool, error) {
	for i, q := range placesNamed(text) {
		if i == 3 {
			break
		}
		found, err := a.d.Facilities.Match(ctx, q, 1)
		if err != nil {
			return Facility{}, false, fmt.Errorf("match facilities: %w", err)
		}
		if len(found) > 0 && spellsFacility(q, found[0]) {
			return found[0], true, nil
		}
	}
	return Facility{}, false, nil
}

// placesNamed are the places words name after a lead word (atLeads), the
// last first: each up to the next punctuation, lead word, word of time
// ("вчера", placeStops) or four words.
func placesNamed(text string) []string {
	words := strings.Fields(text)
	var out []string
	for i := len(words) - 2; i >= 0; i-- {
		if !atLeads[strings.ToLower(strings.Trim(words[i], "(\"«"))] || strings.ContainsAny(words[i], ",.;:!?") {
			continue
		}
		var place []string
		for _, w := range words[i+1 : min(len(words), i+5)] {
			end := strings.ContainsAny(w, ",.;:!?)»")
			w = strings.TrimRight(w, ",.;:!?)»\"'")
			if lw := strings.ToLower(w); placeStops[lw] || atLeads[lw] {
				break
			}
			if w != "" {
				place = append(place, w)
			}
			if end {
				break
			}
		}
		if len(place) > 0 {
			out = append(out, strings.Join(place, " "))
		}
	}
	return out
}

// spelledFacility is the facility of the directory q names by one of its
// own words (spellsFacility), when the directory finds that one alone:
// "Stewart", "Адъеланто"; not "Krome", which finds a jail in Rome too.
func (c *turn) spelledFacility(ctx context.Context, q string) (Facility, bool, error) {
	found, err := c.matchFacilities(ctx, q) // the list shown next, when it is not taken
	if err != nil {
		return Facility{}, false, err
	}
	if len(found) != 1 || !spellsFacility(q, found[0]) {
		return Facility{}, false, nil
	}
	return found[0], true, nil
}

// spellsFacility reports whether a word of place is one of f's own words
// (not a common one, facilityCommonWords) as people spell it: in Latin
// or Cyrillic, with a Russian ending ("в Денвере", "в Элизабет"), within
// a third of its letters; not a big city's name, where families live as
// well ("мы живём в Майами" is no Miami Correctional Center). Stricter
// than namesFacility, made for the menu's short messages: in a
// conversation, "to the lawyer" is no Lawrence County, "at the store" no
// Stockton.
func spellsFacility(place string, f Facility) bool {
	for _, w := range lowerWords(Translit(place)) {
		if len(w) < 4 {
			continue
		}
		for _, fw := range lowerWords(f.Name) {
			if len(fw) >= 4 && !facilityCommonWords[fw] && !cityWords[fw] && editDistance(w, fw) <= max(1, len(fw)/3) {
				return true
			}
		}
	}
	return false
}

// cityWords are words of big cities in facility names: "in Miami", "в
// Хьюстоне" tell where a family lives as often as where someone is held.
var cityWords = map[string]bool{"miami": true, "houston": true, "dallas": true, "chicago": true, "phoenix": true,
	"denver": true, "diego": true, "angeles": true, "atlanta": true, "seattle": true, "boston": true, "orlando": true,
	"antonio": true, "francisco": true, "philadelphia": true, "newark": true, "vegas": true, "portland": true,
	"tampa": true, "austin": true, "detroit": true, "baltimore": true, "sacramento": true, "jose": true}
