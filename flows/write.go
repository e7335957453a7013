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

// Volunteers work the case, not just the chat: /write
// opens a relay to a case's reporter from the volunteer's side, /hold tells
// the handoff's timers that the volunteer is busy for the case, and the
// relayed conversation is kept with the case (transcript.go). /find by name
// and /newcase are in newcase.go, duplicates and merges in duplicates.go.

// ToolsDeps are what the case tools need.
type ToolsDeps struct {
	Duplicates  Duplicates  // possible duplicates and merges
	Transcripts Transcripts // the relayed conversation, kept with the case
	Outreach    Outreach    // volunteer-started chats and holds, in the handoff's live state
	CaseTools   CaseTools   // a case's reporter, who filed it, and the name index
}

// Errors of the case tools.
var (
	// ErrPaired is returned by Outreach.Open when the chat already talks
	// to a volunteer or waits for one.
	ErrPaired = errors.New("chat already in the handoff")
	// ErrClosed is returned for a case whose latest status closed it.
	ErrClosed = errors.New("case closed")
	// ErrMerged is returned for a case merged into another.
	ErrMerged = errors.New("case merged")
)

// Open asks the queue to pair a volunteer with a chat that is neither
// waiting nor paired: a conversation the volunteer starts.
type Open struct {
	ChatID    int64
	Lang      string // the user's language
	CaseCode  string
	Volunteer int64
	Name      string
	VolLang   string
	Max       int // chats the volunteer may hold at once
	ID        string
	At        time.Time
	Op        string
}

// Outreach is the part of the handoff's live state the case tools change.
type Outreach interface {
	// Open pairs the chat with the volunteer, atomically: ErrPaired when
	// the chat waits or talks to a volunteer, ErrBusy when the volunteer
	// holds as many chats as they may. The pairing has no message pending:
	// the volunteer speaks first.
	Open(ctx context.Context, o Open) (Pairing, error)
	// Hold tells the timers that the volunteer is busy for the chat until
	// a time: no reminder, no return to the queue before then. ErrNotFound
	// when the volunteer does not hold the chat.
	Hold(ctx context.Context, chatID, volunteer int64, until time.Time) error
}

// CaseContact is how to reach a case's reporter.
type CaseContact struct {
	CaseID  int64
	Code    string
	ChatID  int64
	Lang    string
	Erased  bool  // the personal data is erased (/forget, the retention purge)
	Blocked bool  // the reporter blocked the bot, or the case was filed by phone
	FiledBy int64 // the volunteer who filed it for a caller (/newcase), 0 for none
	Closed  bool
	Merged  string // the code of the case it was merged into, "" when not merged
}

// CaseTools reads what the case tools need of a case.
type CaseTools interface {
	// Contact returns how to reach the reporter of the case with this
	// code, or ErrNotFound.
	Contact(ctx context.Context, code string) (CaseContact, error)
	// FiledBy returns the volunteer who filed the case for a caller, 0
	// for none.
	FiledBy(ctx context.Context, caseID int64) (int64, error)
	// FindName returns the open and closed cases whose detainee's name has
	// every token of name (Latin or Cyrillic, any usual transliteration),
	// found by a blind index, newest first.
	FindName(ctx context.Context, name string) ([]CaseFile, error)
	// SetANumber gives a case the A-number learnt after its report, and
	// links it to the open cases with that A-number; ErrNotFound for a
	// case unknown or erased.
	SetANumber(ctx context.Context, caseID int64, aNumber string) error
	// SetFacility records where the person of a case is held now, found
	// after the report (in the ICE locator): a facility of the directory,
	// or a place typed (facilityID 0). A staging facility or a hold room
	// marks the case urgent (UrgentStaging). ErrNotFound for a case
	// unknown or erased.
	SetFacility(ctx context.Context, caseID, facilityID int64, typed string) error
	// SetUrgent marks a case urgent with mark when it has no urgency mark
	// yet (on), or takes every mark off (off), and returns the marks it had
	// before. ErrNotFound for a case unknown or erased.
	SetUrgent(ctx context.Context, caseID int64, mark string, on bool) ([]string, error)
}

