package flows_test

import (
	"slices"
	"strings"
	"testing"

	"hotline/flows"
)

// toDetainedOn answers a Russian report up to "When was he detained?",
// born on May 3, 1988.
func toDetainedOn(c *chat) {
	c.t.Helper()
	startReport(c)
	fillReport(c, []answer{
		{send: "Иван Петров", want: "ask.name_latin"},
		{press: "btn.use_translit", want: "ask.name_other"},
		{press: "btn.dont_know", want: "ask.birth_date"},
		{send: "3 мая 1988", want: "ask.birth_country"},
		{send: "Узбекистан", want: "ask.citizenship"},
		{press: "btn.same_country", want: "ask.a_number"},
		{send: "A 214-556-890", want: "ask.detained_on"},
	})
}

// toANumberBorn answers an English or Russian report up to the A-number: the
// person born on born, in country, a citizen of it.
func toANumberBorn(c *chat, born, country string) {
	c.t.Helper()
	toBirthDate(c)
	fillReport(c, []answer{
		{send: born, want: "ask.birth_country"},
		{send: country, want: "ask.citizenship"},
		{press: "btn.same_country", want: "ask.a_number"},
	})
}

// toDetainedKnowingNothing answers a report up to "When was he detained?"
// with "I don't know" from the birth date on.
func toDetainedKnowingNothing(c *chat) {
	c.t.Helper()
	toBirthDate(c)
	fillReport(c, []answer{
		{press: "btn.dont_know", want: "ask.birth_country"},
		{press: "btn.dont_know", want: "ask.citizenship_plain"},
		{press: "btn.dont_know", want: "ask.a_number"},
		{press: "btn.dont_know", want: "ask.detained_on"},
	})
}

// A relative who sees, a few questions on, that an earlier date was wrong
// writes it again, naming it. Under "When was he detained?" the birth date
// became the date of the detention (May 5, 1988); now the correction is a
// press away, the question is asked again, and nothing changes without the
// press.
func TestCorrectionOfAnEarlierDate(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	toDetainedOn(c)

	c.expect(c.send("ой, дата рождения не 3, а 5 мая 1988"), "fix.offer", "ask.detained_on")
	if d := c.session().Draft; d.DetainedOn != "" || d.BirthDate != "1988-05-03" {
		t.Fatalf("before the press: detained on %q, born %q; want neither changed", d.DetainedOn, d.BirthDate)
	}
	b := c.button(c.lastID, "btn.fix")
	if got := c.cat.Button("ru", b.Text); got != "✏️ Дата рождения: 5 мая 1988" {
		t.Errorf("button %q", got)
	}
	c.expect(c.press("btn.fix"), "fix.done", "ask.detained_on")
	if d := c.session().Draft; d.BirthDate != "1988-05-05" || d.DetainedOn != "" {
		t.Fatalf("after the press: born %q, detained on %q", d.BirthDate, d.DetainedOn)
	}

	// The detention's day, corrected under the next question, which only
	// buttons answer ("use the buttons" before).
	c.expect(c.send("вчера"), "date.understood", "ask.circumstance")
	c.expect(c.send("задержали не вчера, а позавчера"), "fix.offer", "ask.circumstance")
	c.expect(c.press("btn.fix"), "fix.done", "ask.circumstance")
	if d := c.session().Draft; d.DetainedOn != testNow.AddDate(0, 0, -2).Format("2006-01-02") {
		t.Errorf("detained on %q, want two days before today", d.DetainedOn)
	}

	// What is not only a correction, or corrects nothing, is answered as
	// before; and where a story is told, it is the story.
	for _, text := range []string{
		"дата рождения 3 мая 1988", // the date it has
		"Узбекистан, родился 5 мая 1988",
		"родился в Ташкенте",
		"дата рождения 5 мая 2030",
		"суд 5 мая 1988",
		"другая дата 5 мая 1988", // "друг…" is no birth ("д.р.")
	} {
		a := newChat(t, "ru")
		toDetainedOn(a)
		a.expect(a.command("back", ""), "ask.a_number", "answer.current")
		if r := a.send(text); slices.Contains(textIDs(r), "fix.offer") {
			t.Errorf("%q under the A-number: %v", text, textIDs(r))
		}
	}
	c.expect(c.press("circ.raid_home"), "ask.details")
	if r := c.send("дата рождения 5 мая 1988"); slices.Contains(textIDs(r), "fix.offer") {
		t.Errorf("under the details: %v", textIDs(r))
	}
}

