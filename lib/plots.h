/* lib/plots.h - (being written) */
#pragma once
