package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Erased says what Reporters.Forget erased.
type Erased struct {
	Reporter bool // the reporter's name, relationship and contact
	Cases    int  // cases whose personal fields were erased
	Checkins int  // check-ins erased (checkin.go); a running one is cancelled
}

// Reporters is what the people who reported cases may see and erase of
// their own data.
type Reporters interface {
	// Cases returns the cases the user reported, newest first, with their
	// current status.
	Cases(ctx context.Context, userID int64) ([]CaseStatus, error)
	// Forget erases the user's personal data: their name, relationship and
	// contact, the personal fields of the cases only they reported, their
	// public notes and urgency marks, and the internal notes that hold
	// their personal data. Afterwards nothing links the user's Telegram
	// account to the cases (so they are no longer told of changes); the
	// cases' codes and anonymous status timelines stay.
	Forget(ctx context.Context, userID int64) (Erased, error)
	// MayHaveCases reports whether the user may have reported a case, or
	// the chat follow one: false only when neither. It may answer from
	// what it read a few seconds ago, and costs no query for most calls.
	// With an error, it answers from what it read last, if anything.
	MayHaveCases(ctx context.Context, userID, chatID int64) (bool, error)
}

// offerForget, as Session.Offer, marks /forget's question as the last
// asked: a yes typed next is told that only its button erases.
const offerForget = "?forget"

// myCasesMax is how many cases /mycases lists with a button each.
const myCasesMax = 10

// registerMyData plugs in /mycases and /forget, which the report's consent
// text promises.
func (a *App) registerMyData() {
	a.hooks.commands["mycases"] = func(ctx context.Context, c *turn, _ string) error { return c.myCases(ctx) }
	a.hooks.commands["forget"] = func(ctx context.Context, c *turn, _ string) error { return c.askForget(ctx) }
	a.hooks.menuText = append(a.hooks.menuText, forgetInWords)
}

// forgetVerbs (asked for, not told of: "удалите", not "удалили") and
// forgetObjects (word beginnings) in a short message ask in words for what
// /forget does: "удалите мои данные", "please delete my data", "мои данные
// удалить", "удалить заявку", "отменить сообщение".
var (
	forgetVerbs = map[string]bool{"удалите": true, "удалить": true, "удали": true, "сотрите": true, "стереть": true,
		"сотри": true, "уберите": true, "delete": true, "erase": true, "remove": true, "wipe": true,
		// A report taken back: "отменить сообщение", "withdraw my report".
		"отменить": true, "отмените": true, "отозвать": true, "отзываю": true, "cancel": true, "withdraw": true}
	forgetObjects = []string{"данн", "информац", "заявк", "сообщени", "обращени", "data", "information", "info",
		"report"}
)

// forgetInWords answers "удалите мои данные" typed at the menu with
// /forget's question: the right the consent promised, found without the
// command.
func forgetInWords(ctx context.Context, c *turn) (bool, error) {
	words := strings.Fields(captionKey(c.in.Text))
	padded := " " + strings.Join(words, " ") + " "
	forgetMe := strings.Contains(padded, " forget me ") || strings.Contains(padded, " забудьте меня ")
	asks := slices.ContainsFunc(words, func(w string) bool { return forgetVerbs[w] })
	names := slices.ContainsFunc(words, func(w string) bool {
		return slices.ContainsFunc(forgetObjects, func(s string) bool { return strings.HasPrefix(w, s) })
	})
	if len(words) > 8 || !forgetMe && !(asks && names) {
		return false, nil
	}
	return true, c.askForget(ctx)
}

// myCases lists the user's reports with their status; a button under each
// shows its details. In the middle of a report the draft stays as it is.
func (c *turn) myCases(ctx context.Context) error {
	cases, err := c.a.d.Reporters.Cases(ctx, c.in.UserID)
	if err != nil {
		return fmt.Errorf("cases of user %d: %w", c.in.UserID, err)
	}
	if len(cases) == 0 {
		c.say(T("mycases.none"))
		c.footer()
		return nil
	}
	c.listCases(cases, "mycases.list", true)
	return nil
}

