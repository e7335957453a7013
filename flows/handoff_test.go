package flows_test

import (
	"errors"
	"hotline/internal/batch"

	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/flows"
	"hotline/storage"
)

// hworld plays several people talking to the flows at once — users,
// volunteers, admins — over real Redis and Postgres, with a clock the test
// moves. Every reply is checked (renders in its language, callback data
// within 64 bytes) and filed in the inbox of the chat it goes to.
type hworld struct {
	*testApp
	msgID map[int64]int
	inbox map[int64][]flows.Reply
	other string // the authorisation matrix: a case another volunteer owns
}

const (
	hAdmin     = 100 // from the configuration
	hVolunteer = 501
	hCoord     = 601
)

func newHWorld(t *testing.T) *hworld {
	t.Helper()
	a := newApp(t, appOptions{
		Config: flows.Config{
			Admins:          []int64{hAdmin},
			HandoffRemind:   10 * time.Minute,
			HandoffReturn:   5 * time.Minute,
			HandoffEscalate: 15 * time.Minute,
		},
		Limits: storage.LookupLimits{PerUser: 1000, FreeMisses: 1000},
	})
	return &hworld{testApp: a, msgID: map[int64]int{}, inbox: map[int64][]flows.Reply{}}
}

// member adds a hotline member as an admin would from the command line.
func (w *hworld) member(id int64, role flows.Role) {
	w.t.Helper()
	if err := w.vols.Add(context.Background(), id, role, 0); err != nil {
		w.t.Fatal(err)
	}
}

// hperson is someone in a private chat with the bot.
type hperson struct {
	w        *hworld
	id       int64
	langCode string
	lastIn   int // the id of the hperson's latest message
}

func (w *hworld) person(id int64, langCode string) *hperson {
	return &hperson{w: w, id: id, langCode: langCode}
}

// nextMsg numbers a message in a chat, as Telegram would.
func (w *hworld) nextMsg(chat int64) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgID[chat]++
	return w.msgID[chat]
}

// do handles one input of the hperson and files the replies.
func (p *hperson) do(in flows.Input) []flows.Reply {
	p.w.t.Helper()
	rs, err := p.try(context.Background(), in)
	if err != nil {
		p.w.t.Fatalf("Handle(%d %v %q): %v", p.id, in.Kind, in.Command+in.Text+in.Data, err)
	}
	return rs
}

func (p *hperson) try(ctx context.Context, in flows.Input) ([]flows.Reply, error) {
	w := p.w
	w.mu.Lock()
	w.update++
	if in.UpdateID == 0 {
		in.UpdateID = w.update
	}
	now := w.now
	w.mu.Unlock()
	in.ChatID, in.UserID, in.ChatType, in.LangCode, in.At = p.id, p.id, "private", p.langCode, now
	if in.Kind != flows.KindButton && in.MessageID == 0 {
		in.MessageID = w.nextMsg(p.id)
		p.lastIn = in.MessageID
	}
	rs, err := w.app.Handle(ctx, in)
	if err != nil {
		return nil, err
	}
	w.file(rs)
	return rs, nil
}

// file checks replies and puts them in their chats' inboxes. A tagged
// message is told to the flows once made, as the transport does
// (App.Sent), and what they answer is filed too.
func (w *hworld) file(rs []flows.Reply) {
	w.t.Helper()
	for _, r := range rs {
		w.check(r)
		w.mu.Lock()
		if r.Edit == 0 {
			w.msgID[r.ChatID]++
		}
		id := w.msgID[r.ChatID]
		w.inbox[r.ChatID] = append(w.inbox[r.ChatID], r)
		w.mu.Unlock()
		if r.Tag != "" && r.Edit == 0 {
			more, err := w.app.Sent(context.Background(), r.ChatID, id, []string{r.Tag})
			if err != nil {
				w.t.Fatalf("Sent(%d, %d, %q): %v", r.ChatID, id, r.Tag, err)
			}
			w.file(more)
		}
	}
}

func (w *hworld) check(r flows.Reply) {
	w.t.Helper()
	if r.Copy != nil {
		if r.Copy.FromChatID == 0 || r.Copy.MessageID == 0 || len(r.Texts) > 0 {
			w.t.Errorf("bad copy: %+v", r)
		}
		return
	}
	if r.Lang != "ru" && r.Lang != "en" || len(r.Texts) == 0 {
		w.t.Errorf("bad reply: %+v", r)
	}
	checkRenderable(w.t, w.cat, r)
}

func (p *hperson) send(text string) []flows.Reply {
	p.w.t.Helper()
	return p.do(flows.Input{Kind: flows.KindText, Text: text})
}

func (p *hperson) command(name, arg string) []flows.Reply {
	p.w.t.Helper()
	return p.do(flows.Input{Kind: flows.KindCommand, Command: name, Text: arg})
}

func (p *hperson) media(kind, caption string) []flows.Reply {
	p.w.t.Helper()
	return p.do(flows.Input{Kind: flows.KindMedia, Media: kind, Text: caption})
}

func (p *hperson) press(data string) []flows.Reply {
	p.w.t.Helper()
	return p.do(flows.Input{Kind: flows.KindButton, Data: data, MessageID: p.w.msgID[p.id]})
}

// received takes the replies the hperson got since the last call.
func (p *hperson) received() []flows.Reply {
	p.w.mu.Lock()
	defer p.w.mu.Unlock()
	rs := p.w.inbox[p.id]
	delete(p.w.inbox, p.id)
	return rs
}

// messageOf drains what the hperson got, runs do, and returns the id of
// the last message they then got that match picks (0 for none): the one
// a reply is then written to.
func (p *hperson) messageOf(do func(), match func(flows.Reply) bool) int {
	p.w.t.Helper()
	p.received()
	do()
	rs := p.received()
	id := p.lastMsgID() // the last of them, counted back to the first
	for _, r := range rs {
		if r.Edit == 0 {
			id--
		}
	}
	found := 0
	for _, r := range rs {
		if r.Edit != 0 {
			continue
		}
		if id++; match(r) {
			found = id
		}
	}
	return found
}

// showing picks a reply whose texts are id.
func showing(id string) func(flows.Reply) bool {
	return func(r flows.Reply) bool { return describe(r) == id }
}

// lastMsgID is the id of the chat's latest message.
func (p *hperson) lastMsgID() int {
	p.w.mu.Lock()
	defer p.w.mu.Unlock()
	return p.w.msgID[p.id]
}

// describe names what a reply shows: its texts' IDs, or the message it copies.
func describe(r flows.Reply) string {
	if r.Copy != nil {
		return fmt.Sprintf("copy %d/%d", r.Copy.FromChatID, r.Copy.MessageID)
	}
	return strings.Join(textIDs(r), "+")
}

func describeAll(rs []flows.Reply) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, describe(r))
	}
	return out
}

// expectGot checks what the hperson received since the last check.
func (p *hperson) expectGot(want ...string) []flows.Reply {
	p.w.t.Helper()
	rs := p.received()
	if got := describeAll(rs); !slices.Equal(got, want) {
		p.w.t.Fatalf("chat %d received %q\nwant %q", p.id, got, want)
	}
	return rs
}

// buttonData finds the callback data of a reply's button by its text ID
// or label.
func buttonData(t *testing.T, r flows.Reply, name string) string {
	t.Helper()
	for _, row := range r.Buttons {
		for _, b := range row {
			if b.Text.ID == name || b.Label == name {
				return b.Data
			}
		}
	}
	t.Fatalf("no button %q in %v", name, buttonNames(r))
	return ""
}

func textData(r flows.Reply, id, key string) any {
	for _, t := range r.Texts {
		if t.ID == id {
			return t.Data[key]
		}
	}
	return nil
}

func (w *hworld) tick() []flows.Reply {
	w.t.Helper()
	rs, err := tickHandoff(w.app)
	if err != nil {
		w.t.Fatalf("Tick: %v", err)
	}
	w.file(rs)
	return rs
}

// tickHandoff runs the handoff timers and returns what they sent.
func tickHandoff(a *flows.App) ([]flows.Reply, error) {
	var rs []flows.Reply
	err := a.Tick(context.Background(), func(_ context.Context, out []flows.Reply) error {
		rs = append(rs, out...)
		return nil
	})
	return rs, err
}

// waiting is the chats waiting for a volunteer, in the queue's order.
func (a *testApp) waiting() []int64 {
	a.t.Helper()
	ws, err := a.queue.Waiting(context.Background())
	if err != nil {
		a.t.Fatal(err)
	}
	var out []int64
	for _, x := range ws {
		out = append(out, x.ChatID)
	}
	return out
}

