import Foundation

extension Configuration {
    /// The transport this configuration names, with the SMTP password loaded from its variable or
    /// file: the one place a command turns settings into something that sends.
    ///
    /// - Parameter trace: Receives the SMTP conversation, AUTH redacted, when set.
    /// - Throws: `TransportError` when the settings or the password cannot be used.
    public func makeTransport(trace: (@Sendable (String) -> Void)? = nil) throws(TransportError)
        -> any Transport
    {
        switch delivery.transport {
        case .outbox:
            return OutboxTransport(directory: delivery.outbox)
        case .smtp:
            guard let smtp else { throw .configuration("transport = \"smtp\" needs an [smtp] section") }
            let password = try smtp.password.map { source throws(TransportError) in
                try Secret.load(from: source)
            }
            var settings = smtp.settings(password: password, connections: delivery.connections)
            settings.trace = trace
            return try SMTPTransport(settings: settings)
        }
    }
}

extension Secret.Source {
    /// The source a command's `--password-env NAME` or `--password-file PATH` names: at most one of
    /// them, none for a relay without AUTH.
    ///
    /// - Throws: `TransportError.configuration` when both are given.
    public static func given(environment: String?, file: String?) throws(TransportError) -> Secret.Source? {
        switch (environment, file) {
        case (let name?, nil): return .environment(name)
        case (nil, let path?): return .file(path)
        case (nil, nil): return nil
        case (_?, _?): throw .configuration("give either --password-env or --password-file, not both")
        }
    }
}
