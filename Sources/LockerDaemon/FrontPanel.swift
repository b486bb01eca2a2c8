import Foundation
import LockerCore
import LockerHAL
public import LockerSimulator

/// The simulated cabinet's front panel: a line-based language for what a person does at the
/// cabinet (keys, scans, doors, parcels) and for looking at it. The same language works typed in a
/// terminal and piped from a script; see README "The front-panel language".
public struct FrontPanel: Sendable {
    let cabinet: SimulatedCabinet
    let inbox: CabinetInbox
    let configuration: CabinetConfiguration
    let manualClock: ManualCabinetClock?
    let clock: any CabinetClock
    let output: FrontPanelOutput
    let coldChain: ColdChainService?

    public init(cabinet: SimulatedCabinet, inbox: CabinetInbox, configuration: CabinetConfiguration,
                clock: any CabinetClock, manualClock: ManualCabinetClock?, output: FrontPanelOutput, coldChain: ColdChainService? = nil) {
        self.coldChain = coldChain
        self.cabinet = cabinet
        self.inbox = inbox
        self.configuration = configuration
        self.clock = clock
        self.manualClock = manualClock
        self.output = output
    }

    public static let help = """
        Front-panel commands (DOOR is a label like A07; keys are 0-9, enter, clear, back, menu):
          press KEY...            press keys: "press 482913", "press menu 1001 enter 4321 enter"
          scan TEXT               hold a barcode or QR code to the scanner
          force DOOR              force a door open (raises an alarm)
          close DOOR              push a door shut
          put DOOR | take DOOR    put a parcel into / take it out of an open door
          show                    map of the doors
          advise TRACKING RECIPIENT SIZE [CLASS] [accessible]
                                  pre-advice as the central server would send it
          wait SECONDS            let time pass (instant with --manual-clock)
          jam DOOR | unjam DOOR   make a latch fail / repair it
          board N down | board N up
                                  make a lock board stop answering / come back
          compressor ZONE broken | compressor ZONE fixed
                                  a cold zone's compressor (or heater) stops working / works again
          probe ZONE crc | unplugged | power-on | ok
                                  a cold zone's probe fails its CRC, is unplugged, reads 85 °C / is fine
          temps                   the cold zones' temperatures
          wedge SECONDS           make the cabinet's loop hang (1...60 s), to see the watchdog act
          mark TEXT               print "mark TEXT" once everything before it is done
          help | quit
        """

