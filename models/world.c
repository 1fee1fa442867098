/* models/world.c - see world.h. (being written) */
#include "world.h"
