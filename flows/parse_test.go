package flows_test

import (
	"strings"
	"testing"
	"time"

	"hotline/flows"
)

// now is the fixed "today" of the parsing tests.
var testNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func problemID(p *flows.Text) string {
	if p == nil {
		return ""
	}
	return p.ID
}

func TestParseANumber(t *testing.T) {
	tests := []struct {
		in, want, problem string
	}{
		{"A 123-456-789", "123456789", ""},
		{"a123456789", "123456789", ""},
		{"A#123456789", "123456789", ""},
		{"12345678", "012345678", ""},
		{"A12345678", "012345678", ""},
		{"123 456 789", "123456789", ""},
		{"  A-123.456.789  ", "123456789", ""},
		{"А123456789", "123456789", ""}, // Cyrillic А from a Russian keyboard
		{"№ 123456789", "123456789", ""},
		{"A: 123-456-789", "123456789", ""},
		// Its name written with it.
		{"A-number 123456789", "123456789", ""},
		{"A number: 123-456-789", "123456789", ""},
		{"his A# is 123456789", "123456789", ""},
		{"Alien number 123456789", "123456789", ""},
		{"А-номер: 123-456-789", "123456789", ""},
		{"его номер 123456789", "123456789", ""},
		{"123 456 789 (A-number)", "123456789", ""},
		{"USCIS# 123-456-789", "123456789", ""}, // as the work permit writes it
		{"USCIS number: 123456789", "123456789", ""},
		{"A-number", "", "parse.a_number"},
		{"A-number unknown", "", "parse.a_number"},
		{"", "", "parse.a_number"},
		{"A", "", "parse.a_number"},
		{"1234567", "", "parse.a_number"},           // seven digits
		{"1234567890", "", "parse.a_number"},        // ten digits
		{"B123456789", "", "parse.a_number_letter"}, // another letter
		{"A12345678X", "", "parse.a_number"},        // a letter inside
		{"не знаю номер", "", "parse.a_number"},     // words
		{"A 123 456 789 0", "", "parse.a_number"},
		{"A-2O1 234 567", "201234567", ""},      // the letter O for a zero
		{"А 2О1-О34-567", "201034567", ""},      // Cyrillic О
		{"A OOO OOO OOO", "", "parse.a_number"}, // letters, not a number
		{"12345678９", "", "parse.a_number"},     // a full-width digit is not a digit on a document
		{"123456789; DROP TABLE", "", "parse.a_number"},
	}
	for _, tt := range tests {
		got, p := flows.ParseANumber(tt.in)
		if got != tt.want || problemID(p) != tt.problem {
			t.Errorf("ParseANumber(%q) = %q, %q; want %q, %q", tt.in, got, problemID(p), tt.want, tt.problem)
		}
	}
}

