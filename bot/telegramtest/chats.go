package telegramtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// Errors of the Go API.
var (
	ErrNoMessage     = errors.New("no bot message in time")
	ErrClosed        = errors.New("server closed")
	ErrUnknownUpdate = errors.New("unknown or too old update")
)

// Message is a message the bot sent, copied, forwarded or edited, as the
// user sees it.
type Message struct {
	ID        int
	ChatID    int64
	Method    string // the call that made it: sendMessage, editMessageText, copyMessage…
	Text      string // the text as the bot sent it (with its markup), or the copied text
	ParseMode string // the parse_mode the bot gave
	Buttons   [][]Button
	Edited    bool
	Kind      string // text, photo, document, voice, video, audio, animation, sticker, location, contact
	Caption   string // the caption as the bot sent it, or the copied caption
	ReplyTo   int    // the message it replies to, 0 when none
	ThreadID  int    // the forum topic it is in, 0 when none
	Protected bool   // sent with protect_content: it cannot be forwarded or saved
	At        time.Time

	Plain         string                 // text or caption as the user reads it: markup parsed, trimmed
	Entities      []models.MessageEntity // of Plain
	Keyboard      [][]string             // a reply keyboard's buttons, when the bot sent one
	FileID        string                 // of the photo (largest size), document, voice…
	FileName      string
	Location      *models.Location
	Contact       *models.Contact
	FromChatID    int64 // for copies and forwards: where the original is
	FromMessageID int
	LastUpdateID  int64     // the chat's latest update before the call
	LastUpdateAt  time.Time // when it became available; At minus this is the reply latency
	JSON          json.RawMessage
}

// Button is an inline keyboard button.
type Button struct {
	Text, Data, URL string
}

// chat is a private chat or a group, with everything in it.
type chat struct {
	id    int64
	typ   string // private, group, supergroup
	title string
	user  *User // a private chat's user

	nextMsg int
	msgs    map[int]*stored
	events  []*Message // the bot's messages, for Next
	cursor  int
	notify  chan struct{}

	blocked bool // private: the user blocked the bot
	member  bool // group: the bot is in it
	kicked  bool // group: the bot was removed

	lastUpdateID int64
	lastUpdateAt time.Time

	whInflight bool
	whAttempts int
	whRetryAt  time.Time
	swap       bool
	swapID     int64

	tokens     float64
	tokensAt   time.Time
	sent       []time.Time // groups: accepted messages in the last minute
	retryUntil time.Time

	forum  bool           // a supergroup with topics enabled
	topics map[int]*Topic // by message_thread_id
	pinned map[int]int    // thread (0: the chat itself) → pinned message id

	members  map[int64]string // group: user → member, kicked or left (members.go)
	bans     map[int64]int    // group: user → times banned
	botAdmin *Rights          // group: the bot's rights when it is an admin

	migratedTo int64         // a group that became a supergroup: its new id
	links      []*InviteLink // invite links the bot made
}

func (c *chat) group() bool { return c.typ != "private" }

// stored is a message in a chat, from the user or from the bot.
type stored struct {
	w         wireMessage
	fromBot   bool
	kind      string
	raw       string // text or caption as the bot sent it
	parseMode string
	fileID    string
	fileName  string
	keyboard  [][]string
	deleted   bool
	service   bool
	fromChat  int64
	fromMsg   int
}

// chatLocked returns the chat, made on first use: a group when id < 0.
func (s *Server) chatLocked(id int64) *chat {
	c := s.chats[id]
	if c == nil {
		c = &chat{id: id, typ: "private", msgs: map[int]*stored{}, notify: make(chan struct{})}
		if id < 0 {
			c.typ = "group"
			if id <= -1_000_000_000_000 {
				c.typ = "supergroup"
			}
		}
		s.chats[id] = c
	}
	return c
}

func (s *Server) wireChat(c *chat) wireChat {
	w := wireChat{ID: c.id, Type: c.typ}
	if c.group() {
		w.Title = c.title
		w.AllMembersAreAdministrators = c.typ == "group"
		w.IsForum = c.forum
		return w
	}
	if u := c.user; u != nil {
		w.FirstName, w.LastName, w.Username = u.first, u.last, u.username
	}
	return w
}

// newMessageLocked numbers and stores a message in c.
func (s *Server) newMessageLocked(c *chat, st *stored, from *wireUser) *stored {
	c.nextMsg++
	st.w.MessageID = c.nextMsg
	st.w.Date = time.Now().Unix()
	st.w.Chat = s.wireChat(c)
	st.w.From = from
	c.msgs[st.w.MessageID] = st
	return st
}

