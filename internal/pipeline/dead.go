package pipeline

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Dead letters: an update whose handling failed MaxAttempts times leaves
// its partition's stream for the partition's dead-letter stream ({p<N>}:dead),
// in the same script as the failed attempt's commit, and is kept there
// DeadLetterTTL for someone to look into, then trimmed.

// DeadLetter is an update that failed too often.
type DeadLetter struct {
	ID       string // id in the partition's dead-letter stream
	Entry    Entry
	Attempts int
	Reason   string
}

// DefaultDeadTTL is how long dead letters are kept by default: they hold
// what people wrote, and a week is enough to look into a failure.
const DefaultDeadTTL = 7 * 24 * time.Hour

// TrimDead deletes the dead letters older than DeadTTL from the given
// partitions, in one round trip.
func (in *Inbox) TrimDead(ctx context.Context, parts []int) error {
	if len(parts) == 0 {
		return nil
	}
	below := strconv.FormatInt(time.Now().Add(-in.DeadTTL).UnixMilli(), 10)
	_, err := in.rdb.Pipelined(ctx, func(pl redis.Pipeliner) error {
		for _, p := range parts {
			pl.XTrimMinID(ctx, in.DeadKey(p), below)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("trim dead letters: %w", err)
	}
	return nil
}

// DeadLetters returns up to n dead letters of every partition, oldest first.
func (in *Inbox) DeadLetters(ctx context.Context, n int64) ([]DeadLetter, error) {
	cmds := make([]*redis.XMessageSliceCmd, in.n)
	_, err := in.rdb.Pipelined(ctx, func(pl redis.Pipeliner) error {
		for p := range cmds {
			cmds[p] = pl.XRangeN(ctx, in.DeadKey(p), "-", "+", n)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read dead letters: %w", err)
	}
	var out []DeadLetter
	for p, c := range cmds {
		for _, m := range c.Val() {
			e := in.entry(p, fieldStr(m, "stream"), m)
			e.ID = fieldStr(m, "entry")
			out = append(out, DeadLetter{ID: m.ID, Entry: e, Attempts: int(fieldInt(m, "attempts")), Reason: fieldStr(m, "reason")})
		}
	}
	slices.SortFunc(out, func(a, b DeadLetter) int { return streamTime(a.ID).Compare(streamTime(b.ID)) })
	if int64(len(out)) > n {
		out = out[:n]
	}
	return out, nil
}
