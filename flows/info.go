package flows

import (
	"context"
	"slices"
)

// Useful information: a contents page with a button per topic, each topic
// one message. The topics are the hotline's own texts (locales/info), so the
// flows know them only by slug, from Config.InfoPages.

const dataInfo = "i."

func (a *App) registerInfo() {
	a.hooks.menu["info"] = func(ctx context.Context, c *turn) error { return a.infoContents(c) }
	a.hooks.buttons[dataInfo] = func(ctx context.Context, c *turn, slug string) error {
		switch {
		case slug == "":
			return a.infoContents(c)
		case slug == "done" || !slices.Contains(a.cfg.InfoPages, slug):
			return c.again(ctx) // the menu, or the question the chat is at
		}
		c.say(T("info.page."+slug, "Phone", a.cfg.Phone, "Hours", a.cfg.Hours))
		c.buttons = [][]Button{
			{{Text: T("btn.info_contents"), Data: dataInfo + ":"}},
			{{Text: T("btn.info_done"), Data: dataInfo + ":done"}},
		}
		return nil
	}
}

// infoContents lists the topics.
func (a *App) infoContents(c *turn) error {
	c.say(T("info.contents"))
	rows := make([][]Button, 0, len(a.cfg.InfoPages)+1)
	for _, slug := range a.cfg.InfoPages {
		rows = append(rows, []Button{{Text: T("info.title." + slug), Data: dataInfo + ":" + slug}})
	}
	c.buttons = append(rows, []Button{{Text: T("btn.info_done"), Data: dataInfo + ":done"}})
	return nil
}
