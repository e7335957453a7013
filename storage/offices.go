package storage

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hotline/flows"
)

var _ flows.Offices = (*Offices)(nil)

// Offices is ICE's field offices (storage/data/ice-field-offices.csv), where
// people go to their check-ins, matched like the facility directory: the
// same normalised text (Cyrillic transliterated) and the same trigram
// similarity in Postgres. The list is small and fixed, so it lives in
// memory and is sent along with each query.
type Offices struct {
	db      *sqlx.DB
	offices []flows.Office
	search  []string   // the normalised search text of each office
	primary []string   // its name and city alone, which rank above its state
	short   [][]string // its short names (officeAlso), matched whole
}

// officeAlso are other names people give an office: its city's
// abbreviation, matched only whole (as trigrams, "la" matched Salt Lake
// City), and the city the office is known by when it is not the one in the
// list (the St. Paul office serves Minneapolis, from Fort Snelling).
var officeAlso = map[string][]string{
	"Los Angeles":   {"LA"},
	"San Francisco": {"SF", "Sansome", "630 Sansome"},
	"New York City": {"NYC", "Federal Plaza", "Manhattan", "Манхэттен", "Brooklyn", "Бруклин", "Bronx", "Бронкс",
		"Queens", "Квинс", "Staten Island", "Стейтен-Айленд"},
	"Washington":   {"DC"},
	"Philadelphia": {"Philly"},
	"St. Paul":     {"Saint Paul", "Сент-Пол", "Minneapolis"},
}

// NewOffices reads the embedded list of field offices. Every office's time
// zone must be one the Go runtime knows (the binary embeds time/tzdata).
func NewOffices(db *sqlx.DB) (*Offices, error) {
	buf, err := data.ReadFile("data/ice-field-offices.csv")
	if err != nil {
		return nil, fmt.Errorf("field offices: %w", err)
	}
	recs, err := readCSV(bytes.NewReader(buf), "name", "city", "state", "time_zone")
	if err != nil {
		return nil, fmt.Errorf("field offices: %w", err)
	}
	s := &Offices{db: db}
	for _, r := range recs {
		o := flows.Office{Name: strings.TrimSpace(r.fields[0]), City: strings.TrimSpace(r.fields[1]),
			State: strings.ToUpper(strings.TrimSpace(r.fields[2])), Zone: strings.TrimSpace(r.fields[3])}
		o.Code = officeCode(o.Name)
		if _, err := time.LoadLocation(o.Zone); err != nil {
			return nil, fmt.Errorf("field offices: line %d: time zone: %w", r.line, err)
		}
		// The state's two letters are not in the text: as trigrams, "mi"
		// (Michigan) matched "Miami" and offered Detroit. Typed alone,
		// they name the state's offices (Match).
		parts := []string{searchText(o.Name), searchText(o.City)}
		var short []string
		for _, a := range officeAlso[o.Name] {
			if a := searchText(a); utf8.RuneCountInString(a) <= 3 {
				short = append(short, a)
			} else {
				parts = append(parts, a)
			}
		}
		primary := strings.Join(parts, " | ")
		if n := stateName(o.State); n != "" {
			parts = append(parts, searchText(n))
		}
		s.offices = append(s.offices, o)
		s.search = append(s.search, strings.Join(parts, " | "))
		s.primary = append(s.primary, primary)
		s.short = append(s.short, short)
	}
	return s, nil
}

// officeCode is an office's stable name in callback data and rows:
// "New York City" → "new-york-city".
func officeCode(name string) string {
	return strings.Join(strings.Fields(searchText(name)), "-")
}

// Match returns up to n field offices that best match what someone typed,
// best first: the office's name, its city, its state. A short name alone
// ("LA", "в NYC") gives its office, and a state's two letters its
// offices: "LA" is Los Angeles, then New Orleans, in Louisiana.
func (s *Offices) Match(ctx context.Context, query string, n int) ([]flows.Office, error) {
	q := searchText(query)
	if n <= 0 || utf8.RuneCountInString(q) < 2 || utf8.RuneCountInString(q) > maxQueryRunes {
		return nil, nil
	}
	if out := s.known(q); len(out) > 0 {
		return out[:min(n, len(out))], nil
	}
	// "The office on Broadway in Manhattan": the words around the place
	// drown it in the whole. Then each word of four letters or more is
	// looked for alone — the whole and the words in one query — and what
	// they find is offered in the order of the words.
	words := []string{q}
	for _, w := range strings.Fields(q) {
		if utf8.RuneCountInString(w) >= 4 && !slices.Contains(words, w) {
			words = append(words, w)
		}
	}
	found, err := s.matchWords(ctx, words)
	if err != nil {
		return nil, err
	}
	var out []flows.Office
	add := func(o flows.Office) {
		if !slices.Contains(out, o) && len(out) < n {
			out = append(out, o)
		}
	}
	for _, i := range found[0] {
		add(s.offices[i])
	}
	if len(out) > 0 {
		return out, nil
	}
	for i, w := range words[1:] {
		for _, o := range s.known(w) {
			add(o) // a short name or a state, as the whole has them
		}
		for _, j := range found[i+1] {
			add(s.offices[j])
		}
	}
	return out, nil
}

