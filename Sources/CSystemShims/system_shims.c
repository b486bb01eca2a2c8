#define _GNU_SOURCE
#include "system_shims.h"

#include <fcntl.h>
#include <linux/i2c-dev.h>
#include <linux/input.h>
#include <linux/serial.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <errno.h>
#include <unistd.h>
#include <pthread.h>
#include <malloc.h>
#include <sys/eventfd.h>
#include <sys/resource.h>

int lockerd_tty_set_exclusive(int fd) {
    return ioctl(fd, TIOCEXCL);
}

int lockerd_tty_enable_rs485(int fd, unsigned int delay_before_ms, unsigned int delay_after_ms) {
    struct serial_rs485 settings;
    memset(&settings, 0, sizeof settings);
    settings.flags = SER_RS485_ENABLED | SER_RS485_RTS_ON_SEND;
    settings.delay_rts_before_send = delay_before_ms;
    settings.delay_rts_after_send = delay_after_ms;
    return ioctl(fd, TIOCSRS485, &settings);
}

int lockerd_open_pseudo_terminal(char *name, unsigned long name_length) {
    int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return -1;
    if (grantpt(fd) != 0 || unlockpt(fd) != 0 || ptsname_r(fd, name, name_length) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int lockerd_evdev_grab(int fd, int grab) {
    return ioctl(fd, EVIOCGRAB, grab ? 1 : 0);
}

int lockerd_evdev_name(int fd, char *name, unsigned long name_length) {
    if (name_length == 0) {
        errno = EINVAL;
        return -1;
    }
    int length = ioctl(fd, EVIOCGNAME(name_length - 1), name);
    if (length < 0) return -1;
    name[length < (int)name_length ? length : (int)name_length - 1] = 0;
    return length;
}

int lockerd_i2c_set_address(int fd, unsigned int address) {
    return ioctl(fd, I2C_SLAVE, (unsigned long)address);
}

int lockerd_name_current_thread(const char *name) {
    // glibc's pthread_setname_np needs _GNU_SOURCE, which Swift's Glibc module does not define.
    return pthread_setname_np(pthread_self(), name);
}

int lockerd_limit_malloc_arenas(int count) {
    return mallopt(M_ARENA_MAX, count);
}

int lockerd_eventfd(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

static __thread int thread_may_block = 0;

void lockerd_mark_thread_may_block(void) {
    thread_may_block = 1;
}

int lockerd_thread_may_block(void) {
    return thread_may_block;
}

long lockerd_thread_involuntary_switches(void) {
    struct rusage usage;
    if (getrusage(RUSAGE_THREAD, &usage) != 0) return -1;
    return usage.ru_nivcsw;
}
