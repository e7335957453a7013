package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// findMax is how many cases /find shows at once.
const findMax = 5

// findEvents is how many timeline entries /find shows per case.
const findEvents = 10

// registerUpdates plugs in the volunteers' side of case status: /status,
// /note and /find. To anyone else these commands do not exist.
func (a *App) registerUpdates() {
	h := &a.hooks
	h.commands["status"] = a.guard(ActUpdateStatus, func(ctx context.Context, c *turn, arg string) error {
		// "/status K7M4-Q9XP released": the words after the code answer
		// the first question, as typed there.
		code, rest := splitCode(arg)
		held, mine, err := c.heldCase(ctx, code)
		if err != nil {
			return err
		}
		if held != "" {
			code, rest = held, strings.TrimSpace(arg)
		} else if len(mine) > 0 {
			return c.whichCase(mine, "update.which_case", "btn.case_status", actStartUpdate, strings.TrimSpace(arg))
		}
		return c.statusTyped(ctx, code, rest)
	})
	h.commands["note"] = a.guard(ActAddNote, func(ctx context.Context, c *turn, arg string) error {
		code, text := splitCode(arg)
		held, mine, err := c.heldCase(ctx, code)
		if err != nil {
			return err
		}
		if held != "" {
			code, text = held, strings.TrimSpace(arg)
		} else if len(mine) > 0 {
			return c.whichCase(mine, "note.which_case", "btn.case_note", actStartNote, strings.TrimSpace(arg))
		}
		return c.startNote(ctx, code, text)
	})
	h.commands["find"] = a.guard(ActFindCase, func(ctx context.Context, c *turn, arg string) error {
		return c.find(ctx, arg)
	})
	h.flows[flowUpdate] = updateTyped
	h.flows[flowNote] = updateTyped
}

// heldCase returns, for "/note called ICE" or "/status released" from a
// volunteer who holds one chat and it is about a case, that case's code;
// else, when they hold no chat, the open cases they own (up to whichMax),
// to choose from. "" and none when first is the code of a case (or a code
// with a digit, which the command's lookup answers). As in a case's forum
// topic, what they write while talking with the reporter is about the
// reporter's case. An owned case is never taken for the one meant, even
// the only one: a status typed while looking at another case would reach
// the wrong family.
func (c *turn) heldCase(ctx context.Context, first string) (string, []CaseView, error) {
	if code, ok := NormalizeCode(first); ok {
		if strings.ContainsFunc(first, unicode.IsDigit) {
			return "", nil, nil
		}
		switch _, err := c.a.d.Timeline.Status(ctx, code); {
		case err == nil:
			return "", nil, nil
		case !errors.Is(err, ErrNotFound):
			return "", nil, fmt.Errorf("case status for volunteer %d: %w", c.in.UserID, err)
		}
	}
	held, err := c.a.d.Queue.Held(ctx, c.in.UserID, "")
	if err != nil {
		return "", nil, fmt.Errorf("chats of %d: %w", c.in.UserID, err)
	}
	if len(held) == 1 && held[0].CaseCode != "" {
		return held[0].CaseCode, nil, nil
	}
	if len(held) > 0 {
		return "", nil, nil // chats of their own to choose among: the code says which
	}
	mine, _, err := c.a.d.Casework.Board(ctx, BoardQuery{Filter: FilterMine, User: c.in.UserID, Limit: whichMax})
	if err != nil {
		return "", nil, fmt.Errorf("cases of %d: %w", c.in.UserID, err)
	}
	return "", mine, nil
}

// whichMax is how many of their cases a volunteer is offered to choose from.
const whichMax = 8

// whichCase asks a volunteer who owns cases which one a /note or a
// /status without its code is about (it was "send the code", with the
// relatives' menu): a button for each, which begins it for that case.
// What they typed after the command is kept in the session (Typed) and
// applied to the case they press, as if typed after its code: a note is
// saved, a status answers the update's first question.
func (c *turn) whichCase(mine []CaseView, ask, button, act, typed string) error {
	if typed == "" {
		ask += "_ask"
	} else {
		act += typedSuffix
	}
	c.s.Typed = typed
	c.say(T(ask))
	for _, v := range mine {
		c.buttons = append(c.buttons, []Button{{Text: T(button, "Code", FormatCode(v.Code)),
			Data: dataStatus + ":" + act + ":" + v.Code}})
	}
	return nil
}

// typedSuffix marks whichCase's buttons that apply the words the session
// kept (Session.Typed): "n" begins a note, "nt" saves the note typed.
const typedSuffix = "t"

// statusTyped begins the update of the case with code; rest, the words
// typed after the code, answer its first question.
func (c *turn) statusTyped(ctx context.Context, code, rest string) error {
	texts, buttons, edit := c.texts, c.buttons, c.edit
	if err := c.startUpdate(ctx, code); err != nil || rest == "" || c.s.Flow != flowUpdate || c.s.Step != stepPick {
		return err
	}
	c.texts, c.buttons, c.edit = texts, buttons, edit // not the question answered
	c.in.Kind, c.in.Text = KindText, rest
	return updateTyped(ctx, c)
}

// splitCode splits "/note K7M4-Q9XP text" into the code and the text. A
// code typed with a space in the middle ("K7M4 Q9XP") is taken whole.
func splitCode(arg string) (code, rest string) {
	arg = strings.TrimSpace(arg)
	first := func(s string) (string, string) {
		i := strings.IndexFunc(s, unicode.IsSpace)
		if i < 0 {
			return s, ""
		}
		return s[:i], strings.TrimSpace(s[i:])
	}
	code, rest = first(arg)
	if _, ok := NormalizeCode(code); ok {
		return code, rest
	}
	second, after := first(rest)
	if _, ok := NormalizeCode(code + second); ok && second != "" {
		return code + second, after
	}
	return code, rest
}

