# SPDX-License-Identifier: GPL-2.0
# The per-socket listing's cursor across reads, processes and signals.

# A reader killed while its read resumes the listing from a listener that
# was closed under the cursor, then another process reading on through the
# same open file: the review's NULL dereference in ts_cursor_find. The
# helper runs in a netns with an ehash of its own, which makes the resumed
# scan long, and keeps 20000 listeners in this netns, which make the lhash2
# part of it long; the guest's dmesg check catches an oops.
test_cursor() {
	old=$(cat $PARAMS/list_sockets)
	old_ehash=$(cat /proc/sys/net/ipv4/tcp_child_ehash_entries)
	echo 100 > $PARAMS/list_sockets
	echo 65536 > /proc/sys/net/ipv4/tcp_child_ehash_entries
	out=$($H/listing-race 400 20000 2>&1)
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
