package flows_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"hotline/flows"
	"hotline/storage"
)

// TestMemberHome: a volunteer's /start is their work — on duty or not, the
// chats waiting, the new cases — with buttons for it; it was the
// relatives' greeting ("Report a detention", "Talk to a volunteer"). The
// relatives' menu is one button away; a relative's /start is unchanged.
func TestMemberHome(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storage.LookupLimits{})
	ctx := context.Background()
	const volID = 9000101
	if err := w.vols.Add(ctx, volID, flows.RoleVolunteer, 0); err != nil {
		t.Fatal(err)
	}
	vol := w.person(volID, "en")
	relative := w.person(1, "en")
	expectTexts(t, relative.command("start", ""), "menu.greeting")

	// A member added from the command line, who never wrote to the bot,
	// gets their home at their first /start: it was the relatives'
	// greeting, as for anyone without a session.
	r := vol.command("start", "")
	expectTexts(t, r, "member.home")
	home := w.cat.Render("en", r.Texts...)
	if !strings.Contains(home, "Off duty") || !strings.Contains(home, "Chats waiting: 0") {
		t.Errorf("home:\n%s", home)
	}
	if got := buttonNames(r); slices.Contains(got, "btn.menu_report") || !slices.Contains(got, "btn.home_duty_on") ||
		slices.Contains(got, "btn.home_next") {
		t.Errorf("home's buttons: %v", got)
	}
	expectTexts(t, vol.press("btn.home_duty_on"), "handoff.duty")
	if v, err := w.vols.Get(ctx, volID); err != nil || !v.OnDuty {
		t.Errorf("after 'go on duty': %+v, %v", v, err)
	}

	// A chat waits: the home counts it and takes it.
	relative.press("btn.menu_volunteer")
	r = vol.command("start", "")
	if home := w.cat.Render("en", r.Texts...); !strings.Contains(home, "On duty") || !strings.Contains(home, "Chats waiting: 1") {
		t.Errorf("home with a chat waiting:\n%s", home)
	}
	if got := buttonNames(r); !slices.Contains(got, "btn.home_next") || !slices.Contains(got, "btn.home_duty_off") {
		t.Errorf("home's buttons: %v", got)
	}
	vol.press("btn.home_next")
	if st, err := w.queue.Chat(ctx, relative.id); err != nil || st.Paired == nil {
		t.Errorf("'take the next chat' did not take it: %+v, %v", st, err)
	}
	if home := w.cat.Render("en", vol.command("start", "").Texts...); !strings.Contains(home, "Chats you are in: 1") {
		t.Errorf("home with a chat held:\n%s", home)
	}

	// The relatives' menu, for a volunteer who reports for their own.
	expectTexts(t, vol.command("start", ""), "member.home")
	r = vol.press("btn.home_public")
	if !slices.Contains(buttonNames(r), "btn.menu_report") {
		t.Errorf("the relatives' menu: %v", buttonNames(r))
	}
}
