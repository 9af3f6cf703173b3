# SPDX-License-Identifier: GPL-2.0
# Exact counts of a mixed population against the kernel's view.

# A mixed population: distinct counts per kind and family, so a swapped
# column or state shows.
POPULATION="4:listen:3:7001 4:bound:2:7100 4:established:4:7010 4:fin_wait2:5:7020
4:orphan:6:7030 4:time_wait:7:7040 6:listen:2:7001 6:bound:3:7100
6:established:5:7010 6:fin_wait2:3:7020 6:orphan:4:7030 6:time_wait:2:7040"

test_population() {
	# shellcheck disable=SC2086
	start_sockets /tmp/pop.out $POPULATION || { not_ok "population ready"; return; }
	compare_states "init netns" 2 3
	at_least "init netns" LISTEN 4 6
	at_least "init netns" ESTABLISHED 4 8
	at_least "init netns" CLOSE_WAIT 4 11
	at_least "init netns" FIN_WAIT2 4 11
	at_least "init netns" TIME_WAIT 4 7
	at_least "init netns" LISTEN 6 5
	at_least "init netns" ESTABLISHED 6 10
	at_least "init netns" FIN_WAIT2 6 7
	at_least "init netns" TIME_WAIT 6 2
	# FIN_WAIT2 comes both as a full socket and as a timewait sock.
	fw2_timewait=$(column FIN_WAIT2 timewait)
	expect_eq "FIN_WAIT2: the 10 orphaned ones are timewait socks" "$fw2_timewait" 10
	stop_sockets $SOCKETS_PID
	snapshot
	expect_eq "after the holder exits: CLOSED back to 0" "$(field CLOSED 2 "$M") $(field CLOSED 3 "$M")" "0 0"
	expect_eq "after the holder exits: ESTABLISHED back to the oracle's" \
		"$(field ESTABLISHED 2 "$M") $(field ESTABLISHED 3 "$M")" \
		"$(field ESTABLISHED 2 "$O1") $(field ESTABLISHED 3 "$O1")"
}
