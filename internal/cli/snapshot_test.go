package cli

import (
	"os"
	"sort"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/xtsync/xtsync/reconcile/emulator"
	"github.com/xtsync/xtsync/simulate"
)

// cmdEmulatorStart starts a Graph emulator on loopback for the rest of the
// script, seeded with the snapshots of a directory, and sets $GRAPH_URL:
// "emulator-start [-tls] SEEDDIR [FAULTS]". With -tls it serves HTTPS and
// writes its certificate to $WORK/cert.pem.
func cmdEmulatorStart(ts *testscript.TestScript, neg bool, args []string) {
	useTLS := len(args) > 0 && args[0] == "-tls"
	if useTLS {
		args = args[1:]
	}
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: emulator-start [-tls] SEEDDIR [FAULTS]")
	}
	snaps, err := emulator.ReadSnapshotDir(ts.MkAbs(args[0]))
	ts.Check(err)
	opts := emulator.Options{Seed: 1}
	if len(args) == 2 {
		opts.Faults, err = emulator.ParseFaults(args[1])
		ts.Check(err)
	}
	srv, err := emulator.New(opts)
	ts.Check(err)
	ts.Check(srv.LoadSnapshots(snaps))
	var url string
	if useTLS {
		var cert []byte
		url, cert, err = srv.StartTLS("127.0.0.1:0")
		ts.Check(err)
		ts.Check(os.WriteFile(ts.MkAbs("cert.pem"), cert, 0o644))
	} else {
		url, err = srv.Start("127.0.0.1:0")
		ts.Check(err)
	}
	ts.Defer(func() { srv.Close() })
	ts.Setenv("GRAPH_URL", url)
}

// cmdSnapCmp compares two snapshot files as data (the order of users,
// groups and members and the capture time aside):
// "snapcmp PULLED SEED".
func cmdSnapCmp(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: snapcmp PULLED SEED")
	}
	read := func(name string) *simulate.Snapshot {
		f, err := os.Open(ts.MkAbs(name))
		ts.Check(err)
		defer f.Close()
		s, err := simulate.ReadSnapshot(f, name)
		ts.Check(err)
		s.CapturedAt = ""
		sort.Slice(s.Users, func(i, j int) bool { return s.Users[i].ID < s.Users[j].ID })
		sort.Slice(s.Groups, func(i, j int) bool { return s.Groups[i].ID < s.Groups[j].ID })
		for i := range s.Groups {
			sort.Strings(s.Groups[i].Members)
		}
		return s
	}
	diff := cmp.Diff(read(args[1]), read(args[0]), cmpopts.IgnoreUnexported(simulate.Snapshot{}), cmpopts.EquateEmpty())
	switch {
	case neg && diff == "":
		ts.Fatalf("%s and %s are the same snapshot", args[0], args[1])
	case !neg && diff != "":
		ts.Fatalf("%s differs from %s (-seed +pulled):\n%s", args[0], args[1], diff)
	}
}
