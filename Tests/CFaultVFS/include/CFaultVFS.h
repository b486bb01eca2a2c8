// A fault-injecting SQLite VFS for lockerd's power-loss and fault battery (test-only).
//
// It wraps the default unix VFS and is registered as SQLite's default VFS, in the process's one
// SQLite library (the system libsqlite3.so that GRDB links too), so every database GRDB opens goes
// through it. Only files under the path prefix given to `lockerd_fault_vfs_install` are touched
// (their main database, WAL and rollback journal): every other file (other tests running in the
// same process, temporary files) is forwarded to the unix VFS unchanged.
//
// For those files it models a disk with a volatile write cache:
// - every xWrite and xTruncate is held in memory (per file path, like the kernel's page cache,
//   shared by every connection that has the file open) and is visible to reads and to xFileSize
//   at once, but reaches the real file only when xSync of that file is called;
// - `lockerd_fault_vfs_crash` is power loss: held data is thrown away and every open file is dead;
// - writes and syncs can be made to fail (ENOSPC, EIO) or to cut the power, at the n-th one.
//
// Every function is thread-safe (one process-wide mutex).
#ifndef LOCKERD_CFAULTVFS_H
#define LOCKERD_CFAULTVFS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Which operation a fault is counted on.
#define LOCKERD_FAULT_ON_WRITE 0
#define LOCKERD_FAULT_ON_SYNC 1

/// What happened since the last `lockerd_fault_vfs_reset` (or `lockerd_fault_vfs_reset_counts`),
/// on files under the prefix only.
typedef struct {
    int64_t writes;        ///< xWrite calls (the failed ones included)
    int64_t syncs;         ///< xSync calls (the failed ones included)
    int64_t truncates;     ///< xTruncate calls
    int64_t faults;        ///< injected failures (an injected power cut counts once)
    int64_t open_files;    ///< files under the prefix open now (main db, WAL, journal)
    int64_t held_bytes;    ///< bytes written and not yet synced, now
    int32_t crashed;       ///< 1 between a power cut (or a killed process) and `lockerd_fault_vfs_reset`
} lockerd_fault_vfs_counts_t;

/// Registers the VFS as SQLite's default (once; later calls only change the prefix) and makes
/// files whose full path starts with `path_prefix` subject to it. The prefix is resolved with
/// realpath(3), as SQLite resolves database paths. Held data of files nobody has open is dropped
/// (a new test starts clean). Returns an SQLite result code.
/// Does not reset faults or counters: call `lockerd_fault_vfs_reset` for that.
int lockerd_fault_vfs_install(const char *path_prefix);

/// Unregisters the VFS (new connections use the unix VFS again) and forgets the prefix. Files
/// opened through it stay usable. `lockerd_fault_vfs_install` registers it again.
void lockerd_fault_vfs_uninstall(void);

/// Power loss: every held (un-synced) write and truncate of every file is discarded, and every file
/// open now is dead (all its I/O fails with SQLITE_IOERR_*), until `lockerd_fault_vfs_reset`.
/// While crashed, the prefix's files cannot be opened or deleted (the power is off).
void lockerd_fault_vfs_crash(void);

/// Power loss where the disk had already written part of its cache: each held write or truncate
/// reaches the file with probability `keep_percent`/100 (chosen with `seed`), in the order they
/// were made, whole or not at all (SQLite assumes power-safe overwrite, as the unix VFS
/// reports). `keep_percent` 0 is `lockerd_fault_vfs_crash`.
void lockerd_fault_vfs_crash_keeping(int32_t keep_percent, uint64_t seed);

/// The process dies without closing its databases (SIGKILL, `_exit`): every file open now is dead,
/// as after a power cut, but the held writes stay in the "page cache" (readable, and written at the
/// next sync of their file), because the kernel keeps them. Until `lockerd_fault_vfs_reset` the
/// prefix's files cannot be opened or deleted, so a dead connection's close cannot checkpoint.
void lockerd_fault_vfs_kill_process(void);

/// Cuts the power just before the n-th (0-based, counted from now) write or sync
/// (`LOCKERD_FAULT_ON_WRITE` / `LOCKERD_FAULT_ON_SYNC`): that operation does not happen and fails
/// with SQLITE_IOERR_WRITE / SQLITE_IOERR_FSYNC, as does everything after it. `keep_percent` as for
/// `lockerd_fault_vfs_crash_keeping`. Replaces any fault armed before.
void lockerd_fault_vfs_crash_at(int32_t operation, int64_t n, int32_t keep_percent, uint64_t seed);

/// The n-th (0-based, counted from now) write or sync fails with `errcode` (SQLITE_FULL for
/// ENOSPC, SQLITE_IOERR_WRITE or SQLITE_IOERR_FSYNC for EIO). With `persistent` every later one
/// fails too (a disk that stays full) until `lockerd_fault_vfs_clear_faults`. A failed write
/// changes nothing. A failed sync loses that file's held writes without writing them (Linux may
/// mark the dirty pages clean after a failed writeback: a later fsync then succeeds and reads may
/// return the old data), so a retried fsync can never make them durable.
/// Replaces any fault armed before.
void lockerd_fault_vfs_fail(int32_t operation, int64_t n, int32_t errcode, int32_t persistent);

/// `lockerd_fault_vfs_fail(LOCKERD_FAULT_ON_WRITE, n, errcode, 0)`.
void lockerd_fault_vfs_fail_write(int64_t n, int32_t errcode);

/// `lockerd_fault_vfs_fail(LOCKERD_FAULT_ON_SYNC, n, errcode, 0)`.
void lockerd_fault_vfs_fail_sync(int64_t n, int32_t errcode);

/// Disarms the armed fault (the disk has space again, the I/O error has gone). A power cut stays
/// in force until `lockerd_fault_vfs_reset`.
void lockerd_fault_vfs_clear_faults(void);

/// Writes what happened into `out`.
void lockerd_fault_vfs_counts(lockerd_fault_vfs_counts_t *out);

/// Zeroes the write, sync, truncate and fault counters (to count one operation's I/O).
void lockerd_fault_vfs_reset_counts(void);

/// Power back on (or the process restarted), no fault armed, counters zeroed. Files that were dead
/// stay dead (close them). Held data is kept: after a power cut there is none, after a killed
/// process it is the page cache. Holding un-synced writes stays on: it is invisible to a process
/// that does not lose power.
void lockerd_fault_vfs_reset(void);

/// When non-zero, xSync also fsyncs the real file (off by default: the test process does not lose
/// power, so being written through to the real file is durable enough, and fsync is slow).
void lockerd_fault_vfs_set_real_fsync(int32_t on);

#ifdef __cplusplus
}
#endif

#endif
