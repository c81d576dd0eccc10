/*
 * port_pool.h - PURE allocator of RTP ports (media.rtp_ports).
 *
 * port_pool.c owns the range syntax "LOW-HIGH" and which even ports of it
 * (each with the odd port above it for RTCP) are in use.  It opens no
 * socket: the caller binds, and gives back a port whose bind failed with
 * port_pool_release() after taking the next one.
 */
#ifndef STA_PORT_POOL_H
#define STA_PORT_POOL_H

#include <stdbool.h>
#include <stdint.h>

struct port_pool {
	uint16_t low, high;		/* even ports low, low+2, ... <= high-1 */
	unsigned next;			/* where the next search starts */
	unsigned count;			/* pairs in the range */
	uint8_t *used;			/* one byte per pair */
};

/* Parse "LOW-HIGH" (1024 <= LOW < HIGH <= 65535, holding at least one
 * even port with its odd neighbour).  Returns false for anything else. */
bool port_range_parse(char const *text, uint16_t *low, uint16_t *high);

/* An empty pool over LOW..HIGH; false when out of memory. */
bool port_pool_init(struct port_pool *p, uint16_t low, uint16_t high);
void port_pool_free(struct port_pool *p);

/* The next free even port after the last one taken (round robin, so a
 * port just released is the last to come back), marked used; 0 when all
 * are in use. */
uint16_t port_pool_take(struct port_pool *p);

/* Give PORT back (a port the pool does not hold is ignored). */
void port_pool_release(struct port_pool *p, uint16_t port);

/* How many pairs are in use. */
unsigned port_pool_in_use(struct port_pool const *p);

#endif
