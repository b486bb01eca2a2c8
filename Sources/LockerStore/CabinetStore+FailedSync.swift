import LockerSystem
public import Logging

extension CabinetStore {
    /// The failed-fsync rule, written once for every writer of the store (custody commits, the
    /// temperature record, anything later): when `error` is a failed sync (`isFailedSync`), log it
    /// as critical and end the process at once with EX_IOERR, without closing the database (which
    /// would checkpoint what the disk never confirmed). systemd restarts the daemon
    /// (Restart=on-failure), which reconciles every door from what the disk really holds. Any
    /// other error returns, for the caller to handle.
    ///
    /// - Parameters:
    ///   - what: what failed to sync, for the log line ("a commit", "the temperature record").
    ///   - metadata: what the caller knows about the write (its name, the zone).
    public static func stopOnFailedSync(_ error: any Error, syncing what: String, metadata: Logger.Metadata = [:], logger: Logger) {
        guard isFailedSync(error) else { return }
        var metadata = metadata
        metadata["error"] = "\(error)"
        logger.critical("the disk failed to sync \(what): stopping at once to restart from what is on disk", metadata: metadata)
        ProcessCalls.exitImmediately(74)  // EX_IOERR
    }
}
