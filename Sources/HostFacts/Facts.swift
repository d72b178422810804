import CKVMProbe
import DoctorCore
import Foundation

/// Every fact the checks use, and where it comes from. Providers read only through `store.root`.
public enum Facts {
    // MARK: CPU and kernel

    public static let cpuInfo = FactKey<CPUInfo>("cpu.info", "Parsed /proc/cpuinfo: per-CPU flags, vendor, model") { store throws(FactError) in
        let text = try store.root.readText("/proc/cpuinfo")
        return Sourced(try CPUInfo.parse(text), sources: ["/proc/cpuinfo"])
    }

    public static let kernelRelease = FactKey<String>("kernel.release", "Running kernel release (uname -r)") { store throws(FactError) in
        if store.root.isLive, let release = liveUname(\.release) {
            return Sourced(release, sources: ["uname(2)"])
        }
        let text = try store.root.readText("/proc/sys/kernel/osrelease")
        let release = TextChecks.trimmed(text)
        guard !release.isEmpty else { throw .unparsable(source: "/proc/sys/kernel/osrelease", detail: "empty") }
        return Sourced(release, sources: ["/proc/sys/kernel/osrelease"])
    }

    public static let machine = FactKey<String>("kernel.machine", "Machine hardware name (uname -m)") { store throws(FactError) in
        if store.root.isLive, let machine = liveUname(\.machine) {
            return Sourced(machine, sources: ["uname(2)"])
        }
        // Recorded roots (bundles, the corpus) keep `uname -m` output at their top.
        let text = try store.root.readText("/uname-m.txt")
        let machine = TextChecks.trimmed(text)
        guard !machine.isEmpty, !machine.contains(" ") else { throw .unparsable(source: "/uname-m.txt", detail: "not a machine name") }
        return Sourced(machine, sources: ["/uname-m.txt"])
    }

    public static let kernelCommandLine = FactKey<[String]>("kernel.cmdline", "Kernel command line parameters") { store throws(FactError) in
        let text = try store.root.readText("/proc/cmdline")
        return Sourced(text.split(whereSeparator: \.isWhitespace).map(String.init), sources: ["/proc/cmdline"])
    }

    public static let kernelModules = FactKey<KernelModules>("kernel.modules", "Loaded (/proc/modules) and built-in (/sys/module) kernel modules") { store throws(FactError) in
        var sources: [String] = []
        var loaded: [KernelModules.Module] = []
        var supported = true
        var moduleListKnown = true
        do throws(FactError) {
            loaded = try KernelModules.parseProcModules(try store.root.readText("/proc/modules"))
            sources.append("/proc/modules")
        } catch .absent {
            supported = false
        } catch .notCaptured {
            moduleListKnown = false
            // A copy without /proc: what is loaded still shows in /sys/module when that was captured.
        }
        let loadedNames = Set(loaded.map(\.name))
        var builtIn: [String] = []
        if let names = try? store.root.list("/sys/module") {
            sources.append("/sys/module")
            for name in names where !loadedNames.contains(name) {
                // Loadable modules have /sys/module/<name>/initstate; built-ins do not. A sos report copies
                // parameters, not initstate: there a module missing from a known /proc/modules (or from a kernel
                // without module support at all) is built in, and otherwise the copy cannot tell.
                let hasInitstate = try? store.root.captured("/sys/module/\(name)/initstate")
                if hasInitstate == false || (hasInitstate == nil && moduleListKnown) { builtIn.append(name) }
            }
        }
        guard !sources.isEmpty else { throw .absent("/proc/modules") }
        return Sourced(KernelModules(loaded: loaded, builtIn: builtIn, loadableModulesSupported: supported), sources: sources)
    }

    public static let kernelLog = FactKey<KernelLog>("kernel.log", "Kernel messages that matter for virtualization (dmesg, kern.log, journal export)") { store throws(FactError) in
        try KernelLog.read(from: store.root)
    }

