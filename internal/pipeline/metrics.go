package pipeline

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the pipeline's Prometheus metrics.
type metrics struct {
	received   *prometheus.CounterVec // source, result (new, duplicate)
	intakeErrs *prometheus.CounterVec // source
	handled    prometheus.Counter
	failed     prometheus.Counter
	dead       prometheus.Counter
	commitErrs prometheus.Counter
	latency    prometheus.Histogram
	partitions prometheus.Gauge

	sent    *prometheus.CounterVec // method
	retried *prometheus.CounterVec // reason: 429, 5xx, network
	dropped *prometheus.CounterVec // reason: bad_request, blocked, gave_up
	queued  prometheus.Gauge
	joined  prometheus.Counter
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_updates_received_total",
			Help: "Updates taken from Telegram, by source and whether they were new or a redelivery.",
		}, []string{"source", "result"}),
		intakeErrs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_intake_errors_total",
			Help: "Failed attempts to take updates in (Telegram or Redis unreachable).",
		}, []string{"source"}),
		handled: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_updates_handled_total",
			Help: "Updates whose effects were stored.",
		}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_update_failures_total",
			Help: "Handler attempts that failed and will be retried.",
		}),
		dead: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_updates_dead_total",
			Help: "Updates moved to the dead letters after too many failed attempts.",
		}),
		commitErrs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_commit_errors_total",
			Help: "Commits of handled updates that Redis did not take.",
		}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "hotline_update_latency_seconds",
			Help:    "Time from an update entering the inbox to its effects being stored.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 16),
		}),
		partitions: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hotline_partitions_held",
			Help: "Inbox partitions this process owns.",
		}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_calls_sent_total",
			Help: "Bot API calls Telegram accepted, by method.",
		}, []string{"method"}),
		retried: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_calls_retried_total",
			Help: "Bot API calls to be tried again, by cause.",
		}, []string{"reason"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_calls_dropped_total",
			Help: "Bot API calls given up, by cause.",
		}, []string{"reason"}),
		queued: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hotline_calls_queued",
			Help: "Bot API calls waiting in this process's sender.",
		}),
		joined: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hotline_calls_joined_total",
			Help: "Queued messages that went out joined with others for the same chat, as one message.",
		}),
	}
	m.received = register(reg, m.received)
	m.intakeErrs = register(reg, m.intakeErrs)
	m.handled = register(reg, m.handled)
	m.failed = register(reg, m.failed)
	m.dead = register(reg, m.dead)
	m.commitErrs = register(reg, m.commitErrs)
	m.latency = register(reg, m.latency)
	m.partitions = register(reg, m.partitions)
	m.sent = register(reg, m.sent)
	m.retried = register(reg, m.retried)
	m.dropped = register(reg, m.dropped)
	m.queued = register(reg, m.queued)
	m.joined = register(reg, m.joined)
	return m
}

// register registers c, or returns the collector already registered under
// its name (two pipelines in one process share their metrics).
func register[C prometheus.Collector](reg *prometheus.Registry, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if old, ok := are.ExistingCollector.(C); ok {
				return old
			}
		}
		panic(err) // a metric named twice with different shapes is a programming error
	}
	return c
}
