/*
 * check_conn_table.c - unit tests of conn_table.c: admission
 * (allow_from before max_connections), the silence deadline on a fake
 * clock, marking by peer address and port, removal keeping the silent
 * entries findable, and the log throttle.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "conn_table.h"

#include "check_main.h"

static struct sockaddr_storage v4(char const *ip, unsigned port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof ss);
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short)port);
	inet_pton(AF_INET, ip, &sin->sin_addr);
	return ss;
}

static struct sockaddr_storage v6(char const *ip, unsigned port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof ss);
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons((unsigned short)port);
	inet_pton(AF_INET6, ip, &sin6->sin6_addr);
	return ss;
}

/* Index of the entry holding FD, or -1. */
static int find_fd(struct conn_table const *t, int fd)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].fd == fd)
			return (int)i;
	return -1;
}

static void add(struct conn_table *t, int fd, unsigned port, uint64_t now)
{
	struct sockaddr_storage p = v4("127.0.0.1", port);

	ck_assert(conn_table_add(t, fd, &p, now));
}

START_TEST(source_not_allowed_is_refused_before_the_count)
{
	struct conn_table t;
	enum conn_close why = CONN_CLOSE_COUNT;

	conn_table_init(&t);
	ck_assert(!conn_admit(&t, 5, false, &why));
	ck_assert_int_eq(why, CONN_CLOSE_NOT_ALLOWED);
	ck_assert_str_eq(conn_close_names[why], "source not allowed");
	conn_table_free(&t);
}
END_TEST

START_TEST(one_more_than_max_is_refused)
{
	struct conn_table t;
	enum conn_close why = CONN_CLOSE_COUNT;

	conn_table_init(&t);
	for (int fd = 10; fd < 15; fd++) {
		ck_assert(conn_admit(&t, 5, true, &why));
		add(&t, fd, 40000 + (unsigned)fd, 0);
	}
	ck_assert(!conn_admit(&t, 5, true, &why));
	ck_assert_int_eq(why, CONN_CLOSE_TOO_MANY);
	conn_table_remove_at(&t, 2);
	ck_assert(conn_admit(&t, 5, true, &why));
	conn_table_free(&t);
}
END_TEST

START_TEST(silent_for_10_s_after_accept_is_too_silent)
{
	struct conn_table t;

	conn_table_init(&t);
	add(&t, 7, 40000, 1000);
	ck_assert(!conn_table_too_silent(&t, 0, 1000));
	ck_assert(!conn_table_too_silent(&t, 0, 1000 + CONN_SILENCE_MS - 1));
	ck_assert(conn_table_too_silent(&t, 0, 1000 + CONN_SILENCE_MS));
	conn_table_free(&t);
}
END_TEST

START_TEST(a_request_from_the_peer_ends_the_silence)
{
	struct conn_table t;
	struct sockaddr_storage other_port = v4("127.0.0.1", 40001);
	struct sockaddr_storage other_ip = v4("127.0.0.2", 40000);
	struct sockaddr_storage same = v4("127.0.0.1", 40000);

	conn_table_init(&t);
	add(&t, 7, 40000, 0);
	ck_assert(!conn_table_mark(&t, &other_port));
	ck_assert(!conn_table_mark(&t, &other_ip));
	ck_assert(conn_table_too_silent(&t, 0, CONN_SILENCE_MS));
	ck_assert(conn_table_mark(&t, &same));
	ck_assert_uint_eq(t.n_silent, 0);
	ck_assert(!conn_table_too_silent(&t, 0, 100 * CONN_SILENCE_MS));
	/* the second request finds nothing left to mark */
	ck_assert(!conn_table_mark(&t, &same));
	ck_assert_uint_eq(t.n, 1);
	conn_table_free(&t);
}
END_TEST

START_TEST(ipv6_peers_compare_address_and_port)
{
	struct sockaddr_storage a = v6("::1", 5060);
	struct sockaddr_storage b = v6("::1", 5061);
	struct sockaddr_storage c = v6("::2", 5060);
	struct sockaddr_storage d = v4("127.0.0.1", 5060);

	ck_assert(conn_same_peer(&a, &a));
	ck_assert(!conn_same_peer(&a, &b));
	ck_assert(!conn_same_peer(&a, &c));
	ck_assert(!conn_same_peer(&a, &d));
}
END_TEST

START_TEST(ipv4_mapped_peer_becomes_ipv4)
{
	struct sockaddr_storage mapped = v6("::ffff:127.0.0.2", 41000);
	struct sockaddr_storage plain = v4("127.0.0.2", 41000);
	struct sockaddr_storage other = v6("::1", 41000);

	ck_assert(!conn_same_peer(&mapped, &plain));
	conn_canonical(&mapped);
	ck_assert_int_eq(mapped.ss_family, AF_INET);
	ck_assert(conn_same_peer(&mapped, &plain));
	conn_canonical(&other);
	ck_assert_int_eq(other.ss_family, AF_INET6);
}
END_TEST