    /// Runs one line. Returns false when the session should end.
    public func run(line rawLine: String) async -> Bool {
        let words = rawLine.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let command = words.first?.lowercased(), !command.hasPrefix("#") else { return true }
        let arguments = Array(words.dropFirst())
        switch command {
        case "quit", "exit":
            return false
        case "help", "?":
            output.line(Self.help)
        case "press", "key", "keys":
            guard !arguments.isEmpty else { return fail("press what? e.g. press 482913") }
            var keys: [HardwareKey] = []
            for word in arguments {
                switch word.lowercased() {
                case "enter", "#", "ok": keys.append(.enter)
                case "clear", "*", "c": keys.append(.clear)
                case "back", "del": keys.append(.back)
                case "menu", "courier": keys.append(.menu)
                default:
                    // The keypad has the ASCII digits only (not every character Unicode calls a number).
                    guard word.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) else {
                        return fail("\"\(word)\" is not a key (0-9, enter, clear, back, menu)")
                    }
                    keys += word.unicodeScalars.map { .digit(UInt8($0.value - 48)) }
                }
            }
            for key in keys { await cabinet.press(key) }
        case "scan":
            guard !arguments.isEmpty else { return fail("scan what? e.g. scan SF1234567890") }
            let code = arguments.joined(separator: " ")
            guard SimulatedCabinet.canScan(code) else {
                return fail("the simulated scanner types with a US keyboard layout and cannot type \"\(code)\"")
            }
            await cabinet.scan(code)
        case "force", "close", "put", "take", "jam", "unjam":
            guard arguments.count == 1, let address = door(arguments[0]) else {
                return fail("\(command) needs a door label, one of \(labelsHint)")
            }
            do {
                switch command {
                case "force": try await cabinet.openDoor(board: address.board, channel: address.channel, force: true)
                case "close": try await cabinet.closeDoor(board: address.board, channel: address.channel)
                case "put": try await cabinet.setItem(board: address.board, channel: address.channel, present: true)
                case "take": try await cabinet.setItem(board: address.board, channel: address.channel, present: false)
                case "jam": cabinet.setJammed(board: address.board, channel: address.channel, true)
                default: cabinet.setJammed(board: address.board, channel: address.channel, false)
                }
            } catch {
                return fail("\(arguments[0].uppercased()): \(error)")
            }
        case "board":
            guard arguments.count == 2, let address = Int(arguments[0]),
                  configuration.boards.contains(where: { $0.address == address }),
                  ["up", "down"].contains(arguments[1].lowercased())
            else { return fail("usage: board N up|down, with N one of \(configuration.boards.map(\.address))") }
            await cabinet.setBoardDown(address, arguments[1].lowercased() == "down")
        case "compressor", "heater":
            guard arguments.count == 2, let zone = coldChain?.simulatedZones[arguments[0]],
                  ["broken", "fixed"].contains(arguments[1].lowercased())
            else { return fail("usage: \(command) ZONE broken|fixed, with ZONE one of \(zoneNames)") }
            zone.setRelayBroken(arguments[1].lowercased() == "broken")
        case "probe":
            let failure = arguments.count == 2 ? SimulatedColdZone.ProbeFailure(rawValue: arguments[1].lowercased()) : nil
            guard arguments.count == 2, let zone = coldChain?.simulatedZones[arguments[0]],
                  failure != nil || arguments[1].lowercased() == "ok"
            else { return fail("usage: probe ZONE crc|unplugged|power-on|ok, with ZONE one of \(zoneNames)") }
            zone.setProbeFailure(failure)
        case "wedge":
            guard arguments.count == 1, let seconds = Double(arguments[0]), (1...60).contains(seconds) else {
                return fail("usage: wedge SECONDS (1...60)")
            }
            // A fault on purpose: the loop blocks as a deadlocked driver call would, so the
            // watchdog's heartbeat stops and systemd would restart the daemon.
            await inbox.inspect { [output] _ in
                output.line("the cabinet loop is stuck from now on, for \(Int(seconds)) s")
                usleep(useconds_t(seconds * 1_000_000))
            }
            output.line("the cabinet loop was stuck for \(Int(seconds)) s")
        case "temps":
            guard let coldChain else { return fail("this cabinet has no cold zones") }
            await coldChain.step()
            for report in coldChain.reports {
                let reading = report.celsius.map { String(format: "%.1f °C", $0) } ?? "no reading"
                output.line("\(report.zone): \(reading), band \(report.lowCelsius)...\(report.highCelsius) °C, \(report.state)"
                            + (report.relayOn == true ? ", relay on" : "") + (report.detail.map { " (\($0))" } ?? ""))
            }
        case "show", "map":
            let now = clock.now()
            let output = self.output
            await inbox.inspect { controller in output.line(CabinetMapRenderer.render(controller, now: now)) }
        case "advise":
            guard arguments.count >= 3, let size = CompartmentSize(label: arguments[2]) else {
                return fail("usage: advise TRACKING RECIPIENT SIZE [CLASS] [accessible]")
            }
            if let reason = ParcelIntake.validationError(forTrackingNumber: arguments[0]) { return fail(reason) }
            var temperatureClass = TemperatureClass.ambient
            var accessible = false
            for extra in arguments.dropFirst(3) {
                if let parsed = TemperatureClass(label: extra) { temperatureClass = parsed }
                else if extra.lowercased() == "accessible" { accessible = true }
                else { return fail("\"\(extra)\" is neither a temperature class nor \"accessible\"") }
            }
            let intake = ParcelIntake(trackingNumber: arguments[0], recipientReference: arguments[1], size: size,
                                      temperatureClass: temperatureClass, needsAccessible: accessible)
            await inbox.inspect { controller in controller.addPreAdvice(intake) }
            output.line("pre-advice: \(intake.trackingNumber) for \(intake.recipientReference), \(size) \(temperatureClass)")
        case "wait":
            guard arguments.count == 1, let seconds = Double(arguments[0]), seconds >= 0, seconds <= 30 * 86_400 else {
                return fail("usage: wait SECONDS (0...2592000)")
            }
            await wait(seconds: seconds)
        case "mark":
            await cabinet.events.drain()
            output.line("mark \(arguments.joined(separator: " "))")
        default:
            return fail("unknown command \"\(command)\"; type help")
        }
        await cabinet.events.drain()
        return true
    }

    private func wait(seconds: Double) async {
        guard let manualClock else {
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            return
        }
        // Tick often enough that deadlines land within a second for short waits, and in at most
        // 600 steps for long ones (days of retention).
        let step = max(1.0, seconds / 600)
        var left = seconds
        while left > 0 {
            let now = min(step, left)
            manualClock.advance(seconds: now)
            left -= now
            await inbox.tick()
            await coldChain?.step()
            await cabinet.events.drain()
        }
    }

    private func door(_ label: String) -> HardwareMap.Address? {
        guard let entry = configuration.compartments.first(where: { CompartmentLabel.same($0.label, label) })
        else { return nil }
        return HardwareMap.Address(board: entry.board, channel: entry.channel)
    }

    private var zoneNames: String {
        (coldChain?.simulatedZones.keys.sorted() ?? []).joined(separator: ", ")
    }

    private var labelsHint: String {
        let labels = configuration.compartments.map(\.label)
        return labels.count <= 2 ? labels.joined(separator: ", ") : "\(labels.first!)...\(labels.last!)"
    }

    private func fail(_ message: String) -> Bool {
        output.line("error: \(message)")
        return true
    }
}