// Callback data of the case tools' buttons: "ct.:<action>:<args>".
const dataTools = "ct."

// Actions after "ct.:".
const (
	actTranscript = "t" // t:<code>:<skip>, a page of the conversation
	actMerge      = "m" // m:<from>:<into>, merge one case into another
	actWrite      = "w" // w:<code>, talk to the reporter
	actCase       = "c" // c:<code>, the report in full, as /case <code>
	actANumber    = "a" // a:<code>:<a-number>, give the case an A-number its news named
	actFacility   = "l" // l:<code>:<facility>, the facility /facility found, where the person is held
	actDateNamed  = "d" // d:<code>:<field>:<YYYY-MM-DD>, a date a reporter's message named
)

// registerTools plugs the case tools into the engine.
func (a *App) registerTools() {
	h := &a.hooks
	// Every command here asks the authorisation table (authz.go) first.
	gate := func(act Action, fn memberCommand) command { return a.guard(act, a.asMember(fn)) }
	h.commands["write"] = gate(ActWriteReporter, a.writeCommand)
	h.commands["anumber"] = gate(ActWorkCase, a.aNumberCommand)
	h.commands["facility"] = gate(ActWorkCase, a.facilityCommand)
	h.commands["urgent"] = gate(ActWorkCase, a.urgentCommand)
	h.commands["hold"] = gate(ActTakeChat, a.holdCommand)
	h.commands["merge"] = gate(ActMergeCases, a.mergeCommand)
	h.commands["newcase"] = a.guard(ActFileForCaller, a.newCaseCommand)
	buttons := map[string]button{
		actTranscript: a.guardButton(ActViewCase, a.asMember(a.transcriptButton)),
		actMerge:      a.guardButton(ActMergeCases, a.asMember(a.mergeButton)),
		actWrite:      a.guardButton(ActWriteReporter, a.asMember(a.writeCommand)),
		actFiles:      a.guardButton(ActViewCase, a.asMember(a.filesButton)),
		actCase:       a.guardButton(ActViewCase, a.asMember(a.caseCommand)),
		actANumber: a.guardButton(ActWorkCase, a.asMember(func(ctx context.Context, c *turn, m *member, arg string) error {
			code, n, _ := strings.Cut(arg, ":")
			return a.aNumberCommand(ctx, c, m, code+" A"+n)
		})),
		actFacility: a.guardButton(ActWorkCase, a.asMember(a.facilityButton)),
		actDateNamed: a.guardButton(ActWorkCase, a.asMember(func(ctx context.Context, c *turn, m *member, arg string) error {
			parts := strings.Split(arg, ":")
			if len(parts) != 3 || (parts[1] != DateHearing && parts[1] != DateDeportation) {
				m.say(T("button.old"))
				return nil
			}
			v, ok, err := a.workableCase(ctx, m, parts[0], "tools.date_named_gone")
			if err != nil || !ok {
				return err
			}
			return a.setDate(ctx, c, m, v, parts[1], parts[2])
		})),
	}
	h.buttons[dataTools] = func(ctx context.Context, c *turn, rest string) error {
		act, arg, _ := strings.Cut(rest, ":")
		if b := buttons[act]; b != nil {
			return b(ctx, c, arg)
		}
		c.say(T("button.old"))
		return c.again(ctx)
	}
}

// writeCommand is /write CODE, and the card's "Talk to the reporter".
func (a *App) writeCommand(ctx context.Context, c *turn, m *member, arg string) error {
	code, ok := NormalizeCode(strings.TrimSpace(arg))
	if strings.TrimSpace(arg) == "" {
		m.say(T("tools.write_usage"))
		return nil
	}
	if !ok {
		m.say(T("update.not_found"))
		return nil
	}
	return a.writeToReporter(ctx, c, m, code)
}

