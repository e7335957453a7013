package pipeline

import (
	"context"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// The outbox keeps the Bot API calls the bot decided to make until Telegram
// has answered them. Keys, under the configured prefix:
//
//	{p<N>}:out  stream of the calls for chats of partition N (fields c: chat
//	            id, m: method, p: priority, j: JSON parameters, u: update id;
//	            an update's several calls to one partition share an entry:
//	            n: how many, then c0, m0, p0, j0, c1, …; g or g<i>: 1 when
//	            the call may be joined with others, see join.go; t or t<i>:
//	            the call's Tag, when it has one)
//
// A call lives in the partition of the chat it is sent to, so that exactly one
// process (the partition's lease holder) sends to a chat: that keeps the chat's
// calls in order and its rate limit in one place. A call is deleted only after
// Telegram answered it; a crash in between sends it again (Telegram has no
// idempotency key, so outgoing messages are at least once).

// Outgoing is one Bot API call in the outbox.
type Outgoing struct {
	ID        string // stream entry id; empty before it is stored
	Partition int
	ChatID    int64
	Method    string
	Priority  int // lower goes first
	Params    []byte
	UpdateID  int64 // the update that caused it, 0 when none
	Part      int   // its place among the calls sharing the entry
	Parts     int   // how many calls share the entry (0 or 1: none other)
	// Join lets the sender make it one message with the calls queued next
	// to it for the same chat that allow it too (join.go).
	Join bool
	Tag  string // told to OnSent with the message made (Call.Tag)
}

// callFields returns the stream fields of calls that share an entry of
// partition p's outbox, their parameters sealed, the update id left out.
func (o *Outbox) callFields(p int, cs []Outgoing) []any {
	key := o.Key(p)
	if len(cs) == 1 {
		c := cs[0]
		fs := []any{"c", c.ChatID, "m", c.Method, "p", c.Priority, "j", seal(o.sealer, key, c.UpdateID, c.Params)}
		if c.Join {
			fs = append(fs, "g", 1)
		}
		if c.Tag != "" {
			fs = append(fs, "t", c.Tag)
		}
		return fs
	}
	fs := make([]any, 0, 2+8*len(cs))
	fs = append(fs, "n", len(cs))
	for i, c := range cs {
		n := strconv.Itoa(i)
		fs = append(fs, "c"+n, c.ChatID, "m"+n, c.Method, "p"+n, c.Priority, "j"+n, seal(o.sealer, key, c.UpdateID, c.Params))
		if c.Join {
			fs = append(fs, "g"+n, 1)
		}
		if c.Tag != "" {
			fs = append(fs, "t"+n, c.Tag)
		}
	}
	return fs
}

// Sealer encrypts what the streams keep (updates, calls' parameters: they
// carry what people wrote), bound to the stream and the update id, so that
// Redis's files and backups hold no plain personal data. storage.Keyring is
// one.
type Sealer interface {
	SealStream(stream string, id int64, v []byte) []byte
	OpenStream(stream string, id int64, v []byte) ([]byte, error)
}

// seal seals v for stream and id; without a sealer it is v.
func seal(s Sealer, stream string, id int64, v []byte) []byte {
	if s == nil || len(v) == 0 {
		return v
	}
	return s.SealStream(stream, id, v)
}

// unseal opens what seal sealed. Plain JSON (no sealer, or stored before
// there was one) is returned as it is; what does not open is nil, which the
// worker sends to the dead letters and Telegram refuses.
func unseal(s Sealer, stream string, id int64, v []byte) []byte {
	if s == nil || len(v) == 0 || v[0] == '{' {
		return v
	}
	b, err := s.OpenStream(stream, id, v)
	if err != nil {
		return nil
	}
	return b
}

// Outbox is the durable queue of outgoing Bot API calls.
type Outbox struct {
	rdb    redis.UniversalClient
	prefix string
	n      int
	sealer Sealer
}

// NewOutbox returns the outbox under prefix with the given number of
// partitions, which must match the inbox's.
func NewOutbox(rdb redis.UniversalClient, prefix string, partitions int) *Outbox {
	if partitions < 1 {
		partitions = 1
	}
	return &Outbox{rdb: rdb, prefix: prefix, n: partitions}
}

// Key returns the stream key of partition p's outbox.
func (o *Outbox) Key(p int) string { return o.prefix + Tag(p) + ":out" }

// PartitionOf returns the partition of a chat.
func (o *Outbox) PartitionOf(chatID int64) int { return partitionOf(chatID, o.n) }

// Add appends calls outside of any update (reminders, escalations), each to
// its Partition's stream, in one round trip.
func (o *Outbox) Add(ctx context.Context, calls ...Outgoing) error {
	if len(calls) == 0 {
		return nil
	}
	_, err := o.rdb.Pipelined(ctx, func(pl redis.Pipeliner) error {
		for _, c := range calls {
			fs := []any{
				"c", c.ChatID, "m", c.Method, "p", c.Priority, "j", seal(o.sealer, o.Key(c.Partition), c.UpdateID, c.Params), "u", c.UpdateID,
			}
			if c.Join {
				fs = append(fs, "g", 1)
			}
			if c.Tag != "" {
				fs = append(fs, "t", c.Tag)
			}
			pl.XAdd(ctx, &redis.XAddArgs{Stream: o.Key(c.Partition), Values: fs})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add %d calls to outbox: %w", len(calls), err)
	}
	return nil
}

// Delete removes answered calls, given as partition → entry ids, in one
// round trip.
func (o *Outbox) Delete(ctx context.Context, ids map[int][]string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := o.rdb.Pipelined(ctx, func(pl redis.Pipeliner) error {
		for p, list := range ids {
			if len(list) > 0 {
				pl.XDel(ctx, o.Key(p), list...)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete answered calls: %w", err)
	}
	return nil
}

// Pending returns up to n calls waiting in partition p, oldest first.
func (o *Outbox) Pending(ctx context.Context, p int, n int64) ([]Outgoing, error) {
	ms, err := o.rdb.XRangeN(ctx, o.Key(p), "-", "+", n).Result()
	if err != nil {
		return nil, fmt.Errorf("read outbox of partition %d: %w", p, err)
	}
	out := make([]Outgoing, 0, len(ms))
	for _, m := range ms {
		out = append(out, o.outgoings(p, m)...)
	}
	return out, nil
}

// Len returns how many calls wait in partition p.
func (o *Outbox) Len(ctx context.Context, p int) (int64, error) {
	n, err := o.rdb.XLen(ctx, o.Key(p)).Result()
	if err != nil {
		return 0, fmt.Errorf("length of outbox %d: %w", p, err)
	}
	return n, nil
}

// Waiting returns how many calls wait in the outboxes of the given
// partitions, in one round trip.
func (o *Outbox) Waiting(ctx context.Context, parts []int) (int64, error) {
	if len(parts) == 0 {
		return 0, nil
	}
	cmds := make([]*redis.IntCmd, len(parts))
	_, err := o.rdb.Pipelined(ctx, func(pl redis.Pipeliner) error {
		for i, p := range parts {
			cmds[i] = pl.XLen(ctx, o.Key(p))
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("length of %d outboxes: %w", len(parts), err)
	}
	var n int64
	for _, c := range cmds {
		n += c.Val()
	}
	return n, nil
}

// outgoings returns the calls of an outbox entry, their parameters opened.
func (o *Outbox) outgoings(p int, m redis.XMessage) []Outgoing {
	key, uid := o.Key(p), fieldInt(m, "u")
	n := int(fieldInt(m, "n"))
	if n == 0 {
		return []Outgoing{{
			ID:        m.ID,
			Partition: p,
			ChatID:    fieldInt(m, "c"),
			Method:    fieldStr(m, "m"),
			Priority:  int(fieldInt(m, "p")),
			Params:    unseal(o.sealer, key, uid, []byte(fieldStr(m, "j"))),
			UpdateID:  fieldInt(m, "u"),
			Join:      fieldInt(m, "g") == 1,
			Tag:       fieldStr(m, "t"),
		}}
	}
	out := make([]Outgoing, n)
	for i := range out {
		k := strconv.Itoa(i)
		out[i] = Outgoing{
			ID:        m.ID,
			Partition: p,
			ChatID:    fieldInt(m, "c"+k),
			Method:    fieldStr(m, "m"+k),
			Priority:  int(fieldInt(m, "p"+k)),
			Params:    unseal(o.sealer, key, uid, []byte(fieldStr(m, "j"+k))),
			UpdateID:  fieldInt(m, "u"),
			Part:      i,
			Parts:     n,
			Join:      fieldInt(m, "g"+k) == 1,
			Tag:       fieldStr(m, "t"+k),
		}
	}
	return out
}
