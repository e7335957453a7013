package bot

import (
	"strings"
	"testing"

	"hotline/flows"
)

// A reply that sets a member's menu sets it for their chat only.
func TestReplySetsTheChatsCommandMenu(t *testing.T) {
	b := newBot(t, &fakeFlows{})
	role := flows.RoleVolunteer
	calls := b.Calls([]flows.Reply{{ChatID: 42, Lang: "ru", Texts: []flows.Text{flows.T("menu.choose")}, Commands: &role}})
	if len(calls) != 2 || calls[0].Method != "setMyCommands" || calls[1].Method != "sendMessage" {
		t.Fatalf("calls: %+v", calls)
	}
	p := string(calls[0].Params)
	for _, want := range []string{`"scope":{"type":"chat","chat_id":42}`, `"command":"queue"`, `"command":"check"`} {
		if !strings.Contains(p, want) {
			t.Errorf("setMyCommands params lack %s: %s", want, p)
		}
	}
	if strings.Contains(p, `"command":"merge"`) || strings.Contains(p, `"language_code"`) {
		t.Errorf("a volunteer's menu: %s", p)
	}
	none := flows.RoleNone
	calls = b.Calls([]flows.Reply{{ChatID: 42, Lang: "ru", Texts: []flows.Text{flows.T("menu.choose")}, Commands: &none}})
	if calls[0].Method != "deleteMyCommands" {
		t.Errorf("a former member's menu: %+v", calls[0])
	}
}
