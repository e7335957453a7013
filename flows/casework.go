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

// Casework: every confirmed report is announced to the hotline
// at once, one volunteer takes it and owns it, a case nobody takes is sent
// again to the coordinators, the dates that matter remind the owner, the
// reporter adds news later and the owner hears of it at once; /cases is the
// board and /stats has the coordinators' figures.
//
// Announcements travel with the reply to the update that made them: the
// pipeline stores them in the outbox in the same commit as the update's
// acknowledgement. Storing a case is idempotent by its draft, so an update
// handled again after a crash finds the case and builds the same
// announcement, which is then committed once.

// CaseView is a case as the hotline's side sees it on a card: no name,
// A-number, birth date or contact, so that it may go to every volunteer on
// duty.
type CaseView struct {
	ID      int64
	Code    string
	Created time.Time
	Lang    string   // the reporter's language
	Urgent  []string // urgency marks: the report's signs, and transfer/deportation news

	Status string    // the current status
	Since  time.Time // when it was set

	Facility     Facility // the latest facility from the directory; ID 0 when none
	FacilityText string   // as typed, when not from the directory
	DetainedOn   string   // YYYY-MM-DD
	Circumstance string
	Office       string // at a check-in, its ICE office: "Chicago, IL"
	HasLawyer    bool

	Hearing     string // YYYY-MM-DD, "" when not known
	Deportation string
	CheckIn     string

	Owner       int64  // the volunteer who works the case; 0 for nobody
	OwnerName   string // their display name
	OwnerLang   string
	HandoverTo  int64     // a colleague offered the case, who has not accepted yet
	Taken       time.Time // the first take; zero when never taken
	Escalations int       // times sent again to the coordinators
	Active      time.Time // the latest event of its timeline

	ReporterChat int64
	// Files is how many files the reporter sent. The case's list is sealed
	// with its report: only the announcement reads it (announce), and
	// cards drawn elsewhere leave it 0.
	Files  int
	Erased bool // the reporter erased their data (/forget)
	Merged bool // merged into another case, which carries on its work
}

// Closed reports whether the case is over: released, deported, relief
// granted or closed.
func (v CaseView) Closed() bool { return closedStatus(v.Status) }

func closedStatus(s string) bool {
	switch s {
	case StatusReleased, StatusDeported, StatusRelief, StatusClosed:
		return true
	}
	return false
}

// IsUrgent reports whether the case has any urgency mark.
func (v CaseView) IsUrgent() bool { return len(v.Urgent) > 0 }

// Date fields of a case, as /date and the stores name them.
const (
	DateHearing     = "hearing"
	DateDeportation = "deportation"
	DateCheckIn     = "checkin"
)

// dateFields are the date fields in the order cards list them.
func dateFields() []string { return []string{DateDeportation, DateHearing, DateCheckIn} }

// date returns the case's date of a field.
func (v CaseView) date(field string) string {
	switch field {
	case DateHearing:
		return v.Hearing
	case DateDeportation:
		return v.Deportation
	case DateCheckIn:
		return v.CheckIn
	}
	return ""
}

// Urgency marks that news adds to a case.
const (
	UrgentTransfer    = "transfer"
	UrgentStaging     = "staging" // moved to a staging facility or a hold room
	UrgentDeportation = "deportation"
	UrgentFlight      = "flight"
	// UrgentFinalOrder: the report says the case is at a final order of
	// removal, with nothing filed against it (that is another stage): a
	// person held with one can be put on a plane any day.
	UrgentFinalOrder = "final_order"
)

// CaseTake asks the store to make a volunteer the owner of a case.
type CaseTake struct {
	CaseID int64
	UserID int64
	At     time.Time
	Op     string // the update taking it: the same op is told "first" again
}

// Kinds of news a reporter adds, kept in the event's Status.
const (
	NewsMoved       = "moved"
	NewsHearing     = "hearing"
	NewsDeportation = "deportation"
	NewsReleased    = "released"
	NewsDeported    = "deported"
	NewsText        = "text"
)

// newsKinds are the reporter's choices, in the order they are offered.
func newsKinds() []string {
	return []string{NewsMoved, NewsHearing, NewsDeportation, NewsReleased, NewsDeported, NewsText}
}

// EventNews is a timeline event of news from the reporter: never public.
const EventNews = "news"

// News is what a reporter tells of a case after filing it.
type News struct {
	CaseID       int64
	Kind         string // News…
	FacilityID   int64  // NewsMoved: from the directory; 0 when typed
	FacilityText string // NewsMoved: as typed
	Date         string // NewsHearing, NewsDeportation: YYYY-MM-DD; "" for a rumour
	Note         string // NewsText, or what came with the news
	Files        []int  // NewsText: files sent as the news, by message ID in the reporter's chat; kept with the case's (Facts.Files)
	Urgent       string // the mark the news adds; "" for none
	Key          string // makes storing idempotent
	At           time.Time
}

// Board filters of /cases.
const (
	FilterNew      = "new"    // nobody owns it
	FilterMine     = "mine"   // the member owns it
	FilterUrgent   = "urgent" // any urgency mark
	FilterDates    = "dates"  // a date within the next 7 days
	FilterQuiet    = "quiet"  // nothing happened for CaseQuiet
	FilterFacility = "fac"    // at one facility
	FilterStatus   = "st"     // in one status (closed ones too)
)

// BoardQuery selects cases for /cases. Every filter but FilterStatus
// shows open cases only.
type BoardQuery struct {
	Filter   string
	Facility int64  // FilterFacility
	Status   string // FilterStatus
	User     int64  // FilterMine
	Today    string // YYYY-MM-DD: FilterDates looks at Today…Today+7
	Quiet    time.Time
	Skip     int
	Limit    int
}

// Count is a number of cases with one value: a facility or a status.
type Count struct {
	Facility Facility // FilterFacility; ID 0 for typed facilities or none
	Status   string
	N        int
}

// BoardCounts are the numbers on the board's filter buttons.
type BoardCounts struct {
	New, Mine, Urgent, Dates, Quiet int
	Facilities                      []Count // open cases by facility, most first
	Statuses                        []Count // cases by status
}

// CaseStats are the coordinators' figures of /stats.
type CaseStats struct {
	Today, Week   int           // new cases since midnight UTC, in the last 7 days
	Taken         int           // cases of the last 30 days ever taken
	TakenMedian   time.Duration // report to first take
	TakenP90      time.Duration
	Open          []Count // open cases by status
	OpenFacility  []Count // open cases by facility
	Untaken       int     // open cases nobody owns
	OldestUntaken time.Time
}

