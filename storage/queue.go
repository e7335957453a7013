package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/flows"
	"hotline/internal/batch"
)

var _ flows.Queue = (*Queue)(nil)

// Queue keeps the volunteer handoff's live state in Redis, under
// prefix+"{h}h:" (the hash tag {h} puts every key of the queue in one Redis
// Cluster slot, which its scripts need):
//
//	q            sorted set of waiting chats: chats back from a volunteer
//	             first (by when they first asked), then urgent ones, then
//	             the others, each by when they joined
//	w:<chat>     hash: the waiting entry
//	m:<chat>     list: ids of messages kept for the volunteer who takes it
//	k            hash: ticket → waiting chat
//	p:<chat>     hash: the pairing of a taken chat
//	u:<chat>     list: ids of the user's messages the volunteer has not
//	             answered, kept for the next one if the chat goes back
//	v:<vol>      set: chats a volunteer holds
//	a:<vol>      the chat a volunteer's messages go to
//	paired       set: every taken chat, for the timers
//	seq          the last ticket given
//	op:<op>      the result of an update's take, release, close or leave
//
// Everything that decides who holds a chat runs in one Lua script, so that
// volunteers racing for chats get one each, and a script's result is kept
// under the update that ran it, so that the update handled again after a
// crash gets the same chat. A script builds its keys from the prefix it is
// given; each is passed the queue's sorted set as its one key, so that a
// Redis Cluster runs it on the node of the {h} slot.
// Plain writes that belong to handling an update (the volunteer answering)
// go through the update's Batch;
// the commit replays a Batch inside a script, so writes that need a script
// of their own run at once and are made idempotent instead.
type Queue struct {
	c      redis.UniversalClient
	prefix string
}

// NewQueue returns the handoff queue whose keys start with prefix.
func NewQueue(c redis.UniversalClient, prefix string) *Queue {
	return &Queue{c: c, prefix: prefix + "{h}"}
}

// run runs one of the queue's scripts.
func (s *Queue) run(ctx context.Context, sc *redis.Script, args ...any) *redis.Cmd {
	return sc.Run(ctx, s.c, []string{s.key("q")}, append([]any{s.prefix}, args...)...)
}

// Score tiers of the queue: a chat back from a volunteer goes first, then
// urgent ones; within a tier the oldest goes first. Unix milliseconds stay
// below 10^13 until the year 2286, and doubles hold integers exactly up to
// 2^53, so tier·10^13 + ms orders exactly.
const (
	tierUrgent = 1e13
	tierNormal = 2e13
)

func (s *Queue) key(parts ...string) string {
	k := s.prefix + "h:"
	for i, p := range parts {
		if i > 0 {
			k += ":"
		}
		k += p
	}
	return k
}

func idStr(n int64) string { return strconv.FormatInt(n, 10) }

func msStr(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.UnixMilli(), 10)
}

func msTime(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n == 0 {
		return time.Time{}
	}
	return time.UnixMilli(n).UTC()
}

func flagStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// scriptHead remembers a script's result under ARGV[2] (when not empty)
// for a day, long enough for any retry of its update; finish returns it.
const scriptHead = `
local P, memo = ARGV[1], ARGV[2]
if memo ~= '' then
  local r = redis.call('GET', P .. 'h:op:' .. memo)
  if r then return cjson.decode(r) end
end
local function finish(r)
  if memo ~= '' then redis.call('SET', P .. 'h:op:' .. memo, cjson.encode(r), 'EX', 86400) end
  return r
end
-- fixActive, when the chat a volunteer's messages went to is gone: by their
-- own doing (mine: /done, /release) their messages go to another chat they
-- hold, as they are told at once; otherwise (the user ended it, a timer took
-- it back) to none until they choose, so that a message they were typing for
-- one person never reaches another.
local function fixActive(vol, chat, mine)
  local ak = P .. 'h:a:' .. vol
  if redis.call('GET', ak) == chat then
    local rest = redis.call('SMEMBERS', P .. 'h:v:' .. vol)
    if mine and #rest > 0 then
      table.sort(rest)
      redis.call('SET', ak, rest[1])
    else
      redis.call('DEL', ak)
    end
  end
end
`

