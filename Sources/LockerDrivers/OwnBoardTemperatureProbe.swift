public import LockerHAL
public import LockerWire

/// A temperature probe wired to one of our own lock boards, read with the board's READ
/// TEMPERATURES message. Every failure is a sample the cold chain's fault detector judges: the
/// board's own verdicts (disconnected, CRC error, not ready: a first conversion not done, whose
/// 85 °C must not be taken for a reading), a probe missing from the reply, or a bus error.
public struct OwnBoardTemperatureProbe: TemperatureProbe {
    public let name: String
    public let board: Int
    public let probe: UInt8
    let readBoard: @Sendable () async throws -> [OwnBoardMessage.Temperature]

    /// - Parameter readBoard: the board's `readTemperatures` (a closure, so tests and other
    ///   board wrappers can stand in).
    public init(name: String, board: Int, probe: UInt8, readBoard: @escaping @Sendable () async throws -> [OwnBoardMessage.Temperature]) {
        self.name = name
        self.board = board
        self.probe = probe
        self.readBoard = readBoard
    }

    public func read() async -> ProbeSample {
        let readings: [OwnBoardMessage.Temperature]
        do {
            readings = try await readBoard()
        } catch {
            return .missing(detail: "board \(board) did not report its temperatures: \(error)")
        }
        guard let reading = readings.first(where: { $0.probe == probe }) else {
            return .missing(detail: "board \(board) reports no probe \(probe) (it has \(readings.map(\.probe)))")
        }
        switch reading.state {
        case .ok: return .celsius(Double(reading.centiCelsius) / 100)
        case .crcError: return .crcFailure
        case .disconnected: return .missing(detail: "board \(board) says probe \(probe) is disconnected")
        case .notReady: return .missing(detail: "board \(board) says probe \(probe) has no reading yet")
        }
    }
}
