package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// News from the reporter after filing: "Add news about a case" in the main
// menu and under /mycases. The reporter says what happened — moved to
// another facility, a hearing date, a deportation date or a flight rumour,
// released, deported, or anything in their words — and it becomes an
// event of the case's timeline marked as theirs, updates the case's
// fields, and reaches the owner at once (the whole hotline when nobody
// owns the case). It is never public: people following the case by its
// code see only what a volunteer makes public.

// newsData is the callback data of a news button of this flow.
func (c *turn) newsData(act, v string) string {
	return dataCase + ":" + act + ":" + c.s.Nonce + ":" + v
}

// startNews begins the reporter's news: for the case named, the only one
// they reported, or the one they pick. A note or files given are the news
// itself, sent at once.
func (c *turn) startNews(ctx context.Context, raw, note string, files ...int) error {
	if c.inReport() && !c.offeredMore() {
		if c.filed() {
			// The urgent path's case is filed; the answers since are not
			// sent yet ("not finished, add news after you send it" said
			// of a case the volunteers had).
			c.say(T("casework.news_in_more", "Code", FormatCode(c.s.Draft.Filed)))
		} else {
			c.say(T("casework.news_in_report"))
		}
		return c.show(ctx)
	}
	cases, err := c.a.d.Reporters.Cases(ctx, c.in.UserID)
	if err != nil {
		return fmt.Errorf("cases of user %d: %w", c.in.UserID, err)
	}
	if len(cases) == 0 {
		c.reset()
		c.say(T("casework.news_none"))
		c.footer()
		return nil
	}
	code, _ := NormalizeCode(raw)
	if code == "" && len(cases) == 1 {
		code = cases[0].Code
	}
	i := slices.IndexFunc(cases, func(cs CaseStatus) bool { return cs.Code == code })
	if i < 0 {
		// Which case: a button, or the code typed; the news typed first
		// is kept for the case then chosen.
		c.reset()
		c.s.Flow, c.s.Step, c.s.NewsNote = flowNews, stepNewsCase, note
		c.say(T("casework.news_pick"))
		act := cwNews
		if note != "" {
			act = cwNewsSaid
		}
		for j, cs := range cases {
			if j == myCasesMax {
				break
			}
			c.buttons = append(c.buttons, []Button{{Text: T("btn.mycase", "Code", FormatCode(cs.Code)),
				Data: dataCase + ":" + act + ":" + cs.Code}})
		}
		c.footer()
		return nil
	}
	cs := cases[i]
	v, err := c.a.d.Casework.ViewByID(ctx, cs.CaseID)
	if err != nil {
		return fmt.Errorf("view case %d: %w", cs.CaseID, err)
	}
	if v.Erased || v.Merged {
		c.reset()
		c.say(T("casework.news_gone", "Code", FormatCode(cs.Code)))
		c.footer()
		return nil
	}
	return c.newsFor(ctx, cs.CaseID, cs.Code, note, files...)
}

// newsFor starts the news flow for a case; with a note, the news in words,
// or files sent at the menu, it is sent at once.
func (c *turn) newsFor(ctx context.Context, caseID int64, code, note string, files ...int) error {
	c.reset()
	c.s.Flow, c.s.Step = flowNews, stepNewsKind
	c.s.Nonce = nonceOf(c.a.d.NewID())
	c.s.Update = &CaseUpdate{ID: c.a.d.NewID(), CaseID: caseID, Code: code}
	if note != "" && len(files) == 0 {
		// "Его перевели в Krome вчера", "его завтра депортируют", typed
		// at the menu: news of that kind, as its button gives it, the
		// words going with it. It was sent as words alone.
		if kind := newsKindOf(note); kind != "" {
			return c.newsOfKind(ctx, kind, note)
		}
	}
	if note != "" || len(files) > 0 {
		c.s.Update.Status, c.s.Update.Note, c.s.Update.Files = NewsText, note, files
		return c.commitNews(ctx)
	}
	return c.newsPrompt(ctx)
}

// newsOfKind takes news in words as the kind it tells of (newsKindOf),
// said back: a transfer asks the facility, the place the words name
// already looked up (the case becomes urgent); a deportation to come asks
// its date (the one the words name a button away), or "only a rumour"
// (urgent either way); a hearing with its date, a release or a
// deportation done is sent.
func (c *turn) newsOfKind(ctx context.Context, kind, note string) error {
	u := c.s.Update
	u.Status, u.Note = kind, note
	if kind == NewsHearing {
		// "Суд назначили на 15 января": the hearing's date, said back;
		// "суд перенесли на март" has none, and is words.
		d, ok := c.dateInWords(note)
		if !ok {
			u.Status = NewsText
			return c.commitNews(ctx)
		}
		u.Date = d.Format(time.DateOnly)
		c.say(T("casework.news_read_as", "Kind", T("btn.news_hearing")), understood(d))
		return c.commitNews(ctx)
	}
	c.say(T("casework.news_read_as", "Kind", T("btn.news_"+kind)))
	switch kind {
	case NewsMoved:
		u.Query, c.s.Step = movedTo(note), stepNewsFac
	case NewsDeportation:
		c.s.Step = stepNewsDate
	default:
		return c.commitNews(ctx)
	}
	return c.newsPrompt(ctx)
}

