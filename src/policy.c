/*
 * policy.c - PURE access policy: who may refer, to which targets, how often.
 *
 * Owns the policy.allow_from CIDR lists (cidr_parse, cidr_list_contains),
 * the policy.targets globs (targets_allow) and the per-source token buckets
 * of limits.per_source_rate (struct rate_table).  See policy.h for the API.
 *
 * Must not: include Sofia-SIP headers, read a clock (time comes in as
 * now_ms), do I/O or exit.  IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are
 * treated as the IPv4 address they carry everywhere, so a dual-stack socket
 * and a plain IPv4 socket see the same source.
 */
#include "policy.h"

#include <arpa/inet.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const unsigned char v4mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* An address reduced to one spelling: mapped IPv6 becomes IPv4. */
struct norm_addr {
	int family;
	unsigned char addr[16];		/* unused bytes are zero */
};

static bool is_v4mapped(const unsigned char *addr16)
{
	return memcmp(addr16, v4mapped_prefix, sizeof(v4mapped_prefix)) == 0;
}

/* Returns -1 for a family other than AF_INET / AF_INET6. */
static int normalize(int family, const unsigned char *addr,
		     struct norm_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (family == AF_INET6 && is_v4mapped(addr)) {
		out->family = AF_INET;
		memcpy(out->addr, addr + 12, 4);
	} else if (family == AF_INET) {
		out->family = AF_INET;
		memcpy(out->addr, addr, 4);
	} else if (family == AF_INET6) {
		out->family = AF_INET6;
		memcpy(out->addr, addr, 16);
	} else {
		return -1;
	}
	return 0;
}

static unsigned family_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

/* Clear every bit of ADDR after the first PREFIX. */
static void mask_addr(unsigned char *addr, unsigned prefix, unsigned bits)
{
	for (unsigned i = prefix; i < bits; i++)
		addr[i / 8] &= (unsigned char)~(0x80u >> (i % 8));
}

/* Strict decimal 0..999: no sign, no blanks, no empty string. */
static int parse_prefix(const char *s, unsigned *out)
{
	size_t len = strlen(s);
	unsigned v = 0;

	if (len == 0 || len > 3)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* An IPv4-mapped prefix (::ffff:a.b.c.d/96..128) is stored as the IPv4
 * prefix it means, so it matches the same sources. */
int cidr_parse(const char *text, struct cidr *out)
{
	char buf[INET6_ADDRSTRLEN + 5];
	char *slash;
	unsigned char raw[16];
	struct norm_addr n;
	unsigned prefix;
	int family;

	if (text == NULL || strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, raw) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, buf, raw) == 1)
		family = AF_INET6;
	else
		return -1;
	prefix = family_bits(family);
	if (slash != NULL && (parse_prefix(slash + 1, &prefix) != 0 ||
			      prefix > family_bits(family)))
		return -1;
	normalize(family, raw, &n);
	if (n.family != family) {
		if (prefix < 96) {
			n.family = AF_INET6;	/* wider than ::ffff:0:0/96 */
			memcpy(n.addr, raw, 16);
		} else {
			prefix -= 96;
		}
	}
	mask_addr(n.addr, prefix, family_bits(n.family));
	out->family = n.family;
	memcpy(out->addr, n.addr, sizeof(out->addr));
	out->prefix = prefix;
	return 0;
}

static bool cidr_contains(const struct cidr *c, const struct norm_addr *a)
{
	unsigned whole = c->prefix / 8, rest = c->prefix % 8;
	unsigned char mask = (unsigned char)(0xff00u >> rest);

	if (c->family != a->family)
		return false;
	if (memcmp(c->addr, a->addr, whole) != 0)
		return false;
	return rest == 0 || (a->addr[whole] & mask) == c->addr[whole];
}