// writeToReporter opens a relay from the member to the reporter of the
// case with code: the reporter is told that a volunteer of the hotline is
// writing about the case (never who), and everything the member writes
// next goes to them. A reporter already waiting in the queue is taken as
// /take would; one talking to another volunteer is left alone.
func (a *App) writeToReporter(ctx context.Context, c *turn, m *member, code string) error {
	ct, err := a.d.CaseTools.Contact(ctx, code)
	switch {
	case errors.Is(err, ErrNotFound):
		m.say(T("update.not_found"))
		return nil
	case err != nil:
		return fmt.Errorf("reporter of a case for %d: %w", m.UserID, err)
	}
	switch {
	case ct.Merged != "":
		m.say(T("tools.write_merged", "Code", FormatCode(ct.Code), "Into", FormatCode(ct.Merged)))
		return nil
	case ct.Erased:
		m.say(T("tools.write_erased", "Code", FormatCode(ct.Code)))
		return nil
	case ct.FiledBy != 0:
		m.say(T("tools.write_phone", "Code", FormatCode(ct.Code)))
		return nil
	case ct.Blocked || ct.ChatID == 0:
		m.say(T("tools.write_blocked", "Code", FormatCode(ct.Code)))
		return nil
	case ct.ChatID == m.UserID:
		m.say(T("tools.write_self"))
		return nil
	}
	st, err := a.d.Queue.Chat(ctx, ct.ChatID)
	if err != nil {
		return fmt.Errorf("handoff state of %d: %w", ct.ChatID, err)
	}
	mine := st.Paired != nil && st.Paired.Volunteer == m.UserID
	switch {
	case st.Paired != nil && !mine:
		m.say(T("tools.write_other", "Code", FormatCode(ct.Code)))
		return nil
	case st.Waiting != nil:
		// The reporter asked for a volunteer meanwhile: take the chat.
		return a.take(ctx, c, m, st.Waiting.Ticket)
	}
	lang := ct.Lang
	if lang != "ru" && lang != "en" {
		lang = Lang(lang)
	}
	// Asked even when the chat is already the member's: the same update
	// handled again after a failure gets the pairing it opened, and goes
	// on as the first time.
	p, err := a.d.Outreach.Open(ctx, Open{ChatID: ct.ChatID, Lang: lang, CaseCode: ct.Code,
		Volunteer: m.UserID, Name: m.Name, VolLang: m.lang, Max: a.maxChats(m.Role),
		ID: a.d.NewID(), At: c.now, Op: c.op()})
	switch {
	case errors.Is(err, ErrPaired) && mine:
		if err := a.d.Queue.SetActive(ctx, m.UserID, ct.ChatID); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("switch chat of %d: %w", m.UserID, err)
		}
		m.say(T("tools.write_already", "Code", FormatCode(ct.Code), "Ticket", st.Paired.Ticket))
		return nil
	case errors.Is(err, ErrPaired):
		m.say(T("tools.write_other", "Code", FormatCode(ct.Code)))
		return nil
	case errors.Is(err, ErrBusy):
		m.say(T("handoff.busy").Plural(a.maxChats(m.Role)))
		return nil
	case err != nil:
		return fmt.Errorf("open chat with the reporter of case %d for %d: %w", ct.CaseID, m.UserID, err)
	}
	if err := a.d.Handoffs.Start(ctx, p); err != nil {
		return fmt.Errorf("record handoff %s: %w", p.ID, err)
	}
	if err := a.audit(ctx, c, AuditEntry{Action: AuditWrite, CaseID: ct.CaseID}); err != nil {
		return err
	}
	m.say(T("tools.write_opened", "Code", FormatCode(ct.Code), "Ticket", p.Ticket, "Lang", langText(p.Lang)))
	told := T("tools.write_user", "Code", FormatCode(ct.Code))
	if p.Name != "" {
		told = T("tools.write_user_named", "Code", FormatCode(ct.Code), "Name", p.Name)
	}
	texts := []Text{told}
	paused, err := a.reportPaused(ctx, m, p.ChatID)
	if err != nil {
		return err
	}
	if paused {
		texts = append(texts, T("handoff.report_paused"))
	}
	c.send(Reply{ChatID: p.ChatID, Lang: p.Lang, Priority: PriorityReply, Texts: texts,
		Buttons: [][]Button{{{Text: T("btn.handoff_end"), Data: dataEnd}}}})
	return nil
}

