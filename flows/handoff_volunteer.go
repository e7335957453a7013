package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// member is a hotline member running a command. What the bot answers them
// is in their own Telegram language, whatever the session's is, and it
// leaves their session alone.
type member struct {
	Volunteer
	lang    string
	texts   []Text
	buttons [][]Button
	protect bool // the answer shows a case's personal data: protect_content
	// tag is the answer's Tag: chatTag of the chat it is about ("you are
	// now talking with chat #12"), so that a reply to it goes there.
	tag string
}

func (m *member) say(t ...Text) { m.texts = append(m.texts, t...) }

// mustChoose asks a volunteer whose messages go to no chat to choose one of
// the chats they hold (held, as Held lists them, not empty); false when
// their messages go to one.
func (m *member) mustChoose(held []Pairing) bool {
	if held[0].Active {
		return false
	}
	texts, buttons := chooseAmong(held)
	m.say(texts...)
	m.buttons = buttons
	return true
}

// maxChats is how many chats a member may hold at once.
func (a *App) maxChats(r Role) int {
	if r >= RoleCoordinator {
		return a.cfg.MaxChats
	}
	return 1
}

// isAdmin reports whether the user is an admin by the configuration.
func (a *App) isAdmin(userID int64) bool { return slices.Contains(a.cfg.Admins, userID) }

// memberOf returns the user as a member; Role is RoleNone for anyone else.
func (a *App) memberOf(ctx context.Context, userID int64) (Volunteer, error) {
	v, err := a.d.Volunteers.Get(ctx, userID)
	switch {
	case errors.Is(err, ErrNotFound):
		v = Volunteer{UserID: userID}
	case err != nil:
		return v, fmt.Errorf("member %d: %w", userID, err)
	}
	if a.isAdmin(userID) {
		v.Role = RoleAdmin
	}
	if v.Lang != "" {
		v.Lang = Lang(v.Lang)
	}
	return v, nil
}

// memberCommand is a member's command or button: m collects its answer.
type memberCommand = func(ctx context.Context, c *turn, m *member, arg string) error

// asMember runs a member's command or button, registered behind guard or
// guardButton: it notes the language of the member's Telegram, in which
// the timers write to them, and puts their answer first.
func (a *App) asMember(fn memberCommand) command {
	return func(ctx context.Context, c *turn, arg string) error {
		m, err := a.enterMember(ctx, c)
		if err != nil {
			return err
		}
		return a.answerMember(c, m, fn(ctx, c, m, arg))
	}
}

// enter is enterMember for a user whose role may do act; false for anyone
// else.
func (a *App) enter(ctx context.Context, c *turn, act Action) (*member, bool, error) {
	ok, err := a.mayEverUser(ctx, c.in.UserID, act)
	if err != nil || !ok {
		return nil, false, err
	}
	m, err := a.enterMember(ctx, c)
	return m, err == nil, err
}

// enterMember returns the user as a member and notes their language, in
// which the timers write to them: the one they chose (/language), else
// their Telegram's. "/language ru" from a volunteer whose Telegram is in
// English turned the menu Russian, and every volunteer's text stayed
// English.
func (a *App) enterMember(ctx context.Context, c *turn) (*member, error) {
	v, err := a.memberOf(ctx, c.in.UserID)
	if err != nil {
		return nil, err
	}
	lang := Lang(c.in.LangCode)
	if c.s.LangChosen {
		lang = c.s.Lang
	}
	if v.Lang != lang {
		if err := a.d.Volunteers.SetLang(ctx, v.UserID, lang); err != nil {
			return nil, fmt.Errorf("set language of member %d: %w", v.UserID, err)
		}
		v.Lang = lang
	}
	return &member{Volunteer: v, lang: lang}, nil
}

// answerMember puts the member's answer before the turn's other replies.
func (a *App) answerMember(c *turn, m *member, err error) error {
	if err != nil {
		return err
	}
	c.drop = true
	if len(m.texts) > 0 {
		own := Reply{ChatID: c.in.ChatID, Lang: m.lang, Texts: m.texts, Buttons: m.buttons, Edit: c.edit, Protect: m.protect}
		if c.edit == 0 {
			own.Tag = m.tag
		}
		c.extra = append([]Reply{own}, c.extra...)
	}
	return nil
}

