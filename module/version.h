/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_VERSION_H
#define _TCPSTATES_VERSION_H

/* The one version number: modinfo, /proc/tcpstates, dkms.conf (checked). */
#define TCPSTATES_VERSION "0.1.0"

#endif /* _TCPSTATES_VERSION_H */
