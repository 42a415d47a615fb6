/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: see ../shim.h. */
#include "../shim.h"
