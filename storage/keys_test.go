package storage_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"hotline/flows"
	"hotline/storage"
	"hotline/storage/storagetest"
)

func newKey(t *testing.T) []byte {
	t.Helper()
	k := make([]byte, storage.DataKeySize)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func keyring(t *testing.T, current []byte, old ...[]byte) *storage.Keyring {
	t.Helper()
	k, err := storage.NewKeyring(current, old...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// noPersonal fails when an error text quotes a personal value.
func noPersonal(t *testing.T, err error, values []string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, v := range values {
		if v != "" && strings.Contains(err.Error(), v) {
			t.Errorf("error %q quotes a personal value", err)
		}
	}
}

func TestKeyringSealOpen(t *testing.T) {
	a, b := newKey(t), newKey(t)
	ka, kb := keyring(t, a), keyring(t, b)
	if again := keyring(t, a); again.Current() != ka.Current() {
		t.Errorf("key id of the same key: %s, then %s; want it stable", ka.Current(), again.Current())
	}
	if ka.Current() == kb.Current() || len(ka.Current()) != 16 {
		t.Errorf("key ids %q and %q: want 16 hex digits, distinct", ka.Current(), kb.Current())
	}
	if got, want := keyring(t, b, a, b).IDs(), []string{kb.Current(), ka.Current()}; !slices.Equal(got, want) {
		t.Errorf("IDs = %v, want %v (current first, duplicates once)", got, want)
	}
	for _, bad := range [][]byte{nil, make([]byte, 16), make([]byte, 33)} {
		if _, err := storage.NewKeyring(bad); err == nil {
			t.Errorf("NewKeyring accepted a %d-byte key", len(bad))
		}
	}
	if _, err := storage.NewKeyring(a, make([]byte, 31)); err == nil {
		t.Error("NewKeyring accepted a 31-byte old key")
	}

	for _, v := range []string{"Ivan Petrov", "Иван Петров", "1985-05-05", "x", strings.Repeat("долгая история ", 300)} {
		sealed := storage.Seal(ka, "cases", "name_latin", 7, v)
		// A one-letter value turns up in random bytes by chance.
		if len(v) > 3 && strings.Contains(string(sealed), v) {
			t.Errorf("sealed value contains its plaintext")
		}
		if again := storage.Seal(ka, "cases", "name_latin", 7, v); slices.Equal(sealed, again) {
			t.Errorf("two seals of one value are equal: the nonce is not fresh")
		}
		if got, err := storage.Open(ka, "cases", "name_latin", 7, sealed); err != nil || got != v {
			t.Errorf("Open(Seal(%.20q)) = %.20q, %v", v, got, err)
		}
		// Both keys open during a rotation.
		if got, err := storage.Open(keyring(t, b, a), "cases", "name_latin", 7, sealed); err != nil || got != v {
			t.Errorf("Open with the key as an old one = %.20q, %v", got, err)
		}
	}
	if got := storage.Seal(ka, "cases", "name_latin", 7, ""); got != nil {
		t.Errorf("Seal(\"\") = %x, want nil (NULL)", got)
	}
	if got, err := storage.Open(ka, "cases", "name_latin", 7, nil); got != "" || err != nil {
		t.Errorf("Open(nil) = %q, %v; want \"\"", got, err)
	}

	sealed := storage.Seal(ka, "cases", "name_latin", 7, "Ivan Petrov")
	flip := func(i int) []byte {
		c := slices.Clone(sealed)
		c[i] ^= 1
		return c
	}
	tests := []struct {
		name                 string
		keys                 *storage.Keyring
		table, column        string
		row                  int64
		value                []byte
		want                 error
		wantInError, notWant string
	}{
		{"another column", ka, "cases", "lawyer_name", 7, sealed, storage.ErrCorrupt, "cases.lawyer_name of row 7", ""},
		{"another row", ka, "cases", "name_latin", 8, sealed, storage.ErrCorrupt, "", ""},
		{"another table", ka, "reporters", "name_latin", 7, sealed, storage.ErrCorrupt, "", ""},
		{"version changed", ka, "cases", "name_latin", 7, flip(0), storage.ErrCorrupt, "", ""},
		{"key id changed", ka, "cases", "name_latin", 7, flip(3), storage.ErrUnknownKey, "", ""},
		{"nonce changed", ka, "cases", "name_latin", 7, flip(12), storage.ErrCorrupt, "", ""},
		{"ciphertext changed", ka, "cases", "name_latin", 7, flip(25), storage.ErrCorrupt, "", ""},
		{"tag changed", ka, "cases", "name_latin", 7, flip(len(sealed) - 1), storage.ErrCorrupt, "", ""},
		{"truncated", ka, "cases", "name_latin", 7, sealed[:30], storage.ErrCorrupt, "", ""},
		{"plaintext", ka, "cases", "name_latin", 7, []byte("Ivan Petrov"), storage.ErrCorrupt, "", "Ivan"},
		{"unknown key", kb, "cases", "name_latin", 7, sealed, storage.ErrUnknownKey, ka.Current(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := storage.Open(tt.keys, tt.table, tt.column, tt.row, tt.value)
			if !errors.Is(err, tt.want) || got != "" {
				t.Fatalf("Open = %q, %v; want no value and %v", got, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.wantInError) {
				t.Errorf("error %q does not say %q", err, tt.wantInError)
			}
			noPersonal(t, err, []string{"Ivan", "Petrov"})
		})
	}
}

// rawDump is every row of the tables with personal data, as Postgres
// prints them (bytea in hex), lower-cased.
func rawDump(t *testing.T, db *sqlx.DB) string {
	t.Helper()
	var rows []string
	for _, table := range []string{"cases", "reporters", "case_events"} {
		var got []string
		if err := db.Select(&got, `SELECT t::text FROM `+table+` t`); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, got...)
	}
	return strings.ToLower(strings.Join(rows, "\n"))
}

// leaked returns the values found in dump, as text or as the hex digits of
// their bytes (how bytea is printed).
func leaked(dump string, values ...string) []string {
	var out []string
	for _, v := range values {
		if v == "" {
			continue
		}
		if strings.Contains(dump, strings.ToLower(v)) || strings.Contains(dump, hex.EncodeToString([]byte(v))) {
			out = append(out, v)
		}
	}
	return out
}

// personalValues are every encrypted answer of r, and the A-number in the
// forms people write it.
func personalValues(r *flows.Report) []string {
	return []string{r.NameLatin, r.NameCyrillic, r.BirthDate, r.BirthCountry, r.Citizenship, r.ANumber,
		"A" + r.ANumber, "A" + r.ANumber[:3] + "-" + r.ANumber[3:6] + "-" + r.ANumber[6:], r.CircumstanceNote,
		r.LawyerName, r.LawyerPhone, r.Appeals, r.ReporterName, r.Relationship, r.ReporterPhone}
}

func TestCasesEncryptedAtRest(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	keys := storagetest.Keys(t)
	r := fullReport()
	r.BirthCountry, r.Citizenship = "Kazakhstan", "Russia"
	c, err := storage.NewCases(db, keys).Create(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	tl := storage.NewTimeline(db, keys)
	record(t, tl, flows.Event{CaseID: c.ID, Kind: flows.EventNote, Note: "the wife asked us not to call after 9 pm"})
	record(t, tl, flows.Event{CaseID: c.ID, Kind: flows.EventStatus, Status: flows.StatusLawyer, Note: "Lawyer found in Phoenix", Public: true})

	dump := rawDump(t, db)
	if got := leaked(dump, append(personalValues(r), "Kazakhstan", "Russia", "after 9 pm", "Phoenix")...); len(got) > 0 {
		t.Errorf("stored in clear: %q", got)
	}
	// Still what the bot shows: the report, the notes, public and internal.
	got, _, err := storage.NewCases(db, keys).Get(ctx, c.Code)
	if err != nil || !reflect.DeepEqual(got, r) {
		t.Errorf("Get = %+v, %v; want %+v", got, err, r)
	}
	files, err := tl.Find(ctx, "", r.ANumber)
	if err != nil || len(files) != 1 || len(files[0].Events) != 3 || files[0].Events[1].Note != "the wife asked us not to call after 9 pm" {
		t.Errorf("Find by A-number = %+v, %v", files, err)
	}
	st, err := tl.Status(ctx, c.Code)
	if err != nil || len(st.Notes) != 1 || st.Notes[0].Note != "Lawyer found in Phoenix" {
		t.Errorf("Status = %+v, %v", st, err)
	}

	// Postgres itself refuses a value in clear.
	for _, q := range []string{
		`UPDATE cases SET name_latin = convert_to('Ivan Petrov', 'UTF8')`,
		`UPDATE cases SET a_number = convert_to('123456789', 'UTF8')`,
		`UPDATE reporters SET contact = convert_to('+7 916 123-45-67', 'UTF8')`,
		`UPDATE case_events SET note = convert_to('a note in clear', 'UTF8')`,
	} {
		if _, err := db.Exec(q); err == nil || !strings.Contains(err.Error(), "sealed") {
			t.Errorf("%s: err = %v, want a check violation", q, err)
		}
	}
}

func TestCasesRefuseMovedOrChangedValues(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		sql  string // $1 is the case read, $2 another case
		want error
	}{
		{"value moved to another column", `UPDATE cases SET lawyer_name = name_latin WHERE id = $1 AND $2 > 0`, storage.ErrCorrupt},
		{"value moved from another case", `UPDATE cases SET name_latin = (SELECT name_latin FROM cases WHERE id = $2) WHERE id = $1`, storage.ErrCorrupt},
		{"a bit changed", `UPDATE cases SET appeals = set_byte(appeals, 30, get_byte(appeals, 30) # 1) WHERE id = $1 AND $2 > 0`, storage.ErrCorrupt},
		{"key id changed", `UPDATE cases SET birth_date = set_byte(birth_date, 2, get_byte(birth_date, 2) # 1) WHERE id = $1 AND $2 > 0`, storage.ErrUnknownKey},
		{"note moved from another case", `UPDATE case_events SET note = (SELECT note FROM case_events WHERE case_id = $2 AND kind = 'note')
			WHERE case_id = $1 AND kind = 'note'`, storage.ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := storagetest.Postgres(t)
			keys := storagetest.Keys(t)
			cases, tl := storage.NewCases(db, keys), storage.NewTimeline(db, keys)
			r := fullReport()
			c := storeCase(t, db, r)
			other := fullReport()
			other.NameLatin, other.ReporterUserID = "Somebody Else", 9
			o := storeCase(t, db, other)
			for _, id := range []int64{c.ID, o.ID} {
				record(t, tl, flows.Event{CaseID: id, Kind: flows.EventNote, Note: "internal note"})
			}
			if _, err := db.Exec(tt.sql, c.ID, o.ID); err != nil {
				t.Fatal(err)
			}
			_, _, err := cases.Get(ctx, c.Code)
			if strings.Contains(tt.name, "note") {
				_, err = tl.Find(ctx, c.Code, "")
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("read after the change: %v, want %v", err, tt.want)
			}
			noPersonal(t, err, append(personalValues(r), "Somebody Else", "internal note"))
			// The other case is untouched and reads as before.
			if got, _, err := cases.Get(ctx, o.Code); err != nil || got.NameLatin != "Somebody Else" {
				t.Errorf("the other case: %v", err)
			}
		})
	}
}

func TestCasesUnknownKey(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	old, current := newKey(t), newKey(t)
	r := fullReport()
	c, err := storage.NewCases(db, keyring(t, old)).Create(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	withoutOld := keyring(t, current)
	_, _, err = storage.NewCases(db, withoutOld).Get(ctx, c.Code)
	if !errors.Is(err, storage.ErrUnknownKey) || !strings.Contains(err.Error(), keyring(t, old).Current()) {
		t.Errorf("Get with the key missing: %v; want ErrUnknownKey naming key %s", err, keyring(t, old).Current())
	}
	noPersonal(t, err, personalValues(r))
	if _, err := storage.NewTimeline(db, withoutOld).Find(ctx, c.Code, ""); !errors.Is(err, storage.ErrUnknownKey) {
		t.Errorf("Find with the key missing: %v, want ErrUnknownKey", err)
	}
	// With the old key in the ring, both work.
	if got, _, err := storage.NewCases(db, keyring(t, current, old)).Get(ctx, c.Code); err != nil || got.NameLatin != r.NameLatin {
		t.Errorf("Get with the old key in the ring: %v", err)
	}
}

func TestTimelineFindsANumberByBlindIndex(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	old, current, lost := newKey(t), newKey(t), newKey(t)
	both := keyring(t, current, old)

	r1 := fullReport() // under the old key, before a rotation
	c1, err := storage.NewCases(db, keyring(t, old)).Create(ctx, r1)
	if err != nil {
		t.Fatal(err)
	}
	r2 := fullReport() // the same person, reported again under the new key
	r2.ReporterUserID = 2
	c2, err := storage.NewCases(db, both).Create(ctx, r2)
	if err != nil {
		t.Fatal(err)
	}
	// A case under a key nobody has: Find by another A-number must not
	// touch it, which it would if it decrypted every row.
	r3 := fullReport()
	r3.ANumber, r3.ReporterUserID = "999999999", 3
	c3, err := storage.NewCases(db, keyring(t, lost)).Create(ctx, r3)
	if err != nil {
		t.Fatal(err)
	}

	tl := storage.NewTimeline(db, both)
	tests := []struct {
		name, code, aNumber string
		want                []string
	}{
		{"A-number under both keys", "", r1.ANumber, []string{c2.Code, c1.Code}},
		{"code and A-number", c1.Code, r1.ANumber, []string{c2.Code, c1.Code}},
		{"A-number nobody has", "", "111111111", nil},
		{"A-number malformed", "", "12345", nil},
	}
	for _, tt := range tests {
		files, err := tl.Find(ctx, tt.code, tt.aNumber)
		if err != nil {
			t.Errorf("%s: Find: %v", tt.name, err)
			continue
		}
		var got []string
		for _, f := range files {
			got = append(got, f.Case.Code)
			if f.Report.ANumber != r1.ANumber || f.Report.NameLatin != r1.NameLatin {
				t.Errorf("%s: case %s read as %+v", tt.name, f.Case.Code, f.Report)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: Find = %v, want %v", tt.name, got, tt.want)
		}
	}
	if _, err := tl.Find(ctx, "", r3.ANumber); err != nil {
		t.Errorf("Find of the A-number under a lost key: %v; want no match, no error (its index is under that key)", err)
	}
	if _, err := tl.Find(ctx, c3.Code, ""); !errors.Is(err, storage.ErrUnknownKey) {
		t.Errorf("Find of the case under a lost key by code: %v, want ErrUnknownKey", err)
	}
	// The index is not the A-number's plain hash: without the key it
	// gives nothing away.
	var idx []byte
	if err := db.Get(&idx, `SELECT a_number_index FROM cases WHERE id = $1`, c2.ID); err != nil {
		t.Fatal(err)
	}
	var plainHash []byte
	if err := db.Get(&plainHash, `SELECT sha256(convert_to($1, 'UTF8'))`, r1.ANumber); err != nil {
		t.Fatal(err)
	}
	if len(idx) != 41 || strings.Contains(string(idx), string(plainHash[:8])) {
		t.Errorf("a_number_index = %x: want version, key id and an HMAC (41 bytes), not the plain SHA-256", idx)
	}
}

// storeUnder stores n reports with a note each and a forgotten reporter's
// case, all under keys, and returns the cases.
func storeUnder(t *testing.T, db *sqlx.DB, keys *storage.Keyring, n int) []flows.Case {
	t.Helper()
	ctx := context.Background()
	var out []flows.Case
	for i := range n {
		r := fullReport()
		r.ReporterUserID = int64(1000 + i%2) // two reporters
		c, err := storage.NewCases(db, keys).Create(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		record(t, storage.NewTimeline(db, keys), flows.Event{CaseID: c.ID, Kind: flows.EventNote, Note: "note " + c.Code})
		out = append(out, c)
	}
	r := fullReport()
	r.ReporterUserID = 5
	if _, err := storage.NewCases(db, keys).Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := storage.NewReporters(db, keys).Forget(ctx, 5); err != nil {
		t.Fatal(err)
	}
	return out
}

func usage(t *testing.T, db *sqlx.DB) map[string]int {
	t.Helper()
	us, err := storage.KeyUsage(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, u := range us {
		out[u.KeyID] = u.Values
	}
	return out
}

func TestRotateKeys(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	old, current := newKey(t), newKey(t)
	cs := storeUnder(t, db, keyring(t, old), 5)
	oldID, curID := keyring(t, old).Current(), keyring(t, current).Current()
	// 5 cases × (13 fields + index), 2 reporters × 3, 5 notes, and the
	// name index of the 5 cases
	var names int
	if err := db.Get(&names, `SELECT count(*) FROM case_name_index`); err != nil || names == 0 {
		t.Fatalf("name index rows: %d, %v", names, err)
	}
	values := 5*14 + 2*3 + 5 + names
	if got, want := usage(t, db), map[string]int{oldID: values}; !reflect.DeepEqual(got, want) {
		t.Fatalf("before: key usage %v, want %v", got, want)
	}
	ring := keyring(t, current, old)

	// Stopped after its first batch, then run again: it goes on.
	stop, cancel := context.WithCancel(ctx)
	_, err := storage.RotateKeys(stop, db, ring, 2, func(storage.Rotated) { cancel() })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("RotateKeys stopped: %v, want context.Canceled", err)
	}
	if got := usage(t, db); got[curID] != 2*14 || got[oldID] != values-2*14 {
		t.Errorf("after one batch of 2 cases: %v", got)
	}
	var progress []storage.Rotated
	got, err := storage.RotateKeys(ctx, db, ring, 2, func(r storage.Rotated) { progress = append(progress, r) })
	if err != nil {
		t.Fatal(err)
	}
	want := []storage.Rotated{{"cases", 3}, {"reporters", 2}, {"case_events", 5}, {"case_messages", 0},
		{"checkins", 0}, {"checkin_contacts", 0}, {"case_name_index", 5}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RotateKeys = %v, want %v", got, want)
	}
	if wantProgress := []storage.Rotated{{"cases", 2}, {"cases", 3}, {"reporters", 2}, {"case_events", 2},
		{"case_events", 4}, {"case_events", 5}, {"case_name_index", 2}, {"case_name_index", 4},
		{"case_name_index", 5}}; !reflect.DeepEqual(progress, wantProgress) {
		t.Errorf("progress = %v, want %v", progress, wantProgress)
	}
	if got, want := usage(t, db), map[string]int{curID: values}; !reflect.DeepEqual(got, want) {
		t.Errorf("after: key usage %v, want %v", got, want)
	}
	again, err := storage.RotateKeys(ctx, db, ring, 0, nil)
	if err != nil || !reflect.DeepEqual(again, []storage.Rotated{{"cases", 0}, {"reporters", 0}, {"case_events", 0},
		{"case_messages", 0}, {"checkins", 0}, {"checkin_contacts", 0}, {"case_name_index", 0}}) {
		t.Errorf("RotateKeys again = %v, %v; want nothing to do", again, err)
	}

	// The old key can go: everything reads with the new one alone, and the
	// A-number is found by its new index.
	only := keyring(t, current)
	r := fullReport()
	for _, c := range cs {
		got, _, err := storage.NewCases(db, only).Get(ctx, c.Code)
		if err != nil || got.NameLatin != r.NameLatin || got.ANumber != r.ANumber || got.ReporterPhone != r.ReporterPhone {
			t.Errorf("case %s with the new key only: %v", c.Code, err)
		}
	}
	files, err := storage.NewTimeline(db, only).Find(ctx, "", r.ANumber)
	if err != nil || len(files) != len(cs) || files[0].Events[0].Note != "note "+files[0].Case.Code {
		t.Errorf("Find by A-number with the new key only: %d cases, %v", len(files), err)
	}
	if _, _, err := storage.NewCases(db, keyring(t, old)).Get(ctx, cs[0].Code); !errors.Is(err, storage.ErrUnknownKey) {
		t.Errorf("Get with the old key only after rotation: %v, want ErrUnknownKey", err)
	}
}

func TestRotateKeysStopsAtUnknownKey(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	lost, current := newKey(t), newKey(t)
	storeUnder(t, db, keyring(t, lost), 1)
	_, err := storage.RotateKeys(ctx, db, keyring(t, current), 0, nil)
	if !errors.Is(err, storage.ErrUnknownKey) || !strings.Contains(err.Error(), keyring(t, lost).Current()) {
		t.Fatalf("RotateKeys without the old key: %v; want ErrUnknownKey naming %s", err, keyring(t, lost).Current())
	}
	noPersonal(t, err, personalValues(fullReport()))
	if got := usage(t, db); got[keyring(t, current).Current()] != 0 {
		t.Errorf("a failed batch rewrote values: %v", got)
	}
}

func TestMigrateEncryptsPlaintext(t *testing.T) {
	ctx := context.Background()
	db, err := storage.OpenPostgres(ctx, storagetest.EmptyPostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := storage.Migrate(ctx, db, storage.MigrateOptions{UpTo: 4}); err != nil {
		t.Fatal(err)
	}
	// Rows as the bot stored them before migration 005.
	r := fullReport()
	r.BirthCountry, r.Citizenship, r.Appeals = "Kazakhstan", "Russia", ""
	r.FacilityID = facilityID(t, db, "EAZ")
	var reporterID, caseID, sparseID int64
	if err := db.Get(&reporterID, `
		INSERT INTO reporters (telegram_user_id, chat_id, name, relationship, contact, lang)
		VALUES ($1, $1, $2, $3, $4, 'ru') RETURNING id`,
		r.ReporterUserID, r.ReporterName, r.Relationship, r.ReporterPhone); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&caseID, `
		INSERT INTO cases (code, draft_id, reporter_id, lang, consent, name_latin, name_cyrillic, birth_date,
			birth_country, citizenship, a_number, detained_on, circumstance, circumstance_note, facility_id,
			facility_share, has_lawyer, lawyer_name, lawyer_phone, hearing_date, appeals, urgent,
			reporter_name, relationship, reporter_contact)
		VALUES ('AAAA2222', $1, $2, 'ru', true, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, true, true, $13, $14,
			$15, $16, $17, $18, $19, $20) RETURNING id`,
		r.DraftID, reporterID, r.NameLatin, r.NameCyrillic, r.BirthDate, r.BirthCountry, r.Citizenship, r.ANumber,
		r.DetainedOn, r.Circumstance, r.CircumstanceNote, r.FacilityID, r.LawyerName, r.LawyerPhone, r.HearingDate,
		r.Appeals, "{flight,medical}", r.ReporterName, r.Relationship, r.ReporterPhone); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&sparseID, `
		INSERT INTO cases (code, draft_id, reporter_id, consent, name_latin, facility_text)
		VALUES ('BBBB3333', 'd-sparse', $1, true, 'Petrov Ivan', 'somewhere in Texas') RETURNING id`, reporterID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`
		INSERT INTO case_events (case_id, kind, status, note, public, actor) VALUES
			($1, 'status', 'new', '', true, 'reporter'),
			($1, 'note', '', 'the wife asked us not to call after 9 pm', false, 'tg:1')`, caseID); err != nil {
		t.Fatal(err)
	}
	secrets := append(personalValues(r), "Kazakhstan", "Russia", "Petrov Ivan", "after 9 pm", "somewhere in Texas")
	if got := leaked(rawDump(t, db), secrets...); len(got) != len(secrets)-3 { // the A-number's other forms were never stored
		t.Fatalf("plaintext test rows: found %d of %d values", len(got), len(secrets)-3)
	}

	// Without the key the migration cannot encrypt: it refuses and
	// changes nothing.
	if err := storage.Migrate(ctx, db, storage.MigrateOptions{}); !errors.Is(err, storage.ErrNoKeys) {
		t.Fatalf("Migrate without keys: %v, want ErrNoKeys", err)
	}
	var version int
	if err := db.Get(&version, `SELECT max(version) FROM schema_migrations`); err != nil || version != 4 {
		t.Fatalf("after a refused migration: version %d (%v), want 4", version, err)
	}

	keys := storagetest.Keys(t)
	if err := storage.Migrate(ctx, db, storage.MigrateOptions{Keys: keys}); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if got := leaked(rawDump(t, db), secrets...); len(got) > 0 {
		t.Errorf("still in clear after migration 005: %q", got)
	}
	code := "AAAA2222"
	got, _, err := storage.NewCases(db, keys).Get(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	want := *r
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("migrated case =\n%+v\nwant\n%+v", *got, want)
	}
	sparse, _, err := storage.NewCases(db, keys).Get(ctx, "BBBB3333")
	if err != nil || sparse.NameLatin != "Petrov Ivan" || sparse.FacilityText != "somewhere in Texas" || sparse.BirthDate != "" || sparse.ANumber != "" {
		t.Errorf("migrated sparse case = %+v, %v", sparse, err)
	}
	files, err := storage.NewTimeline(db, keys).Find(ctx, "", r.ANumber)
	if err != nil || len(files) != 1 || files[0].Case.Code != code || files[0].Events[0].Note != "the wife asked us not to call after 9 pm" {
		t.Errorf("Find by A-number after migration: %+v, %v", files, err)
	}
	var invalid int
	if err := db.Get(&invalid, `SELECT count(*) FROM pg_constraint WHERE conname LIKE '%sealed' AND NOT convalidated`); err != nil || invalid != 0 {
		t.Errorf("%d sealed constraints left unvalidated (%v)", invalid, err)
	}
	// Migration 007 indexed the names of both cases.
	byName, err := storage.NewCaseTools(db, keys).FindName(ctx, "Petrov")
	if err != nil || len(byName) != 1 || byName[0].Case.Code != "BBBB3333" {
		t.Errorf("FindName after migration: %d cases, %v", len(byName), err)
	}
	var names int
	if err := db.Get(&names, `SELECT count(*) FROM case_name_index`); err != nil {
		t.Fatal(err)
	}
	// 12 answers and the index, the sparse case's name and facility text
	// (sealed by migration 008), 3 reporter fields, a note, and the name
	// index.
	if u := usage(t, db); !reflect.DeepEqual(u, map[string]int{keys.Current(): 12 + 1 + 2 + 3 + 1 + names}) {
		t.Errorf("key usage after migration: %v", u)
	}
	// New reports go on as usual.
	if _, err := storage.NewCases(db, keys).Create(ctx, fullReport()); err != nil {
		t.Errorf("Create after migration: %v", err)
	}
	if err := storage.Migrate(ctx, db, storage.MigrateOptions{Keys: keys}); err != nil {
		t.Errorf("Migrate again: %v", err)
	}
}

// TestMigrate008BindsNotes: notes sealed before migration 008 are bound to
// their case and publicity by it, still read as before; afterwards a note
// moved to another case, or made public, by someone without the key no
// longer opens.
func TestMigrate008BindsNotes(t *testing.T) {
	ctx := context.Background()
	db, err := storage.OpenPostgres(ctx, storagetest.EmptyPostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	keys := storagetest.Keys(t)
	if err := storage.Migrate(ctx, db, storage.MigrateOptions{UpTo: 7, Keys: keys}); err != nil {
		t.Fatal(err)
	}
	// Two cases as version 7 stored them.
	var reporterID int64
	if err := db.Get(&reporterID, `INSERT INTO reporters (telegram_user_id, chat_id) VALUES (5, 5) RETURNING id`); err != nil {
		t.Fatal(err)
	}
	a, b := flows.Case{Code: "KKKK2222"}, flows.Case{Code: "MMMM3333"}
	for _, c := range []*flows.Case{&a, &b} {
		if err := db.Get(&c.ID, `INSERT INTO cases (code, draft_id, reporter_id, consent) VALUES ($1, $1, $2, true) RETURNING id`,
			c.Code, reporterID); err != nil {
			t.Fatal(err)
		}
	}
	var id int64
	if err := db.Get(&id, `SELECT nextval('case_events_id_seq')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO case_events (id, case_id, kind, status, note, public, actor)
		VALUES ($1, $2, 'note', '', $3, false, 'tg:1')`, id, a.ID, storage.SealNoteLegacy(keys, id, "wife's number is private")); err != nil {
		t.Fatal(err)
	}
	if err := storage.Migrate(ctx, db, storage.MigrateOptions{}); !errors.Is(err, storage.ErrNoKeys) {
		t.Fatalf("Migrate 008 without keys over sealed notes: %v, want ErrNoKeys", err)
	}
	if err := storage.Migrate(ctx, db, storage.MigrateOptions{Keys: keys}); err != nil {
		t.Fatal(err)
	}
	tl := storage.NewTimeline(db, keys)
	files, err := tl.Find(ctx, a.Code, "")
	if err != nil || len(files) != 1 || !slices.ContainsFunc(files[0].Events, func(e flows.Event) bool { return e.Note == "wife's number is private" }) {
		t.Fatalf("the note after migration 008: %+v, %v", files, err)
	}
	for _, tamper := range []string{
		`UPDATE case_events SET case_id = $2 WHERE id = $1`,
		`UPDATE case_events SET case_id = (SELECT case_id FROM case_events WHERE id = $1), public = true WHERE id = $1 AND $2 > 0`,
	} {
		if _, err := db.Exec(tamper, id, b.ID); err != nil {
			t.Fatal(err)
		}
		for _, code := range []string{a.Code, b.Code} {
			files, err := tl.Find(ctx, code, "")
			if err == nil {
				for _, f := range files {
					for _, e := range f.Events {
						if e.Note != "" {
							t.Errorf("after %q, case %s shows a note that was moved: %q", tamper, code, e.Note)
						}
					}
				}
			}
		}
		// Refusing to open is the point: an error, or no note shown.
		if st, err := tl.Status(ctx, b.Code); err == nil {
			for _, n := range st.Notes {
				t.Errorf("after %q, the public view of %s shows %q", tamper, b.Code, n.Note)
			}
		}
	}
}

// TestFacilityTextSealed: a facility typed by hand is not in clear in the
// table, and reads back.
func TestFacilityTextSealed(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	keys := storagetest.Keys(t)
	r := fullReport()
	r.FacilityID, r.FacilityText, r.FacilityShare = 0, "Pinal County jail", true
	c, err := storage.NewCases(db, keys).Create(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if got := leaked(rawDump(t, db), "Pinal County jail"); len(got) > 0 {
		t.Errorf("the facility text is in clear: %q", got)
	}
	got, _, err := storage.NewCases(db, keys).Get(ctx, c.Code)
	if err != nil || got.FacilityText != "Pinal County jail" {
		t.Errorf("FacilityText = %q, %v", got.FacilityText, err)
	}
	st, err := storage.NewTimeline(db, keys).Status(ctx, c.Code)
	if err != nil || st.FacilityText != "Pinal County jail" {
		t.Errorf("status FacilityText = %q, %v", st.FacilityText, err)
	}
}
