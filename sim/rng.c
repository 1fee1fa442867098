/* sim/rng.c - see rng.h. (being written) */
#include "rng.h"
