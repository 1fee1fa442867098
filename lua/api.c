/* lua/api.c - see api.h. (being written) */
#include "api.h"
