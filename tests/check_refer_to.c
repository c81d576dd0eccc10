/*
 * check_refer_to.c - Check suite for refer_to.c: the Refer-To rules
 * (scheme, tel mapping, host and port, method, Replaces, the target key) and
 * the SPEC section 2 admission order of refer_admit, row by row.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refer_to.h"

#include "check_main.h"

/* ---- refer_to_check ---- */

static struct refer_to_uri uri;
static struct refer_target target;
static const char *why;

static void uri_setup(void)
{
	memset(&uri, 0, sizeof(uri));
	memset(&target, 0, sizeof(target));
	uri.scheme = "sip";
	uri.user = "1000";
	uri.host = "127.0.0.1";
	why = NULL;
}

static int check(const char *tel_domain)
{
	return refer_to_check(&uri, tel_domain, &target, &why);
}

static void assert_rejected(const char *tel_domain, int status,
			    const char *reason)
{
	ck_assert_int_eq(check(tel_domain), status);
	ck_assert_str_eq(why, reason);
}

START_TEST(sip_without_port_gets_5060_not_explicit)
{
	ck_assert_int_eq(check(NULL), 0);
	ck_assert_str_eq(target.scheme, "sip");
	ck_assert_str_eq(target.user, "1000");
	ck_assert_str_eq(target.host, "127.0.0.1");
	ck_assert_uint_eq(target.port, 5060);
	ck_assert(!target.port_explicit);
	ck_assert(!target.tel);
	ck_assert_str_eq(target.key, "1000@127.0.0.1:5060");
}
END_TEST

START_TEST(sips_without_port_gets_5061)
{
	uri.scheme = "sips";
	ck_assert_int_eq(check(NULL), 0);
	ck_assert_str_eq(target.scheme, "sips");
	ck_assert_uint_eq(target.port, 5061);
	ck_assert_str_eq(target.key, "1000@127.0.0.1:5061");
}
END_TEST

START_TEST(explicit_port_is_kept_and_marked)
{
	uri.port = "5070";
	ck_assert_int_eq(check(NULL), 0);
	ck_assert_uint_eq(target.port, 5070);
	ck_assert(target.port_explicit);
	ck_assert_str_eq(target.key, "1000@127.0.0.1:5070");
	uri.scheme = "sips";
	uri.port = "5060";
	ck_assert_int_eq(check(NULL), 0);
	ck_assert_str_eq(target.key, "1000@127.0.0.1:5060");
}
END_TEST

START_TEST(port_bounds_1_and_65535_accepted)
{
	uri.port = "1";
	ck_assert_int_eq(check(NULL), 0);
	ck_assert_uint_eq(target.port, 1);
	uri.port = "65535";
	ck_assert_int_eq(check(NULL), 0);
	ck_assert_uint_eq(target.port, 65535);
}
END_TEST

START_TEST(bad_port_is_400)
{
	static const char *const bad[] = {
		"0", "65536", "99999", "123456", "", "50a", "-1", "+5060", " 5060",
		"0x50", "18446744073709556676",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uri.port = bad[i];
		ck_assert_msg(check(NULL) == 400, "port \"%s\"", bad[i]);
		ck_assert_str_eq(why, "bad port");
	}
}
END_TEST

START_TEST(scheme_compare_is_case_insensitive)
{
	uri.scheme = "SIP";
	ck_assert_int_eq(check(NULL), 0);
	ck_assert_str_eq(target.scheme, "sip");
	uri.scheme = "SiPs";
	ck_assert_int_eq(check(NULL), 0);
	ck_assert_str_eq(target.scheme, "sips");
	ck_assert_uint_eq(target.port, 5061);
}
END_TEST

START_TEST(other_scheme_is_416)
{
	static const char *const bad[] = { "http", "sipx", "im", "pres" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uri.scheme = bad[i];
		ck_assert_msg(check("pbx.example.com") == 416, "\"%s\"", bad[i]);
		ck_assert_str_eq(why, "scheme not supported");
	}
}
END_TEST

