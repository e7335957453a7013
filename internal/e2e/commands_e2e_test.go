package e2e

import (
	"regexp"
	"slices"
	"testing"

	"hotline/flows"
)

// A volunteer who joins by an invite sees their commands in Telegram's
// menu, in their language, set for their chat only; users keep theirs.
func TestVolunteerCommandMenuEndToEnd(t *testing.T) {
	t.Parallel()
	h := newHandoffHarness(t)
	admin := h.tg.User(handoffAdmin, "en")
	admin.Send("/volunteers invite volunteer")
	m := admin.Next(t)
	payload := regexp.MustCompile(`start=(v_[A-Za-z0-9_-]+)`).FindStringSubmatch(m.Plain)
	if payload == nil {
		t.Fatalf("no invite link in %q", m.Plain)
	}
	vol := h.tg.User(7000601, "ru")
	vol.Send("/start " + payload[1])
	expectText(t, vol, h.lead("ru", "handoff.invite_ok"))

	t.Cleanup(func() {
		if t.Failed() {
			t.Log(h.log.String())
		}
	})
	var names []string
	for _, c := range h.tg.ChatCommands(vol.ID, "") {
		names = append(names, c.Command)
		if want := h.label("ru", "command."+c.Command); c.Description != want {
			t.Errorf("/%s described as %q, want %q", c.Command, c.Description, want)
		}
	}
	if want := flows.CommandsFor(flows.RoleVolunteer); !slices.Equal(names, want) {
		t.Errorf("volunteer's menu %v, want %v", names, want)
	}
	if got := h.tg.Commands(""); len(got) != len(flows.CommandsFor(flows.RoleNone)) {
		t.Errorf("the default menu changed: %v", got)
	}
}
