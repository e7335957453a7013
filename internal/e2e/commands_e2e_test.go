package e2e

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"hotline/flows"
)

// A volunteer who joins by an invite sees their commands in Telegram's
// menu, in their language, set for their chat only; users keep theirs.
func TestVolunteerCommandMenuEndToEnd(t *testing.T) {
	parallel(t)
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

// A member added or removed with `hotline volunteers` gets their command
// menu from the running bot at once: the volunteer's commands after add,
// everyone's again after remove.
func TestVolunteersCommandSetsTheMenuEndToEnd(t *testing.T) {
	parallel(t)
	h := newHandoffHarness(t)
	vol := h.tg.User(7000602, "en")
	vol.Send("/start")
	vol.Next(t)
	env := h.cliEnv()
	names := func() []string {
		var out []string
		for _, c := range h.tg.ChatCommands(vol.ID, "") {
			out = append(out, c.Command)
		}
		return out
	}
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"volunteers", "add", strconv.FormatInt(vol.ID, 10)}, env, &out, &errs); code != 0 {
		t.Fatalf("volunteers add: exit %d: %s", code, errs.String())
	}
	want := flows.CommandsFor(flows.RoleVolunteer)
	eventually(t, "the volunteer's menu", func() error {
		if got := names(); !slices.Equal(got, want) {
			return fmt.Errorf("menu %v, want %v (%s)", got, want, out.String())
		}
		return nil
	})
	if code := run(context.Background(), []string{"volunteers", "remove", strconv.FormatInt(vol.ID, 10)}, env, &out, &errs); code != 0 {
		t.Fatalf("volunteers remove: exit %d: %s", code, errs.String())
	}
	eventually(t, "the menu taken back", func() error {
		if got := names(); len(got) != 0 {
			return fmt.Errorf("menu %v after remove, want none of their own", got)
		}
		return nil
	})
}
