import Foundation

/// A password for a PostgreSQL URL that names none, from a password file in libpq's format
/// (`hostname:port:database:username:password` a line, `*` for any, `\:` and `\\` escaped,
/// `#` comments): the file `PGPASSFILE` names, else `~/.pgpass`. So that no password need be
/// on a command line (`ps` shows it to everyone on the machine) or in the configuration file.
/// Like libpq, a file that others may read is not used: it is refused with its path.
enum PostgresPasswordFile {
    static func password(
        host: String, port: Int, database: String, user: String, environment: [String: String]
    ) throws(PostgresLocation.Invalid) -> String? {
        let path: String
        if let named = environment["PGPASSFILE"], !named.isEmpty {
            path = named
        } else if let home = environment["HOME"], !home.isEmpty {
            path = home + "/.pgpass"
        } else {
            return nil
        }
        // No file at the default path means no passwords; a named file that cannot be read is an error.
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            if environment["PGPASSFILE"] != nil { throw PostgresLocation.Invalid(description: "PGPASSFILE \(path) cannot be read") }
            return nil
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
        guard mode & 0o077 == 0 else {
            throw PostgresLocation.Invalid(description: "the password file \(path) may be read by others; chmod 600 it")
        }
        guard let text = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
            throw PostgresLocation.Invalid(description: "the password file \(path) cannot be read")
        }
        let wanted = [host, String(port), database, user]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = Self.fields(of: line)
            guard fields.count == 5 else { continue }
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// The colon-separated fields of a line, with `\:` and `\\` unescaped.
    static func fields(of line: Substring) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
