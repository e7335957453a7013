// Package app wires the bot: it connects to Postgres and Redis, builds the
// stores, the flows, the Telegram adapter and the pipeline, and runs them
// with the HTTP server (webhook, metrics, health) until it is stopped.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"
	// Field offices keep their IANA time zones; containers without
	// /usr/share/zoneinfo still know them.
	_ "time/tzdata"

	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"hotline/bot"
	"hotline/flows"
	"hotline/internal/config"
	"hotline/internal/pipeline"
	"hotline/internal/redact"
	"hotline/locales"
	"hotline/storage"
)

// NewLogger writes JSON log lines with personal data taken out.
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(redact.Handler(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})))
}

// OpenDatabase connects to Postgres and brings its schema up to date: as
// the owner role, granting the bot's role its share, when
// DATABASE_OWNER_URL is set; else as DATABASE_URL's one role. With
// the data key set, the migrations can also encrypt personal data written
// before encryption existed; without it they refuse to leave it in clear.
func OpenDatabase(ctx context.Context, cfg config.Config) (*sqlx.DB, error) {
	var keys *storage.Keyring
	if len(cfg.DataKey) > 0 {
		k, err := cfg.Keyring()
		if err != nil {
			return nil, err
		}
		keys = k
	}
	if cfg.DatabaseOwnerURL != "" {
		// Two roles: the owner migrates and grants; the bot's role runs.
		owner, err := storage.OpenPostgres(ctx, cfg.DatabaseOwnerURL)
		if err != nil {
			return nil, fmt.Errorf("owner: %w", err)
		}
		err = storage.Migrate(ctx, owner, storage.MigrateOptions{Keys: keys})
		if err == nil {
			err = storage.GrantBot(ctx, owner, cfg.BotRole())
		}
		owner.Close()
		if err != nil {
			return nil, err
		}
		return storage.OpenPostgres(ctx, cfg.DatabaseURL)
	}
	db, err := storage.OpenPostgres(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := storage.Migrate(ctx, db, storage.MigrateOptions{Keys: keys}); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Server is a running bot's parts, for tests and the sandbox.
type Server struct {
	DB       *sqlx.DB
	Redis    redis.UniversalClient
	Pipeline *pipeline.Pipeline
	Registry *prometheus.Registry
	Addr     string // where the HTTP server listens
}

// Hooks let tests and the sandbox adjust a bot that Serve runs. The zero
// value runs the bot as `hotline` does.
type Hooks struct {
	// Pipeline adjusts the pipeline's options (faster leases, looser limits).
	Pipeline func(*pipeline.Options)
	// Started is told the running bot's parts once it serves.
	Started func(*Server)
	// Now, when set, is the flows' clock (tests of dates and reminders).
	Now func() time.Time
	// Handler, when set, wraps the pipeline's handler (tests that stop the
	// bot between handling an update and committing it).
	Handler func(pipeline.Handler) pipeline.Handler
}

// Serve runs the bot until ctx is cancelled: it connects to Postgres and
// Redis, applies migrations, publishes the command menu, and runs the
// pipeline and the HTTP server (webhook, metrics, health).
func Serve(ctx context.Context, cfg config.Config, log *slog.Logger, hooks Hooks) error {
	keys, err := cfg.Keyring()
	if err != nil {
		return err
	}
	db, err := OpenDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	rdb, err := storage.OpenRedis(ctx, cfg.RedisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()

	api := pipeline.NewAPI(cfg.APIURL, cfg.Token, nil)
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
	obs := newObserver(reg) // updates by kind, reports filed, warnings and errors
	log = obs.logger(log)

	cases := storage.NewCases(db, keys)
	volunteers := storage.NewVolunteers(db)
	queue := storage.NewQueue(rdb, cfg.RedisPrefix)
	tools := storage.NewCaseTools(db, keys)
	// A reply to a relayed message a week old is still threaded; older ones
	// go without the thread.
	threads := storage.NewThreads(rdb, cfg.RedisPrefix, 7*24*time.Hour)
	obs.watchQueue(queue)
	offices, err := storage.NewOffices(db)
	if err != nil {
		return err
	}
	aof := newAOFRewriter(rdb, log)
	forum := storage.NewForum(db, cfg.ForumChat)
	app, err := flows.New(flows.Config{BotUsername: me.Username, ResumeAfter: cfg.ResumeAfter, DraftRemind: cfg.DraftRemind, Admins: cfg.Admins,
		HandoffRemind: cfg.HandoffRemind, HandoffReturn: cfg.HandoffReturn, HandoffEscalate: cfg.HandoffEscalate,
		CaseEscalate: cfg.CaseEscalate, CaseEscalateUrgent: cfg.CaseEscalateUrgent, CaseQuiet: cfg.CaseQuiet,
		InfoPages: cat.InfoPages(), InfoWords: cat.InfoWords(), Phone: cfg.Phone, Hours: cfg.Hours, CheckinGrace: cfg.CheckinGrace,
		ForumChat: cfg.ForumChat, ForumLang: cfg.ForumLang, Zone: cfg.Zone}, flows.Deps{
		Sessions:   storage.NewSessions(rdb, cfg.RedisPrefix, cfg.SessionTTL).WithKeys(keys).WithTag(pipeline.TagOf(cfg.Partitions)),
		Drafts:     storage.NewDrafts(rdb, cfg.RedisPrefix),
		Cases:      obs.cases(cases),
		Facilities: storage.NewFacilities(db),
		Now:        hooks.Now,

		HandoffDeps: flows.HandoffDeps{
			Volunteers: volunteers,
			Queue:      queue,
			Handoffs:   storage.NewHandoffs(db),
			CaseFiles:  cases,
			Threads:    threads,
		},
		StatusDeps: flows.StatusDeps{
			Timeline:      storage.NewTimeline(db, keys),
			Subscriptions: storage.NewSubscriptions(db),
			Reporters:     forgetting{storage.NewReporters(db, keys), aof},
			Limiter:       storage.NewLimiter(rdb, cfg.RedisPrefix, cfg.Lookups),
			FindLimiter:   storage.NewLimiter(rdb, cfg.RedisPrefix+"find:", cfg.Finds),
		},
		// A card older than a month is not redrawn.
		CaseworkDeps: flows.CaseworkDeps{Casework: storage.NewCasework(db, keys), Cards: storage.NewCards(rdb, cfg.RedisPrefix, 30*24*time.Hour)},
		ToolsDeps: flows.ToolsDeps{
			Duplicates:  tools,
			Transcripts: tools,
			Outreach:    queue,
			CaseTools:   tools,
		},
		CheckinDeps: flows.CheckinDeps{
			Offices:  offices,
			Checkins: storage.NewCheckins(db, keys),
		},
		ForumDeps: flows.ForumDeps{Forum: forum},
		Audit:     storage.NewAudit(db),
		Labels:    cat,
	})
	if err != nil {
		return err
	}
	groups := cfg.VolunteerGroups
	if cfg.ForumChat != 0 {
		groups = append(groups, cfg.ForumChat)
	}
	b := bot.New(app, cat, log, groups...)
	timers := &handoffTimers{app: app, bot: b, log: log}

	opts := pipeline.Options{
		Prefix:        cfg.RedisPrefix,
		Partitions:    cfg.Partitions,
		DeadLetterTTL: cfg.DeadLetterTTL,
		Limits:        cfg.SendLimits,
		Registry:      reg,
		Logger:        log,
		Strip:         bot.Strip, // only what the bot reads of an update is stored
	}
	if keys != nil {
		opts.Sealer = keys // updates and replies are sealed in Redis
	}
	if cfg.Webhook() {
		opts.Mode = pipeline.Webhook
		opts.WebhookURL = cfg.WebhookURL
		opts.WebhookSecret = cfg.WebhookSecret
	}
	opts.OnBlocked = timers.blocked
	opts.OnCopied = threads.Record
	opts.OnSent = func(ctx context.Context, chatID int64, messageID int, tags []string) error {
		rs, err := app.Sent(ctx, chatID, messageID, tags)
		if len(rs) > 0 {
			err = errors.Join(err, timers.p.Send(ctx, Calls(b.Calls(rs))...))
		}
		return err
	}
	var desk *forumDesk
	if cfg.ForumChat != 0 {
		desk = &forumDesk{chat: cfg.ForumChat, store: forum, api: api, log: log, flows: app}
		opts.Preparer = desk
	}
	if hooks.Pipeline != nil {
		hooks.Pipeline(&opts)
	}
	handler := obs.handler(Handler(b))
	if hooks.Handler != nil {
		handler = hooks.Handler(handler)
	}
	p := pipeline.New(rdb, api, handler, opts)
	timers.p = p
	var forumProblems []string
	if desk != nil {
		desk.send = func(ctx context.Context, rs []flows.Reply) error { return p.Send(ctx, Calls(b.Calls(rs))...) }
		desk.stay = b.Stay
		forumProblems = desk.check(ctx, cat)
	}

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
		for _, problem := range forumProblems {
			fmt.Fprintln(w, "forum group (HOTLINE_FORUM_CHAT): "+problem)
		}
		if nobody, err := app.NobodyGetsCases(rctx); err == nil && nobody {
			fmt.Fprintln(w, nobodyGetsCasesLine)
		}
	})
	if cfg.Webhook() {
		mux.Handle(cfg.WebhookPath(), p.WebhookHandler())
	}
	srv, addr, err := listen(cfg.ListenAddr, mux)
	if err != nil {
		return err
	}
	log.Info("bot started", "username", me.Username, "webhook", cfg.Webhook(), "listen", addr)
	if nobody, err := app.NobodyGetsCases(ctx); err == nil && nobody {
		log.Warn(nobodyGetsCasesLine)
	}
	if hooks.Started != nil {
		hooks.Started(&Server{DB: db, Redis: rdb, Pipeline: p, Registry: reg, Addr: addr})
	}

	timersDone := timers.run(ctx, cfg.HandoffTick)
	retention := &retentionJob{r: storage.NewRetention(db), keep: cfg.Retention, log: log, now: time.Now, erased: aof.request}
	if desk != nil {
		retention.forum = func(ctx context.Context, codes []string) {
			if err := desk.send(ctx, app.ForumErased(codes...)); err != nil {
				log.Warn("forum: queue the deletion of erased cases' topics", "err", err)
			}
		}
		retention.leftovers = forum.ErasedTopics
	}
	purgeDone := retention.run(ctx, cfg.PurgeEvery)
	aofDone := aof.run(ctx, cfg.AOFRewrite)
	runErr := p.Run(ctx)
	<-timersDone
	<-purgeDone
	<-aofDone
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	log.Info("bot stopped")
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		return runErr
	}
	return nil
}

// Handler makes the bot the pipeline's handler: the pipeline's update in,
// the bot's calls out.
func Handler(b *bot.Bot) pipeline.Handler {
	return func(ctx context.Context, u pipeline.Update) ([]pipeline.Call, error) {
		calls, err := b.Handle(ctx, bot.Update{ID: u.ID, Attempt: u.Attempt, Raw: u.Raw})
		return Calls(calls), err
	}
}

// Calls converts the bot's calls into the pipeline's.
func Calls(cs []bot.Call) []pipeline.Call {
	if cs == nil {
		return nil
	}
	out := make([]pipeline.Call, len(cs))
	for i, c := range cs {
		out[i] = pipeline.Call(c)
	}
	return out
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

// nobodyGetsCasesLine says, in the log at start and in /readyz, that a new
// case would reach nobody.
const nobodyGetsCasesLine = "nobody receives new cases: no coordinator, no HOTLINE_ADMINS, nobody on duty " +
	"and no HOTLINE_FORUM_CHAT; add one with: hotline volunteers add ID coordinator"
