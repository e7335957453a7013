package telegramtest

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// Telegram's limits on a message (https://core.telegram.org/bots/api#sendmessage).
const (
	maxText    = 4096
	maxCaption = 1024
)

// targetLocked finds the chat a bot call is about (in parameter key) and
// checks the bot may write there, and in the forum topic it names.
func (s *Server) targetLocked(p params, key string) (*chat, *apiError) {
	c, err := s.chatOfLocked(p, key)
	if err != nil {
		return nil, err
	}
	if _, err := s.threadLocked(c, p); err != nil {
		return nil, err
	}
	return c, nil
}

// chatOfLocked is targetLocked without the topic: for the calls that
// manage topics.
func (s *Server) chatOfLocked(p params, key string) (*chat, *apiError) {
	id, err := p.chatID(key)
	if err != nil {
		return nil, err
	}
	c := s.chats[id]
	if c == nil || (!c.group() && c.user == nil) {
		return nil, badRequest("chat not found")
	}
	switch {
	case c.migratedTo != 0:
		return nil, &apiError{code: 400, desc: "Bad Request: group chat was upgraded to a supergroup chat", migrateTo: c.migratedTo} // 400
	case !c.group() && c.blocked:
		return nil, forbidden("bot was blocked by the user")
	case c.group() && c.kicked:
		return nil, forbidden("bot was kicked from the " + c.typ + " chat")
	case c.group() && !c.member:
		return nil, forbidden("bot is not a member of the " + c.typ + " chat")
	}
	return c, nil
}

// checkText formats a text or caption and checks it against Telegram's limits.
func checkText(raw, mode, entities string, limit int, tooLong, empty string) (string, []models.MessageEntity, *apiError) {
	plain, ents, err := format(raw, mode, entities)
	if err != nil {
		return "", nil, err
	}
	if plain == "" && empty != "" {
		return "", nil, badRequest("%s", empty)
	}
	if utf8.RuneCountInString(plain) > limit {
		return "", nil, badRequest("%s", tooLong)
	}
	return plain, ents, nil
}

