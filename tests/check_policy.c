/*
 * check_policy.c - Check suite for policy.c: CIDR parsing and matching,
 * policy.targets globs and the per-source token buckets (fake clock: time
 * is only the now_ms argument).
 */
#include <check.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy.h"

#include "check_main.h"

/* Address bytes of TEXT (IPv4 or IPv6) in BUF; returns the family. */
static int addr_of(const char *text, unsigned char *buf)
{
	if (inet_pton(AF_INET, text, buf) == 1)
		return AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET6, text, buf), 1);
	return AF_INET6;
}

static struct cidr parsed(const char *text)
{
	struct cidr c;

	ck_assert_msg(cidr_parse(text, &c) == 0, "cidr_parse(\"%s\")", text);
	return c;
}

static void assert_cidr(const char *text, int family, const char *addr,
			unsigned prefix)
{
	struct cidr c = parsed(text);
	unsigned char want[16] = { 0 };

	ck_assert_int_eq(addr_of(addr, want), family);
	ck_assert_int_eq(c.family, family);
	ck_assert_uint_eq(c.prefix, prefix);
	ck_assert_mem_eq(c.addr, want, family == AF_INET ? 4 : 16);
}

/* Does the one-entry list CIDR contain ADDR? */
static bool in(const char *cidr, const char *addr)
{
	struct cidr c = parsed(cidr);
	unsigned char a[16];
	int family = addr_of(addr, a);

	return cidr_list_contains(&c, 1, family, a);
}

/* ---- cidr_parse ---- */

START_TEST(ipv4_with_prefix_is_stored_masked)
{
	assert_cidr("10.1.2.3/8", AF_INET, "10.0.0.0", 8);
	assert_cidr("192.168.3.255/23", AF_INET, "192.168.2.0", 23);
}
END_TEST

START_TEST(bare_ipv4_gets_prefix_32)
{
	assert_cidr("127.0.0.1", AF_INET, "127.0.0.1", 32);
}
END_TEST

START_TEST(bare_ipv6_gets_prefix_128)
{
	assert_cidr("::1", AF_INET6, "::1", 128);
}
END_TEST

START_TEST(compressed_ipv6_with_prefix_is_stored_masked)
{
	assert_cidr("2001:db8::1/32", AF_INET6, "2001:db8::", 32);
	assert_cidr("2001:db8:ffff::/36", AF_INET6, "2001:db8:f000::", 36);
	assert_cidr("fe80::1:2:3:4/64", AF_INET6, "fe80::", 64);
}
END_TEST

START_TEST(prefix_zero_and_full_length_accepted)
{
	assert_cidr("1.2.3.4/0", AF_INET, "0.0.0.0", 0);
	assert_cidr("1.2.3.4/32", AF_INET, "1.2.3.4", 32);
	assert_cidr("2001:db8::1/0", AF_INET6, "::", 0);
	assert_cidr("2001:db8::1/128", AF_INET6, "2001:db8::1", 128);
}
END_TEST

START_TEST(prefix_out_of_range_rejected)
{
	struct cidr c;

	ck_assert_int_eq(cidr_parse("1.2.3.4/33", &c), -1);
	ck_assert_int_eq(cidr_parse("::1/129", &c), -1);
	ck_assert_int_eq(cidr_parse("1.2.3.4/999", &c), -1);
	ck_assert_int_eq(cidr_parse("1.2.3.4/4294967328", &c), -1);
}
END_TEST

START_TEST(garbage_rejected)
{
	static const char *const bad[] = {
		"", "/8", "abc", "1.2.3", "1.2.3.256", "1.2.3.4/", "1.2.3.4/-1",
		"1.2.3.4/+8", "1.2.3.4/ 8", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4/8/8",
		"1.2.3.4/0x8", "1.2.3.4/8a", "::1::2", "2001:db8::g/32",
		"1.2.3.4/0008", "localhost",
	};
	struct cidr c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(cidr_parse(bad[i], &c) == -1, "accepted \"%s\"",
			      bad[i]);
	ck_assert_int_eq(cidr_parse(NULL, &c), -1);
}
END_TEST