// deliverLocked records a bot message (new or edited) for Next, Received
// and OnMessage.
func (s *Server) deliverLocked(c *chat, st *stored, cl *call, edited bool) *Message {
	raw, _ := json.Marshal(st.w)
	m := &Message{
		ID: st.w.MessageID, ChatID: c.id, Method: cl.method, Edited: edited,
		Kind: st.kind, ParseMode: st.parseMode, At: cl.at, Protected: st.w.HasProtected,
		FileID: st.fileID, FileName: st.fileName, Keyboard: st.keyboard,
		Location: st.w.Location, Contact: st.w.Contact,
		FromChatID: st.fromChat, FromMessageID: st.fromMsg,
		LastUpdateID: c.lastUpdateID, LastUpdateAt: c.lastUpdateAt,
		JSON: raw,
	}
	if st.kind == "text" {
		m.Text, m.Plain, m.Entities = st.raw, st.w.Text, st.w.Entities
	} else {
		m.Caption, m.Plain, m.Entities = st.raw, st.w.Caption, st.w.CaptionEntities
	}
	if st.w.ReplyToMessage != nil {
		m.ReplyTo = st.w.ReplyToMessage.MessageID
	}
	if st.w.IsTopicMessage {
		m.ThreadID = st.w.MessageThreadID
	}
	if mk := st.w.ReplyMarkup; mk != nil {
		for _, row := range mk.InlineKeyboard {
			var r []Button
			for _, b := range row {
				r = append(r, Button{Text: b.Text, Data: b.CallbackData, URL: b.URL})
			}
			m.Buttons = append(m.Buttons, r)
		}
	}
	c.events = append(c.events, m)
	close(c.notify)
	c.notify = make(chan struct{})
	s.stats.Delivered++
	if len(s.hooks) > 0 {
		s.hookQueue = append(s.hookQueue, m)
		select {
		case s.hookWake <- struct{}{}:
		default:
		}
	}
	return m
}

// next waits for the chat's next bot message.
func (s *Server) next(c *chat, d time.Duration) (*Message, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		s.mu.Lock()
		if c.cursor < len(c.events) {
			m := c.events[c.cursor]
			c.cursor++
			s.mu.Unlock()
			return m, nil
		}
		notify := c.notify
		s.mu.Unlock()
		select {
		case <-notify:
		case <-t.C:
			return nil, fmt.Errorf("chat %d: %w within %v", c.id, ErrNoMessage, d)
		case <-s.closed:
			return nil, fmt.Errorf("chat %d: %w", c.id, ErrClosed)
		}
	}
}

func (s *Server) received(c *chat) []*Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Message(nil), c.events...)
}

// User is a Telegram user in a private chat with the bot (chat id == user id).
type User struct {
	ID   int64
	Lang string // language_code: "ru", "en", "" …

	s        *Server
	c        *chat
	first    string
	last     string
	username string
}

// User returns the user with this id, made on first use with the language
// code lang and a first name; later calls return the same user.
func (s *Server) User(id int64, lang string) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatLocked(id)
	if c.user == nil {
		c.user = &User{ID: id, Lang: lang, s: s, c: c, first: "User " + strconv.FormatInt(id, 10)}
	}
	return c.user
}

// SetName changes the user's names (username without @; "" for none).
func (u *User) SetName(first, last, username string) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	u.first, u.last, u.username = first, last, username
}

func (u *User) wire() wireUser {
	return wireUser{ID: u.ID, FirstName: u.first, LastName: u.last, Username: u.username, LanguageCode: u.Lang}
}

// commandRe is a bot command at the start of a text.
var commandRe = regexp.MustCompile(`^/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,32})?`)

// textMessage is a text message as Telegram makes it from what a user typed.
func textMessage(text string) *stored {
	st := &stored{kind: "text", w: wireMessage{Text: text}}
	if loc := commandRe.FindStringIndex(text); loc != nil {
		st.w.Entities = []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: loc[1]}}
	}
	return st
}

// sendLocked makes a message from u in chat c and its update. In a group
// the bot is not in, the message is made but the bot gets no update.
func (s *Server) sendLocked(u *User, c *chat, st *stored) int {
	from := u.wire()
	s.newMessageLocked(c, st, &from)
	if c.group() && !c.member {
		return st.w.MessageID
	}
	w := st.w
	s.addUpdateLocked("message", c, func(up *wireUpdate) { up.Message = &w })
	return st.w.MessageID
}

