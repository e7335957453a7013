// Package storagetest gives tests real Postgres and Redis: a migrated
// database of the test's own (new, or emptied after an earlier test of the
// process) and a Redis key prefix per test. DATABASE_URL and
// REDIS_URL name the servers (scripts/services.sh starts them). When one is
// missing the test is skipped, except under CI=true, where it fails.
package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"hotline/storage"
)

func need(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		missing(t, name+" is not set; the tests need a real server (scripts/services.sh, scripts/test)")
	}
	return v
}

// missing skips the test for want of what, except under CI=true, where it
// fails: CI provides everything the tests need.
func missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(what + " (under CI it must be)")
	}
	t.Skip(what)
}

// Require returns the path of the first of the programs found on PATH or
// among the Postgres binaries (/usr/lib/postgresql/*/bin); when none is,
// the test is skipped, except under CI=true, where it fails.
func Require(t testing.TB, programs ...string) string {
	t.Helper()
	for _, p := range programs {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
		if m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + p); len(m) > 0 {
			return m[len(m)-1]
		}
	}
	missing(t, strings.Join(programs, " or ")+" is not installed")
	return ""
}

// Name returns a random lower-case identifier with the given prefix.
func Name(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

var template struct {
	once        sync.Once
	name        string
	fingerprint string // fingerprintSQL on the template
	reset       string // resetSQL's statements
	err         error
}

// withDB returns url with its database name replaced.
func withDB(raw, db string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	u.Path = "/" + db
	return u.String(), nil
}

// dropStale drops the databases earlier test runs left behind: each test
// process makes its own template and keeps the databases Postgres hands
// its tests (a few, as many as its tests ran at once), none dropped as they
// are in use until the process ends, and a run killed midway leaves its
// test databases. Their names carry the time they were made; a run lasts
// minutes, so anything older than two hours is no one's. (With a day, a
// developer's day of runs kept 2,251 databases, 20 GB, in a server whose
// folder is in memory (scripts/test puts it in /dev/shm), and the compiler
// was killed for want of memory.)
func dropStale(ctx context.Context, admin *sqlx.DB) {
	var names []string
	if err := admin.SelectContext(ctx, &names,
		`SELECT datname FROM pg_database WHERE datname ~ '^hotline_(tmpl|test)_[0-9]+_'`); err != nil {
		return
	}
	cutoff := time.Now().Add(-2 * time.Hour).Unix()
	for _, n := range names {
		parts := strings.SplitN(n, "_", 4)
		made, err := strconv.ParseInt(parts[2], 10, 64)
		if err != nil || made > cutoff {
			continue
		}
		_, _ = admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+n+` WITH (FORCE)`)
	}
}

var admin struct {
	once sync.Once
	db   *sqlx.DB
	err  error
}

// adminDB returns the test process's one connection pool to the server's
// own database, for creating and dropping test databases. A new Postgres
// connection costs the server a process (about 30 ms of CPU on a small
// virtual machine): one pool kept for the whole process, rather than two
// connections opened and closed per test, spares that twice per test.
func adminDB(t testing.TB) *sqlx.DB {
	t.Helper()
	base := need(t, "DATABASE_URL")
	admin.once.Do(func() {
		admin.db, admin.err = sqlx.Open("postgres", base)
		if admin.err == nil {
			admin.db.SetMaxIdleConns(4)
		}
	})
	if admin.err != nil {
		t.Fatalf("open postgres: %v", admin.err)
	}
	return admin.db
}

// PostgresURL creates a fresh database with every migration applied and
// returns its URL; the database is dropped when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	// FILE_COPY copies the template's files rather than writing each of
	// its pages to the WAL (Postgres 15's default): 65 ms instead of 146
	// alone, and a quarter of the time in all over the end-to-end tests.
	return createDB(t, `TEMPLATE `+migrated(t)+` STRATEGY FILE_COPY`)
}

// EmptyPostgresURL creates a database with nothing in it, not even
// pg_trgm, and returns its URL; the database is dropped when the test ends.
func EmptyPostgresURL(t testing.TB) string {
	t.Helper()
	return createDB(t, `TEMPLATE template0`)
}

// createDB creates a test database WITH the given options, dropped when
// the test ends, and returns its URL.
func createDB(t testing.TB, with string) string {
	t.Helper()
	name, u := newDB(t, with)
	t.Cleanup(func() { dropDB(name) })
	return u
}

// newDB creates a test database WITH the given options and returns its
// name and URL.
func newDB(t testing.TB, with string) (string, string) {
	t.Helper()
	base := need(t, "DATABASE_URL")
	admin := adminDB(t)
	name := Name(fmt.Sprintf("hotline_test_%d_", time.Now().Unix()))
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` ` + with); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	u, err := withDB(base, name)
	if err != nil {
		dropDB(name)
		t.Fatalf("database url: %v", err)
	}
	return name, u
}

