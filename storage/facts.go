package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hotline/flows"
)

// sealFacts seals a case's facts for cases.facts; none are NULL.
func sealFacts(keys *Keyring, caseID int64, f flows.Facts) []byte {
	raw, err := json.Marshal(f)
	if err != nil {
		// A struct of strings, bools and numbers always encodes.
		panic(fmt.Sprintf("encode facts: %v", err))
	}
	if string(raw) == "{}" {
		return nil
	}
	return keys.seal(field{"cases", "facts", caseID}, string(raw))
}

// openFacts opens a case's sealed facts; none stored is the zero Facts.
func openFacts(keys *Keyring, caseID int64, sealed []byte) (flows.Facts, error) {
	var f flows.Facts
	if len(sealed) == 0 {
		return f, nil
	}
	raw, err := keys.open(field{"cases", "facts", caseID}, sealed)
	if err != nil {
		return f, fmt.Errorf("open facts of case %d: %w", caseID, err)
	}
	if err := json.Unmarshal([]byte(raw), &f); err != nil {
		return f, fmt.Errorf("decode facts of case %d: malformed json", caseID)
	}
	return f, nil
}

// AddFiles adds files the reporter sent after the report to the case's
// facts (addFiles).
func (s *Cases) AddFiles(ctx context.Context, caseID int64, files []int) error {
	if s.keys == nil {
		return fmt.Errorf("add files: %w", ErrNoKeys)
	}
	err := inTx(ctx, s.db, false, func(tx *sqlx.Tx) error { return addFiles(ctx, tx, s.keys, caseID, files) })
	if err != nil {
		return fmt.Errorf("add files to case %d: %w", caseID, err)
	}
	return nil
}

// addFiles adds files the reporter sent after the report (news.go) to the
// case's facts, up to flows.MaxCaseFiles; a case erased meanwhile keeps
// none.
func addFiles(ctx context.Context, tx *sqlx.Tx, keys *Keyring, caseID int64, files []int) error {
	if len(files) == 0 {
		return nil
	}
	var sealed []byte
	err := tx.GetContext(ctx, &sealed, `SELECT facts FROM cases WHERE id = $1 AND erased_at IS NULL FOR UPDATE`, caseID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return scrub(err)
	}
	f, err := openFacts(keys, caseID, sealed)
	if err != nil {
		return err
	}
	for _, id := range files {
		if !slices.Contains(f.Files, id) && len(f.Files) < flows.MaxCaseFiles {
			f.Files = append(f.Files, id)
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE cases SET facts = $2 WHERE id = $1`, caseID, sealFacts(keys, caseID, f))
	return scrub(err)
}

// Complete stores the answers of a report whose case the urgent path filed:
// every field of the case is replaced by the report's, in one transaction;
// the timeline stays, and so do the files the case got meanwhile (sent in
// the conversation with a volunteer, or as news); those the reporter
// removed on the review (r.Removed) go. ErrNotFound when the
// draft has no case, or its case was erased at the reporter's request or
// by the retention purge.
func (s *Cases) Complete(ctx context.Context, r *flows.Report) error {
	if err := validateReport(r); err != nil {
		return fmt.Errorf("complete case: %w", err)
	}
	if s.keys == nil {
		return fmt.Errorf("complete case: %w", ErrNoKeys)
	}
	return inTx(ctx, s.db, false, func(tx *sqlx.Tx) error {
		var row struct {
			ID    int64  `db:"id"`
			Facts []byte `db:"facts"`
		}
		err := tx.GetContext(ctx, &row, `SELECT id, facts FROM cases WHERE draft_id = $1 AND erased_at IS NULL FOR UPDATE`, r.DraftID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("complete case: %w", ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("complete case: %w", scrub(err))
		}
		id := row.ID
		before, err := openFacts(s.keys, id, row.Facts)
		if err != nil {
			return fmt.Errorf("complete case %d: %w", id, err)
		}
		facts := r.Facts
		facts.Files = slices.Clone(facts.Files)
		for _, f := range before.Files {
			removed := slices.Contains(r.Removed, f)
			if !removed && !slices.Contains(facts.Files, f) && len(facts.Files) < flows.MaxCaseFiles {
				facts.Files = append(facts.Files, f)
			}
		}
		seal := func(column, v string) []byte { return s.keys.seal(field{"cases", column, id}, v) }
		urgent := r.Urgent
		if urgent == nil {
			urgent = []string{}
		}
		_, err = tx.ExecContext(ctx, `
			UPDATE cases SET
				name_latin = $2, name_cyrillic = $3, birth_date = $4, birth_country = $5,
				citizenship = $6, a_number = $7, a_number_index = $8,
				detained_on = $9, circumstance = $10, circumstance_note = $11,
				facility_id = $12, facility_text = $13, facility_share = $14,
				has_lawyer = $15, lawyer_name = $16, lawyer_phone = $17, hearing_date = $18, appeals = $19,
				-- Marks given since the filing (a transfer, a date) stay.
				urgent = urgent || ARRAY(SELECT u FROM unnest($20::text[]) u WHERE u <> ALL(urgent)),
				reporter_contact = $21, reporter_name = $22, relationship = $23,
				facts = $24, dates_share = $25,
				-- A date a volunteer set since stays.
				deportation_date = coalesce(deportation_date, $26::date),
				checkin_office = $27
			WHERE id = $1`,
			id, seal("name_latin", r.NameLatin), seal("name_cyrillic", r.NameCyrillic), seal("birth_date", r.BirthDate),
			seal("birth_country", r.BirthCountry), seal("citizenship", r.Citizenship), seal("a_number", r.ANumber),
			s.keys.index(r.ANumber),
			nullString(r.DetainedOn), r.Circumstance, seal("circumstance_note", r.CircumstanceNote),
			nullID(r.FacilityID), seal("facility_text", r.FacilityText), r.FacilityShare,
			r.HasLawyer, seal("lawyer_name", r.LawyerName), seal("lawyer_phone", r.LawyerPhone),
			nullString(r.HearingDate), seal("appeals", r.Appeals),
			pq.Array(urgent), seal("reporter_contact", r.ReporterPhone),
			seal("reporter_name", r.ReporterName), seal("relationship", r.Relationship),
			sealFacts(s.keys, id, facts), r.Facts.DatesShare, nullString(r.FlightDate), nullString(r.OfficeLabel))
		if err != nil {
			return fmt.Errorf("complete case %d: %w", id, scrub(err))
		}
		// The names and birth date may be new: /find and the duplicates
		// see them.
		if err := indexNames(ctx, tx, s.keys, id, r.NameLatin, r.NameCyrillic, r.BirthDate); err != nil {
			return fmt.Errorf("complete case %d: name index: %w", id, err)
		}
		if err := linkDuplicates(ctx, tx, s.keys, id, r); err != nil {
			return fmt.Errorf("complete case %d: duplicates: %w", id, err)
		}
		// The reporter's name and relationship live with the reporter.
		if r.ReporterName != "" || r.Relationship != "" {
			if _, err := upsertReporter(ctx, tx, s.keys, r); err != nil {
				return fmt.Errorf("complete case %d: reporter: %w", id, err)
			}
		}
		return nil
	})
}
