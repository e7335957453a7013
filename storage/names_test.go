package storage

import (
	"strings"
	"testing"
)

func TestReadable(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ELOY FEDERAL CONTRACT FACILITY", "Eloy Federal Contract Facility"},
		{"KROME NORTH SPC", "Krome North SPC"},
		{"KROME NORTH SERVICE PROCESSING CENTER", "Krome North Service Processing Center"},
		{"ADELANTO ICE PROCESSING CENTER", "Adelanto ICE Processing Center"},
		{"SOUTH LOUISIANA ICE PROCESSING CENTER", "South Louisiana ICE Processing Center"},
		{"CENTRAL LOUISIANA ICE PROCESSING CENTER (CLIPC)", "Central Louisiana ICE Processing Center (CLIPC)"},
		{"CCA, FLORENCE CORRECTIONAL CENTER", "CCA, Florence Correctional Center"},
		{"CASCADE COUNTY JAIL, MT", "Cascade County Jail, MT"},
		{"CLARK COUNTY JAIL (IN)", "Clark County Jail (IN)"},
		{"PENNINGTON COUNTY JAIL (SOUTH DAKOTA)", "Pennington County Jail (South Dakota)"},
		{"DEPARTMENT OF CORRECTIONS HAGATNA", "Department of Corrections Hagatna"},
		{"WESTERN REGIONAL JAIL AND CORRECTIONAL FACILITY", "Western Regional Jail and Correctional Facility"},
		{"LEAVENWORTH US PENITENTIARY", "Leavenworth US Penitentiary"},
		{"ERO EL PASO CAMP EAST MONTANA", "ERO El Paso Camp East Montana"},
		{"AZ REM OP COORD CENTER (AROCC)", "AZ Rem Op Coord Center (AROCC)"},
		{"TURNER GUILFORD KNIGHT (TGK) JAIL", "Turner Guilford Knight (TGK) Jail"},
		{"TULSA COUNTY JAIL (DAVID L. MOSS JUSTICE CTR)", "Tulsa County Jail (David L. Moss Justice Ctr)"},
		{"OZARK COUNTY SHERIFF'S OFFICE", "Ozark County Sheriff's Office"},
		{"STE. GENEVIEVE COUNTY SHERIFF/JAIL", "Ste. Genevieve County Sheriff/Jail"},
		{"FLORIDA SOFT-SIDED FACILITY", "Florida Soft-Sided Facility"},
		{"NYE COUNTY SHERIFF-PAHRUMP", "Nye County Sheriff-Pahrump"},
		{"MCCOOK DETENTION CENTER", "McCook Detention Center"},
		{"MCALLEN", "McAllen"},
		{"O'NEILL COUNTY JAIL", "O'Neill County Jail"},
		{"FT.LAUDERDALE", "Ft.Lauderdale"},
		{"BAY ST. LOUIS", "Bay St. Louis"},
		{"DEL RIO", "Del Rio"},
		{"LA SALLE COUNTY REGIONAL DETENTION CENTER", "La Salle County Regional Detention Center"},
		{"BUREAU OF PRISONS UNIT III", "Bureau of Prisons Unit III"},
		{"NYC HOLD ROOM", "NYC Hold Room"},
		{"  GUAYNABO   MDC (SAN JUAN) ", "Guaynabo MDC (San Juan)"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := readable(tt.in); got != tt.want {
			t.Errorf("readable(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSearchText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Eloy Detention Center", "eloy"},
		{"ELOY FEDERAL CONTRACT FACILITY", "eloy"},
		{"Элой", "eloy"},
		{"тюрьма в Элое", "eloe"},
		{"Krome, Miami!", "krome miami"},
		{"Тако́ма", "tacoma"},
		{"Джена", "jena"},
		{"Южная Луизиана", "south louisiana"},
		{"в Техасе", "texas"},
		{"в Нью-Йорке", "new york"},
		{"OZARK COUNTY SHERIFF'S OFFICE", "ozark"},
		{"FLORIDA SOFT-SIDED FACILITY", "florida soft sided"},
		{"Ft. Lauderdale", "fort lauderdale"},
		{"26 Federal Plaza", "26 plaza"},
		{"detention center", "detention center"}, // nothing but filler: kept
		{"<b>Eloy</b>", "b eloy b"},
		{"🙂🙂", ""},
		{"  ", ""},
	}
	for _, tt := range tests {
		if got := searchText(tt.in); got != tt.want {
			t.Errorf("searchText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSoundText(t *testing.T) {
	for _, tt := range [][2]string{
		{"conroe", "knr"}, {"konro", "knr"}, // Conroe, Конро
		{"bakersfield", "bkrsfld"}, {"beykersfild", "bkrsfld"},
		{"winn", "vn"}, {"vinn", "vn"},
		{"francisco", "frnssk"}, {"frantsisko", "frnssk"},
		{"elizabeth", "elzbt"}, {"elizabet", "elzbt"},
		{"krome | miami", "krm | mm"}, {"pearsall", "prsl"}, {"pirsoll", "prsl"},
	} {
		if got := soundText(tt[0]); got != tt[1] {
			t.Errorf("soundText(%q) = %q, want %q", tt[0], got, tt[1])
		}
	}
}

// TestEmbeddedData checks the embedded directory and that every alias names a
// facility in it.
func TestEmbeddedData(t *testing.T) {
	f, err := data.Open("data/ice-facilities.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dir, err := readDirectory(f)
	if err != nil {
		t.Fatalf("read ice-facilities.csv: %v", err)
	}
	if got, want := len(dir), 253; got != want {
		t.Errorf("ice-facilities.csv has %d facilities, want %d", got, want)
	}
	codes := map[string]bool{}
	for _, r := range dir {
		if r.Code == "" {
			continue
		}
		if codes[r.Code] {
			t.Errorf("code %s appears twice", r.Code)
		}
		codes[r.Code] = true
		if stateName(r.State) == "" {
			t.Errorf("%s: unknown state %q", r.Code, r.State)
		}
	}

	a, err := data.Open("data/facility-aliases.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	aliases, err := readAliases(a)
	if err != nil {
		t.Fatalf("read facility-aliases.csv: %v", err)
	}
	if len(aliases) < 40 {
		t.Errorf("facility-aliases.csv has %d aliases, want at least 40", len(aliases))
	}
	seen := map[string]bool{}
	for _, al := range aliases {
		if !codes[al.Code] {
			t.Errorf("alias %q names code %s, which is not in ice-facilities.csv", al.Alias, al.Code)
		}
		k := strings.ToLower(al.Alias) + "," + al.Code
		if seen[k] {
			t.Errorf("alias %q for %s appears twice", al.Alias, al.Code)
		}
		seen[k] = true
	}
}

func TestReadCSVRejectsBadHeader(t *testing.T) {
	_, err := readAliases(strings.NewReader("name,facility\nKrome,KRO\n"))
	if err == nil {
		t.Fatal("readAliases accepted a file with the wrong header")
	}
}

func TestLoadMigrations(t *testing.T) {
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if m.version != i+1 {
			t.Errorf("migration %d is numbered %03d; want versions 1, 2, 3… without gaps", i+1, m.version)
		}
	}
}
