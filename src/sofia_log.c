/*
 * sofia_log.c - Sofia-SIP's own diagnostics, into the daemon's log.
 * See sofia_log.h.
 */
#include "sofia_log.h"

#include <stdio.h>
#include <string.h>

#include <sofia-sip/su_log.h>

#include "log.h"

/* Defined by libsofia-sip-ua, declared only in its private headers. */
extern su_log_t nta_log[], tport_log[], sresolv_log[];

/* Sofia-SIP writes a line in pieces; they are gathered here until its
 * newline.  All of it runs in the event loop's thread. */
static char pending[1024];
static size_t pending_len;

static void flush_line(void)
{
	while (pending_len && (pending[pending_len - 1] == '\n' ||
			       pending[pending_len - 1] == '\r'))
		pending_len--;
	pending[pending_len] = '\0';
	if (pending_len)
		log_debug("sofia-sip: %s", pending);
	pending_len = 0;
}

__attribute__((format(printf, 2, 0)))
static void on_sofia_log(void *stream, char const *fmt, va_list ap)
{
	int n;

	(void)stream;
	n = vsnprintf(pending + pending_len, sizeof pending - pending_len,
		      fmt, ap);
	if (n < 0)
		return;
	pending_len += (size_t)n;
	if (pending_len >= sizeof pending - 1)
		pending_len = sizeof pending - 1;
	if (pending_len >= sizeof pending - 1 || strchr(fmt, '\n'))
		flush_line();
}

void sofia_log_capture(void)
{
	su_log_redirect(su_log_default, on_sofia_log, NULL);
	su_log_redirect(nta_log, on_sofia_log, NULL);
	su_log_redirect(tport_log, on_sofia_log, NULL);
	su_log_redirect(sresolv_log, on_sofia_log, NULL);
}
