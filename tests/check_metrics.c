/*
 * check_metrics.c - unit tests of metrics.c: the Prometheus text of the
 * counters (every series present from the start, cumulative histogram,
 * a cut buffer) and how one transfer's outcome is recorded.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

#include "check_main.h"

#define TEXT_MAX 16384

static char text[TEXT_MAX];

static char const *render(struct sta_metrics const *m)
{
	size_t len = metrics_render(m, text, sizeof text);

	ck_assert_uint_lt(len, sizeof text);
	ck_assert_uint_eq(strlen(text), len);
	return text;
}

/* True when TEXT holds LINE as a whole line. */
static bool has_line(char const *haystack, char const *line)
{
	size_t n = strlen(line);
	char const *p = haystack;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == haystack || p[-1] == '\n') && p[n] == '\n')
			return true;
		p++;
	}
	return false;
}

#define ck_assert_line(t, l) \
	ck_assert_msg(has_line((t), (l)), "no line '%s' in:\n%s", (l), (t))
#define ck_assert_no_line(t, l) \
	ck_assert_msg(!has_line((t), (l)), "unexpected line '%s' in:\n%s", \
		      (l), (t))

static char const *const metric_types[][2] = {
	{ "sta_refers_total", "counter" },
	{ "sta_refers_refused_total", "counter" },
	{ "sta_transfers_active", "gauge" },
	{ "sta_transfers_calling", "gauge" },
	{ "sta_notifies_sent_total", "counter" },
	{ "sta_notifies_coalesced_total", "counter" },
	{ "sta_invite_finals_total", "counter" },
	{ "sta_subscriptions_ended_total", "counter" },
	{ "sta_transfer_duration_seconds", "histogram" },
	{ "sta_connections_closed_total", "counter" },
	{ "sta_overload_shed_total", "counter" },
	{ "sta_overload_episodes_total", "counter" },
	{ "sta_overload_shedding", "gauge" },
	{ "sta_overloaded", "gauge" },
	{ "sta_overload_queue_wait_seconds", "gauge" },
	{ "sta_overload_loop_lag_seconds", "gauge" },
};

START_TEST(zero_metrics_have_every_help_type_and_usual_refer_statuses)
{
	static const int usual[] = { 202, 400, 401, 403, 416, 482, 500, 501,
				     503 };
	struct sta_metrics m = { 0 };
	char const *t = render(&m);
	char line[128];

	for (size_t i = 0; i < sizeof metric_types / sizeof metric_types[0];
	     i++) {
		snprintf(line, sizeof line, "# HELP %s ", metric_types[i][0]);
		ck_assert_ptr_nonnull(strstr(t, line));
		snprintf(line, sizeof line, "# TYPE %s %s", metric_types[i][0],
			 metric_types[i][1]);
		ck_assert_line(t, line);
	}
	for (size_t i = 0; i < sizeof usual / sizeof usual[0]; i++) {
		snprintf(line, sizeof line,
			 "sta_refers_total{status=\"%d\"} 0", usual[i]);
		ck_assert_line(t, line);
	}
	ck_assert_ptr_null(strstr(t, "status=\"404\""));
	ck_assert_line(t, "sta_transfers_active 0");
	ck_assert_line(t, "sta_transfers_calling 0");
	ck_assert_line(t, "sta_notifies_sent_total 0");
	ck_assert_line(t, "sta_notifies_coalesced_total 0");
	ck_assert_line(t, "sta_invite_finals_total{class=\"2xx\"} 0");
	ck_assert_line(t, "sta_invite_finals_total{class=\"6xx\"} 0");
	ck_assert_line(t, "sta_subscriptions_ended_total{reason=\"noresource\"} 0");
	ck_assert_line(t, "sta_subscriptions_ended_total{reason=\"timeout\"} 0");
	ck_assert_line(t, "sta_subscriptions_ended_total{reason=\"rejected\"} 0");
	ck_assert_line(t, "sta_transfer_duration_seconds_bucket{le=\"0.5\"} 0");
	ck_assert_line(t, "sta_transfer_duration_seconds_bucket{le=\"+Inf\"} 0");
	ck_assert_line(t, "sta_transfer_duration_seconds_sum 0.000");
	ck_assert_line(t, "sta_transfer_duration_seconds_count 0");
	ck_assert_line(t, "sta_connections_closed_total{reason=\"silent\"} 0");
}
END_TEST

