package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/policy"
)

// Policies are code from the pull request being judged, and OPA bounds
// neither their time nor their memory: a policy can loop over a cartesian
// product for hours, or allocate more than the machine has in one built-in
// call (replace(s, "a", s) on a megabyte string asks for a terabyte, which
// the Go runtime answers with a fatal "out of memory" dump and exit 2 that
// no recover can catch). So check, plan and reconcile evaluate policies in
// a child process (this binary, "xtsync __policy-eval"): under an
// address-space limit it sets on itself, killed at the time limit. The
// parent compiles the same policies first (compile errors, the policy
// list), and turns whatever ends the child into one line that names the
// package and file the child was evaluating. docs/decisions.md has the
// measurements behind the choice.

// The defaults of the limits; --policy-timeout, xtsync.yaml's policyTimeout
// (base's) and --policy-max-memory change them.
const (
	defaultPolicyTimeout   = 30 * time.Second
	defaultPolicyMaxMemory = 4 << 30
)

// policyEvalCommand is the hidden command the child runs.
const policyEvalCommand = "__policy-eval"

// policyLimits bound one evaluation.
type policyLimits struct {
	timeout time.Duration
	// maxMemory is the address space the child may map beyond what it
	// has when it starts.
	maxMemory int64
	// source says where the timeout came from, for the message.
	source string
}

// policyRunner is a compiled policy engine whose evaluations run in a child
// process. Its methods are those of *policy.Engine that the commands use.
type policyRunner struct {
	eng    *policy.Engine
	opts   policy.Options
	limits policyLimits
}

// Policies lists the policies evaluated.
func (r *policyRunner) Policies() []policy.Info { return r.eng.Policies() }

// policyRequest is what the parent sends the child on stdin.
type policyRequest struct {
	Modules     map[string]string `json:"modules"`
	BaseModules map[string]string `json:"baseModules"`
	Disabled    []string          `json:"disabled"`
	Builtins    bool              `json:"builtins"`
	MaxMemory   int64             `json:"maxMemory"`
	Input       json.RawMessage   `json:"input"`
}

// policyResponse is what the child writes on stdout.
type policyResponse struct {
	Findings []plan.Finding `json:"findings"`
	Error    string         `json:"error,omitempty"`
}

// Evaluate runs the policies over the input in a child process, within the
// limits. A child stopped by the time limit or out of memory is one error
// line naming the package it was in.
func (r *policyRunner) Evaluate(ctx context.Context, input policy.Input) ([]plan.Finding, error) {
	in, err := policy.MarshalInput(input)
	if err != nil {
		return nil, fmt.Errorf("build policy input: %w", err)
	}
	req, err := json.Marshal(policyRequest{Modules: r.opts.Modules, BaseModules: r.opts.BaseModules, Disabled: r.opts.Disabled,
		Builtins: r.opts.Builtins, MaxMemory: r.limits.maxMemory, Input: in})
	if err != nil {
		return nil, fmt.Errorf("build policy input: %w", err)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find xtsync's own binary: %w", err)
	}
	tctx, cancel := context.WithTimeout(ctx, r.limits.timeout)
	defer cancel()
	cmd := exec.CommandContext(tctx, exe, policyEvalCommand)
	cmd.Args[0] = "xtsync" // the name the binary answers to (a test binary too)
	cmd.Env = append(os.Environ(), "GOTRACEBACK=single")
	cmd.Stdin = bytes.NewReader(req)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr := &tailBuffer{max: 64 << 10}
	cmd.Stderr = stderr
	cmd.WaitDelay = time.Second
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.ExtraFiles = []*os.File{pw} // fd 3: progress
	var (
		mu   sync.Mutex
		last policy.Progress
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var p policy.Progress
			if json.Unmarshal(sc.Bytes(), &p) == nil {
				mu.Lock()
				last = p
				mu.Unlock()
			}
		}
	}()
	start := time.Now()
	err = cmd.Start()
	pw.Close()
	if err != nil {
		pr.Close()
		return nil, fmt.Errorf("start %s: %w", exe, err)
	}
	err = cmd.Wait()
	<-done
	pr.Close()
	mu.Lock()
	where := describeProgress(last)
	mu.Unlock()
	switch {
	case errors.Is(tctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil:
		return nil, fmt.Errorf("stopped after %s %s: a policy that runs this long would hang every run; make it cheaper, or raise %s if it is expected",
			r.limits.timeout, where, r.limits.source)
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case err != nil && outOfMemory(stderr.String()):
		return nil, fmt.Errorf("ran out of memory (more than %s) after %s %s: a policy allocates without bound; make it cheaper, or raise --policy-max-memory if it is expected",
			byteSize(r.limits.maxMemory), time.Since(start).Round(time.Millisecond), where)
	case err != nil:
		var resp policyResponse
		if json.Unmarshal(stdout.Bytes(), &resp) == nil && resp.Error != "" {
			return nil, errors.New(resp.Error)
		}
		return nil, fmt.Errorf("the evaluating process failed (%v) %s: %s", err, where, firstLine(stderr.String()))
	}
	var resp policyResponse
	if err := json.Unmarshal(stdout.Bytes(), &resp); err != nil {
		return nil, fmt.Errorf("read the evaluating process's answer: %w", err)
	}
	if resp.Error != "" {
		return nil, errors.New(resp.Error)
	}
	return resp.Findings, nil
}

