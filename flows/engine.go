package flows

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Flow names kept in Session.Flow.
const flowReport = "report"

// Questions awaiting a yes/no, kept in Session.Pending.
const (
	pendingCancel = "cancel" // discard the draft?
	pendingResume = "resume" // continue where you left off, or start over?
)

// Callback data is "<nonce>:<step>:<value>" for a flow's buttons, where a
// step starting with "!" names a pending question; "m:<action>" for the
// main menu and "l:<lang>" for a language. Menu and language buttons carry
// no nonce: pressing an old one is harmless.
const (
	dataMenu = "m"
	dataLang = "l"
	keepData = "=" // a button's value that keeps the current answer
	skipData = "-" // a button's value that skips a question of a filed case
)

// step is one question of a flow, declared as data.
type step struct {
	name string
	// max is the longest typed answer accepted, in characters; 0 when only
	// buttons answer the question.
	max int
	// sub marks a step that is part of the previous step's answer (a
	// lawyer's name after "yes, there is a lawyer"): changing that answer
	// from the review screen asks it too.
	sub bool
	// transient keeps the step off the /back stack: /back from the step
	// after it goes to the one before it.
	transient bool
	// noEcho hides "your answer" under the prompt, where the buttons show it.
	noEcho bool
	// yes, for a question put as yes or no that wants the thing itself
	// ("Was the name spelled otherwise?", "Anything to add?"), is said
	// to a bare "да", which would have been stored as the answer.
	yes string
	// prompt is the question: texts and buttons built from the session.
	prompt func(ctx context.Context, c *turn) ([]Text, [][]Button, error)
	// parse takes a typed answer or a pressed button's value and records it
	// in the draft, or says what is wrong.
	parse func(ctx context.Context, c *turn, v string, button bool) (outcome, error)
	// answer shows the current answer, a zero Text when there is none to
	// show; answered says the step was answered even if its value is empty
	// ("I don't know").
	answer func(ctx context.Context, c *turn, answered bool) (Text, error)
	// next names the step after this one, from the answers so far.
	next func(c *turn) string
	// words, for a question answered by buttons, are the beginnings of
	// words people type for an answer that its caption lacks ("на
	// чекине" for "На отметке в ICE"), by the button's value.
	words map[string][]string
	// deniedAfter are the words that, just after one of words, deny it
	// ("депортации не ожидается"); "нет" always does ("рейса нет").
	deniedAfter []string
	// multi says the buttons mark several answers: typed words naming
	// several are them all ("лекарства и дети"), their values joined by
	// "+" for parse.
	multi bool
	// unknown, for a question of buttons none of which says "I don't
	// know", is the value a typed "не знаю" is given to parse as.
	unknown string
}

// outcome is what a parser made of an answer. The zero outcome means
// "accepted, go to the next step".
type outcome struct {
	wrong   *Text  // refused: say this and ask again
	stay    bool   // accepted, but ask the same step again (a new search, a toggle)
	inPlace bool   // with stay: redraw the message whose button was pressed
	back    bool   // go to the previous step, like /back
	fresh   bool   // with back: ask it as new, without "your answer"
	edit    string // from the review: change the answer of this step
	confirm bool   // from the review: store the report
	quit    *Text  // end the flow, discard the draft, say this
	// then ends the flow and runs this instead (another flow's start).
	then func(ctx context.Context, c *turn) error
	// choices, with wrong, are buttons that answer it ("3 April" or
	// "March 4"), put above the question's own.
	choices [][]Button
}

func wrong(id string, kv ...any) (outcome, error) {
	t := T(id, kv...)
	return outcome{wrong: &t}, nil
}

func refused(p *Text) (outcome, error) { return outcome{wrong: p}, nil }

func accepted() (outcome, error) { return outcome{}, nil }

// notAnAttempt are the refusals of a typed answer in which nothing of the
// answer was found (no date, no contact, no country): words there are
// something else the relative wanted told. A date too vague or a number
// with the wrong letter is a try at the answer.
var notAnAttempt = map[string]bool{"parse.date": true, "parse.contact": true, "parse.country": true}

// turn is the handling of one input: the session it changes and the reply
// it builds. Every turn ends in one reply, so that a chat never waits on
// Telegram's per-chat limit for a second message.
type turn struct {
	a   *App
	s   *Session
	in  Input
	now time.Time
	// noPhone: the lawyer's name was given with "no number" this turn,
	// and the lawyer's phone is not asked.
	noPhone bool
	// callsDaily: "yes, he calls every day" answered whether the person
	// can call, and when they last did is not asked.
	callsDaily bool

	texts   []Text
	buttons [][]Button
	edit    int
	clip    int // when not 0, answers are cut to this many characters (the review screen)

	// extra are replies to other chats (a volunteer, subscribers), or more
	// than one message where a feature needs it (a relayed photo).
	extra []Reply
	// typed and surname are the session's Typed and Surname, which last
	// for the next input only: the button pressed right after the
	// question that kept them (whichCase, surnameAsked).
	typed, surname string
	// drop leaves the session unsaved: the input was taken by a feature
	// that keeps its own state.
	drop bool
	// left is set when the chat left a flow; the session is saved then even
	// when drop is set, or a member's command would leave a note being
	// asked for, and their next message to a user would be taken as the note.
	left bool
	// protect sends this chat's own reply with protect_content (a case card).
	protect bool
	// facilities and offices are the directories' matches looked up in
	// this turn, by query: a typed place taken when it names one
	// (spelledFacility) is looked up again by the list shown next.
	facilities map[string][]Facility
	offices    map[string][]Office
}

// matchFacilities is Facilities.Match of q for the lists shown
// (facilityMatches), looked up once a turn.
func (c *turn) matchFacilities(ctx context.Context, q string) ([]Facility, error) {
	return onceATurn(&c.facilities, q, func() ([]Facility, error) {
		found, err := c.a.d.Facilities.Match(ctx, q, facilityMatches)
		if err != nil {
			return nil, fmt.Errorf("match facilities: %w", err)
		}
		if len(found) > 0 {
			return found, nil
		}
		// "Houston I think, the processing center on Export Drive",
		// "maybe Miramar or Broward": nothing is like the whole sentence,
		// and the facilities of the names in it are offered. It was
		// "nothing similar".
		for _, w := range namesIn(q) {
			more, err := c.a.d.Facilities.Match(ctx, w, facilityMatches)
			if err != nil {
				return nil, fmt.Errorf("match facilities: %w", err)
			}
			for _, f := range more {
				if len(found) < facilityMatches && !slices.ContainsFunc(found, func(g Facility) bool { return g.ID == f.ID }) {
					found = append(found, f)
				}
			}
		}
		return found, nil
	})
}

// namesIn are the words of a sentence of three words or more that may
// name a place: capitalised, of four letters or more, not a word every
// facility's name has ("Center", "County"); the first three.
func namesIn(q string) []string {
	words := strings.Fields(q)
	if len(words) < 3 {
		return nil
	}
	var out []string
	for _, w := range words {
		w = strings.Trim(w, ",.;:!?()\"'«»")
		r, _ := utf8.DecodeRuneInString(w)
		if utf8.RuneCountInString(w) < 4 || !unicode.IsUpper(r) || facilityWords[strings.ToLower(w)] || slices.Contains(out, w) {
			continue
		}
		if out = append(out, w); len(out) == 3 {
			break
		}
	}
	return out
}

// facilityWords are in the names of many facilities, and name none.
var facilityWords = map[string]bool{"center": true, "centre": true, "processing": true, "detention": true,
	"facility": true, "county": true, "jail": true, "correctional": true, "service": true, "contract": true,
	"drive": true, "street": true, "road": true, "avenue": true, "центр": true, "тюрьма": true, "округ": true}

// matchOffices is Offices.Match of q for the lists shown (officeMatches),
// looked up once a turn.
func (c *turn) matchOffices(ctx context.Context, q string) ([]Office, error) {
	return onceATurn(&c.offices, q, func() ([]Office, error) {
		found, err := c.a.d.Offices.Match(ctx, q, officeMatches)
		if err != nil {
			return nil, fmt.Errorf("match offices: %w", err)
		}
		return found, nil
	})
}

// onceATurn is what look finds for q, kept in *seen for the rest of the
// turn.
func onceATurn[T any](seen *map[string][]T, q string, look func() ([]T, error)) ([]T, error) {
	if found, ok := (*seen)[q]; ok {
		return found, nil
	}
	found, err := look()
	if err != nil {
		return nil, err
	}
	if *seen == nil {
		*seen = map[string][]T{}
	}
	(*seen)[q] = found
	return found, nil
}

func (c *turn) say(t ...Text) { c.texts = append(c.texts, t...) }

func (c *turn) replies() []Reply {
	if len(c.texts) == 0 {
		return c.extra
	}
	own := Reply{ChatID: c.in.ChatID, Lang: c.s.Lang, Texts: c.texts, Buttons: c.buttons, Edit: c.edit, Protect: c.protect}
	return append([]Reply{own}, c.extra...)
}

// send queues a reply to any chat, after this chat's own reply.
func (c *turn) send(r Reply) { c.extra = append(c.extra, r) }

// run dispatches the input.
func (c *turn) run(ctx context.Context) error {
	offer := c.s.Offer
	c.s.Offer = "" // for the next message only
	c.typed, c.surname, c.s.Typed, c.s.Surname = c.s.Typed, c.s.Surname, "", ""
	if c.in.Kind != KindText {
		c.s.Long, c.s.LongStep = time.Time{}, "" // anything but text ends a split message
	}
	if t := c.oversized(); t != nil {
		c.drop = true
		c.say(*t)
		return c.again(ctx)
	}
	if taken, err := c.typedCommand(ctx); taken || err != nil {
		return err
	}
	for _, fn := range c.a.hooks.intercept {
		if taken, err := fn(ctx, c); taken || err != nil {
			return err
		}
	}
	if fn := c.a.hooks.flows[c.s.Flow]; fn != nil && c.in.Kind != KindCommand && c.in.Kind != KindButton {
		return fn(ctx, c)
	}
	switch c.in.Kind {
	case KindCommand:
		return c.command(ctx)
	case KindButton:
		return c.button(ctx)
	}
	s := c.s
	switch {
	case s.Flow == "":
		key := captionKey(c.in.Text)
		said := yesNoInWords(key)
		yes, no := yesWords[key] || said == "да", noWords[key] || said == "нет"
		if offer == offerForget && c.in.Kind == KindText && (yes || no) {
			// A yes to "erase your data?" is told that only the button
			// erases (it cannot be undone), a no keeps everything: the
			// menu greeted both, and the data stayed unsaid.
			if no {
				return c.forgetAnswer(ctx, "no")
			}
			c.say(T("forget.press"))
			return c.askForget(ctx)
		}
		if offer != "" && offer != offerForget && c.in.Kind == KindText && yes {
			// "Да" to the one button just offered: its press, where the
			// menu greeted and the trusted contact was never added.
			c.in.Kind, c.in.Data, c.in.Text, c.in.MessageID = KindButton, offer, "", 0
			return c.button(ctx)
		}
		if c.in.Kind == KindText && !s.LangChosen && s.Lang == "en" && (writtenInCyrillic(c.in.Text) || writtenInTranslit(c.in.Text)) {
			// A phone set to English, its owner writing in Russian (common
			// among immigrants), in Cyrillic or, on a keyboard without it,
			// in Latin letters: answered in the language they write.
			s.Lang = "ru"
		}
		if c.in.Kind == KindText {
			c.menu()
			rows := c.buttons
			c.buttons = nil
			if action, ok := c.typedCaption(rows, dataMenu+":", c.in.Text); ok {
				return c.menuAction(ctx, action) // a menu button's caption, typed
			}
			if action, ok := menuWords[captionKey(c.in.Text)]; ok {
				return c.menuAction(ctx, action) // "report", the caption's first word
			}
			if reportWords[captionKey(c.in.Text)] {
				return c.menuAction(ctx, "report") // "I want to report"
			}
			l, ok := c.typedCaption(rows, dataLang+":", c.in.Text)
			if !ok {
				l, ok = langWords[captionKey(c.in.Text)] // "english please", "по-русски"
			}
			if ok {
				c.s.Lang, c.s.LangChosen = l, true // "English" typed under the Russian menu
				c.say(T("language.set"))
				return c.show(ctx)
			}
			for _, fn := range c.a.hooks.menuText {
				if taken, err := fn(ctx, c); taken || err != nil {
					return err
				}
			}
		}
		if c.in.Kind == KindMedia {
			for _, fn := range c.a.hooks.menuMedia {
				if taken, err := fn(ctx, c); taken || err != nil {
					return err
				}
			}
		}
		return c.greet(ctx)
	case c.paused():
		c.askResume(T("resume.welcome_back"))
		return nil
	case s.Pending != "":
		if c.in.Kind == KindText {
			rows, _ := c.promptButtons(ctx, func(context.Context) error { c.askPending(); return nil })
			if v, ok := c.typedCaption(rows, s.Nonce+":!"+s.Pending+":", c.in.Text); ok {
				return c.pendingAnswer(ctx, v) // "да" to "cancel the report?"
			}
			if s.Pending == pendingResume && continueWords[captionKey(c.in.Text)] {
				return c.pendingAnswer(ctx, "go") // the reminder's "Продолжить сообщение", typed
			}
		}
		c.say(T("pending.use_buttons"))
		c.askPending()
		return nil
	case c.in.Kind == KindMedia:
		return c.mediaInReport(ctx)
	}
	return c.answer(ctx, c.in.Text, false)
}

