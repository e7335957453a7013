package flows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Case statuses, as kept in the timeline. Every case starts as StatusNew.
const (
	StatusNew         = "new"
	StatusInReview    = "in_review"
	StatusLawyer      = "lawyer_found"
	StatusFiled       = "filed" // a petition or an appeal
	StatusTransferred = "transferred"
	StatusDeportation = "deportation_scheduled"
	StatusReleased    = "released"
	StatusDeported    = "deported"
	StatusRelief      = "relief_granted"
	StatusClosed      = "closed"
)

// Statuses returns every case status, in the order a case usually moves
// through them.
func Statuses() []string {
	return []string{StatusNew, StatusInReview, StatusLawyer, StatusFiled, StatusTransferred,
		StatusDeportation, StatusReleased, StatusDeported, StatusRelief, StatusClosed}
}

// Kinds of timeline events.
const (
	EventStatus = "status" // the case's status changed
	EventNote   = "note"   // a volunteer wrote a note
)

// Event is one entry of a case's timeline: who did what, when, and whether
// people with the case code may see it. Events are added, never changed.
type Event struct {
	ID         int64
	CaseID     int64
	Kind       string // EventStatus or EventNote
	Status     string // EventStatus: the new status
	FacilityID int64  // StatusTransferred: the new facility from the directory; 0 when unknown
	// FacilityText is, for StatusTransferred, a place not in the directory
	// as the volunteer typed it (a county jail, a hospital): the case's
	// facility for volunteers from then on, sealed like the reporter's.
	// The status people with the code see never shows it.
	FacilityText string
	Date         string // StatusDeportation: the date, YYYY-MM-DD; "" when unknown
	Note         string
	Public       bool   // people with the code see it and are told of it; else volunteers only
	Erased       string // why Note is gone: AuditForget (the reporter asked) or AuditPurge; "" when it is not
	Actor        string // "reporter", or "tg:<user id>" of the volunteer
	// Key makes recording idempotent: an event whose key is stored already
	// is not stored again.
	Key string
	At  time.Time
}

// CaseStatus is what anyone with a case's code may know of it. It has no
// field for the detainee's name, A-number or birth date, the reporter's
// contacts or internal notes, so no view built from it can show them.
type CaseStatus struct {
	CaseID  int64
	Code    string
	Created time.Time
	Status  string    // the current status
	Since   time.Time // when it was set
	Date    string    // with StatusDeportation: the date, YYYY-MM-DD, when known
	// Where the person is held: the facility of the latest transfer, or
	// of a move told in news or recorded by a volunteer, else the reported
	// one. A place typed for a move (a hospital) is none: the view shows
	// the move without it. The view shows the facility only when
	// FacilityShared, or to the reporter.
	FacilityID     int64
	FacilityText   string // as the reporter typed it, when not from the directory
	FacilityShared bool   // the reporter let people with the code see the facility
	// DatesShared: the reporter let people with the code see a deportation
	// date (a leaked code must not tell others when someone will land).
	DatesShared bool
	Notes       []Event
}

// CaseFile is a case as volunteers see it: the report, the status and the
// whole recent timeline, internal notes included.
type CaseFile struct {
	Case   Case
	Report *Report
	Status CaseStatus
	Events []Event // newest first
}

// Timeline keeps the cases' status timelines.
type Timeline interface {
	// Status returns the public view of the case with this code, typed in
	// any form NormalizeCode reads, with its latest public notes; or
	// ErrNotFound.
	Status(ctx context.Context, code string) (CaseStatus, error)
	// Record adds an event to a case's timeline and returns it as stored.
	// Recording an event with the Key of a stored one stores nothing and
	// returns the stored one, so that an update handled twice adds one event.
	Record(ctx context.Context, e Event) (Event, error)
	// Find returns the cases with this code or this A-number (nine
	// digits), for volunteers; an empty argument matches nothing.
	Find(ctx context.Context, code, aNumber string) ([]CaseFile, error)
}

// Following says how a chat hears of a case's changes.
type Following int

