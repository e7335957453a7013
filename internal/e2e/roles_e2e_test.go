package e2e

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

	"hotline/storage"
	"hotline/storage/storagetest"
)

// TestTwoRolesEndToEnd: with DATABASE_OWNER_URL the owner migrates and the
// bot runs as a role that may only add to and read the audit log. The bot
// works as usual — a report, a volunteer's /find, both audited — but its
// role cannot erase the trail, and `hotline audit verify` finds the chain
// intact.
func TestTwoRolesEndToEnd(t *testing.T) {
	parallel(t)
	ctx := context.Background()
	admin, err := storage.OpenPostgres(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Skip("no Postgres") // storagetest below fails under CI
	}
	defer admin.Close()
	role := storagetest.Name("bot_")
	if _, err := admin.Exec(`CREATE ROLE ` + role + ` LOGIN PASSWORD 'bot-password'`); err != nil {
		t.Fatal(err)
	}
	var botURL string
	h := newStatusHarness(t, withConfig(func(c *config) {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil {
			t.Fatal(err)
		}
		c.DatabaseOwnerURL = c.DatabaseURL
		u.User = url.UserPassword(role, "bot-password")
		c.DatabaseURL, botURL = u.String(), u.String()
	}))
	t.Cleanup(func() {
		_, _ = h.db.Exec(`DROP OWNED BY ` + role)
		_, _ = admin.Exec(`DROP ROLE ` + role)
	})

	reporter := h.tg.User(6000041, "ru")
	code := fileReport(t, h, reporter)
	vol := h.tg.User(statusVolunteer, "en")
	vol.Send("/find " + code)
	nextReply(t, vol)
	var n int
	if err := h.db.Get(&n, `SELECT count(*) FROM audit_log WHERE action IN ('search', 'find')`); err != nil || n != 2 {
		t.Errorf("audit entries of the /find: %d, %v; want the search and the card", n, err)
	}

	bot, err := storage.OpenPostgres(ctx, botURL)
	if err != nil {
		t.Fatal(err)
	}
	defer bot.Close()
	for _, q := range []string{`DELETE FROM audit_log`, `TRUNCATE audit_log`, `ALTER TABLE audit_log DISABLE TRIGGER ALL`} {
		if _, err := bot.Exec(q); err == nil {
			t.Errorf("the bot's role may %s", q)
		}
	}

	env := map[string]string{"DATABASE_URL": botURL}
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"audit", "verify"}, getenvFrom(env), &out, &errb); code != 0 || !strings.Contains(out.String(), "chain intact") {
		t.Errorf("hotline audit verify: exit %d, %q %q", code, out.String(), errb.String())
	}
	// An owner who deletes an entry behind the triggers' back is found out.
	for _, q := range []string{`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change`,
		`DELETE FROM audit_log WHERE id = (SELECT min(id) FROM audit_log)`,
		`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change`} {
		if _, err := h.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	out.Reset()
	if code := run(ctx, []string{"audit", "verify"}, getenvFrom(env), &out, &errb); code != 1 || !strings.Contains(out.String(), "BROKEN") {
		t.Errorf("hotline audit verify after a deletion: exit %d, %q", code, out.String())
	}
}