// stateScript reads where a chat stands in one round trip.
var stateScript = redis.NewScript(`
local P, c = ARGV[1], ARGV[2]
local w = redis.call('HGETALL', P .. 'h:w:' .. c)
local kept = redis.call('LLEN', P .. 'h:m:' .. c)
local pk = P .. 'h:p:' .. c
local p = redis.call('HGETALL', pk)
local held = 0
if #p > 0 then
  local vol = redis.call('HGET', pk, 'vol')
  if vol then held = redis.call('SCARD', P .. 'h:v:' .. vol) end
end
local ap = {}
local act = redis.call('GET', P .. 'h:a:' .. c)
if act then ap = redis.call('HGETALL', P .. 'h:p:' .. act) end
return {w, kept, p, held, ap, redis.call('SCARD', P .. 'h:v:' .. c)}
`)

// Chat returns where the chat stands. Most chats asking are in no part of
// the handoff (a report being filled): one EXISTS says so, and the script
// runs only for the others.
func (s *Queue) Chat(ctx context.Context, chatID int64) (flows.ChatState, error) {
	c := idStr(chatID)
	n, err := s.c.Exists(ctx, s.key("w", c), s.key("m", c), s.key("p", c), s.key("a", c), s.key("v", c)).Result()
	if err != nil {
		return flows.ChatState{}, fmt.Errorf("handoff state of %d: %w", chatID, err)
	}
	if n == 0 {
		return flows.ChatState{}, nil
	}
	res, err := s.run(ctx, stateScript, idStr(chatID)).Slice()
	if err != nil {
		return flows.ChatState{}, fmt.Errorf("handoff state of %d: %w", chatID, err)
	}
	var st flows.ChatState
	if w := replyHash(res[0]); len(w) > 0 {
		x := waitingOf(w)
		st.Waiting = &x
	}
	st.Kept = int(replyInt(res[1]))
	if p := replyHash(res[2]); len(p) > 0 && p["vol"] != "" {
		x := pairingOf(p)
		st.Paired = &x
		st.Held = int(replyInt(res[3]))
	}
	if p := replyHash(res[4]); len(p) > 0 && p["vol"] == idStr(chatID) {
		x := pairingOf(p)
		x.Active = true
		st.Active = &x
	}
	st.Holds = int(replyInt(res[5]))
	return st, nil
}

// joinScript gives a chat its ticket, counts the chats ahead of it and
// writes its entry, in one step: a position counted before a deferred write
// would tell two chats joining at once that each is next. ARGV: prefix, op,
// chat, score, then the entry's fields without ticket and told.
var joinScript = redis.NewScript(scriptHead + `
local c, score = ARGV[3], ARGV[4]
local ticket = redis.call('INCR', P .. 'h:seq')
local pos = redis.call('ZCOUNT', P .. 'h:q', '-inf', '(' .. score) + 1
local wk = P .. 'h:w:' .. c
redis.call('HSET', wk, 'ticket', ticket, 'told', pos, unpack(ARGV, 5))
redis.call('HSET', P .. 'h:k', ticket, c)
redis.call('ZADD', P .. 'h:q', score, c)
return finish({ticket, pos})
`)

// Join puts a chat in the queue and gives it a ticket, at once. Its result
// is kept under op, so the update handled again after a crash gets the
// same ticket and position instead of joining twice.
func (s *Queue) Join(ctx context.Context, w flows.Waiting, op string) (flows.Waiting, int, error) {
	if w.Queued.IsZero() {
		w.Queued = time.Now()
	}
	if w.Since.IsZero() {
		w.Since = w.Queued
	}
	score := float64(tierNormal + w.Queued.UnixMilli())
	switch {
	case w.Returned:
		score = float64(w.Since.UnixMilli())
	case w.Urgent:
		score = float64(tierUrgent + w.Queued.UnixMilli())
	}
	args := []any{op, idStr(w.ChatID), strconv.FormatFloat(score, 'f', -1, 64),
		"chat", idStr(w.ChatID), "lang", w.Lang, "urgent", flagStr(w.Urgent), "case", w.CaseCode,
		"since", msStr(w.Since), "queued", msStr(w.Queued), "returned", flagStr(w.Returned)}
	res, err := s.run(ctx, joinScript, args...).Slice()
	if err != nil {
		return w, 0, fmt.Errorf("join queue %d: %w", w.ChatID, err)
	}
	w.Ticket = replyInt(res[0])
	pos := int(replyInt(res[1]))
	w.Told = pos
	return w, pos, nil
}

