package storage_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"hotline/storage"
	"hotline/storage/storagetest"
)

// directoryLines returns the lines of the embedded facility directory, the
// file an operator would edit and import.
func directoryLines(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("data/ice-facilities.csv")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

// edit returns lines with the line starting with prefix replaced by repl,
// or dropped when repl is "".
func edit(t *testing.T, lines []string, prefix, repl string) []string {
	t.Helper()
	out := slices.Clone(lines)
	for i, l := range out {
		if strings.HasPrefix(l, prefix) {
			if repl == "" {
				return slices.Delete(out, i, i+1)
			}
			out[i] = repl
			return out
		}
	}
	t.Fatalf("no line starts with %q", prefix)
	return nil
}

func importLines(t *testing.T, db *sqlx.DB, lines []string) (storage.ImportResult, error) {
	t.Helper()
	return storage.NewFacilities(db).Import(context.Background(), strings.NewReader(strings.Join(lines, "\n")+"\n"))
}

// caseFacility returns the name of the facility a case points at, as the
// volunteers' screens read it.
func caseFacility(t *testing.T, db *sqlx.DB, code string) string {
	t.Helper()
	var name string
	err := db.Get(&name, `SELECT f.name FROM cases c JOIN facilities f ON f.id = c.facility_id WHERE c.code = $1`, code)
	if err != nil {
		t.Fatalf("facility of case %s: %v", code, err)
	}
	return name
}

// matchCodes returns the codes of the top n matches of query.
func matchCodes(t *testing.T, db *sqlx.DB, query string, n int) []string {
	t.Helper()
	got, err := storage.NewFacilities(db).Match(context.Background(), query, n)
	if err != nil {
		t.Fatalf("Match(%q): %v", query, err)
	}
	var codes []string
	for _, f := range got {
		codes = append(codes, f.Code)
	}
	return codes
}

// snapshot sums up everything about the directory, aliases included.
func snapshot(t *testing.T, db *sqlx.DB) string {
	t.Helper()
	var s string
	err := db.Get(&s, `SELECT
		(SELECT md5(string_agg(f::text, ',' ORDER BY f.id)) FROM facilities f) || '/' ||
		(SELECT md5(string_agg(a::text, ',' ORDER BY a.facility_id, a.alias)) FROM facility_aliases a)`)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newCase(t *testing.T, db *sqlx.DB, facilityCode string) string {
	t.Helper()
	r := fullReport()
	r.FacilityID = facilityID(t, db, facilityCode)
	c, err := storage.NewCases(db, storagetest.Keys(t)).Create(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return c.Code
}

func aliasCount(t *testing.T, db *sqlx.DB, code string) int {
	t.Helper()
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM facility_aliases a JOIN facilities f ON f.id = a.facility_id WHERE f.code = $1`, code); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestImportRenameKeepsCases is the reason Import exists: ICE renames a
// facility, the directory follows, and the cases filed for it still point
// at it, under its new name, with its aliases.
func TestImportRenameKeepsCases(t *testing.T) {
	db := storagetest.Postgres(t)
	id := facilityID(t, db, "EAZ")
	code := newCase(t, db, "EAZ")
	aliases := aliasCount(t, db, "EAZ")

	lines := edit(t, directoryLines(t), "EAZ,", "EAZ,ELOY SAGUARO PROCESSING CENTER,ELOY,AZ,Phoenix,DIGSA")
	got, err := importLines(t, db, lines)
	if err != nil {
		t.Fatal(err)
	}
	if want := (storage.ImportResult{Updated: 1, Unchanged: 252}); got != want {
		t.Errorf("Import = %+v, want %+v", got, want)
	}
	if got, want := caseFacility(t, db, code), "ELOY SAGUARO PROCESSING CENTER"; got != want {
		t.Errorf("the case's facility is %q, want %q", got, want)
	}
	if got := facilityID(t, db, "EAZ"); got != id {
		t.Errorf("EAZ has id %d after the import, want %d as before", got, id)
	}
	if got := aliasCount(t, db, "EAZ"); got != aliases || got == 0 {
		t.Errorf("EAZ has %d aliases after the import, want the %d it had", got, aliases)
	}
	// The search text follows the new name; the aliases still find it.
	for _, q := range []string{"saguaro", "Eloy", "Элой"} {
		if got := matchCodes(t, db, q, 3); !slices.Contains(got, "EAZ") {
			t.Errorf("Match(%q) = %v, want EAZ among them", q, got)
		}
	}
}

func TestImportNewAndMissing(t *testing.T) {
	db := storagetest.Postgres(t)
	original := directoryLines(t)
	kroID := facilityID(t, db, "KRO")
	code := newCase(t, db, "KRO")

	lines := edit(t, original, "KRO,", "")
	lines = append(lines, "NHOPETX,NEW HOPE PROCESSING CENTER,NEW HOPE,TX,Houston,CDF")
	got, err := importLines(t, db, lines)
	if err != nil {
		t.Fatal(err)
	}
	if want := (storage.ImportResult{Added: 1, Unchanged: 252, Deactivated: 1}); got != want {
		t.Errorf("first import = %+v, want %+v", got, want)
	}
	if got := matchCodes(t, db, "new hope", 3); !slices.Contains(got, "NHOPETX") {
		t.Errorf(`Match("new hope") = %v, want the new facility NHOPETX`, got)
	}
	if got := matchCodes(t, db, "krome", 20); slices.Contains(got, "KRO") {
		t.Errorf(`Match("krome") = %v; an inactive facility must not be offered`, got)
	}
	if got, want := caseFacility(t, db, code), "KROME NORTH SERVICE PROCESSING CENTER"; got != want {
		t.Errorf("the case's facility is %q, want %q: a facility missing from the file stays for its cases", got, want)
	}
	if f, err := storage.NewFacilities(db).Get(context.Background(), kroID); err != nil || f.Code != "KRO" {
		t.Errorf("Get(KRO) = %+v, %v; want the inactive facility", f, err)
	}

	// Importing the old file again brings Krome back, under the same id.
	got, err = importLines(t, db, original)
	if err != nil {
		t.Fatal(err)
	}
	if want := (storage.ImportResult{Updated: 1, Unchanged: 252, Deactivated: 1}); got != want {
		t.Errorf("second import = %+v, want %+v", got, want)
	}
	if got := matchCodes(t, db, "krome", 3); !slices.Contains(got, "KRO") {
		t.Errorf(`Match("krome") = %v after Krome is listed again, want KRO`, got)
	}
	if got := facilityID(t, db, "KRO"); got != kroID {
		t.Errorf("KRO has id %d, want %d", got, kroID)
	}
	if got := matchCodes(t, db, "new hope", 3); slices.Contains(got, "NHOPETX") {
		t.Errorf(`Match("new hope") = %v after the file dropped it`, got)
	}
}

func TestImportSameFileChangesNothing(t *testing.T) {
	db := storagetest.Postgres(t)
	before := snapshot(t, db)
	got, err := importLines(t, db, directoryLines(t))
	if err != nil {
		t.Fatal(err)
	}
	// 253 facilities, two without a code, matched by name, city and state.
	if want := (storage.ImportResult{Unchanged: 253}); got != want {
		t.Errorf("Import = %+v, want %+v", got, want)
	}
	if after := snapshot(t, db); after != before {
		t.Error("importing the directory as it is changed the facilities table")
	}
}

// TestImportMatchesByPlace: a facility without a code is found by name,
// city and state (spelt in another case, with other spacing), and keeps its
// id when it gets a code.
func TestImportMatchesByPlace(t *testing.T) {
	db := storagetest.Postgres(t)
	var id int64
	if err := db.Get(&id, `SELECT id FROM facilities WHERE name = 'JTF CAMP SIX'`); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line string
		want storage.ImportResult
	}{
		{",JTF Camp  Six,Guantanamo Bay,CU,Miami,DOD", storage.ImportResult{Unchanged: 252, Updated: 1}},
		{"JTFSIXCU,JTF CAMP SIX,GUANTANAMO BAY,CU,Miami,DOD", storage.ImportResult{Unchanged: 252, Updated: 1}},
	}
	for _, tt := range tests {
		got, err := importLines(t, db, edit(t, directoryLines(t), ",JTF CAMP SIX,", tt.line))
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("import of %q = %+v, want %+v", tt.line, got, tt.want)
		}
		var n int
		if err := db.Get(&n, `SELECT count(*) FROM facilities WHERE id = $1 AND active AND upper(name) LIKE 'JTF CAMP%'`, id); err != nil || n != 1 {
			t.Errorf("after importing %q the facility with id %d is not the active JTF Camp Six (%v)", tt.line, id, err)
		}
	}
	if got := facilityID(t, db, "JTFSIXCU"); got != id {
		t.Errorf("JTFSIXCU has id %d, want %d", got, id)
	}
}

// TestImportRefusesMalformed: an import that cannot be read says on which
// line and changes nothing.
func TestImportRefusesMalformed(t *testing.T) {
	db := storagetest.Postgres(t)
	before := snapshot(t, db)
	good := directoryLines(t)
	withLine := func(n int, l string) []string { // line n (1-based) replaced
		out := slices.Clone(good)
		out[n-1] = l
		return out
	}
	tests := []struct {
		name  string
		lines []string
		want  string // in the error
	}{
		{"wrong header", withLine(1, "code,name,city,state,type"), "line 1: header is not code,name,city,state,field_office,type"},
		{"empty file", []string{""}, "the file is empty"},
		{"header only", good[:1], "no facilities"},
		{"missing column", withLine(40, "XYZ,SOME JAIL,SOMEWHERE,TX,Houston"), "line 40: 5 columns, want 6"},
		{"extra column", withLine(200, "XYZ,SOME JAIL,SOMEWHERE,TX,Houston,IGSA,extra"), "line 200: 7 columns, want 6"},
		{"empty name", withLine(254, "XYZ, ,SOMEWHERE,TX,Houston,IGSA"), "line 254: empty name"},
		{"code twice", withLine(3, good[1]), "line 3: code ADAMSMS is on line 2 too"},
		{"bad quote", withLine(10, `XYZ,"SOME JAIL,SOMEWHERE,TX,Houston,IGSA`), "line 10:"},
		{"line after a comment", append(slices.Clone(good[:5]), "# next: a broken line", "XYZ,,A,TX,B,C"), "line 7: empty name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := importLines(t, db, tt.lines)
			if !errors.Is(err, storage.ErrMalformed) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Import: err = %v, want ErrMalformed saying %q", err, tt.want)
			}
			if snapshot(t, db) != before {
				t.Error("a refused import changed the facilities table")
			}
		})
	}
}
