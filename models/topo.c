/* models/topo.c - see topo.h. (being written) */
#include "topo.h"