// dateInWords finds the date to come news words name ("суд назначили на
// 15 января", "a flight on friday"): a run of one to three words that reads
// as one date, today or later. ok is false when there is none, or more than
// one ("перенесли с 15 января на 3 марта": which is meant is the reader's
// to tell).
func (c *turn) dateInWords(note string) (time.Time, bool) {
	return c.wordsDate(note, true)
}

// pastDateInWords is dateInWords for a day gone by: "he called on
// Thursday", "звонил вчера".
func (c *turn) pastDateInWords(note string) (time.Time, bool) {
	return c.wordsDate(note, false)
}

// wordsDate finds the one date words name, to come or gone by.
func (c *turn) wordsDate(note string, future bool) (time.Time, bool) {
	words := strings.FieldsFunc(note, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(",;!?()", r) })
	var found time.Time
	weekday := -1 // the word after found's, when found was a day of the week alone
	for i := 0; i < len(words); i++ {
		for n := min(3, len(words)-i); n >= 1; n-- {
			w := strings.TrimRight(strings.Join(words[i:i+n], " "), ".")
			read := readHearingDate
			if !future {
				read = func(s string, now time.Time) (DateReading, *Text) { return ReadDate(s, now, false) }
			}
			rd, p := read(w, c.now)
			if p != nil || !rd.Alt.IsZero() {
				continue
			}
			if i == weekday && rd.Date.Weekday() == found.Weekday() {
				// "на вторник 15 декабря": the day of the week, then its
				// date, is one day; "вторник" alone read the nearest.
				found = time.Time{}
			}
			if !found.IsZero() && !found.Equal(rd.Date) || future && rd.Date.Before(today(c.now)) ||
				!future && rd.Date.After(latestToday(c.now)) {
				return time.Time{}, false
			}
			weekday = -1
			if _, ok := weekdays[strings.ToLower(strings.TrimRight(words[i+n-1], "."))]; ok {
				weekday = i + n
			}
			found, i = rd.Date, i+n-1
			break
		}
	}
	return found, !found.IsZero()
}

// newsKindOf is the kind of news words tell of, not denied: a transfer
// (movedInWords); a deportation done ("его депортировали", "he was
// deported") or to come ("его завтра депортируют", "a flight on
// Friday", "he will be deported"); a release ("отпустили", "released on
// bond"); else a hearing ("суд", taken only with its date: newsOfKind).
// "" for anything else, or more than one of them.
func newsKindOf(note string) string {
	// A clause that denies ("не перевели") tells of no kind; another may
	// ("they moved him to a jail in Texas, dont know which": the doubt
	// is of the place, not of the move).
	told := slices.DeleteFunc(clauses(note), func(part string) bool {
		return slices.ContainsFunc(strings.Fields(captionKey(part)), func(w string) bool { return negations[w] })
	})
	note = strings.Join(told, ", ")
	words := strings.Fields(captionKey(note))
	if len(words) == 0 {
		return ""
	}
	has := func(stems ...string) bool {
		return slices.ContainsFunc(words, func(w string) bool {
			return slices.ContainsFunc(stems, func(s string) bool { return strings.HasPrefix(w, s) })
		})
	}
	coming := has("будут", "будет", "собираются", "хотят", "обещали", "могут") ||
		slices.ContainsFunc(words, func(w string) bool {
			return slices.Contains([]string{"will", "going", "scheduled", "be", "soon", "tomorrow", "скоро", "завтра"}, w)
		})
	var kinds []string
	if movedInWords(note) {
		kinds = append(kinds, NewsMoved)
	}
	switch {
	case has("депортируют", "депортировать", "депортаци", "рейс", "deportation", "flight") ||
		has("deported", "депортировали", "выслали") && coming:
		kinds = append(kinds, NewsDeportation)
	case has("deported", "депортировали", "депортирован", "выслали", "выдворили"):
		kinds = append(kinds, NewsDeported)
	}
	if (has("отпустили", "освободили", "выпустили", "released", "bonded") || saysAny(captionKey(note), []string{"got out"})) && !coming {
		kinds = append(kinds, NewsReleased)
	}
	if len(kinds) == 0 && has("суд", "заседани", "слушани", "hearing", "court") {
		kinds = append(kinds, NewsHearing) // taken only with its date (newsOfKind)
	}
	if len(kinds) != 1 {
		return ""
	}
	return kinds[0]
}

// movedTo is the place news of a transfer names after its verb, to look
// up: "его перевели в Krome вчера, суд 12 января" is Krome; "" for none.
func movedTo(note string) string {
	words := strings.Fields(note)
	at := -1
	for i, w := range words {
		if k := captionKey(w); k == "moved" || statusOfWord(k) == StatusTransferred {
			at = i
		}
	}
	if at < 0 || strings.ContainsAny(words[at], ",.;!?") {
		return "" // "перевели. Суд 5 мая": no place after it
	}
	// Up to the end of the clause; a clause after a comma that begins
	// with "в", "to" names the place too ("в Техас, в Conroe").
	var rest []string
	clause := true
	for _, w := range words[at+1:] {
		if !clause {
			if !slices.Contains(leadWords, captionKey(w)) {
				break
			}
			clause = true
		}
		stop, comma := strings.ContainsAny(w, ".;!?"), strings.HasSuffix(w, ",")
		if w = strings.TrimRight(w, ",.;!?"); w != "" {
			rest = append(rest, w)
		}
		if stop {
			break
		}
		clause = !comma
	}
	for len(rest) > 0 && (slices.Contains(leadWords, captionKey(rest[0])) || movedWho[captionKey(rest[0])]) {
		rest = rest[1:] // "moved him to", "перевели его в"
	}
	for len(rest) > 0 && (timeWords[captionKey(rest[len(rest)-1])] || slices.Contains(leadWords, captionKey(rest[len(rest)-1]))) {
		rest = rest[:len(rest)-1]
	}
	q, p := facilityQuery(strings.Join(rest, " "))
	if p != nil || isDayInWords(q) {
		return ""
	}
	return q
}

