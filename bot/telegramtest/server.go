// Package telegramtest is a fake Telegram Bot API server for tests,
// benchmarks and the sandbox: the real bot talks HTTP to it as it would to
// api.telegram.org, and a test plays the users through its Go API.
//
// It speaks the Bot API's wire format (https://core.telegram.org/bots/api):
// calls to URL()+"/bot"+token+"/"+method with multipart/form-data,
// application/json, urlencoded bodies or a query string, answered with
// {"ok":true,"result":…} or {"ok":false,"error_code":…,"description":…}.
// It delivers updates by long polling or by webhook, refuses what Telegram
// refuses (unbalanced HTML, a 4097-character text, a button with 65 bytes of
// data) with Telegram's words, and can inject faults and enforce Telegram's
// rate limits.
//
// Not emulated: inline mode, payments, privacy mode (in a group the bot gets
// every message), entities Telegram detects in users' text other than a
// leading /command, webhook HTTPS and port rules, time limits on edits and
// callback answers, and fetching files from URLs.
//
// Latency: every update records when it became available
// (UpdateAvailableAt), and every bot message records when the server
// received the call (Message.At) and the chat's latest update before it
// (Message.LastUpdateAt), so At minus LastUpdateAt is the reply latency.
package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// Server is a fake Bot API server listening on loopback.
type Server struct {
	token    string
	username string
	botID    int64
	limits   *Limits
	backoff  [2]time.Duration // webhook redelivery: first and longest wait
	wait     time.Duration    // how long Next waits
	addr     string
	url      string
	srv      *http.Server
	client   *http.Client // webhook deliveries
	closed   chan struct{}
	stop     context.CancelFunc
	stopCtx  context.Context
	closeMu  sync.Once
	workers  sync.WaitGroup
	hookWake chan struct{}
	now      func() time.Time // the limits' clock; tests stop it

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced whenever updates or webhook state change
	chats     map[int64]*chat
	files     map[string]*file
	nextFile  int
	pending   []*update // not yet confirmed, in update_id order
	lastID    int64
	batch     int       // depth of Batch calls
	staged    []*update // made inside Batch, not yet available
	avail     []time.Time
	recent    map[int64][]byte // JSON of recent updates, for UpdateJSON and Redeliver
	pollGen   int64
	allowed   []string // nil: Telegram's default
	webhook   *webhook
	inflight  int // webhook requests in flight
	commands  map[string][]models.BotCommand
	callbacks map[string]*callback
	nextCB    int64
	answered  int // callback queries answered
	faults    []*Fault
	sent      []time.Time // accepted messages in the last second, for Limits.Global
	stats     Stats
	hooks     []func(*Message)
	hookQueue []*Message
}

// Option configures a Server.
//
// The project's constructors take one options struct (flows.Config,
// pipeline.Options, storage.MigrateOptions, config.Config): zero fields
// take defaults, and the whole configuration is one value that can be
// printed and checked. This fake alone keeps go-telegram/bot's WithX
// functions, because it imitates that library's server for tests written
// against it and its options only tune the fake; it is not a pattern for
// the bot's own code.
type Option func(*Server)

// WithToken sets the bot token the server accepts (default "123456:TEST-TOKEN").
// The digits before the colon are the bot's user id, as at Telegram.
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithBotUsername sets the bot's username (default "hotline_test_bot").
func WithBotUsername(name string) Option { return func(s *Server) { s.username = name } }

// WithLimits makes the server enforce sending limits, answering 429 with a
// retry_after to messages over them; DefaultLimits are Telegram's.
func WithLimits(l Limits) Option { return func(s *Server) { s.limits = &l } }

// WithRedelivery sets the webhook's wait before redelivering after a
// failure: first, doubling up to longest (default 50 ms and 1 s; Telegram's
// are longer, tests want them short).
func WithRedelivery(first, longest time.Duration) Option {
	return func(s *Server) { s.backoff = [2]time.Duration{first, longest} }
}

// WithWait sets how long User.Next and Group.Next wait (default 30 s:
// long enough for a loaded 2-core machine running many tests at once; a
// message that never comes fails the test all the same, later).
func WithWait(d time.Duration) Option { return func(s *Server) { s.wait = d } }

// WithAddr makes the server listen on addr instead of a free loopback port
// (the sandbox wants a fixed one).
func WithAddr(addr string) Option { return func(s *Server) { s.addr = addr } }

