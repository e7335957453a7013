package telegramtest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func TestFaults(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name          string
		fault         Fault
		wantErr       string // in the client's error; "" for success
		wantDelivered bool
	}{
		{"429", Fault{Method: "sendMessage", Status: 429, RetryAfter: 3}, "Too Many Requests: retry after 3", false},
		{"500", Fault{Status: 500}, "500 Internal Server Error", false},
		{"502 from the front end", Fault{Status: 502}, "<title>502 Bad Gateway</title>", false},
		{"403 with a description", Fault{Status: 403, Description: "Forbidden: user is deactivated"}, "user is deactivated", false},
		{"dropped connection", Fault{Drop: true}, "EOF", false},
		{"answer lost after delivery", Fault{Drop: true, Handled: true}, "EOF", true},
		{"delay only", Fault{Delay: 5 * time.Millisecond}, "", true},
		{"other method", Fault{Method: "copyMessage", Status: 500}, "", true},
		{"other chat", Fault{ChatID: 99, Status: 500}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			defer s.Close()
			b := newClient(t, s)
			u := s.User(1, "en")
			f := tt.fault
			f.Times = 1
			s.Fault(f)
			_, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: u.ID, Text: "x"})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error = %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
			if got := len(u.Received()) == 1; got != tt.wantDelivered {
				t.Errorf("delivered = %v, want %v", got, tt.wantDelivered)
			}
			// Times: 1 used the fault up.
			if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: u.ID, Text: "y"}); err != nil {
				t.Errorf("second call: %v, want the fault gone", err)
			}
		})
	}
}

func TestFaultRetryAfter(t *testing.T) {
	s := New()
	defer s.Close()
	now := time.Unix(1_700_000_000, 0)
	s.now = func() time.Time { return now }
	b := newClient(t, s)
	ctx := context.Background()
	u := s.User(1, "en")

	s.Fault(Fault{Method: "sendMessage", Status: 429, RetryAfter: 2, Times: 2})
	_, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: u.ID, Text: "x"})
	var tooMany *tg.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 2 {
		t.Fatalf("error = %v, want TooManyRequestsError with RetryAfter 2", err)
	}
	now = now.Add(2 * time.Second) // waited as told
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: u.ID, Text: "x"}); !errors.As(err, &tooMany) {
		t.Fatalf("second call: %v, want the second 429", err)
	}
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: u.ID, Text: "x"}); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	if st.TooManyRequests != 2 || st.EarlyRetries != 1 || st.Faults != 2 {
		t.Errorf("429s %d, early retries %d, faults %d; want 2, 1 (the last call came too soon), 2", st.TooManyRequests, st.EarlyRetries, st.Faults)
	}

	s.Fault(Fault{Status: 500})
	s.ClearFaults()
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: u.ID, Text: "x"}); err != nil {
		t.Errorf("after ClearFaults: %v", err)
	}
}

func TestLimits(t *testing.T) {
	ctx := context.Background()
	send := func(b *tg.Bot, chat int64) int {
		_, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: chat, Text: "x"})
		var tooMany *tg.TooManyRequestsError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &tooMany):
			return tooMany.RetryAfter
		}
		t.Fatalf("send: %v", err)
		return -1
	}
	tests := []struct {
		name   string
		limits Limits
		chats  []int64 // one message to each, in order
		want   []int   // retry_after per message; 0 is delivered
	}{
		{"per chat after the burst", Limits{PerChat: 1, ChatBurst: 3}, []int64{1, 1, 1, 1, 2}, []int{0, 0, 0, 1, 0}},
		{"slow chat rate", Limits{PerChat: 0.25, ChatBurst: 1}, []int64{1, 1}, []int{0, 4}},
		{"global", Limits{Global: 3}, []int64{1, 2, 3, 4}, []int{0, 0, 0, 1}},
		{"group per minute", Limits{PerGroupPerMinute: 2}, []int64{-5, -5, -5, 1}, []int{0, 0, 60, 0}},
		{"Telegram's", DefaultLimits(), []int64{1, 1, 1, 1, -5}, []int{0, 0, 0, 1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(WithLimits(tt.limits))
			defer s.Close()
			now := time.Unix(1_700_000_000, 0)
			s.now = func() time.Time { return now }
			b := newClient(t, s)
			s.User(1, "en")
			s.User(2, "en")
			s.User(3, "en")
			s.User(4, "en")
			s.Group(-5, "g").AddBot(s.User(1, "en"))
			var got []int
			for _, c := range tt.chats {
				got = append(got, send(b, c))
			}
			if !equalInts(got, tt.want) {
				t.Errorf("retry_after per message = %v, want %v", got, tt.want)
			}
			refused := 0
			for _, ra := range tt.want {
				if ra > 0 {
					refused++
				}
			}
			if st := s.Stats(); st.TooManyRequests != refused || st.Delivered != len(tt.want)-refused {
				t.Errorf("stats: 429s %d, delivered %d; want %d, %d", st.TooManyRequests, st.Delivered, refused, len(tt.want)-refused)
			}
		})
	}
}

func TestLimitsEarlyRetry(t *testing.T) {
	s := New(WithLimits(Limits{PerChat: 1, ChatBurst: 1}))
	defer s.Close()
	now := time.Unix(1_700_000_000, 0)
	s.now = func() time.Time { return now }
	b := newClient(t, s)
	ctx := context.Background()
	u := s.User(1, "en")

	m, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: u.ID, Text: "1"})
	if err != nil {
		t.Fatal(err)
	}
	// Edits count, and callback answers and chat actions do not.
	_, err = b.EditMessageText(ctx, &tg.EditMessageTextParams{ChatID: u.ID, MessageID: m.ID, Text: "2"})
	var tooMany *tg.TooManyRequestsError
	if !errors.As(err, &tooMany) {
		t.Fatalf("edit over the limit: %v, want 429", err)
	}
	if _, err := b.SendChatAction(ctx, &tg.SendChatActionParams{ChatID: u.ID, Action: models.ChatActionTyping}); err != nil {
		t.Errorf("chat action: %v", err)
	}
	// Too soon: refused again, and counted.
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: u.ID, Text: "3"}); !errors.As(err, &tooMany) {
		t.Errorf("retry before retry_after: %v, want 429", err)
	}
	now = now.Add(time.Duration(tooMany.RetryAfter) * time.Second)
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: u.ID, Text: "4"}); err != nil {
		t.Errorf("retry after retry_after: %v", err)
	}
	if got := s.EarlyRetries(); got != 1 {
		t.Errorf("EarlyRetries = %d, want 1", got)
	}
	if n := len(u.Received()); n != 2 {
		t.Errorf("delivered %d messages, want 2", n)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
