package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/internal/batch"
)

// The inbox keeps Telegram updates from the moment they are taken in until
// their effects are stored. Keys, under the configured prefix, each of a
// partition's keys carrying the partition's hash tag {p<N>} so that they
// share one Redis Cluster slot:
//
//	{p<N>}:in      stream of partition N's updates (fields i: update id, c: chat id, u: raw JSON)
//	{p<N>}:seen    webhook intake: sorted set of update ids taken in, scored by when; refuses redeliveries
//	{p<N>}:offset  polling intake on a cluster: the next update id the partition takes
//	{p<N>}:att     hash: stream entry id → failed attempts so far, for entries being retried
//	{p<N>}:dead    stream of updates that failed too often (dead letters)
//	{p<N>}:lease   token of the process that owns partition N (SET NX PX)
//	{p<N>}:fwd     on a cluster: writes of committed updates still to be made in other slots
//	offset         the getUpdates offset to continue from
//	lease:poll     token of the process that may call getUpdates
//	procs          sorted set of live process ids, scored by last heartbeat (ms)
//
// Intake refuses redeliveries. Polled updates come in update id order, so a
// fence does it: an update is taken only if its id is at least the stored
// offset, which moves past the batch in the same atomic step (on one server
// the bot-wide offset, on a cluster one per partition, then the bot-wide
// one). Webhook updates can come in any order: each partition remembers the
// ids it took in the last 24 hours (ZADD NX, trimmed once a minute).
//
// An entry's effects are stored by Commit in one Lua script that checks that
// the caller still holds the partition's lease and deletes the entry (XDEL
// answers 0 when it is gone already: handled, or dead), and only then applies
// the handler's batch and appends its calls to the outbox. Together with the
// fence at intake this makes handling exactly-once: an update id enters a
// stream at most once, and its entry's effects land at most once, atomically
// with its removal. Commits of many entries, of any partitions a process
// holds, go in one script run (group commit); on a cluster, one run per
// partition, every key of it in the partition's slot (see forward.go for
// the writes that belong to other slots).

// Errors of the inbox.
var (
	// ErrLeaseLost means the partition's lease is held by someone else or
	// expired: the caller must stop handling the partition.
	ErrLeaseLost = errors.New("partition lease lost")
	// ErrGone means the entry is no longer in its stream: it was handled
	// already, or moved to the dead letters.
	ErrGone = errors.New("inbox entry already handled")
)

// PollLease is the Partition of the lease that lets one process call getUpdates.
const PollLease = -1

// Incoming is one update to take into the inbox.
type Incoming struct {
	UpdateID int64
	ChatID   int64 // decides the partition; 0 when the update has no chat
	Raw      []byte
}

// Entry is one update in a partition's stream.
type Entry struct {
	ID        string // stream entry id; its first part is when the update was taken in (ms)
	Partition int
	UpdateID  int64
	ChatID    int64
	Raw       []byte
}

// Added returns when the entry was taken into the inbox.
func (e Entry) Added() time.Time { return streamTime(e.ID) }

// Lease is a partition's lease as one holder knows it.
type Lease struct {
	Partition int // PollLease for the polling lease
	Token     string
}

// Inbox is the Redis side of the update pipeline: partition streams, the
// dedup fences, leases and the polling offset.
type Inbox struct {
	rdb      redis.UniversalClient
	prefix   string
	n        int
	dedupTTL time.Duration
	out      *Outbox
	cluster  bool // rdb is a Redis Cluster: a script touches one slot
	// DeadTTL is how long a dead letter is kept; older ones are trimmed
	// when the next one arrives and by TrimDead.
	DeadTTL time.Duration

	mu      sync.Mutex
	trimmed map[int]time.Time // partition → when its seen set was last trimmed
}

// NewInbox returns the inbox under prefix with the given number of partitions.
// Every process of the bot must use the same number.
func NewInbox(rdb redis.UniversalClient, prefix string, partitions int) *Inbox {
	if partitions < 1 {
		partitions = 1
	}
	_, cluster := rdb.(*redis.ClusterClient)
	return &Inbox{
		rdb:      rdb,
		prefix:   prefix,
		n:        partitions,
		dedupTTL: 24 * time.Hour, // Telegram keeps an unconfirmed update no longer
		out:      NewOutbox(rdb, prefix, partitions),
		cluster:  cluster,
		DeadTTL:  DefaultDeadTTL,
		trimmed:  map[int]time.Time{},
	}
}

