package flows_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"hotline/flows"
)

// file sends a photo, a document or another media message with its
// Telegram message ID.
func (c *chat) file(kind string, id int) flows.Reply {
	c.t.Helper()
	return c.handle(flows.Input{Kind: flows.KindMedia, Media: kind, MessageID: id})
}

// TestFilesSentWithTheReport: a relative sends a photo of the ICE notice
// and a document while answering; they are kept for the volunteer (not a
// sticker), listed on the review screen, where they can be removed or more
// sent, and a volunteer who may see the case gets them copied from the
// relative's chat, protected, with the view in the audit log. After
// /forget they are gone.
func TestFilesSentWithTheReport(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{Config: flows.Config{Admins: []int64{9}}})
	c := &chat{testApp: a, id: 7000001, langCode: "ru", sent: map[int]flows.Reply{}}
	c.expect(c.command("start", ""), "menu.greeting")
	c.expect(c.press("btn.menu_report"), "ask.consent")
	c.expect(c.file("photo", 500), "report.file_at_consent", "ask.consent") // nothing stored before the consent
	if got := c.session().Draft.Facts.Files; len(got) != 0 {
		t.Fatalf("files before the consent: %v", got)
	}
	c.expect(c.press("btn.consent_yes"), "report.file_kept", "ask.triage")
	c.expect(c.press("btn.triage_yes"), "ask.name")

	r := c.file("photo", 501)
	c.expect(r, "report.file_kept", "ask.name")
	if got := c.rendered(r); !strings.Contains(got, "Сохранено для волонтёра: 2 файла. Их увидит") {
		t.Errorf("first file:\n%s", got)
	}
	c.expect(c.file("sticker", 502), "report.media_not_kept", "ask.name")
	fillReport(c, urgentToFlight[1:])
	// At a question of buttons too.
	r = c.file("document", 503)
	c.expect(r, "report.file_kept", "ask.flight")
	if got := c.rendered(r); !strings.Contains(got, "3 файла. Их увидит") {
		t.Errorf("second file:\n%s", got)
	}
	if got := c.rendered(c.file("document", 503)); !strings.Contains(got, "3 файла") { // sent again
		t.Errorf("the same file again:\n%s", got)
	}
	fillReport(c, []answer{
		{press: "flight.officer", want: "ask.flight_note"},
		{send: "сказали, что рейс скоро", want: "ask.contact"},
		{send: "+7 900 123-45-67", want: "ask.review"},
	})
	if got := c.rendered(c.last); !strings.Contains(got, "Файлы для волонтёра:</b> 3 файла") {
		t.Errorf("review without the files:\n%s", got)
	}

	// Changed on the review: "не знаю" there removes nothing (its
	// "skip" is "remove"); removed, then one more sent there.
	c.expect(c.handle(flows.Input{Kind: flows.KindButton, Data: fieldButton(c, "field.files"), MessageID: c.lastID}), "ask.files")
	c.expect(c.send("не знаю"), "input.use_buttons", "ask.files")
	if n := len(c.session().Draft.Facts.Files); n != 3 {
		t.Fatalf("«не знаю» under the files: %d files left, want 3", n)
	}
	c.expect(c.press("btn.files_remove"), "ask.review")
	if got := c.rendered(c.last); strings.Contains(got, "Файлы для волонтёра") {
		t.Errorf("review still lists removed files:\n%s", got)
	}
	c.expect(c.file("video", 504), "report.file_kept", "ask.review")
	c.expect(c.file("voice", 505), "report.file_kept", "ask.review")
	r = c.press("btn.confirm")
	code := data(r, "report.done_urgent", "Code")
	ctx := context.Background()
	stored, cs, err := c.cases.Get(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(stored.Facts.Files, []int{504, 505}) {
		t.Fatalf("stored files %v, want [504 505]", stored.Facts.Files)
	}

	// The volunteer's card names them, and its button copies them.
	adm := &chat{testApp: a, id: 9, langCode: "en", sent: map[int]flows.Reply{}}
	card := adm.command("case", code)
	if got := adm.rendered(card); !strings.Contains(got, "Files from the reporter:</b> 2 files") ||
		strings.Index(got, "Files from the reporter") > strings.Index(got, "A-number") {
		t.Errorf("/case without the files under the name:\n%s", got)
	}
	press := func(chat int64) []flows.Reply {
		t.Helper()
		b := adm.button(adm.lastID, "btn.tools_files")
		rs, err := a.app.Handle(ctx, flows.Input{UpdateID: a.nextUpdate(), Kind: flows.KindButton, Data: b.Data,
			ChatID: chat, UserID: chat, ChatType: "private", LangCode: "en", MessageID: adm.lastID, At: a.clock()})
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	rs := press(9)
	if got := describeAll(rs); !slices.Equal(got, []string{"tools.files", "copy 7000001/504", "copy 7000001/505"}) {
		t.Fatalf("files button: %q", got)
	}
	for _, r := range rs {
		if r.ChatID != 9 || r.Copy != nil && !r.Protect {
			t.Errorf("reply %s to %d, protected %v: want the volunteer's chat, protected", describe(r), r.ChatID, r.Protect)
		}
	}
	if n := a.audited(cs.ID)[flows.AuditFiles]; n != 1 {
		t.Errorf("%d audit entries of the files seen, want 1", n)
	}
	// Someone who may not see the case gets none of them.
	for _, r := range press(4242) {
		if r.Copy != nil {
			t.Errorf("a stranger got a copy: %+v", r)
		}
	}

	// After /forget the reporter's files are not copied any more.
	c.expect(c.command("forget", ""), "forget.ask", "forget.ask_draft")
	c.press("btn.forget_yes")
	rs = press(9)
	if got := describeAll(rs); slices.ContainsFunc(rs, func(r flows.Reply) bool { return r.Copy != nil }) ||
		len(got) != 1 || got[0] != "tools.files_none" && got[0] != "update.not_found" {
		t.Errorf("files button after /forget: %q", got)
	}
}

// fieldButton is the caption of the review's "change" button of a field.
func fieldButton(c *chat, field string) string {
	c.t.Helper()
	for _, row := range c.last.Buttons {
		for _, b := range row {
			if f, ok := b.Text.Data["Field"].(flows.Text); ok && b.Text.ID == "btn.change" && f.ID == field {
				return b.Data
			}
		}
	}
	c.t.Fatalf("no change button for %s", field)
	return ""
}

// TestNewsWithAFile: a reporter sends a photo as news (the notice of a
// transfer, its caption the words). Nobody owns the case yet: the hotline
// is told, without the photo, which waits with the case. Once Anna owns
// it, a document sent as news reaches her, copied and protected; both are
// among the case's files.
func TestNewsWithAFile(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	_, code := w.confirm(cwReport, "news-file", 0)
	rep, anna := w.person(cwReport, "ru"), w.person(cwVol, "en")
	rep.received()
	anna.received()

	rep.command("news", "")
	rs := rep.media("photo", "уведомление о переводе")
	photo := rep.lastIn
	if !has(to(rs, cwReport), "casework.news_saved") {
		t.Fatalf("a photo as news: %v", describeAll(rs))
	}
	for _, r := range rs {
		if r.Copy != nil {
			t.Errorf("the photo went to %d before anyone owns the case", r.ChatID)
		}
	}
	if got := to(rs, cwVol); len(got) != 1 || !strings.Contains(w.cat.Render("en", got[0].Texts...), "📎 a file: «уведомление о переводе»") {
		t.Errorf("the hotline was told %v", describeAll(got))
	}

	anna.command("take_case", code)
	anna.received()
	rep.received()
	rep.command("news", "")
	rs = rep.media("document", "")
	doc := rep.lastIn
	got := to(rs, cwVol)
	if d := describeAll(got); !slices.Equal(d, []string{"casework.news_owner", "copy " + strconv.FormatInt(cwReport, 10) + "/" + strconv.Itoa(doc)}) {
		t.Fatalf("the owner got %q", d)
	}
	if !got[1].Protect {
		t.Error("the copy is not protected")
	}
	stored, _, err := w.cases.Get(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(stored.Facts.Files, []int{photo, doc}) {
		t.Errorf("the case's files %v, want [%d %d]", stored.Facts.Files, photo, doc)
	}
	if rs := anna.command("case", code); buttonData(t, to(rs, cwVol)[0], "btn.tools_files") == "" {
		t.Errorf("no files button on /case")
	}
}

// TestForumNewsWithAFile: with the team's forum, a photo sent as news is
// posted in the case's topic, after the news itself.
func TestForumNewsWithAFile(t *testing.T) {
	const forum, reporter, thread = -1009000000013, 9100300, 44
	a := newApp(t, appOptions{Config: flows.Config{ForumChat: forum}})
	ctx := context.Background()
	c := forumCase(a, forum, reporter, thread)
	rep := &chat{testApp: a, id: reporter, langCode: "ru", sent: map[int]flows.Reply{}}
	rep.expect(rep.command("news", ""), "casework.news_kind")
	rs, err := a.app.Handle(ctx, flows.Input{ChatID: reporter, UserID: reporter, ChatType: "private", LangCode: "ru",
		UpdateID: a.nextUpdate(), MessageID: 77, At: testNow, Kind: flows.KindMedia, Media: "photo", Text: "перевели"})
	if err != nil {
		t.Fatal(err)
	}
	var inTopic []string
	for _, r := range rs {
		if r.ChatID == forum && r.Topic != nil && r.Topic.Code == c.Code {
			inTopic = append(inTopic, describe(r))
		}
	}
	if i := slices.Index(inTopic, "copy 9100300/77"); i < 1 {
		t.Errorf("in the topic: %q, want the news and then the photo", inTopic)
	}
}

// TestFileAtTheMenuJoinsTheReport: the photo a relative sends first, at
// the menu, is the report's first file once they choose to report and
// consent; a message typed at the menu is not.
func TestFileAtTheMenuJoinsTheReport(t *testing.T) {
	t.Parallel()
	c := newChat(t, "en")
	c.expect(c.file("photo", 400), "menu.media_offer")
	c.expect(c.press("btn.menu_report"), "ask.consent")
	c.expect(c.press("btn.consent_yes"), "report.file_kept", "ask.triage")
	if got := c.session().Draft.Facts.Files; !slices.Equal(got, []int{400}) {
		t.Errorf("files %v, want [400]", got)
	}

	d := newChat(t, "en")
	d.expect(d.handle(flows.Input{Kind: flows.KindText, Text: "my brother was detained by ICE", MessageID: 401}), "menu.report_offer")
	d.expect(d.press("btn.menu_report"), "ask.consent")
	d.expect(d.press("btn.consent_yes"), "ask.triage")
	if got := d.session().Draft.Facts.Files; len(got) != 0 {
		t.Errorf("a text became a file: %v", got)
	}
}

// TestConversationFilesJoinTheCase: a photo the reporter sends while a
// volunteer writes to them about the case is relayed, and joins the case's
// files for the volunteers after this one; the volunteer's own are not
// the reporter's.
func TestConversationFilesJoinTheCase(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	reporter, vol := w.person(7001, "ru"), w.person(hVolunteer, "en")
	c := w.reported(reporter, "conversation-files")
	vol.command("write", flows.FormatCode(c.Code))
	vol.received()
	reporter.received()

	reporter.media("photo", "уведомление о переводе")
	photo := reporter.lastIn
	vol.expectGot("copy 7001/" + strconv.Itoa(photo))
	vol.media("document", "G-28")
	reporter.expectGot("copy " + strconv.FormatInt(hVolunteer, 10) + "/" + strconv.Itoa(vol.lastIn))
	stored, _, err := w.cases.Get(context.Background(), c.Code)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(stored.Facts.Files, []int{photo}) {
		t.Errorf("the case's files %v, want the reporter's photo %d", stored.Facts.Files, photo)
	}
}

// TestFileAtTheMenuAsNews: a reporter sends a photo at the menu days
// later; the answer offers to send it as news of their case, and one press
// does: the owner gets it, and it joins the case's files.
func TestFileAtTheMenuAsNews(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	code, _, rep := annasCase(w, "menu-file")

	rs := to(rep.media("photo", ""), cwReport)
	photo := rep.lastIn
	if !has(rs, "casework.news_file_offer") || !has(rs, "menu.media_offer_reporter") {
		t.Fatalf("a photo at the menu: %v", describeAll(rs))
	}
	rs = rep.press(buttonFor(rs, "btn.news_send", code))
	if !has(to(rs, cwReport), "casework.news_saved") {
		t.Fatalf("sent as news: %v", describeAll(rs))
	}
	if d := describeAll(to(rs, cwVol)); !slices.Equal(d, []string{"casework.news_owner", "copy " + strconv.FormatInt(cwReport, 10) + "/" + strconv.Itoa(photo)}) {
		t.Errorf("the owner got %q", d)
	}
	stored, _, err := w.cases.Get(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(stored.Facts.Files, []int{photo}) {
		t.Errorf("the case's files %v, want [%d]", stored.Facts.Files, photo)
	}
	// Someone who reported nothing is offered the two ways on alone.
	if rs := w.person(7098, "ru").media("photo", ""); has(rs, "casework.news_file_offer") {
		t.Errorf("a stranger offered news: %v", describeAll(rs))
	}
}

// TestForumAnnouncesTheFiles: with the team's forum, the files sent with
// a report follow the case's card in its new topic.
func TestForumAnnouncesTheFiles(t *testing.T) {
	t.Parallel()
	const forum = -1009000000014
	a := newApp(t, appOptions{Config: flows.Config{ForumChat: forum}})
	c := toTriage(a, 9100400)
	c.expect(c.press("btn.triage_yes"), "ask.name")
	c.expect(c.file("photo", 801), "report.file_kept", "ask.name")
	fillReport(c, urgentToFlight[1:])
	fillReport(c, []answer{
		{press: "flight.officer", want: "ask.flight_note"},
		{send: "скоро", want: "ask.contact"},
		{press: "btn.contact_here", want: "ask.review"},
	})
	b := c.button(c.lastID, "btn.confirm")
	rs, err := a.app.Handle(context.Background(), flows.Input{UpdateID: a.nextUpdate(), Kind: flows.KindButton, Data: b.Data,
		ChatID: c.id, UserID: c.id, ChatType: "private", LangCode: "ru", MessageID: c.lastID, At: a.clock()})
	if err != nil {
		t.Fatal(err)
	}
	var topic []string
	for _, r := range rs {
		if r.ChatID == forum && r.Topic != nil {
			topic = append(topic, strconv.Itoa(int(r.Topic.Op))+" "+describe(r))
		}
	}
	card, photo := slices.Index(topic, strconv.Itoa(int(flows.TopicCard))+" casework.card"),
		slices.Index(topic, strconv.Itoa(int(flows.TopicPost))+" copy 9100400/801")
	if card < 0 || photo < card {
		t.Errorf("in the forum: %q, want the topic, its card, then the photo", topic)
	}
}

// TestAlbumAnsweredOnce: Telegram sends an album as one message per
// photo. In the report each is kept and the album gets one answer; sent
// at the menu, one offer, and all of it joins the report begun then.
func TestAlbumAnsweredOnce(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{})
	send := func(chat int64, id int, album string) []flows.Reply {
		t.Helper()
		rs, err := a.app.Handle(context.Background(), flows.Input{UpdateID: a.nextUpdate(), Kind: flows.KindMedia,
			Media: "photo", Group: album, ChatID: chat, UserID: chat, ChatType: "private", LangCode: "ru",
			MessageID: id, At: a.clock()})
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	c := toTriage(a, 7000021)
	c.expect(c.press("btn.triage_no"), "ask.name")
	if rs := send(c.id, 601, "album-1"); len(rs) != 1 || !slices.Equal(textIDs(rs[0]), []string{"report.files_kept_album", "ask.name"}) {
		t.Fatalf("the album's first photo: %v", describeAll(rs))
	}
	for _, id := range []int{602, 603} {
		if rs := send(c.id, id, "album-1"); len(rs) != 0 {
			t.Errorf("photo %d of the album answered again: %v", id, describeAll(rs))
		}
	}
	if got := c.session().Draft.Facts.Files; !slices.Equal(got, []int{601, 602, 603}) {
		t.Errorf("files %v, want the album's three", got)
	}
	if rs := send(c.id, 604, "album-2"); len(rs) != 1 {
		t.Errorf("a second album: %v", describeAll(rs))
	}

	d := &chat{testApp: a, id: 7000022, langCode: "ru", sent: map[int]flows.Reply{}}
	offer := send(d.id, 701, "album-3")
	if len(offer) != 1 || !has(offer, "menu.media_offer") {
		t.Fatalf("an album at the menu: %v", describeAll(offer))
	}
	if rs := send(d.id, 702, "album-3"); len(rs) != 0 {
		t.Errorf("its second photo answered again: %v", describeAll(rs))
	}
	d.expect(d.handle(flows.Input{Kind: flows.KindButton, Data: buttonData(t, offer[0], "btn.menu_report")}), "ask.consent")
	d.expect(d.press("btn.consent_yes"), "report.file_kept", "ask.triage")
	if got := d.session().Draft.Facts.Files; !slices.Equal(got, []int{701, 702}) {
		t.Errorf("files %v, want the album's two", got)
	}
}

// TestNewsFileAtItsQuestion: the hearing notice photographed at the
// question of the hearing's date, or the transfer paper (an album) at the
// question of the new facility, goes with the news to the volunteer; the
// question is asked again, once for an album.
func TestNewsFileAtItsQuestion(t *testing.T) {
	t.Parallel()
	w := newCaseWorld(t)
	code, _, rep := annasCase(w, "news-file-question")

	rep.command("news", "")
	if rs := rep.send("дата суда"); !has(rs, "casework.news_date") {
		t.Fatalf("typed 'дата суда': %v", describeAll(rs))
	}
	rs := rep.media("photo", "повестка")
	notice := rep.lastIn
	if d := describeAll(to(rs, cwReport)); !slices.Equal(d, []string{"casework.news_file_kept+casework.news_date"}) {
		t.Fatalf("a photo at the date question: %q", d)
	}
	if got := to(rs, cwVol); len(got) != 0 {
		t.Fatalf("the owner got %v before the date", describeAll(got))
	}
	rs = rep.send("25.03.2026")
	if !has(to(rs, cwReport), "casework.news_saved") {
		t.Fatalf("the date: %v", describeAll(rs))
	}
	want := []string{"casework.news_owner", "copy " + strconv.FormatInt(cwReport, 10) + "/" + strconv.Itoa(notice)}
	if d := describeAll(to(rs, cwVol)); !slices.Equal(d, want) {
		t.Fatalf("the owner got %q, want %q", d, want)
	}

	rs = rep.command("news", "")
	rep.press(buttonData(t, rs[0], "btn.news_moved"))
	var album []int
	for i := range 2 {
		rs = rep.do(flows.Input{Kind: flows.KindMedia, Media: "photo", Group: "transfer"})
		album = append(album, rep.lastIn)
		if d := describeAll(rs); i == 0 && !slices.Equal(d, []string{"casework.news_file_kept+casework.news_fac"}) ||
			i > 0 && len(d) != 0 {
			t.Fatalf("photo %d of the album at the facility question: %q", i+1, d)
		}
	}
	rep.send("krome")
	rs = rep.send("первый")
	if !has(to(rs, cwReport), "casework.news_saved") {
		t.Fatalf("the facility: %v", describeAll(rs))
	}
	if d := describeAll(to(rs, cwVol)); len(d) != 3 || d[1] != "copy "+strconv.FormatInt(cwReport, 10)+"/"+strconv.Itoa(album[0]) {
		t.Errorf("the owner got %q, want the news and the album's two photos", d)
	}
	stored, _, err := w.cases.Get(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if want := append([]int{notice}, album...); !slices.Equal(stored.Facts.Files, want) {
		t.Errorf("the case's files %v, want %v", stored.Facts.Files, want)
	}
}

// TestFilesRemovedAfterUrgentFiling: an urgent case is filed with the
// photo sent so far; the relative answers the rest, removes the files on
// the review. The review says the copies already sent stay with the
// volunteers; on the confirmation the removed photo is taken off the case
// (its files button no longer copies it), and a file the case got
// meanwhile in the conversation stays.
func TestFilesRemovedAfterUrgentFiling(t *testing.T) {
	t.Parallel()
	a := newApp(t, appOptions{Config: flows.Config{Admins: []int64{9}}})
	c := toTriage(a, 7000031)
	c.expect(c.press("btn.triage_yes"), "ask.name")
	c.expect(c.file("photo", 901), "report.file_kept", "ask.name")
	fillReport(c, urgentToFlight[1:])
	fillReport(c, []answer{
		{press: "flight.officer", want: "ask.flight_note"},
		{send: "скоро", want: "ask.contact"},
		{press: "btn.contact_here", want: "ask.review"},
	})
	code := data(c.press("btn.confirm"), "report.done_urgent", "Code")
	ctx := context.Background()
	stored, cs, err := c.cases.Get(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(stored.Facts.Files, []int{901}) {
		t.Fatalf("filed with files %v, want [901]", stored.Facts.Files)
	}
	if err := c.cases.AddFiles(ctx, cs.ID, []int{950}); err != nil { // sent to the volunteer meanwhile
		t.Fatal(err)
	}

	c.expect(c.press("btn.more_yes"), "ask.name_other")
	for i := 0; i < 40 && !slices.Contains(textIDs(c.last), "ask.review"); i++ {
		if slices.Contains(textIDs(c.last), "ask.stage") {
			c.press("stage.final_order")
			continue
		}
		c.skipQuestion()
	}
	c.expect(c.last, "ask.review")
	c.expect(c.handle(flows.Input{Kind: flows.KindButton, Data: fieldButton(c, "field.files"), MessageID: c.lastID}), "ask.files")
	r := c.press("btn.files_remove")
	c.expect(r, "report.files_removed_filed", "ask.review")
	if got := c.rendered(r); !strings.Contains(got, "копии, которые им отправлены, останутся") {
		t.Errorf("the removal does not say the copies sent stay:\n%s", got)
	}
	c.expect(c.press("btn.confirm"), "report.completed")

	got, _, err := c.cases.Get(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Facts.Files, []int{950}) {
		t.Errorf("the completed case's files %v, want [950]: the removed photo off it", got.Facts.Files)
	}
	adm := &chat{testApp: a, id: 9, langCode: "en", sent: map[int]flows.Reply{}}
	adm.command("case", code)
	b := adm.button(adm.lastID, "btn.tools_files")
	rs, err := a.app.Handle(ctx, flows.Input{UpdateID: a.nextUpdate(), Kind: flows.KindButton, Data: b.Data,
		ChatID: 9, UserID: 9, ChatType: "private", LangCode: "en", MessageID: adm.lastID, At: a.clock()})
	if err != nil {
		t.Fatal(err)
	}
	if got := describeAll(rs); !slices.Equal(got, []string{"tools.files", "copy 7000031/950"}) {
		t.Errorf("the files button after the removal: %q", got)
	}
}
