/// The compartment chosen for a parcel.
public struct Assignment: Sendable, Equatable {
    /// Index into the assigner's slot table.
    public var slot: Int32
    /// The parcel joins the same recipient's parcels already in that compartment, rather than
    /// taking an empty one.
    public var isShared: Bool

    public init(slot: Int32, isShared: Bool) {
        self.slot = slot
        self.isShared = isShared
    }
}
