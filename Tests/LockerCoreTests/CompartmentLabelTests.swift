import LockerCore
import Testing

/// Labels match whatever their case, as `caseInsensitiveCompare` matched them, without Foundation.
@Suite struct CompartmentLabelTests {
    @Test(arguments: [
        ("A01", "A01", true), ("a01", "A01", true), ("B7", "b7", true), ("Kühl-1", "KÜHL-1", true),
        ("é2", "É2", true), ("A01", "A1", false), ("A01", "A01 ", false), ("", "", true), ("C", "", false),
    ])
    func labelsMatchWhateverTheirCase(first: String, second: String, same: Bool) {
        #expect(CompartmentLabel.same(first, second) == same, "\(first) and \(second)")
        #expect(CompartmentLabel.same(second, first) == same, "\(second) and \(first)")
    }
}
