package e2e

import (
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The package's tests run in parallel through turns rather than through go
// test's own -parallel: go test starts its parallel tests in whatever order
// the scheduler wakes them, and the test that keeps Postgres down for 30 s
// often started a quarter of the way in, then waited out its outage alone
// at the end while the CPU sat idle. Here the tests that mostly wait
// (takesLong) start before the others, so that their waiting overlaps the
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
// within their parent's turn. go test's "--- PASS" times count the wait for
// the turn.
func parallel(t *testing.T) { turns.wait(t, 0) }

// takesLong is parallel for a test that takes about d, most of it waiting
// (an outage, child processes, timers): the longest are let in first, so
// that none of them is left to end the run alone.
func takesLong(t *testing.T, d time.Duration) { turns.wait(t, d) }

// gate gives turns: at most limit tests at once, the longest first. No
// turn is given while a test that asked for one is still paused in
// t.Parallel (pending): go test releases them all at once when the
// sequential tests end, and the turns are given in order only once all
// have arrived.
type gate struct {
	mu      sync.Mutex
	limit   int
	running int
	pending int
	queue   []waiter
}

type waiter struct {
	d    time.Duration
	turn chan struct{}
}

func (g *gate) wait(t *testing.T, d time.Duration) {
	t.Helper()
	g.mu.Lock()
	g.pending++
	g.mu.Unlock()
	t.Parallel()

	w := waiter{d, make(chan struct{})}
	g.mu.Lock()
	g.pending--
	g.queue = append(g.queue, w)
	g.admit()
	g.mu.Unlock()
	<-w.turn
	t.Cleanup(g.leave)
}

func (g *gate) leave() {
	g.mu.Lock()
	g.running--
	g.admit()
	g.mu.Unlock()
}

// admit gives the free turns, the longest tests first and the others in
// the order they came. g.mu is held.
func (g *gate) admit() {
	for g.pending == 0 && g.running < g.limit && len(g.queue) > 0 {
		i := 0
		for j, w := range g.queue {
			if w.d > g.queue[i].d {
				i = j
			}
		}
		close(g.queue[i].turn)
		g.queue = append(g.queue[:i], g.queue[i+1:]...)
		g.running++
	}
}

// TestTopLevelTestsTakeTurns keeps the rule above: a top-level test of
// this package that called t.Parallel itself would run outside the turns,
// beside as many others as go test's own limit, which no test reaches.
func TestTopLevelTestsTakeTurns(t *testing.T) {
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || fn.Body == nil || !strings.HasPrefix(fn.Name.Name, "Test") {
				continue
			}
			for _, st := range fn.Body.List {
				call, ok := st.(*ast.ExprStmt)
				if !ok {
					continue
				}
				if c, ok := call.X.(*ast.CallExpr); ok {
					if sel, ok := c.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Parallel" {
						t.Errorf("%s: %s calls t.Parallel; call parallel(t) or takesLong(t, d) instead", fset.Position(c.Pos()), fn.Name.Name)
					}
				}
			}
		}
	}
}
