// Package batch collects the Redis writes that handling one update makes, so
// that the pipeline commits them atomically with the update's removal from
// the inbox and its outgoing calls.
//
// The rule every store that writes through a batch must keep: inside a batch
// (a context made by With) a write is not visible until the update is
// committed, so a store must not read back, while handling the same update,
// what it wrote. Each store method that defers says so in its doc comment.
package batch

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// Batch collects the Redis writes that handling one update makes, so that the
// pipeline can run them in one MULTI/EXEC together with the update's
// acknowledgement, its dedup mark and its outgoing messages: either all of an
// update's effects land or none do, and a redelivered update finds the state
// it expects. Reads are not buffered: a store that writes into a batch must
// not read back what it wrote while handling the same update.
type Batch struct {
	writes    []func(redis.Pipeliner)
	committed []func()
	scope     string
}

// New returns a batch for an update handled within scope: a string that
// changes whenever writes other than this process's committed batches may
// have reached the keys the update's chat owns (the pipeline passes its
// partition lease token). "" is no scope: nothing may be cached.
func New(scope string) *Batch { return &Batch{scope: scope} }

// Scope returns the batch's scope.
func (b *Batch) Scope() string { return b.scope }

// OnCommit registers f to run once the batch's writes are stored; it does
// not run when they are not (the update failed, or its commit was refused).
func (b *Batch) OnCommit(f func()) { b.committed = append(b.committed, f) }

// Committed runs what OnCommit registered; the pipeline calls it after
// storing the batch.
func (b *Batch) Committed() {
	for _, f := range b.committed {
		f()
	}
	b.committed = nil
}

type batchKey struct{}

// With returns a context whose Redis stores write into b instead of
// writing at once.
func With(ctx context.Context, b *Batch) context.Context {
	return context.WithValue(ctx, batchKey{}, b)
}

// From returns the batch carried by ctx, or nil.
func From(ctx context.Context) *Batch {
	b, _ := ctx.Value(batchKey{}).(*Batch)
	return b
}

// Add queues a write.
func (b *Batch) Add(w func(redis.Pipeliner)) { b.writes = append(b.writes, w) }

// Len returns how many writes are queued.
func (b *Batch) Len() int { return len(b.writes) }

// Apply queues every write on p, in the order they were added.
func (b *Batch) Apply(p redis.Pipeliner) {
	for _, w := range b.writes {
		w(p)
	}
}

// Write runs w inside the batch carried by ctx, or at once on c when there
// is none: in one MULTI/EXEC on one server; on a Redis Cluster, whose
// transactions cannot span slots, in one pipeline, each write on its own.
func Write(ctx context.Context, c redis.UniversalClient, w func(redis.Pipeliner)) error {
	if b := From(ctx); b != nil {
		b.Add(w)
		return nil
	}
	run := c.TxPipelined
	if _, ok := c.(*redis.ClusterClient); ok {
		run = c.Pipelined
	}
	_, err := run(ctx, func(p redis.Pipeliner) error {
		w(p)
		return nil
	})
	return err
}
