/*
 * sip_dns.c - asynchronous address look-ups on the agent's event loop.
 * See sip_dns.h.
 *
 * A look-up asks sresolv for A and AAAA at once and answers when both
 * came back, or when its deadline timer fires; a question sresolv refuses
 * is answered from a zero-delay timer, so the caller is never called back
 * from inside dns_lookup_start().
 */
#define SRES_CONTEXT_T struct dns_lookup
#include "sip_dns.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/sresolv.h>
#include <sofia-sip/su_tag.h>

struct sta_dns {
	su_root_t *root;
	sres_resolver_t *res;
};

struct dns_lookup {
	struct sta_dns *dns;
	sres_query_t *query[2];		/* A, AAAA: NULL once answered */
	su_timer_t *timer;		/* deadline, or the refused question */
	dns_done_f *done;
	void *ctx;
	struct sockaddr_storage addrs[DNS_MAX_ADDRS];
	size_t n;
};

struct sta_dns *dns_create(su_root_t *root, char const *resolv_conf)
{
	struct sta_dns *dns = calloc(1, sizeof *dns);

	if (!dns)
		return NULL;
	dns->root = root;
	dns->res = sres_resolver_create(root, resolv_conf, TAG_END());
	if (!dns->res) {
		free(dns);
		return NULL;
	}
	return dns;
}

void dns_destroy(struct sta_dns *dns)
{
	if (!dns)
		return;
	sres_resolver_destroy(dns->res);
	free(dns);
}

static void add_address(struct dns_lookup *l, sres_record_t const *r)
{
	struct sockaddr_storage *ss = &l->addrs[l->n];

	if (l->n >= DNS_MAX_ADDRS || r->sr_record->r_status != SRES_OK)
		return;
	memset(ss, 0, sizeof *ss);
	if (r->sr_record->r_type == sres_type_a) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_addr = r->sr_a->a_addr;
	} else if (r->sr_record->r_type == sres_type_aaaa) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, &r->sr_aaaa->aaaa_addr,
		       sizeof in6->sin6_addr);
	} else {
		return;
	}
	l->n++;
}

/* Answer the caller and free the look-up. */
static void finish(struct dns_lookup *l)
{
	dns_done_f *done = l->done;
	void *ctx = l->ctx;
	struct sockaddr_storage addrs[DNS_MAX_ADDRS];
	size_t n = l->n;

	memcpy(addrs, l->addrs, n * sizeof addrs[0]);
	dns_lookup_cancel(l);
	done(ctx, addrs, n);
}

static void on_answer(sres_context_t *l, sres_query_t *q,
		      sres_record_t **answers)
{
	for (size_t i = 0; answers && answers[i]; i++)
		add_address(l, answers[i]);
	sres_free_answers(l->dns->res, answers);
	for (int i = 0; i < 2; i++)
		if (l->query[i] == q)
			l->query[i] = NULL;
	if (!l->query[0] && !l->query[1])
		finish(l);
}

static void on_timer(su_root_magic_t *magic, su_timer_t *t,
		     su_timer_arg_t *arg)
{
	(void)magic;
	(void)t;
	finish((struct dns_lookup *)arg);
}

struct dns_lookup *dns_lookup_start(struct sta_dns *dns, char const *name,
				    dns_done_f *done, void *ctx)
{
	struct dns_lookup *l = calloc(1, sizeof *l);

	if (!l)
		return NULL;
	*l = (struct dns_lookup){ .dns = dns, .done = done, .ctx = ctx };
	l->timer = su_timer_create(su_root_task(dns->root), 0);
	if (!l->timer) {
		free(l);
		return NULL;
	}
	l->query[0] = sres_query(dns->res, on_answer, l, sres_type_a, name);
	l->query[1] = sres_query(dns->res, on_answer, l, sres_type_aaaa,
				 name);
	su_timer_set_interval(l->timer, on_timer, (su_timer_arg_t *)l,
			      l->query[0] || l->query[1] ? DNS_DEADLINE_MS
							 : 0);
	return l;
}

void dns_lookup_cancel(struct dns_lookup *l)
{
	if (!l)
		return;
	for (int i = 0; i < 2; i++)
		if (l->query[i])
			sres_query_bind(l->query[i], NULL, NULL);
	su_timer_destroy(l->timer);
	free(l);
}