// dropDB drops a test database, closing what is still connected to it.
func dropDB(name string) {
	_, _ = admin.db.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
}

// Postgres returns a connection pool to a migrated database with no data
// but what the migrations put there, the test's alone until it ends.
//
// The database and its connections are reused by the process's later tests:
// a new database and new connections cost Postgres more than most tests do
// (on the CI machines about 30 ms of CPU per connection started, and the
// first queries on a connection to a new database plan against cold
// catalog caches). When the test ends its rows are deleted and the
// sequences set back; a database is dropped rather than reused when the
// test failed, left a connection busy, or changed what deleting rows does
// not put back (the schema, privileges, the rows the migrations wrote), so
// the next test cannot tell it from a fresh one.
func Postgres(t testing.TB) *sqlx.DB {
	t.Helper()
	ctx := context.Background()
	pool.mu.Lock()
	var d *pooledDB
	if n := len(pool.free); n > 0 {
		d, pool.free = pool.free[n-1], pool.free[:n-1]
	}
	pool.mu.Unlock()
	if d == nil {
		name, u := newDB(t, `TEMPLATE `+migrated(t)+` STRATEGY FILE_COPY`)
		db, err := storage.OpenPostgres(ctx, u)
		if err != nil {
			dropDB(name)
			t.Fatalf("open test database: %v", err)
		}
		d = &pooledDB{name: name, db: db}
	}
	t.Cleanup(func() { d.release(t) })
	return d.db
}

// pooledDB is a test database with its open connections.
type pooledDB struct {
	name string
	db   *sqlx.DB
}

var pool struct {
	mu   sync.Mutex
	free []*pooledDB
}

// release puts the database back in the pool, emptied, or drops it.
func (d *pooledDB) release(t testing.TB) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if !t.Failed() && d.db.Stats().InUse == 0 && d.reset(ctx) == nil {
		pool.mu.Lock()
		pool.free = append(pool.free, d)
		pool.mu.Unlock()
		return
	}
	d.db.Close()
	dropDB(d.name)
}