// movedWho are who was moved, between the verb and the place: "moved him
// to Krome", "перевели его в Krome".
var movedWho = map[string]bool{"him": true, "her": true, "them": true, "его": true, "ее": true, "их": true,
	"мужа": true, "брата": true, "сына": true, "my": true, "husband": true, "son": true, "brother": true}

// timeWords end news with when it happened: "вчера", "last night".
var timeWords = map[string]bool{
	"вчера": true, "сегодня": true, "позавчера": true, "утром": true, "вечером": true, "ночью": true, "днем": true,
	"недавно": true, "уже": true, "yesterday": true, "today": true, "tonight": true, "night": true, "last": true,
	"morning": true, "evening": true, "recently": true, "already": true, "this": true, "week": true, "ago": true,
}

// newsInWords takes what someone who reported a case types at the main
// menu when no other reading took it ("его перевели в Техас, в Conroe"):
// most likely news of the case. It is kept, and a button sends it as news
// — to the case whose status they just saw, or to the one they choose.
func (a *App) newsInWords(ctx context.Context, c *turn) (bool, error) {
	note, ok := a.newsWords(c.in.Text)
	if !ok {
		return false, nil
	}
	rows, err := a.newsButtons(ctx, c, note)
	if err != nil || rows == nil {
		return false, err
	}
	// The case of a check-in's alarm is its person's: what they write
	// then is about the check-in, and "I'm out" must be a button away.
	if k, ok, err := a.begun(ctx, c); err != nil || ok && k.Status == CheckinAlarm {
		if err == nil {
			a.sayDuring(c, k)
		}
		return err == nil, err
	}
	// Or of someone else detained: "her husband is in Krome since
	// yesterday" from a reporter had no way to report it but the menu.
	c.say(T("casework.news_offer"), T("menu.report_other"))
	if len(rows) == 1 {
		c.s.Offer = rows[0][0].Data // "да" typed sends it to their one case
	}
	c.setSaid(false) // for the report or the volunteer, as at the menu
	c.buttons = append(rows, reportOrPerson()...)
	return true, nil
}

// newsWords is the message as news of a case, false when it cannot be:
// not text, "не знаю", a greeting, or one word that does not say what
// happened ("освободили" does).
func (a *App) newsWords(text string) (string, bool) {
	note, p := ParseText(text, a.cfg.MaxText)
	words := strings.FieldsFunc(note, func(r rune) bool { return !unicode.IsLetter(r) })
	if p != nil || ParseUnknown(note) || greetings[captionKey(note)] || isThanks(note) ||
		len(words) < 2 && !(len(words) == 1 && statusWord(words[0])) {
		return "", false
	}
	return note, true
}

// moreInWords reads a yes or a "later" typed under the offer of more
// questions after the urgent filing: its "more" for "да", "ok", "давайте";
// its "later" for "нет", "позже", "not now". "Not now" was offered as news
// of the case.
func moreInWords(v string) (string, bool) {
	key := captionKey(v)
	switch yn := yesNoInWords(key); {
	case yesWords[key] || yn == "да" || key == "ok" || key == "ок":
		return "more", true
	case noWords[key] || yn == "нет" || laterKeys[key]:
		return "later", true
	}
	return "", false
}

// laterKeys put the questions off (captionKey).
var laterKeys = map[string]bool{"позже": true, "потом": true, "попозже": true, "не сейчас": true, "later": true,
	"not now": true, "maybe later": true, "later please": true, "no later": true, "не сейчас спасибо": true,
	"позже спасибо": true, "not now thanks": true, "not now thank you": true, "в другой раз": true}

// filedNews offers what is sent under the offer of more questions after
// the urgent filing, out of the queue (a volunteer's conversation over, or
// the queue left), as news of the filed case, as at the menu: words that
// may be news ("его перевели в Техас" was "use the buttons", and lost), or
// a file (it was "saved for the volunteer" in the draft, and "later"
// dropped the draft with it). In the queue they go to the volunteer
// (waitingWords). A button sends them; the offer stays below it.
func (a *App) filedNews(ctx context.Context, c *turn) (bool, error) {
	if !c.offeredMore() {
		return false, nil
	}
	act, offer := cwNewsSaid, T("casework.news_offer")
	switch note, ok := a.newsWords(c.in.Text); {
	case c.in.Kind == KindText && ok:
		c.s.NewsNote = note
	case c.in.Kind == KindMedia && slices.Contains(keptMedia, c.in.Media):
		if c.laterInAlbum() {
			c.alsoSaid() // the album's other photos: sent with its first
			return true, nil
		}
		c.setSaid(true)
		act, offer = cwNewsFile, T("casework.news_file_offer")
	default:
		return false, nil
	}
	code := c.s.Draft.Filed
	c.say(offer)
	if err := c.prompt(ctx, false); err != nil {
		return false, err
	}
	send := []Button{{Text: T("btn.news_send", "Code", FormatCode(code)), Data: dataCase + ":" + act + ":" + code}}
	c.buttons = append([][]Button{send}, c.buttons...)
	return true, nil
}

