// A fault-injecting SQLite VFS: lost un-synced writes (power loss), ENOSPC and EIO.
// See include/CFaultVFS.h for the contract; this file says how, and why each piece exists.
//
// Shape: the VFS wraps the unix VFS. Each sqlite3_file we hand to SQLite is a `fault_file` with the
// unix VFS's own file object allocated right behind it (`real`); every method forwards to `real`,
// except that for a *watched* file (main database, WAL or rollback journal under the prefix)
// writes, truncates and syncs go through a `node`:
//
//   node  = what the kernel's page cache holds of one file path: the writes and truncates made
//           and not yet synced, in order. It is shared by every connection that has the path open
//           (GRDB's pool opens the database and its WAL once per connection), because on Linux an
//           fsync on any descriptor writes back the whole file, and every descriptor reads the
//           cached data. A node outlives its last close while it holds data, as the page cache does.
//
//   read  = the real file's bytes with the node's held operations applied on top, so the process
//           always reads its own writes; xFileSize likewise.
//   sync  = apply the held operations to the real file, in order (optionally fsync it), and
//           forget them. Truncates are held like writes and applied in their place in that order
//           (SQLite's TRUNCATE checkpoint truncates the WAL without syncing it: on power loss the
//           old WAL may come back, which SQLite must and does tolerate).
//   crash = throw every node's held operations away (or keep a seeded random subset), and bump
//           the power epoch: a file opened in an earlier epoch is dead, all its I/O fails. Dead
//           files can still take and release locks and close, so the dead store can be dropped;
//           its close cannot checkpoint (reads fail) nor delete the WAL (deletes are refused).
//   kill  = the process dies: files are dead as after a crash, but held data stays (page cache).
//   fault = the n-th write or sync fails with an SQLite error code. A failed write holds nothing;
//           a failed sync throws the file's held data away (Linux may drop dirty pages whose
//           writeback failed: the "fsyncgate" behaviour), so what SQLite wrote since the last good
//           sync is gone from the disk and from reads alike: the harshest legal outcome.
//
// The -shm file (the WAL index) is memory-mapped by the unix VFS through xShmMap and is passed
// through untouched: SQLite treats it as volatile. After a power cut the first connection to open
// the database takes the "DMS" lock exclusively, truncates the -shm and rebuilds it from the WAL.
// For that to happen every connection of the dead store must be closed first: the unix VFS shares
// one in-memory WAL index between all connections of a process to the same file, and a live one
// would still describe WAL frames that never reached the disk. `open_files` in the counts lets a
// test prove they are all closed.
//
// Not modelled: a write torn inside itself (a held write reaches the disk whole or not at all,
// which is SQLite's power-safe-overwrite assumption, reported by the unix VFS too), short writes
// on ENOSPC, and lost directory entries (creating, deleting and renaming files are real at once).
//
// Memory-mapped I/O is kept off: the io_methods are version 2 (no xFetch), so SQLite never reads a
// watched file behind the overlay's back.
//
// Locking: one pthread mutex guards all state and is held across the real I/O of a watched file,
// so an overlay and its real file never disagree halfway through an operation. Lock, shm and
// file-control calls do not take it (they touch no overlay). The unix VFS's own mutexes are taken
// inside ours, never the other way round.

#define _GNU_SOURCE
#include "CFaultVFS.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// MARK: - State

/// One held (un-synced) operation: a write of `amount` bytes at `offset`, or (amount < 0) a
/// truncate to `offset` bytes.
typedef struct {
    sqlite3_int64 offset;
    int amount;
    unsigned char *data;
} held_op;

/// The page cache of one path (see the top of the file).
typedef struct node {
    char *path;
    int open_count;
    int linked;            ///< 0 once the path was deleted: new opens of the path get a new node
    held_op *ops;
    int op_count, op_capacity;
    struct node *next;     ///< every node, linked or not
} node;

typedef struct {
    sqlite3_file base;     ///< must come first: SQLite only sees this
    sqlite3_file *real;    ///< the unix VFS's file, allocated right after this struct
    node *node;            ///< NULL: not watched, everything is forwarded
    unsigned epoch;        ///< the power epoch it was opened in; another epoch means dead
} fault_file;

static pthread_mutex_t g_mutex = PTHREAD_MUTEX_INITIALIZER;
static sqlite3_vfs *g_real;            ///< the unix VFS
static sqlite3_vfs g_vfs;              ///< this one
static int g_registered;
static char *g_prefix;
static size_t g_prefix_length;
static node *g_nodes;
static unsigned g_epoch;               ///< bumped by every power cut
static int g_crashed;
static int g_real_fsync;
static lockerd_fault_vfs_counts_t g_counts;

