package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"hotline/flows"
)

// render turns a reply into the calls that show it: usually one sendMessage,
// several when the text is longer than Telegram allows.
func (b *Bot) render(r flows.Reply) []Call {
	var menu []Call
	if r.Commands != nil {
		c := ChatCommands(b.cat, r.ChatID, r.Lang, *r.Commands)
		c.Priority = r.Priority // before the message that tells of the role
		menu = []Call{c}
	}
	if r.Topic != nil {
		return append(menu, b.renderTopic(r)...)
	}
	return append(menu, b.renderMessage(r)...)
}

// renderMessage is render without the command menu.
func (b *Bot) renderMessage(r flows.Reply) []Call {
	if c := r.Copy; c != nil {
		p := &tg.CopyMessageParams{ChatID: r.ChatID, FromChatID: c.FromChatID, MessageID: c.MessageID, ProtectContent: r.Protect}
		if c.ReplyTo != 0 {
			p.ReplyParameters = &models.ReplyParameters{MessageID: c.ReplyTo, AllowSendingWithoutReply: true}
		}
		return []Call{call("copyMessage", r.ChatID, r.Priority, p)}
	}

	lang := r.Lang
	if lang == "" {
		lang = "en"
	}
	text := b.cat.Render(lang, r.Texts...)
	var markup models.ReplyMarkup
	if len(r.Buttons) > 0 {
		markup = b.keyboard(lang, r.Buttons)
	}
	noPreview := true
	preview := &models.LinkPreviewOptions{IsDisabled: &noPreview}

	if r.Edit != 0 && utf8.RuneCountInString(text) <= maxMessage {
		return []Call{call("editMessageText", r.ChatID, r.Priority, &tg.EditMessageTextParams{
			ChatID: r.ChatID, MessageID: r.Edit, Text: text, ParseMode: models.ParseModeHTML,
			LinkPreviewOptions: preview, ReplyMarkup: markup,
		})}
	}
	if r.Edit != 0 && r.Redraw {
		return nil // no longer fits its message: left as it was
	}
	parts := split(text, maxMessage)
	calls := make([]Call, 0, len(parts))
	for i, part := range parts {
		p := &tg.SendMessageParams{ChatID: r.ChatID, Text: part, ParseMode: models.ParseModeHTML, LinkPreviewOptions: preview, ProtectContent: r.Protect}
		if i == len(parts)-1 && markup != nil {
			p.ReplyMarkup = markup
		}
		calls = append(calls, call("sendMessage", r.ChatID, r.Priority, p))
	}
	if len(calls) == 1 {
		calls[0].Join, calls[0].Tag = r.Join, r.Tag
	}
	return calls
}

// keyboard renders the flows' buttons as an inline keyboard.
func (b *Bot) keyboard(lang string, rows [][]flows.Button) *models.InlineKeyboardMarkup {
	kb := &models.InlineKeyboardMarkup{InlineKeyboard: make([][]models.InlineKeyboardButton, 0, len(rows))}
	for _, row := range rows {
		out := make([]models.InlineKeyboardButton, 0, len(row))
		for _, btn := range row {
			label := btn.Label
			if label == "" {
				label = b.cat.Button(lang, btn.Text)
			}
			out = append(out, models.InlineKeyboardButton{Text: label, CallbackData: btn.Data, URL: btn.URL})
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, out)
	}
	return kb
}

// split cuts text into pieces of at most limit characters, at blank lines
// where it can, then at line ends, so that HTML tags (which never span lines
// in our locales) stay balanced.
func split(text string, limit int) []string {
	if utf8.RuneCountInString(text) <= limit {
		return []string{text}
	}
	var parts []string
	var cur strings.Builder
	curLen := 0
	flush := func() {
		if cur.Len() > 0 {
			parts = append(parts, strings.TrimRight(cur.String(), "\n"))
			cur.Reset()
			curLen = 0
		}
	}
	for _, line := range strings.SplitAfter(text, "\n") {
		n := utf8.RuneCountInString(line)
		if curLen+n > limit {
			flush()
		}
		for n > limit { // a single line longer than a message: cut by characters
			r := []rune(line)
			parts = append(parts, string(r[:limit]))
			line = string(r[limit:])
			n -= limit
		}
		cur.WriteString(line)
		curLen += n
	}
	flush()
	return parts
}

// call builds a Call; params always marshal, so a failure is a programming error.
func call(method string, chatID int64, p flows.Priority, params any) Call {
	raw, err := json.Marshal(params)
	if err != nil {
		panic(fmt.Sprintf("marshal %s params: %v", method, err))
	}
	return Call{Method: method, ChatID: chatID, Priority: p, Params: raw}
}

// Calls renders replies that no update caused — the flows' timers, a
// blocked chat's consequences — into the calls that send them, for
// Pipeline.Send.
func (b *Bot) Calls(rs []flows.Reply) []Call {
	var calls []Call
	for _, r := range rs {
		calls = append(calls, b.render(r)...)
	}
	return calls
}
