package flows

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The case board, /cases: filters as buttons with how many cases each
// holds, pages of ten cases (urgent first, then the soonest date to come,
// then the newest), and under each page a button per case that opens its
// card with its actions.

// boardPageSize is how many cases a page of the board lists.
const boardPageSize = 10

// Board views besides the filters: the filter menu, and the lists of
// facilities and statuses to filter by.
const (
	boardMenu     = "menu"
	boardFacs     = "facs"
	boardStatuses = "sts"
)

// boardFacilities caps the facilities offered as filters.
const boardFacilities = 12

// boardCommand is /cases: the filters with their counts.
func (a *App) boardCommand(ctx context.Context, c *turn, m *member, _ string) error {
	return a.boardMenu(ctx, c, m)
}

// boardQuery is the board's query for the member now.
func (a *App) boardQuery(c *turn, m *member) BoardQuery {
	return BoardQuery{User: m.UserID, Today: today(c.now).Format(time.DateOnly),
		Quiet: c.now.Add(-a.cfg.CaseQuiet), Limit: boardPageSize}
}

// boardData is the callback data of a board view.
func boardData(filter, arg string, skip int) string {
	return dataCase + ":" + cwBoard + ":" + filter + ":" + arg + ":" + strconv.Itoa(skip)
}

// boardMenu shows the filters, each with its count.
func (a *App) boardMenu(ctx context.Context, c *turn, m *member) error {
	n, err := a.d.Casework.Counts(ctx, a.boardQuery(c, m))
	if err != nil {
		return fmt.Errorf("board counts for %d: %w", m.UserID, err)
	}
	days := int(a.cfg.CaseQuiet / (24 * time.Hour))
	btn := func(filter string, count int) Button {
		return Button{Text: T("btn.board_"+filter, "N", count, "Days", days), Data: boardData(filter, "", 0)}
	}
	m.say(T("casework.board"))
	m.buttons = [][]Button{
		{btn(FilterNew, n.New), btn(FilterMine, n.Mine)},
		{btn(FilterUrgent, n.Urgent), btn(FilterDates, n.Dates)},
		{btn(FilterQuiet, n.Quiet)},
		{
			{Text: T("btn.board_facs"), Data: boardData(boardFacs, "", 0)},
			{Text: T("btn.board_statuses"), Data: boardData(boardStatuses, "", 0)},
		},
	}
	return nil
}

// boardPage runs a board button: "<filter>:<arg>:<skip>".
func (a *App) boardPage(ctx context.Context, c *turn, m *member, rest string) error {
	parts := strings.SplitN(rest, ":", 3)
	if len(parts) != 3 {
		m.say(T("button.old"))
		return nil
	}
	filter, arg := parts[0], parts[1]
	skip, err := strconv.Atoi(parts[2])
	if err != nil || skip < 0 {
		m.say(T("button.old"))
		return nil
	}
	q := a.boardQuery(c, m)
	q.Filter, q.Skip = filter, skip
	switch filter {
	case boardMenu:
		return a.boardMenu(ctx, c, m)
	case boardFacs, boardStatuses:
		return a.boardLists(ctx, c, m, filter, q)
	case FilterNew, FilterMine, FilterUrgent, FilterDates, FilterQuiet:
	case FilterFacility:
		if q.Facility, err = strconv.ParseInt(arg, 10, 64); err != nil {
			m.say(T("button.old"))
			return nil
		}
	case FilterStatus:
		if !slices.Contains(Statuses(), arg) {
			m.say(T("button.old"))
			return nil
		}
		q.Status = arg
	default:
		m.say(T("button.old"))
		return nil
	}
	cases, total, err := a.d.Casework.Board(ctx, q)
	if err != nil {
		return fmt.Errorf("board %s for %d: %w", filter, m.UserID, err)
	}
	title := a.filterTitle(ctx, q)
	if total == 0 {
		m.say(T("casework.board_empty", "Filter", title))
	} else {
		lines := make([]Text, 0, len(cases))
		for _, v := range cases {
			lines = append(lines, CardLine(v, c.now, m.UserID))
		}
		m.say(T("casework.board_page", "Filter", title, "From", skip+1, "To", skip+len(cases), "Lines", lines).Plural(total))
	}
	var row []Button
	for _, v := range cases {
		row = append(row, Button{Label: FormatCode(v.Code), Data: dataCase + ":" + cwOpen + ":" + v.Code})
		if len(row) == 2 {
			m.buttons, row = append(m.buttons, row), nil
		}
	}
	if row != nil {
		m.buttons = append(m.buttons, row)
	}
	nav := []Button{{Text: T("btn.board_back"), Data: boardData(boardMenu, "", 0)}}
	if skip+len(cases) < total {
		nav = append(nav, Button{Text: T("btn.board_more"), Data: boardData(filter, arg, skip+len(cases))})
	}
	m.buttons = append(m.buttons, nav)
	return nil
}

