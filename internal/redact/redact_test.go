package redact

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"hotline/flows"
)

// TestRedactingHandler: attributes named for personal data lose their
// values; A-numbers, phones and dates lose their digits wherever they are
// (the message, an error, a struct); ids, step names and measurements stay.
func TestRedactingHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(Handler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))

	log.Info("stored A 123-456-789 for +1 (520) 555-0100",
		"name", "Ivan Petrov",
		"reporter_phone", "phone-value",
		"lawyer.contact", "contact-value",
		"Text", "text-value",
		"birth_date", "born-value",
		"note", "note-value",
		slog.Group("draft", "step", "name_latin", "value", "group-value"),
		"err", fmt.Errorf("load session 6000001: %w", errors.New("born 1985-05-05, a123456789")),
		"report", flows.Report{NameLatin: "struct-name", ReporterPhone: "+7 916 123-45-67"},
		"why", "A#123456789 and 79161234567",
		"chat_id", int64(6000001),
		"update_id", 123456789,
		"step", "a_number",
		"username", "hotline_test_bot",
		"stack", "goroutine 7 [running]:\nmain.f(0xc000123456)",
	)
	log.With("contact", "with-value", "partition", 3).WithGroup("g").Warn("x", "query", "query-value", "n", 2)

	out := buf.String()
	for _, secret := range []string{
		"Ivan Petrov", "phone-value", "contact-value", "text-value", "born-value", "note-value", "group-value",
		"struct-name", "with-value", "query-value",
		"123-456-789", "123456789\"", "(520) 555-0100", "1985-05-05", "a123456789", "916 123-45-67", "79161234567",
	} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds %q:\n%s", secret, out)
		}
	}
	for _, kept := range []string{
		`"chat_id":6000001`, `"update_id":123456789`, `"step":"a_number"`, `"username":"hotline_test_bot"`,
		`0xc000123456`, `"partition":3`, `"n":2`, `"name":"[redacted]"`, "load session",
	} {
		if !strings.Contains(out, kept) {
			t.Errorf("the log lost %s:\n%s", kept, out)
		}
	}
}

// TestPersonalKey: keys are judged by their words.
func TestPersonalKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"name", true}, {"reporter_name", true}, {"lawyer.phone", true}, {"A_Number", true},
		{"birthDate", true}, {"birth_date", true}, {"text", true}, {"Caption", true},
		{"username", false}, {"chat_id", false}, {"step", false}, {"method", false}, {"err", false},
	}
	for _, tt := range tests {
		if got := personalKey(tt.key); got != tt.want {
			t.Errorf("personalKey(%q) = %v, want %v", tt.key, got, tt.want)
		}
	}
}
