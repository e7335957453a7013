package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/internal/batch"
	"hotline/storage/storagetest"
)

// onRedis runs test against one Redis server and against the Redis Cluster
// of REDIS_CLUSTER_URL: the inbox behaves the same on both.
func onRedis(t *testing.T, test func(t *testing.T, rdb redis.UniversalClient, prefix string)) {
	t.Run("server", func(t *testing.T) {
		rdb, prefix := storagetest.Redis(t)
		test(t, rdb, prefix)
	})
	t.Run("cluster", func(t *testing.T) {
		rdb, _, prefix := storagetest.RedisCluster(t)
		test(t, rdb, prefix)
	})
}

func testIncoming(id, chat int64) Incoming {
	return Incoming{UpdateID: id, ChatID: chat, Raw: []byte(fmt.Sprintf(`{"update_id":%d}`, id))}
}

// readAll reads partition p's inbox from the start.
func readAll(t *testing.T, in *Inbox, p int) []Entry {
	t.Helper()
	r, err := in.Read(context.Background(), Cursors{p: "0"}, nil, 1000, 0)
	if err != nil {
		t.Fatal(err)
	}
	return r.In
}

func TestInboxAddSkipsRedeliveries(t *testing.T) {
	onRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		in := NewInbox(rdb, prefix, 8)

		n, err := in.Add(ctx, testIncoming(1, 17), testIncoming(2, 17), testIncoming(3, -10))
		if err != nil || n != 3 {
			t.Fatalf("first add = %d, %v; want 3", n, err)
		}
		n, err = in.Add(ctx, testIncoming(2, 17), testIncoming(4, 17))
		if err != nil || n != 1 {
			t.Fatalf("add with a redelivery = %d, %v; want 1", n, err)
		}
		var got []int64
		for _, e := range readAll(t, in, in.PartitionOf(17)) {
			got = append(got, e.UpdateID)
			if e.ChatID != 17 || e.Partition != 1 || string(e.Raw) != fmt.Sprintf(`{"update_id":%d}`, e.UpdateID) {
				t.Errorf("entry %+v: wrong chat, partition or raw", e)
			}
		}
		if want := []int64{1, 2, 4}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("partition of chat 17 holds %v, want %v", got, want)
		}
		if es := readAll(t, in, in.PartitionOf(-10)); len(es) != 1 || es[0].UpdateID != 3 {
			t.Errorf("partition of chat -10 holds %+v, want update 3", es)
		}
	})
}

func TestInboxAddPolledKeepsOffsetWithUpdates(t *testing.T) {
	onRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		in := NewInbox(rdb, prefix, 4)

		if off, err := in.Offset(ctx); err != nil || off != 0 {
			t.Fatalf("offset before polling = %d, %v; want 0", off, err)
		}
		if _, err := in.AddPolled(ctx, []Incoming{testIncoming(10, 1), testIncoming(11, 2)}, 12); err != nil {
			t.Fatal(err)
		}
		if off, _ := in.Offset(ctx); off != 12 {
			t.Errorf("offset = %d, want 12", off)
		}
		// A late batch from a poller that lost its lease never moves it back.
		if _, err := in.AddPolled(ctx, []Incoming{testIncoming(10, 1)}, 11); err != nil {
			t.Fatal(err)
		}
		if off, _ := in.Offset(ctx); off != 12 {
			t.Errorf("offset after a late batch = %d, want 12", off)
		}
	})
}

func lease(t *testing.T, in *Inbox, p int, token string) Lease {
	t.Helper()
	l := Lease{Partition: p, Token: token}
	got, err := in.Acquire(context.Background(), []Lease{l}, 5*time.Second)
	if err != nil || !got[0] {
		t.Fatalf("acquire partition %d = %v, %v", p, got, err)
	}
	return l
}

