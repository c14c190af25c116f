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
	"strings"
	"time"

	"broadsheet/handlers"
	"broadsheet/outbox"
	"broadsheet/views"
)

type config struct {
	addr    string
	data    string
	baseURL string
	seed    bool
	dev     bool
	smtp    string // SMTP server URL; empty: mail is written to DATA/mail
	from    string // From address of the site's mail
}

// serve runs the site until ctx is cancelled (SIGINT/SIGTERM): it then stops
// accepting, finishes what is in flight, and closes the database.
func (r *cli) serve(ctx context.Context, log *slog.Logger, args []string, _ io.Writer) error {
	c := config{seed: true}
	fl := newFlagSet("serve", "broadsheet [serve] [flags]",
		"Runs the site. The first start in an empty -data folder creates the site there: the database,\n"+
			"the session keys, an administrator and (unless -seed=false) the sample paper.")
	fl.dataFlag(&c.data)
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
	pos, err := fl.parse(args, r.stdout)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("serve takes no arguments, only flags (got %q)", pos[0])
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
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

	store, err := openSite(c.data, true)
	if err != nil {
		return err
	}
	defer store.Close()
	if len(store.Migrated) > 0 {
		log.Info("applied database migrations", "data", c.data, "migrations", strings.Join(store.Migrated, ", "))
	}
	keys, err := sessionKeys(log, filepath.Join(c.data, "session.key"))
	if err != nil {
		return err
	}
	if err := r.firstRun(ctx, log, store, c); err != nil {
		return err
	}

	var viewsFS fs.FS = views.FS
	if c.dev {
		viewsFS = os.DirFS("views")
	}
	app, err := handlers.New(handlers.Config{
		BaseURL:       c.baseURL,
		Dev:           c.dev,
		SecureCookies: strings.HasPrefix(c.baseURL, "https://"),
		SessionKeys:   keys,
	}, store, log, viewsFS)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           app.Routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	go app.FlushReadsEvery(ctx, time.Minute)
	log.Info("mail", "from", c.from, "to", sender.String())
	stopMail := (&outbox.Worker{Mail: store.Mail, Sender: sender, Log: log}).Start(ctx)
	defer stopMail() // before the database closes: the worker may be recording a send
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("Broadsheet is running", "url", c.baseURL+"/", "data", c.data)
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
