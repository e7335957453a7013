package flows

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"time"
)

// Config holds the flows' settings.
type Config struct {
	BotUsername string        // for share links: https://t.me/<BotUsername>?start=c_<CODE>
	ResumeAfter time.Duration // silence after which a flow first asks to continue; default 24h
	DraftRemind time.Duration // a report left unsent so long after its last answer is reminded of, once; default 1h
	MaxText     int           // cap on a free-text answer, in characters; default 1000
	Admins      []int64       // Telegram user ids of the admins (HOTLINE_ADMINS)

	HandoffRemind   time.Duration // a volunteer's silence before a reminder; default 10m
	HandoffReturn   time.Duration // further silence before the chat goes back to the queue; default 10m
	HandoffEscalate time.Duration // a wait in the queue after which coordinators are told; default 15m
	InviteTTL       time.Duration // how long a volunteer invite link works; default 72h
	MaxChats        int           // chats a coordinator or admin may hold at once (volunteers: 1); default 3

	CaseEscalate       time.Duration // an untaken case goes again to coordinators after it; default 30m
	CaseEscalateUrgent time.Duration // the same for an urgent case; default 10m
	CaseQuiet          time.Duration // a case without events for so long is quiet on the board; default 7 days

	InfoPages []string // the useful-information topics, in order (locales.Catalog.InfoPages)
	// InfoWords are, per topic, the beginnings of words that name it in a
	// question (locales.Catalog.InfoWords).
	InfoWords map[string][]string
	Phone     string // the hotline's phone for people to call, HOTLINE_PHONE; "" when none
	Hours     string // when the phone answers, HOTLINE_HOURS

	CheckinGrace time.Duration // silence after "are you out?" before it is asked again, and again before the alarm; default 2h

	// ForumChat is the team's supergroup with topics, HOTLINE_FORUM_CHAT:
	// when set, new cases go to a topic each there instead of members'
	// private chats (forum.go); 0 for none.
	ForumChat int64
	ForumLang string // the language of what the bot writes in the forum; default "en"

	// Zone is where the day is that "today", "вчера", "завтра", "on
	// Monday" mean, and the day a date is past or due in: where most of
	// those who write to the hotline live, HOTLINE_TIME_ZONE; default UTC.
	// (In UTC, "задержали сегодня" typed at 6 pm in California was the
	// next day.)
	Zone *time.Location
}

// Deps are what the flows need from outside, grouped by feature. Every
// store is required: a feature is never switched off by a missing one (New
// refuses), so a wiring slip cannot silently remove the handoff or the
// audit trail.
type Deps struct {
	Sessions   Sessions
	Drafts     Drafts // reports begun and not sent, for their reminder
	Cases      Cases
	Facilities Facilities
	Roles      Roles            // hotline members; default Handoff.Volunteers
	Now        func() time.Time // default time.Now
	NewID      func() string    // random IDs for drafts and button nonces; default 128 random bits

	HandoffDeps
	StatusDeps
	CaseworkDeps
	ToolsDeps
	CheckinDeps
	ForumDeps

	// Audit records who viewed or changed which case.
	Audit Audit
	// Labels gives a button's caption as the user sees it, so that a typed
	// caption can be read as the press of its button.
	Labels Labels
}

// HandoffDeps are what the volunteer handoff needs.
type HandoffDeps struct {
	Volunteers Volunteers // members, their preferences and invites
	Queue      Queue      // the handoff's queue and pairings
	Handoffs   Handoffs   // the handoffs' history
	CaseFiles  CaseFiles  // full cases for /case
	Threads    Threads    // relayed copies and their originals, for threaded replies
}

// StatusDeps are what case status needs.
type StatusDeps struct {
	Timeline      Timeline      // status timelines
	Subscriptions Subscriptions // who is told of a case's changes
	Reporters     Reporters     // /mycases and /forget
	Limiter       Limiter       // lookups of case codes
	// FindLimiter limits volunteers' /find, apart from the public
	// lookups: a searched A-number is a probe into who is detained.
	FindLimiter Limiter
}