    public static let osRelease = FactKey<OSRelease>("os.release", "Operating system name and version") { store throws(FactError) in
        for path in ["/etc/os-release", "/usr/lib/os-release"] {
            if let text = try store.root.readTextIfPresent(path) {
                return Sourced(try OSRelease.parse(text, source: path), sources: [path])
            }
        }
        if let text = try store.root.readTextIfPresent("/etc/redhat-release") {
            return Sourced(OSRelease.fromRedHatRelease(text), sources: ["/etc/redhat-release"])
        }
        throw .absent("/etc/os-release")
    }

    public static let hostname = FactKey<String>("host.name", "Host name") { store throws(FactError) in
        for path in ["/proc/sys/kernel/hostname", "/etc/hostname"] {
            if let text = try? store.root.readTextIfPresent(path) {
                let name = TextChecks.trimmed(text)
                if !name.isEmpty { return Sourced(name, sources: [path]) }
            }
        }
        throw .absent("/etc/hostname")
    }

    // MARK: KVM

    public static let kvmDevice = FactKey<DeviceNode>("kvm.device", "The /dev/kvm device node: type, mode, owner, access for this user") { store throws(FactError) in
        Sourced(try DeviceNode.inspect("/dev/kvm", root: store.root), sources: ["/dev/kvm"])
    }

    public static let kvmAPI = FactKey<KVMAPIProbe>("kvm.api", "Answers of /dev/kvm to KVM_GET_API_VERSION and KVM_CHECK_EXTENSION") { store throws(FactError) in
        try KVMAPIProbe.probe(root: store.root)
    }

    public static let nestedVirtualization = FactKey<[String: String]>("kvm.nested", "Nested virtualization parameter of kvm_intel / kvm_amd") { store throws(FactError) in
        var values: [String: String] = [:]
        var sources: [String] = []
        for module in ["kvm_intel", "kvm_amd"] {
            let path = "/sys/module/\(module)/parameters/nested"
            if let text = try store.root.readTextIfPresent(path) {
                values[module] = TextChecks.trimmed(text)
                sources.append(path)
            }
        }
        guard !values.isEmpty else { throw .absent("/sys/module/kvm_intel/parameters/nested") }
        return Sourced(values, sources: sources)
    }

    // MARK: Hypervisor identity

    public static let xen = FactKey<XenState>("hv.xen", "Xen signals: /sys/hypervisor/type, /proc/xen/capabilities") { store throws(FactError) in
        var state = XenState()
        var sources: [String] = []
        if let type = try store.root.readTextIfPresent("/sys/hypervisor/type") {
            state.sysHypervisorType = TextChecks.trimmed(type)
            sources.append("/sys/hypervisor/type")
        }
        if let capabilities = try store.root.readTextIfPresent("/proc/xen/capabilities") {
            state.capabilities = TextChecks.trimmed(capabilities)
            sources.append("/proc/xen/capabilities")
        }
        state.procXenPresent = store.root.exists("/proc/xen")
        return Sourced(state, sources: sources.isEmpty ? ["/sys/hypervisor/type", "/proc/xen"] : sources)
    }

    public static let virtualMachine = FactKey<GuestSignals>("virt.guest-signals", "Whether this system is itself a virtual machine or container") { store throws(FactError) in
        try GuestSignals.gather(store)
    }

    public static let virtualization = FactKey<VirtualizationReport>("virt.detection", "What this system runs on (virt-what identifiers, vendor, type, evidence)") { store throws(FactError) in
        let report = VirtualizationReport.detect(store.root)
        var sources = Array(Set(report.conclusions.map(\.source))).sorted()
        if sources.isEmpty { sources = ["CPUID, DMI, /proc, /sys (nothing virtual found)"] }
        return Sourced(report, sources: sources)
    }

    public static let bootConfig = FactKey<BootConfig>("boot.config", "Boot loader configuration and its default entry") { store throws(FactError) in
        try BootConfigReader.read(store.root)
    }

    // MARK: Time