// allowed reports whether the user may do act, by the authorisation
// table (authz.go).
// In the update and note flows it is asked of the flow's case.
func (c *turn) allowed(ctx context.Context, act Action) (bool, error) {
	code := ""
	if c.s.Update != nil {
		code = c.s.Update.Code
	}
	return c.a.may(ctx, c.in.UserID, act, code)
}

// mayOnCode checks act on the case a volunteer named, saying so when they
// may not: volunteers work their own cases and untaken ones (authz.go).
func (c *turn) mayOnCode(ctx context.Context, act Action, code string) (bool, error) {
	ok, err := c.a.may(ctx, c.in.UserID, act, code)
	if err != nil || ok {
		return ok, err
	}
	c.say(T("casework.not_owner", "Code", FormatCode(code)))
	return false, c.again(ctx)
}

// flowAction is what the update or note flow the chat is in does.
func (c *turn) flowAction() Action {
	if c.s.Flow == flowNote {
		return ActAddNote
	}
	return ActUpdateStatus
}

// actor names the volunteer in the timeline.
func (c *turn) actor() string { return "tg:" + strconv.FormatInt(c.in.UserID, 10) }

// commandAgain follows what a volunteer's command said with the question
// of the flow they are in; at the main menu, with nothing: the relatives'
// menu is not theirs.
func (c *turn) commandAgain(ctx context.Context) error {
	if c.s.Flow == "" {
		return nil
	}
	return c.again(ctx)
}

// caseFor finds the case a volunteer named, saying so when there is none.
func (c *turn) caseFor(ctx context.Context, raw, usage string) (CaseStatus, bool, error) {
	if strings.TrimSpace(raw) == "" {
		c.say(T(usage))
		return CaseStatus{}, false, c.commandAgain(ctx)
	}
	// "/note called the lawyer", "/status released": what comes first is
	// no code, or a word of eight code letters no case has; the volunteer
	// is shown where the code goes.
	code, valid := NormalizeCode(raw)
	if !valid {
		c.say(T(usage))
		return CaseStatus{}, false, c.commandAgain(ctx)
	}
	st, err := c.a.d.Timeline.Status(ctx, code)
	if errors.Is(err, ErrNotFound) {
		if !strings.ContainsFunc(raw, unicode.IsDigit) {
			c.say(T(usage))
		} else {
			c.say(T("update.not_found"))
		}
		return CaseStatus{}, false, c.commandAgain(ctx)
	}
	if err != nil {
		return CaseStatus{}, false, fmt.Errorf("case status for volunteer %d: %w", c.in.UserID, err)
	}
	return st, true, nil
}

// startUpdate begins a volunteer's status change: /status <code>, or the
// button under a case. A report in progress is never dropped for it.
// The caller checks ActUpdateStatus (guard).
func (c *turn) startUpdate(ctx context.Context, raw string) error {
	if c.inReport() {
		c.say(T("update.in_report"))
		return c.show(ctx)
	}
	st, ok, err := c.caseFor(ctx, raw, "update.usage")
	if !ok || err != nil {
		return err
	}
	if ok, err := c.mayOnCode(ctx, ActUpdateStatus, st.Code); !ok || err != nil {
		return err
	}
	c.beginUpdate(flowUpdate, stepPick, st)
	return c.updatePrompt(ctx)
}

// startNote begins an internal note: /note <code> asks for it, /note
// <code> <text> stores it at once.
// The caller checks ActAddNote (guard).
func (c *turn) startNote(ctx context.Context, raw, text string) error {
	if c.inReport() {
		c.say(T("update.in_report"))
		return c.show(ctx)
	}
	st, ok, err := c.caseFor(ctx, raw, "note.usage")
	if !ok || err != nil {
		return err
	}
	if ok, err := c.mayOnCode(ctx, ActAddNote, st.Code); !ok || err != nil {
		return err
	}
	if text == "" {
		c.beginUpdate(flowNote, stepNoteText, st)
		return c.updatePrompt(ctx)
	}
	note, p := ParseText(text, c.a.cfg.MaxText)
	if p != nil {
		c.say(*p)
		return c.again(ctx)
	}
	c.reset()
	return c.commitNote(ctx, st.CaseID, st.Code, note, c.noteKey("n:"))
}

// noteKey keys a note the input writes at once, after prefix: the
// update's own ID (Telegram never sends two updates with one ID, and a
// retry of this one stores nothing twice), or a new one without it.
func (c *turn) noteKey(prefix string) string {
	if c.in.UpdateID == 0 {
		return prefix + c.a.d.NewID()
	}
	return prefix + strconv.FormatInt(c.in.ChatID, 10) + ":" + strconv.FormatInt(c.in.UpdateID, 10)
}

// beginUpdate puts the session in an update or note flow for a case. The
// update's ID keys the event it ends in, so that storing it is idempotent.
func (c *turn) beginUpdate(flow, step string, st CaseStatus) {
	c.reset()
	c.s.Flow, c.s.Step = flow, step
	c.s.Nonce = nonceOf(c.a.d.NewID())
	c.s.Update = &CaseUpdate{ID: c.a.d.NewID(), CaseID: st.CaseID, Code: st.Code}
}

// updateOpt is a button answering the update flow's question.
func (c *turn) updateOpt(value string, t Text) Button {
	return Button{Text: t, Data: dataStatus + ":" + actUpdate + ":" + c.s.Nonce + ":" + value}
}

