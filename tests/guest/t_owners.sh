# SPDX-License-Identifier: GPL-2.0
# Owners (owners=uid|cgroup): per state, the sockets of each uid against
# /proc/net/tcp{,6}'s uid column, and of each cgroup against the cgroups
# the test made its sockets in; the top_owners cut, and the CLOSE_WAIT
# hint naming the owner.

# The owner lines, in one order for both sides: state, most first, name.
owners_sorted() {
	sort -k2,2 -k3,3nr -k5,5
}

module_owners() {
	grep '^owner ' $PROC | owners_sorted
}

# "owner STATE SOCKETS uid UID" from /proc/net/tcp{,6}. A timewait sock
# has no owner: the file prints uid 0 for it, the module "none -". (A
# FIN_WAIT2 timewait sock would pass for a uid 0 socket: none are made.)
oracle_owners_uid() {
	awk 'FNR > 1 { print $4, $8 }' /proc/net/tcp /proc/net/tcp6 | awk '
	BEGIN {
		split("ESTABLISHED SYN_SENT SYN_RECV FIN_WAIT1 FIN_WAIT2 TIME_WAIT CLOSED CLOSE_WAIT LAST_ACK LISTEN CLOSING", n, " ")
		for (i = 1; i <= 11; i++)
			name[sprintf("%02X", i)] = n[i]
	}
	{ s = name[$1]; c[s " " (s == "TIME_WAIT" ? "none -" : "uid " $2)]++ }
	END { for (k in c) { split(k, a, " "); print "owner", a[1], c[k], a[2], a[3] } }' |
		owners_sorted
}

# The N owners with most sockets per state, of the lines on stdin.
owners_top() { # owners_top N
	awk -v n="$1" '++seen[$2] <= n'
}

owners_uid_in_child() {
	ip -6 addr add 2001:db8::1/128 dev lo
	run_bg /tmp/own1.out $H/runas 1234 $H/sockets 4:established:3:7410 \
		6:listen:2:7420 4:fin_wait2:2:7430
	own1=$BG_PID
	wait_ready /tmp/own1.out $own1 || { not_ok "owners: uid 1234's sockets ready"; return; }
	run_bg /tmp/own2.out $H/runas 2345 $H/sockets 7:established:2:7440 \
		4:time_wait:3:7450
	own2=$BG_PID
	wait_ready /tmp/own2.out $own2 ||
		{ not_ok "owners: uid 2345's sockets ready"; stop_sockets $own1; return; }

	check "owners=off: no owner lines" sh -c "grep -q '^ESTABLISHED ' $PROC && ! grep -q '^owner ' $PROC"
	set_knob owners uid
	set_knob top_owners 64
	read_settled oracle_owners_uid module_owners
	expect_eq "owners=uid: each state's sockets per uid equal /proc/net/tcp{,6}'s uid column" \
		"$SETTLED_SUBJECT" "$SETTLED_ORACLE"
	check "owners=uid: uid 1234 and 2345 both own ESTABLISHED sockets" \
		sh -c "echo '$SETTLED_SUBJECT' | grep -q '^owner ESTABLISHED 6 uid 1234$' &&
		       echo '$SETTLED_SUBJECT' | grep -q '^owner ESTABLISHED 4 uid 2345$'"
	check "owners=uid: TIME_WAIT sockets are nobody's" \
		sh -c "echo '$SETTLED_SUBJECT' | grep -q '^owner TIME_WAIT 3 none -$'"
	set_knob top_owners 1
	read_settled "oracle_owners_uid | owners_top 1" module_owners
	expect_eq "top_owners=1: the owner with most sockets in each state" \
		"$SETTLED_SUBJECT" "$SETTLED_ORACLE"

	# 20 CLOSE_WAIT of uid 3456 on one port: the hint names their owner.
	run_bg /tmp/own3.out $H/runas 3456 $H/sockets 4:fin_wait2:20:7460
	own3=$BG_PID
	if wait_ready /tmp/own3.out $own3; then
		expect_eq "owners=uid: the close_wait hint names the owner of most CLOSE_WAIT" \
			"$(grep -o 'on local port [0-9]*; .*the owner with most is [^;]*' $PROC)" \
			"on local port 7460; the application there is not calling close(); the owner with most is uid 3456 (20)"
		set_knob owners off
		check "owners=off: the close_wait hint names no owner" \
			sh -c "grep -q '^hint close_wait: ' $PROC && ! grep -q 'the owner with most' $PROC"
		stop_sockets $own3
	else
		not_ok "owners: uid 3456's CLOSE_WAIT sockets ready"
	fi
	set_knob reset 1
	stop_sockets $own1
	stop_sockets $own2
}

