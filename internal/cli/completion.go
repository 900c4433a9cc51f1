package cli

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v2"
)

func completionCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "completion",
		Usage:     "print the shell completion script: bash, zsh or fish",
		UsageText: "xtsync completion bash|zsh|fish",
		Description: `Prints a script that completes xtsync's commands, their flags, and the values
of the flags that take a fixed set (--output, --auth, --kind, --log-level …) or
a path (directories for DIR, files for FILE). It is generated from the commands
themselves, so it matches the binary that printed it: print it again after an
upgrade.

  bash   add to ~/.bashrc:                 source <(xtsync completion bash)
         or install it for everyone:       xtsync completion bash > /etc/bash_completion.d/xtsync
  zsh    into a directory of your $fpath:  xtsync completion zsh > "${fpath[1]}/_xtsync"
         then start a new shell (compinit must run in ~/.zshrc, as it does with most setups)
  fish                                     xtsync completion fish > ~/.config/fish/completions/xtsync.fish

Exit codes: 0 printed, 2 usage error (no or another shell).`,
		Action: func(c *ucli.Context) error {
			if c.NArg() != 1 {
				return usageError("completion: want one shell: bash, zsh or fish")
			}
			tree := completionTree(c.App)
			var script string
			switch c.Args().First() {
			case "bash":
				script = bashCompletion(tree)
			case "zsh":
				script = zshCompletion(tree)
			case "fish":
				script = fishCompletion(tree)
			default:
				return usageError("completion: unknown shell %q: want bash, zsh or fish", c.Args().First())
			}
			_, err := fmt.Fprint(e.stdout, script)
			return err
		},
	}
}

// compNode is a command as completion sees it: the words that reach it,
// its subcommands and its flags.
type compNode struct {
	path  string // the command words from the root, space-separated ("" for xtsync itself)
	usage string
	subs  []*compNode
	flags []compFlag
	args  []string // what its arguments complete to (else files)
}

// shells are the arguments of xtsync completion.
var shells = []string{"bash", "zsh", "fish"}

// compFlag is one flag: its names (long first), whether it takes a value,
// and what the value completes to.
type compFlag struct {
	long, short string
	usage       string
	takes       bool
	values      []string // a fixed set
	kind        string   // "dir" or "file" for a path, else ""
}

// completionTree reads the app's commands and flags.
// "xtsync help TOPIC" completes to the commands; the help subcommand
// urfave/cli gives every command with subcommands is left out (their
// --help says the same).
func completionTree(app *ucli.App) *compNode {
	root := &compNode{usage: app.Usage, flags: compFlags(app.Flags, helpFlag, versionFlag)}
	var help *compNode
	for _, c := range app.Commands {
		if c.Hidden {
			continue
		}
		n := compCommand(c, "")
		root.subs = append(root.subs, n)
		if c.Name == "help" {
			help = n
		}
	}
	if help != nil {
		for _, name := range root.subNames() {
			if name != "help" {
				help.args = append(help.args, name)
			}
		}
	}
	return root
}

func compCommand(c *ucli.Command, parent string) *compNode {
	n := &compNode{path: strings.TrimSpace(parent + " " + c.Name), usage: c.Usage, flags: compFlags(c.Flags, helpFlag)}
	if n.path == "completion" {
		n.args = shells
	}
	for _, s := range c.Subcommands {
		if !s.Hidden && s.Name != "help" {
			n.subs = append(n.subs, compCommand(s, n.path))
		}
	}
	return n
}

var (
	placeholderRE = regexp.MustCompile("`([A-Z_]+)`")
	valueListRE   = regexp.MustCompile(`^[a-z0-9-]+((, | or |, or )[a-z0-9-]+)*$`)
)

func compFlags(flags []ucli.Flag, extra ...compFlag) []compFlag {
	var out []compFlag
	seen := map[string]bool{}
	for _, f := range flags {
		cf := compFlag{}
		for _, name := range f.Names() {
			if len(name) == 1 {
				cf.short = name
			} else if cf.long == "" {
				cf.long = name
			}
		}
		if df, ok := f.(ucli.DocGenerationFlag); ok {
			cf.takes, cf.usage = df.TakesValue(), placeholderRE.ReplaceAllString(df.GetUsage(), "$1")
			if cf.takes {
				cf.values, cf.kind = flagValues(df.GetUsage())
			}
		}
		if cf.long == "" || seen[cf.long] {
			continue
		}
		seen[cf.long] = true
		out = append(out, cf)
	}
	// urfave/cli adds --help to every command (and --version to the app)
	// when it runs it: the script must not depend on which ran.
	for _, f := range extra {
		if !seen[f.long] {
			out = append(out, f)
		}
	}
	return out
}

var (
	helpFlag    = compFlag{long: "help", short: "h", usage: "show help"}
	versionFlag = compFlag{long: "version", short: "v", usage: "print the version"}
)

