// Package sandbox runs the real bot against the fake Telegram server with a
// web page to chat as a relative, a volunteer and a friend side by side.
package sandbox

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
	"github.com/lib/pq"

	"hotline/bot/telegramtest"
	"hotline/flows"
	"hotline/internal/app"
	"hotline/internal/config"
	"hotline/internal/pipeline"
	"hotline/storage"
)

// `hotline sandbox` runs the real bot, unchanged, against the fake Telegram
// server of bot/telegramtest, and serves a web page where one chats with it
// as a relative, a volunteer and a friend side by side: for trying the bot
// without a Telegram token, training volunteers and reviewing translations.
// The page and its JSON API are on SANDBOX_ADDR (default 127.0.0.1:8090).
//
// The fake Telegram forgets everything when the sandbox stops, so the bot's
// Redis state (update offsets, sessions, the queue) lives under its own
// prefix, HOTLINE_REDIS_PREFIX + "sandbox:", wiped at each start; otherwise
// the new fake's update ids would look like ones already handled.
//
// The sandbox never touches the real bot's data. Its cases are in a
// database of its own (SANDBOX_DATABASE_URL, by default DATABASE_URL's
// database name + "_sandbox", made when missing), sealed with a data key of
// its own kept there, never HOTLINE_DATA_KEY; it refuses a database that
// holds cases it did not create. The page answers only requests for a
// loopback host (a web page cannot reach it through DNS rebinding) under a
// random path made at each start and printed then, and its volunteer is a
// coordinator, not an admin.

// Files are the page: HTML, script, style and the sample photo.
//
//go:embed static
var Files embed.FS

// volunteerID is the volunteer's user id: a coordinator, who may take
// chats and see and update any case, but not manage members or read the
// audit log.
const volunteerID = 700002

// people are the page's columns.
func people() []User {
	return []User{
		{Key: "relative", ID: 700001, First: "Мария", Last: "Петрова", Username: "maria_sandbox", Lang: "ru"},
		{Key: "volunteer", ID: volunteerID, First: "Anna", Username: "anna_sandbox", Lang: "en",
			Commands: []string{"queue", "next", "take", "find", "case", "status", "note", "duty", "stats", "cases", "release", "done"}},
		{Key: "friend", ID: 700003, First: "Alex", Username: "alex_sandbox", Lang: "en"},
	}
}

// User is one column of the page.
type User struct {
	Key      string   `json:"key"` // relative, volunteer, friend
	ID       int64    `json:"id"`
	First    string   `json:"first"`
	Last     string   `json:"last,omitempty"`
	Username string   `json:"username,omitempty"`
	Lang     string   `json:"lang"`               // the language its column starts in
	Commands []string `json:"commands,omitempty"` // extra commands to offer, beyond the bot's menu

	u *telegramtest.User
}

// Event is a message in a column: one a user sent, or one the bot
// sent, copied or edited.
type Event struct {
	Seq      int64                  `json:"seq"` // increasing over the whole sandbox
	Chat     int64                  `json:"chat"`
	From     string                 `json:"from"`             // "user" or "bot"
	ID       int                    `json:"id"`               // message id in the chat
	Thread   int                    `json:"thread,omitempty"` // the forum topic it is in
	Edited   bool                   `json:"edited,omitempty"`
	Kind     string                 `json:"kind"` // text, photo, document, voice…
	Text     string                 `json:"text,omitempty"`
	Entities []models.MessageEntity `json:"entities,omitempty"`
	Buttons  [][]Button             `json:"buttons,omitempty"`
	Keyboard [][]string             `json:"keyboard,omitempty"`
	FileName string                 `json:"file_name,omitempty"`
	At       time.Time              `json:"at"`
}

type Button struct {
	Text string `json:"text"`
	Data string `json:"data,omitempty"`
	URL  string `json:"url,omitempty"`
}

// sandbox is the fake Telegram with its people and the page's API.
type Sandbox struct {
	tg      *telegramtest.Server
	users   []*User
	byID    map[int64]*User
	metrics string // the bot's /metrics URL
	wait    time.Duration
	closed  chan struct{}

	mu     sync.Mutex
	events []Event
	wake   chan struct{} // closed when an event is added

	forum *telegramtest.Group // the team's forum group, nil without one
}