// Ways of following a case.
const (
	NotFollowing Following = iota
	Subscribed             // pressed "notify me"
	Reporting              // reported it: always told
)

// Recipient is a chat told of a case's public changes, in its language.
type Recipient struct {
	ChatID   int64
	Lang     string
	Reporter bool
	// Code is the code the chat knows the case by: a case merged into
	// another keeps its own for its reporter and subscribers.
	Code string
}

// Subscriptions keeps who is told of a case's public changes.
type Subscriptions interface {
	// Subscribe makes the chat hear of the case's public changes in lang;
	// subscribing again changes the language.
	Subscribe(ctx context.Context, caseID, chatID int64, lang string) error
	// Unsubscribe stops that; it is not an error when there was nothing to stop.
	Unsubscribe(ctx context.Context, caseID, chatID int64) error
	// Following tells whether and how the chat follows the case.
	Following(ctx context.Context, caseID, chatID int64) (Following, error)
	// Recipients returns the chats to tell of a public change: the
	// reporter's and every subscriber's, each once.
	Recipients(ctx context.Context, caseID int64) ([]Recipient, error)
	// Followed returns the cases the chat subscribed to, newest first:
	// code, status and since only.
	Followed(ctx context.Context, chatID int64) ([]CaseStatus, error)
}

// Limiter stops people from guessing case codes: it counts lookups per user
// and in total, and makes a user who keeps missing wait longer each time.
type Limiter interface {
	// Allow counts a lookup by the user and returns 0, or, when the user
	// must not look up now, how long to wait; such a lookup is not counted.
	// Deferred (see Sessions): the count lands with the update, so a second
	// Allow in the same update does not see the first.
	Allow(ctx context.Context, userID int64) (time.Duration, error)
	// Miss records that a lookup found no case and returns how long the
	// user must now wait before the next one, 0 for not at all. Deferred
	// (see Sessions): call it at most once per update.
	Miss(ctx context.Context, userID int64) (time.Duration, error)
}

// Flows of this feature, kept in Session.Flow.
const (
	flowCheck  = "check"  // a case code being asked for
	flowUpdate = "update" // a volunteer changing a case's status
	flowNote   = "note"   // a volunteer writing an internal note
)

// Steps of those flows, kept in Session.Step.
const (
	stepCode       = "code"        // check: the code
	stepPick       = "pick"        // update: the new status
	stepMoved      = "moved"       // update: where the person was transferred
	stepDepDate    = "dep_date"    // update: the deportation date
	stepPublicNote = "public_note" // update: a note for everyone with the code
	stepNoteText   = "note_text"   // note: the internal note
	stepNoteHeld   = "note_held"   // update: a public note held back for the personal data it seems to hold
)

// dataStatus starts the callback data of this feature's buttons:
// "s.:<action>:<argument>".
const dataStatus = "s."

// Button actions after "s.:".
const (
	actSubscribe   = "sub"  // sub:<code>
	actUnsubscribe = "stop" // stop:<code>
	actMine        = "my"   // my:<code>, a case of /mycases
	actUpdate      = "u"    // u:<nonce>:<value>, an answer in the update and note flows
	actStartUpdate = "v"    // v:<code>, change a case's status
	actStartNote   = "n"    // n:<code>, write an internal note
	actForget      = "fg"   // fg:yes or fg:no
)

// CaseUpdate is a volunteer's change to a case being put together, kept in
// the session while the update or note flow runs.
type CaseUpdate struct {
	ID         string `json:"id"` // becomes the event's Key
	CaseID     int64  `json:"c"`
	Code       string `json:"k"`
	Status     string `json:"s,omitempty"` // "" for a public note alone
	FacilityID int64  `json:"f,omitempty"`
	Query      string `json:"q,omitempty"`  // the facility typed, to match
	Typed      bool   `json:"ft,omitempty"` // Query is kept as the new facility, not in the directory
	Date       string `json:"d,omitempty"`
	Note       string `json:"t,omitempty"` // the reporter's news in their words (news.go)
	// Held is a public note held back because it seems to hold personal
	// data, until the volunteer chooses what to do with it.
	Held string `json:"h,omitempty"`
	// Files is the photo or document the reporter sent as news (news.go),
	// by its message ID in their chat.
	Files []int `json:"fl,omitempty"`
}

