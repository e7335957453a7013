package flows

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The audit log: who saw or changed a case is always known. Every view of a case's personal data, every
// change to a case, every erasure and every role change is recorded —
// who, when, which case, what — and admins read a case's entries with
// /audit <code>.

// Actions recorded in the audit log.
const (
	AuditView          = "view"            // /case: a case's report in full
	AuditFind          = "find"            // /find: a case's card in full
	AuditSearch        = "search"          // /find itself, hit or miss: Detail the kind of query (code, a_number, name) and how many cases it found, never the query
	AuditStatus        = "status"          // a status change; Detail is the status
	AuditPublicNote    = "public_note"     // a note for everyone with the code
	AuditNote          = "note"            // an internal note
	AuditForget        = "forget"          // the reporter erased their data (/forget)
	AuditPurge         = "purge"           // the retention purge erased the case's personal fields
	AuditMemberAdd     = "member_add"      // a role given or changed; Subject, Detail the role
	AuditMemberRemove  = "member_remove"   // a role taken away; Subject
	AuditMemberInvite  = "member_invite"   // an invite made; Detail the role it gives
	AuditMemberJoin    = "member_join"     // an invite used; Subject, Detail the role
	AuditMerge         = "merge"           // a case merged into another; Detail the code it went into
	AuditWrite         = "write"           // a volunteer opened a chat with the case's reporter (/write)
	AuditTranscript    = "transcript"      // a page of the case's relayed conversation read
	AuditFiles         = "files"           // the files the reporter sent copied to a volunteer
	AuditFileForCaller = "file_for_caller" // a volunteer filed the report for a caller who phoned (/newcase)
	AuditTake          = "take"            // a volunteer took a case
	AuditRelease       = "release"         // the owner (or a coordinator) left a case without owner
	AuditHandover      = "handover"        // a case offered to a colleague; Subject
	AuditAssign        = "assign"          // a colleague accepted a case; Subject
	AuditDate          = "date"            // a date of a case set; Detail the field
	AuditNews          = "news"            // the reporter added news; Detail its kind
	AuditANumber       = "a_number"        // a volunteer gave a case its A-number (/anumber), never the number
	AuditFacility      = "facility"        // a volunteer recorded where the person is held (/facility)
)

// Who acted, as the audit log and the timeline name them.
const (
	ActorSystem = "system" // the bot's own jobs: the retention purge
	ActorCLI    = "cli"    // the hotline command run by an operator
	// ActorReporter is a reporter erasing their own data: the entry names
	// no Telegram account, which /forget unlinks from the case.
	ActorReporter = "reporter"
)

// ActorUser names a Telegram user in the audit log and the timeline.
func ActorUser(userID int64) string { return "tg:" + strconv.FormatInt(userID, 10) }

// AuditEntry is one line of the audit log. It holds ids and fixed words,
// never personal data.
type AuditEntry struct {
	ID      int64
	At      time.Time // zero: when it is stored
	Actor   string    // ActorUser(id), ActorSystem or ActorCLI
	Action  string    // Audit…
	CaseID  int64     // 0 for a role change
	Subject int64     // the member whose role changed; 0 otherwise
	Detail  string    // a status or a role name
	// Key makes recording idempotent: an entry whose key is stored
	// already is not stored again.
	Key string
}

// Audit is the audit log: added to, never changed.
type Audit interface {
	// Record adds an entry.
	Record(ctx context.Context, e AuditEntry) error
	// ForCase returns a case's entries (caseID 0: the role changes),
	// newest first, skipping the newest skip and returning at most limit,
	// with how many there are.
	ForCase(ctx context.Context, caseID int64, skip, limit int) ([]AuditEntry, int, error)
}

// auditPage is how many entries /audit shows at once.
const auditPage = 15

// dataAudit starts the callback data of /audit's page buttons:
// "a.:<code or m>:<skip>".
const dataAudit = "a."

// auditMembers is what /audit takes, and its buttons carry, for the role
// changes.
const (
	auditMembers     = "members"
	auditMembersData = "m"
)

// audit records what the user of c did, keyed by the update so that an
// update handled again records it once. Without an Audit (tests of other
// features) nothing is recorded.
func (a *App) audit(ctx context.Context, c *turn, e AuditEntry) error {
	if e.Actor == "" {
		e.Actor = ActorUser(c.in.UserID)
	}
	if e.At.IsZero() {
		e.At = c.now
	}
	if c.in.UpdateID != 0 && e.Key == "" {
		e.Key = "u" + strconv.FormatInt(c.in.UpdateID, 10) + ":" + e.Action + ":" +
			strconv.FormatInt(e.CaseID, 10) + ":" + strconv.FormatInt(e.Subject, 10)
	}
	if err := a.d.Audit.Record(ctx, e); err != nil {
		return fmt.Errorf("audit %s by %d: %w", e.Action, c.in.UserID, err)
	}
	return nil
}

// registerAudit plugs in /audit for admins.
func (a *App) registerAudit() {
	a.hooks.commands["audit"] = a.guard(ActViewAudit, a.asMember(func(ctx context.Context, c *turn, m *member, arg string) error {
		return a.auditCommand(ctx, c, m, arg, 0)
	}))
	a.hooks.buttons[dataAudit] = a.guardButton(ActViewAudit, a.asMember(a.auditPageButton))
}

