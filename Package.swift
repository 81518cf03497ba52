// swift-tools-version:6.1
import PackageDescription

/// One set of settings for every target, so that the whole package is held to
/// the same language rules (as Hummingbird does).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Inviter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "inviter", targets: ["inviter"]),
        .library(name: "InviterCore", targets: ["InviterCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/JohnSundell/Ink", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // libcurl as a system library, with static inline wrappers for the
        // variadic calls that Swift cannot import.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // The system's OpenSSL libcrypto, for RSA signatures only: its RSA-2048 signature costs
        // half of what swift-crypto's BoringSSL needs on this hardware (AVX-512 IFMA), and DKIM
        // signs every message. libcurl links the same library already.
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(
            name: "InviterCore",
            dependencies: [
                "CCurl",
                "CLibCrypto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Ink", package: "Ink"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["Dispatch/README.md"],
            swiftSettings: swiftSettings
        ),
        // `inviter serve`: the pages and one-click answers on Hummingbird, kept out of the core so
        // that the library and its tests need no HTTP server.
        .target(
            name: "InviterWeb",
            dependencies: [
                "InviterCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "inviter",
            dependencies: [
                "InviterCore",
                "InviterWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // What both kinds of tests share: fixture paths, the network fixture, the SMTP servers on
        // loopback, the MIME decoder and identities written as literals. A library rather than a
        // test target, so that both test targets can import it.
        .target(
            name: "InviterTestSupport",
            dependencies: ["InviterCore"],
            path: "Tests/InviterTestSupport",
            swiftSettings: swiftSettings
        ),
        // Unit and integration tests of the library: they call InviterCore directly (against
        // real SMTP servers where delivery is what they test, or the in-memory twins).
        .testTarget(
            name: "InviterCoreTests",
            dependencies: ["InviterCore", "InviterTestSupport"],
            exclude: ["Render/Golden"],
            swiftSettings: swiftSettings
        ),
        // End-to-end tests: they spawn the built `inviter` binary, as cron or an organizer would.
        .testTarget(
            name: "InviterEndToEndTests",
            dependencies: ["InviterCore", "InviterTestSupport"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
