package flows

import (
	"context"
	"errors"
	"fmt"
	"regexp"
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
	Hours      int    `json:"h,omitempty"` // the expected length; 0: the default
	Name       string `json:"n,omitempty"`
	ANumber    string `json:"a,omitempty"`
	NoANumber  bool   `json:"na,omitempty"`
	Prev       int64  `json:"p,omitempty"`  // the check-in this one follows
	Saved      int64  `json:"sv,omitempty"` // adding a phone contact to this check-in
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
	ckDone     = "ok"  // ok:<id>: no more contacts
	ckOut      = "out" // out:<id>: I'm out, all fine
	ckNext     = "nx"  // nx:<id>: out, and the next check-in
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
	k, err := c.a.d.Checkins.Active(ctx, c.in.UserID)
	switch {
	case err == nil:
		c.reset()
		c.say(T("checkin.have_one"))
		return c.showCheckin(ctx, k)
	case !errors.Is(err, ErrNotFound):
		return fmt.Errorf("active check-in of %d: %w", c.in.UserID, err)
	}
	c.reset()
	c.s.Flow, c.s.Step = flowCheckin, ckConsent
	c.s.Nonce = nonceOf(c.a.d.NewID())
	c.s.Checkin = &CheckinDraft{ID: c.a.d.NewID()}
	return c.checkinPrompt(ctx)
}

// ckOpt is a button answering the current registration step.
func (c *turn) ckOpt(value string, t Text) Button {
	return Button{Text: t, Data: dataCheckin + ":" + ckAnswer + ":" + c.s.Nonce + ":" + c.s.Step + ":" + value}
}

