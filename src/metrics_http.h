/*
 * metrics_http.h - the optional HTTP listener that serves the metrics.
 *
 * metrics_http.c owns one libmicrohttpd daemon bound to metrics.listen and
 * the copy of the last text published to it.  It answers GET and HEAD
 * /metrics with that text (503 until the first publish), 404 for any other
 * path and 405 for other methods.  It never renders metrics itself (that is
 * metrics.c) and never touches the agent's state: the event loop renders
 * and publishes, the listener's own thread only copies out what it was given.
 */
#ifndef STA_METRICS_HTTP_H
#define STA_METRICS_HTTP_H

#include <stddef.h>

struct metrics_http;

/* Serve GET /metrics on LISTEN ("127.0.0.1:9090", "[::1]:9090",
 * "0.0.0.0:9090") from a libmicrohttpd thread.  Returns NULL after logging
 * (log_error from log.h) when LISTEN does not parse or cannot be bound. */
struct metrics_http *metrics_http_start(char const *listen);

/* Replace the text served (copied; thread-safe, called by the event loop
 * every second). */
void metrics_http_publish(struct metrics_http *h, char const *text, size_t len);

/* Stop serving and free H; NULL is fine. */
void metrics_http_stop(struct metrics_http *h);

#endif
