/* models/fabric.h - (being written) */
#pragma once
