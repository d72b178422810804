import DoctorCore
import HostFacts

/// migr.cpu-compat: a running guest keeps the CPU it booted with. The destination must offer every feature
/// the guest sees: with host-passthrough that is the source host's exact CPU, with host-model the source's
/// features as libvirt expanded them at start, with a named model the model's features and those required.
enum MigrCPUCompat: CheckEvaluator {
    static let id = "migr.cpu-compat"

    enum Condition: String, CaseIterable {
        case compatible
        case defaultModel = "default-model"
        case passthroughDifferentCPU = "passthrough-different-cpu"
        case missingFeatures = "missing-features"
        case vendorDiffers = "vendor-differs"
        case requiredFeatureMissing = "required-feature-missing"
        case destinationCPUUnknown = "destination-cpu-unknown"
        case sourceCPUUnknown = "source-cpu-unknown"
    }

    /// Instruction-set features a guest can see and use, named as /proc/cpuinfo names them. Host-only
    /// flags (power management, the VMX sub-features, tsc reliability) do not travel with a guest and are
    /// not compared.
    static let guestVisibleFeatures: Set<String> = [
        "sse", "sse2", "pni", "ssse3", "sse4_1", "sse4_2", "sse4a", "avx", "avx2", "fma", "fma4", "f16c", "aes", "pclmulqdq", "popcnt",
        "movbe", "abm", "bmi1", "bmi2", "adx", "rdrand", "rdseed", "sha_ni", "xsave", "xsaveopt", "xsavec", "xsaves", "fsgsbase",
        "erms", "fsrm", "invpcid", "smep", "smap", "clflushopt", "clwb", "pku", "umip", "gfni", "vaes", "vpclmulqdq", "rdpid",
        "avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl", "avx512ifma", "avx512vbmi", "avx512_vbmi2", "avx512_vnni",
        "avx512_bitalg", "avx512_vpopcntdq", "avx512_bf16", "avx512_fp16", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16",
        "pdpe1gb", "rdtscp", "lm", "nx", "cx16", "lahf_lm", "3dnowprefetch", "xop", "tbm", "mpx", "hle", "rtm", "movdiri",
        "movdir64b", "serialize", "tsx_ldtrk", "waitpkg", "cldemote", "la57", "md_clear", "spec_ctrl", "ssbd", "ibpb", "stibp",
    ]

    /// libvirt's feature names where they differ from /proc/cpuinfo's.
    static let libvirtNames: [String: String] = [
        "pclmuldq": "pclmulqdq", "sse4.1": "sse4_1", "sse4.2": "sse4_2", "tsc-deadline": "tsc_deadline_timer", "sha-ni": "sha_ni",
        "lahf_lm": "lahf_lm", "avx512-vbmi2": "avx512_vbmi2", "avx512-vnni": "avx512_vnni", "avx512-bf16": "avx512_bf16",
        "avx512-fp16": "avx512_fp16", "avx-vnni": "avx_vnni", "spec-ctrl": "spec_ctrl", "md-clear": "md_clear", "3dnowprefetch": "3dnowprefetch",
    ]

    static func cpuinfoName(_ libvirtName: String) -> String {
        libvirtNames[libvirtName] ?? libvirtName.replacingDashes()
    }

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let guest = try MigrationSides.guest(context)
        let destination = try context.destination()
        let mode = guest.cpu?.mode ?? "custom"
        var variables = ["guest": guest.name, "mode": mode, "destination": MigrationSides.name(destination)]
        var evidence = [Evidence(source: guest.source, value: "<cpu mode='\(mode)'>" + (guest.cpu?.model.map { " model \($0)" } ?? "")
                                    + ((guest.cpu?.requiredFeatures.isEmpty ?? true) ? "" : "; requires \(guest.cpu!.requiredFeatures.joined(separator: " "))"))]
        let source = MigrationSides.cpu(context.facts)
        if let source { evidence.append(Evidence(source: "source /proc/cpuinfo", value: "\(source.model) (\(source.vendor))")) }
        // The destination's CPU: its /proc/cpuinfo, or what its libvirt says about the host CPU.
        var target = MigrationSides.cpu(destination)
        if target == nil, let live = try? destination.get(Facts.libvirt), let model = live.hostCPUModel {
            let features = Set((live.hostCPUFeatures ?? []).map(cpuinfoName))
            target = (model, live.hostCPUVendor ?? "", features)
            evidence.append(Evidence(source: "destination libvirt capabilities", value: "\(model) (\(live.hostCPUVendor ?? "?")), \(features.count) features beyond the model"))
        } else if let target {
            evidence.append(Evidence(source: "destination /proc/cpuinfo", value: "\(target.model) (\(target.vendor))"))
        }
        if guest.cpu == nil || (mode == "custom" && guest.cpu?.model == nil && (guest.cpu?.requiredFeatures.isEmpty ?? true)) {
            return .pass(.defaultModel, variables, evidence: evidence)
        }
        guard let target else { return .skip(.destinationCPUUnknown, variables, evidence: evidence) }
        variables["destinationCPU"] = target.model
        let requiredMissing = (guest.cpu?.requiredFeatures ?? []).map(cpuinfoName).filter { !target.flags.contains($0) }
        if mode == "custom" {
            if !requiredMissing.isEmpty { return .fail(.requiredFeatureMissing, variables.merging(listVariables("features", requiredMissing)) { $1 }, evidence: evidence) }
            return .pass(.compatible, variables, evidence: evidence)
        }
        guard let source else { return .skip(.sourceCPUUnknown, variables, evidence: evidence) }
        variables["sourceCPU"] = source.model
        if !source.vendor.isEmpty, !target.vendor.isEmpty, normalizedVendor(source.vendor) != normalizedVendor(target.vendor) {
            return .fail(.vendorDiffers, variables.merging(["sourceVendor": source.vendor, "destinationVendor": target.vendor]) { $1 }, evidence: evidence)
        }
        let disabled = Set((guest.cpu?.disabledFeatures ?? []).map(cpuinfoName))
        let missing = source.flags.intersection(guestVisibleFeatures).subtracting(target.flags).subtracting(disabled).sorted()
        if !missing.isEmpty { evidence.append(Evidence(source: "features the destination lacks", value: missing.joined(separator: " "))) }
        if mode == "host-passthrough" || mode == "maximum" {
            if source.model != target.model || !missing.isEmpty {
                return .fail(.passthroughDifferentCPU, variables.merging(listVariables("features", missing)) { $1 }, evidence: evidence)
            }
            return .pass(.compatible, variables, evidence: evidence)
        }
        if !missing.isEmpty { return .fail(.missingFeatures, variables.merging(listVariables("features", missing)) { $1 }, evidence: evidence) }
        if !requiredMissing.isEmpty { return .fail(.requiredFeatureMissing, variables.merging(listVariables("features", requiredMissing)) { $1 }, evidence: evidence) }
        return .pass(.compatible, variables, evidence: evidence)
    }

    /// "GenuineIntel" and libvirt's "Intel" are one vendor.
    static func normalizedVendor(_ vendor: String) -> String {
        let lower = vendor.lowercased()
        if lower.contains("intel") { return "intel" }
        if lower.contains("amd") || lower.contains("hygon") { return "amd" }
        return lower
    }
}

private extension String {
    func replacingDashes() -> String { String(map { $0 == "-" || $0 == "." ? "_" : $0 }) }
}