// reset deletes the test's rows and sets the sequences back, in one
// transaction that first checks the database's fingerprint against the
// template's.
func (d *pooledDB) reset(ctx context.Context) error {
	tx, err := d.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SET LOCAL lock_timeout = '2s'`); err != nil {
		return err
	}
	var fp string
	if err := tx.GetContext(ctx, &fp, fingerprintSQL); err != nil {
		return err
	}
	if fp != template.fingerprint {
		return errors.New("the test changed what a reset does not put back")
	}
	if _, err := tx.ExecContext(ctx, template.reset); err != nil {
		return err
	}
	return tx.Commit()
}

// fingerprintSQL sums up what deleting rows does not put back: the
// schema's relations, columns, privileges, functions and extensions, the
// database's own privileges, temporary tables and advisory locks its
// connections hold, and the rows of the tables the migrations filled.
const fingerprintSQL = `SELECT md5(concat_ws('|',
	(SELECT string_agg(c.relname || ':' || c.relkind::text || ':' || c.relnatts || ':' || coalesce(c.relacl::text, ''), ',' ORDER BY c.relname)
	   FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace),
	(SELECT string_agg(a.attrelid::regclass::text || '.' || a.attname || ':' || a.atttypid, ',' ORDER BY a.attrelid, a.attnum)
	   FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
	  WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0),
	(SELECT string_agg(p.proname || ':' || coalesce(p.proacl::text, ''), ',' ORDER BY p.oid) FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace),
	(SELECT string_agg(extname || ':' || extversion, ',' ORDER BY extname) FROM pg_extension),
	(SELECT coalesce(nspacl::text, '') FROM pg_namespace WHERE nspname = 'public'),
	(SELECT coalesce(datacl::text, '') FROM pg_database WHERE datname = current_database()),
	(SELECT count(*) FROM pg_default_acl),
	(SELECT count(*) FROM pg_class WHERE relpersistence = 't'),
	(SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
	    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())),
	(SELECT md5(string_agg(m::text, ',' ORDER BY m::text)) FROM schema_migrations m),
	(SELECT md5(string_agg(f::text, ',' ORDER BY f::text)) FROM facilities f),
	(SELECT md5(string_agg(a::text, ',' ORDER BY a::text)) FROM facility_aliases a)))`

// migrated returns the name of the process's template database, made and
// migrated on first use, with the fingerprint and the reset of its copies.
func migrated(t testing.TB) string {
	t.Helper()
	base := need(t, "DATABASE_URL")
	ctx := context.Background()
	admin := adminDB(t)
	template.once.Do(func() {
		dropStale(ctx, admin)
		name := Name(fmt.Sprintf("hotline_tmpl_%d_", time.Now().Unix()))
		if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
			template.err = err
			return
		}
		u, err := withDB(base, name)
		if err != nil {
			template.err = err
			return
		}
		db, err := storage.OpenPostgres(ctx, u)
		if err != nil {
			template.err = err
			return
		}
		defer db.Close()
		if template.err = storage.Migrate(ctx, db, storage.MigrateOptions{}); template.err != nil {
			return
		}
		if template.err = db.GetContext(ctx, &template.fingerprint, fingerprintSQL); template.err != nil {
			return
		}
		template.reset, template.err = resetSQL(ctx, db)
		template.name = name
	})
	if template.err != nil {
		t.Fatalf("prepare template database: %v", template.err)
	}
	return template.name
}

// resetSQL returns the statements that take a copy of the template back
// to the template's rows: every table the migrations left empty emptied,
// every sequence set to where the template's is. Foreign keys are not
// checked meanwhile (session_replication_role), as every table they join
// is emptied or untouched.
func resetSQL(ctx context.Context, db *sqlx.DB) (string, error) {
	var tables []string
	err := db.SelectContext(ctx, &tables, `
		SELECT quote_ident(c.relname) FROM pg_class c
		 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
		   AND c.relname NOT IN ('schema_migrations', 'facilities', 'facility_aliases')
		 ORDER BY c.relname`)
	if err != nil {
		return "", err
	}
	var seqs []struct {
		Name  string `db:"name"`
		Start int64  `db:"start_value"`
		Value *int64 `db:"last_value"`
	}
	err = db.SelectContext(ctx, &seqs, `
		SELECT quote_ident(sequencename) AS name, start_value, last_value FROM pg_sequences
		 WHERE schemaname = 'public' ORDER BY sequencename`)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("SET LOCAL session_replication_role = replica;\n")
	for _, t := range tables {
		b.WriteString("DELETE FROM " + t + ";\n")
	}
	// The sequences are set back in one statement, with setval: ALTER
	// SEQUENCE … RESTART gives the sequence new files, three times the
	// server's CPU of the rest of a reset.
	var sets []string
	for _, s := range seqs {
		if s.Value == nil { // never used: the next value is its start
			sets = append(sets, fmt.Sprintf("setval('%s', %d, false)", s.Name, s.Start))
		} else {
			sets = append(sets, fmt.Sprintf("setval('%s', %d)", s.Name, *s.Value))
		}
	}
	if len(sets) > 0 {
		b.WriteString("SELECT " + strings.Join(sets, ", ") + ";\n")
	}
	return b.String(), nil
}

// Redis returns a client and a key prefix no other test uses; the test's
// keys are deleted when it ends.
func Redis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	opt, err := redis.ParseURL(need(t, "REDIS_URL"))
	if err != nil {
		t.Fatalf("REDIS_URL: %v", err)
	}
	c := redis.NewClient(opt)
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("redis: %v", err)
	}
	prefix := Name("t") + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, strings.TrimSuffix(prefix, ":")+":*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		c.Close()
	})
	return c, prefix
}

// RedisCluster returns a client of the Redis Cluster at REDIS_CLUSTER_URL
// (scripts/services.sh starts one with three masters), the URL, and a key
// prefix of the test's own, whose keys are deleted at the end. Under CI a
// missing cluster fails the test; elsewhere it skips it.
func RedisCluster(t testing.TB) (*redis.ClusterClient, string, string) {
	t.Helper()
	url := need(t, "REDIS_CLUSTER_URL")
	o, err := storage.ParseRedisURL(url)
	if err != nil || o.Cluster == nil {
		t.Fatalf("REDIS_CLUSTER_URL: want redis+cluster://host:port,… (%v)", err)
	}
	c := redis.NewClusterClient(o.Cluster)
	ctx := context.Background()
	if err := c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error { return m.Ping(ctx).Err() }); err != nil {
		t.Fatalf("redis cluster: %v", err)
	}
	prefix := Name("t") + ":"
	t.Cleanup(func() {
		_ = c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
			iter := m.Scan(ctx, 0, strings.TrimSuffix(prefix, ":")+":*", 1000).Iterator()
			for iter.Next(ctx) {
				m.Del(ctx, iter.Val())
			}
			return nil
		})
		c.Close()
	})
	return c, url, prefix
}

// DataKey is the data key of the tests, base64 as HOTLINE_DATA_KEY takes
// it: the bot a test runs and the stores the test reads with share it.
const DataKey = "aG90bGluZSB0ZXN0IGRhdGEga2V5LCBub3QgYSBzZWM="

// Keys returns the keyring of DataKey.
func Keys(t testing.TB) *storage.Keyring {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(DataKey)
	if err != nil {
		t.Fatalf("test data key: %v", err)
	}
	k, err := storage.NewKeyring(raw)
	if err != nil {
		t.Fatalf("test keyring: %v", err)
	}
	return k
}
