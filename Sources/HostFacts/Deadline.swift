import DoctorCore
import Foundation

/// Runs a blocking call on a worker thread and gives up waiting after `seconds`. A hung ioctl, a stuck NFS
/// read or a wedged daemon then becomes a `timedOut` fact instead of a hung tool. A blocking system call
/// cannot be cancelled from outside, so the worker that hung is abandoned (it ends with the process) and
/// the next call gets a fresh one. Dispatch's pool is not used: on Linux it does not add threads when
/// one blocks in a system call, so one hang would stall every later check.
public func withDeadline<T: Sendable>(
    seconds: Double, what: String, _ body: @escaping @Sendable () -> T
) throws(FactError) -> T {
    let box = DeadlineBox<T>()
    let done = DispatchSemaphore(value: 0)
    let job: @Sendable () -> Void = {
        let value = body()
        box.lock.withLock { box.value = value }
        done.signal()
    }
    // A deadline inside a deadline (a probe inside a check) must not wait for its own busy worker.
    let worker = DeadlineWorker.isWorkerThread ? DeadlineWorker() : DeadlineWorker.current
    worker.submit(job)
    // NaN, negative or endless waits come only from a caller's mistake; a day bounds them all, and keeps
    // DispatchTime's conversion of the seconds to nanoseconds from overflowing.
    let bounded = seconds.isNaN ? 0 : min(max(seconds, 0), 86_400)
    guard done.wait(timeout: .now() + bounded) == .success else {
        DeadlineWorker.replace(worker)
        throw .timedOut(what: what, seconds: seconds)
    }
    // A transient worker for a nested deadline ends with its one job.
    if DeadlineWorker.isWorkerThread { worker.retire() }
    return box.lock.withLock { box.value! }
}

private final class DeadlineBox<T>: @unchecked Sendable {
    var value: T?
    let lock = NSLock()
}

/// One long-lived thread that runs the deadline jobs of one calling thread, so a run of many checks
/// creates one thread, not one per check. Each calling thread has its own worker: callers wait for their
/// job, so a worker never holds more than one, and concurrent callers (tests run in parallel) never
/// queue behind each other's work.
final class DeadlineWorker: @unchecked Sendable {
    private static let workerKey = "virt-doctor.deadline-worker"
    private static let markerKey = "virt-doctor.is-deadline-worker"

    static var current: DeadlineWorker {
        let slots = Thread.current.threadDictionary
        if let worker = slots[workerKey] as? DeadlineWorker { return worker }
        let worker = DeadlineWorker()
        slots[workerKey] = worker
        return worker
    }

    static var isWorkerThread: Bool { Thread.current.threadDictionary[markerKey] != nil }

    /// The worker hung: leave it to its call; this thread gets a fresh one next time.
    static func replace(_ worker: DeadlineWorker) {
        let slots = Thread.current.threadDictionary
        if (slots[workerKey] as? DeadlineWorker) === worker { slots.removeObject(forKey: workerKey) }
        worker.retire()
    }

    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var retired = false

    init() {
        let thread = Thread { [self] in loop() }
        thread.stackSize = 1 << 20
        thread.start()
    }

    deinit { retire() }

    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.withLock {
            jobs.append(job)
            condition.signal()
        }
    }

    /// Ends the thread once its queue is empty (right away when idle).
    func retire() {
        condition.withLock {
            retired = true
            condition.signal()
        }
    }

    private func loop() {
        // Marked from inside the thread: a deadline started here needs a worker of its own.
        Thread.current.threadDictionary[DeadlineWorker.markerKey] = true
        while true {
            condition.lock()
            while jobs.isEmpty && !retired { condition.wait() }
            if jobs.isEmpty { condition.unlock(); return }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
