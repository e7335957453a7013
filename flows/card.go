package flows

import (
	"strconv"
	"time"
)

// The case card: one drawing of a case for every place the hotline sees it
// — the announcement of a new case, its escalation to coordinators, a row
// of /cases opened, a hand-over, and the pinned message of the
// case's forum topic. Card draws it from a CaseView alone, with no store
// and no member in sight, so that any of them can call it.

// CardMode says where a card is shown.
type CardMode int

// Card modes.
const (
	CardAnnounce   CardMode = iota // a new case: "Take the case", "Open", "Later"
	CardEscalation                 // sent again to coordinators: marked as waiting, same buttons
	CardOpen                       // opened from the board or a button; actions come from CardButtons
	CardNews                       // news from the reporter for a case nobody owns: same buttons as CardAnnounce
)

// Card returns a case's card: its texts, and the buttons of an
// announcement (none for CardOpen: those depend on who looks, see
// CardButtons). Where the card is sent for a reason (an escalation, news)
// the caller puts that reason's text before it.
func Card(v CaseView, mode CardMode) ([]Text, [][]Button) {
	return []Text{T("casework.card", "Lines", cardLines(v, mode))}, announceButtons(v, mode)
}

// cardLines are the card's lines: what a volunteer needs to decide to take
// the case, and nothing that names a person.
func cardLines(v CaseView, mode CardMode) []Text {
	code := FormatCode(v.Code)
	lines := []Text{T("casework.line_head", "Code", code, "Status", T("status.name."+v.Status), "Urgent", v.IsUrgent(),
		"New", v.Status == StatusNew)}
	for _, u := range v.Urgent {
		lines = append(lines, T("casework.line_urgent", "Mark", T("urgent."+u)))
	}
	if v.Files > 0 {
		lines = append(lines, T("casework.line_files").Plural(v.Files))
	}
	lines = append(lines, facilityLine(v))
	how := T("casework.how_unknown")
	if v.Circumstance != "" {
		how = T("circ." + v.Circumstance)
	}
	if v.Circumstance == "checkin" && v.Office != "" {
		how = T("casework.how_office", "How", how, "Office", v.Office) // where to look first
	}
	if v.DetainedOn != "" {
		lines = append(lines, T("casework.line_detained", "Date", dateText(dateOf(v.DetainedOn)), "How", how))
	} else {
		lines = append(lines, T("casework.line_detained_nodate", "How", how))
	}
	// No lawyer is "none known": the reporter's answer is "no or I don't
	// know", and the urgent path does not ask.
	lawyer := T("casework.lawyer_none_known")
	if v.HasLawyer {
		lawyer = T("value.yes")
	}
	lines = append(lines, T("casework.line_lawyer", "Lawyer", lawyer))
	lines = append(lines, dateLines(v)...)
	lines = append(lines, T("casework.line_lang", "Lang", langText(v.Lang)), ownerLine(v))
	if mode == CardOpen {
		lines = append(lines, T("casework.line_reported", "Date", dateText(v.Created)))
	}
	return lines
}

// caseHead is where a case stands, above its full details (/case): its
// status and urgency, where the person is held now (the report below says
// where they were when it was sent), its dates and its owner, as its card
// says them.
func caseHead(v CaseView) []Text {
	lines := []Text{T("casework.line_status", "Status", T("status.name."+v.Status), "Urgent", v.IsUrgent(),
		"New", v.Status == StatusNew), facilityLine(v)}
	return append(append(lines, dateLines(v)...), ownerLine(v))
}

// facilityLine says where the person of a case is held, as last known.
func facilityLine(v CaseView) Text {
	switch {
	case v.Facility.ID != 0:
		return T("casework.line_facility", "Facility", facilityLabel(v.Facility))
	case v.FacilityText != "":
		return T("casework.line_facility", "Facility", v.FacilityText)
	}
	return T("casework.line_facility_unknown")
}

// dateLines are a case's dates that matter, one a line.
func dateLines(v CaseView) []Text {
	var lines []Text
	for _, f := range dateFields() {
		if d := v.date(f); d != "" {
			lines = append(lines, T("casework.line_date", "Field", T("casework.field."+f), "Date", dateText(dateOf(d))))
		}
	}
	return lines
}

// ownerLine says who works a case, or that nobody has taken it.
func ownerLine(v CaseView) Text {
	switch {
	case v.Owner == 0:
		return T("casework.line_untaken")
	case v.OwnerName != "":
		return T("casework.line_owner", "Name", v.OwnerName)
	}
	return T("casework.line_owner_anon")
}