    public static let clocksource = FactKey<Clocksource>("time.clocksource", "Current and available clocksources") { store throws(FactError) in
        let base = "/sys/devices/system/clocksource/clocksource0"
        let current = TextChecks.trimmed(try store.root.readText(base + "/current_clocksource"))
        let available = (try? store.root.readText(base + "/available_clocksource"))?
            .split(whereSeparator: \.isWhitespace).map(String.init) ?? []
        return Sourced(Clocksource(current: current, available: available), sources: [base + "/current_clocksource"])
    }

    public static let cpuFrequency = FactKey<CPUFrequency>("cpu.frequency", "cpufreq governors and limits per CPU, and legacy cpuspeed settings") { store throws(FactError) in
        try CPUFrequency.read(store.root)
    }

    // MARK: Storage

    public static let loopDevices = FactKey<LoopDevices>("storage.loop", "Loop device limit, configured max_loop, devices and their backing files") { store throws(FactError) in
        try LoopDevices.read(store)
    }

    // MARK: Networking and sysctls

    public static let persistedSysctls = FactKey<PersistedSysctls>("sysctl.persisted", "sysctl values set at boot by sysctl.conf and sysctl.d") { store throws(FactError) in
        var settings: [String: PersistedSysctls.Setting] = [:]
        var files: [String] = []
        // Same file name in an earlier directory hides later ones; all are then applied in name order.
        var chosen: [String: String] = [:]
        for directory in PersistedSysctls.directories {
            guard let names = try? store.root.list(directory) else { continue }
            for name in names where name.hasSuffix(".conf") && chosen[name] == nil {
                chosen[name] = directory + "/" + name
            }
        }
        var linksSysctlConf = false
        for name in chosen.keys.sorted() {
            let path = chosen[name]!
            guard let text = try? store.root.readText(path) else { continue }
            if store.root.canonicalPath(path) == PersistedSysctls.sysctlConf { linksSysctlConf = true }
            PersistedSysctls.parse(text, file: path, into: &settings)
            files.append(path)
        }
        var ignored: String?
        var ignoredSettings: [String: PersistedSysctls.Setting] = [:]
        if let text = try? store.root.readText(PersistedSysctls.sysctlConf) {
            // systemd-sysctl reads /etc/sysctl.conf only through a sysctl.d link to it (99-sysctl.conf), which
            // newer distributions no longer ship; without systemd, `sysctl -p` / `sysctl --system` read it last.
            if PersistedSysctls.bootsWithSystemdSysctl(store.root) {
                if !linksSysctlConf {
                    ignored = PersistedSysctls.sysctlConf
                    PersistedSysctls.parse(text, file: PersistedSysctls.sysctlConf, into: &ignoredSettings)
                }
            } else {
                PersistedSysctls.parse(text, file: PersistedSysctls.sysctlConf, into: &settings)
            }
            files.append(PersistedSysctls.sysctlConf)
        }
        return Sourced(PersistedSysctls(settings: settings, filesRead: files, ignoredFile: ignored, ignoredSettings: ignoredSettings), sources: files.isEmpty ? ["/etc/sysctl.conf"] : files)
    }

    /// A live kernel parameter, `sysctl:net.ipv4.ip_forward`, read from /proc/sys.
    public static func sysctl(_ name: String) -> FactKey<String> {
        FactKey<String>("sysctl:\(name)", "Kernel parameter \(name) (/proc/sys)") { store throws(FactError) in
            let path = "/proc/sys/" + name.replacingOccurrences(of: ".", with: "/")
            let value = TextChecks.trimmed(try store.root.readText(path, limit: 1 << 16))
            guard !value.isEmpty else { throw .unparsable(source: path, detail: "empty") }
            return Sourced(value, sources: [path])
        }
    }

    public static let libvirtNetworks = FactKey<NetworkInventory>("libvirt.networks", "libvirt networks defined under /etc/libvirt/qemu/networks") { store throws(FactError) in
        try LibvirtFiles.networks(store.root)
    }

    public static let libvirtDomains = FactKey<DomainInventory>("libvirt.domains", "libvirt domains defined under /etc/libvirt/qemu") { store throws(FactError) in
        try LibvirtFiles.domains(store.root)
    }

