/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: the real uapi types plus the kernel's that rtheap uses. */
#ifndef _RTHEAP_SHIM_TYPES_H
#define _RTHEAP_SHIM_TYPES_H
#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#endif