// Outbox returns the outbox that Commit appends calls to.
func (in *Inbox) Outbox() *Outbox { return in.out }

// Partitions returns the number of partitions.
func (in *Inbox) Partitions() int { return in.n }

// PartitionOf returns the partition of a chat.
func (in *Inbox) PartitionOf(chatID int64) int { return partitionOf(chatID, in.n) }

func partitionOf(chatID int64, n int) int {
	p := chatID % int64(n)
	if p < 0 {
		p = -p
	}
	return int(p)
}

// Tag returns the hash tag of partition p: every key of the partition has
// it, and so has each key a commit of the partition writes in the same step
// (a chat's session: see TagOf).
func Tag(p int) string { return "{p" + strconv.Itoa(p) + "}" }

// TagOf returns, for n partitions, the hash tag of a chat's partition, for
// stores whose keys are written by the chat's commits (sessions).
func TagOf(n int) func(chatID int64) string {
	return func(chatID int64) string { return Tag(partitionOf(chatID, max(n, 1))) }
}

func (in *Inbox) key(p int, kind string) string { return in.prefix + Tag(p) + ":" + kind }

// Key returns the stream key of partition p.
func (in *Inbox) Key(p int) string { return in.key(p, "in") }

// SeenKey returns the key of partition p's webhook dedup set.
func (in *Inbox) SeenKey(p int) string { return in.key(p, "seen") }

func (in *Inbox) leaseKey(p int) string {
	if p == PollLease {
		return in.prefix + "lease:poll"
	}
	return in.key(p, "lease")
}

func (in *Inbox) attKey(p int) string { return in.key(p, "att") }

// DeadKey returns the key of partition p's dead-letter stream.
func (in *Inbox) DeadKey(p int) string { return in.key(p, "dead") }

func (in *Inbox) offsetKey() string { return in.prefix + "offset" }

// addScript takes updates in. KEYS[1] is the fence, KEYS[2…] the streams.
// ARGV: mode, now (ms), then for polling ('p') the offset after the batch
// or for webhooks ('h') the time before which seen ids are forgotten (empty to
// keep them), then per update: stream (index in KEYS), update id, chat, raw.
// Polling: the fence holds the next update id to take; an update below it
// was taken already, and the fence moves past the batch. Webhooks: the fence
// is the seen set; ZADD NX both checks and marks.
var addScript = redis.NewScript(`
local mode, now = ARGV[1], ARGV[2]
local low
if mode == 'p' then
  low = tonumber(redis.call('GET', KEYS[1]) or '0')
elseif ARGV[3] ~= '' then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
end
local added = 0
for i = 4, #ARGV, 4 do
  local id = ARGV[i + 1]
  local new
  if mode == 'p' then
    new = tonumber(id) >= low
    if new then low = tonumber(id) + 1 end
  else
    new = redis.call('ZADD', KEYS[1], 'NX', now, id) == 1
  end
  if new then
    redis.call('XADD', KEYS[tonumber(ARGV[i])], '*', 'i', id, 'c', ARGV[i + 2], 'u', ARGV[i + 3])
    added = added + 1
  end
end
if mode == 'p' then
  local next = math.max(low, tonumber(ARGV[3]))
  if next > tonumber(redis.call('GET', KEYS[1]) or '0') then redis.call('SET', KEYS[1], next) end
end
return added
`)

// trimEvery is how often a partition's seen set is trimmed: its ids
// older than dedupTTL are forgotten then, not on every update.
const trimEvery = time.Minute

// Add takes webhook updates into the inbox and returns how many were new; an
// update id already taken in within the last 24 hours is skipped.
func (in *Inbox) Add(ctx context.Context, us ...Incoming) (int, error) {
	now := time.Now()
	added := 0
	for p, group := range in.byPartition(us) {
		trim := ""
		in.mu.Lock()
		if now.Sub(in.trimmed[p]) >= trimEvery {
			in.trimmed[p] = now
			trim = strconv.FormatInt(now.Add(-in.dedupTTL).UnixMilli(), 10)
		}
		in.mu.Unlock()
		keys := []string{in.SeenKey(p), in.Key(p)}
		args := []any{"h", now.UnixMilli(), trim}
		for _, u := range group {
			args = append(args, 2, u.UpdateID, u.ChatID, seal(in.out.sealer, in.Key(p), u.UpdateID, u.Raw))
		}
		n, err := addScript.Run(ctx, in.rdb, keys, args...).Int()
		if err != nil {
			return added, fmt.Errorf("add %d updates to inbox: %w", len(us), err)
		}
		added += n
	}
	return added, nil
}