// flagValues reads what a flag's value completes to from its usage text:
// "report `FORMAT`: text, json" and "which file: tenant or settings" list
// the values; a `DIR` is a directory, a `FILE` or `PATH` a file.
func flagValues(usage string) ([]string, string) {
	if m := placeholderRE.FindStringSubmatch(usage); m != nil {
		switch m[1] {
		case "DIR":
			return nil, "dir"
		case "FILE", "PATH":
			return nil, "file"
		}
	}
	if i := strings.LastIndex(usage, ": "); i >= 0 {
		list := strings.TrimSpace(usage[i+2:])
		if valueListRE.MatchString(list) {
			list = strings.NewReplacer(", or ", " ", " or ", " ", ", ", " ").Replace(list)
			return strings.Fields(list), ""
		}
	}
	return nil, ""
}

// nodes lists n and every command under it.
func (n *compNode) nodes() []*compNode {
	out := []*compNode{n}
	for _, s := range n.subs {
		out = append(out, s.nodes()...)
	}
	return out
}

func (n *compNode) subNames() []string {
	var out []string
	for _, s := range n.subs {
		out = append(out, s.name())
	}
	return out
}

// name is the last word of a node's path.
func (n *compNode) name() string {
	return n.path[strings.LastIndex(n.path, " ")+1:]
}

// valueFlags are the flag words of n that take a value ("--repo", "-r").
func (n *compNode) valueFlags() []string {
	var out []string
	for _, f := range n.flags {
		if f.takes {
			out = append(out, "--"+f.long)
			if f.short != "" {
				out = append(out, "-"+f.short)
			}
		}
	}
	return out
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// walkShell is the shell code (bash and zsh share it) that sets node to
// the command path of the words before the current one: a word that names
// a subcommand of the node goes down; a flag that takes a value skips the
// word after it.
func walkShell(tree *compNode, words, from, to string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  local node='' w skip=0 i\n  for ((i=%s; i<%s; i++)); do\n    w=\"${%s[i]}\"\n", from, to, words)
	b.WriteString("    if ((skip)); then skip=0; continue; fi\n    case \"$node|$w\" in\n")
	for _, n := range tree.nodes() {
		for _, s := range n.subs {
			fmt.Fprintf(&b, "      %s) node=%s ;;\n", shellQuote(n.path+"|"+s.name()), shellQuote(s.path))
		}
		if vf := n.valueFlags(); len(vf) > 0 {
			var pats []string
			for _, f := range vf {
				pats = append(pats, shellQuote(n.path+"|"+f))
			}
			fmt.Fprintf(&b, "      %s) skip=1 ;;\n", strings.Join(pats, "|"))
		}
	}
	b.WriteString("    esac\n  done\n")
	return b.String()
}

// valueCase is the shell case that sets vals (or kind) for the flag word
// prev of node.
func valueCase(tree *compNode) string {
	var b strings.Builder
	b.WriteString("  case \"$node|$prev\" in\n")
	for _, n := range tree.nodes() {
		for _, f := range n.flags {
			if !f.takes {
				continue
			}
			pats := []string{shellQuote(n.path + "|--" + f.long)}
			if f.short != "" {
				pats = append(pats, shellQuote(n.path+"|-"+f.short))
			}
			switch {
			case len(f.values) > 0:
				fmt.Fprintf(&b, "    %s) vals=%s ;;\n", strings.Join(pats, "|"), shellQuote(strings.Join(f.values, " ")))
			case f.kind != "":
				fmt.Fprintf(&b, "    %s) kind=%s ;;\n", strings.Join(pats, "|"), f.kind)
			default:
				fmt.Fprintf(&b, "    %s) kind=any ;;\n", strings.Join(pats, "|"))
			}
		}
	}
	b.WriteString("  esac\n")
	return b.String()
}

func bashCompletion(tree *compNode) string {
	var b strings.Builder
	b.WriteString(`# bash completion for xtsync, printed by "xtsync completion bash".
# Use: source <(xtsync completion bash)   (in ~/.bashrc)

_xtsync() {
  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
`)
	b.WriteString(walkShell(tree, "COMP_WORDS", "1", "COMP_CWORD"))
	b.WriteString("  local vals='' kind=''\n")
	b.WriteString(valueCase(tree))
	b.WriteString(`  case "$kind" in
    dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    file|any) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [[ -n "$vals" ]]; then COMPREPLY=($(compgen -W "$vals" -- "$cur")); return; fi
  local words=''
  case "$node" in
`)
	for _, n := range tree.nodes() {
		var flags []string
		for _, f := range n.flags {
			flags = append(flags, "--"+f.long)
		}
		words := append(append(n.subNames(), n.args...), flags...)
		fmt.Fprintf(&b, "    %s) words=%s ;;\n", shellQuote(n.path), shellQuote(strings.Join(words, " ")))
	}
	b.WriteString(`  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(printf '%s\n' $words | grep -v '^-')" -- "$cur"))
    ((${#COMPREPLY[@]})) || COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _xtsync xtsync
`)
	return b.String()
}

