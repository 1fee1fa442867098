/* lib/atomicfile.h - (being written) */
#pragma once
