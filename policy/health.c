/* policy/health.c - see health.h. (being written) */
#include "health.h"
