package flows

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Check-in safety: most arrests the hotline sees happen at routine ICE
// check-ins, and the family learns days later. A person (or a relative for
// them) registers an upcoming check-in: the office, the time, the person's
// name and A-number, and up to three trusted contacts. The bot reminds them
// the day before and two hours before; at the expected end it asks "are you
// out?", asks again after a grace period, and after a second one opens an
// urgent case as a probable detention, announces it to the hotline and
// tells the trusted contacts. Silence is the signal: a person who blocked
// the bot, or whose phone was taken, raises the alarm all the same.

// Office is an ICE field office, where people go to their check-ins.
type Office struct {
	Code  string // stable: "new-york-city"
	Name  string // "New York City"
	City  string // where the office is: "New York"
	State string // two letters
	Zone  string // IANA time zone: "America/New_York"
}

// Offices is the list of ICE field offices.
type Offices interface {
	// Match returns up to n offices that best match what someone typed,
	// best first; Cyrillic is transliterated before matching.
	Match(ctx context.Context, query string, n int) ([]Office, error)
	// Get returns the office with this code, or ErrNotFound.
	Get(code string) (Office, error)
	// State reads a US state typed as two letters or a name, in Latin or
	// Cyrillic, and returns its two letters and the time zone most of it
	// keeps; ok is false when it is no state.
	State(typed string) (code, zone string, ok bool)
}

// Check-in statuses.
const (
	CheckinActive        = "active"          // registered; the timers run
	CheckinOut           = "out"             // the person said they are out before any alarm
	CheckinAlarm         = "alarm"           // silence: a case was opened and people told
	CheckinOutAfterAlarm = "out_after_alarm" // "I'm out" after the alarm
	CheckinCancelled     = "cancelled"       // the person cancelled it, or erased their data
	CheckinMoved         = "moved"           // "next check-in": replaced by a new one
)

// Timers of a check-in, in the order they fire.
const (
	TimerDay   = "day"   // the day before, at the same local time
	TimerSoon  = "soon"  // two hours before
	TimerAsk   = "ask"   // at the expected end: are you out?
	TimerAsk2  = "ask2"  // after one grace: asked again
	TimerAlarm = "alarm" // after a second grace: the alarm
)

// Checkin is a registered check-in.
type Checkin struct {
	ID         int64
	DraftID    string // makes registering idempotent
	ChatID     int64  // the registrant's chat, which is asked "are you out?"
	UserID     int64
	Lang       string
	OfficeCode string // a field office; "" when typed
	OfficeText string // a sub-office as typed
	State      string // two letters
	Zone       string // IANA time zone of the office
	Start      time.Time
	End        time.Time // expected end
	Name       string
	ANumber    string // nine digits; "" when unknown
	Status     string // Checkin…
	CaseID     int64  // the case the alarm opened
	CaseCode   string
	Prev       int64 // on Create: the check-in this one follows, whose contacts it takes over
	Created    time.Time
	Contacts   []Contact
}

// Contact is a trusted contact of a check-in: a Telegram user who opened
// the bot's link (Token) and agreed, or a phone number the volunteers call.
type Contact struct {
	ID       int64
	Token    string
	Phone    string
	ChatID   int64 // set once they agreed
	Lang     string
	Accepted time.Time
	Declined time.Time
}

// pending reports whether a link contact has not answered yet.
func (k Contact) pending() bool {
	return k.Token != "" && k.Accepted.IsZero() && k.Declined.IsZero()
}

// CheckinTimer is one timer of a check-in, claimed for firing.
type CheckinTimer struct {
	ID        int64
	CheckinID int64
	Kind      string // Timer…
	Due       time.Time
}

// ErrCheckinActive is returned by Checkins.Create when the user already has
// an active check-in.
var ErrCheckinActive = errors.New("an active check-in exists")

// ErrTooManyContacts is returned by Checkins.AddContact when the check-in
// has its three contacts.
var ErrTooManyContacts = errors.New("three trusted contacts already")

// maxContacts is how many trusted contacts a check-in has at most.
const maxContacts = 3

// Checkins stores check-ins, their trusted contacts and their timers.
type Checkins interface {
	// Create stores the check-in and its timers and returns it as stored;
	// the same DraftID again returns the one stored first. With Prev set,
	// the contacts of that check-in move to this one. ErrCheckinActive
	// when the user has another active check-in.
	Create(ctx context.Context, k *Checkin, timers []CheckinTimer) (Checkin, error)
	// Get returns a check-in with its contacts, or ErrNotFound.
	Get(ctx context.Context, id int64) (Checkin, error)
	// Active returns the user's active check-in, or ErrNotFound.
	Active(ctx context.Context, userID int64) (Checkin, error)
	// Begun returns the user's check-in that began by now and is not
	// closed — active, or in alarm — the latest to begin; or ErrNotFound.
	Begun(ctx context.Context, userID int64, now time.Time) (Checkin, error)
	// LastOut returns the user's check-in they came out of (out, or out
	// after the alarm) most recently, closed at since or later; or
	// ErrNotFound.
	LastOut(ctx context.Context, userID int64, since time.Time) (Checkin, error)
	// AddContact adds a trusted contact: a link (Token) or a phone.
	AddContact(ctx context.Context, checkinID int64, c Contact) (Contact, error)
	// ByToken returns the check-in a contact's link belongs to, or ErrNotFound.
	ByToken(ctx context.Context, token string) (Checkin, Contact, error)
	// Answer records a link contact's answer, once: changed is false when
	// they had answered already.
	Answer(ctx context.Context, token string, chatID int64, lang string, accept bool, at time.Time) (changed bool, err error)
	// SetStatus moves the check-in from one of the statuses from to to and
	// reports whether it did; a status other than active or alarm cancels
	// the timers that have not fired.
	SetStatus(ctx context.Context, id int64, from []string, to string, at time.Time) (bool, error)
	// SetCase links the case the alarm opened.
	SetCase(ctx context.Context, id, caseID int64) error
	// Due claims up to n timers due at now that nobody fired, for lease:
	// another claim of the same timer waits until the lease runs out.
	Due(ctx context.Context, now time.Time, lease time.Duration, n int) ([]CheckinTimer, error)
	// Fired marks a claimed timer done.
	Fired(ctx context.Context, timerID int64, at time.Time) error
}

// CheckinDeps are what check-in safety needs.
type CheckinDeps struct {
	Offices  Offices
	Checkins Checkins
}

// CheckinDraft is a check-in being registered, kept in the session.
type CheckinDraft struct {
	ID         string `json:"id"`
	Consent    bool   `json:"ok,omitempty"`
	Query      string `json:"q,omitempty"` // the office typed, to match
	OfficeCode string `json:"oc,omitempty"`
	OfficeText string `json:"ot,omitempty"`
	State      string `json:"st,omitempty"`
	Zone       string `json:"z,omitempty"`
	Date       string `json:"d,omitempty"` // YYYY-MM-DD, the office's local date
	Clock      string `json:"t,omitempty"` // HH:MM, the office's local time
	// TimeFirst is a time typed where the day was asked ("в 9 утра"),
	// kept for the day typed next.
	TimeFirst string `json:"tf,omitempty"`
	Hours     int    `json:"h,omitempty"` // the expected length; 0: the default
	Name      string `json:"n,omitempty"`
	ANumber   string `json:"a,omitempty"`
	NoANumber bool   `json:"na,omitempty"`
	Prev      int64  `json:"p,omitempty"`  // the check-in this one follows
	Moved     bool   `json:"mv,omitempty"` // Prev was rescheduled before it began
	Saved     int64  `json:"sv,omitempty"` // adding a phone contact to this check-in
	// Told are the words the person wrote of the check-in at the menu
	// before registering it ("у мужа отметка в четверг в 9 утра в
	// Майами"): the office, the day and the time they name are offered
	// at their questions (checkin_told.go).
	Told string `json:"tw,omitempty"`
}