// queueLimit is how many waiting chats /queue lists.
const queueLimit = 20

// queueCommand is /queue: the waiting chats, first to be taken first.
func (a *App) queueCommand(ctx context.Context, c *turn, m *member, _ string) error {
	ws, err := a.d.Queue.Waiting(ctx)
	if err != nil {
		return fmt.Errorf("list queue: %w", err)
	}
	if len(ws) == 0 {
		return a.queueEmpty(ctx, c, m)
	}
	lines := make([]Text, 0, min(len(ws), queueLimit))
	for i, w := range ws {
		if i == queueLimit {
			break
		}
		lines = append(lines, a.queueLine(c, w))
		// The case's urgency marks under its line, an icon and the words,
		// as on its card.
		if w.CaseCode != "" {
			v, err := a.d.Casework.View(ctx, w.CaseCode)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return fmt.Errorf("case of waiting chat: %w", err)
			}
			for _, u := range v.Urgent {
				lines = append(lines, T("casework.line_urgent", "Mark", T("urgent."+u)))
			}
		}
	}
	m.say(T("handoff.queue", "Lines", lines).Plural(len(ws)))
	return nil
}

// queueEmpty says that no chat waits, and, to a member who works cases,
// how many new cases nobody has taken, with the button that lists them: a
// volunteer told of a new report types /next, and "no one is waiting" read
// as nothing to do.
func (a *App) queueEmpty(ctx context.Context, c *turn, m *member) error {
	if !mayEver(m.Role, ActViewBoard) {
		m.say(T("handoff.queue_empty"))
		return nil
	}
	n, err := a.d.Casework.Counts(ctx, a.boardQuery(c, m))
	if err != nil {
		return fmt.Errorf("board counts for %d: %w", m.UserID, err)
	}
	if n.New == 0 {
		m.say(T("handoff.queue_empty"))
		return nil
	}
	m.say(T("handoff.queue_empty_cases").Plural(n.New))
	m.buttons = [][]Button{{{Text: T("btn.board_new", "N", n.New), Data: boardData(FilterNew, "", 0)}}}
	return nil
}

// queueLine is one waiting chat in /queue. It shows nothing the user
// wrote: that is for the volunteer who takes the chat alone.
func (a *App) queueLine(c *turn, w Waiting) Text {
	return T("handoff.queue_line", "Ticket", w.Ticket, "Wait", waitText(c.now.Sub(w.Queued)),
		"Lang", langText(w.Lang), "Urgent", w.Urgent, "Returned", w.Returned,
		"Case", caseText(w.CaseCode))
}

// takeCommand is /take <ticket>.
func (a *App) takeCommand(ctx context.Context, c *turn, m *member, arg string) error {
	n, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(arg), "#"), 10, 64)
	if _, code := NormalizeCode(arg); err != nil && code && mayEver(m.Role, ActTakeCase) {
		// "/take K7M4-Q9XP": a case's code, so the case is meant (chats
		// in the queue have numbers), as /take_case takes it.
		return a.takeCase(ctx, c, m, arg)
	}
	if err != nil || n <= 0 {
		m.say(T("handoff.take_usage"))
		return nil
	}
	return a.take(ctx, c, m, n)
}

