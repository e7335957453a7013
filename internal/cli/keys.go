package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/jmoiron/sqlx"

	"hotline/internal/config"
	"hotline/storage"
)

const keysUsage = `usage: hotline keys rotate | check
  rotate  re-encrypt every personal value under HOTLINE_DATA_KEY, reading the
          values still under an old key with HOTLINE_DATA_KEYS_OLD
  check   count the stored values under each key; exit 1 while any is not
          under HOTLINE_DATA_KEY
`

// keysCommand is `hotline keys rotate|check`: the data-key rotation of
// docs/operations.md.
func keysCommand(ctx context.Context, getenv func(string) string, args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || (args[0] != "rotate" && args[0] != "check") {
		fmt.Fprint(stderr, keysUsage)
		return 2
	}
	cfg, db, code := open(ctx, getenv, config.Need{Database: true, Keys: true}, stderr)
	if db == nil {
		return code
	}
	keys, err := cfg.Keyring()
	if err != nil {
		db.Close()
		return fail(stderr, err)
	}
	defer db.Close()

	if args[0] == "rotate" {
		fmt.Fprintf(stdout, "re-encrypting under key %s\n", keys.Current())
		done, err := storage.RotateKeys(ctx, db, keys, 0, func(r storage.Rotated) {
			fmt.Fprintf(stdout, "  %s: %d rows so far\n", r.Table, r.Rows)
		})
		for _, r := range done {
			fmt.Fprintf(stdout, "%s: %d rows re-encrypted\n", r.Table, r.Rows)
		}
		if err != nil {
			fmt.Fprintf(stderr, "hotline: %v\n", err)
			if errors.Is(err, storage.ErrUnknownKey) {
				fmt.Fprintln(stderr, "hotline: add the key with that id to HOTLINE_DATA_KEYS_OLD and run again; what is done stays done")
			} else {
				fmt.Fprintln(stderr, "hotline: run it again to go on; what is done stays done")
			}
			return 1
		}
	}
	return checkKeys(ctx, db, keys, stdout, stderr)
}

// checkKeys prints how many stored values are under each key and whether
// the keys other than the current one can be removed.
func checkKeys(ctx context.Context, db *sqlx.DB, keys *storage.Keyring, stdout, stderr io.Writer) int {
	use, err := storage.KeyUsage(ctx, db)
	if err != nil {
		fmt.Fprintf(stderr, "hotline: %v\n", err)
		return 1
	}
	ids := keys.IDs()
	left := 0
	for _, u := range use {
		role := "old, in HOTLINE_DATA_KEYS_OLD"
		switch {
		case u.KeyID == keys.Current():
			role = "current"
		case !slices.Contains(ids, u.KeyID):
			role = "unknown: not configured"
		}
		if u.KeyID != keys.Current() {
			left += u.Values
		}
		fmt.Fprintf(stdout, "key %s: %d values (%s)\n", u.KeyID, u.Values, role)
	}
	if left > 0 {
		fmt.Fprintf(stdout, "%d values are not under the current key %s: keep the old keys and run hotline keys rotate\n", left, keys.Current())
		return 1
	}
	fmt.Fprintf(stdout, "every value is under the current key %s: the old keys can be removed from HOTLINE_DATA_KEYS_OLD\n", keys.Current())
	return 0
}
