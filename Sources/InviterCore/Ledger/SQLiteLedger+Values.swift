import GRDB

// The model's identities are stored as the text they print, and read back through their own
// parsers: a row that does not parse fails with GRDB's decoding error naming the column, never
// with a crash, and no query has to convert by hand.

extension MailingID: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { description.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> MailingID? {
        String.fromDatabaseValue(dbValue).flatMap { MailingID($0) }
    }
}

extension AddressKey: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { value.databaseValue }

    /// Keys are stored folded; folding again costs nothing for text without capitals.
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> AddressKey? {
        String.fromDatabaseValue(dbValue).map(AddressKey.init)
    }
}

extension OccurrenceID: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { description.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> OccurrenceID? {
        String.fromDatabaseValue(dbValue).flatMap { OccurrenceID($0) }
    }
}
