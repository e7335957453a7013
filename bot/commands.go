package bot

import (
	"context"
	"fmt"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"hotline/flows"
	"hotline/locales"
)

// Caller makes one Bot API call; the pipeline's API client is one.
type Caller interface {
	Do(ctx context.Context, method string, params any, result any) error
}

// menu is the command menu of a role in a language, from the flows'
// command table.
func menu(cat *locales.Catalog, lang string, role flows.Role) []models.BotCommand {
	names := flows.CommandsFor(role)
	cmds := make([]models.BotCommand, 0, len(names))
	for _, c := range names {
		cmds = append(cmds, models.BotCommand{Command: c, Description: cat.Button(lang, flows.T("command."+c))})
	}
	return cmds
}

// ChatCommands is the call that sets one chat's command menu to role's
// commands in lang (a member's private chat); for RoleNone it deletes the
// chat's own menu, so that the default one shows again.
func ChatCommands(cat *locales.Catalog, chatID int64, lang string, role flows.Role) Call {
	if lang == "" {
		lang = "en"
	}
	// The library's scope types marshal without their "type" for JSON.
	p := chatCommands{Scope: chatScope{Type: "chat", ChatID: chatID}}
	if role == flows.RoleNone {
		return call("deleteMyCommands", chatID, flows.PriorityNotice, &p)
	}
	p.Commands = menu(cat, lang, role)
	return call("setMyCommands", chatID, flows.PriorityNotice, &p)
}

// chatCommands are the parameters of setMyCommands and deleteMyCommands
// for one chat.
type chatCommands struct {
	Commands []models.BotCommand `json:"commands,omitempty"`
	Scope    chatScope           `json:"scope"`
}

// chatScope is BotCommandScopeChat.
type chatScope struct {
	Type   string `json:"type"`
	ChatID int64  `json:"chat_id"`
}

// SetCommands publishes the command menu in every language of the catalog;
// the English list is also the default for users of other languages.
func SetCommands(ctx context.Context, api Caller, cat *locales.Catalog) error {
	for _, lang := range append([]string{""}, cat.Langs()...) {
		l := lang
		if l == "" {
			l = "en"
		}
		cmds := menu(cat, l, flows.RoleNone)
		if err := api.Do(ctx, "setMyCommands", &tg.SetMyCommandsParams{Commands: cmds, LanguageCode: lang}, nil); err != nil {
			return fmt.Errorf("set commands %q: %w", lang, err)
		}
	}
	return nil
}
