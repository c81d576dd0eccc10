/*
 * config.c - the configuration file, from libconfig text to struct sta_config.
 *
 * Owns: opening and parsing the file, checking every key against the tables
 * below (name, type, range), filling in the defaults of absent keys, parsing
 * policy.allow_from with cidr_parse(), reading media.sdp_file into memory and
 * media.audio_file (mode "file") into samples, checked by wav_parse().
 * Every problem is printed as "FILE:LINE: message" and checking goes on, so
 * one run shows them all; only a syntax error stops it.
 *
 * API (config.h): config_load() fills a struct or prints the errors and
 * leaves it empty; config_free() releases a loaded struct.
 *
 * Must not: log through log.c or exit (errors go to the caller's FILE *, so
 * --check-config and SIGHUP reload decide where they appear), or keep any
 * libconfig object once config_load() returns.
 */
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <libconfig.h>

#include "config.h"
#include "port_range.h"
#include "wav.h"


#define SDP_MAX (64 * 1024)
#define AUDIO_MAX (32 * 1024 * 1024)	/* bytes: over half an hour */

/* One load in progress: where errors go and how many there were. */
struct loader {
	const char *path;		/* the file name as the caller gave it */
	FILE *err;
	struct sta_config *cfg;
	int errors;
};

struct key;
typedef void load_fn(struct loader *, const config_setting_t *,
		     const struct key *);

/*
 * One known key.  NAME is the full dotted name used in messages; a setting
 * matches it by the part after the last dot.
 */
struct key {
	const char *name;
	load_fn *load;
	const struct key *members;	/* groups: their keys, name NULL ends */
	long long min, max;		/* integers: the accepted range */
	size_t off;			/* where the value lands in sta_config */
	size_t off_n;			/* arrays: where their length lands */
};

const char *const sta_log_level_names[STA_LOG_DEBUG + 1] = {
	[STA_LOG_ERROR] = "error",
	[STA_LOG_WARNING] = "warning",
	[STA_LOG_NOTICE] = "notice",
	[STA_LOG_INFO] = "info",
	[STA_LOG_DEBUG] = "debug",
};

static void __attribute__((format(printf, 4, 0)))
vreport(struct loader *ld, const char *file, unsigned line, const char *fmt,
	va_list ap)
{
	fprintf(ld->err, "%s:%u: ", file != NULL ? file : ld->path, line);
	vfprintf(ld->err, fmt, ap);
	fputc('\n', ld->err);
	ld->errors++;
}

/* An error in FILE (NULL: the main file) at LINE. */
static void __attribute__((format(printf, 4, 5)))
report_line(struct loader *ld, const char *file, unsigned line,
	    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ld, file, line, fmt, ap);
	va_end(ap);
}

/* An error at setting AT, or at line 0 of the file when AT is NULL. */
static void __attribute__((format(printf, 3, 4)))
report(struct loader *ld, const config_setting_t *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (at == NULL)
		vreport(ld, NULL, 0, fmt, ap);
	else
		vreport(ld, config_setting_source_file(at),
			config_setting_source_line(at), fmt, ap);
	va_end(ap);
}

static void *field(struct loader *ld, const struct key *k)
{
	return (char *)ld->cfg + k->off;
}

static char *dup_or_report(struct loader *ld, const config_setting_t *at,
			   const char *s)
{
	char *copy = strdup(s);

	if (copy == NULL)
		report(ld, at, "out of memory");
	return copy;
}

static void load_uint(struct loader *ld, const config_setting_t *s,
		      const struct key *k)
{
	long long v;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		report(ld, s, "%s: expected an integer", k->name);
		return;
	}
	v = config_setting_get_int64(s);
	if (v < k->min || v > k->max) {
		report(ld, s, "%s: %lld is out of range (%lld..%lld)",
		       k->name, v, k->min, k->max);
		return;
	}
	*(unsigned *)field(ld, k) = (unsigned)v;
}

static void load_bool(struct loader *ld, const config_setting_t *s,
		      const struct key *k)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		report(ld, s, "%s: expected true or false", k->name);
		return;
	}
	*(bool *)field(ld, k) = config_setting_get_bool(s);
}

