package flows_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"hotline/flows"
)

// The authorisation matrix: every command and data access, for every role,
// is allowed or refused exactly as flows.Permissions says — driven through
// App.Handle as people would, and judged by what they are answered.

const (
	mReporter = 8001 // reported the case and waits in its chat
	mHolder   = 8100 // the volunteer who holds that chat
	mUser     = 8200
	mVol      = 8300 // a volunteer without the chat
	mCoord    = 8400
	mOwner    = 8500 // a volunteer who owns the other case
)

// authzWorld is hworld with case status and the audit log: every feature
// the table covers.
func newAuthzWorld(t *testing.T) *hworld {
	t.Helper()
	return newHWorld(t)
}

// mine returns the replies to the person's own chat.
func (p *hperson) mine(rs []flows.Reply) []flows.Reply {
	var out []flows.Reply
	for _, r := range rs {
		if r.ChatID == p.id {
			out = append(out, r)
		}
	}
	return out
}

// has reports whether a reply's texts include one of the ids.
func has(rs []flows.Reply, ids ...string) bool {
	for _, r := range rs {
		for _, t := range r.Texts {
			if slices.Contains(ids, t.ID) {
				return true
			}
		}
	}
	return false
}

// access is one command or data access of the matrix: what the person
// does, and whether the answer shows it was allowed. CODE in a command
// is the reported case, which nobody owns until the person takes it with
// /take_case; OTHER a case another volunteer owns.
type access struct {
	name    string
	act     flows.Action
	do      func(p *hperson, code string) []flows.Reply
	allowed func(mine, all []flows.Reply) bool
	// on says how the person stands to the case the access acts on, for
	// the actions that depend on it; the zero value is the reported case
	// before /take_case.
	on caseState
}

// caseState is the case an access acts on.
type caseState int

const (
	untaken caseState = iota // the reported case, nobody owns it
	other                    // a case another volunteer owns
	taken                    // the reported case, after the person took it
)

// relation is how a role stands to the case of an access.
func (a access) relation(holds bool) flows.CaseRelation {
	switch a.on {
	case other:
		return flows.CaseRelation{}
	case taken:
		return flows.CaseRelation{HoldsChat: holds, Owns: true}
	}
	return flows.CaseRelation{HoldsChat: holds, Unowned: true}
}

// otherCode is replaced by the code of the case another volunteer owns.
const otherCode = "OTHER"

// codes replaces CODE and OTHER in s.
func codes(p *hperson, s, code string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "CODE", code), otherCode, p.w.other)
}

func cmd(name, arg string) func(*hperson, string) []flows.Reply {
	return func(p *hperson, code string) []flows.Reply {
		return p.command(name, codes(p, arg, code))
	}
}

func btn(data string) func(*hperson, string) []flows.Reply {
	return func(p *hperson, code string) []flows.Reply {
		return p.press(codes(p, data, code))
	}
}

// soon is a date a month after the tests' today, as typed.
var soon = testNow.AddDate(0, 1, 0).Format("02.01.2006")

// answered is allowed when the answer is one of ids.
func answered(ids ...string) func(mine, all []flows.Reply) bool {
	return func(mine, _ []flows.Reply) bool { return has(mine, ids...) }
}

// sendHeldNote writes a public note with a phone number in it, which is
// held back, and sends it anyway when the button is there; otherwise it
// cancels.
func sendHeldNote(p *hperson, code string) []flows.Reply {
	rs := p.command("status", code)
	d := dataOf(p.mine(rs), "btn.update_note_only")
	if d == "" {
		return rs
	}
	p.press(d)
	rs = p.send("Call +1 480 555 0199 for news")
	if d := dataOf(p.mine(rs), "btn.note_anyway"); d != "" {
		return p.press(d)
	}
	if d := dataOf(p.mine(rs), "btn.update_cancel"); d != "" {
		p.press(d)
	}
	return rs
}

// dataOf returns the callback data of the button with text id in rs.
func dataOf(rs []flows.Reply, id string) string {
	for _, r := range rs {
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Text.ID == id {
					return b.Data
				}
			}
		}
	}
	return ""
}

// known is allowed when the command is not answered as an unknown one.
func known(mine, _ []flows.Reply) bool {
	return len(mine) > 0 && !has(mine, "command.unknown") && !has(mine, "command.role_needed")
}