// The flows and steps of check-in safety.
const (
	flowCheckin = "checkin"       // registering
	flowPhone   = "checkin_phone" // a contact's phone being typed

	ckConsent = "consent"
	ckOffice  = "office"
	ckState   = "state"
	ckDate    = "date"
	ckTime    = "time"
	ckName    = "name"
	ckANumber = "anumber"
	ckReview  = "review"
	ckPhone   = "phone"
)

// dataCheckin starts the callback data of this feature's buttons:
// "k.:<action>:<argument>".
const dataCheckin = "k."

// Button actions after "k.:".
const (
	ckAnswer   = "a"   // a:<nonce>:<value>: an answer in the registration
	ckInvite   = "inv" // inv:<id>: a link for a trusted contact
	ckAddPhone = "ph"  // ph:<id>: a phone for a trusted contact
	ckPhoneOK  = "php" // php:<id>:<phone>: add the phone typed at the menu
	ckDone     = "ok"  // ok:<id>: no more contacts
	ckOut      = "out" // out:<id>: I'm out, all fine
	ckNext     = "nx"  // nx:<id>: out, and the next check-in
	ckNextTo   = "nt"  // nt:<id>:=<date> <time>: ckNext on the day and time the person wrote (checkin_told.go)
	ckHelp     = "hlp" // hlp:<id>: I need help
	ckCancel   = "cx"  // cx:<id>: cancel the check-in?
	ckCancelOK = "cxy" // cxy:<id>: yes, cancel it
	ckAccept   = "ta"  // ta:<token>: a contact agrees
	ckDecline  = "td"  // td:<token>: a contact declines
)

// Check-in durations.
const (
	checkinDefaultHours = 3
	checkinSoon         = 2 * time.Hour
	// checkinLease is how long a replica holds a claimed timer before
	// another may fire it: far longer than handing messages to the outbox.
	checkinLease = 2 * time.Minute
	// checkinSettle is how long after the bot starts an alarm that came
	// due while it was down waits: an "I'm out" sent meanwhile is among
	// the updates Telegram hands over when the bot is back.
	checkinSettle = time.Minute
	// checkinLate is how late a timer may fire before its message says so.
	checkinLate = 10 * time.Minute
	// checkinMaxAhead is how far ahead a check-in may be registered.
	checkinMaxAhead = 366 * 24 * time.Hour
	// officeMatches is how many offices are offered as buttons.
	officeMatches = 4
	maxOfficeText = 120
)

// checkinHours are the expected lengths offered on the review screen.
func checkinHours() []int { return []int{1, 2, 3, 4, 6} }

// registerCheckin plugs check-in safety into the engine.
func (a *App) registerCheckin() {
	h := &a.hooks
	h.intercept = append(h.intercept, leaveCheckinFlow)
	h.menu["checkin"] = func(ctx context.Context, c *turn) error { return c.startCheckin(ctx) }
	h.commands["checkin"] = func(ctx context.Context, c *turn, _ string) error { return c.startCheckin(ctx) }
	h.starts["t_"] = func(ctx context.Context, c *turn, token string) error { return c.contactInvite(ctx, token) }
	h.flows[flowCheckin] = func(ctx context.Context, c *turn) error { return c.checkinTyped(ctx) }
	h.flows[flowPhone] = func(ctx context.Context, c *turn) error { return c.phoneTyped(ctx) }
	h.buttons[dataCheckin] = checkinButton
	// First: "да, вышел" must not be taken for anything else.
	h.menuText = append([]func(context.Context, *turn) (bool, error){a.outInWords, a.phoneInWords, a.contactsInWords,
		a.checkinInWords},
		h.menuText...)
	h.menuMedia = append([]func(context.Context, *turn) (bool, error){a.mediaDuringCheckin}, h.menuMedia...)
}

// checkinInWords answers a check-in to come told at the menu ("у мужа
// завтра отметка в ICE", "I have a check-in next week") with the safety
// line a button away, and a volunteer, who reads the words. Its "ICE" made
// it the offer to report a detention, and no one had been detained. A
// detention at a check-in ("забрали на отметке") is still that offer; one
// feared ("боюсь, что задержат") is the safety line's. A
// member's words at the menu are most often for a person whose chat has
// ended: they are told it went to nobody (memberNoChat).
func (a *App) checkinInWords(ctx context.Context, c *turn) (bool, error) {
	if tellsOfDetention(withoutICE(c.in.Text)) && !fearsDetention(c.in.Text) ||
		lostContact(c.in.Text) { // "муж не вернулся с отметки": not one to come
		return false, nil
	}
	// "They moved my appointment to next Tuesday", from one whose check-in
	// is registered, is about it, ICE named or not; so is "перенесли на
	// пятницу", a move with its day, answering the reminder. The day told,
	// read once, is offered as the move or as the next check-in.
	checkin, appointment := mentionsCheckin(c.in.Text), mentionsAppointment(c.in.Text)
	var told toldDay
	if checkin || appointment || tellsOfMove(c.in.Text) {
		told = c.dayInWords(c.in.Text)
	}
	if !checkin && !appointment && !told.ok {
		return false, nil
	}
	k, err := a.d.Checkins.Active(ctx, c.in.UserID)
	active := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return false, fmt.Errorf("active check-in of %d: %w", c.in.UserID, err)
	}
	if !checkin && !active {
		return false, nil
	}
	if role, err := a.role(ctx, c.in.UserID); err != nil || role >= RoleVolunteer {
		return false, err
	}
	// One who registered a check-in and writes of it ("my check-in was
	// rescheduled", "отмените отметку") is shown it, with how to change
	// it; they were offered to register one. Once it has begun, its "out"
	// and "help" (duringCheckin).
	switch {
	case active && !c.now.Before(k.Start):
		a.sayDuring(c, k)
		return true, nil
	case active:
		c.setSaid(false)
		move := told.ok && movesCheckin(k, told)
		if move {
			// At another office ("…в четверг в Майами"), it is another
			// check-in, maybe another person's: no move of this one.
			o, named, err := c.officeNamedIn(ctx, c.in.Text)
			if err != nil {
				return false, err
			}
			move = !named || o.Code == k.OfficeCode
		}
		if !move {
			c.say(T("checkin.told"))
			return true, c.showCheckin(ctx, k)
		}
		// "They moved my appointment to next Tuesday 10am": the new day
		// and time a press away, on top of the check-in shown.
		c.say(T("checkin.told_moved", "Told", told.text()))
		if err := c.showCheckin(ctx, k); err != nil {
			return true, err
		}
		c.buttons = append([][]Button{{toldButton("btn.checkin_move_to", k, told)}}, c.buttons...)
		return true, nil
	}
	// A check-in in alarm is not active, and its person was offered to
	// register one.
	if k, ok, err := a.begun(ctx, c); err != nil || ok {
		if ok {
			a.sayDuring(c, k)
		}
		return ok, err
	}
	if ok, err := a.nextAfterOut(ctx, c, told); err != nil || ok {
		return ok, err
	}
	c.setSaid(false)
	c.say(T("menu.checkin_offer"))
	c.buttons = menuButtons("checkin", "volunteer", "menu")
	return true, nil
}