/* The value of S when it is a non-empty string; NULL after reporting. */
static const char *get_string(struct loader *ld, const config_setting_t *s,
			      const struct key *k)
{
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		report(ld, s, "%s: expected a string", k->name);
		return NULL;
	}
	v = config_setting_get_string(s);
	if (*v == '\0') {
		report(ld, s, "%s: must not be empty", k->name);
		return NULL;
	}
	return v;
}

static void load_string(struct loader *ld, const config_setting_t *s,
			const struct key *k)
{
	const char *v = get_string(ld, s, k);

	if (v != NULL)
		*(char **)field(ld, k) = dup_or_report(ld, s, v);
}

/* A UNIX socket path: "" turns the control socket off (NULL). */
static void load_socket_path(struct loader *ld, const config_setting_t *s,
			     const struct key *k)
{
	char **to = field(ld, k);
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		report(ld, s, "%s: expected a string", k->name);
		return;
	}
	v = config_setting_get_string(s);
	free(*to);
	*to = NULL;
	if (*v == '\0')
		return;
	if (strlen(v) >= sizeof ((struct sockaddr_un *)0)->sun_path)
		report(ld, s, "%s: '%s' is longer than a UNIX socket path "
		       "may be (%zu bytes)", k->name, v,
		       sizeof ((struct sockaddr_un *)0)->sun_path - 1);
	else
		*to = dup_or_report(ld, s, v);
}

static void load_level(struct loader *ld, const config_setting_t *s,
		       const struct key *k)
{
	const char *v = get_string(ld, s, k);
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i <= STA_LOG_DEBUG; i++) {
		if (strcmp(v, sta_log_level_names[i]) == 0) {
			*(enum sta_log_level *)field(ld, k) = i;
			return;
		}
	}
	report(ld, s, "%s: '%s' is not one of error, warning, notice, info, "
	       "debug", k->name, v);
}

const char *const sta_media_mode_names[STA_MEDIA_NONE + 1] = {
	[STA_MEDIA_SILENCE] = "silence",
	[STA_MEDIA_FILE] = "file",
	[STA_MEDIA_NONE] = "none",
};

static void load_media_mode(struct loader *ld, const config_setting_t *s,
			    const struct key *k)
{
	const char *v = get_string(ld, s, k);
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i <= STA_MEDIA_NONE; i++) {
		if (strcmp(v, sta_media_mode_names[i]) == 0) {
			ld->cfg->media_mode = i;
			return;
		}
	}
	report(ld, s, "%s: '%s' is not one of silence, file, none", k->name,
	       v);
}

static void load_port_range(struct loader *ld, const config_setting_t *s,
			    const struct key *k)
{
	const char *v = get_string(ld, s, k);

	if (v != NULL && !port_range_parse(v, &ld->cfg->rtp_port_low,
					   &ld->cfg->rtp_port_high))
		report(ld, s, "%s: '%s' is not a range LOW-HIGH of UDP ports "
		       "(1024 <= LOW < HIGH <= 65535, holding an even port "
		       "and the odd one above it)", k->name, v);
}

/*
 * True when S is an array or a list of strings (an empty one included);
 * otherwise reports at the first element that is not a string, or at S.
 */
static bool is_string_array(struct loader *ld, const config_setting_t *s,
			    const struct key *k)
{
	const config_setting_t *e;
	int i;

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		report(ld, s, "%s: expected an array of strings", k->name);
		return false;
	}
	for (i = 0; i < config_setting_length(s); i++) {
		e = config_setting_get_elem(s, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			report(ld, e, "%s: expected an array of strings",
			       k->name);
			return false;
		}
	}
	return true;
}

/*
 * Copy the strings of array S into a new vector at *OUT, *N entries (none:
 * NULL, 0).  Unfilled entries stay NULL after an allocation failure, so
 * config_free() can always release the vector.
 */
