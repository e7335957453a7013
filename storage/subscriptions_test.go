package storage_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"hotline/flows"
	"hotline/storage"
	"hotline/storage/storagetest"
)

func TestSubscriptions(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	subs := storage.NewSubscriptions(db)
	r := fullReport() // reporter chat 100500, lang ru
	c := storeCase(t, db, r)
	other := storeCase(t, db, fullReport())

	recipients := func() []flows.Recipient {
		t.Helper()
		got, err := subs.Recipients(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got, want := recipients(), []flows.Recipient{{ChatID: 100500, Lang: "ru", Reporter: true, Code: c.Code}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("before any subscription: %+v, want the reporter alone %+v", got, want)
	}

	for _, s := range []struct {
		chat int64
		lang string
	}{{301, "en"}, {302, "ru"}, {301, "ru"}, {100500, "en"}} {
		if err := subs.Subscribe(ctx, c.ID, s.chat, s.lang); err != nil {
			t.Fatalf("Subscribe(%d): %v", s.chat, err)
		}
	}
	want := []flows.Recipient{
		{ChatID: 100500, Lang: "ru", Reporter: true, Code: c.Code}, // once, as the reporter
		{ChatID: 301, Lang: "ru", Code: c.Code},                    // subscribing again changed the language
		{ChatID: 302, Lang: "ru", Code: c.Code},
	}
	if got := recipients(); !reflect.DeepEqual(got, want) {
		t.Errorf("recipients %+v, want %+v", got, want)
	}

	following := []struct {
		caseID, chat int64
		want         flows.Following
	}{
		{c.ID, 100500, flows.Reporting},
		{c.ID, 301, flows.Subscribed},
		{c.ID, 999, flows.NotFollowing},
		{other.ID, 301, flows.NotFollowing},
	}
	for _, f := range following {
		got, err := subs.Following(ctx, f.caseID, f.chat)
		if err != nil || got != f.want {
			t.Errorf("Following(%d, %d) = %v, %v; want %v", f.caseID, f.chat, got, err, f.want)
		}
	}

	if err := subs.Unsubscribe(ctx, c.ID, 301); err != nil {
		t.Fatal(err)
	}
	if err := subs.Unsubscribe(ctx, c.ID, 301); err != nil {
		t.Errorf("second Unsubscribe: %v", err)
	}
	if got, _ := subs.Following(ctx, c.ID, 301); got != flows.NotFollowing {
		t.Errorf("after Unsubscribe: %v", got)
	}

	// A reporter who blocked the bot is not written to.
	if _, err := db.Exec(`UPDATE reporters SET active = false WHERE telegram_user_id = 100500`); err != nil {
		t.Fatal(err)
	}
	want = []flows.Recipient{{ChatID: 302, Lang: "ru", Code: c.Code}, {ChatID: 100500, Lang: "en", Code: c.Code}}
	if got := recipients(); !reflect.DeepEqual(got, want) {
		t.Errorf("inactive reporter: %+v, want %+v (their own subscription stays)", got, want)
	}

	if err := subs.Subscribe(ctx, other.ID+1000, 301, "en"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Subscribe to no case: %v, want ErrNotFound", err)
	}
}
