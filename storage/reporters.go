package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hotline/flows"
)

// upsertReporter stores the reporter of r by Telegram user id and returns
// their id. A later report updates the chat and the contact; an answer left
// empty (NULL) keeps the one given before. The personal fields are sealed
// to the Telegram user id, which is known before the row is.
func upsertReporter(ctx context.Context, tx *sqlx.Tx, keys *Keyring, r *flows.Report) (int64, error) {
	seal := func(column, v string) []byte { return keys.seal(field{"reporters", column, r.ReporterUserID}, v) }
	var id int64
	err := tx.GetContext(ctx, &id, `
		INSERT INTO reporters (telegram_user_id, chat_id, name, relationship, contact, lang)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (telegram_user_id) DO UPDATE SET
			chat_id      = excluded.chat_id,
			name         = coalesce(excluded.name, reporters.name),
			relationship = coalesce(excluded.relationship, reporters.relationship),
			contact      = coalesce(excluded.contact, reporters.contact),
			lang         = coalesce(nullif(excluded.lang, ''), reporters.lang),
			active       = true
		RETURNING id`,
		r.ReporterUserID, r.ReporterChatID, seal("name", r.ReporterName), seal("relationship", r.Relationship),
		seal("contact", r.ReporterPhone), r.Lang)
	return id, scrub(err)
}

var _ flows.Reporters = (*Reporters)(nil)

// Reporters gives the people who reported cases their own data: the list
// of their cases, and the erasure of their personal data.
type Reporters struct {
	db   *sqlx.DB
	keys *Keyring
	// MayHaveCases's: the users who reported a case, the chats that
	// follow one.
	users, chats *recentIDs
}

// NewReporters returns the reporter store in db; keys open the internal
// notes that /forget reads to decide which to erase.
func NewReporters(db *sqlx.DB, keys *Keyring) *Reporters {
	return &Reporters{db: db, keys: keys,
		users: &recentIDs{query: `SELECT telegram_user_id FROM reporters WHERE telegram_user_id IS NOT NULL`},
		chats: &recentIDs{query: `SELECT DISTINCT chat_id FROM subscriptions`}}
}

// MayHaveCases reports whether the user may have reported a case, or the
// chat follow one, from their ids read at most 15 seconds ago
// (recentIDs).
func (s *Reporters) MayHaveCases(ctx context.Context, userID, chatID int64) (bool, error) {
	reported, err := s.users.has(ctx, s.db, userID)
	if reported {
		return true, err
	}
	follows, err2 := s.chats.has(ctx, s.db, chatID)
	return follows, errors.Join(err, err2)
}

// Cases returns the cases the user reported, newest first, with their
// current status: one statement, with no transaction around it (the
// greeting asks on every /start).
func (s *Reporters) Cases(ctx context.Context, userID int64) ([]flows.CaseStatus, error) {
	out, err := statuses(ctx, s.db, s.keys, `r.telegram_user_id = $1`, userID)
	if err != nil {
		return nil, fmt.Errorf("cases of user %d: %w", userID, err)
	}
	return out, nil
}