// fearsDetention reports whether text speaks of a detention feared, not
// one that happened: "боюсь, что задержат", "I'm afraid they will detain
// me" — before a check-in, its safety line.
func fearsDetention(text string) bool {
	key := captionKey(text)
	return saysAny(key, fearWords) || saysAny(key, detentionToCome)
}

// detentionToCome are the words of a detention to come (captionKey).
var detentionToCome = []string{"задержат", "арестуют", "заберут", "могут задерж", "могут забрать", "могут арест",
	"might be detained", "will be detained", "could be detained", "might be arrested", "will be arrested",
	"get detained", "get arrested", "will detain", "might detain"}

// mentionsCheckin reports whether text speaks of an ICE check-in:
// "отметка", "чекин", "check-in", "check in", ISAP (the supervision whose
// check-ins they are); "an ICE appointment", "явка в ICE" with ICE or
// immigration named (a doctor's appointment is none).
func mentionsCheckin(s string) bool {
	words := lowerWords(s)
	ice := slices.ContainsFunc(words, func(w string) bool {
		return w == "ice" || w == "айс" || w == "ero" || strings.HasPrefix(w, "immigration") || strings.HasPrefix(w, "иммиграц") ||
			strings.HasPrefix(w, "миграцион")
	})
	for i, w := range words {
		switch {
		case strings.HasPrefix(w, "отметк") || strings.HasPrefix(w, "чекин") || strings.HasPrefix(w, "checkin") || w == "isap":
			return true
		case (w == "check" || w == "чек") && i+1 < len(words) && (words[i+1] == "in" || words[i+1] == "ин"):
			return true
		case ice && (strings.HasPrefix(w, "appointment") || w == "appt" || strings.HasPrefix(w, "явк") ||
			w == "явиться" || w == "явится" || w == "прийти" || w == "идти"):
			return true
		}
	}
	return false
}

// mentionsAppointment reports whether s names an appointment ("my
// appointment", "явка"), which for one with a check-in registered is it.
func mentionsAppointment(s string) bool {
	return slices.ContainsFunc(lowerWords(s), func(w string) bool {
		return strings.HasPrefix(w, "appointment") || w == "appt" || strings.HasPrefix(w, "явк")
	})
}

// withoutICE is text without the words ICE and immigration, which a
// check-in is told with as a detention is.
func withoutICE(s string) string {
	words := lowerWords(s)
	kept := words[:0]
	for _, w := range words {
		if w != "ice" && w != "айс" && w != "айсе" && !strings.HasPrefix(w, "immigration") &&
			!strings.HasPrefix(w, "иммиграц") && !strings.HasPrefix(w, "миграцион") {
			kept = append(kept, w)
		}
	}
	return strings.Join(kept, " ")
}

// isCheckinFlow reports whether the session is in one of this feature's flows.
func (c *turn) isCheckinFlow() bool { return c.s.Flow == flowCheckin || c.s.Flow == flowPhone }

// leaveCheckinFlow makes /back, /cancel and /help work in this feature's
// flows, and leaves them before any other command or button runs.
func leaveCheckinFlow(ctx context.Context, c *turn) (bool, error) {
	if !c.isCheckinFlow() {
		return false, nil
	}
	switch c.in.Kind {
	case KindCommand:
		switch c.in.Command {
		case "cancel":
			phone := c.s.Flow == flowPhone
			c.reset()
			if phone {
				c.say(T("checkin.phone_cancelled"))
			} else {
				c.say(T("checkin.cancelled_draft"))
			}
			c.say(T("menu.choose"))
			c.menu()
			return true, nil
		case "back":
			if c.s.Flow == flowCheckin && len(c.s.Back) > 0 {
				c.s.Step = c.s.Back[len(c.s.Back)-1]
				c.s.Back = c.s.Back[:len(c.s.Back)-1]
				return true, c.checkinPrompt(ctx)
			}
			c.say(T("back.first"))
			return true, c.checkinPrompt(ctx)
		case "help":
			c.say(T("checkin.help"))
			return true, c.checkinPrompt(ctx)
		case "checkin":
			if c.s.Flow == flowCheckin {
				return true, c.startCheckin(ctx)
			}
		}
		c.reset()
	case KindButton:
		if !strings.HasPrefix(c.in.Data, dataCheckin+":") {
			c.reset()
		}
	}
	return false, nil
}

// startCheckin begins a registration, or shows the active check-in: one
// at a time, so that "are you out?" is never ambiguous.
func (c *turn) startCheckin(ctx context.Context) error {
	if c.inReport() {
		c.say(T("checkin.in_report"))
		return c.show(ctx)
	}
	if c.s.Flow == flowCheckin && c.s.Step != ckConsent && c.s.Checkin != nil {
		// Half-way through: the answers given are kept, the question
		// asked again, as the report does.
		c.say(T("checkin.in_progress"))
		return c.checkinPrompt(ctx)
	}
	k, err := c.a.d.Checkins.Active(ctx, c.in.UserID)
	switch {
	case err == nil:
		c.reset()
		c.say(T("checkin.have_one"))
		return c.showCheckin(ctx, k)
	case !errors.Is(err, ErrNotFound):
		return fmt.Errorf("active check-in of %d: %w", c.in.UserID, err)
	}
	// What was written at the menu just before, kept for its questions:
	// not older words, whose "в четверг" was another week's.
	told := c.s.SaidText
	if c.s.Flow != "" || c.now.Sub(c.s.Updated) > toldFresh {
		told = ""
	}
	if r := []rune(told); len(r) > maxTold {
		told = string(r[:maxTold])
	}
	c.reset()
	c.s.Flow, c.s.Step = flowCheckin, ckConsent
	c.s.Nonce = nonceOf(c.a.d.NewID())
	c.s.Checkin = &CheckinDraft{ID: c.a.d.NewID(), Told: told}
	return c.checkinPrompt(ctx)
}

// ckOpt is a button answering the current registration step.
func (c *turn) ckOpt(value string, t Text) Button {
	return Button{Text: t, Data: dataCheckin + ":" + ckAnswer + ":" + c.stepPrefix() + value}
}

// ckLabel is ckOpt with a caption shown as is.
func (c *turn) ckLabel(value, label string) Button {
	return Button{Label: label, Data: dataCheckin + ":" + ckAnswer + ":" + c.stepPrefix() + value}
}