// registerStatus plugs case status, subscriptions, the volunteers' case
// updates and "my data" into the engine.
func (a *App) registerStatus() {
	h := &a.hooks
	h.intercept = append(h.intercept, leaveStatusFlow)
	h.starts["c_"] = func(ctx context.Context, c *turn, code string) error { return c.checkCode(ctx, code) }
	h.menu["check"] = func(ctx context.Context, c *turn) error { return c.askCode(ctx) }
	h.menuText = append(h.menuText, typedFollow, func(ctx context.Context, c *turn) (bool, error) {
		// A code alone, in a sentence, or in the reporter's confirmation
		// forwarded with its link, as friends are sent it.
		if code, ok := FindCode(c.in.Text); ok {
			if opened, err := a.openTypedCode(ctx, c, code); opened || err != nil {
				return true, err
			}
			if !strings.ContainsFunc(c.in.Text, unicode.IsDigit) {
				// "released", "detained": a word of eight code letters
				// is a code only when a case has it; else it is read as
				// words. Looked up within the limits all the same.
				st, res, err := c.lookupAs(ctx, code, true)
				if err != nil || res != caseFound {
					return false, err
				}
				return true, c.showStatus(ctx, st)
			}
			return true, c.checkCode(ctx, code)
		}
		return false, nil
	})
	// /stop, as Telegram users stop a bot's messages: every case the chat
	// follows. (In a conversation with a volunteer it ends the
	// conversation: handoffIntercept.)
	h.commands["stop"] = func(ctx context.Context, c *turn, _ string) error { return c.stopFollowing(ctx) }
	h.commands["check"] = func(ctx context.Context, c *turn, arg string) error {
		if arg == "" {
			return c.askCode(ctx)
		}
		return c.checkCode(ctx, arg)
	}
	h.flows[flowCheck] = func(ctx context.Context, c *turn) error {
		if c.in.Kind != KindText {
			c.say(T("check.type_code"))
			return c.statusPrompt(ctx)
		}
		if _, ok := FindCode(c.in.Text); !ok && len(strings.Fields(captionKey(c.in.Text))) > 2 {
			// "I don't have the code": words, not a mistyped code. Where
			// to find one, and the menu, rather than "not found" again.
			c.reset()
			c.say(T("check.no_code"))
			c.menu()
			return nil
		}
		return c.checkCode(ctx, c.in.Text)
	}
	h.buttons[dataStatus] = statusButton
	a.registerUpdates()
	a.registerMyData()
}

// isStatusFlow reports whether the session is in one of this feature's flows.
func (c *turn) isStatusFlow() bool {
	switch c.s.Flow {
	case flowCheck, flowUpdate, flowNote:
		return true
	}
	return false
}

// leaveStatusFlow makes the engine's commands and buttons, which know only
// the menu and the report flow, work in this feature's short flows: /back
// and /cancel leave them, /help explains them, and anything else leaves
// them before the engine runs it.
func leaveStatusFlow(ctx context.Context, c *turn) (bool, error) {
	if !c.isStatusFlow() {
		return false, nil
	}
	switch c.in.Kind {
	case KindCommand:
		switch c.in.Command {
		case "back", "cancel":
			c.reset()
			c.say(T("status.left"), T("menu.choose"))
			c.menu()
			return true, nil
		case "help":
			c.say(T("status.help." + c.s.Flow))
			return true, c.statusPrompt(ctx)
		}
		c.reset()
	case KindButton:
		if !strings.HasPrefix(c.in.Data, dataStatus+":") {
			c.reset()
		}
	}
	return false, nil
}

