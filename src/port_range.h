/*
 * port_range.h - PURE syntax and candidates of media.rtp_ports.
 *
 * port_range.c owns the range syntax "LOW-HIGH" and which even ports of
 * it (each with the odd port above it for RTCP) the agent may bind its
 * RTP/RTCP pair on.  It opens no socket: the caller binds, trying the
 * candidates in turn until a pair is free.
 */
#ifndef STA_PORT_RANGE_H
#define STA_PORT_RANGE_H

#include <stdbool.h>
#include <stdint.h>

/* Parse "LOW-HIGH" (1024 <= LOW < HIGH <= 65535, holding at least one
 * even port with its odd neighbour).  Returns false for anything else. */
bool port_range_parse(char const *text, uint16_t *low, uint16_t *high);

/* How many even ports with their odd neighbour LOW..HIGH holds. */
unsigned port_range_pairs(uint16_t low, uint16_t high);

/* The even port of pair K (modulo their number, counting from the first
 * even port of LOW..HIGH); 0 when the range holds no pair. */
uint16_t port_range_pair(uint16_t low, uint16_t high, unsigned k);

#endif
