package flows

import (
	"context"
	"slices"
	"strings"
)

// Files sent during a report. A relative's first answer is often a photo:
// the notice ICE gave, the A-number on a paper, a voice message. They are
// kept for the volunteer as the message IDs in the reporter's chat
// (Facts.Files), never as files: the volunteer who may see the case gets
// them copied from there, and the reporter can delete them in Telegram.

// stepFiles is the review screen's line of the files, where the reporter
// may remove them. No question leads to it.
const stepFiles = "files"

// keptMedia are the kinds of message kept as a report's files: not
// stickers, animations, polls or places.
var keptMedia = []string{"photo", "document", "voice", "audio", "video", "video_note"}

// keepFile keeps the user's message, a file sent during their own report
// after its consent, in Facts.Files. It returns how many the report keeps
// now and whether this one is kept: not when it is no file, the report is
// a volunteer's for a caller (the files would be in the volunteer's chat),
// or maxFiles are kept already.
func (c *turn) keepFile() (int, bool) {
	d := &c.s.Draft
	if !d.Consent || !c.ownFile() {
		return len(d.Facts.Files), false
	}
	var kept bool
	d.Facts.Files, kept = withFile(d.Facts.Files, c.in.MessageID)
	return len(d.Facts.Files), kept
}

// withFile adds a file, by its message ID, to files unless it is there
// already (its caption edited, or the update handled again) or maxFiles
// are; kept says whether it is among them now.
func withFile(files []int, id int) (_ []int, kept bool) {
	if slices.Contains(files, id) {
		return files, true
	}
	if len(files) >= maxFiles {
		return files, false
	}
	return append(files, id), true
}

// ownFile reports whether the message is a file (keptMedia) sent in the
// user's own report, not one a volunteer files for a caller (the files
// would be in the volunteer's chat).
func (c *turn) ownFile() bool {
	return c.s.Flow == flowReport && c.s.Draft.FiledBy == 0 && c.in.MessageID != 0 &&
		slices.Contains(keptMedia, c.in.Media)
}

// keepSaidFile keeps the file sent at the menu before the report began
// (mediaAtMenu) as the report's first, once it is consented to, and the
// text typed there among the words for the volunteer.
func (c *turn) keepSaidFile() {
	s := c.s
	if s.SaidText != "" && s.Draft.FiledBy == 0 {
		c.keepWords(s.SaidText)
		s.SaidText = ""
	}
	if !s.SaidFile || s.Said == 0 || s.Draft.FiledBy != 0 {
		return
	}
	for _, id := range append([]int{s.Said}, s.SaidMore...) {
		s.Draft.Facts.Files, _ = withFile(s.Draft.Facts.Files, id)
	}
	s.Said, s.SaidFile, s.SaidMore = 0, false, nil
	c.say(T("report.file_kept").Plural(len(s.Draft.Facts.Files)))
}

// setSaid keeps the user's message at the menu for the volunteer or the
// report it leads to (Session.Said); file says it is a photo, a document
// or a voice message.
func (c *turn) setSaid(file bool) {
	c.s.Said, c.s.SaidFile, c.s.SaidMore = c.in.MessageID, file, nil
	c.s.Album = c.in.Group
	c.s.SaidText = ""
	if !file && c.in.Kind == KindText {
		c.s.SaidText = c.in.Text
	}
}

// alsoSaid keeps a later file of the album sent with Said (SaidMore).
func (c *turn) alsoSaid() {
	if c.s.SaidFile && slices.Contains(keptMedia, c.in.Media) && len(c.s.SaidMore) < maxFiles-1 {
		c.s.SaidMore = append(c.s.SaidMore, c.in.MessageID)
	}
}

// laterInAlbum reports whether the message is a photo or video of the
// album whose first the chat was answered for: Telegram sends an album as
// one message each, and one answer is enough.
func (c *turn) laterInAlbum() bool {
	if c.in.Group == "" || c.in.Group != c.s.Album {
		c.s.Album = c.in.Group
		return false
	}
	return true
}

