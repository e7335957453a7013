package flows

import (
	"context"
	"slices"
	"strings"
)

// Useful information: a contents page with a button per topic, each topic
// one message. The topics are the hotline's own texts (locales/info), so the
// flows know them only by slug, from Config.InfoPages.

const dataInfo = "i."

func (a *App) registerInfo() {
	a.hooks.menu["info"] = func(ctx context.Context, c *turn) error { return a.infoContents(c) }
	a.hooks.menuText = append(a.hooks.menuText, a.askedForNews, a.askedToCheck, confused, a.followerAsked, a.askedForPhone, a.question,
		thanked)
	a.hooks.buttons[dataInfo] = func(ctx context.Context, c *turn, slug string) error {
		switch {
		case slug == "":
			return a.infoContents(c)
		case slug == "done" || !slices.Contains(a.cfg.InfoPages, slug):
			return c.again(ctx) // the menu, or the question the chat is at
		}
		c.say(T("info.page."+slug, "Phone", a.cfg.Phone, "Hours", a.cfg.Hours))
		c.buttons = [][]Button{
			{{Text: T("btn.info_contents"), Data: dataInfo + ":"}},
			{{Text: T("btn.info_done"), Data: dataInfo + ":done"}},
		}
		return nil
	}
}

// questionWords begin a question typed without its question mark.
var questionWords = []string{"как", "где", "что", "когда", "почему", "зачем", "можно", "сколько", "куда", "кто", "какие", "какой",
	"how", "where", "what", "when", "why", "can", "could", "is", "are", "do", "does", "who", "which"}

// isQuestion reports whether text is a question: with its question mark,
// beginning with a question word, or asking for something ("мне нужен
// адвокат", "подскажите адвоката", "I need a lawyer").
func isQuestion(text string) bool {
	text = strings.ToLower(strings.TrimSpace(text))
	first, _, _ := strings.Cut(text, " ")
	if strings.Contains(text, "?") || slices.Contains(questionWords, strings.TrimRight(first, ",.!")) {
		return true
	}
	for _, w := range lowerWords(text) {
		if slices.ContainsFunc(requestWords, func(p string) bool { return strings.HasPrefix(w, p) }) {
			return true
		}
	}
	return false
}

// asksHowToCheck reports whether a question asks how to see a case's
// status: "как проверить статус дела?", "how do I check the status?".
func asksHowToCheck(text string) bool {
	words := lowerWords(text)
	has := func(prefixes ...string) bool { return hasWordFrom(words, prefixes...) }
	return has("статус", "status") && has("провер", "узна", "посмотр", "check", "see", "find", "track")
}

// hasWordFrom reports whether one of words begins with one of prefixes.
func hasWordFrom(words []string, prefixes ...string) bool {
	return slices.ContainsFunc(words, func(w string) bool {
		return slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(w, p) })
	})
}

// requestWords begin the words that ask for something (lower case).
var requestWords = []string{"нужен", "нужна", "нужно", "нужны", "ищу", "ищем", "подскаж", "посовет", "порекоменд",
	"need", "looking", "recommend", "advise"}

// question answers a question typed at the main menu — the bot cannot read
// it — honestly, with the two places it has answers: a volunteer, and the
// useful information. Repeating the greeting would look like the bot broke.
func (a *App) question(ctx context.Context, c *turn) (bool, error) {
	if !isQuestion(c.in.Text) {
		return false, nil
	}
	c.setSaid(false) // the volunteer it leads to sees the question
	if slug := a.infoAbout(c.in.Text); slug != "" {
		// "Как найти человека в локаторе?": the page that answers it,
		// where the bot said it cannot read questions.
		a.pageFor(c, slug)
		return true, nil
	}
	// Someone with a case most likely asks about it ("что нам делать
	// дальше?"): where it stands, and the volunteer who knows it.
	if ok, err := a.casesStand(ctx, c, true); ok || err != nil {
		return ok, err
	}
	if asksHowToCheck(c.in.Text) {
		// "Как проверить статус дела?": the code is asked for, as the
		// menu's "Check a case" does.
		if fn := a.hooks.menu["check"]; fn != nil {
			return true, fn(ctx, c)
		}
	}
	c.say(T("menu.question"))
	c.buttons = menuButtons("volunteer", "info", "menu")
	return true, nil
}

