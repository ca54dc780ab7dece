package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/batonhq/baton/bot/slackdouble"
)

// fleet is several bot processes (child bots, see runChildBot) on one Postgres and one Redis, all
// serving one workspace of the double: over Socket Mode, where the double writes each envelope to
// one of their sockets at random, as Slack does; or in HTTP mode, where it posts each request to one
// of them at random, as a load balancer does.
type fleet struct {
	t     testing.TB
	d     *slackdouble.Server
	http  bool
	procs []*fleetBot
}

// fleetBot is one process of a fleet.
type fleetBot struct {
	cmd    *exec.Cmd
	url    string // where its BATON_HTTP_ADDR serves
	logs   *lockedBuffer
	killed bool
}

// lockedBuffer keeps a process's output; the test reads it while the process writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startFleet starts n bot processes with env (the database, Redis, policy file and Redis prefix),
// over HTTP when overHTTP is set, and waits until every one is ready.
func startFleet(ctx context.Context, t testing.TB, d *slackdouble.Server, n int, overHTTP bool, env []string) *fleet {
	t.Helper()
	f := &fleet{t: t, d: d, http: overHTTP}
	env = append(append(os.Environ(), env...), "SLACK_BOT_TOKEN=xoxb-test", "SLACK_API_URL="+d.APIURL(), "BATON_LOG_LEVEL="+fleetLogLevel())
	if overHTTP {
		env = append(env, "SLACK_APP_TOKEN=", "SLACK_SIGNING_SECRET="+testSigningSecret)
	} else {
		env = append(env, "SLACK_APP_TOKEN=xapp-test", "SLACK_SIGNING_SECRET=")
	}
	t.Cleanup(f.stop)
	var urls []string
	for range n {
		addr := freeLoopbackAddr(t)
		p := &fleetBot{url: "http://" + addr, logs: &lockedBuffer{}}
		p.cmd = exec.Command(os.Args[0], "-test.run=^$")
		p.cmd.Env = append(env, "BATON_HTTP_ADDR="+addr)
		p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		f.procs = append(f.procs, p)
		urls = append(urls, p.url)
	}
	for i, p := range f.procs {
		if err := waitFor(ctx, func() (bool, error) { return p.ready(ctx), nil }); err != nil {
			t.Fatalf("bot %d never became ready: %v\n%s", i, err, p.logs.String())
		}
	}
	if overHTTP {
		d.DeliverOverHTTP(testSigningSecret, urls...)
	} else if err := d.WaitConnected(ctx, n); err != nil {
		t.Fatalf("the bots did not all connect: %v\n%s", err, f.logs())
	}
	return f
}

// ready reports whether the process answers /readyz with 200.
func (p *fleetBot) ready(ctx context.Context) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url+"/readyz", nil)
	if err != nil {
		return false
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// kill ends process i with SIGKILL, as a node lost or an OOM kill does, and waits until Slack (the
// double) has seen its socket close.
func (f *fleet) kill(ctx context.Context, i int) {
	f.t.Helper()
	p := f.procs[i]
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_ = p.cmd.Wait()
	p.killed = true
	if f.http {
		return
	}
	alive := 0
	for _, q := range f.procs {
		if !q.killed {
			alive++
		}
	}
	if err := f.d.Wait(ctx, func() bool { return f.d.Connections() == alive }); err != nil {
		f.t.Fatalf("the killed bot's socket stayed open: %v", err)
	}
}

// stop ends the processes still running, as a deploy stops them (SIGTERM), and fails the test when
// one of them ended with an error.
func (f *fleet) stop() {
	for i, p := range f.procs {
		if p.killed || p.cmd.ProcessState != nil {
			continue
		}
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- p.cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				f.t.Errorf("bot %d stopped with %v:\n%s", i, err, p.logs.String())
			}
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Signal(syscall.SIGKILL)
			<-done
			f.t.Errorf("bot %d did not stop within 30 s of SIGTERM:\n%s", i, p.logs.String())
		}
	}
}

// fleetLogLevel is the processes' log level: debug with BATON_TEST_LOGS set, else errors only.
func fleetLogLevel() string {
	if os.Getenv("BATON_TEST_LOGS") != "" {
		return "debug"
	}
	return "error"
}

// dump has every live process write where each of its goroutines is (SIGQUIT) and end, and returns
// what they all wrote: for a failure where the bots stopped making progress.
func (f *fleet) dump() string {
	for _, p := range f.procs {
		if !p.killed {
			_ = p.cmd.Process.Signal(syscall.SIGQUIT)
			_ = p.cmd.Wait()
			p.killed = true
		}
	}
	return f.logs()
}

// logs is what every process wrote, for a failure's message.
func (f *fleet) logs() string {
	var b strings.Builder
	for i, p := range f.procs {
		fmt.Fprintf(&b, "--- bot %d:\n%s", i, p.logs.String())
	}
	return b.String()
}
