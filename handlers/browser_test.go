package handlers

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// newBrowser starts Debian's headless Chromium (never a downloaded one) and returns
// a chromedp context for one tab. Outside CI a missing browser skips the test with a
// clear message; under CI=true it fails, so CI can never pass without running it.
func newBrowser(tb testing.TB) context.Context {
	tb.Helper()
	path := os.Getenv("BROADSHEET_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("browser tests need Chromium at %s (apt-get install chromium): %v", path, err)
		}
		tb.Skipf("Chromium not found at %s; install Debian's chromium to run browser tests", path)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelCtx := chromedp.NewContext(actx)
	// Start the browser now, on a context without a deadline (a deadline on the first
	// call would bound the browser's whole life), so a failure to start is reported clearly.
	if err := chromedp.Do(bctx); err != nil {
		cancelCtx()
		cancelAlloc()
		tb.Fatalf("start Chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(bctx, 90*time.Second)
	tb.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// must turns a (value, error) pair from chromedp.Run into the value, failing the test on error:
// must(chromedp.Run(ctx, chromedp.Text("h1")))(t).
func must[T any](v T, err error) func(testing.TB) T {
	return func(tb testing.TB) T {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return v
	}
}
