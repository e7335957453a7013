package flows

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
		{"cases", ActViewBoard}, {"take_case", ActTakeCase}, {"date", ActWorkCase}, {"handover", ActHandOver},
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
