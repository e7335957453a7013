package telegramtest

import (
	"time"
	"unicode/utf8"
)

// Forum topics (https://core.telegram.org/bots/api#createforumtopic): a
// supergroup with topics enabled (Group.SetForum) has threads, each created
// by a service message whose id is the thread's message_thread_id. The
// service messages the bot causes (a topic made, edited, closed or
// reopened, a message pinned) count against the group's limit like its
// other messages. A bot
// message sent with message_thread_id goes into that topic, which must
// exist and be open; one into a closed topic is refused TOPIC_CLOSED, into
// a deleted or unknown one "message thread not found".

// Topic is a forum topic as the tests read it.
type Topic struct {
	ID        int // message_thread_id
	Name      string
	IconColor int
	Closed    bool
	Deleted   bool
}

// SetForum turns the group into a supergroup with topics enabled (on) or
// disabled.
func (g *Group) SetForum(on bool) {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	g.c.forum = on
	if on {
		g.c.typ = "supergroup"
	}
}

// Topics returns the group's topics, oldest first.
func (g *Group) Topics() []Topic {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	var out []Topic
	for id := 1; id <= g.c.nextMsg; id++ {
		if t := g.c.topics[id]; t != nil {
			out = append(out, *t)
		}
	}
	return out
}

// Pinned returns the message pinned in a topic (thread 0: in the group
// itself), 0 when none.
func (g *Group) Pinned(thread int) int {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	return g.c.pinned[thread]
}

// SendInTopic sends a text message from user from in a topic of the group;
// replyTo, when not 0, is the message of the topic it replies to.
func (g *Group) SendInTopic(from *User, thread, replyTo int, text string) int {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	st := textMessage(text)
	st.w.MessageThreadID, st.w.IsTopicMessage = thread, true
	if orig := g.c.msgs[replyTo]; replyTo != 0 && orig != nil && !orig.deleted {
		r := orig.w
		r.ReplyToMessage = nil
		st.w.ReplyToMessage = &r
	} else if top := g.c.msgs[thread]; top != nil {
		// A message in a topic replies, on the wire, to the topic's
		// creation when it replies to nothing else.
		r := top.w
		st.w.ReplyToMessage = &r
	}
	return g.s.sendLocked(from, g.c, st)
}

// threadLocked reads message_thread_id of a call sending to c and checks
// the topic may take a message: 0 when none is given.
func (s *Server) threadLocked(c *chat, p params) (int, *apiError) {
	id, err := p.int("message_thread_id")
	if err != nil || id == 0 {
		return 0, err
	}
	if !c.forum {
		return 0, nil // outside a forum Telegram ignores it
	}
	t := c.topics[int(id)]
	switch {
	case t == nil || t.Deleted:
		return 0, badRequest("message thread not found")
	case t.Closed:
		return 0, badRequest("TOPIC_CLOSED")
	}
	return int(id), nil
}

// topicLocked finds the topic a forum call names.
func (s *Server) topicLocked(p params) (*chat, *Topic, *apiError) {
	c, err := s.chatOfLocked(p, "chat_id")
	if err != nil {
		return nil, nil, err
	}
	if !c.forum {
		return nil, nil, badRequest("the chat is not a forum")
	}
	id, err := p.int("message_thread_id")
	if err != nil {
		return nil, nil, err
	}
	t := c.topics[int(id)]
	if t == nil || t.Deleted {
		return nil, nil, badRequest("message thread not found")
	}
	return c, t, nil
}

// serviceLocked stores a service message of the bot in a topic.
func (s *Server) serviceLocked(c *chat, thread int, w wireMessage) *stored {
	bot := s.botUser()
	st := s.newMessageLocked(c, &stored{kind: "service", service: true, fromBot: true, w: w}, &bot)
	if thread == 0 {
		thread = st.w.MessageID
	}
	st.w.MessageThreadID, st.w.IsTopicMessage = thread, true
	return st
}

// createForumTopic is https://core.telegram.org/bots/api#createforumtopic.
func (s *Server) createForumTopic(cl *call) (any, *apiError) {
	c, err := s.chatOfLocked(cl.p, "chat_id")
	if err != nil {
		return nil, err
	}
	if !c.forum {
		return nil, badRequest("the chat is not a forum")
	}
	name := cl.p.str("name")
	if n := utf8.RuneCountInString(name); n == 0 || n > 128 {
		return nil, badRequest("TOPIC_TITLE_EMPTY")
	}
	color, err := cl.p.int("icon_color")
	if err != nil {
		return nil, err
	}
	if err := s.admitLocked(c, s.now()); err != nil {
		return nil, err // the service message it makes counts against the group's limit
	}
	st := s.serviceLocked(c, 0, wireMessage{ForumTopicCreated: &wireTopic{Name: name, IconColor: int(color)}})
	id := st.w.MessageID
	if c.topics == nil {
		c.topics = map[int]*Topic{}
	}
	c.topics[id] = &Topic{ID: id, Name: name, IconColor: int(color)}
	return map[string]any{"message_thread_id": id, "name": name, "icon_color": int(color)}, nil
}

