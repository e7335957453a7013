package storage

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/flows"
	"hotline/internal/batch"
)

var _ flows.Sessions = (*Sessions)(nil)

// Sessions keeps conversation sessions in Redis as JSON, one key per chat,
// each with a TTL that every Put renews. With a keyring (WithKeys) the JSON
// is compressed and sealed like the personal data in Postgres: a draft holds
// names, an A-number and phones, and Redis writes it to disk (AOF).
//
// Handling an update, inside a batch with a scope (batch.New), a chat's
// session is cached in memory for that scope: the pipeline scopes a batch by
// its partition lease, and while a process holds a partition only its own
// commits write the sessions of the partition's chats, so the session read
// next is the one this process last committed. A Put drops the cached copy
// at once and caches the new one when its batch is committed; a commit that
// fails or is refused leaves nothing cached. Writes made elsewhere (another
// process, a tool) must not change the session of a chat whose updates are
// being handled; none do today.
type Sessions struct {
	c      redis.UniversalClient
	prefix string
	ttl    time.Duration
	keys   *Keyring
	tag    func(chatID int64) string
	cache  *sessionCache
}

// NewSessions returns a session store whose keys start with prefix and
// expire ttl after the last Put; a ttl of 0 keeps them until deleted.
func NewSessions(c redis.UniversalClient, prefix string, ttl time.Duration) *Sessions {
	return &Sessions{c: c, prefix: prefix, ttl: ttl, cache: newSessionCache(sessionCacheSize, sessionCacheIdle)}
}

// WithTag returns the store with each chat's key carrying the hash tag tag
// returns for it, so that on a Redis Cluster the session lives in the slot
// of the pipeline partition whose commits write it (pipeline.TagOf).
func (s *Sessions) WithTag(tag func(chatID int64) string) *Sessions {
	c := *s
	c.tag = tag
	return &c
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

// Key returns the Redis key of a chat's session.
func (s *Sessions) Key(chatID int64) string {
	if s.tag != nil {
		return s.prefix + "s:" + s.tag(chatID) + ":" + strconv.FormatInt(chatID, 10)
	}
	return s.prefix + "s:" + strconv.FormatInt(chatID, 10)
}

// scope returns the cache scope of ctx: "" outside a scoped batch.
func scope(ctx context.Context) string {
	if b := batch.From(ctx); b != nil {
		return b.Scope()
	}
	return ""
}

// Get returns the chat's session or ErrNotFound.
func (s *Sessions) Get(ctx context.Context, chatID int64) (*flows.Session, error) {
	sc := scope(ctx)
	b, cached := s.cache.get(sc, chatID)
	if !cached {
		var err error
		b, err = s.c.Get(ctx, s.Key(chatID)).Bytes()
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
		s.cache.put(sc, chatID, b)
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
	js, err := json.Marshal(sess)
	if err != nil {
		return fmt.Errorf("put session %d: encode", sess.ChatID)
	}
	b := js
	if s.keys != nil {
		b = s.seal(sess.ChatID, js)
	}
	key, chat := s.Key(sess.ChatID), sess.ChatID
	s.cache.drop(chat)
	if bt := batch.From(ctx); bt != nil && bt.Scope() != "" {
		sc := bt.Scope()
		bt.OnCommit(func() { s.cache.put(sc, chat, js) })
	}
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
	key := s.Key(chatID)
	s.cache.drop(chatID)
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

// The session cache: sessionCacheSize chats at most, each forgotten
// sessionCacheIdle after it was last used, so that it holds the
// conversations going on now, not every one open.
const (
	sessionCacheSize = 4096
	sessionCacheIdle = 5 * time.Minute
)

type cachedSession struct {
	scope string
	js    []byte
	used  time.Time
}

type sessionCache struct {
	mu    sync.Mutex
	max   int
	idle  time.Duration
	chats map[int64]*cachedSession
	swept time.Time
}

func newSessionCache(size int, idle time.Duration) *sessionCache {
	return &sessionCache{max: size, idle: idle, chats: map[int64]*cachedSession{}}
}

// get returns the chat's session JSON cached in scope.
func (c *sessionCache) get(scope string, chatID int64) ([]byte, bool) {
	if scope == "" {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.chats[chatID]
	now := time.Now()
	if e == nil || e.scope != scope || now.Sub(e.used) > c.idle {
		return nil, false
	}
	e.used = now
	return e.js, true
}

// put caches a chat's session JSON for scope.
func (c *sessionCache) put(scope string, chatID int64, js []byte) {
	if scope == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if len(c.chats) >= c.max && c.chats[chatID] == nil {
		c.sweep(now)
	}
	if len(c.chats) >= c.max {
		return // full of chats in use: this one is read from Redis
	}
	c.chats[chatID] = &cachedSession{scope: scope, js: js, used: now}
}

// sweep forgets idle chats; when none is idle, the least recently used
// quarter (at most once a second, so that a full cache costs no sorting
// per update).
func (c *sessionCache) sweep(now time.Time) {
	for id, e := range c.chats {
		if now.Sub(e.used) > c.idle {
			delete(c.chats, id)
		}
	}
	if len(c.chats) < c.max || now.Sub(c.swept) < time.Second {
		return
	}
	c.swept = now
	ids := make([]int64, 0, len(c.chats))
	for id := range c.chats {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b int64) int { return c.chats[a].used.Compare(c.chats[b].used) })
	for _, id := range ids[:len(ids)/4] {
		delete(c.chats, id)
	}
}

func (c *sessionCache) drop(chatID int64) {
	c.mu.Lock()
	delete(c.chats, chatID)
	c.mu.Unlock()
}
