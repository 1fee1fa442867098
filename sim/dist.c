/* sim/dist.c - see dist.h. (being written) */
#include "dist.h"
