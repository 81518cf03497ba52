import Foundation

/// Finds names a template uses that its context does not provide.
///
/// swift-mustache renders an unknown name as empty text without a word, so
/// `{{event.titel}}` would silently send invitations without a title. This
/// check walks each template's tags with the section nesting Mustache uses
/// and resolves every name against a complete sample context.
enum TemplateNameCheck {
    /// Problems for every name in `source` that `context` cannot resolve.
    ///
    /// - Parameters:
    ///   - firstLine: The file line where `source` starts.
    static func problems(
        in source: String, file: String, firstLine: Int, context: [String: Any]
    ) -> [InputProblem] {
        var problems: [InputProblem] = []
        var stack: [Any] = [context]
        var open: [String] = []
        for tag in TemplateTags.scan(source, firstLine: firstLine).tags {
            switch tag.kind {
            case .variable, .sectionOpen, .invertedOpen:
                let resolved = tag.name == "." ? stack.last : resolve(tag.name, in: stack)
                if resolved == nil {
                    let known = knownNames(in: stack)
                    problems.append(
                        InputProblem(
                            file: file, line: tag.line, field: "{{\(tag.name)}}",
                            message:
                                "no such name in this template's context\(Suggestion.didYouMean(tag.name, among: known))",
                            kind: .configuration))
                }
                if tag.kind != .variable {
                    open.append(tag.name)
                    // Inside a section the value's own names come first; a list's elements share one shape.
                    switch resolved {
                    case let dictionary as [String: Any]: stack.append(dictionary)
                    case let list as [[String: Any]]: stack.append(list.first ?? [:])
                    default: stack.append([String: Any]())
                    }
                }
            case .sectionClose:
                if !open.isEmpty {
                    open.removeLast()
                    stack.removeLast()
                }
            case .other:
                break
            }
        }
        return problems
    }

    /// Resolves a dotted name the way Mustache does: the first part from the innermost context outwards, the rest inside it.
    static func resolve(_ name: String, in stack: [Any]) -> Any? {
        let parts = name.split(separator: ".").map(String.init)
        guard let first = parts.first else { return nil }
        for context in stack.reversed() {
            guard let dictionary = context as? [String: Any], var value = dictionary[first] else { continue }
            for part in parts.dropFirst() {
                guard let next = (value as? [String: Any])?[part] else { return nil }
                value = next
            }
            return value
        }
        return nil
    }

    /// Every dotted name reachable in the stack, for suggestions.
    private static func knownNames(in stack: [Any]) -> [String] {
        var names: [String] = []
        func collect(_ value: Any, prefix: String) {
            guard let dictionary = value as? [String: Any] else { return }
            for (key, child) in dictionary {
                let name = prefix.isEmpty ? key : "\(prefix).\(key)"
                names.append(name)
                collect(child, prefix: name)
            }
        }
        for context in stack { collect(context, prefix: "") }
        return names
    }
}
