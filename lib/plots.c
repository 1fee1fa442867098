/* lib/plots.c - (being written) */
#include "faultline.h"
