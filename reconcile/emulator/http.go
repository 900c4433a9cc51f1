package emulator

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// maxBody bounds a request body, on the wire and after gzip decoding:
// Graph refuses a request over 4 MB with 413 Request Entity Too Large
// (concepts/errors.md; 4 MB is the limit its pages give for one request,
// e.g. a simple upload).
const maxBody = 4 << 20

// errTooLarge is a body over maxBody.
var errTooLarge = fmt.Errorf("the request size exceeds the maximum limit of %d bytes", maxBody)

// route is one Graph endpoint: method, path pattern under /v1.0 ("{x}"
// segments are parameters), the permissions of which any one allows it, and
// its handler.
type route struct {
	method string
	segs   []string
	perms  []string
	h      func(c *call) resp
	// unlocked handlers take the lock themselves ($batch).
	unlocked bool
}

// call is one Graph request being served.
type call struct {
	s       *Server
	t       *tenantData
	claims  claims
	method  string
	q       url.Values
	p       map[string]string
	body    []byte
	header  http.Header
	base    string // scheme://host/v1.0, for @odata links
	mutated bool
}

// resp is a handler's answer.
type resp struct {
	status int
	body   any // nil: no body; graphError: the error envelope
	header http.Header
}

// graphError is Graph's error: {"error":{"code","message","innerError"}}.
type graphError struct {
	code, message string
}

func gerr(status int, code, format string, args ...any) resp {
	return resp{status: status, body: graphError{code: code, message: fmt.Sprintf(format, args...)}}
}

func ok(body any) resp      { return resp{status: http.StatusOK, body: body} }
func created(body any) resp { return resp{status: http.StatusCreated, body: body} }
func noContent() resp       { return resp{status: http.StatusNoContent} }

func notFound(id string) resp {
	return gerr(http.StatusNotFound, "Request_ResourceNotFound", "Resource '%s' does not exist or one of its queried reference-property objects are not present.", id)
}

func badRequest(format string, args ...any) resp {
	return gerr(http.StatusBadRequest, "Request_BadRequest", format, args...)
}

// countingWriter counts the body bytes written.
type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (w *countingWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}

func (w *countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// serveHTTP is the emulator's entry point.
func (s *Server) serveHTTP(rw http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	w := &countingWriter{ResponseWriter: rw}
	defer func() { s.bytes.Add(w.n) }()
	reqID := s.requestID()
	w.Header().Set("request-id", reqID)
	if cid := r.Header.Get("client-request-id"); cid != "" {
		w.Header().Set("client-request-id", cid)
	}
	start := time.Now()
	if res, refused := s.checkOrigin(r); refused {
		s.writeResp(w, reqID, res)
		return
	}
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, "/_emulator/"):
		s.countClass("control")
		s.writeResp(w, reqID, s.control(r))
		return
	case isTokenPath(path):
		s.countClass("token")
		s.writeResp(w, reqID, s.tokenEndpoint(r))
		return
	}
	s.countClass("graph")
	f := s.decideFault()
	if f.latency > 0 {
		select {
		case <-time.After(f.latency):
		case <-r.Context().Done():
			return
		}
	}
	if f.status != 0 {
		s.faults.Add(1)
		s.writeResp(w, reqID, s.faultResp(f))
		return
	}
	base := scheme(r) + "://" + r.Host + "/v1.0"
	var res resp
	if rest, found := strings.CutPrefix(path, "/v1.0/"); found {
		body, err := readBody(r)
		switch {
		case errors.Is(err, errTooLarge):
			res = gerr(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "%v", err)
		case err != nil:
			res = gerr(http.StatusBadRequest, "BadRequest", "read request body: %v", err)
		default:
			res = s.dispatch(r.Method, rest, r.URL.RawQuery, r.Header, body, base)
		}
	} else {
		res = gerr(http.StatusBadRequest, "BadRequest", "Invalid version: the emulator serves /v1.0 only, not %q.", path)
	}
	if f.drop {
		s.faults.Add(1)
		s.dropResp(w, reqID, res)
		return
	}
	s.writeResp(w, reqID, res)
	s.log.Debug("graph request", "method", r.Method, "path", path, "status", res.status, "took", time.Since(start))
}

func scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// readBody reads the request body, decoding Content-Encoding: gzip.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	if r.ContentLength > maxBody {
		return nil, errTooLarge
	}
	var src io.Reader = &capReader{r: r.Body, n: maxBody}
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(src)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		src = zr
	}
	b, err := io.ReadAll(&capReader{r: src, n: maxBody})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// capReader reads at most n bytes of r and fails with errTooLarge when r
// has more: on the wire, a body over the limit; decoded, a gzip bomb.
type capReader struct {
	r io.Reader
	n int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		var one [1]byte
		if k, err := c.r.Read(one[:]); k > 0 {
			return 0, errTooLarge
		} else {
			return 0, err
		}
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	k, err := c.r.Read(p)
	c.n -= int64(k)
	return k, err
}

