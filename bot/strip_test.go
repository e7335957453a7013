package bot

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"hotline/flows"
)

// TestStripKeepsWhatTheBotReads: every kind of update the bot reads gives
// the same input stripped as whole, and the stripped update holds none of
// what the user did not type for the bot: the text of the message a button
// sits on (a whole review), names, usernames, the message replied to, the
// place shared with a contact. A shared contact's name and number are read
// as typed: kept, as text is.
func TestStripKeepsWhatTheBotReads(t *testing.T) {
	secret := []string{"Ivan Petrov", "A123-456-789", "+7 916 123-45-67", "Petrova", "maria_p", "55.75"}
	for _, tc := range []struct{ name, raw string }{
		{"button under a review", `{"update_id":7,"callback_query":{"id":"cq1","from":{"id":42,"is_bot":false,"first_name":"Maria","last_name":"Petrova","username":"maria_p","language_code":"ru"},
			"message":{"message_id":9,"date":1700000000,"chat":{"id":42,"type":"private","first_name":"Maria","username":"maria_p"},"text":"Ivan Petrov, A123-456-789, +7 916 123-45-67",
			"reply_markup":{"inline_keyboard":[[{"text":"Ivan Petrov","callback_data":"x"}]]}},"chat_instance":"1","data":"n1:review:ok"}}`},
		{"command", `{"update_id":8,"message":{"message_id":10,"date":1700000001,"chat":{"id":42,"type":"private","first_name":"Maria"},"from":{"id":42,"is_bot":false,"first_name":"Maria","last_name":"Petrova","language_code":"en"},
			"text":"/start c_ABCD","entities":[{"type":"bot_command","offset":0,"length":6}]}}`},
		{"reply to a relayed copy", `{"update_id":9,"message":{"message_id":11,"date":1700000002,"chat":{"id":42,"type":"private"},"from":{"id":42,"is_bot":false,"first_name":"Maria"},
			"text":"thanks","reply_to_message":{"message_id":5,"date":1700000000,"chat":{"id":42,"type":"private"},"from":{"id":1,"is_bot":true,"first_name":"Bot"},"text":"Ivan Petrov, A123-456-789"},
			"entities":[{"type":"phone_number","offset":0,"length":3}]}}`},
		{"shared contact", `{"update_id":10,"message":{"message_id":12,"date":1700000003,"chat":{"id":42,"type":"private"},"from":{"id":42,"is_bot":false,"first_name":"Maria"},
			"contact":{"phone_number":"+1 305 555 0199","first_name":"Tia","last_name":"Lopez","user_id":777,"vcard":"BEGIN:VCARD maria_p"},"caption":"","location":{"latitude":55.75,"longitude":37.6}}}`},
		{"photo with a caption", `{"update_id":11,"message":{"message_id":13,"date":1700000004,"chat":{"id":42,"type":"private"},"from":{"id":42,"is_bot":false,"first_name":"Maria"},
			"photo":[{"file_id":"x","file_unique_id":"y","width":1,"height":1}],"caption":"his documents"}}`},
		{"added to a group", `{"update_id":12,"my_chat_member":{"chat":{"id":-100,"type":"supergroup","title":"Petrova family"},"from":{"id":42,"is_bot":false,"first_name":"Maria","username":"maria_p"},"date":1700000005,
			"old_chat_member":{"status":"left","user":{"id":1,"is_bot":true,"first_name":"Bot"}},"new_chat_member":{"status":"member","user":{"id":1,"is_bot":true,"first_name":"Bot"}}}}`},
		{"message in a forum topic", `{"update_id":14,"message":{"message_id":15,"date":1700000008,"chat":{"id":-1009,"type":"supergroup","title":"Team","is_forum":true},"from":{"id":43,"is_bot":false,"first_name":"Anna","username":"maria_p"},
			"message_thread_id":3,"is_topic_message":true,"text":"we called","reply_to_message":{"message_id":3,"date":1700000000,"chat":{"id":-1009,"type":"supergroup"},"forum_topic_created":{"name":"Petrova","icon_color":1}}}}`},
		{"edited message", `{"update_id":13,"edited_message":{"message_id":14,"date":1700000006,"edit_date":1700000007,"chat":{"id":42,"type":"private"},"text":"he was moved"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stripped := Strip([]byte(tc.raw))
			for _, s := range secret {
				if strings.Contains(string(stripped), s) {
					t.Errorf("stripped update keeps %q: %s", s, stripped)
				}
			}
			whole, cut := decode(t, []byte(tc.raw)), decode(t, stripped)
			a, okA := input(whole)
			b, okB := input(cut)
			if a.Kind == flows.KindButton {
				b.At = a.At // a button's time is the time of handling
			}
			if okA != okB || !sameInput(a, b) {
				t.Errorf("input from the whole update %+v (%v), from the stripped one %+v (%v)", a, okA, b, okB)
			}
		})
	}
	if got := Strip([]byte("not json")); string(got) != "not json" {
		t.Errorf("what does not parse changed: %q", got)
	}
}

func decode(t *testing.T, raw []byte) *models.Update {
	t.Helper()
	var u models.Update
	if err := json.Unmarshal(raw, &u); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return &u
}

func sameInput(a, b flows.Input) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
