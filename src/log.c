/*
 * log.c - the daemon's log lines.  See log.h.
 */
#include "log.h"

#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

static enum sta_log_level threshold = STA_LOG_INFO;
static bool to_journal;

static const int level_priorities[] = {
	[STA_LOG_ERROR] = LOG_ERR,
	[STA_LOG_WARNING] = LOG_WARNING,
	[STA_LOG_NOTICE] = LOG_NOTICE,
	[STA_LOG_INFO] = LOG_INFO,
	[STA_LOG_DEBUG] = LOG_DEBUG,
};

/* systemd sets JOURNAL_STREAM to the device:inode of the stream it gave
 * the service as stderr; only then are the lines the journal's. */
void log_open(void)
{
	char const *stream = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	to_journal = stream &&
		     sscanf(stream, "%llu:%llu", &dev, &ino) == 2 &&
		     fstat(STDERR_FILENO, &st) == 0 &&
		     (unsigned long long)st.st_dev == dev &&
		     (unsigned long long)st.st_ino == ino;
}

void log_set_level(enum sta_log_level level)
{
	threshold = level;
}

/* "YYYY-MM-DDTHH:MM:SS" of SEC, formatted again only when the second
 * changes: localtime_r and strftime cost more than the rest of a line. */
static char const *stamp_of(time_t sec)
{
	static time_t cached = (time_t)-1;
	static char stamp[32];
	struct tm tm;

	if (sec != cached) {
		localtime_r(&sec, &tm);
		strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
		cached = sec;
	}
	return stamp;
}

/* The whole line in one write(2): stderr is unbuffered, and an fprintf
 * of several pieces would cost a system call each under load. */
static void to_stderr(enum sta_log_level level, char const *message)
{
	struct timespec ts;
	char line[2200];
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	n = snprintf(line, sizeof line, "%s.%03ld %s: %s\n",
		     stamp_of(ts.tv_sec), ts.tv_nsec / 1000000,
		     sta_log_level_names[level], message);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line) {
		n = sizeof line - 1;
		line[n - 1] = '\n';
	}
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;		/* nowhere left to say so */
}

/* One journal entry; every field is formatted into its own buffer. */
static void to_journal_entry(enum sta_log_level level,
			     struct log_fields const *f, char const *message)
{
	char prio[16], id[48], status[32];
	char *msg = NULL, *call = NULL, *refer = NULL;
	struct iovec iov[6];
	int n = 0;

	if (asprintf(&msg, "MESSAGE=%s", message) < 0)
		return;
	iov[n++] = (struct iovec){ msg, strlen(msg) };
	snprintf(prio, sizeof prio, "PRIORITY=%d", level_priorities[level]);
	iov[n++] = (struct iovec){ prio, strlen(prio) };
	if (f && f->transfer_id) {
		snprintf(id, sizeof id, "TRANSFER_ID=%lu", f->transfer_id);
		iov[n++] = (struct iovec){ id, strlen(id) };
	}
	if (f && f->call_id && asprintf(&call, "SIP_CALL_ID=%s",
					f->call_id) >= 0)
		iov[n++] = (struct iovec){ call, strlen(call) };
	if (f && f->refer_to && asprintf(&refer, "REFER_TO=%s",
					 f->refer_to) >= 0)
		iov[n++] = (struct iovec){ refer, strlen(refer) };
	if (f && f->sip_status) {
		snprintf(status, sizeof status, "SIP_STATUS=%d",
			 f->sip_status);
		iov[n++] = (struct iovec){ status, strlen(status) };
	}
	sd_journal_sendv(iov, n);
	free(msg);
	free(call);
	free(refer);
}

/* Peers put text into log lines (Call-IDs, URIs, phrases): a control
 * character becomes '?', so no line can be split or recoloured. */
static void defang(char *text)
{
	for (unsigned char *p = (unsigned char *)text; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
}

void log_withv(enum sta_log_level level, struct log_fields const *fields,
	       char const *fmt, va_list ap)
{
	int saved_errno = errno;	/* for %m, and for the caller */
	char message[2048];

	if (level > threshold)
		return;
	vsnprintf(message, sizeof message, fmt, ap);
	defang(message);
	if (to_journal)
		to_journal_entry(level, fields, message);
	else
		to_stderr(level, message);
	errno = saved_errno;
}

void log_with(enum sta_log_level level, struct log_fields const *fields,
	      char const *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_withv(level, fields, fmt, ap);
	va_end(ap);
}
