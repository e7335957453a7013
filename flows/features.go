package flows

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// A feature is a part of the bot beyond the report flow — the volunteer
// handoff, case status — that plugs into the engine through these hooks
// instead of growing its switch statements. Each feature registers its hooks
// in New; the engine consults them in the order below.
type hooks struct {
	// intercept sees every input first; returning true means the input was
	// taken (a chat paired with a volunteer relays everything it sends).
	intercept []func(ctx context.Context, c *turn) (bool, error)
	// commands by name, without the slash.
	commands map[string]func(ctx context.Context, c *turn, arg string) error
	// starts by the prefix of a /start payload: "c_" for a case code, "v_"
	// for a volunteer invite.
	starts map[string]func(ctx context.Context, c *turn, payload string) error
	// menu actions by name (callback data "m:<action>").
	menu map[string]func(ctx context.Context, c *turn) error
	// buttons by the first field of their callback data, which must not be
	// a report nonce, "m" or "l": features use one or two letters and a dot,
	// e.g. "h.", "s.".
	buttons map[string]func(ctx context.Context, c *turn, rest string) error
	// flows by Session.Flow: typed text and media while the feature's flow
	// is on (a code being asked for, a note being written).
	flows map[string]func(ctx context.Context, c *turn) error
	// menuText sees text typed at the main menu before the greeting does
	// (a case code typed as is, "человек" to reach a volunteer).
	menuText []func(ctx context.Context, c *turn) (bool, error)
	// menuMedia sees a photo, a voice message or a document sent at the
	// main menu before the greeting does.
	menuMedia []func(ctx context.Context, c *turn) (bool, error)
	// home is /start and the main menu of a member of the hotline's side
	// (their work, not the relatives' menu); false for anyone else.
	home func(ctx context.Context, c *turn) (bool, error)
}

// command runs a command; arg is what follows it.
type command = func(ctx context.Context, c *turn, arg string) error

// button runs a pressed button; rest is its callback data after the
// feature's prefix.
type button = func(ctx context.Context, c *turn, rest string) error

// guard registers a command with the action it needs in the authorisation
// table (authz.go), like a middleware: to anyone whose role may never do
// act the command does not exist, and they get exactly the answer to an
// unknown command. For an action on a case the command then checks the
// case asked for.
func (a *App) guard(act Action, cmd command) command {
	return func(ctx context.Context, c *turn, arg string) error {
		if Allowed(RoleNone, act, false) {
			return cmd(ctx, c, arg)
		}
		role, err := a.role(ctx, c.in.UserID)
		if err != nil {
			return fmt.Errorf("role of user %d: %w", c.in.UserID, err)
		}
		if mayEver(role, act) {
			return cmd(ctx, c, arg)
		}
		if role == RoleNone {
			return c.unknownCommand(ctx)
		}
		// A member knows the volunteers' commands exist: they are told
		// which role this one needs, not that it does not exist.
		p, _ := permission(act)
		c.say(T("command.role_needed", "Command", c.in.Command, "Role", roleText(p.Min), "Yours", roleText(role)))
		return nil
	}
}

// guardButton is guard for a button: anyone else gets the answer to an
// old button.
func (a *App) guardButton(act Action, b button) button {
	return func(ctx context.Context, c *turn, rest string) error {
		ok, err := a.mayEverUser(ctx, c.in.UserID, act)
		if err != nil {
			return err
		}
		if !ok {
			c.say(T("button.old"))
			return c.again(ctx)
		}
		return b(ctx, c, rest)
	}
}

// mayEverUser reports whether the user's role may do act on some case.
func (a *App) mayEverUser(ctx context.Context, userID int64, act Action) (bool, error) {
	if Allowed(RoleNone, act, false) {
		return true, nil
	}
	role, err := a.role(ctx, userID)
	if err != nil {
		return false, fmt.Errorf("role of user %d: %w", userID, err)
	}
	return mayEver(role, act), nil
}

func newHooks() hooks {
	return hooks{
		commands: map[string]func(context.Context, *turn, string) error{},
		starts:   map[string]func(context.Context, *turn, string) error{},
		menu:     map[string]func(context.Context, *turn) error{},
		buttons:  map[string]func(context.Context, *turn, string) error{},
		flows:    map[string]func(context.Context, *turn) error{},
	}
}

// start runs a /start payload's feature; ok is false when none claims it.
func (h *hooks) start(ctx context.Context, c *turn, payload string) (bool, error) {
	for prefix, fn := range h.starts {
		if strings.HasPrefix(payload, prefix) {
			return true, fn(ctx, c, strings.TrimPrefix(payload, prefix))
		}
	}
	return false, nil
}

// Role is what a member of the hotline may do; users have RoleNone.
type Role int

// Roles, each allowed what the one before it is.
const (
	RoleNone Role = iota
	RoleVolunteer
	RoleCoordinator
	RoleAdmin
)

// Roles tells who is a member of the hotline.
type Roles interface {
	// Role returns the user's role; RoleNone for anyone not a member.
	Role(ctx context.Context, userID int64) (Role, error)
	// MayBeMember reports whether the user may be a member: false only
	// for one who is none. It may answer from what it read a few seconds
	// ago, and costs no query for most calls; Role tells for sure. With an
	// error, it answers from what it read last, if anything.
	MayBeMember(ctx context.Context, userID int64) (bool, error)
}

// role returns the user's role: admins come from the configuration, the
// rest from Deps.Roles.
func (a *App) role(ctx context.Context, userID int64) (Role, error) {
	if slices.Contains(a.cfg.Admins, userID) {
		return RoleAdmin, nil
	}
	return a.d.Roles.Role(ctx, userID)
}
