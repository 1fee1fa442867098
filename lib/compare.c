/* lib/compare.c - (being written) */
#include "faultline.h"
