/// The small part of a GPIO character-device library that lockerd needs: open a chip, find lines,
/// drive outputs, watch inputs for edges. `GPIOLockBoard` works only through this protocol, so the
/// libgpiod v1 driver (`LibgpiodV1LineDriver`), a later v2 driver and the scripted fake
/// (`ScriptedGPIOLineDriver`) are interchangeable.
///
/// Contract shared by every implementation:
/// - Values are logical: `true` means active. A line requested active-low is physically low when
///   active; the inversion happens in the request, not in the caller.
/// - Every failure is thrown as a `HardwareError` that names the chip and the line (name and
///   offset) and gives the errno text, e.g. "requesting as output on line "LATCH2" (offset 5) of
///   gpiochip gpiochip0 failed: Device or resource busy (EBUSY) ...". The one exception is
///   `CancellationError` from `waitForEdgeEvents`.
/// - The state of a line after `release` or after the process exits is not defined by the kernel:
///   a released output may keep driving its last value. Callers drive outputs inactive before
///   releasing them, and the wiring must be safe if they cannot (see `GPIOLockBoard`).
/// - Calls on different lines may come from different tasks at the same time. Releasing a line or
///   closing a chip while another task still uses it is a caller error.
public protocol GPIOLineDriver: Sendable {
    /// Opens a chip by path ("/dev/gpiochip0"), name ("gpiochip0"), label ("pinctrl-bcm2835") or
    /// number ("0"). A chip that does not exist is `HardwareError.deviceMissing`.
    func openChip(_ chip: String) throws -> GPIOChipHandle

    /// Finds a line of an open chip by name (the first line of that name) or by offset.
    func findLine(_ address: GPIOLineAddress, on chip: GPIOChipHandle) throws -> GPIOLineHandle

    /// Takes the line as an output for `consumer`, driving `initiallyActive` from the first instant
    /// (so a latch is never energised between the request and the first `setValue`).
    func requestOutput(_ line: GPIOLineHandle, activeLow: Bool, initiallyActive: Bool, consumer: String) throws

    /// Drives an output line requested with `requestOutput`.
    func setValue(_ active: Bool, of line: GPIOLineHandle) throws

    /// Takes the line as an input for `consumer` and asks the kernel to queue an event for every
    /// rising and falling edge from now on.
    func requestBothEdgeEvents(_ line: GPIOLineHandle, activeLow: Bool, consumer: String) throws

    /// The current logical value of a requested line.
    func readValue(of line: GPIOLineHandle) throws -> Bool

    /// Waits until at least one of `lines` (all requested for edge events) has queued edges, or
    /// until `timeout` passed, and returns every queued edge of the lines that were ready, each
    /// line's edges in the order they happened. An empty array means the whole `timeout` passed
    /// without an edge on any of the lines: callers rely on that to know a level was stable.
    func waitForEdgeEvents(on lines: [GPIOLineHandle], timeout: Duration) async throws -> [GPIOEdgeEvent]

    /// Now, on the clock of `GPIOEdgeEvent.timestamp`.
    func eventClockNow() -> Duration

    /// Gives the line back to the kernel. Never fails: there is nothing a caller could do.
    func release(_ line: GPIOLineHandle)

    /// Closes the chip, releasing any of its lines still held.
    func closeChip(_ chip: GPIOChipHandle)
}
