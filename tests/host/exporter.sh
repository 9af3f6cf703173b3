#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of scripts/tcpstates-exporter against captured /proc/tcpstates
# files (tests/fixtures/*.sample): promtool accepts the output, and every
# number in it is the one in the file. Needs no module: runs on any host.
# Prints TAP; exits non-zero if any test failed.
#
# bash -c snippets below get their values as "$1"...: single quotes on purpose.
# shellcheck disable=SC2016
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/lib-debian.sh
. "$root/scripts/lib-debian.sh"

exporter=$root/scripts/tcpstates-exporter
fixtures=$root/tests/fixtures
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shellcheck source=tests/tap.sh
. "$root/tests/tap.sh"
TAP_OUT=$work/out

# promtool is in Debian's prometheus package. Installing that would also
# enable a Prometheus server, so unpack the .deb into the cache instead.
if command -v promtool >/dev/null; then
	promtool=promtool
else
	promtool=$(deb_unpack prometheus)/usr/bin/promtool
fi
"$promtool" --version >/dev/null 2>&1 || { echo "Bail out! no promtool"; exit 1; }

# run NAME INPUT: export INPUT into $work/NAME/tcpstates.prom.
run() {
	mkdir -p "$work/$1"
	"$exporter" --input "$2" --output-dir "$work/$1"
}

promtool_ok() { "$promtool" check metrics <"$1"; }

# What the exporter must print for a fixture, derived independently: every
# state row's columns, named by the "# state" header, as the metric lines
# the docs promise. Only the columns we map by name; "-" means no sample.
expected() {
	awk '
	/^# state/ { for (i = 3; i <= NF; i++) col[i - 1] = $i; next }
	/^#/ { next }
	$1 ~ /^(CLOSED|LISTEN|SYN_SENT|SYN_RECV|ESTABLISHED|FIN_WAIT[12]|CLOSE_WAIT|CLOSING|LAST_ACK|TIME_WAIT)$/ {
		for (i = 2; i <= NF; i++) {
			c = col[i]; v = $i; s = "state=\"" $1 "\""
			if (v == "-") continue
			if (c == "ipv4" || c == "ipv6")
				print "tcpstates_sockets{" s ",family=\"" c "\"} " v
			else if (c == "inbound" || c == "outbound")
				print "tcpstates_sockets_direction{" s ",direction=\"" c "\"} " v
			else if (c ~ /^(retrans|probe0|keepalive|timewait|synack)$/)
				print "tcpstates_timer_sockets{" s ",timer=\"" c "\"} " v
			else if (c == "soonest_ms" || c == "latest_ms") {
				sub(/_ms$/, "", c)
				printf "tcpstates_timer_%s_seconds{%s} %.3f\n", c, s, v / 1000
			} else if (c == "retries")
				print "tcpstates_retries_max{" s "} " v
		}
	}' "$1"
}

# all_present EXPECTED PROM: each expected line is in PROM, verbatim.
all_present() {
	local line absent=0
	while IFS= read -r line; do
		grep -Fxq -- "$line" "$2" || { echo "missing: $line"; absent=1; }
	done <"$1"
	[[ -s $1 ]] || { echo "nothing expected: fixture not parsed?"; return 1; }
	return "$absent"
}

has() { grep -Eq -- "$2" "$1" || { echo "no line matching /$2/ in $1"; return 1; }; }
hasnt() { ! grep -Eq -- "$2" "$1" || { echo "unexpected /$2/ in $1"; return 1; }; }

echo "TAP version 13"

# 1. The format as first published: total ipv4 ipv6.
prom=$work/sample/tcpstates.prom
check_quiet "sample: exporter writes tcpstates.prom" run sample "$fixtures/tcpstates.sample"
check_quiet "sample: promtool check metrics" promtool_ok "$prom"
expected "$fixtures/tcpstates.sample" >"$work/sample.expected"
check_quiet "sample: $(wc -l <"$work/sample.expected") tcpstates_sockets values equal the file's" \
	all_present "$work/sample.expected" "$prom"
