#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of the documentation under docs/, so that it cannot rot:
#   - every Markdown file is valid UTF-8 and no line, code blocks included,
#     is wider than 80 columns, East Asian wide characters counting 2
#     (tests/helpers/textwidth.c);
#   - there is a worksheet for each of the 11 states in English and in
#     Chinese, each with its instructor's appendix below a rule, and the
#     worksheets' index links every one;
#   - relative links lead to a file, and #anchors into Markdown files to
#     a heading;
#   - every tcpstates-lab command quoted in the docs uses a subcommand and
#     options that scripts/tcpstates-lab.c's usage text names.
# Needs no module, no root and no guest: runs on any host with gcc.
# Prints TAP; exits non-zero if any test failed.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/tap.sh
. "$root/tests/tap.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
TAP_OUT=$work/out

lab_src=$root/scripts/tcpstates-lab.c
states="CLOSED LISTEN SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT1 FIN_WAIT2
	CLOSE_WAIT CLOSING LAST_ACK TIME_WAIT"

# The checker and the lab: make check has built them (ts_build_helpers);
# on its own this script builds private copies, never touching build/.
textwidth=$root/build/helpers/textwidth
if [[ ! -x $textwidth || $textwidth -ot $root/tests/helpers/textwidth.c ]]; then
	textwidth=$work/textwidth
	gcc -O2 -Wall -o "$textwidth" "$root/tests/helpers/textwidth.c" ||
		{ echo "Bail out! cannot build tests/helpers/textwidth.c"; exit 1; }
fi
lab=$root/build/helpers/tcpstates-lab
if [[ ! -x $lab || $lab -ot $lab_src || $lab -ot $root/scripts/lab-text.h ]]; then
	lab=$work/tcpstates-lab
	gcc -O2 -Wall -o "$lab" "$lab_src" ||
		{ echo "Bail out! cannot build scripts/tcpstates-lab.c"; exit 1; }
fi

cd "$root"
mapfile -t docs < <(find docs -name '*.md' | LC_ALL=C sort)
check "docs/ has Markdown files" [ "${#docs[@]}" -gt 0 ]

# --- width and encoding -----------------------------------------------

for f in "${docs[@]}"; do
	check_quiet "$f: valid UTF-8, no line over 80 columns" "$textwidth" "$f"
done

# --- the worksheets ----------------------------------------------------

# has_appendix FILE HEADING: a line "---", and after it a "## HEADING"
# line, so that everything above the rule prints alone for the students.
has_appendix() {
	awk -v h="## $2" '
		/^```/ { fence = !fence }
		!fence && rule && index($0, h) == 1 { found = 1 }
		!fence && /^---$/ { rule = 1 }
		END { if (!found) print FILENAME ": no \"" h "\" after a --- rule"; exit !found }' "$1"
}

for lang in en zh-CN; do
	case $lang in
	en) heading="Instructor's appendix" ;;
	zh-CN) heading="教师附录" ;;
	esac
	for st in $states; do
		sheet=docs/worksheets/$lang/$(echo "$st" | LC_ALL=C tr '[:upper:]' '[:lower:]').md
		check_quiet "$sheet: there, with its appendix" has_appendix "$sheet" "$heading"
	done
done

same_sheets() {
	diff <(cd docs/worksheets/en && ls) <(cd docs/worksheets/zh-CN && ls)
}
check_quiet "the same worksheets in English and Chinese" same_sheets

index_links_all() {
	local sheet bad=0
	for sheet in docs/worksheets/en/*.md docs/worksheets/zh-CN/*.md; do
		grep -qF "](${sheet#docs/worksheets/})" docs/worksheets/README.md ||
			{ echo "docs/worksheets/README.md does not link $sheet"; bad=1; }
	done
	return "$bad"
}
check_quiet "docs/worksheets/README.md links every worksheet" index_links_all

# --- links -------------------------------------------------------------

# slug HEADING: GitHub's anchor for a heading: lower case, punctuation
# dropped (bytes of non-ASCII letters kept), spaces as hyphens.
slug() {
	printf '%s' "$1" | LC_ALL=C tr '[:upper:]' '[:lower:]' |
		LC_ALL=C tr -cd 'a-z0-9 _\200-\377-' | tr ' ' '-'
}

# anchors FILE: the anchor of every heading outside code blocks.
anchors() {
	local h
	awk '/^```/ { fence = !fence } !fence && /^#+ / { sub(/^#+ +/, ""); print }' "$1" |
		while IFS= read -r h; do slug "$h"; echo; done
}