// parseMarkup reads reply_markup: an inline keyboard (checked as Telegram
// checks it) or a reply keyboard (kept as its labels).
func parseMarkup(p params) (*wireMarkup, [][]string, *apiError) {
	raw := strings.TrimSpace(p.str("reply_markup"))
	if raw == "" || raw == "null" {
		return nil, nil, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &obj); err != nil {
		return nil, nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	if ik, ok := obj["inline_keyboard"]; ok {
		var rows [][]wireButton
		if err := json.Unmarshal(ik, &rows); err != nil {
			return nil, nil, badRequest("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays")
		}
		for i := range rows {
			for j := range rows[i] {
				if err := checkButton(&rows[i][j]); err != nil {
					return nil, nil, err
				}
			}
		}
		if len(rows) == 0 {
			return nil, nil, nil
		}
		return &wireMarkup{InlineKeyboard: rows}, nil, nil
	}
	if kb, ok := obj["keyboard"]; ok {
		var rows [][]json.RawMessage
		if err := json.Unmarshal(kb, &rows); err != nil {
			return nil, nil, badRequest("field \"keyboard\" of the ReplyKeyboardMarkup must be an Array of Arrays")
		}
		labels := make([][]string, 0, len(rows))
		for _, row := range rows {
			var r []string
			for _, b := range row {
				var label string
				if json.Unmarshal(b, &label) != nil {
					var btn struct {
						Text string `json:"text"`
					}
					if json.Unmarshal(b, &btn) != nil || btn.Text == "" {
						return nil, nil, badRequest("can't parse keyboard button: Field \"text\" must be of type String")
					}
					label = btn.Text
				}
				r = append(r, label)
			}
			labels = append(labels, r)
		}
		return nil, labels, nil
	}
	return nil, nil, nil // remove_keyboard, force_reply
}

// checkButton checks an inline button as Telegram does and normalises it
// to what Telegram would echo back.
func checkButton(b *wireButton) *apiError {
	for _, r := range []*json.RawMessage{&b.WebApp, &b.LoginURL, &b.SwitchInlineQueryChosenChat, &b.CallbackGame} {
		if string(*r) == "null" {
			*r = nil
		}
	}
	if b.CopyText != nil && b.CopyText.Text == "" {
		b.CopyText = nil // what go-telegram/bot sends on every button; Telegram ignores it
	}
	if strings.TrimSpace(b.Text) == "" {
		return badRequest("BUTTON_TEXT_INVALID")
	}
	actions := 0
	for _, set := range []bool{
		b.URL != "", b.CallbackData != "", b.CopyText != nil, b.WebApp != nil, b.LoginURL != nil,
		b.SwitchInlineQuery != nil, b.SwitchInlineQueryCurrentChat != nil,
		b.SwitchInlineQueryChosenChat != nil, b.CallbackGame != nil, b.Pay,
	} {
		if set {
			actions++
		}
	}
	if actions == 0 {
		return badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
	}
	if len(b.CallbackData) > 64 {
		return badRequest("BUTTON_DATA_INVALID")
	}
	if b.URL != "" {
		u, err := url.Parse(b.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "tg") || (u.Scheme != "tg" && u.Host == "") {
			return badRequest("inline keyboard button URL '%s' is invalid: Wrong HTTP URL", b.URL)
		}
	}
	return nil
}

// replyLocked reads reply_parameters (or the older reply_to_message_id) and
// returns the message replied to, as it goes into reply_to_message.
func (s *Server) replyLocked(c *chat, p params) (*wireMessage, *apiError) {
	var rp struct {
		MessageID                int  `json:"message_id"`
		AllowSendingWithoutReply bool `json:"allow_sending_without_reply"`
	}
	ok, jerr := p.json("reply_parameters", &rp)
	if jerr != nil {
		return nil, badRequest("can't parse reply parameters JSON object")
	}
	if !ok {
		id, err := p.int("reply_to_message_id")
		if err != nil {
			return nil, err
		}
		rp.MessageID, rp.AllowSendingWithoutReply = int(id), p.bool("allow_sending_without_reply")
	}
	if rp.MessageID == 0 {
		return nil, nil
	}
	orig := c.msgs[rp.MessageID]
	if orig == nil || orig.deleted || orig.service {
		if rp.AllowSendingWithoutReply {
			return nil, nil
		}
		return nil, badRequest("message to be replied not found")
	}
	w := orig.w
	w.ReplyToMessage = nil
	return &w, nil
}

// botMessageLocked stores a bot message in c and delivers it, in the forum
// topic the call names (checked by targetLocked).
func (s *Server) botMessageLocked(c *chat, st *stored, cl *call) wireMessage {
	st.fromBot = true
	st.w.HasProtected = cl.p.bool("protect_content")
	bot := s.botUser()
	s.newMessageLocked(c, st, &bot)
	if thread, _ := s.threadLocked(c, cl.p); thread != 0 {
		st.w.MessageThreadID, st.w.IsTopicMessage = thread, true
	}
	s.deliverLocked(c, st, cl, false)
	return st.w
}

// sendMessage is https://core.telegram.org/bots/api#sendmessage.
func (s *Server) sendMessage(cl *call) (any, *apiError) {
	c, err := s.targetLocked(cl.p, "chat_id")
	if err != nil {
		return nil, err
	}
	raw, mode := cl.p.str("text"), cl.p.str("parse_mode")
	plain, ents, err := checkText(raw, mode, cl.p.str("entities"), maxText, "message is too long", "message text is empty")
	if err != nil {
		return nil, err
	}
	markup, kb, err := parseMarkup(cl.p)
	if err != nil {
		return nil, err
	}
	reply, err := s.replyLocked(c, cl.p)
	if err != nil {
		return nil, err
	}
	var lpo *models.LinkPreviewOptions
	if _, jerr := cl.p.json("link_preview_options", &lpo); jerr != nil {
		return nil, badRequest("can't parse link preview options JSON object")
	}
	if err := s.admitLocked(c, s.now()); err != nil {
		return nil, err
	}
	st := &stored{kind: "text", raw: raw, parseMode: mode, keyboard: kb, w: wireMessage{
		Text: plain, Entities: ents, ReplyToMessage: reply, ReplyMarkup: markup, LinkPreviewOptions: lpo,
	}}
	return s.botMessageLocked(c, st, cl), nil
}

// mediaSender makes the handler of sendPhoto, sendDocument… for kind.
func mediaSender(kind string) handler {
	return func(s *Server, cl *call) (any, *apiError) {
		c, err := s.targetLocked(cl.p, "chat_id")
		if err != nil {
			return nil, err
		}
		f, err := s.inputFileLocked(cl.p, kind)
		if err != nil {
			return nil, err
		}
		raw, mode := cl.p.str("caption"), cl.p.str("parse_mode")
		caption, ents, err := checkText(raw, mode, cl.p.str("caption_entities"), maxCaption, "message caption is too long", "")
		if err != nil {
			return nil, err
		}
		markup, kb, err := parseMarkup(cl.p)
		if err != nil {
			return nil, err
		}
		reply, err := s.replyLocked(c, cl.p)
		if err != nil {
			return nil, err
		}
		if err := s.admitLocked(c, s.now()); err != nil {
			return nil, err
		}
		st := &stored{raw: raw, parseMode: mode, keyboard: kb}
		s.attach(st, f)
		if kind != "sticker" {
			st.w.Caption, st.w.CaptionEntities = caption, ents
		}
		st.w.ReplyToMessage, st.w.ReplyMarkup = reply, markup
		return s.botMessageLocked(c, st, cl), nil
	}
}

// sendLocation is https://core.telegram.org/bots/api#sendlocation.
func (s *Server) sendLocation(cl *call) (any, *apiError) {
	c, err := s.targetLocked(cl.p, "chat_id")
	if err != nil {
		return nil, err
	}
	lat, e1 := strconv.ParseFloat(cl.p.str("latitude"), 64)
	lon, e2 := strconv.ParseFloat(cl.p.str("longitude"), 64)
	if e1 != nil || e2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return nil, badRequest("wrong location specified")
	}
	return s.simpleSendLocked(c, cl, &stored{kind: "location", w: wireMessage{Location: &models.Location{Latitude: lat, Longitude: lon}}})
}

