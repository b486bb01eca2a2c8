public import Foundation
public import Logging
import LockerCore
import LockerDrivers
import LockerHAL
import LockerMaintenanceProtocol
import LockerSimulator
import LockerStore
import LockerMQTT
import LockerUplink
import LockerSystem
import ServiceLifecycle

/// The daemon's short, ordered main: configuration → state directory → store → device key →
/// hardware → controller → run → stop, in that order and torn down in reverse.
public enum Daemon {
    public struct Options: Sendable {
        public var stateDirectory: URL
        public var configuration: CabinetConfiguration
        /// Read front-panel commands from standard input (the simulated cabinet only).
        public var frontPanel: Bool
        /// Time moves only with the front panel's `wait` (scripted sessions, tests).
        public var manualClock: Bool
        /// Overrides the configuration's maintenance socket path.
        public var maintenanceSocketPath: String?
        /// The last log lines, for the diagnostics bundle.
        public var recentLog: RecentLogLines
        /// systemd's notification socket (a no-op outside systemd).
        public var supervision: ServiceSupervision?
        /// The recovery for a lost `device.key`: make a new one and record the codes it ends.
        public var newDeviceKey: Bool

        public init(stateDirectory: URL, configuration: CabinetConfiguration, frontPanel: Bool, manualClock: Bool,
                    maintenanceSocketPath: String? = nil, recentLog: RecentLogLines = RecentLogLines(),
                    supervision: ServiceSupervision? = nil, newDeviceKey: Bool = false) {
            self.supervision = supervision
            self.newDeviceKey = newDeviceKey
            self.stateDirectory = stateDirectory
            self.configuration = configuration
            self.frontPanel = frontPanel
            self.manualClock = manualClock
            self.maintenanceSocketPath = maintenanceSocketPath
            self.recentLog = recentLog
        }
    }

    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    /// How long the parts of lockerd have to stop gracefully (the cabinet loop to finish its
    /// input, sockets to close) before they are cancelled, and how long cancellation may take.
    public static let gracefulShutdownBound: Duration = .seconds(10)
    public static let cancellationBound: Duration = .seconds(4)
    /// The cabinet loop thread's nice value (see where it starts); systemd/lockerd.service's
    /// LimitNICE= must allow it.
    public static let cabinetLoopNiceValue: Int32 = -5

    public static func run(_ options: Options, logger: Logger) async throws {
        let configuration = options.configuration
        let supervision = options.supervision
        try configuration.validate()
        let directory = options.stateDirectory
        supervision?.status("opening and checking the store")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw StartError(description: "cannot create state directory \(directory.path): \(error.localizedDescription)")
        }
        let (store, movedAside) = try openStore(at: directory.appendingPathComponent("lockerd.sqlite").path, directory: directory,
                                                logger: logger)
        let (key, replacingLostKey) = try deviceKey(in: directory, store: store, newDeviceKey: options.newDeviceKey)
        let output = FrontPanelOutput()
        let manualClock = options.manualClock ? ManualCabinetClock(start: Date()) : nil
        let clock: any CabinetClock = manualClock ?? SystemCabinetClock()
        // Each start is a new epoch (see CabinetStore.beginEpoch): a restored or cloned database
        // can never send new events under a key the server already holds.
        let epoch = try store.beginEpoch(at: clock.now())
        supervision?.status("opening the hardware")

