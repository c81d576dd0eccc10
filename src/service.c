/*
 * service.c - talking to the service manager.  See service.h.
 */
#include "service.h"

#include <systemd/sd-daemon.h>

void service_ready(char const *status)
{
	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

void service_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}
