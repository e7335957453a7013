// Package Config reads the bot's settings from the environment, once, and
// names the variable that is missing or malformed.
package config

import (
	"encoding/base64"
	"fmt"
	"hotline/internal/pipeline"
	"hotline/storage"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is every setting the bot takes from the environment, parsed once.
type Config struct {
	Token            string         // TELEGRAM_BOT_TOKEN
	APIURL           string         // TELEGRAM_API_URL
	DatabaseURL      string         // DATABASE_URL
	DatabaseOwnerURL string         // DATABASE_OWNER_URL: the tables' owner, for migrations; DATABASE_URL is then the bot's lesser role
	RedisURL         string         // REDIS_URL: redis://host:port/db, or redis+cluster://host:port,host:port,…
	Admins           []int64        // HOTLINE_ADMINS
	DataKey          []byte         // HOTLINE_DATA_KEY, 32 bytes: personal data is encrypted with it
	OldDataKeys      [][]byte       // HOTLINE_DATA_KEYS_OLD: keys still read while `hotline keys rotate` runs
	WebhookURL       string         // WEBHOOK_URL; webhook mode when set
	WebhookSecret    string         // WEBHOOK_SECRET
	ListenAddr       string         // LISTEN_ADDR: webhook, /metrics, /healthz, /readyz
	LogLevel         slog.Level     // LOG_LEVEL
	Phone            string         // HOTLINE_PHONE: the hotline's phone, shown to families
	Hours            string         // HOTLINE_HOURS: when the phone answers
	ResumeAfter      time.Duration  // HOTLINE_RESUME_AFTER: pause after which a draft asks "continue?"
	DraftRemind      time.Duration  // HOTLINE_DRAFT_REMIND: a report left unsent so long after its last answer is reminded of, once
	SessionTTL       time.Duration  // HOTLINE_SESSION_TTL: how long an idle conversation is kept
	DeadLetterTTL    time.Duration  // HOTLINE_DEAD_LETTER_TTL: how long updates that failed too often are kept
	Partitions       int            // HOTLINE_PARTITIONS: inbox partitions shared by all replicas
	VolunteerGroups  []int64        // HOTLINE_VOLUNTEER_GROUPS: groups the bot stays in
	ForumChat        int64          // HOTLINE_FORUM_CHAT: the team's supergroup with topics, a topic per case; 0 for none
	ForumLang        string         // HOTLINE_FORUM_LANG: en or ru, the language the bot writes in the forum; default en
	Zone             *time.Location // HOTLINE_TIME_ZONE: the day "today" and "вчера" mean, where most callers live; default America/New_York
	RedisPrefix      string         // HOTLINE_REDIS_PREFIX: namespaces the bot's keys in a shared Redis
	HandoffRemind    time.Duration  // HOTLINE_HANDOFF_REMIND: a volunteer's silence before a reminder
	HandoffReturn    time.Duration  // HOTLINE_HANDOFF_RETURN: further silence before the chat goes back to the queue
	HandoffEscalate  time.Duration  // HOTLINE_HANDOFF_ESCALATE: a wait after which coordinators are told
	HandoffTick      time.Duration  // HOTLINE_HANDOFF_TICK: how often the handoff's timers run
	CheckinGrace     time.Duration  // HOTLINE_CHECKIN_GRACE: silence after "are you out?" before asking again, and again before the alarm
	Retention        time.Duration  // HOTLINE_RETENTION: how long a closed case keeps its personal data
	PurgeEvery       time.Duration  // HOTLINE_PURGE_EVERY: how often the bot erases what is past retention
	AOFRewrite       time.Duration  // HOTLINE_AOF_REWRITE: how often the bot has Redis rewrite its append-only file
	// HOTLINE_CASE_ESCALATE, HOTLINE_CASE_ESCALATE_URGENT: an untaken case
	// (an urgent one) goes again to the coordinators after this, then after
	// twice as long again, and so on. The casework's timers run with the
	// handoff's.
	CaseEscalate       time.Duration
	CaseEscalateUrgent time.Duration
	CaseQuiet          time.Duration // HOTLINE_CASE_QUIET: a case without events this long is "quiet" on /cases
	// HOTLINE_LOOKUP_LIMITS: how many case codes people may try, e.g.
	// user=10/1h,all=300/1m,misses=3,delay=1m,max=1h (storage.ParseLookupLimits).
	Lookups storage.LookupLimits
	// Finds limit volunteers' /find, HOTLINE_FIND_LIMITS, in the same
	// form; default user=60/1h,all=300/1m,misses=10,delay=1m,max=1h.
	Finds storage.LookupLimits
	// HOTLINE_SEND_LIMITS: Telegram's sending limits the bot keeps to, e.g.
	// global=30,chat=1,burst=3,group=20 (pipeline.DefaultLimits; paid broadcasts
	// raise global up to 1000).
	SendLimits pipeline.Limits
}

// Error names the variable that is wrong; its message is the one line
// the program prints before it stops.
type Error struct {
	Name    string // the variable, e.g. DATABASE_URL
	Problem string // what is wrong, e.g. "is not set"
}

func (e *Error) Error() string { return e.Name + " " + e.Problem }

// Need lists which settings a command requires; Keys: HOTLINE_DATA_KEY,
// for what reads or writes personal data.
type Need struct {
	Token, Database, Redis, Keys bool
}

// Load reads the settings from getenv and checks them. Values are never
// echoed in errors: a token or a key must not end up in a log.
func Load(getenv func(string) string, n Need) (Config, error) {
	c := Config{
		APIURL:        "https://api.telegram.org",
		ListenAddr:    ":8080",
		LogLevel:      slog.LevelInfo,
		ResumeAfter:   24 * time.Hour,
		DraftRemind:   time.Hour,
		SessionTTL:    30 * 24 * time.Hour,
		DeadLetterTTL: pipeline.DefaultDeadTTL,
		Partitions:    64,
		RedisPrefix:   "hotline:",

		HandoffRemind:      10 * time.Minute,
		HandoffReturn:      10 * time.Minute,
		HandoffEscalate:    15 * time.Minute,
		HandoffTick:        5 * time.Second,
		CaseEscalate:       30 * time.Minute,
		CaseEscalateUrgent: 10 * time.Minute,
		CaseQuiet:          7 * 24 * time.Hour,
		CheckinGrace:       2 * time.Hour,
		Retention:          180 * 24 * time.Hour,
		PurgeEvery:         time.Hour,
		AOFRewrite:         24 * time.Hour,
		SendLimits:         pipeline.DefaultLimits(),
	}
	str := func(name string, dst *string, required bool) error {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			if required {
				return &Error{name, "is not set"}
			}
			return nil
		}
		*dst = v
		return nil
	}
	if err := str("TELEGRAM_BOT_TOKEN", &c.Token, n.Token); err != nil {
		return c, err
	}
	if c.Token != "" && !validToken(c.Token) {
		return c, &Error{"TELEGRAM_BOT_TOKEN", "is malformed: want <bot id>:<secret> as BotFather gives it"}
	}
	if err := str("TELEGRAM_API_URL", &c.APIURL, false); err != nil {
		return c, err
	}
	if !validURL(c.APIURL, "http", "https") {
		return c, &Error{"TELEGRAM_API_URL", "is malformed: want an http(s) URL"}
	}
	c.APIURL = strings.TrimRight(c.APIURL, "/")
	if err := str("DATABASE_URL", &c.DatabaseURL, n.Database); err != nil {
		return c, err
	}
	if c.DatabaseURL != "" && !validURL(c.DatabaseURL, "postgres", "postgresql") {
		return c, &Error{"DATABASE_URL", "is malformed: want postgres://user@host:port/db"}
	}
	_ = str("DATABASE_OWNER_URL", &c.DatabaseOwnerURL, false)
	if c.DatabaseOwnerURL != "" && !validURL(c.DatabaseOwnerURL, "postgres", "postgresql") {
		return c, &Error{"DATABASE_OWNER_URL", "is malformed: want postgres://owner@host:port/db"}
	}
	if c.DatabaseOwnerURL != "" && c.DatabaseURL != "" && dbUser(c.DatabaseOwnerURL) == dbUser(c.DatabaseURL) {
		return c, &Error{"DATABASE_OWNER_URL", "names the same role as DATABASE_URL: the bot's role must not own the tables"}
	}
	if err := str("REDIS_URL", &c.RedisURL, n.Redis); err != nil {
		return c, err
	}
	if c.RedisURL != "" {
		if _, err := storage.ParseRedisURL(c.RedisURL); err != nil {
			return c, &Error{"REDIS_URL", "is malformed (" + strings.TrimPrefix(err.Error(), storage.ErrRedisURL.Error()+": ") +
				"): want redis://host:port/db, or redis+cluster://host:port,host:port,… for a Redis Cluster"}
		}
	}
	var err error
	if c.Admins, err = ids("HOTLINE_ADMINS", getenv("HOTLINE_ADMINS")); err != nil {
		return c, err
	}
	if c.VolunteerGroups, err = ids("HOTLINE_VOLUNTEER_GROUPS", getenv("HOTLINE_VOLUNTEER_GROUPS")); err != nil {
		return c, err
	}
	if v := strings.TrimSpace(getenv("HOTLINE_FORUM_CHAT")); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id >= 0 {
			return c, &Error{"HOTLINE_FORUM_CHAT", "is malformed: want the supergroup's id, a negative number such as -1001234567890"}
		}
		c.ForumChat = id
	}
	zone := strings.TrimSpace(getenv("HOTLINE_TIME_ZONE"))
	if zone == "" {
		zone = "America/New_York"
	}
	if c.Zone, err = time.LoadLocation(zone); err != nil || zone == "Local" {
		return c, &Error{"HOTLINE_TIME_ZONE", "is malformed: want a time zone name such as America/Chicago or UTC"}
	}
	switch c.ForumLang = strings.TrimSpace(getenv("HOTLINE_FORUM_LANG")); c.ForumLang {
	case "":
		c.ForumLang = "en"
	case "en", "ru":
	default:
		return c, &Error{"HOTLINE_FORUM_LANG", "is malformed: want en or ru"}
	}
	if v := strings.TrimSpace(getenv("HOTLINE_DATA_KEY")); v != "" {
		key, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(key) != 32 {
			return c, &Error{"HOTLINE_DATA_KEY", "is malformed: want 32 random bytes in base64 (openssl rand -base64 32)"}
		}
		c.DataKey = key
	} else if n.Keys {
		return c, errNoDataKey
	}
	for _, f := range strings.Split(getenv("HOTLINE_DATA_KEYS_OLD"), ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		key, err := base64.StdEncoding.DecodeString(f)
		if err != nil || len(key) != 32 {
			return c, &Error{"HOTLINE_DATA_KEYS_OLD", "is malformed: want comma-separated keys, each 32 bytes in base64"}
		}
		c.OldDataKeys = append(c.OldDataKeys, key)
	}

	_ = str("HOTLINE_REDIS_PREFIX", &c.RedisPrefix, false)
	if strings.ContainsAny(c.RedisPrefix, "{}") {
		// Keys carry hash tags after the prefix; a brace in it would
		// change the Redis Cluster slot of every key.
		return c, &Error{"HOTLINE_REDIS_PREFIX", "must not contain { or }"}
	}
	_ = str("WEBHOOK_URL", &c.WebhookURL, false)
	_ = str("WEBHOOK_SECRET", &c.WebhookSecret, false)
	_ = str("LISTEN_ADDR", &c.ListenAddr, false)
	_ = str("HOTLINE_PHONE", &c.Phone, false)
	_ = str("HOTLINE_HOURS", &c.Hours, false)
	if len(c.Phone) > 64 || len(c.Hours) > 128 {
		return c, &Error{"HOTLINE_PHONE", "is malformed: want a phone number (and HOTLINE_HOURS a short text such as Mon-Fri 9-18 ET)"}
	}
	if c.WebhookURL != "" {
		if !validURL(c.WebhookURL, "https", "http") {
			return c, &Error{"WEBHOOK_URL", "is malformed: want the public https URL Telegram will post to"}
		}
		if c.WebhookSecret == "" {
			return c, &Error{"WEBHOOK_SECRET", "is not set: webhook mode needs it"}
		}
		switch c.WebhookPath() {
		case "/metrics", "/healthz", "/readyz":
			return c, &Error{"WEBHOOK_URL", "is malformed: its path is one the bot uses for something else"}
		}
	}
	if c.WebhookSecret != "" && !validSecret(c.WebhookSecret) {
		return c, &Error{"WEBHOOK_SECRET", "is malformed: want 1-256 characters A-Z, a-z, 0-9, _ and -"}
	}
	// Anyone who knows the secret can post updates as Telegram: it must
	// not be guessable (openssl rand -hex 32 gives 64 characters).
	if c.WebhookSecret != "" && len(c.WebhookSecret) < minSecret {
		return c, &Error{"WEBHOOK_SECRET", fmt.Sprintf("is too short: want at least %d characters (openssl rand -hex 32)", minSecret)}
	}
	if _, port, err := splitAddr(c.ListenAddr); err != nil || port == "" {
		return c, &Error{"LISTEN_ADDR", "is malformed: want host:port or :port"}
	}

	if v := strings.TrimSpace(getenv("LOG_LEVEL")); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			return c, &Error{"LOG_LEVEL", "is malformed: want debug, info, warn or error"}
		}
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"HOTLINE_RESUME_AFTER", &c.ResumeAfter}, {"HOTLINE_DRAFT_REMIND", &c.DraftRemind}, {"HOTLINE_SESSION_TTL", &c.SessionTTL},
		{"HOTLINE_HANDOFF_REMIND", &c.HandoffRemind}, {"HOTLINE_HANDOFF_RETURN", &c.HandoffReturn},
		{"HOTLINE_HANDOFF_ESCALATE", &c.HandoffEscalate}, {"HOTLINE_HANDOFF_TICK", &c.HandoffTick},
		{"HOTLINE_RETENTION", &c.Retention}, {"HOTLINE_PURGE_EVERY", &c.PurgeEvery},
		{"HOTLINE_CASE_ESCALATE", &c.CaseEscalate}, {"HOTLINE_CASE_ESCALATE_URGENT", &c.CaseEscalateUrgent},
		{"HOTLINE_CASE_QUIET", &c.CaseQuiet}, {"HOTLINE_CHECKIN_GRACE", &c.CheckinGrace},
		{"HOTLINE_DEAD_LETTER_TTL", &c.DeadLetterTTL}, {"HOTLINE_AOF_REWRITE", &c.AOFRewrite}} {
		if v := strings.TrimSpace(getenv(d.name)); v != "" {
			x, err := parseDuration(v)
			if err != nil || x <= 0 {
				return c, &Error{d.name, "is malformed: want a duration such as 180d, 24h or 90m"}
			}
			*d.dst = x
		}
	}
	if v := strings.TrimSpace(getenv("HOTLINE_PARTITIONS")); v != "" {
		x, err := strconv.Atoi(v)
		if err != nil || x < 1 || x > 4096 {
			return c, &Error{"HOTLINE_PARTITIONS", "is malformed: want a number from 1 to 4096"}
		}
		c.Partitions = x
	}
	finds := getenv("HOTLINE_FIND_LIMITS")
	if finds == "" {
		finds = "user=60/1h,all=300/1m,misses=10,delay=1m,max=1h"
	}
	if c.Finds, err = storage.ParseLookupLimits(finds); err != nil {
		return c, &Error{"HOTLINE_FIND_LIMITS", "is malformed: want e.g. user=60/1h,all=300/1m,misses=10,delay=1m,max=1h"}
	}
	if c.Lookups, err = storage.ParseLookupLimits(getenv("HOTLINE_LOOKUP_LIMITS")); err != nil {
		return c, &Error{"HOTLINE_LOOKUP_LIMITS", "is malformed: want e.g. user=10/1h,all=300/1m,misses=3,delay=1m,max=1h"}
	}
	if v := strings.TrimSpace(getenv("HOTLINE_SEND_LIMITS")); v != "" {
		if c.SendLimits, err = parseSendLimits(v, c.SendLimits); err != nil {
			return c, &Error{"HOTLINE_SEND_LIMITS", "is malformed: want e.g. global=30,chat=1,burst=3,group=20"}
		}
	}
	return c, nil
}

