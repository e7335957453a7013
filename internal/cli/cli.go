// Package cli runs the hotline binary's commands: the bot itself and the
// maintenance subcommands, one file each.
package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"hotline/internal/app"
	"hotline/internal/config"
	"hotline/internal/sandbox"
)

// Run executes one command and returns the process exit code.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd := ""
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "", "serve":
		cfg, err := config.Load(getenv, config.Need{Token: true, Database: true, Redis: true, Keys: true})
		if err != nil {
			return fail(stderr, err)
		}
		if err := app.Serve(ctx, cfg, app.NewLogger(stderr, cfg.LogLevel), app.Hooks{}); err != nil {
			return fail(stderr, err)
		}
		return 0
	case "migrate":
		_, db, code := open(ctx, getenv, config.Need{Database: true, Keys: true}, stderr)
		if db == nil {
			return code
		}
		db.Close()
		fmt.Fprintln(stdout, "migrations applied")
		return 0
	case "facilities":
		return facilitiesCommand(ctx, getenv, args, os.Stdin, stdout, stderr)
	case "sandbox":
		if err := sandbox.Command(ctx, getenv, stdout, stderr); err != nil {
			return fail(stderr, err)
		}
		return 0
	case "keys":
		return keysCommand(ctx, getenv, args, stdout, stderr)
	case "volunteers":
		return volunteersCommand(ctx, getenv, args, stdout, stderr)
	case "purge":
		return purgeCommand(ctx, getenv, args, stdout, stderr)
	case "audit":
		return auditCommand(ctx, getenv, args, stdout, stderr)
	case "deadletters":
		return deadLettersCommand(ctx, getenv, args, stdout, stderr)
	case "health":
		if len(args) != 1 {
			fmt.Fprintln(stderr, "usage: hotline health URL")
			return 2
		}
		return health(ctx, args[0], stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "hotline: unknown command %q\n%s", cmd, usage)
		return 2
	}
}

const usage = `usage:
  hotline                 run the bot
  hotline migrate         apply the database migrations and exit
  hotline facilities import FILE.csv
                          refresh the facility directory from a CSV file (- reads standard input)
  hotline health URL      exit 0 when URL answers 200
  hotline volunteers add ID [volunteer|coordinator|admin] | list | remove ID
                          manage the hotline's members
  hotline purge [--dry-run]
                          erase the personal data of cases closed longer than
                          HOTLINE_RETENTION (--dry-run: list them, codes and dates only)
  hotline keys rotate     re-encrypt the personal data under HOTLINE_DATA_KEY, reading
                          the old values with HOTLINE_DATA_KEYS_OLD
  hotline keys check      count the stored values under each data key
  hotline audit verify    check the audit log's hash chain: no entry edited or deleted
  hotline deadletters list | show ID
                          the updates that failed too often: list them (no content), or
                          open one with the data key and print what the bot stored of it
  hotline sandbox         the bot against a fake Telegram, with a web page to chat
                          as a relative, a volunteer and a friend (SANDBOX_ADDR)
`

// fail prints err as the one line the command ends with and returns the
// exit code: 2 for a configuration error, 1 for anything else.
func fail(stderr io.Writer, err error) int {
	var ce *config.Error
	if errors.As(err, &ce) {
		fmt.Fprintf(stderr, "hotline: config: %v\n", ce)
		return 2
	}
	fmt.Fprintf(stderr, "hotline: %v\n", err)
	return 1
}

// open is every maintenance command's start: it reads the settings the
// command needs and opens the database, migrated. On failure it has printed
// why, db is nil and code is the exit code.
func open(ctx context.Context, getenv func(string) string, n config.Need, stderr io.Writer) (cfg config.Config, db *sqlx.DB, code int) {
	cfg, err := config.Load(getenv, n)
	if err != nil {
		return cfg, nil, fail(stderr, err)
	}
	if db, err = app.OpenDatabase(ctx, cfg); err != nil {
		return cfg, nil, fail(stderr, err)
	}
	return cfg, db, 0
}

// health asks url and reports whether it answered 200.
func health(ctx context.Context, url string, stderr io.Writer) int {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintf(stderr, "hotline: health: %v\n", err)
		return 2
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "hotline: health: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// The first line of the answer says what is not ready ("redis
		// unreachable"): the container's health log shows why, not only
		// that.
		why, _ := bufio.NewReader(io.LimitReader(resp.Body, 200)).ReadString('\n')
		if why = strings.TrimSpace(why); why != "" {
			fmt.Fprintf(stderr, "hotline: health: %s: %s\n", resp.Status, why)
		} else {
			fmt.Fprintf(stderr, "hotline: health: %s\n", resp.Status)
		}
		return 1
	}
	return 0
}