// check names the first dependency that is missing.
func (d Deps) check() error {
	for _, dep := range []struct {
		name  string
		value any
	}{
		{"Sessions", d.Sessions}, {"Drafts", d.Drafts}, {"Cases", d.Cases}, {"Facilities", d.Facilities},
		{"Volunteers", d.Volunteers}, {"Queue", d.Queue}, {"Handoffs", d.Handoffs},
		{"CaseFiles", d.CaseFiles}, {"Threads", d.Threads},
		{"Timeline", d.Timeline}, {"Subscriptions", d.Subscriptions},
		{"Reporters", d.Reporters}, {"Limiter", d.Limiter}, {"FindLimiter", d.FindLimiter}, {"Audit", d.Audit},
		{"Casework", d.Casework}, {"Cards", d.Cards},
		{"Duplicates", d.Duplicates}, {"Transcripts", d.Transcripts}, {"Outreach", d.Outreach},
		{"CaseTools", d.CaseTools},
		{"Offices", d.Offices}, {"Checkins", d.Checkins}, {"Forum", d.Forum}, {"Labels", d.Labels},
	} {
		if isNil(dep.value) {
			return fmt.Errorf("flows: %s is missing", dep.name)
		}
	}
	return nil
}

// isNil reports whether v is nil or an interface holding a nil pointer.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// App runs the bot's conversations: the main menu and the report flow.
type App struct {
	cfg   Config
	d     Deps
	steps map[string]*step
	hooks hooks
	// started is when this process's App was made: a check-in's alarm
	// that came due while the bot was down waits a moment after it.
	started time.Time
}

