package locales

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"hotline/flows"
)

// TestInfoPagesMatchAndFit: both languages have the same pages in the same
// order, each with the same lawyers' mark, and every page renders within
// Telegram's 4,096 characters, with and without the hotline's phone.
func TestInfoPagesMatchAndFit(t *testing.T) {
	c := catalog(t)
	en, ru := c.Info("en"), c.Info("ru")
	if len(en) < 5 {
		t.Fatalf("%d pages in English", len(en))
	}
	slugs := func(ps []InfoPage) (out []string) {
		for _, p := range ps {
			out = append(out, p.Slug+map[bool]string{true: "", false: " (lawyers: to check)"}[p.Checked])
		}
		return out
	}
	if !slices.Equal(slugs(en), slugs(ru)) {
		t.Errorf("pages differ:\n en %v\n ru %v", slugs(en), slugs(ru))
	}
	for _, lang := range c.Langs() {
		for _, p := range c.Info(lang) {
			for _, data := range [][]any{{"Phone", "", "Hours", ""}, {"Phone", "+1 (555) 555-0100", "Hours", "Mon–Fri 9:00–21:00 ET"}} {
				s, err := c.render(lang, flows.T("info.page."+p.Slug, data...), true)
				if err != nil {
					t.Errorf("%s %s: %v", lang, p.Slug, err)
					continue
				}
				if n := utf8.RuneCountInString(s); n > 4096 {
					t.Errorf("%s %s: %d characters, more than a Telegram message", lang, p.Slug, n)
				}
				if strings.Contains(s, "**") || strings.Contains(s, "](") {
					t.Errorf("%s %s: Markdown left in the page: %q", lang, p.Slug, s)
				}
			}
		}
	}
}

// TestInfoPagesWaitForLawyers: a page marked for the lawyers is not offered;
// the same page marked checked is.
func TestInfoPagesWaitForLawyers(t *testing.T) {
	c := catalog(t)
	if slices.Contains(c.InfoPages(), "bond") {
		t.Error("the bond page is offered before the lawyers checked it")
	}
	if !slices.Contains(c.InfoPages(), "locator") {
		t.Error("the locator page is not offered")
	}
	src := "intro\n<!-- page: bond; lawyers: checked -->\n# Bond\ntext\n<!-- page: x; lawyers: to check -->\n# X\ny\n"
	pages, err := parseInfo("test.md", src)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 2 || !pages[0].Checked || pages[1].Checked {
		t.Errorf("pages %+v: want bond shown, x held back", pages)
	}
	if _, err := parseInfo("test.md", "<!-- page: a -->\nno title\n"); err == nil {
		t.Error("a page without a title was accepted")
	}
}

// TestInfoWords: a page line's words, lower case with ё as е, in every
// language, for the pages that may be shown; none for a page that waits.
func TestInfoWords(t *testing.T) {
	src := "<!-- page: legal; lawyers: checked; words: Адвокат, Суд , lawyer -->\n# L\nx\n" +
		"<!-- page: x; words: Ёлка -->\n# X\ny\n<!-- page: bond; lawyers: to check; words: bond -->\n# B\nz\n"
	pages, err := parseInfo("test.md", src)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 3 || !slices.Equal(pages[0].Words, []string{"адвокат", "суд", "lawyer"}) ||
		!slices.Equal(pages[1].Words, []string{"елка"}) || !pages[1].Checked {
		t.Errorf("pages %+v", pages)
	}
	words := catalog(t).InfoWords()
	if !slices.Contains(words["legal"], "адвокат") || !slices.Contains(words["legal"], "lawyer") {
		t.Errorf("the legal page's words in both languages: %v", words["legal"])
	}
	if _, ok := words["bond"]; ok {
		t.Error("words of a page that waits for the lawyers")
	}
}

// TestInfoMarkdown: the pages' Markdown becomes Telegram HTML; what the
// hotline types cannot break the markup.
func TestInfoMarkdown(t *testing.T) {
	got := markdownHTML("**Bold** & [site](https://ice.gov) <x>\n- item")
	want := "<b>Bold</b> &amp; <a href=\"https://ice.gov\">site</a> &lt;x&gt;\n— item"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestTerms keeps wording the hotline's lawyers and native speakers
// corrected out of every text: it misleads (ICE is the immigration police,
// not a "service", which reads as USCIS; a "closed case" reads as the
// court's decision) or is not the US spelling the English texts use.
func TestTerms(t *testing.T) {
	banned := map[string][]string{
		"ru": {"иммиграционной службой", "об отсрочке депортации", "Дело закрыто", "Это касается детей",
			"не смог ответить вовремя", "делают всё, что ещё можно"},
		"en": {"spelt", "Rumour", "rumour", "if it is?"},
	}
	raw := rawFiles(t)
	for lang, words := range banned {
		for id, forms := range raw[lang] {
			for _, s := range forms {
				for _, w := range words {
					if strings.Contains(s, w) {
						t.Errorf("%s %s says %q", lang, id, w)
					}
				}
			}
		}
	}
}
