package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Cards on duty. Without the forum, a new case's card goes to everyone on
// duty. Once one of them takes it, every other copy would still say
// "nobody has taken it yet" under a Take button. So the transport tells the
// flows which message each card became (Reply.Tag, App.Sent), and a change
// the card shows — its owner, its status, its dates — redraws every copy in
// place. Cards that went out joined as one message (Reply.Join, when they
// pile up for a chat) are redrawn together: every case the message shows,
// as each stands, in the order they were joined.

// CardShown is a message showing cases' cards in a member's chat: one
// case, or the cases of a joined message in order, in the language it was
// written in.
type CardShown struct {
	ChatID    int64
	MessageID int
	Lang      string
	Cases     []int64
}

// Cards remembers where cases' cards are shown, for a few weeks.
type Cards interface {
	// Shown records a message under each of its cases.
	Shown(ctx context.Context, c CardShown) error
	// Where returns the messages that show the case's card.
	Where(ctx context.Context, caseID int64) ([]CardShown, error)
	// About records a message about cases that is no card to redraw (a
	// case's news, a date's reminder), or about a chat in the queue (its
	// ticket, when not 0), for At.
	About(ctx context.Context, chatID int64, messageID int, cases []int64, ticket int64) error
	// At returns the cases the chat's message shows or is about, in order,
	// and the ticket of the chat in the queue it is about; none when it is
	// neither.
	At(ctx context.Context, chatID int64, messageID int) (cases []int64, ticket int64, err error)
}

// cardTag is the Tag of an announced card: "card:<case id>:<lang>".
func cardTag(caseID int64, lang string) string {
	return "card:" + strconv.FormatInt(caseID, 10) + ":" + lang
}

// aboutTag is the Tag of a member's notice about a case (its news, a
// date's reminder), "case:<case id>": a reply to it is about the case.
func aboutTag(caseID int64) string { return "case:" + strconv.FormatInt(caseID, 10) }

// chatTag is the Tag of a member's notice of a chat in the queue,
// "chat:<ticket>": a reply to it is about that chat.
func chatTag(ticket int64) string { return "chat:" + strconv.FormatInt(ticket, 10) }

// Sent is told by the transport which message replies with a Tag became:
// one, or several joined, their tags in order. Cards are recorded; if a
// case changed hands while its card waited to go out, the returned edit
// brings the message up to date. A message with notices in it (about a
// case, or a chat in the queue) is recorded only as about them, for a
// reply to it (caseReply): there is no redrawing it.
func (a *App) Sent(ctx context.Context, chatID int64, messageID int, tags []string) ([]Reply, error) {
	shown := CardShown{ChatID: chatID, MessageID: messageID}
	var about []int64
	var ticket int64
	for _, tag := range tags {
		if t, ok := strings.CutPrefix(tag, "chat:"); ok {
			n, err := strconv.ParseInt(t, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("tag of message %d in %d: %w", messageID, chatID, err)
			}
			ticket = n
			continue
		}
		rest, card := strings.CutPrefix(tag, "card:")
		if !card {
			var ok bool
			if rest, ok = strings.CutPrefix(tag, "case:"); !ok {
				return nil, nil // not ours
			}
		}
		idText, lang, _ := strings.Cut(rest, ":")
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("tag of message %d in %d: %w", messageID, chatID, err)
		}
		about = append(about, id)
		if card {
			shown.Cases, shown.Lang = append(shown.Cases, id), lang
		}
	}
	if len(about) == 0 && ticket == 0 {
		return nil, nil
	}
	if len(shown.Cases) < len(about) || ticket != 0 {
		if err := a.d.Cards.About(ctx, chatID, messageID, about, ticket); err != nil {
			return nil, fmt.Errorf("record cases of message %d in %d: %w", messageID, chatID, err)
		}
		return nil, nil
	}
	if err := a.d.Cards.Shown(ctx, shown); err != nil {
		return nil, fmt.Errorf("record cards of message %d in %d: %w", messageID, chatID, err)
	}
	d := a.newDrawer()
	for _, id := range shown.Cases {
		v, ok, err := d.view(ctx, id)
		if err != nil || !ok {
			return nil, err
		}
		if settled(v) {
			return d.edits(ctx, []CardShown{shown}) // changed since it was drawn
		}
	}
	return nil, nil // as the cards say
}

