// RandomCutTree: one tree of a random cut forest (Guha, Mishra, Roy, Schrijvers,
// "Robust Random Cut Forest Based Anomaly Detection on Streams", ICML 2016),
// with its own time-decayed reservoir sample of the stream.
//
// Tree. Every internal node holds a cut (dimension, value) and the bounding box
// of the points below it; a point goes left when point[dimension] ≤ value.
// Cuts are random: a dimension is chosen with probability proportional to the
// box's extent in it, and the value uniformly within that extent.
// - Insert (the paper's top-down algorithm): at a node with box B, draw a cut of
//   B ∪ {p}; if it separates p from B, a new node with that cut takes the place
//   of the node, with p's new leaf on one side and the node on the other;
//   otherwise B grows to include p and p moves down by the node's own cut. A
//   point equal to a leaf's point raises the leaf's mass instead.
// - Delete: a leaf of mass 1 is removed, its sibling takes its parent's place,
//   and the boxes above are recomputed from their children until one does not
//   change (boxes only shrink; a box the point was strictly inside cannot). Both keep the tree distributed exactly as if it
//   had been built from scratch on the current sample (the paper's Theorem 3).
// - Score: the AWS "anomaly score" (random-cut-forest-by-aws, AnomalyScoreVisitor
//   and CommonUtils): follow p's path to a leaf at depth d; start with
//   1 / (d + 1) — or, when p equals the leaf's point of mass m,
//   (1 − m / 2N) / (d + log2(m + 1)); then for each ancestor at depth k, with
//   q the probability that a random cut of its box ∪ {p} separates p,
//   s = q / (k + 1) + (1 − q) · s, stopping when q = 0 (p is inside the box, and
//   so inside every box above). The result is multiplied by log2(N + 1) (N: the
//   sample size): an expected displacement normalized so that ordinary points
//   score about 1 and isolated points several times more.
//
// Sample. A weighted reservoir with exponential time decay (AWS CompactSampler):
// point t gets the key −λ·t + log(−log u), u uniform in (0, 1); the tree keeps
// the `capacity` points of smallest key (a max-heap), so a point of age a is
// kept with relative weight e^(−λa). λ = 0 is a plain uniform reservoir.
//
// Layout (the hot path allocates nothing): nodes and leaves live in fixed
// arrays addressed by Int32; a child reference c ≥ 0 is node c and c < 0 is leaf
// −c − 1. Internal nodes: a 24-byte record (left, right, parent, cut dimension,
// cut value; left and right read as one word) and the box (min then max,
// `dimensions` doubles each; the array is 64-byte aligned, so a box of
// dimension 4 is one cache line). Leaves: parent, mass, point.
// Dimensions 1 and 4 (one input; one input shingled by 4) get specialized code
// for the walks (TreeDimension), the general code serves the others.
// At most `capacity` leaves and `capacity − 1` nodes exist at once; free slots
// are kept on two stacks. Unsafe pointers because a step is a handful of loads
// and compares and the forest does ~50 × 2 × depth of them per point; one
// 24-byte node record so that the chain of a walk down is one cache line per
// level. The scoring walk down also reads each node's box (a second line, off
// that chain: nothing on the way down waits for it) and leaves each level's
// extent and growth in the forest's path buffer (two doubles a level), so the
// walk up reads no box and divides only on the levels it uses (about 3 of 11).
//
// Invariants: every node's box is exactly the bounding box of the leaves below
// it; the heap holds `sampleCount` entries, each referring to a live leaf, and a
// leaf's mass is the number of heap entries referring to it.
//
// Memory: capacity × (24 + 16·dimensions) bytes of nodes, capacity × (8 + 8·dimensions)
// of leaves, capacity × 28 of heap, free stacks and depth reciprocals — about
// 38 KiB for 256 samples of dimension 4. Checkpoint: see `write(to:)`; boxes
// are recomputed on restore (min and max are exact, so they are identical).

/// A tree's dimension as a type, so that generic code specialized for a fixed
/// one (one input; one input shingled by 4) has it as a constant: its
/// per-dimension loops unroll into straight-line code — the same operations in
/// the same order, so the same results. `AnyDimension` takes the tree's.
protocol TreeDimension {
    /// The dimension, given the tree's (which it equals when fixed).
    static func count(_ dimensions: Int) -> Int
}

enum Dimension1: TreeDimension {
    @inline(__always) static func count(_ dimensions: Int) -> Int { 1 }
}

enum Dimension4: TreeDimension {
    @inline(__always) static func count(_ dimensions: Int) -> Int { 4 }
}

enum AnyDimension: TreeDimension {
    @inline(__always) static func count(_ dimensions: Int) -> Int { dimensions }
}

/// One random cut tree and its reservoir.
final class RandomCutTree {
    static let none = Int32.min

    let dimensions: Int
    let capacity: Int

