/// What the excursion tracker tells the shell to record or announce.
public enum ExcursionEvent: Sendable, Equatable, Hashable {
    /// The grace has run out: the zone is in an excursion (which began at its `start`).
    case started(Excursion)
    /// The zone is back in band; the excursion has its `end`.
    case ended(Excursion)
}
