package storage

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// Case statuses and event kinds as stored in case_events.
const (
	statusNew   = "new"
	eventStatus = "status"
	actorReport = "reporter"
)

// caseEvent is one entry of a case's timeline.
type caseEvent struct {
	CaseID int64
	Kind   string // status, note
	Status string
	Note   string
	Public bool // people with the case code may see it
	Actor  string
}

// addEvent appends an event to a case's timeline, its note sealed to the
// event's id.
func addEvent(ctx context.Context, tx *sqlx.Tx, keys *Keyring, e caseEvent) error {
	if e.Note == "" {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO case_events (case_id, kind, status, public, actor) VALUES ($1, $2, $3, $4, $5)`,
			e.CaseID, e.Kind, e.Status, e.Public, e.Actor)
		return scrub(err)
	}
	var id int64
	if err := tx.GetContext(ctx, &id, `SELECT nextval('case_events_id_seq')`); err != nil {
		return scrub(err)
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO case_events (id, case_id, kind, status, note, public, actor)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		id, e.CaseID, e.Kind, e.Status, keys.seal(noteField(id, e.CaseID, e.Public), e.Note), e.Public, e.Actor)
	return scrub(err)
}
