package e2e

import (
	"context"
	"errors"
	"testing"
	"time"

	"hotline/bot/telegramtest"
	"hotline/flows"
	"hotline/storage"
)

// Replies stay threaded through the relay, as in a direct chat: when one side
// answers a message with Telegram's "reply", the other side's copy is a
// reply to the matching message in their own chat.

// waitThreaded waits until the bot has recorded the copy (or original)
// msgID in chatID. A person reads a message before replying to it; a test
// replies at once, possibly before the sender has noted what it copied.
func (h *harness) waitThreaded(t *testing.T, chatID int64, msgID int) {
	t.Helper()
	th := storage.NewThreads(h.rdb, h.cfg.RedisPrefix, time.Hour)
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, _, err := th.Counterpart(context.Background(), chatID, msgID)
		if err == nil {
			return
		}
		if !errors.Is(err, storage.ErrNotFound) {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("copy %d/%d was not recorded", chatID, msgID)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// repliesTo checks what a relayed copy replies to; 0 means nothing.
func repliesTo(t *testing.T, m *telegramtest.Message, want int) {
	t.Helper()
	if m.ReplyTo != want {
		t.Errorf("user %d: copy %d replies to message %d, want %d", m.ChatID, m.ID, m.ReplyTo, want)
	}
}

// TestThreadsEndToEnd: replies go both ways as replies — to a message kept
// while waiting, to a relayed answer, to one's own message — and a reply to
// a message that was never relayed goes without a thread.
func TestThreadsEndToEnd(t *testing.T) {
	parallel(t)
	h := newHandoffHarness(t)
	vol := h.tg.User(7700501, "en")
	h.addMember(t, vol.ID, flows.RoleVolunteer)
	user := h.tg.User(7700001, "ru")

	user.Send("человек")
	expectText(t, user, h.text("ru", "handoff.joined"))
	kept := user.Send("Мужа задержали сегодня утром на отметке")
	expectText(t, user, h.text("ru", "handoff.kept"))
	h.waitKept(t, user.ID, 1)
	vol.Send("/next")
	expectText(t, vol, h.lead("en", "handoff.taken"))
	keptCopy := nextCopy(t, vol, user.ID, kept, "text")
	joined := expectText(t, user, h.text("ru", "handoff.vol_joined_anon"))

	// The volunteer answers the message kept while waiting: the user sees
	// the answer under their own message.
	h.waitThreaded(t, vol.ID, keptCopy.ID)
	question := vol.Reply(keptCopy.ID, "Which facility is he in?")
	m := nextCopy(t, user, vol.ID, question, "text")
	repliesTo(t, m, kept)

	// The user answers that: the volunteer sees it under their question.
	h.waitThreaded(t, user.ID, m.ID)
	m = nextCopy(t, vol, user.ID, user.Reply(m.ID, "Krome, в Майами"), "text")
	repliesTo(t, m, question)

	// The user replies to their own message: the volunteer sees it under
	// the copy of that message.
	m = nextCopy(t, vol, user.ID, user.Reply(kept, "Это было в 9 утра"), "text")
	repliesTo(t, m, keptCopy.ID)

	// A reply to the bot's own message, which no one wrote to the
	// volunteer, is relayed without a thread.
	m = nextCopy(t, vol, user.ID, user.Reply(joined.ID, "Спасибо"), "text")
	repliesTo(t, m, 0)
}

// TestThreadsOtherChatEndToEnd: a coordinator holding two chats replies to
// a message from the chat that is not active. The answer goes to the chat
// of the message replied to, under it, and not to the active chat, whose
// user must never read another family's conversation.
func TestThreadsOtherChatEndToEnd(t *testing.T) {
	parallel(t)
	h := newHandoffHarness(t)
	coord := h.tg.User(7710601, "en")
	h.addMember(t, coord.ID, flows.RoleCoordinator)
	a, b := h.tg.User(7710001, "en"), h.tg.User(7710002, "en")

	a.Send("human")
	expectText(t, a, h.text("en", "handoff.joined"))
	b.Send("human")
	expectText(t, b, h.text("en", "handoff.joined"))
	h.waitQueue(t, 2)
	for _, u := range []*telegramtest.User{a, b} {
		coord.Send("/next")
		expectText(t, coord, h.lead("en", "handoff.taken"))
		expectText(t, u, h.text("en", "handoff.vol_joined_anon"))
	}
	// b's chat, now active, gets messages with the ids a's chat has.
	for _, text := range []string{"Hello?", "Anyone there?"} {
		msg := b.Send(text)
		expectText(t, coord, h.lead("en", "handoff.from"))
		nextCopy(t, coord, b.ID, msg, "text")
	}
	fromA := a.Send("They moved him last night")
	expectText(t, coord, h.lead("en", "handoff.from"))
	copyA := nextCopy(t, coord, a.ID, fromA, "text")

	h.waitThreaded(t, coord.ID, copyA.ID)
	m := nextCopy(t, a, coord.ID, coord.Reply(copyA.ID, "I am on it"), "text")
	repliesTo(t, m, fromA)
	if !m.Protected || !copyA.Protected {
		t.Error("relayed copies are sent without protect_content")
	}
	// b's chat got nothing: the next thing b sees is what the coordinator
	// writes without a reply, which goes to the active chat.
	m = nextCopy(t, b, coord.ID, coord.Send("Still with you"), "text")
	repliesTo(t, m, 0)
}
