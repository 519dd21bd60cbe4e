// Build-tool plugin: compiles schema/*.sql (at the package root, the single
// source of truth for the catalog schema) into the SpateCatalog target as a
// generated Swift file, so that the one spate executable carries its migrations.
//
// Why a plugin and not resources: SwiftPM resources must sit inside the target's
// directory, and `.embedInCode` names each file's bytes separately, so every new
// migration would need a Package.swift edit and Swift code to list it; a
// checked-in generated file would be a second copy that can drift.
//
// Why the generator runs at every build: SwiftPM caches the build plan (and so
// this plugin's answer) until a target's directory structure or Package.swift
// changes, and schema/ is in no target. A file list fixed here would miss a
// migration added later, or its later edits. So the generator lists schema/
// itself each time it runs, and it runs every build: one of its inputs is its
// own work directory, whose modification time it changes on every run (see the
// stamp in SchemaEmbedder/main.swift). It rewrites the Swift file only when the
// text differs, so an unchanged schema costs one short process and no recompile.
// The .sql files are deliberately not declared as inputs: a cached plan would
// go on naming a file after it is deleted, and fail the build for the missing input.

import Foundation
import PackagePlugin

@main
struct EmbedCatalogSchema: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let schemaDirectory = context.package.directoryURL.appending(path: "schema", directoryHint: .isDirectory)
        let workDirectory = context.pluginWorkDirectoryURL
        let output = workDirectory.appending(path: "CatalogSchema+Embedded.swift", directoryHint: .notDirectory)
        return [
            .buildCommand(
                displayName: "Embedding catalog migrations from schema/",
                executable: try context.tool(named: "spate-schema-embed").url,
                arguments: [schemaDirectory.path, output.path],
                inputFiles: [schemaDirectory, workDirectory],
                outputFiles: [output]
            ),
        ]
    }
}
