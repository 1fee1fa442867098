/* sim/evq.c - see evq.h. (being written) */
#include "evq.h"