// auditCommand is /audit <code>, or /audit members: a page of the log,
// newest first.
func (a *App) auditCommand(ctx context.Context, c *turn, m *member, arg string, skip int) error {
	arg = strings.TrimSpace(arg)
	if arg == "" {
		m.say(T("audit.usage"))
		return nil
	}
	var caseID int64
	subject, data := T("audit.members"), auditMembersData
	if !strings.EqualFold(arg, auditMembers) {
		code, ok := NormalizeCode(arg)
		if !ok {
			m.say(T("update.not_found"))
			return nil
		}
		st, err := a.d.Timeline.Status(ctx, code)
		if errors.Is(err, ErrNotFound) {
			m.say(T("update.not_found"))
			return nil
		}
		if err != nil {
			return fmt.Errorf("case for the audit by %d: %w", m.UserID, err)
		}
		caseID, subject, data = st.CaseID, T("audit.case", "Code", FormatCode(st.Code)), st.Code
	}
	es, total, err := a.d.Audit.ForCase(ctx, caseID, skip, auditPage)
	if err != nil {
		return fmt.Errorf("audit for %d: %w", m.UserID, err)
	}
	if total == 0 {
		m.say(subject, T("audit.empty"))
		return nil
	}
	if skip >= total {
		skip = 0
		if es, total, err = a.d.Audit.ForCase(ctx, caseID, 0, auditPage); err != nil {
			return fmt.Errorf("audit for %d: %w", m.UserID, err)
		}
	}
	lines := make([]Text, 0, len(es))
	for _, e := range es {
		lines = append(lines, auditLine(e))
	}
	m.say(subject, T("audit.page", "From", skip+1, "To", skip+len(es), "Lines", lines).Plural(total))
	var row []Button
	if skip > 0 {
		row = append(row, Button{Text: T("btn.audit_newer"),
			Data: dataAudit + ":" + data + ":" + strconv.Itoa(max(skip-auditPage, 0))})
	}
	if skip+len(es) < total {
		row = append(row, Button{Text: T("btn.audit_older"),
			Data: dataAudit + ":" + data + ":" + strconv.Itoa(skip+len(es))})
	}
	if row != nil {
		m.buttons = [][]Button{row}
	}
	return nil
}

// auditPageButton shows another page in place of the one whose button was
// pressed.
func (a *App) auditPageButton(ctx context.Context, c *turn, m *member, rest string) error {
	what, v, _ := strings.Cut(rest, ":")
	skip, err := strconv.Atoi(v)
	if err != nil || skip < 0 || what == "" {
		m.say(T("button.old"))
		return nil
	}
	if what == auditMembersData {
		what = auditMembers
	}
	c.edit = c.in.MessageID
	return a.auditCommand(ctx, c, m, what, skip)
}

// auditLine is one entry as admins read it.
func auditLine(e AuditEntry) Text {
	return T("audit.line", "At", e.At.UTC().Format("2006-01-02 15:04"), "Actor", actorText(e.Actor),
		"Action", actionText(e))
}

// actorText names who acted.
func actorText(actor string) Text {
	switch actor {
	case ActorSystem:
		return T("audit.actor_system")
	case ActorCLI:
		return T("audit.actor_cli")
	}
	if id, ok := strings.CutPrefix(actor, "tg:"); ok {
		return T("audit.actor_user", "ID", id)
	}
	return T("value.raw", "V", actor)
}

// actionText says what was done.
func actionText(e AuditEntry) Text {
	subject := strconv.FormatInt(e.Subject, 10)
	switch e.Action {
	case AuditView, AuditFind, AuditPublicNote, AuditNote, AuditForget, AuditPurge, AuditMemberRemove,
		AuditTake, AuditRelease, AuditHandover, AuditAssign, AuditANumber, AuditFacility,
		AuditCheckinAlarm, AuditCheckinOut:
		return T("audit.action."+e.Action, "Subject", subject)
	case AuditStatus:
		return T("audit.action.status", "Status", T("status.name."+e.Detail))
	case AuditUrgent:
		return T("audit.action.urgent_" + e.Detail)
	case AuditDate:
		return T("audit.action.date", "Field", T("casework.field."+e.Detail))
	case AuditNews:
		return T("audit.action.news", "Kind", T("btn.news_"+e.Detail))
	case AuditMerge:
		return T("audit.action.merge", "Code", FormatCode(e.Detail))
	case AuditWrite, AuditTranscript, AuditFiles, AuditFileForCaller:
		return T("audit.action."+e.Action, "Subject", subject)
	case AuditSearch:
		_, n, _ := strings.Cut(e.Detail, ":")
		count, _ := strconv.Atoi(n)
		return T("audit.action.search").Plural(count)
	case AuditMemberAdd, AuditMemberInvite, AuditMemberJoin:
		role, _ := ParseRole(e.Detail)
		return T("audit.action."+e.Action, "Subject", subject, "Role", roleText(role))
	}
	return T("audit.action_other", "Action", e.Action)
}
