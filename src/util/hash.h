/*
 * hash.h - 128-bit content hash (two independent 64-bit FNV-1a lanes with a
 * final avalanche), used for fingerprints and statement names. Not
 * cryptographic: it detects change, it does not resist forgery.
 */
#ifndef PC_UTIL_HASH_H
#define PC_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct pc_hash {
	uint64_t a, b;
} pc_hash;

void pc_hash_init(pc_hash *h);
void pc_hash_update(pc_hash *h, const void *data, size_t len);
void pc_hash_update_str(pc_hash *h, const char *s); /* includes a terminator byte */
/* 32 lowercase hex digits + NUL. */
void pc_hash_hex(const pc_hash *h, char out[33]);

#endif