// followerSaid answers what someone who follows a case — a friend with its
// code, a check-in's trusted contact after the alarm — types at the menu
// when nothing else took it ("он не отвечает на звонки"): most likely about
// that case. A volunteer, who reads it, and the case are a button away;
// it got the greeting.
func (a *App) followerSaid(ctx context.Context, c *turn) (bool, error) {
	words := strings.FieldsFunc(c.in.Text, func(r rune) bool { return !unicode.IsLetter(r) })
	if len(words) < 2 || greetings[captionKey(c.in.Text)] {
		return false, nil
	}
	cases, err := a.d.Subscriptions.Followed(ctx, c.in.ChatID)
	if err != nil || len(cases) == 0 {
		return false, err
	}
	c.aboutFollowedCases(cases)
	return true, nil
}

// aboutFollowedCases is followerSaid's answer: the cases followed, and a
// volunteer, who reads the words.
func (c *turn) aboutFollowedCases(cases []CaseStatus) {
	c.setSaid(false) // the volunteer it leads to reads it
	c.buttons = append([][]Button{{{Text: T("btn.menu_volunteer"), Data: dataMenu + ":volunteer"}}},
		c.aboutFollowed(cases)...)
	c.buttons = append(c.buttons, []Button{{Text: T("btn.menu"), Data: dataMenu + ":menu"}})
}

// followerAsked is followerSaid for words about a person ("что случилось?
// она не отвечает на звонки", "what happened to him?") from someone who
// follows a case, before the hotline's pages answer their topic: a trusted
// contact after the alarm got the page on phone calls from detention.
// A question with no one in it ("как позвонить в центр?") still gets its
// page.
//
// From one who reported cases of their own, such words are most often news
// of them ("забыла сказать, его A-номер…", after a volunteer's chat about
// the case): newsInWords answers them, with the cases to send them to. They
// got the case they follow, someone else's.
func (a *App) followerAsked(ctx context.Context, c *turn) (bool, error) {
	words := lowerWords(c.in.Text)
	if !slices.ContainsFunc(words, func(w string) bool { return personWords[w] }) &&
		!strings.Contains(captionKey(c.in.Text), "что случилось") && !strings.Contains(captionKey(c.in.Text), "what happened") {
		return false, nil
	}
	cases, err := a.d.Subscriptions.Followed(ctx, c.in.ChatID)
	if err != nil || len(cases) == 0 {
		return false, err
	}
	if own, err := a.d.Reporters.Cases(ctx, c.in.UserID); err != nil || len(own) > 0 {
		if err != nil {
			err = fmt.Errorf("cases of user %d: %w", c.in.UserID, err)
		}
		return false, err
	}
	c.aboutFollowedCases(cases)
	return true, nil
}

// personWords are the words for a person someone writes about: he, she,
// him, her; он, она, его, её, ему, ей, им, ним, нему, ней, неё.
var personWords = map[string]bool{
	"he": true, "she": true, "him": true, "her": true, "his": true, "they": true, "them": true,
	"он": true, "она": true, "его": true, "её": true, "ее": true, "ему": true, "ей": true, "ним": true,
	"нему": true, "ней": true, "неё": true, "нее": true, "нем": true, "нём": true, "они": true, "их": true,
}

// aboutFollowed says that what a follower wrote may be about the cases
// they follow, and returns a button to each (up to followedShown).
func (c *turn) aboutFollowed(cases []CaseStatus) [][]Button {
	if len(cases) == 1 {
		c.say(T("menu.follower_said", "Code", FormatCode(cases[0].Code)))
	} else {
		c.say(T("menu.follower_said_many"))
	}
	var rows [][]Button
	for i, cs := range cases {
		if i == followedShown {
			break
		}
		rows = append(rows, []Button{caseButton(cs.Code)})
	}
	return rows
}

// followedShown is how many followed cases followerSaid offers.
const followedShown = 3

// greetings are a hello, which the greeting answers (captionKey).
var greetings = map[string]bool{"привет": true, "здравствуйте": true, "здравствуй": true, "добрый день": true,
	"добрый вечер": true, "доброе утро": true, "доброй ночи": true, "привет всем": true, "всем привет": true,
	"hello": true, "hi": true, "hey": true, "hi there": true, "hello there": true, "good morning": true,
	"good afternoon": true, "good evening": true}

// newsButtons keeps note as news a reporter may send, and returns the
// buttons that send it: to the case whose status they just saw, or to each
// of their cases. None for someone who reported nothing. With note "", the
// buttons send the file kept in Session.Said (mediaAtMenu).
func (a *App) newsButtons(ctx context.Context, c *turn, note string) ([][]Button, error) {
	cases, err := a.d.Reporters.Cases(ctx, c.in.UserID)
	if err != nil {
		return nil, fmt.Errorf("cases of user %d: %w", c.in.UserID, err)
	}
	if i := slices.IndexFunc(cases, func(cs CaseStatus) bool { return cs.Code == c.s.Viewed }); i >= 0 {
		cases = cases[i : i+1]
	}
	if note != "" && tellsOfDetention(note) {
		// Not a correction ("the right A-number is…"): a detention told.
		if cases, err = a.casesAbout(ctx, note, cases); err != nil {
			return nil, err
		}
	}
	act := cwNewsSaid
	if note == "" {
		act = cwNewsFile
	}
	var rows [][]Button
	for j, cs := range cases {
		if j == myCasesMax {
			break
		}
		rows = append(rows, []Button{{Text: T("btn.news_send", "Code", FormatCode(cs.Code)),
			Data: dataCase + ":" + act + ":" + cs.Code}})
	}
	if rows != nil {
		c.s.NewsNote = note
	}
	return rows, nil
}

