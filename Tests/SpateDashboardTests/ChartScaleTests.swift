// The chart's axes: value scales that widen to round numbers and always show
// zero, time ticks on whole minutes/hours/days that a reader can read, and
// the number formats of axis labels.

import Testing
@testable import SpateDashboard

@Suite struct ValueScaleTests {
    @Test func widensToRoundNumbersAndKeepsZero() {
        let scale = ValueScale(values: [3, 17, nil, 42])
        #expect(scale.lower == 0)
        // 42 / 4 intervals = 10.5: the next nice step is 20.
        #expect(scale.upper == 60)
        #expect(scale.ticks == [0, 20, 40, 60])
    }

    @Test func stepsAreOneTwoTwoAndAHalfOrFiveTimesAPowerOfTen() {
        #expect(ValueScale(values: [0.37]).step == 0.1)
        #expect(ValueScale(values: [9]).step == 2.5)
        #expect(ValueScale(values: [1_800]).step == 500)
        #expect(ValueScale(values: [7_300_000]).step == 2_000_000)
    }

    @Test func emptyOrFlatSeriesGetsZeroToOne() {
        #expect(ValueScale(values: []).upper == 1)
        #expect(ValueScale(values: [nil, nil]).upper == 1)
        #expect(ValueScale(values: [0, 0]).lower == 0)
        #expect(ValueScale(values: [0, 0]).upper == 1)
    }

    @Test func negativeValuesAndTheThresholdAreInside() {
        let scale = ValueScale(values: [-3, 2], including: [8])
        #expect(scale.lower <= -3)
        #expect(scale.upper >= 8)
        #expect(scale.ticks.contains(0))
    }

    @Test func mapsUpperToTopAndLowerToBottom() {
        let scale = ValueScale(values: [100])
        #expect(scale.y(scale.upper, top: 10, bottom: 110) == 10)
        #expect(scale.y(scale.lower, top: 10, bottom: 110) == 110)
        #expect(scale.y(50, top: 10, bottom: 110) == 60)
    }
}

@Suite struct TimeTicksTests {
    let hourEnd: Int64 = 1_796_380_200_000  // 2026-12-04 10:30:00 UTC

    @Test func anHourGetsTicksEveryTenMinutesOnTheMinute() {
        let ticks = TimeTicks(fromMs: hourEnd - 3_600_000, toMs: hourEnd)
        #expect(ticks.stepMs == 600_000)
        #expect(ticks.instantsMs.count == 7)
        #expect(ticks.instantsMs.allSatisfy { $0 % 600_000 == 0 })
        #expect(ticks.instantsMs.map(ticks.utcLabel) == ["09:30", "09:40", "09:50", "10:00", "10:10", "10:20", "10:30"])
    }

    @Test func eachRangeOfThePagesGetsAtMostSixIntervalsOfALadderStep() {
        for (spanMs, stepMs) in [(6 * 3_600_000, 3_600_000), (24 * 3_600_000, 6 * 3_600_000), (7 * 86_400_000, 2 * 86_400_000)] as [(Int64, Int64)] {
            let ticks = TimeTicks(fromMs: hourEnd - spanMs, toMs: hourEnd)
            #expect(ticks.stepMs == stepMs, "span \(spanMs)")
            #expect(ticks.instantsMs.count <= 7)
            #expect(ticks.instantsMs.allSatisfy { $0 >= hourEnd - spanMs && $0 <= hourEnd && $0 % stepMs == 0 })
        }
    }

    @Test func daySpansAreLabelledWithTheDate() {
        let ticks = TimeTicks(fromMs: hourEnd - 7 * 86_400_000, toMs: hourEnd)
        #expect(ticks.labelsShowDate)
        #expect(ticks.utcLabel(1_796_342_400_000) == "Dec 4")
        #expect(TimeTicks.civilDate(daysSinceEpoch: 0) == (1970, 1, 1))
        #expect(TimeTicks.civilDate(daysSinceEpoch: 19_782) == (2024, 2, 29))
    }
}

@Suite struct ValueFormatTests {
    @Test func axisLabelsAreShortAndCarryTheirUnit() {
        #expect(ValueUnit.recordsPerSecond.format(1_500) == "1.5k records/s")
        #expect(ValueUnit.recordsPerSecond.axisLabel(1_500) == "1.5k/s")
        #expect(ValueUnit.bytesPerSecond.format(3 * 1_048_576) == "3 MiB/s")
        #expect(ValueUnit.milliseconds.format(850) == "850 ms")
        #expect(ValueUnit.milliseconds.format(150_000) == "2.5 min")
        #expect(ValueUnit.perMinute.format(2.5) == "2.5/min")
        #expect(ValueUnit.count.format(0.30000000000000004) == "0.3")
    }
}
