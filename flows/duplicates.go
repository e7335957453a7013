package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Possible duplicates: a new report whose A-number, or
// name and birth date, matches an open case is linked to it when it is
// stored; volunteers see the link on both cases' cards and can merge them.
// A merged case lives on in the one it was merged into: one timeline, and
// both reporters told of its public changes. The second reporter learns
// nothing of the first: not their code, not that there is one.

// Reasons a report is linked to another.
const (
	DupANumber   = "a_number"   // the same A-number
	DupNameBirth = "name_birth" // the same name and birth date
)

// Duplicate is another case a case may be a duplicate of.
type Duplicate struct {
	CaseID int64
	Code   string
	Reason string // DupANumber or DupNameBirth
	Newer  bool   // the other case is the newer report
}

// Duplicates keeps the links between reports of one detainee, and merges.
type Duplicates interface {
	// Of returns the cases linked to the case as possible duplicates,
	// either way, leaving out merged ones.
	Of(ctx context.Context, caseID int64) ([]Duplicate, error)
	// Merge merges case from into case into, in one transaction: from's
	// timeline moves to into, its subscribers and reporter follow into,
	// its code opens into. ErrNotFound for an unknown case, ErrClosed for
	// a closed one, ErrMerged for one merged already — except for the
	// update that merged them (op, from turn.op; "" for none), which
	// gets nil again when handled again.
	Merge(ctx context.Context, from, into int64, actor, op string) error
}

// duplicatesOf returns the lines "possible duplicate of K7M4-Q9XZ" for a
// case's card, one per linked case; none when there are none. Every card
// of a case calls it.
func (a *App) duplicatesOf(ctx context.Context, caseID int64) ([]Text, error) {
	ds, err := a.d.Duplicates.Of(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("duplicates of case %d: %w", caseID, err)
	}
	out := make([]Text, 0, len(ds))
	for _, d := range ds {
		out = append(out, T("tools.duplicate", "Code", FormatCode(d.Code), "Reason", T("tools.dup_"+d.Reason)))
	}
	return out, nil
}

// mergeButtons are the buttons to merge a case with its possible
// duplicates: the newer report goes into the older case.
func (a *App) mergeButtons(ctx context.Context, caseID int64, code string) ([][]Button, error) {
	ds, err := a.d.Duplicates.Of(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("duplicates of case %d: %w", caseID, err)
	}
	var rows [][]Button
	for _, d := range ds {
		from, into := code, d.Code
		if d.Newer {
			from, into = d.Code, code
		}
		rows = append(rows, []Button{{Text: T("btn.tools_merge", "From", FormatCode(from), "Into", FormatCode(into)),
			Data: dataTools + ":" + actMerge + ":" + from + ":" + into}})
	}
	return rows, nil
}

// caseExtras are the lines the case tools add to a case's card: possible
// duplicates and who filed it for a caller.
func (a *App) caseExtras(ctx context.Context, caseID int64) ([]Text, error) {
	lines, err := a.duplicatesOf(ctx, caseID)
	if err != nil {
		return nil, err
	}
	by, err := a.d.CaseTools.FiledBy(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("who filed case %d: %w", caseID, err)
	}
	if by != 0 {
		v, err := a.memberOf(ctx, by)
		if err != nil {
			return nil, err
		}
		if v.Name != "" {
			lines = append(lines, T("tools.filed_by_named", "Name", v.Name, "ID", by))
		} else {
			lines = append(lines, T("tools.filed_by", "ID", by))
		}
	}
	return lines, nil
}

// mergeCommand is /merge FROM INTO: the report FROM becomes part of the
// case INTO.
func (a *App) mergeCommand(ctx context.Context, c *turn, m *member, arg string) error {
	from, into, ok := mergeArgs(arg)
	if !ok {
		m.say(T("tools.merge_usage"))
		return nil
	}
	return a.merge(ctx, c, m, from, into)
}

// mergeArgs reads /merge's two codes as a coordinator may type them:
// "Q9XZ-K7M4 K7M4-Q9XP", "Q9XZ-K7M4 into K7M4-Q9XP", "Q9XZ-K7M4 в
// K7M4-Q9XP", "Q9XZ-K7M4, K7M4-Q9XP", "Q9XZ K7M4 → K7M4 Q9XP".
func mergeArgs(arg string) (from, into string, ok bool) {
	arg = strings.NewReplacer(",", " ", ";", " ", "→", " ", "->", " ", "=>", " ").Replace(arg)
	from, rest := splitCode(arg)
	if w, after, _ := strings.Cut(rest, " "); slices.Contains([]string{"в", "во", "into", "to"}, strings.ToLower(w)) {
		rest = after
	}
	into, extra := splitCode(rest)
	return from, into, from != "" && into != "" && extra == ""
}

// mergeButton is the card's merge button: "<from>:<into>".
func (a *App) mergeButton(ctx context.Context, c *turn, m *member, rest string) error {
	from, into, ok := strings.Cut(rest, ":")
	if !ok {
		m.say(T("button.old"))
		return nil
	}
	return a.merge(ctx, c, m, from, into)
}

// merge merges one case into another, after checking both, and records it
// in the audit log of both.
func (a *App) merge(ctx context.Context, c *turn, m *member, rawFrom, rawInto string) error {
	from, ok1 := NormalizeCode(rawFrom)
	into, ok2 := NormalizeCode(rawInto)
	if !ok1 || !ok2 {
		m.say(T("update.not_found"))
		return nil
	}
	if from == into {
		m.say(T("tools.merge_self"))
		return nil
	}
	var ids [2]int64
	merged := "" // what from is merged into already
	for i, code := range []string{from, into} {
		ct, err := a.d.CaseTools.Contact(ctx, code)
		switch {
		case errors.Is(err, ErrNotFound):
			m.say(T("tools.merge_unknown", "Code", FormatCode(code)))
			return nil
		case err != nil:
			return fmt.Errorf("case to merge for %d: %w", m.UserID, err)
		case ct.Merged != "" && (i > 0 || c.op() == ""):
			m.say(T("tools.merge_merged", "Code", FormatCode(code), "Into", FormatCode(ct.Merged)))
			return nil
		case ct.Merged != "":
			// Merged already: by this update, handled again after a
			// failure, if the store says so; then it finishes the merge.
			merged = ct.Merged
		case ct.Closed:
			m.say(T("tools.merge_closed", "Code", FormatCode(code)))
			return nil
		}
		ids[i] = ct.CaseID
	}
	err := a.d.Duplicates.Merge(ctx, ids[0], ids[1], ActorUser(m.UserID), c.op())
	switch {
	case errors.Is(err, ErrMerged) && merged != "":
		m.say(T("tools.merge_merged", "Code", FormatCode(from), "Into", FormatCode(merged)))
		return nil
	case errors.Is(err, ErrNotFound):
		m.say(T("update.not_found"))
		return nil
	case errors.Is(err, ErrClosed), errors.Is(err, ErrMerged):
		// Changed between the checks and the merge.
		m.say(T("tools.merge_refused"))
		return nil
	case err != nil:
		return fmt.Errorf("merge for %d: %w", m.UserID, err)
	}
	for _, id := range ids {
		if err := a.audit(ctx, c, AuditEntry{Action: AuditMerge, CaseID: id, Detail: into}); err != nil {
			return err
		}
	}
	m.say(T("tools.merged", "From", FormatCode(from), "Into", FormatCode(into)))
	return c.redrawCards(ctx, ids[0]) // no Take on a case merged into another
}
