import AlmanacConfig
import AlmanacExperiments
import AlmanacReporting
import ArgumentParser
import Foundation

struct ExperimentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment", abstract: "Experiments: analyse per-variant sums as GrowthBook's engine does.", subcommands: [Analyze.self])

    struct Analyze: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lift, intervals, p-values (fixed and sequential), chance to beat control and the split's check, from a file of sums.")
        @Argument(help: "A JSON or YAML file: kind, weights, cuped, and variants with n, sum, sum_squares, ...") var file: String
        @OptionGroup var common: CommonOptions

        func run() throws {
            let data = try loadOrExit {
                let attributes = try FileManager.default.attributesOfItem(atPath: file)
                guard (attributes[.size] as? Int ?? 0) <= 4 << 20 else { throw ValidationError("\(file): over 4 MB") }
                return try Dataset.parse(try ConfigDocument.parse(try String(contentsOfFile: file, encoding: .utf8), file: file))
            }
            let analysis = Analysis(data)
            switch common.format {
            case .json: print(try JSONReport.string(analysis, pretty: true))
            case .markdown: print(analysis.text(markdown: true), terminator: "")
            case .text, .html: print(analysis.text(markdown: false), terminator: "")
            }
        }
    }
}
