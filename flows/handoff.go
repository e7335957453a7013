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
	"unicode"
)

// The volunteer handoff: a person, not a form, when one is needed. A user asks for a person — from the
// menu, from an urgent report, or by typing "человек" — and joins a queue
// kept in Redis; a volunteer takes the chat (/next, /take) and the two talk
// through the bot, every message relayed with copyMessage so that neither
// sees the other's Telegram account. /release puts the chat back at the
// head of the queue, /done closes it; Tick reminds a silent volunteer,
// returns the chat when they stay silent, tells users of a much better
// place in the queue and escalates a long wait to coordinators.
//
// The queue's state changes that decide who gets a chat (take, release,
// close, leave) are atomic in the Queue and remembered by the update that
// made them, so an update handled twice (a crash before its commit) has the
// effect, and builds the replies, of the first time. The rest (messages
// kept while waiting, who spoke last) is written with the update's commit.

// Errors of the queue.
var (
	// ErrQueueEmpty is returned by Queue.Take when no chat is waiting.
	ErrQueueEmpty = errors.New("queue empty")
	// ErrBusy is returned by Queue.Take when the volunteer holds as many
	// chats as they may.
	ErrBusy = errors.New("volunteer holds all the chats they may")
)

// Waiting is a chat in the queue.
type Waiting struct {
	ChatID    int64
	Ticket    int64     // the number volunteers take it by: /take 17
	Lang      string    // the user's language
	Urgent    bool      // from an urgent report: ahead of the others
	CaseCode  string    // the user's latest case, "" when none
	Since     time.Time // when the user asked for a volunteer; orders returned chats
	Queued    time.Time // when the chat last entered the queue
	Returned  bool      // back from a volunteer (/release, silence, blocked bot): at the head
	Told      int       // the position the user was last told
	Escalated bool      // coordinators were told of the long wait
}

// Pairing is a chat a volunteer has taken.
type Pairing struct {
	ID        string // the handoff's id, also of its history row
	ChatID    int64  // the user's chat
	Ticket    int64
	Volunteer int64  // the volunteer's user id, which is also their private chat's
	Name      string // the volunteer's display name, as the user was told it
	VolLang   string // the volunteer's language
	Lang      string // the user's language
	Urgent    bool
	CaseCode  string
	Since     time.Time
	Queued    time.Time
	Taken     time.Time
	// Pending is when the oldest message of the user that the volunteer has
	// not answered came (the take itself counts as one); zero when the
	// volunteer spoke last.
	Pending  time.Time
	Reminded bool // the volunteer was reminded of Pending
	// RemindedAt is when that reminder went out (zero if not known): the
	// chat goes back to the queue no sooner than HandoffReturn after it,
	// the time the reminder promised.
	RemindedAt time.Time
	// HeldUntil is when the volunteer's /hold ends: until then the timers
	// neither remind them nor take the chat back. Zero for none.
	HeldUntil time.Time
	// Active, from Held and ChatState.Active: the volunteer's messages go
	// to this chat.
	Active bool
}

// ChatState is where a chat stands in the handoff.
type ChatState struct {
	Waiting *Waiting // the chat waits for a volunteer
	Kept    int      // messages kept for the volunteer who takes the chat
	Paired  *Pairing // the chat talks to a volunteer
	Held    int      // with Paired: how many chats that volunteer holds
	Active  *Pairing // the chat is a volunteer's, and their messages go to this chat
	// Holds is how many chats the chat's user holds as a volunteer: more
	// than 0 with Active nil when the chat their messages went to was ended
	// by someone else, and they have not chosen another yet.
	Holds int
}

// Take asks the queue for a chat.
type Take struct {
	Volunteer int64
	Name      string
	Lang      string
	Ticket    int64 // 0: the first in the queue
	Max       int   // chats the volunteer may hold at once
	ID        string
	At        time.Time
	Op        string // the update taking it; the same Op gets the same chat
}

// Return asks the queue to put a taken chat back at its head.
type Return struct {
	ChatID    int64
	Volunteer int64 // who must hold it
	// Pending, when not zero, returns the chat only if the user's oldest
	// unanswered message is still this one: a timer's return must not undo
	// an answer the volunteer has just written.
	Pending time.Time
	At      time.Time
	Op      string
}

// Queue keeps the handoff's live state: the queue, pairings and the ids of
// messages written while waiting. Methods that take an op remember their
// result under it for a day and return it again for the same op.
type Queue interface {
	// Chat returns where the chat stands.
	Chat(ctx context.Context, chatID int64) (ChatState, error)
	// Join puts a chat in the queue and gives it a ticket; it returns the
	// entry and its position (1 is next). It writes at once, so chats
	// joining at the same time get different positions; the same op gets
	// the same ticket and position again.
	Join(ctx context.Context, w Waiting, op string) (Waiting, int, error)
	// Leave takes a waiting chat out of the queue; false when it was not
	// waiting (a volunteer may have just taken it).
	Leave(ctx context.Context, chatID int64, op string) (bool, error)
	// Waiting returns the queue, first to be taken first.
	Waiting(ctx context.Context) ([]Waiting, error)
	// Position returns a waiting chat's position, 0 when it is not waiting.
	Position(ctx context.Context, chatID int64) (int, error)
	// Take pairs a waiting chat with a volunteer, atomically: a chat is
	// taken once. With it come the ids of the messages kept while it
	// waited, oldest first, which the caller relays. It returns
	// ErrQueueEmpty, ErrBusy, or ErrNotFound when the ticket asked for is
	// not waiting.
	Take(ctx context.Context, t Take) (Pairing, []int, error)
	// Release puts a taken chat back at the head of the queue; the
	// messages the volunteer did not answer are kept for the next one. It
	// returns ErrNotFound when the chat is not held as r says. A timer's
	// return (r.Pending set) of the chat the volunteer's messages go to
	// leaves them going to none, until the volunteer chooses: a message
	// they were typing for that person must not reach another.
	Release(ctx context.Context, r Return) (Pairing, int, error)
	// Close ends a pairing; volunteer 0 closes it whoever holds it. It
	// returns ErrNotFound when there is none. When it was the chat the
	// volunteer's messages go to, they go to another they hold if the
	// volunteer closed it, and to none otherwise (see Release).
	Close(ctx context.Context, chatID, volunteer int64, op string) (Pairing, error)
	// Held returns the chats a volunteer holds, the active one first (none
	// is active when the last was ended by someone else). The
	// update that asked with op (from turn.op; "" for none) gets the same
	// list again when handled again: a removal that failed midway still
	// finds, and tells, the users its first try returned.
	Held(ctx context.Context, volunteer int64, op string) ([]Pairing, error)
	// SetActive makes one of the chats a volunteer holds the one their
	// messages go to; ErrNotFound when they do not hold it.
	SetActive(ctx context.Context, volunteer, chatID int64) error
	// Paired returns every pairing, for the timers.
	Paired(ctx context.Context) ([]Pairing, error)

	// Keep keeps the id of a message written while waiting — never its
	// text: volunteers who do not hold the chat must not read it. False
	// when the chat is no longer waiting: a volunteer has just taken it.
	Keep(ctx context.Context, chatID int64, messageID int) (bool, error)
	// Kept returns the ids of the messages kept, oldest first.
	Kept(ctx context.Context, chatID int64) ([]int, error)
	// UserWrote notes a message of a paired user the volunteer has yet to
	// answer.
	UserWrote(ctx context.Context, chatID int64, messageID int, at time.Time) error
	// VolunteerWrote notes that the volunteer answered. Deferred (see
	// Sessions): Chat in the same update still shows the message pending.
	VolunteerWrote(ctx context.Context, chatID int64) error

	// ClaimReminder claims the volunteer's reminder of pending until
	// until; false when it was sent, another process holds the claim, or
	// the pairing has moved on. ReminderSent marks it sent at a time.
	ClaimReminder(ctx context.Context, chatID int64, pending, now, until time.Time) (bool, error)
	ReminderSent(ctx context.Context, chatID int64, pending, at time.Time) error
	// ClaimEscalation claims a waiting chat's escalation until until;
	// false when it was sent, another process holds the claim, or the chat
	// is no longer waiting. EscalationSent marks it sent.
	ClaimEscalation(ctx context.Context, chatID int64, now, until time.Time) (bool, error)
	EscalationSent(ctx context.Context, chatID int64) error
	// ClaimTold changes the position a waiting user was last told from
	// from to to; false when another process did first.
	ClaimTold(ctx context.Context, chatID int64, from, to int) (bool, error)
}

