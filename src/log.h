/*
 * log.h - the daemon's log lines.
 *
 * log.c owns where log lines go and which are kept: stderr, one line each,
 * "TIME LEVEL: message", filtered by log.level.  Callers never print
 * diagnostics themselves.
 */
#ifndef STA_LOG_H
#define STA_LOG_H

#include "config.h"

void log_set_level(enum sta_log_level level);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
