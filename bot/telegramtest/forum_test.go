package telegramtest

import (
	"context"
	"strings"
	"testing"

	tg "github.com/go-telegram/bot"
)

// TestForumTopics drives topics with the client the bot uses: a topic is
// created in a forum supergroup, a message sent into it carries its
// thread, is pinned there; a member's message in the topic reaches the bot
// with message_thread_id; a closed topic refuses messages until reopened;
// a deleted one, and a group without topics, are refused plainly.
func TestForumTopics(t *testing.T) {
	s := New()
	defer s.Close()
	b := newClient(t, s)
	ctx := context.Background()
	coord := s.User(3, "en")
	g := s.Group(-1_000_000_000_042, "Hotline desk")
	g.AddBot(coord)
	if _, err := b.CreateForumTopic(ctx, &tg.CreateForumTopicParams{ChatID: g.ID, Name: "K7M4"}); err == nil ||
		!strings.Contains(err.Error(), "not a forum") {
		t.Errorf("a topic in a group without topics: %v", err)
	}
	g.SetForum(true)
	topic, err := b.CreateForumTopic(ctx, &tg.CreateForumTopicParams{ChatID: g.ID, Name: "K7M4-Q9XZ · urgent"})
	if err != nil || topic.MessageThreadID == 0 || topic.Name != "K7M4-Q9XZ · urgent" {
		t.Fatalf("createForumTopic = %+v, %v", topic, err)
	}
	card, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: g.ID, MessageThreadID: topic.MessageThreadID, Text: "the card"})
	if err != nil || !card.IsTopicMessage || card.MessageThreadID != topic.MessageThreadID {
		t.Fatalf("sendMessage into the topic = %+v, %v", card, err)
	}
	if m := g.Next(t); m.ThreadID != topic.MessageThreadID || m.Text != "the card" {
		t.Errorf("the group got %+v, want the card in thread %d", m, topic.MessageThreadID)
	}
	if ok, err := b.PinChatMessage(ctx, &tg.PinChatMessageParams{ChatID: g.ID, MessageID: card.ID}); !ok || err != nil {
		t.Fatalf("pinChatMessage = %v, %v", ok, err)
	}
	if got := g.Pinned(topic.MessageThreadID); got != card.ID {
		t.Errorf("pinned in the topic: %d, want %d", got, card.ID)
	}
	if ok, err := b.EditForumTopic(ctx, &tg.EditForumTopicParams{ChatID: g.ID, MessageThreadID: topic.MessageThreadID, Name: "K7M4-Q9XZ"}); !ok || err != nil {
		t.Fatalf("editForumTopic = %v, %v", ok, err)
	}

	// A member writes in the topic: the bot sees which.
	getUpdates(t, s, map[string]any{}) // the bot joining
	g.SendInTopic(coord, topic.MessageThreadID, card.ID, "I call the lawyer")
	ups := getUpdates(t, s, map[string]any{"offset": -1})
	if m := ups[len(ups)-1].Message; m == nil || m.MessageThreadID != topic.MessageThreadID || !m.IsTopicMessage ||
		m.ReplyToMessage == nil || m.ReplyToMessage.ID != card.ID {
		t.Errorf("the member's message in the topic reached the bot as %+v", m)
	}

	if ok, err := b.CloseForumTopic(ctx, &tg.CloseForumTopicParams{ChatID: g.ID, MessageThreadID: topic.MessageThreadID}); !ok || err != nil {
		t.Fatalf("closeForumTopic = %v, %v", ok, err)
	}
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: g.ID, MessageThreadID: topic.MessageThreadID, Text: "x"}); err == nil ||
		!strings.Contains(err.Error(), "TOPIC_CLOSED") {
		t.Errorf("a message into a closed topic: %v, want TOPIC_CLOSED", err)
	}
	if ok, err := b.ReopenForumTopic(ctx, &tg.ReopenForumTopicParams{ChatID: g.ID, MessageThreadID: topic.MessageThreadID}); !ok || err != nil {
		t.Fatalf("reopenForumTopic = %v, %v", ok, err)
	}
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: g.ID, MessageThreadID: topic.MessageThreadID, Text: "reopened"}); err != nil {
		t.Errorf("a message into the reopened topic: %v", err)
	}
	g.DeleteTopic(topic.MessageThreadID)
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: g.ID, MessageThreadID: topic.MessageThreadID, Text: "x"}); err == nil ||
		!strings.Contains(err.Error(), "message thread not found") {
		t.Errorf("a message into a deleted topic: %v", err)
	}
	if ts := g.Topics(); len(ts) != 1 || ts[0].Name != "K7M4-Q9XZ" || !ts[0].Deleted {
		t.Errorf("topics = %+v", ts)
	}
}