// New returns an App; zero Config fields take their defaults. It returns an
// error when a dependency is missing.
func New(cfg Config, d Deps) (*App, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	if cfg.ResumeAfter <= 0 {
		cfg.ResumeAfter = 24 * time.Hour
	}
	if cfg.MaxText <= 0 {
		cfg.MaxText = 1000
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if cfg.Zone == nil {
		cfg.Zone = time.UTC
	}
	// The flows' clock reads in the zone: the same instants, and the
	// calendar day of a time is the zone's (today, ReadDate).
	now, zone := d.Now, cfg.Zone
	d.Now = func() time.Time { return now().In(zone) }
	if d.NewID == nil {
		d.NewID = randomID
	}
	if cfg.HandoffRemind <= 0 {
		cfg.HandoffRemind = 10 * time.Minute
	}
	if cfg.HandoffReturn <= 0 {
		cfg.HandoffReturn = 10 * time.Minute
	}
	if cfg.HandoffEscalate <= 0 {
		cfg.HandoffEscalate = 15 * time.Minute
	}
	if cfg.InviteTTL <= 0 {
		cfg.InviteTTL = 72 * time.Hour
	}
	if cfg.MaxChats <= 0 {
		cfg.MaxChats = 3
	}
	if cfg.CaseEscalate <= 0 {
		cfg.CaseEscalate = 30 * time.Minute
	}
	if cfg.CaseEscalateUrgent <= 0 {
		cfg.CaseEscalateUrgent = 10 * time.Minute
	}
	if cfg.CaseQuiet <= 0 {
		cfg.CaseQuiet = 7 * 24 * time.Hour
	}
	if cfg.DraftRemind <= 0 {
		cfg.DraftRemind = time.Hour
	}
	if cfg.CheckinGrace <= 0 {
		cfg.CheckinGrace = 2 * time.Hour
	}
	if cfg.ForumLang == "" {
		cfg.ForumLang = "en"
	}
	if d.Roles == nil {
		d.Roles = d.Volunteers
	}
	a := &App{cfg: cfg, d: d, started: d.Now()}
	a.steps = make(map[string]*step)
	for _, st := range append(append(reportSteps(a), factSteps(a)...), saidStep(a), filesStep()) {
		a.steps[st.name] = st
	}
	a.hooks = newHooks()
	a.registerHandoff()
	a.registerStatus()
	a.registerAudit()
	a.registerCasework()
	a.registerInfo()
	a.registerTools()
	a.registerCheckin()
	a.registerForum()
	// Last: text at the menu that nothing above took may be a reporter's
	// news, about a case someone follows, or, from a person whose ICE
	// check-in is going on, about that; else, telling of a release, what
	// may come after it; naming a topic of the useful information, its
	// page; putting someone at a detention facility, the offer to report it.
	a.hooks.menuText = append(a.hooks.menuText, a.newsInWords, a.followerSaid, a.duringCheckin, releasedAtMenu,
		a.namedTopic, a.facilityAtMenu)
	return a, nil
}

// commandAliases are the commands typed in Russian after their slash
// ("/статус", "/отмена"), which Telegram's menu cannot offer but people
// type: the commands they name. They were "unknown command".
var commandAliases = map[string]string{
	"старт": "start", "начать": "start", "меню": "menu", "помощь": "help", "справка": "help", "назад": "back",
	"отмена": "cancel", "отменить": "cancel", "язык": "language", "забыть": "forget", "удалить": "forget",
	"новости": "news", "стоп": "stop", "статус": "status", "заметка": "note", "дела": "cases", "дело": "case",
	"очередь": "queue", "следующий": "next", "взять": "take", "найти": "find", "поиск": "find",
	"дежурство": "duty", "статистика": "stats", "вернуть": "release", "готово": "done", "конец": "done",
	"имя": "name", "дата": "date", "передать": "handover", "написать": "write",
}

// CommandAliases returns the commands typed in Russian and the commands
// they name.
func CommandAliases() map[string]string { return maps.Clone(commandAliases) }

// Handle runs one input through the chat's conversation and returns the
// replies to send. It reads the session once and writes it once, last,
// after any case is stored; storing a case is idempotent by the draft's ID.
// So a returned error always means storage failed (transient, nothing the
// user did wrong): the caller may tell the user with the "error.temporary"
// text and handle the same input again later, which then has the effect it
// would have had the first time, never a double one.
//
// Inputs from anything but a private chat get no reply: a relative's report
// must not be read by a group. The team's forum is the one group the bot
// works in (forum.go).
func (a *App) Handle(ctx context.Context, in Input) ([]Reply, error) {
	if alias, ok := commandAliases[in.Command]; ok && in.Kind == KindCommand {
		in.Command = alias // "/статус": /status
	}
	if a.forumOn() && in.ChatID == a.cfg.ForumChat {
		return a.forumInput(ctx, in)
	}
	if in.Edited {
		// An edit changes nothing the bot was told; in a conversation it
		// is shown to the other side (edits.go).
		return a.edited(ctx, in)
	}
	if in.ChatType != "" && in.ChatType != "private" {
		return nil, nil
	}
	s, err := a.d.Sessions.Get(ctx, in.ChatID)
	switch {
	case errors.Is(err, ErrNotFound):
		s = &Session{ChatID: in.ChatID}
	case err != nil:
		return nil, fmt.Errorf("load session %d: %w", in.ChatID, err)
	}
	if s.Lang == "" {
		s.Lang = Lang(in.LangCode)
	}
	c := &turn{a: a, s: s, in: in, now: a.d.Now()}
	draft := s.Draft.DraftID
	if err := c.run(ctx); err != nil {
		return nil, err
	}
	if s.Flow == flowReport && s.Draft.DraftID != draft && s.Draft.Filed == "" {
		// A report begun: reminded of if it is left unsent (drafts.go).
		if err := a.d.Drafts.Watch(ctx, in.ChatID, c.now.Add(a.cfg.DraftRemind)); err != nil {
			return nil, fmt.Errorf("watch draft of %d: %w", in.ChatID, err)
		}
	}
	// A feature that keeps its own state leaves the session unsaved —
	// unless it held words kept for the button pressed next (Typed,
	// Surname): forgotten now, which must last.
	if c.drop && !c.left && c.typed == "" && c.surname == "" {
		return c.replies(), nil
	}
	s.Updated = c.now
	if err := a.d.Sessions.Put(ctx, s); err != nil {
		return nil, fmt.Errorf("save session %d at %s/%s: %w", in.ChatID, s.Flow, s.Step, err)
	}
	return c.replies(), nil
}

// Lang picks the bot's language for a Telegram language_code: Russian for
// people from countries where Russian is widely read, English otherwise.
func Lang(telegramCode string) string {
	base := strings.ToLower(strings.TrimSpace(telegramCode))
	if i := strings.IndexAny(base, "-_"); i >= 0 {
		base = base[:i]
	}
	switch base {
	case "ru", "uk", "be", "kk", "ky", "uz", "hy", "az", "ka", "tg":
		return "ru"
	}
	return "en"
}

// randomID returns 128 random bits in hex.
func randomID() string {
	var b [16]byte
	// crypto/rand.Read never returns an error; it crashes the program if the
	// system's randomness is broken.
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// nonceOf shortens a random ID to 8 characters for callback data, which
// Telegram limits to 64 bytes. Hashing first keeps the nonce random even
// when IDs share a prefix (time-ordered IDs do).
func nonceOf(id string) string {
	sum := sha256.Sum256([]byte(id))
	return strings.ToLower(base32.StdEncoding.EncodeToString(sum[:5]))
}
