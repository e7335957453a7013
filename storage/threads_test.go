package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"hotline/storage"
	"hotline/storage/storagetest"
)

// TestThreadsRecordCounterpart: a copy leads to its original and the
// original to its latest copy; a message never copied leads nowhere.
func TestThreadsRecordCounterpart(t *testing.T) {
	ctx := context.Background()
	c, prefix := storagetest.Redis(t)
	th := storage.NewThreads(c, prefix, time.Hour)

	const user, vol, vol2 = 41, 51, 52
	for _, r := range []struct {
		chat     int64
		msg      int
		fromChat int64
		fromMsg  int
	}{
		{vol, 7, user, 3},  // the user's message 3, copied to the volunteer
		{user, 9, vol, 8},  // the volunteer's answer, copied to the user
		{vol2, 2, user, 4}, // a message kept while waiting, copied to a first volunteer…
		{vol, 11, user, 4}, // …and after /release to the next
	} {
		if err := th.Record(ctx, r.chat, r.msg, r.fromChat, r.fromMsg); err != nil {
			t.Fatalf("Record(%d/%d, %d/%d): %v", r.chat, r.msg, r.fromChat, r.fromMsg, err)
		}
	}

	type pair struct {
		chat int64
		msg  int
	}
	for _, tc := range []struct {
		name string
		of   pair
		want pair // zero: ErrNotFound
	}{
		{"copy to its original", pair{vol, 7}, pair{user, 3}},
		{"original to its copy", pair{user, 3}, pair{vol, 7}},
		{"the other way", pair{user, 9}, pair{vol, 8}},
		{"original to its latest copy", pair{user, 4}, pair{vol, 11}},
		{"an older copy to its original", pair{vol2, 2}, pair{user, 4}},
		{"never copied", pair{user, 5}, pair{}},
		{"same id in another chat", pair{vol2, 7}, pair{}},
	} {
		chat, msg, err := th.Counterpart(ctx, tc.of.chat, tc.of.msg)
		if tc.want == (pair{}) {
			if !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("%s: Counterpart(%v) = %d/%d, %v; want ErrNotFound", tc.name, tc.of, chat, msg, err)
			}
			continue
		}
		if got := (pair{chat, msg}); err != nil || got != tc.want {
			t.Errorf("%s: Counterpart(%v) = %v, %v; want %v", tc.name, tc.of, got, err, tc.want)
		}
	}
}

// TestThreadsTTL: both keys of a pair expire, and a pair recorded again
// lives on from then.
func TestThreadsTTL(t *testing.T) {
	ctx := context.Background()
	c, prefix := storagetest.Redis(t)
	const ttl = 7 * 24 * time.Hour
	th := storage.NewThreads(c, prefix, ttl)
	if err := th.Record(ctx, 51, 7, 41, 3); err != nil {
		t.Fatal(err)
	}
	keys, err := c.Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 {
		t.Fatalf("keys = %v, want one each way", keys)
	}
	for _, k := range keys {
		if left := c.TTL(ctx, k).Val(); left <= 0 || left > ttl {
			t.Errorf("TTL of %s = %v, want in (0, %v]", k, left, ttl)
		}
	}
	// Recording the pair again renews it.
	for _, k := range keys {
		c.Expire(ctx, k, time.Minute)
	}
	if err := th.Record(ctx, 51, 7, 41, 3); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if left := c.TTL(ctx, k).Val(); left <= time.Minute {
			t.Errorf("TTL of %s after a second Record = %v, want it renewed", k, left)
		}
	}
	// Expired (deleted here, as Redis would), the pair is forgotten.
	for _, k := range keys {
		c.Del(ctx, k)
	}
	if _, _, err := th.Counterpart(ctx, 51, 7); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Counterpart after expiry: %v, want ErrNotFound", err)
	}
}
