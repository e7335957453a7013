package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// handoffIntercept takes what a chat in the handoff writes: a paired
// user's messages go to their volunteer, a volunteer's to the user they
// talk to, and a waiting user's are kept for whoever takes the chat.
// Commands and buttons go on to the engine, except the few a paired user
// would otherwise be lost in.
func (a *App) handoffIntercept(ctx context.Context, c *turn) (bool, error) {
	msg := c.in.Kind == KindText || c.in.Kind == KindMedia
	if c.in.Kind == KindButton && c.s.Flow == flowReport && c.s.Step == stepMore && c.in.Data == c.stepPrefix()+"more" {
		return a.morePaired(ctx, c)
	}
	if !msg && c.in.Kind != KindCommand {
		return false, nil
	}
	if msg && c.a.hooks.flows[c.s.Flow] != nil {
		// A feature's short flow asked for this (a case code, a note for
		// a case): it is an answer to the bot, not a message to relay —
		// unless a volunteer took the chat since the flow last moved
		// (the office of a check-in being registered, when /write came):
		// they were told their messages go to the volunteer, and "Hello,
		// I'm here" was read as the office.
		st, err := a.d.Queue.Chat(ctx, c.in.ChatID)
		if err != nil {
			return false, fmt.Errorf("handoff state of %d: %w", c.in.ChatID, err)
		}
		if st.Paired == nil || !c.s.Updated.Before(st.Paired.Taken) {
			return false, nil
		}
		return true, a.relayFromUser(ctx, c, st)
	}
	st, err := a.d.Queue.Chat(ctx, c.in.ChatID)
	if err != nil {
		return false, fmt.Errorf("handoff state of %d: %w", c.in.ChatID, err)
	}
	if st.Waiting != nil && c.in.Kind == KindText && c.s.Flow == "" {
		// "Отмена", "выйти из очереди" (the button's caption), "меню"
		// typed alone while waiting: the command, as at a report's
		// question. They were kept for the volunteer without a word, the
		// chat still in the queue.
		key := captionKey(c.in.Text)
		cmd := commandWords[key]
		switch {
		case leaveWords[key]:
			cmd = "cancel"
		case menuWords[key] == "report" || reportWords[key]:
			// "Хочу сообщить о задержании": the report, the place in
			// the queue kept, as the menu's button does.
			cmd = "report"
		}
		if cmd == "cancel" || cmd == "menu" || cmd == "start" || cmd == "report" {
			c.in.Kind, c.in.Command, c.in.Text = KindCommand, cmd, ""
			msg = false
		}
	}
	switch {
	case st.Paired != nil && msg:
		return true, a.relayFromUser(ctx, c, st)
	case st.Paired != nil:
		switch c.in.Command {
		case "start", "menu", "help":
			if c.in.Command == "start" && strings.TrimSpace(c.in.Text) != "" {
				return false, nil // a case link or an invite
			}
			a.sayPaired(c, st.Paired)
			c.drop = true
			return true, nil
		case "done", "end", "stop":
			// The person ends the conversation as /leave and the button
			// do; a member's /done is their own command.
			role, err := a.role(ctx, c.in.UserID)
			if err != nil || role != RoleNone {
				return false, err
			}
			return true, a.userEnd(ctx, c)
		}
	case st.Active != nil && msg && !(c.inReport() && c.s.Draft.FiledBy != 0):
		// (A volunteer filing a report for a caller answers the report.)
		// A member who has just lost their role does not write to the
		// user any more: the timers give their chats back to the queue.
		ok, err := a.mayInHeldChat(ctx, c.in.UserID, ActRelay)
		if err != nil || !ok {
			return false, err
		}
		return true, a.relayFromVolunteer(ctx, c, st.Active)
	case st.Holds > 0 && msg && !(c.inReport() && c.s.Draft.FiledBy != 0):
		// The chat their messages went to was ended by someone else:
		// nothing goes to another person until the volunteer chooses.
		ok, err := a.mayInHeldChat(ctx, c.in.UserID, ActRelay)
		if err != nil || !ok {
			return false, err
		}
		return true, a.relayChosen(ctx, c)
	case st.Waiting != nil && c.in.Kind == KindCommand && c.s.Flow == "":
		switch c.in.Command {
		case "cancel", "stop":
			// At the menu, the one thing to cancel is the wait: it was
			// "nothing to cancel", the chat still in the queue.
			return true, a.leave(ctx, c)
		case "start", "menu":
			if strings.TrimSpace(c.in.Text) != "" {
				return false, nil // a case link or an invite
			}
			// The menu, and that they are still in the queue: the
			// greeting alone let them think the request was gone.
			pos, err := a.d.Queue.Position(ctx, c.in.ChatID)
			if err != nil {
				return false, fmt.Errorf("position of %d: %w", c.in.ChatID, err)
			}
			c.drop = true
			c.say(T("menu.greeting"), T("handoff.in_queue").Plural(max(pos, 1)))
			c.menu()
			c.buttons = append(c.buttons, []Button{{Text: T("btn.handoff_leave"), Data: dataLeave}})
			return true, nil
		}
	case st.Waiting != nil && msg && (c.s.Flow != flowReport || c.waitingWords(ctx)):
		// Answers to the report (the urgent path queues the reporter
		// before the optional questions) go to the report; the rest is
		// what "write while you wait" asked for.
		return true, a.keep(ctx, c, st)
	case c.in.Command == "help" && !c.isStatusFlow():
		// Members get their commands (in a status update, its help);
		// anyone else the engine's help.
		m, ok, err := a.enter(ctx, c, ActMember)
		if err != nil || !ok {
			return false, err
		}
		m.say(T("handoff.help_volunteer", "Commands", commandLines(m.Role)))
		return true, a.answerMember(c, m, nil)
	}
	return false, nil
}

