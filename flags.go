package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// flagSet is one command's flags: the standard parser, plus flags after positional
// arguments (`backup FILE -data DIR`), environment twins read through the flag's own
// parser (so BROADSHEET_SEED=false and -seed=false mean the same), and help on stdout.
type flagSet struct {
	*flag.FlagSet
	synopsis, about string
	twins           map[string]string // flag name → environment variable
}

func newFlagSet(name, synopsis, about string) *flagSet {
	f := &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), synopsis: synopsis, about: about, twins: map[string]string{}}
	// The flag package would print errors and the whole usage; exit prints one sentence instead.
	f.SetOutput(io.Discard)
	return f
}

// twin gives the flag an environment variable, BROADSHEET_ and its name in capitals,
// used when the flag is not on the command line, and names it in the help.
func (f *flagSet) twin(name string) {
	env := "BROADSHEET_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	f.twins[name] = env
	f.Lookup(name).Usage += " (" + env + ")"
}

// siteFlags registers -data and -db, which every command that opens a site shares.
func (f *flagSet) siteFlags(s *site) {
	f.StringVar(&s.data, "data", "./data", "the site's folder `DIR`: database, uploads and generated keys")
	f.twin("data")
	f.StringVar(&s.db, "db", "", "the database: a PostgreSQL `URL` (postgres://user@host/db); empty means SQLite in the -data folder")
	f.twin("db")
}

// parse reads flags wherever they stand among the arguments ("--" ends them) and
// returns the positional arguments. --help prints the help on help and returns flag.ErrHelp.
func (f *flagSet) parse(args []string, help io.Writer) ([]string, error) {
	var pos []string
	for {
		err := f.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			f.printHelp(help)
			return nil, err
		} else if err != nil {
			return nil, usageError{err.Error()}
		}
		rest := f.Args()
		if len(rest) == 0 {
			break
		}
		if k := len(args) - len(rest); k > 0 && args[k-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	set := map[string]bool{}
	f.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	var err error
	f.VisitAll(func(fl *flag.Flag) {
		env, ok := f.twins[fl.Name]
		v := os.Getenv(env)
		if !ok || set[fl.Name] || v == "" || err != nil {
			return
		}
		if e := fl.Value.Set(v); e != nil {
			err = usageErrorf("%s=%q: %v", env, v, e)
		}
	})
	return pos, err
}

func (f *flagSet) printHelp(w io.Writer) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n", f.synopsis, f.about)
	n := 0
	f.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nFlags (-flag and --flag are the same):")
		f.SetOutput(w)
		f.PrintDefaults()
		f.SetOutput(io.Discard)
	}
	fmt.Fprint(w, globalFlagsHelp)
}

const globalFlagsHelp = `
Global flags, accepted by every command:
  -log-format text|json   write log lines as text or as JSON (BROADSHEET_LOG_FORMAT; default text)
  -log-level LEVEL        debug, info, warn or error (BROADSHEET_LOG_LEVEL; default info)
`

// boolValue reads a boolean the way people write one: true/false, yes/no, on/off, 1/0.
type boolValue struct{ p *bool }

func (b boolValue) IsBoolFlag() bool { return true }

func (b boolValue) String() string {
	if b.p == nil {
		return "false"
	}
	return strconv.FormatBool(*b.p)
}

func (b boolValue) Set(s string) error {
	switch v := strings.ToLower(strings.TrimSpace(s)); v {
	case "yes", "on":
		*b.p = true
	case "no", "off":
		*b.p = false
	default:
		t, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("not a yes-or-no value: use true or false (or yes/no, on/off, 1/0)")
		}
		*b.p = t
	}
	return nil
}

// urlValue is the site's public address, checked as it is set, so that a bad
// -base-url or BROADSHEET_BASE_URL stops the start with the reason instead of
// breaking every canonical link.
type urlValue struct{ p *string }

func (u urlValue) String() string {
	if u.p == nil {
		return ""
	}
	return *u.p
}