// casesAbout keeps, of a reporter's cases, those the words telling of a
// detention may be about. A person they name ("his name is Dmitri Volkov")
// or an A-number they give that a case's report does not have is someone
// else's detention, to be reported, not news of that case. A report
// without a name or an A-number may be of anyone.
func (a *App) casesAbout(ctx context.Context, note string, cases []CaseStatus) ([]CaseStatus, error) {
	n, name := aNumberIn(note), storyName(note)
	if n == "" && name == "" || len(cases) == 0 {
		return cases, nil
	}
	var kept []CaseStatus
	for _, cs := range cases {
		r, _, err := a.d.CaseFiles.Get(ctx, cs.Code)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("case %s: %w", cs.Code, err)
		}
		if n != "" && r.ANumber != "" && r.ANumber != n || name != "" && !namesPerson(name, r) {
			continue
		}
		kept = append(kept, cs)
	}
	return kept, nil
}

// namesPerson reports whether name may be the name of the person of report
// r: a word of it is a word of the report's names, in either alphabet
// ("Рустам Алиев" and "Rustam Aliev"), or the report gives none.
func namesPerson(name string, r *Report) bool {
	words := func(s string) []string {
		var out []string
		for _, w := range strings.FieldsFunc(ruKey(s), func(r rune) bool { return !unicode.IsLetter(r) }) {
			out = append(out, w)
			if hasCyrillic(w) {
				out = append(out, strings.ToLower(Translit(w)), strings.ToLower(TranslitICAO(w)))
			}
		}
		return out
	}
	known := words(r.NameLatin + " " + r.NameCyrillic + " " + r.Facts.NameAlt)
	if len(known) == 0 {
		return true
	}
	for _, w := range words(name) {
		if slices.ContainsFunc(known, func(k string) bool {
			// "Dmitri" and "Dmitriy": one spelling the start of the other.
			return k == w || len(k) >= 4 && len(w) >= 4 && (strings.HasPrefix(k, w) || strings.HasPrefix(w, k))
		}) {
			return true
		}
	}
	return false
}

// knownCase returns the code of an open case with this A-number that
// someone else reported, or "". The lookup counts against the user's
// lookups of cases (Limiter): the answer says whether a person is known to
// the hotline, so it is not an unlimited probe. Over the limit, it finds
// nothing and the report goes on.
func (c *turn) knownCase(ctx context.Context, aNumber string) (string, error) {
	wait, err := c.a.d.Limiter.Allow(ctx, c.in.UserID)
	if err != nil || wait > 0 {
		return "", err
	}
	v, err := c.a.d.Casework.Known(ctx, aNumber, c.in.UserID)
	if errors.Is(err, ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("case with the A-number: %w", err)
	}
	return v.Code, nil
}

// newsPrompt asks the news flow's current question.
func (c *turn) newsPrompt(ctx context.Context) error {
	u := c.s.Update
	if u == nil {
		c.reset()
		c.say(T("menu.choose"))
		c.menu()
		return nil
	}
	code := FormatCode(u.Code)
	cancel := []Button{{Text: T("btn.update_cancel"), Data: c.newsData(cwNewsKind, "cancel")}}
	switch c.s.Step {
	case stepNewsKind:
		c.say(T("casework.news_kind", "Code", code))
		for _, k := range newsKinds() {
			c.buttons = append(c.buttons, []Button{{Text: T("btn.news_" + k), Data: c.newsData(cwNewsKind, k)}})
		}
		c.buttons = append(c.buttons, cancel)
	case stepNewsFac:
		unknown := []Button{{Text: T("btn.facility_unknown"), Data: c.newsData(cwNewsFac, "unknown")}}
		if u.Query == "" {
			c.say(T("casework.news_fac", "Code", code))
			c.buttons = [][]Button{unknown, cancel}
			return nil
		}
		found, err := c.a.d.Facilities.Match(ctx, u.Query, facilityMatches)
		if err != nil {
			return fmt.Errorf("match facilities: %w", err)
		}
		id := "update.moved_pick"
		if len(found) == 0 {
			id = "update.moved_none"
		}
		c.say(T(id, "Query", u.Query))
		for _, f := range found {
			c.buttons = append(c.buttons, []Button{{Label: facilityLabel(f),
				Data: c.newsData(cwNewsFac, strconv.FormatInt(f.ID, 10))}})
		}
		c.buttons = append(c.buttons, []Button{{Text: T("btn.news_fac_typed"), Data: c.newsData(cwNewsFac, "typed")}}, unknown, cancel)
	case stepNewsDate:
		field := T("casework.field." + DateHearing)
		if u.Status == NewsDeportation {
			field = T("casework.field." + DateDeportation)
		}
		c.say(T("casework.news_date", "Code", code, "Field", field, "Example", c.dateExample()))
		if d, ok := c.dateInWords(u.Note); ok && u.Date == "" {
			// The date the words name, a button away: "15 января" in
			// "суд назначили на 15 января".
			c.buttons = append(c.buttons, []Button{{Text: T("btn.news_date_said", "Date", dateText(d)),
				Data: c.newsData(cwNewsKind, "date="+d.Format(time.DateOnly))}})
		}
		if u.Status == NewsDeportation {
			c.buttons = append(c.buttons, []Button{{Text: T("btn.news_rumor"), Data: c.newsData(cwNewsKind, "rumour")}})
		}
		c.buttons = append(c.buttons, cancel)
	case stepNewsText:
		c.say(T("casework.news_text", "Code", code))
		c.buttons = [][]Button{cancel}
	default:
		c.reset()
		c.say(T("menu.choose"))
		c.menu()
	}
	return nil
}

