package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Writes to other slots, on a Redis Cluster. A script may only touch keys
// of one slot, and a commit's script runs in its partition's slot. What the
// handler wrote there (the chat's session, tagged with the partition) and
// its calls to the chat's own outbox are stored by the commit itself. The
// rest, calls to chats of other partitions and writes to other keys (the
// handoff queue, {h}; the lookup limiter), the commit stores as one entry
// of the partition's forward stream {p<N>}:fwd, atomically with everything
// else. Then the worker forwards it, before it handles the partition's next
// update: for each slot it runs one script that makes that slot's writes
// unless a memo key in the same slot says they were made (SET NX, kept a
// day), and then deletes the entry. A crash in between is repaired by the
// next holder, which forwards what the stream holds before it handles
// anything: each slot's writes land exactly once, and before any later
// update of the partition is handled. On one server there is no forward
// stream: the commit makes every write itself.

const forwardMemo = 24 * time.Hour // longer than any takeover

// keyTag returns what Redis Cluster hashes of a key: its hash tag, or the
// whole key.
func keyTag(key string) string {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			return key[i+1 : i+1+j]
		}
	}
	return key
}

func (in *Inbox) fwdKey(p int) string { return in.key(p, "fwd") }

// split sorts a Handled commit's batch commands into those of the
// partition's slot and the others; the batch's commands are single-key,
// the key their first argument.
func (in *Inbox) split(p int, cmds [][]any) (own, foreign [][]any) {
	tag := "p" + strconv.Itoa(p)
	for _, a := range cmds {
		if len(a) > 1 && keyTag(fmt.Sprint(a[1])) == tag {
			own = append(own, a)
		} else {
			foreign = append(foreign, a)
		}
	}
	return own, foreign
}

// batchCmds returns the argument lists of a commit's batch (none unless it
// is Handled).
func (in *Inbox) batchCmds(c Commit) [][]any {
	if c.Outcome != Handled || c.Batch == nil || c.Batch.Len() == 0 {
		return nil
	}
	pl := in.rdb.Pipeline()
	defer pl.Discard()
	c.Batch.Apply(pl)
	out := make([][]any, 0, c.Batch.Len())
	for _, cmd := range pl.Cmds() {
		out = append(out, cmd.Args())
	}
	return out
}

// Forwards reports whether storing c leaves writes to forward.
func (in *Inbox) Forwards(c Commit) bool {
	if !in.cluster {
		return false
	}
	for _, o := range c.Calls {
		if o.Partition != c.Entry.Partition {
			return true
		}
	}
	_, foreign := in.split(c.Entry.Partition, in.batchCmds(c))
	return len(foreign) > 0
}

// encodeCmds encodes commands for the forward stream, binary-safe.
func encodeCmds(cmds [][]any) []byte {
	raw := make([][][]byte, len(cmds))
	for i, a := range cmds {
		raw[i] = make([][]byte, len(a))
		for j, v := range a {
			raw[i][j] = argBytes(v)
		}
	}
	b, _ := json.Marshal(raw) // [][][]byte always encodes
	return b
}

// argBytes writes a command argument as go-redis sends it.
func argBytes(v any) []byte {
	switch x := v.(type) {
	case string:
		return []byte(x)
	case []byte:
		return x
	case int:
		return strconv.AppendInt(nil, int64(x), 10)
	case int64:
		return strconv.AppendInt(nil, x, 10)
	case int32:
		return strconv.AppendInt(nil, int64(x), 10)
	case uint64:
		return strconv.AppendUint(nil, x, 10)
	case float64:
		return strconv.AppendFloat(nil, x, 'f', -1, 64)
	case bool:
		if x {
			return []byte("1")
		}
		return []byte("0")
	case nil:
		return nil
	}
	return []byte(fmt.Sprint(v))
}

// forwardScript makes one slot's forwarded writes once. KEYS[1] is the memo
// key, in that slot; ARGV[1] its lifetime (s), then each command as argc
// and its arguments.
var forwardScript = redis.NewScript(`
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
local i = 2
while i <= #ARGV do
  local argc = tonumber(ARGV[i])
  redis.call(unpack(ARGV, i + 1, i + argc))
  i = i + 1 + argc
end
return 1
`)

// Forward makes the writes waiting in partition p's forward stream, oldest
// first, each slot's once, and deletes them from the stream.
func (in *Inbox) Forward(ctx context.Context, p int) error {
	if !in.cluster {
		return nil
	}
	for {
		ms, err := in.rdb.XRangeN(ctx, in.fwdKey(p), "-", "+", 100).Result()
		if err != nil {
			return fmt.Errorf("read forward stream %d: %w", p, err)
		}
		if len(ms) == 0 {
			return nil
		}
		for _, m := range ms {
			if err := in.forwardEntry(ctx, p, m); err != nil {
				return err
			}
			if err := in.rdb.XDel(ctx, in.fwdKey(p), m.ID).Err(); err != nil {
				return fmt.Errorf("forward entry %s of partition %d: delete: %w", m.ID, p, err)
			}
		}
	}
}

// forwardEntry makes the writes of one forward entry, each slot's once.
func (in *Inbox) forwardEntry(ctx context.Context, p int, m redis.XMessage) error {
	var cmds [][][]byte
	if err := json.Unmarshal([]byte(fieldStr(m, "w")), &cmds); err != nil {
		return fmt.Errorf("forward entry %s of partition %d: malformed", m.ID, p)
	}
	var order []string
	byTag := map[string][]any{}
	for _, a := range cmds {
		if len(a) < 2 {
			continue
		}
		tag := keyTag(string(a[1]))
		if _, ok := byTag[tag]; !ok {
			order = append(order, tag)
		}
		byTag[tag] = append(byTag[tag], len(a))
		for _, x := range a {
			byTag[tag] = append(byTag[tag], x)
		}
	}
	for _, tag := range order {
		memo := in.prefix + "fw:{" + tag + "}:" + strconv.Itoa(p) + ":" + m.ID
		args := append([]any{int64(forwardMemo / time.Second)}, byTag[tag]...)
		if err := forwardScript.Run(ctx, in.rdb, []string{memo}, args...).Err(); err != nil {
			return fmt.Errorf("forward entry %s of partition %d: %w", m.ID, p, err)
		}
	}
	return nil
}
