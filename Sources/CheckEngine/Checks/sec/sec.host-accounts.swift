import DoctorCore
import HostFacts

/// sec.host-accounts: regular user accounts that can log in to the hypervisor.
enum SecHostAccounts: CheckEvaluator {
    static let id = "sec.host-accounts"

    enum Condition: String, CaseIterable {
        case onlyAdministrative = "only-administrative"
        case regularUsers = "regular-users"
        case account
    }

    /// The overflow ids (nobody, nfsnobody) are not people.
    static let overflowIDs: Set<Int> = [65534, 4_294_967_294, 4_294_967_295]

    static func evaluate(_ context: EvaluationContext) throws(FactError) -> Outcome<Condition> {
        let users = try context.fact(Facts.userAccounts).value
        let regular = users.accounts.filter { $0.uid >= users.firstRegularUID && !overflowIDs.contains($0.uid) && $0.canLogIn }
        let limit = "UID_MIN \(users.firstRegularUID) (\(users.uidMinSource))"
        guard !regular.isEmpty else {
            return .pass(.onlyAdministrative, ["uidMin": String(users.firstRegularUID)],
                         evidence: [Evidence(source: "/etc/passwd", value: "\(users.accounts.count) accounts, none at or above \(limit) with a login shell")])
        }
        let names = regular.prefix(20).map { context.fragment(Condition.account, ["name": $0.name, "uid": String($0.uid), "shell": $0.shell]) }
        return .warn(.regularUsers, listVariables("accounts", names).merging(["uidMin": String(users.firstRegularUID)]) { $1 },
                     evidence: regular.prefix(20).map { Evidence(source: "/etc/passwd", value: "\($0.name): uid \($0.uid), shell \($0.shell)") })
    }
}
