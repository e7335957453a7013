package flows

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ParseRole reads a role's name as an admin types it; ok is false for
// anything else.
func ParseRole(s string) (Role, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "volunteer", "волонтер", "волонтёр":
		return RoleVolunteer, true
	case "coordinator", "координатор":
		return RoleCoordinator, true
	case "admin", "админ", "администратор":
		return RoleAdmin, true
	}
	return RoleNone, false
}

// String names a role as ParseRole reads it.
func (r Role) String() string {
	switch r {
	case RoleVolunteer:
		return "volunteer"
	case RoleCoordinator:
		return "coordinator"
	case RoleAdmin:
		return "admin"
	}
	return "none"
}

// roleText names a role for a reader.
func roleText(r Role) Text { return T("handoff.role_" + r.String()) }

// InviteHash is what is stored of an invite token: the token itself is
// only in the link, so a copy of the database cannot be turned into links.
func InviteHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// volunteers is /volunteers for admins: list, add <id> [role],
// remove <id>, invite [role].
func (a *App) volunteers(ctx context.Context, c *turn, m *member, arg string) error {
	f := strings.Fields(arg)
	verb := "list"
	if len(f) > 0 {
		verb = strings.ToLower(f[0])
	}
	switch verb {
	case "list":
		return a.listVolunteers(ctx, m)
	case "add":
		if len(f) < 2 || len(f) > 3 {
			break
		}
		if strings.HasPrefix(f[1], "@") {
			// Telegram does not tell a bot the id behind a @username.
			m.say(T("handoff.add_username"))
			return nil
		}
		id, err := strconv.ParseInt(f[1], 10, 64)
		role, ok := RoleVolunteer, true
		if len(f) == 3 {
			role, ok = ParseRole(f[2])
		}
		if err != nil || id <= 0 || !ok {
			break
		}
		if err := a.d.Volunteers.Add(ctx, id, role, m.UserID); err != nil {
			return fmt.Errorf("add member %d: %w", id, err)
		}
		if err := a.audit(ctx, c, AuditEntry{Action: AuditMemberAdd, Subject: id, Detail: role.String()}); err != nil {
			return err
		}
		m.say(T("handoff.member_added", "ID", strconv.FormatInt(id, 10), "Role", roleText(role)))
		return nil
	case "remove", "delete", "del", "rm", "удалить":
		if len(f) < 2 {
			break
		}
		id, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || len(f) > 2 {
			// By the name the member set with /name, as /handover takes it.
			who := strings.Join(f[1:], " ")
			if id, err = a.memberNamed(ctx, who); err != nil {
				return err
			}
			if id == 0 {
				m.say(T("handoff.member_unknown", "ID", who))
				return nil
			}
		}
		return a.removeVolunteer(ctx, c, m, id)
	case "invite":
		role, ok := RoleVolunteer, true
		if len(f) == 2 {
			role, ok = ParseRole(f[1])
		}
		if len(f) > 2 || !ok {
			break
		}
		token := a.d.NewID()
		expires := c.now.Add(a.cfg.InviteTTL)
		if err := a.d.Volunteers.Invite(ctx, InviteHash(token), role, m.UserID, expires); err != nil {
			return fmt.Errorf("store invite: %w", err)
		}
		if err := a.audit(ctx, c, AuditEntry{Action: AuditMemberInvite, Detail: role.String()}); err != nil {
			return err
		}
		link := "https://t.me/" + a.cfg.BotUsername + "?start=v_" + token
		m.say(T("handoff.invite", "Link", link, "Role", roleText(role), "Hours", int(a.cfg.InviteTTL.Hours())))
		return nil
	}
	m.say(T("handoff.volunteers_usage"))
	return nil
}

// listVolunteers lists the members.
func (a *App) listVolunteers(ctx context.Context, m *member) error {
	vs, err := a.d.Volunteers.List(ctx)
	if err != nil {
		return fmt.Errorf("list members: %w", err)
	}
	lines := make([]Text, 0, len(vs)+len(a.cfg.Admins))
	for _, id := range a.cfg.Admins {
		lines = append(lines, T("handoff.member_config_admin", "ID", strconv.FormatInt(id, 10)))
	}
	for _, v := range vs {
		if a.isAdmin(v.UserID) {
			continue
		}
		lines = append(lines, T("handoff.member_line", "ID", strconv.FormatInt(v.UserID, 10),
			"Role", roleText(v.Role), "Name", v.Name, "OnDuty", v.OnDuty))
	}
	m.say(T("handoff.members", "Lines", lines))
	return nil
}

// removeVolunteer takes a member's role away; the chats they hold go back
// to the head of the queue.
func (a *App) removeVolunteer(ctx context.Context, c *turn, m *member, id int64) error {
	if a.isAdmin(id) {
		m.say(T("handoff.member_is_config_admin"))
		return nil
	}
	err := a.d.Volunteers.Remove(ctx, id, c.op())
	switch {
	case errors.Is(err, ErrNotFound):
		m.say(T("handoff.member_unknown", "ID", strconv.FormatInt(id, 10)))
		return nil
	case err != nil:
		return fmt.Errorf("remove member %d: %w", id, err)
	}
	if err := a.audit(ctx, c, AuditEntry{Action: AuditMemberRemove, Subject: id}); err != nil {
		return err
	}
	rs, err := a.returnAll(ctx, id, EndRemoved, c.now, c.op())
	if err != nil {
		return err
	}
	for _, r := range append(rs, a.removed(id)...) {
		c.send(r)
	}
	m.say(T("handoff.member_removed", "ID", strconv.FormatInt(id, 10)))
	return nil
}

// acceptInvite runs /start v_<token>: the user joins the hotline with the
// invite's role.
func (a *App) acceptInvite(ctx context.Context, c *turn, token string) error {
	c.drop = true
	lang := Lang(c.in.LangCode)
	role, err := a.d.Volunteers.Accept(ctx, InviteHash(token), c.in.UserID, c.now, c.op())
	switch {
	case errors.Is(err, ErrNotFound):
		c.send(Reply{ChatID: c.in.ChatID, Lang: lang, Texts: []Text{T("handoff.invite_bad")}})
		return nil
	case err != nil:
		return fmt.Errorf("accept invite for %d: %w", c.in.UserID, err)
	}
	if err := a.audit(ctx, c, AuditEntry{Action: AuditMemberJoin, Subject: c.in.UserID, Detail: role.String()}); err != nil {
		return err
	}
	if err := a.d.Volunteers.SetLang(ctx, c.in.UserID, lang); err != nil {
		return fmt.Errorf("set language of member %d: %w", c.in.UserID, err)
	}
	c.send(Reply{ChatID: c.in.ChatID, Lang: lang, Texts: []Text{T("handoff.invite_ok", "Role", roleText(role))}, Commands: &role})
	if a.forumOn() {
		c.send(a.invite(c.in.UserID, lang))
	}
	return nil
}
