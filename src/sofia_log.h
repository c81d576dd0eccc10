/*
 * sofia_log.h - Sofia-SIP's own diagnostics, into the daemon's log.
 *
 * sofia_log.c owns redirecting the su_log streams of the Sofia-SIP modules
 * the agent uses (su, nta, tport, sresolv) to log.c at debug level, one
 * log line per line Sofia-SIP writes, so nothing reaches stderr unasked.
 */
#ifndef STA_SOFIA_LOG_H
#define STA_SOFIA_LOG_H

void sofia_log_capture(void);

#endif
