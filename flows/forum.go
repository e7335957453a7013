package flows

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The team's forum: with Config.ForumChat set, the hotline's supergroup
// with topics is its shared desk, one topic per case. A confirmed case gets
// a topic named by its code, urgency and facility (never a person's name),
// whose first message is the case card, pinned and edited in place as the
// case changes; the case's events are posted there; what the reporter
// writes while the team talks with them is copied into the topic, and what
// a member writes in the topic reaches the reporter through the bot, the
// member's identity hidden. Lines starting with "!" (or /note) stay in the
// group, stored as internal notes.
//
// The flows only say what goes into which case's topic (Reply.Topic). Which
// thread that is, and which message is the card, is known once Telegram
// has answered; the pipeline resolves it when the call is made, so a topic
// is created once and its card posted once across restarts.

// TopicOp is what a reply does in a case's topic.
type TopicOp int

// Topic operations.
const (
	TopicPost    TopicOp = iota // a message in the topic: Texts, or Copy
	TopicCreate                 // create the topic; nothing when it exists
	TopicCard                   // post the card and pin it, or edit it in place
	TopicClose                  // close the topic; nothing when closed
	TopicReopen                 // reopen it; nothing when open
	TopicSummary                // the general topic's summary: posted once, then edited
	// TopicInvite is a message to a member (ChatID) with an invite link to
	// the group made for them when it is sent: InviteLink in its texts
	// stands for the link.
	TopicInvite
	// TopicRemove takes Member out of the group, and revokes the invite
	// links made for them.
	TopicRemove
	// TopicDelete deletes the case's topic with everything in it: the
	// reporter erased their data, or retention did.
	TopicDelete
)

// InviteLink stands for the link a TopicInvite reply carries.
const InviteLink = "HOTLINE-INVITE-LINK"

// Invite is the message that brings a member into the forum group.
func (a *App) invite(userID int64, lang string) Reply {
	return Reply{ChatID: userID, Lang: lang, Priority: PriorityReply, Protect: true,
		Texts: []Text{T("forum.invite", "Link", InviteLink)}, Topic: &Topic{Op: TopicInvite, Member: userID}}
}

// Topic says where in the forum a reply goes.
type Topic struct {
	Code string // the case; "" for the summary
	Op   TopicOp
	// Name is the topic's title, for creating it: the case code, its
	// urgency and facility, at most 128 characters.
	Name string
	// Member is whom TopicInvite and TopicRemove concern.
	Member int64
}

// Forum keeps what the flows need of the forum: which topic is which case,
// which reporters the team talks with there, and strangers seen.
type Forum interface {
	// CaseOfThread returns the code of the case whose topic is the thread,
	// or ErrNotFound.
	CaseOfThread(ctx context.Context, thread int) (string, error)
	// Talking returns the code of the case the team talks about with the
	// reporter's chat in the forum, or ErrNotFound.
	Talking(ctx context.Context, chatID int64) (string, error)
	// Talk makes the chat's messages go to the case's topic.
	Talk(ctx context.Context, chatID int64, code string) error
	// EndTalk stops that; false when there was no talk.
	EndTalk(ctx context.Context, chatID int64) (bool, error)
	// Stranger records a user who is not a member writing in the group;
	// first is true the first time.
	Stranger(ctx context.Context, userID int64) (first bool, err error)
}

// ForumDeps are what the forum needs.
type ForumDeps struct {
	Forum Forum
}

// forumOn reports whether the team works in a forum.
func (a *App) forumOn() bool { return a.cfg.ForumChat != 0 }

// topicName is a case topic's title: the code, an urgency mark and where
// the person is held.
func topicName(v CaseView) string {
	name := FormatCode(v.Code)
	if v.IsUrgent() {
		name = "🔴 " + name
	}
	where := v.FacilityText
	if v.Facility.ID != 0 {
		where = v.Facility.Name
		if v.Facility.State != "" {
			where += ", " + v.Facility.State
		}
	}
	if where != "" {
		name += " · " + where
	}
	if utf8.RuneCountInString(name) > 128 {
		name = string([]rune(name)[:127]) + "…"
	}
	return name
}

