// Package bot is the Telegram adapter: it takes updates from Telegram (long
// polling or a webhook) into a durable inbox, hands each chat's updates to the
// flows in order, renders the flows' replies with the locales and sends them
// within Telegram's limits.
package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"hotline/flows"
	"hotline/locales"
)

// maxMessage is Telegram's limit on a message's text, in characters.
const maxMessage = 4096

// Flows is what the bot needs of the conversations.
type Flows interface {
	Handle(ctx context.Context, in flows.Input) ([]flows.Reply, error)
}

// Bot turns Telegram updates into flows inputs, and the flows' replies into
// Bot API calls.
type Bot struct {
	flows  Flows
	cat    *locales.Catalog
	log    *slog.Logger
	groups map[int64]bool // volunteer groups the bot may stay in
}

// New returns a Bot. groups lists the chats other than private ones that the
// bot serves; it leaves any other group it is added to.
func New(f Flows, cat *locales.Catalog, log *slog.Logger, groups ...int64) *Bot {
	b := &Bot{flows: f, cat: cat, log: log, groups: map[int64]bool{}}
	for _, g := range groups {
		b.groups[g] = true
	}
	return b
}

// Handle is the pipeline's Handler: one update in, the calls it causes out.
// When the flows fail (storage down), the user is told once, on the first
// attempt, and the error makes the pipeline try the update again later.
func (b *Bot) Handle(ctx context.Context, u Update) ([]Call, error) {
	var calls []Call
	if cq := u.Raw.CallbackQuery; cq != nil {
		// Answered first and whatever happens next, so the button stops spinning.
		calls = append(calls, call("answerCallbackQuery", 0, flows.PriorityReply,
			&tg.AnswerCallbackQueryParams{CallbackQueryID: cq.ID}))
	}
	in, ok := input(u.Raw)
	if !ok {
		return calls, nil
	}
	if in.ChatType != "private" && !b.groups[in.ChatID] {
		b.log.Info("leaving a chat that is not a volunteer group", "chat_id", in.ChatID, "type", in.ChatType)
		return append(calls, call("leaveChat", in.ChatID, flows.PriorityReply,
			&tg.LeaveChatParams{ChatID: in.ChatID})), nil
	}
	replies, err := b.flows.Handle(ctx, in)
	if err != nil {
		if u.Attempt <= 1 {
			calls = append(calls, b.render(flows.Reply{
				ChatID: in.ChatID,
				Lang:   flows.Lang(in.LangCode),
				Texts:  []flows.Text{flows.T("error.temporary")},
			})...)
		}
		return calls, fmt.Errorf("update %d: %w", u.ID, err)
	}
	for _, r := range replies {
		calls = append(calls, b.render(r)...)
	}
	return calls, nil
}

// input reads what the user did from a Telegram update.
func input(u *models.Update) (flows.Input, bool) {
	in := flows.Input{UpdateID: u.ID}
	var m *models.Message
	switch {
	case u.Message != nil:
		m = u.Message
	case u.CallbackQuery != nil:
		cq := u.CallbackQuery
		msg := cq.Message.Message
		if msg == nil && cq.Message.InaccessibleMessage != nil {
			msg = &models.Message{ID: cq.Message.InaccessibleMessage.MessageID, Chat: cq.Message.InaccessibleMessage.Chat}
		}
		if msg == nil {
			return in, false
		}
		in.Kind = flows.KindButton
		in.ChatID = msg.Chat.ID
		in.ChatType = string(msg.Chat.Type)
		in.UserID = cq.From.ID
		in.LangCode = cq.From.LanguageCode
		in.Data = cq.Data
		in.MessageID = msg.ID
		in.At = time.Now()
		return in, true
	case u.MyChatMember != nil:
		c := u.MyChatMember.Chat
		if c.Type == models.ChatTypePrivate {
			return in, false // the user blocked or unblocked the bot; the sender learns of it by 403
		}
		if t := u.MyChatMember.NewChatMember.Type; t != models.ChatMemberTypeMember && t != models.ChatMemberTypeAdministrator {
			return in, false // the bot left or was removed: nothing to do
		}
		in.ChatID, in.ChatType, in.Kind = c.ID, string(c.Type), flows.KindMedia
		in.UserID = u.MyChatMember.From.ID
		return in, true
	default:
		return in, false // edits, reactions…: nothing the conversation needs
	}

	in.ChatID = m.Chat.ID
	in.ChatType = string(m.Chat.Type)
	in.MessageID = m.ID
	if m.ReplyToMessage != nil {
		in.ReplyTo = m.ReplyToMessage.ID
	}
	in.At = time.Unix(int64(m.Date), 0)
	if m.From != nil {
		in.UserID = m.From.ID
		in.LangCode = m.From.LanguageCode
	}
	if m.Text != "" {
		in.Kind = flows.KindText
		in.Text = m.Text
		if cmd, arg, ok := command(m); ok {
			in.Kind, in.Command, in.Text = flows.KindCommand, cmd, arg
		}
		return in, true
	}
	in.Kind = flows.KindMedia
	in.Text = m.Caption
	in.Media = media(m)
	return in, true
}

// command splits "/start@hotline_bot c_ABC" into "start" and "c_ABC" when
// the message begins with a bot_command entity.
func command(m *models.Message) (cmd, arg string, ok bool) {
	if len(m.Entities) == 0 || m.Entities[0].Type != models.MessageEntityTypeBotCommand || m.Entities[0].Offset != 0 {
		if !strings.HasPrefix(m.Text, "/") {
			return "", "", false
		}
	}
	word, rest, _ := strings.Cut(m.Text, " ")
	word = strings.TrimPrefix(word, "/")
	word, _, _ = strings.Cut(word, "@")
	if word == "" {
		return "", "", false
	}
	return strings.ToLower(word), strings.TrimSpace(rest), true
}

// media names the kind of a message that carries no text.
func media(m *models.Message) string {
	switch {
	case len(m.Photo) > 0:
		return "photo"
	case m.Sticker != nil:
		return "sticker"
	case m.Voice != nil:
		return "voice"
	case m.VideoNote != nil:
		return "video_note"
	case m.Video != nil:
		return "video"
	case m.Animation != nil:
		return "animation"
	case m.Audio != nil:
		return "audio"
	case m.Document != nil:
		return "document"
	case m.Location != nil:
		return "location"
	case m.Contact != nil:
		return "contact"
	case m.Poll != nil:
		return "poll"
	default:
		return "other"
	}
}

// render turns a reply into the calls that show it: usually one sendMessage,
// several when the text is longer than Telegram allows.
func (b *Bot) render(r flows.Reply) []Call {
	if c := r.Copy; c != nil {
		p := &tg.CopyMessageParams{ChatID: r.ChatID, FromChatID: c.FromChatID, MessageID: c.MessageID}
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
	parts := split(text, maxMessage)
	calls := make([]Call, 0, len(parts))
	for i, part := range parts {
		p := &tg.SendMessageParams{ChatID: r.ChatID, Text: part, ParseMode: models.ParseModeHTML, LinkPreviewOptions: preview}
		if i == len(parts)-1 && markup != nil {
			p.ReplyMarkup = markup
		}
		calls = append(calls, call("sendMessage", r.ChatID, r.Priority, p))
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

// Commands are the commands the bot lists in Telegram's menu, in menu order.
var Commands = []string{"start", "help", "check", "mycases", "back", "cancel", "language", "forget"}

// SetCommands publishes the command menu in every language of the catalog;
// the English list is also the default for users of other languages.
func SetCommands(ctx context.Context, api *API, cat *locales.Catalog) error {
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
