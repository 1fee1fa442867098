/* policy/health_policies.c - the named policies. (being written) */
#include "health.h"
