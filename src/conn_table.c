/*
 * conn_table.c - PURE bookkeeping of accepted TCP/TLS connections.
 * See conn_table.h.
 */
#include "conn_table.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

const char *const conn_close_names[CONN_CLOSE_COUNT] = {
	[CONN_CLOSE_NOT_ALLOWED] = "source not allowed",
	[CONN_CLOSE_TOO_MANY] = "max_connections",
	[CONN_CLOSE_SILENT] = "silent",
};

void conn_table_init(struct conn_table *t)
{
	*t = (struct conn_table){ .v = NULL };
}

void conn_table_free(struct conn_table *t)
{
	free(t->v);
	conn_table_init(t);
}

bool conn_admit(struct conn_table const *t, unsigned max, bool allowed,
		enum conn_close *why)
{
	if (!allowed)
		*why = CONN_CLOSE_NOT_ALLOWED;
	else if (t->n >= max)
		*why = CONN_CLOSE_TOO_MANY;
	else
		return true;
	return false;
}

static void swap(struct conn_table *t, size_t i, size_t j)
{
	struct conn c = t->v[i];

	t->v[i] = t->v[j];
	t->v[j] = c;
}

void conn_table_remove_at(struct conn_table *t, size_t i)
{
	if (i < t->n_silent) {
		/* keep the silent ones together: last silent takes I */
		swap(t, i, --t->n_silent);
		i = t->n_silent;
	}
	t->v[i] = t->v[--t->n];
}

static bool grow(struct conn_table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 64;
	struct conn *v = realloc(t->v, cap * sizeof *v);

	if (!v)
		return false;
	t->v = v;
	t->cap = cap;
	return true;
}

bool conn_table_add(struct conn_table *t, int fd,
		    struct sockaddr_storage const *peer, uint64_t now_ms)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].fd == fd) {
			conn_table_remove_at(t, i);
			break;
		}
	if (t->n == t->cap && !grow(t))
		return false;
	t->v[t->n] = (struct conn){ .fd = fd, .peer = *peer,
				    .accepted_ms = now_ms };
	/* a new entry is silent: move it to the boundary */
	swap(t, t->n, t->n_silent);
	t->n++;
	t->n_silent++;
	return true;
}

void conn_canonical(struct sockaddr_storage *ss)
{
	struct sockaddr_in6 const *in6 = (struct sockaddr_in6 const *)ss;
	struct sockaddr_in in4 = { .sin_family = AF_INET };

	if (ss->ss_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
		return;
	in4.sin_port = in6->sin6_port;
	memcpy(&in4.sin_addr, &in6->sin6_addr.s6_addr[12], 4);
	memset(ss, 0, sizeof *ss);
	memcpy(ss, &in4, sizeof in4);
}

bool conn_same_peer(struct sockaddr_storage const *a,
		    struct sockaddr_storage const *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		struct sockaddr_in const *x = (struct sockaddr_in const *)a;
		struct sockaddr_in const *y = (struct sockaddr_in const *)b;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		struct sockaddr_in6 const *x = (struct sockaddr_in6 const *)a;
		struct sockaddr_in6 const *y = (struct sockaddr_in6 const *)b;

		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr,
			      sizeof x->sin6_addr) == 0;
	}
	return false;
}

bool conn_table_mark(struct conn_table *t,
		     struct sockaddr_storage const *peer)
{
	for (size_t i = 0; i < t->n_silent; i++)
		if (conn_same_peer(&t->v[i].peer, peer)) {
			swap(t, i, --t->n_silent);
			return true;
		}
	return false;
}

bool conn_table_too_silent(struct conn_table const *t, size_t i,
			   uint64_t now_ms)
{
	return i < t->n_silent &&
	       now_ms >= t->v[i].accepted_ms + CONN_SILENCE_MS;
}

bool conn_log_event(struct conn_log *l, uint64_t now_ms, uint64_t every_ms,
		    unsigned long *suppressed)
{
	if (l->logged && now_ms < l->last_ms + every_ms) {
		l->held++;
		return false;
	}
	*suppressed = l->held;
	l->held = 0;
	l->last_ms = now_ms;
	l->logged = true;
	return true;
}

unsigned long conn_log_flush(struct conn_log *l, uint64_t now_ms,
			     uint64_t every_ms)
{
	unsigned long held = l->held;

	if (held == 0 || now_ms < l->last_ms + every_ms)
		return 0;
	l->held = 0;
	l->last_ms = now_ms;
	return held;
}