bool cidr_list_contains(const struct cidr *list, size_t n, int family,
			const unsigned char *addr)
{
	struct norm_addr a;

	if (normalize(family, addr, &a) != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (cidr_contains(&list[i], &a))
			return true;
	return false;
}

bool targets_allow(char *const *globs, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (fnmatch(globs[i], key, 0) == 0)
			return true;
	return false;
}

/*
 * Rate table: open addressing where a source lives within RATE_PROBE slots
 * of its hash ("its window").  Tokens are counted in millitokens: a bucket
 * of rate R holds at most R * 1000 and gains R per millisecond, exact in
 * integers.  A slot whose bucket would be full again by now carries no
 * information (a fresh bucket starts full), so any source of that window
 * may take it over: no deletion, no tombstones, bounded memory, at most
 * RATE_PROBE slots looked at per call.  A window with no free or idle slot
 * means "table full": the source is admitted without a bucket.
 */
#define RATE_PROBE 16
#define MILLI 1000u

struct rate_slot {
	struct norm_addr src;		/* family 0: never used */
	struct token_bucket bucket;
};

struct rate_table {
	size_t n;
	struct rate_slot slots[];
};

struct rate_table *rate_table_new(size_t capacity)
{
	struct rate_table *t;

	if (capacity == 0 ||
	    capacity > (SIZE_MAX - sizeof(*t)) / sizeof(t->slots[0]))
		return NULL;
	t = calloc(1, sizeof(*t) + capacity * sizeof(t->slots[0]));
	if (t != NULL)
		t->n = capacity;
	return t;
}

void rate_table_free(struct rate_table *t)
{
	free(t);
}

/* FNV-1a over the normalized source. */
static size_t rate_hash(const struct norm_addr *a)
{
	uint64_t h = 14695981039346656037u;

	h = (h ^ (uint64_t)a->family) * 1099511628211u;
	for (size_t i = 0; i < sizeof(a->addr); i++)
		h = (h ^ a->addr[i]) * 1099511628211u;
	return (size_t)h;
}

/* The bucket's content at NOW_MS; a clock that steps back adds nothing. */
static uint64_t refilled(const struct token_bucket *b, unsigned rate,
			 uint64_t now_ms)
{
	uint64_t full = (uint64_t)rate * MILLI;
	uint64_t elapsed = now_ms > b->last_ms ? now_ms - b->last_ms : 0;

	if (elapsed >= MILLI || b->millitokens >= full)
		return full;	/* a whole second refills any bucket */
	elapsed *= rate;
	return full - b->millitokens <= elapsed ? full
						 : b->millitokens + elapsed;
}

void bucket_fill(struct token_bucket *b, unsigned rate, uint64_t now_ms)
{
	b->millitokens = (uint64_t)rate * MILLI;
	b->last_ms = now_ms;
}

bool bucket_take(struct token_bucket *b, unsigned rate, uint64_t now_ms)
{
	b->millitokens = refilled(b, rate, now_ms);
	b->last_ms = now_ms;
	if (b->millitokens < MILLI)
		return false;
	b->millitokens -= MILLI;
	return true;
}

static bool slot_reusable(const struct rate_slot *s, unsigned rate,
			  uint64_t now_ms)
{
	return s->src.family == 0 ||
	       refilled(&s->bucket, rate, now_ms) == (uint64_t)rate * MILLI;
}

/* The slot holding SRC, else a free or idle slot of its window (reset to a
 * full bucket), else NULL. */
static struct rate_slot *rate_slot_for(struct rate_table *t,
				       const struct norm_addr *src,
				       unsigned rate, uint64_t now_ms)
{
	size_t probe = t->n < RATE_PROBE ? t->n : RATE_PROBE;
	size_t start = rate_hash(src) % t->n;
	struct rate_slot *spare = NULL;

	for (size_t i = 0; i < probe; i++) {
		struct rate_slot *s = &t->slots[(start + i) % t->n];

		if (memcmp(&s->src, src, sizeof(*src)) == 0)
			return s;
		if (spare == NULL && slot_reusable(s, rate, now_ms))
			spare = s;
	}
	if (spare != NULL) {
		spare->src = *src;
		bucket_fill(&spare->bucket, rate, now_ms);
	}
	return spare;
}

bool rate_take(struct rate_table *t, unsigned rate, int family,
	       const unsigned char *addr, uint64_t now_ms)
{
	struct norm_addr src;
	struct rate_slot *s;

	if (normalize(family, addr, &src) != 0)
		return false;
	s = rate_slot_for(t, &src, rate, now_ms);
	if (s == NULL)
		return true;	/* table full: admit rather than refuse */
	return bucket_take(&s->bucket, rate, now_ms);
}
