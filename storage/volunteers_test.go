package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"hotline/flows"
	"hotline/storage"
	"hotline/storage/storagetest"
)

func TestVolunteers(t *testing.T) {
	ctx := context.Background()
	s := storage.NewVolunteers(storagetest.Postgres(t))

	if r, err := s.Role(ctx, 1); err != nil || r != flows.RoleNone {
		t.Fatalf("Role of a stranger = %v, %v", r, err)
	}
	if _, err := s.Get(ctx, 1); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("Get of a stranger: %v", err)
	}
	if err := s.Add(ctx, 1, flows.RoleVolunteer, 99); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(ctx, 2, flows.RoleCoordinator, 99); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(ctx, 3, flows.RoleNone, 99); err == nil {
		t.Error("Add with no role succeeded")
	}
	// An admin from the configuration keeps preferences in a row of role 0.
	if err := s.SetLang(ctx, 50, "ru"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDuty(ctx, 50, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetName(ctx, 1, "Anna"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDuty(ctx, 1, true); err != nil {
		t.Fatal(err)
	}

	v, err := s.Get(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if v.Role != flows.RoleVolunteer || v.Name != "Anna" || !v.OnDuty || v.Added.IsZero() {
		t.Errorf("Get(1) = %+v", v)
	}
	if r, _ := s.Role(ctx, 50); r != flows.RoleNone {
		t.Errorf("role of a preferences row = %v, want none", r)
	}
	ids := func(vs []flows.Volunteer, err error) []int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, v := range vs {
			out = append(out, v.UserID)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		got  []int64
		want []int64
	}{
		{"List", ids(s.List(ctx)), []int64{1, 2}},
		{"OnDuty", ids(s.OnDuty(ctx)), []int64{1, 50}},
		{"Coordinators", ids(s.Coordinators(ctx)), []int64{2}},
	} {
		if !equalIDs(tt.got, tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}

	// A role can change, and be taken away.
	if err := s.Add(ctx, 1, flows.RoleAdmin, 99); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.Role(ctx, 1); r != flows.RoleAdmin {
		t.Errorf("role after change = %v", r)
	}
	if err := s.Remove(ctx, 1, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, 1, ""); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("second Remove: %v", err)
	}
	if err := s.Remove(ctx, 50, ""); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("Remove of a preferences row: %v", err)
	}
	if r, _ := s.Role(ctx, 1); r != flows.RoleNone {
		t.Errorf("role after Remove = %v", r)
	}

	// The update that removed a member finds the removal done when it is
	// handled again; another update, or the command line, does not.
	if err := s.Add(ctx, 2, flows.RoleVolunteer, 99); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, 2, "u41"); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, 2, "u41"); err != nil {
		t.Errorf("Remove handled again by its update: %v", err)
	}
	for _, op := range []string{"u42", ""} {
		if err := s.Remove(ctx, 2, op); !errors.Is(err, flows.ErrNotFound) {
			t.Errorf("Remove by %q after u41 removed them: %v", op, err)
		}
	}
	if err := s.Remove(ctx, 3, "u41"); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("Remove of a non-member by u41: %v", err)
	}
	if r, _ := s.Role(ctx, 2); r != flows.RoleNone {
		t.Errorf("role after Remove = %v", r)
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestInvites(t *testing.T) {
	ctx := context.Background()
	s := storage.NewVolunteers(storagetest.Postgres(t))
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	if err := s.Invite(ctx, "h-coord", flows.RoleCoordinator, 99, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Invite(ctx, "h-old", flows.RoleVolunteer, 99, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		hash    string
		user    int64
		op      string
		at      time.Time
		want    flows.Role
		wantErr error
	}{
		{"accepted", "h-coord", 7, "u1", now, flows.RoleCoordinator, nil},
		{"same update again", "h-coord", 7, "u1", now.Add(time.Minute), flows.RoleCoordinator, nil},
		{"same user, another update", "h-coord", 7, "u2", now.Add(time.Minute), flows.RoleNone, flows.ErrNotFound},
		{"used by another", "h-coord", 8, "u3", now, flows.RoleNone, flows.ErrNotFound},
		{"unknown", "h-nope", 8, "u4", now, flows.RoleNone, flows.ErrNotFound},
		{"expired", "h-old", 8, "u5", now.Add(2 * time.Hour), flows.RoleNone, flows.ErrNotFound},
		// A lower invite does not lower a role.
		{"keeps higher role", "h-old", 7, "u6", now, flows.RoleCoordinator, nil},
	}
	for _, tt := range tests {
		got, err := s.Accept(ctx, tt.hash, tt.user, tt.at, tt.op)
		if !errors.Is(err, tt.wantErr) || got != tt.want {
			t.Errorf("%s: Accept = %v, %v; want %v, %v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
	if r, _ := s.Role(ctx, 8); r != flows.RoleNone {
		t.Errorf("refused user has role %v", r)
	}
	v, err := s.Get(ctx, 7)
	if err != nil || v.Role != flows.RoleCoordinator {
		t.Errorf("invited member = %+v, %v", v, err)
	}
}

// TestRemoveRevokesInvites: a removed member's old invite link does not
// bring them back, and the invites they made stop working.
func TestRemoveRevokesInvites(t *testing.T) {
	ctx := context.Background()
	s := storage.NewVolunteers(storagetest.Postgres(t))
	now := time.Now()
	if err := s.Invite(ctx, "h-joined", flows.RoleCoordinator, 99, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Accept(ctx, "h-joined", 7, now, "u1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Invite(ctx, "h-made", flows.RoleVolunteer, 7, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, 7, ""); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		hash string
		user int64
		op   string
	}{
		{"the link they joined with, the same update", "h-joined", 7, "u1"},
		{"the link they joined with, later", "h-joined", 7, "u9"},
		{"a link they made", "h-made", 8, "u10"},
	} {
		if got, err := s.Accept(ctx, tt.hash, tt.user, now, tt.op); !errors.Is(err, flows.ErrNotFound) {
			t.Errorf("%s: Accept = %v, %v; want ErrNotFound", tt.name, got, err)
		}
	}
	for _, id := range []int64{7, 8} {
		if r, _ := s.Role(ctx, id); r != flows.RoleNone {
			t.Errorf("user %d has role %v after the removal", id, r)
		}
	}
}

// TestMayBeMember: the members' ids, read once for many calls, know the
// changes made through the store at once; a member added by another
// process (the command line) once they are read again.
func TestMayBeMember(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Postgres(t)
	s, cli := storage.NewVolunteers(db), storage.NewVolunteers(db)
	may := func(id int64) bool {
		t.Helper()
		ok, err := s.MayBeMember(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if may(1) {
		t.Error("a stranger may be a member")
	}
	if err := s.Add(ctx, 1, flows.RoleVolunteer, 0); err != nil {
		t.Fatal(err)
	}
	if !may(1) {
		t.Error("a member added through the store is not known at once")
	}
	// An admin's row of preferences alone is no membership.
	if err := s.SetLang(ctx, 50, "ru"); err != nil {
		t.Fatal(err)
	}
	if err := cli.Add(ctx, 2, flows.RoleCoordinator, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, 1, ""); err != nil {
		t.Fatal(err)
	}
	if may(1) || !may(2) || may(50) {
		t.Errorf("after a removal here and an addition elsewhere: 1 %v, 2 %v, 50 %v; want false, true, false", may(1), may(2), may(50))
	}
}
