// Command broadsheet runs the Broadsheet news site and the few commands an operator
// needs beside it; `broadsheet help` lists them and `broadsheet COMMAND --help` explains one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Exit statuses as shells and scripts read them; a signal adds 128 + its number.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// cli is one invocation: the terminal it talks to and what its commands share.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	logJSON        bool          // stderr carries a JSON log: free text goes there only if it is a terminal
	logs           *logSink      // the log's way to stderr (serve batches it)
	ready          chan<- string // if set, serve sends its listening address (tests wait on it)
}

// command is one line of the dispatch table: `broadsheet NAME …` runs fn with the
// arguments after NAME; fn writes its results to out (stdout).
type command struct {
	name, summary string
	fn            func(ctx context.Context, log *slog.Logger, args []string, out io.Writer) error
}

func (r *cli) commands() []command {
	return []command{
		{"serve", "run the site (the default when no command is given)", r.serve},
		{"user", "add an account, set its password, or list the accounts (user add|passwd|list)", r.user},
		{"backup", "write a consistent copy of the live database to a new file", r.backup},
		{"import", "import a WordPress export into a site (import wordpress FILE.xml)", r.importCmd},
		{"export", "write the whole site out (export wordpress FILE.xml, or export json DIR)", r.exportCmd},
		{"migrate", "apply pending database migrations, or move a site to PostgreSQL (migrate sqlite-to-postgres)", r.migrate},
		{"media", "copy the photo files to an S3-compatible bucket (media copy-to-s3)", r.media},
		{"generate", "fill a site with a large realistic archive (for load tests)", r.generate},
		{"version", "print the version and source revision of this binary", r.version},
	}
}

// run is main without the process: it returns the exit status instead of exiting.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return (&cli{stdin: stdin, stdout: stdout, stderr: stderr}).run(args)
}

func (r *cli) run(args []string) int {
	logOpts, args, err := splitLogFlags(args)
	if err != nil {
		return r.exit("broadsheet", context.Background(), err)
	}
	log, err := r.newLogger(logOpts)
	if err != nil {
		return r.exit("broadsheet", context.Background(), err)
	}
	name := "serve" // the README's first command is a bare `broadsheet` (or `go run .`)
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	} else if len(args) > 0 {
		switch args[0] {
		case "-h", "-help", "--help":
			name, args = "help", nil
		case "-version", "--version":
			name, args = "version", nil
		}
	}
	if name == "help" {
		if len(args) == 0 {
			r.help()
			return exitOK
		}
		name, args = args[0], []string{"--help"}
	}
	for _, c := range r.commands() {
		if c.name == name {
			ctx, stop := signalContext()
			defer stop()
			return r.exit("broadsheet "+name, ctx, c.fn(ctx, log, args, r.stdout))
		}
	}
	return r.exit("broadsheet", context.Background(), usageErrorf("there is no command %q", name))
}

// help is `broadsheet help`: every command with its one-line summary.
func (r *cli) help() {
	fmt.Fprintln(r.stdout, "Broadsheet, a news site in one binary.\n\nusage: broadsheet [COMMAND] [flags]\n\nCommands:")
	for _, c := range r.commands() {
		fmt.Fprintf(r.stdout, "  %-8s  %s\n", c.name, c.summary)
	}
	fmt.Fprint(r.stdout, "\nRun `broadsheet COMMAND --help` for a command's flags. Flags may come before or after\n"+
		"other arguments; most have an environment twin, named in the help (BROADSHEET_DATA for -data).\n"+globalFlagsHelp)
}

// usageError is a command line that cannot be run as typed (exit 2), as opposed to
// one that ran and failed (exit 1).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// signalError is the cause of a command's context when SIGINT or SIGTERM stopped it.
type signalError struct{ sig syscall.Signal }

func (e signalError) Error() string {
	if e.sig == syscall.SIGINT {
		return "interrupted (SIGINT)"
	}
	return "stopped by SIGTERM"
}

// signalContext is cancelled, with a signalError as its cause, by the first SIGINT or
// SIGTERM. After that the signals act as usual again, so a second Ctrl-C ends a
// shutdown that hangs.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case s := <-sigs:
			signal.Stop(sigs)
			cancel(signalError{s.(syscall.Signal)})
		case <-ctx.Done():
		}
	}()
	return ctx, func() { signal.Stop(sigs); cancel(nil) }
}

// exit turns what a command returned into a sentence on stderr and an exit status.
func (r *cli) exit(who string, ctx context.Context, err error) int {
	var usage usageError
	var sig signalError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &usage):
		fmt.Fprintf(r.stderr, "%s: %s\nRun `%s --help` for usage.\n", who, usage.msg, who)
		return exitUsage
	case errors.As(context.Cause(ctx), &sig):
		fmt.Fprintf(r.stderr, "%s: %s before it finished.\n", who, sig)
		return 128 + int(sig.sig)
	}
	fmt.Fprintf(r.stderr, "%s: %s\n", who, sentence(err.Error()))
	return exitFailure
}

// sentence ends a message with a full stop unless it already has one.
func sentence(s string) string {
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, ":") {
		return s
	}
	return s + "."
}