// waitingWords reports whether a message of a reporter who waits in the
// queue while answering the optional questions after the urgent filing is
// not an answer to them: a photo, a voice message, or words where the
// question takes a button and are not its caption. Such a message is for
// the volunteer, as the bot told them when it queued them.
func (c *turn) waitingWords(ctx context.Context) bool {
	if !c.filed() || c.s.Pending != "" {
		return false
	}
	if c.in.Kind == KindMedia {
		return true
	}
	st := c.a.steps[c.s.Step]
	if st == nil || st.max != 0 {
		return false
	}
	if _, ok := moreInWords(c.in.Text); ok && c.offeredMore() {
		return false // "да", "позже": the offer's answer
	}
	_, caption := c.typedButton(c.stepButtons(ctx), c.in.Text)
	return !caption
}

// sayPaired reminds a paired user where their messages go.
func (a *App) sayPaired(c *turn, p *Pairing) {
	c.say(T("handoff.paired", "Name", p.Name))
	c.buttons = [][]Button{{{Text: T("btn.handoff_end"), Data: dataEnd}}}
}

// relayFromUser copies a paired user's message to their volunteer.
func (a *App) relayFromUser(ctx context.Context, c *turn, st ChatState) error {
	p := st.Paired
	c.drop = true
	if st.Held > 1 {
		// A volunteer with several chats must see whose message this is.
		// Tagged: a reply to it goes to that chat, whichever is active.
		c.send(Reply{ChatID: p.Volunteer, Lang: p.VolLang, Texts: []Text{T("handoff.from", "Ticket", p.Ticket)},
			Tag: chatTag(p.Ticket)})
	}
	if err := a.relay(ctx, c, p.Volunteer); err != nil {
		return err
	}
	r, ok, err := c.offerHints(ctx, p)
	if err != nil {
		return err
	}
	if ok {
		c.send(r)
	}
	if err := a.keepMessage(ctx, c, p.CaseCode, false, p.Volunteer); err != nil {
		return err
	}
	if err := a.d.Queue.UserWrote(ctx, p.ChatID, c.in.MessageID, c.now); err != nil {
		return fmt.Errorf("note message of %d: %w", p.ChatID, err)
	}
	return nil
}

