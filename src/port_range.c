/*
 * port_range.c - PURE syntax and candidates of media.rtp_ports.  See
 * port_range.h.
 */
#include "port_range.h"

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

unsigned port_range_pairs(uint16_t low, uint16_t high)
{
	unsigned first = low + (low & 1u);

	return first + 1 <= high ? (high - first - 1) / 2 + 1 : 0;
}

uint16_t port_range_pair(uint16_t low, uint16_t high, unsigned k)
{
	unsigned n = port_range_pairs(low, high);

	if (n == 0)
		return 0;
	return (uint16_t)(low + (low & 1u) + 2 * (k % n));
}
