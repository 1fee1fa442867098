/* models/ibnet.c - see ibnet.h. (being written) */
#include "ibnet.h"
