/*
 * sipfrag.h - PURE message/sipfrag bodies for refer NOTIFYs (RFC 3515 2.4.5).
 *
 * sipfrag.c owns turning a status code and reason phrase into the one status
 * line a NOTIFY body carries: "SIP/2.0 <code> <reason>\r\n".  The target's
 * phrase is kept as sent, minus anything that could break the body (control
 * characters); an empty phrase gets the standard one.  No I/O, no Sofia-SIP.
 */
#ifndef STA_SIPFRAG_H
#define STA_SIPFRAG_H

#include <stddef.h>

/* Room for the longest status line sipfrag_format writes, NUL included. */
#define SIPFRAG_MAX 160

/* The RFC 3261 phrase for CODE, or a class phrase ("Redirection", ...). */
const char *sipfrag_standard_reason(int code);

/*
 * Write "SIP/2.0 CODE REASON\r\n" into BUF (SIPFRAG_MAX bytes).  CODE must be
 * 100..699.  REASON may be NULL or empty (the standard phrase is used); its
 * control characters become spaces and it is cut to fit.  Returns the length
 * written, or -1 for a code out of range.
 */
int sipfrag_format(char buf[SIPFRAG_MAX], int code, const char *reason);

#endif
