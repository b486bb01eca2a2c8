import Foundation
import LockerDrivers
import Testing

/// The configuration as a cabinet's file states it: defaults, both ways to address a line, and the
/// problems it reports without touching any hardware.
@Suite struct GPIOLockBoardConfigurationTests {
    @Test func aMinimalFileGetsTheDefaults() throws {
        let json = """
            {
              "chip": "gpiochip0",
              "channels": [
                { "latch": "GPIO17", "latchActiveLow": true, "doorSensor": { "line": "GPIO22" } },
                { "latch": 27, "doorSensor": { "line": 23, "activeLow": true, "openWhen": "inactive" } },
                { "latch": 24 }
              ]
            }
            """
        let configuration = try JSONDecoder().decode(GPIOLockBoardConfiguration.self, from: Data(json.utf8))

        #expect(configuration == GPIOLockBoardConfiguration(
            chip: "gpiochip0",
            channels: [
                .init(latch: .name("GPIO17"), latchActiveLow: true, doorSensor: .init(line: .name("GPIO22"))),
                .init(latch: .offset(27), doorSensor: .init(line: .offset(23), activeLow: true, openWhen: .inactive)),
                .init(latch: .offset(24)),
            ]
        ))
        #expect(configuration.debounce == .milliseconds(20))
        #expect(configuration.minimumPulseMilliseconds == 100)
        #expect(configuration.maximumPulseMilliseconds == 2000)
        #expect(configuration.problems.isEmpty)
    }

    @Test func itRoundTripsThroughJSON() throws {
        let configuration = GPIOLockBoardConfiguration(
            chip: "/dev/gpiochip1",
            channels: [.init(latch: .offset(5), doorSensor: .init(line: .name("DOOR"), openWhen: .inactive))],
            minimumPulseMilliseconds: 150, maximumPulseMilliseconds: 900, debounceMilliseconds: 35
        )
        let decoded = try JSONDecoder().decode(
            GPIOLockBoardConfiguration.self, from: JSONEncoder().encode(configuration)
        )
        #expect(decoded == configuration)
    }

    @Test func pulsesAreClampedToTheLimits() {
        let configuration = GPIOLockBoardConfiguration(chip: "gpiochip0", channels: [.init(latch: .offset(1))])
        #expect(configuration.pulse(forRequestedMilliseconds: 0) == .milliseconds(100))
        #expect(configuration.pulse(forRequestedMilliseconds: 400) == .milliseconds(400))
        #expect(configuration.pulse(forRequestedMilliseconds: 5000) == .milliseconds(2000))
    }

    @Test func problemsAreNamedOneByOne() {
        let configuration = GPIOLockBoardConfiguration(
            chip: "",
            channels: [
                .init(latch: .name("L1"), doorSensor: .init(line: .name("L1"))),
                .init(latch: .offset(-3)),
            ],
            minimumPulseMilliseconds: 0, maximumPulseMilliseconds: -1, debounceMilliseconds: -5
        )
        #expect(configuration.problems == [
            "chip is empty; name the gpiochip (path, name, label or number)",
            "minimumPulseMilliseconds is 0; it must be at least 1",
            "maximumPulseMilliseconds (-1) is below minimumPulseMilliseconds (0)",
            "debounceMilliseconds is -5; it must be 0 or more",
            "line \"L1\" is both the latch of channel 1 and the door sensor of channel 1",
            "the latch of channel 2 has a negative offset (-3)",
        ])
        #expect(GPIOLockBoardConfiguration(chip: "gpiochip0", channels: []).problems == [
            "no channels; a GPIO lock board needs at least one latch",
        ])
    }
}