// Forget erases the user's personal data in one transaction, and every
// link between their Telegram account and their cases:
//
//   - the reporter's name, relationship and contact, and the personal
//     fields of each case only they reported (eraseCases), with the cases'
//     public notes and urgency marks;
//   - the internal notes volunteers wrote stay, being the hotline's record
//     of its work, except those that hold the reporter's personal data:
//     one that flows.PersonalData finds an A-number, a phone, an e-mail, a
//     birth date or one of the case's stored names or contacts in is
//     erased. Volunteers then read "erased at the reporter's request";
//   - the account's links: the reporter row loses the Telegram user and
//     chat ids, the handoffs of the user's chat lose the case, and the
//     chat's subscriptions to the cases go. The user is no longer told of
//     the cases' changes; /mycases shows none.
//
// It keeps what is not personal: the case code, dates, categories, the
// directory facility and the statuses. Each erased case is recorded in the
// audit log as a "forget" by ActorReporter, which names no account.
func (s *Reporters) Forget(ctx context.Context, userID int64) (flows.Erased, error) {
	var e flows.Erased
	err := inTx(ctx, s.db, false, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE reporters SET name = NULL, relationship = NULL, contact = NULL
			WHERE telegram_user_id = $1 AND num_nonnulls(name, relationship, contact) > 0`, userID)
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
		var ids []int64
		if err := tx.SelectContext(ctx, &ids, `
			SELECT c.id FROM cases c JOIN reporters r ON r.id = c.reporter_id
			WHERE r.telegram_user_id = $1 ORDER BY c.id`, userID); err != nil {
			return scrub(err)
		}
		notes, err := personalNotes(ctx, tx, s.keys, ids)
		if err != nil {
			return err
		}
		erased, err := eraseCases(ctx, tx, ids, flows.ActorReporter, flows.AuditForget, notes)
		e.Cases = len(erased)
		if err != nil {
			return err
		}
		if e.Checkins, err = forgetCheckins(ctx, tx, userID); err != nil {
			return err
		}
		return unlink(ctx, tx, userID, ids)
	})
	if err != nil {
		return flows.Erased{}, fmt.Errorf("forget user %d: %w", userID, err)
	}
	return e, nil
}

// unlink removes every link between a Telegram account and its cases.
func unlink(ctx context.Context, tx *sqlx.Tx, userID int64, ids []int64) error {
	var chats []int64
	if err := tx.SelectContext(ctx, &chats, `
		SELECT $1::bigint UNION SELECT chat_id FROM reporters WHERE telegram_user_id = $1`, userID); err != nil {
		return scrub(err)
	}
	for _, q := range []string{
		`DELETE FROM subscriptions WHERE case_id = ANY($1) AND chat_id = ANY($2)`,
		`UPDATE handoffs SET case_id = NULL WHERE case_id = ANY($1) AND chat_id = ANY($2)`,
	} {
		if _, err := tx.ExecContext(ctx, q, pq.Array(ids), pq.Array(chats)); err != nil {
			return scrub(err)
		}
	}
	_, err := tx.ExecContext(ctx, `
		UPDATE reporters SET telegram_user_id = NULL, chat_id = 0, active = false,
			name = NULL, relationship = NULL, contact = NULL
		WHERE telegram_user_id = $1`, userID)
	return scrub(err)
}

// personalNotes returns the ids of the internal notes of the cases that
// hold personal data of their case, by flows.PersonalData: an A-number, a
// phone, an e-mail, a birth date, or one of the case's names or contacts.
func personalNotes(ctx context.Context, tx *sqlx.Tx, keys *Keyring, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if keys == nil {
		return nil, ErrNoKeys
	}
	cols := []string{"name_latin", "name_cyrillic", "reporter_name", "reporter_contact", "lawyer_name", "lawyer_phone"}
	values := map[int64][]string{}
	rows, err := tx.QueryxContext(ctx, `SELECT id, `+strings.Join(cols, ", ")+` FROM cases WHERE id = ANY($1)`, pq.Array(ids))
	if err != nil {
		return nil, scrub(err)
	}
	for rows.Next() {
		var id int64
		raw := make([][]byte, len(cols))
		dst := []any{&id}
		for i := range raw {
			dst = append(dst, &raw[i])
		}
		if err := rows.Scan(dst...); err != nil {
			rows.Close()
			return nil, scrub(err)
		}
		for i, c := range cols {
			v, err := keys.open(field{"cases", c, id}, raw[i])
			if err != nil {
				rows.Close()
				return nil, err
			}
			values[id] = append(values[id], v)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, scrub(err)
	}
	var notes []eventRow
	if err := tx.SelectContext(ctx, &notes, `SELECT `+eventColumns+` FROM case_events
		WHERE case_id = ANY($1) AND NOT public AND note IS NOT NULL ORDER BY id`, pq.Array(ids)); err != nil {
		return nil, scrub(err)
	}
	var out []int64
	now := time.Now()
	for _, r := range notes {
		e, err := r.event(keys)
		if err != nil {
			return nil, err
		}
		if len(flows.PersonalData(e.Note, now, values[r.CaseID]...)) > 0 {
			out = append(out, r.ID)
		}
	}
	return out, nil
}

// eraseCases erases the personal fields of the cases with these ids that
// still hold them: the detainee's names, birth date, countries, A-number,
// the free-text answers (which may name anyone), the lawyer's name and
// contact, the reporter's answers, the urgency marks (a "medical" mark is
// health data) and the text of the public notes, which everyone with the
// code read (the statuses stay). Internal notes go as action says: the
// purge erases them all; /forget only the ones listed in internal (see
// Forget). The reporter's own name and contact go too once none of their
// cases holds personal data. Each erased case gets an audit entry by
// actor with action, in the caller's transaction; it returns the ids it
// erased, in order.
//
// /forget and the retention purge both erase through this function: it is
// the one place that knows which columns hold personal data, and the one
// to change when they change.
func eraseCases(ctx context.Context, tx *sqlx.Tx, ids []int64, actor, action string, internal []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var erased []int64
	err := tx.SelectContext(ctx, &erased, `
		UPDATE cases SET
			name_latin = NULL, name_cyrillic = NULL, birth_date = NULL, birth_country = NULL,
			citizenship = NULL, a_number = NULL, a_number_index = NULL, circumstance_note = NULL,
			facility_text = NULL, moved_facility_text = NULL, lawyer_name = NULL, lawyer_phone = NULL, appeals = NULL,
			reporter_name = NULL, relationship = NULL, reporter_contact = NULL, urgent = '{}', facts = NULL,
			erased_at = now()
		WHERE id = ANY($1) AND erased_at IS NULL
		RETURNING id`, pq.Array(ids))
	if err != nil {
		return nil, scrub(err)
	}
	if len(erased) == 0 {
		return nil, nil
	}
	slices.Sort(erased)
	if err := eraseTools(ctx, tx, erased); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE case_events SET note = NULL, note_erased = $2
		WHERE case_id = ANY($1) AND note IS NOT NULL AND (public OR $3 OR id = ANY($4))`,
		pq.Array(erased), action, action == flows.AuditPurge, pq.Array(internal)); err != nil {
		return nil, scrub(err)
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE reporters r SET name = NULL, relationship = NULL, contact = NULL
		WHERE r.id IN (SELECT reporter_id FROM cases WHERE id = ANY($1))
			AND num_nonnulls(r.name, r.relationship, r.contact) > 0
			AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.reporter_id = r.id AND c.erased_at IS NULL)`,
		pq.Array(erased)); err != nil {
		return nil, scrub(err)
	}
	for _, id := range erased {
		if err := recordAudit(ctx, tx, flows.AuditEntry{Actor: actor, Action: action, CaseID: id}); err != nil {
			return nil, err
		}
	}
	return erased, nil
}