// addForum makes the team's forum group: topics on, the bot an admin with
// the rights the forum needs, the volunteer a member; and its column, where
// one writes as the volunteer.
func (sb *Sandbox) addForum() {
	vol := sb.byID[volunteerID]
	sb.forum = sb.tg.Group(ForumChat, "Hotline team")
	sb.forum.SetForum(true)
	sb.forum.MakeBotAdmin(vol.u, telegramtest.AllRights())
	sb.forum.Join(vol.u)
	team := &User{Key: "team", ID: ForumChat, First: "Hotline team", Lang: "en"}
	sb.users = append(sb.users, team)
	sb.byID[ForumChat] = team
}

// topics returns the forum's topics by thread, for the page.
func (sb *Sandbox) topics() map[int]string {
	out := map[int]string{}
	if sb.forum == nil {
		return out
	}
	for _, t := range sb.forum.Topics() {
		if !t.Deleted {
			out[t.ID] = t.Name
		}
	}
	return out
}

// maxEvents bounds the memory of a sandbox left running for days.
const maxEvents = 20000

func newSandbox(tg *telegramtest.Server) *Sandbox {
	sb := &Sandbox{
		tg:     tg,
		byID:   map[int64]*User{},
		wait:   25 * time.Second,
		closed: make(chan struct{}),
		wake:   make(chan struct{}),
	}
	for _, p := range people() {
		p.u = tg.User(p.ID, p.Lang)
		p.u.SetName(p.First, p.Last, p.Username)
		sb.users = append(sb.users, &p)
		sb.byID[p.ID] = &p
	}
	tg.OnMessage(sb.botMessage)
	return sb
}

// Telegram returns the fake Telegram user behind a column (nil for the
// team's group), for tests that play a person without the page.
func (u *User) Telegram() *telegramtest.User { return u.u }

// user returns the sandbox person with key.
func (sb *Sandbox) User(key string) *User {
	for _, u := range sb.users {
		if u.Key == key {
			return u
		}
	}
	return nil
}

// addLocked appends an event and wakes the long polls.
func (sb *Sandbox) addLocked(e Event) {
	e.Seq = 1
	if n := len(sb.events); n > 0 {
		e.Seq = sb.events[n-1].Seq + 1
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	sb.events = append(sb.events, e)
	if len(sb.events) > maxEvents {
		sb.events = append([]Event(nil), sb.events[len(sb.events)-maxEvents/2:]...)
	}
	close(sb.wake)
	sb.wake = make(chan struct{})
}

// botMessage records what the bot delivered (telegramtest's OnMessage).
func (sb *Sandbox) botMessage(m *telegramtest.Message) {
	e := Event{
		Chat: m.ChatID, From: "bot", ID: m.ID, Edited: m.Edited, Kind: m.Kind, Thread: m.ThreadID,
		Text: m.Plain, Entities: m.Entities, Keyboard: m.Keyboard, FileName: m.FileName, At: m.At,
	}
	for _, row := range m.Buttons {
		var r []Button
		for _, b := range row {
			r = append(r, Button{Text: b.Text, Data: b.Data, URL: b.URL})
		}
		e.Buttons = append(e.Buttons, r)
	}
	sb.mu.Lock()
	sb.addLocked(e)
	sb.mu.Unlock()
}

// since returns the events after seq, waiting up to wait for one.
func (sb *Sandbox) since(ctx context.Context, seq int64, wait time.Duration) []Event {
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		sb.mu.Lock()
		var out []Event
		for i := len(sb.events) - 1; i >= 0 && sb.events[i].Seq > seq; i-- {
			out = append(out, sb.events[i])
		}
		wake := sb.wake
		sb.mu.Unlock()
		if len(out) > 0 {
			for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
				out[i], out[j] = out[j], out[i]
			}
			return out
		}
		select {
		case <-wake:
		case <-t.C:
			return []Event{}
		case <-ctx.Done():
			return []Event{}
		case <-sb.closed:
			return []Event{}
		}
	}
}

// Errors of the page's API.
var (
	errNoUser    = errors.New("no such sandbox user")
	errEmptyText = errors.New("empty message")
	errLongText  = errors.New("message longer than 16384 characters")
	errNoLang    = errors.New("language must be ru or en")
	errNoKind    = errors.New("kind must be photo, document, voice or sticker")
)