START_TEST(malformed_scheme_is_400_not_416)
{
	static const char *const bad[] = { "", "carol@127.0.0.1", "1sip",
					   "si p", "<sip" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uri.scheme = bad[i];
		ck_assert_msg(check(NULL) == 400, "\"%s\"", bad[i]);
		ck_assert_str_eq(why, "Refer-To unparsable");
	}
}
END_TEST

START_TEST(control_characters_in_any_part_are_400)
{
	static const char ring[] = "car\aol", esc[] = "ca\x1b[31mrol";

	uri.user = ring;
	ck_assert_int_eq(check(NULL), 400);
	uri_setup();
	uri.user = esc;
	ck_assert_int_eq(check(NULL), 400);
	uri_setup();
	uri.host = "127.0.0.1\r\nX: y";
	ck_assert_int_eq(check(NULL), 400);
	uri_setup();
	uri.port = "50\17760";
	ck_assert_int_eq(check(NULL), 400);
	ck_assert_str_eq(why, "Refer-To unparsable");
}
END_TEST

START_TEST(missing_scheme_is_400)
{
	uri.scheme = NULL;
	assert_rejected(NULL, 400, "Refer-To unparsable");
}
END_TEST

START_TEST(tel_without_tel_domain_is_416)
{
	uri.scheme = "tel";
	uri.user = "+12125550100";
	uri.host = NULL;
	assert_rejected(NULL, 416, "scheme not supported");
	assert_rejected("", 416, "scheme not supported");
}
END_TEST

START_TEST(tel_maps_to_sip_at_tel_domain_without_separators)
{
	uri.scheme = "TEL";
	uri.user = "+1-212-(555).0100";
	uri.host = NULL;
	ck_assert_int_eq(check("pbx.example.com"), 0);
	ck_assert_str_eq(target.scheme, "sip");
	ck_assert_str_eq(target.user, "+12125550100");
	ck_assert_str_eq(target.host, "pbx.example.com");
	ck_assert_uint_eq(target.port, 5060);
	ck_assert(!target.port_explicit);
	ck_assert(target.tel);
	ck_assert_str_eq(target.key, "+12125550100@pbx.example.com:5060");
}
END_TEST

START_TEST(tel_local_number_keeps_hex_star_and_hash)
{
	uri.scheme = "tel";
	uri.user = "*72#1aF";
	ck_assert_int_eq(check("pbx"), 0);
	ck_assert_str_eq(target.user, "*72#1aF");
}
END_TEST

START_TEST(tel_domain_host_is_lowercased_in_key_only)
{
	uri.scheme = "tel";
	uri.user = "100";
	ck_assert_int_eq(check("PBX.Example.COM"), 0);
	ck_assert_str_eq(target.host, "PBX.Example.COM");
	ck_assert_str_eq(target.key, "100@pbx.example.com:5060");
}
END_TEST

START_TEST(tel_empty_number_is_400)
{
	static const char *const empty[] = { "", "-", "(.)", "+", "+--" };

	uri.scheme = "tel";
	uri.user = NULL;
	assert_rejected("pbx", 400, "empty tel number");
	for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		uri.user = empty[i];
		assert_rejected("pbx", 400, "empty tel number");
	}
}
END_TEST

START_TEST(tel_number_with_other_chars_is_400)
{
	static const char *const bad[] = {
		"1@evil.example", "12 34", "1+2", "12:5060", "1g", "(+1)",
	};

	uri.scheme = "tel";
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uri.user = bad[i];
		ck_assert_msg(check("pbx") == 400, "\"%s\"", bad[i]);
		ck_assert_str_eq(why, "bad tel number");
	}
}
END_TEST

START_TEST(method_absent_or_invite_in_any_case_passes)
{
	ck_assert_int_eq(check(NULL), 0);
	uri.method = "INVITE";
	ck_assert_int_eq(check(NULL), 0);
	uri.method = "invite";
	ck_assert_int_eq(check(NULL), 0);
}
END_TEST