// sendContact is https://core.telegram.org/bots/api#sendcontact.
func (s *Server) sendContact(cl *call) (any, *apiError) {
	c, err := s.targetLocked(cl.p, "chat_id")
	if err != nil {
		return nil, err
	}
	phone, first := cl.p.str("phone_number"), cl.p.str("first_name")
	if phone == "" || first == "" {
		return nil, badRequest("contact's phone number and first name must be non-empty")
	}
	return s.simpleSendLocked(c, cl, &stored{kind: "contact", w: wireMessage{Contact: &models.Contact{
		PhoneNumber: phone, FirstName: first, LastName: cl.p.str("last_name"),
	}}})
}

func (s *Server) simpleSendLocked(c *chat, cl *call, st *stored) (any, *apiError) {
	markup, kb, err := parseMarkup(cl.p)
	if err != nil {
		return nil, err
	}
	reply, err := s.replyLocked(c, cl.p)
	if err != nil {
		return nil, err
	}
	if err := s.admitLocked(c, s.now()); err != nil {
		return nil, err
	}
	st.keyboard, st.w.ReplyToMessage, st.w.ReplyMarkup = kb, reply, markup
	return s.botMessageLocked(c, st, cl), nil
}

// sourceLocked finds the message copyMessage or forwardMessage is given.
func (s *Server) sourceLocked(p params, notFound string) (*stored, *apiError) {
	fromID, err := p.chatID("from_chat_id")
	if err != nil {
		return nil, err
	}
	from := s.chats[fromID]
	if from == nil {
		return nil, badRequest("chat not found")
	}
	id, err := p.int("message_id")
	if err != nil {
		return nil, err
	}
	src := from.msgs[int(id)]
	if src == nil || src.deleted {
		return nil, badRequest("%s", notFound)
	}
	if src.service {
		return nil, badRequest("message can't be copied")
	}
	return src, nil
}

// content is a copy of a message's content, without its place and markup.
func (st *stored) content() *stored {
	cp := &stored{
		kind: st.kind, fileID: st.fileID, fileName: st.fileName, raw: st.raw, parseMode: st.parseMode,
		fromChat: st.w.Chat.ID, fromMsg: st.w.MessageID,
	}
	w := st.w
	cp.w = wireMessage{
		Text: w.Text, Entities: w.Entities, Animation: w.Animation, Audio: w.Audio, Document: w.Document,
		Photo: w.Photo, Sticker: w.Sticker, Video: w.Video, Voice: w.Voice, Caption: w.Caption,
		CaptionEntities: w.CaptionEntities, Contact: w.Contact, Location: w.Location,
	}
	if !st.fromBot {
		cp.raw, cp.parseMode = w.Text, ""
		if st.kind != "text" {
			cp.raw = w.Caption
		}
	}
	return cp
}

