package flows

import (
	"context"
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
}

// role returns the user's role: admins come from the configuration, the
// rest from Deps.Roles.
func (a *App) role(ctx context.Context, userID int64) (Role, error) {
	if slices.Contains(a.cfg.Admins, userID) {
		return RoleAdmin, nil
	}
	return a.d.Roles.Role(ctx, userID)
}