/// The one armed fault.
typedef struct {
    int armed;
    int operation;          ///< LOCKERD_FAULT_ON_WRITE or LOCKERD_FAULT_ON_SYNC
    int64_t remaining;      ///< operations to let through before the fault
    int errcode;
    int persistent;
    int tripped;            ///< a persistent fault that has fired: everything fails now
    int power_cut;          ///< cut the power instead of returning errcode
    int keep_percent;
    uint64_t seed;
} fault_plan;
static fault_plan g_fault;

#define WATCHED_FLAGS (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_WAL | SQLITE_OPEN_SUPER_JOURNAL)

static void lock(void) { pthread_mutex_lock(&g_mutex); }
static void unlock(void) { pthread_mutex_unlock(&g_mutex); }

static int is_dead(const fault_file *file) { return file->epoch != g_epoch; }

static uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// MARK: - Nodes (call with the mutex held)

static int is_watched_path(const char *path) {
    return g_prefix != NULL && path != NULL && strncmp(path, g_prefix, g_prefix_length) == 0;
}

static node *find_node(const char *path) {
    for (node *n = g_nodes; n; n = n->next) {
        if (n->linked && strcmp(n->path, path) == 0) return n;
    }
    return NULL;
}

static void drop_ops(node *n) {
    for (int i = 0; i < n->op_count; i++) free(n->ops[i].data);
    n->op_count = 0;
}

/// Frees a node nobody has open that holds nothing (or whose path is gone).
static void free_node_if_unused(node *target) {
    if (target->open_count > 0 || (target->linked && target->op_count > 0)) return;
    for (node **link = &g_nodes; *link; link = &(*link)->next) {
        if (*link == target) {
            *link = target->next;
            break;
        }
    }
    drop_ops(target);
    free(target->ops);
    free(target->path);
    free(target);
}

static int hold(node *n, sqlite3_int64 offset, int amount, const void *data) {
    if (n->op_count == n->op_capacity) {
        int capacity = n->op_capacity ? n->op_capacity * 2 : 16;
        held_op *ops = realloc(n->ops, (size_t)capacity * sizeof *ops);
        if (!ops) return SQLITE_IOERR_NOMEM;
        n->ops = ops;
        n->op_capacity = capacity;
    }
    unsigned char *copy = NULL;
    if (amount > 0) {
        copy = malloc((size_t)amount);
        if (!copy) return SQLITE_IOERR_NOMEM;
        memcpy(copy, data, (size_t)amount);
    }
    n->ops[n->op_count++] = (held_op){ .offset = offset, .amount = amount, .data = copy };
    return SQLITE_OK;
}

/// The size the process sees: the real size with the held operations applied.
static int logical_size(fault_file *file, sqlite3_int64 *size) {
    int rc = file->real->pMethods->xFileSize(file->real, size);
    if (rc != SQLITE_OK) return rc;
    for (int i = 0; i < file->node->op_count; i++) {
        const held_op *op = &file->node->ops[i];
        if (op->amount < 0) *size = op->offset;
        else if (op->offset + op->amount > *size) *size = op->offset + op->amount;
    }
    return SQLITE_OK;
}

static int pwrite_all(int fd, const unsigned char *data, size_t amount, off_t offset) {
    while (amount > 0) {
        ssize_t written = pwrite(fd, data, amount, offset);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return -1;
        data += written;
        amount -= (size_t)written;
        offset += written;
    }
    return 0;
}

/// Power loss. The disk may have written some of its cache already (keep_percent > 0): those
/// operations go to the real files directly (a node has no descriptor of its own, and the files
/// SQLite had open are dead now).
static void power_cut(int keep_percent, uint64_t seed) {
    uint64_t random = seed;
    for (node *n = g_nodes; n; n = n->next) {
        if (keep_percent > 0 && n->linked && n->op_count > 0) {
            int fd = open(n->path, O_WRONLY | O_CLOEXEC);
            for (int i = 0; fd >= 0 && i < n->op_count; i++) {
                if ((int)(splitmix64(&random) % 100) >= keep_percent) continue;
                const held_op *op = &n->ops[i];
                if (op->amount < 0) (void)ftruncate(fd, op->offset);
                else (void)pwrite_all(fd, op->data, (size_t)op->amount, op->offset);
            }
            if (fd >= 0) close(fd);
        }
        drop_ops(n);
    }
    g_epoch++;
    g_crashed = 1;
    g_fault.armed = 0;
}

