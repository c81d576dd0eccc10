/*
 * metrics_http.c - the optional HTTP listener that serves the metrics.
 *
 * Owns: parsing metrics.listen into a socket address, one libmicrohttpd
 * daemon bound to exactly that address (its own polling thread, at most
 * MAX_CONNECTIONS clients, each dropped after TIMEOUT_S idle seconds), and
 * the last published text, which a mutex guards because the event loop
 * writes it while the listener's thread reads it.
 *
 * API (metrics_http.h): metrics_http_start(), metrics_http_publish(),
 * metrics_http_stop().
 *
 * Must not: render metrics or read the agent's state (the event loop
 * publishes ready text), hold the mutex while allocating a response or
 * doing I/O, or log at more than debug level for anything a client does.
 */
#include "metrics_http.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "log.h"

#define MAX_CONNECTIONS 16u
#define TIMEOUT_S 10u
#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The access handler's return type was int before 0.9.71. */
#if MHD_VERSION >= 0x00097002
typedef enum MHD_Result mhd_result;
#else
typedef int mhd_result;
#endif

struct metrics_http {
	struct MHD_Daemon *daemon;
	char *listen;			/* as configured, for log lines */
	atomic_bool running;		/* start-up over: MHD lines go to debug */
	pthread_mutex_t lock;		/* guards text and len */
	char *text;			/* NULL until the first publish */
	size_t len;
};

/*
 * Parse LISTEN, "A.B.C.D:PORT" or "[IPV6]:PORT" with numeric host and a
 * port 1..65535, into *SS.  Returns 0, or -1 when it does not parse
 * (nothing logged).  config.c applies the same rules to metrics.listen.
 */
static int parse_listen(char const *listen, struct sockaddr_storage *ss)
{
	struct addrinfo hints = {
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
		.ai_socktype = SOCK_STREAM,
	};
	struct addrinfo *ai;
	char host[64];
	char const *port, *end;
	size_t host_len;
	unsigned long n;
	char *stop;

	if (listen[0] == '[') {
		end = strchr(listen, ']');
		if (end == NULL || end[1] != ':')
			return -1;
		listen++;
		port = end + 2;
		hints.ai_family = AF_INET6;
	} else {
		end = strchr(listen, ':');
		if (end == NULL || strchr(end + 1, ':') != NULL)
			return -1;
		port = end + 1;
		hints.ai_family = AF_INET;
	}
	host_len = (size_t)(end - listen);
	if (host_len == 0 || host_len >= sizeof host)
		return -1;
	memcpy(host, listen, host_len);
	host[host_len] = '\0';
	if (port[0] < '0' || port[0] > '9')
		return -1;
	n = strtoul(port, &stop, 10);
	if (*stop != '\0' || n < 1 || n > 65535)
		return -1;
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return -1;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	return 0;
}

static unsigned short port_of(struct sockaddr_storage const *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 const *)ss)->sin6_port);
	return ntohs(((struct sockaddr_in const *)ss)->sin_port);
}

/* libmicrohttpd's own messages: why start-up failed (error), later only
 * what clients did (debug).  Its lines end with a newline; ours do not. */
static void __attribute__((format(printf, 2, 0)))
on_mhd_log(void *cls, char const *fmt, va_list ap)
{
	struct metrics_http *h = cls;
	char line[256];
	size_t len;

	vsnprintf(line, sizeof line, fmt, ap);
	len = strlen(line);
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	log_with(atomic_load(&h->running) ? STA_LOG_DEBUG : STA_LOG_ERROR,
		 NULL, "metrics %s: libmicrohttpd: %s", h->listen, line);
}

