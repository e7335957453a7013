package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"hotline/bot/telegramtest"
	"hotline/flows"
)

// TestSenderReportsCopiesForThreads: each copyMessage that went through is
// reported to OnCopied with the copy's id from Telegram's answer; other
// calls are not; a failing OnCopied neither resends nor drops the message.
func TestSenderReportsCopiesForThreads(t *testing.T) {
	type copied struct {
		chat     int64
		msg      int
		fromChat int64
		fromMsg  int
	}
	var mu sync.Mutex
	var got []copied
	onCopied := func(_ context.Context, chat int64, msg int, fromChat int64, fromMsg int) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, copied{chat, msg, fromChat, fromMsg})
		if len(got) == 1 {
			return errors.New("redis down")
		}
		return nil
	}
	r, rn, _ := senderRig(t, Options{OnCopied: onCopied})
	user, vol := r.srv.User(20_901, "en"), r.srv.User(20_902, "en")
	first, second := user.Send("first"), user.Send("second")

	copyCall := func(from int64, msg int, to int64) Call {
		raw, _ := json.Marshal(map[string]any{"chat_id": to, "from_chat_id": from, "message_id": msg})
		return Call{Method: "copyMessage", ChatID: to, Priority: flows.PriorityReply, Params: raw}
	}
	if err := rn.p.Send(context.Background(), copyCall(user.ID, first, vol.ID),
		sendCall(vol.ID, flows.PriorityReply, "not a copy"), copyCall(user.ID, second, vol.ID)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "three messages", func() bool { return len(vol.Received()) >= 3 })
	waitFor(t, "two reports", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) >= 2 })

	ms := vol.Received()
	want := []copied{{vol.ID, ms[0].ID, user.ID, first}, {vol.ID, ms[2].ID, user.ID, second}}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("OnCopied got %v, want %v", got, want)
	}
	if n := r.srv.Stats().Calls["copyMessage"]; n != 2 || len(ms) != 3 {
		t.Errorf("copyMessage called %d times, %d messages arrived; want 2 and 3", n, len(ms))
	}
}

// TestSenderTellsWhereTaggedCardsWent: a tagged sendMessage that went out
// as a message of its own is told to OnSent with the message Telegram made,
// the tag kept through the outbox; one joined with other cards is not (the
// flows would edit it into one card and take the others away), nor is an
// untagged message.
func TestSenderTellsWhereTaggedCardsWent(t *testing.T) {
	type sent struct {
		msg int
		tag string
	}
	var mu sync.Mutex
	got := map[int64][]sent{}
	onSent := func(_ context.Context, chat int64, msg int, tag string) error {
		mu.Lock()
		defer mu.Unlock()
		got[chat] = append(got[chat], sent{msg, tag})
		return nil
	}
	r, rn, _ := senderRig(t, Options{OnSent: onSent}, telegramtest.WithLimits(telegramtest.DefaultLimits()))
	u := r.srv.User(20_911, "en")
	tagged := func(i int) Call {
		c := card(u.ID, fmt.Sprintf("case %d", i))
		c.Tag = fmt.Sprintf("card:%d", i)
		return c
	}
	// One card alone, then seven queued at once: those go joined.
	if err := rn.p.Send(context.Background(), tagged(0)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first card", func() bool { return len(u.Received()) == 1 })
	calls := []Call{sendCall(u.ID, flows.PriorityNotice, "plain")}
	for i := 1; i < 8; i++ {
		calls = append(calls, tagged(i))
	}
	if err := rn.p.Send(context.Background(), calls...); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "every card", func() bool { return strings.Contains(u.Received()[len(u.Received())-1].Text, "case 7") })
	alone := map[int]string{} // message id → the one card it shows
	joined := 0
	for _, m := range u.Received() {
		switch n := strings.Count(m.Text, "case "); {
		case n == 1:
			alone[m.ID] = "card:" + strings.TrimPrefix(m.Text, "case ")
		case n > 1:
			joined += n
		}
	}
	if joined == 0 || len(alone) == 0 {
		t.Fatalf("%d cards alone and %d joined: want some of each", len(alone), joined)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got[u.ID]) != len(alone) {
		t.Errorf("OnSent told of %v, want the %d cards sent alone %v", got[u.ID], len(alone), alone)
	}
	for _, s := range got[u.ID] {
		if alone[s.msg] != s.tag {
			t.Errorf("OnSent: message %d has tag %q, but it shows %q", s.msg, s.tag, alone[s.msg])
		}
	}
}
