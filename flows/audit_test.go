package flows_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"hotline/flows"
)

// auditActions returns the actions of a page of /audit, as listed.
func auditActions(t *testing.T, r flows.Reply) []string {
	t.Helper()
	for _, tx := range r.Texts {
		if tx.ID != "audit.page" {
			continue
		}
		var out []string
		for _, line := range tx.Data["Lines"].([]flows.Text) {
			out = append(out, strings.TrimPrefix(line.Data["Action"].(flows.Text).ID, "audit.action."))
		}
		return out
	}
	t.Fatalf("no audit page in %v", describe(r))
	return nil
}

// TestAuditCommand: what volunteers do to a case is in its log, newest
// first, a page at a time; an update handled twice is logged once; role
// changes have a log of their own; only admins read any of it.
func TestAuditCommand(t *testing.T) {
	w := newAuthzWorld(t)
	w.member(mHolder, flows.RoleVolunteer)
	reporter := w.person(mReporter, "ru")
	r := fullCase()
	r.DraftID, r.Consent, r.Lang = "audit-draft", true, "ru"
	r.ReporterChatID, r.ReporterUserID = mReporter, mReporter
	c, err := w.cases.Create(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	reporter.press("m:volunteer")
	holder := w.person(mHolder, "en")
	holder.command("next", "")
	admin := w.person(hAdmin, "ru")

	// One /case handled twice (a retry after a lost commit) is one view.
	again := flows.Input{UpdateID: 9999, Kind: flows.KindCommand, Command: "case"}
	holder.do(again)
	holder.do(again)
	holder.command("note", c.Code+" the lawyer will call back")
	admin.received()
	admin.command("audit", strings.ToLower(flows.FormatCode(c.Code)))
	page := admin.expectGot("audit.case+audit.page")[0]
	if got, want := auditActions(t, page), []string{"note", "view"}; !slices.Equal(got, want) {
		t.Errorf("audit of the case = %v, want %v", got, want)
	}
	if page.Buttons != nil {
		t.Errorf("one page has buttons: %v", buttonNames(page))
	}

	// Twenty views make two pages.
	for range 20 {
		holder.command("case", "")
	}
	admin.command("audit", c.Code)
	page = admin.expectGot("audit.case+audit.page")[0]
	first := auditActions(t, page)
	if len(first) != 15 || first[0] != "view" || textData(page, "audit.page", "Count") != 22 {
		t.Errorf("first page: %v of %v", first, textData(page, "audit.page", "Count"))
	}
	admin.press(buttonData(t, page, "btn.audit_older"))
	page = admin.expectGot("audit.case+audit.page")[0]
	if got := auditActions(t, page); len(got) != 7 || got[len(got)-1] != "view" || got[len(got)-2] != "note" {
		t.Errorf("second page: %v", got)
	}
	if page.Edit == 0 {
		t.Error("the second page is a new message; want the first one edited")
	}
	buttonData(t, page, "btn.audit_newer")

	admin.command("volunteers", "add 8999 coordinator")
	admin.received()
	admin.command("audit", "members")
	page = admin.expectGot("audit.members+audit.page")[0]
	if got := auditActions(t, page); !slices.Equal(got, []string{"member_add"}) {
		t.Errorf("role changes: %v", got)
	}

	admin.command("audit", "")
	admin.expectGot("audit.usage")
	admin.command("audit", "ZZZZ-ZZZZ")
	admin.expectGot("update.not_found")
	holder.received()
	holder.command("audit", c.Code)
	holder.expectGot("command.role_needed")
}

// TestInputCaps: inputs larger than Telegram ever sends are refused before
// anything reads them, and change nothing.
func TestInputCaps(t *testing.T) {
	c := newChat(t, "en")
	c.command("start", "")
	c.press("btn.menu_report")
	before := c.session()
	tests := []struct {
		name string
		in   flows.Input
		want string
	}{
		{"callback data over 64 bytes", flows.Input{Kind: flows.KindButton, Data: before.Nonce + ":" + strings.Repeat("x", 64)}, "button.old"},
		{"text over 4096 characters", flows.Input{Kind: flows.KindText, Text: strings.Repeat("я", flows.MaxInputText+1)}, "input.too_long"},
		{"caption over 4096 characters", flows.Input{Kind: flows.KindMedia, Media: "photo", Text: strings.Repeat("a", flows.MaxInputText+1)}, "input.too_long"},
		{"command argument over the cap", flows.Input{Kind: flows.KindCommand, Command: "check", Text: strings.Repeat("K7M4Q9XP ", 200)}, "input.arg_too_long"},
	}
	for _, tt := range tests {
		r := c.handle(tt.in)
		if len(r.Texts) == 0 || r.Texts[0].ID != tt.want {
			t.Errorf("%s: answered %v, want %s first", tt.name, textIDs(r), tt.want)
		}
		if s := c.session(); s.Flow != before.Flow || s.Step != before.Step || s.Draft.DraftID != before.Draft.DraftID {
			t.Errorf("%s changed the session: %+v", tt.name, s)
		}
	}
	// A note as long as a note may be still goes through /note's cap.
	r := c.command("language", strings.Repeat("x", 1000))
	if slices.Contains(textIDs(r), "input.arg_too_long") {
		t.Errorf("an argument of 1000 characters is refused: %v", textIDs(r))
	}
}
