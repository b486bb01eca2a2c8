/// The small display people read at the cabinet.
public protocol Display: Sendable {
    func show(_ text: String) async
}
