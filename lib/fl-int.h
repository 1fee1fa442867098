/* lib/fl-int.h - lib/faultline.c's helpers for the rest of lib/ (not in
 * faultline.h: not public API, never exported). */
#pragma once

/* The scenario path as summary.json records it: relative to the shipped
 * scenarios' folder or the current folder when it lies inside one, else
 * as given (docs/results.md); sweep.json records it the same way.
 * Returns: (transfer full). */
char *fl_scenario_label (const char *path);
