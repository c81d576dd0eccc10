/*
 * sofia_timer.c - stops Sofia-SIP's event loop from spinning before a timer.
 *
 * Sofia-SIP 1.12's loop asks su_timer_expire() for the poll timeout, and
 * su_timer_expire() computes it with su_duration(), which truncates to
 * whole milliseconds: a timer due in 0.3 ms gives a timeout of 0, the loop
 * polls without waiting, and comes back again and again until the timer is
 * due.  Every timer the agent arms (pacing windows, NTA's transaction
 * timers) costs up to a millisecond of busy CPU, which under load is most
 * of a core.
 *
 * This file defines su_timer_expire() in the executable.  The dynamic
 * linker binds the library's own calls to it (the library calls the
 * exported symbol through its PLT); it calls the library's version and
 * turns a timeout truncated to 0 by a timer that is not yet due into 1 ms,
 * so the loop sleeps in poll() instead.  A timer then fires at most 1 ms
 * after its due time, which is what a millisecond timer promises anyway.
 * If the library ever calls its own copy directly, nothing changes: the
 * loop spins as before.
 *
 * It must not change anything else: the expired timers, their order and
 * the return value are the library's.
 */
#include <dlfcn.h>
#include <stddef.h>

#include <sofia-sip/su_time.h>
#include <sofia-sip/su_wait.h>

typedef int expire_f(su_timer_queue_t *const timers, su_duration_t *timeout,
		     su_time_t now);

int su_timer_expire(su_timer_queue_t *const timers, su_duration_t *timeout,
		    su_time_t now)
{
	static expire_f *real;
	su_duration_t before = *timeout;
	int expired;

	if (!real)
		real = (expire_f *)dlsym(RTLD_NEXT, "su_timer_expire");
	if (!real)
		return 0;
	expired = real(timers, timeout, now);
	/* 0 from a non-zero request: a timer less than 1 ms away. */
	if (expired == 0 && *timeout == 0 && before != 0)
		*timeout = 1;
	return expired;
}