/// Counts one write or sync against the armed fault. Returns 0 to let it happen, else the error
/// it fails with (after cutting the power, if that is the fault).
static int fault_for(int operation) {
    if (!g_fault.armed || g_fault.operation != operation) return 0;
    if (!g_fault.tripped && g_fault.remaining > 0) {
        g_fault.remaining--;
        return 0;
    }
    g_counts.faults++;
    int failure = operation == LOCKERD_FAULT_ON_WRITE ? SQLITE_IOERR_WRITE : SQLITE_IOERR_FSYNC;
    if (g_fault.power_cut) {
        power_cut(g_fault.keep_percent, g_fault.seed);
        return failure;
    }
    if (g_fault.persistent) g_fault.tripped = 1;
    else g_fault.armed = 0;
    return g_fault.errcode ? g_fault.errcode : failure;
}

// MARK: - File methods

static int fv_close(sqlite3_file *pFile) {
    fault_file *file = (fault_file *)pFile;
    int rc = file->real->pMethods ? file->real->pMethods->xClose(file->real) : SQLITE_OK;
    if (file->node) {
        lock();
        file->node->open_count--;
        g_counts.open_files--;
        free_node_if_unused(file->node);
        file->node = NULL;
        unlock();
    }
    return rc;
}

static int fv_read(sqlite3_file *pFile, void *buffer, int amount, sqlite3_int64 offset) {
    fault_file *file = (fault_file *)pFile;
    if (!file->node) return file->real->pMethods->xRead(file->real, buffer, amount, offset);
    lock();
    int rc = SQLITE_IOERR_READ;
    if (is_dead(file)) goto done;
    // The real bytes (the unix VFS zero-fills past the end of the file) ...
    rc = file->real->pMethods->xRead(file->real, buffer, amount, offset);
    if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) goto done;
    sqlite3_int64 size;
    rc = logical_size(file, &size);
    if (rc != SQLITE_OK) goto done;
    // ... with the held operations replayed over them in order.
    unsigned char *bytes = buffer;
    sqlite3_int64 end = offset + amount;
    for (int i = 0; i < file->node->op_count; i++) {
        const held_op *op = &file->node->ops[i];
        if (op->amount < 0) {
            // Truncated: what lay past the new end is gone (zeros if a later write extends again).
            if (op->offset < end) {
                sqlite3_int64 from = op->offset > offset ? op->offset : offset;
                memset(bytes + (from - offset), 0, (size_t)(end - from));
            }
            continue;
        }
        sqlite3_int64 from = op->offset > offset ? op->offset : offset;
        sqlite3_int64 to = op->offset + op->amount < end ? op->offset + op->amount : end;
        if (from < to) memcpy(bytes + (from - offset), op->data + (from - op->offset), (size_t)(to - from));
    }
    if (end > size) {
        // SQLite requires the unread part of a short read to be zeroed.
        sqlite3_int64 from = size > offset ? size : offset;
        memset(bytes + (from - offset), 0, (size_t)(end - from));
        rc = SQLITE_IOERR_SHORT_READ;
    } else {
        rc = SQLITE_OK;
    }
done:
    unlock();
    return rc;
}

static int fv_write(sqlite3_file *pFile, const void *buffer, int amount, sqlite3_int64 offset) {
    fault_file *file = (fault_file *)pFile;
    if (!file->node) return file->real->pMethods->xWrite(file->real, buffer, amount, offset);
    lock();
    int rc = SQLITE_IOERR_WRITE;
    if (is_dead(file)) goto done;
    g_counts.writes++;
    rc = fault_for(LOCKERD_FAULT_ON_WRITE);
    if (rc != 0) goto done;     // a failed write changes nothing
    rc = hold(file->node, offset, amount, buffer);
done:
    unlock();
    return rc;
}

static int fv_truncate(sqlite3_file *pFile, sqlite3_int64 size) {
    fault_file *file = (fault_file *)pFile;
    if (!file->node) return file->real->pMethods->xTruncate(file->real, size);
    lock();
    int rc = SQLITE_IOERR_TRUNCATE;
    if (!is_dead(file)) {
        g_counts.truncates++;
        rc = hold(file->node, size, -1, NULL);
    }
    unlock();
    return rc;
}

