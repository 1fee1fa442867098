/* models/metrics.h - (being written) */
#pragma once
