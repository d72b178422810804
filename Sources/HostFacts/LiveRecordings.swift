/// What only the running machine can answer (CPUID, DMI through dmidecode, uname, the /dev/kvm ioctls,
/// /dev/kmsg, adjtimex), kept in a bundle as a file at its top that a directory root reads instead. One entry
/// per file: the file, the fact that reads it, and the writer that makes it from that fact — so `collect` and
/// the readers cannot drift apart, and a test round-trips every entry through a directory root.
public struct LiveRecording: Sendable {
    /// Where the recording sits in a bundle or a captured root.
    public let file: String
    /// The fact whose reader uses the file when the root is not the live machine.
    public let readBy: String
    /// Whether the text passes the secret scrubbers (a kernel log can quote anything).
    public let mayHoldSecrets: Bool
    /// The file's text from the live facts; nil when there is nothing to record.
    public let write: @Sendable (LiveRecordingContext) -> String?
}

/// What the writers read from: the run's facts, and the detection inputs gathered once for the two
/// recordings that need them (CPUID and DMI).
public final class LiveRecordingContext {
    public let store: FactStore
    public private(set) lazy var detection = DetectionInputs.gather(store.root)

    public init(store: FactStore) {
        self.store = store
    }
}

public enum LiveRecordings {
    public static let all: [LiveRecording] = [
        LiveRecording(file: "/cpuid.txt", readBy: Facts.virtualization.name, mayHoldSecrets: false) { context in
            // Every hypervisor leaf up to the known signature, the confidential-guest leaves and SEV_STATUS;
            // a stand-in (lscpu's vendor) is kept as the one signature line it stands for.
            context.detection.cpuid?.recordedText ?? context.detection.cpuidSignature.map { $0 + "\n" }
        },
        LiveRecording(file: "/dmidecode.txt", readBy: Facts.virtualization.name, mayHoldSecrets: false) { context in
            let dmi = context.detection.dmi
            return dmi.isEmpty ? nil : dmi
        },
        LiveRecording(file: "/uname-m.txt", readBy: Facts.machine.name, mayHoldSecrets: false) { context in
            (try? context.store.get(Facts.machine)).map { $0 + "\n" }
        },
        LiveRecording(file: "/kvm-probe.txt", readBy: Facts.kvmAPI.name, mayHoldSecrets: false) { context in
            (try? context.store.get(Facts.kvmAPI))?.recordedText
        },
        // Only a log read from /dev/kmsg needs recording; files under /var/log travel as themselves.
        LiveRecording(file: "/journalctl-k.txt", readBy: Facts.kernelLog.name, mayHoldSecrets: true) { context in
            guard let log = try? context.store.sourced(Facts.kernelLog).get(), log.sources.contains("/dev/kmsg") else { return nil }
            return log.value.lines.joined(separator: "\n") + "\n"
        },
        LiveRecording(file: "/adjtimex.txt", readBy: Facts.timeSync.name, mayHoldSecrets: false) { context in
            guard let synchronized = (try? context.store.get(Facts.timeSync))?.kernelSynchronized else { return nil }
            return TimeSync.recordedText(synchronized: synchronized)
        },
        // issue 12: storage — statvfs of each directory holding guest images.
        LiveRecording(file: GuestImages.spaceRecording, readBy: Facts.guestImages.name, mayHoldSecrets: false) { context in
            (try? context.store.get(Facts.guestImages))?.recordedText
        },
        // issue 12: storage — image headers: a bundle carries a big image as an empty file.
        LiveRecording(file: GuestImages.headerRecording, readBy: Facts.guestImages.name, mayHoldSecrets: false) { context in
            (try? context.store.get(Facts.guestImages))?.recordedHeaders
        },
        // issue 13: vhv — CPUID 0x8000001F (AMD memory encryption: SEV, SEV-ES, SEV-SNP) for kvm.secure-guest.
        LiveRecording(file: SecureGuestSupport.cpuidRecording, readBy: Facts.secureGuestSupport.name, mayHoldSecrets: false) { context in
            (try? context.store.get(Facts.secureGuestSupport))?.memoryEncryption?.recordedText
        },
        // issue 13: hit-b — AppArmor DENIED records read from /dev/kmsg (a host without a log daemon keeps them nowhere else).
        LiveRecording(file: AppArmorDenials.recording, readBy: Facts.appArmorDenials.name, mayHoldSecrets: true) { context in
            (try? context.store.get(Facts.appArmorDenials))?.recordedText
        },
    ]
}
