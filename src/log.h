/*
 * log.h - the daemon's log lines.
 *
 * log.c owns where log lines go and which are kept: to the journal, with
 * structured fields (TRANSFER_ID, SIP_CALL_ID, REFER_TO, SIP_STATUS), when
 * stderr is connected to it (run by systemd); otherwise readable lines on
 * stderr, "TIME LEVEL: message".  Lines below log.level are dropped.
 * Callers never print diagnostics themselves.
 */
#ifndef STA_LOG_H
#define STA_LOG_H

#include <stdarg.h>

#include "config.h"

/* Fields a transfer's log lines carry; zero / NULL members are left out. */
struct log_fields {
	unsigned long transfer_id;
	char const *call_id;
	char const *refer_to;
	int sip_status;
};

/* Decide between journal and stderr; call once at start. */
void log_open(void);
void log_set_level(enum sta_log_level level);

void log_with(enum sta_log_level level, struct log_fields const *fields,
	      char const *fmt, ...) __attribute__((format(printf, 3, 4)));

void log_withv(enum sta_log_level level, struct log_fields const *fields,
	       char const *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#define log_error(...) log_with(STA_LOG_ERROR, NULL, __VA_ARGS__)
#define log_warning(...) log_with(STA_LOG_WARNING, NULL, __VA_ARGS__)
#define log_notice(...) log_with(STA_LOG_NOTICE, NULL, __VA_ARGS__)
#define log_info(...) log_with(STA_LOG_INFO, NULL, __VA_ARGS__)
#define log_debug(...) log_with(STA_LOG_DEBUG, NULL, __VA_ARGS__)

#endif
