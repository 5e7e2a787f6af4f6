import Foundation

/// A small line chart of accuracy against SNR, as a self-contained SVG file.
public enum SVGPlot {
    public struct Point: Sendable {
        public var label: String
        public var snr: Double?
        public var accuracy: Double

        public init(label: String, snr: Double?, accuracy: Double) {
            self.label = label
            self.snr = snr
            self.accuracy = accuracy
        }
    }

    public static func accuracyChart(_ points: [Point], title: String) -> String {
        let width = 640.0, height = 400.0, left = 60.0, right = 20.0, top = 40.0, bottom = 50.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let step = points.count > 1 ? plotWidth / Double(points.count - 1) : 0
        func x(_ index: Int) -> Double { left + Double(index) * step }
        func y(_ accuracy: Double) -> Double { top + plotHeight * (1 - accuracy / 100) }
        var svg = [
            ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(width))" height="\##(Int(height))" font-family="sans-serif" font-size="12">"##,
            ##"<rect width="100%" height="100%" fill="white"/>"##,
            ##"<text x="\##(width / 2)" y="22" text-anchor="middle" font-size="15">\##(escape(title))</text>"##,
        ]
        for tick in stride(from: 0, through: 100, by: 20) {
            svg.append(##"<line x1="\##(left)" x2="\##(width - right)" y1="\##(y(Double(tick)))" y2="\##(y(Double(tick)))" stroke="#ddd"/>"##)
            svg.append(##"<text x="\##(left - 8)" y="\##(y(Double(tick)) + 4)" text-anchor="end">\##(tick)%</text>"##)
        }
        let path = points.indices.map { "\($0 == 0 ? "M" : "L")\(x($0)),\(y(points[$0].accuracy))" }.joined(separator: " ")
        svg.append(##"<path d="\##(path)" fill="none" stroke="#1f6feb" stroke-width="2"/>"##)
        for (index, point) in points.enumerated() {
            svg.append(##"<circle cx="\##(x(index))" cy="\##(y(point.accuracy))" r="4" fill="#1f6feb"/>"##)
            svg.append(##"<text x="\##(x(index))" y="\##(y(point.accuracy) - 10)" text-anchor="middle">\##(String(format: "%.1f", point.accuracy))</text>"##)
            svg.append(##"<text x="\##(x(index))" y="\##(height - bottom + 20)" text-anchor="middle">\##(escape(point.label))</text>"##)
        }
        svg.append(##"<text x="\##(width / 2)" y="\##(height - 10)" text-anchor="middle">SNR (dB)</text>"##)
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }
}
