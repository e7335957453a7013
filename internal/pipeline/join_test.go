package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"hotline/bot/telegramtest"
	"hotline/flows"
)

// card is a joinable sendMessage with one button, like a case's card.
func card(chat int64, text string) Call {
	raw, _ := json.Marshal(map[string]any{
		"chat_id": chat, "text": text, "parse_mode": "HTML", "protect_content": true,
		"reply_markup": map[string]any{"inline_keyboard": [][]map[string]string{{{"text": "Take " + text, "callback_data": "t:" + text}}}},
	})
	return Call{Method: "sendMessage", ChatID: chat, Priority: flows.PriorityNotice, Params: raw, Join: true}
}

// TestSenderJoinsQueuedCards: twelve cards queued for one chat, whose limit
// is three messages at once and then one a second, reach it in a few
// messages rather than twelve seconds of them: every card once, in order,
// each with its own button. A message that does not allow joining is never
// joined and keeps its place.
func TestSenderJoinsQueuedCards(t *testing.T) {
	r, rn, reg := senderRig(t, Options{}, telegramtest.WithLimits(telegramtest.DefaultLimits()))
	u := r.srv.User(21_001, "en")
	var calls []Call
	for i := range 12 {
		if i == 6 {
			calls = append(calls, sendCall(u.ID, flows.PriorityNotice, "plain"))
		}
		calls = append(calls, card(u.ID, fmt.Sprintf("case %02d", i)))
	}
	if err := rn.p.Send(context.Background(), calls...); err != nil {
		t.Fatal(err)
	}
	all := func() string {
		var b strings.Builder
		for _, m := range u.Received() {
			b.WriteString(m.Text + "\n")
		}
		return b.String()
	}
	waitFor(t, "every card", func() bool { return strings.Contains(all(), "case 11") })
	msgs := u.Received()
	var got []string
	var buttons []string
	for _, m := range msgs {
		got = append(got, strings.Split(m.Text, "\n\n")...)
		for _, row := range m.Buttons {
			for _, b := range row {
				buttons = append(buttons, b.Data)
			}
		}
		if m.Text == "plain" && len(m.Buttons) != 0 {
			t.Errorf("the plain message got buttons: %v", m.Buttons)
		}
	}
	var want, wantButtons []string
	for i := range 12 {
		if i == 6 {
			want = append(want, "plain")
		}
		want = append(want, fmt.Sprintf("case %02d", i))
		wantButtons = append(wantButtons, fmt.Sprintf("t:case %02d", i))
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the chat read\n%q\nwant\n%q", got, want)
	}
	if fmt.Sprint(buttons) != fmt.Sprint(wantButtons) {
		t.Errorf("buttons %q, want %q", buttons, wantButtons)
	}
	if len(msgs) > 6 {
		t.Errorf("%d messages for 13 calls: the cards were not joined", len(msgs))
	}
	if n := counter(t, reg, "hotline_calls_joined_total", nil); n < 2 {
		t.Errorf("hotline_calls_joined_total = %v", n)
	}
	// Every joined call left the outbox: nothing is sent again.
	waitFor(t, "an empty outbox", func() bool {
		n, err := rn.p.out.Waiting(context.Background(), []int{rn.p.out.PartitionOf(u.ID)})
		return err == nil && n == 0
	})
	if st := r.srv.Stats(); st.EarlyRetries != 0 {
		t.Errorf("%d early retries", st.EarlyRetries)
	}
	t.Logf("13 calls in %d messages", len(msgs))
}

// TestSenderSendsRefusedJoinedCardsAlone: when Telegram refuses a joined
// message, its cards go one by one and only a card refused on its own is
// dropped.
func TestSenderSendsRefusedJoinedCardsAlone(t *testing.T) {
	r, rn, _ := senderRig(t, Options{})
	u := r.srv.User(21_002, "en")
	// A first message answered slowly, while the cards queue behind it;
	// then Telegram refuses the next message: the cards joined.
	r.srv.Fault(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Delay: 300 * time.Millisecond, Times: 1})
	r.srv.Fault(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Status: 400, Times: 1})
	if err := rn.p.Send(context.Background(), sendCall(u.ID, flows.PriorityNotice, "first")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first call", func() bool { return r.srv.Stats().Calls["sendMessage"] >= 1 })
	if err := rn.p.Send(context.Background(), card(u.ID, "a"), card(u.ID, "b"), card(u.ID, "c")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the cards", func() bool { return len(u.Received()) >= 4 })
	if got := texts(u); fmt.Sprint(got) != "[first a b c]" {
		t.Errorf("user got %q, want each card once, on its own, in order", got)
	}
}

func TestJoinerLimits(t *testing.T) {
	long := strings.Repeat("я", 3000)
	var j joiner
	if !j.add(card(1, long).Params) {
		t.Fatal("a card alone does not fit")
	}
	if j.add(card(1, long).Params) {
		t.Error("joined past 4,096 characters")
	}
	j = joiner{}
	j.add(card(1, "a").Params)
	if j.add(card(2, "b").Params) {
		t.Error("joined messages to two chats")
	}
	plain, _ := json.Marshal(map[string]any{"chat_id": 1, "text": "b"})
	if j.add(plain) {
		t.Error("joined messages with different options")
	}
	photo, _ := json.Marshal(map[string]any{"chat_id": 1, "text": "b", "parse_mode": "HTML", "protect_content": true, "photo": "x"})
	if j.add(photo) {
		t.Error("joined a message with a parameter it would lose")
	}
}