// sendText sends what a user typed. The event is recorded before the bot
// can see the message, so the page shows it before the answer.
func (sb *Sandbox) sendText(id int64, text string, thread int) (int, error) {
	u := sb.byID[id]
	switch {
	case u == nil:
		return 0, errNoUser
	case strings.TrimSpace(text) == "":
		return 0, errEmptyText
	case utf8.RuneCountInString(text) > 4*telegramLimit:
		return 0, errLongText
	}
	sb.mu.Lock()
	defer sb.mu.Unlock()
	first := 0
	for _, part := range splitText(text) {
		var msg int
		if id == ForumChat { // the volunteer writes in the group
			msg = sb.forum.SendInTopic(sb.byID[volunteerID].u, thread, 0, part)
		} else {
			msg, thread = u.u.Send(part), 0
		}
		sb.addLocked(Event{Chat: id, From: "user", ID: msg, Kind: "text", Text: part, Thread: thread})
		if first == 0 {
			first = msg
		}
	}
	return first, nil
}

// telegramLimit is the longest text Telegram sends as one message.
const telegramLimit = 4096

// splitText splits a long text the way Telegram's apps do: into messages of
// at most telegramLimit characters, each cut at the last space before the
// limit when there is one near it.
func splitText(text string) []string {
	var parts []string
	r := []rune(text)
	for len(r) > telegramLimit {
		cut := telegramLimit
		for i := telegramLimit; i > telegramLimit-200; i-- {
			if r[i-1] == ' ' || r[i-1] == '\n' {
				cut = i
				break
			}
		}
		parts = append(parts, string(r[:cut]))
		r = r[cut:]
	}
	return append(parts, string(r))
}

// sendPhoto sends a sample photo with a caption.
func (sb *Sandbox) sendPhoto(id int64, caption string) (int, error) {
	return sb.sendMedia(id, "photo", caption)
}

// sendMedia sends a sample of a kind of media: a photo or a document with
// a caption, a voice message or a sticker (no caption).
func (sb *Sandbox) sendMedia(id int64, kind, caption string) (int, error) {
	u := sb.byID[id]
	if u == nil || u.u == nil {
		return 0, errNoUser
	}
	if utf8.RuneCountInString(caption) > 1024 {
		return 0, errLongText
	}
	sb.mu.Lock()
	defer sb.mu.Unlock()
	var msg int
	switch kind {
	case "photo":
		msg = u.u.SendPhoto(caption)
	case "document":
		msg = u.u.SendDocument("document.pdf", caption)
	case "voice":
		msg, caption = u.u.SendVoice(), ""
	case "sticker":
		msg, caption = u.u.SendSticker(), ""
	default:
		return 0, errNoKind
	}
	sb.addLocked(Event{Chat: id, From: "user", ID: msg, Kind: kind, Text: caption})
	return msg, nil
}

// press presses an inline button of a message in the user's chat.
func (sb *Sandbox) press(id int64, message int, data string) error {
	u := sb.byID[id]
	switch {
	case u == nil:
		return errNoUser
	case id == ForumChat: // the volunteer presses in the group
		sb.forum.PressData(sb.byID[volunteerID].u, message, data)
	default:
		u.u.PressData(message, data)
	}
	return nil
}

// routes is the page and its API, under /<token>/, for loopback hosts only.
func (sb *Sandbox) routes(token string) http.Handler {
	inner := http.StripPrefix("/"+token, sb.api())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host) {
			// DNS rebinding: a page on evil.example resolving to 127.0.0.1
			// sends its own Host.
			http.Error(w, "the sandbox answers only on 127.0.0.1, localhost or [::1]", http.StatusMisdirectedRequest)
			return
		}
		if r.URL.Path == "/"+token {
			http.Redirect(w, r, "/"+token+"/", http.StatusFound)
			return
		}
		if !strings.HasPrefix(r.URL.Path, "/"+token+"/") {
			http.NotFound(w, r)
			return
		}
		inner.ServeHTTP(w, r)
	})
}

// loopbackHost reports whether a Host header names this machine's loopback.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// api is the page and its JSON API.
func (sb *Sandbox) api() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(Files, "static") // cannot fail: the folder is embedded
	mux.Handle("GET /", http.FileServerFS(static))
	mux.HandleFunc("GET /api/state", sb.serveState)
	mux.HandleFunc("GET /api/events", sb.serveEvents)
	mux.HandleFunc("POST /api/send", sb.serveSend)
	mux.HandleFunc("POST /api/photo", sb.servePhoto)
	mux.HandleFunc("POST /api/media", sb.serveMedia)
	mux.HandleFunc("POST /api/press", sb.servePress)
	mux.HandleFunc("POST /api/lang", sb.serveLang)
	return mux
}

func (sb *Sandbox) serveState(w http.ResponseWriter, r *http.Request) {
	cmds := map[string][]models.BotCommand{}
	for _, l := range []string{"ru", "en"} {
		cmds[l] = sb.tg.Commands(l)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"bot":      sb.tg.BotUsername(),
		"users":    sb.users,
		"commands": cmds,
		"metrics":  sb.metrics,
	})
}