check_quiet "sample: 22 state x family series, no total" \
	bash -c '[[ $(grep -c "^tcpstates_sockets{" "$1") == 22 ]]' _ "$prom"
check_quiet "sample: tcpstates_up 1, info version 0.1.0" \
	bash -c 'grep -Fxq "tcpstates_up 1" "$1" && grep -Fxq "tcpstates_info{version=\"0.1.0\"} 1" "$1"' _ "$prom"
check_quiet "sample: HELP and TYPE gauge for every metric" bash -c '
	for m in $(grep -v "^#" "$1" | sed "s/[{ ].*//" | sort -u); do
		grep -q "^# HELP $m " "$1" && grep -qx "# TYPE $m gauge" "$1" || { echo "$m"; exit 1; }
	done' _ "$prom"
check_quiet "sample: scrape duration is a number" has "$prom" '^tcpstates_scrape_duration_seconds [0-9]+\.[0-9]+$'
check_quiet "sample: no temporary file left" \
	bash -c '[[ -z $(find "$1" -name "tcpstates.prom.*") ]]' _ "$work/sample"

# 2. Today's format: direction and timer columns, netns, ports, timers, hints.
prom=$work/full/tcpstates.prom
check_quiet "full: exporter writes tcpstates.prom" run full "$fixtures/tcpstates-full.sample"
check_quiet "full: promtool check metrics" promtool_ok "$prom"
expected "$fixtures/tcpstates-full.sample" >"$work/full.expected"
check_quiet "full: $(wc -l <"$work/full.expected") per-state values equal the file's" \
	all_present "$work/full.expected" "$prom"
check_quiet 'full: "-" columns give no sample' hasnt "$prom" '^tcpstates_timer_soonest_seconds\{state="CLOSED"\}'
check_quiet "full: netns rows" has "$prom" '^tcpstates_netns_sockets\{netns="4026532301",state="ESTABLISHED"\} 5$'
check_quiet "full: top ports" has "$prom" '^tcpstates_port_sockets\{state="TIME_WAIT",port="443"\} 41000$'
check_quiet "full: timers section in seconds" has "$prom" '^tcpstates_kernel_tcp_fin_timeout_seconds 60$'
check_quiet "full: timers section counts" has "$prom" '^tcpstates_kernel_tcp_max_tw_buckets 262144$'
check_quiet "full: hints counted" has "$prom" '^tcpstates_hints\{hint="close_wait"\} 1$'
check_quiet "full: transitions as counters" has "$prom" '^tcpstates_transitions_total\{from="SYN_SENT",to="CLOSED"\} 3$'
check_quiet "full: TYPE counter for transitions" has "$prom" '^# TYPE tcpstates_transitions_total counter$'
check_quiet "full: the kernel's counters beside them" has "$prom" '^tcpstates_kernel_counters_total\{counter="TcpExtTW"\} 1150$'
check_quiet "full: resets and retransmits" bash -c "grep -q '^tcpstates_resets_sent_total{state=\"CLOSED\"} 3\$' $prom && grep -q '^tcpstates_resets_received_total{state=\"SYN_SENT\"} 3\$' $prom && grep -q '^tcpstates_retransmits_total{state=\"ESTABLISHED\"} 42\$' $prom"
check_quiet "full: the kernel's mib counters, TYPE counter" bash -c "grep -q '^tcpstates_kernel_mib_total{counter=\"TcpExtListenOverflows\"} 57\$' $prom && grep -q '^# TYPE tcpstates_kernel_mib_total counter\$' $prom && [ \$(grep -c '^tcpstates_kernel_mib_total{' $prom) = 16 ]"
check_quiet "full: listeners, labelled by address:port and netns" bash -c "grep -q '^tcpstates_listener_accept_queue{listener=\"0.0.0.0:80\",netns=\"4026531840\"} 129\$' $prom && grep -q '^tcpstates_listener_backlog{listener=\"\[::\]:22\",netns=\"4026532301\"} 4096\$' $prom && grep -q '^tcpstates_listener_syn_queue{listener=\"0.0.0.0:80\",netns=\"4026531840\"} 3\$' $prom && grep -q '^tcpstates_listener_drops_total{listener=\"0.0.0.0:80\",netns=\"4026531840\"} 57\$' $prom"
check_quiet "full: ages: the oldest in seconds, per bucket, unknown, no sample for -" bash -c "grep -q '^tcpstates_age_oldest_seconds{state=\"CLOSE_WAIT\",since=\"last_ack\"} 5400.000\$' $prom && grep -q '^tcpstates_age_sockets{state=\"CLOSE_WAIT\",age=\"under_1d\"} 3\$' $prom && grep -q '^tcpstates_age_sockets{state=\"LISTEN\",age=\"unknown\"} 4\$' $prom && ! grep -q '^tcpstates_age_oldest_seconds{state=\"LISTEN\"' $prom"
check_quiet "full: destinations, labelled by address:port and netns, with their range" bash -c "grep -q '^tcpstates_destination_sockets{destination=\"198.51.100.7:443\",netns=\"4026531840\"} 24100\$' $prom && grep -q '^tcpstates_destination_local_ports{destination=\"\[2001:db8::5\]:5432\",netns=\"4026531840\"} 28232\$' $prom"
check_quiet "full: owners, labelled by state, kind and owner" bash -c "grep -q '^tcpstates_owner_sockets{state=\"ESTABLISHED\",kind=\"cgroup\",owner=\"/system.slice/nginx.service\"} 1700\$' $prom && grep -q '^tcpstates_owner_sockets{state=\"TIME_WAIT\",kind=\"none\",owner=\"-\"} 41210\$' $prom && grep -Fxq 'tcpstates_owner_sockets{state=\"ESTABLISHED\",kind=\"cgroup\",owner=\"/user.slice/user-1000.slice/session\\\\0401.scope\"} 140' $prom"
check_quiet "full: the accept_queue hint counted" has "$prom" '^tcpstates_hints\{hint="accept_queue"\} 1$'
check_quiet "full: per-socket lines not exported" hasnt "$prom" '10\.0\.0\.2'

