package storage_test

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/jmoiron/sqlx"

	"hotline/flows"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// botRole makes a login role for the bot, grants it what GrantBot gives
// on the test's database, and returns the database as that role sees it.
func botRole(t *testing.T, ownerURL string, owner *sqlx.DB) *sqlx.DB {
	t.Helper()
	ctx := context.Background()
	name := storagetest.Name("bot_")
	if _, err := owner.Exec(`CREATE ROLE ` + name + ` LOGIN PASSWORD 'bot'`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = owner.Exec(`DROP OWNED BY ` + name)
		_, _ = owner.Exec(`DROP ROLE ` + name)
	})
	if err := storage.GrantBot(ctx, owner, name); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(name, "bot")
	db, err := storage.OpenPostgres(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestBotRoleCannotEraseAudit: the bot's role adds to and reads the audit
// log, and works on the other tables, but cannot delete, change, empty or
// unprotect the log.
func TestBotRoleCannotEraseAudit(t *testing.T) {
	ctx := context.Background()
	ownerURL := storagetest.PostgresURL(t)
	owner, err := storage.OpenPostgres(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	bot := botRole(t, ownerURL, owner)
	// The bot starts with Migrate: on an up-to-date schema its role,
	// which may create nothing, gets through.
	if err := storage.Migrate(ctx, bot, storage.MigrateOptions{}); err != nil {
		t.Fatalf("Migrate as the bot on an up-to-date schema: %v", err)
	}

	audit := storage.NewAudit(bot)
	if err := audit.Record(ctx, flows.AuditEntry{Actor: "tg:1", Action: flows.AuditView, CaseID: 1}); err != nil {
		t.Fatalf("the bot cannot add to the audit log: %v", err)
	}
	if _, _, err := audit.ForCase(ctx, 1, 0, 10); err != nil {
		t.Fatalf("the bot cannot read the audit log: %v", err)
	}
	if err := storage.NewVolunteers(bot).Add(ctx, 5, flows.RoleVolunteer, 0); err != nil {
		t.Fatalf("the bot cannot write its other tables: %v", err)
	}
	for _, q := range []string{
		`DELETE FROM audit_log`,
		`UPDATE audit_log SET detail = 'x'`,
		`TRUNCATE audit_log`,
		`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change`,
		`DROP TRIGGER audit_log_no_change ON audit_log`,
		`ALTER TABLE audit_log DISABLE TRIGGER ALL`,
		`DROP TABLE audit_log`,
		`DELETE FROM schema_migrations`,
	} {
		if _, err := bot.Exec(q); err == nil {
			t.Errorf("the bot's role may %s", q)
		}
	}
	if c, err := storage.VerifyAudit(ctx, bot); err != nil || c.Entries != 1 {
		t.Errorf("VerifyAudit as the bot = %+v, %v; want one entry, intact", c, err)
	}
}

// TestAuditChain: the chain holds as entries are added; an entry edited or
// deleted behind the triggers' back is found.
func TestAuditChain(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name   string
		tamper string
		bad    int // the entry, 1-based, where the chain breaks
	}{
		{"intact", "", 0},
		{"an entry edited", `UPDATE audit_log SET detail = 'member' WHERE id = (SELECT id FROM audit_log ORDER BY id OFFSET 2 LIMIT 1)`, 3},
		{"an entry deleted", `DELETE FROM audit_log WHERE id = (SELECT id FROM audit_log ORDER BY id OFFSET 1 LIMIT 1)`, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := storagetest.Postgres(t)
			audit := storage.NewAudit(db)
			for i := range 5 {
				if err := audit.Record(ctx, flows.AuditEntry{Actor: "tg:7", Action: flows.AuditView, CaseID: int64(i + 1), Detail: "Ünïcode ✓"}); err != nil {
					t.Fatal(err)
				}
			}
			var ids []int64
			if err := db.Select(&ids, `SELECT id FROM audit_log ORDER BY id`); err != nil {
				t.Fatal(err)
			}
			if tt.tamper != "" {
				// What the triggers stop the bot from doing, a superuser
				// or the table's owner can do with them disabled.
				for _, q := range []string{`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change`, tt.tamper,
					`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change`} {
					if _, err := db.Exec(q); err != nil {
						t.Fatal(err)
					}
				}
			}
			c, err := storage.VerifyAudit(ctx, db)
			switch {
			case tt.bad == 0 && (err != nil || c.Entries != 5 || len(c.Last) != 32):
				t.Errorf("VerifyAudit = %+v, %v; want 5 entries, intact", c, err)
			case tt.bad > 0 && (!errors.Is(err, storage.ErrAuditBroken) || c.BadID != ids[tt.bad-1]):
				t.Errorf("VerifyAudit = %+v, %v; want broken at entry %d", c, err, ids[tt.bad-1])
			}
		})
	}
}
