package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-telegram/bot/models"

	"hotline/bot"
	"hotline/flows"
	"hotline/internal/pipeline"
	"hotline/locales"
	"hotline/storage"
)

// forumDesk completes the calls the bot makes in the team's forum group
// (the pipeline's Preparer). A call into a case's topic names the case
// (bot.TopicRef); just before it is made, in the group's turn of the
// sender, the desk puts in the topic's thread, turns the card's
// sendMessage into an edit of the card once it is posted, and skips what is
// done already: a topic created, a card pinned, a topic closed. Telegram's
// answers are recorded in Postgres before the group's next call, so that a
// restart makes no second topic and posts no second card.
//
// What goes wrong is mended where the bot can: a topic deleted by hand is
// made again, with its card; a topic that cannot be created (the bot not
// an admin, topics off) leaves the message in the general topic and tells
// the admins; a group that became a supergroup is followed to its new id.
type forumDesk struct {
	chat  int64
	store *storage.Forum
	api   *pipeline.API
	log   *slog.Logger
	// send queues the replies the desk makes (a card again, an alert).
	send  func(ctx context.Context, rs []flows.Reply) error
	flows *flows.App
	// stay keeps the bot in the group's new id after a migration.
	stay func(chatID int64)

	moved   atomic.Int64 // the group's new id after a migration; 0 when none
	alerted sync.Map     // alert ids told to the admins since start
	seen    sync.Map     // seenKey → the storage.TopicState a call in flight was prepared with
}

// seenKey names a call of the outbox.
func seenKey(o pipeline.Outgoing) string { return o.ID + "/" + strconv.Itoa(o.Part) }

// ref reads the topic parameter of a call in the forum; ok is false for
// any other call.
func (d *forumDesk) ref(o pipeline.Outgoing) (map[string]json.RawMessage, bot.TopicRef, bool) {
	var ref bot.TopicRef
	if !bytes.Contains(o.Params, []byte(bot.TopicKey)) {
		return nil, ref, false
	}
	var p map[string]json.RawMessage
	if json.Unmarshal(o.Params, &p) != nil || json.Unmarshal(p[bot.TopicKey], &ref) != nil {
		return nil, ref, false
	}
	if o.ChatID != d.chat && ref.Op != bot.OpInvite {
		return nil, ref, false
	}
	delete(p, bot.TopicKey)
	return p, ref, true
}

// Prepare implements pipeline.Preparer.
func (d *forumDesk) Prepare(ctx context.Context, o pipeline.Outgoing) (outMethod string, outParams []byte, outErr error) {
	p, ref, ok := d.ref(o)
	if !ok {
		return o.Method, o.Params, nil
	}
	if ref.Op == bot.OpInvite { // a message to the member, in their private chat
		return d.invite(ctx, o.Method, p, ref.Member)
	}
	if to := d.moved.Load(); to != 0 {
		p["chat_id"] = raw(to)
	}
	switch ref.Op {
	case bot.OpSummary:
		return d.summary(ctx, o.Method, p)
	case bot.OpRevoke:
		return "", nil, d.revoke(ctx, ref.Member)
	}
	t, err := d.store.Topic(ctx, ref.Case)
	defer func() {
		// Done reads the topic as this call saw it, without asking again.
		if outErr == nil && outMethod != "" {
			d.seen.Store(seenKey(o), t)
		}
	}()
	missing := errors.Is(err, flows.ErrNotFound)
	switch {
	case missing && t.CaseID == 0:
		return "", nil, nil // the case is gone
	case err != nil && !missing:
		return "", nil, err
	}
	method := o.Method
	switch ref.Op {
	case bot.OpCreate:
		if !missing {
			return "", nil, nil
		}
		return method, marshal(p), nil
	case bot.OpClose, bot.OpReopen:
		if missing || t.Closed == (ref.Op == bot.OpClose) {
			return "", nil, nil
		}
		p["message_thread_id"] = raw(t.Thread)
		return method, marshal(p), nil
	case bot.OpDelete:
		if missing {
			return "", nil, nil
		}
		p["message_thread_id"] = raw(t.Thread)
		return method, marshal(p), nil
	case bot.OpPin:
		if missing || t.Card == 0 || t.Pinned {
			return "", nil, nil
		}
		p["message_id"] = raw(t.Card)
		return method, marshal(p), nil
	}
	// A message in the topic, or its card.
	if missing {
		if t, err = d.create(ctx, t.CaseID, ref.Name); err != nil {
			var ae *pipeline.APIError
			if !errors.As(err, &ae) {
				return "", nil, err
			}
			// Topics cannot be made: the message goes to the general
			// topic rather than nowhere, and the admins are told.
			d.alert(ctx, "forum.alert_topics")
			return method, marshal(p), nil
		}
	}
	if t.Closed {
		// A message for a closed case (the reporter wrote again): the
		// topic is opened for it; the card tells the case's status.
		err := d.api.Do(ctx, "reopenForumTopic", map[string]any{"chat_id": d.chatID(), "message_thread_id": t.Thread}, nil)
		var ae *pipeline.APIError
		if err != nil && !(errors.As(err, &ae) && strings.Contains(ae.Description, "TOPIC_NOT_MODIFIED")) {
			return "", nil, err
		}
		if err := d.store.SetClosed(ctx, t.CaseID, false); err != nil {
			return "", nil, err
		}
	}
	if ref.Op == bot.OpCard && t.Card != 0 {
		return "editMessageText", editOf(p, t.Card), nil
	}
	p["message_thread_id"] = raw(t.Thread)
	return method, marshal(p), nil
}