// Casework keeps the cases' ownership, dates, news and timers.
type Casework interface {
	// View returns the case with this code (normalised) or ErrNotFound.
	View(ctx context.Context, code string) (CaseView, error)
	// ViewByID returns the case with this id or ErrNotFound.
	ViewByID(ctx context.Context, id int64) (CaseView, error)
	// Take makes the volunteer the owner of a case nobody owns, atomically:
	// of many at once, one wins. took is false when someone else owns it
	// (the view says who); first is true when this take, by this op, is the
	// case's first ever, so that the reporter is told once.
	Take(ctx context.Context, t CaseTake) (v CaseView, took, first bool, err error)
	// Release leaves a case without owner; false when owner did not own
	// it. The update that released it (op, from turn.op; "" for none)
	// gets true again when handled again, whatever owner it passes.
	Release(ctx context.Context, caseID, owner int64, op string) (bool, error)
	// Offer offers the owner's case to a colleague; false when owner did
	// not own it.
	Offer(ctx context.Context, caseID, owner, to int64) (bool, error)
	// Accept makes the colleague offered a case its owner and returns who
	// owned it before (0 for nobody); false when the offer is gone. The
	// update that accepted (op) gets true and the same owner again when
	// handled again.
	Accept(ctx context.Context, caseID, to int64, at time.Time, op string) (prev int64, ok bool, err error)
	// Decline withdraws an offer made to the colleague; false when none.
	Decline(ctx context.Context, caseID, to int64) (bool, error)
	// Assign makes a member the owner whoever owned the case (coordinators).
	Assign(ctx context.Context, caseID, to int64, at time.Time) error
	// SetDate sets or clears ("") a date field and adds the urgency mark
	// urgent when it is not "".
	SetDate(ctx context.Context, caseID int64, field, date, urgent string) error
	// AddNews records the reporter's news as a timeline event and updates
	// the case's fields; storing the same Key again changes nothing.
	AddNews(ctx context.Context, n News) (CaseView, error)
	// Untaken returns the open cases nobody owns, oldest first.
	Untaken(ctx context.Context) ([]CaseView, error)
	// Known returns the newest open case with this A-number that the user
	// did not report, or ErrNotFound.
	Known(ctx context.Context, aNumber string, userID int64) (CaseView, error)
	// ClaimEscalation claims escalation n+1 of an untaken case until a
	// time; false when another process holds the claim, the escalation was
	// sent, or the case was taken. An expired claim may be taken again.
	ClaimEscalation(ctx context.Context, caseID int64, n int, now, until time.Time) (bool, error)
	// EscalationSent counts the escalations after n as sent (in the
	// outbox), to.
	EscalationSent(ctx context.Context, caseID int64, n, to int) error
	// Dated returns the open cases with a date from…to (YYYY-MM-DD).
	Dated(ctx context.Context, from, to string) ([]CaseView, error)
	// ClaimReminder claims the reminder days before a date of a case until
	// r.Until; false when it was sent, or another process holds the claim.
	ClaimReminder(ctx context.Context, r ReminderClaim) (bool, error)
	// ReminderSent marks a claimed reminder sent (in the outbox).
	ReminderSent(ctx context.Context, r ReminderClaim) error
	// Board returns a page of cases of a filter, urgent first, newest
	// first, and how many there are.
	Board(ctx context.Context, q BoardQuery) ([]CaseView, int, error)
	// Counts returns the numbers on the board's buttons.
	Counts(ctx context.Context, q BoardQuery) (BoardCounts, error)
	// MarkStaging marks a case urgent for its transfer to a staging
	// facility or hold room, recorded as the event eventID; first says no
	// earlier event of the case moved it to one, so that a transfer
	// entered twice alerts once, and a retry of the same update alerts
	// again (its first alert was never committed).
	MarkStaging(ctx context.Context, caseID, eventID int64) (first bool, err error)
	// Stats returns the coordinators' figures at now.
	Stats(ctx context.Context, now time.Time) (CaseStats, error)
}

// CaseworkDeps are what the casework needs.
type CaseworkDeps struct {
	Casework Casework
	Cards    Cards // where announced cards are, to redraw them (cards.go)
}

// dataCase starts the callback data of the casework's buttons:
// "cw.:<action>:<code>[:<more>]".
const dataCase = "cw."

// Button actions after "cw.:".
const (
	cwTake     = "t"  // take the case
	cwOpen     = "o"  // open its card
	cwLater    = "l"  // keep the announcement, without buttons
	cwRelease  = "r"  // release it
	cwHandover = "h"  // h:<code>[:<user>]: pick a colleague, or offer it to them
	cwAccept   = "a"  // a:<code>: accept a hand-over
	cwDecline  = "x"  // x:<code>: decline it
	cwDates    = "d"  // d:<code>[:<field>]: set a date
	cwTellDate = "td" // td:<code>:<field>:<YYYY-MM-DD>: tell the reporter a date set
	cwPublic   = "p"  // p:<code>: a public note
	cwWrite    = "w"  // w:<code>: talk to the reporter
	cwBoard    = "b"  // b:<filter>:<arg>:<skip>: a page of the board
	cwNews     = "n"  // n:<code>: the reporter adds news
	cwNewsSaid = "ns" // ns:<code>: send what was typed at the menu (Session.NewsNote) as news
	cwNewsFile = "nl" // nl:<code>: send the file sent at the menu (Session.Said) as news
	cwNewsKind = "nk" // nk:<nonce>:<kind>: the kind of news
	cwNewsFac  = "nf" // nf:<nonce>:<facility id>|unknown
)

// Flows of the casework, kept in Session.Flow.
const (
	flowNews = "news"  // a reporter adding news
	flowDate = "cdate" // a volunteer typing a date for a case
)

// Steps of the news flow.
const (
	stepNewsCase = "case" // which case
	stepNewsKind = "kind" // what happened
	stepNewsFac  = "fac"  // the new facility
	stepNewsDate = "date" // the date
	stepNewsText = "text" // free text
)

// registerCasework plugs the casework into the engine.
func (a *App) registerCasework() {
	h := &a.hooks
	h.intercept = append(h.intercept, leaveCaseworkFlow)
	gate := func(act Action, fn memberCommand) command { return a.guard(act, a.asMember(fn)) }
	h.commands["cases"] = gate(ActViewBoard, a.boardCommand)
	h.commands["take_case"] = gate(ActTakeCase, a.takeCaseCommand)
	h.commands["release_case"] = gate(ActWorkCase, a.releaseCaseCommand)
	h.commands["handover"] = gate(ActHandOver, a.handoverCommand)
	h.commands["date"] = gate(ActWorkCase, a.dateCommand)
	h.buttons[dataCase] = a.caseButton
	h.menu["news"] = func(ctx context.Context, c *turn) error { return c.startNews(ctx, "", "") }
	h.commands["news"] = func(ctx context.Context, c *turn, arg string) error { return c.startNews(ctx, arg, "") }
	h.flows[flowNews] = newsTyped
	h.flows[flowDate] = a.dateTyped
}

// isCaseworkFlow reports whether the session is in one of the casework's flows.
func (c *turn) isCaseworkFlow() bool { return c.s.Flow == flowNews || c.s.Flow == flowDate }

