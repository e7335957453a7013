package telegramtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// getUpdates calls getUpdates and decodes the result with go-telegram/bot's
// models, as the bot will.
func getUpdates(t testing.TB, s *Server, params map[string]any) []models.Update {
	t.Helper()
	return decode[[]models.Update](t, callJSON(t, s, "getUpdates", params))
}

func ids(ups []models.Update) []int64 {
	var out []int64
	for _, u := range ups {
		out = append(out, u.ID)
	}
	return out
}

// waitFor waits until cond holds; the bound is for liveness, not speed.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestGetUpdatesOffsets(t *testing.T) {
	s := New()
	defer s.Close()
	u := s.User(1, "en")
	for i := range 5 {
		u.Send(fmt.Sprint("answer ", i))
	}
	first := getUpdates(t, s, map[string]any{"limit": 2})
	if len(first) != 2 || first[0].Message.Text != "answer 0" || first[1].ID != first[0].ID+1 {
		t.Fatalf("limit 2 = %+v", first)
	}
	id := first[0].ID
	if again := getUpdates(t, s, map[string]any{"limit": 2}); !slices.Equal(ids(again), ids(first)) {
		t.Errorf("without an offset got %v, want the same unconfirmed %v", ids(again), ids(first))
	}
	tests := []struct {
		name        string
		params      map[string]any
		wantIDs     []int64
		wantPending int
	}{
		{"offset confirms earlier", map[string]any{"offset": id + 2}, []int64{id + 2, id + 3, id + 4}, 3},
		{"limit above 100 is 100", map[string]any{"limit": 500}, []int64{id + 2, id + 3, id + 4}, 3},
		{"negative offset keeps the last", map[string]any{"offset": -1}, []int64{id + 4}, 1},
		{"offset past all", map[string]any{"offset": id + 5}, nil, 0},
	}
	for _, tt := range tests {
		got := getUpdates(t, s, tt.params)
		if !slices.Equal(ids(got), tt.wantIDs) || s.PendingUpdates() != tt.wantPending {
			t.Errorf("%s: got %v (pending %d), want %v (pending %d)", tt.name, ids(got), s.PendingUpdates(), tt.wantIDs, tt.wantPending)
		}
	}
}

func TestLongPoll(t *testing.T) {
	s := New()
	defer s.Close()
	u := s.User(1, "ru")

	polled := make(chan []models.Update, 1)
	go func() { polled <- getUpdates(t, s, map[string]any{"timeout": 30}) }()
	waitFor(t, "the poll to arrive", func() bool { return s.Stats().Calls["getUpdates"] == 1 })
	u.Send("привет")
	ups := <-polled
	if len(ups) != 1 || ups[0].Message.Text != "привет" || ups[0].Message.From.LanguageCode != "ru" || ups[0].Message.Chat.Type != models.ChatTypePrivate {
		t.Fatalf("long poll = %+v", ups)
	}

	// A second poll ends the first with a Conflict, as at Telegram.
	first := make(chan apiResp, 1)
	go func() { first <- callJSON(t, s, "getUpdates", map[string]any{"offset": ups[0].ID + 1, "timeout": 30}) }()
	waitFor(t, "the first poll", func() bool { return s.Stats().Calls["getUpdates"] == 2 })
	callJSON(t, s, "getUpdates", map[string]any{"offset": ups[0].ID + 1})
	if r := <-first; r.ErrorCode != 409 || r.Description != "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" {
		t.Errorf("superseded poll = %+v", r)
	}

	// allowed_updates filters updates made after it.
	getUpdates(t, s, map[string]any{"offset": ups[0].ID + 1, "allowed_updates": []string{"callback_query"}})
	u.Send("not wanted")
	u.PressData(1, "wanted")
	got := getUpdates(t, s, map[string]any{})
	if len(got) != 1 || got[0].CallbackQuery == nil || got[0].CallbackQuery.Data != "wanted" {
		t.Errorf("with allowed_updates [callback_query] got %+v", got)
	}
	if got[0].CallbackQuery.Message.Message == nil || got[0].CallbackQuery.Message.Message.Text != "привет" {
		t.Errorf("callback message = %+v, want the user's message", got[0].CallbackQuery.Message)
	}
	u.PressData(999, "old")
	got = getUpdates(t, s, map[string]any{"offset": got[0].ID + 1})
	if im := got[0].CallbackQuery.Message.InaccessibleMessage; im == nil || im.MessageID != 999 {
		t.Errorf("a press on a missing message = %+v, want an inaccessible message", got[0].CallbackQuery.Message)
	}
}

func TestBatch(t *testing.T) {
	s := New()
	defer s.Close()
	u := s.User(1, "en")
	s.Batch(func() {
		u.Send("Ivan Petrov")
		u.Send("01.02.1990")
		u.Send("A123456789")
		if got := getUpdates(t, s, map[string]any{}); len(got) != 0 {
			t.Errorf("inside Batch getUpdates = %d updates, want none yet", len(got))
		}
	})
	got := getUpdates(t, s, map[string]any{})
	var texts []string
	for _, up := range got {
		texts = append(texts, up.Message.Text)
	}
	if want := []string{"Ivan Petrov", "01.02.1990", "A123456789"}; !slices.Equal(texts, want) {
		t.Fatalf("batch = %q, want %q", texts, want)
	}
	at := s.UpdateAvailableAt(got[0].ID)
	if at.IsZero() || !s.UpdateAvailableAt(got[2].ID).Equal(at) {
		t.Errorf("batch updates became available at different times")
	}
}

// receiver is a bot's webhook endpoint for tests.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	got      []models.Update // accepted, in order
	attempts map[int64]int
	secrets  map[string]int
	busy     map[int64]bool
	overlap  bool // a chat had two requests at once
	failOnce string
	reply    string
}

