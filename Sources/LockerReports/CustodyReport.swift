public import FoundationEssentials

/// A report of one period: reconciliation first (does every parcel that came in either leave or
/// stay inside, as the record and the parcels table both say?), then the figures a station is run
/// by. A value: computed by `CustodyReportBuilder`, sent over the maintenance socket as JSON, and
/// rendered as text, CSV or an SVG chart.
public struct CustodyReport: Sendable, Codable, Equatable {
    public var cabinet: String
    public var period: ReportPeriod
    public var generatedAt: Date
    /// The hash chain of the whole record (which covers the period) was rehashed for this report.
    public var chain: ChainCheck
    public var reconciliation: Reconciliation
    public var days: [DayVolume]
    /// Index = local hour of day, 0...23, summed over the period's days.
    public var hourOfDay: [HourVolume]
    public var carriers: [PartyVolume]
    public var couriers: [PartyVolume]
    public var dwell: DwellTimes
    public var overdue: OverdueFigures
    public var security: SecurityFigures
    public var faults: FaultFigures
    public var uplink: UplinkDelay
    public var occupancy: [OccupancyLine]
    /// Set when the record was compacted (see `ReportCompaction`); optional in the JSON, so a
    /// report from a daemon that never compacted still decodes.
    public var compaction: ReportCompaction?

    /// The record is whole and every parcel is accounted for.
    public var passed: Bool { chain.intact && reconciliation.balanced && reconciliation.differences.isEmpty }

    public init(
        cabinet: String, period: ReportPeriod, generatedAt: Date, chain: ChainCheck, reconciliation: Reconciliation,
        days: [DayVolume], hourOfDay: [HourVolume], carriers: [PartyVolume], couriers: [PartyVolume], dwell: DwellTimes,
        overdue: OverdueFigures, security: SecurityFigures, faults: FaultFigures, uplink: UplinkDelay, occupancy: [OccupancyLine],
        compaction: ReportCompaction? = nil
    ) {
        self.cabinet = cabinet
        self.period = period
        self.generatedAt = generatedAt
        self.chain = chain
        self.reconciliation = reconciliation
        self.days = days
        self.hourOfDay = hourOfDay
        self.carriers = carriers
        self.couriers = couriers
        self.dwell = dwell
        self.overdue = overdue
        self.security = security
        self.faults = faults
        self.uplink = uplink
        self.occupancy = occupancy
        self.compaction = compaction
    }
}

extension CustodyReport {
    /// in at start + deposits = pickups + retrievals + in at end, per temperature class.
    public struct Reconciliation: Sendable, Codable, Equatable {
        public var classes: [ClassBalance]
        public var total: ClassBalance
        /// Every parcel the record and the parcels table disagree about, or whose record is not a
        /// deposit followed by at most one pickup or retrieval.
        public var differences: [ParcelDifference]

        public var balanced: Bool { classes.allSatisfy(\.balanced) && total.balanced }

        public init(classes: [ClassBalance], total: ClassBalance, differences: [ParcelDifference]) {
            self.classes = classes
            self.total = total
            self.differences = differences
        }
    }

    public struct ClassBalance: Sendable, Codable, Equatable {
        /// "ambient", "chilled", "frozen", "heated", "all" (or "unknown" for parcels the record
        /// gives no class: they have no deposit).
        public var temperatureClass: String
        public var inAtStart: Int
        public var deposits: Int
        public var pickups: Int
        public var retrievals: Int
        public var inAtEnd: Int
        /// What the parcels table says is inside at the end (its live rows when the period ends
        /// now or later; otherwise the rows deposited before the end and not ended by then).
        public var inAtEndPerTable: Int

        public var balanced: Bool {
            inAtStart + deposits == pickups + retrievals + inAtEnd && inAtEnd == inAtEndPerTable
        }

        public init(temperatureClass: String, inAtStart: Int = 0, deposits: Int = 0, pickups: Int = 0, retrievals: Int = 0,
                    inAtEnd: Int = 0, inAtEndPerTable: Int = 0) {
            self.temperatureClass = temperatureClass
            self.inAtStart = inAtStart
            self.deposits = deposits
            self.pickups = pickups
            self.retrievals = retrievals
            self.inAtEnd = inAtEnd
            self.inAtEndPerTable = inAtEndPerTable
        }
    }