// caseworkPrompt asks the question of the casework's flow the chat is in:
// the news flow's; a date being asked for is given up.
func (c *turn) caseworkPrompt(ctx context.Context) error {
	if c.s.Flow == flowNews {
		return c.newsPrompt(ctx)
	}
	c.reset()
	c.say(T("menu.choose"))
	c.menu()
	return nil
}

// leaveCaseworkFlow lets commands and other buttons leave the casework's
// short flows: /back and /cancel leave them, anything else leaves them
// before it runs.
func leaveCaseworkFlow(ctx context.Context, c *turn) (bool, error) {
	if !c.isCaseworkFlow() {
		return false, nil
	}
	switch c.in.Kind {
	case KindCommand:
		switch c.in.Command {
		case "back", "cancel":
			c.reset()
			c.say(T("casework.left"), T("menu.choose"))
			c.menu()
			return true, nil
		}
		c.reset()
	case KindButton:
		if !strings.HasPrefix(c.in.Data, dataCase+":") {
			c.reset()
		}
	}
	return false, nil
}

// caseButton runs the casework's buttons: the reporter's news buttons for
// anyone, the rest for members as the table allows.
func (a *App) caseButton(ctx context.Context, c *turn, rest string) error {
	act, arg, _ := strings.Cut(rest, ":")
	switch act {
	case cwNews:
		return c.startNews(ctx, arg, "")
	case cwNewsSaid:
		if c.s.NewsNote == "" {
			c.say(T("button.old"))
			return c.again(ctx)
		}
		return c.startNews(ctx, arg, c.s.NewsNote)
	case cwNewsFile:
		if !c.s.SaidFile || c.s.Said == 0 {
			c.say(T("button.old"))
			return c.again(ctx)
		}
		return c.startNews(ctx, arg, "", append([]int{c.s.Said}, c.s.SaidMore...)...)
	case cwNewsKind, cwNewsFac:
		return c.newsButton(ctx, act, arg)
	}
	need := ActWorkCase
	switch act {
	case cwTake:
		need = ActTakeCase
	case cwOpen, cwLater, cwBoard:
		need = ActViewBoard
	case cwHandover:
		need = ActHandOver
	case cwAccept, cwDecline:
		need = ActTakeCase
	case cwPublic:
		need = ActUpdateStatus
	case cwWrite:
		need = ActViewBoard
	}
	return a.guardButton(need, a.asMember(func(ctx context.Context, c *turn, m *member, arg string) error {
		switch act {
		case cwTake:
			return a.takeCase(ctx, c, m, arg)
		case cwOpen:
			return a.openCase(ctx, c, m, arg)
		case cwLater:
			return a.later(ctx, c, m, arg)
		case cwRelease:
			return a.releaseCase(ctx, c, m, arg)
		case cwHandover:
			code, to, _ := strings.Cut(arg, ":")
			if to == "" {
				return a.pickColleague(ctx, c, m, code)
			}
			return a.handover(ctx, c, m, code, to)
		case cwAccept:
			return a.acceptHandover(ctx, c, m, arg)
		case cwDecline:
			return a.declineHandover(ctx, c, m, arg)
		case cwDates:
			code, field, _ := strings.Cut(arg, ":")
			return a.dateButton(ctx, c, m, code, field)
		case cwPublic:
			return a.publicNoteButton(ctx, c, m, arg)
		case cwTellDate:
			return a.tellDate(ctx, c, m, arg)
		case cwWrite:
			return a.writeButton(ctx, c, m, arg)
		case cwBoard:
			c.edit = c.in.MessageID
			return a.boardPage(ctx, c, m, arg)
		}
		m.say(T("button.old"))
		return nil
	}))(ctx, c, arg)
}

// caseOf finds the case a member names by code, or says it is unknown.
func (a *App) caseOf(ctx context.Context, m *member, raw string) (CaseView, bool, error) {
	code, ok := NormalizeCode(raw)
	if !ok {
		m.say(T("casework.unknown"))
		return CaseView{}, false, nil
	}
	v, err := a.d.Casework.View(ctx, code)
	if errors.Is(err, ErrNotFound) {
		m.say(T("casework.unknown"))
		return CaseView{}, false, nil
	}
	if err != nil {
		return CaseView{}, false, fmt.Errorf("case for member %d: %w", m.UserID, err)
	}
	return v, true, nil
}

// mayOnCase asks the table whether the member may do act on the case: for
// volunteers that depends on owning it, holding its chat, or, for the
// actions open on untaken cases, nobody owning it.
func (a *App) mayOnCase(ctx context.Context, m *member, act Action, v CaseView) (bool, error) {
	return a.roleMay(ctx, m.UserID, m.Role, act, v.Code)
}

// announce builds the new case's card for every member on duty and every
// coordinator (admins of the configuration too), each in their language.
// Urgent cases reach coordinators off duty this way as well. With a forum,
// the case gets its topic there instead.
func (a *App) announce(ctx context.Context, caseID int64, except int64) ([]Reply, error) {
	v, err := a.d.Casework.ViewByID(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("view case %d: %w", caseID, err)
	}
	r, _, err := a.d.CaseFiles.Get(ctx, v.Code)
	if err != nil {
		return nil, fmt.Errorf("files of case %d: %w", caseID, err)
	}
	if a.forumOn() {
		// The files the reporter sent follow the card in the topic, as
		// their conversation will.
		out := a.forumAnnounce(v)
		for _, id := range r.Facts.Files {
			if r.ReporterChatID == 0 {
				break // a caller's, filed by a volunteer: no chat to copy from
			}
			f := a.inTopic(v, TopicPost)
			f.Copy = &Copy{FromChatID: r.ReporterChatID, MessageID: id}
			out = append(out, f)
		}
		return out, nil
	}
	to, err := a.hotline(ctx, except)
	if err != nil {
		return nil, err
	}
	v.Files = len(r.Facts.Files) // said on the card; copied from the case's details
	texts, buttons := Card(v, CardAnnounce)
	prio := PriorityNotice
	if v.IsUrgent() {
		prio = PriorityReply
	}
	out := make([]Reply, 0, len(to))
	for _, r := range to {
		out = append(out, Reply{ChatID: r.UserID, Lang: r.Lang, Texts: texts, Buttons: buttons, Priority: prio, Join: true,
			Tag: cardTag(v.ID, r.Lang)})
	}
	return out, nil
}

// NobodyGetsCases reports whether a case confirmed now would be announced
// to no one: no forum group, and none of those announce sends cards to
// (hotline). Reports are stored all the same, for whoever is added.
func (a *App) NobodyGetsCases(ctx context.Context) (bool, error) {
	if a.forumOn() {
		return false, nil
	}
	to, err := a.hotline(ctx, 0)
	return err == nil && len(to) == 0, err
}