func (sb *Sandbox) serveEvents(w http.ResponseWriter, r *http.Request) {
	since, _ := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
	wait := sb.wait
	if ms, err := strconv.Atoi(r.URL.Query().Get("wait_ms")); err == nil && ms >= 0 && time.Duration(ms)*time.Millisecond < wait {
		wait = time.Duration(ms) * time.Millisecond
	}
	events := sb.since(r.Context(), since, wait)
	writeJSON(w, http.StatusOK, map[string]any{"events": events, "topics": sb.topics()})
}

// apiRequest is the body of the page's POST requests.
type apiRequest struct {
	User    int64  `json:"user"`
	Thread  int    `json:"thread"` // the forum topic the team column writes in; 0: general
	Text    string `json:"text"`
	Message int    `json:"message"`
	Data    string `json:"data"`
	Lang    string `json:"lang"`
	Kind    string `json:"kind"` // of media: photo, document, voice, sticker
}

// readRequest decodes a POST body. JSON only: a cross-site form cannot send
// it without a preflight the sandbox does not answer.
func readRequest(w http.ResponseWriter, r *http.Request) (apiRequest, bool) {
	var req apiRequest
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeJSON(w, http.StatusUnsupportedMediaType, map[string]string{"error": "want application/json"})
		return req, false
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "malformed JSON"})
		return req, false
	}
	return req, true
}

func (sb *Sandbox) serveSend(w http.ResponseWriter, r *http.Request) {
	req, ok := readRequest(w, r)
	if !ok {
		return
	}
	id, err := sb.sendText(req.User, req.Text, req.Thread)
	answer(w, map[string]int{"message": id}, err)
}

func (sb *Sandbox) servePhoto(w http.ResponseWriter, r *http.Request) {
	req, ok := readRequest(w, r)
	if !ok {
		return
	}
	id, err := sb.sendPhoto(req.User, req.Text)
	answer(w, map[string]int{"message": id}, err)
}

func (sb *Sandbox) serveMedia(w http.ResponseWriter, r *http.Request) {
	req, ok := readRequest(w, r)
	if !ok {
		return
	}
	id, err := sb.sendMedia(req.User, req.Kind, req.Text)
	answer(w, map[string]int{"message": id}, err)
}

func (sb *Sandbox) servePress(w http.ResponseWriter, r *http.Request) {
	req, ok := readRequest(w, r)
	if !ok {
		return
	}
	answer(w, map[string]bool{"ok": true}, sb.press(req.User, req.Message, req.Data))
}

// serveLang switches a user's language the way a user does: /language.
func (sb *Sandbox) serveLang(w http.ResponseWriter, r *http.Request) {
	req, ok := readRequest(w, r)
	if !ok {
		return
	}
	if req.Lang != "ru" && req.Lang != "en" {
		answer(w, nil, errNoLang)
		return
	}
	if req.User == ForumChat {
		answer(w, nil, errNoUser) // the group's language is HOTLINE_FORUM_LANG
		return
	}
	id, err := sb.sendText(req.User, "/language "+req.Lang, 0)
	answer(w, map[string]int{"message": id}, err)
}

func answer(w http.ResponseWriter, v any, err error) {
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Config is the sandbox's own setting.
type Config struct {
	Addr string // SANDBOX_ADDR: where the page is served
	// DatabaseURL, SANDBOX_DATABASE_URL, is the sandbox's own database;
	// empty: DATABASE_URL's server, its database's name + "_sandbox".
	DatabaseURL string
	// Pipeline adjusts the bot's pipeline options; tests make it faster.
	Pipeline func(*pipeline.Options)
	// Forum, SANDBOX_FORUM=1, gives the team a forum group (a supergroup
	// with topics) where the volunteer is a member: a fourth column, and
	// the bot works the cases there (HOTLINE_FORUM_CHAT).
	Forum bool
}

// ForumChat is the team's forum group in a sandbox with Config.Forum.
const ForumChat = -1009999000001

func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{Addr: "127.0.0.1:8090"}
	if v := strings.TrimSpace(getenv("SANDBOX_ADDR")); v != "" {
		if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
			return c, &config.Error{Name: "SANDBOX_ADDR", Problem: "is malformed: want host:port or :port"}
		}
		c.Addr = v
	}
	switch v := strings.TrimSpace(getenv("SANDBOX_FORUM")); v {
	case "", "0", "false":
	case "1", "true":
		c.Forum = true
	default:
		return c, &config.Error{Name: "SANDBOX_FORUM", Problem: "is malformed: want 1 or 0"}
	}
	if v := strings.TrimSpace(getenv("SANDBOX_DATABASE_URL")); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
			return c, &config.Error{Name: "SANDBOX_DATABASE_URL", Problem: "is malformed: want postgres://user@host:port/db"}
		}
		c.DatabaseURL = v
	}
	return c, nil
}

