/*
 * referer.c - PURE state machine of the agent as a referer.
 * See referer.h.
 */
#include "referer.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static void clear(struct referer_actions *a)
{
	memset(a, 0, sizeof *a);
}

static void arm(const struct referer *r, struct referer_actions *a)
{
	if (!referer_done(r))
		a->wake_at = r->deadline_ms;
}

__attribute__((format(printf, 5, 6)))
static void finish(struct referer *r, bool success, int status,
		   struct referer_actions *a, const char *fmt, ...)
{
	va_list ap;

	r->state = success ? REFERER_SUCCEEDED : REFERER_FAILED;
	r->final_status = status;
	a->what |= RA_DONE;
	a->success = success;
	va_start(ap, fmt);
	vsnprintf(a->result, sizeof a->result, fmt, ap);
	va_end(ap);
}

bool referer_done(const struct referer *r)
{
	return r->state == REFERER_SUCCEEDED || r->state == REFERER_FAILED;
}

void referer_start(struct referer *r, uint64_t timeout_ms, uint64_t now_ms,
		   struct referer_actions *a)
{
	memset(r, 0, sizeof *r);
	clear(a);
	r->state = REFERER_SENT;
	r->timeout_ms = timeout_ms;
	r->deadline_ms = now_ms + timeout_ms;
	arm(r, a);
}

void referer_on_answer(struct referer *r, int status, const char *phrase,
		       bool refer_sub_false, uint64_t now_ms,
		       struct referer_actions *a)
{
	char text[SIPFRAG_MAX];

	clear(a);
	if (r->state == REFERER_SENT && status >= 200) {
		sipfrag_format(text, status, phrase);
		text[strcspn(text, "\r\n")] = '\0';
		if (status >= 300) {
			finish(r, false, status, a, "REFER refused: %s",
			       text + 8);
		} else if (refer_sub_false) {
			r->no_subscription = true;
			finish(r, true, status, a, "REFER accepted (%s) with "
			       "Refer-Sub: false: no NOTIFY will report how "
			       "the transfer ends", text + 8);
		} else {
			r->state = REFERER_WAITING;
			r->deadline_ms = now_ms + r->timeout_ms;
			a->what |= RA_REPORT;
			snprintf(a->line, sizeof a->line, "REFER accepted: %s",
				 text + 8);
		}
	}
	arm(r, a);
}

int referer_sipfrag_status(const char *body, size_t len,
			   char line[SIPFRAG_MAX])
{
	size_t n = 0;
	int code;

	if (!body || len < 11 || strncasecmp(body, "SIP/2.0 ", 8) != 0 ||
	    !isdigit((unsigned char)body[8]) ||
	    !isdigit((unsigned char)body[9]) ||
	    !isdigit((unsigned char)body[10]) ||
	    (len > 11 && body[11] != ' ' && body[11] != '\r' &&
	     body[11] != '\n'))
		return -1;
	code = (body[8] - '0') * 100 + (body[9] - '0') * 10 + body[10] - '0';
	if (code < 100 || code > 699)
		return -1;
	while (n < len && n < SIPFRAG_MAX - 1 && body[n] != '\r' &&
	       body[n] != '\n') {
		unsigned char c = (unsigned char)body[n];

		line[n++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	line[n] = '\0';
	return code;
}

int referer_on_notify(struct referer *r, const char *body, size_t len,
		      bool terminated, uint64_t now_ms,
		      struct referer_actions *a)
{
	char line[SIPFRAG_MAX];
	int code;

	(void)now_ms;
	clear(a);
	if (referer_done(r))
		return 481;
	code = referer_sipfrag_status(body, len, line);
	if (code < 0) {
		arm(r, a);
		return 400;
	}
	r->state = REFERER_WAITING;	/* a NOTIFY may overtake the 202 */
	r->notifies++;
	memcpy(r->last, line, sizeof line);
	a->what |= RA_REPORT;
	snprintf(a->line, sizeof a->line, "%s", line);
	if (code >= 200 && code < 300) {
		a->what |= RA_BYE;
		finish(r, true, code, a, "transfer succeeded: %s", line + 8);
	} else if (code >= 300) {
		finish(r, false, code, a, "transfer failed: %s", line + 8);
	} else if (terminated) {
		finish(r, false, code, a, "the subscription ended without a "
		       "final status (last: %s)", line + 8);
	}
	arm(r, a);
	return 200;
}

void referer_on_call_gone(struct referer *r, uint64_t now_ms,
			  struct referer_actions *a)
{
	(void)now_ms;
	clear(a);
	if (!referer_done(r))
		finish(r, false, 0, a, "%s", "the call ended before the "
		       "transfer's final status");
}

void referer_tick(struct referer *r, uint64_t now_ms,
		  struct referer_actions *a)
{
	clear(a);
	if (referer_done(r))
		return;
	if (now_ms >= r->deadline_ms)
		finish(r, false, 408, a, "%s", r->state == REFERER_SENT ?
		       "no answer to the REFER" :
		       "no final NOTIFY before the subscription timed out");
	arm(r, a);
}

/* RFC 3261 19.1.1 hvalue: unreserved characters stay, others are
 * percent-encoded. */
static bool plain(unsigned char c)
{
	return isalnum(c) || strchr("-_.!~*'()", c) != NULL;
}

static bool encode(char *buf, size_t size, size_t *n, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (*n + 4 > size)
			return false;
		if (plain(c)) {
			buf[(*n)++] = (char)c;
		} else {
			buf[(*n)++] = '%';
			buf[(*n)++] = hex[c >> 4];
			buf[(*n)++] = hex[c & 15];
		}
	}
	buf[*n] = '\0';
	return true;
}

int referer_replaces_uri(char *buf, size_t size, const char *uri,
			 const char *call_id, const char *to_tag,
			 const char *from_tag)
{
	int head;
	size_t n;

	if (strchr(uri, '?') || size == 0)
		return -1;
	head = snprintf(buf, size, "%s?Replaces=", uri);
	if (head < 0 || (size_t)head >= size)
		return -1;
	n = (size_t)head;
	if (!encode(buf, size, &n, call_id) ||
	    !encode(buf, size, &n, ";to-tag=") ||
	    !encode(buf, size, &n, to_tag) ||
	    !encode(buf, size, &n, ";from-tag=") ||
	    !encode(buf, size, &n, from_tag))
		return -1;
	return (int)n;
}