// commandWords are the commands people type without the slash, alone in a
// message: "отмена" at the name question cancels, where it became the
// detained person's name and was asked for in Latin letters.
var commandWords = map[string]string{
	"отмена": "cancel", "отменить": "cancel", "отмени": "cancel", "стоп": "cancel",
	"cancel": "cancel", "stop": "cancel",
	"назад": "back", "вернуться": "back", "вернуться назад": "back", "back": "back", "go back": "back",
	"меню": "menu", "главное меню": "menu", "menu": "menu", "main menu": "menu",
	"помощь": "help", "help": "help",
	"начать заново": "start", "заново": "start", "сначала": "start", "start": "start", "start over": "start",
}

// translitCaptions are the yes and the no of Russian captions as typed in
// Latin letters (writtenInTranslit).
var translitCaptions = map[string]string{"da": "да", "net": "нет"}

// continueWords, typed alone in a flow, ask to go on where it stopped (as
// the reminder of a report left unsent says): the question is asked again.
// "Продолжить" became the detained person's name.
var continueWords = map[string]bool{
	"продолжить": true, "продолжим": true, "продолжаем": true, "продолжить сообщение": true,
	"продолжить заполнение": true, "continue": true, "continue the report": true, "go on": true, "resume": true,
}

// typedCommand turns a command's word typed alone in a flow into the
// command, and "оператор", "a human" typed in a report, a check-in's
// registration, for a case's code or as its news into the menu's "talk to
// a volunteer" (it became the detained person's name, "no case with this
// code", or news sent to the case's volunteer). A
// message to a person is left as it is: in a conversation with a volunteer
// (or a volunteer's to the person they talk to), "stop" is for them, unless
// it answers a feature's flow (a case code asked for) or a report the
// volunteer files for a caller. It reports whether it took the input.
func (c *turn) typedCommand(ctx context.Context) (bool, error) {
	if c.in.Kind != KindText || c.s.Flow == "" {
		return false, nil
	}
	cmd, ok := commandWords[captionKey(c.in.Text)]
	person := !ok && asksForPerson(c.in.Text) &&
		(c.inReport() && c.s.Draft.FiledBy == 0 || c.s.Flow == flowCheckin || c.s.Flow == flowCheck || c.s.Flow == flowNews)
	// (Under a yes/no question, "продолжить" is its button's caption.)
	goOn := !ok && !person && c.s.Pending == "" && continueWords[captionKey(c.in.Text)]
	if !ok && !person && !goOn {
		return false, nil
	}
	if c.a.hooks.flows[c.s.Flow] == nil && c.s.Draft.FiledBy == 0 {
		st, err := c.a.d.Queue.Chat(ctx, c.in.ChatID)
		if err != nil {
			return false, fmt.Errorf("handoff state of %d: %w", c.in.ChatID, err)
		}
		if st.Paired != nil || st.Active != nil || st.Holds > 0 {
			return false, nil
		}
	}
	if goOn {
		return true, c.show(ctx)
	}
	if person {
		if c.s.Flow == flowCheck || c.s.Flow == flowNews {
			c.reset() // a case's code or its news was asked for; a person is, instead
		}
		return true, c.menuAction(ctx, "volunteer")
	}
	c.in.Kind, c.in.Command, c.in.Text = KindCommand, cmd, ""
	return false, nil
}

// inReport reports whether the chat has a report draft in progress, which
// nothing but the user's own choice may discard.
func (c *turn) inReport() bool { return c.s.Flow == flowReport }

// paused reports whether the user comes back to a flow after a long silence.
func (c *turn) paused() bool {
	s := c.s
	return s.Flow != "" && s.Pending != pendingResume && !s.Updated.IsZero() &&
		c.now.Sub(s.Updated) > c.a.cfg.ResumeAfter
}

// command runs a /command; they work at every step.
func (c *turn) command(ctx context.Context) error {
	s := c.s
	arg := strings.TrimSpace(c.in.Text)
	switch c.in.Command {
	case "start", "menu":
		if arg != "" {
			if ok, err := c.a.hooks.start(ctx, c, arg); ok || err != nil {
				return err
			}
		}
		if c.inReport() {
			c.askResume(T("resume.unfinished"))
			return nil
		}
		newcomer := c.s.Updated.IsZero()
		c.reset() // a feature's flow (a code being asked for) ends here
		// A newcomer's first /start reads no Postgres, unless the
		// members' ids, read every few seconds, have them: a volunteer
		// added from the command line, or whose session has expired.
		member := !newcomer || slices.Contains(c.a.cfg.Admins, c.in.UserID)
		if !member {
			// Postgres down, the ids last read answer, or none: the
			// greeting, which needs no Postgres, rather than no answer.
			member, _ = c.a.d.Roles.MayBeMember(ctx, c.in.UserID)
		}
		if member {
			if ok, err := c.home(ctx); ok || err != nil {
				return err
			}
		}
		return c.greet(ctx)
	case "help":
		c.say(c.help())
		return c.show(ctx)
	case "report":
		return c.menuAction(ctx, "report")
	case "back":
		if s.Flow == "" {
			c.say(T("back.nothing"))
			return c.show(ctx)
		}
		s.Pending = ""
		return c.back(ctx, true)
	case "cancel":
		if s.Flow == "" {
			c.say(T("cancel.nothing"))
			return c.show(ctx)
		}
		s.Pending = pendingCancel
		c.askPending()
		return nil
	case "language":
		if l := strings.ToLower(arg); l == "ru" || l == "en" {
			s.Lang, s.LangChosen = l, true
			c.say(T("language.set"))
			return c.show(ctx)
		}
		c.say(T("language.choose"))
		c.buttons = [][]Button{{
			{Label: "Русский", Data: dataLang + ":ru"},
			{Label: "English", Data: dataLang + ":en"},
		}}
		return nil
	}
	if fn := c.a.hooks.commands[c.in.Command]; fn != nil {
		if c.in.ReplyTo != 0 && replyCommands[c.in.Command] {
			var err error
			if arg, err = c.a.replyArg(ctx, c, arg); err != nil {
				return err
			}
		}
		return fn(ctx, c, arg)
	}
	// A member's mistyped command (/nxt) is pointed to the volunteers'
	// /help, not to the reporters' commands.
	role, err := c.a.role(ctx, c.in.UserID)
	if err != nil {
		return fmt.Errorf("role of user %d: %w", c.in.UserID, err)
	}
	if role != RoleNone {
		c.say(T("command.unknown_member"))
		if n := nearestCommand(c.in.Command, role); n != "" {
			c.say(T("command.maybe", "Command", n)) // "/nxt": /next
		}
		if c.s.Flow != "" {
			return c.show(ctx) // the question they were at
		}
		return nil
	}
	return c.unknownCommand(ctx)
}

// writtenInCyrillic reports whether most letters of a text, and at least
// two, are Cyrillic.
func writtenInCyrillic(s string) bool {
	cyr, other := 0, 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.IsLetter(r):
			other++
		}
	}
	return cyr >= 2 && cyr > other
}

// writtenInTranslit reports whether a text is Russian typed in Latin
// letters ("pomogite pozhaluysta, syna zabrali"): a greeting alone, or two
// words of translitWords. None of those is an English word.
func writtenInTranslit(s string) bool {
	words := lowerWords(s)
	if len(words) == 1 {
		return translitGreetings[words[0]]
	}
	n := 0
	for _, w := range words {
		if translitWords[w] || translitGreetings[w] {
			n++
		}
	}
	return n >= 2
}

// translitGreetings say hello in Russian typed in Latin letters.
var translitGreetings = map[string]bool{
	"privet": true, "zdravstvuyte": true, "zdravstvujte": true, "zdravstvuite": true, "zdrastvuyte": true,
	"zdrastvujte": true, "zdrasti": true, "zdravstvuy": true,
}

// translitWords are Russian words, as typed in Latin letters, that people
// use telling of a detention or asking for help, and that are not English.
var translitWords = map[string]bool{
	"pomogite": true, "pomoch": true, "pomosh": true, "pomoshch": true, "pozhaluysta": true, "pozhalujsta": true,
	"pojaluysta": true, "pojalujsta": true, "pozhalusta": true, "spasibo": true,
	"muzh": true, "muzha": true, "muzhu": true, "zhena": true, "zhenu": true, "syn": true, "syna": true, "synu": true,
	"doch": true, "dochku": true, "docheri": true, "brata": true, "sestra": true, "sestru": true, "otca": true,
	"otets": true, "otec": true, "mamu": true, "papu": true, "rodstvennika": true, "druga": true, "podrugu": true,
	"vchera": true, "segodnya": true, "sevodnya": true, "zavtra": true, "utrom": true, "vecherom": true, "nedavno": true,
	"zaderzhali": true, "zaderjali": true, "zaderzhan": true, "zaderzhana": true, "zaderjan": true, "zabrali": true,
	"arestovali": true, "deportiruyut": true, "deportirovali": true, "deportaciya": true, "deportatsiya": true,
	"menya": true, "mne": true, "nuzhna": true, "nuzhen": true, "nuzhno": true, "chto": true, "shto": true,
	"gde": true, "kogda": true, "pochemu": true, "skazali": true, "uznat": true, "ochen": true, "srochno": true,
	"eto": true, "kak": true, "moy": true, "moego": true, "moyu": true, "moya": true, "nashego": true,
}