// parseSendLimits reads "global=30,chat=1,burst=3,group=20" over l; a
// limit not named keeps its value.
func parseSendLimits(v string, l pipeline.Limits) (pipeline.Limits, error) {
	for _, f := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(f), "=")
		if !ok {
			return l, fmt.Errorf("no value in %q", k)
		}
		x, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil || x <= 0 || x > 1e6 {
			return l, fmt.Errorf("bad value for %q", k)
		}
		switch strings.TrimSpace(k) {
		case "global":
			l.Global = int(x)
		case "chat":
			l.PerChat = x
		case "burst":
			l.ChatBurst = int(x)
		case "group":
			l.PerGroupPerMinute = int(x)
		default:
			return l, fmt.Errorf("unknown limit %q", k)
		}
	}
	if l.Global < 1 || l.ChatBurst < 1 || l.PerGroupPerMinute < 1 {
		return l, fmt.Errorf("a limit below 1")
	}
	return l, nil
}

// errNoDataKey is the missing HOTLINE_DATA_KEY of a command that needs it.
var errNoDataKey = &Error{"HOTLINE_DATA_KEY", "is not set: personal data is encrypted with it (openssl rand -base64 32, kept safe)"}

// Keyring is the data key and the old keys, for storage.
func (c Config) Keyring() (*storage.Keyring, error) {
	if len(c.DataKey) == 0 {
		return nil, errNoDataKey
	}
	return storage.NewKeyring(c.DataKey, c.OldDataKeys...)
}

