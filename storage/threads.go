package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/flows"
)

var _ flows.Threads = (*Threads)(nil)

// Threads remembers which message the bot's relayed copies were copied from,
// so that a reply to either one can be relayed as a reply to the other. A
// pair is kept both ways, under prefix+"th:<chat>:<message>", for a TTL:
// replies to older messages are relayed without the thread. Only chat and
// message ids are kept, never what was written.
type Threads struct {
	c      redis.UniversalClient
	prefix string
	ttl    time.Duration
}

// NewThreads returns a store whose keys start with prefix and expire ttl
// after the copy was made.
func NewThreads(c redis.UniversalClient, prefix string, ttl time.Duration) *Threads {
	return &Threads{c: c, prefix: prefix, ttl: ttl}
}

func (t *Threads) key(chatID int64, messageID int) string {
	return t.prefix + "th:" + strconv.FormatInt(chatID, 10) + ":" + strconv.Itoa(messageID)
}

func pairValue(chatID int64, messageID int) string {
	return strconv.FormatInt(chatID, 10) + ":" + strconv.Itoa(messageID)
}

// Record keeps that message messageID in chatID is a copy of fromMessageID
// in fromChatID, and the other way round. Its signature is the pipeline's
// OnCopied.
func (t *Threads) Record(ctx context.Context, chatID int64, messageID int, fromChatID int64, fromMessageID int) error {
	// Two keys, in two slots on a cluster: one pipeline, not a transaction.
	// A pair half written threads replies one way only.
	_, err := t.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, t.key(chatID, messageID), pairValue(fromChatID, fromMessageID), t.ttl)
		p.Set(ctx, t.key(fromChatID, fromMessageID), pairValue(chatID, messageID), t.ttl)
		return nil
	})
	if err != nil {
		return fmt.Errorf("record copy %d/%d of %d/%d: %w", chatID, messageID, fromChatID, fromMessageID, err)
	}
	return nil
}

// Counterpart returns the other message of a relayed pair: the original of a
// copy, or the latest copy of an original. ErrNotFound when the message was
// not relayed, or too long ago.
func (t *Threads) Counterpart(ctx context.Context, chatID int64, messageID int) (int64, int, error) {
	v, err := t.c.Get(ctx, t.key(chatID, messageID)).Result()
	if errors.Is(err, redis.Nil) {
		return 0, 0, fmt.Errorf("counterpart of %d/%d: %w", chatID, messageID, ErrNotFound)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("counterpart of %d/%d: %w", chatID, messageID, err)
	}
	c, m, ok := strings.Cut(v, ":")
	otherChat, err1 := strconv.ParseInt(c, 10, 64)
	otherMsg, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("counterpart of %d/%d: malformed value", chatID, messageID)
	}
	return otherChat, otherMsg, nil
}
