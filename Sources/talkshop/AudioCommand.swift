import ArgumentParser

struct AudioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audio",
        abstract: "Inspect, decode and benchmark audio files.",
        discussion: """
            Formats: Ogg Opus and WAV (PCM16 or μ-law) are recognised by content; headerless
            μ-law (.ul, .ulaw, .mulaw) and L16 (.raw, .l16, .pcm) by extension, described with
            --rate, --channels and --byte-order.
            """,
        subcommands: [AudioInfoCommand.self, AudioDecodeCommand.self, AudioBenchCommand.self, AudioAdaptationSetCommand.self]
    )
}