// create makes a case's topic at once, for a message that finds none (its
// topic was deleted by hand, or the message came before the topic's turn).
func (d *forumDesk) create(ctx context.Context, caseID int64, name string) (storage.TopicState, error) {
	var made struct {
		Thread int `json:"message_thread_id"`
	}
	if err := d.api.Do(ctx, "createForumTopic", map[string]any{"chat_id": d.chatID(), "name": name}, &made); err != nil {
		return storage.TopicState{}, err
	}
	if _, err := d.store.Created(ctx, caseID, made.Thread); err != nil {
		return storage.TopicState{}, err
	}
	d.log.Info("forum topic made for a message", "case_id", caseID, "thread", made.Thread)
	return storage.TopicState{CaseID: caseID, Thread: made.Thread}, nil
}

// Done implements pipeline.Preparer: it records what Telegram made, and
// mends what was deleted by hand.
func (d *forumDesk) Done(ctx context.Context, o pipeline.Outgoing, result json.RawMessage, err error) bool {
	_, ref, ok := d.ref(o)
	if !ok {
		return false
	}
	switch ref.Op {
	case bot.OpSummary:
		return d.summaryDone(ctx, o, result, err)
	case bot.OpInvite, bot.OpRevoke:
		return false
	}
	var t storage.TopicState
	if seen, ok := d.seen.LoadAndDelete(seenKey(o)); ok {
		t = seen.(storage.TopicState)
	} else {
		var terr error // prepared by an earlier process
		if t, terr = d.store.Topic(ctx, ref.Case); terr != nil && !errors.Is(terr, flows.ErrNotFound) {
			d.log.Warn("forum: read topic", "op", ref.Op, "err", terr)
			return true
		}
	}
	if err != nil {
		return d.failed(ctx, ref, t, err)
	}
	var rerr error
	switch ref.Op {
	case bot.OpCreate:
		var made struct {
			Thread int `json:"message_thread_id"`
		}
		if json.Unmarshal(result, &made) != nil || made.Thread == 0 {
			d.log.Warn("forum: createForumTopic answered without a thread", "case_id", t.CaseID)
			return false
		}
		created, err := d.store.Created(ctx, t.CaseID, made.Thread)
		if err == nil && !created {
			// One was recorded meanwhile: this one is surplus.
			d.log.Warn("forum: a second topic of a case; deleting it", "case_id", t.CaseID, "thread", made.Thread)
			err = d.api.Do(ctx, "deleteForumTopic", map[string]any{"chat_id": d.chatID(), "message_thread_id": made.Thread}, nil)
		}
		rerr = err
	case bot.OpCard:
		var m struct {
			ID int `json:"message_id"`
		}
		if t.Card == 0 && json.Unmarshal(result, &m) == nil && m.ID != 0 {
			rerr = d.store.CardPosted(ctx, t.CaseID, m.ID)
		}
	case bot.OpPin:
		rerr = d.store.Pinned(ctx, t.CaseID)
	case bot.OpClose, bot.OpReopen:
		rerr = d.store.SetClosed(ctx, t.CaseID, ref.Op == bot.OpClose)
	case bot.OpDelete:
		rerr = d.store.Gone(ctx, t.CaseID, t.Thread)
	}
	if rerr != nil {
		// The call went through; what it made is not recorded. The
		// next call of the topic mends it (a surplus topic is deleted).
		d.log.Warn("forum: record an answer", "op", ref.Op, "case_id", t.CaseID, "err", rerr)
	}
	return false
}