// reportPaused reports whether the person of a chat a volunteer has just
// opened is in the middle of a report, and tells the volunteer so: what
// they type goes to the volunteer now (a relay knows no report), where
// their answers to its question would have gone unseen as messages, the
// question never moving on.
func (a *App) reportPaused(ctx context.Context, m *member, chatID int64) (bool, error) {
	s, err := a.d.Sessions.Get(ctx, chatID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("session of %d: %w", chatID, err)
	}
	if s.Flow != flowReport || s.Draft.FiledBy != 0 || s.Draft.Filed != "" && s.Step == stepMore {
		return false, nil // (the extra questions of an urgent case not begun: nothing waits)
	}
	m.say(T("handoff.vol_report_paused"))
	return true, nil
}

// maxHold is the longest /hold: a volunteer away longer gives the chat back.
const maxHold = 8 * 60

// holdMinutes reads /hold's time as volunteers type it: "60", "90 min",
// "2 hours", "1.5h", "2 часа", "30 минут", "off" (0); a bare "1.5" is
// not read, as it may mean minutes or hours.
func holdMinutes(arg string) (int, bool) {
	s := strings.ToLower(strings.TrimSpace(arg))
	if s == "off" || s == "stop" || s == "выкл" {
		return 0, true
	}
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' && r != ',' })
	if i < 0 {
		i = len(s)
	}
	num, unit := strings.ReplaceAll(s[:i], ",", "."), strings.TrimSpace(s[i:])
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 || unit == "" && strings.Contains(num, ".") {
		return 0, false // "1.5": minutes or hours?
	}
	per := 0.0
	switch {
	case unit == "" || slices.Contains([]string{"m", "min", "mins", "minute", "minutes", "м", "мин", "минута", "минуты", "минут", "минуту"}, unit):
		per = 1
	case slices.Contains([]string{"h", "hr", "hrs", "hour", "hours", "ч", "час", "часа", "часов"}, unit):
		per = 60
	default:
		return 0, false
	}
	if f*per > 24*60 {
		return maxHold + 1, true // more than a day: refused by the caller
	}
	return int(f*per + 0.5), true
}

// holdCommand is /hold N: the volunteer is busy for the case of their
// active chat for N minutes (on the phone with ICE), so the timers neither
// remind them nor take the chat back before then; the user is told the
// volunteer is still on it. /hold 0 ends a hold.
func (a *App) holdCommand(ctx context.Context, c *turn, m *member, arg string) error {
	n, ok := holdMinutes(arg)
	if !ok || n < 0 || n > maxHold {
		m.say(T("tools.hold_usage").Plural(maxHold))
		return nil
	}
	p, err := a.active(ctx, m)
	if err != nil || p == nil {
		return err
	}
	until := c.now.Add(time.Duration(n) * time.Minute)
	if n == 0 {
		until = time.Time{}
	}
	err = a.d.Outreach.Hold(ctx, p.ChatID, m.UserID, until)
	switch {
	case errors.Is(err, ErrNotFound):
		m.say(T("handoff.none_held"))
		return nil
	case err != nil:
		return fmt.Errorf("hold chat %d for %d: %w", p.ChatID, m.UserID, err)
	}
	if n == 0 {
		m.say(T("tools.hold_ended", "Ticket", p.Ticket))
		return nil
	}
	m.say(T("tools.hold_set", "Ticket", p.Ticket, "Until", until.UTC().Format("15:04")+" UTC").Plural(n))
	c.send(Reply{ChatID: p.ChatID, Lang: p.Lang, Priority: PriorityReply,
		Texts: []Text{T("tools.hold_user").Plural(n)}})
	return nil
}