// unknownCommand answers a command that does not exist, and a member's
// command from someone who is not a member exactly the same: the bot does
// not say to strangers that the command exists (guard).
func (c *turn) unknownCommand(ctx context.Context) error {
	c.say(T("command.unknown"))
	if n := nearestCommand(c.in.Command, RoleNone); n != "" {
		c.say(T("command.maybe", "Command", n)) // "/strat": /start
	}
	// In a conversation with a volunteer, the person is reminded of it,
	// not shown the menu as if it had ended.
	st, err := c.a.d.Queue.Chat(ctx, c.in.ChatID)
	if err != nil {
		return fmt.Errorf("handoff state of %d: %w", c.in.ChatID, err)
	}
	if st.Paired != nil {
		c.a.sayPaired(c, st.Paired)
		c.drop = true
		return nil
	}
	return c.show(ctx)
}

// button runs a pressed inline button.
func (c *turn) button(ctx context.Context) error {
	s := c.s
	kind, rest, _ := strings.Cut(c.in.Data, ":")
	switch kind {
	case dataLang:
		if rest != "ru" && rest != "en" {
			break
		}
		s.Lang, s.LangChosen = rest, true
		c.say(T("language.set"))
		return c.show(ctx)
	case dataMenu:
		return c.menuAction(ctx, rest)
	}
	if fn := c.a.hooks.buttons[kind]; fn != nil {
		return fn(ctx, c, rest)
	}
	stepName, value, _ := strings.Cut(rest, ":")
	if s.Flow == "" || kind != s.Nonce {
		c.say(T("button.old"))
		return c.show(ctx)
	}
	if p, ok := strings.CutPrefix(stepName, "!"); ok {
		if p != s.Pending {
			c.say(T("button.old"))
			return c.show(ctx)
		}
		return c.pendingAnswer(ctx, value)
	}
	if c.paused() {
		c.askResume(T("resume.welcome_back"))
		return nil
	}
	if stepName != s.Step {
		c.say(T("button.old_step"))
		return c.show(ctx)
	}
	// Answering the question on screen instead of a pending yes/no is
	// answering "no, carry on".
	s.Pending = ""
	return c.answer(ctx, value, true)
}

// show shows where the chat is: the menu, the pending question or the step.
func (c *turn) show(ctx context.Context) error {
	switch {
	case c.s.Flow == "":
		c.say(T("menu.choose"))
		c.menu()
		return nil
	case c.s.Pending != "":
		c.askPending()
		return nil
	}
	return c.prompt(ctx, false)
}

// help is the context help for where the chat is.
func (c *turn) help() Text {
	switch {
	case c.s.Flow == "":
		return T("help.menu", "Commands", commandLines(RoleNone))
	case c.s.Pending != "":
		return T("help.pending")
	}
	return T("help." + c.s.Step)
}

// prompt asks the current step's question, with the current answer under it
// when there is one.
func (c *turn) prompt(ctx context.Context, answered bool) error {
	st := c.a.steps[c.s.Step]
	if st == nil {
		// A session saved by a version of the bot with other steps.
		c.s.Step = reportFirst
		c.s.Back = nil
		st = c.a.steps[c.s.Step]
	}
	texts, buttons, err := st.prompt(ctx, c)
	if err != nil {
		return err
	}
	if st.answer != nil && !st.noEcho {
		ans, err := st.answer(ctx, c, answered)
		if err != nil {
			return err
		}
		if ans.ID != "" {
			texts = append(texts, T("answer.current", "Answer", ans))
			if st.max > 0 {
				buttons = append(buttons, []Button{c.opt(keepData, "btn.keep")})
			}
		}
	}
	ownSkip := func(row []Button) bool {
		return slices.ContainsFunc(row, func(b Button) bool { return b.Text.ID == "btn.skip" })
	}
	if c.filed() && c.s.Flow == flowReport && c.s.Step != stepReview && c.s.Step != stepMore &&
		!slices.ContainsFunc(buttons, ownSkip) {
		// Completing a case filed on the urgent path: nothing more is
		// needed. Not beside the question's own "Skip": "Skip | Skip this
		// question" read as two ways of one thing.
		buttons = append(buttons, []Button{c.opt(skipData, "btn.skip_question")})
	}
	c.say(texts...)
	c.buttons = buttons
	return nil
}

// opt is a button that answers the current step with value.
func (c *turn) opt(value, textID string, kv ...any) Button {
	return Button{Text: T(textID, kv...), Data: c.stepPrefix() + value}
}

// labelOpt is opt with a caption shown as is.
func (c *turn) labelOpt(value, label string) Button {
	return Button{Label: label, Data: c.stepPrefix() + value}
}

// stepButtons returns the buttons under the step's question — its own,
// "keep" and "skip the question" — for reading a typed answer as one of
// them (typedButton, unknownButton, captionInText); none when they cannot
// be drawn.
func (c *turn) stepButtons(ctx context.Context) [][]Button {
	rows, err := c.promptButtons(ctx, func(ctx context.Context) error { return c.prompt(ctx, false) })
	if err != nil {
		return nil
	}
	return rows
}

// stepPrefix begins the callback data of the step's buttons.
func (c *turn) stepPrefix() string { return c.s.Nonce + ":" + c.s.Step + ":" }

// typedButton reads a typed answer that is the caption of one of rows, the
// step's buttons, as the press of that button (typedCaption), or a few
// words of one caption ("на работе"; captionOf) where the step allows
// (loosely).
func (c *turn) typedButton(rows [][]Button, v string) (string, bool) {
	prefix := c.stepPrefix()
	if value, ok := c.typedCaption(rows, prefix, v); ok {
		return value, true
	}
	if !c.loosely() {
		return "", false
	}
	value := c.captionOf(rows, prefix, captionKey(v))
	return value, value != ""
}

// unknownButton is the value of the button among rows, the step's, that
// answers lead ("не знаю"): the one with those words, else the one that
// skips the question ("Пропустить").
func (c *turn) unknownButton(rows [][]Button, lead string) (string, bool) {
	prefix := c.stepPrefix()
	if value, ok := c.typedCaption(rows, prefix, lead); ok {
		return value, true
	}
	for _, want := range []string{"skip", skipData} {
		if c.hasValue(rows, want) {
			return want, true
		}
	}
	return "", false
}

// hasValue reports whether one of the step's buttons among rows has value.
func (c *turn) hasValue(rows [][]Button, value string) bool {
	prefix := c.stepPrefix()
	return slices.ContainsFunc(rows, func(row []Button) bool {
		return slices.ContainsFunc(row, func(b Button) bool { return b.Data == prefix+value })
	})
}

// promptButtons returns the buttons prompt shows, leaving the turn's
// reply as it was: for typedCaption in flows that draw their own questions.
func (c *turn) promptButtons(ctx context.Context, prompt func(context.Context) error) ([][]Button, error) {
	texts, buttons, edit := c.texts, c.buttons, c.edit
	err := prompt(ctx)
	rows := c.buttons
	c.texts, c.buttons, c.edit = texts, buttons, edit
	return rows, err
}

// typedCaption returns the value of the button among rows (data prefix and
// value) whose caption v is — "нет" under Да and Нет, "Пришли домой": on a
// phone the buttons are easy to miss, and people answer in words. A caption
// matches whole or by its head before a comma, a colon, a slash or a
// bracket ("да" for "Да, есть"; "нет" for "Нет / не знаю"), ignoring case,
// emoji and punctuation; words that two buttons share match neither.
func (c *turn) typedCaption(rows [][]Button, prefix, v string) (string, bool) {
	key := captionKey(v)
	if key == "" || utf8.RuneCountInString(key) > 80 {
		return "", false
	}
	if k, ok := translitCaptions[key]; ok && c.s.Lang == "ru" {
		key = k // "net" under Да and Нет
	}
	is := func(label string) bool {
		head, _, _ := strings.Cut(strings.Map(func(r rune) rune {
			if strings.ContainsRune(",:/(—–", r) {
				return ','
			}
			return r
		}, label), ",")
		return captionKey(label) == key || captionKey(head) == key
	}
	found, _, several := c.oneButton(rows, prefix, is)
	if lead := yesNoInWords(key); found == "" && !several && lead != "" {
		// "да, конечно", "пока нет", "не переводили", "maybe", where no
		// caption is that: the yes, the no or the "don't know" in the
		// words of the captions.
		if c.s.Lang == "en" {
			lead = map[string]string{"да": "yes", "нет": "no", "не знаю": "i don t know"}[lead]
		}
		key = lead
		if ParseUnknown(lead) && !noWords[lead] {
			v = lead
		}
		found, _, several = c.oneButton(rows, prefix, is)
	}
	if several {
		return "", false
	}
	if found == "" && ParseUnknown(v) && !noWords[key] {
		// "idk", "i dont know", "не знаю" for the one button that says it
		// ("I don't know", "Нет / не знаю").
		found = c.unknownCaption(rows, prefix)
	}
	if found == "" {
		// "Нет, ничего срочного", "no nothing heard": the no and the
		// caption of the button that says nothing is, together.
		for _, no := range []string{"нет ", "no "} {
			if rest, ok := strings.CutPrefix(key, no); ok {
				for _, w := range []string{"none", "no"} {
					if l, ok := c.labelOf(rows, prefix+w); ok && captionKey(l) == rest {
						return w, true
					}
				}
			}
		}
	}
	if found == "" && (yesWords[key] || noWords[key]) {
		// "Да" under "✅ Согласен(на)": a yes or a no for the buttons that
		// answer yes and no; a no also for the one that says nothing is
		// ("Nothing heard" of a flight, "Nothing urgent").
		want := []string{"yes"}
		if noWords[key] {
			want = []string{"no", "none"}
		}
		for _, w := range want {
			for _, row := range rows {
				for _, b := range row {
					if value, ok := strings.CutPrefix(b.Data, prefix); ok && value == w {
						return value, true
					}
				}
			}
		}
	}
	return found, found != ""
}

// captionOf is the value of the one button among rows whose caption has
// every word of key, a few typed words: "at home" for "Raid at home", "на
// работе" for "Пришли на работу". Not a caption that says no where key does
// not ("I know" is not "I don't know"); "" when none or several match.
func (c *turn) captionOf(rows [][]Button, prefix, key string) string {
	typed := strings.Fields(key)
	if len(typed) == 0 || len(typed) > 4 {
		return ""
	}
	if !slices.ContainsFunc(typed, func(w string) bool { return utf8.RuneCountInString(w) >= 3 }) {
		return ""
	}
	found, _, _ := c.oneButton(rows, prefix, func(label string) bool {
		words := strings.Fields(captionKey(label))
		return allWordsIn(typed, words) &&
			!slices.ContainsFunc(words, func(w string) bool { return negations[w] && !slices.Contains(typed, w) })
	})
	return found
}

// oneButton returns the value and caption of the one button among rows
// (of the data prefix) whose caption match accepts; several is true, and
// value "", when buttons of different values do.
func (c *turn) oneButton(rows [][]Button, prefix string, match func(label string) bool) (value, label string, several bool) {
	for _, row := range rows {
		for _, b := range row {
			v, ok := strings.CutPrefix(b.Data, prefix)
			if !ok {
				continue
			}
			l := c.buttonLabel(b)
			if !match(l) {
				continue
			}
			if value != "" && value != v {
				return "", "", true
			}
			value, label = v, l
		}
	}
	return value, label, false
}