// byPartition groups updates by partition, keeping their order.
func (in *Inbox) byPartition(us []Incoming) map[int][]Incoming {
	m := map[int][]Incoming{}
	for _, u := range us {
		p := in.PartitionOf(u.ChatID)
		m[p] = append(m[p], u)
	}
	return m
}

// AddPolled takes updates from getUpdates into the inbox and stores next as
// the offset to poll from; it returns how many were new. On one server that
// is one atomic step. On a cluster each partition takes its updates behind
// its own fence, and the offset is stored once all have: a crash in between
// makes Telegram send the batch again, and the fences refuse what was taken.
func (in *Inbox) AddPolled(ctx context.Context, us []Incoming, next int64) (int, error) {
	if len(us) == 0 {
		return 0, nil
	}
	now := time.Now().UnixMilli()
	if !in.cluster {
		keys := []string{in.offsetKey()}
		idx := map[int]int{}
		args := []any{"p", now, next}
		for _, u := range us {
			p := in.PartitionOf(u.ChatID)
			if _, ok := idx[p]; !ok {
				keys = append(keys, in.Key(p))
				idx[p] = len(keys)
			}
			args = append(args, idx[p], u.UpdateID, u.ChatID, seal(in.out.sealer, in.Key(p), u.UpdateID, u.Raw))
		}
		n, err := addScript.Run(ctx, in.rdb, keys, args...).Int()
		if err != nil {
			return 0, fmt.Errorf("add %d updates to inbox: %w", len(us), err)
		}
		return n, nil
	}
	added := 0
	for p, group := range in.byPartition(us) {
		keys := []string{in.key(p, "offset"), in.Key(p)}
		args := []any{"p", now, next}
		for _, u := range group {
			args = append(args, 2, u.UpdateID, u.ChatID, seal(in.out.sealer, in.Key(p), u.UpdateID, u.Raw))
		}
		n, err := addScript.Run(ctx, in.rdb, keys, args...).Int()
		if err != nil {
			return added, fmt.Errorf("add %d updates to inbox: %w", len(us), err)
		}
		added += n
	}
	if err := raiseScript.Run(ctx, in.rdb, []string{in.offsetKey()}, next).Err(); err != nil {
		return added, fmt.Errorf("store offset: %w", err)
	}
	return added, nil
}

// raiseScript sets KEYS[1] to ARGV[1] unless it holds more already.
var raiseScript = redis.NewScript(`
if tonumber(ARGV[1]) > tonumber(redis.call('GET', KEYS[1]) or '0') then redis.call('SET', KEYS[1], ARGV[1]) end
return 0
`)

// Offset returns the getUpdates offset stored by AddPolled, 0 when none.
func (in *Inbox) Offset(ctx context.Context) (int64, error) {
	v, err := in.rdb.Get(ctx, in.offsetKey()).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read offset: %w", err)
	}
	return v, nil
}

// Cursors says where reading continues: partition → last stream id read
// ("0" to read from the start).
type Cursors map[int]string

// Read is what one read of the streams returned.
type Read struct {
	In  []Entry    // inbox entries, in stream order per partition
	Out []Outgoing // outbox entries, in stream order per partition
}

