#ifndef LOCKERD_CUDEV_SHIM_H
#define LOCKERD_CUDEV_SHIM_H
#include <libudev.h>
#endif