// askedForPhone answers "какой у вас телефон?", "можно позвонить на
// горячую линию?", "what's your phone number?" with the hotline's phone
// (HOTLINE_PHONE) and hours, or, without one, that a volunteer gives it
// here; it was "I'm a bot and cannot answer".
func (a *App) askedForPhone(_ context.Context, c *turn) (bool, error) {
	if !isQuestion(c.in.Text) {
		return false, nil
	}
	words := lowerWords(strings.ReplaceAll(c.in.Text, "ё", "е"))
	has := func(prefixes ...string) bool { return hasWordFrom(words, prefixes...) }
	if !has("телефон", "номер", "позвон", "звонит", "phone", "call", "number") ||
		!slices.ContainsFunc(words, func(w string) bool { return hotlineWords[w] }) {
		return false, nil
	}
	c.setSaid(false)
	c.say(T("menu.hotline_phone", "Phone", a.cfg.Phone, "Hours", a.cfg.Hours))
	c.buttons = menuButtons("volunteer", "menu")
	return true, nil
}

// hotlineWords name the hotline in a question about its phone, where "his
// phone" would not.
var hotlineWords = map[string]bool{"вам": true, "вас": true, "ваш": true, "ваше": true, "вашей": true, "ваша": true,
	"горячей": true, "горячую": true, "горячая": true, "линии": true, "линию": true, "you": true, "your": true,
	"hotline": true, "hotlines": true}

// pageFor answers text typed at the menu with the useful-information page
// slug, a volunteer a press away; the volunteer sees the text.
func (a *App) pageFor(c *turn, slug string) {
	c.say(T("info.page."+slug, "Phone", a.cfg.Phone, "Hours", a.cfg.Hours))
	c.buttons = [][]Button{
		{{Text: T("btn.menu_volunteer"), Data: dataMenu + ":volunteer"}},
		{{Text: T("btn.info_contents"), Data: dataInfo + ":"}},
		{{Text: T("btn.menu"), Data: dataMenu + ":menu"}},
	}
}

// namedTopic answers a short statement at the main menu that names one
// topic of the useful information ("у меня суд завтра", "I have court
// tomorrow") with its page, as a question about it is; it got the
// greeting again.
func (a *App) namedTopic(_ context.Context, c *turn) (bool, error) {
	if len(strings.Fields(c.in.Text)) > 12 {
		return false, nil
	}
	slug := a.infoAbout(c.in.Text)
	if slug == "" {
		return false, nil
	}
	c.setSaid(false)
	a.pageFor(c, slug)
	return true, nil
}

// saysAny reports whether key (captionKey) has one of phrases at the start
// of one of its words: "не назнач" in "пока не назначили", "locator" in
// "the ice locator".
func saysAny(key string, phrases []string) bool {
	padded := " " + key
	return slices.ContainsFunc(phrases, func(p string) bool { return strings.Contains(padded, " "+p) })
}

// infoAbout returns the useful-information topic a question names with
// one of its words (Config.InfoWords), when it names exactly one; "".
// A topic named only by a word of seeking ("найти", "find") gives way to
// one named otherwise: "где найти адвоката" asks for a lawyer, not for the
// locator's page.
func (a *App) infoAbout(text string) string {
	key := captionKey(text) // ё as е, as the words are
	var found, sought []string
	for _, slug := range a.cfg.InfoPages {
		words := a.cfg.InfoWords[slug]
		switch {
		case !saysAny(key, words):
		case saysAny(key, slices.DeleteFunc(slices.Clone(words), func(w string) bool { return seekWords[w] })):
			found = append(found, slug)
		default:
			sought = append(sought, slug)
		}
	}
	if len(found) == 0 {
		found = sought
	}
	if len(found) != 1 {
		return "" // two topics: a volunteer can tell which
	}
	return found[0]
}

