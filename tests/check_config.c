/*
 * check_config.c - config.c: what a file loads into, and the exact
 * "FILE:LINE: message" text of every kind of error.
 *
 * The configs live in tests/config/ (TEST_DATA_DIR).  Each test copies the
 * one it uses into a fresh temporary directory, replacing @DATA@ with
 * TEST_DATA_DIR and @TMP@ with that directory, so absolute SDP paths work
 * whatever the working directory.  Expected messages use the same
 * placeholders plus @CONF@, the path the config was loaded from.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"

#include "check_main.h"

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must name the tests/config directory"
#endif

#define SHIPPED_DIR TEST_DATA_DIR "/../../conf"

#define TMPDIR_TEMPLATE "/tmp/check_config.XXXXXX"

static char tmpdir[sizeof TMPDIR_TEMPLATE];

/* Unchecked fixture: one directory per TCase, made and removed outside the
 * forked tests so that it goes away even when a test fails. */
/* Write NAME in the temporary directory with MODE. */
static void write_mode(const char *name, const char *text, mode_t mode)
{
	char path[sizeof tmpdir + 32];

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0 ||
	    chmod(path, mode) != 0) {
		perror(path);
		exit(EXIT_FAILURE);
	}
}

/* The temporary directory, with the files auth and tls keys point at:
 * secrets readable by their owner only, and one readable by all. */
static void make_tmpdir(void)
{
	strcpy(tmpdir, TMPDIR_TEMPLATE);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		exit(EXIT_FAILURE);
	}
	write_mode("users", "alice:example.org:"
		   "0123456789abcdef0123456789abcdef\n", 0600);
	write_mode("tls.key", "-----BEGIN PRIVATE KEY-----\n", 0600);
	write_mode("tls.crt", "-----BEGIN CERTIFICATE-----\n", 0644);
	write_mode("open_users", "alice:example.org:x\n", 0644);
}

static void remove_tmpdir(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
	rmdir(tmpdir);
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int c;

	ck_assert_msg(f != NULL, "cannot open %s: %s", path, strerror(errno));
	out = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(out);
	while ((c = getc(f)) != EOF)
		putc(c, out);
	fclose(out);
	fclose(f);
	return text;
}

static void write_all(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "cannot write %s: %s", path, strerror(errno));
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* TEXT with every FROM replaced by TO; frees TEXT. */
static char *replace(char *text, const char *from, const char *to)
{
	char *out = NULL, *p = text, *hit;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	ck_assert_ptr_nonnull(f);
	while ((hit = strstr(p, from)) != NULL) {
		fwrite(p, 1, (size_t)(hit - p), f);
		fputs(to, f);
		p = hit + strlen(from);
	}
	fputs(p, f);
	fclose(f);
	free(text);
	return out;
}

/* TEXT with the placeholders filled in; frees TEXT. */
static char *expand(char *text, const char *conf)
{
	text = replace(text, "@DATA@", TEST_DATA_DIR);
	text = replace(text, "@TMP@", tmpdir);
	return replace(text, "@CONF@", conf);
}

/* "DIR/NAME" in a new buffer. */
static char *join(const char *dir, const char *name)
{
	size_t size = strlen(dir) + 1 + strlen(name) + 1;
	char *path = malloc(size);

	ck_assert_ptr_nonnull(path);
	snprintf(path, size, "%s/%s", dir, name);
	return path;
}

static char *tmp_path(const char *name)
{
	return join(tmpdir, name);
}

/* "TMPDIR/NAME" in a static buffer, for comparisons. */
static const char *tmp_path_static(const char *name)
{
	static char path[sizeof tmpdir + 64];

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	return path;
}

/* Write TEXT (expanded, then freed) as NAME in the temporary directory;
 * returns the new file's path. */
static char *stage_text(const char *name, char *text)
{
	char *path = tmp_path(name);

	text = expand(text, path);
	write_all(path, text, strlen(text));
	free(text);
	return path;
}

/* Stage tests/config/NAME; returns the staged path. */
static char *stage(const char *name)
{
	char *src = join(TEST_DATA_DIR, name);
	char *text = read_all(src);

	free(src);
	return stage_text(name, text);
}

/* Load PATH into CFG; *ERR gets what config_load printed (caller frees). */
static int load(const char *path, struct sta_config *cfg, char **err)
{
	size_t len = 0;
	FILE *f;
	int rc;

	*err = NULL;
	f = open_memstream(err, &len);
	ck_assert_ptr_nonnull(f);
	rc = config_load(path, cfg, f);
	fclose(f);
	return rc;
}

