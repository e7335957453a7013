package flows

import (
	"strings"
	"unicode/utf8"
)

// Command is one command of the bot and the action of the authorisation
// table (authz.go) it needs; Act is "" for a command everyone may use. The
// help and Telegram's command menus are made from this table, so that they
// list exactly the commands a role may use.
type Command struct {
	Name string
	Act  Action
}

// Commands returns the commands in the order the help and the menus list
// them: everyone's first, then the volunteers'.
func Commands() []Command {
	return []Command{
		{"start", ""}, {"report", ""}, {"help", ""}, {"check", ActCheckStatus}, {"checkin", ""}, {"mycases", ActOwnData},
		{"news", ""}, {"back", ""}, {"cancel", ""}, {"language", ""}, {"forget", ActOwnData},
		{"queue", ActViewQueue}, {"next", ActTakeChat}, {"take", ActTakeChat}, {"case", ActViewCase},
		{"cases", ActViewBoard}, {"take_case", ActTakeCase}, {"date", ActWorkCase}, {"anumber", ActWorkCase}, {"facility", ActWorkCase}, {"urgent", ActWorkCase}, {"handover", ActHandOver},
		{"release_case", ActWorkCase},
		{"find", ActFindCase}, {"status", ActUpdateStatus}, {"note", ActAddNote}, {"write", ActWriteReporter},
		{"hold", ActTakeChat}, {"switch", ActTakeChat}, {"release", ActTakeChat}, {"done", ActTakeChat},
		{"newcase", ActFileForCaller}, {"duty", ActMember}, {"name", ActMember},
		{"merge", ActMergeCases}, {"stats", ActViewStats}, {"volunteers", ActManageVolunteers}, {"audit", ActViewAudit},
	}
}

// CommandsFor returns the names of the commands role may use.
func CommandsFor(role Role) []string {
	var out []string
	for _, c := range Commands() {
		if c.Act == "" {
			out = append(out, c.Name)
			continue
		}
		if p, ok := permission(c.Act); ok && role >= p.Min {
			out = append(out, c.Name)
		}
	}
	return out
}

// commandLines lists role's commands for the help, one a line.
func commandLines(role Role) []Text {
	var lines []Text
	for _, n := range CommandsFor(role) {
		lines = append(lines, T("help.command", "Name", n, "What", T("command."+n)))
	}
	return lines
}

// nearestCommand returns role's command that a mistyped one most likely
// was ("/strat": start, "/nxt": next, "/chekin": checkin): one letter
// added, dropped, changed, or two swapped; "" when none or two are as
// near. Only role's own commands are named, so that someone who is not a
// member learns nothing of the volunteers' commands from it.
func nearestCommand(typed string, role Role) string {
	typed = strings.ToLower(typed)
	const most = 1
	if utf8.RuneCountInString(typed) < 3 {
		return ""
	}
	best, bestD, tie := "", most+1, false
	for _, n := range CommandsFor(role) {
		switch d := editDistance(typed, n); {
		case d < bestD:
			best, bestD, tie = n, d, false
		case d == bestD:
			tie = true
		}
	}
	if tie || bestD > most {
		return ""
	}
	return best
}

// editDistance is the number of letters to add, drop, change or swap with
// the next to make a into b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range rb {
		d[0][j+1] = j + 1
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
