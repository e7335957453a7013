package bot

import "encoding/json"

// Strip returns what of a raw Telegram update the bot reads (input.go):
// ids, the chat, the sender's id and language, the text or caption, the
// first entity when it marks a command, which kind of media a message
// carries (not its content), the button's data and the message it sits on
// by id, and a shared contact's name and number, which the bot reads as
// typed. Everything else goes — the text of the message a button sits on
// (a whole report review), the message replied to, the sender's names and
// username, a shared contact's card and account, a location — before the
// update is stored in Redis. An update of a kind the bot does not read keeps its id only.
// What does not parse is returned as it is: the pipeline sends it to the
// dead letters.
func Strip(raw []byte) []byte {
	var u map[string]json.RawMessage
	if json.Unmarshal(raw, &u) != nil {
		return raw
	}
	out := map[string]any{"update_id": u["update_id"]}
	switch {
	case u["message"] != nil:
		m, ok := stripMessage(u["message"], true)
		if !ok {
			return raw
		}
		out["message"] = m
	case u["edited_message"] != nil:
		m, ok := stripMessage(u["edited_message"], true)
		if !ok {
			return raw
		}
		out["edited_message"] = m
	case u["callback_query"] != nil:
		var cq struct {
			ID      string          `json:"id"`
			From    json.RawMessage `json:"from"`
			Message json.RawMessage `json:"message"`
			Data    string          `json:"data"`
		}
		if json.Unmarshal(u["callback_query"], &cq) != nil {
			return raw
		}
		q := map[string]any{"id": cq.ID, "from": stripUser(cq.From), "data": cq.Data, "chat_instance": ""}
		if cq.Message != nil {
			m, ok := stripMessage(cq.Message, false)
			if !ok {
				return raw
			}
			q["message"] = m
		}
		out["callback_query"] = q
	case u["my_chat_member"] != nil:
		var cm struct {
			Chat          json.RawMessage `json:"chat"`
			From          json.RawMessage `json:"from"`
			Date          int64           `json:"date"`
			OldChatMember json.RawMessage `json:"old_chat_member"`
			NewChatMember json.RawMessage `json:"new_chat_member"`
		}
		if json.Unmarshal(u["my_chat_member"], &cm) != nil {
			return raw
		}
		out["my_chat_member"] = map[string]any{"chat": stripChat(cm.Chat), "from": stripUser(cm.From), "date": cm.Date,
			"old_chat_member": stripMember(cm.OldChatMember), "new_chat_member": stripMember(cm.NewChatMember)}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return raw
	}
	return b
}

// mediaFields are the kinds of content a message may carry; only whether
// one is there is kept.
var mediaFields = map[string]string{
	"sticker": "{}", "voice": "{}", "video_note": "{}", "video": "{}", "animation": "{}", "audio": "{}",
	"document": "{}", "location": "{}", "contact": "{}", "poll": "{}", "photo": "[{}]",
}

// stripMessage keeps a message's ids, chat, sender, date and, when full,
// its text, caption, command entity, kind of media, forum topic and the id
// of the message it replies to.
func stripMessage(raw json.RawMessage, full bool) (map[string]any, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil, false
	}
	out := map[string]any{"message_id": m["message_id"], "date": m["date"], "chat": stripChat(m["chat"])}
	if m["date"] == nil {
		out["date"] = 0
	}
	if m["from"] != nil {
		out["from"] = stripUser(m["from"])
	}
	if !full {
		return out, true
	}
	for _, k := range []string{"text", "caption"} {
		if m[k] != nil {
			out[k] = m[k]
		}
	}
	var ents []struct {
		Type   string `json:"type"`
		Offset int    `json:"offset"`
		Length int    `json:"length"`
	}
	if json.Unmarshal(m["entities"], &ents) == nil && len(ents) > 0 && ents[0].Type == "bot_command" {
		out["entities"] = ents[:1]
	}
	for _, k := range []string{"message_thread_id", "is_topic_message"} { // the forum topic it is in
		if m[k] != nil {
			out[k] = m[k]
		}
	}
	for k, stub := range mediaFields {
		if m[k] != nil && string(m[k]) != "null" {
			out[k] = json.RawMessage(stub)
		}
	}
	var contact struct {
		Phone string `json:"phone_number"`
		First string `json:"first_name"`
		Last  string `json:"last_name"`
	}
	if m["contact"] != nil && json.Unmarshal(m["contact"], &contact) == nil && contact.Phone != "" {
		out["contact"] = map[string]string{"phone_number": contact.Phone, "first_name": contact.First, "last_name": contact.Last}
	}
	if m["reply_to_message"] != nil {
		r, ok := stripMessage(m["reply_to_message"], false)
		if !ok {
			return nil, false
		}
		out["reply_to_message"] = r
	}
	return out, true
}

// stripChat keeps a chat's id and type.
func stripChat(raw json.RawMessage) map[string]any {
	var c struct {
		ID   int64  `json:"id"`
		Type string `json:"type"`
	}
	_ = json.Unmarshal(raw, &c)
	return map[string]any{"id": c.ID, "type": c.Type}
}

// stripUser keeps a user's id, whether it is a bot and its language.
func stripUser(raw json.RawMessage) map[string]any {
	var u struct {
		ID           int64  `json:"id"`
		IsBot        bool   `json:"is_bot"`
		LanguageCode string `json:"language_code"`
	}
	_ = json.Unmarshal(raw, &u)
	out := map[string]any{"id": u.ID, "is_bot": u.IsBot, "first_name": ""}
	if u.LanguageCode != "" {
		out["language_code"] = u.LanguageCode
	}
	return out
}

// stripMember keeps a chat member's status and user id.
func stripMember(raw json.RawMessage) map[string]any {
	var m struct {
		Status string          `json:"status"`
		User   json.RawMessage `json:"user"`
	}
	_ = json.Unmarshal(raw, &m)
	return map[string]any{"status": m.Status, "user": stripUser(m.User)}
}
