// SPDX-License-Identifier: MIT
/* The public headers compile as C++11. */
#include <libzns.h>

int main()
{
	nvme_zns_desc d = {};
	zns_queue_opts o = {};

	o.size = sizeof(o);
	return static_cast<int>(zns_le64(d.wp)) + zns_status_dnr(0) +
	       static_cast<int>(o.depth);
}
