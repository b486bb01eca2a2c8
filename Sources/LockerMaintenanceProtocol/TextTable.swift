/// A plain-text table with aligned columns, for terminals and for logs pasted into tickets:
/// no box drawing, two spaces between columns, no trailing blanks.
struct TextTable {
    enum Alignment {
        case left
        /// Counts and numbers, so their digits line up.
        case right
    }

    struct Column {
        var title: String
        var alignment: Alignment

        init(_ title: String, _ alignment: Alignment = .left) {
            self.title = title
            self.alignment = alignment
        }
    }

    private let columns: [Column]
    private var rows: [[String]] = []

    init(_ columns: [Column]) {
        self.columns = columns
    }

    var isEmpty: Bool { rows.isEmpty }

    /// Missing cells read as empty; extra cells are a programming error caught in debug builds.
    mutating func append(_ cells: [String]) {
        assert(cells.count <= columns.count, "a row has more cells than the table has columns")
        rows.append(cells + Array(repeating: "", count: max(0, columns.count - cells.count)))
    }

    /// The header and every row, each line prefixed with `indent`.
    func lines(indent: String = "") -> [String] {
        let all = [columns.map(\.title)] + rows
        let widths = columns.indices.map { index in all.map { $0[index].count }.max() ?? 0 }
        return all.map { cells in
            var line = indent
            for (index, cell) in cells.enumerated() {
                if index > 0 { line += "  " }
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                line += columns[index].alignment == .left ? cell + padding : padding + cell
            }
            return trimmingTrailingSpaces(line)
        }
    }

    private func trimmingTrailingSpaces(_ line: String) -> String {
        var line = line
        while line.last == " " { line.removeLast() }
        return line
    }
}
