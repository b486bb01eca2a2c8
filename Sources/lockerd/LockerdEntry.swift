import Dispatch

/// lockerd's entry point: runs `LockerdCommand` as a task and keeps the main thread waiting for it.
///
/// Why not `@main` on the async command itself: Swift's async `main` ends by handing the main
/// thread to `dispatch_main()`, which calls `pthread_exit` on it. Exiting a thread unwinds its
/// stack, so at every start glibc loaded libgcc_s and looked up lockerd's unwind tables (a binary
/// search through 1.3 MB of `.eh_frame_hdr`): about 0.7 MB of memory that then stayed resident for
/// nothing (README "Footprint"). Nothing in lockerd runs on the main queue or the main actor, so
/// the main thread can simply wait.
@main
enum LockerdEntry {
    static func main() {
        let finished = DispatchSemaphore(value: 0)
        // Detached: `main()` here is on the main actor, and a task that inherited it would wait for
        // the main thread. The command's `main()` parses the arguments, runs the command, and exits
        // the process itself on an error.
        Task.detached {
            await LockerdCommand.main()
            finished.signal()
        }
        finished.wait()
    }
}