# "owner STATE SOCKETS cgroup PATH" from /proc/net/tcp{,6}, by the ports
# the test gave each cgroup's sockets.
oracle_owners_cgroup() {
	oracle_sockets | awk '
	$3 >= 7510 && $3 <= 7529 || $4 >= 7510 && $4 <= 7529 { c[$2 " /ts-web"]++ }
	$3 == 7530 || $4 == 7530 { c[$2 " /ts-db"]++ }
	END { for (k in c) { split(k, a, " "); print "owner", a[1], c[k], "cgroup", a[2] } }' |
		owners_sorted
}

# cgroup2 mounted at /sys/fs/cgroup, and the test's two cgroups made.
owners_cgroups_made() {
	grep -q '^[^ ]* /sys/fs/cgroup cgroup2 ' /proc/mounts ||
		mount -t cgroup2 none /sys/fs/cgroup || return 1
	mkdir -p /sys/fs/cgroup/ts-web /sys/fs/cgroup/ts-db
}

# cgroup_sk_alloc() is there only where sockets keep their cgroup.
kernel_keeps_socket_cgroups() {
	grep -q ' cgroup_sk_alloc$' /proc/kallsyms
}

owners_cgroup_in_child() {
	if ! kernel_keeps_socket_cgroups; then
		check "owners=cgroup: refused where the kernel keeps no socket's cgroup" \
			sh -c "! echo cgroup > $PARAMS/owners && [ \"\$(cat $PARAMS/owners)\" = off ]"
		skip "owners=cgroup" "a kernel without CONFIG_SOCK_CGROUP_DATA"
		return
	fi
	check "owners=cgroup: taken where the kernel keeps each socket's cgroup" \
		sh -c "echo cgroup > $PARAMS/owners" || return
	if ! check "owners: cgroup2 mounted and two cgroups made" owners_cgroups_made; then
		set_knob reset 1
		return
	fi
	run_bg /tmp/owc1.out sh -c "echo \$\$ > /sys/fs/cgroup/ts-web/cgroup.procs &&
		exec $H/sockets 4:established:3:7510 4:fin_wait2:2:7520"
	web=$BG_PID
	wait_ready /tmp/owc1.out $web ||
		{ not_ok "owners: /ts-web's sockets ready"; set_knob reset 1; return; }
	run_bg /tmp/owc2.out sh -c "echo \$\$ > /sys/fs/cgroup/ts-db/cgroup.procs &&
		exec $H/sockets 6:established:2:7530"
	db=$BG_PID
	wait_ready /tmp/owc2.out $db ||
		{ not_ok "owners: /ts-db's sockets ready"; stop_sockets $web; set_knob reset 1; return; }
	set_knob top_owners 64
	read_settled oracle_owners_cgroup module_owners
	expect_eq "owners=cgroup: each state's sockets per cgroup equal those the test made there" \
		"$SETTLED_SUBJECT" "$SETTLED_ORACLE"
	check "owners=cgroup: /ts-web owns 6 ESTABLISHED" \
		sh -c "echo '$SETTLED_SUBJECT' | grep -q '^owner ESTABLISHED 6 cgroup /ts-web$'"
	set_knob reset 1
	stop_sockets $web
	stop_sockets $db
	rmdir /sys/fs/cgroup/ts-web /sys/fs/cgroup/ts-db
}

# One read: per state, the owner lines (all of them: top_owners=64) add up
# to the state's total.
owners_add_up() { # owners_add_up [FILE]
	awk '$1 ~ /^[A-Z_0-9]+$/ && NF > 5 { total[$1] = $2 }
	     $1 == "owner" { n[$2] += $3 }
	     END { for (s in total) if (n[s] + 0 != total[s]) { print "# " s ": " n[s] + 0 " against " total[s]; bad = 1 }; exit bad }' "${1:-$PROC}"
}

test_owners() {
	set_knob reset 1
	in_netns owners_uid_in_child
	in_netns owners_cgroup_in_child
}