// accesses are in an order that keeps the world as the next one needs it:
// the relay comes before the update and note flows (a note being asked for
// takes the next message), and the chat is released and closed last.
func accesses() []access {
	return []access{
		{"/check", flows.ActCheckStatus, cmd("check", "CODE"), answered("check.header"), untaken},
		{"/mycases", flows.ActOwnData, cmd("mycases", ""), answered("mycases.none", "mycases.list"), untaken},
		{"/forget", flows.ActOwnData, cmd("forget", ""), answered("forget.ask"), untaken},
		{"/help", flows.ActMember, cmd("help", ""), answered("handoff.help_volunteer"), untaken},
		{"/duty", flows.ActMember, cmd("duty", ""), answered("handoff.duty_usage"), untaken},
		{"/name", flows.ActMember, cmd("name", ""), answered("handoff.name_usage"), untaken},
		{"/queue", flows.ActViewQueue, cmd("queue", ""), answered("handoff.queue", "handoff.queue_empty", "handoff.queue_empty_cases"), untaken},
		{"/stats", flows.ActViewStats, cmd("stats", ""), answered("handoff.stats"), untaken},
		{"/volunteers", flows.ActManageVolunteers, cmd("volunteers", "list"), answered("handoff.members"), untaken},
		{"/volunteers add", flows.ActManageVolunteers, cmd("volunteers", "add 8999 volunteer"), answered("handoff.member_added"), untaken},
		{"/volunteers invite", flows.ActManageVolunteers, cmd("volunteers", "invite"), answered("handoff.invite"), untaken},
		{"/volunteers remove", flows.ActManageVolunteers, cmd("volunteers", "remove 8999"), answered("handoff.member_removed"), untaken},
		{"/audit", flows.ActViewAudit, cmd("audit", "CODE"), answered("audit.case"), untaken},
		{"audit page button", flows.ActViewAudit, btn("a.:CODE:0"), answered("audit.case"), untaken},
		{"/case CODE", flows.ActViewCase, cmd("case", "CODE"), answered("handoff.case"), untaken},
		{"/find CODE", flows.ActFindCase, cmd("find", "CODE"), known, untaken},
		{"/find CODE: personal data", flows.ActViewCase, cmd("find", "CODE"), answered("find.card"), untaken},
		{"/find A-number: personal data", flows.ActViewCase, cmd("find", "A 123-456-789"), answered("find.card"), untaken},
		{"conversation button", flows.ActViewCase, btn("ct.:t:CODE:0"), answered("tools.transcript", "tools.transcript_empty"), untaken},
		{"/write", flows.ActWriteReporter, cmd("write", "CODE"), answered("tools.write_other", "tools.write_already"), untaken},
		{"/merge", flows.ActMergeCases, cmd("merge", "CODE CODE"), answered("tools.merge_self"), untaken},
		{"/next", flows.ActTakeChat, cmd("next", ""), known, untaken},
		{"/take", flows.ActTakeChat, cmd("take", "99"), known, untaken},
		{"take button", flows.ActTakeChat, btn("h.t:99"), answered("handoff.take_gone", "handoff.busy"), untaken},
		{"/switch", flows.ActTakeChat, cmd("switch", ""), known, untaken},
		{"relay", flows.ActRelay, func(p *hperson, _ string) []flows.Reply { return p.send("are you there?") },
			func(_, all []flows.Reply) bool {
				return slices.ContainsFunc(all, func(r flows.Reply) bool { return r.Copy != nil && r.ChatID == mReporter })
			}, untaken},
		{"/status", flows.ActUpdateStatus, cmd("status", "CODE"), answered("update.pick"), untaken},
		{"status button", flows.ActUpdateStatus, btn("s.:v:CODE"), answered("update.pick"), untaken},
		{"/note", flows.ActAddNote, cmd("note", "CODE called the lawyer"), answered("note.saved"), untaken},
		{"note button", flows.ActAddNote, btn("s.:n:CODE"), answered("note.ask"), untaken},
		{"/hold", flows.ActTakeChat, cmd("hold", "60"), known, untaken},
		{"held public note sent anyway", flows.ActPublishPersonal, sendHeldNote, answered("update.note_saved"), untaken},
		{name: "/cases", act: flows.ActViewBoard, do: cmd("cases", ""), allowed: answered("casework.board")},
		{name: "board button", act: flows.ActViewBoard, do: btn("cw.:b:new::0"),
			allowed: answered("casework.board_page", "casework.board_empty")},
		{name: "open button", act: flows.ActViewBoard, do: btn("cw.:o:CODE"), allowed: answered("casework.card")},
		{name: "/date on an untaken case", act: flows.ActWorkCase, do: cmd("date", "CODE hearing "+soon),
			allowed: answered("casework.date_set")},
		{name: "/date on a colleague's case", act: flows.ActWorkCase, do: cmd("date", "OTHER checkin "+soon),
			allowed: answered("casework.date_set"), on: other},
		{name: "/status on a colleague's case", act: flows.ActUpdateStatus, do: cmd("status", "OTHER"),
			allowed: answered("update.pick"), on: other},
		{name: "/note on a colleague's case", act: flows.ActAddNote, do: cmd("note", "OTHER called the lawyer"),
			allowed: answered("note.saved"), on: other},
		{name: "/handover of a colleague's case", act: flows.ActHandOver, do: cmd("handover", "OTHER 8100"),
			allowed: answered("casework.handover_offered"), on: other},
		{name: "take button on a taken case", act: flows.ActTakeCase, do: btn("cw.:t:OTHER"),
			allowed: answered("casework.taken_by")},
		{name: "/take_case", act: flows.ActTakeCase, do: cmd("take_case", "CODE"), allowed: answered("casework.took")},
		{name: "/date on one's case", act: flows.ActWorkCase, do: cmd("date", "CODE deportation "+soon),
			allowed: answered("casework.date_set"), on: taken},
		{name: "/anumber on one's case", act: flows.ActWorkCase, do: cmd("anumber", "CODE A 123-456-789"),
			allowed: answered("tools.a_number_set"), on: taken},
		{name: "/anumber on a colleague's case", act: flows.ActWorkCase, do: cmd("anumber", "OTHER A 123-456-789"),
			allowed: answered("tools.a_number_set"), on: other},
		{name: "/facility on one's case", act: flows.ActWorkCase, do: cmd("facility", "CODE Krome"),
			allowed: answered("tools.facility_pick"), on: taken},
		{name: "/facility on a colleague's case", act: flows.ActWorkCase, do: cmd("facility", "OTHER Krome"),
			allowed: answered("tools.facility_pick"), on: other},
		{name: "/release_case", act: flows.ActWorkCase, do: cmd("release_case", "CODE"),
			allowed: answered("casework.released"), on: taken},
		{"/release", flows.ActTakeChat, cmd("release", ""), known, untaken},
		{"/done", flows.ActTakeChat, cmd("done", ""), known, untaken},
		// Last: it starts a report in the member's chat.
		{"/newcase", flows.ActFileForCaller, cmd("newcase", ""), answered("tools.newcase_intro", "tools.newcase_holding"), untaken},
	}
}

