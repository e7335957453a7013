package storage

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// idsFresh is how long recentIDs answer from the ids they read: something
// added by another process (a member added from the command line) is
// known within it.
const idsFresh = 15 * time.Second

// recentIDs are the ids a query returns, read again once they are older
// than idsFresh: the answer to "may this user be one of them?" for every
// chat that writes for the first time, at the cost of one query that
// often. The zero value reads at the first call.
type recentIDs struct {
	query string // one column of int64

	mu     sync.Mutex // guards ids and readAt
	ids    map[int64]bool
	readAt time.Time
}

// has reports whether id is among the ids. When the query fails, the ids
// read last (if any) answer, with the error.
func (r *recentIDs) has(ctx context.Context, db *sqlx.DB, id int64) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.readAt) > idsFresh {
		var ids []int64
		if err := db.SelectContext(ctx, &ids, r.query); err != nil {
			return r.ids[id], fmt.Errorf("recent ids: %w", scrub(err))
		}
		r.ids = make(map[int64]bool, len(ids))
		for _, id := range ids {
			r.ids[id] = true
		}
		r.readAt = time.Now()
	}
	return r.ids[id], nil
}

// forget makes the next call read the ids again.
func (r *recentIDs) forget() {
	r.mu.Lock()
	r.readAt = time.Time{}
	r.mu.Unlock()
}