// take pairs the volunteer with a waiting chat by its ticket (0: the first
// in the queue), shows them what the user wrote while waiting, and tells
// the user who joined.
func (a *App) take(ctx context.Context, c *turn, m *member, ticket int64) error {
	t := Take{Volunteer: m.UserID, Name: m.Name, Lang: m.lang, Ticket: ticket,
		Max: a.maxChats(m.Role), ID: a.d.NewID(), At: c.now, Op: c.op()}
	p, kept, err := a.d.Queue.Take(ctx, t)
	switch {
	case errors.Is(err, ErrQueueEmpty):
		return a.queueEmpty(ctx, c, m)
	case errors.Is(err, ErrBusy):
		m.say(T("handoff.busy").Plural(t.Max))
		return nil
	case errors.Is(err, ErrNotFound):
		m.say(T("handoff.take_gone"))
		return nil
	case err != nil:
		return fmt.Errorf("take a chat for %d: %w", m.UserID, err)
	}
	if err := a.d.Handoffs.Start(ctx, p); err != nil {
		return fmt.Errorf("record handoff %s: %w", p.ID, err)
	}
	m.say(T("handoff.taken", "Ticket", p.Ticket, "Wait", waitText(p.Taken.Sub(p.Queued)),
		"Lang", langText(p.Lang), "Urgent", p.Urgent, "Case", caseText(p.CaseCode)))
	m.tag = chatTag(p.Ticket)
	if len(kept) > 0 {
		m.say(T("handoff.taken_kept").Plural(len(kept)))
	} else {
		m.say(T("handoff.taken_nothing"))
	}
	if p.CaseCode != "" && mayEver(m.Role, ActTakeCase) {
		// Talking with the reporter of a case nobody has taken: taking
		// the case is one press away (the chat alone leaves it untaken,
		// and escalating).
		v, err := a.d.Casework.View(ctx, p.CaseCode)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("case of taken chat: %w", err)
		}
		if err == nil && v.Owner == 0 && v.Status != StatusClosed {
			m.buttons = [][]Button{{{Text: T("btn.case_take", "Code", FormatCode(v.Code)), Data: dataCase + ":" + cwTake + ":" + v.Code}}}
		}
	}
	for _, id := range kept {
		c.send(copyTo(m.UserID, p.ChatID, id))
	}
	joined := T("handoff.vol_joined_anon")
	if p.Name != "" {
		joined = T("handoff.vol_joined", "Name", p.Name)
	}
	texts := []Text{joined}
	paused, err := a.reportPaused(ctx, m, p.ChatID)
	if err != nil {
		return err
	}
	if paused {
		texts = append(texts, T("handoff.report_paused"))
	}
	c.send(Reply{ChatID: p.ChatID, Lang: p.Lang, Texts: texts,
		Buttons: [][]Button{{{Text: T("btn.handoff_end"), Data: dataEnd}}}})
	return nil
}

// active returns the chat the volunteer's messages go to, or says they
// hold none.
func (a *App) active(ctx context.Context, m *member) (*Pairing, error) {
	held, err := a.d.Queue.Held(ctx, m.UserID, "")
	if err != nil {
		return nil, fmt.Errorf("chats of %d: %w", m.UserID, err)
	}
	if len(held) == 0 {
		m.say(T("handoff.none_held"))
		return nil, nil
	}
	if m.mustChoose(held) {
		// The chat they meant was ended by someone else: no command takes
		// another person's chat for it.
		return nil, nil
	}
	return &held[0], nil
}

// release is /release: the chat goes back to the head of the queue.
func (a *App) release(ctx context.Context, c *turn, m *member, _ string) error {
	p, err := a.active(ctx, m)
	if err != nil || p == nil {
		return err
	}
	q, pos, err := a.d.Queue.Release(ctx, Return{ChatID: p.ChatID, Volunteer: m.UserID, At: c.now, Op: c.op()})
	switch {
	case errors.Is(err, ErrNotFound):
		m.say(T("handoff.none_held"))
		return nil
	case err != nil:
		return fmt.Errorf("release %d: %w", p.ChatID, err)
	}
	if err := a.d.Handoffs.End(ctx, q.ID, EndReleased, c.now); err != nil {
		return fmt.Errorf("record end of handoff %s: %w", q.ID, err)
	}
	m.say(T("handoff.vol_released", "Ticket", q.Ticket))
	m.tag = chatTag(q.Ticket) // a reply to it is about that chat: it goes to nobody now
	if err := a.sayStillHeld(ctx, m); err != nil {
		return err
	}
	replies, err := a.returned(ctx, q, pos, "handoff.released")
	if err != nil {
		return err
	}
	for _, r := range replies {
		c.send(r)
	}
	return nil
}