# links_resolve: each ](target) of each doc that is not a URL names a
# file, relative to the doc, and its #anchor a heading of that file.
links_resolve() {
	local f target path anchor bad=0
	for f in "${docs[@]}"; do
		while IFS= read -r target; do
			case $target in
			http://* | https://* | mailto:*) continue ;;
			'#'*) path=$f ;;
			*) path=$(dirname "$f")/${target%%#*} ;;
			esac
			anchor=
			[[ $target == *'#'* ]] && anchor=${target#*#}
			if [[ ! -e $path ]]; then
				echo "$f: link to $target: no such file"
				bad=1
			elif [[ -n $anchor && $path == *.md ]] &&
				! grep -qxF -- "$anchor" <<<"$(anchors "$path")"; then
				echo "$f: link to $target: no such heading"
				bad=1
			fi
		done < <(grep -o ']([^) ]*)' "$f" | sed 's/^](//; s/)$//')
	done
	return "$bad"
}
check_quiet "relative links and anchors lead somewhere" links_resolve

# --- tcpstates-lab commands --------------------------------------------

# What the lab knows, from its usage text: the subcommand words after
# "tcpstates-lab" in its synopsis (STATE, all, tour), the 11 state names,
# and each option, "=" marking one that takes a value.
usage_text=$("$lab" --help --lang en 2>&1 || true)
known_subcommands=$(
	grep -o 'tcpstates-lab [A-Za-z_]*' <<<"$usage_text" | awk '{ print $2 }'
	sed -n '/state_names\[NR_STATES\] = {/,/};/p' "$lab_src" | grep -o '"[A-Z_0-9]*"' | tr -d '"'
)
known_options=$(
	# [-n COUNT] and [-6] in the synopsis
	grep -oE '\[-[-A-Za-z0-9]+( [^]]+)?\]' <<<"$usage_text" |
		sed -E 's/^\[(-[-A-Za-z0-9]+) [^]]+\]$/\1=/; s/^\[(-[-A-Za-z0-9]+)\]$/\1/'
	# "  -n, --count N     text" and "  --here            text" in the list
	grep -E '^  -' <<<"$usage_text" | awk '{
		sub(/^  /, ""); split($0, part, "  ")
		n = split(part[1], w, /[ ,]+/)
		arg = (n > 1 && w[n] !~ /^-/) ? "=" : ""
		for (i = 1; i <= n; i++) if (w[i] ~ /^-/) print w[i] arg }'
)

check "the usage text names the subcommands" \
	grep -qx tour <<<"$known_subcommands"
check "the usage text names the options" \
	grep -qx -- '--here' <<<"$known_options"

# quoted FILE: "LINE<TAB>TEXT" for each line of a code block and each
# `code span` of a paragraph (a paragraph's lines are joined first, so
# that a span may cross a line break).
quoted() {
	awk '
	function flush(   s, i, j) {
		s = para; para = ""
		while ((i = index(s, "`")) > 0) {
			s = substr(s, i + 1)
			if (!(j = index(s, "`")))
				break
			print pline "\t" substr(s, 1, j - 1)
			s = substr(s, j + 1)
		}
	}
	/^[ \t]*(```|~~~)/ { flush(); fence = !fence; next }
	fence { print FNR "\t" $0; next }
	/^[ \t]*$/ { flush(); next }
	{ if (para == "") { pline = FNR; para = $0 } else para = para " " $0 }
	END { flush() }' "$1"
}

# check_command TEXT: each tcpstates-lab command in TEXT, up to a shell
# operator or a comment, has a known subcommand (the first word that is
# neither an option nor an option's value) and known options. A comment
# may quote a command of its own ("# or: tcpstates-lab watch").
check_command() {
	local -a w
	local i=0 n word opt sub in_cmd=0 bad=0 text
	# Brackets of the usage's "[-n COUNT]" and a Chinese comment's colon
	# ("# 或：tcpstates-lab watch") separate words.
	text=${1//：/ }
	read -ra w <<<"${text//[\[\]]/ }"
	n=${#w[@]}
	while ((i < n)); do
		word=${w[i]}
		i=$((i + 1))
		if ((!in_cmd)); then
			[[ $word == tcpstates-lab || $word == */tcpstates-lab ]] && in_cmd=1 sub=
			continue
		fi
		case $word in
		'|' | '||' | '&&' | ';' | '&' | '#'* | '>'* | '<'* | [0-9]'>'*)
			in_cmd=0
			;;
		-?*)
			opt=${word%%=*}
			if grep -qx -- "$opt=" <<<"$known_options"; then
				[[ $word == *=* ]] || i=$((i + 1))
			elif ! grep -qx -- "$opt" <<<"$known_options"; then
				echo "unknown option $opt"
				bad=1
			fi
			;;
		*)
			[[ -z $sub ]] || continue
			sub=$word
			if ! grep -qix -- "$sub" <<<"$known_subcommands"; then
				echo "unknown subcommand $sub"
				bad=1
			fi
			;;
		esac
	done
	return "$bad"
}

commands_known() { # commands_known FILE
	local line text out bad=0
	while IFS=$'\t' read -r line text; do
		out=$(check_command "$text") && continue
		echo "$1:$line: $out: $text"
		bad=1
	done < <(quoted "$1")
	return "$bad"
}

# (grep -q reads a file, not a pipe: pipefail would take its early exit,
# and the writer's SIGPIPE, for a failure.)
for f in "${docs[@]}"; do
	quoted "$f" > "$work/quoted"
	grep -qE '(^|[ /	])tcpstates-lab [^ ]' "$work/quoted" || continue
	check_quiet "$f: every tcpstates-lab command is one the lab knows" commands_known "$f"
done

tap_end docs
