@testable import SpateSQL
import Testing

@Suite struct ExpressionTests {
    @Test func arithmeticPrecedenceAndAssociativity() throws {
        #expect(try expr("1 + 2 * 3") == bin(.add, int(1), bin(.multiply, int(2), int(3))))
        #expect(try expr("(1 + 2) * 3") == bin(.multiply, bin(.add, int(1), int(2)), int(3)))
        #expect(try expr("10 - 4 - 3") == bin(.subtract, bin(.subtract, int(10), int(4)), int(3)))
        #expect(try expr("a / b % c") == bin(.modulo, bin(.divide, col("a"), col("b")), col("c")))
        #expect(try expr("-a * b") == bin(.multiply, neg(col("a")), col("b")))
        #expect(try expr("a - -5") == bin(.subtract, col("a"), int(-5)))
        #expect(try expr("- -5") == neg(int(-5)))
    }

    @Test func booleanPrecedence() throws {
        #expect(try expr("a OR b AND c") == bin(.or, col("a"), bin(.and, col("b"), col("c"))))
        #expect(try expr("NOT a = 1 AND b") == bin(.and, not(bin(.equal, col("a"), int(1))), col("b")))
        #expect(try expr("a = 1 OR NOT b <> 2") == bin(.or, bin(.equal, col("a"), int(1)), not(bin(.notEqual, col("b"), int(2)))))
        #expect(try expr("x != y") == bin(.notEqual, col("x"), col("y")))
        #expect(try expr("a + 1 >= b * 2") == bin(.greaterEqual, bin(.add, col("a"), int(1)), bin(.multiply, col("b"), int(2))))
    }

    @Test func concatBindsTighterThanComparisonLooserThanPlus() throws {
        #expect(try expr("a || b = c") == bin(.equal, bin(.concat, col("a"), col("b")), col("c")))
        #expect(try expr("a || b + 1") == bin(.concat, col("a"), bin(.add, col("b"), int(1))))
    }

    @Test func predicates() throws {
        #expect(try expr("x IS NULL") == Expression(.isNull(col("x"), negated: false)))
        #expect(try expr("x IS NOT NULL AND y") == bin(.and, Expression(.isNull(col("x"), negated: true)), col("y")))
        #expect(try expr("x BETWEEN 1 AND 5 AND y") == bin(.and, Expression(.between(col("x"), low: int(1), high: int(5), negated: false)), col("y")))
        #expect(try expr("x NOT BETWEEN a + 1 AND b") == Expression(.between(col("x"), low: bin(.add, col("a"), int(1)), high: col("b"), negated: true)))
        #expect(try expr("c IN ('a', 'b')") == Expression(.inList(col("c"), [str("a"), str("b")], negated: false)))
        #expect(try expr("c NOT IN (1)") == Expression(.inList(col("c"), [int(1)], negated: true)))
        #expect(try expr("name LIKE 'a%'") == Expression(.like(col("name"), pattern: str("a%"), negated: false)))
        #expect(try expr("NOT name NOT LIKE 'a%'") == not(Expression(.like(col("name"), pattern: str("a%"), negated: true))))
    }

    @Test func literals() throws {
        #expect(try expr("TRUE") == bool(true))
        #expect(try expr("false") == bool(false))
        #expect(try expr("NULL") == Expression(.literal(.null)))
        #expect(try expr("'it''s'") == str("it's"))
        #expect(try expr("2.50") == dec(2.5))
        #expect(try expr("-9223372036854775808") == int(Int64.min))
        #expect(throws: SQLError.self) { try expr("9223372036854775808") }
        #expect(throws: SQLError.self) { try expr("1e999") }
    }

    @Test func caseCastInterval() throws {
        #expect(try expr("CASE WHEN a > 1 THEN 'big' ELSE 'small' END") == Expression(.caseWhen(CaseExpression(
            operand: nil, branches: [CaseBranch(condition: bin(.greater, col("a"), int(1)), result: str("big"))], elseResult: str("small")))))
        #expect(try expr("CASE x WHEN 1 THEN 'one' WHEN 2 THEN 'two' END") == Expression(.caseWhen(CaseExpression(
            operand: col("x"), branches: [CaseBranch(condition: int(1), result: str("one")), CaseBranch(condition: int(2), result: str("two"))], elseResult: nil))))
        #expect(try expr("CAST(amount AS BIGINT)") == Expression(.cast(col("amount"), SQLType(spelling: "BIGINT", kind: .bigint))))
        #expect(try expr("INTERVAL '90 seconds'") == Expression(.interval(SQLDuration(milliseconds: 90_000))))
        #expect(try expr("INTERVAL '1' HOUR") == Expression(.interval(SQLDuration(milliseconds: 3_600_000))))
        #expect(try expr("INTERVAL 5 MINUTES") == Expression(.interval(SQLDuration(milliseconds: 300_000))))
    }

    @Test func functionCalls() throws {
        #expect(try expr("COUNT(*)") == Expression(.function(FunctionCall(name: "COUNT", star: true))))
        #expect(try expr("now()") == call("now"))
        #expect(try expr("ROUND(AVG(x), 2)") == call("ROUND", call("AVG", col("x")), int(2)))
        #expect(try expr("LAST(x) OVER ()") == call("LAST", col("x"), over: []))
        #expect(try expr("Z(x) OVER (PARTITION BY a, b.c)") == call("Z", col("x"), over: [col("a"), col("b", "c")]))
    }

    @Test func pseudoColumnsAreIdentifiers() throws {
        #expect(try expr("WINDOW_START") == col("WINDOW_START"))
        #expect(try expr("window_end") == col("window_end"))
        #expect(try expr("anomaly AND score > 3") == bin(.and, col("anomaly"), bin(.greater, col("score"), int(3))))
    }

    @Test func heightIsTracked() throws {
        #expect(try expr("a").height == 1)
        #expect(try expr("a + b * c").height == 3)
        #expect(try expr("((a))").height == 1)
    }
}
