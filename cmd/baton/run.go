package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/handlers"
	"github.com/batonhq/baton/scheduler"
	"github.com/batonhq/baton/store"
)

// runOptions are the knobs tests and benchmarks turn; production uses the zero value.
type runOptions struct {
	client bot.ClientConfig
	now    func() time.Time
	// redisPrefix names this bot's queues in Redis (a hash tag); tests give each bot its own.
	redisPrefix string
	// started receives a function that waits until no envelope and no follow-up work is in flight.
	started func(idle func(context.Context) error)
	// reload delivers SIGHUP: each signal reads the approval policy file again.
	reload <-chan os.Signal
	// reloaded is called after each reload a signal or a change of the file asked for, whatever
	// its outcome.
	reloaded func()
	// watchPolicy is how often the policy file is read to see whether it changed; 0 means
	// watchPolicyEvery.
	watchPolicy time.Duration
	// inboxLease is how long an acknowledged envelope, or a lane of the outbox, stays with the process
	// that took it before another may take it over; recoverEvery how often each process looks for
	// such work. 0 means the defaults.
	inboxLease, recoverEvery time.Duration
	// schedulerIdle and schedulerLease are the scheduler's Config.Idle and Config.Lease; 0 means
	// their defaults.
	schedulerIdle, schedulerLease time.Duration
	// policyYAML is the approval policy when no file is named (the local workspace's demo policy).
	policyYAML []byte
	// scheduler receives the bot's scheduler once it is made (the local workspace's clock moves it).
	scheduler func(*scheduler.Scheduler)
	// listening receives the address BATON_HTTP_ADDR was bound to (tests ask for port 0).
	listening func(addr string)
}

// watchPolicyEvery is how often the policy file is read to see whether it changed: an edited file,
// or a Kubernetes ConfigMap updated under a running pod, is put in force without a restart.
const watchPolicyEvery = 5 * time.Second

// runCommand is `baton run`; each signal on reload re-reads the approval policy file.
// With no Slack settings, or with local set (`baton run --local`), it runs against the local workspace.
func runCommand(ctx context.Context, getenv func(string) string, reload <-chan os.Signal, local bool, out io.Writer) error {
	cfg, err := loadConfig(getenv, true)
	if err != nil {
		return err
	}
	if local && !cfg.Local {
		if err := cfg.useLocal(getenv); err != nil {
			return err
		}
	}
	if cfg.Local {
		return localRun(ctx, cfg, newLogger(cfg.LogLevel), runOptions{reload: reload}, out)
	}
	return run(ctx, cfg, newLogger(cfg.LogLevel), runOptions{reload: reload})
}

func migrateCommand(ctx context.Context, getenv func(string) string) error {
	cfg, err := loadConfig(getenv, false)
	if err != nil {
		return err
	}
	db, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Println("baton: database is up to date")
	return db.Close()
}