// listCases lists cases with their status under the heading listID (a
// plural of how many), a button under each to its status and, for the
// reporter's own (news), to add news.
func (c *turn) listCases(cases []CaseStatus, listID string, news bool) {
	c.say(casesText(cases, listID))
	for i, cs := range cases {
		if i == myCasesMax {
			break
		}
		row := []Button{caseButton(cs.Code)}
		if news {
			row = append(row, Button{Text: T("btn.mycase_news"), Data: dataCase + ":" + cwNews + ":" + cs.Code})
		}
		c.buttons = append(c.buttons, row)
	}
	c.footer()
}

// casesText is the list of cases under the heading listID: a line each,
// with its status and since when.
func casesText(cases []CaseStatus, listID string) Text {
	lines := make([]Text, 0, len(cases))
	for _, cs := range cases {
		lines = append(lines, T("mycases.line", "Code", FormatCode(cs.Code), "Created", dateText(cs.Created),
			"Status", T("status.name."+cs.Status), "Since", dateText(cs.Since)))
	}
	return T(listID, "Lines", lines).Plural(len(cases))
}

// showMine shows one of the user's own cases. The code comes from a button,
// which anyone can forge: a code that is not one of the user's cases is
// looked up within the limits like a typed one.
func (c *turn) showMine(ctx context.Context, raw string) error {
	code, _ := NormalizeCode(raw)
	cases, err := c.a.d.Reporters.Cases(ctx, c.in.UserID)
	if err != nil {
		return fmt.Errorf("cases of user %d: %w", c.in.UserID, err)
	}
	for _, cs := range cases {
		if cs.Code == code {
			st, err := c.a.d.Timeline.Status(ctx, code)
			if err != nil {
				return fmt.Errorf("case %d status: %w", cs.CaseID, err)
			}
			return c.showStatus(ctx, st)
		}
	}
	return c.checkCode(ctx, raw)
}

// greet says the greeting with the main menu. Someone who reported a case
// — or, without one, follows a case — comes back to where it stands and a
// button to it above the menu: a relative who returns days later saw the
// greeting of a stranger, with "tell us", and could report again.
//
// A chat with no session yet (its first message, or back after the
// session's idle time) is looked up only when the ids of reporters and
// followers, read every few seconds, have it: two Postgres reads on every
// newcomer's first /start cost a tenth of the pipeline's throughput under
// load (BenchmarkLoad). A relative back after a month was greeted as a
// stranger. While Postgres is down, the ids read last answer.
func (c *turn) greet(ctx context.Context) error {
	if c.s.Updated.IsZero() {
		if may, _ := c.a.d.Reporters.MayHaveCases(ctx, c.in.UserID, c.in.ChatID); !may {
			c.menu()
			c.say(T("menu.greeting"))
			return nil
		}
	}
	cases, own, err := c.casesOf(ctx)
	if err != nil {
		return err
	}
	listID := "mycases.list"
	if !own {
		listID = "mycases.followed"
	}
	c.menu()
	if len(cases) == 0 {
		c.say(T("menu.greeting"))
		return nil
	}
	all := len(cases)
	cases = cases[:min(all, greetCases)]
	rows := make([][]Button, 0, len(cases)+len(c.buttons))
	for _, cs := range cases {
		rows = append(rows, []Button{caseButton(cs.Code)})
	}
	c.say(T("menu.greeting_back"), casesText(cases, listID).Plural(all))
	if all > len(cases) {
		// "Your cases (7)" over the newest three; it said "(3)".
		more := "menu.greeting_more"
		if !own {
			more = "menu.greeting_more_followed"
		}
		c.say(T(more, "Shown", len(cases)).Plural(all))
	}
	c.say(T("menu.greeting_back_next"))
	c.buttons = append(rows, c.buttons...)
	return nil
}

// casesOf returns the cases the user reported (own) or, when they
// reported none, the cases the chat follows.
func (c *turn) casesOf(ctx context.Context) (cases []CaseStatus, own bool, err error) {
	if cases, err = c.a.d.Reporters.Cases(ctx, c.in.UserID); err != nil || len(cases) > 0 {
		return cases, true, err
	}
	if cases, err = c.a.d.Subscriptions.Followed(ctx, c.in.ChatID); err != nil {
		return nil, false, fmt.Errorf("cases followed in %d: %w", c.in.ChatID, err)
	}
	return cases, false, nil
}

// greetCases is how many of their cases the greeting shows: the newest.
const greetCases = 3

