/*
 * sip_tls.h - the key and certificate of sips: and transport=tls listen
 * addresses, in the form Sofia-SIP's TLS transport reads.
 *
 * sip_tls.c owns a private directory (mode 0700, under $RUNTIME_DIRECTORY
 * when systemd gives one, else the temporary directory) holding agent.pem
 * made of tls.key and tls.certificate, for TPTAG_CERTIFICATE, and its
 * removal when the agent stops.
 */
#ifndef STA_SIP_TLS_H
#define STA_SIP_TLS_H

struct sta_config;

/* The directory for CFG's TLS files (the caller frees the string with
 * sip_tls_dir_remove), or NULL after logging why. */
char *sip_tls_dir_create(struct sta_config const *cfg);

/* Remove the files and the directory; NULL is fine. */
void sip_tls_dir_remove(char *dir);

#endif