// copyMessage is https://core.telegram.org/bots/api#copymessage.
func (s *Server) copyMessage(cl *call) (any, *apiError) {
	c, err := s.targetLocked(cl.p, "chat_id")
	if err != nil {
		return nil, err
	}
	src, err := s.sourceLocked(cl.p, "message to copy not found")
	if err != nil {
		return nil, err
	}
	st := src.content()
	if cl.p.has("caption") && st.kind != "text" && st.kind != "sticker" {
		raw, mode := cl.p.str("caption"), cl.p.str("parse_mode")
		caption, ents, err := checkText(raw, mode, cl.p.str("caption_entities"), maxCaption, "message caption is too long", "")
		if err != nil {
			return nil, err
		}
		st.raw, st.parseMode, st.w.Caption, st.w.CaptionEntities = raw, mode, caption, ents
	}
	if _, err := s.simpleSendLocked(c, cl, st); err != nil {
		return nil, err
	}
	return models.MessageID{ID: st.w.MessageID}, nil
}

// forwardMessage is https://core.telegram.org/bots/api#forwardmessage.
func (s *Server) forwardMessage(cl *call) (any, *apiError) {
	c, err := s.targetLocked(cl.p, "chat_id")
	if err != nil {
		return nil, err
	}
	src, err := s.sourceLocked(cl.p, "message to forward not found")
	if err != nil {
		return nil, err
	}
	st := src.content()
	origin := s.botUser()
	if src.w.From != nil {
		origin = *src.w.From
	}
	st.w.ForwardOrigin = &wireOrigin{Type: "user", Date: src.w.Date, SenderUser: origin}
	if err := s.admitLocked(c, s.now()); err != nil {
		return nil, err
	}
	return s.botMessageLocked(c, st, cl), nil
}

// editTargetLocked finds the bot message an edit method is about.
func (s *Server) editTargetLocked(p params) (*chat, *stored, *apiError) {
	if !p.has("chat_id") && p.has("inline_message_id") {
		return nil, nil, badRequest("MESSAGE_ID_INVALID")
	}
	c, err := s.targetLocked(p, "chat_id")
	if err != nil {
		return nil, nil, err
	}
	id, err := p.int("message_id")
	if err != nil {
		return nil, nil, err
	}
	st := c.msgs[int(id)]
	if st == nil || st.deleted {
		return nil, nil, badRequest("message to edit not found")
	}
	if !st.fromBot {
		return nil, nil, badRequest("message can't be edited")
	}
	return c, st, nil
}

var errNotModified = badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")

// applyEditLocked counts an edit against the limits, then records it.
func (s *Server) applyEditLocked(c *chat, st *stored, cl *call, edit func()) (any, *apiError) {
	if err := s.admitLocked(c, s.now()); err != nil {
		return nil, err
	}
	edit()
	st.w.EditDate = time.Now().Unix()
	s.deliverLocked(c, st, cl, true)
	return st.w, nil
}

// editMessageText is https://core.telegram.org/bots/api#editmessagetext.
// As at Telegram, leaving out reply_markup removes the inline keyboard.
func (s *Server) editMessageText(cl *call) (any, *apiError) {
	c, st, err := s.editTargetLocked(cl.p)
	if err != nil {
		return nil, err
	}
	if st.kind != "text" {
		return nil, badRequest("there is no text in the message to edit")
	}
	raw, mode := cl.p.str("text"), cl.p.str("parse_mode")
	plain, ents, err := checkText(raw, mode, cl.p.str("entities"), maxText, "message is too long", "message text is empty")
	if err != nil {
		return nil, err
	}
	markup, _, err := parseMarkup(cl.p)
	if err != nil {
		return nil, err
	}
	if plain == st.w.Text && reflect.DeepEqual(ents, st.w.Entities) && reflect.DeepEqual(markup, st.w.ReplyMarkup) {
		return nil, errNotModified
	}
	return s.applyEditLocked(c, st, cl, func() {
		st.raw, st.parseMode = raw, mode
		st.w.Text, st.w.Entities, st.w.ReplyMarkup = plain, ents, markup
	})
}

