package storage

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"hotline/flows"
)

// upsertReporter stores the reporter of r by Telegram user id and returns
// their id. A later report updates the chat and the contact; an answer left
// empty keeps the one given before.
func upsertReporter(ctx context.Context, tx *sqlx.Tx, r *flows.Report) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, `
		INSERT INTO reporters (telegram_user_id, chat_id, name, relationship, contact, lang)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (telegram_user_id) DO UPDATE SET
			chat_id      = excluded.chat_id,
			name         = coalesce(nullif(excluded.name, ''), reporters.name),
			relationship = coalesce(nullif(excluded.relationship, ''), reporters.relationship),
			contact      = coalesce(nullif(excluded.contact, ''), reporters.contact),
			lang         = coalesce(nullif(excluded.lang, ''), reporters.lang),
			active       = true
		RETURNING id`,
		r.ReporterUserID, r.ReporterChatID, r.ReporterName, r.Relationship, r.ReporterPhone, r.Lang)
	return id, scrub(err)
}

var _ flows.Reporters = (*Reporters)(nil)

// Reporters gives the people who reported cases their own data: the list
// of their cases, and the erasure of their personal data.
type Reporters struct {
	db *sqlx.DB
}

// NewReporters returns the reporter store in db.
func NewReporters(db *sqlx.DB) *Reporters { return &Reporters{db: db} }

// Cases returns the cases the user reported, newest first, with their
// current status.
func (s *Reporters) Cases(ctx context.Context, userID int64) ([]flows.CaseStatus, error) {
	var out []flows.CaseStatus
	err := inTx(ctx, s.db, true, func(tx *sqlx.Tx) error {
		var err error
		out, err = statuses(ctx, tx, `r.telegram_user_id = $1`, userID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cases of user %d: %w", userID, err)
	}
	return out, nil
}

// Forget erases the user's personal data in one transaction: the
// reporter's name, relationship and contact, and in each case only they
// reported the detainee's names, birth date, countries, A-number, the free
// text answers (which may name anyone), the lawyer's name and contact, and
// the reporter's answers. It keeps what is not personal — the case code,
// dates, categories, the directory facility, the timeline — and the link
// from the user's chat to their cases, which tells them of changes.
//
// This is the one place that erases personal data: when the columns are
// encrypted, it stays the one place to change.
func (s *Reporters) Forget(ctx context.Context, userID int64) (flows.Erased, error) {
	var e flows.Erased
	err := inTx(ctx, s.db, false, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE reporters SET name = '', relationship = '', contact = ''
			WHERE telegram_user_id = $1 AND (name <> '' OR relationship <> '' OR contact <> '')`, userID)
		if err != nil {
			return scrub(err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return scrub(err)
		}
		e.Reporter = n > 0
		// A case has one reporter in this schema, so every case of the
		// user is theirs alone.
		res, err = tx.ExecContext(ctx, `
			UPDATE cases c SET
				name_latin = '', name_cyrillic = '', birth_date = NULL, birth_country = '',
				citizenship = '', a_number = NULL, circumstance_note = '', facility_text = '',
				lawyer_name = '', lawyer_phone = '', appeals = '',
				reporter_name = '', relationship = '', reporter_contact = ''
			FROM reporters r
			WHERE r.id = c.reporter_id AND r.telegram_user_id = $1
				AND (c.name_latin <> '' OR c.name_cyrillic <> '' OR c.birth_date IS NOT NULL
					OR c.birth_country <> '' OR c.citizenship <> '' OR c.a_number IS NOT NULL
					OR c.circumstance_note <> '' OR c.facility_text <> '' OR c.lawyer_name <> ''
					OR c.lawyer_phone <> '' OR c.appeals <> '' OR c.reporter_name <> ''
					OR c.relationship <> '' OR c.reporter_contact <> '')`, userID)
		if err != nil {
			return scrub(err)
		}
		n, err = res.RowsAffected()
		if err != nil {
			return scrub(err)
		}
		e.Cases = int(n)
		return nil
	})
	if err != nil {
		return flows.Erased{}, fmt.Errorf("forget user %d: %w", userID, err)
	}
	return e, nil
}