// Volunteer is a member of the hotline.
type Volunteer struct {
	UserID int64
	Role   Role
	Name   string // display name shown to users; "" for none
	Lang   string // the language of their Telegram, as last seen
	OnDuty bool
	Added  time.Time
}

// Volunteers stores the hotline's members, their preferences and invites.
type Volunteers interface {
	Roles
	// Get returns a member or ErrNotFound. An admin from the configuration
	// may have a row with RoleNone that keeps only their preferences.
	Get(ctx context.Context, userID int64) (Volunteer, error)
	// List returns the members with a role, by user id.
	List(ctx context.Context) ([]Volunteer, error)
	// Add makes the user a member with role, or changes their role.
	Add(ctx context.Context, userID int64, role Role, by int64) error
	// Remove takes the role away; ErrNotFound when they had none. The
	// update that removed them (op, from turn.op) gets nil again when
	// handled again, so that the rest of a removal that failed midway is
	// done on the retry; an empty op is not remembered.
	Remove(ctx context.Context, userID int64, op string) error
	// SetName, SetLang and SetDuty keep a member's preferences.
	SetName(ctx context.Context, userID int64, name string) error
	SetLang(ctx context.Context, userID int64, lang string) error
	SetDuty(ctx context.Context, userID int64, on bool) error
	// OnDuty returns the rows marked on duty, roles as stored.
	OnDuty(ctx context.Context) ([]Volunteer, error)
	// Coordinators returns the members with the coordinator role or above.
	Coordinators(ctx context.Context) ([]Volunteer, error)
	// Invite stores a one-time invite by the hash of its token.
	Invite(ctx context.Context, tokenHash string, role Role, by int64, expires time.Time) error
	// Accept uses an invite once: the user becomes a member with its role
	// (or keeps a higher one). The same op (the update handled again) gets
	// the same answer; ErrNotFound when the invite is unknown, expired,
	// revoked (its maker or its user was removed) or used already.
	Accept(ctx context.Context, tokenHash string, userID int64, at time.Time, op string) (Role, error)
}

// Outcomes of a handoff as kept in its history row.
const (
	EndDone             = "done"              // the volunteer closed it
	EndUser             = "user_ended"        // the user ended it
	EndUserBlocked      = "user_blocked"      // the user blocked the bot
	EndUserForgot       = "user_forgot"       // the user erased their data (/forget)
	EndReleased         = "released"          // back to the queue by /release
	EndSilent           = "silent"            // back to the queue: the volunteer stayed silent
	EndVolunteerBlocked = "volunteer_blocked" // back to the queue: the volunteer blocked the bot
	EndRemoved          = "removed"           // back to the queue: the volunteer lost their role
)

// LinkedCase is the case a waiting chat is linked to.
type LinkedCase struct {
	Code    string
	Urgent  bool
	Created time.Time
}

// HandoffStats are the numbers /stats shows.
type HandoffStats struct {
	Taken      int           // chats taken since
	Handled    int           // chats closed by /done or by the user since
	MedianWait time.Duration // of the chats taken since
}

// Handoffs keeps the history of handoffs: who, when, how long the user
// waited and the linked case — never what was written.
type Handoffs interface {
	// Start records a taken chat; recording the same ID again does nothing.
	Start(ctx context.Context, p Pairing) error
	// End records how a handoff ended; only the first end counts.
	End(ctx context.Context, id, outcome string, at time.Time) error
	// Stats counts the handoffs since a time.
	Stats(ctx context.Context, since time.Time) (HandoffStats, error)
	// LatestCase returns the latest case the user reported, or ErrNotFound.
	LatestCase(ctx context.Context, userID int64) (LinkedCase, error)
}

// CaseFiles reads a stored case in full, for the volunteer holding its chat.
type CaseFiles interface {
	// Get returns the report and case of a code, or ErrNotFound.
	Get(ctx context.Context, code string) (*Report, Case, error)
}

// Callback data of the handoff's buttons.
const (
	dataLeave  = "h.l" // a waiting user leaves the queue
	dataEnd    = "h.e" // a paired user ends the conversation
	dataTake   = "h.t" // h.t:<ticket>, under a volunteer's notification
	dataSwitch = "h.s" // h.s:<chat>, a volunteer switches between chats
)

// urgentFresh is how recent an urgent report must be for its reporter to
// join the queue ahead of others.
const urgentFresh = 24 * time.Hour