/* Load PATH, which must succeed without printing anything. */
static void expect_loads(const char *path, struct sta_config *cfg)
{
	char *err;

	ck_assert_int_eq(load(path, cfg, &err), 0);
	ck_assert_str_eq(err, "");
	free(err);
}

static bool is_zeroed(const struct sta_config *cfg)
{
	static const struct sta_config zero;

	return memcmp(cfg, &zero, sizeof zero) == 0;
}

/* Load PATH, which must fail printing exactly EXPECTED (expanded, then
 * freed) and leave the struct empty. */
static void expect_failure(const char *path, char *expected)
{
	struct sta_config cfg;
	char *err;

	memset(&cfg, 0xa5, sizeof cfg);
	ck_assert_int_eq(load(path, &cfg, &err), -1);
	expected = expand(expected, path);
	ck_assert_str_eq(err, expected);
	ck_assert(is_zeroed(&cfg));
	free(expected);
	free(err);
}

/* Stage tests/config/NAME and expect exactly the given message lines, each
 * written as "@CONF@:LINE: message"; the list ends with NULL. */
static void __attribute__((sentinel)) expect_errors(const char *name, ...)
{
	char *path = stage(name);
	char *expected = NULL;
	size_t len = 0;
	const char *line;
	FILE *f = open_memstream(&expected, &len);
	va_list ap;

	ck_assert_ptr_nonnull(f);
	va_start(ap, name);
	while ((line = va_arg(ap, const char *)) != NULL)
		fprintf(f, "%s\n", line);
	va_end(ap);
	fclose(f);
	expect_failure(path, expected);
	free(path);
}

/* Write big.sdp of exactly SIZE bytes: an SDP start, then padding. */
static void write_big_sdp(size_t size)
{
	static const char head[] = "v=0\r\n";
	char *path = tmp_path("big.sdp");
	char *text = malloc(size);

	ck_assert_ptr_nonnull(text);
	memset(text, 'x', size);
	memcpy(text, head, sizeof head - 1);
	write_all(path, text, size);
	free(text);
	free(path);
}

/* ---- files that load ---------------------------------------------------- */

START_TEST(full_config_sets_every_field)
{
	static const unsigned char net4[4] = { 192, 0, 2, 0 };
	static const unsigned char net6[4] = { 0x20, 0x01, 0x0d, 0xb8 };
	struct sta_config cfg;
	char *path = stage("full.conf");
	char *sdp = read_all(TEST_DATA_DIR "/offer.sdp");

	expect_loads(path, &cfg);
	ck_assert_uint_eq(cfg.n_listen, 3);
	ck_assert_str_eq(cfg.listen[0], "sip:127.0.0.1:5070;transport=udp");
	ck_assert_str_eq(cfg.listen[1], "sip:[::1]:5070;transport=tcp");
	ck_assert_str_eq(cfg.listen[2], "sips:127.0.0.1:5071");
	ck_assert_str_eq(cfg.identity_from, "sip:agent@example.org");
	ck_assert_uint_eq(cfg.notify_interval_ms, 2500);
	ck_assert_uint_eq(cfg.subscription_expires, 300);
	ck_assert_uint_eq(cfg.invite_timeout, 30);
	ck_assert_uint_eq(cfg.max_redirects, 3);
	ck_assert_uint_eq(cfg.max_call_duration, 7200);
	ck_assert_uint_eq(cfg.max_active, 500);
	ck_assert_uint_eq(cfg.per_source_rate, 7);
	ck_assert_uint_eq(cfg.max_rate, 900);
	ck_assert_uint_eq(cfg.max_calls, 20);
	ck_assert_uint_eq(cfg.n_allow_from, 2);
	ck_assert_int_eq(cfg.allow_from[0].family, AF_INET);
	ck_assert_uint_eq(cfg.allow_from[0].prefix, 24);
	ck_assert_mem_eq(cfg.allow_from[0].addr, net4, sizeof net4);
	ck_assert_int_eq(cfg.allow_from[1].family, AF_INET6);
	ck_assert_uint_eq(cfg.allow_from[1].prefix, 32);
	ck_assert_mem_eq(cfg.allow_from[1].addr, net6, sizeof net6);
	ck_assert_uint_eq(cfg.n_targets, 2);
	ck_assert_str_eq(cfg.targets[0], "*@example.org:5060");
	ck_assert_str_eq(cfg.targets[1], "100?@10.0.0.1:*");
	ck_assert_str_eq(cfg.tel_domain, "pstn.example.org");
	ck_assert_str_eq(cfg.sdp_file, TEST_DATA_DIR "/offer.sdp");
	ck_assert_str_eq(cfg.sdp, sdp);
	ck_assert_uint_eq(cfg.shutdown_grace, 0);
	ck_assert_int_eq(cfg.log_level, STA_LOG_DEBUG);
	ck_assert_str_eq(cfg.metrics_listen, "[::1]:9191");
	ck_assert_str_eq(cfg.control_socket, "/tmp/sta-ctl/control.sock");
	ck_assert_str_eq(cfg.outbound_proxy,
			 "sip:proxy.example.org:5080;transport=tcp");
	ck_assert_uint_eq(cfg.udp_buffer, 1048576);
	ck_assert_uint_eq(cfg.tcp_idle_timeout, 120);
	ck_assert_uint_eq(cfg.sip_t1_ms, 100);
	ck_assert_uint_eq(cfg.max_connections, 20);
	ck_assert(!cfg.overload_control);
	ck_assert_uint_eq(cfg.n_credentials, 2);
	ck_assert_str_eq(cfg.credentials[0].realm, "example.org");
	ck_assert_str_eq(cfg.credentials[0].user, "agent");
	ck_assert_str_eq(cfg.credentials[0].password, "s3cret");
	ck_assert_str_eq(cfg.credentials[1].realm, "pbx");
	ck_assert_str_eq(cfg.auth_realm, "example.org");
	ck_assert_str_eq(cfg.auth_users_file, tmp_path_static("users"));
	ck_assert_uint_eq(cfg.n_auth_trusted, 1);
	ck_assert_uint_eq(cfg.auth_trusted[0].prefix, 16);
	ck_assert_uint_eq(cfg.auth_nonce_expires, 60);
	ck_assert_str_eq(cfg.tls_certificate, tmp_path_static("tls.crt"));
	ck_assert_str_eq(cfg.tls_key, tmp_path_static("tls.key"));
	ck_assert_int_eq(cfg.media_mode, STA_MEDIA_FILE);
	ck_assert_str_eq(cfg.audio_file, TEST_DATA_DIR "/tone.wav");
	ck_assert_uint_eq(cfg.n_audio, 800);
	ck_assert_int_eq(cfg.audio[2], 5099);	/* 8000 sin(2 pi 440 2/8000) */
	ck_assert_uint_eq(cfg.rtp_port_low, 30001);
	ck_assert_uint_eq(cfg.rtp_port_high, 30100);
	config_free(&cfg);
	free(sdp);
	free(path);
}
END_TEST

