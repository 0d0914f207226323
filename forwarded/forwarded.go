// Package forwarded says who sent a request and over which scheme, when
// the server sits behind reverse proxies. X-Forwarded-For and
// X-Forwarded-Proto are believed only from the proxies the operator lists
// (the trusted_proxies setting): anyone else could write them, to choose
// the address a per-address limit counts or to pass for HTTPS. It depends
// on the standard library only.
package forwarded

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies are the trusted reverse proxies; the zero value trusts none, so
// that the peer's address is the client's.
type Proxies struct {
	prefixes []netip.Prefix
}

// Parse reads addresses (192.0.2.1, 2001:db8::1) and CIDR ranges
// (10.0.0.0/8); an empty list trusts no proxy.
func Parse(list []string) (Proxies, error) {
	var p Proxies
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if prefix, err := netip.ParsePrefix(s); err == nil {
			p.prefixes = append(p.prefixes, prefix.Masked())
		} else if addr, err := netip.ParseAddr(s); err == nil {
			p.prefixes = append(p.prefixes, netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen()))
		} else {
			return Proxies{}, fmt.Errorf("%q: want an IP address or a CIDR range, e.g. 10.0.0.0/8 or 127.0.0.1", s)
		}
	}
	return p, nil
}

// trusts reports whether addr is one of the proxies.
func (p Proxies) trusts(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, prefix := range p.prefixes {
		if prefix.Contains(addr) {
			return true
		}
	}
	return false
}

// peer returns the address of the connection's other end.
func peer(r *http.Request) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err == nil {
		return ap.Addr().Unmap(), true
	}
	addr, err := netip.ParseAddr(strings.Trim(r.RemoteAddr, "[]"))
	return addr.Unmap(), err == nil
}

// ClientAddr returns the address of the client that sent r: the peer's,
// unless the peer is a trusted proxy, in which case X-Forwarded-For is
// read from the right, past every trusted proxy, to the first address a
// trusted proxy was handed by someone else. An address a client wrote
// into the header itself is left of that one and never taken.
func (p Proxies) ClientAddr(r *http.Request) string {
	addr, ok := peer(r)
	if !ok {
		return r.RemoteAddr
	}
	if !p.trusts(addr) {
		return addr.String()
	}
	hops := forwardedFor(r)
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(hops[i])
		if err != nil {
			break // an unreadable hop ends what the proxies vouch for
		}
		addr = hop.Unmap()
		if !p.trusts(addr) {
			break
		}
	}
	return addr.String()
}

// forwardedFor returns the hops of every X-Forwarded-For header, in order.
func forwardedFor(r *http.Request) []string {
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		for hop := range strings.SplitSeq(h, ",") {
			hops = append(hops, strings.Trim(strings.TrimSpace(hop), "[]"))
		}
	}
	return hops
}

// HTTPS reports whether the client reached the server over HTTPS: the
// connection is TLS, or a trusted proxy says in X-Forwarded-Proto that its
// client's was (its last value, the one the nearest proxy wrote).
func (p Proxies) HTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	addr, ok := peer(r)
	if !ok || !p.trusts(addr) {
		return false
	}
	values := r.Header.Values("X-Forwarded-Proto")
	if len(values) == 0 {
		return false
	}
	last := values[len(values)-1]
	if i := strings.LastIndexByte(last, ','); i >= 0 {
		last = last[i+1:]
	}
	return strings.EqualFold(strings.TrimSpace(last), "https")
}
