/* models/swf.c - see swf.h. (being written) */
#include "swf.h"
