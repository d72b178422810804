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
    guard done.wait(timeout: .now() + seconds) == .success else {
        DeadlineWorker.replace(worker)
        throw .timedOut(what: what, seconds: seconds)
    }
    if DeadlineWorker.isWorkerThread, worker !== DeadlineWorker.current { worker.retire() }
    return box.lock.withLock { box.value! }
}

private final class DeadlineBox<T>: @unchecked Sendable {
    var value: T?
    let lock = NSLock()
}

/// One long-lived thread that runs deadline jobs in order, so a run of many checks creates one thread,
/// not one per check.
final class DeadlineWorker: @unchecked Sendable {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var shared: DeadlineWorker?
    private static let threadName = "virt-doctor-deadline-worker"

    static var current: DeadlineWorker {
        lock.withLock {
            if let shared { return shared }
            let worker = DeadlineWorker()
            shared = worker
            return worker
        }
    }

    static var isWorkerThread: Bool { Thread.current.threadDictionary[threadName] != nil }

    /// The worker hung: leave it to its call, and move the jobs queued behind it to a fresh worker.
    static func replace(_ worker: DeadlineWorker) {
        let successor: DeadlineWorker? = lock.withLock {
            guard shared === worker else { return nil }
            let next = DeadlineWorker()
            shared = next
            return next
        }
        let pending = worker.retireTakingPending()
        for job in pending { (successor ?? DeadlineWorker.current).submit(job) }
    }

    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var retired = false

    init() {
        let thread = Thread { [self] in loop() }
        thread.name = DeadlineWorker.threadName
        thread.stackSize = 1 << 20
        thread.start()
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.withLock {
            jobs.append(job)
            condition.signal()
        }
    }

    func retireTakingPending() -> [@Sendable () -> Void] {
        condition.withLock {
            retired = true
            let pending = jobs
            jobs = []
            condition.signal()
            return pending
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
        // Marked from inside the thread: a name set before start() is not visible through Thread.current.
        Thread.current.threadDictionary[DeadlineWorker.threadName] = true
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