func TestInboxCommit(t *testing.T) {
	onRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		in := NewInbox(rdb, prefix, 4)
		if _, err := in.Add(ctx, testIncoming(1, 5)); err != nil {
			t.Fatal(err)
		}
		p := in.PartitionOf(5)
		l := lease(t, in, p, "me")
		e := readAll(t, in, p)[0]

		// A key of the partition's slot (as sessions are) and one elsewhere,
		// which a cluster forwards.
		skey := prefix + "s:" + Tag(p) + ":5"
		b := &batch.Batch{}
		b.Add(func(pl redis.Pipeliner) { pl.Set(ctx, skey, "state", time.Hour) })
		b.Add(func(pl redis.Pipeliner) { pl.HSet(ctx, prefix+"h", "a", 1, "b", "two") })
		calls := []Outgoing{
			{Partition: p, ChatID: 5, Method: "sendMessage", Params: []byte(`{"chat_id":5,"text":"hi"}`)},
			{Partition: 2, ChatID: 6, Method: "sendMessage", Priority: 1, Params: []byte(`{"chat_id":6}`)},
		}

		// Someone else's token stores nothing.
		err := in.Commit(ctx, Commit{Lease: Lease{Partition: p, Token: "other"}, Entry: e, Batch: b, Calls: calls})
		if !errors.Is(err, ErrLeaseLost) {
			t.Fatalf("commit with a stale lease = %v, want ErrLeaseLost", err)
		}
		if n, _ := rdb.Exists(ctx, skey).Result(); n != 0 {
			t.Fatal("a refused commit wrote the batch")
		}

		c := Commit{Lease: l, Entry: e, Batch: b, Calls: calls}
		if err := in.Commit(ctx, c); err != nil {
			t.Fatal(err)
		}
		if in.Forwards(c) {
			if err := in.Forward(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		if v, _ := rdb.Get(ctx, skey).Result(); v != "state" {
			t.Errorf("session = %q, want the batch's write", v)
		}
		if ttl, _ := rdb.TTL(ctx, skey).Result(); ttl <= 0 {
			t.Errorf("session ttl = %v, want the batch's", ttl)
		}
		if v, _ := rdb.HGet(ctx, prefix+"h", "b").Result(); v != "two" {
			t.Errorf("hash field = %q, want two", v)
		}
		if es := readAll(t, in, p); len(es) != 0 {
			t.Errorf("inbox still holds %d entries after commit", len(es))
		}
		out := in.Outbox()
		got, err := out.Pending(ctx, p, 10)
		if err != nil || len(got) != 1 || got[0].ChatID != 5 || got[0].Method != "sendMessage" ||
			string(got[0].Params) != `{"chat_id":5,"text":"hi"}` || got[0].UpdateID != 1 || got[0].Priority != 0 {
			t.Errorf("outbox of partition %d = %+v, %v", p, got, err)
		}
		if got, _ := out.Pending(ctx, 2, 10); len(got) != 1 || got[0].ChatID != 6 || got[0].Priority != 1 {
			t.Errorf("outbox of partition 2 = %+v", got)
		}

		// The same entry again: already handled, nothing stored twice.
		err = in.Commit(ctx, Commit{Lease: l, Entry: e, Batch: b, Calls: calls})
		if !errors.Is(err, ErrGone) {
			t.Errorf("second commit = %v, want ErrGone", err)
		}
		if n, _ := out.Len(ctx, p); n != 1 {
			t.Errorf("outbox holds %d calls after a second commit, want 1", n)
		}
	})
}

