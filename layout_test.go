package main

import (
	"go/build"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestLayout keeps the shape of the project: dependencies point inward
// (main → internal/app → bot, pipeline, storage → flows), the adapters do
// not know each other, and the root package is main.go alone.
func TestLayout(t *testing.T) {
	rules := []struct {
		pkg    string
		banned []string // import path prefixes, direct or through other packages
	}{
		{"hotline/flows", []string{"hotline/", "github.com/go-telegram", "github.com/redis", "github.com/jmoiron", "github.com/lib/pq", "database/sql"}},
		{"hotline/bot", []string{"hotline/storage", "hotline/internal", "github.com/redis", "github.com/jmoiron", "github.com/lib/pq", "database/sql"}},
		{"hotline/storage", []string{"hotline/bot", "hotline/internal/pipeline", "github.com/go-telegram"}},
		{"hotline/internal/pipeline", []string{"hotline/bot", "hotline/storage", "github.com/jmoiron", "database/sql"}},
		{"hotline/locales", []string{"hotline/bot", "hotline/storage", "hotline/internal"}},
	}
	for _, r := range rules {
		for _, dep := range deps(t, r.pkg) {
			for _, b := range r.banned {
				if strings.HasPrefix(dep, b) && dep != r.pkg && !(b == "hotline/" && dep == r.pkg) {
					t.Errorf("%s depends on %s", r.pkg, dep)
				}
			}
		}
	}

	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f != "main.go" && f != "layout_test.go" {
			t.Errorf("%s is in the root package: code goes under internal/ (or bot/, flows/, storage/, locales/)", f)
		}
	}
	if b, err := os.ReadFile("main.go"); err != nil || strings.Count(string(b), "\n") > 40 {
		t.Errorf("main.go is more than a few lines (%v): wiring goes in internal/app, commands in internal/cli", err)
	}
}

// deps returns the project and standard packages pkg imports, directly or
// through other project packages; test files are not counted.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	seen := map[string]bool{}
	var walk func(p string)
	walk = func(p string) {
		dir := filepath.FromSlash(strings.TrimPrefix(strings.TrimPrefix(p, "hotline"), "/"))
		if dir == "" {
			dir = "."
		}
		bp, err := build.ImportDir(dir, 0)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, imp := range bp.Imports {
			if seen[imp] {
				continue
			}
			seen[imp] = true
			if strings.HasPrefix(imp, "hotline/") {
				walk(imp)
			}
		}
	}
	walk(pkg)
	out := make([]string, 0, len(seen))
	for d := range seen {
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}
