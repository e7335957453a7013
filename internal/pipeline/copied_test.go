package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

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