// checkinPrompt asks the question of the step the chat is at.
func (c *turn) checkinPrompt(ctx context.Context) error {
	d := c.s.Checkin
	if c.s.Flow == flowPhone {
		c.say(T("checkin.ask_phone"))
		return nil
	}
	if d == nil {
		c.reset()
		return c.show(ctx)
	}
	switch c.s.Step {
	case ckConsent:
		c.say(T("checkin.intro"), T("checkin.consent"))
		c.buttons = [][]Button{{c.ckOpt("yes", T("btn.checkin_agree"))}, {c.ckOpt("no", T("btn.checkin_no"))}}
	case ckOffice:
		if d.Query == "" {
			c.say(T("checkin.ask_office"))
			if d.Told == "" {
				return nil
			}
			// "…в Майами", told at the menu: that office, a press away.
			o, ok, err := c.officeNamedIn(ctx, d.Told)
			if ok {
				c.buttons = [][]Button{{c.ckOpt(o.Code, T("btn.use_said", "Value", T("value.raw", "V", officeLabel(o))))}}
			}
			return err
		}
		ms, err := c.officesFor(ctx, d.Query)
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			c.say(T("checkin.office_none", "Typed", d.Query))
		} else {
			c.say(T("checkin.office_pick", "Typed", d.Query))
		}
		for _, o := range ms {
			c.buttons = append(c.buttons, []Button{c.ckLabel(o.Code, officeLabel(o))})
		}
		c.buttons = append(c.buttons, []Button{c.ckOpt("-", T("btn.checkin_office_typed", "Typed", d.Query))})
	case ckState:
		c.say(T("checkin.ask_state", "Office", d.OfficeText))
	case ckDate:
		c.say(T("checkin.ask_date", "Office", c.draftOffice()))
		c.buttons = [][]Button{{c.ckOpt("today", T("btn.checkin_today")), c.ckOpt("tomorrow", T("btn.checkin_tomorrow"))}}
		if told := c.dayInWords(d.Told); told.ok {
			// "…в четверг в 9 утра", told at the menu.
			c.buttons = append([][]Button{{c.ckOpt(told.value(), T("btn.use_said", "Value", told.text()))}}, c.buttons...)
		}
	case ckTime:
		c.say(T("checkin.ask_time", "Date", dateText(dateOf(d.Date)), "Office", c.draftOffice()))
		if clock := clockInWords(d.Told); clock != "" {
			c.buttons = [][]Button{{c.ckOpt("="+clock, T("btn.use_said", "Value", T("value.raw", "V", clock)))}}
		}
	case ckName:
		c.say(T("checkin.ask_name"))
		if d.Name != "" {
			c.buttons = [][]Button{{c.ckOpt("=", T("btn.keep"))}}
			c.say(T("answer.current", "Answer", T("value.raw", "V", d.Name)))
		}
	case ckANumber:
		c.say(T("checkin.ask_anumber"))
		c.buttons = [][]Button{{c.ckOpt("unknown", T("btn.checkin_anumber_unknown"))}}
		if d.ANumber != "" {
			c.buttons = append(c.buttons, []Button{c.ckOpt("=", T("btn.keep"))})
			c.say(T("answer.current", "Answer", T("value.raw", "V", FormatANumber(d.ANumber))))
		}
	case ckReview:
		return c.checkinReview()
	}
	return nil
}

// draftOffice names the office of the draft.
func (c *turn) draftOffice() Text {
	d := c.s.Checkin
	if d.OfficeCode != "" {
		if o, err := c.a.d.Offices.Get(d.OfficeCode); err == nil {
			return T("value.raw", "V", officeLabel(o))
		}
	}
	return T("checkin.office_typed", "Office", d.OfficeText, "State", d.State)
}

// officeShort names an office as a case's card does: "Chicago, IL".
func officeShort(o Office) string { return o.Name + ", " + o.State }

// officeLabel is an office as a button shows it.
func officeLabel(o Office) string {
	if o.City == o.Name {
		return officeShort(o)
	}
	return o.Name + " (" + o.City + ", " + o.State + ")"
}

// checkinTyped takes a typed answer in the registration.
func (c *turn) checkinTyped(ctx context.Context) error {
	if c.in.Kind != KindText {
		c.say(T("input.media"))
		return c.checkinPrompt(ctx)
	}
	if _, _, unknown := unknownLead(c.in.Text); c.s.Checkin != nil && c.s.Flow == flowCheckin && !unknown {
		// "Зачем вам это?", "это безопасно?": what the safety line is
		// for, or who sees what it keeps, and the question again. The
		// question became the person's name.
		switch askedAboutStep(c.in.Text) {
		case "why":
			if c.s.Step != ckConsent { // its question says it all
				c.say(T("checkin.intro"))
			}
			return c.checkinPrompt(ctx)
		case "safe":
			c.say(T("checkin.who_sees"))
			return c.checkinPrompt(ctx)
		}
		if asksAQuestion(c.in.Text) && c.s.Step != ckReview {
			// "А сколько это займёт?": not the person's name.
			c.say(T("report.question_kept", "Kept", false))
			return c.checkinPrompt(ctx)
		}
	}
	if c.s.Checkin != nil && c.s.Flow == flowCheckin {
		// A caption typed for its button (typedCaption).
		rows, err := c.promptButtons(ctx, c.checkinPrompt)
		if err != nil {
			return err
		}
		prefix := dataCheckin + ":" + ckAnswer + ":" + c.stepPrefix()
		if v, ok := c.typedCaption(rows, prefix, c.in.Text); ok {
			return c.checkinAnswer(ctx, v, true)
		}
		if key := captionKey(c.in.Text); c.s.Step == ckReview &&
			(yesWords[key] || saveWords[key] || sendsReport(key) || yesNoInWords(key) == "да" ||
				agreedTo(key, "сохран", "регистр", "save", "register")) {
			// "yes", "save" under the review: the check-in registered.
			// Refused, a person could leave believing it was, and no
			// alarm would ever come.
			return c.checkinAnswer(ctx, "save", true)
		}
	}
	return c.checkinAnswer(ctx, c.in.Text, false)
}

// saveWords ask to register what the review shows (captionKey).
var saveWords = map[string]bool{"save": true, "save it": true, "register": true, "register it": true, "done": true,
	"confirm": true, "all correct": true, "correct": true, "сохранить": true, "сохраните": true, "сохрани": true,
	"зарегистрировать": true, "зарегистрируйте": true, "готово": true, "подтверждаю": true, "все верно": true, "верно": true}

