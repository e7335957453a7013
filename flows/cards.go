package flows

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Cards on duty. Without the forum, a new case's card goes to everyone on
// duty. Once one of them takes it, every other copy would still say
// "nobody has taken it yet" under a Take button. So the transport tells the
// flows which message each card became (Reply.Tag, App.Sent), and a change
// the card shows — its owner, its status, its dates — redraws every copy in
// place. A card that went out joined with other cases (Reply.Join) is not
// recorded and never edited: an edit would take the other cases' text and
// buttons away.

// CardShown is where a case's card is: a message in a member's chat, in
// the language it was written in.
type CardShown struct {
	CaseID    int64
	ChatID    int64
	MessageID int
	Lang      string
}

// Cards remembers where cases' cards are shown, for a few weeks.
type Cards interface {
	// Shown records a card.
	Shown(ctx context.Context, c CardShown) error
	// Where returns the case's recorded cards.
	Where(ctx context.Context, caseID int64) ([]CardShown, error)
}

// cardTag is the Tag of an announced card: "card:<case id>:<lang>".
func cardTag(caseID int64, lang string) string {
	return "card:" + strconv.FormatInt(caseID, 10) + ":" + lang
}

// Sent is told by the transport which message a reply with a Tag became.
// A card is recorded; if its case changed hands while the card waited to
// go out, the returned edit brings it up to date.
func (a *App) Sent(ctx context.Context, chatID int64, messageID int, tag string) ([]Reply, error) {
	rest, ok := strings.CutPrefix(tag, "card:")
	if !ok {
		return nil, nil
	}
	idText, lang, _ := strings.Cut(rest, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("card tag of message %d in %d: %w", messageID, chatID, err)
	}
	shown := CardShown{CaseID: id, ChatID: chatID, MessageID: messageID, Lang: lang}
	if err := a.d.Cards.Shown(ctx, shown); err != nil {
		return nil, fmt.Errorf("record card of case %d: %w", id, err)
	}
	v, err := a.d.Casework.ViewByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("case %d of a card sent: %w", id, err)
	}
	if v.Owner == 0 && !v.Closed() && !v.Merged {
		return nil, nil // as the card says
	}
	return a.cardEdits(ctx, v, []CardShown{shown})
}

// redrawCards brings every recorded card of a case up to date after a
// change the card shows. Nothing when the case has none (the forum's card is
// the topic's, see forumEvent).
func (c *turn) redrawCards(ctx context.Context, caseID int64) error {
	shown, err := c.a.d.Cards.Where(ctx, caseID)
	if err != nil {
		return fmt.Errorf("cards of case %d: %w", caseID, err)
	}
	if len(shown) == 0 {
		return nil
	}
	v, err := c.a.d.Casework.ViewByID(ctx, caseID)
	if err != nil {
		return fmt.Errorf("case %d for its cards: %w", caseID, err)
	}
	edits, err := c.a.cardEdits(ctx, v, shown)
	for _, r := range edits {
		if r.ChatID == c.in.ChatID && r.Edit == c.in.MessageID && c.in.Kind == KindButton {
			c.edit = 0 // this turn's own answer comes as a new message under it
		}
		c.send(r)
	}
	return err
}

// cardEdits are edits of cards into the case as it stands, for the chats
// of those who may still see the board.
func (a *App) cardEdits(ctx context.Context, v CaseView, shown []CardShown) ([]Reply, error) {
	r, _, err := a.d.CaseFiles.Get(ctx, v.Code)
	if err != nil {
		return nil, fmt.Errorf("files of case %d: %w", v.ID, err)
	}
	v.Files = len(r.Facts.Files) // said on the card, as the announcement does
	texts, buttons := cardNow(v)
	var out []Reply
	member := map[int64]bool{} // a chat may show a case twice: announced, escalated
	for _, s := range shown {
		ok, seen := member[s.ChatID]
		if !seen {
			if ok, err = a.mayEverUser(ctx, s.ChatID, ActViewBoard); err != nil {
				return out, err
			}
			member[s.ChatID] = ok
		}
		if !ok {
			continue // left the hotline: their old card stays as it was
		}
		out = append(out, Reply{ChatID: s.ChatID, Lang: s.Lang, Edit: s.MessageID, Texts: texts, Buttons: buttons, Priority: PriorityNotice})
	}
	return out, nil
}

// cardNow is a case's announced card as the case stands: with the
// announcement's buttons while nobody has it, else only Open.
func cardNow(v CaseView) ([]Text, [][]Button) {
	texts, buttons := Card(v, CardAnnounce)
	if v.Owner != 0 || v.Closed() || v.Merged {
		buttons = [][]Button{{{Text: T("btn.case_open", "Code", FormatCode(v.Code)), Data: dataCase + ":" + cwOpen + ":" + v.Code}}}
	}
	return texts, buttons
}