func TestFormatANumber(t *testing.T) {
	if got, want := flows.FormatANumber("012345678"), "A012-345-678"; got != want {
		t.Errorf("FormatANumber = %q, want %q", got, want)
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in, want, problem string
	}{
		{"12.03.2025", "2025-03-12", ""},
		{"12.3.25", "2025-03-12", ""},
		{"12/03/2025", "2025-03-12", ""}, // day first
		{"03/25/2025", "2025-03-25", ""}, // month first only when day first is impossible
		{"12-03-2025", "2025-03-12", ""},
		{"2025-03-12", "2025-03-12", ""},
		{"2025.3.12", "2025-03-12", ""},
		{"12. 03. 2025", "2025-03-12", ""},
		{"12 03 2025", "2025-03-12", ""},
		{"12.03.2025 г.", "2025-03-12", ""},
		{"12 марта 2025", "2025-03-12", ""},
		{"12 марта 2025 года", "2025-03-12", ""},
		{"12 мар 2025", "2025-03-12", ""},
		{"12 мар. 2025", "2025-03-12", ""},
		{"12 Март 2025", "2025-03-12", ""},
		{"1 мая 1985", "1985-05-01", ""},
		{"31 декабря 1999", "1999-12-31", ""},
		{"5 maya 1987", "1987-05-05", ""}, // Russian typed in Latin letters
		{"14 iyulya 1990", "1990-07-14", ""},
		{"3 dekabrya 2024", "2024-12-03", ""},
		{"March 12, 2025", "2025-03-12", ""},
		{"12 March 2025", "2025-03-12", ""},
		{"Mar 12 2025", "2025-03-12", ""},
		{"mar 12, 2025", "2025-03-12", ""},
		{"12-Mar-2025", "2025-03-12", ""},
		{"September 3rd, 2024", "2024-09-03", ""},
		{"Sept 3 2024", "2024-09-03", ""},
		{"2025 March 12", "2025-03-12", ""},
		{"29.02.2024", "2024-02-29", ""}, // a leap year
		{"31.02.2025", "", "parse.date_impossible"},
		{"29.02.2025", "", "parse.date_impossible"},
		{"32.01.2025", "", "parse.date_impossible"},
		{"00.01.2025", "", "parse.date_impossible"},
		{"12.13.2025", "2025-12-13", ""}, // 13 cannot be a month
		{"13.13.2025", "", "parse.date_impossible"},
		{"31 апреля 2025", "", "parse.date_impossible"},
		{"12.03.45", "", "parse.date_full_year"}, // 1945 or 2045?
		{"12.03.27", "", "parse.date_full_year"},
		{"", "", "parse.date"},
		{"вчера", "2026-03-09", ""},      // a word for a day near today, as people write
		{"vchera", "2026-03-09", ""},     // typed in Latin letters
		{"12 марта", "2025-03-12", ""},   // no year: the nearest past one
		{"марта 2025", "", "parse.date"}, // no day
		{"12.03", "2025-03-12", ""},      // in figures too
		{"12.03.202", "", "parse.date"},
		{"12 foo 2025", "", "parse.date"},
		{"12 ма 2025", "", "parse.date"}, // too short to tell май from март
		{"2025", "", "parse.date"},
		{"<b>12.03.2025</b>", "", "parse.date"},
	}
	for _, tt := range tests {
		got, p := flows.ParseDate(tt.in, testNow)
		gotS := ""
		if p == nil {
			gotS = got.Format(time.DateOnly)
		}
		if gotS != tt.want || problemID(p) != tt.problem {
			t.Errorf("ParseDate(%q) = %q, %q; want %q, %q", tt.in, gotS, problemID(p), tt.want, tt.problem)
		}
	}
}

func TestParseDateRules(t *testing.T) {
	born := time.Date(1990, 5, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		parse   func(string) (time.Time, *flows.Text)
		in      string
		problem string
	}{
		{"birth", func(s string) (time.Time, *flows.Text) { return flows.ParseBirthDate(s, testNow) }, "01.05.1990", ""},
		{"birth", func(s string) (time.Time, *flows.Text) { return flows.ParseBirthDate(s, testNow) }, "01.05.2030", "parse.date_future"},
		{"birth", func(s string) (time.Time, *flows.Text) { return flows.ParseBirthDate(s, testNow) }, "12.03.2026", "parse.date_future"},
		{"birth", func(s string) (time.Time, *flows.Text) { return flows.ParseBirthDate(s, testNow) }, "31.12.1899", "parse.date_too_old"},
		{"birth", func(s string) (time.Time, *flows.Text) { return flows.ParseBirthDate(s, testNow) }, "01.01.1900", ""},
		{"detention", func(s string) (time.Time, *flows.Text) { return flows.ParseDetentionDate(s, testNow, born) }, "10.03.2026", ""},
		// Already the 11th east of UTC.
		{"detention", func(s string) (time.Time, *flows.Text) { return flows.ParseDetentionDate(s, testNow, born) }, "11.03.2026", ""},
		{"detention", func(s string) (time.Time, *flows.Text) { return flows.ParseDetentionDate(s, testNow, born) }, "12.03.2026", "parse.date_future"},
		{"detention", func(s string) (time.Time, *flows.Text) { return flows.ParseDetentionDate(s, testNow, born) }, "01.01.1989", "parse.date_before_birth"},
		{"detention", func(s string) (time.Time, *flows.Text) { return flows.ParseDetentionDate(s, testNow, time.Time{}) }, "01.01.1989", ""},
		{"hearing", func(s string) (time.Time, *flows.Text) { return flows.ParseHearingDate(s, testNow) }, "15.04.2026", ""},
		{"hearing", func(s string) (time.Time, *flows.Text) { return flows.ParseHearingDate(s, testNow) }, "15.01.2026", ""},
		{"hearing", func(s string) (time.Time, *flows.Text) { return flows.ParseHearingDate(s, testNow) }, "15.04.2062", "parse.date_year_check"},
	}
	for _, tt := range tests {
		_, p := tt.parse(tt.in)
		if problemID(p) != tt.problem {
			t.Errorf("%s date %q: problem %q, want %q", tt.name, tt.in, problemID(p), tt.problem)
		}
	}
}

