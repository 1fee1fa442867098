/* lib/shortest.h - shortest round-trip digits of a double (lib/shortest.cc,
 * std::to_chars). Used by results_format_double. */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

/* For a finite, non-zero v: writes the significant digits of the shortest
 * decimal that reads back to v (the closest such one) into digits (at
 * least 20 bytes, NUL-terminated, no sign, no dot) and the decimal exponent
 * of its first digit into *exp10 (|v| = d.ddd x 10^exp10). Returns the
 * number of digits (1..17), 0 on failure. */
int fl_shortest_digits (double v, char *digits, int *exp10);

#ifdef __cplusplus
}
#endif