// buttonIndex is the place among rows of the button of the step's value
// v; -1 when there is none.
func (c *turn) buttonIndex(rows [][]Button, v string) int {
	i := 0
	for _, row := range rows {
		for _, b := range row {
			if b.Data == c.stepPrefix()+v {
				return i
			}
			i++
		}
	}
	return -1
}

// labelOf is the caption of the button among rows whose data is data.
func (c *turn) labelOf(rows [][]Button, data string) (string, bool) {
	for _, row := range rows {
		for _, b := range row {
			if b.Data == data {
				return c.buttonLabel(b), true
			}
		}
	}
	return "", false
}

// buttonLabel is the caption a button shows in the chat's language.
func (c *turn) buttonLabel(b Button) string {
	if b.Label != "" {
		return b.Label
	}
	return c.a.d.Labels.Button(c.s.Lang, b.Text)
}

// negations are the words that turn a caption into its opposite.
var negations = map[string]bool{"не": true, "нет": true, "без": true, "no": true, "not": true, "don": true,
	"t": true, "dont": true, "doesnt": true, "didnt": true, "hasnt": true, "havent": true, "never": true,
	"никогда": true, "ничего": true, "nothing": true, "none": true}

// deniedAfter reports whether the words after a word of an answer deny it:
// a "нет" within two words ("рейса нет"), or one of denials ("депортации
// не ожидается") — but not "не знаю" ("рейс, не знаю когда": there is one).
func deniedAfter(after, denials []string) bool {
	for j, w := range after[:min(len(after), 2)] {
		next := ""
		if j+1 < len(after) {
			next = after[j+1]
		}
		if w == "нет" || slices.Contains(denials, w) && next != "знаю" && next != "помню" && next != "знаем" {
			return true
		}
	}
	return false
}

// allWordsIn reports whether each typed word is one of words, or the same
// word with another ending ("работе", "работу").
func allWordsIn(typed, words []string) bool {
	for _, t := range typed {
		if !slices.ContainsFunc(words, func(w string) bool { return sameWord(t, w) }) {
			return false
		}
	}
	return true
}

// sameWord: equal, or sharing all but the last two letters of each, and at
// least three.
func sameWord(a, b string) bool {
	if a == b {
		return true
	}
	ra, rb := []rune(a), []rune(b)
	n := 0
	for n < len(ra) && n < len(rb) && ra[n] == rb[n] {
		n++
	}
	return n >= 3 && n >= len(ra)-2 && n >= len(rb)-2
}

// loosely reports whether the step's buttons may be read from words that
// are not their captions (captionOf, captionInText): not consent, what may
// be shown to others, or sending the report, which are given in so many
// words or pressed.
func (c *turn) loosely() bool {
	switch c.s.Step {
	case stepConsent, stepPrivacy, stepPublicity, stepReview:
		return false
	}
	return true
}

// leadTaken reports whether a yes or a no at the head of a longer message
// answers the step: where words are read loosely, and a no to what may be
// shown to others ("absolutely not, we have family in Russia"), which
// shows nothing. Never a yes there, nor anything at the consent or the
// review, whose no ends the report.
func (c *turn) leadTaken(lead string) bool {
	switch c.s.Step {
	case stepPrivacy, stepPublicity:
		key := captionKey(lead)
		return yesNoInWords(key) == "нет" || noWords[key] // "лучше не надо, у нас родные дома"
	}
	return c.loosely()
}

// captionInText finds the one button among rows, the step's, that a word
// of the message v names — a word of four letters or more of its caption,
// or the same word with another ending — and returns its value and
// caption. Not when the message says no, or names several; never a
// caption that says no ("Nothing heard").
func (c *turn) captionInText(rows [][]Button, v string) (value, label string, ok bool) {
	if !c.loosely() {
		return "", "", false
	}
	return c.wordOfCaption(rows, c.stepPrefix(), v)
}

// wordOfCaption is captionInText for any buttons: the one among rows (of
// the data prefix) whose caption has a word of four letters or more that
// the message v has too, or with another ending.
func (c *turn) wordOfCaption(rows [][]Button, prefix, v string) (value, label string, ok bool) {
	typed := strings.Fields(captionKey(v))
	if len(typed) > 30 || slices.ContainsFunc(typed, func(w string) bool { return negations[w] }) {
		return "", "", false
	}
	value, label, _ = c.oneButton(rows, prefix, func(l string) bool {
		words := strings.Fields(captionKey(l))
		return !slices.ContainsFunc(words, func(w string) bool { return negations[w] }) &&
			slices.ContainsFunc(words, func(w string) bool {
				return utf8.RuneCountInString(w) >= 4 && !commonWords[w] &&
					slices.ContainsFunc(typed, func(t string) bool { return sameWord(t, w) })
			})
	})
	return value, label, value != ""
}

// stepWordIn finds the one answer of the step whose words (step.words) a
// word of the message v begins with, and returns its value and caption.
// Not a word said no to (a negation one or two words before it), nor when
// the message names several answers.
func (c *turn) stepWordIn(st *step, rows [][]Button, v string) (value, label string, ok bool) {
	return c.oneNamed(st, rows, c.stepWordsIn(st, v))
}

// oneNamed is the answer of the step among values (stepWordsIn) and its
// caption: all of them joined by "+" where the step marks several, else
// the one; none for none, or for two where the step takes one.
func (c *turn) oneNamed(st *step, rows [][]Button, values []string) (value, label string, ok bool) {
	if len(values) == 0 || len(values) > 1 && !st.multi {
		return "", "", false // none, or two answers: the buttons tell which
	}
	var labels []string
	values = slices.Clone(values)
	// Said back in the order of the buttons ("Needs medical care, Children
	// are affected"), not of the values.
	slices.SortStableFunc(values, func(x, y string) int { return c.buttonIndex(rows, x) - c.buttonIndex(rows, y) })
	for _, v := range values {
		l, ok := c.labelOf(rows, c.stepPrefix()+v)
		if !ok {
			return "", "", false
		}
		// Said back without a toggle's mark ("▫️ Needs medical care").
		labels = append(labels, unmarked(l))
	}
	return strings.Join(values, "+"), strings.Join(labels, ", "), true
}

// compounds are the words of a thing as one word (captionKey, spaced): a
// car wash is a workplace, not a car ("picked up at the car wash where he
// works" named a traffic stop and work, and offered neither).
var compounds = strings.NewReplacer(" car wash ", " carwash ", " car washes ", " carwash ")

// stepWordsIn are the answers of the step whose words (step.words) the
// message v names, sorted.
func (c *turn) stepWordsIn(st *step, v string) []string {
	if len(st.words) == 0 || !c.loosely() {
		return nil
	}
	typed := strings.Fields(compounds.Replace(" " + captionKey(v) + " "))
	if len(typed) > 30 {
		return nil
	}
	names := func(stems []string) bool {
		for i, w := range typed {
			// "не на работе" is not at work; "не вернулся" after it
			// does not take "отмечаться" back. "Депортации пока нет",
			// "рейса нет": a "нет" after it is a no too.
			if slices.ContainsFunc(typed[max(0, i-2):i], func(w string) bool { return negations[w] }) ||
				deniedAfter(typed[i+1:], st.deniedAfter) {
				continue
			}
			if slices.ContainsFunc(stems, func(p string) bool {
				whole, ok := strings.CutPrefix(p, "=")
				return ok && w == whole || !ok && strings.HasPrefix(w, p)
			}) {
				return true
			}
		}
		return false
	}
	var values []string
	for answer, stems := range st.words {
		if names(stems) {
			values = append(values, answer)
		}
	}
	slices.Sort(values)
	return values
}

// namedFirst puts the buttons of the answers named, one to a row, above
// the others.
func (c *turn) namedFirst(rows [][]Button, named []string) [][]Button {
	if len(named) == 0 {
		return rows
	}
	var first, rest [][]Button
	for _, row := range rows {
		var others []Button
		for _, b := range row {
			if v, ok := strings.CutPrefix(b.Data, c.stepPrefix()); ok && slices.Contains(named, v) {
				first = append(first, []Button{b})
			} else {
				others = append(others, b)
			}
		}
		if len(others) > 0 {
			rest = append(rest, others)
		}
	}
	return append(first, rest...)
}