// aNumberCommand is /anumber CODE A-NUMBER: the A-number a reporter sent
// after the report ("I have it at home, will send later"), given to the
// case, so that /find and the duplicates see it; the cases with the same
// A-number are named, with a button to merge.
func (a *App) aNumberCommand(ctx context.Context, c *turn, m *member, arg string) error {
	raw, rest, err := c.codeOrHeld(ctx, arg)
	if err != nil {
		return err
	}
	n, p := ParseANumber(rest)
	if _, ok := NormalizeCode(raw); !ok || p != nil {
		m.say(T("tools.a_number_usage"))
		return nil
	}
	v, ok, err := a.workableCase(ctx, m, raw, "tools.a_number_gone")
	if err != nil || !ok {
		return err
	}
	code := FormatCode(v.Code)
	if done, err := a.writeCase(ctx, c, m, v, "tools.a_number_gone", AuditANumber, func() error {
		return a.d.CaseTools.SetANumber(ctx, v.ID, n)
	}); err != nil || !done {
		return err
	}
	m.protect = true // the answer shows the A-number
	m.say(T("tools.a_number_set", "Code", code, "ANumber", FormatANumber(n)))
	dups, err := a.duplicatesOf(ctx, v.ID)
	if err != nil {
		return err
	}
	m.say(dups...)
	m.buttons, err = a.mergeButtons(ctx, v.ID, v.Code)
	return err
}

// facilityCommand is /facility CODE PLACE: where the person of a case is
// held, found after the report (in the ICE locator, from a call). The
// places of the directory that the words name are offered, to press; words
// that name none are kept as typed (a county jail, a hospital). The case's
// card, the board and /find then show it, as after news of a transfer.
func (a *App) facilityCommand(ctx context.Context, c *turn, m *member, arg string) error {
	raw, rest, err := c.codeOrHeld(ctx, arg)
	if err != nil {
		return err
	}
	q, p := ParseName(rest, maxName)
	if _, ok := NormalizeCode(raw); !ok || p != nil {
		m.say(T("tools.facility_usage"))
		return nil
	}
	v, ok, err := a.workableCase(ctx, m, raw, "tools.facility_gone")
	if err != nil || !ok {
		return err
	}
	found, err := a.d.Facilities.Match(ctx, q, facilityMatches)
	if err != nil {
		return fmt.Errorf("match facilities: %w", err)
	}
	if len(found) == 0 {
		return a.setFacility(ctx, c, m, v, Facility{}, q)
	}
	code := FormatCode(v.Code)
	m.say(T("tools.facility_pick", "Code", code, "Query", q))
	for _, f := range found {
		m.buttons = append(m.buttons, []Button{{Label: facilityLabel(f),
			Data: dataTools + ":" + actFacility + ":" + v.Code + ":" + strconv.FormatInt(f.ID, 10)}})
	}
	// A place none of them is, as typed, where the button's data has room
	// for it (Telegram's 64 bytes).
	if data := dataTools + ":" + actFacility + ":" + v.Code + ":=" + q; len(data) <= 64 {
		m.buttons = append(m.buttons, []Button{{Text: T("btn.facility_typed", "Query", q), Data: data}})
	}
	return nil
}

