extension Metrics {
    /// Every counter the server exports, declared once: the raw value is its name on
    /// `/metrics`. A counter with a label always uses the same label key (`labelKey`).
    public enum Counter: String, CaseIterable, Sendable {
        case sessions = "talkshop_sessions_total"
        case phoneCalls = "talkshop_phone_calls_total"
        /// Phone bridges refused before the greeting, by reason (`unknown_token`, `not_a_phone_line`).
        case phoneLinesRefused = "talkshop_phone_lines_refused_total"
        case utterances = "talkshop_utterances_total"
        case audioSeconds = "talkshop_audio_seconds_total"
        /// Utterances decoded whole at their end instead of while spoken.
        case decodedAtEnd = "talkshop_decoded_at_end_total"
        /// Accepted utterances put to the near-miss verifier, and those it had no budget for.
        case nearMissChecks = "talkshop_near_miss_checks_total"
        case nearMissChecksSkipped = "talkshop_near_miss_checks_skipped_total"
        case intents = "talkshop_intents_total"
        case rejections = "talkshop_rejections_total"
        case errors = "talkshop_errors_total"
        case handovers = "talkshop_handovers_total"
        case bargeIns = "talkshop_barge_ins_total"
        case pinFailures = "talkshop_pin_failures_total"
        case orders = "talkshop_orders_total"
        case ordersRefused = "talkshop_orders_refused_total"
        case paymentFailures = "talkshop_payment_failures_total"
        /// Refunds of captured money the provider refused (each is retried by the order recovery).
        case refundFailures = "talkshop_refund_failures_total"
        case broadcastsDetected = "talkshop_broadcasts_detected_total"
        case broadcastSuppressedCustomers = "talkshop_broadcast_suppressed_customers_total"
        case connectionsClosed = "talkshop_connections_closed_total"
        case acceptPaused = "talkshop_accept_paused_total"
        /// Contacts ended, by what they came to (docs/analytics.md).
        case contacts = "talkshop_contacts_total"

        /// The label every sample of this counter carries, if any.
        public var labelKey: String? {
            switch self {
            case .rejections, .ordersRefused, .connectionsClosed, .phoneLinesRefused: "reason"
            case .contacts: "outcome"
            case .errors, .paymentFailures, .refundFailures: "code"
            default: nil
            }
        }

        /// The sample's name on `/metrics`: `talkshop_errors_total{code="bad_audio"}`.
        func sample(_ label: String?) -> String {
            guard let labelKey, let label else { return rawValue }
            return "\(rawValue){\(labelKey)=\"\(label)\"}"
        }
    }

    /// Every gauge the server exports, declared once.
    public enum Gauge: String, CaseIterable, Sendable {
        case sessionsOpen = "talkshop_sessions_open"
        case connectionsOpen = "talkshop_connections_open"
        case connectionsUnauthenticated = "talkshop_connections_unauthenticated"
    }
}