    /// One node's links and cut together: a step down the tree reads one cache line.
    struct Node {
        /// left in the low half, right in the high half (the layout of two Int32s
        /// on a little-endian machine): `child(goesLeft:)` loads both at once.
        private var children: UInt64
        var parent: Int32
        var cutDimension: Int32
        var cutValue: Double

        init(left: Int32, right: Int32, parent: Int32, cutDimension: Int32, cutValue: Double) {
            children = UInt64(UInt32(bitPattern: left)) | UInt64(UInt32(bitPattern: right)) << 32
            self.parent = parent
            self.cutDimension = cutDimension
            self.cutValue = cutValue
        }

        var left: Int32 {
            get { Int32(truncatingIfNeeded: children) }
            set { children = children & 0xFFFF_FFFF_0000_0000 | UInt64(UInt32(bitPattern: newValue)) }
        }

        var right: Int32 {
            get { Int32(truncatingIfNeeded: children >> 32) }
            set { children = children & 0xFFFF_FFFF | UInt64(UInt32(bitPattern: newValue)) << 32 }
        }

        /// The child on `point`'s side of the cut. Both children come from one
        /// load issued with the cut's, and a shift picks one: choosing the
        /// address and then loading (what `x ? left : right` compiles to) puts a
        /// second load on the walk's chain of dependent latencies.
        @inline(__always) func child(_ point: UnsafePointer<Double>) -> Int32 {
            let shift: UInt64 = point[Int(cutDimension)] <= cutValue ? 0 : 32
            return Int32(truncatingIfNeeded: children >> shift)
        }
    }

    let nodes: UnsafeMutablePointer<Node>
    /// log2(capacity + 1), the score normalizer of a full sample.
    private let fullMassFactor: Double
    /// 1 / (k + 1) for every depth k a path can have.
    private let reciprocals: UnsafeMutablePointer<Double>
    /// Per node: `dimensions` minimums then `dimensions` maximums (adjacent, for the scoring walk up).
    private let boxes: UnsafeMutablePointer<Double>
    private let leafParent: UnsafeMutablePointer<Int32>
    private let leafMass: UnsafeMutablePointer<Int32>
    private let leafPoint: UnsafeMutablePointer<Double>
    private let freeNodes: UnsafeMutablePointer<Int32>
    private var freeNodeCount: Int
    private let freeLeaves: UnsafeMutablePointer<Int32>
    private var freeLeafCount: Int
    /// Max-heap of reservoir keys and the leaf each sampled point lives in.
    private let heapWeight: UnsafeMutablePointer<Double>
    private let heapLeaf: UnsafeMutablePointer<Int32>
    private(set) var sampleCount = 0
    private(set) var root = RandomCutTree.none
    private(set) var random: DetectorRandom

    static func stateBytes(capacity: Int, dimensions: Int) -> Int {
        capacity * (24 + 16 * dimensions) + capacity * (8 + 8 * dimensions) + capacity * 28 + 128
    }

