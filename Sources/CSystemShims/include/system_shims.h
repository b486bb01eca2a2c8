#ifndef LOCKERD_SYSTEM_SHIMS_H
#define LOCKERD_SYSTEM_SHIMS_H

/* Linux calls Swift cannot make directly (variadic ioctl), kept as small as possible. */

/* TIOCEXCL: no other open of this tty is allowed. Returns 0 or -1 with errno. */
int lockerd_tty_set_exclusive(int fd);

/* TIOCSRS485 with SER_RS485_ENABLED | SER_RS485_RTS_ON_SEND. Returns 0 or -1 with errno
   (ENOTTY or EINVAL when the driver has no RS-485 support). */
int lockerd_tty_enable_rs485(int fd, unsigned int delay_before_ms, unsigned int delay_after_ms);

/* Opens a new pseudo-terminal pair: returns the controller fd (raw mode is the caller's job) and
   writes the subordinate's path into name. Returns -1 with errno on failure. */
int lockerd_open_pseudo_terminal(char *name, unsigned long name_length);

/* EVIOCGRAB: take (grab != 0) or give back (grab == 0) exclusive use of an evdev device, so a
   HID scanner's "typing" reaches lockerd only and never a console. Returns 0 or -1 with errno
   (ENOTTY or EINVAL for a file that is not an input device, EBUSY when another process holds it). */
int lockerd_evdev_grab(int fd, int grab);

/* EVIOCGNAME: the device's name ("Honeywell 1900 Scanner"), NUL-terminated. Returns the length
   or -1 with errno. */
int lockerd_evdev_name(int fd, char *name, unsigned long name_length);

/* I2C_SLAVE: address later read()/write() calls on an i2c-dev fd to the 7-bit `address`.
   Returns 0 or -1 with errno. */
int lockerd_i2c_set_address(int fd, unsigned int address);

/// Names the calling thread (at most 15 bytes shown), for `top -H` and crash reports.
int lockerd_name_current_thread(const char *name);

/// Caps glibc's malloc arenas (M_ARENA_MAX); returns 1 on success, 0 on error.
int lockerd_limit_malloc_arenas(int count);

/// A non-blocking, close-on-exec eventfd (a loop thread's wake-up), or -1 with errno.
int lockerd_eventfd(void);

/// Marks the calling thread as one that may block in a device call (a dedicated loop thread, not
/// one of Swift concurrency's shared threads); `lockerd_thread_may_block` reads the mark.
void lockerd_mark_thread_may_block(void);
int lockerd_thread_may_block(void);

/// How many times the calling thread was taken off its core while it could still run (getrusage
/// RUSAGE_THREAD's involuntary context switches), or -1 with errno.
long lockerd_thread_involuntary_switches(void);

#endif

