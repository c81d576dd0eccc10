/*
 * service.h - talking to the service manager (systemd's sd_notify).
 *
 * service.c owns every sd_notify message: READY=1 with a STATUS= line once
 * the agent listens, STOPPING=1 when it shuts down.  Without NOTIFY_SOCKET
 * (not started by systemd) these do nothing.
 */
#ifndef STA_SERVICE_H
#define STA_SERVICE_H

void service_ready(char const *status);
void service_stopping(void);

#endif
