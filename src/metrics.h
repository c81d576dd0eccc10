/*
 * metrics.h - PURE counters of the agent and their Prometheus text form.
 *
 * metrics.c owns the names, help texts and label sets of every metric and
 * renders a struct sta_metrics in the Prometheus text exposition format
 * (version 0.0.4).  The glue only increments fields; the HTTP side
 * (metrics_http.c) only serves text rendered here.  No I/O, no clock.
 */
#ifndef STA_METRICS_H
#define STA_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "conn_table.h"
#include "transfer.h"

/* Upper bounds (seconds) of the transfer duration histogram buckets;
 * +Inf is implied. */
#define METRICS_DURATION_BOUNDS { 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300 }
#define METRICS_DURATION_BUCKETS 10

/* Distinct refusal reasons counted; refer_admit() has fewer. */
#define METRICS_REASONS 32

struct sta_metrics {
	/* sta_refers_total{status}: REFERs answered, by status code */
	unsigned long refers[700];
	/* sta_refers_refused_total{reason}: refusals by refer_admit()'s
	 * reason (static strings, compared by address) */
	struct {
		char const *reason;
		unsigned long count;
	} refusals[METRICS_REASONS];
	/* sta_notifies_sent_total, sta_notifies_coalesced_total */
	unsigned long notifies_sent;
	unsigned long notifies_coalesced;
	/* sta_invite_finals_total{class="2xx".."6xx"}: the final status each
	 * transfer's INVITE ended with (the agent's own 408/487/503 included) */
	unsigned long invite_finals[7];
	/* sta_subscriptions_ended_total{reason} */
	unsigned long subscriptions_ended[SUB_END_COUNT];
	/* sta_transfer_duration_seconds: from the 202 to the INVITE's final;
	 * per-bucket (not cumulative) counts, the last one is +Inf */
	unsigned long duration_buckets[METRICS_DURATION_BUCKETS + 1];
	double duration_sum;
	unsigned long duration_count;
	/* sta_connections_closed_total{reason}: TCP/TLS connections the
	 * agent closed, by conn_close_names[] */
	unsigned long connections_closed[CONN_CLOSE_COUNT];
	/* the overload control (sip_overload.c): sta_overload_shed_total,
	 * sta_overload_episodes_total, and gauges sta_overload_shedding,
	 * sta_overloaded, sta_overload_queue_wait_seconds,
	 * sta_overload_loop_lag_seconds, as of its last sample */
	unsigned long overload_shed;
	unsigned long overload_episodes;
	unsigned overload_shedding;
	unsigned overloaded;
	unsigned overload_queue_wait_ms;
	unsigned overload_loop_lag_ms;
	/* gauges, set by the owner before rendering */
	unsigned active_transfers;	/* sta_transfers_active */
	unsigned calling_transfers;	/* sta_transfers_calling */
};

/* Record one transfer's INVITE outcome: FINAL_STATUS and how long it took. */
void metrics_observe_final(struct sta_metrics *m, int final_status,
			   uint64_t duration_ms);

/* Count one REFER refused for REASON (a static string). */
void metrics_count_refusal(struct sta_metrics *m, char const *reason);

/* Render M as Prometheus text into BUF (SIZE bytes, NUL-terminated).
 * Returns the length of the full text; when that is >= SIZE the text was
 * cut and the caller should retry with a larger buffer. */
size_t metrics_render(struct sta_metrics const *m, char *buf, size_t size);

#endif
