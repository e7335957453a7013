package pipeline

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"hotline/bot/telegramtest"
)

func TestAPIClassifiesAnswers(t *testing.T) {
	srv := telegramtest.New()
	defer srv.Close()
	api := NewAPI(srv.URL(), srv.Token(), nil)
	u := srv.User(1001, "en")
	blocked := srv.User(1002, "en")
	blocked.Block(true)
	ctx := context.Background()

	var me struct {
		ID    int64 `json:"id"`
		IsBot bool  `json:"is_bot"`
	}
	if err := api.Do(ctx, "getMe", nil, &me); err != nil || me.ID != srv.BotID() || !me.IsBot {
		t.Fatalf("getMe = %+v, %v", me, err)
	}

	msg := func(chat int64) map[string]any { return map[string]any{"chat_id": chat, "text": "hello"} }
	srv.Fault(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Status: 429, RetryAfter: 7, Times: 1})
	srv.Fault(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Status: 502, Times: 1})
	srv.Fault(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Status: 500, Description: "Internal Server Error", Times: 1})
	srv.Fault(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Drop: true, Times: 1})

	tests := []struct {
		name       string
		chat       int64
		code       int // 0: not an APIError
		retryAfter time.Duration
		retryable  bool
	}{
		{"too many requests", u.ID, 429, 7 * time.Second, true},
		{"proxy error page", u.ID, 0, 0, true},
		{"server error", u.ID, 500, 0, true},
		{"dropped connection", u.ID, 0, 0, true},
		{"sent", u.ID, -1, 0, false},
		{"blocked", blocked.ID, 403, 0, false},
		{"unknown chat", 999, 400, 0, false},
	}
	for _, tt := range tests {
		err := api.Do(ctx, "sendMessage", msg(tt.chat), nil)
		if tt.code == -1 {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		var ae *APIError
		isAPI := errors.As(err, &ae)
		switch {
		case tt.code == 0 && isAPI:
			t.Errorf("%s: got API error %v, want a transport error", tt.name, err)
		case tt.code != 0 && (!isAPI || ae.Code != tt.code || ae.RetryAfter != tt.retryAfter):
			t.Errorf("%s: got %v, want code %d retry after %v", tt.name, err, tt.code, tt.retryAfter)
		}
		if got := Retryable(err); got != tt.retryable {
			t.Errorf("%s: Retryable = %v, want %v", tt.name, got, tt.retryable)
		}
		if strings.Contains(err.Error(), srv.Token()) {
			t.Errorf("%s: error %q holds the token", tt.name, err)
		}
	}
	if got := len(u.Received()); got != 1 {
		t.Errorf("user received %d messages, want 1", got)
	}
}

func TestAPINotModifiedIsNotAFailure(t *testing.T) {
	e := &APIError{Code: 400, Description: "Bad Request: message is not modified: specified new message content and reply markup are exactly the same"}
	if !e.NotModified() {
		t.Error("NotModified = false")
	}
	if classify(context.Background(), e) != sentOK {
		t.Error("the sender counts an unmodified edit as a failure")
	}
}

func TestAPIErrorsHideToken(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	token := "4242:SECRET-token_value"
	api := NewAPI("http://"+addr, token, nil)
	err = api.Do(context.Background(), "getMe", nil, nil)
	if err == nil {
		t.Fatal("call to a closed port succeeded")
	}
	if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error %q holds the token", err)
	}
	if !Retryable(err) {
		t.Errorf("connection refused is not retryable: %v", err)
	}
	var te *TransportError
	if !errors.As(err, &te) {
		t.Errorf("error %T is not a TransportError", err)
	}
}
