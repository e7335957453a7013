package pipeline

import (
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
	"time"
)

// Webhook intake. Telegram posts each update; the handler answers 200 only
// once Redis holds it, so a crash or a Redis outage makes Telegram deliver it
// again (a redelivery of an update already stored is answered 200 and
// skipped). Requests without the secret token are refused.

// WebhookPath is where main mounts WebhookHandler.
const WebhookPath = "/telegram/webhook"

// maxWebhookBody caps an update's size; real updates are a few kilobytes.
const maxWebhookBody = 1 << 20

// webhookStoreTimeout bounds how long a request waits for Redis; Telegram
// gives up on a webhook after about a minute.
const webhookStoreTimeout = 10 * time.Second

// WebhookHandler returns the handler Telegram posts updates to.
func (p *Pipeline) WebhookHandler() http.Handler {
	secret := []byte(p.opts.WebhookSecret)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if got == "" {
			http.Error(w, "missing secret token", http.StatusUnauthorized)
			return
		}
		if len(secret) == 0 || subtle.ConstantTimeCompare([]byte(got), secret) != 1 {
			http.Error(w, "wrong secret token", http.StatusForbidden)
			return
		}
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "update too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "cannot read update", http.StatusBadRequest)
			return
		}
		in, ok := incoming(p.strip(raw))
		if !ok {
			http.Error(w, "not an update", http.StatusBadRequest)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), webhookStoreTimeout)
		defer cancel()
		n, err := p.inbox.Add(ctx, in)
		if err != nil {
			p.m.intakeErrs.WithLabelValues("webhook").Inc()
			p.log.Warn("store webhook update", "update_id", in.UpdateID, "err", err)
			http.Error(w, "cannot store the update now", http.StatusServiceUnavailable)
			return
		}
		wake(p.readerWake)
		if n == 1 {
			p.m.received.WithLabelValues("webhook", "new").Inc()
		} else {
			p.m.received.WithLabelValues("webhook", "duplicate").Inc()
		}
		w.WriteHeader(http.StatusOK)
	})
}

// setWebhook points Telegram at WebhookURL, trying until it succeeds or ctx
// is done.
func (p *Pipeline) setWebhook(ctx context.Context) {
	params := map[string]any{
		"url":                  p.opts.WebhookURL,
		"secret_token":         p.opts.WebhookSecret,
		"allowed_updates":      p.opts.AllowedUpdates,
		"max_connections":      p.opts.MaxConnections,
		"drop_pending_updates": false,
	}
	for try := 1; ; try++ {
		err := p.api.Do(ctx, "setWebhook", params, nil)
		if err == nil {
			p.log.Info("webhook set", "max_connections", p.opts.MaxConnections)
			return
		}
		if ctx.Err() != nil {
			return
		}
		p.log.Warn("set webhook", "err", err, "attempt", try)
		if !sleep(ctx, backoff(try, time.Second, 30*time.Second)) {
			return
		}
	}
}
