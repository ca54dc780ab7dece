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

	"github.com/redis/go-redis/v9"
)

// clusterSchemes name a Redis Cluster in REDIS_URL: redis+cluster://host1:6379,host2:6379,host3:6379
// (rediss+cluster:// for TLS), any of its nodes as seeds, with go-redis's options in the query
// (dial_timeout=3s, read_timeout=2s …). Any other redis:// or rediss:// URL names one Redis.
var clusterSchemes = map[string]string{"redis+cluster": "redis", "rediss+cluster": "rediss"}

// Example shows both forms, for messages that ask for a URL.
const Example = "redis://127.0.0.1:6379/0, or a cluster: redis+cluster://10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379"

// Options reads a Redis URL: one Redis (single set), or the seeds of a Redis Cluster (cluster set).
// Its errors say what is wrong with the URL in words an operator can act on, and never hold its
// password: a URL with one is read again with the password masked, to say what is wrong with it.
func Options(raw string) (single *redis.Options, cluster *redis.ClusterOptions, err error) {
	single, cluster, err = parse(raw)
	if err == nil {
		return single, cluster, nil
	}
	masked, hasPassword := maskPassword(raw)
	if !hasPassword {
		return nil, nil, err
	}
	if _, _, err := parse(masked); err != nil {
		return nil, nil, err
	}
	return nil, nil, errors.New("its user name or password can't be read; percent-encode characters such as @ / ? # % in them")
}

func parse(raw string) (*redis.Options, *redis.ClusterOptions, error) {
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
	userinfo, rest := splitUserinfo(rest)
	hostPart, query, _ := strings.Cut(rest, "?")
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
	if userinfo != "" {
		userinfo += "@"
	}
	cluster, err := redis.ParseClusterURL(plain + "://" + userinfo + seeds[0] + "?" + q.Encode())
	if err != nil {
		return nil, nil, fmt.Errorf("%v; use one like %s", err, Example)
	}
	return nil, cluster, nil
}

// splitUserinfo splits what follows a URL's "://" at its last @: the user and password before it,
// the hosts, path and options after. A password may hold / ? or #, never a host.
func splitUserinfo(rest string) (userinfo, after string) {
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return "", rest
	}
	return rest[:at], rest[at+1:]
}

// maskPassword returns raw with the password of its user replaced, and whether it had one.
func maskPassword(raw string) (string, bool) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw, false
	}
	userinfo, after := splitUserinfo(rest)
	user, password, ok := strings.Cut(userinfo, ":")
	if !ok || password == "" {
		return raw, false
	}
	return scheme + "://" + user + ":xxxxx@" + after, true
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

// check asks for the slot map again when err says a node did not answer. A caller's own deadline or
// cancellation says nothing about the cluster, and asks for nothing. The reload runs in the
// background, one at a time.
func (h reloadOnNetworkError) check(ctx context.Context, err error) {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, io.EOF) {
		h.c.ReloadState(ctx)
	}
}

// DialHook is part of redis.Hook: a cluster client's nodes dial, not the client, so there is nothing to watch.
func (h reloadOnNetworkError) DialHook(next redis.DialHook) redis.DialHook { return next }

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
