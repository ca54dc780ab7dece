package main

import (
	"context"
	"crypto/rand"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/batonhq/baton/bot/slackdouble"
	"github.com/batonhq/baton/scheduler"
	"github.com/batonhq/baton/store"
)

// localPolicies is the demo company's approval policy, used when BATON_POLICIES is not set.
//
//go:embed local_policies.yaml
var localPolicies []byte

const (
	// localSaveEvery is how often the local workspace's conversations are saved when they changed.
	localSaveEvery = 2 * time.Second
	// localStartTimeout bounds waiting for the bot to connect to the local workspace.
	localStartTimeout = 30 * time.Second
	// localSeedTimeout bounds setting up the demo company.
	localSeedTimeout = 2 * time.Minute
)

// localRedisPrefix names the local workspace's queues in Redis.
const localRedisPrefix = "{baton-local}"

// localNotice is shown on the page: it has no sign-in.
const localNotice = "This local workspace has no sign-in: whoever can open this page can act as anyone in it."

// localRun is `baton run` without Slack: the bot, unchanged, against the local workspace (the
// project's Slack-compatible server) and its page on cfg.HTTPAddr. out receives the one line that
// says where to open it.
func localRun(ctx context.Context, cfg config, log *slog.Logger, opts runOptions, out io.Writer) error {
	db, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	release, err := claimLocal(ctx, db)
	if errors.Is(err, errLocalTaken) {
		release, err = standBy(ctx, db, cfg.HTTPAddr, log)
	}
	if err != nil || release == nil {
		return err // release is nil when stopped while standing by
	}
	defer release()
	saved, err := db.LocalWorkspace(ctx, localTeam)
	if err != nil {
		return err
	}
	clock := &localClock{save: func(ctx context.Context, ahead time.Duration) error { return db.SaveLocalClock(ctx, localTeam, ahead) }}
	clock.ahead.Store(int64(saved.ClockAhead))

	d, err := slackdouble.Start(slackdouble.Options{
		TeamID: localTeam, TeamDomain: "northwind", BotName: "baton",
		BotToken: "xoxb-local-" + rand.Text(), AppToken: "xapp-local-" + rand.Text(),
		RateLimits: true, Now: clock.Now, CallHistory: 1000, Inspect: 500,
	})
	if err != nil {
		return err
	}
	defer d.Close()
	seedPeople(d)
	if saved.State != nil {
		if err := d.Restore(saved.State); err != nil {
			log.Warn("local workspace restored in part", "err", err)
		}
	}

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("BATON_HTTP_ADDR: cannot listen on %q (%w); choose another address", cfg.HTTPAddr, err)
	}
	botCfg := cfg
	botCfg.AppToken, botCfg.BotToken, botCfg.APIURL, botCfg.HTTPAddr = d.Options().AppToken, d.Options().BotToken, d.APIURL(), ""
	if botCfg.Policies == "" && opts.policyYAML == nil {
		opts.policyYAML = localPolicies
	}
	opts.now = clock.Now
	if opts.redisPrefix == "" {
		// The local workspace's timers stay apart from a Slack workspace's on the same Redis.
		opts.redisPrefix = localRedisPrefix
	}
	running := make(chan func(context.Context) error, 1)
	scheds := make(chan *scheduler.Scheduler, 1)
	opts.started, opts.scheduler = func(idle func(context.Context) error) { running <- idle }, func(s *scheduler.Scheduler) { scheds <- s }

	botCtx, stopBot := context.WithCancel(ctx)
	defer stopBot()
	botDone := make(chan error, 1)
	go func() { botDone <- run(botCtx, botCfg, log, opts) }()
	if err := waitLocalBot(ctx, d, clock, running, scheds, botDone); err != nil {
		_ = ln.Close()
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return err
	}
	if !saved.Seeded {
		err := seedLocal(ctx, db, d, clock, log)
		if err != nil || ctx.Err() != nil {
			// Failed, or stopped while seeding: the bot is let finish before the store closes.
			_ = ln.Close()
			stopBot()
			<-botDone
			return err
		}
	}

	ready := func(ctx context.Context) error {
		if err := db.Ready(ctx); err != nil {
			return notReady{"postgres", err}
		}
		if d.Connections() == 0 {
			return notReady{"slack", errors.New("Baton is not connected to the local workspace")}
		}
		return nil
	}
	srv := &http.Server{Handler: localMux(d, clock, ready, cfg.LocalPassword, cfg.HTTPAddr, log), ReadHeaderTimeout: 10 * time.Second}
	// Open pages keep an event stream each: closing the workspace ends them, so shutting the page
	// down does not wait for the browsers.
	srv.RegisterOnShutdown(d.Close)
	stopPage, _ := serve(srv, ln, "local workspace page", log)
	defer stopPage()
	fmt.Fprintf(out, "Baton is running — open %s\n", pageURL(ln.Addr(), cfg.HTTPAddr))

	saveCtx, stopSaving := context.WithCancel(ctx)
	saveDone := make(chan struct{})
	go func() {
		defer close(saveDone)
		saveLocal(saveCtx, db, d, log)
	}()
	err = <-botDone
	stopSaving()
	<-saveDone
	return err
}

