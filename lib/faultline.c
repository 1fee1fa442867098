/* lib/faultline.c - (being written) */
#include "faultline.h"
