/*
 * log.c - the daemon's log lines.  See log.h.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static enum sta_log_level threshold = STA_LOG_INFO;

static const char *const level_names[] = {
	[STA_LOG_ERROR] = "error",
	[STA_LOG_WARNING] = "warning",
	[STA_LOG_NOTICE] = "notice",
	[STA_LOG_INFO] = "info",
	[STA_LOG_DEBUG] = "debug",
};

void log_set_level(enum sta_log_level level)
{
	threshold = level;
}

__attribute__((format(printf, 2, 0)))
static void log_line(enum sta_log_level level, const char *fmt, va_list ap)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];

	if (level > threshold)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	flockfile(stderr);
	fprintf(stderr, "%s.%03ld %s: ", stamp, ts.tv_nsec / 1000000,
		level_names[level]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

#define DEFINE_LOG(name, level)                        \
	void name(const char *fmt, ...)                \
	{                                              \
		va_list ap;                            \
		va_start(ap, fmt);                     \
		log_line(level, fmt, ap);              \
		va_end(ap);                            \
	}

DEFINE_LOG(log_error, STA_LOG_ERROR)
DEFINE_LOG(log_warning, STA_LOG_WARNING)
DEFINE_LOG(log_notice, STA_LOG_NOTICE)
DEFINE_LOG(log_info, STA_LOG_INFO)
DEFINE_LOG(log_debug, STA_LOG_DEBUG)