// offerHints is, for the volunteer, under a message of the reporter of
// a case, or an edit that corrects one, the buttons that record what it
// names and the case lacks (caseHints); false for none.
func (c *turn) offerHints(ctx context.Context, p *Pairing) (Reply, bool, error) {
	caseID, texts, buttons, err := c.caseHints(ctx, c.in.Text, p.CaseCode)
	if err != nil || len(texts) == 0 {
		return Reply{}, false, err
	}
	// Tagged as the case's notice: a reply to it goes to nobody.
	return Reply{ChatID: p.Volunteer, Lang: p.VolLang, Texts: texts, Buttons: buttons, Protect: true,
		Tag: aboutTag(caseID)}, true, nil
}

// relayFromVolunteer copies a volunteer's message to the user of their
// active chat.
//
// A reply goes to the chat of the message replied to, whichever is active:
// a coordinator answering chat A while B is active must not send A's
// answer to B. When they no longer hold that chat, the reply is refused
// with a warning.
func (a *App) relayFromVolunteer(ctx context.Context, c *turn, p *Pairing) error {
	c.drop = true
	relayed := false // a reply to a message of a person
	if c.in.ReplyTo != 0 {
		r, toPerson, notHeld, err := a.repliedTo(ctx, c, p.ChatID)
		switch {
		case err != nil:
			return err
		case notHeld:
			c.say(T("handoff.reply_not_held"))
			return nil
		case r != nil:
			p = r
		case !toPerson:
			// "Беру" under a new case's card went to the person.
			if ok, err := a.caseReply(ctx, c, p); ok || err != nil {
				return err
			}
		}
		relayed = toPerson
	}
	if !relayed && c.in.Kind == KindText && takeWords[captionKey(c.in.Text)] {
		// "Беру" alone, just after a new case's card or chat came in, is
		// said to the hotline, not to the person: it is kept back, with
		// how to take a case, and how to send it to the person after all.
		c.say(T("handoff.take_not_sent", "Ticket", p.Ticket, "Said", strings.TrimSpace(c.in.Text)))
		return nil
	}
	return a.relayAsVolunteer(ctx, c, p)
}

// repliedTo finds the chat a volunteer's reply belongs to: nil when it
// answers no relayed message, or one of the chat active; toPerson when it
// answers a relayed message; notHeld when it answers a chat they no longer
// hold.
func (a *App) repliedTo(ctx context.Context, c *turn, active int64) (p *Pairing, toPerson, notHeld bool, err error) {
	chat, _, err := a.d.Threads.Counterpart(ctx, c.in.ChatID, c.in.ReplyTo)
	switch {
	case errors.Is(err, ErrNotFound):
		// Not a relayed message (a notice, a card): nothing says which
		// chat it belongs to.
		return nil, false, false, nil
	case err != nil:
		return nil, false, false, fmt.Errorf("thread of message %d in %d: %w", c.in.ReplyTo, c.in.ChatID, err)
	case chat == active:
		return nil, true, false, nil
	}
	p, err = a.heldChat(ctx, c.in.UserID, func(h Pairing) bool { return h.ChatID == chat })
	return p, true, p == nil && err == nil, err
}

// heldChat returns the chat the volunteer holds that is, nil for none.
func (a *App) heldChat(ctx context.Context, volunteer int64, is func(Pairing) bool) (*Pairing, error) {
	held, err := a.d.Queue.Held(ctx, volunteer, "")
	if err != nil {
		return nil, fmt.Errorf("chats of %d: %w", volunteer, err)
	}
	if i := slices.IndexFunc(held, is); i >= 0 {
		return &held[i], nil
	}
	return nil, nil
}