// registerHandoff plugs the volunteer handoff into the engine. Without its
// stores the menu keeps the engine's "coming soon" answers.
func (a *App) registerHandoff() {
	h := &a.hooks
	h.intercept = append(h.intercept, a.handoffIntercept)
	h.menu["volunteer"] = func(ctx context.Context, c *turn) error { return a.join(ctx, c, false) }
	h.menu["urgent"] = func(ctx context.Context, c *turn) error { return a.join(ctx, c, true) }
	h.menuText = append(h.menuText, a.memberNoChat, a.askedForPerson, askedWhoWeAre, iceHereNow, a.medicalAtMenu,
		a.soundsLikeReport, a.askedForHelp, afraid,
		aNumberAtMenu, a.phoneAtMenu, a.askedToBeCalled)
	h.menuMedia = append(h.menuMedia, a.memberNoChat, a.mediaAtMenu)
	h.commands["leave"] = a.leaveCommand
	h.buttons[dataLeave] = func(ctx context.Context, c *turn, _ string) error { return a.leave(ctx, c) }
	h.buttons[dataEnd] = func(ctx context.Context, c *turn, _ string) error { return a.userEnd(ctx, c) }
	h.starts["v_"] = a.acceptInvite
	h.home = a.memberHome
	h.buttons[dataHome] = a.homeButton
	h.menu["public"] = func(_ context.Context, c *turn) error { // a member's way to the relatives' menu
		c.say(T("menu.choose"))
		c.menu()
		return nil
	}

	// Every command here asks the authorisation table (authz.go) first.
	gate := func(act Action, fn memberCommand) command { return a.guard(act, a.asMember(fn)) }
	h.commands["queue"] = gate(ActViewQueue, a.queueCommand)
	h.commands["next"] = gate(ActTakeChat, func(ctx context.Context, c *turn, m *member, _ string) error {
		return a.take(ctx, c, m, 0)
	})
	h.commands["take"] = gate(ActTakeChat, a.takeCommand)
	h.commands["release"] = gate(ActTakeChat, a.release)
	h.commands["done"] = gate(ActTakeChat, a.done)
	h.commands["case"] = gate(ActViewCase, a.caseCommand)
	h.commands["duty"] = gate(ActMember, a.duty)
	h.commands["name"] = gate(ActMember, a.name)
	h.commands["switch"] = gate(ActTakeChat, a.switchCommand)
	h.commands["stats"] = gate(ActViewStats, a.stats)
	h.commands["volunteers"] = gate(ActManageVolunteers, a.volunteers)
	h.buttons[dataTake] = a.guardButton(ActTakeChat, a.asMember(a.takeCommand))
	h.buttons[dataSwitch] = a.guardButton(ActTakeChat, a.asMember(a.switchTo))
}

// askedForPerson takes "человек", "human" and the like typed at the main
// menu as asking for a volunteer.
func (a *App) askedForPerson(ctx context.Context, c *turn) (bool, error) {
	if !asksForPersonAtMenu(c.in.Text) {
		return false, nil
	}
	return true, a.join(ctx, c, false)
}

// memberNoChat answers a member's message at the main menu — most often
// one typed for a person whose chat has just ended — with what it is: sent
// to nobody, and what they can do; not with the relatives' greeting.
func (a *App) memberNoChat(ctx context.Context, c *turn) (bool, error) {
	if _, ok := FindCode(c.in.Text); ok && c.in.Kind == KindText {
		return false, nil // a case's code: its status, as for anyone
	}
	role, err := a.role(ctx, c.in.UserID)
	if err != nil {
		return false, fmt.Errorf("role of user %d: %w", c.in.UserID, err)
	}
	if role < RoleVolunteer {
		return false, nil
	}
	// One of their commands typed alone without its slash ("next", "Cases"
	// on a phone): the command, where it was refused as a message to
	// nobody. Not with more words: "note that…" may be for a person.
	word, arg := captionKey(c.in.Text), ""
	if alias, ok := memberWords[word]; ok {
		word, arg, _ = strings.Cut(alias, " ") // "очередь", "на дежурство": in the command's words
	} else if cmd, rest, _ := strings.Cut(word, " "); cmd == "duty" && (rest == "on" || rest == "off") {
		word, arg = cmd, rest // "duty on", as typed after the slash
	}
	if c.in.Kind == KindText && slices.Contains(CommandsFor(role), word) {
		c.in.Kind, c.in.Command, c.in.Text = KindCommand, word, arg
		return true, c.run(ctx) // from the start, as the command would have come
	}
	c.drop = true
	if ok, err := a.caseReply(ctx, c, nil); ok || err != nil {
		return true, err // "беру" in reply to a case's card takes it
	}
	if takeWords[captionKey(c.in.Text)] {
		// "Беру", "I'll take it" — under a case's card, most likely:
		// how to take it, where it was "not sent".
		c.say(T("casework.take_how"))
		return true, nil
	}
	c.say(T("handoff.member_no_chat"))
	return true, nil
}

// takeWords say "I take it" (captionKey), typed under a case's card.
var takeWords = map[string]bool{"беру": true, "возьму": true, "я возьму": true, "я беру": true, "беру дело": true,
	"взять": true, "взять дело": true, "забираю": true, "мое": true, "take": true, "take it": true, "i ll take it": true,
	"ill take it": true, "i will take it": true, "i take it": true, "taking it": true, "mine": true, "i m on it": true,
	"im on it": true, "on it": true, "взяла": true, "взял": true, "я взяла": true, "я взял": true, "беру себе": true,
	"возьму себе": true, "i ll take this": true, "i ll take this one": true, "taking this": true, "taking this one": true}

// memberWords are a member's commands typed alone in their own words
// (captionKey), as the command with its argument: a volunteer writing
// Russian types "очередь", not "queue".
var memberWords = map[string]string{
	"дела": "cases", "мои дела": "cases", "доска": "cases", "очередь": "queue", "следующий": "next",
	"следующий чат": "next", "следующая": "next", "взять следующий": "next", "статистика": "stats",
	"помощь": "help", "справка": "help", "команды": "help", "commands": "help",
	"на дежурство": "duty on", "начать дежурство": "duty on", "дежурство вкл": "duty on", "заступить на дежурство": "duty on",
	"закончить дежурство": "duty off", "выйти с дежурства": "duty off", "конец дежурства": "duty off",
	"дежурство выкл": "duty off", "start duty": "duty on", "end duty": "duty off", "off duty": "duty off",
	"on duty": "duty on",
}

