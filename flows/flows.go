// Package flows is the hotline's domain: the conversations the bot runs and the
// small interfaces they need from storage. It imports no Telegram, SQL or Redis
// package; it reads Inputs and returns Replies made of message IDs plus data,
// which the bot renders with the locales.
package flows

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by stores when the thing asked for does not exist.
var ErrNotFound = errors.New("not found")

// Kind says what a user did.
type Kind int

// Kinds of input.
const (
	KindText    Kind = iota // a text message
	KindCommand             // a /command, with its argument in Text
	KindButton              // an inline button pressed; its data in Data
	KindMedia               // a photo, sticker, voice, document… (caption in Text)
)

// Input is one thing a user did in a chat.
type Input struct {
	UpdateID  int64
	ChatID    int64
	UserID    int64
	ChatType  string // private, group, supergroup, channel
	LangCode  string // the sender's Telegram language_code
	Kind      Kind
	Text      string // message text or caption; for a command, its argument
	Command   string // lower-case, without the slash and @botname
	Data      string // callback data of a pressed button
	MessageID int    // the user's message, or the bot message whose button was pressed
	ReplyTo   int    // the message in this chat that the user's message replies to, 0 for none
	ThreadID  int    // the forum topic the message is in (forum.go), 0 for none
	Edited    bool   // the user edited their message MessageID; it now reads Text
	Media     string // photo, sticker, voice, video, document, location, contact, …
	Group     string // the album (Telegram's media group) a photo or video was sent in, "" for none
	At        time.Time
}

// Text is one localisable piece of a reply: a message ID in locales/ and the
// values its template uses. String values are what users typed and are escaped
// by the renderer; a Text value is localised in the reply's language; a
// []Text value is localised and joined with newlines. Count, when not nil,
// selects the plural form.
type Text struct {
	ID    string
	Data  map[string]any
	Count any
}

// T builds a Text from a message ID and key/value pairs.
func T(id string, kv ...any) Text {
	t := Text{ID: id}
	if len(kv) > 0 {
		t.Data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			t.Data[kv[i].(string)] = kv[i+1]
		}
	}
	return t
}

// Plural returns t with the count that selects its plural form. The count is
// also available to the template as .Count.
func (t Text) Plural(n int) Text {
	t.Count = n
	if t.Data == nil {
		t.Data = map[string]any{}
	}
	t.Data["Count"] = n
	return t
}

// Button is an inline keyboard button. Its caption is Text, localised, or
// Label, shown as is (a facility name, a transliteration). Data is the
// callback data (at most 64 bytes); URL makes it a link button instead.
type Button struct {
	Text  Text
	Label string
	Data  string
	URL   string
}

// Labels renders a button's caption in a language (the locales catalog).
type Labels interface {
	Button(lang string, t Text) string
}

// Priority orders outgoing messages when Telegram's limits are the bottleneck.
type Priority int

// Priorities, most urgent first.
const (
	PriorityReply  Priority = iota // an answer in a conversation
	PriorityNotice                 // a notification the user did not just ask for
)

// Reply is one message for the bot to send, or an edit of one it sent.
type Reply struct {
	ChatID   int64
	Lang     string
	Texts    []Text // rendered in Lang and joined with blank lines
	Buttons  [][]Button
	Edit     int // when not 0, edit this bot message instead of sending a new one
	Priority Priority
	// Copy, when set, relays a user's message with copyMessage instead of
	// sending Texts.
	Copy *Copy
	// Protect sends it with Telegram's protect_content: it cannot be
	// forwarded or saved. Case cards and relayed messages, which hold
	// personal data, are protected.
	Protect bool
	// Commands, when set, also sets the chat's command menu in Telegram to
	// the commands of this role (CommandsFor): a member sees theirs.
	Commands *Role
	// Join lets it go out as one message with the chat's other waiting Join
	// messages, when more wait than Telegram lets a chat get (case cards for
	// a volunteer on duty while many reports come in). Its buttons must say
	// which case they act on.
	Join bool
	// Tag, on a new message, asks to be told (App.Sent) which message it
	// became: an announced case card, which is redrawn when the case
	// changes hands, or a member's notice about a case, to which a reply
	// is about that case (cards.go).
	Tag string
	// Redraw, on an edit, leaves the message as it was when the new text
	// no longer fits one message, rather than sending it anew.
	Redraw bool
	// Topic, when set, puts the reply in a case's topic of the team's forum
	// (ChatID is the forum's): a message or a copy there, or one of the
	// topic's own operations (forum.go).
	Topic *Topic
}

// Copy names a message to relay with copyMessage.
type Copy struct {
	FromChatID int64
	MessageID  int
	ReplyTo    int // message in the target chat to reply to, 0 for none
}

// Threads knows which relayed copy came from which message, so that a reply
// to one is relayed as a reply to the other.
type Threads interface {
	// Counterpart returns the other message of a relayed pair: the
	// original of a copy, or the copy of an original. ErrNotFound when the
	// message was not relayed, or so long ago that it is forgotten.
	Counterpart(ctx context.Context, chatID int64, messageID int) (int64, int, error)
}