// failed decides what a refused call into the forum becomes.
func (d *forumDesk) failed(ctx context.Context, ref bot.TopicRef, t storage.TopicState, err error) bool {
	var ae *pipeline.APIError
	if !errors.As(err, &ae) {
		return false // the sender retries network errors itself
	}
	switch {
	case ae.Code == http.StatusForbidden:
		// Removed from the group: what waits for it is kept and tried
		// again, with the sender's backoff, until an admin adds the bot
		// back (or the sender gives up after its attempts).
		d.log.Error("forum: the bot is not in the team's group; its messages there wait until it is added back", "description", ae.Description)
		d.alert(ctx, "forum.alert_setup", "Problems", []flows.Text{flows.T("forum.setup.not_found")})
		return true
	case ref.Op == bot.OpDelete && strings.Contains(ae.Description, "message thread not found"):
		_ = d.store.Gone(ctx, t.CaseID, t.Thread) // deleted already
		return false
	case ae.MigrateTo != 0:
		d.moved.Store(ae.MigrateTo)
		d.stay(ae.MigrateTo)
		d.log.Error("forum: the group became a supergroup with a new id; set HOTLINE_FORUM_CHAT to it", "new_chat_id", ae.MigrateTo)
		d.alert(ctx, "forum.alert_moved", "ID", fmt.Sprint(ae.MigrateTo))
		return true
	case strings.Contains(ae.Description, "message thread not found") && t.Thread != 0:
		// The topic was deleted by hand: it is made again, with its card.
		d.log.Warn("forum: a case's topic was deleted; making it again", "case_id", t.CaseID, "thread", t.Thread)
		if err := d.store.Gone(ctx, t.CaseID, t.Thread); err != nil {
			d.log.Warn("forum: forget a deleted topic", "err", err)
			return true
		}
		if ref.Op != bot.OpCard && ref.Op != bot.OpPin {
			d.refresh(ctx, ref.Case)
		}
		return ref.Op != bot.OpClose && ref.Op != bot.OpReopen
	case ref.Op == bot.OpCard && strings.Contains(ae.Description, "message to edit not found"):
		d.log.Warn("forum: a case's card was deleted; posting it again", "case_id", t.CaseID)
		if err := d.store.CardPosted(ctx, t.CaseID, 0); err != nil {
			return true
		}
		d.refresh(ctx, ref.Case) // its pin
		return true
	case strings.Contains(ae.Description, "TOPIC_NOT_MODIFIED"):
		if ref.Op == bot.OpClose || ref.Op == bot.OpReopen {
			_ = d.store.SetClosed(ctx, t.CaseID, ref.Op == bot.OpClose)
		}
		return false
	case ref.Op == bot.OpCreate:
		d.log.Error("forum: the bot cannot create topics in the group", "description", ae.Description)
		d.alert(ctx, "forum.alert_topics")
	}
	return false
}

// refresh queues a case's card again.
func (d *forumDesk) refresh(ctx context.Context, code string) {
	rs, err := d.flows.ForumCard(ctx, code)
	if err == nil {
		err = d.send(ctx, rs)
	}
	if err != nil {
		d.log.Warn("forum: queue a card again", "err", err)
	}
}

// alert tells the admins once per run.
func (d *forumDesk) alert(ctx context.Context, id string, kv ...any) {
	if _, told := d.alerted.LoadOrStore(id+fmt.Sprint(kv...), true); told {
		return
	}
	rs, err := d.flows.ForumAlert(ctx, id, kv...)
	if err == nil {
		err = d.send(ctx, rs)
	}
	if err != nil {
		d.log.Warn("forum: alert the admins", "err", err)
	}
}

func (d *forumDesk) chatID() int64 {
	if to := d.moved.Load(); to != 0 {
		return to
	}
	return d.chat
}

// check asks Telegram whether the bot may work in the group as the forum
// needs. It logs what is missing, tells the admins in their languages, and
// returns it in English for /readyz.
func (d *forumDesk) check(ctx context.Context, cat *locales.Catalog) []string {
	var chat models.ChatFullInfo
	var me models.User
	var member models.ChatMember
	var problems []string
	if err := d.api.Do(ctx, "getChat", map[string]any{"chat_id": d.chat}, &chat); err != nil {
		problems = bot.ForumCheck(nil, nil)
	} else if err := d.api.Do(ctx, "getMe", nil, &me); err != nil {
		problems = []string{"forum.setup.unknown"}
	} else if err := d.api.Do(ctx, "getChatMember", map[string]any{"chat_id": d.chat, "user_id": me.ID}, &member); err != nil {
		problems = bot.ForumCheck(&chat, nil)
	} else {
		problems = bot.ForumCheck(&chat, &member)
	}
	out := make([]string, len(problems))
	texts := make([]flows.Text, len(problems))
	for i, p := range problems {
		texts[i] = flows.T(p)
		out[i] = cat.Render("en", texts[i])
		d.log.Error("forum group (HOTLINE_FORUM_CHAT): "+out[i], "chat_id", d.chat)
	}
	if len(texts) > 0 {
		d.alert(ctx, "forum.alert_setup", "Problems", texts)
	}
	return out
}

