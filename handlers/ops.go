package handlers

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"broadsheet/models"
)

// metrics are this App's Prometheus series, on a registry of its own (no globals:
// two Apps in one test process count apart).
type metrics struct {
	requests    *prometheus.CounterVec   // by route pattern, method and status
	latency     *prometheus.HistogramVec // by route pattern and method
	cacheHits   prometheus.Counter
	cacheMisses prometheus.Counter
	comments    *prometheus.GaugeVec // by status, read from the database at each scrape
	mail        *prometheus.GaugeVec // the outbox by state, read at each scrape

	// series holds each label set's counter and histogram once looked up (seriesKey →
	// requestSeries): WithLabelValues hashes the labels and searches the vector on every
	// call, two of them per request, which was a tenth of a cache hit's own work.
	series sync.Map
}

type seriesKey struct {
	route, method string
	status        int
}

type requestSeries struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

// newMetrics registers the site's series on reg.
func (a *App) newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "broadsheet_http_requests_total",
			Help: "HTTP requests answered, by route pattern (never the raw URL), method and status."}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "broadsheet_http_request_duration_seconds",
			Help:    "Time from the request reaching the router to the answer being written, by route pattern and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10}}, []string{"route", "method"}),
		cacheHits: prometheus.NewCounter(prometheus.CounterOpts{Name: "broadsheet_page_cache_hits_total",
			Help: "Anonymous page requests answered from the page cache."}),
		cacheMisses: prometheus.NewCounter(prometheus.CounterOpts{Name: "broadsheet_page_cache_misses_total",
			Help: "Anonymous page requests rendered because the cache had no current copy."}),
		comments: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "broadsheet_comments",
			Help: "Comments by status (pending: held for moderation)."}, []string{"status"}),
		mail: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "broadsheet_mail_outbox",
			Help: "Messages in the mail outbox by state (failed: gave up; see last_error)."}, []string{"state"}),
	}
	reg.MustRegister(m.requests, m.latency, m.cacheHits, m.cacheMisses, m.comments, m.mail,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "broadsheet_page_cache_bytes",
			Help: "Bytes of pages held by the page cache."}, func() float64 { return float64(a.pages.bytes()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "broadsheet_sqlite_memory_bytes",
			Help: "Bytes SQLite holds in this process (page caches, prepared statements, schemas), outside Go's heap."},
			func() float64 { return float64(models.SQLiteMemory()) }),
		collectors.NewDBStatsCollector(a.Store.W, "writer"),
		collectors.NewDBStatsCollector(a.Store.R, "reader"),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// observe counts one answered request. Unknown methods share one label, so a client
// cannot mint series.
func (m *metrics) observe(route, method string, status int, took time.Duration) {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
	default:
		method = "other"
	}
	if route == "" {
		route = "none" // refused before routing
	}
	key := seriesKey{route, method, status}
	s, ok := m.series.Load(key)
	if !ok {
		// The labels are bounded (route patterns, known methods, statuses), so is this map.
		s, _ = m.series.LoadOrStore(key, requestSeries{
			requests: m.requests.WithLabelValues(route, method, strconv.Itoa(status)),
			latency:  m.latency.WithLabelValues(route, method),
		})
	}
	rs := s.(requestSeries)
	rs.requests.Inc()
	rs.latency.Observe(took.Seconds())
}

// metricsShow serves /metrics in Prometheus text format, to this machine or to a
// scraper holding the metrics token.
func (a *App) metricsShow(c echo.Context) error {
	if !a.metricsAllowed(c) {
		return echo.NewHTTPError(http.StatusForbidden, "Metrics are open only to this machine, or to a scraper sending the metrics token.")
	}
	counts, err := a.Store.CommentCounts(c.Request().Context())
	if err != nil {
		return err
	}
	for status, n := range counts {
		a.metrics.comments.WithLabelValues(status).Set(float64(n))
	}
	mail, err := a.Store.MailCounts(c.Request().Context())
	if err != nil {
		return err
	}
	for state, n := range mail {
		a.metrics.mail.WithLabelValues(state).Set(float64(n))
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	promhttp.HandlerFor(a.Metrics, promhttp.HandlerOpts{}).ServeHTTP(c.Response(), c.Request())
	return nil
}

// metricsAllowed admits a bearer token equal to the configured one, or a client on
// loopback that came directly: a request carrying forwarding headers came through a
// proxy, and a proxy on this machine would otherwise make every visitor local.
func (a *App) metricsAllowed(c echo.Context) bool {
	r := c.Request()
	if tok := a.Config.MetricsToken; tok != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if ok && subtle.ConstantTimeCompare([]byte(got), []byte(tok)) == 1 {
			return true
		}
	}
	for _, h := range []string{"X-Forwarded-For", "Forwarded", "X-Real-Ip"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	ip := net.ParseIP(host)
	return err == nil && ip != nil && ip.IsLoopback()
}

// readyShow is /readyz: 200 when this server can do its whole job (the database takes
// a write, its schema is the one this binary knows, the disk has room), else 503 with
// the failing check and what to do. A load balancer takes the server out meanwhile;
// /healthz (liveness) stays 200, since restarting would not help.
func (a *App) readyShow(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 5*time.Second)
	defer cancel()
	var lines []string
	ready := true
	check := func(name string, problem string) {
		if problem != "" {
			ready = false
			lines = append(lines, name+": FAIL: "+problem)
		} else {
			lines = append(lines, name+": ok")
		}
	}
	var problem string
	if err := a.Store.CheckWritable(ctx, a.Now()); err != nil {
		problem = err.Error()
	}
	check("database writable", problem)
	problem = ""
	switch pending, unknown, err := a.Store.MigrationStatus(ctx); {
	case err != nil:
		problem = err.Error()
	case len(unknown) > 0:
		problem = fmt.Sprintf("the database has migrations this binary does not know (%s): a newer Broadsheet upgraded it; run that version", strings.Join(unknown, ", "))
	case len(pending) > 0:
		problem = fmt.Sprintf("migrations not applied (%s): restart this server or run `broadsheet migrate`", strings.Join(pending, ", "))
	}
	check("migrations current", problem)
	problem = ""
	if free, err := a.Store.DiskFree(); err != nil {
		problem = err.Error()
	} else if floor := a.Config.DiskFloor; int64(free) < floor {
		problem = fmt.Sprintf("%d MB free on the data folder's disk, under the %d MB floor: free space there", free>>20, floor>>20)
	}
	check("disk space", problem)
	status := http.StatusOK
	if !ready {
		status = http.StatusServiceUnavailable
		a.Log.Warn("not ready", "checks", strings.Join(lines, "; "))
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.String(status, strings.Join(lines, "\n")+"\n")
}
