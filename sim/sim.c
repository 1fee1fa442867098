/* sim/sim.c - see sim.h. (being written) */
#include "sim.h"