func (u *User) send(st *stored) int {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return u.s.sendLocked(u, u.c, st)
}

// Send sends a text message; a leading /command gets a bot_command entity,
// so "/start c_ABC" is the start command with a payload. It returns the
// message id.
func (u *User) Send(text string) int { return u.send(textMessage(text)) }

// Reply sends a text message replying to message to.
func (u *User) Reply(to int, text string) int {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	st := textMessage(text)
	if orig := u.c.msgs[to]; orig != nil && !orig.deleted {
		r := orig.w
		r.ReplyToMessage = nil
		st.w.ReplyToMessage = &r
	}
	return u.s.sendLocked(u, u.c, st)
}

// Edit edits the user's text message, which the bot gets as edited_message.
func (u *User) Edit(messageID int, text string) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	st := u.c.msgs[messageID]
	if st == nil || st.fromBot || st.kind != "text" {
		return
	}
	st.w.Text = text
	st.w.Entities = textMessage(text).w.Entities
	st.w.EditDate = time.Now().Unix()
	w := st.w
	u.s.addUpdateLocked("edited_message", u.c, func(up *wireUpdate) { up.EditedMessage = &w })
}

// SendPhoto sends a photo (three sizes, as Telegram makes them).
func (u *User) SendPhoto(caption string) int {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return u.s.sendLocked(u, u.c, u.s.userMedia("photo", "", caption))
}

// SendDocument sends a file named name.
func (u *User) SendDocument(name, caption string) int {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return u.s.sendLocked(u, u.c, u.s.userMedia("document", name, caption))
}

// SendVoice sends a voice message.
func (u *User) SendVoice() int {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return u.s.sendLocked(u, u.c, u.s.userMedia("voice", "", ""))
}

// SendVideo sends a video.
func (u *User) SendVideo() int {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return u.s.sendLocked(u, u.c, u.s.userMedia("video", "", ""))
}

// SendSticker sends a sticker.
func (u *User) SendSticker() int {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return u.s.sendLocked(u, u.c, u.s.userMedia("sticker", "", ""))
}

// SendLocation sends a location.
func (u *User) SendLocation(lat, lon float64) int {
	return u.send(&stored{kind: "location", w: wireMessage{Location: &models.Location{Latitude: lat, Longitude: lon}}})
}

// SendContact sends a contact card.
func (u *User) SendContact(phone, name string) int {
	return u.send(&stored{kind: "contact", w: wireMessage{Contact: &models.Contact{PhoneNumber: phone, FirstName: name}}})
}

// Press presses the inline button labelled label on the message as it is
// now (the bot may have edited it), failing t when there is none.
func (u *User) Press(t testing.TB, m *Message, label string) {
	t.Helper()
	if err := u.press(m.ChatID, m.ID, label); err != nil {
		t.Fatalf("telegramtest: user %d: %v", u.ID, err)
	}
}

func (u *User) press(chatID int64, msgID int, label string) error {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return fmt.Errorf("no chat %d", chatID)
	}
	st := c.msgs[msgID]
	if st == nil || st.deleted {
		return fmt.Errorf("no message %d in chat %d", msgID, chatID)
	}
	var labels []string
	if mk := st.w.ReplyMarkup; mk != nil {
		for _, row := range mk.InlineKeyboard {
			for _, b := range row {
				if b.Text != label {
					labels = append(labels, b.Text)
					continue
				}
				if b.CallbackData == "" {
					return fmt.Errorf("button %q of message %d has no callback data", label, msgID)
				}
				s.callbackLocked(u, c, msgID, b.CallbackData)
				return nil
			}
		}
	}
	return fmt.Errorf("message %d has no button %q; its buttons: %q", msgID, label, labels)
}

// PressData sends a callback_query with any data on any message of the
// user's chat, as an old or forged button would.
func (u *User) PressData(messageID int, data string) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	u.s.callbackLocked(u, u.c, messageID, data)
}

// callback is a callback query the bot may answer.
type callback struct {
	answered bool
}

func (s *Server) callbackLocked(u *User, c *chat, msgID int, data string) {
	s.nextCB++
	id := strconv.FormatInt(s.botID<<24+s.nextCB, 10)
	s.callbacks[id] = &callback{}
	q := &wireCallback{ID: id, From: u.wire(), ChatInstance: strconv.FormatInt(c.id*7919+13, 10), Data: data}
	if st := c.msgs[msgID]; st != nil && !st.deleted {
		w := st.w
		q.Message = &w
	} else {
		q.Message = &wireInaccessible{Chat: s.wireChat(c), MessageID: msgID}
	}
	s.addUpdateLocked("callback_query", c, func(up *wireUpdate) { up.CallbackQuery = q })
}

