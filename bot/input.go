package bot

import (
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"hotline/flows"
)

// input reads what the user did from a Telegram update.
func input(u *models.Update) (flows.Input, bool) {
	in := flows.Input{UpdateID: u.ID}
	var m *models.Message
	switch {
	case u.Message != nil:
		m = u.Message
	case u.EditedMessage != nil:
		m = u.EditedMessage
		in.Edited = true
	case u.CallbackQuery != nil:
		cq := u.CallbackQuery
		msg := cq.Message.Message
		if msg == nil && cq.Message.InaccessibleMessage != nil {
			msg = &models.Message{ID: cq.Message.InaccessibleMessage.MessageID, Chat: cq.Message.InaccessibleMessage.Chat}
		}
		if msg == nil {
			return in, false
		}
		in.Kind = flows.KindButton
		in.ChatID = msg.Chat.ID
		in.ChatType = string(msg.Chat.Type)
		in.UserID = cq.From.ID
		in.LangCode = cq.From.LanguageCode
		in.Data = cq.Data
		in.MessageID = msg.ID
		in.At = time.Now()
		return in, true
	case u.MyChatMember != nil:
		c := u.MyChatMember.Chat
		if c.Type == models.ChatTypePrivate {
			return in, false // the user blocked or unblocked the bot; the sender learns of it by 403
		}
		if t := u.MyChatMember.NewChatMember.Type; t != models.ChatMemberTypeMember && t != models.ChatMemberTypeAdministrator {
			return in, false // the bot left or was removed: nothing to do
		}
		in.ChatID, in.ChatType, in.Kind = c.ID, string(c.Type), flows.KindMedia
		in.UserID = u.MyChatMember.From.ID
		return in, true
	default:
		return in, false // reactions…: nothing the conversation needs
	}

	in.ChatID = m.Chat.ID
	in.ChatType = string(m.Chat.Type)
	in.MessageID = m.ID
	if m.ReplyToMessage != nil {
		in.ReplyTo = m.ReplyToMessage.ID
	}
	if m.IsTopicMessage || m.MessageThreadID != 0 {
		// A forum topic (is_topic_message is not always sent with it).
		in.ThreadID = m.MessageThreadID
	}
	in.At = time.Unix(int64(m.Date), 0)
	if m.From != nil {
		in.UserID = m.From.ID
		in.LangCode = m.From.LanguageCode
	}
	if m.Text != "" {
		in.Kind = flows.KindText
		in.Text = m.Text
		if cmd, arg, ok := command(m); ok {
			in.Kind, in.Command, in.Text = flows.KindCommand, cmd, arg
		}
		return in, true
	}
	if c := m.Contact; c != nil && c.PhoneNumber != "" {
		// A contact shared from the phone's address book, or one's own
		// number: read as its name and number typed — the answer to "how
		// can we reach you?", a check-in's trusted contact. Refused as a
		// file, it was to be typed by hand.
		in.Kind = flows.KindText
		in.Text = strings.Join(strings.Fields(c.FirstName+" "+c.LastName+" "+c.PhoneNumber), " ")
		return in, true
	}
	in.Kind = flows.KindMedia
	in.Text = m.Caption
	in.Media = media(m)
	in.Group = m.MediaGroupID
	return in, true
}

// command splits "/start@hotline_bot c_ABC" into "start" and "c_ABC" when
// the message begins with a bot_command entity.
func command(m *models.Message) (cmd, arg string, ok bool) {
	if len(m.Entities) == 0 || m.Entities[0].Type != models.MessageEntityTypeBotCommand || m.Entities[0].Offset != 0 {
		if !strings.HasPrefix(m.Text, "/") {
			return "", "", false
		}
	}
	word, rest, _ := strings.Cut(m.Text, " ")
	word = strings.TrimPrefix(word, "/")
	word, _, _ = strings.Cut(word, "@")
	if word == "" {
		return "", "", false
	}
	return strings.ToLower(word), strings.TrimSpace(rest), true
}

// media names the kind of a message that carries no text.
func media(m *models.Message) string {
	switch {
	case len(m.Photo) > 0:
		return "photo"
	case m.Sticker != nil:
		return "sticker"
	case m.Voice != nil:
		return "voice"
	case m.VideoNote != nil:
		return "video_note"
	case m.Video != nil:
		return "video"
	case m.Animation != nil:
		return "animation"
	case m.Audio != nil:
		return "audio"
	case m.Document != nil:
		return "document"
	case m.Location != nil:
		return "location"
	case m.Contact != nil:
		return "contact"
	case m.Poll != nil:
		return "poll"
	default:
		return "other"
	}
}
