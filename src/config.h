/*
 * config.h - the daemon's configuration as a plain struct.
 *
 * config.c owns reading the libconfig file named on the command line into
 * struct sta_config, validating every key (type, range, cross-field rules)
 * and reporting every problem as "FILE:LINE: message".  Nothing else in the
 * daemon reads the file.  The struct holds only plain C data so the pure
 * modules and their tests can use it without libconfig.
 */
#ifndef STA_CONFIG_H
#define STA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "policy.h"

/* configure's sysconfdir (Makefile.am passes -DSYSCONFDIR). */
#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define STA_DEFAULT_CONFIG SYSCONFDIR "/sip-transfer-agent/sip-transfer-agent.conf"

/* control.socket's default: the build's runstatedir (Makefile.am). */
#ifndef RUNSTATEDIR
#define RUNSTATEDIR "/run"
#endif
#define STA_DEFAULT_CONTROL_SOCKET RUNSTATEDIR "/sip-transfer-agent/control.sock"

enum sta_log_level {
	STA_LOG_ERROR,
	STA_LOG_WARNING,
	STA_LOG_NOTICE,
	STA_LOG_INFO,
	STA_LOG_DEBUG,
};

/* One entry of `credentials`: what the agent answers a target's 401/407
 * for REALM with. */
struct sta_credential {
	char *realm;
	char *user;
	char *password;
};

/* "error" ... "debug": the names log.level takes, indexed by level. */
extern const char *const sta_log_level_names[STA_LOG_DEBUG + 1];

/* media.mode: what the calls the agent holds send. */
enum sta_media_mode {
	STA_MEDIA_SILENCE,		/* RTP silence of the negotiated codec */
	STA_MEDIA_FILE,			/* media.audio_file, looped */
	STA_MEDIA_NONE,			/* SDP only (media.sdp_file names a
					   media server) */
};

/* "silence", "file", "none", indexed by mode. */
extern const char *const sta_media_mode_names[STA_MEDIA_NONE + 1];

struct sta_config {
	char **listen;			/* SIP URIs to bind, at least one */
	int *listen_line;		/* the line of each, for errors */
	size_t n_listen;
	char *identity_from;		/* From of INVITEs; NULL: the agent's contact */
	char *outbound_proxy;		/* sip.outbound_proxy; NULL: none */
	char *resolv_conf;		/* sip.resolv_conf; NULL: /etc/resolv.conf */
	unsigned udp_buffer;		/* bytes, 0..64 MiB, default 4 MiB; 0: kernel's */
	unsigned tcp_idle_timeout;	/* s, 1..86400, default 60: unused
					   TCP/TLS connections are closed */
	unsigned sip_t1_ms;		/* sip.t1: RFC 3261 T1, ms, 50..4000,
					   default 500 */
	struct sta_credential *credentials;	/* for 401/407 from targets */
	size_t n_credentials;

	unsigned notify_interval_ms;	/* >= 1000, default 1000 */
	unsigned subscription_expires;	/* s, 1..86400, default 120 */
	unsigned invite_timeout;	/* s, 1..3600, default 60 */
	unsigned max_redirects;		/* 0..10, default 0 */
	unsigned max_call_duration;	/* s, 1..604800, default 14400 */

	unsigned max_active;		/* 1..1000000, default 10000 */
	unsigned per_source_rate;	/* REFERs/s per source, 1..100000, default 50 */
	unsigned max_rate;		/* REFERs/s accepted in all, 0..1000000;
					   0 (default): no such limit */
	unsigned max_calls;		/* calls the agent holds at once,
					   1..1000000, default 1000 */
	bool overload_control;		/* shed new work when behind (sip_overload.c);
					   default true */
	unsigned max_connections;	/* accepted TCP/TLS connections open
					   at once, 1..1000000, default 1024 */

	struct cidr *allow_from;	/* empty: nobody may refer */
	size_t n_allow_from;
	char **targets;			/* fnmatch globs over user@host:port */
	size_t n_targets;
	char *tel_domain;		/* NULL: tel: Refer-To gets 416 */

	char *sdp_file;			/* path of the SDP offer; NULL: none,
					   the built-in offer (sdp_offer.c) */
	char *sdp;			/* its contents, read at load time */
	enum sta_media_mode media_mode;	/* default silence */
	char *audio_file;		/* WAV, 8 kHz mono 16-bit; mode "file" */
	int16_t *audio;			/* its samples (mode "file" only) */
	size_t n_audio;
	uint16_t rtp_port_low;		/* media.rtp_ports, default */
	uint16_t rtp_port_high;		/* 20000-29999 */

	unsigned shutdown_grace;	/* s, 0..3600, default 10 */

	char *auth_realm;		/* auth group; NULL: no authentication */
	char *auth_users_file;		/* user:realm:ha1 lines */
	struct cidr *auth_trusted;	/* sources that skip authentication */
	size_t n_auth_trusted;
	unsigned auth_nonce_expires;	/* s, 10..86400, default 300 */

	char *tls_certificate;		/* PEM files for sips:/transport=tls */
	char *tls_key;
	char *metrics_listen;		/* "host:port" of GET /metrics; NULL: off */
	char *control_socket;		/* control.socket, a UNIX socket path
					   (< 108 bytes); NULL: "" (off) */
	enum sta_log_level log_level;	/* log.level, default info */
};

/*
 * Read and validate PATH into *CFG (which the caller zeroes or frees first).
 * Every error is printed to ERR as "PATH:LINE: message" (PATH as given, line
 * 0 when the file could not be read).  Returns 0 when the file is valid, -1
 * otherwise; on -1 *CFG holds nothing that needs freeing.
 */
int config_load(const char *path, struct sta_config *cfg, FILE *err);

/* Release everything config_load allocated; leaves *CFG zeroed. */
void config_free(struct sta_config *cfg);

#endif