// invite makes an invite link to the group for one person, valid a week,
// and puts it in the message that carries it.
func (d *forumDesk) invite(ctx context.Context, method string, p map[string]json.RawMessage, member int64) (string, []byte, error) {
	var link struct {
		URL string `json:"invite_link"`
	}
	err := d.api.Do(ctx, "createChatInviteLink", map[string]any{"chat_id": d.chatID(), "name": fmt.Sprintf("member %d", member),
		"member_limit": 1, "expire_date": time.Now().Add(7 * 24 * time.Hour).Unix()}, &link)
	var ae *pipeline.APIError
	if errors.As(err, &ae) {
		d.log.Error("forum: the bot cannot make invite links to the group", "description", ae.Description)
		d.alert(ctx, "forum.alert_setup", "Problems", []flows.Text{flows.T("forum.setup.no_invite")})
		return "", nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	if err := d.store.Invited(ctx, member, link.URL); err != nil {
		return "", nil, err
	}
	p["text"] = bytes.ReplaceAll(p["text"], []byte(flows.InviteLink), []byte(link.URL))
	return method, marshal(p), nil
}

// revoke revokes the invite links made for a member.
func (d *forumDesk) revoke(ctx context.Context, member int64) error {
	links, err := d.store.Invites(ctx, member)
	if err != nil {
		return err
	}
	for _, l := range links {
		err := d.api.Do(ctx, "revokeChatInviteLink", map[string]any{"chat_id": d.chatID(), "invite_link": l}, nil)
		var ae *pipeline.APIError
		if err != nil && !errors.As(err, &ae) {
			return err // tried again
		}
		if err != nil {
			d.log.Warn("forum: revoke an invite link", "description", ae.Description)
		}
		if err := d.store.Revoked(ctx, member, l); err != nil {
			return err
		}
	}
	return nil
}

// summaryName names the summary among the messages the bot keeps up to date.
const summaryName = "summary"

// summary posts the general topic's summary once, then edits it, and
// leaves out an edit that would change nothing.
func (d *forumDesk) summary(ctx context.Context, method string, p map[string]json.RawMessage) (string, []byte, error) {
	id, digest, err := d.store.Message(ctx, summaryName)
	if err != nil {
		return "", nil, err
	}
	switch {
	case id == 0:
		return method, marshal(p), nil
	case digest == digestOf(p):
		return "", nil, nil
	}
	return "editMessageText", editOf(p, id), nil
}

// editOf turns a sendMessage's parameters into editMessageText's for the
// message it sent earlier.
func editOf(p map[string]json.RawMessage, messageID int) []byte {
	edit := map[string]json.RawMessage{"chat_id": p["chat_id"], "message_id": raw(messageID)}
	for _, k := range []string{"text", "parse_mode", "reply_markup", "link_preview_options"} {
		if v, ok := p[k]; ok {
			edit[k] = v
		}
	}
	return marshal(edit)
}

// summaryDone records the summary's message and what it says.
func (d *forumDesk) summaryDone(ctx context.Context, o pipeline.Outgoing, result json.RawMessage, err error) bool {
	p, _, _ := d.ref(o)
	id, _, rerr := d.store.Message(ctx, summaryName)
	if rerr != nil {
		d.log.Warn("forum: read the summary", "err", rerr)
		return false
	}
	var ae *pipeline.APIError
	if err != nil {
		if errors.As(err, &ae) && strings.Contains(ae.Description, "message to edit not found") {
			// Deleted by hand: posted again.
			return d.store.SetMessage(ctx, summaryName, 0, "") == nil
		}
		return false
	}
	var m struct {
		ID int `json:"message_id"`
	}
	if id == 0 && json.Unmarshal(result, &m) == nil {
		id = m.ID
	}
	if id != 0 {
		if err := d.store.SetMessage(ctx, summaryName, id, digestOf(p)); err != nil {
			d.log.Warn("forum: record the summary", "err", err)
		}
	}
	return false
}

// digestOf is what a message's parameters say, hashed.
func digestOf(p map[string]json.RawMessage) string {
	h := sha256.Sum256(append(append([]byte{}, p["text"]...), p["reply_markup"]...))
	return hex.EncodeToString(h[:8])
}

func raw(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

func marshal(p map[string]json.RawMessage) []byte {
	b, _ := json.Marshal(p)
	return b
}