func newReceiver() *receiver {
	r := &receiver{attempts: map[int64]int{}, secrets: map[string]int{}, busy: map[int64]bool{}}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	var up models.Update
	if err := json.Unmarshal(body, &up); err != nil || up.Message == nil {
		http.Error(w, "bad update", http.StatusBadRequest)
		return
	}
	chat := up.Message.Chat.ID
	r.mu.Lock()
	r.secrets[req.Header.Get("X-Telegram-Bot-Api-Secret-Token")]++
	if r.busy[chat] {
		r.overlap = true
	}
	r.busy[chat] = true
	r.attempts[up.ID]++
	fail := up.Message.Text == r.failOnce && r.attempts[up.ID] == 1
	r.mu.Unlock()

	time.Sleep(time.Millisecond) // let a second request for the chat overlap, were it sent

	r.mu.Lock()
	defer r.mu.Unlock()
	r.busy[chat] = false
	if fail {
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	r.got = append(r.got, up)
	if r.reply != "" {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, r.reply, chat)
	}
}

func (r *receiver) texts(chat int64) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, up := range r.got {
		if up.Message.Chat.ID == chat {
			out = append(out, up.Message.Text)
		}
	}
	return out
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func TestWebhook(t *testing.T) {
	s := New(WithRedelivery(time.Millisecond, 10*time.Millisecond))
	defer s.Close()
	rcv := newReceiver()
	defer rcv.Close()
	rcv.failOnce = "fail me"

	a, b := s.User(1, "ru"), s.User(2, "en")
	a.Send("queued before the webhook")
	r := callJSON(t, s, "setWebhook", map[string]any{"url": rcv.URL, "secret_token": "s3cret", "max_connections": 10})
	if !r.OK || r.Description != "Webhook was set" {
		t.Fatalf("setWebhook = %+v", r)
	}
	if r := callJSON(t, s, "getUpdates", nil); r.ErrorCode != 409 {
		t.Errorf("getUpdates with a webhook = %+v, want 409", r)
	}
	want := map[int64][]string{
		a.ID: {"queued before the webhook", "a1", "fail me", "a3"},
		b.ID: {"b1", "b2", "b3"},
	}
	for i := 1; i < 4; i++ {
		a.Send(want[a.ID][i])
		b.Send(want[b.ID][i-1])
	}
	waitFor(t, "7 accepted deliveries", func() bool { return rcv.count() == 7 })
	// The server confirms an update after reading the receiver's answer,
	// a moment after the receiver counted it.
	waitFor(t, "no pending updates", func() bool { return s.PendingUpdates() == 0 })
	for _, u := range []*User{a, b} {
		if got := rcv.texts(u.ID); !slices.Equal(got, want[u.ID]) {
			t.Errorf("chat %d got %q, want %q in order", u.ID, got, want[u.ID])
		}
	}
	rcv.mu.Lock()
	if rcv.overlap {
		t.Error("a chat had two webhook requests in flight at once")
	}
	if rcv.secrets["s3cret"] != 8 || len(rcv.secrets) != 1 {
		t.Errorf("secret headers = %v, want s3cret on all 8 requests (7 + 1 redelivery)", rcv.secrets)
	}
	rcv.mu.Unlock()
	if st := s.Stats(); st.WebhookFailures != 1 || s.PendingUpdates() != 0 {
		t.Errorf("failures %d, pending %d; want 1 and 0", st.WebhookFailures, s.PendingUpdates())
	}
	info := decode[models.WebhookInfo](t, callJSON(t, s, "getWebhookInfo", nil))
	if info.URL != rcv.URL || info.MaxConnections != 10 || info.LastErrorMessage != "Wrong response from the webhook: 500 Internal Server Error" {
		t.Errorf("webhook info = %+v", info)
	}

	// Out of order: the chat's next two updates arrive N+1 first.
	s.DeliverOutOfOrder(b.ID)
	b.Send("N")
	b.Send("N+1")
	waitFor(t, "the swapped pair", func() bool { return rcv.count() == 9 })
	if got := rcv.texts(b.ID)[3:]; !slices.Equal(got, []string{"N+1", "N"}) {
		t.Errorf("out of order got %q, want N+1 then N", got)
	}

	// A method call in the webhook's answer is carried out.
	rcv.mu.Lock()
	rcv.reply = `{"method":"sendMessage","chat_id":%d,"text":"answered in the response"}`
	rcv.mu.Unlock()
	a.Send("hi")
	if m := a.Next(t); m.Text != "answered in the response" {
		t.Errorf("reply in webhook response = %+v", m)
	}

	// Back to polling: updates made meanwhile wait for getUpdates.
	if r := callJSON(t, s, "deleteWebhook", nil); r.Description != "Webhook was deleted" {
		t.Errorf("deleteWebhook = %+v", r)
	}
	a.Send("polled")
	if got := getUpdates(t, s, nil); len(got) != 1 || got[0].Message.Text != "polled" {
		t.Errorf("after deleteWebhook getUpdates = %+v", got)
	}
}

func TestRedeliver(t *testing.T) {
	s := New()
	defer s.Close()
	u := s.User(1, "en")
	u.Send("once")
	got := getUpdates(t, s, nil)
	getUpdates(t, s, map[string]any{"offset": got[0].ID + 1})
	if err := s.Redeliver(got[0].ID); err != nil {
		t.Fatal(err)
	}
	again := getUpdates(t, s, nil)
	if len(again) != 1 || again[0].ID != got[0].ID || again[0].Message.Text != "once" {
		t.Errorf("redelivered = %+v", again)
	}
	raw, ok := s.UpdateJSON(got[0].ID)
	if !ok || !json.Valid(raw) {
		t.Errorf("UpdateJSON = %s, %v", raw, ok)
	}
}