// New starts a server listening on 127.0.0.1 on a free port.
func New(opts ...Option) *Server {
	s := &Server{
		token:     "123456:TEST-TOKEN",
		username:  "hotline_test_bot",
		backoff:   [2]time.Duration{50 * time.Millisecond, time.Second},
		wait:      30 * time.Second,
		now:       time.Now,
		closed:    make(chan struct{}),
		hookWake:  make(chan struct{}, 1),
		changed:   make(chan struct{}),
		chats:     map[int64]*chat{},
		files:     map[string]*file{},
		recent:    map[int64][]byte{},
		commands:  map[string][]models.BotCommand{},
		callbacks: map[string]*callback{},
	}
	for _, o := range opts {
		o(s)
	}
	s.botID, _ = strconv.ParseInt(strings.SplitN(s.token, ":", 2)[0], 10, 64)
	s.stats.Calls = map[string]int{}
	s.stopCtx, s.stop = context.WithCancel(context.Background())
	// Telegram keeps its webhook connections open, up to max_connections
	// (at most 100) at once; the default two idle connections per host
	// would open a new one for nearly every delivery.
	s.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: 100,
		IdleConnTimeout:     90 * time.Second,
	}}

	addr := s.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		panic(fmt.Sprintf("telegramtest: listen on %s: %v", addr, err)) // as httptest does: a test cannot go on
	}
	s.url = "http://" + l.Addr().String()
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}

	s.workers.Add(3)
	go func() {
		defer s.workers.Done()
		_ = s.srv.Serve(l) // returns when Close shuts the server down
	}()
	go s.webhookLoop()
	go s.hookLoop()
	return s
}

// URL is the base URL: the bot calls URL()+"/bot"+Token()+"/"+method.
func (s *Server) URL() string { return s.url }

// Token is the bot token the server accepts.
func (s *Server) Token() string { return s.token }

// BotUsername is the bot's username, without the @.
func (s *Server) BotUsername() string { return s.username }

// BotID is the bot's user id.
func (s *Server) BotID() int64 { return s.botID }

// Close stops the server: long polls return, webhook deliveries stop, and
// Next returns ErrClosed.
func (s *Server) Close() {
	s.closeMu.Do(func() {
		close(s.closed)
		s.stop()
		s.mu.Lock()
		s.signalLocked()
		s.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if s.srv.Shutdown(ctx) != nil {
			_ = s.srv.Close()
		}
		s.workers.Wait()
		s.client.CloseIdleConnections()
	})
}

// Stats are counters of what the server saw.
type Stats struct {
	Calls           map[string]int // API calls by method name (Telegram's spelling)
	TooManyRequests int            // 429s answered, by Limits and by Faults
	EarlyRetries    int            // messages to a chat sooner than a 429 told the bot to wait
	Delivered       int            // bot messages delivered: sent, copied, forwarded or edited
	Updates         int            // updates made available
	WebhookPosts    int            // webhook requests made
	WebhookFailures int            // webhook requests that failed or got no 2xx
	Faults          int            // calls hit by a Fault
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Calls = make(map[string]int, len(s.stats.Calls))
	for k, v := range s.stats.Calls {
		st.Calls[k] = v
	}
	return st
}

// EarlyRetries counts messages to a chat that arrived before the
// retry_after of a 429 given for that chat had passed.
func (s *Server) EarlyRetries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats.EarlyRetries
}

// Fault is a failure injected into the API: calls that match it (by method
// and chat) get it instead of, or on top of, their normal answer.
type Fault struct {
	Method      string        // "" matches any method; Telegram's spelling, case-insensitive
	ChatID      int64         // 0 matches any chat (and calls without one)
	Status      int           // answer with this error code: 429, 500, 502…; 0 answers normally (after Delay)
	RetryAfter  int           // a 429's retry_after in seconds (1 when 0)
	Description string        // overrides the usual description
	Delay       time.Duration // wait this long before answering
	Drop        bool          // close the connection without an answer
	Times       int           // how many calls it hits; 0 until ClearFaults
	// Handled carries the call out before the fault answers, as when
	// Telegram delivered a message but its answer was lost.
	Handled bool
}

// Fault adds a fault; faults are tried in the order they were added, and a
// call gets the first that matches.
func (s *Server) Fault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times == 0 {
		f.Times = -1
	}
	s.faults = append(s.faults, &f)
}

