/* lib/results.h - (being written) */
#pragma once
