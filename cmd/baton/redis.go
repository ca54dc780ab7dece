package main

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/batonhq/baton/internal/redisurl"
)

// openRedis connects to the Redis that holds the delayed queues: one Redis, or a cluster.
func openRedis(ctx context.Context, cfg config) (redis.UniversalClient, error) {
	rdb, err := redisurl.NewClient(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("REDIS_URL: cannot reach Redis (%w); start it or fix the URL", err)
	}
	return rdb, nil
}