// updatePrompt asks the update or note flow's current question.
func (c *turn) updatePrompt(ctx context.Context) error {
	u := c.s.Update
	if u == nil {
		c.reset()
		c.say(T("menu.choose"))
		c.menu()
		return nil
	}
	code := FormatCode(u.Code)
	cancel := []Button{c.updateOpt("cancel", T("btn.update_cancel"))}
	switch c.s.Step {
	case stepPick:
		st, err := c.a.d.Timeline.Status(ctx, u.Code)
		if err != nil {
			return fmt.Errorf("case %d status: %w", u.CaseID, err)
		}
		c.say(T("update.pick", "Code", code, "Status", T("status.name."+st.Status), "Since", dateText(st.Since)))
		var rows [][]Button
		var row []Button
		for _, s := range Statuses()[1:] {
			row = append(row, c.updateOpt(s, T("status.name."+s)))
			if len(row) == 2 {
				rows, row = append(rows, row), nil
			}
		}
		if row != nil {
			rows = append(rows, row)
		}
		c.buttons = append(rows, []Button{c.updateOpt("note", T("btn.update_note_only"))}, cancel)
	case stepMoved:
		if u.Query == "" {
			c.say(T("update.moved", "Code", code))
			c.buttons = [][]Button{{c.updateOpt("unknown", T("btn.dont_know"))}, cancel}
			return nil
		}
		found, err := c.a.d.Facilities.Match(ctx, u.Query, facilityMatches)
		if err != nil {
			return fmt.Errorf("match facilities: %w", err)
		}
		id := "update.moved_pick"
		if len(found) == 0 {
			id = "update.moved_none"
		}
		c.say(T(id, "Query", u.Query))
		var rows [][]Button
		for _, f := range found {
			rows = append(rows, []Button{{Label: facilityLabel(f), Data: c.updateOpt("f"+strconv.FormatInt(f.ID, 10), Text{}).Data}})
		}
		// A place not in the ICE list (a county jail, a hospital) is kept
		// as typed; it was only a note's to hold.
		rows = append(rows, []Button{c.updateOpt("typed", T("btn.news_fac_typed"))})
		c.buttons = append(rows, []Button{c.updateOpt("unknown", T("btn.facility_unknown"))}, cancel)
	case stepDepDate:
		c.say(T("update.dep_date", "Code", code))
		c.buttons = [][]Button{{c.updateOpt("nodate", T("btn.date_unknown"))}, cancel}
	case stepPublicNote:
		// The note reaches the family as typed: a volunteer writing in
		// English to a family that wrote in Russian is told so.
		v, err := c.a.d.Casework.View(ctx, u.Code)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("case %d: %w", u.CaseID, err)
		}
		var lang any = ""
		if err == nil && v.Lang != "" && v.Lang != c.s.Lang {
			lang = langText(v.Lang)
		}
		if u.Status == "" {
			c.say(T("update.note_only", "Code", code, "Lang", lang))
			c.buttons = [][]Button{cancel}
			return nil
		}
		c.say(T("update.public_note", "Code", code, "Status", T("status.name."+u.Status), "Lang", lang))
		c.buttons = [][]Button{{c.updateOpt("nonote", T("btn.no_note"))}, cancel}
	case stepNoteText:
		c.say(T("note.ask", "Code", code))
		c.buttons = [][]Button{cancel}
	case stepNoteHeld:
		kinds, err := c.personalIn(ctx, u.Code, u.Held)
		if err != nil {
			return err
		}
		found := make([]Text, 0, len(kinds))
		for _, k := range kinds {
			found = append(found, T("personal."+k))
		}
		c.say(T("update.note_held", "Code", code, "Found", found, "Note", u.Held))
		rows := [][]Button{{c.updateOpt("internal", T("btn.note_internal"))}, {c.updateOpt("edit", T("btn.note_edit"))}}
		ok, err := c.a.may(ctx, c.in.UserID, ActPublishPersonal, "")
		if err != nil {
			return err
		}
		if ok {
			rows = append(rows, []Button{c.updateOpt("anyway", T("btn.note_anyway"))})
		}
		c.buttons = append(rows, cancel)
	default:
		c.reset()
		c.say(T("menu.choose"))
		c.menu()
	}
	return nil
}

// leaveUpdate ends the update or note flow for a user who is no longer a
// volunteer.
func (c *turn) leaveUpdate() {
	c.reset()
	c.say(T("menu.choose"))
	c.menu()
}

