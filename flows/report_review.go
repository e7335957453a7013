package flows

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// The report's last screen: every answer with a button to change it, and
// the report filed once the reporter confirms.

// reviewClip is how much of a long answer the review screen shows, so that
// the whole screen fits in one Telegram message (4096 characters).
const reviewClip = 120

// reviewPrompt lists every answer, with a button to change each.
func reviewPrompt(ctx context.Context, c *turn) ([]Text, [][]Button, error) {
	c.clip = reviewClip
	defer func() { c.clip = 0 }()
	var lines []Text
	var rows [][]Button
	var row []Button
	for _, f := range c.reviewFields() {
		ans, err := c.a.steps[f].answer(ctx, c, true)
		if err != nil {
			return nil, nil, err
		}
		if ans.ID == "" {
			ans = T("value.none")
		}
		label := c.fieldLabel(f)
		lines = append(lines, T("review.line", "Field", label, "Value", ans))
		row = append(row, c.opt("e_"+f, "btn.change", "Field", label))
		if len(row) == 2 {
			rows = append(rows, row)
			row = nil
		}
	}
	if row != nil {
		rows = append(rows, row)
	}
	rows = append(rows, []Button{c.opt("ok", "btn.confirm")})
	return []Text{T("ask.review", "Lines", lines)}, rows, nil
}

// fieldLabel is an answer's name on the review: a caller's answers, filed
// by a volunteer, are not "your name".
func (c *turn) fieldLabel(f string) Text {
	if c.s.Draft.FiledBy != 0 {
		return volunteerField(f)
	}
	return T("field." + f)
}

// confirm stores the report and gives the reporter the case code and the
// share link. A retry after a storage failure stores nothing twice: the
// draft's ID makes Cases.Create return the case stored the first time.
//
// On the urgent path the case is stored marked urgent with what is known
// so far, the reporter joins the volunteers' queue at once, and the rest of
// the questions are offered; their answers complete the same case.
func (c *turn) confirm(ctx context.Context) error {
	s := c.s
	r := s.Draft
	if !r.Consent || r.NameLatin == "" {
		// Cannot happen through the steps; ask what is missing rather than
		// store a case without consent or a name.
		c.s.Step = stepConsent
		if r.Consent {
			c.s.Step = stepName
		}
		return c.prompt(ctx, false)
	}
	// A username never confirmed is kept as typed, with the @.
	r.ReporterPhone = strings.TrimPrefix(r.ReporterPhone, unconfirmed)
	r.ReporterChatID = c.in.ChatID
	r.ReporterUserID = c.in.UserID
	if r.FiledBy != 0 {
		r.ReporterChatID, r.ReporterUserID = 0, PhoneCaller
	}
	r.Lang = s.Lang
	r.OfficeLabel = ""
	if o, err := c.a.d.Offices.Get(r.Facts.Office); err == nil && r.Circumstance == "checkin" {
		r.OfficeLabel = officeShort(o)
	}
	if r.FacilityID == 0 {
		// The staging facility that marked it (heldAt) was changed for
		// one not in the list, or for "don't know".
		r.Urgent = slices.DeleteFunc(slices.Clone(r.Urgent), func(u string) bool { return u == UrgentStaging })
	}
	if r.Filed != "" {
		if err := c.a.d.Cases.Complete(ctx, &r); err != nil {
			return fmt.Errorf("complete case from draft %s: %w", r.DraftID, err)
		}
		c.reset()
		c.say(T("report.completed", "Code", FormatCode(r.Filed)))
		c.menu()
		return nil
	}
	fast := c.fast()
	if fast && !slices.Contains(r.Urgent, "deportation") {
		r.Urgent = append([]string{"deportation"}, r.Urgent...)
	}
	cs, err := c.a.d.Cases.Create(ctx, &r)
	if err != nil {
		return fmt.Errorf("create case from draft %s: %w", r.DraftID, err)
	}
	// The case is announced whether it was stored now or by an earlier
	// handling of this update whose replies were never committed: the
	// pipeline commits them, and the session that no longer holds the
	// draft, with the update, so a crash before that commit leaves the
	// draft for the update to be handled again, and the announcement is
	// sent once (casework.go). An urgent case is announced when it is
	// first stored; completing it later announces nothing again.
	announcement, err := c.a.announce(ctx, cs.ID, c.in.UserID)
	if err != nil {
		return err
	}
	for _, a := range announcement {
		c.send(a)
	}
	link := "https://t.me/" + c.a.cfg.BotUsername + "?start=c_" + cs.Code
	if fast {
		return c.filedUrgent(ctx, r, cs, link)
	}
	c.reset()
	if r.FiledBy != 0 {
		return c.filedForCaller(ctx, cs, link)
	}
	c.say(T("report.done", "Code", FormatCode(cs.Code), "Link", link, "Here", r.ReporterPhone == ContactHere))
	c.buttons = nil
	if len(r.Urgent) > 0 {
		// Marked by the reporter, or found in the answers (a staging
		// facility, a final order): "you marked" only for the first.
		if slices.ContainsFunc(r.Urgent, func(u string) bool { return slices.Contains(urgentSigns(), u) }) {
			c.say(T("report.urgent_offer"))
		} else {
			c.say(T("report.urgent_offer_found"))
		}
		c.buttons = append(c.buttons, []Button{{Text: T("btn.volunteer_now"), Data: dataMenu + ":urgent"}})
	}
	// "Что нам делать?": what the family can do while they wait, a press
	// away. Where the person is held is not known: the page on finding
	// them comes first.
	if r.FacilityID == 0 && r.FacilityText == "" && slices.Contains(c.a.cfg.InfoPages, "locator") {
		c.buttons = append(c.buttons, []Button{{Text: T("btn.info_page", "Title", T("info.title.locator")), Data: dataInfo + ":locator"}})
	} else if len(c.a.cfg.InfoPages) > 0 {
		c.buttons = append(c.buttons, []Button{{Text: T("btn.menu_info"), Data: dataInfo + ":"}})
	}
	c.buttons = append(c.buttons, []Button{{Text: T("btn.menu"), Data: dataMenu + ":menu"}})
	return nil
}

