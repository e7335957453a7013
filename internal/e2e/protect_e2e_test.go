package e2e

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"hotline/bot/telegramtest"
	"hotline/flows"
	"hotline/internal/pipeline"
	"hotline/storage"
	"hotline/storage/storagetest"
)

// Data protection end to end, personal data only where it must be: what the bot logs, what a stranger's
// group leaves behind, what the webhook lets in, and retention.

// personalForms are fileReport's personal values in every form a person
// types them or the bot writes them.
var personalForms = []string{
	"Ivan Petrov", "Petrov", "Иван Петров", "Петров", "PETROV",
	"123456789", "123-456-789", "A123456789", "A 123-456-789", "A123-456-789", "123 456 789",
	"1985-05-05", "05.05.1985", "5 мая 1985", "May 5, 1985",
	"+7 916 123-45-67", "79161234567", "916 123-45-67", "9161234567",
	"+1 (520) 555-0100", "5205550100", "555-0100",
	"John Smith", "Мария Петрова", "сосед видел",
}

// leaked returns the personal forms found in s.
func leaked(s string) []string {
	var out []string
	for _, v := range personalForms {
		if strings.Contains(s, v) {
			out = append(out, v)
		}
	}
	return out
}

// TestLogsCarryNoPersonalData runs a report, a handoff with personal data
// written both ways, the volunteer's /case and /find, status changes and
// an internal note full of personal data, and a friend's lookup — with
// debug logging — and finds none of the case's personal values in the
// bot's log lines, in any form, nor in /metrics.
func TestLogsCarryNoPersonalData(t *testing.T) {
	parallel(t)
	h := newStatusHarness(t, withConfig(func(c *config) { c.LogLevel = slog.LevelDebug }))
	reporter := h.tg.User(6100001, "ru")
	vol := h.tg.User(statusVolunteer, "en")

	code := fileReport(t, h, reporter)
	personalHandoff(t, h, reporter, vol, func() {
		// Failures make the bot log: the relayed copies fail twice before
		// they go through, a notice is refused for good.
		h.tg.Fault(telegramtest.Fault{Method: "copyMessage", Status: http.StatusBadGateway, Times: 2})
		h.tg.Fault(telegramtest.Fault{Method: "sendMessage", ChatID: 6100003, Status: http.StatusBadRequest,
			Description: "Bad Request: chat not found", Times: 1})
	})

	vol.Send("/note " + code + " SECRET: Иван Петров, born 1985-05-05, wife Мария Петрова +7 916 123-45-67")
	expectText(t, vol, plain(h.cat.Render("en", flows.T("note.saved", "Code", flows.FormatCode(code)))))
	setStatus(t, h, vol, code, flows.StatusLawyer, "A lawyer took the case.")
	vol.Send("/find A 123-456-789")
	if m := expectText(t, vol, flows.FormatCode(code)); !strings.Contains(m.Plain, "Ivan Petrov") {
		t.Fatalf("/find by A-number does not show the case in full:\n%s", m.Plain)
	}
	friend := h.tg.User(6100002, "en")
	friend.Send("/start c_" + code)
	expectText(t, friend, plain(h.cat.Render("en", flows.T("check.header", "Code", flows.FormatCode(code)))))
	h.tg.User(6100003, "en").Send("/start " + code) // the answer is refused: dropped, and logged
	settled(t, h)
	deadline := time.Now().Add(20 * time.Second)
	for _, want := range []string{"bot started", "will retry", "call dropped"} {
		for !strings.Contains(h.log.String(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("the log has no %q: the run did not log what it should\n%s", want, h.log.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	logs := h.log.String()
	if got := leaked(logs); len(got) > 0 {
		t.Errorf("the log holds personal data %q:\n%s", got, logs)
	}
	metrics := h.get("/metrics")
	if !strings.Contains(metrics, "hotline_reports_filed_total 1") {
		t.Fatalf("unexpected /metrics:\n%s", metrics)
	}
	if got := leaked(metrics); len(got) > 0 {
		t.Errorf("/metrics holds personal data %q", got)
	}
}

// personalHandoff has the reporter ask for a volunteer with personal data
// in what they write, vol take the chat (after before, when not nil), look
// at /case, and both write personal data to each other before /done.
func personalHandoff(t *testing.T, h *harness, reporter, vol *telegramtest.User, before func()) {
	t.Helper()
	reporter.Send("/start")
	m := expectText(t, reporter, firstLine(h.text("ru", "menu.greeting")))
	press(t, reporter, m, h.label("ru", "btn.menu_volunteer"))
	expectText(t, reporter, h.text("ru", "handoff.joined"))
	kept := reporter.Send("Мой муж Иван Петров, A 123-456-789, родился 05.05.1985. Мой телефон +7 916 123-45-67")
	expectText(t, reporter, h.text("ru", "handoff.kept"))
	h.waitKept(t, reporter.ID, 1)
	if before != nil {
		before()
	}
	vol.Send("/next")
	expectText(t, vol, h.lead("en", "handoff.taken"))
	nextCopy(t, vol, reporter.ID, kept, "text")
	expectText(t, reporter, h.text("ru", "handoff.vol_joined_anon"))
	vol.Send("/case")
	if m := expectText(t, vol, h.lead("en", "handoff.case")); !strings.Contains(m.Plain, "Ivan Petrov") {
		t.Fatalf("the volunteer holding the chat does not see the case in full:\n%s", m.Plain)
	}
	nextCopy(t, reporter, vol.ID, vol.Send("Ivan Petrov, A123456789: John Smith will call you at +7 916 123-45-67"), "text")
	nextCopy(t, vol, reporter.ID, reporter.Send("Спасибо! Адвокат John Smith, +1 (520) 555-0100"), "text")
	vol.Send("/done")
	expectText(t, vol, h.lead("en", "handoff.vol_done"))
	expectText(t, reporter, h.text("ru", "handoff.done"))
}

// settled waits until the bot has nothing left to do: Telegram holds no
// update for it, every inbox stream is empty and every call is sent.
func settled(t *testing.T, h *harness) {
	t.Helper()
	in := pipeline.NewInbox(h.rdb, h.cfg.RedisPrefix, h.cfg.Partitions)
	deadline := time.Now().Add(20 * time.Second)
	for {
		left := int64(h.tg.PendingUpdates())
		for p := range h.cfg.Partitions {
			n, err := h.rdb.XLen(context.Background(), in.Key(p)).Result()
			if err != nil {
				t.Fatal(err)
			}
			left += n
		}
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d updates still unhandled", left)
		}
		time.Sleep(20 * time.Millisecond)
	}
	drained(t, h)
}

// redisDump returns every key under the harness's prefix with its value.
func redisDump(t *testing.T, h *harness) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	iter := h.rdb.Scan(ctx, 0, h.cfg.RedisPrefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		typ, err := h.rdb.Type(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		var v any
		switch typ {
		case "string":
			v, err = h.rdb.Get(ctx, key).Result()
		case "hash":
			v, err = h.rdb.HGetAll(ctx, key).Result()
		case "list":
			v, err = h.rdb.LRange(ctx, key, 0, -1).Result()
		case "set":
			v, err = h.rdb.SMembers(ctx, key).Result()
		case "zset":
			v, err = h.rdb.ZRange(ctx, key, 0, -1).Result()
		case "stream":
			v, err = h.rdb.XRange(ctx, key, "-", "+").Result()
		}
		if err != nil && err != redis.Nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s (%s) = %v\n", key, typ, v)
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestStrangerGroupEndToEnd: someone adds the bot to their group and
// writes there — a report's worth of personal data, a command, a case
// link. The bot leaves the group and keeps nothing of it: no row in any
// table, no session, queue entry or kept message in Redis, no word of it
// in the log.
func TestStrangerGroupEndToEnd(t *testing.T) {
	parallel(t)
	h := newStatusHarness(t)
	stranger := h.tg.User(6200001, "ru")
	g := h.tg.Group(-4242424242, "Семья Петровых")
	g.AddBot(stranger)
	g.Send(stranger, "/start")
	g.Send(stranger, "Иван Петров, A 123-456-789, родился 05.05.1985, телефон +7 916 123-45-67")
	g.Send(stranger, "человек")
	g.Send(stranger, "/start c_K7M4Q9XP")
	settled(t, h)

	if g.BotMember() {
		t.Fatal("the bot stayed in a group that is not a volunteer group")
	}
	if n := h.tg.Stats().Calls["leaveChat"]; n == 0 {
		t.Error("leaveChat was never called")
	}
	for _, m := range g.Received() {
		t.Errorf("the bot wrote to the group: %q", m.Plain)
	}

	var tables []string
	if err := h.db.Select(&tables, `
		SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
			AND table_name NOT IN ('facilities', 'facility_aliases', 'schema_migrations')`); err != nil {
		t.Fatal(err)
	}
	if len(tables) < 8 {
		t.Fatalf("only tables %v: the check would prove nothing", tables)
	}
	for _, table := range tables {
		var n int
		if err := h.db.Get(&n, `SELECT count(*) FROM `+table); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("table %s has %d rows after the stranger's group", table, n)
		}
	}
	dump := redisDump(t, h)
	for _, s := range append(leaked(dump), "4242424242", "Петров") {
		if strings.Contains(dump, s) {
			t.Errorf("Redis holds %q after the stranger's group:\n%s", s, dump)
		}
	}
	if got := leaked(h.log.String()); len(got) > 0 {
		t.Errorf("the log holds %q from the group", got)
	}
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestWebhookRefusesStrangersEndToEnd runs the bot in webhook mode, as
// serve() runs it: Telegram's posts, which carry the secret, are handled;
// posts without it or with another are refused and not stored, and a body
// larger than any update is refused.
func TestWebhookRefusesStrangersEndToEnd(t *testing.T) {
	parallel(t)
	addr := freeAddr(t)
	const secret = "s3cret_token-e2e-0123456789abcdef"
	h := newStatusHarness(t, withConfig(func(c *config) {
		c.ListenAddr = addr
		c.WebhookURL = "http://" + addr + "/telegram/hook"
		c.WebhookSecret = secret
	}))
	hook := "http://" + h.srv().Addr + "/telegram/hook"

	u := h.tg.User(6300001, "en")
	u.Send("/start")
	expectText(t, u, firstLine(h.text("en", "menu.greeting")))
	if h.tg.Stats().WebhookPosts == 0 {
		t.Fatal("the update did not come by webhook")
	}

	forged := func(id int64) []byte {
		return fmt.Appendf(nil, `{"update_id":%d,"message":{"message_id":1,"date":%d,`+
			`"chat":{"id":6300002,"type":"private","first_name":"M"},"from":{"id":6300002,"is_bot":false,"first_name":"M"},`+
			`"text":"Иван Петров A123456789"}}`, id, time.Now().Unix())
	}
	post := func(token string, body []byte) int {
		req, err := http.NewRequest(http.MethodPost, hook, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	huge := append([]byte(`{"update_id":990003,"message":{"text":"`), bytes.Repeat([]byte("x"), 2<<20)...)
	tests := []struct {
		name   string
		token  string
		body   []byte
		id     int64
		status int
	}{
		{"no secret", "", forged(990001), 990001, http.StatusUnauthorized},
		{"wrong secret", "not-the-secret", forged(990002), 990002, http.StatusForbidden},
		{"secret, body too large", secret, huge, 990003, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		if got := post(tt.token, tt.body); got != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, got, tt.status)
		}
		if takenIn(t, h.rdb, h.cfg.RedisPrefix, tt.id) {
			t.Errorf("%s: update %d was taken in", tt.name, tt.id)
		}
	}
	// The same forged update with the secret is what Telegram would send:
	// taken in. The refusals above stored nothing it could collide with.
	if got := post(secret, forged(990004)); got != http.StatusOK {
		t.Errorf("with the secret: status %d, want 200", got)
	}
	if !takenIn(t, h.rdb, h.cfg.RedisPrefix, 990004) {
		t.Error("with the secret: update 990004 was not taken in")
	}
	if got := leaked(h.log.String()); len(got) > 0 {
		t.Errorf("the log holds %q from the posts", got)
	}
}

// closeCase moves a case's closed status back by days.
func closeCase(t *testing.T, h *harness, code string, days int) {
	t.Helper()
	_, err := h.db.Exec(`
		UPDATE case_events SET created_at = now() - make_interval(days => $2)
		WHERE kind = 'status' AND status = $3 AND case_id = (SELECT id FROM cases WHERE code = $1)`,
		code, days, flows.StatusClosed)
	if err != nil {
		t.Fatal(err)
	}
}

// erased reports whether a case has lost its personal fields.
func erased(t *testing.T, h *harness, code string) bool {
	t.Helper()
	r, _, err := storage.NewCases(h.db, storagetest.Keys(t)).Get(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return r.NameLatin == "" && r.NameCyrillic == "" && r.ANumber == "" && r.BirthDate == "" &&
		r.ReporterPhone == "" && r.LawyerPhone == "" && r.ReporterName == ""
}

// TestPurgeEndToEnd: two reports, closed by a volunteer 181 and 179 days
// ago. `hotline purge --dry-run` lists the first, codes and dates only,
// and erases nothing; `hotline purge` erases its personal fields and
// keeps the other's; the admin reads the purge in /audit.
func TestPurgeEndToEnd(t *testing.T) {
	parallel(t)
	h := newStatusHarness(t)
	vol := h.tg.User(statusVolunteer, "en")
	old := fileReport(t, h, h.tg.User(6400001, "ru"))
	recent := fileReport(t, h, h.tg.User(6400002, "ru"))
	for code, days := range map[string]int{old: 181, recent: 179} {
		setStatus(t, h, vol, code, flows.StatusClosed, "")
		closeCase(t, h, code, days)
	}
	getenv := func(name string) string {
		switch name {
		case "DATABASE_URL":
			return h.cfg.DatabaseURL
		case "HOTLINE_DATA_KEY":
			return storagetest.DataKey
		}
		return ""
	}
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"purge", "--dry-run"}, getenv, &out, &errs); code != 0 {
		t.Fatalf("purge --dry-run exited %d: %s", code, errs.String())
	}
	listed := out.String()
	if !strings.Contains(listed, flows.FormatCode(old)) || strings.Contains(listed, flows.FormatCode(recent)) ||
		!strings.Contains(listed, "1 would be erased") {
		t.Errorf("purge --dry-run listed:\n%s\nwant %s alone", listed, flows.FormatCode(old))
	}
	if got := leaked(listed); len(got) > 0 {
		t.Errorf("purge --dry-run shows personal data %q", got)
	}
	if erased(t, h, old) || erased(t, h, recent) {
		t.Fatal("the dry run erased a case")
	}

	out.Reset()
	if code := run(context.Background(), []string{"purge"}, getenv, &out, &errs); code != 0 {
		t.Fatalf("purge exited %d: %s", code, errs.String())
	}
	if !strings.Contains(out.String(), flows.FormatCode(old)) || !strings.Contains(out.String(), "1 erased") {
		t.Errorf("purge printed:\n%s", out.String())
	}
	if !erased(t, h, old) || erased(t, h, recent) {
		t.Errorf("after the purge: %s erased %v (want true), %s erased %v (want false)",
			old, erased(t, h, old), recent, erased(t, h, recent))
	}
	vol.Send("/audit " + old)
	m := expectText(t, vol, plain(h.cat.Render("en", flows.T("audit.case", "Code", flows.FormatCode(old)))))
	if want := plain(h.cat.Render("en", flows.T("audit.action.purge"))); !strings.Contains(m.Plain, want) ||
		!strings.Contains(m.Plain, plain(h.cat.Render("en", flows.T("audit.actor_cli")))) {
		t.Errorf("/audit after the purge:\n%s\nwant the command line's purge", m.Plain)
	}
	// The case still answers its code: the anonymous timeline stays.
	friend := h.tg.User(6400003, "en")
	friend.Send("/check " + old)
	m = expectText(t, friend, plain(h.cat.Render("en", flows.T("check.header", "Code", flows.FormatCode(old)))))
	if !strings.Contains(m.Plain, h.label("en", "status.name."+flows.StatusClosed)) {
		t.Errorf("status after the purge:\n%s", m.Plain)
	}
}

// TestRetentionJobEndToEnd: the running bot purges by itself; the audit
// log names it.
func TestRetentionJobEndToEnd(t *testing.T) {
	parallel(t)
	h := newStatusHarness(t, withConfig(func(c *config) { c.PurgeEvery = 50 * time.Millisecond }))
	vol := h.tg.User(statusVolunteer, "en")
	old := fileReport(t, h, h.tg.User(6500001, "ru"))
	recent := fileReport(t, h, h.tg.User(6500002, "ru"))
	for code, days := range map[string]int{old: 181, recent: 179} {
		setStatus(t, h, vol, code, flows.StatusClosed, "")
		closeCase(t, h, code, days)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !erased(t, h, old) {
		if time.Now().After(deadline) {
			t.Fatal("the bot did not purge the case closed 181 days ago")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if erased(t, h, recent) {
		t.Error("the bot purged the case closed 179 days ago")
	}
	var actors []string
	if err := h.db.Select(&actors, `
		SELECT a.actor FROM audit_log a JOIN cases c ON c.id = a.case_id
		WHERE c.code = $1 AND a.action = $2`, old, flows.AuditPurge); err != nil {
		t.Fatal(err)
	}
	if len(actors) != 1 || actors[0] != flows.ActorSystem {
		t.Errorf("purge entries in the audit log: %v, want one by %s", actors, flows.ActorSystem)
	}
}

// TestDraftsExpireEndToEnd: a report being filled in lives in Redis for
// HOTLINE_SESSION_TTL after the last answer, no longer.
func TestDraftsExpireEndToEnd(t *testing.T) {
	parallel(t)
	h := newStatusHarness(t, withConfig(func(c *config) { c.SessionTTL = 10 * time.Minute }))
	u := h.tg.User(6600001, "en")
	u.Send("/start")
	m := expectText(t, u, firstLine(h.text("en", "menu.greeting")))
	press(t, u, m, h.label("en", "btn.menu_report"))
	m = expectText(t, u, firstLine(h.text("en", "ask.consent")))
	press(t, u, m, h.label("en", "btn.consent_yes"))
	h.dontKnow(t, u, "en", "triage")
	expectText(t, u, firstLine(h.text("en", "ask.name")))
	u.Send("Ivan Petrov")
	u.Next(t)
	key := storage.NewSessions(h.rdb, h.cfg.RedisPrefix, 0).WithTag(pipeline.TagOf(h.cfg.Partitions)).Key(u.ID)
	ttl, err := h.rdb.TTL(context.Background(), key).Result()
	if err != nil || ttl <= 0 || ttl > 10*time.Minute {
		t.Errorf("the draft's TTL is %v (%v); want at most HOTLINE_SESSION_TTL, 10m", ttl, err)
	}
}

// takenIn reports whether the webhook took update id in: it is in a
// partition's seen set.
func takenIn(t *testing.T, rdb redis.UniversalClient, prefix string, id int64) bool {
	t.Helper()
	ctx := context.Background()
	keys, err := scanKeys(ctx, rdb, prefix+"{p*}:seen")
	if err != nil {
		t.Fatalf("seen sets: %v", err)
	}
	for _, k := range keys {
		err := rdb.ZScore(ctx, k, strconv.FormatInt(id, 10)).Err()
		if err == nil {
			return true
		}
		if err != redis.Nil {
			t.Fatalf("seen set: %v", err)
		}
	}
	return false
}
