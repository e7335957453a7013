package telegramtest

import (
	"encoding/json"

	"github.com/go-telegram/bot/models"
)

// The types in this file are the JSON Telegram sends. They are written out
// rather than taken from models because models marshals some zero values that
// Telegram omits (copy_text on every inline button, custom_emoji_id on every
// sticker), and a fake that sends what Telegram does not would hide bugs.

// wireUser is https://core.telegram.org/bots/api#user.
type wireUser struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

// wireMe is the User getMe returns: a bot's extra fields are always present.
type wireMe struct {
	wireUser
	CanJoinGroups           bool `json:"can_join_groups"`
	CanReadAllGroupMessages bool `json:"can_read_all_group_messages"`
	SupportsInlineQueries   bool `json:"supports_inline_queries"`
	CanConnectToBusiness    bool `json:"can_connect_to_business"`
	HasMainWebApp           bool `json:"has_main_web_app"`
}

// wireChat is https://core.telegram.org/bots/api#chat.
type wireChat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title,omitempty"`
	Username  string `json:"username,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	// AllMembersAreAdministrators is still sent for basic groups.
	AllMembersAreAdministrators bool `json:"all_members_are_administrators,omitempty"`
	IsForum                     bool `json:"is_forum,omitempty"` // a supergroup with topics
}

// wireOrigin is https://core.telegram.org/bots/api#messageoriginuser.
type wireOrigin struct {
	Type       string   `json:"type"`
	Date       int64    `json:"date"`
	SenderUser wireUser `json:"sender_user"`
}

// wireSticker is https://core.telegram.org/bots/api#sticker.
type wireSticker struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Type         string `json:"type"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	IsAnimated   bool   `json:"is_animated"`
	IsVideo      bool   `json:"is_video"`
	Emoji        string `json:"emoji,omitempty"`
	SetName      string `json:"set_name,omitempty"`
	FileSize     int    `json:"file_size,omitempty"`
}

// wireMessage is https://core.telegram.org/bots/api#message, the fields this
// fake produces.
type wireMessage struct {
	MessageID          int                        `json:"message_id"`
	From               *wireUser                  `json:"from,omitempty"`
	Date               int64                      `json:"date"`
	Chat               wireChat                   `json:"chat"`
	ForwardOrigin      *wireOrigin                `json:"forward_origin,omitempty"`
	ReplyToMessage     *wireMessage               `json:"reply_to_message,omitempty"`
	HasProtected       bool                       `json:"has_protected_content,omitempty"`
	EditDate           int64                      `json:"edit_date,omitempty"`
	Text               string                     `json:"text,omitempty"`
	Entities           []models.MessageEntity     `json:"entities,omitempty"`
	LinkPreviewOptions *models.LinkPreviewOptions `json:"link_preview_options,omitempty"`
	Animation          *models.Animation          `json:"animation,omitempty"`
	Audio              *models.Audio              `json:"audio,omitempty"`
	Document           *models.Document           `json:"document,omitempty"`
	Photo              []models.PhotoSize         `json:"photo,omitempty"`
	Sticker            *wireSticker               `json:"sticker,omitempty"`
	Video              *models.Video              `json:"video,omitempty"`
	Voice              *models.Voice              `json:"voice,omitempty"`
	Caption            string                     `json:"caption,omitempty"`
	CaptionEntities    []models.MessageEntity     `json:"caption_entities,omitempty"`
	Contact            *models.Contact            `json:"contact,omitempty"`
	Location           *models.Location           `json:"location,omitempty"`
	NewChatMembers     []wireUser                 `json:"new_chat_members,omitempty"`
	LeftChatMember     *wireUser                  `json:"left_chat_member,omitempty"`
	ReplyMarkup        *wireMarkup                `json:"reply_markup,omitempty"`

	// Forum topics (https://core.telegram.org/bots/api#forumtopic): a
	// message in a topic carries the topic's id, which is the id of the
	// service message that created it.
	MessageThreadID    int          `json:"message_thread_id,omitempty"`
	IsTopicMessage     bool         `json:"is_topic_message,omitempty"`
	ForumTopicCreated  *wireTopic   `json:"forum_topic_created,omitempty"`
	ForumTopicEdited   *wireTopic   `json:"forum_topic_edited,omitempty"`
	ForumTopicClosed   *struct{}    `json:"forum_topic_closed,omitempty"`
	ForumTopicReopened *struct{}    `json:"forum_topic_reopened,omitempty"`
	PinnedMessage      *wireMessage `json:"pinned_message,omitempty"`
}

