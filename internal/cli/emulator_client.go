package cli

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/xtsync/xtsync/internal/report"
	"github.com/xtsync/xtsync/reconcile/emulator"
	"github.com/xtsync/xtsync/reconcile/graph"
)

// The emulator's client subcommands: what the demo and a user trying
// things need besides curl, with the emulator's tokens and certificate.

func emulatorURLFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "graph-url", Usage: "the emulator's `URL` (the first line it prints)", EnvVars: []string{"XTSYNC_GRAPH_URL"}, Required: true},
		&ucli.StringFlag{Name: "graph-ca", Usage: "PEM `FILE` of the emulator's certificate (cert.pem in its --state, with --tls)", EnvVars: []string{"XTSYNC_GRAPH_CA"}},
	}
}

func emulatorCycleCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "cycle",
		Usage:     "run one provisioning cycle of every started job of a running emulator",
		UsageText: "xtsync emulator cycle --graph-url URL [--graph-ca FILE] [--output text|json]",
		Description: `Asks a running emulator (POST /_emulator/cycle) to run one provisioning cycle
of every started synchronization job, as Entra's provisioning service does
every 40 minutes, and prints what each job did: users created, updated
(restores and disables included), soft-deleted, held back by the deletion
threshold, skipped and failed. The cycle reads only Graph objects.

Example:
   xtsync emulator cycle --graph-url https://127.0.0.1:PORT --graph-ca STATE/cert.pem

Exit codes: 0 ran, 1 the emulator could not be reached or a job is in
quarantine, 2 usage error.`,
		Flags: append(emulatorURLFlags(), outputFlag("text", "json")),
		Action: func(c *ucli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			format, err := outputFormat(c, "text", "json")
			if err != nil {
				return err
			}
			body, err := emulatorDo(c, http.MethodPost, "/_emulator/cycle", "", nil)
			if err != nil {
				return err
			}
			var res struct {
				Value []emulator.CycleResult `json:"value"`
			}
			if err := json.Unmarshal(body, &res); err != nil {
				return fmt.Errorf("emulator cycle: reading the answer: %w", err)
			}
			names := map[string]string{}
			if b, err := emulatorDo(c, http.MethodGet, "/_emulator/tenants", "", nil); err == nil {
				var ts struct {
					Value []struct{ ID, Name string } `json:"value"`
				}
				if json.Unmarshal(b, &ts) == nil {
					for _, t := range ts.Value {
						if t.Name != "" {
							names[strings.ToLower(t.ID)] = t.Name
						}
					}
				}
			}
			name := func(id string) string {
				if n := names[strings.ToLower(id)]; n != "" {
					return n
				}
				return id
			}
			if format == "json" {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(res.Value); err != nil {
					return err
				}
			} else if len(res.Value) == 0 {
				fmt.Fprintln(e.stdout, "no started job: nothing ran")
			}
			quarantined := false
			for _, r := range res.Value {
				if format == "text" {
					fmt.Fprintf(e.stdout, "%s/%s -> %s: %s; %d created, %d updated, %d soft-deleted, %d staged, %d skipped, %d failed of %d examined\n",
						name(r.Tenant), r.Config, name(r.Target), r.State, r.Created, r.Updated, r.Deleted, r.Staged, r.Skipped, r.Failed, r.Examined)
					if r.Error != "" {
						fmt.Fprintf(e.stdout, "  %s\n", r.Error)
					}
				}
				quarantined = quarantined || r.State != "Active"
			}
			if quarantined {
				return silentExit(ExitError)
			}
			return nil
		},
	}
}

func emulatorRequestCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "request",
		Usage:     "send one Graph request to a running emulator as a tenant",
		UsageText: "xtsync emulator request --graph-url URL [--graph-ca FILE] --tenant NAME|ID METHOD PATH [JSON]",
		Description: `Sends one Microsoft Graph request to a running emulator with a token of the
tenant (its name or id), as an administrator of that tenant would from the
portal or Graph Explorer, and prints the answer's body. PATH is relative to
/v1.0. Handy to change a directory or a setting behind xtsync's back.

Examples:
   xtsync emulator request --graph-url URL --tenant contoso-eu GET 'groups?$select=id,displayName'
   xtsync emulator request --graph-url URL --tenant contoso-eu DELETE groups/GROUP-ID/members/USER-ID/\$ref
   xtsync emulator request --graph-url URL --tenant contoso-us PATCH \
       policies/crossTenantAccessPolicy/partners/TENANT-ID '{"automaticUserConsentSettings":{"inboundAllowed":false}}'

Exit codes: 0 a 2xx answer, 1 an error answer (its body is printed on
stderr) or the emulator could not be reached, 2 usage error.`,
		Flags: append(emulatorURLFlags(),
			&ucli.StringFlag{Name: "tenant", Usage: "the tenant `NAME` or id the request is made as", Required: true, EnvVars: []string{"XTSYNC_EMULATOR_TENANT"}}),
		Action: func(c *ucli.Context) error {
			args := c.Args().Slice()
			if len(args) < 2 || len(args) > 3 {
				return usageError("emulator request: want METHOD PATH [JSON], got %s", report.Count(len(args), "argument", "arguments"))
			}
			method := strings.ToUpper(args[0])
			var body []byte
			if len(args) == 3 {
				if !json.Valid([]byte(args[2])) {
					return usageError("emulator request: the body is not JSON")
				}
				body = []byte(args[2])
			}
			out, err := emulatorDo(c, method, "/v1.0/"+strings.TrimPrefix(args[1], "/"), c.String("tenant"), body)
			if len(out) > 0 {
				var v any
				if json.Unmarshal(out, &v) == nil {
					out, _ = json.MarshalIndent(v, "", "  ")
				}
				w := e.stdout
				if err != nil {
					w = e.stderr
				}
				fmt.Fprintln(w, string(out))
			}
			return err
		},
	}
}

// emulatorDo sends one request to the emulator at --graph-url, with a
// token of tenant when tenant is not empty, and returns the body of a 2xx
// answer (or, with an error, of another).
func emulatorDo(c *ucli.Context, method, path, tenant string, body []byte) ([]byte, error) {
	base := strings.TrimRight(c.String("graph-url"), "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !graph.IsLoopback(u.Hostname()) {
		return nil, usageError("--graph-url: want the emulator's loopback URL (http(s)://127.0.0.1:PORT), got %q", base)
	}
	transport := graph.LoopbackOnlyTransport(nil)
	if ca := c.String("graph-ca"); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, fmt.Errorf("--graph-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--graph-ca: no PEM certificate in %s", ca)
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	hc := &http.Client{Transport: transport, Timeout: 60 * time.Second}
	send := func(method, path, token string, body []byte) ([]byte, int, error) {
		req, err := http.NewRequestWithContext(c.Context, method, base+path, bytes.NewReader(body))
		if err != nil {
			return nil, 0, usageError("emulator request: %v", err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := hc.Do(req)
		if err != nil {
			return nil, 0, fmt.Errorf("%s %s: %w", method, base+path, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		return b, resp.StatusCode, err
	}
	token := ""
	if tenant != "" {
		b, st, err := send(http.MethodGet, "/_emulator/token?tenant="+url.QueryEscape(tenant), "", nil)
		if err != nil {
			return nil, err
		}
		if st != http.StatusOK {
			return nil, fmt.Errorf("emulator: no tenant %q (%d)", tenant, st)
		}
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.Unmarshal(b, &tok); err != nil {
			return nil, fmt.Errorf("emulator: reading the token: %w", err)
		}
		token = tok.AccessToken
	}
	b, st, err := send(method, path, token, body)
	if err != nil {
		return nil, err
	}
	if st >= 300 {
		return b, fmt.Errorf("%s %s: %d %s", method, path, st, http.StatusText(st))
	}
	return b, nil
}