// ckLabel is ckOpt with a caption shown as is.
func (c *turn) ckLabel(value, label string) Button {
	return Button{Label: label, Data: dataCheckin + ":" + ckAnswer + ":" + c.s.Nonce + ":" + c.s.Step + ":" + value}
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
			return nil
		}
		ms, err := c.a.d.Offices.Match(ctx, d.Query, officeMatches)
		if err != nil {
			return fmt.Errorf("match offices: %w", err)
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
	case ckTime:
		c.say(T("checkin.ask_time", "Date", dateText(dateOf(d.Date)), "Office", c.draftOffice()))
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

// officeLabel is an office as a button shows it.
func officeLabel(o Office) string {
	if o.City == o.Name {
		return o.Name + ", " + o.State
	}
	return o.Name + " (" + o.City + ", " + o.State + ")"
}

// checkinTyped takes a typed answer in the registration.
func (c *turn) checkinTyped(ctx context.Context) error {
	if c.in.Kind != KindText {
		c.say(T("input.media"))
		return c.checkinPrompt(ctx)
	}
	return c.checkinAnswer(ctx, c.in.Text, false)
}

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
		if !button {
			if p := checkText(v, maxOfficeText); p != nil {
				c.say(*p)
				return c.checkinPrompt(ctx)
			}
			d.Query = strings.Join(strings.Fields(v), " ")
			return c.checkinPrompt(ctx)
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
		switch {
		case button && v == "today":
			day = today
		case button && v == "tomorrow":
			day = today.AddDate(0, 0, 1)
		case button:
			return c.checkinPrompt(ctx)
		default:
			t, p := parseCheckinDate(v, today)
			if p != nil {
				c.say(*p)
				return c.checkinPrompt(ctx)
			}
			day = t
		}
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
	case ckTime:
		if button {
			return c.checkinPrompt(ctx)
		}
		hh, mm, ok := ParseClock(v)
		if !ok {
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
		name, p := ParseName(v, maxName)
		if p != nil {
			c.say(*p)
			return c.checkinPrompt(ctx)
		}
		d.Name = name
		next = ckANumber
	case ckANumber:
		switch {
		case button && v == "unknown":
			d.ANumber, d.NoANumber = "", true
		case button && v == "=" && d.ANumber != "":
		case button:
			return c.checkinPrompt(ctx)
		case ParseUnknown(v):
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

// checkText refuses an empty or too long typed answer.
func checkText(v string, max int) *Text {
	_, p := ParseText(v, max)
	return p
}

// checkinDateDayMonth is a date without a year: "15.12", "15/12".
var checkinDateDayMonth = regexp.MustCompile(`^\s*(\d{1,2})[./-](\d{1,2})\s*$`)

// parseCheckinDate reads the day of a check-in. A date without a year is
// the next such day from today on.
func parseCheckinDate(s string, today time.Time) (time.Time, *Text) {
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
// 21ч, 9 утра, 9 вечера.
var clockRe = regexp.MustCompile(`^(\d{1,2})(?:\s*[:.hч ]\s*(\d{2}))?\s*(am|a\.m\.|pm|p\.m\.|утра|дня|вечера|ночи|ч|часов|час|часа)?$`)

// ParseClock reads a time of day typed as people write it; ok is false
// when it is not one.
func ParseClock(s string) (hh, mm int, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
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
	case "am", "a.m":
		if hh < 1 || hh > 12 {
			return 0, 0, false
		}
		if hh == 12 {
			hh = 0
		}
	case "pm", "p.m", "дня", "вечера":
		if hh < 1 || hh > 12 {
			return 0, 0, false
		}
		if hh != 12 {
			hh += 12
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
		c.edit = c.in.MessageID
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
	c.say(T("checkin.saved", "Office", c.officeText(k), "When", whenText(k.Start, k.Zone),
		"End", whenText(k.End, k.Zone), "Grace", waitText(c.a.cfg.CheckinGrace)))
	return c.contactsMenu(k)
}

// officeText names a check-in's office.
func (c *turn) officeText(k Checkin) Text { return officeOf(c.a.d.Offices, k) }

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

// contactsMenu says who the trusted contacts are and offers to add one.
func (c *turn) contactsMenu(k Checkin) error {
	accepted, pending, phones := 0, 0, 0
	for _, p := range k.Contacts {
		switch {
		case p.Phone != "":
			phones++
		case !p.Accepted.IsZero():
			accepted++
		case p.pending():
			pending++
		}
	}
	c.say(T("checkin.contacts", "Accepted", accepted, "Pending", pending, "Phones", phones))
	id := strconv.FormatInt(k.ID, 10)
	if len(k.Contacts) < maxContacts {
		c.say(T("checkin.contacts_ask"))
		c.buttons = append(c.buttons,
			[]Button{{Text: T("btn.checkin_invite"), Data: dataCheckin + ":" + ckInvite + ":" + id}},
			[]Button{{Text: T("btn.checkin_phone"), Data: dataCheckin + ":" + ckAddPhone + ":" + id}})
	}
	c.buttons = append(c.buttons, []Button{{Text: T("btn.checkin_contacts_done"), Data: dataCheckin + ":" + ckDone + ":" + id}})
	return nil
}

// showCheckin shows the user's check-in with what they can do.
func (c *turn) showCheckin(ctx context.Context, k Checkin) error {
	c.say(T("checkin.show", "Office", c.officeText(k), "When", whenText(k.Start, k.Zone),
		"End", whenText(k.End, k.Zone)))
	id := strconv.FormatInt(k.ID, 10)
	if err := c.contactsMenu(k); err != nil {
		return err
	}
	c.buttons = append(c.buttons,
		[]Button{{Text: T("btn.checkin_out"), Data: dataCheckin + ":" + ckOut + ":" + id}},
		[]Button{{Text: T("btn.checkin_cancel"), Data: dataCheckin + ":" + ckCancel + ":" + id}},
		[]Button{{Text: T("btn.menu"), Data: dataMenu + ":menu"}})
	return nil
}

// checkinButton runs this feature's buttons.
func checkinButton(ctx context.Context, c *turn, rest string) error {
	act, arg, _ := strings.Cut(rest, ":")
	if act == ckAnswer {
		nonce, rest, _ := strings.Cut(arg, ":")
		step, v, _ := strings.Cut(rest, ":")
		if c.s.Flow != flowCheckin || nonce != c.s.Nonce || c.s.Checkin == nil {
			c.say(T("button.old"))
			return c.again(ctx)
		}
		if step != c.s.Step {
			c.say(T("button.old_step"))
			return c.checkinPrompt(ctx)
		}
		return c.checkinAnswer(ctx, v, true)
	}
	switch act {
	case ckAccept, ckDecline:
		return c.contactAnswer(ctx, arg, act == ckAccept)
	}
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		c.say(T("button.old"))
		return c.again(ctx)
	}
	k, err := c.a.d.Checkins.Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		c.say(T("button.old"))
		return c.again(ctx)
	}
	if err != nil {
		return fmt.Errorf("check-in %d: %w", id, err)
	}
	if k.UserID != c.in.UserID {
		// Only the registered person answers for themselves: a forwarded
		// button, or a contact pressing it, changes nothing.
		c.say(T("checkin.not_yours"))
		return c.again(ctx)
	}
	switch act {
	case ckInvite:
		return c.invite(ctx, k)
	case ckAddPhone:
		if k.Status != CheckinActive {
			c.say(T("checkin.closed"))
			return c.again(ctx)
		}
		if len(k.Contacts) >= maxContacts {
			c.say(T("checkin.contacts_full"))
			return c.contactsMenu(k)
		}
		c.reset()
		c.s.Flow, c.s.Step = flowPhone, ckPhone
		c.s.Checkin = &CheckinDraft{Saved: k.ID}
		return c.checkinPrompt(ctx)
	case ckDone:
		c.say(T("checkin.contacts_done"))
		c.footer()
		return nil
	case ckOut:
		return c.out(ctx, k)
	case ckNext:
		return c.nextCheckin(ctx, k)
	case ckHelp:
		c.say(T("checkin.help_offer"))
		c.buttons = [][]Button{
			{{Text: T("btn.volunteer_now"), Data: dataMenu + ":urgent"}},
			{{Text: T("btn.checkin_out"), Data: dataCheckin + ":" + ckOut + ":" + arg}},
		}
		return nil
	case ckCancel:
		if k.Status != CheckinActive {
			c.say(T("checkin.closed"))
			return c.again(ctx)
		}
		c.say(T("checkin.cancel_ask"))
		c.buttons = [][]Button{
			{{Text: T("btn.checkin_cancel_yes"), Data: dataCheckin + ":" + ckCancelOK + ":" + arg}},
			{{Text: T("btn.menu"), Data: dataMenu + ":menu"}},
		}
		return nil
	case ckCancelOK:
		ok, err := c.a.d.Checkins.SetStatus(ctx, k.ID, []string{CheckinActive}, CheckinCancelled, c.now)
		if err != nil {
			return fmt.Errorf("cancel check-in %d: %w", k.ID, err)
		}
		if ok {
			c.say(T("checkin.cancelled"))
		} else {
			c.say(T("checkin.closed"))
		}
		c.footer()
		return nil
	}
	c.say(T("button.old"))
	return c.again(ctx)
}

// invite makes a link for a trusted contact, to forward to them.
func (c *turn) invite(ctx context.Context, k Checkin) error {
	if k.Status != CheckinActive {
		c.say(T("checkin.closed"))
		return c.again(ctx)
	}
	p, err := c.a.d.Checkins.AddContact(ctx, k.ID, Contact{Token: contactToken(c.a.d.NewID())})
	if errors.Is(err, ErrTooManyContacts) {
		c.say(T("checkin.contacts_full"))
		return c.contactsMenu(k)
	}
	if err != nil {
		return fmt.Errorf("invite for check-in %d: %w", k.ID, err)
	}
	link := "https://t.me/" + c.a.cfg.BotUsername + "?start=t_" + p.Token
	// The message is made to be forwarded as it is: no buttons, nothing
	// but the invitation; /checkin shows the check-in again.
	c.say(T("checkin.invite_forward", "Name", k.Name, "Link", link))
	return nil
}

// contactToken is a link's token: 80 random bits, short enough for a
// /start payload.
func contactToken(id string) string { return nonceOf(id) + nonceOf(id+"t") }

// phoneTyped takes a trusted contact's phone number.
func (c *turn) phoneTyped(ctx context.Context) error {
	d := c.s.Checkin
	if d == nil || d.Saved == 0 {
		c.reset()
		return c.show(ctx)
	}
	if c.in.Kind != KindText {
		c.say(T("input.media"))
		return c.checkinPrompt(ctx)
	}
	v, p := ParseContact(c.in.Text)
	if p == nil && (strings.Contains(v, "@") || countDigits(v) < 7) {
		p = problem("checkin.bad_phone")
	}
	if p != nil {
		c.say(*p)
		return c.checkinPrompt(ctx)
	}
	k, err := c.a.d.Checkins.Get(ctx, d.Saved)
	if err != nil {
		return fmt.Errorf("check-in %d: %w", d.Saved, err)
	}
	c.reset()
	if k.Status != CheckinActive {
		c.say(T("checkin.closed"))
		return c.show(ctx)
	}
	added, err := c.a.d.Checkins.AddContact(ctx, k.ID, Contact{Phone: v})
	if errors.Is(err, ErrTooManyContacts) {
		c.say(T("checkin.contacts_full"))
		return c.contactsMenu(k)
	}
	if err != nil {
		return fmt.Errorf("phone for check-in %d: %w", k.ID, err)
	}
	k.Contacts = append(k.Contacts, added)
	c.say(T("checkin.phone_added"))
	return c.contactsMenu(k)
}

// contactInvite is a contact opening the link: who asks them and what
// agreeing means.
func (c *turn) contactInvite(ctx context.Context, token string) error {
	if c.inReport() {
		c.say(T("checkin.in_report"))
		return c.show(ctx)
	}
	k, p, err := c.a.d.Checkins.ByToken(ctx, token)
	switch {
	case errors.Is(err, ErrNotFound):
		c.reset()
		c.say(T("checkin.invite_old"))
		c.footer()
		return nil
	case err != nil:
		return fmt.Errorf("check-in invite for %d: %w", c.in.UserID, err)
	}
	c.reset()
	switch {
	case k.UserID == c.in.UserID:
		c.say(T("checkin.invite_self"))
		c.footer()
		return nil
	case k.Status != CheckinActive:
		c.say(T("checkin.invite_old"))
		c.footer()
		return nil
	case !p.Accepted.IsZero() && p.ChatID == c.in.ChatID:
		c.say(T("checkin.contact_already"))
		c.footer()
		return nil
	case !p.Accepted.IsZero() || !p.Declined.IsZero():
		c.say(T("checkin.invite_used"))
		c.footer()
		return nil
	}
	c.say(T("checkin.invite", "Name", k.Name, "Office", c.officeText(k), "When", whenText(k.Start, k.Zone),
		"Grace", waitText(2*c.a.cfg.CheckinGrace)))
	c.buttons = [][]Button{
		{{Text: T("btn.checkin_contact_yes"), Data: dataCheckin + ":" + ckAccept + ":" + token}},
		{{Text: T("btn.checkin_contact_no"), Data: dataCheckin + ":" + ckDecline + ":" + token}},
	}
	return nil
}

// contactAnswer records a contact's yes or no and tells the registrant.
func (c *turn) contactAnswer(ctx context.Context, token string, accept bool) error {
	k, _, err := c.a.d.Checkins.ByToken(ctx, token)
	if errors.Is(err, ErrNotFound) || err == nil && (k.Status != CheckinActive || k.UserID == c.in.UserID) {
		c.say(T("checkin.invite_old"))
		c.footer()
		return nil
	}
	if err != nil {
		return fmt.Errorf("check-in invite for %d: %w", c.in.UserID, err)
	}
	changed, err := c.a.d.Checkins.Answer(ctx, token, c.in.ChatID, c.s.Lang, accept, c.now)
	if err != nil {
		return fmt.Errorf("answer to check-in %d invite: %w", k.ID, err)
	}
	if !changed {
		c.say(T("checkin.invite_used"))
		c.footer()
		return nil
	}
	if accept {
		c.say(T("checkin.contact_agreed", "Name", k.Name, "When", whenText(k.Start, k.Zone)))
		c.send(Reply{ChatID: k.ChatID, Lang: k.Lang, Priority: PriorityNotice, Texts: []Text{T("checkin.contact_joined")}})
	} else {
		c.say(T("checkin.contact_declined_self"))
		c.send(Reply{ChatID: k.ChatID, Lang: k.Lang, Priority: PriorityNotice, Texts: []Text{T("checkin.contact_declined")}})
	}
	c.footer()
	return nil
}

// out is "I'm out, all fine". Before the alarm it closes the check-in and
// tells nobody; after it, the case gets the news and the people the alarm
// told hear that the person is out.
func (c *turn) out(ctx context.Context, k Checkin) error {
	switch k.Status {
	case CheckinActive:
		ok, err := c.a.d.Checkins.SetStatus(ctx, k.ID, []string{CheckinActive}, CheckinOut, c.now)
		if err != nil {
			return fmt.Errorf("close check-in %d: %w", k.ID, err)
		}
		if ok {
			c.say(T("checkin.out_ok"))
			c.footer()
			return nil
		}
		// The alarm went off meanwhile.
		if k, err = c.a.d.Checkins.Get(ctx, k.ID); err != nil {
			return fmt.Errorf("check-in %d: %w", k.ID, err)
		}
		if k.Status == CheckinAlarm {
			return c.out(ctx, k)
		}
	case CheckinAlarm:
		ok, err := c.a.d.Checkins.SetStatus(ctx, k.ID, []string{CheckinAlarm}, CheckinOutAfterAlarm, c.now)
		if err != nil {
			return fmt.Errorf("close check-in %d: %w", k.ID, err)
		}
		if ok {
			rs, err := c.a.outAfterAlarm(ctx, k, c.now)
			if err != nil {
				return err
			}
			for _, r := range rs {
				c.send(r)
			}
			c.say(T("checkin.out_after_alarm", "Code", FormatCode(k.CaseCode)))
			c.footer()
			return nil
		}
	}
	c.say(T("checkin.out_already"))
	c.footer()
	return nil
}

// nextCheckin is "Next check-in: set a date": the person is out, and a new
// check-in at the same office, for the same person, with the same
// contacts, is registered from its date on.
func (c *turn) nextCheckin(ctx context.Context, k Checkin) error {
	var extra []Reply
	switch k.Status {
	case CheckinActive:
		ok, err := c.a.d.Checkins.SetStatus(ctx, k.ID, []string{CheckinActive}, CheckinMoved, c.now)
		if err != nil {
			return fmt.Errorf("close check-in %d: %w", k.ID, err)
		}
		if !ok {
			c.say(T("checkin.out_already"))
			c.footer()
			return nil
		}
	case CheckinAlarm:
		ok, err := c.a.d.Checkins.SetStatus(ctx, k.ID, []string{CheckinAlarm}, CheckinOutAfterAlarm, c.now)
		if err != nil {
			return fmt.Errorf("close check-in %d: %w", k.ID, err)
		}
		if ok {
			if extra, err = c.a.outAfterAlarm(ctx, k, c.now); err != nil {
				return err
			}
		}
	case CheckinOut, CheckinOutAfterAlarm:
	default:
		c.say(T("checkin.closed"))
		c.footer()
		return nil
	}
	c.reset()
	c.s.Flow, c.s.Step = flowCheckin, ckDate
	c.s.Nonce = nonceOf(c.a.d.NewID())
	c.s.Checkin = &CheckinDraft{ID: c.a.d.NewID(), Consent: true, OfficeCode: k.OfficeCode, OfficeText: k.OfficeText,
		State: k.State, Zone: k.Zone, Name: k.Name, ANumber: k.ANumber, NoANumber: k.ANumber == "", Prev: k.ID}
	c.s.Edit = ckDate // then straight to the review
	for _, r := range extra {
		c.send(r)
	}
	c.say(T("checkin.next_intro"))
	return c.checkinPrompt(ctx)
}

// CheckinTick fires the check-in timers that are due: reminders, "are you
// out?" twice, and the alarm. Each timer is claimed in the store for a
// lease, its messages are handed to send, and only then is it marked
// fired: a process that dies in between leaves the timer to another
// process once the lease runs out, so no timer is skipped; one that
// finishes marks it, so none fires twice (a crash after send and before
// the mark sends again, like the outbox itself: at least once). Timers
// due while the bot was down fire when it is back, marked late. Call it
// every few seconds from every replica.
func (a *App) CheckinTick(ctx context.Context, send func(context.Context, []Reply) error) error {
	now := a.d.Now()
	// A timer that fails (a row that does not open) is left to its lease
	// and tried again later; it does not hold up the others.
	var failed []error
	for {
		ts, err := a.d.Checkins.Due(ctx, now, checkinLease, 50)
		if err != nil {
			return errors.Join(append(failed, fmt.Errorf("claim check-in timers: %w", err))...)
		}
		for _, t := range ts {
			rs, err := a.fire(ctx, t, now)
			if err != nil {
				failed = append(failed, fmt.Errorf("check-in %d timer %s: %w", t.CheckinID, t.Kind, err))
				continue
			}
			if len(rs) > 0 {
				if err := send(ctx, rs); err != nil {
					return errors.Join(append(failed, fmt.Errorf("send check-in %d timer %s: %w", t.CheckinID, t.Kind, err))...)
				}
			}
			if err := a.d.Checkins.Fired(ctx, t.ID, now); err != nil {
				return errors.Join(append(failed, fmt.Errorf("mark check-in %d timer %s: %w", t.CheckinID, t.Kind, err))...)
			}
		}
		if len(ts) < 50 {
			return errors.Join(failed...)
		}
	}
}

// fire builds what one timer sends.
func (a *App) fire(ctx context.Context, t CheckinTimer, now time.Time) ([]Reply, error) {
	k, err := a.d.Checkins.Get(ctx, t.CheckinID)
	if err != nil {
		return nil, err
	}
	if k.Status != CheckinActive && !(t.Kind == TimerAlarm && k.Status == CheckinAlarm) {
		return nil, nil // out, cancelled or erased meanwhile
	}
	// A timer whose next one is due as well (the bot was down through
	// both) gives way to it: one late message, not two.
	switch {
	case t.Kind == TimerDay && !now.Before(k.Start.Add(-checkinSoon)),
		t.Kind == TimerSoon && !now.Before(k.Start),
		t.Kind == TimerAsk && !now.Before(k.End.Add(a.cfg.CheckinGrace)),
		t.Kind == TimerAsk2 && !now.Before(k.End.Add(2*a.cfg.CheckinGrace)):
		return nil, nil
	}
	var late []Text
	if now.Sub(t.Due) > checkinLate {
		late = []Text{T("checkin.late", "Due", whenText(t.Due, k.Zone))}
	}
	id := strconv.FormatInt(k.ID, 10)
	office := officeOf(a.d.Offices, k)
	when := whenText(k.Start, k.Zone)
	person := func(texts []Text, buttons [][]Button) Reply {
		return Reply{ChatID: k.ChatID, Lang: k.Lang, Texts: append(late, texts...), Buttons: buttons, Priority: PriorityReply}
	}
	outButtons := [][]Button{
		{{Text: T("btn.checkin_out"), Data: dataCheckin + ":" + ckOut + ":" + id}},
		{{Text: T("btn.checkin_next"), Data: dataCheckin + ":" + ckNext + ":" + id}},
		{{Text: T("btn.checkin_help"), Data: dataCheckin + ":" + ckHelp + ":" + id}},
	}
	switch t.Kind {
	case TimerDay, TimerSoon:
		texts := []Text{T("checkin.remind_"+t.Kind, "Office", office, "When", when), T("checkin.bring"),
			T("checkin.if_detained")}
		pending, agreed := 0, 0
		for _, p := range k.Contacts {
			if p.pending() {
				pending++
			} else if p.Phone != "" || !p.Accepted.IsZero() {
				agreed++
			}
		}
		switch {
		case pending > 0:
			texts = append(texts, T("checkin.contacts_pending").Plural(pending))
		case agreed == 0:
			texts = append(texts, T("checkin.contacts_none"))
		}
		return []Reply{person(texts, [][]Button{
			{{Text: T("btn.checkin_invite"), Data: dataCheckin + ":" + ckInvite + ":" + id}},
			{{Text: T("btn.checkin_cancel"), Data: dataCheckin + ":" + ckCancel + ":" + id}},
		})}, nil
	case TimerAsk:
		return []Reply{person([]Text{T("checkin.ask_out", "Office", office)}, outButtons)}, nil
	case TimerAsk2:
		return []Reply{person([]Text{T("checkin.ask_out_again", "Wait", waitText(a.cfg.CheckinGrace))}, outButtons)}, nil
	case TimerAlarm:
		return a.alarm(ctx, k, late, now)
	}
	return nil, nil
}

// alarm opens a case as a probable detention at the check-in's office,
// urgent, announces it to the hotline and tells the trusted contacts and
// the person. Every step is idempotent, so a timer fired again after a
// crash opens one case and says the same.
func (a *App) alarm(ctx context.Context, k Checkin, late []Text, now time.Time) ([]Reply, error) {
	if _, err := a.d.Checkins.SetStatus(ctx, k.ID, []string{CheckinActive}, CheckinAlarm, now); err != nil {
		return nil, fmt.Errorf("alarm: %w", err)
	}
	if k2, err := a.d.Checkins.Get(ctx, k.ID); err != nil {
		return nil, err
	} else if k2.Status != CheckinAlarm {
		return nil, nil // "I'm out" got there first
	}
	loc, err := time.LoadLocation(k.Zone)
	if err != nil {
		return nil, err
	}
	officeName := k.OfficeText
	if k.OfficeCode != "" {
		if o, err := a.d.Offices.Get(k.OfficeCode); err == nil {
			officeName = "ICE " + officeLabel(o)
		}
	} else if k.State != "" {
		officeName += ", " + k.State
	}
	r := &Report{DraftID: "checkin:" + strconv.FormatInt(k.ID, 10), Consent: true, ANumber: k.ANumber,
		DetainedOn: k.Start.In(loc).Format(time.DateOnly), Circumstance: "checkin", FacilityText: officeName,
		Urgent: []string{UrgentCheckin}, ReporterChatID: k.ChatID, ReporterUserID: k.UserID, Lang: k.Lang}
	if hasCyrillic(k.Name) {
		r.NameCyrillic = k.Name
	} else {
		r.NameLatin = k.Name
	}
	cs, err := a.d.Cases.Create(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("open case: %w", err)
	}
	if err := a.d.Checkins.SetCase(ctx, k.ID, cs.ID); err != nil {
		return nil, fmt.Errorf("link case %d: %w", cs.ID, err)
	}
	if err := a.d.Audit.Record(ctx, AuditEntry{At: now, Actor: ActorSystem, Action: AuditCheckinAlarm, CaseID: cs.ID,
		Key: "checkin-alarm:" + strconv.FormatInt(k.ID, 10)}); err != nil {
		return nil, fmt.Errorf("audit alarm: %w", err)
	}
	code := FormatCode(cs.Code)
	office := officeOf(a.d.Offices, k)
	when := whenText(k.Start, k.Zone)
	var out []Reply
	out = append(out, Reply{ChatID: k.ChatID, Lang: k.Lang, Priority: PriorityReply,
		Texts:   append(late, T("checkin.alarm_person", "Code", code)),
		Buttons: [][]Button{{{Text: T("btn.checkin_out"), Data: dataCheckin + ":" + ckOut + ":" + strconv.FormatInt(k.ID, 10)}}}})
	var phones []string
	for _, p := range k.Contacts {
		switch {
		case p.Phone != "":
			phones = append(phones, p.Phone)
		case !p.Accepted.IsZero() && p.ChatID != 0:
			// They follow the case's public changes from now on, as a
			// friend with the code does.
			if err := a.d.Subscriptions.Subscribe(ctx, cs.ID, p.ChatID, p.Lang); err != nil {
				return nil, fmt.Errorf("subscribe contact of check-in %d: %w", k.ID, err)
			}
			out = append(out, Reply{ChatID: p.ChatID, Lang: Lang(p.Lang), Priority: PriorityReply,
				Texts: append(late, T("checkin.alarm_contact", "Name", k.Name, "Office", office, "When", when, "Code", code))})
		}
	}
	hotline, err := a.announceCase(ctx, cs, Alarm{Office: office, When: when, Phones: phones, Late: late})
	if err != nil {
		return nil, err
	}
	return append(out, hotline...), nil
}

// UrgentCheckin marks a case opened by a check-in's alarm.
const UrgentCheckin = "checkin"

// Audit entries of check-in safety.
const (
	AuditCheckinAlarm = "checkin_alarm" // the alarm opened the case from the registered data
	AuditCheckinOut   = "checkin_out"   // the person said they were out after the alarm
)

// Alarm is what the hotline is told of a check-in alarm besides the case.
type Alarm struct {
	Office Text
	When   Text
	Phones []string // trusted contacts to call
	Late   []Text
}

// announceCase tells the hotline of a case the check-in alarm opened: the
// members on duty and the coordinators, each once, in their language.
func (a *App) announceCase(ctx context.Context, cs Case, al Alarm) ([]Reply, error) {
	onDuty, err := a.onDuty(ctx, 0)
	if err != nil {
		return nil, err
	}
	coords, err := a.coordinators(ctx)
	if err != nil {
		return nil, err
	}
	texts := append(al.Late, T("checkin.alarm_hotline", "Code", FormatCode(cs.Code), "Office", al.Office, "When", al.When))
	if len(al.Phones) > 0 {
		texts = append(texts, T("checkin.alarm_phones", "Phones", strings.Join(al.Phones, ", ")))
	}
	seen := map[int64]bool{}
	var out []Reply
	for _, v := range append(onDuty, coords...) {
		if seen[v.UserID] {
			continue
		}
		seen[v.UserID] = true
		out = append(out, Reply{ChatID: v.UserID, Lang: Lang(v.Lang), Priority: PriorityReply, Texts: texts})
	}
	return out, nil
}

// outAfterAlarm adds "the person is out" to the case the alarm opened and
// tells the people the alarm told: the contacts who agreed and the hotline.
func (a *App) outAfterAlarm(ctx context.Context, k Checkin, now time.Time) ([]Reply, error) {
	if k.CaseID == 0 {
		return nil, nil
	}
	key := "checkin-out:" + strconv.FormatInt(k.ID, 10)
	if _, err := a.d.Timeline.Record(ctx, Event{CaseID: k.CaseID, Kind: EventNote, Note: checkinOutNote,
		Actor: ActorUser(k.UserID), Key: key, At: now}); err != nil {
		return nil, fmt.Errorf("record the news of check-in %d: %w", k.ID, err)
	}
	if err := a.d.Audit.Record(ctx, AuditEntry{At: now, Actor: ActorUser(k.UserID), Action: AuditCheckinOut,
		CaseID: k.CaseID, Key: key}); err != nil {
		return nil, fmt.Errorf("audit the news of check-in %d: %w", k.ID, err)
	}
	code := FormatCode(k.CaseCode)
	var out []Reply
	for _, p := range k.Contacts {
		if !p.Accepted.IsZero() && p.ChatID != 0 {
			out = append(out, Reply{ChatID: p.ChatID, Lang: Lang(p.Lang), Priority: PriorityReply,
				Texts: []Text{T("checkin.out_contact", "Name", k.Name, "Code", code)}})
		}
	}
	onDuty, err := a.onDuty(ctx, 0)
	if err != nil {
		return nil, err
	}
	coords, err := a.coordinators(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	for _, v := range append(onDuty, coords...) {
		if !seen[v.UserID] {
			seen[v.UserID] = true
			out = append(out, Reply{ChatID: v.UserID, Lang: Lang(v.Lang), Priority: PriorityReply,
				Texts: []Text{T("checkin.out_hotline", "Code", code)}})
		}
	}
	return out, nil
}

// checkinOutNote is the internal note the case gets when the person says
// they are out after the alarm: a fixed marker for the volunteers, in the
// hotline's working language, with no personal data.
const checkinOutNote = "Check-in safety line: the person confirmed in the bot that they are out."
