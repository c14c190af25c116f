package main

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"broadsheet/handlers"
	"broadsheet/models"
	"broadsheet/outbox"
	"broadsheet/views"
)

type config struct {
	addr    string
	site    // -data, -db
	baseURL string
	seed    bool
	dev     bool
	smtp    string // SMTP server URL; empty: mail is written to DATA/mail
	from    string // From address of the site's mail
	media   mediaConfig
	limits  serverLimits
	ops     handlers.Config // only the operations and limits fields
}

// serverLimits are what net/http enforces before a request reaches the site.
type serverLimits struct {
	readHeader, read, write, idle time.Duration
	maxHeaderBytes                int64
	connsPerClient                int
	memory                        int64 // heap budget for the garbage collector (0: Go's default pacing)
	upload, photoMemory           int64 // largest photo file taken; most memory one photo may take to process
}

// serve runs the site until ctx is cancelled (SIGINT/SIGTERM): it then stops
// accepting, finishes what is in flight, and closes the database.
func (r *cli) serve(ctx context.Context, log *slog.Logger, args []string, _ io.Writer) error {
	c := config{seed: true,
		limits: serverLimits{readHeader: 10 * time.Second, read: 2 * time.Minute, write: 2 * time.Minute, idle: 2 * time.Minute,
			maxHeaderBytes: 64 << 10, connsPerClient: 64, memory: 128 << 20,
			upload: models.DefaultMaxUploadBytes, photoMemory: models.DefaultMaxDecodeBytes},
		ops: handlers.Config{FormBytes: 256 << 10, CommentBytes: 64 << 10, MaxFormFields: 1000, DiskFloor: 100 << 20,
			RateLimits: handlers.DefaultRateLimits()}}
	fl := newFlagSet("serve", "broadsheet [serve] [flags]",
		"Runs the site. The first start in an empty -data folder creates the site there: the database,\n"+
			"the session keys, an administrator and (unless -seed=false) the sample paper.")
	fl.siteFlags(&c.site)
	fl.StringVar(&c.addr, "addr", "localhost:8080", "`HOST:PORT` to listen on")
	fl.twin("addr")
	fl.Var(urlValue{&c.baseURL}, "base-url", "the site's public `URL` for links, like https://news.example (default http://HOST:PORT)")
	fl.twin("base-url")
	fl.Var(boolValue{&c.seed}, "seed", "fill a new site with the invented sample paper")
	fl.twin("seed")
	fl.Var(boolValue{&c.dev}, "dev", "re-read templates from ./views on every request")
	fl.twin("dev")
	fl.StringVar(&c.smtp, "smtp", "", "mail server `URL`: smtp://USER:PASS@HOST:587 (STARTTLS), smtps://…:465 (TLS) or\n"+
		"smtp+insecure://127.0.0.1:PORT (loopback only); prefer the environment twin, which ps does not show.\n"+
		"Without it, mail is written to DIR/mail as .eml files instead of being sent")
	fl.twin("smtp")
	fl.StringVar(&c.from, "mail-from", "", "the From `ADDRESS` of the site's mail (default broadsheet@ the -base-url host)")
	fl.twin("mail-from")
	fl.mediaFlags(&c.media)
	c.limitFlags(fl)
	pos, err := fl.parse(args, r.stdout)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("serve takes no arguments, only flags (got %q)", pos[0])
	}
	defer collectByBudget(c.limits.memory)()
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	ln = handlers.GatherWrites(limitPerClient(ln, c.limits.connsPerClient, c.ops.TrustedProxies))
	defer ln.Close()
	if c.baseURL == "" {
		// Keep the host as the operator wrote it ("localhost"), unless the OS chose the port.
		c.baseURL = "http://" + c.addr
		if _, port, _ := net.SplitHostPort(c.addr); port == "0" {
			c.baseURL = "http://" + ln.Addr().String()
		}
	}

	if c.from == "" {
		u, _ := url.Parse(c.baseURL)
		c.from = "broadsheet@" + u.Hostname()
	}
	sender, err := outbox.New(c.smtp, c.from, filepath.Join(c.data, "mail"))
	if err != nil {
		return usageErrorf("%v", err)
	}

	files, err := c.media.files(ctx, log, c.data)
	if err != nil {
		return err
	}
	store, err := openSite(c.site, true)
	if err != nil {
		return err
	}
	defer store.Close()
	store.Media.MaxBytes, store.Media.MaxDecodeBytes = c.limits.upload, c.limits.photoMemory
	store.Media.Files = files
	if len(store.Migrated) > 0 {
		log.Info("applied database migrations", "data", c.data, "migrations", strings.Join(store.Migrated, ", "))
	}
	keys, err := sessionKeys(log, filepath.Join(c.data, "session.key"))
	if err != nil {
		return err
	}
	checkStorage(log, store, c.data, c.ops.DiskFloor)
	if err := r.firstRun(ctx, log, store, c); err != nil {
		return err
	}

	var viewsFS fs.FS = views.FS
	if c.dev {
		viewsFS = os.DirFS("views")
	}
	hc := c.ops
	hc.BaseURL, hc.Dev, hc.SecureCookies, hc.SessionKeys = c.baseURL, c.dev, strings.HasPrefix(c.baseURL, "https://"), keys
	hc.MediaURL = c.media.publicURL
	app, err := handlers.New(hc, store, log, viewsFS)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           app.Routes(),
		ReadHeaderTimeout: c.limits.readHeader,
		ReadTimeout:       c.limits.read,
		WriteTimeout:      c.limits.write,
		IdleTimeout:       c.limits.idle,
		MaxHeaderBytes:    int(c.limits.maxHeaderBytes),
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ConnContext:       handlers.ConnContext, // with GatherWrites: a cached answer leaves in one write
	}
	srv.RegisterOnShutdown(app.EndStreams) // live streams never finish by themselves
	go app.FlushReadsEvery(ctx, time.Minute)
	go app.RankWidgetsEvery(ctx, 30*time.Second)
	go app.HousekeepEvery(ctx, time.Minute)
	log.Info("mail", "from", c.from, "to", sender.String())
	stopMail := (&outbox.Worker{Mail: store.Mail, Sender: sender, Log: log}).Start(ctx)
	defer stopMail() // before the database closes: the worker may be recording a send
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("Broadsheet is running", "url", c.baseURL+"/", "data", c.data)
	defer r.logs.batch(100 * time.Millisecond)()
	if r.ready != nil {
		r.ready <- ln.Addr().String()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "reason", context.Cause(ctx).Error())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return app.Close(shutdownCtx)
}

