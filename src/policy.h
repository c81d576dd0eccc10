/*
 * policy.h - PURE access policy: who may refer, to which targets, how often.
 *
 * policy.c owns CIDR parsing and matching (policy.allow_from), target glob
 * matching (policy.targets, fnmatch over "user@host:port") and the
 * per-source token buckets of limits.per_source_rate.  It makes no Sofia-SIP
 * calls, reads no clock (time comes in as now_ms) and does no I/O.
 */
#ifndef STA_POLICY_H
#define STA_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cidr {
	int family;			/* AF_INET or AF_INET6 */
	unsigned char addr[16];		/* network byte order, masked */
	unsigned prefix;		/* 0..32 or 0..128 */
};

/* Parse "a.b.c.d/n", "x::y/n" or a bare address (full-length prefix).
 * Returns 0, or -1 when TEXT is not a valid CIDR.  An IPv4-mapped prefix
 * (::ffff:a.b.c.d/96..128) is stored as the IPv4 prefix it stands for. */
int cidr_parse(const char *text, struct cidr *out);

/* True when the address (FAMILY, ADDR in network byte order: 4 or 16 bytes)
 * lies in any of the N prefixes.  An IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) is matched as the IPv4 address it carries. */
bool cidr_list_contains(const struct cidr *list, size_t n, int family,
			const unsigned char *addr);

/* True when KEY ("user@host:port") matches one of the N fnmatch globs. */
bool targets_allow(char *const *globs, size_t n, const char *key);

/*
 * One token bucket: at most RATE tokens, RATE more per second, counted in
 * thousandths so that every step is exact in integers.  bucket_fill()
 * makes it full at NOW_MS; bucket_take() spends one token and returns
 * true, or returns false when it has none.  A clock that steps back adds
 * nothing; a RATE of 0 never has a token.
 */
struct token_bucket {
	uint64_t millitokens;
	uint64_t last_ms;		/* when millitokens was computed */
};

void bucket_fill(struct token_bucket *b, unsigned rate, uint64_t now_ms);
bool bucket_take(struct token_bucket *b, unsigned rate, uint64_t now_ms);

/*
 * Per-source token buckets: each source address holds at most RATE tokens
 * and gains RATE tokens per second.  rate_take() spends one token for the
 * source and returns true, or returns false (over its rate) when it has
 * none.  Idle sources are forgotten, so memory stays bounded by the number
 * of sources seen in the last second or so (at most `capacity`; when the
 * table is full a new source is admitted without a bucket rather than
 * refused).  Mapped IPv6 sources share the bucket of their IPv4 address.
 * rate_table_new() returns NULL for capacity 0 or when out of memory; a
 * rate of 0 refuses every source.
 */
struct rate_table;

struct rate_table *rate_table_new(size_t capacity);
void rate_table_free(struct rate_table *t);
bool rate_take(struct rate_table *t, unsigned rate, int family,
	       const unsigned char *addr, uint64_t now_ms);

#endif