// TestAuthorisationMatrix runs every access for every role: a user, a
// volunteer without the case's chat and one holding it, a coordinator and
// an admin.
func TestAuthorisationMatrix(t *testing.T) {
	roles := []struct {
		name   string
		id     int64
		role   flows.Role
		member bool // added as a member (admins come from the configuration)
		holds  bool // holds the chat of the case
	}{
		{"user", mUser, flows.RoleNone, false, false},
		{"volunteer without the chat", mVol, flows.RoleVolunteer, true, false},
		{"volunteer with the chat", mHolder, flows.RoleVolunteer, false, true},
		{"coordinator", mCoord, flows.RoleCoordinator, true, false},
		{"admin", hAdmin, flows.RoleAdmin, false, false},
	}
	covered := map[flows.Action]bool{}
	for _, a := range accesses() {
		covered[a.act] = true
	}
	for _, p := range flows.Permissions() {
		if !covered[p.Action] {
			t.Errorf("action %s is in the table but not in the matrix", p.Action)
		}
	}
	for _, rl := range roles {
		t.Run(rl.name, func(t *testing.T) {
			t.Parallel()
			w := newAuthzWorld(t)
			w.member(mHolder, flows.RoleVolunteer)
			if rl.member {
				w.member(rl.id, rl.role)
			}
			// A relative reported the case and waits for a volunteer;
			// the holder took the chat.
			reporter := w.person(mReporter, "en")
			r := fullCase()
			r.ANumber = "123456789"
			r.DraftID, r.Consent, r.Lang = "authz-draft", true, "en"
			r.ReporterChatID, r.ReporterUserID = mReporter, mReporter
			c, err := w.cases.Create(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			reporter.press("m:volunteer")
			holder := w.person(mHolder, "en")
			if rs := holder.command("next", ""); !has(rs, "handoff.taken") {
				t.Fatalf("the holder did not take the chat: %v", describeAll(rs))
			}
			// Another relative's case, which a colleague owns.
			w.member(mOwner, flows.RoleVolunteer)
			w.person(mOwner, "en").command("name", "Olga")
			o := fullCase()
			o.DraftID, o.Consent, o.Lang = "authz-other", true, "en"
			o.ReporterChatID, o.ReporterUserID = mReporter+1, mReporter+1
			oc, err := w.cases.Create(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if rs := w.person(mOwner, "en").command("take_case", oc.Code); !has(rs, "casework.took") {
				t.Fatalf("the colleague did not take the other case: %v", describeAll(rs))
			}
			w.other = oc.Code

			p := w.person(rl.id, "en")
			if rl.holds {
				p = holder
			}
			views := 0
			for _, a := range accesses() {
				all := a.do(p, c.Code)
				got := a.allowed(p.mine(all), all)
				want := flows.AllowedOn(rl.role, a.act, a.relation(rl.holds))
				if got != want {
					t.Errorf("%s by a %s: allowed %v, the table says %v; answered %v",
						a.name, rl.name, got, want, describeAll(p.mine(all)))
				}
				if has(p.mine(all), "handoff.case", "find.card") {
					views++
					// A card with personal data cannot be forwarded.
					for _, r := range p.mine(all) {
						if !r.Protect {
							t.Errorf("%s by a %s: the card is sent without protect_content", a.name, rl.name)
						}
					}
				}
			}
			// Every view of the case's personal data is in the audit
			// log, by who viewed it.
			es, _, err := w.deps.Audit.ForCase(context.Background(), c.ID, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			seen := 0
			for _, e := range es {
				if (e.Action == flows.AuditView || e.Action == flows.AuditFind) && e.Actor == "tg:"+strconv.FormatInt(rl.id, 10) {
					seen++
				}
			}
			if seen != views {
				t.Errorf("audit log has %d views by the %s, want %d: %+v", seen, rl.name, views, es)
			}
		})
	}
}

// TestAllowedTable spells out the table's rule for a case's personal data,
// the one that depends on holding the chat.
func TestAllowedTable(t *testing.T) {
	tests := []struct {
		role  flows.Role
		holds bool
		want  bool
	}{
		{flows.RoleNone, true, false},
		{flows.RoleVolunteer, false, false},
		{flows.RoleVolunteer, true, true},
		{flows.RoleCoordinator, false, true},
		{flows.RoleAdmin, false, true},
	}
	for _, tt := range tests {
		if got := flows.Allowed(tt.role, flows.ActViewCase, tt.holds); got != tt.want {
			t.Errorf("Allowed(%s, view case, holds=%v) = %v, want %v", tt.role, tt.holds, got, tt.want)
		}
	}
	if flows.Allowed(flows.RoleAdmin, flows.Action("no such action"), true) {
		t.Error("an action not in the table is allowed")
	}
}

// TestMemberCommandLeavesNote: a volunteer asked for a note who runs another
// command has left the note; what they type next goes to the user they
// talk to, not into the case file.
func TestMemberCommandLeavesNote(t *testing.T) {
	t.Parallel()
	w := newAuthzWorld(t)
	w.member(mHolder, flows.RoleVolunteer)
	reporter := w.person(mReporter, "en")
	r := fullCase()
	r.DraftID, r.Consent, r.Lang = "note-draft", true, "en"
	r.ReporterChatID, r.ReporterUserID = mReporter, mReporter
	c, err := w.cases.Create(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	reporter.press("m:volunteer")
	holder := w.person(mHolder, "en")
	if rs := holder.command("next", ""); !has(rs, "handoff.taken") {
		t.Fatalf("the holder did not take the chat: %v", describeAll(rs))
	}
	if rs := holder.command("note", c.Code); !has(holder.mine(rs), "note.ask") {
		t.Fatalf("/note without text answered %v, want note.ask", describeAll(rs))
	}
	holder.command("queue", "")
	rs := holder.send("Hello, I am looking at your case now.")
	if has(holder.mine(rs), "note.saved") {
		t.Fatal("a message typed after /queue was saved as an internal note")
	}
	relayed := false
	for _, r := range rs {
		if r.ChatID == mReporter && r.Copy != nil {
			relayed = true
		}
	}
	if !relayed {
		t.Errorf("the volunteer's message did not reach the user: %v", describeAll(rs))
	}
}
