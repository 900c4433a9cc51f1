package emulator

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// FaultSpec says which faults to inject into Graph requests, each drawn
// independently per request from the seeded generator.
type FaultSpec struct {
	// Status maps an HTTP status (429, 500, 502, 503, 504) to the fraction
	// of requests answered with it.
	Status map[int]float64
	// Drop is the fraction of requests whose connection is closed in the
	// middle of the response.
	Drop float64
	// Latency delays every Graph request.
	Latency time.Duration
	// RetryAfter is the Retry-After of 429 and 503 responses, in seconds
	// (default 1).
	RetryAfter int
}

// ParseFaults parses "429=0.2,503=0.05,504=0.01,latency=50ms,drop=0.01,retry-after=2".
// The empty string is no faults. The fractions must sum to at most 1.
func ParseFaults(spec string) (FaultSpec, error) {
	var f FaultSpec
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return f, nil
	}
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		k, v, found := strings.Cut(item, "=")
		if !found || k == "" || v == "" {
			return FaultSpec{}, fmt.Errorf("faults %q: want KEY=VALUE, got %q", spec, item)
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		switch k {
		case "latency":
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return FaultSpec{}, fmt.Errorf("faults %q: latency %q: want a duration like 50ms", spec, v)
			}
			f.Latency = d
		case "retry-after":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 3600 {
				return FaultSpec{}, fmt.Errorf("faults %q: retry-after %q: want seconds 0..3600", spec, v)
			}
			f.RetryAfter = n
		case "drop":
			p, err := parseFraction(v)
			if err != nil {
				return FaultSpec{}, fmt.Errorf("faults %q: drop: %w", spec, err)
			}
			f.Drop = p
		default:
			code, err := strconv.Atoi(k)
			if err != nil || !faultStatus(code) {
				return FaultSpec{}, fmt.Errorf("faults %q: unknown fault %q (want 429, 500, 502, 503, 504, drop, latency or retry-after)", spec, k)
			}
			p, err := parseFraction(v)
			if err != nil {
				return FaultSpec{}, fmt.Errorf("faults %q: %d: %w", spec, code, err)
			}
			if f.Status == nil {
				f.Status = map[int]float64{}
			}
			f.Status[code] = p
		}
	}
	if err := f.validate(); err != nil {
		return FaultSpec{}, fmt.Errorf("faults %q: %w", spec, err)
	}
	return f, nil
}

// String renders the spec in ParseFaults' syntax (sorted, canonical).
func (f FaultSpec) String() string {
	var parts []string
	for _, code := range f.codes() {
		parts = append(parts, fmt.Sprintf("%d=%s", code, strconv.FormatFloat(f.Status[code], 'g', -1, 64)))
	}
	if f.Drop > 0 {
		parts = append(parts, "drop="+strconv.FormatFloat(f.Drop, 'g', -1, 64))
	}
	if f.Latency > 0 {
		parts = append(parts, "latency="+f.Latency.String())
	}
	if f.RetryAfter > 0 {
		parts = append(parts, "retry-after="+strconv.Itoa(f.RetryAfter))
	}
	return strings.Join(parts, ",")
}

func faultStatus(code int) bool {
	switch code {
	case 429, 500, 502, 503, 504:
		return true
	}
	return false
}

func parseFraction(v string) (float64, error) {
	p, err := strconv.ParseFloat(v, 64)
	if err != nil || p < 0 || p > 1 || p != p {
		return 0, fmt.Errorf("%q is not a fraction between 0 and 1", v)
	}
	return p, nil
}

func (f FaultSpec) codes() []int {
	codes := make([]int, 0, len(f.Status))
	for c := range f.Status {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	return codes
}

func (f FaultSpec) validate() error {
	sum := f.Drop
	for code, p := range f.Status {
		if !faultStatus(code) {
			return fmt.Errorf("fault status %d is not one of 429, 500, 502, 503, 504", code)
		}
		if p < 0 || p > 1 {
			return fmt.Errorf("fault %d: fraction %v is not between 0 and 1", code, p)
		}
		sum += p
	}
	if f.Drop < 0 || f.Drop > 1 || sum > 1+1e-9 {
		return fmt.Errorf("fault fractions sum to %v, more than 1", sum)
	}
	if f.Latency < 0 || f.RetryAfter < 0 {
		return fmt.Errorf("negative latency or retry-after")
	}
	return nil
}

// fault is what happens to one request.
type fault struct {
	status  int
	drop    bool
	latency time.Duration
}

// decideFault draws the fault of the next Graph request: one draw per
// request from the seeded generator, so a sequence of requests meets the
// same faults on every run.
func (s *Server) decideFault() fault {
	f := s.opts.Faults
	out := fault{latency: f.Latency}
	if len(f.Status) == 0 && f.Drop == 0 {
		return out
	}
	s.faultMu.Lock()
	x := s.faultRnd.Float64()
	s.faultMu.Unlock()
	acc := 0.0
	for _, code := range f.codes() {
		acc += f.Status[code]
		if x < acc {
			out.status = code
			return out
		}
	}
	if x < acc+f.Drop {
		out.drop = true
	}
	return out
}

// faultResp is the response of an injected status fault.
func (s *Server) faultResp(f fault) resp {
	retry := s.opts.Faults.RetryAfter
	if retry == 0 {
		retry = 1
	}
	var r resp
	switch f.status {
	case http.StatusTooManyRequests:
		r = gerr(f.status, "TooManyRequests", "Too many requests. Please retry after %d seconds. (injected by the emulator)", retry)
		r.header = http.Header{"Retry-After": {strconv.Itoa(retry)}, "X-Ms-Throttle-Scope": {"Tenant_Application/ReadWrite/emulator"}, "X-Ms-Throttle-Reason": {"ResourceUnitLimitExceeded"}}
	case http.StatusServiceUnavailable:
		r = gerr(f.status, "serviceNotAvailable", "The service is temporarily unavailable. (injected by the emulator)")
		r.header = http.Header{"Retry-After": {strconv.Itoa(retry)}}
	case http.StatusGatewayTimeout:
		r = gerr(f.status, "UnknownError", "Gateway timeout. (injected by the emulator)")
	default:
		r = gerr(f.status, "UnknownError", "Server error %d. (injected by the emulator)", f.status)
	}
	return r
}

// dropResp writes the status line and half the body, then closes the
// connection: the client sees an unexpected EOF.
func (s *Server) dropResp(w http.ResponseWriter, reqID string, res resp) {
	b := s.encode(reqID, res)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(res.status)
	w.Write(b[:len(b)/2])
	rc := http.NewResponseController(w)
	rc.Flush()
	conn, _, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // HTTP/2: the server resets the stream
	}
	conn.Close()
}
