import Foundation
@testable import LockerDrivers
import LockerHAL
import Testing
import LockerSystem

/// The libudev hotplug source against this machine's real sysfs and netlink, plus its pure mapping
/// of udev properties. Nothing here needs a udev daemon: without one the ID_* properties are simply
/// absent and the monitor stays silent.
@Suite struct LibudevDeviceSourceTests {
    @Test func enumeratingTerminalsFindsRealDevices() throws {
        let devices = try LibudevDeviceSource().enumerate(subsystems: ["tty"])
        #expect(!devices.isEmpty, "every Linux system has at least /dev/tty and /dev/console")
        for device in devices {
            #expect(device.subsystem == "tty")
            #expect(FileManager.default.fileExists(atPath: device.sysPath), "\(device.sysPath) is a sysfs directory")
        }
        #expect(devices.contains { $0.devnode?.hasPrefix("/dev/") == true })
    }

    @Test func enumeratingASubsystemThatDoesNotExistFindsNothing() throws {
        let source = LibudevDeviceSource()
        #expect(try source.enumerate(subsystems: ["no-such-subsystem"]).isEmpty)
        #expect(try source.enumerate(subsystems: []).isEmpty, "no subsystems means no devices, not all of them")
    }

    @Test func udevPropertiesMapToTheDeviceFields() {
        let properties = [
            "ID_VENDOR_ID": "0c2e", "ID_MODEL_ID": "0b61", "ID_SERIAL_SHORT": "21077B3C2D",
            "DEVLINKS": "/dev/serial/by-id/usb-Honeywell_Scanner-if00  /dev/locker/scanner-front",
            "ID_MODEL": "Scanner", "DEVNAME": "/dev/ttyACM0",
        ]
        let device = LibudevDeviceSource.device(
            sysPath: "/sys/devices/pci0000:00/usb1/1-1/1-1:1.0/tty/ttyACM0", subsystem: "tty",
            devnode: "/dev/ttyACM0", properties: properties
        )
        #expect(device == PluggedDevice(
            sysPath: "/sys/devices/pci0000:00/usb1/1-1/1-1:1.0/tty/ttyACM0", subsystem: "tty", devnode: "/dev/ttyACM0",
            vendorID: "0c2e", productID: "0b61", serial: "21077B3C2D",
            symlinks: ["/dev/serial/by-id/usb-Honeywell_Scanner-if00", "/dev/locker/scanner-front"],
            properties: properties
        ))
    }

    @Test func missingOrEmptyPropertiesAreAbsent() {
        let device = LibudevDeviceSource.device(
            sysPath: "/sys/devices/virtual/tty/tty", subsystem: "tty", devnode: nil,
            properties: ["ID_SERIAL_SHORT": "", "MAJOR": "5"]
        )
        #expect(device.vendorID == nil)
        #expect(device.productID == nil)
        #expect(device.serial == nil)
        #expect(device.symlinks.isEmpty)
        #expect(device.devnode == nil)
        #expect(device.properties == ["ID_SERIAL_SHORT": "", "MAJOR": "5"])
    }

    @Test func cancellingTheConsumerEndsTheReaderThread() async throws {
        let source = LibudevDeviceSource()
        guard let events = try monitorEventsOrCheckRefusal(source) else { return }
        #expect(source.runningMonitorReaders == 1)
        let consumer = Task {
            for try await _ in events {}
        }
        consumer.cancel()
        _ = await consumer.result
        #expect(await waitUntil { source.runningMonitorReaders == 0 }, "the reader thread notices within its poll interval")
    }

    @Test func droppingTheStreamEndsTheReaderThread() async throws {
        let source = LibudevDeviceSource()
        // Nothing is plugged in during a test, so no event arrives to `break` on. Releasing the
        // stream and its iterator is what `break` out of `for try await event in try source.events(...)`
        // does; a stream value kept alive after the loop keeps the monitor too (AsyncStream's rule).
        do {
            guard let events = try monitorEventsOrCheckRefusal(source) else { return }
            #expect(source.runningMonitorReaders == 1)
            _ = events.makeAsyncIterator()
        }
        #expect(await waitUntil { source.runningMonitorReaders == 0 }, "the reader thread notices within its poll interval")
    }

    @Test func subscribingToNoSubsystemsFinishesAtOnce() async throws {
        let source = LibudevDeviceSource()
        var received = 0
        for try await _ in try source.events(subsystems: []) { received += 1 }
        #expect(received == 0)
        #expect(source.runningMonitorReaders == 0)
    }

    /// The monitor's events, or nil after checking the error when netlink is not permitted here
    /// (some containers): then the error must say that the udev monitor could not be created.
    private func monitorEventsOrCheckRefusal(
        _ source: LibudevDeviceSource
    ) throws -> AsyncThrowingStream<PluggedDeviceEvent, any Error>? {
        do {
            return try source.events(subsystems: ["tty", "input"])
        } catch let error as HardwareError {
            #expect(error.description.contains("creating the udev monitor"), "\(error)")
            return nil
        }
    }

    /// Polls `condition` until it holds or `timeout` passes; returns whether it held.
    private func waitUntil(timeout: Duration = .seconds(3), _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }
}