// zshDescribe renders name:description entries for _describe.
func zshDescribe(entries [][2]string) string {
	var out []string
	for _, e := range entries {
		entry := strings.ReplaceAll(e[0], ":", `\:`)
		if e[1] != "" {
			entry += ":" + e[1]
		}
		out = append(out, shellQuote(entry))
	}
	return strings.Join(out, " ")
}

func zshCompletion(tree *compNode) string {
	var b strings.Builder
	b.WriteString(`#compdef xtsync
# zsh completion for xtsync, printed by "xtsync completion zsh".
# Use: xtsync completion zsh > "${fpath[1]}/_xtsync", then a new shell.

_xtsync() {
  local cur="${words[CURRENT]}" prev="${words[CURRENT-1]}"
`)
	b.WriteString(walkShell(tree, "words", "2", "CURRENT"))
	b.WriteString("  local vals='' kind=''\n")
	b.WriteString(valueCase(tree))
	b.WriteString(`  case "$kind" in
    dir) _files -/; return ;;
    file|any) _files; return ;;
  esac
  if [[ -n "$vals" ]]; then local -a v; v=(${=vals}); _describe 'value' v; return; fi
  local -a subs flags
  case "$node" in
`)
	for _, n := range tree.nodes() {
		var subs, flags [][2]string
		for _, s := range n.subs {
			subs = append(subs, [2]string{s.name(), s.usage})
		}
		for _, a := range n.args {
			subs = append(subs, [2]string{a, ""})
		}
		for _, f := range n.flags {
			flags = append(flags, [2]string{"--" + f.long, f.usage})
		}
		fmt.Fprintf(&b, "    %s) subs=(%s); flags=(%s) ;;\n", shellQuote(n.path), zshDescribe(subs), zshDescribe(flags))
	}
	b.WriteString(`  esac
  if [[ "$cur" == -* ]]; then
    _describe 'flag' flags
  elif (( ${#subs} )); then
    _describe 'command' subs
  else
    _files
  fi
}

if [[ "$funcstack[1]" == _xtsync ]]; then
  _xtsync "$@"
else
  compdef _xtsync xtsync
fi
`)
	return b.String()
}

func fishCompletion(tree *compNode) string {
	var b strings.Builder
	b.WriteString(`# fish completion for xtsync, printed by "xtsync completion fish".
# Use: xtsync completion fish > ~/.config/fish/completions/xtsync.fish

# __xtsync_path prints the command words of the command line so far.
function __xtsync_path
    set -l words (commandline -opc)
    set -e words[1]
    set -l node ''
    set -l skip 0
    for w in $words
        if test $skip = 1
            set skip 0
            continue
        end
        switch "$node|$w"
`)
	for _, n := range tree.nodes() {
		for _, s := range n.subs {
			fmt.Fprintf(&b, "            case %s\n                set node %s\n", shellQuote(n.path+"|"+s.name()), shellQuote(s.path))
		}
		if vf := n.valueFlags(); len(vf) > 0 {
			var pats []string
			for _, f := range vf {
				pats = append(pats, shellQuote(n.path+"|"+f))
			}
			fmt.Fprintf(&b, "            case %s\n                set skip 1\n", strings.Join(pats, " "))
		}
	}
	b.WriteString(`        end
    end
    echo $node
end

# __xtsync_at PATH: the command line is at the command PATH.
function __xtsync_at
    set -l node (__xtsync_path)
    test "$node" = "$argv[1]"
end

complete -c xtsync -f
`)
	for _, n := range tree.nodes() {
		cond := "-n " + shellQuote("__xtsync_at "+shellQuote(n.path))
		for _, s := range n.subs {
			fmt.Fprintf(&b, "complete -c xtsync %s -a %s -d %s\n", cond, shellQuote(s.name()), shellQuote(s.usage))
		}
		for _, f := range n.flags {
			line := fmt.Sprintf("complete -c xtsync %s -l %s", cond, f.long)
			if f.short != "" {
				line += " -s " + f.short
			}
			switch {
			case len(f.values) > 0:
				line += " -x -a " + shellQuote(strings.Join(f.values, " "))
			case f.kind == "dir":
				line += " -x -a '(__fish_complete_directories)'"
			case f.takes:
				line += " -r -F"
			}
			fmt.Fprintf(&b, "%s -d %s\n", line, shellQuote(f.usage))
		}
		if len(n.args) > 0 {
			fmt.Fprintf(&b, "complete -c xtsync %s -a %s\n", cond, shellQuote(strings.Join(n.args, " ")))
		} else if len(n.subs) == 0 {
			fmt.Fprintf(&b, "complete -c xtsync %s -F\n", cond)
		}
	}
	return b.String()
}

// completionWords lists, for tests, what a node offers: its subcommands
// and its flags.
func completionWords(n *compNode) []string {
	out := append(append([]string{}, n.subNames()...), n.args...)
	for _, f := range n.flags {
		out = append(out, "--"+f.long)
	}
	sort.Strings(out)
	return out
}