// openMigrated connects to Postgres and applies the migrations (once, whoever else starts at the same
// time). A migration may take longer than the statement timeout Baton's own work runs under, so it
// runs on a pool without it.
func openMigrated(ctx context.Context, cfg config) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: cannot reach Postgres (%w); start it or fix the URL", err)
	}
	if err := db.Migrate(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	if cfg.DBPoolSize == 0 && cfg.DBStatementTimeout == 0 {
		return db, nil
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	var opts []store.Option
	if cfg.DBPoolSize > 0 {
		opts = append(opts, store.PoolSize(cfg.DBPoolSize))
	}
	if db, err = store.Open(ctx, cfg.DatabaseURL, append(opts, store.StatementTimeout(cfg.DBStatementTimeout))...); err != nil {
		return nil, fmt.Errorf("DATABASE_URL: cannot reach Postgres (%w); start it or fix the URL", err)
	}
	return db, nil
}

// run serves until ctx ends: migrate, learn who the bot is, then take Socket Mode envelopes.
// On shutdown it stops taking envelopes, lets in-flight work finish (bounded) and closes connections.
func run(ctx context.Context, cfg config, log *slog.Logger, opts runOptions) error {
	policy, policyYAML, err := loadPolicy(cfg.Policies)
	if err != nil {
		return err
	}
	if policy == nil && opts.policyYAML != nil {
		if policy, err = baton.LoadPolicy(opts.policyYAML); err != nil {
			return fmt.Errorf("the built-in approval policy: %w", err)
		}
		policyYAML = opts.policyYAML
	}
	db, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if policy != nil {
		if err := db.SavePolicyVersion(ctx, policy.Version, string(policyYAML), time.Now()); err != nil {
			return fmt.Errorf("record the approval policy: %w", err)
		}
	}

	jobs := scheduler.NewJobTable(db.DB)
	m := newMetrics(db, jobs)
	apiOpts := []slack.Option{slack.OptionAppLevelToken(cfg.AppToken), slack.OptionHTTPClient(slackHTTPClient())}
	if cfg.APIURL != "" {
		apiOpts = append(apiOpts, slack.OptionAPIURL(cfg.APIURL))
	}
	api := slack.New(cfg.BotToken, apiOpts...)
	clientCfg := opts.client
	clientCfg.Log, clientCfg.Observer = log, m
	client := bot.NewClient(api, clientCfg)
	auth, err := client.AuthTest(ctx)
	switch {
	case bot.IsSlackError(err, "invalid_auth", "not_authed", "account_inactive", "token_revoked", "not_allowed_token_type"):
		return fmt.Errorf("SLACK_BOT_TOKEN: Slack did not accept it (%w); copy the bot token again from OAuth & Permissions", err)
	case err != nil:
		return fmt.Errorf("cannot reach Slack at %s (%w); check the network or SLACK_API_URL", apiBase(cfg), err)
	}
	log = log.With("team_id", auth.TeamID, "bot_user_id", auth.UserID)

	rdb, err := openRedis(ctx, cfg)
	if err != nil {
		return err
	}
	defer rdb.Close()
	sched := scheduler.New(scheduler.Config{Redis: rdb, Store: jobs, Prefix: opts.redisPrefix, Log: log.With("component", "scheduler"), Now: opts.now,
		Idle: opts.schedulerIdle, Lease: opts.schedulerLease, Observer: m})
	m.backlog.due = func(ctx context.Context) (int64, error) { return sched.Pending(ctx, now(opts)) }
	if opts.scheduler != nil {
		opts.scheduler(sched)
	}

	hcfg := handlers.Config{Stores: storesOf(db), Slack: client, Scheduler: sched, Log: log, Now: opts.now, Policy: policy,
		OutboxLease: opts.inboxLease, OutboxPoll: opts.recoverEvery, PostPace: clientCfg.PerChannelInterval}
	if cfg.Policies != "" {
		hcfg.ReloadPolicy = func() (*baton.Policy, []byte, error) { return loadPolicy(cfg.Policies) }
	}
	h := handlers.New(hcfg)
	router := bot.NewRouter()
	h.Register(router)
	dispatcher := &bot.Dispatcher{Router: router, Inbox: inbox{db}, InboxLease: opts.inboxLease, GaveUp: h.GaveUp, Log: log, Observer: m}

	stopHTTP := func() {}
	var httpFailed <-chan error // the HTTP server's failure, if it fails
	var connected atomic.Bool   // the Socket Mode connection is up
	var stopping atomic.Bool    // told to stop: /readyz says so from then on
	if cfg.HTTPAddr != "" {
		var slackHandler http.Handler
		if cfg.httpMode() {
			slackHandler = m.countRequests(bot.NewHTTPHandler(bot.HTTPConfig{Dispatcher: dispatcher, SigningSecret: cfg.SigningSecret, Log: log}))
		}
		ready := func(ctx context.Context) error {
			if stopping.Load() {
				return notReady{"shutdown", errors.New("stopping")}
			}
			if err := db.Ready(ctx); err != nil {
				return notReady{"postgres", err}
			}
			if err := rdb.Ping(ctx).Err(); err != nil {
				return notReady{"redis", err}
			}
			if !cfg.httpMode() && !connected.Load() {
				return notReady{"slack", errors.New("no Socket Mode connection")}
			}
			return nil
		}
		stop, failed, addr, err := serveHTTP(cfg.HTTPAddr, slackHandler, m.handler(), ready, log)
		if err != nil {
			return err
		}
		httpFailed = failed
		stopHTTP = sync.OnceFunc(stop)
		defer stopHTTP()
		if opts.listening != nil {
			opts.listening(addr)
		}
	}
	go pruneDeliveries(ctx, db, log)
	go dispatcher.RunRecovery(ctx, opts.recoverEvery)
	changed := make(chan struct{}, 1)
	if cfg.Policies != "" && !cfg.PoliciesManual {
		go watchPolicyFile(ctx, cfg.Policies, policyYAML, opts.watchPolicy, changed, log)
	}
	go reloadOnSignal(ctx, opts, changed, h, log)
	if opts.started != nil {
		opts.started(func(ctx context.Context) error { return idle(ctx, dispatcher, h, sched) })
	}

	schedCtx, stopSched := context.WithCancel(ctx)
	defer stopSched()
	schedDone := make(chan error, 1)
	go func() { schedDone <- sched.Run(schedCtx) }()
	outboxCtx, stopOutbox := context.WithCancel(context.WithoutCancel(ctx))
	defer stopOutbox()
	outboxDone := make(chan struct{})
	go func() {
		defer close(outboxDone)
		h.RunOutbox(outboxCtx)
	}()

	var runErr error
	if cfg.httpMode() {
		log.Info("baton is serving Slack's requests", "addr", cfg.HTTPAddr, "api_url", cfg.APIURL)
		// Without its server, Slack can't reach this process: it stops rather than look alive.
		select {
		case <-ctx.Done():
			// Not ready from now on, but still answering until the load balancer has seen it.
			stopping.Store(true)
			if cfg.ShutdownDelay > 0 {
				log.Info("stopping: /readyz says so; answering Slack's requests meanwhile", "for", cfg.ShutdownDelay)
				select {
				case <-time.After(cfg.ShutdownDelay):
				case err := <-httpFailed:
					runErr = fmt.Errorf("BATON_HTTP_ADDR: the server stopped serving Slack's requests: %w", err)
				}
			}
		case err := <-httpFailed:
			runErr = fmt.Errorf("BATON_HTTP_ADDR: the server stopped serving Slack's requests: %w", err)
		}
		// Requests being answered get their acks; the work they started finishes below.
		stopHTTP()
		drain, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := dispatcher.Wait(drain); err != nil {
			runErr = err
		}
		cancel()
	} else {
		log.Info("baton is starting", "api_url", cfg.APIURL)
		go func() {
			<-ctx.Done()
			stopping.Store(true)
		}()
		runErr = bot.RunSocketMode(ctx, bot.SocketConfig{API: api, Dispatcher: dispatcher, Log: log, Connected: &connected})
	}
	stopSched()
	// Once stopped, whatever the scheduler was doing ends with an error (Postgres reports a cancelled
	// query as its own error, not as context.Canceled): only an error from before the stop counts.
	if err := <-schedDone; err != nil && ctx.Err() == nil && runErr == nil {
		runErr = err
	}
	drain, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.Wait(drain); err != nil {
		log.Warn("follow-up work still running at shutdown", "err", err)
	}
	// Messages being sent are finished; those waiting stay in the outbox for the next process.
	stopOutbox()
	<-outboxDone
	// Jobs enqueued last are committed; index them now rather than at another process's next
	// rebuild.
	if err := sched.WaitIndexed(drain); err != nil {
		log.Warn("jobs left for the next index rebuild at shutdown", "err", err)
	}
	log.Info("baton stopped")
	return runErr
}

// watchPolicyFile reads the approval policy file every interval (0: watchPolicyEvery) and says on
// changed when its bytes differ from those read last (first, from was: what the bot started with). A
// file that can't be read is said once, until it can be again.
func watchPolicyFile(ctx context.Context, path string, was []byte, every time.Duration, changed chan<- struct{}, log *slog.Logger) {
	if every <= 0 {
		every = watchPolicyEvery
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	unreadable := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		data, err := os.ReadFile(path)
		if err != nil {
			if !unreadable {
				log.Warn("approval policy file can't be read; the policy in force stays", "path", path, "err", err)
			}
			unreadable = true
			continue
		}
		unreadable = false
		if bytes.Equal(data, was) {
			continue
		}
		was = data
		select {
		case changed <- struct{}{}:
		default: // a reload is already asked for, and will read the file as it is then
		}
	}
}

// reloadOnSignal reads the approval policy file again on each signal (SIGHUP) and each change of the
// file, and logs the outcome. A bad file leaves the policy in force as it was.
func reloadOnSignal(ctx context.Context, opts runOptions, changed <-chan struct{}, h *handlers.Handlers, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-opts.reload:
		case <-changed:
		}
		res, err := h.ReloadPolicy(ctx)
		switch {
		case err != nil && res.Policy != nil:
			log.Error("approval policy not reloaded; the previous one stays in force", "version", res.Policy.Version, "err", err)
		case err != nil:
			log.Error("approval policy not reloaded", "err", err)
		case res.Changed:
			log.Info("approval policy reloaded", "version", res.Policy.Version, "types", res.Policy.TypeNames())
		default:
			log.Info("approval policy file unchanged", "version", res.Policy.Version)
		}
		if opts.reloaded != nil {
			opts.reloaded()
		}
	}
}