// seekWords are the topic words that say only that something is sought.
var seekWords = map[string]bool{"найти": true, "найт": true, "поиск": true, "find": true, "locate": true,
	"search": true}

// newsWords, in a question, ask how a case stands.
var newsWords = []string{"новост", "статус", "что слышно", "что нового", "как там", "как дела", "продвига",
	"news", "status", "update", "progress", "heard anything", "any word"}

// askingWords make up a question of news without its question mark ("есть
// новости", "any update"); news itself has other words ("новость:
// депортировали").
var askingWords = map[string]bool{"есть": true, "какие": true, "новости": true, "нового": true, "что": true,
	"слышно": true, "по": true, "делу": true, "статус": true, "ну": true, "any": true, "news": true,
	"update": true, "updates": true, "status": true, "the": true, "on": true, "case": true, "so": true}

// askedForNews answers a reporter's "есть новости?", "any news?" at the
// main menu with where their cases stand — or a friend's with the cases
// they follow — and the volunteer who can tell more (and sees the
// question); said without a question mark, at most a few words. Not the
// offer to send it as news (newsInWords).
func (a *App) askedForNews(ctx context.Context, c *turn) (bool, error) {
	text := strings.ToLower(c.in.Text)
	asks := isQuestion(text) ||
		!slices.ContainsFunc(strings.Fields(captionKey(text)), func(w string) bool { return !askingWords[w] })
	if !asks || !slices.ContainsFunc(newsWords, func(w string) bool { return strings.Contains(text, w) }) {
		return false, nil
	}
	if _, ok := FindCode(c.in.Text); ok {
		return false, nil // "any news on K7M4-Q9XP?": that case's status
	}
	return a.casesStand(ctx, c, false)
}

// askedToCheck takes a short statement asking to see a case's status ("хочу
// узнать статус", "check status") as the menu's "Check a case" — one's own
// cases first, as askedForNews has them — and one about a code ("у меня
// есть код", "I have a code") as asking for it. They got the greeting.
func (a *App) askedToCheck(ctx context.Context, c *turn) (bool, error) {
	words := lowerWords(c.in.Text)
	has := func(prefixes ...string) bool { return hasWordFrom(words, prefixes...) }
	// "У меня есть код", not "код страны"; the status of a case, not
	// "статус беженца" or "legal status".
	code := slices.ContainsFunc(words, func(w string) bool { return w == "код" || w == "кода" || w == "code" }) &&
		slices.ContainsFunc(words, func(w string) bool { return haveWords[w] })
	status := has("статус", "status") && (len(words) == 1 || has("провер", "узна", "посмотр", "дел", "check", "see",
		"track", "case"))
	if len(words) > 6 || !code && !status {
		return false, nil
	}
	c.setSaid(false)
	if !code {
		if ok, err := a.casesStand(ctx, c, false); ok || err != nil {
			return ok, err
		}
	}
	return true, a.hooks.menu["check"](ctx, c)
}

// haveWords say one has a code: "у меня есть код", "I have a code".
var haveWords = map[string]bool{"есть": true, "меня": true, "мой": true, "вот": true, "have": true, "got": true,
	"my": true, "here": true}

// casesStand answers a question at the menu from someone with cases — their
// own reports, or the cases they follow — with where those stand and the
// volunteer who can tell more (and sees the question); info adds the
// useful information. False for someone with no case: the question is
// answered otherwise.
func (a *App) casesStand(ctx context.Context, c *turn, info bool) (bool, error) {
	// Their own reports, else the cases they follow (a friend's).
	cases, own, err := c.casesOf(ctx)
	if err != nil {
		return false, err
	}
	if !own {
		if len(cases) == 0 && c.s.Viewed != "" {
			// One who just looked a case up: its status again, with the
			// button that tells of changes (it was "I am a bot").
			return true, c.checkCode(ctx, c.s.Viewed)
		}
		if len(cases) == 0 {
			return false, nil
		}
	}
	c.setSaid(false) // the volunteer it leads to sees the question
	if own {
		c.say(T("menu.news_question"))
		c.listCases(cases, "mycases.list", true)
	} else {
		c.say(T("menu.news_question_followed"))
		c.listCases(cases, "mycases.followed", false)
	}
	// Before the footer: a volunteer can tell more than the status.
	at := max(len(c.buttons)-1, 0)
	more := [][]Button{{{Text: T("btn.menu_volunteer"), Data: dataMenu + ":volunteer"}}}
	if info {
		more = append(more, []Button{{Text: T("btn.menu_info"), Data: dataMenu + ":info"}})
	}
	c.buttons = slices.Insert(c.buttons, at, more...)
	return true, nil
}