START_TEST(absent_groups_take_defaults)
{
	struct sta_config cfg;
	char *path = stage("minimal.conf");

	expect_loads(path, &cfg);
	ck_assert_uint_eq(cfg.n_listen, 1);
	ck_assert_str_eq(cfg.listen[0], "sip:127.0.0.1:5060");
	ck_assert_ptr_null(cfg.identity_from);
	ck_assert_uint_eq(cfg.notify_interval_ms, 1000);
	ck_assert_uint_eq(cfg.subscription_expires, 120);
	ck_assert_uint_eq(cfg.invite_timeout, 60);
	ck_assert_uint_eq(cfg.max_redirects, 0);
	ck_assert_uint_eq(cfg.max_call_duration, 14400);
	ck_assert_uint_eq(cfg.max_active, 10000);
	ck_assert_uint_eq(cfg.per_source_rate, 50);
	ck_assert_uint_eq(cfg.max_rate, 0);
	ck_assert_uint_eq(cfg.max_calls, 1000);
	ck_assert_uint_eq(cfg.udp_buffer, 4194304);
	ck_assert_uint_eq(cfg.tcp_idle_timeout, 60);
	ck_assert_uint_eq(cfg.sip_t1_ms, 500);
	ck_assert_uint_eq(cfg.max_connections, 1024);
	ck_assert(cfg.overload_control);
	ck_assert_ptr_null(cfg.allow_from);
	ck_assert_uint_eq(cfg.n_allow_from, 0);
	ck_assert_ptr_null(cfg.targets);
	ck_assert_uint_eq(cfg.n_targets, 0);
	ck_assert_ptr_null(cfg.tel_domain);
	ck_assert_uint_eq(cfg.shutdown_grace, 10);
	ck_assert_int_eq(cfg.log_level, STA_LOG_INFO);
	ck_assert_ptr_null(cfg.metrics_listen);
	ck_assert_str_eq(cfg.control_socket, STA_DEFAULT_CONTROL_SOCKET);
	ck_assert_int_eq(cfg.media_mode, STA_MEDIA_SILENCE);
	ck_assert_ptr_null(cfg.audio_file);
	ck_assert_uint_eq(cfg.n_audio, 0);
	ck_assert_uint_eq(cfg.rtp_port_low, 20000);
	ck_assert_uint_eq(cfg.rtp_port_high, 29999);
	config_free(&cfg);
	free(path);
}
END_TEST

