// Draws a chart as an SVG fragment: time axis (TimeTicks), value axis
// (ValueScale, labels with units), one polyline per run of consecutive values
// (a nil value ends the run: gaps stay visible), an optional threshold line,
// optional marked buckets (breaching datapoints, flagged points) shaded, and
// optional window buckets (an alarm's M-of-N windows that held) banded below.
// The SVG keeps its aspect ratio (text is never stretched) and fills the
// width of its container.
// Colours come from CSS classes (s0, s1, … threshold, mark), so the page's
// stylesheet gives light and dark mode; the SVG scales to its container's width.
// Every tick label carries its instant (data-t) for the script to relabel in
// the browser's time zone. Cost: O(buckets × series), one string.

/// An SVG chart of series over a range.
public struct SVGChart: Sendable {
    public var range: ChartRange
    public var series: [TimeSeries]
    public var threshold: Double?
    /// Buckets to shade (e.g. an alarm's breaching datapoints).
    public var markedBuckets: Set<Int> = []
    /// Buckets to band along the plot's foot (e.g. where an alarm's M-of-N rule held).
    public var windowBuckets: Set<Int> = []

    static let width = 640.0, height = 180.0
    static let left = 78.0, right = 22.0, top = 12.0, bottom = 26.0

    public init(range: ChartRange, series: [TimeSeries], threshold: Double? = nil, markedBuckets: Set<Int> = [],
                windowBuckets: Set<Int> = []) {
        self.range = range
        self.series = series
        self.threshold = threshold
        self.markedBuckets = markedBuckets
        self.windowBuckets = windowBuckets
    }

    public var scale: ValueScale {
        ValueScale(values: series.flatMap(\.values), including: threshold.map { [$0] } ?? [])
    }

    /// The x pixel of an instant.
    func x(_ instantMs: Int64) -> Double {
        Self.left + Double(instantMs - range.fromMs) / Double(range.toMs - range.fromMs) * (Self.width - Self.left - Self.right)
    }

    /// The x pixel of bucket `index`'s middle.
    func x(bucket index: Int) -> Double { x(range.fromMs + Int64(index) * range.bucketMs + range.bucketMs / 2) }

    public func render() -> String {
        let scale = self.scale
        let unit = series.first?.unit ?? .count
        let plotBottom = Self.height - Self.bottom
        let points = series.reduce(0) { $0 + $1.pointCount }
        var svg = #"<svg class="chart" viewBox="0 0 \#(Int(Self.width)) \#(Int(Self.height))" role="img" data-points="\#(points)">"#
        let bucketWidth = (Self.width - Self.left - Self.right) / Double(range.bucketCount)
        for index in windowBuckets.sorted() where index >= 0 && index < range.bucketCount {
            svg += #"<rect class="window" x="\#(fixed(x(bucket: index) - bucketWidth / 2))" y="\#(fixed(plotBottom - 5))" width="\#(fixed(bucketWidth))" height="5"><title>M of N breaching: the alarm's rule held</title></rect>"#
        }
        for index in markedBuckets.sorted() where index >= 0 && index < range.bucketCount {
            svg += #"<rect class="mark" x="\#(fixed(x(bucket: index) - bucketWidth / 2))" y="\#(Int(Self.top))" width="\#(fixed(bucketWidth))" height="\#(fixed(plotBottom - Self.top))"/>"#
        }
        for tick in scale.ticks {
            let y = fixed(scale.y(tick, top: Self.top, bottom: plotBottom))
            svg += #"<line class="grid" x1="\#(Int(Self.left))" x2="\#(Int(Self.width - Self.right))" y1="\#(y)" y2="\#(y)"/>"#
            svg += #"<text class="axis" x="\#(Int(Self.left) - 6)" y="\#(y)" text-anchor="end" dominant-baseline="middle">\#(HTML.escape(unit.axisLabel(tick)))</text>"#
        }
        let ticks = TimeTicks(fromMs: range.fromMs, toMs: range.toMs)
        for instant in ticks.instantsMs {
            let tickX = fixed(x(instant))
            svg += #"<line class="tick" x1="\#(tickX)" x2="\#(tickX)" y1="\#(fixed(plotBottom))" y2="\#(fixed(plotBottom + 4))"/>"#
            svg += #"<text class="axis" x="\#(tickX)" y="\#(Int(Self.height) - 6)" text-anchor="middle" data-t="\#(instant)" data-fmt="\#(ticks.labelsShowDate ? "date" : "time")">\#(ticks.utcLabel(instant))</text>"#
        }
        if let threshold {
            let y = fixed(scale.y(threshold, top: Self.top, bottom: plotBottom))
            svg += #"<line class="threshold" x1="\#(Int(Self.left))" x2="\#(Int(Self.width - Self.right))" y1="\#(y)" y2="\#(y)"><title>threshold \#(HTML.escape(unit.format(threshold)))</title></line>"#
        }
        for (seriesIndex, line) in series.enumerated() {
            for run in Self.runs(line.values) {
                let coordinates = run.map { index in
                    "\(fixed(x(bucket: index))),\(fixed(scale.y(line.values[index]!, top: Self.top, bottom: plotBottom)))"
                }
                if run.count == 1 {
                    let parts = coordinates[0].split(separator: ",")
                    svg += #"<circle class="s\#(seriesIndex % 4) dot" cx="\#(parts[0])" cy="\#(parts[1])" r="2"/>"#
                } else {
                    svg += #"<polyline class="s\#(seriesIndex % 4) line" points="\#(coordinates.joined(separator: " "))"/>"#
                }
            }
        }
        return svg + "</svg>"
    }

    /// The runs of consecutive non-nil values, as index lists.
    static func runs(_ values: [Double?]) -> [[Int]] {
        var runs: [[Int]] = [], current: [Int] = []
        for (index, value) in values.enumerated() {
            if let value, value.isFinite { current.append(index) } else if !current.isEmpty { runs.append(current); current = [] }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    func fixed(_ value: Double) -> String { ValueFormat.trimmed((value * 10).rounded() / 10) }
}