// relayAsVolunteer copies the volunteer's message to the chat p and keeps
// it with the case.
func (a *App) relayAsVolunteer(ctx context.Context, c *turn, p *Pairing) error {
	if err := a.relay(ctx, c, p.ChatID); err != nil {
		return err
	}
	if err := a.keepMessage(ctx, c, p.CaseCode, true, p.Volunteer); err != nil {
		return err
	}
	if err := a.d.Queue.VolunteerWrote(ctx, p.ChatID); err != nil {
		return fmt.Errorf("note answer to %d: %w", p.ChatID, err)
	}
	return nil
}

// copyTo relays a message with copyMessage, which shows it as the bot's:
// the sender's account stays hidden.
func copyTo(chatID, fromChatID int64, messageID int) Reply {
	return Reply{ChatID: chatID, Copy: &Copy{FromChatID: fromChatID, MessageID: messageID}, Protect: true}
}

// relayChosen handles a volunteer's message while their messages go to no
// chat: a reply to a relayed message goes to its chat, as always; anything
// else is not sent, and the volunteer chooses where the next ones go.
func (a *App) relayChosen(ctx context.Context, c *turn) error {
	c.drop = true
	if c.in.ReplyTo != 0 {
		r, _, _, err := a.repliedTo(ctx, c, 0)
		if err != nil {
			return err
		}
		if r != nil {
			return a.relayAsVolunteer(ctx, c, r)
		}
		if ok, err := a.caseReply(ctx, c, nil); ok || err != nil {
			return err
		}
	}
	texts, buttons, err := a.chooseChat(ctx, c.in.UserID)
	if err != nil {
		return err
	}
	c.say(append([]Text{T("handoff.not_sent")}, texts...)...)
	c.buttons = buttons
	return nil
}

// chooseChat is what a volunteer whose messages go to no chat is told: the
// chats they hold, a button each. Nothing when they hold none, or their
// messages go to one.
func (a *App) chooseChat(ctx context.Context, volunteer int64) ([]Text, [][]Button, error) {
	held, err := a.d.Queue.Held(ctx, volunteer, "")
	if err != nil {
		return nil, nil, fmt.Errorf("chats of %d: %w", volunteer, err)
	}
	texts, rows := chooseAmong(held)
	return texts, rows, nil
}

// chooseAmong is chooseChat for the chats held, as Held lists them.
func chooseAmong(held []Pairing) ([]Text, [][]Button) {
	if len(held) == 0 || held[0].Active {
		return nil, nil
	}
	var rows [][]Button
	for _, p := range held {
		rows = append(rows, []Button{{Text: T("btn.handoff_switch", "Ticket", p.Ticket),
			Data: dataSwitch + ":" + strconv.FormatInt(p.ChatID, 10)}})
	}
	return []Text{T("handoff.choose_chat")}, rows
}

// endedFor is the message to a volunteer whose chat someone else ended (the
// user, a timer): text, and the choice of where their messages go now when
// it was that chat they went to.
func (a *App) endedFor(ctx context.Context, p Pairing, text Text) (Reply, error) {
	// Tagged: a reply to it is about that chat, which the volunteer no
	// longer holds, and goes to nobody.
	r := Reply{ChatID: p.Volunteer, Lang: p.VolLang, Texts: []Text{text}, Tag: chatTag(p.Ticket)}
	texts, buttons, err := a.chooseChat(ctx, p.Volunteer)
	if err != nil {
		return r, err // the news all the same
	}
	r.Texts, r.Buttons = append(r.Texts, texts...), buttons
	return r, nil
}

// relay copies the message of c to chatID. A reply is relayed as a reply to
// its counterpart there: to the original of the copy it answers, or to the
// copy of the original. Without a counterpart in chatID (none known, the
// copy still being sent, or one in another of a volunteer's chats) it goes
// without; Telegram shows it all the same.
func (a *App) relay(ctx context.Context, c *turn, chatID int64) error {
	r := copyTo(chatID, c.in.ChatID, c.in.MessageID)
	if c.in.ReplyTo != 0 && a.d.Threads != nil {
		chat, msg, err := a.d.Threads.Counterpart(ctx, c.in.ChatID, c.in.ReplyTo)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return fmt.Errorf("thread of message %d in %d: %w", c.in.ReplyTo, c.in.ChatID, err)
		case chat == chatID:
			r.Copy.ReplyTo = msg
		}
	}
	c.send(r)
	return nil
}

