package bot

import (
	"context"
	"fmt"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"hotline/flows"
	"hotline/locales"
)

// Commands are the commands the bot lists in Telegram's menu, in menu order.
var Commands = []string{"start", "help", "check", "checkin", "mycases", "back", "cancel", "language", "forget"}

// Caller makes one Bot API call; the pipeline's API client is one.
type Caller interface {
	Do(ctx context.Context, method string, params any, result any) error
}

// SetCommands publishes the command menu in every language of the catalog;
// the English list is also the default for users of other languages.
func SetCommands(ctx context.Context, api Caller, cat *locales.Catalog) error {
	for _, lang := range append([]string{""}, cat.Langs()...) {
		l := lang
		if l == "" {
			l = "en"
		}
		cmds := make([]models.BotCommand, 0, len(Commands))
		for _, c := range Commands {
			cmds = append(cmds, models.BotCommand{Command: c, Description: cat.Button(l, flows.T("command."+c))})
		}
		if err := api.Do(ctx, "setMyCommands", &tg.SetMyCommandsParams{Commands: cmds, LanguageCode: lang}, nil); err != nil {
			return fmt.Errorf("set commands %q: %w", lang, err)
		}
	}
	return nil
}
