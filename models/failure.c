/* models/failure.c - see failure.h. (being written) */
#include "failure.h"