// soundsLikeReport answers text at the main menu that tells of a detention
// with the two ways on: report it, or talk to a volunteer now, who will
// see the text.
func (a *App) soundsLikeReport(ctx context.Context, c *turn) (bool, error) {
	switch {
	case tellsOfDetention(c.in.Text):
		if strings.HasSuffix(strings.TrimSpace(c.in.Text), "?") && !slices.ContainsFunc(strings.Fields(captionKey(c.in.Text)),
			func(w string) bool { return anotherWords[w] }) {
			// "Его могут депортировать?" from someone who reported a
			// case asks about it: where it stands and a volunteer
			// (question); it was offered as news of the case.
			cases, err := a.d.Reporters.Cases(ctx, c.in.UserID)
			if err != nil {
				return false, fmt.Errorf("cases of user %d: %w", c.in.UserID, err)
			}
			if len(cases) > 0 {
				return false, nil
			}
		}
		return true, a.offerReport(ctx, c, T("menu.report_offer"), true)
	case lostContact(c.in.Text) && reachesHotline(c.in.Text):
		// "Не могу дозвониться до вас": this chat reaches the hotline,
		// a volunteer a press away; it got the greeting.
		c.offerTwoWays(T("menu.reach_us", "Phone", a.cfg.Phone, "Hours", a.cfg.Hours))
		return true, nil
	case lostContact(c.in.Text) && !reachesService(c.in.Text):
		// "Не могу дозвониться до мужа": what the locator shows, and
		// the same two ways. From a friend who follows a case it is
		// about that case (followerSaid).
		cases, err := a.d.Subscriptions.Followed(ctx, c.in.ChatID)
		if err != nil || len(cases) > 0 {
			return false, err
		}
		return true, a.offerReport(ctx, c, T("menu.lost_contact"), false)
	}
	return false, nil
}

// newsFirst offers what someone who reported a case typed at the menu as
// its news, a new report for someone else and a volunteer below; false
// for anyone else.
func (a *App) newsFirst(ctx context.Context, c *turn) (bool, error) {
	note, p := ParseText(c.in.Text, a.cfg.MaxText)
	if p != nil {
		return false, nil
	}
	// "Мужа Ивана Петрова A123456789 задержали вчера": an A-number or a
	// name none of their cases has is someone else, a new report first
	// (casesAbout); unless a case of theirs has none yet ("I will send it
	// later").
	news, err := a.newsButtons(ctx, c, note)
	if err != nil || news == nil {
		return false, err
	}
	c.offerTwoWays(T("casework.news_offer"))
	c.say(T("menu.report_other"))
	c.buttons = append(news, c.buttons...)
	return true, nil
}

// aNumberRe is an A-number inside words: "A123456789", "A# 123-456-789",
// "А-номер 123 456 789", "his A number is 123-456-789" — its letter, then 8
// or 9 digits.
var aNumberRe = regexp.MustCompile(`(?i)(?:^|[^\pL\d])[AА](?:[\s#№:-]|-?номер|-?number(?:\s+is)?)*(\d[\d -]{6,12}\d)`)

// aNumberIn returns the A-number written inside text, as ParseANumber
// keeps it; "" when there is none.
func aNumberIn(text string) string {
	for _, m := range aNumberRe.FindAllStringSubmatch(text, -1) {
		if n, p := ParseANumber("A" + m[1]); p == nil {
			return n
		}
	}
	return ""
}

// offerReport answers text at the main menu that tells of a detention with
// say and the two ways on: report it, or talk to a volunteer now. followed
// says whether the cases the chat follows are yet to be looked up (the
// caller may know there are none).
func (a *App) offerReport(ctx context.Context, c *turn, say Text, followed bool) error {
	// From someone who reported a case, "его депортировали" is most
	// likely its news: that is offered first, and a new report for
	// someone else second. They were first told it sounded like someone
	// had been detained.
	if ok, err := a.newsFirst(ctx, c); ok || err != nil {
		return err
	}
	c.offerTwoWays(say)
	if !followed {
		return nil
	}
	// From a friend who follows a case, "его уже депортировали?" is most
	// likely about it: the case is a button away, and the volunteer reads
	// it. It was only the offer to report a detention.
	cases, err := a.d.Subscriptions.Followed(ctx, c.in.ChatID)
	if err != nil || len(cases) == 0 {
		return err
	}
	c.buttons = append(c.aboutFollowed(cases), c.buttons...)
	return nil
}

// anotherWords say a detention told is someone else's ("брата тоже
// задержали?"), not the one reported (captionKey).
var anotherWords = map[string]bool{"тоже": true, "также": true, "еще": true, "also": true, "too": true, "another": true}

// lostContactWords say that someone cannot be reached, as people say it
// when they fear a detention (captionKey, a phrase at the start of a word);
// missingWords, that someone is missing, who must be named: "муж пропал",
// not "у мужа пропал паспорт".
var (
	lostContactWords = []string{"не могу дозвон", "не можем дозвон", "не могу связат", "не можем связат",
		"не выходит на связ", "перестал выходить на связ", "потеряли связь", "нет связи с",
		"не отвечает на звонки", "не берет трубку", "не можу додзвон", "can t reach", "cannot reach",
		"can not reach", "couldn t reach", "can t get hold", "can t contact", "cannot contact", "lost contact",
		"haven t heard from", "have not heard from", "not answering his phone", "not answering her phone",
		// Did not come home: "папа не вернулся с работы".
		"не вернулся", "не вернулась", "не пришел домой", "не пришла домой", "didn t come home",
		"did not come home", "never came home", "hasn t come home", "has not come home"}
	missingWords = []string{"пропал", "зник", "went missing", "is missing", "disappeared"}
)

// serviceWords name those people call about a detention — a lawyer, a
// court, the consulate, ICE, a facility, the hotline (captionKey, a phrase
// at the start of a word); serviceWholeWords must be whole ("вас", not
// "Васи").
var (
	serviceWords = append([]string{"адвокат", "юрист", "lawyer", "attorney", "суд", "court", "консул", "посольств",
		"consul", "embass", "ice", "айс", "центр", "тюрьм", "detention cent", "facilit", "jail", "офис", "office",
		"справочн", "info line", "information line", "офицер", "officer"}, reachHotlineWords...)
	// reachHotlineWords name the hotline as the one not reached.
	reachHotlineWords = []string{"горячую линию", "горячей линии", "hotline"}
	serviceWholeWords = map[string]bool{"вас": true, "вам": true, "вами": true, "you": true}
	// subjectWords are the ones not reached, when they are someone:
	// "он не отвечает, адвокат тоже".
	subjectWords = map[string]bool{"он": true, "она": true, "они": true, "he": true, "she": true, "they": true}
)

