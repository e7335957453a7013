package flows_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"hotline/flows"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// forumCase stores a case the reporter reported, with its topic (thread)
// in the forum group.
func forumCase(a *testApp, forum, reporter int64, thread int) flows.Case {
	a.t.Helper()
	ctx := context.Background()
	c, err := a.cases.Create(ctx, &flows.Report{DraftID: storagetest.Name("d"), Consent: true, NameLatin: "Ivan Petrov",
		ReporterChatID: reporter, ReporterUserID: reporter, Lang: "ru", FacilityText: "Eloy"})
	if err != nil {
		a.t.Fatal(err)
	}
	if _, err := storage.NewForum(a.db, forum).Created(ctx, c.ID, thread); err != nil {
		a.t.Fatal(err)
	}
	return c
}

// TestForumInTopic: what members and others write in the forum group, as
// the flows take it: /note in a case's topic is an internal note and
// answers nothing; the general topic and topics of no case are left to
// the team; other commands are answered in the member's private chat; a stranger's service messages are not
// reported, their first message is, to the admin, once.
func TestForumInTopic(t *testing.T) {
	const forum, admin, vol, thread = -1009000000011, 9100001, 9100002, 42
	a := newApp(t, appOptions{Config: flows.Config{ForumChat: forum, Admins: []int64{admin}}})
	ctx := context.Background()
	c := forumCase(a, forum, 9100100, thread)
	if err := a.vols.Add(ctx, vol, flows.RoleVolunteer, 0); err != nil {
		t.Fatal(err)
	}
	handle := func(in flows.Input) []flows.Reply {
		t.Helper()
		in.ChatID, in.ChatType, in.UpdateID, in.At = forum, "supergroup", a.nextUpdate(), testNow
		if in.MessageID == 0 {
			in.MessageID = int(in.UpdateID)
		}
		rs, err := a.app.Handle(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	for _, tc := range []struct {
		name string
		in   flows.Input
	}{
		{"/note in the topic", flows.Input{UserID: vol, Kind: flows.KindCommand, Command: "note", Text: "called the jail", ThreadID: thread}},
		{"! line", flows.Input{UserID: vol, Kind: flows.KindText, Text: "!lawyer is Jane", ThreadID: thread}},
		{"the general topic", flows.Input{UserID: vol, Kind: flows.KindText, Text: "who is on tonight?"}},
		{"a topic of no case", flows.Input{UserID: vol, Kind: flows.KindText, Text: "shift plan", ThreadID: 99}},
		{"a stranger's service message", flows.Input{UserID: 9100999, Kind: flows.KindMedia, Media: "other"}},
	} {
		if rs := handle(tc.in); len(rs) != 0 {
			t.Errorf("%s: %d replies, want none: %+v", tc.name, len(rs), rs)
		}
	}
	files, err := a.timeline.Find(ctx, c.Code, "")
	if err != nil || len(files) != 1 {
		t.Fatalf("find: %v", err)
	}
	var notes []string
	for _, e := range files[0].Events {
		if e.Kind == flows.EventNote && !e.Public {
			notes = append(notes, e.Note)
		}
	}
	slices.Sort(notes)
	if want := []string{"called the jail", "lawyer is Jane"}; !slices.Equal(notes, want) {
		t.Errorf("internal notes %q, want %q", notes, want)
	}

	// Another command is answered in the member's private chat, as the
	// group's buttons are: in a case's topic, about its case. It went
	// unanswered, as if done.
	rs := handle(flows.Input{UserID: vol, Kind: flows.KindCommand, Command: "status", ThreadID: thread})
	if len(rs) != 1 || rs[0].ChatID != vol || describe(rs[0]) != "update.pick" || rs[0].Texts[0].Data["Code"] != flows.FormatCode(c.Code) {
		t.Errorf("/status in the case's topic: %v, want the case's statuses in the member's private chat", describeAll(rs))
	}
	// /urgent in the topic marks its case, and the topic is told who did
	// and why.
	rs = handle(flows.Input{UserID: vol, Kind: flows.KindCommand, Command: "urgent", Text: "flight moved up", ThreadID: thread})
	if !has(to(rs, vol), "tools.urgent_on") || !has(to(rs, forum), "forum.ev_urgent_on") ||
		!strings.Contains(fmt.Sprint(describeAll(to(rs, forum)), to(rs, forum)), "flight moved up") {
		t.Errorf("/urgent in the case's topic: %v, want the case marked and the topic told why", describeAll(rs))
	}
	for _, r := range rs {
		checkRenderable(t, a.cat, r)
	}
	rs = handle(flows.Input{UserID: vol, Kind: flows.KindCommand, Command: "urgent", Text: "off: the flight was cancelled", ThreadID: thread})
	if !has(to(rs, vol), "tools.urgent_off") || !has(to(rs, forum), "forum.ev_urgent_off") ||
		!strings.Contains(fmt.Sprint(to(rs, forum)), "the flight was cancelled") {
		t.Errorf("/urgent off in the case's topic: %v", describeAll(rs))
	}
	for _, r := range rs {
		checkRenderable(t, a.cat, r)
	}
	rs = handle(flows.Input{UserID: vol, Kind: flows.KindCommand, Command: "note", Text: "called the jail"})
	if len(rs) != 1 || rs[0].ChatID != vol || describe(rs[0]) != "note.usage" {
		t.Errorf("/note in the general topic: %v, want its usage in the member's private chat", describeAll(rs))
	}
	rs = handle(flows.Input{UserID: vol, Kind: flows.KindCommand, Command: "cases"})
	if len(rs) != 1 || rs[0].ChatID != vol || describe(rs[0]) != "casework.board" {
		t.Errorf("/cases in the general topic: %v, want the board in the member's private chat", describeAll(rs))
	}

	rs = handle(flows.Input{UserID: 9100999, Kind: flows.KindText, Text: "hello"})
	if len(rs) != 1 || rs[0].ChatID != admin || textIDs(rs[0])[0] != "forum.stranger" {
		t.Fatalf("a stranger's message: %+v, want the admin told", rs)
	}
	checkRenderable(t, a.cat, rs[0])
	if rs := handle(flows.Input{UserID: 9100999, Kind: flows.KindText, Text: "hello?"}); len(rs) != 0 {
		t.Errorf("the stranger's second message: %+v, want nothing", rs)
	}
}

// TestForumTalkOfErasedCase: a reporter whose case was erased while a talk
// with the team was still on (whatever left it on): what they write is
// not copied to the team any more, they get an answer, and the talk ends.
func TestForumTalkOfErasedCase(t *testing.T) {
	const forum, reporter, thread = -1009000000012, 9100200, 43
	a := newApp(t, appOptions{Config: flows.Config{ForumChat: forum}})
	ctx := context.Background()
	c := forumCase(a, forum, reporter, thread)
	fo := storage.NewForum(a.db, forum)
	if err := fo.Talk(ctx, reporter, c.Code); err != nil {
		t.Fatal(err)
	}
	say := func(text string) []flows.Reply {
		t.Helper()
		id := a.nextUpdate()
		rs, err := a.app.Handle(ctx, flows.Input{ChatID: reporter, UserID: reporter, ChatType: "private", LangCode: "ru",
			UpdateID: id, MessageID: int(id), At: testNow, Kind: flows.KindText, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	// While the case is there, what they write goes to its topic.
	if rs := say("he called"); len(rs) != 1 || rs[0].ChatID != forum || rs[0].Copy == nil {
		t.Fatalf("a message in a talk: %+v, want a copy in the topic", rs)
	}
	if _, err := a.deps.Reporters.Forget(ctx, reporter); err != nil {
		t.Fatal(err)
	}
	rs := say("one more thing")
	for _, r := range rs {
		if r.ChatID != reporter {
			t.Errorf("after the case was erased, a reply to chat %d: %+v", r.ChatID, r)
		}
	}
	if len(rs) == 0 {
		t.Error("after the case was erased, no answer to the reporter")
	}
	if _, err := fo.Talking(ctx, reporter); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("the talk after a message to an erased case: %v, want ended", err)
	}
}

// TestForumHintsInTheTopic: a reporter talking with the team writes where
// the person is held now and their A-number: the topic gets the message
// and, under it, the buttons that record both; a member's press records
// the place in the case, answered in their private chat.
func TestForumHintsInTheTopic(t *testing.T) {
	const forum, reporter, vol, thread = -1009000000014, 9100400, 9100401, 45
	a := newApp(t, appOptions{Config: flows.Config{ForumChat: forum}})
	ctx := context.Background()
	c := forumCase(a, forum, reporter, thread)
	if err := a.vols.Add(ctx, vol, flows.RoleVolunteer, 0); err != nil {
		t.Fatal(err)
	}
	if err := storage.NewForum(a.db, forum).Talk(ctx, reporter, c.Code); err != nil {
		t.Fatal(err)
	}
	id := a.nextUpdate()
	rs, err := a.app.Handle(ctx, flows.Input{ChatID: reporter, UserID: reporter, ChatType: "private", LangCode: "ru",
		UpdateID: id, MessageID: int(id), At: testNow, Kind: flows.KindText, Text: "его перевели в Krome, A-номер 204-555-871"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Copy == nil || rs[1].ChatID != forum || rs[1].Topic == nil ||
		dataOf(rs, "btn.facility_set") == "" || dataOf(rs, "btn.a_number_set") == "" {
		t.Fatalf("the reporter's message in a talk: %v, want its copy and the buttons in the topic", describeAll(rs))
	}
	checkRenderable(t, a.cat, rs[1])
	id = a.nextUpdate()
	got, err := a.app.Handle(ctx, flows.Input{ChatID: forum, ChatType: "supergroup", UserID: vol, UpdateID: id, At: testNow,
		ThreadID: thread, Kind: flows.KindButton, Data: dataOf(rs, "btn.facility_set")})
	if err != nil {
		t.Fatal(err)
	}
	if !has(to(got, vol), "tools.facility_set") || !has(to(got, reporter), "notify.facility") {
		t.Errorf("the place pressed in the topic: %v", describeAll(got))
	}
}

// TestForumTakeSaidInTheTopic: "беру" written in a case's topic, as
// volunteers write in any group, went to the reporter as the team's
// message. It is said to the team: it takes the case as the card's Take
// does (the topic told, the member answered in their private chat), and
// the reporter gets only that a volunteer picked the case up. Once the
// case is someone's, "беру" from another member tells them whose it is.
// A message that only contains the word still goes to the reporter.
func TestForumTakeSaidInTheTopic(t *testing.T) {
	const forum, reporter, vol, other, thread = -1009000000013, 9100300, 9100301, 9100302, 44
	a := newApp(t, appOptions{Config: flows.Config{ForumChat: forum}})
	ctx := context.Background()
	c := forumCase(a, forum, reporter, thread)
	for _, id := range []int64{vol, other} {
		if err := a.vols.Add(ctx, id, flows.RoleVolunteer, 0); err != nil {
			t.Fatal(err)
		}
	}
	say := func(user int64, text string) []flows.Reply {
		t.Helper()
		id := a.nextUpdate()
		rs, err := a.app.Handle(ctx, flows.Input{ChatID: forum, ChatType: "supergroup", UserID: user, UpdateID: id,
			MessageID: int(id), ThreadID: thread, At: testNow, Kind: flows.KindText, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	copied := func(rs []flows.Reply) bool {
		for _, r := range rs {
			if r.ChatID == reporter && r.Copy != nil {
				return true
			}
		}
		return false
	}
	rs := say(vol, "Беру")
	if copied(rs) {
		t.Errorf("«Беру» in the topic was copied to the reporter: %v", describeAll(rs))
	}
	var took, posted, told bool
	for _, r := range rs {
		switch {
		case r.ChatID == vol && slices.Contains(textIDs(r), "casework.took"):
			took = true
		case r.ChatID == forum && r.Topic != nil && r.Topic.Op == flows.TopicPost && slices.Contains(textIDs(r), "forum.ev_taken"):
			posted = true
		case r.ChatID == reporter && slices.Contains(textIDs(r), "casework.reporter_taken"):
			told = true
		}
	}
	if !took || !posted || !told {
		t.Errorf("«Беру» in the topic: %v; want the case taken, the topic and the reporter told", describeAll(rs))
	}
	if v, err := a.deps.Casework.View(ctx, c.Code); err != nil || v.Owner != vol {
		t.Errorf("the case's owner %d (%v), want %d", v.Owner, err, vol)
	}
	rs = say(other, "I'll take it")
	if copied(rs) || len(rs) != 1 || rs[0].ChatID != other || describe(rs[0]) != "casework.taken_by_anon" {
		t.Errorf("«I'll take it» once taken: %v, want the member told whose it is", describeAll(rs))
	}
	if rs := say(vol, "беру на себя разговор с адвокатом, завтра позвоню"); !copied(rs) {
		t.Errorf("a sentence with «беру» in it: %v, want it copied to the reporter", describeAll(rs))
	}
}