// Webhook reports whether the bot takes updates by webhook.
func (c Config) Webhook() bool { return c.WebhookURL != "" }

// WebhookPath is where the bot listens for Telegram's posts: the path of
// WEBHOOK_URL (a proxy in front may keep it as it is), or the default one.
func (c Config) WebhookPath() string {
	u, err := url.Parse(c.WebhookURL)
	if err != nil || u.Path == "" || u.Path == "/" {
		return pipeline.WebhookPath
	}
	return u.Path
}

func validToken(t string) bool {
	id, secret, ok := strings.Cut(t, ":")
	if !ok || secret == "" || strings.ContainsAny(secret, " /") {
		return false
	}
	_, err := strconv.ParseInt(id, 10, 64)
	return err == nil
}

// dbUser is the role a Postgres URL logs in as.
func dbUser(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return ""
	}
	return u.User.Username()
}

// BotRole is the role DATABASE_URL logs in as.
func (c Config) BotRole() string { return dbUser(c.DatabaseURL) }

func validURL(raw string, schemes ...string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	for _, s := range schemes {
		if u.Scheme == s {
			return true
		}
	}
	return false
}

// minSecret is the shortest webhook secret accepted.
const minSecret = 32

func validSecret(s string) bool {
	if len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func splitAddr(addr string) (host, port string, err error) {
	i := strings.LastIndex(addr, ":")
	if i < 0 {
		return "", "", fmt.Errorf("no port")
	}
	if _, err := strconv.Atoi(addr[i+1:]); err != nil {
		return "", "", fmt.Errorf("bad port")
	}
	return addr[:i], addr[i+1:], nil
}

// parseDuration reads a Go duration, or whole days as "180d": retention
// periods are counted in days.
func parseDuration(v string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 || n > 100*365 {
			return 0, fmt.Errorf("bad number of days")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(v)
}

// ids parses a comma-separated list of Telegram ids.
func ids(name, v string) ([]int64, error) {
	var out []int64
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, &Error{name, "is malformed: want comma-separated Telegram ids such as 123456789,987654321"}
		}
		out = append(out, id)
	}
	return out, nil
}
