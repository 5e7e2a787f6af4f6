import ArgumentParser

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Start the voice server (WebSocket /v1/voice).")

    func run() async throws {
        // The server arrives with issue 5; until then say so plainly and fail.
        throw ValidationError("the voice server is not built yet (issue 5); try `talkshop audio --help`")
    }
}