// leaveWords leave the queue, typed (captionKey): the caption of its
// button, and what people say for it.
var leaveWords = map[string]bool{"выйти из очереди": true, "выйти": true, "покинуть очередь": true,
	"уйти из очереди": true, "leave the queue": true, "leave queue": true, "leave": true, "exit queue": true,
	"exit the queue": true,
	// Changed one's mind.
	"я передумала": true, "я передумал": true, "передумала": true, "передумал": true, "уже не надо": true,
	"уже не нужно": true, "never mind": true, "nevermind": true, "i changed my mind": true, "changed my mind": true}

// reportWords ask to report a detention in a sentence (captionKey), where
// menuWords are the button's words alone.
var reportWords = map[string]bool{"хочу сообщить о задержании": true, "хочу сообщить": true,
	"хочу заполнить заявку": true, "хочу подать заявку": true, "i want to report": true,
	"i want to report a detention": true, "i want to report an arrest": true, "want to report": true}

// keep keeps a waiting user's message for the volunteer who takes the
// chat. The first one is acknowledged; after that the user is not
// interrupted, but for a question or a plea, answered with where they
// stand.
func (a *App) keep(ctx context.Context, c *turn, st ChatState) error {
	c.drop = true
	kept, err := a.d.Queue.Keep(ctx, c.in.ChatID, c.in.MessageID)
	if err != nil {
		return fmt.Errorf("keep message of %d: %w", c.in.ChatID, err)
	}
	if kept && st.Waiting != nil {
		if err := a.keepMessage(ctx, c, st.Waiting.CaseCode, false, 0); err != nil {
			return err
		}
	}
	if !kept {
		// Taken a moment ago: the volunteer is there to read it.
		now, err := a.d.Queue.Chat(ctx, c.in.ChatID)
		if err != nil {
			return fmt.Errorf("handoff state of %d: %w", c.in.ChatID, err)
		}
		if now.Paired != nil {
			return a.relayFromUser(ctx, c, now)
		}
		return nil
	}
	asks := c.in.Kind == KindText && (isQuestion(c.in.Text) || pleadsForHelp(c.in.Text))
	if st.Kept > 0 && (!asks || st.Waiting == nil) {
		return nil
	}
	pos, err := a.d.Queue.Position(ctx, c.in.ChatID)
	if err != nil {
		return fmt.Errorf("position of %d: %w", c.in.ChatID, err)
	}
	c.buttons = [][]Button{{{Text: T("btn.handoff_leave"), Data: dataLeave}}}
	if st.Kept == 0 {
		c.say(T("handoff.kept"), T("handoff.position").Plural(max(pos, 1)))
		return nil
	}
	// "Алло? Есть кто-нибудь?" after a while: where they stand, how long
	// they have waited, and whether anyone is on duty. It was silence,
	// which reads as a bot that broke.
	onDuty, err := a.onDuty(ctx, c.in.UserID)
	if err != nil {
		return err
	}
	c.say(T("handoff.still_waiting", "Wait", waitText(c.now.Sub(st.Waiting.Queued))),
		T("handoff.position").Plural(max(pos, 1)))
	if len(onDuty) == 0 {
		c.say(T("handoff.nobody_on_duty"))
	}
	return nil
}