// editForumTopic is https://core.telegram.org/bots/api#editforumtopic.
func (s *Server) editForumTopic(cl *call) (any, *apiError) {
	c, t, err := s.topicLocked(cl.p)
	if err != nil {
		return nil, err
	}
	name := cl.p.str("name")
	if n := utf8.RuneCountInString(name); n > 128 {
		return nil, badRequest("TOPIC_TITLE_INVALID")
	}
	if name == "" || name == t.Name {
		return nil, badRequest("TOPIC_NOT_MODIFIED")
	}
	if err := s.admitLocked(c, s.now()); err != nil {
		return nil, err
	}
	t.Name = name
	s.serviceLocked(c, t.ID, wireMessage{ForumTopicEdited: &wireTopic{Name: name}})
	return true, nil
}

// closeForumTopic is https://core.telegram.org/bots/api#closeforumtopic.
func (s *Server) closeForumTopic(cl *call) (any, *apiError) { return s.setClosed(cl, true) }

// reopenForumTopic is https://core.telegram.org/bots/api#reopenforumtopic.
func (s *Server) reopenForumTopic(cl *call) (any, *apiError) { return s.setClosed(cl, false) }

func (s *Server) setClosed(cl *call, closed bool) (any, *apiError) {
	c, t, err := s.topicLocked(cl.p)
	if err != nil {
		return nil, err
	}
	if t.Closed == closed {
		return nil, badRequest("TOPIC_NOT_MODIFIED")
	}
	if err := s.admitLocked(c, s.now()); err != nil {
		return nil, err
	}
	t.Closed = closed
	w := wireMessage{ForumTopicReopened: &struct{}{}}
	if closed {
		w = wireMessage{ForumTopicClosed: &struct{}{}}
	}
	s.serviceLocked(c, t.ID, w)
	return true, nil
}

// deleteForumTopic is https://core.telegram.org/bots/api#deleteforumtopic.
func (s *Server) deleteForumTopic(cl *call) (any, *apiError) {
	_, t, err := s.topicLocked(cl.p)
	if err != nil {
		return nil, err
	}
	t.Deleted = true
	return true, nil
}

// DeleteTopic deletes a topic by hand, as a member of the group may.
func (g *Group) DeleteTopic(thread int) {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	if t := g.c.topics[thread]; t != nil {
		t.Deleted = true
	}
}

// pinChatMessage is https://core.telegram.org/bots/api#pinchatmessage: a
// message of a topic is pinned in the topic.
func (s *Server) pinChatMessage(cl *call) (any, *apiError) {
	c, err := s.chatOfLocked(cl.p, "chat_id")
	if err != nil {
		return nil, err
	}
	id, err := cl.p.int("message_id")
	if err != nil {
		return nil, err
	}
	st := c.msgs[int(id)]
	if st == nil || st.deleted || st.service {
		return nil, badRequest("message to pin not found")
	}
	thread := 0
	if st.w.IsTopicMessage {
		thread = st.w.MessageThreadID
	}
	if err := s.admitLocked(c, s.now()); err != nil {
		return nil, err // "pinned a message" is a service message
	}
	if c.pinned == nil {
		c.pinned = map[int]int{}
	}
	c.pinned[thread] = int(id)
	return true, nil
}

// Edit edits a text message user from sent in the group; the bot gets
// edited_message, in the message's topic.
func (g *Group) Edit(from *User, messageID int, text string) {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	st := g.c.msgs[messageID]
	if st == nil || st.fromBot || st.kind != "text" || st.w.From == nil || st.w.From.ID != from.ID {
		return
	}
	st.w.Text = text
	st.w.Entities = textMessage(text).w.Entities
	st.w.EditDate = time.Now().Unix()
	w := st.w
	s.addUpdateLocked("edited_message", g.c, func(up *wireUpdate) { up.EditedMessage = &w })
}

// PressData presses a button with any data on a bot message in the group,
// as user u.
func (g *Group) PressData(u *User, messageID int, data string) {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	g.s.callbackLocked(u, g.c, messageID, data)
}
