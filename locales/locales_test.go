package locales

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"

	"hotline/flows"
)

func catalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// rawFiles reads each language's file as id → plural form → template.
func rawFiles(t *testing.T) map[string]map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]map[string]string{}
	names, err := fs.Glob(files, "*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		buf, err := files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]map[string]string
		if err := json.Unmarshal(buf, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		base := strings.TrimSuffix(name, ".json")
		lang := base[strings.LastIndex(base, ".")+1:]
		if out[lang] == nil {
			out[lang] = map[string]map[string]string{}
		}
		for id, forms := range m {
			out[lang][id] = forms
		}
	}
	return out
}

func TestLangs(t *testing.T) {
	got := catalog(t).Langs()
	if want := []string{"en", "ru"}; !slices.Equal(got, want) {
		t.Errorf("Langs() = %v, want %v", got, want)
	}
}

// TestParity fails when a message exists in one language only, or its
// plural forms are not the ones the language needs.
func TestParity(t *testing.T) {
	raw := rawFiles(t)
	for id := range raw["en"] {
		if _, ok := raw["ru"][id]; !ok {
			t.Errorf("%s is in en.json but not in ru.json", id)
		}
	}
	for id := range raw["ru"] {
		if _, ok := raw["en"][id]; !ok {
			t.Errorf("%s is in ru.json but not in en.json", id)
		}
	}
	for id, forms := range raw["en"] {
		if len(forms) == 1 {
			continue
		}
		for _, f := range []string{"one", "other"} {
			if forms[f] == "" {
				t.Errorf("en %s: plural form %q missing", id, f)
			}
		}
		for _, f := range []string{"one", "few", "many", "other"} {
			if raw["ru"][id][f] == "" {
				t.Errorf("ru %s: plural form %q missing", id, f)
			}
		}
	}
}

var (
	templateKey = regexp.MustCompile(`\{\{\s*(?:else\s+)?(?:if\s+)?(?:eq\s+)?\.(\w+)`)
	htmlTag     = regexp.MustCompile(`</?([a-zA-Z0-9]+)[^>]*>`)
)

// TestEveryMessageRenders renders every message in both languages with
// sample data for the keys its templates use.
func TestEveryMessageRenders(t *testing.T) {
	c := catalog(t)
	raw := rawFiles(t)
	for _, lang := range c.Langs() {
		for id, forms := range raw[lang] {
			plural := len(forms) > 1
			keys := map[string]bool{}
			for _, src := range forms {
				for _, m := range templateKey.FindAllStringSubmatch(src, -1) {
					keys[m[1]] = true
				}
			}
			for _, n := range []int{1, 2, 5} {
				tx := flows.Text{ID: id, Data: map[string]any{}}
				for k := range keys {
					tx.Data[k] = "sample"
				}
				if plural || keys["Count"] {
					tx = tx.Plural(n)
				}
				if err := c.Check(lang, tx); err != nil {
					t.Errorf("%s %s: %v", lang, id, err)
				}
				for _, out := range []string{c.Render(lang, tx), c.Button(lang, tx)} {
					if strings.Contains(out, "<no value>") || strings.TrimSpace(out) == "" {
						t.Errorf("%s %s rendered %q", lang, id, out)
					}
				}
				if !plural {
					break
				}
			}
		}
	}
}

// TestMarkup allows only the tags Telegram's HTML and this bot use, and
// none in button captions.
func TestMarkup(t *testing.T) {
	raw := rawFiles(t)
	for lang, msgs := range raw {
		for id, forms := range msgs {
			for _, src := range forms {
				var open []string
				for _, m := range htmlTag.FindAllStringSubmatch(src, -1) {
					tag := m[1]
					if !slices.Contains([]string{"b", "i", "code"}, tag) {
						t.Errorf("%s %s: tag <%s> not allowed", lang, id, tag)
					}
					if strings.HasPrefix(m[0], "</") {
						if len(open) == 0 || open[len(open)-1] != tag {
							t.Errorf("%s %s: unbalanced </%s>", lang, id, tag)
							continue
						}
						open = open[:len(open)-1]
					} else {
						open = append(open, tag)
					}
				}
				if len(open) > 0 {
					t.Errorf("%s %s: unclosed %v", lang, id, open)
				}
				if (strings.HasPrefix(id, "btn.") || strings.HasPrefix(id, "command.")) && strings.ContainsAny(src, "<>&") {
					t.Errorf("%s %s: a button or command caption is plain text", lang, id)
				}
			}
		}
	}
}