// caseChanged shows a change of the case wherever its card is: every
// member's copy redrawn (redrawCards) and, with the forum, the event posted
// in the case's topic with its card (postEvent).
func (c *turn) caseChanged(ctx context.Context, caseID int64, code string, event Text) error {
	if err := c.redrawCards(ctx, caseID); err != nil {
		return err
	}
	return c.postEvent(ctx, code, event)
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
	edits, err := c.a.newDrawer().edits(ctx, shown)
	for _, r := range edits {
		c.send(r)
	}
	return err
}

// drawer draws cases' cards as they stand, each case read once.
type drawer struct {
	a      *App
	views  map[int64]CaseView
	files  map[int64]bool // views whose Files are counted
	member map[int64]bool // a chat may show a case twice: announced, escalated
}

func (a *App) newDrawer() *drawer {
	return &drawer{a: a, views: map[int64]CaseView{}, files: map[int64]bool{}, member: map[int64]bool{}}
}

// view is a case as it stands; false when there is no such case any more.
func (d *drawer) view(ctx context.Context, id int64) (CaseView, bool, error) {
	if v, ok := d.views[id]; ok {
		return v, true, nil
	}
	v, err := d.a.d.Casework.ViewByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return CaseView{}, false, nil
	}
	if err != nil {
		return CaseView{}, false, fmt.Errorf("case %d for its card: %w", id, err)
	}
	d.views[id] = v
	return v, true, nil
}

// card is view with the count of the case's files, which the card shows
// (read from the case's details, as the announcement does).
func (d *drawer) card(ctx context.Context, id int64) (CaseView, bool, error) {
	v, ok, err := d.view(ctx, id)
	if err != nil || !ok || d.files[id] {
		return v, ok, err
	}
	r, _, err := d.a.d.CaseFiles.Get(ctx, v.Code)
	if err != nil {
		return CaseView{}, false, fmt.Errorf("files of case %d: %w", id, err)
	}
	v.Files = len(r.Facts.Files)
	d.views[id], d.files[id] = v, true
	return v, true, nil
}

// edits are edits of the messages into their cases as they stand, for the
// chats of those who may still see the board. A message one of whose cases
// is gone is left as it was.
func (d *drawer) edits(ctx context.Context, shown []CardShown) ([]Reply, error) {
	var out []Reply
next:
	for _, s := range shown {
		ok, seen := d.member[s.ChatID]
		if !seen {
			var err error
			if ok, err = d.a.mayEverUser(ctx, s.ChatID, ActViewBoard); err != nil {
				return out, err
			}
			d.member[s.ChatID] = ok
		}
		if !ok {
			continue // left the hotline: their old card stays as it was
		}
		r := Reply{ChatID: s.ChatID, Lang: s.Lang, Edit: s.MessageID, Priority: PriorityNotice, Redraw: true}
		for _, id := range s.Cases {
			v, ok, err := d.card(ctx, id)
			if err != nil {
				return out, err
			}
			if !ok {
				continue next
			}
			texts, buttons := cardNow(v)
			r.Texts, r.Buttons = append(r.Texts, texts...), append(r.Buttons, buttons...)
		}
		out = append(out, r)
	}
	return out, nil
}

// settled reports whether a case is no longer anyone's to take: owned,
// closed or merged. Its card then has only Open.
func settled(v CaseView) bool { return v.Owner != 0 || v.Closed() || v.Merged }

// cardNow is a case's announced card as the case stands: with the
// announcement's buttons while nobody has it, else only Open.
func cardNow(v CaseView) ([]Text, [][]Button) {
	texts, buttons := Card(v, CardAnnounce)
	if settled(v) {
		buttons = [][]Button{{{Text: T("btn.case_open", "Code", FormatCode(v.Code)), Data: dataCase + ":" + cwOpen + ":" + v.Code}}}
	}
	return texts, buttons
}