    init(capacity: Int, dimensions: Int, seed: UInt64) {
        precondition(capacity >= 2 && dimensions >= 1, "a tree needs room for two points of one dimension")
        self.capacity = capacity
        self.dimensions = dimensions
        fullMassFactor = log2(Double(capacity) + 1)
        reciprocals = .allocate(capacity: capacity)
        for depth in 0..<capacity { (reciprocals + depth).initialize(to: 1 / (Double(depth) + 1)) }
        random = DetectorRandom(seed: seed)
        nodes = .allocate(capacity: capacity)
        nodes.initialize(repeating: Node(left: 0, right: 0, parent: 0, cutDimension: 0, cutValue: 0), count: capacity)
        // Cache-line aligned: a box of dimension 4 (64 bytes) is then one line, not two, on the walk up.
        boxes = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2 * dimensions * MemoryLayout<Double>.stride, alignment: 64)
            .bindMemory(to: Double.self, capacity: capacity * 2 * dimensions)
        boxes.initialize(repeating: 0, count: capacity * 2 * dimensions)
        leafParent = .allocate(capacity: capacity)
        leafMass = .allocate(capacity: capacity)
        leafPoint = .allocate(capacity: capacity * dimensions)
        freeNodes = .allocate(capacity: capacity)
        freeLeaves = .allocate(capacity: capacity)
        heapWeight = .allocate(capacity: capacity)
        heapLeaf = .allocate(capacity: capacity)
        for pointer in [leafParent, leafMass, heapLeaf] { pointer.initialize(repeating: 0, count: capacity) }
        heapWeight.initialize(repeating: 0, count: capacity)
        leafPoint.initialize(repeating: 0, count: capacity * dimensions)
        // Pop order 0, 1, 2, ...: low slots are used first.
        for index in 0..<capacity {
            freeNodes[index] = Int32(capacity - 1 - index)
            freeLeaves[index] = Int32(capacity - 1 - index)
        }
        freeNodeCount = capacity
        freeLeafCount = capacity
    }

    deinit {
        nodes.deallocate()
        reciprocals.deallocate()
        for pointer in [leafParent, leafMass, freeNodes, freeLeaves, heapLeaf] { pointer.deallocate() }
        for pointer in [boxes, leafPoint, heapWeight] { pointer.deallocate() }
    }

    // MARK: Sampling

    /// Offers point number `sequence` to the reservoir; inserts it into the tree when kept.
    @inline(__always)
    func offer(_ point: UnsafePointer<Double>, sequence: UInt64, timeDecay: Double) {
        let u = random.nextOpenUnit()
        if sampleCount < capacity {
            let leaf = insert(point)
            heapWeight[sampleCount] = Self.weight(u, sequence: sequence, timeDecay: timeDecay)
            heapLeaf[sampleCount] = leaf
            sampleCount += 1
            siftUp(sampleCount - 1)
            return
        }
        // A full reservoir rejects most offers (about 90 % with the default
        // decay); the bound below rejects them without the two logarithms.
        if sequence > rejectBoundThrough || timeDecay != rejectBoundDecay { refreshRejectBound(sequence: sequence, timeDecay: timeDecay) }
        if u < rejectBelow { return }
        let weight = Self.weight(u, sequence: sequence, timeDecay: timeDecay)
        if weight < heapWeight[0] {
            delete(heapLeaf[0])
            heapLeaf[0] = insert(point)
            heapWeight[0] = weight
            siftDown(0)
            invalidateRejectBound()
        }
    }

    /// The reservoir key of point `sequence` drawn with uniform `u`: smaller keys are kept.
    @inline(__always)
    static func weight(_ u: Double, sequence: UInt64, timeDecay: Double) -> Double {
        -timeDecay * Double(sequence) + log(-log(u))
    }

    /// A full reservoir keeps an offer iff its key is below the heap top w₀:
    /// −λ·t + log(−log u) < w₀ ⇔ u > exp(−exp(w₀ + λ·t)) (the key falls as u
    /// grows). `rejectBelow` is that bound taken at sequence `rejectBoundThrough`
    /// (a little ahead: the bound falls as t grows, so it holds for every t up
    /// to there) and moved down by a margin far larger than the rounding of
    /// either side, so every u below it is rejected by the exact formula too and
    /// the decisions — hence the trees and scores — are exactly those of always
    /// computing the key. Offers at or above it take the exact formula. It is
    /// derived state (not checkpointed): invalid after any change of the heap top.
    private var rejectBelow = 0.0
    private var rejectBoundThrough: UInt64 = 0
    private var rejectBoundDecay = 0.0

    private func invalidateRejectBound() {
        rejectBelow = 0
        rejectBoundThrough = 0
    }

    private func refreshRejectBound(sequence: UInt64, timeDecay: Double) {
        // Good for as many offers as move λ·t by 1/64 (the bound loosens slowly), at most 2^16.
        let span = timeDecay > 0 ? min(65_536, max(1, (1 / (64 * timeDecay)).rounded(.down))) : 65_536
        rejectBoundThrough = sequence + UInt64(span)
        rejectBelow = Self.rejectBound(top: heapWeight[0], through: rejectBoundThrough, timeDecay: timeDecay)
        rejectBoundDecay = timeDecay
    }

    /// A u below which the key of every offer up to sequence `through` is ≥ `top`.
    static func rejectBound(top: Double, through: UInt64, timeDecay: Double) -> Double {
        let shift = timeDecay * Double(through)
        // The key's roundings, and those of this bound's exponent, are within a few 2^−53
        // (≈ 1.1e-16) of the magnitudes involved — |top|, λ·t and |log(−log u)| ≤ 38 for u in
        // [2^−54, 1 − 2^−54] — so a margin of 1e-12 of them is thousands of times the error;
        // the factor covers the last roundings of the two exponentials when exp(…) is tiny.
        let margin = 1e-12 * (40 + abs(top) + shift)
        return exp(-exp(top + shift + margin)) * (1 - 1e-12)
    }

    private func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heapWeight[parent] < heapWeight[child] else { return }
            swapHeap(parent, child)
            child = parent
        }
    }

    private func siftDown(_ start: Int) {
        var parent = start
        while true {
            let first = 2 * parent + 1
            guard first < sampleCount else { return }
            var largest = first
            if first + 1 < sampleCount, heapWeight[first + 1] > heapWeight[first] { largest = first + 1 }
            guard heapWeight[largest] > heapWeight[parent] else { return }
            swapHeap(parent, largest)
            parent = largest
        }
    }

    @inline(__always) private func swapHeap(_ a: Int, _ b: Int) {
        (heapWeight[a], heapWeight[b]) = (heapWeight[b], heapWeight[a])
        (heapLeaf[a], heapLeaf[b]) = (heapLeaf[b], heapLeaf[a])
    }

    // MARK: Tree

    @inline(__always) private static func leafCode(_ leaf: Int32) -> Int32 { -leaf - 1 }
    @inline(__always) private static func leafIndex(_ code: Int32) -> Int { Int(-(code + 1)) }

    @inline(__always) private func minimum(of code: Int32) -> UnsafeMutablePointer<Double> {
        code < 0 ? leafPoint + Self.leafIndex(code) * dimensions : boxes + Int(code) * 2 * dimensions
    }

    @inline(__always) private func maximum(of code: Int32) -> UnsafeMutablePointer<Double> {
        code < 0 ? leafPoint + Self.leafIndex(code) * dimensions : boxes + (Int(code) * 2 + 1) * dimensions
    }

    @inline(__always) private func setParent(of code: Int32, to parent: Int32) {
        if code < 0 { leafParent[Self.leafIndex(code)] = parent } else { nodes[Int(code)].parent = parent }
    }

    @inline(__always) private func replaceChild(of parent: Int32, _ old: Int32, with new: Int32) {
        if parent == Self.none {
            root = new
        } else if nodes[Int(parent)].left == old {
            nodes[Int(parent)].left = new
        } else {
            nodes[Int(parent)].right = new
        }
    }

    private func newLeaf(_ point: UnsafePointer<Double>, parent: Int32) -> Int32 {
        precondition(freeLeafCount > 0, "a tree holds at most capacity leaves")
        freeLeafCount -= 1
        let leaf = freeLeaves[freeLeafCount]
        leafParent[Int(leaf)] = parent
        leafMass[Int(leaf)] = 1
        (leafPoint + Int(leaf) * dimensions).update(from: point, count: dimensions)
        return leaf
    }

    /// Inserts `point`; returns the leaf that holds it.
    private func insert(_ point: UnsafePointer<Double>) -> Int32 {
        switch dimensions {
        case 1: return insert(point, Dimension1.self)
        case 4: return insert(point, Dimension4.self)
        default: return insert(point, AnyDimension.self)
        }
    }

    private func insert<D: TreeDimension>(_ point: UnsafePointer<Double>, _: D.Type) -> Int32 {
        if root == Self.none {
            let leaf = newLeaf(point, parent: Self.none)
            root = Self.leafCode(leaf)
            return leaf
        }
        let d = D.count(dimensions)
        var code = root
        var parent = Self.none
        while true {
            let low = minimum(of: code), high = maximum(of: code)
            if code < 0, Self.equal(low, point, d) {
                leafMass[Self.leafIndex(code)] += 1
                return Int32(Self.leafIndex(code))
            }
            // The extent of box ∪ {point}, and whether point is inside the box.
            var total = 0.0, isInside: Bool
            if code >= 0 {
                let separation = Self.separation(low, point, d, D.self)
                total = separation.range
                isInside = separation.isInside
            } else {
                isInside = false  // a leaf here holds another point (an equal one returned above)
                for i in 0..<d { total += max(high[i], point[i]) - min(low[i], point[i]) }
            }
            let offset = total * random.nextUnit()
            if isInside {
                // No cut can separate a point inside the box, and the box does
                // not grow: what the code below would do, without choosing the
                // cut (the draw above is still made, so the sequence is the same).
                parent = code
                code = nodes[Int(code)].child(point)
                continue
            }
            let (dimension, cut) = chooseCut(low, high, point, offset: offset, D.self)
            let separates = (point[dimension] < low[dimension] && cut < low[dimension])
                || (point[dimension] > high[dimension] && cut >= high[dimension])
            if separates || code < 0 {
                return split(code, parent: parent, point: point, dimension: dimension, cut: cut, D.self)
            }
            for i in 0..<d {
                low[i] = min(low[i], point[i])
                high[i] = max(high[i], point[i])
            }
            parent = code
            let node = nodes[Int(code)]
            code = node.child(point)
        }
    }

    /// The cut at `offset` along the extents of box [low, high] ∪ {point}.
    @inline(__always)
    private func chooseCut<D: TreeDimension>(_ low: UnsafePointer<Double>, _ high: UnsafePointer<Double>, _ point: UnsafePointer<Double>,
                                             offset: Double, _: D.Type) -> (Int, Double) {
        var remaining = offset
        var lastDimension = 0
        for i in 0..<D.count(dimensions) {
            let lo = min(low[i], point[i]), hi = max(high[i], point[i])
            let range = hi - lo
            guard range > 0 else { continue }
            if remaining < range { return (i, min(lo + remaining, hi.nextDown)) }
            remaining -= range
            lastDimension = i
        }
        // Rounding left the offset past the last extent: cut at the top of the last one.
        return (lastDimension, max(low[lastDimension], point[lastDimension]).nextDown)
    }

    /// Puts a new node with the cut in `code`'s place, `point`'s new leaf on one side.
    @inline(__always)
    private func split<D: TreeDimension>(_ code: Int32, parent: Int32, point: UnsafePointer<Double>, dimension: Int, cut: Double,
                                         _: D.Type) -> Int32 {
        precondition(freeNodeCount > 0, "a tree holds at most capacity − 1 nodes")
        freeNodeCount -= 1
        let node = freeNodes[freeNodeCount]
        let low = minimum(of: code), high = maximum(of: code)
        let newLow = minimum(of: node), newHigh = maximum(of: node)
        for i in 0..<D.count(dimensions) {
            newLow[i] = min(low[i], point[i])
            newHigh[i] = max(high[i], point[i])
        }
        let leaf = newLeaf(point, parent: node)
        let goesLeft = point[dimension] <= cut
        nodes[Int(node)] = Node(left: goesLeft ? Self.leafCode(leaf) : code, right: goesLeft ? code : Self.leafCode(leaf),
                                parent: parent, cutDimension: Int32(dimension), cutValue: cut)
        setParent(of: code, to: node)
        replaceChild(of: parent, code, with: node)
        return leaf
    }

    /// Removes one unit of mass from `leaf`, and the leaf itself at mass 0.
    private func delete(_ leaf: Int32) {
        let l = Int(leaf)
        if leafMass[l] > 1 {
            leafMass[l] -= 1
            return
        }
        let parent = leafParent[l]
        freeLeaves[freeLeafCount] = leaf
        freeLeafCount += 1
        guard parent != Self.none else {
            root = Self.none
            return
        }
        let p = Int(parent)
        let sibling = nodes[p].left == Self.leafCode(leaf) ? nodes[p].right : nodes[p].left
        let grandparent = nodes[p].parent
        setParent(of: sibling, to: grandparent)
        replaceChild(of: grandparent, parent, with: sibling)
        freeNodes[freeNodeCount] = parent
        freeNodeCount += 1
        // A box changes only where the removed point was on its boundary: a box
        // it was strictly inside keeps its extent, and so does every box above.
        // (The freed leaf still holds the point: nothing reuses it before the walk ends.)
        let removed = leafPoint + l * dimensions
        var node = grandparent
        if dimensions == 4 {
            while node != Self.none, spate_box_touches4(boxes + Int(node) &* 8, removed) != 0, recomputeBox4(Int(node)) {
                node = nodes[Int(node)].parent
            }
        } else {
            while node != Self.none, isOnBoundary(removed, of: node), recomputeBox(Int(node)) { node = nodes[Int(node)].parent }
        }
    }

    /// `recomputeBox` for dimension 4, branch-free (CSpateForestKernels): the same values.
    @inline(__always) private func recomputeBox4(_ node: Int) -> Bool {
        let left = nodes[node].left, right = nodes[node].right
        return spate_box_union4(minimum(of: left), maximum(of: left), minimum(of: right), maximum(of: right), boxes + node &* 8) != 0
    }

    /// Whether `point` (inside node's box) lies on one of its faces.
    @inline(__always) private func isOnBoundary(_ point: UnsafePointer<Double>, of node: Int32) -> Bool {
        let low = minimum(of: node), high = maximum(of: node)
        for i in 0..<dimensions where point[i] == low[i] || point[i] == high[i] { return true }
        return false
    }

    /// Sets node's box from its children's; returns whether it changed.
    @discardableResult
    private func recomputeBox(_ node: Int) -> Bool {
        let leftMin = minimum(of: nodes[node].left), leftMax = maximum(of: nodes[node].left)
        let rightMin = minimum(of: nodes[node].right), rightMax = maximum(of: nodes[node].right)
        let boxLow = minimum(of: Int32(node)), boxHigh = maximum(of: Int32(node))
        var changed = false
        for i in 0..<dimensions {
            let low = min(leftMin[i], rightMin[i]), high = max(leftMax[i], rightMax[i])
            if low != boxLow[i] || high != boxHigh[i] { changed = true }
            boxLow[i] = low
            boxHigh[i] = high
        }
        return changed
    }

    @inline(__always) private static func equal(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ count: Int) -> Bool {
        for i in 0..<count where a[i] != b[i] { return false }
        return true
    }

    // MARK: Scoring

    /// The normalized anomaly score of `point` (0 for an empty tree); `path` has room for 2 × `capacity` doubles.
    func score(_ point: UnsafePointer<Double>, path: UnsafeMutablePointer<Double>) -> Double {
        switch dimensions {
        case 1: return score(point, path: path, Dimension1.self)
        case 4: return score(point, path: path, Dimension4.self)
        default: return score(point, path: path, AnyDimension.self)
        }
    }

    private func score<D: TreeDimension>(_ point: UnsafePointer<Double>, path: UnsafeMutablePointer<Double>, _: D.Type) -> Double {
        var code = root
        guard code != Self.none else { return 0 }
        let nodes = self.nodes, boxes = self.boxes, d = D.count(dimensions)
        var depth = 0, inside = 0
        while code >= 0 { Self.stepDown(&code, depth: &depth, inside: &inside, nodes: nodes, boxes: boxes, point, path: path, d, D.self) }
        return score(point, leaf: code, depth: depth, inside: inside, path: path, isSeen: isSeen(point, leaf: code, D.self), D.self)
    }

    /// One step of a scoring walk down, from node `code` at `depth`: leaves the
    /// node's extent and growth (`separation`) at that depth in `path`, counts
    /// the level in `inside` when point is inside the box, and moves `code` to
    /// the child on point's side. The lockstep walks below repeat it per tree.
    @inline(__always)
    private static func stepDown<D: TreeDimension>(_ code: inout Int32, depth: inout Int, inside: inout Int, nodes: UnsafeMutablePointer<Node>,
                                                   boxes: UnsafeMutablePointer<Double>, _ point: UnsafePointer<Double>,
                                                   path: UnsafeMutablePointer<Double>, _ d: Int, _: D.Type) {
        let node = nodes[Int(code)]
        let (range, growth, isInside) = separation(boxes + Int(code) &* (2 &* d), point, d, D.self)
        path[2 &* depth] = range
        path[2 &* depth &+ 1] = growth
        inside &+= isInside ? 1 : 0
        depth &+= 1
        code = node.child(point)
    }

    @inline(__always) private func isSeen<D: TreeDimension>(_ point: UnsafePointer<Double>, leaf code: Int32, _: D.Type) -> Bool {
        let d = D.count(dimensions)
        return Self.equal(leafPoint + Self.leafIndex(code) &* d, point, d)
    }

    /// Scores four trees, walking down them in lockstep: a walk down is a chain
    /// of dependent loads, and four independent chains keep four misses in
    /// flight instead of one (perf: the walk down was the forest's top cost).
    /// All trees of a forest have the same dimension.
    static func scoreFour(_ t0: RandomCutTree, _ t1: RandomCutTree, _ t2: RandomCutTree, _ t3: RandomCutTree,
                          _ point: UnsafePointer<Double>, paths: UnsafeMutablePointer<Double>, capacity: Int) -> Double {
        switch t0.dimensions {
        case 1: return scoreFour(t0, t1, t2, t3, point, paths: paths, capacity: capacity, Dimension1.self)
        case 4: return scoreFour(t0, t1, t2, t3, point, paths: paths, capacity: capacity, Dimension4.self)
        default: return scoreFour(t0, t1, t2, t3, point, paths: paths, capacity: capacity, AnyDimension.self)
        }
    }

    private static func scoreFour<D: TreeDimension>(_ t0: RandomCutTree, _ t1: RandomCutTree, _ t2: RandomCutTree, _ t3: RandomCutTree,
                                                    _ point: UnsafePointer<Double>, paths: UnsafeMutablePointer<Double>, capacity: Int,
                                                    _: D.Type) -> Double {
        var c0 = t0.root, c1 = t1.root, c2 = t2.root, c3 = t3.root
        guard c0 != none, c1 != none, c2 != none, c3 != none else {
            return t0.score(point, path: paths) + t1.score(point, path: paths) + t2.score(point, path: paths) + t3.score(point, path: paths)
        }
        let n0 = t0.nodes, n1 = t1.nodes, n2 = t2.nodes, n3 = t3.nodes
        let b0 = t0.boxes, b1 = t1.boxes, b2 = t2.boxes, b3 = t3.boxes
        let d = D.count(t0.dimensions)
        let p0 = paths, p1 = paths + 2 * capacity, p2 = paths + 4 * capacity, p3 = paths + 6 * capacity
        var d0 = 0, d1 = 0, d2 = 0, d3 = 0
        var i0 = 0, i1 = 0, i2 = 0, i3 = 0
        while (c0 & c1 & c2 & c3) >= 0 {  // some walk is still at a node: leaf codes are negative, so the AND is negative only when all are leaves
            if c0 >= 0 { stepDown(&c0, depth: &d0, inside: &i0, nodes: n0, boxes: b0, point, path: p0, d, D.self) }
            if c1 >= 0 { stepDown(&c1, depth: &d1, inside: &i1, nodes: n1, boxes: b1, point, path: p1, d, D.self) }
            if c2 >= 0 { stepDown(&c2, depth: &d2, inside: &i2, nodes: n2, boxes: b2, point, path: p2, d, D.self) }
            if c3 >= 0 { stepDown(&c3, depth: &d3, inside: &i3, nodes: n3, boxes: b3, point, path: p3, d, D.self) }
        }
        // The four leaf comparisons first: their loads miss the cache independently.
        let s0 = t0.isSeen(point, leaf: c0, D.self), s1 = t1.isSeen(point, leaf: c1, D.self)
        let s2 = t2.isSeen(point, leaf: c2, D.self), s3 = t3.isSeen(point, leaf: c3, D.self)
        return t0.score(point, leaf: c0, depth: d0, inside: i0, path: p0, isSeen: s0, D.self)
            + t1.score(point, leaf: c1, depth: d1, inside: i1, path: p1, isSeen: s1, D.self)
            + t2.score(point, leaf: c2, depth: d2, inside: i2, path: p2, isSeen: s2, D.self)
            + t3.score(point, leaf: c3, depth: d3, inside: i3, path: p3, isSeen: s3, D.self)
    }

    /// Of `box` ∪ {point}: the sum of its extents (`range`), how much of it
    /// point added (`growth`; growth / range is the probability that a random
    /// cut separates point), and whether point is inside the box (growth 0: the
    /// walk up stops there). Computed on the walk down, where the box's load
    /// overlaps the chain of node loads instead of stalling the walk up (perf:
    /// the walk up was a third of the forest's time, mostly waiting for boxes;
    /// moving the whole step to the walk up, with prefetched boxes, measured
    /// ~10 % slower: this work fills the walk down's load latencies).
    @inline(__always)
    private static func separation<D: TreeDimension>(_ box: UnsafePointer<Double>, _ point: UnsafePointer<Double>, _ d: Int,
                                                     _: D.Type) -> (range: Double, growth: Double, isInside: Bool) {
        // In C with SSE2 min/max (CSpateForestKernels): LLVM turned every
        // Swift form of these selects into branches or multi-instruction blends.
        // The same choices as Swift's min and max, summed in dimension order.
        let separation = D.self == Dimension4.self ? spate_box_separation4(box, point) : spate_box_separation_any(box, point, d)
        return (separation.range, separation.growth, separation.growth == 0)
    }

    /// Scores two trees in lockstep (the forest's trees left over after its
    /// groups of four: 2 of the default 50), as `scoreFour` does for four.
    /// Returns the two scores separately: the forest adds them one by one.
    static func scoreTwo(_ t0: RandomCutTree, _ t1: RandomCutTree, _ point: UnsafePointer<Double>,
                         paths: UnsafeMutablePointer<Double>, capacity: Int) -> (Double, Double) {
        switch t0.dimensions {
        case 1: return scoreTwo(t0, t1, point, paths: paths, capacity: capacity, Dimension1.self)
        case 4: return scoreTwo(t0, t1, point, paths: paths, capacity: capacity, Dimension4.self)
        default: return scoreTwo(t0, t1, point, paths: paths, capacity: capacity, AnyDimension.self)
        }
    }

    private static func scoreTwo<D: TreeDimension>(_ t0: RandomCutTree, _ t1: RandomCutTree, _ point: UnsafePointer<Double>,
                                                   paths: UnsafeMutablePointer<Double>, capacity: Int, _: D.Type) -> (Double, Double) {
        var c0 = t0.root, c1 = t1.root
        guard c0 != none, c1 != none else { return (t0.score(point, path: paths), t1.score(point, path: paths)) }
        let n0 = t0.nodes, n1 = t1.nodes, b0 = t0.boxes, b1 = t1.boxes
        let d = D.count(t0.dimensions)
        let p0 = paths, p1 = paths + 2 * capacity
        var d0 = 0, d1 = 0, i0 = 0, i1 = 0
        while (c0 & c1) >= 0 {
            if c0 >= 0 { stepDown(&c0, depth: &d0, inside: &i0, nodes: n0, boxes: b0, point, path: p0, d, D.self) }
            if c1 >= 0 { stepDown(&c1, depth: &d1, inside: &i1, nodes: n1, boxes: b1, point, path: p1, d, D.self) }
        }
        let s0 = t0.isSeen(point, leaf: c0, D.self), s1 = t1.isSeen(point, leaf: c1, D.self)
        return (t0.score(point, leaf: c0, depth: d0, inside: i0, path: p0, isSeen: s0, D.self),
                t1.score(point, leaf: c1, depth: d1, inside: i1, path: p1, isSeen: s1, D.self))
    }

    /// The score from the leaf reached at `depth`, walking back up `path`.
    @inline(__always)
    private func score<D: TreeDimension>(_ point: UnsafePointer<Double>, leaf code: Int32, depth: Int, inside: Int,
                                         path: UnsafeMutablePointer<Double>, isSeen: Bool, _: D.Type) -> Double {
        assert(code < 0 && code != Self.none, "scoring starts at a leaf")
        let leaf = Self.leafIndex(code)
        let treeMass = Double(sampleCount)
        let reciprocals = self.reciprocals
        var score: Double
        if isSeen {
            let mass = Double(leafMass[leaf])
            score = (1 - mass / (2 * treeMass)) / (Double(depth) + log2(mass + 1))
        } else {
            score = 1 / (Double(depth) + 1)
        }
        var level = depth &- 1
        // Up to the deepest box that holds the point: it and every box above
        // (they contain it) would add 0. Boxes holding the point are the top
        // `inside` levels of the path.
        while level >= inside {
            let probability = path[2 &* level &+ 1] / path[2 &* level]  // growth / range
            // s = q / (k + 1) + (1 − q)·s, as s + q·(1/(k + 1) − s) with a table of 1/(k + 1):
            // the chain from level to level is then one multiply-add, not two divisions.
            score += probability * (reciprocals[level] - score)
            level &-= 1
        }
        return score * (sampleCount == capacity ? fullMassFactor : log2(treeMass + 1))
    }

    // MARK: Checkpoint

    /// Writes root, sample count, generator, free stacks, nodes (without boxes), leaves and heap.
    func write(to writer: inout StateWriter) {
        writer.write(root)
        writer.write(UInt32(sampleCount))
        writer.write(random.state)
        writer.write(UInt32(freeNodeCount))
        writer.write(int32s: UnsafeBufferPointer(start: freeNodes, count: freeNodeCount))
        writer.write(UInt32(freeLeafCount))
        writer.write(int32s: UnsafeBufferPointer(start: freeLeaves, count: freeLeafCount))
        for index in 0..<capacity {
            let node = nodes[index]
            writer.write(node.left)
            writer.write(node.right)
            writer.write(node.parent)
            writer.write(node.cutDimension)
            writer.write(node.cutValue)
        }
        for pointer in [leafParent, leafMass] {
            writer.write(int32s: UnsafeBufferPointer(start: pointer, count: capacity))
        }
        writer.write(doubles: UnsafeBufferPointer(start: leafPoint, count: capacity * dimensions))
        writer.write(doubles: UnsafeBufferPointer(start: heapWeight, count: sampleCount))
        writer.write(int32s: UnsafeBufferPointer(start: heapLeaf, count: sampleCount))
    }

    func read(from reader: inout StateReader) throws(StateError) {
        root = try reader.readInt32()
        sampleCount = try reader.readCount(max: capacity)
        random = DetectorRandom(seed: try reader.readUInt64())
        freeNodeCount = try reader.readCount(max: capacity)
        try reader.readInt32s(into: UnsafeMutableBufferPointer(start: freeNodes, count: freeNodeCount))
        freeLeafCount = try reader.readCount(max: capacity)
        try reader.readInt32s(into: UnsafeMutableBufferPointer(start: freeLeaves, count: freeLeafCount))
        for index in 0..<capacity {
            nodes[index] = Node(left: try reader.readInt32(), right: try reader.readInt32(), parent: try reader.readInt32(),
                                cutDimension: try reader.readInt32(), cutValue: try reader.readDouble())
        }
        for pointer in [leafParent, leafMass] {
            try reader.readInt32s(into: UnsafeMutableBufferPointer(start: pointer, count: capacity))
        }
        try reader.readDoubles(into: UnsafeMutableBufferPointer(start: leafPoint, count: capacity * dimensions))
        try reader.readDoubles(into: UnsafeMutableBufferPointer(start: heapWeight, count: sampleCount))
        try reader.readInt32s(into: UnsafeMutableBufferPointer(start: heapLeaf, count: sampleCount))
        invalidateRejectBound()
        try validateAndRebuildBoxes()
    }

    /// Checks every reference is in range and the tree is a tree, and recomputes the boxes bottom-up.
    private func validateAndRebuildBoxes() throws(StateError) {
        for index in 0..<sampleCount where heapLeaf[index] < 0 || Int(heapLeaf[index]) >= capacity {
            throw .corrupt("a forest sample refers to leaf \(heapLeaf[index])")
        }
        guard root != Self.none else { return }
        var visited = 0
        try rebuild(root, depth: 0, visited: &visited)
        guard visited == capacity - freeLeafCount else { throw .corrupt("forest tree leaves do not match its free list") }
    }

    private func rebuild(_ code: Int32, depth: Int, visited: inout Int) throws(StateError) {
        guard depth < capacity else { throw .corrupt("a forest tree is deeper than its sample") }
        if code < 0 {
            guard Self.leafIndex(code) < capacity, leafMass[Self.leafIndex(code)] >= 1 else { throw .corrupt("bad leaf reference in a forest tree") }
            visited += 1
            return
        }
        guard Int(code) < capacity, nodes[Int(code)].cutDimension >= 0, Int(nodes[Int(code)].cutDimension) < dimensions else {
            throw .corrupt("bad node reference in a forest tree")
        }
        try rebuild(nodes[Int(code)].left, depth: depth + 1, visited: &visited)
        try rebuild(nodes[Int(code)].right, depth: depth + 1, visited: &visited)
        recomputeBox(Int(code))
    }
}

import CSpateForestKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