// Session is one chat's conversation state: which flow and step it is at and
// the answers so far. It lives in Redis with a TTL; keep it small.
type Session struct {
	ChatID int64  `json:"c"`
	Lang   string `json:"l,omitempty"`
	// LangChosen: the user chose Lang (a button, /language); until then
	// Russian typed at the main menu switches an English chat to Russian.
	LangChosen bool        `json:"lc,omitempty"`
	Flow       string      `json:"f,omitempty"` // "" when at the main menu
	Step       string      `json:"s,omitempty"`
	Back       []string    `json:"b,omitempty"` // steps answered so far, for /back
	Nonce      string      `json:"n,omitempty"` // marks this flow's buttons; old buttons carry another
	Pending    string      `json:"p,omitempty"` // a question awaiting yes/no: "cancel", "resume"
	Edit       string      `json:"e,omitempty"` // when changing one answer from the review screen
	Draft      Report      `json:"d"`
	Update     *CaseUpdate `json:"cu,omitempty"` // a volunteer's case update in the making (status.go)
	// Said is the message typed at the main menu that read like a report
	// ("my sister was taken"): a volunteer the chat then asks for sees it.
	Said int `json:"sd,omitempty"`
	// SaidFile says Said is a photo, a document or a voice message: a
	// report begun then keeps it among its files (files.go).
	SaidFile bool `json:"sf,omitempty"`
	// SaidText is Said's text, when it was text: a report begun then
	// keeps it among the words for the volunteer ("брата завтра
	// депортируют, он в Krome" was lost when the relative chose to report).
	SaidText string `json:"st,omitempty"`
	// SaidMore are the other photos of an album sent with Said, and Album
	// the last album seen: its photos after the first are kept without a
	// reply each.
	SaidMore []int  `json:"sm,omitempty"`
	Album    string `json:"al,omitempty"`
	// Long is when a text at Telegram's limit arrived at this step: the
	// parts that follow within a moment are the same message, split by
	// Telegram, and share its refusal.
	Long     time.Time `json:"lg,omitempty"`
	LongStep string    `json:"ls,omitempty"`
	Updated  time.Time `json:"u"`

	Checkin *CheckinDraft `json:"ck,omitempty"` // a check-in being registered (checkin.go)
	// ContactsShown is when the trusted contacts' screen of a check-in was
	// last shown: words typed soon after answer it (contactsInWords).
	ContactsShown time.Time `json:"cs,omitzero"`
	// Known is the code of an open case with the A-number the reporter
	// just gave, reported by someone else: the report offers to send news
	// to it instead.
	Known string `json:"kn,omitempty"`
	// Viewed is the case whose status the chat was last shown: its
	// "notify me" and "stop" may be typed as well as pressed.
	Viewed string `json:"vw,omitempty"`
	// NewsNote is what a reporter typed at the main menu, offered to be
	// sent as news of their case (newsInWords).
	NewsNote string `json:"nn,omitempty"`
	// Offer is the data of the one button a reply at the main menu
	// offered ("add +1 786 555 0199 as a trusted contact?"): a "да" typed
	// next presses it; any other input forgets it. For /forget's question
	// (offerForget), a "да" is told to press the button.
	Offer string `json:"of,omitempty"`
	// Typed is what a volunteer typed after /note or /status without a
	// case's code, kept for the button that says which case it is about
	// (whichCase); a note is personal data of the case, as Draft is.
	// Any other input forgets it, as Offer.
	Typed string `json:"ty,omitempty"`
	// Surname is the word typed after a one-word name, which the report
	// asks about ("is Петров the surname?"), kept for the button that
	// joins the two; any other input forgets it.
	Surname string `json:"sn,omitempty"`
}

// Sessions stores conversation state.
//
// Deferred writes: a method marked "Deferred" may hold its write back until
// the update being handled is committed (with the update's acknowledgement
// and replies, all or nothing). While handling that update, nothing may read
// back what such a method wrote: a Get after a Put in the same update sees
// the old value. Handle reads the session once, first, and writes it once,
// last, for this reason.
type Sessions interface {
	// Get returns the chat's session or ErrNotFound.
	Get(ctx context.Context, chatID int64) (*Session, error)
	// Put saves the session and renews its TTL. Deferred.
	Put(ctx context.Context, s *Session) error
	// Delete forgets the chat's session. Deferred: a Get in the same
	// update still finds the session.
	Delete(ctx context.Context, chatID int64) error
}

// Drafts remembers the chats with a report begun and not sent, each with
// when its reminder is due (DraftTick).
type Drafts interface {
	// Watch makes the chat's draft due at due.
	Watch(ctx context.Context, chatID int64, due time.Time) error
	// Due returns up to n chats whose drafts are due by now.
	Due(ctx context.Context, now time.Time, n int64) ([]int64, error)
	// Claim takes a draft due by now for its reminder, leaving it due
	// again at until in case the reminder is not sent; false when it is
	// not due.
	Claim(ctx context.Context, chatID int64, now, until time.Time) (bool, error)
	// Forget stops watching the chat's draft.
	Forget(ctx context.Context, chatID int64) error
}