// checkinAnswer records an answer to the current step and moves on.
func (c *turn) checkinAnswer(ctx context.Context, v string, button bool) error {
	d := c.s.Checkin
	if d == nil {
		c.reset()
		c.say(T("button.old"))
		return c.show(ctx)
	}
	now := c.now
	next := ""
	switch c.s.Step {
	case ckConsent:
		if !button {
			c.say(T("input.use_buttons"))
			return c.checkinPrompt(ctx)
		}
		if v != "yes" {
			c.reset()
			c.say(T("checkin.no_consent"), T("menu.choose"))
			c.menu()
			return nil
		}
		d.Consent = true
		next = ckOffice
	case ckOffice:
		if n := ordinalOf(v); !button && n > 0 && d.Query != "" {
			// "the first one": one of the offices shown.
			ms, err := c.officesFor(ctx, d.Query)
			if err != nil {
				return err
			}
			if n <= len(ms) {
				v, button = ms[n-1].Code, true
			}
		}
		if key := captionKey(v); !button && d.Query != "" && (yesWords[key] || noWords[key]) {
			// "Да" under the offices found is the one shown, "нет" keeps
			// what was typed: neither is an office to search for ("да"
			// found Dallas).
			ms, err := c.officesFor(ctx, d.Query)
			if err != nil {
				return err
			}
			switch {
			case yesWords[key] && len(ms) == 1:
				v, button = ms[0].Code, true
			case yesWords[key] && len(ms) > 1:
				c.say(T("checkin.office_which"))
				return c.checkinPrompt(ctx)
			default:
				v, button = "-", true
			}
		}
		if !button && laterAnswer(v, today(now)) {
			// The day and time, the A-number or a phone typed where the
			// office is asked: it would have been searched for as an
			// office, and kept as one.
			c.say(T("checkin.office_first"))
			return c.checkinPrompt(ctx)
		}
		if !button {
			if p := checkText(v, maxOfficeText); p != nil {
				c.say(*p)
				return c.checkinPrompt(ctx)
			}
			d.Query = strings.Join(strings.Fields(v), " ")
			// "Чикаго": the one office spelt so is it; the date's
			// question names it ("…at Chicago, IL?").
			o, ok, err := c.spelledOffice(ctx, d.Query)
			if err != nil {
				return err
			}
			if !ok {
				return c.checkinPrompt(ctx)
			}
			v = o.Code
		}
		if v == "-" {
			if d.Query == "" {
				return c.checkinPrompt(ctx)
			}
			d.OfficeCode, d.OfficeText = "", d.Query
			next = ckState
			break
		}
		o, err := c.a.d.Offices.Get(v)
		if err != nil {
			c.say(T("button.old"))
			return c.checkinPrompt(ctx)
		}
		d.OfficeCode, d.OfficeText, d.State, d.Zone = o.Code, "", o.State, o.Zone
		next = ckDate
	case ckState:
		st, zone, ok := c.a.d.Offices.State(v)
		if button || !ok {
			c.say(T("checkin.bad_state"))
			return c.checkinPrompt(ctx)
		}
		d.State, d.Zone = st, zone
		next = ckDate
	case ckDate:
		loc, err := time.LoadLocation(d.Zone)
		if err != nil {
			return fmt.Errorf("time zone of check-in draft %s: %w", d.ID, err)
		}
		local := now.In(loc)
		today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
		var day time.Time
		clock := "" // the time, when typed with the day
		switch {
		case button && v == "today":
			day = today
		case button && v == "tomorrow":
			day = today.AddDate(0, 0, 1)
		case button && strings.HasPrefix(v, "="):
			// The day the person wrote (checkin_told.go), with its time.
			told := readTold(v)
			if !told.ok {
				return c.checkinPrompt(ctx)
			}
			day, clock = told.day, told.clock
		case button:
			return c.checkinPrompt(ctx)
		default:
			v, clock = splitClock(v, today)
			t, p := parseCheckinDate(v, today)
			if hh, mm, ok := ParseClock(v); p != nil && ok && !isDigits(strings.TrimSpace(v)) { // "15": the day?
				// "В 9 утра": the time, kept; the day is asked again.
				// It was "could not read the date", and the time lost.
				d.TimeFirst = fmt.Sprintf("%02d:%02d", hh, mm)
				c.say(T("checkin.time_first", "Time", d.TimeFirst))
				return c.checkinPrompt(ctx)
			}
			switch {
			case p != nil && unknownInWords(v):
				// "Не знаю", "не помню, в письме написано": where the
				// date is found; it was "could not read the date".
				c.say(T("checkin.date_unknown"))
				return c.checkinPrompt(ctx)
			case p != nil && monthOnly(v):
				c.say(T("checkin.date_month")) // "в январе": which day
				return c.checkinPrompt(ctx)
			case p != nil:
				c.say(*p)
				return c.checkinPrompt(ctx)
			}
			day = t
		}
		if clock == "" && d.TimeFirst != "" {
			clock = d.TimeFirst
		}
		d.TimeFirst = ""
		switch {
		case day.Before(today):
			c.say(T("checkin.date_past"))
			return c.checkinPrompt(ctx)
		case day.Sub(today) > checkinMaxAhead:
			c.say(T("checkin.date_far"))
			return c.checkinPrompt(ctx)
		}
		d.Date = day.Format(time.DateOnly)
		next = ckTime
		if clock != "" {
			// "в понедельник в 9:30": the time's question answered too.
			c.s.Back = append(c.s.Back, c.s.Step)
			c.s.Step = ckTime
			return c.checkinAnswer(ctx, clock, false)
		}
	case ckTime:
		if button && strings.HasPrefix(v, "=") {
			v = v[1:] // the time the person wrote
		} else if button {
			return c.checkinPrompt(ctx)
		}
		hh, mm, ok := ParseClock(v)
		switch {
		case !ok && unknownInWords(v):
			c.say(T("checkin.time_unknown")) // "не знаю", "не помню точно": where the time is found
			return c.checkinPrompt(ctx)
		case !ok && clockWindow(v):
			// "С 9 до 12": the alarm waits from when they go in,
			// which only they know; it was "did not understand".
			c.say(T("checkin.time_window"))
			return c.checkinPrompt(ctx)
		case !ok:
			c.say(T("checkin.bad_time"))
			return c.checkinPrompt(ctx)
		}
		clock := fmt.Sprintf("%02d:%02d", hh, mm)
		start, err := checkinStart(d.Date, clock, d.Zone)
		if err != nil {
			return fmt.Errorf("start of check-in draft %s: %w", d.ID, err)
		}
		if !start.After(now) {
			c.say(T("checkin.time_past"))
			c.s.Step = ckDate
			return c.checkinPrompt(ctx)
		}
		d.Clock = clock
		next = ckName
	case ckName:
		if button && v == "=" && d.Name != "" {
			next = ckANumber
			break
		}
		if button {
			return c.checkinPrompt(ctx)
		}
		split := hasDigit(v)
		if split {
			// "Ivan Petrov A123456789": the name is what comes before
			// the digits; the A-number is the next question.
			if v = nameHead(v); v == "" {
				c.say(T("parse.name_digits"))
				return c.checkinPrompt(ctx)
			}
		}
		if refusesName(v) {
			// "Не хочу говорить": what the name is for, and who sees
			// it; it was stored as the name.
			c.say(T("checkin.name_why"))
			return c.checkinPrompt(ctx)
		}
		v = afterSelf(v) // "me, Alex Ivanov": the name
		if selfWords[captionKey(v)] {
			// "Me", "я сама": the person registers for themselves. The
			// name was "Me", shown to the trusted contacts.
			c.say(T("checkin.name_self"))
			return c.checkinPrompt(ctx)
		}
		// "Муж, Рустам Алиев": a relative registers for them.
		name, _, p := typedPersonName(v, "checkin.name_answer_word")
		if p != nil {
			c.say(*p)
			return c.checkinPrompt(ctx)
		}
		d.Name = name
		if split {
			c.say(T("parse.name_split", "Name", name, "Kept", false))
		}
		next = ckANumber
	case ckANumber:
		switch {
		case button && v == "unknown":
			d.ANumber, d.NoANumber = "", true
		case button && v == "=" && d.ANumber != "":
		case button:
			return c.checkinPrompt(ctx)
		case unknownInWords(v):
			// "Не помню, где-то в бумагах" was "an A-number is 8 or 9
			// digits".
			d.ANumber, d.NoANumber = "", true
		default:
			n, p := ParseANumber(v)
			if p != nil {
				c.say(*p)
				return c.checkinPrompt(ctx)
			}
			d.ANumber, d.NoANumber = n, false
		}
		next = ckReview
	case ckReview:
		return c.reviewAnswer(ctx, v, button)
	}
	// From the review screen, a changed answer goes back to it once the
	// steps that depend on it are answered: the office's time zone needs
	// nothing more; a date needs its time.
	if c.s.Edit != "" && d.Date != "" && d.Clock != "" && d.Name != "" &&
		(next == ckDate && c.s.Step != ckDate || next == ckName || next == ckANumber) {
		next = ckReview
	}
	if next == ckReview {
		c.s.Edit = ""
	}
	c.s.Back = append(c.s.Back, c.s.Step)
	c.s.Step = next
	return c.checkinPrompt(ctx)
}