// unmarked is a button's caption said back without a toggle's mark:
// "Needs medical care", not "▫️ Needs medical care".
func unmarked(label string) string {
	return strings.TrimLeftFunc(label, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// askedAboutStep tells a question about the question asked from an
// answer: "why" for why it is asked or what it means ("зачем?", "what is
// that?", "где его взять?"), "safe" for who will see the answer ("это
// безопасно?", "will ICE see this?"), "" for anything else.
func askedAboutStep(v string) string {
	words := strings.Fields(captionKey(v))
	if len(words) == 0 || len(words) > 12 {
		return ""
	}
	padded := " " + strings.Join(words, " ") + " "
	has := func(phrases []string) bool {
		return slices.ContainsFunc(phrases, func(p string) bool { return strings.Contains(padded, " "+p+" ") })
	}
	switch {
	case has(safeQuestions):
		return "safe"
	case has(whyQuestions):
		return "why"
	}
	return ""
}

// whatItIs, after "не знаю", asks what the question is about (captionKey):
// "не знаю, что это" wants the question explained, not "not known".
var whatItIs = map[string]bool{"что это": true, "что это такое": true, "что такое": true, "что это значит": true,
	"what that is": true, "what this is": true, "what it is": true, "what that means": true, "what this means": true,
	"what is that": true, "what s that": true}

// asksAQuestion reports whether an answer is a question of its own: it
// ends with a question mark and begins with a question's word ("сколько
// это займёт?", "а вы поможете?", "how long will this take?"). "Мексика?",
// "Ivan Petrov?" are unsure answers, not questions.
func asksAQuestion(v string) bool {
	if !strings.HasSuffix(strings.TrimSpace(v), "?") {
		return false
	}
	words := questionLead(v)
	return len(words) >= 2 && questionStarts[words[0]]
}

// questionLead is the words of a question (lowerWords) from its first
// question word on: "а", "and so" before it are left out.
func questionLead(v string) []string {
	words := lowerWords(v)
	for len(words) > 0 && slices.Contains([]string{"а", "и", "ну", "and", "so", "but", "ok", "okay"}, words[0]) {
		words = words[1:]
	}
	return words
}

// stepPages are the pages of the useful information that the questions
// are about, for a "how" or "where" typed at one that names no subject:
// "how do I set that up?" at the phone account is the page on money and
// calls.
var stepPages = map[string]string{stepCanCall: "facility", stepLastCall: "facility", stepPhoneAcct: "facility",
	stepFacility: "locator", stepFacPick: "locator", stepLawyer: "legal", stepHearing: "legal"}

// howQuestion reports whether v asks how or where: "how do I set that up?",
// "а где это сделать?".
func howQuestion(v string) bool {
	words := questionLead(v)
	return len(words) >= 2 && slices.Contains([]string{"как", "где", "куда", "how", "where"}, words[0])
}

// questionStarts begin a question (lower case).
var questionStarts = map[string]bool{"как": true, "где": true, "что": true, "когда": true, "почему": true,
	"зачем": true, "можно": true, "сколько": true, "куда": true, "кто": true, "какие": true, "какой": true,
	"какая": true, "вы": true, "ты": true, "чем": true, "нужно": true, "надо": true, "есть": true, "будет": true,
	"how": true, "where": true, "what": true, "when": true, "why": true, "can": true, "could": true, "is": true,
	"are": true, "do": true, "does": true, "who": true, "which": true, "will": true, "would": true, "should": true,
	"you": true}

// whyQuestions and safeQuestions are the words of askedAboutStep's
// questions (captionKey).
var (
	whyQuestions = []string{"зачем", "почему", "для чего", "что это", "что такое", "что значит", "что означает",
		"это что", "не понимаю", "не понял", "не поняла", "непонятно", "где взять", "где его взять", "где найти",
		"где его найти", "где посмотреть", "где его посмотреть", "как узнать", "как его узнать",
		"why", "what is", "what s", "whats", "what does", "what do you mean", "what for", "don t understand",
		"dont understand", "where do i find", "where can i find", "where to find", "how do i find", "how do i know"}
	safeQuestions = []string{"безопасно", "это безопасно", "не опасно", "опасно ли", "кто увидит", "кто это увидит",
		"кто видит", "кому передадите", "вы передадите", "айс узнает", "ice узнает", "полиция узнает",
		"is it safe", "is this safe", "safe to", "who will see", "who sees", "who can see", "will ice", "can ice",
		"share this with", "give this to",
		// What becomes of what one writes: "что будет с данными?", "а ICE
		// увидит?".
		"с данными", "с моими данными", "ice увидит", "айс увидит", "увидит ice", "полиция увидит",
		"happens to my data", "my data safe", "sees my data", "happens to my information", "my information safe",
		"will the police", "will immigration"}
)

// commonWords are words of captions that name no answer of their own.
var commonWords = map[string]bool{"other": true, "others": true, "with": true, "from": true, "that": true,
	"this": true, "have": true, "been": true, "what": true, "your": true, "there": true, "only": true,
	"другое": true, "другие": true, "есть": true, "было": true, "только": true, "всё": true, "все": true,
	"если": true, "знаю": true, "know": true}

// unknownCaption is the value of the one button among rows whose caption,
// or a part of it between slashes, means "I don't know"; "" when none or
// several do.
func (c *turn) unknownCaption(rows [][]Button, prefix string) string {
	found, _, _ := c.oneButton(rows, prefix, func(label string) bool {
		return slices.ContainsFunc(strings.Split(label, "/"), func(part string) bool {
			return ParseUnknown(part) && !noWords[captionKey(part)]
		})
	})
	return found
}

// yesNoInWords reads a yes, a no or a "don't know" said in more words
// (captionKey): "да, конечно", "yes please", "ok let's do it" (every word
// a yes or a word around one), "кажется да", "I think so", "пока нет",
// "not yet", "да нет", a short negation ("не переводили", "not urgent"),
// "может быть", "maybe". It returns "да", "нет", "не знаю", or "".
func yesNoInWords(key string) string {
	words := strings.Fields(key)
	if len(words) == 0 || len(words) > 6 {
		return ""
	}
	all := func(set map[string]bool) bool {
		return !slices.ContainsFunc(words, func(w string) bool { return !set[w] })
	}
	some := func(set map[string]bool) bool {
		return slices.ContainsFunc(words, func(w string) bool { return set[w] })
	}
	switch {
	case hedgedYes[key] || all(yesParts) && some(yesWords):
		return "да"
	case hedgedNo[key] || all(noParts) && some(noWords):
		return "нет"
	case maybeWords[key]:
		return "не знаю"
	case len(words) <= 3 && (words[0] == "не" || words[0] == "not") && len(words) > 1 && !notNo[words[1]]:
		return "нет"
	}
	return ""
}

var (
	// yesParts are the words said around a yes ("yes please", "ok let's
	// do it"); noParts around a no ("нет, спасибо", "no thank you").
	yesParts = map[string]bool{"да": true, "конечно": true, "согласен": true, "согласна": true, "согласны": true,
		"ок": true, "хорошо": true, "давайте": true, "давай": true, "пожалуйста": true, "ага": true, "точно": true,
		"yes": true, "yeah": true, "yep": true, "sure": true, "ok": true, "okay": true, "please": true, "go": true,
		"ahead": true, "i": true, "agree": true, "fine": true, "let": true, "s": true, "lets": true, "do": true,
		"it": true, "of": true, "course": true, "absolutely": true, "так": true}
	noParts = map[string]bool{"нет": true, "не": true, "надо": true, "спасибо": true, "нету": true, "no": true,
		"nope": true, "thanks": true, "thank": true, "you": true, "not": true}
	// hedgedYes and hedgedNo are a yes and a no said with a doubt, or
	// idiomatically ("не против" agrees, "да нет" does not).
	hedgedYes = map[string]bool{"кажется да": true, "вроде да": true, "наверное да": true, "наверно да": true,
		"думаю да": true, "скорее да": true, "скорее всего да": true, "похоже да": true, "не против": true,
		"не возражаю": true, "не возражаем": true, "давайте": true, "i think so": true, "i think yes": true, "think so": true,
		"probably": true, "probably yes": true, "i guess so": true, "i believe so": true, "fine": true,
		"i don t mind": true, "don t mind": true, "go ahead": true, "of course": true, "absolutely": true,
		"definitely": true, "конечно да": true, "да конечно": true,
		"yes i think so": true, "да вроде": true, "да вроде бы": true, "вроде бы да": true, "да наверное": true}
	hedgedNo = map[string]bool{"пока нет": true, "нет пока": true, "еще нет": true, "вроде нет": true,
		"кажется нет": true, "наверное нет": true, "наверно нет": true, "думаю нет": true, "скорее нет": true,
		"скорее всего нет": true, "похоже нет": true, "не думаю": true, "да нет": true, "not yet": true,
		"no not yet": true, "not really": true, "probably not": true, "i don t think so": true,
		"i dont think so": true, "don t think so": true,
		// The no first, then the doubt: "no I don't think so", "нет вроде".
		"no i don t think so": true, "no i dont think so": true, "dont think so": true, "no dont think so": true,
		"no don t think so": true, "нет вроде": true, "нет вроде бы": true, "вроде бы нет": true,
		"нет не думаю": true, "я так не думаю": true, "не думаю что": true, "вряд ли": true, "нет наверное": true,
		// As far as one knows: "not that I know of", "насколько я знаю, нет".
		"not that i know of": true, "not that i know": true, "not that we know of": true, "not that we know": true,
		"not as far as i know": true, "no not that i know of": true, "no not as far as i know": true,
		"насколько я знаю нет": true, "насколько знаю нет": true, "нет насколько я знаю": true,
		"нет насколько знаю": true, "насколько мы знаем нет": true,
		// A no said firmly: "absolutely not, we have family in Russia".
		"absolutely not": true, "definitely not": true, "certainly not": true, "of course not": true,
		"конечно нет": true, "нет конечно": true, "ни в коем случае": true, "ни за что": true}
	maybeWords = map[string]bool{"может быть": true, "может": true, "возможно": true, "не уверен": true,
		"не уверена": true, "не уверены": true, "maybe": true, "perhaps": true, "might be": true, "possibly": true,
		"not sure": true, "i m not sure": true, "im not sure": true}
	// notNo are the words after "не" that make no no of it: "не знаю"
	// is not known, "не на работе" is no answer to a yes or a no.
	notNo = map[string]bool{"знаю": true, "знаем": true, "помню": true, "уверен": true, "уверена": true,
		"уверены": true, "в": true, "на": true, "из": true, "sure": true, "known": true, "at": true, "in": true,
		"from": true, "on": true}
)

// yesWords and noWords are typed yes and no (captionKey).
var (
	yesWords = map[string]bool{"да": true, "ага": true, "конечно": true, "согласен": true, "согласна": true,
		"да согласен": true, "да согласна": true, "хорошо": true, "ок": true, "ok": true, "okay": true,
		"yes": true, "yeah": true, "yep": true, "sure": true, "agree": true, "i agree": true, "yes i agree": true,
		// Ukrainian, which many who write in Russian answer in.
		"так": true, "згоден": true, "згодна": true, "так згоден": true, "так згодна": true, "звичайно": true,
		"добре": true, "авжеж": true,
		// Russian typed in Latin letters (writtenInTranslit).
		"da": true, "konechno": true, "soglasen": true, "soglasna": true, "da soglasen": true, "da soglasna": true,
		"horosho": true, "khorosho": true,
		// Going ahead: "ладно", "поехали", "go ahead".
		"ладно": true, "поехали": true, "давай": true, "go ahead": true, "let s go": true, "lets go": true,
		"alright": true, "all right": true}
	noWords = map[string]bool{"нет": true, "не согласен": true, "не согласна": true, "no": true, "nope": true,
		"i do not agree": true, "i don t agree": true, "do not agree": true,
		"ні": true, "не згоден": true, "не згодна": true,
		"net": true, "ne soglasen": true, "ne soglasna": true,
		// A no said as people say it: "лучше не надо", "no thanks".
		"не надо": true, "лучше не надо": true, "не нужно": true, "лучше не": true, "нет спасибо": true,
		"no thanks": true, "no thank you": true, "better not": true, "rather not": true, "i d rather not": true}
)

// langWords ask at the menu for a language (captionKey): "english please"
// was offered to be sent as news.
var langWords = map[string]string{"english": "en", "english please": "en", "in english": "en", "english language": "en",
	"по английски": "en", "на английском": "en", "английский": "en", "по английски пожалуйста": "en",
	"русский": "ru", "по русски": "ru", "на русском": "ru", "по русски пожалуйста": "ru", "russian": "ru",
	"russian please": "ru", "in russian": "ru"}

// menuWords are a menu button's word typed alone (captionKey), for the
// button: "report" for "Report a detention", which got the greeting again.
var menuWords = map[string]string{"report": "report", "report detention": "report", "new report": "report",
	"report an arrest": "report", "сообщить": "report", "сообщение": "report", "сообщение о задержании": "report",
	"info": "info", "information": "info", "инфо": "info", "информация": "info"}

// sendWords send the report from its review (captionKey): the word of its
// button ("All correct — send"), where a bare "да" is told how to send.
var sendWords = map[string]bool{"send": true, "send it": true, "yes send": true, "yes send it": true,
	"please send": true, "send the report": true, "submit": true,
	"отправить": true, "отправь": true, "отправьте": true, "отправляй": true, "отправляйте": true,
	"да отправить": true, "да отправь": true, "да отправляй": true, "да отправьте": true,
	"отправить сообщение": true, "отправьте сообщение": true,
	"send please": true, "ok send": true, "ok send it": true, "yes please send": true, "yes send please": true,
	"отправляйте пожалуйста": true, "да отправляйте пожалуйста": true, "можно отправлять": true,
	// That the answers are right, as the button's "All correct" says.
	"все верно": true, "да все верно": true, "верно": true, "все правильно": true, "да все правильно": true,
	"правильно": true, "да верно": true, "да правильно": true, "correct": true, "all correct": true,
	"yes all correct": true, "yes correct": true, "everything is correct": true, "yes everything is correct": true,
	"everything is right": true, "all good": true, "looks good": true, "looks correct": true}

// sendsReport reports whether words typed on the review send the report:
// sendWords, or a word of sending ("отправляйте", "confirm") with only
// words of agreeing around it ("да, отправляйте", "всё правильно,
// отправляй", "подтверждаю"); "не отправляйте" and "отправлю завтра" do not.
func sendsReport(key string) bool {
	return sendWords[key] || agreedTo(key, "отправ", "подтвержд", "send", "submit", "confirm")
}

// agreedTo reports whether key (captionKey) is a word beginning with one of
// verbs, with only agreeingWords around it. A promise for later
// ("отправлю") is not it.
func agreedTo(key string, verbs ...string) bool {
	doing := false
	for _, w := range strings.Fields(key) {
		switch {
		case hasWordFrom([]string{w}, verbs...):
			doing = doing || !strings.HasSuffix(w, "лю")
		case !agreeingWords[w]:
			return false
		}
	}
	return doing
}

// agreeingWords may come with a word of sending on the review.
var agreeingWords = map[string]bool{"да": true, "yes": true, "ok": true, "ок": true, "все": true, "верно": true,
	"правильно": true, "correct": true, "right": true, "good": true, "please": true, "пожалуйста": true,
	"можно": true, "it": true, "now": true, "сейчас": true, "и": true, "and": true, "the": true, "report": true,
	"сообщение": true, "хорошо": true, "конечно": true, "sure": true}

// doneWords at the review say it is finished without saying "send": told
// how to send, as a bare "да" is.
var doneWords = map[string]bool{"готово": true, "готов": true, "готова": true, "все": true, "это все": true,
	"все ок": true, "да все": true, "ок все": true, "all done": true,
	"done": true, "finished": true, "that s all": true, "thats all": true, "that s it": true}

// skipWords ask to skip a question (captionKey).
var skipWords = map[string]bool{"skip": true, "skip it": true, "skip this": true, "pass": true, "next": true,
	"пропустить": true, "пропуск": true, "пропусти": true, "пропускаю": true, "дальше": true, "далее": true}

// unknownWords begin an answer that means "I don't know" (captionKey).
var unknownWords = []string{"не знаю", "незнаю", "не знаем", "не помню", "точно не знаю", "пока не знаю",
	"не знаю точно", "не знаем точно", "i don t know exactly", "don t know exactly", "i don t know for sure",
	"don t know for sure", "not exactly sure",
	"без понятия", "понятия не имею", "не уверен", "не уверена",
	"i don t know", "don t know", "dont know", "i dont know", "i do not know", "do not know",
	"no idea", "not sure", "i m not sure", "idk", "dunno", "don t have", "dont have", "i don t have", "нету",
	"don t remember", "dont remember", "i don t remember", "i dont remember", "не помню точно"}

// laterWords and laterActs make an answer given later ("will send it
// later", "потом скину"); laterPhrases are those said without "later".
var (
	laterWords = []string{"later", "tomorrow", "tonight", "позже", "попозже", "потом", "завтра", "вечером"}
	laterActs  = []string{"send", "give", "add", "tell", "find", "check", "look", "text", "write", "bring",
		"пришлю", "скину", "напишу", "скажу", "отправлю", "найду", "уточню", "узнаю", "добавлю", "посмотрю",
		"сообщу", "дам", "пришлем", "скинем", "напишем", "скажем", "отправим", "найдем", "уточним", "узнаем"}
	laterPhrases = []string{"let me check", "need to check", "have to check", "i ll check", "will check",
		"need to look", "have to look", "i ll look", "will look it up", "i ll find", "will find it",
		"not with me", "have it at home", "it s at home", "its at home", "papers are at home", "надо посмотреть", "нужно посмотреть", "надо уточнить", "нужно уточнить",
		"надо найти", "нужно найти", "не с собой", "нет с собой", "остались дома", "документы дома", "бумаги дома",
		"сейчас нет под рукой", "нет под рукой", "not at hand", "don t have it with me", "don t have it on me",
		"dont have it with me", "dont have it on me",
		// "Не помню, где-то в бумагах": the papers have it.
		// Not "в документах" alone: "Ivan Petrov, как в документах" is
		// the name.
		"где то в бумагах", "где то в документах", "somewhere in the papers", "somewhere in his papers",
		"somewhere in her papers", "it s in the papers", "its in the papers", "it s in his papers", "its in his papers",
		// "It's on the paper at home, I'm at the office now".
		"paper at home", "papers at home", "paper is at home", "papers are at home", "i m not home", "i m not at home",
		"в бумагах дома", "дома в бумагах", "на бумаге дома", "дома на бумаге", "в документах дома", "я не дома"}
)

// laterInWords reports whether v says the answer will be given later:
// "I have it at home, will send later", "пришлю позже", "надо посмотреть
// в бумагах". Not with digits, which may be the answer itself.
func laterInWords(v string) bool {
	if hasDigit(v) {
		return false
	}
	key := " " + captionKey(v) + " "
	has := func(list []string) bool {
		return slices.ContainsFunc(list, func(w string) bool { return strings.Contains(key, " "+w+" ") })
	}
	return has(laterWords) && has(laterActs) || has(laterPhrases)
}

// hedges mark a guess: "наверное Krome", "maybe Texas", "somewhere near
// Houston"; guessFillers go with one ("в районе", "in").
var (
	hedges = []string{"наверное", "кажется", "может быть", "может", "возможно", "вроде бы", "вроде", "скорее всего",
		"где то", "около", "рядом с", "рядом", "в районе",
		"maybe", "probably", "i think", "i think its", "i guess", "perhaps", "possibly", "might be", "think",
		"somewhere", "near", "around", "nearby", "close to"}
	guessFillers = []string{"в", "во", "на", "in", "at", "the", "it s", "its", "he s", "she s", "is"}
)

// guessIn returns the guess a hedge marks in typed ("не знаю, наверное
// Krome": "Krome"; "not sure, somewhere near Houston probably": "Houston"),
// false when the rest after "I don't know" (rest, as captionKey has it)
// has no hedge, or says more than a place's few words.
func guessIn(typed, rest string) (string, bool) {
	// The words of the rest as typed ("Krome", not "krome"): the last
	// ones of typed, as many as the rest has.
	words := strings.FieldsFunc(typed, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	keys := strings.Fields(rest)
	if len(keys) > len(words) {
		return "", false
	}
	words = words[len(words)-len(keys):]
	at := func(i int, phrase string) int {
		p := strings.Fields(phrase)
		if i+len(p) <= len(keys) && slices.Equal(keys[i:i+len(p)], p) {
			return len(p)
		}
		return 0
	}
	longest := func(i int, list []string) int {
		n := 0
		for _, h := range list {
			n = max(n, at(i, h))
		}
		return n
	}
	var guess []string
	hedged := false
	for i := 0; i < len(keys); {
		if n := longest(i, hedges); n > 0 {
			hedged, i = true, i+n
		} else if n := longest(i, guessFillers); n > 0 {
			i += n
		} else {
			guess, i = append(guess, words[i]), i+1
		}
	}
	if !hedged || len(guess) == 0 || len(guess) > 4 {
		return "", false
	}
	return strings.Join(guess, " "), true
}

// unknownInWords reports whether typed words say the answer is not
// known now: "не знаю", "не знаю номер", "не помню, где-то в бумагах", "I
// don't have it with me".
func unknownInWords(v string) bool {
	_, _, lead := unknownLead(v)
	return ParseUnknown(v) || lead || laterInWords(v)
}

// unknownLead splits a typed answer that begins with "I don't know" and
// goes on in words ("не знаю номер", "not sure, maybe Texas") into the
// words for "I don't know" and the rest. Not with digits: "не помню,
// кажется 1985" answers the question.
func unknownLead(v string) (lead, rest string, ok bool) {
	key := captionKey(v)
	if hasDigit(v) {
		return "", "", false
	}
	for _, w := range unknownWords {
		if r, found := strings.CutPrefix(key, w+" "); found && len(w) > len(lead) {
			lead, rest = w, r
		}
	}
	return lead, rest, lead != ""
}

// yesNoAbout reads a yes or a no followed only by words of the question
// itself ("no lawyer", "нет адвоката" under "does the person have a
// lawyer?", "yes he was moved"): the yes or no, and true. Words of three
// letters or fewer ("he", "was") do not count either way; a "but" says
// more than yes or no ("no deportation yet but he was moved").
func (c *turn) yesNoAbout(ctx context.Context, st *step, v string) (string, bool) {
	words := strings.Fields(captionKey(v))
	if len(words) < 2 || len(words) > 8 || !yesWords[words[0]] && !noWords[words[0]] || hasDigit(v) ||
		slices.ContainsFunc(words, func(w string) bool { return contrastWords[w] }) {
		return "", false
	}
	texts, _, err := st.prompt(ctx, c)
	if err != nil || len(texts) == 0 {
		return "", false
	}
	question := strings.Fields(captionKey(c.a.d.Labels.Button(c.s.Lang, texts[len(texts)-1])))
	about := false
	for _, w := range words[1:] {
		if utf8.RuneCountInString(w) < 4 {
			continue
		}
		if !slices.ContainsFunc(question, func(q string) bool { return sameWord(w, q) }) {
			return "", false
		}
		about = true
	}
	return words[0], about
}

// noBut reports whether a no goes on with a "but": "нет, но его перевели"
// under "deportation expected, moved, or a flight heard of?" is not a no,
// and was taken for one.
func noBut(lead, rest string) bool {
	first, _, _ := strings.Cut(captionKey(rest), " ")
	return noWords[captionKey(lead)] && contrastWords[first]
}

// contrastWords turn a yes or a no into more than that (captionKey).
var contrastWords = map[string]bool{"but": true, "however": true, "though": true, "although": true, "except": true,
	"only": true, "но": true, "однако": true, "хотя": true, "зато": true, "только": true, "кроме": true}

// yesNoLeadRe is a yes or a no set off at the head of a longer message:
// "Да, его завтра депортируют", "no - he is at Krome".
var yesNoLeadRe = regexp.MustCompile(`(?is)^\s*(absolutely not|definitely not|certainly not|of course not|` +
	`конечно нет|нет конечно|ни в коем случае|ни за что|да|нет|yes|no|yeah|yep|nope)\s*[,.!:;—–-]+\s*(\S.*)`)

// yesNoLead returns the yes or no a message begins (or ends) with, set
// off by punctuation, and the rest of it: a bare one ("Да, его завтра
// депортируют"), or one said in a few words ("no I don't think so, he
// just got detained", "нет вроде, его только задержали"), which was
// "use the buttons".
func yesNoLead(v string) (lead, rest string, ok bool) {
	if m := yesNoLeadRe.FindStringSubmatch(v); m != nil {
		return m[1], m[2], true
	}
	// Or in its last words: "his boss said he'd find one, not yet".
	i, j := strings.IndexAny(v, ",.!:;—–"), strings.LastIndexAny(strings.TrimRight(v, ".!"), ",.!:;—–")
	if i < 0 {
		return "", "", false
	}
	tries := [][2]string{{v[:i], v[i:]}}
	if j >= 0 && !strings.HasSuffix(strings.TrimSpace(v), "?") { // "…then moved, no?" asks
		tries = append(tries, [2]string{v[j:], v[:j]})
	}
	for _, lr := range tries {
		lead, rest = strings.Trim(lr[0], ",.!:;—–- "), strings.Trim(lr[1], ",.!:;—–- ")
		key := captionKey(lead)
		// With its yes or no in it: "not the lawyer, someone else" says
		// who did not, not no.
		said := hedgedYes[key] || hedgedNo[key] || yesWords[key] || noWords[key] ||
			slices.ContainsFunc(strings.Fields(key), func(w string) bool { return yesWords[w] || noWords[w] })
		if yn := yesNoInWords(key); said && (yn == "да" || yn == "нет" || yesWords[key] || noWords[key]) && rest != "" {
			return lead, rest, true
		}
	}
	return "", "", false
}

// bareYesLead is a yes at the head of a longer message without a stop
// after it ("yes from otay mesa to adelanto"), and what follows; not "да
// нет" (a no) nor "да не знаю".
func bareYesLead(v string) (lead, rest string, ok bool) {
	m := yesLeadRe.FindStringSubmatch(v)
	if m == nil || negations[strings.Fields(captionKey(m[2]))[0]] {
		return "", "", false
	}
	return m[1], m[2], true
}

// bareNoLead is a no at the head of a longer message without a stop after
// it ("no he hasnt signed anything"); not "no problem", which agrees.
func bareNoLead(v string) (string, bool) {
	m := noLeadRe.FindStringSubmatch(v)
	if m == nil || slices.Contains([]string{"problem", "problems", "проблем", "worries"}, strings.Fields(captionKey(m[2]))[0]) {
		return "", false
	}
	return m[1], true
}

// noLeadRe is bareNoLead's no and the words after it.
var noLeadRe = regexp.MustCompile(`(?is)^\s*(нет|no|nope)\s+(\pL.*)`)

// yesLeadRe is bareYesLead's yes and the words after it.
var yesLeadRe = regexp.MustCompile(`(?is)^\s*(да|yes|yeah|yep)\s+(\pL.*)`)

// looksLikeANumber reports whether text is an A-number written as one:
// with its letter A, or nine digits in a row.
func looksLikeANumber(v string) bool {
	if _, p := ParseANumber(v); p != nil {
		return false
	}
	v = strings.TrimSpace(v)
	r, _ := utf8.DecodeRuneInString(v)
	return strings.ContainsRune("AaАа№#", r) || isDigits(v) && len(v) == 9
}

// captionKey is text as compared with a caption: lower case, ё as е, only
// letters and digits, one space between words.
func captionKey(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r == 'ё':
			r = 'е'
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// answer runs the current step's parser on a typed answer or a button's value.
func (c *turn) answer(ctx context.Context, v string, button bool) error {
	s := c.s
	st := c.a.steps[s.Step]
	if st == nil {
		return c.prompt(ctx, false)
	}
	if fix, ok := strings.CutPrefix(v, dataFix); ok && button {
		return c.applyFix(ctx, fix)
	}
	if step, value, shown, ok := c.fixIn(v); ok && !button && st.max < c.a.cfg.MaxText {
		// "Ой, дата рождения 5 мая 1988", "A 241 556 890" under another
		// question (not where a story is told): the correction, a press
		// away.
		c.keepTyped(v)
		c.say(T("fix.offer", "Field", c.fieldLabel(step)))
		if err := c.prompt(ctx, false); err != nil {
			return err
		}
		b := c.opt(dataFix+step+":"+value, "btn.fix", "Field", c.fieldLabel(step), "Value", shown)
		c.buttons = append([][]Button{{b}}, c.buttons...)
		return nil
	}
	var rows [][]Button  // the step's buttons, drawn once for what follows
	var several []string // the answers the words named, where they named more than one
	if !button && c.inReport() && st.max < c.a.cfg.MaxText {
		// "Зачем вам это?", "what is that?", "is it safe?": a question
		// about the question, answered; it became the person's name. Not
		// a date in a sentence ("суд 15 апреля, адвокат сказал что это
		// последнее заседание").
		_, rest, unknown := unknownLead(v)
		if what := whatItIs[rest]; (!unknown || what) && !(st.max == maxDate && c.namesADate(v)) {
			asked := askedAboutStep(v)
			if what {
				asked = "why"
			}
			switch asked {
			case "why":
				c.say(c.help())
				return c.prompt(ctx, false)
			case "safe":
				c.say(T("report.who_sees"))
				return c.prompt(ctx, false)
			}
			if asksAQuestion(v) && s.Step != stepReview {
				// "А сколько это займёт?", "will you help?": not the
				// answer (it became the person's name, the reporter's,
				// who they are), but what a volunteer can answer.
				// "How do I put money on it?": the useful information's
				// page on it, a press away under the question.
				page := c.a.infoAbout(v)
				if p := stepPages[s.Step]; page == "" && howQuestion(v) && slices.Contains(c.a.cfg.InfoPages, p) {
					// "How do I set that up?" at the phone account: the
					// page on what the question is about.
					page = p
				}
				if page == "" {
					c.say(T("report.question_kept", "Kept", c.keepTyped(v)))
					return c.prompt(ctx, false)
				}
				title := T("info.title." + page)
				c.say(T("report.question_page", "Kept", c.keepTyped(v), "Page", title))
				if err := c.prompt(ctx, false); err != nil {
					return err
				}
				c.buttons = append(c.buttons, []Button{{Text: T("btn.info_page", "Title", title), Data: dataInfo + ":" + page}})
				return nil
			}
		}
	}
	if !button {
		rows = c.stepButtons(ctx)
		if value, ok := c.typedButton(rows, v); ok {
			v, button = value, true
		} else if skipWords[captionKey(v)] {
			// "skip" where the question has no button of that name: its
			// "I don't know", which moves on as a skip would.
			if value, ok := c.unknownButton(rows, "не знаю"); ok {
				v, button = value, true
			}
		} else if st.unknown != "" && ParseUnknown(v) && !noWords[captionKey(v)] {
			// "Не знаю" where only buttons answer and none says it: the
			// step's own "not known". (Not any "skip": under the files it
			// removes them.)
			v, button = st.unknown, true
		} else if st.max > 0 && st.max < c.a.cfg.MaxText && laterInWords(v) {
			// "I have it at home, will send later" for a number, a date,
			// a name: not known now, with where to send it once it is,
			// and the words kept for the volunteer (it says the number
			// exists). Not where a story is told, which may say "later".
			if value, ok := c.unknownButton(rows, "не знаю"); ok {
				c.keepTyped(v)
				c.say(T("input.later"))
				v, button = value, true
			}
		} else if lead, rest, ok := unknownLead(v); ok {
			// "Не знаю номер", "I don't know, maybe Texas": the press
			// of "I don't know" where the question has it, with the rest
			// kept for the volunteer when it says something. A guess at
			// the facility ("не знаю, наверное Krome") is looked up: the
			// places found are offered with "I don't know" beside them.
			if guess, ok := guessIn(v, rest); ok && s.Step == stepFacility {
				c.keepTyped(v)
				v = guess
			} else if value, ok := c.unknownButton(rows, lead); ok {
				if len(strings.Fields(rest)) > 1 && c.keepTyped(v) {
					c.say(T("input.kept"))
				}
				v, button = value, true
			}
		} else if lead, rest, ok := yesNoLead(v); ok && st.max == 0 && c.leadTaken(lead) && !noBut(lead, rest) {
			// "Yes, they said he will be deported tomorrow" under yes
			// and no: the yes, said back, the words kept for the
			// volunteer.
			if value, ok := c.typedCaption(rows, c.stepPrefix(), lead); ok {
				label, _ := c.labelOf(rows, c.stepPrefix()+value)
				c.say(T("input.read_as", "Answer", label, "Kept", c.keepTyped(v)))
				c.dateWithYes(v, value)
				v, button = value, true
			}
		} else if st.max == 0 && c.loosely() {
			// "No lawyer", "нет адвоката": the no, and nothing more said.
			if lead, ok := c.yesNoAbout(ctx, st, v); ok {
				if value, ok := c.typedCaption(rows, c.stepPrefix(), lead); ok {
					v, button = value, true
				}
			}
		}
	}
	if !button && st.max == 0 {
		// "His lawyer told us" at "who spoke of a flight?": the one
		// caption a word of the message names, said back, with the words
		// kept for the volunteer.
		value, label, ok := c.captionInText(rows, v)
		named := c.stepWordsIn(st, v)
		switch w, l, one := c.oneNamed(st, rows, named); {
		case one && (!ok || w == value || st.multi):
			// The step's words over a word of another caption: "у него
			// диабет, таблетки остались дома" is medical care, not the
			// children's "дети остались одни".
			value, label, ok = w, l, true
		case one:
			// A caption's word and the step's words name two answers:
			// the buttons tell which, those named first.
			ok, several = false, []string{value, w}
			slices.Sort(several)
		case len(named) > 1 && !st.multi:
			// "He was pulled over driving to work": a traffic stop and
			// work both named. The buttons tell which, those named first;
			// it was "Raid at work", a word of its caption.
			ok, several = false, named
		}
		if ok {
			label = unmarked(label) // "Needs medical care", not "▫️ Needs medical care"
			// Kept when it says more than the caption ("yes its urgent"
			// does not).
			words := strings.Fields(captionKey(label))
			more := 0
			for _, w := range strings.Fields(captionKey(v)) {
				if utf8.RuneCountInString(w) >= 3 && !slices.ContainsFunc(words, func(l string) bool { return sameWord(w, l) }) {
					more++
				}
			}
			c.say(T("input.read_as", "Answer", label, "Kept", more > 1 && c.keepTyped(v)))
			c.dateWithYes(v, value)
			v, button = value, true
		}
	}
	if !button && c.s.Step == stepReview && sendsReport(captionKey(v)) {
		v, button = "ok", true // "send", "отправить": the report's own word, given
	}
	if !button && c.s.Step == stepReview {
		// "Исправить дату рождения": that answer's button; "нужно
		// исправить": which one.
		switch f, change := c.reviewFieldIn(v); {
		case f != "":
			v, button = "e_"+f, true
		case change:
			c.say(T("review.which"))
			return c.prompt(ctx, false)
		}
	}
	if !button {
		if key := captionKey(v); c.s.Step == stepReview && (yesWords[key] || yesNoInWords(key) == "да" || doneWords[key]) {
			// "Да" under the review: a report is sent only by its button
			// or in so many words; say which.
			c.say(T("review.say_send"))
			return c.prompt(ctx, false)
		}
		if st.yes != "" && yesWords[captionKey(v)] {
			c.say(T(st.yes))
			return c.prompt(ctx, false)
		}
		if lead, _, ok := bareYesLead(v); ok && st.max == 0 && c.loosely() && len(several) == 0 {
			// "yes from otay mesa to adelanto": the yes, said back, the
			// words kept; it was "use the buttons".
			if value, ok := c.typedCaption(rows, c.stepPrefix(), lead); ok {
				label, _ := c.labelOf(rows, c.stepPrefix()+value)
				c.say(T("input.read_as", "Answer", label, "Kept", c.keepTyped(v)))
				c.dateWithYes(v, value)
				return c.answer(ctx, value, true)
			}
		}
		if lead, ok := bareNoLead(v); ok && st.max == 0 && (s.Step == stepPrivacy || s.Step == stepPublicity) {
			// "no he hasnt signed anything": the no, said back, the
			// words kept; it was "use the buttons".
			if value, ok := c.typedCaption(rows, c.stepPrefix(), lead); ok {
				label, _ := c.labelOf(rows, c.stepPrefix()+value)
				c.say(T("input.read_as", "Answer", label, "Kept", c.keepTyped(v)))
				return c.answer(ctx, value, true)
			}
		}
		if st.max == 0 {
			if v, ok := moreInWords(v); ok && c.offeredMore() {
				return c.answer(ctx, v, true) // "да", "not now", "позже"
			}
			if ok, err := c.a.filedNews(ctx, c); err != nil || ok {
				return err
			}
			if c.keepTyped(v) {
				c.say(T("input.kept_use_buttons"))
			} else {
				c.say(T("input.use_buttons"))
			}
			if err := c.prompt(ctx, false); err != nil {
				return err
			}
			c.buttons = c.namedFirst(c.buttons, several)
			return nil
		}
		if c.splitPart(v) {
			c.say(T("input.too_long_split", "Telegram", T("unit.chars").Plural(MaxInputText),
				"Max", T("unit.chars").Plural(st.max)))
			return c.prompt(ctx, false)
		}
		limit := st.max
		if limit == maxDate {
			// A date in a sentence ("суд назначили на 15 января, адвокат
			// сказал"), or why there is none: the date is read from it
			// and the words kept for the volunteer (dateStep).
			limit = maxDateSentence
		}
		if n := utf8.RuneCountInString(strings.TrimSpace(v)); n > limit {
			c.say(*tooLong(n, limit))
			return c.prompt(ctx, false)
		}
	}
	if button && v == skipData && c.filed() {
		return c.advance(ctx)
	}
	if button && v == keepData {
		// Only an answer there is can be kept: a required step is never
		// skipped by an old "keep" button.
		if st.answer != nil {
			ans, err := st.answer(ctx, c, false)
			if err != nil {
				return err
			}
			if ans.ID != "" {
				return c.advance(ctx)
			}
		}
		return c.prompt(ctx, false)
	}
	out, err := st.parse(ctx, c, v, button)
	if err != nil {
		return err
	}
	switch {
	case out.wrong != nil:
		if !button && s.Step != stepANumber && c.inReport() && looksLikeANumber(v) {
			// Typed ahead, or at the wrong question: say where it goes
			// rather than "couldn't read that date".
			when := "later"
			switch {
			case s.Draft.ANumber != "":
				when = "given"
			case slices.Contains(s.Back, stepANumber) || c.filed():
				when = "review"
			}
			c.say(T("parse.a_number_elsewhere", "When", when))
		} else {
			c.say(*out.wrong)
			// "He was at a Home Depot parking lot" under "when?": not
			// the answer, but what the relative wanted told; a word or
			// two is a try at the answer, not told.
			if !button && (notAnAttempt[out.wrong.ID] && len(strings.Fields(v)) >= 3 || out.wrong.ID == "parse.date_month" ||
				out.wrong.ID == "parse.date_year") &&
				!slices.ContainsFunc(c.texts, func(t Text) bool { return t.ID == "input.kept" }) && c.keepTyped(v) {
				c.say(T("input.kept"))
			}
		}
		if err := c.prompt(ctx, false); err != nil {
			return err
		}
		c.buttons = append(out.choices, c.buttons...)
		return nil
	case out.quit != nil:
		c.reset()
		c.say(*out.quit)
		c.menu()
		return nil
	case out.then != nil:
		return out.then(ctx, c)
	case out.back:
		return c.back(ctx, !out.fresh)
	case out.stay:
		if out.inPlace && c.in.Kind == KindButton { // not a caption typed for it
			c.edit = c.in.MessageID
		}
		return c.prompt(ctx, false)
	case out.edit != "":
		if c.a.steps[out.edit] == nil {
			c.say(T("button.old_step"))
			return c.prompt(ctx, false)
		}
		s.Back = append(s.Back, stepReview)
		s.Edit = out.edit
		s.Step = out.edit
		return c.prompt(ctx, true)
	case out.confirm:
		return c.confirm(ctx)
	}
	return c.advance(ctx)
}

// advance moves to the next step, or back to the review screen when one
// answer was being changed from there.
func (c *turn) advance(ctx context.Context) error {
	s := c.s
	st := c.a.steps[s.Step]
	next := st.next(c)
	if s.Edit != "" {
		if ns := c.a.steps[next]; next == stepReview || ns == nil || !ns.sub {
			return c.toReview(ctx)
		}
	}
	if !st.transient {
		s.Back = append(s.Back, s.Step)
	}
	// Completing a case filed on the urgent path: what was answered there
	// is not asked again ("Your answer: …", with "keep" and "skip the
	// question" beside a plain "skip").
	for c.filed() && s.Flow == flowReport && s.Edit == "" && next != stepReview {
		ns := c.a.steps[next]
		if ns == nil || ns.answer == nil {
			break
		}
		s.Step = next
		ans, err := ns.answer(ctx, c, false)
		if err != nil {
			return err
		}
		if ans.ID == "" {
			break
		}
		next = ns.next(c)
	}
	s.Step = next
	return c.prompt(ctx, false)
}

// toReview returns from changing an answer to the review screen.
func (c *turn) toReview(ctx context.Context) error {
	s := c.s
	if i := slices.Index(s.Back, stepReview); i >= 0 {
		s.Back = s.Back[:i]
	}
	s.Edit = ""
	s.Step = stepReview
	return c.prompt(ctx, false)
}

// back shows the previous question again, with its answer when shown is
// set.
func (c *turn) back(ctx context.Context, shown bool) error {
	s := c.s
	if len(s.Back) == 0 {
		c.say(T("back.first"))
		return c.prompt(ctx, false)
	}
	prev := s.Back[len(s.Back)-1]
	s.Back = s.Back[:len(s.Back)-1]
	if prev == stepReview {
		s.Edit = ""
	}
	s.Step = prev
	return c.prompt(ctx, shown)
}

// askResume asks whether to continue the flow or start over.
func (c *turn) askResume(intro Text) {
	c.s.Pending = pendingResume
	if !c.filed() {
		c.say(intro)
	}
	c.askPending()
}

// askPending asks the pending yes/no question.
func (c *turn) askPending() {
	s := c.s
	data := func(v string) string { return s.Nonce + ":!" + s.Pending + ":" + v }
	switch s.Pending {
	case pendingCancel:
		if c.filed() {
			// The case is stored: what goes is only what was answered
			// since ("all your answers will be deleted" was asked, of a
			// case the volunteers have).
			c.say(T("cancel.ask_filed", "Code", FormatCode(s.Draft.Filed)))
			c.buttons = [][]Button{
				{{Text: T("btn.cancel_filed_yes"), Data: data("yes")}},
				{{Text: T("btn.cancel_no"), Data: data("no")}},
			}
			return
		}
		c.say(T("cancel.ask"))
		c.buttons = [][]Button{
			{{Text: T("btn.cancel_yes"), Data: data("yes")}},
			{{Text: T("btn.cancel_no"), Data: data("no")}},
		}
	case pendingResume:
		if c.filed() && s.Step == stepMore {
			// Not begun: the offer of the questions again.
			s.Pending = ""
			c.say(T("resume.filed_more", "Code", FormatCode(s.Draft.Filed)), T("ask.more"))
			c.buttons = [][]Button{{c.opt("more", "btn.more_yes")}, {c.opt("later", "btn.more_later")}}
			return
		}
		if c.filed() {
			// The case is stored: what goes is only what was answered
			// since, not the report ("start over, answers will be
			// deleted" was offered).
			c.say(T("resume.filed", "Code", FormatCode(s.Draft.Filed), "Step", T("field."+s.Step)))
			c.buttons = [][]Button{
				{{Text: T("btn.resume_continue"), Data: data("go")}},
				{{Text: T("btn.resume_leave"), Data: data("menu")}},
			}
			return
		}
		c.say(T("resume.ask", "Step", T("field."+s.Step)))
		c.buttons = [][]Button{
			{{Text: T("btn.resume_continue"), Data: data("go")}},
			{{Text: T("btn.resume_over"), Data: data("new")}},
		}
	}
}

// pendingAnswer runs the answer to a pending yes/no question.
func (c *turn) pendingAnswer(ctx context.Context, v string) error {
	s := c.s
	switch s.Pending + "/" + v {
	case pendingCancel + "/yes":
		done := T("cancel.done")
		if c.filed() {
			done = T("cancel.done_filed", "Code", FormatCode(s.Draft.Filed))
		}
		c.reset()
		c.say(done)
		c.menu()
		return nil
	case pendingCancel + "/no", pendingResume + "/go":
		s.Pending = ""
		return c.prompt(ctx, false)
	case pendingResume + "/menu":
		c.reset()
		c.say(T("menu.choose"))
		c.menu()
		return nil
	case pendingResume + "/new":
		c.startReport()
		c.say(T("resume.restarted"))
		return c.prompt(ctx, false)
	}
	c.say(T("button.old"))
	return c.show(ctx)
}

// home shows a member their home (hooks.home) instead of the relatives'
// menu; false for anyone else.
func (c *turn) home(ctx context.Context) (bool, error) {
	if c.a.hooks.home == nil {
		return false, nil
	}
	return c.a.hooks.home(ctx, c)
}

// startReport begins a new report draft. Its ID makes storing it idempotent
// and its nonce tells this flow's buttons from older ones.
func (c *turn) startReport() {
	s := c.s
	s.Flow = flowReport
	s.Step = reportFirst
	s.Back = nil
	s.Pending = ""
	s.Edit = ""
	s.Nonce = nonceOf(c.a.d.NewID())
	s.Draft = Report{DraftID: c.a.d.NewID()}
}

// reset leaves the flow for the main menu, discarding the draft.
func (c *turn) reset() {
	*c.s = Session{ChatID: c.s.ChatID, Lang: c.s.Lang, LangChosen: c.s.LangChosen, Updated: c.s.Updated}
	c.left = true
}

// menu puts the main menu's buttons under the reply.
func (c *turn) menu() {
	other := Button{Label: "English", Data: dataLang + ":en"}
	if c.s.Lang == "en" {
		other = Button{Label: "Русский", Data: dataLang + ":ru"}
	}
	c.buttons = [][]Button{
		{{Text: T("btn.menu_report"), Data: dataMenu + ":report"}},
		{{Text: T("btn.menu_check"), Data: dataMenu + ":check"}},
		{{Text: T("btn.menu_volunteer"), Data: dataMenu + ":volunteer"}},
		{{Text: T("btn.menu_news"), Data: dataMenu + ":news"}},
		{{Text: T("btn.menu_checkin"), Data: dataMenu + ":checkin"}},
		{{Text: T("btn.menu_info"), Data: dataMenu + ":info"}},
		{other},
	}
}

// menuAction runs a main-menu button. Such buttons stay on old messages;
// inside a flow, none of them discards the draft.
func (c *turn) menuAction(ctx context.Context, action string) error {
	s := c.s
	if fn := c.a.hooks.menu[action]; fn != nil {
		return fn(ctx, c)
	}
	switch action {
	case "report", "menu":
		if s.Flow != "" {
			c.askResume(T("resume.unfinished"))
			return nil
		}
		if action == "menu" {
			if ok, err := c.home(ctx); ok || err != nil {
				return err
			}
			c.say(T("menu.choose"))
			c.menu()
			return nil
		}
		c.startReport()
		return c.prompt(ctx, false)
	default:
		c.say(T("button.old"))
	}
	return c.show(ctx)
}
