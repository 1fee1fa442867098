// lib/shortest.cc - the shortest round-trip digits of a double, from the
// C++17 standard library's std::to_chars (libstdc++ implements it with Ryu,
// Adams 2018): the fewest significant digits that read back (strtod) to the
// same double, the closest to it when several have that length. One pass,
// no printf and no strtod re-check. The only C++ in faultline; its C
// interface is in results.h's neighbour shortest.h.
#include "shortest.h"

#include <charconv>
#include <cstdlib>
#include <cstring>

extern "C" int
fl_shortest_digits (double v, char *digits, int *exp10)
{
  // Scientific form: [-]d[.ddd]e(+|-)XX. v is finite and not zero.
  char buf[40];
  std::to_chars_result r = std::to_chars (buf, buf + sizeof buf, v,
                                          std::chars_format::scientific);
  if (r.ec != std::errc ())
    return 0;
  *r.ptr = '\0';
  const char *p = buf;
  if (*p == '-')
    p++;
  int n = 0;
  for (; *p != '\0' && *p != 'e'; p++)
    if (*p != '.')
      digits[n++] = *p;
  digits[n] = '\0';
  *exp10 = *p == 'e' ? std::atoi (p + 1) : 0;
  return n;
}
