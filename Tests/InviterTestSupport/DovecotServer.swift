import Foundation

/// A private Dovecot IMAP server on a free loopback port, with one user and one Maildir INBOX: the
/// bounce mailbox that the mailer reads, so that the IMAP side is tested against a real server.
///
/// Each instance has its own folder, config, `base_dir` and `state_dir`, and is started with
/// `dovecot -F -c FILE` as a child of the test, never as the system's daemon. Tests run as root:
/// Dovecot then needs its own users for its login and internal processes, and the mail is owned
/// by `nobody` (65534), the uid of the static userdb.
public final class DovecotServer: @unchecked Sendable {
    // The lets never change; the process and the delivery counter are guarded by `lock`, so that
    // `deliver` may be called from more than one task. Unchecked because Process is not Sendable.

    /// What the server offers before login.
    public enum Security: Sendable {
        /// STARTTLS with the throwaway certificate (`ssl = required`). Dovecot counts a client
        /// on its own address as secure, though, so from 127.0.0.1 it still takes a login
        /// without TLS: that STARTTLS is used is for the client under test to insist on.
        case starttls
        /// No TLS at all (`ssl = no`) and plaintext login allowed, to test that a client that
        /// requires STARTTLS refuses such a server rather than sending its password in clear.
        case plaintext
    }

    public let port: Int
    public let user: String
    public let password: String
    public let security: Security
    /// The self-signed certificate the server presents (SAN `IP:127.0.0.1` and `DNS:localhost`),
    /// for the client's CA file; nil for `.plaintext`.
    public let certificate: Certificate?
    /// The instance's folder: config, log, passwd file, runtime folders and the mail home.
    public let directory: URL
    /// The user's Maildir (`new`, `cur`, `tmp` and Dovecot's index files).
    public let maildir: URL
    /// Dovecot's log (errors and info), whose text a failing start reports.
    public let logFile: URL
    public var url: String { "imap://127.0.0.1:\(port)/INBOX" }

    /// The uid and gid of the mail, as the static userdb says: `nobody` and `nogroup`.
    static let mailOwner: (uid: uid_t, gid: gid_t) = (65534, 65534)
    static let executable = "/usr/sbin/dovecot"

    private let configFile: URL
    private let stderrFile: URL
    private let lock = NSLock()
    private var process: Process?
    private var deliveries = 0

