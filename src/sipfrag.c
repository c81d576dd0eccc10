/*
 * sipfrag.c - PURE message/sipfrag status lines for refer NOTIFYs.
 *
 * Owns the body of every NOTIFY the agent sends: exactly one status line
 * ending in CRLF.  See sipfrag.h.
 */
#include "sipfrag.h"

#include <stdio.h>
#include <string.h>

struct phrase {
	int code;
	const char *text;
};

static const struct phrase phrases[] = {
	{ 100, "Trying" }, { 180, "Ringing" },
	{ 181, "Call Is Being Forwarded" }, { 182, "Queued" },
	{ 183, "Session Progress" }, { 200, "OK" }, { 202, "Accepted" },
	{ 300, "Multiple Choices" }, { 301, "Moved Permanently" },
	{ 302, "Moved Temporarily" }, { 305, "Use Proxy" },
	{ 380, "Alternative Service" }, { 400, "Bad Request" },
	{ 401, "Unauthorized" }, { 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 407, "Proxy Authentication Required" },
	{ 408, "Request Timeout" }, { 410, "Gone" },
	{ 415, "Unsupported Media Type" }, { 416, "Unsupported URI Scheme" },
	{ 420, "Bad Extension" }, { 480, "Temporarily Unavailable" },
	{ 481, "Call/Transaction Does Not Exist" }, { 482, "Loop Detected" },
	{ 483, "Too Many Hops" }, { 484, "Address Incomplete" },
	{ 486, "Busy Here" }, { 487, "Request Terminated" },
	{ 488, "Not Acceptable Here" }, { 500, "Server Internal Error" },
	{ 501, "Not Implemented" }, { 502, "Bad Gateway" },
	{ 503, "Service Unavailable" }, { 504, "Server Time-out" },
	{ 600, "Busy Everywhere" }, { 603, "Decline" },
	{ 604, "Does Not Exist Anywhere" }, { 606, "Not Acceptable" },
};

static const char *const class_phrases[] = {
	NULL, "Provisional", "Success", "Redirection", "Client Error",
	"Server Error", "Global Failure",
};

const char *sipfrag_standard_reason(int code)
{
	for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
		if (phrases[i].code == code)
			return phrases[i].text;
	if (code < 100 || code > 699)
		return "Unknown";
	return class_phrases[code / 100];
}

/* Copy REASON into DST (at most ROOM bytes, NUL included), turning control
 * characters into spaces so the body stays one line. */
static void copy_phrase(char *dst, size_t room, const char *reason)
{
	size_t n = 0;

	for (; reason[n] && n + 1 < room; n++) {
		unsigned char c = (unsigned char)reason[n];
		dst[n] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	dst[n] = '\0';
}

int sipfrag_format(char buf[SIPFRAG_MAX], int code, const char *reason)
{
	char phrase[SIPFRAG_MAX - sizeof "SIP/2.0 000 \r\n" + 1];

	if (code < 100 || code > 699)
		return -1;
	if (reason == NULL || reason[strspn(reason, " \t")] == '\0')
		reason = sipfrag_standard_reason(code);
	copy_phrase(phrase, sizeof phrase, reason);
	return snprintf(buf, SIPFRAG_MAX, "SIP/2.0 %03d %s\r\n", code, phrase);
}
