/*
 * fuzz_sipfrag.c - libFuzzer harness for sipfrag_format() and
 * sipfrag_standard_reason() (src/sipfrag.c).  `make fuzz` runs it.
 *
 * Input: byte 0 picks how the code is made (bit 0 set: a raw 32-bit int
 * from bytes 1-4, anything at all; clear: 90 + (bytes 1-2 % 620), around
 * and inside 100..699) and whether the reason is NULL (bit 1); the rest is
 * the reason phrase (NUL bytes end it early, as they would in C).
 * Checks: -1 exactly for codes outside 100..699; otherwise the output is
 * one line "SIP/2.0 NNN <reason>" ending in CR LF, with no other CR or LF,
 * no control character, its length returned and within SIPFRAG_MAX.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipfrag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_sipfrag: %s:%d: %s\n", __FILE__, __LINE__, \
		#cond); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *reason = NULL;
	const char *std;
	int code, n;
	size_t hdr = 5;

	if (size < hdr)
		return 0;
	if (data[0] & 1) {
		uint32_t raw;

		memcpy(&raw, data + 1, sizeof raw);
		code = (int)raw;
	} else {
		code = 90 + (int)(((unsigned)data[1] << 8 | data[2]) % 620);
	}
	if (!(data[0] & 2)) {
		reason = malloc(size - hdr + 1);
		if (reason == NULL)
			abort();
		memcpy(reason, data + hdr, size - hdr);
		reason[size - hdr] = '\0';
	}
	buf = malloc(SIPFRAG_MAX);
	if (buf == NULL)
		abort();

	std = sipfrag_standard_reason(code);
	require(std != NULL && std[0] != '\0');

	n = sipfrag_format(buf, code, reason);
	if (code < 100 || code > 699) {
		require(n == -1);
	} else {
		char want[16];

		require(n > 0 && n < SIPFRAG_MAX);
		require(strlen(buf) == (size_t)n);
		snprintf(want, sizeof want, "SIP/2.0 %03d ", code);
		require(strncmp(buf, want, strlen(want)) == 0);
		require(n >= 2 && buf[n - 2] == '\r' && buf[n - 1] == '\n');
		for (int i = 0; i < n - 2; i++)
			require(buf[i] != '\r' && buf[i] != '\n' &&
				(unsigned char)buf[i] >= 0x20 &&
				buf[i] != 0x7f);
		/* a phrase that is all blanks is replaced by the standard one */
		require(n > (int)strlen(want) + 2);
	}
	free(buf);
	free(reason);
	return 0;
}
