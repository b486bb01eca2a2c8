#ifndef LOCKERD_CGPIOD_SHIM_H
#define LOCKERD_CGPIOD_SHIM_H
#include <gpiod.h>
#endif
