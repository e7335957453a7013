package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// The leases' keys in Redis: a process's heartbeat, the partitions' leases
// and the polling lease. What to take and give back is decided in lease.go.

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
	Holders []string // when asked for: token holding each partition, "" when free; index n is the polling lease
	Procs   []string // ids of the processes alive
}

// Tick, in one round trip, records that process proc is alive, renews its
// leases for ttl, and returns which processes have beaten within live and,
// when holders is set, who holds every partition.
func (in *Inbox) Tick(ctx context.Context, proc string, held []Lease, ttl, live time.Duration, holders bool) (Tick, error) {
	var t Tick
	now := time.Now().UnixMilli()
	procs := in.prefix + "procs"
	var all []string
	if holders {
		all = make([]string, 0, in.n+1)
		for p := 0; p < in.n; p++ {
			all = append(all, in.leaseKey(p))
		}
		all = append(all, in.leaseKey(PollLease))
	}
	var renews []*redis.Cmd
	var members *redis.StringSliceCmd
	var gets []*redis.StringCmd
	var mget *redis.SliceCmd
	_, err := in.rdb.Pipelined(ctx, func(pl redis.Pipeliner) error {
		pl.ZAdd(ctx, procs, redis.Z{Score: float64(now), Member: proc})
		pl.ZRemRangeByScore(ctx, procs, "-inf", strconv.FormatInt(now-live.Milliseconds(), 10))
		members = pl.ZRange(ctx, procs, 0, -1)
		// On a cluster each lease is renewed apart: its key is in its
		// partition's slot.
		groups := [][]Lease{held}
		if in.cluster {
			groups = groups[:0]
			for _, l := range held {
				groups = append(groups, []Lease{l})
			}
		}
		for _, g := range groups {
			if len(g) == 0 {
				continue
			}
			keys := make([]string, 0, len(g))
			args := []any{ttl.Milliseconds()}
			for _, l := range g {
				keys = append(keys, in.leaseKey(l.Partition))
				args = append(args, l.Token)
			}
			renews = append(renews, renewScript.EvalSha(ctx, pl, keys, args...))
		}
		if in.cluster {
			for _, k := range all {
				gets = append(gets, pl.Get(ctx, k))
			}
		} else if len(all) > 0 {
			mget = pl.MGet(ctx, all...)
		}
		return nil
	})
	for _, r := range renews {
		if redis.HasErrorPrefix(r.Err(), "NOSCRIPT") {
			// First use since the server started: load the script and ask again.
			if err := in.loadEverywhere(ctx, renewScript); err != nil {
				return t, fmt.Errorf("load lease script: %w", err)
			}
			return in.Tick(ctx, proc, held, ttl, live, holders)
		}
	}
	if err != nil && !errors.Is(err, redis.Nil) {
		return t, fmt.Errorf("lease round: %w", err)
	}
	t.Procs = members.Val()
	t.Renewed = make([]bool, 0, len(held))
	for _, r := range renews {
		vals, _ := r.Slice()
		for _, v := range vals {
			n, _ := v.(int64)
			t.Renewed = append(t.Renewed, n == 1)
		}
	}
	if holders {
		t.Holders = make([]string, len(all))
		if mget != nil {
			for i, v := range mget.Val() {
				s, _ := v.(string)
				t.Holders[i] = s
			}
		}
		for i, g := range gets {
			t.Holders[i] = g.Val()
		}
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
	groups := [][]Lease{ls}
	if in.cluster {
		groups = groups[:0]
		for _, l := range ls {
			groups = append(groups, []Lease{l})
		}
	}
	for _, g := range groups {
		keys := make([]string, 0, len(g))
		args := make([]any, 0, len(g))
		for _, l := range g {
			keys = append(keys, in.leaseKey(l.Partition))
			args = append(args, l.Token)
		}
		if err := releaseScript.Run(ctx, in.rdb, keys, args...).Err(); err != nil && !errors.Is(err, redis.Nil) {
			return fmt.Errorf("release %d leases: %w", len(ls), err)
		}
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
