# SPDX-License-Identifier: GPL-2.0
# The per-socket listing, against /proc/net/tcp{,6}.

# The per-socket view lists exactly what /proc/net/tcp{,6} lists.
module_sockets() { # module_sockets READER
	$1 | awk '$1 == "socket" {
		fam = substr($2, 1, 1) == "[" ? 6 : 4
		n = split($2, l, ":"); m = split($3, r, ":")
		print fam, $4, l[n], r[m]
	}' | sort
}

listing_in_child() {
	ip -6 addr add 2001:db8::1/128 dev lo
	start_sockets /tmp/list.out 4:established:120:7010 6:established:60:7011 \
		4:time_wait:40:7020 7:listen:5:7030 5:fin_wait2:10:7040 ||
		{ not_ok "listing population ready"; return; }
	echo 100000 > $PARAMS/list_sockets
	want=$(oracle_sockets | awk '{ print $1, $2, $3, $4 }' | sort)
	n=$(echo "$want" | wc -l)
	check "the population is larger than one seq_file page ($n sockets)" [ "$n" -ge 400 ]
	expect_eq "list_sockets: cat lists exactly the sockets of /proc/net/tcp{,6}" \
		"$(module_sockets "cat $PROC")" "$want"
	expect_eq "list_sockets: 256-byte reads list the same" \
		"$(module_sockets "dd if=$PROC bs=256 status=none")" "$want"
	echo 7 > $PARAMS/list_sockets
	expect_eq "list_sockets=7 lists 7 sockets" "$(grep -c '^socket' $PROC)" 7
	echo 0 > $PARAMS/list_sockets
	expect_eq "list_sockets=0 lists none" "$(grep -c '^socket' $PROC)" 0
	stop_sockets $SOCKETS_PID
}

test_listing() {
	in_netns listing_in_child
}
