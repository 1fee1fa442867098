/* models/workload.c - see workload.h. (being written) */
#include "workload.h"
