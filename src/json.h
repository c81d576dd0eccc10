/*
 * json.h - PURE codec of the control protocol's flat JSON objects.
 *
 * json.c owns the one JSON shape the control socket speaks (SPEC 9): a
 * line holding one object whose values are strings, integers, true, false
 * or null - no nesting, no fractions.  The writer appends such objects,
 * one per line, to a growing buffer; the reader parses one line into its
 * fields.  No I/O, no Sofia-SIP; the writer's only allocation is its
 * buffer, which the caller frees.
 */
#ifndef STA_JSON_H
#define STA_JSON_H

#include <stdbool.h>
#include <stddef.h>

/* ---- writer ----------------------------------------------------------- */

/* Objects appended one after another, each ended by "}\n".  Zero it to
 * start; on allocation failure FAILED is set and later calls do nothing. */
struct json_out {
	char *buf;
	size_t len, cap;
	size_t max;		/* refuse to grow past this; 0: no limit */
	bool failed;
	bool first;		/* no member yet in the open object */
};

void json_begin(struct json_out *o);
/* A string member; VALUE NULL writes null.  Control characters are
 * escaped; bytes that are not UTF-8 become U+FFFD. */
void json_str(struct json_out *o, const char *key, const char *value);
void json_int(struct json_out *o, const char *key, long long value);
void json_bool(struct json_out *o, const char *key, bool value);
void json_null(struct json_out *o, const char *key);
void json_end(struct json_out *o);
/* Forget the first N bytes (already written out). */
void json_consume(struct json_out *o, size_t n);
void json_out_free(struct json_out *o);

/* ---- reader ----------------------------------------------------------- */

/* The longest line either side sends or accepts, newline excluded. */
#define JSON_LINE_MAX 8192
#define JSON_MAX_FIELDS 24

enum json_type { JSON_STRING, JSON_INT, JSON_BOOL, JSON_NULL };

struct json_field {
	const char *key;
	enum json_type type;
	const char *str;	/* JSON_STRING: unescaped, NUL-terminated */
	long long num;		/* JSON_INT */
	bool truth;		/* JSON_BOOL */
};

struct json_object {
	size_t n;
	struct json_field f[JSON_MAX_FIELDS];
	char text[JSON_LINE_MAX + 1];	/* where keys and strings live */
};

/* Parse LINE (LEN bytes, trailing "\r\n" allowed) into *O.  Returns 0, or
 * -1 when it is not one flat object: nesting, fractions, a duplicate key,
 * more than JSON_MAX_FIELDS members, \u0000, a lone surrogate, raw control
 * characters in a string, or anything after the closing brace. */
int json_parse(const char *line, size_t len, struct json_object *o);

/* The member KEY, or NULL. */
const struct json_field *json_get(const struct json_object *o,
				  const char *key);
/* Member KEY's string, or NULL when absent or not a string. */
const char *json_get_str(const struct json_object *o, const char *key);
/* Member KEY as an integer into *V; false when absent or not one. */
bool json_get_int(const struct json_object *o, const char *key,
		  long long *v);
/* Member KEY is true. */
bool json_is_true(const struct json_object *o, const char *key);

#endif