/* Without media.sdp_file no file is read: the agent builds its offer. */
START_TEST(absent_sdp_file_means_built_in_offer)
{
	struct sta_config cfg;
	char *path = stage("listen_only.conf");

	expect_loads(path, &cfg);
	ck_assert_ptr_null(cfg.sdp_file);
	ck_assert_ptr_null(cfg.sdp);
	config_free(&cfg);
	free(path);
}
END_TEST

START_TEST(default_config_path_follows_sysconfdir)
{
	ck_assert_str_eq(STA_DEFAULT_CONFIG,
			 SYSCONFDIR "/sip-transfer-agent/sip-transfer-agent.conf");
}
END_TEST

START_TEST(range_bounds_are_inclusive)
{
	struct sta_config cfg;
	char *lower = stage("lower_bounds.conf");
	char *upper = stage("upper_bounds.conf");

	expect_loads(lower, &cfg);
	ck_assert_str_eq(cfg.listen[0], "sips:127.0.0.1");
	ck_assert_uint_eq(cfg.notify_interval_ms, 1000);
	ck_assert_uint_eq(cfg.subscription_expires, 1);
	ck_assert_uint_eq(cfg.invite_timeout, 1);
	ck_assert_uint_eq(cfg.max_redirects, 0);
	ck_assert_uint_eq(cfg.max_call_duration, 1);
	ck_assert_uint_eq(cfg.max_active, 1);
	ck_assert_uint_eq(cfg.per_source_rate, 1);
	ck_assert_uint_eq(cfg.max_rate, 0);
	ck_assert_uint_eq(cfg.max_calls, 1);
	ck_assert_uint_eq(cfg.udp_buffer, 0);
	ck_assert_uint_eq(cfg.tcp_idle_timeout, 1);
	ck_assert_uint_eq(cfg.sip_t1_ms, 50);
	ck_assert_uint_eq(cfg.max_connections, 1);
	ck_assert_uint_eq(cfg.n_allow_from, 0);
	ck_assert_uint_eq(cfg.n_targets, 0);
	ck_assert_uint_eq(cfg.shutdown_grace, 0);
	ck_assert_uint_eq(cfg.auth_nonce_expires, 10);
	ck_assert_int_eq(cfg.log_level, STA_LOG_ERROR);
	config_free(&cfg);

	expect_loads(upper, &cfg);
	ck_assert_uint_eq(cfg.notify_interval_ms, 60000);
	ck_assert_uint_eq(cfg.subscription_expires, 86400);
	ck_assert_uint_eq(cfg.invite_timeout, 3600);
	ck_assert_uint_eq(cfg.max_redirects, 10);
	ck_assert_uint_eq(cfg.max_call_duration, 604800);
	ck_assert_uint_eq(cfg.max_active, 1000000);
	ck_assert_uint_eq(cfg.per_source_rate, 100000);
	ck_assert_uint_eq(cfg.max_rate, 1000000);
	ck_assert_uint_eq(cfg.max_calls, 1000000);
	ck_assert_uint_eq(cfg.udp_buffer, 67108864);
	ck_assert_uint_eq(cfg.tcp_idle_timeout, 86400);
	ck_assert_uint_eq(cfg.sip_t1_ms, 4000);
	ck_assert_uint_eq(cfg.max_connections, 1000000);
	ck_assert_uint_eq(cfg.shutdown_grace, 3600);
	ck_assert_uint_eq(cfg.auth_nonce_expires, 86400);
	ck_assert_int_eq(cfg.log_level, STA_LOG_WARNING);
	config_free(&cfg);
	free(lower);
	free(upper);
}
END_TEST

/* SPEC section 8's block, verbatim but for the SDP path. */
START_TEST(spec_example_loads)
{
	struct sta_config cfg;
	char *text = read_all(TEST_DATA_DIR "/spec_example.conf");
	char *path;

	text = replace(text, "/etc/sip-transfer-agent/offer.sdp",
		       TEST_DATA_DIR "/offer.sdp");
	path = stage_text("spec_example.conf", text);
	expect_loads(path, &cfg);
	ck_assert_uint_eq(cfg.n_listen, 2);
	ck_assert_str_eq(cfg.identity_from, "sip:transfer-agent@127.0.0.1");
	ck_assert_uint_eq(cfg.n_allow_from, 2);
	ck_assert_uint_eq(cfg.n_targets, 1);
	config_free(&cfg);
	free(path);
}
END_TEST

