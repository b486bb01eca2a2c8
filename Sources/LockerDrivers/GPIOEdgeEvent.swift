/// One edge the kernel saw on an input line requested for edge events.
public struct GPIOEdgeEvent: Sendable, Equatable {
    public let line: GPIOLineHandle
    /// The line's logical value after the edge: true for a rising edge, with active-low already
    /// applied by the request (an active-low line going physically low "becomes active").
    public let becameActive: Bool
    /// When the kernel saw the edge, on the clock `GPIOLineDriver.eventClockNow()` reads. Debounce
    /// compares these timestamps with each other, so it does not depend on when we got to read
    /// the events.
    public let timestamp: Duration

    public init(line: GPIOLineHandle, becameActive: Bool, timestamp: Duration) {
        self.line = line
        self.becameActive = becameActive
        self.timestamp = timestamp
    }

    public var offset: Int { line.offset }
}
