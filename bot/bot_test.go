package bot

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"

	"hotline/flows"
	"hotline/locales"
)

// fakeFlows records the input it got and answers with fixed replies.
type fakeFlows struct {
	got     []flows.Input
	replies []flows.Reply
	err     error
}

func (f *fakeFlows) Handle(_ context.Context, in flows.Input) ([]flows.Reply, error) {
	f.got = append(f.got, in)
	return f.replies, f.err
}

func newBot(t *testing.T, f Flows, groups ...int64) *Bot {
	t.Helper()
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	return New(f, cat, slog.New(slog.NewTextHandler(io.Discard, nil)), groups...)
}

func update(t *testing.T, raw string) Update {
	t.Helper()
	var u models.Update
	if err := json.Unmarshal([]byte(raw), &u); err != nil {
		t.Fatal(err)
	}
	return Update{ID: u.ID, Attempt: 1, Raw: &u}
}

// TestInputReadsWhatTheUserDid: a command addressed to the bot in a group
// style, a typed answer and a button press reach the flows as the user
// meant them.
func TestInputReadsWhatTheUserDid(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want flows.Input
	}{
		{"command with the bot's name and a payload",
			`{"update_id":1,"message":{"message_id":5,"date":1,"chat":{"id":42,"type":"private"},"from":{"id":42,"language_code":"ru"},"text":"/start@hotline_bot c_ABC","entities":[{"type":"bot_command","offset":0,"length":18}]}}`,
			flows.Input{UpdateID: 1, Kind: flows.KindCommand, ChatID: 42, ChatType: "private", UserID: 42, LangCode: "ru", Command: "start", Text: "c_ABC", MessageID: 5}},
		{"typed answer",
			`{"update_id":2,"message":{"message_id":6,"date":1,"chat":{"id":42,"type":"private"},"from":{"id":42},"text":"Ivan Petrov"}}`,
			flows.Input{UpdateID: 2, Kind: flows.KindText, ChatID: 42, ChatType: "private", UserID: 42, Text: "Ivan Petrov", MessageID: 6}},
		{"photo with a caption",
			`{"update_id":3,"message":{"message_id":7,"date":1,"chat":{"id":42,"type":"private"},"from":{"id":42},"photo":[{"file_id":"x","file_unique_id":"y","width":1,"height":1}],"caption":"his papers","media_group_id":"a1"}}`,
			flows.Input{UpdateID: 3, Kind: flows.KindMedia, ChatID: 42, ChatType: "private", UserID: 42, Text: "his papers", Media: "photo", Group: "a1", MessageID: 7}},
		{"contact shared",
			`{"update_id":5,"message":{"message_id":8,"date":1,"chat":{"id":42,"type":"private"},"from":{"id":42},"contact":{"phone_number":"79161234567","first_name":"Мама","user_id":43}}}`,
			flows.Input{UpdateID: 5, Kind: flows.KindText, ChatID: 42, ChatType: "private", UserID: 42, Text: "Мама 79161234567", MessageID: 8}},
		{"button press",
			`{"update_id":4,"callback_query":{"id":"q","from":{"id":42,"language_code":"en"},"data":"m:report","message":{"message_id":9,"date":1,"chat":{"id":42,"type":"private"},"text":"the whole review, not kept"}}}`,
			flows.Input{UpdateID: 4, Kind: flows.KindButton, ChatID: 42, ChatType: "private", UserID: 42, LangCode: "en", Data: "m:report", MessageID: 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeFlows{}
			if _, err := newBot(t, f).Handle(context.Background(), update(t, tt.raw)); err != nil {
				t.Fatal(err)
			}
			if len(f.got) != 1 {
				t.Fatalf("flows got %d inputs, want 1", len(f.got))
			}
			got := f.got[0]
			got.At = tt.want.At // the time is Telegram's date or now
			if got != tt.want {
				t.Errorf("input\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestHandleAnswersButtonsAndLeavesStrangerGroups: a button stops spinning
// whatever happens; a group that is not a volunteer group is left without
// a word to it.
func TestHandleAnswersButtonsAndLeavesStrangerGroups(t *testing.T) {
	f := &fakeFlows{err: errors.New("redis down")}
	b := newBot(t, f, -100)
	calls, err := b.Handle(context.Background(), update(t,
		`{"update_id":1,"callback_query":{"id":"q","from":{"id":42},"data":"m:report","message":{"message_id":9,"date":1,"chat":{"id":42,"type":"private"}}}}`))
	if err == nil {
		t.Fatal("a failing flow gave no error: the update would not be tried again")
	}
	if len(calls) != 2 || calls[0].Method != "answerCallbackQuery" || calls[1].Method != "sendMessage" {
		t.Fatalf("calls %+v: want the button answered and the user told once", calls)
	}
	if !strings.Contains(string(calls[1].Params), "42") {
		t.Errorf("the apology went elsewhere: %s", calls[1].Params)
	}

	calls, err = b.Handle(context.Background(), update(t,
		`{"update_id":2,"message":{"message_id":1,"date":1,"chat":{"id":-200,"type":"group"},"from":{"id":42},"text":"hi"}}`))
	if err != nil || len(calls) != 1 || calls[0].Method != "leaveChat" {
		t.Fatalf("stranger group: %+v, %v; want leaveChat only", calls, err)
	}
	if len(f.got) != 1 {
		t.Errorf("the flows saw the stranger group's message")
	}
}

// TestRenderSplitsLongTextsAtLineEnds: a text longer than a Telegram message
// goes out in several messages, none longer than the limit, the buttons on
// the last.
func TestRenderSplitsLongTextsAtLineEnds(t *testing.T) {
	line := strings.Repeat("я", 99) + "\n"
	long := strings.Repeat(line, 100) // 10,000 characters
	parts := split(long, maxMessage)
	if len(parts) != 3 {
		t.Fatalf("%d parts, want 3", len(parts))
	}
	for i, p := range parts {
		if n := utf8.RuneCountInString(p); n > maxMessage {
			t.Errorf("part %d has %d characters", i, n)
		}
		for _, l := range strings.Split(p, "\n") {
			if utf8.RuneCountInString(l) != 99 {
				t.Errorf("part %d cut inside a line: a line of %d characters", i, utf8.RuneCountInString(l))
				break
			}
		}
	}
	if got := strings.Join(parts, "\n"); got != strings.TrimRight(long, "\n") {
		t.Error("the parts do not add up to the text")
	}
	if got := split(strings.Repeat("x", maxMessage+10), maxMessage); len(got) != 2 || utf8.RuneCountInString(got[0]) != maxMessage {
		t.Errorf("one long line: %d parts", len(got))
	}
}

// TestRenderRedrawThatNoLongerFits: an edit grown past one message is sent
// anew as messages, but a card's redraw leaves its message as it was (a
// joined message redrawn longer would come again as new messages, every
// card of it).
func TestRenderRedrawThatNoLongerFits(t *testing.T) {
	b := newBot(t, &fakeFlows{})
	long := flows.T("value.raw", "V", strings.Repeat("я ", 2100))
	r := flows.Reply{ChatID: 5, Lang: "ru", Edit: 9, Texts: []flows.Text{long}}
	if calls := b.Calls([]flows.Reply{r}); len(calls) != 2 || calls[0].Method != "sendMessage" {
		t.Errorf("a long edit: %d calls, want it sent as two messages", len(calls))
	}
	r.Redraw = true
	if calls := b.Calls([]flows.Reply{r}); len(calls) != 0 {
		t.Errorf("a long redraw: %d calls (%s), want none", len(calls), calls[0].Method)
	}
	r.Texts = []flows.Text{flows.T("value.raw", "V", "short")}
	if calls := b.Calls([]flows.Reply{r}); len(calls) != 1 || calls[0].Method != "editMessageText" {
		t.Errorf("a redraw that fits: %v", calls)
	}
}
