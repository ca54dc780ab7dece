// Package redisurl reads the URL that names Baton's Redis: one Redis, or a Redis Cluster.
package redisurl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/redis/go-redis/v9"
)

// clusterSchemes name a Redis Cluster in REDIS_URL: redis+cluster://host1:6379,host2:6379,host3:6379
// (rediss+cluster:// for TLS), any of its nodes as seeds, with go-redis's options in the query
// (dial_timeout=3s, read_timeout=2s …). Any other redis:// or rediss:// URL names one Redis.
var clusterSchemes = map[string]string{"redis+cluster": "redis", "rediss+cluster": "rediss"}

// Example shows both forms, for messages that ask for a URL.
const Example = "redis://127.0.0.1:6379/0, or a cluster: redis+cluster://10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379"

// Options reads a Redis URL: one Redis (single set), or the seeds of a Redis Cluster (cluster set).
// Its errors say what is wrong with the URL in words an operator can act on, without its password.
func Options(raw string) (single *redis.Options, cluster *redis.ClusterOptions, err error) {
	defer func() {
		if err != nil {
			err = errors.New(withoutPassword(err.Error(), raw))
		}
	}()
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return nil, nil, fmt.Errorf("it is not a URL; use one like %s", Example)
	}
	plain, isCluster := clusterSchemes[strings.ToLower(scheme)]
	if !isCluster {
		o, err := redis.ParseURL(raw)
		if err != nil {
			return nil, nil, fmt.Errorf("%v; use one like %s", err, Example)
		}
		return o, nil, nil
	}
	hostPart, query, _ := strings.Cut(rest, "?")
	userinfo := ""
	if at := strings.LastIndexByte(hostPart, '@'); at >= 0 {
		userinfo, hostPart = hostPart[:at+1], hostPart[at+1:]
	}
	if path := strings.IndexByte(hostPart, '/'); path >= 0 {
		if db := strings.Trim(hostPart[path:], "/"); db != "" && db != "0" {
			return nil, nil, fmt.Errorf("a Redis Cluster has only database 0, so the URL can't name database %s; leave the path out", db)
		}
		hostPart = hostPart[:path]
	}
	seeds := strings.Split(hostPart, ",")
	for _, s := range seeds {
		if _, port, err := net.SplitHostPort(s); err != nil || port == "" {
			return nil, nil, fmt.Errorf("%q is not host:port; list the cluster's nodes like %s", s, Example)
		}
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, nil, fmt.Errorf("the options after ? can't be read: %v", err)
	}
	for _, s := range seeds[1:] {
		q.Add("addr", s)
	}
	if cluster, err = redis.ParseClusterURL(plain + "://" + userinfo + seeds[0] + "?" + q.Encode()); err != nil {
		return nil, nil, fmt.Errorf("%v; use one like %s", err, Example)
	}
	return nil, cluster, nil
}

// withoutPassword takes the password of raw's user out of msg, so an error about the URL can be shown
// and logged.
func withoutPassword(msg, raw string) string {
	_, rest, _ := strings.Cut(raw, "://")
	host, _, _ := strings.Cut(rest, "/")
	at := strings.LastIndexByte(host, '@')
	if at < 0 {
		return msg
	}
	if _, password, ok := strings.Cut(host[:at], ":"); ok && password != "" {
		return strings.ReplaceAll(msg, password, "xxxxx")
	}
	return msg
}

// NewClient returns a client of the Redis the URL names: a cluster client for a cluster, else one
// for the single Redis. It does not connect yet.
func NewClient(raw string) (redis.UniversalClient, error) {
	single, cluster, err := Options(raw)
	if err != nil {
		return nil, err
	}
	if cluster != nil {
		return NewClusterClient(cluster), nil
	}
	return redis.NewClient(single), nil
}

// NewClusterClient returns a cluster client that reads the cluster's slot map again as soon as a node
// stops answering. go-redis rereads it when a node says a slot moved, and otherwise once a minute: after
// a master dies, its replica takes the slots over within seconds, but the client would keep calling
// the dead master for up to a minute.
func NewClusterClient(o *redis.ClusterOptions) *redis.ClusterClient {
	c := redis.NewClusterClient(o)
	c.AddHook(reloadOnNetworkError{c})
	return c
}

type reloadOnNetworkError struct{ c *redis.ClusterClient }

func (h reloadOnNetworkError) check(ctx context.Context, err error) {
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNREFUSED) {
		h.c.ReloadState(ctx)
	}
}

func (h reloadOnNetworkError) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		if err != nil {
			h.check(ctx, err)
		}
		return conn, err
	}
}

func (h reloadOnNetworkError) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if err != nil {
			h.check(ctx, err)
		}
		return err
	}
}

func (h reloadOnNetworkError) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		if err != nil {
			h.check(ctx, err)
		}
		return err
	}
}
