/* models/ibnet.h - (being written) */
#pragma once
