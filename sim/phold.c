/* sim/phold.c - see phold.h. (being written) */
#include "phold.h"