START_TEST(counters_show_their_values)
{
	struct sta_metrics m = { 0 };
	char const *t;

	m.refers[202] = 12;
	m.refers[416] = 3;
	m.refers[404] = 1;
	m.notifies_sent = 7;
	m.notifies_coalesced = 2;
	m.invite_finals[4] = 9;
	m.subscriptions_ended[SUB_END_TIMEOUT] = 4;
	m.active_transfers = 5;
	m.calling_transfers = 2;
	m.connections_closed[CONN_CLOSE_TOO_MANY] = 6;
	m.overload_shed = 4000;
	m.overload_episodes = 2;
	m.overload_shedding = 1;
	m.overloaded = 1;
	m.overload_queue_wait_ms = 120;
	m.overload_loop_lag_ms = 3;
	t = render(&m);
	ck_assert_line(t, "sta_refers_total{status=\"202\"} 12");
	ck_assert_line(t, "sta_refers_total{status=\"416\"} 3");
	ck_assert_line(t, "sta_refers_total{status=\"404\"} 1");
	ck_assert_line(t, "sta_refers_total{status=\"403\"} 0");
	ck_assert_line(t, "sta_notifies_sent_total 7");
	ck_assert_line(t, "sta_notifies_coalesced_total 2");
	ck_assert_line(t, "sta_invite_finals_total{class=\"4xx\"} 9");
	ck_assert_line(t, "sta_invite_finals_total{class=\"2xx\"} 0");
	ck_assert_line(t, "sta_subscriptions_ended_total{reason=\"timeout\"} 4");
	ck_assert_line(t, "sta_transfers_active 5");
	ck_assert_line(t, "sta_transfers_calling 2");
	ck_assert_line(t, "sta_connections_closed_total"
			  "{reason=\"max_connections\"} 6");
	ck_assert_line(t, "sta_connections_closed_total"
			  "{reason=\"source not allowed\"} 0");
	ck_assert_line(t, "sta_overload_shed_total 4000");
	ck_assert_line(t, "sta_overload_episodes_total 2");
	ck_assert_line(t, "sta_overload_shedding 1");
	ck_assert_line(t, "sta_overloaded 1");
	ck_assert_line(t, "sta_overload_queue_wait_seconds 0.120");
	ck_assert_line(t, "sta_overload_loop_lag_seconds 0.003");
}
END_TEST

START_TEST(histogram_buckets_are_cumulative)
{
	struct sta_metrics m = { 0 };
	char const *t;

	m.duration_buckets[0] = 1;		/* le 0.5 */
	m.duration_buckets[2] = 2;		/* le 2 */
	m.duration_buckets[9] = 1;		/* le 300 */
	m.duration_buckets[METRICS_DURATION_BUCKETS] = 3;	/* +Inf */
	m.duration_count = 7;
	m.duration_sum = 1234.5;
	t = render(&m);
	ck_assert_line(t, "sta_transfer_duration_seconds_bucket{le=\"0.5\"} 1");
	ck_assert_line(t, "sta_transfer_duration_seconds_bucket{le=\"1\"} 1");
	ck_assert_line(t, "sta_transfer_duration_seconds_bucket{le=\"2\"} 3");
	ck_assert_line(t, "sta_transfer_duration_seconds_bucket{le=\"120\"} 3");
	ck_assert_line(t, "sta_transfer_duration_seconds_bucket{le=\"300\"} 4");
	ck_assert_line(t, "sta_transfer_duration_seconds_bucket{le=\"+Inf\"} 7");
	ck_assert_line(t, "sta_transfer_duration_seconds_count 7");
	ck_assert_line(t, "sta_transfer_duration_seconds_sum 1234.500");
}
END_TEST

START_TEST(too_small_buffer_returns_full_length_and_stays_terminated)
{
	struct sta_metrics m = { 0 };
	char small[48];
	size_t full;

	m.refers[202] = 1;
	full = strlen(render(&m));
	ck_assert_uint_eq(metrics_render(&m, NULL, 0), full);
	memset(small, 'x', sizeof small);
	ck_assert_uint_eq(metrics_render(&m, small, 32), full);
	ck_assert_int_eq(small[31], '\0');
	ck_assert_uint_eq(strlen(small), 31);
	ck_assert_int_eq(strncmp(small, text, 31), 0);
	ck_assert_int_eq(small[32], 'x');	/* nothing past SIZE */
	ck_assert_uint_eq(metrics_render(&m, small, 1), full);
	ck_assert_str_eq(small, "");
}
END_TEST

