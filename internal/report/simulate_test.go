package report

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/xtsync/xtsync/internal/gen"
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

// exampleSimulation simulates the example repository.
func exampleSimulation(t testing.TB) (*tenants.Repo, map[string]*simulate.Snapshot) {
	t.Helper()
	fsys := os.DirFS("../../testdata/example")
	repo, diags := tenants.Load(fsys)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	snaps, err := simulate.LoadSnapshots(fsys, "snapshots")
	if err != nil {
		t.Fatal(err)
	}
	return repo, snaps
}

func TestSimulateRenderers(t *testing.T) {
	repo, snaps := exampleSimulation(t)
	res := simulate.Run(repo, snaps, simulate.Options{})
	for _, tt := range []struct {
		name   string
		render func(io.Writer, *simulate.Result) error
	}{
		{"simulate.txt", SimulateText},
		{"simulate.md", SimulateMarkdown},
		{"simulate.json", SimulateJSON},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.render(&b, res); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, b.Bytes())
		})
	}
	t.Run("explain", func(t *testing.T) {
		var b bytes.Buffer
		for _, upn := range []string{"felix@contoso.eu", "karin@contoso.eu", "quentin@fabrikam.co.uk"} {
			if err := ExplainText(&b, upn, simulate.Explain(repo, snaps, simulate.Options{}, upn)); err != nil {
				t.Fatal(err)
			}
		}
		golden(t, "simulate-explain.txt", b.Bytes())
	})
	t.Run("assumptions", func(t *testing.T) {
		var b bytes.Buffer
		if err := AssumptionsText(&b, simulate.EffectiveAssumptions(repo, simulate.Options{Assumptions: map[string]bool{"regex-whole-value": false}})); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "regex-whole-value") || !strings.Contains(b.String(), "true     false") {
			t.Errorf("the override does not show:\n%s", b.String())
		}
	})
}

func TestMarkdownCellEscapes(t *testing.T) {
	got := mdCell("a|b\nc <x> #EXT# d_e *f*")
	want := `a\|b c &lt;x&gt; \#EXT\# d\_e \*f\*`
	if got != want {
		t.Errorf("mdCell = %q, want %q", got, want)
	}
}

// BenchmarkRender renders a 100,000-user simulation as text and JSON.
func BenchmarkRender(b *testing.B) {
	out, err := gen.Generate(gen.Options{Tenants: 3, Users: 100_000, Configs: 6, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	repo, snaps, err := out.Load(simulate.ReadOptions{Columnar: true})
	if err != nil {
		b.Fatal(err)
	}
	res := simulate.Run(repo, snaps, simulate.Options{})
	for _, r := range []struct {
		name string
		f    func(io.Writer, *simulate.Result) error
	}{{"text", SimulateText}, {"markdown", SimulateMarkdown}, {"json", SimulateJSON}} {
		b.Run(r.name, func(b *testing.B) {
			for b.Loop() {
				if err := r.f(io.Discard, res); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(res.Users)*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
