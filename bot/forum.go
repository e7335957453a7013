package bot

import (
	"encoding/json"
	"fmt"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"hotline/flows"
)

// TopicKey is the parameter a call into a case's forum topic carries
// besides Telegram's own: which case and what it does there. Which thread
// the topic is, and which message its card, Telegram tells only when they
// are made; the sender's Prepare hook (internal/app) reads this parameter
// just before the call, puts in message_thread_id (or turns the card's
// sendMessage into an edit of it), and takes the parameter out.
const TopicKey = "hotline_topic"

// TopicRef is the value of TopicKey.
type TopicRef struct {
	Case string `json:"case,omitempty"` // the case code; "" for the summary
	Op   string `json:"op"`             // one of the Op* below
	Name string `json:"name,omitempty"` // the topic's title, to create it
	// Member is the member an invite link is made for, or whose links are
	// revoked.
	Member int64 `json:"member,omitempty"`
}

// Operations of a TopicRef.
const (
	OpCreate  = "create"  // createForumTopic; nothing when the topic exists
	OpPost    = "post"    // a message or copy in the topic
	OpCard    = "card"    // the card: sent once, then edited in place
	OpPin     = "pin"     // pin the card; nothing when pinned
	OpClose   = "close"   // closeForumTopic; nothing when closed
	OpReopen  = "reopen"  // reopenForumTopic; nothing when open
	OpSummary = "summary" // the general topic's summary: sent once, then edited
	OpInvite  = "invite"  // a message to a member with an invite link made for them as it is sent
	OpRevoke  = "revoke"  // revoke the invite links made for a member
	OpDelete  = "delete"  // deleteForumTopic; nothing when there is no topic
)

var topicOps = map[flows.TopicOp]string{
	flows.TopicPost: OpPost, flows.TopicCreate: OpCreate, flows.TopicCard: OpCard,
	flows.TopicClose: OpClose, flows.TopicReopen: OpReopen, flows.TopicSummary: OpSummary,
	flows.TopicInvite: OpInvite,
}

// renderTopic renders a reply in a case's topic.
func (b *Bot) renderTopic(r flows.Reply) []Call {
	t := r.Topic
	ref := TopicRef{Case: t.Code, Op: topicOps[t.Op], Name: t.Name, Member: t.Member}
	var calls []Call
	switch t.Op {
	case flows.TopicRemove:
		return RemoveFromGroup(r.ChatID, t.Member)
	case flows.TopicDelete:
		return DeleteTopics(r.ChatID, t.Code)
	case flows.TopicCreate:
		calls = []Call{call("createForumTopic", r.ChatID, r.Priority, &tg.CreateForumTopicParams{ChatID: r.ChatID, Name: t.Name})}
	case flows.TopicClose:
		calls = []Call{call("closeForumTopic", r.ChatID, r.Priority, map[string]any{"chat_id": r.ChatID})}
	case flows.TopicReopen:
		calls = []Call{call("reopenForumTopic", r.ChatID, r.Priority, map[string]any{"chat_id": r.ChatID})}
	default:
		plain := r
		plain.Topic, plain.Join = nil, false
		calls = b.renderMessage(plain)
	}
	for i := range calls {
		calls[i] = withTopic(calls[i], ref)
	}
	if t.Op == flows.TopicCard {
		pin := call("pinChatMessage", r.ChatID, r.Priority, &tg.PinChatMessageParams{ChatID: r.ChatID, DisableNotification: true})
		calls = append(calls, withTopic(pin, TopicRef{Case: t.Code, Op: OpPin, Name: t.Name}))
	}
	return calls
}

// withTopic adds the topic parameter to a call.
func withTopic(c Call, ref TopicRef) Call {
	var p map[string]json.RawMessage
	if err := json.Unmarshal(c.Params, &p); err != nil {
		panic(fmt.Sprintf("%s params: %v", c.Method, err))
	}
	raw, _ := json.Marshal(ref)
	p[TopicKey] = raw
	c.Params, _ = json.Marshal(p)
	return c
}

// ForumCheck is what the bot must be allowed in the forum group, read from
// getChat and getChatMember: the problems, as ids of locales/ texts
// (forum.setup.*); none when the forum works.
func ForumCheck(chat *models.ChatFullInfo, me *models.ChatMember) []string {
	if chat == nil {
		return []string{"forum.setup.not_found"}
	}
	var out []string
	if chat.Type != models.ChatTypeSupergroup || !chat.IsForum {
		out = append(out, "forum.setup.not_forum")
	}
	if me != nil && me.Owner != nil {
		return out
	}
	if me == nil || me.Administrator == nil {
		return append(out, "forum.setup.not_admin")
	}
	a := me.Administrator
	for _, r := range []struct {
		ok bool
		id string
	}{
		{a.CanManageTopics, "forum.setup.no_topics"}, {a.CanPinMessages, "forum.setup.no_pin"},
		{a.CanRestrictMembers, "forum.setup.no_ban"}, {a.CanInviteUsers, "forum.setup.no_invite"},
	} {
		if !r.ok {
			out = append(out, r.id)
		}
	}
	return out
}

// RemoveFromGroup are the calls that take a user out of a group: banned,
// which removes them, then unbanned, so that the ban is not kept against a
// person who may be asked back one day; then the invite links the bot made
// for them are revoked (the Preparer knows which).
func RemoveFromGroup(chatID, userID int64) []Call {
	return []Call{
		call("banChatMember", chatID, flows.PriorityReply, &tg.BanChatMemberParams{ChatID: chatID, UserID: userID}),
		call("unbanChatMember", chatID, flows.PriorityReply, &tg.UnbanChatMemberParams{ChatID: chatID, UserID: userID, OnlyIfBanned: true}),
		withTopic(call("revokeChatInviteLink", chatID, flows.PriorityReply, map[string]any{"chat_id": chatID}),
			TopicRef{Op: OpRevoke, Member: userID}),
	}
}

// DeleteTopics are the calls that delete cases' topics in the forum group:
// what a flows.TopicDelete reply renders to, and what `hotline purge`,
// which has no flows to ask, queues.
func DeleteTopics(chatID int64, codes ...string) []Call {
	out := make([]Call, 0, len(codes))
	for _, code := range codes {
		out = append(out, withTopic(call("deleteForumTopic", chatID, flows.PriorityReply, map[string]any{"chat_id": chatID}),
			TopicRef{Case: code, Op: OpDelete}))
	}
	return out
}
