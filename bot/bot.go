// Package bot is the Telegram adapter: a Telegram update in, the Bot API
// calls it causes out. It reads what the user did into a flows.Input, hands
// it to the flows, and renders their replies with the locales. It makes no
// calls and stores nothing itself: the pipeline (internal/pipeline) brings
// the updates, exactly once and in order per chat, and makes the calls
// within Telegram's limits; main wires the two.
package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"hotline/flows"
	"hotline/locales"
)

// maxMessage is Telegram's limit on a message's text, in characters.
const maxMessage = 4096

// Call is one Bot API request the bot wants made.
type Call struct {
	Method   string          // sendMessage, editMessageText, copyMessage, answerCallbackQuery, leaveChat, …
	ChatID   int64           // the chat it concerns (limits and fairness); 0 when none
	Priority flows.Priority  // flows.PriorityReply before flows.PriorityNotice
	Params   json.RawMessage // the method's JSON parameters
	// Join lets the sender make a sendMessage one message with the ones
	// queued next to it for the same chat that allow it too.
	Join bool
	// Tag, on a sendMessage, is the Reply's: the transport tells the flows
	// (App.Sent) which message it made.
	Tag string
}

// Update is one Telegram update to handle.
type Update struct {
	ID      int64
	Attempt int            // 1 the first time it is handled
	Raw     *models.Update // github.com/go-telegram/bot/models
}

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
	groups sync.Map // int64 → true: the groups the bot may stay in
}

// New returns a Bot. groups lists the chats other than private ones that the
// bot serves; it leaves any other group it is added to.
func New(f Flows, cat *locales.Catalog, log *slog.Logger, groups ...int64) *Bot {
	b := &Bot{flows: f, cat: cat, log: log}
	for _, g := range groups {
		b.Stay(g)
	}
	return b
}

// Stay adds a group the bot stays in: the team's group under the new id
// Telegram gave it when it became a supergroup.
func (b *Bot) Stay(chatID int64) { b.groups.Store(chatID, true) }

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
	if _, ok := b.groups.Load(in.ChatID); in.ChatType != "private" && !ok {
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
