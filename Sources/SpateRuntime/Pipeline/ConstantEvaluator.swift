// Evaluates expressions that read no record — `SELECT 1 + 1`, the VALUES of an
// INSERT — through the same compiled evaluators as queries, over a one-row batch.

import SpateSQL

public enum ConstantEvaluator {
    /// The values of `expressions`, which must not refer to fields or groups.
    public static func evaluate(_ expressions: [BoundExpression], nowMs: @escaping () -> Int64) throws(RuntimeError) -> [Value] {
        let compiler = ExpressionCompiler(resolver: SlotResolver { _ in nil }, nowMs: nowMs)
        var values: [Value] = []
        for expression in expressions {
            do {
                let compiled = try compiler.compile(expression)
                compiled.evaluate(rows: 1)
                values.append(compiled.result.value(0))
            } catch {
                throw .internalError("\(expression) is not a constant: \(error)")
            }
        }
        return values
    }
}