// editMessageCaption is https://core.telegram.org/bots/api#editmessagecaption.
func (s *Server) editMessageCaption(cl *call) (any, *apiError) {
	c, st, err := s.editTargetLocked(cl.p)
	if err != nil {
		return nil, err
	}
	if st.kind == "text" || st.kind == "sticker" || st.kind == "location" || st.kind == "contact" {
		return nil, badRequest("there is no caption in the message to edit")
	}
	raw, mode := cl.p.str("caption"), cl.p.str("parse_mode")
	caption, ents, err := checkText(raw, mode, cl.p.str("caption_entities"), maxCaption, "message caption is too long", "")
	if err != nil {
		return nil, err
	}
	markup, _, err := parseMarkup(cl.p)
	if err != nil {
		return nil, err
	}
	if caption == st.w.Caption && reflect.DeepEqual(ents, st.w.CaptionEntities) && reflect.DeepEqual(markup, st.w.ReplyMarkup) {
		return nil, errNotModified
	}
	return s.applyEditLocked(c, st, cl, func() {
		st.raw, st.parseMode = raw, mode
		st.w.Caption, st.w.CaptionEntities, st.w.ReplyMarkup = caption, ents, markup
	})
}

// editMessageReplyMarkup is https://core.telegram.org/bots/api#editmessagereplymarkup.
func (s *Server) editMessageReplyMarkup(cl *call) (any, *apiError) {
	c, st, err := s.editTargetLocked(cl.p)
	if err != nil {
		return nil, err
	}
	markup, _, err := parseMarkup(cl.p)
	if err != nil {
		return nil, err
	}
	if reflect.DeepEqual(markup, st.w.ReplyMarkup) {
		return nil, errNotModified
	}
	return s.applyEditLocked(c, st, cl, func() { st.w.ReplyMarkup = markup })
}

// deleteMessage is https://core.telegram.org/bots/api#deletemessage.
func (s *Server) deleteMessage(cl *call) (any, *apiError) {
	id, err := cl.p.chatID("chat_id")
	if err != nil {
		return nil, err
	}
	c := s.chats[id]
	if c == nil {
		return nil, badRequest("chat not found")
	}
	mid, err := cl.p.int("message_id")
	if err != nil {
		return nil, err
	}
	st := c.msgs[int(mid)]
	if st == nil || st.deleted {
		return nil, badRequest("message to delete not found")
	}
	st.deleted = true
	return true, nil
}

// chatActions are the actions sendChatAction takes.
var chatActions = map[string]bool{
	"typing": true, "upload_photo": true, "record_video": true, "upload_video": true,
	"record_voice": true, "upload_voice": true, "upload_document": true, "choose_sticker": true,
	"find_location": true, "record_video_note": true, "upload_video_note": true,
}

// sendChatAction is https://core.telegram.org/bots/api#sendchataction.
func (s *Server) sendChatAction(cl *call) (any, *apiError) {
	if _, err := s.targetLocked(cl.p, "chat_id"); err != nil {
		return nil, err
	}
	if !chatActions[cl.p.str("action")] {
		return nil, badRequest("wrong parameter action in request")
	}
	return true, nil
}

// answerCallbackQuery is https://core.telegram.org/bots/api#answercallbackquery.
// A query can be answered once.
func (s *Server) answerCallbackQuery(cl *call) (any, *apiError) {
	q := s.callbacks[cl.p.str("callback_query_id")]
	if q == nil || q.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	if utf8.RuneCountInString(cl.p.str("text")) > 200 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	q.answered = true
	s.answered++
	return true, nil
}

// CallbackAnswers counts answerCallbackQuery calls that answered a real,
// unanswered query.
func (s *Server) CallbackAnswers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.answered
}

// scopeTypes are the BotCommandScope types.
var scopeTypes = map[string]bool{
	"default": true, "all_private_chats": true, "all_group_chats": true, "all_chat_administrators": true,
	"chat": true, "chat_administrators": true, "chat_member": true,
}

// commandsKey is where a scope and language's commands are kept.
func commandsKey(p params) (string, *apiError) {
	scope := struct {
		Type   string          `json:"type"`
		ChatID json.RawMessage `json:"chat_id"`
		UserID int64           `json:"user_id"`
	}{}
	given, err := p.json("scope", &scope)
	if err != nil || (given && scope.Type == "") {
		return "", badRequest("can't parse BotCommandScope JSON object")
	}
	if !given {
		scope.Type = "default"
	}
	if !scopeTypes[scope.Type] {
		return "", badRequest("unsupported bot command scope type specified")
	}
	switch scope.Type {
	case "chat", "chat_administrators", "chat_member":
		// These scopes name a chat, which the bot must know.
		if len(scope.ChatID) == 0 {
			return "", badRequest("chat not found")
		}
		if scope.Type == "chat_member" && scope.UserID == 0 {
			return "", badRequest("user not found")
		}
	}
	lang := p.str("language_code")
	if lang != "" && (len(lang) != 2 || strings.ToLower(lang) != lang) {
		return "", badRequest("invalid language code specified")
	}
	return scopeKey(scope.Type, strings.Trim(string(scope.ChatID), `"`), scope.UserID, lang), nil
}

