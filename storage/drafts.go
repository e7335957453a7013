package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/flows"
)

var _ flows.Drafts = (*Drafts)(nil)

// Drafts remembers the chats with a report begun and not sent, for the
// reminder of one left unfinished: one sorted set, prefix+"drafts", of chat
// ids scored by when each is due (Unix milliseconds). Only ids are kept;
// the draft itself is in the chat's session.
type Drafts struct {
	c   redis.UniversalClient
	key string
}

// NewDrafts returns a store whose key starts with prefix.
func NewDrafts(c redis.UniversalClient, prefix string) *Drafts {
	return &Drafts{c: c, key: prefix + "drafts"}
}

// Watch makes the chat's draft due at due.
func (s *Drafts) Watch(ctx context.Context, chatID int64, due time.Time) error {
	err := s.c.ZAdd(ctx, s.key, redis.Z{Score: float64(due.UnixMilli()), Member: chatID}).Err()
	if err != nil {
		return fmt.Errorf("watch draft of %d: %w", chatID, err)
	}
	return nil
}

// Due returns up to n chats whose drafts are due by now, the earliest first.
func (s *Drafts) Due(ctx context.Context, now time.Time, n int64) ([]int64, error) {
	vs, err := s.c.ZRangeByScore(ctx, s.key, &redis.ZRangeBy{Min: "-inf",
		Max: strconv.FormatInt(now.UnixMilli(), 10), Count: n}).Result()
	if err != nil {
		return nil, fmt.Errorf("drafts due: %w", err)
	}
	out := make([]int64, 0, len(vs))
	for _, v := range vs {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out, nil
}

// claimDraft: KEYS[1] the set; ARGV: chat id, now, until (ms). A draft due
// by now becomes due at until, and 1 is returned; otherwise 0.
var claimDraft = redis.NewScript(`
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) <= tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  return 1
end
return 0
`)

// Claim takes a draft due by now for its reminder: it is not due again
// before until, so another process's tick leaves it alone. False when it
// is not due (watched again since, claimed, or forgotten).
func (s *Drafts) Claim(ctx context.Context, chatID int64, now, until time.Time) (bool, error) {
	n, err := claimDraft.Run(ctx, s.c, []string{s.key}, chatID, now.UnixMilli(), until.UnixMilli()).Int()
	if err != nil && !errors.Is(err, redis.Nil) {
		return false, fmt.Errorf("claim draft of %d: %w", chatID, err)
	}
	return n == 1, nil
}

// Forget stops watching the chat's draft.
func (s *Drafts) Forget(ctx context.Context, chatID int64) error {
	if err := s.c.ZRem(ctx, s.key, chatID).Err(); err != nil {
		return fmt.Errorf("forget draft of %d: %w", chatID, err)
	}
	return nil
}