// splitClock splits the day of a check-in typed with its time ("monday
// morning at 8", "15.12 в 10 утра") into the day and the time; the time is
// "" when there is none. A year is no time ("Dec 20 2026").
func splitClock(v string, today time.Time) (day, clock string) {
	words := strings.Fields(v)
	for k := min(4, len(words)-1); k >= 1; k-- {
		tail := strings.Join(words[len(words)-k:], " ")
		if len(tail) == 4 && isDigits(tail) {
			continue
		}
		head := strings.Join(words[:len(words)-k], " ")
		if _, _, ok := ParseClock(tail); !ok {
			continue
		}
		if _, p := parseCheckinDate(head, today); p == nil {
			return head, tail
		}
	}
	return v, ""
}

// laterAnswer reports whether v, typed for the office, answers a later
// question of the registration instead: a day or a time ("во вторник в 9
// утра"), an A-number, a phone number.
func laterAnswer(v string, today time.Time) bool {
	if looksLikeANumber(v) || countDigits(v) >= 7 {
		return true
	}
	day, clock := splitClock(v, today)
	if clock != "" {
		return true
	}
	if _, _, ok := ParseClock(v); ok {
		return true
	}
	_, p := parseCheckinDate(day, today)
	return p == nil
}

// checkText refuses an empty or too long typed answer.
func checkText(v string, max int) *Text {
	_, p := ParseText(v, max)
	return p
}

// checkinDateDayMonth is a date without a year: "15.12", "15/12".
var checkinDateDayMonth = regexp.MustCompile(`^\s*(\d{1,2})[./-](\d{1,2})\s*$`)

// parseCheckinDate reads the day of a check-in. A date without a year, a
// day of the week ("в понедельник", "next Monday") or "послезавтра" is the
// next such day from today on. One that reads two ways (03/04) is refused
// with both: the alarm must not wait for the wrong day.
func parseCheckinDate(s string, today time.Time) (time.Time, *Text) {
	if r, p := ReadDate(s, today, true); p == nil {
		if !r.Alt.IsZero() {
			return time.Time{}, twoWays(s, r)
		}
		return r.Date, nil
	}
	// A two-digit year ahead ("15.01.27") is read as a future one.
	year := strconv.Itoa(today.Year())
	if m := checkinDateDayMonth.FindStringSubmatch(s); m != nil {
		s = m[1] + "." + m[2] + "." + year
	}
	t, p := ParseDate(s, today.AddDate(2, 0, 0))
	if p != nil {
		t2, p2 := ParseDate(s+" "+year, today.AddDate(2, 0, 0))
		if p2 != nil {
			return time.Time{}, p
		}
		t = t2
		if t.Before(today) {
			t = t.AddDate(1, 0, 0)
		}
		return t, nil
	}
	if t.Before(today) && !strings.Contains(s, year) && checkinDateDayMonth.MatchString(s) {
		t = t.AddDate(1, 0, 0)
	}
	return t, nil
}

// clockRe reads a time of day: 9, 9:30, 09.30, 0930, 9 30, 9am, 9:30 pm,
// 21ч, 9 утра, 9 вечера, 9 часов утра, after a preposition or none: в 9
// утра, at 9 am, около 10.
var clockRe = regexp.MustCompile(`^(?:(?:в|во|к|около|примерно|at|around|about|by)\s+)?(\d{1,2})(?:\s*[:.hч ]\s*(\d{2}))?\s*(?:ч\.?|часов|часа|час|o'clock|o’clock|oclock)?\s*(am|a\.m\.|pm|p\.m\.|утра|дня|вечера|ночи|in the morning|in the afternoon|in the evening|at night)?$`)

// clockWindow reports whether s is a window of time, as check-in letters
// give one: "с 9 до 12", "9-11", "between 9 and 11 am".
func clockWindow(s string) bool {
	m := windowRe.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return false
	}
	_, _, a := ParseClock(m[1])
	_, _, b := ParseClock(m[2])
	return a && b
}

// windowRe is two times of day with what joins them into a window.
var windowRe = regexp.MustCompile(`^(?:с|from|between)?\s*(.+?)\s*(?:до|по|-|–|—|to|and|till|until)\s*(.+?)$`)

// ParseClock reads a time of day typed as people write it; ok is false
// when it is not one.
func ParseClock(s string) (hh, mm int, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch strings.Join(strings.Fields(strings.Trim(s, ".!")), " ") {
	case "полдень", "в полдень", "в 12 дня", "noon", "at noon", "midday", "at midday", "12 noon":
		return 12, 0, true
	}
	if hh, mm, ok := ruClockWords(s); ok {
		return hh, mm, true
	}
	if hh, mm, ok := enClockWords(s); ok {
		return hh, mm, true
	}
	if len(s) == 4 && isDigits(s) {
		s = s[:2] + ":" + s[2:]
	}
	m := clockRe.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, false
	}
	hh = atoi(m[1])
	if m[2] != "" {
		mm = atoi(m[2])
	}
	switch strings.TrimRight(m[3], ".") {
	case "am", "a.m", "in the morning":
		if hh < 1 || hh > 12 {
			return 0, 0, false
		}
		if hh == 12 {
			hh = 0
		}
	case "pm", "p.m", "дня", "вечера", "in the afternoon", "in the evening":
		if hh < 1 || hh > 12 {
			return 0, 0, false
		}
		if hh != 12 {
			hh += 12
		}
	case "at night":
		switch {
		case hh == 12:
			hh = 0
		case hh >= 6 && hh <= 11:
			hh += 12 // "11 at night"; "2 at night" is 2:00
		}
	case "ночи":
		if hh == 12 {
			hh = 0
		}
	}
	if hh > 23 || mm > 59 {
		return 0, 0, false
	}
	return hh, mm, true
}