// returned tells the user their chat is back in the queue and the other
// volunteers on duty that it waits. When the list of those on duty cannot
// be read, it returns the user's message with the error.
func (a *App) returned(ctx context.Context, p Pairing, pos int, userText string) ([]Reply, error) {
	out := []Reply{{ChatID: p.ChatID, Lang: p.Lang,
		Texts:   []Text{T(userText), T("handoff.position").Plural(max(pos, 1)), T("handoff.write_while_waiting")},
		Buttons: [][]Button{{{Text: T("btn.handoff_leave"), Data: dataLeave}}}}}
	onDuty, err := a.onDuty(ctx, p.ChatID)
	if err != nil {
		return out, err // the user's message all the same
	}
	w := Waiting{ChatID: p.ChatID, Ticket: p.Ticket, Lang: p.Lang, Urgent: p.Urgent, CaseCode: p.CaseCode, Returned: true}
	for _, v := range onDuty {
		if v.UserID != p.Volunteer {
			out = append(out, a.newChatNotice(v, w))
		}
	}
	return out, nil
}

// done is /done: the conversation is over.
func (a *App) done(ctx context.Context, c *turn, m *member, _ string) error {
	p, err := a.active(ctx, m)
	if err != nil || p == nil {
		return err
	}
	q, err := a.d.Queue.Close(ctx, p.ChatID, m.UserID, c.op())
	switch {
	case errors.Is(err, ErrNotFound):
		m.say(T("handoff.none_held"))
		return nil
	case err != nil:
		return fmt.Errorf("close handoff of %d: %w", p.ChatID, err)
	}
	if err := a.d.Handoffs.End(ctx, q.ID, EndDone, c.now); err != nil {
		return fmt.Errorf("record end of handoff %s: %w", q.ID, err)
	}
	m.say(T("handoff.vol_done", "Ticket", q.Ticket))
	m.tag = chatTag(q.Ticket) // a reply to it is about that chat: it goes to nobody now
	if err := a.sayStillHeld(ctx, m); err != nil {
		return err
	}
	texts, buttons := afterChat(T("handoff.done"), q.CaseCode)
	c.send(Reply{ChatID: q.ChatID, Lang: q.Lang, Texts: texts, Buttons: buttons})
	return nil
}

// sayStillHeld tells a volunteer with more chats which one their messages
// now go to.
func (a *App) sayStillHeld(ctx context.Context, m *member) error {
	held, err := a.d.Queue.Held(ctx, m.UserID, "")
	if err != nil {
		return fmt.Errorf("chats of %d: %w", m.UserID, err)
	}
	if len(held) > 0 {
		m.say(T("handoff.now_active", "Ticket", held[0].Ticket))
	}
	return nil
}

// casesToOpen answers /case without a code from a volunteer talking with
// nobody: the open cases they own, a button each, or where the code goes.
// They were told they talk with nobody, as if /case were only for a chat.
func (a *App) casesToOpen(ctx context.Context, m *member) error {
	mine, _, err := a.d.Casework.Board(ctx, BoardQuery{Filter: FilterMine, User: m.UserID, Limit: whichMax})
	if err != nil {
		return fmt.Errorf("cases of %d: %w", m.UserID, err)
	}
	if len(mine) == 0 {
		m.say(T("handoff.case_usage"))
		return nil
	}
	m.say(T("handoff.case_which"))
	for _, v := range mine {
		m.buttons = append(m.buttons, []Button{{Text: T("btn.case_open", "Code", FormatCode(v.Code)),
			Data: dataCase + ":" + cwOpen + ":" + v.Code}})
	}
	return nil
}

