/// The try page and web sessions (docs/web.md).
public struct WebSettings: Codable, Sendable, Equatable {
    /// Serve the try page at `/try` (`/` leads there).
    public var page = true
    /// Who may get a short-lived session token from `POST /v1/web/session`: `demo` — anyone,
    /// for `customer` (the embedded default); `backend` — the shop's own back end, with a
    /// staff token of role `backend`, for the customer it names after its own login; `off`.
    public var sessions = "demo"
    /// The customer a demo session orders for.
    public var customer = "demo-customer"
    /// How long a session token may be used to open the connection.
    public var tokenSeconds = 300.0
    /// Where the page's files are.
    public var directory = "web"
    /// Live demo session tokens one client address may hold at once (on each node).
    public var tokensPerClient = 20
    /// Proxies (their addresses, as the server sees them) whose `X-Forwarded-For` names the
    /// client; from anyone else the header is ignored, as any client could send one.
    public var trustedProxies: [String] = []

    public static let sessionModes = ["demo", "backend", "off"]

    public init() {}

    /// Keys missing from the file keep their defaults.
    public init(from decoder: any Decoder) throws {
        let defaults = WebSettings()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        page = try container.decode(.page, default: defaults.page)
        sessions = try container.decode(.sessions, default: defaults.sessions)
        customer = try container.decode(.customer, default: defaults.customer)
        tokenSeconds = try container.decode(.tokenSeconds, default: defaults.tokenSeconds)
        directory = try container.decode(.directory, default: defaults.directory)
        tokensPerClient = try container.decode(.tokensPerClient, default: defaults.tokensPerClient)
        trustedProxies = try container.decode(.trustedProxies, default: defaults.trustedProxies)
    }
}
