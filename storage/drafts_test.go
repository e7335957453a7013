package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"hotline/storage"
	"hotline/storage/storagetest"
)

// TestDraftsClaimedOnce: a draft's reminder is claimed by one tick only
// (every replica ticks); one claimed and not sent is due again after the
// claim; a draft watched again is due at its new time.
func TestDraftsClaimedOnce(t *testing.T) {
	ctx := context.Background()
	c, prefix := storagetest.Redis(t)
	d := storage.NewDrafts(c, prefix)
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	for id, due := range map[int64]time.Time{1: t0, 2: t0.Add(-time.Minute), 3: t0.Add(time.Minute)} {
		if err := d.Watch(ctx, id, due); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := d.Due(ctx, t0, 10); err != nil || !slices.Equal(got, []int64{2, 1}) {
		t.Fatalf("due = %v, %v; want 2 then 1", got, err)
	}
	first, err := d.Claim(ctx, 1, t0, t0.Add(time.Minute))
	second, err2 := d.Claim(ctx, 1, t0, t0.Add(time.Minute))
	if err != nil || err2 != nil || !first || second {
		t.Fatalf("claims: %v %v (%v, %v), want the first only", first, second, err, err2)
	}
	if got, _ := d.Due(ctx, t0, 10); !slices.Equal(got, []int64{2}) {
		t.Errorf("due after the claim = %v, want 2", got)
	}
	if got, _ := d.Due(ctx, t0.Add(time.Minute), 10); !slices.Equal(got, []int64{2, 1, 3}) {
		t.Errorf("due after the claim ran out = %v, want 2, 1, 3", got)
	}
	if ok, _ := d.Claim(ctx, 3, t0, t0.Add(time.Minute)); ok {
		t.Error("a draft not yet due was claimed")
	}
	if err := d.Forget(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if ok, _ := d.Claim(ctx, 2, t0, t0.Add(time.Minute)); ok {
		t.Error("a draft forgotten was claimed")
	}
}