// again shows where the chat is: this feature's question, or the engine's.
func (c *turn) again(ctx context.Context) error {
	if c.isCheckinFlow() {
		return c.checkinPrompt(ctx)
	}
	if c.isStatusFlow() {
		return c.statusPrompt(ctx)
	}
	if c.isCaseworkFlow() {
		return c.caseworkPrompt(ctx)
	}
	return c.show(ctx)
}

// statusPrompt asks the question of this feature's flow the chat is in.
func (c *turn) statusPrompt(ctx context.Context) error {
	switch c.s.Flow {
	case flowCheck:
		c.say(T("check.ask"))
		// Their own cases, or those they follow, a press away: a relative
		// checking on their case rarely has its code at hand.
		cases, _, err := c.casesOf(ctx)
		if err != nil {
			return err
		}
		c.buttons = nil
		for i, cs := range cases {
			if i == greetCases {
				break
			}
			c.buttons = append(c.buttons, []Button{caseButton(cs.Code)})
		}
		if c.buttons != nil {
			c.say(T("check.or_yours").Plural(min(len(cases), greetCases)))
		}
		c.buttons = append(c.buttons, []Button{{Text: T("btn.menu"), Data: dataMenu + ":menu"}})
		return nil
	case flowUpdate, flowNote:
		return c.updatePrompt(ctx)
	}
	return c.show(ctx)
}

// askCode asks for a case code. In the middle of a report it only says how
// to check a case without leaving it: the draft stays as it is.
func (c *turn) askCode(ctx context.Context) error {
	if c.inReport() {
		c.say(T("check.in_report"))
		return c.show(ctx)
	}
	c.reset()
	c.s.Flow, c.s.Step = flowCheck, stepCode
	return c.statusPrompt(ctx)
}

// lookupResult is what a lookup of a code came to.
type lookupResult int

const (
	caseFound     lookupResult = iota
	caseMissing                // answered "not found"
	lookupRefused              // answered "please wait"
)

// lookup finds the case with the code someone typed or followed a link to,
// within the lookup limits. Unless the case is found, the person has been
// answered: with "not found", which is the same for a malformed code and for
// a code no case has, or with "please wait".
func (c *turn) lookup(ctx context.Context, raw string) (CaseStatus, lookupResult, error) {
	return c.lookupAs(ctx, raw, false)
}

// lookupAs is lookup; quiet says nothing when no case is found or the
// limits refuse, for a word that may be a code (the caller reads it as
// words then). A miss counts against the limits either way.
func (c *turn) lookupAs(ctx context.Context, raw string, quiet bool) (CaseStatus, lookupResult, error) {
	code, valid := FindCode(raw) // also "код K7M4-Q9XP", the link pasted
	if !valid {
		if !quiet {
			c.say(T("check.not_found"))
		}
		return CaseStatus{}, caseMissing, nil
	}
	wait, err := c.a.d.Limiter.Allow(ctx, c.in.UserID)
	if err != nil {
		return CaseStatus{}, 0, fmt.Errorf("lookup limit of user %d: %w", c.in.UserID, err)
	}
	if wait > 0 {
		if !quiet {
			c.say(tryLaterText(wait))
		}
		return CaseStatus{}, lookupRefused, nil
	}
	st, err := c.a.d.Timeline.Status(ctx, code)
	if errors.Is(err, ErrNotFound) {
		wait, err := c.a.d.Limiter.Miss(ctx, c.in.UserID)
		if err != nil {
			return CaseStatus{}, 0, fmt.Errorf("record miss of user %d: %w", c.in.UserID, err)
		}
		if quiet {
			return CaseStatus{}, caseMissing, nil
		}
		c.say(T("check.not_found"))
		if wait > 0 {
			c.say(tryLaterText(wait))
		}
		return CaseStatus{}, caseMissing, nil
	}
	if err != nil {
		// The code opens the case to anyone: it stays out of error strings.
		return CaseStatus{}, 0, fmt.Errorf("case status for user %d: %w", c.in.UserID, err)
	}
	return st, caseFound, nil
}

// tryLaterText asks a user who looked up too many codes to wait, in whole
// minutes rounded up.
func tryLaterText(d time.Duration) Text {
	minutes := int((d + time.Minute - 1) / time.Minute)
	return T("check.wait", "Wait", T("status.unit.minutes").Plural(minutes))
}

