package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/flows"
	"hotline/internal/batch"
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

	var b batch.Batch
	bctx := batch.With(ctx, &b)
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

// TestSessionsSealed: with a data key, a draft in Redis shows none of the
// personal data it holds, opens only for its own chat, stays under 1 KB
// at the review screen, and sessions stored in plain JSON before still read.
func TestSessionsSealed(t *testing.T) {
	ctx := context.Background()
	c, prefix := storagetest.Redis(t)
	plain := storage.NewSessions(c, prefix, time.Hour)
	s := plain.WithKeys(storagetest.Keys(t))

	want := sampleSession(5151)
	// Every question answered, at the review: the largest a draft gets.
	want.Step, want.Pending = "review", ""
	want.Back = []string{"consent", "name", "name_latin", "birth_date", "birth_country", "citizenship",
		"a_number", "detained_on", "circumstance", "details", "facility", "facility_share", "lawyer",
		"lawyer_name", "lawyer_phone", "hearing", "appeals", "urgent", "reporter_name", "relationship", "contact"}
	if err := s.Put(ctx, want); err != nil {
		t.Fatal(err)
	}
	raw, err := c.Get(ctx, prefix+"s:5151").Bytes()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{want.Draft.NameLatin, want.Draft.ANumber, want.Draft.ReporterPhone, want.Draft.BirthDate} {
		if v != "" && (bytesContains(raw, v)) {
			t.Errorf("sealed session shows %q", v)
		}
	}
	n := c.MemoryUsage(ctx, prefix+"s:5151").Val()
	t.Logf("a whole draft, sealed: %d bytes of Redis", n)
	if n > 1024 {
		t.Errorf("a whole draft takes %d bytes of Redis, want at most 1024", n)
	}
	got, err := s.Get(ctx, 5151)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Get = %+v\nwant %+v", got, want)
	}

	// Moved to another chat's key, it does not open: that chat starts afresh.
	c.Set(ctx, prefix+"s:6161", raw, time.Hour)
	if _, err := s.Get(ctx, 6161); !errors.Is(err, flows.ErrNotFound) || !errors.Is(err, storage.ErrCorrupt) {
		t.Errorf("session moved to another chat: err = %v, want ErrNotFound from ErrCorrupt", err)
	}

	// A conversation stored before the bot had a key goes on.
	old := sampleSession(7171)
	if err := plain.Put(ctx, old); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, 7171); err != nil || !reflect.DeepEqual(got, old) {
		t.Errorf("plain session read with keys: %+v, %v", got, err)
	}
}

func bytesContains(b []byte, s string) bool { return strings.Contains(string(b), s) }
