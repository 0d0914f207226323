package forwarded

import (
	"net/http"
	"testing"
)

func TestClientAddrAndHTTPS(t *testing.T) {
	proxies, err := Parse([]string{"10.0.0.0/8", "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, peer, xff, proto string
		addr                   string
		https                  bool
	}{
		{"no proxy", "203.0.113.1:5000", "", "", "203.0.113.1", false},
		{"untrusted peer's headers are ignored", "203.0.113.1:5000", "198.51.100.1", "https", "203.0.113.1", false},
		{"trusted proxy", "127.0.0.1:5000", "198.51.100.1", "https", "198.51.100.1", true},
		{"a client's own X-Forwarded-For is left of the proxy's", "127.0.0.1:5000", "192.0.2.9, 198.51.100.1", "http", "198.51.100.1", false},
		{"a chain of trusted proxies", "127.0.0.1:5000", "198.51.100.1, 10.1.2.3", "http,https", "198.51.100.1", true},
		{"garbage ends the chain", "127.0.0.1:5000", "198.51.100.1, junk", "", "127.0.0.1", false},
		{"IPv6 peer", "[::1]:5000", "198.51.100.1", "https", "::1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: tc.peer, Header: http.Header{}}
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			if tc.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			if got := proxies.ClientAddr(r); got != tc.addr {
				t.Errorf("ClientAddr %q, want %q", got, tc.addr)
			}
			if got := proxies.HTTPS(r); got != tc.https {
				t.Errorf("HTTPS %v, want %v", got, tc.https)
			}
		})
	}
	if _, err := Parse([]string{"not-an-address"}); err == nil {
		t.Error("Parse accepted a bad address")
	}
}