// reachesService reports whether the one who cannot be reached is a
// lawyer, a court, the consulate, ICE, a facility or the hotline, and no
// one close: "не могу дозвониться до адвоката" was answered with the
// detainee locator, "if you fear ICE has detained them"; "не могу
// связаться с консульством" missed the consulate's page, which says not to.
// Those get the page that names them, and a volunteer (question).
func reachesService(text string) bool {
	key := captionKey(text)
	words := strings.Fields(key)
	if slices.ContainsFunc(words, func(w string) bool { return relationWords[w] || subjectWords[w] }) {
		return false
	}
	return saysAny(key, serviceWords) || slices.ContainsFunc(words, func(w string) bool { return serviceWholeWords[w] })
}

// reachesHotline reports whether the one who cannot be reached is the
// hotline: "не могу дозвониться до вас", "can't reach the hotline".
func reachesHotline(text string) bool {
	key := captionKey(text)
	return saysAny(key, reachHotlineWords) ||
		slices.ContainsFunc(strings.Fields(key), func(w string) bool { return serviceWholeWords[w] })
}

// lostContact reports whether text says someone cannot be reached: "не
// могу дозвониться до мужа", "I can't reach my husband", "брат пропал".
func lostContact(text string) bool {
	key := captionKey(text)
	if saysAny(key, lostContactWords) {
		return true
	}
	return saysAny(key, missingWords) && slices.ContainsFunc(strings.Fields(key), func(w string) bool {
		return relationWords[w] || someoneWords[w] || w == "человек" || w == "person"
	})
}

// askedForHelp answers a plea at the main menu ("Помогите, пожалуйста",
// "SOS", "help me", "что делать?") with the two ways on, as
// soundsLikeReport does, where it got the greeting again; the volunteer
// who takes the chat reads it. "Что делать?" from someone with a case of
// their own, or one they follow (a check-in's trusted contact after the
// alarm), gets where it stands and a volunteer: a new report would be
// the same case again.
func (a *App) askedForHelp(ctx context.Context, c *turn) (bool, error) {
	if whatToDo[captionKey(c.in.Text)] {
		if ok, err := a.casesStand(ctx, c, false); ok || err != nil {
			return ok, err
		}
	} else if !pleadsForHelp(c.in.Text) {
		return false, nil
	}
	c.offerTwoWays(T("menu.help_offer"))
	return true, nil
}

// whoWeAreWords ask who the bot is, or whether it is ICE (captionKey, a
// phrase at the start of a word).
var whoWeAreWords = []string{"кто вы", "вы кто", "кто это", "вы из ice", "вы из айс", "вы ice", "это ice",
	"вы айс", "это айс", "вы из полиции", "вы полиция", "работаете на ice", "работаете на айс", "ловушк",
	"это безопасно", "are you ice", "is this ice", "are you from ice", "work for ice", "working for ice",
	"who are you", "who is this", "are you the police", "are you police", "are you government", "a trap",
	"is this safe", "is it safe",
	// Whether it is safe to write here, from someone without papers.
	"безопасно писать", "безопасно ли", "тут безопасно", "здесь безопасно", "не опасно писать", "не опасно ли",
	"safe to write", "safe to talk", "safe to use", "safe to message", "safe here"}

// askedWhoWeAre answers "вы из ICE?", "кто вы?", "is this a trap?" at the
// main menu with who the hotline is and who sees what is written. "Are you
// ICE?" got the offer to report a detention, for its "ICE"; "кто вы?" that
// the bot cannot answer questions.
var askedWhoWeAre = answerPhrases(15, whoWeAreWords, "menu.about", "volunteer", "menu")

// iceHereNow answers "ICE is at my door", "айс стучат в дверь" at the main
// menu with a volunteer first, and the report a button below. It got the
// offer to report a detention — "about ten minutes of questions" — while
// it happens.
var iceHereNow = answerIf(func(key string) bool {
	return len(strings.Fields(key)) <= 15 && saysAny(key, iceWords) && saysAny(key, hereNowWords)
}, "menu.ice_now", "volunteer", "report", "menu")

// iceWords name ICE; hereNowWords say it is there now (captionKey, a phrase
// at the start of a word).
var (
	iceWords     = []string{"ice", "айс", "иммиграц", "migra", "агент", "agents", "officers"}
	hereNowWords = []string{"door", "knock", "outside", "right now", "here now", "у двери", "в дверь", "под дверью",
		"стуч", "ломят", "у дома", "возле дома", "во дворе", "прямо сейчас", "сейчас у нас", "at my house",
		"at our house", "at the house", "in front of"}
)

// releaseWords tell that someone was released (captionKey, a phrase at the
// start of a word).
var releaseWords = []string{"выпустил", "отпустил", "освободил", "вышел на свободу", "вышла на свободу",
	"вышел под залог", "вышла под залог", "released", "let him go", "let her go", "got out on bond", "is out on bond",
	"bonded out", "випустил"}

// releasedAtMenu answers a release told at the main menu by someone with
// no case here ("мужа выпустили", "my husband was released") with what
// may come after it — a court date, ICE check-ins — and the two places
// that help with them: a volunteer, and the check-in's safety line. It got
// the greeting. A reporter's is news of their case (newsInWords, before).
var releasedAtMenu = answerPhrases(15, releaseWords, "menu.released", "volunteer", "checkin", "menu")

// answerPhrases is a hook of the main menu that answers a message of at
// most max words saying one of phrases (captionKey, a phrase at the start
// of a word) with the text say and the menu's buttons of actions, in
// order; a volunteer they lead to sees the message.
func answerPhrases(max int, phrases []string, say string, actions ...string) func(context.Context, *turn) (bool, error) {
	return answerIf(func(key string) bool {
		return len(strings.Fields(key)) <= max && saysAny(key, phrases)
	}, say, actions...)
}

// answerIf is a hook of the main menu that answers a message whose words
// (captionKey) match with the text say and the menu's buttons of actions.
func answerIf(match func(key string) bool, say string, actions ...string) func(context.Context, *turn) (bool, error) {
	return func(_ context.Context, c *turn) (bool, error) {
		if !match(captionKey(c.in.Text)) {
			return false, nil
		}
		c.setSaid(false)
		c.say(T(say))
		c.buttons = menuButtons(actions...)
		return true, nil
	}
}