// announceButtons are the buttons under an announcement: take it, open it,
// or keep it for later.
func announceButtons(v CaseView, mode CardMode) [][]Button {
	if mode == CardOpen {
		return nil
	}
	return [][]Button{
		{{Text: T("btn.case_take", "Code", FormatCode(v.Code)), Data: dataCase + ":" + cwTake + ":" + v.Code}},
		{
			{Text: T("btn.case_open", "Code", FormatCode(v.Code)), Data: dataCase + ":" + cwOpen + ":" + v.Code},
			{Text: T("btn.case_later", "Code", FormatCode(v.Code)), Data: dataCase + ":" + cwLater + ":" + v.Code},
		},
	}
}

// CardAccess is what the member looking at a card may do with the case,
// as the authorisation table decided.
type CardAccess struct {
	Member   int64
	Take     bool // may take cases
	Work     bool // may work this case: dates, notes, status, the reporter
	View     bool // may see its report in full, with the personal data
	HandOver bool // may hand this case over
}

// CardButtons are the actions under an opened card.
func CardButtons(v CaseView, acc CardAccess) [][]Button {
	data := func(act string) string { return dataCase + ":" + act + ":" + v.Code }
	var rows [][]Button
	if v.Owner == 0 && acc.Take && !v.Closed() {
		rows = append(rows, []Button{{Text: T("btn.case_take", "Code", FormatCode(v.Code)), Data: data(cwTake)}})
	}
	if acc.Work {
		rows = append(rows,
			[]Button{
				{Text: T("btn.case_status", "Code", FormatCode(v.Code)), Data: dataStatus + ":" + actStartUpdate + ":" + v.Code},
				{Text: T("btn.case_public"), Data: data(cwPublic)},
			},
			[]Button{
				{Text: T("btn.case_note", "Code", FormatCode(v.Code)), Data: dataStatus + ":" + actStartNote + ":" + v.Code},
				{Text: T("btn.case_dates"), Data: data(cwDates)},
			},
			[]Button{{Text: T("btn.case_write"), Data: data(cwWrite)}},
		)
	}
	if acc.View {
		// The name, the A-number and the birth date the ICE locator needs.
		rows = append(rows, []Button{{Text: T("btn.case_report"), Data: dataTools + ":" + actCase + ":" + v.Code}})
	}
	var own []Button
	if v.Owner == acc.Member && v.Owner != 0 {
		own = append(own, Button{Text: T("btn.case_release"), Data: data(cwRelease)})
	}
	if acc.HandOver && v.Owner != 0 && !v.Closed() {
		own = append(own, Button{Text: T("btn.case_handover"), Data: data(cwHandover)})
	}
	if own != nil {
		rows = append(rows, own)
	}
	return rows
}

// CardLine is a case as one line of /cases, as the member viewer sees it:
// their own cases say so (0: as anyone sees it).
func CardLine(v CaseView, now time.Time, viewer int64) Text {
	where := v.FacilityText
	if v.Facility.ID != 0 {
		where = v.Facility.Name
	}
	if where == "" {
		where = "—"
	}
	var owner any = "—"
	switch {
	case v.Owner != 0 && v.Owner == viewer:
		owner = T("casework.owner_you")
	case v.Owner != 0 && v.OwnerName != "":
		owner = v.OwnerName
	case v.Owner != 0:
		owner = "#" + strconv.FormatInt(v.Owner, 10)
	}
	return T("casework.row", "Code", FormatCode(v.Code), "Urgent", v.IsUrgent(),
		"Status", T("status.name."+v.Status), "Facility", where, "Owner", owner,
		"Age", waitText(now.Sub(v.Created)), "Next", nextDate(v, now))
}

// soon names the days a date is from today that the board names.
var soon = map[int]string{0: "today", 1: "tomorrow"}

// nextDate is a case's soonest date to come, for its row on the board ("✈️
// December 7", "✈️ today"), or "" when it has none: which case is most pressing shows
// without opening each.
func nextDate(v CaseView, now time.Time) any {
	field, next := "", time.Time{}
	for _, f := range dateFields() {
		d := v.date(f)
		if d == "" || dateOf(d).Before(today(now)) {
			continue
		}
		if next.IsZero() || dateOf(d).Before(next) {
			field, next = f, dateOf(d)
		}
	}
	if field == "" {
		return ""
	}
	// "today" and "tomorrow" stand out in bold: a flight today was a date
	// among the others.
	return T("casework.row_date", "Icon", T("casework.icon."+field), "Day", next.Day(),
		"Month", T("month."+strconv.Itoa(int(next.Month()))), "Soon", soon[int(next.Sub(today(now)).Hours()/24)])
}