// updateButton runs a button of the update or note flow.
func (c *turn) updateButton(ctx context.Context, arg string) error {
	nonce, v, _ := strings.Cut(arg, ":")
	if (c.s.Flow != flowUpdate && c.s.Flow != flowNote) || c.s.Update == nil || nonce != c.s.Nonce {
		c.say(T("button.old"))
		return c.again(ctx)
	}
	if ok, err := c.allowed(ctx, c.flowAction()); err != nil || !ok {
		if err != nil {
			return err
		}
		c.leaveUpdate()
		return nil
	}
	if v == "cancel" {
		c.reset()
		c.say(T("update.cancelled"), T("menu.choose"))
		c.menu()
		return nil
	}
	u := c.s.Update
	switch {
	case c.s.Step == stepPick && v == "note":
		u.Status = ""
		c.s.Step = stepPublicNote
		return c.updatePrompt(ctx)
	case c.s.Step == stepPick && v != StatusNew && slices.Contains(Statuses(), v):
		c.pickStatus(v)
		return c.updatePrompt(ctx)
	case c.s.Step == stepMoved && v == "unknown":
		u.FacilityID, u.Query, u.Typed = 0, "", false
		c.s.Step = stepPublicNote
		return c.updatePrompt(ctx)
	case c.s.Step == stepMoved && v == "typed" && u.Query != "":
		u.FacilityID, u.Typed = 0, true
		c.s.Step = stepPublicNote
		return c.updatePrompt(ctx)
	case c.s.Step == stepMoved && strings.HasPrefix(v, "f"):
		id, err := strconv.ParseInt(v[1:], 10, 64)
		if err != nil {
			break
		}
		if _, err := c.a.d.Facilities.Get(ctx, id); errors.Is(err, ErrNotFound) {
			break
		} else if err != nil {
			return fmt.Errorf("get facility %d: %w", id, err)
		}
		u.FacilityID, u.Query, u.Typed = id, "", false
		c.s.Step = stepPublicNote
		return c.updatePrompt(ctx)
	case c.s.Step == stepDepDate && v == "nodate":
		u.Date = ""
		c.s.Step = stepPublicNote
		return c.updatePrompt(ctx)
	case c.s.Step == stepPublicNote && v == "nonote" && u.Status != "":
		return c.commitUpdate(ctx, "")
	case c.s.Step == stepNoteHeld && v == "edit":
		u.Held = ""
		c.s.Step = stepPublicNote
		return c.updatePrompt(ctx)
	case c.s.Step == stepNoteHeld && v == "internal":
		return c.commitHeldInternal(ctx)
	case c.s.Step == stepNoteHeld && v == "anyway":
		ok, err := c.a.may(ctx, c.in.UserID, ActPublishPersonal, "")
		if err != nil {
			return err
		}
		if ok {
			return c.commitUpdate(ctx, u.Held)
		}
	}
	c.say(T("button.old_step"))
	return c.updatePrompt(ctx)
}

// pickStatus records the new status and goes to the question it brings:
// where to for a transfer, when for a deportation, else the public note.
func (c *turn) pickStatus(status string) {
	c.s.Update.Status = status
	switch status {
	case StatusTransferred:
		c.s.Step = stepMoved
	case StatusDeportation:
		c.s.Step = stepDepDate
	default:
		c.s.Step = stepPublicNote
	}
}

// statusInWords reads a new status typed in words at the status question
// ("released today", "deportation scheduled for 12.03", "moved to Krome"):
// the one status a word of the message names (wordOfCaption), said back;
// the rest of the message answers the question that status brings — the
// date of the deportation, the new facility — when it reads as one. A
// public note is never taken from it: that is for everyone with the code.
func (c *turn) statusInWords(ctx context.Context, rows [][]Button, v string) (bool, error) {
	prefix := dataStatus + ":" + actUpdate + ":" + c.s.Nonce + ":"
	value, label, ok := c.wordOfCaption(rows, prefix, v)
	if !ok {
		value, label, ok = c.statusVerb(rows, prefix, v)
	}
	if !ok || value == StatusNew || !slices.Contains(Statuses(), value) {
		return false, nil
	}
	if toCome(v) {
		// "He will be deported on Friday" is a deportation scheduled, not
		// done: the family was told "deported". A release, a lawyer, a
		// transfer to come ("will be released tomorrow", "lawyer is being
		// arranged") is no status yet: the buttons tell which.
		if value != StatusDeported && value != StatusDeportation {
			return false, nil
		}
		value = StatusDeportation
		if label, ok = c.labelOf(rows, prefix+value); !ok {
			return false, nil
		}
	}
	c.say(T("update.read_as", "Status", label))
	c.pickStatus(value)
	words := strings.Fields(captionKey(label))
	var rest []string
	for _, w := range strings.Fields(v) {
		k := captionKey(w)
		if k == "" || slices.ContainsFunc(words, func(l string) bool { return sameWord(k, l) }) ||
			slices.ContainsFunc(statusVerbs[value], func(s string) bool { return strings.HasPrefix(k, s) }) {
			continue
		}
		if len(rest) == 0 && slices.Contains(leadWords, k) {
			continue // "for", "to", "на", "в" before what follows
		}
		rest = append(rest, w)
	}
	more := strings.Join(rest, " ")
	u := c.s.Update
	switch {
	case more == "":
	case value == StatusDeportation:
		d, p, _ := c.readComingDate(more)
		if w, ok := c.dateInWords(more); p != nil && p.ID != "date.two_ways" && ok {
			d, p = w, nil // "he will be deported on Friday"
		}
		switch {
		case p == nil && !d.Before(today(c.now)):
			c.say(understood(d))
			u.Date, c.s.Step = d.Format(time.DateOnly), stepPublicNote
		case p != nil && p.ID == "date.two_ways":
			c.say(*p) // and the date is asked
		}
	case value == StatusTransferred:
		if q, p := ParseName(more, maxName); p == nil {
			u.Query = q
		}
	}
	return true, c.updatePrompt(ctx)
}

// toCome reports whether words tell of what is yet to happen: "he will be
// deported on Friday", "lawyer is being arranged", "его скоро отпустят" (a
// Russian verb of a status in the future: "отпустят", "депортируют").
func toCome(v string) bool {
	for _, w := range strings.Fields(captionKey(v)) {
		if comingWords[w] || statusOfWord(w) != "" && slices.ContainsFunc([]string{"ят", "ут", "ют", "ат"}, func(e string) bool {
			return strings.HasSuffix(w, e)
		}) {
			return true
		}
	}
	return false
}

// comingWords tell of what is yet to happen (captionKey).
var comingWords = map[string]bool{"will": true, "going": true, "gonna": true, "scheduled": true, "soon": true,
	"tomorrow": true, "next": true, "being": true, "arranged": true, "arranging": true, "looking": true,
	"searching": true, "trying": true, "planned": true, "planning": true, "expected": true, "hope": true,
	"might": true, "ll": true, "будет": true, "будут": true, "скоро": true, "завтра": true, "собираются": true,
	"планируют": true, "должны": true, "ищем": true, "ищут": true, "пытаемся": true, "надеемся": true,
	"возможно": true, "обещали": true, "хотят": true, "назначили": true, "назначена": true, "назначено": true}

