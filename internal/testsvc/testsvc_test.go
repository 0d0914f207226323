package testsvc

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
)

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	return addr
}

// TestWhyNot checks what a test is told when a service cannot be used: the
// reason, the variable that enables it, and never a password.
func TestWhyNot(t *testing.T) {
	addr := closedPort(t)
	for _, tt := range []struct {
		name, value string
		want        []string
	}{
		{"off", "off", []string{"AMIGO_TEST_POSTGRES_URL=off"}},
		{"unset, nothing at the default address", "",
			[]string{"none at postgres://postgres@" + addr + "/test", "set AMIGO_TEST_POSTGRES_URL to run them"}},
		{"set, unreachable", "postgres://postgres:hunter2@" + addr + "/test",
			[]string{"PostgreSQL at AMIGO_TEST_POSTGRES_URL=postgres://postgres:xxxxx@" + addr + "/test is unreachable"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Empty counts as unset, and t.Setenv restores the variable.
			t.Setenv("AMIGO_TEST_POSTGRES_URL", tt.value)
			s := &Service{Name: "PostgreSQL", Env: "AMIGO_TEST_POSTGRES_URL", DefaultURL: "postgres://postgres@" + addr + "/test", ping: pingPostgres}
			u, err := s.URL()
			if err == nil {
				t.Fatalf("URL() = %q, want an error", u)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

// TestFound: a service that answers is used, at the variable's URL or at
// the default address when the variable is unset.
func TestFound(t *testing.T) {
	var pinged []string
	ping := func(_ context.Context, u string) error { pinged = append(pinged, u); return nil }
	t.Setenv("AMIGO_TEST_REDIS_URL", "")
	s := &Service{Name: "Redis", Env: "AMIGO_TEST_REDIS_URL", DefaultURL: "redis://127.0.0.1:6379/0", ping: ping}
	if u, err := s.URL(); err != nil || u != s.DefaultURL {
		t.Fatalf("unset: URL() = %q, %v; want the default", u, err)
	}
	t.Setenv("AMIGO_TEST_REDIS_URL", "redis://10.0.0.1:6380/3")
	s = &Service{Name: "Redis", Env: "AMIGO_TEST_REDIS_URL", DefaultURL: "redis://127.0.0.1:6379/0", ping: ping}
	if u, err := s.URL(); err != nil || u != "redis://10.0.0.1:6380/3" {
		t.Fatalf("set: URL() = %q, %v; want the variable's", u, err)
	}
	s.URL()
	if len(pinged) != 2 {
		t.Errorf("pinged %q, want each service once", pinged)
	}
}
