public import LockerHAL

/// The compartment lights of a cabinet whose boards have none (real boards do not drive them yet,
/// see README): every change is dropped rather than printed as the simulator's lights do.
public struct InertIndicatorLights: IndicatorLights {
    public init() {}

    public func set(board: Int, channel: Int, to pattern: LightPattern) async {}
}