func TestParseName(t *testing.T) {
	tests := []struct {
		in, want, problem string
	}{
		{"  Ivan   Petrov ", "Ivan Petrov", ""},
		{"Иван Петров", "Иван Петров", ""},
		{"O'Brien-Smith, Mary Ann", "O'Brien-Smith, Mary Ann", ""},
		{"<b>Ivan</b>", "", "parse.name"}, // markup is not a name
		{"Ivan; DROP TABLE cases", "", "parse.name"},
		{"@ivan_p", "", "parse.name"},
		{"Smith & Jones LLP", "Smith & Jones LLP", ""},
		{"", "", "parse.empty"},
		{"   \n ", "", "parse.empty"},
		{"123456", "", "parse.name"},
		{"😀😀😀", "", "parse.name"},
		{strings.Repeat("a", 201), "", "input.too_long"},
	}
	for _, tt := range tests {
		got, p := flows.ParseName(tt.in, 200)
		if got != tt.want || problemID(p) != tt.problem {
			t.Errorf("ParseName(%q) = %q, %q; want %q, %q", tt.in, got, problemID(p), tt.want, tt.problem)
		}
	}
}

func TestParseContact(t *testing.T) {
	tests := []struct {
		in, want, problem string
	}{
		{"+1 (520) 555-0100", "+1 (520) 555-0100", ""},
		{"+7 900 123-45-67", "+7 900 123-45-67", ""},
		{"maria@example.com", "maria@example.com", ""},
		{"@maria_p", "@maria_p", ""},
		{"https://t.me/maria_p", "@maria_p", ""},
		{"t.me/Maria_P", "@Maria_P", ""},
		{"", "", "parse.empty"},
		{"12345", "", "parse.contact"},
		{"maria", "", "parse.contact"},
		{"@ma", "", "parse.contact"},
		{"maria@", "", "parse.contact"},
		{"+1 555 0100 ext. 5", "+1 555 0100 ext. 5", ""}, // an extension is a note
		// A phone with a note, as people write it.
		{"+7 916 123-45-67, лучше в WhatsApp", "+7 916 123-45-67, лучше в WhatsApp", ""},
		{"+1 212 555 0100 WhatsApp only", "+1 212 555 0100 WhatsApp only", ""},
		{"12345, позвоните", "", "parse.contact"},
		// A username without the @ is ParseUsername's, to be confirmed.
		{"maria_sandbox", "", "parse.contact"},
		// One inside words.
		{"WhatsApp +1 305 555 0199", "WhatsApp +1 305 555 0199", ""},
		{"мой номер 8 900 123 45 67", "мой номер 8 900 123 45 67", ""},
		{"телеграм @maria_k", "телеграм @maria_k", ""},
		{"почта maria@example.com", "почта maria@example.com", ""},
		{"A 123 456 789", "", "parse.contact"}, // an A-number
		{"до 12.03.2026", "", "parse.contact"},
		{"мой телеграм", "", "parse.contact"},
	}
	for _, tt := range tests {
		got, p := flows.ParseContact(tt.in)
		if got != tt.want || problemID(p) != tt.problem {
			t.Errorf("ParseContact(%q) = %q, %q; want %q, %q", tt.in, got, problemID(p), tt.want, tt.problem)
		}
	}
}