// checkCode shows the status of the case with the code typed, from the
// menu, the check flow, /check or a link. It never changes a report in
// progress.
func (c *turn) checkCode(ctx context.Context, raw string) error {
	st, res, err := c.lookup(ctx, raw)
	if err != nil {
		return err
	}
	switch {
	case res == caseFound:
		if c.s.Flow == flowCheck {
			c.reset()
		}
		return c.showStatus(ctx, st)
	case res == caseMissing && c.s.Flow == flowCheck:
		// The check flow stays on: a mistyped code is the likeliest
		// mistake, and the next message is taken as the code again.
		c.buttons = [][]Button{{{Text: T("btn.menu"), Data: dataMenu + ":menu"}}}
		return nil
	case c.s.Flow == flowCheck:
		c.reset()
	}
	c.footer()
	return nil
}

// showStatus shows a case's status to someone who has its code, with the
// button to follow it or stop.
func (c *turn) showStatus(ctx context.Context, st CaseStatus) error {
	f, err := c.a.d.Subscriptions.Following(ctx, st.CaseID, c.in.ChatID)
	if err != nil {
		return fmt.Errorf("following case %d: %w", st.CaseID, err)
	}
	texts, err := c.statusView(ctx, st, f == Reporting)
	if err != nil {
		return err
	}
	c.say(texts...)
	code := dataStatus + ":%s:" + st.Code
	c.s.Viewed = st.Code
	switch f {
	case NotFollowing:
		c.buttons = [][]Button{{{Text: T("btn.subscribe"), Data: fmt.Sprintf(code, actSubscribe)}}}
	case Subscribed:
		c.say(T("check.subscribed"))
		c.buttons = [][]Button{{{Text: T("btn.unsubscribe"), Data: fmt.Sprintf(code, actUnsubscribe)}}}
	case Reporting:
		c.say(T("check.reporter"))
		// The reporter's own view: news of the case goes straight to the
		// volunteer who has it.
		c.buttons = [][]Button{{{Text: T("btn.mycase_news"), Data: dataCase + ":" + cwNews + ":" + st.Code}}}
	}
	c.footer()
	return nil
}

// footer ends an answer given outside of any question: with the menu
// button, or, in the middle of a report, with the reminder that the report
// is kept and a button to go back to it.
func (c *turn) footer() {
	if c.inReport() {
		c.say(T("check.report_kept"))
		c.buttons = append(c.buttons, []Button{{Text: T("btn.report_continue"), Data: dataMenu + ":report"}})
		return
	}
	c.buttons = append(c.buttons, []Button{{Text: T("btn.menu"), Data: dataMenu + ":menu"}})
}

// statusView is a case's status as people with its code see it: the
// status and what it means, since when, where the person is held when the
// reporter chose to share it (the reporter always sees it), and the public
// notes.
func (c *turn) statusView(ctx context.Context, st CaseStatus, reporter bool) ([]Text, error) {
	texts := []Text{T("check.header", "Code", FormatCode(st.Code))}
	texts = append(texts, T("check.status", "Status", T("status.name."+st.Status), "Since", dateText(st.Since)))
	texts = append(texts, T("status.about."+st.Status))
	if st.Status == StatusDeportation && st.Date != "" && (st.DatesShared || reporter) {
		texts = append(texts, T("check.deportation_date", "Date", dateText(dateOf(st.Date))))
	}
	if st.Status == StatusTransferred && st.FacilityID != 0 {
		// Known to everyone with the code: it changes what they should do.
		f, err := c.a.d.Facilities.Get(ctx, st.FacilityID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("get facility %d: %w", st.FacilityID, err)
		}
		if f.Staging {
			texts = append(texts, T("status.staging"))
		}
	}
	if st.FacilityShared || reporter {
		where, err := c.facilityName(ctx, st.FacilityID, st.FacilityText)
		if err != nil {
			return nil, err
		}
		if where != "" {
			texts = append(texts, T("check.facility", "Facility", where))
		}
	}
	if c.a.cfg.Phone != "" {
		texts = append(texts, T("check.hotline", "Phone", c.a.cfg.Phone, "Hours", c.a.cfg.Hours))
	}
	if len(st.Notes) > 0 {
		lines := make([]Text, 0, len(st.Notes))
		for _, n := range st.Notes {
			lines = append(lines, T("check.note", "Date", dateText(n.At), "Note", n.Note))
		}
		texts = append(texts, T("check.notes", "Lines", lines))
	}
	return texts, nil
}

