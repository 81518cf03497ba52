import Foundation
import GRDB

/// The embedded ledger: one SQLite file, `ledger.sqlite`, in the state folder.
///
/// Cron may start a second run while the first still sends, so the file is
/// opened as a `DatabasePool` in WAL mode: readers never block, and every
/// write is one IMMEDIATE transaction that waits (up to `busyTimeout`) for
/// the other process instead of failing. Each protocol method is one
/// transaction, so a run killed at any instant leaves the ledger as it was
/// before or after the call, never halfway.
///
/// Instants are stored as `REAL` seconds since 1970: they compare and subtract
/// in SQL without parsing, and survive a round trip to well below a
/// millisecond (GRDB's default text form keeps milliseconds only).
public final class SQLiteLedger: Ledger {
    /// How long a write waits for another process holding the lock. Writes are
    /// short, so a long wait means the other run is stuck; failing then is better
    /// than cron piling up runs.
    public static let busyTimeout: TimeInterval = 30

    /// Waits a millisecond and tries again, until `busyTimeout`. SQLite's own timeout sleeps
    /// longer and longer (up to 100 ms) between tries: behind a run's commits, a one-click
    /// unsubscribe waited 100 ms and more for a lock that was free again after two.
    static let waitForLock: @Sendable (Int) -> Bool = { tries in
        guard Double(tries) / 1000 < busyTimeout else { return false }
        usleep(1000)
        return true
    }

    /// The database file, for messages and `inviter status`.
    public let file: URL
    let pool: DatabasePool

