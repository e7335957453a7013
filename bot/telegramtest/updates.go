package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

// firstUpdateID is the first update_id handed out. Telegram's ids start at
// an arbitrary number, so a bot must not assume they start at 1.
const firstUpdateID = 100_000_001

// keepJSON is how many recent updates keep their JSON for UpdateJSON and
// Redeliver; older ones keep only their time, so long benchmarks stay small.
const keepJSON = 10_000

// update is an update made available to the bot.
type update struct {
	id       int64
	kind     string // message, edited_message, callback_query, my_chat_member
	chatID   int64
	json     []byte
	inflight bool // being posted to the webhook
}

// webhook is what setWebhook set.
type webhook struct {
	url         string
	secret      string
	maxConn     int
	lastErrDate int64
	lastErr     string
}

var (
	errWebhookActive = &apiError{code: http.StatusConflict,
		desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	errTerminated = &apiError{code: http.StatusConflict,
		desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
)

// addUpdateLocked makes an update for chat c; fill sets its content. It is
// dropped, as at Telegram, when the bot's allowed_updates exclude its kind.
func (s *Server) addUpdateLocked(kind string, c *chat, fill func(*wireUpdate)) int64 {
	if !s.allowedLocked(kind) {
		return 0
	}
	if s.lastID == 0 {
		s.lastID = firstUpdateID - 1
	}
	s.lastID++
	w := wireUpdate{UpdateID: s.lastID}
	fill(&w)
	raw, err := json.Marshal(w)
	if err != nil {
		panic(fmt.Sprintf("telegramtest: marshal update: %v", err))
	}
	u := &update{id: s.lastID, kind: kind, chatID: c.id, json: raw}
	if s.batch > 0 {
		s.staged = append(s.staged, u)
		return u.id
	}
	s.publishLocked([]*update{u})
	return u.id
}

// publishLocked makes updates available together.
func (s *Server) publishLocked(us []*update) {
	now := time.Now()
	for _, u := range us {
		s.pending = append(s.pending, u)
		s.avail = append(s.avail, now)
		s.recent[u.id] = u.json
		delete(s.recent, u.id-keepJSON)
		if c := s.chats[u.chatID]; c != nil {
			c.lastUpdateID, c.lastUpdateAt = u.id, now
		}
		s.stats.Updates++
	}
	s.signalLocked()
}

// defaultExcluded are the kinds Telegram leaves out when allowed_updates is
// empty or was never given.
var defaultExcluded = map[string]bool{
	"chat_member": true, "message_reaction": true, "message_reaction_count": true,
}

func (s *Server) allowedLocked(kind string) bool {
	if s.allowed == nil {
		return !defaultExcluded[kind]
	}
	return slices.Contains(s.allowed, kind)
}

// setAllowedLocked keeps allowed_updates; an empty list is the default.
func (s *Server) setAllowedLocked(p params) *apiError {
	var list []string
	ok, err := p.json("allowed_updates", &list)
	if err != nil {
		return badRequest("can't parse allowed updates")
	}
	if ok {
		s.allowed = nil
		if len(list) > 0 {
			s.allowed = list
		}
	}
	return nil
}

// Batch makes the updates created inside fn (by any goroutine) available
// together, as one getUpdates answer would bring them.
func (s *Server) Batch(fn func()) {
	s.mu.Lock()
	s.batch++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.batch--
		if s.batch == 0 && len(s.staged) > 0 {
			s.publishLocked(s.staged)
			s.staged = nil
		}
	}()
	fn()
}

// PendingUpdates counts updates not yet confirmed: by a getUpdates offset
// past them, or by a 2xx from the webhook.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

// UpdateAvailableAt is when an update became available to the bot; zero
// for an unknown id.
func (s *Server) UpdateAvailableAt(updateID int64) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := updateID - firstUpdateID
	if i < 0 || i >= int64(len(s.avail)) {
		return time.Time{}
	}
	return s.avail[i]
}

