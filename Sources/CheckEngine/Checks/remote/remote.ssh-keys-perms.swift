import DoctorCore
import HostFacts

/// remote.ssh-keys-perms: root's ~/.ssh and authorized_keys closed to group and others, owned by root.
enum RemoteSSHKeysPerms: CheckEvaluator {
    static let id = "remote.ssh-keys-perms"

    enum Condition: String, CaseIterable {
        case noDirectory = "no-directory"
        case tight
        /// `{problems}` joins the fragments below.
        case loose
        case directoryOpen = "directory-open"
        case fileOpen = "file-open"
        case notRoot = "not-root"
        case strictModesOff = "strict-modes-off"
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let files: RootSSHFiles
        do throws(FactError) {
            files = try context.fact(Facts.rootSSH).value
        } catch .absent {
            return .skip(.noDirectory)
        }
        var problems: [String] = []
        var evidence: [Evidence] = []
        let directory = files.directory
        let mode = "0" + String(directory.mode, radix: 8)
        evidence.append(Evidence(source: directory.path, value: "\(directory.kind.rawValue), mode \(mode), uid \(directory.uid)"))
        if directory.mode & 0o077 != 0 {
            problems.append(context.fragment(Condition.directoryOpen, ["path": directory.path, "mode": mode]))
        }
        if directory.uid != 0 { problems.append(context.fragment(Condition.notRoot, ["path": directory.path, "uid": String(directory.uid)])) }
        for file in files.authorizedKeys {
            let fileMode = "0" + String(file.mode, radix: 8)
            evidence.append(Evidence(source: file.path, value: "mode \(fileMode), uid \(file.uid)"))
            if file.mode & 0o066 != 0 {
                problems.append(context.fragment(Condition.fileOpen, ["path": file.path, "mode": fileMode]))
            }
            if file.uid != 0 { problems.append(context.fragment(Condition.notRoot, ["path": file.path, "uid": String(file.uid)])) }
        }
        guard !problems.isEmpty else {
            return .pass(.tight, ["path": directory.path, "mode": mode], evidence: evidence)
        }
        if files.strictModesOff {
            problems.append(context.fragment(Condition.strictModesOff))
            evidence.append(Evidence(source: "/etc/ssh/sshd_config", value: "StrictModes no"))
        }
        return .warn(.loose, ["problems": problems.joined(separator: "; ")], evidence: evidence)
    }
}
