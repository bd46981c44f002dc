import AlmanacCatalog
import Foundation

/// Reads a repository's history with git itself, oldest first, for the truck factor.
public enum GitHistory {
    public static func commits(repository: String) async throws -> [Commit] {
        // Renames count as new files: simpler than following them, and what a reader of `git log` sees.
        TruckFactor.parseLog(
            try await GitRepository.run(repository, ["log", "--reverse", "--no-renames", "--no-merges", "--format=%x1e%aN", "--name-status"]))
    }
}