func scopeKey(typ, chat string, user int64, lang string) string {
	return typ + "/" + chat + "/" + strconv.FormatInt(user, 10) + "/" + lang
}

// Commands returns the commands set for the default scope and language code
// lang ("" is the list for all languages without their own).
func (s *Server) Commands(lang string) []models.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]models.BotCommand(nil), s.commands[scopeKey("default", "", 0, lang)]...)
}

// ChatCommands returns the commands set for one chat's scope and language
// code lang.
func (s *Server) ChatCommands(chatID int64, lang string) []models.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]models.BotCommand(nil), s.commands[scopeKey("chat", strconv.FormatInt(chatID, 10), 0, lang)]...)
}

// knownScopeChat refuses a chat scope whose chat the bot has never seen, as
// Telegram does.
func (s *Server) knownScopeChat(p params) *apiError {
	var scope struct {
		Type   string `json:"type"`
		ChatID any    `json:"chat_id"`
	}
	if ok, _ := p.json("scope", &scope); !ok || scope.ChatID == nil {
		return nil
	}
	id, isNum := scope.ChatID.(float64)
	if isNum && s.chats[int64(id)] == nil {
		return badRequest("chat not found")
	}
	return nil
}

// setMyCommands is https://core.telegram.org/bots/api#setmycommands.
func (s *Server) setMyCommands(cl *call) (any, *apiError) {
	var cmds []models.BotCommand
	ok, err := cl.p.json("commands", &cmds)
	if err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if !ok {
		return nil, badRequest("parameter \"commands\" is required")
	}
	if len(cmds) > 100 {
		return nil, badRequest("BOT_COMMANDS_TOO_MUCH")
	}
	for _, c := range cmds {
		if !validCommand(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf8.RuneCountInString(strings.TrimSpace(c.Description)); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	key, aerr := commandsKey(cl.p)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.knownScopeChat(cl.p); aerr != nil {
		return nil, aerr
	}
	if len(cmds) == 0 {
		delete(s.commands, key)
	} else {
		s.commands[key] = cmds
	}
	return true, nil
}

// validCommand: 1–32 characters, lower-case letters, digits and underscores.
func validCommand(c string) bool {
	if len(c) < 1 || len(c) > 32 {
		return false
	}
	for _, r := range c {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// getMyCommands is https://core.telegram.org/bots/api#getmycommands.
func (s *Server) getMyCommands(cl *call) (any, *apiError) {
	key, err := commandsKey(cl.p)
	if err != nil {
		return nil, err
	}
	cmds := s.commands[key]
	if cmds == nil {
		cmds = []models.BotCommand{}
	}
	return cmds, nil
}

// deleteMyCommands is https://core.telegram.org/bots/api#deletemycommands.
func (s *Server) deleteMyCommands(cl *call) (any, *apiError) {
	key, err := commandsKey(cl.p)
	if err != nil {
		return nil, err
	}
	if err := s.knownScopeChat(cl.p); err != nil {
		return nil, err
	}
	delete(s.commands, key)
	return true, nil
}

// leaveChat is https://core.telegram.org/bots/api#leavechat.
func (s *Server) leaveChat(cl *call) (any, *apiError) {
	id, err := cl.p.chatID("chat_id")
	if err != nil {
		return nil, err
	}
	c := s.chats[id]
	switch {
	case c == nil || (!c.group() && c.user == nil):
		return nil, badRequest("chat not found")
	case !c.group():
		return nil, badRequest("chat member status can't be changed in private chats")
	case !c.member:
		return nil, forbidden("bot is not a member of the " + c.typ + " chat")
	}
	c.member = false
	s.memberUpdateLocked(c, s.botUser(), "member", "left")
	return true, nil
}

// getChat is https://core.telegram.org/bots/api#getchat.
func (s *Server) getChat(cl *call) (any, *apiError) {
	id, err := cl.p.chatID("chat_id")
	if err != nil {
		return nil, err
	}
	c := s.chats[id]
	if c == nil || (!c.group() && c.user == nil) {
		return nil, badRequest("chat not found")
	}
	w := s.wireChat(c)
	return struct {
		wireChat
		AccentColorID    int `json:"accent_color_id"`
		MaxReactionCount int `json:"max_reaction_count"`
	}{wireChat: w, MaxReactionCount: 11}, nil
}
