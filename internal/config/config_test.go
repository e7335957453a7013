package config_test

import (
	"strings"
	"testing"
	"time"

	"hotline/internal/config"
)

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestConfigNamesTheBadVariable(t *testing.T) {
	good := map[string]string{
		"TELEGRAM_BOT_TOKEN": "123456:ABC-def_ghi",
		"DATABASE_URL":       "postgres://hotline@127.0.0.1:5432/hotline?sslmode=disable",
		"REDIS_URL":          "redis://127.0.0.1:6379/0",
	}
	all := config.Need{Token: true, Database: true, Redis: true}
	tests := []struct {
		name    string
		set     map[string]string
		wantVar string // "" when the config is good
	}{
		{"all good", nil, ""},
		{"no token", map[string]string{"TELEGRAM_BOT_TOKEN": ""}, "TELEGRAM_BOT_TOKEN"},
		{"token without secret", map[string]string{"TELEGRAM_BOT_TOKEN": "123456"}, "TELEGRAM_BOT_TOKEN"},
		{"token with letters for id", map[string]string{"TELEGRAM_BOT_TOKEN": "abc:def"}, "TELEGRAM_BOT_TOKEN"},
		{"no database", map[string]string{"DATABASE_URL": ""}, "DATABASE_URL"},
		{"database not a url", map[string]string{"DATABASE_URL": "hotline"}, "DATABASE_URL"},
		{"redis wrong scheme", map[string]string{"REDIS_URL": "http://x:1"}, "REDIS_URL"},
		{"no redis", map[string]string{"REDIS_URL": " "}, "REDIS_URL"},
		{"redis cluster", map[string]string{"REDIS_URL": "redis+cluster://u:p@h1:7001,h2:7002,h3:7003"}, ""},
		{"redis cluster with tls and options", map[string]string{"REDIS_URL": "rediss+cluster://h1:7001,h2:7002/0?max_redirects=5"}, ""},
		{"redis cluster db", map[string]string{"REDIS_URL": "redis+cluster://h1:7001,h2:7002/3"}, "REDIS_URL"},
		{"redis cluster node without port", map[string]string{"REDIS_URL": "redis+cluster://h1:7001,h2"}, "REDIS_URL"},
		{"redis prefix with a brace", map[string]string{"HOTLINE_REDIS_PREFIX": "hot{line}:"}, "HOTLINE_REDIS_PREFIX"},
		{"admins not numbers", map[string]string{"HOTLINE_ADMINS": "12,bob"}, "HOTLINE_ADMINS"},
		{"admins fine", map[string]string{"HOTLINE_ADMINS": "12, 34"}, ""},
		{"key not base64", map[string]string{"HOTLINE_DATA_KEY": "not base64!"}, "HOTLINE_DATA_KEY"},
		{"key too short", map[string]string{"HOTLINE_DATA_KEY": "c2hvcnQ="}, "HOTLINE_DATA_KEY"},
		{"key fine", map[string]string{"HOTLINE_DATA_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}, ""},
		{"webhook without secret", map[string]string{"WEBHOOK_URL": "https://bot.example.org/hook"}, "WEBHOOK_SECRET"},
		{"webhook secret bad chars", map[string]string{"WEBHOOK_URL": "https://bot.example.org/hook", "WEBHOOK_SECRET": "a b"}, "WEBHOOK_SECRET"},
		{"webhook secret short", map[string]string{"WEBHOOK_URL": "https://bot.example.org/hook", "WEBHOOK_SECRET": "s3cr-et_s3cr-et_s3cr-et_s3cr-et"}, "WEBHOOK_SECRET"},
		{"webhook fine", map[string]string{"WEBHOOK_URL": "https://bot.example.org/hook", "WEBHOOK_SECRET": "s3cr-et_s3cr-et_s3cr-et_s3cr-et_"}, ""},
		{"listen without port", map[string]string{"LISTEN_ADDR": "localhost"}, "LISTEN_ADDR"},
		{"log level", map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{"resume after", map[string]string{"HOTLINE_RESUME_AFTER": "tomorrow"}, "HOTLINE_RESUME_AFTER"},
		{"partitions", map[string]string{"HOTLINE_PARTITIONS": "0"}, "HOTLINE_PARTITIONS"},
		{"dead letter ttl", map[string]string{"HOTLINE_DEAD_LETTER_TTL": "soon"}, "HOTLINE_DEAD_LETTER_TTL"},
		{"dead letter ttl fine", map[string]string{"HOTLINE_DEAD_LETTER_TTL": "3d"}, ""},
		{"check-in grace", map[string]string{"HOTLINE_CHECKIN_GRACE": "soon"}, "HOTLINE_CHECKIN_GRACE"},
		{"check-in grace fine", map[string]string{"HOTLINE_CHECKIN_GRACE": "90m"}, ""},
		{"time zone", map[string]string{"HOTLINE_TIME_ZONE": "Pacific"}, "HOTLINE_TIME_ZONE"},
		{"time zone of the machine", map[string]string{"HOTLINE_TIME_ZONE": "Local"}, "HOTLINE_TIME_ZONE"},
		{"time zone fine", map[string]string{"HOTLINE_TIME_ZONE": "America/Los_Angeles"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kv := map[string]string{}
			for k, v := range good {
				kv[k] = v
			}
			for k, v := range tt.set {
				kv[k] = v
			}
			_, err := config.Load(env(kv), all)
			if tt.wantVar == "" {
				if err != nil {
					t.Fatalf("got error %q, want none", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("got no error, want one naming %s", tt.wantVar)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tt.wantVar+" ") || strings.Contains(msg, "\n") {
				t.Errorf("got %q, want one line starting with %s", msg, tt.wantVar)
			}
			for _, v := range tt.set {
				if len(v) > 8 && strings.Contains(msg, v) {
					t.Errorf("error %q echoes the value", msg)
				}
			}
		})
	}
}

func TestConfigDefaultsAndValues(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"DATABASE_URL":         "postgres://h@db/h",
		"REDIS_URL":            "redis://r:6379",
		"HOTLINE_ADMINS":       "1,2,3",
		"HOTLINE_RESUME_AFTER": "90m",
		"HOTLINE_DRAFT_REMIND": "3h",
		"TELEGRAM_API_URL":     "http://127.0.0.1:9999/",
	}), config.Need{Database: true, Redis: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.ResumeAfter, 90*time.Minute; got != want {
		t.Errorf("ResumeAfter = %v, want %v", got, want)
	}
	if got, want := c.DraftRemind, 3*time.Hour; got != want {
		t.Errorf("DraftRemind = %v, want %v", got, want)
	}
	if got, want := len(c.Admins), 3; got != want {
		t.Errorf("len(Admins) = %d, want %d", got, want)
	}
	if got, want := c.APIURL, "http://127.0.0.1:9999"; got != want {
		t.Errorf("APIURL = %q, want %q", got, want)
	}
	if c.Webhook() {
		t.Error("webhook mode without WEBHOOK_URL")
	}
	if got, want := c.Partitions, 64; got != want {
		t.Errorf("Partitions = %d, want %d", got, want)
	}
	if got, want := c.CheckinGrace, 2*time.Hour; got != want {
		t.Errorf("CheckinGrace = %v, want %v", got, want)
	}
	if got, want := c.Zone.String(), "America/New_York"; got != want {
		t.Errorf("Zone = %v, want %v", got, want)
	}
}
