package storage

import (
	"context"
	"database/sql"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hotline/flows"
)

// data holds the facility directory ICE publishes (see data/SOURCES.md) and
// the names people use for those facilities.
//
//go:embed data
var data embed.FS

var _ flows.Facilities = (*Facilities)(nil)

// Facilities is the directory of detention facilities in Postgres.
type Facilities struct {
	db *sqlx.DB
}

// NewFacilities returns the facility directory stored in db.
func NewFacilities(db *sqlx.DB) *Facilities {
	return &Facilities{db: db}
}

// matchThreshold is the least word similarity (pg_trgm) between a query and
// a facility for the facility to be a candidate at all. It lets through
// "stuart" for Stewart and "lousiana" for Louisiana; random text stays out.
const matchThreshold = "0.45"

// soundThreshold is matchThreshold for how names sound (soundText).
const soundThreshold = "0.7"

// maxMatches caps n in Match: a keyboard with more buttons helps nobody.
const maxMatches = 20

// facility is a facilities row as Match and Get read it.
type facility struct {
	ID    int64  `db:"id"`
	Code  string `db:"code"`
	Name  string `db:"name"`
	City  string `db:"city"`
	State string `db:"state"`
	Type  string `db:"type"`
}

func (f facility) flows() flows.Facility {
	return flows.Facility{ID: f.ID, Code: f.Code, Name: readable(f.Name), City: readable(f.City), State: f.State,
		Staging: f.Type == "Staging" || f.Type == "Hold Room"}
}

