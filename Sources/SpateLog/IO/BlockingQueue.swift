// A bounded first-in-first-out queue between threads: `push` waits while it is
// full, `pop` waits while it is empty. Closing it wakes everyone: pushes are
// refused from then on, and pops drain what is left, then return nil. The
// stages of a pipeline (a reader, workers, a writer) hand work along these, and
// the capacities bound how much work, and so memory, is between stages.

/// A bounded blocking FIFO queue.
public final class BlockingQueue<Element>: @unchecked Sendable {
    /// Most elements held; a push beyond it waits.
    public let capacity: Int
    private let mutex = PosixMutex()
    private let notEmpty = PosixCondition()
    private let notFull = PosixCondition()
    private var elements: [Element?]
    private var head = 0
    private var held = 0
    private var closed = false

    /// - Precondition: `capacity >= 1`.
    public init(capacity: Int) {
        precondition(capacity >= 1, "a queue holds at least one element")
        self.capacity = capacity
        elements = Array(repeating: nil, count: capacity)
    }

    /// Adds `element` at the tail, waiting for room; false (and the element
    /// dropped) when the queue is closed.
    @discardableResult
    public func push(_ element: Element) -> Bool {
        mutex.lock()
        defer { mutex.unlock() }
        while held == capacity && !closed { notFull.wait(mutex) }
        guard !closed else { return false }
        enqueue(element)
        return true
    }

    /// Takes the head, waiting for one; nil once the queue is closed and empty.
    public func pop() -> Element? {
        mutex.lock()
        defer { mutex.unlock() }
        while held == 0 && !closed { notEmpty.wait(mutex) }
        return held > 0 ? dequeue() : nil
    }

    /// Adds `element` at the tail if there is room and the queue is open; false otherwise.
    public func tryPush(_ element: Element) -> Bool {
        mutex.withLock {
            guard held < capacity && !closed else { return false }
            enqueue(element)
            return true
        }
    }

    /// Takes the head if there is one, without waiting.
    public func tryPop() -> Element? {
        mutex.withLock { held > 0 ? dequeue() : nil }
    }

    /// Adds at the tail. Requires the mutex and room.
    private func enqueue(_ element: Element) {
        elements[(head + held) % capacity] = element
        held += 1
        notEmpty.broadcast()
    }

    /// Takes the head. Requires the mutex and an element.
    private func dequeue() -> Element? {
        let element = elements[head].take()
        head = (head + 1) % capacity
        held -= 1
        notFull.broadcast()
        return element
    }

    /// Refuses further pushes and wakes every waiter; what is queued can still be popped.
    public func close() {
        mutex.withLock {
            closed = true
            notEmpty.broadcast()
            notFull.broadcast()
        }
    }
}
