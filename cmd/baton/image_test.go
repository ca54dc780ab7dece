package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/batonhq/baton/store/storetest"
)

// The image Dockerfile builds starts, migrates as a one-off, and answers /readyz against the local
// Postgres and Redis, run as a non-root user. It is built with podman (Debian's, on the runc
// runtime). No registry can be reached here, so the build stage's Go comes from a local image made
// from scratch: busybox for the shell, this machine's Go toolchain, module and build caches
// mounted in. Users build it with `docker build .` and the golang image.
func TestTheImageBuildsMigratesAndAnswersReady(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a container image")
	}
	podman := needPodman(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "containers.conf")
	if err := os.WriteFile(conf, []byte("[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = \"runc\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	pod := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, podman, args...)
		cmd.Env = append(os.Environ(), "CONTAINERS_CONF="+conf)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("podman %s: %v\n%s%s", strings.Join(args, " "), err, tailLines(out, 20), tailLines([]byte(stderr.String()), 20))
		}
		return strings.TrimSpace(string(out))
	}

	builder, image := "localhost/baton-go-builder:test", fmt.Sprintf("localhost/baton:test-%d", time.Now().UnixNano())
	if err := os.WriteFile(filepath.Join(dir, "Containerfile"), []byte(`FROM scratch
COPY busybox /bin/sh
COPY busybox /bin/cp
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV PATH=/usr/local/go/bin:/bin HOME=/tmp GOPATH=/go GOMODCACHE=/go/pkg/mod GOCACHE=/root/.cache/go-build GOPROXY=off GOFLAGS=-mod=mod
`), 0o644); err != nil {
		t.Fatal(err)
	}
	copyFile(t, "/bin/busybox", filepath.Join(dir, "busybox"))
	copyFile(t, "/etc/ssl/certs/ca-certificates.crt", filepath.Join(dir, "ca-certificates.crt"))
	pod("build", "-q", "-t", builder, "-f", filepath.Join(dir, "Containerfile"), dir)
	goroot, modcache, gocache := goEnv(t, "GOROOT"), goEnv(t, "GOMODCACHE"), goEnv(t, "GOCACHE")
	// The build's `go mod download` runs offline over this machine's module cache: fill it first with
	// every module go.sum names, as a build here fetches only those it compiles.
	download := exec.CommandContext(ctx, "go", "mod", "download")
	download.Dir = filepath.Join("..", "..")
	if out, err := download.CombinedOutput(); err != nil {
		t.Fatalf("go mod download, to fill the module cache the image build reads: %v\n%s", err, tailLines(out, 20))
	}
	pod("build", "-q", "--format", "docker", "--build-arg", "GO_IMAGE="+builder, "--build-arg", "VERSION=test",
		"-v", goroot+":/usr/local/go:ro", "-v", modcache+":/go/pkg/mod:ro", "-v", gocache+":/root/.cache/go-build",
		"-t", image, filepath.Join("..", ".."))
	t.Cleanup(func() { _ = exec.Command(podman, "rmi", "-f", image).Run() })

	inspect := pod("image", "inspect", "--format", "{{.Size}} {{.Config.User}} {{json .Config.Entrypoint}} {{json .Config.Healthcheck.Test}}", image)
	fields := strings.SplitN(inspect, " ", 4)
	size, _ := strconv.ParseInt(fields[0], 10, 64)
	t.Logf("image size: %.1f MB", float64(size)/1e6)
	if fields[1] != "65532:65532" || fields[2] != `["/baton"]` || !strings.Contains(fields[3], "/baton") {
		t.Errorf("image user %s, entrypoint %s, healthcheck %s; want a non-root user, /baton, and baton health", fields[1], fields[2], fields[3])
	}

	dbURL := storetest.URL(t)
	if out := pod("run", "--rm", "--network", "host", "-e", "DATABASE_URL="+dbURL, image, "migrate"); !strings.Contains(out, "up to date") {
		t.Errorf("baton migrate in the image said %q", out)
	}
	// No Slack tokens: the local workspace, on a loopback port of its own.
	const redisDB = 10
	flushRedisDB(t, redisDB)
	addr := freeLoopbackAddr(t)
	// The HEALTHCHECK would need systemd's timers to run on its own; the test runs its command below.
	started := time.Now()
	id := pod("run", "-d", "--no-healthcheck", "--network", "host", "-e", "DATABASE_URL="+dbURL, "-e", fmt.Sprintf("REDIS_URL=redis://127.0.0.1:6379/%d", redisDB),
		"-e", "BATON_HTTP_ADDR="+addr, image)
	t.Cleanup(func() { _ = exec.Command(podman, "rm", "-f", id).Run() })
	deadline := time.After(90 * time.Second)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		res, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				t.Logf("from container start to ready: %v (the local workspace seeded on an empty database)", time.Since(started).Round(10*time.Millisecond))
				break
			}
		}
		select {
		case <-deadline:
			t.Fatalf("the container was not ready within 90 s; its log:\n%s", pod("logs", id))
		case <-tick.C:
		}
	}
	pod("exec", id, "/baton", "health")
}

// needPodman finds podman, runc and a static busybox, installing them from Debian's packages when
// missing and this user may; otherwise the test is skipped, or fails when CI is set.
func needPodman(t *testing.T) string {
	t.Helper()
	needDebian(t, func() bool {
		for _, p := range []string{"podman", "runc"} {
			if _, err := exec.LookPath(p); err != nil {
				return false
			}
		}
		_, err := os.Stat("/bin/busybox")
		return err == nil
	}, "podman", "runc", "busybox-static")
	p, _ := exec.LookPath("podman")
	return p
}

// needDebian installs Debian's packages when have says something is missing and this runs as root;
// when it is still missing the test is skipped saying so, or fails under CI.
func needDebian(t *testing.T, have func() bool, packages ...string) {
	t.Helper()
	if !have() && os.Geteuid() == 0 {
		install := exec.Command("apt-get", append([]string{"install", "-y", "-qq"}, packages...)...)
		install.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err := install.CombinedOutput(); err != nil {
			t.Logf("apt-get install %s: %v\n%s", strings.Join(packages, " "), err, tailLines(out, 10))
		}
	}
	if !have() {
		msg := fmt.Sprintf("%s is missing and could not be installed here (apt-get install %s, as root)", strings.Join(packages, ", "), strings.Join(packages, " "))
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

func flushRedisDB(t *testing.T, db int) {
	t.Helper()
	opts, err := redis.ParseURL(testRedisURL())
	if err != nil {
		t.Fatal(err)
	}
	opts.DB = db
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	if err := rdb.FlushDB(context.Background()).Err(); err != nil {
		t.Fatalf("flush Redis database %d: %v", db, err)
	}
}

// freeLoopbackAddr is a loopback address with a port nothing listens on now.
func freeLoopbackAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func tailLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
