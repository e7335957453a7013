package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"hotline/flows"
	"hotline/internal/pipeline"
	"hotline/internal/sandbox"
	"hotline/locales"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// startSandbox runs `hotline sandbox` in-process, on a fresh database of
// its own (and another standing for the real bot's) and Redis prefix, and
// returns it with the page's base URL, token included.
func startSandbox(t *testing.T) (*sandbox.Sandbox, string, *server) {
	t.Helper()
	return startSandboxWith(t, sandbox.Config{})
}

// startSandboxWith is startSandbox with the sandbox's options (Forum).
func startSandboxWith(t *testing.T, sc sandbox.Config) (*sandbox.Sandbox, string, *server) {
	t.Helper()
	dbURL := storagetest.PostgresURL(t)
	sandboxDB := storagetest.PostgresURL(t)
	rdb, prefix := storagetest.Redis(t)
	cfg, err := loadConfig(func(name string) string {
		switch name {
		case "DATABASE_URL":
			return dbURL
		case "REDIS_URL":
			return "redis://" + rdb.Options().Addr + "/0"
		case "HOTLINE_REDIS_PREFIX":
			return prefix
		case "LISTEN_ADDR":
			return "127.0.0.1:0"
		case "HOTLINE_DATA_KEY":
			return storagetest.DataKey
		}
		return ""
	}, need{Database: true, Redis: true})
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	cfg.Partitions = 8
	cfg.pipeline = func(o *pipeline.Options) {
		// Telegram's per-chat limit would make each step wait a second.
		o.Limits = pipeline.Limits{Global: 10000, PerChat: 1000, ChatBurst: 1000, PerGroupPerMinute: 1000}
		o.Lease, o.PollTimeout = 2*time.Second, 2*time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	type up struct {
		sb   *sandbox.Sandbox
		addr string
		srv  *server
	}
	ready := make(chan up, 1)
	done := make(chan error, 1)
	logs := &syncBuffer{}
	go func() {
		sc.Addr, sc.DatabaseURL, sc.Pipeline = "127.0.0.1:0", sandboxDB, cfg.pipeline
		done <- sandbox.Run(ctx, cfg.Config, sc, newLogger(logs, cfg.LogLevel), io.Discard,
			func(sb *sandbox.Sandbox, addr string, srv *server) { ready <- up{sb, addr, srv} })
	}()
	var u up
	select {
	case u = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("sandbox did not start: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("sandbox did not start within 30 s")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("sandbox stopped with %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("sandbox did not stop within 30 s")
		}
		if t.Failed() {
			t.Logf("bot log:\n%s", logs.String())
		}
	})
	return u.sb, u.addr, u.srv
}

// apiEvents is the body of GET /api/events.
type apiEvents struct {
	Events []sandbox.Event `json:"events"`
}

