/*
 * service.c - talking to the service manager.  See service.h.
 */
#include "service.h"

#include <systemd/sd-daemon.h>

void service_ready(char const *status)
{
	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

void service_status(char const *status)
{
	sd_notifyf(0, "STATUS=%s", status);
}

void service_reloading(void)
{
	sd_notify(0, "RELOADING=1");
}

void service_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

void service_watchdog_ping(void)
{
	sd_notify(0, "WATCHDOG=1");
}

uint64_t service_watchdog_ms(void)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0)
		return 0;
	return usec / 1000;
}