// inTopic is a reply in the case's topic. What the bot posts there is
// protected, like a case card: notes and the reporter's messages hold
// personal data.
func (a *App) inTopic(v CaseView, op TopicOp, texts ...Text) Reply {
	prio := PriorityNotice
	if v.IsUrgent() {
		prio = PriorityReply
	}
	return Reply{ChatID: a.cfg.ForumChat, Lang: a.cfg.ForumLang, Texts: texts, Priority: prio, Protect: true,
		Topic: &Topic{Code: v.Code, Op: op, Name: topicName(v)}}
}

// topicCard is the case's card in its topic, with what the team does with
// a case: take it, its status, a note, its dates, talk to the reporter.
func (a *App) topicCard(v CaseView) Reply {
	texts, _ := Card(v, CardOpen)
	r := a.inTopic(v, TopicCard, texts...)
	data := func(act string) string { return dataCase + ":" + act + ":" + v.Code }
	code := FormatCode(v.Code)
	if v.Owner == 0 && !v.Closed() {
		r.Buttons = append(r.Buttons, []Button{{Text: T("btn.case_take", "Code", code), Data: data(cwTake)}})
	}
	r.Buttons = append(r.Buttons,
		[]Button{
			{Text: T("btn.case_status", "Code", code), Data: dataStatus + ":" + actStartUpdate + ":" + v.Code},
			{Text: T("btn.case_note", "Code", code), Data: dataStatus + ":" + actStartNote + ":" + v.Code},
		},
		[]Button{{Text: T("btn.case_dates"), Data: data(cwDates)}, {Text: T("btn.case_write"), Data: data(cwWrite)}},
	)
	return r
}

// forumAnnounce is a new case in the forum: its topic, and its card posted
// and pinned there.
func (a *App) forumAnnounce(v CaseView) []Reply {
	return []Reply{a.inTopic(v, TopicCreate), a.topicCard(v)}
}

// forumEvent posts texts in the case's topic, with its card brought up to
// date and the topic closed or reopened with the case. Nothing without a
// forum.
func (a *App) forumEvent(ctx context.Context, code string, texts ...Text) ([]Reply, error) {
	if !a.forumOn() {
		return nil, nil
	}
	v, err := a.d.Casework.View(ctx, code)
	if err != nil {
		return nil, fmt.Errorf("case %s for its topic: %w", code, err)
	}
	var out []Reply
	if !v.Closed() {
		out = append(out, a.inTopic(v, TopicReopen))
	}
	if len(texts) > 0 {
		out = append(out, a.inTopic(v, TopicPost, texts...))
	}
	out = append(out, a.topicCard(v))
	if v.Closed() {
		out = append(out, a.inTopic(v, TopicClose))
	}
	return out, nil
}

// postEvent is forumEvent for a turn: the replies go after the turn's own.
func (c *turn) postEvent(ctx context.Context, code string, texts ...Text) error {
	rs, err := c.a.forumEvent(ctx, code, texts...)
	for _, r := range rs {
		c.send(r)
	}
	return err
}

// registerForum plugs in the forum: the reporter's side of a talk (what
// they write goes to the topic), and the group itself.
func (a *App) registerForum() {
	if !a.forumOn() {
		return
	}
	a.hooks.intercept = append(a.hooks.intercept, a.reporterToTopic)
	a.hooks.commands["forum"] = a.guard(ActViewBoard, func(ctx context.Context, c *turn, _ string) error {
		c.send(a.invite(c.in.UserID, c.s.Lang))
		c.drop = true
		return nil
	})
}

// removed takes a member taken out of the hotline out of the forum group.
func (a *App) removed(userID int64) []Reply {
	if !a.forumOn() {
		return nil
	}
	return []Reply{{ChatID: a.cfg.ForumChat, Priority: PriorityReply, Topic: &Topic{Op: TopicRemove, Member: userID}}}
}

