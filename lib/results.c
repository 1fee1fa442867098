/* lib/results.c - (being written) */
#include "faultline.h"
