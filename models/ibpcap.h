/* models/ibpcap.h - (being written) */
#pragma once