static void copy_strings(struct loader *ld, const config_setting_t *s,
			 char ***out, size_t *n)
{
	size_t i, len = (size_t)config_setting_length(s);

	if (len == 0)
		return;
	*out = calloc(len, sizeof **out);
	if (*out == NULL) {
		report(ld, s, "out of memory");
		return;
	}
	*n = len;
	for (i = 0; i < len; i++)
		(*out)[i] = dup_or_report(ld, s,
					  config_setting_get_string_elem(s, i));
}

static bool is_sip_uri(const char *s)
{
	return strncmp(s, "sip:", 4) == 0 || strncmp(s, "sips:", 5) == 0;
}

static void load_listen(struct loader *ld, const config_setting_t *s,
			const struct key *k)
{
	struct sta_config *cfg = ld->cfg;
	size_t i;

	if (!is_string_array(ld, s, k))
		return;
	if (config_setting_length(s) == 0) {
		report(ld, s, "%s: at least one sip: or sips: URI is required",
		       k->name);
		return;
	}
	copy_strings(ld, s, &cfg->listen, &cfg->n_listen);
	cfg->listen_line = calloc(cfg->n_listen, sizeof *cfg->listen_line);
	if (cfg->listen_line == NULL)
		report(ld, s, "out of memory");
	for (i = 0; cfg->listen_line && i < cfg->n_listen; i++)
		cfg->listen_line[i] = config_setting_source_line(
			config_setting_get_elem(s, (unsigned)i));
	for (i = 0; i < cfg->n_listen; i++) {
		if (cfg->listen[i] != NULL && !is_sip_uri(cfg->listen[i]))
			report(ld, config_setting_get_elem(s, i),
			       "%s: '%s' is not a sip: or sips: URI", k->name,
			       cfg->listen[i]);
	}
}

static void load_sip_uri(struct loader *ld, const config_setting_t *s,
			 const struct key *k)
{
	const char *v = get_string(ld, s, k);

	if (v != NULL && !is_sip_uri(v))
		report(ld, s, "%s: '%s' is not a sip: or sips: URI", k->name,
		       v);
	else if (v != NULL)
		*(char **)field(ld, k) = dup_or_report(ld, s, v);
}

/* Where the value of credentials member NAME lands in C; NULL when the
 * name is not a member. */
static char **credential_field(struct sta_credential *c, const char *name)
{
	if (strcmp(name, "realm") == 0)
		return &c->realm;
	if (strcmp(name, "user") == 0)
		return &c->user;
	if (strcmp(name, "password") == 0)
		return &c->password;
	return NULL;
}

static void load_credential(struct loader *ld, const config_setting_t *g,
			    struct sta_credential *c, const struct key *k)
{
	const config_setting_t *s;
	char **slot;
	const char *v;
	int i;

	if (!config_setting_is_group(g)) {
		report(ld, g, "%s: expected a group { realm; user; password; }",
		       k->name);
		return;
	}
	for (i = 0; i < config_setting_length(g); i++) {
		s = config_setting_get_elem(g, i);
		slot = credential_field(c, config_setting_name(s));
		if (slot == NULL)
			report(ld, s, "unknown key '%s.%s'", k->name,
			       config_setting_name(s));
		else if ((v = get_string(ld, s, k)) != NULL)
			*slot = dup_or_report(ld, s, v);
	}
	if (!c->realm || !c->user || !c->password)
		report(ld, g, "%s: an entry needs realm, user and password",
		       k->name);
}

static void load_credentials(struct loader *ld, const config_setting_t *s,
			     const struct key *k)
{
	struct sta_config *cfg = ld->cfg;
	size_t i, len;

	if (!config_setting_is_list(s)) {
		report(ld, s, "%s: expected a list ( { ... }, ... )", k->name);
		return;
	}
	len = (size_t)config_setting_length(s);
	if (len == 0)
		return;
	cfg->credentials = calloc(len, sizeof *cfg->credentials);
	if (cfg->credentials == NULL) {
		report(ld, s, "out of memory");
		return;
	}
	cfg->n_credentials = len;
	for (i = 0; i < len; i++)
		load_credential(ld, config_setting_get_elem(s, (unsigned)i),
				&cfg->credentials[i], k);
}

