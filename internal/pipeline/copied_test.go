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

// TestSenderTellsWhereTaggedCardsWent: a tagged sendMessage is told to
// OnSent with the message Telegram made, the tag kept through the outbox; a
// joined message with the tags of its calls in order, when each has one.
// A joined message with an untagged card is not told (the flows could not
// draw it again), nor is an untagged message.
func TestSenderTellsWhereTaggedCardsWent(t *testing.T) {
	var mu sync.Mutex
	got := map[int][]string{} // message id → the tags told
	onSent := func(_ context.Context, chat int64, msg int, tags []string) error {
		mu.Lock()
		defer mu.Unlock()
		got[msg] = tags
		return nil
	}
	r, rn, _ := senderRig(t, Options{OnSent: onSent}, telegramtest.WithLimits(telegramtest.DefaultLimits()))
	u := r.srv.User(20_911, "en")
	tagged := func(i int) Call {
		c := card(u.ID, fmt.Sprintf("case %d", i))
		c.Tag = fmt.Sprintf("card:%d", i)
		return c
	}
	// One card alone; then four queued at once, which go joined; then two
	// with an untagged card between them, joined too.
	batches := [][]Call{
		{tagged(0)},
		{tagged(1), tagged(2), tagged(3), tagged(4)},
		{tagged(5), card(u.ID, "case u"), tagged(6), sendCall(u.ID, flows.PriorityNotice, "plain")},
	}
	for i, b := range batches {
		if err := rn.p.Send(context.Background(), b...); err != nil {
			t.Fatal(err)
		}
		last := []string{"case 0", "case 4", "plain"}[i]
		waitFor(t, last, func() bool { ms := u.Received(); return len(ms) > 0 && strings.HasSuffix(ms[len(ms)-1].Text, last) })
	}
	mu.Lock()
	defer mu.Unlock()
	joined, mixed := false, false
	for _, m := range u.Received() {
		mixed = mixed || strings.Contains(m.Text, "case u") && strings.Count(m.Text, "case ") > 1
		var want []string // the tags of the cards it shows, nil when one is untagged
		for _, part := range strings.Split(m.Text, "\n\n") {
			n, ok := strings.CutPrefix(part, "case ")
			if !ok || n == "u" {
				want = nil
				break
			}
			want = append(want, "card:"+n)
		}
		joined = joined || len(want) > 1
		if fmt.Sprint(got[m.ID]) != fmt.Sprint(want) {
			t.Errorf("message %d %q: OnSent told %q, want %q", m.ID, m.Text, got[m.ID], want)
		}
	}
	if !joined || !mixed {
		t.Errorf("tagged cards joined: %v; with an untagged one: %v; want both", joined, mixed)
	}
}
