package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"hotline/flows"
	"hotline/storage"
)

// Retention (issue 5): the personal fields of a case closed longer than
// HOTLINE_RETENTION are erased, by the bot every HOTLINE_PURGE_EVERY and by
// `hotline purge`. Every replica runs the job; a Postgres advisory lock
// lets one purge at a time, and what it erases is erased once.

// retentionJob purges what is past retention.
type retentionJob struct {
	r    *storage.Retention
	keep time.Duration
	log  *slog.Logger
	now  func() time.Time
}

// once purges what is due now; another replica purging is no error.
func (j *retentionJob) once(ctx context.Context) {
	erased, err := j.r.Purge(ctx, j.now().Add(-j.keep), flows.ActorSystem)
	switch {
	case errors.Is(err, storage.ErrPurging):
		j.log.Debug("retention purge skipped: another replica is purging")
	case err != nil:
		if ctx.Err() == nil {
			j.log.Warn("retention purge", "err", err)
		}
	case len(erased) > 0:
		j.log.Info("retention purge", "cases", len(erased))
	}
}

// run purges at once, then every `every`, until ctx is done; the channel is
// closed when it has stopped.
func (j *retentionJob) run(ctx context.Context, every time.Duration) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			j.once(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return done
}

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
	cfg, err := loadConfig(getenv, need{database: true})
	if err != nil {
		fmt.Fprintf(stderr, "hotline: config: %v\n", err)
		return 2
	}
	// The purge reads no personal data, so it needs no key — unless the
	// database still waits for migration 005 to encrypt it.
	db, err := openDatabase(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "hotline: %v\n", err)
		return 1
	}
	defer db.Close()
	r := storage.NewRetention(db)
	cutoff := time.Now().Add(-cfg.Retention)
	var cases []storage.Closed
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
	return 0
}

// retentionText shows a retention period in days when it is whole days.
func retentionText(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