/* conf/sip-transfer-agent.conf, with its SDP path rewritten the way the
 * README's quick start does, loads and holds the default values. */
START_TEST(shipped_example_loads_with_default_values)
{
	static const char sdp_line[] =
		"sdp_file = \"/etc/sip-transfer-agent/offer.sdp\";";
	struct sta_config cfg, defaults;
	char *text = read_all(SHIPPED_DIR "/sip-transfer-agent.conf");
	char *minimal = stage("minimal.conf");
	char *path;

	ck_assert_ptr_nonnull(strstr(text, sdp_line));
	text = replace(text, "/etc/sip-transfer-agent/offer.sdp",
		       SHIPPED_DIR "/offer.sdp");
	path = stage_text("shipped.conf", text);
	expect_loads(path, &cfg);
	expect_loads(minimal, &defaults);
	ck_assert_uint_eq(cfg.n_listen, 2);
	ck_assert_str_eq(cfg.listen[0], "sip:127.0.0.1:5060;transport=udp");
	ck_assert_str_eq(cfg.listen[1], "sip:127.0.0.1:5060;transport=tcp");
	ck_assert_uint_eq(cfg.n_allow_from, 2);
	ck_assert_uint_eq(cfg.n_targets, 1);
	ck_assert_str_eq(cfg.targets[0], "*@127.0.0.1:*");
	ck_assert_uint_eq(cfg.notify_interval_ms, defaults.notify_interval_ms);
	ck_assert_uint_eq(cfg.subscription_expires,
			  defaults.subscription_expires);
	ck_assert_uint_eq(cfg.invite_timeout, defaults.invite_timeout);
	ck_assert_uint_eq(cfg.max_redirects, defaults.max_redirects);
	ck_assert_uint_eq(cfg.max_call_duration, defaults.max_call_duration);
	ck_assert_uint_eq(cfg.max_active, defaults.max_active);
	ck_assert_uint_eq(cfg.per_source_rate, defaults.per_source_rate);
	ck_assert_uint_eq(cfg.max_calls, defaults.max_calls);
	ck_assert_uint_eq(cfg.shutdown_grace, defaults.shutdown_grace);
	ck_assert_int_eq(cfg.log_level, defaults.log_level);
	ck_assert_ptr_null(cfg.metrics_listen);
	config_free(&cfg);
	config_free(&defaults);
	free(path);
	free(minimal);
}
END_TEST

/* A config of listen, the SDP file and metrics = { listen = VALUE; },
 * staged as NAME; returns its path. */
static char *stage_metrics(const char *name, const char *value)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	fprintf(f, "listen = [ \"sip:127.0.0.1:5060\" ];\n"
		"media = { sdp_file = \"@DATA@/offer.sdp\"; };\n"
		"metrics = { listen = \"%s\"; };\n", value);
	fclose(f);
	return stage_text(name, text);
}

START_TEST(metrics_listen_takes_ipv4_or_bracketed_ipv6_and_port)
{
	static const char *const good[] = {
		"127.0.0.1:9090", "0.0.0.0:1", "[::1]:65535", "[::]:9090",
	};
	struct sta_config cfg;

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		char *path = stage_metrics("metrics_good.conf", good[i]);

		expect_loads(path, &cfg);
		ck_assert_str_eq(cfg.metrics_listen, good[i]);
		config_free(&cfg);
		free(path);
	}
}
END_TEST

/* A config of listen, the SDP file and control = { socket = VALUE; }. */
static char *stage_control(const char *name, const char *value)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	fprintf(f, "listen = [ \"sip:127.0.0.1:5060\" ];\n"
		"media = { sdp_file = \"@DATA@/offer.sdp\"; };\n"
		"control = { socket = \"%s\"; };\n", value);
	fclose(f);
	return stage_text(name, text);
}

START_TEST(control_socket_empty_turns_it_off)
{
	struct sta_config cfg;
	char *path = stage_control("control_off.conf", "");

	expect_loads(path, &cfg);
	ck_assert_ptr_null(cfg.control_socket);
	config_free(&cfg);
	free(path);
}
END_TEST

START_TEST(control_socket_longer_than_sun_path_is_an_error)
{
	char value[120], expected[320];
	char *path;

	memset(value, 'a', sizeof value - 1);
	value[0] = '/';
	value[sizeof value - 1] = '\0';
	path = stage_control("control_long.conf", value);
	snprintf(expected, sizeof expected, "@CONF@:3: control.socket: '%s' "
		 "is longer than a UNIX socket path may be (107 bytes)\n",
		 value);
	expect_failure(path, strdup(expected));
	free(path);
}
END_TEST

