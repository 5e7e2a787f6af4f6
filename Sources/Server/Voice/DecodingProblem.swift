import Foundation

/// Says what is wrong with a JSON message that did not decode, in the wire's own words
/// (snake_case field names): for the `bad_message` error, the phone bridges and the admin API.
enum DecodingProblem {
    static func describe(_ error: any Error, in data: Data) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing field '\(path(context.codingPath + [key]))'"
        case DecodingError.typeMismatch(let type, let context):
            return "'\(path(context.codingPath))' must be \(kind(type))"
        case DecodingError.valueNotFound(let type, let context):
            return "'\(path(context.codingPath))' must be \(kind(type)), not null"
        case DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty:
            return "invalid value at '\(path(context.codingPath))'"
        case DecodingError.dataCorrupted:
            return unreadable(data)
        default:
            return "\(error)"
        }
    }

    /// Foundation on Linux reports a number that does not fit its field (16000.5 for a whole
    /// number, or one too large) as "not valid JSON", with no path: find the field here.
    private static func unreadable(_ data: Data) -> String {
        guard let parsed = try? JSONSerialization.jsonObject(with: data) else { return "not JSON" }
        guard let fields = parsed as? [String: Any] else { return "not a JSON object" }
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            guard let number = value as? NSNumber, !(value is Bool) else { continue }
            let double = number.doubleValue
            if double.rounded() != double || abs(double) > 9.0e15 { return "'\(key)' must be a whole number, not \(number)" }
        }
        return "a field's value does not fit its type"
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { key in key.intValue.map(String.init) ?? snakeCase(key.stringValue) }.joined(separator: ".")
    }

    private static func snakeCase(_ name: String) -> String {
        name.reduce(into: "") { result, character in
            if character.isUppercase { result += "_" + character.lowercased() } else { result.append(character) }
        }
    }

    private static func kind(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type: "a whole number"
        case is Double.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        default: "\(type)"
        }
    }
}