static void load_targets(struct loader *ld, const config_setting_t *s,
			 const struct key *k)
{
	if (is_string_array(ld, s, k))
		copy_strings(ld, s, &ld->cfg->targets, &ld->cfg->n_targets);
}

/* An array of CIDR strings into the struct cidr vector at K->off, its
 * length at K->off_n. */
static void load_cidrs(struct loader *ld, const config_setting_t *s,
		       const struct key *k)
{
	struct cidr **list = field(ld, k);
	const config_setting_t *e;
	size_t i, len;

	if (!is_string_array(ld, s, k))
		return;
	len = (size_t)config_setting_length(s);
	if (len == 0)
		return;
	*list = calloc(len, sizeof **list);
	if (*list == NULL) {
		report(ld, s, "out of memory");
		return;
	}
	*(size_t *)((char *)ld->cfg + k->off_n) = len;
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(s, i);
		if (cidr_parse(config_setting_get_string(e), &(*list)[i]) != 0)
			report(ld, e, "%s: '%s' is not an address/prefix",
			       k->name, config_setting_get_string(e));
	}
}

/* A file the agent will read: it must exist and be readable now.  With
 * PRIVATE, it must not be readable by every user (secrets). */
static void load_file(struct loader *ld, const config_setting_t *s,
		      const struct key *k, bool private)
{
	const char *v = get_string(ld, s, k);
	struct stat st;

	if (v == NULL)
		return;
	if (access(v, R_OK) != 0 || stat(v, &st) != 0)
		report(ld, s, "%s: cannot read '%s': %s", k->name, v,
		       strerror(errno));
	else if (private && (st.st_mode & S_IROTH))
		report(ld, s, "%s: '%s' is readable by every user (mode "
		       "%04o); allow the service only (e.g. 0640)", k->name,
		       v, (unsigned)(st.st_mode & 07777));
	else
		*(char **)field(ld, k) = dup_or_report(ld, s, v);
}

static void load_public_file(struct loader *ld, const config_setting_t *s,
			     const struct key *k)
{
	load_file(ld, s, k, false);
}

static void load_private_file(struct loader *ld, const config_setting_t *s,
			      const struct key *k)
{
	load_file(ld, s, k, true);
}

/*
 * True when S is "A.B.C.D:PORT" or "[IPV6]:PORT": a numeric host (as
 * getaddrinfo() reads it) and a port 1..65535.  metrics_http.c binds by
 * the same rules.
 */
static bool is_host_port(const char *s)
{
	struct addrinfo hints = {
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
		.ai_socktype = SOCK_STREAM,
	};
	struct addrinfo *ai;
	const char *end, *port;
	char host[64], *stop;
	unsigned long n;

	if (*s == '[') {
		end = strchr(++s, ']');
		if (end == NULL || end[1] != ':')
			return false;
		port = end + 2;
		hints.ai_family = AF_INET6;
	} else {
		end = strchr(s, ':');
		if (end == NULL || strchr(end + 1, ':') != NULL)
			return false;
		port = end + 1;
		hints.ai_family = AF_INET;
	}
	if (end == s || (size_t)(end - s) >= sizeof host ||
	    *port < '0' || *port > '9')
		return false;
	n = strtoul(port, &stop, 10);
	if (*stop != '\0' || n < 1 || n > 65535)
		return false;
	memcpy(host, s, (size_t)(end - s));
	host[end - s] = '\0';
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return false;
	freeaddrinfo(ai);
	return true;
}

static void load_host_port(struct loader *ld, const config_setting_t *s,
			   const struct key *k)
{
	const char *v = get_string(ld, s, k);

	if (v == NULL)
		return;
	if (!is_host_port(v))
		report(ld, s, "%s: '%s' is not an address:port", k->name, v);
	else
		*(char **)field(ld, k) = dup_or_report(ld, s, v);
}