        // Only what the configuration simulates is simulated: a cabinet of real boards has none.
        let cabinet = SimulatedWorld.make(for: configuration, stateDirectory: directory, output: { output.line($0) })
        // The cabinet loop's own thread (see DedicatedThreadExecutor: a key reaches the loop in
        // about a third of the time the global executor takes), which also reads the HID keypads
        // itself; without it (no thread could start) the loop runs on the shared threads.
        //
        // It runs at a higher priority than the rest of the cabinet (nice -5; the unit's
        // LimitNICE=-5 allows it without a capability): on a 2-core board draining an uplink
        // backlog, a resident's last key otherwise waited for a core behind the drain and the
        // machine's other processes. The loop sleeps when nothing happens, so it takes nothing
        // from them at rest.
        let loopThread: DedicatedThreadExecutor?
        do {
            loopThread = try DedicatedThreadExecutor(name: "cabinet loop", niceValue: Self.cabinetLoopNiceValue)
        } catch {
            logger.warning("the cabinet loop runs on the shared threads: its own thread did not start", metadata: ["error": "\(error)"])
            loopThread = nil
        }
        // Stopped when the loop ends; here too, for a start that fails before the loop runs.
        defer { loopThread?.stop() }
        let hardware = try HardwareAssembly(
            configuration: configuration, cabinet: cabinet, deviceSource: LibudevDeviceSource(),
            simulatedInputDirectory: directory, keypadLoop: loopThread, logger: logger)
        let feedback = CabinetFeedback(configuredDisplay: hardware.display, configuredBuzzer: hardware.buzzer, simulator: cabinet,
                                       fullySimulated: configuration.isFullySimulated, logger: logger)
        let controller = try CabinetController(
            configuration: configuration, store: store, clock: clock, hasher: HMACPickupCodeHasher(key: key),
            boards: hardware.boards, display: feedback.display, buzzer: feedback.buzzer,
            lights: OwnBoardIndicatorLights(boards: hardware.boards, fallback: feedback.lights, logger: logger),
            logger: logger)
        // Made before the first commit of this run, so that even the start's records can use it.
        let reserve = DiskReserve(directory: directory.path)
        if !reserve.ensure() {
            logger.critical("no room on the disk for the disk reserve: deposits stay stopped until space is freed",
                            metadata: ["reserve.path": "\(reserve.path)", "reserve.bytes": "\(reserve.bytes)"])
        }
        controller.diskReserve = reserve
        controller.pollDeferrals = hardware.buses.map(\.pollDeferral)
        if let movedAside { controller.storeWasMovedAside(to: movedAside.path, reason: movedAside.reason) }
        if replacingLostKey {
            // Recorded before the new key is written: a power cut between the two leaves the codes
            // marked invalid and no key, and the next start makes one with nothing left to refuse.
            // The other order could leave a new key and old codes that fail without a word.
            guard controller.deviceKeyWasLost() else {
                throw StartError(description: "cannot record which pickup codes the lost device key ends; nothing was changed")
            }
            try DeviceKey.install(key, at: directory.appendingPathComponent("device.key"))
            logger.critical("a new device key was made: the pickup codes of parcels in custody no longer work; codes.invalidated lists them for the server to issue new ones")
        }
        let inbox = CabinetInbox()
        // While a pickup code lacks only its last digit, the loop reads the keypads without
        // sleeping and rehearses the pickup, for two seconds at most (people type a digit in well
        // under a second; a longer pause only costs that key the caches and the core's wake-up).
        if let loopThread {
            let anticipation = LastDigitAnticipation(loop: loopThread, inbox: inbox)
            controller.onLastDigitAwaited = { awaited in anticipation.lastDigitAwaited(awaited) }
        }
        let simulationClock = ColdChainService.SimulationClock(clock: clock)
        let zoneHardware = ColdChainHardware.build(configuration: configuration, cabinet: cabinet, clock: simulationClock,
                                                  boards: hardware.boards, logger: logger)
        let coldChain: ColdChainService? = configuration.zones.isEmpty ? nil : ColdChainService(
            configuration: configuration, hardware: zoneHardware.hardware, store: store, inbox: inbox, clock: clock,
            simulationClock: simulationClock, logger: logger)
        // Cold cells take no parcel before their zone's first healthy, in-band sample.
        if let coldChain { controller.setClimateFit(false, compartmentIDs: coldChain.zoneCompartmentIDs) }
        controller.coldChainSummary = { id, from, to in
            ColdChainService.summary(compartmentID: id, from: from, to: to, configuration: configuration, store: store)
        }
        let unwatched = ColdChainHardware.unwatchedColdCompartments(configuration)
        if !unwatched.isEmpty {
            logger.warning("cold compartments outside every zone: no temperature control and no record for their parcels",
                           metadata: ["doors": "\(unwatched.joined(separator: ","))"])
        }
        // Last of the steps that may fail: its HTTP client must be shut down once it exists.
        let uplink = try await startUplink(configuration: configuration, store: store, directory: directory, inbox: inbox,
                                           logger: logger)
        let metrics = CabinetMetrics()
        let uplinkStatus: (@Sendable () -> UplinkStatus)? = uplink.map { service in { @Sendable in service.status } }
        let temperatures: (@Sendable () -> [TemperatureReport])? = coldChain.map { service in { @Sendable in service.reports } }
        let console = configuration.isFullySimulated ? cabinet.map {
            simulatorConsole(cabinet: $0, inbox: inbox, configuration: configuration, clock: clock, manualClock: manualClock,
                             coldChain: coldChain)
        } : nil
        let service = MaintenanceService(
            inbox: inbox, store: store, configuration: configuration, metrics: metrics, clock: clock,
            stateDirectory: directory, recentLog: options.recentLog, uplinkStatus: uplinkStatus, simulator: console,
            inputDevices: hardware.inputRegistry, temperatures: temperatures, logger: logger)
        controller.onEvent = { event in
            var line = "event #\(event.sequence) \(event.kind)"
            if let id = event.compartmentID, configuration.compartments.indices.contains(id) {
                line += " \(configuration.compartments[id].label)"
            }
            output.line(line)
            metrics.record(event)
        }
        controller.afterEvents = {
            service.feed.publish()
            uplink?.wake()
        }
        let compactor = RecordCompactor(store: store, retentionDays: configuration.eventRetentionDays, logger: logger)
        controller.onCompactionDue = { compactor.due(retentionDays: $0) }
        let summarizer = DailySummarizer(store: store, cabinet: configuration.cabinetID, timeZone: configuration.reportTimeZone,
                                         logger: logger)
        controller.onDailySummaryDue = { summarizer.due() }
        controller.onWrongCode = { metrics.wrongCode() }
        // The kiosk's token is written before READY=1, so that the kiosk unit (ordered after
        // lockerd) always reads this start's, never the last one's.
        let kioskToken = configuration.kiosk.flatMap { writeKioskToken($0, options: options, logger: logger) }
        let kioskFeed = kioskToken.map { _ in KioskFeed() }
        if let kioskFeed { controller.onScreen = { kioskFeed.publish($0) } }
        controller.onUnlock = { metrics.unlockLatency($0) }
        logger.info("lockerd starting", metadata: [
            "state.directory": "\(directory.path)", "store.epoch": "\(epoch.epoch)", "store.epoch_first_sequence": "\(epoch.firstSequence)",
            "cabinet.compartments": "\(configuration.compartments.count)",
        ])

