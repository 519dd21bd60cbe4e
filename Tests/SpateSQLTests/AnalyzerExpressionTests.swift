@testable import SpateSQL
import Testing

@Suite struct AnalyzerExpressionTests {
    @Test func numericPromotionAndIntegerDivision() throws {
        let plan = try planOf("SELECT amount + 1, 7 / 2, CAST(amount AS BIGINT) / 2, -amount FROM transactions")
        #expect(plan.outputs[0].expression == bound(.add, field(1, .double), constant(.double(1)), .double))
        #expect(plan.outputs[1].expression == constant(.bigint(3)))
        #expect(plan.outputs[2].expression == bound(.divide, BoundExpression(.cast(field(1, .double), .bigint), type: .bigint), constant(.bigint(2)), .bigint))
        #expect(plan.outputs[3].expression == BoundExpression(.negate(field(1, .double)), type: .double))
    }

    @Test func timeArithmeticAndTimeLiterals() throws {
        let plan = try planOf("SELECT timestamp - INTERVAL '1' HOUR AS before, NOW() - timestamp AS age FROM transactions UNTIL NOW WHERE timestamp >= '2024-04-30T00:00:00Z' AND timestamp < '1 hour ago'")
        let ts = field(0, .timestamp)
        #expect(plan.outputs[0].expression == bound(.subtract, ts, constant(.bigint(3_600_000)), .timestamp))
        #expect(plan.outputs[1].expression == bound(.subtract, constant(.timestamp(testNowMs)), ts, .bigint))
        #expect(plan.filter == bound(.and,
                                     bound(.greaterEqual, ts, constant(.timestamp(testNowMs - 86_400_000)), .boolean),
                                     bound(.less, ts, constant(.timestamp(testNowMs - 3_600_000)), .boolean), .boolean))
    }

    @Test func nowStaysACallInATailingQuery() throws {
        let plan = try planOf("SELECT NOW() AS at, amount FROM transactions")
        #expect(plan.outputs[0].expression == BoundExpression(.call(.now, []), type: .timestamp))
    }

    @Test func betweenInCaseAndIsNull() throws {
        let plan = try planOf("""
        SELECT CASE userId WHEN 'a' THEN 1 WHEN 'b' THEN 2.5 END AS c, amount NOT BETWEEN 1 AND 10, merchantId IN ('m1', 'm2'), amount IN (1, 2.5), userId IS NOT NULL
        FROM transactions
        """)
        let user = field(1, .string)
        let amount = field(2, .double)
        #expect(plan.outputs[0].expression == BoundExpression(.caseWhen([
            .init(condition: bound(.equal, user, constant(.string("a")), .boolean), result: constant(.double(1))),
            .init(condition: bound(.equal, user, constant(.string("b")), .boolean), result: constant(.double(2.5))),
        ], elseResult: nil), type: .double))
        #expect(plan.outputs[1].expression == bound(.or,
                                                    bound(.less, amount, constant(.double(1)), .boolean),
                                                    bound(.greater, amount, constant(.double(10)), .boolean), .boolean))
        #expect(plan.outputs[2].expression == BoundExpression(.inList(field(3, .string), [constant(.string("m1")), constant(.string("m2"))], negated: false), type: .boolean))
        #expect(plan.outputs[3].expression == BoundExpression(.inList(amount, [constant(.double(1)), constant(.double(2.5))], negated: false), type: .boolean))
        #expect(plan.outputs[4].expression == BoundExpression(.isNull(user, negated: true), type: .boolean))
    }

    @Test func constantFoldingIsThreeValuedAndSafe() throws {
        let plan = try planOf("SELECT NULL AND FALSE, NULL OR FALSE, 9223372036854775807 + 1, 1 / 0, NULL + 1, CASE WHEN 1 > 2 THEN 'x' ELSE 'y' END")
        #expect(plan.outputs[0].expression == constant(.boolean(false)))
        #expect(plan.outputs[1].expression == BoundExpression(.constant(.null), type: .boolean))
        // Overflow and division by zero are left to the runtime.
        #expect(plan.outputs[2].expression == bound(.add, constant(.bigint(.max)), constant(.bigint(1)), .bigint))
        #expect(plan.outputs[3].expression == bound(.divide, constant(.bigint(1)), constant(.bigint(0)), .bigint))
        #expect(plan.outputs[4].expression == BoundExpression(.constant(.null), type: .bigint))
        #expect(plan.outputs[5].expression == constant(.string("y")))
    }
}
