package e2e

import (
	"flag"
	"runtime"
	"strconv"
	"sync"
	"testing"
)

// The package's tests run in parallel through turns rather than through go
// test's own -parallel: go test starts its parallel tests in whatever order
// the scheduler wakes them, and the test that keeps Postgres down for 30 s
// often started a quarter of the way in, then waited out its outage alone
// at the end while the CPU sat idle. Here the tests that mostly wait
// (waitsLong) start before the others, so that their waiting overlaps the
// others' work.

// turns lets the package's parallel tests in.
var turns = &gate{limit: min(16, max(8, 4*runtime.GOMAXPROCS(0)))}

// takeParallelFlag makes -parallel the number of turns (four per CPU, from
// 8 to 16, unless it is given) and go test's own limit one no test reaches.
// Most tests wait on timers, sockets and child processes rather than the
// CPU, so go test's default of one per CPU would leave a 2-core machine
// idle for minutes; 16 at once on 2 cores is as slow as 8 (the CPU is the
// limit there) and keeps the connections to Postgres well under the 300
// scripts/services.sh allows. It is called after flag.Parse.
func takeParallelFlag() {
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "test.parallel" {
			if n, err := strconv.Atoi(f.Value.String()); err == nil && n > 0 {
				turns.limit = n
			}
		}
	})
	_ = flag.Set("test.parallel", "100000")
}

// parallel is t.Parallel for a top-level test of this package: it returns
// when the test's turn comes. Subtests call t.Parallel themselves and run
// within their parent's turn.
func parallel(t *testing.T) { turns.wait(t, false) }

// waitsLong is parallel for a test that spends most of its time waiting
// (an outage, child processes starting): it is let in before the others.
func waitsLong(t *testing.T) { turns.wait(t, true) }

// gate gives turns: at most limit tests at once, the ones that wait long
// first. No turn is given while a test that asked for one is still paused
// in t.Parallel (pending): go test releases them all at once when the
// sequential tests end, and the first turns go to the tests that wait
// long only if all have arrived.
type gate struct {
	mu      sync.Mutex
	limit   int
	running int
	pending int
	queue   [2][]chan struct{} // [1]: the tests that wait long
}

func (g *gate) wait(t *testing.T, long bool) {
	t.Helper()
	g.mu.Lock()
	g.pending++
	g.mu.Unlock()
	t.Parallel()

	turn := make(chan struct{})
	g.mu.Lock()
	g.pending--
	i := 0
	if long {
		i = 1
	}
	g.queue[i] = append(g.queue[i], turn)
	g.admit()
	g.mu.Unlock()
	<-turn
	t.Cleanup(g.leave)
}

func (g *gate) leave() {
	g.mu.Lock()
	g.running--
	g.admit()
	g.mu.Unlock()
}

// admit gives the free turns, the tests that wait long first. g.mu is held.
func (g *gate) admit() {
	for g.pending == 0 && g.running < g.limit {
		i := 1
		if len(g.queue[1]) == 0 {
			i = 0
		}
		if len(g.queue[i]) == 0 {
			return
		}
		close(g.queue[i][0])
		g.queue[i] = g.queue[i][1:]
		g.running++
	}
}
