/*
 * next_hop.c - PURE: where a SIP URI really sends a request.  See
 * next_hop.h.
 *
 * Must not: include Sofia-SIP headers, do I/O, read a clock.
 */
#include "next_hop.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The parameter P (LEN bytes, "name" or "name=value") is named NAME, in
 * any case, once %XX escapes of its name are decoded. */
static bool param_named(const char *p, size_t len, const char *name)
{
	size_t i = 0, n = 0, want = strlen(name);

	while (i < len && p[i] != '=') {
		int c = (unsigned char)p[i];

		if (c == '%' && i + 2 < len && hex_value(p[i + 1]) >= 0 &&
		    hex_value(p[i + 2]) >= 0) {
			c = hex_value(p[i + 1]) * 16 + hex_value(p[i + 2]);
			i += 3;
		} else {
			i++;
		}
		if (n >= want || tolower(c) != name[n])
			return false;
		n++;
	}
	return n == want;
}

bool params_without_maddr(const char *params, char *out, size_t size)
{
	size_t used = 0;

	if (size == 0)
		return false;
	out[0] = '\0';
	for (const char *p = params; p && *p;) {
		size_t len = strcspn(p, ";");

		if (len > 0 && !param_named(p, len, "maddr")) {
			if (used + (used > 0) + len + 1 > size) {
				out[0] = '\0';
				return false;
			}
			if (used > 0)
				out[used++] = ';';
			memcpy(out + used, p, len);
			used += len;
			out[used] = '\0';
		}
		p += len + (p[len] == ';');
	}
	return true;
}

const char *next_hop_host(const char *host, const char *params, char *buf,
			  size_t size)
{
	const char *hop = host;

	for (const char *p = params; p && *p;) {
		size_t len = strcspn(p, ";");
		const char *eq = memchr(p, '=', len);

		if (eq && param_named(p, len, "maddr")) {
			size_t vlen = len - (size_t)(eq + 1 - p);

			if (vlen + 1 > size)
				return NULL;
			memcpy(buf, eq + 1, vlen);
			buf[vlen] = '\0';
			hop = buf;
		}
		p += len + (p[len] == ';');
	}
	return hop;
}

bool host_address(const char *host, int *family, unsigned char addr[16])
{
	char plain[64];
	size_t len = host ? strlen(host) : 0;

	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		if (len - 2 >= sizeof plain)
			return false;
		memcpy(plain, host + 1, len - 2);
		plain[len - 2] = '\0';
		*family = AF_INET6;
		return inet_pton(AF_INET6, plain, addr) == 1;
	}
	if (host && inet_pton(AF_INET, host, addr) == 1) {
		*family = AF_INET;
		return true;
	}
	*family = AF_INET6;
	return host && inet_pton(AF_INET6, host, addr) == 1;
}

bool host_is_localhost(const char *host)
{
	size_t n = host ? strlen(host) : 0;

	if (n && host[n - 1] == '.')
		n--;
	return (n == 9 && strncasecmp(host, "localhost", 9) == 0) ||
	       (n > 10 && strncasecmp(host + n - 10, ".localhost", 10) == 0);
}
