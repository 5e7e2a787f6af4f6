import Foundation
import TalkshopTesting
import Testing

/// deploy/haproxy.cfg as an operator loads it: it once refused to load without a third node
/// ("'server' expects <name> and <addr>").
struct ProxyConfigurationTests {
    @Test(arguments: [1, 2, 3])
    func theSampleConfigurationLoadsForOneToThreeNodes(_ count: Int) throws {
        let haproxy = ExternalTool(executable: ProxyProcess.binary)
        var environment = ["TALKSHOP_PROXY_BIND": "127.0.0.1:18080"]
        for index in 1...count { environment["TALKSHOP_NODE\(index)"] = "127.0.0.1:\(18_080 + index)" }
        let check = try haproxy.run(["-c", "-f", TestPaths.repository.appendingPathComponent("deploy/haproxy.cfg").path], environment: environment)
        #expect(check.status == 0, "\(count) nodes: \(check.standardOutput) \(check.standardError)")
    }
}
