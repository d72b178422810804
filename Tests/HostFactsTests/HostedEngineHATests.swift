import DoctorCore
import Foundation
@testable import HostFacts
import Testing

/// The hosted-engine HA parsers of HostedEngineHA.swift (issue 13, group ovirt): `hosted-engine --vm-status`
/// in the layout ovirt-hosted-engine-setup's vm_status.py prints (plain and --json), the HA agent's log lines
/// (ovirt-hosted-engine-ha states.py, hosted_engine.py), and junk.
@Suite struct HostedEngineHAParserTests {
    static let junk = "\u{0}\u{1}\u{2}ELF\u{7F}\u{FFFD}\u{0}garbage\n\u{1B}[31m\n\n\t\t\n" + String(repeating: "x", count: 9000) + "\n::::::\n"

    static let plain = """


        --== Host virt-host1.example.test (id: 1) status ==--

        Host ID                            : 1
        Host timestamp                     : 8812345
        Score                              : 3400
        Engine status                      : {"vm": "up", "health": "good", "detail": "Up"}
        Hostname                           : virt-host1.example.test
        Local maintenance                  : False
        stopped                            : False
        crc32                              : 5a7b9c11
        conf_on_shared_storage             : True
        local_conf_timestamp               : 8812345
        Status up-to-date                  : True
        Extra metadata (valid at timestamp):
        \tmetadata_parse_version=1
        \thost-id=1
        \tscore=3400
        \tstate=EngineUp
        \tstopped=False


        --== Host virt-host2.example.test (id: 2) status ==--

        Host ID                            : 2
        Score                              : 0
        Engine status                      : unknown stale-data
        Hostname                           : virt-host2.example.test
        Local maintenance                  : True
        Status up-to-date                  : False
        Extra metadata (valid at timestamp):
        \tstate=LocalMaintenance

        """

    @Test func plainVMStatus() {
        let hosts = HostedEngineState.parseHAHosts(Self.plain)
        #expect(hosts.count == 2)
        #expect(hosts[0] == HAHost(id: 1, hostname: "virt-host1.example.test", score: 3400, localMaintenance: false, liveData: true,
                                   engineVM: "up", engineHealth: "good", state: "EngineUp", stopped: false))
        #expect(hosts[1].liveData == false && hosts[1].localMaintenance == true && hosts[1].score == 0 && hosts[1].state == "LocalMaintenance")
    }

    @Test func jsonVMStatus() {
        let text = """
            {"1": {"conf_on_shared_storage": true, "live-data": true, "extra": "metadata_parse_version=1\\nhost-id=1\\nscore=3400\\nstate=EngineUp\\n", \
            "hostname": "virt-host1.example.test", "host-id": 1, "engine-status": {"vm": "up", "health": "good", "detail": "Up"}, \
            "score": 3400, "stopped": false, "maintenance": false, "crc32": "5a7b9c11", "local_conf_timestamp": 8812345, "host-ts": 8812345}, \
            "2": {"live-data": false, "hostname": "virt-host2.example.test", "host-id": 2, "engine-status": {"vm": "unknown", "health": "unknown"}, \
            "score": 1e300, "maintenance": "yes"}, "global_maintenance": false}
            """
        let hosts = HostedEngineState.parseHAHosts(text)
        #expect(hosts.map(\.id) == [1, 2])
        #expect(hosts[0].state == "EngineUp" && hosts[0].engineVM == "up" && hosts[0].liveData == true && hosts[0].score == 3400)
        #expect(hosts[1].liveData == false && hosts[1].score == nil && hosts[1].localMaintenance == nil)
        let state = try? HostedEngineState.parseVMStatus(text, source: "s")
        #expect(state?.globalMaintenance == false && state?.hosts?.count == 2)
    }

    @Test func brokenVMStatus() {
        #expect(HostedEngineState.parseHAHosts(Self.junk).isEmpty)
        #expect(HostedEngineState.parseHAHosts("{\"1\": {\"host-id\": 1,").isEmpty)
        #expect(HostedEngineState.parseHAHosts("{\"1\": [1, 2], \"x\": {\"host-id\": -5}}").isEmpty)
        #expect(HostedEngineState.parseHAHosts("--== Host h (id: 99999999999999999999999) status ==--\nScore : 3400\n").isEmpty)
        let cut = HostedEngineState.parseHAHosts("--== Host h (id: 3) status ==--\nScore : 99999999999999999999999\nEngine status : {\"vm\": \"")
        #expect(cut.count == 1 && cut[0].score == nil && cut[0].engineVM == nil)
        let many = String(repeating: "--== Host h (id: 1) status ==--\n", count: 500)
        #expect(HostedEngineState.parseHAHosts(many).count == 64)
    }

    @Test func agentScoreAndPenalties() {
        let line = { (time: String, text: String) in "MainThread::INFO::2026-05-31 \(time),123::states::132::ovirt_hosted_engine_ha.agent.hosted_engine.HostedEngine::(score) \(text)" }
        let text = [
            line("10:00:10", "Penalizing score by 400 due to free memory 3788MB (+ 16384MB allowed for the VM)"),
            line("10:00:10", "Current state EngineDown (score: 1400)"),
            line("10:01:10", "Penalizing score by 1600 due to network status"),
            line("10:01:10", "Penalizing score by 1000 due to cpu load"),
            line("10:01:10", "Current state EngineDown (score: 800)"),
            line("10:02:10", "Penalizing score by 1000 due to cpu load"),
            line("10:02:10", "Current state EngineDown (score: 800)"),
        ].joined(separator: "\n")
        let scoring = HostedEngineState.parseAgentScore(text)
        #expect(scoring?.score == 800)
        #expect(scoring?.penalties.map(\.points) == [1600, 1000])
        #expect(scoring?.penalties.first?.reason == "network status")
        #expect(scoring?.penalties.last?.time == "2026-05-31 10:02:10")
        let full = HostedEngineState.parseAgentScore(text + "\n" + line("10:03:00", "Current state EngineUp (score: 3400)"))
        #expect(full?.score == 3400 && full?.penalties.isEmpty == true)
        let maintenance = HostedEngineState.parseAgentScore(line("09:00:00", "Score is 0 due to local maintenance mode") + "\n" + line("09:00:00", "Current state LocalMaintenance (score: 0)"))
        #expect(maintenance?.penalties.first?.reason == "local maintenance mode")
    }

    @Test func brokenAgentScore() {
        #expect(HostedEngineState.parseAgentScore(Self.junk) == nil)
        #expect(HostedEngineState.parseAgentScore("") == nil)
        #expect(HostedEngineState.parseAgentScore("Current state EngineUp (score: 99999999999999999999999)") == nil)
        #expect(HostedEngineState.parseAgentScore("Current state EngineUp (score: 3400") == nil)
        #expect(HostedEngineState.parseAgentScore("Penalizing score by x due to y\nCurrent state EngineUp (score: -1)") == nil)
        let cut = HostedEngineState.parseAgentScore("Penalizing score by 99999999999999999999 due to y\nCurrent state EngineUp (score: 10)")
        #expect(cut?.score == 10 && cut?.penalties.isEmpty == true)
    }

    @Test func hostID() {
        #expect(HostedEngineState.parseHostID("fqdn=engine.example.test\nhost_id=2\n") == 2)
        #expect(HostedEngineState.parseHostID("host_id=99999999999999999999\n") == nil)
        #expect(HostedEngineState.parseHostID(Self.junk) == nil)
    }
}
