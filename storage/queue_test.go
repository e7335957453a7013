package storage_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"hotline/flows"
	"hotline/internal/batch"
	"hotline/storage"
	"hotline/storage/storagetest"
)

var qNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func newQueue(t *testing.T) *storage.Queue {
	t.Helper()
	rdb, prefix := storagetest.Redis(t)
	return storage.NewQueue(rdb, prefix)
}

// join puts chats in the queue, each a second after the one before.
func join(t *testing.T, q *storage.Queue, chats ...int64) []flows.Waiting {
	t.Helper()
	var out []flows.Waiting
	for i, c := range chats {
		at := qNow.Add(time.Duration(i) * time.Second)
		w, _, err := q.Join(context.Background(), flows.Waiting{ChatID: c, Lang: "ru", Since: at, Queued: at}, "")
		if err != nil {
			t.Fatalf("Join(%d): %v", c, err)
		}
		out = append(out, w)
	}
	return out
}

func waitingChats(t *testing.T, q *storage.Queue) []int64 {
	t.Helper()
	ws, err := q.Waiting(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, w := range ws {
		out = append(out, w.ChatID)
	}
	return out
}

// TestTakeRace: ten volunteers take chats from a queue of a hundred as fast
// as they can, each closing a chat before taking the next; every chat is
// taken exactly once.
func TestTakeRace(t *testing.T) {
	ctx := context.Background()
	q := newQueue(t)
	var chats []int64
	for i := range 100 {
		chats = append(chats, 1000+int64(i))
	}
	join(t, q, chats...)

	var mu sync.Mutex
	takenBy := map[int64][]int64{} // chat → volunteers
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for v := range 10 {
		vol := int64(900 + v)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				p, _, err := q.Take(ctx, flows.Take{Volunteer: vol, Max: 1, ID: fmt.Sprintf("%d-%d", vol, n), At: qNow,
					Op: fmt.Sprintf("u%d-%d", vol, n)})
				if errors.Is(err, flows.ErrQueueEmpty) {
					return
				}
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				takenBy[p.ChatID] = append(takenBy[p.ChatID], vol)
				mu.Unlock()
				if _, err := q.Close(ctx, p.ChatID, vol, ""); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(takenBy) != 100 {
		t.Errorf("%d chats taken, want 100", len(takenBy))
	}
	for c, vs := range takenBy {
		if len(vs) != 1 {
			t.Errorf("chat %d taken by %v, want one volunteer", c, vs)
		}
	}
}

func TestQueueOrder(t *testing.T) {
	ctx := context.Background()
	q := newQueue(t)
	join(t, q, 1, 2)
	// An urgent chat joining later goes before the others.
	urgentAt := qNow.Add(time.Minute)
	_, pos, err := q.Join(ctx, flows.Waiting{ChatID: 3, Urgent: true, Since: urgentAt, Queued: urgentAt}, "")
	if err != nil {
		t.Fatal(err)
	}
	if pos != 1 {
		t.Errorf("urgent chat's position = %d, want 1", pos)
	}
	if got, want := waitingChats(t, q), []int64{3, 1, 2}; !slices.Equal(got, want) {
		t.Errorf("queue = %v, want %v", got, want)
	}
	// A chat released by its volunteer goes before even the urgent one.
	p, _, err := q.Take(ctx, flows.Take{Volunteer: 9, Ticket: 2, Max: 1, ID: "h1", At: qNow.Add(2 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if p.ChatID != 2 {
		t.Fatalf("ticket 2 took chat %d, want 2", p.ChatID)
	}
	_, pos, err = q.Release(ctx, flows.Return{ChatID: 2, Volunteer: 9, At: qNow.Add(3 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if pos != 1 {
		t.Errorf("released chat's position = %d, want 1", pos)
	}
	if got, want := waitingChats(t, q), []int64{2, 3, 1}; !slices.Equal(got, want) {
		t.Errorf("queue = %v, want %v", got, want)
	}
	ws, _ := q.Waiting(ctx)
	if !ws[0].Returned || ws[0].Ticket != 2 || !ws[0].Queued.Equal(qNow.Add(3*time.Minute)) || !ws[0].Since.Equal(qNow.Add(time.Second)) {
		t.Errorf("released entry = %+v", ws[0])
	}
	for _, tt := range []struct {
		chat int64
		want int
	}{{2, 1}, {3, 2}, {1, 3}, {77, 0}} {
		if got, _ := q.Position(ctx, tt.chat); got != tt.want {
			t.Errorf("Position(%d) = %d, want %d", tt.chat, got, tt.want)
		}
	}
}

func TestTakeLimitsAndTickets(t *testing.T) {
	ctx := context.Background()
	q := newQueue(t)
	ws := join(t, q, 1, 2, 3)
	take := func(vol, ticket int64, max int, op string) (flows.Pairing, error) {
		p, _, err := q.Take(ctx, flows.Take{Volunteer: vol, Ticket: ticket, Max: max, ID: "id" + op, At: qNow, Op: op})
		return p, err
	}
	if _, err := take(9, ws[1].Ticket, 1, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := take(9, 0, 1, "b"); !errors.Is(err, flows.ErrBusy) {
		t.Errorf("second take with room for one: %v, want ErrBusy", err)
	}
	if _, err := take(8, ws[1].Ticket, 1, "c"); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("taking a taken ticket: %v, want ErrNotFound", err)
	}
	// A coordinator may hold more; the last taken is the active one.
	for _, op := range []string{"d", "e"} {
		if _, err := take(7, 0, 3, op); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := take(7, 0, 3, "f"); !errors.Is(err, flows.ErrQueueEmpty) {
		t.Errorf("take from an empty queue: %v, want ErrQueueEmpty", err)
	}
	held, err := q.Held(ctx, 7, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(held) != 2 || held[0].ChatID != 3 || held[1].ChatID != 1 {
		t.Fatalf("held = %+v, want chat 3 (active) then 1", held)
	}
	st, _ := q.Chat(ctx, 7)
	if st.Active == nil || st.Active.ChatID != 3 {
		t.Errorf("active = %+v, want chat 3", st.Active)
	}
	if err := q.SetActive(ctx, 7, 1); err != nil {
		t.Fatal(err)
	}
	if err := q.SetActive(ctx, 7, 2); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("SetActive on a chat not held: %v", err)
	}
	st, _ = q.Chat(ctx, 7)
	if st.Active == nil || st.Active.ChatID != 1 {
		t.Errorf("active after switch = %+v, want chat 1", st.Active)
	}
	// Closing the active chat points the volunteer at the other one.
	if _, err := q.Close(ctx, 1, 7, ""); err != nil {
		t.Fatal(err)
	}
	st, _ = q.Chat(ctx, 7)
	if st.Active == nil || st.Active.ChatID != 3 {
		t.Errorf("active after close = %+v, want chat 3", st.Active)
	}
	st, _ = q.Chat(ctx, 3)
	if st.Paired == nil || st.Paired.Volunteer != 7 || st.Held != 1 {
		t.Errorf("chat 3 state = %+v, want paired with 7 who holds 1", st)
	}
	// Closed by someone else (the user), the active chat leaves the
	// volunteer's messages going to none, though they hold another.
	join(t, q, 4)
	if _, err := take(7, 0, 3, "g"); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Close(ctx, 4, 0, ""); err != nil {
		t.Fatal(err)
	}
	st, _ = q.Chat(ctx, 7)
	if st.Active != nil || st.Holds != 1 {
		t.Errorf("after the user closed the active chat: active %+v, holds %d; want none active, one held", st.Active, st.Holds)
	}
	if held, _ := q.Held(ctx, 7, ""); len(held) != 1 || held[0].Active {
		t.Errorf("held = %+v, want chat 3, not active", held)
	}
}

// TestHeldRememberedByOp: the chats a volunteer held, asked with an op,
// are given again to the same op once they went back to the queue; a call
// without the op sees they are gone.
func TestHeldRememberedByOp(t *testing.T) {
	ctx := context.Background()
	q := newQueue(t)
	join(t, q, 1, 2)
	for _, op := range []string{"a", "b"} {
		if _, _, err := q.Take(ctx, flows.Take{Volunteer: 9, Max: 2, ID: op, At: qNow, Op: op}); err != nil {
			t.Fatal(err)
		}
	}
	first, err := q.Held(ctx, 9, "u7")
	if err != nil || len(first) != 2 {
		t.Fatalf("held = %+v, %v; want two chats", first, err)
	}
	for _, p := range first {
		if _, _, err := q.Release(ctx, flows.Return{ChatID: p.ChatID, Volunteer: 9, At: qNow}); err != nil {
			t.Fatal(err)
		}
	}
	again, err := q.Held(ctx, 9, "u7")
	if err != nil || !slices.Equal(again, first) {
		t.Errorf("held again for the same op = %+v, %v; want %+v", again, err, first)
	}
	if now, err := q.Held(ctx, 9, ""); err != nil || len(now) != 0 {
		t.Errorf("held without op = %+v, %v; want none", now, err)
	}
	if other, err := q.Held(ctx, 9, "u8"); err != nil || len(other) != 0 {
		t.Errorf("held for another op = %+v, %v; want none", other, err)
	}
}

// TestTakeRememberedByOp: an update handled again after a lost commit gets
// the chat it took the first time, not a second one.
func TestTakeRememberedByOp(t *testing.T) {
	ctx := context.Background()
	q := newQueue(t)
	join(t, q, 1, 2)
	if _, err := q.Keep(ctx, 1, 10); err != nil {
		t.Fatal(err)
	}
	t1 := flows.Take{Volunteer: 9, Max: 1, ID: "first", At: qNow, Op: "u42"}
	p1, kept1, err := q.Take(ctx, t1)
	if err != nil {
		t.Fatal(err)
	}
	t1.ID = "second"
	p2, kept2, err := q.Take(ctx, t1)
	if err != nil {
		t.Fatalf("same op again: %v", err)
	}
	if p2 != p1 || p1.ID != "first" || !slices.Equal(kept1, []int{10}) || !slices.Equal(kept2, kept1) {
		t.Errorf("retry took %+v with %v, want %+v with %v", p2, kept2, p1, kept1)
	}
	if got := waitingChats(t, q); !slices.Equal(got, []int64{2}) {
		t.Errorf("queue after retry = %v, want [2]", got)
	}
	c1, err := q.Close(ctx, p1.ChatID, 9, "u43")
	if err != nil {
		t.Fatal(err)
	}
	c2, err := q.Close(ctx, p1.ChatID, 9, "u43")
	if err != nil || c2 != c1 {
		t.Errorf("close again = %+v, %v; want %+v", c2, err, c1)
	}
	if _, err := q.Close(ctx, p1.ChatID, 9, "u44"); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("close of a closed chat by another update: %v", err)
	}
}

func TestLeave(t *testing.T) {
	ctx := context.Background()
	q := newQueue(t)
	ws := join(t, q, 1, 2)
	if _, err := q.Keep(ctx, 1, 10); err != nil {
		t.Fatal(err)
	}
	left, err := q.Leave(ctx, 1, "u1")
	if err != nil || !left {
		t.Fatalf("Leave = %v, %v", left, err)
	}
	if kept, _ := q.Kept(ctx, 1); len(kept) != 0 {
		t.Errorf("kept after leaving = %v", kept)
	}
	if _, _, err := q.Take(ctx, flows.Take{Volunteer: 9, Ticket: ws[0].Ticket, Max: 1, ID: "x", At: qNow}); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("taking a chat that left: %v", err)
	}
	// Taken first, the chat cannot leave.
	if _, _, err := q.Take(ctx, flows.Take{Volunteer: 9, Max: 1, ID: "y", At: qNow}); err != nil {
		t.Fatal(err)
	}
	if left, err := q.Leave(ctx, 2, "u2"); err != nil || left {
		t.Errorf("Leave of a taken chat = %v, %v; want false", left, err)
	}
}

// TestMessagesKeptAndUnanswered: messages written while waiting are kept in
// order and handed to the take; the user's messages a volunteer left
// unanswered go first to the next volunteer when the chat goes back.
func TestMessagesKeptAndUnanswered(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := storagetest.Redis(t)
	q := storage.NewQueue(rdb, prefix)
	join(t, q, 1)
	keep := func(id int) bool {
		t.Helper()
		ok, err := q.Keep(ctx, 1, id)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	for _, id := range []int{10, 11, 12} {
		keep(id)
	}
	// The same update handled again keeps its message once.
	keep(12)
	// Only ids are kept: nothing of what was written is in Redis.
	h, err := rdb.HGetAll(ctx, prefix+"{h}h:w:1").Result()
	if err != nil {
		t.Fatal(err)
	}
	for k := range h {
		switch k {
		case "chat", "ticket", "lang", "urgent", "case", "since", "queued", "returned", "told", "esc":
		default:
			t.Errorf("waiting entry has field %q; want ids, times and flags only", k)
		}
	}
	st, _ := q.Chat(ctx, 1)
	if st.Waiting == nil || st.Kept != 3 {
		t.Errorf("state = %+v, want waiting with 3 kept", st)
	}
	p, kept, err := q.Take(ctx, flows.Take{Volunteer: 9, Max: 1, ID: "h", At: qNow})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(kept, []int{10, 11, 12}) {
		t.Errorf("taken with %v, want [10 11 12]", kept)
	}
	if kept, _ := q.Kept(ctx, 1); len(kept) != 0 {
		t.Errorf("kept after the take = %v", kept)
	}
	// Written as the chat was being taken: not kept, for the caller to relay.
	if keep(13) {
		t.Error("a message was kept for a chat already taken")
	}
	if !p.Pending.Equal(qNow) {
		t.Errorf("pending after take = %v, want the take", p.Pending)
	}
	if err := q.VolunteerWrote(ctx, 1); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int{20, 21, 21} {
		if err := q.UserWrote(ctx, 1, id, qNow.Add(time.Duration(id)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	ps, _ := q.Paired(ctx)
	if len(ps) != 1 || !ps[0].Pending.Equal(qNow.Add(20*time.Second)) {
		t.Errorf("paired = %+v, want pending since message 20", ps)
	}
	if _, _, err := q.Release(ctx, flows.Return{ChatID: 1, Volunteer: 9, At: qNow.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if kept, _ := q.Kept(ctx, 1); !slices.Equal(kept, []int{20, 21}) {
		t.Errorf("kept after release = %v, want the unanswered [20 21]", kept)
	}
	if ps, _ := q.Paired(ctx); len(ps) != 0 {
		t.Errorf("paired after release = %+v", ps)
	}
	// Writes for a pairing that is gone change nothing.
	if err := q.UserWrote(ctx, 1, 30, qNow); err != nil {
		t.Fatal(err)
	}
	if err := q.VolunteerWrote(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if st, _ := q.Chat(ctx, 1); st.Paired != nil || st.Kept != 2 {
		t.Errorf("late writes changed the state: %+v", st)
	}
}

// TestTimerClaims: each timer's action is claimed once, and not at all once
// the pairing or the entry has moved on.
func TestTimerClaims(t *testing.T) {
	ctx := context.Background()
	q := newQueue(t)
	join(t, q, 1, 2)
	p, _, err := q.Take(ctx, flows.Take{Volunteer: 9, Max: 1, ID: "h", At: qNow})
	if err != nil {
		t.Fatal(err)
	}
	var wins int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := q.ClaimReminder(ctx, p.ChatID, p.Pending, qNow, qNow.Add(time.Minute))
			if err != nil {
				t.Error(err)
			}
			ok2, err := q.ClaimEscalation(ctx, 2, qNow, qNow.Add(time.Minute))
			if err != nil {
				t.Error(err)
			}
			ok3, err := q.ClaimTold(ctx, 2, 2, 1)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			for _, b := range []bool{ok, ok2, ok3} {
				if b {
					wins++
				}
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if wins != 3 {
		t.Errorf("%d claims won, want one of each of 3", wins)
	}
	// The volunteer answered: a return for the old silence does nothing.
	if err := q.VolunteerWrote(ctx, p.ChatID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := q.Release(ctx, flows.Return{ChatID: p.ChatID, Volunteer: 9, Pending: p.Pending, At: qNow}); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("timer return after an answer: %v, want ErrNotFound", err)
	}
	if ok, _ := q.ClaimEscalation(ctx, p.ChatID, qNow, qNow.Add(time.Minute)); ok {
		t.Error("escalation claimed for a chat that is not waiting")
	}
}

// BenchmarkTakeRace measures chats taken per second by volunteers racing
// on one queue: each op joins a chat, takes one and closes it.
func BenchmarkTakeRace(b *testing.B) {
	ctx := context.Background()
	rdb, prefix := storagetest.Redis(b)
	q := storage.NewQueue(rdb, prefix)
	var next, vol int64
	var mu sync.Mutex
	b.SetParallelism(10)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		mu.Lock()
		vol++
		me := 900000 + vol
		mu.Unlock()
		for pb.Next() {
			mu.Lock()
			next++
			chat := next
			mu.Unlock()
			if _, _, err := q.Join(ctx, flows.Waiting{ChatID: chat, Queued: qNow}, ""); err != nil {
				b.Fatal(err)
			}
			p, _, err := q.Take(ctx, flows.Take{Volunteer: me, Max: 1, ID: fmt.Sprint(chat), At: qNow})
			if errors.Is(err, flows.ErrQueueEmpty) {
				continue
			}
			if err != nil {
				b.Fatal(err)
			}
			if _, err := q.Close(ctx, p.ChatID, me, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "handoffs/s")
}

// TestJoinInsideBatches: two chats join while handling two updates whose
// batches are not committed yet; they are told different positions, and
// the first update handled again gets its ticket and position back
// instead of joining twice.
func TestJoinInsideBatches(t *testing.T) {
	q := newQueue(t)
	ctxA := batch.With(context.Background(), &batch.Batch{})
	ctxB := batch.With(context.Background(), &batch.Batch{})
	a, posA, err := q.Join(ctxA, flows.Waiting{ChatID: 1, Queued: qNow}, "u1")
	if err != nil {
		t.Fatal(err)
	}
	_, posB, err := q.Join(ctxB, flows.Waiting{ChatID: 2, Queued: qNow.Add(time.Second)}, "u2")
	if err != nil {
		t.Fatal(err)
	}
	if posA != 1 || posB != 2 {
		t.Errorf("positions = %d, %d; want 1, 2", posA, posB)
	}
	again, pos, err := q.Join(ctxA, flows.Waiting{ChatID: 1, Queued: qNow}, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if again.Ticket != a.Ticket || pos != posA {
		t.Errorf("update handled again: ticket %d, position %d; want %d, %d", again.Ticket, pos, a.Ticket, posA)
	}
	if got, want := waitingChats(t, q), []int64{1, 2}; !slices.Equal(got, want) {
		t.Errorf("waiting = %v; want %v", got, want)
	}
}