// describeProgress names where an evaluation was: "in package xtsync.boom
// (policies/boom.rego, head's policies)", or in the built-ins.
func describeProgress(p policy.Progress) string {
	switch {
	case p.Package == "":
		return "before the first policy"
	case p.Set == "builtin":
		// The built-ins are one query (policy.compileSet).
		return "in xtsync's built-in policies (xtsync policy list)"
	}
	files := make([]string, len(p.Files))
	for i, f := range p.Files {
		files[i] = strings.TrimPrefix(f, "base:")
	}
	return fmt.Sprintf("in package %s (%s, %s's policies)", p.Package, strings.Join(files, ", "), p.Set)
}

// outOfMemory reports a child that the Go runtime ended for want of
// memory (its address-space limit).
func outOfMemory(stderr string) bool {
	return strings.Contains(stderr, "out of memory") || strings.Contains(stderr, "cannot allocate memory")
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

// byteSize renders a byte count: "4 GiB", "512 MiB".
func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// policyEvalCmd is the child: it reads a policyRequest on stdin, limits its
// own address space, compiles and evaluates, reports each package on fd 3
// and answers a policyResponse on stdout. Not for users: hidden.
func policyEvalCmd(e *env) *ucli.Command {
	return &ucli.Command{
		Name:   policyEvalCommand,
		Hidden: true,
		Usage:  "evaluate policies for check, plan and reconcile (internal)",
		Action: func(c *ucli.Context) error {
			return runPolicyEval(c.Context, os.Stdin, e.stdout)
		},
	}
}

func runPolicyEval(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	var req policyRequest
	if err := json.NewDecoder(stdin).Decode(&req); err != nil {
		return fmt.Errorf("%s: read the request: %w", policyEvalCommand, err)
	}
	if req.MaxMemory > 0 {
		limitAddressSpace(req.MaxMemory)
	}
	progress := os.NewFile(3, "progress")
	var enc *json.Encoder
	if progress != nil {
		if _, err := progress.Stat(); err == nil {
			enc = json.NewEncoder(progress)
		}
	}
	answer := func(resp policyResponse) error {
		if err := json.NewEncoder(stdout).Encode(resp); err != nil {
			return err
		}
		if resp.Error != "" {
			return silentExit(ExitError)
		}
		return nil
	}
	eng, err := policy.New(policy.Options{Modules: req.Modules, BaseModules: req.BaseModules, Disabled: req.Disabled, Builtins: req.Builtins,
		Progress: func(p policy.Progress) {
			if enc != nil {
				enc.Encode(p)
			}
		}})
	if err != nil {
		return answer(policyResponse{Error: err.Error()})
	}
	findings, err := eng.EvaluateJSON(ctx, req.Input)
	if err != nil {
		return answer(policyResponse{Error: err.Error()})
	}
	if findings == nil {
		findings = []plan.Finding{}
	}
	return answer(policyResponse{Findings: findings})
}

// limitAddressSpace lets the process map at most max bytes more than it
// has mapped now (a Go binary maps more than it uses: its reservations),
// and has the garbage collector work harder as the heap nears it.
func limitAddressSpace(max int64) {
	var mapped int64
	if b, err := os.ReadFile("/proc/self/statm"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			if pages, err := strconv.ParseInt(f[0], 10, 64); err == nil {
				mapped = pages * int64(os.Getpagesize())
			}
		}
	}
	lim := uint64(mapped + max)
	syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: lim, Max: lim})
	debug.SetMemoryLimit(max / 10 * 9)
}