// caseReply answers a member's message in their private chat that replies
// to a message of the bot about something else than the person whose chat
// they hold (p, nil for none). It goes to nobody:
//   - under the notice of a chat in the queue, "беру" takes that chat, as
//     its button does; anything else waits until the chat is taken, and
//     goes to its person once the member holds it;
//   - under a case's card or a notice about a case (its news, a date's
//     reminder), "беру" takes the case (or says how, under a message of
//     several cases); anything else is not sent, and they are told how to
//     write to the case's reporter or to their chat.
//
// A reply about the case of the chat their messages go to is for its
// person: false, as for a reply to any other message; about the case of
// another chat they hold, it goes to that one's person.
func (a *App) caseReply(ctx context.Context, c *turn, p *Pairing) (bool, error) {
	if c.in.ReplyTo == 0 {
		return false, nil
	}
	ids, waiting, err := a.d.Cards.At(ctx, c.in.ChatID, c.in.ReplyTo)
	if err != nil {
		return false, err
	}
	take := c.in.Kind == KindText && takeWords[captionKey(c.in.Text)]
	if waiting != 0 && len(ids) == 0 {
		// The notice of a chat in the queue: "беру" takes it, as its
		// button does; anything else waits until it is taken. Once the
		// member holds it, a reply to its notice is for its person.
		c.drop = true
		if take {
			return true, a.hooks.buttons[dataTake](ctx, c, strconv.FormatInt(waiting, 10))
		}
		if p != nil && p.Ticket == waiting {
			return false, nil
		}
		switch h, err := a.heldChat(ctx, c.in.UserID, func(h Pairing) bool { return h.Ticket == waiting }); {
		case err != nil:
			return false, err
		case h != nil:
			return true, a.relayAsVolunteer(ctx, c, h)
		}
		c.say(T("handoff.reply_waiting", "Ticket", waiting))
		return true, nil
	}
	if len(ids) == 0 {
		return false, nil
	}
	d := a.newDrawer()
	var codes []string
	for _, id := range ids {
		v, ok, err := d.view(ctx, id)
		if err != nil {
			return false, err
		}
		if ok && !slices.Contains(codes, v.Code) {
			codes = append(codes, v.Code)
		}
	}
	if len(codes) == 0 {
		return false, nil
	}
	if !take && p != nil && len(codes) == 1 && codes[0] == p.CaseCode {
		return false, nil
	}
	c.drop = true
	switch {
	case take && len(codes) == 1:
		return true, a.hooks.commands["take_case"](ctx, c, codes[0])
	case take:
		c.say(T("casework.take_how"))
		return true, nil
	case len(codes) == 1:
		// About the case of another chat they hold: for its person.
		switch h, err := a.heldChat(ctx, c.in.UserID, func(h Pairing) bool { return h.CaseCode == codes[0] }); {
		case err != nil:
			return false, err
		case h != nil:
			return true, a.relayAsVolunteer(ctx, c, h)
		}
	}
	var ticket int64
	if p != nil {
		ticket = p.Ticket
	}
	shown := make([]string, len(codes))
	for i, code := range codes {
		shown[i] = FormatCode(code)
	}
	c.say(T("handoff.reply_case", "Code", strings.Join(shown, ", "), "Ticket", ticket))
	return true, nil
}

// replyCommands are the members' commands that act on a case (or, /take,
// a chat in the queue) named first in their argument.
var replyCommands = map[string]bool{"take_case": true, "release_case": true, "date": true, "handover": true,
	"status": true, "note": true, "write": true, "case": true, "audit": true, "take": true, "anumber": true,
	"facility": true, "urgent": true}

// replyArg is the argument of such a command sent in reply to a case's
// card or notice, or to the notice of a chat in the queue, without a case
// code of its own ("/note called the jail", "/take"): the case's code (the
// chat's number) put first, as if typed. Otherwise arg as it is.
func (a *App) replyArg(ctx context.Context, c *turn, arg string) (string, error) {
	if _, ok := FindCode(arg); ok {
		return arg, nil
	}
	ids, waiting, err := a.d.Cards.At(ctx, c.in.ChatID, c.in.ReplyTo)
	switch {
	case err != nil:
		return arg, err
	case c.in.Command == "take" && waiting != 0 && len(ids) == 0 && strings.TrimSpace(arg) == "":
		return strconv.FormatInt(waiting, 10), nil
	case len(ids) != 1 || c.in.Command == "take" && strings.TrimSpace(arg) != "":
		return arg, nil
	}
	v, ok, err := a.newDrawer().view(ctx, ids[0])
	if err != nil || !ok {
		return arg, err
	}
	return strings.TrimSpace(FormatCode(v.Code) + " " + arg), nil
}