// TestSandboxAPI plays the page's part over its JSON API: the page and its
// assets are served, the three users are listed, a message and the bot's
// answer come back in order, a button press and a photo work, the language
// switch goes through the bot, and bad requests are refused.
func TestSandboxAPI(t *testing.T) {
	parallel(t)
	sb, base, _ := startSandbox(t)
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	post := func(path, contentType, body string) (int, string) {
		resp, err := http.Post(base+path, contentType, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	var since int64
	// next waits for the events after the last ones seen until one matches.
	next := func(match func(sandbox.Event) bool) sandbox.Event {
		t.Helper()
		deadline := time.Now().Add(pageWait)
		for time.Now().Before(deadline) {
			_, body := get(fmt.Sprintf("/api/events?since=%d&wait_ms=2000", since))
			var ev apiEvents
			if err := json.Unmarshal([]byte(body), &ev); err != nil {
				t.Fatalf("events: %v: %s", err, body)
			}
			for _, e := range ev.Events {
				if e.Seq <= since {
					t.Fatalf("event %d came again after %d", e.Seq, since)
				}
				since = e.Seq
				if match(e) {
					return e
				}
			}
		}
		t.Fatal("no matching event within 10 s")
		return sandbox.Event{}
	}

	for _, path := range []string{"/", "/app.js", "/style.css", "/photo.svg"} {
		if code, body := get(path); code != http.StatusOK || body == "" {
			t.Errorf("GET %s: %d, %d bytes", path, code, len(body))
		}
	}
	// Nothing is loaded from elsewhere: the page works offline.
	err = fs.WalkDir(sandbox.Files, "static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := sandbox.Files.ReadFile(path)
		if err != nil {
			return err
		}
		for _, ref := range []string{`src="http`, `href="http`, `src="//`, `href="//`, "url(", "@import", "import("} {
			if strings.Contains(string(raw), ref) {
				t.Errorf("%s refers to something outside (%s)", path, ref)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Bot   string         `json:"bot"`
		Users []sandbox.User `json:"users"`
	}
	_, body := get("/api/state")
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, u := range st.Users {
		keys = append(keys, u.Key)
	}
	if got, want := strings.Join(keys, ","), "relative,volunteer,friend"; got != want || st.Bot == "" {
		t.Errorf("state: bot %q, users %s; want a bot and users %s", st.Bot, got, want)
	}

	relative, friend := sb.User("relative"), sb.User("friend")
	code, body := post("/api/send", "application/json", fmt.Sprintf(`{"user":%d,"text":"/start"}`, relative.ID))
	if code != http.StatusOK {
		t.Fatalf("send: %d %s", code, body)
	}
	mine := next(func(sandbox.Event) bool { return true })
	if mine.From != "user" || mine.Text != "/start" || mine.Chat != relative.ID {
		t.Errorf("first event %+v, want the relative's /start", mine)
	}
	greeting := next(func(e sandbox.Event) bool { return e.From == "bot" })
	if want := firstLine(plain(cat.Render("ru", flows.T("menu.greeting")))); !strings.Contains(greeting.Text, want) {
		t.Errorf("bot answered %q, want the Russian greeting %q", greeting.Text, want)
	}
	report := cat.Button("ru", flows.T("btn.menu_report"))
	var data string
	for _, row := range greeting.Buttons {
		for _, b := range row {
			if b.Text == report {
				data = b.Data
			}
		}
	}
	if data == "" {
		t.Fatalf("greeting has no %q button: %+v", report, greeting.Buttons)
	}
	post("/api/press", "application/json", fmt.Sprintf(`{"user":%d,"message":%d,"data":%q}`, relative.ID, greeting.ID, data))
	consent := next(func(e sandbox.Event) bool { return e.From == "bot" && e.Chat == relative.ID })
	if want := firstLine(plain(cat.Render("ru", flows.T("ask.consent")))); !strings.Contains(consent.Text, want) {
		t.Errorf("after pressing %q the bot said %q, want %q", report, consent.Text, want)
	}

	post("/api/photo", "application/json", fmt.Sprintf(`{"user":%d,"text":"a caption"}`, relative.ID))
	photo := next(func(e sandbox.Event) bool { return e.From == "user" })
	if photo.Kind != "photo" || photo.Text != "a caption" {
		t.Errorf("photo event %+v, want a photo with its caption", photo)
	}
	next(func(e sandbox.Event) bool { return e.From == "bot" && e.Chat == relative.ID }) // a re-prompt

	// Longer than Telegram takes: sent as Telegram's apps send it, in parts.
	long := strings.Repeat("слово ", 1000) // 6,000 characters
	post("/api/send", "application/json", fmt.Sprintf(`{"user":%d,"text":%q}`, relative.ID, long))
	head := next(func(e sandbox.Event) bool { return e.From == "user" && e.Chat == relative.ID })
	tail := next(func(e sandbox.Event) bool { return e.From == "user" && e.Chat == relative.ID })
	if n := utf8.RuneCountInString(head.Text); n > 4096 || n < 3900 || head.Text+tail.Text != long {
		t.Errorf("a 6,000-character text was sent as %d + %d characters", n, utf8.RuneCountInString(tail.Text))
	}

	post("/api/lang", "application/json", fmt.Sprintf(`{"user":%d,"lang":"ru"}`, friend.ID))
	set := next(func(e sandbox.Event) bool { return e.From == "bot" && e.Chat == friend.ID })
	if want := plain(cat.Render("ru", flows.T("language.set"))); !strings.Contains(set.Text, want) {
		t.Errorf("friend switched to Russian and got %q, want %q", set.Text, want)
	}

	for _, c := range []struct {
		name, path, contentType, body string
		want                          int
	}{
		{"unknown user", "/api/send", "application/json", `{"user":1,"text":"hi"}`, http.StatusBadRequest},
		{"empty text", "/api/send", "application/json", fmt.Sprintf(`{"user":%d,"text":"  "}`, relative.ID), http.StatusBadRequest},
		{"too long", "/api/send", "application/json", fmt.Sprintf(`{"user":%d,"text":%q}`, relative.ID, strings.Repeat("я", 4*4096+1)), http.StatusBadRequest},
		{"a form from another site", "/api/send", "text/plain", fmt.Sprintf(`{"user":%d,"text":"hi"}`, relative.ID), http.StatusUnsupportedMediaType},
		{"malformed", "/api/press", "application/json", `{"user":`, http.StatusBadRequest},
		{"bad language", "/api/lang", "application/json", fmt.Sprintf(`{"user":%d,"lang":"de"}`, relative.ID), http.StatusBadRequest},
	} {
		if got, body := post(c.path, c.contentType, c.body); got != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, got, body, c.want)
		}
	}
}

// TestSandboxWipesOldState starts the sandbox on a Redis prefix where an
// earlier sandbox left keys: they are gone, and keys outside the sandbox's
// prefix are kept.
func TestSandboxWipesOldState(t *testing.T) {
	parallel(t)
	rdb, prefix := storagetest.Redis(t)
	ctx := context.Background()
	url := "redis://" + rdb.Options().Addr + "/0"
	old, kept := prefix+"sandbox:in:3", prefix+"in:3"
	for _, k := range []string{old, kept} {
		if err := rdb.Set(ctx, k, "x", time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := sandbox.WipeRedisPrefix(ctx, url, prefix+"sandbox:"); err != nil {
		t.Fatal(err)
	}
	if n, _ := rdb.Exists(ctx, old).Result(); n != 0 {
		t.Errorf("%s survived the wipe", old)
	}
	if n, _ := rdb.Exists(ctx, kept).Result(); n != 1 {
		t.Errorf("%s, outside the sandbox prefix, was wiped", kept)
	}
	if err := sandbox.WipeRedisPrefix(ctx, url, prefix); err == nil {
		t.Errorf("wiping a prefix that is not the sandbox's was allowed")
	}
}

// shownMessage is a bot message as the page shows it.
type shownMessage struct {
	ID      int      `json:"id"`
	Text    string   `json:"text"`
	Buttons []string `json:"buttons"`
	Edited  bool     `json:"edited"`
}

// page drives the sandbox page in Chromium as a person does: typing into a
// column, pressing its buttons, and reading what the column shows.
type page struct {
	t   *testing.T
	b   *browser
	cat *locales.Catalog
}

// messages returns the bot's messages in a column.
func (p *page) messages(user string) []shownMessage {
	p.t.Helper()
	var out []shownMessage
	err := p.b.run(&out, `return [...document.querySelectorAll('section[data-user="' + arguments[0] + '"] .msg.bot')].map((m) => ({
		id: +m.dataset.id,
		text: (m.querySelector('.text') || {}).textContent || '',
		buttons: [...m.querySelectorAll('.ib')].map((b) => b.textContent),
		edited: m.classList.contains('edited'),
	}))`, user)
	if err != nil {
		p.t.Fatal(err)
	}
	return out
}

// snapshot is what a column shows now, by message id.
func (p *page) snapshot(user string) map[int]shownMessage {
	out := map[int]shownMessage{}
	for _, m := range p.messages(user) {
		out[m.ID] = m
	}
	return out
}

// pageWait is how long the page is given to show a message. A reply takes
// well under a second; a full test run on two cores, with the end-to-end
// package's eight tests at a time and Chromium, once took more than ten
// seconds to relay a message written in the forum's topic.
const pageWait = 20 * time.Second

// waitFor waits until the column shows a message, new or changed since
// before, for which ok holds.
func (p *page) waitFor(user string, before map[int]shownMessage, what string, ok func(shownMessage) bool) shownMessage {
	p.t.Helper()
	deadline := time.Now().Add(pageWait)
	changes := -1
	for {
		for _, m := range p.messages(user) {
			old, seen := before[m.ID]
			changed := !seen || old.Text != m.Text || old.Edited != m.Edited || strings.Join(old.Buttons, "|") != strings.Join(m.Buttons, "|")
			if changed && ok(m) {
				return m
			}
		}
		if time.Now().After(deadline) {
			ms := p.messages(user)
			last := "none"
			if len(ms) > 0 {
				last = fmt.Sprintf("%q with buttons %q", ms[len(ms)-1].Text, ms[len(ms)-1].Buttons)
			}
			p.t.Fatalf("the %s column shows no %s within %v; its last bot message: %s", user, what, pageWait, last)
		}
		changes = p.b.changed(changes)
	}
}

// do runs act and waits for a new or changed message that contains want.
func (p *page) do(user, want string, act func()) shownMessage {
	p.t.Helper()
	before := p.snapshot(user)
	act()
	return p.waitFor(user, before, fmt.Sprintf("message with %q", want), func(m shownMessage) bool {
		return strings.Contains(m.Text, want)
	})
}

// typeIn types text into a column's box and presses Enter.
func (p *page) typeIn(user, text string) {
	p.t.Helper()
	box := p.b.find(`return document.querySelector('section[data-user="' + arguments[0] + '"] textarea')`, user)
	if box == nil {
		p.t.Fatalf("no text box in the %s column", user)
	}
	p.b.typeInto(box, text+"\uE007") // U+E007 is WebDriver's Enter key
}

// press clicks the button of a message whose caption contains label.
func (p *page) press(user string, m shownMessage, label string) {
	p.t.Helper()
	btn := p.b.find(`return [...document.querySelectorAll('section[data-user="' + arguments[0] + '"] .msg.bot[data-id="' + arguments[1] + '"] .ib')]
		.find((b) => b.textContent.includes(arguments[2])) || null`, user, m.ID, label)
	if btn == nil {
		p.t.Fatalf("message %d in the %s column has no button with %q; its buttons: %q", m.ID, user, label, m.Buttons)
	}
	p.b.click(btn)
}

// click clicks the element a CSS selector finds.
func (p *page) click(selector string) {
	p.t.Helper()
	e := p.b.find(`return document.querySelector(arguments[0])`, selector)
	if e == nil {
		p.t.Fatalf("nothing on the page matches %s", selector)
	}
	p.b.click(e)
}

func (p *page) text(lang, id string) string {
	return firstLine(plain(p.cat.Render(lang, flows.T(id, holes...))))
}

func (p *page) label(lang, id string, kv ...any) string {
	return p.cat.Button(lang, flows.T(id, kv...))
}

// TestSandboxInChromium drives the sandbox page in headless Chromium: a
// relative files a report in Russian (a sample photo, Cyrillic typing,
// buttons, an edited question) and asks for a volunteer; the report's share
// link opens in the friend's column, whose language switch turns the bot to
// Russian; then the volunteer takes the chat with /next and answers, and
// the answer appears on the relative's side.
func TestSandboxInChromium(t *testing.T) {
	takesLong(t, 10*time.Second)
	b := startChromium(t)
	_, base, srv := startSandbox(t)
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	p := &page{t: t, b: b, cat: cat}
	t.Cleanup(func() {
		if t.Failed() {
			if path, err := b.screenshot(os.TempDir(), fmt.Sprintf("hotline-sandbox-%d", time.Now().UnixNano())); err == nil {
				t.Logf("the page at the failure: %s", path)
			}
		}
	})
	openPage(t, b, base)

	// The relative files a report, in Russian.
	const rel = "relative"
	ru := func(id string) string { return p.text("ru", id) }
	btn := func(id string) string { return p.label("ru", id) }
	m := p.do(rel, ru("menu.greeting"), func() { p.click(`section[data-user="relative"] .menu button[title]`) })
	m = p.do(rel, ru("ask.consent"), func() { p.press(rel, m, btn("btn.menu_report")) })
	m = p.do(rel, ru("ask.triage"), func() { p.press(rel, m, btn("btn.consent_yes")) })
	m = p.do(rel, ru("ask.name"), func() { p.press(rel, m, btn("btn.triage_no")) })
	// A photo where a name is expected: the question again.
	m = p.do(rel, ru("ask.name"), func() { p.click(`section[data-user="relative"] .compose button.photo`) })
	var photos int
	if err := b.run(&photos, `return document.querySelectorAll('section[data-user="relative"] .msg.user img.photo').length`); err != nil || photos != 1 {
		t.Errorf("the relative's column shows %d photos (%v), want the one sent", photos, err)
	}
	// A file, a voice message and a sticker, as people send by mistake:
	// each shown as sent, each answered with the question again.
	for _, kind := range []string{"document", "voice", "sticker"} {
		m = p.do(rel, ru("ask.name"), func() { p.click(`section[data-user="relative"] .compose button.` + kind) })
	}
	var files []string
	if err := b.run(&files, `return [...document.querySelectorAll('section[data-user="relative"] .msg.user .file')].map((f) => f.textContent)`); err != nil ||
		len(files) != 3 || !strings.Contains(files[0], "document") || !strings.Contains(files[1], "voice") || !strings.Contains(files[2], "sticker") {
		t.Errorf("the relative's column shows %q (%v), want a document, a voice message and a sticker", files, err)
	}
	m = p.do(rel, "Ivan Petrov", func() { p.typeIn(rel, "Иван Петров") }) // the Latin spelling offered
	m = p.do(rel, ru("ask.name_other"), func() { p.press(rel, m, "Ivan Petrov") })
	m = p.do(rel, ru("ask.birth_date"), func() { p.press(rel, m, btn("btn.dont_know")) })
	p.do(rel, ru("ask.birth_country"), func() { p.press(rel, m, btn("btn.dont_know")) })
	m = p.do(rel, ru("ask.citizenship"), func() { p.typeIn(rel, "Россия") })
	m = p.do(rel, ru("ask.a_number"), func() { p.press(rel, m, "Россия") })
	p.do(rel, ru("ask.detained_on"), func() { p.press(rel, m, btn("btn.dont_know")) })
	m = p.do(rel, ru("ask.circumstance"), func() { p.typeIn(rel, time.Now().AddDate(0, 0, -3).Format("02.01.2006")) })
	m = p.do(rel, ru("ask.office"), func() { p.press(rel, m, btn("circ.checkin")) })
	m = p.do(rel, ru("ask.details"), func() { p.press(rel, m, btn("btn.dont_know")) })
	m = p.do(rel, ru("ask.facility"), func() { p.press(rel, m, btn("btn.skip")) })
	m = p.do(rel, ru("ask.transfer"), func() { p.press(rel, m, btn("btn.dont_know")) })
	m = p.do(rel, ru("ask.lawyer"), func() { p.press(rel, m, btn("btn.dont_know")) })
	m = p.do(rel, ru("ask.hearing"), func() { p.press(rel, m, btn("btn.lawyer_no")) })
	m = p.do(rel, ru("ask.stage"), func() { p.press(rel, m, btn("btn.hearing_unknown")) })
	m = p.do(rel, ru("ask.appeals"), func() { p.press(rel, m, btn("btn.dont_know")) })
	m = p.do(rel, ru("ask.flight"), func() { p.press(rel, m, btn("btn.appeals_none")) })
	m = p.do(rel, ru("ask.entry"), func() { p.press(rel, m, btn("flight.none")) })
	for _, next := range []string{"ask.language", "ask.can_call", "ask.phone_account", "ask.urgent"} {
		m = p.do(rel, ru(next), func() { p.press(rel, m, btn("btn.dont_know")) })
	}
	// Ticking a sign redraws the question in place.
	before := p.snapshot(rel)
	p.press(rel, m, btn("urgent.deportation"))
	m = p.waitFor(rel, before, "urgent question redrawn", func(x shownMessage) bool { return x.ID == m.ID && x.Edited })
	p.do(rel, ru("ask.reporter_name"), func() { p.press(rel, m, btn("btn.urgent_done")) })
	p.do(rel, ru("ask.relationship"), func() { p.typeIn(rel, "Мария") })
	p.do(rel, ru("ask.contact"), func() { p.typeIn(rel, "жена") })
	m = p.do(rel, ru("ask.state"), func() { p.typeIn(rel, "+7 916 123-45-67") })
	m = p.do(rel, ru("ask.privacy"), func() { p.press(rel, m, btn("btn.skip")) })
	m = p.do(rel, ru("ask.publicity"), func() { p.press(rel, m, btn("btn.dont_know")) })
	m = p.do(rel, ru("ask.dates_share"), func() { p.press(rel, m, btn("btn.dont_know")) })
	review := p.do(rel, "Ivan Petrov", func() { p.press(rel, m, btn("btn.share_no")) })
	before = p.snapshot(rel)
	p.press(rel, review, btn("btn.confirm"))
	done := p.waitFor(rel, before, "case code", func(x shownMessage) bool { return codeRe.MatchString(x.Text) })
	code := codeRe.FindString(done.Text)
	// Sealed with the sandbox's own data key, kept in its database.
	var raw []byte
	if err := srv.DB.Get(&raw, `SELECT data_key FROM hotline_sandbox`); err != nil {
		t.Fatal(err)
	}
	keys, err := storage.NewKeyring(raw)
	if err != nil {
		t.Fatal(err)
	}
	stored, _, err := storage.NewCases(srv.DB, keys).Get(context.Background(), code)
	if err != nil {
		t.Fatalf("case %s shown on the page is not stored: %v", code, err)
	}
	if stored.NameLatin != "Ivan Petrov" || stored.NameCyrillic != "Иван Петров" || len(stored.Urgent) != 1 {
		t.Errorf("stored case: name %q / %q, urgent %v; want Ivan Petrov / Иван Петров, one urgent sign",
			stored.NameLatin, stored.NameCyrillic, stored.Urgent)
	}

	// The share link opens in the friend's column.
	before = p.snapshot("friend")
	p.click(`section[data-user="relative"] .msg.bot a.deeplink`)
	p.click(`#openas button[data-user="friend"]`)
	var friendSent string
	eventually(t, "the link sent from the friend's column", func() error {
		if err := b.run(&friendSent, `const m = [...document.querySelectorAll('section[data-user="friend"] .msg.user')].pop(); return m ? m.textContent : ''`); err != nil {
			return err
		}
		if !strings.HasPrefix(friendSent, "/start c_"+strings.ReplaceAll(code, "-", "")) {
			return fmt.Errorf("the friend's last message is %q", friendSent)
		}
		return nil
	})
	p.waitFor("friend", before, "answer to the link", func(shownMessage) bool { return true })
	// The friend's language switch: the bot answers in Russian.
	p.do("friend", plain(cat.Render("ru", flows.T("language.set"))), func() {
		p.click(`section[data-user="friend"] .lang button[data-lang="ru"]`)
	})
	// The bot's own language buttons move the column's switch too.
	choose := p.do("friend", plain(cat.Render("ru", flows.T("language.choose"))), func() { p.typeIn("friend", "/language") })
	p.do("friend", plain(cat.Render("en", flows.T("language.set"))), func() { p.press("friend", choose, "English") })
	var pressed string
	if err := b.run(&pressed, `return document.querySelector('section[data-user="friend"] .lang button[aria-pressed="true"]').dataset.lang`); err != nil || pressed != "en" {
		t.Errorf("after the bot's English button the column's switch shows %q (%v), want en", pressed, err)
	}

	// The relative asks for a volunteer.
	var offer shownMessage
	for _, x := range p.messages(rel) {
		for _, l := range x.Buttons {
			if strings.Contains(l, btn("btn.volunteer_now")) {
				offer = x
			}
		}
	}
	if offer.ID == 0 {
		t.Fatalf("an urgent report got no %q button", btn("btn.volunteer_now"))
	}
	before = p.snapshot(rel)
	p.press(rel, offer, btn("btn.volunteer_now"))
	p.waitFor(rel, before, "answer to asking for a volunteer", func(shownMessage) bool { return true })

	// The volunteer's shortcuts are under the column.
	const vol = "volunteer"
	var shortcuts []string
	if err := p.b.run(&shortcuts, `return [...document.querySelectorAll('section[data-user="volunteer"] .menu button')].map((b) => b.textContent)`); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"/take", "/find", "/duty", "/stats", "/cases"} {
		if !slices.Contains(shortcuts, want) {
			t.Errorf("the volunteer's shortcuts %v lack %s", shortcuts, want)
		}
	}

	// The volunteer takes the chat and answers through the bot.
	before = p.snapshot(vol)
	p.typeIn(vol, "/next")
	took := p.waitFor(vol, before, "answer to /next", func(shownMessage) bool { return true })
	if unknown := p.text("en", "command.unknown"); strings.Contains(took.Text, unknown) {
		t.Fatalf("the bot does not know /next (answered %q): is the volunteer handoff wired into serve()?", took.Text)
	}
	const answer = "Здравствуйте, Мария! Я Анна, волонтёр горячей линии. Чем помочь?"
	p.do(rel, answer, func() { p.typeIn(vol, answer) })

	// A photo with a caption goes the other way, and shows as a photo.
	relayed := p.do(vol, "Повестка в суд", func() {
		box := p.b.find(`return document.querySelector('section[data-user="relative"] textarea')`)
		p.b.typeInto(box, "Повестка в суд")
		p.click(`section[data-user="relative"] .compose button.photo`)
	})
	var shown bool
	if err := b.run(&shown, `return !!document.querySelector('section[data-user="volunteer"] .msg.bot[data-id="' + arguments[0] + '"] img.photo')`, relayed.ID); err != nil || !shown {
		t.Errorf("the relayed photo does not show as a photo in the volunteer's column (%v)", err)
	}
}

// TestSandboxIsNotAnAdminDoor: the sandbox keeps to its own database, data
// key and Redis prefix; its page answers only loopback hosts and only under
// the token printed at start; its volunteer is a coordinator; and it
// refuses to start on a database that holds cases it did not make.
func TestSandboxIsNotAnAdminDoor(t *testing.T) {
	parallel(t)
	sb, base, srv := startSandbox(t)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	token := strings.Trim(u.Path, "/")
	if len(token) < 32 {
		t.Fatalf("page URL %s: want a random token in its path", base)
	}
	root := "http://" + u.Host
	status := func(method, target, host string) int {
		req, _ := http.NewRequest(method, target, strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tt := range []struct {
		name, method, target, host string
		want                       int
	}{
		{"the page", "GET", base + "/", "", http.StatusOK},
		{"the page as localhost", "GET", base + "/api/state", "localhost:" + u.Port(), http.StatusOK},
		{"no token", "GET", root + "/", "", http.StatusNotFound},
		{"no token, API", "GET", root + "/api/state", "", http.StatusNotFound},
		{"another token", "GET", root + "/" + strings.Repeat("0", 32) + "/api/state", "", http.StatusNotFound},
		{"a rebound name", "GET", base + "/api/state", "evil.example:" + u.Port(), http.StatusMisdirectedRequest},
		{"a rebound name posting", "POST", base + "/api/send", "evil.example", http.StatusMisdirectedRequest},
	} {
		if got := status(tt.method, tt.target, tt.host); got != tt.want {
			t.Errorf("%s: %s %s (Host %q) = %d, want %d", tt.name, tt.method, tt.target, tt.host, got, tt.want)
		}
	}

	// Its own database, with its own data key.
	var name string
	var key []byte
	if err := srv.DB.Get(&name, `SELECT current_database()`); err != nil {
		t.Fatal(err)
	}
	if err := srv.DB.Get(&key, `SELECT data_key FROM hotline_sandbox`); err != nil {
		t.Fatalf("the sandbox's database is not marked as its own: %v", err)
	}
	if base64.StdEncoding.EncodeToString(key) == storagetest.DataKey {
		t.Error("the sandbox seals with the real bot's data key")
	}
	// The volunteer is a coordinator: members and the audit log are not theirs.
	if r, err := storage.NewVolunteers(srv.DB).Role(context.Background(), sb.User("volunteer").ID); err != nil || r != flows.RoleCoordinator {
		t.Errorf("the sandbox volunteer's role: %v, %v; want coordinator", r, err)
	}

	// A database with somebody's cases is refused.
	real := storagetest.PostgresURL(t)
	db, err := storage.OpenPostgres(context.Background(), real)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := storage.NewCases(db, storagetest.Keys(t)).Create(context.Background(), &flows.Report{
		DraftID: "real-draft", Consent: true, NameLatin: "Real Person", ReporterUserID: 42, ReporterChatID: 42, Lang: "en",
	}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, bot, sandbox string }{
		{"SANDBOX_DATABASE_URL holds cases", storagetest.PostgresURL(t), real},
		{"SANDBOX_DATABASE_URL is the bot's database", real, real},
	} {
		cfg, err := loadConfig(getenvFrom(map[string]string{"DATABASE_URL": tt.bot, "REDIS_URL": os.Getenv("REDIS_URL")}), need{Database: true, Redis: true})
		if err != nil {
			t.Fatal(err)
		}
		err = sandbox.Run(context.Background(), cfg.Config, sandbox.Config{Addr: "127.0.0.1:0", DatabaseURL: tt.sandbox},
			newLogger(io.Discard, cfg.LogLevel), io.Discard, nil)
		if !errors.Is(err, sandbox.ErrNotSandbox) {
			t.Errorf("%s: sandbox started with %v, want ErrNotSandbox", tt.name, err)
		}
	}
}

// TestSandboxForumInChromium: with SANDBOX_FORUM, the page has the team's
// forum group as a fourth column. A relative's report makes its case's
// topic there, the card labelled with the topic; the person at the
// keyboard picks the topic by its label and writes in it as the volunteer,
// and the relative's column gets the message from the bot.
func TestSandboxForumInChromium(t *testing.T) {
	takesLong(t, 10*time.Second)
	b := startChromium(t)
	sb, base, _ := startSandboxWith(t, sandbox.Config{Forum: true})
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	p := &page{t: t, b: b, cat: cat}
	openPage(t, b, base)
	code := fileReport(t, &harness{t: t, cat: cat}, sb.User("relative").Telegram())
	fc := flows.FormatCode(code)
	// The card has the case's buttons; the summary in the general topic,
	// which names the case too and may be edited first, has none.
	card := p.waitFor("team", nil, "the case card in its topic", func(m shownMessage) bool {
		return strings.Contains(m.Text, fc) && len(m.Buttons) > 0
	})
	var label string
	if err := b.run(&label, `return document.querySelector('section[data-user="team"] .msg.bot[data-id="' + arguments[0] + '"] .topic-label').textContent`, card.ID); err != nil ||
		!strings.Contains(label, fc) {
		t.Fatalf("the card is labelled %q (%v), want its topic, named by %s", label, err, fc)
	}
	p.click(fmt.Sprintf(`section[data-user="team"] .msg.bot[data-id="%d"] .topic-label`, card.ID))
	const hello = "Hello, this is the hotline's team."
	p.do("relative", hello, func() { p.typeIn("team", hello) })
}

// openPage opens the sandbox page and waits until it is ready.
func openPage(t *testing.T, b *browser, base string) {
	t.Helper()
	b.open(base + "/")
	eventually(t, "page ready", func() error {
		var ready bool
		if err := b.run(&ready, `return document.body.dataset.ready === 'true'`); err != nil {
			return err
		}
		if !ready {
			return fmt.Errorf("not yet")
		}
		return nil
	})
}