START_TEST(method_other_than_invite_is_501)
{
	static const char *const bad[] = { "BYE", "REFER", "", "INVITEX" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uri.method = bad[i];
		assert_rejected(NULL, 501, "method not INVITE");
	}
}
END_TEST

START_TEST(method_rule_applies_to_tel_too)
{
	uri.scheme = "tel";
	uri.method = "BYE";
	assert_rejected("pbx", 501, "method not INVITE");
}
END_TEST

START_TEST(malformed_replaces_is_400_valid_passes)
{
	uri.has_replaces = true;
	assert_rejected(NULL, 400, "bad Replaces");
	uri.replaces_valid = true;
	ck_assert_int_eq(check(NULL), 0);
}
END_TEST

START_TEST(sip_without_host_is_400)
{
	uri.host = NULL;
	assert_rejected(NULL, 400, "no host");
	uri.host = "";
	assert_rejected(NULL, 400, "no host");
}
END_TEST

START_TEST(scheme_checked_before_host_method_and_replaces)
{
	uri.scheme = "http";
	uri.host = NULL;
	uri.method = "BYE";
	uri.has_replaces = true;
	assert_rejected(NULL, 416, "scheme not supported");
}
END_TEST

START_TEST(host_and_port_checked_before_method)
{
	uri.method = "BYE";
	uri.port = "0";
	assert_rejected(NULL, 400, "bad port");
	uri.host = NULL;
	assert_rejected(NULL, 400, "no host");
}
END_TEST

START_TEST(method_checked_before_replaces)
{
	uri.method = "BYE";
	uri.has_replaces = true;
	assert_rejected(NULL, 501, "method not INVITE");
}
END_TEST

START_TEST(key_keeps_user_case_and_lowercases_host)
{
	uri.user = "Bob.Smith";
	uri.host = "PBX.Example.COM";
	ck_assert_int_eq(check(NULL), 0);
	ck_assert_str_eq(target.host, "PBX.Example.COM");
	ck_assert_str_eq(target.key, "Bob.Smith@pbx.example.com:5060");
}
END_TEST

START_TEST(key_without_user_starts_with_at)
{
	uri.user = NULL;
	ck_assert_int_eq(check(NULL), 0);
	ck_assert_str_eq(target.user, "");
	ck_assert_str_eq(target.key, "@127.0.0.1:5060");
}
END_TEST

START_TEST(ipv6_host_keeps_its_brackets_in_key)
{
	uri.user = NULL;
	uri.host = "[2001:DB8::1]";
	uri.port = "5070";
	ck_assert_int_eq(check(NULL), 0);
	ck_assert_str_eq(target.host, "[2001:DB8::1]");
	ck_assert_str_eq(target.key, "@[2001:db8::1]:5070");
}
END_TEST

/* A string of LEN copies of C (LEN < sizeof buf). */
static const char *repeat(char *buf, char c, size_t len)
{
	memset(buf, c, len);
	buf[len] = '\0';
	return buf;
}

START_TEST(longest_user_and_host_fit_in_key)
{
	char user[200], host[300], key[512];

	uri.user = repeat(user, 'u', 127);
	uri.host = repeat(host, 'h', 255);
	uri.port = "65535";
	ck_assert_int_eq(check(NULL), 0);
	snprintf(key, sizeof(key), "%s@%s:65535", user, host);
	ck_assert_str_eq(target.key, key);
}
END_TEST

START_TEST(overlong_fields_are_400_too_long)
{
	char user[200], host[300];

	uri.user = repeat(user, 'u', 128);
	assert_rejected(NULL, 400, "Refer-To too long");
	uri.user = "1000";
	uri.host = repeat(host, 'h', 256);
	assert_rejected(NULL, 400, "Refer-To too long");
	uri.scheme = "tel";
	assert_rejected(host, 400, "Refer-To too long");
	uri.user = repeat(user, '1', 128);
	assert_rejected("pbx", 400, "Refer-To too long");
}
END_TEST

