/* lua/runtime.c - see runtime.h. (being written) */
#include "runtime.h"