// join puts the chat in the queue. urgent is the button offered after an
// urgent report: the reporter's latest case must be urgent and fresh for
// the chat to go ahead of the others. The report draft, if any, is kept.
func (a *App) join(ctx context.Context, c *turn, urgent bool) error {
	c.drop = true
	st, err := a.d.Queue.Chat(ctx, c.in.ChatID)
	if err != nil {
		return fmt.Errorf("handoff state of %d: %w", c.in.ChatID, err)
	}
	switch {
	case st.Paired != nil:
		a.sayPaired(c, st.Paired)
		return nil
	case st.Waiting != nil:
		pos, err := a.d.Queue.Position(ctx, c.in.ChatID)
		if err != nil {
			return fmt.Errorf("position of %d: %w", c.in.ChatID, err)
		}
		c.say(T("handoff.already_waiting"), T("handoff.position").Plural(max(pos, 1)))
		if c.answersInQueue() {
			return c.promptInQueue(ctx) // the question again, as below
		}
		c.buttons = [][]Button{{{Text: T("btn.handoff_leave"), Data: dataLeave}}}
		return nil
	}
	linked, err := a.d.Handoffs.LatestCase(ctx, c.in.UserID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("latest case of %d: %w", c.in.UserID, err)
	}
	if a.forumOn() && linked.Code != "" {
		// The team answers in the case's topic, whoever is there.
		return a.askTeam(ctx, c, linked.Code)
	}
	first := urgent && linked.Urgent && c.now.Sub(linked.Created) < urgentFresh
	if urgent && !first {
		// One whose ICE check-in is going on ("меня задержали", "помогите"
		// under it) goes first too, as its offer says; they joined last.
		if _, first, err = a.begun(ctx, c); err != nil {
			return err
		}
	}
	w := Waiting{
		ChatID:   c.in.ChatID,
		Lang:     c.s.Lang,
		Urgent:   first,
		CaseCode: linked.Code,
		Since:    c.now,
		Queued:   c.now,
	}
	w, pos, err := a.d.Queue.Join(ctx, w, c.op())
	if err != nil {
		return fmt.Errorf("join queue %d: %w", c.in.ChatID, err)
	}
	if c.s.Said != 0 {
		// What they wrote or sent at the menu, the volunteer reads first.
		for _, id := range append([]int{c.s.Said}, c.s.SaidMore...) {
			if _, err := a.d.Queue.Keep(ctx, c.in.ChatID, id); err != nil {
				return fmt.Errorf("keep message of %d: %w", c.in.ChatID, err)
			}
		}
	}
	onDuty, err := a.onDuty(ctx, c.in.UserID)
	if err != nil {
		return err
	}
	owner, err := a.caseOwner(ctx, linked.Code, c.in.UserID)
	if err != nil {
		return err
	}
	if w.Urgent {
		c.say(T("handoff.joined_urgent"))
	} else {
		c.say(T("handoff.joined"))
	}
	c.say(T("handoff.position").Plural(pos))
	if owner != nil {
		c.say(T("handoff.owner_told"))
	}
	if len(onDuty) == 0 {
		c.say(T("handoff.nobody_on_duty"))
	}
	// In the middle of a report (the menu's button on an older message,
	// "оператор" typed), what they type goes on answering the report:
	// its question is asked again, where "write while you wait" had their
	// words taken for the detained person's name.
	meanwhile := c.answersInQueue()
	if meanwhile {
		c.say(T("handoff.answer_meanwhile"))
	} else {
		c.say(T("handoff.write_while_waiting"))
		c.buttons = [][]Button{{{Text: T("btn.handoff_leave"), Data: dataLeave}}}
	}
	if owner != nil {
		// The volunteer who knows the case is asked first, on duty or not.
		c.send(a.ownerNotice(*owner, w))
	}
	for _, v := range onDuty {
		if owner == nil || v.UserID != owner.UserID {
			c.send(a.newChatNotice(v, w))
		}
	}
	if meanwhile {
		return c.promptInQueue(ctx)
	}
	return nil
}

// answersInQueue reports whether what the chat types while it waits in
// the queue answers the bot's questions: an unfiled report's (an urgent
// report is filed first; what follows is for the volunteer) or a
// check-in's registration.
func (c *turn) answersInQueue() bool {
	return c.inReport() && !c.filed() || c.s.Flow == flowCheckin
}

