/*
 * json.c - PURE codec of the control protocol's flat JSON objects.
 * See json.h.
 */
#include "json.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writer ----------------------------------------------------------- */

static bool reserve(struct json_out *o, size_t more)
{
	size_t cap;
	char *bigger;

	if (o->failed)
		return false;
	if (o->len + more <= o->cap)
		return true;
	cap = o->cap ? o->cap : 256;
	while (cap < o->len + more)
		cap *= 2;
	if (o->max && cap > o->max)
		cap = o->max;
	bigger = cap >= o->len + more ? realloc(o->buf, cap) : NULL;
	if (!bigger) {
		o->failed = true;
		return false;
	}
	o->buf = bigger;
	o->cap = cap;
	return true;
}

static void put(struct json_out *o, const char *s, size_t n)
{
	if (!reserve(o, n))
		return;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void put_char(struct json_out *o, char c)
{
	put(o, &c, 1);
}

/* Length of the valid UTF-8 sequence at S (1..4), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	uint32_t cp;

	if (s[0] > 0xf4 || n == 0)
		return 0;
	cp = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 ||
						  cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void put_escaped(struct json_out *o, const char *value)
{
	const unsigned char *s = (const unsigned char *)value;
	char esc[8];

	put_char(o, '"');
	while (*s) {
		size_t n = *s >= 0x80 ? utf8_len(s) : 1;

		if (*s == '"' || *s == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*s;
			put(o, esc, 2);
		} else if (*s < 0x20 || *s == 0x7f) {
			snprintf(esc, sizeof esc, "\\u%04x", *s);
			put(o, esc, 6);
		} else if (n == 0) {
			put(o, "\\ufffd", 6);
			n = 1;
		} else {
			put(o, (const char *)s, n);
		}
		s += n;
	}
	put_char(o, '"');
}

static void put_key(struct json_out *o, const char *key)
{
	if (!o->first)
		put_char(o, ',');
	o->first = false;
	put_escaped(o, key);
	put_char(o, ':');
}

void json_begin(struct json_out *o)
{
	put_char(o, '{');
	o->first = true;
}

void json_str(struct json_out *o, const char *key, const char *value)
{
	put_key(o, key);
	if (value)
		put_escaped(o, value);
	else
		put(o, "null", 4);
}

void json_int(struct json_out *o, const char *key, long long value)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%lld", value);

	put_key(o, key);
	put(o, num, (size_t)n);
}

void json_bool(struct json_out *o, const char *key, bool value)
{
	put_key(o, key);
	if (value)
		put(o, "true", 4);
	else
		put(o, "false", 5);
}

void json_null(struct json_out *o, const char *key)
{
	put_key(o, key);
	put(o, "null", 4);
}

void json_end(struct json_out *o)
{
	put(o, "}\n", 2);
}

void json_consume(struct json_out *o, size_t n)
{
	if (n >= o->len) {
		o->len = 0;
		return;
	}
	memmove(o->buf, o->buf + n, o->len - n);
	o->len -= n;
}

void json_out_free(struct json_out *o)
{
	free(o->buf);
	memset(o, 0, sizeof *o);
}

/* ---- reader ----------------------------------------------------------- */

struct cursor {
	const char *p, *end;
	char *out, *out_end;	/* into json_object.text */
};

static void skip_space(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
				 *c->p == '\r' || *c->p == '\n'))
		c->p++;
}