// hotline returns the members on duty and the coordinators, each once.
func (a *App) hotline(ctx context.Context, except int64) ([]Volunteer, error) {
	onDuty, err := a.onDuty(ctx, except)
	if err != nil {
		return nil, err
	}
	coords, err := a.coordinators(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{except: true}
	var out []Volunteer
	for _, v := range append(onDuty, coords...) {
		if seen[v.UserID] {
			continue
		}
		seen[v.UserID] = true
		out = append(out, v)
	}
	return out, nil
}

// takeCaseCommand is /take_case CODE.
func (a *App) takeCaseCommand(ctx context.Context, c *turn, m *member, arg string) error {
	if strings.TrimSpace(arg) == "" {
		m.say(T("casework.take_usage"))
		return nil
	}
	return a.takeCase(ctx, c, m, arg)
}

// takeCase makes the member the case's owner, unless someone was first:
// then they are told who has it. The reporter is told once that a
// volunteer picked the case up, never who.
func (a *App) takeCase(ctx context.Context, c *turn, m *member, raw string) error {
	v, ok, err := a.caseOf(ctx, m, raw)
	if err != nil || !ok {
		return err
	}
	code := FormatCode(v.Code)
	switch {
	case v.Merged:
		m.say(T("casework.merged", "Code", code))
		return nil
	case v.Closed():
		m.say(T("casework.take_closed", "Code", code, "Status", T("status.name."+v.Status)))
		return nil
	case v.Owner != 0 && v.Owner != m.UserID:
		m.say(a.takenBy(v)) // the card pressed is redrawn by the take itself (cards.go)
		return nil
	}
	op := c.op()
	if op == "" {
		op = a.d.NewID()
	}
	// The owner taking their own case again goes to the store too: it may
	// be the update that took it, handled again, whose replies were lost.
	v, took, first, err := a.d.Casework.Take(ctx, CaseTake{CaseID: v.ID, UserID: m.UserID, At: c.now, Op: op})
	switch {
	case errors.Is(err, ErrNotFound):
		m.say(T("casework.unknown"))
		return nil
	case err != nil:
		return fmt.Errorf("take case %d for %d: %w", v.ID, m.UserID, err)
	case !took && v.Owner == m.UserID:
		m.say(T("casework.take_yours", "Code", code))
		return a.cardActions(ctx, c, m, v)
	case !took:
		m.say(a.takenBy(v)) // the card pressed is redrawn by the take itself (cards.go)
		return nil
	}
	if err := a.audit(ctx, c, AuditEntry{Action: AuditTake, CaseID: v.ID}); err != nil {
		return err
	}
	// Where the person is held is the first thing to find: how to record
	// it once found, when the report does not say.
	m.say(T("casework.took", "Code", code, "Find", v.Facility.ID == 0 && v.FacilityText == ""))
	if first && v.Status == StatusNew {
		// Everyone with the code sees that a volunteer has read the
		// report: the case is in review. Keyed, so a retry records it once.
		if _, err := a.d.Timeline.Record(ctx, Event{CaseID: v.ID, Kind: EventStatus, Status: StatusInReview,
			Public: true, Actor: ActorSystem, Key: "taken:" + strconv.FormatInt(v.ID, 10)}); err != nil {
			return fmt.Errorf("record review of case %d: %w", v.ID, err)
		}
		v.Status = StatusInReview // the card below shows it so, as the redrawn ones do
	}
	if first && v.ReporterChat != 0 && !v.Erased {
		c.send(Reply{ChatID: v.ReporterChat, Lang: Lang(v.Lang), Priority: PriorityNotice,
			Texts: []Text{T("casework.reporter_taken", "Code", code)}})
	}
	if err := c.caseChanged(ctx, v.ID, v.Code, T("forum.ev_taken", "Name", a.nameOf(m))); err != nil {
		return err
	}
	return a.cardActions(ctx, c, m, v)
}

// takenBy tells who has a case, by the display name they chose.
func (a *App) takenBy(v CaseView) Text {
	if v.OwnerName == "" {
		return T("casework.taken_by_anon", "Code", FormatCode(v.Code))
	}
	return T("casework.taken_by", "Code", FormatCode(v.Code), "Name", v.OwnerName)
}

// openCase shows a case's card with the actions the member may take.
func (a *App) openCase(ctx context.Context, c *turn, m *member, raw string) error {
	v, ok, err := a.caseOf(ctx, m, raw)
	if err != nil || !ok {
		return err
	}
	return a.cardActions(ctx, c, m, v)
}

// cardActions shows the card with the buttons the member's role allows.
func (a *App) cardActions(ctx context.Context, c *turn, m *member, v CaseView) error {
	texts, _ := Card(v, CardOpen)
	m.say(texts...)
	work, err := a.mayOnCase(ctx, m, ActWorkCase, v)
	if err != nil {
		return err
	}
	hand, err := a.mayOnCase(ctx, m, ActHandOver, v)
	if err != nil {
		return err
	}
	view, err := a.mayOnCase(ctx, m, ActViewCase, v)
	if err != nil {
		return err
	}
	m.buttons = append(m.buttons, CardButtons(v, CardAccess{
		Member: m.UserID, Work: work, HandOver: hand, View: view, Take: mayEver(m.Role, ActTakeCase),
	})...)
	return nil
}

// openTypedCode opens the card of a case whose code a member typed at the
// menu, with the actions they may take, as "Open" does: not the status
// that friends see. False for anyone else, or a code of no case.
func (a *App) openTypedCode(ctx context.Context, c *turn, code string) (bool, error) {
	m, ok, err := a.enter(ctx, c, ActViewBoard)
	if err != nil || !ok {
		return false, err
	}
	v, err := a.d.Casework.View(ctx, code)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("case typed by member %d: %w", m.UserID, err)
	}
	return true, a.answerMember(c, m, a.cardActions(ctx, c, m, v))
}

// later says the case stays on the board. The announcement is left as it
// is: it may carry other cases too (cards queued for one chat go out as one
// message), whose buttons an edit would take away.
func (a *App) later(ctx context.Context, c *turn, m *member, raw string) error {
	v, ok, err := a.caseOf(ctx, m, raw)
	if err != nil || !ok {
		return err
	}
	m.say(T("casework.later", "Code", FormatCode(v.Code)))
	m.buttons = [][]Button{{{Text: T("btn.case_open", "Code", FormatCode(v.Code)), Data: dataCase + ":" + cwOpen + ":" + v.Code}}}
	return nil
}

// releaseCaseCommand is /release_case CODE.
func (a *App) releaseCaseCommand(ctx context.Context, c *turn, m *member, arg string) error {
	if strings.TrimSpace(arg) == "" {
		m.say(T("casework.release_usage"))
		return nil
	}
	return a.releaseCase(ctx, c, m, arg)
}

