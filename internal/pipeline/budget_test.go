package pipeline

import (
	"testing"
	"time"
)

// The limits' arithmetic on a clock the test moves: no Redis, no HTTP.

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func ms(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }

// sendAll sends to chat id as soon as the budget allows, from t0, and
// returns when each of n messages went (ms after t0).
func sendAll(b *budget, id int64, c *chatBudget, n int) []int {
	var at []int
	now := t0
	for len(at) < n {
		w := max(b.chatWait(id, c, now, true), b.globalWait(now))
		if w > 0 {
			now = now.Add(w)
			continue
		}
		b.count(id, c, now)
		at = append(at, int(now.Sub(t0)/time.Millisecond))
	}
	return at
}

func TestBudgetPrivateChatBurstThenRate(t *testing.T) {
	b := newBudget(Limits{PerChat: 1, ChatBurst: 3}, 1)
	c := b.newChat()
	got := sendAll(b, 42, &c, 5)
	// Three at once, then one a second.
	want := []int{0, 0, 0, 1000, 2000}
	if len(got) != len(want) {
		t.Fatalf("sent at %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sent at %v ms, want %v", got, want)
		}
	}
	// Idle for three seconds: the bucket is full again.
	if !b.rested(42, &c, ms(5000)) {
		t.Error("a chat idle for 3 s is not rested")
	}
}

func TestBudgetGroupPerMinute(t *testing.T) {
	b := newBudget(Limits{PerGroupPerMinute: 20}, 1)
	c := b.newChat()
	for i := range 20 {
		if w := b.chatWait(-100, &c, ms(i), true); w != 0 {
			t.Fatalf("message %d to the group waits %v, want none", i+1, w)
		}
		b.count(-100, &c, ms(i))
	}
	if got, want := b.chatWait(-100, &c, ms(20), true), time.Minute-20*time.Millisecond; got != want {
		t.Errorf("21st message waits %v, want %v (a minute after the first)", got, want)
	}
	if got := b.chatWait(-100, &c, ms(60_000), true); got != 0 {
		t.Errorf("a minute on, the group waits %v, want none", got)
	}
	// answerCallbackQuery and the like are not messages.
	if got := b.chatWait(-100, &c, ms(20), false); got != 0 {
		t.Errorf("a call that is not a message waits %v", got)
	}
}

func TestBudgetGlobalShareAndSpacing(t *testing.T) {
	tests := []struct {
		name        string
		held, total int
		wantGap     time.Duration
	}{
		{"all partitions: 30/s", 64, 64, time.Second / 30},
		{"half the partitions: 15/s", 32, 64, time.Second / 15},
		{"one of 64: at least 1/s", 1, 64, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBudget(Limits{Global: 30}, tt.total)
			b.setHeld(tt.held)
			c := b.newChat()
			b.count(1, &c, t0)
			if got := b.globalWait(t0); got != tt.wantGap {
				t.Errorf("next message waits %v, want %v (evenly spaced)", got, tt.wantGap)
			}
			if got := b.globalWait(t0.Add(tt.wantGap)); got != 0 {
				t.Errorf("after the gap, the next waits %v", got)
			}
		})
	}
}

func TestBudgetRefund(t *testing.T) {
	b := newBudget(Limits{PerChat: 1, ChatBurst: 1}, 1)
	c := b.newChat()
	b.count(7, &c, t0)
	if w := b.chatWait(7, &c, t0, true); w == 0 {
		t.Fatal("a chat that spent its burst may send at once")
	}
	b.refund(7, &c, t0) // Telegram did not carry it out
	if w := b.chatWait(7, &c, t0, true); w != 0 {
		t.Errorf("after a refund the chat waits %v, want none", w)
	}
}

func TestBudgetTooMany(t *testing.T) {
	b := newBudget(Limits{Margin: 20 * time.Millisecond}, 1)
	chats := []chatBudget{b.newChat(), b.newChat(), b.newChat()}
	for i, want := range []bool{false, false, true} {
		wait, botWide := b.tooMany(int64(i+1), &chats[i], ms(100*i), 5*time.Second)
		if wait != 5*time.Second+20*time.Millisecond {
			t.Errorf("chat %d holds %v, want retry_after plus the margin", i+1, wait)
		}
		if botWide != want {
			t.Errorf("429 number %d: bot-wide hold = %v, want %v", i+1, botWide, want)
		}
	}
	if got := b.hold(ms(300)); got != 5*time.Second-80*time.Millisecond {
		t.Errorf("bot held for %v more, want until the third 429's retry_after", got)
	}
	if got := b.chatWait(1, &chats[0], ms(1000), true); got <= 0 {
		t.Error("a chat refused with 429 may send before retry_after")
	}
	// 429s spread over more than a second are the chats' own.
	b2 := newBudget(Limits{}, 1)
	for i := range 3 {
		c := b2.newChat()
		if _, botWide := b2.tooMany(int64(i), &c, ms(1500*i), time.Second); botWide {
			t.Errorf("429 number %d, 1.5 s apart, holds the bot", i+1)
		}
		b2.sweep(ms(1500 * i))
	}
}

// TestBudgetGroupWindow: a shorter group window (tests) moves the wait with it.
func TestBudgetGroupWindow(t *testing.T) {
	b := newBudget(Limits{PerGroupPerMinute: 2, GroupWindow: 5 * time.Second}, 1)
	c := b.newChat()
	for i := range 2 {
		b.count(-100, &c, ms(i))
	}
	if got, want := b.chatWait(-100, &c, ms(2), true), 5*time.Second-2*time.Millisecond; got != want {
		t.Errorf("third message waits %v, want %v (the window after the first)", got, want)
	}
	if got := b.chatWait(-100, &c, ms(5_001), true); got != 0 {
		t.Errorf("a window on, the group waits %v, want none", got)
	}
}

// TestBudgetRestamp: a group message counted when taken and restamped when
// it leaves holds the window from when it left.
func TestBudgetRestamp(t *testing.T) {
	b := newBudget(Limits{PerGroupPerMinute: 1}, 1)
	c := b.newChat()
	b.count(-100, &c, ms(0))
	b.restamp(-100, &c, ms(0), ms(300))
	if got, want := b.chatWait(-100, &c, ms(400), true), time.Minute-100*time.Millisecond; got != want {
		t.Errorf("next message waits %v, want %v (a minute after it left)", got, want)
	}
	if len(b.global) != 1 || !b.global[0].Equal(ms(300)) {
		t.Errorf("global window %v, want the one send at 300 ms", b.global)
	}
}

// TestBudgetAnswered: a group message that left at 0 and was answered at
// 700 ms (Telegram counted it in between) holds the group's window from
// the answer, so that the next one cannot arrive inside Telegram's window
// however late the first arrived; a private chat's count stays.
func TestBudgetAnswered(t *testing.T) {
	b := newBudget(Limits{PerGroupPerMinute: 1, PerChat: 1, ChatBurst: 1}, 1)
	g, p := b.newChat(), b.newChat()
	b.count(-100, &g, ms(0))
	b.answered(-100, &g, ms(0), ms(700))
	if got, want := b.chatWait(-100, &g, ms(1000), true), time.Minute-300*time.Millisecond; got != want {
		t.Errorf("next group message waits %v, want %v (a minute after the answer)", got, want)
	}
	b.count(42, &p, ms(0))
	b.answered(42, &p, ms(0), ms(700))
	if got, want := b.chatWait(42, &p, ms(500), true), 500*time.Millisecond; got != want {
		t.Errorf("next private message waits %v, want %v (a second after it left)", got, want)
	}
}
