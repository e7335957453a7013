package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// apiResp is a Bot API answer.
type apiResp struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
	status int
}

func do(t testing.TB, req *http.Request) apiResp {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var r apiResp
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("%s: decode %q: %v", req.URL.Path, body, err)
	}
	r.status = resp.StatusCode
	if !r.OK && r.status != r.ErrorCode {
		t.Errorf("%s: HTTP status %d, error_code %d", req.URL.Path, r.status, r.ErrorCode)
	}
	return r
}

// callJSON calls a method with a JSON body.
func callJSON(t testing.TB, s *Server, method string, params map[string]any) apiResp {
	t.Helper()
	body, _ := json.Marshal(params)
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/bot"+s.Token()+"/"+method, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return do(t, req)
}

func decode[T any](t testing.TB, r apiResp) T {
	t.Helper()
	var v T
	if !r.OK {
		t.Fatalf("call failed: %d %s", r.ErrorCode, r.Description)
	}
	if err := json.Unmarshal(r.Result, &v); err != nil {
		t.Fatalf("decode result %s: %v", r.Result, err)
	}
	return v
}

func newClient(t testing.TB, s *Server) *tg.Bot {
	t.Helper()
	b, err := tg.New(s.Token(), tg.WithServerURL(s.URL()), tg.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGoTelegramClient drives the server with the client the bot uses,
// which sends every call as multipart/form-data.
func TestGoTelegramClient(t *testing.T) {
	s := New()
	defer s.Close()
	ctx := context.Background()
	b := newClient(t, s)
	u := s.User(42, "ru")

	me, err := b.GetMe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if me.Username != "hotline_test_bot" || !me.IsBot || me.ID != 123456 {
		t.Errorf("getMe = %+v", me)
	}

	sent, err := b.SendMessage(ctx, &tg.SendMessageParams{
		ChatID: u.ID, Text: "<b>Привет</b>, choose:", ParseMode: models.ParseModeHTML,
		ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
			{{Text: "Report", CallbackData: "menu:report"}, {Text: "Site", URL: "https://example.org"}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if sent.Text != "Привет, choose:" || len(sent.Entities) != 1 || sent.Chat.ID != u.ID || sent.From == nil || !sent.From.IsBot {
		t.Errorf("sendMessage result = %+v", sent)
	}
	m := u.Next(t)
	want := [][]Button{{{Text: "Report", Data: "menu:report"}, {Text: "Site", URL: "https://example.org"}}}
	if m.Text != "<b>Привет</b>, choose:" || m.Plain != "Привет, choose:" || m.ParseMode != "HTML" || m.ID != sent.ID {
		t.Errorf("message = %+v", m)
	}
	if !equalButtons(m.Buttons, want) {
		t.Errorf("buttons = %+v, want %+v", m.Buttons, want)
	}
	if strings.Contains(string(m.JSON), "copy_text") {
		t.Errorf("message JSON has copy_text, which Telegram would not send: %s", m.JSON)
	}

	if _, err := b.EditMessageText(ctx, &tg.EditMessageTextParams{ChatID: u.ID, MessageID: sent.ID, Text: "edited"}); err != nil {
		t.Fatal(err)
	}
	if m := u.Next(t); !m.Edited || m.Text != "edited" || m.Buttons != nil || m.Method != "editMessageText" {
		t.Errorf("edit without reply_markup = %+v, want the text changed and the keyboard gone", m)
	}

	photo, err := b.SendPhoto(ctx, &tg.SendPhotoParams{
		ChatID: u.ID, Caption: "scan", Photo: &models.InputFileUpload{Filename: "scan.png", Data: bytes.NewReader(onePixelPNG)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(photo.Photo) == 0 || photo.Photo[0].Width != 1 || photo.Caption != "scan" {
		t.Errorf("sendPhoto result = %+v", photo)
	}
	if m := u.Next(t); m.Kind != "photo" || m.Caption != "scan" || m.FileID == "" {
		t.Errorf("photo message = %+v", m)
	}

	doc, err := b.SendDocument(ctx, &tg.SendDocumentParams{
		ChatID: u.ID, Document: &models.InputFileUpload{Filename: "case.pdf", Data: strings.NewReader("%PDF-1.4")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Document == nil || doc.Document.FileName != "case.pdf" || doc.Document.MimeType != "application/pdf" {
		t.Errorf("sendDocument result = %+v", doc.Document)
	}
	// The same file again by its file_id.
	if _, err := b.SendDocument(ctx, &tg.SendDocumentParams{ChatID: u.ID, Document: &models.InputFileString{Data: doc.Document.FileID}}); err != nil {
		t.Fatal(err)
	}
	u.Next(t)
	if m := u.Next(t); m.Kind != "document" || m.FileID != doc.Document.FileID || m.FileName != "case.pdf" {
		t.Errorf("document by file_id = %+v", m)
	}

	if _, err := b.SendChatAction(ctx, &tg.SendChatActionParams{ChatID: u.ID, Action: models.ChatActionTyping}); err != nil {
		t.Fatal(err)
	}

	cmds := []models.BotCommand{{Command: "start", Description: "Начать"}, {Command: "help", Description: "Помощь"}}
	if _, err := b.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: cmds, LanguageCode: "ru"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: cmds[:1], Scope: &models.BotCommandScopeAllPrivateChats{}}); err != nil {
		t.Fatal(err)
	}
	if got := s.Commands("ru"); len(got) != 2 || got[0] != cmds[0] {
		t.Errorf("Commands(ru) = %+v, want %+v", got, cmds)
	}
	if got := s.Commands(""); len(got) != 0 {
		t.Errorf("Commands(\"\") = %+v, want none (the list was set for a scope)", got)
	}
	got, err := b.GetMyCommands(ctx, &tg.GetMyCommandsParams{LanguageCode: "ru"})
	if err != nil || len(got) != 2 {
		t.Errorf("getMyCommands(ru) = %+v, %v", got, err)
	}
	if _, err := b.DeleteMyCommands(ctx, &tg.DeleteMyCommandsParams{LanguageCode: "ru"}); err != nil {
		t.Fatal(err)
	}
	if got := s.Commands("ru"); len(got) != 0 {
		t.Errorf("after deleteMyCommands Commands(ru) = %+v", got)
	}
	if _, err := b.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "Start", Description: "x"}}}); !errors.Is(err, tg.ErrorBadRequest) {
		t.Errorf("an upper-case command: %v, want Bad Request", err)
	}

	st := s.Stats()
	if st.Calls["sendMessage"] != 1 || st.Calls["sendDocument"] != 2 || st.Delivered != 5 {
		t.Errorf("stats = %+v", st)
	}
}

// TestPolling runs the go-telegram/bot client's own long polling against
// the server: a user writes, the bot echoes, the user presses a button.
func TestPolling(t *testing.T) {
	s := New()
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b, err := tg.New(s.Token(), tg.WithServerURL(s.URL()), tg.WithDefaultHandler(func(ctx context.Context, b *tg.Bot, up *models.Update) {
		switch {
		case up.Message != nil:
			_, _ = b.SendMessage(ctx, &tg.SendMessageParams{
				ChatID: up.Message.Chat.ID, Text: "echo: " + up.Message.Text,
				ReplyParameters: &models.ReplyParameters{MessageID: up.Message.ID},
				ReplyMarkup:     &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "OK", CallbackData: "ok"}}}},
			})
		case up.CallbackQuery != nil:
			_, _ = b.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: up.CallbackQuery.ID})
			msg := up.CallbackQuery.Message.Message
			_, _ = b.EditMessageText(ctx, &tg.EditMessageTextParams{ChatID: msg.Chat.ID, MessageID: msg.ID, Text: "pressed " + up.CallbackQuery.Data})
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	go b.Start(ctx)

	u := s.User(7, "en")
	id := u.Send("/start c_ABC")
	m := u.Next(t)
	if m.Text != "echo: /start c_ABC" || m.ReplyTo != id {
		t.Errorf("reply = %+v", m)
	}
	u.Press(t, m, "OK")
	if m := u.Next(t); m.Text != "pressed ok" || !m.Edited {
		t.Errorf("after press = %+v", m)
	}
	if s.CallbackAnswers() != 1 {
		t.Errorf("callback answers = %d, want 1", s.CallbackAnswers())
	}
	if m.LastUpdateAt.IsZero() || s.UpdateAvailableAt(m.LastUpdateID).IsZero() {
		t.Errorf("message has no latency data: %+v", m)
	}
}

// TestBodies calls methods with each body encoding Telegram takes.
func TestBodies(t *testing.T) {
	s := New()
	defer s.Close()
	u := s.User(5, "")
	base := s.URL() + "/bot" + s.Token() + "/"
	markup := `{"inline_keyboard":[[{"text":"Yes","callback_data":"y"}]]}`

	form := url.Values{"chat_id": {"5"}, "text": {"form"}, "reply_markup": {markup}}
	req, _ := http.NewRequest(http.MethodPost, base+"sendMessage", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := do(t, req); !r.OK {
		t.Fatalf("urlencoded: %+v", r)
	}

	req, _ = http.NewRequest(http.MethodGet, base+"sendMessage?"+url.Values{"chat_id": {"5"}, "text": {"query"}}.Encode(), nil)
	if r := do(t, req); !r.OK {
		t.Fatalf("query string: %+v", r)
	}

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("chat_id", "5")
	_ = mw.WriteField("text", "multipart")
	_ = mw.WriteField("reply_markup", markup)
	_ = mw.Close()
	req, _ = http.NewRequest(http.MethodPost, base+"SENDMESSAGE", &body) // method names are case-insensitive
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if r := do(t, req); !r.OK {
		t.Fatalf("multipart: %+v", r)
	}

	r := callJSON(t, s, "sendMessage", map[string]any{"chat_id": 5, "text": "json", "reply_markup": json.RawMessage(markup)})
	msg := decode[models.Message](t, r)
	if msg.ReplyMarkup == nil || msg.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "y" {
		t.Errorf("json result = %+v", msg)
	}

	var texts []string
	for _, m := range u.Received() {
		texts = append(texts, m.Text+":"+strings.Join(labels(m), ","))
	}
	if want := "form:Yes query: multipart:Yes json:Yes"; strings.Join(texts, " ") != want {
		t.Errorf("received %q, want %q", strings.Join(texts, " "), want)
	}
}

func TestErrors(t *testing.T) {
	s := New()
	defer s.Close()
	u := s.User(9, "en")
	s.Group(-100, "volunteers") // the bot is not in it
	post := func(path, body string) apiResp {
		req, _ := http.NewRequest(http.MethodPost, s.URL()+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return do(t, req)
	}
	tests := []struct {
		name     string
		path     string
		body     string
		wantCode int
		wantDesc string
	}{
		{"wrong token", "/bot123456:WRONG/getMe", "", 401, "Unauthorized"},
		{"malformed token", "/botnonsense/getMe", "", 404, "Not Found"},
		{"unknown method", "/bot" + s.Token() + "/sendTelepathy", "{}", 404, "Not Found"},
		{"no such chat", "/bot" + s.Token() + "/sendMessage", `{"chat_id":31337,"text":"x"}`, 400, "Bad Request: chat not found"},
		{"no chat_id", "/bot" + s.Token() + "/sendMessage", `{"text":"x"}`, 400, "Bad Request: chat_id is empty"},
		{"bot not in group", "/bot" + s.Token() + "/sendMessage", `{"chat_id":-100,"text":"x"}`, 403, "Forbidden: bot is not a member of the group chat"},
		{"long button data", "/bot" + s.Token() + "/sendMessage",
			`{"chat_id":9,"text":"x","reply_markup":{"inline_keyboard":[[{"text":"a","callback_data":"` + strings.Repeat("d", 65) + `"}]]}}`, 400, "Bad Request: BUTTON_DATA_INVALID"},
		{"text button", "/bot" + s.Token() + "/sendMessage",
			`{"chat_id":9,"text":"x","reply_markup":{"inline_keyboard":[[{"text":"a"}]]}}`, 400, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"},
		{"empty label", "/bot" + s.Token() + "/sendMessage",
			`{"chat_id":9,"text":"x","reply_markup":{"inline_keyboard":[[{"text":"","callback_data":"a"}]]}}`, 400, "Bad Request: BUTTON_TEXT_INVALID"},
		{"reply to nothing", "/bot" + s.Token() + "/sendMessage", `{"chat_id":9,"text":"x","reply_parameters":{"message_id":999}}`, 400, "Bad Request: message to be replied not found"},
		{"edit nothing", "/bot" + s.Token() + "/editMessageText", `{"chat_id":9,"message_id":999,"text":"x"}`, 400, "Bad Request: message to edit not found"},
		{"copy nothing", "/bot" + s.Token() + "/copyMessage", `{"chat_id":9,"from_chat_id":9,"message_id":999}`, 400, "Bad Request: message to copy not found"},
		{"old query", "/bot" + s.Token() + "/answerCallbackQuery", `{"callback_query_id":"123"}`, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid"},
		{"bad action", "/bot" + s.Token() + "/sendChatAction", `{"chat_id":9,"action":"dancing"}`, 400, "Bad Request: wrong parameter action in request"},
		{"leave private chat", "/bot" + s.Token() + "/leaveChat", `{"chat_id":9}`, 400, "Bad Request: chat member status can't be changed in private chats"},
		{"unknown file", "/bot" + s.Token() + "/sendPhoto", `{"chat_id":9,"photo":"nope"}`, 400, "Bad Request: wrong file identifier/HTTP URL specified"},
		{"no photo", "/bot" + s.Token() + "/sendPhoto", `{"chat_id":9}`, 400, "Bad Request: there is no photo in the request"},
		{"long caption", "/bot" + s.Token() + "/sendPhoto", `{"chat_id":9,"photo":"https://example.org/a.jpg","caption":"` + strings.Repeat("c", 1025) + `"}`, 400, "Bad Request: message caption is too long"},
	}
	for _, tt := range tests {
		r := post(tt.path, tt.body)
		if r.OK || r.ErrorCode != tt.wantCode || r.Description != tt.wantDesc {
			t.Errorf("%s: got %d %q, want %d %q", tt.name, r.ErrorCode, r.Description, tt.wantCode, tt.wantDesc)
		}
	}

	// Editing a user's message, and an edit that changes nothing.
	mine := u.Send("hello")
	if r := callJSON(t, s, "editMessageText", map[string]any{"chat_id": 9, "message_id": mine, "text": "x"}); r.Description != "Bad Request: message can't be edited" {
		t.Errorf("edit user's message: %+v", r)
	}
	sent := decode[models.Message](t, callJSON(t, s, "sendMessage", map[string]any{"chat_id": 9, "text": "same"}))
	if r := callJSON(t, s, "editMessageText", map[string]any{"chat_id": 9, "message_id": sent.ID, "text": "same"}); !strings.HasPrefix(r.Description, "Bad Request: message is not modified") {
		t.Errorf("edit without change: %+v", r)
	}
}

func TestBlockedUser(t *testing.T) {
	s := New()
	defer s.Close()
	b := newClient(t, s)
	u := s.User(11, "en")
	u.Block(true)
	_, err := b.SendMessage(context.Background(), &tg.SendMessageParams{ChatID: u.ID, Text: "hi"})
	if !errors.Is(err, tg.ErrorForbidden) || !strings.Contains(err.Error(), "bot was blocked by the user") {
		t.Errorf("send to a user who blocked the bot: %v, want 403 Forbidden", err)
	}
	u.Block(false)
	if _, err := b.SendMessage(context.Background(), &tg.SendMessageParams{ChatID: u.ID, Text: "hi"}); err != nil {
		t.Errorf("after unblocking: %v", err)
	}
	ups := getUpdates(t, s, map[string]any{})
	if len(ups) != 2 || ups[0].MyChatMember == nil || ups[0].MyChatMember.NewChatMember.Type != models.ChatMemberTypeBanned ||
		ups[1].MyChatMember.NewChatMember.Type != models.ChatMemberTypeMember {
		t.Errorf("updates = %+v, want my_chat_member kicked then member", ups)
	}
}

func TestCopyMessage(t *testing.T) {
	s := New()
	defer s.Close()
	ctx := context.Background()
	b := newClient(t, s)
	relative, volunteer := s.User(1, "ru"), s.User(2, "en")

	kinds := map[string]int{
		"photo":    relative.SendPhoto("passport"),
		"document": relative.SendDocument("notice.pdf", "notice"),
		"voice":    relative.SendVoice(),
		"video":    relative.SendVideo(),
		"sticker":  relative.SendSticker(),
		"location": relative.SendLocation(30.9, -92.0),
		"contact":  relative.SendContact("+15550100", "Lawyer"),
		"text":     relative.Send("he was moved to Basile"),
	}
	for _, kind := range []string{"photo", "document", "voice", "video", "sticker", "location", "contact", "text"} {
		id, err := b.CopyMessage(ctx, &tg.CopyMessageParams{ChatID: volunteer.ID, FromChatID: relative.ID, MessageID: kinds[kind]})
		if err != nil {
			t.Fatalf("copy %s: %v", kind, err)
		}
		m := volunteer.Next(t)
		if m.Kind != kind || m.ID != id.ID || m.Method != "copyMessage" || m.FromChatID != relative.ID || m.FromMessageID != kinds[kind] {
			t.Errorf("copied %s = %+v", kind, m)
		}
		switch kind {
		case "photo":
			if m.Caption != "passport" || m.FileID == "" {
				t.Errorf("copied photo = %+v", m)
			}
		case "document":
			if m.FileName != "notice.pdf" {
				t.Errorf("copied document = %+v", m)
			}
		case "location":
			if m.Location == nil || m.Location.Latitude != 30.9 {
				t.Errorf("copied location = %+v", m.Location)
			}
		case "text":
			if m.Text != "he was moved to Basile" {
				t.Errorf("copied text = %q", m.Text)
			}
		}
	}

	// The copied photo can be sent on by its file_id, and the caption replaced.
	photo := volunteer.Received()[0]
	if _, err := b.CopyMessage(ctx, &tg.CopyMessageParams{ChatID: relative.ID, FromChatID: volunteer.ID, MessageID: photo.ID, Caption: "<i>got it</i>", ParseMode: models.ParseModeHTML}); err != nil {
		t.Fatal(err)
	}
	if m := relative.Next(t); m.Caption != "<i>got it</i>" || m.Plain != "got it" || m.FileID != photo.FileID {
		t.Errorf("copy with a new caption = %+v", m)
	}
	if _, err := b.SendPhoto(ctx, &tg.SendPhotoParams{ChatID: relative.ID, Photo: &models.InputFileString{Data: photo.FileID}}); err != nil {
		t.Errorf("sendPhoto by a user's file_id: %v", err)
	}
	if _, err := b.CopyMessage(ctx, &tg.CopyMessageParams{ChatID: volunteer.ID, FromChatID: relative.ID, MessageID: 999}); !errors.Is(err, tg.ErrorBadRequest) {
		t.Errorf("copy a missing message: %v, want 400", err)
	}
}

func TestGroup(t *testing.T) {
	s := New()
	defer s.Close()
	b := newClient(t, s)
	ctx := context.Background()
	coord := s.User(3, "en")
	g := s.Group(-1001, "Coordinators")
	g.Send(coord, "before the bot") // the bot sees nothing of a group it is not in
	g.AddBot(coord)
	g.Send(coord, "/queue")
	ups := getUpdates(t, s, map[string]any{})
	if len(ups) != 3 || ups[0].MyChatMember == nil || ups[0].MyChatMember.NewChatMember.Type != models.ChatMemberTypeMember ||
		len(ups[1].Message.NewChatMembers) != 1 || ups[2].Message.Text != "/queue" || ups[2].Message.Chat.Type != models.ChatTypeGroup {
		t.Fatalf("updates = %+v", ups)
	}
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: g.ID, Text: "2 waiting"}); err != nil {
		t.Fatal(err)
	}
	if m := g.Next(t); m.Text != "2 waiting" {
		t.Errorf("group message = %+v", m)
	}
	if ok, err := b.LeaveChat(ctx, &tg.LeaveChatParams{ChatID: g.ID}); !ok || err != nil {
		t.Fatalf("leaveChat = %v, %v", ok, err)
	}
	if g.BotMember() {
		t.Error("bot still a member after leaveChat")
	}
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: g.ID, Text: "x"}); !errors.Is(err, tg.ErrorForbidden) {
		t.Errorf("send after leaving: %v, want 403", err)
	}
}

func equalButtons(a, b [][]Button) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}

func labels(m *Message) []string {
	var out []string
	for _, row := range m.Buttons {
		for _, b := range row {
			out = append(out, b.Text)
		}
	}
	return out
}

// onePixelPNG is a 1×1 PNG.
var onePixelPNG = []byte{
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
	0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
	0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
	0x42, 0x60, 0x82,
}

func TestOnMessage(t *testing.T) {
	s := New()
	defer s.Close()
	u := s.User(1, "en")
	got := make(chan *Message, 10)
	s.OnMessage(func(m *Message) {
		s.User(2, "en") // the server may be used from here
		got <- m
	})
	for _, text := range []string{"one", "two"} {
		callJSON(t, s, "sendMessage", map[string]any{"chat_id": u.ID, "text": text})
	}
	for _, want := range []string{"one", "two"} {
		if m := <-got; m.Text != want || m.ChatID != u.ID {
			t.Errorf("OnMessage got %+v, want %q", m, want)
		}
	}
}
