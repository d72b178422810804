import DoctorCore

/// Every evaluator of this build, by the check id it judges (or a shared evaluator's name). The catalog
/// conformance test checks that every check without a rule finds its evaluator here, that every entry here
/// is used, and that each evaluator's conditions and its check file's summaries agree.
public enum Evaluators {
    /// One type per check, in `Checks/<area>/<id>.swift`.
    static var checks: [any CheckEvaluator.Type] {
        [
            NetIPForward.self,
            CPUVirtFlags.self,
            CPUVirtBIOSDisabled.self,
            KVMModulesLoaded.self,
            KVMDeviceUsable.self,
            KVMVhostNet.self,
            NetTun.self,
            HVKernelType.self,
            HVGrubDefault.self,
            IOMMUEnabled.self,
            TimeHostCPUFreq.self,
            StorageLoopMax.self,
            NetBridgeNF.self,
            NetDefaultNetwork.self,
            RemoteLibvirtdRunning.self,
            RemoteConsoleTLS.self,
            SecVNCListen.self,
            DomState.self,
            ResVCPUOvercommit.self,
            ResMemoryOvercommit.self,
            CertificateExpiry.self,
            CertNotYetValid.self,
            CertKeyMatch.self,
            CertSANMissing.self,
            CertHostConsistency.self,
            CertSubject.self,
            CertLifetime.self,
            GuestAgent.self,
            GuestStealTime.self,
            GuestIOScheduler.self,
            TimeGuestClocksource.self,
            TimeNTP.self,
            TimeGuestKernelParams.self,
            SELinuxMode.self,
            SELinuxImageLabel.self,
            SELinuxFcontextPersistent.self,
            GuestVirtType.self,
            PVDrvVirtioUsage.self,
            // issue 12: ovirt
            OVirtLibvirtdCertFailure.self,
            CertBackupFiles.self,
            OVirtVersionInventory.self,
            OVirtHEGlobalMaintenance.self,
            OVirtPowerManagement.self,
            // issue 12: net
            NetBridgeIfcfg.self,
            NetMACUnique.self,
            NetVirbr0Isolated.self,
            NetNetworkManagerBridge.self,
            NetBridgeUplinkType.self,
            NetXenNetworkScript.self,
            NetLibvirtNATRules.self,
            // issue 12: storage
            StorageImageLocation.self,
            StorageSparseFreeSpace.self,
            StorageImageFormat.self,
            SELinuxXattrFS.self,
            SELinuxBlockDeviceLabel.self,
            StoragePersistentNames.self,
            StorageMultipathLint.self,
            StorageNFSExport.self,
            SELinuxLabelScope.self,
            SELinuxXendDisable.self,
            // issue 12: remote
            RemoteTLSPKI.self, RemoteTCPPlain.self, SecHostFirewall.self, SecMinimalServices.self, RemoteNoVerify.self,
            RemoteSSHKeysPerms.self, RemoteSSHNetcat.self, RemoteVNCClientPKI.self, RemoteXenVNCTLS.self, SecHostAccounts.self,
            // issue 12: timehv
            TimeClockRollback.self,
            TimeHostCState.self,
            HostVirtPackages.self,
            HVGrubEntryIntegrity.self,
            HVSingleHypervisor.self,
            HVDom0Mem.self,
            CPUFlagsUniform.self,
            ResSwapSizing.self,
            TimeWindowsPMTimer.self,
            // issue 12: guest
            GuestHypervisorMismatch.self,
            GuestCloneIdentity.self,
            PVDrvWindowsVirtioBoot.self,
            GuestSmartd.self,
            DomAutostart.self,
            GuestNameFormat.self,
            GuestXenbusNoDriver.self,
            GuestPVHwclock.self,
            PVDrvPCISlots.self,
            XenXendRunning.self,
            XenXendConfig.self,
            // issue 14: migration (checks of a pair of hosts)
            MigrSameVersion.self,
            MigrCPUCompat.self,
            MigrNetworkParity.self,
            StorageShared.self,
            MigrStoragePath.self,
            MigrBandwidth.self,
            MigrFirewallPorts.self,
            MigrSSHAccess.self,
            MigrClockSync.self,
            MigrHostnameResolution.self,
            MigrXendRelocation.self,
            // issue 13: ready-a
            KVMNested.self,
            HostSysctlPersistence.self,
            HostHostnameIP.self,
            // issue 13: vhv
            KVMCgroupControllers.self,
            KVMSecureGuest.self,
            // issue 13: ovirt
            OVirtVDSMConfigured.self,
            OVirtHEState.self,
            // issue 13: hit-b
            NetDockerForwardDrop.self,
            KVMCoexistence.self,
            SecAppArmorDenials.self,
            // issue 13: certs
            CertKeyStrength.self,
            CertPendingEnroll.self,
            CertInventoryComplete.self,
            CertEngineInternal.self,
            // issue 13: hit-a
            DomAccel.self,
            KVMCapabilitiesStale.self,
            DomTainted.self,
            // issue 13: ready-b
            HostRebootPending.self,
            DomMachineType.self,
            LibvirtDaemonModel.self,
        ]
    }

    public static let registry: [String: RegisteredEvaluator] = {
        var all: [String: RegisteredEvaluator] = [:]
        for type in checks {
            let evaluator = RegisteredEvaluator(type)
            precondition(all[evaluator.id] == nil, "two evaluators are registered as \(evaluator.id)")
            all[evaluator.id] = evaluator
        }
        return all
    }()
}