START_TEST(config_free_leaves_struct_zeroed)
{
	struct sta_config cfg;
	char *path = stage("full.conf");

	expect_loads(path, &cfg);
	config_free(&cfg);
	ck_assert(is_zeroed(&cfg));
	free(path);
}
END_TEST

START_TEST(sdp_file_of_64_kib_loads)
{
	struct sta_config cfg;
	char *path = stage("big_sdp.conf");

	write_big_sdp(64 * 1024);
	expect_loads(path, &cfg);
	ck_assert_uint_eq(strlen(cfg.sdp), 64 * 1024);
	config_free(&cfg);
	free(path);
}
END_TEST

/* ---- errors ------------------------------------------------------------- */

START_TEST(unreadable_config_file_is_reported_at_line_0)
{
	char *missing = tmp_path("no-such.conf");

	expect_failure(missing, strdup("@CONF@:0: cannot read: No such file "
				       "or directory\n"));
	expect_failure(tmpdir, strdup("@CONF@:0: cannot read: Is a "
				      "directory\n"));
	free(missing);
}
END_TEST

START_TEST(syntax_error_stops_checking_at_its_line)
{
	expect_errors("syntax_error.conf",
		      "@CONF@:3: syntax error",
		      NULL);
}
END_TEST

START_TEST(duplicate_key_is_a_syntax_error)
{
	expect_errors("duplicate_key.conf",
		      "@CONF@:4: duplicate setting name",
		      NULL);
}
END_TEST

START_TEST(unknown_top_level_key_is_an_error)
{
	expect_errors("unknown_top.conf",
		      "@CONF@:4: unknown key 'tranfser'",
		      NULL);
}
END_TEST

START_TEST(unknown_key_in_group_is_an_error)
{
	expect_errors("unknown_in_group.conf",
		      "@CONF@:6: unknown key 'transfer.foo'",
		      NULL);
}
END_TEST

START_TEST(metrics_listen_refuses_what_is_not_address_port)
{
	static const char *const bad[] = {
		"127.0.0.1", "127.0.0.1:", ":9090", "127.0.0.1:0",
		"127.0.0.1:65536", "127.0.0.1:+90", "127.0.0.1:90x",
		"localhost:9090", "::1:9090", "[::1]", "[::1]9090",
		"[127.0.0.1]:9090", "[localhost]:9090", "999.0.0.1:9090",
	};
	char expected[256];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *path = stage_metrics("metrics_bad.conf", bad[i]);

		snprintf(expected, sizeof expected, "@CONF@:3: metrics.listen: "
			 "'%s' is not an address:port\n", bad[i]);
		expect_failure(path, strdup(expected));
		free(path);
	}
}
END_TEST

START_TEST(auth_and_tls_files_are_checked)
{
	expect_errors("bad_auth_tls.conf",
		      "@CONF@:4: auth.users_file: '@TMP@/open_users' is "
		      "readable by every user (mode 0644); allow the service "
		      "only (e.g. 0640)",
		      "@CONF@:4: auth.trusted: 'anywhere' is not an "
		      "address/prefix",
		      "@CONF@:5: tls.key: cannot read '@TMP@/missing.key': No "
		      "such file or directory",
		      "@CONF@:4: auth: realm and users_file are both required",
		      "@CONF@:5: tls: certificate and key are both required",
		      NULL);
}
END_TEST

START_TEST(tls_listen_without_tls_keys_is_an_error)
{
	expect_errors("tls_without_keys.conf",
		      "@CONF@:2: listen: a sips: or transport=tls URI needs "
		      "tls.certificate and tls.key",
		      NULL);
}
END_TEST

START_TEST(bad_proxy_and_credentials_are_each_reported)
{
	expect_errors("bad_credentials.conf",
		      "@CONF@:4: sip.outbound_proxy: 'proxy.example.org' is "
		      "not a sip: or sips: URI",
		      "@CONF@:4: unknown key 'sip.via'",
		      "@CONF@:5: credentials: an entry needs realm, user and "
		      "password",
		      "@CONF@:6: credentials: expected a string",
		      "@CONF@:6: unknown key 'credentials.secret'",
		      "@CONF@:6: credentials: an entry needs realm, user and "
		      "password",
		      "@CONF@:7: credentials: expected a group { realm; user; "
		      "password; }",
		      NULL);
}
END_TEST