// statusVerbs begin the Russian verbs people use for a status, whose
// endings differ too much from its caption for wordOfCaption
// ("освободили" for "Освобождён(а)").
var statusVerbs = map[string][]string{
	StatusReleased:    {"освобод", "освобожд", "отпуст", "выпуст", "releas"},
	StatusDeported:    {"депортировал", "депортирован", "выслал", "deported"},
	StatusTransferred: {"перевел", "перевез", "перевед", "transfer"},
	StatusDeportation: {"депортируют", "вышлют", "высылают", "депортаци"},
}

// statusOfWord is the status whose verb (statusVerbs) the word (captionKey)
// begins with; "" for none.
func statusOfWord(w string) string {
	for status, stems := range statusVerbs {
		if slices.ContainsFunc(stems, func(s string) bool { return strings.HasPrefix(w, s) }) {
			return status
		}
	}
	return ""
}

// statusWord reports whether a word is one of statusVerbs: "освободили",
// "deported".
func statusWord(w string) bool { return statusOfWord(captionKey(w)) != "" }

// statusVerb is the one status among rows whose verb (statusVerbs) a word
// of v begins with, and its caption.
func (c *turn) statusVerb(rows [][]Button, prefix, v string) (value, label string, ok bool) {
	typed := strings.Fields(captionKey(v))
	if slices.ContainsFunc(typed, func(w string) bool { return negations[w] }) {
		return "", "", false
	}
	var found string
	for _, w := range typed {
		if s := statusOfWord(w); s != "" {
			if found != "" && found != s {
				return "", "", false
			}
			found = s
		}
	}
	if found == "" {
		return "", "", false
	}
	label, ok = c.labelOf(rows, prefix+found)
	return found, label, ok
}

// leadWords are the little words that lead what follows a status typed in
// words (captionKey).
var leadWords = []string{"for", "on", "to", "at", "in", "into", "is", "was", "на", "в", "во", "к", "из"}

// updateTyped takes what a volunteer typed in the update or note flow.
func updateTyped(ctx context.Context, c *turn) error {
	if ok, err := c.allowed(ctx, c.flowAction()); err != nil || !ok {
		if err != nil {
			return err
		}
		c.leaveUpdate()
		return nil
	}
	u := c.s.Update
	if u == nil {
		return c.updatePrompt(ctx)
	}
	if c.in.Kind != KindText {
		c.say(T("input.media"))
		return c.updatePrompt(ctx)
	}
	v := c.in.Text
	switch c.s.Step {
	case stepMoved:
		if f, ok, err := c.shownFacility(ctx, u.Query, v); err != nil || ok {
			if err != nil {
				return err
			}
			return c.updateButton(ctx, c.s.Nonce+":f"+strconv.FormatInt(f.ID, 10))
		}
		if ParseUnknown(v) {
			u.FacilityID, u.Query = 0, ""
			c.s.Step = stepPublicNote
			return c.updatePrompt(ctx)
		}
		q, p := facilityQuery(v)
		if p != nil {
			c.say(*p)
			return c.updatePrompt(ctx)
		}
		u.Query = q // a new search each time
		return c.updatePrompt(ctx)
	case stepDepDate:
		if ParseUnknown(v) {
			u.Date = ""
			c.s.Step = stepPublicNote
			return c.updatePrompt(ctx)
		}
		d, p, guessed := c.readComingDate(v)
		if p != nil {
			c.say(*p)
			return c.updatePrompt(ctx)
		}
		if guessed {
			c.say(understood(d))
		}
		u.Date = d.Format(time.DateOnly)
		c.s.Step = stepPublicNote
		return c.updatePrompt(ctx)
	case stepPublicNote, stepNoteHeld:
		if u.Status != "" && ParseUnknown(v) {
			return c.commitUpdate(ctx, "")
		}
		if yesWords[captionKey(v)] {
			// "Да" to "add a note for the family?" is no note: it
			// reached the family as the volunteers' note, "да".
			c.say(T("update.note_yes"))
			return c.updatePrompt(ctx)
		}
		note, p := ParseText(v, c.a.cfg.MaxText)
		if p != nil {
			c.say(*p)
			return c.updatePrompt(ctx)
		}
		// A public note reaches everyone with the code and stays after
		// the family erased their data: one that seems to hold personal
		// data is held back, and the volunteer chooses.
		kinds, err := c.personalIn(ctx, u.Code, note)
		if err != nil {
			return err
		}
		if len(kinds) > 0 {
			u.Held = note
			c.s.Step = stepNoteHeld
			return c.updatePrompt(ctx)
		}
		return c.commitUpdate(ctx, note)
	case stepNoteText:
		note, p := ParseText(v, c.a.cfg.MaxText)
		if p != nil {
			c.say(*p)
			return c.updatePrompt(ctx)
		}
		id, code := u.CaseID, u.Code
		key := "u:" + u.ID
		c.reset()
		return c.commitNote(ctx, id, code, note, key)
	}
	// A caption typed for its button (typedCaption): "released".
	rows, err := c.promptButtons(ctx, c.updatePrompt)
	if err != nil {
		return err
	}
	if value, ok := c.typedCaption(rows, dataStatus+":"+actUpdate+":"+c.s.Nonce+":", v); ok {
		return c.updateButton(ctx, c.s.Nonce+":"+value)
	}
	if c.s.Step == stepPick {
		if ok, err := c.statusInWords(ctx, rows, v); ok || err != nil {
			return err
		}
	}
	c.say(T("input.use_buttons"))
	return c.updatePrompt(ctx)
}

