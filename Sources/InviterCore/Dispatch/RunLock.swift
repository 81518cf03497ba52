import Foundation

/// An exclusive lock in the state folder, so that overlapping cron runs never send the same mailing twice.
///
/// `flock(2)` on `inviter.lock`: the kernel releases it when the process
/// ends, however it ends, so a killed run never leaves a stale lock behind.
public final class RunLock: Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// Takes the lock, waiting up to `wait` seconds for another run to finish.
    ///
    /// - Returns: the lock, held until it is released; `nil` when another run still holds it.
    /// - Throws: when the state folder or the lock file cannot be created.
    public static func acquire(in directory: URL, wait: TimeInterval) throws -> RunLock? {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("inviter.lock").path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        let deadline = Date().addingTimeInterval(wait)
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard Date() < deadline else {
                close(descriptor)
                return nil
            }
            usleep(100_000)
        }
        return RunLock(descriptor: descriptor)
    }
}
