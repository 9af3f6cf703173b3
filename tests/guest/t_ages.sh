# SPDX-License-Identifier: GPL-2.0
# Ages (ages=Y): how long sockets have been where they are, against ss's
# lastack, /proc/net/tcp's TIME_WAIT timers and the time the lab's
# handshakes began.

# Field N of STATE's "age STATE SINCE OLDEST_MS 1s 10s 1m 10m 1h 1d OLDER
# UNKNOWN" line.
age_field() { # age_field STATE N [FILE]
	awk -v s="$1" -v f="$2" '$1 == "age" && $2 == s { print $f }' "${3:-$PROC}"
}

# "MIN MAX COUNT" of ss's lastack (ms since the last ACK received) over the
# sockets in SS_STATE (established, close-wait...).
ss_lastack() { # ss_lastack SS_STATE
	ss -Htin state "$1" | grep -o 'lastack:[0-9]*' | cut -d: -f2 |
		awk 'NR == 1 { min = $1 } { if ($1 < min) min = $1; if ($1 > max) max = $1; n++ }
		     END { print min + 0, max + 0, n + 0 }'
}

# ss's lastack of the sockets in SS_STATE, as the age buckets count them:
# under 1s 10s 1m 10m 1h 1d, older.
ss_buckets() { # ss_buckets SS_STATE
	ss -Htin state "$1" | grep -o 'lastack:[0-9]*' | cut -d: -f2 |
		awk 'BEGIN { split("1000 10000 60000 600000 3600000 86400000", u, " ") }
		     { for (i = 1; i <= 6 && $1 >= u[i]; i++); n[i]++ }
		     END { for (i = 1; i <= 7; i++) printf "%d%s", n[i], i < 7 ? " " : "\n" }'
}

# Every connection in SS_STATE has COUNT sockets idle a second or more.
idle_a_second() { # idle_a_second SS_STATE COUNT
	set -- "$(ss_lastack "$1")" "$2"
	[ "${1%% *}" -ge 1000 ] && [ "${1##* }" = "$2" ]
}

# One read: per state, the age buckets and unknown add up to the total.
ages_add_up() {
	awk '$1 ~ /^[A-Z_0-9]+$/ && NF > 5 { total[$1] = $2 }
	     $1 == "age" { n = 0; for (i = 5; i <= 12; i++) n += $i; if (n != total[$2]) { print "# " $2 ": " n " against " total[$2]; bad = 1 } }
	     END { exit bad }' "${1:-$PROC}"
}

# ages_known_unknown STATE FILE: "KNOWN UNKNOWN", STATE's sockets whose
# age is known (every age bucket) and those whose age is not.
ages_known_unknown() {
	awk -v st="$1" '$1 == "age" && $2 == st { print $5 + $6 + $7 + $8 + $9 + $10 + $11, $12 }' "$2"
}

# oldest ms in TIME_WAIT by /proc/net/tcp{,6}'s timers: 2MSL less what is
# left (clock ticks of 10 ms).
timewait_oldest() {
	cat /proc/net/tcp /proc/net/tcp6 | awk "$AWK_HEX"'
	$4 == "06" { split($6, t, ":"); a = 60000 - hex(t[2]) * 10; if (a > max) max = a }
	END { print max + 0 }'
}

ages_all_idle() {
	idle_a_second established 4 && idle_a_second close-wait 2 &&
		idle_a_second fin-wait-2 2
}

