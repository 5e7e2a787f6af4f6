import Commerce
import Foundation
import GRDB
import PostgresStore
import Store
import TalkshopTesting
import Testing

/// The shop staff's commands, run as a user would, on a database in a temporary directory.
struct StaffCommandTests {
    let talkshop = ExternalTool(executable: TestPaths.talkshopBinary)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-staff-\(UUID())")

    /// On a shared database the commands get the nodes' key-encryption key, as an operator's would.
    func run(_ arguments: [String], database: String? = nil) throws -> ExternalTool.Result {
        try talkshop.run(
            arguments + ["--data-directory", directory.path] + (database.map { ["--database", $0] } ?? []),
            environment: database == nil ? [:] : ServerProcess.sharedKeyEnvironment)
    }

    /// The databases the staff commands run on: the SQLite file, and (when the test script
    /// started it) PostgreSQL, migrated.
    static let databases: [String] = TestPostgres.serverURL == nil ? ["sqlite"] : ["sqlite", "postgres"]

    /// Runs `body` with the `--database` URL for `kind` (nil: SQLite).
    func withDatabase(_ kind: String, _ body: (String?) async throws -> Void) async throws {
        guard kind == "postgres" else { return try await body(nil) }
        try await TestPostgres.withDatabase { url, _ in
            let unmigrated = try run(["customers", "list"], database: url)
            #expect(unmigrated.status != 0 && unmigrated.standardError.contains("talkshop db migrate"), "\(unmigrated.standardError)")
            #expect(try run(["db", "migrate"], database: url).status == 0)
            try await body(url)
        }
    }