static const struct key *find_key(const struct key *table, const char *name)
{
	const char *dot;

	for (; table->name != NULL; table++) {
		dot = strrchr(table->name, '.');
		if (strcmp(dot != NULL ? dot + 1 : table->name, name) == 0)
			return table;
	}
	return NULL;
}

/* Load every setting of GROUP through TABLE; PREFIX names the group in
 * messages (NULL for the top level). */
static void load_members(struct loader *ld, const config_setting_t *group,
			 const struct key *table, const char *prefix)
{
	const config_setting_t *s;
	const struct key *k;
	int i;

	for (i = 0; i < config_setting_length(group); i++) {
		s = config_setting_get_elem(group, i);
		k = find_key(table, config_setting_name(s));
		if (k != NULL)
			k->load(ld, s, k);
		else if (prefix != NULL)
			report(ld, s, "unknown key '%s.%s'", prefix,
			       config_setting_name(s));
		else
			report(ld, s, "unknown key '%s'",
			       config_setting_name(s));
	}
}

static void load_group(struct loader *ld, const config_setting_t *s,
		       const struct key *k)
{
	if (!config_setting_is_group(s))
		report(ld, s, "%s: expected a group", k->name);
	else
		load_members(ld, s, k->members, k->name);
}

#define UINT_KEY(n, lo, hi, f) { .name = (n), .load = load_uint, \
	.min = (lo), .max = (hi), .off = offsetof(struct sta_config, f) }
#define STRING_KEY(n, f) { .name = (n), .load = load_string, \
	.off = offsetof(struct sta_config, f) }
#define GROUP_KEY(n, m) { .name = (n), .load = load_group, .members = (m) }

static const struct key identity_keys[] = {
	STRING_KEY("identity.from", identity_from),
	{ .name = NULL },
};

static const struct key sip_keys[] = {
	{ .name = "sip.outbound_proxy", .load = load_sip_uri,
	  .off = offsetof(struct sta_config, outbound_proxy) },
	UINT_KEY("sip.udp_buffer", 0, 64 << 20, udp_buffer),
	{ .name = "sip.resolv_conf", .load = load_public_file,
	  .off = offsetof(struct sta_config, resolv_conf) },
	UINT_KEY("sip.tcp_idle_timeout", 1, 86400, tcp_idle_timeout),
	UINT_KEY("sip.t1", 50, 4000, sip_t1_ms),
	{ .name = NULL },
};

static const struct key transfer_keys[] = {
	UINT_KEY("transfer.notify_interval", 1000, 60000, notify_interval_ms),
	UINT_KEY("transfer.subscription_expires", 1, 86400,
		 subscription_expires),
	UINT_KEY("transfer.invite_timeout", 1, 3600, invite_timeout),
	UINT_KEY("transfer.max_redirects", 0, 10, max_redirects),
	UINT_KEY("transfer.max_call_duration", 1, 604800, max_call_duration),
	{ .name = NULL },
};

static const struct key limits_keys[] = {
	UINT_KEY("limits.max_active", 1, 1000000, max_active),
	UINT_KEY("limits.per_source_rate", 1, 100000, per_source_rate),
	UINT_KEY("limits.max_rate", 0, 1000000, max_rate),
	UINT_KEY("limits.max_calls", 1, 1000000, max_calls),
	UINT_KEY("limits.max_connections", 1, 1000000, max_connections),
	{ .name = "limits.overload_control", .load = load_bool,
	  .off = offsetof(struct sta_config, overload_control) },
	{ .name = NULL },
};

static const struct key policy_keys[] = {
	{ .name = "policy.allow_from", .load = load_cidrs,
	  .off = offsetof(struct sta_config, allow_from),
	  .off_n = offsetof(struct sta_config, n_allow_from) },
	{ .name = "policy.targets", .load = load_targets },
	STRING_KEY("policy.tel_domain", tel_domain),
	{ .name = NULL },
};

static const struct key media_keys[] = {
	STRING_KEY("media.sdp_file", sdp_file),
	{ .name = "media.mode", .load = load_media_mode },
	STRING_KEY("media.audio_file", audio_file),
	{ .name = "media.rtp_ports", .load = load_port_range },
	{ .name = NULL },
};

