package cli

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"hotline/bot"
	"hotline/flows"
	"hotline/internal/config"
	"hotline/storage"
)

// purgeCommand is `hotline purge [--dry-run]`: it erases the personal
// fields of the cases closed longer than HOTLINE_RETENTION, or with
// --dry-run lists them, codes and dates only.
func purgeCommand(ctx context.Context, getenv func(string) string, args []string, stdout, stderr io.Writer) int {
	const use = "usage: hotline purge [--dry-run]\n"
	dry := false
	switch {
	case len(args) == 0:
	case len(args) == 1 && (args[0] == "--dry-run" || args[0] == "-n"):
		dry = true
	default:
		fmt.Fprint(stderr, use)
		return 2
	}
	// The purge reads no personal data, so it needs no key — unless the
	// database still waits for migration 005 to encrypt it.
	cfg, db, code := open(ctx, getenv, config.Need{Database: true}, stderr)
	if db == nil {
		return code
	}
	defer db.Close()
	r := storage.NewRetention(db)
	cutoff := time.Now().Add(-cfg.Retention)
	var (
		cases []storage.Closed
		err   error
	)
	if dry {
		cases, err = r.Due(ctx, cutoff)
	} else {
		cases, err = r.Purge(ctx, cutoff, flows.ActorCLI)
	}
	if err != nil {
		fmt.Fprintf(stderr, "hotline: %v\n", err)
		return 1
	}
	what := "erased"
	if dry {
		what = "would be erased"
	}
	fmt.Fprintf(stdout, "cases closed before %s (retention %s): %d %s\n",
		cutoff.UTC().Format(time.DateOnly), retentionText(cfg.Retention), len(cases), what)
	if len(cases) == 0 {
		return 0
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "CASE\tSTATUS\tCLOSED")
	for _, c := range cases {
		fmt.Fprintf(w, "%s\t%s\t%s\n", flows.FormatCode(c.Code), c.Status, c.Since.UTC().Format(time.DateOnly))
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(stderr, "hotline: %v\n", err)
		return 1
	}
	if !dry && cfg.ForumChat != 0 {
		codes := make([]string, len(cases))
		for i, c := range cases {
			codes[i] = c.Code
		}
		inOutbox(ctx, cfg, bot.DeleteTopics(cfg.ForumChat, codes...), "their forum topics are being deleted by the bot",
			"their forum topics are not deleted", stdout, stderr)
	}
	return 0
}

// retentionText shows a retention period in days when it is whole days.
func retentionText(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
