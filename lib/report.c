/* lib/report.c - (being written) */
#include "faultline.h"
