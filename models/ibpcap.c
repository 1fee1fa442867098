/* models/ibpcap.c - see ibpcap.h. (being written) */
#include "ibpcap.h"
