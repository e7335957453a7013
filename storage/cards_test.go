package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"hotline/flows"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// TestCardsShownWhere: a case's messages are found again, each chat's in
// order, with the language each was written in and every case a joined
// message shows; another case's are apart; they are forgotten a while
// after the last one was shown.
func TestCardsShownWhere(t *testing.T) {
	ctx := context.Background()
	c, prefix := storagetest.Redis(t)
	cards := storage.NewCards(c, prefix, time.Hour)
	for _, s := range []flows.CardShown{
		{ChatID: 52, MessageID: 30, Lang: "ru", Cases: []int64{7}},
		{ChatID: 51, MessageID: 12, Lang: "en", Cases: []int64{6, 7, 8}}, // joined
		{ChatID: 51, MessageID: 13, Lang: "en", Cases: []int64{8}},
		{ChatID: 51, MessageID: 9, Lang: "en", Cases: []int64{7}}, // an escalation's card, before
	} {
		if err := cards.Shown(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for id, want := range map[int64]string{
		7: "[{51 9 en [7]} {51 12 en [6 7 8]} {52 30 ru [7]}]",
		8: "[{51 12 en [6 7 8]} {51 13 en [8]}]",
		6: "[{51 12 en [6 7 8]}]",
		9: "[]",
	} {
		got, err := cards.Where(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != want {
			t.Errorf("cards of case %d: %v, want %s", id, got, want)
		}
	}
	if ttl := c.TTL(ctx, prefix+"cards:7").Val(); ttl <= 0 || ttl > time.Hour {
		t.Errorf("the cards of case 7 expire in %v, want within the hour", ttl)
	}

	// And the other way: the cases a message shows or is about (a
	// notice, not a card: not redrawn), for a reply to it.
	if err := cards.About(ctx, 51, 15, []int64{9}, 0); err != nil {
		t.Fatal(err)
	}
	if err := cards.About(ctx, 51, 16, nil, 17); err != nil { // "chat #17 waits"
		t.Fatal(err)
	}
	if cases, ticket, err := cards.At(ctx, 51, 16); err != nil || len(cases) != 0 || ticket != 17 {
		t.Errorf("a notice of chat #17: %v, %d, %v", cases, ticket, err)
	}
	if got, err := cards.Where(ctx, 9); err != nil || len(got) != 0 {
		t.Errorf("a notice about case 9 among its cards: %v, %v", got, err)
	}
	for _, tc := range []struct {
		chat int64
		msg  int
		want string
	}{{51, 12, "[6 7 8]"}, {52, 30, "[7]"}, {51, 30, "[]"}, {51, 14, "[]"}, {51, 15, "[9]"}} {
		got, ticket, err := cards.At(ctx, tc.chat, tc.msg)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != tc.want || ticket != 0 {
			t.Errorf("cases of message %d in %d: %v, want %s", tc.msg, tc.chat, got, tc.want)
		}
	}
	if ttl := c.TTL(ctx, prefix+"cardmsg:51:12").Val(); ttl <= 0 || ttl > time.Hour {
		t.Errorf("message 12's cases expire in %v, want within the hour", ttl)
	}
}
