import DoctorCore
import Foundation
@testable import HostFacts
import Testing
import TestSupport

@Suite struct CertificateCorpusTests {
    static let rows: [[String: String]] = {
        guard Paths.corpusAvailable, let tsv = try? TSV(path: Paths.corpus + "/certs/EXPECTED.tsv") else { return [] }
        return tsv.rows
    }()

    /// openssl's `-dates` format: "May  5 09:37:37 2011 GMT".
    static func opensslDate(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 5, parts[4] == "GMT" else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let time = parts[2].split(separator: ":").compactMap { Int($0) }
        guard let month = months.firstIndex(of: String(parts[0])), let day = Int(parts[1]), let year = Int(parts[3]), time.count == 3 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: year, month: month + 1, day: day, hour: time[0], minute: time[1], second: time[2]))
    }

    @Test(.enabled(if: Paths.corpusAvailable, Comment(rawValue: Paths.corpusMissingMessage)))
    func everyFileIsListed() { #expect(Self.rows.count == 140) }

    /// Same dates as openssl, or a clear problem where openssl could not read the certificate either.
    @Test(.enabled(if: Paths.corpusAvailable, Comment(rawValue: Paths.corpusMissingMessage)), arguments: rows)
    func datesMatchOpenSSL(_ row: [String: String]) throws {
        let name = row["file"]!
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Paths.corpus + "/certs/" + name)))
        let file = CertificateParser.read(bytes, path: name)
        let format = row["format"]!
        if format.hasPrefix("PKCS#12") {
            #expect(file.problem?.contains("PKCS#12") == true, "\(name)")
            return
        }
        if format == "PEM private key" {
            #expect(file.containsPrivateKey && file.certificates.isEmpty, "\(name)")
            return
        }
        if row["openssl_parsed"] == "no" {
            #expect(file.problem != nil, "\(name): openssl rejects it, we must say why")
            return
        }
        let expectedBefore = Self.opensslDate(row["notBefore"]!)
        let expectedAfter = Self.opensslDate(row["notAfter"]!)
        if expectedBefore == nil || expectedAfter == nil {
            // openssl printed "Bad time value": the certificate is not usable, and we must say so.
            #expect(file.problem?.contains("not a valid time") == true, "\(name): \(file.problem ?? "no problem reported")")
            return
        }
        guard let first = file.certificates.first else {
            Issue.record("\(name): no certificate read: \(file.problem ?? "?")")
            return
        }
        #expect(first.notBefore == expectedBefore, "\(name) notBefore")
        #expect(first.notAfter == expectedAfter, "\(name) notAfter")
        #expect(file.certificates.count == Int(row["cert_count"]!) ?? -1, "\(name) count")
        if let serial = row["serial_hex"], serial != "-" { #expect(first.serialHex == serial, "\(name) serial") }
        #expect((row["san_present"] == "yes") == !first.subjectAlternativeNames.isEmpty, "\(name) SAN")
    }
}
