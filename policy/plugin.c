/* policy/plugin.c - see plugin.h. (being written) */
#include "plugin.h"
