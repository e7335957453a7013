package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// edited answers a person's edit of a message they sent. What the bot did
// with the message is done (an answer read, a command run) and stays as it
// was. A message relayed to the other side of a conversation (the
// volunteer, the relative, the team's topic) is shown there again, as it
// now reads, under the copy it corrects: a corrected A-number or phone must
// reach the person acting on it. Any other edit is answered with how to
// correct what was said, so that no one believes the bot took the change.
func (a *App) edited(ctx context.Context, in Input) ([]Reply, error) {
	if in.ChatType != "" && in.ChatType != "private" {
		return nil, nil
	}
	if strings.TrimSpace(in.Text) == "" {
		// A live location moving (Telegram tells it as an edit, every few
		// seconds), a caption taken away: nothing was said again.
		return nil, nil
	}
	to, copyID, err := a.d.Threads.Counterpart(ctx, in.ChatID, in.MessageID)
	switch {
	case errors.Is(err, ErrNotFound):
		if done, err := a.waitingEdit(ctx, in); err != nil || done {
			return nil, err
		}
	case err != nil:
		return nil, fmt.Errorf("copy of message %d in %d: %w", in.MessageID, in.ChatID, err)
	case a.forumOn() && to == a.cfg.ForumChat:
		rs, err := a.reporterEdit(ctx, in, copyID)
		if err != nil || rs != nil {
			return rs, err
		}
	default:
		rs, err := a.handoffEdit(ctx, in, to, copyID)
		if err != nil || rs != nil {
			return rs, err
		}
	}
	return a.editNotSeen(ctx, in)
}

// handoffEdit shows an edit in a conversation between a relative and a
// volunteer to the other one, while the conversation lasts, and keeps it
// with the case. nil when the message was not relayed in a conversation
// that goes on.
func (a *App) handoffEdit(ctx context.Context, in Input, to int64, copyID int) ([]Reply, error) {
	st, err := a.d.Queue.Chat(ctx, in.ChatID)
	if err != nil {
		return nil, fmt.Errorf("handoff state of %d: %w", in.ChatID, err)
	}
	c := &turn{a: a, in: in, now: a.d.Now()}
	if p := st.Paired; p != nil && p.Volunteer == to {
		if err := a.keepMessage(ctx, c, p.CaseCode, false, p.Volunteer); err != nil {
			return nil, err
		}
		rs := editCopy(to, p.VolLang, T("handoff.edited_user", "Ticket", p.Ticket), in, copyID)
		// The A-number or the place corrected, a press away as when first written.
		r, ok, err := c.offerHints(ctx, p)
		if ok {
			rs = append(rs, r)
		}
		return rs, err
	}
	if st.Holds == 0 {
		return nil, nil
	}
	ok, err := a.mayInHeldChat(ctx, in.UserID, ActRelay)
	if err != nil || !ok {
		return nil, err
	}
	held, err := a.d.Queue.Held(ctx, in.UserID, "")
	if err != nil {
		return nil, fmt.Errorf("chats of %d: %w", in.UserID, err)
	}
	i := slices.IndexFunc(held, func(h Pairing) bool { return h.ChatID == to })
	if i < 0 {
		return nil, nil
	}
	p := held[i]
	if err := a.keepMessage(ctx, c, p.CaseCode, true, p.Volunteer); err != nil {
		return nil, err
	}
	return editCopy(to, p.Lang, T("handoff.edited_vol"), in, copyID), nil
}

// waitingEdit handles the edit of a message kept for the volunteer who
// takes the chat: the volunteer will get it as it reads then (a copy is
// made when they take the chat), so the person is not told otherwise, and
// the case's conversation keeps the correction. done is false for any
// other message.
func (a *App) waitingEdit(ctx context.Context, in Input) (done bool, err error) {
	st, err := a.d.Queue.Chat(ctx, in.ChatID)
	if err != nil {
		return false, fmt.Errorf("handoff state of %d: %w", in.ChatID, err)
	}
	if st.Waiting == nil || st.Kept == 0 {
		return false, nil
	}
	kept, err := a.d.Queue.Kept(ctx, in.ChatID)
	if err != nil {
		return false, fmt.Errorf("kept messages of %d: %w", in.ChatID, err)
	}
	if !slices.Contains(kept, in.MessageID) {
		return false, nil
	}
	c := &turn{a: a, in: in, now: a.d.Now()}
	return true, a.keepMessage(ctx, c, st.Waiting.CaseCode, false, 0)
}

// editCopy shows an edit of a relayed message where it was relayed: the
// message again, as it now reads, replying to its earlier copy, after a
// line that says it was edited.
func editCopy(to int64, lang string, said Text, in Input, copyID int) []Reply {
	return []Reply{
		{ChatID: to, Lang: lang, Priority: PriorityReply, Texts: []Text{said}},
		{ChatID: to, Priority: PriorityReply, Protect: true, Copy: &Copy{FromChatID: in.ChatID, MessageID: in.MessageID, ReplyTo: copyID}},
	}
}

// editNotSeen tells the person that an edit changed nothing the bot was
// told, and how to correct it: in the report, again or on its last screen.
func (a *App) editNotSeen(ctx context.Context, in Input) ([]Reply, error) {
	s, err := a.d.Sessions.Get(ctx, in.ChatID)
	switch {
	case errors.Is(err, ErrNotFound):
		s = &Session{Lang: Lang(in.LangCode)}
	case err != nil:
		return nil, fmt.Errorf("load session %d: %w", in.ChatID, err)
	}
	lang := s.Lang
	if lang == "" {
		lang = Lang(in.LangCode)
	}
	text := T("edit.not_seen")
	if s.Flow == flowReport && s.Draft.Filed == "" {
		text = T("edit.not_seen_report")
	}
	return []Reply{{ChatID: in.ChatID, Lang: lang, Priority: PriorityReply, Texts: []Text{text}}}, nil
}
