/*
 * service.h - talking to the service manager (systemd's sd_notify).
 *
 * service.c owns every sd_notify message: READY=1 once the agent listens,
 * STATUS= summaries, WATCHDOG=1 pings, RELOADING=1 around a reload and
 * STOPPING=1 when it shuts down.  Without NOTIFY_SOCKET (not started by
 * systemd) these do nothing.
 */
#ifndef STA_SERVICE_H
#define STA_SERVICE_H

#include <stdint.h>

void service_ready(char const *status);
void service_status(char const *status);
void service_reloading(void);
void service_stopping(void);
void service_watchdog_ping(void);

/* The watchdog interval systemd asked for (WatchdogSec=), in ms; 0 when
 * the watchdog is off. */
uint64_t service_watchdog_ms(void);

#endif