        // Each board driver's loop beats the watchdog after every round, answered or not.
        let loopNames = hardware.eventSources.map { ServiceSupervision.watchedLoopName(of: $0) }
        let heartbeats = loopNames.map { name -> @Sendable () -> Void in
            guard let name, let supervision else { return {} }
            return supervision.heartbeat(for: name)
        }
        let watchedLoops = loopNames.compactMap { $0 }
        let simulatedQueue = cabinet?.events
        if options.frontPanel, cabinet == nil {
            logger.warning("--front-panel acts on simulated boards and this cabinet has none: ignored")
        }
        let doorCount = configuration.compartments.count
        // Handed to the cabinet loop's service and used by nothing else from here on (every other
        // part reaches it through the inbox), so it is never touched from two tasks.
        nonisolated(unsafe) let loopController = controller

        // Started in this order and shut down gracefully in the reverse one (see README "Running
        // as a service"): systemd hears STOPPING first; the cabinet loop finishes the input in
        // hand and takes no more; then the front panel, the ticker, the sockets and the uplink
        // stop; the hardware's loops last, and the hardware itself is released at the very end.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        func add(_ service: DaemonService, endsTheDaemon: Bool = false) {
            services.append(.init(service: service, successTerminationBehavior: endsTheDaemon ? .gracefullyShutdownGroup : .ignore,
                                  failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: service.description))
        }
        add(.holding("hardware", teardown: {
            for relay in zoneHardware.relays { await relay.close() }
            await hardware.stop()
        }))
        for (source, heartbeat) in zip(hardware.eventSources, heartbeats) {
            add(DaemonService("board event loop \(source)", body: {
                await EventSourceSupervisor.run(source, delivering: inbox, heartbeat: heartbeat, logger: logger)
            }))
        }
        if let cabinet {
            // Finished, not cancelled, so that nothing waiting on the simulated hardware hangs.
            add(DaemonService("simulated hardware", body: { await cabinet.events.run(delivering: inbox) },
                              onGracefulShutdown: { cabinet.events.finish() }))
        }
        add(DaemonService("hotplug", body: { await hardware.hotplug.run() }))
        for input in hardware.inputs {
            add(DaemonService("input \(input)", body: { await input.run(delivering: inbox) }))
        }
        if let supervision {
            add(DaemonService("watchdog", body: {
                await supervision.runWatchdog(inbox: inbox, store: store, hardwareLoops: watchedLoops, simulatedEvents: simulatedQueue)
            }))
        }
        if let coldChain {
            // On the manual clock, time (and so sampling) moves with the front panel's wait.
            add(DaemonService("cold chain", body: { if manualClock == nil { await coldChain.run() } else { await coldChain.step() } },
                              teardown: { await coldChain.stop() }))
        }
        if let uplink {
            add(DaemonService("uplink", body: { await uplink.run() }, teardown: { await uplink.shutdown() }))
        }
        add(DaemonService("compaction", body: {
            await compactor.run(now: { clock.now() }, record: { plan in await inbox.perform { $0.recordCheckpoint(plan) } ?? nil })
        }))
        add(DaemonService("daily summary", body: {
            await summarizer.run(now: { clock.now() }, record: { date, payload, checkedThrough in
                await inbox.perform { $0.recordDailySummary(date: date, payload: payload, checkedThrough: checkedThrough) } ?? nil
            })
        }))
        add(DaemonService("maintenance socket", body: {
            let maintenance = await startMaintenance(options, service: service, metrics: metrics, logger: logger)
            try? await gracefulShutdown()
            for server in maintenance.servers { await server.stop() }
            await maintenance.metricsEndpoint?.stop()
        }, onGracefulShutdown: {}))
        if let kiosk = configuration.kiosk, let kioskFeed, let kioskToken {
            add(DaemonService("kiosk page", body: {
                let server = await startKiosk(kiosk, token: kioskToken, feed: kioskFeed, inbox: inbox, logger: logger)
                try? await gracefulShutdown()
                await server?.stop()
            }, onGracefulShutdown: {}))
        }
        add(DaemonService("gauges", body: {
            // Gauges (outbox depth, doors open, boards offline) are sampled, not pushed.
            while !Task.isCancelled {
                await service.refreshGauges()
                try? await Task.sleep(for: .seconds(15))
            }
        }))
        if manualClock == nil {
            add(DaemonService("ticker", body: {
                // Four ticks a second while something is under way (a code being typed, a door
                // open, an operation pending); at rest one a second while the display turns
                // pages, otherwise one every five (CabinetController.nextTickAfter).
                var pause = Duration.milliseconds(250)
                while !Task.isCancelled {
                    try? await Task.sleep(for: pause)
                    pause = await inbox.tick()
                }
            }))
        }
        if options.frontPanel, let cabinet {
            let panel = FrontPanel(cabinet: cabinet, inbox: inbox, configuration: configuration, clock: clock,
                                   manualClock: manualClock, output: output, coldChain: coldChain)
            let echo = !ProcessCalls.isTerminal(0)
            add(DaemonService("front panel", body: {
                output.line("lockerd: \(frontPanelBanner(configuration)). Type help for the commands.")
                if !echo { output.prompt() }
                for await line in standardInputLines() {
                    if echo { output.line("> \(line)") } else { output.promptAnswered() }
                    if await !panel.run(line: line) { break }
                    if !echo { output.prompt() }
                }
                // quit, or the end of standard input: the cabinet loop ends, and with it the daemon.
                inbox.finish()
            }))
        }
        add(DaemonService("cabinet loop", body: {
            supervision?.status("reconciling doors with their sensors")
            let serve = { await inbox.run(loopController) { supervision?.ready(status: "serving \(doorCount) doors") } }
            guard let loopThread else { return await serve() }
            defer { loopThread.stop() }
            await withTaskExecutorPreference(loopThread) {
                // On the thread, which asked for its priority before running anything.
                if let refusal = loopThread.priorityRefusal {
                    logger.notice("the cabinet loop runs at the normal priority (its unit's LimitNICE=-5 would allow nice -5)",
                                  metadata: ["error": "\(refusal)"])
                }
                await serve()
            }
        }, onGracefulShutdown: { inbox.finish() }), endsTheDaemon: true)
        add(DaemonService("systemd notifier", body: { try? await gracefulShutdown() }, onGracefulShutdown: {
            logger.notice("shutdown requested")
            supervision?.stopping()
        }))

        var group = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        // Well inside systemd's TimeoutStopSec=15s: a part that does not stop in time is cancelled,
        // and whatever still hangs after that is systemd's to kill.
        group.maximumGracefulShutdownDuration = Self.gracefulShutdownBound
        group.maximumCancellationDuration = Self.cancellationBound
        do {
            try await ServiceGroup(configuration: group).run()
        } catch {
            logger.error("a part of lockerd failed while stopping", metadata: ["error": "\(error)"])
        }
        logger.info("lockerd stopped")
    }

    /// Opens the store. A damaged database is never written over nor silently recreated: it is
    /// moved aside (with its WAL) for a person to recover what they can, a new one is created, and
    /// the caller raises the alarm and takes every door out of service (custody is unknown).
    /// An empty or missing database where the state directory shows earlier life is damage too:
    /// starting an empty cabinet there would hand out doors that still hold parcels.
    static func openStore(at path: String, directory: URL, logger: Logger) throws
        -> (CabinetStore, movedAside: (path: String, reason: String)?)
    {
        let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
        if size == nil || size == 0 {
            let signs = earlierLife(in: directory)
            if !signs.isEmpty {
                let what = size == nil ? "missing" : "empty (0 bytes)"
                let reason = "the database is \(what) while the state directory shows earlier life (\(signs.joined(separator: ", ")))"
                let aside = try CabinetStore.moveAside(path: path, at: Date())
                logger.critical("\(reason): starting with a new one and every door out of service",
                                metadata: ["store.path": "\(path)", "store.moved_to": "\(aside)"])
                return (try CabinetStore(path: path), (aside, reason))
            }
        }
        do {
            return (try CabinetStore(path: path), nil)
        } catch let error as StoreError where error.isCorruption {
            let aside = try CabinetStore.moveAside(path: path, at: Date())
            logger.critical("the database is damaged: moved aside, starting with a new one and every door out of service",
                            metadata: ["store.path": "\(path)", "store.moved_to": "\(aside)", "error": "\(error)"])
            return (try CabinetStore(path: path), (aside, "\(error)"))
        }
    }

    /// What in a state directory shows a cabinet ran here before (each made after the database).
    static func earlierLife(in directory: URL) -> [String] {
        let manager = FileManager.default
        return ["device.key", "lockerd.sqlite-wal", "lockerd.sqlite.identity", "simulated-cabinet.json", "uplink.ed25519"]
            .filter { name in
                let size = (try? manager.attributesOfItem(atPath: directory.appendingPathComponent(name).path))?[.size] as? Int
                return (size ?? 0) > 0
            }
    }

    /// The device key. A missing one is made anew only when no pickup code depends on it: with
    /// codes in custody lockerd refuses to start (every resident would be told "wrong code")
    /// unless the operator asked for the recovery, `--new-device-key`. Then the key is returned
    /// unwritten with `replacingLostKey` set; the caller records the invalidation, then installs it.
    static func deviceKey(in directory: URL, store: CabinetStore, newDeviceKey: Bool) throws -> (key: [UInt8], replacingLostKey: Bool) {
        let url = directory.appendingPathComponent("device.key")
        if let existing = try DeviceKey.existing(at: url) {
            if newDeviceKey {
                throw StartError(description: "--new-device-key replaces a lost key, and \(url.path) is present: start without it")
            }
            return (existing, false)
        }
        let codes = try store.snapshot().codeHashes.values.filter { !$0.hasPrefix(CustodyStateMachine.invalidatedCodePrefix) }
        if codes.isEmpty { return (try DeviceKey.create(at: url), false) }
        guard newDeviceKey else {
            throw StartError(description: """
                the device key \(url.path) is missing while \(codes.count) door(s) hold parcels whose pickup codes depend on it; \
                nothing was changed. Restore the key from a backup, or start once with --new-device-key to make a new one: \
                their codes are then recorded as codes.invalidated for the central server to issue new ones
                """)
        }
        return (DeviceKey.generate(), true)
    }

    /// The uplink when one is configured. Its signing key is created on first start; the public
    /// key is logged so it can be enrolled with the server.
    static func startUplink(configuration: CabinetConfiguration, store: CabinetStore, directory: URL, inbox: CabinetInbox,
                            logger: Logger) async throws -> UplinkService? {
        guard let settings = configuration.uplink else {
            logger.notice("no uplink configured: events stay in the outbox until one is")
            return nil
        }
        let key = try CabinetSigningKey.loadOrCreate(at: directory.appendingPathComponent("uplink.ed25519"),
                                                     cabinetID: configuration.cabinetID)
        logger.notice("uplink signing key", metadata: ["uplink.key_id": "\(key.keyID)", "uplink.public_key": "\(key.publicKeyBase64)"])
        let labels = configuration.compartments.map(\.label)
        // HTTPS by default; the same contract over an MQTT v5 broker with `uplink.mqtt`.
        let transport: any UplinkMessageTransport = settings.mqtt == nil
            ? RequestResponseMessageTransport(try HTTPSUplinkTransport(configuration: settings))
            : try MQTTUplinkTransport(configuration: settings, cabinetID: configuration.cabinetID, logger: logger,
                                      onSessionTakenOver: { [broker = settings.url] in
                                          Task { _ = await inbox.perform { $0.recordUplinkSessionTakenOver(broker: broker) } }
                                      })
        do {
            return try UplinkService(
                configuration: settings, cabinetID: configuration.cabinetID, store: store, messages: transport, key: key,
                doorLabel: { labels.indices.contains($0) ? labels[$0] : nil }, logger: logger,
                commandSink: { commands in
                    // On the cabinet loop, between two inputs, one after another.
                    for command in commands { _ = await inbox.perform { await $0.execute(command) } }
                },
                haltRecorder: { halt in
                    // On the cabinet loop too: the alarm joins the chain and the maintenance feed at once.
                    await inbox.perform { $0.recordUplinkHalt(halt) } ?? false
                })
        } catch {
            await transport.shutdown()
            throw error
        }
    }

    /// The maintenance socket and the optional metrics endpoint. Neither is needed to keep parcels
    /// safe, so a failure to start them is logged loudly and the cabinet serves its residents anyway.
    static func startMaintenance(
        _ options: Options, service: MaintenanceService, metrics: CabinetMetrics, logger: Logger
    ) async -> (servers: [MaintenanceServer], metricsEndpoint: MetricsHTTPEndpoint?) {
        let settings = options.configuration.maintenance
        let path = options.maintenanceSocketPath ?? settings.effectiveSocketPath(environment: ProcessInfo.processInfo.environment)
        let (policy, missingGroups) = MaintenanceAccessPolicy.resolve(settings)
        for group in missingGroups {
            logger.warning("maintenance group does not exist; only root and lockerd's own user are admitted for it",
                           metadata: ["group": "\(group)"])
        }
        var servers: [MaintenanceServer] = []
        var sockets = [(path: path, group: policy.fullGroupID, readOnly: false)]
        if settings.readOnlyGroup != nil {
            sockets.append((MaintenanceConfiguration.readOnlySocketPath(beside: path), policy.readOnlyGroupID, true))
        }
        for socket in sockets {
            do {
                servers.append(try await MaintenanceServer.start(
                    path: socket.path, socketGroupID: socket.group, policy: policy, readOnly: socket.readOnly,
                    maximumClients: settings.maximumClients, responder: service, logger: logger))
                logger.info("maintenance socket listening", metadata: ["socket.path": "\(socket.path)", "socket.read_only": "\(socket.readOnly)"])
            } catch {
                logger.error("maintenance socket unavailable; the cabinet runs without it", metadata: ["error": "\(error)"])
            }
        }
        var endpoint: MetricsHTTPEndpoint?
        if let listen = settings.metricsListen, let (host, port) = MaintenanceConfiguration.hostAndPort(listen) {
            do {
                endpoint = try await MetricsHTTPEndpoint.start(host: host, port: port, exposition: { metrics.exposition() })
                logger.info("metrics endpoint listening", metadata: ["metrics.listen": "\(host):\(endpoint?.port ?? port)"])
            } catch {
                logger.error("metrics endpoint unavailable", metadata: ["error": "\(error)"])
            }
        }
        return (servers, endpoint)
    }

    /// Draws this start's kiosk token and writes it for the kiosk unit; nil (logged) when it
    /// cannot be written: the kiosk is then not served, and the cabinet serves on without it.
    static func writeKioskToken(_ kiosk: KioskConfiguration, options: Options, logger: Logger) -> String? {
        let socketPath = options.maintenanceSocketPath
            ?? options.configuration.maintenance.effectiveSocketPath(environment: ProcessInfo.processInfo.environment)
        let path = kiosk.effectiveTokenPath(maintenanceSocketPath: socketPath)
        let token = KioskToken.generate()
        do {
            try KioskToken.write(token, to: path)
            return token
        } catch {
            logger.error("kiosk page unavailable; the cabinet runs without it", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// The touchscreen kiosk's server. Like the maintenance socket, it is not needed to keep
    /// parcels safe: a failure is logged loudly and the cabinet serves on.
    static func startKiosk(
        _ kiosk: KioskConfiguration, token: String, feed: KioskFeed, inbox: CabinetInbox, logger: Logger
    ) async -> KioskServer? {
        guard let (host, port) = MaintenanceConfiguration.hostAndPort(kiosk.listen) else { return nil }
        do {
            // Every key goes into the cabinet loop as a keypad's would: the same panel, the same lockout.
            let server = try await KioskServer.start(host: host, port: port, token: token, feed: feed,
                                                     pressKey: { await inbox.handle(.key($0)) })
            logger.info("kiosk page listening", metadata: ["kiosk.listen": "\(host):\(server.port)"])
            return server
        } catch {
            logger.error("kiosk page unavailable; the cabinet runs without it", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// What the front panel says it is in front of: "simulated cabinet with 30 doors" only when
    /// every board is simulated, else "cabinet with 5 doors on 2 boards".
    static func frontPanelBanner(_ configuration: CabinetConfiguration) -> String {
        func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
        let doors = counted(configuration.compartments.count, "door")
        if configuration.isFullySimulated { return "simulated cabinet with \(doors)" }
        return "cabinet with \(doors) on \(counted(configuration.boards.count, "board"))"
    }

    /// `lockerctl sim LINE`: one front-panel line, its output collected for the answer.
    static func simulatorConsole(
        cabinet: SimulatedCabinet, inbox: CabinetInbox, configuration: CabinetConfiguration, clock: any CabinetClock,
        manualClock: ManualCabinetClock?, coldChain: ColdChainService?
    ) -> MaintenanceService.SimulatorConsole {
        { line in
            let collected = RecentLogLines(capacity: 10_000)
            let panel = FrontPanel(cabinet: cabinet, inbox: inbox, configuration: configuration, clock: clock,
                                   manualClock: manualClock, output: FrontPanelOutput(sink: { collected.append($0) }), coldChain: coldChain)
            _ = await panel.run(line: line)
            return collected.lines()
        }
    }

    /// Standard input, line by line, read on its own thread (a blocking read must not hold one of
    /// the few cooperative threads).
    static func standardInputLines() -> AsyncStream<String> {
        AsyncStream { continuation in
            let thread = Thread {
                while let line = readLine(strippingNewline: true) { continuation.yield(line) }
                continuation.finish()
            }
            thread.start()
        }
    }
}
