package pipeline

import (
	"log/slog"
	"testing"
)

// TestAcksEntryLeavesOnceEveryCallIsAnswered: an entry holding two calls
// (a button's answerCallbackQuery and its edit) is deleted only when both
// were answered, and a call answered is not made again when the partition
// is read anew; a trim forgets what it removed.
func TestAcksEntryLeavesOnceEveryCallIsAnswered(t *testing.T) {
	a := newAcks(nil, slog.Default())
	first := Outgoing{ID: "5-0", Partition: 2, Part: 0, Parts: 2}
	second := Outgoing{ID: "5-0", Partition: 2, Part: 1, Parts: 2}
	single := Outgoing{ID: "6-0", Partition: 2}

	a.add(first)
	if !a.answered(first) || a.answered(second) {
		t.Fatalf("answered: first %v, second %v; want true, false", a.answered(first), a.answered(second))
	}
	if len(a.pending[2]) != 0 {
		t.Fatalf("entry queued for deletion with a call unanswered: %v", a.pending[2])
	}
	a.add(second)
	a.add(single)
	if got := a.pending[2]; len(got) != 2 || got[0].id != "5-0" || got[1].id != "6-0" {
		t.Fatalf("to delete = %v, want [5-0 6-0]", got)
	}
	a.trimmed(2, "6-0") // the outbox was trimmed below 6-0
	if got := a.pending[2]; len(got) != 1 || got[0].id != "6-0" {
		t.Errorf("to delete after a trim = %v, want [6-0]", got)
	}
	if !idLess("5-9", "6-0") || idLess("10-0", "9-5") || nextID("7-3") != "7-4" {
		t.Error("stream ids compare wrong")
	}
}