type handoffRow struct {
	Chat    int64   `db:"chat_id"`
	Vol     int64   `db:"volunteer_id"`
	Wait    int     `db:"wait_seconds"`
	Outcome *string `db:"outcome"`
	Rating  *int    `db:"rating"`
}

func (w *hworld) handoffRows() []handoffRow {
	w.t.Helper()
	var rows []handoffRow
	if err := w.db.Select(&rows, `SELECT chat_id, volunteer_id, wait_seconds, outcome, rating FROM handoffs ORDER BY taken_at, closed_at NULLS LAST`); err != nil {
		w.t.Fatal(err)
	}
	return rows
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestHandoffConversation: a user asks for a volunteer and writes while
// waiting; a volunteer on duty is told, takes the chat, sees what was
// written, and the two talk through copies; /done closes it, the user
// rates it, and the history row is kept. The user reads their language,
// the volunteer the language of their own Telegram.
func TestHandoffConversation(t *testing.T) {
	for _, tt := range []struct{ userLang, volLang string }{{"ru", "en"}, {"en", "ru"}} {
		t.Run(tt.userLang+"-user-"+tt.volLang+"-volunteer", func(t *testing.T) {
			t.Parallel()
			w := newHWorld(t)
			adm := w.person(hAdmin, "en")
			vol := w.person(hVolunteer, tt.volLang)
			user := w.person(7001, tt.userLang)

			adm.command("volunteers", "add 501")
			rs := adm.expectGot("handoff.member_added")
			if got := textData(rs[0], "handoff.member_added", "ID"); got != "501" {
				t.Errorf("added %v", got)
			}
			vol.command("name", "Anna")
			vol.expectGot("handoff.name_set")
			vol.command("duty", "on")
			rs = vol.expectGot("handoff.duty")
			if rs[0].Lang != tt.volLang {
				t.Errorf("volunteer reads %s, want %s", rs[0].Lang, tt.volLang)
			}

			user.command("start", "")
			user.received()
			user.press("m:volunteer")
			rs = user.expectGot("handoff.joined+handoff.position+handoff.write_while_waiting")
			if rs[0].Lang != tt.userLang || rs[0].Texts[1].Count != 1 {
				t.Errorf("joined reply = %+v", rs[0])
			}
			leave := buttonData(t, rs[0], "btn.handoff_leave")
			rs = vol.expectGot("handoff.notify_new")
			ticket := textData(rs[0], "handoff.notify_new", "Ticket").(int64)

			var written []int
			user.send("My husband was detained this morning")
			written = append(written, user.lastIn)
			user.expectGot("handoff.kept+handoff.position")
			user.send("He is at the check-in office in Miami")
			written = append(written, user.lastIn)
			user.media("photo", "")
			written = append(written, user.lastIn)
			user.expectGot() // only the first is acknowledged
			// A question while waiting is answered with where they stand
			// (it was silence); a volunteer is on duty, so nothing of that.
			w.advance(3 * time.Minute)
			user.send("Hello? Is anyone there?")
			written = append(written, user.lastIn)
			rs = user.expectGot("handoff.still_waiting+handoff.position")
			if got := w.cat.Render(tt.userLang, rs[0].Texts[0]); !strings.Contains(got, "3") {
				t.Errorf("the wait is not said: %s", got)
			}
			if leave == "" {
				t.Fatal("no leave button")
			}

			vol.command("queue", "")
			rs = vol.expectGot("handoff.queue")
			line := rs[0].Texts[0].Data["Lines"].([]flows.Text)[0]
			// The queue shows no word of what the user wrote: volunteers
			// who do not take the chat must not read it.
			if line.Data["Ticket"] != ticket || line.Data["Snippet"] != nil {
				t.Errorf("queue line = %+v", line.Data)
			}
			if strings.Contains(fmt.Sprint(rs), "My husband") {
				t.Errorf("/queue shows what the user wrote: %+v", rs)
			}

			vol.command("next", "")
			vol.expectGot("handoff.taken+handoff.taken_kept",
				fmt.Sprintf("copy %d/%d", user.id, written[0]),
				fmt.Sprintf("copy %d/%d", user.id, written[1]),
				fmt.Sprintf("copy %d/%d", user.id, written[2]),
				fmt.Sprintf("copy %d/%d", user.id, written[3]))
			rs = user.expectGot("handoff.vol_joined")
			if got := textData(rs[0], "handoff.vol_joined", "Name"); got != "Anna" {
				t.Errorf("user told the volunteer is %v, want the display name", got)
			}

			user.send("Hello?")
			vol.expectGot(fmt.Sprintf("copy %d/%d", user.id, user.lastIn))
			user.expectGot()
			for _, in := range []flows.Input{
				{Kind: flows.KindText, Text: "Hello, I am here to help. What is his A-number?"},
				{Kind: flows.KindMedia, Media: "document", Text: "A form to fill in"},
				{Kind: flows.KindMedia, Media: "voice"},
			} {
				vol.do(in)
				user.expectGot(fmt.Sprintf("copy %d/%d", vol.id, vol.lastIn))
				vol.expectGot()
			}
			user.media("voice", "")
			vol.expectGot(fmt.Sprintf("copy %d/%d", user.id, user.lastIn))

			vol.command("case", "")
			vol.expectGot("handoff.case_none")
			// A paired user's /start shows where their messages go.
			user.command("start", "")
			user.expectGot("handoff.paired")

			w.advance(3 * time.Minute)
			vol.command("done", "")
			vol.expectGot("handoff.vol_done")
			// No case: the report is offered with the menu; no rating.
			rs = user.expectGot("handoff.done+handoff.after_report")
			if b := rs[0].Buttons; len(b) != 2 || b[0][0].Text.ID != "btn.menu_report" || b[1][0].Text.ID != "btn.menu" {
				t.Errorf("the closing message has buttons %+v: want the report and the menu only, no rating", b)
			}
			rows := w.handoffRows()
			if len(rows) != 1 || rows[0].Chat != user.id || rows[0].Vol != vol.id ||
				str(rows[0].Outcome) != flows.EndDone || rows[0].Rating != nil {
				t.Errorf("handoff rows = %+v", rows)
			}
			// After /done, what either writes is no longer relayed; the
			// volunteer is told theirs went to nobody.
			user.send("thanks")
			user.expectGot("menu.thanks")
			vol.expectGot()
			vol.send("bye")
			vol.expectGot("handoff.member_no_chat")
			vol.media("photo", "")
			vol.expectGot("handoff.member_no_chat")
			user.expectGot()
			// A case code is looked up, for a member as for anyone.
			if rs := vol.send("K7M4-Q9XP"); !has(rs, "check.not_found") {
				t.Errorf("a code typed by the volunteer: %v", describeAll(rs))
			}
		})
	}
}

// Asking for a person in the middle of a report or a check-in's
// registration — "оператор" typed at a question, or the menu's button on
// an older message — puts them in the queue and asks the question again: "оператор" became the
// detained person's name, and after the button, "write while you wait"
// had their words answer the report's question unseen.
func TestPersonAskedForMidReport(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	vol := w.person(hVolunteer, "en")
	vol.command("duty", "on")
	vol.received()

	user := w.person(7001, "ru")
	user.command("start", "")
	user.press("m:report")
	answer := func(button string) {
		t.Helper()
		rs := user.received()
		user.press(buttonData(t, rs[len(rs)-1], button))
	}
	answer("btn.consent_yes")
	answer("btn.triage_no")
	user.received()
	user.send("Оператор")
	user.expectGot("handoff.joined+handoff.position+handoff.answer_meanwhile+ask.name")
	if got := describeAll(vol.received()); len(got) != 1 {
		t.Errorf("the volunteer on duty got %v, want told of the new chat", got)
	}
	user.send("жива людина") // Ukrainian
	user.expectGot("handoff.already_waiting+handoff.position+ask.name")
	user.send("человек")
	rs := user.expectGot("handoff.already_waiting+handoff.position+ask.name")
	leave := buttonData(t, rs[0], "btn.handoff_leave") // under the question asked again
	user.send("Иван Петров")
	if rs := user.received(); len(rs) != 1 || !strings.HasPrefix(describe(rs[0]), "ask.name_latin") {
		t.Errorf("the name typed after joining was not the report's answer: %v", describeAll(rs))
	}
	user.press(leave)
	user.expectGot("handoff.left+resume.unfinished+resume.ask")

	other := w.person(7002, "en")
	other.command("start", "")
	other.press("m:report")
	other.received()
	other.press("m:volunteer") // the menu's button on an older message
	other.expectGot("handoff.joined+handoff.position+handoff.answer_meanwhile+ask.consent")

	// In a check-in's registration too: "operator" is not the office.
	k := w.person(7003, "en")
	k.command("checkin", "")
	k.send("yes")
	k.received()
	k.send("operator")
	k.expectGot("handoff.joined+handoff.position+handoff.answer_meanwhile+checkin.ask_office")

	// Asked for a case's code, "человек" is not a code ("no case with this
	// code" before): the queue, and what follows is for the volunteer.
	q := w.person(7004, "ru")
	q.command("check", "")
	q.received()
	q.send("человек")
	q.expectGot("handoff.joined+handoff.position+handoff.write_while_waiting")
	if rs := q.send("его увезли в Krome"); has(rs, "check.not_found") {
		t.Errorf("the next message was taken for a code: %v", describeAll(rs))
	}
}

// TestHandoffMembersOnly: someone who is not a member gets, for every
// volunteer command and button, exactly what an unknown command or an old
// button gets — nothing of the queue or of any case. Roles are checked
// one by one: a volunteer may not see /stats, a coordinator not
// /volunteers; a member is told the role the command needs.
func TestHandoffMembersOnly(t *testing.T) {
	w := newHWorld(t)
	ctx := context.Background()
	r := &flows.Report{DraftID: "d1", Consent: true, NameLatin: "Ivan Petrov", ReporterUserID: 7001, ReporterChatID: 7001,
		ReporterName: "Maria", ReporterPhone: "+1 212 555 0100", Urgent: []string{"flight"}, Lang: "ru"}
	cs, err := w.cases.Create(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	waiting := w.person(7001, "ru")
	waiting.press("m:volunteer")
	waiting.send("Ivan Petrov, A 123 456 789")
	w.member(hVolunteer, flows.RoleVolunteer)
	w.member(hCoord, flows.RoleCoordinator)

	commands := []struct{ name, arg string }{
		{"queue", ""}, {"next", ""}, {"take", "1"}, {"take", ""}, {"release", ""}, {"done", ""}, {"case", ""},
		{"case", cs.Code}, {"duty", "on"}, {"duty", ""}, {"name", "Mallory"}, {"switch", ""}, {"stats", ""},
		{"volunteers", ""}, {"volunteers", "add 666 admin"}, {"volunteers", "remove 501"}, {"volunteers", "invite admin"},
	}
	buttons := []string{"h.t:1", "h.s:7001"}
	minRole := map[string]flows.Role{"stats": flows.RoleCoordinator, "volunteers": flows.RoleAdmin}

	for _, tt := range []struct {
		name string
		id   int64
		role flows.Role
	}{{"stranger", 8001, flows.RoleNone}, {"volunteer", hVolunteer, flows.RoleVolunteer}, {"coordinator", hCoord, flows.RoleCoordinator}} {
		for _, lang := range []string{"ru", "en"} {
			p := w.person(tt.id, lang)
			p.command("nosuchcommand", "")
			unknown := p.received()
			p.press("zz:1")
			oldButton := p.received()
			for _, c := range commands {
				if tt.role >= max(flows.RoleVolunteer, minRole[c.name]) {
					continue // allowed: shown elsewhere
				}
				p.command(c.name, c.arg)
				got := p.received()
				if tt.role == flows.RoleNone && !sameReplies(got, unknown) {
					t.Errorf("%s (%s) /%s %s got %q, want the unknown command's %q", tt.name, lang, c.name, c.arg,
						describeAll(got), describeAll(unknown))
				}
				if tt.role != flows.RoleNone && !slices.Equal(describeAll(got), []string{"command.role_needed"}) {
					t.Errorf("%s (%s) /%s %s got %q, want the role it needs", tt.name, lang, c.name, c.arg, describeAll(got))
				}
				w.leaks(t, got, cs.Code, "Ivan Petrov", "A 123 456 789")
			}
			if tt.role == flows.RoleNone {
				for _, b := range buttons {
					p.press(b)
					if got := p.received(); !sameReplies(got, oldButton) {
						t.Errorf("stranger pressing %s got %q, want an old button's %q", b, describeAll(got), describeAll(oldButton))
					}
				}
				p.command("help", "")
				if got := p.received(); describe(got[0]) != "help.menu+menu.choose" {
					t.Errorf("stranger's /help = %q", describeAll(got))
				}
			}
		}
	}
	if got := w.waiting(); !slices.Equal(got, []int64{7001}) {
		t.Errorf("queue after strangers' commands = %v, want the user still waiting", got)
	}
	if rows := w.handoffRows(); len(rows) != 0 {
		t.Errorf("handoffs = %+v", rows)
	}
	if r, _ := w.vols.Role(ctx, 666); r != flows.RoleNone {
		t.Errorf("a stranger made 666 a %v", r)
	}
}

// sameReplies compares replies as the user sees them.
func sameReplies(a, b []flows.Reply) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if fmt.Sprint(a[i].ChatID, a[i].Lang, a[i].Texts, a[i].Buttons) != fmt.Sprint(b[i].ChatID, b[i].Lang, b[i].Texts, b[i].Buttons) {
			return false
		}
	}
	return true
}