// menuButtons are the main menu's buttons of actions, one a row; "menu"
// is the menu itself.
func menuButtons(actions ...string) [][]Button {
	rows := make([][]Button, len(actions))
	for i, a := range actions {
		label := "btn.menu_" + a
		if a == "menu" {
			label = "btn.menu"
		}
		rows[i] = []Button{{Text: T(label), Data: dataMenu + ":" + a}}
	}
	return rows
}

// fearWords say one is frightened (captionKey, a phrase at the start of a
// word).
var fearWords = []string{"страшно", "боюсь", "боимся", "паник", "в ужасе", "напуган", "мне очень плохо", "мне плохо",
	"scared", "afraid", "terrified", "panic", "frightened"}

// afraid answers "мне страшно", "I'm so scared" at the main menu with a
// person first: a volunteer to talk to now, and the report a button below.
// It was offered to a reporter as news of their case, and got the greeting
// from others.
var afraid = answerPhrases(12, fearWords, "menu.afraid", "volunteer", "report", "menu")

// medicalWords say that someone needs medical care (captionKey, a phrase
// at the start of a word). sickWords (whole) and careWords (a phrase at
// the start of a word) say so only of someone named (sickWho, a
// relative): "ему плохо", "he needs a doctor"; "мне плохо" is fear, "I
// have a doctor's appointment" one's own.
var (
	medicalWords = []string{"лекарств", "таблетк", "инсулин", "медицинск", "медпомощ", "скорую", "голодовк",
		"medicine", "medication", "insulin", "medical", "hunger strike", "pills", "ліки"}
	careWords = []string{"врач", "больниц", "doctor", "hospital", "not well", "in pain", "лікар"}
	sickWords = map[string]bool{"болен": true, "больна": true, "болеет": true, "заболел": true, "заболела": true,
		"плохо": true, "sick": true, "ill": true, "хворий": true, "хворіє": true}
	sickWho = map[string]bool{"он": true, "она": true, "ему": true, "ей": true, "его": true, "ее": true,
		"him": true, "her": true, "he": true, "she": true, "his": true}
)

// needsMedical reports whether key (captionKey) says that someone needs
// medical care.
func needsMedical(key string) bool {
	words := strings.Fields(key)
	if len(words) > 25 {
		return false
	}
	if saysAny(key, medicalWords) {
		return true
	}
	return (slices.ContainsFunc(words, func(w string) bool { return sickWords[w] }) || saysAny(key, careWords)) &&
		slices.ContainsFunc(words, func(w string) bool { return sickWho[w] || relationWords[w] })
}

// medicalAtMenu answers "he is sick and not getting his medicine", "ему
// плохо, не дают лекарства", "он объявил голодовку" at the main menu with
// a volunteer first and the report (where "Needs medical care" is an
// urgent matter) below; from a reporter, it is offered as news of their
// case (newsFirst), a volunteer a button below. They got the greeting.
func (a *App) medicalAtMenu(ctx context.Context, c *turn) (bool, error) {
	if !needsMedical(captionKey(c.in.Text)) {
		return false, nil
	}
	if ok, err := a.newsFirst(ctx, c); ok || err != nil {
		return true, err
	}
	c.setSaid(false)
	c.say(T("menu.medical"))
	c.buttons = menuButtons("volunteer", "report", "menu")
	return true, nil
}

// callBackWords ask to be called (captionKey, a phrase at the start of a
// word).
var callBackWords = []string{"перезвон", "позвоните мне", "позвоните нам", "можете позвонить", "можете мне позвонить",
	"можно мне позвонить", "наберите мне", "call me", "give me a call", "can someone call", "can you call me",
	"could you call me", "please call", "передзвон", "зателефонуйте"}

// askedToBeCalled answers "перезвоните мне", "can someone call me?" with
// what can be done: the bot cannot call, the hotline's phone when it has
// one, and a volunteer who sees the number once it is written. It got the
// greeting, or "I am a bot and cannot answer questions".
func (a *App) askedToBeCalled(_ context.Context, c *turn) (bool, error) {
	key := captionKey(c.in.Text)
	if len(strings.Fields(key)) > 12 || !saysAny(key, callBackWords) {
		return false, nil
	}
	c.setSaid(false)
	c.say(T("menu.call_back", "Phone", a.cfg.Phone, "Hours", a.cfg.Hours))
	c.buttons = menuButtons("volunteer", "menu")
	return true, nil
}

// aNumberAtMenu answers an A-number sent alone at the main menu — a
// relative's first message, often — with what the bot does with one: it
// finds no one by it, a report or a volunteer does; a case is seen by its
// code. It got the greeting, as if unread.
func aNumberAtMenu(_ context.Context, c *turn) (bool, error) {
	if !looksLikeANumber(c.in.Text) {
		return false, nil
	}
	c.offerTwoWays(T("menu.a_number"))
	return true, nil
}

// phoneAtMenu answers a phone number typed at the main menu ("+1 305 555
// 0100, позвоните мне") — the bot does not call — with the two ways on:
// the volunteer who takes the chat sees the number. It got the greeting.
// From a reporter, "мой новый номер …" is news of their case first.
func (a *App) phoneAtMenu(ctx context.Context, c *turn) (bool, error) {
	phone := FindPhone(c.in.Text)
	if phone == "" {
		return false, nil
	}
	if _, p := ParseDate(phone, c.now); p == nil {
		return false, nil // 12.03.2026
	}
	if countDigits(phone) < 10 {
		return false, nil // "A-номер: 123456789" — an A-number has 8 or 9 digits, a phone 10 or more
	}
	if taken, err := a.newsInWords(ctx, c); taken || err != nil {
		return taken, err
	}
	c.offerTwoWays(T("menu.phone"))
	return true, nil
}

// offerTwoWays answers text typed at the main menu with t and the two ways
// on (report, or a volunteer now); the text is kept for the volunteer.
func (c *turn) offerTwoWays(t Text) {
	c.setSaid(false)
	c.say(t)
	c.buttons = reportOrPerson()
}

// whatToDo ask what to do, alone (captionKey): at the menu, most often
// just after telling of a detention, where they got "I am a bot and
// cannot answer questions" without the report.
var whatToDo = map[string]bool{"что делать": true, "что мне делать": true, "что нам делать": true,
	"что теперь делать": true, "что же делать": true, "что делать дальше": true, "что дальше делать": true,
	"что мне теперь делать": true, "что нам теперь делать": true, "как быть": true, "что делать то": true,
	"what do i do": true, "what should i do": true, "what do we do": true, "what should we do": true,
	"what can i do": true, "what can we do": true, "what do i do now": true, "what should i do now": true,
	"what now": true, "що робити": true, "що мені робити": true, "що нам робити": true}

