# SPDX-License-Identifier: GPL-2.0
# The per-socket listing's cursor across reads, processes and signals, and
# the records /proc/tcpstates is read in.

# A reader killed while its read resumes the listing from a listener that
# was closed under the cursor, then another process reading on through the
# same open file: the review's NULL dereference in ts_cursor_find. The
# helper runs in a netns with an ehash of its own, which makes the resumed
# scan long, and keeps 20000 listeners in this netns (5000 on the slower
# debug kernels), which make the lhash2 part of it long; the guest's dmesg
# check catches an oops.
cursor_race() {
	old=$(cat $PARAMS/list_sockets)
	old_ehash=$(cat /proc/sys/net/ipv4/tcp_child_ehash_entries)
	echo 100 > $PARAMS/list_sockets
	echo 65536 > /proc/sys/net/ipv4/tcp_child_ehash_entries
	out=$($H/listing-race "$(sized 400 100)" "$(sized 20000 5000)" 2>&1)
	rc=$?
	echo "$old_ehash" > /proc/sys/net/ipv4/tcp_child_ehash_entries
	echo "$old" > $PARAMS/list_sockets
	diag "$out"
	check "a reader killed mid-listing, then another reading on through the same file" \
		[ $rc -eq 0 ]
	killed=$(echo "$out" | awk '$1 == "iterations" { print $4 }')
	check "some readers were killed before their read ended (${killed:-none})" \
		[ "${killed:-0}" -gt 0 ]
}

# The header's lhash2 size.
lhash2_size() {
	awk '$2 == "tables" { for (i = 3; i < NF; i++) if ($i == "lhash2") print $(i + 1) }' $PROC
}

# In a netns whose ehash is one bucket, every connection shares one chain,
# several batches long: the listing still equals /proc/net/tcp{,6}, read
# whole or in pieces that stop and resume inside the chain.
cursor_one_bucket_in_child() {
	check "the netns has an ehash of one bucket" grep -q '^# tables ehash 1 1 own ' $PROC
	ip -6 addr add 2001:db8::1/128 dev lo
	# A netns's own ehash allows half its size in timewait socks: none here.
	echo 1000 > /proc/sys/net/ipv4/tcp_max_tw_buckets
	start_sockets /tmp/cursor.out 4:established:120:7010 6:established:60:7011 \
		4:time_wait:40:7020 7:listen:5:7030 5:fin_wait2:10:7040 ||
		{ not_ok "one-bucket population ready"; return; }
	echo 100000 > $PARAMS/list_sockets
	want=$(oracle_sockets | awk '{ print $1, $2, $3, $4 }' | sort)
	n=$(echo "$want" | wc -l)
	check "one chain holds several batches ($n sockets)" [ "$n" -ge 400 ]
	expect_eq "one bucket: cat lists exactly the sockets of /proc/net/tcp{,6}" \
		"$(module_sockets "cat $PROC")" "$want"
	for bs in 97 256 4096; do
		expect_eq "one bucket: $bs-byte reads list the same" \
			"$(module_sockets "dd if=$PROC bs=$bs status=none")" "$want"
	done
	echo 0 > $PARAMS/list_sockets
	stop_sockets $SOCKETS_PID
}

# Sockets closed around the cursor between two reads: the second read goes
# on with exactly the sockets left. 100 listeners share one lhash2 bucket
# (their ports differ by the lhash2 size) and 100 connections one ehash
# bucket, so both tables are walked in batches; each case is SKIP sockets
# read, BEFORE closed before the cursor and CLOSE from it on (see the
# helper for where the cursor stands). Not covered, by design: when every
# socket of the cursor's batch is gone, the listing cannot tell where it
# was and goes on at the next bucket, as bpf_iter_tcp does.
cursor_resume_in_child() {
	check "the netns has an ehash of one bucket" grep -q '^# tables ehash 1 1 own ' $PROC
	stride=$(lhash2_size)
	# Ports 1024 + k * stride end at 65535: with 2 GiB (the debug
	# kernels) lhash2 has 1024 buckets and only 63 listeners fit, one
	# batch. The cases keep their places in the ehash bucket.
	nl=$(((65535 - 1024) / stride + 1))
	[ $nl -le 100 ] || nl=100
	[ $nl = 100 ] || diag "lhash2 of $stride buckets: $nl listeners share one"
	echo 1000 > $PARAMS/list_sockets
	for c in "80 0 0" "80 0 1" "90 5 20" "163 0 1" "170 3 30" "248 0 50"; do
		set -- $c
		skip=$(($1 - 100 + nl))
		out=$($H/listing-resume "$stride" $nl 100 $skip $2 $3 2>&1)
		rc=$?
		[ $rc -eq 0 ] || diag "$out"
		check "resume after $skip sockets with $2 before and $3 from the cursor closed" [ $rc -eq 0 ]
	done
	echo 0 > $PARAMS/list_sockets
}