START_TEST(wrong_type_names_the_expected_type)
{
	expect_errors("wrong_type.conf",
		      "@CONF@:4: transfer.invite_timeout: expected an integer",
		      "@CONF@:5: transfer.max_redirects: expected an integer",
		      "@CONF@:6: transfer.notify_interval: expected an integer",
		      "@CONF@:7: identity: expected a group",
		      "@CONF@:8: policy.targets: expected an array of strings",
		      "@CONF@:10: policy.allow_from: expected an array of "
		      "strings",
		      "@CONF@:11: policy.tel_domain: expected a string",
		      "@CONF@:12: log.level: expected a string",
		      "@CONF@:13: limits.overload_control: expected true or "
		      "false",
		      NULL);
}
END_TEST

START_TEST(out_of_range_integer_names_the_range)
{
	expect_errors("out_of_range.conf",
		      "@CONF@:4: transfer.notify_interval: 500 is out of range "
		      "(1000..60000)",
		      "@CONF@:5: transfer.max_redirects: 11 is out of range "
		      "(0..10)",
		      "@CONF@:6: transfer.max_call_duration: 604801 is out of "
		      "range (1..604800)",
		      "@CONF@:7: limits.max_active: 0 is out of range "
		      "(1..1000000)",
		      "@CONF@:8: limits.per_source_rate: 5000000000 is out of "
		      "range (1..100000)",
		      "@CONF@:9: limits.max_rate: 1000001 is out of range "
		      "(0..1000000)",
		      "@CONF@:9: limits.max_calls: 0 is out of range "
		      "(1..1000000)",
		      "@CONF@:9: limits.max_connections: 0 is out of range "
		      "(1..1000000)",
		      "@CONF@:10: shutdown.grace: -1 is out of range (0..3600)",
		      "@CONF@:11: sip.udp_buffer: 67108865 is out of range "
		      "(0..67108864)",
		      "@CONF@:11: sip.tcp_idle_timeout: 86401 is out of range "
		      "(1..86400)",
		      "@CONF@:11: sip.t1: 49 is out of range (50..4000)",
		      NULL);
}
END_TEST

START_TEST(bad_cidr_is_reported_at_its_element)
{
	expect_errors("bad_cidr.conf",
		      "@CONF@:5: policy.allow_from: '10.0.0.300/8' is not an "
		      "address/prefix",
		      "@CONF@:7: policy.allow_from: 'localhost' is not an "
		      "address/prefix",
		      NULL);
}
END_TEST

START_TEST(refused_string_values_are_errors)
{
	expect_errors("bad_values.conf",
		      "@CONF@:3: listen: '127.0.0.1:5060' is not a sip: or "
		      "sips: URI",
		      "@CONF@:4: listen: 'http://127.0.0.1/' is not a sip: or "
		      "sips: URI",
		      "@CONF@:6: identity.from: must not be empty",
		      "@CONF@:7: log.level: 'verbose' is not one of error, "
		      "warning, notice, info, debug",
		      "@CONF@:8: metrics.listen: '127.0.0.1:0' is not an "
		      "address:port",
		      NULL);
}
END_TEST

START_TEST(refused_media_values_are_errors)
{
	expect_errors("bad_media.conf",
		      "@CONF@:4: media.mode: 'loud' is not one of silence, "
		      "file, none",
		      "@CONF@:5: media.rtp_ports: '20000-20000' is not a range "
		      "LOW-HIGH of UDP ports (1024 <= LOW < HIGH <= 65535, "
		      "holding an even port and the odd one above it)",
		      NULL);
}
END_TEST

START_TEST(file_mode_needs_a_valid_audio_file)
{
	expect_errors("file_without_audio.conf",
		      "@CONF@:3: media.audio_file: required when media.mode "
		      "is \"file\"",
		      NULL);
	expect_errors("bad_audio.conf",
		      "@CONF@:4: media.audio_file: '@DATA@/tone16k.wav' is not "
		      "a WAV of 8000 Hz mono 16-bit PCM (not 8000 Hz)",
		      NULL);
}
END_TEST

START_TEST(empty_listen_is_an_error)
{
	expect_errors("empty_listen.conf",
		      "@CONF@:2: listen: at least one sip: or sips: URI is "
		      "required",
		      NULL);
}
END_TEST

START_TEST(missing_listen_is_reported_at_line_0)
{
	expect_errors("missing_listen.conf",
		      "@CONF@:0: missing required key 'listen'",
		      NULL);
}
END_TEST

START_TEST(missing_sdp_file_is_reported_at_its_setting)
{
	expect_errors("missing_sdp.conf",
		      "@CONF@:5: media.sdp_file: cannot read "
		      "'@DATA@/no-such-file.sdp': No such file or directory",
		      NULL);
}
END_TEST