// ClearFaults removes all faults.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// faultLocked takes the first fault matching a call, using one of its times.
func (s *Server) faultLocked(method string, chatID int64) *Fault {
	for i, f := range s.faults {
		if f.Method != "" && !strings.EqualFold(f.Method, method) {
			continue
		}
		if f.ChatID != 0 && f.ChatID != chatID {
			continue
		}
		hit := *f
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		s.stats.Faults++
		return &hit
	}
	return nil
}

// OnMessage registers fn to be called with every bot message delivered, in
// the order they were delivered, from a goroutine of the server's; fn should
// return quickly.
func (s *Server) OnMessage(fn func(*Message)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = append(s.hooks, fn)
}

// hookLoop calls the OnMessage functions outside the lock, so that they may
// use the server.
func (s *Server) hookLoop() {
	defer s.workers.Done()
	for {
		select {
		case <-s.closed:
			return
		case <-s.hookWake:
		}
		s.mu.Lock()
		queue, hooks := s.hookQueue, s.hooks
		s.hookQueue = nil
		s.mu.Unlock()
		for _, m := range queue {
			for _, fn := range hooks {
				fn(m)
			}
		}
	}
}

// signalLocked wakes everyone waiting for a change: long polls, the webhook.
func (s *Server) signalLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// call is one API call being handled.
type call struct {
	ctx    context.Context
	method string
	p      params
	at     time.Time
}

// described is a result that comes with a description, as setWebhook's does.
type described struct {
	result any
	desc   string
}

// handler handles a call with s.mu held.
type handler func(s *Server, c *call) (any, *apiError)

// methods maps a lower-case method name to its spelling and handler;
// Telegram's method names are case-insensitive.
var methods = map[string]struct {
	name string
	fn   handler
}{}

func init() {
	for name, fn := range map[string]handler{
		"getMe":                  (*Server).getMe,
		"getUpdates":             (*Server).getUpdates,
		"setWebhook":             (*Server).setWebhook,
		"deleteWebhook":          (*Server).deleteWebhook,
		"getWebhookInfo":         (*Server).getWebhookInfo,
		"sendMessage":            (*Server).sendMessage,
		"forwardMessage":         (*Server).forwardMessage,
		"copyMessage":            (*Server).copyMessage,
		"sendPhoto":              mediaSender("photo"),
		"sendDocument":           mediaSender("document"),
		"sendVoice":              mediaSender("voice"),
		"sendVideo":              mediaSender("video"),
		"sendAudio":              mediaSender("audio"),
		"sendAnimation":          mediaSender("animation"),
		"sendSticker":            mediaSender("sticker"),
		"sendLocation":           (*Server).sendLocation,
		"sendContact":            (*Server).sendContact,
		"sendChatAction":         (*Server).sendChatAction,
		"editMessageText":        (*Server).editMessageText,
		"editMessageCaption":     (*Server).editMessageCaption,
		"editMessageReplyMarkup": (*Server).editMessageReplyMarkup,
		"deleteMessage":          (*Server).deleteMessage,
		"answerCallbackQuery":    (*Server).answerCallbackQuery,
		"setMyCommands":          (*Server).setMyCommands,
		"getMyCommands":          (*Server).getMyCommands,
		"deleteMyCommands":       (*Server).deleteMyCommands,
		"leaveChat":              (*Server).leaveChat,
		"getChat":                (*Server).getChat,
		"getFile":                (*Server).getFile,
		"createForumTopic":       (*Server).createForumTopic,
		"editForumTopic":         (*Server).editForumTopic,
		"closeForumTopic":        (*Server).closeForumTopic,
		"reopenForumTopic":       (*Server).reopenForumTopic,
		"deleteForumTopic":       (*Server).deleteForumTopic,
		"pinChatMessage":         (*Server).pinChatMessage,
		"getChatMember":          (*Server).getChatMember,
		"banChatMember":          (*Server).banChatMember,
		"unbanChatMember":        (*Server).unbanChatMember,
		"createChatInviteLink":   (*Server).createChatInviteLink,
		"revokeChatInviteLink":   (*Server).revokeChatInviteLink,
	} {
		methods[strings.ToLower(name)] = struct {
			name string
			fn   handler
		}{name, fn}
	}
}

// tokenRe is what a bot token looks like; a call with a malformed one is
// Not Found at Telegram, a well-formed wrong one Unauthorized.
var tokenRe = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)

