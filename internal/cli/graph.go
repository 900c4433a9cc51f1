package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	ucli "github.com/urfave/cli/v2"

	"github.com/xtsync/xtsync/internal/gitfs"
	"github.com/xtsync/xtsync/internal/report"
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

func graphCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "graph",
		Usage:     "draw the tenants, their trust and the sync flows with user counts",
		UsageText: "xtsync graph [--repo DIR] [--snapshots DIR] [--output mermaid|dot|json]",
		Description: `Draws the repository: each tenant, the trust between them (a dotted arrow
from source to target: "sync allowed" for inbound user sync, "auto-redeem"
when both sides redeem automatically, "in only"/"out only" when one side
does), and each sync configuration (a thick arrow, labelled with the B2B
users it keeps after one cycle and the creates and soft-deletes of that
cycle, from the directory snapshots; without snapshots, the arrows carry no
counts). Partners named only by tenant id are drawn apart.

--output mermaid (default) pastes into Markdown (GitHub renders it);
--output dot goes to Graphviz (xtsync graph -o dot | dot -Tsvg > graph.svg);
--output json is the contract (formatVersion 1).

Examples:
   xtsync graph --repo testdata/example
   xtsync graph -o dot | dot -Tpng > tenants.png

Exit codes: 0 drawn, 1 error (the repository does not load, an unreadable
snapshot), 2 usage error.`,
		Flags: []ucli.Flag{
			repoFlag(),
			snapshotsFlag(),
			maxSnapshotBytesFlag(),
			outputFlag("mermaid", "dot", "json"),
		},
		Action: func(c *ucli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			format, err := outputFormat(c, "mermaid", "dot", "json")
			if err != nil {
				return err
			}
			repo, res, err := graphInput(c, e)
			if err != nil {
				return err
			}
			g := report.BuildGraph(repo, res)
			switch format {
			case "dot":
				return report.GraphDOT(e.stdout, g)
			case "json":
				return writeJSON(e, g)
			}
			return report.GraphMermaid(e.stdout, g)
		},
	}
}

// graphInput loads the repository and, when its snapshots are there,
// simulates one cycle for the user counts.
func graphInput(c *ucli.Context, e *env) (*tenants.Repo, *simulate.Result, error) {
	repo, err := loadRepoForGraph(e, c.String("repo"))
	if err != nil {
		return nil, nil, err
	}
	dir := snapshotsDir(c, repo)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		e.log.Info("no directory snapshots: the flows carry no user counts (xtsync snapshot pull writes them)", "dir", dir)
		return repo, nil, nil
	}
	snaps, err := simulate.LoadSnapshotsWith(gitfs.DirFS(filepath.Dir(dir)), filepath.Base(dir), simulate.ReadOptions{Columnar: true, MaxBytes: c.Int64("max-snapshot-bytes")})
	if err != nil {
		return nil, nil, fmt.Errorf("graph: %w", err)
	}
	res := simulate.Run(repo, snaps, simulate.Options{})
	return repo, res, nil
}