// personalIn returns the kinds of personal data a note for the case seems
// to hold, the case's stored names and contacts included.
func (c *turn) personalIn(ctx context.Context, code, note string) ([]string, error) {
	r, _, err := c.a.d.CaseFiles.Get(ctx, code)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("names of case %s: %w", code, err)
	}
	var values []string
	if r != nil {
		values = []string{r.NameLatin, r.NameCyrillic, r.ReporterName, r.ReporterPhone, r.LawyerName, r.LawyerPhone}
	}
	return PersonalData(note, c.now, values...), nil
}

// commitHeldInternal keeps a held public note as an internal note, and
// records the status change, if any, without a public note.
func (c *turn) commitHeldInternal(ctx context.Context) error {
	u := c.s.Update
	if u.Status == "" {
		id, code, note, key := u.CaseID, u.Code, u.Held, "u:"+u.ID
		c.reset()
		return c.commitNote(ctx, id, code, note, key)
	}
	e := Event{CaseID: u.CaseID, Kind: EventNote, Note: u.Held, Actor: c.actor(), Key: "u:" + u.ID + ":internal"}
	if _, err := c.a.d.Timeline.Record(ctx, e); err != nil {
		return fmt.Errorf("record note %s of case %d: %w", u.ID, u.CaseID, err)
	}
	if err := c.a.audit(ctx, c, AuditEntry{Action: AuditNote, CaseID: u.CaseID}); err != nil {
		return err
	}
	c.say(T("note.saved", "Code", FormatCode(u.Code)))
	if err := c.postEvent(ctx, u.Code, T("forum.ev_note", "Note", u.Held)); err != nil {
		return err
	}
	return c.commitUpdate(ctx, "")
}

// commitUpdate records the volunteer's public change and tells everyone
// who follows the case. Handled again after a failure (the session could
// not be saved, the bot stopped), it finds the event recorded the first
// time and builds the same notifications: the pipeline stores them with
// the update's acknowledgement, so each is sent once.
func (c *turn) commitUpdate(ctx context.Context, note string) error {
	u := c.s.Update
	e := Event{CaseID: u.CaseID, Kind: EventNote, Note: note, Public: true, Actor: c.actor(), Key: "u:" + u.ID}
	if u.Status != "" {
		e.Kind, e.Status, e.FacilityID, e.Date = EventStatus, u.Status, u.FacilityID, u.Date
		if u.Typed && u.Status == StatusTransferred {
			e.FacilityText = u.Query
		}
	}
	stored, err := c.a.d.Timeline.Record(ctx, e)
	if err != nil {
		return fmt.Errorf("record update %s of case %d: %w", u.ID, u.CaseID, err)
	}
	audited := AuditEntry{Action: AuditPublicNote, CaseID: u.CaseID}
	if stored.Kind == EventStatus {
		audited = AuditEntry{Action: AuditStatus, CaseID: u.CaseID, Detail: stored.Status}
	}
	if err := c.a.audit(ctx, c, audited); err != nil {
		return err
	}
	urgent := ""
	if stored.Kind == EventStatus && stored.Status == StatusDeportation && stored.Date != "" {
		// The date is the case's deportation date, as /date sets it: its
		// reminders, the board's dates, urgent within 72 hours.
		urgent = urgentFor(DateDeportation, stored.Date, c.now)
		if err := c.a.d.Casework.SetDate(ctx, stored.CaseID, DateDeportation, stored.Date, urgent); err != nil {
			return fmt.Errorf("deportation date of case %d: %w", stored.CaseID, err)
		}
	}
	if err := c.stagingAlert(ctx, stored, u.Code); err != nil {
		return err
	}
	st, err := c.a.d.Timeline.Status(ctx, u.Code)
	if err != nil {
		return fmt.Errorf("case %d status: %w", u.CaseID, err)
	}
	n, err := c.notify(ctx, st, stored)
	if err != nil {
		return err
	}
	c.reset()
	if stored.Kind == EventStatus {
		c.say(T("update.saved", "Code", FormatCode(st.Code), "Status", T("status.name."+stored.Status)))
	} else {
		c.say(T("update.note_saved", "Code", FormatCode(st.Code)))
	}
	if n == 0 {
		c.say(T("update.notified_none"))
	} else {
		c.say(T("update.notified").Plural(n))
	}
	if urgent != "" {
		c.say(T("casework.now_urgent"))
	}
	c.caseButtons(st.Code)
	if stored.Kind == EventStatus {
		return c.caseChanged(ctx, u.CaseID, st.Code,
			T("update.saved", "Code", FormatCode(st.Code), "Status", T("status.name."+stored.Status)))
	}
	return c.postEvent(ctx, st.Code, T("forum.ev_public", "Note", stored.Note))
}

// commitNote records an internal note, which nobody but volunteers sees
// and nobody is told of.
func (c *turn) commitNote(ctx context.Context, caseID int64, code, note, key string) error {
	e := Event{CaseID: caseID, Kind: EventNote, Note: note, Actor: c.actor(), Key: key}
	if _, err := c.a.d.Timeline.Record(ctx, e); err != nil {
		return fmt.Errorf("record note %s of case %d: %w", key, caseID, err)
	}
	if err := c.a.audit(ctx, c, AuditEntry{Action: AuditNote, CaseID: caseID}); err != nil {
		return err
	}
	c.say(T("note.saved", "Code", FormatCode(code)))
	c.caseButtons(code)
	return c.postEvent(ctx, code, T("forum.ev_note", "Note", note))
}

