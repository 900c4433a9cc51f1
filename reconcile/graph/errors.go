package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// APIError is an error response of Microsoft Graph.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Code is Graph's error code ("Request_ResourceNotFound",
	// "Authorization_RequestDenied" …), empty when the body had none.
	Code    string
	Message string
	// RequestID is Graph's request-id, for a support ticket.
	RequestID string
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("graph: %d %s", e.Status, http.StatusText(e.Status))
	if e.Code != "" {
		msg += ": " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.RequestID != "" {
		msg += " (request-id " + e.RequestID + ")"
	}
	return msg
}

// IsNotFound reports whether err is a Graph 404.
func IsNotFound(err error) bool { return statusOf(err) == http.StatusNotFound }

// IsConflict reports whether err is a Graph 409.
func IsConflict(err error) bool { return statusOf(err) == http.StatusConflict }

func statusOf(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// errorMappings makes the SDK decode every 4XX/5XX body as an ODataError.
var errorMappings = abs.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}

// convertError turns the SDK's error types into *APIError; other errors
// (transport, context) pass through.
func convertError(err error) error {
	if err == nil {
		return nil
	}
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) {
		ae := &APIError{Status: oe.ResponseStatusCode}
		if me := oe.GetErrorEscaped(); me != nil {
			ae.Code = deref(me.GetCode())
			ae.Message = deref(me.GetMessage())
			if ie := me.GetInnerError(); ie != nil {
				ae.RequestID = deref(ie.GetRequestId())
			}
		}
		if ae.RequestID == "" {
			ae.RequestID = header(oe.ResponseHeaders, "request-id")
		}
		return ae
	}
	var ke *abs.ApiError
	if errors.As(err, &ke) {
		return &APIError{Status: ke.ResponseStatusCode, Message: "unexpected response", RequestID: header(ke.ResponseHeaders, "request-id")}
	}
	return err
}

func header(h *abs.ResponseHeaders, name string) string {
	if h == nil {
		return ""
	}
	for _, k := range []string{name, http.CanonicalHeaderKey(name)} {
		if v := h.Get(k); len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// send sends a request through the SDK's pipeline (auth, retries, error
// mapping) and returns the raw JSON body.
func (c *Client) send(ctx context.Context, ri *abs.RequestInformation) ([]byte, error) {
	res, err := c.adapter.SendPrimitive(ctx, ri, "[]byte", errorMappings)
	if err != nil {
		return nil, convertError(err)
	}
	b, _ := res.([]byte)
	return b, nil
}

// Do sends one request through the SDK's pipeline (auth, retries, error
// mapping) to path, relative to the version root ("users/{id}",
// "policies/crossTenantAccessPolicy/partners"), with body as raw JSON (nil
// for none), and returns the raw response body (nil for 204). It is the
// building block for objects xtsync round-trips as raw JSON (schemas,
// secrets).
func (c *Client) Do(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	m, ok := map[string]abs.HttpMethod{http.MethodGet: abs.GET, http.MethodPost: abs.POST, http.MethodPatch: abs.PATCH,
		http.MethodPut: abs.PUT, http.MethodDelete: abs.DELETE}[method]
	if !ok {
		return nil, fmt.Errorf("graph: unsupported method %q", method)
	}
	ri := c.linkRequest(c.baseURL + "/v1.0/" + strings.TrimPrefix(path, "/"))
	ri.Method = m
	if body != nil {
		ri.Content = body
		ri.Headers.TryAdd("Content-Type", "application/json")
	}
	b, err := c.send(ctx, ri)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	return b, nil
}