static const struct key shutdown_keys[] = {
	UINT_KEY("shutdown.grace", 0, 3600, shutdown_grace),
	{ .name = NULL },
};

static const struct key metrics_keys[] = {
	{ .name = "metrics.listen", .load = load_host_port,
	  .off = offsetof(struct sta_config, metrics_listen) },
	{ .name = NULL },
};

static const struct key control_keys[] = {
	{ .name = "control.socket", .load = load_socket_path,
	  .off = offsetof(struct sta_config, control_socket) },
	{ .name = NULL },
};

static const struct key auth_keys[] = {
	STRING_KEY("auth.realm", auth_realm),
	{ .name = "auth.users_file", .load = load_private_file,
	  .off = offsetof(struct sta_config, auth_users_file) },
	{ .name = "auth.trusted", .load = load_cidrs,
	  .off = offsetof(struct sta_config, auth_trusted),
	  .off_n = offsetof(struct sta_config, n_auth_trusted) },
	UINT_KEY("auth.nonce_expires", 10, 86400, auth_nonce_expires),
	{ .name = NULL },
};

static const struct key tls_keys[] = {
	{ .name = "tls.certificate", .load = load_public_file,
	  .off = offsetof(struct sta_config, tls_certificate) },
	{ .name = "tls.key", .load = load_private_file,
	  .off = offsetof(struct sta_config, tls_key) },
	{ .name = NULL },
};

static const struct key log_keys[] = {
	{ .name = "log.level", .load = load_level,
	  .off = offsetof(struct sta_config, log_level) },
	{ .name = NULL },
};

static const struct key top_keys[] = {
	{ .name = "listen", .load = load_listen },
	GROUP_KEY("identity", identity_keys),
	GROUP_KEY("sip", sip_keys),
	{ .name = "credentials", .load = load_credentials },
	GROUP_KEY("transfer", transfer_keys),
	GROUP_KEY("limits", limits_keys),
	GROUP_KEY("policy", policy_keys),
	GROUP_KEY("media", media_keys),
	GROUP_KEY("shutdown", shutdown_keys),
	GROUP_KEY("metrics", metrics_keys),
	GROUP_KEY("control", control_keys),
	GROUP_KEY("auth", auth_keys),
	GROUP_KEY("tls", tls_keys),
	GROUP_KEY("log", log_keys),
	{ .name = NULL },
};

/*
 * Read PATH whole into a NUL-terminated buffer the caller frees.  *LEN gets
 * its size, which is MAX + 1 when the file is larger than MAX bytes.
 * Returns NULL with errno set when the file cannot be opened or read.
 */
static char *read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf, *shrunk;
	int error;

	if (f == NULL)
		return NULL;
	buf = malloc(max + 2);
	if (buf == NULL) {
		fclose(f);
		errno = ENOMEM;
		return NULL;
	}
	*len = fread(buf, 1, max + 1, f);
	error = ferror(f) ? errno : 0;
	fclose(f);
	if (error != 0) {
		free(buf);
		errno = error;
		return NULL;
	}
	buf[*len] = '\0';
	shrunk = realloc(buf, *len + 1);	/* give back the unused room */
	if (shrunk != NULL)
		buf = shrunk;
	return buf;
}

/* Read cfg->sdp_file into cfg->sdp; AT is its setting. */
static void read_sdp(struct loader *ld, const config_setting_t *at)
{
	struct sta_config *cfg = ld->cfg;
	const char *name = "media.sdp_file";
	size_t len;

	cfg->sdp = read_file(cfg->sdp_file, SDP_MAX, &len);
	if (cfg->sdp == NULL)
		report(ld, at, "%s: cannot read '%s': %s", name,
		       cfg->sdp_file, strerror(errno));
	else if (len > SDP_MAX)
		report(ld, at, "%s: '%s' is larger than %d bytes", name,
		       cfg->sdp_file, SDP_MAX);
	else if (len == 0)
		report(ld, at, "%s: '%s' is empty", name, cfg->sdp_file);
	else if (strncmp(cfg->sdp, "v=0", 3) != 0)
		report(ld, at, "%s: '%s' is not an SDP offer (it must begin "
		       "with v=0)", name, cfg->sdp_file);
}