// Command is `hotline sandbox`.
func Command(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(getenv, config.Need{Database: true, Redis: true})
	if err != nil {
		return err
	}
	sc, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	if strings.TrimSpace(getenv("LISTEN_ADDR")) == "" {
		cfg.ListenAddr = "127.0.0.1:0" // not :8080, which a real bot may hold
	}
	return Run(ctx, cfg, sc, app.NewLogger(stderr, cfg.LogLevel), stdout, nil)
}

// Run runs the bot against a fresh fake Telegram and serves the page
// until ctx is cancelled. ready, when not nil, is told the sandbox, the
// page's URL (with its token, without the final slash) and the running
// bot's parts (tests use it).
func Run(ctx context.Context, cfg config.Config, sc Config, log *slog.Logger, out io.Writer,
	ready func(sb *Sandbox, addr string, srv *app.Server)) error {
	dbURL, key, err := ownDatabase(ctx, cfg.DatabaseURL, sc.DatabaseURL)
	if err != nil {
		return err
	}
	cfg.DatabaseURL, cfg.DatabaseOwnerURL = dbURL, ""
	cfg.DataKey, cfg.OldDataKeys = key, nil
	if err := addCoordinator(ctx, cfg); err != nil {
		return err
	}
	token, err := newToken()
	if err != nil {
		return err
	}
	tg := telegramtest.New(telegramtest.WithBotUsername("hotline_sandbox_bot"))
	defer tg.Close()
	cfg.Token, cfg.APIURL = tg.Token(), tg.URL()
	cfg.RedisPrefix += "sandbox:"
	cfg.Admins = nil                           // the real bot's admins have no business here
	cfg.WebhookURL, cfg.WebhookSecret = "", "" // the fake cannot reach a public URL
	if err := WipeRedisPrefix(ctx, cfg.RedisURL, cfg.RedisPrefix); err != nil {
		return err
	}
	sb := newSandbox(tg)
	if sc.Forum {
		sb.addForum()
		cfg.ForumChat = ForumChat
	}
	endPolls := sync.OnceFunc(func() { close(sb.closed) })
	defer endPolls()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	up := make(chan *app.Server, 1)
	done := make(chan error, 1)
	go func() {
		done <- app.Serve(ctx, cfg, log, app.Hooks{Pipeline: sc.Pipeline, Started: func(s *app.Server) { up <- s }})
	}()
	var srv *app.Server
	select {
	case srv = <-up:
	case err := <-done:
		return err
	}
	sb.metrics = "http://" + srv.Addr + "/metrics"
	ln, err := net.Listen("tcp", sc.Addr)
	if err != nil {
		cancel()
		<-done
		return fmt.Errorf("sandbox: listen %s: %w", sc.Addr, err)
	}
	web := &http.Server{Handler: sb.routes(token), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = web.Serve(ln) }()
	page := "http://" + ln.Addr().String() + "/" + token
	fmt.Fprintf(out, "sandbox: open %s/ to chat with the bot as a relative, a volunteer and a friend (metrics: %s)\n",
		page, sb.metrics)
	// The page's path is its password: it goes to the terminal, not the log.
	log.Info("sandbox started", "addr", ln.Addr().String(), "telegram", tg.URL())
	if ready != nil {
		ready(sb, page, srv)
	}
	err = <-done
	shutdown, stop := context.WithTimeout(context.Background(), 3*time.Second)
	defer stop()
	endPolls() // so that Shutdown need not wait for the long polls
	if web.Shutdown(shutdown) != nil {
		_ = web.Close()
	}
	return err
}

