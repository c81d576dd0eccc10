/*
 * fuzz_config.c - libFuzzer harness for config_load() and config_free()
 * (src/config.c on libconfig).  `make fuzz` runs it.
 *
 * The harness works in a directory of its own made under $TMPDIR (/tmp by
 * default) and removed at exit: it holds the files the seed configs of
 * tests/fuzz/corpus/fuzz_config name by relative path (offer.sdp, empty.sdp,
 * not_sdp.sdp, users, tls.crt, tls.key), and each input is written there as
 * fuzz.conf and loaded, the errors going to /dev/null.  The harness writes
 * nowhere else.  It changes into that directory, so libFuzzer must be given
 * absolute corpus and artifact paths (make fuzz does).  config_load reads
 * the files an input names but never writes them; inputs with a libconfig
 * "@include" directive are skipped, so the parser never opens a device or
 * FIFO that would block it.
 * Checks, from config.h: a valid file gives at least one listen URI, a
 * notify_interval of at least 1000 ms and the SDP read into memory, and
 * config_free leaves the struct zeroed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_config: %s:%d: %s\n", __FILE__, __LINE__, \
		#cond); abort(); } } while (0)

static char dir[4096];
static FILE *devnull;

/* The files the seeds name, relative to DIR. */
static const struct {
	const char *name, *text;
	mode_t mode;
} files[] = {
	{ "offer.sdp", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
	  "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n", 0644 },
	{ "empty.sdp", "", 0644 },
	{ "not_sdp.sdp", "hello\n", 0644 },
	{ "users", "alice:secret\n", 0600 },
	{ "open_users", "alice:secret\n", 0644 },
	{ "tls.crt", "-----BEGIN CERTIFICATE-----\n", 0644 },
	{ "tls.key", "-----BEGIN PRIVATE KEY-----\n", 0600 },
};

static void cleanup(void)
{
	char path[sizeof dir + 32];

	if (dir[0] == '\0')
		return;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
		unlink(path);
	}
	snprintf(path, sizeof path, "%s/fuzz.conf", dir);
	unlink(path);
	rmdir(dir);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/fuzz_config.XXXXXX",
		 tmp && tmp[0] ? tmp : "/tmp");
	require(mkdtemp(dir) != NULL);
	atexit(cleanup);
	require(chdir(dir) == 0);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		FILE *f = fopen(files[i].name, "w");

		require(f != NULL);
		fputs(files[i].text, f);
		require(fclose(f) == 0);
		require(chmod(files[i].name, files[i].mode) == 0);
	}
	devnull = fopen("/dev/null", "w");
	require(devnull != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sta_config zero;
	struct sta_config cfg;
	FILE *f;

	if (devnull == NULL)
		setup();
	if (size >= 8 && memmem(data, size, "@include", 8) != NULL)
		return 0;
	f = fopen("fuzz.conf", "w");
	require(f != NULL);
	require(fwrite(data, 1, size, f) == size);
	require(fclose(f) == 0);

	memset(&cfg, 0, sizeof cfg);
	if (config_load("fuzz.conf", &cfg, devnull) == 0) {
		require(cfg.n_listen >= 1 && cfg.listen != NULL);
		for (size_t i = 0; i < cfg.n_listen; i++)
			require(cfg.listen[i] != NULL);
		require(cfg.notify_interval_ms >= 1000);
		/* no media.sdp_file: the built-in offer, no file read */
		require((cfg.sdp == NULL && cfg.sdp_file == NULL) ||
			(cfg.sdp != NULL && strncmp(cfg.sdp, "v=0", 3) == 0));
	}
	config_free(&cfg);
	require(memcmp(&cfg, &zero, sizeof cfg) == 0);
	return 0;
}
