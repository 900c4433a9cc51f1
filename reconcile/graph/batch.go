package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	abs "github.com/microsoft/kiota-abstractions-go"
)

// maxBatch is Graph's limit of requests in one $batch.
const maxBatch = 20

// batchGet fetches several GET requests with one POST /$batch, saving the
// round trips of the first pages of a pull. It returns each response body
// in order. A request the batch did not answer with 2xx (throttled, failed)
// is sent again on its own, so retries and typed errors work as for any
// request; a server that refuses the batch itself gets every request on its
// own.
func (c *Client) batchGet(ctx context.Context, ris []*abs.RequestInformation, pageSize int) ([][]byte, error) {
	out := make([][]byte, len(ris))
	done := make([]bool, len(ris))
	if len(ris) > 1 && len(ris) <= maxBatch {
		c.tryBatch(ctx, ris, pageSize, out, done)
	}
	for i, ri := range ris {
		if done[i] {
			continue
		}
		if pageSize > 0 {
			ri.Headers.TryAdd("Prefer", "odata.maxpagesize="+strconv.Itoa(pageSize))
		}
		b, err := c.send(ctx, ri)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

type batchRequestItem struct {
	ID      string            `json:"id"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
}

type batchResponseItem struct {
	ID     string          `json:"id"`
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

// tryBatch sends the batch and fills out/done for every 2xx answer.
func (c *Client) tryBatch(ctx context.Context, ris []*abs.RequestInformation, pageSize int, out [][]byte, done []bool) {
	var req struct {
		Requests []batchRequestItem `json:"requests"`
	}
	root := c.baseURL + "/v1.0"
	for i, ri := range ris {
		if _, ok := ri.PathParameters["baseurl"]; !ok && ri.UrlTemplate != "{+request-raw-url}" {
			ri.PathParameters["baseurl"] = root
		}
		u, err := ri.GetUri()
		if err != nil || !strings.HasPrefix(u.String(), root+"/") {
			return
		}
		item := batchRequestItem{ID: strconv.Itoa(i + 1), Method: http.MethodGet, URL: strings.TrimPrefix(u.String(), root)}
		if pageSize > 0 {
			item.Headers = map[string]string{"Prefer": "odata.maxpagesize=" + strconv.Itoa(pageSize)}
		}
		req.Requests = append(req.Requests, item)
	}
	body, err := json.Marshal(req)
	if err != nil {
		return
	}
	b, err := c.Do(ctx, http.MethodPost, "$batch", body)
	if err != nil {
		c.log.Debug("graph: $batch refused; sending the requests one by one", "tenantId", c.tenantID, "err", err)
		return
	}
	var resp struct {
		Responses []batchResponseItem `json:"responses"`
	}
	if err := json.Unmarshal(b, &resp); err != nil {
		c.log.Debug("graph: unreadable $batch response; sending the requests one by one", "tenantId", c.tenantID, "err", err)
		return
	}
	for _, r := range resp.Responses {
		i, err := strconv.Atoi(r.ID)
		if err != nil || i < 1 || i > len(ris) || r.Status < 200 || r.Status > 299 || len(r.Body) == 0 || r.Body[0] != '{' {
			continue
		}
		out[i-1], done[i-1] = r.Body, true
	}
	c.log.Debug(fmt.Sprintf("graph: $batch answered %d of %d requests", countTrue(done), len(ris)), "tenantId", c.tenantID)
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}
