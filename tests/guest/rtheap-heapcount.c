// SPDX-License-Identifier: GPL-2.0
/*
 * rtheap-heapcount - print how many heaps exist (RTHEAP_IOC_LIST as root
 * sees them all); the suite runner's leak check before `rmmod rtheap'.
 * With -v, also one line per heap: id, name, used/usable bytes, flags.
 */
#include <unistd.h>

#include "tcommon.h"

int main(int argc, char **argv)
{
	struct rtheap_info *infos;
	int n = t_list(&infos);

	printf("%d\n", n);
	if (argc > 1 && !strcmp(argv[1], "-v"))
		for (int i = 0; i < n; i++)
			printf("id %u name \"%s\" used %llu usable %llu "
			       "nbound %u nmaps %u cpid %u flags %#x\n",
			       infos[i].id, infos[i].name,
			       (unsigned long long)infos[i].used_mem,
			       (unsigned long long)infos[i].usable_mem,
			       infos[i].nbound, infos[i].nmaps, infos[i].cpid,
			       infos[i].flags);
	free(infos);
	return 0;
}