// releaseCase leaves the member's case without an owner; it goes back on
// the board as untaken.
func (a *App) releaseCase(ctx context.Context, c *turn, m *member, raw string) error {
	v, ok, err := a.caseOf(ctx, m, raw)
	if err != nil || !ok {
		return err
	}
	owner := v.Owner
	switch {
	case owner == 0 && c.op() != "":
		// Released already: by this update, handled again after a
		// failure, if the store says so; then it finishes the release.
		owner = m.UserID
	case owner != m.UserID && (owner == 0 || !Allowed(m.Role, ActHandOver, false)):
		m.say(T("casework.not_owner", "Code", FormatCode(v.Code)))
		return nil
	}
	done, err := a.d.Casework.Release(ctx, v.ID, owner, c.op())
	if err != nil {
		return fmt.Errorf("release case %d by %d: %w", v.ID, m.UserID, err)
	}
	if !done {
		m.say(T("casework.not_owner", "Code", FormatCode(v.Code)))
		return nil
	}
	if err := a.audit(ctx, c, AuditEntry{Action: AuditRelease, CaseID: v.ID}); err != nil {
		return err
	}
	m.say(T("casework.released", "Code", FormatCode(v.Code)))
	return c.caseChanged(ctx, v.ID, v.Code, T("forum.ev_released"))
}

// handoverCommand is /handover CODE <member id or display name>.
func (a *App) handoverCommand(ctx context.Context, c *turn, m *member, arg string) error {
	code, who := splitCode(arg) // "K7M4 Q9XP" too
	switch {
	case code == "":
		m.say(T("casework.handover_usage"))
		return nil
	case who == "":
		// "/handover K7M4-Q9XP": the colleagues to choose from, as the
		// card's button offers them; it was the usage.
		return a.pickColleague(ctx, c, m, code)
	}
	to, err := a.memberNamed(ctx, who)
	if err != nil {
		return err
	}
	if to == 0 {
		m.say(T("casework.handover_not_member"))
		return nil
	}
	return a.handover(ctx, c, m, code, strconv.FormatInt(to, 10))
}

// memberNamed finds a member by user id or display name; 0 when none.
func (a *App) memberNamed(ctx context.Context, who string) (int64, error) {
	vs, err := a.d.Volunteers.List(ctx)
	if err != nil {
		return 0, fmt.Errorf("list members: %w", err)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(who, "@"), 10, 64)
	for _, v := range vs {
		if v.Role >= RoleVolunteer && (v.UserID == id || v.Name != "" && strings.EqualFold(v.Name, who)) {
			return v.UserID, nil
		}
	}
	if id != 0 && a.isAdmin(id) {
		return id, nil
	}
	return 0, nil
}

// pickColleague lists the members to hand a case over to.
func (a *App) pickColleague(ctx context.Context, c *turn, m *member, raw string) error {
	v, ok, err := a.caseOf(ctx, m, raw)
	if err != nil || !ok {
		return err
	}
	if may, err := a.mayOnCase(ctx, m, ActHandOver, v); err != nil || !may {
		if err == nil {
			m.say(T("casework.not_owner", "Code", FormatCode(v.Code)))
		}
		return err
	}
	vs, err := a.d.Volunteers.List(ctx)
	if err != nil {
		return fmt.Errorf("list members: %w", err)
	}
	m.say(T("casework.handover_pick", "Code", FormatCode(v.Code)))
	for _, o := range vs {
		if o.UserID == m.UserID || o.Role < RoleVolunteer || o.UserID == v.Owner {
			continue
		}
		label := o.Name
		if label == "" {
			label = strconv.FormatInt(o.UserID, 10)
		}
		m.buttons = append(m.buttons, []Button{{Label: label,
			Data: dataCase + ":" + cwHandover + ":" + v.Code + ":" + strconv.FormatInt(o.UserID, 10)}})
		if len(m.buttons) == 20 {
			break
		}
	}
	return nil
}

// handover offers the case to a colleague, who must accept; a coordinator
// hands a case over as the owner does, whoever owns it.
func (a *App) handover(ctx context.Context, c *turn, m *member, raw, toRaw string) error {
	v, ok, err := a.caseOf(ctx, m, raw)
	if err != nil || !ok {
		return err
	}
	code := FormatCode(v.Code)
	if may, err := a.mayOnCase(ctx, m, ActHandOver, v); err != nil || !may || v.Owner == 0 && !Allowed(m.Role, ActHandOver, false) {
		if err == nil {
			m.say(T("casework.not_owner", "Code", code))
		}
		return err
	}
	if v.Closed() {
		m.say(T("casework.take_closed", "Code", code, "Status", T("status.name."+v.Status)))
		return nil
	}
	to, _ := strconv.ParseInt(toRaw, 10, 64)
	colleague, err := a.memberOf(ctx, to)
	if err != nil {
		return err
	}
	if to == 0 || colleague.Role < RoleVolunteer {
		m.say(T("casework.handover_not_member"))
		return nil
	}
	if to == v.Owner {
		m.say(T("casework.handover_self"))
		return nil
	}
	done, err := a.d.Casework.Offer(ctx, v.ID, v.Owner, to)
	if err != nil {
		return fmt.Errorf("offer case %d to %d: %w", v.ID, to, err)
	}
	if !done {
		m.say(T("casework.not_owner", "Code", code))
		return nil
	}
	if err := a.audit(ctx, c, AuditEntry{Action: AuditHandover, CaseID: v.ID, Subject: to}); err != nil {
		return err
	}
	name := colleague.Name
	if name == "" {
		name = strconv.FormatInt(to, 10)
	}
	m.say(T("casework.handover_offered", "Code", code, "Name", name))
	texts, _ := Card(v, CardOpen)
	c.send(Reply{ChatID: to, Lang: Lang(colleague.Lang), Priority: PriorityReply,
		Texts: append([]Text{T("casework.handover_ask", "Code", code, "From", a.nameOf(m))}, texts...),
		Buttons: [][]Button{{
			{Text: T("btn.case_accept"), Data: dataCase + ":" + cwAccept + ":" + v.Code},
			{Text: T("btn.case_decline"), Data: dataCase + ":" + cwDecline + ":" + v.Code},
		}}})
	return nil
}

// nameOf is how colleagues know a member: their display name, or their id.
func (a *App) nameOf(m *member) string {
	if m.Name != "" {
		return m.Name
	}
	return strconv.FormatInt(m.UserID, 10)
}

// acceptHandover makes the colleague the owner; the one who offered it is
// told.
func (a *App) acceptHandover(ctx context.Context, c *turn, m *member, raw string) error {
	v, ok, err := a.caseOf(ctx, m, raw)
	if err != nil || !ok {
		return err
	}
	prev, done, err := a.d.Casework.Accept(ctx, v.ID, m.UserID, c.now, c.op())
	if err != nil {
		return fmt.Errorf("accept case %d by %d: %w", v.ID, m.UserID, err)
	}
	if !done {
		m.say(T("casework.handover_gone", "Code", FormatCode(v.Code)))
		return nil
	}
	// The owner who offered it comes from the accept itself: handled again
	// after a failure past it, the case already names the new owner.
	told := prev != 0 && prev != m.UserID
	var before Volunteer
	if told {
		if before, err = a.memberOf(ctx, prev); err != nil {
			return err
		}
	}
	if err := a.audit(ctx, c, AuditEntry{Action: AuditAssign, CaseID: v.ID, Subject: m.UserID}); err != nil {
		return err
	}
	c.edit = c.in.MessageID
	m.say(T("casework.handover_accepted", "Code", FormatCode(v.Code)))
	if told {
		c.send(Reply{ChatID: prev, Lang: Lang(before.Lang),
			Texts: []Text{T("casework.handover_done", "Code", FormatCode(v.Code), "Name", a.nameOf(m))}})
	}
	return c.caseChanged(ctx, v.ID, v.Code, T("forum.ev_taken", "Name", a.nameOf(m)))
}

