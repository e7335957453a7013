package flows

import (
	"context"
	"errors"
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
	ActViewBoard        Action = "view_board"        // /cases, a case's card, the announcements' buttons
	ActTakeCase         Action = "take_case"         // /take_case, "Take the case", accepting a hand-over
	ActWorkCase         Action = "work_case"         // /date, /release_case, the dates on the card
	ActHandOver         Action = "hand_over"         // /handover: give the case to a colleague
	ActWriteReporter    Action = "write_reporter"    // /write: open a chat with a case's reporter
	ActMergeCases       Action = "merge_cases"       // /merge and the card's merge button
	ActFileForCaller    Action = "file_for_caller"   // /newcase: file a report for a caller who phoned
)

// Permission is one row of the table: the lowest role that may do Action;
// when Hold is not RoleNone, the role from which on it may do so on any
// case — below Hold, only on the case whose chat the user holds or that
// they own, and with Free also on a case nobody owns; and with Held,
// every role may do it only in a chat they hold.
type Permission struct {
	Action Action
	Min    Role
	Hold   Role
	Free   bool
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
		// A case's status and notes: volunteers on their own cases, the
		// untaken ones and the one whose chat they hold; coordinators all.
		{Action: ActUpdateStatus, Min: RoleVolunteer, Hold: RoleCoordinator, Free: true},
		{Action: ActAddNote, Min: RoleVolunteer, Hold: RoleCoordinator, Free: true},
		// A public note that seems to hold personal data reaches everyone
		// with the code: only a coordinator may send it as it is.
		{Action: ActPublishPersonal, Min: RoleCoordinator},
		{Action: ActViewStats, Min: RoleCoordinator},
		{Action: ActManageVolunteers, Min: RoleAdmin},
		{Action: ActViewAudit, Min: RoleAdmin},
		{Action: ActViewBoard, Min: RoleVolunteer},
		{Action: ActTakeCase, Min: RoleVolunteer},
		// Volunteers work their own cases and the untaken ones;
		// coordinators every case.
		{Action: ActWorkCase, Min: RoleVolunteer, Hold: RoleCoordinator, Free: true},
		// The owner hands their case over; coordinators any case.
		{Action: ActHandOver, Min: RoleVolunteer, Hold: RoleCoordinator},
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

// CaseRelation is how a member stands to a case.
type CaseRelation struct {
	HoldsChat bool // they hold the chat linked to it
	Owns      bool // they own it
	Unowned   bool // nobody owns it
}

// AllowedOn reports whether role may do act on a case the member stands
// to as rel says.
func AllowedOn(role Role, act Action, rel CaseRelation) bool {
	p, ok := permission(act)
	if !ok {
		return false
	}
	return Allowed(role, act, rel.HoldsChat || rel.Owns || p.Free && rel.Unowned)
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
	rel, err := a.relation(ctx, userID, caseCode)
	if err != nil {
		return false, err
	}
	return AllowedOn(role, act, rel), nil
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

// relation finds how the member stands to the case with this code: owner,
// nobody's, or linked to a chat they hold. No case: no relation.
func (a *App) relation(ctx context.Context, userID int64, caseCode string) (CaseRelation, error) {
	var rel CaseRelation
	if caseCode == "" {
		return rel, nil
	}
	if code, ok := NormalizeCode(caseCode); ok {
		v, err := a.d.Casework.View(ctx, code)
		switch {
		case err == nil:
			rel.Owns, rel.Unowned = v.Owner == userID, v.Owner == 0
		case !errors.Is(err, ErrNotFound):
			return rel, fmt.Errorf("owner of a case for %d: %w", userID, err)
		}
	}
	held, err := a.d.Queue.Held(ctx, userID, "")
	if err != nil {
		return rel, fmt.Errorf("chats of %d: %w", userID, err)
	}
	for _, p := range held {
		if p.CaseCode == caseCode {
			rel.HoldsChat = true
		}
	}
	return rel, nil
}