// caseButton shows the status of a case to whoever presses it: its
// reporter's view, or the code's for anyone else (showMine).
func caseButton(code string) Button {
	return Button{Text: T("btn.mycase", "Code", FormatCode(code)), Data: dataStatus + ":" + actMine + ":" + code}
}

// askForget asks before erasing anything.
func (c *turn) askForget(ctx context.Context) error {
	c.say(T("forget.ask"))
	if c.inReport() {
		c.say(T("forget.ask_draft"))
	}
	// A check-in to come stops being watched: said before, not after.
	switch k, err := c.a.d.Checkins.Active(ctx, c.in.UserID); {
	case err == nil:
		c.say(T("forget.ask_checkin", "When", whenText(k.Start, k.Zone)))
	case !errors.Is(err, ErrNotFound):
		return fmt.Errorf("active check-in of %d: %w", c.in.UserID, err)
	}
	c.s.Offer = offerForget // "да" typed next is told to press
	c.buttons = [][]Button{
		{{Text: T("btn.forget_yes"), Data: dataStatus + ":" + actForget + ":yes"}},
		{{Text: T("btn.forget_no"), Data: dataStatus + ":" + actForget + ":no"}},
	}
	return nil
}

// forgetAnswer erases the user's data when they confirmed, and says what
// was erased and what was kept. A report being filled in goes too: the
// user chose to erase everything.
func (c *turn) forgetAnswer(ctx context.Context, v string) error {
	switch v {
	case "yes":
	case "no":
		c.say(T("forget.kept_all"))
		return c.again(ctx)
	default:
		c.say(T("button.old"))
		return c.again(ctx)
	}
	var theirs []CaseStatus
	if c.a.forumOn() {
		var err error
		if theirs, err = c.a.d.Reporters.Cases(ctx, c.in.UserID); err != nil {
			return fmt.Errorf("cases of user %d: %w", c.in.UserID, err)
		}
		// What they write goes to the team no more. Ended before the
		// erasure: this update handled again after a failure past it
		// finds no cases of theirs, and must not leave a talk on.
		if _, err := c.a.d.Forum.EndTalk(ctx, c.in.ChatID); err != nil {
			return fmt.Errorf("end talk of %d: %w", c.in.ChatID, err)
		}
	}
	// Nor may a volunteer write to them any more, as forget.ask promises:
	// their conversation ends, or their place in the queue. Before the
	// erasure, for the same reason as the talk above.
	rs, left, err := c.a.endForUser(ctx, c.in.ChatID, EndUserForgot, "handoff.vol_user_forgot", c.now, c.op())
	if err != nil {
		return err
	}
	for _, r := range rs {
		c.send(r)
	}
	erased, err := c.a.d.Reporters.Forget(ctx, c.in.UserID)
	if err != nil {
		return fmt.Errorf("forget user %d: %w", c.in.UserID, err)
	}
	if len(theirs) > 0 {
		// The team's copies of what they wrote go too: their cases' topics.
		codes := make([]string, len(theirs))
		for i, st := range theirs {
			codes[i] = st.Code
		}
		for _, r := range c.a.ForumErased(codes...) {
			c.send(r)
		}
	}
	draft := c.inReport()
	if draft || c.isStatusFlow() || c.isCheckinFlow() {
		c.reset()
	}
	// What they typed or sent at the menu, kept for a volunteer or a
	// report to come, goes too.
	c.s.Said, c.s.SaidFile, c.s.SaidMore, c.s.SaidText, c.s.NewsNote = 0, false, nil, "", ""
	if erased.Reporter || erased.Cases > 0 || erased.Checkins > 0 {
		c.say(T("forget.done"))
		if erased.Reporter {
			c.say(T("forget.erased_reporter"))
		}
		if erased.Cases > 0 {
			c.say(T("forget.erased_cases").Plural(erased.Cases))
		}
		if erased.Checkins > 0 {
			c.say(T("forget.erased_checkins").Plural(erased.Checkins))
		}
		c.say(T("forget.kept"))
	} else {
		c.say(T("forget.nothing"))
	}
	if draft {
		c.say(T("forget.erased_draft"))
	}
	if left {
		c.say(T("forget.handoff_ended"))
	}
	c.say(T("menu.choose"))
	c.menu()
	return nil
}