// ServeHTTP serves the Bot API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	if strings.HasPrefix(r.URL.Path, "/file/bot") {
		s.serveFile(w, r)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		writeError(w, errNotFound)
		return
	}
	if token != s.token {
		if tokenRe.MatchString(token) {
			writeError(w, errUnauthorized)
		} else {
			writeError(w, errNotFound)
		}
		return
	}
	m, known := methods[strings.ToLower(method)]
	name := method
	if known {
		name = m.name
	}
	p, perr := readParams(r)

	s.mu.Lock()
	s.stats.Calls[name]++
	chatID, _ := p.chatID("chat_id")
	f := s.faultLocked(name, chatID)
	s.mu.Unlock()

	if f != nil && f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.closed:
			t.Stop()
		}
	}
	failing := f != nil && (f.Drop || f.Status != 0)
	if failing && !f.Handled {
		s.fail(w, f, chatID)
		return
	}

	var (
		result any
		aerr   *apiError
	)
	switch {
	case perr != nil:
		aerr = perr
	case !known:
		aerr = errNotFound
	default:
		result, aerr = s.dispatch(r.Context(), m.fn, name, p, at)
	}
	if failing {
		s.fail(w, f, chatID)
		return
	}
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	writeResult(w, result)
}

// dispatch runs a handler with the lock held, then hands what it delivered
// to the OnMessage functions.
func (s *Server) dispatch(ctx context.Context, fn handler, name string, p params, at time.Time) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fn(s, &call{ctx: ctx, method: name, p: p, at: at})
}

// fail answers a call with a fault.
func (s *Server) fail(w http.ResponseWriter, f *Fault, chatID int64) {
	if f.Drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler) // closes the connection without an answer
	}
	e := &apiError{code: f.Status, desc: f.Description}
	switch {
	case f.Status == http.StatusTooManyRequests:
		ra := max(f.RetryAfter, 1)
		e = tooMany(ra)
		if f.Description != "" {
			e.desc = f.Description
		}
		s.mu.Lock()
		s.stats.TooManyRequests++
		if c := s.chats[chatID]; c != nil {
			c.retryUntil = s.now().Add(time.Duration(ra) * time.Second)
		}
		s.mu.Unlock()
	case f.Status >= 502 && f.Status <= 504 && f.Description == "":
		// Telegram's front end answers these itself, with an HTML page
		// rather than the API's JSON.
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, "<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n",
			f.Status, http.StatusText(f.Status), f.Status, http.StatusText(f.Status))
		return
	case e.desc == "":
		switch f.Status {
		case http.StatusBadRequest:
			e.desc = "Bad Request"
		case http.StatusForbidden:
			e.desc = "Forbidden"
		default:
			e.desc = http.StatusText(f.Status)
		}
	}
	writeError(w, e)
}

func writeResult(w http.ResponseWriter, result any) {
	desc := ""
	if d, ok := result.(described); ok {
		result, desc = d.result, d.desc
	}
	raw, ok := result.(json.RawMessage)
	if !ok {
		var err error
		if raw, err = json.Marshal(result); err != nil {
			writeError(w, &apiError{code: http.StatusInternalServerError, desc: "Internal Server Error"})
			return
		}
	}
	var b bytes.Buffer
	b.Grow(len(raw) + 64)
	b.WriteString(`{"ok":true,"result":`)
	b.Write(raw)
	if desc != "" {
		d, _ := json.Marshal(desc)
		b.WriteString(`,"description":`)
		b.Write(d)
	}
	b.WriteString("}")
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	_, _ = w.Write(b.Bytes())
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := struct {
		OK          bool   `json:"ok"`
		ErrorCode   int    `json:"error_code"`
		Description string `json:"description"`
		Parameters  *struct {
			RetryAfter      int   `json:"retry_after,omitempty"`
			MigrateToChatID int64 `json:"migrate_to_chat_id,omitempty"`
		} `json:"parameters,omitempty"`
	}{ErrorCode: e.code, Description: e.desc}
	if e.retryAfter > 0 || e.migrateTo != 0 {
		body.Parameters = &struct {
			RetryAfter      int   `json:"retry_after,omitempty"`
			MigrateToChatID int64 `json:"migrate_to_chat_id,omitempty"`
		}{e.retryAfter, e.migrateTo}
	}
	raw, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(raw)))
	w.WriteHeader(e.code)
	_, _ = w.Write(raw)
}

// getMe is https://core.telegram.org/bots/api#getme.
func (s *Server) getMe(*call) (any, *apiError) {
	return wireMe{wireUser: s.botUser(), CanJoinGroups: true}, nil
}

func (s *Server) botUser() wireUser {
	return wireUser{ID: s.botID, IsBot: true, FirstName: "Hotline Test Bot", Username: s.username}
}
