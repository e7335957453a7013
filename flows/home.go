package flows

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// dataHome is a button of a member's home that runs one of their commands:
// "h.c:queue", "h.c:duty on".
const dataHome = "h.c"

// homeCommands are the commands the home's buttons may run; each asks the
// authorisation table as typed.
var homeCommands = []string{"queue", "next", "cases", "duty on", "duty off", "help"}

// memberHome is a volunteer's or a coordinator's /start and main menu:
// where they stand (on duty or not), how many chats wait and how many new
// cases nobody has taken, with buttons for their work. It was the
// relatives' greeting ("Report a detention", "Talk to a volunteer"). false
// for anyone else.
func (a *App) memberHome(ctx context.Context, c *turn) (bool, error) {
	m, ok, err := a.enter(ctx, c, ActMember)
	if err != nil || !ok {
		return false, err
	}
	role := m.Role
	ws, err := a.d.Queue.Waiting(ctx)
	if err != nil {
		return false, fmt.Errorf("list queue: %w", err)
	}
	held, err := a.d.Queue.Held(ctx, m.UserID, "")
	if err != nil {
		return false, fmt.Errorf("chats of %d: %w", m.UserID, err)
	}
	fresh := 0
	if mayEver(role, ActViewBoard) {
		n, err := a.d.Casework.Counts(ctx, a.boardQuery(c, m))
		if err != nil {
			return false, fmt.Errorf("board counts for %d: %w", m.UserID, err)
		}
		fresh = n.New
	}
	m.say(T("member.home", "Role", roleText(role), "OnDuty", m.OnDuty,
		"Waiting", len(ws), "New", fresh, "Held", len(held)))
	button := func(cmd, textID string, kv ...any) Button {
		return Button{Text: T(textID, kv...), Data: dataHome + ":" + cmd}
	}
	var first []Button
	if len(ws) > 0 && mayEver(role, ActTakeChat) {
		first = append(first, button("next", "btn.home_next"))
	}
	first = append(first, button("queue", "btn.home_queue", "N", len(ws)))
	rows := [][]Button{first}
	if mayEver(role, ActViewBoard) {
		rows = append(rows, []Button{{Text: T("btn.board_new", "N", fresh), Data: boardData(FilterNew, "", 0)},
			button("cases", "btn.home_cases")})
	}
	duty := button("duty on", "btn.home_duty_on")
	if m.OnDuty {
		duty = button("duty off", "btn.home_duty_off")
	}
	rows = append(rows, []Button{duty, button("help", "btn.home_help")},
		[]Button{{Text: T("btn.home_public"), Data: dataMenu + ":public"}})
	m.buttons = rows
	return true, a.answerMember(c, m, nil)
}

// homeButton runs the command a home button names, as if typed.
func (a *App) homeButton(ctx context.Context, c *turn, rest string) error {
	if !slices.Contains(homeCommands, rest) {
		c.say(T("button.old"))
		return nil
	}
	cmd, arg, _ := strings.Cut(rest, " ")
	c.in.Kind, c.in.Command, c.in.Text, c.in.Data = KindCommand, cmd, arg, ""
	return c.run(ctx)
}