// Read reads the inbox streams of the partitions in inbox and the outbox
// streams of those in outbox after their cursors, at most count entries per
// stream, in one round trip that waits up to block for something to arrive
// (not at all when block is 0). On a cluster, where one XREAD cannot name
// keys of several slots, it reads each partition apart without waiting, in
// one pipeline; the caller waits between empty reads.
func (in *Inbox) Read(ctx context.Context, inbox, outbox Cursors, count int64, block time.Duration) (Read, error) {
	var r Read
	if len(inbox)+len(outbox) == 0 {
		return r, nil
	}
	if block <= 0 {
		block = -1 // go-redis: no BLOCK argument; a BLOCK of 0 would wait forever
	}
	var streams []redis.XStream
	if in.cluster {
		parts := map[int][]string{}
		for p, id := range inbox {
			parts[p] = append(parts[p], in.Key(p), id)
		}
		for p, id := range outbox {
			parts[p] = append(parts[p], in.out.Key(p), id)
		}
		cmds := make([]*redis.XStreamSliceCmd, 0, len(parts))
		_, err := in.rdb.Pipelined(ctx, func(pl redis.Pipeliner) error {
			for _, kv := range parts {
				keys, ids := []string{kv[0]}, []string{kv[1]}
				if len(kv) > 2 {
					keys, ids = append(keys, kv[2]), append(ids, kv[3])
				}
				cmds = append(cmds, pl.XRead(ctx, &redis.XReadArgs{Streams: append(keys, ids...), Count: count, Block: -1}))
			}
			return nil
		})
		if err != nil && !errors.Is(err, redis.Nil) {
			return r, fmt.Errorf("read streams: %w", err)
		}
		for _, c := range cmds {
			streams = append(streams, c.Val()...)
		}
	} else {
		keys := make([]string, 0, len(inbox)+len(outbox))
		ids := make([]string, 0, cap(keys))
		for p, id := range inbox {
			keys, ids = append(keys, in.Key(p)), append(ids, id)
		}
		for p, id := range outbox {
			keys, ids = append(keys, in.out.Key(p)), append(ids, id)
		}
		var err error
		streams, err = in.rdb.XRead(ctx, &redis.XReadArgs{
			Streams: append(keys, ids...),
			Count:   count,
			Block:   block,
		}).Result()
		if errors.Is(err, redis.Nil) {
			return r, nil
		}
		if err != nil {
			return r, fmt.Errorf("read streams: %w", err)
		}
	}
	for _, s := range streams {
		if p, ok := in.partitionOfKey(s.Stream, "in"); ok {
			for _, m := range s.Messages {
				r.In = append(r.In, in.entry(p, in.Key(p), m))
			}
			continue
		}
		if p, ok := in.partitionOfKey(s.Stream, "out"); ok {
			for _, m := range s.Messages {
				r.Out = append(r.Out, in.out.outgoings(p, m)...)
			}
		}
	}
	return r, nil
}

// partitionOfKey reads the partition of a partition key of the given kind.
func (in *Inbox) partitionOfKey(key, kind string) (int, bool) {
	rest, ok := strings.CutPrefix(key, in.prefix+"{p")
	if !ok {
		return 0, false
	}
	n, rest, ok := strings.Cut(rest, "}:")
	if !ok || rest != kind {
		return 0, false
	}
	p, err := strconv.Atoi(n)
	return p, err == nil
}

// entry reads an update of stream (partition p's, or the dead letters'
// copy of it), opening it.
func (in *Inbox) entry(p int, stream string, m redis.XMessage) Entry {
	uid := fieldInt(m, "i")
	return Entry{
		ID:        m.ID,
		Partition: p,
		UpdateID:  uid,
		ChatID:    fieldInt(m, "c"),
		Raw:       unseal(in.out.sealer, stream, uid, []byte(fieldStr(m, "u"))),
	}
}

// SetSealer makes the inbox and its outbox seal what they keep.
func (in *Inbox) SetSealer(s Sealer) { in.out.sealer = s }

func fieldStr(m redis.XMessage, k string) string {
	s, _ := m.Values[k].(string)
	return s
}

func fieldInt(m redis.XMessage, k string) int64 {
	v, _ := strconv.ParseInt(fieldStr(m, k), 10, 64)
	return v
}

// Attempts returns the failed attempts recorded for partition p's entries.
func (in *Inbox) Attempts(ctx context.Context, p int) (map[string]int, error) {
	m, err := in.rdb.HGetAll(ctx, in.attKey(p)).Result()
	if err != nil {
		return nil, fmt.Errorf("read attempts of partition %d: %w", p, err)
	}
	out := make(map[string]int, len(m))
	for id, v := range m {
		n, _ := strconv.Atoi(v)
		out[id] = n
	}
	return out, nil
}

// Outcome says what became of a handled entry.
type Outcome int

// Outcomes of handling an entry.
const (
	Handled Outcome = iota // its effects are stored and the entry removed
	Retry                  // it failed; it stays for another attempt
	Dead                   // it failed too often; it moves to the dead letters
)

// Commit is the result of handling one entry, to be stored atomically.
type Commit struct {
	Lease    Lease
	Entry    Entry
	Outcome  Outcome
	Batch    *batch.Batch // the handler's Redis writes; applied only when Handled
	Calls    []Outgoing   // appended to the outbox whatever the outcome
	Attempts int          // failed attempts so far, for Retry and Dead
	Reason   string       // why it is dead; ids and error kinds only
	// Failed says earlier attempts were recorded for the entry, which a
	// Handled commit then clears.
	Failed bool
	// Trim gives, per outbox partition, an id below which every call is
	// answered: appending to that outbox trims it there (XADD MINID).
	Trim map[int]string
}