// facilityButton is the press of a place /facility offered, or of the
// place as typed ("=" and the words).
func (a *App) facilityButton(ctx context.Context, c *turn, m *member, arg string) error {
	raw, id, _ := strings.Cut(arg, ":")
	if typed, ok := strings.CutPrefix(id, "="); ok {
		q, p := ParseName(typed, maxName)
		if p != nil {
			m.say(T("button.old"))
			return nil
		}
		v, ok, err := a.workableCase(ctx, m, raw, "tools.facility_gone")
		if err != nil || !ok {
			return err
		}
		return a.setFacility(ctx, c, m, v, Facility{}, q)
	}
	fid, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		m.say(T("button.old"))
		return nil
	}
	f, err := a.d.Facilities.Get(ctx, fid)
	if errors.Is(err, ErrNotFound) {
		m.say(T("button.old"))
		return nil
	}
	if err != nil {
		return fmt.Errorf("get facility %d: %w", fid, err)
	}
	v, ok, err := a.workableCase(ctx, m, raw, "tools.facility_gone")
	if err != nil || !ok {
		return err
	}
	return a.setFacility(ctx, c, m, v, f, "")
}

// codeOrHeld splits "CODE words" after a command; without a code, while
// the volunteer talks with a case's reporter in the one chat they hold
// (heldCase), the code is that case's: "/anumber A123456789" as the family
// writes it.
func (c *turn) codeOrHeld(ctx context.Context, arg string) (code, rest string, err error) {
	code, rest = splitCode(arg)
	held, _, err := c.heldCase(ctx, code)
	if err != nil || held == "" {
		return code, rest, err
	}
	return held, strings.TrimSpace(arg), nil
}

// workableCase is the case with code raw, when the member may work on it
// and it still keeps its report; false, with what the member is told, when
// not: gone (a text with the code) for a case erased or merged.
func (a *App) workableCase(ctx context.Context, m *member, raw, gone string) (CaseView, bool, error) {
	v, ok, err := a.caseOf(ctx, m, raw)
	if err != nil || !ok {
		return CaseView{}, false, err
	}
	code := FormatCode(v.Code)
	if may, err := a.mayOnCase(ctx, m, ActWorkCase, v); err != nil || !may {
		if err == nil {
			m.say(T("casework.not_owner", "Code", code))
		}
		return CaseView{}, false, err
	}
	if v.Erased || v.Merged {
		m.say(T(gone, "Code", code))
		return CaseView{}, false, nil
	}
	return v, true, nil
}

// writeCase runs write, a volunteer's change of case v's report, and
// audits it as action; false, with the member told so (gone, a text with
// the code), when write finds the case erased.
func (a *App) writeCase(ctx context.Context, c *turn, m *member, v CaseView, gone, action string, write func() error) (bool, error) {
	err := write()
	if errors.Is(err, ErrNotFound) {
		m.say(T(gone, "Code", FormatCode(v.Code)))
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s of case %d: %w", action, v.ID, err)
	}
	return true, a.audit(ctx, c, AuditEntry{Action: action, CaseID: v.ID})
}

// setFacility records f, or the place typed, as where the person of case v
// is held.
func (a *App) setFacility(ctx context.Context, c *turn, m *member, v CaseView, f Facility, typed string) error {
	code := FormatCode(v.Code)
	if done, err := a.writeCase(ctx, c, m, v, "tools.facility_gone", AuditFacility, func() error {
		return a.d.CaseTools.SetFacility(ctx, v.ID, f.ID, typed)
	}); err != nil || !done {
		return err
	}
	place := typed
	if f.ID != 0 {
		place = facilityLabel(f)
	}
	m.say(T("tools.facility_set", "Code", code, "Facility", place))
	switch staged := slices.Contains(v.Urgent, UrgentStaging); {
	case f.Staging && !staged:
		m.say(T("tools.facility_urgent"))
	case !f.Staging && staged:
		// Out of the staging facility: its mark stays until a volunteer
		// takes it off, and says how.
		m.say(T("tools.facility_still_urgent", "Code", code))
	}
	n, err := c.notifyFacility(ctx, v.ID, v.Code, f, place)
	if err != nil {
		return err
	}
	if n == 0 {
		m.say(T("update.notified_none"))
	} else {
		m.say(T("update.notified").Plural(n))
	}
	// The cards shown and the forum's topic say where the person is held.
	return c.caseChanged(ctx, v.ID, v.Code, T("forum.ev_facility", "Name", a.nameOf(m), "Facility", place))
}