// facilityName names a facility of the directory, or returns what was typed.
func (c *turn) facilityName(ctx context.Context, id int64, typed string) (string, error) {
	if id == 0 {
		return typed, nil
	}
	f, err := c.a.d.Facilities.Get(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return typed, nil
	case err != nil:
		return "", fmt.Errorf("get facility %d: %w", id, err)
	}
	return facilityLabel(f), nil
}

// statusButton runs this feature's buttons.
func statusButton(ctx context.Context, c *turn, rest string) error {
	act, arg, _ := strings.Cut(rest, ":")
	switch act {
	case actSubscribe:
		return c.subscribe(ctx, arg)
	case actUnsubscribe:
		return c.unsubscribe(ctx, arg)
	case actMine:
		return c.showMine(ctx, arg)
	case actUpdate:
		return c.updateButton(ctx, arg)
	case actStartUpdate:
		return c.a.guardButton(ActUpdateStatus, func(ctx context.Context, c *turn, code string) error {
			return c.startUpdate(ctx, code)
		})(ctx, c, arg)
	case actStartNote:
		return c.a.guardButton(ActAddNote, func(ctx context.Context, c *turn, code string) error {
			return c.startNote(ctx, code, "")
		})(ctx, c, arg)
	case actStartUpdate + typedSuffix, actStartNote + typedSuffix:
		// whichCase's buttons, for the words typed before the case was
		// known; without them (an old message's button) the case's
		// question is asked.
		typed := c.typed
		if act == actStartNote+typedSuffix {
			return c.a.guardButton(ActAddNote, func(ctx context.Context, c *turn, code string) error {
				return c.startNote(ctx, code, typed)
			})(ctx, c, arg)
		}
		return c.a.guardButton(ActUpdateStatus, func(ctx context.Context, c *turn, code string) error {
			return c.statusTyped(ctx, code, typed)
		})(ctx, c, arg)
	case actForget:
		return c.forgetAnswer(ctx, arg)
	}
	c.say(T("button.old"))
	return c.again(ctx)
}

// typedFollow takes "notify me" or "stop notifications" typed after a
// case's status was shown, as the buttons under it: the caption, or one of
// the usual words.
func typedFollow(ctx context.Context, c *turn) (bool, error) {
	if c.s.Viewed == "" {
		// "Отписаться" with no case just shown: every case the chat
		// follows, as /stop. It got the greeting, and the messages went
		// on. A bare "stop" may mean anything: not that.
		if key := captionKey(c.in.Text); unfollowWords[key] && key != "stop" {
			return true, c.stopFollowing(ctx)
		}
		return false, nil
	}
	rows := [][]Button{
		{{Text: T("btn.subscribe"), Data: actSubscribe}},
		{{Text: T("btn.unsubscribe"), Data: actUnsubscribe}},
	}
	act, ok := c.typedCaption(rows, "", c.in.Text)
	switch key := captionKey(c.in.Text); {
	case ok:
	case followWords[key]:
		act = actSubscribe
	case unfollowWords[key]:
		act = actUnsubscribe
	default:
		return false, nil
	}
	if act == actSubscribe {
		return true, c.subscribe(ctx, c.s.Viewed)
	}
	return true, c.unsubscribe(ctx, c.s.Viewed)
}