// collectByBudget lets the garbage collector run as the heap nears budget rather than
// each time it doubles, unless the operator set GOGC or GOMEMLIMIT. A site's live heap
// is a few megabytes plus its caches, and a cached page costs a few kilobytes of garbage,
// so under load Go's default pacing collected 15 times a second, each collection
// slowing every request on the core for ~15 ms: p99 went from 2 ms (a bare server) to
// 50–70 ms. It returns a function that puts the previous settings back.
func collectByBudget(budget int64) (restore func()) {
	if budget <= 0 || os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	percent, limit := debug.SetGCPercent(-1), debug.SetMemoryLimit(budget)
	return func() {
		debug.SetMemoryLimit(limit)
		debug.SetGCPercent(percent)
	}
}

// limitFlags registers every limit and timeout, each with its environment twin.
func (c *config) limitFlags(fl *flagSet) {
	l := &c.limits
	fl.DurationVar(&l.readHeader, "read-header-timeout", l.readHeader, "time a client has to send a request's headers (slow-loris defence)")
	fl.DurationVar(&l.read, "read-timeout", l.read, "time a client has to send a whole request, body included (a photo upload on a slow line)")
	fl.DurationVar(&l.write, "write-timeout", l.write, "time to send an answer, from the end of the request's headers")
	fl.DurationVar(&l.idle, "idle-timeout", l.idle, "time an idle keep-alive connection stays open")
	fl.Var(sizeValue{&l.maxHeaderBytes}, "max-header-bytes", "the most a request's headers may take, as a `SIZE` like 64KB")
	fl.IntVar(&l.connsPerClient, "max-conns-per-client", l.connsPerClient, "connections one client address may hold open at once; trusted proxies are exempt (0: no cap)")
	fl.Var(sizeValue{&c.ops.FormBytes}, "form-limit", "the most a form post may take, as a `SIZE`; photo uploads have their own 15 MB limit")
	fl.Var(sizeValue{&c.ops.CommentBytes}, "comment-limit", "the most a comment post may take, as a `SIZE`")
	fl.IntVar(&c.ops.MaxFormFields, "max-form-fields", c.ops.MaxFormFields, "fields one form post may carry")
	fl.Var(c.ops.RateLimits, "rate-limits", "limits as `ACTION=COUNT/PERIOD,...`, counted per client address (per account when logged in) for "+
		"login, comment, report, vote, search and feed; COUNT 0 turns one off")
	fl.Var(cidrsValue{&c.ops.TrustedProxies}, "trusted-proxies", "`CIDR,...` of reverse proxies whose X-Forwarded-For names the client")
	fl.StringVar(&c.ops.MetricsToken, "metrics-token", "", "a `TOKEN` that opens /metrics to scrapers off this machine (Authorization: Bearer TOKEN)")
	fl.Var(sizeValue{&c.ops.DiskFloor}, "disk-floor", "/readyz fails when the data folder's disk has less free space than this `SIZE`")
	fl.Var(sizeValue{&l.upload}, "upload-limit", "the largest photo file the newsroom may upload, as a `SIZE`")
	fl.Var(sizeValue{&l.photoMemory}, "photo-memory", "the most memory one photo may take to decode, resize and encode (one at a time), as a `SIZE`;\n"+
		"larger photos are refused from their header, before decoding")
	fl.Var(sizeValue{&l.memory}, "memory-limit", "the heap `SIZE` the garbage collector keeps to, collecting only as it nears it\n"+
		"(0: Go's default, a collection each time the heap doubles; GOGC or GOMEMLIMIT in the environment also mean that)")
	for _, name := range []string{"read-header-timeout", "read-timeout", "write-timeout", "idle-timeout", "max-header-bytes",
		"max-conns-per-client", "form-limit", "comment-limit", "max-form-fields", "rate-limits", "trusted-proxies", "metrics-token", "disk-floor",
		"memory-limit", "upload-limit", "photo-memory"} {
		fl.twin(name)
	}
}

// checkStorage says at start, in words an operator acts on, when the database cannot
// take writes or the disk is nearly full. The site still starts: readers keep reading,
// writes answer 503 and /readyz fails until it is fixed.
func checkStorage(log *slog.Logger, store *models.Store, data string, floor int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := store.CheckWritable(ctx, time.Now()); err != nil {
		if uw, ok := models.AsUnwritable(err); ok {
			log.Error("the database cannot be written: the site serves readers, but every write answers 503 and /readyz fails until this is fixed",
				"data", data, "fix", uw.Fix)
		} else {
			log.Error("the database did not take a test write", "data", data, "err", err)
		}
	}
	if free, err := store.DiskFree(); err == nil && int64(free) < floor {
		log.Error("the data folder's disk is nearly full: /readyz fails until there is room", "data", data,
			"free_mb", free>>20, "floor_mb", floor>>20, "fix", "free space on that disk, or lower -disk-floor")
	}
}