// Match returns up to n facilities that best match what a relative typed,
// best first. An empty or meaningless query matches nothing.
func (s *Facilities) Match(ctx context.Context, query string, n int) ([]flows.Facility, error) {
	n = min(n, maxMatches)
	q := searchText(query)
	if n <= 0 || utf8.RuneCountInString(q) < 2 || utf8.RuneCountInString(q) > maxQueryRunes {
		return nil, nil
	}
	var rows []facility
	err := inTx(ctx, s.db, true, func(tx *sqlx.Tx) error {
		var err error
		rows, err = matchFacilities(ctx, tx, q, n)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("match facilities: %w", err)
	}
	out := make([]flows.Facility, len(rows))
	for i, r := range rows {
		out[i] = r.flows()
	}
	return out, nil
}

// matchFacilities ranks facilities against a normalised query. Candidates are
// the active facilities (an import keeps the ones ICE no longer lists, for
// the cases that point at them, but nobody should pick them) whose search text contains something like the query (word
// similarity, through the trigram index); they are ranked by that plus how
// close the query is to the whole name or to one alias, so "krome" puts Krome
// above facilities that are merely in Miami, plus how alike they sound, so
// "Конро в Техасе" puts Conroe's above the rest of Texas. Dedicated ICE facilities win
// ties over county jails, which hold far fewer of the people asked about.
func matchFacilities(ctx context.Context, tx *sqlx.Tx, q string, n int) ([]facility, error) {
	if _, err := tx.ExecContext(ctx, `SET LOCAL pg_trgm.word_similarity_threshold = `+matchThreshold); err != nil {
		return nil, scrub(err)
	}
	var rows []facility
	err := tx.SelectContext(ctx, &rows, `
		SELECT f.id, coalesce(f.code, '') AS code, f.name, f.city, f.state, coalesce(f.type, '') AS type
		FROM facilities f
		WHERE $1 <% f.search AND f.active
		ORDER BY
			word_similarity($1, f.search) + greatest(
				similarity($1, f.search_name),
				(SELECT max(similarity($1, a.search)) FROM facility_aliases a WHERE a.facility_id = f.id)
			) + word_similarity($3, f.search_sound) DESC,
			CASE WHEN f.type IN ('CDF', 'SPC', 'DIGSA', 'Family', 'State') THEN 0 ELSE 1 END,
			f.name
		LIMIT $2`, q, n, soundText(q))
	if err != nil || len(rows) > 0 {
		return rows, scrub(err)
	}
	// Nothing is spelt like the query: what sounds like it. A Russian
	// spelling of an English name is often too far from it as letters
	// ("Конро", konro: Conroe; "Пирсолл": Pearsall).
	// Sounds are fewer than letters, so only a near-whole word counts:
	// "Феникс" is not Folkston Annex.
	sq := soundText(q)
	if utf8.RuneCountInString(strings.ReplaceAll(sq, " ", "")) < 2 {
		return nil, nil
	}
	if _, err := tx.ExecContext(ctx, `SET LOCAL pg_trgm.word_similarity_threshold = `+soundThreshold); err != nil {
		return nil, scrub(err)
	}
	err = tx.SelectContext(ctx, &rows, `
		SELECT f.id, coalesce(f.code, '') AS code, f.name, f.city, f.state, coalesce(f.type, '') AS type
		FROM facilities f
		WHERE $1 <% f.search_sound AND f.active
		ORDER BY word_similarity($1, f.search_sound) DESC,
			CASE WHEN f.type IN ('CDF', 'SPC', 'DIGSA', 'Family', 'State') THEN 0 ELSE 1 END,
			f.name
		LIMIT $2`, sq, n)
	return rows, scrub(err)
}

// Get returns one facility or ErrNotFound.
func (s *Facilities) Get(ctx context.Context, id int64) (flows.Facility, error) {
	var f facility
	err := inTx(ctx, s.db, true, func(tx *sqlx.Tx) error {
		var err error
		f, err = getFacility(ctx, tx, id)
		return err
	})
	if err != nil {
		return flows.Facility{}, fmt.Errorf("get facility %d: %w", id, err)
	}
	return f.flows(), nil
}

func getFacility(ctx context.Context, tx *sqlx.Tx, id int64) (facility, error) {
	var f facility
	err := tx.GetContext(ctx, &f, `
		SELECT id, coalesce(code, '') AS code, name, city, state, coalesce(type, '') AS type
		FROM facilities
		WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return f, ErrNotFound
	}
	return f, scrub(err)
}

// ErrMalformed is returned for a facility or alias file that cannot be read:
// a wrong header, a line with the wrong number of columns, an empty name.
var ErrMalformed = errors.New("malformed file")

// directoryRow is one line of the facility directory CSV.
type directoryRow struct {
	Code        string `db:"code"`
	Name        string `db:"name"`
	City        string `db:"city"`
	State       string `db:"state"`
	FieldOffice string `db:"field_office"`
	Type        string `db:"type"`
}

// place identifies a facility without an ICE code: its name, city and state,
// compared without regard to case or spacing.
func (r directoryRow) place() string {
	norm := func(s string) string { return strings.ToUpper(strings.Join(strings.Fields(s), " ")) }
	return norm(r.Name) + "|" + norm(r.City) + "|" + norm(r.State)
}

// readDirectory reads a facility directory in the columns of
// data/ice-facilities.csv: code,name,city,state,field_office,type. Every
// facility needs a name, and each code, or each name, city and state of a
// facility without a code, may appear only once: an import matches
// facilities by them.
func readDirectory(r io.Reader) ([]directoryRow, error) {
	recs, err := readCSV(r, "code", "name", "city", "state", "field_office", "type")
	if err != nil {
		return nil, err
	}
	rows := make([]directoryRow, 0, len(recs))
	codes := map[string]int{}  // code → line
	places := map[string]int{} // place of a facility without a code → line
	for _, rec := range recs {
		f := rec.fields
		row := directoryRow{
			Code: strings.TrimSpace(f[0]), Name: strings.TrimSpace(f[1]),
			City: strings.TrimSpace(f[2]), State: strings.TrimSpace(f[3]),
			FieldOffice: strings.TrimSpace(f[4]), Type: strings.TrimSpace(f[5]),
		}
		if row.Name == "" {
			return nil, fmt.Errorf("%w: line %d: empty name", ErrMalformed, rec.line)
		}
		if row.Code != "" {
			if prev, dup := codes[row.Code]; dup {
				return nil, fmt.Errorf("%w: line %d: code %s is on line %d too", ErrMalformed, rec.line, row.Code, prev)
			}
			codes[row.Code] = rec.line
		} else {
			if prev, dup := places[row.place()]; dup {
				return nil, fmt.Errorf("%w: line %d: same name, city and state as line %d, and no code", ErrMalformed, rec.line, prev)
			}
			places[row.place()] = rec.line
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// aliasRow is one line of data/facility-aliases.csv.
type aliasRow struct {
	Alias, Code string
}

// readAliases reads alias,code lines.
func readAliases(r io.Reader) ([]aliasRow, error) {
	recs, err := readCSV(r, "alias", "code")
	if err != nil {
		return nil, err
	}
	rows := make([]aliasRow, 0, len(recs))
	for _, rec := range recs {
		a := aliasRow{Alias: strings.TrimSpace(rec.fields[0]), Code: strings.TrimSpace(rec.fields[1])}
		if a.Alias == "" || a.Code == "" {
			return nil, fmt.Errorf("%w: line %d: empty alias or code", ErrMalformed, rec.line)
		}
		rows = append(rows, a)
	}
	return rows, nil
}

// csvRecord is one CSV record after the header and the line it starts on.
type csvRecord struct {
	line   int
	fields []string
}

// readCSV reads a CSV file whose header is exactly columns and returns the
// records after it. Lines starting with # are comments; a byte order mark,
// which spreadsheets like to write, is skipped. Errors name the line, so that
// whoever edited the file can find it.
func readCSV(r io.Reader, columns ...string) ([]csvRecord, error) {
	want := strings.Join(columns, ",")
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1 // counted here, to say what was expected
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: the file is empty; want the header %s", ErrMalformed, want)
	}
	if err != nil {
		return nil, csvError(err)
	}
	line, _ := cr.FieldPos(0)
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	if strings.Join(header, ",") != want {
		return nil, fmt.Errorf("%w: line %d: header is not %s", ErrMalformed, line, want)
	}
	var recs []csvRecord
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return recs, nil
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(columns) {
			return nil, fmt.Errorf("%w: line %d: %d columns, want %d (%s)", ErrMalformed, line, len(rec), len(columns), want)
		}
		recs = append(recs, csvRecord{line: line, fields: rec})
	}
}

// csvError says on which line the record the CSV reader gave up on starts
// (an unclosed quote is found lines later) and why, without the line itself.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%w: line %d: %v", ErrMalformed, pe.StartLine, pe.Err)
	}
	return fmt.Errorf("read: %w", err)
}

// seedFacilities loads the embedded directory when the facilities table is
// empty, adds the embedded aliases that are missing, and brings the search
// texts up to date (unless search is false). It is cheap when there is
// nothing to do, so it runs at every start.
func seedFacilities(ctx context.Context, tx *sqlx.Tx, search bool) error {
	var count int
	if err := tx.GetContext(ctx, &count, `SELECT count(*) FROM facilities`); err != nil {
		return scrub(err)
	}
	if count == 0 {
		f, err := data.Open("data/ice-facilities.csv")
		if err != nil {
			return err
		}
		defer f.Close()
		rows, err := readDirectory(f)
		if err != nil {
			return fmt.Errorf("read ice-facilities.csv: %w", err)
		}
		if err := insertFacilities(ctx, tx, rows); err != nil {
			return err
		}
	}
	f, err := data.Open("data/facility-aliases.csv")
	if err != nil {
		return err
	}
	defer f.Close()
	aliases, err := readAliases(f)
	if err != nil {
		return fmt.Errorf("read facility-aliases.csv: %w", err)
	}
	if err := insertAliases(ctx, tx, aliases); err != nil || !search {
		return err
	}
	return refreshSearch(ctx, tx)
}

// insertFacilities adds directory rows in one statement.
func insertFacilities(ctx context.Context, tx *sqlx.Tx, rows []directoryRow) error {
	cols := make([][]string, 6)
	for _, r := range rows {
		for i, v := range []string{r.Code, r.Name, r.City, r.State, r.FieldOffice, r.Type} {
			cols[i] = append(cols[i], v)
		}
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO facilities (code, name, city, state, field_office, type)
		SELECT nullif(code, ''), name, city, state, field_office, type
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
			AS r(code, name, city, state, field_office, type)`,
		pq.Array(cols[0]), pq.Array(cols[1]), pq.Array(cols[2]),
		pq.Array(cols[3]), pq.Array(cols[4]), pq.Array(cols[5]))
	if err != nil {
		return fmt.Errorf("insert facilities: %w", scrub(err))
	}
	return nil
}

// insertAliases adds the aliases that are not there yet. An alias of a code
// the directory does not have is skipped: the directory may have been
// replaced by an import.
func insertAliases(ctx context.Context, tx *sqlx.Tx, rows []aliasRow) error {
	aliases := make([]string, len(rows))
	codes := make([]string, len(rows))
	for i, r := range rows {
		aliases[i], codes[i] = r.Alias, r.Code
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO facility_aliases (facility_id, alias)
		SELECT f.id, a.alias
		FROM unnest($1::text[], $2::text[]) AS a(alias, code)
		JOIN facilities f ON f.code = a.code
		ON CONFLICT DO NOTHING`, pq.Array(aliases), pq.Array(codes))
	if err != nil {
		return fmt.Errorf("insert facility aliases: %w", scrub(err))
	}
	return nil
}

// refreshSearch recomputes the normalised search texts of facilities and
// aliases in Go, with the same searchText that normalises queries, and
// writes the ones that changed.
func refreshSearch(ctx context.Context, tx *sqlx.Tx) error {
	var facs []struct {
		ID      int64          `db:"id"`
		Name    string         `db:"name"`
		City    string         `db:"city"`
		State   string         `db:"state"`
		Aliases pq.StringArray `db:"aliases"`
	}
	err := tx.SelectContext(ctx, &facs, `
		SELECT f.id, f.name, f.city, f.state,
			array(SELECT a.alias FROM facility_aliases a WHERE a.facility_id = f.id ORDER BY a.alias) AS aliases
		FROM facilities f
		ORDER BY f.id`)
	if err != nil {
		return fmt.Errorf("read facilities: %w", scrub(err))
	}
	var ids, aliasIDs []int64
	var names, searches, aliases, aliasSearches []string
	for _, f := range facs {
		parts := []string{searchText(f.Name), searchText(f.City), strings.ToLower(f.State)}
		if s := stateName(f.State); s != "" {
			parts = append(parts, searchText(s))
		}
		for _, a := range f.Aliases {
			as := searchText(a)
			parts = append(parts, as)
			aliasIDs, aliases, aliasSearches = append(aliasIDs, f.ID), append(aliases, a), append(aliasSearches, as)
		}
		ids = append(ids, f.ID)
		names = append(names, searchText(f.Name))
		// pg_trgm reads "|" as a word break; it only helps a person reading.
		searches = append(searches, strings.Join(parts, " | "))
	}
	sounds := make([]string, len(searches))
	for i, s := range searches {
		sounds[i] = soundText(s)
	}
	_, err = tx.ExecContext(ctx, `
		UPDATE facilities f SET search_name = v.search_name, search = v.search, search_sound = v.search_sound
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS v(id, search_name, search, search_sound)
		WHERE f.id = v.id
			AND (f.search_name, f.search, f.search_sound) IS DISTINCT FROM (v.search_name, v.search, v.search_sound)`,
		pq.Array(ids), pq.Array(names), pq.Array(searches), pq.Array(sounds))
	if err != nil {
		return fmt.Errorf("update facility search: %w", scrub(err))
	}
	_, err = tx.ExecContext(ctx, `
		UPDATE facility_aliases a SET search = v.search
		FROM unnest($1::bigint[], $2::text[], $3::text[]) AS v(facility_id, alias, search)
		WHERE a.facility_id = v.facility_id AND a.alias = v.alias AND a.search IS DISTINCT FROM v.search`,
		pq.Array(aliasIDs), pq.Array(aliases), pq.Array(aliasSearches))
	if err != nil {
		return fmt.Errorf("update alias search: %w", scrub(err))
	}
	return nil
}