START_TEST(failed_check_leaves_target_untouched)
{
	uri.method = "BYE";
	strcpy(target.key, "before");
	ck_assert_int_eq(check(NULL), 501);
	ck_assert_str_eq(target.key, "before");
}
END_TEST

/* ---- refer_admit ---- */

static struct refer_facts facts;
static struct refer_verdict verdict;
static unsigned loop_calls, allowed_calls;
static enum refer_lookup loop_answer;
static bool allowed_answer;
static const char *expected_key = "1000@127.0.0.1:5060";
static int ctx_token;

static enum refer_lookup fake_is_loop(const struct refer_target *t,
				      void *ctx)
{
	ck_assert_ptr_eq(ctx, &ctx_token);
	ck_assert_str_eq(t->key, expected_key);
	loop_calls++;
	return loop_answer;
}

static bool fake_target_allowed(const struct refer_target *t, void *ctx)
{
	ck_assert_ptr_eq(ctx, &ctx_token);
	ck_assert_str_eq(t->key, expected_key);
	allowed_calls++;
	return allowed_answer;
}

/* A REFER that passes every check. */
static void admit_setup(void)
{
	uri_setup();
	memset(&facts, 0, sizeof(facts));
	facts.source_allowed = true;
	facts.refer_to_count = 1;
	facts.contact_count = 1;
	facts.notify_hop_allowed = true;
	facts.refer_to_parsed = true;
	facts.uri = &uri;
	facts.is_loop = fake_is_loop;
	facts.target_allowed = fake_target_allowed;
	facts.ctx = &ctx_token;
	loop_calls = allowed_calls = 0;
	loop_answer = LOOKUP_NO;
	expected_key = "1000@127.0.0.1:5060";
	allowed_answer = true;
}

static void assert_verdict(int status, const char *phrase, const char *reason)
{
	ck_assert_int_eq(refer_admit(&facts, &verdict), status);
	ck_assert_int_eq(verdict.status, status);
	ck_assert_str_eq(verdict.phrase, phrase);
	ck_assert_str_eq(verdict.why, reason);
}

static void assert_callbacks(unsigned loops, unsigned alloweds)
{
	ck_assert_uint_eq(loop_calls, loops);
	ck_assert_uint_eq(allowed_calls, alloweds);
}

START_TEST(valid_refer_is_202_with_target)
{
	assert_verdict(202, "Accepted", "accepted");
	ck_assert_str_eq(verdict.target.key, "1000@127.0.0.1:5060");
	ck_assert_uint_eq(verdict.retry_after, 0);
	ck_assert(!verdict.challenge_stale);
	assert_callbacks(1, 1);
}
END_TEST

START_TEST(source_not_allowed_is_403)
{
	facts.source_allowed = false;
	assert_verdict(403, "Forbidden", "source not allowed");
	assert_callbacks(0, 0);
}
END_TEST

START_TEST(missing_credentials_is_401_not_stale)
{
	facts.auth_required = true;
	assert_verdict(401, "Unauthorized", "authentication required");
	ck_assert(!verdict.challenge_stale);
	assert_callbacks(0, 0);
}
END_TEST

START_TEST(stale_nonce_is_401_with_stale_challenge)
{
	facts.auth_required = true;
	facts.auth_stale = true;
	assert_verdict(401, "Unauthorized", "stale nonce");
	ck_assert(verdict.challenge_stale);
}
END_TEST

START_TEST(good_credentials_pass_auth)
{
	facts.auth_required = true;
	facts.auth_ok = true;
	assert_verdict(202, "Accepted", "accepted");
}
END_TEST

START_TEST(auth_not_required_ignores_credentials)
{
	facts.auth_ok = false;
	facts.auth_stale = true;
	assert_verdict(202, "Accepted", "accepted");
	ck_assert(!verdict.challenge_stale);
}
END_TEST

START_TEST(shutting_down_is_503_retry_after_5)
{
	facts.shutting_down = true;
	assert_verdict(503, "Service Unavailable", "shutting down");
	ck_assert_uint_eq(verdict.retry_after, 5);
	assert_callbacks(0, 0);
}
END_TEST

