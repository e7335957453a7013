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
// does, and whether the answer shows it was allowed.
type access struct {
	name    string
	act     flows.Action
	do      func(p *hperson, code string) []flows.Reply
	allowed func(mine, all []flows.Reply) bool
}

func cmd(name, arg string) func(*hperson, string) []flows.Reply {
	return func(p *hperson, code string) []flows.Reply {
		return p.command(name, strings.ReplaceAll(arg, "CODE", code))
	}
}

func btn(data string) func(*hperson, string) []flows.Reply {
	return func(p *hperson, code string) []flows.Reply {
		return p.press(strings.ReplaceAll(data, "CODE", code))
	}
}

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
func known(mine, _ []flows.Reply) bool { return len(mine) > 0 && !has(mine, "command.unknown") }

// accesses are in an order that keeps the world as the next one needs it:
// the relay comes before the update and note flows (a note being asked for
// takes the next message), and the chat is released and closed last.
func accesses() []access {
	return []access{
		{"/check", flows.ActCheckStatus, cmd("check", "CODE"), answered("check.header")},
		{"/mycases", flows.ActOwnData, cmd("mycases", ""), answered("mycases.none", "mycases.list")},
		{"/forget", flows.ActOwnData, cmd("forget", ""), answered("forget.ask")},
		{"/help", flows.ActMember, cmd("help", ""), answered("handoff.help_volunteer")},
		{"/duty", flows.ActMember, cmd("duty", ""), answered("handoff.duty_usage")},
		{"/name", flows.ActMember, cmd("name", ""), answered("handoff.name_usage")},
		{"/queue", flows.ActViewQueue, cmd("queue", ""), answered("handoff.queue", "handoff.queue_empty")},
		{"/stats", flows.ActViewStats, cmd("stats", ""), answered("handoff.stats")},
		{"/volunteers", flows.ActManageVolunteers, cmd("volunteers", "list"), answered("handoff.members")},
		{"/volunteers add", flows.ActManageVolunteers, cmd("volunteers", "add 8999 volunteer"), answered("handoff.member_added")},
		{"/volunteers invite", flows.ActManageVolunteers, cmd("volunteers", "invite"), answered("handoff.invite")},
		{"/volunteers remove", flows.ActManageVolunteers, cmd("volunteers", "remove 8999"), answered("handoff.member_removed")},
		{"/audit", flows.ActViewAudit, cmd("audit", "CODE"), answered("audit.case")},
		{"audit page button", flows.ActViewAudit, btn("a.:CODE:0"), answered("audit.case")},
		{"/case CODE", flows.ActViewCase, cmd("case", "CODE"), answered("handoff.case")},
		{"/find CODE", flows.ActFindCase, cmd("find", "CODE"), known},
		{"/find CODE: personal data", flows.ActViewCase, cmd("find", "CODE"), answered("find.card")},
		{"/find A-number: personal data", flows.ActViewCase, cmd("find", "A 123-456-789"), answered("find.card")},
		{"conversation button", flows.ActViewCase, btn("ct.:t:CODE:0"), answered("tools.transcript", "tools.transcript_empty")},
		{"/write", flows.ActWriteReporter, cmd("write", "CODE"), answered("tools.write_other", "tools.write_already")},
		{"/merge", flows.ActMergeCases, cmd("merge", "CODE CODE"), answered("tools.merge_self")},
		{"/next", flows.ActTakeChat, cmd("next", ""), known},
		{"/take", flows.ActTakeChat, cmd("take", "99"), known},
		{"take button", flows.ActTakeChat, btn("h.t:99"), answered("handoff.take_gone", "handoff.busy")},
		{"/switch", flows.ActTakeChat, cmd("switch", ""), known},
		{"relay", flows.ActRelay, func(p *hperson, _ string) []flows.Reply { return p.send("are you there?") },
			func(_, all []flows.Reply) bool {
				return slices.ContainsFunc(all, func(r flows.Reply) bool { return r.Copy != nil && r.ChatID == mReporter })
			}},
		{"/status", flows.ActUpdateStatus, cmd("status", "CODE"), answered("update.pick")},
		{"status button", flows.ActUpdateStatus, btn("s.:v:CODE"), answered("update.pick")},
		{"/note", flows.ActAddNote, cmd("note", "CODE called the lawyer"), answered("note.saved")},
		{"note button", flows.ActAddNote, btn("s.:n:CODE"), answered("note.ask")},
		{"/hold", flows.ActTakeChat, cmd("hold", "60"), known},
		{"held public note sent anyway", flows.ActPublishPersonal, sendHeldNote, answered("update.note_saved")},
		{"/release", flows.ActTakeChat, cmd("release", ""), known},
		{"/done", flows.ActTakeChat, cmd("done", ""), known},
		// Last: it starts a report in the member's chat.
		{"/newcase", flows.ActFileForCaller, cmd("newcase", ""), answered("tools.newcase_intro", "tools.newcase_holding")},
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

			p := w.person(rl.id, "en")
			if rl.holds {
				p = holder
			}
			views := 0
			for _, a := range accesses() {
				all := a.do(p, c.Code)
				got := a.allowed(p.mine(all), all)
				want := flows.Allowed(rl.role, a.act, rl.holds)
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
