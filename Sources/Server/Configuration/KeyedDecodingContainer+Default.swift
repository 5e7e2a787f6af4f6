extension KeyedDecodingContainer {
    /// The value for `key`, or `fallback` when the key is missing: configuration files list
    /// only what they change.
    func decode<T: Decodable>(_ key: Key, default fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }
}