func TestInboxRetryAndDeadLetter(t *testing.T) {
	onRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		in := NewInbox(rdb, prefix, 2)
		if _, err := in.Add(ctx, testIncoming(7, 3)); err != nil {
			t.Fatal(err)
		}
		p := in.PartitionOf(3)
		l := lease(t, in, p, "me")
		e := readAll(t, in, p)[0]

		b := &batch.Batch{}
		b.Add(func(pl redis.Pipeliner) { pl.Set(ctx, prefix+"s:"+Tag(p)+":3", "x", 0) })
		sorry := []Outgoing{{Partition: p, ChatID: 3, Method: "sendMessage", Params: []byte(`{}`)}}
		if err := in.Commit(ctx, Commit{Lease: l, Entry: e, Outcome: Retry, Attempts: 1, Batch: b, Calls: sorry}); err != nil {
			t.Fatal(err)
		}
		if n, _ := rdb.Exists(ctx, prefix+"s:"+Tag(p)+":3").Result(); n != 0 {
			t.Error("a failed attempt wrote its batch")
		}
		if n, _ := in.Outbox().Len(ctx, p); n != 1 {
			t.Errorf("outbox holds %d calls after a failed attempt, want the 1 it returned", n)
		}
		att, err := in.Attempts(ctx, p)
		if err != nil || att[e.ID] != 1 {
			t.Errorf("attempts = %v, %v; want %s: 1", att, err, e.ID)
		}
		if es := readAll(t, in, p); len(es) != 1 {
			t.Fatalf("the entry left the inbox after a failed attempt")
		}

		if err := in.Commit(ctx, Commit{Lease: l, Entry: e, Outcome: Dead, Attempts: 20, Reason: "storage down"}); err != nil {
			t.Fatal(err)
		}
		if es := readAll(t, in, p); len(es) != 0 {
			t.Error("a dead update stayed in the inbox")
		}
		if att, _ := in.Attempts(ctx, p); len(att) != 0 {
			t.Errorf("attempts after dead letter = %v, want none", att)
		}
		dl, err := in.DeadLetters(ctx, 10)
		if err != nil || len(dl) != 1 {
			t.Fatalf("dead letters = %+v, %v", dl, err)
		}
		d := dl[0]
		if d.Entry.UpdateID != 7 || d.Entry.ChatID != 3 || d.Entry.Partition != p || d.Attempts != 20 ||
			d.Reason != "storage down" || string(d.Entry.Raw) != `{"update_id":7}` || d.Entry.ID != e.ID {
			t.Errorf("dead letter = %+v", d)
		}
	})
}

func TestInboxLeases(t *testing.T) {
	onRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		in := NewInbox(rdb, prefix, 3)

		a := []Lease{{Partition: 0, Token: "a/1"}, {Partition: PollLease, Token: "a/2"}}
		got, err := in.Acquire(ctx, a, time.Minute)
		if err != nil || !got[0] || !got[1] {
			t.Fatalf("acquire = %v, %v", got, err)
		}
		got, _ = in.Acquire(ctx, []Lease{{Partition: 0, Token: "b/1"}, {Partition: 1, Token: "b/2"}}, time.Minute)
		if got[0] || !got[1] {
			t.Errorf("second process acquired %v, want only partition 1", got)
		}

		tick, err := in.Tick(ctx, "a", append(a, Lease{Partition: 1, Token: "a/3"}), time.Minute, time.Minute, true)
		if err != nil {
			t.Fatal(err)
		}
		if want := []bool{true, true, false}; fmt.Sprint(tick.Renewed) != fmt.Sprint(want) {
			t.Errorf("renewed = %v, want %v", tick.Renewed, want)
		}
		if want := []string{"a/1", "b/2", "", "a/2"}; fmt.Sprint(tick.Holders) != fmt.Sprint(want) {
			t.Errorf("holders = %q, want %q", tick.Holders, want)
		}
		if _, err := in.Tick(ctx, "b", nil, time.Minute, time.Minute, true); err != nil {
			t.Fatal(err)
		}
		tick, _ = in.Tick(ctx, "a", nil, time.Minute, time.Minute, true)
		if len(tick.Procs) != 2 {
			t.Errorf("live processes = %v, want a and b", tick.Procs)
		}

		// Releasing with a stale token leaves the holder's lease alone.
		if err := in.Release(ctx, Lease{Partition: 1, Token: "a/3"}, a[0]); err != nil {
			t.Fatal(err)
		}
		tick, _ = in.Tick(ctx, "a", nil, time.Minute, time.Minute, true)
		if tick.Holders[0] != "" || tick.Holders[1] != "b/2" {
			t.Errorf("holders after release = %q", tick.Holders)
		}
		if err := in.Leave(ctx, "b"); err != nil {
			t.Fatal(err)
		}
		tick, _ = in.Tick(ctx, "a", nil, time.Minute, time.Minute, true)
		if len(tick.Procs) != 1 {
			t.Errorf("live processes after b left = %v", tick.Procs)
		}
	})
}