var leaveScript = redis.NewScript(scriptHead + `
local c = ARGV[3]
if redis.call('ZREM', P .. 'h:q', c) == 0 then return finish({0}) end
local wk = P .. 'h:w:' .. c
local t = redis.call('HGET', wk, 'ticket')
if t then redis.call('HDEL', P .. 'h:k', t) end
redis.call('DEL', wk, P .. 'h:m:' .. c)
return finish({1})
`)

// Leave takes a waiting chat out of the queue, with the messages it kept.
func (s *Queue) Leave(ctx context.Context, chatID int64, op string) (bool, error) {
	res, err := s.run(ctx, leaveScript, op, idStr(chatID)).Slice()
	if err != nil {
		return false, fmt.Errorf("leave queue %d: %w", chatID, err)
	}
	return replyInt(res[0]) == 1, nil
}

var listScript = redis.NewScript(`
local P = ARGV[1]
local out = {}
for _, c in ipairs(redis.call('ZRANGE', P .. 'h:q', 0, -1)) do
  table.insert(out, redis.call('HGETALL', P .. 'h:w:' .. c))
end
return out
`)

// Waiting returns the queue, first to be taken first.
func (s *Queue) Waiting(ctx context.Context) ([]flows.Waiting, error) {
	res, err := s.run(ctx, listScript).Slice()
	if err != nil {
		return nil, fmt.Errorf("list queue: %w", err)
	}
	out := make([]flows.Waiting, 0, len(res))
	for _, r := range res {
		if h := replyHash(r); len(h) > 0 {
			out = append(out, waitingOf(h))
		}
	}
	return out, nil
}

// Position returns a waiting chat's position, 0 when it is not waiting.
func (s *Queue) Position(ctx context.Context, chatID int64) (int, error) {
	r, err := s.c.ZRank(ctx, s.key("q"), idStr(chatID)).Result()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("position of %d: %w", chatID, err)
	}
	return int(r) + 1, nil
}

var takeScript = redis.NewScript(scriptHead + `
local vol, ticket = ARGV[3], ARGV[4]
local vset = P .. 'h:v:' .. vol
if redis.call('SCARD', vset) >= tonumber(ARGV[5]) then return finish({'busy'}) end
local q = P .. 'h:q'
local c
if ticket == '0' then
  local first = redis.call('ZRANGE', q, 0, 1)
  c = first[1]
  if c == vol then c = first[2] end
  if not c then return finish({'empty'}) end
else
  c = redis.call('HGET', P .. 'h:k', ticket)
  if not c or c == vol or not redis.call('ZSCORE', q, c) then return finish({'gone'}) end
end
redis.call('ZREM', q, c)
local wk = P .. 'h:w:' .. c
local w = redis.call('HGETALL', wk)
redis.call('DEL', wk)
local pk = P .. 'h:p:' .. c
local carry = {ticket = true, lang = true, urgent = true, case = true, since = true, queued = true}
for i = 1, #w, 2 do
  if carry[w[i]] then redis.call('HSET', pk, w[i], w[i + 1]) end
end
redis.call('HSET', pk, 'id', ARGV[6], 'chat', c, 'vol', vol, 'name', ARGV[8], 'vlang', ARGV[9],
  'taken', ARGV[7], 'pending', ARGV[7])
local t = redis.call('HGET', pk, 'ticket')
if t then redis.call('HDEL', P .. 'h:k', t) end
redis.call('SADD', vset, c)
redis.call('SET', P .. 'h:a:' .. vol, c)
redis.call('SADD', P .. 'h:paired', c)
local mk = P .. 'h:m:' .. c
local kept = redis.call('LRANGE', mk, 0, -1)
redis.call('DEL', mk)
return finish({'ok', redis.call('HGETALL', pk), kept})
`)