// commitScript stores the outcomes of entries of one or more partitions,
// each fenced by its partition's lease and by the entry still being in its
// stream. KEYS: per partition its lease, stream, attempts and dead letters,
// then the outbox streams. ARGV: the number of partitions, the id below
// which dead letters are trimmed (DeadTTL ago), their tokens, the
// number of entries, then per entry: partition (1-based), entry id, update
// id, outcome, attempts, reason, whether to clear attempts, the number of
// outbox entries to append and per entry its outbox (index in KEYS), the id
// to trim that outbox below (empty for none), the number of fields and the
// fields (the update id is added), the number of batch commands and each as
// argc then its arguments. It returns per entry 1 (stored), 0 (gone) or -1
// (lease lost).
var commitScript = redis.NewScript(`
local np, deadmin = tonumber(ARGV[1]), ARGV[2]
local lk = {}
for j = 1, np do lk[j] = KEYS[(j - 1) * 4 + 1] end
local held = redis.call('MGET', unpack(lk))
local i = np + 4
local res = {}
for e = 1, tonumber(ARGV[np + 3]) do
  local j, id, uid, outcome = tonumber(ARGV[i]), ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local att, reason, clear, nx = ARGV[i + 4], ARGV[i + 5], ARGV[i + 6], tonumber(ARGV[i + 7])
  local xs = i + 8
  local w = xs
  for _ = 1, nx do w = w + 3 + tonumber(ARGV[w + 2]) end
  local nw = tonumber(ARGV[w])
  i = w + 1
  for _ = 1, nw do i = i + 1 + tonumber(ARGV[i]) end
  local b = (j - 1) * 4
  local stream, attk = KEYS[b + 2], KEYS[b + 3]
  local r = 1
  if held[j] ~= ARGV[2 + j] then
    r = -1
  elseif outcome == 'h' then
    if redis.call('XDEL', stream, id) == 0 then
      r = 0
    else
      local k = w + 1
      for _ = 1, nw do
        local argc = tonumber(ARGV[k])
        redis.call(unpack(ARGV, k + 1, k + argc))
        k = k + 1 + argc
      end
      if clear == '1' then redis.call('HDEL', attk, id) end
    end
  else
    local x = redis.call('XRANGE', stream, id, id)
    if #x == 0 then
      r = 0
    elseif outcome == 'r' then
      redis.call('HSET', attk, id, att)
    else
      redis.call('XADD', KEYS[b + 4], 'MINID', deadmin, '*', 'entry', id, 'stream', stream, 'attempts', att, 'reason', reason, unpack(x[1][2]))
      redis.call('XDEL', stream, id)
      redis.call('HDEL', attk, id)
    end
  end
  if r == 1 then
    local q = xs
    for _ = 1, nx do
      local key, nf = KEYS[tonumber(ARGV[q])], tonumber(ARGV[q + 2])
      if ARGV[q + 1] ~= '' then
        redis.call('XADD', key, 'MINID', ARGV[q + 1], '*', 'u', uid, unpack(ARGV, q + 3, q + 2 + nf))
      else
        redis.call('XADD', key, '*', 'u', uid, unpack(ARGV, q + 3, q + 2 + nf))
      end
      q = q + 3 + nf
    end
  end
  res[e] = r
end
return res
`)

var outcomeArg = map[Outcome]string{Handled: "h", Retry: "r", Dead: "d"}

// Commit stores an entry's outcome in one atomic step. It returns
// ErrLeaseLost when the caller no longer holds the partition (nothing is
// stored) and ErrGone when the entry was already handled (nothing is stored).
func (in *Inbox) Commit(ctx context.Context, c Commit) error {
	return in.CommitAll(ctx, []Commit{c})[0]
}

// CommitAll stores the outcomes of several entries, each as Commit does,
// and returns an error per entry. On one server it is one script run; on a
// cluster one per partition, run at the same time.
func (in *Inbox) CommitAll(ctx context.Context, cs []Commit) []error {
	errs := make([]error, len(cs))
	if !in.cluster {
		in.commitGroup(ctx, cs, errs)
		return errs
	}
	idx := map[int][]int{}
	for i, c := range cs {
		idx[c.Entry.Partition] = append(idx[c.Entry.Partition], i)
	}
	var wg sync.WaitGroup
	for _, is := range idx {
		wg.Add(1)
		go func() {
			defer wg.Done()
			group := make([]Commit, len(is))
			gerrs := make([]error, len(is))
			for k, i := range is {
				group[k] = cs[i]
			}
			in.commitGroup(ctx, group, gerrs)
			for k, i := range is {
				errs[i] = gerrs[k]
			}
		}()
	}
	wg.Wait()
	return errs
}