// pleadsForHelp reports whether text is a plea for help, not a thank-you
// for it ("спасибо за помощь").
func pleadsForHelp(s string) bool {
	plea := false
	for _, w := range lowerWords(s) {
		switch {
		case strings.HasPrefix(w, "спасиб") || strings.HasPrefix(w, "thank") || w == "thx" || strings.HasPrefix(w, "дяку"):
			return false
		case w == "sos" || w == "help" || w == "urgent" || w == "urgently" || strings.HasPrefix(w, "emergenc") ||
			strings.HasPrefix(w, "помоги") || strings.HasPrefix(w, "помощ") || strings.HasPrefix(w, "срочн") ||
			strings.HasPrefix(w, "спасите") ||
			strings.HasPrefix(w, "допомож") || strings.HasPrefix(w, "допомог") || strings.HasPrefix(w, "терміново"):
			plea = true
		}
	}
	return plea
}

// mediaAtMenu takes a voice message, a photo or a document sent at the
// main menu — often how a frightened relative begins — as soundsLikeReport
// takes text: kept for the volunteer, with the two ways on. A sticker is
// only a greeting.
func (a *App) mediaAtMenu(ctx context.Context, c *turn) (bool, error) {
	if c.in.Media == "sticker" {
		return false, nil
	}
	if c.laterInAlbum() {
		c.alsoSaid() // the album's other photos: kept with its first, one answer
		return true, nil
	}
	c.setSaid(slices.Contains(keptMedia, c.in.Media))
	c.buttons = reportOrPerson()
	if c.s.SaidFile {
		// From someone who reported a case, most likely a paper of it:
		// sent as its news with one press, the two ways on after it.
		news, err := a.newsButtons(ctx, c, "")
		if err != nil {
			return true, err
		}
		if news != nil {
			c.say(T("casework.news_file_offer"), T("menu.media_offer_reporter"))
			c.buttons = append(news, c.buttons...)
			return true, nil
		}
	}
	c.say(T("menu.media_offer"))
	return true, nil
}

// reportOrPerson are the buttons offered to someone who seems to be
// telling of a detention: report it, or talk to a volunteer now.
func reportOrPerson() [][]Button { return menuButtons("report", "volunteer", "menu") }

// detentionWords are the beginnings of words people use when someone has
// been detained, in Russian, Ukrainian (many who write in Russian do too)
// and English; detentionWholeWords must be whole. The Russian of
// immigrants in the US says "детеншн" (detention), "задетейнили" and
// "кэмп" (a detention centre) more often than any dictionary word.
func detentionWords() []string {
	return []string{
		"задерж", "арест", "забрал", "увез", "взял", "депорт", "тюрьм", "посадил", "миграцион", "иммиграц",
		"детенш", "детейн", "задетейн", "кэмп", "лагер", "облав", "схватил", "повязал", "загребл", "разлучил",
		"затрим", "заарешт", "тюрм", "міграц", "іміграц",
		"detain", "detent", "arrest", "taken", "took", "deport", "custody", "jail", "immigration", "picked",
		"raid", "lockup",
		// Russian typed in Latin letters (writtenInTranslit).
		"zaderzh", "zaderj", "arestov", "zabral", "uvezl", "tyurm", "detensh", "posadil",
	}
}

// detentionWholeWords tell of a detention only as whole words ("кемп" is
// the start of "кемпинг"); detentionPairs only as two words in a row: an
// account is locked, and "where he is held" asks for the locator's page.
var (
	detentionWholeWords = []string{"ice", "айс", "кемп", "кемпе", "кемпа", "кемпу", "migra", "замели"}
	detentionPairs      = [][2]string{{"locked", "up"}, {"being", "held"}, {"were", "separated"},
		{"was", "separated"}, {"got", "separated"},
		// Moved from one detention to another: "его перевели в Луизиану".
		{"перевели", "в"}, {"его", "перевели"}, {"ее", "перевели"}, {"её", "перевели"}, {"переведен", "в"},
		{"перевезли", "в"}, {"was", "transferred"}, {"been", "transferred"}, {"got", "transferred"},
		{"transferred", "to"}, {"transferred", "him"}, {"transferred", "her"},
		// Being moved now: "they are sending him to Louisiana", "его везут в Техас".
		{"sending", "him"}, {"sending", "her"}, {"moving", "him"}, {"moving", "her"}, {"его", "везут"},
		{"ее", "везут"}, {"её", "везут"}, {"везут", "в"}, {"перевозят", "в"}, {"его", "перевозят"}}
)

// lowerWords are the words of s in lower case, without what is not a
// letter between them.
func lowerWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) })
}

// tellsOfDetention reports whether text reads like someone telling of a
// detention: "my sister was taken", «брата задержали».
func tellsOfDetention(s string) bool {
	words := lowerWords(s)
	for i, w := range words {
		if slices.Contains(detentionWholeWords, w) ||
			i+1 < len(words) && slices.Contains(detentionPairs, [2]string{w, words[i+1]}) {
			return true
		}
		for _, p := range detentionWords() {
			if strings.HasPrefix(w, p) {
				return true
			}
		}
	}
	return false
}

// asksForPerson reports whether a message is a request for a live person.
func asksForPerson(s string) bool {
	switch personKey(s) {
	case "human", "a human", "person", "a person", "live person", "operator", "volunteer", "talk to a human",
		"talk to a person", "talk to a volunteer",
		"человек", "человека", "живой человек", "оператор", "волонтер", "волонтеру", "позовите человека",
		"нужен человек", "хочу поговорить с человеком", "поговорить с человеком", "поговорить с волонтером",
		"людина", "жива людина", "потрібна людина", "поговорити з людиною", "поговорити з волонтером",
		// Russian typed in Latin letters (writtenInTranslit).
		"chelovek", "cheloveka", "zhivoy chelovek", "nuzhen chelovek", "pozovite cheloveka", "volonter",
		"volontera", "pogovorit s chelovekom", "pogovorit s volonterom",
		// In more words, as people ask for one.
		"talk to someone", "speak to someone", "i need to talk to someone", "i want to talk to someone",
		"can i talk to someone", "can i speak to someone", "speak to a person", "speak to a human",
		"a real person", "real person", "talk to a real person", "i need a person", "i need a human",
		"поговорить с кем нибудь", "с кем нибудь поговорить", "мне нужно поговорить с человеком",
		"можно поговорить с человеком", "мне нужно с кем нибудь поговорить",
		"можно с кем нибудь поговорить", "можно поговорить с волонтером", "хочу поговорить с волонтером":
		return true
	}
	return false
}

