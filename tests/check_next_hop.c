/* check_next_hop.c - unit tests of next_hop.c: where a URI really sends a
 * request, as NTA computes it, and taking maddr out of a URI. */
#include <check.h>
#include <string.h>
#include <sys/socket.h>

#include "next_hop.h"

#include "check_main.h"

static char out[128];

START_TEST(maddr_is_removed_in_any_case_and_escaping)
{
	ck_assert(params_without_maddr("maddr=10.0.0.1", out, sizeof out));
	ck_assert_str_eq(out, "");
	ck_assert(params_without_maddr("transport=udp;MADDR=x;lr", out,
				       sizeof out));
	ck_assert_str_eq(out, "transport=udp;lr");
	ck_assert(params_without_maddr("m%61ddr=x;user=phone;Ma%44dr=y", out,
				       sizeof out));
	ck_assert_str_eq(out, "user=phone");
}
END_TEST

START_TEST(other_parameters_stay_as_written)
{
	ck_assert(params_without_maddr("maddrx=1;xmaddr=2;madd=3;maddr", out,
				       sizeof out));
	ck_assert_str_eq(out, "maddrx=1;xmaddr=2;madd=3");
	ck_assert(params_without_maddr(NULL, out, sizeof out));
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(too_small_buffer_is_refused_and_left_empty)
{
	char small[8];

	ck_assert(!params_without_maddr("transport=udp", small, sizeof small));
	ck_assert_str_eq(small, "");
}
END_TEST

START_TEST(next_hop_is_the_last_maddr_as_nta_takes_it)
{
	ck_assert_str_eq(next_hop_host("h", NULL, out, sizeof out), "h");
	ck_assert_str_eq(next_hop_host("h", "lr;transport=tcp", out,
				       sizeof out), "h");
	ck_assert_str_eq(next_hop_host("h", "maddr=10.0.0.1", out,
				       sizeof out), "10.0.0.1");
	ck_assert_str_eq(next_hop_host("h", "maddr=10.0.0.1;MADDR=10.0.0.2",
				       out, sizeof out), "10.0.0.2");
}
END_TEST

START_TEST(next_hop_maddr_too_long_is_null)
{
	char small[4];

	ck_assert_ptr_null(next_hop_host("h", "maddr=10.0.0.1", small,
					 sizeof small));
}
END_TEST

START_TEST(address_literals)
{
	unsigned char addr[16];
	int family;

	ck_assert(host_address("127.0.0.1", &family, addr));
	ck_assert_int_eq(family, AF_INET);
	ck_assert(host_address("[::1]", &family, addr));
	ck_assert_int_eq(family, AF_INET6);
	ck_assert_int_eq(addr[15], 1);
	ck_assert(host_address("::1", &family, addr));
	ck_assert(!host_address("example.com", &family, addr));
	ck_assert(!host_address("127.000.000.001", &family, addr));
	ck_assert(!host_address("[127.0.0.1]", &family, addr));
	ck_assert(!host_address(NULL, &family, addr));
}
END_TEST

START_TEST(localhost_names)
{
	ck_assert(host_is_localhost("localhost"));
	ck_assert(host_is_localhost("LOCALHOST."));
	ck_assert(host_is_localhost("a.b.localhost"));
	ck_assert(!host_is_localhost("localhost.example"));
	ck_assert(!host_is_localhost("notlocalhost"));
	ck_assert(!host_is_localhost(""));
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("next_hop");
	TCase *tc = tcase_create("next_hop");

	tcase_add_test(tc, maddr_is_removed_in_any_case_and_escaping);
	tcase_add_test(tc, other_parameters_stay_as_written);
	tcase_add_test(tc, too_small_buffer_is_refused_and_left_empty);
	tcase_add_test(tc, next_hop_is_the_last_maddr_as_nta_takes_it);
	tcase_add_test(tc, next_hop_maddr_too_long_is_null);
	tcase_add_test(tc, address_literals);
	tcase_add_test(tc, localhost_names);
	suite_add_tcase(s, tc);
	return s;
}
