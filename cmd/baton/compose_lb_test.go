package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/batonhq/baton/store/storetest"
)

// startComposeLB runs Debian's nginx with deploy/compose/nginx.conf, its upstream pointed at
// replicas instead of Compose's DNS, and returns where it listens.
func startComposeLB(t *testing.T, replicas ...string) string {
	t.Helper()
	needDebian(t, func() bool { _, err := exec.LookPath("nginx"); return err == nil }, "nginx")
	data, err := os.ReadFile(filepath.Join("..", "..", "deploy", "compose", "nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	conf, addr := string(data), freeLoopbackAddr(t)
	var servers []string
	for _, r := range replicas {
		servers = append(servers, "server "+r+" max_fails=0;")
	}
	for _, edit := range [][2]string{
		{"server baton:8080 resolve max_fails=0;", strings.Join(servers, " ")},
		{"resolver 127.0.0.11 valid=10s ipv6=off;", ""},
		{"listen 8080;", "listen " + addr + ";"},
	} {
		if !strings.Contains(conf, edit[0]) {
			t.Fatalf("deploy/compose/nginx.conf has no %q to point at this test's replicas", edit[0])
		}
		conf = strings.Replace(conf, edit[0], edit[1], 1)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "nginx", "-p", dir, "-c", filepath.Join(dir, "nginx.conf"),
		"-g", "daemon off; pid "+filepath.Join(dir, "nginx.pid")+"; error_log stderr;")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	// SIGTERM stops the workers with the master; killing the master alone would leave them running.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	if os.Geteuid() == 0 {
		cmd.Args = append(cmd.Args[:len(cmd.Args)-1], cmd.Args[len(cmd.Args)-1]+" user root;")
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx did not listen on %s:\n%s", addr, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The load balancer Compose puts in front of Baton's two replicas sends people to the one serving
// the local workspace, not to the one standing by, and to the other once it has taken over.
func TestComposeLoadBalancerSendsPeopleToTheServingReplica(t *testing.T) {
	dbURL, prefix := storetest.URL(t), redisPrefix(t)
	first := startLocal(t, dbURL, prefix)
	secondAddr := freeLoopbackAddr(t)
	second := launchLocal(t, dbURL, prefix, secondAddr)
	waitAlive(t, secondAddr)
	lb := startComposeLB(t, secondAddr, strings.TrimPrefix(strings.TrimSuffix(first.url, "/"), "http://"))

	ask := func(when string) {
		t.Helper()
		// Round robin starts at either replica: every request, a page's read or a person's action,
		// must find the serving one.
		for i := range 6 {
			req, _ := http.NewRequest(http.MethodGet, "http://"+lb+"/local/api/session", nil)
			want := `"people"`
			if i%2 == 1 {
				req, _ = http.NewRequest(http.MethodPost, "http://"+lb+"/local/api/home_opened", strings.NewReader(`{"as":"UMAYA"}`))
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				want = "{"
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("%s, %s %s through the load balancer: %v", when, req.Method, req.URL.Path, err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
				t.Fatalf("%s, %s %s through the load balancer: %d %s", when, req.Method, req.URL.Path, res.StatusCode, body)
			}
		}
	}
	ask("with the first replica serving")

	if err := first.stop(); err != nil {
		t.Fatal(err)
	}
	second.waitRunning(time.Minute)
	ask(fmt.Sprintf("after the second replica took over on %s", secondAddr))
}