ages_idle_in_child() {
	start_sockets /tmp/ages.out 4:established:2:7800 6:fin_wait2:2:7810 ||
		{ not_ok "ages: connections in place"; return; }
	check "ages=N: no age lines" sh -c "! grep -q '^age ' $PROC"
	echo Y > $PARAMS/ages
	check "every connection idle a second, by ss" wait_for 30 ages_all_idle
	for pair in ESTABLISHED:established:4 FIN_WAIT2:fin-wait-2:2 CLOSE_WAIT:close-wait:2; do
		st=${pair%%:*} rest=${pair#*:}
		ss_state=${rest%:*} n=${rest#*:}
		# A read whose ss reads around it agree on the buckets, if one
		# of 5 does: a socket may cross a bound between them.
		tries=0
		while [ $tries -lt 5 ]; do
			before=$(ss_lastack "$ss_state")
			buckets_before=$(ss_buckets "$ss_state")
			cp $PROC /tmp/ages.read
			after=$(ss_lastack "$ss_state")
			buckets_after=$(ss_buckets "$ss_state")
			[ "$buckets_before" = "$buckets_after" ] && break
			tries=$((tries + 1))
		done
		oldest=$(age_field $st 4 /tmp/ages.read)
		b=$(echo "$before" | cut -d' ' -f2) a=$(echo "$after" | cut -d' ' -f2)
		expect_eq "$st: ages since the last ACK" "$(age_field $st 3 /tmp/ages.read)" last_ack
		check "$st: the oldest, $oldest ms, is ss's oldest lastack between reads ($b..$a ms)" \
			sh -c "[ $b -le ${oldest:-0} ] && [ ${oldest:-0} -le $a ]"
		if [ "$buckets_before" = "$buckets_after" ]; then
			expect_eq "$st: the $n sockets per age bucket, as ss's lastack puts them, none unknown" \
				"$(awk -v s=$st '$1 == "age" && $2 == s { print $5, $6, $7, $8, $9, $10, $11, $12 }' /tmp/ages.read)" \
				"$buckets_after 0"
		else
			skip "$st: the sockets per age bucket" "in 5 tries, one always crossed a bucket's bound between ss's reads"
		fi
	done
	expect_eq "LISTEN: no age the kernel keeps, all unknown" \
		"$(age_field LISTEN 3 /tmp/ages.read) $(age_field LISTEN 4 /tmp/ages.read) $(age_field LISTEN 12 /tmp/ages.read)" \
		"- - $(awk '$1 == "LISTEN" { print $2 }' /tmp/ages.read)"
	check "per state, the age buckets and unknown add up to the total" ages_add_up /tmp/ages.read
	stop_sockets $SOCKETS_PID
	echo N > $PARAMS/ages
}

ages_time_wait_in_child() {
	echo Y > $PARAMS/ages
	start_sockets /tmp/ages.tw.out 4:time_wait:3:7820 ||
		{ not_ok "ages: TIME_WAIT in place"; return; }
	before=$(timewait_oldest)
	cp $PROC /tmp/ages.read
	after=$(timewait_oldest)
	oldest=$(age_field TIME_WAIT 4 /tmp/ages.read)
	expect_eq "TIME_WAIT: ages since entry" "$(age_field TIME_WAIT 3 /tmp/ages.read)" entry
	check "TIME_WAIT: the oldest, $oldest ms, is 2MSL less the least time left in /proc/net/tcp ($before..$after ms, to 10 ms)" \
		sh -c "[ $((before - 10)) -le ${oldest:-0} ] && [ ${oldest:-0} -le $((after + 10)) ]"
	expect_eq "TIME_WAIT: 3 known, none unknown" \
		"$(ages_known_unknown TIME_WAIT /tmp/ages.read)" "3 0"
	check "per state, the age buckets and unknown add up to the total" ages_add_up /tmp/ages.read
	stop_sockets $SOCKETS_PID
	echo N > $PARAMS/ages
}

ages_syn_recv_in_child() {
	echo Y > $PARAMS/ages
	t0=$(uptime_ms)
	lab_start /tmp/ages.lab.out SYN_RECV -n 3 --hold 600 --here ||
		{ not_ok "ages: lab SYN_RECV"; return; }
	cp $PROC /tmp/ages.read
	t1=$(uptime_ms)
	oldest=$(age_field SYN_RECV 4 /tmp/ages.read)
	expect_eq "SYN_RECV: ages since the first SYN-ACK" "$(age_field SYN_RECV 3 /tmp/ages.read)" first_synack
	check "SYN_RECV: the oldest, $oldest ms, began after the lab started, $((t1 - t0)) ms before the read" \
		sh -c "[ ${oldest:-0} -gt 0 ] && [ ${oldest:-0} -le $((t1 - t0 + 10)) ]"
	expect_eq "SYN_RECV: the lab's 3 known, none unknown" \
		"$(ages_known_unknown SYN_RECV /tmp/ages.read)" "3 0"
	lab_stop
	echo N > $PARAMS/ages
}

test_ages() {
	in_netns ages_idle_in_child
	in_netns ages_time_wait_in_child
	check "tun loaded and /dev/net/tun there, for the lab" need_tun &&
		in_netns ages_syn_recv_in_child
	echo N > $PARAMS/ages
}
