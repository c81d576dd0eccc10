/*
 * control.h - the control socket of sip-transfer-agentctl (SPEC 9).
 *
 * control.c owns the UNIX stream socket control.socket: creating it (mode
 * 0660, the agent's user and group, a stale file replaced), accepting at
 * most CONTROL_MAX_CLIENTS clients, reading their request lines (at most
 * CONTROL_LINE_MAX bytes) and writing the answers, all non-blocking inside
 * the su_root loop, and removing the file at exit.  Each request is one
 * flat JSON object (json.c) naming a command in a table; the commands are
 * thin adapters over state the SIP side already keeps (sip_agent.h,
 * sip_transfer.h, sip_dialog.h, sip_referer.h).  It decides nothing about
 * SIP itself.
 */
#ifndef STA_CONTROL_H
#define STA_CONTROL_H

#include <stdbool.h>
#include <stdio.h>

struct sta_agent;
struct sta_control;

#define CONTROL_MAX_CLIENTS 16
#define CONTROL_LINE_MAX 4096

/* What the daemon does for `reload`: the SIGHUP reload, its errors
 * written to ERR; true when the new file is in force. */
struct control_hooks {
	bool (*reload)(void *ctx, FILE *err);
	void *ctx;
};

/* Create the socket at PATH and serve it in AGENT's loop.  Returns NULL
 * (after logging why) when it cannot be created. */
struct sta_control *control_start(struct sta_agent *agent, char const *path,
				  struct control_hooks const *hooks);

/* Close every client and the socket, and remove its file. */
void control_stop(struct sta_control *c);

#endif
