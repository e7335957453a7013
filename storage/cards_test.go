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

// TestCardsShownWhere: a case's cards are found again, each chat's
// messages in order, with the language each was written in; another case's
// are apart; they are forgotten a while after the last one was shown.
func TestCardsShownWhere(t *testing.T) {
	ctx := context.Background()
	c, prefix := storagetest.Redis(t)
	cards := storage.NewCards(c, prefix, time.Hour)
	for _, s := range []flows.CardShown{
		{CaseID: 7, ChatID: 52, MessageID: 30, Lang: "ru"},
		{CaseID: 7, ChatID: 51, MessageID: 12, Lang: "en"},
		{CaseID: 8, ChatID: 51, MessageID: 13, Lang: "en"},
		{CaseID: 7, ChatID: 51, MessageID: 9, Lang: "en"}, // an escalation's card, before
	} {
		if err := cards.Shown(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	got, err := cards.Where(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	want := "[{7 51 9 en} {7 51 12 en} {7 52 30 ru}]"
	if fmt.Sprint(got) != want {
		t.Errorf("cards of case 7: %v, want %s", got, want)
	}
	if got, err := cards.Where(ctx, 9); err != nil || len(got) != 0 {
		t.Errorf("cards of a case never shown: %v, %v", got, err)
	}
	if ttl := c.TTL(ctx, prefix+"cards:7").Val(); ttl <= 0 || ttl > time.Hour {
		t.Errorf("the cards of case 7 expire in %v, want within the hour", ttl)
	}
}
