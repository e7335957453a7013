package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/flows"
)

var _ flows.Sessions = (*Sessions)(nil)

// Sessions keeps conversation sessions in Redis as JSON, one key per chat,
// each with a TTL that every Put renews.
type Sessions struct {
	c      redis.UniversalClient
	prefix string
	ttl    time.Duration
}

// NewSessions returns a session store whose keys start with prefix and
// expire ttl after the last Put; a ttl of 0 keeps them until deleted.
func NewSessions(c redis.UniversalClient, prefix string, ttl time.Duration) *Sessions {
	return &Sessions{c: c, prefix: prefix, ttl: ttl}
}

func (s *Sessions) key(chatID int64) string {
	return s.prefix + "s:" + strconv.FormatInt(chatID, 10)
}

// Get returns the chat's session or ErrNotFound.
func (s *Sessions) Get(ctx context.Context, chatID int64) (*flows.Session, error) {
	b, err := s.c.Get(ctx, s.key(chatID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("get session %d: %w", chatID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get session %d: %w", chatID, err)
	}
	var sess flows.Session
	if err := json.Unmarshal(b, &sess); err != nil {
		// json's errors can quote the text they choke on: keep only that
		// the session is unreadable.
		return nil, fmt.Errorf("get session %d: malformed json", chatID)
	}
	return &sess, nil
}

// Put saves the session and renews its TTL. Inside a Batch (WithBatch) the
// write waits for the batch.
func (s *Sessions) Put(ctx context.Context, sess *flows.Session) error {
	b, err := json.Marshal(sess)
	if err != nil {
		return fmt.Errorf("put session %d: encode", sess.ChatID)
	}
	key := s.key(sess.ChatID)
	err = write(ctx, s.c, func(p redis.Pipeliner) {
		p.Set(ctx, key, b, s.ttl)
	})
	if err != nil {
		return fmt.Errorf("put session %d: %w", sess.ChatID, err)
	}
	return nil
}

// Delete forgets the chat's session. Inside a Batch the delete waits for the
// batch.
func (s *Sessions) Delete(ctx context.Context, chatID int64) error {
	key := s.key(chatID)
	err := write(ctx, s.c, func(p redis.Pipeliner) {
		p.Del(ctx, key)
	})
	if err != nil {
		return fmt.Errorf("delete session %d: %w", chatID, err)
	}
	return nil
}
