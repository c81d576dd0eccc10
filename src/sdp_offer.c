/*
 * sdp_offer.c - PURE: the agent's built-in SDP offer.  See sdp_offer.h.
 */
#include "sdp_offer.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

size_t sdp_default_offer(char *buf, size_t size, const char *host,
			 unsigned port, uint64_t session)
{
	size_t len = host ? strlen(host) : 0;
	const char *family;
	int n;

	if (len > 1 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len == 0 || len > 255)
		return 0;
	family = memchr(host, ':', len) ? "IP6" : "IP4";
	n = snprintf(buf, size,
		     "v=0\r\n"
		     "o=- %" PRIu64 " %" PRIu64 " IN %s %.*s\r\n"
		     "s=-\r\n"
		     "c=IN %s %.*s\r\n"
		     "t=0 0\r\n"
		     "m=audio %u RTP/AVP 0 8 101\r\n"
		     "a=rtpmap:0 PCMU/8000\r\n"
		     "a=rtpmap:8 PCMA/8000\r\n"
		     "a=rtpmap:101 telephone-event/8000\r\n"
		     "a=fmtp:101 0-16\r\n",
		     session, session, family, (int)len, host, family,
		     (int)len, host, port);
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}
