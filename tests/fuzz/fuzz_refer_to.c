/*
 * fuzz_refer_to.c - libFuzzer harness for refer_to_check() and refer_admit()
 * (src/refer_to.c).  `make fuzz` runs it; see Makefile.am.
 *
 * Input layout: three flag bytes, then up to six NUL-separated strings:
 *   byte 0  bits 0-5: scheme, user, host, port, method, tel_domain present
 *           (an absent one is NULL); bit 6 has_replaces; bit 7 replaces_valid
 *   byte 1  the refer_facts booleans: source_allowed, auth_required,
 *           auth_ok, auth_stale, shutting_down, at_max_active, over_rate,
 *           refer_to_parsed
 *   byte 2  bits 0-1 refer_to_count; bit 2 is_loop answers yes; bit 3
 *           target_allowed answers true; bit 4 no uri; bit 5 no is_loop
 *           callback; bit 6 no target_allowed callback; bit 7 the NOTIFY
 *           next hop is outside allow_from
 * Every string is a separate heap copy, so ASan sees any over-read.  Besides
 * the sanitizers, the harness checks the contracts of refer_to.h: the
 * status set, the target's shape and its "user@host:port" key.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refer_to.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NFIELDS 6

#define require(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_refer_to: %s:%d: %s\n", __FILE__, __LINE__, \
		#cond); abort(); } } while (0)

static bool bounded(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* The invariants of a target refer_to_check() accepted. */
static void check_target(const struct refer_target *t)
{
	char key[sizeof t->key];
	size_t n;

	require(bounded(t->scheme, sizeof t->scheme));
	require(bounded(t->user, sizeof t->user));
	require(bounded(t->host, sizeof t->host));
	require(bounded(t->key, sizeof t->key));
	require(strcmp(t->scheme, "sip") == 0 || strcmp(t->scheme, "sips") == 0);
	require(t->host[0] != '\0');
	require(t->port >= 1 && t->port <= 65535);
	require(t->port_explicit || t->port == (strcmp(t->scheme, "sips") == 0 ?
						5061u : 5060u));
	require(!t->tel || strcmp(t->scheme, "sip") == 0);
	/* key = user '@' lowercased host ':' port */
	n = (size_t)snprintf(key, sizeof key, "%s@", t->user);
	for (const char *h = t->host; *h != '\0' && n + 1 < sizeof key; h++)
		key[n++] = (*h >= 'A' && *h <= 'Z') ? (char)(*h - 'A' + 'a') : *h;
	snprintf(key + n, sizeof key - n, ":%u", t->port);
	require(strcmp(key, t->key) == 0);
}

struct ctx {
	bool loop, allowed;
	int calls;
};

static enum refer_lookup cb_loop(const struct refer_target *t, void *arg)
{
	struct ctx *c = arg;

	check_target(t);
	c->calls++;
	return c->loop ? LOOKUP_YES : LOOKUP_NO;
}

static bool cb_allowed(const struct refer_target *t, void *arg)
{
	struct ctx *c = arg;

	check_target(t);
	c->calls++;
	return c->allowed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *field[NFIELDS] = { NULL };
	const char *value[NFIELDS] = { NULL };
	struct refer_to_uri u;
	struct refer_target t;
	struct refer_facts f;
	struct refer_verdict v;
	struct ctx c = { 0 };
	const char *why = NULL;
	size_t pos = 3;
	uint8_t b0, b1, b2;
	int status;

	if (size < 3)
		return 0;
	b0 = data[0];
	b1 = data[1];
	b2 = data[2];
	for (int i = 0; i < NFIELDS; i++) {
		const uint8_t *end = pos < size ?
			memchr(data + pos, '\0', size - pos) : NULL;
		size_t len = pos >= size ? 0 :
			end ? (size_t)(end - data) - pos : size - pos;

		field[i] = malloc(len + 1);
		if (field[i] == NULL)
			abort();
		if (len)
			memcpy(field[i], data + pos, len);
		field[i][len] = '\0';
		pos += len + 1;
		if (b0 & (1u << i))
			value[i] = field[i];
	}
	u = (struct refer_to_uri){
		.scheme = value[0], .user = value[1], .host = value[2],
		.port = value[3], .method = value[4],
		.has_replaces = (b0 & 0x40) != 0,
		.replaces_valid = (b0 & 0x80) != 0,
	};

	memset(&t, 0xa5, sizeof t);
	status = refer_to_check(&u, value[5], &t, &why);
	require(status == 0 || status == 400 || status == 416 || status == 501);
	if (status == 0) {
		check_target(&t);
		require(u.scheme != NULL);
	} else {
		require(why != NULL && why[0] != '\0');
	}

	c.loop = (b2 & 0x04) != 0;
	c.allowed = (b2 & 0x08) != 0;
	f = (struct refer_facts){
		.source_allowed = b1 & 0x01, .auth_required = b1 & 0x02,
		.auth_ok = b1 & 0x04, .auth_stale = b1 & 0x08,
		.shutting_down = b1 & 0x10, .at_max_active = b1 & 0x20,
		.over_rate = b1 & 0x40, .refer_to_parsed = b1 & 0x80,
		.refer_to_count = b2 & 0x03,
		.contact_count = 1,
		.notify_hop_allowed = (b2 & 0x80) == 0,
		.uri = (b2 & 0x10) ? NULL : &u,
		.tel_domain = value[5],
		.is_loop = (b2 & 0x20) ? NULL : cb_loop,
		.target_allowed = (b2 & 0x40) ? NULL : cb_allowed,
		.ctx = &c,
	};
	status = refer_admit(&f, &v);
	require(status == v.status);
	require(v.phrase != NULL && v.phrase[0] != '\0');
	require(v.why != NULL);
	require(status == 202 || status == 400 || status == 401 ||
		status == 403 || status == 416 || status == 482 ||
		status == 501 || status == 503);
	require((v.retry_after != 0) == (status == 503));
	require(status != 503 || v.retry_after == 1 || v.retry_after == 5);
	require(!v.challenge_stale || status == 401);
	if (status == 202) {
		check_target(&v.target);
		require(f.source_allowed && f.refer_to_count == 1 &&
			f.refer_to_parsed && f.uri != NULL);
		require(!f.shutting_down && !f.at_max_active && !f.over_rate);
		require(!f.auth_required || f.auth_ok);
	}
	/* the costly callbacks run only once every earlier check passed */
	require(c.calls == 0 || (f.source_allowed && f.refer_to_count == 1));

	for (int i = 0; i < NFIELDS; i++)
		free(field[i]);
	return 0;
}
