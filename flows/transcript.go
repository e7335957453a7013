package flows

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The relayed conversation is part of the case: every message between the
// hotline and the reporter that goes through the bot in a chat linked to a
// case is kept with it (the text, or for media its kind and caption),
// encrypted, so that the next volunteer — after /release, a hand-over or a
// shift — reads it with /case → "Conversation" and the relative never has
// to tell everything again. /forget and the retention purge erase it.

// CaseMessage is one relayed message kept with a case.
type CaseMessage struct {
	CaseCode      string // the case of the chat; the store finds it
	FromVolunteer bool
	Volunteer     int64  // the volunteer of the chat
	Kind          string // "text", or the media's kind: photo, voice, document, …
	Text          string // the text or the caption
	// Key makes keeping idempotent: the same update handled again keeps
	// the message once.
	Key string
	At  time.Time
}

// Transcripts keeps the relayed conversations with their cases.
type Transcripts interface {
	// Add keeps a message; ErrNotFound when the case does not exist.
	Add(ctx context.Context, m CaseMessage) error
	// Page returns the case's messages (and those of the cases merged
	// into it), oldest first, skipping skip and returning at most limit,
	// with how many there are.
	Page(ctx context.Context, caseID int64, skip, limit int) ([]CaseMessage, int, error)
}

// kindEdit is the kind of a kept message that is the edit of an earlier one.
const kindEdit = "edit"

// transcriptPage is how many messages a page of the conversation shows.
const transcriptPage = 10

// keepMessage keeps the message of c with the case of the chat. A chat
// without a case keeps nothing: there is nothing to keep it with.
func (a *App) keepMessage(ctx context.Context, c *turn, caseCode string, fromVolunteer bool, volunteer int64) error {
	if caseCode == "" {
		return nil
	}
	kind := "text"
	if c.in.Kind == KindMedia {
		kind = c.in.Media
		if kind == "" {
			kind = "media"
		}
	}
	key := "m:" + strconv.FormatInt(c.in.ChatID, 10) + ":" + strconv.Itoa(c.in.MessageID)
	if c.in.Edited {
		// An edit is kept beside the message it corrects, once for each
		// text it was given.
		kind = kindEdit
		sum := sha256.Sum256([]byte(c.in.Text))
		key = "e" + key[1:] + ":" + hex.EncodeToString(sum[:8])
	}
	err := a.d.Transcripts.Add(ctx, CaseMessage{CaseCode: caseCode, FromVolunteer: fromVolunteer,
		Volunteer: volunteer, Kind: kind, Text: c.in.Text, Key: key, At: c.now})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("keep message %d of %d with its case: %w", c.in.MessageID, c.in.ChatID, err)
	}
	if fromVolunteer || c.in.Edited || !slices.Contains(keptMedia, c.in.Media) || c.in.MessageID == 0 {
		return nil
	}
	// A photo or document the reporter sent in the conversation joins the
	// case's files, for the volunteers after this one; another person's
	// is not kept with someone else's case (their /forget would not
	// reach it).
	v, err := a.d.Casework.View(ctx, caseCode)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("case of message %d of %d: %w", c.in.MessageID, c.in.ChatID, err)
	}
	if v.Erased || v.ReporterChat != c.in.ChatID {
		return nil
	}
	if err := a.d.Cases.AddFiles(ctx, v.ID, []int{c.in.MessageID}); err != nil {
		return fmt.Errorf("file %d of %d with its case: %w", c.in.MessageID, c.in.ChatID, err)
	}
	return nil
}

// transcriptButtons is the card's button to the conversation.
func transcriptButtons(code string) [][]Button {
	return [][]Button{{{Text: T("btn.tools_transcript"), Data: dataTools + ":" + actTranscript + ":" + code + ":0"}}}
}

// transcriptButton shows a page of a case's conversation: "<code>:<skip>".
func (a *App) transcriptButton(ctx context.Context, c *turn, m *member, rest string) error {
	raw, v, _ := strings.Cut(rest, ":")
	skip, err := strconv.Atoi(v)
	code, ok := NormalizeCode(raw)
	if err != nil || skip < 0 || !ok {
		m.say(T("button.old"))
		return nil
	}
	if ok, err := a.mayView(ctx, m, code); err != nil || !ok {
		return err
	}
	st, err := a.d.Timeline.Status(ctx, code)
	switch {
	case errors.Is(err, ErrNotFound):
		m.say(T("update.not_found"))
		return nil
	case err != nil:
		return fmt.Errorf("case for the conversation by %d: %w", m.UserID, err)
	}
	ms, total, err := a.d.Transcripts.Page(ctx, st.CaseID, skip, transcriptPage)
	if err != nil {
		return fmt.Errorf("conversation of case %d: %w", st.CaseID, err)
	}
	if err := a.audit(ctx, c, AuditEntry{Action: AuditTranscript, CaseID: st.CaseID}); err != nil {
		return err
	}
	if total == 0 {
		m.say(T("tools.transcript_empty", "Code", FormatCode(code)))
		return nil
	}
	if skip >= total {
		skip = max(total-transcriptPage, 0)
		if ms, total, err = a.d.Transcripts.Page(ctx, st.CaseID, skip, transcriptPage); err != nil {
			return fmt.Errorf("conversation of case %d: %w", st.CaseID, err)
		}
	}
	lines := make([]Text, 0, len(ms))
	for _, msg := range ms {
		lines = append(lines, transcriptLine(msg))
	}
	m.say(T("tools.transcript", "Code", FormatCode(code), "From", skip+1, "To", skip+len(ms), "Lines", lines).Plural(total))
	var row []Button
	if skip > 0 {
		row = append(row, Button{Text: T("btn.tools_earlier"),
			Data: dataTools + ":" + actTranscript + ":" + code + ":" + strconv.Itoa(max(skip-transcriptPage, 0))})
	}
	if skip+len(ms) < total {
		row = append(row, Button{Text: T("btn.tools_later"),
			Data: dataTools + ":" + actTranscript + ":" + code + ":" + strconv.Itoa(skip+len(ms))})
	}
	if row != nil {
		m.buttons = [][]Button{row}
	}
	return nil
}

// transcriptLine is one message of the conversation as volunteers read it.
func transcriptLine(m CaseMessage) Text {
	who := T("tools.from_reporter")
	if m.FromVolunteer {
		who = T("tools.from_volunteer", "ID", m.Volunteer)
	}
	at := m.At.UTC().Format("2006-01-02 15:04")
	switch m.Kind {
	case "text":
	case kindEdit:
		return T("tools.line_edited", "At", at, "Who", who, "Text", m.Text)
	default:
		return T("tools.line_media", "At", at, "Who", who, "Kind", m.Kind, "Text", m.Text)
	}
	return T("tools.line", "At", at, "Who", who, "Text", m.Text)
}