// waitLocalBot waits until the bot runs and is connected to the local workspace, and gives the
// clock what it needs to move.
func waitLocalBot(ctx context.Context, d *slackdouble.Server, clock *localClock, running <-chan func(context.Context) error,
	scheds <-chan *scheduler.Scheduler, botDone <-chan error) error {
	ctx, cancel := context.WithTimeout(ctx, localStartTimeout)
	defer cancel()
	stopped := func(err error) error {
		if err == nil {
			err = errors.New("Baton stopped before it was ready")
		}
		return err
	}
	for clock.idle == nil || clock.sched == nil {
		select {
		case clock.idle = <-running:
		case clock.sched = <-scheds:
		case err := <-botDone:
			return stopped(err)
		case <-ctx.Done():
			return fmt.Errorf("Baton did not start within %v; run it with BATON_LOG_LEVEL=debug to see where it stopped", localStartTimeout)
		}
	}
	connected := make(chan error, 1)
	go func() { connected <- d.WaitConnected(ctx, 1) }()
	select {
	case err := <-connected:
		if err != nil {
			return fmt.Errorf("Baton did not connect to the local workspace within %v; run it with BATON_LOG_LEVEL=debug to see why", localStartTimeout)
		}
		return nil
	case err := <-botDone:
		return stopped(err)
	}
}

// claimLocal makes sure this process alone runs the local workspace, on a database of its own.
func claimLocal(ctx context.Context, db *store.DB) (func(), error) {
	other, err := db.OtherTeams(ctx, localTeam)
	if err != nil {
		return nil, err
	}
	if other {
		return nil, &settingError{"DATABASE_URL", "this database holds a Slack workspace's records, and the local workspace needs a database of its own; point DATABASE_URL at another database, or set the Slack tokens to run against Slack"}
	}
	release, ok, err := db.LockLocal(ctx, localTeam)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errLocalTaken
	}
	return release, nil
}

// errLocalTaken says another process runs the local workspace on this database.
var errLocalTaken = errors.New("another baton process is running the local workspace on this database")

// localStandbyEvery is how often a process standing by asks whether the local workspace is free.
const localStandbyEvery = 2 * time.Second

