package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/internal/batch"
	"hotline/storage"
	"hotline/storage/storagetest"
)

func TestLimiterPerUser(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := storagetest.Redis(t)
	l := storage.NewLimiter(rdb, prefix, storage.LookupLimits{PerUser: 3, Window: time.Hour, FreeMisses: 100})
	for i := 1; i <= 3; i++ {
		if wait, err := l.Allow(ctx, 1); err != nil || wait != 0 {
			t.Fatalf("lookup %d: wait %v, %v", i, wait, err)
		}
	}
	wait, err := l.Allow(ctx, 1)
	if err != nil || wait <= 59*time.Minute || wait > time.Hour {
		t.Errorf("4th lookup in an hour: wait %v, %v; want about an hour", wait, err)
	}
	if wait, err := l.Allow(ctx, 2); err != nil || wait != 0 {
		t.Errorf("another user: wait %v, %v", wait, err)
	}
	// Refused lookups are not counted: the window does not grow.
	n, err := rdb.Get(ctx, prefix+"lk:u:1").Int()
	if err != nil || n != 3 {
		t.Errorf("count %d, %v; want 3", n, err)
	}
}

func TestLimiterGlobal(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := storagetest.Redis(t)
	l := storage.NewLimiter(rdb, prefix, storage.LookupLimits{Global: 5, GlobalWindow: time.Minute})
	for u := int64(1); u <= 5; u++ {
		if wait, err := l.Allow(ctx, u); err != nil || wait != 0 {
			t.Fatalf("user %d: wait %v, %v", u, wait, err)
		}
	}
	if wait, err := l.Allow(ctx, 6); err != nil || wait <= 0 || wait > time.Minute {
		t.Errorf("6th lookup in a minute: wait %v, %v; want up to a minute", wait, err)
	}
}

func TestLimiterMissesSlowDown(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := storagetest.Redis(t)
	l := storage.NewLimiter(rdb, prefix, storage.LookupLimits{FreeMisses: 2, MissDelay: time.Minute, MaxDelay: 5 * time.Minute})
	want := []time.Duration{0, 0, time.Minute, 2 * time.Minute, 4 * time.Minute, 5 * time.Minute, 5 * time.Minute}
	for i, w := range want {
		got, err := l.Miss(ctx, 1)
		if err != nil || got != w {
			t.Errorf("miss %d: wait %v, %v; want %v", i+1, got, err, w)
		}
	}
	wait, err := l.Allow(ctx, 1)
	if err != nil || wait <= 4*time.Minute || wait > 5*time.Minute {
		t.Errorf("lookup after the misses: wait %v, %v; want about 5m", wait, err)
	}
	if wait, err := l.Allow(ctx, 2); err != nil || wait != 0 {
		t.Errorf("another user: wait %v, %v", wait, err)
	}
}

// TestLimiterWritesThroughBatch shows that the counts of a lookup land with
// the update's batch: a lookup handled twice because the first attempt
// failed is counted once.
func TestLimiterWritesThroughBatch(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := storagetest.Redis(t)
	l := storage.NewLimiter(rdb, prefix, storage.LookupLimits{PerUser: 1, FreeMisses: 1})
	failed := &batch.Batch{} // an attempt whose batch never ran
	if wait, err := l.Allow(batch.With(ctx, failed), 1); err != nil || wait != 0 {
		t.Fatalf("Allow: %v, %v", wait, err)
	}
	if _, err := l.Miss(batch.With(ctx, failed), 1); err != nil {
		t.Fatal(err)
	}
	if failed.Len() == 0 {
		t.Fatal("nothing queued in the batch")
	}
	b := &batch.Batch{}
	bctx := batch.With(ctx, b)
	if wait, err := l.Allow(bctx, 1); err != nil || wait != 0 {
		t.Fatalf("the retry was refused: %v, %v", wait, err)
	}
	if wait, err := l.Miss(bctx, 1); err != nil || wait != 0 {
		t.Fatalf("the retry's miss: %v, %v; want the first miss, free", wait, err)
	}
	if _, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error { b.Apply(p); return nil }); err != nil {
		t.Fatal(err)
	}
	if wait, err := l.Allow(ctx, 1); err != nil || wait == 0 {
		t.Errorf("after the applied lookup: wait %v, %v; want the limit", wait, err)
	}
}

func TestParseLookupLimits(t *testing.T) {
	def, err := storage.ParseLookupLimits("")
	if err != nil {
		t.Fatal(err)
	}
	if want := (storage.LookupLimits{PerUser: 10, Window: time.Hour, Global: 300, GlobalWindow: time.Minute,
		FreeMisses: 3, MissDelay: time.Minute, MaxDelay: time.Hour}); def != want {
		t.Errorf("defaults %+v, want %+v", def, want)
	}
	got, err := storage.ParseLookupLimits(" user=5/30m, all=100/10s,misses=2,delay=30s,max=2h ")
	if err != nil {
		t.Fatal(err)
	}
	if want := (storage.LookupLimits{PerUser: 5, Window: 30 * time.Minute, Global: 100, GlobalWindow: 10 * time.Second,
		FreeMisses: 2, MissDelay: 30 * time.Second, MaxDelay: 2 * time.Hour}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	for _, bad := range []string{"user=5", "user=0/1h", "all=10/x", "misses=0", "delay=-1s", "speed=3", "user"} {
		if _, err := storage.ParseLookupLimits(bad); !errors.Is(err, storage.ErrBadLimits) {
			t.Errorf("ParseLookupLimits(%q) = %v, want ErrBadLimits", bad, err)
		}
	}
}