// newsButton runs a button of the news flow.
func (c *turn) newsButton(ctx context.Context, act, arg string) error {
	nonce, v, _ := strings.Cut(arg, ":")
	u := c.s.Update
	if c.s.Flow != flowNews || u == nil || nonce != c.s.Nonce {
		c.say(T("button.old"))
		return c.again(ctx)
	}
	if v == "cancel" {
		c.reset()
		c.say(T("update.cancelled"), T("menu.choose"))
		c.menu()
		return nil
	}
	switch {
	case act == cwNewsKind && c.s.Step == stepNewsKind && slices.Contains(newsKinds(), v):
		u.Status = v
		switch v {
		case NewsMoved:
			c.s.Step = stepNewsFac
		case NewsHearing, NewsDeportation:
			c.s.Step = stepNewsDate
		case NewsText:
			c.s.Step = stepNewsText
		default:
			return c.commitNews(ctx)
		}
		return c.newsPrompt(ctx)
	case act == cwNewsKind && c.s.Step == stepNewsDate && strings.HasPrefix(v, "date="):
		d, err := time.Parse(time.DateOnly, strings.TrimPrefix(v, "date="))
		if err != nil || d.Before(today(c.now)) {
			break
		}
		u.Date = d.Format(time.DateOnly)
		return c.commitNews(ctx)
	case act == cwNewsKind && c.s.Step == stepNewsDate && v == "rumour" && u.Status == NewsDeportation:
		u.Date = ""
		return c.commitNews(ctx)
	case act == cwNewsFac && c.s.Step == stepNewsFac && v == "typed" && u.Query != "":
		u.FacilityID = 0
		return c.commitNews(ctx)
	case act == cwNewsFac && c.s.Step == stepNewsFac && v == "unknown":
		// Moved, nobody knows where yet: news all the same.
		u.FacilityID, u.Query = 0, ""
		return c.commitNews(ctx)
	case act == cwNewsFac && c.s.Step == stepNewsFac:
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			break
		}
		if _, err := c.a.d.Facilities.Get(ctx, id); errors.Is(err, ErrNotFound) {
			break
		} else if err != nil {
			return fmt.Errorf("get facility %d: %w", id, err)
		}
		u.FacilityID, u.Query = id, ""
		return c.commitNews(ctx)
	}
	c.say(T("button.old_step"))
	return c.newsPrompt(ctx)
}

