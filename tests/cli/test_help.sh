#!/usr/bin/env bash
# Help, docs, man page and completions come from one source and say the
# truth: every option a command's code accepts is in its --help and every
# option of its --help is accepted by its code; docs/cli-reference.md,
# docs/pipectl.1 and completions/ are what scripts/gen-cli-docs.py writes
# from --help now; the man page renders cleanly; the bash completion
# completes commands, options and the project's tables and selectors; a
# mistyped command, option or table gets a "did you mean"; `help UNKNOWN`
# exits 64.
. "$(dirname "$0")/lib.sh" || exit 1
S="$PC_SOURCE_DIR"

# ---- options: code <-> --help, per command
python3 - "$PIPECTL" "$S" <<'PY' || fail "options and --help disagree"
import os, re, subprocess, sys
pipectl, src = sys.argv[1], sys.argv[2]
top = subprocess.run([pipectl, "--help"], capture_output=True, text=True).stdout
cmds = re.findall(r"^  (\S+)\s{2,}", top.split("Commands:")[1].split("Options:")[0], re.M)
OPT = re.compile(r"(?:(?<=[\s\[|,(])|^)(--?[A-Za-z][A-Za-z0-9-]*)")
LIT = re.compile(r'"(--?[A-Za-z][A-Za-z0-9-]*)"')
bad = []
def option_lines(text):
    """The usage lines (up to the first blank line) and the lines that define an option."""
    head, _, rest = text.partition("\n\n")
    return head + "\n" + "\n".join(l for l in rest.splitlines() if re.match(r"  +-", l))
def code_opts(files):
    s = set()
    for f in files:
        s |= set(LIT.findall(open(os.path.join(src, "src", f)).read()))
    return s
for c in cmds:
    files = ["cli/cmd_%s.c" % c] + (["cli/applyrun.c"] if c in ("apply", "destroy", "promote", "rollback") else []) \
        + (["cli/retirerun.c"] if c in ("promote", "rollback") else [])
    code = code_opts(files) - {"-h", "--help"}
    helptext = subprocess.run([pipectl, c, "--help"], capture_output=True, text=True).stdout
    shown = set(OPT.findall(option_lines(helptext))) - {"-C", "--config"}
    for o in sorted(code - shown):
        bad.append("%s: the code accepts %s, --help does not say so" % (c, o))
    for o in sorted(shown - code):
        bad.append("%s: --help shows %s, the code does not accept it" % (c, o))
main = set(LIT.findall(open(os.path.join(src, "src/main.c")).read())) - {"--"}
gshown = set(OPT.findall(option_lines("\n\n" + top.split("Options:")[1])))
for o in sorted(main - gshown):
    bad.append("global: the code accepts %s, --help does not say so" % o)
for o in sorted(gshown - main):
    bad.append("global: --help shows %s, the code does not accept it" % o)
if bad:
    sys.exit("\n".join(bad))
PY

# ---- generated files are current
python3 "$S/scripts/gen-cli-docs.py" "$PIPECTL" "$TMP/gen"
for f in docs/cli-reference.md docs/pipectl.1 completions/pipectl.bash completions/_pipectl; do
	diff -u "$S/$f" "$TMP/gen/$f" >"$TMP/gen.diff" ||
		fail "$f is not what scripts/gen-cli-docs.py writes from --help now: $(head -20 "$TMP/gen.diff")"
done
grep -q "## reconcile" "$S/docs/cli-reference.md" || fail "the reference has no reconcile section"
grep -q -- "--jitter" "$S/docs/cli-reference.md" || fail "the reference does not list reconcile --jitter"
if command -v groff >/dev/null; then
	groff -man -Tutf8 -ww -z "$S/docs/pipectl.1" 2>"$TMP/groff.err"
	[ ! -s "$TMP/groff.err" ] || fail "groff warns about the man page: $(head -5 "$TMP/groff.err")"
	groff -man -Tutf8 "$S/docs/pipectl.1" 2>/dev/null | grep -q "reconcile" || fail "the man page does not render the commands"
else
	echo "skip: groff not installed: the man page is not rendered"
fi

# ---- the defaults --help states are the code's
par=$(sed -n 's/^#define PC_APPLY_PARALLELISM_DEFAULT \([0-9]*\).*/\1/p' "$S/src/reconcile/apply.h")
[ -n "$par" ] || fail "PC_APPLY_PARALLELISM_DEFAULT not found in src/reconcile/apply.h"
for c in apply destroy promote rollback; do
	line=$("$PIPECTL" "$c" --help | grep -- '--parallelism N ')
	case "$line" in *"(default $par)"*) ;; *) fail "$c --help: '$line' does not say the default $par" ;; esac
done

# ---- bash completion
complete_words() { # complete_words WORD... : COMPREPLY for the last word, one per line
	bash -c '
		pipectl() { "$PIPECTL" "$@"; }
		complete() { :; }
		source "$1"; shift
		COMP_WORDS=(pipectl "$@"); COMP_CWORD=$#
		_pipectl
		printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$S/completions/pipectl.bash" "$@"
}
[ "$(complete_words pl)" = plan ] || fail "bash: 'pl' does not complete to plan: $(complete_words pl)"
got=$(complete_words plan --co)
[ "$got" = $'--compact\n--compute-pool' ] || fail "bash: 'plan --co' gives: $got"
got=$(complete_words -C "$EXAMPLE" graph fct_o)
[ "$got" = $'fct_order_revenue\nfct_order_revenue+\nfct_orders\nfct_orders+' ] || fail "bash: 'graph fct_o' gives: $got"
got=$(complete_words -C "$EXAMPLE" plan product:c)
[ "$got" = "product:customers" ] || fail "bash: 'plan product:c' gives: $got"
got=$(complete_words -C "$EXAMPLE" destroy layer:v)
[ "$got" = "layer:views" ] || fail "bash: 'destroy layer:v' gives: $got"
got=$(complete_words -C "$EXAMPLE" apply +dim)
[ "$got" = "+dim_customers" ] || fail "bash: 'apply +dim' gives: $got"
got=$(complete_words graph x --format m)
[ "$got" = "mermaid" ] || fail "bash: '--format m' gives: $got"
if command -v zsh >/dev/null; then
	zsh -n "$S/completions/_pipectl" || fail "zsh: the completion does not parse"
else
	echo "skip: zsh not installed: its completion is only checked to be generated"
fi

# ---- did you mean, help UNKNOWN
pc plna
assert_rc 64
assert_err_line "error: unknown command 'plna' (did you mean 'plan'?)"
pc help plna
assert_rc 64
assert_err_line "error: unknown command 'plna' (did you mean 'plan'?)"
pc help nosuchthing
assert_rc 64
assert_err_line "error: unknown command 'nosuchthing'"
pc help plan
assert_rc 0
assert_out_contains "usage: pipectl [-C DIR] plan"
pc plan --jsn
assert_rc 64
assert_err_line "error: unknown option '--jsn' (did you mean '--json'?)"
pc reconcile --intervall 5s
assert_rc 64
assert_err_line "error: unknown option '--intervall' (did you mean '--interval'?)"
pc --confg x validate
assert_rc 64
assert_err_line "error: unknown option '--confg' (did you mean '--config'?)"
pc -C "$EXAMPLE" graph fct_order
assert_rc 1
assert_err_line "error: unknown table 'fct_order' (did you mean 'fct_orders'?)"
pc -C "$EXAMPLE" graph zzzzzzzz
assert_rc 1
assert_err_line "error: unknown table 'zzzzzzzz'"
echo ok
