/* lib/compare.h - (being written) */
#pragma once
