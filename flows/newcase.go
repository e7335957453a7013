package flows

import (
	"context"
	"fmt"
	"strings"
	"unicode"
)

// A volunteer files a case for a caller who phoned the hotline
// (/newcase): the same report flow, in the volunteer's chat, with the
// caller's answers; the caller's phone is the contact. The case records
// the volunteer who filed it (shown on its card), and nobody is subscribed
// to it: the caller has no Telegram chat with the bot, and the volunteer
// is not its reporter.

// PhoneCaller is the reporter of every case filed for a caller: not a
// Telegram user, never told of anything.
const PhoneCaller int64 = -1

// newCaseCommand is /newcase, behind guard. It runs outside asMember: it
// starts a flow in the volunteer's own session, which member commands
// leave alone.
func (a *App) newCaseCommand(ctx context.Context, c *turn, _ string) error {
	m, err := a.enterMember(ctx, c)
	if err != nil {
		return err
	}
	if c.inReport() {
		c.say(T("tools.newcase_in_report"))
		return c.show(ctx)
	}
	held, err := a.d.Queue.Held(ctx, m.UserID, "")
	if err != nil {
		return fmt.Errorf("chats of %d: %w", m.UserID, err)
	}
	if len(held) > 0 {
		// What they type next would go to the user of their chat.
		c.say(T("tools.newcase_holding"))
		return c.show(ctx)
	}
	c.startReport()
	c.s.Draft.FiledBy = m.UserID
	c.say(T("tools.newcase_intro"))
	return c.prompt(ctx, false)
}

// filedForCaller ends /newcase once the case is stored: the code and the
// share link for the volunteer to read to the caller. The filing is in the
// audit log: a member wrote a person's data into a case.
func (c *turn) filedForCaller(ctx context.Context, cs Case, link string) error {
	if err := c.a.audit(ctx, c, AuditEntry{Action: AuditFileForCaller, CaseID: cs.ID}); err != nil {
		return err
	}
	c.say(T("tools.newcase_done", "Code", FormatCode(cs.Code), "Link", link))
	c.buttons = [][]Button{{{Text: T("btn.menu"), Data: dataMenu + ":menu"}}}
	return nil
}

// isName reports whether a /find argument reads as a name: letters, spaces,
// hyphens and apostrophes, with at least two letters.
func isName(s string) bool {
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsSpace(r) || r == '-' || r == '\'' || r == '’' || r == '.':
		default:
			return false
		}
	}
	return letters >= 2
}

// findName finds cases by the detainee's name through the blind index,
// and records the search in the audit log: its kind and how many cases it
// found, never the name.
func (c *turn) findName(ctx context.Context, name string) ([]CaseFile, error) {
	files, err := c.a.d.CaseTools.FindName(ctx, strings.TrimSpace(name))
	if err != nil {
		return nil, fmt.Errorf("find by name for volunteer %d: %w", c.in.UserID, err)
	}
	return files, nil // audited by find
}