// Take pairs a waiting chat with a volunteer in one script: a chat is
// taken once, however many volunteers ask at the same moment. The messages
// kept while waiting go with it, to be relayed by the caller: once, since
// the script hands them to one take only, and again to the same update
// handled again, which gets the script's remembered result.
func (s *Queue) Take(ctx context.Context, t flows.Take) (flows.Pairing, []int, error) {
	res, err := s.run(ctx, takeScript, t.Op, idStr(t.Volunteer), idStr(t.Ticket),
		strconv.Itoa(max(t.Max, 1)), t.ID, msStr(t.At), t.Name, t.Lang).Slice()
	if err != nil {
		return flows.Pairing{}, nil, fmt.Errorf("take for %d: %w", t.Volunteer, err)
	}
	switch res[0] {
	case "busy":
		return flows.Pairing{}, nil, flows.ErrBusy
	case "empty":
		return flows.Pairing{}, nil, flows.ErrQueueEmpty
	case "gone":
		return flows.Pairing{}, nil, fmt.Errorf("take ticket %d: %w", t.Ticket, ErrNotFound)
	}
	var kept []int
	if len(res) > 2 {
		xs, _ := res[2].([]any)
		for _, x := range xs {
			kept = append(kept, int(replyInt(x)))
		}
	}
	return pairingOf(replyHash(res[1])), kept, nil
}

var returnScript = redis.NewScript(scriptHead + `
local c, vol, now = ARGV[3], ARGV[4], ARGV[6]
local pk = P .. 'h:p:' .. c
local p = redis.call('HGETALL', pk)
if #p == 0 or redis.call('HGET', pk, 'vol') ~= vol then return finish({'none'}) end
if ARGV[5] ~= '' and redis.call('HGET', pk, 'pending') ~= ARGV[5] then return finish({'none'}) end
local h = {}
for i = 1, #p, 2 do h[p[i]] = p[i + 1] end
local since = h.since or now
local wk = P .. 'h:w:' .. c
redis.call('HSET', wk, 'chat', c, 'ticket', h.ticket or '0', 'lang', h.lang or '', 'urgent', h.urgent or '0',
  'case', h.case or '', 'since', since, 'queued', now, 'returned', '1')
redis.call('ZADD', P .. 'h:q', tonumber(since), c)
if h.ticket then redis.call('HSET', P .. 'h:k', h.ticket, c) end
local uk, mk = P .. 'h:u:' .. c, P .. 'h:m:' .. c
local u = redis.call('LRANGE', uk, 0, -1)
for i = #u, 1, -1 do redis.call('LPUSH', mk, u[i]) end
redis.call('DEL', uk, pk)
redis.call('SREM', P .. 'h:v:' .. vol, c)
redis.call('SREM', P .. 'h:paired', c)
fixActive(vol, c, ARGV[5] == '')
local pos = redis.call('ZRANK', P .. 'h:q', c) + 1
redis.call('HSET', wk, 'told', pos)
return finish({'ok', p, pos})
`)

// Release puts a taken chat back at the head of the queue; the messages
// the volunteer did not answer are kept for the next one.
func (s *Queue) Release(ctx context.Context, r flows.Return) (flows.Pairing, int, error) {
	at := r.At
	if at.IsZero() {
		at = time.Now()
	}
	res, err := s.run(ctx, returnScript, r.Op, idStr(r.ChatID), idStr(r.Volunteer),
		msStr(r.Pending), msStr(at)).Slice()
	if err != nil {
		return flows.Pairing{}, 0, fmt.Errorf("release %d: %w", r.ChatID, err)
	}
	if res[0] != "ok" {
		return flows.Pairing{}, 0, fmt.Errorf("release %d: %w", r.ChatID, ErrNotFound)
	}
	return pairingOf(replyHash(res[1])), int(replyInt(res[2])), nil
}

var closeScript = redis.NewScript(scriptHead + `
local c = ARGV[3]
local pk = P .. 'h:p:' .. c
local p = redis.call('HGETALL', pk)
if #p == 0 then return finish({'none'}) end
local vol = redis.call('HGET', pk, 'vol')
if ARGV[4] ~= '0' and vol ~= ARGV[4] then return finish({'none'}) end
redis.call('DEL', pk, P .. 'h:u:' .. c, P .. 'h:m:' .. c)
redis.call('SREM', P .. 'h:v:' .. vol, c)
redis.call('SREM', P .. 'h:paired', c)
fixActive(vol, c, ARGV[4] ~= '0')
return finish({'ok', p})
`)

