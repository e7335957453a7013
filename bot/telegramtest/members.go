package telegramtest

import "fmt"

// Members of a group (https://core.telegram.org/bots/api#chatmember): who
// is in it, the bot's rights as an admin, and the calls that read and
// change them.

// Rights are an admin's rights in a group, as getChatMember tells them.
type Rights struct {
	ManageTopics, PinMessages, RestrictMembers, InviteUsers bool
}

// AllRights are what a forum's bot needs.
func AllRights() Rights { return Rights{true, true, true, true} }

// MakeBotAdmin makes the bot (added first when it is not in the group) an
// admin of the group with these rights.
func (g *Group) MakeBotAdmin(by *User, r Rights) {
	g.AddBot(by)
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	g.c.botAdmin = &r
}

// Join makes the user a member of the group, as an invite link would.
func (g *Group) Join(u *User) {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	if g.c.members == nil {
		g.c.members = map[int64]string{}
	}
	g.c.members[u.ID] = "member"
}

// Status returns the user's status in the group: member, kicked (banned)
// or left.
func (g *Group) Status(u *User) string {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	if st := g.c.members[u.ID]; st != "" {
		return st
	}
	return "left"
}

// Banned returns how many times the user was banned from the group.
func (g *Group) Banned(u *User) int {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	return g.c.bans[u.ID]
}

// getChatMember is https://core.telegram.org/bots/api#getchatmember.
func (s *Server) getChatMember(cl *call) (any, *apiError) {
	c, err := s.chatOfLocked(cl.p, "chat_id")
	if err != nil {
		return nil, err
	}
	id, err := cl.p.int("user_id")
	if err != nil {
		return nil, err
	}
	if id == s.botID {
		bot := s.botUser()
		switch {
		case !c.member:
			return member("left", bot), nil
		case c.botAdmin == nil:
			return member("member", bot), nil
		}
		r := c.botAdmin
		return map[string]any{"status": "administrator", "user": bot, "can_be_edited": false,
			"can_manage_chat": true, "can_delete_messages": true, "can_manage_video_chats": true,
			"can_restrict_members": r.RestrictMembers, "can_promote_members": false, "can_change_info": true,
			"can_invite_users": r.InviteUsers, "can_pin_messages": r.PinMessages, "can_manage_topics": r.ManageTopics,
			"is_anonymous": false, "can_post_stories": false, "can_edit_stories": false, "can_delete_stories": false}, nil
	}
	st := c.members[id]
	if st == "" {
		st = "left"
	}
	return member(st, wireUser{ID: id, FirstName: "User"}), nil
}

// banChatMember is https://core.telegram.org/bots/api#banchatmember.
func (s *Server) banChatMember(cl *call) (any, *apiError) {
	c, err := s.restrictingLocked(cl)
	if err != nil {
		return nil, err
	}
	id, _ := cl.p.int("user_id")
	if c.bans == nil {
		c.bans = map[int64]int{}
	}
	c.members[id] = "kicked"
	c.bans[id]++
	return true, nil
}

// unbanChatMember is https://core.telegram.org/bots/api#unbanchatmember:
// with only_if_banned, a user who is not banned is left alone; without it
// a member is removed too.
func (s *Server) unbanChatMember(cl *call) (any, *apiError) {
	c, err := s.restrictingLocked(cl)
	if err != nil {
		return nil, err
	}
	id, _ := cl.p.int("user_id")
	switch st := c.members[id]; {
	case st == "kicked":
		c.members[id] = "left"
	case st == "member" && !cl.p.bool("only_if_banned"):
		c.members[id] = "left"
	}
	return true, nil
}

// restrictingLocked checks a call that bans or unbans in a group.
func (s *Server) restrictingLocked(cl *call) (*chat, *apiError) {
	c, err := s.chatOfLocked(cl.p, "chat_id")
	if err != nil {
		return nil, err
	}
	if !c.group() {
		return nil, badRequest("can't ban members in private chats")
	}
	if _, err := cl.p.int("user_id"); err != nil {
		return nil, err
	}
	if c.botAdmin == nil || !c.botAdmin.RestrictMembers {
		return nil, badRequest("not enough rights to restrict/unrestrict chat member")
	}
	if c.members == nil {
		c.members = map[int64]string{}
	}
	return c, nil
}

// Migrate turns the group into a supergroup with a new id, as Telegram does
// when a group is upgraded: calls to the old id are refused with
// migrate_to_chat_id, and the new one has the same members, the bot's
// rights and topics enabled.
func (g *Group) Migrate(newID int64) *Group {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.chatLocked(newID)
	n.typ, n.title, n.forum, n.member = "supergroup", g.c.title, true, g.c.member
	n.botAdmin = g.c.botAdmin
	n.members = map[int64]string{}
	for id, st := range g.c.members {
		n.members[id] = st
	}
	g.c.migratedTo = newID
	return &Group{ID: newID, Title: n.title, s: s, c: n}
}

// InviteLink is an invite link to a group the bot made.
type InviteLink struct {
	Link        string
	Name        string
	MemberLimit int
	Revoked     bool
}

// InviteLinks returns the invite links the bot made for the group, oldest
// first.
func (g *Group) InviteLinks() []InviteLink {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	out := make([]InviteLink, 0, len(g.c.links))
	for _, l := range g.c.links {
		out = append(out, *l)
	}
	return out
}

func (l *InviteLink) wire(s *Server) map[string]any {
	return map[string]any{"invite_link": l.Link, "creator": s.botUser(), "creates_join_request": false,
		"is_primary": false, "is_revoked": l.Revoked, "name": l.Name, "member_limit": l.MemberLimit}
}

// createChatInviteLink is https://core.telegram.org/bots/api#createchatinvitelink.
func (s *Server) createChatInviteLink(cl *call) (any, *apiError) {
	c, err := s.chatOfLocked(cl.p, "chat_id")
	if err != nil {
		return nil, err
	}
	if !c.group() {
		return nil, badRequest("can't invite members to a private chat")
	}
	if c.botAdmin == nil || !c.botAdmin.InviteUsers {
		return nil, badRequest("not enough rights to manage chat invite link")
	}
	limit, err := cl.p.int("member_limit")
	if err != nil {
		return nil, err
	}
	if limit < 0 || limit > 99999 {
		return nil, badRequest("member_limit must be between 1 and 99999")
	}
	l := &InviteLink{Link: fmt.Sprintf("https://t.me/+fake%d_%d", -c.id, len(c.links)+1), Name: cl.p.str("name"), MemberLimit: int(limit)}
	c.links = append(c.links, l)
	return l.wire(s), nil
}

// revokeChatInviteLink is https://core.telegram.org/bots/api#revokechatinvitelink.
func (s *Server) revokeChatInviteLink(cl *call) (any, *apiError) {
	c, err := s.chatOfLocked(cl.p, "chat_id")
	if err != nil {
		return nil, err
	}
	for _, l := range c.links {
		if l.Link == cl.p.str("invite_link") {
			l.Revoked = true
			return l.wire(s), nil
		}
	}
	return nil, badRequest("INVITE_HASH_EXPIRED")
}
