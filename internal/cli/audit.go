package cli

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"hotline/internal/config"
	"hotline/storage"
)

// auditCommand is `hotline audit verify`: it recomputes the audit log's
// hash chain and says whether every entry follows the one before it. An
// entry edited or deleted behind the triggers' back (by a superuser, or the
// tables' owner) breaks the chain from there on. The newest entries
// removed leave a shorter chain that still holds: compare the count and
// last hash printed with ones kept elsewhere (a log, a ticket).
func auditCommand(ctx context.Context, getenv func(string) string, args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || args[0] != "verify" {
		fmt.Fprint(stderr, "usage: hotline audit verify\n")
		return 2
	}
	// Verifying reads the log only: the bot's role is enough, no data key,
	// and nothing is migrated (the bot's role could not).
	cfg, err := config.Load(getenv, config.Need{Database: true})
	if err != nil {
		return fail(stderr, err)
	}
	db, err := storage.OpenPostgres(ctx, cfg.DatabaseURL)
	if err != nil {
		return fail(stderr, err)
	}
	defer db.Close()
	chain, err := storage.VerifyAudit(ctx, db)
	if errors.Is(err, storage.ErrAuditBroken) {
		fmt.Fprintf(stdout, "audit log: BROKEN at entry %d, after %d intact entries: an entry was edited or deleted\n",
			chain.BadID, chain.Entries)
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "hotline: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "audit log: %d entries, chain intact, last hash %s\n", chain.Entries, hex.EncodeToString(chain.Last))
	return 0
}