    public struct ParcelDifference: Sendable, Codable, Equatable {
        public var parcelID: Int64
        public var trackingNumber: String?
        /// What is wrong, for a person.
        public var problem: String
        /// The parcels table's status ("no row" when it has none).
        public var tableStatus: String
        public var events: [EventLine]

        public init(parcelID: Int64, trackingNumber: String?, problem: String, tableStatus: String, events: [EventLine]) {
            self.parcelID = parcelID
            self.trackingNumber = trackingNumber
            self.problem = problem
            self.tableStatus = tableStatus
            self.events = events
        }
    }

    public struct EventLine: Sendable, Codable, Equatable {
        public var sequence: Int64
        public var kind: String
        public var occurredAt: Date

        public init(sequence: Int64, kind: String, occurredAt: Date) {
            self.sequence = sequence
            self.kind = kind
            self.occurredAt = occurredAt
        }
    }

    public struct DayVolume: Sendable, Codable, Equatable {
        /// "YYYY-MM-DD", local.
        public var date: String
        /// 24, or 23 / 25 on a DST change.
        public var hours: Int
        public var deposits: Int
        public var pickups: Int
        public var retrievals: Int
        /// Parcels inside at the day's end.
        public var inAtEnd: Int

        public init(date: String, hours: Int, deposits: Int = 0, pickups: Int = 0, retrievals: Int = 0, inAtEnd: Int = 0) {
            self.date = date
            self.hours = hours
            self.deposits = deposits
            self.pickups = pickups
            self.retrievals = retrievals
            self.inAtEnd = inAtEnd
        }
    }

    public struct HourVolume: Sendable, Codable, Equatable {
        public var hour: Int
        public var deposits: Int
        public var pickups: Int
        public var retrievals: Int

        public init(hour: Int, deposits: Int = 0, pickups: Int = 0, retrievals: Int = 0) {
            self.hour = hour
            self.deposits = deposits
            self.pickups = pickups
            self.retrievals = retrievals
        }
    }

    /// A carrier's or a courier's parcels in the period.
    public struct PartyVolume: Sendable, Codable, Equatable {
        /// The carrier or courier id ("" when the record has none: deposits from before carriers were kept).
        public var name: String
        public var deposits: Int
        /// Pickups of parcels this party deposited (carriers only; 0 for couriers).
        public var pickups: Int
        /// Carriers: retrievals of their parcels; couriers: retrievals they made.
        public var retrievals: Int

        public init(name: String, deposits: Int = 0, pickups: Int = 0, retrievals: Int = 0) {
            self.name = name
            self.deposits = deposits
            self.pickups = pickups
            self.retrievals = retrievals
        }
    }

    /// How long parcels that left custody in the period were inside (nearest-rank percentiles).
    public struct DwellTimes: Sendable, Codable, Equatable {
        public var count: Int
        public var p50Seconds: Double?
        public var p90Seconds: Double?
        public var maxSeconds: Double?

        public init(count: Int, p50Seconds: Double?, p90Seconds: Double?, maxSeconds: Double?) {
            self.count = count
            self.p50Seconds = p50Seconds
            self.p90Seconds = p90Seconds
            self.maxSeconds = maxSeconds
        }
    }

    public struct OverdueFigures: Sendable, Codable, Equatable {
        /// Parcels flagged overdue in the period.
        public var flagged: Int
        /// Overdue parcels a courier retrieved in the period.
        public var retrieved: Int
        /// Of all parcels retrieved in the period, those taken in a courier's batch retrieval
        /// (every overdue door at once), and how many batches that was.
        public var retrievedInBatches: Int
        public var batchRetrievals: Int
        /// Overdue parcels their recipient still picked up in the period.
        public var pickedUpLate: Int
        /// Overdue parcels still inside at the end.
        public var inAtEnd: Int

