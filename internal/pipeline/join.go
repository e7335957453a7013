package pipeline

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// Joining. A chat's private limit is one message a second after a burst of
// three: when more notices wait for one chat than it may get (a volunteer on
// duty while a hundred reports a minute come in), those that allow it
// (Outgoing.Join) go out as one message — their texts one after another,
// separated by a blank line, their buttons one after another — rather than
// in a line that grows by the minute. Only calls next to each other in the
// chat's queue are joined, so the chat's order is kept; a joined call is
// answered, acknowledged, retried and dropped as all of its calls at once.

const (
	maxJoin        = 10   // calls in one joined message
	maxJoinRunes   = 4096 // Telegram's longest message (tags count too: a margin)
	maxJoinButtons = 100  // buttons under one message
)

// joinable are the sendMessage parameters a joined message may carry; the
// ones other than text and reply_markup must be the same in every call.
var joinable = map[string]bool{
	"chat_id": true, "text": true, "parse_mode": true, "link_preview_options": true,
	"protect_content": true, "reply_markup": true,
}

// joiner builds one sendMessage from several.
type joiner struct {
	first   map[string]json.RawMessage
	texts   []string
	runes   int
	rows    []json.RawMessage
	buttons int
}

// add takes one more call's parameters and reports whether they fit: the
// same chat and options, an inline keyboard if any, and within the limits
// of one message.
func (j *joiner) add(params []byte) bool {
	var f map[string]json.RawMessage
	if json.Unmarshal(params, &f) != nil {
		return false
	}
	for k := range f {
		if !joinable[k] {
			return false
		}
	}
	var text string
	if json.Unmarshal(f["text"], &text) != nil || text == "" {
		return false
	}
	var rows []json.RawMessage
	buttons := 0
	if rm, ok := f["reply_markup"]; ok {
		var mk map[string]json.RawMessage
		if json.Unmarshal(rm, &mk) != nil || len(mk) != 1 || mk["inline_keyboard"] == nil {
			return false
		}
		var kb [][]json.RawMessage
		if json.Unmarshal(mk["inline_keyboard"], &kb) != nil {
			return false
		}
		for _, row := range kb {
			buttons += len(row)
			b, err := json.Marshal(row)
			if err != nil {
				return false
			}
			rows = append(rows, b)
		}
	}
	if j.first != nil {
		for _, k := range []string{"chat_id", "parse_mode", "link_preview_options", "protect_content"} {
			if !bytes.Equal(f[k], j.first[k]) {
				return false
			}
		}
	}
	runes := utf8.RuneCountInString(text)
	if len(j.texts) > 0 {
		runes += 2 // the blank line between
	}
	if j.runes+runes > maxJoinRunes || j.buttons+buttons > maxJoinButtons {
		return false
	}
	if j.first == nil {
		j.first = f
	}
	j.texts = append(j.texts, text)
	j.runes += runes
	j.rows = append(j.rows, rows...)
	j.buttons += buttons
	return true
}

// params returns the joined message's parameters.
func (j *joiner) params() ([]byte, error) {
	out := make(map[string]any, len(j.first))
	for k, v := range j.first {
		out[k] = v
	}
	var text bytes.Buffer
	for i, t := range j.texts {
		if i > 0 {
			text.WriteString("\n\n")
		}
		text.WriteString(t)
	}
	out["text"] = text.String()
	if len(j.rows) > 0 {
		out["reply_markup"] = map[string]any{"inline_keyboard": j.rows}
	} else {
		delete(out, "reply_markup")
	}
	return json.Marshal(out)
}

// joined returns the call to make for the head of a chat's queue q: the head
// itself or, when it and the calls right after it allow it, one message
// carrying them all (item.parts).
func joined(q []*item) *item {
	head := q[0]
	if len(q) < 2 || !joins(head) {
		return head
	}
	var j joiner
	if !j.add(head.o.Params) {
		return head
	}
	parts := []*item{head}
	for _, x := range q[1:] {
		if len(parts) == maxJoin || !joins(x) || !j.add(x.o.Params) {
			break
		}
		parts = append(parts, x)
	}
	if len(parts) == 1 {
		return head
	}
	params, err := j.params()
	if err != nil {
		return head
	}
	o := head.o
	o.Params = params
	return &item{o: o, attempts: head.attempts, parts: parts}
}

// joins reports whether a queued call may be joined with others.
func joins(it *item) bool {
	return it.o.Join && !it.alone && it.o.Method == "sendMessage" && len(it.o.Params) > 0
}