START_TEST(draining_is_503_retry_after_5)
{
	facts.draining = true;
	assert_verdict(503, "Service Unavailable", "draining");
	ck_assert_uint_eq(verdict.retry_after, 5);
	assert_callbacks(0, 0);
}
END_TEST

START_TEST(max_active_reached_is_503_retry_after_5)
{
	facts.at_max_active = true;
	assert_verdict(503, "Service Unavailable", "max_active reached");
	ck_assert_uint_eq(verdict.retry_after, 5);
	assert_callbacks(0, 0);
}
END_TEST

START_TEST(over_rate_is_503_retry_after_1)
{
	facts.over_rate = true;
	assert_verdict(503, "Service Unavailable", "over rate");
	ck_assert_uint_eq(verdict.retry_after, 1);
	assert_callbacks(0, 0);
}
END_TEST

START_TEST(over_max_rate_is_503_retry_after_1)
{
	facts.over_max_rate = true;
	assert_verdict(503, "Service Unavailable", "over max_rate");
	ck_assert_uint_eq(verdict.retry_after, 1);
	assert_callbacks(0, 0);
}
END_TEST

START_TEST(source_rate_is_named_before_max_rate)
{
	facts.over_rate = true;
	facts.over_max_rate = true;
	assert_verdict(503, "Service Unavailable", "over rate");
	ck_assert_uint_eq(verdict.retry_after, 1);
}
END_TEST

START_TEST(shutdown_or_max_active_beat_rate_with_retry_after_5)
{
	facts.over_rate = true;
	facts.over_max_rate = true;
	facts.at_max_active = true;
	assert_verdict(503, "Service Unavailable", "max_active reached");
	ck_assert_uint_eq(verdict.retry_after, 5);
	facts.shutting_down = true;
	assert_verdict(503, "Service Unavailable", "shutting down");
	ck_assert_uint_eq(verdict.retry_after, 5);
}
END_TEST

START_TEST(no_refer_to_is_400)
{
	facts.refer_to_count = 0;
	assert_verdict(400, "Bad Request", "no Refer-To");
	assert_callbacks(0, 0);
}
END_TEST

START_TEST(several_refer_to_is_400)
{
	facts.refer_to_count = 2;
	assert_verdict(400, "Bad Request", "several Refer-To");
	assert_callbacks(0, 0);
}
END_TEST

START_TEST(unparsable_refer_to_is_400)
{
	facts.refer_to_parsed = false;
	assert_verdict(400, "Bad Request", "Refer-To unparsable");
	facts.refer_to_parsed = true;
	facts.uri = NULL;
	assert_verdict(400, "Bad Request", "Refer-To unparsable");
	assert_callbacks(0, 0);
}
END_TEST

START_TEST(unsupported_scheme_is_416)
{
	uri.scheme = "http";
	assert_verdict(416, "Unsupported URI Scheme", "scheme not supported");
	assert_callbacks(0, 0);
}
END_TEST

START_TEST(tel_without_tel_domain_is_416_in_admit)
{
	uri.scheme = "tel";
	assert_verdict(416, "Unsupported URI Scheme", "scheme not supported");
}
END_TEST

START_TEST(tel_with_tel_domain_is_accepted_as_sip)
{
	uri.scheme = "tel";
	uri.user = "1000";
	facts.tel_domain = "127.0.0.1";
	assert_verdict(202, "Accepted", "accepted");
	ck_assert(verdict.target.tel);
	ck_assert_str_eq(verdict.target.scheme, "sip");
}
END_TEST

START_TEST(method_not_invite_is_501)
{
	uri.method = "BYE";
	assert_verdict(501, "Not Implemented", "method not INVITE");
	assert_callbacks(0, 0);
}
END_TEST

START_TEST(malformed_replaces_is_400)
{
	uri.has_replaces = true;
	assert_verdict(400, "Bad Request", "bad Replaces");
	assert_callbacks(0, 0);
}
END_TEST