// personKey is s in lower case, its Latin and Cyrillic words alone (ё as
// е), as asksForPerson reads it.
func personKey(s string) string {
	v := strings.ToLower(strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || r >= 0x400 && r <= 0x4ff)
	}), " "))
	return strings.ReplaceAll(v, "ё", "е")
}

// asksForPersonAtMenu is asksForPerson, and at the main menu also a
// request in more words: "Можно поговорить с живым человеком?", "I'd like
// to speak with a volunteer please" — a word of asking, of talking and of
// a person, in a few words, none of them a no ("the lawyer talked to
// someone at ICE" is news). Not inside a report, where such words answer
// a question.
func asksForPersonAtMenu(s string) bool {
	if asksForPerson(s) {
		return true
	}
	words := strings.Fields(personKey(s))
	has := func(stems ...string) bool {
		return slices.ContainsFunc(words, func(w string) bool {
			return slices.ContainsFunc(stems, func(p string) bool { return strings.HasPrefix(w, p) })
		})
	}
	return len(words) <= 10 && !has("не", "нет", "not", "don", "dont", "никого") &&
		has("можно", "хочу", "хотел", "нужно", "надо", "могу", "мне", "дайте", "позов", "как", "can", "could",
			"want", "like", "need", "please", "let", "may", "how") &&
		has("поговор", "говорить", "связат", "позов", "talk", "speak", "chat") &&
		has("человек", "волонтер", "оператор", "кем", "person", "human", "someone", "somebody", "volunteer",
			"operator")
}

// op names the update being handled for the queue's memory of results.
func (c *turn) op() string {
	if c.in.UpdateID == 0 {
		return ""
	}
	return "u" + strconv.FormatInt(c.in.UpdateID, 10)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// waitText says how long someone has waited.
func waitText(d time.Duration) Text {
	switch {
	case d < time.Minute:
		return T("handoff.wait_now")
	case d < time.Hour:
		return T("handoff.minutes").Plural(int(d / time.Minute))
	}
	return T("handoff.hours").Plural(int(d / time.Hour))
}

// langText names a user's language.
func langText(lang string) Text {
	if lang == "ru" {
		return T("handoff.lang_ru")
	}
	return T("handoff.lang_en")
}

// caseText shows a linked case code, or that there is none.
func caseText(code string) Text {
	if code == "" {
		return T("handoff.no_case")
	}
	return T("value.raw", "V", FormatCode(code))
}

// facilityAtMenu answers a short message at the main menu that says
// someone is at a detention facility ("мой сын в Krome", "муж в
// Адъеланто", "he is at Otay Mesa") with the offer to report it or talk to
// a volunteer, as a message that tells of a detention gets; it got the
// greeting. Only a facility named by its own word counts: the directory's
// search is made for the report's facility question, where it shows
// candidates, and finds something for "в машине" or "hello".
func (a *App) facilityAtMenu(ctx context.Context, c *turn) (bool, error) {
	place := placeOfSomeone(c.in.Text)
	if place == "" {
		return false, nil
	}
	found, err := a.d.Facilities.Match(ctx, place, 1)
	if err != nil || len(found) == 0 || !namesFacility(place, found[0]) {
		return false, err
	}
	c.offerTwoWays(T("menu.report_offer"))
	return true, nil
}

// someoneWords say who a place is about: a relative, or he or she.
var someoneWords = map[string]bool{"он": true, "она": true, "его": true, "её": true, "ее": true, "he": true,
	"she": true, "him": true, "her": true, "they": true}

// placeOfSomeone returns the place in a short message that puts someone at
// it ("мой сын в Krome", "he's in Otay Mesa"): the words after the last
// "в", "at" or "in", at most four; "" for anything else ("я живу в
// Бруклине" is about the writer).
func placeOfSomeone(text string) string {
	words := strings.Fields(strings.ToLower(text))
	if len(words) > 10 {
		return ""
	}
	someone, at := false, -1
	for i, w := range words {
		w = strings.Trim(w, ",.!?:;—–-'’")
		w, _, _ = strings.Cut(w, "'") // he's
		w, _, _ = strings.Cut(w, "’")
		someone = someone || relationWords[w] || someoneWords[w]
		if w == "в" || w == "во" || w == "at" || w == "in" {
			at = i
		}
	}
	if !someone || at < 0 || at == len(words)-1 {
		return ""
	}
	rest := strings.Fields(text)[at+1:]
	return strings.Join(rest[:min(len(rest), 4)], " ")
}

// facilityCommonWords are words of facility names that name no facility.
var facilityCommonWords = map[string]bool{"county": true, "jail": true, "detention": true, "center": true,
	"centre": true, "facility": true, "processing": true, "service": true, "ice": true, "correctional": true,
	"corrections": true, "contract": true, "federal": true, "hold": true, "room": true, "sheriff": true,
	"regional": true, "institution": true, "city": true, "north": true, "south": true, "east": true, "west": true,
	"public": true, "safety": true, "complex": true, "adult": true, "department": true, "justice": true,
	"office": true, "soft": true, "sided": true, "camp": true, "the": true, "and": true, "parish": true,
	"state": true, "prison": true, "immigration": true, "family": true, "residential": true,
	// States and cities in names, where they name no one place.
	"texas": true, "louisiana": true, "california": true, "florida": true, "arizona": true, "georgia": true,
	"mexico": true, "jersey": true, "york": true}

// namesFacility reports whether place names f by one of its own words,
// spelt alike for its first three letters ("Krome", "Адъеланто" for
// Adelanto); a state or a common word ("в машине", found as Moshannon
// Valley) does not.
func namesFacility(place string, f Facility) bool {
	var mine []string
	for _, w := range lowerWords(Translit(place)) {
		if len([]rune(w)) >= 4 {
			mine = append(mine, string([]rune(w)[:3]))
		}
	}
	for _, w := range lowerWords(f.Name) {
		if len(w) >= 4 && !facilityCommonWords[w] && slices.Contains(mine, w[:3]) {
			return true
		}
	}
	return false
}
