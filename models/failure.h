/* models/failure.h - (being written) */
#pragma once
