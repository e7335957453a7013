package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/flows"
	"hotline/storage"
	"hotline/storage/storagetest"
)

func sampleSession(chatID int64) *flows.Session {
	r := fullReport()
	r.ReporterChatID, r.ReporterUserID, r.Lang = 0, 0, "" // not kept in a session
	return &flows.Session{
		ChatID:  chatID,
		Lang:    "ru",
		Flow:    "report",
		Step:    "facility",
		Back:    []string{"consent", "name", "birth"},
		Nonce:   "k3",
		Pending: "resume",
		Draft:   *r,
		Updated: time.Date(2026, 3, 12, 14, 5, 0, 0, time.UTC),
	}
}

func TestSessionsRoundTrip(t *testing.T) {
	ctx := context.Background()
	c, prefix := storagetest.Redis(t)
	const ttl = time.Hour
	s := storage.NewSessions(c, prefix, ttl)

	want := sampleSession(4242)
	if err := s.Put(ctx, want); err != nil {
		t.Fatalf("Put: %v", err)
	}
	got, err := s.Get(ctx, 4242)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Get = %+v\nwant %+v", got, want)
	}

	key := prefix + "s:4242"
	if left := c.TTL(ctx, key).Val(); left <= 0 || left > ttl {
		t.Errorf("TTL of %s = %v, want in (0, %v]", key, left, ttl)
	}
	// Put renews the TTL.
	c.Expire(ctx, key, time.Minute)
	if err := s.Put(ctx, want); err != nil {
		t.Fatal(err)
	}
	if left := c.TTL(ctx, key).Val(); left <= time.Minute {
		t.Errorf("TTL after a second Put = %v, want renewed to about %v", left, ttl)
	}

	if err := s.Delete(ctx, 4242); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Get(ctx, 4242); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("Get after Delete: err = %v, want ErrNotFound", err)
	}
}

func TestSessionsMissing(t *testing.T) {
	c, prefix := storagetest.Redis(t)
	s := storage.NewSessions(c, prefix, time.Hour)
	_, err := s.Get(context.Background(), 77)
	if !errors.Is(err, flows.ErrNotFound) || !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Get of a chat with no session: err = %v, want ErrNotFound", err)
	}
}

func TestSessionsMalformed(t *testing.T) {
	ctx := context.Background()
	c, prefix := storagetest.Redis(t)
	s := storage.NewSessions(c, prefix, time.Hour)
	c.Set(ctx, prefix+"s:5", `{"c":5,"d":{"nl":"Ivanov`, 0)
	_, err := s.Get(ctx, 5)
	if err == nil || errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("Get of a malformed session: err = %v, want a decoding error", err)
	}
	if containsAny(err.Error(), "Ivanov") {
		t.Errorf("error %q quotes the session", err)
	}
}

func TestSessionsBatch(t *testing.T) {
	ctx := context.Background()
	c, prefix := storagetest.Redis(t)
	s := storage.NewSessions(c, prefix, time.Hour)
	if err := s.Put(ctx, sampleSession(2)); err != nil {
		t.Fatal(err)
	}

	var b storage.Batch
	bctx := storage.WithBatch(ctx, &b)
	if err := s.Put(bctx, sampleSession(1)); err != nil {
		t.Fatalf("Put in a batch: %v", err)
	}
	if err := s.Delete(bctx, 2); err != nil {
		t.Fatalf("Delete in a batch: %v", err)
	}
	if n := c.Exists(ctx, prefix+"s:1", prefix+"s:2").Val(); n != 1 {
		t.Fatalf("before the batch is applied: %d of the two keys exist, want only the old one", n)
	}
	if _, err := s.Get(ctx, 1); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("Get before the batch is applied: err = %v, want ErrNotFound", err)
	}
	if b.Len() != 2 {
		t.Errorf("batch holds %d writes, want 2", b.Len())
	}

	if _, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		b.Apply(p)
		return nil
	}); err != nil {
		t.Fatalf("apply batch: %v", err)
	}
	if _, err := s.Get(ctx, 1); err != nil {
		t.Errorf("Get after the batch is applied: %v", err)
	}
	if _, err := s.Get(ctx, 2); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("Get of the deleted session after the batch: err = %v, want ErrNotFound", err)
	}
	if left := c.TTL(ctx, prefix+"s:1").Val(); left <= 0 {
		t.Errorf("TTL of a session written by a batch = %v, want one", left)
	}
}

// BenchmarkSessions reports a Put and a Get of a full draft, and the size of
// its JSON.
func BenchmarkSessions(b *testing.B) {
	ctx := context.Background()
	c, prefix := storagetest.Redis(b)
	s := storage.NewSessions(c, prefix, time.Hour)
	sess := sampleSession(1)
	for b.Loop() {
		if err := s.Put(ctx, sess); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Get(ctx, 1); err != nil {
			b.Fatal(err)
		}
	}
	raw, _ := json.Marshal(sess)
	b.ReportMetric(float64(len(raw)), "json-bytes")
}
