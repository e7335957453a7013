package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hotline/flows"
)

// ErrInvalid is returned when a report cannot be stored as it is: no draft
// id, no reporter, no consent, a date that is not YYYY-MM-DD.
var ErrInvalid = errors.New("invalid report")

var _ flows.Cases = (*Cases)(nil)

// Cases stores detention reports, their reporters and their timelines in
// Postgres.
type Cases struct {
	db      *sqlx.DB
	newCode func() string
}

// NewCases returns the case store in db.
func NewCases(db *sqlx.DB) *Cases {
	return &Cases{db: db, newCode: flows.NewCaseCode}
}

// codeAttempts is how many fresh codes Create tries before giving up. With
// 40 bits of code, even a million cases make a second collision in a row
// a one in a trillion event.
const codeAttempts = 5

// errStored stops a Create whose draft is already stored, so that its
// transaction rolls back and writes nothing.
var errStored = errors.New("draft already stored")

// Create stores the report, its reporter and its first status, "new", in one
// transaction, and returns the case with a fresh code. Storing the same
// DraftID again returns the case stored the first time and writes nothing.
func (s *Cases) Create(ctx context.Context, r *flows.Report) (flows.Case, error) {
	c, _, err := s.Store(ctx, r)
	return c, err
}

// Store is Create that also says whether this call stored the case: false
// when the draft was stored before. The metrics count reports filed by it.
func (s *Cases) Store(ctx context.Context, r *flows.Report) (c flows.Case, created bool, err error) {
	if err := validateReport(r); err != nil {
		return flows.Case{}, false, fmt.Errorf("create case: %w", err)
	}
	err = inTx(ctx, s.db, false, func(tx *sqlx.Tx) error {
		var err error
		c, err = caseByDraft(ctx, tx, r.DraftID)
		if err == nil {
			return errStored
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		reporterID, err := upsertReporter(ctx, tx, r)
		if err != nil {
			return fmt.Errorf("reporter: %w", err)
		}
		for attempt := 1; ; attempt++ {
			var inserted bool
			c, inserted, err = insertCase(ctx, tx, r, reporterID, s.newCode())
			if err != nil {
				return err
			}
			if inserted {
				break
			}
			// Nothing inserted: a concurrent Create of the same draft got
			// there first, or the code is taken.
			c, err = caseByDraft(ctx, tx, r.DraftID)
			if err == nil {
				return errStored
			}
			if !errors.Is(err, ErrNotFound) {
				return err
			}
			if attempt == codeAttempts {
				return errors.New("no free case code")
			}
		}
		return addEvent(ctx, tx, caseEvent{
			CaseID: c.ID, Kind: eventStatus, Status: statusNew, Public: true, Actor: actorReport,
		})
	})
	if errors.Is(err, errStored) {
		return c, false, nil
	}
	if err != nil {
		return flows.Case{}, false, fmt.Errorf("create case: %w", err)
	}
	return c, true, nil
}

// validateReport checks what Postgres would otherwise refuse with a message
// that quotes the value.
func validateReport(r *flows.Report) error {
	if r.DraftID == "" {
		return fmt.Errorf("%w: no draft id", ErrInvalid)
	}
	if r.ReporterUserID == 0 {
		return fmt.Errorf("%w: no reporter", ErrInvalid)
	}
	if !r.Consent {
		// Personal data is stored only with the reporter's consent.
		return fmt.Errorf("%w: no consent", ErrInvalid)
	}
	for _, d := range []struct{ name, value string }{
		{"birth date", r.BirthDate}, {"detention date", r.DetainedOn}, {"hearing date", r.HearingDate},
	} {
		if d.value == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d.value); err != nil {
			return fmt.Errorf("%w: %s is not YYYY-MM-DD", ErrInvalid, d.name)
		}
	}
	if r.ANumber != "" && !nineDigits(r.ANumber) {
		return fmt.Errorf("%w: A-number is not nine digits", ErrInvalid)
	}
	return nil
}