// dispatch serves one Graph request (path relative to /v1.0, no leading
// slash): authentication, routing, permissions, the handler, persistence.
func (s *Server) dispatch(method, path, rawQuery string, h http.Header, body []byte, base string) resp {
	cl, err := parseBearer(h)
	if err != nil {
		r := gerr(http.StatusUnauthorized, "InvalidAuthenticationToken", "%s", err.Error())
		r.header = http.Header{"Www-Authenticate": {`Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"`}}
		return r
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return gerr(http.StatusBadRequest, "BadRequest", "Invalid query string: %v", err)
	}
	segs := splitPath(path)
	rt, params, allowed := s.match(method, segs)
	if rt == nil {
		if allowed {
			return gerr(http.StatusMethodNotAllowed, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
		}
		return gerr(http.StatusBadRequest, "BadRequest", "Resource not found for the segment '%s'.", lastSeg(segs))
	}
	if !cl.grants(rt.perms) {
		return gerr(http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
	}
	if !rt.unlocked {
		s.countMethod(method)
	}
	params["_path"] = strings.TrimPrefix(path, "/")
	c := &call{s: s, claims: cl, method: method, q: q, p: params, body: body, header: h, base: base}
	if rt.unlocked {
		return rt.h(c)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c.t = s.st.tenant(cl.TenantID)
	if c.t == nil {
		// A tenant the emulator has never seen starts empty; it is
		// persisted with the first change.
		c.t = s.st.addTenant(cl.TenantID, "")
	}
	res := rt.h(c)
	if c.mutated {
		c.t.touch()
		if err := s.saveLocked(); err != nil {
			return gerr(http.StatusInternalServerError, "InternalServerError", "save emulator state: %v", err)
		}
	}
	return res
}

func lastSeg(segs []string) string {
	if len(segs) == 0 {
		return ""
	}
	return segs[len(segs)-1]
}

// altKey matches an alternate-key segment: name(appId='value').
var altKey = regexp.MustCompile(`^(servicePrincipals|applications)\(appId='([^']*)'\)$`)

// splitPath splits a path into segments; "delta()" and "delta" are the
// same segment.
func splitPath(p string) []string {
	var segs []string
	for _, s := range strings.Split(p, "/") {
		if s == "" {
			continue
		}
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
		s = strings.TrimSuffix(s, "()")
		if s == "microsoft.graph.delta" {
			s = "delta"
		}
		// Alternate key: servicePrincipals(appId='…') -> servicePrincipals/appId=…
		if m := altKey.FindStringSubmatch(s); m != nil {
			segs = append(segs, m[1], "appId="+m[2])
			continue
		}
		segs = append(segs, s)
	}
	return segs
}

// match finds the route; allowed reports a path match with another method.
func (s *Server) match(method string, segs []string) (*route, map[string]string, bool) {
	allowed := false
	for i := range s.routes {
		rt := &s.routes[i]
		if len(rt.segs) != len(segs) {
			continue
		}
		params := map[string]string{}
		hit := true
		for j, p := range rt.segs {
			if strings.HasPrefix(p, "{") {
				params[p[1:len(p)-1]] = segs[j]
			} else if !strings.EqualFold(p, segs[j]) {
				hit = false
				break
			}
		}
		if !hit {
			continue
		}
		if rt.method != method {
			allowed = true
			continue
		}
		return rt, params, false
	}
	return nil, nil, allowed
}

// writeResp writes a response, expanding a graphError into Graph's
// envelope.
func (s *Server) writeResp(w http.ResponseWriter, reqID string, res resp) {
	b := s.encode(reqID, res)
	for k, v := range res.header {
		w.Header()[k] = v
	}
	if b != nil {
		w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	}
	w.WriteHeader(res.status)
	if b != nil {
		w.Write(b)
	}
}

// encode returns the JSON body of a response (nil for none).
func (s *Server) encode(reqID string, res resp) []byte {
	if res.body == nil {
		return nil
	}
	v := res.body
	if ge, isErr := v.(graphError); isErr {
		v = map[string]any{"error": map[string]any{
			"code":    ge.code,
			"message": ge.message,
			"innerError": map[string]any{
				"date":       time.Now().UTC().Format("2006-01-02T15:04:05"),
				"request-id": reqID,
			},
		}}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		s.log.Error("encode response", "err", err)
		return []byte(`{"error":{"code":"InternalServerError","message":"encode response"}}`)
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// requestID returns a fresh request id.
func (s *Server) requestID() string {
	n := s.requests.Load()
	return fmt.Sprintf("e0000000-0000-4000-8000-%012x", n)
}

// decodeJSON decodes the request body into v; an empty body is an error.
func (c *call) decodeJSON(v any) *resp {
	if len(bytes.TrimSpace(c.body)) == 0 {
		r := gerr(http.StatusBadRequest, "BadRequest", "Empty Payload. JSON content expected.")
		return &r
	}
	d := json.NewDecoder(bytes.NewReader(c.body))
	if err := d.Decode(v); err != nil {
		r := gerr(http.StatusBadRequest, "BadRequest", "Unable to read JSON request payload: %v", err)
		return &r
	}
	return nil
}
