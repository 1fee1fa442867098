/* models/fabric.c - see fabric.h. (being written) */
#include "fabric.h"