// newsTyped takes what the reporter types in the news flow; the volunteers'
// date flow shares the flow hook's place, so it is told apart here.
func newsTyped(ctx context.Context, c *turn) error {
	u := c.s.Update
	if c.s.Step == stepNewsCase && c.in.Kind == KindText {
		// The case's code typed, or the news itself before the case.
		if code, ok := FindCode(c.in.Text); ok {
			return c.startNews(ctx, code, c.s.NewsNote)
		}
		if note, p := ParseText(c.in.Text, c.a.cfg.MaxText); p == nil && hasLetter(note) && !ParseUnknown(note) {
			return c.startNews(ctx, "", note)
		}
	}
	if u == nil {
		return c.newsPrompt(ctx)
	}
	if c.in.Kind != KindText {
		if c.in.MessageID != 0 && slices.Contains(keptMedia, c.in.Media) {
			switch c.s.Step {
			case stepNewsKind, stepNewsText:
				// A photo of the transfer notice: news by itself, with
				// its caption as the words.
				note, p := ParseText(c.in.Text, c.a.cfg.MaxText)
				if p != nil {
					note = ""
				}
				u.Status, u.Note, u.Files = NewsText, note, []int{c.in.MessageID}
				return c.commitNews(ctx)
			case stepNewsDate, stepNewsFac:
				// The hearing notice or the transfer paper, sent at the
				// question of its date or place: it goes with the news,
				// and the question is asked again.
				return c.newsFile(ctx)
			}
		}
		c.say(T("input.media"))
		return c.newsPrompt(ctx)
	}
	v := c.in.Text
	if c.s.Step == stepNewsKind || c.s.Step == stepNewsDate {
		// A caption typed for its button (typedCaption): "освободили",
		// "only a rumour", "cancel".
		rows, err := c.promptButtons(ctx, c.newsPrompt)
		if err != nil {
			return err
		}
		if value, ok := c.typedCaption(rows, c.newsData(cwNewsKind, ""), v); ok {
			return c.newsButton(ctx, cwNewsKind, c.s.Nonce+":"+value)
		}
		if kind, ok := newsKindWords[captionKey(v)]; ok && c.s.Step == stepNewsKind {
			// "Суд", "дата депортации": the kind, said back, and its date
			// asked; they were sent as the news itself, a word long.
			c.say(T("casework.news_read_as", "Kind", T("btn.news_"+kind)))
			return c.newsButton(ctx, cwNewsKind, c.s.Nonce+":"+kind)
		}
	}
	switch c.s.Step {
	case stepNewsFac:
		if f, ok, err := c.shownFacility(ctx, u.Query, v); err != nil || ok {
			if err != nil {
				return err
			}
			return c.newsButton(ctx, cwNewsFac, c.s.Nonce+":"+strconv.FormatInt(f.ID, 10))
		}
		if _, _, lead := unknownLead(v); lead || ParseUnknown(v) {
			// "не знаю куда": the button that says so.
			return c.newsButton(ctx, cwNewsFac, c.s.Nonce+":unknown")
		}
		q, p := facilityQuery(v)
		if p != nil {
			c.say(*p)
			return c.newsPrompt(ctx)
		}
		u.Query = q
		return c.newsPrompt(ctx)
	case stepNewsDate:
		d, p, guessed := c.readComingDate(v)
		if p != nil {
			c.say(*p)
			return c.newsPrompt(ctx)
		}
		if guessed {
			c.say(understood(d))
		}
		if d.Before(today(c.now)) {
			c.say(T("casework.date_past", "Date", dateText(d)))
			return c.newsPrompt(ctx)
		}
		u.Date = d.Format(time.DateOnly)
		return c.commitNews(ctx)
	case stepNewsText:
		note, p := ParseText(v, c.a.cfg.MaxText)
		if p != nil {
			c.say(*p)
			return c.newsPrompt(ctx)
		}
		u.Note = note
		return c.commitNews(ctx)
	case stepNewsKind:
		// The news itself, typed instead of choosing what it is about
		// ("его перевели в Krome, суд 12 января"): it is the "other news"
		// in words, for the volunteer to read.
		if note, p := ParseText(v, c.a.cfg.MaxText); p == nil && hasLetter(note) && !ParseUnknown(note) {
			if kind := newsKindOf(note); kind != "" {
				// "Его перевели": a transfer, which makes the case
				// urgent and is asked where; the words go with it.
				return c.newsOfKind(ctx, kind, note)
			}
			u.Status, u.Note = NewsText, note
			return c.commitNews(ctx)
		}
	}
	c.say(T("input.use_buttons"))
	return c.newsPrompt(ctx)
}

// newsKindWords name a kind of news in a word or two (captionKey), where
// the button's caption says more ("Дата депортации или слух о рейсе").
var newsKindWords = func() map[string]string {
	m := map[string]string{}
	for kind, words := range map[string][]string{
		NewsHearing: {"суд", "дата суда", "заседание", "слушание", "назначили суд", "court", "hearing",
			"court date", "hearing date"},
		NewsDeportation: {"депортация", "дата депортации", "рейс", "слух о рейсе", "deportation",
			"deportation date", "flight"},
		NewsMoved: {"перевод", "transfer"},
	} {
		for _, w := range words {
			m[w] = kind
		}
	}
	return m
}()

// movedInWords reports whether news typed in words tells of a transfer
// ("его перевели", "he was transferred", "moved to Krome"); newsKindOf
// has left out the clauses that deny one.
func movedInWords(note string) bool {
	for _, part := range clauses(note) {
		words := strings.Fields(captionKey(part))
		if slices.ContainsFunc(words, func(w string) bool { return statusOfWord(w) == StatusTransferred }) {
			return true
		}
		// "His hearing got moved to January 15": the hearing's new date,
		// not a transfer; "moved to Krome" is one.
		if slices.Contains(words, "moved") && !slices.ContainsFunc(words, func(w string) bool {
			return slices.ContainsFunc([]string{"hearing", "court", "interview", "appointment", "check"},
				func(p string) bool { return strings.HasPrefix(w, p) })
		}) {
			return true
		}
	}
	return false
}

// newsFile keeps a file sent at the news' date or facility question with
// the news (Update.Files, maxFiles at most) and asks the question again;
// an album is answered once.
func (c *turn) newsFile(ctx context.Context) error {
	u := c.s.Update
	later := c.laterInAlbum()
	var kept bool
	if u.Files, kept = withFile(u.Files, c.in.MessageID); !kept {
		c.say(T("report.files_full").Plural(maxFiles))
		return c.newsPrompt(ctx)
	}
	if later {
		return nil
	}
	c.say(T("casework.news_file_kept"))
	return c.newsPrompt(ctx)
}