// declineHandover withdraws the offer; the owner keeps the case.
func (a *App) declineHandover(ctx context.Context, c *turn, m *member, raw string) error {
	v, ok, err := a.caseOf(ctx, m, raw)
	if err != nil || !ok {
		return err
	}
	// The owner is looked up first: nothing may fail after the offer is
	// withdrawn, or the update handled again would find it gone and the
	// owner would never hear.
	var owner Volunteer
	if v.Owner != 0 {
		if owner, err = a.memberOf(ctx, v.Owner); err != nil {
			return err
		}
	}
	done, err := a.d.Casework.Decline(ctx, v.ID, m.UserID)
	if err != nil {
		return fmt.Errorf("decline case %d by %d: %w", v.ID, m.UserID, err)
	}
	c.edit = c.in.MessageID
	if !done {
		m.say(T("casework.handover_gone", "Code", FormatCode(v.Code)))
		return nil
	}
	m.say(T("casework.handover_declined", "Code", FormatCode(v.Code)))
	if v.Owner != 0 {
		c.send(Reply{ChatID: v.Owner, Lang: Lang(owner.Lang),
			Texts: []Text{T("casework.handover_refused", "Code", FormatCode(v.Code), "Name", a.nameOf(m))}})
	}
	return nil
}

// publicNoteButton starts a public note on the case (the status flow's).
func (a *App) publicNoteButton(ctx context.Context, c *turn, m *member, raw string) error {
	code, ok := NormalizeCode(raw)
	if !ok {
		m.say(T("casework.unknown"))
		return nil
	}
	c.drop = false
	if c.inReport() {
		m.say(T("update.in_report"))
		return nil
	}
	st, err := a.d.Timeline.Status(ctx, code)
	if errors.Is(err, ErrNotFound) {
		m.say(T("casework.unknown"))
		return nil
	}
	if err != nil {
		return fmt.Errorf("case status for %d: %w", m.UserID, err)
	}
	c.beginUpdate(flowUpdate, stepPublicNote, st)
	c.s.Lang = m.lang
	return c.updatePrompt(ctx)
}

// writeButton opens a conversation with the reporter through /write, when
// the bot has it.
func (a *App) writeButton(ctx context.Context, c *turn, m *member, raw string) error {
	fn := a.hooks.commands["write"]
	if fn == nil {
		m.say(T("casework.write_soon"))
		return nil
	}
	// /write answers as a member itself.
	return fn(ctx, c, raw)
}

// dateCommand is /date CODE hearing|deportation|checkin DD.MM.YYYY, or
// "none" to clear it.
func (a *App) dateCommand(ctx context.Context, c *turn, m *member, arg string) error {
	code, rest := splitCode(arg) // "K7M4 Q9XP" too
	f := strings.Fields(rest)
	if _, ok := NormalizeCode(code); !ok {
		m.say(T("casework.date_usage", "Example", c.dateExample()))
		return nil
	}
	field := ""
	if len(f) > 0 {
		var ok bool
		if field, ok = parseDateField(f[0]); !ok {
			m.say(T("casework.date_usage", "Example", c.dateExample()))
			return nil
		}
	}
	if len(f) < 2 {
		// "/date K7M4-Q9XP": which date, then the date, as the card's
		// button asks; "/date K7M4-Q9XP суд": the date. It was the
		// usage, and the date typed next went to nobody.
		return a.dateButton(ctx, c, m, code, field)
	}
	v, ok, err := a.caseOf(ctx, m, code)
	if err != nil || !ok {
		return err
	}
	return a.setDate(ctx, c, m, v, field, strings.Join(f[1:], " "))
}

// parseDateField reads a date field's name in either language.
func parseDateField(s string) (string, bool) {
	switch strings.ToLower(s) {
	case "hearing", "court", "суд", "слушание", "заседание":
		return DateHearing, true
	case "deportation", "deport", "flight", "депортация", "рейс", "вылет":
		return DateDeportation, true
	case "checkin", "check-in", "ice", "отметка", "явка":
		return DateCheckIn, true
	}
	return "", false
}

// setDate sets a date of a case for a member allowed to work it. A date in
// the past is refused; a deportation within 72 hours makes the case urgent.
func (a *App) setDate(ctx context.Context, c *turn, m *member, v CaseView, field, typed string) error {
	code := FormatCode(v.Code)
	if may, err := a.mayOnCase(ctx, m, ActWorkCase, v); err != nil || !may {
		if err == nil {
			m.say(T("casework.not_owner", "Code", code))
		}
		return err
	}
	if v.Closed() {
		m.say(T("casework.take_closed", "Code", code, "Status", T("status.name."+v.Status)))
		return nil
	}
	date := ""
	if !ParseUnknown(typed) {
		d, p, _ := c.readComingDate(typed) // said back below
		if p != nil {
			m.say(*p, T("casework.date_usage", "Example", c.dateExample()))
			return nil
		}
		if d.Before(today(c.now)) {
			m.say(T("casework.date_past", "Date", dateText(d)))
			return nil
		}
		date = d.Format(time.DateOnly)
	}
	urgent := urgentFor(field, date, c.now)
	if err := a.d.Casework.SetDate(ctx, v.ID, field, date, urgent); err != nil {
		return fmt.Errorf("set %s date of case %d: %w", field, v.ID, err)
	}
	if err := a.audit(ctx, c, AuditEntry{Action: AuditDate, CaseID: v.ID, Detail: field}); err != nil {
		return err
	}
	said := T("casework.date_cleared", "Code", code, "Field", T("casework.field."+field))
	if date != "" {
		said = T("casework.date_set", "Code", code, "Field", T("casework.field."+field), "Date", dateText(dateOf(date)))
	}
	m.say(said)
	if urgent != "" {
		m.say(T("casework.now_urgent"))
	}
	if field == DateHearing && date != "" && v.ReporterChat != 0 && !v.Erased {
		// The family may go to the hearing, or prepare for it: they
		// are told when the volunteer chooses to.
		m.buttons = append(m.buttons, []Button{{Text: T("btn.tell_date"),
			Data: dataCase + ":" + cwTellDate + ":" + v.Code + ":" + field + ":" + date}})
	}
	return c.caseChanged(ctx, v.ID, v.Code, said)
}