// In English, under the A-number, which refused it as a number.
func TestCorrectionOfAnEarlierDateInEnglish(t *testing.T) {
	t.Parallel()
	c := newChat(t, "en")
	toANumberBorn(c, "May 3, 1988", "Mexico")
	c.expect(c.send("sorry, his date of birth is March 15, 1988"), "fix.offer", "ask.a_number")
	if got := c.cat.Button("en", c.button(c.lastID, "btn.fix").Text); got != "✏️ Date of birth: March 15, 1988" {
		t.Errorf("button %q", got)
	}
	c.expect(c.press("btn.fix"), "fix.done", "ask.a_number")
	if d := c.session().Draft; d.BirthDate != "1988-03-15" {
		t.Errorf("born %q", d.BirthDate)
	}
}

// toHearingWithDetails answers a report up to the hearing's date, the
// detention's details typed.
func toHearingWithDetails(c *chat, details string) {
	c.t.Helper()
	toANumberBorn(c, "01.01.1980", "Россия")
	c.expect(c.press("btn.dont_know"), "ask.detained_on")
	fillReport(c, detainedToUrgent[:1])
	fillReport(c, []answer{
		{press: "circ.raid_home", want: "ask.details"},
		{send: details, want: "ask.facility"},
	})
	fillReport(c, detainedToUrgent[3:7])
}

// Under a date's question, a sentence: why there is no date, or the date
// with what was said of it. It was "62 characters, 40 fit here".
func TestDateQuestionAnsweredInASentence(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	toHearingWithDetails(c, "Пришли в 6 утра, сказали что у него старый приказ о депортации")

	none := "суда не будет, адвокат так сказал, ждём что будет дальше"
	c.expect(c.send(none), "input.kept", "ask.stage")
	if d := c.session().Draft; d.HearingDate != "" || !strings.Contains(d.Facts.Said, none) {
		t.Errorf("hearing %q, words kept %q", d.HearingDate, d.Facts.Said)
	}
	// The order told in the details is the stage's first answer, a press
	// away, and not again among the others.
	if b := c.last.Buttons[0][0]; b.Text.ID != "btn.use_said" || c.cat.Button("ru", b.Text) != "Окончательное решение о депортации — из того, что вы написали" {
		t.Errorf("first under the stage: %q", c.cat.Button("ru", b.Text))
	}
	if n := strings.Count(strings.Join(buttonNames(c.last), " "), "stage.final_order"); n != 0 {
		t.Errorf("final order also among the others: %v", buttonNames(c.last))
	}
	c.expect(c.command("back", ""), "ask.hearing", "answer.current")
	c.expect(c.send("next month I think, they did not tell us the date"), "input.kept", "ask.stage")
	// The day not known, said in words: none, and the words kept; it was
	// "couldn't read that date".
	for _, typed := range []string{"next month, not sure which day", "в январе, а какого числа не знаем",
		"it was postponed, no new date yet", "he never had court, he crossed in 2019 and had a check in every year",
		"суда никогда не было, он только отмечается"} {
		c.command("back", "")
		c.expect(c.send(typed), "input.kept", "ask.stage")
		if d := c.session().Draft; d.HearingDate != "" || !strings.Contains(d.Facts.Said, typed) {
			t.Errorf("%q: hearing %q, kept %q", typed, d.HearingDate, d.Facts.Said)
		}
	}
	c.expect(c.command("back", ""), "ask.hearing", "answer.current")
	dated := "суд назначили на 15 апреля, адвокат сказал что это последнее заседание"
	c.expect(c.send(dated), "date.understood", "input.kept", "ask.stage")
	if d := c.session().Draft; d.HearingDate != "2026-04-15" || !strings.Contains(d.Facts.Said, dated) {
		t.Errorf("hearing %q, words kept %q", d.HearingDate, d.Facts.Said)
	}
	c.expect(c.command("back", ""), "ask.hearing", "answer.current")
	c.expect(c.send("суд завтра, адвокат сказал что это последнее заседание"), "date.understood", "input.kept", "ask.stage")
	if d := c.session().Draft; d.HearingDate != "2026-03-11" {
		t.Errorf("hearing %q, want tomorrow", d.HearingDate)
	}
	c.expect(c.press("btn.use_said"), "ask.final_order")
	if d := c.session().Draft; d.Facts.Stage != "final_order" || !slices.Contains(d.Urgent, flows.UrgentFinalOrder) {
		t.Errorf("stage %q, urgent %v", d.Facts.Stage, d.Urgent)
	}
}