// filedUrgent follows an urgent case being stored: the reporter is put in
// the volunteers' queue, marked urgent, and asked whether to answer the rest
// of the questions now. The draft stays, marked filed.
func (c *turn) filedUrgent(ctx context.Context, r Report, cs Case, link string) error {
	s := c.s
	s.Draft = r
	s.Draft.Filed = cs.Code
	s.Back, s.Edit = nil, ""
	c.say(T("report.done_urgent", "Code", FormatCode(cs.Code), "Link", link))
	if join := c.a.hooks.menu["urgent"]; join != nil {
		// Joining the queue answers for itself and keeps no session; here
		// the session goes on, at the offer of more questions.
		drop := c.drop
		if err := join(ctx, c); err != nil {
			return err
		}
		c.drop = drop
	}
	s.Step = stepMore
	texts, buttons, err := c.a.steps[stepMore].prompt(ctx, c)
	if err != nil {
		return err
	}
	c.say(texts...)
	// Under the offer, the button out of the queue that "to leave the
	// queue, press the button" above it speaks of: it was left out.
	c.buttons = append(buttons, c.buttons...)
	return nil
}

// changeWords begin the words that ask to change an answer on the review
// (captionKey): "исправить имя", "wrong date of birth".
var changeWords = []string{"измен", "исправ", "поменя", "помени", "замен", "ошиб", "неправил", "неверн", "опечат",
	"change", "edit", "fix", "correct", "incorrect", "wrong", "mistake", "updat", "typo"}

// reviewFillers are words that name no answer: "там ошибка в фамилии",
// "I need to change the name".
var reviewFillers = map[string]bool{"там": true, "тут": true, "нужно": true, "надо": true, "хочу": true,
	"можно": true, "пожалуйста": true, "the": true, "want": true, "need": true, "there": true, "his": true,
	"her": true, "its": true, "его": true, "ее": true, "please": true, "can": true, "answer": true, "ответ": true,
	// A date is named by what it is of: "дата суда", "court date".
	"date": true, "дата": true, "дату": true, "даты": true}

// fieldAliases are the words people use for an answer that its name on the
// review lacks: the surname is in the name, a phone is the contact.
var fieldAliases = map[string][]string{
	stepName:      {"имя", "фамилия", "фамилию", "фамилии", "name", "surname", "spelling"},
	stepBirthDate: {"birthday", "dob", "рождения", "birth"},
	stepContact:   {"телефон", "phone", "email", "почта", "почту", "whatsapp", "ватсап"},
	stepRepName:   {"мое", "моё", "мою", "my"},
	stepFacility:  {"центр", "тюрьма", "facility", "detention", "где"},
	stepHearing:   {"суд", "суда", "hearing", "court"},
	stepDetained:  {"задержали", "detained", "arrested"},
	stepANumber:   {"anumber", "номер"},
	stepLawyer:    {"attorney"},
	stepRelation:  {"relation", "кто"},
	stepBirthCtry: {"родился", "born"},
}

// reviewFieldIn reads a typed message on the review that names an answer
// to change ("изменить дату рождения", "там ошибка в фамилии", "change the
// name"): the answer's field, when the words name exactly one — by its
// name on the review or the words people use for it, the tighter name
// winning ("адвокат" is the lawyer, not the lawyer's name) — and whether
// the message asks for a change at all. It was kept "for the volunteer",
// with "use the buttons".
func (c *turn) reviewFieldIn(v string) (field string, change bool) {
	var rest []string
	for _, w := range strings.Fields(captionKey(v)) {
		switch {
		case hasWordFrom([]string{w}, changeWords...):
			change = true
		case utf8.RuneCountInString(w) >= 3 && !reviewFillers[w]:
			rest = append(rest, w)
		}
	}
	if len(rest) == 0 || len(rest) > 4 {
		return "", change
	}
	best, tie := -2, false
	for _, f := range c.reviewFields() {
		words := strings.Fields(captionKey(c.a.d.Labels.Button(c.s.Lang, c.fieldLabel(f))))
		score, byAlias := 0, true
		for _, w := range rest {
			alias := slices.Contains(fieldAliases[f], w)
			if !alias && !slices.ContainsFunc(words, func(l string) bool { return sameWord(w, l) }) {
				score = -1
				break
			}
			byAlias = byAlias && alias
		}
		if score < 0 {
			continue
		}
		// The fewer words of the name left unsaid, the tighter; words
		// people use for one answer ("имя", "name": the person's) mean
		// it.
		for _, l := range words {
			if !slices.ContainsFunc(rest, func(w string) bool { return sameWord(w, l) }) {
				score++
			}
		}
		if byAlias {
			score = -1
		}
		switch {
		case field == "" || score < best:
			field, best, tie = f, score, false
		case score == best:
			tie = true
		}
	}
	if tie {
		return "", change
	}
	return field, change
}