func TestRussianPlurals(t *testing.T) {
	c := catalog(t)
	tests := []struct {
		n    int
		want string
	}{
		{1, "1 символ"},
		{2, "2 символа"},
		{4, "4 символа"},
		{5, "5 символов"},
		{11, "11 символов"},
		{12, "12 символов"},
		{21, "21 символ"},
		{22, "22 символа"},
		{25, "25 символов"},
		{111, "111 символов"},
		{1000, "1000 символов"},
		{1001, "1001 символ"},
	}
	for _, tt := range tests {
		if got := c.Render("ru", flows.T("unit.chars").Plural(tt.n)); got != tt.want {
			t.Errorf("ru unit.chars(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	if got, want := c.Render("en", flows.T("unit.chars").Plural(1)), "1 character"; got != want {
		t.Errorf("en unit.chars(1) = %q, want %q", got, want)
	}
	if got, want := c.Render("en", flows.T("unit.chars").Plural(21)), "21 characters"; got != want {
		t.Errorf("en unit.chars(21) = %q, want %q", got, want)
	}
}

func TestNestedPluralInMessage(t *testing.T) {
	c := catalog(t)
	tx := flows.T("input.too_long", "Len", flows.T("unit.chars").Plural(1021), "Max", flows.T("unit.chars").Plural(1000))
	got := c.Render("ru", tx)
	for _, want := range []string{"1021 символ,", "1000 символов."} {
		if !strings.Contains(got, want) {
			t.Errorf("ru input.too_long = %q, want it to contain %q", got, want)
		}
	}
}

func TestEscaping(t *testing.T) {
	c := catalog(t)
	evil := "<b>x</b>&"
	tests := []struct {
		name string
		text flows.Text
		want string
	}{
		{"string value", flows.T("value.raw", "V", evil), "&lt;b&gt;x&lt;/b&gt;&amp;"},
		{"nested text", flows.T("answer.current", "Answer", flows.T("value.raw", "V", evil)),
			"Ваш ответ: &lt;b&gt;x&lt;/b&gt;&amp;"},
		{"list of texts", flows.T("value.lines", "Lines", []flows.Text{
			flows.T("value.item", "V", evil), flows.T("value.item", "V", "ok")}),
			"\n— &lt;b&gt;x&lt;/b&gt;&amp;\n— ok"},
		{"markup of the message stays", flows.T("review.line", "Field", flows.T("field.name"), "Value", flows.T("value.raw", "V", evil)),
			"<b>Имя латиницей:</b> &lt;b&gt;x&lt;/b&gt;&amp;"},
	}
	for _, tt := range tests {
		if got := c.Render("ru", tt.text); got != tt.want {
			t.Errorf("%s: Render = %q, want %q", tt.name, got, tt.want)
		}
	}
	// Buttons are plain text: nothing escaped.
	if got, want := c.Button("en", flows.T("btn.use_translit", "Latin", "A&B <C>")), "✅ Yes: A&B <C>"; got != want {
		t.Errorf("Button = %q, want %q", got, want)
	}
}

func TestRenderJoinsAndFallsBack(t *testing.T) {
	c := catalog(t)
	got := c.Render("ru", flows.T("value.yes"), flows.T("value.no"))
	if want := "да\n\nнет"; got != want {
		t.Errorf("Render of two texts = %q, want %q", got, want)
	}
	// A language the catalog lacks falls back to English.
	if got, want := c.Render("de", flows.T("value.yes")), "yes"; got != want {
		t.Errorf("Render(de) = %q, want %q", got, want)
	}
	// An unknown ID shows itself rather than an empty message, and Check says so.
	if got := c.Render("ru", flows.T("no.such")); got != "no.such" {
		t.Errorf("Render(unknown) = %q", got)
	}
	if err := c.Check("ru", flows.T("no.such")); err == nil {
		t.Error("Check(unknown) = nil")
	}
	// A template key left out is an error, not "<no value>".
	if err := c.Check("ru", flows.T("answer.current")); err == nil {
		t.Error("Check without data = nil")
	}
}

// TestOneTermEach: each language names a thing one way. In Russian a report
// is «сообщение о задержании» and the hotline's record of it «дело», never
// «заявка»; a transfer is to «другой центр содержания». After /release the
// relative is not told of a colleague who may not exist: the chat is back
// at the front of the queue.
func TestOneTermEach(t *testing.T) {
	raw := rawFiles(t)
	for id, forms := range raw["ru"] {
		for _, s := range forms {
			if strings.Contains(strings.ToLower(s), "заявк") {
				t.Errorf("ru %s says «заявка»: %q", id, s)
			}
			if strings.Contains(s, "другое учреждение") {
				t.Errorf("ru %s names a transfer «другое учреждение»: %q", id, s)
			}
		}
	}
	for _, id := range []string{"status.name.transferred", "btn.news_moved"} {
		if s := raw["ru"][id]["other"]; s != "" && !strings.Contains(s, "другой центр содержания") {
			t.Errorf("ru %s: %q, want «другой центр содержания»", id, s)
		}
	}
	for lang, colleague := range map[string]string{"en": "colleague", "ru": "коллег"} {
		s := raw[lang]["handoff.released"]["other"]
		if strings.Contains(s, colleague) || s == "" {
			t.Errorf("%s handoff.released: %q speaks of a colleague", lang, s)
		}
	}
}