// UpdateJSON is an update as Telegram sends it, for a test that posts it to
// the bot's webhook itself (twice, concurrently…). Only recent updates are
// kept.
func (s *Server) UpdateJSON(updateID int64) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	raw, ok := s.recent[updateID]
	return slices.Clone(raw), ok
}

// Redeliver makes an update that was already confirmed pending again, with
// the same update_id, as Telegram does when it did not see the
// confirmation: the next getUpdates or webhook delivery brings it again.
func (s *Server) Redeliver(updateID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	raw, ok := s.recent[updateID]
	if !ok {
		return fmt.Errorf("update %d: %w", updateID, ErrUnknownUpdate)
	}
	var w struct {
		wireUpdate
		Callback *struct {
			Message *struct {
				Chat wireChat `json:"chat"`
			} `json:"message"`
			From wireUser `json:"from"`
		} `json:"callback_query"`
	}
	_ = json.Unmarshal(raw, &w)
	u := &update{id: updateID, json: raw}
	switch {
	case w.Message != nil:
		u.kind, u.chatID = "message", w.Message.Chat.ID
	case w.EditedMessage != nil:
		u.kind, u.chatID = "edited_message", w.EditedMessage.Chat.ID
	case w.MyChatMember != nil:
		u.kind, u.chatID = "my_chat_member", w.MyChatMember.Chat.ID
	case w.Callback != nil:
		u.kind, u.chatID = "callback_query", w.Callback.From.ID
		if w.Callback.Message != nil {
			u.chatID = w.Callback.Message.Chat.ID
		}
	}
	i, _ := slices.BinarySearchFunc(s.pending, updateID, func(p *update, id int64) int { return int(p.id - id) })
	s.pending = slices.Insert(s.pending, i, u)
	s.signalLocked()
	return nil
}

// DeliverOutOfOrder makes the webhook post the chat's next two updates in
// reverse order: N+1 first and, once it got a 2xx, N. It waits for the
// second update to exist. Long polling is not affected.
func (s *Server) DeliverOutOfOrder(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatLocked(chatID)
	c.swap, c.swapID = true, 0
	s.signalLocked()
}

// confirmLocked forgets updates the offset confirms.
func (s *Server) confirmLocked(offset int64) {
	switch {
	case offset > 0:
		i := 0
		for i < len(s.pending) && s.pending[i].id < offset {
			i++
		}
		s.pending = s.pending[i:]
	case offset < 0:
		if n := int(-offset); len(s.pending) > n {
			s.pending = s.pending[len(s.pending)-n:]
		}
	}
}

// getUpdates is https://core.telegram.org/bots/api#getupdates.
func (s *Server) getUpdates(c *call) (any, *apiError) {
	if s.webhook != nil {
		return nil, errWebhookActive
	}
	offset, err := c.p.int("offset")
	if err != nil {
		return nil, err
	}
	limit, err := c.p.int("limit")
	if err != nil {
		return nil, err
	}
	timeout, err := c.p.int("timeout")
	if err != nil {
		return nil, err
	}
	if err := s.setAllowedLocked(c.p); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	s.confirmLocked(offset)
	s.pollGen++
	gen := s.pollGen
	s.signalLocked() // an earlier long poll ends with a Conflict
	deadline := c.at.Add(time.Duration(max(timeout, 0)) * time.Second)
	for len(s.pending) == 0 {
		if gen != s.pollGen {
			return nil, errTerminated
		}
		if s.webhook != nil {
			return nil, errWebhookActive
		}
		wait := time.Until(deadline)
		if wait <= 0 || c.ctx.Err() != nil || s.stopCtx.Err() != nil {
			break
		}
		changed := s.changed
		s.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-changed:
		case <-t.C:
		case <-c.ctx.Done():
		case <-s.closed:
		}
		t.Stop()
		s.mu.Lock()
	}
	n := min(len(s.pending), int(limit))
	var b bytes.Buffer
	b.WriteByte('[')
	for i, u := range s.pending[:n] {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(u.json)
	}
	b.WriteByte(']')
	return json.RawMessage(b.Bytes()), nil
}

