// Command hotline runs the Hotline Telegram bot and its maintenance commands.
//
//	hotline                 run the bot (long polling, or a webhook when WEBHOOK_URL is set)
//	hotline migrate         apply the database migrations and exit
//	hotline facilities import FILE.csv  refresh the facility directory
//	hotline health URL      exit 0 when URL answers 200 (for container health checks)
//	hotline sandbox         the bot against a fake Telegram, chatted with from a web page
//	hotline keys rotate|check  re-encrypt personal data under the current data key; list the keys in use
//	hotline purge [--dry-run]  erase the personal data of cases closed longer than HOTLINE_RETENTION
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"hotline/bot"
	"hotline/flows"
	"hotline/locales"
	"hotline/storage"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd := ""
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	fail := func(err error) int {
		var ce *configError
		if errors.As(err, &ce) {
			fmt.Fprintf(stderr, "hotline: config: %v\n", ce)
			return 2
		}
		fmt.Fprintf(stderr, "hotline: %v\n", err)
		return 1
	}
	switch cmd {
	case "", "serve":
		cfg, err := loadConfig(getenv, need{token: true, database: true, redis: true, keys: true})
		if err != nil {
			return fail(err)
		}
		if err := serve(ctx, cfg, newLogger(stderr, cfg.LogLevel), nil); err != nil {
			return fail(err)
		}
		return 0
	case "migrate":
		cfg, err := loadConfig(getenv, need{database: true, keys: true})
		if err != nil {
			return fail(err)
		}
		db, err := openDatabase(ctx, cfg)
		if err != nil {
			return fail(err)
		}
		db.Close()
		fmt.Fprintln(stdout, "migrations applied")
		return 0
	case "facilities":
		if len(args) != 2 || args[0] != "import" {
			fmt.Fprintln(stderr, "usage: hotline facilities import FILE.csv (- for standard input)")
			return 2
		}
		res, err := importFacilities(ctx, getenv, args[1], os.Stdin)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "facilities: %d added, %d updated, %d deactivated, %d unchanged\n",
			res.Added, res.Updated, res.Deactivated, res.Unchanged)
		return 0
	case "sandbox": // sandbox.go
		if err := sandboxCommand(ctx, getenv, stdout, stderr); err != nil {
			return fail(err)
		}
		return 0
	case "keys": // keys.go
		return keysCommand(ctx, getenv, args, stdout, stderr)
	case "volunteers": // handoff.go
		return volunteersCommand(ctx, getenv, args, stdout, stderr)
	case "purge": // purge.go
		return purgeCommand(ctx, getenv, args, stdout, stderr)
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
  hotline sandbox         the bot against a fake Telegram, with a web page to chat
                          as a relative, a volunteer and a friend (SANDBOX_ADDR)