func TestInboxReadContinuesFromCursors(t *testing.T) {
	onRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		in := NewInbox(rdb, prefix, 2)
		if _, err := in.Add(ctx, testIncoming(1, 0), testIncoming(2, 1), testIncoming(3, 0)); err != nil {
			t.Fatal(err)
		}
		if err := in.Outbox().Add(ctx, Outgoing{Partition: 1, ChatID: 1, Method: "sendMessage", Params: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
		r, err := in.Read(ctx, Cursors{0: "0", 1: "0"}, Cursors{1: "0"}, 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.In) != 2 || len(r.Out) != 1 || r.Out[0].Partition != 1 {
			t.Fatalf("first read = %+v", r)
		}
		var first Entry
		for _, e := range r.In {
			if e.Partition == 0 {
				first = e
			}
		}
		if first.UpdateID != 1 {
			t.Fatalf("first entry of partition 0 = %+v, want update 1", first)
		}
		r, err = in.Read(ctx, Cursors{0: first.ID}, Cursors{1: r.Out[0].ID}, 10, 10*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.In) != 1 || r.In[0].UpdateID != 3 || len(r.Out) != 0 {
			t.Errorf("second read = %+v, want update 3 only", r)
		}
	})
}

// TestInboxForwardsOnce: on a cluster a commit's writes to other slots (a
// counter, a call to another partition's chat) are forwarded after it,
// and forwarding the same entry again, as after a crash between the
// writes and the entry's deletion, makes them once.
func TestInboxForwardsOnce(t *testing.T) {
	rdb, _, prefix := storagetest.RedisCluster(t)
	ctx := context.Background()
	in := NewInbox(rdb, prefix, 4)
	if _, err := in.Add(ctx, testIncoming(1, 5)); err != nil {
		t.Fatal(err)
	}
	p := in.PartitionOf(5)
	other := (p + 1) % 4
	l := lease(t, in, p, "me")
	e := readAll(t, in, p)[0]
	b := &batch.Batch{}
	b.Add(func(pl redis.Pipeliner) { pl.Incr(ctx, prefix+"n") })
	c := Commit{Lease: l, Entry: e, Batch: b, Calls: []Outgoing{{Partition: other, ChatID: 6, Method: "sendMessage", Params: []byte(`{}`)}}}
	if !in.Forwards(c) {
		t.Fatal("a commit writing to other slots forwards nothing")
	}
	if err := in.Commit(ctx, c); err != nil {
		t.Fatal(err)
	}
	if n, _ := rdb.Exists(ctx, prefix+"n").Result(); n != 0 {
		t.Fatal("a write to another slot was made by the commit script")
	}
	ms, err := rdb.XRange(ctx, in.fwdKey(p), "-", "+").Result()
	if err != nil || len(ms) != 1 {
		t.Fatalf("forward stream = %v, %v; want one entry", ms, err)
	}
	for range 2 {
		if err := in.forwardEntry(ctx, p, ms[0]); err != nil {
			t.Fatal(err)
		}
	}
	if err := in.Forward(ctx, p); err != nil {
		t.Fatal(err)
	}
	if v, _ := rdb.Get(ctx, prefix+"n").Int(); v != 1 {
		t.Errorf("counter = %d after forwarding twice, want 1", v)
	}
	if n, _ := in.Outbox().Len(ctx, other); n != 1 {
		t.Errorf("outbox of partition %d holds %d calls, want 1", other, n)
	}
	if n, _ := rdb.XLen(ctx, in.fwdKey(p)).Result(); n != 0 {
		t.Errorf("forward stream holds %d entries after forwarding, want 0", n)
	}
}