// leaks fails when a reply, rendered, contains any of the values.
func (w *hworld) leaks(t *testing.T, rs []flows.Reply, values ...string) {
	t.Helper()
	for _, r := range rs {
		text := w.cat.Render(r.Lang, r.Texts...)
		for _, v := range values {
			if strings.Contains(text, v) || strings.Contains(text, flows.FormatCode(v)) {
				t.Errorf("reply %s shows %q", describe(r), v)
			}
		}
	}
}

// TestHandoffRelease: /release puts the chat back at the head of the queue
// with the messages the volunteer left unanswered; the next volunteer sees
// them.
func TestHandoffRelease(t *testing.T) {
	w := newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	w.member(502, flows.RoleVolunteer)
	vol, vol2 := w.person(hVolunteer, "en"), w.person(502, "ru")
	user, other := w.person(7001, "ru"), w.person(7002, "en")

	user.press("m:volunteer")
	w.advance(time.Minute)
	other.press("m:volunteer")
	vol.command("next", "")
	vol.expectGot("handoff.taken+handoff.taken_nothing")
	user.received()
	user.send("Are you there?")
	unanswered := user.lastIn
	vol.received()

	vol.command("release", "")
	vol.expectGot("handoff.vol_released")
	rs := user.expectGot("handoff.released+handoff.position+handoff.write_while_waiting")
	if rs[0].Texts[1].Count != 1 {
		t.Errorf("released user's position = %v, want 1", rs[0].Texts[1].Count)
	}
	if got := w.waiting(); !slices.Equal(got, []int64{7001, 7002}) {
		t.Errorf("queue = %v, want the released chat first", got)
	}
	vol.command("done", "")
	vol.expectGot("handoff.none_held")

	vol2.command("next", "")
	vol2.expectGot("handoff.taken+handoff.taken_kept", fmt.Sprintf("copy %d/%d", user.id, unanswered))
	user.expectGot("handoff.vol_joined_anon")
	rows := w.handoffRows()
	if len(rows) != 2 || str(rows[0].Outcome) != flows.EndReleased || rows[0].Vol != hVolunteer || rows[1].Vol != 502 || rows[1].Outcome != nil {
		t.Errorf("handoff rows = %+v", rows)
	}
}

