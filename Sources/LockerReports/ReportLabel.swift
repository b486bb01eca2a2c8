/// Every piece of wording a report's text, CSV or chart shows, by name. Wordings with figures in
/// them are templates whose `{name}` placeholders `ReportLabels.text(_:in:_:)` fills, so word
/// order stays each language's own. The JSON form has none of these: it stays language-neutral.
public enum ReportLabel: String, CaseIterable, Sendable {
    // Text: heading, verdict and chain.
    case title, span, passed, failed, chainIntact, chainFromFirst, chainFromCheckpoint, chainBroken, unknown
    case compacted, compactedOverlap
    // Words shared by the text's and the CSV's tables.
    case temperatureClass, inAtStart, deposits, pickups, retrievals, inAtEnd, tableAtEnd, balanced, balancedMark, doesNotBalance
    case differences, differenceLine, noEvents
    case perDay, date, hours, insideAtEnd, perHour, hour, perCarrier, carrier, perCourier, courier, notRecorded
    case dwellLine, overdueLine, inOneBatch, inBatches, securityLine, doorAlarmsLine, faultsLine, uplinkLine
    case occupancy, size, doors, peak, peakDay, atEnd
    case minutes, wholeHours, hoursAndMinutes
    // Temperature classes (the report's data names them in English: "ambient", ..., "all").
    case ambient, chilled, frozen, heated, all, unknownClass
    // CSV only.
    case yes, no, passedColumn, report, custody, cabinet, period, timeZone, from, to, hashChainIntact, eventsRehashed, firstBadEvent
    case checkpoint, compactedThroughEvent, coversUntil, depositsBefore, pickupsBefore, retrievalsBefore, eventsRemoved
    case periodStartsBeforeIt, reconciliation, difference, trackingNumber, tableStatus, problem, events, day, hourOfDay
    case figure, value, occupancySize, peakOccupied, occupiedAtEnd
    case dwellParcels, dwellP50Seconds, dwellP90Seconds, dwellMaxSeconds, overdueFlagged, overdueRetrieved, retrievedInBatches
    case batchRetrievals, overduePickedUpLate, overdueInsideAtEnd, keypadLockouts, wrongCodesInLockouts, courierLockouts
    case doorsForcedOpen, doorsLeftOpen, doorsOpenedUnseen, parcelsMissing, latchFailures, boardOutages, boardOutageSeconds
    case temperatureExcursions, probeFaults, uplinkAcknowledged, uplinkAcknowledgedUntimed, uplinkPending
    case uplinkDelayP50Seconds, uplinkDelayP90Seconds, uplinkDelayMaxSeconds
    // Chart only.
    case parcelsPerDay, parcelsPerHourOfDay, reconciled, reconciliationFailed
}
