/* policy/ckpt.c - see ckpt.h. (being written) */
#include "ckpt.h"