func TestParseUsername(t *testing.T) {
	for in, want := range map[string]string{"maria_sandbox": "@maria_sandbox", " Maria_P ": "@Maria_P", "@maria_p": "", "ma": "", "мария": "", "+7 916": ""} {
		got, ok := flows.ParseUsername(in)
		if got != want || ok != (want != "") {
			t.Errorf("ParseUsername(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestParseLawyer(t *testing.T) {
	for in, want := range map[string]string{
		"John Smith, Smith Law Firm, +1 305 555 0100": "",
		"Smith & Partners LLP":                        "",
		"jsmith@smithlaw.com":                         "",
		"+1 305 555 0100":                             "parse.lawyer",
		"<b>Smith</b>":                                "parse.lawyer",
	} {
		if _, p := flows.ParseLawyer(in, 200); problemID(p) != want {
			t.Errorf("ParseLawyer(%q) = %q, want %q", in, problemID(p), want)
		}
	}
	if got := flows.FindPhone("John Smith, Smith Law Firm, +1 305 555 0100"); got != "+1 305 555 0100" {
		t.Errorf("FindPhone = %q", got)
	}
	// The area code in brackets, as Americans write it, is kept whole:
	// the button read "Use 212) 555-0188".
	if got := flows.FindPhone("Olga something, (212) 555-0188"); got != "(212) 555-0188" {
		t.Errorf("FindPhone = %q", got)
	}
	if got, p := flows.ParseContact("(212) 555-0188, after 6 pm"); p != nil || got != "(212) 555-0188, after 6 pm" {
		t.Errorf("ParseContact = %q, %v", got, p)
	}
	if got := flows.FindPhone("Smith Law, suite 1200"); got != "" {
		t.Errorf("FindPhone found %q in an address", got)
	}
}

func TestParseUnknown(t *testing.T) {
	for _, s := range []string{"не знаю", "Не знаю.", "нет", "I don't know", "dont know", "-", "?",
		"I don’t know", "No idea", "not sure", "без понятия", "Не помню", "dont have it", "I don't have one",
		"нету", "У него нет", "нет у него", "he doesn't have one",
		// Not remembered, in either language; Ukrainian too.
		"I don't remember", "can't remember", "no clue", "забыла", "Не помню точно", "не пам'ятаю"} {
		if !flows.ParseUnknown(s) {
			t.Errorf("ParseUnknown(%q) = false", s)
		}
	}
	for _, s := range []string{"Eloy", "знаю", "A123456789", "Krome, Miami"} {
		if flows.ParseUnknown(s) {
			t.Errorf("ParseUnknown(%q) = true", s)
		}
	}
}

func TestLang(t *testing.T) {
	tests := []struct{ code, want string }{
		{"ru", "ru"}, {"ru-RU", "ru"}, {"RU", "ru"}, {"uk", "ru"}, {"be", "ru"}, {"kk", "ru"},
		{"ky", "ru"}, {"uz", "ru"}, {"hy", "ru"}, {"az", "ru"}, {"ka", "ru"}, {"tg", "ru"},
		{"uz_UZ", "ru"}, {"en", "en"}, {"en-US", "en"}, {"es", "en"}, {"", "en"}, {"de", "en"},
	}
	for _, tt := range tests {
		if got := flows.Lang(tt.code); got != tt.want {
			t.Errorf("Lang(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

// TestCleanInput: names and free answers are stored in one normal form,
// without invisible characters that reorder or hide text, and with no
// pile of combining marks.
func TestCleanInput(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"decomposed й becomes one character", "Андре\u0438\u0306", "Андрей"},
		{"right-to-left override", "Ivan \u202ePetrov", "Ivan Petrov"},
		{"isolates", "\u2066Maria\u2069 Lopez", "Maria Lopez"},
		{"zero-width space and joiner", "Ser\u200bgey\u200d", "Sergey"},
		{"soft hyphen", "Gon\u00adzalez", "Gonzalez"},
		{"byte-order mark and word joiner", "\ufeffAna\u2060", "Ana"},
		{"left-to-right mark", "Jose\u200e", "Jose"},
		{"control characters", "Ana\x00\x07 Ruiz", "Ana Ruiz"},
		{"combining marks capped", "Z\u0301\u0302\u0303\u0304\u0305a", "\u0179\u0302\u0303a"}, // NFC makes Z and the first mark one
		{"line breaks and tabs", "first\nsecond\tthird", "first\nsecond third"},
	}
	for _, tt := range tests {
		if got := flows.Clean(tt.in); got != tt.want {
			t.Errorf("%s: Clean(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
	if got, p := flows.ParseName("Ivan\u202e \u200bPetrov", 100); p != nil || got != "Ivan Petrov" {
		t.Errorf("ParseName with an override = %q, %v; want Ivan Petrov", got, p)
	}
	if _, p := flows.ParseName("\u202e\u200b\u2066", 100); p == nil {
		t.Error("ParseName accepted a name of invisible characters only")
	}
	if got, _ := flows.ParseText("Звонили\u202e адвокату", 1000); got != "Звонили адвокату" {
		t.Errorf("ParseText kept an override: %q", got)
	}
}

func TestReadDate(t *testing.T) {
	d := func(y, m, day int) time.Time { return time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC) }
	// testNow is 10 March 2026.
	tests := []struct {
		in      string
		future  bool
		want    time.Time
		alt     time.Time
		guessed bool
	}{
		{"вчера", false, d(2026, 3, 9), time.Time{}, true},
		{"позавчера", false, d(2026, 3, 8), time.Time{}, true},
		{"yesterday", false, d(2026, 3, 9), time.Time{}, true},
		{"Tomorrow", true, d(2026, 3, 11), time.Time{}, true},
		{"28 ноября", false, d(2025, 11, 28), time.Time{}, true}, // the nearest past one
		{"Dec 1", false, d(2025, 12, 1), time.Time{}, true},
		{"Dec 1", true, d(2026, 12, 1), time.Time{}, true}, // a hearing: the nearest future one
		{"2 марта", true, d(2027, 3, 2), time.Time{}, true},
		{"03/04/1990", false, d(1990, 4, 3), d(1990, 3, 4), false}, // two readings: asked
		{"11/28/2025", false, d(2025, 11, 28), time.Time{}, true},  // month first: said back
		{"03.04.1990", false, d(1990, 4, 3), time.Time{}, false},   // dots: day first
		{"12/12/2025", false, d(2025, 12, 12), time.Time{}, false},
		// A day and a month in figures, without the year.
		{"03.03", false, d(2026, 3, 3), time.Time{}, true},
		{"20.12", false, d(2025, 12, 20), time.Time{}, true},
		{"20.12", true, d(2026, 12, 20), time.Time{}, true},
		{"12/20", true, d(2026, 12, 20), time.Time{}, true}, // the month first: 20 is no month
		{"3/4", true, d(2026, 4, 3), d(2027, 3, 4), true},   // two readings: asked
		{"10.3", false, d(2026, 3, 10), time.Time{}, true},  // today
		// A day of the month said without its month: this month's, or
		// the next one's (the last one's, for a date past).
		{"the 15th", true, d(2026, 3, 15), time.Time{}, true},
		{"on the 2nd", true, d(2026, 4, 2), time.Time{}, true},
		{"15-го", false, d(2026, 2, 15), time.Time{}, true},
		{"5 числа", true, d(2026, 4, 5), time.Time{}, true},
		{"31st", true, d(2026, 3, 31), time.Time{}, true},
		{"31st", false, d(2026, 1, 31), time.Time{}, true}, // February has none
		// A day near today with its time, as a relative tells it.
		{"вчера вечером", false, d(2026, 3, 9), time.Time{}, true},
		{"вчера с утра", false, d(2026, 3, 9), time.Time{}, true},
		{"завтра с утра", true, d(2026, 3, 11), time.Time{}, true},
		{"Сегодня рано утром", false, d(2026, 3, 10), time.Time{}, true},
		{"вчера около 17:30", false, d(2026, 3, 9), time.Time{}, true},
		{"позавчера в 5 утра", false, d(2026, 3, 8), time.Time{}, true},
		{"yesterday at 5 pm", false, d(2026, 3, 9), time.Time{}, true},
		{"this morning", false, d(2026, 3, 10), time.Time{}, true},
		{"last night", false, d(2026, 3, 9), time.Time{}, true},
		// A day of the week (10 March 2026 is a Tuesday).
		{"в пятницу", false, d(2026, 3, 6), time.Time{}, true},
		{"Friday", true, d(2026, 3, 13), time.Time{}, true},
		{"во вторник утром", false, d(2026, 3, 10), time.Time{}, true}, // today
		{"last Tuesday", false, d(2026, 3, 3), time.Time{}, true},
		{"в прошлую среду", false, d(2026, 3, 4), time.Time{}, true},
		{"next tuesday", true, d(2026, 3, 17), time.Time{}, true},
		{"в понедельник в 9:00", true, d(2026, 3, 16), time.Time{}, true},
		{"в четверг около 6 утра", false, d(2026, 3, 5), time.Time{}, true},
		{"last week on thursday", false, d(2026, 3, 5), time.Time{}, true},
		{"на прошлой неделе в пятницу", false, d(2026, 3, 6), time.Time{}, true},
		{"на прошлой неделе в понедельник", false, d(2026, 3, 2), time.Time{}, true},
		{"на следующей неделе в среду", true, d(2026, 3, 18), time.Time{}, true},
		{"Tuesday, March 3", false, d(2026, 3, 3), time.Time{}, true},
		{"вторник, 3 марта 2026", false, d(2026, 3, 3), time.Time{}, false},
		// A span from today, as a relative counts it.
		{"3 days ago", false, d(2026, 3, 7), time.Time{}, true},
		{"три дня назад", false, d(2026, 3, 7), time.Time{}, true},
		{"5 дней назад", false, d(2026, 3, 5), time.Time{}, true},
		{"неделю назад", false, d(2026, 3, 3), time.Time{}, true},
		{"a week ago", false, d(2026, 3, 3), time.Time{}, true},
		{"2 weeks ago", false, d(2026, 2, 24), time.Time{}, true},
		{"примерно две недели назад", false, d(2026, 2, 24), time.Time{}, true},
		{"a couple of days ago", false, d(2026, 3, 8), time.Time{}, true},
		{"пару дней назад", false, d(2026, 3, 8), time.Time{}, true},
		{"месяц назад", false, d(2026, 2, 10), time.Time{}, true},
		{"about a month ago", false, d(2026, 2, 10), time.Time{}, true},
		{"in 10 days", true, d(2026, 3, 20), time.Time{}, true},
		{"через неделю", true, d(2026, 3, 17), time.Time{}, true},
		{"через 2 месяца", true, d(2026, 5, 10), time.Time{}, true},
	}
	for _, tt := range tests {
		got, p := flows.ReadDate(tt.in, testNow, tt.future)
		if p != nil || !got.Date.Equal(tt.want) || !got.Alt.Equal(tt.alt) || got.Guessed != tt.guessed {
			t.Errorf("ReadDate(%q, future %v) = %v, %v, guessed %v, %v; want %v, %v, %v",
				tt.in, tt.future, got.Date, got.Alt, got.Guessed, problemID(p), tt.want, tt.alt, tt.guessed)
		}
	}
	// Other words or numbers beside them are not a time of day: refused,
	// not guessed.
	for _, in := range []string{"вчера или позавчера", "вчера 5", "yesterday or today", "вчера в суде", "31.02", "40/40", "0.5",
		"вторник или среда", "friday 13", "в пятницу в суде",
		// A span that names no day, or no direction.
		"a few days ago", "несколько дней назад", "3 days", "ago 3 days", "3 days ago or 4", "через 3 дня назад", "in 300 days"} {
		if got, p := flows.ReadDate(in, testNow, false); p == nil {
			t.Errorf("ReadDate(%q) = %v, want it refused", in, got.Date)
		}
	}
	// A span with no count is asked about.
	for _, in := range []string{"a few days ago", "несколько дней назад", "several weeks ago", "in a few days", "через несколько недель"} {
		if _, p := flows.ReadDate(in, testNow, false); problemID(p) != "parse.date_vague" {
			t.Errorf("ReadDate(%q): %q, want parse.date_vague", in, problemID(p))
		}
	}
	for _, in := range []string{"28 ноября", "28.11", "11/28", "вчера", "в пятницу", "3 days ago", "15-го", "the 15th"} {
		if _, p := flows.ParseBirthDate(in, testNow); problemID(p) != "parse.date_need_year" {
			t.Errorf("a birth date without a year, %q: %q", in, problemID(p))
		}
	}
}

func TestANumberLetterAndCountries(t *testing.T) {
	for in, want := range map[string]string{"B 123 456 789": "parse.a_number_letter", "А 123 456 789": "", "123456789": "", "A 12": "parse.a_number"} {
		if _, p := flows.ParseANumber(in); problemID(p) != want {
			t.Errorf("ParseANumber(%q) = %q, want %q", in, problemID(p), want)
		}
	}
	for in, want := range map[string]string{"россия": "Россия", "united states": "United States", "bosnia and herzegovina": "Bosnia and Herzegovina", "Кыргызстан": "Кыргызстан",
		// Said around the name, and after "из".
		"вроде из Гондураса": "Гондурас", "из Мексики": "Мексика", "кажется, из России": "Россия",
		"из Кубы": "Куба", "он из Беларуси": "Беларусь", "из Китая": "Китай", "из Казахстана": "Казахстан",
		"из Украины": "Украина", "из Грузии": "Грузия", "I think from Mexico": "Mexico", "he is from el salvador": "El Salvador",
		"из Никарагуа": "Никарагуа", "Сальвадор": "Сальвадор", "из Эль-Сальвадора": "Эль-Сальвадор",
		// A citizenship said as a passport, two of them; a sentence stays
		// as typed.
		"у него паспорт России и Узбекистана": "Россия и Узбекистан", "гражданин Узбекистана": "Узбекистан",
		"he has a Mexican passport": "Mexico",
		// By its adjective or its people: "Российский Паспорт" was stored.
		"паспорт российский": "Россия", "у него российский паспорт": "Россия", "гражданство узбекское": "Узбекистан",
		"он таджик": "Таджикистан", "Russian passport": "Russia", "he is Uzbek": "Uzbekistan",
		"по национальности русский, а паспорт узбекский": "по национальности русский, а паспорт узбекский", // two: for the reader
		// A known country among a few words is the country.
		"я же писала Таджикистан": "Таджикистан", "родился в Мексике": "Мексика", "Таджикистан, я писала": "Таджикистан",
		"i said mexico already": "Mexico", "Узбекистан или Таджикистан": "Узбекистан или Таджикистан",
		"из Коста-Рики": "Коста-Рика", "Guatemala or honduras": "Guatemala or Honduras", "Южная Корея": "Южная Корея", "рф": "РФ",
		// Russian typed in Latin letters: the English name.
		"iz Uzbekistana": "Uzbekistan", "rossiya": "Russia", "iz Rossii": "Russia", "v Meksike": "Mexico",
		"iz Kuby": "Cuba", "Kyrgyzstan": "Kyrgyzstan",
		"не уверена, раньше был паспорт россии, потом получил другой": "не уверена, раньше был паспорт россии, потом получил другой"} {
		if got := flows.Country(in); got != want {
			t.Errorf("Country(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCountryInEnglish: a country typed in Russian is shown to volunteers
// with its name in the ICE locator, whose list is in English; an English
// one, a name not known, or a sentence gets none.
func TestCountryInEnglish(t *testing.T) {
	for in, want := range map[string]string{"Россия": "Russia", "Киргизия": "Kyrgyzstan", "Россия и Узбекистан": "Russia and Uzbekistan",
		"Эль-Сальвадор": "El Salvador", "Доминиканская Республика": "Dominican Republic", "Белоруссия": "Belarus",
		"Russia": "", "Атлантида": "", "Россия и Атлантида": "", "не уверена, раньше был паспорт россии": ""} {
		if got := flows.CountryInEnglish(in); got != want {
			t.Errorf("CountryInEnglish(%q) = %q, want %q", in, got, want)
		}
	}
	// At the review the family sees it too.
	c := newChat(t, "ru")
	startReport(c)
	answerTo(c, "ask.birth_country")
	c.send("из России")
	c.send("Узбекистан")
	answerTo(c, "ask.review")
	if got := c.rendered(c.last); !strings.Contains(got, "Россия (Russia)") || !strings.Contains(got, "Узбекистан (Uzbekistan)") {
		t.Errorf("the review: %s", got)
	}
}

// The state question asks for a ZIP code ("even better"): one was refused
// for having no letters.
func TestParseState(t *testing.T) {
	for _, tt := range []struct {
		in, want, problem string
	}{
		{"33101", "33101", ""},
		{" 10001-1234 ", "10001-1234", ""},
		{"Florida", "Florida", ""},
		// Typed in lower case on a phone: as the name is written.
		{"texas", "Texas", ""}, {"new york", "New York", ""}, {"tx", "TX", ""}, {"техас", "Техас", ""},
		{"живу в бруклине, 11201", "живу в бруклине, 11201", ""},
		{"живу в Бруклине, 11201", "живу в Бруклине, 11201", ""},
		{"123", "", "parse.state"},
		{"3310", "", "parse.state"},
		{"", "", "parse.empty"},
	} {
		got, p := flows.ParseState(tt.in, 100)
		if got != tt.want || (p == nil) != (tt.problem == "") || p != nil && p.ID != tt.problem {
			t.Errorf("ParseState(%q) = %q, %v; want %q, %q", tt.in, got, p, tt.want, tt.problem)
		}
	}
}

// An age typed where the birth date is asked is the year it makes most
// likely: 35 on 3 December 2026 is born in 1991 (or late 1990). A number
// alone is not an age: "85" may be a year.
func TestParseAge(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		typed string
		year  int
	}{
		{"ему 35 лет", 1991}, {"35 лет", 1991}, {"ей 21 год", 2005}, {"he is 35", 1991}, {"he's 40", 1986},
		{"35 years old", 1991}, {"about 40 years old", 1986}, {"примерно 50 лет", 1976}, {"Age: 35", 1991},
		// The Russian "about", and an age guessed after "I don't know".
		{"лет 40", 1986}, {"ему лет 35", 1991}, {"не знаю, лет 40", 1986}, {"not sure, about 40", 1986},
		// In a clause of its own, the rest in words.
		{"ему 34 года, родился летом", 1992}, {"he is 35, born in the summer", 1991},
		// By its decade: the middle of it.
		{"he's in his 40s", 1981}, {"in her 30s", 1991},
		// Nearly a round age, or past it.
		{"ему под 40", 1987}, {"почти 30", 1997}, {"ей за 50", 1974}, {"he's almost 40", 1987},
	} {
		if y, ok := flows.ParseAge(tt.typed, now); !ok || y != tt.year {
			t.Errorf("ParseAge(%q) = %d, %v; want %d", tt.typed, y, ok, tt.year)
		}
	}
	for _, typed := range []string{"35", "85", "1985", "ему 0 лет", "15.03", "he is tall", "35 лет назад", "не знаю, 40", "ему 35 лет, а брату 40 лет", "за 5 минут"} {
		if y, ok := flows.ParseAge(typed, now); ok {
			t.Errorf("ParseAge(%q) = %d; want no age", typed, y)
		}
	}
}

// The state of a place named for "your state": a state by its Russian
// name, or a city, with the words around it passed over.
func TestStateOfPlace(t *testing.T) {
	for in, want := range map[string]string{"Бруклин": "New York", "живу в Бруклине": "New York", "Brooklyn, NY": "New York",
		"в Чикаго": "Illinois", "Иллинойс": "Illinois", "los angeles": "California", "Texas": "", "11229": "",
		"Сан-Франциско": "California", "в Калифорнии": "California", "нью йорк": "New York"} {
		if got := flows.StateOfPlace(in); got != want {
			t.Errorf("StateOfPlace(%q) = %q, want %q", in, got, want)
		}
	}
}

// A city named for "your state" is shown with its state, for the office
// of a member of Congress; the review read "Бруклин".
func TestCityShownWithItsState(t *testing.T) {
	t.Parallel()
	c := newChat(t, "ru")
	fillToReview(c)
	c.change("state")
	if r := c.rendered(c.send("Бруклин")); !strings.Contains(r, "Бруклин (New York)") {
		t.Errorf("the review:\n%s", r)
	}
}

func TestParseRelationship(t *testing.T) {
	for in, want := range map[string]string{
		"I'm his brother": "brother", "i am her mother": "mother", "his wife": "wife", "Я его жена": "жена",
		"я её дочь": "дочь", "brother": "brother", "жена": "жена", "друг семьи": "друг семьи",
		"I'm a neighbour": "neighbour", "a friend": "friend",
		"I'm a volunteer from church": "I'm a volunteer from church", // no relation word: as typed
	} {
		if got, p := flows.ParseRelationship(in, 100); p != nil || got != want {
			t.Errorf("ParseRelationship(%q) = %q, %v; want %q", in, got, p, want)
		}
	}
}