/* Read media.sdp_file when it is set (and not already reported as
 * wrong); without it the agent builds its own offer. */
static void load_sdp(struct loader *ld, const config_setting_t *root)
{
	const config_setting_t *media = config_setting_get_member(root, "media");
	const config_setting_t *at;

	if (media == NULL || !config_setting_is_group(media))
		return;
	at = config_setting_get_member(media, "sdp_file");
	if (at != NULL && ld->cfg->sdp_file != NULL)
		read_sdp(ld, at);
}

/* Decode the WAV file read into BUF (LEN bytes) into cfg->audio; the
 * reason it is refused, or NULL. */
static const char *decode_audio(struct sta_config *cfg, const char *buf,
				size_t len)
{
	const uint8_t *data;
	const char *why = wav_parse((const uint8_t *)buf, len, &data,
				    &cfg->n_audio);

	if (why != NULL)
		return why;
	cfg->audio = malloc(cfg->n_audio * sizeof *cfg->audio);
	if (cfg->audio == NULL)
		return "out of memory";
	for (size_t i = 0; i < cfg->n_audio; i++)
		cfg->audio[i] = wav_sample(data, i);
	return NULL;
}

/* media.mode "file" needs media.audio_file: readable, a WAV of 8 kHz mono
 * 16-bit PCM.  Its samples land in cfg->audio. */
static void load_audio(struct loader *ld, const config_setting_t *root)
{
	const config_setting_t *media = config_setting_get_member(root,
								  "media");
	const config_setting_t *at = NULL;
	const char *name = "media.audio_file", *why;
	struct sta_config *cfg = ld->cfg;
	size_t len;
	char *buf;

	if (cfg->media_mode != STA_MEDIA_FILE)
		return;
	if (media != NULL && config_setting_is_group(media))
		at = config_setting_get_member(media, "audio_file");
	if (cfg->audio_file == NULL) {
		report(ld, media, "%s: required when media.mode is \"file\"",
		       name);
		return;
	}
	buf = read_file(cfg->audio_file, AUDIO_MAX, &len);
	if (buf == NULL) {
		report(ld, at, "%s: cannot read '%s': %s", name,
		       cfg->audio_file, strerror(errno));
		return;
	}
	why = len > AUDIO_MAX ? "too large" : decode_audio(cfg, buf, len);
	if (why != NULL)
		report(ld, at, "%s: '%s' is not a WAV of 8000 Hz mono 16-bit "
		       "PCM (%s)", name, cfg->audio_file, why);
	free(buf);
}

/*
 * Parse the file into LC; 0, or -1 after reporting.  The file is opened
 * here rather than by config_read_file() so that the error carries
 * strerror(errno), and a directory is refused before libconfig's scanner
 * sees it (its read error exits the process).
 */
static int parse(struct loader *ld, config_t *lc)
{
	FILE *f = fopen(ld->path, "r");
	struct stat st;
	int error = 0, ok;

	if (f == NULL) {
		report(ld, NULL, "cannot read: %s", strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) != 0)
		error = errno;
	else if (S_ISDIR(st.st_mode))
		error = EISDIR;
	if (error != 0) {
		fclose(f);
		report(ld, NULL, "cannot read: %s", strerror(error));
		return -1;
	}
	ok = config_read(lc, f);
	fclose(f);
	if (!ok) {
		report_line(ld, config_error_file(lc),
			    (unsigned)config_error_line(lc), "%s",
			    config_error_text(lc));
		return -1;
	}
	return 0;
}

static bool is_tls_uri(const char *uri)
{
	return strncmp(uri, "sips:", 5) == 0 ||
	       strstr(uri, ";transport=tls") != NULL;
}

/* Cross-key rules: auth needs its realm and users file; TLS listen URIs
 * need the certificate and key, and those come as a pair. */
