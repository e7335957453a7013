package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"

	"hotline/flows"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// keysAdmin is the admin of the data-protection tests.
const keysAdmin = 6100900

// reportSecrets are the personal values fileReport types, in every form
// they could be stored in: the A-number as people write it and as digits,
// the phone as typed and as digits.
var reportSecrets = []string{
	"Ivan Petrov", "Иван Петров", "Мария Петрова", "John Smith",
	"123456789", "A123456789", "A123-456-789", "A 123-456-789",
	"+7 916 123-45-67", "79161234567", "9161234567", "+1 (520) 555-0100", "5205550100",
	"1985-05-05", "Забрали на отметке в Финиксе",
}

// pgDump returns the dump of the database at url, as pg_dump writes it.
func pgDump(t *testing.T, url string) string {
	t.Helper()
	bin := storagetest.Require(t, "pg_dump")
	var out, errb bytes.Buffer
	cmd := exec.Command(bin, "--no-owner", "--dbname="+url)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, errb.String())
	}
	return out.String()
}

// inDump returns the values found in a dump as text, or as the hex digits
// of their bytes, which is how pg_dump writes bytea.
func inDump(dump string, values ...string) []string {
	lower := strings.ToLower(dump)
	var out []string
	for _, v := range values {
		if strings.Contains(lower, strings.ToLower(v)) || strings.Contains(lower, hex.EncodeToString([]byte(v))) {
			out = append(out, v)
		}
	}
	return out
}

// TestPersonalDataEncryptedEndToEnd: after a full report through the bot,
// pg_dump holds no name, A-number or phone of it; a volunteer still reads
// them, finding the case by A-number, and in /case while holding its chat.
func TestPersonalDataEncryptedEndToEnd(t *testing.T) {
	parallel(t)
	h := newHarness(t, withConfig(func(c *config) { c.Admins = []int64{keysAdmin} }))
	reporter := h.tg.User(6100001, "ru")
	code := fileReport(t, h, reporter)

	dump := pgDump(t, h.cfg.DatabaseURL)
	if !strings.Contains(dump, code) {
		t.Fatalf("the dump lacks the case %s: it is not the bot's database", code)
	}
	if got := inDump(dump, reportSecrets...); len(got) > 0 {
		t.Errorf("pg_dump shows in clear: %q", got)
	}

	admin := h.tg.User(keysAdmin, "en")
	for _, typed := range []string{"123456789", "A123-456-789", "a 123 456 789"} {
		admin.Send("/find " + typed)
		card := admin.Next(t)
		for _, want := range []string{flows.FormatCode(code), "Ivan Petrov", "Иван Петров", "123-456-789", "+7 916 123-45-67"} {
			if !strings.Contains(card.Plain, want) {
				t.Errorf("/find %s does not show %q:\n%s", typed, want, card.Plain)
			}
		}
	}

	reporter.Send("/start")
	m := expectText(t, reporter, firstLine(h.text("ru", "menu.greeting")))
	press(t, reporter, m, h.label("ru", "btn.menu_volunteer"))
	expectText(t, reporter, h.text("ru", "handoff.joined"))
	admin.Send("/next")
	expectText(t, admin, h.lead("en", "handoff.taken"))
	admin.Send("/case")
	m = expectText(t, admin, h.lead("en", "handoff.case"))
	for _, want := range []string{"Ivan Petrov", "+7 916 123-45-67", "John Smith"} {
		if !strings.Contains(m.Plain, want) {
			t.Errorf("/case does not show %q:\n%s", want, m.Plain)
		}
	}
}

