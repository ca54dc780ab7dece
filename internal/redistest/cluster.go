// Package redistest starts a Redis Cluster of local redis-server processes on loopback ports, for the
// tests that prove Baton on a cluster: three masters, each with a replica, that fail over in seconds.
package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// nodeTimeout is how long a master may be silent before its replica takes over.
const nodeTimeout = 1000 * time.Millisecond

// Cluster is a running local Redis Cluster.
type Cluster struct {
	dir   string
	mu    sync.Mutex
	procs map[string]*node // by address
}

// node is one redis-server; done is closed once it has exited.
type node struct {
	cmd  *exec.Cmd
	done chan struct{}
}

func (n *node) kill() {
	_ = n.cmd.Process.Kill()
	<-n.done
}

// Start starts six redis-server processes in cluster mode (three masters, three replicas) and joins
// them with redis-cli --cluster create. Redis's programs are installed from Debian's packages when
// missing and Start runs as root; otherwise it says what to install.
func Start(ctx context.Context) (*Cluster, error) {
	if err := install(ctx); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "baton-redis-cluster-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, procs: map[string]*node{}}
	ports, err := freePorts(6)
	if err != nil {
		c.Stop()
		return nil, err
	}
	var addrs []string
	for _, p := range ports {
		addr := "127.0.0.1:" + strconv.Itoa(p)
		if err := c.startNode(addr, p); err != nil {
			c.Stop()
			return nil, err
		}
		addrs = append(addrs, addr)
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "1", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, "redis-cli", args...).CombinedOutput(); err != nil {
		c.Stop()
		return nil, fmt.Errorf("redis-cli --cluster create: %v: %s", err, out)
	}
	if err := c.waitHealthy(ctx); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

func install(ctx context.Context) error {
	have := func() bool {
		_, server := exec.LookPath("redis-server")
		_, cli := exec.LookPath("redis-cli")
		return server == nil && cli == nil
	}
	if have() {
		return nil
	}
	if os.Geteuid() == 0 {
		apt := func(args ...string) ([]byte, error) {
			cmd := exec.CommandContext(ctx, "apt-get", args...)
			cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
			return cmd.CombinedOutput()
		}
		if _, err := apt("install", "-y", "-qq", "redis-server", "redis-tools"); err != nil {
			_, _ = apt("update", "-qq")
			if out, err := apt("install", "-y", "-qq", "redis-server", "redis-tools"); err != nil && !have() {
				return fmt.Errorf("redis-server and redis-cli are missing and apt-get could not install them: %v: %s", err, out)
			}
		}
	}
	if !have() {
		return errors.New("redis-server and redis-cli are missing: install them (apt-get install redis-server redis-tools, as root)")
	}
	return nil
}

func (c *Cluster) startNode(addr string, port int) error {
	nodeDir := filepath.Join(c.dir, strconv.Itoa(port))
	if err := os.MkdirAll(nodeDir, 0o755); err != nil {
		return err
	}
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", nodeDir,
		"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
		"--cluster-node-timeout", strconv.Itoa(int(nodeTimeout/time.Millisecond)),
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", filepath.Join(nodeDir, "redis.log"))
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server on %s: %w", addr, err)
	}
	n := &node{cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(n.done)
	}()
	c.mu.Lock()
	c.procs[addr] = n
	c.mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for {
		rdb := redis.NewClient(&redis.Options{Addr: addr})
		err := rdb.Ping(context.Background()).Err()
		_ = rdb.Close()
		if err == nil {
			return nil
		}
		select {
		case <-n.done:
			log, _ := os.ReadFile(filepath.Join(nodeDir, "redis.log"))
			return fmt.Errorf("redis-server on %s exited: %s", addr, log)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server on %s did not answer: %w", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Addrs are the addresses of the nodes still running.
func (c *Cluster) Addrs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.procs))
	for a := range c.procs {
		out = append(out, a)
	}
	return out
}

// URL names the cluster as REDIS_URL does.
func (c *Cluster) URL() string { return "redis+cluster://" + strings.Join(c.Addrs(), ",") }

// KillMasterOf kills -9 the master that holds key's slot and waits until its replica has taken the
// slot over and the cluster is healthy again. It returns the killed master's address.
func (c *Cluster) KillMasterOf(ctx context.Context, key string) (string, error) {
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs()})
	defer rdb.Close()
	master, err := rdb.MasterForKey(ctx, key)
	if err != nil {
		return "", err
	}
	addr := master.Options().Addr
	slot, err := rdb.ClusterKeySlot(ctx, key).Result()
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	n := c.procs[addr]
	delete(c.procs, addr)
	c.mu.Unlock()
	if n == nil {
		return "", fmt.Errorf("no node of this cluster runs at %s", addr)
	}
	n.kill()
	if err := c.waitSlotMoved(ctx, int(slot), addr); err != nil {
		return addr, err
	}
	return addr, c.waitHealthy(ctx)
}

// waitSlotMoved waits until every running node says slot is served by a master other than gone.
func (c *Cluster) waitSlotMoved(ctx context.Context, slot int, gone string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		moved := true
		for _, addr := range c.Addrs() {
			rdb := redis.NewClient(&redis.Options{Addr: addr})
			slots, err := rdb.ClusterSlots(ctx).Result()
			_ = rdb.Close()
			if err != nil {
				moved = false
				continue
			}
			for _, s := range slots {
				if slot >= s.Start && slot <= s.End && (len(s.Nodes) == 0 || s.Nodes[0].Addr == gone) {
					moved = false
				}
			}
		}
		if moved {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no replica took slot %d over from %s", slot, gone)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// waitHealthy waits until every running node says the cluster is ok and every slot is served, and
// every replica has its master's data (a replica that never synced can't take over).
func (c *Cluster) waitHealthy(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		bad := ""
		for _, addr := range c.Addrs() {
			rdb := redis.NewClient(&redis.Options{Addr: addr})
			info, err := rdb.ClusterInfo(ctx).Result()
			repl, rerr := rdb.Info(ctx, "replication").Result()
			_ = rdb.Close()
			switch {
			case err != nil || rerr != nil:
				bad = fmt.Sprintf("%s: %v", addr, errors.Join(err, rerr))
			case !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, "cluster_slots_ok:16384"):
				bad = addr + " is not ok yet"
			case strings.Contains(repl, "role:slave") && !strings.Contains(repl, "master_link_status:up"):
				bad = addr + " has not synced with its master yet"
			}
		}
		if bad == "" {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("the Redis Cluster did not become healthy: " + bad)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Stop kills every node and removes their files.
func (c *Cluster) Stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for addr, n := range c.procs {
		n.kill()
		delete(c.procs, addr)
	}
	_ = os.RemoveAll(c.dir)
}

// freePorts finds n loopback ports that are free, each with its cluster bus port (the port plus
// 10000) free too. Both stay under 32768, where Linux starts handing out ports to outgoing
// connections, so none is taken between the check and the start.
func freePorts(n int) ([]int, error) {
	var out []int
	for p := 20000 + os.Getpid()%2000; p < 22768 && len(out) < n; p++ {
		if free(p) && free(p+10000) {
			out = append(out, p)
		}
	}
	if len(out) < n {
		return nil, errors.New("no free loopback ports for a Redis Cluster between 20000 and 22767")
	}
	return out, nil
}

func free(port int) bool {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}
