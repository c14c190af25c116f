// Command broadsheet runs the Broadsheet news site.
//
//	broadsheet [serve] [flags]   start the site (the default)
//	broadsheet import wordpress [-data DIR] FILE.xml   import a WordPress export
//	broadsheet user add --email E --name N --role R   create an account (password read from stdin)
//	broadsheet user passwd --email E                  set a new password (read from stdin)
//	broadsheet backup FILE                            consistent copy of the live database
//
// Every flag has an environment twin (BROADSHEET_ADDR for -addr, …); flags win.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"broadsheet/handlers"
	"broadsheet/views"
)

type config struct {
	addr    string
	data    string
	baseURL string
	seed    bool
	dev     bool
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	args := os.Args[1:]
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	// SIGINT/SIGTERM cancel ctx: the server stops accepting, finishes what is in flight, and exits.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, log, args, nil)
	case "import":
		err = importCmd(ctx, log, args, os.Stdout, os.Stderr)
	case "user":
		err = userCmd(log, args, os.Stdin, os.Stderr)
	case "backup":
		err = backupCmd(log, args, os.Stderr)
	case "generate":
		err = generateCmd(ctx, log, args, os.Stderr)
	default:
		err = fmt.Errorf("unknown command %q (try: serve, import, user, backup)", cmd)
	}
	if err != nil {
		log.Error(err.Error())
		os.Exit(1)
	}
}

// env reads a setting from the environment; unset and empty both mean the default.
func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// dataFlags registers the flags every subcommand that opens the database shares.
func dataFlags(fl *flag.FlagSet, c *config) {
	fl.StringVar(&c.data, "data", env("BROADSHEET_DATA", "./data"), "folder for the database, uploads and generated keys (BROADSHEET_DATA)")
}

// serve runs the site until ctx is cancelled. If ready is not nil, it receives the
// listening address once the server accepts connections (tests use it).
func serve(ctx context.Context, log *slog.Logger, args []string, ready chan<- string) error {
	var c config
	fl := flag.NewFlagSet("serve", flag.ExitOnError)
	dataFlags(fl, &c)
	fl.StringVar(&c.addr, "addr", env("BROADSHEET_ADDR", "localhost:8080"), "address to listen on (BROADSHEET_ADDR)")
	fl.StringVar(&c.baseURL, "base-url", env("BROADSHEET_BASE_URL", ""), "absolute URL of the site for links, e.g. https://news.example (BROADSHEET_BASE_URL; default http://ADDR)")
	fl.BoolVar(&c.seed, "seed", env("BROADSHEET_SEED", "1") != "0", "fill an empty site with the sample paper (BROADSHEET_SEED=0 to start empty)")
	fl.BoolVar(&c.dev, "dev", env("BROADSHEET_DEV", "") == "1", "re-read templates from ./views on every request (BROADSHEET_DEV=1)")
	fl.Parse(args)
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
	c.baseURL = strings.TrimRight(c.baseURL, "/")

	store, keys, err := openData(log, c.data)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := firstRun(ctx, log, store, c); err != nil {
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
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("Broadsheet is running", "url", c.baseURL+"/", "data", c.data)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Stop accepting, let in-flight requests finish, then close the database (deferred).
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return app.Close(shutdownCtx)
}
