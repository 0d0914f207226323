// Command testall is the README's test command: it runs go test on every
// package (or on the packages and with the flags it is given), shows what
// go test shows (each package's result, and the output of the tests that
// fail), and ends with two lines: what was skipped, grouped by reason (the
// reasons name the variable that enables the tests), and the result with
// the time the run took.
//
//	go run ./internal/cmd/testall                  # go test ./...
//	go run ./internal/cmd/testall -run Agent ./api # go test -run Agent ./api
//
// With -v every line of every test is shown, as go test -v does. The exit
// status is go test's.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"time"
)

func main() {
	args := os.Args[1:]
	cmd := exec.Command("go", goTestArgs(args)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fatal(err)
	}
	// Ctrl-C reaches go test too (one process group): it stops its tests
	// and exits, and the summary still says what ran. (A handler, not
	// signal.Ignore: an ignored signal would stay ignored in go test.)
	signal.Notify(make(chan os.Signal, 1), os.Interrupt)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fatal(err)
	}
	r := newReport(os.Stdout, verbose(args))
	if err := r.read(out); err != nil {
		fatal(err)
	}
	err = cmd.Wait()
	r.summary(time.Since(start).Round(time.Second))
	if exit, ok := err.(*exec.ExitError); ok {
		os.Exit(exit.ExitCode())
	} else if err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "testall:", err)
	os.Exit(2)
}

// goTestArgs is the go command line for args: go test -json, the flags,
// and ./... unless a package is named.
func goTestArgs(args []string) []string {
	out := append([]string{"test", "-json"}, args...)
	if len(packages(args)) == 0 {
		out = append(out, "./...")
	}
	return out
}

// valueFlags are go test's flags that take a value, which may be the next
// argument.
var valueFlags = map[string]bool{
	"run": true, "skip": true, "count": true, "timeout": true, "p": true, "parallel": true,
	"bench": true, "benchtime": true, "cpu": true, "tags": true, "list": true, "shuffle": true,
	"fuzz": true, "fuzztime": true, "fuzzminimizetime": true, "exec": true, "o": true,
	"cover": false, "covermode": true, "coverpkg": true, "coverprofile": true,
	"cpuprofile": true, "memprofile": true, "memprofilerate": true, "blockprofile": true,
	"blockprofilerate": true, "mutexprofile": true, "mutexprofilefraction": true,
	"outputdir": true, "trace": true, "vet": true, "ldflags": true, "gcflags": true,
	"asmflags": true, "mod": true, "modfile": true, "overlay": true, "pkgdir": true,
	"toolexec": true, "C": true, "failfast": false, "artifacts": false,
}

// packages returns the arguments that are not flags nor flags' values.
func packages(args []string) []string {
	var pkgs []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "-args" {
			break
		}
		if !strings.HasPrefix(a, "-") {
			pkgs = append(pkgs, a)
			continue
		}
		name := strings.TrimLeft(a, "-")
		if !strings.Contains(name, "=") && valueFlags[name] {
			i++
		}
	}
	return pkgs
}

func verbose(args []string) bool {
	for _, a := range args {
		if a == "-args" {
			break
		}
		if a == "-v" || a == "--v" || a == "-v=true" || a == "--v=true" {
			return true
		}
	}
	return false
}

// event is one line of go test -json (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

type testKey struct{ pkg, test string }

// report renders the events as go test would, and keeps what the summary
// needs.
type report struct {
	w       io.Writer
	verbose bool
	// output holds each running test's lines until it ends: shown if it
	// fails, the last one is the reason if it skips.
	output   map[testKey][]string
	skips    map[string]*skipGroup
	reasons  []string // in order of first appearance
	skipped  int
	packages int
	failed   []string
}

type skipGroup struct {
	count    int
	packages []string
}

func newReport(w io.Writer, verbose bool) *report {
	return &report{w: w, verbose: verbose, output: map[testKey][]string{}, skips: map[string]*skipGroup{}}
}

func (r *report) read(in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Action == "" {
			fmt.Fprintln(r.w, sc.Text())
			continue
		}
		r.add(e)
	}
	return sc.Err()
}

