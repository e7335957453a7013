package e2e

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/flows"
)

// TestRedisFilesCarryNoPersonalData runs a report, a handoff with personal
// data written both ways, the volunteer's /case, a public status note, the
// reporter's /forget and the retention purge of a second, closed case
// against a Redis with an append-only file, as in production, with debug
// logging. The bot then has Redis rewrite the file; neither the files in
// Redis's folder (the append-only file, its RDB preamble), nor the DUMP of
// any key, nor pg_dump, nor the log, nor /metrics holds any typed personal
// value in any form: updates are kept stripped and sealed, sessions and
// calls sealed, the database's personal columns sealed.
func TestRedisFilesCarryNoPersonalData(t *testing.T) {
	takesLong(t, 10*time.Second)
	rs := startRedis(t, "everysec")
	h := newStatusHarness(t, withConfig(func(c *config) {
		c.RedisURL, c.LogLevel, c.PurgeEvery = rs.url(), slog.LevelDebug, 200*time.Millisecond
	}))
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + rs.port})
	defer rdb.Close()
	ctx := context.Background()
	reporter := h.tg.User(6600001, "ru")
	vol := h.tg.User(statusVolunteer, "en")

	// A second case, closed long ago: the bot's retention job purges it.
	old := fileReport(t, h, h.tg.User(6600002, "ru"))
	setStatus(t, h, vol, old, flows.StatusClosed, "")
	closeCase(t, h, old, 181)
	eventually(t, "the old case purged", func() error {
		if !erased(t, h, old) {
			return errors.New("not yet")
		}
		return nil
	})

	code := fileReport(t, h, reporter)
	personalHandoff(t, h, reporter, vol, nil)
	setStatus(t, h, vol, code, flows.StatusLawyer, "A lawyer took the case.")
	expectText(t, reporter, flows.FormatCode(code)) // the reporter is told of the new status

	reporter.Send("/forget")
	m := expectText(t, reporter, firstLine(h.text("ru", "forget.ask")))
	press(t, reporter, m, h.label("ru", "btn.forget_yes"))
	expectText(t, reporter, firstLine(h.text("ru", "forget.done")))
	settled(t, h)

	// The /forget asks for a rewrite; wait for it to be made and written.
	deadline := time.Now().Add(40 * time.Second)
	for {
		info, err := rdb.Info(ctx, "persistence").Result()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(info, "aof_rewrite_in_progress:0") && strings.Contains(info, "aof_last_bgrewrite_status:ok") &&
			!strings.Contains(info, "aof_rewrites:0\r") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the bot did not have Redis rewrite its append-only file after /forget:\n%s", info)
		}
		time.Sleep(100 * time.Millisecond)
	}

	var files []string
	err := filepath.Walk(rs.dir, func(path string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files = append(files, path)
		if got := leaked(string(b)); len(got) > 0 {
			t.Errorf("Redis's file %s holds personal data %q", filepath.Base(path), got)
		}
		return nil
	})
	if err != nil || len(files) == 0 {
		t.Fatalf("Redis's files: %v, %v", files, err)
	}
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys: %v, %v", keys, err)
	}
	for _, k := range keys {
		d, err := rdb.Dump(ctx, k).Result()
		if err != nil && err != redis.Nil {
			t.Fatal(err)
		}
		if got := leaked(d); len(got) > 0 {
			t.Errorf("key %s holds personal data %q", k, got)
		}
	}
	if got := inDump(pgDump(t, h.cfg.DatabaseURL), personalForms...); len(got) > 0 {
		t.Errorf("pg_dump holds personal data %q", got)
	}
	if got := leaked(h.log.String()); len(got) > 0 {
		t.Errorf("the log holds personal data %q", got)
	}
	metrics := h.get("/metrics")
	if got := leaked(metrics); len(got) > 0 || !strings.Contains(metrics, "hotline_reports_filed_total") {
		t.Errorf("/metrics holds personal data %q (or is not the bot's)", got)
	}
	t.Logf("%d files, %d keys, the database, the log and /metrics checked", len(files), len(keys))
}
