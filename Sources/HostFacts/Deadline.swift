import DoctorCore
import Foundation

/// Runs a blocking call on its own thread and gives up waiting after `seconds`. A hung ioctl, a stuck NFS
/// read or a wedged daemon then becomes a `timedOut` fact instead of a hung tool. The abandoned thread is
/// left to finish or die with the process: a blocking system call cannot be cancelled from outside.
public func withDeadline<T: Sendable>(
    seconds: Double, what: String, _ body: @escaping @Sendable () -> T
) throws(FactError) -> T {
    let box = DeadlineBox<T>()
    let done = DispatchSemaphore(value: 0)
    // Dispatch's pool reuses threads, so the common case (everything answers) costs no thread creation.
    DispatchQueue.global(qos: .userInitiated).async {
        let value = body()
        box.lock.withLock { box.value = value }
        done.signal()
    }
    guard done.wait(timeout: .now() + seconds) == .success else {
        throw .timedOut(what: what, seconds: seconds)
    }
    return box.lock.withLock { box.value! }
}

private final class DeadlineBox<T>: @unchecked Sendable {
    var value: T?
    let lock = NSLock()
}
