package storage

import (
	"context"
	"fmt"
	"io"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ImportResult counts what an import did to the facility directory.
type ImportResult struct {
	Added       int // facilities new to the directory
	Updated     int // facilities whose details changed, or that were inactive and are listed again
	Unchanged   int // facilities listed as they were
	Deactivated int // facilities the file no longer lists; kept, inactive, for the cases that point at them
}

// Import refreshes the facility directory from a CSV file in the columns of
// data/ice-facilities.csv, in one transaction. A facility is matched by its
// ICE code or, without one, by name, city and state, and updated in place,
// so that cases keep pointing at it; a facility the file does not list is
// kept but no longer matched; aliases stay. A malformed file (ErrMalformed,
// with the line) or an empty one changes nothing.
func (s *Facilities) Import(ctx context.Context, r io.Reader) (ImportResult, error) {
	rows, err := readDirectory(r)
	if err != nil {
		return ImportResult{}, fmt.Errorf("import facilities: %w", err)
	}
	if len(rows) == 0 {
		// Most likely a truncated export: taking it would retire every facility.
		return ImportResult{}, fmt.Errorf("import facilities: %w: no facilities after the header", ErrMalformed)
	}
	var res ImportResult
	err = inTx(ctx, s.db, false, func(tx *sqlx.Tx) error {
		var err error
		res, err = importDirectory(ctx, tx, rows)
		return err
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("import facilities: %w", err)
	}
	return res, nil
}

// storedFacility is a facilities row as an import compares it.
type storedFacility struct {
	ID     int64 `db:"id"`
	Active bool  `db:"active"`
	directoryRow
}

// importDirectory makes the facilities table list rows; see Import.
func importDirectory(ctx context.Context, tx *sqlx.Tx, rows []directoryRow) (ImportResult, error) {
	// Imports and the start-up seeding wait for each other; Match and the
	// cases' foreign keys go on reading meanwhile.
	if _, err := tx.ExecContext(ctx, `LOCK TABLE facilities IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		return ImportResult{}, fmt.Errorf("lock facilities: %w", scrub(err))
	}
	var stored []storedFacility
	err := tx.SelectContext(ctx, &stored, `
		SELECT id, active, coalesce(code, '') AS code, name, city, state, field_office, type
		FROM facilities
		ORDER BY id`)
	if err != nil {
		return ImportResult{}, fmt.Errorf("read facilities: %w", scrub(err))
	}

	match := matchStored(stored, rows)
	var res ImportResult
	var added []directoryRow
	var upd [6][]string // code, name, city, state, field_office, type
	var updIDs []int64
	listed := make([]bool, len(stored))
	for i, row := range rows {
		j := match[i]
		if j < 0 {
			added = append(added, row)
			continue
		}
		listed[j] = true
		if stored[j].Active && stored[j].directoryRow == row {
			res.Unchanged++
			continue
		}
		res.Updated++
		for k, v := range []string{row.Code, row.Name, row.City, row.State, row.FieldOffice, row.Type} {
			upd[k] = append(upd[k], v)
		}
		updIDs = append(updIDs, stored[j].ID)
	}
	var retire []int64
	for j, f := range stored {
		if !listed[j] && f.Active {
			retire = append(retire, f.ID)
		}
	}
	res.Added, res.Deactivated = len(added), len(retire)

	if len(updIDs) > 0 {
		_, err := tx.ExecContext(ctx, `
			UPDATE facilities f
			SET code = nullif(v.code, ''), name = v.name, city = v.city, state = v.state,
				field_office = v.field_office, type = v.type, active = true
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
				AS v(code, name, city, state, field_office, type, id)
			WHERE f.id = v.id`,
			pq.Array(upd[0]), pq.Array(upd[1]), pq.Array(upd[2]), pq.Array(upd[3]),
			pq.Array(upd[4]), pq.Array(upd[5]), pq.Array(updIDs))
		if err != nil {
			return ImportResult{}, fmt.Errorf("update facilities: %w", scrub(err))
		}
	}
	if len(retire) > 0 {
		_, err := tx.ExecContext(ctx, `UPDATE facilities SET active = false WHERE id = ANY($1)`, pq.Array(retire))
		if err != nil {
			return ImportResult{}, fmt.Errorf("deactivate facilities: %w", scrub(err))
		}
	}
	if len(added) > 0 {
		if err := insertFacilities(ctx, tx, added); err != nil {
			return ImportResult{}, err
		}
	}
	if err := refreshSearch(ctx, tx); err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

// matchStored finds for each row the index of the stored facility it
// refreshes, or -1 for a new one. A row with a code takes the facility with
// that code; a row without one takes a facility without a code at the same
// place; and a row whose code is new takes a facility without a code at the
// same place, so a facility that gets a code keeps its cases.
func matchStored(stored []storedFacility, rows []directoryRow) []int {
	byCode := map[string]int{}
	byPlace := map[string][]int{} // facilities without a code, oldest first
	for j, f := range stored {
		if f.Code != "" {
			byCode[f.Code] = j
		} else {
			byPlace[f.place()] = append(byPlace[f.place()], j)
		}
	}
	taken := make([]bool, len(stored))
	takePlace := func(row directoryRow) int {
		for _, j := range byPlace[row.place()] {
			if !taken[j] {
				taken[j] = true
				return j
			}
		}
		return -1
	}
	match := make([]int, len(rows))
	for i, row := range rows {
		match[i] = -1
		if j, ok := byCode[row.Code]; ok && row.Code != "" {
			match[i], taken[j] = j, true
		}
	}
	for i, row := range rows {
		if row.Code == "" {
			match[i] = takePlace(row)
		}
	}
	for i, row := range rows {
		if row.Code != "" && match[i] < 0 {
			match[i] = takePlace(row)
		}
	}
	return match
}
