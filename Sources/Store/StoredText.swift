import Foundation

/// Text a person gives that is stored or hashed (an officer's reason or reference, a staff
/// member's name, a subject's id): refused when it holds a character that cannot be stored
/// exactly as it was hashed (NUL: SQLite cuts a text there, PostgreSQL refuses it), or that
/// changes how a terminal or a page shows what follows (other control characters, ESC and OSC
/// sequences among them; bidirectional overrides). Checked where the text enters the rules, so
/// the admin API and the CLI refuse it alike, on both backends.
public enum StoredText {
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var field: String
        public var scalar: Unicode.Scalar
        public var description: String {
            "\(field) contains the control character U+\(String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4)); it cannot be stored"
        }
    }

    /// The first character of `value` that is refused, if any.
    public static func refusedScalar(in value: String) -> Unicode.Scalar? {
        value.unicodeScalars.first(where: isRefused)
    }

    public static func check(_ value: String, field: String) throws(Invalid) {
        if let scalar = refusedScalar(in: value) { throw Invalid(field: field, scalar: scalar) }
    }

    /// C0 and C1 controls (tab and newline included: these fields are one line), and the
    /// bidirectional embedding, override and isolate characters.
    static func isRefused(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
    }

    /// `value` safe to print on a terminal: every refused character as `\u{…}` (text stored
    /// before it was checked, or written into the database by other means).
    public static func printable(_ value: String) -> String {
        var shown = ""
        for scalar in value.unicodeScalars {
            if isRefused(scalar) { shown += "\\u{\(String(scalar.value, radix: 16))}" } else { shown.unicodeScalars.append(scalar) }
        }
        return shown
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