// ruClockWords reads the Russian spoken ways of a half or a quarter hour:
// "полдесятого", "в половине десятого" (9:30), "четверть десятого"
// (9:15), "без четверти десять", "без пятнадцати 10" (9:45). An hour
// before 7 is in the afternoon, as offices are open ("полвторого" is
// 13:30), unless "утра" says otherwise.
func ruClockWords(s string) (hh, mm int, ok bool) {
	words := strings.Fields(strings.NewReplacer("ё", "е", "-", " ", ".", " ", ",", " ").Replace(s))
	if len(words) > 0 && (words[0] == "в" || words[0] == "к") {
		words = words[1:]
	}
	part := ""
	if n := len(words); n > 0 && slices.Contains([]string{"утра", "дня", "вечера"}, words[n-1]) {
		part, words = words[n-1], words[:n-1]
	}
	var hour int
	switch {
	case len(words) == 1 && strings.HasPrefix(words[0], "пол") && ordinalHours[strings.TrimPrefix(words[0], "пол")] > 0:
		hour, mm = ordinalHours[strings.TrimPrefix(words[0], "пол")], 30
	case len(words) == 2 && (words[0] == "половине" || words[0] == "половина" || words[0] == "пол") && ordinalHours[words[1]] > 0:
		hour, mm = ordinalHours[words[1]], 30
	case len(words) == 2 && words[0] == "четверть" && ordinalHours[words[1]] > 0:
		hour, mm = ordinalHours[words[1]], 15
	case len(words) == 3 && words[0] == "без" && (words[1] == "четверти" || words[1] == "пятнадцати" || words[1] == "15"):
		n, isNum := strconv.Atoi(words[2])
		if isNum != nil {
			n = cardinalHours[words[2]]
		}
		if n < 1 || n > 12 {
			return 0, 0, false
		}
		hour, mm = n, 45
	default:
		return 0, 0, false
	}
	return officeHour(hour-1, part), mm, true // "пол десятого" is half past nine
}

// enClockWords reads a time said in English words: "nine", "nine thirty",
// "half past nine", "quarter past nine", "quarter to ten", "at nine
// o'clock", with "am" or "pm" or without: an hour before 7 is then in the
// afternoon, as offices are open.
func enClockWords(s string) (hh, mm int, ok bool) {
	words := strings.Fields(strings.NewReplacer("’", "'", ".", " ", ",", " ", "-", " ").Replace(s))
	if len(words) > 0 && (words[0] == "at" || words[0] == "around" || words[0] == "about") {
		words = words[1:]
	}
	part := ""
	if n := len(words); n > 0 && slices.Contains([]string{"am", "pm", "o'clock", "oclock"}, words[n-1]) {
		part, words = words[n-1], words[:n-1]
	}
	hour := func(w string) int {
		if n, err := strconv.Atoi(w); err == nil && n >= 1 && n <= 12 {
			return n
		}
		return englishHours[w]
	}
	switch {
	case len(words) == 1 && englishHours[words[0]] > 0:
		hh = englishHours[words[0]]
	case len(words) == 2 && englishHours[words[0]] > 0 && englishMinutes[words[1]] > 0:
		hh, mm = englishHours[words[0]], englishMinutes[words[1]] // "nine thirty"
	case len(words) == 3 && words[1] == "past" && (words[0] == "half" || words[0] == "quarter") && hour(words[2]) > 0:
		hh, mm = hour(words[2]), 30
		if words[0] == "quarter" {
			mm = 15
		}
	case len(words) == 3 && words[0] == "quarter" && (words[1] == "to" || words[1] == "til" || words[1] == "till") && hour(words[2]) > 0:
		hh, mm = hour(words[2])-1, 45
		if hh == 0 {
			hh = 12
		}
	default:
		return 0, 0, false
	}
	return officeHour(hh, part), mm, true
}

// officeHour is an hour said without a day's half ("полдесятого", "half
// past nine") on the 24-hour clock of an office's day: in the morning
// with "am", "утра"; in the afternoon with "pm", "дня", "вечера", or when
// it is before 7, as offices are open ("полвторого" is 13:30).
func officeHour(hh int, part string) int {
	switch part {
	case "am", "утра":
		if hh == 12 {
			return 0
		}
		return hh
	case "pm", "дня", "вечера":
	default:
		if hh >= 7 {
			return hh
		}
	}
	if hh < 12 {
		hh += 12
	}
	return hh
}

// englishHours and englishMinutes are the hours and the minutes in words.
var (
	englishHours = map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
		"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
	englishMinutes = map[string]int{"fifteen": 15, "thirty": 30, "forty": 40, "fortyfive": 45, "twenty": 20,
		"ten": 10, "fifty": 50}
)

// ordinalHours and cardinalHours are the hours in words: "десятого",
// "десять".
var (
	ordinalHours = map[string]int{"первого": 1, "второго": 2, "третьего": 3, "четвертого": 4, "пятого": 5,
		"шестого": 6, "седьмого": 7, "восьмого": 8, "девятого": 9, "десятого": 10, "одиннадцатого": 11,
		"двенадцатого": 12}
	cardinalHours = map[string]int{"час": 1, "два": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7,
		"восемь": 8, "девять": 9, "десять": 10, "одиннадцать": 11, "двенадцать": 12}
)

// officesFor are the offices the office typed for a check-in matches, as
// the list shows them: "в Хьюстоне" finds Houston's office, as "Хьюстон"
// does (placeForms).
func (c *turn) officesFor(ctx context.Context, query string) ([]Office, error) {
	for _, q := range placeForms(query) {
		ms, err := c.matchOffices(ctx, q)
		if err != nil || len(ms) > 0 {
			return ms, err
		}
	}
	return nil, nil
}