START_TEST(removal_keeps_silent_and_delivered_apart)
{
	struct conn_table t;
	struct sockaddr_storage p;

	conn_table_init(&t);
	for (int fd = 0; fd < 6; fd++)
		add(&t, fd, 40000 + (unsigned)fd, (uint64_t)fd);
	p = v4("127.0.0.1", 40001);
	ck_assert(conn_table_mark(&t, &p));
	p = v4("127.0.0.1", 40004);
	ck_assert(conn_table_mark(&t, &p));
	ck_assert_uint_eq(t.n_silent, 4);
	conn_table_remove_at(&t, (size_t)find_fd(&t, 0));	/* silent */
	conn_table_remove_at(&t, (size_t)find_fd(&t, 4));	/* delivered */
	ck_assert_uint_eq(t.n, 4);
	ck_assert_uint_eq(t.n_silent, 3);
	for (int fd = 0; fd < 6; fd++) {
		int i = find_fd(&t, fd);
		bool silent = fd == 2 || fd == 3 || fd == 5;

		if (fd == 0 || fd == 4) {
			ck_assert_int_eq(i, -1);
			continue;
		}
		ck_assert_int_ge(i, 0);
		ck_assert_int_eq((size_t)i < t.n_silent, silent);
		ck_assert_int_eq(conn_table_too_silent(&t, (size_t)i,
						       CONN_SILENCE_MS + 10),
				 silent);
	}
	conn_table_free(&t);
}
END_TEST

START_TEST(reused_fd_replaces_the_stale_entry)
{
	struct conn_table t;
	struct sockaddr_storage p = v4("127.0.0.1", 40000);

	conn_table_init(&t);
	add(&t, 9, 40000, 0);
	ck_assert(conn_table_mark(&t, &p));
	add(&t, 9, 40001, 5000);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_uint_eq(t.n_silent, 1);
	ck_assert_uint_eq(t.v[0].accepted_ms, 5000);
	conn_table_free(&t);
}
END_TEST

START_TEST(table_grows_past_its_first_allocation)
{
	struct conn_table t;
	enum conn_close why;

	conn_table_init(&t);
	for (int fd = 0; fd < 1000; fd++)
		add(&t, fd, 1000 + (unsigned)fd, 0);
	ck_assert_uint_eq(t.n, 1000);
	ck_assert(conn_admit(&t, 1001, true, &why));
	ck_assert(!conn_admit(&t, 1000, true, &why));
	conn_table_free(&t);
}
END_TEST

START_TEST(log_throttle_holds_back_then_summarizes)
{
	struct conn_log l = { .last_ms = 0 };
	unsigned long held = 99;

	ck_assert(conn_log_event(&l, 500, 10000, &held));
	ck_assert_uint_eq(held, 0);
	ck_assert(!conn_log_event(&l, 600, 10000, &held));
	ck_assert(!conn_log_event(&l, 9000, 10000, &held));
	ck_assert_uint_eq(conn_log_flush(&l, 10499, 10000), 0);
	ck_assert_uint_eq(conn_log_flush(&l, 10500, 10000), 2);
	ck_assert_uint_eq(conn_log_flush(&l, 30000, 10000), 0);
	ck_assert(conn_log_event(&l, 30000, 10000, &held));
	ck_assert_uint_eq(held, 0);
	ck_assert(!conn_log_event(&l, 30001, 10000, &held));
	ck_assert(conn_log_event(&l, 40000, 10000, &held));
	ck_assert_uint_eq(held, 1);
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("conn_table");
	TCase *c = tcase_create("core");

	tcase_add_test(c, source_not_allowed_is_refused_before_the_count);
	tcase_add_test(c, one_more_than_max_is_refused);
	tcase_add_test(c, silent_for_10_s_after_accept_is_too_silent);
	tcase_add_test(c, a_request_from_the_peer_ends_the_silence);
	tcase_add_test(c, ipv6_peers_compare_address_and_port);
	tcase_add_test(c, ipv4_mapped_peer_becomes_ipv4);
	tcase_add_test(c, removal_keeps_silent_and_delivered_apart);
	tcase_add_test(c, reused_fd_replaces_the_stale_entry);
	tcase_add_test(c, table_grows_past_its_first_allocation);
	tcase_add_test(c, log_throttle_holds_back_then_summarizes);
	suite_add_tcase(s, c);
	return s;
}