// commitNews stores the news and tells the owner, or the hotline when
// nobody owns the case. Handled again after a failure, it finds the news
// stored the first time (by the flow's id) and builds the same messages.
func (c *turn) commitNews(ctx context.Context) error {
	u := c.s.Update
	n := News{CaseID: u.CaseID, Kind: u.Status, FacilityID: u.FacilityID, FacilityText: u.Query,
		Date: u.Date, Note: u.Note, Files: u.Files, Key: "news:" + u.ID, At: c.now}
	switch n.Kind {
	case NewsMoved:
		n.Urgent = UrgentTransfer
	case NewsDeportation:
		n.Urgent = UrgentDeportation
		if n.Date == "" {
			n.Urgent = UrgentFlight
		}
	}
	if n.Kind == NewsHearing && n.Date == "" {
		c.say(T("button.old_step"))
		return c.newsPrompt(ctx)
	}
	code := u.Code
	cur, err := c.a.d.Casework.ViewByID(ctx, n.CaseID)
	if errors.Is(err, ErrNotFound) || err == nil && (cur.Erased || cur.Merged) {
		c.reset()
		c.say(T("casework.news_gone", "Code", FormatCode(code)))
		c.footer()
		return nil
	}
	if err != nil {
		return fmt.Errorf("view case %d: %w", n.CaseID, err)
	}
	v, err := c.a.d.Casework.AddNews(ctx, n)
	if err != nil {
		return fmt.Errorf("news %s of case %d: %w", u.ID, n.CaseID, err)
	}
	if err := c.a.audit(ctx, c, AuditEntry{Action: AuditNews, CaseID: v.ID, Detail: n.Kind}); err != nil {
		return err
	}
	what, err := c.newsText(ctx, n)
	if err != nil {
		return err
	}
	// What the news names and the case lacks, a press away: an A-number,
	// a place, a hearing's date ("перевели в Krome, суд 12 января" is a
	// transfer, and its hearing a button).
	_, hint, give, err := c.caseHints(ctx, n.Note, v.Code)
	if err != nil {
		return err
	}
	c.reset()
	c.say(T("casework.news_saved", "Code", FormatCode(code)))
	c.footer()
	// The files go where the case's conversation goes: its topic, or its
	// owner. Without an owner they wait with the case (its card's files).
	if c.a.forumOn() {
		if err := c.postEvent(ctx, v.Code, T("casework.news_owner", "Code", FormatCode(code), "News", what)); err != nil {
			return err
		}
		if len(hint) > 0 {
			h := c.a.inTopic(v, TopicPost, hint...)
			h.Buttons = give
			c.send(h)
		}
		for _, id := range n.Files {
			r := c.a.inTopic(v, TopicPost)
			r.Copy = &Copy{FromChatID: c.in.ChatID, MessageID: id}
			c.send(r)
		}
		return nil
	}
	if v.Owner != 0 {
		c.send(Reply{ChatID: v.Owner, Lang: Lang(v.OwnerLang), Priority: PriorityReply, Tag: aboutTag(v.ID),
			Texts: append([]Text{T("casework.news_owner", "Code", FormatCode(code), "News", what)}, hint...),
			Buttons: append(give,
				[]Button{{Text: T("btn.case_open", "Code", FormatCode(v.Code)), Data: dataCase + ":" + cwOpen + ":" + v.Code}})})
		for _, id := range n.Files {
			c.send(Reply{ChatID: v.Owner, Copy: &Copy{FromChatID: c.in.ChatID, MessageID: id}, Protect: true, Priority: PriorityReply})
		}
		return nil
	}
	to, err := c.a.hotline(ctx, c.in.UserID)
	if err != nil {
		return err
	}
	texts, buttons := Card(v, CardNews)
	texts = append(append([]Text{T("casework.news_unowned", "Code", FormatCode(code), "News", what)}, hint...),
		texts...)
	buttons = append(give, buttons...)
	for _, r := range to {
		c.send(Reply{ChatID: r.UserID, Lang: r.Lang, Texts: texts, Buttons: buttons, Priority: PriorityReply, Join: true,
			Tag: aboutTag(v.ID)})
	}
	return nil
}

// aNumberOffer is the command that gives the case with code the A-number
// n its news names ("his A-number is A 123-456-789", sent after a report
// without one), and the button that does it; none when n is "".
func aNumberOffer(n, code string) ([]Text, [][]Button) {
	if n == "" {
		return nil, nil
	}
	return []Text{T("tools.a_number_hint", "Code", FormatCode(code), "ANumber", FormatANumber(n))},
		[][]Button{{{Text: T("btn.a_number_set", "ANumber", FormatANumber(n)),
			Data: dataTools + ":" + actANumber + ":" + code + ":" + n}}}
}

// newsText says what the news is, for the volunteers.
func (c *turn) newsText(ctx context.Context, n News) (Text, error) {
	t, err := c.newsKindText(ctx, n)
	if err != nil || n.Kind == NewsText || n.Note == "" {
		return t, err
	}
	// The reporter's words beside what they were read as ("перевели.
	// Суд 5 мая"): the volunteer got the transfer alone.
	return T("casework.news.said", "News", t, "Note", n.Note), nil
}

// newsKindText says what a kind of news is.
func (c *turn) newsKindText(ctx context.Context, n News) (Text, error) {
	switch n.Kind {
	case NewsMoved:
		where, err := c.facilityName(ctx, n.FacilityID, n.FacilityText)
		if err != nil {
			return Text{}, err
		}
		if where == "" {
			return T("casework.news.moved_unknown"), nil
		}
		return T("casework.news.moved", "Facility", where), nil
	case NewsHearing:
		return T("casework.news.hearing", "Date", dateText(dateOf(n.Date))), nil
	case NewsDeportation:
		if n.Date == "" {
			return T("casework.news.rumor"), nil
		}
		return T("casework.news.deportation", "Date", dateText(dateOf(n.Date))), nil
	case NewsText:
		if len(n.Files) > 0 {
			return T("casework.news.file", "Note", n.Note), nil
		}
		return T("casework.news.text", "Note", n.Note), nil
	}
	return T("casework.news." + n.Kind), nil
}
