package main

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/scheduler"
	"github.com/batonhq/baton/store"
)

// metrics is what /metrics shows, in Prometheus's format. It hears the dispatcher and the Slack
// client (bot.Observer) and the scheduler (scheduler.Observer); what waits is counted when scraped.
// Labels stay few: envelope kinds, routes, Web API methods and results, job kinds, never a person,
// channel or task.
type metrics struct {
	reg *prometheus.Registry

	envelopes       *prometheus.CounterVec
	ack             *prometheus.HistogramVec
	handlerSeconds  *prometheus.HistogramVec
	handlerFailures *prometheus.CounterVec
	slackCalls      *prometheus.CounterVec
	slackWait       *prometheus.CounterVec
	httpRequests    *prometheus.CounterVec
	jobRuns         *prometheus.CounterVec
	jobLateness     *prometheus.HistogramVec
	jobsParked      *prometheus.CounterVec
	indexRebuilds   prometheus.Counter
	backlog         *backlog
	// collectors is everything registered, for a test to name every metric there is.
	collectors []prometheus.Collector
}

// Latency buckets, in seconds: acks are milliseconds, handlers and lateness up to minutes.
var (
	ackBuckets      = []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}
	handlerBuckets  = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
	latenessBuckets = []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}
)

// backlogTimeout bounds the queries a scrape makes.
const backlogTimeout = 2 * time.Second

// newMetrics registers Baton's metrics. Its backlog learns how many jobs are due once the
// scheduler exists (backlog.due).
func newMetrics(db *store.DB, jobs *scheduler.JobTable) *metrics {
	m := &metrics{
		backlog: &backlog{db: db, jobs: jobs},
		reg:     prometheus.NewRegistry(),
		envelopes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "baton_envelopes_total",
			Help: "Envelopes (and HTTP-mode requests) by kind and what became of them: handled, duplicate, unrouted, unreadable."}, []string{"kind", "outcome"}),
		ack: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "baton_ack_seconds",
			Help: "Time from an envelope's arrival to its ack.", Buckets: ackBuckets}, []string{"kind"}),
		handlerSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "baton_handler_seconds",
			Help: "Time a handler ran, by route.", Buckets: handlerBuckets}, []string{"route"}),
		handlerFailures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "baton_handler_failures_total",
			Help: "Handler runs that panicked or ran out of time, by route."}, []string{"route"}),
		slackCalls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "baton_slack_calls_total",
			Help: "Attempts at Slack Web API methods by result: ok, ratelimited, Slack's error code, transport_error."}, []string{"method", "result"}),
		slackWait: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "baton_slack_wait_seconds_total",
			Help: "Time spent before Web API calls: a channel's send slot, or before a retry."}, []string{"method"}),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "baton_http_requests_total",
			Help: "HTTP-mode requests from Slack by path and status code."}, []string{"path", "code"}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "baton_scheduler_runs_total",
			Help: "Scheduled job runs by kind and result (done, failed)."}, []string{"kind", "result"}),
		jobLateness: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "baton_scheduler_lateness_seconds",
			Help: "How long after its due time a job started.", Buckets: latenessBuckets}, []string{"kind"}),
		jobsParked: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "baton_scheduler_parked_total",
			Help: "Jobs parked after failing too often, by kind."}, []string{"kind"}),
		indexRebuilds: prometheus.NewCounter(prometheus.CounterOpts{Name: "baton_scheduler_index_rebuilds_total",
			Help: "Rebuilds of the due-time index in Redis from Postgres."}),
	}
	m.collectors = []prometheus.Collector{m.envelopes, m.ack, m.handlerSeconds, m.handlerFailures, m.slackCalls, m.slackWait,
		m.httpRequests, m.jobRuns, m.jobLateness, m.jobsParked, m.indexRebuilds,
		m.backlog,
		collectors.NewDBStatsCollector(db.DB.DB, "postgres"),
		collectors.NewBuildInfoCollector(),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})}
	m.reg.MustRegister(m.collectors...)
	return m
}

// handler serves /metrics.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// bot.Observer

func (m *metrics) Envelope(kind, outcome string) { m.envelopes.WithLabelValues(kind, outcome).Inc() }

func (m *metrics) Acked(kind string, latency time.Duration) {
	m.ack.WithLabelValues(kind).Observe(latency.Seconds())
}

func (m *metrics) Handled(route string, took time.Duration, failed bool) {
	m.handlerSeconds.WithLabelValues(route).Observe(took.Seconds())
	if failed {
		m.handlerFailures.WithLabelValues(route).Inc()
	}
}

func (m *metrics) Called(method, result string) { m.slackCalls.WithLabelValues(method, result).Inc() }

func (m *metrics) Waited(method string, d time.Duration) {
	if d > 0 {
		m.slackWait.WithLabelValues(method).Add(d.Seconds())
	}
}

// scheduler.Observer

func (m *metrics) Ran(kind string, late time.Duration, err error) {
	result := "done"
	if err != nil {
		result = "failed"
	}
	m.jobRuns.WithLabelValues(kind, result).Inc()
	m.jobLateness.WithLabelValues(kind).Observe(max(late, 0).Seconds())
}

func (m *metrics) Parked(kind string) { m.jobsParked.WithLabelValues(kind).Inc() }

func (m *metrics) Rebuilt(int) { m.indexRebuilds.Inc() }

// countRequests counts HTTP-mode requests by path and status.
func (m *metrics) countRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(sw, r)
		path := r.URL.Path
		switch path {
		case bot.EventsPath, bot.InteractivityPath, bot.CommandsPath:
		default:
			path = "other"
		}
		m.httpRequests.WithLabelValues(path, strconv.Itoa(sw.code)).Inc()
	})
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

// backlog counts, at each scrape, what waits: outbox messages, parked jobs, and jobs due now that
// have not run.
type backlog struct {
	db   *store.DB
	jobs *scheduler.JobTable
	due  func(context.Context) (int64, error)
}

var (
	outboxDesc = prometheus.NewDesc("baton_outbox_depth", "Messages in the outbox not yet sent to Slack.", nil, nil)
	parkedDesc = prometheus.NewDesc("baton_scheduler_parked_jobs", "Jobs parked for a person to retry or drop.", nil, nil)
	dueDesc    = prometheus.NewDesc("baton_scheduler_due_backlog", "Jobs due by now that have not finished.", nil, nil)
)

func (b *backlog) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxDesc
	ch <- parkedDesc
	ch <- dueDesc
}

func (b *backlog) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), backlogTimeout)
	defer cancel()
	outbox, err := b.db.OutboxDepth(ctx)
	ch <- gauge(outboxDesc, outbox, err)
	parked, err := b.jobs.CountParked(ctx)
	ch <- gauge(parkedDesc, parked, err)
	if b.due == nil {
		ch <- prometheus.NewInvalidMetric(dueDesc, errors.New("the scheduler is not running"))
		return
	}
	due, err := b.due(ctx)
	ch <- gauge(dueDesc, due, err)
}

// gauge is a count made at a scrape, or the error that kept it from being made.
func gauge(desc *prometheus.Desc, n int64, err error) prometheus.Metric {
	if err != nil {
		return prometheus.NewInvalidMetric(desc, err)
	}
	return prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, float64(n))
}
