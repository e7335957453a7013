package storage

import (
	"context"

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
