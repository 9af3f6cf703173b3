# SPDX-License-Identifier: GPL-2.0
# make lab-vm, in the guest: tcpstates.ko loaded, then a shell on the
# console for the student. When it ends, PID 1 powers the guest off.

. /suite/lib.sh
ip link set lo up
warm_once_keys
for m in veth inet_diag tcp_diag; do load_module $m; done
insmod $KO || exit 1
need_tun || exit 1
ln -s $H/tcpstates-lab /bin/tcpstates-lab
lang=$(sed -n 's/.*tcpstates\.lang=\([a-z]*\).*/\1/p' /proc/cmdline)
# The host terminal's ROWSxCOLUMNS: a serial console cannot know them.
size=$(sed -n 's/.*tcpstates\.size=\([0-9]*x[0-9]*\).*/\1/p' /proc/cmdline)
[ -n "$size" ] && stty rows "${size%x*}" cols "${size#*x}" 2> /dev/null
[ "$lang" = zh ] && export LANG=zh_CN.UTF-8
export TERM=${TERM:-vt100} HOME=/root
mkdir -p /root
cat > /etc/profile <<-'PROFILE'
	PS1='lab# '
	cd /root
PROFILE
if [ "$lang" = zh ]; then
	cat <<-'TEXT'

	tcpstates 实验虚拟机：QEMU 里运行的 Linux 6.12，没有网络，tcpstates.ko
	已经加载。你是这台虚拟机里的 root，对宿主机没有任何权限。可以先试试：

	  tcpstates-lab tour                  一条连接从三次握手到四次挥手，逐步演示
	  tcpstates-lab established --here &  让一个连接停在 ESTABLISHED，然后
	  cat /proc/tcpstates                 看它出现在状态表里
	  tcpstates-lab watch                 每秒刷新的状态表，变化的格子会高亮
	  ss -tan                             同样的套接字，每个一行

	练习见 docs/lab.zh-CN.md。输入 exit（或按 Ctrl-D）关闭虚拟机。

	TEXT
else
	cat <<-'TEXT'

	tcpstates lab VM: Linux 6.12 under QEMU, no network, tcpstates.ko loaded.
	You are root in this VM only, with no rights on the host. Try:

	  tcpstates-lab tour                  one connection through its life
	  tcpstates-lab established --here &  hold a socket in ESTABLISHED, then
	  cat /proc/tcpstates                 see it in the states table
	  tcpstates-lab watch                 the table every second, changes lit
	  ss -tan                             the same sockets, one line each

	The exercises are in the README's Teaching lab section.
	Type exit (or Ctrl-D) to power the VM off.

	TEXT
fi
# A login shell whose controlling terminal is the console: Ctrl-C and job
# control work.
setsid cttyhack sh -l
echo "lab VM: powering off"
