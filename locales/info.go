package locales

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// The "Useful information" pages live in info/<lang>.md, which the hotline
// edits without touching code: a page begins with a line
//
//	<!-- page: SLUG -->
//
// and its "# Title". A page about legal questions that a lawyer of the
// hotline has not read yet carries "; lawyers: to check" in that line and is
// left out until it says "lawyers: checked". Each page becomes two
// messages, info.title.SLUG (the button) and info.page.SLUG (Telegram HTML,
// a template that gets Phone and Hours).

//go:embed info/*.md
var infoFiles embed.FS

// InfoPage is one page of the useful information.
type InfoPage struct {
	Slug    string
	Title   string
	Body    string // Telegram HTML, a text/template
	Checked bool   // false: waits for the hotline's lawyers, not shown
	// Words are the beginnings of words that name the page's subject in a
	// question typed at the menu ("локатор", "адвокат"), lower case: the
	// page answers a question with them.
	Words []string
}

var (
	pageLine = regexp.MustCompile(`^<!--\s*page:\s*([a-z0-9_]+)\s*(?:;\s*lawyers:\s*(to check|checked)\s*)?(?:;\s*words:\s*([^;>]*?)\s*)?-->\s*$`)
	mdBold   = regexp.MustCompile(`\*\*([^*\n]+)\*\*`)
	mdLink   = regexp.MustCompile(`\[([^\]\n]+)\]\((https?://[^)\s]+)\)`)
)

// parseInfo reads one language's pages in file order.
func parseInfo(name string, src string) ([]InfoPage, error) {
	var (
		pages []InfoPage
		cur   *InfoPage
		body  []string
	)
	flush := func() error {
		if cur == nil {
			return nil
		}
		if cur.Title == "" {
			return fmt.Errorf("%s: page %s has no \"# Title\" line", name, cur.Slug)
		}
		cur.Body = "<b>" + escapeHTML(cur.Title) + "</b>\n\n" + markdownHTML(strings.TrimSpace(strings.Join(body, "\n")))
		pages = append(pages, *cur)
		body = nil
		return nil
	}
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(src))
	for sc.Scan() {
		line := sc.Text()
		if m := pageLine.FindStringSubmatch(line); m != nil {
			if err := flush(); err != nil {
				return nil, err
			}
			if seen[m[1]] {
				return nil, fmt.Errorf("%s: page %s appears twice", name, m[1])
			}
			seen[m[1]] = true
			cur = &InfoPage{Slug: m[1], Checked: m[2] != "to check"}
			for _, w := range strings.Split(m[3], ",") {
				if w = strings.ToLower(strings.TrimSpace(w)); w != "" {
					cur.Words = append(cur.Words, strings.ReplaceAll(w, "ё", "е"))
				}
			}
			continue
		}
		if cur == nil {
			continue // the file's own instructions
		}
		if t, ok := strings.CutPrefix(line, "# "); ok && cur.Title == "" {
			cur.Title = strings.TrimSpace(t)
			continue
		}
		body = append(body, line)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if len(pages) == 0 {
		return nil, fmt.Errorf("%s: no pages", name)
	}
	return pages, nil
}

// markdownHTML turns the little Markdown the pages use into Telegram HTML.
// Template actions ({{…}}) pass through untouched.
func markdownHTML(s string) string {
	lines := strings.Split(escapeHTML(s), "\n")
	for i, l := range lines {
		if item, ok := strings.CutPrefix(l, "- "); ok {
			l = "— " + item
		}
		l = mdLink.ReplaceAllString(l, `<a href="$2">$1</a>`)
		lines[i] = mdBold.ReplaceAllString(l, "<b>$1</b>")
	}
	return strings.Join(lines, "\n")
}

func escapeHTML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// loadInfo adds every language's pages to the catalog and returns the
// slugs of the default language's pages that may be shown, in order.
func (c *Catalog) loadInfo() (map[string][]InfoPage, error) {
	names, err := fs.Glob(infoFiles, "info/*.md")
	if err != nil {
		return nil, err
	}
	all := map[string][]InfoPage{}
	for _, name := range names {
		buf, err := infoFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		lang := strings.TrimSuffix(strings.TrimPrefix(name, "info/"), ".md")
		pages, err := parseInfo(name, string(buf))
		if err != nil {
			return nil, err
		}
		msgs := make([]*i18n.Message, 0, 2*len(pages))
		for _, p := range pages {
			msgs = append(msgs,
				&i18n.Message{ID: "info.title." + p.Slug, Other: p.Title},
				&i18n.Message{ID: "info.page." + p.Slug, Other: p.Body})
		}
		if err := c.bundle.AddMessages(language.Make(lang), msgs...); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if c.ids[lang] == nil {
			c.ids[lang] = map[string]bool{}
		}
		for _, m := range msgs {
			if c.ids[lang][m.ID] {
				return nil, fmt.Errorf("%s: message %q is defined twice", name, m.ID)
			}
			c.ids[lang][m.ID] = true
		}
		all[lang] = pages
	}
	return all, nil
}

// InfoPages returns the slugs of the useful-information pages that may be
// shown, in order: the ones the hotline's lawyers have not checked are left
// out.
func (c *Catalog) InfoPages() []string {
	var out []string
	for _, p := range c.info[Default] {
		if p.Checked {
			out = append(out, p.Slug)
		}
	}
	return out
}

// InfoWords returns, for each page that may be shown, the beginnings of
// the words that name its subject in every language.
func (c *Catalog) InfoWords() map[string][]string {
	shown := c.InfoPages()
	out := map[string][]string{}
	for _, pages := range c.info {
		for _, p := range pages {
			if slices.Contains(shown, p.Slug) {
				out[p.Slug] = append(out[p.Slug], p.Words...)
			}
		}
	}
	return out
}

// Info returns a language's pages as the file has them, for tests and tools.
func (c *Catalog) Info(lang string) []InfoPage { return c.info[lang] }
