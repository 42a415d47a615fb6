/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtheap - the parts of the module that main.c puts together.
 */
#ifndef _RTHEAP_KERNEL_RTHEAP_H
#define _RTHEAP_KERNEL_RTHEAP_H

int rtheap_chardev_init(void);
void rtheap_chardev_exit(void);
int rtheap_proc_init(void);
void rtheap_proc_exit(void);

#endif /* _RTHEAP_KERNEL_RTHEAP_H */