// A deportation order told in the detention's details is the stage's
// first answer, a press away; words that only name deportation, or deny
// an order, leave the stage's answers as they are.
func TestOrderTold(t *testing.T) {
	t.Parallel()
	for said, want := range map[string]bool{
		"Пришли в 6 утра, сказали что у него старый приказ о депортации": true,
		"суда не будет, у него уже есть приказ о депортации с 2019 года": true,
		"he has a final order of removal from 2019": true,
		"депортационный ордер выдали в 2019":        true,
		"приказа о депортации нет":                  false,
		"no removal order":                          false,
		"in order to get to the deportation office": false,
		"решение суда будет в январе, депортации боимся": false,
		"его задержали на работе":                        false,
	} {
		c := newChat(t, "ru")
		toHearingWithDetails(c, said)
		c.expect(c.press("btn.hearing_unknown"), "ask.stage")
		if got := c.last.Buttons[0][0].Text.ID == "btn.use_said"; got != want {
			t.Errorf("%q in the details: the order offered first %v, want %v (%v)", said, got, want, buttonNames(c.last))
		}
	}
}

// Words that name two answers of a question that takes one are asked
// about, with the answers they named first: "pulled over driving to work"
// was "Raid at work", a word of its caption.
func TestWordsNamingTwoAnswers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, typed string }{
		{"en", "he was pulled over driving to work"},
		{"ru", "остановили на дороге, когда ехал на работу"},
		{"ru", "остановили, когда он ехал на работу"},
	} {
		c := newChat(t, tt.lang)
		toDetainedKnowingNothing(c)
		c.expect(c.press("btn.dont_know"), "ask.circumstance")
		c.expect(c.send(tt.typed), "input.kept_use_buttons", "ask.circumstance")
		if got := buttonNames(c.last); len(got) < 2 || got[0] != "circ.raid_work" || got[1] != "circ.traffic" {
			t.Errorf("%q: buttons %v, want the two named first", tt.typed, got)
		}
		if d := c.session().Draft; d.Circumstance != "" {
			t.Errorf("%q taken as %q", tt.typed, d.Circumstance)
		}
		c.expect(c.press("circ.traffic"), "ask.details")
	}
}

// "RAICES, I don't have her number" under the lawyer's name: the name,
// the words kept, and the phone not asked for. It was stored as the name,
// and the phone asked for next.
func TestLawyerNamedWithoutANumber(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, typed, name string }{
		{"en", "RAICES, I don't have her number", "RAICES"},
		{"en", "a lady from st. mary's church, i dont have her number", "a lady from st. mary's church"},
		{"ru", "адвокат Смирнова, номера нет", "адвокат Смирнова"},
	} {
		c := newChat(t, tt.lang)
		toDetainedKnowingNothing(c)
		fillReport(c, detainedToUrgent[:6])
		c.expect(c.press("btn.lawyer_yes"), "ask.lawyer_name")
		c.expect(c.send(tt.typed), "ask.hearing")
		if d := c.session().Draft; d.LawyerName != tt.name || !strings.Contains(d.Facts.Said, tt.typed) {
			t.Errorf("%q: lawyer %q, kept %q", tt.typed, d.LawyerName, d.Facts.Said)
		}
	}
}