START_TEST(bad_port_is_400_in_admit)
{
	uri.port = "70000";
	assert_verdict(400, "Bad Request", "bad port");
	assert_callbacks(0, 0);
}
END_TEST

START_TEST(loop_is_482)
{
	loop_answer = LOOKUP_YES;
	assert_verdict(482, "Loop Detected", "loop");
	assert_callbacks(1, 1);
}
END_TEST

START_TEST(target_not_allowed_is_403)
{
	allowed_answer = false;
	assert_verdict(403, "Forbidden", "target not allowed");
	assert_callbacks(1, 1);
}
END_TEST

START_TEST(loop_wins_over_target_not_allowed)
{
	loop_answer = LOOKUP_YES;
	allowed_answer = false;
	assert_verdict(482, "Loop Detected", "loop");
	assert_callbacks(1, 1);
}
END_TEST

START_TEST(no_contact_is_400)
{
	facts.contact_count = 0;
	assert_verdict(400, "Bad Request", "no Contact");
	assert_callbacks(0, 0);
}
END_TEST

START_TEST(several_contacts_is_400)
{
	facts.contact_count = 2;
	assert_verdict(400, "Bad Request", "several Contact");
	assert_callbacks(0, 0);
}
END_TEST

START_TEST(replaces_header_in_refer_is_400)
{
	facts.has_replaces_header = true;
	assert_verdict(400, "Bad Request", "Replaces header in the REFER");
	assert_callbacks(0, 0);
}
END_TEST

START_TEST(notify_hop_outside_allow_from_is_403_after_loop)
{
	facts.notify_hop_allowed = false;
	assert_verdict(403, "Forbidden", "NOTIFY next hop not allowed");
	loop_answer = LOOKUP_YES;
	assert_verdict(482, "Loop Detected", "loop");
}
END_TEST

/* A name the globs refuse is refused without asking is_loop: no DNS. */
START_TEST(name_refused_by_policy_is_never_resolved)
{
	uri.host = "evil.example";
	expected_key = "1000@evil.example:5060";
	allowed_answer = false;
	loop_answer = LOOKUP_PENDING;
	assert_verdict(403, "Forbidden", "target not allowed");
	assert_callbacks(0, 1);
}
END_TEST

START_TEST(name_allowed_waits_for_its_addresses)
{
	uri.host = "pbx.example";
	expected_key = "1000@pbx.example:5060";
	loop_answer = LOOKUP_PENDING;
	ck_assert_int_eq(refer_admit(&facts, &verdict), 0);
	ck_assert_int_eq(verdict.status, 0);
	ck_assert(verdict.target.host_is_name);
	loop_answer = LOOKUP_YES;
	assert_verdict(482, "Loop Detected", "loop");
	loop_answer = LOOKUP_NO;
	assert_verdict(202, "Accepted", "accepted");
}
END_TEST

/* Resolvers read 127.000.000.001 and 017.0.0.1 as numbers: refused. */
START_TEST(odd_numeric_hosts_are_400)
{
	uri.host = "127.000.000.001";
	assert_verdict(400, "Bad Request", "host is no dotted-quad address");
	uri.host = "017.0.0.1";
	assert_verdict(400, "Bad Request", "host is no dotted-quad address");
	uri.host = "2130706433";
	assert_verdict(400, "Bad Request", "host is no dotted-quad address");
	assert_callbacks(0, 0);
}
END_TEST

START_TEST(address_literals_are_not_names)
{
	assert_verdict(202, "Accepted", "accepted");
	ck_assert(!verdict.target.host_is_name);
	uri.host = "[::1]";
	expected_key = "1000@[::1]:5060";
	assert_verdict(202, "Accepted", "accepted");
	ck_assert(!verdict.target.host_is_name);
	uri.host = "LocalHost.";		/* RFC 6761: no DNS */
	expected_key = "1000@localhost.:5060";
	allowed_answer = false;
	loop_answer = LOOKUP_YES;
	assert_verdict(482, "Loop Detected", "loop");
	ck_assert(!verdict.target.host_is_name);
}
END_TEST