// caseButtons are a volunteer's buttons under a case.
func (c *turn) caseButtons(code string) {
	c.buttons = append(c.buttons,
		[]Button{
			{Text: T("btn.case_status", "Code", FormatCode(code)), Data: dataStatus + ":" + actStartUpdate + ":" + code},
			{Text: T("btn.case_note", "Code", FormatCode(code)), Data: dataStatus + ":" + actStartNote + ":" + code},
		})
	c.buttons = append(c.buttons, []Button{{Text: T("btn.menu"), Data: dataMenu + ":menu"}})
}

// againInFlow asks again the question of the flow the chat is in, if any:
// at the menu, a volunteer's search answered is the whole reply, without
// the relatives' menu under it.
func (c *turn) againInFlow(ctx context.Context) error {
	if c.s.Flow == "" {
		return nil
	}
	return c.again(ctx)
}

// find shows volunteers the cases with a code or an A-number: the report,
// the status and the recent timeline with internal notes to those the
// authorisation table lets see the case's personal data (each such view
// audited), the status alone to the others.
func (c *turn) find(ctx context.Context, arg string) error {
	role, err := c.a.role(ctx, c.in.UserID)
	if err != nil {
		return fmt.Errorf("role of user %d: %w", c.in.UserID, err)
	}
	code, okCode := NormalizeCode(arg)
	an, p := ParseANumber(arg)
	if !okCode {
		code = ""
	}
	if p != nil {
		an = ""
	}
	if code == "" && an == "" && !isName(arg) {
		c.say(T("find.usage"))
		return c.againInFlow(ctx)
	}
	wait, err := c.a.d.FindLimiter.Allow(ctx, c.in.UserID)
	if err != nil {
		return fmt.Errorf("find limit of volunteer %d: %w", c.in.UserID, err)
	}
	if wait > 0 {
		c.say(tryLaterText(wait))
		return c.againInFlow(ctx)
	}
	// Every search is audited, hit or miss: the kind of query and the
	// count, never the code, A-number or name searched for.
	var files []CaseFile
	kind := "code"
	switch {
	case code == "" && an == "":
		kind = "name"
		if files, err = c.findName(ctx, arg); err != nil {
			return err
		}
	default:
		if code == "" {
			kind = "a_number"
		}
		if files, err = c.a.d.Timeline.Find(ctx, code, an); err != nil {
			return fmt.Errorf("find for volunteer %d: %w", c.in.UserID, err)
		}
		// An eight-letter name ("Morozova") also reads as a case code.
		if len(files) == 0 && an == "" && isName(arg) {
			kind = "name"
			if files, err = c.findName(ctx, arg); err != nil {
				return err
			}
		}
	}
	if err := c.a.audit(ctx, c, AuditEntry{Action: AuditSearch, Detail: kind + ":" + strconv.Itoa(len(files))}); err != nil {
		return err
	}
	if len(files) == 0 {
		wait, err := c.a.d.FindLimiter.Miss(ctx, c.in.UserID)
		if err != nil {
			return fmt.Errorf("record miss of volunteer %d: %w", c.in.UserID, err)
		}
		rows, err := c.facilitiesNamed(ctx, role, arg)
		if err != nil {
			return err
		}
		if rows != nil {
			c.say(T("find.none_facility"))
		} else {
			c.say(T("find.none"))
		}
		if wait > 0 {
			c.say(tryLaterText(wait))
		}
		if err := c.againInFlow(ctx); err != nil {
			return err
		}
		c.buttons = append(rows, c.buttons...)
		return nil
	}
	if len(files) > findMax {
		c.say(T("find.more").Plural(len(files)))
		files = files[:findMax]
	}
	for _, f := range files {
		// The card shows the report in full only to those who may see
		// the case's personal data; to others, its status alone.
		full, err := c.a.roleMay(ctx, c.in.UserID, role, ActViewCase, f.Case.Code)
		if err != nil {
			return err
		}
		if !full {
			c.say(T("authz.card_limited", "Code", FormatCode(f.Case.Code), "Created", dateText(f.Case.Created),
				"Status", T("status.name."+f.Status.Status), "Since", dateText(f.Status.Since)))
			continue
		}
		if err := c.a.audit(ctx, c, AuditEntry{Action: AuditFind, CaseID: f.Case.ID}); err != nil {
			return err
		}
		card, err := c.caseCard(ctx, f)
		if err != nil {
			return err
		}
		c.say(card)
		extras, err := c.a.caseExtras(ctx, f.Case.ID)
		if err != nil {
			return err
		}
		c.say(extras...)
		c.protect = true
	}
	if c.isStatusFlow() {
		c.reset()
	}
	for _, f := range files {
		c.buttons = append(c.buttons, []Button{
			{Text: T("btn.case_status", "Code", FormatCode(f.Case.Code)), Data: dataStatus + ":" + actStartUpdate + ":" + f.Case.Code},
			{Text: T("btn.case_note", "Code", FormatCode(f.Case.Code)), Data: dataStatus + ":" + actStartNote + ":" + f.Case.Code},
		})
	}
	// The relatives' menu is no end for a volunteer's search: only a
	// report of their own in the making is offered back.
	if c.inReport() {
		c.footer()
	}
	return nil
}