// thanksWords are a thank-you, said alone.
var thanksWords = []string{"спасибо", "спс", "благодарю", "дякую", "thanks", "thank you", "thx", "ty"}

// thanksMore are the words a thank-you may have around it: "спасибо вам
// большое за помощь", "thank you so much for your help".
var thanksMore = map[string]bool{"вам": true, "вас": true, "большое": true, "огромное": true, "за": true,
	"помощь": true, "все": true, "всем": true, "щиро": true, "so": true, "very": true, "much": true, "a": true,
	"lot": true, "many": true, "for": true, "your": true, "the": true, "help": true, "all": true}

// okWords may come before a thank-you: "ok thanks", "хорошо, спасибо".
var okWords = map[string]bool{"ok": true, "okay": true, "ок": true, "окей": true, "хорошо": true,
	"понятно": true, "ясно": true, "great": true, "good": true, "got": true, "it": true, "отлично": true}

// isThanks reports whether v is a thank-you said alone, after an "ok" or
// not.
func isThanks(v string) bool {
	words := strings.Fields(captionKey(v))
	for len(words) > 1 && okWords[words[0]] {
		words = words[1:]
	}
	words = slices.DeleteFunc(words, func(w string) bool { return thanksMore[w] })
	return slices.Contains(thanksWords, strings.Join(words, " "))
}

// confused answers "ничего не понимаю", "не работает", "how does this
// work?" at the main menu with what the bot does and its commands, as
// /help does; it got the greeting again, or "the bot cannot read
// questions".
func confused(ctx context.Context, c *turn) (bool, error) {
	key := " " + captionKey(c.in.Text) + " "
	has := func(ws []string) bool {
		return slices.ContainsFunc(ws, func(w string) bool { return strings.Contains(key, " "+w+" ") })
	}
	// "Не работает" is the bot's only alone or said of it: "телефон
	// мужа не работает" is news.
	broken := has(brokenWords) && (len(strings.Fields(key)) <= 3 || has(botWords))
	if !broken && !has(confusedWords) {
		return false, nil
	}
	c.say(c.help())
	return true, c.show(ctx)
}

// confusedWords say the bot is not understood (captionKey).
var confusedWords = []string{"не понимаю", "непонятно", "не понятно", "как это работает", "как этим пользоваться",
	"как пользоваться", "что тут делать", "что здесь делать", "i don t understand", "don t understand",
	"dont understand", "confused", "how does this work", "how do i use this", "how does it work"}

// brokenWords say something does not work; botWords that it is the bot.
var (
	brokenWords = []string{"не работает", "не работают", "doesn t work", "does not work", "not working"}
	botWords    = []string{"бот", "кнопки", "кнопка", "ничего", "bot", "button", "buttons", "nothing", "it"}
)

// thanked answers a thank-you at the main menu as a person would, rather
// than with the greeting again.
func thanked(_ context.Context, c *turn) (bool, error) {
	if !isThanks(c.in.Text) {
		return false, nil
	}
	c.say(T("menu.thanks"))
	c.menu()
	return true, nil
}

// infoContents lists the topics.
func (a *App) infoContents(c *turn) error {
	c.say(T("info.contents"))
	rows := make([][]Button, 0, len(a.cfg.InfoPages)+1)
	for _, slug := range a.cfg.InfoPages {
		rows = append(rows, []Button{{Text: T("info.title." + slug), Data: dataInfo + ":" + slug}})
	}
	c.buttons = append(rows, []Button{{Text: T("btn.info_done"), Data: dataInfo + ":done"}})
	return nil
}