/* Queue STATUS with BODY (a constant) and, when set, an Allow header. */
static mhd_result reply_const(struct MHD_Connection *c, unsigned status,
			      char const *body, char const *allow)
{
	struct MHD_Response *r;
	mhd_result ret;

	r = MHD_create_response_from_buffer(strlen(body), (void *)body,
					    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; charset=utf-8");
	if (allow != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A copy of the published text (the caller frees it), or NULL with *LEN 0
 * before the first publish or when memory is short. */
static char *copy_text(struct metrics_http *h, size_t *len)
{
	char *copy = NULL;

	*len = 0;
	pthread_mutex_lock(&h->lock);
	if (h->text != NULL) {
		copy = malloc(h->len + 1);
		if (copy != NULL) {
			memcpy(copy, h->text, h->len + 1);
			*len = h->len;
		}
	}
	pthread_mutex_unlock(&h->lock);
	return copy;
}

/* 200 with the last published text, or 503 before the first publish. */
static mhd_result reply_metrics(struct metrics_http *h,
				struct MHD_Connection *c)
{
	struct MHD_Response *r;
	mhd_result ret;
	size_t len;
	char *text = copy_text(h, &len);

	if (text == NULL)
		return reply_const(c, MHD_HTTP_SERVICE_UNAVAILABLE,
				   "metrics not ready\n", NULL);
	r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE);
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* Every request, answered on its first call (a body, if any, is not read;
 * libmicrohttpd closes such a connection after the answer). */
static mhd_result on_request(void *cls, struct MHD_Connection *c,
			     char const *url, char const *method,
			     char const *version, char const *upload_data,
			     size_t *upload_data_size, void **con_cls)
{
	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	if (strcmp(url, "/metrics") != 0)
		return reply_const(c, MHD_HTTP_NOT_FOUND, "not found\n", NULL);
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply_const(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				   "method not allowed\n", "GET, HEAD");
	return reply_metrics(cls, c);
}

/* Start the daemon with every signal blocked, so that its thread, which
 * inherits the mask, never takes a signal meant for the event loop. */
static struct MHD_Daemon *start_daemon(struct metrics_http *h,
				       struct sockaddr_storage const *ss)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
			 MHD_USE_ERROR_LOG;
	struct MHD_Daemon *d;
	sigset_t all, old;

	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	d = MHD_start_daemon(flags, port_of(ss), NULL, NULL, on_request, h,
			     MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, h,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr const *)ss,
			     MHD_OPTION_CONNECTION_LIMIT, MAX_CONNECTIONS,
			     MHD_OPTION_CONNECTION_TIMEOUT, TIMEOUT_S,
			     MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return d;
}

struct metrics_http *metrics_http_start(char const *listen)
{
	struct sockaddr_storage ss;
	struct metrics_http *h;

	if (parse_listen(listen, &ss) != 0) {
		log_error("metrics: '%s' is not an address:port", listen);
		return NULL;
	}
	h = calloc(1, sizeof *h);
	if (h == NULL || (h->listen = strdup(listen)) == NULL) {
		log_error("metrics %s: out of memory", listen);
		free(h);
		return NULL;
	}
	atomic_init(&h->running, false);
	pthread_mutex_init(&h->lock, NULL);
	h->daemon = start_daemon(h, &ss);
	if (h->daemon == NULL) {
		log_error("metrics %s: cannot listen for HTTP", listen);
		metrics_http_stop(h);
		return NULL;
	}
	atomic_store(&h->running, true);
	log_info("metrics %s: serving GET /metrics", listen);
	return h;
}

void metrics_http_publish(struct metrics_http *h, char const *text, size_t len)
{
	char *copy = malloc(len + 1), *old;

	if (copy == NULL)
		return;		/* keep serving the previous text */
	memcpy(copy, text, len);
	copy[len] = '\0';
	pthread_mutex_lock(&h->lock);
	old = h->text;
	h->text = copy;
	h->len = len;
	pthread_mutex_unlock(&h->lock);
	free(old);
}

void metrics_http_stop(struct metrics_http *h)
{
	if (h == NULL)
		return;
	if (h->daemon != NULL)
		MHD_stop_daemon(h->daemon);
	pthread_mutex_destroy(&h->lock);
	free(h->text);
	free(h->listen);
	free(h);
}