static int fv_sync(sqlite3_file *pFile, int flags) {
    fault_file *file = (fault_file *)pFile;
    if (!file->node) return file->real->pMethods->xSync(file->real, flags);
    lock();
    int rc = SQLITE_IOERR_FSYNC;
    if (is_dead(file)) goto done;
    g_counts.syncs++;
    rc = fault_for(LOCKERD_FAULT_ON_SYNC);
    if (rc != 0) {
        // A failed writeback: the held data never reaches the disk, and is not retried.
        drop_ops(file->node);
        goto done;
    }
    node *n = file->node;
    for (int i = 0; i < n->op_count && rc == SQLITE_OK; i++) {
        const held_op *op = &n->ops[i];
        rc = op->amount < 0 ? file->real->pMethods->xTruncate(file->real, op->offset)
                            : file->real->pMethods->xWrite(file->real, op->data, op->amount, op->offset);
    }
    drop_ops(n);
    if (rc == SQLITE_OK && g_real_fsync) rc = file->real->pMethods->xSync(file->real, flags);
done:
    unlock();
    return rc;
}

static int fv_file_size(sqlite3_file *pFile, sqlite3_int64 *size) {
    fault_file *file = (fault_file *)pFile;
    if (!file->node) return file->real->pMethods->xFileSize(file->real, size);
    lock();
    int rc = is_dead(file) ? SQLITE_IOERR_FSTAT : logical_size(file, size);
    unlock();
    return rc;
}

static int fv_lock(sqlite3_file *pFile, int level) {
    fault_file *file = (fault_file *)pFile;
    return file->real->pMethods->xLock(file->real, level);
}

static int fv_unlock(sqlite3_file *pFile, int level) {
    fault_file *file = (fault_file *)pFile;
    return file->real->pMethods->xUnlock(file->real, level);
}

static int fv_check_reserved_lock(sqlite3_file *pFile, int *result) {
    fault_file *file = (fault_file *)pFile;
    return file->real->pMethods->xCheckReservedLock(file->real, result);
}

static int fv_file_control(sqlite3_file *pFile, int operation, void *argument) {
    fault_file *file = (fault_file *)pFile;
    // A size hint lets the unix VFS extend the real file (with a chunk size set) behind the
    // overlay; it is only a hint, so a watched file ignores it.
    if (file->node && operation == SQLITE_FCNTL_SIZE_HINT) return SQLITE_OK;
    return file->real->pMethods->xFileControl(file->real, operation, argument);
}

static int fv_sector_size(sqlite3_file *pFile) {
    fault_file *file = (fault_file *)pFile;
    return file->real->pMethods->xSectorSize(file->real);
}

static int fv_device_characteristics(sqlite3_file *pFile) {
    fault_file *file = (fault_file *)pFile;
    return file->real->pMethods->xDeviceCharacteristics(file->real);
}

static int fv_shm_map(sqlite3_file *pFile, int page, int page_size, int extend, void volatile **pointer) {
    fault_file *file = (fault_file *)pFile;
    return file->real->pMethods->xShmMap(file->real, page, page_size, extend, pointer);
}

static int fv_shm_lock(sqlite3_file *pFile, int offset, int n, int flags) {
    fault_file *file = (fault_file *)pFile;
    return file->real->pMethods->xShmLock(file->real, offset, n, flags);
}

static void fv_shm_barrier(sqlite3_file *pFile) {
    fault_file *file = (fault_file *)pFile;
    file->real->pMethods->xShmBarrier(file->real);
}

static int fv_shm_unmap(sqlite3_file *pFile, int delete_flag) {
    fault_file *file = (fault_file *)pFile;
    return file->real->pMethods->xShmUnmap(file->real, delete_flag);
}

static const sqlite3_io_methods g_io_methods = {
    2,  // version 2: shared memory (WAL) but no xFetch, so no memory-mapped reads behind the overlay
    fv_close, fv_read, fv_write, fv_truncate, fv_sync, fv_file_size, fv_lock, fv_unlock,
    fv_check_reserved_lock, fv_file_control, fv_sector_size, fv_device_characteristics,
    fv_shm_map, fv_shm_lock, fv_shm_barrier, fv_shm_unmap,
    NULL, NULL,
};

// MARK: - VFS methods