func (u urlValue) Set(s string) error {
	p, err := url.Parse(s)
	switch {
	case err != nil:
		return errors.New("not a URL")
	case p.Scheme != "http" && p.Scheme != "https":
		return errors.New("use an absolute http:// or https:// URL, like https://news.example")
	case p.Host == "":
		return errors.New("the URL has no host (news.example in https://news.example)")
	case p.RawQuery != "" || p.ForceQuery || strings.Contains(s, "#"):
		return errors.New("drop the ?query or #fragment: links are made by adding paths to this URL")
	}
	*u.p = strings.TrimRight(s, "/")
	return nil
}

// setting is a value with where it came from, to name the source in an error.
type setting struct{ value, from string }

func (s setting) String() string {
	if strings.HasPrefix(s.from, "-") {
		return fmt.Sprintf("%s %q", s.from, s.value)
	}
	return fmt.Sprintf("%s=%q", s.from, s.value)
}

// logOptions are the global log flags. They are taken out of the arguments before
// the command runs, because the logger is built before the command starts.
type logOptions struct{ format, level setting }

func envSetting(name, def string) setting {
	if v := os.Getenv(name); v != "" {
		return setting{v, name}
	}
	return setting{def, name}
}

// splitLogFlags removes -log-format and -log-level (any dashes, "=" or a separate
// value) from wherever they stand before a "--", and returns the other arguments.
func splitLogFlags(args []string) (logOptions, []string, error) {
	o := logOptions{envSetting("BROADSHEET_LOG_FORMAT", "text"), envSetting("BROADSHEET_LOG_LEVEL", "info")}
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || (name != "log-format" && name != "log-level") {
			rest = append(rest, a)
			continue
		}
		if !hasValue {
			if i+1 == len(args) {
				return o, nil, usageErrorf("-%s needs a value", name)
			}
			i++
			value = args[i]
		}
		if name == "log-format" {
			o.format = setting{value, "-log-format"}
		} else {
			o.level = setting{value, "-log-level"}
		}
	}
	return o, rest, nil
}

// newLogger builds the log on stderr. A JSON log is for machines: from then on the
// command writes no free text to stderr unless stderr is a terminal.
func (r *cli) newLogger(o logOptions) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.level.value)); err != nil {
		return nil, usageErrorf("%s: use debug, info, warn or error", o.level)
	}
	opts := &slog.HandlerOptions{Level: level}
	r.logs = &logSink{out: r.stderr}
	switch strings.ToLower(o.format.value) {
	case "text":
		return slog.New(newLineHandler(r.logs, false, opts)), nil
	case "json":
		r.logJSON = true
		return slog.New(newLineHandler(r.logs, true, opts)), nil
	}
	return nil, usageErrorf("%s: use text or json", o.format)
}

// sizeValue is a byte count written the way people write one: 100MB, 64KB, 512 (bytes).
type sizeValue struct{ p *int64 }

func (s sizeValue) String() string {
	if s.p == nil {
		return "0"
	}
	switch n := *s.p; {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKB", n>>10)
	default:
		return strconv.FormatInt(n, 10)
	}
}

func (s sizeValue) Set(v string) error {
	v = strings.ToUpper(strings.TrimSpace(v))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(v, u.suffix) {
			v, mult = strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return errors.New("not a size: write a whole number of bytes with KB, MB or GB, like 64KB")
	}
	*s.p = n * mult
	return nil
}

// cidrsValue is a comma-separated list of address ranges (a bare address is a range of one).
type cidrsValue struct{ p *[]*net.IPNet }

func (c cidrsValue) String() string {
	if c.p == nil {
		return ""
	}
	parts := make([]string, len(*c.p))
	for i, n := range *c.p {
		parts[i] = n.String()
	}
	return strings.Join(parts, ",")
}

func (c cidrsValue) Set(v string) error {
	var out []*net.IPNet
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			if ip := net.ParseIP(part); ip != nil && ip.To4() != nil {
				part += "/32"
			} else {
				part += "/128"
			}
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			return fmt.Errorf("%q is not an address range: write CIDR ranges like 10.0.0.0/8,2001:db8::/32", part)
		}
		out = append(out, n)
	}
	*c.p = out
	return nil
}
