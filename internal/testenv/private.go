package testenv

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// The private services below are started by the tests that stop, kill or
// freeze a database; the machine's shared PostgreSQL and Redis are never
// touched. Under AMIGO_TEST_REQUIRE_SERVICES=1 a missing binary fails the
// test rather than skipping it.

// unavailable skips t, or fails it when services are required.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if RequireServices() {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// freePort returns a loopback port nothing listens on right now.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// PrivatePostgres is a PostgreSQL cluster of the test's own, on its own
// port, which the test may stop, start, freeze and thaw.
type PrivatePostgres struct {
	t       testing.TB
	bin     string
	dir     string
	port    int
	asUser  *user.User // set when running as root: PostgreSQL refuses root
	running bool
}

// StartPostgres initialises and starts a private PostgreSQL with trust
// authentication on a free port. It is stopped when the test ends.
func StartPostgres(t testing.TB) *PrivatePostgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		unavailable(t, "no PostgreSQL binaries under /usr/lib/postgresql/*/bin")
	}
	p := &PrivatePostgres{t: t, bin: filepath.Dir(bins[len(bins)-1]), port: freePort(t)}
	dir, err := os.MkdirTemp("", "amigo-pg-")
	if err != nil {
		t.Fatal(err)
	}
	p.dir = dir
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			unavailable(t, "running as root and there is no postgres user to run PostgreSQL as: %v", err)
		}
		p.asUser = u
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	p.run("initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
	t.Cleanup(func() {
		p.Thaw()
		if p.running {
			p.run("pg_ctl", "-D", filepath.Join(p.dir, "data"), "-m", "immediate", "-w", "stop")
		}
	})
	p.Start()
	return p
}

// run runs one of PostgreSQL's programs, as the postgres user if needed.
func (p *PrivatePostgres) run(prog string, args ...string) {
	p.t.Helper()
	cmd := exec.Command(filepath.Join(p.bin, prog), args...)
	if p.asUser != nil {
		cmd = exec.Command("runuser", append([]string{"-u", p.asUser.Username, "--", filepath.Join(p.bin, prog)}, args...)...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		p.t.Fatalf("%s: %v\n%s", prog, err, out)
	}
}

// URL returns the URL of the cluster's postgres database.
func (p *PrivatePostgres) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
}

// Start starts the server and waits until it accepts connections.
func (p *PrivatePostgres) Start() {
	p.t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50", p.port, p.dir)
	p.run("pg_ctl", "-D", filepath.Join(p.dir, "data"), "-o", opts, "-l", filepath.Join(p.dir, "log"), "-w", "start")
	p.running = true
}

// Stop shuts the server down, disconnecting every client.
func (p *PrivatePostgres) Stop() {
	p.t.Helper()
	p.run("pg_ctl", "-D", filepath.Join(p.dir, "data"), "-m", "fast", "-w", "stop")
	p.running = false
}

// Freeze stops (SIGSTOP) the server and every backend process: connections
// stay open but nothing answers, as with a hung host.
func (p *PrivatePostgres) Freeze() { p.signal(syscall.SIGSTOP) }

// Thaw resumes a frozen server.
func (p *PrivatePostgres) Thaw() { p.signal(syscall.SIGCONT) }

// signal sends sig to the postmaster and its children.
func (p *PrivatePostgres) signal(sig syscall.Signal) {
	if !p.running {
		return
	}
	b, err := os.ReadFile(filepath.Join(p.dir, "data", "postmaster.pid"))
	if err != nil {
		p.t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		p.t.Fatalf("postmaster.pid: %v", err)
	}
	pids := []int{pid}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// The fields after the command name, which is in parentheses.
		fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			child, _ := strconv.Atoi(filepath.Base(filepath.Dir(f)))
			pids = append(pids, child)
		}
	}
	for _, id := range pids {
		syscall.Kill(id, sig)
	}
}

// Backend returns a backend whose databases are schemas of the private
// cluster.
func (p *PrivatePostgres) Backend() Backend {
	return Backend{Name: "private-postgres", NewURL: func(t testing.TB, label string) string {
		db, err := sql.Open("pgx", p.URL())
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		schema := "t_" + strings.ReplaceAll(label, "-", "_")
		if _, err := db.Exec(`CREATE SCHEMA IF NOT EXISTS ` + schema); err != nil {
			t.Fatalf("create schema: %v", err)
		}
		return withSearchPath(p.URL(), schema)
	}}
}

// PrivateRedis is a redis-server of the test's own, without persistence,
// which the test may stop and start again on the same port.
type PrivateRedis struct {
	t    testing.TB
	port int
	cmd  *exec.Cmd
}

// StartRedis starts a private Redis on a free port; it is stopped when the
// test ends.
func StartRedis(t testing.TB) *PrivateRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		unavailable(t, "redis-server is not installed")
	}
	r := &PrivateRedis{t: t, port: freePort(t)}
	t.Cleanup(func() {
		if r.cmd != nil {
			r.Stop()
		}
	})
	r.Start()
	return r
}

// URL returns the Redis URL of database 0.
func (r *PrivateRedis) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

// Client returns a client of the private Redis, closed when the test ends.
func (r *PrivateRedis) Client() *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", r.port)})
	r.t.Cleanup(func() { c.Close() })
	return c
}

// Start starts the server and waits until it answers PING.
func (r *PrivateRedis) Start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", r.port)})
	defer c.Close()
	Eventually(r.t, 10*time.Second, "private Redis answers", func() bool {
		return c.Ping(context.Background()).Err() == nil
	})
}

// Stop terminates the server and waits for it to exit.
func (r *PrivateRedis) Stop() {
	r.cmd.Process.Signal(syscall.SIGTERM)
	r.cmd.Wait()
	r.cmd = nil
}