// followWords and unfollowWords are what people type for the buttons under
// a case's status.
var (
	followWords = map[string]bool{"уведомлять": true, "уведомляйте": true, "уведомите": true, "сообщайте": true,
		"подписаться": true, "подписка": true, "следить": true, "notify me": true, "notify": true, "subscribe": true, "follow": true}
	unfollowWords = map[string]bool{"отписаться": true, "не уведомлять": true, "не сообщайте": true, "отписка": true,
		"unsubscribe": true, "stop": true, "stop notifications": true, "unfollow": true}
)

// subscribe makes the chat hear of the case's public changes. The code
// comes from a button anyone can forge, so it is looked up within the
// limits like a typed one.
func (c *turn) subscribe(ctx context.Context, code string) error {
	st, res, err := c.lookup(ctx, code)
	if err != nil {
		return err
	}
	if res == caseFound {
		if err := c.a.d.Subscriptions.Subscribe(ctx, st.CaseID, c.in.ChatID, c.s.Lang); err != nil {
			return fmt.Errorf("subscribe chat %d to case %d: %w", c.in.ChatID, st.CaseID, err)
		}
		c.say(T("sub.done", "Code", FormatCode(st.Code)))
		c.buttons = [][]Button{{{Text: T("btn.unsubscribe"), Data: dataStatus + ":" + actUnsubscribe + ":" + st.Code}}}
	}
	c.footer()
	return nil
}

// unsubscribe stops the chat's notifications about a case. It answers the
// same whether or not the code is a case's, so it tells nothing about codes.
func (c *turn) unsubscribe(ctx context.Context, raw string) error {
	code, valid := NormalizeCode(raw)
	if valid {
		st, err := c.a.d.Timeline.Status(ctx, code)
		switch {
		case err == nil:
			// The reporter is told whatever they press, and someone who
			// does not follow the case has nothing to stop: neither is
			// told that messages stop.
			f, err := c.a.d.Subscriptions.Following(ctx, st.CaseID, c.in.ChatID)
			if err != nil {
				return fmt.Errorf("does chat %d follow case %d: %w", c.in.ChatID, st.CaseID, err)
			}
			switch f {
			case Reporting:
				c.say(T("sub.reporter_told", "Code", FormatCode(code)))
				c.footer()
				return nil
			case NotFollowing:
				c.say(T("sub.not_following", "Code", FormatCode(code)))
				c.buttons = [][]Button{{{Text: T("btn.subscribe"), Data: dataStatus + ":" + actSubscribe + ":" + code}}}
				c.footer()
				return nil
			}
			if err := c.a.d.Subscriptions.Unsubscribe(ctx, st.CaseID, c.in.ChatID); err != nil {
				return fmt.Errorf("unsubscribe chat %d from case %d: %w", c.in.ChatID, st.CaseID, err)
			}
		case !errors.Is(err, ErrNotFound):
			return fmt.Errorf("case status for user %d: %w", c.in.UserID, err)
		}
	}
	c.say(T("sub.stopped", "Code", FormatCode(code)))
	if valid {
		c.buttons = [][]Button{{{Text: T("btn.subscribe_again"), Data: dataStatus + ":" + actSubscribe + ":" + code}}}
	}
	c.footer()
	return nil
}

// stopFollowing unsubscribes the chat from every case it follows.
func (c *turn) stopFollowing(ctx context.Context) error {
	followed, err := c.a.d.Subscriptions.Followed(ctx, c.in.ChatID)
	if err != nil {
		return fmt.Errorf("cases chat %d follows: %w", c.in.ChatID, err)
	}
	switch len(followed) {
	case 0:
		c.say(T("sub.none"))
		c.footer()
		return nil
	case 1:
		return c.unsubscribe(ctx, followed[0].Code)
	}
	codes := make([]string, 0, len(followed))
	for _, st := range followed {
		if err := c.a.d.Subscriptions.Unsubscribe(ctx, st.CaseID, c.in.ChatID); err != nil {
			return fmt.Errorf("unsubscribe chat %d from case %d: %w", c.in.ChatID, st.CaseID, err)
		}
		codes = append(codes, FormatCode(st.Code))
	}
	c.say(T("sub.stopped_all", "Codes", strings.Join(codes, ", ")).Plural(len(codes)))
	c.footer()
	return nil
}

