package emulator

import (
	"encoding/base64"
	"encoding/json"
	"math/rand"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// maxBatch is Graph's limit of requests in one JSON batch.
const maxBatch = 20

type batchRequest struct {
	ID        string            `json:"id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers"`
	Body      json.RawMessage   `json:"body"`
	DependsOn []string          `json:"dependsOn"`
}

// POST $batch (concepts/json-batching.md): up to 20 requests, each
// answered with its own status. dependsOn orders requests; a request whose
// dependency failed gets 424. Without dependsOn, requests run and answer in
// a shuffled order (Options.BatchInOrder). Faults are drawn per inner
// request, as Graph throttles each one.
func (c *call) batch() resp {
	var body struct {
		Requests []batchRequest `json:"requests"`
	}
	if err := json.Unmarshal(c.body, &body); err != nil {
		return gerr(http.StatusBadRequest, "BadRequest", "Unable to read the batch request: %v", err)
	}
	if len(body.Requests) == 0 {
		return gerr(http.StatusBadRequest, "BadRequest", "The batch has no requests.")
	}
	if len(body.Requests) > maxBatch {
		return gerr(http.StatusBadRequest, "BadRequest", "Number of batch requests (%d) exceeds the limit of %d.", len(body.Requests), maxBatch)
	}
	byID := map[string]*batchRequest{}
	for i := range body.Requests {
		r := &body.Requests[i]
		if r.ID == "" || r.Method == "" || r.URL == "" {
			return gerr(http.StatusBadRequest, "BadRequest", "Batch request %d needs an id, a method and a url.", i)
		}
		// Ids are not case-sensitive and must be unique in the batch.
		if byID[strings.ToLower(r.ID)] != nil {
			return gerr(http.StatusBadRequest, "BadRequest", "Batch request id '%s' is used twice (ids are not case-sensitive).", r.ID)
		}
		byID[strings.ToLower(r.ID)] = r
		if len(r.Body) > 0 && string(r.Body) != "null" && headerValue(r.Headers, "Content-Type") == "" {
			return gerr(http.StatusBadRequest, "BadRequest", "Batch request '%s' has a body but no Content-Type header: when a body is included, the headers object must contain a value for Content-Type.", r.ID)
		}
	}
	order, errResp := batchOrder(body.Requests, byID, c.s.shuffle.perm(len(body.Requests)))
	if errResp != nil {
		return *errResp
	}
	status := map[string]int{}
	out := map[string]map[string]any{}
	for _, r := range order {
		failed := false
		for _, d := range r.DependsOn {
			if status[strings.ToLower(d)] >= 400 {
				failed = true
			}
		}
		var res resp
		if failed {
			res = gerr(http.StatusFailedDependency, "FailedDependency", "A request this one depends on failed.")
		} else {
			res = c.inner(r)
		}
		status[strings.ToLower(r.ID)] = res.status
		item := map[string]any{"id": r.ID, "status": res.status}
		hdr := map[string]any{}
		for k, v := range res.header {
			hdr[k] = strings.Join(v, ", ")
		}
		if b := c.s.encode(c.s.requestID(), res); b != nil {
			hdr["Content-Type"] = "application/json"
			item["body"] = json.RawMessage(b)
		}
		item["headers"] = hdr
		out[strings.ToLower(r.ID)] = item
	}
	responses := make([]map[string]any, 0, len(body.Requests))
	for _, i := range c.s.shuffle.perm(len(body.Requests)) {
		responses = append(responses, out[strings.ToLower(body.Requests[i].ID)])
	}
	return ok(map[string]any{"responses": responses})
}

// batchOrder sorts requests so that each follows its dependencies,
// otherwise taking them in the order of perm (indexes into reqs).
func batchOrder(reqs []batchRequest, byID map[string]*batchRequest, perm []int) ([]*batchRequest, *resp) {
	var order []*batchRequest
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(r *batchRequest) *resp
	visit = func(r *batchRequest) *resp {
		id := strings.ToLower(r.ID)
		switch state[id] {
		case 1:
			e := gerr(http.StatusBadRequest, "BadRequest", "Batch request '%s' is part of a dependsOn cycle.", r.ID)
			return &e
		case 2:
			return nil
		}
		state[id] = 1
		for _, d := range r.DependsOn {
			dep := byID[strings.ToLower(d)]
			if dep == nil {
				e := gerr(http.StatusBadRequest, "BadRequest", "Batch request '%s' depends on unknown request '%s'.", r.ID, d)
				return &e
			}
			if e := visit(dep); e != nil {
				return e
			}
		}
		state[id] = 2
		order = append(order, r)
		return nil
	}
	for _, i := range perm {
		if e := visit(&reqs[i]); e != nil {
			return nil, e
		}
	}
	return order, nil
}

// batchShuffle draws the orders of $batch requests from a seeded
// generator of its own, so the faults drawn for a request sequence stay
// the same whether batches are shuffled or not.
type batchShuffle struct {
	mu  sync.Mutex
	rnd *rand.Rand
}

func newBatchShuffle(seed int64) *batchShuffle {
	return &batchShuffle{rnd: rand.New(rand.NewSource(seed))}
}

// perm returns a permutation of 0..n-1: the identity on a nil receiver
// (Options.BatchInOrder), else a random one.
func (b *batchShuffle) perm(n int) []int {
	if b == nil {
		p := make([]int, n)
		for i := range p {
			p[i] = i
		}
		return p
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.rnd.Perm(n)
}

// inner serves one request of a batch with the batch's credentials.
func (c *call) inner(r *batchRequest) resp {
	u, err := url.Parse(r.URL)
	if err != nil {
		return gerr(http.StatusBadRequest, "BadRequest", "Invalid url '%s'.", r.URL)
	}
	path := strings.TrimPrefix(u.Path, "/")
	path = strings.TrimPrefix(path, "v1.0/")
	if strings.EqualFold(strings.TrimSuffix(path, "/"), "$batch") {
		return gerr(http.StatusBadRequest, "BadRequest", "A batch cannot contain a batch.")
	}
	h := http.Header{}
	for k, v := range c.header {
		h[k] = v
	}
	for k, v := range r.Headers {
		h.Set(k, v)
	}
	var body []byte
	if len(r.Body) > 0 && string(r.Body) != "null" {
		body = r.Body
		var s string
		if json.Unmarshal(r.Body, &s) == nil && !strings.Contains(strings.ToLower(h.Get("Content-Type")), "json") {
			if b, err := base64.StdEncoding.DecodeString(s); err == nil {
				body = b
			}
		}
	}
	if f := c.s.decideFault(); f.status != 0 {
		c.s.faults.Add(1)
		return c.s.faultResp(f)
	}
	return c.s.dispatch(strings.ToUpper(r.Method), path, u.RawQuery, h, body, c.base)
}

// headerValue reads a header of a batch request, its name in any case.
func headerValue(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}
