import Foundation
import Synchronization

/// What rendering and encoding repeat from one message to the next, worked out once: encoded
/// header fields, calendar entries, Ink's HTML, and the date texts of each occurrence with their
/// formatters.
///
/// Every recipient of a mailing in one language gets the same calendar entry, the same Markdown
/// and the same dates, and most header fields are alike in every message of a run, so a list of
/// 10,000 works each of them out a handful of times instead of 10,000. The cache belongs to
/// whoever makes the messages, a ``MessageRenderer`` and its copies, and lives as long as it
/// does: one run, one preview, one test. It is handed explicitly to what uses it
/// (``MessageEncoder/init(cache:)``, ``ICalendar``, ``DateTexts``); each of them gives the same
/// result without one, only computed afresh, so nothing one renderer remembers can change what
/// another one writes.
///
/// Every table is bounded and emptied when full: a run has a few mailings in a few languages, so
/// the bound only stops unbounded growth in a process that renders for a long time.
public final class RenderCache: Sendable {
    /// Encoded header fields by name and value (all but To, Message-ID and List-Unsubscribe are
    /// the same in every message of a mailing).
    private let fields = Mutex<[String: String]>([:])
    /// VCALENDAR texts by everything they are built from.
    private let calendars = Mutex<[ICalendar.CacheKey: String]>([:])
    /// Ink's HTML by its Markdown input (and whether raw HTML was escaped).
    private let markdown = Mutex<[String: String]>([:])
    /// Date formatters and the texts made with them, a shelf per language and zone, each under a
    /// lock of its own: the formatters are not `Sendable` and are used only under their shelf's
    /// lock, and making a language's formatters takes ICU a while, which the other languages
    /// need not wait for (the template check, on every core, starts with every language at once).
    private let dates = Mutex<[DateTexts.FormattersKey: DateShelf]>([:])

    public init() {}

    /// The text of an encoded header field, made by `make` the first time `key` is asked for.
    func field(_ key: String, _ make: () throws(MessageEncodingError) -> String) throws(MessageEncodingError)
        -> String
    {
        try Self.value(for: key, in: fields, limit: 4_096, make)
    }

    /// A VCALENDAR text, built by `make` the first time `key` is asked for.
    func calendar(_ key: ICalendar.CacheKey, _ make: () -> String) -> String {
        Self.value(for: key, in: calendars, limit: 512, make)
    }

    /// Ink's HTML for the Markdown `key` stands for, converted by `make` the first time.
    func html(_ key: String, _ make: () -> String) -> String {
        Self.value(for: key, in: markdown, limit: 512, make)
    }

    /// The date texts for `key`, made by `make` the first time with the formatters of the key's
    /// language and zone, which `formatters` makes the first time they are needed.
    ///
    /// Both happen under the shelf's lock: a formatter is not `Sendable`, so it never leaves it.
    func dateTexts(
        _ key: DateTexts.TextsKey, formatters: () -> DateTexts.Formatters,
        make: (DateTexts.Formatters) -> DateTexts
    ) -> DateTexts {
        let formattersKey = DateTexts.FormattersKey(language: key.language, zone: key.zone)
        let shelf = dates.withLock { shelves in
            if let known = shelves[formattersKey] { return known }
            // A run has a few languages in one zone; the bound only stops unbounded growth.
            if shelves.count >= 256 { shelves.removeAll(keepingCapacity: true) }
            let made = DateShelf()
            shelves[formattersKey] = made
            return made
        }
        return shelf.cache.withLock { cache in
            if let known = cache.texts[key] { return known }
            let found: DateTexts.Formatters
            if let known = cache.formatters {
                found = known
            } else {
                found = formatters()
                cache.formatters = found
            }
            let texts = make(found)
            // Enough for every occurrence of a run.
            if cache.texts.count >= 1_024 { cache.texts.removeAll(keepingCapacity: true) }
            cache.texts[key] = texts
            return texts
        }
    }

    /// The value for `key` in `table`, made by `make` outside the lock the first time: two threads
    /// may both make it then, and get equal values, since every maker here is a pure function.
    private static func value<Key: Hashable & Sendable, Value: Sendable, Failure: Error>(
        for key: Key, in table: borrowing Mutex<[Key: Value]>, limit: Int,
        _ make: () throws(Failure) -> Value
    ) throws(Failure) -> Value {
        if let known = table.withLock({ $0[key] }) { return known }
        let value = try make()
        table.withLock { table in
            if table.count >= limit { table.removeAll(keepingCapacity: true) }
            table[key] = value
        }
        return value
    }
}

/// The date formatters and texts of one language and zone, with their own lock.
private final class DateShelf: Sendable {
    let cache = Mutex(DateTexts.Cache())
}
