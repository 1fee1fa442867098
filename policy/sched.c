/* policy/sched.c - see sched.h. (being written) */
#include "sched.h"