    // MARK: SELinux

    public static let selinux = FactKey<SELinuxState>("selinux.state", "SELinux mode at run time and in /etc/selinux/config") { store throws(FactError) in
        try SELinuxState.read(store.root)
    }

    /// The facts `virt-doctor facts` lists, in this order.
    public static let all: [AnyFact] = [
        cpuInfo.erased, machine.erased, kernelRelease.erased, kernelCommandLine.erased, kernelModules.erased,
        kernelLog.erased, osRelease.erased, hostname.erased,
        kvmDevice.erased, kvmAPI.erased, nestedVirtualization.erased,
        xen.erased, virtualization.erased, virtualMachine.erased, bootConfig.erased,
        clocksource.erased, cpuFrequency.erased, loopDevices.erased,
        sysctl("net.ipv4.ip_forward").erased,
        sysctl("net.bridge.bridge-nf-call-iptables").erased,
        sysctl("net.bridge.bridge-nf-call-ip6tables").erased,
        sysctl("net.bridge.bridge-nf-call-arptables").erased,
        guestDevices.erased, processes.erased, serviceUnits.erased, timeSync.erased, stealTime.erased, packages.erased,
        certificates.erased, libvirt.erased, qemuConfiguration.erased, memory.erased, persistedSysctls.erased, bridges.erased, libvirtNetworks.erased, libvirtDomains.erased, selinux.erased, imageLabels.erased,
        virtualizationDevices.erased, iommu.erased, pci.erased, udev.erased,
        libvirtdStartLog.erased, certificateBackups.erased, ovirtVersions.erased, hostedEngine.erased,  // issue 12: ovirt
        netInterfaces.erased, netConfigFiles.erased, guestMACs.erased, xendNetworkScript.erased, firewallRuleset.erased, // issue 12: net
        guestImages.erased, storageConfiguration.erased,  // issue 12: storage
        libvirtDaemonSettings.erased, tcpListeners.erased, enabledServices.erased, noVerifyURIs.erased, rootSSH.erased, firewall.erased, userAccounts.erased, sshTransportTools.erased, xendVNC.erased, clientPKI.erased,  // issue 12: remote
        clockHistory.erased, xenDom0Config.erased, domainClocks.erased, // issue 12: timehv
        guestDefinitions.erased, guestIdentity.erased, hwclockAudit.erased, xend.erased, // issue 12: guest
        mounts.erased, linkSpeeds.erased, migrationSSHKeys.erased, // issue 14: migration
        hostsFile.erased, localAddresses.erased, // issue 13: ready-a
        cgroupControllers.erased, secureGuestSupport.erased, iommuFirmware.erased, // issue 13: vhv
        vdsmConfiguration.erased, // issue 13: ovirt
        dockerDaemon.erased, forwardChain.erased, kvmVirtAtLoad.erased, appArmorDenials.erased, // issue 13: hit-b
        pendingEnrollment.erased, nodePKIFiles.erased, enginePKI.erased, // issue 13: certs
        runningGuests.erased, qemuCapabilitiesCache.erased, libvirtGuestLogs.erased, // issue 13: hit-a
        rebootState.erased, // issue 13: ready-b
    ]

    /// Resolves a fact name used in a check file: a fixed name, or a family such as `sysctl:<name>`.
    public static func named(_ name: String) -> AnyFact? {
        if let fact = all.first(where: { $0.name == name }) { return fact }
        if name.hasPrefix("sysctl:") {
            let parameter = String(name.dropFirst("sysctl:".count))
            guard !parameter.isEmpty, !parameter.contains(".."), !parameter.contains("/") else { return nil }
            return sysctl(parameter).erased
        }
        return nil
    }
}

/// One field of uname(2) on the live machine; a directory root answers from its files instead.
private func liveUname<Field>(_ field: KeyPath<utsname, Field>) -> String? {
    var name = utsname()
    guard uname(&name) == 0 else { return nil }
    let value = name[keyPath: field]
    return withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
}
