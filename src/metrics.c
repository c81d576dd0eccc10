/*
 * metrics.c - PURE counters of the agent and their Prometheus text form.
 * See metrics.h.
 */
#include "metrics.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static const double duration_bounds[] = METRICS_DURATION_BOUNDS;

/* REFER answers rendered even while zero, so their series always exist. */
static const int usual_refer_statuses[] = {
	202, 400, 401, 403, 416, 482, 500, 501, 503,
};

static const char *const sub_end_names[SUB_END_COUNT] = {
	[SUB_END_NORESOURCE] = "noresource",
	[SUB_END_TIMEOUT] = "timeout",
	[SUB_END_REJECTED] = "rejected",
};

void metrics_observe_final(struct sta_metrics *m, int final_status,
			   uint64_t duration_ms)
{
	double seconds = (double)duration_ms / 1000.0;
	size_t b = 0;

	if (final_status >= 200 && final_status <= 699)
		m->invite_finals[final_status / 100]++;
	while (b < METRICS_DURATION_BUCKETS && seconds > duration_bounds[b])
		b++;
	m->duration_buckets[b]++;
	m->duration_sum += seconds;
	m->duration_count++;
}

void metrics_count_refusal(struct sta_metrics *m, char const *reason)
{
	for (size_t i = 0; i < METRICS_REASONS; i++) {
		if (m->refusals[i].reason == NULL)
			m->refusals[i].reason = reason;
		if (m->refusals[i].reason == reason) {
			m->refusals[i].count++;
			return;
		}
	}
}

/* Appends to a buffer, counting what would not fit. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, char const *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->len < o->size ? o->buf + o->len : NULL,
		      o->len < o->size ? o->size - o->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static void header(struct out *o, char const *name, char const *type,
		   char const *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static bool is_usual_refer_status(int status)
{
	for (size_t i = 0; i < sizeof usual_refer_statuses /
			       sizeof usual_refer_statuses[0]; i++)
		if (usual_refer_statuses[i] == status)
			return true;
	return false;
}

static void render_refers(struct out *o, struct sta_metrics const *m)
{
	header(o, "sta_refers_total", "counter",
	       "REFER requests answered, by status code.");
	for (int status = 100; status < 700; status++)
		if (m->refers[status] || is_usual_refer_status(status))
			put(o, "sta_refers_total{status=\"%d\"} %lu\n", status,
			    m->refers[status]);
}

static void render_refusals(struct out *o, struct sta_metrics const *m)
{
	header(o, "sta_refers_refused_total", "counter",
	       "REFER requests refused, by reason.");
	for (size_t i = 0; i < METRICS_REASONS && m->refusals[i].reason; i++)
		put(o, "sta_refers_refused_total{reason=\"%s\"} %lu\n",
		    m->refusals[i].reason, m->refusals[i].count);
}

static void render_gauges(struct out *o, struct sta_metrics const *m)
{
	header(o, "sta_transfers_active", "gauge",
	       "Transfers accepted and not over yet.");
	put(o, "sta_transfers_active %u\n", m->active_transfers);
	header(o, "sta_transfers_calling", "gauge",
	       "Transfers whose INVITE has no final response yet.");
	put(o, "sta_transfers_calling %u\n", m->calling_transfers);
}

static void render_notifies(struct out *o, struct sta_metrics const *m)
{
	header(o, "sta_notifies_sent_total", "counter",
	       "NOTIFY requests sent to referers.");
	put(o, "sta_notifies_sent_total %lu\n", m->notifies_sent);
	header(o, "sta_notifies_coalesced_total", "counter",
	       "Provisional news replaced by newer news before its NOTIFY "
	       "could leave (pacing).");
	put(o, "sta_notifies_coalesced_total %lu\n", m->notifies_coalesced);
}

static void render_finals(struct out *o, struct sta_metrics const *m)
{
	header(o, "sta_invite_finals_total", "counter",
	       "Final status of the INVITEs to targets, by class.");
	for (int c = 2; c <= 6; c++)
		put(o, "sta_invite_finals_total{class=\"%dxx\"} %lu\n", c,
		    m->invite_finals[c]);
}

static void render_subscriptions(struct out *o, struct sta_metrics const *m)
{
	header(o, "sta_subscriptions_ended_total", "counter",
	       "Implied subscriptions ended, by reason.");
	for (int r = 0; r < SUB_END_COUNT; r++)
		put(o, "sta_subscriptions_ended_total{reason=\"%s\"} %lu\n",
		    sub_end_names[r], m->subscriptions_ended[r]);
}

static void render_duration(struct out *o, struct sta_metrics const *m)
{
	unsigned long cumulative = 0;

	header(o, "sta_transfer_duration_seconds", "histogram",
	       "Time from a transfer's 202 to its INVITE's final status.");
	for (size_t b = 0; b < METRICS_DURATION_BUCKETS; b++) {
		cumulative += m->duration_buckets[b];
		put(o, "sta_transfer_duration_seconds_bucket{le=\"%g\"} %lu\n",
		    duration_bounds[b], cumulative);
	}
	cumulative += m->duration_buckets[METRICS_DURATION_BUCKETS];
	put(o, "sta_transfer_duration_seconds_bucket{le=\"+Inf\"} %lu\n",
	    cumulative);
	put(o, "sta_transfer_duration_seconds_sum %.3f\n", m->duration_sum);
	put(o, "sta_transfer_duration_seconds_count %lu\n", m->duration_count);
}

static void render_connections(struct out *o, struct sta_metrics const *m)
{
	header(o, "sta_connections_closed_total", "counter",
	       "TCP/TLS connections closed by the agent's limits, by reason.");
	for (int r = 0; r < CONN_CLOSE_COUNT; r++)
		put(o, "sta_connections_closed_total{reason=\"%s\"} %lu\n",
		    conn_close_names[r], m->connections_closed[r]);
}

static void render_overload(struct out *o, struct sta_metrics const *m)
{
	header(o, "sta_overload_shed_total", "counter",
	       "Requests outside dialogs answered 503 by the overload control.");
	put(o, "sta_overload_shed_total %lu\n", m->overload_shed);
	header(o, "sta_overload_episodes_total", "counter",
	       "Overload episodes since start.");
	put(o, "sta_overload_episodes_total %lu\n", m->overload_episodes);
	header(o, "sta_overload_shedding", "gauge",
	       "1 while new requests outside dialogs are answered 503.");
	put(o, "sta_overload_shedding %u\n", m->overload_shedding);
	header(o, "sta_overloaded", "gauge",
	       "1 within an overload episode.");
	put(o, "sta_overloaded %u\n", m->overloaded);
	header(o, "sta_overload_queue_wait_seconds", "gauge",
	       "Wait of the oldest datagram queued in a SIP UDP socket.");
	put(o, "sta_overload_queue_wait_seconds %.3f\n",
	    m->overload_queue_wait_ms / 1000.0);
	header(o, "sta_overload_loop_lag_seconds", "gauge",
	       "Lateness of the event loop's overload timer.");
	put(o, "sta_overload_loop_lag_seconds %.3f\n",
	    m->overload_loop_lag_ms / 1000.0);
}

size_t metrics_render(struct sta_metrics const *m, char *buf, size_t size)
{
	struct out o = { .buf = buf, .size = size };

	if (size)
		buf[0] = '\0';
	render_refers(&o, m);
	render_refusals(&o, m);
	render_gauges(&o, m);
	render_notifies(&o, m);
	render_finals(&o, m);
	render_subscriptions(&o, m);
	render_duration(&o, m);
	render_connections(&o, m);
	render_overload(&o, m);
	return o.len;
}
