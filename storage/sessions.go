package storage

import (
	"hotline/internal/batch"

	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/flows"
)

var _ flows.Sessions = (*Sessions)(nil)

// Sessions keeps conversation sessions in Redis as JSON, one key per chat,
// each with a TTL that every Put renews. With a keyring (WithKeys) the JSON
// is compressed and sealed like the personal data in Postgres: a draft holds
// names, an A-number and phones, and Redis writes it to disk (AOF).
type Sessions struct {
	c      redis.UniversalClient
	prefix string
	ttl    time.Duration
	keys   *Keyring
}

// NewSessions returns a session store whose keys start with prefix and
// expire ttl after the last Put; a ttl of 0 keeps them until deleted.
func NewSessions(c redis.UniversalClient, prefix string, ttl time.Duration) *Sessions {
	return &Sessions{c: c, prefix: prefix, ttl: ttl}
}

// WithKeys returns the store sealing sessions under keys. It still reads
// sessions stored in plain JSON before, so that a running conversation
// survives the upgrade.
func (s *Sessions) WithKeys(keys *Keyring) *Sessions {
	c := *s
	c.keys = keys
	return &c
}

// sessionField is the place a chat's session is sealed for: a sealed
// session moved to another chat's key does not open.
func sessionField(chatID int64) field { return field{table: "redis", column: "session", row: chatID} }

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
	if len(b) > 0 && b[0] != '{' {
		if b, err = s.unseal(chatID, b); err != nil {
			// A session under a key removed after a rotation, or damaged,
			// cannot be read again: the chat starts afresh rather than
			// failing on every message.
			return nil, fmt.Errorf("get session %d: %w (%w)", chatID, ErrNotFound, err)
		}
	}
	var sess flows.Session
	if err := json.Unmarshal(b, &sess); err != nil {
		// json's errors can quote the text they choke on: keep only that
		// the session is unreadable.
		return nil, fmt.Errorf("get session %d: malformed json", chatID)
	}
	return &sess, nil
}

// Put saves the session and renews its TTL. Inside a batch (batch.With) the
// write waits for the batch.
func (s *Sessions) Put(ctx context.Context, sess *flows.Session) error {
	b, err := json.Marshal(sess)
	if err != nil {
		return fmt.Errorf("put session %d: encode", sess.ChatID)
	}
	if s.keys != nil {
		b = s.seal(sess.ChatID, b)
	}
	key := s.key(sess.ChatID)
	err = batch.Write(ctx, s.c, func(p redis.Pipeliner) {
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
	err := batch.Write(ctx, s.c, func(p redis.Pipeliner) {
		p.Del(ctx, key)
	})
	if err != nil {
		return fmt.Errorf("delete session %d: %w", chatID, err)
	}
	return nil
}

// compressors are reused: a flate writer is large to set up, and every
// update of a conversation writes its session.
var compressors = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestCompression) // the level is valid
	return w
}}

// seal compresses a session's JSON and encrypts it for its chat.
func (s *Sessions) seal(chatID int64, js []byte) []byte {
	var buf bytes.Buffer
	w := compressors.Get().(*flate.Writer)
	w.Reset(&buf)
	_, _ = w.Write(js) // writes to a buffer do not fail
	_ = w.Close()
	compressors.Put(w)
	return s.keys.seal(sessionField(chatID), buf.String())
}

// unseal opens a sealed session and returns its JSON.
func (s *Sessions) unseal(chatID int64, v []byte) ([]byte, error) {
	if s.keys == nil {
		return nil, ErrNoKeys
	}
	z, err := s.keys.open(sessionField(chatID), v)
	if err != nil {
		return nil, err
	}
	js, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader([]byte(z))), 1<<20))
	if err != nil {
		return nil, ErrCorrupt
	}
	return js, nil
}
