package pipeline

import (
	"slices"
	"time"
)

// A chat's calls wait in the sender in a chatQ, and chats take their turns
// in two lines of places (a reply due, or only notices) and, while a limit
// holds them back, in a heap ordered by when they may send again.

// item is one call in the sender, or a joined message made of several.
type item struct {
	o        Outgoing
	attempts int
	counted  time.Time // when the attempt in flight was counted against the limits
	// parts are the queued calls a joined message carries (join.go); nil
	// for a call made as it is.
	parts []*item
	// alone: Telegram refused this call joined with others, so it is
	// made on its own.
	alone bool
}

// calls returns the queued calls an attempt makes: its parts, or itself.
func (it *item) calls() []*item {
	if it.parts != nil {
		return it.parts
	}
	return []*item{it}
}

// chatQ is one chat's calls in the sender: replies and notices in order,
// the call in flight, and the chat's share of the limits.
type chatQ struct {
	id      int64
	sp      *sendPart
	q       [2][]*item // 0: replies, 1: notices
	busy    *item
	gone    bool
	inRing  [2]bool
	heapIdx int       // -1 when not waiting
	served  time.Time // when its last call went out; zero for a chat not served lately
	b       chatBudget
}

func (c *chatQ) empty() bool { return len(c.q[0])+len(c.q[1]) == 0 }

// head returns the chat's next call: replies first, and the calls after it
// joined with it where they allow (join.go).
func (c *chatQ) head() *item {
	if len(c.q[0]) > 0 {
		return joined(c.q[0])
	}
	return joined(c.q[1])
}

// removeItem takes it out of the chat's queues and reports whether it was there.
func (c *chatQ) removeItem(it *item) bool {
	for k := range c.q {
		for i, x := range c.q[k] {
			if x == it {
				// Delete clears the slot freed at the end, which would
				// otherwise keep the last call's parameters alive.
				c.q[k] = slices.Delete(c.q[k], i, i+1)
				return true
			}
		}
	}
	return false
}

// place is a chat's place in line for its next call. The chat served
// longest ago goes first, and a chat not served lately before any that was:
// after a raid, everyone's first answer goes out before anyone's second, and
// one chat's backlog never holds up another chat's next message. Ties go in
// arrival order. The key is taken when the chat joins the line, so the heap
// stays ordered while the chat's own state changes.
type place struct {
	c      *chatQ
	served time.Time
	seq    uint64
}

type places []place

func (h places) Len() int { return len(h) }
func (h places) Less(i, j int) bool {
	if !h[i].served.Equal(h[j].served) {
		return h[i].served.Before(h[j].served)
	}
	return h[i].seq < h[j].seq
}
func (h places) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *places) Push(x any)   { *h = append(*h, x.(place)) }
func (h *places) Pop() any {
	old := *h
	p := old[len(old)-1]
	old[len(old)-1] = place{}
	*h = old[:len(old)-1]
	return p
}

// chatHeap orders waiting chats by when they may send again.
type chatHeap []*chatQ

func (h chatHeap) Len() int           { return len(h) }
func (h chatHeap) Less(i, j int) bool { return h[i].b.notBefore.Before(h[j].b.notBefore) }
func (h chatHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIdx = i
	h[j].heapIdx = j
}
func (h *chatHeap) Push(x any) {
	c := x.(*chatQ)
	c.heapIdx = len(*h)
	*h = append(*h, c)
}
func (h *chatHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	c.heapIdx = -1
	return c
}