// Report is a detention report: the draft while a relative fills it in, and
// what is stored when they confirm. Empty means not answered or unknown.
type Report struct {
	DraftID string `json:"id,omitempty"` // random; makes storing the report idempotent

	Consent      bool   `json:"ok,omitempty"`
	NameLatin    string `json:"nl,omitempty"`
	NameCyrillic string `json:"nc,omitempty"`
	BirthDate    string `json:"bd,omitempty"` // YYYY-MM-DD
	BirthCountry string `json:"bc,omitempty"`
	Citizenship  string `json:"ct,omitempty"`
	ANumber      string `json:"an,omitempty"` // nine digits; "" when unknown

	DetainedOn       string `json:"dd,omitempty"` // YYYY-MM-DD
	Circumstance     string `json:"ci,omitempty"` // checkin, border, raid_home, raid_work, traffic, other
	CircumstanceNote string `json:"cn,omitempty"`

	FacilityID    int64  `json:"fi,omitempty"` // 0 when not from the directory
	FacilityText  string `json:"ft,omitempty"` // what the relative typed when not in the list
	FacilityShare bool   `json:"fs,omitempty"` // may people with the case code see the facility

	HasLawyer   bool   `json:"hl,omitempty"`
	LawyerName  string `json:"ln,omitempty"`
	LawyerPhone string `json:"lp,omitempty"`
	HearingDate string `json:"hd,omitempty"` // YYYY-MM-DD
	Appeals     string `json:"ap,omitempty"`
	// FlightDate is the day of the flight or the deportation that the
	// words about the flight name ("завтра, в Россию"), YYYY-MM-DD: stored
	// as the case's deportation date, with its reminders.
	FlightDate string `json:"fl,omitempty"`
	// OfficeLabel names the ICE office of the check-in (Facts.Office) on
	// the case's card: "Chicago, IL". Set when the case is stored.
	OfficeLabel string `json:"-"`

	Urgent []string `json:"ur,omitempty"` // deportation, flight, medical, children

	ReporterName  string `json:"rn,omitempty"`
	Relationship  string `json:"rr,omitempty"`
	ReporterPhone string `json:"rc,omitempty"` // phone, e-mail or @username

	Facts Facts `json:"fx,omitempty"` // what decides whether a deportation can be stopped (facts.go)

	// Filed is the code of the case the urgent path stored; the rest of the
	// questions, all optional, then complete that case.
	Filed string `json:"fd,omitempty"`

	// Removed are the files the reporter removed on the review; completing
	// a filed case takes them off it (they were filed with it), unless they
	// were sent again.
	Removed []int `json:"rm,omitempty"`

	// FiledBy is the volunteer filing the report for a caller who phoned
	// (/newcase); 0 for a report from the reporter.
	FiledBy int64 `json:"fb,omitempty"`

	// Set by the bot, not asked.
	ReporterChatID int64  `json:"-"`
	ReporterUserID int64  `json:"-"`
	Lang           string `json:"-"`
}

// Case is a stored report as the reporter knows it.
type Case struct {
	ID      int64
	Code    string // e.g. K7M4Q9XP; shown as K7M4-Q9XP
	Created time.Time
}

// Cases stores detention reports.
type Cases interface {
	// Create stores the report and returns its case. Storing the same
	// DraftID again returns the case stored the first time.
	Create(ctx context.Context, r *Report) (Case, error)
	// Complete stores the answers of a report whose case the urgent path
	// filed (r.Filed, found by r.DraftID): every field is replaced by the
	// report's, the status timeline is kept, and so are the files the case
	// got meanwhile, less those in r.Removed. ErrNotFound when the case is
	// gone (erased at the reporter's request).
	Complete(ctx context.Context, r *Report) error
	// AddFiles adds files the reporter sent after the report, by their
	// message IDs in the reporter's chat, to the case's (Facts.Files), up
	// to MaxCaseFiles; a case erased keeps none.
	AddFiles(ctx context.Context, caseID int64, files []int) error
}

// Facility is a detention facility from the directory.
type Facility struct {
	ID    int64
	Code  string // ICE facility code, may be empty
	Name  string // readable case: "Eloy Federal Contract Facility"
	City  string // readable case
	State string // two letters
	// Staging is a staging facility or a hold room (Alexandria, Florence,
	// Mesa AROCC…): people are often moved there shortly before a
	// deportation flight.
	Staging bool
}

// Facilities is the directory of detention facilities.
type Facilities interface {
	// Match returns up to n facilities that best match what a relative
	// typed, best first; Cyrillic is transliterated before matching.
	Match(ctx context.Context, query string, n int) ([]Facility, error)
	// Get returns one facility or ErrNotFound.
	Get(ctx context.Context, id int64) (Facility, error)
}