static int fv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *pFile, int flags, int *out_flags) {
    (void)vfs;
    fault_file *file = (fault_file *)pFile;
    memset(file, 0, sizeof *file);
    file->real = (sqlite3_file *)(file + 1);
    lock();
    int watched = (flags & WATCHED_FLAGS) && !(flags & SQLITE_OPEN_DELETEONCLOSE) && is_watched_path(name);
    int crashed = g_crashed;
    file->epoch = g_epoch;
    unlock();
    if (watched && crashed) return SQLITE_CANTOPEN;  // the power is off
    int rc = g_real->xOpen(g_real, name, file->real, flags, out_flags);
    if (rc != SQLITE_OK) {
        // SQLite calls xClose after a failed open only when pMethods is set: ours is not, so the
        // real file must be closed here if its open got that far.
        if (file->real->pMethods) file->real->pMethods->xClose(file->real);
        return rc;
    }
    if (watched) {
        lock();
        node *n = find_node(name);
        if (!n) {
            n = calloc(1, sizeof *n);
            if (n) n->path = strdup(name);
            if (n && n->path) {
                n->linked = 1;
                n->next = g_nodes;
                g_nodes = n;
            } else {
                free(n);
                n = NULL;
            }
        }
        if (n) {
            n->open_count++;
            g_counts.open_files++;
            file->node = n;
        }
        unlock();
        if (!n) {
            file->real->pMethods->xClose(file->real);
            return SQLITE_NOMEM;
        }
    }
    file->base.pMethods = &g_io_methods;
    return SQLITE_OK;
}

static int fv_delete(sqlite3_vfs *vfs, const char *name, int sync_directory) {
    (void)vfs;
    lock();
    if (is_watched_path(name)) {
        if (g_crashed) {
            // A process that lost power deletes nothing (SQLite deletes the WAL when its last
            // connection closes after a successful checkpoint).
            unlock();
            return SQLITE_IOERR_DELETE;
        }
        node *n = find_node(name);
        if (n) {
            // What was held for the deleted file dies with it; a new file at the path is new.
            drop_ops(n);
            n->linked = 0;
            free_node_if_unused(n);
        }
    }
    unlock();
    return g_real->xDelete(g_real, name, sync_directory);
}

static int fv_access(sqlite3_vfs *vfs, const char *name, int flags, int *result) {
    (void)vfs;
    return g_real->xAccess(g_real, name, flags, result);
}

static int fv_full_pathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
    (void)vfs;
    return g_real->xFullPathname(g_real, name, size, out);
}

static void *fv_dl_open(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return g_real->xDlOpen(g_real, name);
}

static void fv_dl_error(sqlite3_vfs *vfs, int size, char *message) {
    (void)vfs;
    g_real->xDlError(g_real, size, message);
}

static void (*fv_dl_sym(sqlite3_vfs *vfs, void *handle, const char *symbol))(void) {
    (void)vfs;
    return g_real->xDlSym(g_real, handle, symbol);
}

static void fv_dl_close(sqlite3_vfs *vfs, void *handle) {
    (void)vfs;
    g_real->xDlClose(g_real, handle);
}

static int fv_randomness(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return g_real->xRandomness(g_real, size, out);
}

static int fv_sleep(sqlite3_vfs *vfs, int microseconds) {
    (void)vfs;
    return g_real->xSleep(g_real, microseconds);
}

static int fv_current_time(sqlite3_vfs *vfs, double *now) {
    (void)vfs;
    return g_real->xCurrentTime(g_real, now);
}

static int fv_get_last_error(sqlite3_vfs *vfs, int size, char *message) {
    (void)vfs;
    return g_real->xGetLastError(g_real, size, message);
}

static int fv_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *now) {
    (void)vfs;
    return g_real->xCurrentTimeInt64(g_real, now);
}

// MARK: - Control

