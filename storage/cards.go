package storage

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/flows"
)

var _ flows.Cards = (*Cards)(nil)

// Cards remembers where cases' cards were sent, to redraw them when the
// case changes hands: one hash per case, prefix+"cards:<case id>", field
// "<chat>:<message>", value the card's language. Only ids are kept. The
// hash expires ttl after the last card was recorded: an older card stays as
// it was drawn.
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

// Shown records a card.
func (s *Cards) Shown(ctx context.Context, c flows.CardShown) error {
	key := s.key(c.CaseID)
	field := strconv.FormatInt(c.ChatID, 10) + ":" + strconv.Itoa(c.MessageID)
	_, err := s.c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, key, field, c.Lang)
		p.Expire(ctx, key, s.ttl)
		return nil
	})
	if err != nil {
		return fmt.Errorf("record card of case %d: %w", c.CaseID, err)
	}
	return nil
}

// Where returns the case's recorded cards, by chat and message.
func (s *Cards) Where(ctx context.Context, caseID int64) ([]flows.CardShown, error) {
	m, err := s.c.HGetAll(ctx, s.key(caseID)).Result()
	if err != nil {
		return nil, fmt.Errorf("cards of case %d: %w", caseID, err)
	}
	out := make([]flows.CardShown, 0, len(m))
	for field, lang := range m {
		c, msg, _ := strings.Cut(field, ":")
		chatID, err1 := strconv.ParseInt(c, 10, 64)
		msgID, err2 := strconv.Atoi(msg)
		if err1 != nil || err2 != nil {
			continue // not written by Shown
		}
		out = append(out, flows.CardShown{CaseID: caseID, ChatID: chatID, MessageID: msgID, Lang: lang})
	}
	slices.SortFunc(out, func(a, b flows.CardShown) int {
		return cmp.Or(cmp.Compare(a.ChatID, b.ChatID), cmp.Compare(a.MessageID, b.MessageID))
	})
	return out, nil
}