// TestInboxDeadLettersExpire: dead letters hold what people wrote; they are
// kept for DeadTTL, trimmed when the next one arrives and by TrimDead.
func TestInboxDeadLettersExpire(t *testing.T) {
	onRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		in := NewInbox(rdb, prefix, 2)
		in.DeadTTL = 50 * time.Millisecond
		p := in.PartitionOf(3)
		l := lease(t, in, p, "me")
		kill := func(id int64) {
			t.Helper()
			if _, err := in.Add(ctx, testIncoming(id, 3)); err != nil {
				t.Fatal(err)
			}
			e := readAll(t, in, p)[0]
			if err := in.Commit(ctx, Commit{Lease: l, Entry: e, Outcome: Dead, Attempts: 20, Reason: "x"}); err != nil {
				t.Fatal(err)
			}
		}
		kill(1)
		time.Sleep(80 * time.Millisecond)
		kill(2) // trims the first, older than DeadTTL
		dl, err := in.DeadLetters(ctx, 10)
		if err != nil || len(dl) != 1 || dl[0].Entry.UpdateID != 2 {
			t.Fatalf("dead letters = %+v, %v; want update 2 only", dl, err)
		}
		time.Sleep(80 * time.Millisecond)
		if err := in.TrimDead(ctx, []int{0, 1}); err != nil {
			t.Fatal(err)
		}
		if dl, _ := in.DeadLetters(ctx, 10); len(dl) != 0 {
			t.Errorf("dead letters after DeadTTL = %+v, want none", dl)
		}
	})
}

// TestInboxSealsWhatItKeeps: with a sealer, what people wrote is in the
// streams only sealed, for its stream and update: the inbox's update, the
// outbox's parameters, the dead letter's copy; the pipeline reads them
// back, and a payload moved to another stream does not open.
func TestInboxSealsWhatItKeeps(t *testing.T) {
	onRedis(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		in := NewInbox(rdb, prefix, 2)
		keys := storagetest.Keys(t)
		in.SetSealer(keys)
		raw := []byte(`{"update_id":7,"message":{"text":"Ivan Petrov A123456789"}}`)
		if _, err := in.Add(ctx, Incoming{UpdateID: 7, ChatID: 3, Raw: raw}, Incoming{UpdateID: 8, ChatID: 3, Raw: raw}); err != nil {
			t.Fatal(err)
		}
		p := in.PartitionOf(3)
		l := lease(t, in, p, "me")
		es := readAll(t, in, p)
		if len(es) != 2 || string(es[0].Raw) != string(raw) {
			t.Fatalf("read back %+v, want the update as taken in", es)
		}
		call := Outgoing{Partition: p, ChatID: 3, Method: "sendMessage", UpdateID: 7, Params: []byte(`{"chat_id":3,"text":"Ivan Petrov"}`)}
		if err := in.Commit(ctx, Commit{Lease: l, Entry: es[0], Calls: []Outgoing{call}}); err != nil {
			t.Fatal(err)
		}
		if err := in.Commit(ctx, Commit{Lease: l, Entry: es[1], Outcome: Dead, Attempts: 20, Reason: "x"}); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{in.Key(p), in.out.Key(p), in.DeadKey(p)} {
			ms, err := rdb.XRange(ctx, key, "-", "+").Result()
			if err != nil {
				t.Fatal(err)
			}
			if s := fmt.Sprint(ms); strings.Contains(s, "Petrov") || strings.Contains(s, "A123456789") {
				t.Errorf("%s holds plain personal data: %s", key, s)
			}
		}
		got, err := in.out.Pending(ctx, p, 10)
		if err != nil || len(got) != 1 || string(got[0].Params) != string(call.Params) {
			t.Errorf("outbox reads back %+v, %v; want the call's parameters", got, err)
		}
		dl, err := in.DeadLetters(ctx, 10)
		if err != nil || len(dl) != 1 || string(dl[0].Entry.Raw) != string(raw) {
			t.Errorf("dead letter reads back %+v, %v; want the update", dl, err)
		}
		sealed := seal(keys, in.Key(p), 7, raw)
		if got := unseal(keys, in.Key(p), 8, sealed); got != nil {
			t.Error("an update sealed for one entry opens for another")
		}
		if got := unseal(keys, in.Key((p+1)%2), 7, sealed); got != nil {
			t.Error("an update sealed for one stream opens in another")
		}
	})
}
