package pipeline

import (
	"hotline/internal/batch"

	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// The inbox keeps Telegram updates from the moment they are taken in until
// their effects are stored. Keys, under the configured prefix:
//
//	in:<p>     stream of partition p's updates (fields i: update id, c: chat id, u: raw JSON)
//	seen       sorted set of update ids taken in, scored by when; refuses redeliveries
//	att:<p>    hash: stream entry id → failed attempts so far, for entries being retried
//	dead       stream of updates that failed too often (dead letters)
//	offset     the getUpdates offset to continue from
//	lease:<p>  token of the process that owns partition p (SET NX PX)
//	lease:poll token of the process that may call getUpdates
//	procs      sorted set of live process ids, scored by last heartbeat (ms)
//
// An entry's effects are stored by Commit in one Lua script that first checks
// that the caller still holds the partition's lease and that the entry is still
// in the stream, then applies the handler's batch, appends its calls to the
// outbox, and deletes the entry. Together with the seen set at intake this makes
// handling exactly-once: an update id enters a stream at most once, and its
// entry's effects land at most once, atomically with its removal. The scripts
// touch keys they do not declare (the batch's session keys), so the inbox needs
// a single Redis server (or a primary with replicas), not Redis Cluster.

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
// dedup set, leases and the polling offset.
type Inbox struct {
	rdb      redis.UniversalClient
	prefix   string
	n        int
	dedupTTL time.Duration
	out      *Outbox
}

// NewInbox returns the inbox under prefix with the given number of partitions.
// Every process of the bot must use the same number.
func NewInbox(rdb redis.UniversalClient, prefix string, partitions int) *Inbox {
	if partitions < 1 {
		partitions = 1
	}
	return &Inbox{
		rdb:      rdb,
		prefix:   prefix,
		n:        partitions,
		dedupTTL: 24 * time.Hour, // Telegram keeps an unconfirmed update no longer
		out:      NewOutbox(rdb, prefix, partitions),
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

// Key returns the stream key of partition p.
func (in *Inbox) Key(p int) string { return in.prefix + "in:" + strconv.Itoa(p) }

func (in *Inbox) leaseKey(p int) string {
	if p == PollLease {
		return in.prefix + "lease:poll"
	}
	return in.prefix + "lease:" + strconv.Itoa(p)
}

func (in *Inbox) attKey(p int) string { return in.prefix + "att:" + strconv.Itoa(p) }

// DeadKey returns the key of the dead-letter stream.
func (in *Inbox) DeadKey() string { return in.prefix + "dead" }

// addScript takes updates in: each id not seen in the dedup window is marked
// seen and appended to its partition's stream, in the order given. When
// ARGV[3] is not empty the polling offset is raised to it in the same step,
// so that the offset never runs ahead of what is stored.
var addScript = redis.NewScript(`
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
local added = 0
local n = (#ARGV - 3) / 3
for i = 1, n do
  local b = 3 + (i - 1) * 3
  local id = ARGV[b + 1]
  if not redis.call('ZSCORE', KEYS[1], id) then
    redis.call('ZADD', KEYS[1], now, id)
    redis.call('XADD', KEYS[2 + i], '*', 'i', id, 'c', ARGV[b + 2], 'u', ARGV[b + 3])
    added = added + 1
  end
end
if ARGV[3] ~= '' then
  local cur = tonumber(redis.call('GET', KEYS[2]) or '0')
  if tonumber(ARGV[3]) > cur then redis.call('SET', KEYS[2], ARGV[3]) end
end
return added
`)

// Add takes updates into the inbox and returns how many were new; an update
// id already taken in within the last 24 hours is skipped.
func (in *Inbox) Add(ctx context.Context, us ...Incoming) (int, error) {
	return in.add(ctx, us, "")
}

// AddPolled takes updates from getUpdates into the inbox and, in the same
// atomic step, stores next as the offset to poll from.
func (in *Inbox) AddPolled(ctx context.Context, us []Incoming, next int64) (int, error) {
	return in.add(ctx, us, strconv.FormatInt(next, 10))
}

func (in *Inbox) add(ctx context.Context, us []Incoming, offset string) (int, error) {
	if len(us) == 0 && offset == "" {
		return 0, nil
	}
	keys := make([]string, 0, 2+len(us))
	keys = append(keys, in.prefix+"seen", in.prefix+"offset")
	args := make([]any, 0, 3+3*len(us))
	args = append(args, time.Now().UnixMilli(), in.dedupTTL.Milliseconds(), offset)
	for _, u := range us {
		keys = append(keys, in.Key(in.PartitionOf(u.ChatID)))
		args = append(args, u.UpdateID, u.ChatID, u.Raw)
	}
	n, err := addScript.Run(ctx, in.rdb, keys, args...).Int()
	if err != nil {
		return 0, fmt.Errorf("add %d updates to inbox: %w", len(us), err)
	}
	return n, nil
}

// Offset returns the getUpdates offset stored by AddPolled, 0 when none.
func (in *Inbox) Offset(ctx context.Context) (int64, error) {
	v, err := in.rdb.Get(ctx, in.prefix+"offset").Int64()
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
// (not at all when block is 0).
func (in *Inbox) Read(ctx context.Context, inbox, outbox Cursors, count int64, block time.Duration) (Read, error) {
	var r Read
	if len(inbox)+len(outbox) == 0 {
		return r, nil
	}
	keys := make([]string, 0, len(inbox)+len(outbox))
	ids := make([]string, 0, cap(keys))
	for p, id := range inbox {
		keys, ids = append(keys, in.Key(p)), append(ids, id)
	}
	for p, id := range outbox {
		keys, ids = append(keys, in.out.Key(p)), append(ids, id)
	}
	if block <= 0 {
		block = -1 // go-redis: no BLOCK argument; a BLOCK of 0 would wait forever
	}
	streams, err := in.rdb.XRead(ctx, &redis.XReadArgs{
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
	for _, s := range streams {
		if p, ok := in.partitionOfKey(s.Stream, "in:"); ok {
			for _, m := range s.Messages {
				r.In = append(r.In, entry(p, m))
			}
			continue
		}
		if p, ok := in.partitionOfKey(s.Stream, "out:"); ok {
			for _, m := range s.Messages {
				r.Out = append(r.Out, outgoing(p, m))
			}
		}
	}
	return r, nil
}

func (in *Inbox) partitionOfKey(key, kind string) (int, bool) {
	rest, ok := strings.CutPrefix(key, in.prefix+kind)
	if !ok {
		return 0, false
	}
	p, err := strconv.Atoi(rest)
	return p, err == nil
}

func entry(p int, m redis.XMessage) Entry {
	return Entry{
		ID:        m.ID,
		Partition: p,
		UpdateID:  fieldInt(m, "i"),
		ChatID:    fieldInt(m, "c"),
		Raw:       []byte(fieldStr(m, "u")),
	}
}

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
}

// commitScript stores an entry's outcome, fenced by the partition's lease and
// by the entry still being in its stream. ARGV: token, entry id, update id,
// outcome, attempts, reason, ncalls, ncalls×(partition-free call fields),
// then the batch's commands, each as argc followed by its arguments.
var commitScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
if #redis.call('XRANGE', KEYS[2], ARGV[2], ARGV[2]) == 0 then return 0 end
local ncalls = tonumber(ARGV[7])
local outcome = ARGV[4]
local i = 8 + ncalls * 4
if outcome == 'h' then
  while i <= #ARGV do
    local argc = tonumber(ARGV[i])
    redis.call(unpack(ARGV, i + 1, i + argc))
    i = i + 1 + argc
  end
end
for c = 0, ncalls - 1 do
  local b = 8 + c * 4
  redis.call('XADD', KEYS[5 + c], '*', 'c', ARGV[b], 'm', ARGV[b + 1], 'p', ARGV[b + 2], 'j', ARGV[b + 3], 'u', ARGV[3])
end
if outcome == 'r' then
  redis.call('HSET', KEYS[3], ARGV[2], ARGV[5])
  return 1
end
if outcome == 'd' then
  local e = redis.call('XRANGE', KEYS[2], ARGV[2], ARGV[2])[1][2]
  redis.call('XADD', KEYS[4], '*', 'entry', ARGV[2], 'stream', KEYS[2], 'attempts', ARGV[5], 'reason', ARGV[6], unpack(e))
end
redis.call('XDEL', KEYS[2], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[2])
return 1
`)

// Commit stores an entry's outcome in one atomic step. It returns
// ErrLeaseLost when the caller no longer holds the partition (nothing is
// stored) and ErrGone when the entry was already handled (nothing is stored).
func (in *Inbox) Commit(ctx context.Context, c Commit) error {
	e := c.Entry
	keys := make([]string, 0, 4+len(c.Calls))
	keys = append(keys, in.leaseKey(c.Lease.Partition), in.Key(e.Partition), in.attKey(e.Partition), in.DeadKey())
	outcome := map[Outcome]string{Handled: "h", Retry: "r", Dead: "d"}[c.Outcome]
	args := []any{c.Lease.Token, e.ID, e.UpdateID, outcome, c.Attempts, c.Reason, len(c.Calls)}
	for _, o := range c.Calls {
		keys = append(keys, in.out.Key(o.Partition))
		args = append(args, o.ChatID, o.Method, o.Priority, []byte(o.Params))
	}
	if c.Outcome == Handled && c.Batch != nil && c.Batch.Len() > 0 {
		p := in.rdb.Pipeline()
		c.Batch.Apply(p)
		for _, cmd := range p.Cmds() {
			a := cmd.Args()
			args = append(args, len(a))
			args = append(args, a...)
		}
		p.Discard()
	}
	n, err := commitScript.Run(ctx, in.rdb, keys, args...).Int()
	if err != nil {
		return fmt.Errorf("commit update %d: %w", e.UpdateID, err)
	}
	switch n {
	case -1:
		return ErrLeaseLost
	case 0:
		return ErrGone
	}
	return nil
}

// DeadLetter is an update that failed too often.
type DeadLetter struct {
	ID       string // id in the dead-letter stream
	Entry    Entry
	Attempts int
	Reason   string
}

// DeadLetters returns up to n dead letters, oldest first.
func (in *Inbox) DeadLetters(ctx context.Context, n int64) ([]DeadLetter, error) {
	ms, err := in.rdb.XRangeN(ctx, in.DeadKey(), "-", "+", n).Result()
	if err != nil {
		return nil, fmt.Errorf("read dead letters: %w", err)
	}
	out := make([]DeadLetter, 0, len(ms))
	for _, m := range ms {
		p, _ := in.partitionOfKey(fieldStr(m, "stream"), "in:")
		e := entry(p, m)
		e.ID = fieldStr(m, "entry")
		out = append(out, DeadLetter{ID: m.ID, Entry: e, Attempts: int(fieldInt(m, "attempts")), Reason: fieldStr(m, "reason")})
	}
	return out, nil
}

// Len returns how many updates wait in partition p.
func (in *Inbox) Len(ctx context.Context, p int) (int64, error) {
	n, err := in.rdb.XLen(ctx, in.Key(p)).Result()
	if err != nil {
		return 0, fmt.Errorf("length of partition %d: %w", p, err)
	}
	return n, nil
}

// renewScript extends the leases in KEYS whose value is still the matching
// token in ARGV (ARGV[1] is the lease time in ms) and returns 1 or 0 for each.
var renewScript = redis.NewScript(`
local out = {}
for i, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[i + 1] then
    redis.call('PEXPIRE', k, ARGV[1])
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
`)

// releaseScript deletes the leases in KEYS whose value is still the matching
// token in ARGV.
var releaseScript = redis.NewScript(`
for i, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[i] then redis.call('DEL', k) end
end
return 0
`)

// Tick is what one lease round learned.
type Tick struct {
	Renewed []bool   // for each lease passed to Tick, whether it is still held
	Holders []string // token holding each partition, "" when free; index n is the polling lease
	Procs   []string // ids of the processes alive
}

// Tick, in one round trip, records that process proc is alive, renews its
// leases for ttl, and returns who holds every partition and which processes
// have beaten within live.
func (in *Inbox) Tick(ctx context.Context, proc string, held []Lease, ttl, live time.Duration) (Tick, error) {
	var t Tick
	now := time.Now().UnixMilli()
	procs := in.prefix + "procs"
	all := make([]string, 0, in.n+1)
	for p := 0; p < in.n; p++ {
		all = append(all, in.leaseKey(p))
	}
	all = append(all, in.leaseKey(PollLease))

	var renew *redis.Cmd
	var members *redis.StringSliceCmd
	var holders *redis.SliceCmd
	_, err := in.rdb.Pipelined(ctx, func(pl redis.Pipeliner) error {
		pl.ZAdd(ctx, procs, redis.Z{Score: float64(now), Member: proc})
		pl.ZRemRangeByScore(ctx, procs, "-inf", strconv.FormatInt(now-live.Milliseconds(), 10))
		members = pl.ZRange(ctx, procs, 0, -1)
		if len(held) > 0 {
			keys := make([]string, 0, len(held))
			args := []any{ttl.Milliseconds()}
			for _, l := range held {
				keys = append(keys, in.leaseKey(l.Partition))
				args = append(args, l.Token)
			}
			renew = renewScript.EvalSha(ctx, pl, keys, args...)
		}
		holders = pl.MGet(ctx, all...)
		return nil
	})
	if err != nil && renew != nil && redis.HasErrorPrefix(renew.Err(), "NOSCRIPT") {
		// First use since the server started: load the script and ask again.
		if err := renewScript.Load(ctx, in.rdb).Err(); err != nil {
			return t, fmt.Errorf("load lease script: %w", err)
		}
		return in.Tick(ctx, proc, held, ttl, live)
	}
	if err != nil {
		return t, fmt.Errorf("lease round: %w", err)
	}
	t.Procs = members.Val()
	if renew != nil {
		vals, _ := renew.Slice()
		t.Renewed = make([]bool, len(held))
		for i, v := range vals {
			n, _ := v.(int64)
			t.Renewed[i] = n == 1
		}
	}
	t.Holders = make([]string, len(all))
	for i, v := range holders.Val() {
		s, _ := v.(string)
		t.Holders[i] = s
	}
	return t, nil
}

// Acquire tries to take the given leases for ttl and returns which it got.
func (in *Inbox) Acquire(ctx context.Context, ls []Lease, ttl time.Duration) ([]bool, error) {
	got := make([]bool, len(ls))
	if len(ls) == 0 {
		return got, nil
	}
	cmds := make([]*redis.BoolCmd, len(ls))
	_, err := in.rdb.Pipelined(ctx, func(pl redis.Pipeliner) error {
		for i, l := range ls {
			cmds[i] = pl.SetNX(ctx, in.leaseKey(l.Partition), l.Token, ttl)
		}
		return nil
	})
	if err != nil {
		return got, fmt.Errorf("acquire %d leases: %w", len(ls), err)
	}
	for i, c := range cmds {
		got[i] = c.Val()
	}
	return got, nil
}

// Release gives up the leases that are still held with their tokens.
func (in *Inbox) Release(ctx context.Context, ls ...Lease) error {
	if len(ls) == 0 {
		return nil
	}
	keys := make([]string, 0, len(ls))
	args := make([]any, 0, len(ls))
	for _, l := range ls {
		keys = append(keys, in.leaseKey(l.Partition))
		args = append(args, l.Token)
	}
	if err := releaseScript.Run(ctx, in.rdb, keys, args...).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("release %d leases: %w", len(ls), err)
	}
	return nil
}

// Leave forgets process proc's heartbeat, so others count it gone at once.
func (in *Inbox) Leave(ctx context.Context, proc string) error {
	if err := in.rdb.ZRem(ctx, in.prefix+"procs", proc).Err(); err != nil {
		return fmt.Errorf("leave: %w", err)
	}
	return nil
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