// TestHandoffTimers: a volunteer silent for HandoffRemind is reminded once;
// silent HandoffReturn more, the chat goes back to the head of the queue.
// A chat waiting longer than HandoffEscalate is told to the coordinators
// once, and a user who moved up much is told the new position. Two
// processes ticking at once do each of these once.
func TestHandoffTimers(t *testing.T) {
	w := newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	w.member(hCoord, flows.RoleCoordinator)
	vol, coord, adm := w.person(hVolunteer, "en"), w.person(hCoord, "ru"), w.person(hAdmin, "en")
	users := []*hperson{w.person(7001, "ru"), w.person(7002, "en"), w.person(7003, "ru"), w.person(7004, "en")}
	for _, u := range users {
		u.press("m:volunteer")
		u.received()
		w.advance(time.Second)
	}
	vol.command("next", "")
	vol.received()
	users[0].received()
	second := mustNew(w.t, w.cfg, w.deps) // another process

	tickBoth := func() {
		t.Helper()
		var wg sync.WaitGroup
		var all [][]flows.Reply
		var mu sync.Mutex
		for _, a := range []*flows.App{w.app, second} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rs, err := tickHandoff(a)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				all = append(all, rs)
				mu.Unlock()
			}()
		}
		wg.Wait()
		for _, rs := range all {
			w.file(rs)
		}
	}

	// The volunteer answered at first; later the user wrote and got nothing.
	w.advance(time.Minute)
	vol.send("Hello")
	users[0].received()
	w.advance(time.Minute)
	users[0].send("Hello? Please answer")
	vol.received()
	w.advance(9 * time.Minute)
	tickBoth()
	vol.expectGot()
	// The first in the queue was taken: the second, told 2, is now first;
	// the others moved too little to be told.
	rs := users[1].expectGot("handoff.position_now")
	if rs[0].Texts[0].Count != 1 {
		t.Errorf("new position = %v, want 1", rs[0].Texts[0].Count)
	}
	users[2].expectGot()
	users[3].expectGot()
	w.advance(time.Minute)
	tickBoth()
	vol.expectGot("handoff.remind")
	tickBoth()
	vol.expectGot()
	// Escalated: waiting for 15 minutes, told to the coordinator and the
	// configured admin once.
	w.advance(4 * time.Minute)
	tickBoth()
	coord.expectGot("handoff.escalate", "handoff.escalate", "handoff.escalate")
	adm.expectGot("handoff.escalate", "handoff.escalate", "handoff.escalate")
	tickBoth()
	coord.expectGot()

	// Silent 5 more minutes: back to the queue, at its head.
	w.advance(time.Minute)
	tickBoth()
	vol.expectGot("handoff.vol_returned")
	users[0].expectGot("handoff.returned+handoff.position+handoff.write_while_waiting")
	if got := w.waiting(); !slices.Equal(got, []int64{7001, 7002, 7003, 7004}) {
		t.Errorf("queue = %v, want the returned chat first", got)
	}
	rows := w.handoffRows()
	if len(rows) != 1 || str(rows[0].Outcome) != flows.EndSilent {
		t.Errorf("handoff rows = %+v", rows)
	}
	tickBoth()
	vol.expectGot()
	users[0].expectGot()

	// Three chats taken: the last one, told 4, is now first.
	w.member(502, flows.RoleVolunteer)
	w.member(503, flows.RoleVolunteer)
	for _, id := range []int64{hVolunteer, 502, 503} {
		w.person(id, "en").command("next", "")
	}
	for _, u := range users[:3] {
		u.received()
	}
	tickBoth()
	rs = users[3].expectGot("handoff.position_now")
	if rs[0].Texts[0].Count != 1 {
		t.Errorf("new position = %v, want 1", rs[0].Texts[0].Count)
	}
	tickBoth()
	users[3].expectGot()
}

// TestHandoffUrgentReport: a relative files an urgent report and presses
// "talk to a volunteer now": the chat goes ahead of those who waited
// longer, and the volunteer who takes it has the case one command away.
func TestHandoffUrgentReport(t *testing.T) {
	w := newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	for _, id := range []int64{7002, 7003} {
		w.person(id, "en").press("m:volunteer")
		w.advance(time.Minute)
	}
	c := &chat{testApp: w.testApp, id: 7001, langCode: "ru", sent: map[int]flows.Reply{}}
	toBirthDate(c)
	fillReport(c, []answer{
		{send: "01.01.1980", want: "ask.birth_country"},
		{send: "Россия", want: "ask.citizenship"},
		{press: "btn.same_country", want: "ask.a_number"},
		{send: "A 123 456 789", want: "ask.detained_on"},
	})
	fillReport(c, detainedToUrgent)
	c.pressUrgent("flight")
	c.expect(c.press("btn.urgent_done"), "ask.reporter_name")
	c.expect(c.send("Мария"), "ask.relationship")
	c.expect(c.send("жена"), "ask.contact")
	c.expect(c.send("+7 900 123-45-67"), "ask.state")
	fillReport(c, []answer{
		{press: "btn.skip", want: "ask.privacy"},
		{press: "btn.dont_know", want: "ask.publicity"},
		{press: "btn.dont_know", want: "ask.facility_share"},
		{press: "btn.share_no", want: "ask.review"},
	})
	c.expect(c.press("btn.confirm"), "report.done", "report.urgent_offer")
	code := data(c.last, "report.done", "Code")

	r := c.press("btn.volunteer_now")
	c.expect(r, "handoff.joined_urgent", "handoff.position", "handoff.nobody_on_duty", "handoff.write_while_waiting")
	if r.Texts[1].Count != 1 {
		t.Errorf("urgent position = %v, want 1", r.Texts[1].Count)
	}
	if got := w.waiting(); !slices.Equal(got, []int64{7001, 7002, 7003}) {
		t.Errorf("queue = %v, want the urgent chat first", got)
	}

	vol := w.person(hVolunteer, "en")
	vol.command("queue", "")
	rs := vol.expectGot("handoff.queue")
	line := rs[0].Texts[0].Data["Lines"].([]flows.Text)[0]
	if line.Data["Urgent"] != true || line.Data["Case"].(flows.Text).Data["V"] != code {
		t.Errorf("first queue line = %+v, want urgent with case %s", line.Data, code)
	}
	vol.command("next", "")
	rs = vol.expectGot("handoff.taken+handoff.taken_nothing")
	if textData(rs[0], "handoff.taken", "Urgent") != true {
		t.Errorf("taken = %+v", rs[0].Texts[0])
	}
	vol.command("case", "")
	rs = vol.expectGot("handoff.case")
	text := w.cat.Render("en", rs[0].Texts...)
	for _, want := range []string{code, "Ivan Petrov", "123-456-789", "+7 900 123-45-67"} {
		if !strings.Contains(text, want) {
			t.Errorf("/case does not show %q:\n%s", want, text)
		}
	}
}

// TestHandoffKeepsDraft: asking for a volunteer in the middle of a report
// keeps the draft; leaving the queue offers to go on with it.
func TestHandoffKeepsDraft(t *testing.T) {
	w := newHWorld(t)
	c := &chat{testApp: w.testApp, id: 7001, langCode: "en", sent: map[int]flows.Reply{}}
	startReport(c)
	c.expect(c.send("Ivan Petrov"), "ask.name_cyr")
	menu := 1 // the greeting, with the main menu
	r := c.pressOn(menu, "btn.menu_volunteer")
	c.expect(r, "handoff.joined", "handoff.position", "handoff.nobody_on_duty", "handoff.answer_meanwhile", "ask.name_cyr")
	if s := c.session(); s.Flow != "report" || s.Draft.NameLatin != "Ivan Petrov" {
		t.Fatalf("session after joining = %+v, want the draft", s)
	}
	c.expect(c.press("btn.handoff_leave"), "handoff.left", "resume.unfinished", "resume.ask")
	c.expect(c.press("btn.resume_continue"), "ask.name_cyr")
	if s := c.session(); s.Draft.NameLatin != "Ivan Petrov" {
		t.Errorf("draft after leaving = %+v", s.Draft)
	}
}

// TestHandoffLeave: a user leaves the queue; what they wrote goes with
// them, and a volunteer finds no one.
func TestHandoffLeave(t *testing.T) {
	w := newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	user := w.person(7001, "ru")
	user.send("человек")
	rs := user.expectGot("handoff.joined+handoff.position+handoff.nobody_on_duty+handoff.write_while_waiting")
	user.send("help")
	user.received()
	user.press(buttonData(t, rs[0], "btn.handoff_leave"))
	user.expectGot("handoff.left+menu.choose")
	user.press(buttonData(t, rs[0], "btn.handoff_leave"))
	user.expectGot("handoff.not_waiting+menu.choose")
	vol := w.person(hVolunteer, "en")
	vol.command("next", "")
	vol.expectGot("handoff.queue_empty")
	// Messages written now are not kept for anyone.
	user.send("hello")
	user.expectGot("menu.greeting")
	if kept, _ := w.queue.Kept(context.Background(), 7001); len(kept) != 0 {
		t.Errorf("kept after leaving = %v", kept)
	}
}

