/*
 * port_pool.c - PURE allocator of even RTP ports.  See port_pool.h.
 */
#include "port_pool.h"

#include <ctype.h>
#include <stdlib.h>

static bool parse_port(char const **s, unsigned long *v)
{
	char *end;

	if (!isdigit((unsigned char)**s))
		return false;
	*v = strtoul(*s, &end, 10);
	*s = end;
	return *v <= 65535;
}

bool port_range_parse(char const *text, uint16_t *low, uint16_t *high)
{
	unsigned long lo, hi;
	unsigned long first;

	if (!text || !parse_port(&text, &lo) || *text++ != '-' ||
	    !parse_port(&text, &hi) || *text != '\0')
		return false;
	first = lo + (lo & 1);
	if (lo < 1024 || hi <= lo || first + 1 > hi)
		return false;
	*low = (uint16_t)lo;
	*high = (uint16_t)hi;
	return true;
}

bool port_pool_init(struct port_pool *p, uint16_t low, uint16_t high)
{
	unsigned first = low + (low & 1u);

	p->low = (uint16_t)first;
	p->high = high;
	p->next = 0;
	p->count = first + 1 <= high ? (high - first - 1) / 2 + 1 : 0;
	p->used = calloc(p->count ? p->count : 1, 1);
	return p->used != NULL;
}

void port_pool_free(struct port_pool *p)
{
	free(p->used);
	p->used = NULL;
	p->count = 0;
}

uint16_t port_pool_take(struct port_pool *p)
{
	for (unsigned i = 0; i < p->count; i++) {
		unsigned k = (p->next + i) % p->count;

		if (!p->used[k]) {
			p->used[k] = 1;
			p->next = (k + 1) % p->count;
			return (uint16_t)(p->low + 2 * k);
		}
	}
	return 0;
}

void port_pool_release(struct port_pool *p, uint16_t port)
{
	unsigned k;

	if (port < p->low || (port - p->low) % 2)
		return;
	k = (unsigned)(port - p->low) / 2;
	if (k < p->count)
		p->used[k] = 0;
}

unsigned port_pool_in_use(struct port_pool const *p)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->count; i++)
		n += p->used[i];
	return n;
}
