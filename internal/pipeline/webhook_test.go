package pipeline

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestWebhookRefusesWithoutTheSecret(t *testing.T) {
	r := newRig(t)
	p := New(r.rdb, NewAPI(r.srv.URL(), r.srv.Token(), nil), nothing,
		r.options(Options{Mode: Webhook, WebhookURL: "https://example.org/hook", WebhookSecret: "right-secret"}))
	h := p.WebhookHandler()
	update := `{"update_id":555,"message":{"message_id":1,"date":1,"chat":{"id":42,"type":"private"},"text":"hi"}}`

	tests := []struct {
		name   string
		method string
		secret string // "-" for no header
		body   string
		want   int
	}{
		{"no secret", http.MethodPost, "-", update, http.StatusUnauthorized},
		{"wrong secret", http.MethodPost, "wrong-secret", update, http.StatusForbidden},
		{"secret's prefix", http.MethodPost, "right", update, http.StatusForbidden},
		{"not a post", http.MethodGet, "right-secret", "", http.StatusMethodNotAllowed},
		{"not an update", http.MethodPost, "right-secret", `{"hello":1}`, http.StatusBadRequest},
		{"too large", http.MethodPost, "right-secret", `{"update_id":1,"x":"` + strings.Repeat("a", 2<<20) + `"}`, http.StatusRequestEntityTooLarge},
		{"right secret", http.MethodPost, "right-secret", update, http.StatusOK},
		{"redelivery", http.MethodPost, "right-secret", update, http.StatusOK},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(tt.method, WebhookPath, strings.NewReader(tt.body))
		if tt.secret != "-" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", tt.secret)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, rec.Code, tt.want)
		}
	}
	n, err := p.Inbox().Len(context.Background(), p.Inbox().PartitionOf(42))
	if err != nil || n != 1 {
		t.Errorf("inbox holds %d updates (%v), want the one accepted", n, err)
	}
}

func TestWebhookAnswers503WhenRedisIsDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	down := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer down.Close()

	r := newRig(t)
	p := New(down, NewAPI(r.srv.URL(), r.srv.Token(), nil), nothing,
		r.options(Options{Mode: Webhook, WebhookURL: "https://example.org/hook", WebhookSecret: "s"}))
	req := httptest.NewRequest(http.MethodPost, WebhookPath, strings.NewReader(`{"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"},"text":"x"}}`))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s")
	rec := httptest.NewRecorder()
	p.WebhookHandler().ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503 so that Telegram delivers again", rec.Code)
	}
}

func TestWebhookDeliveredOutOfOrderBothHandled(t *testing.T) {
	r := newRig(t)
	h := newEcho(r.rdb, r.prefix)
	var handler atomic.Pointer[http.Handler]
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		(*handler.Load()).ServeHTTP(w, req)
	}))
	defer hook.Close()
	rn := r.start(r.rdb, h.handle, Options{Mode: Webhook, WebhookURL: hook.URL + WebhookPath, WebhookSecret: "s3cret"})
	wh := rn.p.WebhookHandler()
	handler.Store(&wh)

	u := r.srv.User(40_001, "en")
	r.srv.DeliverOutOfOrder(u.ID)
	u.Send("first")
	u.Send("second")
	waitFor(t, "both replies", func() bool { return len(u.Received()) >= 2 })
	waitFor(t, "confirmation", func() bool { return r.srv.PendingUpdates() == 0 })
	// Handled in the order they arrived, each once.
	if got, exp := texts(u), []string{"1 second", "2 first"}; fmt.Sprint(got) != fmt.Sprint(exp) {
		t.Errorf("user got %q, want %q", got, exp)
	}
}