# 3. The format will grow: an unknown column and unknown comment lines.
awk '/^# state/ { print $0 "     future"; next }
	/^[A-Z_0-9]+ / { print $0 "        7"; next }
	{ print }
	END { print "# a section from the future: name value"; print "widgets 3" }' \
	"$fixtures/tcpstates.sample" >"$work/grown.sample"
prom=$work/grown/tcpstates.prom
check_quiet "grown: exporter writes tcpstates.prom" run grown "$work/grown.sample"
check_quiet "grown: promtool check metrics" promtool_ok "$prom"
check_quiet "grown: known columns unchanged" all_present "$work/sample.expected" "$prom"
check_quiet "grown: unknown column becomes tcpstates_state_future" \
	has "$prom" '^tcpstates_state_future\{state="TIME_WAIT"\} 7$'
check_quiet "grown: tcpstates_up 1" has "$prom" '^tcpstates_up 1$'

# 4. Module not loaded, or something else at the path: still a file, up 0.
prom=$work/missing/tcpstates.prom
check_quiet "missing input: exporter still writes tcpstates.prom" run missing "$work/nonexistent"
check_quiet "missing input: promtool check metrics" promtool_ok "$prom"
check_quiet "missing input: tcpstates_up 0" has "$prom" '^tcpstates_up 0$'
printf 'hello\nworld\n' >"$work/garbage"
check_quiet "garbage input: tcpstates_up 0" bash -c \
	'"$1" -i "$2" -o - | grep -Fxq "tcpstates_up 0"' _ "$exporter" "$work/garbage"

# 5. Replacing a previous file is a rename, not a rewrite in place.
prom=$work/sample/tcpstates.prom
ino_before=$(stat -c %i "$prom")
check_quiet "rerun: replaces tcpstates.prom" run sample "$fixtures/tcpstates-full.sample"
check_quiet "rerun: new inode (written aside, then renamed)" \
	bash -c '[[ $(stat -c %i "$1") != "$2" ]]' _ "$prom" "$ino_before"
check_quiet "bad option: exit 2" bash -c '"$1" --bogus; [[ $? == 2 ]]' _ "$exporter"

tap_end exporter
