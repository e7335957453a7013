package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/prometheus/client_golang/prometheus"

	"hotline/flows"
	"hotline/internal/pipeline"
	"hotline/storage"
)

// The bot's metrics beyond the pipeline's own (internal/pipeline/metrics.go:
// updates received and handled, handling latency, Bot API calls sent,
// retried — 429s among them — and dropped, failures and dead letters).
// Labels carry fixed words only (kinds, levels), never an id or a text, so
// no personal data can reach a metric.

// observer holds the metrics main adds around the bot's parts.
type observer struct {
	reg     *prometheus.Registry
	updates *prometheus.CounterVec // kind
	filed   prometheus.Counter
	logged  *prometheus.CounterVec // level
}

func newObserver(reg *prometheus.Registry) *observer {
	o := &observer{
		reg: reg,
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_updates_by_kind_total",
			Help: "Updates the bot handled without error, by kind (message, callback_query…); one handled again after a lost commit counts again.",
		}, []string{"kind"}),
		filed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_reports_filed_total",
			Help: "Detention reports stored as new cases.",
		}),
		logged: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_log_records_total",
			Help: "Warnings and errors logged, by level.",
		}, []string{"level"}),
	}
	reg.MustRegister(o.updates, o.filed, o.logged)
	for _, k := range updateKinds() {
		o.updates.WithLabelValues(k) // every kind shows from the start, at 0
	}
	for _, l := range []string{"warn", "error"} {
		o.logged.WithLabelValues(l)
	}
	return o
}

// updateKinds are the values of the kind label.
func updateKinds() []string {
	return []string{"message", "edited_message", "callback_query", "my_chat_member", "chat_member", "other"}
}

// updateKind names an update's kind for the kind label.
func updateKind(u *models.Update) string {
	switch {
	case u == nil:
		return "other"
	case u.Message != nil:
		return "message"
	case u.EditedMessage != nil:
		return "edited_message"
	case u.CallbackQuery != nil:
		return "callback_query"
	case u.MyChatMember != nil:
		return "my_chat_member"
	case u.ChatMember != nil:
		return "chat_member"
	}
	return "other"
}

// handler counts the updates h handles, by kind.
func (o *observer) handler(h pipeline.Handler) pipeline.Handler {
	return func(ctx context.Context, u pipeline.Update) ([]pipeline.Call, error) {
		calls, err := h(ctx, u)
		if err == nil {
			o.updates.WithLabelValues(updateKind(u.Raw)).Inc()
		}
		return calls, err
	}
}

// cases counts the reports that cs stores as new cases. A report stored
// again (an update handled twice) is not counted twice.
func (o *observer) cases(cs *storage.Cases) flows.Cases {
	return countedCases{Cases: cs, filed: o.filed}
}

type countedCases struct {
	*storage.Cases
	filed prometheus.Counter
}

func (c countedCases) Create(ctx context.Context, r *flows.Report) (flows.Case, error) {
	cs, created, err := c.Cases.Store(ctx, r)
	if created {
		c.filed.Inc()
	}
	return cs, err
}

// waitingLister is what the queue metrics need of the volunteer queue
// (flows.Queue).
type waitingLister interface {
	Waiting(ctx context.Context) ([]flows.Waiting, error)
}

// watchQueue publishes the volunteer queue's length and its oldest wait,
// read from q at each scrape.
func (o *observer) watchQueue(q waitingLister) {
	o.reg.MustRegister(&queueCollector{
		q:   q,
		now: time.Now,
		length: prometheus.NewDesc("hotline_queue_length",
			"Chats waiting for a volunteer, by urgency.", []string{"urgent"}, nil),
		oldest: prometheus.NewDesc("hotline_queue_oldest_wait_seconds",
			"How long the chat waiting longest has been in the queue; 0 when none waits.", nil, nil),
	})
}

// queueCollector reads the queue when Prometheus scrapes. When the queue
// cannot be read (Redis down) it reports nothing rather than failing the
// whole scrape: the other metrics matter most just then.
type queueCollector struct {
	q              waitingLister
	now            func() time.Time
	length, oldest *prometheus.Desc
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.length
	ch <- c.oldest
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ws, err := c.q.Waiting(ctx)
	if err != nil {
		return
	}
	var urgent, other int
	var oldest time.Duration
	now := c.now()
	for _, w := range ws {
		if w.Urgent {
			urgent++
		} else {
			other++
		}
		if d := now.Sub(w.Queued); d > oldest {
			oldest = d
		}
	}
	ch <- prometheus.MustNewConstMetric(c.length, prometheus.GaugeValue, float64(urgent), "true")
	ch <- prometheus.MustNewConstMetric(c.length, prometheus.GaugeValue, float64(other), "false")
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, oldest.Seconds())
}

// logger returns log counting its warnings and errors.
func (o *observer) logger(log *slog.Logger) *slog.Logger {
	return slog.New(countingHandler{inner: log.Handler(), n: o.logged})
}

// countingHandler counts warnings and errors, also those below the level
// the inner handler writes.
type countingHandler struct {
	inner slog.Handler
	n     *prometheus.CounterVec
}

func (h countingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn || h.inner.Enabled(ctx, l)
}

func (h countingHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		level := "warn"
		if r.Level >= slog.LevelError {
			level = "error"
		}
		h.n.WithLabelValues(level).Inc()
	}
	if !h.inner.Enabled(ctx, r.Level) {
		return nil
	}
	return h.inner.Handle(ctx, r)
}

func (h countingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return countingHandler{inner: h.inner.WithAttrs(as), n: h.n}
}

func (h countingHandler) WithGroup(name string) slog.Handler {
	return countingHandler{inner: h.inner.WithGroup(name), n: h.n}
}