test_cursor() {
	old=$(cat $PARAMS/list_sockets)
	old_ehash=$(cat /proc/sys/net/ipv4/tcp_child_ehash_entries)
	echo 1 > /proc/sys/net/ipv4/tcp_child_ehash_entries
	in_netns cursor_one_bucket_in_child
	in_netns cursor_resume_in_child
	echo "$old_ehash" > /proc/sys/net/ipv4/tcp_child_ehash_entries
	echo "$old" > $PARAMS/list_sockets
	cursor_race
}

# "bad" if a netns line's total is not the sum of its states, or the
# lines do not add up to the states table's total column, state by state.
netns_sums() { # netns_sums FILE
	awk -v states="$STATES" '
	BEGIN { n = split(states, o, " "); for (i = 1; i <= n; i++) row[o[i]] = i }
	($1 in row) { table[row[$1]] = $2 }
	$1 == "netns" {
		t = 0
		for (i = 1; i <= n; i++) { sum[i] += $(i + 3); t += $(i + 3) }
		if (t != $3) print "bad total", $2
	}
	END { for (i = 1; i <= n; i++) if (sum[i] != table[i]) print "bad", o[i], sum[i], table[i] }' "$1"
}

# With netns=all each netns's line is a record of its own, so that 1700
# netns no longer outgrow the 64 KiB buffer, which made seq_file walk
# every table again into a larger one: a read walks once, every netns has
# one line, the lines add up to the states table, reads of any size give
# the same bytes, and the listing after them still numbers its sockets.
test_records() {
	$H/netns-hold 1700 > /tmp/netns-hold.out 2>&1 &
	hold=$!
	i=0
	while ! grep -q '^ready' /tmp/netns-hold.out && [ $i -lt 1200 ]; do
		kill -0 $hold 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	if ! grep -q '^ready' /tmp/netns-hold.out; then
		not_ok "1700 netns held"
		diag "$(tail -n 3 /tmp/netns-hold.out)"
		stop_sockets $hold
		return
	fi
	start_sockets /tmp/records.out 4:established:5:7510 6:established:3:7511 ||
		{ not_ok "records population ready"; stop_sockets $hold; return; }
	set_knob timers N
	set_knob netns all

	walks=$(traced_walks /tmp/all.txt cat $PROC)
	n=$(awk '$2 == "tcpstates" && $6 == "scope" { print $8 }' /tmp/all.txt)
	check "scope all covers the 1700 held netns ($n)" [ "${n:-0}" -gt 1700 ]
	check "the summary outgrows the 64 KiB buffer ($(wc -c < /tmp/all.txt) bytes)" \
		[ "$(wc -c < /tmp/all.txt)" -gt 65536 ]
	expect_eq "one netns line per netns of the scope" "$(grep -c '^netns ' /tmp/all.txt)" "$n"
	expect_eq "every held netns has exactly one line" "$(awk '
		NR == FNR { if ($1 != "ready") want[$1] = 1; next }
		$1 == "netns" { seen[$2]++ }
		END {
			for (w in want) if (seen[w] != 1) bad++
			for (s in seen) if (seen[s] != 1) bad++
			print bad + 0
		}' /tmp/netns-hold.out /tmp/all.txt)" 0
	expect_eq "the netns lines add up to the states table" "$(netns_sums /tmp/all.txt)" ""
	if [ "$walks" = unsupported ]; then
		skip "a whole read walks the tables once" "no function tracer"
	else
		expect_eq "a whole read walks the tables once" "$walks" 1
		walks=$(traced_walks /tmp/small.txt dd if=$PROC bs=100 status=none)
		expect_eq "a read in 100-byte pieces walks the tables once" "$walks" 1
	fi

	# Sockets left in TIME_WAIT by earlier tests list their timers,
	# which count down between two reads: compare states without one.
	set_knob states LISTEN,ESTABLISHED
	set_knob list_sockets 7
	for bs in 100 4096; do
		tries=0
		while [ $tries -lt 10 ]; do
			cat $PROC > /tmp/r1
			dd if=$PROC bs=$bs status=none > /tmp/r2
			cat $PROC > /tmp/r3
			cmp -s /tmp/r1 /tmp/r3 && break
			tries=$((tries + 1))
		done
		check "netns=all: $bs-byte reads give the bytes of one read" cmp -s /tmp/r1 /tmp/r2 ||
			diag "$(diff /tmp/r1 /tmp/r2 | head -n 12)"
	done
	expect_eq "netns=all, list_sockets=7: 7 sockets after the netns lines" \
		"$(awk '$1 == "netns" { n = NR } $1 == "socket" && NR > n { s++ } END { print s + 0 }' /tmp/r1)" 7
	set_knob states all
	set_knob list_sockets 100000
	mine='($3 == 7510 || $3 == 7511 || $4 == 7510 || $4 == 7511)'
	expect_eq "netns=all: the listing has the sockets of /proc/net/tcp{,6}" \
		"$(module_sockets "cat $PROC" | awk "$mine")" \
		"$(oracle_sockets | awk "$mine"' { print $1, $2, $3, $4 }' | sort)"

	set_knob list_sockets 0
	set_knob netns self
	set_knob timers Y
	stop_sockets $SOCKETS_PID
	stop_sockets $hold
}
