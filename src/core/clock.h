/* clock.h: wall and monotonic time. */
#ifndef OTKLIK_CORE_CLOCK_H
#define OTKLIK_CORE_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Milliseconds since the Unix epoch (wall clock). */
int64_t clock_now_ms(void);
/* Monotonic nanoseconds, for measuring durations. */
int64_t clock_mono_ns(void);
/* The wall-clock moment ms milliseconds from now, for pthread_cond_timedwait. */
struct timespec clock_realtime_in(int64_t ms);

#endif