START_TEST(observe_final_buckets_bounds_inclusive)
{
	struct sta_metrics m = { 0 };
	char const *t;

	metrics_observe_final(&m, 200, 300);
	ck_assert_uint_eq(m.duration_buckets[0], 1);
	metrics_observe_final(&m, 200, 500);
	ck_assert_uint_eq(m.duration_buckets[0], 2);
	metrics_observe_final(&m, 200, 1000);
	ck_assert_uint_eq(m.duration_buckets[1], 1);
	metrics_observe_final(&m, 200, 1001);
	ck_assert_uint_eq(m.duration_buckets[2], 1);
	metrics_observe_final(&m, 200, 400000);
	ck_assert_uint_eq(m.duration_buckets[METRICS_DURATION_BUCKETS], 1);
	ck_assert_uint_eq(m.duration_count, 5);
	t = render(&m);
	ck_assert_line(t, "sta_transfer_duration_seconds_bucket{le=\"0.5\"} 2");
	ck_assert_line(t, "sta_transfer_duration_seconds_bucket{le=\"1\"} 3");
	ck_assert_line(t, "sta_transfer_duration_seconds_bucket{le=\"2\"} 4");
	ck_assert_line(t, "sta_transfer_duration_seconds_bucket{le=\"300\"} 4");
	ck_assert_line(t, "sta_transfer_duration_seconds_bucket{le=\"+Inf\"} 5");
	ck_assert_line(t, "sta_transfer_duration_seconds_count 5");
	ck_assert_line(t, "sta_transfer_duration_seconds_sum 402.801");
}
END_TEST

START_TEST(observe_final_counts_classes_2xx_to_6xx_only)
{
	static const int finals[] = { 200, 299, 302, 404, 487, 503, 603 };
	struct sta_metrics m = { 0 };
	char const *t;

	for (size_t i = 0; i < sizeof finals / sizeof finals[0]; i++)
		metrics_observe_final(&m, finals[i], 1000);
	metrics_observe_final(&m, 0, 1000);
	metrics_observe_final(&m, 199, 1000);
	metrics_observe_final(&m, 700, 1000);
	ck_assert_uint_eq(m.invite_finals[0], 0);
	ck_assert_uint_eq(m.invite_finals[1], 0);
	ck_assert_uint_eq(m.duration_count, 10);
	t = render(&m);
	ck_assert_line(t, "sta_invite_finals_total{class=\"2xx\"} 2");
	ck_assert_line(t, "sta_invite_finals_total{class=\"3xx\"} 1");
	ck_assert_line(t, "sta_invite_finals_total{class=\"4xx\"} 2");
	ck_assert_line(t, "sta_invite_finals_total{class=\"5xx\"} 1");
	ck_assert_line(t, "sta_invite_finals_total{class=\"6xx\"} 1");
	ck_assert_ptr_null(strstr(t, "class=\"1xx\""));
	ck_assert_ptr_null(strstr(t, "class=\"7xx\""));
	ck_assert_ptr_null(strstr(t, "class=\"0xx\""));
}
END_TEST

START_TEST(refusals_are_counted_by_reason)
{
	static char const loop[] = "loop";
	static char const rate[] = "over rate";
	struct sta_metrics m = { 0 };
	char const *t;

	metrics_count_refusal(&m, loop);
	metrics_count_refusal(&m, rate);
	metrics_count_refusal(&m, loop);
	t = render(&m);
	ck_assert_line(t, "sta_refers_refused_total{reason=\"loop\"} 2");
	ck_assert_line(t, "sta_refers_refused_total{reason=\"over rate\"} 1");
}
END_TEST

START_TEST(refusal_reasons_beyond_the_table_are_not_counted)
{
	static char const reasons[METRICS_REASONS + 1][8];
	struct sta_metrics m = { 0 };

	for (size_t i = 0; i <= METRICS_REASONS; i++)
		metrics_count_refusal(&m, reasons[i]);
	for (size_t i = 0; i < METRICS_REASONS; i++)
		ck_assert_uint_eq(m.refusals[i].count, 1);
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *render_tc = tcase_create("render");
	TCase *observe_tc = tcase_create("observe");

	tcase_add_test(render_tc,
		       zero_metrics_have_every_help_type_and_usual_refer_statuses);
	tcase_add_test(render_tc, counters_show_their_values);
	tcase_add_test(render_tc, refusals_are_counted_by_reason);
	tcase_add_test(render_tc, refusal_reasons_beyond_the_table_are_not_counted);
	tcase_add_test(render_tc, histogram_buckets_are_cumulative);
	tcase_add_test(render_tc,
		       too_small_buffer_returns_full_length_and_stays_terminated);
	suite_add_tcase(s, render_tc);
	tcase_add_test(observe_tc, observe_final_buckets_bounds_inclusive);
	tcase_add_test(observe_tc, observe_final_counts_classes_2xx_to_6xx_only);
	suite_add_tcase(s, observe_tc);
	return s;
}
