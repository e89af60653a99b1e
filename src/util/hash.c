#include "hash.h"

#include <stdio.h>
#include <string.h>

void pc_hash_init(pc_hash *h)
{
	h->a = 1469598103934665603ULL;
	h->b = 0x9e3779b97f4a7c15ULL;
}

void pc_hash_update(pc_hash *h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h->a = (h->a ^ p[i]) * 1099511628211ULL;
		h->b = (h->b ^ p[i]) * 0x100000001b3ULL + 0x632be59bd9b4e019ULL;
	}
}

void pc_hash_update_str(pc_hash *h, const char *s)
{
	pc_hash_update(h, s, strlen(s) + 1);
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

void pc_hash_hex(const pc_hash *h, char out[33])
{
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)mix(h->a ^ (h->b << 1)),
		 (unsigned long long)mix(h->b ^ (h->a >> 1)));
}