// tellDate tells the reporter of a case the hearing date a volunteer set,
// with the page on courts and legal help, when the volunteer presses the
// button under it; the message with the button then says so, without it.
func (a *App) tellDate(ctx context.Context, c *turn, m *member, arg string) error {
	parts := strings.Split(arg, ":")
	if len(parts) != 3 || parts[1] != DateHearing {
		m.say(T("button.old"))
		return nil
	}
	v, ok, err := a.workableCase(ctx, m, parts[0], "casework.date_told_gone")
	if err != nil || !ok {
		return err
	}
	if v.date(DateHearing) != parts[2] || v.ReporterChat == 0 {
		m.say(T("button.old")) // changed since, or cleared
		return nil
	}
	d := dateOf(parts[2])
	code := FormatCode(v.Code)
	c.send(Reply{ChatID: v.ReporterChat, Lang: Lang(v.Lang), Priority: PriorityNotice,
		Texts: []Text{T("notify.header", "Code", code),
			T("notify.hearing", "Date", dateText(d), "Weekday", T("weekday."+strconv.Itoa(int(d.Weekday()))))},
		Buttons: [][]Button{{{Text: T("btn.info_page", "Title", T("info.title.legal")), Data: dataInfo + ":legal"}}}})
	c.edit = c.in.MessageID
	m.say(T("casework.date_set", "Code", code, "Field", T("casework.field."+DateHearing), "Date", dateText(d)),
		T("casework.date_told"))
	return c.postEvent(ctx, v.Code, T("forum.ev_date_told", "Name", a.nameOf(m), "Date", dateText(d)))
}

// urgentFor is the urgency mark a date brings: a deportation within 72
// hours.
func urgentFor(field, date string, now time.Time) string {
	if field != DateDeportation || date == "" {
		return ""
	}
	if dateOf(date).Sub(today(now)) <= 72*time.Hour {
		return UrgentDeportation
	}
	return ""
}

// today is now's calendar day, in its zone (Config.Zone), as midnight UTC:
// how dates are kept.
func today(now time.Time) time.Time {
	y, mo, d := now.Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
}

// dateButton asks which date to set, then for the date itself.
func (a *App) dateButton(ctx context.Context, c *turn, m *member, raw, field string) error {
	v, ok, err := a.caseOf(ctx, m, raw)
	if err != nil || !ok {
		return err
	}
	if may, err := a.mayOnCase(ctx, m, ActWorkCase, v); err != nil || !may {
		if err == nil {
			m.say(T("casework.not_owner", "Code", FormatCode(v.Code)))
		}
		return err
	}
	if field == "" {
		m.say(T("casework.date_which", "Code", FormatCode(v.Code)))
		for _, f := range dateFields() {
			m.buttons = append(m.buttons, []Button{{Text: T("casework.field." + f),
				Data: dataCase + ":" + cwDates + ":" + v.Code + ":" + f}})
		}
		return nil
	}
	if !slices.Contains(dateFields(), field) || c.inReport() {
		m.say(T("button.old"))
		return nil
	}
	c.drop = false
	c.reset()
	c.s.Flow, c.s.Step = flowDate, field
	c.s.Update = &CaseUpdate{ID: a.d.NewID(), CaseID: v.ID, Code: v.Code}
	m.say(T("casework.date_ask", "Code", FormatCode(v.Code), "Field", T("casework.field."+field), "Example", c.dateExample()))
	return nil
}

// dateTyped takes the date a member types after a date button.
func (a *App) dateTyped(ctx context.Context, c *turn) error {
	u := c.s.Update
	field := c.s.Step
	c.reset()
	if u == nil || c.in.Kind != KindText {
		c.say(T("casework.left"), T("menu.choose"))
		c.menu()
		return nil
	}
	return a.guard(ActWorkCase, a.asMember(func(ctx context.Context, c *turn, m *member, typed string) error {
		v, ok, err := a.caseOf(ctx, m, u.Code)
		if err != nil || !ok {
			return err
		}
		return a.setDate(ctx, c, m, v, field, typed)
	}))(ctx, c, c.in.Text)
}

// waitTold is the escalation of an untaken case with which its reporter is
// told, once, that the report waits for a volunteer (after 3½ hours, 70
// minutes for an urgent case, by default): they heard nothing since "the
// volunteers will write to you".
const waitTold = 3

// stillWaiting tells the reporter of case v, nobody has taken yet, that it
// is not lost, and what they can do meanwhile; false for none: a case
// filed for a caller or erased, one a volunteer took once or gave a status
// (the reporter was told of it), or a reporter talking with a volunteer.
func (a *App) stillWaiting(ctx context.Context, v CaseView) (Reply, bool, error) {
	if v.ReporterChat == 0 || v.Erased || !v.Taken.IsZero() || v.Status != StatusNew {
		return Reply{}, false, nil
	}
	st, err := a.d.Queue.Chat(ctx, v.ReporterChat)
	if err != nil {
		return Reply{}, false, fmt.Errorf("chat of the reporter of case %d: %w", v.ID, err)
	}
	if st.Paired != nil {
		return Reply{}, false, nil
	}
	texts := []Text{T("casework.reporter_waiting", "Code", FormatCode(v.Code))}
	if a.cfg.Phone != "" {
		texts = append(texts, T("check.hotline", "Phone", a.cfg.Phone, "Hours", a.cfg.Hours))
	}
	return Reply{ChatID: v.ReporterChat, Lang: Lang(v.Lang), Priority: PriorityNotice, Texts: texts,
		Buttons: [][]Button{
			{{Text: T("btn.info_page", "Title", T("info.title.locator")), Data: dataInfo + ":locator"}},
			{{Text: T("btn.menu"), Data: dataMenu + ":menu"}}}}, true, nil
}

// maxEscalations caps the doubling of the escalation interval.
const maxEscalations = 16

// escalateAt is when an untaken case is sent to the coordinators again for
// the n+1st time: after base, then 2, 4, 8… times base more.
func escalateAt(created time.Time, base time.Duration, n int) time.Time {
	n = min(n, maxEscalations)
	return created.Add(base * time.Duration(1<<(n+1)-1))
}

// dueEscalations is how many escalations of a case created at created are
// due by now, n of them sent (and the n+1st due).
func dueEscalations(created time.Time, base time.Duration, n int, now time.Time) int {
	for n < maxEscalations && !now.Before(escalateAt(created, base, n+1)) {
		n++
	}
	return n + 1
}

// ReminderClaim is a reminder of a date of a case, claimed by a tick from
// Now until Until.
type ReminderClaim struct {
	CaseID     int64
	Field      string // a date field: hearing, deportation, checkin
	Date       string // YYYY-MM-DD
	Days       int    // days before the date
	Now, Until time.Time
}

// timerClaim is how long a tick holds a timer's message before another
// tick may send it: a process that dies between claiming and sending loses
// nothing, and one that sends in time is not doubled.
const timerClaim = time.Minute

// reminderDays are how many days before a date its owner is reminded.
func reminderDays() []int { return []int{3, 1} }

