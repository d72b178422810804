import CYaml

/// A cheap look at YAML read at run time (a root's `.meta.yaml`, `--checks-dir` check files) before it is
/// decoded.
///
/// Decoding composes the whole document first, and an alias repeats what its anchor names: nine lines of
/// nested aliases stand for billions of nodes, and an alias used as a mapping key is hashed node by node
/// while duplicate keys are looked for. Both hang the tool for hours before any timeout applies. The files
/// the tool reads never need aliases or complex keys, so this pass walks libyaml's event stream once (linear
/// time, nothing expanded) and refuses anchors, aliases, keys that are not plain values, and absurd depth.
public enum SafeYAML {
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// What the pass learned about the document.
    public struct Shape: Sendable, Equatable {
        /// No document, or a document that is only an empty value or `null` (a file of comments).
        public var isEmpty: Bool
    }

    /// Deeper than any file the tool reads; deep enough nesting is itself a way to exhaust the stack.
    public static let maximumDepth = 64
    /// Events (scalars, starts and ends of collections) in one stream.
    public static let maximumEvents = 1_000_000

    public static func inspect(_ text: String) throws(Refusal) -> Shape {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw Refusal(description: "the YAML parser could not be started") }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        let outcome: Result<Shape, Refusal> = bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            return walk(&parser)
        }
        return try outcome.get()
    }

    private enum Container {
        case sequence
        case mapping(expectingKey: Bool)
    }

    private static func walk(_ parser: inout yaml_parser_t) -> Result<Shape, Refusal> {
        var stack: [Container] = []
        var events = 0
        var documentNodes = 0
        var rootIsNull = false
        func refuse(_ problem: String, _ mark: yaml_mark_t) -> Result<Shape, Refusal> {
            .failure(Refusal(description: "\(problem) (line \(mark.line + 1), column \(mark.column + 1))"))
        }
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else {
                let problem = parser.problem.map { String(cString: $0) } ?? "unreadable"
                return refuse("invalid YAML: \(problem)", parser.problem_mark)
            }
            defer { yaml_event_delete(&event) }
            events += 1
            if events > maximumEvents {
                return refuse("more than \(maximumEvents) YAML elements", event.start_mark)
            }
            let type = event.type
            let isNode = type == YAML_ALIAS_EVENT || type == YAML_SCALAR_EVENT
                || type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT
            if isNode {
                if stack.isEmpty {
                    documentNodes += 1
                    rootIsNull = type == YAML_SCALAR_EVENT && isNullScalar(event)
                }
                if case .mapping(let expectingKey) = stack.last {
                    if expectingKey && type != YAML_SCALAR_EVENT && type != YAML_ALIAS_EVENT {
                        return refuse("a mapping key is a list or a mapping; only plain keys are accepted", event.start_mark)
                    }
                    stack[stack.count - 1] = .mapping(expectingKey: !expectingKey)
                }
            }
            switch type {
            case YAML_ALIAS_EVENT:
                return refuse("YAML anchors and aliases (&name, *name) are not accepted", event.start_mark)
            case YAML_SCALAR_EVENT:
                if event.data.scalar.anchor != nil { return refuse("YAML anchors and aliases (&name, *name) are not accepted", event.start_mark) }
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let anchor = type == YAML_SEQUENCE_START_EVENT ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                if anchor != nil { return refuse("YAML anchors and aliases (&name, *name) are not accepted", event.start_mark) }
                guard stack.count < maximumDepth else { return refuse("nested deeper than \(maximumDepth) levels", event.start_mark) }
                stack.append(type == YAML_SEQUENCE_START_EVENT ? .sequence : .mapping(expectingKey: true))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                _ = stack.popLast()
            case YAML_STREAM_END_EVENT:
                return .success(Shape(isEmpty: documentNodes == 0 || (documentNodes == 1 && rootIsNull)))
            default:
                break
            }
        }
    }

    /// A plain scalar that YAML reads as null: empty, `~`, `null`.
    private static func isNullScalar(_ event: yaml_event_t) -> Bool {
        let scalar = event.data.scalar
        guard scalar.plain_implicit != 0 else { return false }
        guard scalar.length > 0, let value = scalar.value else { return true }
        let text = String(decoding: UnsafeBufferPointer(start: value, count: Int(scalar.length)), as: UTF8.self)
        return ["~", "null", "Null", "NULL"].contains(text)
    }
}
