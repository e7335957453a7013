package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/flows"
)

var _ flows.Cards = (*Cards)(nil)

// Cards remembers where cases' cards were sent, to redraw them when a case
// changes hands: one hash per case, prefix+"cards:<case id>", field
// "<chat>:<message>", value "<lang>:<case id>,<case id>,…", the cases the
// message shows in order (several when cards went out joined). Only ids
// are kept. A hash expires ttl after the last card was recorded in it: an
// older card stays as it was drawn.
type Cards struct {
	c      redis.UniversalClient
	prefix string
	ttl    time.Duration
}

// NewCards returns a store whose keys start with prefix.
func NewCards(c redis.UniversalClient, prefix string, ttl time.Duration) *Cards {
	return &Cards{c: c, prefix: prefix, ttl: ttl}
}

func (s *Cards) key(caseID int64) string { return s.prefix + "cards:" + strconv.FormatInt(caseID, 10) }

// msgKey is the other way round: prefix+"cardmsg:<chat>:<message>", the
// cases the message shows ("<case id>,<case id>,…"), for a member's reply
// to it.
func (s *Cards) msgKey(chatID int64, messageID int) string {
	return s.prefix + "cardmsg:" + strconv.FormatInt(chatID, 10) + ":" + strconv.Itoa(messageID)
}

// Shown records a message under each of its cases, and its cases under
// the message. The keys of several
// cases are in several slots on a cluster: one pipeline, not a
// transaction; a message half recorded is redrawn for some of its cases.
func (s *Cards) Shown(ctx context.Context, c flows.CardShown) error {
	field := strconv.FormatInt(c.ChatID, 10) + ":" + strconv.Itoa(c.MessageID)
	ids := make([]string, len(c.Cases))
	for i, id := range c.Cases {
		ids[i] = strconv.FormatInt(id, 10)
	}
	value := c.Lang + ":" + strings.Join(ids, ",")
	_, err := s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, s.msgKey(c.ChatID, c.MessageID), strings.Join(ids, ","), s.ttl)
		seen := map[int64]bool{}
		for _, id := range c.Cases {
			if !seen[id] {
				seen[id] = true
				p.HSet(ctx, s.key(id), field, value)
				p.Expire(ctx, s.key(id), s.ttl)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record cards of message %d in %d: %w", c.MessageID, c.ChatID, err)
	}
	return nil
}

// Where returns the messages that show the case's card, by chat and
// message.
func (s *Cards) Where(ctx context.Context, caseID int64) ([]flows.CardShown, error) {
	m, err := s.c.HGetAll(ctx, s.key(caseID)).Result()
	if err != nil {
		return nil, fmt.Errorf("cards of case %d: %w", caseID, err)
	}
	out := make([]flows.CardShown, 0, len(m))
	for field, value := range m {
		c, msg, _ := strings.Cut(field, ":")
		chatID, err1 := strconv.ParseInt(c, 10, 64)
		msgID, err2 := strconv.Atoi(msg)
		lang, list, _ := strings.Cut(value, ":")
		shown := flows.CardShown{ChatID: chatID, MessageID: msgID, Lang: lang}
		for _, f := range strings.Split(list, ",") {
			if id, err := strconv.ParseInt(f, 10, 64); err == nil {
				shown.Cases = append(shown.Cases, id)
			}
		}
		if err1 != nil || err2 != nil || !slices.Contains(shown.Cases, caseID) {
			continue // not written by Shown
		}
		out = append(out, shown)
	}
	slices.SortFunc(out, func(a, b flows.CardShown) int {
		return cmp.Or(cmp.Compare(a.ChatID, b.ChatID), cmp.Compare(a.MessageID, b.MessageID))
	})
	return out, nil
}

// About records a message about cases that shows no card to redraw, or
// about a chat in the queue (ticket, when not 0): "t<ticket>".
func (s *Cards) About(ctx context.Context, chatID int64, messageID int, cases []int64, ticket int64) error {
	ids := make([]string, len(cases))
	for i, id := range cases {
		ids[i] = strconv.FormatInt(id, 10)
	}
	if ticket != 0 {
		ids = append(ids, "t"+strconv.FormatInt(ticket, 10))
	}
	if err := s.c.Set(ctx, s.msgKey(chatID, messageID), strings.Join(ids, ","), s.ttl).Err(); err != nil {
		return fmt.Errorf("record cases of message %d in %d: %w", messageID, chatID, err)
	}
	return nil
}

// At returns the cases the chat's message shows or is about, in order,
// and the ticket of the chat in the queue it is about; none when it is
// neither, or older than the store keeps.
func (s *Cards) At(ctx context.Context, chatID int64, messageID int) (cases []int64, ticket int64, err error) {
	v, err := s.c.Get(ctx, s.msgKey(chatID, messageID)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("cases of message %d in %d: %w", messageID, chatID, err)
	}
	for _, f := range strings.Split(v, ",") {
		if t, ok := strings.CutPrefix(f, "t"); ok {
			ticket, _ = strconv.ParseInt(t, 10, 64)
		} else if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			cases = append(cases, id)
		}
	}
	return cases, ticket, nil
}