START_TEST(empty_sdp_file_is_an_error)
{
	expect_errors("empty_sdp.conf",
		      "@CONF@:3: media.sdp_file: '@DATA@/empty.sdp' is empty",
		      NULL);
}
END_TEST

START_TEST(sdp_file_not_starting_with_v0_is_an_error)
{
	expect_errors("not_sdp.conf",
		      "@CONF@:3: media.sdp_file: '@DATA@/not_sdp.sdp' is not "
		      "an SDP offer (it must begin with v=0)",
		      NULL);
}
END_TEST

START_TEST(sdp_file_over_64_kib_is_an_error)
{
	write_big_sdp(64 * 1024 + 1);
	expect_errors("big_sdp.conf",
		      "@CONF@:3: media.sdp_file: '@TMP@/big.sdp' is larger "
		      "than 65536 bytes",
		      NULL);
}
END_TEST

/* Key errors come in file order, then the whole-file checks: the required
 * listen, then the SDP file. */
START_TEST(several_errors_are_all_reported)
{
	expect_errors("several_errors.conf",
		      "@CONF@:4: transfer.notify_interval: 999 is out of range "
		      "(1000..60000)",
		      "@CONF@:5: transfer.invite_timeout: expected an integer",
		      "@CONF@:6: unknown key 'transfer.retries'",
		      "@CONF@:8: policy.allow_from: '10.0.0.0/33' is not an "
		      "address/prefix",
		      "@CONF@:9: metrics.listen: 'localhost:9090' is not an "
		      "address:port",
		      "@CONF@:0: missing required key 'listen'",
		      "@CONF@:2: media.sdp_file: cannot read "
		      "'@DATA@/no-such-file.sdp': No such file or directory",
		      NULL);
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("config");
	TCase *ok = tcase_create("loads");
	TCase *bad = tcase_create("errors");

	tcase_add_unchecked_fixture(ok, make_tmpdir, remove_tmpdir);
	tcase_add_test(ok, full_config_sets_every_field);
	tcase_add_test(ok, absent_groups_take_defaults);
	tcase_add_test(ok, absent_sdp_file_means_built_in_offer);
	tcase_add_test(ok, default_config_path_follows_sysconfdir);
	tcase_add_test(ok, range_bounds_are_inclusive);
	tcase_add_test(ok, spec_example_loads);
	tcase_add_test(ok, shipped_example_loads_with_default_values);
	tcase_add_test(ok, metrics_listen_takes_ipv4_or_bracketed_ipv6_and_port);
	tcase_add_test(ok, config_free_leaves_struct_zeroed);
	tcase_add_test(ok, control_socket_empty_turns_it_off);
	tcase_add_test(ok, sdp_file_of_64_kib_loads);
	suite_add_tcase(s, ok);

	tcase_add_unchecked_fixture(bad, make_tmpdir, remove_tmpdir);
	tcase_add_test(bad, unreadable_config_file_is_reported_at_line_0);
	tcase_add_test(bad, syntax_error_stops_checking_at_its_line);
	tcase_add_test(bad, duplicate_key_is_a_syntax_error);
	tcase_add_test(bad, unknown_top_level_key_is_an_error);
	tcase_add_test(bad, unknown_key_in_group_is_an_error);
	tcase_add_test(bad, metrics_listen_refuses_what_is_not_address_port);
	tcase_add_test(bad, auth_and_tls_files_are_checked);
	tcase_add_test(bad, tls_listen_without_tls_keys_is_an_error);
	tcase_add_test(bad, bad_proxy_and_credentials_are_each_reported);
	tcase_add_test(bad, wrong_type_names_the_expected_type);
	tcase_add_test(bad, out_of_range_integer_names_the_range);
	tcase_add_test(bad, bad_cidr_is_reported_at_its_element);
	tcase_add_test(bad, refused_string_values_are_errors);
	tcase_add_test(bad, refused_media_values_are_errors);
	tcase_add_test(bad, file_mode_needs_a_valid_audio_file);
	tcase_add_test(bad, empty_listen_is_an_error);
	tcase_add_test(bad, missing_listen_is_reported_at_line_0);
	tcase_add_test(bad, missing_sdp_file_is_reported_at_its_setting);
	tcase_add_test(bad, empty_sdp_file_is_an_error);
	tcase_add_test(bad, sdp_file_not_starting_with_v0_is_an_error);
	tcase_add_test(bad, sdp_file_over_64_kib_is_an_error);
	tcase_add_test(bad, several_errors_are_all_reported);
	tcase_add_test(bad, control_socket_longer_than_sun_path_is_an_error);
	suite_add_tcase(s, bad);
	return s;
}
