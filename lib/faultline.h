/* lib/faultline.h - (being written) */
#pragma once
