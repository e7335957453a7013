package e2e

import (
	"testing"
	"time"
)

// TestRetentionConfig: HOTLINE_RETENTION and HOTLINE_PURGE_EVERY take days
// or Go durations; anything else stops start-up naming the variable.
func TestRetentionConfig(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name, value string
		retention   time.Duration
		bad         bool
	}{
		{"default", "", 180 * day, false},
		{"days", "365d", 365 * day, false},
		{"hours", "720h", 30 * day, false},
		{"no days", "0d", 0, true},
		{"words", "half a year", 0, true},
		{"negative", "-5d", 0, true},
	}
	for _, tt := range tests {
		cfg, err := loadConfig(func(name string) string {
			if name == "HOTLINE_RETENTION" {
				return tt.value
			}
			return ""
		}, need{})
		if tt.bad {
			if ce, ok := err.(*configError); !ok || ce.Name != "HOTLINE_RETENTION" {
				t.Errorf("%s: err = %v, want one naming HOTLINE_RETENTION", tt.name, err)
			}
			continue
		}
		if err != nil || cfg.Retention != tt.retention || cfg.PurgeEvery != time.Hour {
			t.Errorf("%s: retention %v, purge every %v, err %v; want %v, 1h", tt.name, cfg.Retention, cfg.PurgeEvery, err, tt.retention)
		}
	}
}
