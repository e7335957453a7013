package storage_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"hotline/flows"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// TestAuditAppendOnly: the application can add and read entries, and
// nothing — not even the table's owner, a superuser here — can change,
// delete or truncate them.
func TestAuditAppendOnly(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	audit := storage.NewAudit(db)
	if err := audit.Record(ctx, flows.AuditEntry{Actor: flows.ActorUser(5), Action: flows.AuditView, CaseID: 7}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE audit_log SET actor = 'someone else'`,
		`DELETE FROM audit_log`,
		`TRUNCATE audit_log`,
	} {
		_, err := db.ExecContext(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want it refused as append-only", q, err)
		}
	}
	es, total, err := audit.ForCase(ctx, 7, 0, 10)
	if err != nil || total != 1 || len(es) != 1 || es[0].Actor != "tg:5" || es[0].Action != flows.AuditView {
		t.Errorf("after the attempts: %+v, %d, %v; want the entry as recorded", es, total, err)
	}
}

// TestAuditRecordAndPages: entries come newest first, a page at a time; an
// entry recorded again under its key is stored once; role changes are the
// entries without a case.
func TestAuditRecordAndPages(t *testing.T) {
	ctx := context.Background()
	audit := storage.NewAudit(storagetest.Postgres(t))
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i, e := range []flows.AuditEntry{
		{Actor: "tg:1", Action: flows.AuditView, CaseID: 3, Key: "u1:view"},
		{Actor: "tg:1", Action: flows.AuditView, CaseID: 3, Key: "u1:view"}, // the same update again
		{Actor: "tg:2", Action: flows.AuditStatus, CaseID: 3, Detail: flows.StatusLawyer},
		{Actor: flows.ActorSystem, Action: flows.AuditPurge, CaseID: 3},
		{Actor: "tg:1", Action: flows.AuditFind, CaseID: 4},
		{Actor: flows.ActorCLI, Action: flows.AuditMemberAdd, Subject: 9, Detail: "coordinator"},
	} {
		e.At = at.Add(time.Duration(i) * time.Minute)
		if err := audit.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name        string
		caseID      int64
		skip, limit int
		want        []string
		total       int
	}{
		{"first page", 3, 0, 2, []string{"purge", "status"}, 3},
		{"second page", 3, 2, 2, []string{"view"}, 3},
		{"past the end", 3, 5, 2, nil, 3},
		{"another case", 4, 0, 10, []string{"find"}, 1},
		{"role changes", 0, 0, 10, []string{"member_add"}, 1},
	}
	for _, tt := range tests {
		es, total, err := audit.ForCase(ctx, tt.caseID, tt.skip, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range es {
			got = append(got, e.Action)
		}
		if !slices.Equal(got, tt.want) || total != tt.total {
			t.Errorf("%s: %v of %d, want %v of %d", tt.name, got, total, tt.want, tt.total)
		}
	}
	es, _, _ := audit.ForCase(ctx, 3, 0, 1)
	if want := at.Add(3 * time.Minute); !es[0].At.Equal(want) || es[0].Actor != flows.ActorSystem {
		t.Errorf("newest entry %+v, want the purge at %v", es[0], want)
	}
	if err := audit.Record(ctx, flows.AuditEntry{Action: flows.AuditView, CaseID: 3}); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("an entry without an actor: %v, want ErrInvalid", err)
	}
}
