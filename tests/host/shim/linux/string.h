/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: see ../README.md. */
#include <string.h>
