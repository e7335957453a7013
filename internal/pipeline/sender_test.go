package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"hotline/bot/telegramtest"
	"hotline/flows"
)

// arrivals records the order in which bot messages reach the fake server.
type arrivals struct {
	mu   sync.Mutex
	msgs []*telegramtest.Message
}

func watch(srv *telegramtest.Server) *arrivals {
	a := &arrivals{}
	srv.OnMessage(func(m *telegramtest.Message) {
		a.mu.Lock()
		a.msgs = append(a.msgs, m)
		a.mu.Unlock()
	})
	return a
}

// index returns the position of the first message with this text, or -1.
func (a *arrivals) index(text string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, m := range a.msgs {
		if m.Text == text {
			return i
		}
	}
	return -1
}

func nothing(context.Context, Update) ([]Call, error) { return nil, nil }

// senderRig runs a pipeline whose handler does nothing, to feed the sender
// through Send.
func senderRig(t *testing.T, o Options, opts ...telegramtest.Option) (*rig, *running, *prometheus.Registry) {
	t.Helper()
	r := newRig(t, opts...)
	reg := prometheus.NewRegistry()
	o.Registry = reg
	if o.Limits == (Limits{}) {
		o.Limits = DefaultLimits()
	}
	rn := r.start(r.rdb, nothing, o)
	waitFor(t, "partitions", func() bool { return len(rn.p.Held()) == rn.p.opts.Partitions })
	return r, rn, reg
}

func sendTexts(t *testing.T, rn *running, chat int64, p flows.Priority, texts ...string) {
	t.Helper()
	calls := make([]Call, 0, len(texts))
	for _, s := range texts {
		calls = append(calls, sendCall(chat, p, s))
	}
	if err := rn.p.Send(context.Background(), calls...); err != nil {
		t.Fatal(err)
	}
}

func TestSenderWaitsRetryAfterOn429(t *testing.T) {
	r, rn, reg := senderRig(t, Options{})
	u := r.srv.User(20_001, "en")
	r.srv.Fault(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Status: 429, RetryAfter: 1, Times: 1})
	sendTexts(t, rn, u.ID, flows.PriorityReply, "a", "b", "c")
	waitFor(t, "messages", func() bool { return len(u.Received()) >= 3 })
	if got := texts(u); fmt.Sprint(got) != "[a b c]" {
		t.Errorf("user got %q, want [a b c]", got)
	}
	if n := r.srv.EarlyRetries(); n != 0 {
		t.Errorf("%d messages came sooner than retry_after allowed", n)
	}
	if got := counter(t, reg, "hotline_calls_retried_total", map[string]string{"reason": "429"}); got != 1 {
		t.Errorf("429 retries counted = %v, want 1", got)
	}
}

func TestSenderRetriesServerAndNetworkErrors(t *testing.T) {
	r, rn, reg := senderRig(t, Options{})
	u := r.srv.User(20_101, "en")
	r.srv.Fault(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Status: 502, Times: 1})
	r.srv.Fault(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Status: 500, Times: 1})
	r.srv.Fault(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Drop: true, Times: 1})
	sendTexts(t, rn, u.ID, flows.PriorityReply, "a", "b")
	waitFor(t, "messages", func() bool { return len(u.Received()) >= 2 })
	if got := texts(u); fmt.Sprint(got) != "[a b]" {
		t.Errorf("user got %q, want [a b]", got)
	}
	if got := counter(t, reg, "hotline_calls_retried_total", nil); got != 3 {
		t.Errorf("retries counted = %v, want 3", got)
	}
	if got := counter(t, reg, "hotline_calls_dropped_total", nil); got != 0 {
		t.Errorf("dropped = %v, want 0", got)
	}
}

func TestSenderStopsAtABlockedChat(t *testing.T) {
	var mu sync.Mutex
	var blocked []int64
	onBlocked := func(_ context.Context, chat int64) error {
		mu.Lock()
		blocked = append(blocked, chat)
		mu.Unlock()
		return nil
	}
	r, rn, reg := senderRig(t, Options{OnBlocked: onBlocked})
	u := r.srv.User(20_201, "en")
	other := r.srv.User(20_202, "en")
	u.Block(true)
	sendTexts(t, rn, u.ID, flows.PriorityReply, "a", "b", "c")
	sendTexts(t, rn, other.ID, flows.PriorityReply, "x")
	waitFor(t, "the calls to be dropped", func() bool {
		return counter(t, reg, "hotline_calls_dropped_total", map[string]string{"reason": "blocked"}) == 3
	})
	waitFor(t, "the other chat's message", func() bool { return len(other.Received()) == 1 })
	if n := r.srv.Stats().Calls["sendMessage"]; n != 2 {
		t.Errorf("sendMessage called %d times, want 2 (one refused, one to the other chat)", n)
	}
	mu.Lock()
	if fmt.Sprint(blocked) != fmt.Sprint([]int64{u.ID}) {
		t.Errorf("OnBlocked got %v, want [%d]", blocked, u.ID)
	}
	mu.Unlock()

	// Unblocked, the user gets what is sent afterwards.
	u.Block(false)
	sendTexts(t, rn, u.ID, flows.PriorityReply, "welcome back")
	waitFor(t, "the message after unblocking", func() bool { return len(u.Received()) == 1 })
}