    /// Starts the server and waits until it accepts connections.
    ///
    /// - Parameters:
    ///   - user: the login name; the passwd file does not allow `:` or control characters in it.
    ///   - password: random unless given, so that no test depends on a well-known one.
    public init(
        security: Security = .starttls, user: String = "bounces@example.org",
        password: String = UUID().uuidString
    ) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            throw ServerStartError(
                description: "\(Self.executable) is missing: `make test-deps` installs dovecot-imapd")
        }
        // One `user:{PLAIN}password` line of the passwd file: a colon or a line break would end a field.
        let fits = { (field: String) in
            !field.isEmpty && !field.unicodeScalars.contains { $0 == ":" || $0.value < 32 }
        }
        guard fits(user), fits(password) else {
            throw ServerStartError(
                description:
                    "a user or password for Dovecot cannot be empty or hold ':' or control characters")
        }
        self.security = security
        self.user = user
        self.password = password
        directory = try TestPaths.temporaryDirectory("dovecot")
        // Dovecot's unprivileged processes must reach the config and the certificate.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        logFile = directory.appendingPathComponent("dovecot.log")
        stderrFile = directory.appendingPathComponent("dovecot.err")
        configFile = directory.appendingPathComponent("dovecot.conf")
        certificate =
            security == .starttls
            ? try Certificate.make(subjectAltName: "IP:127.0.0.1,DNS:localhost", in: directory) : nil

        let home = directory.appendingPathComponent("home")
        let maildir = home.appendingPathComponent("Maildir")
        self.maildir = maildir
        for folder in [home, maildir] + ["new", "cur", "tmp"].map({ maildir.appendingPathComponent($0) }) {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Self.giveToMailOwner(folder.path, mode: 0o700)
        }
        let passwd = directory.appendingPathComponent("passwd")
        try Data("\(user):{PLAIN}\(password)\n".utf8).write(to: passwd)

        var lastError: (any Error)?
        for _ in 0..<5 {
            let port = try freeLoopbackPort()
            let config = Self.config(
                port: port, security: security, directory: directory, home: home, passwd: passwd,
                certificate: certificate)
            try Data(config.utf8).write(to: configFile)
            do {
                process = try Self.launch(
                    configFile: configFile, port: port, logFile: logFile, stderrFile: stderrFile)
                self.port = port
                return
            } catch {
                lastError = error  // The port was taken between the probe and the start: try another.
            }
        }
        throw lastError ?? ServerStartError(description: "dovecot did not start")
    }

    /// Drops one message (raw bytes, CRLF or LF) into the Maildir as a new message, as a delivery
    /// agent would; Dovecot sees it at once, at the client's next SELECT or NOOP.
    public func deliver(_ message: [UInt8]) throws {
        try deliver([message])
    }

    /// Drops many messages at once, in order: Dovecot gives them UIDs in the order of their file
    /// names, which this makes the order of delivery. Plain system calls and no process per
    /// message: ten thousand take about 0.6 s, bound by the file system (threads do not help).
    ///
    /// - Parameter folder: a folder beside INBOX (created on first use), or nil for INBOX.
    public func deliver(_ messages: [[UInt8]], into folder: String? = nil) throws {
        let maildir = try folderDirectory(folder)
        let call = lock.withLock {
            deliveries += 1
            return deliveries
        }
        // `<seconds>.<call>_<n>.<host>`: unique within the Maildir, and sorting as delivered.
        let prefix = "\(Int(Date().timeIntervalSince1970)).\(Self.padded(call))_"
        let tmp = maildir.appendingPathComponent("tmp").path
        let new = maildir.appendingPathComponent("new").path
        for (n, message) in messages.enumerated() {
            let name = "\(prefix)\(Self.padded(n)).inviter-test"
            let temporary = "\(tmp)/\(name)"
            // Written in tmp/ and renamed into new/, so that Dovecot never sees a half-written file.
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard fd >= 0 else { throw MaildirError(operation: "open", path: temporary) }
            var failed: MaildirError?
            message.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count, failed == nil {
                    let written = write(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                    if written > 0 {
                        offset += written
                    } else if errno != EINTR {
                        failed = MaildirError(operation: "write", path: temporary)
                    }
                }
            }
            if failed == nil, fchown(fd, Self.mailOwner.uid, Self.mailOwner.gid) != 0 {
                failed = MaildirError(operation: "fchown", path: temporary)
            }
            close(fd)
            if let failed { throw failed }
            guard rename(temporary, "\(new)/\(name)") == 0 else {
                throw MaildirError(operation: "rename into new/", path: temporary)
            }
        }
    }

    /// Every message in the mailbox with whether it has the \Seen flag, read from the Maildir
    /// file names (new/ is unseen; a name in cur/ carries `:2,<flags>`, where S is seen), so that a
    /// test can check what a client marked read and what it left unread for a person. Sorted by
    /// name, which for delivered messages is the order of delivery; the name is the file's base
    /// name, without the flags, so it stays the same when Dovecot moves or re-flags the file.
    public func messages(in folder: String? = nil) throws -> [(name: String, seen: Bool)] {
        let maildir = try folderDirectory(folder)
        var found: [(name: String, seen: Bool)] = []
        for folder in ["new", "cur"] {
            let names = try FileManager.default.contentsOfDirectory(
                atPath: maildir.appendingPathComponent(folder).path)
            for file in names where !file.hasPrefix(".") {
                let parts = file.components(separatedBy: ":2,")
                let flags = parts.count > 1 ? parts[parts.count - 1] : ""
                found.append((parts[0], folder == "cur" && flags.contains("S")))
            }
        }
        return found.sorted { $0.name < $1.name }
    }

    /// Deletes the message `name` (as ``messages(in:)`` names it) from the Maildir, as another
    /// client's expunge or a clean-up on the server would: sessions that have the folder open
    /// still know its UID until the server tells them otherwise.
    public func remove(_ name: String, from folder: String? = nil) throws {
        let maildir = try folderDirectory(folder)
        for folder in ["new", "cur"] {
            let directory = maildir.appendingPathComponent(folder)
            for file in try FileManager.default.contentsOfDirectory(atPath: directory.path)
            where file.components(separatedBy: ":2,")[0] == name {
                try FileManager.default.removeItem(at: directory.appendingPathComponent(file))
                return
            }
        }
        throw MaildirError(operation: "remove", path: maildir.appendingPathComponent(name).path)
    }

    /// The mailbox's UIDVALIDITY as Dovecot recorded it in `dovecot-uidlist`, or nil before any
    /// client has opened the mailbox (Dovecot writes the file on the first SELECT).
    public func uidValidity() throws -> UInt32? {
        let list = maildir.appendingPathComponent("dovecot-uidlist")
        guard FileManager.default.fileExists(atPath: list.path) else { return nil }
        let text = try String(contentsOf: list, encoding: .utf8)
        let header = text.prefix { $0 != "\n" }.split(separator: " ")
        return header.first { $0.hasPrefix("V") }.flatMap { UInt32($0.dropFirst()) }
    }

    /// Makes the server give the mailbox a new UIDVALIDITY and new UIDs at the next SELECT, as a
    /// server does after its mail store was rebuilt, so that a client must forget the UIDs it kept.
    ///
    /// It deletes Dovecot's UID list and index files; the messages and their flags stay. Dovecot
    /// takes the new value from `dovecot-uidvalidity`, which is kept, so it always differs from
    /// the old one, even within the same second. Call it while no client is connected.
    public func resetUIDValidity() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: maildir.path)
        for name in names where name == "dovecot-uidlist" || name.hasPrefix("dovecot.index") {
            try FileManager.default.removeItem(at: maildir.appendingPathComponent(name))
        }
    }

    /// Stops the server and all its processes. Safe to call more than once.
    public func stop() {
        let running: Process? = lock.withLock {
            defer { process = nil }
            return process
        }
        if let running { Self.terminate(running) }
    }

    deinit { stop() }

    // MARK: - Starting

    /// The whole config: nothing is read from /etc/dovecot.
    static func config(
        port: Int, security: Security, directory: URL, home: URL, passwd: URL, certificate: Certificate?
    ) -> String {
        var lines = [
            "# A private Dovecot for one test, written by InviterTestSupport's DovecotServer.",
            "base_dir = \(directory.path)/run",
            "state_dir = \(directory.path)/state",
            "log_path = \(directory.path)/dovecot.log",
            "info_log_path = \(directory.path)/dovecot.log",
            "protocols = imap",
            "listen = 127.0.0.1",
            // Run as root, Dovecot wants unprivileged users for its login and internal processes.
            "default_login_user = dovenull",
            "default_internal_user = dovecot",
            "default_internal_group = dovecot",
            "first_valid_uid = 1",
            "auth_mechanisms = plain login",
            "auth_verbose = yes",
            "mail_location = maildir:~/Maildir",
            "passdb {",
            "  driver = passwd-file",
            "  args = scheme=PLAIN username_format=%u \(passwd.path)",
            "}",
            "userdb {",
            "  driver = static",
            "  args = uid=\(mailOwner.uid) gid=\(mailOwner.gid) home=\(home.path)",
            "}",
            "service imap-login {",
            "  inet_listener imap {",
            "    port = \(port)",
            "  }",
            "  inet_listener imaps {",
            "    port = 0",
            "  }",
            "}",
        ]
        if let certificate {
            lines += [
                "ssl = required",
                "ssl_cert = <\(certificate.certificate.path)",
                "ssl_key = <\(certificate.key.path)",
                "disable_plaintext_auth = yes",
            ]
        } else {
            lines += ["ssl = no", "disable_plaintext_auth = no"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Runs `dovecot -F` (in the foreground, so that it stays the test's child) and waits until
    /// it has started up and its port listens; a failing start throws with the log's text.
    static func launch(configFile: URL, port: Int, logFile: URL, stderrFile: URL) throws -> Process {
        // Each attempt starts with empty logs, so that an error reports this attempt's text only.
        for file in [logFile, stderrFile] {
            guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
                throw ServerStartError(description: "cannot create \(file.path)")
            }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-F", "-c", configFile.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
        func log() -> String {
            [logFile, stderrFile].compactMap { try? String(contentsOf: $0, encoding: .utf8) }.joined()
        }
        // The master logs "starting up" only once its listeners are bound: a port that listens
        // before that line belongs to someone else, and this start is failing.
        let deadline = Date().addingTimeInterval(15)
        while !(log().contains("starting up") && isListening(port)) {
            guard process.isRunning, Date() < deadline else {
                terminate(process)
                throw ServerStartError(description: "dovecot did not start on port \(port): \(log())")
            }
            usleep(10_000)
        }
        return process
    }

    /// Signals the master's whole process group, not the master alone, and again every 100 ms:
    /// the master waits for its children, and one that the signal missed (a login process still
    /// starting, or one forked just after the signal by a master that has only just started)
    /// holds it up for six seconds. So the group goes in a few ms, at most a few hundred.
    /// Kills the master and its children at once: on SIGTERM Dovecot's master waits seconds for
    /// its log process, and a test's server has nothing to keep. The children (anvil, log,
    /// config, auth, imap) are found through /proc before the master goes, since they are
    /// reparented after.
    static func terminate(_ process: Process) {
        if process.isRunning {
            let pid = process.processIdentifier
            let children = childProcesses(of: pid)
            kill(pid, SIGKILL)
            for child in children { kill(child, SIGKILL) }
        }
        process.waitUntilExit()
    }

    /// The processes whose parent is `pid`, from `/proc/<n>/stat` (the fourth field).
    static func childProcesses(of pid: Int32) -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name -> Int32? in
            guard let child = Int32(name),
                let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid ? child : nil
        }
    }

    // MARK: - The Maildir

    /// INBOX's Maildir for nil; else the folder's, `.<name>` in it as Maildir++ lays folders out.
    func folderDirectory(_ folder: String?) throws -> URL {
        guard let folder else { return maildir }
        let directory = maildir.appendingPathComponent("." + folder)
        for sub in [directory] + ["new", "cur", "tmp"].map({ directory.appendingPathComponent($0) })
        where !FileManager.default.fileExists(atPath: sub.path) {
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            try Self.giveToMailOwner(sub.path, mode: 0o700)
        }
        return directory
    }

    static func giveToMailOwner(_ path: String, mode: mode_t) throws {
        guard chown(path, mailOwner.uid, mailOwner.gid) == 0, chmod(path, mode) == 0 else {
            throw MaildirError(operation: "chown", path: path)
        }
    }

    /// Six digits or more, so that names sort as numbers.
    static func padded(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}

/// A failed system call on the test Maildir, with the path and the system's reason.
struct MaildirError: Error, CustomStringConvertible {
    let description: String

    init(operation: String, path: String) {
        description = "\(operation) \(path): \(String(cString: strerror(errno)))"
    }
}
