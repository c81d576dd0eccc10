/*
 * sip_tls.c - TLS key and certificate for Sofia-SIP.  See sip_tls.h.
 */
#include "sip_tls.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

#define AGENT_PEM "agent.pem"	/* key, then certificate chain */
#define CA_PEM "cafile.pem"	/* Sofia-SIP wants one: the chain again */

/* Append the contents of file FROM to descriptor TO. */
static bool append_file(int to, char const *from)
{
	char buf[4096];
	ssize_t n;
	int fd = open(from, O_RDONLY | O_CLOEXEC);
	bool ok = fd >= 0;

	while (ok && (n = read(fd, buf, sizeof buf)) != 0)
		ok = n > 0 && write(to, buf, (size_t)n) == n;
	if (!ok)
		log_error("tls: cannot copy %s: %m", from);
	if (fd >= 0)
		close(fd);
	return ok;
}

static char *pem_path(char const *dir, char const *name)
{
	char *path;

	return asprintf(&path, "%s/%s", dir, name) < 0 ? NULL : path;
}

/* Write DIR/NAME (mode 0600) from the files FIRST then SECOND (or NULL). */
static bool write_pem(char const *dir, char const *name, char const *first,
		      char const *second)
{
	char *path = pem_path(dir, name);
	int fd = path ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			     0600) : -1;
	bool ok = fd >= 0 && append_file(fd, first) &&
		  (!second || append_file(fd, second));

	if (fd >= 0 && close(fd) != 0)
		ok = false;
	free(path);
	return ok;
}

char *sip_tls_dir_create(struct sta_config const *cfg)
{
	char const *base = getenv("RUNTIME_DIRECTORY");
	char *dir;

	if (!base || !*base)
		base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	if (asprintf(&dir, "%s/sip-transfer-agent-tls.XXXXXX", base) < 0)
		return NULL;
	if (!mkdtemp(dir) ||
	    !write_pem(dir, AGENT_PEM, cfg->tls_key, cfg->tls_certificate) ||
	    !write_pem(dir, CA_PEM, cfg->tls_certificate, NULL)) {
		log_error("tls: cannot prepare the key and certificate in %s: "
			  "%m", dir);
		sip_tls_dir_remove(dir);
		return NULL;
	}
	return dir;
}

void sip_tls_dir_remove(char *dir)
{
	char const *const names[] = { AGENT_PEM, CA_PEM };

	if (!dir)
		return;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *pem = pem_path(dir, names[i]);

		if (pem)
			unlink(pem);
		free(pem);
	}
	rmdir(dir);
	free(dir);
}
