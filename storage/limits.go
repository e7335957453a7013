package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/flows"
	"hotline/internal/batch"
)

// LookupLimits bound how many case codes people may try. Zero fields take
// the defaults shown.
type LookupLimits struct {
	PerUser      int           // lookups one user may make per Window; default 10
	Window       time.Duration // default 1h
	Global       int           // lookups everyone together may make per GlobalWindow; default 300
	GlobalWindow time.Duration // default 1m
	FreeMisses   int           // codes a user may get wrong per Window before being slowed; default 3
	MissDelay    time.Duration // wait after the first miss beyond FreeMisses, doubled after each next; default 1m
	MaxDelay     time.Duration // the longest such wait; default 1h
}

func (l *LookupLimits) defaults() {
	if l.PerUser <= 0 {
		l.PerUser = 10
	}
	if l.Window <= 0 {
		l.Window = time.Hour
	}
	if l.Global <= 0 {
		l.Global = 300
	}
	if l.GlobalWindow <= 0 {
		l.GlobalWindow = time.Minute
	}
	if l.FreeMisses <= 0 {
		l.FreeMisses = 3
	}
	if l.MissDelay <= 0 {
		l.MissDelay = time.Minute
	}
	if l.MaxDelay <= 0 {
		l.MaxDelay = time.Hour
	}
	if l.MaxDelay < l.MissDelay {
		l.MaxDelay = l.MissDelay
	}
}

// ErrBadLimits is returned by ParseLookupLimits for a malformed setting.
var ErrBadLimits = errors.New("malformed lookup limits")

// ParseLookupLimits reads limits written as comma-separated settings, any
// of them left out for its default:
//
//	user=10/1h,all=300/1m,misses=3,delay=1m,max=1h
func ParseLookupLimits(s string) (LookupLimits, error) {
	var l LookupLimits
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, v, ok := strings.Cut(part, "=")
		if !ok {
			return l, fmt.Errorf("%w: %q is not name=value", ErrBadLimits, part)
		}
		var err error
		switch strings.TrimSpace(name) {
		case "user":
			l.PerUser, l.Window, err = rate(v)
		case "all":
			l.Global, l.GlobalWindow, err = rate(v)
		case "misses":
			l.FreeMisses, err = strconv.Atoi(strings.TrimSpace(v))
			if err == nil && l.FreeMisses < 1 {
				err = errors.New("below 1")
			}
		case "delay":
			l.MissDelay, err = positive(v)
		case "max":
			l.MaxDelay, err = positive(v)
		default:
			return l, fmt.Errorf("%w: unknown setting %q; want user, all, misses, delay or max", ErrBadLimits, name)
		}
		if err != nil {
			return l, fmt.Errorf("%w: %s: %v", ErrBadLimits, name, err)
		}
	}
	l.defaults()
	return l, nil
}

// rate reads "10/1h".
func rate(v string) (int, time.Duration, error) {
	n, per, ok := strings.Cut(strings.TrimSpace(v), "/")
	if !ok {
		return 0, 0, errors.New("want count/duration, e.g. 10/1h")
	}
	count, err := strconv.Atoi(n)
	if err != nil || count < 1 {
		return 0, 0, errors.New("want a count of 1 or more")
	}
	d, err := positive(per)
	return count, d, err
}

func positive(v string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d <= 0 {
		return 0, errors.New("want a duration such as 90s, 1m or 1h")
	}
	return d, nil
}

var _ flows.Limiter = (*Limiter)(nil)

// Limiter counts case code lookups in Redis, under the configured prefix:
//
//	lk:u:<user>  lookups by a user in the current window (expires with it)
//	lk:g         lookups by everyone in the current global window
//	lk:m:<user>  a user's misses; forgotten a Window after the last one
//	lk:b:<user>  present while a user who kept missing must wait
//
// Counts are read at once and written through the update's Batch, so a
// lookup handled twice (a retry) is counted once. Lookups of one user run
// one after the other (one chat, one partition), so a user's counts are
// exact; the global count may run over by the number of chats handled at
// the same moment.
type Limiter struct {
	c      redis.UniversalClient
	prefix string
	l      LookupLimits
}

// NewLimiter returns a limiter whose keys start with prefix.
func NewLimiter(c redis.UniversalClient, prefix string, l LookupLimits) *Limiter {
	l.defaults()
	return &Limiter{c: c, prefix: prefix, l: l}
}

func (s *Limiter) key(kind string, userID int64) string {
	return s.prefix + "lk:" + kind + ":" + strconv.FormatInt(userID, 10)
}

// Allow counts a lookup by the user and returns 0, or how long the user
// must wait; a lookup refused is not counted. The count is written with the
// update's batch (internal/batch): it reads only counts of earlier updates.
func (s *Limiter) Allow(ctx context.Context, userID int64) (time.Duration, error) {
	user, global, block := s.key("u", userID), s.prefix+"lk:g", s.key("b", userID)
	var userN, globalN *redis.StringCmd
	var userTTL, globalTTL, blockTTL *redis.DurationCmd
	_, err := s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		blockTTL = p.PTTL(ctx, block)
		userN, userTTL = p.Get(ctx, user), p.PTTL(ctx, user)
		globalN, globalTTL = p.Get(ctx, global), p.PTTL(ctx, global)
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return 0, fmt.Errorf("read lookup counts of user %d: %w", userID, err)
	}
	if d := blockTTL.Val(); d > 0 {
		return d, nil
	}
	if n, _ := userN.Int(); n >= s.l.PerUser {
		return left(userTTL.Val(), s.l.Window), nil
	}
	if n, _ := globalN.Int(); n >= s.l.Global {
		return left(globalTTL.Val(), s.l.GlobalWindow), nil
	}
	err = batch.Write(ctx, s.c, func(p redis.Pipeliner) {
		p.Incr(ctx, user)
		p.ExpireNX(ctx, user, s.l.Window)
		p.Incr(ctx, global)
		p.ExpireNX(ctx, global, s.l.GlobalWindow)
	})
	if err != nil {
		return 0, fmt.Errorf("count lookup of user %d: %w", userID, err)
	}
	return 0, nil
}

// left is what remains of a window: a key's TTL, or the whole window when
// the key has none (it is about to be given one).
func left(ttl, window time.Duration) time.Duration {
	if ttl <= 0 {
		return window
	}
	return ttl
}

// Miss records that a lookup found no case. Beyond FreeMisses the user
// must wait MissDelay, doubled for each further miss up to MaxDelay; the
// wait is returned. The miss is written with the update's batch
// (internal/batch), so it reads only misses of earlier updates.
func (s *Limiter) Miss(ctx context.Context, userID int64) (time.Duration, error) {
	misses, block := s.key("m", userID), s.key("b", userID)
	n, err := s.c.Get(ctx, misses).Int()
	if err != nil && !errors.Is(err, redis.Nil) {
		return 0, fmt.Errorf("read misses of user %d: %w", userID, err)
	}
	n++
	var wait time.Duration
	if over := n - s.l.FreeMisses; over > 0 {
		wait = s.l.MissDelay
		for i := 1; i < over && wait < s.l.MaxDelay; i++ {
			wait *= 2
		}
		wait = min(wait, s.l.MaxDelay)
	}
	err = batch.Write(ctx, s.c, func(p redis.Pipeliner) {
		p.Incr(ctx, misses)
		p.PExpire(ctx, misses, s.l.Window)
		if wait > 0 {
			p.Set(ctx, block, 1, wait)
		}
	})
	if err != nil {
		return 0, fmt.Errorf("record miss of user %d: %w", userID, err)
	}
	return wait, nil
}
