/* lib/atomicfile.c - (being written) */
#include "faultline.h"