static bool take(struct cursor *c, char ch)
{
	skip_space(c);
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

static bool emit(struct cursor *c, const char *s, size_t n)
{
	if ((size_t)(c->out_end - c->out) < n)
		return false;
	memcpy(c->out, s, n);
	c->out += n;
	return true;
}

static int hex4(const char *s, const char *end)
{
	int v = 0;

	if (end - s < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char h = s[i];
		int d = h >= '0' && h <= '9' ? h - '0' :
			h >= 'a' && h <= 'f' ? h - 'a' + 10 :
			h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;

		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

static bool emit_code_point(struct cursor *c, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return emit(c, u, n);
}

/* \uXXXX (C->P after the 'u'), a surrogate pair taken whole. */
static bool unicode_escape(struct cursor *c)
{
	int hi = hex4(c->p, c->end), lo;

	if (hi <= 0)
		return false;
	c->p += 4;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return false;
	if (hi < 0xd800 || hi > 0xdbff)
		return emit_code_point(c, (uint32_t)hi);
	if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u')
		return false;
	lo = hex4(c->p + 2, c->end);
	if (lo < 0xdc00 || lo > 0xdfff)
		return false;
	c->p += 6;
	return emit_code_point(c, 0x10000 + (((uint32_t)hi - 0xd800) << 10) +
				  ((uint32_t)lo - 0xdc00));
}

static bool escape(struct cursor *c)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *hit;

	if (c->p >= c->end)
		return false;
	if (*c->p == 'u') {
		c->p++;
		return unicode_escape(c);
	}
	hit = strchr(from, *c->p);
	if (!hit || !*c->p)
		return false;
	c->p++;
	return emit(c, &to[hit - from], 1);
}

/* A string at C->P; *S gets its unescaped copy in the text buffer. */
static bool string(struct cursor *c, const char **s)
{
	if (!take(c, '"'))
		return false;
	*s = c->out;
	while (c->p < c->end && *c->p != '"') {
		unsigned char ch = (unsigned char)*c->p;

		if (ch < 0x20)
			return false;
		if (ch == '\\') {
			c->p++;
			if (!escape(c))
				return false;
		} else {
			if (!emit(c, c->p, 1))
				return false;
			c->p++;
		}
	}
	return c->p < c->end && take(c, '"') && emit(c, "", 1);
}

static bool word(struct cursor *c, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0)
		return false;
	c->p += n;
	return true;
}

static bool integer(struct cursor *c, long long *v)
{
	char digits[24];
	size_t n = 0;
	char *stop;

	if (c->p < c->end && *c->p == '-')
		digits[n++] = *c->p++;
	if (c->p >= c->end || *c->p < '0' || *c->p > '9' ||
	    (*c->p == '0' && c->end - c->p > 1 && c->p[1] >= '0' &&
	     c->p[1] <= '9'))
		return false;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		if (n + 1 >= sizeof digits)
			return false;
		digits[n++] = *c->p++;
	}
	digits[n] = '\0';
	errno = 0;
	*v = strtoll(digits, &stop, 10);
	return errno == 0 && *stop == '\0';
}

static bool value(struct cursor *c, struct json_field *f)
{
	skip_space(c);
	if (c->p >= c->end)
		return false;
	if (*c->p == '"') {
		f->type = JSON_STRING;
		return string(c, &f->str);
	}
	if (word(c, "true")) {
		f->type = JSON_BOOL;
		f->truth = true;
		return true;
	}
	if (word(c, "false")) {
		f->type = JSON_BOOL;
		return true;
	}
	if (word(c, "null")) {
		f->type = JSON_NULL;
		return true;
	}
	f->type = JSON_INT;
	return integer(c, &f->num);
}

static bool member(struct cursor *c, struct json_object *o)
{
	struct json_field *f;

	if (o->n >= JSON_MAX_FIELDS)
		return false;
	f = &o->f[o->n];
	memset(f, 0, sizeof *f);
	if (!string(c, &f->key) || !take(c, ':') || !value(c, f) ||
	    json_get(o, f->key))
		return false;
	o->n++;
	return true;
}

int json_parse(const char *line, size_t len, struct json_object *o)
{
	struct cursor c = { .p = line, .end = line + len, .out = o->text,
			    .out_end = o->text + sizeof o->text };

	o->n = 0;
	if (len > JSON_LINE_MAX + 2 || !take(&c, '{'))
		return -1;
	if (!take(&c, '}')) {
		do {
			if (!member(&c, o))
				return -1;
		} while (take(&c, ','));
		if (!take(&c, '}'))
			return -1;
	}
	skip_space(&c);
	return c.p == c.end ? 0 : -1;
}

const struct json_field *json_get(const struct json_object *o,
				  const char *key)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->f[i].key, key) == 0)
			return &o->f[i];
	return NULL;
}

const char *json_get_str(const struct json_object *o, const char *key)
{
	const struct json_field *f = json_get(o, key);

	return f && f->type == JSON_STRING ? f->str : NULL;
}

bool json_get_int(const struct json_object *o, const char *key,
		  long long *v)
{
	const struct json_field *f = json_get(o, key);

	if (!f || f->type != JSON_INT)
		return false;
	*v = f->num;
	return true;
}

bool json_is_true(const struct json_object *o, const char *key)
{
	const struct json_field *f = json_get(o, key);

	return f && f->type == JSON_BOOL && f->truth;
}