START_TEST(missing_is_loop_means_not_a_loop)
{
	facts.is_loop = NULL;
	assert_verdict(202, "Accepted", "accepted");
	assert_callbacks(0, 1);
}
END_TEST

START_TEST(missing_target_allowed_refuses_target)
{
	facts.target_allowed = NULL;
	assert_verdict(403, "Forbidden", "target not allowed");
	assert_callbacks(1, 0);
}
END_TEST

START_TEST(source_check_wins_over_every_later_failure)
{
	facts.source_allowed = false;
	facts.auth_required = true;
	facts.shutting_down = true;
	facts.refer_to_count = 0;
	assert_verdict(403, "Forbidden", "source not allowed");
	ck_assert_uint_eq(verdict.retry_after, 0);
}
END_TEST

START_TEST(auth_wins_over_503_and_bad_refer_to)
{
	facts.auth_required = true;
	facts.auth_stale = true;
	facts.shutting_down = true;
	facts.over_rate = true;
	facts.refer_to_count = 2;
	assert_verdict(401, "Unauthorized", "stale nonce");
	ck_assert_uint_eq(verdict.retry_after, 0);
}
END_TEST

START_TEST(unavailable_wins_over_refer_to_problems)
{
	facts.over_rate = true;
	facts.refer_to_count = 0;
	assert_verdict(503, "Service Unavailable", "over rate");
	facts.refer_to_count = 1;
	uri.scheme = "http";
	assert_verdict(503, "Service Unavailable", "over rate");
}
END_TEST

START_TEST(count_checked_before_parse)
{
	facts.refer_to_count = 2;
	facts.refer_to_parsed = false;
	assert_verdict(400, "Bad Request", "several Refer-To");
}
END_TEST

START_TEST(loop_checked_only_after_uri_rules_pass)
{
	loop_answer = LOOKUP_YES;
	uri.scheme = "http";
	assert_verdict(416, "Unsupported URI Scheme", "scheme not supported");
	uri.scheme = "sip";
	uri.method = "BYE";
	assert_verdict(501, "Not Implemented", "method not INVITE");
	assert_callbacks(0, 0);
	uri.method = NULL;
	assert_verdict(482, "Loop Detected", "loop");
}
END_TEST

