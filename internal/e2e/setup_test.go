// Package e2e runs the whole bot, as the hotline binary does, against real
// Postgres and Redis and the fake Telegram of bot/telegramtest: end-to-end
// conversations, fault tests (SIGKILL, Redis and Postgres outages, several
// processes), the sandbox page in a browser, deployment files, and the
// benchmarks.
package e2e

import (
	"context"
	"io"
	"log/slog"
	"time"

	"hotline/internal/app"
	"hotline/internal/cli"
	hconfig "hotline/internal/config"
	"hotline/internal/pipeline"
)

// config is the bot's configuration plus the pipeline's adjustments tests
// make (faster leases, looser limits).
type config struct {
	hconfig.Config
	pipeline func(*pipeline.Options)
	handler  func(pipeline.Handler) pipeline.Handler // wraps the bot's handler
	now      func() time.Time                        // the flows' clock
}

type (
	need        = hconfig.Need
	configError = hconfig.Error
	server      = app.Server
)

// loadConfig reads the configuration as the binary does, but for the
// time zone: UTC unless the environment names one, so that a test's dates
// do not depend on the hour it runs at.
func loadConfig(getenv func(string) string, n need) (config, error) {
	c, err := hconfig.Load(getenv, n)
	if err == nil && getenv("HOTLINE_TIME_ZONE") == "" {
		c.Zone = time.UTC
	}
	return config{Config: c}, err
}

// serve runs the bot as `hotline` does, with the test's pipeline options.
func serve(ctx context.Context, cfg config, log *slog.Logger, started func(*server)) error {
	return app.Serve(ctx, cfg.Config, log, app.Hooks{Pipeline: cfg.pipeline, Started: started,
		Handler: cfg.handler, Now: cfg.now})
}

// newLogger is the binary's logger.
func newLogger(w io.Writer, level slog.Level) *slog.Logger { return app.NewLogger(w, level) }

// run runs one command of the binary.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	return cli.Run(ctx, args, getenv, stdout, stderr)
}

// root is the repository's root, from this package's folder (go test runs a
// package's tests in its folder).
const root = "../.."
