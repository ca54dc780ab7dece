package check

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// loadCompose loads deploy/compose.yaml as `docker compose -f deploy/compose.yaml` would, with env
// as the shell's environment.
func loadCompose(t *testing.T, env map[string]string) *types.Project {
	t.Helper()
	var pairs []string
	for k, v := range env {
		pairs = append(pairs, k+"="+v)
	}
	opts, err := cli.NewProjectOptions([]string{filepath.Join("..", "compose.yaml")},
		cli.WithEnv(pairs), cli.WithResolvedPaths(true), cli.WithNormalization(true), cli.WithConsistency(true))
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("deploy/compose.yaml does not load: %v", err)
	}
	return p
}

func service(t *testing.T, p *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, err := p.GetService(name)
	if err != nil {
		t.Fatalf("deploy/compose.yaml has no %s service: %v", name, err)
	}
	return s
}

func env(s types.ServiceConfig, key string) string {
	if v := s.Environment[key]; v != nil {
		return *v
	}
	return ""
}

// `docker compose up` is the one-command way to try Baton: two replicas behind a load balancer, with
// Postgres and Redis healthy first, data kept in volumes, tokens from an env file, and nothing
// listening beyond this machine unless the file is changed.
func TestComposeRunsTwoReplicasBehindALoadBalancer(t *testing.T) {
	p := loadCompose(t, nil)

	baton := service(t, p, "baton")
	if baton.Deploy == nil || baton.Deploy.Replicas == nil || *baton.Deploy.Replicas < 2 {
		n := 1
		if baton.Deploy != nil && baton.Deploy.Replicas != nil {
			n = *baton.Deploy.Replicas
		}
		t.Errorf("baton runs %d replica(s); want 2", n)
	}
	if baton.Build == nil || filepath.Base(baton.Build.Dockerfile) != "Dockerfile" {
		t.Errorf("baton is not built from the repository's Dockerfile: %+v", baton.Build)
	}
	if len(baton.Ports) != 0 {
		t.Errorf("replicas publish ports %v; two replicas can't share one, the load balancer does", baton.Ports)
	}
	if baton.HealthCheck == nil || !slices.Equal(baton.HealthCheck.Test, []string{"CMD", "/baton", "health"}) {
		t.Errorf("baton's health check is %+v; want the image's own `baton health`", baton.HealthCheck)
	}
	for _, dep := range []string{"postgres", "redis"} {
		if d, ok := baton.DependsOn[dep]; !ok || d.Condition != types.ServiceConditionHealthy {
			t.Errorf("baton does not wait for %s to be healthy: %+v", dep, baton.DependsOn)
		}
		s := service(t, p, dep)
		if s.HealthCheck == nil || len(s.HealthCheck.Test) == 0 {
			t.Errorf("%s has no health check", dep)
		}
		if len(s.Volumes) == 0 || s.Volumes[0].Type != types.VolumeTypeVolume {
			t.Errorf("%s keeps its data in no named volume: %+v", dep, s.Volumes)
		}
	}
	if len(baton.EnvFiles) != 1 || filepath.Base(baton.EnvFiles[0].Path) != "baton.env" || baton.EnvFiles[0].Required {
		t.Errorf("baton's tokens do not come from an optional deploy/baton.env: %+v", baton.EnvFiles)
	}

	db, err := url.Parse(env(baton, "DATABASE_URL"))
	if err != nil || db.Scheme != "postgres" || db.Hostname() != "postgres" {
		t.Errorf("DATABASE_URL %q does not reach the postgres service", env(baton, "DATABASE_URL"))
	}
	if pw, _ := db.User.Password(); pw != env(service(t, p, "postgres"), "POSTGRES_PASSWORD") {
		t.Errorf("DATABASE_URL's password %q is not the one Postgres is set up with", pw)
	}
	if r, err := url.Parse(env(baton, "REDIS_URL")); err != nil || r.Hostname() != "redis" {
		t.Errorf("REDIS_URL %q does not reach the redis service", env(baton, "REDIS_URL"))
	}
	// Beyond loopback inside its container, the local workspace needs a password.
	if env(baton, "BATON_HTTP_ADDR") != ":8080" || env(baton, "BATON_LOCAL_PASSWORD") == "" {
		t.Errorf("BATON_HTTP_ADDR %q, BATON_LOCAL_PASSWORD %q", env(baton, "BATON_HTTP_ADDR"), env(baton, "BATON_LOCAL_PASSWORD"))
	}
	if env(baton, "BATON_SHUTDOWN_DELAY") == "" || baton.StopGracePeriod == nil {
		t.Error("replicas stop without a drain delay or a grace period for it")
	}

	lb := service(t, p, "lb")
	if len(lb.Ports) != 1 || lb.Ports[0].HostIP != "127.0.0.1" || lb.Ports[0].Published != "8080" || lb.Ports[0].Target != 8080 {
		t.Errorf("the load balancer publishes %+v; want 127.0.0.1:8080 → 8080", lb.Ports)
	}
	if _, ok := lb.DependsOn["baton"]; !ok {
		t.Error("the load balancer does not start after baton")
	}
	conf := ""
	for _, v := range lb.Volumes {
		if v.Target == "/etc/nginx/nginx.conf" {
			conf = v.Source
		}
	}
	data, err := os.ReadFile(conf)
	if err != nil {
		t.Fatalf("the load balancer's config %q: %v", conf, err)
	}
	for _, want := range []string{"server baton:8080 resolve max_fails=0", "proxy_next_upstream error http_502 http_503 non_idempotent", "proxy_buffering off", "listen 8080"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the load balancer's config lacks %q", want)
		}
	}

	// The env file's keys are settings Baton reads.
	example, err := os.ReadFile(filepath.Join("..", "baton.env.example"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(example), "\n") {
		key, _, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(line), "# "), "=")
		if ok && !strings.Contains(key, " ") && !slices.Contains(settings(t), key) {
			t.Errorf("deploy/baton.env.example sets %s, which Baton does not read", key)
		}
	}
}

// Passwords set in the shell reach both Postgres and Baton's URL; a port in the shell moves the
// published one.
func TestComposeTakesPasswordsAndThePortFromTheShell(t *testing.T) {
	p := loadCompose(t, map[string]string{"POSTGRES_PASSWORD": "s3cret", "BATON_LOCAL_PASSWORD": "letmein", "BATON_PORT": "9000"})
	baton := service(t, p, "baton")
	if !strings.Contains(env(baton, "DATABASE_URL"), ":s3cret@postgres:") || env(service(t, p, "postgres"), "POSTGRES_PASSWORD") != "s3cret" {
		t.Errorf("the shell's POSTGRES_PASSWORD did not reach both sides: %q", env(baton, "DATABASE_URL"))
	}
	if env(baton, "BATON_LOCAL_PASSWORD") != "letmein" {
		t.Errorf("BATON_LOCAL_PASSWORD = %q", env(baton, "BATON_LOCAL_PASSWORD"))
	}
	if lb := service(t, p, "lb"); lb.Ports[0].Published != "9000" {
		t.Errorf("BATON_PORT=9000 publishes %q", lb.Ports[0].Published)
	}
}

// settings are the environment variables Baton reads, as the README's configuration table lists them.
func settings(t *testing.T) []string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(readme), "\n") {
		if rest, ok := strings.CutPrefix(line, "| `"); ok {
			if name, _, ok := strings.Cut(rest, "`"); ok {
				out = append(out, name)
			}
		}
	}
	return out
}