// filterTitle names a filter above its page.
func (a *App) filterTitle(ctx context.Context, q BoardQuery) Text {
	switch q.Filter {
	case FilterFacility:
		if q.Facility == 0 {
			return T("casework.filter_fac_none")
		}
		f, err := a.d.Facilities.Get(ctx, q.Facility)
		if err != nil {
			return T("casework.filter_fac_none")
		}
		return T("casework.filter_fac", "Facility", facilityLabel(f))
	case FilterStatus:
		return T("casework.filter_st", "Status", T("status.name."+q.Status))
	}
	return T("casework.filter_"+q.Filter, "Days", int(a.cfg.CaseQuiet/(24*time.Hour)))
}

// boardLists offers the facilities or the statuses to filter by, each
// with its count.
func (a *App) boardLists(ctx context.Context, c *turn, m *member, which string, q BoardQuery) error {
	n, err := a.d.Casework.Counts(ctx, q)
	if err != nil {
		return fmt.Errorf("board counts for %d: %w", m.UserID, err)
	}
	if which == boardFacs {
		m.say(T("casework.board_facs"))
		for i, f := range n.Facilities {
			if i == boardFacilities {
				break
			}
			label := f.Facility.Name
			if f.Facility.ID == 0 {
				m.buttons = append(m.buttons, []Button{{Text: T("btn.board_fac_none", "N", f.N),
					Data: boardData(FilterFacility, "0", 0)}})
				continue
			}
			m.buttons = append(m.buttons, []Button{{Label: label + " (" + strconv.Itoa(f.N) + ")",
				Data: boardData(FilterFacility, strconv.FormatInt(f.Facility.ID, 10), 0)}})
		}
	} else {
		m.say(T("casework.board_statuses"))
		for _, s := range n.Statuses {
			m.buttons = append(m.buttons, []Button{{Text: T("btn.board_status", "Status", T("status.name."+s.Status), "N", s.N),
				Data: boardData(FilterStatus, s.Status, 0)}})
		}
	}
	m.buttons = append(m.buttons, []Button{{Text: T("btn.board_back"), Data: boardData(boardMenu, "", 0)}})
	return nil
}

// caseStats are the coordinators' case figures under /stats.
func (a *App) caseStats(ctx context.Context, c *turn, m *member) error {
	st, err := a.d.Casework.Stats(ctx, c.now)
	if err != nil {
		return fmt.Errorf("case stats: %w", err)
	}
	none := T("casework.no_data")
	median, p90, oldest := none, none, none
	if st.Taken > 0 {
		median, p90 = waitText(st.TakenMedian), waitText(st.TakenP90)
	}
	if st.Untaken > 0 {
		oldest = waitText(c.now.Sub(st.OldestUntaken))
	}
	byStatus := make([]Text, 0, len(st.Open))
	for _, s := range st.Open {
		byStatus = append(byStatus, T("casework.stats_line", "Name", T("status.name."+s.Status), "N", s.N))
	}
	byFacility := make([]Text, 0, len(st.OpenFacility))
	for _, f := range st.OpenFacility {
		name := T("casework.filter_fac_none")
		if f.Facility.ID != 0 {
			name = T("value.raw", "V", f.Facility.Name)
		}
		byFacility = append(byFacility, T("casework.stats_line", "Name", name, "N", f.N))
	}
	if len(byStatus) == 0 {
		byStatus = []Text{none}
	}
	if len(byFacility) == 0 {
		byFacility = []Text{none}
	}
	m.say(T("casework.stats", "Today", st.Today, "Week", st.Week, "Taken", st.Taken, "Median", median, "P90", p90,
		"ByStatus", byStatus, "ByFacility", byFacility, "Untaken", st.Untaken, "Oldest", oldest))
	return nil
}
