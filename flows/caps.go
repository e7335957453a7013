package flows

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Size caps on every input: no input is larger than the bot needs.
// Telegram sends at most 4096 characters of text and 64 bytes of callback data, but an update can be
// forged (a leaked webhook secret, a future client): nothing larger gets
// into the flows, their stores or their logs. Each free-text step caps
// its answer further (step.max, MaxText); command arguments are capped
// here, a little above the longest one a command takes (/note's text).
const (
	// MaxInputText is the longest text or caption taken, in characters.
	MaxInputText = 4096
	// MaxCallbackData is the longest callback data taken, in bytes.
	MaxCallbackData = 64
	// argSlack is what a command's argument may hold beyond MaxText: a
	// case code and the spaces around it.
	argSlack = 32
)

// oversized says why the input is refused for its size, or returns nil.
// A refused input changes nothing: the chat is shown where it is.
func (c *turn) oversized() *Text {
	in := c.in
	switch {
	case len(in.Data) > MaxCallbackData:
		t := T("button.old")
		return &t
	case in.Kind == KindCommand && utf8.RuneCountInString(strings.TrimSpace(in.Text)) > c.a.cfg.MaxText+argSlack:
		t := T("input.arg_too_long", "Max", T("unit.chars").Plural(c.a.cfg.MaxText+argSlack))
		return &t
	case utf8.RuneCountInString(in.Text) > MaxInputText:
		return tooLong(utf8.RuneCountInString(in.Text), MaxInputText)
	}
	return nil
}

// A text longer than Telegram's limit arrives as several messages: the
// first at the limit, the rest a moment later. They are one answer, and
// one too long for any question: each part is refused, none kept.
const (
	// splitAt is where a part counts as cut by Telegram: clients split a
	// little before the limit, at a space.
	splitAt = MaxInputText * 95 / 100
	// splitGap is how soon after it the next part comes.
	splitGap = 2 * time.Second
)

// splitPart reports whether a typed answer is a part of a message Telegram
// split: at the limit itself, or following such a part within splitGap at
// the same step. It notes the part's time for the next one.
func (c *turn) splitPart(v string) bool {
	s := c.s
	at := c.in.At
	if at.IsZero() {
		at = c.now
	}
	follows := !s.Long.IsZero() && s.LongStep == s.Step && at.Sub(s.Long) >= -splitGap && at.Sub(s.Long) <= splitGap
	if utf8.RuneCountInString(v) >= splitAt || follows {
		s.Long, s.LongStep = at, s.Step
		return true
	}
	s.Long, s.LongStep = time.Time{}, ""
	return false
}