// forumInput handles what happens in the forum group. Only members act
// there: anyone else is ignored, and reported to the admins once. A
// member's button is answered in their private chat with the bot, as if
// pressed there, and so is a command (forumCommand); their message in a
// case's topic goes to the reporter, unless it starts with "!" or is
// /note: then it is an internal note; or it says "I take it": then it
// takes the case.
func (a *App) forumInput(ctx context.Context, in Input) ([]Reply, error) {
	role, err := a.role(ctx, in.UserID)
	if err != nil {
		return nil, fmt.Errorf("role of user %d: %w", in.UserID, err)
	}
	if role == RoleNone {
		return a.stranger(ctx, in)
	}
	if in.Kind == KindButton {
		if act, code, _ := strings.Cut(strings.TrimPrefix(in.Data, dataCase+":"), ":"); strings.HasPrefix(in.Data, dataCase+":") && act == cwWrite {
			return a.startTalk(ctx, in, code)
		}
		return a.Handle(ctx, privateOf(in))
	}
	if in.Kind == KindCommand && !in.Edited && in.Command != "note" && in.Command != "end" {
		return a.forumCommand(ctx, in)
	}
	if in.ThreadID == 0 {
		if in.Kind == KindCommand && in.Command == "note" && !in.Edited {
			return a.forumCommand(ctx, in) // on which case? asked in private
		}
		return nil, nil // the general topic: the team among themselves
	}
	code, err := a.d.Forum.CaseOfThread(ctx, in.ThreadID)
	if errors.Is(err, ErrNotFound) {
		if in.Kind == KindCommand && in.Command == "note" && !in.Edited {
			return a.forumCommand(ctx, in)
		}
		return nil, nil // a topic the team made for itself
	}
	if err != nil {
		return nil, fmt.Errorf("case of topic %d: %w", in.ThreadID, err)
	}
	v, err := a.d.Casework.View(ctx, code)
	if err != nil {
		return nil, fmt.Errorf("case %s of topic %d: %w", code, in.ThreadID, err)
	}
	c := &turn{a: a, s: &Session{ChatID: in.UserID, Lang: a.cfg.ForumLang}, in: in, now: a.d.Now()}
	note, internal := strings.CutPrefix(strings.TrimSpace(in.Text), "!")
	if in.Edited {
		if internal || in.Kind == KindCommand {
			return nil, nil // an edit into a note is no message to the reporter
		}
		return a.memberEdit(ctx, in, v)
	}
	switch {
	case in.Kind == KindText && takeWords[captionKey(in.Text)]:
		// "Беру", "I'll take it": said to the team, as in any group of
		// volunteers, not to the reporter, to whom it went. It takes the
		// case as the card's Take does.
		private := privateOf(in)
		private.Kind, private.Text, private.Data = KindButton, "", dataCase+":"+cwTake+":"+v.Code
		return a.Handle(ctx, private)
	case in.Kind == KindCommand && in.Command == "note":
		note, internal = in.Text, true
	case in.Kind == KindCommand && in.Command == "end":
		return a.endTalk(ctx, c, v)
	case in.Kind == KindCommand:
		return nil, nil // never to the reporter (the others were run in private, above)
	case in.Kind != KindText:
		internal = false
	}
	if internal {
		note = strings.TrimSpace(note)
		if note == "" {
			return nil, nil
		}
		e := Event{CaseID: v.ID, Kind: EventNote, Note: note, Actor: c.actor(),
			Key: "f:" + strconv.FormatInt(in.UpdateID, 10)}
		if _, err := a.d.Timeline.Record(ctx, e); err != nil {
			return nil, fmt.Errorf("record note of case %d: %w", v.ID, err)
		}
		return nil, a.audit(ctx, c, AuditEntry{Action: AuditNote, CaseID: v.ID})
	}
	return a.topicToReporter(ctx, c, v)
}

// forumCommand runs a member's command sent in the group as if sent in
// their private chat with the bot, where it is answered, as the group's
// buttons are; in a case's topic, a command that acts on a case and names
// none acts on the topic's ("/status released"). They went unanswered,
// as if done.
func (a *App) forumCommand(ctx context.Context, in Input) ([]Reply, error) {
	private := privateOf(in)
	if _, named := FindCode(in.Text); in.ThreadID != 0 && replyCommands[in.Command] && !named {
		code, err := a.d.Forum.CaseOfThread(ctx, in.ThreadID)
		switch {
		case err == nil:
			private.Text = strings.TrimSpace(FormatCode(code) + " " + in.Text)
		case !errors.Is(err, ErrNotFound):
			return nil, fmt.Errorf("case of topic %d: %w", in.ThreadID, err)
		}
	}
	return a.Handle(ctx, private)
}

// privateOf is a member's input in the group as if sent in their private
// chat with the bot, where it is answered: no message of that chat, no
// topic, no reply.
func privateOf(in Input) Input {
	in.ChatID, in.ChatType, in.MessageID, in.ThreadID, in.ReplyTo = in.UserID, "private", 0, 0, 0
	return in
}