// promptInQueue asks the question the chat is at again, with the button
// that leaves the queue under its own.
func (c *turn) promptInQueue(ctx context.Context) error {
	ask := func(ctx context.Context) error { return c.prompt(ctx, false) }
	if c.s.Flow == flowCheckin {
		ask = c.checkinPrompt
	}
	if err := ask(ctx); err != nil {
		return err
	}
	c.buttons = append(c.buttons, []Button{{Text: T("btn.handoff_leave"), Data: dataLeave}})
	return nil
}

// caseOwner returns the volunteer who owns the open case code, when there
// is one who may take chats and is not the user themself; nil otherwise.
func (a *App) caseOwner(ctx context.Context, code string, user int64) (*Volunteer, error) {
	if code == "" {
		return nil, nil
	}
	v, err := a.d.Casework.View(ctx, code)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("view case: %w", err)
	}
	if v.Owner == 0 || v.Owner == user || v.Closed() || v.Erased || v.Merged {
		return nil, nil
	}
	role, err := a.role(ctx, v.Owner)
	if err != nil {
		return nil, err
	}
	if !mayEver(role, ActTakeChat) {
		return nil, nil
	}
	return &Volunteer{UserID: v.Owner, Role: role, Lang: Lang(v.OwnerLang), Name: v.OwnerName}, nil
}

// ownerNotice tells the owner of a case that its reporter asks for a
// volunteer, with the button that takes that chat.
func (a *App) ownerNotice(v Volunteer, w Waiting) Reply {
	return Reply{
		ChatID:   v.UserID,
		Lang:     v.Lang,
		Priority: PriorityReply,
		Tag:      chatTag(w.Ticket),
		Texts:    []Text{T("handoff.notify_owner", "Ticket", w.Ticket, "Lang", langText(w.Lang), "Case", caseText(w.CaseCode))},
		Buttons:  [][]Button{{{Text: T("btn.handoff_take"), Data: dataTake + ":" + strconv.FormatInt(w.Ticket, 10)}}},
	}
}

// newChatNotice tells a volunteer on duty of a chat in the queue; an
// urgent one comes before other notices.
func (a *App) newChatNotice(v Volunteer, w Waiting) Reply {
	id, prio := "handoff.notify_new", PriorityNotice
	if w.Urgent {
		id, prio = "handoff.notify_urgent", PriorityReply
	}
	if w.Returned {
		id = "handoff.notify_returned"
	}
	return Reply{
		ChatID:   v.UserID,
		Lang:     v.Lang,
		Priority: prio,
		Tag:      chatTag(w.Ticket),
		Texts:    []Text{T(id, "Ticket", w.Ticket, "Lang", langText(w.Lang), "Case", caseText(w.CaseCode))},
		Buttons:  [][]Button{{{Text: T("btn.handoff_take"), Data: dataTake + ":" + strconv.FormatInt(w.Ticket, 10)}}},
	}
}

// onDuty returns the members on duty who may take chats, except one user.
func (a *App) onDuty(ctx context.Context, except int64) ([]Volunteer, error) {
	vs, err := a.d.Volunteers.OnDuty(ctx)
	if err != nil {
		return nil, fmt.Errorf("volunteers on duty: %w", err)
	}
	out := vs[:0]
	for _, v := range vs {
		if v.UserID == except {
			continue
		}
		if a.isAdmin(v.UserID) {
			v.Role = RoleAdmin
		}
		v.Lang = Lang(v.Lang)
		if mayEver(v.Role, ActTakeChat) {
			out = append(out, v)
		}
	}
	return out, nil
}