    /// Opens `<directory>/ledger.sqlite`, creating the folder and the schema when missing.
    ///
    /// - Throws: `SQLiteLedgerError.cannotOpen` with the path and the reason, or
    ///   `.newerSchema` when a newer inviter has already changed the file.
    public init(directory: URL) throws {
        let file = directory.appendingPathComponent("ledger.sqlite")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw SQLiteLedgerError.cannotOpen(path: directory.path, reason: error.localizedDescription)
        }
        var configuration = GRDB.Configuration()
        configuration.busyMode = .callback(Self.waitForLock)
        configuration.label = "InviterLedger"
        let pool: DatabasePool
        do {
            pool = try Self.open(file, configuration: configuration)
            if try pool.read({ db in try Self.migrator().hasBeenSuperseded(db) }) {
                throw SQLiteLedgerError.newerSchema(path: file.path)
            }
        } catch let error as SQLiteLedgerError {
            throw error
        } catch {
            // GRDB's descriptions leave out bound values, so this is safe to log.
            throw SQLiteLedgerError.cannotOpen(path: file.path, reason: String(describing: error))
        }
        self.file = file
        self.pool = pool
        self.temporaryCopy = nil
    }

    /// Opens an existing `<directory>/ledger.sqlite` for reading only, for a dry run or a preview
    /// that must change nothing, not even create the file.
    ///
    /// - Returns: nil when there is no ledger yet: nothing has been recorded.
    /// - Throws: `SQLiteLedgerError.cannotOpen`, or `.newerSchema` when a newer inviter changed the file.
    public static func reading(directory: URL) throws -> SQLiteLedger? {
        let file = directory.appendingPathComponent("ledger.sqlite")
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        configuration.busyMode = .callback(Self.waitForLock)
        configuration.label = "InviterLedger"
        do {
            let pool = try DatabasePool(path: file.path, configuration: configuration)
            if try pool.read({ db in try Self.migrator().hasBeenSuperseded(db) }) {
                throw SQLiteLedgerError.newerSchema(path: file.path)
            }
            if try pool.read({ db in try !Self.migrator().hasCompletedMigrations(db) }) {
                return try upToDateCopy(of: pool, file: file)
            }
            return SQLiteLedger(file: file, pool: pool)
        } catch let error as SQLiteLedgerError {
            throw error
        } catch {
            throw SQLiteLedgerError.cannotOpen(path: file.path, reason: String(describing: error))
        }
    }

    private init(file: URL, pool: DatabasePool, temporaryCopy: URL? = nil) {
        self.file = file
        self.pool = pool
        self.temporaryCopy = temporaryCopy
    }

    /// A ledger an older inviter wrote and no run has brought up to date yet: a dry run, a preview
    /// or `status` reads a migrated copy, so that the file itself stays exactly as it is until the
    /// next run migrates it. The copy lives in the temporary folder as long as this ledger does.
    private static func upToDateCopy(of pool: DatabasePool, file: URL) throws -> SQLiteLedger {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent(
            "inviter-ledger-\(UUID().uuidString).sqlite")
        do {
            let target = try DatabaseQueue(path: copy.path)
            try pool.backup(to: target)
            try target.close()
        }
        let migrated = try open(copy, configuration: GRDB.Configuration())
        return SQLiteLedger(file: file, pool: migrated, temporaryCopy: copy)
    }

    /// The migrated copy that ``reading(directory:)`` reads, when it made one.
    private let temporaryCopy: URL?

    deinit {
        guard let temporaryCopy else { return }
        try? pool.close()
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: temporaryCopy.path + suffix)
        }
    }

    /// Opens the pool and brings the schema up to date, trying again while another process holds the file.
    ///
    /// The busy timeout covers transactions, but not everything at opening:
    /// while one run turns a fresh file into WAL mode, a second run's own
    /// `PRAGMA journal_mode = WAL` fails at once with `SQLITE_BUSY`. That only
    /// lasts milliseconds, so waiting briefly and starting over is enough.
    private static func open(_ file: URL, configuration: GRDB.Configuration) throws -> DatabasePool {
        let clock = ContinuousClock()
        let giveUp = clock.now.advanced(by: .seconds(busyTimeout))
        while true {
            do {
                let pool = try DatabasePool(path: file.path, configuration: configuration)
                // GRDB picks NORMAL for WAL, which survives a killed process but may lose the
                // last commits on power loss. A lost `sending` mark would resend a message
                // that went out, so commits are synced: one fsync per short transaction (an
                // outcome's commit rides on the next one's, see `record`).
                try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
                try migrate(pool)
                return pool
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && clock.now < giveUp {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
    }

    /// Brings the schema up to date.
    ///
    /// Two runs opening a fresh ledger at the same moment both find migrations missing; the
    /// second one's `CREATE TABLE` then fails once the first has committed that step. Each
    /// migration is its own transaction, so the first may still be applying later ones: the
    /// second looks again at what is applied and goes on from there, until the schema is
    /// complete.
    private static func migrate(_ pool: DatabasePool) throws {
        let migrator = migrator()
        var attempts = 0
        while true {
            do {
                try migrator.migrate(pool)
                return
            } catch {
                if try pool.read({ db in try migrator.hasCompletedMigrations(db) }) { return }
                attempts += 1
                guard attempts < 50 else { throw error }
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
    }

    /// The schema's history. Never edit a registered migration: add a new one,
    /// because ledgers in the field already have the old ones applied.
    private static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE mailing (
                        id TEXT PRIMARY KEY,
                        kind TEXT NOT NULL,
                        dueAt DATETIME NOT NULL,
                        deadline DATETIME,
                        createdAt DATETIME NOT NULL
                    );
                    CREATE TABLE delivery (
                        mailingId TEXT NOT NULL REFERENCES mailing(id),
                        recipient TEXT NOT NULL,
                        state TEXT NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        nextAttemptAt DATETIME,
                        messageId TEXT NOT NULL,
                        lastReply TEXT,
                        updatedAt DATETIME NOT NULL,
                        PRIMARY KEY (mailingId, recipient)
                    );
                    CREATE INDEX delivery_state ON delivery(state, nextAttemptAt);
                    CREATE TABLE suppression (
                        address TEXT PRIMARY KEY,
                        reason TEXT NOT NULL,
                        since DATETIME NOT NULL
                    );
                    CREATE TABLE rateBucket (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        tokens REAL NOT NULL,
                        updatedAt DATETIME NOT NULL,
                        messages INTEGER NOT NULL,
                        per INTEGER NOT NULL
                    );
                    """)
        }
        // What each occurrence looked like when its members were last told, so a later change
        // (another time or place) is noticed and announced with the next calendar SEQUENCE.
        migrator.registerMigration("v2") { db in
            try db.execute(
                sql: """
                    CREATE TABLE occurrenceVersion (
                        occurrenceId TEXT PRIMARY KEY,
                        fingerprint TEXT NOT NULL,
                        sequence INTEGER NOT NULL,
                        updatedAt REAL NOT NULL
                    );
                    """)
        }
        // The queue of a mailing by state, in recipient order, and a recipient's deliveries
        // (for the suppression list): both were full-table scans, once per batch.
        migrator.registerMigration("v3") { db in
            try db.execute(
                sql: """
                    CREATE INDEX delivery_queue ON delivery(mailingId, state, recipient);
                    CREATE INDEX delivery_recipient ON delivery(recipient);
                    """)
        }
        // Which transport the deliveries recorded as sent went through: a trial into the outbox
        // must not count as sent for the relay.
        migrator.registerMigration("v4") { db in
            try db.execute(sql: "CREATE TABLE ledgerInfo (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        }
        // The way back in: a suppression names what it holds back (every list, or the members'
        // or partners' list a one-click link was for), a mailing the list it goes to, and the
        // sign-up page keeps its requests and the members they made.
        migrator.registerMigration("v5") { db in
            try db.execute(
                sql: """
                    CREATE TABLE suppressionScoped (
                        -- Never reused (AUTOINCREMENT): a run applies the suppressions added
                        -- since the last id it applied, not the whole list, before each batch.
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        address TEXT NOT NULL,
                        scope TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        since DATETIME NOT NULL,
                        UNIQUE (address, scope)
                    );
                    INSERT INTO suppressionScoped (address, scope, reason, since)
                        SELECT address, 'all', reason, since FROM suppression;
                    DROP TABLE suppression;
                    ALTER TABLE suppressionScoped RENAME TO suppression;
                    ALTER TABLE mailing ADD COLUMN list TEXT;
                    UPDATE mailing SET list = CASE
                        WHEN id LIKE 'partner/%' OR id LIKE 'announcement/%/partners' THEN 'partners'
                        ELSE 'members' END;
                    CREATE TABLE signupRequest (
                        mailingId TEXT NOT NULL,
                        address TEXT NOT NULL,
                        email TEXT NOT NULL,
                        name TEXT NOT NULL,
                        language TEXT NOT NULL,
                        segments TEXT NOT NULL,
                        occurrence TEXT,
                        requestedAt DATETIME NOT NULL,
                        PRIMARY KEY (mailingId, address)
                    );
                    CREATE INDEX signupRequest_address ON signupRequest(address, requestedAt);
                    CREATE TABLE joinedMember (
                        address TEXT PRIMARY KEY,
                        email TEXT NOT NULL,
                        name TEXT NOT NULL,
                        language TEXT NOT NULL,
                        segments TEXT NOT NULL,
                        occurrence TEXT,
                        requestedAt DATETIME NOT NULL,
                        joinedAt DATETIME NOT NULL
                    );
                    """)
        }
        // RSVP: each member's answer per occurrence, and the waitlist's order.
        migrator.registerMigration("v6") { db in
            try db.execute(
                sql: """
                    CREATE TABLE rsvp (
                        occurrence TEXT NOT NULL,
                        address TEXT NOT NULL,
                        status TEXT NOT NULL,
                        answeredAt DATETIME NOT NULL,
                        -- Set while waitlisted: the order seats are offered in.
                        waitOrder INTEGER,
                        PRIMARY KEY (occurrence, address)
                    );
                    CREATE INDEX rsvp_status ON rsvp(occurrence, status, waitOrder);
                    """)
        }
        // The way back in by mail: delivery reports found by Message-ID, what each received
        // message was, the bounces of each address (three soft ones count as a hard one), and
        // how far the mailbox has been read.
        migrator.registerMigration("v7") { db in
            try db.execute(
                sql: """
                    CREATE INDEX delivery_message ON delivery(messageId);
                    ALTER TABLE delivery ADD COLUMN bounce TEXT;
                    CREATE TABLE inbound (
                        key TEXT PRIMARY KEY,
                        disposition TEXT NOT NULL,
                        summary TEXT NOT NULL,
                        receivedAt REAL NOT NULL
                    );
                    CREATE TABLE bounce (
                        mailingId TEXT NOT NULL,
                        recipient TEXT NOT NULL,
                        class TEXT NOT NULL,
                        status TEXT NOT NULL,
                        diagnostic TEXT,
                        at REAL NOT NULL,
                        inboundKey TEXT NOT NULL
                    );
                    CREATE INDEX bounce_recipient ON bounce(recipient, at);
                    CREATE TABLE mailboxPosition (
                        mailbox TEXT PRIMARY KEY,
                        uidValidity INTEGER NOT NULL,
                        lastUID INTEGER NOT NULL,
                        unreadBelow INTEGER NOT NULL,
                        fetchedThrough INTEGER NOT NULL
                    );
                    """)
        }
        return migrator
    }
}

/// Why the SQLite ledger could not do what was asked, naming the file or delivery concerned.
public enum SQLiteLedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The state folder or the database in it could not be opened or set up.
    case cannotOpen(path: String, reason: String)
    /// A newer inviter has changed the file; this one would misread it.
    case newerSchema(path: String)
    /// A send or an outcome for a pair that was never registered: a caller's bug,
    /// reported rather than silently lost.
    case unknownDelivery(DeliveryKey)
    /// A stored value this version cannot read (edited by hand, or written by a newer version).
    case unreadable(column: String, value: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open the ledger at \(path): \(reason)"
        case .newerSchema(let path):
            return "the ledger at \(path) was written by a newer version of inviter; update inviter"
        case .unknownDelivery(let key):
            return "the ledger has no delivery \(key); register the mailing first"
        case .unreadable(let column, let value):
            return "the ledger holds \(value.debugDescription) in \(column), which this version cannot read"
        }
    }
}
