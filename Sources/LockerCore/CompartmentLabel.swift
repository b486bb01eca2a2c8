/// Compartment labels as people and configurations write them: "a01" names the door "A01".
public enum CompartmentLabel {
    /// Whether two labels name the same door, case aside.
    ///
    /// Swift's own case mapping, not Foundation's `caseInsensitiveCompare`: that one goes through
    /// CoreFoundation's character-set bitmaps and ICU's case data, and the configuration's checks
    /// compare labels hundreds of times at start-up, which left those tables resident in the
    /// idle daemon. (Unlike Foundation, "ß" is not "SS" here; no cabinet labels a door so.)
    public static func same(_ first: String, _ second: String) -> Bool {
        first == second || first.lowercased() == second.lowercased()
    }
}