// idle waits until the dispatcher, the handlers' follow-up work and the outbox are all quiet at the
// same moment, then until the jobs they enqueued are in the scheduler's index.
func idle(ctx context.Context, d *bot.Dispatcher, h *handlers.Handlers, sched *scheduler.Scheduler) error {
	for {
		if err := d.Wait(ctx); err != nil {
			return err
		}
		if err := h.Wait(ctx); err != nil {
			return err
		}
		if d.Idle() && h.Idle() {
			return sched.WaitIndexed(ctx)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// slackHTTPClient keeps enough idle connections for concurrent handlers: the default transport keeps two
// per host and re-dials the rest under load.
func slackHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 128
	t.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: bot.WithoutEchoes(t), Timeout: 30 * time.Second}
}

func apiBase(cfg config) string {
	if cfg.APIURL != "" {
		return cfg.APIURL
	}
	return slack.APIURL
}

// pruneDeliveries forgets delivery keys older than a day: Slack never redelivers that late.
func pruneDeliveries(ctx context.Context, db *store.DB, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if _, err := db.PruneDeliveries(ctx, now.Add(-24*time.Hour)); err != nil && !errors.Is(err, context.Canceled) {
				log.Warn("old delivery keys not pruned", "err", err)
			}
		}
	}
}

// readyTimeout bounds one readiness check.
const readyTimeout = 2 * time.Second

