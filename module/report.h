/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPSTATES_REPORT_H
#define _TCPSTATES_REPORT_H

int tcpstates_proc_init(void);
void tcpstates_proc_exit(void);

#endif /* _TCPSTATES_REPORT_H */