// stranger reports a non-member writing in the group to the admins, once.
func (a *App) stranger(ctx context.Context, in Input) ([]Reply, error) {
	if in.UserID == 0 || (in.Kind == KindMedia && (in.Media == "" || in.Media == "other")) {
		return nil, nil // service messages: a topic made, a member joined
	}
	first, err := a.d.Forum.Stranger(ctx, in.UserID)
	if err != nil || !first {
		return nil, err
	}
	admins, err := a.admins(ctx)
	if err != nil {
		return nil, err
	}
	var out []Reply
	for _, v := range admins {
		out = append(out, Reply{ChatID: v.UserID, Lang: v.Lang, Priority: PriorityReply,
			Texts: []Text{T("forum.stranger", "User", strconv.FormatInt(in.UserID, 10))}})
	}
	return out, nil
}

// admins returns the members who may change who is in the hotline.
func (a *App) admins(ctx context.Context) ([]Volunteer, error) {
	cs, err := a.coordinators(ctx)
	if err != nil {
		return nil, err
	}
	var out []Volunteer
	for _, v := range cs {
		if v.Role == RoleAdmin || a.isAdmin(v.UserID) {
			out = append(out, v)
		}
	}
	return out, nil
}

// topicToReporter copies a member's message in a case's topic to the
// reporter, as the bot's. A reply to a relayed message is relayed as a
// reply to its original; a reply to a message of another case's reporter
// is not relayed at all: the member is told in the topic.
func (a *App) topicToReporter(ctx context.Context, c *turn, v CaseView) ([]Reply, error) {
	if v.ReporterChat == 0 || v.Erased {
		return []Reply{a.inTopic(v, TopicPost, T("forum.no_reporter"))}, nil
	}
	r := copyTo(v.ReporterChat, c.in.ChatID, c.in.MessageID)
	if c.in.ReplyTo != 0 && c.in.ReplyTo != c.in.ThreadID {
		chat, msg, err := a.d.Threads.Counterpart(ctx, c.in.ChatID, c.in.ReplyTo)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return nil, fmt.Errorf("thread of message %d in the forum: %w", c.in.ReplyTo, err)
		case chat != v.ReporterChat:
			return []Reply{a.inTopic(v, TopicPost, T("forum.reply_other_case", "Code", FormatCode(v.Code)))}, nil
		default:
			r.Copy.ReplyTo = msg
		}
	}
	var out []Reply
	talking, err := a.d.Forum.Talking(ctx, v.ReporterChat)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("talk of case %d: %w", v.ID, err)
	}
	if talking != v.Code {
		if err := a.d.Forum.Talk(ctx, v.ReporterChat, v.Code); err != nil {
			return nil, fmt.Errorf("talk of case %d: %w", v.ID, err)
		}
		out = append(out, Reply{ChatID: v.ReporterChat, Lang: Lang(v.Lang), Priority: PriorityReply,
			Texts: []Text{T("forum.talk_started", "Code", FormatCode(v.Code))}})
	}
	return append(out, r), nil
}

// startTalk is "talk to the reporter" pressed on a case's card in the
// forum: from now on what the reporter writes goes to the topic.
func (a *App) startTalk(ctx context.Context, in Input, code string) ([]Reply, error) {
	v, err := a.d.Casework.View(ctx, code)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("case for a talk: %w", err)
	}
	if v.ReporterChat == 0 || v.Erased {
		return []Reply{a.inTopic(v, TopicPost, T("forum.no_reporter"))}, nil
	}
	talking, err := a.d.Forum.Talking(ctx, v.ReporterChat)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("talk of case %d: %w", v.ID, err)
	}
	if talking == v.Code {
		return []Reply{a.inTopic(v, TopicPost, T("forum.talk_on"))}, nil
	}
	if err := a.d.Forum.Talk(ctx, v.ReporterChat, v.Code); err != nil {
		return nil, fmt.Errorf("talk of case %d: %w", v.ID, err)
	}
	return []Reply{
		a.inTopic(v, TopicPost, T("forum.talk_on")),
		{ChatID: v.ReporterChat, Lang: Lang(v.Lang), Priority: PriorityReply,
			Texts: []Text{T("forum.talk_started", "Code", FormatCode(v.Code))}},
	}, nil
}