// CaseTick runs the casework's timers and hands the messages they send to
// send:
// a case nobody took within CaseEscalate (CaseEscalateUrgent for an urgent
// one) goes again to every coordinator, marked as waiting, and again after
// a doubled interval; the owner of a case with a date (the coordinators
// when nobody owns it) is reminded 3 days and 1 day before; a deportation
// date within 72 hours makes the case urgent. Every replica ticks: each
// message is claimed in the store for timerClaim, given to send (which
// stores it in the outbox), and only then marked sent; one whose process
// died in between is sent by a later tick.
func (a *App) CaseTick(ctx context.Context, send func(context.Context, []Reply) error) error {
	now := a.d.Now()
	var coords []Volunteer
	coordinators := func() ([]Volunteer, error) {
		if coords != nil {
			return coords, nil
		}
		var err error
		coords, err = a.coordinators(ctx)
		return coords, err
	}
	// One timer failing (its send refused by Redis, say) leaves its claim
	// to expire; the others go on.
	var failed []error
	untaken, err := a.d.Casework.Untaken(ctx)
	if err != nil {
		return fmt.Errorf("untaken cases: %w", err)
	}
	for _, v := range untaken {
		base := a.cfg.CaseEscalate
		if v.IsUrgent() {
			base = a.cfg.CaseEscalateUrgent
		}
		if now.Before(escalateAt(v.Created, base, v.Escalations)) {
			continue
		}
		n := v.Escalations
		ok, err := a.d.Casework.ClaimEscalation(ctx, v.ID, n, now, now.Add(timerClaim))
		if err != nil {
			return errors.Join(append(failed, fmt.Errorf("claim escalation of case %d: %w", v.ID, err))...)
		}
		if !ok {
			continue
		}
		cs, err := coordinators()
		if err != nil {
			return errors.Join(append(failed, err)...)
		}
		// After an outage, the escalations missed meanwhile are one
		// message, not one per tick until they have caught up.
		v.Escalations = dueEscalations(v.Created, base, n, now)
		texts, buttons := Card(v, CardEscalation)
		texts = append([]Text{T("casework.escalated", "Code", FormatCode(v.Code), "Wait", waitText(now.Sub(v.Created)),
			"Times", v.Escalations, "Waiting", len(untaken))}, texts...)
		var out []Reply
		for _, r := range cs {
			out = append(out, Reply{ChatID: r.UserID, Lang: r.Lang, Texts: texts, Buttons: buttons, Priority: PriorityReply, Join: true,
				Tag: cardTag(v.ID, r.Lang)}) // its "waiting" line is moot once redrawn
		}
		if a.forumOn() {
			out = append(out, a.inTopic(v, TopicPost, texts[0]))
		}
		if n < waitTold && v.Escalations >= waitTold {
			// The coordinators' message goes without the family's when
			// Redis cannot say whether the reporter talks to a volunteer.
			r, ok, err := a.stillWaiting(ctx, v)
			if err != nil {
				failed = append(failed, err)
			}
			if ok {
				out = append(out, r)
			}
		}
		if err := send(ctx, out); err != nil {
			failed = append(failed, fmt.Errorf("send escalation of case %d: %w", v.ID, err))
			continue
		}
		if err := a.d.Casework.EscalationSent(ctx, v.ID, n, v.Escalations); err != nil {
			failed = append(failed, fmt.Errorf("count escalation of case %d: %w", v.ID, err))
		}
	}

	day := today(now)
	dated, err := a.d.Casework.Dated(ctx, day.Format(time.DateOnly), day.AddDate(0, 0, reminderDays()[0]).Format(time.DateOnly))
	if err != nil {
		return errors.Join(append(failed, fmt.Errorf("dated cases: %w", err))...)
	}
	for _, v := range dated {
		for _, field := range dateFields() {
			d := v.date(field)
			if d == "" {
				continue
			}
			left := int(dateOf(d).Sub(day) / (24 * time.Hour))
			if left < 0 {
				continue
			}
			if field == DateDeportation && left <= 3 && !slices.Contains(v.Urgent, UrgentDeportation) {
				if err := a.d.Casework.SetDate(ctx, v.ID, field, d, UrgentDeportation); err != nil {
					return errors.Join(append(failed, fmt.Errorf("mark case %d urgent: %w", v.ID, err))...)
				}
				v.Urgent = append(v.Urgent, UrgentDeportation)
			}
			// Claimed together, the nearer reminder is the one sent: a
			// date set two days ahead is not reminded of twice.
			var claimed []ReminderClaim
			for _, days := range reminderDays() {
				if left > days {
					continue
				}
				rc := ReminderClaim{CaseID: v.ID, Field: field, Date: d, Days: days, Now: now, Until: now.Add(timerClaim)}
				ok, err := a.d.Casework.ClaimReminder(ctx, rc)
				if err != nil {
					return errors.Join(append(failed, fmt.Errorf("claim reminder of case %d: %w", v.ID, err))...)
				}
				if ok {
					claimed = append(claimed, rc)
				}
			}
			if len(claimed) == 0 {
				continue
			}
			when := T("casework.in_days").Plural(left)
			if left == 0 {
				when = T("casework.today")
			}
			texts := []Text{T("casework.remind", "Code", FormatCode(v.Code), "Field", T("casework.field."+field),
				"Date", dateText(dateOf(d)), "When", when)}
			buttons := [][]Button{{{Text: T("btn.case_open", "Code", FormatCode(v.Code)), Data: dataCase + ":" + cwOpen + ":" + v.Code}}}
			if field == DateHearing && v.ReporterChat != 0 && !v.Erased {
				// A few days before is when the family needs it most.
				buttons = append(buttons, []Button{{Text: T("btn.tell_date"),
					Data: dataCase + ":" + cwTellDate + ":" + v.Code + ":" + field + ":" + d}})
			}
			var out []Reply
			if v.Owner != 0 {
				out = append(out, Reply{ChatID: v.Owner, Lang: Lang(v.OwnerLang), Texts: texts, Buttons: buttons, Tag: aboutTag(v.ID)})
			} else {
				cs, err := coordinators()
				if err != nil {
					return errors.Join(append(failed, err)...)
				}
				for _, r := range cs {
					out = append(out, Reply{ChatID: r.UserID, Lang: r.Lang, Texts: texts, Buttons: buttons, Tag: aboutTag(v.ID)})
				}
			}
			if a.forumOn() {
				out = append(out, a.inTopic(v, TopicPost, texts...), a.topicCard(v))
			}
			if err := send(ctx, out); err != nil {
				failed = append(failed, fmt.Errorf("send reminder of case %d: %w", v.ID, err))
				continue
			}
			for _, rc := range claimed {
				if err := a.d.Casework.ReminderSent(ctx, rc); err != nil {
					failed = append(failed, fmt.Errorf("mark reminder of case %d: %w", v.ID, err))
				}
			}
		}
	}
	return errors.Join(failed...)
}