// WipeRedisPrefix deletes the keys under prefix: the state of an earlier
// sandbox, which refers to a fake Telegram that is gone.
func WipeRedisPrefix(ctx context.Context, url, prefix string) error {
	if !strings.Contains(prefix, "sandbox:") {
		return fmt.Errorf("sandbox: refusing to wipe Redis keys under %q", prefix)
	}
	rdb, err := storage.OpenRedis(ctx, url)
	if err != nil {
		return err
	}
	defer rdb.Close()
	iter := rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			if err := rdb.Del(ctx, batch...).Err(); err != nil {
				return fmt.Errorf("sandbox: wipe redis: %w", err)
			}
			batch = batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("sandbox: wipe redis: %w", err)
	}
	if len(batch) > 0 {
		if err := rdb.Del(ctx, batch...).Err(); err != nil {
			return fmt.Errorf("sandbox: wipe redis: %w", err)
		}
	}
	return nil
}

// newToken is the random path the page is served under.
func newToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("sandbox: token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// ErrNotSandbox is returned when the sandbox's database holds cases the
// sandbox did not create: most likely the real bot's.
var ErrNotSandbox = errors.New("sandbox: the database holds cases the sandbox did not create; give SANDBOX_DATABASE_URL a database of its own")

// ownDatabase returns the sandbox's database, made when it is the default
// one and missing, and its data key. The key is made with the database's
// mark, the hotline_sandbox table, on its first start; a database with
// cases and without the mark is refused (ErrNotSandbox).
func ownDatabase(ctx context.Context, botURL, sandboxURL string) (string, []byte, error) {
	if sandboxURL == "" {
		u, err := url.Parse(botURL)
		if err != nil {
			return "", nil, fmt.Errorf("sandbox: DATABASE_URL: %w", err)
		}
		name := strings.TrimPrefix(u.Path, "/") + "_sandbox"
		if err := createDatabase(ctx, botURL, name); err != nil {
			return "", nil, err
		}
		u.Path = "/" + name
		sandboxURL = u.String()
	}
	if sameDatabase(botURL, sandboxURL) {
		return "", nil, fmt.Errorf("sandbox: SANDBOX_DATABASE_URL is the bot's own database: %w", ErrNotSandbox)
	}
	db, err := storage.OpenPostgres(ctx, sandboxURL)
	if err != nil {
		return "", nil, fmt.Errorf("sandbox: %w", err)
	}
	defer db.Close()
	var key []byte
	err = db.GetContext(ctx, &key, `SELECT data_key FROM hotline_sandbox LIMIT 1`)
	if err == nil {
		return sandboxURL, key, nil
	}
	var hasTable bool
	if err := db.GetContext(ctx, &hasTable, `SELECT to_regclass('cases') IS NOT NULL`); err != nil {
		return "", nil, fmt.Errorf("sandbox: look for cases: %w", err)
	}
	if hasTable {
		var n int
		if err := db.GetContext(ctx, &n, `SELECT count(*) FROM cases`); err != nil {
			return "", nil, fmt.Errorf("sandbox: count cases: %w", err)
		}
		if n > 0 {
			return "", nil, ErrNotSandbox
		}
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return "", nil, fmt.Errorf("sandbox: data key: %w", err)
	}
	if _, err := db.ExecContext(ctx, `
		CREATE TABLE hotline_sandbox (data_key bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
		COMMENT ON TABLE hotline_sandbox IS 'hotline sandbox: fake data only; its data key, never the real one'`); err != nil {
		return "", nil, fmt.Errorf("sandbox: mark the database: %w", err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO hotline_sandbox (data_key) VALUES ($1)`, key); err != nil {
		return "", nil, fmt.Errorf("sandbox: mark the database: %w", err)
	}
	return sandboxURL, key, nil
}

// sameDatabase reports whether two Postgres URLs name one database.
func sameDatabase(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return a == b
	}
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		return "5432"
	}
	return strings.EqualFold(ua.Hostname(), ub.Hostname()) && port(ua) == port(ub) && ua.Path == ub.Path
}

// createDatabase makes the database name on the server of url when it is
// missing.
func createDatabase(ctx context.Context, serverURL, name string) error {
	db, err := storage.OpenPostgres(ctx, serverURL)
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	defer db.Close()
	var exists bool
	if err := db.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name); err != nil {
		return fmt.Errorf("sandbox: look for database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name)); err != nil {
		return fmt.Errorf("sandbox: create database %s (or give SANDBOX_DATABASE_URL): %w", name, err)
	}
	return nil
}

// addCoordinator migrates the sandbox's database and makes the page's
// volunteer a coordinator there.
func addCoordinator(ctx context.Context, cfg config.Config) error {
	db, err := app.OpenDatabase(ctx, cfg)
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	defer db.Close()
	if err := storage.NewVolunteers(db).Add(ctx, volunteerID, flows.RoleCoordinator, 0); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	return nil
}