// caseCard shows a case in full, for volunteers.
func (c *turn) caseCard(ctx context.Context, f CaseFile) (Text, error) {
	r := f.Report
	if r == nil {
		r = &Report{}
	}
	val := func(v string) Text {
		if v == "" {
			return T("value.none")
		}
		return c.raw(v)
	}
	where, err := c.facilityName(ctx, f.Status.FacilityID, f.Status.FacilityText)
	if err != nil {
		return Text{}, err
	}
	an := r.ANumber
	if an != "" {
		an = FormatANumber(an)
	}
	born := val("")
	if r.BirthDate != "" {
		born = birthText(r.BirthDate)
	}
	var urgent []Text
	for _, u := range r.Urgent {
		urgent = append(urgent, T("casework.line_urgent", "Mark", T("urgent."+u))) // an icon and the words, one a line
	}
	var relationship any = ""
	if r.Relationship != "" {
		relationship = c.raw(relationFor(r.Relationship, c.s.Lang))
	}
	urgentText := T("value.urgent_none")
	if len(urgent) > 0 {
		urgentText = T("find.list", "Items", urgent)
	}
	events := make([]Text, 0, len(f.Events))
	for i, e := range f.Events {
		if i == findEvents {
			break
		}
		events = append(events, eventLine(e))
	}
	return T("find.card",
		"Code", FormatCode(f.Case.Code),
		"Created", dateText(f.Case.Created),
		"Status", T("status.name."+f.Status.Status),
		"Since", dateText(f.Status.Since),
		"Name", val(r.NameLatin),
		"NameCyr", val(r.NameCyrillic),
		"Born", born,
		"ANumber", val(an),
		"Facility", val(where),
		"Shared", yesNo(f.Status.FacilityShared),
		"Urgent", urgentText,
		"Reporter", val(r.ReporterName),
		"Relationship", relationship,
		"Contact", c.contactText(r.ReporterPhone, true),
		"Events", events,
	), nil
}

// eventLine is one line of the timeline as volunteers see it. An erased
// note says why it is gone instead of showing an empty line.
func eventLine(e Event) Text {
	var note any = e.Note
	if e.Erased != "" {
		note = T("find.note_erased_" + e.Erased)
	}
	if e.Kind == EventNews {
		return T("casework.event_news", "Date", dateText(e.At), "Kind", T("btn.news_"+e.Status), "Note", note)
	}
	if e.Kind == EventStatus {
		return T("find.event_status", "Date", dateText(e.At), "Status", T("status.name."+e.Status), "Note", note)
	}
	if e.Public {
		return T("find.event_public", "Date", dateText(e.At), "Note", note)
	}
	return T("find.event_internal", "Date", dateText(e.At), "Note", note)
}

// stagingAlert makes a case urgent when a volunteer records its transfer
// to a staging facility or a hold room, where people are often brought
// shortly before a deportation flight, and tells its owner, or the hotline
// when nobody owns it, once.
func (c *turn) stagingAlert(ctx context.Context, e Event, code string) error {
	if e.Kind != EventStatus || e.Status != StatusTransferred || e.FacilityID == 0 {
		return nil
	}
	f, err := c.a.d.Facilities.Get(ctx, e.FacilityID)
	if errors.Is(err, ErrNotFound) || err == nil && !f.Staging {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get facility %d: %w", e.FacilityID, err)
	}
	first, err := c.a.d.Casework.MarkStaging(ctx, e.CaseID, e.ID)
	if err != nil || !first {
		return err
	}
	v, err := c.a.d.Casework.ViewByID(ctx, e.CaseID)
	if err != nil {
		return fmt.Errorf("view case %d: %w", e.CaseID, err)
	}
	texts, buttons := Card(v, CardNews)
	texts = append([]Text{T("casework.staging_alert", "Code", FormatCode(code))}, texts...)
	if v.Owner != 0 && v.Owner != c.in.UserID {
		c.send(Reply{ChatID: v.Owner, Lang: Lang(v.OwnerLang), Texts: texts, Buttons: buttons, Priority: PriorityReply})
		return nil
	}
	if v.Owner != 0 {
		return nil // the owner recorded it
	}
	to, err := c.a.hotline(ctx, c.in.UserID)
	if err != nil {
		return err
	}
	for _, r := range to {
		c.send(Reply{ChatID: r.UserID, Lang: r.Lang, Texts: texts, Buttons: buttons, Priority: PriorityReply})
	}
	return nil
}

// facilitiesNamed are buttons to the board's page of each facility with
// open cases whose name or city has a word of what /find was given (a
// Cyrillic word transliterated): "/find jena" found no one of that name,
// and read as if no case were at Jena. None for a member who may not see
// the board, or when no such facility has open cases.
func (c *turn) facilitiesNamed(ctx context.Context, role Role, query string) ([][]Button, error) {
	if !mayEver(role, ActViewBoard) {
		return nil, nil
	}
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(query), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if writtenInCyrillic(w) {
			w = strings.ReplaceAll(strings.ToLower(Translit(w)), "dzh", "j") // "джена": Jena
		}
		if utf8.RuneCountInString(w) >= 4 || len(words) == 0 && utf8.RuneCountInString(w) >= 3 {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return nil, nil
	}
	n, err := c.a.d.Casework.Counts(ctx, BoardQuery{User: c.in.UserID, Today: today(c.now).Format(time.DateOnly),
		Quiet: c.now.Add(-c.a.cfg.CaseQuiet), Limit: boardPageSize})
	if err != nil {
		return nil, fmt.Errorf("board counts for %d: %w", c.in.UserID, err)
	}
	var rows [][]Button
	for _, f := range n.Facilities {
		named := strings.FieldsFunc(strings.ToLower(f.Facility.Name+" "+f.Facility.City), func(r rune) bool { return !unicode.IsLetter(r) })
		if f.Facility.ID == 0 || !slices.ContainsFunc(words, func(w string) bool {
			return slices.ContainsFunc(named, func(n string) bool { return n == w || len(w) >= 4 && strings.HasPrefix(n, w) })
		}) {
			continue
		}
		rows = append(rows, []Button{{Label: facilityLabel(f.Facility) + " (" + strconv.Itoa(f.N) + ")",
			Data: boardData(FilterFacility, strconv.FormatInt(f.Facility.ID, 10), 0)}})
		if len(rows) == boardFacilities {
			break
		}
	}
	return rows, nil
}