// Close ends a pairing; volunteer 0 closes it whoever holds it.
func (s *Queue) Close(ctx context.Context, chatID, volunteer int64, op string) (flows.Pairing, error) {
	res, err := s.run(ctx, closeScript, op, idStr(chatID), idStr(volunteer)).Slice()
	if err != nil {
		return flows.Pairing{}, fmt.Errorf("close handoff of %d: %w", chatID, err)
	}
	if res[0] != "ok" {
		return flows.Pairing{}, fmt.Errorf("close handoff of %d: %w", chatID, ErrNotFound)
	}
	return pairingOf(replyHash(res[1])), nil
}

var heldScript = redis.NewScript(scriptHead + `
local vol = ARGV[3]
local act = redis.call('GET', P .. 'h:a:' .. vol) or ''
local out = {act}
for _, c in ipairs(redis.call('SMEMBERS', P .. 'h:v:' .. vol)) do
  table.insert(out, redis.call('HGETALL', P .. 'h:p:' .. c))
end
return finish(out)
`)

// Held returns the chats a volunteer holds, the active one first, then by
// ticket.
func (s *Queue) Held(ctx context.Context, volunteer int64, op string) ([]flows.Pairing, error) {
	if op != "" {
		op = "held:" + op // apart from what the same update's other calls remember
	}
	res, err := s.run(ctx, heldScript, op, idStr(volunteer)).Slice()
	if err != nil {
		return nil, fmt.Errorf("chats of %d: %w", volunteer, err)
	}
	active, _ := res[0].(string)
	out := make([]flows.Pairing, 0, len(res)-1)
	for _, r := range res[1:] {
		if h := replyHash(r); len(h) > 0 {
			p := pairingOf(h)
			p.Active = h["chat"] == active
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(x, y flows.Pairing) int {
		switch {
		case x.Active && !y.Active:
			return -1
		case y.Active && !x.Active:
			return 1
		}
		return int(x.Ticket - y.Ticket)
	})
	return out, nil
}

var setActiveScript = redis.NewScript(`
local P, vol, c = ARGV[1], ARGV[2], ARGV[3]
if redis.call('SISMEMBER', P .. 'h:v:' .. vol, c) == 0 then return 0 end
redis.call('SET', P .. 'h:a:' .. vol, c)
return 1
`)

// SetActive makes one of the chats a volunteer holds the one their
// messages go to.
func (s *Queue) SetActive(ctx context.Context, volunteer, chatID int64) error {
	n, err := s.run(ctx, setActiveScript, idStr(volunteer), idStr(chatID)).Int()
	if err != nil {
		return fmt.Errorf("switch chat of %d: %w", volunteer, err)
	}
	if n == 0 {
		return fmt.Errorf("switch chat of %d: %w", volunteer, ErrNotFound)
	}
	return nil
}

var pairedScript = redis.NewScript(`
local P = ARGV[1]
local out = {}
for _, c in ipairs(redis.call('SMEMBERS', P .. 'h:paired')) do
  table.insert(out, redis.call('HGETALL', P .. 'h:p:' .. c))
end
return out
`)

// Paired returns every pairing.
func (s *Queue) Paired(ctx context.Context) ([]flows.Pairing, error) {
	res, err := s.run(ctx, pairedScript).Slice()
	if err != nil {
		return nil, fmt.Errorf("list pairings: %w", err)
	}
	out := make([]flows.Pairing, 0, len(res))
	for _, r := range res {
		if h := replyHash(r); len(h) > 0 && h["vol"] != "" {
			out = append(out, pairingOf(h))
		}
	}
	return out, nil
}

// keepScript keeps a message of a waiting chat, unless a volunteer has
// taken the chat since its state was read. The update's commit replays its
// writes inside a script, where scripts cannot run, so this one runs at
// once; the same update handled again finds its message last and adds
// nothing.
var keepScript = redis.NewScript(`
local P, c = ARGV[1], ARGV[2]
local wk, mk = P .. 'h:w:' .. c, P .. 'h:m:' .. c
if redis.call('EXISTS', wk) == 0 then return 0 end
if redis.call('LINDEX', mk, -1) ~= ARGV[3] then redis.call('RPUSH', mk, ARGV[3]) end
return 1
`)

// Keep keeps the id of a message written while waiting, never its text;
// false when the chat is no longer waiting.
func (s *Queue) Keep(ctx context.Context, chatID int64, messageID int) (bool, error) {
	n, err := s.run(ctx, keepScript, idStr(chatID), strconv.Itoa(messageID)).Int()
	if err != nil {
		return false, fmt.Errorf("keep message of %d: %w", chatID, err)
	}
	return n == 1, nil
}

// Kept returns the ids of the messages kept, oldest first (Take hands
// them over).
func (s *Queue) Kept(ctx context.Context, chatID int64) ([]int, error) {
	vs, err := s.c.LRange(ctx, s.key("m", idStr(chatID)), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("kept messages of %d: %w", chatID, err)
	}
	out := make([]int, 0, len(vs))
	for _, v := range vs {
		if n, err := strconv.Atoi(v); err == nil {
			out = append(out, n)
		}
	}
	return out, nil
}

// userWroteScript notes a paired user's message, at once and only while
// the pairing lasts (see keepScript).
var userWroteScript = redis.NewScript(`
local P, c = ARGV[1], ARGV[2]
local pk, uk = P .. 'h:p:' .. c, P .. 'h:u:' .. c
if redis.call('EXISTS', pk) == 0 then return 0 end
redis.call('HSETNX', pk, 'pending', ARGV[4])
if redis.call('LINDEX', uk, -1) ~= ARGV[3] then redis.call('RPUSH', uk, ARGV[3]) end
return 1
`)

// UserWrote notes a message of a paired user the volunteer has yet to
// answer.
func (s *Queue) UserWrote(ctx context.Context, chatID int64, messageID int, at time.Time) error {
	err := s.run(ctx, userWroteScript, idStr(chatID), strconv.Itoa(messageID), msStr(at)).Err()
	if err != nil {
		return fmt.Errorf("note message of %d: %w", chatID, err)
	}
	return nil
}

// VolunteerWrote notes, with the update's Batch, that the volunteer
// answered. On a pairing closed meanwhile it changes nothing.
func (s *Queue) VolunteerWrote(ctx context.Context, chatID int64) error {
	pk, uk := s.key("p", idStr(chatID)), s.key("u", idStr(chatID))
	err := batch.Write(ctx, s.c, func(p redis.Pipeliner) {
		p.HDel(ctx, pk, "pending", "reminded")
		p.Del(ctx, uk)
	})
	if err != nil {
		return fmt.Errorf("note answer to %d: %w", chatID, err)
	}
	return nil
}

// A reminder or an escalation is claimed until a time ("c:<ms>" in its
// field), its messages are put in the outbox, and then it is marked done
// ("1"; a reminder "s:<ms>", when it went out). A claim whose process died
// before that expires, and the next tick claims it again: the message is
// not lost.
var claimReminderScript = redis.NewScript(`
local pk = ARGV[1] .. 'h:p:' .. ARGV[2]
if redis.call('HGET', pk, 'pending') ~= ARGV[3] then return 0 end
local r = redis.call('HGET', pk, 'reminded')
if r and string.sub(r, 1, 2) ~= 'c:' then return 0 end
if r and tonumber(string.sub(r, 3)) and tonumber(string.sub(r, 3)) > tonumber(ARGV[4]) then return 0 end
redis.call('HSET', pk, 'reminded', 'c:' .. ARGV[5])
return 1
`)

// ClaimReminder claims the volunteer's reminder of pending until until.
func (s *Queue) ClaimReminder(ctx context.Context, chatID int64, pending, now, until time.Time) (bool, error) {
	n, err := s.run(ctx, claimReminderScript, idStr(chatID), msStr(pending), msStr(now), msStr(until)).Int()
	if err != nil {
		return false, fmt.Errorf("claim reminder of %d: %w", chatID, err)
	}
	return n == 1, nil
}

var reminderSentScript = redis.NewScript(`
local pk = ARGV[1] .. 'h:p:' .. ARGV[2]
if redis.call('HGET', pk, 'pending') ~= ARGV[3] then return 0 end
redis.call('HSET', pk, 'reminded', 's:' .. ARGV[4])
return 1
`)

// ReminderSent marks the reminder of pending sent at a time.
func (s *Queue) ReminderSent(ctx context.Context, chatID int64, pending, at time.Time) error {
	if err := s.run(ctx, reminderSentScript, idStr(chatID), msStr(pending), msStr(at)).Err(); err != nil {
		return fmt.Errorf("mark reminder of %d: %w", chatID, err)
	}
	return nil
}

var claimEscalationScript = redis.NewScript(`
local wk = ARGV[1] .. 'h:w:' .. ARGV[2]
if redis.call('EXISTS', wk) == 0 then return 0 end
local e = redis.call('HGET', wk, 'esc')
if e == '1' then return 0 end
if e and tonumber(string.sub(e, 3)) and tonumber(string.sub(e, 3)) > tonumber(ARGV[3]) then return 0 end
redis.call('HSET', wk, 'esc', 'c:' .. ARGV[4])
return 1
`)

// ClaimEscalation claims a waiting chat's escalation until until.
func (s *Queue) ClaimEscalation(ctx context.Context, chatID int64, now, until time.Time) (bool, error) {
	n, err := s.run(ctx, claimEscalationScript, idStr(chatID), msStr(now), msStr(until)).Int()
	if err != nil {
		return false, fmt.Errorf("claim escalation of %d: %w", chatID, err)
	}
	return n == 1, nil
}

var escalationSentScript = redis.NewScript(`
local wk = ARGV[1] .. 'h:w:' .. ARGV[2]
if redis.call('EXISTS', wk) == 0 then return 0 end
redis.call('HSET', wk, 'esc', '1')
return 1
`)

// EscalationSent marks a waiting chat's escalation sent.
func (s *Queue) EscalationSent(ctx context.Context, chatID int64) error {
	if err := s.run(ctx, escalationSentScript, idStr(chatID)).Err(); err != nil {
		return fmt.Errorf("mark escalation of %d: %w", chatID, err)
	}
	return nil
}

var claimToldScript = redis.NewScript(`
local wk = ARGV[1] .. 'h:w:' .. ARGV[2]
if redis.call('EXISTS', wk) == 0 then return 0 end
if (redis.call('HGET', wk, 'told') or '0') ~= ARGV[3] then return 0 end
redis.call('HSET', wk, 'told', ARGV[4])
return 1
`)

// ClaimTold changes the position a waiting user was last told.
func (s *Queue) ClaimTold(ctx context.Context, chatID int64, from, to int) (bool, error) {
	n, err := s.run(ctx, claimToldScript, idStr(chatID), strconv.Itoa(from), strconv.Itoa(to)).Int()
	if err != nil {
		return false, fmt.Errorf("claim position of %d: %w", chatID, err)
	}
	return n == 1, nil
}

// hash reads an HGETALL reply.
func replyHash(v any) map[string]string {
	xs, _ := v.([]any)
	h := make(map[string]string, len(xs)/2)
	for i := 0; i+1 < len(xs); i += 2 {
		k, _ := xs[i].(string)
		v, _ := xs[i+1].(string)
		h[k] = v
	}
	return h
}

// num reads an integer reply.
func replyInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case string:
		x, _ := strconv.ParseInt(n, 10, 64)
		return x
	}
	return 0
}

