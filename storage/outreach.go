package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/flows"
)

var _ flows.Outreach = (*Queue)(nil)

// The handoff's live state as the case tools change it (see Queue for the
// keys): a pairing a volunteer opens with a case's reporter, marked
// "opened" and without a ticket in the queue, and a volunteer's hold on a
// pairing, "hold" in its hash, in Unix milliseconds.

var openScript = redis.NewScript(scriptHead + `
local c, vol = ARGV[3], ARGV[4]
local pk = P .. 'h:p:' .. c
if redis.call('EXISTS', pk) == 1 or redis.call('ZSCORE', P .. 'h:q', c) then return finish({'paired'}) end
local vset = P .. 'h:v:' .. vol
if redis.call('SCARD', vset) >= tonumber(ARGV[5]) then return finish({'busy'}) end
local t = redis.call('INCR', P .. 'h:seq')
redis.call('HSET', pk, 'id', ARGV[6], 'chat', c, 'ticket', t, 'lang', ARGV[7], 'urgent', '0',
  'case', ARGV[8], 'since', ARGV[9], 'queued', ARGV[9], 'vol', vol, 'name', ARGV[10],
  'vlang', ARGV[11], 'taken', ARGV[9], 'opened', '1')
redis.call('SADD', vset, c)
redis.call('SET', P .. 'h:a:' .. vol, c)
redis.call('SADD', P .. 'h:paired', c)
return finish({'ok', redis.call('HGETALL', pk)})
`)

// Open pairs a chat that neither waits nor talks to a volunteer with the
// volunteer, in one script, remembered under the update's op.
func (s *Queue) Open(ctx context.Context, o flows.Open) (flows.Pairing, error) {
	at := o.At
	if at.IsZero() {
		at = time.Now()
	}
	res, err := s.run(ctx, openScript, o.Op, idStr(o.ChatID), idStr(o.Volunteer),
		strconv.Itoa(max(o.Max, 1)), o.ID, o.Lang, o.CaseCode, msStr(at), o.Name, o.VolLang).Slice()
	if err != nil {
		return flows.Pairing{}, fmt.Errorf("open chat %d for %d: %w", o.ChatID, o.Volunteer, err)
	}
	switch res[0] {
	case "paired":
		return flows.Pairing{}, flows.ErrPaired
	case "busy":
		return flows.Pairing{}, flows.ErrBusy
	}
	return pairingOf(replyHash(res[1])), nil
}

var holdScript = redis.NewScript(`
local pk = ARGV[1] .. 'h:p:' .. ARGV[2]
if redis.call('HGET', pk, 'vol') ~= ARGV[3] then return 0 end
if ARGV[4] == '' then redis.call('HDEL', pk, 'hold') else redis.call('HSET', pk, 'hold', ARGV[4]) end
return 1
`)

// Hold marks the volunteer busy for the chat until a time; a zero time
// ends the hold. ErrNotFound when the volunteer does not hold the chat.
func (s *Queue) Hold(ctx context.Context, chatID, volunteer int64, until time.Time) error {
	n, err := s.run(ctx, holdScript, idStr(chatID), idStr(volunteer), msStr(until)).Int()
	if err != nil {
		return fmt.Errorf("hold chat %d for %d: %w", chatID, volunteer, err)
	}
	if n == 0 {
		return fmt.Errorf("hold chat %d for %d: %w", chatID, volunteer, ErrNotFound)
	}
	return nil
}
