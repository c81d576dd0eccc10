/*
 * fuzz_json.c - libFuzzer harness for the control protocol's JSON codec
 * (src/json.c).  `make fuzz` runs it.
 *
 * Input: one line for json_parse().  Checks: when it parses and its keys
 * and strings are ASCII, the members written back with the writer parse
 * again to the same keys, types and values (other bytes may become
 * U+FFFD, so two keys could merge); the writer's output of the raw input
 * as a string value always parses back to one string.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_json: %s:%d: %s\n", __FILE__, __LINE__, \
		#cond); abort(); } } while (0)

static struct json_object in, again;

static void write_back(struct json_out *o)
{
	json_begin(o);
	for (size_t i = 0; i < in.n; i++) {
		const struct json_field *f = &in.f[i];

		if (f->type == JSON_STRING)
			json_str(o, f->key, f->str);
		else if (f->type == JSON_INT)
			json_int(o, f->key, f->num);
		else if (f->type == JSON_BOOL)
			json_bool(o, f->key, f->truth);
		else
			json_null(o, f->key);
	}
	json_end(o);
}

static bool ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

static bool all_ascii(void)
{
	for (size_t i = 0; i < in.n; i++)
		if (!ascii(in.f[i].key) ||
		    (in.f[i].type == JSON_STRING && !ascii(in.f[i].str)))
			return false;
	return true;
}

static void same_members(void)
{
	require(again.n == in.n);
	for (size_t i = 0; i < in.n; i++) {
		const struct json_field *f = &in.f[i], *g = &again.f[i];

		require(strcmp(f->key, g->key) == 0);
		require(f->type == g->type);
		if (f->type == JSON_STRING)
			require(strcmp(f->str, g->str) == 0);
		if (f->type == JSON_INT)
			require(f->num == g->num);
		if (f->type == JSON_BOOL)
			require(f->truth == g->truth);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_out o = { 0 };
	char *raw = malloc(size + 1);

	if (raw == NULL)
		abort();
	if (json_parse((const char *)data, size, &in) == 0 && all_ascii()) {
		write_back(&o);
		require(!o.failed);
		if (o.len <= JSON_LINE_MAX) {
			require(json_parse(o.buf, o.len, &again) == 0);
			same_members();
		}
	}
	o.len = 0;
	memcpy(raw, data, size);
	raw[size] = '\0';
	json_begin(&o);
	json_str(&o, "raw", raw);
	json_end(&o);
	require(!o.failed);
	if (o.len <= JSON_LINE_MAX) {
		require(json_parse(o.buf, o.len, &again) == 0);
		require(again.n == 1 && again.f[0].type == JSON_STRING);
	}
	json_out_free(&o);
	free(raw);
	return 0;
}
