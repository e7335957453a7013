package app

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"hotline/flows"
	"hotline/storage"
)

// Retention: the personal fields of a case closed longer than
// HOTLINE_RETENTION are erased, by the bot every HOTLINE_PURGE_EVERY and by
// `hotline purge`. Every replica runs the job; a Postgres advisory lock
// lets one purge at a time, and what it erases is erased once.

// retentionJob purges what is past retention. RetentionText says the
// period in words.
type retentionJob struct {
	r    *storage.Retention
	keep time.Duration
	log  *slog.Logger
	now  func() time.Time
	// erased, when set, is told that a purge erased something.
	erased func()
	// forum, when set, is told which cases a purge erased, to delete
	// their topics in the team's forum.
	forum func(ctx context.Context, codes []string)
	// leftovers, when set, returns the erased cases whose topics are
	// still there, erased before the time given (forum.ErasedTopics):
	// each purge deletes them, in case their deletion was lost.
	leftovers func(ctx context.Context, before time.Time) ([]string, error)
}

// leftoverAge is how long an erased case's topic may wait for the deletion
// its erasure queued before a purge queues it again.
const leftoverAge = 10 * time.Minute

// once purges what is due now; another replica purging is no error.
func (j *retentionJob) once(ctx context.Context) {
	erased, err := j.r.Purge(ctx, j.now().Add(-j.keep), flows.ActorSystem)
	switch {
	case errors.Is(err, storage.ErrPurging):
		j.log.Debug("retention purge skipped: another replica is purging")
	case err != nil:
		if ctx.Err() == nil {
			j.log.Warn("retention purge", "err", err)
		}
	case len(erased) > 0:
		j.log.Info("retention purge", "cases", len(erased))
		if j.erased != nil {
			j.erased()
		}
		if j.forum != nil {
			codes := make([]string, len(erased))
			for i, c := range erased {
				codes[i] = c.Code
			}
			j.forum(ctx, codes)
		}
	}
	if j.forum == nil || j.leftovers == nil {
		return
	}
	codes, err := j.leftovers(ctx, j.now().Add(-leftoverAge))
	switch {
	case err != nil:
		if ctx.Err() == nil {
			j.log.Warn("forum: find the topics of erased cases", "err", err)
		}
	case len(codes) > 0:
		j.log.Info("forum: deleting topics of erased cases left in the group", "topics", len(codes))
		j.forum(ctx, codes)
	}
}

// run purges at once, then every `every`, until ctx is done; the channel is
// closed when it has stopped.
func (j *retentionJob) run(ctx context.Context, every time.Duration) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			j.once(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return done
}
