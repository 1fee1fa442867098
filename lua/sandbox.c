/* lua/sandbox.c - see sandbox.h. (being written) */
#include "sandbox.h"
