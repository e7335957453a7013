package flows_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestFlowsImportNoAdapters keeps the domain free of Telegram, SQL and
// Redis: dependencies point inward, main → bot → flows ← storage.
func TestFlowsImportNoAdapters(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	banned := []string{"telegram", "database/sql", "sqlx", "lib/pq", "redis", "hotline/bot", "hotline/storage", "hotline/locales"}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, b := range banned {
				if strings.Contains(path, b) {
					t.Errorf("%s imports %s", f, path)
				}
			}
		}
	}
}