// endTalk is /end in a case's topic: the reporter's messages stop going
// there, and they are told.
func (a *App) endTalk(ctx context.Context, c *turn, v CaseView) ([]Reply, error) {
	if v.ReporterChat == 0 {
		return nil, nil
	}
	talking, err := a.d.Forum.Talking(ctx, v.ReporterChat)
	if errors.Is(err, ErrNotFound) || (err == nil && talking != v.Code) {
		return []Reply{a.inTopic(v, TopicPost, T("forum.talk_none"))}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("talk of case %d: %w", v.ID, err)
	}
	if _, err := a.d.Forum.EndTalk(ctx, v.ReporterChat); err != nil {
		return nil, fmt.Errorf("end talk of case %d: %w", v.ID, err)
	}
	return []Reply{
		a.inTopic(v, TopicPost, T("forum.talk_ended")),
		{ChatID: v.ReporterChat, Lang: Lang(v.Lang), Priority: PriorityReply,
			Texts: []Text{T("forum.talk_ended_user", "Code", FormatCode(v.Code))}},
	}, nil
}

// reporterToTopic copies what a reporter the team talks with writes at the
// main menu into their case's topic; commands, buttons and the answers of a
// flow they are in stay theirs.
func (a *App) reporterToTopic(ctx context.Context, c *turn) (bool, error) {
	if c.s.Flow != "" || (c.in.Kind != KindText && c.in.Kind != KindMedia) {
		return false, nil
	}
	code, err := a.d.Forum.Talking(ctx, c.in.ChatID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("talk of chat %d: %w", c.in.ChatID, err)
	}
	v, err := a.d.Casework.View(ctx, code)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return false, fmt.Errorf("case of a talk: %w", err)
	}
	if err != nil || v.Erased {
		// Gone, or erased by /forget: nothing the reporter writes goes
		// to the team any more, whatever left the talk on.
		_, err = a.d.Forum.EndTalk(ctx, c.in.ChatID)
		return false, err
	}
	r := a.inTopic(v, TopicPost)
	r.Priority = PriorityReply
	r.Copy = &Copy{FromChatID: c.in.ChatID, MessageID: c.in.MessageID}
	if c.in.ReplyTo != 0 {
		chat, msg, err := a.d.Threads.Counterpart(ctx, c.in.ChatID, c.in.ReplyTo)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return false, fmt.Errorf("thread of message %d in %d: %w", c.in.ReplyTo, c.in.ChatID, err)
		case chat == a.cfg.ForumChat:
			r.Copy.ReplyTo = msg
		}
	}
	c.send(r)
	c.drop = true
	// What the message names and the case lacks, a press away for the
	// team, as under it in a volunteer's private chat.
	_, texts, buttons, err := c.caseHints(ctx, c.in.Text, v.Code)
	if err != nil {
		return false, err
	}
	if len(texts) > 0 {
		h := a.inTopic(v, TopicPost, texts...)
		h.Buttons = buttons
		c.send(h)
	}
	return true, nil
}

// ForumCard returns the replies that bring a case's topic up to date: its
// card (posted again when it is gone), the topic reopened or closed with
// the case. The bot calls it when a topic or card was deleted by hand.
func (a *App) ForumCard(ctx context.Context, code string) ([]Reply, error) {
	return a.forumEvent(ctx, code)
}

// ForumAlert tells the admins, each in their language, what they must fix
// about the forum group: the text with this id of locales/ (forum.alert_*).
func (a *App) ForumAlert(ctx context.Context, id string, kv ...any) ([]Reply, error) {
	admins, err := a.admins(ctx)
	if err != nil {
		return nil, err
	}
	var out []Reply
	for _, v := range admins {
		out = append(out, Reply{ChatID: v.UserID, Lang: v.Lang, Priority: PriorityReply, Texts: []Text{T(id, kv...)}})
	}
	return out, nil
}

// ForumAnnouncement is what a new case puts in the forum chat, written in
// lang: its topic, and its card posted and pinned there. Handle does this
// when a report is confirmed; tools and load tests that store cases
// themselves use it to announce them the same way.
func ForumAnnouncement(chat int64, lang string, v CaseView) []Reply {
	a := &App{cfg: Config{ForumChat: chat, ForumLang: lang}}
	return a.forumAnnounce(v)
}

// summaryMax is how many cases of each kind the forum's summary lists.
const summaryMax = 15

