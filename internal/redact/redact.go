// Package redact keeps personal data out of the logs: a slog handler that
// drops and masks it before the record is written.
package redact

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
)

// No personal data in the logs. The code logs ids and step
// names only; this handler is the net under that rule. It drops the value
// of every attribute whose key names personal data, and masks, in every
// other string (the message, error texts), anything that looks like an
// A-number, a phone number or a full date: runs of seven or more digits,
// with or without separators or an "A" in front.

// redacted replaces what the handler takes out.
const redacted = "[redacted]"

// personalWord reports whether a word of a key marks it as carrying
// personal data. A key's words are what lies between anything but letters
// and digits, lower-cased: "name" matches name, reporter_name and
// lawyer.name, not username.
func personalWord(w string) bool {
	switch w {
	case "name", "names", "fullname", "phone", "contact", "email",
		"anumber", "alien", "birth", "born", "birthdate", "dob",
		"text", "caption", "note", "notes", "message", "body",
		"relationship", "lawyer", "reporter", "address", "circumstance",
		"query", "draft", "report", "answer":
		return true
	}
	return false
}

// unscanned keys hold values that are never personal and whose digit runs
// matter to whoever reads the log: a goroutine dump's addresses.
func unscanned(key string) bool { return key == "stack" }

// digitRun is seven or more digits with at most two separators between
// any two of them, optionally after an A: an A-number (A123456789,
// 123-456-789), a phone (+1 (520) 555-0100) or a date (1985-05-05).
var digitRun = regexp.MustCompile(`(?i)(?:\bA[\s#.-]{0,2})?\+?\(?\d(?:[\s().\-/]{0,2}\d){6,}`)

// personalKey reports whether a key names personal data.
func personalKey(key string) bool {
	k := strings.ToLower(key)
	if k == "a_number" || k == "a-number" {
		return true
	}
	for _, w := range strings.FieldsFunc(k, func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9')
	}) {
		if personalWord(w) {
			return true
		}
	}
	return false
}

// redactString masks the digit runs of s.
func redactString(s string) string {
	if !strings.ContainsAny(s, "0123456789") {
		return s
	}
	return digitRun.ReplaceAllString(s, redacted)
}

// redactAttr returns a with personal data taken out.
func redactAttr(a slog.Attr) slog.Attr {
	if personalKey(a.Key) {
		return slog.String(a.Key, redacted)
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		if unscanned(a.Key) {
			return slog.Attr{Key: a.Key, Value: v}
		}
		return slog.String(a.Key, redactString(v.String()))
	case slog.KindGroup:
		as := v.Group()
		out := make([]slog.Attr, 0, len(as))
		for _, x := range as {
			out = append(out, redactAttr(x))
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(out...)}
	case slog.KindAny:
		// Errors, structs, slices: written as their text, masked. A
		// struct must not reach the JSON encoder, which would write every
		// field of it — a report's name and phone among them.
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, redactString(x.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, redactString(x.String()))
		default:
			return slog.String(a.Key, redactString(fmt.Sprint(x)))
		}
	}
	// Numbers, bools, times and durations: ids and measurements.
	return slog.Attr{Key: a.Key, Value: v}
}

// redactingHandler takes personal data out of every record before the
// inner handler writes it.
type redactingHandler struct{ inner slog.Handler }

// Handler wraps h so that no personal data reaches it.
func Handler(h slog.Handler) slog.Handler { return redactingHandler{inner: h} }

func (h redactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, redactString(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return h.inner.Handle(ctx, out)
}

func (h redactingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	out := make([]slog.Attr, 0, len(as))
	for _, a := range as {
		out = append(out, redactAttr(a))
	}
	return redactingHandler{inner: h.inner.WithAttrs(out)}
}

func (h redactingHandler) WithGroup(name string) slog.Handler {
	return redactingHandler{inner: h.inner.WithGroup(name)}
}
