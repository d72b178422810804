@testable import CheckEngine
import DoctorCore
import Foundation
@testable import HostFacts
import Localization
import Testing
import TestSupport

/// guest.virt-type and pvdrv.virtio-usage build their sentences from fragments of the check file: in Russian
/// the whole sentence, the pieces included, must come out in Russian with Russian plural forms.
@Suite struct GuestFragmentTests {
    static let now = try! Date("2026-06-01T00:00:00Z", strategy: .iso8601)

    func finding(_ id: String, root: String, language: String) throws -> Finding {
        let catalog = try Catalog.builtIn().localized(language)
        let check = try #require(catalog.check(id: id))
        let store = FactStore(root: try HostRoot(directory: Paths.fixtureRoot(root)))
        return Runner(catalog: Catalog(checks: [check]))
            .run(check, store: store, options: RunOptions(profile: .guest, now: Self.now, strings: try Strings.load(language)))
    }

    @Test func incompleteDetectionReadsInRussian() throws {
        let finding = try finding("guest.virt-type", root: "detection-unreadable-environ", language: "ru")
        #expect(finding.status == .pass)
        #expect(finding.summary == "Эта система: виртуальная машина KVM (полная виртуализация). virt-what вывел бы: kvm. "
                + "Часть признаков прочитать не удалось (1 файл), поэтому ответ может быть неполным.", "\(finding.summary)")
    }

    @Test func emulatedDevicesReadInRussian() throws {
        let finding = try finding("pvdrv.virtio-usage", root: "kvm-guest-emulated-devices", language: "ru")
        #expect(finding.status == .warn)
        #expect(finding.summary.hasPrefix("KVM предлагает паравиртуальные устройства, но сетевой адаптер ens3 использует эмулируемый драйвер e1000; "
                                          + "диск sda использует эмулируемый драйвер ata_piix: "), "\(finding.summary)")
        #expect(finding.remediation.count == 1, "the virtio step only")
    }

    /// No fixture root is a paravirtualized guest of an unnamed hypervisor inside a container; the description
    /// is checked on a report built for it, in both languages.
    @Test func everyDescriptionFragmentIsJoinedInTheReadersLanguage() throws {
        let report = VirtualizationReport(root: "/", identifiers: [], virtualMachine: true, container: "docker", hypervisorVendor: nil,
                                          virtualizationType: "para", hypervisorHost: "xen-dom0", cloud: nil, conclusions: [],
                                          reasoning: [], problems: [], limitations: [])
        let scratch = ScratchRoot()
        for (language, expected) in [
            ("en", "a virtual machine guest (paravirtualized), inside a docker container, a hypervisor host (xen-dom0)"),
            ("ru", "виртуальная машина (паравиртуализация), внутри контейнера docker, хост виртуализации (xen-dom0)"),
        ] {
            let check = try #require(try Catalog.builtIn().localized(language).check(id: "guest.virt-type"))
            let context = EvaluationContext(facts: FactStore(root: scratch.root), profile: .host, now: Self.now, check: check, language: language)
            #expect(GuestVirtType.describe(report, context) == expected)
        }
    }

    @Test func unreadableFileCountUsesRussianPluralForms() throws {
        let check = try #require(try Catalog.builtIn().localized("ru").check(id: "guest.virt-type"))
        let phrase = try #require(check.summaries["nested-incomplete"])
        for (count, words) in [(1, "(1 файл)"), (3, "(3 файла)"), (11, "(11 файлов)"), (22, "(22 файла)")] {
            let text = phrase.render(["system": "x", "identifiers": "kvm", "count": String(count)], language: "ru")
            #expect(text.contains(words), "\(text)")
        }
    }
}
