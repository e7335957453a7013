// Package locales holds every text users see, in English and Russian, as
// go-i18n message files embedded in the binary, and renders the flows'
// Texts into Telegram HTML.
package locales

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/nicksnyder/go-i18n/v2/i18n/template"
	"golang.org/x/text/language"

	"hotline/flows"
)

//go:embed *.json
var files embed.FS

// Default is the language used for a language the catalog does not have.
const Default = "en"

// Catalog renders Texts in the languages of the message files.
type Catalog struct {
	bundle *i18n.Bundle
	locs   map[string]*i18n.Localizer
	ids    map[string]map[string]bool // language → message IDs
	// parser fails on a missing key instead of printing "<no value>". The
	// same parser is used for every call: go-i18n caches a template parsed
	// by the first parser that runs it.
	parser template.Parser
	// escaper makes a user's text safe inside Telegram HTML.
	escaper *strings.Replacer
	// info is each language's useful-information pages (info.go).
	info map[string][]InfoPage
}

// New returns the catalog of the embedded message files. They are parsed
// once per process, on the first call (about 11 ms and 5 MB: a test
// package that made a catalog per test spent 44 % of its CPU parsing them),
// and every caller shares the catalog: it is read-only, and safe for
// concurrent use.
func New() (*Catalog, error) {
	loaded.once.Do(func() { loaded.c, loaded.err = load() })
	return loaded.c, loaded.err
}

var loaded struct {
	once sync.Once
	c    *Catalog
	err  error
}

// load parses the embedded message files.
func load() (*Catalog, error) {
	c := &Catalog{
		bundle:  i18n.NewBundle(language.English),
		locs:    map[string]*i18n.Localizer{},
		ids:     map[string]map[string]bool{},
		parser:  &template.TextParser{Option: "missingkey=error"},
		escaper: strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;"),
	}
	names, err := fs.Glob(files, "*.json")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		buf, err := files.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		mf, err := c.bundle.ParseMessageFileBytes(buf, name)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		// "ru.json" or "<area>.ru.json": each part of the bot keeps its
		// texts in files of its own.
		base := strings.TrimSuffix(name, ".json")
		lang := base[strings.LastIndex(base, ".")+1:]
		if c.ids[lang] == nil {
			c.ids[lang] = map[string]bool{}
		}
		for _, m := range mf.Messages {
			if c.ids[lang][m.ID] {
				return nil, fmt.Errorf("%s: message %q is defined twice", name, m.ID)
			}
			c.ids[lang][m.ID] = true
		}
		c.locs[lang] = i18n.NewLocalizer(c.bundle, lang)
	}
	if c.locs[Default] == nil {
		return nil, fmt.Errorf("no %s.json", Default)
	}
	if c.info, err = c.loadInfo(); err != nil {
		return nil, err
	}
	return c, nil
}

// Langs returns the catalog's languages, sorted.
func (c *Catalog) Langs() []string {
	var out []string
	for l := range c.locs {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// IDs returns the message IDs of one language, sorted.
func (c *Catalog) IDs(lang string) []string {
	var out []string
	for id := range c.ids[lang] {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Render returns texts in lang as Telegram HTML (parse_mode HTML), joined
// with blank lines. Every string value in a Text's data is escaped; Text
// values are rendered in the same language, []Text values joined with
// newlines. A text that cannot be rendered comes out as its message ID, so
// that a mistake shows instead of an empty message; Check finds them.
func (c *Catalog) Render(lang string, texts ...flows.Text) string {
	out := make([]string, 0, len(texts))
	for _, t := range texts {
		s, err := c.render(lang, t, true)
		if err != nil && s == "" {
			s = t.ID
		}
		out = append(out, s)
	}
	return strings.Join(out, "\n\n")
}

// Button returns a button's caption in lang: plain text, nothing escaped.
func (c *Catalog) Button(lang string, t flows.Text) string {
	s, err := c.render(lang, t, false)
	if err != nil && s == "" {
		return t.ID
	}
	return s
}

// Check reports whether t renders in lang without a missing message,
// plural form or template key.
func (c *Catalog) Check(lang string, t flows.Text) error {
	_, err := c.render(lang, t, true)
	return err
}

// ErrNoMessage is returned by Check for a message ID the language lacks.
var ErrNoMessage = errors.New("no such message")

// render renders one Text; html says whether the result is Telegram HTML
// (values escaped) or plain text.
func (c *Catalog) render(lang string, t flows.Text, html bool) (string, error) {
	loc := c.locs[lang]
	if loc == nil {
		lang, loc = Default, c.locs[Default]
	}
	if !c.ids[lang][t.ID] {
		return "", fmt.Errorf("%w: %s in %s", ErrNoMessage, t.ID, lang)
	}
	var firstErr error
	note := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	data := make(map[string]any, len(t.Data))
	for k, v := range t.Data {
		switch v := v.(type) {
		case string:
			if html {
				v = c.escaper.Replace(v)
			}
			data[k] = v
		case flows.Text:
			s, err := c.render(lang, v, html)
			note(err)
			data[k] = s
		case []flows.Text:
			parts := make([]string, 0, len(v))
			for _, t := range v {
				s, err := c.render(lang, t, html)
				note(err)
				parts = append(parts, s)
			}
			data[k] = strings.Join(parts, "\n")
		case []string:
			parts := make([]string, 0, len(v))
			for _, s := range v {
				if html {
					s = c.escaper.Replace(s)
				}
				parts = append(parts, s)
			}
			data[k] = strings.Join(parts, "\n")
		default:
			data[k] = v
		}
	}
	s, err := loc.Localize(&i18n.LocalizeConfig{
		MessageID:      t.ID,
		TemplateData:   data,
		PluralCount:    t.Count,
		TemplateParser: c.parser,
	})
	if err != nil {
		return s, fmt.Errorf("render %s in %s: %w", t.ID, lang, err)
	}
	return s, firstErr
}
