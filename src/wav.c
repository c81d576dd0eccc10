/*
 * wav.c - PURE WAV (RIFF) parsing.  See wav.h.
 */
#include "wav.h"

#include <string.h>

static uint32_t le32(uint8_t const *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint16_t le16(uint8_t const *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

int16_t wav_sample(uint8_t const *data, size_t i)
{
	return (int16_t)le16(data + 2 * i);
}

static char const *check_format(uint8_t const *fmt, uint32_t size)
{
	if (size < 16)
		return "fmt chunk too short";
	if (le16(fmt) != 1)
		return "not linear PCM";
	if (le16(fmt + 2) != 1)
		return "not mono";
	if (le32(fmt + 4) != 8000)
		return "not 8000 Hz";
	if (le16(fmt + 14) != 16)
		return "not 16-bit";
	return NULL;
}

char const *wav_parse(uint8_t const *buf, size_t len,
		      uint8_t const **samples, size_t *n)
{
	size_t pos = 12;
	char const *why = "no fmt chunk";
	int have_fmt = 0;

	if (len < 12 || memcmp(buf, "RIFF", 4) || memcmp(buf + 8, "WAVE", 4))
		return "not a RIFF/WAVE file";
	while (pos + 8 <= len) {
		uint32_t size = le32(buf + pos + 4);
		uint8_t const *body = buf + pos + 8;

		if (size > len - pos - 8)
			return "chunk runs past the end of the file";
		if (!memcmp(buf + pos, "fmt ", 4)) {
			if ((why = check_format(body, size)))
				return why;
			have_fmt = 1;
		} else if (!memcmp(buf + pos, "data", 4)) {
			if (!have_fmt)
				return "data before fmt chunk";
			if (size < 2)
				return "no samples";
			*samples = body;
			*n = size / 2;
			return NULL;
		}
		pos += 8 + (size_t)size + (size & 1);
	}
	return have_fmt ? "no data chunk" : why;
}
