/* sim/stats.c - see stats.h. (being written) */
#include "stats.h"