// notify tells the case's reporter and subscribers of a public change,
// each in their own language, as notices the sender may delay behind
// answers. It returns how many chats it told. The acting volunteer's own
// chat is left out: they get the confirmation instead.
func (c *turn) notify(ctx context.Context, st CaseStatus, e Event) (int, error) {
	return c.tell(ctx, e.CaseID, st.Code, func(r Recipient) ([]Text, [][]Button, error) {
		var texts []Text
		if e.Kind == EventStatus {
			texts = append(texts, T("notify.status", "Status", T("status.name."+e.Status)), T("status.about."+e.Status))
			if e.Date != "" && (st.DatesShared || r.Reporter) {
				texts = append(texts, T("check.deportation_date", "Date", dateText(dateOf(e.Date))))
			}
			if e.Status == StatusTransferred && e.FacilityID != 0 && (st.FacilityShared || r.Reporter) {
				where, err := c.facilityName(ctx, e.FacilityID, "")
				if err != nil {
					return nil, nil, err
				}
				texts = append(texts, T("check.facility", "Facility", where))
			}
		}
		if e.Note != "" {
			texts = append(texts, T("notify.note", "Note", e.Note))
		}
		return texts, nil, nil
	})
}

// notifyFacility tells the case's reporter, and the subscribers when the
// reporter let them see the facility and it is one of the directory, where
// the person is held, found by a volunteer: the question families ask
// first. The reporter gets the page on calls, money and visits with it.
func (c *turn) notifyFacility(ctx context.Context, caseID int64, code string, f Facility, place string) (int, error) {
	st, err := c.a.d.Timeline.Status(ctx, code)
	if err != nil {
		return 0, fmt.Errorf("case %d status: %w", caseID, err)
	}
	return c.tell(ctx, caseID, code, func(r Recipient) ([]Text, [][]Button, error) {
		if !r.Reporter && (!st.FacilityShared || f.ID == 0) {
			// A place typed (a hospital) is the family's, as in the
			// status view.
			return nil, nil, nil
		}
		texts := []Text{T("notify.facility", "Facility", place)}
		if f.Staging {
			texts = append(texts, T("status.staging"))
		}
		if !r.Reporter {
			return texts, nil, nil
		}
		return texts, [][]Button{{{Text: T("btn.info_page", "Title", T("info.title.facility")), Data: dataInfo + ":facility"}}}, nil
	})
}

// tell sends each of the case's reporter and subscribers, but the acting
// chat, the texts and buttons news returns for them, under a header with
// the code they know the case by, in their own language, as notices the
// sender may delay behind answers; a chat news returns no texts for is
// passed over. Subscribers get a button to stop. It returns how many chats
// it told.
func (c *turn) tell(ctx context.Context, caseID int64, code string, news func(r Recipient) ([]Text, [][]Button, error)) (int, error) {
	rs, err := c.a.d.Subscriptions.Recipients(ctx, caseID)
	if err != nil {
		return 0, fmt.Errorf("recipients of case %d: %w", caseID, err)
	}
	n := 0
	for _, r := range rs {
		if r.ChatID == c.in.ChatID {
			continue
		}
		texts, buttons, err := news(r)
		if err != nil {
			return 0, err
		}
		if texts == nil {
			continue
		}
		known := code
		if r.Code != "" {
			known = r.Code
		}
		texts = append([]Text{T("notify.header", "Code", FormatCode(known))}, texts...)
		if !r.Reporter {
			buttons = append(buttons, []Button{{Text: T("btn.unsubscribe"), Data: dataStatus + ":" + actUnsubscribe + ":" + known}})
		}
		lang := r.Lang
		if lang != "ru" && lang != "en" {
			lang = Lang(lang)
		}
		c.send(Reply{ChatID: r.ChatID, Lang: lang, Texts: texts, Buttons: buttons, Priority: PriorityNotice})
		n++
	}
	return n, nil
}