// leaveCommand is /leave: out of the queue, or the end of a conversation
// with a volunteer.
func (a *App) leaveCommand(ctx context.Context, c *turn, _ string) error {
	st, err := a.d.Queue.Chat(ctx, c.in.ChatID)
	if err != nil {
		return fmt.Errorf("handoff state of %d: %w", c.in.ChatID, err)
	}
	if st.Paired != nil {
		return a.userEnd(ctx, c)
	}
	return a.leave(ctx, c)
}

// morePaired takes the press of "answer more questions" after an urgent
// report when a volunteer has the chat: what the reporter types goes to the
// volunteer, so the questions would be asked and never answered. They stay
// offered, for after the conversation.
func (a *App) morePaired(ctx context.Context, c *turn) (bool, error) {
	st, err := a.d.Queue.Chat(ctx, c.in.ChatID)
	if err != nil {
		return false, fmt.Errorf("handoff state of %d: %w", c.in.ChatID, err)
	}
	if st.Paired == nil {
		return false, nil
	}
	c.drop = true
	c.say(T("report.more_while_paired"))
	return true, nil
}

// leave takes a waiting user out of the queue.
func (a *App) leave(ctx context.Context, c *turn) error {
	c.drop = true
	left, err := a.d.Queue.Leave(ctx, c.in.ChatID, c.op())
	if err != nil {
		return fmt.Errorf("leave queue %d: %w", c.in.ChatID, err)
	}
	if left {
		c.say(T("handoff.left"))
		return a.afterHandoff(ctx, c)
	}
	st, err := a.d.Queue.Chat(ctx, c.in.ChatID)
	if err != nil {
		return fmt.Errorf("handoff state of %d: %w", c.in.ChatID, err)
	}
	if st.Paired != nil {
		// A volunteer took the chat a moment before.
		a.sayPaired(c, st.Paired)
		return nil
	}
	c.say(T("handoff.not_waiting"))
	return a.afterHandoff(ctx, c)
}

// afterHandoff shows where the user is once out of the handoff: an
// unfinished report is offered again, otherwise the menu.
func (a *App) afterHandoff(ctx context.Context, c *turn) error {
	if c.inReport() {
		c.drop = false
		c.askResume(T("resume.unfinished"))
		return nil
	}
	c.say(T("menu.choose"))
	c.menu()
	return nil
}

// userEnd ends a paired user's conversation at their request.
func (a *App) userEnd(ctx context.Context, c *turn) error {
	c.drop = true
	p, err := a.d.Queue.Close(ctx, c.in.ChatID, 0, c.op())
	switch {
	case errors.Is(err, ErrNotFound):
		c.say(T("handoff.not_paired"))
		return a.afterHandoff(ctx, c)
	case err != nil:
		return fmt.Errorf("end handoff of %d: %w", c.in.ChatID, err)
	}
	if err := a.d.Handoffs.End(ctx, p.ID, EndUser, c.now); err != nil {
		return fmt.Errorf("record end of handoff %s: %w", p.ID, err)
	}
	texts, buttons := afterChat(T("handoff.user_ended"), p.CaseCode)
	c.say(texts...)
	c.buttons = buttons
	r, err := a.endedFor(ctx, p, T("handoff.vol_user_ended", "Ticket", p.Ticket))
	c.send(r)
	return err
}

// afterChatButtons lead back to the menu after a conversation. Nobody is
// asked to rate it: a frightened family is not a customer.
func afterChatButtons() [][]Button {
	return [][]Button{{{Text: T("btn.menu"), Data: dataMenu + ":menu"}}}
}

// afterChat is what a person is told when their conversation with a
// volunteer ends (ended): with no case, the report is offered, a button
// away: what they told the volunteer of a detention is not a case that
// volunteers work and friends can follow. They were shown the menu alone.
func afterChat(ended Text, caseCode string) ([]Text, [][]Button) {
	if caseCode != "" {
		return []Text{ended}, afterChatButtons()
	}
	return []Text{ended, T("handoff.after_report")},
		append([][]Button{{{Text: T("btn.menu_report"), Data: dataMenu + ":report"}}}, afterChatButtons()...)
}
