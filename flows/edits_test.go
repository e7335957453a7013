package flows_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"hotline/flows"
	"hotline/storage"
)

// edit is the person editing their message id to read text, as Telegram
// tells the bot (edited_message).
func (p *hperson) edit(id int, text string) []flows.Reply {
	p.w.t.Helper()
	return p.do(flows.Input{Kind: flows.KindText, Edited: true, MessageID: id, Text: text})
}

// TestEditsInAConversation: a relative who corrects the A-number in a
// message to the volunteer, or a volunteer who corrects a time, by
// editing it: the other side gets the message as it now reads, under the
// copy it corrects, and the case's conversation keeps the correction.
// Edits were dropped without a word, and the volunteer acted on the wrong
// number. Once the conversation is over, the edit reaches no one and the
// person is told to send the text again.
func TestEditsInAConversation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	rel, vol := w.person(7001, "ru"), w.person(hVolunteer, "en")
	c := w.reported(rel, "edits-draft")
	vol.command("write", c.Code)
	rel.received()
	vol.received()
	threads := storage.NewThreads(w.rdb, w.prefix, time.Hour)
	// relayed records the copy of from's latest message: to's latest but
	// the after that came after it.
	relayed := func(from, to *hperson, after int) (orig, copyID int) {
		t.Helper()
		orig, copyID = from.lastIn, to.lastMsgID()-after
		if err := threads.Record(ctx, to.id, copyID, from.id, orig); err != nil {
			t.Fatal(err)
		}
		return orig, copyID
	}

	// The A-number written comes with the button that records it; the
	// one corrected, with the button for the correct one.
	rel.send("его номер A-123-456-780")
	first := vol.expectGot("copy 7001/"+strconv.Itoa(rel.lastIn), "tools.a_number_hint")
	if first[1].Texts[0].Data["ANumber"] != "A123-456-780" {
		t.Errorf("offered %v", first[1].Texts[0].Data)
	}
	said, copied := relayed(rel, vol, 1) // the hint came after the copy
	rel.edit(said, "его номер A-123-456-789")
	rel.expectGot()
	rs := vol.expectGot("handoff.edited_user", "copy 7001/"+strconv.Itoa(said), "tools.a_number_hint")
	if rs[2].Texts[0].Data["ANumber"] != "A123-456-789" {
		t.Errorf("offered after the edit %v", rs[2].Texts[0].Data)
	}
	if rs[1].Copy.ReplyTo != copied || rs[0].Lang != "en" || rs[0].Texts[0].Data["Ticket"] == nil {
		t.Errorf("the edit reached the volunteer as %+v, want the copy under %d, in English, with the chat", rs, copied)
	}

	// A live location moving is told as edits: nothing goes anywhere.
	rel.media("location", "")
	vol.received()
	rel.do(flows.Input{Kind: flows.KindMedia, Media: "location", Edited: true, MessageID: rel.lastIn})
	rel.expectGot()
	vol.expectGot()

	vol.send("We will call you at 5 pm")
	rel.expectGot("copy " + strconv.Itoa(hVolunteer) + "/" + strconv.Itoa(vol.lastIn))
	said, copied = relayed(vol, rel, 0)
	vol.edit(said, "We will call you at 6 pm")
	vol.expectGot()
	rs = rel.expectGot("handoff.edited_vol", "copy "+strconv.Itoa(hVolunteer)+"/"+strconv.Itoa(said))
	if rs[1].Copy.ReplyTo != copied || rs[0].Lang != "en" {
		t.Errorf("the edit reached the relative as %+v, want the copy under %d, in the case's English", rs, copied)
	}

	card := vol.command("case", c.Code)
	page := vol.press(buttonData(t, card[0], "btn.tools_transcript"))
	lines, _ := textData(page[0], "tools.transcript", "Lines").([]flows.Text)
	var got []string
	for _, l := range lines {
		got = append(got, l.ID+" "+l.Data["Text"].(string))
	}
	want := []string{"tools.line его номер A-123-456-780", "tools.line_edited его номер A-123-456-789", "tools.line_media ",
		"tools.line We will call you at 5 pm", "tools.line_edited We will call you at 6 pm"}
	if !slices.Equal(got, want) {
		t.Errorf("the conversation kept %q\nwant %q", got, want)
	}

	vol.command("done", "")
	rel.received()
	vol.received()
	rel.edit(said, "его номер A-123-456-788")
	vol.expectGot()
	rel.expectGot("edit.not_seen")
}

// TestEditsOutsideAConversation: an edit of an answer the bot already read
// changes nothing; the person is told so, and in a report where to change
// an answer. The edit was ignored without a word, and people believed
// the corrected name was in the report.
func TestEditsOutsideAConversation(t *testing.T) {
	t.Parallel()
	c := newChat(t, "en")
	startReport(c)
	asked := textIDs(c.send("Ivn Petrov"))
	at := c.session().Step
	c.expect(c.handle(flows.Input{Kind: flows.KindText, Edited: true, MessageID: 40, Text: "Ivan Petrov"}), "edit.not_seen_report")
	if s := c.session(); s.Step != at || s.Draft.NameLatin != "Ivn Petrov" {
		t.Errorf("after the edit the report is at %q with the name %q, want %q and the name as sent", s.Step, s.Draft.NameLatin, at)
	}
	if got := textIDs(c.send("skip")); slices.Equal(got, asked) {
		t.Errorf("after the edit, the next answer was asked %v again", got)
	}

	if rs, err := c.app.Handle(context.Background(), flows.Input{ChatID: c.id, UserID: c.id, ChatType: "private",
		Kind: flows.KindMedia, Media: "location", Edited: true, MessageID: 41}); err != nil || len(rs) != 0 {
		t.Errorf("a live location moving got %v, %v; want nothing", describeAll(rs), err)
	}

	other := newChat(t, "ru")
	other.expect(other.handle(flows.Input{Kind: flows.KindText, Edited: true, MessageID: 3, Text: "мужа задержали"}), "edit.not_seen")
	if other.last.Lang != "ru" {
		t.Errorf("told in %q, want Russian", other.last.Lang)
	}
}

// TestEditWhileWaiting: a message written while waiting for a volunteer
// and then corrected reaches the volunteer who takes the chat as it reads
// then (Telegram copies a message as it is), so the person is not told the
// edit was lost; an earlier answer edited is.
func TestEditWhileWaiting(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	user, vol := w.person(7004, "en"), w.person(hVolunteer, "en")
	user.send("hello")
	greeted := user.lastIn
	user.press("m:volunteer")
	user.send("his A-number is 123-456-780")
	kept := user.lastIn
	user.received()
	user.edit(kept, "his A-number is 123-456-789")
	user.expectGot()
	user.edit(greeted, "hello, my husband was detained")
	user.expectGot("edit.not_seen")
	vol.command("next", "")
	if rs := to(vol.received(), hVolunteer); len(rs) < 2 || describe(rs[len(rs)-1]) != "copy 7004/"+strconv.Itoa(kept) {
		t.Errorf("the volunteer got %v, want the kept message last", describeAll(rs))
	}
}
