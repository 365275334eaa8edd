// SPDX-License-Identifier: MIT
/* The public headers compile as strict C99. */
#include <libzns.h>

int main(void)
{
	struct zns_queue_opts o = { sizeof(o), 8, 0, 0, -1, 0, 0 };

	return (int)(o.depth - 8) + zns_status_sc(0);
}
