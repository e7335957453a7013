package storage

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/redis/go-redis/v9"
)

// ErrRedisURL is returned for a REDIS_URL that cannot be used. Its text
// says what is wrong, never the URL (which may hold a password).
var ErrRedisURL = errors.New("malformed redis url")

// RedisOptions are how to reach Redis: one server (or a primary), or a
// Redis Cluster through some of its nodes.
type RedisOptions struct {
	Server  *redis.Options        // redis://, rediss:// or unix://
	Cluster *redis.ClusterOptions // redis+cluster:// or rediss+cluster://
}

// ParseRedisURL reads a Redis URL:
//
//	redis://[user:password@]host:port[/db]          one server (rediss:// with TLS, unix:///path)
//	redis+cluster://[user:password@]host:port,host:port,…[?options]
//	                                                a Redis Cluster, through any of its nodes
//	                                                (rediss+cluster:// with TLS; no db: a cluster has only 0)
//
// The cluster form takes go-redis's cluster options as query parameters
// (e.g. max_redirects, read_timeout).
func ParseRedisURL(raw string) (RedisOptions, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return RedisOptions{}, fmt.Errorf("%w: want redis://host:port/db or redis+cluster://host:port,host:port", ErrRedisURL)
	}
	switch scheme {
	case "redis", "rediss", "unix":
		opt, err := redis.ParseURL(raw)
		if err != nil {
			return RedisOptions{}, fmt.Errorf("%w: want redis://host:port/db", ErrRedisURL)
		}
		return RedisOptions{Server: opt}, nil
	case "redis+cluster", "rediss+cluster":
	default:
		return RedisOptions{}, fmt.Errorf("%w: unknown scheme; want redis, rediss, unix, redis+cluster or rediss+cluster", ErrRedisURL)
	}
	rest, query, _ := strings.Cut(rest, "?")
	hosts, path, _ := strings.Cut(rest, "/")
	if path != "" && path != "0" {
		return RedisOptions{}, fmt.Errorf("%w: a cluster has only database 0", ErrRedisURL)
	}
	userinfo := ""
	if i := strings.LastIndex(hosts, "@"); i >= 0 {
		userinfo, hosts = hosts[:i+1], hosts[i+1:]
	}
	addrs := strings.Split(hosts, ",")
	q, err := url.ParseQuery(query)
	if err != nil {
		return RedisOptions{}, fmt.Errorf("%w: malformed options", ErrRedisURL)
	}
	for _, a := range addrs {
		if a == "" || !strings.Contains(a, ":") {
			return RedisOptions{}, fmt.Errorf("%w: want host:port for every cluster node", ErrRedisURL)
		}
	}
	for _, a := range addrs[1:] {
		q.Add("addr", a)
	}
	base := strings.TrimSuffix(scheme, "+cluster") + "://" + userinfo + addrs[0]
	if len(q) > 0 {
		base += "?" + q.Encode()
	}
	opt, err := redis.ParseClusterURL(base)
	if err != nil {
		return RedisOptions{}, fmt.Errorf("%w: malformed cluster url", ErrRedisURL)
	}
	return RedisOptions{Cluster: opt}, nil
}

// OpenRedis connects to Redis at url (see ParseRedisURL) and checks that it
// answers; on a cluster, that every master does.
func OpenRedis(ctx context.Context, url string) (redis.UniversalClient, error) {
	o, err := ParseRedisURL(url)
	if err != nil {
		return nil, fmt.Errorf("open redis: %w", err)
	}
	if o.Cluster != nil {
		c := redis.NewClusterClient(o.Cluster)
		err := c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error { return m.Ping(ctx).Err() })
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("ping redis cluster: %w", err)
		}
		return c, nil
	}
	c := redis.NewClient(o.Server)
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("ping redis: %w", err)
	}
	return c, nil
}
