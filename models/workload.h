/* models/workload.h - (being written) */
#pragma once