// caseCommand is /case: the case of the active chat in full, for the
// volunteer who holds it; /case <code> any case, for those the
// authorisation table lets see it (coordinators and admins, or the
// volunteer holding its chat). Each view is recorded in the audit log.
func (a *App) caseCommand(ctx context.Context, c *turn, m *member, arg string) error {
	var code string
	if strings.TrimSpace(arg) != "" {
		var ok bool
		if code, ok = NormalizeCode(arg); !ok {
			code = strings.TrimSpace(arg)
		}
	} else {
		held, err := a.d.Queue.Held(ctx, m.UserID, "")
		if err != nil {
			return fmt.Errorf("chats of %d: %w", m.UserID, err)
		}
		if len(held) == 0 {
			return a.casesToOpen(ctx, m)
		}
		if m.mustChoose(held) {
			return nil // as active: the chat they meant was ended
		}
		p := held[0]
		if p.CaseCode == "" {
			m.say(T("handoff.case_none"))
			return nil
		}
		code = p.CaseCode
	}
	r, cs, ok, err := a.caseToView(ctx, m, code)
	if err != nil || !ok {
		return err
	}
	if err := a.audit(ctx, c, AuditEntry{Action: AuditView, CaseID: cs.ID}); err != nil {
		return err
	}
	// The review screen's lines, drawn from the stored report.
	view := &turn{a: a, s: &Session{ChatID: c.in.ChatID, Lang: m.lang, Draft: *r}, in: c.in, now: c.now}
	view.s.Draft.Filed = cs.Code // every field, not the urgent path's few
	var lines []Text
	fields := view.reviewFields()
	// The reporter's own words and files come first, under the name:
	// they are often the most urgent part ("deported tomorrow", the notice
	// of a transfer).
	at := 1
	for _, f := range []string{stepSaid, stepFiles} {
		if i := slices.Index(fields, f); i > 0 {
			fields = slices.Insert(slices.Delete(fields, i, i+1), at, f)
			at++
		}
	}
	for _, f := range fields {
		ans, err := a.steps[f].answer(ctx, view, true)
		if err != nil {
			return err
		}
		if ans.ID == "" {
			ans = T("value.none")
		}
		lines = append(lines, T("review.line", "Field", volunteerField(f), "Value", ans))
	}
	// Where the case stands first: its status, dates and owner were on
	// its card alone, and /case CODE is how volunteers open a case.
	v, err := a.d.Casework.View(ctx, cs.Code)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("view of case %d: %w", cs.ID, err)
	}
	if err == nil {
		lines = append(caseHead(v), lines...)
	}
	m.say(T("handoff.case", "Code", FormatCode(cs.Code), "Lines", lines))
	m.protect = true
	m.buttons = append(m.buttons, filesButtons(cs.Code, r)...)
	return a.caseTools(ctx, m, cs)
}

// mayView asks the table whether the member may see the case's personal
// data, and says no when not. Asked before the case is looked up, so that
// a volunteer learns nothing, not even whether a code is a case's.
func (a *App) mayView(ctx context.Context, m *member, code string) (bool, error) {
	ok, err := a.roleMay(ctx, m.UserID, m.Role, ActViewCase, code)
	if err == nil && !ok {
		m.say(T("authz.case_not_held"))
	}
	return ok, err
}

// caseToView returns the case, report and all, for a member who may see
// it (mayView); false, having said why, when they may not or there is no
// such case.
func (a *App) caseToView(ctx context.Context, m *member, code string) (*Report, Case, bool, error) {
	if ok, err := a.mayView(ctx, m, code); err != nil || !ok {
		return nil, Case{}, false, err
	}
	r, cs, err := a.d.CaseFiles.Get(ctx, code)
	switch {
	case errors.Is(err, ErrNotFound):
		m.say(T("update.not_found"))
		return nil, Case{}, false, nil
	case err != nil:
		return nil, Case{}, false, fmt.Errorf("case for member %d: %w", m.UserID, err)
	}
	return r, cs, true, nil
}

// volunteerField names a report's field as a volunteer reads it: the
// reporter's own answers ("Your name", "Your state") are the reporter's.
func volunteerField(f string) Text {
	switch f {
	case stepRepName, stepRelation, stepContact, stepState, stepSaid, stepFiles:
		return T("vfield." + f)
	}
	return T("field." + f)
}

// caseTools adds the case tools to a volunteer's card of a case: its
// possible duplicates and who filed it, and the buttons to its
// conversation, to merging and to talking to the reporter.
func (a *App) caseTools(ctx context.Context, m *member, cs Case) error {
	extras, err := a.caseExtras(ctx, cs.ID)
	if err != nil {
		return err
	}
	m.say(extras...)
	m.buttons = append(m.buttons, transcriptButtons(cs.Code)...)
	m.buttons = append(m.buttons, []Button{{Text: T("btn.tools_write"), Data: dataTools + ":" + actWrite + ":" + cs.Code}})
	if mayEver(m.Role, ActMergeCases) {
		rows, err := a.mergeButtons(ctx, cs.ID, cs.Code)
		if err != nil {
			return err
		}
		m.buttons = append(m.buttons, rows...)
	}
	return nil
}