// commitGroup runs commitScript on cs, whose partitions share a slot (or a
// server), and files each one's result in errs.
func (in *Inbox) commitGroup(ctx context.Context, cs []Commit, errs []error) {
	var keys []string
	var tokens []any
	parts := map[int]int{} // partition → its 1-based place in KEYS
	for _, c := range cs {
		p := c.Entry.Partition
		if _, ok := parts[p]; !ok {
			keys = append(keys, in.leaseKey(p), in.Key(p), in.attKey(p), in.DeadKey(p))
			tokens = append(tokens, c.Lease.Token)
			parts[p] = len(tokens)
		}
	}
	outs := map[int]int{} // outbox partition → its index in KEYS
	deadMin := strconv.FormatInt(time.Now().Add(-in.DeadTTL).UnixMilli(), 10)
	args := append([]any{len(tokens), deadMin}, tokens...)
	args = append(args, len(cs))
	for _, c := range cs {
		e := c.Entry
		clear := 0
		if c.Failed {
			clear = 1
		}
		// The calls to one outbox go in one entry.
		var order []int
		byPart := map[int][]Outgoing{}
		for _, o := range c.Calls {
			if _, ok := byPart[o.Partition]; !ok {
				order = append(order, o.Partition)
			}
			byPart[o.Partition] = append(byPart[o.Partition], o)
		}
		own := in.batchCmds(c)
		var foreign [][]any
		if in.cluster {
			// Only this partition's slot here; the rest is forwarded.
			own, foreign = in.split(e.Partition, own)
			mine := order[:0:0]
			for _, q := range order {
				if q == e.Partition {
					mine = append(mine, q)
					continue
				}
				x := []any{"xadd", in.out.Key(q), "*", "u", e.UpdateID}
				foreign = append(foreign, append(x, in.out.callFields(q, byPart[q])...))
			}
			order = mine
		}
		xadds := len(order)
		if len(foreign) > 0 {
			xadds++
		}
		args = append(args, parts[e.Partition], e.ID, e.UpdateID, outcomeArg[c.Outcome], c.Attempts, c.Reason, clear, xadds)
		for _, q := range order {
			k, ok := outs[q]
			if !ok {
				keys = append(keys, in.out.Key(q))
				k = len(keys)
				outs[q] = k
			}
			fields := in.out.callFields(q, byPart[q])
			args = append(args, k, c.Trim[q], len(fields))
			args = append(args, fields...)
		}
		if len(foreign) > 0 {
			keys = append(keys, in.fwdKey(e.Partition))
			args = append(args, len(keys), "", 2, "w", encodeCmds(foreign))
		}
		args = append(args, len(own))
		for _, a := range own {
			args = append(args, len(a))
			args = append(args, a...)
		}
	}
	res, err := commitScript.Run(ctx, in.rdb, keys, args...).Int64Slice()
	for i, c := range cs {
		switch {
		case err != nil:
			errs[i] = fmt.Errorf("commit update %d: %w", c.Entry.UpdateID, err)
		case i >= len(res):
			errs[i] = fmt.Errorf("commit update %d: short answer", c.Entry.UpdateID)
		case res[i] == -1:
			errs[i] = ErrLeaseLost
		case res[i] == 0:
			errs[i] = ErrGone
		}
	}
}

// Len returns how many updates wait in partition p.
func (in *Inbox) Len(ctx context.Context, p int) (int64, error) {
	n, err := in.rdb.XLen(ctx, in.Key(p)).Result()
	if err != nil {
		return 0, fmt.Errorf("length of partition %d: %w", p, err)
	}
	return n, nil
}

// loadEverywhere loads a script on every server (on a cluster, every master).
func (in *Inbox) loadEverywhere(ctx context.Context, s *redis.Script) error {
	if c, ok := in.rdb.(*redis.ClusterClient); ok {
		return c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
			return s.Load(ctx, m).Err()
		})
	}
	return s.Load(ctx, in.rdb).Err()
}

// streamTime returns the time in a stream entry id.
func streamTime(id string) time.Time {
	ms, _, _ := strings.Cut(id, "-")
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(n)
}
