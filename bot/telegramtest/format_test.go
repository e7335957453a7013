package telegramtest

import (
	"reflect"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"
)

func TestFormatHTML(t *testing.T) {
	bold := func(off, n int) models.MessageEntity {
		return models.MessageEntity{Type: models.MessageEntityTypeBold, Offset: off, Length: n}
	}
	tests := []struct {
		in        string
		wantPlain string
		wantEnts  []models.MessageEntity
		wantErr   string
	}{
		{in: "plain", wantPlain: "plain"},
		{in: "<b>Case</b> ABC", wantPlain: "Case ABC", wantEnts: []models.MessageEntity{bold(0, 4)}},
		{in: "<strong>x</strong>", wantPlain: "x", wantEnts: []models.MessageEntity{bold(0, 1)}},
		{in: "A &lt;b&gt; &amp; &quot;q&quot; &#1078; &#x41;", wantPlain: `A <b> & "q" ж A`},
		{in: "Tom & Jerry &nbsp;", wantPlain: "Tom & Jerry &nbsp;"}, // unknown entities stay text
		{in: "  \n<i>trimmed</i>\n ", wantPlain: "trimmed", wantEnts: []models.MessageEntity{{Type: models.MessageEntityTypeItalic, Offset: 0, Length: 7}}},
		{in: "😀<b>x</b>", wantPlain: "😀x", wantEnts: []models.MessageEntity{bold(2, 1)}}, // UTF-16 offsets
		{in: `<a href="https://t.me/x?start=c_AB">link</a>`, wantPlain: "link",
			wantEnts: []models.MessageEntity{{Type: models.MessageEntityTypeTextLink, Offset: 0, Length: 4, URL: "https://t.me/x?start=c_AB"}}},
		{in: `<pre><code class="language-go">x := 1</code></pre>`, wantPlain: "x := 1",
			wantEnts: []models.MessageEntity{{Type: models.MessageEntityTypePre, Offset: 0, Length: 6, Language: "go"}}},
		{in: `<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>`, wantPlain: "st",
			wantEnts: []models.MessageEntity{{Type: models.MessageEntityTypeSpoiler, Offset: 0, Length: 1}, {Type: models.MessageEntityTypeSpoiler, Offset: 1, Length: 1}}},
		{in: "<b>x</>", wantPlain: "x", wantEnts: []models.MessageEntity{bold(0, 1)}},

		{in: "<b>unclosed", wantErr: `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`},
		{in: "<p>para</p>", wantErr: `Bad Request: can't parse entities: Unsupported start tag "p" at byte offset 0`},
		{in: "line<br>", wantErr: `Bad Request: can't parse entities: Unsupported start tag "br" at byte offset 4`},
		{in: "1 < 2", wantErr: `Bad Request: can't parse entities: Unsupported start tag "" at byte offset 2`},
		{in: "Name: <Ivan>", wantErr: `Bad Request: can't parse entities: Unsupported start tag "ivan" at byte offset 6`},
		{in: "x</b>", wantErr: "Bad Request: can't parse entities: Unexpected end tag at byte offset 1"},
		{in: "<b><i>x</b></i>", wantErr: `Bad Request: can't parse entities: Unmatched end tag at byte offset 7, expected "</i>", found "</b>"`},
		{in: "<b", wantErr: "Bad Request: can't parse entities: Unclosed start tag at byte offset 0"},
		{in: `<a href="x>y`, wantErr: "Bad Request: can't parse entities: Unclosed start tag at byte offset 0"},
		{in: "<span>x</span>", wantErr: `Bad Request: can't parse entities: Tag "span" must have class "tg-spoiler" at byte offset 0`},
		{in: "<b>x</b", wantErr: "Bad Request: can't parse entities: Unclosed end tag at byte offset 4"},
	}
	for _, tt := range tests {
		plain, ents, err := format(tt.in, "HTML", "")
		if tt.wantErr != "" {
			if err == nil || err.desc != tt.wantErr {
				t.Errorf("format(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("format(%q) error = %v", tt.in, err)
			continue
		}
		if plain != tt.wantPlain || !reflect.DeepEqual(ents, tt.wantEnts) {
			t.Errorf("format(%q) = %q %+v, want %q %+v", tt.in, plain, ents, tt.wantPlain, tt.wantEnts)
		}
	}
}

func TestFormatMarkdown(t *testing.T) {
	tests := []struct {
		mode, in  string
		wantPlain string
		wantErr   string
	}{
		{mode: "MarkdownV2", in: `*bold* _it_ __u__ ~s~ ||sp|| \. \!`, wantPlain: "bold it u s sp . !"},
		{mode: "MarkdownV2", in: "`a.b` and ```go\nx.y```", wantPlain: "a.b and x.y"},
		{mode: "MarkdownV2", in: `[link](https://example.org/a\)b)`, wantPlain: "link"},
		{mode: "MarkdownV2", in: "Case A-1.", wantErr: `Bad Request: can't parse entities: Character '-' is reserved and must be escaped with the preceding '\'`},
		{mode: "MarkdownV2", in: "*open", wantErr: "Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 0"},
		{mode: "Markdown", in: "*b* _i_ `c` [t](http://x)", wantPlain: "b i c t"},
		{mode: "Markdown", in: "snake_case", wantErr: "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 5"},
		{mode: "markdownv3", in: "x", wantErr: "Bad Request: unsupported parse_mode"},
	}
	for _, tt := range tests {
		plain, _, err := format(tt.in, tt.mode, "")
		if tt.wantErr != "" {
			if err == nil || err.desc != tt.wantErr {
				t.Errorf("format(%q, %s) error = %v, want %q", tt.in, tt.mode, err, tt.wantErr)
			}
			continue
		}
		if err != nil || plain != tt.wantPlain {
			t.Errorf("format(%q, %s) = %q, %v; want %q", tt.in, tt.mode, plain, err, tt.wantPlain)
		}
	}
}

func TestSendMessageLimits(t *testing.T) {
	s := New()
	defer s.Close()
	u := s.User(1, "en")
	tests := []struct {
		name     string
		text     string
		mode     string
		wantCode int
		wantDesc string
	}{
		{"4096 characters", strings.Repeat("я", 4096), "", 200, ""},
		{"4097 characters", strings.Repeat("я", 4097), "", 400, "Bad Request: message is too long"},
		{"4096 after markup", "<b>" + strings.Repeat("a", 4096) + "</b>", "HTML", 200, ""},
		{"empty", "", "", 400, "Bad Request: message text is empty"},
		{"only white space", " \n ", "", 400, "Bad Request: message text is empty"},
		{"only tags", "<b></b>", "HTML", 400, "Bad Request: message text is empty"},
		{"unescaped user text", "Ivan <ivan@example.org>", "HTML", 400, `Bad Request: can't parse entities: Unsupported start tag "ivan@example.org" at byte offset 5`},
	}
	for _, tt := range tests {
		r := callJSON(t, s, "sendMessage", map[string]any{"chat_id": u.ID, "text": tt.text, "parse_mode": tt.mode})
		got := 200
		if !r.OK {
			got = r.ErrorCode
		}
		if got != tt.wantCode || r.Description != tt.wantDesc {
			t.Errorf("%s: got %d %q, want %d %q", tt.name, got, r.Description, tt.wantCode, tt.wantDesc)
		}
	}
	if n := len(u.Received()); n != 2 {
		t.Errorf("user received %d messages, want 2 (refused ones are not delivered)", n)
	}
}