START_TEST(failed_verdict_has_no_stale_retry_or_target)
{
	memset(&verdict, 0xff, sizeof(verdict));
	facts.refer_to_count = 0;
	assert_verdict(400, "Bad Request", "no Refer-To");
	ck_assert_uint_eq(verdict.retry_after, 0);
	ck_assert(!verdict.challenge_stale);
	ck_assert_str_eq(verdict.target.key, "");
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("refer_to");
	TCase *c = tcase_create("refer_to_check");
	TCase *a = tcase_create("refer_admit");

	tcase_add_checked_fixture(c, uri_setup, NULL);
	tcase_add_test(c, sip_without_port_gets_5060_not_explicit);
	tcase_add_test(c, sips_without_port_gets_5061);
	tcase_add_test(c, explicit_port_is_kept_and_marked);
	tcase_add_test(c, port_bounds_1_and_65535_accepted);
	tcase_add_test(c, bad_port_is_400);
	tcase_add_test(c, scheme_compare_is_case_insensitive);
	tcase_add_test(c, other_scheme_is_416);
	tcase_add_test(c, missing_scheme_is_400);
	tcase_add_test(c, malformed_scheme_is_400_not_416);
	tcase_add_test(c, control_characters_in_any_part_are_400);
	tcase_add_test(c, tel_without_tel_domain_is_416);
	tcase_add_test(c, tel_maps_to_sip_at_tel_domain_without_separators);
	tcase_add_test(c, tel_local_number_keeps_hex_star_and_hash);
	tcase_add_test(c, tel_domain_host_is_lowercased_in_key_only);
	tcase_add_test(c, tel_empty_number_is_400);
	tcase_add_test(c, tel_number_with_other_chars_is_400);
	tcase_add_test(c, method_absent_or_invite_in_any_case_passes);
	tcase_add_test(c, method_other_than_invite_is_501);
	tcase_add_test(c, method_rule_applies_to_tel_too);
	tcase_add_test(c, malformed_replaces_is_400_valid_passes);
	tcase_add_test(c, sip_without_host_is_400);
	tcase_add_test(c, scheme_checked_before_host_method_and_replaces);
	tcase_add_test(c, host_and_port_checked_before_method);
	tcase_add_test(c, method_checked_before_replaces);
	tcase_add_test(c, key_keeps_user_case_and_lowercases_host);
	tcase_add_test(c, key_without_user_starts_with_at);
	tcase_add_test(c, ipv6_host_keeps_its_brackets_in_key);
	tcase_add_test(c, longest_user_and_host_fit_in_key);
	tcase_add_test(c, overlong_fields_are_400_too_long);
	tcase_add_test(c, failed_check_leaves_target_untouched);
	suite_add_tcase(s, c);

	tcase_add_checked_fixture(a, admit_setup, NULL);
	tcase_add_test(a, valid_refer_is_202_with_target);
	tcase_add_test(a, source_not_allowed_is_403);
	tcase_add_test(a, missing_credentials_is_401_not_stale);
	tcase_add_test(a, stale_nonce_is_401_with_stale_challenge);
	tcase_add_test(a, good_credentials_pass_auth);
	tcase_add_test(a, auth_not_required_ignores_credentials);
	tcase_add_test(a, shutting_down_is_503_retry_after_5);
	tcase_add_test(a, draining_is_503_retry_after_5);
	tcase_add_test(a, max_active_reached_is_503_retry_after_5);
	tcase_add_test(a, over_rate_is_503_retry_after_1);
	tcase_add_test(a, over_max_rate_is_503_retry_after_1);
	tcase_add_test(a, source_rate_is_named_before_max_rate);
	tcase_add_test(a, shutdown_or_max_active_beat_rate_with_retry_after_5);
	tcase_add_test(a, no_refer_to_is_400);
	tcase_add_test(a, several_refer_to_is_400);
	tcase_add_test(a, unparsable_refer_to_is_400);
	tcase_add_test(a, unsupported_scheme_is_416);
	tcase_add_test(a, tel_without_tel_domain_is_416_in_admit);
	tcase_add_test(a, tel_with_tel_domain_is_accepted_as_sip);
	tcase_add_test(a, method_not_invite_is_501);
	tcase_add_test(a, malformed_replaces_is_400);
	tcase_add_test(a, bad_port_is_400_in_admit);
	tcase_add_test(a, loop_is_482);
	tcase_add_test(a, target_not_allowed_is_403);
	tcase_add_test(a, loop_wins_over_target_not_allowed);
	tcase_add_test(a, missing_is_loop_means_not_a_loop);
	tcase_add_test(a, no_contact_is_400);
	tcase_add_test(a, several_contacts_is_400);
	tcase_add_test(a, replaces_header_in_refer_is_400);
	tcase_add_test(a, notify_hop_outside_allow_from_is_403_after_loop);
	tcase_add_test(a, name_refused_by_policy_is_never_resolved);
	tcase_add_test(a, name_allowed_waits_for_its_addresses);
	tcase_add_test(a, address_literals_are_not_names);
	tcase_add_test(a, odd_numeric_hosts_are_400);
	tcase_add_test(a, missing_target_allowed_refuses_target);
	tcase_add_test(a, source_check_wins_over_every_later_failure);
	tcase_add_test(a, auth_wins_over_503_and_bad_refer_to);
	tcase_add_test(a, unavailable_wins_over_refer_to_problems);
	tcase_add_test(a, count_checked_before_parse);
	tcase_add_test(a, loop_checked_only_after_uri_rules_pass);
	tcase_add_test(a, failed_verdict_has_no_stale_retry_or_target);
	suite_add_tcase(s, a);
	return s;
}
