// swift-tools-version: 6.2
// 6.2 because hummingbird-websocket 2.8.1 (the Server target, issue 5) requires it.
import PackageDescription

let package = Package(
    name: "talkshop",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "talkshop", targets: ["talkshop"]),
        .library(name: "AudioCodec", targets: ["AudioCodec"]),
        .library(name: "Grammar", targets: ["Grammar"]),
        .library(name: "Recognition", targets: ["Recognition"]),
        .library(name: "Commerce", targets: ["Commerce"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        // SwiftNIO directly for the connection gate's channel handlers (issue 16).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        // The shared database of several nodes (issue 19).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Metrics through the ecosystem's API, exported in Prometheus's format (issue 29).
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // System libraries from Debian. The shims give fixed-arity wrappers for variadic C calls.
        .systemLibrary(
            name: "COpus",
            pkgConfig: "opus",
            providers: [.apt(["libopus-dev"])]
        ),
        .systemLibrary(
            name: "CPocketSphinx",
            pkgConfig: "pocketsphinx",
            providers: [.apt(["libpocketsphinx-dev", "pocketsphinx-en-us"])]
        ),

        .systemLibrary(
            name: "CEspeakNG",
            pkgConfig: "espeak-ng",
            providers: [.apt(["libespeak-ng-dev"])]
        ),
        // Denoisers for the front end, from PyPI wheels that scripts/setup.sh installs into
        // /usr/local/lib (the shims declare their C API: the wheels ship no headers).
        .systemLibrary(name: "CRNNoise", pkgConfig: "rnnoise"),
        .systemLibrary(name: "CDeepFilter", pkgConfig: "deepfilter"),

        .target(name: "AudioCodec", dependencies: ["COpus"]),
        .target(name: "Speech", dependencies: ["CEspeakNG", "AudioCodec"]),
        .target(name: "Grammar", dependencies: ["Yams"]),
        .target(name: "Commerce"),
        .target(name: "Conversation", dependencies: ["Commerce", "Grammar"]),
        .target(name: "Recognition", dependencies: ["CPocketSphinx", "Grammar", "AudioCodec", "FrontEnd"]),
        .target(name: "FrontEnd", dependencies: ["AudioCodec", "CRNNoise", "CDeepFilter"]),
        .target(
            // The order pipeline: payment, fulfilment, cancellations and refunds, on Commerce and
            // Store only, so the staff CLI and tests use it without the HTTP server or a decoder.
            name: "Orders",
            dependencies: ["Commerce", "Store", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "Store",
            dependencies: [
                "Commerce", "Yams",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // The device protocol's messages (docs/protocol.md): Foundation only, shared by the
        // server, the simulators and any Swift client.
        .target(
            name: "PostgresStore",
            dependencies: [
                "Store", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "VoiceProtocol"),
        .target(
            // Clients that speak to a running server like a device or a phone bridge would:
            // `talkshop say`, `talkshop call`, the load benchmark and the live tests. Not the server.
            name: "Simulators",
            dependencies: [
                "AudioCodec", "VoiceProtocol",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Server",
            dependencies: [
                "AudioCodec", "FrontEnd", "Grammar", "Recognition", "Store", "PostgresStore", "Commerce", "Orders", "Conversation", "Speech",
                "Yams", "VoiceProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(name: "Benchmarks", dependencies: ["AudioCodec", "FrontEnd", "Grammar", "Recognition"]),
        .target(
            name: "TalkshopTesting",
            dependencies: [
                "AudioCodec", "Grammar", "Yams", "PostgresStore", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "talkshop",
            dependencies: [
                "AudioCodec",
                "Conversation",
                "FrontEnd",
                "Grammar",
                "Recognition",
                "Benchmarks",
                "Server",
                "Store",
                "Orders",
                "PostgresStore",
                "Simulators",
                "VoiceProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        .testTarget(name: "AudioCodecTests", dependencies: ["AudioCodec", "Grammar", "TalkshopTesting"]),
        .testTarget(name: "GrammarTests", dependencies: ["Grammar", "TalkshopTesting"]),
        .testTarget(name: "FrontEndTests", dependencies: ["FrontEnd", "AudioCodec", "Benchmarks", "TalkshopTesting"]),
        .testTarget(name: "RecognitionTests", dependencies: ["Recognition", "CPocketSphinx", "Grammar", "AudioCodec", "Benchmarks", "TalkshopTesting"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Commerce", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "CommerceTests", dependencies: ["Commerce"]),
        .testTarget(name: "OrdersTests", dependencies: ["Orders", "Store", "Commerce"]),
        .testTarget(
            name: "PostgresStoreTests",
            dependencies: [
                "PostgresStore", "Store", "Commerce", "TalkshopTesting", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "ConversationTests", dependencies: ["Conversation", "Commerce", "Grammar"]),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Store", "AudioCodec", "TalkshopTesting", "Simulators", "VoiceProtocol",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "TalkshopCLITests",
            dependencies: [
                "TalkshopTesting", "Server", "Simulators", "VoiceProtocol", "Store", "PostgresStore", "Commerce",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
    ]
)