// secretRe is what Telegram allows in a webhook's secret_token.
var secretRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// setWebhook is https://core.telegram.org/bots/api#setwebhook. Unlike
// Telegram it takes http:// URLs and any port, since tests run on loopback.
func (s *Server) setWebhook(c *call) (any, *apiError) {
	raw := c.p.str("url")
	if raw == "" {
		return s.deleteWebhook(c)
	}
	u, perr := url.Parse(raw)
	if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, badRequest("bad webhook: Failed to resolve host: Name or service not known")
	}
	secret := c.p.str("secret_token")
	if secret != "" && !secretRe.MatchString(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	maxConn, err := c.p.int("max_connections")
	if err != nil {
		return nil, err
	}
	if maxConn == 0 {
		maxConn = 40
	}
	maxConn = min(max(maxConn, 1), 100)
	if err := s.setAllowedLocked(c.p); err != nil {
		return nil, err
	}
	if c.p.bool("drop_pending_updates") {
		s.dropPendingLocked()
	}
	desc := "Webhook was set"
	if w := s.webhook; w != nil && w.url == raw && w.secret == secret && w.maxConn == int(maxConn) {
		desc = "Webhook is already set"
	}
	s.webhook = &webhook{url: raw, secret: secret, maxConn: int(maxConn)}
	s.signalLocked()
	return described{true, desc}, nil
}

// deleteWebhook is https://core.telegram.org/bots/api#deletewebhook.
func (s *Server) deleteWebhook(c *call) (any, *apiError) {
	if c.p.bool("drop_pending_updates") {
		s.dropPendingLocked()
	}
	if s.webhook == nil {
		return described{true, "Webhook is already deleted"}, nil
	}
	s.webhook = nil
	s.signalLocked()
	return described{true, "Webhook was deleted"}, nil
}

// dropPendingLocked forgets pending updates, except those being posted.
func (s *Server) dropPendingLocked() {
	s.pending = slices.DeleteFunc(s.pending, func(u *update) bool { return !u.inflight })
}

// getWebhookInfo is https://core.telegram.org/bots/api#getwebhookinfo.
func (s *Server) getWebhookInfo(*call) (any, *apiError) {
	info := models.WebhookInfo{PendingUpdateCount: len(s.pending)}
	if w := s.webhook; w != nil {
		info.URL = w.url
		info.IPAddress = "127.0.0.1"
		info.MaxConnections = w.maxConn
		info.LastErrorDate = int(w.lastErrDate)
		info.LastErrorMessage = w.lastErr
		info.AllowedUpdates = s.allowed
	}
	return info, nil
}

// webhookLoop posts pending updates to the webhook: each chat's one at a
// time and in order, different chats in parallel up to max_connections.
func (s *Server) webhookLoop() {
	defer s.workers.Done()
	for {
		s.mu.Lock()
		changed := s.changed
		next, starts := s.pickLocked(time.Now())
		hook := s.webhook
		s.mu.Unlock()
		for _, u := range starts {
			s.workers.Add(1)
			go s.post(hook, u)
		}
		var (
			t     *time.Timer
			timer <-chan time.Time
		)
		if !next.IsZero() {
			t = time.NewTimer(time.Until(next))
			timer = t.C
		}
		closed := false
		select {
		case <-s.closed:
			closed = true
		case <-changed:
		case <-timer:
		}
		if t != nil {
			t.Stop()
		}
		if closed {
			return
		}
	}
}

