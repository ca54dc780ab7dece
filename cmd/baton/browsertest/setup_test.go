package browsertest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/redis/go-redis/v9"

	"github.com/batonhq/baton/store/storetest"
)

// bin is the baton binary the tests run, built once by TestMain.
var bin string

// redisURL is a Redis database of these tests' own: the local workspace's queues have one fixed
// name, so each test empties it before starting Baton, and the tests run one after another.
const redisURL = "redis://127.0.0.1:6379/9"

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "baton-browsertest")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "baton")
	// Built in Baton's own module, as `make run` builds it.
	build := exec.Command("go", "build", "-o", bin, "./cmd/baton")
	build.Dir = filepath.Join("..", "..", "..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "browsertest: cannot build baton:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// waitTimeout bounds every wait for the page or for Baton.
const waitTimeout = 30 * time.Second

// baton is `baton run` without Slack tokens, as the README's first command starts it, on a fresh
// database schema.
type baton struct {
	url  string
	pid  int
	stop func()
}

func startBaton(t testing.TB) *baton {
	t.Helper()
	flushRedis(t)
	cmd := exec.Command(bin, "run")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+storetest.URL(t), "REDIS_URL="+redisURL, "BATON_HTTP_ADDR=127.0.0.1:0",
		"SLACK_APP_TOKEN=", "SLACK_BOT_TOKEN=", "SLACK_API_URL=", "BATON_POLICIES=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	b := &baton{pid: cmd.Process.Pid}
	b.stop = func() {
		once.Do(func() {
			_ = cmd.Process.Signal(os.Interrupt)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("baton stopped with %v:\n%s", err, stderr.String())
				}
			case <-time.After(waitTimeout):
				_ = cmd.Process.Kill()
				t.Errorf("baton did not stop within %v", waitTimeout)
			}
		})
	}
	t.Cleanup(b.stop)
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case line <- sc.Text():
			default:
			}
		}
		close(line)
	}()
	select {
	case l, ok := <-line:
		url, found := strings.CutPrefix(l, "Baton is running — open ")
		if !ok || !found {
			t.Fatalf("baton printed %q; want where to open it. Its log:\n%s", l, stderr.String())
		}
		b.url = url
	case <-time.After(2 * time.Minute):
		t.Fatalf("baton was not running within 2 minutes:\n%s", stderr.String())
	}
	return b
}

func flushRedis(t testing.TB) {
	t.Helper()
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("test Redis unreachable (CI is set, so this fails): %v", err)
		}
		t.Skipf("skipping, test Redis unreachable: %v", err)
	}
}

// chromium finds Debian's Chromium, installing it when it is missing and this user may.
func chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Geteuid() == 0 {
		aptGet := func(args ...string) error {
			cmd := exec.Command("apt-get", args...)
			cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Logf("apt-get %s: %v\n%s", strings.Join(args, " "), err, tail(out))
			}
			return err
		}
		install := []string{"install", "-y", "-qq", "--no-install-recommends", "chromium"}
		// The package lists may be stale on a fresh machine: fetch them when the first try fails.
		if aptGet(install...) != nil && aptGet("update", "-qq") == nil {
			_ = aptGet(install...)
		}
		if p, err := exec.LookPath("chromium"); err == nil {
			return p
		}
	}
	msg := "Chromium is not installed and could not be installed here (apt-get install chromium, as root)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func tail(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-10):], "\n")
}

// browser opens a headless Chromium window of its own for the test.
func browser(t testing.TB) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)), chromedp.NoSandbox, chromedp.WindowSize(1400, 900),
		chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// run runs browser actions, each bounded by waitTimeout, and fails the test with what was being done.
func run(t testing.TB, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, waitTimeout)
	defer cancel()
	if err := chromedp.Do(tctx, actions...); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("nothing happened within %v", waitTimeout)
		}
		screenshot(t, ctx, "failed-"+strings.ReplaceAll(t.Name(), "/", "-"))
		t.Fatalf("%s: %v", what, err)
	}
}

// post does what the page's script does for an action, and returns the JSON answer.
func (b *baton) post(t testing.TB, action string, body map[string]any) map[string]any {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, b.url+"/local/api/"+action, bytes.NewReader(raw))
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("POST %s: %v", action, err)
	}
	return out
}