func TestSenderServesChatsInTurn(t *testing.T) {
	r, rn, _ := senderRig(t, Options{})
	seen := watch(r.srv)
	busy := r.srv.User(20_301, "en")
	quiet := r.srv.User(20_302, "en")
	notices := make([]string, 50)
	for i := range notices {
		notices[i] = fmt.Sprintf("notice %d", i)
	}
	sendTexts(t, rn, busy.ID, flows.PriorityNotice, notices...)
	sendTexts(t, rn, quiet.ID, flows.PriorityReply, "your answer")
	waitFor(t, "the quiet chat's reply", func() bool { return seen.index("your answer") >= 0 })
	// The busy chat gets its burst of 3 at most before the quiet chat's turn.
	if i := seen.index("your answer"); i > 3 {
		t.Errorf("the reply arrived after %d messages of another chat's backlog", i)
	}
	rn.stop(t)
	// The busy chat's notices went out in order, as many as there was time for.
	got := texts(busy)
	for i, s := range got {
		if s != notices[i] {
			t.Fatalf("busy chat got %q at %d, want %q", s, i, notices[i])
		}
	}
}

func TestSenderSendsRepliesBeforeNotices(t *testing.T) {
	// The bot-wide limit is the bottleneck here: 4 messages a second.
	r, rn, _ := senderRig(t, Options{Limits: Limits{Global: 4, PerChat: 100, ChatBurst: 100, PerGroupPerMinute: 100}})
	seen := watch(r.srv)
	for i := 0; i < 10; i++ {
		u := r.srv.User(int64(20_400+i), "en")
		sendTexts(t, rn, u.ID, flows.PriorityNotice, fmt.Sprintf("notice %d a", i), fmt.Sprintf("notice %d b", i))
	}
	asker := r.srv.User(20_499, "en")
	sendTexts(t, rn, asker.ID, flows.PriorityReply, "reply")
	waitFor(t, "the reply", func() bool { return seen.index("reply") >= 0 })
	// Without priorities it would come last, after the 20 notices queued
	// before it. With them it takes the first free place after the first
	// second's 4 notices; the places that free up together go out at once,
	// so up to 3 other notices of that second may arrive just before it.
	if i := seen.index("reply"); i > 7 {
		t.Errorf("the reply arrived after %d notices, want it in the second second's batch", i)
	}
}

func TestSenderAnswersCallbacksOutsideTheLimits(t *testing.T) {
	r, rn, reg := senderRig(t, Options{})
	u := r.srv.User(20_501, "en")
	many := make([]string, 10)
	for i := range many {
		many[i] = fmt.Sprint(i)
	}
	sendTexts(t, rn, u.ID, flows.PriorityReply, many...)
	raw, _ := json.Marshal(map[string]any{"callback_query_id": "no-such-query"})
	if err := rn.p.Send(context.Background(), Call{Method: "answerCallbackQuery", Params: raw}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the callback answer", func() bool { return r.srv.Stats().Calls["answerCallbackQuery"] == 1 })
	// Ten messages take the chat's limit seconds; the answer did not queue
	// behind them.
	if n := len(u.Received()); n == 10 {
		t.Error("the callback was answered only after the chat's queue drained")
	}
	waitFor(t, "the refused answer to be counted", func() bool {
		return counter(t, reg, "hotline_calls_dropped_total", map[string]string{"reason": "bad_request"}) == 1
	})
}

func TestSenderTreatsNotModifiedAsSent(t *testing.T) {
	r, rn, reg := senderRig(t, Options{})
	u := r.srv.User(20_601, "en")
	r.srv.Fault(telegramtest.Fault{Method: "editMessageText", Status: 400,
		Description: "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"})
	raw, _ := json.Marshal(map[string]any{"chat_id": u.ID, "message_id": 1, "text": "same"})
	if err := rn.p.Send(context.Background(), Call{Method: "editMessageText", ChatID: u.ID, Params: raw}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the edit", func() bool {
		return counter(t, reg, "hotline_calls_sent_total", map[string]string{"method": "editMessageText"}) == 1
	})
	if got := counter(t, reg, "hotline_calls_dropped_total", nil); got != 0 {
		t.Errorf("dropped = %v, want 0", got)
	}
}

func TestSenderOutboxSurvivesARestart(t *testing.T) {
	r := newRig(t)
	u := r.srv.User(20_701, "en")
	r.srv.Fault(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Status: 500})
	first := r.start(r.rdb, nothing, Options{Limits: DefaultLimits(), FlushTimeout: 200e6})
	sendTexts(t, first, u.ID, flows.PriorityReply, "kept", "also kept")
	waitFor(t, "a failed attempt", func() bool { return r.srv.Stats().Calls["sendMessage"] >= 1 })
	first.stop(t)

	r.srv.ClearFaults()
	second := r.start(r.rdb, nothing, Options{Limits: DefaultLimits()})
	waitFor(t, "the calls", func() bool { return len(u.Received()) >= 2 })
	second.stop(t)
	if got := texts(u); fmt.Sprint(got) != "[kept also kept]" {
		t.Errorf("user got %q, want each call once, in order", got)
	}
}

func TestSenderKeepsToTelegramLimits(t *testing.T) {
	r, rn, _ := senderRig(t, Options{}, telegramtest.WithLimits(telegramtest.DefaultLimits()))
	const chats, each = 40, 2
	us := make([]*telegramtest.User, chats)
	for i := range us {
		us[i] = r.srv.User(int64(20_800+i), "en")
		sendTexts(t, rn, us[i].ID, flows.PriorityReply, "a", "b")
	}
	for _, u := range us {
		waitFor(t, "messages", func() bool { return len(u.Received()) >= each })
		if got := texts(u); fmt.Sprint(got) != "[a b]" {
			t.Errorf("chat %d got %q, want [a b]", u.ID, got)
		}
	}
	st := r.srv.Stats()
	if st.EarlyRetries != 0 {
		t.Errorf("%d messages came sooner than a retry_after allowed", st.EarlyRetries)
	}
	t.Logf("%d messages over the bot-wide limit of 30/s: %d refused with 429", chats*each, st.TooManyRequests)
}
