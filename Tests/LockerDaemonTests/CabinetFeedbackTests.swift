import LockerDaemon
import LockerHAL
import LockerSimulator
import Logging
import Testing

/// A cabinet with a real board never uses the simulator's display, buzzer or lights (they print to
/// standard output, the journal under systemd); its fallback display logs text with every run of
/// digits long enough to be a pickup code masked.
@Suite struct CabinetFeedbackTests {
    let logger = Logger(label: "feedback-test") { _ in SwiftLogNoOpLogHandler() }

    @Test func pickupCodesOfEveryAllowedLengthAreMasked() {
        #expect(RedactingLogDisplay.redacted("Deposited in A03. Pickup code 973829. Scan the next parcel.")
                == "Deposited in A03. Pickup code ******. Scan the next parcel.")
        #expect(RedactingLogDisplay.redacted("code 4821") == "code ****")
        #expect(RedactingLogDisplay.redacted("code 123456789012") == "code ************")
        #expect(RedactingLogDisplay.redacted("123456") == "******")
    }

    @Test func shortNumbersAndTheCodeProgressStayReadable() {
        for text in ["Wrong code, 3 tries left.", "Door A03 is open.", "Code: ***___", "Please wait 120 s.",
                     "size 1 XS 2 S 3 M 4 L 5 XL"] {
            #expect(RedactingLogDisplay.redacted(text) == text)
        }
    }

    @Test func aRealCabinetGetsNoneOfTheSimulatorsDevices() {
        let simulator = SimulatedCabinet(boards: [.init(address: 1, channelCount: 2, hasItemSensors: false)])
        for present in [simulator, nil] {
            let feedback = CabinetFeedback(configuredDisplay: nil, configuredBuzzer: nil, simulator: present,
                                           fullySimulated: false, logger: logger)
            #expect(feedback.display is RedactingLogDisplay)
            #expect(feedback.buzzer is InertBuzzer)
            #expect(feedback.lights is InertIndicatorLights)
        }
    }

    @Test func aFullySimulatedCabinetShowsItsPanelOnTheTerminal() {
        let simulator = SimulatedCabinet(boards: [.init(address: 1, channelCount: 2, hasItemSensors: false)])
        let feedback = CabinetFeedback(configuredDisplay: nil, configuredBuzzer: nil, simulator: simulator,
                                       fullySimulated: true, logger: logger)
        #expect(feedback.display as? SimulatedDisplay === simulator.display)
        #expect(feedback.buzzer as? SimulatedBuzzer === simulator.buzzer)
        #expect(feedback.lights as? SimulatedIndicatorLights === simulator.lights)
    }

    @Test func theSimulatorIsBuiltOnlyForWhatIsSimulated() {
        var configuration = CabinetConfiguration.simulatedDefault
        #expect(SimulatedWorld.isNeeded(by: configuration))
        for index in configuration.boards.indices {
            configuration.boards[index].kind = "simulated-kerong-cu16"
        }
        #expect(SimulatedWorld.isNeeded(by: configuration), "simulated firmware answers from the simulated doors")
        for index in configuration.boards.indices {
            configuration.boards[index].kind = "kerong-cu16"
            configuration.boards[index].device = "/dev/locker/rs485-1"
        }
        configuration.zones = []
        #expect(!SimulatedWorld.isNeeded(by: configuration))
    }
}