// wireTopic is forum_topic_created and forum_topic_edited.
type wireTopic struct {
	Name      string `json:"name,omitempty"`
	IconColor int    `json:"icon_color,omitempty"`
}

// wireMarkup is https://core.telegram.org/bots/api#inlinekeyboardmarkup.
type wireMarkup struct {
	InlineKeyboard [][]wireButton `json:"inline_keyboard"`
}

// wireButton is https://core.telegram.org/bots/api#inlinekeyboardbutton. It
// also reads the bot's buttons, so the rarer kinds are kept as raw JSON.
type wireButton struct {
	Text                         string          `json:"text"`
	URL                          string          `json:"url,omitempty"`
	CallbackData                 string          `json:"callback_data,omitempty"`
	CopyText                     *wireCopyText   `json:"copy_text,omitempty"`
	WebApp                       json.RawMessage `json:"web_app,omitempty"`
	LoginURL                     json.RawMessage `json:"login_url,omitempty"`
	SwitchInlineQuery            *string         `json:"switch_inline_query,omitempty"`
	SwitchInlineQueryCurrentChat *string         `json:"switch_inline_query_current_chat,omitempty"`
	SwitchInlineQueryChosenChat  json.RawMessage `json:"switch_inline_query_chosen_chat,omitempty"`
	CallbackGame                 json.RawMessage `json:"callback_game,omitempty"`
	Pay                          bool            `json:"pay,omitempty"`
}

// wireCopyText is https://core.telegram.org/bots/api#copytextbutton.
type wireCopyText struct {
	Text string `json:"text"`
}

// wireInaccessible is https://core.telegram.org/bots/api#inaccessiblemessage.
type wireInaccessible struct {
	Chat      wireChat `json:"chat"`
	MessageID int      `json:"message_id"`
	Date      int      `json:"date"` // always 0: how the bot tells it from a Message
}

// wireCallback is https://core.telegram.org/bots/api#callbackquery.
type wireCallback struct {
	ID           string   `json:"id"`
	From         wireUser `json:"from"`
	Message      any      `json:"message,omitempty"` // *wireMessage or *wireInaccessible
	ChatInstance string   `json:"chat_instance"`
	Data         string   `json:"data,omitempty"`
}

// wireMember is https://core.telegram.org/bots/api#chatmember for the
// statuses this fake produces (member, left, kicked).
type wireMember struct {
	Status    string   `json:"status"`
	User      wireUser `json:"user"`
	UntilDate *int64   `json:"until_date,omitempty"`
}

// wireMemberUpdate is https://core.telegram.org/bots/api#chatmemberupdated.
type wireMemberUpdate struct {
	Chat          wireChat   `json:"chat"`
	From          wireUser   `json:"from"`
	Date          int64      `json:"date"`
	OldChatMember wireMember `json:"old_chat_member"`
	NewChatMember wireMember `json:"new_chat_member"`
}

// wireUpdate is https://core.telegram.org/bots/api#update.
type wireUpdate struct {
	UpdateID      int64             `json:"update_id"`
	Message       *wireMessage      `json:"message,omitempty"`
	EditedMessage *wireMessage      `json:"edited_message,omitempty"`
	CallbackQuery *wireCallback     `json:"callback_query,omitempty"`
	MyChatMember  *wireMemberUpdate `json:"my_chat_member,omitempty"`
}

// member builds a ChatMember with the given status.
func member(status string, u wireUser) wireMember {
	m := wireMember{Status: status, User: u}
	if status == "kicked" {
		var forever int64
		m.UntilDate = &forever
	}
	return m
}
