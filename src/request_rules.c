/*
 * request_rules.c - PURE rules every request passes before dispatch.
 * See request_rules.h.
 */
#include "request_rules.h"

#include <string.h>
#include <strings.h>

const char *const request_supported_tags[] = { "replaces", "norefersub",
					       NULL };

/* RFC 3986 scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
static bool is_scheme(const char *s)
{
	if (!s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	return s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "0123456789+-.")] == '\0';
}

int request_uri_status(const char *scheme, const char *host)
{
	if (!is_scheme(scheme))
		return 400;
	if (strcasecmp(scheme, "sip") != 0 && strcasecmp(scheme, "sips") != 0)
		return 416;
	return host && *host ? 0 : 400;
}

static bool supported(const char *tag)
{
	for (size_t i = 0; request_supported_tags[i]; i++)
		if (strcasecmp(tag, request_supported_tags[i]) == 0)
			return true;
	return false;
}

static bool listed(const char *tag, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(tag, list[i]) == 0)
			return true;
	return false;
}

size_t require_unsupported(const char *const *tags, size_t n,
			   const char **out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (tags[i] && *tags[i] && !supported(tags[i]) &&
		    !listed(tags[i], out, k))
			out[k++] = tags[i];
	return k;
}

bool cseq_accept(struct cseq_order *o, uint32_t seq)
{
	if (o->seen && seq <= o->last)
		return false;
	o->last = seq;
	o->seen = true;
	return true;
}

int replaces_status(enum replaced_phase phase, bool early_only)
{
	switch (phase) {
	case REPLACED_EARLY_OURS:
		return 0;
	case REPLACED_CONFIRMED:
		return early_only ? 486 : 0;
	case REPLACED_ENDED:
		return 603;
	case REPLACED_NONE:
	case REPLACED_EARLY_THEIRS:
	default:
		return 481;
	}
}