// TestHandoffBlocked: a volunteer who blocked the bot gives their chat back
// to the head of the queue and goes off duty; a user who blocked it ends
// their handoff.
func TestHandoffBlocked(t *testing.T) {
	w := newHWorld(t)
	ctx := context.Background()
	w.member(hVolunteer, flows.RoleVolunteer)
	w.member(502, flows.RoleVolunteer)
	vol, vol2 := w.person(hVolunteer, "en"), w.person(502, "en")
	vol.command("duty", "on")
	vol2.command("duty", "on")
	user := w.person(7001, "ru")
	user.press("m:volunteer")
	vol.command("next", "")
	user.send("Hello")
	for _, p := range []*hperson{vol, vol2, user} {
		p.received()
	}

	rs, err := w.app.Blocked(ctx, hVolunteer)
	if err != nil {
		t.Fatal(err)
	}
	w.file(rs)
	user.expectGot("handoff.returned_away+handoff.position+handoff.write_while_waiting")
	vol2.expectGot("handoff.notify_returned")
	vol.expectGot()
	if v, _ := w.vols.Get(ctx, hVolunteer); v.OnDuty {
		t.Error("a volunteer who blocked the bot is still on duty")
	}
	if got := w.waiting(); !slices.Equal(got, []int64{7001}) {
		t.Errorf("queue = %v", got)
	}
	vol2.command("next", "")
	vol2.expectGot("handoff.taken+handoff.taken_kept", fmt.Sprintf("copy 7001/%d", user.lastIn))
	user.received()

	rs, err = w.app.Blocked(ctx, 7001)
	if err != nil {
		t.Fatal(err)
	}
	w.file(rs)
	vol2.expectGot("handoff.vol_user_blocked")
	rows := w.handoffRows()
	if len(rows) != 2 || str(rows[0].Outcome) != flows.EndVolunteerBlocked || str(rows[1].Outcome) != flows.EndUserBlocked {
		t.Errorf("handoff rows = %+v", rows)
	}
}

// TestHandoffUpdateHandledAgain: an update whose commit was lost (its
// Batch never applied) is handled again: the volunteer gets the same chat
// and the same messages, and no second chat is taken.
func TestHandoffUpdateHandledAgain(t *testing.T) {
	w := newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	user, other := w.person(7001, "en"), w.person(7002, "en")
	user.press("m:volunteer")
	user.send("first")
	user.send("second")
	other.press("m:volunteer")
	vol := w.person(hVolunteer, "en")

	in := flows.Input{UpdateID: 9999, Kind: flows.KindCommand, Command: "next", MessageID: 50}
	lost, err := vol.try(batch.With(context.Background(), &batch.Batch{}), in)
	if err != nil {
		t.Fatal(err)
	}
	b := &batch.Batch{}
	again, err := vol.try(batch.With(context.Background(), b), in)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(describeAll(lost), describeAll(again)) {
		t.Errorf("handled again: %q, first time %q", describeAll(again), describeAll(lost))
	}
	if _, err := w.rdb.TxPipelined(context.Background(), func(p redis.Pipeliner) error { b.Apply(p); return nil }); err != nil {
		t.Fatal(err)
	}
	if got := w.waiting(); !slices.Equal(got, []int64{7002}) {
		t.Errorf("queue = %v, want only the other chat", got)
	}
	if kept, _ := w.queue.Kept(context.Background(), 7001); len(kept) != 0 {
		t.Errorf("kept after the commit = %v", kept)
	}
}

