/// A unified diff of two texts that `git apply` and `patch -p1` accept: hunks with three lines
/// of context, from a longest-common-subsequence walk (the files are config files, hundreds
/// of lines, so the quadratic table is small). Written here: no listed package makes diffs.
public enum LineDiff {
    public static func unified(old: String, new: String, path: String) -> String {
        let a = lines(old)
        let b = lines(new)
        guard a != b else { return "" }
        let edits = script(a.map(\.text), b.map(\.text))
        var out = "diff --git a/\(path) b/\(path)\n--- a/\(path)\n+++ b/\(path)\n"
        // Group edits into hunks: changes closer than 2×3 context lines share one.
        var index = 0
        while index < edits.count {
            guard let firstChange = edits[index...].firstIndex(where: { $0.kind != .same }) else { break }
            var last = firstChange
            var scan = firstChange
            while scan < edits.count {
                if edits[scan].kind != .same { last = scan }
                if scan - last > 6 { break }
                scan += 1
            }
            let start = max(0, firstChange - 3)
            let end = min(edits.count, last + 4)
            let slice = edits[start..<end]
            let oldStart = (slice.first { $0.kind != .insert }?.oldIndex ?? slice.first!.oldIndex) + 1
            let newStart = (slice.first { $0.kind != .delete }?.newIndex ?? slice.first!.newIndex) + 1
            let oldCount = slice.filter { $0.kind != .insert }.count
            let newCount = slice.filter { $0.kind != .delete }.count
            out += "@@ -\(oldCount == 0 ? oldStart - 1 : oldStart),\(oldCount) +\(newCount == 0 ? newStart - 1 : newStart),\(newCount) @@\n"
            for edit in slice {
                switch edit.kind {
                case .same: out += " " + a[edit.oldIndex].text + "\n" + (a[edit.oldIndex].newline ? "" : "\\ No newline at end of file\n")
                case .delete: out += "-" + a[edit.oldIndex].text + "\n" + (a[edit.oldIndex].newline ? "" : "\\ No newline at end of file\n")
                case .insert: out += "+" + b[edit.newIndex].text + "\n" + (b[edit.newIndex].newline ? "" : "\\ No newline at end of file\n")
                }
            }
            index = end
        }
        return out
    }

    struct Line: Equatable {
        var text: Substring
        var newline: Bool
    }

    static func lines(_ text: String) -> [Line] {
        var out = text.split(separator: "\n", omittingEmptySubsequences: false).map { Line(text: $0, newline: true) }
        if out.last?.text.isEmpty == true { out.removeLast() } else if !out.isEmpty { out[out.count - 1].newline = false }
        return out
    }

    struct Edit {
        enum Kind { case same, delete, insert }
        var kind: Kind
        var oldIndex: Int
        var newIndex: Int
    }

    static func script(_ a: [Substring], _ b: [Substring]) -> [Edit] {
        let n = a.count
        let m = b.count
        var table = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var edits: [Edit] = []
        var i = 0
        var j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] {
                edits.append(Edit(kind: .same, oldIndex: i, newIndex: j))
                i += 1
                j += 1
            } else if j < m, i == n || table[i][j + 1] >= table[i + 1][j] {
                edits.append(Edit(kind: .insert, oldIndex: i, newIndex: j))
                j += 1
            } else {
                edits.append(Edit(kind: .delete, oldIndex: i, newIndex: j))
                i += 1
            }
        }
        return edits
    }
}