// The question of the detained person's language offers the languages of
// their country first, shown in the reader's language; a Mexican citizen
// was offered only Russian.
func TestLanguageOfTheCountry(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, country, button, shown string }{
		{"en", "Mexico", "lang.es", "Spanish"},
		{"ru", "Узбекистан", "lang.uz", "Узбекский"},
		{"en", "Russia", "lang.ru", "Language:</b> Russian"}, // was "Русский" in English
	} {
		c := newChat(t, tt.lang)
		startReport(c)
		answerTo(c, "ask.birth_country")
		c.send(tt.country)
		answerTo(c, "ask.language")
		if got := buttonNames(c.last); got[0] != tt.button || !slices.Contains(got, "lang.ru") {
			t.Errorf("%s: buttons %v, want %s first, and Russian", tt.country, got, tt.button)
		}
		c.expect(c.press(tt.button), "ask.can_call")
		answerTo(c, "ask.review")
		if got := c.rendered(c.last); !strings.Contains(got, tt.shown) {
			t.Errorf("%s: the review does not show %q:\n%s", tt.country, tt.shown, got)
		}
	}
}

// A Latin name written surname first, as a Russian passport lists it
// ("Petrov Ivan"), is asked about: which is the given name. Read as
// given, Petrov was the first name at the ICE locator. A name in the
// usual order, or one the bot cannot tell, is taken as typed.
func TestLatinNameSurnameFirst(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	startReport(c)
	c.expect(c.send("Petrov Ivan"), "parse.name_order", "ask.name")
	if got := c.cat.Button("ru", c.button(c.lastID, "btn.name_given").Text); got != "Имя Ivan, фамилия Petrov" {
		t.Errorf("first button %q", got)
	}
	c.expect(c.press("btn.name_given"), "ask.name_cyr")
	if d := c.session().Draft; d.NameLatin != "Ivan Petrov" {
		t.Errorf("name %q, want Ivan Petrov", d.NameLatin)
	}

	e := newChat(t, "en")
	startReport(e)
	e.expect(e.send("KARIMOV FARHOD"), "parse.name_order", "ask.name")
	e.expect(e.pressOn(e.lastID, "btn.name_given"), "ask.name_cyr")
	if d := e.session().Draft; d.NameLatin != "FARHOD KARIMOV" {
		t.Errorf("name %q, want FARHOD KARIMOV", d.NameLatin)
	}
	for _, typed := range []string{"Ivan Petrov", "Jose Hernandez", "Irina Petrova", "Hernandez Jose"} {
		a := newChat(t, "en")
		startReport(a)
		a.expect(a.send(typed), "ask.name_cyr")
	}
}

// The A-number, corrected under a later question, or given after "I don't
// know": a press away. It was "you can change it at the review".
func TestCorrectionOfTheANumber(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	toDetainedOn(c) // A 214-556-890
	for _, typed := range []string{"ой, A-номер не тот, правильный A 241 556 890", "A241556890"} {
		c.expect(c.send(typed), "fix.offer", "ask.detained_on")
		if got := c.cat.Button("ru", c.button(c.lastID, "btn.fix").Text); got != "✏️ A-номер: A241-556-890" {
			t.Errorf("%q: button %q", typed, got)
		}
		if d := c.session().Draft; d.ANumber != "214556890" {
			t.Fatalf("%q: A-number %q before the press", typed, d.ANumber)
		}
	}
	c.expect(c.press("btn.fix"), "fix.done", "ask.detained_on")
	if d := c.session().Draft; d.ANumber != "241556890" {
		t.Errorf("A-number %q after the press", d.ANumber)
	}
	c.expect(c.send("A 241 556 890"), "parse.a_number_elsewhere", "ask.detained_on") // the one it has

	e := newChat(t, "en")
	toDetainedKnowingNothing(e)
	e.expect(e.send("found it: A-number A 123 456 789"), "fix.offer", "ask.detained_on")
	e.expect(e.press("btn.fix"), "fix.done", "ask.detained_on")
	if d := e.session().Draft; d.ANumber != "123456789" {
		t.Errorf("A-number %q after the press", d.ANumber)
	}
}
