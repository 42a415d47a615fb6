// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap-insmod FILE [PARAMS...] - load a module with finit_module(2), once.
 * busybox insmod retries with init_module(2) whenever finit_module fails,
 * so a self-test module whose init fails would run its tests twice.
 * Exit status: 0 loaded, 1 refused (the errno is printed).
 */
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tcommon.h"

int main(int argc, char **argv)
{
	char params[1024] = "";
	size_t len = 0;
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: rtheap-insmod FILE [PARAMS...]\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		int n = snprintf(params + len, sizeof(params) - len, "%s%s",
				 len ? " " : "", argv[i]);

		if (n < 0 || (size_t)n >= sizeof(params) - len) {
			fprintf(stderr, "rtheap-insmod: parameters too long\n");
			return 2;
		}
		len += (size_t)n;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "rtheap-insmod: %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	if (syscall(SYS_finit_module, fd, params, 0)) {
		fprintf(stderr, "rtheap-insmod: %s: %s (%s)\n", argv[1],
			strerror(errno), t_errname(-errno));
		return 1;
	}
	close(fd);
	return 0;
}