// ForumTick keeps the summary in the forum's general topic: the untaken
// cases and the urgent ones, each a line of /cases. It is posted once and
// then edited; the pipeline leaves out an edit that would change nothing,
// so every replica may tick.
func (a *App) ForumTick(ctx context.Context, send func(context.Context, []Reply) error) error {
	if !a.forumOn() {
		return nil
	}
	now := a.d.Now()
	var lines []Text
	for _, f := range []string{FilterNew, FilterUrgent} {
		vs, n, err := a.d.Casework.Board(ctx, BoardQuery{Filter: f, Limit: summaryMax})
		if err != nil {
			return fmt.Errorf("forum summary, %s cases: %w", f, err)
		}
		lines = append(lines, T("forum.summary_"+f).Plural(n))
		for _, v := range vs {
			lines = append(lines, CardLine(v, now, 0))
		}
		if n > len(vs) {
			lines = append(lines, T("forum.summary_more").Plural(n-len(vs)))
		}
	}
	r := Reply{ChatID: a.cfg.ForumChat, Lang: a.cfg.ForumLang, Priority: PriorityNotice,
		Texts: []Text{T("forum.summary", "Lines", lines)}, Topic: &Topic{Op: TopicSummary}}
	return send(ctx, []Reply{r})
}

// reporterEdit shows the team an edit of a message the reporter sent
// them in a talk, copied to the topic as copyID; nil when the talk is over.
func (a *App) reporterEdit(ctx context.Context, in Input, copyID int) ([]Reply, error) {
	code, err := a.d.Forum.Talking(ctx, in.ChatID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("talk of chat %d: %w", in.ChatID, err)
	}
	v, err := a.d.Casework.View(ctx, code)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("case of a talk: %w", err)
	}
	if v.Erased {
		return nil, nil
	}
	rs := editCopy(a.cfg.ForumChat, a.cfg.ForumLang, T("forum.edited_reporter"), in, copyID)
	for i := range rs {
		rs[i].Topic = a.inTopic(v, TopicPost).Topic
	}
	return rs, nil
}

// memberEdit shows the reporter an edit of a member's message that was
// relayed to them.
func (a *App) memberEdit(ctx context.Context, in Input, v CaseView) ([]Reply, error) {
	if v.ReporterChat == 0 || v.Erased {
		return nil, nil
	}
	chat, copyID, err := a.d.Threads.Counterpart(ctx, in.ChatID, in.MessageID)
	if errors.Is(err, ErrNotFound) || (err == nil && chat != v.ReporterChat) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("copy of message %d in the forum: %w", in.MessageID, err)
	}
	return editCopy(v.ReporterChat, Lang(v.Lang), T("forum.edited_team"), in, copyID), nil
}

// askTeam is a reporter asking for a person while the team works in the
// forum: their latest case's topic is told, and what they write goes
// there until the team ends the talk. What they typed at the menu before
// asking is copied there first.
func (a *App) askTeam(ctx context.Context, c *turn, code string) error {
	v, err := a.d.Casework.View(ctx, code)
	if err != nil {
		return fmt.Errorf("case %s of a reporter asking for a person: %w", code, err)
	}
	if err := a.d.Forum.Talk(ctx, c.in.ChatID, v.Code); err != nil {
		return fmt.Errorf("talk of case %d: %w", v.ID, err)
	}
	c.say(T("forum.talk_started", "Code", FormatCode(v.Code)))
	c.send(a.inTopic(v, TopicPost, T("forum.asks_person")))
	if c.s.Said != 0 {
		r := a.inTopic(v, TopicPost)
		r.Copy = &Copy{FromChatID: c.in.ChatID, MessageID: c.s.Said}
		c.send(r)
		c.s.Said = 0
	}
	c.drop = false
	return nil
}

// ForumErased deletes the topics of cases whose personal data was erased
// (a reporter's /forget, the retention purge): the group's copies of the
// conversation and the notes go with them. A later event of such a case
// makes it a new topic, without them.
func (a *App) ForumErased(codes ...string) []Reply {
	if !a.forumOn() {
		return nil
	}
	out := make([]Reply, 0, len(codes))
	for _, code := range codes {
		out = append(out, Reply{ChatID: a.cfg.ForumChat, Priority: PriorityReply, Topic: &Topic{Code: code, Op: TopicDelete}})
	}
	return out
}
