import ArgumentParser

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks that print their figures: accuracy, false accepts, endpoints in noise, speed, sweep, load, connection flood, the shared database's write path.",
        subcommands: [
            BenchAccuracyCommand.self, BenchFalseAcceptsCommand.self, BenchSpeedCommand.self, BenchSweepCommand.self, BenchLoadCommand.self,
            BenchFloodCommand.self, BenchEndpointsCommand.self, BenchSplitsCommand.self, BenchStoreCommand.self,
        ]
    )
}
