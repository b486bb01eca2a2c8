/// An event source whose loop comes round on its own even when nothing happens: a board polled
/// every few hundred milliseconds, GPIO edges waited for with a timeout. It calls `heartbeat` once
/// per round, whether the round found anything or not and whether the board answered or not.
///
/// That is what lets the daemon tell a silent board (still polled: an alarm for a person, the
/// board is reported lost) from a wedged loop (stuck in a call that never returns: only a restart
/// helps, so systemd's watchdog must stop being pinged).
public protocol HeartbeatingEventSource: HardwareEventSource {
    func run(delivering handler: any HardwareEventHandler, heartbeat: @escaping @Sendable () -> Void) async throws
}
