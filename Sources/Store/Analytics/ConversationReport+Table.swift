import Foundation

extension ConversationReport {
    /// The report as the terminal shows it (`talkshop report`).
    public var table: String {
        var lines: [String] = []
        let days = ISO8601DateFormatter()
        days.formatOptions = [.withFullDate]
        lines.append("Conversations \(days.string(from: since)) → \(days.string(from: until)) (\(channel ?? "all channels")): "
            + "\(conversations) conversations in \(contacts) contacts\(rebuiltContacts > 0 ? ", \(rebuiltContacts) rebuilt from stored turns" : "")")
        lines.append("")
        lines.append("Outcome                    conversations  share")
        for outcome in ConversationOutcome.allCases {
            let count = outcomes[outcome.rawValue, default: 0]
            lines.append("  \(pad(outcome.rawValue, 24)) \(pad("\(count)", 13, right: true))  \(percent(Self.ratio(count, conversations)))")
        }
        lines.append("")
        lines.append("First-contact resolution   \(describe(firstContactResolution))   (of conversations that came for something)")
        lines.append("Hand-over rate             \(describe(handoverRate))")
        lines.append("Turns per conversation     \(String(format: "%.1f", turnsPerConversation))")
        lines.append("Median time to order       \(medianSecondsToOrder.map { String(format: "%.1f s", $0) } ?? "-")")
        lines.append("")
        lines.append("Channel     conversations  turns  rejections  rejection rate")
        for (name, figures) in channels.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(pad(name, 10)) \(pad("\(figures.conversations)", 13, right: true))  \(pad("\(figures.turns)", 5, right: true))"
                + "  \(pad("\(figures.rejections)", 10, right: true))  \(percent(figures.rejectionRate))")
        }
        lines.append("")
        lines.append("Confirmation funnel        " + funnel.enumerated().map { index, step in
            index == 0 ? "\(step.step) \(step.conversations)" : "\(step.step) \(step.conversations) (−\(step.dropOff))"
        }.joined(separator: " → "))
        lines.append("")
        lines.append("Question        asked  confirmed  declined  timed_out")
        for question in ContactCounts.Question.allCases {
            let answers = questions[question.rawValue, default: [:]]
            let cells = ContactCounts.Answer.allCases.map { answers[$0.rawValue, default: 0] }
            guard cells.contains(where: { $0 > 0 }) else { continue }
            lines.append("  \(pad(question.rawValue, 13)) " + zip(cells, [5, 9, 8, 9]).map { pad("\($0)", $1, right: true) }.joined(separator: "  "))
        }
        lines.append("")
        lines.append("Intents recognised         " + list(intents))
        lines.append("Rejections by state        " + rejections.sorted { $0.key < $1.key }.map { "\($0.key): \(list($0.value))" }.joined(separator: "; "))
        lines.append("Guard interventions        " + list(guardInterventions, keepZeros: true))
        return lines.joined(separator: "\n")
    }

    private func list(_ counts: [String: Int], keepZeros: Bool = false) -> String {
        let shown = counts.filter { keepZeros || $0.value > 0 }.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }
        return shown.isEmpty ? "-" : shown.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    private func describe(_ rate: Rate) -> String { "\(rate.count) of \(rate.of) (\(percent(rate.rate)))" }

    private func percent(_ value: Double) -> String { String(format: "%.0f%%", value * 100) }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return right ? padding + text : text + padding
    }
}