// pickLocked chooses the updates to post now and marks them in flight; next
// is when a chat waiting to retry may go again.
func (s *Server) pickLocked(now time.Time) (next time.Time, starts []*update) {
	w := s.webhook
	if w == nil || s.stopCtx.Err() != nil {
		return next, nil
	}
	seen := map[int64]bool{}
	for i, u := range s.pending {
		if s.inflight >= w.maxConn {
			break
		}
		if seen[u.chatID] {
			continue
		}
		seen[u.chatID] = true // only a chat's first pending update may go
		c := s.chats[u.chatID]
		if c == nil || c.whInflight {
			continue
		}
		if now.Before(c.whRetryAt) {
			if next.IsZero() || c.whRetryAt.Before(next) {
				next = c.whRetryAt
			}
			continue
		}
		target := u
		if c.swap {
			target = nil
			for _, v := range s.pending[i+1:] {
				if v.chatID == c.id && (c.swapID == 0 || v.id == c.swapID) {
					target = v
					break
				}
			}
			if target == nil && c.swapID != 0 {
				c.swap, c.swapID = false, 0 // N+1 went; N is next
				target = u
			}
			if target == nil {
				continue // wait for N+1
			}
			c.swapID = target.id
		}
		target.inflight = true
		c.whInflight = true
		s.inflight++
		starts = append(starts, target)
	}
	return next, starts
}

// post posts one update to the webhook and records the outcome.
func (s *Server) post(hook *webhook, u *update) {
	defer s.workers.Done()
	// Counted when made, not when answered: the bot may send its reply
	// before it answers the post, and a test that reads the reply then
	// the count would find the post not counted.
	s.mu.Lock()
	s.stats.WebhookPosts++
	s.mu.Unlock()
	ok, errMsg := s.postOnce(hook, u)

	s.mu.Lock()
	defer s.mu.Unlock()
	u.inflight = false
	s.inflight--
	c := s.chats[u.chatID]
	if ok {
		if i := slices.Index(s.pending, u); i >= 0 {
			s.pending = slices.Delete(s.pending, i, i+1)
		}
		c.whAttempts = 0
		c.whRetryAt = time.Time{}
		if c.swap && c.swapID == u.id {
			c.swap, c.swapID = false, 0
		}
	} else {
		s.stats.WebhookFailures++
		wait := s.backoff[0] << min(c.whAttempts, 20)
		if wait > s.backoff[1] || wait <= 0 {
			wait = s.backoff[1]
		}
		c.whAttempts++
		c.whRetryAt = time.Now().Add(wait)
		if s.webhook != nil {
			s.webhook.lastErrDate = time.Now().Unix()
			s.webhook.lastErr = errMsg
		}
	}
	c.whInflight = false
	s.signalLocked()
}

// postOnce makes the request; a 2xx answer may carry a method call, which
// Telegram carries out.
func (s *Server) postOnce(hook *webhook, u *update) (bool, string) {
	req, err := http.NewRequestWithContext(s.stopCtx, http.MethodPost, hook.url, bytes.NewReader(u.json))
	if err != nil {
		return false, "Invalid webhook URL"
	}
	req.Header.Set("Content-Type", "application/json")
	if hook.secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", hook.secret)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return false, "Connection refused"
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return false, fmt.Sprintf("Wrong response from the webhook: %s", resp.Status)
	}
	s.webhookReply(body)
	return true, ""
}

// webhookReply carries out a method call sent in a webhook's answer
// (https://core.telegram.org/bots/api#making-requests-when-getting-updates).
func (s *Server) webhookReply(body []byte) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return
	}
	var method string
	if json.Unmarshal(obj["method"], &method) != nil || method == "" {
		return
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, "/", bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	p, perr := readParams(req)
	m, known := methods[strings.ToLower(method)]
	if perr != nil || !known {
		return
	}
	s.mu.Lock()
	s.stats.Calls[m.name]++
	s.mu.Unlock()
	_, _ = s.dispatch(s.stopCtx, m.fn, m.name, p, time.Now())
}
