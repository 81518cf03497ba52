import Foundation
import InviterTestSupport
import Testing

@testable import InviterCore

/// Loading a template folder, whose files are read and parsed on every core: what is loaded and
/// what is reported must not depend on which file a core happened to finish first.
struct TemplateSetTests {
    /// A copy of the shipped templates to break, removed after.
    static func copyOfShippedTemplates() throws -> URL {
        let folder = try TestPaths.temporaryDirectory("templates").appendingPathComponent("Templates")
        try FileManager.default.copyItem(at: RenderFixture.templates, to: folder)
        return folder
    }

    static func write(_ text: String, to path: String, in folder: URL) throws {
        let url = folder.appendingPathComponent(path)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    @Test func theShippedTemplatesLoadEveryKindInEveryLanguageOfItsFolder() throws {
        let set = try TemplateSet.load(directory: RenderFixture.templates)
        for kind in ["invitation", "reminder", "cancellation", "partner", "update", "seat"] {
            let files = try FileManager.default.contentsOfDirectory(
                atPath: RenderFixture.templates.appendingPathComponent(kind).path
            ).filter { $0.hasSuffix(".mustache") }
            #expect(
                set.languages(for: kind).map(\.identifier)
                    == files.map { String($0.dropLast(".mustache".count)) }.sorted(), "\(kind)")
        }
    }

    /// Every broken file is reported, in the order of the folders and of the files in each, the
    /// layout's first; an announcement folder without a file is still an announcement.
    @Test func everyProblemIsReportedInTheFilesOrder() throws {
        let folder = try Self.copyOfShippedTemplates()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        try Self.write("<html>{{#body}}</html>\n", to: "layout.html.mustache", in: folder)
        try Self.write("subject: Hej\n---\nHej {{#x}}\n", to: "invitation/dk.mustache", in: folder)
        try Self.write("subject: Hi\n---\n{{#open}}\n", to: "invitation/fr.mustache", in: folder)
        try Self.write("no subject line\n", to: "reminder/de.mustache", in: folder)
        try Self.write("subject: News\n---\n{{/open}}\n", to: "announcements/news/en.mustache", in: folder)
        #expect {
            try TemplateSet.load(directory: folder)
        } throws: { error in
            let files = (error as? InputProblems)?.problems.map(\.file) ?? []
            return files
                == [
                    "layout.html.mustache", "invitation/dk.mustache", "invitation/fr.mustache",
                    "reminder/de.mustache", "announcements/news/en.mustache",
                ].map { InputFiles.displayName(folder.appendingPathComponent($0)) }
        }
    }

    @Test func anAnnouncementFolderWithoutAFileIsListed() throws {
        let folder = try Self.copyOfShippedTemplates()
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("announcements/empty"), withIntermediateDirectories: true)
        let set = try TemplateSet.load(directory: folder)
        #expect(set.announcements.contains("empty"))
        #expect(set.languages(for: "announcements/empty").isEmpty)
    }
}
