import Foundation
import HTTPTypes
import Hummingbird
import InviterCore
import Logging
import NIOCore

/// `inviter serve`: the routes of DESIGN.md's "The way back in", on Hummingbird.
///
/// This file only turns HTTP into calls of ``WebService`` and its answers back into HTTP; what a
/// page says and records is decided there. Every response carries headers that keep the pages
/// safe to open from mail: no scripts, no framing, and no Referer that could carry a token away.
public struct WebServer: Sendable {
    let service: WebService
    let sender: ConfirmationSender
    let limiter = ClientLimiter()
    let logger: Logger
    /// The time the pages go by: the real one, or `serve --now`'s moment moving on from its start.
    let clock: @Sendable () -> Date

    public init(
        service: WebService, sender: ConfirmationSender, logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.service = service
        self.sender = sender
        self.logger = logger
        self.clock = clock
    }

    /// Serves until SIGTERM or SIGINT; `ready` gets the address actually bound (port 0 picks one).
    public func run(host: String, port: Int, ready: @escaping @Sendable (String) -> Void) async throws {
        let router = Router(context: WebRequestContext.self)
        router.add(middleware: WebMiddleware(logger: logger, service: service))
        let base = service.network.configuration.web?.basePath ?? ""
        let routes = base.isEmpty ? router.group() : router.group(RouterPath(base))
        routes.get("/healthz") { _, _ in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        routes.get("/unsubscribe/:token") { request, context in
            let token = try context.parameters.require("token")
            return html(service.unsubscribePage(token: token, acceptLanguage: request.acceptLanguage))
        }
        routes.post("/unsubscribe/:token") { request, context in
            let token = try context.parameters.require("token")
            var request = request
            let body = try await request.collectBody(upTo: FormBody.limit)
            let asked = FormBody.unsubscribeRequest(
                contentType: request.headers[.contentType], body: Array(buffer: body))
            return html(
                try await service.unsubscribe(
                    token: token, request: asked, acceptLanguage: request.acceptLanguage, now: clock()))
        }
        routes.get("/rsvp/:token") { request, context in
            let token = try context.parameters.require("token")
            let answer = request.uri.queryParameters["answer"].map(String.init)
            return html(
                try service.rsvpPage(
                    token: token, answer: answer, acceptLanguage: request.acceptLanguage, now: clock()))
        }
        routes.post("/rsvp/:token") { request, context in
            let token = try context.parameters.require("token")
            var request = request
            let body = try await request.collectBody(upTo: FormBody.limit)
            return html(
                try service.answerRSVP(
                    token: token, fields: FormBody.fields(Array(buffer: body)),
                    acceptLanguage: request.acceptLanguage, now: clock()))
        }
        routes.get("/join") { request, _ in
            let occurrence = request.uri.queryParameters["occurrence"].map(String.init)
            return html(
                service.joinPage(occurrence: occurrence, acceptLanguage: request.acceptLanguage, now: clock())
            )
        }
        routes.post("/join") { [limiter, sender, clock] request, context in
            var request = request
            let body = try await request.collectBody(upTo: FormBody.limit)
            guard limiter.admit(context.client(request), now: clock()) else {
                return html(service.tooMany(request.acceptLanguage))
            }
            let form = WebService.JoinForm(fields: FormBody.fields(Array(buffer: body)))
            let (page, queued) = try service.join(form, acceptLanguage: request.acceptLanguage, now: clock())
            if queued { await sender.poke() }
            return html(page)
        }
        routes.get("/join/:token") { request, context in
            let token = try context.parameters.require("token")
            return html(
                try service.confirmationPage(
                    token: token, acceptLanguage: request.acceptLanguage, now: clock()))
        }
        routes.post("/join/:token") { request, context in
            let token = try context.parameters.require("token")
            var request = request
            _ = try await request.collectBody(upTo: FormBody.limit)
            return html(
                try service.confirm(token: token, acceptLanguage: request.acceptLanguage, now: clock()))
        }
        var quiet = logger
        quiet.logLevel = .warning
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let address = channel.localAddress
                ready("\(address?.ipAddress ?? host):\(address?.port ?? port)")
            },
            logger: quiet)
        // Confirmations that waited (a relay that was down, a retry due) go out without a new sign-up.
        let sender = self.sender
        let ticker = Task {
            while !Task.isCancelled {
                await sender.poke()
                try? await Task.sleep(for: .seconds(60))
            }
        }
        defer { ticker.cancel() }
        try await app.runService()
    }
}

/// A page as an HTTP response.
func html(_ page: WebResponse) -> Response {
    Response(
        status: HTTPResponse.Status(code: page.status),
        headers: [.contentType: "text/html; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(string: page.html)))
}

extension Request {
    var acceptLanguage: String? { headers[.acceptLanguage] }
}

/// The request context: Hummingbird's, and the peer's address for the sign-up limit.
struct WebRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// Who is asking: the peer, or behind a proxy on this host the address it forwards for.
    func client(_ request: Request) -> String {
        let peer = remoteAddress?.ipAddress ?? "unknown"
        let loopback = peer == "127.0.0.1" || peer == "::1" || peer.hasPrefix("::ffff:127.")
        if loopback, let forwarded = request.headers[.xForwardedFor] {
            return forwarded.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) }
                ?? peer
        }
        return peer
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For") ?? .via
}

/// One log line per request (method, route with its token left out, status, time) and the
/// headers every answer carries; a body over the limit and a route that does not exist get a page.
struct WebMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext
    let logger: Logger
    let service: WebService

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            // collectBody(upTo:) throws NIO's own error for a body over the limit, not an HTTPError.
            response = html(
                service.plain(status: 413, key: "page_too_large", acceptLanguage: request.acceptLanguage))
        } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
            response = html(service.notFound(request.acceptLanguage))
        } catch {
            logger.error("\(request.method) \(route(request.uri.path)): \(error)")
            response = html(
                service.plain(status: 500, key: "page_error", acceptLanguage: request.acceptLanguage))
        }
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
            + "base-uri 'none'; frame-ancestors 'none'"
        for (name, value) in Self.safetyHeaders {
            if let field = HTTPField.Name(name) { response.headers[field] = value }
        }
        response.headers[.cacheControl] = "no-store"
        let elapsed = ContinuousClock.now - started
        let milliseconds =
            Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        logger.info(
            "\(request.method) \(route(request.uri.path)) \(response.status.code) \(String(format: "%.1f", milliseconds)) ms"
        )
        return response
    }

    static let safetyHeaders = [
        ("X-Frame-Options", "DENY"), ("Referrer-Policy", "no-referrer"),
        ("X-Content-Type-Options", "nosniff"),
    ]

    /// The path with every segment but those of `base_url`'s path and the routes' own words
    /// replaced by `…`, and no query: a log never holds a token, even one sent to a wrong path,
    /// nor an address.
    func route(_ path: String) -> String {
        let base = (service.network.configuration.web?.basePath ?? "").split(separator: "/")
        let known = Set(base).union(["unsubscribe", "rsvp", "join", "healthz"])
        return path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.isEmpty || known.contains(part) ? String(part) : "…"
        }.joined(separator: "/")
    }

}