    @Test(arguments: databases)
    func customersAndDevicesAreAddedListedAndChecked(on kind: String) async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withDatabase(kind) { database in try customersAndDevices(database: database) }
    }

    func customersAndDevices(database: String?) throws {
        let run = { (arguments: [String]) in try self.run(arguments, database: database) }
        let added = try run(["customers", "add", "--id", "ann", "--name", "Ann", "--pin", "4711", "--payment-method", "pm_card_visa",
                             "--payment-label", "Visa ending 4242", "--address", "2 High Street"])
        #expect(added.status == 0, "\(added.standardError)")
        let list = try run(["customers", "list"])
        #expect(list.standardOutput.contains("ann  Ann  (PIN set, Visa ending 4242)"), "\(list.standardOutput)")
        #expect(!list.standardOutput.contains("4711"))

        let badPIN = try run(["customers", "add", "--name", "Bo", "--pin", "12"])
        #expect(badPIN.status != 0 && badPIN.standardError.contains("exactly 4 digits"), "\(badPIN.standardError)")

        let device = try run(["devices", "add", "--name", "hall speaker", "--customer", "ann", "--pin-required"])
        #expect(device.status == 0 && device.standardOutput.contains("token: tsk_"), "\(device.standardError)")
        let orphan = try run(["devices", "add", "--name", "x", "--customer", "nobody"])
        #expect(orphan.status != 0 && orphan.standardError.contains("no customer nobody"))
        let unknown = try run(["devices", "revoke", "no-such-device"])
        #expect(unknown.status != 0 && unknown.standardError.contains("no device no-such-device"))

        let nobody = try run(["customers", "revoke", "nobody"])
        #expect(nobody.status != 0 && nobody.standardError.contains("no customer nobody"))
        let revoked = try run(["customers", "revoke", "ann"])
        #expect(revoked.status == 0 && revoked.standardOutput.contains("revoked customer ann"), "\(revoked.standardError)")
        #expect(try run(["customers", "list"]).standardOutput.contains("ann  Ann  (PIN set, Visa ending 4242, revoked)"))
    }

    /// `db status` changes nothing and fails while migrations are pending; `db migrate` applies them.
    @Test func theSchemaIsMigratedOnRequest() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let fresh = try run(["db", "status"])
        #expect(fresh.status != 0 && fresh.standardOutput.contains("(not created yet)") && fresh.standardOutput.contains("pending  v1: devices"), "\(fresh.standardOutput)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("talkshop.sqlite").path), "status created nothing")
        let migrated = try run(["db", "migrate"])
        #expect(migrated.status == 0 && migrated.standardOutput.contains("applied  v1: devices"), "\(migrated.standardOutput)\(migrated.standardError)")
        let status = try run(["db", "status"])
        #expect(status.status == 0 && status.standardOutput.contains(" applied, 0 pending"), "\(status.standardOutput)")
        let again = try run(["db", "migrate"])
        #expect(again.status == 0 && again.standardOutput.contains("0 applied now"), "\(again.standardOutput)")
    }

    /// Which node runs the sweep and the recovery was once nowhere to be seen.
    @Test(.enabled(if: TestPostgres.serverURL != nil, "needs scripts/test.sh's PostgreSQL"))
    func dbStatusNamesTheNodeHoldingEachLease() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withDatabase("postgres") { url throws in
            let url = try #require(url)
            let before = try run(["db", "status"], database: url)
            #expect(before.standardOutput.contains("lease order recovery: no node holds it"), "\(before.standardOutput)")
            let node = PostgresNode(database: PostgresConnections(location: try PostgresLocation(url: url)))
            #expect(try await node.owns(LeaseName.orderRecovery))
            let status = try run(["db", "status"], database: url)
            #expect(status.status == 0 && status.standardOutput.contains("lease order recovery: node \(node.key)"), "\(status.standardOutput)")
            #expect(status.standardOutput.contains("lease retention sweep: no node holds it"))
            await node.stop()
        }
    }

    @Test func aCSVImportIsAllOrNothing() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let good = directory.appendingPathComponent("good.csv")
        try "id,name,price,stock,category,requires\nflat white,flat white,3.9,40,coffee,size\n\"tea, green\",green tea,2.5,10,tea,\n"
            .write(to: good, atomically: true, encoding: .utf8)
        let imported = try run(["catalog", "import", good.path])
        #expect(imported.status == 0, "\(imported.standardError)")
        #expect(imported.standardOutput.contains("imported 2 products: 2 added, 0 updated"))
        let listed = try run(["catalog", "list"])
        #expect(listed.standardOutput.contains("flat white  flat white  USD 3.90  stock 40  requires size"), "\(listed.standardOutput)")
        #expect(listed.standardOutput.contains("tea, green  green tea  USD 2.50  stock 10"))

        let bad = directory.appendingPathComponent("bad.csv")
        try "id,name,price,stock\nflat white,flat white,4.10,40\nmocha,mocha,four,5\n".write(to: bad, atomically: true, encoding: .utf8)
        let refused = try run(["catalog", "import", bad.path])
        #expect(refused.status != 0 && refused.standardError.contains("line 3: price 'four' is not an amount"), "\(refused.standardError)")
        #expect(try run(["catalog", "list"]).standardOutput.contains("USD 3.90"), "the good row of a bad file changed nothing")
    }

    @Test func ordersAreListedShownAdvancedAndRefunded() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try AppDatabase.open(at: directory.appendingPathComponent("talkshop.sqlite"))
        try SQLiteCatalogStorage(database: database).importProducts([
            Product(id: "latte", name: "latte", price: Money(minorUnits: 425, currency: "USD"), stock: 5),
        ])
        let book = SQLiteOrderStorage(database: database)
        let line = Cart.Line(productId: "latte", quantity: 1, options: ["size": "large"], unitPrice: Money(minorUnits: 425, currency: "USD"))
        let order = try book.place(.init(customerId: "ann", deviceId: "d1", lines: [line], total: line.total, idempotencyKey: "k", source: "test")).order
        try book.update(orderId: order.id, captureId: "capture_sandbox_1_425USD")
        try book.transition(orderId: order.id, to: .paid, source: "test")

        #expect(try run(["orders", "list"]).standardOutput.contains("\(order.id)  paid"))
        let shown = try run(["orders", "show", String(order.id.prefix(8))])
        #expect(shown.standardOutput.contains("1 × latte (size=large)  USD 4.25"), "\(shown.standardOutput)")
        let advanced = try run(["orders", "advance", order.id])
        #expect(advanced.standardOutput.contains("paid → preparing"), "\(advanced.standardError)")
        let illegal = try run(["orders", "advance", order.id, "--to", "paid"])
        #expect(illegal.status != 0 && illegal.standardError.contains("an order cannot go from preparing to paid"), "\(illegal.standardError)")
        let refunded = try run(["orders", "refund", order.id, "--reason", "spilled"])
        #expect(refunded.status == 0 && refunded.standardOutput.contains("refunded USD 4.25"), "\(refunded.standardError)")
        #expect(try book.payments(orderId: order.id).map(\.kind) == [.refund])
        #expect(try book.events(orderId: order.id).map(\.status) == [.placed, .paid, .preparing, .refunded])
        let unknown = try run(["orders", "show", "nope"])
        #expect(unknown.status != 0 && unknown.standardError.contains("no order nope"))
    }

    @Test func auditVerifyPassesAnIntactTrailAndFailsATamperedOne() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try AppDatabase.open(at: directory.appendingPathComponent("talkshop.sqlite"))
        let log = SQLiteAuditStorage(database: database, headFile: directory.appendingPathComponent("audit-head"))
        try log.append(actor: "officer", action: "hold", subject: "customer:ann", reason: "case 7")
        try log.append(actor: "officer", action: "export", subject: "customer:ann", reason: "access request", counts: ["orders": 3])
        let intact = try run(["audit", "verify"])
        #expect(intact.status == 0 && intact.standardOutput.contains("audit trail intact: 2 entries"), "\(intact.standardOutput)")
        #expect(try run(["audit", "list"]).standardOutput.contains("officer  export  customer:ann  {\"orders\":3}  \"access request\""))
        try database.writer.write { db in try db.execute(sql: "UPDATE auditEntry SET reason = 'other' WHERE sequence = 1") }
        let broken = try run(["audit", "verify"])
        #expect(broken.status == 1 && broken.standardOutput.contains("BROKEN at entry 1"), "\(broken.standardOutput)")
    }

    @Test(arguments: databases)
    func anOfficerHoldsErasesReleasesSweepsAndExportsFromTheCommandLine(on kind: String) async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withDatabase(kind) { url in
            // The turns a node would have stored: in the data directory, or in the shared database.
            let stores: ShopStores, turns: any TurnStorage
            if let url {
                let connections = PostgresConnections(location: try PostgresLocation(url: url))
                stores = ShopStores(postgres: connections)
                let kek = try KeyVault.sharedKeyEncryptionKey(environment: ServerProcess.sharedKeyEnvironment)
                turns = PostgresTurnStorage(database: connections, vault: PostgresKeyVault(database: connections, keyEncryptionKey: kek))
            } else {
                let database = try AppDatabase.open(at: directory.appendingPathComponent("talkshop.sqlite"))
                stores = ShopStores(sqlite: database)
                turns = try SQLiteTurnStorage.open(database: database, dataDirectory: directory)
            }
            _ = try await stores.customers.add(.init(id: "ann", name: "Ann"))
            let device = try await stores.devices.register(
                name: "speaker", customerId: "ann", pinRequired: false, dailySpendLimitMinorUnits: nil, deviceClass: "speaker"
            ).device
            let conversation = try await stores.conversations.conversation(resuming: nil, customerId: "ann", initialState: "main")
            let session = try await stores.conversations.open(deviceId: device.id, channel: "voice")
            for _ in 0..<3 {
                try await turns.record(
                    Turn(conversationId: conversation.id, sessionId: session.id, customerId: "ann", transcript: "a latte", intent: "orderDrink",
                         confidence: 1, outcome: "accepted"),
                    audio: .init(oggOpus: Array("OggS-not-really".utf8), durationSeconds: 1, deviceId: device.id))
            }
            try officerCommands(database: url, sessionId: session.id)
        }
    }

    func officerCommands(database url: String?, sessionId: String) throws {
        let run = { (arguments: [String]) in try self.run(arguments, database: url) }
        let exported = try run(["retention", "export", "--customer", "ann", "-o", directory.appendingPathComponent("export").path, "--officer", "olga"])
        #expect(exported.standardOutput.contains("exported 0 orders, 3 utterances, 3 recordings"), "\(exported.standardError)")
        let held = try run(["retention", "hold", "--customer", "ann", "--reason", "case 12", "--officer", "olga"])
        let holdId = try #require(held.standardOutput.split(separator: " ").dropFirst().first.map(String.init), "\(held.standardError)")
        let deferred = try run(["retention", "purge", "--customer", "ann", "--reason", "erasure", "--reference", "E-2", "--officer", "olga"])
        #expect(deferred.status == 0 && deferred.standardOutput.contains("deferred: held by \(holdId)"), "\(deferred.standardOutput)")
        let refused = try run(["retention", "purge", "--session", sessionId, "--reason", "x", "--officer", "olga"])
        #expect(refused.status != 0 && refused.standardError.contains("under legal hold \(holdId)"), "\(refused.standardError)")
        let holds = try run(["retention", "holds"]).standardOutput
        #expect(holds.contains("\(holdId)  customer ann  by olga") && holds.contains("pending erasure"), "\(holds)")
        let released = try run(["retention", "release", holdId, "--reason", "closed", "--officer", "olga"])
        #expect(released.standardOutput.contains("carried out a deferred erasure: 3 turns and 3 recordings purged, key destroyed"),
                "\(released.standardOutput) \(released.standardError)")
        let sweep = try run(["retention", "sweep", "--dry-run"])
        #expect(sweep.status == 0 && sweep.standardOutput.contains("would delete 0 recordings"), "\(sweep.standardOutput) \(sweep.standardError)")
        let badDate = try run(["retention", "purge", "--before", "last tuesday", "--reason", "x"])
        #expect(badDate.status != 0 && badDate.standardError.contains("is not a date"))
        let unknown = try run(["retention", "purge", "--customer", "nobody", "--reason", "x"])
        #expect(unknown.status != 0 && unknown.standardError.contains("no customer nobody"))
        let trail = try run(["audit", "list"]).standardOutput
        for step in ["olga  export  customer:ann", "olga  hold  customer:ann", "olga  erasure_deferred  customer:ann", "olga  release  customer:ann",
                     "olga  erasure  customer:ann"] {
            #expect(trail.contains(step), "\(step) in \(trail)")
        }
        #expect(try run(["audit", "verify"]).status == 0)
    }

    /// `talkshop keys rotate`: afterwards the sealed data opens under the new KEK only.
    @Test(.enabled(if: TestPostgres.serverURL != nil, "needs scripts/test.sh's PostgreSQL"))
    func theKeyEncryptionKeyIsRotatedOnTheSharedDatabase() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withDatabase("postgres") { url in
            let url = try #require(url)
            let connections = PostgresConnections(location: try PostgresLocation(url: url))
            let old = try KeyVault.sharedKeyEncryptionKey(environment: ServerProcess.sharedKeyEnvironment)
            let sealed = try await PostgresKeyVault(database: connections, keyEncryptionKey: old).seal(Data("a large latte".utf8), customerId: "ann")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let newKeyFile = directory.appendingPathComponent("new.key")
            let newKey = Data((0..<32).map { UInt8(255 - $0) })
            try newKey.base64EncodedString().write(to: newKeyFile, atomically: true, encoding: .utf8)

            #expect(try run(["keys", "rotate", "--new-key-file", newKeyFile.path]).standardError.contains("for the shared database"))
            let same = directory.appendingPathComponent("same.key")
            try ServerProcess.sharedKeyEnvironment["TALKSHOP_MASTER_KEY"]!.write(to: same, atomically: true, encoding: .utf8)
            #expect(try run(["keys", "rotate", "--new-key-file", same.path], database: url).standardError.contains("is the current one"))

            let rotated = try run(["keys", "rotate", "--new-key-file", newKeyFile.path], database: url)
            #expect(rotated.status == 0 && rotated.standardOutput.contains("re-wrapped 1 customer keys"), "\(rotated.standardOutput) \(rotated.standardError)")
            let new = try KeyVault.sharedKeyEncryptionKey(environment: ["TALKSHOP_MASTER_KEY": newKey.base64EncodedString()])
            #expect(try await PostgresKeyVault(database: connections, keyEncryptionKey: new).open(sealed, customerId: "ann") == Data("a large latte".utf8))
            await #expect(throws: KeyVault.Failure.self) {
                try await PostgresKeyVault(database: connections, keyEncryptionKey: old).open(sealed, customerId: "ann")
            }
        }
    }

    @Test func theReportShowsWhatContactsCameTo() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let contacts = SQLiteContactStorage(database: try AppDatabase.open(at: directory.appendingPathComponent("talkshop.sqlite")))
        let now = Date()
        for (index, counts) in [["paid": 1, "turns": 3], ["status_answered": 1, "turns": 1], ["handed_over": 1, "turns": 1]].enumerated() {
            try contacts.record(ContactRecord(
                sessionId: "s\(index)", conversationId: "c\(index)", customerId: "cust\(index)", channel: index == 2 ? "phone" : "speaker",
                startedAt: now.addingTimeInterval(-120), endedAt: now.addingTimeInterval(-60), topic: index == 1 ? "status" : "order",
                counts: counts, endedAsking: nil, trailingRejections: 0, secondsToOrder: index == 0 ? 20 : nil))
        }
        let table = try run(["report", "--since", "1d"])
        #expect(table.status == 0 && table.standardOutput.contains("3 conversations in 3 contacts"), "\(table.standardOutput) \(table.standardError)")
        #expect(table.standardOutput.contains("Hand-over rate             1 of 3 (33%)"), "\(table.standardOutput)")
        let phone = try run(["report", "--channel", "phone", "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(phone.standardOutput.utf8)) as? [String: Any]
        #expect(json?["conversations"] as? Int == 1 && (json?["outcomes"] as? [String: Int]) == ["handed_over": 1], "\(phone.standardOutput)")
        #expect(try run(["report", "--channel", "fax"]).standardError.contains("--channel takes speaker, phone, web or text"))
        #expect(try run(["report", "--since", "last week"]).status != 0)

        // A session from before the analytics: --rebuild derives its contact from its turns.
        let database = try AppDatabase.open(at: directory.appendingPathComponent("talkshop.sqlite"))
        try SQLiteCustomerStorage(database: database).add(.init(id: "old", name: "Old"))
        let device = try SQLiteDeviceStorage(database: database).register(name: "speaker", customerId: "old").device
        let sessions = SQLiteConversationStorage(database: database)
        let conversation = try sessions.conversation(resuming: nil, customerId: "old", initialState: "main")
        let session = try sessions.open(deviceId: device.id, channel: "voice")
        try SQLiteTurnStorage.open(database: database, dataDirectory: directory).record(
            Turn(conversationId: conversation.id, sessionId: session.id, transcript: "where is my order", intent: "whereIsMyOrder",
                 confidence: 1, outcome: "accepted"))
        try sessions.close(sessionId: session.id, reason: "client_stop", utterances: 1, audioSeconds: 2)
        let rebuilt = try run(["report", "--rebuild"])
        #expect(rebuilt.standardError.contains("rebuilt 1 contacts") && rebuilt.standardOutput.contains("4 conversations in 4 contacts, 1 rebuilt"),
                "\(rebuilt.standardOutput) \(rebuilt.standardError)")
        #expect(rebuilt.standardOutput.contains("order_status_answered                2"), "\(rebuilt.standardOutput)")
    }

    @Test func staffTokensAreIssuedListedAndRevoked() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let added = try run(["staff", "add", "--name", "Olga", "--role", "officer"])
        #expect(added.status == 0 && added.standardOutput.contains("token: tss_"), "\(added.standardError)")
        let id = try #require(added.standardOutput.split(separator: " ").dropFirst().first.map(String.init))
        #expect(try run(["staff", "list"]).standardOutput.contains("\(id)  Olga  officer"))
        #expect(try run(["staff", "add", "--name", "X", "--role", "janitor"]).status != 0)
        #expect(try run(["staff", "revoke", id]).status == 0)
        #expect(try run(["staff", "list"]).standardOutput.contains("(revoked)"))
    }
}
