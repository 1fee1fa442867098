/* lua/runtime.h - (being written) */
#pragma once