START_TEST(overlong_text_rejected)
{
	char text[200];
	struct cidr c;

	memset(text, '0', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	memcpy(text, "::1/", 4);
	ck_assert_int_eq(cidr_parse(text, &c), -1);
}
END_TEST

START_TEST(mapped_ipv6_prefix_is_stored_as_ipv4)
{
	assert_cidr("::ffff:10.1.2.3/104", AF_INET, "10.0.0.0", 8);
	assert_cidr("::ffff:127.0.0.1", AF_INET, "127.0.0.1", 32);
	assert_cidr("::ffff:0:0/95", AF_INET6, "::fffe:0:0", 95);
}
END_TEST

/* ---- cidr_list_contains ---- */

START_TEST(ipv4_prefix_matches_inside_not_outside)
{
	ck_assert(in("10.0.0.0/8", "10.0.0.0"));
	ck_assert(in("10.0.0.0/8", "10.255.255.255"));
	ck_assert(!in("10.0.0.0/8", "11.0.0.0"));
	ck_assert(!in("10.0.0.0/8", "9.255.255.255"));
}
END_TEST

START_TEST(prefix_not_on_byte_boundary_matches_partial_byte)
{
	ck_assert(in("192.168.2.0/23", "192.168.3.255"));
	ck_assert(!in("192.168.2.0/23", "192.168.4.0"));
	ck_assert(!in("192.168.2.0/23", "192.168.1.255"));
	ck_assert(in("2001:db8::/33", "2001:db8:7fff::1"));
	ck_assert(!in("2001:db8::/33", "2001:db8:8000::1"));
}
END_TEST

START_TEST(slash_32_matches_only_that_address)
{
	ck_assert(in("127.0.0.1/32", "127.0.0.1"));
	ck_assert(!in("127.0.0.1/32", "127.0.0.2"));
	ck_assert(!in("127.0.0.1/32", "127.0.1.1"));
}
END_TEST

START_TEST(slash_128_matches_only_that_address)
{
	ck_assert(in("::1/128", "::1"));
	ck_assert(!in("::1/128", "::2"));
	ck_assert(!in("::1/128", "1::1"));
}
END_TEST

START_TEST(slash_zero_matches_every_address_of_its_family_only)
{
	ck_assert(in("0.0.0.0/0", "1.2.3.4"));
	ck_assert(in("0.0.0.0/0", "255.255.255.255"));
	ck_assert(!in("0.0.0.0/0", "::1"));
	ck_assert(in("::/0", "2001:db8::1"));
	ck_assert(!in("::/0", "1.2.3.4"));
}
END_TEST

START_TEST(ipv4_mapped_source_matches_ipv4_prefix)
{
	ck_assert(in("127.0.0.0/8", "::ffff:127.0.0.1"));
	ck_assert(!in("127.0.0.0/8", "::ffff:128.0.0.1"));
}
END_TEST

START_TEST(mapped_prefix_in_config_matches_plain_ipv4_source)
{
	ck_assert(in("::ffff:10.0.0.0/104", "10.9.8.7"));
	ck_assert(!in("::ffff:10.0.0.0/104", "11.9.8.7"));
}
END_TEST

START_TEST(family_mismatch_never_matches)
{
	/* ::/96 holds ::a.b.c.d (IPv4-compatible), still not IPv4 itself. */
	ck_assert(!in("::/96", "1.2.3.4"));
	ck_assert(!in("1.2.3.0/24", "::102:304"));
}
END_TEST

START_TEST(any_entry_of_the_list_can_match)
{
	struct cidr list[2] = { parsed("10.0.0.0/8"), parsed("::1") };
	unsigned char a[16];
	int family = addr_of("::1", a);

	ck_assert(cidr_list_contains(list, 2, family, a));
	ck_assert(!cidr_list_contains(list, 1, family, a));
}
END_TEST

START_TEST(empty_list_or_unknown_family_matches_nothing)
{
	struct cidr c = parsed("0.0.0.0/0");
	unsigned char a[16] = { 1, 2, 3, 4 };

	ck_assert(!cidr_list_contains(NULL, 0, AF_INET, a));
	ck_assert(cidr_list_contains(&c, 1, AF_INET, a));
	ck_assert(!cidr_list_contains(&c, 1, AF_UNIX, a));
}
END_TEST

/* ---- targets_allow ---- */

START_TEST(star_user_any_port_glob_matches_that_host_only)
{
	char *globs[] = { "*@127.0.0.1:*" };

	ck_assert(targets_allow(globs, 1, "1000@127.0.0.1:5060"));
	ck_assert(targets_allow(globs, 1, "@127.0.0.1:5070"));
	ck_assert(!targets_allow(globs, 1, "1000@127.0.0.2:5060"));
	ck_assert(!targets_allow(globs, 1, "1000@127.0.0.10:5060"));
	ck_assert(!targets_allow(globs, 1, "1000@127.0.0.1"));
}
END_TEST

START_TEST(question_marks_match_exactly_one_char_each)
{
	char *globs[] = { "1???@pbx.example.com:5060" };

	ck_assert(targets_allow(globs, 1, "1000@pbx.example.com:5060"));
	ck_assert(targets_allow(globs, 1, "1abc@pbx.example.com:5060"));
	ck_assert(!targets_allow(globs, 1, "100@pbx.example.com:5060"));
	ck_assert(!targets_allow(globs, 1, "10000@pbx.example.com:5060"));
	ck_assert(!targets_allow(globs, 1, "2000@pbx.example.com:5060"));
	ck_assert(!targets_allow(globs, 1, "1000@pbx.example.com:5061"));
}
END_TEST

START_TEST(empty_target_list_allows_nothing)
{
	ck_assert(!targets_allow(NULL, 0, "1000@127.0.0.1:5060"));
	ck_assert(!targets_allow(NULL, 0, ""));
}
END_TEST

START_TEST(any_glob_of_the_list_can_allow)
{
	char *globs[] = { "1*@a:5060", "2*@b:5060" };

	ck_assert(targets_allow(globs, 2, "200@b:5060"));
	ck_assert(!targets_allow(globs, 1, "200@b:5060"));
	ck_assert(!targets_allow(globs, 2, "200@a:5060"));
}
END_TEST

START_TEST(star_crosses_slash_and_leading_dot_with_flags_zero)
{
	char *globs[] = { "*@h:5060" };

	ck_assert(targets_allow(globs, 1, "a/b@h:5060"));
	ck_assert(targets_allow(globs, 1, ".x@h:5060"));
}
END_TEST

START_TEST(bracket_class_and_backslash_escape_work)
{
	char *globs[] = { "[12]00@h:5060", "\\*@h:5060" };

	ck_assert(targets_allow(globs, 1, "200@h:5060"));
	ck_assert(!targets_allow(globs, 1, "300@h:5060"));
	ck_assert(targets_allow(globs + 1, 1, "*@h:5060"));
	ck_assert(!targets_allow(globs + 1, 1, "x@h:5060"));
}
END_TEST

/* ---- token_bucket ---- */

START_TEST(filled_bucket_gives_rate_tokens_then_one_per_interval)
{
	struct token_bucket b;
	unsigned ok = 0;

	bucket_fill(&b, 4, 10000);
	for (int i = 0; i < 10; i++)
		ok += bucket_take(&b, 4, 10000);
	ck_assert_uint_eq(ok, 4);
	ck_assert(!bucket_take(&b, 4, 10249));
	ck_assert(bucket_take(&b, 4, 10250));
	ck_assert(!bucket_take(&b, 4, 10250));
}
END_TEST

START_TEST(bucket_refills_to_rate_not_beyond_and_ignores_clock_steps)
{
	struct token_bucket b;
	unsigned ok = 0;

	bucket_fill(&b, 2, 5000);
	ck_assert(bucket_take(&b, 2, 5000));
	ck_assert(bucket_take(&b, 2, 5000));
	ck_assert(!bucket_take(&b, 2, 4000));	/* clock stepped back */
	for (int i = 0; i < 5; i++)
		ok += bucket_take(&b, 2, 3600000);
	ck_assert_uint_eq(ok, 2);
}
END_TEST

START_TEST(bucket_of_rate_zero_never_gives)
{
	struct token_bucket b;

	bucket_fill(&b, 0, 0);
	ck_assert(!bucket_take(&b, 0, 0));
	ck_assert(!bucket_take(&b, 0, 3600000));
}
END_TEST

/* ---- rate_take ---- */

static struct rate_table *table;

static void table_teardown(void)
{
	rate_table_free(table);
	table = NULL;
}

static bool take(unsigned rate, const char *src, uint64_t now_ms)
{
	unsigned char a[16];
	int family = addr_of(src, a);

	return rate_take(table, rate, family, a, now_ms);
}

/* How many of TRIES takes at NOW_MS succeed. */
static unsigned takes(unsigned rate, const char *src, uint64_t now_ms,
		      unsigned tries)
{
	unsigned ok = 0;

	for (unsigned i = 0; i < tries; i++)
		ok += take(rate, src, now_ms);
	return ok;
}

START_TEST(new_source_gets_burst_of_rate_then_refused)
{
	table = rate_table_new(64);
	ck_assert_uint_eq(takes(3, "10.0.0.1", 1000, 3), 3);
	ck_assert(!take(3, "10.0.0.1", 1000));
	ck_assert(!take(3, "10.0.0.1", 1000));
}
END_TEST

START_TEST(one_token_returns_after_1000_over_rate_ms)
{
	table = rate_table_new(64);
	ck_assert_uint_eq(takes(4, "10.0.0.1", 5000, 4), 4);
	ck_assert(!take(4, "10.0.0.1", 5249));
	ck_assert(take(4, "10.0.0.1", 5250));
	ck_assert(!take(4, "10.0.0.1", 5250));
	ck_assert(take(4, "10.0.0.1", 5500));
}
END_TEST

START_TEST(partial_tokens_accumulate_without_drift)
{
	/* rate 3: a token every 333.33 ms; 3 tokens in exactly 1000 ms. */
	table = rate_table_new(64);
	ck_assert_uint_eq(takes(3, "10.0.0.1", 0, 3), 3);
	ck_assert(!take(3, "10.0.0.1", 333));
	ck_assert(take(3, "10.0.0.1", 334));
	ck_assert(!take(3, "10.0.0.1", 666));
	ck_assert(take(3, "10.0.0.1", 667));
	ck_assert(!take(3, "10.0.0.1", 999));
	ck_assert(take(3, "10.0.0.1", 1000));
}
END_TEST

START_TEST(long_idle_refills_to_rate_not_beyond)
{
	table = rate_table_new(64);
	ck_assert_uint_eq(takes(5, "10.0.0.1", 0, 5), 5);
	ck_assert_uint_eq(takes(5, "10.0.0.1", 3600000, 10), 5);
}
END_TEST

START_TEST(sources_have_independent_buckets)
{
	table = rate_table_new(64);
	ck_assert_uint_eq(takes(2, "10.0.0.1", 0, 5), 2);
	ck_assert_uint_eq(takes(2, "10.0.0.2", 0, 5), 2);
	ck_assert_uint_eq(takes(2, "::1", 0, 5), 2);
	ck_assert_uint_eq(takes(2, "::2", 0, 5), 2);
}
END_TEST

START_TEST(ipv4_mapped_source_shares_the_ipv4_bucket)
{
	table = rate_table_new(64);
	ck_assert_uint_eq(takes(2, "192.0.2.1", 0, 1), 1);
	ck_assert_uint_eq(takes(2, "::ffff:192.0.2.1", 0, 5), 1);
}
END_TEST

START_TEST(same_bytes_in_other_family_is_another_source)
{
	unsigned char a[16] = { 192, 0, 2, 1 };

	table = rate_table_new(64);
	ck_assert(rate_take(table, 1, AF_INET, a, 0));
	ck_assert(!rate_take(table, 1, AF_INET, a, 0));
	ck_assert(rate_take(table, 1, AF_INET6, a, 0));
}
END_TEST

START_TEST(many_sources_each_get_their_own_bucket)
{
	char src[32];

	table = rate_table_new(1024);
	for (unsigned i = 0; i < 400; i++) {
		snprintf(src, sizeof(src), "10.0.%u.%u", i / 256, i % 256);
		ck_assert_uint_eq(takes(2, src, 0, 3), 2);
	}
	for (unsigned i = 0; i < 400; i++) {
		snprintf(src, sizeof(src), "10.0.%u.%u", i / 256, i % 256);
		ck_assert(!take(2, src, 1));
	}
}
END_TEST

START_TEST(full_table_admits_new_source_without_bucket)
{
	table = rate_table_new(2);
	ck_assert_uint_eq(takes(1, "10.0.0.1", 0, 2), 1);
	ck_assert_uint_eq(takes(1, "10.0.0.2", 0, 2), 1);
	ck_assert_uint_eq(takes(1, "10.0.0.3", 0, 10), 10);
	ck_assert(!take(1, "10.0.0.1", 0));
	ck_assert(!take(1, "10.0.0.2", 0));
}
END_TEST

START_TEST(source_idle_until_full_is_evicted_for_a_new_one)
{
	table = rate_table_new(1);
	ck_assert_uint_eq(takes(1, "10.0.0.1", 0, 2), 1);
	/* At 1000 ms 10.0.0.1 is full again: its slot carries nothing. */
	ck_assert_uint_eq(takes(1, "10.0.0.3", 1000, 3), 1);
	/* 10.0.0.3 now owns the only slot, so 10.0.0.1 goes unlimited. */
	ck_assert_uint_eq(takes(1, "10.0.0.1", 1000, 3), 3);
}
END_TEST

START_TEST(source_not_yet_full_keeps_its_bucket)
{
	table = rate_table_new(1);
	ck_assert(take(2, "10.0.0.1", 0));
	ck_assert_uint_eq(takes(2, "10.0.0.3", 100, 5), 5);	/* no slot */
	ck_assert_uint_eq(takes(2, "10.0.0.1", 100, 5), 1);
}
END_TEST

START_TEST(clock_stepping_back_adds_no_tokens)
{
	table = rate_table_new(8);
	ck_assert_uint_eq(takes(2, "10.0.0.1", 10000, 2), 2);
	ck_assert(!take(2, "10.0.0.1", 9000));
	ck_assert(!take(2, "10.0.0.1", 9499));
	ck_assert(take(2, "10.0.0.1", 9500));
}
END_TEST

START_TEST(lower_rate_after_reload_caps_existing_bucket)
{
	table = rate_table_new(8);
	ck_assert_uint_eq(takes(10, "10.0.0.1", 0, 2), 2);
	ck_assert_uint_eq(takes(2, "10.0.0.1", 0, 5), 2);
}
END_TEST

START_TEST(rate_zero_refuses_every_source)
{
	table = rate_table_new(8);
	ck_assert(!take(0, "10.0.0.1", 0));
	ck_assert(!take(0, "10.0.0.1", 5000));
}
END_TEST

START_TEST(unknown_family_is_refused)
{
	unsigned char a[16] = { 0 };

	table = rate_table_new(8);
	ck_assert(!rate_take(table, 5, AF_UNIX, a, 0));
}
END_TEST

START_TEST(zero_capacity_table_is_refused)
{
	ck_assert_ptr_null(rate_table_new(0));
	ck_assert_ptr_null(rate_table_new(SIZE_MAX));
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *c = tcase_create("cidr");
	TCase *g = tcase_create("targets");
	TCase *r = tcase_create("rate");

	tcase_add_test(c, ipv4_with_prefix_is_stored_masked);
	tcase_add_test(c, bare_ipv4_gets_prefix_32);
	tcase_add_test(c, bare_ipv6_gets_prefix_128);
	tcase_add_test(c, compressed_ipv6_with_prefix_is_stored_masked);
	tcase_add_test(c, prefix_zero_and_full_length_accepted);
	tcase_add_test(c, prefix_out_of_range_rejected);
	tcase_add_test(c, garbage_rejected);
	tcase_add_test(c, overlong_text_rejected);
	tcase_add_test(c, mapped_ipv6_prefix_is_stored_as_ipv4);
	tcase_add_test(c, ipv4_prefix_matches_inside_not_outside);
	tcase_add_test(c, prefix_not_on_byte_boundary_matches_partial_byte);
	tcase_add_test(c, slash_32_matches_only_that_address);
	tcase_add_test(c, slash_128_matches_only_that_address);
	tcase_add_test(c, slash_zero_matches_every_address_of_its_family_only);
	tcase_add_test(c, ipv4_mapped_source_matches_ipv4_prefix);
	tcase_add_test(c, mapped_prefix_in_config_matches_plain_ipv4_source);
	tcase_add_test(c, family_mismatch_never_matches);
	tcase_add_test(c, any_entry_of_the_list_can_match);
	tcase_add_test(c, empty_list_or_unknown_family_matches_nothing);
	suite_add_tcase(s, c);

	tcase_add_test(g, star_user_any_port_glob_matches_that_host_only);
	tcase_add_test(g, question_marks_match_exactly_one_char_each);
	tcase_add_test(g, empty_target_list_allows_nothing);
	tcase_add_test(g, any_glob_of_the_list_can_allow);
	tcase_add_test(g, star_crosses_slash_and_leading_dot_with_flags_zero);
	tcase_add_test(g, bracket_class_and_backslash_escape_work);
	suite_add_tcase(s, g);

	tcase_add_test(r, filled_bucket_gives_rate_tokens_then_one_per_interval);
	tcase_add_test(r, bucket_refills_to_rate_not_beyond_and_ignores_clock_steps);
	tcase_add_test(r, bucket_of_rate_zero_never_gives);
	tcase_add_checked_fixture(r, NULL, table_teardown);
	tcase_add_test(r, new_source_gets_burst_of_rate_then_refused);
	tcase_add_test(r, one_token_returns_after_1000_over_rate_ms);
	tcase_add_test(r, partial_tokens_accumulate_without_drift);
	tcase_add_test(r, long_idle_refills_to_rate_not_beyond);
	tcase_add_test(r, sources_have_independent_buckets);
	tcase_add_test(r, ipv4_mapped_source_shares_the_ipv4_bucket);
	tcase_add_test(r, same_bytes_in_other_family_is_another_source);
	tcase_add_test(r, many_sources_each_get_their_own_bucket);
	tcase_add_test(r, full_table_admits_new_source_without_bucket);
	tcase_add_test(r, source_idle_until_full_is_evicted_for_a_new_one);
	tcase_add_test(r, source_not_yet_full_keeps_its_bucket);
	tcase_add_test(r, clock_stepping_back_adds_no_tokens);
	tcase_add_test(r, lower_rate_after_reload_caps_existing_bucket);
	tcase_add_test(r, rate_zero_refuses_every_source);
	tcase_add_test(r, unknown_family_is_refused);
	tcase_add_test(r, zero_capacity_table_is_refused);
	suite_add_tcase(s, r);
	return s;
}