static void check_groups_complete(struct loader *ld,
				  const config_setting_t *root)
{
	const struct sta_config *cfg = ld->cfg;
	const config_setting_t *auth = config_setting_get_member(root, "auth");
	const config_setting_t *tls = config_setting_get_member(root, "tls");
	bool need_tls = false;

	if (auth != NULL && config_setting_is_group(auth) &&
	    (!cfg->auth_realm || !cfg->auth_users_file))
		report(ld, auth, "auth: realm and users_file are both "
		       "required");
	if (tls != NULL && config_setting_is_group(tls) &&
	    (!cfg->tls_certificate || !cfg->tls_key))
		report(ld, tls, "tls: certificate and key are both required");
	for (size_t i = 0; i < cfg->n_listen; i++)
		need_tls |= cfg->listen[i] && is_tls_uri(cfg->listen[i]);
	if (need_tls && tls == NULL)
		report(ld, config_setting_get_member(root, "listen"),
		       "listen: a sips: or transport=tls URI needs "
		       "tls.certificate and tls.key");
}

static void set_defaults(struct sta_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->notify_interval_ms = 1000;
	cfg->subscription_expires = 120;
	cfg->invite_timeout = 60;
	cfg->max_redirects = 0;
	cfg->max_call_duration = 14400;
	cfg->udp_buffer = 4 << 20;
	cfg->tcp_idle_timeout = 60;
	cfg->sip_t1_ms = 500;
	cfg->max_active = 10000;
	cfg->max_connections = 1024;
	cfg->per_source_rate = 50;
	cfg->max_calls = 1000;
	cfg->overload_control = true;
	cfg->shutdown_grace = 10;
	cfg->auth_nonce_expires = 300;
	cfg->log_level = STA_LOG_INFO;
	cfg->media_mode = STA_MEDIA_SILENCE;
	cfg->rtp_port_low = 20000;
	cfg->rtp_port_high = 29999;
}

/* Defaults that need memory: after set_defaults, before the keys. */
static void set_allocated_defaults(struct loader *ld)
{
	ld->cfg->control_socket = dup_or_report(ld, NULL,
						STA_DEFAULT_CONTROL_SOCKET);
}

int config_load(const char *path, struct sta_config *cfg, FILE *err)
{
	struct loader ld = { .path = path, .err = err, .cfg = cfg };
	const config_setting_t *root;
	config_t lc;

	set_defaults(cfg);
	config_init(&lc);
	if (parse(&ld, &lc) == 0) {
		set_allocated_defaults(&ld);
		root = config_root_setting(&lc);
		load_members(&ld, root, top_keys, NULL);
		if (config_setting_get_member(root, "listen") == NULL)
			report(&ld, NULL, "missing required key 'listen'");
		check_groups_complete(&ld, root);
		load_sdp(&ld, root);
		load_audio(&ld, root);
	}
	config_destroy(&lc);
	if (ld.errors > 0) {
		config_free(cfg);
		return -1;
	}
	return 0;
}

static void free_strings(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void config_free(struct sta_config *cfg)
{
	size_t i;

	free_strings(cfg->listen, cfg->n_listen);
	free(cfg->listen_line);
	free(cfg->identity_from);
	free(cfg->allow_from);
	free_strings(cfg->targets, cfg->n_targets);
	free(cfg->tel_domain);
	free(cfg->sdp_file);
	free(cfg->sdp);
	free(cfg->audio_file);
	free(cfg->audio);
	free(cfg->metrics_listen);
	free(cfg->control_socket);
	free(cfg->outbound_proxy);
	free(cfg->resolv_conf);
	free(cfg->auth_realm);
	free(cfg->auth_users_file);
	free(cfg->auth_trusted);
	free(cfg->tls_certificate);
	free(cfg->tls_key);
	for (i = 0; i < cfg->n_credentials; i++) {
		free(cfg->credentials[i].realm);
		free(cfg->credentials[i].user);
		free(cfg->credentials[i].password);
	}
	free(cfg->credentials);
	memset(cfg, 0, sizeof *cfg);
}