func parseID(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

func waitingOf(h map[string]string) flows.Waiting {
	told, _ := strconv.Atoi(h["told"])
	return flows.Waiting{
		ChatID:    parseID(h["chat"]),
		Ticket:    parseID(h["ticket"]),
		Lang:      h["lang"],
		Urgent:    h["urgent"] == "1",
		CaseCode:  h["case"],
		Since:     msTime(h["since"]),
		Queued:    msTime(h["queued"]),
		Returned:  h["returned"] == "1",
		Told:      told,
		Escalated: h["esc"] == "1",
	}
}

func pairingOf(h map[string]string) flows.Pairing {
	// "1" is a reminder marked sent before its time was kept.
	at, sent := strings.CutPrefix(h["reminded"], "s:")
	reminded, remindedAt := sent || h["reminded"] == "1", time.Time{}
	if sent {
		remindedAt = msTime(at)
	}
	return flows.Pairing{
		ID:         h["id"],
		ChatID:     parseID(h["chat"]),
		Ticket:     parseID(h["ticket"]),
		Volunteer:  parseID(h["vol"]),
		Name:       h["name"],
		VolLang:    h["vlang"],
		Lang:       h["lang"],
		Urgent:     h["urgent"] == "1",
		CaseCode:   h["case"],
		Since:      msTime(h["since"]),
		Queued:     msTime(h["queued"]),
		Taken:      msTime(h["taken"]),
		Pending:    msTime(h["pending"]),
		Reminded:   reminded,
		RemindedAt: remindedAt,
		HeldUntil:  msTime(h["hold"]),
	}
}
