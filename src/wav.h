/*
 * wav.h - PURE reading of the audio file media.mode "file" plays.
 *
 * wav.c owns the RIFF/WAVE layout check: only 8000 Hz, mono, 16-bit
 * linear PCM is accepted, so no resampling is ever needed.
 */
#ifndef STA_WAV_H
#define STA_WAV_H

#include <stddef.h>
#include <stdint.h>

/* Find the samples of the WAV file in BUF (LEN bytes).  On success
 * returns NULL and sets *SAMPLES (little-endian 16-bit, inside BUF) and
 * *N; otherwise returns why the file is refused. */
char const *wav_parse(uint8_t const *buf, size_t len,
		      uint8_t const **samples, size_t *n);

/* Sample I of little-endian 16-bit DATA. */
int16_t wav_sample(uint8_t const *data, size_t i);

#endif