`

// newLogger writes JSON log lines with personal data taken out (redact.go).
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(redacting(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})))
}

// started is told the pieces of a running bot; tests and the sandbox use it.
type started func(s *server)

// server is a running bot's parts.
type server struct {
	db       *sqlx.DB
	rdb      *redis.Client
	pipeline *bot.Pipeline
	registry *prometheus.Registry
	addr     string // where the HTTP server listens
}

// openDatabase connects to Postgres and brings its schema up to date. With
// the data key set, the migrations can also encrypt personal data written
// before encryption existed; without it they refuse to leave it in clear.
func openDatabase(ctx context.Context, cfg config) (*sqlx.DB, error) {
	var opts []storage.MigrateOption
	if len(cfg.DataKey) > 0 {
		keys, err := cfg.keyring()
		if err != nil {
			return nil, err
		}
		opts = append(opts, storage.WithKeys(keys))
	}
	db, err := storage.OpenPostgres(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := storage.Migrate(ctx, db, opts...); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// serve runs the bot until ctx is cancelled: it connects to Postgres and
// Redis, applies migrations, publishes the command menu, and runs the
// pipeline and the HTTP server (webhook, metrics, health).
func serve(ctx context.Context, cfg config, log *slog.Logger, onStart started) error {
	keys, err := cfg.keyring()
	if err != nil {
		return err
	}
	db, err := openDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	rdb, err := storage.OpenRedis(ctx, cfg.RedisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()

	api := bot.NewAPI(cfg.APIURL, cfg.Token, nil)
	var me struct {
		Username string `json:"username"`
	}
	if err := api.Do(ctx, "getMe", nil, &me); err != nil {
		return err // names the method already: "telegram getMe: …"
	}
	cat, err := locales.New()
	if err != nil {
		return err
	}
	if err := bot.SetCommands(ctx, api, cat); err != nil {
		return fmt.Errorf("telegram: %w", err)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	obs := newObserver(reg) // observe.go: updates by kind, reports filed, warnings and errors
	log = obs.logger(log)

	cases := storage.NewCases(db, keys)
	volunteers := storage.NewVolunteers(db)
	queue := storage.NewQueue(rdb, cfg.RedisPrefix)
	// A reply to a relayed message a week old is still threaded; older ones
	// go without the thread.
	threads := storage.NewThreads(rdb, cfg.RedisPrefix, 7*24*time.Hour)
	obs.watchQueue(queue)
	app := flows.New(flows.Config{BotUsername: me.Username, ResumeAfter: cfg.ResumeAfter, Admins: cfg.Admins,
		HandoffRemind: cfg.HandoffRemind, HandoffReturn: cfg.HandoffReturn, HandoffEscalate: cfg.HandoffEscalate}, flows.Deps{
		Sessions:   storage.NewSessions(rdb, cfg.RedisPrefix, cfg.SessionTTL).WithKeys(keys),
		Cases:      obs.cases(cases),
		Facilities: storage.NewFacilities(db),

		// Volunteer handoff (handoff.go).
		Volunteers: volunteers,
		Queue:      queue,
		Handoffs:   storage.NewHandoffs(db),
		CaseFiles:  cases,
		Threads:    threads,

		// Case status (flows/status.go).
		Timeline:      storage.NewTimeline(db, keys),
		Subscriptions: storage.NewSubscriptions(db),
		Reporters:     storage.NewReporters(db),
		Limiter:       storage.NewLimiter(rdb, cfg.RedisPrefix, cfg.Lookups),

		// Data protection (purge.go, redact.go).
		Audit: storage.NewAudit(db),
	})
	b := bot.New(app, cat, log, cfg.VolunteerGroups...)
	timers := &handoffTimers{app: app, bot: b, log: log}

	opts := bot.PipelineOptions{
		Prefix:     cfg.RedisPrefix,
		Partitions: cfg.Partitions,
		Limits:     cfg.SendLimits,
		Registry:   reg,
		Logger:     log,
	}
	if cfg.Webhook() {
		opts.Mode = bot.Webhook
		opts.WebhookURL = cfg.WebhookURL
		opts.WebhookSecret = cfg.WebhookSecret
	}
	opts.OnBlocked = timers.blocked
	opts.OnCopied = threads.Record
	if cfg.pipeline != nil {
		cfg.pipeline(&opts)
	}
	p := bot.NewPipeline(rdb, api, obs.handler(b.Handle), opts)
	timers.p = p

	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		rctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := db.PingContext(rctx); err != nil {
			http.Error(w, "postgres unreachable", http.StatusServiceUnavailable)
			return
		}
		if err := rdb.Ping(rctx).Err(); err != nil {
			http.Error(w, "redis unreachable", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	if cfg.Webhook() {
		mux.Handle(cfg.WebhookPath(), p.WebhookHandler())
	}
	srv, addr, err := listen(cfg.ListenAddr, mux)
	if err != nil {
		return err
	}
	log.Info("bot started", "username", me.Username, "webhook", cfg.Webhook(), "listen", addr)
	if onStart != nil {
		onStart(&server{db: db, rdb: rdb, pipeline: p, registry: reg, addr: addr})
	}

	timersDone := timers.run(ctx, cfg.HandoffTick)
	retention := &retentionJob{r: storage.NewRetention(db), keep: cfg.Retention, log: log, now: time.Now}
	purgeDone := retention.run(ctx, cfg.PurgeEvery)
	runErr := p.Run(ctx)
	<-timersDone
	<-purgeDone
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	log.Info("bot stopped")
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		return runErr
	}
	return nil
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
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "hotline: health: %s\n", resp.Status)
		return 1
	}
	return 0
}

// listen starts an HTTP server on addr (":0" picks a free port) and returns
// it with the address it listens on.
func listen(addr string, h http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return srv, ln.Addr().String(), nil
}
