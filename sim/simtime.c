/* sim/simtime.c - conversions and formatting of simulated time. */
#include "simtime.h"

#include <math.h>
#include <stdio.h>

SimTime
simtime_from_s (double seconds)
{
  if (!(seconds > 0))
    return 0;
  double us = seconds * 1e6;
  if (us >= 9.2e18)
    return SIM_NEVER;
  return (SimTime) llround (us);
}

const char *
simtime_format (SimTime t, char *buf, size_t len)
{
  if (t == SIM_NEVER)
    {
      snprintf (buf, len, "never");
      return buf;
    }
  const char *sign = t < 0 ? "-" : "";
  uint64_t u = t < 0 ? (uint64_t) (-(t + 1)) + 1 : (uint64_t) t;
  uint64_t us = u % 1000000, s = u / 1000000;
  uint64_t d = s / 86400, h = (s / 3600) % 24, m = (s / 60) % 60, sec = s % 60;
  if (d > 0)
    snprintf (buf, len, "%s%llud%02lluh%02llum%02llu.%03llus", sign,
              (unsigned long long) d, (unsigned long long) h,
              (unsigned long long) m, (unsigned long long) sec,
              (unsigned long long) (us / 1000));
  else if (h > 0)
    snprintf (buf, len, "%s%lluh%02llum%02llu.%03llus", sign,
              (unsigned long long) h, (unsigned long long) m,
              (unsigned long long) sec, (unsigned long long) (us / 1000));
  else
    snprintf (buf, len, "%s%llum%02llu.%03llus", sign, (unsigned long long) m,
              (unsigned long long) sec, (unsigned long long) (us / 1000));
  return buf;
}
