// What a chart draws: a line per run of measured buckets (a missing bucket is
// a gap, not a zero), the number of data points it carries, the threshold
// line, shaded breaching buckets, and tick labels the page's script relabels.

import Testing
@testable import SpateDashboard

@Suite struct SVGChartTests {
    let range = ChartRange(name: "1h", endingAtBucketOf: 1_796_380_200_000, bucketMs: 60_000, bucketCount: 60)

    func chart(_ values: [Double?], threshold: Double? = nil, marked: Set<Int> = []) -> String {
        SVGChart(range: range, series: [TimeSeries(name: "x", unit: .recordsPerSecond, values: values)],
                 threshold: threshold, markedBuckets: marked).render()
    }

    func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func aMissingBucketSplitsTheLine() {
        var values = [Double?](repeating: nil, count: 60)
        for index in 10..<20 { values[index] = Double(index) }
        for index in 30..<40 { values[index] = Double(index) }
        values[50] = 5
        let svg = chart(values)
        #expect(count("<polyline", in: svg) == 2)
        #expect(count("<circle", in: svg) == 1)
        #expect(svg.contains(#"data-points="21""#))
    }

    @Test func noDataDrawsAxesButNoLine() {
        let svg = chart(Array(repeating: nil, count: 60))
        #expect(!svg.contains("<polyline"))
        #expect(svg.contains(#"data-points="0""#))
        #expect(svg.contains(">0/s<"))
    }

    @Test func thresholdLineAndBreachesAreDrawn() {
        let svg = chart(Array(repeating: 3, count: 60), threshold: 10, marked: [58, 59])
        #expect(count(#"class="threshold""#, in: svg) == 1)
        #expect(count(#"class="mark""#, in: svg) == 2)
        // The scale reaches the threshold even though no value does.
        #expect(svg.contains(">10/s<"))
    }

    @Test func timeLabelsCarryTheirInstantForTheBrowserZone() {
        let svg = chart(Array(repeating: 1, count: 60))
        // The range is 09:31–10:31 (its last bucket holds now, 10:30): the first tick is 09:40.
        #expect(svg.contains(#"data-t="1796377200000" data-fmt="time">09:40<"#))
    }

    @Test func theLastBucketIsTheOneHoldingNow() {
        #expect(range.bucket(of: 1_796_380_200_000) == 59)
        #expect(range.bucket(of: range.toMs) == nil)
        #expect(range.bucket(of: range.fromMs) == 0)
        #expect(range.bucket(of: range.fromMs - 1) == nil)
        #expect(ChartRange(name: "7d", nowMs: 1_796_380_200_000)?.bucketMs == 7_200_000)
        #expect(ChartRange(name: "2h", nowMs: 0) == nil)
    }
}
