public import LockerHAL
public import LockerSimulator
public import Logging

/// The display, buzzer and compartment lights the controller drives.
///
/// A configured device always wins. Otherwise a fully simulated cabinet (`make run`, every board
/// simulated) shows the rest on its terminal through the simulator, because there the terminal is
/// the cabinet. A cabinet with any real board never uses the simulator's devices: they print to
/// standard output, which systemd sends to the journal, and the display's text includes pickup
/// codes. It gets a display that logs redacted text, a silent buzzer and dark lights instead.
public struct CabinetFeedback: Sendable {
    public var display: any Display
    public var buzzer: any Buzzer
    public var lights: any IndicatorLights

    /// - Parameter simulator: the simulated cabinet, when the configuration needs one.
    public init(configuredDisplay: (any Display)?, configuredBuzzer: (any Buzzer)?, simulator: SimulatedCabinet?,
                fullySimulated: Bool, logger: Logger) {
        let terminal = fullySimulated ? simulator : nil
        if let configuredDisplay {
            display = configuredDisplay
        } else if let terminal {
            display = terminal.display
        } else {
            display = RedactingLogDisplay(logger: logger)
        }
        if let configuredBuzzer {
            buzzer = configuredBuzzer
        } else if let terminal {
            buzzer = terminal.buzzer
        } else {
            buzzer = InertBuzzer()
        }
        if let terminal {
            lights = terminal.lights
        } else {
            lights = InertIndicatorLights()
        }
    }
}
