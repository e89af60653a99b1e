#!/usr/bin/env bash
# The arrows the layers must never have (docs/architecture.md), refused by the build:
#   util <- model <- providers <- reconcile <- cli      (arrows point down only)
# 1. no #include of a layer above (and in src/cli, providers/ only in the
#    emulator and status commands);
# 2. with the layer archives given (LAYER=path ...), no archive uses a symbol
#    that only a layer above defines.
#   scripts/check_layers.sh [SRC_DIR] [util=lib.a model=lib.a ...]
set -uo pipefail
src=${1:-"$(dirname "$0")/../src"}
shift || true
fail=0
layers=(util model providers reconcile cli)
rank() { local i; for i in "${!layers[@]}"; do [[ ${layers[$i]} == "$1" ]] && { echo "$i"; return; }; done; echo -1; }

for dir in "${layers[@]}"; do
	r=$(rank "$dir")
	for f in "$src/$dir"/*.[ch]; do
		[[ -e $f ]] || continue
		while IFS=: read -r line inc; do
			target=${inc#../}
			target=${target%%/*}
			[[ $inc == ../* ]] || target=$dir # same folder
			t=$(rank "$target")
			if ((t < 0)); then
				continue
			fi
			if ((t > r)); then
				echo "${f#"$src"/}:$line: forbidden arrow: $dir includes $inc ($target is above $dir)" >&2
				fail=1
			fi
			if [[ $dir == cli && $target == providers && $(basename "$f") != cmd_emulator.c &&
				$(basename "$f") != cmd_status.c ]]; then
				echo "${f#"$src"/}:$line: forbidden arrow: cli includes $inc (only emulator and status talk to a provider; use reconcile/session.h)" >&2
				fail=1
			fi
		done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | sed -E 's/^([0-9]+):[^"]*"([^"]*)".*/\1:\2/')
	done
done

# Symbols: what each archive leaves undefined must not be defined only above it.
declare -A lib
for kv in "$@"; do lib[${kv%%=*}]=${kv#*=}; done
if (($# > 0)); then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	for l in "${!lib[@]}"; do
		nm -g --defined-only "${lib[$l]}" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/$l.def"
		nm -g --undefined-only "${lib[$l]}" 2>/dev/null | awk '{ print $NF }' | sort -u >"$tmp/$l.undef"
	done
	for l in "${!lib[@]}"; do
		r=$(rank "$l")
		for a in "${!lib[@]}"; do
			((r < $(rank "$a"))) || continue
			bad=$(comm -12 "$tmp/$l.undef" "$tmp/$a.def" | head -5 | tr '\n' ' ')
			if [[ -n $bad ]]; then
				echo "lib $l uses symbols of $a, a layer above it: $bad" >&2
				fail=1
			fi
		done
	done
fi
if ((fail)); then
	echo "layer check failed: see docs/architecture.md for the allowed arrows" >&2
	exit 1
fi
exit 0