// Next returns the bot's next message in this chat (sent, copied or
// edited), in the order the bot made them; it waits (10 s by default), then
// fails t naming the user.
func (u *User) Next(t testing.TB) *Message {
	t.Helper()
	m, err := u.NextWithin(u.s.wait)
	if err != nil {
		t.Fatalf("telegramtest: user %d: %v", u.ID, err)
	}
	return m
}

// NextWithin is Next returning ErrNoMessage after d.
func (u *User) NextWithin(d time.Duration) (*Message, error) { return u.s.next(u.c, d) }

// Received returns all the bot's messages and edits in this chat so far.
func (u *User) Received() []*Message { return u.s.received(u.c) }

// Block blocks or unblocks the bot: while blocked, whatever the bot sends
// to the chat gets 403 Forbidden. The bot gets my_chat_member either way.
func (u *User) Block(blocked bool) {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.c.blocked == blocked {
		return
	}
	u.c.blocked = blocked
	old, now := "member", "kicked"
	if !blocked {
		old, now = now, old
	}
	s.addUpdateLocked("my_chat_member", u.c, func(up *wireUpdate) {
		up.MyChatMember = &wireMemberUpdate{
			Chat: s.wireChat(u.c), From: u.wire(), Date: time.Now().Unix(),
			OldChatMember: member(old, s.botUser()), NewChatMember: member(now, s.botUser()),
		}
	})
}

// Group is a group chat. The bot is not in it until AddBot.
type Group struct {
	ID    int64 // negative, as Telegram's group ids are
	Title string

	s *Server
	c *chat
}

// Group returns the group with this id (negative, as at Telegram: a
// positive id is negated; below -10^12 it is a supergroup), made on first use.
func (s *Server) Group(id int64, title string) *Group {
	if id > 0 {
		id = -id
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatLocked(id)
	if c.title == "" {
		c.title = title
	}
	return &Group{ID: id, Title: c.title, s: s, c: c}
}

// AddBot adds the bot to the group, as user by did: the bot gets
// my_chat_member and a new_chat_members message.
func (g *Group) AddBot(by *User) {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if g.c.member {
		return
	}
	g.c.member, g.c.kicked = true, false
	s.memberUpdateLocked(g.c, by.wire(), "left", "member")
	from := by.wire()
	st := s.newMessageLocked(g.c, &stored{kind: "service", service: true, w: wireMessage{NewChatMembers: []wireUser{s.botUser()}}}, &from)
	w := st.w
	s.addUpdateLocked("message", g.c, func(up *wireUpdate) { up.Message = &w })
}

// RemoveBot removes the bot from the group, as user by did: the bot gets
// my_chat_member, and then 403 on what it sends there.
func (g *Group) RemoveBot(by *User) {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if !g.c.member {
		return
	}
	g.c.member, g.c.kicked = false, true
	s.memberUpdateLocked(g.c, by.wire(), "member", "kicked")
}

// BotMember tells whether the bot is in the group.
func (g *Group) BotMember() bool {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	return g.c.member
}

func (s *Server) memberUpdateLocked(c *chat, from wireUser, old, now string) {
	s.addUpdateLocked("my_chat_member", c, func(up *wireUpdate) {
		up.MyChatMember = &wireMemberUpdate{
			Chat: s.wireChat(c), From: from, Date: time.Now().Unix(),
			OldChatMember: member(old, s.botUser()), NewChatMember: member(now, s.botUser()),
		}
	})
}

// Send sends a text message from user from in the group. Privacy mode is
// off: the bot gets every message in groups it is in.
func (g *Group) Send(from *User, text string) int {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	return g.s.sendLocked(from, g.c, textMessage(text))
}

// Next returns the bot's next message in the group, like User.Next.
func (g *Group) Next(t testing.TB) *Message {
	t.Helper()
	m, err := g.NextWithin(g.s.wait)
	if err != nil {
		t.Fatalf("telegramtest: group %d: %v", g.ID, err)
	}
	return m
}

// NextWithin is Next returning ErrNoMessage after d.
func (g *Group) NextWithin(d time.Duration) (*Message, error) { return g.s.next(g.c, d) }

// Received returns all the bot's messages and edits in the group so far.
func (g *Group) Received() []*Message { return g.s.received(g.c) }
