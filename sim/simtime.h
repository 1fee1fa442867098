/* sim/simtime.h - simulated time: one type, integer microseconds.
 *
 * Time is never a double inside the kernel: ties are broken by the queue's
 * sequence number, and integer time makes every run bit-for-bit reproducible.
 * INT64 microseconds cover +-292,000 years, enough for any what-if. */
#pragma once

#include <stdint.h>
#include <stddef.h>

typedef int64_t SimTime; /* microseconds since run start */

#define SIM_NEVER INT64_MAX

#define SIM_US(x)   ((SimTime) (x))
#define SIM_MS(x)   ((SimTime) ((x) * 1000LL))
#define SIM_S(x)    ((SimTime) ((x) * 1000000LL))
#define SIM_MIN(x)  ((SimTime) ((x) * 60000000LL))
#define SIM_H(x)    ((SimTime) ((x) * 3600000000LL))
#define SIM_DAY(x)  ((SimTime) ((x) * 86400000000LL))

/* Conversions for reporting (not for the clock itself). */
static inline double simtime_to_s (SimTime t) { return (double) t / 1e6; }
static inline double simtime_to_h (SimTime t) { return (double) t / 3.6e9; }
static inline double simtime_to_min (SimTime t) { return (double) t / 6e7; }

/* Rounds a duration in seconds (may be fractional) to microseconds;
 * saturates at SIM_NEVER, negative input gives 0. */
SimTime simtime_from_s (double seconds);

/* Formats t as "3d04h12m05.000s" (leading zero units omitted) into buf.
 * Returns buf. SIM_NEVER prints as "never". */
const char *simtime_format (SimTime t, char *buf, size_t len);