func nineDigits(s string) bool {
	if len(s) != 9 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// insertCase inserts the case unless its draft id or its code is already
// stored; inserted says which happened.
func insertCase(ctx context.Context, tx *sqlx.Tx, r *flows.Report, reporterID int64, code string) (c flows.Case, inserted bool, err error) {
	urgent := r.Urgent
	if urgent == nil {
		urgent = []string{}
	}
	err = tx.QueryRowxContext(ctx, `
		INSERT INTO cases (
			code, draft_id, reporter_id, lang, consent,
			name_latin, name_cyrillic, birth_date, birth_country, citizenship, a_number,
			detained_on, circumstance, circumstance_note,
			facility_id, facility_text, facility_share,
			has_lawyer, lawyer_name, lawyer_phone, hearing_date, appeals,
			urgent, reporter_name, relationship, reporter_contact
		) VALUES (
			$1, $2, $3, $4, $5,
			$6, $7, $8, $9, $10, $11,
			$12, $13, $14,
			$15, $16, $17,
			$18, $19, $20, $21, $22,
			$23, $24, $25, $26
		)
		ON CONFLICT DO NOTHING
		RETURNING id, code, created_at`,
		code, r.DraftID, reporterID, r.Lang, r.Consent,
		r.NameLatin, r.NameCyrillic, nullString(r.BirthDate), r.BirthCountry, r.Citizenship, nullString(r.ANumber),
		nullString(r.DetainedOn), r.Circumstance, r.CircumstanceNote,
		nullID(r.FacilityID), r.FacilityText, r.FacilityShare,
		r.HasLawyer, r.LawyerName, r.LawyerPhone, nullString(r.HearingDate), r.Appeals,
		pq.Array(urgent), r.ReporterName, r.Relationship, r.ReporterPhone,
	).Scan(&c.ID, &c.Code, &c.Created)
	if errors.Is(err, sql.ErrNoRows) {
		return flows.Case{}, false, nil
	}
	if err != nil {
		return flows.Case{}, false, scrub(err)
	}
	return c, true, nil
}

// caseByDraft returns the case stored from a draft, or ErrNotFound.
func caseByDraft(ctx context.Context, tx *sqlx.Tx, draftID string) (flows.Case, error) {
	var c flows.Case
	err := tx.QueryRowxContext(ctx, `SELECT id, code, created_at FROM cases WHERE draft_id = $1`, draftID).
		Scan(&c.ID, &c.Code, &c.Created)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, scrub(err)
}

// Get returns a stored report and its case by code, typed in any of the
// forms NormalizeCode accepts, or ErrNotFound.
func (s *Cases) Get(ctx context.Context, code string) (*flows.Report, flows.Case, error) {
	code, ok := flows.NormalizeCode(code)
	if !ok {
		return nil, flows.Case{}, fmt.Errorf("get case: %w", ErrNotFound)
	}
	var (
		r *flows.Report
		c flows.Case
	)
	err := inTx(ctx, s.db, true, func(tx *sqlx.Tx) error {
		var err error
		r, c, err = caseByCode(ctx, tx, code)
		return err
	})
	if err != nil {
		// The code opens the case to anyone: it stays out of error strings.
		return nil, flows.Case{}, fmt.Errorf("get case: %w", err)
	}
	return r, c, nil
}

// caseRow is a cases row joined with its reporter.
type caseRow struct {
	ID               int64          `db:"id"`
	Code             string         `db:"code"`
	Created          time.Time      `db:"created_at"`
	DraftID          string         `db:"draft_id"`
	Lang             string         `db:"lang"`
	Consent          bool           `db:"consent"`
	NameLatin        string         `db:"name_latin"`
	NameCyrillic     string         `db:"name_cyrillic"`
	BirthDate        string         `db:"birth_date"`
	BirthCountry     string         `db:"birth_country"`
	Citizenship      string         `db:"citizenship"`
	ANumber          string         `db:"a_number"`
	DetainedOn       string         `db:"detained_on"`
	Circumstance     string         `db:"circumstance"`
	CircumstanceNote string         `db:"circumstance_note"`
	FacilityID       int64          `db:"facility_id"`
	FacilityText     string         `db:"facility_text"`
	FacilityShare    bool           `db:"facility_share"`
	HasLawyer        bool           `db:"has_lawyer"`
	LawyerName       string         `db:"lawyer_name"`
	LawyerPhone      string         `db:"lawyer_phone"`
	HearingDate      string         `db:"hearing_date"`
	Appeals          string         `db:"appeals"`
	Urgent           pq.StringArray `db:"urgent"`
	ReporterName     string         `db:"reporter_name"`
	Relationship     string         `db:"relationship"`
	ReporterContact  string         `db:"reporter_contact"`
	ReporterUserID   int64          `db:"telegram_user_id"`
	ReporterChatID   int64          `db:"chat_id"`
}

// caseByCode reads a case and its report by normalised code.
func caseByCode(ctx context.Context, tx *sqlx.Tx, code string) (*flows.Report, flows.Case, error) {
	var row caseRow
	err := tx.GetContext(ctx, &row, `
		SELECT c.id, c.code, c.created_at, c.draft_id, c.lang, c.consent,
			c.name_latin, c.name_cyrillic,
			coalesce(to_char(c.birth_date, 'YYYY-MM-DD'), '') AS birth_date,
			c.birth_country, c.citizenship, coalesce(c.a_number, '') AS a_number,
			coalesce(to_char(c.detained_on, 'YYYY-MM-DD'), '') AS detained_on,
			c.circumstance, c.circumstance_note,
			coalesce(c.facility_id, 0) AS facility_id, c.facility_text, c.facility_share,
			c.has_lawyer, c.lawyer_name, c.lawyer_phone,
			coalesce(to_char(c.hearing_date, 'YYYY-MM-DD'), '') AS hearing_date,
			c.appeals, c.urgent, c.reporter_name, c.relationship, c.reporter_contact,
			r.telegram_user_id, r.chat_id
		FROM cases c
		JOIN reporters r ON r.id = c.reporter_id
		WHERE c.code = $1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, flows.Case{}, ErrNotFound
	}
	if err != nil {
		return nil, flows.Case{}, scrub(err)
	}
	rep := &flows.Report{
		DraftID:          row.DraftID,
		Consent:          row.Consent,
		NameLatin:        row.NameLatin,
		NameCyrillic:     row.NameCyrillic,
		BirthDate:        row.BirthDate,
		BirthCountry:     row.BirthCountry,
		Citizenship:      row.Citizenship,
		ANumber:          row.ANumber,
		DetainedOn:       row.DetainedOn,
		Circumstance:     row.Circumstance,
		CircumstanceNote: row.CircumstanceNote,
		FacilityID:       row.FacilityID,
		FacilityText:     row.FacilityText,
		FacilityShare:    row.FacilityShare,
		HasLawyer:        row.HasLawyer,
		LawyerName:       row.LawyerName,
		LawyerPhone:      row.LawyerPhone,
		HearingDate:      row.HearingDate,
		Appeals:          row.Appeals,
		ReporterName:     row.ReporterName,
		Relationship:     row.Relationship,
		ReporterPhone:    row.ReporterContact,
		ReporterChatID:   row.ReporterChatID,
		ReporterUserID:   row.ReporterUserID,
		Lang:             row.Lang,
	}
	if len(row.Urgent) > 0 {
		rep.Urgent = []string(row.Urgent)
	}
	return rep, flows.Case{ID: row.ID, Code: row.Code, Created: row.Created}, nil
}

// nullString stores "" as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullID stores 0 as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