// checkinStart is the instant of a check-in from its local date, local
// time and zone. A local time that does not exist (the hour skipped when
// clocks go forward) is read as Go reads it: the same clock time in the
// offset before the change.
func checkinStart(date, clock, zone string) (time.Time, error) {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", date+" "+clock, loc)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// checkinReview shows what will be stored, with buttons to change it.
func (c *turn) checkinReview() error {
	d := c.s.Checkin
	start, err := checkinStart(d.Date, d.Clock, d.Zone)
	if err != nil {
		return fmt.Errorf("start of check-in draft %s: %w", d.ID, err)
	}
	hours := d.Hours
	if hours == 0 {
		hours = checkinDefaultHours
	}
	an := T("checkin.anumber_unknown")
	if d.ANumber != "" {
		an = T("value.raw", "V", FormatANumber(d.ANumber))
	}
	c.say(T("checkin.review", "Office", c.draftOffice(), "When", whenText(start, d.Zone),
		"End", whenText(start.Add(time.Duration(hours)*time.Hour), d.Zone), "Name", d.Name, "ANumber", an))
	var row []Button
	for _, h := range checkinHours() {
		row = append(row, c.ckOpt("h"+strconv.Itoa(h), T("btn.checkin_hours", "On", h == hours).Plural(h)))
	}
	c.buttons = [][]Button{
		{c.ckOpt("save", T("btn.checkin_save"))},
		row,
		{c.ckOpt("e"+ckOffice, T("btn.checkin_edit_office")), c.ckOpt("e"+ckDate, T("btn.checkin_edit_when"))},
		{c.ckOpt("e"+ckName, T("btn.checkin_edit_name")), c.ckOpt("e"+ckANumber, T("btn.checkin_edit_anumber"))},
	}
	return nil
}

// reviewAnswer runs a button of the review screen.
func (c *turn) reviewAnswer(ctx context.Context, v string, button bool) error {
	d := c.s.Checkin
	if !button {
		c.say(T("input.use_buttons"))
		return c.checkinPrompt(ctx)
	}
	switch {
	case v == "save":
		return c.saveCheckin(ctx)
	case strings.HasPrefix(v, "h"):
		h, err := strconv.Atoi(v[1:])
		if err != nil || h < 1 || h > 12 {
			return c.checkinPrompt(ctx)
		}
		d.Hours = h
		if c.in.Kind == KindButton { // not a caption typed for it
			c.edit = c.in.MessageID
		}
		return c.checkinPrompt(ctx)
	case strings.HasPrefix(v, "e"):
		step := v[1:]
		switch step {
		case ckOffice:
			d.Query = ""
		case ckDate, ckName, ckANumber:
		default:
			return c.checkinPrompt(ctx)
		}
		c.s.Edit = step
		c.s.Back = append(c.s.Back, ckReview)
		c.s.Step = step
		return c.checkinPrompt(ctx)
	}
	return c.checkinPrompt(ctx)
}

// timersOf are the timers of a check-in that are still ahead at now. The
// day-before reminder keeps the local time across a change of daylight
// saving time: a Monday 9:00 check-in is reminded of on Sunday at 9:00.
func timersOf(start, end time.Time, zone string, grace time.Duration, now time.Time) ([]CheckinTimer, error) {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, err
	}
	local := start.In(loc)
	all := []CheckinTimer{
		{Kind: TimerDay, Due: local.AddDate(0, 0, -1).UTC()},
		{Kind: TimerSoon, Due: start.Add(-checkinSoon)},
		{Kind: TimerAsk, Due: end},
		{Kind: TimerAsk2, Due: end.Add(grace)},
		{Kind: TimerAlarm, Due: end.Add(2 * grace)},
	}
	var out []CheckinTimer
	for _, t := range all {
		if t.Kind == TimerDay || t.Kind == TimerSoon {
			if !t.Due.After(now) {
				continue
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// saveCheckin stores the check-in and asks for trusted contacts.
func (c *turn) saveCheckin(ctx context.Context) error {
	d := c.s.Checkin
	start, err := checkinStart(d.Date, d.Clock, d.Zone)
	if err != nil {
		return fmt.Errorf("start of check-in draft %s: %w", d.ID, err)
	}
	if !start.After(c.now) {
		c.say(T("checkin.time_past"))
		c.s.Step = ckDate
		return c.checkinPrompt(ctx)
	}
	hours := d.Hours
	if hours == 0 {
		hours = checkinDefaultHours
	}
	end := start.Add(time.Duration(hours) * time.Hour)
	timers, err := timersOf(start, end, d.Zone, c.a.cfg.CheckinGrace, c.now)
	if err != nil {
		return fmt.Errorf("timers of check-in draft %s: %w", d.ID, err)
	}
	k, err := c.a.d.Checkins.Create(ctx, &Checkin{DraftID: d.ID, ChatID: c.in.ChatID, UserID: c.in.UserID,
		Lang: c.s.Lang, OfficeCode: d.OfficeCode, OfficeText: d.OfficeText, State: d.State, Zone: d.Zone,
		Start: start, End: end, Name: d.Name, ANumber: d.ANumber, Prev: d.Prev}, timers)
	if errors.Is(err, ErrCheckinActive) {
		c.reset()
		c.say(T("checkin.two_at_once"))
		old, err := c.a.d.Checkins.Active(ctx, c.in.UserID)
		if err != nil {
			return fmt.Errorf("active check-in of %d: %w", c.in.UserID, err)
		}
		return c.showCheckin(ctx, old)
	}
	if err != nil {
		return fmt.Errorf("store check-in draft %s: %w", d.ID, err)
	}
	c.reset()
	if d.Moved {
		// The trusted contacts who agreed stand by for the old time:
		// they are told the new one.
		for _, p := range k.Contacts {
			if !p.Accepted.IsZero() && p.ChatID != 0 {
				c.send(Reply{ChatID: p.ChatID, Lang: Lang(p.Lang), Priority: PriorityReply,
					Texts: []Text{T("checkin.moved_contact", "Name", k.Name, "Office", c.officeText(k),
						"When", whenText(k.Start, k.Zone))}})
			}
		}
	}
	// The reminders promised are those still ahead: a check-in tomorrow
	// morning registered this afternoon has no day-before reminder.
	ahead := func(kind string) bool {
		return slices.ContainsFunc(timers, func(t CheckinTimer) bool { return t.Kind == kind })
	}
	c.say(T("checkin.saved", "Office", c.officeText(k), "When", whenText(k.Start, k.Zone),
		"End", whenText(k.End, k.Zone), "Grace", waitText(c.a.cfg.CheckinGrace),
		"Day", ahead(TimerDay), "Soon", ahead(TimerSoon)))
	return c.contactsMenu(k)
}

// officeText names a check-in's office.
func (c *turn) officeText(k Checkin) Text { return officeOf(c.a.d.Offices, k) }

// selfWords answer "the name of the person going" with themselves
// (captionKey).
var selfWords = map[string]bool{
	"me": true, "myself": true, "i": true, "i am": true, "i m": true, "it s me": true, "its me": true, "me myself": true,
	"for me": true, "for myself": true, "i am going": true, "i m going": true, "i go": true, "mine": true, "my own": true,
	"я": true, "я сам": true, "я сама": true, "сам": true, "сама": true, "это я": true, "я же": true, "мне": true,
	"себе": true, "для себя": true, "на себя": true, "я иду": true, "иду я": true, "моя": true, "мой": true, "моя отметка": true,
}

// afterSelf is the name after a word for oneself set off by a comma, a
// colon or a dash ("me, Alex Ivanov", "это я — Алексей Иванов"); v as it
// is otherwise. The name was "me, Alex Ivanov", shown to the trusted
// contacts.
func afterSelf(v string) string {
	head, rest, ok := strings.Cut(strings.Map(func(r rune) rune {
		if strings.ContainsRune(",:—–", r) {
			return ','
		}
		return r
	}, v), ",")
	if !ok || !selfWords[captionKey(head)] && !selfSaid(head) {
		return v
	}
	rest = strings.Trim(rest, " ,-")
	if !hasLetter(rest) {
		return v
	}
	return rest
}

// selfSaid reports whether words say "it is I who goes" in more words
// than selfWords holds: "это я иду", "I'm the one going", "я сама пойду".
// The name was "это я иду, Мария Рахимова".
func selfSaid(head string) bool {
	words := strings.Fields(captionKey(head))
	me := slices.ContainsFunc(words, func(w string) bool { return selfWords[w] })
	return me && len(words) <= 5 && !slices.ContainsFunc(words, func(w string) bool { return !selfFiller[w] && !selfWords[w] })
}

// selfFiller are the words said around oneself in selfSaid.
var selfFiller = map[string]bool{"это": true, "иду": true, "пойду": true, "буду": true, "идти": true, "тот": true,
	"та": true, "кто": true, "am": true, "m": true, "it": true, "s": true, "going": true, "go": true, "will": true,
	"ll": true, "the": true, "one": true, "who": true, "that": true, "myself": true}

func officeOf(offices Offices, k Checkin) Text {
	if k.OfficeCode != "" {
		if o, err := offices.Get(k.OfficeCode); err == nil {
			return T("value.raw", "V", officeLabel(o))
		}
	}
	return T("checkin.office_typed", "Office", k.OfficeText, "State", k.State)
}

// whenText is an instant in the office's time zone: weekday, date, time
// and the zone's abbreviation.
func whenText(t time.Time, zone string) Text {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	l := t.In(loc)
	return T("checkin.when", "Weekday", T("weekday."+strconv.Itoa(int(l.Weekday()))), "Date", dateText(l),
		"Time", l.Format("15:04"), "Time12", l.Format("3:04 PM"), "Zone", l.Format("MST"))
}
