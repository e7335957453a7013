package storage

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// GrantBot gives the bot's role what it needs, and no more, on a database
// whose tables belong to another role (the owner, who runs Migrate): every
// table to read and write, except the audit log, which it may only read
// and add to, and schema_migrations, which it may only read. A role that
// does not own the audit log cannot disable its triggers or drop it, so
// the bot cannot erase its own trail. Run it as the owner after Migrate:
// GRANT ON ALL TABLES covers the tables that exist.
func GrantBot(ctx context.Context, owner *sqlx.DB, role string) error {
	r := pq.QuoteIdentifier(role)
	for _, q := range []string{
		`GRANT USAGE ON SCHEMA public TO ` + r,
		`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ` + r,
		`REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log FROM ` + r,
		`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM ` + r,
		`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ` + r,
	} {
		if _, err := owner.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("grant the bot's role: %w", scrub(err))
		}
	}
	return nil
}
