import AlmanacConfig
import AlmanacRollout
import Foundation
import Logging

/// `pipeline/pipeline.yaml` of the config repository, when there is one.
public enum PipelineFiles {
    public static func load(configDirectory: String) throws -> Pipeline? {
        let file = "pipeline/pipeline.yaml"
        guard FileManager.default.fileExists(atPath: configDirectory + "/" + file) else { return nil }
        var pipeline = try PipelineFile.parse(try ConfigDocument.parse(try ConfigFolder.read(root: configDirectory, file: file), file: file))
        if !pipeline.repository.hasPrefix("/") { pipeline.repository = configDirectory + "/" + pipeline.repository }
        pipeline.directory = configDirectory
        return pipeline
    }
}

/// The pipeline currently in force (nil: the repository has none).
public typealias PipelineConfig = ReloadingFiles<Pipeline?>

extension ReloadingFiles where Value == Pipeline? {
    public convenience init(configDirectory: String, clock: WallClock, logger: Logger) throws {
        try self.init(configDirectory: configDirectory, folders: ["pipeline"], clock: clock, logger: logger) {
            try PipelineFiles.load(configDirectory: $0)
        }
    }
}
