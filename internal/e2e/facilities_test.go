package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"hotline/flows"
	"hotline/internal/cli"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// TestFacilitiesImportCommand runs `hotline facilities import FILE.csv` as an
// operator would, on a database with a case filed for a facility ICE renames.
func TestFacilitiesImportCommand(t *testing.T) {
	ctx := context.Background()
	dbURL := storagetest.PostgresURL(t)
	db, err := sqlx.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var eloy int64
	if err := db.Get(&eloy, `SELECT id FROM facilities WHERE code = 'EAZ'`); err != nil {
		t.Fatal(err)
	}
	c, err := storage.NewCases(db, storagetest.Keys(t)).Create(ctx, &flows.Report{
		DraftID: "d-import", Consent: true, ReporterUserID: 42, ReporterChatID: 42, Lang: "en", FacilityID: eloy,
	})
	if err != nil {
		t.Fatal(err)
	}

	orig, err := os.ReadFile(root + "/storage/data/ice-facilities.csv")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	renamed := write("renamed.csv", strings.Replace(string(orig),
		"EAZ,ELOY FEDERAL CONTRACT FACILITY,", "EAZ,ELOY SAGUARO PROCESSING CENTER,", 1))
	lines := strings.Split(string(orig), "\n")
	lines[39] = "XYZ,SOME JAIL,SOMEWHERE,TX" // line 40
	broken := write("broken.csv", strings.Join(lines, "\n"))

	env := map[string]string{"DATABASE_URL": dbURL}
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		wantCode  int
		wantOut   string // in stdout
		wantErr   string // in stderr
		wantFacil string // the case's facility afterwards
	}{
		{"no file", []string{"facilities", "import"}, env, 2, "", "usage: hotline facilities import FILE.csv", "ELOY FEDERAL CONTRACT FACILITY"},
		{"other verb", []string{"facilities", "export", renamed}, env, 2, "", "usage:", "ELOY FEDERAL CONTRACT FACILITY"},
		{"no database", []string{"facilities", "import", renamed}, nil, 2, "", "config: DATABASE_URL is not set", "ELOY FEDERAL CONTRACT FACILITY"},
		{"missing file", []string{"facilities", "import", filepath.Join(dir, "nope.csv")}, env, 1, "", "nope.csv", "ELOY FEDERAL CONTRACT FACILITY"},
		{"malformed file", []string{"facilities", "import", broken}, env, 1, "", "broken.csv: import facilities: malformed file: line 40: 4 columns, want 6", "ELOY FEDERAL CONTRACT FACILITY"},
		{"rename", []string{"facilities", "import", renamed}, env, 0, "facilities: 0 added, 1 updated, 0 deactivated, 252 unchanged", "", "ELOY SAGUARO PROCESSING CENTER"},
		{"again", []string{"facilities", "import", renamed}, env, 0, "facilities: 0 added, 0 updated, 0 deactivated, 253 unchanged", "", "ELOY SAGUARO PROCESSING CENTER"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(ctx, tt.args, func(k string) string { return tt.env[k] }, &stdout, &stderr)
		if code != tt.wantCode || !strings.Contains(stdout.String(), tt.wantOut) || !strings.Contains(stderr.String(), tt.wantErr) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q",
				tt.name, code, stdout.String(), stderr.String(), tt.wantCode, tt.wantOut, tt.wantErr)
		}
		var got string
		err := db.Get(&got, `SELECT f.name FROM cases c JOIN facilities f ON f.id = c.facility_id WHERE c.code = $1`, c.Code)
		if err != nil || got != tt.wantFacil {
			t.Errorf("%s: the case's facility is %q (%v), want %q", tt.name, got, err, tt.wantFacil)
		}
	}

	// "-" reads standard input, as `kubectl exec -i` passes the file.
	res, err := cli.ImportFacilities(ctx, getenvFrom(env), "-", strings.NewReader(string(orig)))
	if want := (storage.ImportResult{Updated: 1, Unchanged: 252}); err != nil || res != want {
		t.Errorf("import from standard input: %+v, %v; want %+v", res, err, want)
	}
	if _, err := cli.ImportFacilities(ctx, getenvFrom(env), "-", strings.NewReader("")); err == nil || !strings.Contains(err.Error(), "standard input: import facilities: malformed file: the file is empty") {
		t.Errorf("import of an empty standard input: %v; want it refused", err)
	}
	var got string
	if err := db.Get(&got, `SELECT f.name FROM cases c JOIN facilities f ON f.id = c.facility_id WHERE c.code = $1`, c.Code); err != nil || got != "ELOY FEDERAL CONTRACT FACILITY" {
		t.Errorf("after importing the original directory the case's facility is %q (%v)", got, err)
	}
}
