package pipeline

import (
	"context"
	"testing"

	"hotline/storage/storagetest"
)

func TestOutboxAddPendingDelete(t *testing.T) {
	rdb, prefix := storagetest.Redis(t)
	ctx := context.Background()
	out := NewOutbox(rdb, prefix, 4)

	calls := []Outgoing{
		{Partition: out.PartitionOf(9), ChatID: 9, Method: "sendMessage", Params: []byte(`{"chat_id":9}`)},
		{Partition: out.PartitionOf(9), ChatID: 9, Method: "editMessageText", Priority: 1, Params: []byte(`{"chat_id":9,"message_id":3}`)},
		{Partition: out.PartitionOf(-10), ChatID: -10, Method: "sendMessage", Params: []byte(`{}`)},
	}
	if err := out.Add(ctx, calls...); err != nil {
		t.Fatal(err)
	}
	got, err := out.Pending(ctx, out.PartitionOf(9), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Method != "sendMessage" || got[1].Method != "editMessageText" || got[1].Priority != 1 {
		t.Fatalf("pending = %+v, want the two calls of chat 9 in order", got)
	}
	if err := out.Delete(ctx, map[int][]string{out.PartitionOf(9): {got[0].ID}}); err != nil {
		t.Fatal(err)
	}
	got, _ = out.Pending(ctx, out.PartitionOf(9), 10)
	if len(got) != 1 || got[0].Method != "editMessageText" {
		t.Errorf("pending after delete = %+v", got)
	}
	if n, _ := out.Len(ctx, out.PartitionOf(-10)); n != 1 {
		t.Errorf("group's partition holds %d calls, want 1", n)
	}
}