// standBy waits until the process running the local workspace on this database stops, then takes
// it over: a second replica (Compose starts two) is ready to serve instead of failing. Meanwhile it
// answers on addr that it lives (/healthz) but does not serve (503 elsewhere), so a load balancer
// sends people to the one that does. It returns the lock's release, or nil when ctx ended first.
func standBy(ctx context.Context, db *store.DB, addr string, log *slog.Logger) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		// Most likely the other process, on this machine: say so rather than ask for an address.
		return nil, fmt.Errorf("%w, and %s is taken (%v): stop it first, or give this one another BATON_HTTP_ADDR to stand by on", errLocalTaken, addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "standby: another Baton process serves this local workspace; this one takes over if it stops", http.StatusServiceUnavailable)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	log.Warn("another Baton process serves the local workspace on this database; this one stands by and takes over if it stops")
	tick := time.NewTicker(localStandbyEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, nil
		case <-tick.C:
		}
		release, ok, err := db.LockLocal(ctx, localTeam)
		switch {
		case err != nil && ctx.Err() == nil:
			// Postgres may be restarting too: keep standing by, and say why.
			log.Warn("standing by: cannot ask whether the local workspace is free", "err", err)
		case ok:
			log.Warn("the local workspace is free: this process takes it over")
			return release, nil
		}
	}
}

// seedLocal sets up the demo company, keeps the conversations it made, then marks it done. A
// seed cut short is said so, with how to start over.
func seedLocal(ctx context.Context, db *store.DB, d *slackdouble.Server, clock *localClock, log *slog.Logger) error {
	seedCtx, cancel := context.WithTimeout(ctx, localSeedTimeout)
	err := demo{d: d, idle: clock.idle, now: clock.Now}.seedDemo(seedCtx)
	cancel()
	if ctx.Err() != nil {
		return nil // stopped while seeding; nothing is marked, and `baton local reset` starts over
	}
	if err != nil {
		log.Warn("the demo company is not fully set up; `baton local reset` starts it over", "err", err)
	}
	state, err := d.Snapshot()
	if err == nil {
		err = db.SaveLocalWorkspace(ctx, localTeam, state)
	}
	if err != nil {
		return err
	}
	return db.MarkLocalSeeded(ctx, localTeam, clock.Now())
}

// localMux serves the page, /healthz and /readyz.
func localMux(d *slackdouble.Server, clock *localClock, ready func(context.Context) error, password, addr string, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.Handle("GET /readyz", readyHandler(ready, log))
	host, _, _ := net.SplitHostPort(addr)
	mux.Handle("/", d.Page(slackdouble.PageOptions{
		TeamName: localTeamName, Commands: manifestCommands, Shortcuts: manifestShortcuts,
		Clock: clock, Password: password, Notice: localNotice, Host: host, Log: log,
	}))
	return mux
}

// pageURL is the address to open: the listener's, with a name people can type when it listens
// on every interface.
func pageURL(addr net.Addr, asked string) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return "http://" + asked
	}
	if tcp.IP.IsUnspecified() {
		return fmt.Sprintf("http://localhost:%d", tcp.Port)
	}
	return "http://" + tcp.String()
}

// saveLocal keeps the local workspace's conversations in Postgres when they changed, and once
// more when ctx ends.
func saveLocal(ctx context.Context, db *store.DB, d *slackdouble.Server, log *slog.Logger) {
	var saved uint64
	save := func(ctx context.Context) {
		v := d.Version()
		if v == saved {
			return
		}
		state, err := d.Snapshot()
		if err == nil {
			err = db.SaveLocalWorkspace(ctx, localTeam, state)
		}
		if err != nil {
			log.Warn("local workspace not saved", "err", err)
			return
		}
		saved = v
	}
	tick := time.NewTicker(localSaveEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			save(final)
			cancel()
			return
		case <-tick.C:
			save(ctx)
		}
	}
}

// localReset is `baton local reset`: it deletes the local workspace's records, conversations and
// clock, so the next `baton run` starts Northwind afresh.
func localReset(ctx context.Context, getenv func(string) string, out io.Writer) error {
	cfg, err := loadConfig(getenv, false)
	if err != nil {
		return err
	}
	db, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	release, ok, err := db.LockLocal(ctx, localTeam)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("a baton process is running the local workspace on this database; stop it, then reset")
	}
	defer release()
	n, err := db.ResetTeam(ctx, localTeam)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "baton: the local workspace is cleared (%d records); the next `baton run` sets up the demo company again\n", n)
	return nil
}
