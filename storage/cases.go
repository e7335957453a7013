package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
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
// Postgres, the personal fields encrypted with keys.
type Cases struct {
	db      *sqlx.DB
	keys    *Keyring
	newCode func() string
}

// NewCases returns the case store in db; keys encrypt and decrypt the
// personal fields.
func NewCases(db *sqlx.DB, keys *Keyring) *Cases {
	return &Cases{db: db, keys: keys, newCode: flows.NewCaseCode}
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
	if s.keys == nil {
		return flows.Case{}, false, fmt.Errorf("create case: %w", ErrNoKeys)
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
		reporterID, err := upsertReporter(ctx, tx, s.keys, r)
		if err != nil {
			return fmt.Errorf("reporter: %w", err)
		}
		for attempt := 1; ; attempt++ {
			var inserted bool
			c, inserted, err = insertCase(ctx, tx, s.keys, r, reporterID, s.newCode())
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
		if err := indexCase(ctx, tx, s.keys, c.ID, reporterID, r); err != nil {
			return err
		}
		return addEvent(ctx, tx, s.keys, caseEvent{
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

// yearOnly reports whether a birth date is a year alone (four digits).
func yearOnly(v string) bool {
	_, err := strconv.Atoi(v)
	return err == nil && len(v) == 4
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
		if d.value == "" || d.name == "birth date" && yearOnly(d.value) {
			continue // a year of birth may be all that is known
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
// stored; inserted says which happened. The personal fields are sealed to
// the row's id, taken from the sequence first.
func insertCase(ctx context.Context, tx *sqlx.Tx, keys *Keyring, r *flows.Report, reporterID int64, code string) (c flows.Case, inserted bool, err error) {
	urgent := r.Urgent
	if urgent == nil {
		urgent = []string{}
	}
	var id int64
	if err := tx.GetContext(ctx, &id, `SELECT nextval('cases_id_seq')`); err != nil {
		return flows.Case{}, false, scrub(err)
	}
	seal := func(column, v string) []byte { return keys.seal(field{"cases", column, id}, v) }
	err = tx.QueryRowxContext(ctx, `
		INSERT INTO cases (
			id, code, draft_id, reporter_id, lang, consent,
			name_latin, name_cyrillic, birth_date, birth_country, citizenship, a_number,
			detained_on, circumstance, circumstance_note,
			facility_id, facility_text, facility_share,
			has_lawyer, lawyer_name, lawyer_phone, hearing_date, appeals,
			urgent, reporter_name, relationship, reporter_contact, a_number_index,
			facts, dates_share, deportation_date, checkin_office
		) VALUES (
			$1, $2, $3, $4, $5, $6,
			$7, $8, $9, $10, $11, $12,
			$13, $14, $15,
			$16, $17, $18,
			$19, $20, $21, $22, $23,
			$24, $25, $26, $27, $28,
			$29, $30, $31, $32
		)
		ON CONFLICT DO NOTHING
		RETURNING id, code, created_at`,
		id, code, r.DraftID, reporterID, r.Lang, r.Consent,
		seal("name_latin", r.NameLatin), seal("name_cyrillic", r.NameCyrillic), seal("birth_date", r.BirthDate),
		seal("birth_country", r.BirthCountry), seal("citizenship", r.Citizenship), seal("a_number", r.ANumber),
		nullString(r.DetainedOn), r.Circumstance, seal("circumstance_note", r.CircumstanceNote),
		nullID(r.FacilityID), seal("facility_text", r.FacilityText), r.FacilityShare,
		r.HasLawyer, seal("lawyer_name", r.LawyerName), seal("lawyer_phone", r.LawyerPhone),
		nullString(r.HearingDate), seal("appeals", r.Appeals),
		pq.Array(urgent), seal("reporter_name", r.ReporterName), seal("relationship", r.Relationship),
		seal("reporter_contact", r.ReporterPhone), keys.index(r.ANumber),
		sealFacts(keys, id, r.Facts), r.Facts.DatesShare, nullString(r.FlightDate), nullString(r.OfficeLabel),
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
		r, c, err = caseByCode(ctx, tx, s.keys, code)
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
	NameLatin        []byte         `db:"name_latin"`
	NameCyrillic     []byte         `db:"name_cyrillic"`
	BirthDate        []byte         `db:"birth_date"`
	BirthCountry     []byte         `db:"birth_country"`
	Citizenship      []byte         `db:"citizenship"`
	ANumber          []byte         `db:"a_number"`
	DetainedOn       string         `db:"detained_on"`
	Circumstance     string         `db:"circumstance"`
	CircumstanceNote []byte         `db:"circumstance_note"`
	FacilityID       int64          `db:"facility_id"`
	FacilityText     []byte         `db:"facility_text"`
	FacilityShare    bool           `db:"facility_share"`
	HasLawyer        bool           `db:"has_lawyer"`
	LawyerName       []byte         `db:"lawyer_name"`
	LawyerPhone      []byte         `db:"lawyer_phone"`
	HearingDate      string         `db:"hearing_date"`
	DeportationDate  string         `db:"deportation_date"`
	Appeals          []byte         `db:"appeals"`
	Urgent           pq.StringArray `db:"urgent"`
	ReporterName     []byte         `db:"reporter_name"`
	Relationship     []byte         `db:"relationship"`
	ReporterContact  []byte         `db:"reporter_contact"`
	Facts            []byte         `db:"facts"`
	ReporterUserID   int64          `db:"telegram_user_id"`
	ReporterChatID   int64          `db:"chat_id"`
}

// caseByCode reads a case and its report by normalised code, and decrypts
// its personal fields.
func caseByCode(ctx context.Context, tx *sqlx.Tx, keys *Keyring, code string) (*flows.Report, flows.Case, error) {
	if keys == nil {
		return nil, flows.Case{}, ErrNoKeys
	}
	var row caseRow
	err := tx.GetContext(ctx, &row, `
		SELECT c.id, c.code, c.created_at, c.draft_id, c.lang, c.consent,
			c.name_latin, c.name_cyrillic, c.birth_date,
			c.birth_country, c.citizenship, c.a_number,
			coalesce(to_char(c.detained_on, 'YYYY-MM-DD'), '') AS detained_on,
			c.circumstance, c.circumstance_note,
			coalesce(c.facility_id, 0) AS facility_id, c.facility_text, c.facility_share,
			c.has_lawyer, c.lawyer_name, c.lawyer_phone,
			coalesce(to_char(c.hearing_date, 'YYYY-MM-DD'), '') AS hearing_date,
			coalesce(to_char(c.deportation_date, 'YYYY-MM-DD'), '') AS deportation_date,
			c.appeals, c.urgent, c.reporter_name, c.relationship, c.reporter_contact, c.facts,
			coalesce(r.telegram_user_id, 0) AS telegram_user_id, r.chat_id
		FROM cases c
		JOIN reporters r ON r.id = c.reporter_id
		WHERE c.code = $1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, flows.Case{}, ErrNotFound
	}
	if err != nil {
		return nil, flows.Case{}, scrub(err)
	}
	o := opener{keys: keys, table: "cases", row: row.ID}
	rep := &flows.Report{
		DraftID:          row.DraftID,
		Consent:          row.Consent,
		NameLatin:        o.open("name_latin", row.NameLatin),
		NameCyrillic:     o.open("name_cyrillic", row.NameCyrillic),
		BirthDate:        o.open("birth_date", row.BirthDate),
		BirthCountry:     o.open("birth_country", row.BirthCountry),
		Citizenship:      o.open("citizenship", row.Citizenship),
		ANumber:          o.open("a_number", row.ANumber),
		DetainedOn:       row.DetainedOn,
		Circumstance:     row.Circumstance,
		CircumstanceNote: o.open("circumstance_note", row.CircumstanceNote),
		FacilityID:       row.FacilityID,
		FacilityText:     o.open("facility_text", row.FacilityText),
		FacilityShare:    row.FacilityShare,
		HasLawyer:        row.HasLawyer,
		LawyerName:       o.open("lawyer_name", row.LawyerName),
		LawyerPhone:      o.open("lawyer_phone", row.LawyerPhone),
		HearingDate:      row.HearingDate,
		FlightDate:       row.DeportationDate,
		Appeals:          o.open("appeals", row.Appeals),
		ReporterName:     o.open("reporter_name", row.ReporterName),
		Relationship:     o.open("relationship", row.Relationship),
		ReporterPhone:    o.open("reporter_contact", row.ReporterContact),
		ReporterChatID:   row.ReporterChatID,
		ReporterUserID:   row.ReporterUserID,
		Lang:             row.Lang,
	}
	if o.err != nil {
		return nil, flows.Case{}, o.err
	}
	if len(row.Urgent) > 0 {
		rep.Urgent = []string(row.Urgent)
	}
	if rep.Facts, err = openFacts(keys, row.ID, row.Facts); err != nil {
		return nil, flows.Case{}, err
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