// duty is /duty on|off.
func (a *App) duty(ctx context.Context, c *turn, m *member, arg string) error {
	on := m.OnDuty
	switch strings.ToLower(strings.TrimSpace(arg)) {
	case "on", "вкл", "да", "yes", "1":
		on = true
	case "off", "выкл", "нет", "no", "0":
		on = false
	default:
		m.say(T("handoff.duty_usage", "On", m.OnDuty))
		return nil
	}
	if err := a.d.Volunteers.SetDuty(ctx, m.UserID, on); err != nil {
		return fmt.Errorf("set duty of %d: %w", m.UserID, err)
	}
	m.say(T("handoff.duty", "On", on))
	return nil
}

// maxDisplayName caps a volunteer's display name.
const maxDisplayName = 40

// name is /name <display name>: what users are told when the volunteer
// joins. No Telegram name or username is ever shown to them.
func (a *App) name(ctx context.Context, c *turn, m *member, arg string) error {
	if strings.TrimSpace(arg) == "" {
		m.say(T("handoff.name_usage", "Name", m.Name))
		return nil
	}
	n, p := ParseName(arg, maxDisplayName)
	if p != nil {
		m.say(*p, T("handoff.name_usage", "Name", m.Name))
		return nil
	}
	if err := a.d.Volunteers.SetName(ctx, m.UserID, n); err != nil {
		return fmt.Errorf("set name of %d: %w", m.UserID, err)
	}
	m.say(T("handoff.name_set", "Name", n))
	return nil
}

// switchCommand is /switch: the chats the volunteer holds, as buttons.
func (a *App) switchCommand(ctx context.Context, c *turn, m *member, _ string) error {
	held, err := a.d.Queue.Held(ctx, m.UserID, "")
	if err != nil {
		return fmt.Errorf("chats of %d: %w", m.UserID, err)
	}
	if len(held) == 0 {
		m.say(T("handoff.none_held"))
		return nil
	}
	if m.mustChoose(held) {
		return nil
	}
	m.say(T("handoff.now_active", "Ticket", held[0].Ticket))
	for _, p := range held[1:] {
		m.buttons = append(m.buttons, []Button{{Text: T("btn.handoff_switch", "Ticket", p.Ticket),
			Data: dataSwitch + ":" + strconv.FormatInt(p.ChatID, 10)}})
	}
	return nil
}

// switchTo makes another held chat the active one.
func (a *App) switchTo(ctx context.Context, c *turn, m *member, rest string) error {
	chatID, err := strconv.ParseInt(rest, 10, 64)
	if err == nil {
		err = a.d.Queue.SetActive(ctx, m.UserID, chatID)
	}
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, strconv.ErrSyntax), errors.Is(err, strconv.ErrRange):
		m.say(T("button.old"))
		return nil
	case err != nil:
		return fmt.Errorf("switch chat of %d: %w", m.UserID, err)
	}
	return a.sayStillHeld(ctx, m)
}

// stats is /stats, for coordinators: the queue now and the day so far.
func (a *App) stats(ctx context.Context, c *turn, m *member, _ string) error {
	ws, err := a.d.Queue.Waiting(ctx)
	if err != nil {
		return fmt.Errorf("list queue: %w", err)
	}
	day := c.now.UTC().Truncate(24 * time.Hour)
	st, err := a.d.Handoffs.Stats(ctx, day)
	if err != nil {
		return fmt.Errorf("handoff stats: %w", err)
	}
	onDuty, err := a.onDuty(ctx, 0)
	if err != nil {
		return err
	}
	var oldest any = "" // nobody waits: no "the longest for"
	if len(ws) > 0 {
		first := ws[0].Queued
		for _, w := range ws {
			if w.Queued.Before(first) {
				first = w.Queued
			}
		}
		oldest = waitText(c.now.Sub(first))
	}
	median := T("value.none")
	if st.Taken > 0 {
		median = waitText(st.MedianWait)
	}
	m.say(T("handoff.stats", "Waiting", len(ws), "Oldest", oldest, "Median", median,
		"Taken", T("handoff.n_taken").Plural(st.Taken), "Handled", T("handoff.n_finished").Plural(st.Handled),
		"OnDuty", len(onDuty)))
	return a.caseStats(ctx, c, m)
}
