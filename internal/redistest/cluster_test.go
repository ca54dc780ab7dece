package redistest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// The local cluster is a real one: keys spread over three masters, and a master killed is replaced
// by its replica with the data it had replicated.
func TestClusterFailsOver(t *testing.T) {
	if os.Getenv("TEST_REDIS_CLUSTER") == "" {
		t.Skip("starts a local Redis Cluster: set TEST_REDIS_CLUSTER=1 (make test does)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs()})
	defer rdb.Close()
	masters := map[string]bool{}
	for _, k := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		if err := rdb.Set(ctx, k, k, 0).Err(); err != nil {
			t.Fatal(err)
		}
		m, err := rdb.MasterForKey(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		masters[m.Options().Addr] = true
	}
	if len(masters) != 3 {
		t.Errorf("keys landed on %d masters, want 3", len(masters))
	}
	// Replication is asynchronous: a write the master has not yet passed on is lost with it. Write
	// "a" again and wait, on the same connection, until its replica has it.
	master, err := rdb.MasterForKey(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	conn := master.Conn()
	defer conn.Close()
	if err := conn.Set(ctx, "a", "a", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if n, err := conn.Wait(ctx, 1, 10*time.Second).Result(); err != nil || n < 1 {
		t.Fatalf("WAIT for the replica of the master of a: %d replicas, %v", n, err)
	}
	killed, err := c.KillMasterOf(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	fresh := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs()})
	defer fresh.Close()
	m, err := fresh.MasterForKey(ctx, "a")
	if err != nil || m.Options().Addr == killed {
		t.Fatalf("the killed master %s still holds the slot", killed)
	}
	if got, err := fresh.Get(ctx, "a").Result(); err != nil || got != "a" {
		t.Errorf("after failover: %q, %v", got, err)
	}
}
