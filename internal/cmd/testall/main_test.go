package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

const mod = "github.com/amigo-oss/amigo-server/"

// stream is go test -json's output for events.
func stream(t *testing.T, events ...event) *strings.Reader {
	t.Helper()
	var b strings.Builder
	for _, e := range events {
		line, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return strings.NewReader(b.String())
}

func out(pkg, test, line string) event {
	return event{Action: "output", Package: mod + pkg, Test: test, Output: line}
}

func end(action, pkg, test string) event {
	return event{Action: action, Package: mod + pkg, Test: test}
}

// TestReport: passing tests stay quiet, a failing test's own lines are
// shown without go test -v's framing, the package lines are kept, and the
// summary groups the skips by reason with their packages.
func TestReport(t *testing.T) {
	in := stream(t,
		out("api", "TestA", "=== RUN   TestA\n"),
		out("api", "TestA", "    a_test.go:10: noise of a passing test\n"),
		out("api", "TestA", "--- PASS: TestA (0.00s)\n"),
		end("pass", "api", "TestA"),
		out("api", "TestB/postgres", "=== RUN   TestB/postgres\n"),
		out("api", "TestB/postgres", "    backend.go:120: PostgreSQL tests skipped: AMIGO_TEST_POSTGRES_URL=off\n"),
		out("api", "TestB/postgres", "--- SKIP: TestB/postgres (0.00s)\n"),
		end("skip", "api", "TestB/postgres"),
		end("pass", "api", "TestB"),
		out("api", "", "PASS\n"),
		out("api", "", "ok  \t"+mod+"api\t1.5s\n"),
		end("pass", "api", ""),
		out("core", "TestC/postgres", "    backend.go:120: PostgreSQL tests skipped: AMIGO_TEST_POSTGRES_URL=off\n"),
		end("skip", "core", "TestC/postgres"),
		out("core", "TestD", "=== RUN   TestD\n"),
		out("core", "TestD", "    d_test.go:7: status 500, want 200\n"),
		out("core", "TestD", "--- FAIL: TestD (0.01s)\n"),
		end("fail", "core", "TestD"),
		out("core", "TestE", "    e_test.go:3: chromium is not installed\n"),
		end("skip", "core", "TestE"),
		out("core", "", "FAIL\n"),
		out("core", "", "FAIL\t"+mod+"core\t2.0s\n"),
		end("fail", "core", ""),
		out("doc", "", "?   \t"+mod+"doc\t[no test files]\n"),
		end("skip", "doc", ""),
	)
	var w bytes.Buffer
	r := newReport(&w, false)
	if err := r.read(in); err != nil {
		t.Fatal(err)
	}
	r.summary(83 * time.Second)
	want := "ok  \t" + mod + "api\t1.5s\n" +
		"    d_test.go:7: status 500, want 200\n" +
		"--- FAIL: TestD (0.01s)\n" +
		"FAIL\n" +
		"FAIL\t" + mod + "core\t2.0s\n" +
		"?   \t" + mod + "doc\t[no test files]\n" +
		"skipped 3: 2 in api, core: PostgreSQL tests skipped: AMIGO_TEST_POSTGRES_URL=off | 1 in core: chromium is not installed\n" +
		"FAIL: 1 of 3 packages (core) in 1m23s\n"
	if got := w.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestPanicShown: a test binary that stops in the middle of a test (a
// panic, a timeout) has its last lines shown although the test never ended.
func TestPanicShown(t *testing.T) {
	in := stream(t,
		out("api", "TestP", "=== RUN   TestP\n"),
		out("api", "TestP", "panic: boom\n"),
		out("api", "", "FAIL\t"+mod+"api\t0.2s\n"),
		end("fail", "api", ""),
	)
	var w bytes.Buffer
	r := newReport(&w, false)
	if err := r.read(in); err != nil {
		t.Fatal(err)
	}
	r.summary(time.Second)
	if got := w.String(); !strings.Contains(got, "panic: boom\n") || !strings.HasSuffix(got, "skipped: nothing\nFAIL: 1 of 1 packages (api) in 1s\n") {
		t.Errorf("got\n%s", got)
	}
}

// TestGoTestArgs: flags pass through, and ./... is added unless a package
// is named (a flag's value is not a package).
func TestGoTestArgs(t *testing.T) {
	for _, tt := range []struct{ args, want []string }{
		{nil, []string{"test", "-json", "./..."}},
		{[]string{"-count=1"}, []string{"test", "-json", "-count=1", "./..."}},
		{[]string{"-run", "Agent"}, []string{"test", "-json", "-run", "Agent", "./..."}},
		{[]string{"-run", "Agent", "./api"}, []string{"test", "-json", "-run", "Agent", "./api"}},
		{[]string{"-v", "./api", "./core"}, []string{"test", "-json", "-v", "./api", "./core"}},
	} {
		if got := goTestArgs(tt.args); !slices.Equal(got, tt.want) {
			t.Errorf("goTestArgs(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
}