// handledAgain handles in with *fail set, which must fail the update,
// calls failed (when not nil), then handles it again with *fail cleared,
// as the pipeline does after a failure; it returns the second replies.
func (p *hperson) handledAgain(in flows.Input, fail *bool, failed func()) []flows.Reply {
	t := p.w.t
	t.Helper()
	*fail = true
	if _, err := p.try(context.Background(), in); err == nil {
		t.Fatalf("%s%s with a store failing returned no error", in.Command, in.Data)
	}
	if failed != nil {
		failed()
	}
	*fail = false
	rs, err := p.try(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// failingAudit is an audit log whose Record fails while fail is set.
type failingAudit struct {
	flows.Audit
	fail bool
}

func (f *failingAudit) Record(ctx context.Context, e flows.AuditEntry) error {
	if f.fail {
		return errors.New("postgres unreachable")
	}
	return f.Audit.Record(ctx, e)
}

// TestHandoffRemovalHandledAgain: an admin removes a volunteer who holds a
// chat, and the update fails past a change: the audit entry cannot be
// written after the role is gone, or the handoff's end cannot be recorded
// after the chat went back to the queue. The update, handled again,
// finishes the removal rather than answering that the member is unknown or
// finding no chat held: one audit entry, the chat back in the queue and its
// user told.
func TestHandoffRemovalHandledAgain(t *testing.T) {
	for _, tt := range []struct {
		name string
		fail func(w *hworld) *bool // makes a store fail while the flag is set
		// failed checks the change the failed update made, without which
		// the test would prove nothing.
		failed func(t *testing.T, w *hworld)
	}{
		{"audit fails", func(w *hworld) *bool {
			audit := &failingAudit{Audit: w.deps.Audit}
			w.deps.Audit = audit
			return &audit.fail
		}, func(t *testing.T, w *hworld) {
			if r, _ := w.vols.Role(context.Background(), hVolunteer); r != flows.RoleNone {
				t.Fatalf("role after the failed update = %v", r)
			}
		}},
		{"end of the handoff fails", func(w *hworld) *bool {
			hist := &failingEnd{Handoffs: w.deps.Handoffs}
			w.deps.Handoffs = hist
			return &hist.fail
		}, func(t *testing.T, w *hworld) {
			if got := w.waiting(); !slices.Equal(got, []int64{7001}) {
				t.Fatalf("queue after the failed update = %v, want the chat returned", got)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newHWorld(t)
			fail := tt.fail(w)
			w.app = mustNew(t, w.cfg, w.deps)
			w.member(hVolunteer, flows.RoleVolunteer)
			vol, user, adm := w.person(hVolunteer, "en"), w.person(7001, "ru"), w.person(hAdmin, "en")
			user.press("m:volunteer")
			vol.command("next", "")
			vol.received()
			user.received()

			in := flows.Input{UpdateID: 8888, Kind: flows.KindCommand, Command: "volunteers", Text: fmt.Sprint("remove ", hVolunteer)}
			adm.handledAgain(in, fail, func() { tt.failed(t, w) })
			adm.expectGot("handoff.member_removed")
			user.expectGot("handoff.returned_away+handoff.position+handoff.write_while_waiting")
			if got := w.waiting(); !slices.Equal(got, []int64{7001}) {
				t.Errorf("queue = %v, want the chat back once", got)
			}
			if n := w.audited(0)[flows.AuditMemberRemove]; n != 1 {
				t.Errorf("%d removal entries in the audit log, want 1", n)
			}

			// Another update removing them again finds no member.
			adm.command("volunteers", fmt.Sprint("remove ", hVolunteer))
			adm.expectGot("handoff.member_unknown")
		})
	}
}

// TestHandoffInvite: an admin's one-time link makes a volunteer; the link
// works once and not after it expires.
func TestHandoffInvite(t *testing.T) {
	w := newHWorld(t)
	adm := w.person(hAdmin, "ru")
	adm.command("volunteers", "invite coordinator")
	rs := adm.expectGot("handoff.invite")
	link := textData(rs[0], "handoff.invite", "Link").(string)
	token := strings.TrimPrefix(link, "https://t.me/hotline_test_bot?start=")
	if !strings.HasPrefix(token, "v_") || len(token) > 64 {
		t.Fatalf("link %q", link)
	}
	first := token
	newbie := w.person(9001, "en")
	newbie.command("start", token)
	rs = newbie.expectGot("handoff.invite_ok")
	if rs[0].Lang != "en" {
		t.Errorf("invite answered in %s", rs[0].Lang)
	}
	if r, _ := w.vols.Role(context.Background(), 9001); r != flows.RoleCoordinator {
		t.Errorf("role = %v, want coordinator", r)
	}
	newbie.command("stats", "")
	newbie.expectGot("handoff.stats+casework.stats")

	w.person(9002, "en").command("start", token)
	w.person(9002, "en").expectGot("handoff.invite_bad")

	adm.command("volunteers", "invite")
	rs = adm.expectGot("handoff.invite")
	token = strings.TrimPrefix(textData(rs[0], "handoff.invite", "Link").(string), "https://t.me/hotline_test_bot?start=")
	w.advance(73 * time.Hour)
	w.person(9003, "en").command("start", token)
	w.person(9003, "en").expectGot("handoff.invite_bad")

	adm.command("volunteers", "")
	rs = adm.expectGot("handoff.members")
	if n := len(rs[0].Texts[0].Data["Lines"].([]flows.Text)); n != 2 {
		t.Errorf("members listed: %d, want the admin and the newbie", n)
	}
	adm.command("volunteers", "remove 9001")
	adm.expectGot("handoff.member_removed")
	newbie.command("stats", "")
	newbie.expectGot("command.unknown+menu.choose")

	// The removed member opens their old link again: refused, no role.
	newbie.command("start", first)
	newbie.expectGot("handoff.invite_bad")
	if r, _ := w.vols.Role(context.Background(), 9001); r != flows.RoleNone {
		t.Errorf("role after reopening the link = %v, want none", r)
	}
}

// TestHandoffSeveralChats: a coordinator may hold more than one chat;
// their messages go to the active one, and they see whose messages come.
func TestHandoffSeveralChats(t *testing.T) {
	w := newHWorld(t)
	w.member(hCoord, flows.RoleCoordinator)
	w.member(hVolunteer, flows.RoleVolunteer)
	a, b := w.person(7001, "en"), w.person(7002, "ru")
	a.press("m:volunteer")
	b.press("m:volunteer")
	w.person(7003, "en").press("m:volunteer")
	coord, vol := w.person(hCoord, "en"), w.person(hVolunteer, "en")
	coord.command("next", "")
	coord.command("next", "")
	coord.received()
	vol.command("next", "")
	vol.command("next", "")
	rs := vol.received()
	if describe(rs[len(rs)-1]) != "handoff.busy" {
		t.Errorf("volunteer's second /next = %q, want busy", describeAll(rs))
	}
	a.received()
	b.received()

	// The chat taken last is active.
	coord.send("to b")
	b.expectGot(fmt.Sprintf("copy %d/%d", hCoord, coord.lastIn))
	a.send("from a")
	coord.expectGot("handoff.from", fmt.Sprintf("copy 7001/%d", a.lastIn))
	coord.command("switch", "")
	rs = coord.expectGot("handoff.now_active")
	coord.press(rs[0].Buttons[0][0].Data)
	coord.expectGot("handoff.now_active")
	coord.send("to a")
	a.expectGot(fmt.Sprintf("copy %d/%d", hCoord, coord.lastIn))
	b.expectGot()
	coord.command("done", "")
	coord.expectGot("handoff.vol_done+handoff.now_active")
}

// coordinatorWithTwoChats is a coordinator holding the chats of users a
// (7001) and b (7002), their messages going to b's, taken last; everyone's
// messages so far read.
func (w *hworld) coordinatorWithTwoChats() (coord, a, b *hperson) {
	w.member(hCoord, flows.RoleCoordinator)
	a, b = w.person(7001, "en"), w.person(7002, "en")
	a.press("m:volunteer")
	b.press("m:volunteer")
	coord = w.person(hCoord, "en")
	coord.command("next", "")
	coord.command("next", "")
	coord.received()
	a.received()
	b.received()
	return coord, a, b
}

// TestHandoffEndedChatSendsNowhere: a coordinator holds chats with a and
// b, their messages going to b. When b ends the conversation, or the timer
// takes b's chat back, what the coordinator types next — meant for b — does
// not reach a: it is not sent, nor does /done close a's chat, until the
// coordinator chooses; a reply to a's message still goes to a.
func TestHandoffEndedChatSendsNowhere(t *testing.T) {
	for _, how := range []string{"user ended", "timer returned"} {
		t.Run(how, func(t *testing.T) {
			w := newHWorld(t)
			coord, a, b := w.coordinatorWithTwoChats()
			a.send("Are you there?")
			coord.received()
			fromA, copyA := a.lastIn, coord.lastMsgID()
			threads := storage.NewThreads(w.rdb, w.prefix, time.Hour)
			if err := threads.Record(context.Background(), hCoord, copyA, 7001, fromA); err != nil {
				t.Fatal(err)
			}

			var rs []flows.Reply
			if how == "user ended" {
				b.press("h.e")
				b.received()
				rs = coord.expectGot("handoff.vol_user_ended+handoff.choose_chat")
			} else {
				// a is answered; b waits for an answer until the timer
				// gives b's chat back to the queue.
				coord.do(flows.Input{Kind: flows.KindText, Text: "Yes, I am", ReplyTo: copyA})
				a.received()
				b.send("Hello?")
				coord.received()
				w.advance(10*time.Minute + time.Second)
				w.tick()
				coord.expectGot("handoff.remind")
				w.advance(5 * time.Minute)
				w.tick()
				b.received()
				rs = coord.expectGot("handoff.vol_returned+handoff.choose_chat")
			}
			if len(rs[0].Buttons) != 1 || rs[0].Buttons[0][0].Data != "h.s:7001" {
				t.Fatalf("choice offered: %+v, want a's chat", rs[0].Buttons)
			}

			coord.send("Your hearing is on Monday")
			coord.expectGot("handoff.not_sent+handoff.choose_chat")
			coord.command("done", "")
			coord.expectGot("handoff.choose_chat")
			a.expectGot()
			b.expectGot()

			coord.do(flows.Input{Kind: flows.KindText, Text: "I am here", ReplyTo: copyA})
			a.expectGot(fmt.Sprintf("copy %d/%d", hCoord, coord.lastIn))

			coord.press("h.s:7001")
			coord.expectGot("handoff.now_active")
			coord.send("Now for a")
			a.expectGot(fmt.Sprintf("copy %d/%d", hCoord, coord.lastIn))
			b.expectGot()
		})
	}
}

// TestHandoffEndsOnForget: a user who erases their data (/forget) while
// talking to a volunteer, or waiting for one, leaves the handoff — the
// volunteer can no longer write to them, as /forget promises, and is told;
// what either writes after is relayed no more.
func TestHandoffEndsOnForget(t *testing.T) {
	w := newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	vol, user, waiting := w.person(hVolunteer, "en"), w.person(7001, "ru"), w.person(7002, "en")
	user.press("m:volunteer")
	waiting.press("m:volunteer")
	vol.command("next", "")
	vol.received()
	user.received()
	waiting.received()

	forget := func(p *hperson) []flows.Reply {
		t.Helper()
		p.command("forget", "")
		p.expectGot("forget.ask")
		return p.press("s.:fg:yes")
	}
	rs := forget(user)
	if got := describeAll(rs); !strings.Contains(strings.Join(got, " "), "forget.handoff_ended") {
		t.Errorf("the user is told %v, want the conversation's end among it", got)
	}
	user.received()
	vol.expectGot("handoff.vol_user_forgot")
	vol.send("Are you still there?")
	vol.expectGot("handoff.member_no_chat")
	user.expectGot()
	user.send("hello")
	user.expectGot("menu.greeting")
	vol.expectGot()

	forget(waiting)
	waiting.received()
	if got := w.waiting(); len(got) != 0 {
		t.Errorf("queue after /forget = %v, want empty", got)
	}
	vol.command("next", "")
	vol.expectGot("handoff.queue_empty")
}

// TestHandoffReplyGoesToItsChat: a coordinator holding two chats replies to
// a message from the one that is not active; the answer goes to that chat,
// under the message answered, and not to the active one. Once they no
// longer hold that chat, such a reply is refused with a warning.
func TestHandoffReplyGoesToItsChat(t *testing.T) {
	w := newHWorld(t)
	coord, a, b := w.coordinatorWithTwoChats()

	a.send("They moved him last night")
	fromA := a.lastIn
	coord.expectGot("handoff.from", fmt.Sprintf("copy 7001/%d", fromA))
	copyA := coord.lastMsgID()
	threads := storage.NewThreads(w.rdb, w.prefix, time.Hour)
	if err := threads.Record(context.Background(), hCoord, copyA, 7001, fromA); err != nil {
		t.Fatal(err)
	}

	rs := coord.do(flows.Input{Kind: flows.KindText, Text: "I am on it", ReplyTo: copyA})
	if len(rs) != 1 || rs[0].ChatID != 7001 || rs[0].Copy == nil || rs[0].Copy.ReplyTo != fromA {
		t.Errorf("reply relayed as %+v; want a copy to chat 7001 under message %d", rs, fromA)
	}
	a.expectGot(fmt.Sprintf("copy %d/%d", hCoord, coord.lastIn))
	b.expectGot()

	// a ends the conversation; a late reply to a's message goes nowhere.
	a.press("h.e")
	a.received()
	coord.received()
	coord.do(flows.Input{Kind: flows.KindText, Text: "One more thing", ReplyTo: copyA})
	coord.expectGot("handoff.reply_not_held")
	a.expectGot()
	b.expectGot()
}

// TestHandoffTimersSurviveAFailedSend: a tick that claims a reminder or an
// escalation and cannot put its messages in the outbox (Redis away, the
// process killed) loses neither: another tick leaves the claim alone while
// it holds, and once it expires the message goes out, once.
func TestHandoffTimersSurviveAFailedSend(t *testing.T) {
	w := newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	w.member(hCoord, flows.RoleCoordinator)
	vol, coord := w.person(hVolunteer, "en"), w.person(hCoord, "ru")
	user, waiting := w.person(7101, "ru"), w.person(7102, "en")
	for _, u := range []*hperson{user, waiting} {
		u.press("m:volunteer")
		u.received()
	}
	vol.command("next", "")
	vol.received()
	user.received()
	user.send("Hello? Please answer")
	vol.received()
	coord.received()

	failing := func() {
		t.Helper()
		sent := 0
		err := w.app.Tick(context.Background(), func(context.Context, []flows.Reply) error {
			sent++
			return errors.New("outbox unreachable")
		})
		if err == nil || sent == 0 {
			t.Fatalf("a tick whose sends fail: err %v after %d sends", err, sent)
		}
	}
	// The volunteer's reminder.
	w.advance(10*time.Minute + time.Second)
	failing()
	w.tick()
	vol.expectGot() // claimed by the tick that failed: not yet
	w.advance(time.Minute + time.Second)
	w.tick()
	vol.expectGot("handoff.remind")
	w.tick()
	vol.expectGot()

	// The waiting chat's escalation to the coordinators.
	w.advance(4 * time.Minute)
	failing()
	w.tick()
	coord.expectGot()
	w.advance(time.Minute + time.Second)
	w.tick()
	coord.expectGot("handoff.escalate")
	w.tick()
	coord.expectGot()
}

// failingEnd is a handoff history whose End fails while fail is set:
// Postgres away for a moment.
type failingEnd struct {
	flows.Handoffs
	fail bool
}

func (f *failingEnd) End(ctx context.Context, id, outcome string, at time.Time) error {
	if f.fail {
		return errors.New("postgres unreachable")
	}
	return f.Handoffs.End(ctx, id, outcome, at)
}

// TestHandoffReturnSurvivesAFailedRecord: when a chat goes back to the
// queue, by the timer or because its volunteer blocked the bot, and its
// end cannot be recorded, the volunteer and the user are told all the
// same: no later tick finds the chat held to tell them again.
func TestHandoffReturnSurvivesAFailedRecord(t *testing.T) {
	w := newHWorld(t)
	hist := &failingEnd{Handoffs: w.deps.Handoffs}
	w.deps.Handoffs = hist
	w.app = mustNew(t, w.cfg, w.deps)
	vol, user := volunteerOwesAnAnswer(w)

	w.advance(10*time.Minute + time.Second)
	w.tick()
	vol.expectGot("handoff.remind")
	w.advance(5 * time.Minute)
	hist.fail = true
	rs, err := tickHandoff(w.app)
	if err == nil {
		t.Fatal("a tick whose record of the end fails returned no error")
	}
	w.file(rs)
	vol.expectGot("handoff.vol_returned")
	user.expectGot("handoff.returned+handoff.position+handoff.write_while_waiting")
	hist.fail = false
	w.tick()
	vol.expectGot()
	user.expectGot()

	// The volunteer takes it again and blocks the bot.
	vol.command("next", "")
	vol.received()
	user.received()
	hist.fail = true
	rs, err = w.app.Blocked(context.Background(), hVolunteer)
	if err == nil {
		t.Fatal("Blocked whose record of the end fails returned no error")
	}
	w.file(rs)
	user.expectGot("handoff.returned_away+handoff.position+handoff.write_while_waiting")
	if got := w.waiting(); !slices.Equal(got, []int64{7001}) {
		t.Errorf("queue = %v, want the chat back", got)
	}
}

// TestHandoffRemindedBeforeReturn: when no tick came while the volunteer
// was due a reminder (the bot was down, the machine slow), the chat is not
// taken back unannounced: the volunteer is reminded first and keeps the
// chat for the time the reminder promises.
func TestHandoffRemindedBeforeReturn(t *testing.T) {
	w := newHWorld(t)
	vol, user := volunteerOwesAnAnswer(w)

	// Silent for the reminder and the return together, no tick between.
	w.advance(20 * time.Minute)
	w.tick()
	vol.expectGot("handoff.remind")
	user.expectGot()
	w.advance(4 * time.Minute)
	w.tick()
	vol.expectGot()
	user.expectGot()
	if got := w.waiting(); len(got) != 0 {
		t.Errorf("queue = %v before the time the reminder gave, want none", got)
	}
	w.advance(time.Minute + time.Second)
	w.tick()
	vol.expectGot("handoff.vol_returned")
	user.expectGot("handoff.returned+handoff.position+handoff.write_while_waiting")
	if got := w.waiting(); !slices.Equal(got, []int64{7001}) {
		t.Errorf("queue = %v, want the chat back", got)
	}
}

// volunteerOwesAnAnswer pairs a volunteer with a user who wrote last: the
// volunteer's silence counts from now.
func volunteerOwesAnAnswer(w *hworld) (vol, user *hperson) {
	w.member(hVolunteer, flows.RoleVolunteer)
	vol, user = w.person(hVolunteer, "en"), w.person(7001, "ru")
	user.press("m:volunteer")
	vol.command("next", "")
	user.send("Hello? Please answer")
	vol.received()
	user.received()
	return vol, user
}

// TestWaitingAskedGetsWhereTheyStand: a question or a plea from someone
// waiting in the queue, after the first message was acknowledged, gets how
// long they have waited, their place and that nobody is on duty; it was
// silence, which reads as a bot that broke. Other words stay unanswered.
func TestWaitingAskedGetsWhereTheyStand(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	user := w.person(7001, "ru")
	user.press("m:volunteer")
	user.received()
	user.send("мужа забрали вчера утром")
	user.expectGot("handoff.kept+handoff.position")
	user.send("он был на работе")
	user.expectGot()
	w.advance(2 * time.Hour)
	for _, asks := range []string{"алло? есть кто-нибудь?", "помогите пожалуйста"} {
		user.send(asks)
		rs := user.expectGot("handoff.still_waiting+handoff.position+handoff.nobody_on_duty")
		if got := w.cat.Render("ru", rs[0].Texts[0]); !strings.Contains(got, "2 часа") {
			t.Errorf("%q: the wait is not said: %s", asks, got)
		}
	}
	// /start shows the menu and that they are still waiting, with the
	// button to leave (the greeting alone let them think the request was
	// gone); /cancel at the menu leaves the queue (it was "nothing to
	// cancel").
	user.command("start", "")
	rs := user.expectGot("menu.greeting+handoff.in_queue")
	buttonData(t, rs[0], "btn.handoff_leave")
	user.command("cancel", "")
	user.expectGot("handoff.left+menu.choose")
	if got := w.waiting(); len(got) != 0 {
		t.Errorf("still waiting after /cancel: %v", got)
	}
}

// "Выйти из очереди" (the button's caption), "отмена" or "leave the queue"
// typed while waiting leaves the queue, as the button and /cancel do;
// "меню" is the menu, with the place kept. They were kept for the
// volunteer without a word, the chat still in the queue.
func TestLeaveTheQueueInWords(t *testing.T) {
	t.Parallel()
	for i, tt := range []struct{ lang, typed string }{
		{"ru", "Выйти из очереди"}, {"ru", "отмена"}, {"en", "leave the queue"}, {"en", "Cancel"},
		{"ru", "я передумала"}, {"en", "never mind"}, // changed their mind
	} {
		w := newHWorld(t)
		user := w.person(7001+int64(i), tt.lang)
		user.command("start", "")
		user.press("m:volunteer")
		user.received()
		user.send("меню")
		user.expectGot("menu.greeting+handoff.in_queue")
		if got := w.waiting(); !slices.Equal(got, []int64{user.id}) {
			t.Fatalf("%q: waiting %v after 'меню', want the chat kept in the queue", tt.typed, got)
		}
		user.send(tt.typed)
		user.expectGot("handoff.left+menu.choose")
		if got := w.waiting(); len(got) != 0 {
			t.Errorf("%q: waiting %v, want the chat out of the queue", tt.typed, got)
		}
	}
}

// "Хочу сообщить о задержании" typed while waiting for a volunteer begins
// the report, the place in the queue kept, as the menu's button does; at
// the menu "I want to report" does too. Both were kept for the volunteer,
// or got the greeting.
func TestReportAskedForInWords(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	for i, tt := range []struct{ lang, typed string }{
		{"ru", "хочу сообщить о задержании"}, {"en", "I want to report"}, {"ru", "сообщить"},
	} {
		user := w.person(7101+int64(i), tt.lang)
		user.command("start", "")
		user.press("m:volunteer")
		user.received()
		user.send(tt.typed)
		user.expectGot("ask.consent")
		if got := w.waiting(); !slices.Contains(got, user.id) {
			t.Errorf("%q: waiting %v, want the chat kept in the queue", tt.typed, got)
		}
	}
	user := w.person(7111, "en")
	user.command("start", "")
	user.received()
	user.send("I want to report")
	user.expectGot("ask.consent")
}

// A volunteer's commands typed alone in their own words ("очередь",
// "дела", "на дежурство", "duty on") are the commands, and "беру" under a
// case's card is told how to take it; they were "not sent: you are
// talking with no one". A command the role lacks still is.
func TestMemberCommandsInTheirWords(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	w.member(hVolunteer, flows.RoleVolunteer)
	vol := w.person(hVolunteer, "ru")
	vol.command("start", "")
	vol.received()
	for _, tt := range []struct{ typed, want string }{
		{"дела", "casework.board"}, {"очередь", "handoff.queue_empty"}, {"следующий", "handoff.queue_empty"},
		{"помощь", "handoff.help_volunteer"}, {"статистика", "handoff.member_no_chat"}, // a coordinator's
		{"беру", "casework.take_how"}, {"I'll take it", "casework.take_how"}, // under a case's card
	} {
		vol.send(tt.typed)
		if got := describeAll(vol.received()); len(got) != 1 || !strings.HasPrefix(got[0], tt.want) {
			t.Errorf("%q: %v, want %s", tt.typed, got, tt.want)
		}
	}
	for _, tt := range []struct {
		typed string
		on    bool
	}{{"на дежурство", true}, {"закончить дежурство", false}, {"duty on", true}, {"Duty off", false}} {
		vol.send(tt.typed)
		rs := vol.received()
		if len(rs) == 0 || textIDs(rs[0])[0] != "handoff.duty" || textData(rs[0], "handoff.duty", "On") != tt.on {
			t.Errorf("%q: %v, want on duty %v", tt.typed, describeAll(rs), tt.on)
		}
	}
}

// TestReplyToAReminderGoesToItsChat: a coordinator holds two chats, her
// messages going to b. Reminded that a has waited for an answer, she
// replies to the reminder: it goes to a. It went to b, the active chat —
// to the wrong person.
func TestReplyToAReminderGoesToItsChat(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	coord, a, b := w.coordinatorWithTwoChats()
	a.send("Are you there?")
	held, err := w.queue.Held(context.Background(), hCoord, "")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(held, func(p flows.Pairing) bool { return p.ChatID == a.id })
	if i < 0 || held[i].Active {
		t.Fatalf("held %+v, want a's chat held and not active", held)
	}
	reminder := coord.messageOf(func() { w.advance(11 * time.Minute); w.tick() }, func(r flows.Reply) bool {
		return describe(r) == "handoff.remind" && r.Texts[0].Data["Ticket"] == held[i].Ticket
	})
	if reminder == 0 {
		t.Fatal("no reminder of a's chat")
	}
	b.received()
	rs := coord.do(flows.Input{Kind: flows.KindText, Text: "Sorry, I am here now", ReplyTo: reminder})
	if got := to(rs, a.id); len(got) != 1 || got[0].Copy == nil || len(to(rs, b.id)) != 0 {
		t.Errorf("a reply to the reminder of a's chat: %v, want it relayed to a only", describeAll(rs))
	}
	// So does a reply to "From chat #N:", the line before a's message,
	// b's chat still the active one.
	header := coord.messageOf(func() { a.send("Thank you") }, showing("handoff.from"))
	if header == 0 {
		t.Fatal("no «From chat» line before a's message")
	}
	rs = coord.do(flows.Input{Kind: flows.KindText, Text: "You are welcome", ReplyTo: header})
	if got := to(rs, a.id); len(got) != 1 || got[0].Copy == nil || len(to(rs, b.id)) != 0 {
		t.Errorf("a reply to «From chat» of a: %v, want it relayed to a only", describeAll(rs))
	}
}

// TestReplyToTheTakenLine: a coordinator took a's chat, then b's, her
// messages going to b. A reply to "you are now talking with chat #…" of
// a's goes to a; it went to b.
func TestReplyToTheTakenLine(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	w.member(hCoord, flows.RoleCoordinator)
	coord, a, b := w.person(hCoord, "en"), w.person(7001, "en"), w.person(7002, "en")
	a.press("m:volunteer")
	b.press("m:volunteer")
	taken := coord.messageOf(func() { coord.command("next", "") }, func(r flows.Reply) bool {
		return slices.Contains(textIDs(r), "handoff.taken")
	})
	coord.command("next", "")
	coord.received()
	a.received()
	b.received()
	if taken == 0 {
		t.Fatal("no «you are now talking with» for a's chat")
	}
	rs := coord.do(flows.Input{Kind: flows.KindText, Text: "Hello, how can I help?", ReplyTo: taken})
	if got := to(rs, a.id); len(got) != 1 || got[0].Copy == nil || len(to(rs, b.id)) != 0 {
		t.Errorf("a reply to the line that took a's chat: %v, want it relayed to a only", describeAll(rs))
	}
}

// TestReplyToAnEndedChatsNotice: a coordinator holds two chats, her
// messages going to b; a ends the conversation. "Ok, thank you" in reply
// to that notice went to b. It goes to nobody, and she is told why.
func TestReplyToAnEndedChatsNotice(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	coord, a, b := w.coordinatorWithTwoChats()
	ended := coord.messageOf(func() { a.press("h.e") }, func(r flows.Reply) bool { // the end button
		return slices.Contains(textIDs(r), "handoff.vol_user_ended")
	})
	if ended == 0 {
		t.Fatal("no notice that a ended the conversation")
	}
	b.received()
	rs := coord.do(flows.Input{Kind: flows.KindText, Text: "Ok, thank you", ReplyTo: ended})
	if len(to(rs, b.id)) != 0 || len(to(rs, a.id)) != 0 || !has(to(rs, hCoord), "handoff.reply_waiting") {
		t.Errorf("a reply to the notice of a's chat ended: %v, want it sent to nobody and said so", describeAll(rs))
	}
	if got := to(coord.send("still here?"), b.id); len(got) != 1 {
		t.Errorf("a message replying to nothing: %v, want it relayed to b", describeAll(got))
	}
}

// A reply to the answer of the volunteer's own /done ("chat #7 is closed")
// is about that chat, which has ended: it goes to nobody, and they are told
// so. It went to the chat still held.
func TestReplyToTheDoneAnswer(t *testing.T) {
	t.Parallel()
	w := newHWorld(t)
	coord, a, b := w.coordinatorWithTwoChats()
	done := coord.messageOf(func() { coord.command("done", "") }, func(r flows.Reply) bool {
		return slices.Contains(textIDs(r), "handoff.vol_done")
	})
	if done == 0 {
		t.Fatal("no answer to /done")
	}
	a.received()
	b.received()
	rs := coord.do(flows.Input{Kind: flows.KindText, Text: "Thanks, bye", ReplyTo: done})
	if len(to(rs, b.id)) != 0 || len(to(rs, a.id)) != 0 || !has(to(rs, hCoord), "handoff.reply_waiting") {
		t.Errorf("a reply to /done's answer: %v, want it sent to nobody and said so", describeAll(rs))
	}
}

// TestAskedForAPersonInMoreWords: "можно поговорить с живым человеком?",
// "I'd like to speak with a volunteer please" at the menu put the writer in
// the queue, as "человек" does; a reporter got where their cases stand
// instead. "I don't want to talk to anyone" does not.
func TestAskedForAPersonInMoreWords(t *testing.T) {
	w := newHWorld(t)
	for i, typed := range []string{"можно поговорить с живым человеком?", "I'd like to speak with a volunteer please",
		"Здравствуйте, как связаться с оператором"} {
		user := w.person(int64(7101+i), "ru")
		user.send(typed)
		user.expectGot("handoff.joined+handoff.position+handoff.nobody_on_duty+handoff.write_while_waiting")
	}
	for i, typed := range []string{"I don't want to talk to anyone, just checking", "the lawyer talked to someone at ICE"} {
		user := w.person(int64(7201+i), "en")
		if rs := user.send(typed); has(rs, "handoff.joined") {
			t.Errorf("%q put them in the queue: %v", typed, describeAll(rs))
		}
	}
}