int lockerd_fault_vfs_install(const char *path_prefix) {
    int rc = sqlite3_initialize();
    if (rc != SQLITE_OK) return rc;
    lock();
    if (!g_real) {
        // The unix VFS by name, not "the default": a second install must never wrap this VFS.
        g_real = sqlite3_vfs_find("unix");
        if (!g_real) {
            unlock();
            return SQLITE_ERROR;
        }
        g_vfs = (sqlite3_vfs){
            .iVersion = 2,
            .szOsFile = (int)sizeof(fault_file) + g_real->szOsFile,
            .mxPathname = g_real->mxPathname,
            .zName = "lockerd-fault",
            .xOpen = fv_open, .xDelete = fv_delete, .xAccess = fv_access, .xFullPathname = fv_full_pathname,
            .xDlOpen = fv_dl_open, .xDlError = fv_dl_error, .xDlSym = fv_dl_sym, .xDlClose = fv_dl_close,
            .xRandomness = fv_randomness, .xSleep = fv_sleep, .xCurrentTime = fv_current_time,
            .xGetLastError = fv_get_last_error, .xCurrentTimeInt64 = fv_current_time_int64,
        };
    }
    // A new test's files: forget what earlier ones left held in files nobody has open.
    for (node *n = g_nodes, *next; n; n = next) {
        next = n->next;
        if (n->open_count == 0) {
            drop_ops(n);
            n->linked = 0;
            free_node_if_unused(n);
        }
    }
    // SQLite opens files by their resolved full path (the unix VFS follows symbolic links).
    char *resolved = path_prefix ? realpath(path_prefix, NULL) : NULL;
    if (!resolved && path_prefix) resolved = strdup(path_prefix);
    free(g_prefix);
    g_prefix = resolved;
    g_prefix_length = resolved ? strlen(resolved) : 0;
    if (!g_registered) {
        rc = sqlite3_vfs_register(&g_vfs, 1);
        g_registered = rc == SQLITE_OK;
    }
    unlock();
    return rc;
}

void lockerd_fault_vfs_uninstall(void) {
    lock();
    // Files opened through this VFS keep working (every method forwards to the unix VFS, and
    // g_real stays set); new opens use the unix VFS again.
    if (g_registered && sqlite3_vfs_unregister(&g_vfs) == SQLITE_OK) g_registered = 0;
    free(g_prefix);
    g_prefix = NULL;
    g_prefix_length = 0;
    unlock();
}

void lockerd_fault_vfs_crash(void) {
    lockerd_fault_vfs_crash_keeping(0, 0);
}

void lockerd_fault_vfs_crash_keeping(int32_t keep_percent, uint64_t seed) {
    lock();
    g_counts.faults++;
    power_cut(keep_percent, seed);
    unlock();
}

void lockerd_fault_vfs_kill_process(void) {
    lock();
    // Unlike a power cut the page cache survives: held data stays held (and readable).
    g_epoch++;
    g_crashed = 1;
    g_fault.armed = 0;
    unlock();
}

void lockerd_fault_vfs_crash_at(int32_t operation, int64_t n, int32_t keep_percent, uint64_t seed) {
    lock();
    g_fault = (fault_plan){ .armed = 1, .operation = operation, .remaining = n, .power_cut = 1,
                                 .keep_percent = keep_percent, .seed = seed };
    unlock();
}

void lockerd_fault_vfs_fail(int32_t operation, int64_t n, int32_t errcode, int32_t persistent) {
    lock();
    g_fault = (fault_plan){ .armed = 1, .operation = operation, .remaining = n, .errcode = errcode,
                                 .persistent = persistent };
    unlock();
}

void lockerd_fault_vfs_fail_write(int64_t n, int32_t errcode) {
    lockerd_fault_vfs_fail(LOCKERD_FAULT_ON_WRITE, n, errcode, 0);
}

void lockerd_fault_vfs_fail_sync(int64_t n, int32_t errcode) {
    lockerd_fault_vfs_fail(LOCKERD_FAULT_ON_SYNC, n, errcode, 0);
}

void lockerd_fault_vfs_clear_faults(void) {
    lock();
    memset(&g_fault, 0, sizeof g_fault);
    unlock();
}

void lockerd_fault_vfs_counts(lockerd_fault_vfs_counts_t *out) {
    lock();
    *out = g_counts;
    out->crashed = g_crashed;
    out->held_bytes = 0;
    for (node *n = g_nodes; n; n = n->next) {
        for (int i = 0; i < n->op_count; i++) {
            if (n->ops[i].amount > 0) out->held_bytes += n->ops[i].amount;
        }
    }
    unlock();
}

void lockerd_fault_vfs_reset_counts(void) {
    lock();
    g_counts.writes = g_counts.syncs = g_counts.truncates = g_counts.faults = 0;
    unlock();
}

void lockerd_fault_vfs_reset(void) {
    lock();
    memset(&g_fault, 0, sizeof g_fault);
    g_crashed = 0;
    g_counts.writes = g_counts.syncs = g_counts.truncates = g_counts.faults = 0;
    unlock();
}

void lockerd_fault_vfs_set_real_fsync(int32_t on) {
    lock();
    g_real_fsync = on != 0;
    unlock();
}