// notReady says which part is not ready; the details go to the log, not to whoever asks.
type notReady struct {
	part string
	err  error
}

func (e notReady) Error() string { return e.part + ": " + e.err.Error() }

// readyHandler answers 200 "ready" when ready says so, and 503 naming the part that is not.
func readyHandler(ready func(context.Context) error, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := ready(ctx); err != nil {
			part := "baton"
			var nr notReady
			if errors.As(err, &nr) {
				part = nr.part
			}
			log.Warn("not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = fmt.Fprintf(w, "not ready: %s\n", part)
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
}

// serveHTTP answers on addr, for orchestrators, /healthz (the process is alive), /readyz (ready
// says why not, if not) and /metrics, and in HTTP mode Slack's requests (slackHandler). It returns how to stop
// it and the address it listens on.
func serveHTTP(addr string, slackHandler, metrics http.Handler, ready func(context.Context) error, log *slog.Logger) (func(), <-chan error, string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, "", fmt.Errorf("BATON_HTTP_ADDR: cannot listen on %q (%w)", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.Handle("/readyz", readyHandler(ready, log))
	mux.Handle("/metrics", metrics)
	if slackHandler != nil {
		mux.Handle("/slack/", slackHandler)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 15 * time.Second, IdleTimeout: 90 * time.Second, MaxHeaderBytes: 64 << 10}
	stop, failed := serve(srv, ln, "http server", log)
	return stop, failed, ln.Addr().String(), nil
}

// serve runs srv on ln in the background and returns how to shut it down (requests in flight get
// 5 s to finish), and a channel that receives the error if it stops serving on its own.
func serve(srv *http.Server, ln net.Listener, what string, log *slog.Logger) (func(), <-chan error) {
	failed := make(chan error, 1)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error(what+" stopped", "err", err)
			failed <- err
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, failed
}

// now is the bot's clock: opts.now, or the real one.
func now(opts runOptions) time.Time {
	if opts.now != nil {
		return opts.now()
	}
	return time.Now()
}
