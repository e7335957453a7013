package flows

import (
	"context"
	"fmt"
)

// Authorisation: least privilege, decided in one place. One table says which role may do what. Every
// volunteer command and every read of a case's personal data asks it,
// through App.may or member.may; nothing else compares roles.

// Action is something the table allows or refuses.
type Action string

// Actions of the table.
const (
	ActCheckStatus      Action = "check_status"      // a case's public status by its code, following it
	ActOwnData          Action = "own_data"          // /mycases and /forget: one's own reports
	ActMember           Action = "member"            // the volunteers' /help, /duty, /name
	ActViewQueue        Action = "view_queue"        // /queue
	ActTakeChat         Action = "take_chat"         // /next, /take, the take button; /release, /done, /switch
	ActRelay            Action = "relay"             // write to the user of the chat one holds
	ActViewCase         Action = "view_case"         // a case's personal data: /case, the cards of /find
	ActFindCase         Action = "find_case"         // /find by code or A-number
	ActUpdateStatus     Action = "update_status"     // /status and the status button
	ActAddNote          Action = "add_note"          // /note and the note button
	ActPublishPersonal  Action = "publish_personal"  // send a public note that seems to hold personal data anyway
	ActViewStats        Action = "view_stats"        // /stats
	ActManageVolunteers Action = "manage_volunteers" // /volunteers: list, add, remove, invite
	ActViewAudit        Action = "view_audit"        // /audit
	ActWriteReporter    Action = "write_reporter"    // /write: open a chat with a case's reporter
	ActMergeCases       Action = "merge_cases"       // /merge and the card's merge button
	ActFileForCaller    Action = "file_for_caller"   // /newcase: file a report for a caller who phoned
)

// Permission is one row of the table: the lowest role that may do Action;
// when Hold is not RoleNone, the role from which on it may do so on any
// case — below Hold, only on the case whose chat the user holds; and with
// Held, every role may do it only in a chat they hold.
type Permission struct {
	Action Action
	Min    Role
	Hold   Role
	Held   bool
}

// Permissions returns the table. The retention purge is not in it: only
// the bot's own job and the command line run it, never a Telegram user.
func Permissions() []Permission {
	return []Permission{
		{Action: ActCheckStatus, Min: RoleNone},
		{Action: ActOwnData, Min: RoleNone},
		{Action: ActMember, Min: RoleVolunteer},
		{Action: ActViewQueue, Min: RoleVolunteer},
		{Action: ActTakeChat, Min: RoleVolunteer},
		{Action: ActRelay, Min: RoleVolunteer, Held: true},
		// Volunteers see a case's personal data only while they hold its
		// chat; coordinators and admins always.
		{Action: ActViewCase, Min: RoleVolunteer, Hold: RoleCoordinator},
		{Action: ActFindCase, Min: RoleVolunteer},
		{Action: ActUpdateStatus, Min: RoleVolunteer},
		{Action: ActAddNote, Min: RoleVolunteer},
		// A public note that seems to hold personal data reaches everyone
		// with the code: only a coordinator may send it as it is.
		{Action: ActPublishPersonal, Min: RoleCoordinator},
		{Action: ActViewStats, Min: RoleCoordinator},
		{Action: ActManageVolunteers, Min: RoleAdmin},
		{Action: ActViewAudit, Min: RoleAdmin},
		{Action: ActWriteReporter, Min: RoleVolunteer},
		// A merge changes two cases and who hears of them: coordinators.
		{Action: ActMergeCases, Min: RoleCoordinator},
		{Action: ActFileForCaller, Min: RoleVolunteer},
	}
}

// permission returns the table's row for act; an action not in the table
// is refused to everyone.
func permission(act Action) (Permission, bool) {
	for _, p := range Permissions() {
		if p.Action == act {
			return p, true
		}
	}
	return Permission{}, false
}

// Allowed reports whether role may do act. holds says whether the user
// holds the chat of the case in question; it matters only for the roles
// that the table lets act on the chats they hold alone.
func Allowed(role Role, act Action, holds bool) bool {
	p, ok := permission(act)
	if !ok || role < p.Min {
		return false
	}
	if p.Held || p.Hold != RoleNone && role < p.Hold {
		return holds
	}
	return true
}

// mayEver reports whether role may do act on some case: on one whose chat
// they hold, at least. Commands are offered by it, and then each case is
// checked with Allowed.
func mayEver(role Role, act Action) bool { return Allowed(role, act, true) }

// needsHold reports whether, for role, act depends on holding the chat.
func needsHold(role Role, act Action) bool {
	return Allowed(role, act, true) && !Allowed(role, act, false)
}

// may reports whether the user may do act; caseCode names the case in
// question for the actions that depend on holding its chat. Actions open
// to everyone cost no lookup.
func (a *App) may(ctx context.Context, userID int64, act Action, caseCode string) (bool, error) {
	if Allowed(RoleNone, act, false) {
		return true, nil
	}
	role, err := a.role(ctx, userID)
	if err != nil {
		return false, fmt.Errorf("role of user %d: %w", userID, err)
	}
	return a.roleMay(ctx, userID, role, act, caseCode)
}

// roleMay is may for a user whose role is known.
func (a *App) roleMay(ctx context.Context, userID int64, role Role, act Action, caseCode string) (bool, error) {
	if !needsHold(role, act) {
		return Allowed(role, act, false), nil
	}
	holds, err := a.holdsCase(ctx, userID, caseCode)
	if err != nil {
		return false, err
	}
	return Allowed(role, act, holds), nil
}

// mayInHeldChat is may for an action in a chat the queue says the user
// holds.
func (a *App) mayInHeldChat(ctx context.Context, userID int64, act Action) (bool, error) {
	role, err := a.role(ctx, userID)
	if err != nil {
		return false, fmt.Errorf("role of user %d: %w", userID, err)
	}
	return Allowed(role, act, true), nil
}

// holdsCase reports whether the volunteer holds a chat linked to the case.
func (a *App) holdsCase(ctx context.Context, userID int64, caseCode string) (bool, error) {
	if caseCode == "" {
		return false, nil
	}
	held, err := a.d.Queue.Held(ctx, userID)
	if err != nil {
		return false, fmt.Errorf("chats of %d: %w", userID, err)
	}
	for _, p := range held {
		if p.CaseCode == caseCode {
			return true, nil
		}
	}
	return false, nil
}
