import Logging

extension ToolLogging {
    /// A logger writing to standard error, where cron collects diagnostics.
    ///
    /// `--trace` lowers the level to `.trace`, which shows the SMTP conversation;
    /// the transport has already redacted AUTH from every line it hands over.
    static func makeLogger(label: String, trace: Bool) -> Logger {
        var logger = Logger(label: label) { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = trace ? .trace : .info
        return logger
    }
}

/// The namespace for the tool's logging helpers.
enum ToolLogging {}