// mediaInReport answers a photo, a document or any other media sent during
// a report: a file is kept for the volunteer and said so; anything else
// gets why it cannot be used. The question is asked again.
func (c *turn) mediaInReport(ctx context.Context) error {
	if ok, err := c.a.filedNews(ctx, c); err != nil || ok {
		return err
	}
	st := c.a.steps[c.s.Step]
	buttons := st != nil && st.max == 0
	consent := c.s.Draft.Consent
	later := c.laterInAlbum()
	switch n, kept := c.keepFile(); {
	case kept && later:
		return nil // kept, answered with the album's first
	case kept && c.in.Group != "":
		c.say(T("report.files_kept_album"))
	case kept:
		c.say(T("report.file_kept").Plural(n))
	case !consent && c.ownFile() && later && c.s.SaidFile:
		c.alsoSaid()
		return nil
	case !consent && c.ownFile():
		// Before the consent nothing is stored: the file waits in the
		// session, as one sent at the menu does (keepSaidFile).
		c.setSaid(true)
		c.say(T("report.file_at_consent"))
	case n >= maxFiles && slices.Contains(keptMedia, c.in.Media):
		c.say(T("report.files_full").Plural(maxFiles))
	case buttons:
		c.say(T("input.use_buttons"))
	case consent && c.s.Flow == flowReport && c.s.Draft.FiledBy == 0:
		c.say(T("report.media_not_kept")) // a sticker, a place
	default:
		c.say(T("input.media"))
	}
	return c.prompt(ctx, false)
}

// filesStep shows the files keepFile kept on the review screen, where the
// reporter may remove them; more may be sent at any question.
func filesStep() *step {
	return &step{
		name:   stepFiles,
		noEcho: true, // the question says how many
		prompt: func(_ context.Context, c *turn) ([]Text, [][]Button, error) {
			return []Text{T("ask.files").Plural(len(c.s.Draft.Facts.Files))},
				[][]Button{{c.opt("keep", "btn.files_keep")}, {c.opt("skip", "btn.files_remove")}}, nil
		},
		parse: func(_ context.Context, c *turn, v string, button bool) (outcome, error) {
			switch {
			case v == "keep":
				return accepted()
			case v == "skip":
				d := &c.s.Draft
				if d.Filed != "" && len(d.Facts.Files) > 0 {
					// Filed with the urgent case: taken off it on the
					// confirmation, but copies already sent stay.
					d.Removed = append(d.Removed, d.Facts.Files...)
					c.say(T("report.files_removed_filed"))
				}
				d.Facts.Files = nil
				return accepted()
			case !button:
				return wrong("input.use_buttons")
			}
			return wrong("button.old_step")
		},
		answer: func(_ context.Context, c *turn, _ bool) (Text, error) {
			n := len(c.s.Draft.Facts.Files)
			if n == 0 {
				return Text{}, nil
			}
			return T("value.files").Plural(n), nil
		},
		next: then(stepReview),
	}
}

// actFiles is the case tools' button that copies the reporter's files to
// the volunteer: "f:<code>".
const actFiles = "f"

// filesButton copies the files of a case's report to the member who may
// see the case, each protected like the card, and records the view.
func (a *App) filesButton(ctx context.Context, c *turn, m *member, raw string) error {
	code, ok := NormalizeCode(strings.TrimSpace(raw))
	if !ok {
		m.say(T("button.old"))
		return nil
	}
	r, cs, ok, err := a.caseToView(ctx, m, code)
	if err != nil || !ok {
		return err
	}
	if len(r.Facts.Files) == 0 || r.ReporterChatID == 0 {
		// Removed since the card was drawn, or erased with the reporter's
		// data (/forget).
		m.say(T("tools.files_none", "Code", FormatCode(cs.Code)))
		return nil
	}
	if err := a.audit(ctx, c, AuditEntry{Action: AuditFiles, CaseID: cs.ID}); err != nil {
		return err
	}
	m.say(T("tools.files", "Code", FormatCode(cs.Code)).Plural(len(r.Facts.Files)))
	for _, id := range r.Facts.Files {
		c.send(Reply{ChatID: c.in.ChatID, Copy: &Copy{FromChatID: r.ReporterChatID, MessageID: id},
			Protect: true, Priority: PriorityReply})
	}
	return nil
}

// filesButtons is the card's button to the files, when the report has any.
func filesButtons(code string, r *Report) [][]Button {
	if r == nil || len(r.Facts.Files) == 0 {
		return nil
	}
	return [][]Button{{{Text: T("btn.tools_files").Plural(len(r.Facts.Files)), Data: dataTools + ":" + actFiles + ":" + code}}}
}