// known returns the offices a normalised query names by a short name, or
// by its state's two letters.
func (s *Offices) known(q string) []flows.Office {
	var out []flows.Office
	for i, o := range s.offices {
		if slices.Contains(s.short[i], q) {
			out = append(out, o)
		}
	}
	if code := strings.ToUpper(q); len(code) == 2 && stateName(code) != "" {
		for _, o := range s.offices {
			if o.State == code && !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
	}
	return out
}

// matchWords looks each of the normalised words up in the offices' search
// texts (trigram word similarity), all in one query, and returns for each
// the offices it finds by their index, best first.
func (s *Offices) matchWords(ctx context.Context, words []string) ([][]int, error) {
	var rows []struct {
		Word   int `db:"word"`
		Office int `db:"office"`
	}
	err := inTx(ctx, s.db, true, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SET LOCAL pg_trgm.word_similarity_threshold = `+matchThreshold); err != nil {
			return scrub(err)
		}
		return scrub(tx.SelectContext(ctx, &rows, `
			SELECT w.i - 1 AS word, o.i - 1 AS office
			FROM unnest($1::text[]) WITH ORDINALITY AS w(word, i),
				unnest($2::text[], $3::text[]) WITH ORDINALITY AS o(search, primary_text, i)
			WHERE w.word <% o.search
			ORDER BY w.i, word_similarity(w.word, o.search) + word_similarity(w.word, o.primary_text) DESC, o.i`,
			pq.Array(words), pq.Array(s.search), pq.Array(s.primary)))
	})
	if err != nil {
		return nil, fmt.Errorf("match field offices: %w", err)
	}
	found := make([][]int, len(words))
	for _, r := range rows {
		found[r.Word] = append(found[r.Word], r.Office)
	}
	return found, nil
}

// Get returns the office with this code, or ErrNotFound.
func (s *Offices) Get(code string) (flows.Office, error) {
	for _, o := range s.offices {
		if o.Code == code {
			return o, nil
		}
	}
	return flows.Office{}, ErrNotFound
}

// State reads a state typed as its two letters or its name, in Latin or
// Cyrillic ("TX", "Texas", "Техас"), and returns its two letters and the
// time zone most of it keeps; ok is false when it is no state.
func (s *Offices) State(typed string) (code, zone string, ok bool) {
	q := strings.Join(strings.Fields(searchText(typed)), " ")
	if q == "" {
		return "", "", false
	}
	for c, z := range stateZones() {
		if q == strings.ToLower(c) || q == searchText(stateName(c)) {
			return c, z, true
		}
	}
	return "", "", false
}

// stateZones is the time zone where most of each state's people live —
// the zone a sub-office not in the list most likely keeps.
func stateZones() map[string]string {
	const (
		east     = "America/New_York"
		central  = "America/Chicago"
		mountain = "America/Denver"
		pacific  = "America/Los_Angeles"
	)
	return map[string]string{
		"AL": central, "AK": "America/Anchorage", "AZ": "America/Phoenix", "AR": central, "CA": pacific,
		"CO": mountain, "CT": east, "DE": east, "DC": east, "FL": east, "GA": east, "HI": "Pacific/Honolulu",
		"ID": "America/Boise", "IL": central, "IN": "America/Indiana/Indianapolis", "IA": central, "KS": central,
		"KY": east, "LA": central, "ME": east, "MD": east, "MA": east, "MI": "America/Detroit", "MN": central,
		"MS": central, "MO": central, "MT": mountain, "NE": central, "NV": pacific, "NH": east, "NJ": east,
		"NM": mountain, "NY": east, "NC": east, "ND": central, "OH": east, "OK": central, "OR": pacific,
		"PA": east, "RI": east, "SC": east, "SD": central, "TN": central, "TX": central, "UT": mountain,
		"VT": east, "VA": east, "WA": pacific, "WV": east, "WI": central, "WY": mountain,
		"PR": "America/Puerto_Rico", "GU": "Pacific/Guam", "VI": "America/St_Thomas", "MP": "Pacific/Saipan",
	}
}
