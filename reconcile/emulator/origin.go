package emulator

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// checkOrigin refuses a request that did not come from this host, unless
// the emulator was started with AllowNonLoopback:
//
//   - a Host header that is not a loopback name (127.0.0.0/8, ::1,
//     localhost): a web page whose name an attacker re-points at 127.0.0.1
//     (DNS rebinding) sends its own name as Host, and would otherwise read
//     tenants and mint tokens with the visitor's browser;
//   - an Origin header of a page that is not on a loopback name: a
//     cross-site form can POST to 127.0.0.1 without rebinding (the token
//     endpoint, /_emulator/cycle), and browsers name the page in Origin.
//
// The answer is 403 in Graph's error shape (421 would invite a retry).
func (s *Server) checkOrigin(r *http.Request) (resp, bool) {
	if s.opts.AllowNonLoopback {
		return resp{}, false
	}
	if !loopbackHost(r.Host) {
		return gerr(http.StatusForbidden, "Authorization_RequestDenied",
			"The emulator answers requests to a loopback name only (127.0.0.1, [::1], localhost), not to Host %q: a page whose name points at this machine must not reach it.", r.Host), true
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if o == "null" || err != nil || !loopbackHost(u.Host) {
			return gerr(http.StatusForbidden, "Authorization_RequestDenied",
				"The emulator does not answer requests from a web page of another site (Origin %q).", o), true
		}
	}
	return resp{}, false
}

// loopbackHost reports whether a Host value ("127.0.0.1:8080",
// "[::1]:80", "localhost") names this machine.
func loopbackHost(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	if strings.EqualFold(h, "localhost") || strings.HasSuffix(strings.ToLower(h), ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