        public init(flagged: Int = 0, retrieved: Int = 0, retrievedInBatches: Int = 0, batchRetrievals: Int = 0, pickedUpLate: Int = 0,
                    inAtEnd: Int = 0) {
            self.flagged = flagged
            self.retrieved = retrieved
            self.retrievedInBatches = retrievedInBatches
            self.batchRetrievals = batchRetrievals
            self.pickedUpLate = pickedUpLate
            self.inAtEnd = inAtEnd
        }
    }

    /// Only lockouts are recorded (a wrong code below the limit is counted in the lockout guard,
    /// not in the record), so wrong codes here are those that ended in a lockout.
    public struct SecurityFigures: Sendable, Codable, Equatable {
        public var keypadLockouts: Int
        public var wrongCodesInLockouts: Int
        public var courierLockouts: Int

        public init(keypadLockouts: Int = 0, wrongCodesInLockouts: Int = 0, courierLockouts: Int = 0) {
            self.keypadLockouts = keypadLockouts
            self.wrongCodesInLockouts = wrongCodesInLockouts
            self.courierLockouts = courierLockouts
        }
    }

    public struct FaultFigures: Sendable, Codable, Equatable {
        public var doorsForcedOpen: Int
        public var doorsLeftOpen: Int
        public var doorsOpenedUnseen: Int
        public var parcelsMissing: Int
        public var latchFailures: Int
        public var boardOutages: Int
        /// Board outages' time within the period (an outage still going at the end counts to the end).
        public var boardOutageSeconds: Double
        public var temperatureExcursions: Int
        public var probeFaults: Int

        public init(doorsForcedOpen: Int = 0, doorsLeftOpen: Int = 0, doorsOpenedUnseen: Int = 0, parcelsMissing: Int = 0,
                    latchFailures: Int = 0, boardOutages: Int = 0, boardOutageSeconds: Double = 0, temperatureExcursions: Int = 0,
                    probeFaults: Int = 0) {
            self.doorsForcedOpen = doorsForcedOpen
            self.doorsLeftOpen = doorsLeftOpen
            self.doorsOpenedUnseen = doorsOpenedUnseen
            self.parcelsMissing = parcelsMissing
            self.latchFailures = latchFailures
            self.boardOutages = boardOutages
            self.boardOutageSeconds = boardOutageSeconds
            self.temperatureExcursions = temperatureExcursions
            self.probeFaults = probeFaults
        }
    }

    /// From an event's time to the server's acknowledgement of it, for the period's events.
    public struct UplinkDelay: Sendable, Codable, Equatable {
        public var acknowledged: Int
        /// Acknowledged before acknowledgement times were kept: no delay known.
        public var acknowledgedUntimed: Int
        public var pending: Int
        public var p50Seconds: Double?
        public var p90Seconds: Double?
        public var maxSeconds: Double?

        public init(acknowledged: Int = 0, acknowledgedUntimed: Int = 0, pending: Int = 0, p50Seconds: Double? = nil,
                    p90Seconds: Double? = nil, maxSeconds: Double? = nil) {
            self.acknowledged = acknowledged
            self.acknowledgedUntimed = acknowledgedUntimed
            self.pending = pending
            self.p50Seconds = p50Seconds
            self.p90Seconds = p90Seconds
            self.maxSeconds = maxSeconds
        }
    }

    /// Doors of one size and class: how many there are, and how many held parcels at their
    /// busiest day's end and at the period's end.
    public struct OccupancyLine: Sendable, Codable, Equatable {
        public var size: String
        public var temperatureClass: String
        public var doors: Int
        public var peakOccupied: Int
        public var peakDate: String?
        public var occupiedAtEnd: Int

        public init(size: String, temperatureClass: String, doors: Int, peakOccupied: Int = 0, peakDate: String? = nil,
                    occupiedAtEnd: Int = 0) {
            self.size = size
            self.temperatureClass = temperatureClass
            self.doors = doors
            self.peakOccupied = peakOccupied
            self.peakDate = peakDate
            self.occupiedAtEnd = occupiedAtEnd
        }
    }
}