// TestKeysRotateEndToEnd: a report filed under one key; `hotline keys
// rotate` with a new key puts every value under it; the bot restarted with
// the new key alone shows the case found by A-number. The commands say what
// is left under which key, and stop clearly at a key they do not have.
func TestKeysRotateEndToEnd(t *testing.T) {
	parallel(t)
	h := newHarness(t, withConfig(func(c *config) { c.Admins = []int64{keysAdmin} }))
	reporter := h.tg.User(6100002, "ru")
	code := fileReport(t, h, reporter)
	admin := h.tg.User(keysAdmin, "en")
	admin.Send("/note " + code + " the wife asked us not to call after 9 pm")
	expectText(t, admin, plain(h.cat.Render("en", flows.T("note.saved", "Code", flows.FormatCode(code)))))
	h.stop()

	oldKey, newKey := storagetest.DataKey, randomKey(t)
	oldID := keyID(t, oldKey)
	newID := keyID(t, newKey)
	if !strings.Contains(pgDump(t, h.cfg.DatabaseURL), oldID) {
		t.Fatalf("the dump does not show the key id %s of the stored values", oldID)
	}
	keys := func(current, old string) func(string) string {
		return func(name string) string {
			switch name {
			case "DATABASE_URL":
				return h.cfg.DatabaseURL
			case "HOTLINE_DATA_KEY":
				return current
			case "HOTLINE_DATA_KEYS_OLD":
				return old
			}
			return ""
		}
	}
	hotline := func(env func(string) string, args ...string) (code int, stdout, stderr string) {
		var out, errb bytes.Buffer
		code = run(context.Background(), args, env, &out, &errb)
		for _, s := range []string{out.String(), errb.String()} {
			if got := inDump(s, reportSecrets...); len(got) > 0 {
				t.Errorf("hotline %s printed personal data %q", strings.Join(args, " "), got)
			}
		}
		return code, out.String(), errb.String()
	}

	// Before: everything under the old key, which check reports.
	exit, out, _ := hotline(keys(newKey, oldKey), "keys", "check")
	if exit != 1 || !strings.Contains(out, "key "+oldID+": ") || !strings.Contains(out, "run hotline keys rotate") {
		t.Errorf("keys check before rotating: exit %d\n%s", exit, out)
	}
	// Without the old key the rotation stops at the first value, naming
	// the key it needs.
	exit, out, errOut := hotline(keys(newKey, ""), "keys", "rotate")
	if exit != 1 || !strings.Contains(errOut, oldID) || !strings.Contains(errOut, "HOTLINE_DATA_KEYS_OLD") {
		t.Errorf("keys rotate without the old key: exit %d\n%s\n%s", exit, out, errOut)
	}

	exit, out, errOut = hotline(keys(newKey, " "+oldKey+" ,"), "keys", "rotate")
	if exit != 0 {
		t.Fatalf("keys rotate: exit %d\n%s\n%s", exit, out, errOut)
	}
	for _, want := range []string{"cases: 1 rows re-encrypted", "reporters: 1 rows re-encrypted",
		"case_events: 1 rows re-encrypted", "the old keys can be removed"} {
		if !strings.Contains(out, want) {
			t.Errorf("keys rotate output lacks %q:\n%s", want, out)
		}
	}
	exit, out, _ = hotline(keys(newKey, ""), "keys", "check")
	if exit != 0 || strings.Contains(out, oldID) || !strings.Contains(out, "key "+newID+": ") {
		t.Errorf("keys check after rotating, with the new key only: exit %d\n%s", exit, out)
	}
	// Each value carries its key id: the dump names the old key no more.
	if strings.Contains(pgDump(t, h.cfg.DatabaseURL), oldID) {
		t.Errorf("the dump still holds values under the old key %s", oldID)
	}

	// The bot with the new key alone: the old one is gone.
	raw, _ := base64.StdEncoding.DecodeString(newKey)
	h.cfg.DataKey, h.cfg.OldDataKeys = raw, nil
	h.start()
	admin.Send("/find A123456789")
	card := admin.Next(t)
	for _, want := range []string{flows.FormatCode(code), "Ivan Petrov", "+7 916 123-45-67", "after 9 pm"} {
		if !strings.Contains(card.Plain, want) {
			t.Errorf("/find after rotation does not show %q:\n%s", want, card.Plain)
		}
	}
}

// TestKeysConfig: commands that touch personal data need the key and say
// so in one line; a malformed old key is named.
func TestKeysConfig(t *testing.T) {
	db := "postgres://hotline@127.0.0.1:1/hotline"
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantVar string
	}{
		{"bot without key", nil, map[string]string{"TELEGRAM_BOT_TOKEN": "1:x", "REDIS_URL": "redis://127.0.0.1:1/0"}, "HOTLINE_DATA_KEY"},
		{"migrate without key", []string{"migrate"}, nil, "HOTLINE_DATA_KEY"},
		{"rotate without key", []string{"keys", "rotate"}, nil, "HOTLINE_DATA_KEY"},
		{"old key malformed", []string{"keys", "check"}, map[string]string{
			"HOTLINE_DATA_KEY": storagetest.DataKey, "HOTLINE_DATA_KEYS_OLD": storagetest.DataKey + ",c2hvcnQ="}, "HOTLINE_DATA_KEYS_OLD"},
		{"keys without a verb", []string{"keys"}, map[string]string{"HOTLINE_DATA_KEY": storagetest.DataKey}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"DATABASE_URL": db}
			for k, v := range tt.env {
				env[k] = v
			}
			var out, errb bytes.Buffer
			code := run(context.Background(), tt.args, func(k string) string { return env[k] }, &out, &errb)
			if code != 2 {
				t.Errorf("exit %d, want 2\n%s", code, errb.String())
			}
			if tt.wantVar == "" {
				if !strings.Contains(errb.String(), "usage: hotline keys") {
					t.Errorf("stderr %q, want the usage", errb.String())
				}
				return
			}
			if got, want := errb.String(), "hotline: config: "+tt.wantVar+" "; !strings.HasPrefix(got, want) || strings.Count(got, "\n") != 1 {
				t.Errorf("stderr %q, want one line starting %q", got, want)
			}
			if strings.Contains(errb.String(), storagetest.DataKey) {
				t.Error("the error echoes the key")
			}
		})
	}
}

func randomKey(t *testing.T) string {
	t.Helper()
	b := make([]byte, storage.DataKeySize)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func keyID(t *testing.T, b64 string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	k, err := storage.NewKeyring(raw)
	if err != nil {
		t.Fatal(err)
	}
	return k.Current()
}