func (r *report) add(e event) {
	k := testKey{e.Package, e.Test}
	switch {
	case e.Action == "build-output":
		fmt.Fprint(r.w, e.Output)
	case e.Action == "output" && r.verbose:
		fmt.Fprint(r.w, e.Output)
		if e.Test != "" {
			r.output[k] = append(r.output[k], e.Output)
		}
	case e.Action == "output" && e.Test == "":
		// The package's own lines: its result ("ok", "FAIL", "?") and
		// whatever is not a test's; PASS and the framing go test -v adds are
		// left out, as go test leaves them out.
		if e.Output != "PASS\n" && !framing(e.Output) {
			fmt.Fprint(r.w, e.Output)
		}
	case e.Action == "output":
		r.output[k] = append(r.output[k], e.Output)
	case e.Test == "":
		// The package ended (pass, fail or skip when it has no tests).
		if e.Action == "fail" {
			r.failed = append(r.failed, e.Package)
			r.flush(e.Package)
		}
		if e.Action == "pass" || e.Action == "fail" || e.Action == "skip" {
			r.packages++
		}
	case e.Action == "fail":
		r.show(k)
	case e.Action == "skip":
		r.skip(e.Package, reason(r.output[k]))
		delete(r.output, k)
	case e.Action == "pass":
		delete(r.output, k)
	}
}

// show prints a failed test's lines, without go test -v's framing.
func (r *report) show(k testKey) {
	if !r.verbose {
		for _, line := range r.output[k] {
			if !framing(line) {
				fmt.Fprint(r.w, line)
			}
		}
	}
	delete(r.output, k)
}

// flush shows what the tests of a failed package printed without ending:
// a panic or a timeout stops the binary in the middle of tests.
func (r *report) flush(pkg string) {
	for k := range r.output {
		if k.pkg == pkg {
			r.show(k)
		}
	}
}

// framing reports whether line is one that go test -v adds around a
// test's own output.
func framing(line string) bool {
	t := strings.TrimSpace(line)
	for _, p := range []string{"=== RUN", "=== PAUSE", "=== CONT", "=== NAME", "--- PASS", "--- SKIP"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// reason is a skipped test's last line of its own, without its file:line.
func reason(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		t := strings.TrimSpace(lines[i])
		if t == "" || framing(t) {
			continue
		}
		if file, rest, ok := strings.Cut(t, ": "); ok && strings.Contains(file, ".go:") && !strings.Contains(file, " ") {
			t = rest
		}
		return t
	}
	return "no reason given"
}

func (r *report) skip(pkg, why string) {
	r.skipped++
	g := r.skips[why]
	if g == nil {
		g = &skipGroup{}
		r.skips[why] = g
		r.reasons = append(r.reasons, why)
	}
	g.count++
	if short := shortName(pkg); !slices.Contains(g.packages, short) {
		g.packages = append(g.packages, short)
	}
}

// summary prints the two closing lines: what was skipped and why, then the
// result and the time.
func (r *report) summary(took time.Duration) {
	if r.skipped == 0 {
		fmt.Fprintln(r.w, "skipped: nothing")
	} else {
		groups := make([]string, len(r.reasons))
		for i, why := range r.reasons {
			g := r.skips[why]
			groups[i] = fmt.Sprintf("%d in %s: %s", g.count, strings.Join(g.packages, ", "), why)
		}
		fmt.Fprintf(r.w, "skipped %d: %s\n", r.skipped, strings.Join(groups, " | "))
	}
	if len(r.failed) == 0 {
		fmt.Fprintf(r.w, "ok: %d packages in %v\n", r.packages, took)
		return
	}
	short := make([]string, len(r.failed))
	for i, p := range r.failed {
		short[i] = shortName(p)
	}
	fmt.Fprintf(r.w, "FAIL: %d of %d packages (%s) in %v\n", len(r.failed), r.packages, strings.Join(short, ", "), took)
}

// shortName is a package's path inside the module.
func shortName(pkg string) string {
	const module = "github.com/amigo-oss/amigo-server"
	if pkg == module {
		return "."
	}
	return strings.TrimPrefix(pkg, module+"/")
}
